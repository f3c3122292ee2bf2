"""GUI tests of remote registries and shared workspaces (pytest-qt, real widgets offscreen).

Real parts only: real SQLite files (and a real PostgreSQL database via ``pg_database``),
a real MLflow tracking server on 127.0.0.1 (``mlflow_server``, from the MLflow tests),
real sockets for the unreachable cases, and keyring's own backends chosen explicitly
(``keyring.backends.fail.Keyring`` for "no keyring", ``keyrings.alt`` PlaintextKeyring
in a temporary folder otherwise).  Tests that need a server skip when its fixture skips.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import socket
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

SECRET = "s3cr3t-Tollgate-pw-🔑"


# =========================================================================== fixtures



@pytest.fixture
def no_keyring():
    """keyring's own "no backend" (what a headless Linux without Secret Service has)."""
    from keyring.backends import fail

    from console.store import secrets

    secrets.use_backend(fail.Keyring())
    yield
    secrets.use_backend(None)


@pytest.fixture
def ws_path(tmp_path) -> Path:
    return tmp_path / "shared.sqlite"


@pytest.fixture
def workspace(ws_path):
    from console.services.workspace import Workspace

    ws = Workspace.open(ws_path)
    yield ws
    ws.close()


def closed_port() -> int:
    """A TCP port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_connections(qtbot, ws, runner=None):
    from console.ui.connections import ConnectionsDialog

    dlg = ConnectionsDialog(ws, runner)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.loaded, timeout=20000):
        dlg.show()
    return dlg


def finish(qtbot, dlg, action, timeout=60000) -> tuple[bool, str]:
    """Run a dialog action (returns its Job) and wait for the dialog's jobFinished."""
    with qtbot.waitSignal(dlg.jobFinished, timeout=timeout) as blocker:
        job = action()
        assert job is not None
    return tuple(blocker.args)


def add_via_dialog(qtbot, dlg, name, url, *, auth="none", username="", secret=""):
    """Fill in the real Add dialog and press Add; returns the dialog (closed on success)."""
    add = dlg.show_add_dialog()
    qtbot.waitUntil(lambda: add.keyring is not None, timeout=20000)
    add.name_edit.setText(name)
    add.url_edit.setText(url)
    add.auth_combo.setCurrentIndex(add.auth_combo.findData(auth))
    add.user_edit.setText(username)
    add.secret_edit.setText(secret)
    return add


def files_contain(folder: Path, needle: str) -> list[Path]:
    """Every file under ``folder`` whose bytes contain ``needle`` (UTF-8)."""
    raw = needle.encode()
    return [p for p in folder.rglob("*") if p.is_file() and raw in p.read_bytes()]


def summary_by_name(window, name):
    return next((m for m in window.inventory.model.rows() if m.name == name), None)


# =========================================================================== keyring states
def test_no_keyring_shows_reason_and_session_only_option(qtbot, themed, workspace, ws_path, no_keyring,
                                                          _isolated_settings):
    from console.store.secrets import SecretStore

    dlg = open_connections(qtbot, workspace)
    reason = SecretStore().status().reason
    assert reason and "no OS keyring" in reason
    # the dialog says so plainly, with the keyring's own reason
    assert "No usable OS keyring" in dlg.keyring_label.text()
    assert "no OS keyring is available" in dlg.keyring_label.text()
    assert "this session only" in dlg.keyring_label.text()
    assert dlg.empty_label.isVisibleTo(dlg) and not dlg.table.isVisibleTo(dlg)

    add = add_via_dialog(qtbot, dlg, "team-mlflow", f"http://127.0.0.1:{closed_port()}", auth="basic",
                         username="ana", secret=SECRET)
    assert add.session_check.isVisibleTo(add)
    assert add.session_check.isChecked() and not add.session_check.isEnabled()  # no silent plaintext fallback
    assert "no OS keyring is available" in add.keyring_label.text()
    assert "forgotten when Tollgate exits" in add.session_note.text()
    assert add.secret_edit.echoMode() == add.secret_edit.EchoMode.Password
    qtbot.waitExposed(add)
    save_shot(add, "registry-add-no-keyring.png")
    with qtbot.waitSignal(dlg.loaded, timeout=20000):
        with qtbot.waitSignal(add.added, timeout=20000):
            add.submit()
    assert not add.isVisible()
    assert add.secret_edit.text() == ""  # the typed secret is not kept in the widget
    assert "kept for this session only" in dlg.result_label.text()
    assert [r.name for r in dlg.model.rows()] == ["team-mlflow"]
    assert dlg.selected_name() == "team-mlflow"
    # the secret went nowhere on disk: not in the workspace file, not in QSettings
    workspace.close()
    assert files_contain(ws_path.parent, SECRET) == []
    QSettings().sync()
    assert files_contain(_isolated_settings, SECRET) == []


