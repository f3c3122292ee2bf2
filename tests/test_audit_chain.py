"""The tamper-evident audit trail (issue 5): hash chain, append-only triggers, GDPR
erasure, ``tollgate audit verify`` and the audit PDF's chain section.

Tampering is done the way an attacker with file access would: plain ``sqlite3`` (or
``psql``-style SQL on PostgreSQL), dropping or disabling the triggers first.  The
numbers asserted are the documented ones (console/services/audit.py): an altered or
swapped event is reported at its own seq; a deleted event at the missing seq; removal of
the newest events only against an expected head, at last present seq + 1.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from console.domain.models import ERASED_NAME, LifecycleStatus, TaskType
from console.errors import Cancelled, InputError, NotFoundError
from console.jobs import CancelToken
from console.services import audit
from console.services.workspace import Workspace
from tests.conftest import REPO, run_cli

BANK = "Term deposit propensity"
GENESIS = "0" * 64

#: The independent examiner: only sqlite3, json and hashlib (run in an isolated
#: interpreter, so no Tollgate code can be involved).
EXAMINER = textwrap.dedent('''
    import hashlib, json, sqlite3, sys
    con = sqlite3.connect(sys.argv[1])
    prev, n = "0" * 64, 0
    rows = con.execute("SELECT seq, prev_hash, occurred_at, actor_ref, db_user_ref, action, entity_type, "
                       "entity_id, model_id, old, new, reason, hash FROM audit_event ORDER BY seq")
    for seq, prev_hash, at, actor, dbu, action, etype, eid, mid, old, new, reason, stored in rows:
        event = {"seq": seq, "prev_hash": prev_hash, "occurred_at": at.replace(" ", "T") + "Z",
                 "actor_ref": actor, "db_user_ref": dbu, "action": action, "entity_type": etype,
                 "entity_id": eid, "model_id": mid,
                 "old": None if old is None else json.loads(old),
                 "new": None if new is None else json.loads(new), "reason": reason}
        data = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if prev_hash != prev or hashlib.sha256(data).hexdigest() != stored:
            print(json.dumps({"bad": seq})); sys.exit(1)
        prev, n = stored, n + 1
    print(json.dumps({"head": prev, "events": n}))
''')


def examine(path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-I", "-c", EXAMINER, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.stderr == ""
    return json.loads(proc.stdout)


def verify(path, expect_head=None):
    with Workspace.open(path) as ws:
        return ws.verify_audit_chain(expect_head)


def fresh_copy(demo_workspace: Path, tmp_path: Path, name: str) -> Path:
    dst = tmp_path / f"{name}.sqlite"
    shutil.copy2(demo_workspace, dst)
    for suffix in ("-wal", "-shm"):
        side = demo_workspace.with_name(demo_workspace.name + suffix)
        if side.exists():
            shutil.copy2(side, dst.with_name(dst.name + suffix))
    return dst


def tamper(path: Path, *statements: str, params=()) -> None:
    """Change the file as an attacker would: drop the triggers, then write."""
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER audit_event_no_update")
    con.execute("DROP TRIGGER audit_event_no_delete")
    for sql in statements:
        con.execute(sql, params)
    con.commit()
    con.close()


def small_workspace(location, actor="Ann Example"):
    ws = Workspace.open(location)
    m = ws.register_model(name="Scorecard", owner="Olga Owner", risk_tier=2, task=TaskType.CLASSIFICATION,
                          actor=actor)
    ws.set_status(m.id, LifecycleStatus.VALIDATION, actor=actor, reason="ready")
    ws.set_status(m.id, LifecycleStatus.APPROVED, actor="Bob Boss", reason="signed off")
    return ws, m


# ---------------------------------------------------------------------- intact chains
def test_demo_chain_is_intact_and_an_examiner_recomputes_it_without_tollgate(demo_copy):
    result = verify(demo_copy)
    assert result.intact and result.first_bad_seq is None and result.reason is None
    assert result.events >= 20 and (result.first_seq, result.last_seq) == (1, result.events)
    independent = examine(demo_copy)
    assert independent == {"head": result.head_hash, "events": result.events}
    proc = run_cli("audit", "verify", "--json", workspace=demo_copy)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert list(out) == ["intact", "events", "head_hash", "first_bad_seq", "reason"]
    assert out == {"intact": True, "events": result.events, "head_hash": result.head_hash,
                   "first_bad_seq": None, "reason": None}
    proc = run_cli("audit", "verify", "--expect-head", result.head_hash.upper(), workspace=demo_copy)
    assert proc.returncode == 0 and "intact" in proc.stdout and result.head_hash in proc.stdout


def test_people_are_refs_in_the_chain_and_names_in_the_console(tmp_path):
    path = tmp_path / "ws.sqlite"
    ws, m = small_workspace(path)
    with ws:
        events = ws.get_model(m.id).audit_events
    assert [e.actor for e in events] == ["Ann Example", "Ann Example", "Bob Boss"]
    assert events[0].new["owner"] == "Olga Owner"  # resolved for people
    assert all(e.actor_ref.startswith("psn_") and len(e.hash) == 64 for e in events)
    assert events[0].prev_hash == GENESIS and events[1].prev_hash == events[0].hash
    con = sqlite3.connect(path)
    stored = " ".join(str(v) for row in con.execute("SELECT * FROM audit_event") for v in row)
    con.close()
    for name in ("Ann Example", "Bob Boss", "Olga Owner"):
        assert name not in stored  # only refs are chained
    assert examine(path)["events"] == 3


def test_several_events_in_one_transaction_and_a_rolled_back_savepoint_chain_correctly(tmp_path):
    path = tmp_path / "ws.sqlite"
    ws, m = small_workspace(path)
    with ws:
        with ws._write() as s:
            for i in range(5):
                ws._audit(s, f"Batch Person {i % 2}", "test.batch", "registered_model", m.id, model_id=m.id,
                          new={"i": i, "score": 0.1 * i, "nan": float("nan"), "tuple": (1, 2)})
            try:
                with s.begin_nested():
                    ws._audit(s, "Rolled Back Person", "test.discarded", "registered_model", m.id)
                    s.flush()
                    raise RuntimeError("undo the savepoint")
            except RuntimeError:
                pass
            ws._audit(s, "Batch Person 0", "test.after_savepoint", "registered_model", m.id, model_id=m.id)
        result = ws.verify_audit_chain()
        actions = [e.action for e in ws.get_model(m.id).audit_events]
    assert result.intact and result.events == 3 + 6
    assert actions[-6:] == ["test.batch"] * 5 + ["test.after_savepoint"]
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM audit_person WHERE display_name = 'Rolled Back Person'").fetchone() == (0,)
    new = json.loads(con.execute("SELECT new FROM audit_event WHERE seq = 4").fetchone()[0])
    con.close()
    assert new == {"i": 0, "score": 0.0, "nan": None, "tuple": [1, 2]}  # stored exactly as hashed
    assert examine(path) == {"head": result.head_hash, "events": 9}


# ---------------------------------------------------------------------- tampering (SQLite file)
def test_an_edited_field_fails_at_that_event(demo_workspace, tmp_path):
    con = sqlite3.connect(demo_workspace)
    (k,) = con.execute("SELECT min(seq) FROM audit_event WHERE action = 'validation.run'").fetchone()
    con.close()  # k: the demo's first validation.run
    path = fresh_copy(demo_workspace, tmp_path, "edit")
    tamper(path, f"UPDATE audit_event SET reason = 'nothing to see' WHERE seq = {k}")
    result = verify(path)
    assert (result.intact, result.first_bad_seq) == (False, k) and "does not match its hash" in result.reason
    assert examine(path) == {"bad": k}

    path = fresh_copy(demo_workspace, tmp_path, "edit-json")
    con = sqlite3.connect(path)
    new = json.loads(con.execute(f"SELECT new FROM audit_event WHERE seq = {k}").fetchone()[0])
    con.close()
    new["passed"] = not new["passed"]
    tamper(path, f"UPDATE audit_event SET new = ? WHERE seq = {k}", params=(json.dumps(new),))
    assert verify(path).first_bad_seq == k

    proc = run_cli("audit", "verify", "--json", workspace=path)
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)
    assert out["intact"] is False and out["first_bad_seq"] == k and out["reason"]
    text_out = run_cli("audit", "verify", workspace=path)
    assert text_out.returncode == 1 and f"BROKEN at event {k}" in text_out.stdout


def test_a_forged_hash_is_caught(demo_workspace, tmp_path):
    k = 12
    path = fresh_copy(demo_workspace, tmp_path, "forged")
    tamper(path, f"UPDATE audit_event SET hash = '{'ab' * 32}' WHERE seq = {k}")
    assert verify(path).first_bad_seq == k
    # An attacker who edits event k AND recomputes its hash is caught by the next link
    # (documented: reported at k + 1, whose prev_hash no longer matches).
    path = fresh_copy(demo_workspace, tmp_path, "rehashed")
    con = sqlite3.connect(path)
    cols = [d[0] for d in con.execute("SELECT * FROM audit_event WHERE seq = 1").description]
    row = dict(zip(cols, con.execute(f"SELECT * FROM audit_event WHERE seq = {k}").fetchone()))
    con.close()
    payload = {c: row[c] for c in audit.CHAIN_FIELDS}
    payload["reason"] = "rewritten"
    payload["occurred_at"] = audit.canonical_time(payload["occurred_at"])
    payload["old"] = json.loads(payload["old"]) if payload["old"] is not None else None
    payload["new"] = json.loads(payload["new"]) if payload["new"] is not None else None
    tamper(path, f"UPDATE audit_event SET reason = 'rewritten', hash = ? WHERE seq = {k}",
           params=(hashlib.sha256(audit.canonical_json(payload)).hexdigest(),))
    result = verify(path)
    assert result.first_bad_seq == k + 1 and "does not link" in result.reason


def test_a_deleted_event_fails_at_the_missing_sequence_number(demo_workspace, tmp_path):
    k = 10
    path = fresh_copy(demo_workspace, tmp_path, "deleted")
    tamper(path, f"DELETE FROM audit_event WHERE seq = {k}")
    result = verify(path)
    assert (result.intact, result.first_bad_seq) == (False, k) and f"event(s) {k} are missing" in result.reason
    path = fresh_copy(demo_workspace, tmp_path, "deleted-range")
    tamper(path, f"DELETE FROM audit_event WHERE seq BETWEEN {k} AND {k + 2}")
    assert verify(path).first_bad_seq == k
    path = fresh_copy(demo_workspace, tmp_path, "deleted-first")
    tamper(path, "DELETE FROM audit_event WHERE seq = 1")
    assert verify(path).first_bad_seq == 1


def test_swapped_events_fail_at_the_first_of_them(demo_workspace, tmp_path):
    k = 15
    path = fresh_copy(demo_workspace, tmp_path, "swapped")
    con = sqlite3.connect(path)
    cols = [d[0] for d in con.execute("SELECT * FROM audit_event WHERE seq = 1").description if d[0] != "seq"]
    a = con.execute(f"SELECT {', '.join(cols)} FROM audit_event WHERE seq = {k}").fetchone()
    b = con.execute(f"SELECT {', '.join(cols)} FROM audit_event WHERE seq = {k + 1}").fetchone()
    con.close()
    assignment = ", ".join(f"{c} = ?" for c in cols)
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER audit_event_no_update")
    con.execute(f"UPDATE audit_event SET {assignment} WHERE seq = {k}", b)
    con.execute(f"UPDATE audit_event SET {assignment} WHERE seq = {k + 1}", a)
    con.commit()
    con.close()
    result = verify(path)
    assert (result.intact, result.first_bad_seq) == (False, k)


def test_removing_the_newest_events_is_caught_only_against_the_saved_head(demo_workspace, tmp_path):
    path = fresh_copy(demo_workspace, tmp_path, "truncated")
    before = verify(path)
    tamper(path, f"DELETE FROM audit_event WHERE seq > {before.last_seq - 3}")
    after = verify(path)
    assert after.intact and after.events == before.events - 3  # a shorter chain is still a chain
    caught = verify(path, expect_head=before.head_hash)
    assert (caught.intact, caught.first_bad_seq) == (False, before.last_seq - 2)
    assert "not in the chain" in caught.reason
    proc = run_cli("audit", "verify", "--json", "--expect-head", before.head_hash, workspace=path)
    assert proc.returncode == 1 and json.loads(proc.stdout)["first_bad_seq"] == before.last_seq - 2
    # an older head is still in the chain: intact (later events are allowed)
    with Workspace.open(path) as ws:
        older = ws.get_model(BANK).audit_events[2].hash
    assert verify(path, expect_head=older).intact
    assert verify(path, expect_head=GENESIS).intact


def test_bad_expected_head_is_bad_input(demo_copy):
    proc = run_cli("audit", "verify", "--expect-head", "not-a-hash", workspace=demo_copy)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "64 hexadecimal digits" in proc.stderr and "Traceback" not in proc.stderr
    with pytest.raises(InputError):
        verify(demo_copy, expect_head="12" * 31)
    token = CancelToken()
    token.cancel()
    with Workspace.open(demo_copy) as ws, pytest.raises(Cancelled):
        ws.verify_audit_chain(cancel=token)


# ---------------------------------------------------------------------- the database refuses
def test_sqlite_refuses_update_and_delete_of_audit_events(demo_copy):
    con = sqlite3.connect(demo_copy)
    with pytest.raises(sqlite3.IntegrityError, match="append-only: UPDATE refused"):
        con.execute("UPDATE audit_event SET reason = 'x' WHERE seq = 3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only: DELETE refused"):
        con.execute("DELETE FROM audit_event WHERE seq = 3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only: DELETE refused"):
        con.execute("DELETE FROM audit_event")
    con.rollback()
    con.close()
    assert verify(demo_copy).intact


def test_postgresql_refuses_update_delete_truncate_and_tampering_is_caught(pg_database):
    ws, m = small_workspace(pg_database)
    ws.close()
    eng = create_engine(pg_database)
    try:
        for sql, op in (("UPDATE audit_event SET reason = 'x' WHERE seq = 2", "UPDATE"),
                        ("DELETE FROM audit_event WHERE seq = 2", "DELETE"),
                        ("TRUNCATE audit_event", "TRUNCATE")):
            with pytest.raises(Exception, match=f"append-only: {op} refused"):
                with eng.begin() as conn:
                    conn.execute(text(sql))
        result = verify(pg_database)
        assert result.intact and result.events == 3
        with eng.begin() as conn:  # the table owner can disable the triggers: the chain still tells
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            conn.execute(text("UPDATE audit_event SET new = CAST('{\"status\": \"production\"}' AS json) "
                              "WHERE seq = 2"))
            conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
        broken = verify(pg_database)
        assert (broken.intact, broken.first_bad_seq) == (False, 2)
    finally:
        eng.dispose()


# ---------------------------------------------------------------------- concurrency
WRITER = textwrap.dedent('''
    import sys
    from console.domain.models import LifecycleStatus, TaskType
    from console.services.workspace import Workspace
    ws = Workspace.open(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.readline()  # start together with the other writers
    for i in range(int(sys.argv[3])):
        m = ws.register_model(name=f"{sys.argv[2]}-{i}", owner=f"Owner {sys.argv[2]}", risk_tier=3,
                              task=TaskType.CLASSIFICATION, actor=f"Writer {sys.argv[2]}")
        ws.set_status(m.id, LifecycleStatus.VALIDATION, actor=f"Writer {sys.argv[2]}")
    ws.close()
''')


def test_concurrent_appends_from_threads_and_processes_keep_the_chain_intact(workspace_url):
    Workspace.open(workspace_url).close()
    per_writer, threads_n, procs_n = 10, 3, 2
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, workspace_url, f"proc{j}", str(per_writer)],
                              cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
             for j in range(procs_n)]
    errors: list[BaseException] = []
    go = threading.Barrier(threads_n + 1)

    def thread_writer(j: int) -> None:
        try:
            with Workspace.open(workspace_url) as ws:
                go.wait(timeout=120)
                for i in range(per_writer):
                    m = ws.register_model(name=f"thread{j}-{i}", owner="Shared Owner", risk_tier=3,
                                          task=TaskType.CLASSIFICATION, actor=f"Thread Writer {j}")
                    ws.set_status(m.id, LifecycleStatus.VALIDATION, actor=f"Thread Writer {j}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=thread_writer, args=(j,)) for j in range(threads_n)]
    for t in threads:
        t.start()
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    go.wait(timeout=120)
    for t in threads:
        t.join(timeout=300)
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert not errors, errors
    result = verify(workspace_url)
    assert result.intact, result.reason
    assert result.events == 2 * per_writer * (threads_n + procs_n)
    assert (result.first_seq, result.last_seq) == (1, result.events)  # no holes, none doubled
    url = workspace_url if workspace_url.startswith("postgresql") else f"sqlite:///{workspace_url}"
    eng = create_engine(url)
    with eng.connect() as conn:
        actors = [r[0] for r in conn.execute(text("SELECT actor_ref FROM audit_event ORDER BY seq"))]
    eng.dispose()
    # Every writer's events are there (started together at a barrier; how much they
    # interleave is up to the scheduler, so it is not asserted).
    assert len(set(actors)) == threads_n + procs_n


# ---------------------------------------------------------------------- GDPR erasure
def test_erasure_keeps_the_chain_intact_and_removes_the_name_from_the_file(tmp_path):
    path = tmp_path / "ws.sqlite"
    name = "Zoë Ångström-Erasure"
    ws, m = small_workspace(path)
    with ws:
        ws.export_audit_report(m.id, tmp_path / "r.pdf", actor=name)  # the only record naming her
        head = ws.verify_audit_chain().head_hash
        ref = next(e.actor_ref for e in ws.get_model(m.id).audit_events if e.actor == name)
        assert name.encode() in path.read_bytes() + Path(str(path) + "-wal").read_bytes()
        assert audit.erase_person(ws, name, actor="Dana DPO", reason="DSR-2026-17") == ref
        events = ws.get_model(m.id).audit_events
        result = ws.verify_audit_chain(expect_head=head)
        with pytest.raises(InputError, match="already erased"):
            audit.erase_person(ws, ref, actor="Dana DPO", reason="again")
        with pytest.raises(NotFoundError):
            audit.erase_person(ws, "Nobody Known", actor="Dana DPO", reason="x")
        with pytest.raises(InputError, match="reason"):
            audit.erase_person(ws, "Bob Boss", actor="Dana DPO", reason=" ")
        # a person named in old/new (owner) is erased there too
        audit.erase_person(ws, "Olga Owner", actor="Dana DPO", reason="DSR-2026-18")
        first = ws.get_model(m.id).audit_events[0]
        assert ws.verify_audit_chain().intact
    assert result.intact and result.events == 4 + 1  # + the erasure event
    exported = [e for e in events if e.action == "report.exported"]
    assert [e.actor for e in exported] == [ERASED_NAME] and exported[0].actor_ref == ref
    assert first.new["owner"] == ERASED_NAME and first.actor == "Ann Example"
    con = sqlite3.connect(path)
    erasure = con.execute("SELECT entity_id, new, reason FROM audit_event WHERE action = 'person.erased' "
                          "ORDER BY seq").fetchall()
    assert erasure[0] == (ref, json.dumps({"ref": ref, "erased": True}), "DSR-2026-17")
    assert con.execute("SELECT display_name, erased_at IS NOT NULL FROM audit_person WHERE ref = ?",
                       (ref,)).fetchone() == (None, 1)
    con.close()
    files = [path, Path(str(path) + "-wal")]
    assert not any(name.encode() in f.read_bytes() for f in files if f.exists())  # erase_person scrubs
    con = sqlite3.connect(path)
    con.execute("VACUUM")
    con.close()
    assert name.encode() not in path.read_bytes()
    assert examine(path)["events"] == 6


# ---------------------------------------------------------------------- upgrade of old workspaces
def test_upgrade_from_0002_backfills_a_verifiable_chain(workspace_url):
    from datetime import datetime, timezone

    from alembic import command
    from sqlalchemy import DateTime, JSON, bindparam

    from console.store.db import _alembic_config

    url = workspace_url if workspace_url.startswith("postgresql") else f"sqlite:///{workspace_url}"
    eng = create_engine(url)
    t = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=timezone.utc)
    with eng.begin() as conn:
        command.upgrade(_alembic_config(conn), "0002")
        conn.execute(text(
            "insert into registered_model (name, source, description, owner, business_unit, use_case, risk_tier, "
            "status, task, intended_use, restrictions, created_at, updated_at, row_version) values ('Legacy', "
            "'local', '', 'Jürgen Legacy', '', '', 2, 'production', 'classification', '', '', :t, :t, 1)"
        ).bindparams(bindparam("t", type_=DateTime(timezone=True))), {"t": t})
        ins = text("insert into audit_event (occurred_at, actor, action, entity_type, entity_id, model_id, old, new, "
                   "reason, db_user) values (:t, :actor, :action, 'registered_model', '1', 1, :old, :new, :reason, "
                   ":db_user)").bindparams(bindparam("t", type_=DateTime(timezone=True)),
                                           bindparam("old", type_=JSON), bindparam("new", type_=JSON))
        conn.execute(ins, [
            {"t": t, "actor": "Jürgen Legacy", "action": "model.registered", "old": None,
             "new": {"name": "Legacy", "owner": "Jürgen Legacy", "risk_tier": 2}, "reason": "", "db_user": None},
            {"t": t, "actor": "Ольга Смирнова", "action": "model.status_changed", "old": {"status": "approved"},
             "new": {"status": "production", "score": 0.1 + 0.2}, "reason": "go live", "db_user": "legacy_role"},
        ])
    eng.dispose()
    with Workspace.open(workspace_url) as ws:
        result = ws.verify_audit_chain()
        assert result.intact and result.events == 2
        m = ws.list_models()[0]
        ws.set_status(m.id, LifecycleStatus.RETIRED, actor="New Person", expected_row_version=1)
        events = ws.get_model(m.id).audit_events
        after = ws.verify_audit_chain(expect_head=result.head_hash)
    assert after.intact and after.events == 3 and events[2].prev_hash == result.head_hash
    assert [e.actor for e in events] == ["Jürgen Legacy", "Ольга Смирнова", "New Person"]
    assert events[0].new["owner"] == "Jürgen Legacy" and events[1].db_user == "legacy_role"
    assert events[1].new["score"] == 0.1 + 0.2
    eng = create_engine(url)
    try:
        with pytest.raises(Exception, match="append-only: UPDATE refused"):
            with eng.begin() as conn:
                conn.execute(text("UPDATE audit_event SET reason = 'x'"))
    finally:
        eng.dispose()
    if not workspace_url.startswith("postgresql"):
        assert examine(Path(workspace_url))["head"] == after.head_hash


def test_empty_chain_and_downgrade_then_upgrade_again(tmp_path):
    from alembic import command

    from console.store.db import _alembic_config

    empty = verify(tmp_path / "empty.sqlite")
    assert (empty.intact, empty.events, empty.head_hash, empty.first_seq) == (True, 0, GENESIS, None)
    path = tmp_path / "ws.sqlite"
    ws, m = small_workspace(path)
    ws.close()
    eng = create_engine(f"sqlite:///{path}")
    with eng.begin() as conn:
        command.downgrade(_alembic_config(conn), "0002")
        rows = conn.execute(text("SELECT actor, new FROM audit_event ORDER BY seq")).all()
        assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")).scalar() == 0
    eng.dispose()
    assert [r[0] for r in rows] == ["Ann Example", "Ann Example", "Bob Boss"]
    assert json.loads(rows[0][1])["owner"] == "Olga Owner"  # names back in place of refs
    with Workspace.open(path) as ws:  # upgraded again: backfilled anew
        assert ws.verify_audit_chain().events == 3
        assert ws.get_model(m.id).audit_events[0].new["owner"] == "Olga Owner"


# ---------------------------------------------------------------------- the audit PDF
def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def test_audit_pdf_prints_head_range_and_result(demo_workspace, tmp_path):
    path = fresh_copy(demo_workspace, tmp_path, "pdf")
    before = verify(path)
    with Workspace.open(path) as ws:
        pdf = ws.export_audit_report(BANK, tmp_path / "bank.pdf", actor="Report Reader")
    body = _pdf_text(pdf)
    flat = "".join(body.split())
    assert "Audit chain verification" in body and "INTACT" in body
    assert before.head_hash in flat
    assert f"{before.events}eventsintheworkspace,sequencenumbers1–{before.last_seq}" in flat
    # the export itself was appended after the head printed in the report
    assert verify(path, expect_head=before.head_hash).intact

    tamper(path, "UPDATE audit_event SET reason = 'edited' WHERE seq = 4")
    with Workspace.open(path) as ws:
        pdf = ws.export_audit_report(BANK, tmp_path / "broken.pdf", actor="Report Reader")
    flat = "".join(_pdf_text(pdf).split())
    assert "BROKENatevent4—event4doesnotmatchitshash" in flat
