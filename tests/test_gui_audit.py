"""GUI tests of the workspace audit view (issue 5, "Audit trail" → "GUI"): pytest-qt, real
widgets offscreen, a real copy of the demo workspace.  Tampering is done as an attacker
with file access would: plain ``sqlite3`` after dropping the append-only triggers (as in
``tests/test_audit_chain.py``)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QDate, Qt  # noqa: E402

from console.domain.models import LifecycleStatus  # noqa: E402
from console.services.workspace import Workspace  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshots" / "audit-view.png"


@pytest.fixture
def ws(demo_copy):
    w = Workspace.open(demo_copy)
    # a second person, so that the user filter has something to narrow
    m = w.list_models()[0]
    w.set_status(m.id, LifecycleStatus.RETIRED, actor="Ann Example", reason="replaced by v2 (ticket MRM-7)")
    yield w
    w.close()


@pytest.fixture
def view(qtbot, qapp, ws):
    from console.ui import theme
    from console.ui.audit_view import AuditView

    theme.apply_theme(qapp)
    v = AuditView(ws)
    qtbot.addWidget(v)
    with qtbot.waitSignal(v.loaded, timeout=15000):
        v.show()
    yield v
    v.runner.shutdown(5000)


def load(qtbot, view, set_filter) -> int:
    with qtbot.waitSignal(view.loaded, timeout=15000) as blocker:
        set_filter()
    return blocker.args[0]


def shown(view) -> list:
    return view.model.visible_rows()


def verify(qtbot, view, expect: str = ""):
    view.expect_edit.setText(expect)
    with qtbot.waitSignal(view.verified, timeout=30000) as blocker:
        view.verify_button.click()
    return blocker.args[0]


def test_lists_every_event_newest_first_with_names_and_models(view, ws):
    total = ws.verify_audit_chain().events
    rows = shown(view)
    assert len(rows) == total == view.model.rowCount()
    assert [e.seq for e in rows] == sorted((e.seq for e in rows), reverse=True)
    assert rows[0].actor == "Ann Example" and rows[0].action == "model.status_changed"
    header = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(view.model.columnCount())]
    assert header[:4] == ["#", "When (UTC)", "Actor", "Model"]
    names = dict(ws.audit_filter_options().models)
    assert view.model.data(view.model.index(0, 3)) == names[rows[0].model_id]
    assert f"{total} events in the workspace" in view.count_label.text()


def test_filters_by_model_action_and_user_narrow_the_list(qtbot, view, ws):
    total = len(shown(view))
    opts = ws.audit_filter_options()
    mid, _name = opts.models[0]
    n = load(qtbot, view, lambda: view.model_combo.setCurrentIndex(view.model_combo.findData(mid)))
    assert 0 < n < total and all(e.model_id == mid for e in shown(view))
    assert "match the filters" in view.count_label.text()

    view.model_combo.setCurrentIndex(0)
    n = load(qtbot, view, lambda: view.action_combo.setCurrentIndex(view.action_combo.findText("alias.set")))
    assert 0 < n < total and {e.action for e in shown(view)} == {"alias.set"}

    view.action_combo.setCurrentIndex(0)
    n = load(qtbot, view, lambda: view.person_combo.setCurrentIndex(view.person_combo.findText("Ann Example")))
    assert n == 1 and shown(view)[0].actor == "Ann Example"

    # a date range after every event: nothing; clearing the filters: everything again
    tomorrow = shown(view)[0].occurred_at.date() + timedelta(days=1)
    n = load(qtbot, view, lambda: view.since_edit.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day)))
    assert n == 0 and view.filters()["actor"].startswith("psn_")
    assert load(qtbot, view, view.clear_filters) == total


def test_verify_shows_intact_with_a_copyable_head(qtbot, view, ws):
    r = verify(qtbot, view)
    expected = ws.verify_audit_chain()
    assert r.intact and r.head_hash == expected.head_hash
    assert "Intact" in view.result_text.text() and f"{expected.events} events" in view.result_text.text()
    assert view.result_icon.pixmap() is not None and not view.result_icon.pixmap().isNull()
    assert view.head_edit.text() == expected.head_hash and view.head_edit.isReadOnly()
    view.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == expected.head_hash
    # the head itself, pasted back as expected head, is still intact
    assert verify(qtbot, view, expected.head_hash.upper()).intact


def test_a_tampered_row_shows_broken_at_its_seq(qtbot, view, ws, demo_copy):
    con = sqlite3.connect(demo_copy)
    con.execute("DROP TRIGGER audit_event_no_update")
    con.execute("UPDATE audit_event SET reason = 'nothing to see' WHERE seq = 5")
    con.commit()
    con.close()
    r = verify(qtbot, view)
    assert not r.intact and r.first_bad_seq == 5
    text = view.result_text.text()
    assert "Broken at event 5" in text and "does not match its hash" in text
    assert view.result_icon.accessibleName() == "Broken"


def test_an_expected_head_not_in_the_chain_shows_broken(qtbot, view, ws):
    last = ws.verify_audit_chain().last_seq
    r = verify(qtbot, view, "ab" * 32)
    assert not r.intact and r.first_bad_seq == last + 1
    assert f"Broken at event {last + 1}" in view.result_text.text()
    assert "not in the chain" in view.result_text.text()


def test_a_malformed_expected_head_is_one_clear_line(qtbot, view):
    view.expect_edit.setText("not-a-hash")
    with qtbot.waitSignal(view.failed, timeout=15000) as blocker:
        view.verify_button.click()
    assert "64 hexadecimal digits" in blocker.args[0]
    assert "Could not verify" in view.result_text.text() and "Traceback" not in view.result_text.text()


def test_opened_from_the_main_window_menu_and_toolbar(qtbot, qapp, ws):
    from console.ui.main_window import MainWindow

    w = MainWindow(workspace=ws, restore_state=False, warm_up=False)
    qtbot.addWidget(w)
    w.show()
    assert w.act_audit.isEnabled() and w.act_audit.shortcut().toString() == "Ctrl+Shift+A"
    menus = {a.text(): a.menu() for a in w.menuBar().actions()}
    assert w.act_audit in menus["&View"].actions()
    button = w.toolbar.widgetForAction(w.act_audit)
    assert button is not None and button.accessibleName() == "Audit trail"
    button.click()
    v = w.audit_view
    assert v is not None and v.isVisible()
    qtbot.waitUntil(lambda: v.model.rowCount() > 0, timeout=15000)
    w.shutdown(5000)


def test_screenshot(qtbot, view):
    """Writes docs/screenshots/audit-view.png (an intact verification)."""
    verify(qtbot, view)
    view.resize(1280, 720)
    qtbot.wait(50)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert view.grab().save(str(SCREENSHOT))