def test_add_with_file_keyring_stores_the_secret_in_the_keyring_only(qtbot, themed, workspace, ws_path,
                                                                     file_keyring, _isolated_settings):
    from console.store.secrets import SecretStore, registry_key

    dlg = open_connections(qtbot, workspace)
    assert "kept in the OS keyring" in dlg.keyring_label.text()
    add = add_via_dialog(qtbot, dlg, "tokens · prod", f"http://127.0.0.1:{closed_port()}/", auth="token",
                         secret=SECRET)
    assert add.session_check.isEnabled() and not add.session_check.isChecked()
    assert not add.user_edit.isEnabled()  # no username with a token
    assert add.secret_label.text() == "&Token:"
    with qtbot.waitSignal(dlg.loaded, timeout=20000):
        with qtbot.waitSignal(add.added, timeout=20000):
            add.submit()
    reg = dlg.model.rows()[0]
    assert reg.name == "tokens · prod" and reg.auth == "token"
    assert dlg.model.data(dlg.model.index(0, dlg.model.AUTH)) == "Access token"
    assert dlg.model.data(dlg.model.index(0, dlg.model.STATUS)) == "Never synced"
    assert SecretStore().get(registry_key(workspace.workspace_id(), "tokens · prod")) == SECRET
    workspace.close()
    assert files_contain(ws_path.parent, SECRET) == []
    assert files_contain(_isolated_settings, SECRET) == []


def test_add_dialog_refuses_incomplete_input_without_calling_the_service(qtbot, themed, workspace, file_keyring):
    dlg = open_connections(qtbot, workspace)
    add = add_via_dialog(qtbot, dlg, "", "http://127.0.0.1:5000", auth="basic", username="", secret="")
    assert add.submit() is None
    assert "name" in add.result_label.text()
    add.name_edit.setText("x")
    assert add.submit() is None and "username" in add.result_label.text()
    add.user_edit.setText("ana")
    assert add.submit() is None and "password" in add.result_label.text()
    add.reject()
    assert workspace.list_registries() == []


def test_remove_asks_and_forgets_the_secret(qtbot, themed, workspace, file_keyring):
    from console.store.secrets import SecretStore, registry_key

    workspace.add_registry("old", f"http://127.0.0.1:{closed_port()}", auth="token", secret=SECRET, actor="t")
    dlg = open_connections(qtbot, workspace)
    asked = []
    dlg.confirm_remove = lambda name: asked.append(name) or False
    assert dlg.remove_selected() is None and asked == ["old"]  # "No": nothing happens
    assert [r.name for r in workspace.list_registries()] == ["old"]
    dlg.confirm_remove = lambda name: True
    with qtbot.waitSignal(dlg.loaded, timeout=20000):
        ok, text = finish(qtbot, dlg, dlg.remove_selected)
    assert ok and "Removed registry old" in text
    assert dlg.model.total_count() == 0 and workspace.list_registries() == []
    assert SecretStore().get(registry_key(workspace.workspace_id(), "old")) is None


# =========================================================================== unreachable server
def test_test_and_sync_of_an_unreachable_registry_fail_fast_and_plainly(qtbot, themed, workspace, file_keyring):
    port = closed_port()
    workspace.add_registry("down", f"http://127.0.0.1:{port}", actor="t")
    dlg = open_connections(qtbot, workspace)
    t0 = time.monotonic()
    ok, text = finish(qtbot, dlg, dlg.test_selected)
    assert not ok and time.monotonic() - t0 < 15  # short timeouts, no hidden retries
    assert "Testing down failed" in text and str(port) in text
    assert "✖" in dlg.result_label.text()
    # sync: runs in a worker with a progress row, then marks the registry offline
    with qtbot.waitSignal(dlg.loaded, timeout=30000):
        with qtbot.waitSignal(dlg.synced, timeout=30000) as synced:
            job = dlg.sync_selected()
            assert dlg.progress_row.isVisibleTo(dlg) and dlg.cancel_button.isVisibleTo(dlg)
            assert not dlg.sync_button.isEnabled()  # one job at a time
    results = synced.args[0]
    assert len(results) == 1 and not results[0].ok and results[0].status == "unreachable"
    qtbot.waitUntil(job.done.is_set, timeout=5000)
    qtbot.waitUntil(lambda: not dlg.progress_row.isVisibleTo(dlg), timeout=5000)
    row = dlg.model.rows()[0]
    assert row.last_sync_status == "unreachable"
    assert dlg.model.data(dlg.model.index(0, dlg.model.STATUS)) == "Offline — unreachable"
    assert dlg.model.data(dlg.model.index(0, dlg.model.STATUS), Qt.ItemDataRole.DecorationRole) is not None
    assert dlg.model.data(dlg.model.index(0, dlg.model.ERROR))  # the error, in words
    assert dlg.model.data(dlg.model.index(0, dlg.model.LAST_SYNC)) == "just now"
    tip = dlg.model.data(dlg.model.index(0, dlg.model.LAST_SYNC), Qt.ItemDataRole.ToolTipRole)
    assert "UTC" in tip
    assert "usable" in dlg.result_label.text()  # the pulled copy stays usable


