"""Save screenshots of the main views for the README and for review.

Usage: .venv/bin/python scripts/screenshots.py WORKSPACE OUTDIR [MODEL NAME]
Renders offscreen (no display needed): the inventory with the model's overview, then each
detail tab (versions, validation, drift, audit trail, findings, RACI) as PNG files in OUTDIR,
then :func:`themed_shots` in the light and the dark theme: ``inventory``, ``versions``,
``validation``, ``drift``, ``audit-trail``, ``approvals``, ``audit`` and ``welcome``, each
as ``NAME-light.png`` and ``NAME-dark.png``.  WORKSPACE is written to (an approval request
is added when it has none, so the approvals view has something to show): use a copy.
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
    for mode in ("light", "dark"):
        for path in themed_shots(win, app, outdir, wait, mode, model_name):
            print(path)
    from console.ui import theme

    theme.set_mode("light", save=False)
    win.shutdown()
    return 0


#: (file stem, detail tab attribute) of the model-detail views shot in both themes
THEMED_TABS = (("inventory", "TAB_OVERVIEW"), ("versions", "TAB_VERSIONS"), ("validation", "TAB_VALIDATION"),
               ("drift", "TAB_DRIFT"), ("audit-trail", "TAB_AUDIT"))


def _ensure_request(ws) -> None:
    """One open approval request (a tier-2 promotion with a review), unless there is one."""
    from console.services import approvals

    try:
        if approvals.list_requests(ws):
            return
    except Exception:
        pass
    try:
        mid = next(m.id for m in ws.list_models() if m.name.startswith("High-income"))
        req = approvals.request_approval(ws, mid, 1, login="priya", password="demo-priya",
                                         reason="validation report VR-12 complete; fairness checks pass",
                                         to_status="approved")
        approvals.sign(ws, req.id, login="yusuf", password="demo-yusuf", meaning="reviewed",
                       reason="training data lineage verified")
    except Exception as exc:  # not the demo: shoot the view as it is
        print(f"(no approval request added: {exc})", file=sys.stderr)


def themed_shots(win, app, outdir: Path, wait, mode: str, model_name: str = "Term deposit propensity") -> list[Path]:
    """Screenshots of the main views of ``win`` (a started MainWindow on the demo) in
    theme ``mode`` (``light``/``dark``): ``inventory`` (with the model's overview),
    ``versions``, ``validation``, ``drift``, ``audit-trail`` (detail tabs), ``approvals``,
    ``audit`` (workspace audit trail) and ``welcome``, saved as ``NAME-MODE.png``."""
    from console.ui import theme
    from console.ui.welcome import WelcomeWindow

    def settle(n: int = 30) -> None:
        for _ in range(n):
            app.processEvents()

    def wait_until(cond, seconds: float = 20.0) -> None:
        import time

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            if cond():
                return
            time.sleep(0.02)

    theme.set_mode(mode, save=False)
    out: list[Path] = []

    def save(widget, stem: str) -> None:
        settle()
        path = outdir / f"{stem}-{mode}.png"
        widget.grab().save(str(path), "PNG")
        out.append(path)

    win.resize(1400, 860)
    win.splitter.setSizes([250, 560])
    target = next((m for m in win.inventory.model.rows() if m.name == model_name), None)
    if target is not None and win.inventory.selected_id() != target.id:
        win.inventory.select_model_id(target.id)
        wait(win.detailLoaded)
    for stem, tab in THEMED_TABS:
        win.detail.tabs.setCurrentIndex(getattr(win.detail, tab))
        if tab == "TAB_DRIFT" and not win.detail.drift.history_loaded:
            wait(win.detail.drift.historyLoaded, 10000)
        if tab == "TAB_VALIDATION":
            view = win.detail.validation.checks_view if hasattr(win.detail.validation, "checks_view") else None
            if view is not None and view.model().rowCount():
                view.selectRow(0)
        save(win, stem)
    _ensure_request(win.ws)
    view = win.show_approvals_view()
    if view is not None:
        view.resize(1400, 860)
        view.reload()
        wait_until(lambda: not view.busy)
        try:
            from console.services import approvals

            reqs = approvals.list_requests(win.ws)
            if reqs and view.select_request(reqs[0].id, view.TAB_ALL):
                wait_until(lambda: view.detail_pane.detail is not None
                           and view.detail_pane.detail.request.id == reqs[0].id and not view.busy)
        except Exception as exc:
            print(f"(no request shown: {exc})", file=sys.stderr)
        save(view, "approvals")
        view.hide()
    audit = win.show_audit_view()
    if audit is not None:
        audit.resize(1400, 860)
        wait_until(lambda: not audit.busy)
        save(audit, "audit")
        audit.hide()
    welcome = WelcomeWindow()
    welcome.resize(1100, 700)
    welcome.show()
    save(welcome, "welcome")
    welcome.close()
    welcome.deleteLater()
    return out


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
