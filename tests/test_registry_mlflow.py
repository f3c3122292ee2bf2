"""The MLflow connector, registry sync and ``tollgate registry`` against REAL MLflow
servers on 127.0.0.1 (tests/mlflow_server.py), with real scikit-learn models trained
on the shared datasets (German credit, Taiwan credit-card default) logged through the
mlflow client: pulled inventory, paging, special-character names, lineage, changed /
deleted on server, broken aliases, a server stopped mid-session, basic auth, keyring.
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from console.errors import Cancelled, InputError, NotFoundError
from console.jobs import CancelToken
from console.services.workspace import Workspace
from console.store import secrets
from console.store.mlflow import RegistryAuthError, RegistryUnreachable
from console.store.secrets import SecretStoreError
from tests.conftest import run_cli
from tests.mlflow_server import require_mlflow

pytestmark = pytest.mark.slow

SPECIAL = "Kunde's \"Kredit\" 100% Ωμέγα Кредит"  # quotes, %, spaces, Greek, Cyrillic
TAIWAN = "taiwan default 2005 (logit)"
FILLERS = [f"filler {i} ñ {'%' * i}" for i in range(1, 6)]
PASSWORD = "tg-Adm1n-pw-7f3K9qZ"
SMALL_PAGE = 2  # models and versions pages of 2: every listing takes several pages


# ------------------------------------------------------------------ real models
def german_credit(shared_data: Path) -> tuple[pd.DataFrame, pd.Series]:
    """German credit (Statlog): the 7 numeric attributes; target 1 = bad credit."""
    df = pd.read_csv(shared_data / "german_credit" / "german.data", sep=" ", header=None)
    X = df[[1, 4, 7, 10, 12, 15, 17]].astype(float)
    X.columns = ["duration", "amount", "installment_rate", "residence", "age", "n_credits", "n_liable"]
    return X, (df[20] == 2).astype(int).rename("bad")


def taiwan_default(shared_data: Path, n: int = 3000) -> tuple[pd.DataFrame, pd.Series]:
    df = pd.read_csv(shared_data / "default_credit_card_taiwan" / "default_of_credit_card_clients.csv", header=1)
    df = df.sample(n=n, random_state=0)
    y = df["default payment next month"].astype(int).rename("default")
    X = df[["LIMIT_BAL", "AGE", "PAY_0", "BILL_AMT1", "PAY_AMT1"]].astype(float)
    return X, y


def log_model(server, name: str, estimator, X, y, *, dataset: str, source: str, params: dict) -> str:
    """Fit, log (params, AUC, the training data as a dataset input) and register a
    real scikit-learn model; returns the new version string."""
    import mlflow
    from sklearn.metrics import roc_auc_score

    with server.tracking(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.set_experiment("tollgate-tests")
        with mlflow.start_run():
            estimator.fit(X, y)
            mlflow.log_params(params)
            mlflow.log_metric("train_auc", float(roc_auc_score(y, estimator.predict_proba(X)[:, 1])))
            ds = mlflow.data.from_pandas(pd.concat([X, y], axis=1), source=source, name=dataset, targets=y.name)
            mlflow.log_input(ds, context="training")
            info = mlflow.sklearn.log_model(estimator, name="model", registered_model_name=name)
    return str(info.registered_model_version)


@pytest.fixture(scope="session")
def inventory(mlflow_server, shared_data):
    """Registers on the shared server: SPECIAL (2 versions, aliases, tags), TAIWAN and
    five fillers (versions pointing at SPECIAL's first run)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    c = mlflow_server.client()
    X, y = german_credit(shared_data)
    src = str(shared_data / "german_credit" / "german.data")
    v1 = log_model(mlflow_server, SPECIAL, make_pipeline(StandardScaler(), LogisticRegression(C=1.0)), X, y,
                   dataset="german credit", source=src, params={"C": 1.0})
    v2 = log_model(mlflow_server, SPECIAL, make_pipeline(StandardScaler(), LogisticRegression(C=0.1)), X, y,
                   dataset="german credit", source=src, params={"C": 0.1})
    c.update_registered_model(SPECIAL, description="Scorecard for consumer credit (German credit data)")
    c.set_registered_model_tag(SPECIAL, "owner", "alice")
    c.set_registered_model_tag(SPECIAL, "task", "classification")
    c.set_registered_model_alias(SPECIAL, "champion", v2)
    c.set_registered_model_alias(SPECIAL, "challenger", v1)
    c.set_model_version_tag(SPECIAL, v1, "validated_by", "bob")
    Xt, yt = taiwan_default(shared_data)
    log_model(mlflow_server, TAIWAN, make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)), Xt, yt,
              dataset="taiwan sample",
              source=str(shared_data / "default_credit_card_taiwan" / "default_of_credit_card_clients.csv"),
              params={"max_iter": 500})
    c.set_registered_model_tag(TAIWAN, "owner", "bob")
    first = c.get_model_version(SPECIAL, v1)
    for name in FILLERS:
        c.create_registered_model(name, description=f"{name} description")
        add_version(c, name, first.run_id)
    return {"special_versions": (v1, v2), "run_id": first.run_id}


