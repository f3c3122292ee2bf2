"""Benchmark of the approval workflow (console.services.approvals) on a real SQLite file.

Builds a workspace with M models (one German-credit logistic-regression version each,
authored by ``dana``), submits one development → validation request per model, then
measures: listing every open request (the team view), one user's queue, loading one
request with its signature verification, and signing (password re-authentication
included: scrypt n=2^14 dominates).

Usage: ``python benchmarks/bench_approvals.py [--models 300] [--shared-data PATH]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from console.domain.models import TaskType  # noqa: E402
from console.services import approvals, governance  # noqa: E402
from console.services.workspace import Workspace  # noqa: E402


def german(shared: Path) -> pd.DataFrame:
    raw = pd.read_csv(shared / "german_credit" / "german.data", sep=" ", header=None)
    df = raw.iloc[:, [1, 4, 7, 10, 12]].copy()
    df.columns = ["duration", "amount", "rate", "residence", "age"]
    df["bad"] = (raw.iloc[:, 20] == 2).astype(int)
    return df


def timed(fn, n=5):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=300)
    ap.add_argument("--shared-data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    args = ap.parse_args()
    df = german(Path(args.shared_data))
    est = LogisticRegression(max_iter=500).fit(df.drop(columns="bad"), df["bad"])
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Path(tmp) / "bench.sqlite")
        ws.create_user("root", "Root", "root-pass-1")
        root = ws.authenticate("root", "root-pass-1")
        for login, role in (("dana", "Data Scientist"), ("sam", "Data Scientist"), ("eve", "Data Engineer")):
            ws.create_user(login, login.title(), f"{login}-pass-1", roles=[role], by=root)
        t0 = time.perf_counter()
        for i in range(args.models):
            m = ws.register_model(name=f"model {i:04d}", owner="o", risk_tier=1 + i % 3,
                                  task=TaskType.CLASSIFICATION, actor="dana")
            ws.register_version(m.id, estimator=est, training_data=df, target_column="bad", actor="dana")
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        ids = [approvals.request_approval(ws, f"model {i:04d}", 1, login="dana", password="dana-pass-1",
                                          reason="ready", to_status="validation").id for i in range(args.models)]
        submitted = time.perf_counter() - t0
        eve = governance.get_user(ws, "eve")
        print(f"models/versions registered: {args.models} in {built:.1f} s; {len(ids)} requests submitted in "
              f"{submitted:.1f} s ({submitted / len(ids) * 1000:.0f} ms each, scrypt included)")
        print(f"list_requests (team view, {len(ids)} open): {timed(lambda: approvals.list_requests(ws), 3):.3f} s")
        print(f"my_queue (eve, {len(ids)} items):          {timed(lambda: approvals.my_queue(ws, eve), 3):.3f} s")
        print(f"get_request + verify signatures:        {timed(lambda: approvals.get_request(ws, ids[0])) * 1000:.1f} ms")
        r = approvals.get_request(ws, ids[0])
        print(f"evaluate_gates:                         {timed(lambda: approvals.evaluate_gates(ws, r)) * 1000:.1f} ms")
        sig = []
        for rid in ids[:10]:
            t0 = time.perf_counter()
            approvals.sign(ws, rid, login="eve", password="eve-pass-1", meaning="reviewed", reason="ok")
            sig.append(time.perf_counter() - t0)
        print(f"sign (re-authentication included):      {statistics.median(sig) * 1000:.0f} ms median of 10")
        ws.close()


if __name__ == "__main__":
    main()
