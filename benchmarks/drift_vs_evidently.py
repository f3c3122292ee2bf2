"""Tollgate's drift engine against Evidently's DataDriftPreset, and ``tollgate drift`` on
Parquet files against a plain vectorised numpy implementation (issue 4, "Benchmark").

Table (benchmarks/bench_drift.py ``make_table``, seeded): 40 numeric + 10 categorical
columns, N rows in the reference and N rows in the current sample; N = 10k, 100k, 1M.

Per N it prints, best of ``--repeat`` runs (1 at N = 1M):

* ``tollgate e2e``: :func:`console.monitoring.drift.compute_drift` from the two DataFrames
  (profile the reference + compare) -- wall time and peak resident memory above the
  pre-run baseline (sampled every 5 ms), next to the size of the input DataFrames;
* ``tollgate cmp``: :func:`~console.monitoring.drift.compare` of the current DataFrame
  with the reference profile already computed (the cost of each new window);
* ``evidently``: ``Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)``
  on the same DataFrames in the same run -- in this process when ``evidently`` is
  importable, else in ``--evidently-python`` (an interpreter of a separate environment
  with ``pip install -e .[evidently]``) on the same data passed as Parquet files -- and
  the ratio Evidently / Tollgate end to end.  Evidently runs up to ``--evidently-max``
  rows (default 100k: at 1M it takes minutes and gigabytes; pass 1000000 once).

``--parquet N`` also writes the table as Parquet files and times, each in a fresh
process and best of 2: ``tollgate drift --reference ref.parquet --current cur.parquet
--json`` and :func:`plain_numpy_drift` (read the files with pyarrow, then per column
numpy sorts, quantiles, searchsorted and bincount, scipy for p-values -- the "plain
vectorised numpy" version of the issue), printing wall time and peak RSS of each.

``--fast-sort`` calls :func:`console.monitoring.prefer_fast_sort` before numpy is
imported (here and in the child processes): on AMD Zen 4 processors numpy's AVX-512
sort is ~5x slower than its AVX2 sort; the script prints which one is in use.

Usage: ``python benchmarks/drift_vs_evidently.py [--sizes ...] [--repeat R]
[--evidently-python PATH] [--evidently-max N] [--parquet N] [--fast-sort]``
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

if "--fast-sort" in sys.argv:  # must run before numpy is imported
    from console.monitoring import prefer_fast_sort

    prefer_fast_sort()

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any, Optional  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bench_drift import PeakRSS, make_table, rss_bytes  # noqa: E402

MB = 2**20


def sort_path() -> str:
    disabled = os.environ.get("NPY_DISABLE_CPU_FEATURES")
    x = np.random.default_rng(0).normal(size=1_000_000)
    t0 = time.perf_counter()
    np.sort(x)
    dt = time.perf_counter() - t0
    what = f"NPY_DISABLE_CPU_FEATURES={disabled!r}" if disabled is not None else "numpy default dispatch"
    return f"{what}; np.sort of 1M float64: {dt * 1e3:.0f} ms"


def measure(fn: Any, repeat: int) -> tuple[float, int, Any]:
    """(best wall seconds, largest peak RSS above the pre-run baseline, last result)."""
    best, peak_extra, out = float("inf"), 0, None
    for _ in range(repeat):
        out = None
        gc.collect()
        base = rss_bytes()
        with PeakRSS() as peak:
            t0 = time.perf_counter()
            out = fn()
            dt = time.perf_counter() - t0
        best = min(best, dt)
        peak_extra = max(peak_extra, peak.peak - base)
    return best, peak_extra, out


# --------------------------------------------------------------------------- Evidently


def evidently_run(ref: pd.DataFrame, cur: pd.DataFrame) -> Any:
    from evidently import Report
    from evidently.presets import DataDriftPreset

    return Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)


def evidently_in_child(python: str, ref: pd.DataFrame, cur: pd.DataFrame, repeat: int) -> Optional[dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        rp, cp = os.path.join(tmp, "ref.parquet"), os.path.join(tmp, "cur.parquet")
        ref.to_parquet(rp, index=False)
        cur.to_parquet(cp, index=False)
        proc = subprocess.run(
            [python, __file__, "--child-evidently", rp, cp, str(repeat)],
            capture_output=True, text=True, check=False,
        )
    if proc.returncode != 0:
        print(f"  (evidently child failed: {proc.stderr.strip().splitlines()[-1:]})", flush=True)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child_evidently(rp: str, cp: str, repeat: int) -> None:
    ref, cur = pd.read_parquet(rp), pd.read_parquet(cp)
    for col in ref.columns:  # the same logical types as in the parent (text as str)
        if ref[col].dtype == object:
            ref[col] = ref[col].astype("str")
            cur[col] = cur[col].astype("str")
    evidently_run(ref.iloc[:1000], cur.iloc[:1000])  # warm-up: imports
    t, peak, _ = measure(lambda: evidently_run(ref, cur), repeat)
    import evidently

    print(json.dumps({"seconds": t, "peak_extra": peak, "version": evidently.__version__}))


# --------------------------------------------------------------------------- plain numpy


def plain_numpy_drift(ref_path: str, cur_path: str) -> dict[str, Any]:
    """A plain vectorised numpy/scipy drift computation of two Parquet files.

    Per numeric column: drop NaN, ``np.sort`` both samples, PSI over
    ``np.quantile(ref, deciles)`` edges with ``searchsorted`` + ``bincount`` and the 1e-4
    floor, KS D via ``searchsorted`` of the concatenated samples into both (scipy's own
    formula, vectorised) and the p-value ``kstwobign.sf`` (n > 10,000), Wasserstein via
    the CDF-difference formula of ``scipy.stats.wasserstein_distance``; per categorical
    column: ``pd.factorize`` once over both samples, ``bincount``, PSI, chi-square
    (``chi2_contingency``) and Jensen-Shannon.  One thread, no special tricks.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    from scipy import stats
    from scipy.spatial.distance import jensenshannon

    ref, cur = pq.read_table(ref_path), pq.read_table(cur_path)
    out: dict[str, Any] = {}
    for name in ref.column_names:
        r_col, c_col = ref.column(name), cur.column(name)
        if pa.types.is_floating(r_col.type) or pa.types.is_integer(r_col.type):
            r = r_col.to_numpy(zero_copy_only=False).astype(np.float64)
            c = c_col.to_numpy(zero_copy_only=False).astype(np.float64)
            r = np.sort(r[np.isfinite(r)])
            c = np.sort(c[np.isfinite(c)])
            edges = np.unique(np.quantile(r, np.arange(1, 10) / 10))
            pr = np.bincount(np.searchsorted(edges, r, side="right"), minlength=edges.size + 1) / r.size
            pc = np.bincount(np.searchsorted(edges, c, side="right"), minlength=edges.size + 1) / c.size
            pr, pc = np.maximum(pr, 1e-4), np.maximum(pc, 1e-4)
            psi = float(np.sum((pc - pr) * np.log(pc / pr)))
            both = np.concatenate([r, c])
            cdf_r = np.searchsorted(r, both, side="right") / r.size
            cdf_c = np.searchsorted(c, both, side="right") / c.size
            d = float(np.max(np.abs(cdf_r - cdf_c)))
            p = float(stats.kstwobign.sf(d * np.sqrt(r.size * c.size / (r.size + c.size))))
            both.sort()
            deltas = np.diff(both)
            fr = np.searchsorted(r, both[:-1], side="right") / r.size
            fc = np.searchsorted(c, both[:-1], side="right") / c.size
            w = float(np.sum(np.abs(fr - fc) * deltas))
            out[name] = {"psi": psi, "ks": d, "p": p, "w": w}
        else:
            r = r_col.to_pandas()
            c = c_col.to_pandas()
            codes, uniques = pd.factorize(pd.concat([r, c], ignore_index=True))
            k = len(uniques)
            rc = np.bincount(codes[: len(r)][codes[: len(r)] >= 0], minlength=k)
            cc = np.bincount(codes[len(r):][codes[len(r):] >= 0], minlength=k)
            pr, pc = rc / rc.sum(), cc / cc.sum()
            fr, fc = np.maximum(pr, 1e-4), np.maximum(pc, 1e-4)
            chi = stats.chi2_contingency(np.vstack([rc, cc]), correction=False)
            out[name] = {"psi": float(np.sum((fc - fr) * np.log(fc / fr))), "chi2": float(chi.statistic),
                         "js": float(jensenshannon(pr, pc, base=2))}
    return out