# =========================================================================== freshness
def _register(ws, name, owner="Ana Ruiz", tier=2):
    from console.domain.models import TaskType

    return ws.register_model(name=name, owner=owner, risk_tier=tier, task=TaskType.CLASSIFICATION, actor="t")


def _window(qtbot, ws, **kw):
    from console.ui.main_window import MainWindow

    w = MainWindow(workspace=ws, restore_state=False, warm_up=False, **kw)
    qtbot.addWidget(w)
    w.resize(1400, 860)
    w.show()
    with qtbot.waitSignal(w.ready, timeout=30000):
        w.start()
    return w


def _check_timer_refresh(qtbot, location, make_ws):
    """A second Workspace object on the same database adds a model and changes another:
    the window's refresh timer shows both, keeping selection and scroll."""
    ws_gui, ws_other = make_ws(location), make_ws(location)
    try:
        ids = [_register(ws_other, f"model-{i:03d}").id for i in range(60)]
        w = _window(qtbot, ws_gui, refresh_interval_s=0.4)
        assert w.refresh_timer.isActive()
        table = w.inventory.table
        target = ids[45]
        assert w.inventory.select_model_id(target)
        qtbot.waitUntil(lambda: w.detail.detail is not None and w.detail.detail.model.id == target, timeout=10000)
        bar = table.verticalScrollBar()
        assert bar.maximum() > 0
        bar.setValue(bar.maximum() // 2)
        scroll = bar.value()
        # unchanged workspace: reloads happen but do not reset the table
        with qtbot.waitSignal(w.refreshed, timeout=5000) as blocker:
            pass
        assert blocker.args == [False]
        # another console changes the workspace
        _register(ws_other, "added-by-colleague")
        from console.domain.models import LifecycleStatus

        ws_other.set_status(target, LifecycleStatus.VALIDATION, actor="colleague")
        qtbot.waitUntil(lambda: summary_by_name(w, "added-by-colleague") is not None, timeout=10000)
        assert w.inventory.selected_id() == target  # selection kept
        assert bar.value() == scroll  # scroll kept
        qtbot.waitUntil(lambda: w.detail.detail is not None and w.detail.detail.model.status.value == "validation",
                        timeout=10000)  # the open detail follows
        assert w.inventory.selected_summary().status.value == "validation"
        w.shutdown()
    finally:
        ws_other.close()


def test_refresh_timer_picks_up_changes_from_a_second_workspace_sqlite(qtbot, themed, ws_path):
    from console.services.workspace import Workspace

    _check_timer_refresh(qtbot, ws_path, Workspace.open)


def test_refresh_timer_picks_up_changes_from_a_second_workspace_postgresql(qtbot, themed, pg_database):
    from console.services.workspace import Workspace

    _check_timer_refresh(qtbot, pg_database, Workspace.open)


def test_window_activation_refreshes_and_reloads_never_overlap(qtbot, themed, ws_path, monkeypatch):
    from console.services.workspace import Workspace
    from console.ui import main_window

    monkeypatch.setattr(main_window, "FOCUS_REFRESH_MIN_S", 0.0)
    ws_gui, ws_other = Workspace.open(ws_path), Workspace.open(ws_path)
    try:
        _register(ws_other, "first")
        w = _window(qtbot, ws_gui, refresh_interval_s=0)
        assert not w.refresh_timer.isActive()  # 0 = off
        _register(ws_other, "second")
        calls = []
        real = main_window.list_models

        def counting(ws, progress=None, cancel=None):  # the inventory job, on a slow shared database
            calls.append(time.monotonic())
            time.sleep(0.3)
            return real(ws, progress=progress, cancel=cancel)

        monkeypatch.setattr(main_window, "list_models", counting)
        # activation (the OS tells the window it got the focus) reloads in a worker
        w._on_activated()
        assert w.refreshing
        for _ in range(5):  # more activations and timer ticks while it runs: no overlap
            w._on_activated()
            w.refresh(background=True)
        qtbot.waitUntil(lambda: summary_by_name(w, "second") is not None, timeout=10000)
        qtbot.waitUntil(lambda: not w.refreshing, timeout=10000)
        assert len(calls) == 1
        # explicit F5s during a reload are done once, right after it
        w.refresh(background=True)
        w.refresh()
        w.refresh()
        assert len(calls) <= 2
        qtbot.waitUntil(lambda: len(calls) == 3 and not w.refreshing, timeout=10000)
        qtbot.wait(400)
        assert len(calls) == 3
        assert all(b - a >= 0.3 for a, b in zip(calls, calls[1:]))  # one after the other
        # a real activation (the platform gives the window the focus) triggers it too
        _register(ws_other, "third")
        w.activateWindow()
        qtbot.waitUntil(w.isActiveWindow, timeout=5000)
        QCoreApplication.sendEvent(w, QEvent(QEvent.Type.ActivationChange))
        qtbot.waitUntil(lambda: summary_by_name(w, "third") is not None, timeout=10000)
        w.shutdown()
    finally:
        ws_other.close()


def test_refresh_interval_comes_from_qsettings(qtbot, themed, workspace):
    from console.ui.main_window import MainWindow

    QSettings().setValue("refresh/interval_s", 7)
    try:
        w = MainWindow(workspace=workspace, restore_state=False, warm_up=False)
        qtbot.addWidget(w)
        assert w.refresh_timer.interval() == 7000
    finally:
        QSettings().remove("refresh/interval_s")


def test_concurrent_change_is_shown_plainly_and_reloads(qtbot, themed, ws_path):
    from console.domain.models import LifecycleStatus
    from console.services.workspace import Workspace

    ws_gui, ws_other = Workspace.open(ws_path), Workspace.open(ws_path)
    try:
        m = _register(ws_other, "credit-scorecard")
        w = _window(qtbot, ws_gui, refresh_interval_s=0)
        stale = w.inventory.selected_summary()
        ws_other.set_status(m.id, LifecycleStatus.VALIDATION, actor="colleague")  # the colleague is faster
        with qtbot.waitSignal(w.refreshed, timeout=20000):
            with qtbot.waitSignal(w.jobFinished, timeout=20000) as done:
                def approve(progress=None, cancel=None):  # acts on what the window showed
                    return ws_gui.set_status(m.id, LifecycleStatus.APPROVED, actor="me",
                                             expected_row_version=stale.row_version)

                w._start_user_job(approve, title="Approval", on_result=lambda _r: None)
        assert done.args[1] is False
        box = w.message_boxes[-1]
        assert "changed by colleague" in box.informativeText() and "reload" in box.informativeText()
        assert box.detailedText() == ""  # a plain message, not a bug report
        assert w.inventory.selected_summary().status == LifecycleStatus.VALIDATION  # reloaded
        w.shutdown()
    finally:
        ws_other.close()


# =========================================================================== real MLflow server
BANK_FEATURES = ["age", "balance", "duration", "campaign", "pdays", "previous"]


@pytest.fixture(scope="module")
def bank(shared_data):
    """UCI Bank Marketing (10 % sample): the real data the MLflow models are trained on."""
    import pandas as pd

    path = shared_data / "bank_marketing" / "bank.csv"
    df = pd.read_csv(path, sep=";")
    df["y"] = (df["y"] == "yes").astype(int)
    return path, df[BANK_FEATURES + ["y"]]


def log_mlflow_version(server, name: str, bank, *, C: float = 1.0) -> str:
    """Train a scikit-learn model on the bank data, log its run (params, metrics, the
    dataset input) and register it as a new version of ``name``; returns the version."""
    import mlflow
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    path, df = bank
    X, y = df[BANK_FEATURES], df["y"]
    with server.tracking():
        mlflow.set_experiment("tollgate-gui-tests")
        with mlflow.start_run():
            est = LogisticRegression(C=C, max_iter=1000).fit(X, y)
            mlflow.log_params({"C": C, "max_iter": 1000, "features": len(BANK_FEATURES)})
            mlflow.log_metrics({"roc_auc": float(roc_auc_score(y, est.predict_proba(X)[:, 1])),
                                "accuracy": float(est.score(X, y))})
            mlflow.log_input(mlflow.data.from_pandas(df, source=str(path), name="bank.csv", targets="y"),
                             context="training")
            info = mlflow.sklearn.log_model(est, name="model", registered_model_name=name,
                                            pip_requirements=["scikit-learn"])
    return str(info.registered_model_version)


def register_local_model(ws, bank, name="Local churn baseline"):
    """A real local model (skops artifact stored in the workspace) beside the pulled ones."""
    from sklearn.linear_model import LogisticRegression

    from console.domain.models import TaskType

    _path, df = bank
    m = ws.register_model(name=name, owner="Dora Vogel", risk_tier=2, task=TaskType.CLASSIFICATION, actor="t")
    est = LogisticRegression(max_iter=1000).fit(df[BANK_FEATURES], df["y"])
    ws.register_version(m.id, estimator=est, training_data=df, target_column="y", holdout=df.sample(400, random_state=1),
                        metrics={"roc_auc": 0.8}, actor="t")
    return m


def select_and_wait(w, qtbot, model_id: int):
    if w.detail.detail is not None and w.detail.detail.model.id == model_id:
        return
    with qtbot.waitSignal(w.detailLoaded, timeout=30000, check_params_cb=lambda mid: mid == model_id):
        assert w.inventory.select_model_id(model_id)


def cell(model, row: int, col: int, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, col), role)


