"""Demo build time by phase (training, validating with the full suite, drift), wall clock
and this process's CPU time, plus the validation suite's share.

    python benchmarks/bench_demo_build.py

Wall time depends on the machine's load (HistGradientBoosting uses OpenMP threads that
suffer when other processes hold the cores); CPU time is the steadier number.  Prints
numbers only; asserts nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from console.services.demo import build_demo
    from console.services.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Path(tmp) / "demo.sqlite")
        t0, c0 = time.perf_counter(), time.process_time()
        phases: dict[str, list[float]] = {}
        last = {"kind": None, "t": t0, "c": c0}

        def progress(_fraction: float, message: str) -> None:
            now, cpu = time.perf_counter(), time.process_time()
            if last["kind"] is not None:
                acc = phases.setdefault(last["kind"], [0.0, 0.0])
                acc[0] += now - last["t"]
                acc[1] += cpu - last["c"]
            kind = ("training" if "training" in message else "validating" if "validating" in message
                    else "drift/monitoring" if "drift" in message else "other")
            last.update(kind=kind, t=now, c=cpu)

        summary = build_demo(ws, progress=progress)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        runs = [r for m in ws.list_models() for r in ws.get_model(m.id).validation_runs]
        suite = sum((r.finished_at - r.started_at).total_seconds() for r in runs)
        ws.close()
    print(f"load average before/after: {os.getloadavg()[0]:.1f}")
    print(f"demo build: {wall:.1f} s wall, {cpu:.1f} s CPU ({summary['versions_added']} versions, "
          f"{summary['validations_added']} validations, {summary['drift_runs_added']} drift runs)")
    for kind, (w, c) in sorted(phases.items()):
        print(f"  {kind:<17} {w:6.1f} s wall {c:6.1f} s CPU")
    print(f"  validation suite runs: {len(runs)}, {suite:.1f} s wall in total "
          f"({suite / max(1, len(runs)):.1f} s per run)")


if __name__ == "__main__":
    main()
