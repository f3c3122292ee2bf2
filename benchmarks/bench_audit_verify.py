"""Audit hash chain timings: append and verify 100,000 audit events.

Run on demand:  .venv/bin/python benchmarks/bench_audit_verify.py [--events 100000] [--postgresql]

Builds a fresh workspace (SQLite file in a temp folder; with ``--postgresql`` also a
database on a throw-away local PostgreSQL cluster, :class:`tests.pg_server.PgServer`),
registers 50 models, then appends ``--events`` audit events through the real append path
(``Workspace._audit`` → :func:`console.services.audit.append_event`: person refs, the
canonical JSON, SHA-256, the running head) in write transactions of 1,000 events, with
realistic payloads (status changes, validation and drift runs with hashes and metric
dicts, alias moves, registry changes; 12 actors, owners in ``old``/``new``).  Then times:

* appending (events/s, first and last batch: an append must not slow down as the
  table grows, since it reads the head by index once per transaction);
* ``Workspace.verify_audit_chain()`` in-process (best of 3, events/s);
* ``tollgate audit verify --json`` as a subprocess (wall time, interpreter start-up
  included).

Prints numbers; asserts only that the chain verifies intact.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ACTORS = [f"{first} {last}" for first, last in (
    ("Amara", "Okafor"), ("Jonas", "Weber"), ("Ольга", "Смирнова"), ("Νίκος", "Παπαδόπουλος"),
    ("Priya", "Raman"), ("Lucía", "Fernández"), ("Kenji", "Tanaka"), ("Fatima", "Zahra"),
    ("Zoë", "Ångström"), ("Marek", "Nowak"), ("Aroha", "Ngata"), ("Sipho", "Dlamini"))]
STATUSES = ["development", "validation", "approved", "production", "retired"]


def payload(i: int, model_id: int) -> dict:
    kind = i % 6
    h = f"{i:064x}"
    if kind == 0:
        return dict(action="model.status_changed", entity_type="registered_model", entity_id=model_id,
                    old={"status": STATUSES[i % 5]}, new={"status": STATUSES[(i + 1) % 5]},
                    reason="quarterly review sign-off")
    if kind == 1:
        return dict(action="validation.run", entity_type="validation_run", entity_id=i,
                    new={"version": i % 7 + 1, "passed": i % 3 != 0, "data_sha256": h,
                         "failed_checks": ["performance.auc_min", "fairness.dp_ratio"] if i % 3 == 0 else []})
    if kind == 2:
        return dict(action="drift.run", entity_type="drift_run", entity_id=i,
                    new={"version": i % 7 + 1, "label": f"monthly {i % 12 + 1:02d}", "windows": 12,
                         "reference_sha256": h})
    if kind == 3:
        return dict(action="alias.set", entity_type="model_alias", entity_id=f"{model_id}:champion",
                    old={"version": i % 7 + 1}, new={"alias": "champion", "version": i % 7 + 2})
    if kind == 4:
        return dict(action="registry.version_changed", entity_type="model_version", entity_id=i,
                    old={"metrics": {"auc": 0.81234, "ks": 0.4122}, "tags": {"stage": "staging"}},
                    new={"metrics": {"auc": 0.8211 + (i % 100) / 1e4, "ks": 0.43}, "tags": {"stage": "prod"}})
    return dict(action="model.registered", entity_type="registered_model", entity_id=model_id,
                new={"name": f"bench model {model_id} — crédit", "owner": ACTORS[(i + 3) % 12], "risk_tier": 1 + i % 3,
                     "status": "development"})


def build(location: str, n_events: int, batch: int = 1000) -> dict:
    from console.domain.models import TaskType
    from console.services.workspace import Workspace

    with Workspace.open(location) as ws:
        ids = [ws.register_model(name=f"bench model {i}", owner=ACTORS[i % 12], risk_tier=1 + i % 3,
                                 task=TaskType.CLASSIFICATION, actor=ACTORS[i % 12]).id for i in range(50)]
        done = len(ids)
        times = []
        t0 = time.perf_counter()
        while done < n_events:
            tb = time.perf_counter()
            with ws._write() as s:
                for _ in range(min(batch, n_events - done)):
                    mid = ids[done % len(ids)]
                    ws._audit(s, ACTORS[done % 12], model_id=mid, **payload(done, mid))
                    done += 1
            times.append(time.perf_counter() - tb)
            if len(times) % 20 == 0:
                print(f"  appended {done:,} events ({time.perf_counter() - t0:.0f} s)", flush=True)
        total = time.perf_counter() - t0
    return {"events": done, "append_s": total, "first_batch_s": times[0], "last_batch_s": times[-1],
            "append_rate": (done - len(ids)) / total}


def bench(location: str, label: str, n_events: int) -> None:
    from console.services.workspace import Workspace

    print(f"[{label}] building {n_events:,} audit events …", flush=True)
    b = build(location, n_events)
    print(f"[{label}] appended {b['events']:,} events in {b['append_s']:.1f} s = {b['append_rate']:,.0f} events/s "
          f"(1,000-event transactions: first {b['first_batch_s'] * 1000:.0f} ms, "
          f"last {b['last_batch_s'] * 1000:.0f} ms)")
    best = None
    with Workspace.open(location) as ws:
        for _ in range(3):
            t0 = time.perf_counter()
            r = ws.verify_audit_chain()
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
    assert r.intact and r.events == b["events"], r
    print(f"[{label}] verify in-process: {best:.2f} s for {r.events:,} events = {r.events / best:,.0f} events/s "
          f"(best of 3)")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "console", "--workspace", location, "audit", "verify", "--json",
                           "--expect-head", r.head_hash], capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["intact"] and out["events"] == r.events
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "console", "--help"], capture_output=True, cwd=REPO)
    startup = time.perf_counter() - t0
    print(f"[{label}] tollgate audit verify --json --expect-head: {wall:.2f} s wall "
          f"(interpreter + CLI start-up alone {startup:.2f} s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--postgresql", action="store_true", help="also on a throw-away local PostgreSQL cluster")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(str(Path(tmp) / "audit-bench.sqlite"), "SQLite", args.events)
    if args.postgresql:
        from tests.pg_server import PgServer

        srv = PgServer().start()
        try:
            bench(srv.create_database(), "PostgreSQL", args.events)
        finally:
            srv.stop()


if __name__ == "__main__":
    main()