def add_version(client, name: str, run_id: str | None = None) -> str:
    """A version without training (the server requires a run to point at)."""
    if run_id is None:
        exp = client.get_experiment_by_name("bare") or None
        exp_id = exp.experiment_id if exp else client.create_experiment("bare")
        run_id = client.create_run(exp_id).info.run_id
    return client.create_model_version(name, source=f"runs:/{run_id}/model", run_id=run_id).version


def sync_ok(ws: Workspace, names=None, **kw):
    results = ws.sync_registries(names, actor="tester", **kw)
    for r in results:
        assert r.ok, r.error
    return results


# ------------------------------------------------------------------ inventory
def test_sync_pulls_every_page_with_exact_names_and_lineage(tmp_path, mlflow_server, inventory):
    ws_path = tmp_path / "ws.sqlite"
    proc = run_cli("registry", "add-mlflow", "mlflow-main", "--url", mlflow_server.url + "/", workspace=ws_path)
    assert proc.returncode == 0, proc.stderr
    with Workspace.open(ws_path) as ws:
        (res,) = sync_ok(ws, page_size=SMALL_PAGE)
        c = mlflow_server.client()
        server_models = c.search_registered_models(max_results=1000)
        server_versions = c.search_model_versions(max_results=10000)
        assert len(server_models) > 3 * SMALL_PAGE  # several pages of models and of versions
        assert res.models == len(server_models) and res.versions == len(server_versions)
        assert res.new == res.models + res.versions and res.changed == res.deleted == 0
        assert res.detail["requests"] >= len(server_models) // SMALL_PAGE + len(server_versions) // SMALL_PAGE
        listed = {m.name: m for m in ws.list_models()}
        assert {m.name for m in server_models} <= set(listed)
        for name in [SPECIAL, TAIWAN, *FILLERS]:
            m = listed[name]
            assert m.source == "mlflow-main" and m.source_status == "ok" and m.synced_at is not None
            assert m.risk_tier == 1 and m.status.value == "development"
        assert listed[SPECIAL].owner == "alice" and listed[SPECIAL].task == "classification"
        assert listed[TAIWAN].owner == "bob" and listed[TAIWAN].task == "unknown"

        d = ws.get_model(listed[SPECIAL].id)
        assert d.model.description == "Scorecard for consumer credit (German credit data)"
        assert d.model.tags["owner"] == "alice"
        assert [v.version for v in d.versions] == [1, 2]
        v1 = d.versions[0]
        assert v1.artifact_sha256 is None and v1.external_version == "1" and v1.run_id == inventory["run_id"]
        assert v1.source_uri and v1.tags == {"validated_by": "bob"}
        assert v1.hyperparameters == {"C": "1.0"} and 0.5 < v1.metrics["train_auc"] <= 1.0
        (dsi,) = v1.lineage["datasets"]
        assert dsi["name"] == "german credit" and dsi["context"] == "training"
        assert dsi["source"]["uri"].endswith("german.data") and dsi["profile"]["num_rows"] == 1000
        assert v1.lineage["run"]["artifact_uri"] and v1.training_schema["age"] == "double"
        assert {(a.name, a.version, a.broken) for a in d.registry_aliases} == {("champion", 2, False), ("challenger", 1, False)}
        # NAME@X: the server's version number or alias; the model itself is never addressed by URL.
        assert ws.resolve(f"{SPECIAL}@champion")[1].version == 2
        assert ws.resolve(f"{SPECIAL}@challenger")[1].version == 1
        assert ws.resolve(f"{SPECIAL}@1")[1].run_id == inventory["run_id"]
        with pytest.raises(InputError, match="without its artifact"):
            ws.run_validation(listed[SPECIAL].id, 2)
        # A second sync with nothing changed on the server touches nothing.
        before = len(ws.get_model(listed[SPECIAL].id).audit_events)
        (again,) = sync_ok(ws, page_size=SMALL_PAGE)
        assert (again.new, again.changed, again.deleted) == (0, 0, 0)
        assert len(ws.get_model(listed[SPECIAL].id).audit_events) == before

    out = run_cli("models", "list", "--json", workspace=ws_path)
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert rows[SPECIAL]["source"] == "mlflow-main" and rows[SPECIAL]["source_status"] == "ok"
    assert set(FILLERS) <= set(rows)
    show = run_cli("models", "show", SPECIAL, "--json", workspace=ws_path)
    assert show.returncode == 0, show.stderr
    doc = json.loads(show.stdout)
    assert doc["version_details"][0]["run_id"] == inventory["run_id"] and doc["task"] == "classification"
    listing = run_cli("registry", "list", "--json", workspace=ws_path)
    (src,) = json.loads(listing.stdout)
    assert src["url"] == mlflow_server.url and src["last_sync_status"] == "ok"
    assert src["last_sync_stats"]["models"] == len(server_models)


