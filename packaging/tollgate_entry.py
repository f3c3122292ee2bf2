"""Entry point of the frozen bundle (PyInstaller): the ``tollgate`` command line, whose
default command opens the desktop console (``tollgate`` alone = ``tollgate gui``)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # joblib/loky workers re-enter the executable
    from console.cli import main

    sys.exit(main())
