"""The validation service (issue 6): plans per tier, blocking flags -> findings and exit
codes, fingerprinted re-runs, protected attributes, the pickle trust step and migration
0007 — on real SQLite files and the real PostgreSQL fixture, with the German-credit data
from ../shared/data and the real ``tollgate`` CLI."""

from __future__ import annotations

import json
import pickle
from datetime import timedelta
from pathlib import Path

import joblib
import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from console.domain.models import TaskType
from console.errors import InputError, PermissionDenied
from console.services import findings, validation
from console.services.workspace import Workspace
from tests.conftest import run_cli

GERMAN_NUMERIC = {1: "duration", 4: "amount", 7: "installment_rate", 10: "residence_since", 12: "age",
                  15: "existing_credits", 17: "dependents"}
MODEL = "Kreditwürdigkeit"


def german(shared_data: Path) -> pd.DataFrame:
    """The 1,000 German-credit applicants: 7 numeric features, ``sex`` (from attribute 9,
    personal status and sex: A92/A95 female) kept as a protected attribute, and ``bad``."""
    raw = pd.read_csv(shared_data / "german_credit" / "german.data", sep=" ", header=None)
    df = raw.iloc[:, list(GERMAN_NUMERIC)].copy()
    df.columns = list(GERMAN_NUMERIC.values())
    df["sex"] = raw.iloc[:, 8].map(lambda c: "female" if c in ("A92", "A95") else "male")
    df["bad"] = (raw.iloc[:, 20] == 2).astype(int)
    return df


def fit(df: pd.DataFrame, C: float = 1.0):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = df[list(GERMAN_NUMERIC.values())]
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=500)).fit(X, df["bad"])


def setup(location, shared_data, tier: int = 2):
    """A workspace with an Admin, a Model Risk Manager, two Data Scientists (dana
    authors) and a Business Owner; one German-credit model with one version."""
    ws = Workspace.open(location)
    ws.create_user("root", "Root Admin", "root-pass-1")
    admin = ws.authenticate("root", "root-pass-1")
    for login, name, role in (("mia", "Mia Risk", "Model Risk Manager"), ("dana", "Dana Author", "Data Scientist"),
                              ("sam", "Sam Second", "Data Scientist"), ("bo", "Bo Owner", "Business Owner")):
        ws.create_user(login, name, f"{login}-pass-1", roles=[role], by=admin)
    df = german(shared_data)
    train = df.iloc[:700].drop(columns=["sex"])
    m = ws.register_model(name=MODEL, owner="Risk", risk_tier=tier, task=TaskType.CLASSIFICATION, actor="dana")
    ws.register_version(m.id, estimator=fit(df.iloc[:700]), training_data=train, target_column="bad",
                        holdout=df.iloc[700:], actor="dana")
    return ws, m


def user(ws, login):
    return ws.authenticate(login, f"{login}-pass-1")


def events(ws, action):
    return [e for e in ws.list_audit_events(action=action)]