def save_shot(widget, name: str) -> None:
    """With TOLLGATE_SCREENSHOT_DIR set, save ``widget.grab()`` there (docs/screenshots)."""
    folder = os.environ.get("TOLLGATE_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(Path(folder) / name), "PNG")


def test_connections_add_test_sync_then_offline_end_to_end(qtbot, themed, mlflow_servers, bank, tmp_path,
                                                          file_keyring):
    from console.services.workspace import Workspace
    from console.ui.inventory import InventoryModel

    server = mlflow_servers.start("gui-e2e")
    scorecard, churn = "Crédit scorecard 50% ‘retail’", "churn propensity"
    assert log_mlflow_version(server, scorecard, bank, C=1.0) == "1"
    assert log_mlflow_version(server, scorecard, bank, C=0.1) == "2"
    assert log_mlflow_version(server, churn, bank) == "1"
    client = server.client()
    client.set_registered_model_alias(scorecard, "production", "2")
    client.set_registered_model_alias(scorecard, "staging", "1")
    client.set_registered_model_tag(scorecard, "owner", "Ana Ruiz")
    client.set_registered_model_tag(scorecard, "task", "classification")
    client.set_model_version_tag(scorecard, "2", "validation_status", "pending")

    ws = Workspace.open(tmp_path / "ws.sqlite")
    local = register_local_model(ws, bank)
    w = _window(qtbot, ws, refresh_interval_s=0)
    assert [m.source for m in w.inventory.model.rows()] == ["local"]
    assert cell(w.inventory.model, 0, InventoryModel.LAST_SYNCED) == "—"
    # a purely local workspace keeps the room: the registry-only columns are hidden
    assert w.inventory.table.isColumnHidden(InventoryModel.LAST_SYNCED)
    assert w.inventory.table.isColumnHidden(InventoryModel.ON_SERVER)

    # Registries ▸ Connections… (Ctrl+K): add the server through the real dialog
    dlg = w.show_connections()
    qtbot.waitUntil(lambda: dlg.keyring is not None, timeout=20000)
    add = add_via_dialog(qtbot, dlg, "gui-e2e", server.url)
    job = add.test_connection()  # Test in the Add dialog: nothing saved yet
    qtbot.waitUntil(lambda: job.done.is_set() and add.job is None, timeout=30000)
    assert "round trip" in add.result_label.text() and " ms" in add.result_label.text()
    assert ws.list_registries() == []
    with qtbot.waitSignal(dlg.loaded, timeout=20000):
        add.submit()
    assert dlg.selected_name() == "gui-e2e"

    ok, text = finish(qtbot, dlg, dlg.test_selected)
    assert ok and "round trip" in text and text.rstrip(".").endswith("ms")

    with qtbot.waitSignals([w.refreshed, dlg.loaded], timeout=60000):
        ok, text = finish(qtbot, dlg, dlg.sync_selected)
    assert ok and "gui-e2e: 2 models, 3 versions" in text
    rows = {m.name: m for m in w.inventory.model.rows()}
    assert set(rows) == {scorecard, churn, local.name}
    inv = w.inventory.model
    r = inv.find_row(rows[scorecard].id)
    assert cell(inv, r, InventoryModel.NAME) == scorecard  # exactly as the server has it
    assert cell(inv, r, InventoryModel.SOURCE) == "gui-e2e"
    assert cell(inv, r, InventoryModel.LAST_SYNCED) == "just now"
    assert not w.inventory.table.isColumnHidden(InventoryModel.LAST_SYNCED)
    assert "UTC" in cell(inv, r, InventoryModel.LAST_SYNCED, Qt.ItemDataRole.ToolTipRole)
    assert cell(inv, r, InventoryModel.VERSIONS) == "2"
    assert cell(inv, r, InventoryModel.OWNER) == "Ana Ruiz"
    assert cell(inv, inv.find_row(local.id), InventoryModel.SOURCE) == "local"
    assert dlg.model.data(dlg.model.index(0, dlg.model.STATUS)) == "Synced"

    # changes on the server: a version deleted (its alias breaks), a description edited
    client.delete_model_version(scorecard, "1")
    client.update_registered_model(churn, description="Retrained monthly; owner changed")
    with qtbot.waitSignal(w.refreshed, timeout=60000):
        ok, text = finish(qtbot, dlg, dlg.sync_selected)
    assert ok, text
    rows = {m.name: m for m in w.inventory.model.rows()}
    assert cell(inv, inv.find_row(rows[churn].id), InventoryModel.ON_SERVER) == "Changed on server"
    assert cell(inv, inv.find_row(rows[churn].id), InventoryModel.ON_SERVER, Qt.ItemDataRole.DecorationRole) \
        is not None

    # detail of the pulled model: lineage, server aliases (one broken), no validation
    select_and_wait(w, qtbot, rows[scorecard].id)
    d = w.detail
    assert d.versions_model.rowCount() == 2  # the deleted version stays as history
    vm = d.versions_model
    on_reg = len(vm.columns) - 1
    by_version = {vm.row_object(i).version: i for i in range(vm.rowCount())}
    assert cell(vm, by_version[1], on_reg) == "1 · deleted on server"
    assert cell(vm, by_version[2], on_reg) == "2"
    assert "gui-e2e: production" in cell(vm, by_version[2], 1)
    assert cell(vm, by_version[2], 6) == "not imported"
    d.tabs.setCurrentIndex(d.TAB_VERSIONS)
    alias_text = d.aliases_label.text()
    assert d.aliases_label.isVisibleTo(d) and "Aliases on gui-e2e" in alias_text
    assert "production</b> → v2" in alias_text
    assert "<b>! staging → 1: broken" in alias_text  # glyph and word, not colour alone
    assert select_row_of(d, by_version[2])
    text = d.version_text.toPlainText()
    v2 = next(v for v in d.detail.versions if v.version == 2)
    assert f"Run id:      {v2.run_id}" in text and v2.run_id
    assert "Source URI:  " in text and (v2.source_uri or "") in text
    assert "C = 0.1" in text and "roc_auc = " in text  # params and metrics of the run
    assert "Dataset inputs (1):" in text and "bank.csv" in text
    assert "validation_status=pending" in text  # version tags
    assert "production (gui-e2e)" in text
    # "Run validation" is disabled for a version without its model file, and says why
    assert w.detail.selected_version() == 2
    assert not w.act_run.isEnabled()
    assert "without its model file" in w.act_run.toolTip()
    assert "without its model file" in w.detail.validation.run_button.toolTip()
    save_shot(w, "registry-detail-pulled-version.png")
    # a local model with an artifact can be validated again
    select_and_wait(w, qtbot, local.id)
    assert w.act_run.isEnabled()

    # the server goes down: sync marks the source offline, the pulled rows stay usable
    server.stop()
    with qtbot.waitSignal(w.refreshed, timeout=60000):
        ok, text = finish(qtbot, dlg, dlg.sync_all, timeout=60000)
    assert not ok and "gui-e2e" in text and "unreachable" in text and "usable" in text
    qtbot.waitUntil(lambda: dlg.model.total_count() and dlg.model.rows()[0].last_sync_status == "unreachable",
                    timeout=20000)
    save_shot(dlg, "registry-connections.png")
    rows = {m.name: m for m in w.inventory.model.rows()}
    assert set(rows) == {scorecard, churn, local.name}
    r = inv.find_row(rows[scorecard].id)
    assert cell(inv, r, InventoryModel.SOURCE) == "gui-e2e · offline"
    assert cell(inv, r, InventoryModel.SOURCE, Qt.ItemDataRole.DecorationRole) is not None  # icon + text
    assert "stays usable" in cell(inv, r, InventoryModel.SOURCE, Qt.ItemDataRole.ToolTipRole)
    assert cell(inv, inv.find_row(local.id), InventoryModel.SOURCE) == "local"
    select_and_wait(w, qtbot, rows[scorecard].id)
    assert "offline" in w.detail.header.subtitle.text()
    assert w.detail.versions_model.rowCount() == 2  # the last pulled copy is still there
    w.detail.tabs.setCurrentIndex(w.detail.TAB_OVERVIEW)
    facts = w.detail.overview.fields
    assert "offline" in facts["source"].text() and "gui-e2e" in facts["source"].text()
    assert "broken" in facts["server_aliases"].text()
    save_shot(w, "registry-detail-overview.png")
    w.detail.tabs.setCurrentIndex(w.detail.TAB_VERSIONS)
    dlg.close()
    save_shot(w, "registry-inventory.png")
    w.shutdown()


def select_row_of(d, row: int) -> bool:
    from console.ui.tablemodel import select_row

    return select_row(d.versions_view, row)


def test_wrong_password_shows_the_servers_auth_error(qtbot, themed, mlflow_servers, tmp_path, file_keyring):
    from console.services.workspace import Workspace

    server = mlflow_servers.start("gui-auth", basic_auth_password="right-Pa55word")
    ws = Workspace.open(tmp_path / "ws.sqlite")
    try:
        dlg = open_connections(qtbot, ws)
        add = add_via_dialog(qtbot, dlg, "secured", server.url, auth="basic", username="admin",
                             secret="wrong-Pa55word")
        job = add.test_connection()
        qtbot.waitUntil(lambda: job.done.is_set() and add.job is None, timeout=30000)
        shown = add.result_label.text()
        assert "✖" in shown and "wrong-Pa55word" not in shown
        assert "401" in shown or "refused" in shown.lower() or "credentials" in shown.lower()
        # the right password works; added with it, then the stored secret is used
        add.secret_edit.setText("right-Pa55word")
        job = add.test_connection()
        qtbot.waitUntil(lambda: job.done.is_set() and add.job is None, timeout=30000)
        assert "round trip" in add.result_label.text()
        with qtbot.waitSignal(dlg.loaded, timeout=20000):
            add.submit()
        ok, text = finish(qtbot, dlg, dlg.test_selected)
        assert ok and "round trip" in text
        # the password changes on the server: the dialog shows the server's refusal
        ws.add_registry("secured-old", server.url, auth="basic", username="admin", secret="stale-Pa55word",
                        actor="t")
        job = dlg.reload()
        qtbot.waitUntil(lambda: job.done.is_set() and dlg.model.total_count() == 2, timeout=20000)
        assert dlg.select_name("secured-old")
        with qtbot.waitSignal(dlg.loaded, timeout=30000):
            ok, text = finish(qtbot, dlg, dlg.sync_selected)
        assert not ok and "stale-Pa55word" not in text
        row = dlg.model.find_row("secured-old")
        assert dlg.model.data(dlg.model.index(row, dlg.model.STATUS)) == "Sign-in refused"
    finally:
        ws.close()


# =========================================================================== PostgreSQL password
@pytest.fixture
def pg_password_db(pg_server):
    """A database whose owner must give a password (scram-sha-256): (url, password)."""
    import uuid

    from sqlalchemy.engine import make_url

    role = f"officer_{uuid.uuid4().hex[:8]}"
    password = "Right-pa55-" + uuid.uuid4().hex[:6]
    pg_server.create_role(role, password=password)
    url = pg_server.create_database(owner=role)
    yield url, password
    pg_server.drop_database(make_url(url).database)


def _open_window_expecting_password(qtbot, url):
    from console.ui.main_window import MainWindow

    w = MainWindow(url, restore_state=False, warm_up=False, refresh_interval_s=0)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.passwordRequested, timeout=30000) as asked:
        w.start()
    dlg = asked.args[0]
    qtbot.waitUntil(lambda: "Checking" not in dlg.keyring_label.text(), timeout=20000)
    return w, dlg


