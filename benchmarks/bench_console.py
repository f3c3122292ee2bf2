"""End-to-end timings of the console: demo build, GUI start-up, audit PDF, inventory.

Run on demand:  .venv/bin/python benchmarks/bench_console.py [--repeat N]
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    n = ap.parse_args().repeat
    tmp = Path(tempfile.mkdtemp(prefix="tollgate-bench-"))
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


if __name__ == "__main__":
    main()
