"""Entry point of the bundle's windowed launcher ``tollgate-gui`` (no console window on
Windows/macOS; same options as the ``tollgate-gui`` script of the wheel)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from console.ui.app import main

    sys.exit(main())