def test_database_password_dialog_retries_and_remembers_in_keyring(qtbot, themed, pg_password_db, file_keyring):
    from console.store.db import database_secret_key
    from console.store.secrets import SERVICE

    url, password = pg_password_db
    w, dlg = _open_window_expecting_password(qtbot, url)
    assert "needs a password" in dlg.message_label.text()
    assert dlg.password_edit.echoMode() == dlg.password_edit.EchoMode.Password
    assert dlg.remember_check.isEnabled()
    assert w.ws is None and "password" in w.ws_label.text()
    # a wrong password: the server's refusal, and the dialog again (nothing stored)
    dlg.password_edit.setText("wrong-" + password)
    with qtbot.waitSignal(w.passwordRequested, timeout=30000) as again:
        dlg.accept()
    dlg2 = again.args[0]
    assert "refused the password" in dlg2.message_label.text()
    assert password not in dlg2.message_label.text()
    assert dlg.password_edit.text() == ""  # not kept in the closed dialog
    # the right one, remembered in the keyring: the workspace opens in a worker
    qtbot.waitUntil(lambda: "Checking" not in dlg2.keyring_label.text(), timeout=20000)
    dlg2.password_edit.setText(password)
    dlg2.remember_check.setChecked(True)
    with qtbot.waitSignal(w.inventoryLoaded, timeout=60000):
        dlg2.accept()
    assert w.ws is not None
    # in the keyring itself (not only this session's memory), and nowhere else
    assert file_keyring.get_password(SERVICE, database_secret_key(url)) == password
    w.shutdown()
    # a second window opens without asking: the password comes from the keyring
    from console.ui.main_window import MainWindow

    w2 = MainWindow(url, restore_state=False, warm_up=False, refresh_interval_s=0)
    qtbot.addWidget(w2)
    asked = []
    w2.passwordRequested.connect(asked.append)
    with qtbot.waitSignal(w2.inventoryLoaded, timeout=60000):
        w2.start()
    assert asked == []
    w2.shutdown()


