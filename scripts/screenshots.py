"""Save screenshots of the main views for the README and for review.

Usage: .venv/bin/python scripts/screenshots.py WORKSPACE OUTDIR [MODEL NAME]
Renders offscreen (no display needed): the inventory with the model's overview, then each
detail tab (versions, validation, drift, audit trail, findings, RACI) as PNG files in OUTDIR.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    workspace, outdir = argv[0], Path(argv[1])
    model_name = argv[2] if len(argv) > 2 else "Term deposit propensity"
    outdir.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QEventLoop, QTimer

    from console.ui.app import _application
    from console.ui.main_window import MainWindow

    app = _application()
    win = MainWindow(workspace, restore_state=False, warm_up=False)
    win.resize(1400, 860)
    win.show()

    def wait(signal, ms: int = 30000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    win.start()
    wait(win.ready)
    target = next((m for m in win.inventory.model.rows() if m.name == model_name), None)
    if target is None:
        print(f"no model named {model_name!r} in {workspace}", file=sys.stderr)
        return 2
    win.inventory.select_model_id(target.id)
    wait(win.detailLoaded)
    for _ in range(20):
        app.processEvents()
    tabs = win.detail.tabs
    names = ["main-window", "versions", "validation", "drift", "audit-trail", "findings-tab", "raci-tab"]
    for i, name in enumerate(names):
        tabs.setCurrentIndex(i)
        # the governance tabs read the workspace in their own workers
        if i == win.detail.TAB_FINDINGS and win.detail.findings._job is not None:
            wait(win.detail.findings.loaded, 10000)
        if i == win.detail.TAB_RACI and (win.detail.raci.data is None or win.detail.raci._job is not None):
            wait(win.detail.raci.loaded, 10000)
        for _ in range(20):
            app.processEvents()
        win.grab().save(str(outdir / f"{name}.png"), "PNG")
        print(outdir / f"{name}.png")
    win.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
