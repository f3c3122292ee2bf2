"""GUI tests (pytest-qt, offscreen): item models, sorting/filtering, workers, the main
window against hand-made domain objects and against the real demo workspace, and the
``tollgate gui --screenshot`` entry point.

Fixtures live in this module on purpose (no tests/conftest.py).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt, QThread, QTimer  # noqa: E402

from console.domain.models import (  # noqa: E402
    Alias,
    AuditEvent,
    CheckResult,
    CheckStatus,
    DriftFeatureResult,
    DriftRun,
    DriftStatus,
    DriftWindow,
    LifecycleStatus,
    ModelDetail,
    ModelSummary,
    ModelVersion,
    RegisteredModel,
    TaskType,
    ValidationRun,
    psi_status,
)
from console.errors import Cancelled, InputError  # noqa: E402
from tests.conftest import open_main_window  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

REPO = Path(__file__).resolve().parents[1]
T0 = datetime(2025, 1, 6, 9, 30, tzinfo=timezone.utc)


# =========================================================================== fixtures

# ------------------------------------------------------------------ hand-made objects
def summary(i: int, name: str, owner: str, tier: int, status: LifecycleStatus, *, versions: int = 1,
            champion: Optional[str] = "1", drift: Optional[DriftStatus] = None, last: Optional[str] = None,
            source: str = "local") -> ModelSummary:
    return ModelSummary(
        id=i, name=name, owner=owner, risk_tier=tier, status=status, versions=versions,
        champion_version=champion, source=source, drift_status=drift, last_validation=last,
        last_validation_at=T0 + timedelta(days=i) if last else None, updated_at=T0,
    )


SUMMARIES = [
    summary(1, "credit-default-scorecard", "Ana Ruiz", 1, LifecycleStatus.PRODUCTION, versions=3, champion="2",
            drift=DriftStatus.DRIFT, last="pass"),
    summary(2, "term-deposit-propensity", "Ben Okafor", 2, LifecycleStatus.APPROVED, versions=2,
            drift=DriftStatus.WARNING, last="fail"),
    summary(3, "income-band-classifier", "ana ruiz", 2, LifecycleStatus.VALIDATION, champion=None, last=None),
    summary(4, "Aml-alert-triage", "Chen Wei", 1, LifecycleStatus.DEVELOPMENT, versions=1, champion=None,
            drift=DriftStatus.STABLE, last="pass", source="mlflow-prod"),
    summary(5, "churn-baseline", "Dora Vogel", 3, LifecycleStatus.RETIRED, versions=4, champion="3",
            drift=None, last="fail"),
]


def _version(model_id: int, v: int, aliases=()) -> ModelVersion:
    return ModelVersion(
        id=model_id * 10 + v, model_id=model_id, version=v, framework="scikit-learn 1.5",
        artifact_sha256=f"{v:02d}" + "ab" * 31, data_sha256=f"{v:02d}" + "cd" * 31,
        training_schema={"age": "int64", "job": "object"}, target_column="y",
        holdout_sha256="ef" * 32, reference_sha256="12" * 32, hyperparameters={"C": 1.0},
        metrics={"roc_auc": 0.78 + v / 100, "accuracy": 0.88, "brier": 0.081}, created_by="data.scientist",
        created_at=T0 + timedelta(days=v), estimator_class="Pipeline(LogisticRegression)", aliases=tuple(aliases),
    )


CHECKS = (
    CheckResult("data.schema", "data", "Columns match the training schema", CheckStatus.PASS, True, {"missing": []}),
    CheckResult("performance.roc_auc", "performance", "ROC AUC at least 0.70", CheckStatus.PASS, True,
                {"roc_auc": 0.791, "threshold": 0.7}),
    CheckResult("performance.calibration", "performance", "Calibration (Brier)", CheckStatus.WARN, False,
                {"brier": 0.09}, "Brier score above the advisory 0.08"),
    CheckResult("fairness.dpd", "fairness", "Demographic parity difference", CheckStatus.SKIPPED, True, {},
                "no protected attribute configured"),
)


def _run(model_id: int, rid: int, version: int, passed: bool, day: int, checks=CHECKS) -> ValidationRun:
    return ValidationRun(
        id=rid, model_id=model_id, version_id=model_id * 10 + version, version=version, passed=passed,
        started_at=T0 + timedelta(days=day), finished_at=T0 + timedelta(days=day, minutes=2), run_by="mrm.officer",
        data_label="holdout recorded at registration", data_sha256="77" * 32, n_rows=10_101, checks=tuple(checks),
    )


FEATURES = ["age", "balance", "job", "marital", "education", "housing", "loan", "campaign"]


def _drift_run(model_id: int, n_windows: int = 9) -> DriftRun:
    rng = np.random.default_rng(7)
    windows = []
    for j in range(n_windows):
        feats = []
        for k, name in enumerate(FEATURES):
            psi: Optional[float] = float(abs(rng.normal(0.02 * (k + 1) * (1 + j / 3), 0.02)))
            if name == "loan" and j == 4:
                psi = None  # not computable in that window: must be a gap
            bins = ["a", "b", "c", "d"]
            ref = [0.25, 0.25, 0.25, 0.25]
            cur = [0.4, 0.3, 0.2, 0.1]
            feats.append(DriftFeatureResult(
                name=name, kind="categorical" if k % 2 else "numeric", tested=psi is not None, psi=psi,
                status=psi_status(psi), is_target=False, result={"reason": None if psi is not None else "empty"},
                distribution={"bins": bins, "reference": ref, "current": cur} if psi is not None else None,
            ))
        feats.append(DriftFeatureResult(name="y", kind="categorical", tested=True, psi=0.5, status=DriftStatus.DRIFT,
                                        is_target=True, result={}, distribution={"bins": ["no", "yes"],
                                                                                 "reference": [0.9, 0.1],
                                                                                 "current": [0.7, 0.3]}))
        windows.append(DriftWindow(id=100 + j, index=j, label=f"{2008 + (j + 1) // 4}-Q{(j + 1) % 4 + 1}",
                                   start=None, end=None, n_rows=4000, dataset_drift=j > 6, n_tested=8,
                                   n_drifted=j // 3, status=DriftStatus.WARNING, features=tuple(feats)))
    return DriftRun(id=1, model_id=model_id, version_id=model_id * 10 + 2, version=2, created_at=T0,
                    created_by="demo.seeder", label="Quarterly monitoring", reference_sha256="12" * 32,
                    windows=tuple(windows))


def make_detail(s: ModelSummary, *, runs=None, drift=True) -> ModelDetail:
    versions = tuple(_version(s.id, v, ("champion",) if str(v) == s.champion_version else ())
                     for v in range(1, s.versions + 1))
    model = RegisteredModel(
        id=s.id, name=s.name, owner=s.owner, risk_tier=s.risk_tier, status=s.status, task=TaskType.CLASSIFICATION,
        description=f"{s.name}: predicts something useful for the bank.", business_unit="Retail credit",
        use_case="Credit decisions", intended_use="Scoring retail loan applications.",
        restrictions="Not for small-business loans.", source=s.source, created_at=T0, updated_at=T0,
    )
    if runs is None:
        runs = (_run(s.id, 2, s.versions, True, 3), _run(s.id, 1, 1, False, 1))
    events = tuple(
        AuditEvent(seq=i + 1, occurred_at=T0 + timedelta(hours=i), actor="demo.seeder", action=a,
                   entity_type="registered_model", entity_id=str(s.id), old=o, new=n)
        for i, (a, o, n) in enumerate([
            ("model.registered", None, {"name": s.name}),
            ("model.status_changed", {"status": "development"}, {"status": s.status.value}),
        ])
    )
    aliases = tuple(Alias(s.id, "champion", int(s.champion_version)) for _ in [0] if s.champion_version)
    return ModelDetail(model=model, summary=s, versions=versions, aliases=aliases, validation_runs=tuple(runs),
                       drift_runs=(_drift_run(s.id),) if drift else (), audit_events=events)


class FakeWorkspace:
    """The Workspace API on hand-made objects; slow calls simulate a remote database."""

    label = "fake://workspace"

    def __init__(self, summaries=SUMMARIES, delay: float = 0.0):
        self.summaries = list(summaries)
        self.delay = delay
        self.delays: dict[int, float] = {}
        self.calls: list[tuple[str, Any, str]] = []
        self.runs: dict[int, list[ValidationRun]] = {}
        self.closed = False
        self.fail_validation: Optional[Exception] = None

    def _log(self, name, arg=None):
        self.calls.append((name, arg, threading.current_thread().name))

    def list_models(self):
        self._log("list_models")
        time.sleep(self.delay)
        return list(self.summaries)

    def get_model(self, model_id):
        self._log("get_model", model_id)
        time.sleep(self.delays.get(model_id, self.delay))
        s = next(x for x in self.summaries if x.id == model_id)
        runs = self.runs.get(model_id)
        return make_detail(s, runs=tuple(runs) if runs is not None else None, drift=s.drift_status is not None)

    def run_validation(self, model_id, version=None, *, data=None, target=None, data_label=None, actor=None,
                       progress=None, cancel=None):
        self._log("run_validation", (model_id, version))
        for i in range(20):
            if cancel is not None:
                cancel.check()
            if progress:
                progress(i / 20, f"check {i + 1} of 20")
            time.sleep(0.02)
        if self.fail_validation is not None:
            raise self.fail_validation
        s = next(x for x in self.summaries if x.id == model_id)
        prev = self.runs.get(model_id, list(make_detail(s).validation_runs))
        run = _run(model_id, 100 + len(prev), version or 1, True, 30)
        self.runs[model_id] = [run, *prev]
        return run

    def export_audit_report(self, model_id, path, *, progress=None, cancel=None):
        self._log("export", model_id)
        if progress:
            progress(0.5, "writing")
        Path(path).write_bytes(b"%PDF-1.4 fake\n")
        return Path(path)

    def close(self):
        self.closed = True


# =========================================================================== item models
def test_inventory_model_passes_qt_model_tester(qtmodeltester, themed):
    from console.ui.inventory import InventoryModel

    model = InventoryModel(SUMMARIES)
    qtmodeltester.check(model, force_py=False)
    model.set_filter(text="ruiz")
    qtmodeltester.check(model, force_py=False)
    model.sort(InventoryModel.DRIFT, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model, force_py=False)


def test_detail_models_pass_qt_model_tester(qtmodeltester, themed):
    from console.ui.detail import AuditModel, ChecksModel, ValidationRunsModel, VersionsModel

    d = make_detail(SUMMARIES[0])
    for model in (VersionsModel(d.versions), ValidationRunsModel(d.validation_runs), ChecksModel(CHECKS),
                  AuditModel(d.audit_events), VersionsModel(())):
        qtmodeltester.check(model, force_py=False)


def _names(model) -> list[str]:
    return [model.row_object(r).name for r in range(model.rowCount())]


def test_inventory_sorting_is_stable_and_puts_missing_last(themed):
    from console.ui.inventory import InventoryModel

    m = InventoryModel(SUMMARIES)
    # default: by name, case-insensitive
    assert _names(m) == ["Aml-alert-triage", "churn-baseline", "credit-default-scorecard",
                         "income-band-classifier", "term-deposit-propensity"]
    m.sort(InventoryModel.TIER, Qt.SortOrder.AscendingOrder)
    # stable: ties keep the previous (name) order
    assert [x.risk_tier for x in m.visible_rows()] == [1, 1, 2, 2, 3]
    assert _names(m)[:2] == ["Aml-alert-triage", "credit-default-scorecard"]
    m.sort(InventoryModel.TIER, Qt.SortOrder.DescendingOrder)
    assert [x.risk_tier for x in m.visible_rows()] == [3, 2, 2, 1, 1]
    m.sort(InventoryModel.DRIFT, Qt.SortOrder.AscendingOrder)
    assert [x.drift_status for x in m.visible_rows()] == [DriftStatus.STABLE, DriftStatus.WARNING,
                                                          DriftStatus.DRIFT, None, None]
    m.sort(InventoryModel.DRIFT, Qt.SortOrder.DescendingOrder)
    assert [x.drift_status for x in m.visible_rows()][:3] == [DriftStatus.DRIFT, DriftStatus.WARNING,
                                                              DriftStatus.STABLE]
    assert [x.drift_status for x in m.visible_rows()][3:] == [None, None]  # missing last both ways
    m.sort(InventoryModel.VERSIONS, Qt.SortOrder.DescendingOrder)
    assert [x.versions for x in m.visible_rows()] == [4, 3, 2, 1, 1]
    m.sort(InventoryModel.CHAMPION, Qt.SortOrder.AscendingOrder)
    assert [x.champion_version for x in m.visible_rows()] == ["1", "2", "3", None, None]


def test_inventory_sort_keeps_persistent_indexes(themed):
    from PySide6.QtCore import QPersistentModelIndex

    from console.ui.inventory import InventoryModel

    m = InventoryModel(SUMMARIES)
    row = _names(m).index("churn-baseline")
    p = QPersistentModelIndex(m.index(row, 1))
    m.sort(InventoryModel.VERSIONS, Qt.SortOrder.DescendingOrder)
    assert p.isValid() and m.row_object(p.row()).name == "churn-baseline" and p.column() == 1


def test_inventory_filtering(themed):
    from console.ui.inventory import InventoryModel

    m = InventoryModel(SUMMARIES)
    m.set_filter(text="RUIZ")  # owner, case-insensitive: "Ana Ruiz" and "ana ruiz"
    assert sorted(_names(m)) == ["credit-default-scorecard", "income-band-classifier"]
    m.set_filter(text="aml")  # name substring, case-insensitive
    assert _names(m) == ["Aml-alert-triage"]
    m.set_filter(text="", tier=2)
    assert sorted(_names(m)) == ["income-band-classifier", "term-deposit-propensity"]
    m.set_filter(status=LifecycleStatus.APPROVED)
    assert _names(m) == ["term-deposit-propensity"]
    m.set_filter(tier=None, status="retired")
    assert _names(m) == ["churn-baseline"]
    m.set_filter(text="nobody")
    assert m.rowCount() == 0 and m.total_count() == 5
    m.set_filter(text="", tier=None, status=None)
    assert m.rowCount() == 5
    # filter + sort combine
    m.set_filter(tier=1)
    m.sort(InventoryModel.NAME, Qt.SortOrder.DescendingOrder)
    assert _names(m) == ["credit-default-scorecard", "Aml-alert-triage"]


def test_inventory_cells_have_text_and_glyphs(themed):
    from PySide6.QtGui import QIcon

    from console.ui.inventory import InventoryModel

    m = InventoryModel(SUMMARIES)
    row = _names(m).index("credit-default-scorecard")
    text = lambda c: m.data(m.index(row, c))  # noqa: E731
    assert text(InventoryModel.TIER) == "Tier 1"
    assert text(InventoryModel.STATUS) == "Production"
    assert text(InventoryModel.CHAMPION) == "v2"
    assert text(InventoryModel.LAST_VALIDATION).startswith("Pass · 2025-01-")
    assert text(InventoryModel.DRIFT) == "Drift"
    # colour is never the only signal: status cells carry words *and* a glyph
    for col in (InventoryModel.LAST_VALIDATION, InventoryModel.DRIFT):
        assert isinstance(m.data(m.index(row, col), Qt.ItemDataRole.DecorationRole), QIcon)
    row3 = _names(m).index("income-band-classifier")
    assert m.data(m.index(row3, InventoryModel.LAST_VALIDATION)) == "Never validated"
    assert m.data(m.index(row3, InventoryModel.DRIFT)) == "Not monitored"


def test_sorting_100k_rows_is_fast(themed):
    from console.ui.inventory import InventoryModel

    rows = [replace(SUMMARIES[i % 5], id=i, name=f"model-{(i * 7919) % 100_000:06d}") for i in range(100_000)]
    m = InventoryModel(rows)
    t = time.perf_counter()
    m.sort(InventoryModel.VERSIONS, Qt.SortOrder.DescendingOrder)
    m.sort(InventoryModel.VERSIONS, Qt.SortOrder.AscendingOrder)
    assert time.perf_counter() - t < 2.0
    v = [x.versions for x in m.visible_rows()[:1000]]
    assert v == sorted(v)


# =========================================================================== workers
def test_job_signals_order_and_main_thread_delivery(qtbot, qapp):
    from console.ui.workers import JobRunner

    runner = JobRunner()
    seen: list[tuple[str, bool]] = []
    main = QThread.currentThread()

    def rec(name):
        return lambda *a: seen.append((name, QThread.currentThread() is main))

    def fn(x, progress, cancel):
        progress(0.5, "half")
        return x * 2

    # the callbacks are connected inside submit() before the job starts; waiting on
    # their effect avoids racing a signal connected after a fast job already ended
    runner.submit(fn, 21, on_result=rec("result"), on_progress=rec("progress"), on_finished=rec("finished"))
    qtbot.waitUntil(lambda: bool(seen) and seen[-1][0] == "finished", timeout=5000)
    assert [n for n, _ in seen] == ["progress", "result", "finished"]
    assert all(on_main for _, on_main in seen)

    seen.clear()
    job = runner.submit(lambda progress, cancel: 1 / 0, on_error=lambda m, d: seen.append(("error", m, d)),
                        on_finished=lambda: seen.append(("finished",)))
    qtbot.waitUntil(lambda: bool(seen) and seen[-1][0] == "finished", timeout=5000)
    assert seen[0][0] == "error" and "ZeroDivisionError" in seen[0][1] and "Traceback" in seen[0][2]
    assert isinstance(job.exception, ZeroDivisionError)

    seen.clear()

    def bad_input(progress, cancel):
        raise InputError("file x.csv: column 'age' is missing")

    runner.submit(bad_input, on_error=lambda m, d: seen.append(("error", m, d)),
                  on_finished=lambda: seen.append(("finished",)))
    qtbot.waitUntil(lambda: bool(seen) and seen[-1][0] == "finished", timeout=5000)
    assert seen[0] == ("error", "file x.csv: column 'age' is missing", "")  # plain message, no details

    seen.clear()
    started = threading.Event()

    def slow(progress, cancel):
        started.set()
        while True:
            cancel.check()
            time.sleep(0.01)

    job = runner.submit(slow, on_cancelled=lambda m: seen.append(("cancelled", m)),
                        on_finished=lambda: seen.append(("finished",)))
    assert started.wait(5)
    job.cancel()
    qtbot.waitUntil(lambda: bool(seen) and seen[-1][0] == "finished", timeout=5000)
    assert seen[0][0] == "cancelled" and isinstance(job.exception, Cancelled)
    assert runner.shutdown(5000)
    qtbot.waitUntil(lambda: runner.active_jobs == [], timeout=2000)


def test_runner_shutdown_cancels_running_jobs(qtbot, qapp):
    from console.ui.workers import JobRunner

    runner = JobRunner()
    started = threading.Event()

    def forever(progress, cancel):
        started.set()
        while True:
            cancel.check()
            time.sleep(0.01)

    job = runner.submit(forever, serial=True)
    assert started.wait(5)
    t = time.perf_counter()
    assert runner.shutdown(5000)
    assert time.perf_counter() - t < 2 and job.done.is_set() and job.cancelled


# =========================================================================== main window (fakes)
@pytest.fixture
def fake_window(qtbot, themed):
    from console.ui.main_window import MainWindow

    ws = FakeWorkspace(delay=0.05)
    w = MainWindow(workspace=ws, restore_state=False, warm_up=False)
    qtbot.addWidget(w)
    w.resize(1400, 860)
    w.show()
    with qtbot.waitSignal(w.ready, timeout=10000):
        w.start()
    yield w, ws
    w.shutdown()


def test_window_loads_inventory_and_first_detail_in_workers(fake_window):
    w, ws = fake_window
    assert w.inventory.model.rowCount() == 5
    assert w.detail.detail is not None
    assert w.detail.detail.model.name == w.inventory.selected_summary().name == "Aml-alert-triage"
    # the GUI thread never called the workspace
    main = threading.current_thread().name
    assert ws.calls and all(thread != main for _, _, thread in ws.calls)
    assert "5 models" in w.count_label.text()
    assert "fake://workspace" in w.ws_label.text()


def test_stale_detail_results_are_ignored(fake_window, qtbot):
    w, ws = fake_window
    ws.delays = {1: 0.6, 2: 0.05}  # the first selection answers after the second one
    w.inventory.select_model_id(1)
    qtbot.wait(80)  # past the selection debounce: the slow request is in flight
    w.inventory.select_model_id(2)
    with qtbot.waitSignal(w.detailLoaded, timeout=5000) as blocker:
        pass
    assert blocker.args == [2]
    qtbot.wait(900)  # the slow answer for model 1 arrives and must be dropped
    assert w.detail.detail.model.id == 2
    assert w.detail.header.title.text() == "term-deposit-propensity"


def test_filter_widgets_and_shortcuts(fake_window, qtbot):
    w, ws = fake_window
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert w.inventory.filter_edit.hasFocus()
    qtbot.keyClicks(w.inventory.filter_edit, "ruiz")
    qtbot.waitUntil(lambda: w.inventory.model.rowCount() == 2, timeout=3000)
    assert "2 of 5" in w.inventory.count_label.text()
    w.inventory.tier_combo.setCurrentIndex(w.inventory.tier_combo.findData(1))
    assert _names(w.inventory.model) == ["credit-default-scorecard"]
    # the previously selected model is filtered out: nothing is selected (actions must
    # not silently move to a model the user did not pick) until the user picks one
    assert w.inventory.selected_id() is None
    assert not w.act_run.isEnabled()
    assert w.inventory.select_model_id(1)
    qtbot.waitUntil(lambda: w.detail.detail is not None and w.detail.detail.model.id == 1, timeout=3000)
    w.inventory.status_combo.setCurrentIndex(w.inventory.status_combo.findData("retired"))
    assert w.inventory.model.rowCount() == 0
    assert w.inventory.stack.currentIndex() == 0 and "No models match" in w.inventory.message.text()
    w.inventory.clear_filters()
    assert w.inventory.model.rowCount() == 5
    w.inventory.filter_edit.setFocus()
    qtbot.keyClicks(w.inventory.filter_edit, "zzz")
    qtbot.waitUntil(lambda: w.inventory.model.rowCount() == 0, timeout=3000)
    qtbot.keyClick(w.inventory.filter_edit, Qt.Key.Key_Escape)
    assert w.inventory.filter_edit.text() == ""
    qtbot.waitUntil(lambda: w.inventory.model.rowCount() == 5, timeout=3000)
    shortcuts = {a.shortcut().toString() for a in (w.act_run, w.act_export, w.act_refresh, w.act_find)}
    assert shortcuts == {"Ctrl+R", "Ctrl+E", "F5", "Ctrl+F"}


def test_detail_tabs_show_versions_checks_drift_and_audit(fake_window, qtbot):
    from console.ui.drift_chart import default_features

    w, ws = fake_window
    w.inventory.select_model_id(1)
    qtbot.waitUntil(lambda: w.detail.detail is not None and w.detail.detail.model.id == 1, timeout=5000)
    d = w.detail
    assert d.versions_model.rowCount() == 3
    assert d.versions_model.data(d.versions_model.index(0, 0)) == "v3"  # newest first
    assert d.versions_model.data(d.versions_model.index(0, 6)).endswith("…")
    assert d.versions_model.data(d.versions_model.index(0, 6), Qt.ItemDataRole.ToolTipRole) == "03" + "ab" * 31
    v = d.validation
    assert v.runs_model.rowCount() == 2 and v.current_run().id == 2  # newest selected
    assert v.checks_model.rowCount() == len(CHECKS)
    assert v.selected_version() == 2  # champion
    v.runs_view.selectRow(1)
    assert v.current_run().id == 1 and "failed" in v.summary.text()
    assert d.audit_model.rowCount() == 2
    assert d.audit_model.data(d.audit_model.index(0, 0)) == "2"  # newest first
    chart = d.drift
    expected = default_features(d.detail.drift_runs[0])
    assert len(expected) == 5 and "y" not in expected  # target excluded from the default
    assert chart.selected_features() == expected
    assert set(chart.lines) == set(expected)
    chart.set_selected_features(["loan", "age"])
    assert set(chart.lines) == {"loan", "age"}
    y = chart.lines["loan"].getData()[1]
    assert np.isnan(y[4]) and np.isfinite(y).sum() == 8  # None PSI drawn as a gap
    chart.show_distribution("age", 2)
    assert chart.distribution_selection() == ("age", 2)
    assert len(chart.ref_bars.opts["width"]) == 4
    # clicking a point of a line shows that feature in that window
    point = chart.lines["age"].scatter.points()[3]
    chart._on_points_clicked(chart.lines["age"], [point])
    assert chart.distribution_selection() == ("age", 3)
    # ticking a feature in the list adds its line
    item = next(chart.feature_list.item(i) for i in range(chart.feature_list.count())
                if chart.feature_list.item(i).data(Qt.ItemDataRole.UserRole) == "balance")
    item.setCheckState(Qt.CheckState.Checked)
    assert set(chart.lines) == {"loan", "age", "balance"}
    assert not chart.log_check.isChecked()  # PSI up to ~0.6: linear scale
    # a model without drift runs shows the empty state
    w.inventory.select_model_id(3)
    qtbot.waitUntil(lambda: w.detail.detail is not None and w.detail.detail.model.id == 3, timeout=5000)
    assert chart.stack.currentIndex() == 0 and chart.lines == {}


def test_drift_chart_switches_to_log_scale_for_huge_psi(themed, qtbot):
    from console.ui.drift_chart import DriftChart

    run = _drift_run(1)
    big = replace(run, windows=tuple(
        replace(w, features=tuple(replace(f, psi=f.psi * 40) if f.name == "campaign" and f.psi else f
                                  for f in w.features)) for w in run.windows))
    chart = DriftChart()
    qtbot.addWidget(chart)
    chart.set_runs([big])
    assert chart.log_check.isChecked() and "campaign" in chart.lines
    # the hover tip shows the real PSI, not its logarithm (per-point values are kept by
    # the chart, not in the scatter item, so that downsampling cannot desynchronise them)
    psi = chart.psi_series.values["campaign"][-1]
    tip = chart.psi_series.hover_text("campaign", len(run.windows) - 1)
    assert psi > 10 and "PSI" in tip and f"{psi:.4f}" in tip
    chart.log_check.setChecked(False)
    assert chart.psi_plot.getPlotItem().getViewBox().state["logMode"][1] is False
    chart.clear()
    assert chart.stack.currentIndex() == 0 and chart.lines == {}


def test_run_validation_error_shows_message_box(fake_window, qtbot):
    w, ws = fake_window
    ws.fail_validation = InputError("holdout file has no column 'y'")
    with qtbot.waitSignal(w.jobFinished, timeout=10000) as blocker:
        w.run_validation()
    assert blocker.args[1] is False
    box = w.message_boxes[-1]
    assert "holdout file has no column 'y'" in box.informativeText() and not box.detailedText()
    box.close()
    ws.fail_validation = RuntimeError("boom")
    with qtbot.waitSignal(w.jobFinished, timeout=10000):
        w.run_validation()
    box = w.message_boxes[-1]
    assert "RuntimeError: boom" in box.informativeText()
    assert "Traceback" in box.detailedText()  # behind "Show Details…"
    box.close()


def test_run_validation_can_be_cancelled(fake_window, qtbot):
    w, ws = fake_window
    job = w.run_validation()
    assert job is not None and w.progress.isVisible() and w.cancel_button.isVisible()
    assert not w.act_run.isEnabled()
    with qtbot.waitSignal(w.jobFinished, timeout=10000) as blocker:
        w.cancel_button.click()
    assert "cancelled" in blocker.args[0] and blocker.args[1] is False
    qtbot.waitUntil(lambda: not w.progress.isVisible())
    assert w.act_run.isEnabled()
    assert not w.message_boxes


def test_closing_the_window_waits_for_jobs_and_closes_workspace(qtbot, themed):
    from console.ui.main_window import MainWindow

    ws = FakeWorkspace(delay=0.3)
    w = MainWindow(workspace=ws, restore_state=False, warm_up=False)
    qtbot.addWidget(w)
    w.show()
    w.start()  # list_models is still running when we close
    w.close()
    assert ws.closed
    assert all(j.done.is_set() for j in w.runner.active_jobs)


def test_run_validation_reports_progress_and_refreshes_history(fake_window, qtbot):
    w, ws = fake_window
    w.inventory.select_model_id(2)
    qtbot.waitUntil(lambda: w.detail.detail is not None and w.detail.detail.model.id == 2, timeout=5000)
    assert w.detail.validation.runs_model.rowCount() == 2
    progress: list[float] = []
    with qtbot.waitSignal(w.jobFinished, timeout=10000) as blocker:
        job = w.run_validation()
        job.signals.progress.connect(lambda f, m: progress.append(f))
        assert w.detail.tabs.currentIndex() == w.detail.TAB_VALIDATION
    assert blocker.args[1] is True and "passed" in blocker.args[0]
    assert progress and w.progress.maximum() == 1000
    assert ("run_validation", (2, 1), ) == ws.calls[[c[0] for c in ws.calls].index("run_validation")][:2]
    qtbot.waitUntil(lambda: w.detail.validation.runs_model.rowCount() == 3, timeout=5000)
    assert w.detail.validation.current_run().id == 102  # the new run, selected at the top


def test_export_pdf_with_fake_workspace(fake_window, qtbot, tmp_path):
    w, ws = fake_window
    asked = []
    w.ask_save_path = lambda default: asked.append(default) or str(tmp_path / "report")
    with qtbot.waitSignal(w.jobFinished, timeout=10000):
        w.export_audit_pdf()
    assert asked[0].name == "Aml-alert-triage-audit.pdf" and asked[0].parent == Path.home()
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    assert str(tmp_path / "report.pdf") in w.last_status


# =========================================================================== real demo workspace
@pytest.fixture(scope="module")
def gui_workspace(demo_workspace, tmp_path_factory) -> Path:
    """A private copy of the real demo workspace (built once per session by
    ``tollgate demo`` in tests/conftest.py); these tests write to it."""
    dst = tmp_path_factory.mktemp("gui-demo") / "demo.sqlite"
    shutil.copy2(demo_workspace, dst)
    for suffix in ("-wal", "-shm"):
        side = demo_workspace.with_name(demo_workspace.name + suffix)
        if side.exists():
            shutil.copy2(side, dst.with_name(dst.name + suffix))
    return dst


@pytest.fixture
def demo_window(qtbot, themed, gui_workspace):
    w = open_main_window(qtbot, location=str(gui_workspace))
    yield w
    w.shutdown()


def select_and_wait(w, qtbot, model_id: int) -> None:
    """Select a model in the inventory and wait until its detail is shown."""
    if w.detail.detail is not None and w.detail.detail.model.id == model_id \
            and w.inventory.selected_id() == model_id:
        return
    with qtbot.waitSignal(w.detailLoaded, timeout=30000, check_params_cb=lambda mid: mid == model_id):
        assert w.inventory.select_model_id(model_id)


@pytest.mark.slow
def test_demo_inventory_and_detail(demo_window, qtbot):
    w = demo_window
    m = w.inventory.model
    assert m.rowCount() == 5
    names = _names(m)
    assert any("bank" in n.lower() or "deposit" in n.lower() for n in names), names
    assert w.detail.detail is not None
    assert w.detail.detail.model.name == w.inventory.selected_summary().name
    # pick a model with a drift run (the Bank Marketing models)
    drifted = [s for s in m.visible_rows() if s.drift_status is not None]
    assert drifted, "the demo should monitor drift for the bank models"
    s = drifted[-1]
    select_and_wait(w, qtbot, s.id)
    d = w.detail
    assert d.versions_model.rowCount() == s.versions >= 1
    assert len(d.versions_model.row_object(0).artifact_sha256) == 64
    chart = d.drift
    assert chart.run is not None and len(chart.run.windows) >= 2
    selected = chart.selected_features()
    assert 1 <= len(selected) <= 5
    assert set(chart.lines) == set(selected)  # one line per selected feature
    for name, item in chart.lines.items():
        assert len(item.getData()[0]) == len(chart.run.windows)


@pytest.mark.slow
def test_demo_run_validation_keeps_event_loop_running(demo_window, qtbot):
    w = demo_window
    s = w.inventory.selected_summary()
    n_runs_before = w.detail.validation.runs_model.rowCount()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    t0 = time.perf_counter()
    with qtbot.waitSignal(w.jobFinished, timeout=180000) as blocker:
        job = w.run_validation()
        assert job is not None
        assert threading.current_thread() is threading.main_thread()
    elapsed = time.perf_counter() - t0
    timer.stop()
    assert blocker.args[1] is True, blocker.args
    assert w.last_status.startswith(("✔ Validation", "✖ Validation"))
    assert ("passed" in w.last_status) or ("FAILED" in w.last_status)
    # the event loop kept running during the job: ticks all along (a short job may finish
    # within a few ticks: the rate is only checked over a job long enough to measure it), no long stall
    assert len(ticks) >= (max(3, 0.3 * elapsed / 0.010) if elapsed > 1.0 else 3), (len(ticks), elapsed)
    gaps = np.diff([t0, *ticks])
    assert gaps.max() < 1.0, f"the GUI froze for {gaps.max():.2f} s"
    # the new run appears at the top of the history (after the automatic refresh)
    qtbot.waitUntil(lambda: w.detail.validation.runs_model.rowCount() == n_runs_before + 1, timeout=30000)
    newest = w.detail.validation.current_run()
    assert newest is not None and newest.finished_at == max(
        r.finished_at for r in w.detail.validation.runs_model.rows())
    assert w.detail.detail.model.id == s.id


@pytest.mark.slow
def test_demo_export_pdf_in_worker(demo_window, qtbot, tmp_path):
    w = demo_window
    out = tmp_path / "audit report"
    w.ask_save_path = lambda default: str(out)  # instead of the file dialog
    with qtbot.waitSignal(w.jobFinished, timeout=180000) as blocker:
        assert w.export_audit_pdf() is not None
    assert blocker.args[1] is True, blocker.args
    pdf = out.with_name("audit report.pdf")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert str(pdf) in w.last_status


@pytest.mark.slow
def test_gui_screenshot_command(gui_workspace, tmp_path):
    png = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TOLLGATE_DATA_DIR=str(tmp_path / "data"))
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "console", "--workspace", str(gui_workspace), "gui",
                           "--screenshot", str(png)], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no Qt chatter either
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    img = QImage(str(png))
    assert img.width() >= 1200 and img.height() >= 700
    assert time.perf_counter() - t < 120


def test_gui_screenshot_bad_folder_exits_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "console", "--workspace", str(tmp_path / "w.sqlite"), "gui",
                           "--screenshot", str(tmp_path / "missing" / "x.png")], cwd=REPO,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "does not exist" in proc.stderr


def test_gui_screenshot_unopenable_workspace_exits_2(tmp_path):
    bad = tmp_path / "not-a-workspace.sqlite"
    bad.write_text("this is not a database\n")
    proc = subprocess.run([sys.executable, "-m", "console", "--workspace", str(bad), "gui", "--screenshot",
                           str(tmp_path / "x.png")], cwd=REPO, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and str(bad) in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.png").exists()


def test_no_qt_outside_ui():
    """Only console/ui imports Qt or pyqtgraph (gui_cmd imports console.ui lazily)."""
    import ast

    offenders = []
    for path in (REPO / "console").rglob("*.py"):
        if "ui" in path.relative_to(REPO / "console").parts[:1]:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mods = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module]
            for mod in mods:
                if mod.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6"):
                    offenders.append(f"{path.relative_to(REPO)}: {mod}")
    assert not offenders, offenders


@pytest.mark.slow
def test_switching_between_one_and_many_window_drift_runs(demo_window, qtbot):
    """Regression: a one-window drift run followed by multi-window runs used to clamp the
    chart's range to the old limits and then fail ("Length of meta data does not match")."""
    w = demo_window
    w.detail.tabs.setCurrentIndex(w.detail.TAB_DRIFT)
    rows = list(w.inventory.model.visible_rows())
    single = [s for s in rows if s.name.startswith(("High-income", "Income"))]
    multi = [s for s in rows if s.name.startswith(("Campaign", "Term deposit"))]
    for s in single[:1] + multi + single[:1] + multi[::-1]:
        select_and_wait(w, qtbot, s.id)
        assert not w.message_boxes, [b.text() for b in w.message_boxes]
        chart = w.detail.drift
        n = len(chart.run.windows)
        lo, hi = chart.psi_plot.getPlotItem().viewRange()[0]
        x = chart.psi_series.x  # window starts on the UTC date axis, or window positions
        assert len(x) == n and lo <= x[0] and hi >= x[-1], (s.name, n, lo, hi)
        for log in (False, True):
            chart.log_check.setChecked(log)
            assert not w.message_boxes
    # the Versions tab shows the selected version's inputs
    assert "Input features" in w.detail.version_text.toPlainText()
