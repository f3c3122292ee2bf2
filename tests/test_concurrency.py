"""Several threads and processes writing one workspace at once, on SQLite and PostgreSQL.

What must hold (issue 3): no lost update and no double transition; no "database is
locked" reaching anyone; every write either happens exactly once or is refused with
ConcurrentChangeError; audit ``seq`` strictly increasing without holes; a new
PostgreSQL workspace opened by several processes at once gets its schema exactly once.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import text

from console.domain.models import LifecycleStatus, TaskType
from console.errors import ConcurrentChangeError
from console.services.workspace import Workspace
from console.store.db import head_revision
from tests.conftest import REPO
from tests.test_backends import fitted_model, german_frame, is_pg, raw_engine

THREADS = 3
PROCESSES = 2
OPS = 4  # per worker: register a version, then try a status transition

NEXT = {
    LifecycleStatus.DEVELOPMENT: LifecycleStatus.VALIDATION,
    LifecycleStatus.VALIDATION: LifecycleStatus.APPROVED,
    LifecycleStatus.APPROVED: LifecycleStatus.PRODUCTION,
    LifecycleStatus.PRODUCTION: LifecycleStatus.RETIRED,
    LifecycleStatus.RETIRED: LifecycleStatus.DEVELOPMENT,
}


def worker(location: str, name: str, model_ids: list[int], data_dir: str, ws: Workspace | None = None) -> dict:
    """One officer: ``OPS`` times register a version of a model, then move its status on
    from what was just read.  Runs in a thread (sharing ``ws``) or a spawned process."""
    df = german_frame(Path(data_dir)).iloc[:200]
    est = fitted_model(df)
    out: dict = {"versions": [], "transitions": 0, "conflicts": 0, "errors": []}
    own = ws is None
    ws = ws or Workspace.open(location)
    try:
        for i in range(OPS):
            mid = model_ids[(sum(map(ord, name)) + i) % len(model_ids)]
            try:
                v = ws.register_version(mid, estimator=est, training_data=df, target_column="bad", actor=name,
                                        description=f"{name} #{i}")
                out["versions"].append([mid, v.version])
                seen = ws.find_model(mid)
                try:
                    ws.set_status(mid, NEXT[seen.status], actor=name, expected_row_version=seen.row_version)
                    out["transitions"] += 1
                except ConcurrentChangeError as exc:
                    assert "reload and try again" in str(exc)
                    out["conflicts"] += 1
            except Exception as exc:  # reported to the test, which fails on any
                out["errors"].append(f"{type(exc).__name__}: {exc}")
    finally:
        if own:
            ws.close()
    return out


def test_threads_and_processes_writing_at_once(workspace_url, shared_data):
    with Workspace.open(workspace_url) as ws:
        ids = [ws.register_model(name=f"Model {k}", owner="o", risk_tier=2, task=TaskType.CLASSIFICATION,
                                 actor="setup").id for k in range(2)]
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(PROCESSES, mp_context=ctx) as procs, ThreadPoolExecutor(THREADS) as threads:
            futures = [procs.submit(worker, workspace_url, f"proc{k}", ids, str(shared_data)) for k in range(PROCESSES)]
            futures += [threads.submit(worker, workspace_url, f"thread{k}", ids, str(shared_data), ws)
                        for k in range(THREADS)]
            results = [f.result(timeout=300) for f in futures]
        errors = [e for r in results for e in r["errors"]]
        assert not errors, errors  # in particular no "database is locked"
        versions = [tuple(v) for r in results for v in r["versions"]]
        transitions = sum(r["transitions"] for r in results)
        assert len(versions) == (PROCESSES + THREADS) * OPS and transitions >= 1
        per_model = Counter(mid for mid, _ in versions)
        for mid in ids:
            detail = ws.get_model(mid)
            numbers = [v.version for v in detail.versions]
            assert numbers == list(range(1, per_model[mid] + 1))  # none lost, none doubled
            assert sorted(n for m, n in versions if m == mid) == numbers
            changes = [e for e in detail.audit_events if e.action == "model.status_changed"]
            for a, b in zip(changes, changes[1:]):  # each transition starts where the last ended
                assert a.new["status"] == b.old["status"], (a, b)
            if changes:
                assert detail.model.status.value == changes[-1].new["status"]
            assert detail.model.row_version == 1 + per_model[mid] + len(changes)
        eng = raw_engine(workspace_url)
        with eng.connect() as conn:
            seqs = [r[0] for r in conn.execute(text("select seq from audit_event order by seq"))]
            actions = Counter(r[0] for r in conn.execute(text("select action from audit_event")))
            users = {r[0] for r in conn.execute(text(
                "select distinct p.display_name from audit_event e "
                "left join audit_person p on p.ref = e.db_user_ref"))}
        eng.dispose()
    assert actions == {"model.registered": 2, "version.registered": len(versions),
                       "model.status_changed": transitions}
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # strictly increasing, no holes
    assert users == ({"tollgate"} if is_pg(workspace_url) else {None})


def test_simultaneous_alias_moves_make_one_event(workspace_url, shared_data):
    """Four officers move `champion` to v2 at the same instant without a row version:
    one move, one audit event, nobody gets an error."""
    from sklearn.dummy import DummyClassifier

    df = german_frame(shared_data).iloc[:100]
    with Workspace.open(workspace_url) as ws:
        m = ws.register_model(name="Alias race", owner="o", risk_tier=3, task=TaskType.CLASSIFICATION)
        for strategy in ("prior", "most_frequent"):
            ws.register_version(m.id, estimator=DummyClassifier(strategy=strategy).fit(df.drop(columns="bad"), df["bad"]),
                                training_data=df, target_column="bad")
        ws.set_alias(m.id, "champion", 1)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    officers = [Workspace.open(workspace_url) for _ in range(4)]

    def move(w: Workspace, who: str) -> None:
        barrier.wait()
        try:
            w.set_alias(m.id, "champion", 2, actor=who)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=move, args=(w, f"officer{k}")) for k, w in enumerate(officers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for w in officers:
        w.close()
    assert not errors, errors
    with Workspace.open(workspace_url) as ws:
        d = ws.get_model(m.id)
    moves = [e for e in d.audit_events if e.action == "alias.set" and e.new["version"] == 2]
    assert len(moves) == 1 and moves[0].old == {"version": 1}
    assert [(a.name, a.version) for a in d.aliases] == [("champion", 2)]


def test_concurrent_first_open_of_a_new_postgresql_workspace(pg_database):
    """Four consoles start on a new, empty PostgreSQL database at once: the schema is
    created once (advisory lock in the migration transaction) and all four work."""
    procs = [subprocess.Popen([sys.executable, "-m", "console", "--workspace", pg_database, "models", "list",
                               "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
             for _ in range(4)]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert all(code == 0 and json.loads(out) == [] for code, out, _ in results), results
    eng = raw_engine(pg_database)
    with eng.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalars().all() == [head_revision()]
        assert conn.execute(text("select count(*) from workspace_info where key = 'workspace_id'")).scalar() == 1
    eng.dispose()
