"""The real demo workspace and the headless CLI on it (models, validate, report)."""

from __future__ import annotations

import json
import time

import pytest
from pypdf import PdfReader

from console.services.workspace import Workspace
from tests.conftest import run_cli

BANK = "Term deposit propensity"
ADULT = "Income eligibility screen"


def test_demo_workspace_has_real_models(demo_workspace):
    proc = run_cli("models", "list", "--json", workspace=demo_workspace)
    assert proc.returncode == 0, proc.stderr
    models = {m["name"]: m for m in json.loads(proc.stdout)}
    assert len(models) >= 4
    keys = {"name", "owner", "risk_tier", "status", "versions", "champion_version", "source",
            "drift_status", "last_validation", "next_validation_due",
            # registry mirror fields, null for local models
            "source_status", "synced_at", "changed_on_server_at", "deleted_on_server_at"}
    for m in models.values():
        assert set(m) == keys
        assert m["source_status"] is None and m["synced_at"] is None
        assert m["risk_tier"] in (1, 2, 3)
        assert m["status"] in ("development", "validation", "approved", "production", "retired")
        assert m["source"] == "local"
        assert m["last_validation"] in ("pass", "fail")
    bank = models[BANK]
    assert bank["versions"] == 2 and bank["champion_version"] == "1"
    assert bank["owner"] == "Ольга Смирнова"
    assert bank["drift_status"] == "drift"  # the 2010 months drift strongly from the 2008-09 sample


def test_demo_drift_is_real_contact_and_target_drift(demo_workspace):
    with Workspace.open(demo_workspace) as ws:
        detail = ws.get_model(BANK)
    run = detail.drift_runs[0]
    assert len(run.windows) == 30  # calendar months of the prediction log, May 2008 .. Nov 2010 (none in Sep 2008)
    assert run.windows[0].label == "2008-05" and run.windows[-1].label == "2010-11"

    def feature(window, name):
        return next(f for f in window.features if f.name == name)

    first, last = run.windows[0], run.windows[-1]
    # contact is "unknown" for all of the first months and rarely afterwards
    assert feature(last, "contact").psi > 0.25 and feature(first, "contact").psi > 0.25
    target_last = feature(last, "y")
    assert target_last.is_target and target_last.psi > 0.25
    # the subscription rate rises from a few percent to roughly half
    dist = target_last.distribution
    yes = dist["bins"].index("yes")
    assert dist["reference"][yes] < 0.15 < 0.35 < dist["current"][yes]
    assert feature(first, "y").psi < feature(last, "y").psi
    assert last.dataset_drift
    # numbers are real statistics, not placeholders: every tested feature has finite PSI
    for w in run.windows:
        for f in w.features:
            if f.tested:
                assert f.psi is not None and f.psi >= 0


def test_demo_validations_and_lineage(demo_workspace):
    proc = run_cli("models", "show", BANK, "--json", workspace=demo_workspace)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [v["version"] for v in doc["version_details"]] == ["1", "2"]
    for v in doc["version_details"]:
        assert len(v["artifact_sha256"]) == 64 and len(v["data_sha256"]) == 64
        assert 0.5 < v["metrics"]["roc_auc"] < 1.0
    assert doc["version_details"][0]["aliases"] == ["champion"]
    assert doc["version_details"][1]["aliases"] == ["challenger"]
    # both versions were trained on the same data
    assert doc["version_details"][0]["data_sha256"] == doc["version_details"][1]["data_sha256"]
    with Workspace.open(demo_workspace) as ws:
        d = ws.get_model(ADULT)
    assert {r.version for r in d.validation_runs} == {1, 2}
    from console.validation.suite import CATALOGUE

    assert all([c.id for c in r.checks] == [c.id for c in CATALOGUE] for r in d.validation_runs)


def test_demo_is_idempotent(demo_copy):
    with Workspace.open(demo_copy) as ws:
        before = [(m.name, m.versions) for m in ws.list_models()]
        n_events = len(ws.get_model(BANK).audit_events)
    t0 = time.perf_counter()
    proc = run_cli("demo", "--json", workspace=demo_copy)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["versions_added"] == summary["validations_added"] == summary["drift_runs_added"] == 0
    with Workspace.open(demo_copy) as ws:
        assert [(m.name, m.versions) for m in ws.list_models()] == before
        assert len(ws.get_model(BANK).audit_events) == n_events
    assert time.perf_counter() - t0 < 60


def test_validate_cli_exit_codes_and_json(demo_copy, shared_data, tmp_path):
    proc = run_cli("validate", f"{BANK}@challenger", "--json", workspace=demo_copy)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["model"] == BANK and doc["version"] == "2"
    assert doc["passed"] is (proc.returncode == 0)
    ids = [c["id"] for c in doc["checks"]]
    assert ids[0] == "data.schema" and {"performance.metrics", "performance.champion"} <= set(ids)
    for c in doc["checks"]:
        assert {"id", "family", "title", "status", "blocking", "values", "reason", "description", "source",
                "params"} <= set(c)
    champ = next(c for c in doc["checks"] if c["id"] == "performance.champion")
    assert champ["status"] in ("pass", "fail") and champ["values"]["champion_version"] in (1, "1")

    # validating on another labelled file: the last 5,000 bank rows (2009-2010)
    src = (shared_data / "bank_marketing" / "bank-full.csv").read_text().splitlines()
    late = tmp_path / "late.csv"
    late.write_text("\n".join([src[0]] + src[-5000:]) + "\n")
    proc = run_cli("validate", BANK, "--data", str(late), "--target", "y", "--json", workspace=demo_copy)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["version"] == "1" and doc["n_rows"] == 5000
    # `duration` is an extra column the model never saw: reported, not fatal
    schema = next(c for c in doc["checks"] if c["id"] == "data.schema")
    assert "duration" in json.dumps(schema["values"])