# ----------------------------------------------------------------------------- plans
def test_plan_edits_need_a_model_risk_manager_are_versioned_and_audited(workspace_url, shared_data):
    ws, _ = setup(workspace_url, shared_data)
    with ws:
        default = validation.current_plan(ws, 2)
        assert default.version == 0 and default.is_default
        assert default.plan.is_blocking("data.schema") and not default.plan.is_blocking("staleness.age")
        with pytest.raises(PermissionDenied, match="Model Risk Manager or an Admin"):
            validation.set_plan(ws, 2, by=user(ws, "dana"), blocking=["staleness.age"])
        refused = events(ws, "permission.refused")
        assert refused and refused[0].new["action"] == "edit validation plan"
        assert validation.current_plan(ws, 2).version == 0  # nothing stored

        v1 = validation.set_plan(ws, 2, by=user(ws, "mia"), blocking=["staleness.age"],
                                 non_blocking=["performance.calibration"],
                                 params={"performance.metrics": {"min_roc_auc": 0.8}}, reason="stricter AUC")
        assert v1.version == 1 and v1.updated_by == "mia"
        assert v1.plan.is_blocking("staleness.age") and not v1.plan.is_blocking("performance.calibration")
        assert v1.plan.params_for("performance.metrics")["min_roc_auc"] == 0.8
        ev = events(ws, "validation_plan.changed")
        assert len(ev) == 1 and ev[0].reason == "stricter AUC"
        assert ev[0].old["version"] == 0 and ev[0].new["version"] == 1
        assert ev[0].old["blocking"] == {"staleness.age": False, "performance.calibration": True}
        assert ev[0].new["blocking"] == {"staleness.age": True, "performance.calibration": False}
        assert ev[0].old["params"]["performance.metrics"]["min_roc_auc"] == 0.7
        assert ev[0].new["params"]["performance.metrics"]["min_roc_auc"] == 0.8

        v2 = validation.set_plan(ws, 2, by=user(ws, "root"), non_blocking=["staleness.age"])  # Admin may too
        assert v2.version == 2 and not v2.plan.is_blocking("staleness.age")
        assert v2.plan.params_for("performance.metrics")["min_roc_auc"] == 0.8  # earlier edit kept
        same = validation.set_plan(ws, 2, by=user(ws, "mia"), non_blocking=["staleness.age"])
        assert same.version == 2 and len(events(ws, "validation_plan.changed")) == 2  # no-op: nothing stored
        assert [p.version for p in validation.plan_history(ws, 2)] == [2, 1, 0]
        assert validation.current_plan(ws, 1).version == 0  # other tiers untouched

        with pytest.raises(InputError, match="unknown check id 'performance.nope'"):
            validation.set_plan(ws, 2, by=user(ws, "mia"), blocking=["performance.nope"])
        with pytest.raises(InputError, match="no parameter 'min_auc'"):
            validation.set_plan(ws, 2, by=user(ws, "mia"), params={"performance.metrics": {"min_auc": 0.8}})
        with pytest.raises(InputError, match="is a number"):
            validation.set_plan(ws, 2, by=user(ws, "mia"), params={"performance.metrics": {"min_roc_auc": "high"}})
        with pytest.raises(InputError, match="both"):
            validation.set_plan(ws, 2, by=user(ws, "mia"), blocking=["data.schema"], non_blocking=["data.schema"])
        assert ws.verify_audit_chain().intact


def test_plan_cli_show_and_set(tmp_path, shared_data):
    loc = tmp_path / "ws.sqlite"
    setup(loc, shared_data)[0].close()
    shown = run_cli("validation", "plan", "show", "--tier", "3", "--json", workspace=loc)
    assert shown.returncode == 0, shown.stderr
    doc = json.loads(shown.stdout)
    assert doc["tier"] == 3 and doc["version"] == 0 and doc["default"] is True
    blocking = {c["id"] for c in doc["checks"] if c["blocking"]}
    assert blocking == {c["id"] for c in doc["checks"] if c["family"] in ("data", "loading")}

    bad = run_cli("validation", "plan", "set", "--tier", "3", "--blocking", "data.schema,no.such", "--user", "mia",
                  "--password-stdin", input="mia-pass-1\n", workspace=loc)
    assert bad.returncode == 2 and "unknown check id 'no.such'" in bad.stderr and len(bad.stderr.splitlines()) == 1
    refused = run_cli("validation", "plan", "set", "--tier", "3", "--blocking", "fairness.group_metrics",
                      "--user", "bo", "--password-stdin", input="bo-pass-1\n", workspace=loc)
    assert refused.returncode == 1 and "refused" in refused.stderr and len(refused.stderr.splitlines()) == 1
    nopw = run_cli("validation", "plan", "set", "--tier", "3", "--blocking", "fairness.group_metrics",
                   "--user", "mia", workspace=loc, input="")
    assert nopw.returncode == 2 and "--password-stdin" in nopw.stderr
    ok = run_cli("validation", "plan", "set", "--tier", "3", "--blocking", "fairness.group_metrics",
                 "--param", "fairness.group_metrics.min_ratio=0.9", "--reason", "fair lending", "--user", "mia",
                 "--password-stdin", "--json", input="mia-pass-1\n", workspace=loc)
    assert ok.returncode == 0, ok.stderr
    doc = json.loads(ok.stdout)
    fair = next(c for c in doc["checks"] if c["id"] == "fairness.group_metrics")
    assert doc["version"] == 1 and fair["blocking"] is True and fair["params"]["min_ratio"] == 0.9
    hist = json.loads(run_cli("validation", "plan", "show", "--tier", "3", "--history", "--json",
                              workspace=loc).stdout)
    assert [h["version"] for h in hist] == [1, 0] and hist[0]["updated_by"] == "mia"