def test_cli_sync_json_and_cancel(tmp_path, mlflow_server, inventory):
    ws_path = tmp_path / "ws.sqlite"
    with Workspace.open(ws_path) as ws:
        ws.add_registry("main", mlflow_server.url, actor="tester")
        token = CancelToken()
        seen = []

        def progress(fraction, message):
            seen.append(message)
            if "run lineage" in message:
                token.cancel()

        with pytest.raises(Cancelled):
            ws.sync_registries(actor="tester", progress=progress, cancel=token)
        assert ws.list_models() == [] and ws.list_registries()[0].last_sync_at is None  # nothing half-written
    proc = run_cli("registry", "sync", "--json", workspace=ws_path)
    assert proc.returncode == 0, proc.stderr
    (doc,) = json.loads(proc.stdout)
    assert doc["name"] == "main" and doc["error"] is None and doc["new"] >= 7 + 8
    assert {"models", "versions", "new", "changed", "deleted", "error"} <= set(doc)

    # Removing the registry keeps what was pulled, as history; adding it again re-attaches.
    rm = run_cli("registry", "remove", "main", workspace=ws_path)
    assert rm.returncode == 0 and "stay as history" in rm.stdout, rm.stderr
    rows = json.loads(run_cli("models", "list", "--json", workspace=ws_path).stdout)
    assert len(rows) == doc["models"] and {r["source_status"] for r in rows} == {"removed"}
    with Workspace.open(ws_path) as ws:
        ws.add_registry("main", mlflow_server.url, actor="tester")
        (res,) = sync_ok(ws)
        models = ws.list_models()
        assert res.detail["new_models"] == len(models) - len(rows)  # nothing pulled twice
        assert {m.source_status for m in models} == {"ok"} and len({m.name for m in models}) == len(models)
        assert any(e.action == "registry.model_reattached" for e in ws.get_model(SPECIAL).audit_events)


def test_changed_deleted_and_broken_alias(tmp_path, mlflow_server, inventory, shared_data):
    from sklearn.linear_model import LogisticRegression

    name = "mutable credit logit"
    gone = "mutable model that goes away"
    X, y = german_credit(shared_data)
    src = str(shared_data / "german_credit" / "german.data")
    for C in (0.01, 0.1, 1.0):
        log_model(mlflow_server, name, LogisticRegression(C=C, max_iter=500), X, y,
                  dataset="german credit", source=src, params={"C": C})
    c = mlflow_server.client()
    c.set_registered_model_alias(name, "champion", "3")
    c.create_registered_model(gone)
    add_version(c, gone)
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        ws.add_registry("main", mlflow_server.url, actor="tester")
        sync_ok(ws)
        mid = ws.find_model(name).id
        ws.set_status(mid, "validation", actor="officer")  # local governance: must survive syncs
        ws.set_alias(mid, "champion", 2, actor="officer")  # Tollgate's champion differs from the server's
        d = ws.get_model(mid)
        (srv_champ,) = [a for a in d.registry_aliases if a.name == "champion"]
        assert srv_champ.version == 3 and "v2" in srv_champ.conflict

        # Edits on the server are detected as changed, with old -> new in the audit trail.
        c.update_registered_model(name, description="now with a description")
        c.set_model_version_tag(name, "1", "reviewed", "yes")
        c.delete_model_version(name, "3")  # the aliased version: MLflow drops its alias too
        c.delete_registered_model(gone)
        (res,) = sync_ok(ws)
        assert res.detail["changed_models"] >= 1 and res.detail["changed_versions"] == 1
        assert res.detail["deleted_versions"] >= 2 and res.detail["deleted_models"] == 1
        listed = {m.name: m for m in ws.list_models()}
        assert listed[name].changed_on_server_at is not None and listed[name].status.value == "validation"
        assert listed[gone].deleted_on_server_at is not None and listed[gone].versions == 1  # kept as history
        d = ws.get_model(mid)
        assert d.model.description == "now with a description" and d.summary.champion_version == "2"
        v1, v2, v3 = d.versions
        assert v1.changed_on_server_at is not None and v1.tags == {"reviewed": "yes"}
        assert v2.changed_on_server_at is None and v3.deleted_on_server_at is not None
        (broken,) = d.broken_aliases
        assert broken.name == "champion" and broken.external_version == "3" and broken.version is None
        events = [e for e in d.audit_events if e.action == "registry.version_changed"]
        assert events and events[-1].old["tags"] == {} and events[-1].new["tags"] == {"reviewed": "yes"}
        assert any(e.action == "registry.version_deleted" and e.new["version"] == "3" for e in d.audit_events)

        # Tollgate's own champion governs; the server's broken one is only shown (and
        # refused where asked for by name: test_broken_alias_refuses_resolve).
        assert ws.resolve(f"{name}@champion")[1].version == 2
        with pytest.raises(InputError, match="was deleted on registry"):
            ws.set_alias(mid, "challenger", 3, actor="officer")
        assert ws.resolve(f"{name}@3")[1].deleted_on_server_at is not None  # explicit number: history

        # The report of a pulled model shows the lineage and marks the broken alias.
        pdf = ws.export_audit_report(mid, tmp_path / "pulled.pdf", actor="officer")
        from pypdf import PdfReader

        text = " ".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
        assert "BROKEN" in text and "german credit" in text and "deleted on the server" in text.replace("\n", " ")

        # A model deleted on the server and registered again reappears (audited).
        c.create_registered_model(gone)
        (res,) = sync_ok(ws)
        assert res.detail["reappeared"] == 1
        assert {m.name: m for m in ws.list_models()}[gone].deleted_on_server_at is None
        # The next sync with no change writes nothing but its own audit event.
        (res,) = sync_ok(ws)
        assert (res.new, res.changed, res.deleted) == (0, 0, 0)


