"""Benchmark of the drift engine (console.monitoring.drift) on a synthetic table.

Table: 40 numeric + 10 categorical columns, N rows in the reference and N rows in the
current sample (N = 10k, 100k, 1M by default).  Numeric columns mix normal, log-normal,
uniform and integer-valued (many ties) data, a quarter of them shifted in the current
sample, with 1% missing values; categorical columns are pandas ``str`` columns with 3 to
30 categories, some re-weighted and one with a new category.

Per N it prints: wall time of ``compute_drift`` (profile + compare) and of ``compare``
alone (the part repeated per monitoring window), rows/s (2N rows over the wall time),
the input size (both DataFrames, deep) and the peak resident memory above the
pre-run baseline (sampled from /proc/self/statm every 5 ms), and, at N <= 100k, the
time of a naive per-column scipy loop (``ks_2samp`` + ``wasserstein_distance`` per
numeric column, ``chi2_contingency`` per categorical column) and the ratio naive / ours.

Usage: ``python benchmarks/bench_drift.py [--sizes 10000 100000 1000000] [--workers W] [--fast-sort]``
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if "--fast-sort" in sys.argv:  # before numpy is imported: numpy's AVX2 sort on AMD Zen 4
    from console.monitoring import prefer_fast_sort

    prefer_fast_sort()

import argparse
import gc
import os
import resource
import threading
import time

import numpy as np
import pandas as pd
from scipy import stats

from console.monitoring.drift import ReferenceProfile, compare, compute_drift  # noqa: E402

N_NUMERIC = 40
N_CATEGORICAL = 10


def make_table(n: int, seed: int, shifted: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    for i in range(N_NUMERIC):
        shift = 0.2 if (shifted and i % 4 == 0) else 0.0
        kind = i % 4
        if kind == 0:
            x = rng.normal(shift, 1.0, n)
        elif kind == 1:
            x = rng.lognormal(shift, 0.8, n)
        elif kind == 2:
            x = rng.uniform(0 + shift, 1 + shift, n)
        else:
            x = np.round(rng.normal(50 + 10 * shift, 15, n))  # integer-valued, many ties
        x[rng.random(n) < 0.01] = np.nan
        cols[f"num_{i:02d}"] = x
    for j in range(N_CATEGORICAL):
        k = 3 + 3 * j
        labels = np.array([f"cat{j}_{c}" for c in range(k + (1 if shifted and j == 0 else 0))])
        w = np.linspace(1.0, 2.0, len(labels))
        if shifted and j % 3 == 0:
            w = w[::-1].copy()
        codes = rng.choice(len(labels), size=n, p=w / w.sum())
        cols[f"cat_{j}"] = pd.Series(labels[codes], dtype="str")
    return pd.DataFrame(cols)


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """Sample the resident set size in a thread; ``peak`` is the maximum seen."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def __enter__(self) -> "PeakRSS":
        self.peak = rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


def naive(ref: pd.DataFrame, cur: pd.DataFrame) -> float:
    t0 = time.perf_counter()
    for col in ref.columns:
        r, c = ref[col].dropna(), cur[col].dropna()
        if col.startswith("num_"):
            stats.ks_2samp(r.to_numpy(), c.to_numpy())
            stats.wasserstein_distance(r.to_numpy(), c.to_numpy())
        else:
            table = pd.concat([r.value_counts(), c.value_counts()], axis=1).fillna(0).to_numpy().T
            stats.chi2_contingency(table, correction=False)
    return time.perf_counter() - t0


def mb(x: float) -> str:
    return f"{x / 2**20:,.0f} MB"


def run(n: int, workers: int | None, repeat: int, do_naive: bool) -> dict[str, float]:
    ref = make_table(n, 1, shifted=False)
    cur = make_table(n, 2, shifted=True)
    input_bytes = int(ref.memory_usage(deep=True).sum() + cur.memory_usage(deep=True).sum())
    gc.collect()
    compute_drift(ref.iloc[:1000], cur.iloc[:1000], workers=workers)  # warm-up (imports, thread pool)
    gc.collect()

    best_total = best_profile = best_compare = float("inf")
    peak_extra = 0
    for _ in range(repeat):
        gc.collect()
        base = rss_bytes()
        with PeakRSS() as peak:
            t0 = time.perf_counter()
            profile = ReferenceProfile.from_frame(ref, workers=workers)
            t1 = time.perf_counter()
            result = compare(profile, cur, workers=workers)
            t2 = time.perf_counter()
        peak_extra = max(peak_extra, peak.peak - base)
        best_total = min(best_total, t2 - t0)
        best_profile = min(best_profile, t1 - t0)
        best_compare = min(best_compare, t2 - t1)
        del profile
    # the one-call API, for completeness (same work)
    t0 = time.perf_counter()
    compute_drift(ref, cur, workers=workers)
    t_one_call = time.perf_counter() - t0

    out = {
        "n": n,
        "total_s": best_total,
        "profile_s": best_profile,
        "compare_s": best_compare,
        "one_call_s": t_one_call,
        "rows_per_s": 2 * n / best_total,
        "input_bytes": input_bytes,
        "peak_extra_bytes": peak_extra,
        "n_drifted": result.n_drifted,
        "n_tested": result.n_tested,
    }
    if do_naive:
        out["naive_s"] = min(naive(ref, cur) for _ in range(max(1, repeat if n <= 10_000 else 1)))
        out["ratio"] = out["naive_s"] / best_total
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--workers", type=int, default=None, help="threads (default: CPU count, at most 4)")
    ap.add_argument("--naive-max", type=int, default=100_000, help="largest N for the naive scipy loop")
    ap.add_argument("--fast-sort", action="store_true",
                    help="console.monitoring.prefer_fast_sort() before numpy is imported (AMD Zen 4)")
    args = ap.parse_args()
    print(f"drift benchmark: {N_NUMERIC} numeric + {N_CATEGORICAL} categorical columns, N rows per side; "
          f"{os.cpu_count()} CPUs, workers={args.workers or 'default'}")
    print(f"numpy {np.__version__}, pandas {pd.__version__}; "
          f"NPY_DISABLE_CPU_FEATURES={os.environ.get('NPY_DISABLE_CPU_FEATURES')!r}")
    header = (f"{'N':>9}  {'total':>8}  {'profile':>8}  {'compare':>8}  {'rows/s':>11}  "
              f"{'input':>9}  {'peak above':>10}  {'naive':>8}  {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        repeat = 3 if n <= 100_000 else 1
        r = run(n, args.workers, repeat, n <= args.naive_max)
        naive_txt = f"{r['naive_s']:7.2f}s" if "naive_s" in r else f"{'-':>8}"
        ratio_txt = f"{r['ratio']:5.1f}x" if "ratio" in r else f"{'-':>6}"
        print(f"{n:>9,}  {r['total_s']:7.2f}s  {r['profile_s']:7.2f}s  {r['compare_s']:7.2f}s  "
              f"{r['rows_per_s']:>11,.0f}  {mb(r['input_bytes']):>9}  {mb(r['peak_extra_bytes']):>10}  "
              f"{naive_txt}  {ratio_txt}   ({r['n_drifted']}/{r['n_tested']} drifted; one call {r['one_call_s']:.2f}s)",
              flush=True)
    print(f"max RSS of the process: {mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)}")


if __name__ == "__main__":
    main()