# ----------------------------------------------------------------------------- blocking -> findings, exit code
def test_blocking_flags_from_the_plan_drive_findings_and_the_exit_code(tmp_path, shared_data):
    loc = tmp_path / "ws.sqlite"
    ws, m = setup(loc, shared_data, tier=2)
    with ws:
        # An unreachable minimum makes performance.metrics fail; it blocks in tier 2.
        validation.set_plan(ws, 2, by=user(ws, "mia"), params={"performance.metrics": {"min_roc_auc": 0.99}})
    proc = run_cli("validate", MODEL, "--json", "--user", "sam", workspace=loc)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    metrics = next(c for c in doc["checks"] if c["id"] == "performance.metrics")
    assert metrics["status"] == "fail" and metrics["blocking"] is True and doc["passed"] is False
    assert metrics["params"]["min_roc_auc"] == 0.99 and metrics["description"] and metrics["source"]
    for c in doc["checks"]:
        assert {"id", "family", "status", "blocking", "values", "description", "source", "params"} <= set(c)
    fp = doc["fingerprints"]
    assert fp["artifact_sha256"] and fp["training_sha256"] and fp["data_blob_sha256"]
    assert {"python", "numpy", "pandas", "scikit-learn", "scipy", "fairlearn", "skops"} <= set(fp["packages"])
    assert fp["params"]["performance.metrics"]["min_roc_auc"] == 0.99 and fp["plan"]["tier"] == 2
    with Workspace.open(loc) as ws:
        fs = findings.list_findings(ws, model=MODEL)
        perf = [f for f in fs if f.source_ref == "v1:performance.metrics"]
        assert len(perf) == 1 and perf[0].severity == "medium" and perf[0].owner == "dana"
        run = ws.get_model(MODEL).validation_runs[0]
        assert perf[0].due_at == run.finished_at + timedelta(days=validation.REMEDIATION_DAYS["medium"])
        blocking_failed = {c.id for c in run.checks if c.blocking and c.status.value in ("fail", "error")}
        assert {f.source_ref.split(":", 1)[1] for f in fs if f.source == "validation"} == blocking_failed
        # the same failure made non-blocking: reported, but the run passes and opens nothing new
        validation.set_plan(ws, 2, by=user(ws, "mia"), non_blocking=sorted(blocking_failed))
        n_open = len(findings.list_findings(ws, model=MODEL))
    proc = run_cli("validate", MODEL, "--json", workspace=loc)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    metrics = next(c for c in doc["checks"] if c["id"] == "performance.metrics")
    assert metrics["status"] == "fail" and metrics["blocking"] is False and doc["passed"] is True
    with Workspace.open(loc) as ws:
        assert len(findings.list_findings(ws, model=MODEL)) == n_open