def test_broken_alias_refuses_resolve(tmp_path, mlflow_server, inventory):
    name = "alias target deleted"
    c = mlflow_server.client()
    c.create_registered_model(name)
    for _ in range(2):
        add_version(c, name, inventory["run_id"])
    c.set_registered_model_alias(name, "production", "2")
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        ws.add_registry("main", mlflow_server.url, actor="tester")
        sync_ok(ws)
        assert ws.resolve(f"{name}@production")[1].version == 2
        c.delete_model_version(name, "2")
        sync_ok(ws)
        with pytest.raises(InputError) as err:
            ws.resolve(f"{name}@production")
        assert "'production'" in str(err.value) and "version 2" in str(err.value) and "deleted" in str(err.value)
        assert ws.resolve(name)[1].version == 1  # default: the latest version still on the server
    show = run_cli("models", "show", name, "--json", workspace=tmp_path / "ws.sqlite")
    doc = json.loads(show.stdout)
    assert doc["registry_aliases"] == [
        {"name": "production", "source": "main", "version": "2", "broken": True, "conflict": None}]
    assert doc["version_details"][1]["deleted_on_server_at"]
    val = run_cli("validate", f"{name}@production", workspace=tmp_path / "ws.sqlite")
    assert val.returncode == 2 and "broken" in val.stderr and "Traceback" not in val.stderr


# ------------------------------------------------------------------ outages
def test_server_stopped_mid_session(tmp_path, mlflow_servers, mlflow_server, inventory):
    flaky = mlflow_servers.start("flaky")
    c = flaky.client()
    c.create_registered_model("flaky model")
    add_version(c, "flaky model")
    ws_path = tmp_path / "ws.sqlite"
    with Workspace.open(ws_path) as ws:
        ws.add_registry("flaky", flaky.url, actor="tester")
        ws.add_registry("main", mlflow_server.url, actor="tester")
        sync_ok(ws)
    flaky.stop()
    try:
        t0 = time.monotonic()
        proc = run_cli("registry", "sync", "--json", workspace=ws_path)
        elapsed = time.monotonic() - t0
        assert proc.returncode == 1, proc.stderr
        assert elapsed < 10, f"an unreachable registry must fail fast, took {elapsed:.1f} s"  # functional bound
        docs = {d["name"]: d for d in json.loads(proc.stdout)}
        assert docs["main"]["error"] is None and docs["main"]["status"] == "ok"  # the healthy one still synced
        assert docs["flaky"]["status"] == "unreachable"
        assert flaky.url in docs["flaky"]["error"] and "last pulled copy stays usable" in docs["flaky"]["error"]
        assert "Traceback" not in proc.stderr and "flaky" in proc.stderr
        rows = {r["name"]: r for r in json.loads(run_cli("models", "list", "--json", workspace=ws_path).stdout)}
        assert rows["flaky model"]["source_status"] == "offline" and rows["flaky model"]["versions"] == 1
        assert rows[SPECIAL]["source_status"] == "ok"
        with Workspace.open(ws_path) as ws:
            with pytest.raises(RegistryUnreachable, match="connection refused"):
                ws.test_registry("flaky")
            assert ws.get_model("flaky model").versions[0].external_version == "1"  # the last copy is usable
            (src,) = [s for s in ws.list_registries() if s.name == "flaky"]
            assert src.offline and src.last_sync_status == "unreachable" and src.last_success_at is not None
    finally:
        flaky.start()
    with Workspace.open(ws_path) as ws:
        (res,) = sync_ok(ws, ["flaky"])
        assert (res.new, res.deleted) == (0, 0)
        assert {m.name: m for m in ws.list_models()}["flaky model"].source_status == "ok"


