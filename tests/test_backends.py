"""The workspace suite on both backends: a real SQLite file and a real PostgreSQL server.

``workspace_url`` is parametrised over ``sqlite`` (a file in tmp) and ``postgresql`` (a
fresh database on the throw-away cluster of ``tests/pg_server.py``).  PostgreSQL-only
tests cover the server's own failure modes: unreachable, missing database, missing
privilege, password missing or wrong, and the password kept in the OS keyring.

Keyring in CLI subprocesses: ``PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring``
plus ``KEYRING_PROPERTY_FILE_PATH=<tmp file>`` (keyring sets ``KEYRING_PROPERTY_*``
variables as backend properties when it loads a backend from the environment); in this
process the same file is read through ``console.store.secrets.use_backend`` with a
``PlaintextKeyring`` whose ``file_path`` is that file.  ``keyring.backends.fail.Keyring``
stands for "no keyring".
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import DateTime, bindparam, create_engine, text
from sqlalchemy.engine import make_url

from console.domain.models import LifecycleStatus, TaskType
from console.errors import ConcurrentChangeError, WorkspaceAuthError, WorkspaceError
from console.services.workspace import WindowSpec, Workspace
from console.store import db, secrets
from console.store.db import _alembic_config, head_revision
from tests.conftest import REPO, run_cli

BANK = "Term deposit propensity"

#: German credit (Statlog), numeric attributes only: 0-based column of german.data -> name.
GERMAN_NUMERIC = {1: "duration", 4: "amount", 7: "installment_rate", 10: "residence_since", 12: "age",
                  15: "existing_credits", 17: "dependents"}


def german_frame(shared_data: Path) -> pd.DataFrame:
    """The 1,000 German-credit applicants: 7 numeric features and ``bad`` (0 good, 1 bad)."""
    raw = pd.read_csv(shared_data / "german_credit" / "german.data", sep=" ", header=None)
    df = raw.iloc[:, list(GERMAN_NUMERIC)].copy()
    df.columns = list(GERMAN_NUMERIC.values())
    df["bad"] = (raw.iloc[:, 20] == 2).astype(int)
    return df


def fitted_model(df: pd.DataFrame, C: float = 1.0):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=500)).fit(df.drop(columns="bad"), df["bad"])


def is_pg(location: str) -> bool:
    return location.startswith("postgresql")


def raw_engine(location: str):
    """A plain SQLAlchemy engine on the workspace database (for inspecting it from outside)."""
    return create_engine(location if is_pg(location) else f"sqlite:///{location}")


# ---------------------------------------------------------------------- schema
def test_create_open_migrate_and_alembic_check(workspace_url):
    t0 = time.perf_counter()
    ws = Workspace.open(workspace_url)
    created = time.perf_counter() - t0
    ws.close()
    eng = raw_engine(workspace_url)
    with eng.begin() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == head_revision()
        assert len(conn.execute(text("select value from workspace_info where key = 'workspace_id'")).scalar()) == 36
        command.check(_alembic_config(conn))  # ORM and migrations agree on this backend too
    eng.dispose()
    Workspace.open(workspace_url).close()  # at head: a no-op
    print(f"schema created on {workspace_url.split(':')[0]} in {created:.2f} s")


def test_upgrade_from_0001_keeps_data(workspace_url):
    """A workspace made by the first schema is upgraded in place by 0002 on both backends."""
    eng = raw_engine(workspace_url)
    with eng.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(text(
            "insert into registered_model (name, source, description, owner, business_unit, use_case, risk_tier, "
            "status, task, intended_use, restrictions, created_at, updated_at) values ('Legacy scorecard', 'local', "
            "'', 'Ann', '', '', 2, 'production', 'classification', '', '', :t, :t)").bindparams(
                bindparam("t", type_=DateTime(timezone=True))), {"t": datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)})
    eng.dispose()
    with Workspace.open(workspace_url) as ws:
        (m,) = ws.list_models()
        assert (m.name, m.status, m.row_version) == ("Legacy scorecard", LifecycleStatus.PRODUCTION, 1)
        ws.set_status(m.id, LifecycleStatus.RETIRED, actor="ann", expected_row_version=1)
        assert ws.find_model(m.id).row_version == 2
    if not is_pg(workspace_url):
        assert Path(workspace_url + ".bak-0001").exists()


def test_newer_schema_is_refused_and_left_untouched(workspace_url):
    Workspace.open(workspace_url).close()
    eng = raw_engine(workspace_url)
    with eng.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '9999_future'"))
        before = conn.execute(text("select key, value from workspace_info")).all()
    with pytest.raises(WorkspaceError, match="newer Tollgate"):
        Workspace.open(workspace_url)
    with eng.begin() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "9999_future"
        assert conn.execute(text("select key, value from workspace_info")).all() == before
    eng.dispose()
    proc = run_cli("models", "list", workspace=workspace_url)
    assert proc.returncode == 2 and "newer Tollgate" in proc.stderr and "Traceback" not in proc.stderr


def test_foreign_databases_are_refused(workspace_url):
    eng = raw_engine(workspace_url)
    with eng.begin() as conn:
        conn.execute(text("create table customers (id integer primary key)"))
    with pytest.raises(WorkspaceError, match="does not belong to Tollgate.*customers"):
        Workspace.open(workspace_url)
    # another application's Alembic-managed database (MLflow keeps one too)
    with eng.begin() as conn:
        conn.execute(text("create table alembic_version (version_num varchar(32) not null)"))
        conn.execute(text("insert into alembic_version values ('0c779009ac13')"))
        conn.execute(text("create table experiments (experiment_id integer)"))
    with pytest.raises(WorkspaceError, match="does not belong to Tollgate"):
        Workspace.open(workspace_url)
    with eng.begin() as conn:
        assert conn.execute(text("select count(*) from customers")).scalar() == 0
    eng.dispose()


# ---------------------------------------------------------------------- the use cases
def test_models_versions_validation_drift_aliases_status_audit(workspace_url, shared_data, tmp_path):
    df = german_frame(shared_data)
    train, holdout = df.iloc[:700], df.iloc[700:]
    with Workspace.open(workspace_url) as ws:
        name = "Kreditwürdigkeit «Privat» 100% _x_"  # non-Latin, quotes, % and _ as stored
        m = ws.register_model(name=name, owner="Jürgen", risk_tier=2, task=TaskType.CLASSIFICATION, actor="alice")
        assert ws.register_model(name=name, owner="x", risk_tier=2, task=TaskType.CLASSIFICATION).id == m.id
        v1 = ws.register_version(m.id, estimator=fitted_model(train), training_data=train, target_column="bad",
                                 holdout=holdout, actor="dana")
        v2 = ws.register_version(m.id, estimator=fitted_model(train, C=0.1), training_data=train,
                                 target_column="bad", holdout=holdout, actor="dana")
        assert (v1.version, v2.version) == (1, 2)
        ws.set_alias(m.id, "champion", 1, actor="alice")
        run = ws.run_validation(m.id, actor="vera")
        assert run.version == 1 and run.n_rows == 300 and run.checks
        older, newer = df[df.age < 30], df[df.age >= 45]
        drift = ws.record_drift_run(m.id, None, [WindowSpec("under 30", older), WindowSpec("45 and over", newer)],
                                    label="age bands", actor="vera")
        assert [w.label for w in drift.windows] == ["under 30", "45 and over"]
        age = next(f for f in drift.windows[1].features if f.name == "age")
        assert age.psi is not None and age.psi >= 0.25  # the age band itself drifts, for real
        model = ws.find_model(m.id)
        ws.set_status(m.id, LifecycleStatus.VALIDATION, actor="alice", expected_row_version=model.row_version)
        ws.set_alias(m.id, "champion", 2, actor="alice", reason="better calibrated")
        pdf = ws.export_audit_report(m.id, tmp_path / "audit.pdf", actor="alice")
        (summary,) = ws.list_models()
        detail = ws.get_model(name)
    assert summary.name == name and summary.versions == 2 and summary.champion_version == "2"
    assert summary.status is LifecycleStatus.VALIDATION and summary.last_validation is None  # v2 not validated
    assert summary.drift_status is not None and summary.updated_by == "alice"
    assert detail.model.row_version == summary.row_version >= 5
    actions = [e.action for e in detail.audit_events]
    # seven numeric German-credit attributes reach a ROC AUC under 0.70: the blocking check fails
    # and opens a finding (tier 2: medium) in the same transaction
    assert actions == ["model.registered", "version.registered", "version.registered", "alias.set",
                       "validation.run", "finding.opened", "drift.run", "model.status_changed", "alias.set",
                       "report.exported"]
    seqs = [e.seq for e in detail.audit_events]
    assert seqs == sorted(set(seqs))
    assert detail.audit_events[8].old == {"version": 1}
    expected_user = "tollgate" if is_pg(workspace_url) else None
    assert {e.db_user for e in detail.audit_events} == {expected_user}
    from pypdf import PdfReader

    text_ = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert name in text_ and "Jürgen" in text_


def test_demo_on_postgresql_matches_sqlite(pg_database, request, tmp_path):
    """The real `tollgate demo` on a PostgreSQL URL; every workspace command then works
    there and gives what it gives on the SQLite demo workspace."""
    t0 = time.perf_counter()
    # Built while the session's SQLite demo workspace is built (if it is not yet): two cores.
    demo = subprocess.Popen([sys.executable, "-m", "console", "--workspace", pg_database, "demo", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        demo_workspace = request.getfixturevalue("demo_workspace")
        out, err = demo.communicate(timeout=600)
    finally:
        if demo.poll() is None:
            demo.kill()
    demo_s = time.perf_counter() - t0
    assert demo.returncode == 0, err
    assert json.loads(out)["workspace"] == pg_database  # no password: shown as is
    outputs = {}
    for label, ws in (("pg", pg_database), ("sqlite", demo_workspace)):
        listed = run_cli("models", "list", "--json", workspace=ws)
        shown = run_cli("models", "show", BANK, "--json", workspace=ws)
        assert listed.returncode == shown.returncode == 0, (listed.stderr, shown.stderr)
        detail = json.loads(shown.stdout)
        detail.pop("next_validation_due")  # validation time + interval: differs per build
        for v in detail["version_details"]:
            v.pop("created_at")
            v.pop("artifact_sha256")  # skops archives carry their write time: differ per build
        models = json.loads(listed.stdout)
        for m in models:
            m.pop("next_validation_due")  # validation time + interval: differs per build
        outputs[label] = (models, detail)
    assert outputs["pg"][0] == outputs["sqlite"][0]  # models list --json
    diff = {k for k in outputs["pg"][1].keys() | outputs["sqlite"][1].keys()
            if outputs["pg"][1].get(k) != outputs["sqlite"][1].get(k)}
    assert not diff, {k: (outputs["pg"][1].get(k), outputs["sqlite"][1].get(k)) for k in diff}
    val = run_cli("validate", f"{BANK}@challenger", "--json", workspace=pg_database)
    assert val.returncode in (0, 1), val.stderr
    assert json.loads(val.stdout)["version"] == "2"
    out = tmp_path / "bank.pdf"
    rep = run_cli("report", BANK, "-o", str(out), workspace=pg_database)
    assert rep.returncode == 0, rep.stderr
    from pypdf import PdfReader

    pdf_text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert BANK in pdf_text and "Ольга Смирнова" in pdf_text
    with Workspace.open(pg_database) as ws:
        events = ws.get_model(BANK).audit_events
    assert events[-1].action == "report.exported" and {e.db_user for e in events} == {"tollgate"}
    print(f"tollgate demo on PostgreSQL: {demo_s:.1f} s (with the SQLite demo alongside if not built yet)")


# ---------------------------------------------------------------------- lost updates
def test_two_officers_one_model_exactly_one_wins(workspace_url):
    with Workspace.open(workspace_url) as setup:
        m = setup.register_model(name="Fraud score", owner="o", risk_tier=1, task=TaskType.CLASSIFICATION,
                                 actor="setup")
    alice, bob = Workspace.open(workspace_url), Workspace.open(workspace_url)
    try:
        seen_a, seen_b = alice.find_model(m.id), bob.find_model(m.id)
        assert seen_a.row_version == seen_b.row_version == 1
        alice.set_status(m.id, LifecycleStatus.VALIDATION, actor="alice", expected_row_version=seen_a.row_version)
        with pytest.raises(ConcurrentChangeError, match=r"model 'Fraud score' was changed by alice at "
                                                        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\); reload"):
            bob.set_status(m.id, LifecycleStatus.RETIRED, actor="bob", expected_row_version=seen_b.row_version)
        fresh = bob.find_model(m.id)
        assert fresh.status is LifecycleStatus.VALIDATION and fresh.updated_by == "alice"
        bob.set_status(m.id, LifecycleStatus.RETIRED, actor="bob", expected_row_version=fresh.row_version)
        # at the same instant, from two threads: one transition, one refusal
        base = alice.find_model(m.id)
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}

        def act(ws, who, status):
            barrier.wait()
            try:
                ws.set_status(m.id, status, actor=who, expected_row_version=base.row_version)
                results[who] = "ok"
            except ConcurrentChangeError as exc:
                results[who] = exc

        threads = [threading.Thread(target=act, args=(alice, "alice", LifecycleStatus.DEVELOPMENT)),
                   threading.Thread(target=act, args=(bob, "bob", LifecycleStatus.APPROVED))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        winners = [w for w, r in results.items() if r == "ok"]
        assert len(winners) == 1 and len(results) == 2, results
        loser = "bob" if winners == ["alice"] else "alice"
        assert f"changed by {winners[0]} at" in str(results[loser])
        events = [e for e in alice.get_model(m.id).audit_events if e.action == "model.status_changed"]
        assert len(events) == 3
        assert all(events[i].old["status"] == events[i - 1].new["status"] for i in range(1, 3))
    finally:
        alice.close()
        bob.close()


# ---------------------------------------------------------------------- PostgreSQL failures
def _cli_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "PYTHON_KEYRING", "KEYRING_PROPERTY"))}
    env.update(extra)
    return env


def tollgate(*args: str, env: dict | None = None, input: str | None = None, timeout: float = 120):
    return subprocess.run([sys.executable, "-m", "console", *args], capture_output=True, text=True, input=input,
                          env=env or _cli_env(), timeout=timeout, cwd=REPO)


def test_unreachable_server_is_a_fast_clear_exit_2(pg_server):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    url = pg_server.url("anything", port=closed)
    t0 = time.perf_counter()
    proc = tollgate("--workspace", url, "models", "list")
    assert proc.returncode == 2 and time.perf_counter() - t0 < 15
    assert f"cannot reach the PostgreSQL server 127.0.0.1:{closed}" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    # a server that accepts the connection but never answers: the connect timeout
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(5)
    try:
        loc = db.parse_location(pg_server.url("x", port=hung.getsockname()[1]) + "?connect_timeout=1")
        t0 = time.perf_counter()
        with pytest.raises(WorkspaceError, match=r"cannot reach .*no answer within"):
            db.open_database(loc.url)
        assert time.perf_counter() - t0 < 10
    finally:
        hung.close()
    assert db.PG_CONNECT_TIMEOUT_S <= 5


def test_missing_database_and_missing_privilege(pg_server, pg_database):
    proc = tollgate("--workspace", pg_server.url("no_such_db"), "models", "list")
    assert proc.returncode == 2 and "database 'no_such_db' does not exist" in proc.stderr
    pg_server.create_role("auditor_np")
    url = make_url(pg_database).set(username="auditor_np").render_as_string(hide_password=False)
    proc = tollgate("--workspace", url, "models", "list")
    assert proc.returncode == 2, proc.stderr
    assert "'auditor_np' lacks a privilege" in proc.stderr and "permission denied" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.fixture
def officer_db(pg_server):
    """(url without password, password): a database owned by a role that must log in
    with a password."""
    name = f"officer_{os.getpid()}_{time.monotonic_ns()}"
    password = "S3cret pass:@/?%"
    pg_server.create_role(name, password=password)
    pg_server.create_database(name, owner=name)
    yield pg_server.url(name, user=name), password
    pg_server.drop_database(name)
    pg_server.admin(f'DROP ROLE "{name}"')


def test_password_missing_or_wrong_is_an_auth_error_without_the_password(officer_db):
    url, password = officer_db
    with pytest.raises(WorkspaceAuthError, match="needs a password"):
        Workspace.open(url)
    wrong = make_url(url).set(password="Wr0ng-pw-42").render_as_string(hide_password=False)
    with pytest.raises(WorkspaceAuthError) as err:
        Workspace.open(wrong)
    assert "Wr0ng-pw-42" not in str(err.value) and "refused the password" in str(err.value)
    proc = tollgate("--workspace", wrong, "models", "list")
    assert proc.returncode == 2 and "Wr0ng-pw-42" not in proc.stderr + proc.stdout
    assert "warning: the workspace URL contains a password" in proc.stderr
    assert "refused the password" in proc.stderr
    right = make_url(url).set(password=password).render_as_string(hide_password=False)
    proc = tollgate("--workspace", right, "models", "list", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout) == [], proc.stderr
    assert password not in proc.stderr
    # libpq's own PGPASSWORD keeps working
    proc = tollgate("--workspace", url, "models", "list", "--json", env=_cli_env(PGPASSWORD=password))
    assert proc.returncode == 0, proc.stderr


def test_keyring_login_logout(officer_db, tmp_path):
    from keyrings.alt.file import PlaintextKeyring

    url, password = officer_db
    keyfile = tmp_path / "keyring.cfg"
    env = _cli_env(PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring", KEYRING_PROPERTY_FILE_PATH=str(keyfile))
    proc = tollgate("--workspace", url, "workspace", "login", env=env, input=password + "\n")
    assert proc.returncode == 2 and "--secret-stdin" in proc.stderr  # stdin is no TTY
    proc = tollgate("--workspace", url, "workspace", "login", "--secret-stdin", env=env, input="wrong\n")
    assert proc.returncode == 2 and "refused the password" in proc.stderr and not keyfile.exists()
    proc = tollgate("--workspace", url, "workspace", "login", "--secret-stdin", env=env, input=password + "\n")
    assert proc.returncode == 0, proc.stderr
    assert password not in proc.stdout + proc.stderr
    backend = PlaintextKeyring()
    backend.file_path = str(keyfile)
    secrets.use_backend(backend)
    try:
        assert secrets.SecretStore().get(db.database_secret_key(url)) == password
        assert db.database_secret_key(url) == "database:" + url  # user@host:port/db, no password
    finally:
        secrets.use_backend(None)
    proc = tollgate("--workspace", url, "models", "list", "--json", env=env)
    assert proc.returncode == 0 and json.loads(proc.stdout) == [], proc.stderr
    proc = tollgate("--workspace", url, "workspace", "logout", env=env)
    assert proc.returncode == 0 and "Forgot" in proc.stdout
    proc = tollgate("--workspace", url, "models", "list", env=env)
    assert proc.returncode == 2 and "workspace login" in proc.stderr


def test_no_keyring_says_so_and_session_only_password_works(officer_db, tmp_path):
    from keyring.backends.fail import Keyring as NoKeyring

    url, password = officer_db
    env = _cli_env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    proc = tollgate("--workspace", url, "workspace", "login", "--secret-stdin", env=env, input=password + "\n")
    assert proc.returncode == 2 and "no usable OS keyring" in proc.stderr
    assert "PGPASSWORD" in proc.stderr and ".pgpass" in proc.stderr  # the route that works here
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = tollgate("--workspace", str(tmp_path / "x.sqlite"), "workspace", "login", "--secret-stdin", input="p\n")
    assert proc.returncode == 2 and "SQLite file, which has no password" in proc.stderr
    # what the GUI does after WorkspaceAuthError when there is no keyring
    secrets.use_backend(NoKeyring())
    try:
        with pytest.raises(WorkspaceAuthError):
            Workspace.open(url)
        with pytest.raises(secrets.SecretStoreError, match="no OS keyring"):
            db.remember_database_password(url, password)
        with pytest.raises(WorkspaceAuthError, match="refused the password"):
            db.remember_database_password(url, "not it", session_only=True)
        assert db.remember_database_password(url, password, session_only=True) == "session"
        with Workspace.open(url) as ws:
            assert ws.list_models() == []
        assert db.forget_database_password(url) is True
        with pytest.raises(WorkspaceAuthError):
            Workspace.open(url)
    finally:
        secrets.use_backend(None)
        db.forget_database_password(url)


def test_postgresql_writer_stuck_in_a_transaction_gives_busy_not_a_hang(pg_server, pg_database, monkeypatch):
    import psycopg

    monkeypatch.setattr(db, "PG_LOCK_TIMEOUT_S", 0.5)
    with Workspace.open(pg_database) as ws:
        u = make_url(pg_database)
        with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database, autocommit=True) as other:
            other.execute("select pg_advisory_lock(%s, %s)", (db.PG_LOCK_CLASS, db.PG_LOCK_AUDIT))
            t0 = time.perf_counter()
            with pytest.raises(WorkspaceError, match="is busy: another console has held its write lock"):
                ws.register_model(name="m", owner="o", risk_tier=3, task=TaskType.REGRESSION)
            assert time.perf_counter() - t0 < 5
            assert ws.list_models() == []  # reads never wait
        ws.register_model(name="m", owner="o", risk_tier=3, task=TaskType.REGRESSION)  # lock gone with the session
        assert [m.name for m in ws.list_models()] == ["m"]


def test_sqlite_lock_held_past_the_busy_timeout_is_retried(tmp_path, monkeypatch):
    """(SQLite) another program holds the write lock longer than the busy timeout: the
    write transaction retries instead of reporting "locked", and nothing is lost."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "ws.sqlite"
    with Workspace.open(path) as ws:
        locker = sqlite3.connect(path, timeout=1, check_same_thread=False, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.5, locker.rollback)
        release.start()
        ws.register_model(name="m", owner="o", risk_tier=3, task=TaskType.REGRESSION)
        release.join()
        locker.close()
        assert [m.name for m in ws.list_models()] == ["m"]


def test_unencoded_at_sign_in_a_url_password_is_refused_without_showing_it():
    """``user:Secr3t@tail@host/db``: the part of the password after its first ``@``
    became the host name and was printed in the warning and the error (and a server
    connection was tried with it)."""
    url = "postgresql+psycopg://officer:Secr3t@tail-xyz@127.0.0.1:5432/governance"
    with pytest.raises(WorkspaceError, match="must be percent-encoded") as err:
        db.parse_location(url)
    assert "tail-xyz" not in str(err.value) and "Secr3t" not in str(err.value)
    proc = tollgate("--workspace", url, "models", "list")
    assert proc.returncode == 2 and "percent-encoded" in proc.stderr, proc.stderr
    assert "tail-xyz" not in proc.stderr + proc.stdout and "Secr3t" not in proc.stderr + proc.stdout
    # percent-encoded, it is a password like any other (used for this run, never stored)
    assert db.parse_location(url.replace("Secr3t@tail", "Secr3t%40tail")).password_in_url
