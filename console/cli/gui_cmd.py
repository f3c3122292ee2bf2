"""``tollgate gui [--screenshot FILE]``: open the desktop console (also the default
command).

Qt is imported only inside :func:`run`, from :mod:`console.ui`, so every other
subcommand works on machines without Qt (or without a display).
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "gui",
        help="open the desktop console (the default when no command is given)",
        description="Open the Tollgate desktop console on the workspace given with --workspace.",
    )
    p.add_argument(
        "--screenshot",
        metavar="FILE",
        default=None,
        help="open the main window without any welcome page or sign-in, wait until the inventory "
        "(and the first model's detail) has loaded, save a PNG to FILE and exit 0",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Start the GUI; returns the exit code (2 with one stderr line when it cannot)."""
    from console.errors import TollgateError

    try:
        from console.ui.app import run_gui
    except ImportError as exc:  # Qt or pyqtgraph missing
        raise TollgateError(
            f"the desktop console needs PySide6 and pyqtgraph ({exc}); install them with "
            "`pip install tollgate-console` or use the command-line subcommands"
        ) from None
    return run_gui(getattr(args, "workspace", None), screenshot=getattr(args, "screenshot", None))
