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
        if i == win.detail.TAB_DRIFT and not win.detail.drift.history_loaded:
            wait(win.detail.drift.historyLoaded, 10000)  # performance / prediction drift (worker)
        for _ in range(20):
            app.processEvents()
        win.grab().save(str(outdir / f"{name}.png"), "PNG")
        print(outdir / f"{name}.png")
    drift_dashboard_shots(win, app, outdir, wait)
    win.shutdown()
    return 0


def drift_dashboard_shots(win, app, outdir: Path, wait) -> None:
    """drift-dashboard.png (a clicked heatmap cell, the drift tab enlarged) and
    import-dialog.png (a prediction log of the model previewed)."""
    import numpy as np
    import pandas as pd

    def settle() -> None:
        for _ in range(30):
            app.processEvents()

    tabs, chart = win.detail.tabs, win.detail.drift
    tabs.setCurrentIndex(win.detail.TAB_DRIFT)
    win.resize(1500, 1000)
    win.splitter.setSizes([150, 850])
    settle()
    chart.views.setCurrentIndex(chart.VIEW_HEATMAP)
    names = chart.feature_names()
    if names and chart.run is not None:
        j = max(0, len(chart.run.windows) - 6)
        i = names.index("contact") if "contact" in names else 0
        chart.heatmap.plot.scene().sigMouseMoved.emit(chart.heatmap.scene_pos_of(i, j))
        chart.show_distribution(names[i], j)
    settle()
    win.grab().save(str(outdir / "drift-dashboard.png"), "PNG")
    print(outdir / "drift-dashboard.png")
    win.resize(1400, 860)
    win.splitter.setSizes([250, 560])
    settle()
    # the import dialog on a small prediction log written from the demo's Bank Marketing data
    d = win.detail.detail
    if d is None or not d.versions:
        return
    from console.services.demo import load_bank

    features = list(d.versions[-1].training_schema)
    df = load_bank().head(200)
    log = df[features].copy()
    log.insert(0, "timestamp", (pd.Timestamp("2011-03-01 08:00") + pd.to_timedelta(np.arange(200) * 97, unit="min"))
               .strftime("%d/%m/%Y %H:%M"))
    log.insert(0, "request_id", [f"web-{i:05d}" for i in range(200)])
    log["prediction"] = np.where(np.random.default_rng(1).random(200) < 0.2, "yes", "no")
    log["score"] = np.random.default_rng(2).random(200).round(4)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "scores-2011-03.csv"
    log.to_csv(path, sep=";", decimal=",", index=False)
    dlg = win.import_prediction_log()
    if dlg is None:
        return
    dlg.set_path(str(path))
    wait(dlg.previewed, 20000)
    settle()
    dlg.grab().save(str(outdir / "import-dialog.png"), "PNG")
    print(outdir / "import-dialog.png")
    dlg.reject()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
