"""GUI tests of validation (issue 6): running the tier's suite from the window in a
worker (progress per check, Cancel, re-run), the evidence pane (description, source,
parameters, tables, pyqtgraph charts), the validation plan editor, and the report export
dialog (three PDFs parsed back with pypdf).  pytest-qt, real widgets offscreen, the real
main window on a private copy of the real demo workspace (``tollgate demo``)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt, QTimer  # noqa: E402

from console.domain.models import CheckResult, CheckStatus  # noqa: E402
from console.services.workspace import Workspace  # noqa: E402
from tests.conftest import open_main_window  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
#: tier 2, protected attributes sex, race and age (not model features): the fairness
#: check judges it on groups it never saw
BLIND = "High-income flag (sex- and race-blind)"
#: tier 1, trained with sex and race as features
TIER1 = "Income eligibility screen"
JOB_TIMEOUT = 600_000  # ms; the suite takes ~15 s on an idle machine, far more on a loaded CI box


@pytest.fixture
def ws(demo_copy):
    w = Workspace.open(demo_copy)
    yield w
    w.close()


@pytest.fixture
def win(qtbot, themed, ws):
    w = open_main_window(qtbot, workspace=ws, refresh_interval_s=0)
    yield w
    w.shutdown()


def select(qtbot, w, name: str):
    m = next(m for m in w.inventory.model.rows() if m.name == name)
    if w.inventory.selected_id() != m.id or w.detail.model_id != m.id:
        with qtbot.waitSignal(w.detailLoaded, timeout=30000):
            w.inventory.select_model_id(m.id)
    return m


def sign_in(w, login: str):
    user = w.ws.authenticate(login, f"demo-{login}")
    w.set_current_user(user)
    return user


def table_cells(view) -> list[list[str]]:
    m = view.model()
    return [[m.data(m.index(r, c)) for c in range(m.columnCount())] for r in range(m.rowCount())]


# ---------------------------------------------------------------- running the suite
def test_run_suite_from_gui_shows_fairness_evidence_and_a_chart(win, ws, qtbot):
    m = select(qtbot, win, BLIND)
    tab = win.detail.validation
    before = {r.id for r in ws.get_model(m.id).validation_runs}
    ticks_while_running: list[int] = []
    messages: list[str] = []
    job_box: list = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks_while_running.append(1) if job_box and not job_box[0].done.is_set()
                          else None)
    timer.start()
    with qtbot.waitSignal(win.jobFinished, timeout=JOB_TIMEOUT) as blocker:
        job = win.run_validation()
        assert job is not None
        job_box.append(job)
        job.signals.progress.connect(lambda _f, msg: messages.append(tab.job_label.text()))
        # the tab shows the running job with its own Cancel; Run is disabled meanwhile
        assert tab.job_strip.isVisibleTo(tab) and tab.cancel_button.defaultAction() is win.act_cancel
        assert not win.act_run.isEnabled() and not win.act_rerun.isEnabled()
    timer.stop()
    assert blocker.args[1] is True, blocker.args
    # the event loop ran during the job (the worker never blocked the GUI thread)
    assert len(ticks_while_running) >= 3
    # per-check progress reached the tab: the suite names each check as it runs
    assert any("Groups are treated comparably" in x for x in messages), messages[:10]
    assert not tab.job_strip.isVisibleTo(tab)
    assert win.last_status.startswith(("✔ Validation", "✖ Validation"))
    # the new run is stored and selected once the detail reloads
    new = {r.id for r in ws.get_model(m.id).validation_runs} - before
    assert len(new) == 1
    qtbot.waitUntil(lambda: tab.current_run() is not None and tab.current_run().id in new, timeout=30000)
    run = tab.current_run()
    # checks grouped by family, each status a glyph icon and a word
    fams = [c.family for c in tab.checks_model.visible_rows()]
    assert fams == sorted(fams, key=fams.index) and len(set(fams)) >= 8
    assert "fairness" in tab.families.text() and "pass" in tab.families.text()
    st = tab.checks_model.data(tab.checks_model.index(0, 1))
    assert st in ("Pass", "Warn", "Fail", "Error", "Skipped")
    assert tab.checks_model.data(tab.checks_model.index(0, 1), Qt.ItemDataRole.DecorationRole) is not None
    # fingerprints of the run: its model file and data
    assert run.fingerprints["artifact_sha256"][:16] in tab.fingerprints.text()
    assert run.data_sha256[:16] in tab.fingerprints.text()
    # the fairness check's evidence
    assert tab.select_check("fairness.group_metrics")
    ev = tab.evidence
    c = ev.check
    assert c.id == "fairness.group_metrics" and c.family == "fairness"
    assert c.description and ev.description.text() == c.description
    assert ev.source is not None and "fairlearn" in ev.source.text()
    assert ev.params_view is not None and "min_ratio" in [r[0] for r in table_cells(ev.params_view)]
    # per-group tables (the attributes are not model features: judged anyway)
    cells = [x for view in ev.tables for row in table_cells(view) for x in row]
    assert "Female" in cells and "Male" in cells
    assert len(ev.tables) == len(c.values["tables"])
    # and its charts, drawn with data
    assert ev.charts and len(ev.charts) == len(c.values["charts"])
    assert all(ch.drawn_series >= 1 for ch in ev.charts)
    items = ev.charts[0].getPlotItem().listDataItems() + [
        i for i in ev.charts[0].getPlotItem().items if type(i).__name__ == "BarGraphItem"]
    assert items
    assert "Female" in ev.text() and c.title in ev.text()


def test_cancel_leaves_no_run(win, ws, qtbot):
    m = select(qtbot, win, BLIND)
    tab = win.detail.validation
    before = [r.id for r in ws.get_model(m.id).validation_runs]
    clicked: list[str] = []

    def on_progress(_f: float, msg: str) -> None:
        if not clicked and _f >= 0.1:  # the suite has started (inputs loaded)
            clicked.append(msg)
            tab.cancel_button.click()  # the Cancel next to the history (the window's action)

    with qtbot.waitSignal(win.jobFinished, timeout=JOB_TIMEOUT) as blocker:
        job = win.run_validation()
        job.signals.progress.connect(on_progress)
    assert clicked, "no progress before the end"
    assert blocker.args[1] is False and "cancelled" in blocker.args[0]
    assert job.cancelled and not win.message_boxes
    assert [r.id for r in ws.get_model(m.id).validation_runs] == before
    assert not tab.job_strip.isVisibleTo(tab) and win.act_run.isEnabled()


def test_rerun_selected_run_reports_what_changed(win, ws, qtbot):
    m = select(qtbot, win, BLIND)
    tab = win.detail.validation
    original = tab.current_run()
    assert original is not None and win.act_rerun.isEnabled()
    with qtbot.waitSignal(win.jobFinished, timeout=JOB_TIMEOUT) as blocker:
        assert win.rerun_validation() is not None
    assert blocker.args[1] is True, blocker.args
    report = win.last_rerun
    assert report.original.id == original.id and report.run.rerun_of == original.id
    assert win.last_status.startswith((f"✔ Re-run of validation run #{original.id}",
                                       f"◆ Re-run of validation run #{original.id}"))
    if not report.reproduced:
        assert "changed" in win.last_status
    qtbot.waitUntil(lambda: tab.current_run() is not None and tab.current_run().id == report.run.id, timeout=30000)
    # the fingerprint line compares the re-run with the run it re-ran
    assert f"run #{original.id}" in tab.fingerprints.text()
    assert f"re-run of #{original.id}" in tab.summary.text()
    assert report.run.id in {r.id for r in ws.get_model(m.id).validation_runs}


# ---------------------------------------------------------------- evidence pane (synthetic evidence)
def test_evidence_pane_draws_every_chart_kind_and_skips_bad_points(themed, qtbot):
    from console.ui.validation_view import EvidencePane

    pane = EvidencePane()
    qtbot.addWidget(pane)
    pane.resize(700, 900)
    pane.show()
    check = CheckResult(
        "performance.calibration", "performance", "Predicted probabilities are calibrated", CheckStatus.WARN, False,
        values={
            "ece": 0.061, "n_rows": 8141, "primary": "roc_auc",
            "tables": [{"title": "Bins", "columns": ["bin", "n", "status"],
                        "rows": [["0–0.1", 120, "pass"], ["0.1–0.2", 80, "fail"], ["0.2–0.3", None, "warn"]]}],
            "charts": [
                {"kind": "line", "title": "Reliability diagram", "x_label": "predicted", "y_label": "observed",
                 "series": [{"name": "model", "points": [[0.1, 0.12], [0.5, 0.45], ["bad"], [0.9, None]]}],
                 "reference_line": [[0, 0], [1, 1]]},
                {"kind": "bar", "title": "Permutation importance", "x_label": "feature", "y_label": "drop",
                 "series": [{"name": "mean", "points": [["age", 0.05], ["income", 0.2], ["a-very-long-feature-"
                                                                                        "name-indeed-yes", 0.01]]}],
                 "reference_line": None},
                {"kind": "bar", "title": "Numeric bars", "x_label": "k", "y_label": "n",
                 "series": [{"name": "a", "points": [[1, 3], [2, 5]]}, {"name": "b", "points": [[1, 2], [2, 1]]}]},
                {"kind": "scatter", "title": "Scatter", "x_label": "x", "y_label": "y",
                 "series": [{"name": "s", "points": [[1, 2], [3, 4]]}]},
                {"kind": "line", "title": "Empty", "series": []},
            ],
            "notes": ["Groups under 50 rows are flagged, not judged."],
        },
        reason="expected calibration error 0.061 above the advisory 0.05",
        description="Compares predicted probabilities with observed frequencies.",
        source="Guo et al. 2017 (ECE); sklearn.calibration.calibration_curve",
        params={"max_ece": 0.05, "n_bins": 10},
    )
    pane.set_check(check)
    assert [ch.drawn_series for ch in pane.charts] == [1, 1, 2, 1, 0]
    line = pane.charts[0].getPlotItem().listDataItems()
    x, y = next(i for i in line if i.name() == "model").getData()
    assert list(x) == [0.1, 0.5] and list(y) == [0.12, 0.45]  # malformed points skipped
    assert len(line) == 2  # the series and the dashed reference line
    # text categories: horizontal bars, one tick per feature, long names shortened
    ticks = pane.charts[1].getPlotItem().getAxis("left")._tickLevels[0]
    assert [t[1] for t in ticks][:2] == ["age", "income"] and ticks[2][1].endswith("…")
    assert table_cells(pane.params_view) == [["max_ece", "0.05"], ["n_bins", "10"]]
    values = dict((r[0], r[1]) for r in table_cells(pane.values_view))
    assert values == {"ece": "0.0610", "n_rows": "8141", "primary": "roc_auc"}
    bins = pane.tables[0].model()
    assert bins.data(bins.index(1, 2)) == "Fail"
    assert bins.data(bins.index(1, 2), Qt.ItemDataRole.DecorationRole) is not None  # glyph, not colour alone
    assert bins.data(bins.index(2, 1)) == "—"
    assert "Groups under 50 rows" in pane.notes.text()
    assert "Guo et al." in pane.source.text() and "0.061" in pane.reason.text()
    text = pane.text()
    assert "Reliability diagram" in text and "(0.1, 0.12)" in text and "max_ece=0.05" in text
    pane.copy_text()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == text
    pane.set_check(None)
    assert pane.charts == [] and pane.placeholder is not None


# ---------------------------------------------------------------- plan editor
def test_plan_editor_saves_for_a_model_risk_manager_and_is_read_only_for_others(win, ws, qtbot):
    from console.services.validation import current_plan

    select(qtbot, win, BLIND)  # tier 2
    sign_in(win, "priya")  # a Data Scientist: reads only
    dlg = win.show_validation_plan()
    with qtbot.waitSignal(dlg.loaded, timeout=30000):
        pass
    assert dlg.tier() == 2 and dlg.table.rowCount() >= 15
    assert dlg.read_only_reason and not dlg.save_button.isVisible()
    item = dlg.table.item(0, dlg.COL_BLOCKS)
    assert not item.flags() & Qt.ItemFlag.ItemIsUserCheckable
    dlg.reject()

    sign_in(win, "sofia")  # Model Risk Manager
    dlg = win.show_validation_plan()
    with qtbot.waitSignal(dlg.loaded, timeout=30000):
        pass
    assert dlg.read_only_reason is None and dlg.save_button.isVisible()
    assert dlg.blocking()["staleness.age"] is False  # tier 2 default: staleness advises
    dlg.set_blocking("staleness.age", True)
    row = next(r for r in range(dlg.table.rowCount())
               if dlg.table.item(r, dlg.COL_BLOCKS).data(Qt.ItemDataRole.UserRole) == "staleness.age")
    assert dlg.table.item(row, dlg.COL_BLOCKS).text() == "Blocks"  # the word follows the tick
    assert not dlg.save_button.isEnabled()  # a reason is required
    dlg.reason_edit.setText("MRM policy 4.2: stale tier-2 models block")
    assert dlg.save_button.isEnabled()
    with qtbot.waitSignal(dlg.saved, timeout=30000) as saved:
        dlg.save_button.click()
    pv = saved.args[0]
    assert pv.tier == 2 and pv.version == 1 and pv.updated_by == "sofia"
    assert current_plan(ws, 2).plan.is_blocking("staleness.age") is True
    assert "version 1" in dlg.message.text() and "version 1" in win.last_status.lower()
    dlg.reject()


# ---------------------------------------------------------------- report export
@pytest.mark.parametrize("kind, title", [
    ("audit", "Model audit report"),
    ("validation", "Model validation report"),
    ("inventory", "Model inventory report"),
])
def test_export_each_report_from_the_dialog(win, ws, qtbot, tmp_path, kind, title):
    from pypdf import PdfReader

    m = select(qtbot, win, BLIND)
    sign_in(win, "hugo")  # an Auditor may export
    dlg = win.export_report()
    dlg.set_kind(kind)
    assert dlg.model_combo.isVisibleTo(dlg) == (kind != "inventory")
    assert dlg.tier_combo.isVisibleTo(dlg) == (kind == "inventory")
    if kind == "inventory":
        dlg.tier_combo.setCurrentIndex(dlg.tier_combo.findData(2))
    else:
        assert dlg.model_combo.currentData() == m.id
        assert Path(dlg.path_edit.text()).name.endswith(f"-{kind}.pdf")
    out = tmp_path / f"{kind} report"  # ".pdf" is added
    dlg.path_edit.setText(str(out))
    with qtbot.waitSignal(dlg.exported, timeout=JOB_TIMEOUT) as done:
        job = dlg.export()
        assert job is not None and dlg.progress.isVisible() and not dlg.export_button.isEnabled()
    pdf = Path(done.args[0])
    assert pdf == out.with_name(f"{kind} report.pdf") and pdf.read_bytes().startswith(b"%PDF")
    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 2
    first = reader.pages[0].extract_text()
    assert title in first and title in (reader.metadata.title or "")
    if kind == "inventory":
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())  # names may wrap in cells
        tier2 = [s.name for s in ws.list_models() if s.risk_tier == 2]
        others = [s.name for s in ws.list_models() if s.risk_tier != 2]
        assert all(n in text for n in tier2) and not any(n in text for n in others)
    else:
        assert m.name in " ".join(first.split())
    # completion in the status bar, "Open folder" offered
    assert str(pdf) in win.last_status and title.split()[-2] in win.last_status.lower()
    assert dlg.open_button.isVisible() and dlg.last_path == pdf
    dlg.accept()


def test_report_dialog_refuses_a_missing_folder_in_one_line(win, qtbot, tmp_path):
    select(qtbot, win, BLIND)
    dlg = win.export_report()
    dlg.path_edit.setText(str(tmp_path / "missing" / "x.pdf"))
    assert dlg.export() is None and dlg.job is None
    assert dlg.message.isVisible() and "does not exist" in dlg.message.text()
    assert "\n" not in dlg.message.text() and "<br" not in dlg.message.text()
    assert not list(tmp_path.rglob("*.pdf"))
    dlg.reject()


# ---------------------------------------------------------------- screenshot
def test_screenshot_of_the_validation_evidence(qtbot, themed, ws):
    """docs/screenshots/validation-evidence.png: the fairness check of a tier-1 model
    trained with sex and race as features (looked at by a person)."""
    win = open_main_window(qtbot, workspace=ws, refresh_interval_s=0, size=(1440, 960))
    try:
        select(qtbot, win, TIER1)
        win.detail.tabs.setCurrentIndex(win.detail.TAB_VALIDATION)
        win.splitter.setSizes([120, 840])
        tab = win.detail.validation
        tab.splitter.setSizes([200, 600])
        assert tab.select_check("fairness.group_metrics")
        ev = tab.evidence
        assert ev.charts and ev.tables
        qtbot.wait(200)
        # the reason and the first chart are in view without scrolling
        bottom = ev.charts[0].mapTo(ev.viewport(), ev.charts[0].rect().bottomLeft()).y()
        assert ev.reason is not None and bottom <= ev.viewport().height(), (bottom, ev.viewport().height())
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert win.grab().save(str(SHOTS / "validation-evidence.png"), "PNG")
    finally:
        win.shutdown()