def test_database_password_without_keyring_is_session_only(qtbot, themed, pg_password_db, no_keyring):
    url, password = pg_password_db
    w, dlg = _open_window_expecting_password(qtbot, url)
    assert not dlg.remember_check.isEnabled() and not dlg.remember_check.isChecked()
    assert "No usable OS keyring" in dlg.keyring_label.text()
    assert "this session only" in dlg.keyring_label.text()
    assert dlg.remember_check.toolTip()
    # Cancel: nothing opened; F5 asks again
    dlg.reject()
    assert w.ws is None and "F5" in w.last_status and w.act_refresh.isEnabled()
    with qtbot.waitSignal(w.passwordRequested, timeout=30000) as again:
        w.act_refresh.trigger()
    dlg = again.args[0]
    dlg.password_edit.setText(password)
    with qtbot.waitSignal(w.inventoryLoaded, timeout=60000):
        dlg.accept()
    assert w.ws is not None
    from console.store.db import database_secret_key
    from console.store.secrets import SecretStore

    assert SecretStore().get(database_secret_key(url)) == password  # from this session's memory
    w.shutdown()


def test_sync_can_be_cancelled_and_the_menu_sync_reports_in_the_status_bar(qtbot, themed, workspace, file_keyring):
    import threading

    workspace.add_registry("down", f"http://127.0.0.1:{closed_port()}", actor="t")
    w = _window(qtbot, workspace, refresh_interval_s=0)
    dlg = w.show_connections()
    qtbot.waitUntil(lambda: dlg.model.total_count() == 1, timeout=20000)
    # a writer job holds the single write slot: the sync waits behind it, and Cancel stops it
    gate = threading.Event()
    blocker = w.runner.submit(lambda progress=None, cancel=None: gate.wait(20), title="writer", serial=True)
    with qtbot.waitSignal(dlg.jobFinished, timeout=30000) as done:
        dlg.sync_all()
        assert dlg.progress_row.isVisibleTo(dlg) and dlg.cancel_button.isEnabled()
        qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
        assert dlg.progress_label.text() == "Cancelling…"
        gate.set()
    assert done.args[0] is False and "cancelled; nothing was saved" in done.args[1]
    qtbot.waitUntil(blocker.done.is_set, timeout=5000)
    assert workspace.list_registries()[0].last_sync_at is None  # nothing written
    dlg.close()
    # Registries ▸ Sync all registries (Shift+F5): a user job with status-bar progress
    with qtbot.waitSignal(w.jobFinished, timeout=30000) as finished:
        w.act_sync.trigger()
        assert w.user_job is not None and w.cancel_button.isVisible()
    text, ok = finished.args
    assert not ok and text == "Sync incomplete: down unreachable (last pulled copy kept)"
    assert w.last_status == text
    w.shutdown()