def run_child(cmd: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS bytes, exit code) of a child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    dt = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 and proc.stderr is not None:
        print("  child failed:", proc.stderr.read().decode(errors="replace")[-500:])
    return dt, usage.ru_maxrss * 1024, proc.returncode


def parquet_comparison(n: int) -> None:
    ref, cur = make_table(n, 1, shifted=False), make_table(n, 2, shifted=True)
    env = dict(os.environ)
    venv_bin = Path(sys.executable).parent
    tollgate = venv_bin / "tollgate"
    with tempfile.TemporaryDirectory() as tmp:
        rp, cp = os.path.join(tmp, "ref.parquet"), os.path.join(tmp, "cur.parquet")
        ref.to_parquet(rp, index=False)
        cur.to_parquet(cp, index=False)
        del ref, cur
        size = os.path.getsize(rp) + os.path.getsize(cp)
        cli = [str(tollgate), "drift", "--reference", rp, "--current", cp, "--json"]
        if not tollgate.exists():
            cli = [sys.executable, "-m", "console", "drift", "--reference", rp, "--current", cp, "--json"]
        plain = [sys.executable, __file__, "--child-plain", rp, cp]
        rows = []
        for label, cmd in (("tollgate drift (CLI)", cli), ("plain numpy", plain)):
            best = min((run_child(cmd, env) for _ in range(2)), key=lambda r: r[0])
            rows.append((label, best))
    print(f"\nParquet files, N = {n:,} rows per file ({size / MB:,.0f} MB on disk); fresh process each, best of 2:")
    for label, (dt, rss, rc) in rows:
        print(f"  {label:22s} {dt:7.2f} s   peak RSS {rss / MB:7,.0f} MB   exit {rc}")
    print(f"  ratio plain numpy / tollgate drift: {rows[1][1][0] / rows[0][1][0]:.2f}x")


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement below 1M rows (1 at 1M)")
    ap.add_argument("--evidently-python", default=None, help="interpreter of an environment with evidently")
    ap.add_argument("--evidently-max", type=int, default=100_000, help="largest N for Evidently")
    ap.add_argument("--parquet", type=int, default=None, metavar="N", help="also compare on Parquet files of N rows")
    ap.add_argument("--fast-sort", action="store_true", help="console.monitoring.prefer_fast_sort() first")
    ap.add_argument("--child-evidently", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--child-plain", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_evidently:
        child_evidently(args.child_evidently[0], args.child_evidently[1], int(args.child_evidently[2]))
        return
    if args.child_plain:
        plain_numpy_drift(*args.child_plain)
        return

    from console.monitoring.drift import ReferenceProfile, compare, compute_drift

    try:
        import evidently  # noqa: F401

        ev_where = f"in process (evidently {evidently.__version__})"
    except ImportError:
        ev_where = f"in {args.evidently_python}" if args.evidently_python else "not installed: skipped"
    print(f"drift: {os.cpu_count()} CPUs; numpy {np.__version__}, pandas {pd.__version__}; {sort_path()}")
    print(f"table: 40 numeric + 10 categorical columns, N rows per side (seeded); Evidently DataDriftPreset {ev_where}")
    header = (f"{'N':>9}  {'input':>8}  {'tollgate e2e':>12}  {'peak above':>10}  {'tollgate cmp':>12}  "
              f"{'peak above':>10}  {'evidently':>10}  {'peak above':>10}  {'ratio':>7}")
    print(header)
    print("-" * len(header))
    compute_drift(make_table(2000, 1, False), make_table(2000, 2, True))  # warm-up: imports, pools
    for n in args.sizes:
        ref, cur = make_table(n, 1, shifted=False), make_table(n, 2, shifted=True)
        input_bytes = int(ref.memory_usage(deep=True).sum() + cur.memory_usage(deep=True).sum())
        repeat = 1 if n >= 1_000_000 else args.repeat
        t_e2e, m_e2e, res = measure(lambda: compute_drift(ref, cur), repeat)
        profile = ReferenceProfile.from_frame(ref)
        t_cmp, m_cmp, _ = measure(lambda: compare(profile, cur), max(repeat, 2) if n >= 1_000_000 else repeat)
        profile = None  # free it before Evidently runs
        gc.collect()
        ev: Optional[dict[str, float]] = None
        if n <= args.evidently_max:
            if ev_where.startswith("in process"):
                evidently_run(ref.iloc[:1000], cur.iloc[:1000])
                t_ev, m_ev, _ = measure(lambda: evidently_run(ref, cur), 1 if n >= 100_000 else repeat)
                ev = {"seconds": t_ev, "peak_extra": m_ev}
            elif args.evidently_python:
                ev = evidently_in_child(args.evidently_python, ref, cur, 1 if n >= 100_000 else repeat)
        ev_t = f"{ev['seconds']:9.2f}s" if ev else f"{'-':>10}"
        ev_m = f"{ev['peak_extra'] / MB:7,.0f} MB" if ev else f"{'-':>10}"
        ratio = f"{ev['seconds'] / t_e2e:6.0f}x" if ev else f"{'-':>7}"
        print(f"{n:>9,}  {input_bytes / MB:5,.0f} MB  {t_e2e:11.2f}s  {m_e2e / MB:7,.0f} MB  {t_cmp:11.2f}s  "
              f"{m_cmp / MB:7,.0f} MB  {ev_t}  {ev_m}  {ratio}   ({res.n_drifted}/{res.n_tested} drifted)", flush=True)
        ref = cur = res = None
        gc.collect()
    if args.parquet:
        parquet_comparison(args.parquet)


if __name__ == "__main__":
    main()