@pytest.mark.parametrize(
    "args, needle",
    [
        (["validate", "No such model"], "no model named"),
        (["validate", f"{BANK}@7"], "no version 7"),
        (["validate", f"{BANK}@nonexistent"], "no version or alias"),
        (["validate", BANK, "--data", "/nonexistent/file.csv", "--target", "y"], "file.csv"),
        (["models", "show", "missing model"], "no model named"),
        (["report", BANK, "-o", "/nonexistent-dir/x.pdf"], "does not exist"),
        (["report", BANK, "-o", "x.txt"], ".pdf"),
    ],
)
def test_cli_bad_input_is_one_clear_line_and_exit_2(demo_workspace, args, needle):
    proc = run_cli(*args, workspace=demo_workspace)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_validate_with_wrong_target_column(demo_workspace, tmp_path, shared_data):
    src = (shared_data / "bank_marketing" / "bank-full.csv").read_text().splitlines()
    f = tmp_path / "some.csv"
    f.write_text("\n".join(src[:300]) + "\n")
    proc = run_cli("validate", BANK, "--data", str(f), "--target", "nope", workspace=demo_workspace)
    assert proc.returncode == 2 and "'nope'" in proc.stderr and "Traceback" not in proc.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    proc = run_cli("validate", BANK, "--data", str(empty), "--target", "y", workspace=demo_workspace)
    assert proc.returncode == 2 and "empty.csv" in proc.stderr


def test_report_cli_writes_a_real_pdf(demo_copy, tmp_path):
    out = tmp_path / "bank audit.pdf"
    t0 = time.perf_counter()
    proc = run_cli("report", BANK, "-o", str(out), workspace=demo_copy)
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert BANK in text and "Ольга Смирнова" in text
    for title in ("Model card", "Versions", "Validation", "Drift", "Audit trail"):
        assert title.lower() in text.lower(), title
    assert "Page 1 of" in text
    print(f"report via CLI: {elapsed:.2f} s")
    with Workspace.open(demo_copy) as ws:
        assert ws.get_model(BANK).audit_events[-1].action == "report.exported"


def test_cli_contract_details(demo_workspace, tmp_path):
    # argparse errors are one line too
    proc = run_cli("drift", workspace=demo_workspace)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    # an unwritable report location is a clear error, no partial file
    proc = run_cli("report", BANK, "-o", "/proc/x.pdf", workspace=demo_workspace)
    assert proc.returncode == 2 and "Cannot write the report" in proc.stderr
    # --source that does not hold the model says so
    proc = run_cli("models", "show", BANK, "--source", "bogus", workspace=demo_workspace)
    assert proc.returncode == 2 and "not in registry 'bogus'" in proc.stderr
    # a login with a line break is refused before anything is written
    proc = run_cli("validate", BANK, "--user", "evil\nINJECTED", workspace=demo_workspace)
    assert proc.returncode == 2 and "printable" in proc.stderr
    # legacy code pages: names print with replacements, JSON with \\u escapes
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONIOENCODING="cp1252")
    out = subprocess.run([sys.executable, "-m", "console", "--workspace", str(demo_workspace), "models", "list",
                          "--json"], capture_output=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert any(m["owner"] == "Ольга Смирнова" for m in json.loads(out.stdout.decode("cp1252")))


def test_too_few_rows_cannot_pass_validation(demo_copy, shared_data, tmp_path):
    src = (shared_data / "bank_marketing" / "bank-full.csv").read_text().splitlines()
    f = tmp_path / "tiny.csv"
    f.write_text("\n".join(src[:1] + src[-20:]) + "\n")
    proc = run_cli("validate", BANK, "--data", str(f), "--target", "y", "--json", workspace=demo_copy)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    thr = next(c for c in doc["checks"] if c["id"] == "performance.metrics")
    assert thr["status"] == "error" and "at least 100" in thr["reason"]


def test_model_names_containing_at(tmp_path):
    from console.domain.models import TaskType

    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        ws.register_model(name="Churn@retail", owner="o", risk_tier=3, task=TaskType.CLASSIFICATION)
    proc = run_cli("models", "show", "Churn@retail", "--json", workspace=tmp_path / "ws.sqlite")
    assert proc.returncode == 0 and json.loads(proc.stdout)["name"] == "Churn@retail"
    proc = run_cli("validate", "Churn@retail", workspace=tmp_path / "ws.sqlite")
    assert proc.returncode == 2 and "has no versions" in proc.stderr