def test_screenshot_mode_never_asks_for_a_password(pg_password_db, tmp_path):
    from tests.conftest import run_cli

    url, password = pg_password_db
    proc = run_cli("gui", "--screenshot", str(tmp_path / "shot.png"), workspace=url, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "needs a password" in lines[0] and password not in proc.stderr
    assert not (tmp_path / "shot.png").exists()


# =========================================================================== item models
def test_inventory_registry_columns_say_each_state_in_words_and_glyphs(qtmodeltester, themed):
    from dataclasses import replace
    from datetime import datetime, timedelta, timezone

    from console.domain.models import LifecycleStatus, ModelSummary
    from console.ui.inventory import InventoryModel

    now = datetime.now(timezone.utc)
    base = ModelSummary(id=1, name="local one", owner="Ana", risk_tier=2, status=LifecycleStatus.DEVELOPMENT,
                        versions=1, champion_version=None, source="local", drift_status=None,
                        last_validation=None, last_validation_at=None)
    pulled = replace(base, source="mlflow-prod", source_status="ok", synced_at=now - timedelta(minutes=5))
    rows = [
        base,
        replace(pulled, id=2, name="in sync"),
        replace(pulled, id=3, name="offline", source_status="offline", synced_at=now - timedelta(hours=3)),
        replace(pulled, id=4, name="changed", changed_on_server_at=now),
        replace(pulled, id=5, name="deleted", deleted_on_server_at=now, changed_on_server_at=now),
        replace(pulled, id=6, name="removed", source_status="removed", synced_at=now - timedelta(days=3)),
    ]
    m = InventoryModel(rows)
    qtmodeltester.check(m, force_py=False)
    C = InventoryModel

    def row(name):
        return m.find_row(next(r.id for r in rows if r.name == name))

    def get(name, col, role=Qt.ItemDataRole.DisplayRole):
        return m.data(m.index(row(name), col), role)

    assert get("local one", C.SOURCE) == "local" and get("local one", C.LAST_SYNCED) == "—"
    assert get("local one", C.ON_SERVER) == "" and get("local one", C.SOURCE, Qt.ItemDataRole.DecorationRole) is None
    assert get("in sync", C.SOURCE) == "mlflow-prod" and get("in sync", C.LAST_SYNCED) == "5 min ago"
    assert get("in sync", C.ON_SERVER) == "No change"
    assert get("offline", C.SOURCE) == "mlflow-prod · offline" and get("offline", C.LAST_SYNCED) == "3 h ago"
    assert get("offline", C.SOURCE, Qt.ItemDataRole.DecorationRole) is not None
    assert "UTC" in get("offline", C.LAST_SYNCED, Qt.ItemDataRole.ToolTipRole)
    assert get("changed", C.ON_SERVER) == "Changed on server"
    assert get("deleted", C.ON_SERVER) == "Deleted on server"  # deletion wins over change
    assert get("deleted", C.ON_SERVER, Qt.ItemDataRole.DecorationRole) is not None
    assert get("removed", C.SOURCE) == "mlflow-prod · removed" and get("removed", C.LAST_SYNCED) == "3 days ago"
    # the filter finds models by their source too; sorting puts local first, then by registry
    m.set_filter(text="MLFLOW")
    assert m.rowCount() == 5
    m.set_filter(text="")
    m.sort(C.ON_SERVER, Qt.SortOrder.AscendingOrder)
    assert m.row_object(0).name == "deleted" and m.row_object(m.rowCount() - 1).name == "local one"
