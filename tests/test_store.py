"""Workspace database: migrations, schema guard, bad locations, locks (real SQLite files)."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sqlalchemy import text

from console.domain.models import LifecycleStatus, TaskType
from console.errors import InputError, NotFoundError, WorkspaceError
from console.services.workspace import Workspace, split_ref
from console.store import db
from console.store.db import _alembic_config, head_revision


def test_new_workspace_is_migrated_and_matches_the_models(tmp_path):
    path = tmp_path / "sub" / "ws.sqlite"
    ws = Workspace.open(path)
    assert path.exists()
    with ws._engine.begin() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == head_revision()
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        command.check(_alembic_config(conn))  # ORM and migrations agree
    ws.close()
    # opening again is a no-op
    Workspace.open(path).close()


def test_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "ws.sqlite"
    Workspace.open(path).close()
    con = sqlite3.connect(path)
    con.execute("update alembic_version set version_num = '9999_future'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(WorkspaceError, match="newer Tollgate"):
        Workspace.open(path)
    assert path.read_bytes() == before


def test_foreign_database_and_non_database_are_refused(tmp_path):
    foreign = tmp_path / "other.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("create table customers (id integer)")
    con.commit()
    con.close()
    with pytest.raises(WorkspaceError, match="does not belong to Tollgate"):
        Workspace.open(foreign)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database file at all" * 200)
    with pytest.raises(WorkspaceError, match="not a Tollgate workspace"):
        Workspace.open(junk)
    with pytest.raises(WorkspaceError, match="is a folder"):
        Workspace.open(tmp_path)


def test_locked_workspace_gives_a_clear_error_and_loses_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "ws.sqlite"
    ws = Workspace.open(path)
    locker = sqlite3.connect(path, timeout=0.1)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(WorkspaceError, match="locked"):
            ws.register_model(name="m", owner="o", risk_tier=2, task=TaskType.CLASSIFICATION)
    finally:
        locker.rollback()
        locker.close()
    assert ws.list_models() == []
    ws.register_model(name="m", owner="o", risk_tier=2, task=TaskType.CLASSIFICATION)
    assert [x.name for x in ws.list_models()] == ["m"]
    ws.close()


def test_register_model_is_idempotent_and_audited(tmp_path):
    ws = Workspace.open(tmp_path / "ws.sqlite")
    name = "Скоринг «Premium» 100% / v2"
    a = ws.register_model(name=name, owner="Ольга", risk_tier=1, task=TaskType.CLASSIFICATION, actor="alice")
    b = ws.register_model(name=name, owner="Ольга", risk_tier=1, task=TaskType.CLASSIFICATION, actor="alice")
    assert a.id == b.id
    ws.set_status(a.id, LifecycleStatus.VALIDATION, actor="alice", reason="ready")
    d = ws.get_model(name)
    assert d.model.name == name and d.model.status is LifecycleStatus.VALIDATION
    actions = [e.action for e in d.audit_events]
    assert actions == ["model.registered", "model.status_changed"]
    assert d.audit_events[1].old == {"status": "development"}
    assert all(e.occurred_at.tzinfo is not None for e in d.audit_events)
    with pytest.raises(InputError):
        ws.register_model(name="x", owner="o", risk_tier=4, task=TaskType.CLASSIFICATION)
    with pytest.raises(NotFoundError, match="no model named"):
        ws.get_model("missing")
    ws.close()


def test_split_ref_uses_the_last_at():
    assert split_ref("a@b@champion") == ("a@b", "champion")
    assert split_ref("model") == ("model", None)
    assert split_ref("model@3") == ("model", "3")
    assert split_ref("@odd") == ("@odd", None)


def test_concurrent_first_open_of_a_new_workspace(tmp_path):
    """Several processes creating the same new workspace at once all succeed (the
    migration runs under SQLite's write lock and is transactional)."""
    import subprocess
    import sys

    path = tmp_path / "race.sqlite"
    procs = [
        subprocess.Popen([sys.executable, "-m", "console", "--workspace", str(path), "models", "list", "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(5)
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results


def test_urls_never_show_secrets_and_memory_databases_are_refused():
    loc = db.parse_location("postgresql+psycopg://user:pw1@127.0.0.1:1/db?password=s3cret&sslmode=require")
    assert "pw1" not in loc.label and "s3cret" not in loc.label and "sslmode=require" in loc.label
    assert "s3cret" in loc.url  # the real URL keeps it for the driver
    for url in ("sqlite://", "sqlite:///:memory:"):
        with pytest.raises(WorkspaceError, match="in-memory"):
            db.parse_location(url)


def test_damaged_stored_dataset_is_reported_not_crashed(tmp_path):
    import pandas as pd

    ws = Workspace.open(tmp_path / "ws.sqlite")
    with ws._write() as s:
        sha = ws._put_blob(s, ws.dataset_bytes(pd.DataFrame({"a": [1, 2]})), "application/vnd.apache.parquet")
    assert ws.load_dataset(sha)["a"].tolist() == [1, 2]
    con = sqlite3.connect(tmp_path / "ws.sqlite")
    con.execute("update blob set data = ? where sha256 = ?", (b"garbage", sha))
    con.commit()
    con.close()
    with pytest.raises(WorkspaceError, match="damaged or was altered"):
        ws.load_dataset(sha)
    ws.close()
