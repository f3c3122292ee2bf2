"""Application start-up: QApplication, theme, main window, ``--screenshot`` mode.

``run_gui(location, screenshot=None)`` is what ``tollgate`` / ``tollgate gui`` call;
``main()`` is the ``tollgate-gui`` entry point (same options).  Without ``--workspace``
the first run shows the welcome page and later runs reopen the most recent workspace
(:func:`console.ui.welcome.startup_location`); ``--screenshot`` never shows it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, Optional, Sequence

#: Give up on ``--screenshot`` when the workspace has not loaded after this long.
SCREENSHOT_TIMEOUT_S = float(os.environ.get("TOLLGATE_SCREENSHOT_TIMEOUT", "180"))


def _has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


def _preload_services() -> None:
    """Import the service layer (pandas, SQLAlchemy, Alembic: ~0.6 s) in a background
    thread while Qt and pyqtgraph are imported and the window is built; the worker that
    opens the workspace then finds it imported."""
    import importlib
    import threading

    def target() -> None:
        try:
            importlib.import_module("console.services.workspace")
        except Exception:  # reported properly by the worker that opens the workspace
            pass

    threading.Thread(target=target, name="tollgate-preload", daemon=True).start()


def _install_qt_message_filter() -> None:
    """Keep Qt's console chatter off stderr (the CLI promises one clear line on error):
    the offscreen platform's "does not support propagateSizeHints()" always, other
    debug/info/warning messages unless ``TOLLGATE_DEBUG`` is set."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    debug = bool(os.environ.get("TOLLGATE_DEBUG"))

    def handler(mode, _context, message: str) -> None:
        if "propagateSizeHints" in message:
            return
        if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) or debug:
            print(f"qt: {message}", file=sys.stderr)

    qInstallMessageHandler(handler)


def _application(argv: Optional[Sequence[str]] = None):
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from console import __version__
    from console.ui import theme

    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName("Tollgate")
        QCoreApplication.setOrganizationDomain("tollgate.example")
        QCoreApplication.setApplicationName("Tollgate")
        QCoreApplication.setApplicationVersion(__version__)
        app = QApplication(list(argv) if argv is not None else [sys.argv[0]])
        app.setApplicationDisplayName("Tollgate")
        if hasattr(app, "setDesktopFileName"):
            app.setDesktopFileName("tollgate")
    theme.apply_theme(app)
    app.setWindowIcon(theme.app_icon())
    return app


def run_gui(workspace_location: Any = None, screenshot: Optional[str] = None) -> int:
    """Open the main window on ``workspace_location`` and run the event loop.

    Without ``screenshot`` the console asks who signs in once the workspace is open
    (:mod:`console.ui.signin`).  With ``screenshot``: no welcome page, sign-in or other
    dialog; wait until the inventory has loaded
    and the first model's detail is shown, save ``window.grab()`` as PNG there and
    return 0 (2 with one stderr line if the workspace cannot be opened or the file
    cannot be written).  Without a display on Linux, screenshots use Qt's offscreen
    platform.
    """
    t0 = time.perf_counter()
    if screenshot is not None:
        target = Path(screenshot).expanduser()
        if not target.parent.exists():
            print(f"tollgate: error: cannot save the screenshot: folder {target.parent} does not exist",
                  file=sys.stderr)
            return 2
        if not _has_display():
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not _has_display():
        print("tollgate: error: no display found (DISPLAY/WAYLAND_DISPLAY unset); run the console on a desktop, "
              "or use the command-line subcommands (tollgate --help)", file=sys.stderr)
        return 2

    _preload_services()
    _install_qt_message_filter()
    app = _application()
    from PySide6.QtCore import QTimer

    from console.ui.main_window import MainWindow

    outcome: dict[str, Any] = {"code": 0}
    if screenshot is None:
        # desktop start: the welcome page on the first run, else the requested or the
        # most recent workspace (console.ui.welcome.startup_location)
        from console.ui.welcome import Launcher, startup_location

        launcher = Launcher(sign_in=True, restore_state=True, warm_up=True)
        welcome, location = startup_location(workspace_location)
        if welcome:
            launcher.show_welcome()
        else:
            launcher.open_workspace(location)
        code = app.exec()
        launcher.shutdown()
        app.processEvents()
        return int(code)

    window = MainWindow(workspace_location, restore_state=False, warm_up=False,
                        interactive=False, sign_in=False)

    # --screenshot: no welcome page, sign-in or other dialog (DESIGN.md CLI contract)
    target = Path(screenshot).expanduser()
    window.resize(1400, 860)

    def save() -> None:
        app.processEvents()
        img = window.grab()
        if img.isNull() or not img.save(str(target), "PNG"):
            print(f"tollgate: error: cannot write the screenshot to {target}", file=sys.stderr)
            outcome["code"] = 2
        elif os.environ.get("TOLLGATE_TIMING"):
            print(f"tollgate: screenshot ready after {time.perf_counter() - t0:.2f} s "
                  f"(inventory loaded at {outcome.get('inventory_s', float('nan')):.2f} s, "
                  f"epoch {outcome.get('inventory_epoch', float('nan')):.3f})", file=sys.stderr)
        app.exit(outcome["code"])

    def on_inventory(_n: int) -> None:
        outcome.setdefault("inventory_s", time.perf_counter() - t0)
        outcome.setdefault("inventory_epoch", time.time())

    def on_failed(message: str) -> None:
        print(f"tollgate: error: {message}", file=sys.stderr)
        outcome["code"] = 2
        app.exit(2)

    def on_timeout() -> None:
        print(f"tollgate: error: the workspace did not load within {SCREENSHOT_TIMEOUT_S:.0f} s; "
              "no screenshot written", file=sys.stderr)
        outcome["code"] = 2
        app.exit(2)

    window.inventoryLoaded.connect(on_inventory)
    window.ready.connect(lambda: QTimer.singleShot(30, save))
    window.failed.connect(on_failed)
    timer = QTimer(window)
    timer.setSingleShot(True)
    timer.timeout.connect(on_timeout)
    timer.start(int(SCREENSHOT_TIMEOUT_S * 1000))

    window.show()
    QTimer.singleShot(0, window.start)
    app.exec()
    window.shutdown()
    window.deleteLater()
    app.processEvents()
    return outcome["code"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``tollgate-gui [--workspace PATH|URL] [--screenshot FILE]``."""
    from console.monitoring import prefer_fast_sort

    prefer_fast_sort()  # before anything imports numpy (see its docstring)
    p = argparse.ArgumentParser(prog="tollgate-gui", description="Tollgate desktop console")
    p.add_argument("--workspace", metavar="PATH|URL", default=None,
                   help="workspace: a SQLite file or a SQLAlchemy URL (default: the user's workspace)")
    p.add_argument("--screenshot", metavar="FILE", default=None,
                   help="save a PNG of the main window once the inventory has loaded, then exit")
    args = p.parse_args(argv)
    return run_gui(args.workspace, screenshot=args.screenshot)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