def test_wrong_target_and_unknown_run_are_one_line_errors(tmp_path, shared_data):
    loc = tmp_path / "ws.sqlite"
    ws, _ = setup(loc, shared_data)
    ws.close()
    f = tmp_path / "eval.csv"
    german(shared_data).iloc[800:].to_csv(f, index=False)
    proc = run_cli("validate", MODEL, "--data", str(f), "--target", "nope", workspace=loc)
    assert proc.returncode == 2 and "'nope'" in proc.stderr and len(proc.stderr.splitlines()) == 1
    proc = run_cli("validate", MODEL, "--rerun", "999", workspace=loc)
    assert proc.returncode == 2 and "no validation run #999" in proc.stderr and len(proc.stderr.splitlines()) == 1
    # a file without a training column, or with ±inf in a feature, is bad input: exit 2,
    # naming the column, and no run or finding is recorded
    no_col = tmp_path / "no-col.csv"
    german(shared_data).iloc[800:].drop(columns=["duration"]).to_csv(no_col, index=False)
    inf = tmp_path / "inf.csv"
    bad = german(shared_data).iloc[800:].reset_index(drop=True)
    bad["amount"] = bad["amount"].astype("float64")
    bad.loc[4, "amount"] = float("inf")
    bad.to_csv(inf, index=False)
    for f, words in ((no_col, ("lacks", "duration")), (inf, ("'amount'", "infinite", "row 5"))):
        proc = run_cli("validate", MODEL, "--data", str(f), "--target", "bad", workspace=loc)
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.splitlines()) == 1 and all(w in proc.stderr for w in words), proc.stderr
    with Workspace.open(loc) as ws:
        assert ws.get_model(MODEL).validation_runs == () and findings.list_findings(ws) == []


# ----------------------------------------------------------------------------- re-run
def test_rerun_reproduces_and_a_changed_input_is_visible(tmp_path, shared_data):
    loc = tmp_path / "ws.sqlite"
    ws, m = setup(loc, shared_data)
    ws.close()
    f = tmp_path / "eval.csv"
    german(shared_data).iloc[750:].to_csv(f, index=False)
    first = run_cli("validate", MODEL, "--data", str(f), "--target", "bad", "--json", workspace=loc)
    assert first.returncode in (0, 1), first.stderr
    orig = json.loads(first.stdout)
    f.unlink()  # the re-run needs nothing but the workspace: the data was stored as a blob

    again = run_cli("validate", MODEL, "--rerun", str(orig["run_id"]), "--json", workspace=loc)
    assert again.returncode == first.returncode, again.stderr
    doc = json.loads(again.stdout)
    assert doc["rerun_of"] == orig["run_id"] and doc["run_id"] != orig["run_id"]
    assert doc["rerun"]["changes"] == [], doc["rerun"]
    assert doc["data_sha256"] == orig["data_sha256"] and doc["n_rows"] == 250
    statuses = {c["id"]: c["status"] for c in orig["checks"]}
    # latency/memory are measurements of this machine; every other verdict must repeat
    assert {c["id"]: c["status"] for c in doc["checks"] if c["id"] != "robustness.stress"} == \
        {k: v for k, v in statuses.items() if k != "robustness.stress"}

    # A run made under another scikit-learn (its recorded fingerprint says so) and a
    # plan edited since: the re-run shows both.
    with Workspace.open(loc) as ws:
        validation.set_plan(ws, 2, by=user(ws, "mia"), params={"performance.metrics": {"min_roc_auc": 0.55}})
    eng = create_engine(f"sqlite:///{loc}")
    with eng.begin() as c:
        fp = json.loads(c.execute(text("select fingerprints from validation_run where id = :i"),
                                  {"i": orig["run_id"]}).scalar())
        fp["packages"]["scikit-learn"] = "1.0.2"
        c.execute(text("update validation_run set fingerprints = :f where id = :i"),
                  {"f": json.dumps(fp), "i": orig["run_id"]})
    eng.dispose()
    with Workspace.open(loc) as ws:
        rep = ws.rerun_validation(orig["run_id"], actor="sam")
        assert [(c.what, c.old) for c in rep.changes] == [("packages.scikit-learn", "1.0.2")]
        assert not rep.reproduced and rep.current_plan_differs
        # the re-run used the original plan's parameters, not the edited ones
        metrics = next(c for c in rep.run.checks if c.id == "performance.metrics")
        assert metrics.params["min_roc_auc"] == 0.7
        assert rep.run.rerun_of == orig["run_id"]