def test_unreachable_host_and_not_mlflow(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        t0 = time.monotonic()
        with pytest.raises(RegistryUnreachable, match=f"127.0.0.1:{port}.*connection refused"):
            ws.test_registry(url=f"http://127.0.0.1:{port}")
        assert time.monotonic() - t0 < 5


# ------------------------------------------------------------------ credentials


def _cli_keyring_env(tmp_path) -> dict:
    # A separate process chooses keyrings.alt's file backend explicitly; its file lives
    # under XDG_DATA_HOME (python_keyring/keyring_pass.cfg).
    return {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(tmp_path / "xdg")}


def _run_cli_env(env_extra, *args, workspace, input=None):
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = dict(os.environ, **env_extra)
    cmd = [sys.executable, "-m", "console", "--workspace", str(workspace), *args]
    return subprocess.run(cmd, capture_output=True, text=True, input=input, timeout=300, cwd=REPO, env=env)


def _file_bytes(path: Path) -> bytes:
    out = b""
    for p in path.parent.glob(path.name + "*"):
        out += p.read_bytes()
    return out


def test_basic_auth_wrong_and_right_credentials(tmp_path, mlflow_servers, file_keyring):
    require_mlflow()
    secure = mlflow_servers.start("secure", basic_auth_password=PASSWORD)
    with secure.tracking():
        secure.client().create_registered_model("guarded model")
    ws_path = tmp_path / "ws.sqlite"
    wrong = "not-the-Passw0rd-x9"
    with Workspace.open(ws_path) as ws:
        with pytest.raises(RegistryAuthError) as err:
            ws.test_registry(url=secure.url, username="admin", auth="basic", secret=wrong)
        assert "wrong username or password/token" in str(err.value) and wrong not in str(err.value)
        with pytest.raises(RegistryAuthError):
            ws.test_registry(url=secure.url)  # no credentials at all
        with pytest.raises(RegistryAuthError) as err:  # a bearer token this server does not accept
            ws.test_registry(url=secure.url, auth="token", secret=wrong)
        assert wrong not in str(err.value)
        ws.add_registry("secure-wrong", secure.url, username="admin", auth="basic", secret=wrong, actor="tester")
        (res,) = ws.sync_registries(actor="tester")
        assert not res.ok and res.status == "auth" and "wrong username or password/token for registry secure-wrong" in res.error
        assert wrong not in res.error and ws.list_models() == []
        assert file_keyring.get_password(secrets.SERVICE, secrets.registry_key(ws.workspace_id(), "secure-wrong")) == wrong
        assert ws.test_registry(url=secure.url, username="admin", auth="basic", secret=PASSWORD) > 0
        ws.remove_registry("secure-wrong", actor="tester")
        assert file_keyring.get_password(secrets.SERVICE, secrets.registry_key(ws.workspace_id(), "secure-wrong")) is None

    # The CLI, in its own process, stores the password in the (file) keyring and syncs with it.
    env = _cli_keyring_env(tmp_path)
    add = _run_cli_env(env, "registry", "add-mlflow", "secure", "--url", secure.url, "--username", "admin",
                       "--secret-stdin", workspace=ws_path, input=PASSWORD + "\n")
    assert add.returncode == 0, add.stderr
    sync = _run_cli_env(env, "registry", "sync", "secure", "--json", workspace=ws_path)
    assert sync.returncode == 0, sync.stderr
    (doc,) = json.loads(sync.stdout)
    assert doc["models"] == 1 and doc["error"] is None
    listed = _run_cli_env(env, "registry", "list", workspace=ws_path)
    assert "basic (admin)" in listed.stdout
    for out in (add, sync, listed):
        assert PASSWORD not in out.stdout + out.stderr
    assert PASSWORD.encode() not in _file_bytes(ws_path)
    assert wrong.encode() not in _file_bytes(ws_path)
    # Without --secret-stdin and without a terminal: exit 2 saying what to pass.
    nostdin = _run_cli_env(env, "registry", "add-mlflow", "again", "--url", secure.url, "--username", "admin",
                           workspace=ws_path, input="")
    assert nostdin.returncode == 2 and "--secret-stdin" in nostdin.stderr
    # For this run only, with no keyring at all: the secret on stdin.
    nokr = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    once = _run_cli_env(nokr, "registry", "sync", "secure", "--secret-stdin", "--json", workspace=ws_path,
                        input=PASSWORD + "\n")
    assert once.returncode == 0, once.stderr
    # set-secret checks the new password against the server before storing it.
    bad = _run_cli_env(env, "registry", "set-secret", "secure", "--secret-stdin", workspace=ws_path,
                       input=wrong + "\n")
    assert bad.returncode == 2 and "wrong username or password" in bad.stderr and wrong not in bad.stderr
    good = _run_cli_env(env, "registry", "set-secret", "secure", "--secret-stdin", workspace=ws_path,
                        input=PASSWORD + "\n")
    assert good.returncode == 0 and "works" in good.stdout, good.stderr
    assert _run_cli_env(env, "registry", "sync", "secure", workspace=ws_path).returncode == 0
    # Adding the same server twice warns (its models would be listed twice); adding a
    # server that is down today works, with a warning now rather than at the first sync.
    twice = _run_cli_env(env, "registry", "add-mlflow", "secure-again", "--url", secure.url + "/", "--username",
                         "admin", "--secret-stdin", workspace=ws_path, input=PASSWORD + "\n")
    assert twice.returncode == 0 and "registry secure already pulls from" in twice.stderr
    down = _run_cli_env(env, "registry", "add-mlflow", "down", "--url", "http://127.0.0.1:9", workspace=ws_path)
    assert down.returncode == 0 and "was added, but a test call failed" in down.stderr
    assert "unreachable" in down.stderr and "Traceback" not in down.stderr


def test_no_keyring_refuses_plainly(tmp_path, mlflow_servers):
    from keyring.backends.fail import Keyring as NoKeyring

    require_mlflow()
    secure = next((s for s in mlflow_servers.servers if s.basic_auth_password), None) \
        or mlflow_servers.start("secure2", basic_auth_password=PASSWORD)
    password = secure.basic_auth_password  # another test may have started this server
    ws_path = tmp_path / "ws.sqlite"
    secrets.use_backend(NoKeyring())
    try:
        with Workspace.open(ws_path) as ws:
            with pytest.raises(SecretStoreError, match="no OS keyring is available"):
                ws.add_registry("secure", secure.url, username="admin", auth="basic", secret=password, actor="t")
            assert ws.list_registries() == []  # nothing written
            ws.add_registry("secure", secure.url, username="admin", auth="basic", secret=password,
                            session_only=True, actor="t")
            sync_ok(ws)  # the session-only secret works in this process
    finally:
        secrets.use_backend(None)
        secrets._session.clear()
    proc = _run_cli_env({"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}, "registry", "add-mlflow",
                        "other", "--url", secure.url, "--username", "admin", "--secret-stdin",
                        workspace=ws_path, input=password + "\n")
    assert proc.returncode == 2 and "no OS keyring is available" in proc.stderr and "--session-only" in proc.stderr
    assert "Traceback" not in proc.stderr and password not in proc.stderr
    session = _run_cli_env({"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}, "registry", "add-mlflow",
                           "other", "--url", secure.url, "--username", "admin", "--secret-stdin", "--session-only",
                           "--json", workspace=ws_path, input=password + "\n")
    assert session.returncode == 0, session.stderr
    assert json.loads(session.stdout)["sync"]["error"] is None
    assert password.encode() not in _file_bytes(ws_path)


@pytest.mark.parametrize("url, expect", [
    ("http://admin:hunter2-secret@127.0.0.1:5000", "must not contain a user name or password"),
    ("ftp://127.0.0.1/", "must start with http:// or https://"),
    ("127.0.0.1:5000", "must start with http:// or https://"),
    ("http://", "has no host name"),
    ("http://127.0.0.1:99999", "not valid"),
])
def test_url_validation(tmp_path, url, expect):
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        with pytest.raises(InputError, match=expect) as err:
            ws.add_registry("r", url, actor="t")
        assert "hunter2" not in str(err.value)
        assert ws.list_registries() == []


def test_cli_errors_are_one_line(tmp_path):
    ws_path = tmp_path / "ws.sqlite"
    bad = run_cli("registry", "add-mlflow", "r", "--url", "https://u:hunter2-secret@example.org", workspace=ws_path)
    assert bad.returncode == 2 and "hunter2" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert run_cli("registry", "add-mlflow", "local", "--url", "http://127.0.0.1:1", workspace=ws_path).returncode == 2
    missing = run_cli("registry", "sync", "nope", workspace=ws_path)
    assert missing.returncode == 2 and "no registry named 'nope'" in missing.stderr
    empty = run_cli("registry", "sync", "--json", workspace=ws_path)
    assert empty.returncode == 0 and json.loads(empty.stdout) == []
    with Workspace.open(ws_path) as ws:
        with pytest.raises(NotFoundError):
            ws.remove_registry("nope", actor="t")


# ------------------------------------------------------------------ hostile servers
class _HostileServer:
    """A real HTTP server on 127.0.0.1 (a thread) that answers like a broken, hostile or
    non-MLflow server: ``answers`` maps an MLflow endpoint (``registered-models/search``)
    to ``(status, body bytes)`` or to a generator of body chunks (streamed forever or
    slowly); other paths get 404."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        answers: dict = {}
        self.answers = answers

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                endpoint = self.path.split("?")[0].removeprefix("/api/2.0/mlflow/")
                ans = answers.get(endpoint, (404, b""))
                try:
                    if callable(ans):
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.end_headers()
                        for chunk in ans():
                            self.wfile.write(chunk)
                            self.wfile.flush()
                        return
                    status, body = ans
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up: expected
                    pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self.do_GET()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hostile():
    server = _HostileServer()
    yield server
    server.close()


@pytest.mark.parametrize("body", [
    b'{"registered_models": "oops"}',
    b'{"registered_models": [1, "x", null]}',
    b'{"registered_models": [], "next_page_token": 5}',
    b'{"registered_models": [{"name": "m", "aliases": "abc", "tags": 7}]}',
    b'{"registered_models": [{"name": "m"}]}',  # then versions of the wrong shape
])
def test_answers_of_the_wrong_shape_are_a_registry_error(tmp_path, hostile, body):
    """(was: internal error AttributeError, exit 3)"""
    hostile.answers["registered-models/search"] = (200, body)
    hostile.answers["model-versions/search"] = (200, b'{"model_versions": [{"name": "m", "version": "1", "tags": {"a": 1}, "run_id": 5}]}')
    hostile.answers["experiments/search"] = (200, b'{"experiments": []}')
    ws_path = tmp_path / "ws.sqlite"
    with Workspace.open(ws_path) as ws:
        ws.add_registry("odd", hostile.url, actor="t")
    proc = run_cli("registry", "sync", "--json", workspace=ws_path)
    assert proc.returncode == 1, proc.stderr
    (doc,) = json.loads(proc.stdout)
    assert doc["status"] == "error" and "did not answer like an MLflow tracking server" in doc["error"]
    assert "internal error" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    with Workspace.open(ws_path) as ws:
        assert ws.list_models() == []


def test_endless_or_trickling_answers_are_bounded(tmp_path, hostile, monkeypatch):
    """(was: an endless answer grew to 16 GB of memory in a minute; a server sending one
    byte a second held the sync forever, since the read timeout only bounds silence)"""
    from console.store import mlflow as connector

    def endless():
        while True:
            yield b'{"name": "m"},' * 1000

    def trickle():
        for _ in range(600):
            time.sleep(0.2)
            yield b" "

    monkeypatch.setattr(connector, "MAX_RESPONSE_BYTES", 2 * 2**20)
    hostile.answers["registered-models/search"] = endless
    t0 = time.monotonic()
    with pytest.raises(connector.RegistryError, match="larger than 2 MB"):
        connector.MlflowConnection(hostile.url).ping()
    assert time.monotonic() - t0 < 10
    hostile.answers["registered-models/search"] = trickle
    t0 = time.monotonic()
    with pytest.raises(RegistryUnreachable, match="did not arrive within 1.5 s"):
        connector.MlflowConnection(hostile.url, response_timeout=1.5).ping()
    assert time.monotonic() - t0 < 5
    # cancelling (the GUI's Cancel) stops a slow answer too, not only between pages
    token = CancelToken()
    conn = connector.MlflowConnection(hostile.url)
    import threading

    threading.Timer(0.5, token.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        conn.fetch(cancel=token)
    assert time.monotonic() - t0 < 5


def test_silent_servers_fail_at_the_connect_or_read_timeout():
    import socket

    from console.store.mlflow import MlflowConnection

    # A listener whose backlog is full drops new connections like an unroutable address.
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    port = full.getsockname()[1]
    fillers = []
    for _ in range(3):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        fillers.append(c)
    time.sleep(0.2)
    try:
        t0 = time.monotonic()
        with pytest.raises(RegistryUnreachable, match="no answer within 1 s to connect"):
            MlflowConnection(f"http://127.0.0.1:{port}", connect_timeout=1).ping()
        assert time.monotonic() - t0 < 4
    finally:
        for c in fillers:
            c.close()
        full.close()
    # A server that accepts the connection and never answers: the read timeout.
    mute = socket.socket()
    mute.bind(("127.0.0.1", 0))
    mute.listen(5)
    try:
        t0 = time.monotonic()
        with pytest.raises(RegistryUnreachable, match="accepted the connection but sent nothing for 1 s"):
            MlflowConnection(f"http://127.0.0.1:{mute.getsockname()[1]}", read_timeout=1).ping()
        assert time.monotonic() - t0 < 4
    finally:
        mute.close()


@pytest.mark.parametrize("url, expect", [
    ("http://127.0.0.1:5000?", "must not have a query"),  # was stored; the API path became the query
    ("http://127.0.0.1:5000/a\nb", "must not contain spaces, line breaks"),  # was stored; split error lines
    ("http://exa mple.com", "must not contain spaces"),
    ("http://a..b:5000", "invalid host name"),  # was stored; sync then failed with an internal error
    ("http://" + "a" * 70 + ".example.org", "invalid host name"),
])
def test_url_validation_hostile(tmp_path, url, expect):
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        with pytest.raises(InputError, match=expect) as err:
            ws.add_registry("r", url, actor="t")
        assert "\n" not in str(err.value)
        assert ws.list_registries() == []


def test_long_names_aliases_and_tags_on_postgresql(mlflow_servers, pg_database):
    """MLflow allows 255-character aliases and 100,000-character tag values, and (on
    SQLite) model names of any length; on a PostgreSQL workspace these made the whole
    sync fail with an internal error (StringDataRightTruncation, exit 3)."""
    require_mlflow()
    server = mlflow_servers.start("long-names")
    c = server.client()
    alias, long_name, target = "a" * 255, "L" * 401, "t" * 500
    c.create_registered_model("long alias model")
    add_version(c, "long alias model")
    c.set_registered_model_alias("long alias model", alias, "1")
    c.set_model_version_tag("long alias model", "1", "target", target)
    c.create_registered_model(long_name)
    add_version(c, long_name)
    with Workspace.open(pg_database) as ws:
        ws.add_registry("long", server.url, actor="t")
    proc = run_cli("registry", "sync", "--json", workspace=pg_database)
    assert proc.returncode == 0, proc.stderr
    (doc,) = json.loads(proc.stdout)
    assert doc["error"] is None and doc["models"] == 1 and doc["detail"]["skipped_models"] == 1
    assert "1 models not pulled: their names are longer than 400 characters" in proc.stderr
    assert "internal error" not in proc.stderr
    with Workspace.open(pg_database) as ws:
        assert [m.name for m in ws.list_models()] == ["long alias model"]
        d = ws.get_model("long alias model")
        assert [a.name for a in d.registry_aliases] == [alias]  # exactly as on the server
        assert d.versions[0].tags["target"] == target and d.versions[0].target_column == ""
        # the Connections dialog says so too
        from console.ui.connections import sync_summary

        (res,) = ws.sync_registries(actor="t")
        ok, lines = sync_summary([res])
        assert ok and ("warn", "long: 1 models not pulled: their names are longer than 400 characters "
                               "(shorten them on the server)") in lines


def test_a_value_the_workspace_cannot_store_fails_that_source_only(hostile, mlflow_server, inventory, pg_database):
    """A (broken) server sending a run id too long for the workspace: that source fails
    with a clear message and saves nothing; the other registries still sync."""
    hostile.answers["registered-models/search"] = (200, b'{"registered_models": [{"name": "h"}]}')
    hostile.answers["model-versions/search"] = (
        200, json.dumps({"model_versions": [{"name": "h", "version": "1", "run_id": "z" * 150}]}).encode())
    hostile.answers["experiments/search"] = (200, b'{"experiments": []}')
    hostile.answers["runs/get"] = (404, b'{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no run"}')
    with Workspace.open(pg_database) as ws:
        ws.add_registry("broken", hostile.url, actor="t")
        ws.add_registry("main", mlflow_server.url, actor="t")
    proc = run_cli("registry", "sync", "--json", workspace=pg_database)
    assert proc.returncode == 1, proc.stderr
    docs = {d["name"]: d for d in json.loads(proc.stdout)}
    assert docs["main"]["status"] == "ok" and docs["broken"]["status"] == "error"
    assert "sent a value this workspace cannot store" in docs["broken"]["error"]
    assert "internal error" not in proc.stderr
    with Workspace.open(pg_database) as ws:
        assert "h" not in {m.name for m in ws.list_models() if m.source == "broken"}


def test_auto_chosen_plaintext_keyring_is_refused(tmp_path):
    """secrets.py's rule: keyrings.alt's PlaintextKeyring, picked by keyring on its own
    (no PYTHON_KEYRING_BACKEND, no keyringrc.cfg), is not a secure OS keyring."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON_KEYRING", "KEYRING_PROPERTY"))}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    chosen = subprocess.run([sys.executable, "-c", "import keyring; print(type(keyring.get_keyring()).__name__)"],
                            capture_output=True, text=True, env=env, timeout=60).stdout.strip()
    if chosen != "PlaintextKeyring":
        pytest.skip(f"keyring picks {chosen} here, not keyrings.alt's PlaintextKeyring")
    from tests.conftest import REPO

    secret = "Plain-Text-Secret-42"
    proc = subprocess.run([sys.executable, "-m", "console", "--workspace", str(tmp_path / "ws.sqlite"), "registry",
                           "add-mlflow", "s", "--url", "http://127.0.0.1:9", "--username", "u", "--secret-stdin"],
                          capture_output=True, text=True, input=secret + "\n", env=env, cwd=REPO, timeout=120)
    assert proc.returncode == 2 and "is not a secure OS keyring" in proc.stderr, proc.stderr
    assert secret not in proc.stdout + proc.stderr
    assert not (tmp_path / "data").exists() or secret.encode() not in b"".join(
        p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())


def test_an_html_error_page_is_shown_as_words(hostile):
    from console.store.mlflow import MlflowConnection, RegistryError

    page = b"<html><head><title>502</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>"
    hostile.answers["registered-models/search"] = (502, page)
    with pytest.raises(RegistryError) as err:
        MlflowConnection(hostile.url, name="proxied").ping()
    assert str(err.value) == f"registry proxied ({hostile.url}) answered HTTP 502: 502 Bad Gateway nginx"
