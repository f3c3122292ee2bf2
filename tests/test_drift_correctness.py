"""The drift engine against scipy on 1,000 seeded random inputs (issue 4, "Correctness test").

Every case builds a reference and a current sample with one numeric and one categorical
column, sizes drawn from tiny (1..29: low confidence) to above 10,000 (where the design
notes switch the KS p-value to ``kstwobign``), values drawn continuous or rounded (ties
inside and across the samples), and checks, to 1e-9 (relative, with a 1e-12 absolute
floor for values near 0):

* KS statistic: ``scipy.stats.ks_2samp(ref, cur).statistic``;
* KS p-value: ``ks_2samp(...).pvalue`` when both samples have at most 10,000 values,
  else ``scipy.stats.kstwobign.sf(D * sqrt(n*m/(n+m)))`` (DESIGN.md);
* Wasserstein: ``scipy.stats.wasserstein_distance`` (and normed by ``numpy.std(ref)``);
* Jensen-Shannon: ``scipy.spatial.distance.jensenshannon(p, q, base=2)`` of the
  unfloored proportions over the union of categories;
* chi-square: ``scipy.stats.chi2_contingency`` of the 2 x k count table,
  ``correction=False`` (statistic 0, p 1 for a single category);
* PSI: :func:`plain_psi`, a straightforward implementation of the DESIGN.md wording
  written here, independently of the engine.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from console.monitoring.drift import compute_drift

N_CASES = 1000
REL = 1e-9
ABS = 1e-12


def plain_psi(p_ref: list[float], p_cur: list[float]) -> float:
    """PSI with the 1e-4 floor in both factors, no renormalising, one bin at a time."""
    total = 0.0
    for a, b in zip(p_ref, p_cur):
        a, b = max(a, 1e-4), max(b, 1e-4)
        total += (b - a) * math.log(b / a)
    return total


def plain_numeric_shares(ref: np.ndarray, cur: np.ndarray) -> tuple[list[float], list[float]]:
    """Deciles of the reference (numpy.quantile, linear), duplicates dropped; bin of x =
    number of edges <= x (each bin holds its lower edge, outer bins open)."""
    edges = sorted(set(np.quantile(ref, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]).tolist()))

    def shares(x: np.ndarray) -> list[float]:
        counts = [0] * (len(edges) + 1)
        for v in x.tolist():
            counts[bisect.bisect_right(edges, v)] += 1  # number of edges <= v
        return [c / len(x) for c in counts]

    return shares(ref), shares(cur)


def plain_categorical_shares(ref: list[str], cur: list[str]) -> tuple[list[str], list[float], list[float]]:
    cats = sorted(set(ref) | set(cur))
    n_ref, n_cur = Counter(ref), Counter(cur)
    return cats, [n_ref[c] / len(ref) for c in cats], [n_cur[c] / len(cur) for c in cats]


def close(a: float | None, b: float) -> bool:
    return a is not None and (a == b or abs(a - b) <= max(REL * abs(b), ABS))


def draw_size(rng: np.random.Generator) -> int:
    u = rng.random()
    if u < 0.30:
        return int(rng.integers(1, 30))       # tiny: low confidence
    if u < 0.85:
        return int(rng.integers(30, 2000))
    if u < 0.95:
        return int(rng.integers(2000, 10_001))
    return int(rng.integers(10_001, 40_000))  # kstwobign


def make_case(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n, m = draw_size(rng), draw_size(rng)
    family = seed % 4
    shift = float(rng.choice([0.0, 0.0, 0.05, 0.5, 3.0]))
    if family == 0:
        ref, cur = rng.normal(0, 1, n), rng.normal(shift, 1, m)
    elif family == 1:
        ref, cur = rng.lognormal(0, 1, n), rng.lognormal(shift, 1, m)
    elif family == 2:  # heavy ties within and across samples
        ref, cur = rng.integers(0, 12, n).astype(float), rng.integers(0, 12, m) + np.round(shift)
    else:  # rounded values, some ties, large magnitude
        ref, cur = np.round(rng.normal(1e4, 50, n), 1), np.round(rng.normal(1e4 + 50 * shift, 50, m), 1)
    k_ref, k_cur = int(rng.integers(1, 8)), int(rng.integers(1, 8))
    cats_ref = rng.choice([f"c{i}" for i in range(k_ref)], n, p=rng.dirichlet(np.ones(k_ref)))
    cats_cur = rng.choice([f"c{i + int(rng.integers(0, 3))}" for i in range(k_cur)], m, p=rng.dirichlet(np.ones(k_cur)))
    return (
        pd.DataFrame({"x": np.asarray(ref, dtype=float), "c": pd.Series(cats_ref, dtype="str")}),
        pd.DataFrame({"x": np.asarray(cur, dtype=float), "c": pd.Series(cats_cur, dtype="str")}),
    )


def check_case(seed: int) -> list[str]:
    ref_df, cur_df = make_case(seed)
    out = compute_drift(ref_df, cur_df, kinds={"x": "numeric", "c": "categorical"}, workers=1)
    bad: list[str] = []
    ref, cur = ref_df["x"].to_numpy(), cur_df["x"].to_numpy()
    n, m = ref.size, cur.size
    x = out.column("x")
    ks = stats.ks_2samp(ref, cur)
    if max(n, m) <= 10_000:
        p, method = float(ks.pvalue), "ks_2samp"
    else:
        p, method = float(stats.kstwobign.sf(ks.statistic * math.sqrt(n * m / (n + m)))), "kstwobign"
    w = float(stats.wasserstein_distance(ref, cur))
    sd = float(np.std(ref, ddof=0))
    checks = [
        ("ks_statistic", x.ks_statistic, float(ks.statistic)),
        ("ks_pvalue", x.ks_pvalue, p),
        ("wasserstein", x.wasserstein, w),
        ("psi numeric", x.psi, plain_psi(*plain_numeric_shares(ref, cur))),
    ]
    if sd > 0:
        checks.append(("wasserstein_normed", x.wasserstein_normed, w / sd))
    elif x.wasserstein_normed is not None:
        bad.append("wasserstein_normed should be None for a constant reference")
    if x.ks_pvalue_method != method:
        bad.append(f"ks_pvalue_method {x.ks_pvalue_method} != {method}")
    c = out.column("c")
    cats, pr, pc = plain_categorical_shares(ref_df["c"].tolist(), cur_df["c"].tolist())
    table = np.array([[round(v * n) for v in pr], [round(v * m) for v in pc]])
    if len(cats) > 1:
        chi = stats.chi2_contingency(table, correction=False)
        chi_stat, chi_p = float(chi.statistic), float(chi.pvalue)
    else:
        chi_stat, chi_p = 0.0, 1.0
    checks += [
        ("chi2_statistic", c.chi2_statistic, chi_stat),
        ("chi2_pvalue", c.chi2_pvalue, chi_p),
        ("js_distance", c.js_distance, float(jensenshannon(pr, pc, base=2))),
        ("psi categorical", c.psi, plain_psi(pr, pc)),
    ]
    bad += [f"{name}: engine {got!r} != reference {want!r}" for name, got, want in checks if not close(got, want)]
    low = min(n, m) < 30
    if x.low_confidence != low or c.low_confidence != low:
        bad.append(f"low_confidence flags {x.low_confidence}/{c.low_confidence} for n={n}, m={m}")
    return [f"seed {seed} (n={n}, m={m}): {b}" for b in bad]


@pytest.mark.parametrize("block", range(10))
def test_engine_equals_scipy_on_random_inputs(block):
    per_block = N_CASES // 10
    failures: list[str] = []
    for seed in range(block * per_block, (block + 1) * per_block):
        failures += check_case(seed)
    assert not failures, "\n".join(failures[:20])


def test_the_random_inputs_cover_the_cases_the_rules_distinguish():
    sizes = []
    for seed in range(N_CASES):
        rng = np.random.default_rng(seed)  # make_case draws the two sizes first
        sizes += [draw_size(rng), draw_size(rng)]
    assert sum(s < 30 for s in sizes) > 200
    assert sum(s > 10_000 for s in sizes) > 30
    assert any(s == 1 for s in sizes)