# ----------------------------------------------------------------------------- protected attributes
def test_protected_attributes_permissions_audit_and_use(tmp_path, shared_data):
    loc = tmp_path / "ws.sqlite"
    ws, m = setup(loc, shared_data)
    with ws:
        with pytest.raises(PermissionDenied, match="model's Data Scientist"):
            validation.set_protected_attributes(ws, MODEL, ["sex"], by=user(ws, "bo"))
        with pytest.raises(PermissionDenied):  # a Data Scientist who did not author it, no role for it
            validation.set_protected_attributes(ws, MODEL, ["sex"], by=user(ws, "sam"))
        assert validation.set_protected_attributes(ws, MODEL, ["sex", "age", "sex"], by=user(ws, "dana")) == \
            ("sex", "age")
        with pytest.raises(InputError, match="no column religion"):  # neither a feature nor in the holdout
            validation.set_protected_attributes(ws, MODEL, ["sex", "religion"], by=user(ws, "dana"))
    proc = run_cli("models", "protect", MODEL, "--attributes", "sex,age", "--user", "mia", "--password-stdin",
                   input="mia-pass-1\n", workspace=loc)
    assert proc.returncode == 0, proc.stderr  # unchanged: no second event
    proc = run_cli("models", "protect", MODEL, "--attributes", "sex", "--reason", "age is banded elsewhere",
                   "--user", "mia", "--password-stdin", input="mia-pass-1\n", workspace=loc)
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(run_cli("models", "show", MODEL, "--json", workspace=loc).stdout)
    assert shown["protected_attributes"] == ["sex"]
    assert shown["version_details"][0]["training_sha256"]
    with Workspace.open(loc) as ws:
        ev = events(ws, "model.protected_attributes_set")
        assert [(e.old["protected_attributes"], e.new["protected_attributes"]) for e in reversed(ev)] == [
            ([], ["sex", "age"]), (["sex", "age"], ["sex"])]
        run = ws.run_validation(MODEL, actor="sam")
        fair = next(c for c in run.checks if c.id == "fairness.group_metrics")
        # `sex` is no model input but is in the holdout: the fairness check judges it
        assert fair.status.value != "skipped" or "sex" in (fair.reason or ""), fair
        assert "sex" in json.dumps(fair.values) or "sex" in (fair.reason or "")


