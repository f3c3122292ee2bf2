"""Report generation timings: model audit / validation reports and a 200-model inventory.

Run on demand:  .venv/bin/python benchmarks/bench_reports.py [--demo PATH] [--models 200] [--repeat 3]

* Model reports: on a copy of a demo workspace (``--demo PATH``; default: built with
  ``tollgate demo`` in a temp folder, which takes minutes), the audit and the validation
  report of every demo model through :func:`console.services.reports.export_report`
  (facts gathered, chain verified, PDF laid out in two passes, JSON attached): best of
  ``--repeat`` wall time and the page count.
* Inventory: the demo copy plus models registered through the service API
  (``Workspace.register_model``) up to ``--models`` in total, then the inventory report
  of all of them (best of ``--repeat``) and filtered to tier 1.

Prints numbers only.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OWNERS = ["Amara Okafor", "Jonas Weber", "Ольга Смирнова", "Νίκος Παπαδόπουλος", "陈静", "Lucía Fernández"]


def _copy(src: Path, dst: Path) -> Path:
    shutil.copy2(src, dst)
    for suffix in ("-wal", "-shm"):
        side = src.with_name(src.name + suffix)
        if side.exists():
            shutil.copy2(side, dst.with_name(dst.name + suffix))
    return dst


def _best(fn, repeat: int):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, default=None, help="an existing demo workspace (copied, never changed)")
    ap.add_argument("--models", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from console.domain.models import LifecycleStatus, TaskType
    from console.services.reports import export_report
    from console.services.workspace import Workspace

    tmp = Path(tempfile.mkdtemp(prefix="tollgate-bench-reports-"))
    demo = args.demo
    if demo is None:
        demo = tmp / "demo.sqlite"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "console", "--workspace", str(demo), "demo"], check=True,
                       capture_output=True, cwd=REPO)
        print(f"demo workspace built in {time.perf_counter() - t0:.1f} s")
    ws_path = _copy(demo, tmp / "bench.sqlite")
    with Workspace.open(ws_path) as ws:
        models = ws.list_models()
        print(f"model reports ({len(models)} demo models, best of {args.repeat}):")
        for m in models:
            for kind in ("audit", "validation"):
                secs, out = _best(lambda: export_report(ws, kind, m.id, None, tmp / f"{m.id}-{kind}.pdf",
                                                        actor="bench"), args.repeat)
                size = out.stat().st_size / 1024
                print(f"  {kind:10s} {m.name[:40]:40s} {secs:6.2f} s  {out.pages:3d} pages  {size:7.0f} KiB"
                      + (f"  warnings: {len(out.warnings)}" if out.warnings else ""))
        t0 = time.perf_counter()
        have = len(models)
        for i in range(max(0, args.models - have)):
            ws.register_model(name=f"Portfolio model {i:04d} — {['credit', 'fraud', 'pricing', 'churn'][i % 4]}",
                              owner=OWNERS[i % len(OWNERS)], risk_tier=1 + i % 3, task=TaskType.CLASSIFICATION,
                              status=list(LifecycleStatus)[i % 5], description="benchmark model",
                              actor="bench")
        n = len(ws.list_models())
        print(f"registered {n - have} models through the service API in {time.perf_counter() - t0:.1f} s")
        secs, out = _best(lambda: export_report(ws, "inventory", path=tmp / "inventory.pdf", actor="bench"),
                          args.repeat)
        print(f"inventory report, {n} models: {secs:.2f} s, {out.pages} pages, "
              f"{out.stat().st_size / 1024:.0f} KiB (best of {args.repeat})")
        secs, out = _best(lambda: export_report(ws, "inventory", path=tmp / "inventory-t1.pdf", actor="bench",
                                                filters={"tier": 1}), args.repeat)
        print(f"inventory report, tier 1 only: {secs:.2f} s, {out.pages} pages")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
