"""GUI tests of the governance views (issue 5): the RACI tab and its template editor, the
Findings tab, the risk-tier questionnaire, the inventory's "Next validation" column and
the inbox indicator.  pytest-qt, real widgets offscreen, the real main window on a real
copy of the demo workspace (users and passwords as in the README: ``demo-<login>``)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from console.domain.governance import LifecycleTask as T  # noqa: E402
from console.domain.governance import Role  # noqa: E402
from console.domain.models import TaskType  # noqa: E402
from console.services import governance  # noqa: E402
from console.services.workspace import Workspace  # noqa: E402
from tests.conftest import open_main_window  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
TIER1 = "Income eligibility screen"
TIER3 = "Campaign response — random forest"
TIP = Qt.ItemDataRole.ToolTipRole


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


def sign_in(w, login: str):
    user = w.ws.authenticate(login, f"demo-{login}")
    w.set_current_user(user)
    return user


def select(qtbot, w, name: str):
    m = next(m for m in w.inventory.model.rows() if m.name == name)
    if w.inventory.selected_id() != m.id or w.detail.model_id != m.id:
        with qtbot.waitSignal(w.detailLoaded, timeout=20000):
            w.inventory.select_model_id(m.id)
    return m


def open_raci(qtbot, w):
    raci = w.detail.raci
    if w.detail.tabs.currentIndex() != w.detail.TAB_RACI:
        with qtbot.waitSignal(raci.loaded, timeout=20000):
            w.detail.tabs.setCurrentIndex(w.detail.TAB_RACI)
    return raci


def cell(raci, task, role, role_=Qt.ItemDataRole.DisplayRole):
    m = raci.model
    return m.data(m.index(m.row_of(task), m.column_of(role)), role_)


# ---------------------------------------------------------------- RACI
def test_raci_tab_shows_letters_and_people_for_the_models_tier(win, qtbot):
    select(qtbot, win, TIER1)
    raci = open_raci(qtbot, win)
    assert raci.model.rowCount() == 9
    assert "Risk tier 1" in raci.scope_label.text() and "default v1" in raci.scope_label.text()
    # Model validation & selection on tier 1: Data Scientists R, the Model Risk Manager A
    assert cell(raci, T.MODEL_VALIDATION, Role.DATA_SCIENTIST) == "R"
    tip = cell(raci, T.MODEL_VALIDATION, Role.DATA_SCIENTIST, TIP)
    assert "Priya Raman (priya)" in tip and "Mateo García (mateo)" in tip and "Responsible" in tip
    assert cell(raci, T.MODEL_VALIDATION, Role.MODEL_RISK_MANAGER) == "A"
    assert "Sofia Lindqvist (sofia)" in cell(raci, T.MODEL_VALIDATION, Role.MODEL_RISK_MANAGER, TIP)
    # tier 1 deployments: the Model Risk Manager is consulted and signs too
    assert cell(raci, T.DEPLOYMENT, Role.MODEL_RISK_MANAGER) == "C/S"
    assert cell(raci, T.DATA_VALIDATION, Role.BUSINESS_OWNER) == "—"
    # the side list names the people of the selected task (validation & selection by default)
    assert "Model validation &amp; selection" in raci.people.text() or "Model validation & selection" in \
        raci.people.text()
    assert "Sofia Lindqvist" in raci.people.text() and "Priya Raman" in raci.people.text()
    assert "R</b> responsible" in raci.legend.text() or "responsible (submits)" in raci.legend.text()
    # the same template resolves differently for a tier-3 model
    with qtbot.waitSignal(raci.loaded, timeout=20000):
        select(qtbot, win, TIER3)
    assert "Risk tier 3" in raci.scope_label.text()
    assert cell(raci, T.MODEL_VALIDATION, Role.DATA_SCIENTIST) == "R/A"
    assert cell(raci, T.MODEL_VALIDATION, Role.MODEL_RISK_MANAGER) == "C"
    assert cell(raci, T.DEPLOYMENT, Role.MODEL_RISK_MANAGER) == "C"
    # nobody signed in: no editing, and the button says why
    assert not raci.edit_button.isEnabled() and "Sign in" in raci.edit_button.toolTip()
    assert raci.edit_template() is None


def test_admin_edits_a_template_and_a_bad_matrix_is_refused_naming_the_task(win, ws, qtbot):
    m = select(qtbot, win, TIER1)
    raci = open_raci(qtbot, win)
    sign_in(win, "priya")
    assert not raci.edit_button.isEnabled() and "Only an Admin" in raci.edit_button.toolTip()
    sign_in(win, "admin")
    assert raci.edit_button.isEnabled()
    dlg = raci.edit_template()
    qtbot.waitUntil(lambda: dlg.base is not None, timeout=15000)
    assert dlg.scope() == "default" and "v1" in dlg.scope_info.text()
    # a second Accountable on Model development (Data Scientist is already R/A)
    dlg.set_cell(T.MODEL_DEVELOPMENT, Role.DATA_ENGINEER, "A")
    dlg.reason_edit.setText("give data engineers sign-off")
    dlg.save_button.click()
    assert dlg.error.isVisible()
    text = dlg.error.text()
    assert "Model development" in text and "exactly one Accountable" in text and "Data Engineer" in text
    assert dlg.grid.currentRow() == list(T).index(T.MODEL_DEVELOPMENT)
    assert governance.current_raci(ws, "default").version == 1  # nothing saved
    # a malformed cell names task and role
    dlg.set_cell(T.MODEL_DEVELOPMENT, Role.DATA_ENGINEER, "X")
    dlg.save_button.click()
    assert "Model development" in dlg.error.text() and "Data Engineer" in dlg.error.text()
    # a valid override for this model only: the SME is consulted on model development
    dlg.scope_combo.setCurrentIndex(dlg.scope_combo.findData(f"model:{m.id}"))
    qtbot.waitUntil(lambda: "has no override yet" in dlg.scope_info.text(), timeout=15000)
    dlg.set_cell(T.MODEL_DEVELOPMENT, Role.SME, "C")
    dlg.reason_edit.setText("")
    dlg.save_button.click()
    assert "needs a reason" in dlg.error.text()
    dlg.reason_edit.setText("SME review requested by the credit committee")
    with qtbot.waitSignal(raci.loaded, timeout=20000):
        dlg.save_button.click()
    assert f"model:{m.id} v1" in raci.scope_label.text()
    assert cell(raci, T.MODEL_DEVELOPMENT, Role.SME) == "C"
    assert "Inês Costa" in cell(raci, T.MODEL_DEVELOPMENT, Role.SME, TIP)
    scopes = [(t.scope, t.version) for t in raci.history_model.rows()]
    assert (f"model:{m.id}", 1) in scopes and ("default", 1) in scopes
    saved = ws.list_audit_events(action="raci.saved")
    assert saved and saved[0].reason == "SME review requested by the credit committee"


# ---------------------------------------------------------------- findings
def test_finding_opened_and_closed_with_refusal_shown(win, ws, qtbot):
    # the tier-3 model: the demo's tier-1 model already has validation findings (it fails
    # fairness checks), this one passes its plan and has none
    select(qtbot, win, TIER3)
    fv = win.detail.findings
    qtbot.waitUntil(lambda: fv.summary_label.text() == "No findings recorded.", timeout=15000)
    assert win.detail.overview.fields["findings"].text() == "None open"
    assert not fv.open_button.isEnabled() and "Sign in" in fv.open_button.toolTip()
    sign_in(win, "hugo")  # Auditor: read-only
    assert not fv.open_button.isEnabled() and "Auditors are read-only" in fv.open_button.toolTip()
    sign_in(win, "priya")
    assert fv.open_button.isEnabled()
    win.detail.tabs.setCurrentIndex(win.detail.TAB_FINDINGS)
    dlg = fv.open_dialog()
    assert dlg.severity_combo.currentData() == "low"  # tier 3 default
    dlg.severity_combo.setCurrentIndex(dlg.severity_combo.findData("high"))
    dlg.ok_button.click()
    assert "needs a title" in dlg.error.text()
    dlg.title_edit.setText("Eligibility threshold not documented")
    dlg.version_combo.setCurrentIndex(dlg.version_combo.findData(1))
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: fv.model.rowCount() == 1, timeout=15000)
    f = fv.model.row_object(0)
    assert (f.severity, f.state, f.source, f.opened_by, f.version) == ("high", "open", "manual", "priya", 1)
    sev = fv.model.index(0, 1)
    assert fv.model.data(sev) == "High" and fv.model.data(sev, Qt.ItemDataRole.DecorationRole) is not None
    qtbot.waitUntil(lambda: "1 high-severity open" in win.detail.overview.fields["findings"].text(), timeout=15000)
    assert "blocks approvals" in win.detail.overview.fields["findings"].text()
    assert "(1)" in win.detail.tabs.tabText(win.detail.TAB_FINDINGS)
    # closing: a reason is required, and a Data Scientist is refused with the rule
    qtbot.waitUntil(fv.close_button.isEnabled, timeout=15000)
    dlg = fv.close_dialog()
    dlg.ok_button.click()
    assert "needs a reason" in dlg.error.text()
    dlg.reason_edit.setText("threshold documented in the model card")
    with qtbot.waitSignal(dlg.failed, timeout=15000) as refused:
        dlg.ok_button.click()
    assert "only a Model Risk Manager or an Admin closes findings" in refused.args[0]
    assert "priya" in dlg.error.text() and dlg.isVisible()
    dlg.reject()
    sign_in(win, "sofia")
    dlg = fv.close_dialog()
    dlg.reason_edit.setText("threshold documented in the model card (MRM-12)")
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: fv.model.rowCount() == 1 and fv.model.row_object(0).state == "closed", timeout=15000)
    f = fv.model.row_object(0)
    assert f.closed_by == "sofia" and f.close_reason == "threshold documented in the model card (MRM-12)"
    assert "sofia" in fv.model.data(fv.model.index(0, 7))
    qtbot.waitUntil(lambda: win.detail.overview.fields["findings"].text() == "None open", timeout=15000)
    assert [e.action for e in ws.list_audit_events(action="finding.closed")] == ["finding.closed"]


# ---------------------------------------------------------------- risk tier
def answer(dlg, **answers):
    for q, v in answers.items():
        c = dlg.combos[q]
        c.setCurrentIndex(c.findData(v))


def test_tier_dialog_computes_live_and_refuses_an_override_without_reason(win, ws, qtbot):
    m = select(qtbot, win, TIER3)
    assert not win.act_tier.isEnabled() and "Sign in" in win.act_tier.toolTip()
    sign_in(win, "priya")
    assert not win.act_tier.isEnabled() and "Model Risk Manager, Business Owner or Admin" in win.act_tier.toolTip()
    sign_in(win, "sofia")
    assert win.act_tier.isEnabled()
    dlg = win.assess_tier()
    qtbot.waitUntil(lambda: "No tier assessment recorded" in dlg.latest_label.text(), timeout=15000)
    assert "answer 6 more questions" in dlg.result_label.text()
    answer(dlg, audience="customers", impact="high", decisions_on_people="yes", lifetime="years",
           model_type="tree_ensemble")
    assert "answer 1 more question" in dlg.result_label.text()
    answer(dlg, automation="advisory")
    assert "Computed tier: <b>1</b>" in dlg.result_label.text()
    assert "materiality 9/9" in dlg.explain_label.text()
    answer(dlg, impact="low", decisions_on_people="no")  # materiality 4, complexity 1
    assert "Computed tier: <b>2</b>" in dlg.result_label.text()
    assert "materiality 4/9, complexity 1/4" in dlg.explain_label.text()
    # override without a reason: refused, nothing stored
    dlg.override_check.setChecked(True)
    dlg.override_combo.setCurrentIndex(dlg.override_combo.findData(1))
    assert "overridden to <b>tier 1</b>" in dlg.result_label.text()
    dlg.password_edit.setText("demo-sofia")
    dlg.sign_button.click()
    assert dlg.error.isVisible() and "needs a reason" in dlg.error.text()
    assert governance.tier_assessments(ws, m.id) == []
    # a wrong password is refused by the service (re-authentication)
    dlg.reason_edit.setText("feeds the credit-limit engine from next quarter")
    dlg.password_edit.setText("not-her-password")
    with qtbot.waitSignal(dlg.failed, timeout=20000) as failed:
        dlg.sign_button.click()
    assert "sign-in failed" in failed.args[0] and dlg.password_edit.text() == ""
    assert governance.tier_assessments(ws, m.id) == []
    dlg.password_edit.setText("demo-sofia")
    with qtbot.waitSignal(dlg.assessed, timeout=20000) as done:
        dlg.sign_button.click()
    a = done.args[0]
    assert (a.computed_tier, a.final_tier, a.assessed_by, a.printed_name) == (2, 1, "sofia", "Sofia Lindqvist")
    assert a.override_reason == "feeds the credit-limit engine from next quarter" and len(a.signature_sha256) == 64
    # the inventory is refreshed with the new tier
    qtbot.waitUntil(lambda: next(r for r in win.inventory.model.rows() if r.id == m.id).risk_tier == 1,
                    timeout=20000)
    # opened again, the latest assessment is shown and its answers filled in
    dlg2 = win.assess_tier()
    qtbot.waitUntil(lambda: "Latest assessment: <b>tier 1</b>" in dlg2.latest_label.text(), timeout=15000)
    assert "Sofia Lindqvist" in dlg2.latest_label.text()
    assert dlg2.answers()["impact"] == "low" and "Computed tier: <b>2</b>" in dlg2.result_label.text()
    dlg2.reject()


# ---------------------------------------------------------------- inventory
def test_inventory_marks_overdue_and_never_validated_models(qtbot, themed, demo_copy):
    from console.ui.inventory import InventoryModel

    with _closing(demo_copy) as w0:
        m = w0.find_model(TIER1)
        w0.register_model(name="Churn early warning", owner="Ana Ruiz", risk_tier=2, task=TaskType.CLASSIFICATION,
                          actor="test")
    # validation_run is not append-only: move the tier-1 model's validations 13 months back
    con = sqlite3.connect(demo_copy)
    with con:
        n = con.execute("UPDATE validation_run SET finished_at = '2024-01-15 10:00:00.000000', "
                        "started_at = '2024-01-15 09:59:00.000000' WHERE version_id IN "
                        "(SELECT id FROM model_version WHERE model_id = ?)", (m.id,)).rowcount
    con.close()
    assert n >= 1
    ws = Workspace.open(demo_copy)
    w = open_main_window(qtbot, workspace=ws, refresh_interval_s=0)
    try:
        inv = w.inventory.model
        col = InventoryModel.NEXT_VALIDATION
        assert inv.headerData(col, Qt.Orientation.Horizontal) == "Next validation"

        def row(name):
            return inv.find_row(next(r.id for r in inv.rows() if r.name == name))

        def data(name, role=Qt.ItemDataRole.DisplayRole):
            return inv.data(inv.index(row(name), col), role)

        assert data(TIER1) == "Overdue · 2025-01-15"  # tier 1: every 12 months
        assert data(TIER1, Qt.ItemDataRole.DecorationRole) is not None  # a glyph, not colour alone
        assert "OVERDUE" in data(TIER1, TIP) and "12 months" in data(TIER1, TIP)
        assert data("Churn early warning") == "Never validated"
        assert "No validation run recorded" in data("Churn early warning", TIP)
        other = data("Term deposit propensity")
        assert not other.startswith("Overdue") and len(other) == 10  # a plain date (tier 2: 24 months)
        # sortable: the overdue date first ascending, never-validated last either way
        inv.sort(col, Qt.SortOrder.AscendingOrder)
        names = [r.name for r in inv.visible_rows()]
        assert names[0] == TIER1 and names[-1] == "Churn early warning"
        inv.sort(col, Qt.SortOrder.DescendingOrder)
        assert [r.name for r in inv.visible_rows()][-1] == "Churn early warning"
        # the Overview shows it too
        select(qtbot, w, TIER1)
        assert "Overdue · 2025-01-15" in w.detail.overview.fields["next_validation"].text()
    finally:
        w.shutdown()


class _closing:
    def __init__(self, path):
        self.ws = Workspace.open(path)

    def __enter__(self):
        return self.ws

    def __exit__(self, *exc):
        self.ws.close()


# ---------------------------------------------------------------- inbox
def test_inbox_indicator_counts_and_marks_read(win, ws, qtbot):
    from console.services import approvals

    button = win.inbox_button
    assert not button.isEnabled() and "Sign in" in button.toolTip()
    with qtbot.waitSignal(button.loaded, timeout=15000) as first:
        sign_in(win, "sofia")
    assert first.args == [0] and button.text() == "Inbox (0)" and button.isEnabled()
    # priya asks for development → validation: the Model Risk Manager is Informed
    approvals.request_approval(ws, TIER1, None, login="priya", password="demo-priya",
                               reason="ready for independent validation", to_status="validation")
    with qtbot.waitSignal(button.loaded, timeout=20000):
        win.refresh()
    assert button.text() == "Inbox (1)"
    with qtbot.waitSignal(button.marked, timeout=15000) as marked:
        dlg = button.show_inbox()
    assert marked.args == [1]
    assert dlg.model.rowCount() == 1 and TIER1 in dlg.model.data(dlg.model.index(0, 2))
    qtbot.waitUntil(lambda: button.text() == "Inbox (0)", timeout=15000)
    assert approvals.inbox(ws, ws.authenticate("sofia", "demo-sofia"), unread_only=True) == []
    dlg.reject()


# ---------------------------------------------------------------- screenshots
def test_screenshots_of_the_governance_views(win, ws, qtbot):
    """docs/screenshots/raci-tab.png, findings-tab.png and tier-dialog.png (looked at by a person)."""
    from console.services import findings

    SHOTS.mkdir(parents=True, exist_ok=True)
    mrm = sign_in(win, "sofia")
    m = select(qtbot, win, TIER1)
    # the demo's own validation findings (fairness, protected attributes as inputs, stale data)
    n0 = len(findings.list_findings(ws, model=m.id, state=None))
    f2 = findings.open_finding(ws, m.id, title="Model card lacks the intended-use exclusions", severity="low",
                               by=mrm)
    findings.close_finding(ws, f2.id, by=mrm, reason="exclusions added to the model card (MRM-31)")
    raci = open_raci(qtbot, win)
    qtbot.wait(50)
    assert win.grab().save(str(SHOTS / "raci-tab.png"), "PNG")
    fv = win.detail.findings
    win.detail.tabs.setCurrentIndex(win.detail.TAB_FINDINGS)
    fv.load()
    qtbot.waitUntil(lambda: fv.model.rowCount() == n0 + 1, timeout=15000)
    qtbot.wait(50)
    assert win.grab().save(str(SHOTS / "findings-tab.png"), "PNG")
    dlg = win.assess_tier()
    qtbot.waitUntil(lambda: "No tier assessment" in dlg.latest_label.text(), timeout=15000)
    answer(dlg, audience="customers", impact="high", decisions_on_people="yes", lifetime="years",
           model_type="linear", automation="human_in_loop")
    dlg.adjustSize()
    qtbot.wait(50)
    assert dlg.grab().save(str(SHOTS / "tier-dialog.png"), "PNG")
    dlg.reject()
    assert raci.model.rowCount() == 9