# ----------------------------------------------------------------------------- trust step
class _Tripwire:
    """Unpickling this creates a file: proof that a refused pickle was never loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_pickle_refused_until_trusted_and_again_after_it_changes(workspace_url, shared_data, tmp_path):
    ws, m = setup(workspace_url, shared_data)
    ws.close()
    df = german(shared_data)
    train, hold = tmp_path / "train.csv", tmp_path / "hold.csv"
    df.iloc[:700].drop(columns=["sex"]).to_csv(train, index=False)
    df.iloc[700:].to_csv(hold, index=False)
    model_file = tmp_path / "model.joblib"
    joblib.dump(fit(df.iloc[:700], C=0.3), model_file)
    sha = validation.sha256_hex(model_file.read_bytes())
    reg = ("models", "register", MODEL, str(model_file), "--data", str(train), "--target", "bad",
           "--holdout", str(hold))

    proc = run_cli(*reg, "--user", "dana", workspace=workspace_url)
    assert proc.returncode == 2 and "nobody has trusted it" in proc.stderr and sha in proc.stderr
    assert len(proc.stderr.splitlines()) == 1

    # never unpickled before the trust check: a booby-trapped pickle does nothing
    marker = tmp_path / "was-unpickled"
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps(_Tripwire(marker)))
    proc = run_cli("models", "register", MODEL, str(evil), "--data", str(train), "--target", "bad",
                   workspace=workspace_url)
    assert proc.returncode == 2 and not marker.exists()
    # a wrong vouched hash is refused before anything is trusted
    proc = run_cli(*reg, "--trust-sha256", "0" * 64, "--user", "dana", "--password-stdin", input="dana-pass-1\n",
                   workspace=workspace_url)
    assert proc.returncode == 2 and "not the one you checked" in proc.stderr
    # an Owner may not trust model files
    proc = run_cli("models", "trust", str(model_file), "--user", "bo", "--password-stdin", input="bo-pass-1\n",
                   workspace=workspace_url)
    assert proc.returncode == 1 and "refused" in proc.stderr

    proc = run_cli("models", "trust", str(model_file), "--sha256", sha, "--reason", "built by our CI, run 4711",
                   "--user", "dana", "--password-stdin", "--json", input="dana-pass-1\n", workspace=workspace_url)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["sha256"] == sha
    proc = run_cli(*reg, "--user", "dana", "--json", workspace=workspace_url)
    assert proc.returncode == 0, proc.stderr
    reg_doc = json.loads(proc.stdout)
    assert reg_doc["version"] == "2" and reg_doc["source_format"] == "pickle" and reg_doc["source_sha256"] == sha

    with Workspace.open(workspace_url) as ws:
        trusted = events(ws, "artifact.trusted")
        assert len(trusted) == 1 and trusted[0].new["sha256"] == sha and trusted[0].actor == "dana"
        assert len(events(ws, "artifact.refused")) >= 2
        v2 = ws.get_model(MODEL).versions[-1]
        assert v2.source_format == "pickle" and v2.source_sha256 == sha and v2.artifact_sha256 != sha
        info = validation.artifact_info(ws, v2)
        assert (info.format, info.sha256, info.trusted_by) == ("pickle", sha, "dana")
        run = ws.run_validation(MODEL, 2, actor="sam")
        loading = next(c for c in run.checks if c.id == "loading.safe_format")
        assert loading.status.value in ("pass", "warn", "skipped"), loading

    # the same file name with other bytes: refused again, naming the trusted hash
    joblib.dump(fit(df.iloc[:700], C=0.05), model_file)
    proc = run_cli(*reg, "--user", "dana", workspace=workspace_url)
    assert proc.returncode == 2 and "changed since dana trusted it" in proc.stderr and sha in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    with Workspace.open(workspace_url) as ws:
        assert len(ws.get_model(MODEL).versions) == 2
        assert ws.verify_audit_chain().intact


# ----------------------------------------------------------------------------- migration 0007
def test_migration_from_0006_keeps_old_runs_readable(workspace_url, shared_data):
    """A workspace at schema 0006 holding a version and a validation run (as the 0006
    code wrote them) opens at 0007: the run reads back with its checks and migrated
    fingerprints, and can be re-run on the version's holdout."""
    from alembic import command
    from sqlalchemy import MetaData

    from console.fingerprint import dataframe_fingerprint, sha256_hex
    from console.store.db import _alembic_config
    from console.store.orm import utcnow
    from console.validation.loading import dump_model

    url = workspace_url if workspace_url.startswith("postgresql") else f"sqlite:///{workspace_url}"
    eng = create_engine(url)
    with eng.begin() as conn:
        command.upgrade(_alembic_config(conn), "0006")
    df = german(shared_data).drop(columns=["sex"])
    art = dump_model(fit(df.iloc[:700]))
    buf = Workspace.dataset_bytes(df.iloc[700:])
    now = utcnow()
    md = MetaData()
    md.reflect(eng)
    t = md.tables
    with eng.begin() as c:
        for data, media in ((art, "application/x-skops"), (buf, "application/vnd.apache.parquet")):
            c.execute(t["blob"].insert().values(sha256=sha256_hex(data), media_type=media, size=len(data), data=data,
                                                created_at=now))
        mid = c.execute(t["registered_model"].insert().values(
            name="Old model", source="local", owner="x", risk_tier=2, status="development", task="classification",
            description="", business_unit="", use_case="", intended_use="", restrictions="", created_at=now,
            updated_at=now, row_version=1).returning(t["registered_model"].c.id)).scalar()
        vid = c.execute(t["model_version"].insert().values(
            model_id=mid, version=1, framework="scikit-learn", estimator_class="Pipeline",
            artifact_sha256=sha256_hex(art), data_sha256=dataframe_fingerprint(df.iloc[:700]),
            training_schema={k: "int64" for k in GERMAN_NUMERIC.values()}, target_column="bad",
            holdout_sha256=sha256_hex(buf), reference_sha256=sha256_hex(buf), hyperparameters={}, metrics={},
            description="", created_by="old", created_at=now).returning(t["model_version"].c.id)).scalar()
        rid = c.execute(t["validation_run"].insert().values(
            version_id=vid, started_at=now, finished_at=now, passed=True, run_by="old",
            data_label="holdout recorded at registration", data_sha256=dataframe_fingerprint(df.iloc[700:]),
            n_rows=300, artifact_sha256=sha256_hex(art),
            environment={"scikit-learn": "1.5.0", "python": "3.11.0"}).returning(t["validation_run"].c.id)).scalar()
        c.execute(t["check_result"].insert().values(
            run_id=rid, position=0, check_id="performance.threshold", family="performance", title="old check",
            status="pass", blocking=True, values={"roc_auc": 0.7}, reason=None))
    eng.dispose()

    with Workspace.open(workspace_url) as ws:
        d = ws.get_model("Old model")
        assert d.versions[0].training_sha256 is None and d.model.protected_attributes == ()
        (run,) = d.validation_runs
        assert run.checks[0].id == "performance.threshold" and run.checks[0].description == ""
        assert run.checks[0].params == {} and run.rerun_of is None
        assert run.fingerprints["packages"] == {"scikit-learn": "1.5.0", "python": "3.11.0"}
        assert run.fingerprints["plan"] is None and "before schema 0007" in run.fingerprints["note"]
        rep = ws.rerun_validation(run.id, actor="sam")
        assert rep.run.rerun_of == run.id and any("holdout" in n for n in rep.notes)
        assert any(c.what == "packages.scikit-learn" for c in rep.changes)
        refit = next(c for c in rep.run.checks if c.id == "reproducibility.refit")
        assert refit.status.value == "skipped" and refit.reason


# ----------------------------------------------------------------------------- the demo
def test_demo_declares_protected_attributes_and_records_training_data(demo_workspace):
    with Workspace.open(demo_workspace) as ws:
        adult = ws.get_model("Income eligibility screen")
        assert adult.model.protected_attributes == ("sex", "race", "age")
        bank = ws.get_model("Term deposit propensity")
        assert {"age", "marital"} <= set(bank.model.protected_attributes)
        for d in (adult, bank):
            for v in d.versions:
                assert v.training_sha256 and v.training_data_at is not None
                assert v.training_data_at < v.created_at
            for r in d.validation_runs:
                assert r.fingerprints["plan"]["tier"] == d.model.risk_tier
                assert all(c.description and c.source for c in r.checks)
        blind = ws.get_model("High-income flag (sex- and race-blind)")
        assert "sex" not in blind.versions[0].training_schema
        assert "sex" in ws.load_dataset(blind.versions[0].holdout_sha256).columns
        changes = [e for e in adult.audit_events if e.action == "model.protected_attributes_set"]
        assert changes and changes[0].actor == "sofia"
