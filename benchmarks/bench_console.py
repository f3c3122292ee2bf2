"""End-to-end timings of the console: demo build, GUI start-up, audit PDF, inventory,
and the GUI on a big workspace (10,000 versions: 2,000 models x 5 versions).

Run on demand:  .venv/bin/python benchmarks/bench_console.py [--repeat N] [--big-only]
                [--models 2000 --versions 5]
Prints wall times (seconds) and sizes; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _cli(*args: str, env: dict | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "console", *args], check=True, capture_output=True, cwd=REPO, env=env)
    return time.perf_counter() - t0


def _fmt(xs: list[float]) -> str:
    return f"median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f}, n={len(xs)})"


def build_big_workspace(path: Path, n_models: int, n_versions: int) -> float:
    """A workspace with ``n_models`` x ``n_versions`` versions, bulk-inserted through the
    ORM tables (the shape a registry sync writes): three quarters pulled from two MLflow
    registries (one of them offline, some models changed/deleted on the server, server
    aliases), one quarter local with a champion alias and a validation run each.
    Returns the build time in seconds."""
    from datetime import timedelta

    from sqlalchemy import insert

    from console.services.workspace import Workspace
    from console.store import orm
    from console.store.orm import utcnow

    t0 = time.perf_counter()
    now = utcnow()
    with Workspace.open(path) as ws, ws._write() as s:
        blob = orm.Blob(sha256="0" * 64, media_type="application/x-skops", size=1, data=b"\0")
        s.add(blob)
        srcs = [orm.RegistrySourceRow(name=name, kind="mlflow", url=f"http://mlflow-{name}.example:5000",
                                      auth="none", created_by="bench", last_sync_at=now,
                                      last_sync_status=st, last_success_at=now - timedelta(hours=1))
                for name, st in (("mlflow-prod", "ok"), ("mlflow-dev", "unreachable"))]
        s.add_all(srcs)
        s.flush()
        models = []
        for i in range(n_models):
            local = i % 4 == 0
            src = None if local else srcs[i % 2]
            models.append(dict(
                id=i + 1, name=f"model {i:05d} · {'local' if local else src.name}", source="local" if local else src.name,
                source_id=None if local else src.id, owner=f"owner {i % 37}", risk_tier=1 + i % 3,
                status=("development", "validation", "approved", "production")[i % 4],
                task="classification", created_at=now, updated_at=now,
                snapshot_sha256=None if local else f"{i:064x}", synced_at=None if local else now,
                changed_on_server_at=now if (not local and i % 7 == 0) else None,
                deleted_on_server_at=now if (not local and i % 29 == 0) else None,
            ))
        s.execute(insert(orm.RegisteredModelRow), models)
        versions, aliases, raliases, runs = [], [], [], []
        vid = 0
        for m in models:
            local = m["source"] == "local"
            for v in range(1, n_versions + 1):
                vid += 1
                versions.append(dict(
                    id=vid, model_id=m["id"], version=v, framework="scikit-learn" if local else "MLflow",
                    estimator_class="LogisticRegression" if local else "",
                    artifact_sha256=blob.sha256 if local else None, data_sha256="" if not local else f"{vid:064x}",
                    training_schema={"age": "int64", "balance": "int64"}, target_column="y",
                    hyperparameters={"C": 1.0}, metrics={"roc_auc": 0.8 + v / 100}, created_by="bench",
                    created_at=now, external_version=None if local else str(v),
                    run_id=None if local else f"{vid:032x}", source_uri=None if local else f"models:/m-{vid:032x}",
                    lineage=None if local else {"params": {"C": 1.0}, "metrics": {"roc_auc": 0.8}},
                    synced_at=None if local else now,
                ))
            if local:
                aliases.append(dict(model_id=m["id"], name="champion", version_id=vid - 1, updated_at=now))
                runs.append(dict(version_id=vid - 1, started_at=now, finished_at=now, passed=bool(m["id"] % 3),
                                 run_by="bench", data_label="holdout", data_sha256="1" * 64, n_rows=1000,
                                 artifact_sha256=blob.sha256, environment={}))
            else:
                raliases.append(dict(model_id=m["id"], name="production", external_version=str(n_versions),
                                     version_id=vid, synced_at=now))
        s.execute(insert(orm.ModelVersionRow), versions)
        s.execute(insert(orm.AliasRow), aliases)
        s.execute(insert(orm.RegistryAliasRow), raliases)
        s.execute(insert(orm.ValidationRunRow), runs)
    return time.perf_counter() - t0


def _gui_inventory_times(path: Path, repeat: int) -> tuple[list[float], list[float], int]:
    """In-process: MainWindow created (workspace opened in its worker) -> inventory rows
    shown, and -> ready (first model's detail shown too)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from console.ui import theme
    from console.ui.app import _install_qt_message_filter
    from console.ui.main_window import MainWindow

    _install_qt_message_filter()
    app = QApplication.instance() or QApplication([])
    theme.apply_theme(app)
    inv_times, ready_times, rows = [], [], 0
    apply_same, apply_changed = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        w = MainWindow(path, restore_state=False, warm_up=False, refresh_interval_s=0)
        w.resize(1400, 860)
        w.show()
        marks: dict[str, float] = {}
        loop = QEventLoop()

        def on_inventory(n: int) -> None:
            app.processEvents()  # painted: the rows are on screen
            marks["inventory"] = time.perf_counter() - t0

        w.inventoryLoaded.connect(on_inventory)
        w.ready.connect(lambda: (marks.setdefault("ready", time.perf_counter() - t0), loop.quit()))
        w.failed.connect(lambda _m: loop.quit())
        QTimer.singleShot(120_000, loop.quit)
        QTimer.singleShot(0, w.start)
        loop.exec()
        rows = w.inventory.model.total_count()
        # GUI-thread cost of applying a background reload (the query itself ran in a worker)
        from dataclasses import replace

        current = [replace(m) for m in w.inventory.model.rows()]  # equal, not identical (as from a worker)
        t1 = time.perf_counter()
        w.inventory.set_summaries(current, keep_view=True)
        apply_same.append(time.perf_counter() - t1)
        changed = list(current)
        changed[len(changed) // 2] = replace(changed[len(changed) // 2], owner="someone else")
        t1 = time.perf_counter()
        w.inventory.set_summaries(changed, keep_view=True)
        app.processEvents()
        apply_changed.append(time.perf_counter() - t1)
        inv_times.append(marks.get("inventory", float("nan")))
        ready_times.append(marks.get("ready", float("nan")))
        w.shutdown()
        w.deleteLater()
        app.processEvents()
    print(f"  GUI thread, background reload of {rows:,} rows: unchanged {_fmt_ms(apply_same)}, "
          f"one row changed (reset + sort + repaint) {_fmt_ms(apply_changed)}")
    return inv_times, ready_times, rows


def _fmt_ms(xs: list[float]) -> str:
    return f"median {statistics.median(xs) * 1000:.1f} ms (max {max(xs) * 1000:.1f})"


def bench_big_inventory(tmp: Path, n_models: int, n_versions: int, repeat: int) -> None:
    from console.services.workspace import Workspace

    path = tmp / "big.sqlite"
    t_build = build_big_workspace(path, n_models, n_versions)
    total = n_models * n_versions
    print(f"big workspace: {n_models:,} models x {n_versions} versions = {total:,} versions, built (bulk insert) "
          f"in {t_build:.2f} s, {path.stat().st_size / 1e6:.1f} MB")
    with Workspace.open(path) as w:
        t_list, t_get = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            rows = w.list_models()
            t_list.append(time.perf_counter() - t0)
        mid = rows[len(rows) // 2].id
        for _ in range(repeat):
            t0 = time.perf_counter()
            w.get_model(mid)
            t_get.append(time.perf_counter() - t0)
    print(f"  list_models ({len(rows):,} rows): {_fmt(t_list)}")
    print(f"  get_model (one model of {n_models:,}): {_fmt(t_get)}")
    inv, ready, shown = _gui_inventory_times(path, repeat)
    print(f"  GUI MainWindow start -> inventory shown ({shown:,} models, {total:,} versions): {_fmt(inv)}")
    print(f"  GUI MainWindow start -> inventory + first detail shown: {_fmt(ready)}")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TOLLGATE_DEBUG="", TOLLGATE_TIMING="1")
    invs = []
    for i in range(repeat):
        launched = time.time()
        proc = subprocess.run(
            [sys.executable, "-m", "console", "--workspace", str(path), "gui", "--screenshot", str(tmp / f"big{i}.png")],
            capture_output=True, text=True, cwd=REPO, env=env,
        )
        if "epoch " in proc.stderr:
            invs.append(float(proc.stderr.rsplit("epoch ", 1)[1].split(")")[0]) - launched)
    if invs:
        print(f"  GUI process start -> inventory loaded ({total:,} versions): {_fmt(invs)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big-only", action="store_true", help="only the 10,000-version inventory benchmark")
    ap.add_argument("--models", type=int, default=2000)
    ap.add_argument("--versions", type=int, default=5)
    args = ap.parse_args()
    n = args.repeat
    tmp = Path(tempfile.mkdtemp(prefix="tollgate-bench-"))
    sys.path.insert(0, str(REPO))
    if args.big_only:
        bench_big_inventory(tmp, args.models, args.versions, n)
        return
    ws = tmp / "demo.sqlite"

    t = _cli("--workspace", str(ws), "demo")
    print(f"demo build (fresh workspace, 6 models trained, 6 validations, 4 drift runs): {t:.2f} s")
    print(f"  workspace size: {ws.stat().st_size / 1e6:.1f} MB")
    print(f"demo rebuild (idempotent, nothing added): {_cli('--workspace', str(ws), 'demo'):.2f} s")

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TOLLGATE_DEBUG="")
    # GUI start-up: with TOLLGATE_TIMING set the app prints the wall-clock epoch at which
    # the inventory was loaded; compare it with the moment the process was launched.
    starts, invs = [], []
    for i in range(n):
        shot = tmp / f"shot{i}.png"
        launched = time.time()
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "console", "--workspace", str(ws), "gui", "--screenshot", str(shot)],
            capture_output=True, text=True, cwd=REPO, env=dict(env, TOLLGATE_TIMING="1"),
        )
        starts.append(time.perf_counter() - t0)
        if "epoch " in proc.stderr:
            invs.append(float(proc.stderr.rsplit("epoch ", 1)[1].split(")")[0]) - launched)
    print(f"GUI process start -> screenshot saved -> exit: {_fmt(starts)}")
    if invs:
        print(f"GUI process start -> inventory loaded: {_fmt(invs)}")

    sys.path.insert(0, str(REPO))
    from console.services.workspace import Workspace

    with Workspace.open(ws) as w:
        names = [m.name for m in w.list_models()]
        t_list = []
        for _ in range(n):
            t0 = time.perf_counter()
            w.list_models()
            t_list.append(time.perf_counter() - t0)
        print(f"inventory query ({len(names)} models): {_fmt(t_list)}")
        for name in names:
            times = []
            for i in range(n):
                out = tmp / f"report-{i}.pdf"
                t0 = time.perf_counter()
                w.export_audit_report(name, out)
                times.append(time.perf_counter() - t0)
            from pypdf import PdfReader

            pages = len(PdfReader(out).pages)
            print(f"audit PDF '{name}': {_fmt(times)}, {pages} pages, {out.stat().st_size / 1e3:.0f} kB")
    bench_big_inventory(tmp, args.models, args.versions, n)


if __name__ == "__main__":
    main()
