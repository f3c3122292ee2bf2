"""Registry sync timings: 200 models x 5 versions (1,000 versions) on a real MLflow server.

Run on demand:  .venv/bin/python benchmarks/bench_registry_sync.py [--models 200] [--versions 5]

Starts a local ``mlflow server`` on 127.0.0.1 (one worker, SQLite backend; the test
fixture's :class:`tests.mlflow_server.MlflowServer`), registers the models through the
mlflow client (no training: each version points at its own run carrying 3 params, 2
metrics and one dataset input, so every version has real lineage to pull), then times,
through ``Workspace.sync_registries`` into a fresh SQLite workspace:

* the first full sync (everything new),
* a re-sync with nothing changed on the server (same snapshot hashes: nothing written
  but the sync's audit event),
* ``Workspace.list_models()`` of the synced workspace (what the inventory view loads).

Prints wall times in seconds and the HTTP request count; nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def populate(server, n_models: int, n_versions: int) -> float:
    from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param

    c = server.client()
    exp = c.create_experiment("bench")
    t0 = time.perf_counter()
    now = int(time.time() * 1000)
    for i in range(n_models):
        name = f"bench model {i:03d} — crédit %"
        c.create_registered_model(name, tags={"owner": f"team-{i % 7}", "task": "classification"},
                                  description=f"benchmark model {i}")
        for j in range(n_versions):
            run = c.create_run(exp, tags={"mlflow.runName": f"m{i}-v{j}"})
            rid = run.info.run_id
            c.log_batch(rid, metrics=[Metric("auc", 0.7 + j / 100, now, 0), Metric("ks", 0.3, now, 0)],
                        params=[Param("C", str(10.0 ** -j)), Param("penalty", "l2"), Param("max_iter", "500")])
            ds = Dataset(name="german credit", digest=f"{i:04d}{j:04d}", source_type="local",
                         source='{"uri": "/data/german.data"}', schema='{"mlflow_colspec": []}',
                         profile='{"num_rows": 1000}')
            c.log_inputs(rid, datasets=[DatasetInput(ds, tags=[InputTag("mlflow.data.context", "training")])])
            c.set_terminated(rid)
            c.create_model_version(name, source=f"runs:/{rid}/model", run_id=rid)
        if i % 3 == 0:
            c.set_registered_model_alias(name, "champion", str(n_versions))
        if (i + 1) % 50 == 0:
            print(f"  registered {i + 1} models ({time.perf_counter() - t0:.0f} s)", flush=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=200)
    ap.add_argument("--versions", type=int, default=5)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    import logging
    import os

    os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"
    import mlflow  # noqa: F401  (configures its loggers on import; quieten them after)

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    from console.services.workspace import Workspace
    from tests.mlflow_server import MlflowServer, migrated_database

    tmp = Path(tempfile.mkdtemp(prefix="tollgate-bench-registry-"))
    server = MlflowServer(tmp / "server", migrated_database(tmp))
    t0 = time.perf_counter()
    server.start()
    print(f"mlflow server start-up (migrated SQLite copy, 1 worker): {time.perf_counter() - t0:.1f} s")
    try:
        n = args.models * args.versions
        print(f"registering {args.models} models x {args.versions} versions ({n} versions, one run each) ...")
        print(f"  took {populate(server, args.models, args.versions):.1f} s (setup, not part of the sync)")
        with Workspace.open(tmp / "ws.sqlite") as ws:
            ws.add_registry("bench", server.url, actor="bench")
            for label in ("first full sync", "re-sync, nothing changed", "re-sync, nothing changed (again)"):
                t0 = time.perf_counter()
                (r,) = ws.sync_registries(actor="bench")
                dt = time.perf_counter() - t0
                assert r.ok, r.error
                print(f"{label}: {dt:.2f} s  ({r.models} models, {r.versions} versions, new {r.new}, "
                      f"changed {r.changed}, deleted {r.deleted}, {r.detail.get('requests')} HTTP requests)")
            t0 = time.perf_counter()
            models = ws.list_models()
            print(f"list_models() after sync: {time.perf_counter() - t0:.3f} s ({len(models)} models)")
        print(f"workspace size: {(tmp / 'ws.sqlite').stat().st_size / 1e6:.1f} MB")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
