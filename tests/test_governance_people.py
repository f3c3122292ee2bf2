"""People, roles and the RACI matrix (issue 5): real SQLite workspaces, the real demo and
the real ``tollgate`` CLI in a subprocess."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from console.domain.governance import (
    DEFAULT_RACI,
    TIER_POLICIES,
    TRANSITION_TASK,
    LifecycleTask,
    MatrixError,
    Role,
    raci_for_tier,
    validate_matrix,
)
from console.domain.models import LifecycleStatus, TaskType
from console.errors import AuthError, InputError, PermissionDenied
from console.services import governance, passwords
from console.services.workspace import Workspace
from console.store import orm
from tests.conftest import run_cli

REPO = Path(__file__).resolve().parents[1]
T, R = LifecycleTask, Role


def _events(ws: Workspace, action: str) -> list[orm.AuditEventRow]:
    with ws._session() as s:
        return list(s.scalars(select(orm.AuditEventRow).where(orm.AuditEventRow.action == action)))


@pytest.fixture
def ws(tmp_path):
    w = Workspace.open(tmp_path / "people.sqlite")
    yield w
    w.close()


# ----------------------------------------------------------------------------- passwords
def test_scrypt_round_trip_and_wrong_password():
    h = passwords.hash_password("correct horse")
    assert h.startswith("$scrypt$ln=14,r=8,p=1$") and "correct" not in h
    assert passwords.verify_password("correct horse", h)
    assert not passwords.verify_password("correct horsE", h)
    assert not passwords.verify_password("correct horse", "$scrypt$garbage")
    assert passwords.hash_password("correct horse") != h  # fresh salt each time


# ----------------------------------------------------------------------------- users
def test_first_user_is_admin_and_non_admin_cannot_add_users(ws):
    root = ws.create_user("root", "Rita Root", "root-pass-1")
    assert root.has_role(R.ADMIN)
    with pytest.raises(PermissionDenied, match="Admin"):
        ws.create_user("sneaky", "No Body", "whatever-1")  # second user without an acting Admin
    admin = ws.authenticate("root", "root-pass-1")
    ds = ws.create_user("dana", "Dana Scully", "dana-pass-1", roles=["Data Scientist"], by=admin)
    assert ds.has_role(R.DATA_SCIENTIST) and not ds.has_role(R.ADMIN)
    dana = ws.authenticate("dana", "dana-pass-1")
    with pytest.raises(PermissionDenied, match="only an active Admin may add users; dana"):
        ws.create_user("eve", "Eve", "eve-pass-12", by=dana)
    assert [u.login for u in ws.list_users()] == ["dana", "root"]
    refused = _events(ws, "permission.refused")
    assert len(refused) == 2 and refused[-1].new["action"] == "add users"
    with pytest.raises(InputError, match="already taken"):
        ws.create_user("dana", "Dana 2", "dana-pass-2", by=admin)
    with pytest.raises(InputError, match="at least 8"):
        ws.create_user("short", "Short", "abc", by=admin)
    assert ws.verify_audit_chain().intact


def test_login_failure_is_audited_without_the_password(ws):
    ws.create_user("root", "Rita Root", "root-pass-1")
    for login, pw in (("root", "not-the-pass"), ("ghost", "ghost-pass-9")):
        with pytest.raises(AuthError, match="unknown login or wrong password") as exc:
            ws.authenticate(login, pw)
        assert pw not in str(exc.value)
    events = _events(ws, "user.login_failed")
    assert [e.new["cause"] for e in events] == ["wrong password", "unknown login"]
    raw = (ws.sqlite_path.read_bytes() + Path(str(ws.sqlite_path) + "-wal").read_bytes()
           if Path(str(ws.sqlite_path) + "-wal").exists() else ws.sqlite_path.read_bytes())
    assert b"not-the-pass" not in raw and b"ghost-pass-9" not in raw and b"root-pass-1" not in raw
    assert ws.verify_audit_chain().intact


def test_role_assignment_global_and_per_model(ws):
    ws.create_user("root", "Rita Root", "root-pass-1")
    admin = ws.authenticate("root", "root-pass-1")
    m1 = ws.register_model(name="Scorecard A", owner="x", risk_tier=1, task=TaskType.CLASSIFICATION, actor="t")
    m2 = ws.register_model(name="Scorecard B", owner="x", risk_tier=3, task=TaskType.CLASSIFICATION, actor="t")
    ws.create_user("mo", "Mo Risk", "mo-pass-123", by=admin)
    assert ws.assign_role("mo", "Model Risk Manager", model="Scorecard A", by=admin)
    assert not ws.assign_role("mo", R.MODEL_RISK_MANAGER, model=m1.id, by=admin)  # already held
    mo = ws.authenticate("mo", "mo-pass-123")
    assert mo.has_role(R.MODEL_RISK_MANAGER, m1.id) and not mo.has_role(R.MODEL_RISK_MANAGER, m2.id)
    mrm_a = [e for e in ws.raci_for_model("Scorecard A") if e.role == R.MODEL_RISK_MANAGER]
    mrm_b = [e for e in ws.raci_for_model("Scorecard B") if e.role == R.MODEL_RISK_MANAGER]
    assert all([u.login for u in e.users] == ["mo"] for e in mrm_a) and mrm_a
    assert all(e.users == () for e in mrm_b) and mrm_b
    assert ws.assign_role("mo", R.DATA_ENGINEER, by=admin)  # global
    assert ws.authenticate("mo", "mo-pass-123").has_role(R.DATA_ENGINEER, m2.id)
    assert ws.revoke_role("mo", "Model Risk Manager", model=m1.id, by=admin)
    assert not ws.authenticate("mo", "mo-pass-123").has_role(R.MODEL_RISK_MANAGER, m1.id)
    with pytest.raises(PermissionDenied):
        ws.assign_role("root", R.AUDITOR, by=mo)
    with pytest.raises(InputError, match="last Admin"):
        ws.revoke_role("root", R.ADMIN, by=admin)
    with pytest.raises(InputError, match="unknown role"):
        ws.assign_role("mo", "Wizard", by=admin)
    assert [e.new["role"] for e in _events(ws, "role.assigned")] == ["Model Risk Manager", "Data Engineer"]
    assert len(_events(ws, "role.revoked")) == 1


# ----------------------------------------------------------------------------- RACI template
def test_default_template_matches_design_table_per_tier():
    validate_matrix(DEFAULT_RACI)
    t1, t2, t3 = (raci_for_tier(DEFAULT_RACI, t) for t in (1, 2, 3))
    for t in (t1, t2, t3):
        assert t[T.BUSINESS_REQUIREMENTS.value] == {
            R.BUSINESS_OWNER.value: "R", R.SME.value: "A", R.DATA_ENGINEER.value: "I", R.DATA_SCIENTIST.value: "I",
            R.ML_ENGINEER.value: "I", R.DEVOPS_ENGINEER.value: "I", R.MODEL_RISK_MANAGER.value: "I"}
        assert t[T.DATA_COLLECTION.value][R.DATA_ENGINEER.value] == "R/A"
        assert R.MODEL_RISK_MANAGER.value not in t[T.DATA_COLLECTION.value]  # "—"
        assert R.BUSINESS_OWNER.value not in t[T.DATA_VALIDATION.value]
        assert t[T.MODEL_EVALUATION.value][R.ML_ENGINEER.value] == "R/A"
        assert t[T.MODEL_EVALUATION.value][R.DEVOPS_ENGINEER.value] == "C"
        assert t[T.DEPLOYMENT.value][R.DEVOPS_ENGINEER.value] == "R/A"
    mv = T.MODEL_VALIDATION.value
    # "R (A in tier 3)" and "A in tiers 1–2, else C"
    assert (t1[mv][R.DATA_SCIENTIST.value], t2[mv][R.DATA_SCIENTIST.value], t3[mv][R.DATA_SCIENTIST.value]) == (
        "R", "R", "R/A")
    assert (t1[mv][R.MODEL_RISK_MANAGER.value], t2[mv][R.MODEL_RISK_MANAGER.value],
            t3[mv][R.MODEL_RISK_MANAGER.value]) == ("A", "A", "C")
    # "C (tier 1: signs too)"
    dep = T.DEPLOYMENT.value
    assert [t[dep][R.MODEL_RISK_MANAGER.value] for t in (t1, t2, t3)] == ["C/S", "C", "C"]
    assert TRANSITION_TASK[(LifecycleStatus.APPROVED, LifecycleStatus.PRODUCTION)] == T.DEPLOYMENT
    assert TRANSITION_TASK[(LifecycleStatus.DEVELOPMENT, LifecycleStatus.VALIDATION)] == T.MODEL_DEVELOPMENT
    assert (TIER_POLICIES[1].approval_sla_business_days, TIER_POLICIES[2].revalidation_months) == (5, 24)
    assert TIER_POLICIES[1].is_blocking("fairness") and not TIER_POLICIES[3].is_blocking("performance")
    assert len(Role) == 9 and len(LifecycleTask) == 9


def test_migration_seeds_the_default_template(ws):
    spec = importlib.util.spec_from_file_location("m0004", REPO / "db" / "versions" / "0004_users_roles_raci.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.DEFAULT_RACI_V1 == DEFAULT_RACI  # the frozen copy still equals the domain table
    v1 = governance.current_raci(ws)
    assert (v1.scope, v1.version) == ("default", 1) and v1.matrix == DEFAULT_RACI


def test_validate_matrix_names_the_task():
    two_a = copy.deepcopy(DEFAULT_RACI)
    two_a[T.MODEL_DEVELOPMENT.value][R.ML_ENGINEER.value] = "A"
    with pytest.raises(MatrixError, match="'Model development' needs exactly one Accountable, has 2"):
        validate_matrix(two_a)
    no_r = copy.deepcopy(DEFAULT_RACI)
    no_r[T.DATA_MODEL.value][R.DATA_ENGINEER.value] = "A"
    with pytest.raises(MatrixError, match="'Data model & storage' needs at least one Responsible"):
        validate_matrix(no_r)
    tiered = copy.deepcopy(DEFAULT_RACI)
    tiered[T.MODEL_VALIDATION.value][R.MODEL_RISK_MANAGER.value] = {"1": "A", "2": "A", "3": "A"}
    with pytest.raises(MatrixError, match=r"'Model validation & selection' \(tier 3\) needs exactly one"):
        validate_matrix(tiered)
    with pytest.raises(MatrixError, match="role 'Auditor' cannot take RACI letters"):
        validate_matrix({**DEFAULT_RACI, T.DATA_MODEL.value: {**DEFAULT_RACI[T.DATA_MODEL.value], "Auditor": "I"}})


def test_raci_edit_is_versioned_audited_and_overrides_resolve(ws):
    ws.create_user("root", "Rita Root", "root-pass-1")
    admin = ws.authenticate("root", "root-pass-1")
    model = ws.register_model(name="Churn", owner="x", risk_tier=2, task=TaskType.CLASSIFICATION, actor="t")
    edited = copy.deepcopy(DEFAULT_RACI)
    edited[T.MODEL_EVALUATION.value][R.MODEL_RISK_MANAGER.value] = "I"
    v2 = ws.save_raci("default", edited, "MRM only informed on hypercare", by=admin)
    assert v2.version == 2
    assert [t.version for t in governance.raci_history(ws, "default")] == [1, 2]
    assert governance.raci_history(ws, "default")[0].matrix == DEFAULT_RACI  # old version kept
    ev = _events(ws, "raci.saved")[-1]
    assert (ev.old["version"], ev.new["version"], ev.entity_id) == (1, 2, "default")

    tier2 = copy.deepcopy(DEFAULT_RACI)
    tier2[T.MODEL_VALIDATION.value][R.DATA_SCIENTIST.value] = "R/A"
    tier2[T.MODEL_VALIDATION.value][R.MODEL_RISK_MANAGER.value] = "C"
    ws.save_raci("tier:2", tier2, "tier 2 self-validated", by=admin)
    template, tier = governance.effective_raci(ws, "Churn")
    assert (template.scope, tier) == ("tier:2", 2)
    ws.save_raci(f"model:{model.id}", DEFAULT_RACI, "this model keeps the default", by=admin)
    assert governance.effective_raci(ws, model.id)[0].scope == f"model:{model.id}"

    bad = copy.deepcopy(DEFAULT_RACI)
    bad[T.DEPLOYMENT.value][R.ML_ENGINEER.value] = "R/A"
    with pytest.raises(InputError, match=r"'ML system validation & deployment' \(tier 1\) needs exactly one Accountable, has 2"):
        ws.save_raci("default", bad, "oops", by=admin)
    with pytest.raises(InputError, match="reason"):
        ws.save_raci("default", edited, " ", by=admin)
    with pytest.raises(InputError, match="scope"):
        ws.save_raci("tier:7", edited, "x", by=admin)
    ws.create_user("dana", "Dana", "dana-pass-1", by=admin)
    with pytest.raises(PermissionDenied):
        ws.save_raci("default", edited, "not an admin", by=ws.authenticate("dana", "dana-pass-1"))
    assert governance.current_raci(ws).version == 2
    assert ws.verify_audit_chain().intact


# ----------------------------------------------------------------------------- demo and CLI
def test_demo_users_fill_the_raci_of_a_demo_model(demo_workspace):
    with Workspace.open(demo_workspace) as ws:
        users = {u.login: u for u in ws.list_users()}
        assert {"admin", "priya", "mateo", "sofia", "kenji", "lena", "amara", "hugo"} <= set(users)
        assert users["admin"].has_role(R.ADMIN) and users["hugo"].has_role(R.AUDITOR)
        assert ws.authenticate("sofia", "demo-sofia").has_role(R.MODEL_RISK_MANAGER)
        model = next(m for m in ws.list_models() if m.risk_tier == 1)
        entries = {(e.task, e.role): e for e in ws.raci_for_model(model.name)}
    val = entries[(T.MODEL_VALIDATION, R.DATA_SCIENTIST)]
    assert val.letters == "R" and {u.login for u in val.users} == {"priya", "mateo"}
    assert entries[(T.MODEL_VALIDATION, R.MODEL_RISK_MANAGER)].letters == "A"
    # two DevOps Engineers: the deployment's Accountable may not be its submitter
    assert [u.login for u in entries[(T.DEPLOYMENT, R.DEVOPS_ENGINEER)].users] == ["lena", "omar"]
    assert entries[(T.DEPLOYMENT, R.MODEL_RISK_MANAGER)].letters == "C/S"  # tier 1: signs too
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## " in readme and "Demo users" in readme and "demo-priya" in readme


def test_cli_users_and_raci(demo_copy):
    proc = run_cli("users", "list", "--json", workspace=demo_copy)
    assert proc.returncode == 0, proc.stderr
    listed = {u["login"]: u for u in json.loads(proc.stdout)}
    assert listed["mateo"]["roles"] == [{"role": "Data Scientist", "model": None}]

    ok = run_cli("users", "add", "zoe", "--name", "Zoë Adler", "--role", "sme", "--user", "admin",
                 "--password-stdin", workspace=demo_copy, input="demo-admin\nzoe-pass-99\n")
    assert ok.returncode == 0, ok.stderr
    assert "Zoë Adler" in ok.stdout and "Subject Matter Expert (SME)" in ok.stdout

    refused = run_cli("users", "add", "eve", "--name", "Eve", "--user", "priya", "--password-stdin",
                      workspace=demo_copy, input="demo-priya\neve-pass-99\n")
    assert refused.returncode == 1 and "only an active Admin" in refused.stderr
    wrong = run_cli("users", "add", "eve", "--name", "Eve", "--user", "admin", "--password-stdin",
                    workspace=demo_copy, input="nope-nope\neve-pass-99\n")
    assert wrong.returncode == 2 and len(wrong.stderr.strip().splitlines()) == 1
    assert "nope-nope" not in wrong.stderr
    no_tty = run_cli("users", "add", "eve", "--name", "Eve", "--user", "admin", workspace=demo_copy, input="")
    assert no_tty.returncode == 2 and "--password-stdin" in no_tty.stderr
    bad_role = run_cli("users", "add", "eve", "--name", "Eve", "--role", "Wizard", "--user", "admin",
                       "--password-stdin", workspace=demo_copy, input="demo-admin\neve-pass-99\n")
    assert bad_role.returncode == 2 and "unknown role" in bad_role.stderr
    with Workspace.open(demo_copy) as ws:
        assert "eve" not in {u.login for u in ws.list_users()}
        assert ws.verify_audit_chain().intact

    show = run_cli("raci", "show", "Term deposit propensity", "--json", workspace=demo_copy)
    assert show.returncode == 0, show.stderr
    doc = json.loads(show.stdout)
    assert doc["template"] == {"scope": "default", "version": 1} and doc["risk_tier"] == 2
    assert [t["task"] for t in doc["tasks"]] == [t.value for t in LifecycleTask]
    mv = next(t for t in doc["tasks"] if t["task"] == T.MODEL_VALIDATION.value)
    mrm = next(r for r in mv["roles"] if r["role"] == "Model Risk Manager")
    assert mrm["letters"] == "A" and [p["login"] for p in mrm["people"]] == ["sofia"]
    text = run_cli("raci", "show", "Term deposit propensity", workspace=demo_copy)
    assert text.returncode == 0 and "Sofia Lindqvist (sofia)" in text.stdout
    missing = run_cli("raci", "show", "No such model", workspace=demo_copy)
    assert missing.returncode == 2 and "no model named" in missing.stderr


def test_cli_roles_passwords_deactivation_raci_edit_and_erasure(demo_copy, tmp_path):
    def cli(*args, pw=""):
        return run_cli(*args, workspace=demo_copy, input=pw)

    ok = cli("users", "assign", "ines", "Model Risk Manager", "--model", "Income eligibility screen",
             "--user", "admin", "--password-stdin", pw="demo-admin\n")
    assert ok.returncode == 0 and "for Income eligibility screen" in ok.stdout, ok.stderr
    refused = cli("users", "revoke", "sofia", "Model Risk Manager", "--user", "priya", "--password-stdin",
                  pw="demo-priya\n")
    assert refused.returncode == 1 and "only an active Admin" in refused.stderr
    changed = cli("users", "passwd", "priya", "--user", "priya", "--password-stdin",
                  pw="demo-priya\nnew-secret-1\nnew-secret-1\n")
    assert changed.returncode == 0, changed.stderr
    with Workspace.open(demo_copy) as ws:
        assert ws.authenticate("priya", "new-secret-1").login == "priya"
        assert ws.authenticate("ines", "demo-ines").has_role(R.MODEL_RISK_MANAGER, ws.find_model(
            "Income eligibility screen").id)
    gone = cli("users", "deactivate", "hugo", "--reason", "left the firm", "--user", "admin", "--password-stdin",
               pw="demo-admin\n")
    assert gone.returncode == 0, gone.stderr
    with Workspace.open(demo_copy) as ws, pytest.raises(AuthError):
        ws.authenticate("hugo", "demo-hugo")
    exported = cli("raci", "export")
    matrix = json.loads(exported.stdout)
    bad = copy.deepcopy(matrix)
    bad[T.MODEL_DEVELOPMENT.value][R.MODEL_RISK_MANAGER.value] = "A"
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    p = cli("raci", "set", str(tmp_path / "bad.json"), "--reason", "x", "--user", "admin", "--password-stdin",
            pw="demo-admin\n")
    assert p.returncode == 2 and "'Model development' needs exactly one Accountable" in p.stderr
    good = copy.deepcopy(matrix)
    good[T.MODEL_DEVELOPMENT.value][R.BUSINESS_OWNER.value] = "I"
    (tmp_path / "good.json").write_text(json.dumps(good), encoding="utf-8")
    p = cli("raci", "set", str(tmp_path / "good.json"), "--scope", "tier:1", "--reason", "owners informed",
            "--user", "admin", "--password-stdin", pw="demo-admin\n")
    assert p.returncode == 0 and "tier:1 version 1" in p.stdout, p.stderr
    shown = json.loads(cli("raci", "show", "Income eligibility screen", "--json").stdout)
    assert shown["template"] == {"scope": "tier:1", "version": 1}
    erased = cli("audit", "erase-person", "Hugo Martin", "--reason", "DSR-2026-17", "--user", "admin",
                 "--password-stdin", pw="demo-admin\n")
    assert erased.returncode == 0 and "psn_" in erased.stdout, erased.stderr
    assert cli("audit", "verify").returncode == 0
