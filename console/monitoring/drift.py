"""The drift engine: compare a current sample with a reference sample, column by column.

A :class:`ReferenceProfile` is computed ONCE from the reference data (kinds, PSI bin
edges, sorted values, category counts, missing shares, standard deviations, a SHA-256
fingerprint) and then compared with any number of current samples (:func:`compare`),
e.g. one per monitoring window.  :func:`compute_drift` does both in one call.

Conventions (DESIGN.md, "Drift conventions"; users compare our numbers against these):

Column kind
    ``bool``, string, ``object`` and ``category`` dtypes are *categorical*; a numeric
    column with at most 10 distinct non-missing values in the reference is
    *categorical* (integer-coded categories); other numeric columns are *numeric*;
    ``datetime64`` columns (and ``object`` columns holding only dates) are *datetime*
    and are not tested (their ranges are reported).  ``kinds={column: kind}`` overrides
    the kind per column.  A reference column without any non-missing value has 0 <= 10
    distinct values, so a numeric one is reported as categorical (it is never tested).
Missing values
    NaN, None, ``pd.NA``/``NaT`` and the empty string are excluded from every statistic;
    each column reports its missing share (missing / rows) in the reference and the
    current sample separately.  ``±inf`` in a numeric column counts as missing and is
    mentioned in a data-quality note, as are values that cannot be read as the
    reference's type (e.g. text in a numeric column) and ``object`` columns mixing
    value types (coerced once to text).
PSI, numeric
    ``edges = numpy.quantile(ref, [0.1, 0.2, ..., 0.9])`` (linear interpolation) on the
    non-missing reference values, duplicate edges dropped; bin index
    ``numpy.searchsorted(edges, x, side="right")`` so each bin holds its lower edge and
    the outer bins are open to -inf/+inf (at most 10 bins); proportions over non-missing
    values of each sample; ``p <- max(p, 1e-4)`` for every proportion, used in both
    factors, without renormalising; ``PSI = sum((p_cur - p_ref) * ln(p_cur / p_ref))``.
PSI, categorical
    bins are the union of reference and current categories; same floor and formula.
Status
    Siddiqi, *Credit Risk Scorecards* (Wiley, 2006): PSI < 0.1 stable, 0.1 <= PSI < 0.25
    warning, PSI >= 0.25 drift (:func:`console.domain.models.psi_status`).
KS
    two-sided two-sample Kolmogorov-Smirnov statistic D (computed here from the sorted
    samples; identical to ``scipy.stats.ks_2samp``).  p-value: ``scipy.stats.ks_2samp``
    (default method) when both samples have at most 10,000 non-missing values, else the
    asymptotic Kolmogorov distribution ``scipy.stats.kstwobign.sf(D * sqrt(n*m/(n+m)))``
    (``ks_pvalue_method`` says which).
Wasserstein
    first Wasserstein distance between the raw value distributions (the formula of
    ``scipy.stats.wasserstein_distance``, computed here from the sorted samples);
    ``wasserstein_normed`` = that / ``numpy.std(ref, ddof=0)`` (``None`` when that is 0).
Jensen-Shannon
    ``scipy.spatial.distance.jensenshannon`` of the *unfloored* category proportions
    over the union of categories, base 2 (0..1).
Chi-square
    ``scipy.stats.chi2_contingency`` on the 2 x k table of reference / current counts
    over the union of categories, ``correction=False``; a single category in both
    samples gives statistic 0 and p-value 1.
Decision
    a column is ``drifted`` when its status is drift (PSI >= 0.25) -- or per another
    :class:`DriftRule` (KS p-value, normed Wasserstein, chi-square p-value, JS);
    ``dataset_drift`` is true when at least half of the tested feature columns drifted.
    The target column, when given, is tested like a feature, reported under ``target``
    and not counted.  A column without non-missing values in either sample is
    ``tested: false`` with a reason and never aborts the run.  Fewer than 30 non-missing
    values in either sample (the usual n >= 30 rule of thumb) flags the column as low
    confidence.

Exactness: every statistic is exact for in-memory data (the output then carries
``"approximate": false``).  Only :mod:`console.monitoring.stream` (Parquet files larger
than memory) may give approximate KS/Wasserstein, labelled per DESIGN.md:
``ks_pvalue_method = "kstwobign_binned"``, ``"approximate": true`` on the column and the
document, and a note in ``reason``.

Reference profile: versioned (:data:`PROFILE_FORMAT_VERSION`), fingerprinted (SHA-256 of
the reference data, :func:`console.fingerprint.dataframe_fingerprint`), serialisable
losslessly without pickle (:meth:`ReferenceProfile.to_bytes` / ``from_bytes``); every
:class:`DriftResult` records the fingerprint and format version of the profile it used.

Performance: one sort per numeric column and sample (the reference once, in the profile);
KS D from the two sorted samples by a block-pruned search (only the blocks whose bound
can reach the supremum are scanned), Wasserstein from the quantile functions on the
merged level grid (integer arithmetic, no merge sort), PSI bins by ``searchsorted`` of
the edges into the sorted samples; categories factorised once; columns run on a thread
pool (numpy releases the GIL) with BLAS pools held at one thread meanwhile.  On AMD Zen 4
processors numpy's AVX-512 sort is slow; see :func:`console.monitoring.prefer_fast_sort`.
No Qt, no SQL.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence, TypeVar

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

from console.domain.models import DriftStatus, psi_status
from console.errors import InputError, few_names
from console.fingerprint import dataframe_fingerprint, value_text
from console.jobs import CancelToken, ProgressFn, checkpoint, report

__all__ = [
    "KIND_NUMERIC",
    "KIND_CATEGORICAL",
    "KIND_DATETIME",
    "KINDS",
    "PSI_QUANTILES",
    "PSI_FLOOR",
    "MAX_CATEGORICAL_DISTINCT",
    "KS_EXACT_MAX_N",
    "LOW_CONFIDENCE_N",
    "PROFILE_FORMAT_VERSION",
    "ColumnProfile",
    "ReferenceProfile",
    "ColumnDrift",
    "DriftResult",
    "DriftRule",
    "compare",
    "compute_drift",
    "dataframe_fingerprint",
    "psi_edges",
    "population_stability_index",
    "ks_wasserstein_sorted",
    "ks_statistic_sorted",
    "wasserstein_sorted",
]

KIND_NUMERIC = "numeric"
KIND_CATEGORICAL = "categorical"
KIND_DATETIME = "datetime"
KINDS = (KIND_NUMERIC, KIND_CATEGORICAL, KIND_DATETIME)

#: Quantiles of the non-missing reference values used as PSI bin edges (DESIGN.md).
PSI_QUANTILES = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
#: Floor applied to every PSI proportion, in both factors, without renormalising.
PSI_FLOOR = 1e-4
#: A numeric column with at most this many distinct reference values is categorical.
MAX_CATEGORICAL_DISTINCT = 10
#: Above this many non-missing values in either sample, the KS p-value is asymptotic.
KS_EXACT_MAX_N = 10_000
#: Below this many non-missing values in either sample, a column is low confidence
#: (the usual "n >= 30" rule of thumb for large-sample approximations).
LOW_CONFIDENCE_N = 30
#: Version of the :meth:`ReferenceProfile.to_bytes` container (and of what a profile
#: holds).  :meth:`ReferenceProfile.from_bytes` reads exactly the versions in
#: :data:`PROFILE_FORMATS_READ` and refuses others with a clear error.
PROFILE_FORMAT_VERSION = 1
PROFILE_FORMATS_READ = (1,)
_PROFILE_MAGIC = "tollgate-drift-profile"
#: At most this many new categories are listed in ``new_categories`` (largest share
#: first; the rest are counted in a note) -- our choice, to keep the JSON readable for
#: identifier-like columns.  Statistics always use every category.
MAX_NEW_CATEGORIES_LISTED = 100
#: At most this many bars in a categorical ``distribution`` (the categories with the
#: largest share in either sample; the rest are pooled into one "other (k categories)"
#: bar) -- our choice, for charts.  Statistics always use every category.
MAX_DISTRIBUTION_BINS = 50

_DOMAIN_NUMBER = "number"
_DOMAIN_TEXT = "text"
_DOMAIN_DATETIME = "datetime"

_NUMERIC_KEYS = ("ks_statistic", "ks_pvalue", "ks_pvalue_method", "wasserstein", "wasserstein_normed")
_CATEGORICAL_KEYS = ("chi2_statistic", "chi2_pvalue", "js_distance", "new_categories", "missing_categories")

T = TypeVar("T")


# =========================================================================== statistics


def _quantiles_of_sorted(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``numpy.quantile(x, q)`` (method "linear") of an already SORTED 1-D array.

    The same float operations as numpy's implementation (virtual index ``(n - 1) * q``,
    neighbours, ``_lerp`` that interpolates from the nearer end),
    without numpy's copy and partition of the whole array; the tests check bit-equality
    with :func:`numpy.quantile`.
    """
    prev, nxt, gamma = _quantile_positions(x.size, q)
    return _quantile_lerp(x[prev], x[nxt], gamma)


def _quantile_positions(n: int, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """numpy's "linear" quantile positions of ``q`` in a sorted sample of n >= 1 values:
    (lower index, upper index, gamma), indices as non-negative intp."""
    virtual = (n - 1) * q
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1
    prev[above] = -1
    nxt[above] = -1
    below = virtual < 0
    prev[below] = 0
    nxt[below] = 0
    gamma = virtual - prev
    return prev.astype(np.intp) % n, nxt.astype(np.intp) % n, gamma


def _quantile_lerp(a: np.ndarray, b: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """numpy's ``_lerp``: interpolate from the nearer end (bit-equal to numpy.quantile)."""
    diff_b_a = b - a
    out = a + diff_b_a * gamma
    np.subtract(b, diff_b_a * (1 - gamma), out=out, where=gamma >= 0.5)
    return out


def psi_edges(sorted_values: np.ndarray) -> np.ndarray:
    """PSI bin edges: ``numpy.quantile(ref, [0.1, ..., 0.9])`` (linear), duplicates dropped.

    ``sorted_values``: 1-D float64 array of the finite reference values, SORTED
    ascending (as kept in the profile).  Returns a sorted float64 array of 1..9 unique
    edges (empty for an empty input), equal to
    ``numpy.unique(numpy.quantile(ref, [0.1, ..., 0.9]))``.  Source: DESIGN.md
    "Drift conventions".
    """
    if sorted_values.size == 0:
        return np.empty(0, dtype=np.float64)
    return np.unique(_quantiles_of_sorted(sorted_values, PSI_QUANTILES))


def _bin_counts_sorted(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per PSI bin of a SORTED sample: bin i holds ``edges[i-1] <= x < edges[i]``.

    Equivalent to ``numpy.bincount(numpy.searchsorted(edges, x, side="right"))`` but costs
    O(k log n) on the sorted sample.  Returns int64 of length ``len(edges) + 1``.
    """
    below = np.searchsorted(sorted_values, edges, side="left")  # #x < edge
    return np.diff(np.concatenate(([0], below, [sorted_values.size]))).astype(np.int64)


def population_stability_index(p_reference: np.ndarray, p_current: np.ndarray) -> float:
    """PSI of two proportion vectors over the same bins.

    Every proportion is floored at 1e-4 (used in both factors, no renormalising) and
    ``PSI = sum((p_cur - p_ref) * ln(p_cur / p_ref))`` (DESIGN.md; Siddiqi 2006).
    Inputs: 1-D float arrays of equal length (shares, each summing to 1); returns a
    float >= 0.
    """
    pr = np.maximum(np.asarray(p_reference, dtype=np.float64), PSI_FLOOR)
    pc = np.maximum(np.asarray(p_current, dtype=np.float64), PSI_FLOOR)
    return float(np.sum((pc - pr) * np.log(pc / pr)))


#: Block length for the pruned KS search (:func:`ks_statistic_sorted`): the supremum is
#: bounded per block of this many consecutive sorted values, and only blocks whose bound
#: can reach the best value found so far are evaluated element by element.
_KS_BLOCK = 128
#: Products of counts must stay exact in int64 (n * m < 2**62); above, the merge is used.
_INT_EXACT = 2**62
#: Elements per slice in chunked loops (temporaries stay in the CPU cache).
_CHUNK = 1 << 16


def _ks_one_sided(x: np.ndarray, y: np.ndarray, kx: int, ky: int) -> tuple[int, float]:
    """max over values v of ``x`` of ``F_x(v) - F_y(v)``, as (integer numerator, float).

    ``x`` (n) and ``y`` (m): sorted finite float64.  With ``a = #x <= v`` and
    ``b = #y <= v`` (``searchsorted(..., side="right")``, as scipy), the difference is
    ``(a*kx - b*ky) / lcm(n, m)`` with ``kx = m/g``, ``ky = n/g`` (g = gcd); the
    supremum over the real line of ``F_x - F_y`` is attained at a value of ``x``.
    Returns the largest integer numerator H >= 0 and the largest float
    ``a/n - b/m`` among the points attaining H (the float scipy's ``ks_2samp`` reports).

    Blocks of :data:`_KS_BLOCK` consecutive values are bounded from above by
    ``a(last)*kx - b(first)*ky`` (exact integers, so pruning never loses the maximum);
    only blocks whose bound reaches the best exact value at block ends are scanned.
    """
    nx, ny = x.size, y.size
    blk = _KS_BLOCK
    if nx > 8 * blk:
        starts = np.arange(0, nx, blk)
        ends = np.minimum(starts + blk, nx) - 1
        last = x[ends]
        a_hi = np.searchsorted(x, last, side="right").astype(np.int64)
        b_hi = np.searchsorted(y, last, side="right").astype(np.int64)
        b_lo = np.searchsorted(y, x[starts], side="right").astype(np.int64)
        a_hi *= kx
        best = max(int((a_hi - b_hi * ky).max()), 0)
        a_hi -= b_lo * ky  # the upper bound of each block
        cand = np.flatnonzero(a_hi >= best)
        lens = ends[cand] - starts[cand] + 1
        first = np.cumsum(lens) - lens
        idx = np.arange(int(lens.sum()), dtype=np.intp) + np.repeat(starts[cand] - first, lens)
    else:
        idx = np.arange(nx, dtype=np.intp)
    # evaluate at the last element of each run of equal values, where a = index + 1
    # (a run that continues into the next block is evaluated there: that block's bound
    # is at least the run's value, so it is a candidate too)
    nxt = np.minimum(idx + 1, nx - 1)
    run_end = x[nxt] != x[idx]
    run_end[idx == nx - 1] = True
    idx = idx[run_end]
    a = idx.astype(np.int64) + 1
    b = np.searchsorted(y, x[idx], side="right").astype(np.int64)
    num = a * kx - b * ky
    h = max(int(num.max()), 0)
    if h == 0:
        return 0, 0.0
    at = num == h
    return h, float((a[at] / nx - b[at] / ny).max())


def ks_statistic_sorted(ref: np.ndarray, cur: np.ndarray) -> float:
    """Two-sample two-sided Kolmogorov-Smirnov statistic D of SORTED samples.

    ``ref`` (n) and ``cur`` (m): 1-D float64, sorted ascending, finite, n, m >= 1.
    D = sup |F_ref - F_cur| -- the same float as ``scipy.stats.ks_2samp(ref, cur)
    .statistic``: when both n, m <= 10,000 scipy's exact mode reports ``h / lcm(n, m)``
    with h the integer numerator, above that the float ``a/n - b/m`` at the supremum.
    Cost: O((n + m)/128 log n) searches (blocks of :data:`_KS_BLOCK` values) plus the
    values of the blocks that can hold the supremum;
    no merge of the two samples and no Python loop over values.
    """
    n, m = ref.size, cur.size
    g = math.gcd(n, m)
    kr, kc = m // g, n // g
    if n * kr >= _INT_EXACT:
        return ks_wasserstein_merge(ref, cur)[0]
    h_plus, f_plus = _ks_one_sided(ref, cur, kr, kc)
    h_minus, f_minus = _ks_one_sided(cur, ref, kc, kr)
    if max(n, m) <= KS_EXACT_MAX_N:  # scipy: d = round(d * lcm) / lcm in its exact mode
        return max(h_plus, h_minus) * 1.0 / (n * kr)
    return min(f_minus if f_minus > f_plus else f_plus, 1.0)


def wasserstein_sorted(u: np.ndarray, v: np.ndarray) -> float:
    """First Wasserstein distance of two SORTED samples (``u``: n values, ``v``: m values).

    Computed as the integral over probability levels t in (0, 1] of
    ``|Q_u(t) - Q_v(t)|`` (Q = the empirical quantile function), which equals the
    integral over x of ``|F_u(x) - F_v(x)|`` that ``scipy.stats.wasserstein_distance``
    sums (Vallender 1973); the two agree to rounding.  With L = lcm(n, m), the level
    grid is the merge of the arithmetic progressions ``i*L/n`` and ``j*L/m``, so both
    quantile indices of every piece follow from integer arithmetic: O(n + m), sequential
    memory access, no merge sort.  Equal sizes reduce to ``mean(|u - v|)``.
    """
    n, m = u.size, v.size
    if n == m:
        d = np.subtract(u, v)
        np.abs(d, out=d)
        return float(d.sum() / n)
    g = math.gcd(n, m)
    p, q = m // g, n // g  # level steps of u and v on the integer grid 0..L
    total_len = n * p
    if total_len >= _INT_EXACT:
        return ks_wasserstein_merge(u, v)[1]
    total = 0.0
    step = _CHUNK
    # pieces ending at a level of u: (max((i-1)p, c*q), i*p], u index i-1, v index c
    for lo in range(0, n, step):
        ip = np.arange((lo + 1) * p, (min(lo + step, n)) * p + 1, p, dtype=np.int64)
        c = ip - 1
        c //= q
        width = c * q
        np.maximum(width, ip - p, out=width)
        np.subtract(ip, width, out=width)
        d = np.subtract(u[lo : lo + ip.size], v[c])
        np.abs(d, out=d)
        total += float((d * width).sum())
    # pieces ending at a level of v: (max((j-1)q, e*p), j*q], v index j-1, u index e
    for lo in range(0, m, step):
        jq = np.arange((lo + 1) * q, (min(lo + step, m)) * q + 1, q, dtype=np.int64)
        e = jq // p
        width = e * p
        np.maximum(width, jq - q, out=width)
        np.subtract(jq, width, out=width)  # 0 where the level is shared with u
        np.minimum(e, n - 1, out=e)
        d = np.subtract(u[e], v[lo : lo + jq.size])
        np.abs(d, out=d)
        total += float((d * width).sum())
    return total / total_len


def ks_wasserstein_sorted(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    """(:func:`ks_statistic_sorted`, :func:`wasserstein_sorted`) of SORTED samples.

    ``ref`` (n) and ``cur`` (m): 1-D float64 arrays, sorted ascending, finite, n, m >= 1.
    """
    return ks_statistic_sorted(ref, cur), wasserstein_sorted(ref, cur)


def ks_wasserstein_merge(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    """KS statistic D and first Wasserstein distance of SORTED samples by one merge.

    The fallback of :func:`ks_statistic_sorted` / :func:`wasserstein_sorted` when counts
    products would overflow int64 (n * m >= 2**62); slower (a stable argsort).

    ``ref`` (n) and ``cur`` (m): 1-D float64 arrays, sorted ascending, finite, n, m >= 1.
    The two sorted runs are merged once (a stable ``argsort`` of their concatenation:
    numpy's timsort merges two sorted runs in linear time and keeps reference values
    before equal current values, like ``searchsorted(ref, cur, side="right")``); the
    empirical CDFs after every merged element follow from one cumulative count.
    D = max |F_ref - F_cur| evaluated at the last element of each run of equal values --
    the same counts and divisions as ``scipy.stats.ks_2samp``, hence the same float.
    W = sum |F_ref - F_cur| * (gap to the next merged value) -- the formula of
    ``scipy.stats.wasserstein_distance`` (agrees to rounding).  O(n+m) time and memory
    after the sorts; no Python loop over values.
    """
    n, m = ref.size, cur.size
    total = n + m
    both = np.concatenate((ref, cur))
    order = np.argsort(both, kind="stable")
    merged = both[order]
    itype = np.int32 if total < 2**31 - 1 else np.int64
    cum_ref = np.cumsum(order < n, dtype=itype)  # reference values up to each merged element
    del order
    gaps = np.diff(merged)
    diff = np.divide(cum_ref, n, out=both)  # buffers are reused to keep the peak memory low
    cum_ref -= np.arange(1, total + 1, dtype=itype)  # now minus the current count
    diff += np.divide(cum_ref, m, out=merged)  # F_ref - F_cur after each merged element
    del cum_ref, merged
    run_end = np.empty(total, dtype=bool)
    np.not_equal(gaps, 0.0, out=run_end[:-1])
    run_end[-1] = True
    at_ends = diff[run_end]
    d_stat = float(max(at_ends.max(), -at_ends.min(), 0.0))
    del at_ends, run_end
    np.abs(diff, out=diff)
    np.multiply(diff[:-1], gaps, out=gaps)  # not np.dot: no BLAS threads inside our workers
    w = float(gaps.sum()) if total > 1 else 0.0
    return min(d_stat, 1.0), w


def _ks_pvalue(ref: np.ndarray, cur: np.ndarray, d_stat: float) -> tuple[float, str]:
    n, m = ref.size, cur.size
    if n <= KS_EXACT_MAX_N and m <= KS_EXACT_MAX_N:
        return float(stats.ks_2samp(ref, cur).pvalue), "ks_2samp"
    return float(stats.kstwobign.sf(d_stat * math.sqrt(n * m / (n + m)))), "kstwobign"


def _chi2(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[float, float]:
    if ref_counts.size < 2:
        return 0.0, 1.0
    res = stats.chi2_contingency(np.vstack([ref_counts, cur_counts]), correction=False)
    return float(res.statistic), float(res.pvalue)


def _js(p_ref: np.ndarray, p_cur: np.ndarray) -> float:
    value = float(jensenshannon(p_ref, p_cur, base=2))
    if not math.isfinite(value):  # sqrt of a tiny negative rounding error
        mid = (p_ref + p_cur) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            kl = lambda p: float(np.sum(np.where(p > 0, p * np.log2(p / mid), 0.0)))  # noqa: E731
            value = math.sqrt(max((kl(p_ref) + kl(p_cur)) / 2, 0.0))
    return value


# =========================================================================== value extraction


def _num_label(v: float) -> str:
    return value_text(float(v))


_label = value_text


def _fmt_edge(v: float, prec: int) -> str:
    s = f"{v:.{prec}g}"
    if not any(ch in s for ch in "e.ni"):  # integral: 25 -> 25.0
        s += ".0"
    return s


def _edge_labels(edges: np.ndarray) -> list[str]:
    """Bin labels ``"< e0"``, ``"[e0, e1)"``, ..., ``"≥ e_last"``, unique at some precision."""
    if edges.size == 0:
        return ["all values"]
    for prec in range(6, 18):
        txt = [_fmt_edge(float(e), prec) for e in edges]
        if len(set(txt)) == len(txt):
            break
    labels = [f"< {txt[0]}"]
    labels += [f"[{a}, {b})" for a, b in zip(txt[:-1], txt[1:])]
    labels.append(f"≥ {txt[-1]}")
    return labels


def _ts_range(lo: Any, hi: Any) -> tuple[Optional[str], Optional[str]]:
    """(min, max) as ISO 8601 text; dates only when both are naive midnights."""
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return None, None
    lo, hi = pd.Timestamp(lo), pd.Timestamp(hi)
    if lo.tzinfo is None and lo == lo.normalize() and hi == hi.normalize():
        return lo.date().isoformat(), hi.date().isoformat()
    return lo.isoformat(), hi.isoformat()


def _family(dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return "number"
    return "text"


@dataclass
class _Numbers:
    values: np.ndarray  # float64, NaN where missing / unfit
    n_unfit: int = 0
    examples: tuple[str, ...] = ()


def _numbers(s: pd.Series) -> _Numbers:
    """The values of ``s`` as float64 (NaN = missing); text that is not a number is unfit."""
    fam = _family(s.dtype)
    if fam == "number":
        if isinstance(s.dtype, np.dtype):
            return _Numbers(s.to_numpy(dtype=np.float64))
        return _Numbers(s.to_numpy(dtype=np.float64, na_value=np.nan))
    if fam == "bool":
        return _Numbers(s.to_numpy(dtype=np.float64, na_value=np.nan))
    if fam == "timedelta":
        return _Numbers(s.dt.total_seconds().to_numpy(dtype=np.float64, na_value=np.nan))
    if fam == "datetime":
        ns = s.dt.tz_convert("UTC") if getattr(s.dt, "tz", None) is not None else s
        vals = ns.astype("datetime64[ns]").to_numpy().astype("int64").astype(np.float64) / 1e9
        vals[s.isna().to_numpy()] = np.nan
        return _Numbers(vals)
    txt = s.astype("str").str.strip()
    present = s.notna().to_numpy() & (txt != "").to_numpy()
    num = pd.to_numeric(txt, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = present & np.isnan(num)
    nbad = int(bad.sum())
    examples = tuple(str(x) for x in pd.unique(txt[bad])[:3]) if nbad else ()
    return _Numbers(num, nbad, examples)


@dataclass
class _Codes:
    codes: np.ndarray  # int64, -1 = missing
    labels: list[str]  # observed categories, unique, count > 0 each
    counts: np.ndarray  # int64 per label
    mixed: Optional[str] = None  # e.g. "int, str" when an object column mixed types


def _text_codes(s: pd.Series) -> _Codes:
    """Factorise ``s`` once into category codes over text labels (missing and "" -> -1)."""
    mixed = None
    if pd.api.types.is_object_dtype(s.dtype):
        inferred = pd.api.types.infer_dtype(s, skipna=True)
        if inferred.startswith("mixed"):
            types = sorted({type(v).__name__ for v in s.dropna().iloc[:10000]})
            mixed = ", ".join(types)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    raw = list(uniques)
    labels = [_label(u) for u in raw]
    k = len(labels)
    counts = np.bincount(codes[codes >= 0], minlength=k).astype(np.int64) if k else np.zeros(0, np.int64)
    # merge labels that coincide as text (1 and "1"), drop "" and unobserved categories
    order: dict[str, int] = {}
    remap = np.full(k + 1, -1, dtype=np.int64)  # last slot maps -1 -> -1
    for i, lab in enumerate(labels):
        if lab == "" or counts[i] == 0:
            continue
        remap[i] = order.setdefault(lab, len(order))
    if len(order) != k:
        codes = remap[codes]  # -1 indexes the last slot
        new_counts = np.zeros(len(order), dtype=np.int64)
        np.add.at(new_counts, remap[:k][remap[:k] >= 0], counts[remap[:k] >= 0])
        counts = new_counts
        labels = list(order)
    return _Codes(codes, labels, counts, mixed)


def _datetimes(s: pd.Series) -> tuple[pd.Series, int, tuple[str, ...]]:
    if _family(s.dtype) == "datetime":
        return s, 0, ()
    from console.monitoring.io import _to_datetime

    txt = s.astype("str").str.strip()
    present = s.notna().to_numpy() & (txt != "").to_numpy()
    conv = _to_datetime(txt)
    bad = present & conv.isna().to_numpy()
    nbad = int(bad.sum())
    return conv, nbad, tuple(str(x) for x in pd.unique(txt[bad])[:3]) if nbad else ()


def _split_sorted(x: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Sort ``x`` once; return (finite values sorted (a view), #NaN, #±inf)."""
    srt = np.sort(x)
    lo = int(np.searchsorted(srt, -np.inf, side="right"))
    hi = int(np.searchsorted(srt, np.inf, side="left"))
    nan_start = int(np.searchsorted(srt, np.nan, side="left"))
    return srt[lo:hi], srt.size - nan_start, lo + (nan_start - hi)


def _infer_base_kind(s: pd.Series) -> tuple[str, str]:
    """(kind, domain) by dtype; numeric-domain kinds are refined by the distinct count."""
    fam = _family(s.dtype)
    if fam == "datetime":
        return KIND_DATETIME, _DOMAIN_DATETIME
    if fam in ("number", "timedelta"):
        return KIND_NUMERIC, _DOMAIN_NUMBER
    if fam == "bool":
        return KIND_CATEGORICAL, _DOMAIN_TEXT
    if pd.api.types.is_object_dtype(s.dtype):
        inferred = pd.api.types.infer_dtype(s, skipna=True)
        if inferred in ("datetime", "datetime64", "date"):
            return KIND_DATETIME, _DOMAIN_DATETIME
    return KIND_CATEGORICAL, _DOMAIN_TEXT


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# =========================================================================== profile


@dataclass
class ColumnProfile:
    """What the drift engine keeps of one reference column.

    ``kind``: numeric | categorical | datetime.  ``domain``: how current values are read
    to match (``"number"``: float64; ``"text"``: text labels; ``"datetime"``).
    ``n_rows``: rows; ``n_valid``: non-missing values used by the statistics;
    ``n_inf``/``n_unfit``: ±inf / unreadable values counted as missing.
    Numeric: ``sorted_values`` (float64, ascending, finite), ``edges`` (PSI edges),
    ``bin_counts`` (int64, ``len(edges) + 1``), ``std`` (``numpy.std``, ddof=0).
    Categorical: ``category_keys`` (float64 keys for numeric-coded categories, else the
    labels), ``category_labels`` (text), ``category_counts`` (int64), sorted by key.
    Datetime: ``dt_min``/``dt_max`` as ISO 8601 text.  ``notes``: data-quality remarks.
    Streamed numeric columns (:mod:`console.monitoring.stream`) keep no ``sorted_values``
    but a fine histogram: ``hist_edges`` (float64, K + 1 ascending, from the minimum to
    the maximum) and ``hist_counts`` (int64, K; values on an inner edge count in the bin
    above it, the maximum in the last bin).
    """

    name: str
    kind: str
    domain: str
    dtype: str
    n_rows: int
    n_valid: int
    n_inf: int = 0
    n_unfit: int = 0
    sorted_values: Optional[np.ndarray] = None
    edges: Optional[np.ndarray] = None
    bin_counts: Optional[np.ndarray] = None
    std: Optional[float] = None
    category_keys: Optional[np.ndarray] = None
    category_labels: Optional[list[str]] = None
    category_counts: Optional[np.ndarray] = None
    dt_min: Optional[str] = None
    dt_max: Optional[str] = None
    notes: list[str] = field(default_factory=list)
    hist_edges: Optional[np.ndarray] = None
    hist_counts: Optional[np.ndarray] = None
    _key_index: Optional[pd.Index] = field(default=None, repr=False)

    @property
    def missing_share(self) -> Optional[float]:
        """Missing (incl. ±inf and unreadable) / rows; ``None`` for zero rows."""
        return (self.n_rows - self.n_valid) / self.n_rows if self.n_rows else None

    @property
    def key_index(self) -> pd.Index:
        if self._key_index is None:
            self._key_index = pd.Index(self.category_keys)
        return self._key_index


def _profile_column(name: str, s: pd.Series, kind_override: Optional[str]) -> ColumnProfile:
    prof = _profile_column_values(name, s, kind_override)
    if prof.category_keys is not None:
        _ = prof.key_index  # built once here, so concurrent comparisons only read it
    return prof


def _profile_column_values(name: str, s: pd.Series, kind_override: Optional[str]) -> ColumnProfile:
    base_kind, domain = _infer_base_kind(s)
    if kind_override is not None:
        if kind_override == KIND_DATETIME:
            domain = _DOMAIN_DATETIME
        elif kind_override == KIND_NUMERIC:
            domain = _DOMAIN_NUMBER
        elif domain == _DOMAIN_DATETIME:
            domain = _DOMAIN_TEXT  # categorical override of a datetime column
        base_kind = kind_override
    prof = ColumnProfile(name=name, kind=base_kind, domain=domain, dtype=str(s.dtype), n_rows=len(s), n_valid=0)

    if domain == _DOMAIN_DATETIME:
        conv, nbad, examples = _datetimes(s)
        prof.n_unfit = nbad
        valid = conv.dropna()
        prof.n_valid = len(valid)
        if len(valid):
            prof.dt_min, prof.dt_max = _ts_range(valid.min(), valid.max())
        if nbad:
            prof.notes.append(
                f"{_plural(nbad, 'value')} in the reference are not dates (e.g. {', '.join(map(repr, examples))}); treated as missing"
            )
        return prof

    if domain == _DOMAIN_TEXT:
        c = _text_codes(s)
        prof.n_valid = int(c.counts.sum())
        order = sorted(range(len(c.labels)), key=lambda i: c.labels[i])
        prof.category_labels = [c.labels[i] for i in order]
        prof.category_keys = np.array(prof.category_labels, dtype=object)
        prof.category_counts = c.counts[order] if order else np.zeros(0, np.int64)
        if c.mixed:
            prof.notes.append(f"mixed value types in the reference ({c.mixed}): compared as text")
        return prof

    # numeric domain: one sort gives kind, PSI edges, KS/Wasserstein input, categories
    nums = _numbers(s)
    valid, n_nan, n_inf = _split_sorted(nums.values)
    prof.n_valid, prof.n_inf, prof.n_unfit = valid.size, n_inf, nums.n_unfit
    if n_inf:
        prof.notes.append(f"{_plural(n_inf, '±inf value')} in the reference treated as missing")
    if nums.n_unfit:
        prof.notes.append(
            f"{_plural(nums.n_unfit, 'value')} in the reference are not numbers "
            f"(e.g. {', '.join(map(repr, nums.examples))}); treated as missing"
        )
    changes = valid[1:] != valid[:-1]
    n_distinct = int(np.count_nonzero(changes)) + 1 if valid.size else 0
    if kind_override is None:
        prof.kind = KIND_CATEGORICAL if n_distinct <= MAX_CATEGORICAL_DISTINCT else KIND_NUMERIC
    if prof.kind == KIND_CATEGORICAL:
        starts = np.flatnonzero(np.concatenate(([True], changes))) if valid.size else np.zeros(0, np.intp)
        keys = valid[starts]
        prof.category_keys = keys.copy()
        prof.category_labels = [_num_label(float(k)) for k in keys]
        prof.category_counts = np.diff(np.concatenate((starts, [valid.size]))).astype(np.int64)
        return prof
    if valid.size < 0.9 * nums.values.size:  # do not keep a mostly-NaN sorted buffer alive
        valid = valid.copy()
    prof.sorted_values = valid
    prof.edges = psi_edges(valid)
    prof.bin_counts = _bin_counts_sorted(valid, prof.edges)
    prof.std = float(np.std(valid)) if valid.size else None
    return prof


def _series_at(df: pd.DataFrame, pos: int) -> pd.Series:
    return df.iloc[:, pos]


def _positions(df: pd.DataFrame) -> tuple[list[str], dict[str, int], list[str]]:
    """Column names as text in order (first occurrence wins), name -> position, duplicates."""
    names: list[str] = []
    where: dict[str, int] = {}
    dups: list[str] = []
    for i, c in enumerate(df.columns):
        key = str(c)
        if key in where:
            dups.append(key)
            continue
        where[key] = i
        names.append(key)
    return names, where, dups


def _default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def _blas_single_thread() -> Any:
    """Context limiting BLAS/OpenMP pools to one thread while our own threads run.

    Our worker threads already use both cores; a BLAS pool (OpenBLAS spins its idle
    threads for a while after each call) would only compete with them.  Uses
    ``threadpoolctl`` (a scikit-learn dependency); a no-op when it is unavailable.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - installed with scikit-learn
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(limits=1)


def _run_tasks(
    tasks: Sequence[tuple[str, Callable[[], T]]],
    *,
    workers: Optional[int],
    progress: Optional[ProgressFn],
    cancel: Optional[CancelToken],
    lo: float,
    hi: float,
    verb: str,
    parallel: bool,
) -> list[T]:
    """Run ``tasks`` (label, fn) in order or on a thread pool; progress and cancel per task.

    ``progress`` and ``cancel`` are only used on the calling thread.
    """
    total = len(tasks)
    results: list[Any] = [None] * total
    nworkers = _default_workers() if workers is None else max(1, int(workers))
    if total == 0:
        report(progress, hi, f"{verb}: nothing to do")
        return results
    if nworkers <= 1 or total == 1 or not parallel:
        for i, (label, fn) in enumerate(tasks):
            checkpoint(cancel)
            results[i] = fn()
            report(progress, lo + (hi - lo) * (i + 1) / total, f"{verb} {label} ({i + 1}/{total})")
        checkpoint(cancel)
        return results

    def guarded(fn: Callable[[], T]) -> T:
        checkpoint(cancel)
        return fn()

    with _blas_single_thread(), ThreadPoolExecutor(max_workers=min(nworkers, total), thread_name_prefix="tollgate-drift") as pool:
        futures = {pool.submit(guarded, fn): i for i, (_label, fn) in enumerate(tasks)}
        done = 0
        try:
            for fut in as_completed(futures):
                i = futures[fut]
                results[i] = fut.result()
                done += 1
                report(progress, lo + (hi - lo) * done / total, f"{verb} {tasks[i][0]} ({done}/{total})")
                checkpoint(cancel)
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
    return results


@dataclass
class ReferenceProfile:
    """Everything the drift engine needs from the reference data, computed once.

    ``columns``: reference column names (text) in order; ``profiles``: name ->
    :class:`ColumnProfile`; ``n_rows``; ``fingerprint``: :func:`dataframe_fingerprint` of the
    reference (SHA-256 hex); ``notes``: data-quality remarks about the whole frame.
    Build it with :meth:`from_frame`; reuse it for every current sample.
    """

    columns: list[str]
    profiles: dict[str, ColumnProfile]
    n_rows: int
    fingerprint: str
    notes: list[str] = field(default_factory=list)
    format_version: int = PROFILE_FORMAT_VERSION
    #: True for a profile built by streaming (:mod:`console.monitoring.stream`): its
    #: numeric columns keep a fine histogram instead of the sorted values, so KS and
    #: Wasserstein against it are approximate (and labelled so).
    approximate: bool = False

    @property
    def kinds(self) -> dict[str, str]:
        """Column -> kind (numeric | categorical | datetime), in column order."""
        return {c: self.profiles[c].kind for c in self.columns}

    def to_bytes(self) -> bytes:
        """The profile as bytes (lossless; no pickle), for storing with a model version.

        Container: an uncompressed NumPy ``.npz`` archive (a zip file of ``.npy``
        arrays) holding ``meta`` -- UTF-8 JSON with the format name
        ``"tollgate-drift-profile"``, :data:`PROFILE_FORMAT_VERSION`, the reference
        fingerprint, rows, column order, notes and every scalar/text field of each
        :class:`ColumnProfile` (floats are written with ``repr``, which round-trips
        exactly) -- and one float64/int64 array per stored array field, bit for bit.
        A sorted numeric column with many ties is stored as its distinct values and
        their counts (the same sorted array after :meth:`from_bytes`).
        """
        import io
        import json

        arrays: dict[str, np.ndarray] = {}
        cols = []
        for i, name in enumerate(self.columns):
            prof = self.profiles[name]
            meta = {
                "name": prof.name, "kind": prof.kind, "domain": prof.domain, "dtype": prof.dtype,
                "n_rows": prof.n_rows, "n_valid": prof.n_valid, "n_inf": prof.n_inf,
                "n_unfit": prof.n_unfit, "std": prof.std, "dt_min": prof.dt_min,
                "dt_max": prof.dt_max, "notes": list(prof.notes),
                "category_labels": prof.category_labels,
                "text_keys": prof.category_keys is not None and prof.category_keys.dtype == object,
            }
            if prof.sorted_values is not None:
                sv = prof.sorted_values
                starts = np.flatnonzero(np.concatenate(([True], sv[1:] != sv[:-1]))) if sv.size else np.zeros(0, np.intp)
                if 4 * starts.size <= sv.size:
                    arrays[f"{i}.sorted_unique"] = sv[starts]
                    arrays[f"{i}.sorted_counts"] = np.diff(np.concatenate((starts, [sv.size]))).astype(np.int64)
                else:
                    arrays[f"{i}.sorted_values"] = sv
            for key in ("edges", "bin_counts", "category_counts", "hist_edges", "hist_counts"):
                value = getattr(prof, key, None)
                if value is not None:
                    arrays[f"{i}.{key}"] = np.asarray(value)
            if prof.category_keys is not None and prof.category_keys.dtype != object:
                arrays[f"{i}.category_keys"] = prof.category_keys
            cols.append(meta)
        doc = {
            "format": _PROFILE_MAGIC, "format_version": PROFILE_FORMAT_VERSION,
            "fingerprint": self.fingerprint, "n_rows": self.n_rows, "columns": self.columns,
            "notes": list(self.notes), "approximate": bool(self.approximate), "column_profiles": cols,
        }
        arrays["meta"] = np.frombuffer(json.dumps(doc, allow_nan=False).encode("utf-8"), dtype=np.uint8)
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "ReferenceProfile":
        """Read a profile written by :meth:`to_bytes` (arrays are loaded without pickle).

        Raises :class:`InputError` when ``data`` is not a Tollgate drift profile, is
        damaged, or has a format version this Tollgate does not read
        (:data:`PROFILE_FORMATS_READ`) -- the message says to recompute the profile
        from the reference data or to upgrade Tollgate.
        """
        import io
        import json
        import zipfile

        try:
            with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            doc = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError, EOFError) as exc:
            raise InputError(
                f"not a readable Tollgate drift reference profile ({type(exc).__name__}: {exc}); "
                "recompute the profile from the reference data"
            ) from None
        if not isinstance(doc, dict) or doc.get("format") != _PROFILE_MAGIC:
            raise InputError("not a Tollgate drift reference profile; recompute the profile from the reference data")
        version = doc.get("format_version")
        if version not in PROFILE_FORMATS_READ:
            raise InputError(
                f"drift reference profile format version {version!r} is not supported by this Tollgate "
                f"(it reads version {', '.join(map(str, PROFILE_FORMATS_READ))}); "
                "recompute the profile from the reference data or upgrade Tollgate"
            )
        try:
            profiles: dict[str, ColumnProfile] = {}
            for i, meta in enumerate(doc["column_profiles"]):
                prof = ColumnProfile(
                    name=meta["name"], kind=meta["kind"], domain=meta["domain"], dtype=meta["dtype"],
                    n_rows=int(meta["n_rows"]), n_valid=int(meta["n_valid"]), n_inf=int(meta["n_inf"]),
                    n_unfit=int(meta["n_unfit"]), std=meta["std"], dt_min=meta["dt_min"], dt_max=meta["dt_max"],
                    notes=list(meta["notes"]), category_labels=meta["category_labels"],
                )
                if f"{i}.sorted_unique" in arrays:
                    prof.sorted_values = np.repeat(arrays[f"{i}.sorted_unique"], arrays[f"{i}.sorted_counts"])
                elif f"{i}.sorted_values" in arrays:
                    prof.sorted_values = arrays[f"{i}.sorted_values"]
                for key in ("edges", "bin_counts", "category_counts", "hist_edges", "hist_counts"):
                    if f"{i}.{key}" in arrays:
                        setattr(prof, key, arrays[f"{i}.{key}"])
                if meta["text_keys"]:
                    prof.category_keys = np.array(prof.category_labels, dtype=object)
                elif f"{i}.category_keys" in arrays:
                    prof.category_keys = arrays[f"{i}.category_keys"]
                if prof.category_keys is not None:
                    _ = prof.key_index
                profiles[prof.name] = prof
            return cls(
                columns=list(doc["columns"]), profiles=profiles, n_rows=int(doc["n_rows"]),
                fingerprint=str(doc["fingerprint"]), notes=list(doc["notes"]),
                format_version=int(version), approximate=bool(doc.get("approximate", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"damaged Tollgate drift reference profile (format version {version}: {type(exc).__name__} {exc}); "
                "recompute the profile from the reference data"
            ) from None

    @classmethod
    def from_frame(
        cls,
        reference: pd.DataFrame,
        *,
        kinds: Optional[Mapping[str, str]] = None,
        progress: Optional[ProgressFn] = None,
        cancel: Optional[CancelToken] = None,
        workers: Optional[int] = None,
        _span: tuple[float, float] = (0.0, 1.0),
        _then: Optional[Callable[[ColumnProfile], None]] = None,
    ) -> "ReferenceProfile":
        """Profile ``reference`` (a DataFrame, any dtypes, any number of rows >= 0).

        ``kinds`` overrides the kind of some columns (``{"zip": "categorical"}``).
        ``progress(fraction, message)`` is called after each column; ``cancel`` is checked
        before each column.  ``workers``: threads (default: CPU count, at most 4).

        Raises :class:`InputError` for an unknown column or kind in ``kinds`` and
        :class:`console.errors.Cancelled` when cancelled.
        """
        if not isinstance(reference, pd.DataFrame):
            raise InputError("the reference data must be a table (pandas DataFrame)")
        names, where, dups = _positions(reference)
        kinds = dict(kinds or {})
        for col, kind in kinds.items():
            if col not in where:
                raise InputError(
                    f"kind override for column '{col}': no such column in the reference; "
                    f"available: {few_names(names)}"
                )
            if kind not in KINDS:
                raise InputError(
                    f"kind override for column '{col}': unknown kind '{kind}'; use numeric, categorical or datetime"
                )
        notes = [f"duplicate column name '{d}' in the reference: only the first is used" for d in dups]
        def job(c: str) -> ColumnProfile:
            prof = _profile_column(c, _series_at(reference, where[c]), kinds.get(c))
            if _then is not None:  # compute_drift: compare the column in the same task
                _then(prof)
            return prof

        tasks: list[tuple[str, Callable[[], Any]]] = [(f"column '{c}'", (lambda c=c: job(c))) for c in names]
        # the fingerprint (one SHA-256 stream over all columns, the longest task) first, so
        # the other worker profiles columns meanwhile
        tasks.insert(0, ("fingerprint", lambda: dataframe_fingerprint(reference)))
        parallel = reference.shape[0] * max(reference.shape[1], 1) >= 200_000
        out = _run_tasks(
            tasks, workers=workers, progress=progress, cancel=cancel,
            lo=_span[0], hi=_span[1], verb="profiling the reference:", parallel=parallel,
        )
        profiles = {p.name: p for p in out[1:]}
        return cls(columns=names, profiles=profiles, n_rows=len(reference), fingerprint=out[0], notes=notes)


# =========================================================================== results


@dataclass(frozen=True)
class DriftRule:
    """Which statistic makes a tested column ``drifted``.

    Default (DESIGN.md): status drift, i.e. PSI >= 0.25 (Siddiqi 2006), for both kinds.
    Alternatives -- numeric: ``"ks"`` (KS p-value < ``ks_alpha``), ``"wasserstein"``
    (normed Wasserstein >= ``wasserstein_threshold``); categorical: ``"chi2"`` (p-value <
    ``chi2_alpha``), ``"js"`` (JS distance >= ``js_threshold``).  The defaults 0.05 (the
    conventional significance level) and 0.1 (Evidently's default thresholds for normed
    Wasserstein and JS distance) are starting points, not standards.
    """

    numeric: str = "psi"
    categorical: str = "psi"
    ks_alpha: float = 0.05
    chi2_alpha: float = 0.05
    wasserstein_threshold: float = 0.1
    js_threshold: float = 0.1

    def __post_init__(self) -> None:
        if self.numeric not in ("psi", "ks", "wasserstein"):
            raise InputError(f"unknown numeric drift rule '{self.numeric}'; use psi, ks or wasserstein")
        if self.categorical not in ("psi", "chi2", "js"):
            raise InputError(f"unknown categorical drift rule '{self.categorical}'; use psi, chi2 or js")

    def decide(self, col: "ColumnDrift") -> bool:
        if not col.tested:
            return False
        if col.kind == KIND_NUMERIC:
            if self.numeric == "ks":
                return col.ks_pvalue is not None and col.ks_pvalue < self.ks_alpha
            if self.numeric == "wasserstein":
                return col.wasserstein_normed is not None and col.wasserstein_normed >= self.wasserstein_threshold
        elif col.kind == KIND_CATEGORICAL:
            if self.categorical == "chi2":
                return col.chi2_pvalue is not None and col.chi2_pvalue < self.chi2_alpha
            if self.categorical == "js":
                return col.js_distance is not None and col.js_distance >= self.js_threshold
        return col.status == DriftStatus.DRIFT


def _finite(v: Optional[float]) -> Optional[float]:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


@dataclass
class ColumnDrift:
    """One column's drift result (the DESIGN ``drift --json`` column object and more).

    JSON fields (see :meth:`to_json`): ``name``, ``kind``, ``tested``, ``reason``,
    ``missing_share_reference``/``missing_share_current`` (missing / rows, 0..1),
    ``psi``, ``status`` (:class:`DriftStatus`), ``drifted``; numeric: ``ks_statistic``
    (0..1), ``ks_pvalue``, ``ks_pvalue_method`` (``ks_2samp`` | ``kstwobign``, or
    ``kstwobign_binned`` when D came from histograms, then also ``"approximate": true``),
    ``wasserstein`` (units of the column), ``wasserstein_normed`` (in reference standard
    deviations); categorical: ``chi2_statistic``, ``chi2_pvalue``, ``js_distance``
    (0..1), ``new_categories`` (label -> share of the current non-missing values),
    ``missing_categories`` (reference labels absent from the current sample).

    Not in the JSON: ``distribution`` (``{"bins": [label, ...], "reference": [share, ...],
    "current": [share, ...]}``: the PSI bins of a numeric column, e.g. ``"< 25.0"``,
    ``"[25.0, 31.0)"``, ``"≥ 60.0"``, or the union of categories, unfloored shares; for
    the GUI chart and the PDF), ``notes`` (data-quality remarks; also appended to
    ``reason`` in the JSON), ``low_confidence``, ``n_reference``/``n_current``
    (non-missing values tested), ``reference_range``/``current_range`` (datetime columns:
    (min, max) ISO 8601), ``is_target``.
    """

    name: str
    kind: str
    tested: bool = False
    reason: Optional[str] = None
    missing_share_reference: Optional[float] = None
    missing_share_current: Optional[float] = None
    psi: Optional[float] = None
    status: Optional[DriftStatus] = None
    drifted: bool = False
    ks_statistic: Optional[float] = None
    ks_pvalue: Optional[float] = None
    ks_pvalue_method: Optional[str] = None
    wasserstein: Optional[float] = None
    wasserstein_normed: Optional[float] = None
    chi2_statistic: Optional[float] = None
    chi2_pvalue: Optional[float] = None
    js_distance: Optional[float] = None
    new_categories: Optional[dict[str, float]] = None
    missing_categories: Optional[list[str]] = None
    distribution: Optional[dict[str, list[Any]]] = None
    notes: list[str] = field(default_factory=list)
    low_confidence: bool = False
    n_reference: int = 0
    n_current: int = 0
    reference_range: Optional[tuple[Optional[str], Optional[str]]] = None
    current_range: Optional[tuple[Optional[str], Optional[str]]] = None
    is_target: bool = False
    approximate: bool = False

    @property
    def full_reason(self) -> Optional[str]:
        """``reason`` followed by the notes, ``"; "``-separated (``None`` when both empty)."""
        parts = ([self.reason] if self.reason else []) + list(self.notes)
        return "; ".join(parts) if parts else None

    def add_note(self, text: str) -> None:
        """Append a data-quality remark (shown in ``reason`` in the JSON)."""
        if text and text not in self.notes:
            self.notes.append(text)

    def to_json(self) -> dict[str, Any]:
        """The DESIGN ``drift --json`` column object: exactly its keys, no NaN/inf."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "tested": bool(self.tested),
            "reason": self.full_reason,
            "missing_share_reference": _finite(self.missing_share_reference),
            "missing_share_current": _finite(self.missing_share_current),
            "psi": _finite(self.psi),
            "status": self.status.value if self.status is not None else None,
            "drifted": bool(self.drifted),
        }
        if self.kind == KIND_NUMERIC:
            out.update(
                ks_statistic=_finite(self.ks_statistic),
                ks_pvalue=_finite(self.ks_pvalue),
                ks_pvalue_method=self.ks_pvalue_method,
                wasserstein=_finite(self.wasserstein),
                wasserstein_normed=_finite(self.wasserstein_normed),
            )
            if self.approximate:
                out["approximate"] = True
        elif self.kind == KIND_CATEGORICAL:
            out.update(
                chi2_statistic=_finite(self.chi2_statistic),
                chi2_pvalue=_finite(self.chi2_pvalue),
                js_distance=_finite(self.js_distance),
                new_categories=(
                    {str(k): float(v) for k, v in self.new_categories.items()}
                    if self.new_categories is not None
                    else None
                ),
                missing_categories=list(self.missing_categories) if self.missing_categories is not None else None,
            )
        return out


@dataclass
class DriftResult:
    """Result of comparing a current sample with a :class:`ReferenceProfile`.

    ``columns``: feature columns in reference order, then columns only in the current
    data; ``target``: the target column's result or ``None``; ``n_tested``/``n_drifted``
    count tested / drifted feature columns (target excluded); ``dataset_drift``: at least
    half of the tested columns drifted (false when none was tested);
    ``reference_fingerprint``: SHA-256 of the reference data (the profile's
    fingerprint) and ``profile_format_version``: the profile used; ``notes``: data-quality
    remarks ("column: text"); ``rule``: the :class:`DriftRule` used; ``approximate``: some
    column's KS/Wasserstein came from histograms (streaming).
    """

    dataset_drift: bool
    n_tested: int
    n_drifted: int
    target: Optional[ColumnDrift]
    columns: list[ColumnDrift]
    reference_fingerprint: str = ""
    n_rows_reference: int = 0
    n_rows_current: int = 0
    rule: DriftRule = field(default_factory=DriftRule)
    notes: list[str] = field(default_factory=list)
    profile_format_version: int = PROFILE_FORMAT_VERSION
    approximate: bool = False

    def to_json(self) -> dict[str, Any]:
        """The DESIGN ``drift --json`` document: ``dataset_drift``, ``n_tested``,
        ``n_drifted``, ``target`` (column object or ``None``), ``columns`` (list); then,
        added after those keys: ``reference_profile`` (``{"fingerprint": SHA-256 hex of
        the reference data, "format_version": int, "n_rows": int}`` -- which profile
        the result used) and ``approximate`` (true only when some KS/Wasserstein value
        came from histograms, see :mod:`console.monitoring.stream`)."""
        return {
            "dataset_drift": bool(self.dataset_drift),
            "n_tested": int(self.n_tested),
            "n_drifted": int(self.n_drifted),
            "target": self.target.to_json() if self.target is not None else None,
            "columns": [c.to_json() for c in self.columns],
            "reference_profile": {
                "fingerprint": self.reference_fingerprint or None,
                "format_version": int(self.profile_format_version),
                "n_rows": int(self.n_rows_reference),
            },
            "approximate": bool(self.approximate),
        }

    def column(self, name: str) -> ColumnDrift:
        """The result of column ``name`` (feature or target); ``KeyError`` if absent."""
        if self.target is not None and self.target.name == name:
            return self.target
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def add_note(self, column: Optional[str], text: str) -> None:
        """Attach a data-quality remark to a column (or to the whole result)."""
        if column is not None:
            try:
                self.column(column).add_note(text)
            except KeyError:
                pass
        if text not in self.notes:
            self.notes.append(text if column is None else f"{column}: {text}")

    @property
    def drifted_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.drifted]


# =========================================================================== comparison


def _low_confidence(res: ColumnDrift, n_ref: int, n_cur: int) -> None:
    small = [(n, w) for n, w in ((n_ref, "reference"), (n_cur, "current data")) if n < LOW_CONFIDENCE_N]
    if small:
        res.low_confidence = True
        detail = " and ".join(f"{n} in the {w}" for n, w in small)
        res.add_note(f"low confidence: few non-missing values ({detail}; fewer than {LOW_CONFIDENCE_N})")


def _untested_reason(n_ref: int, n_cur: int, cur_rows: int) -> Optional[str]:
    if cur_rows == 0:
        return "the current data has no rows"
    if n_ref == 0 and n_cur == 0:
        return "no non-missing values in either sample"
    if n_ref == 0:
        return "no non-missing values in the reference"
    if n_cur == 0:
        return "no non-missing values in the current data"
    return None


def _compare_numeric(prof: ColumnProfile, s: pd.Series, res: ColumnDrift) -> None:
    nums = _numbers(s)
    cur, n_nan, n_inf = _split_sorted(nums.values)
    if n_inf:
        res.add_note(f"{_plural(n_inf, '±inf value')} in the current data treated as missing")
    if nums.n_unfit:
        res.add_note(
            f"{_plural(nums.n_unfit, 'value')} in the current data are not numbers "
            f"(e.g. {', '.join(map(repr, nums.examples))}); treated as missing"
        )
    if prof.sorted_values is None and prof.n_valid and cur.size:
        _numeric_result_binned(prof, res, _bin_counts_sorted(cur, prof.edges), histogram_of(prof, cur), cur.size, len(s))
        return
    _numeric_result(prof, res, cur, len(s))


def _numeric_result(prof: ColumnProfile, res: ColumnDrift, cur: np.ndarray, rows: int) -> None:
    """Fill ``res`` from the SORTED finite current values ``cur`` (exact statistics)."""
    m, n = cur.size, prof.n_valid
    res.n_current, res.n_reference = m, n
    res.missing_share_current = (rows - m) / rows if rows else None
    reason = _untested_reason(n, m, rows)
    if reason:
        res.reason = reason
        return
    ref = prof.sorted_values
    assert ref is not None and prof.edges is not None and prof.bin_counts is not None
    p_cur = _bin_counts_sorted(cur, prof.edges) / m
    d_stat, w = ks_wasserstein_sorted(ref, cur)
    res.ks_statistic = d_stat
    res.ks_pvalue, res.ks_pvalue_method = _ks_pvalue(ref, cur, d_stat)
    _numeric_common(prof, res, p_cur, w, m)


def _numeric_common(prof: ColumnProfile, res: ColumnDrift, p_cur: np.ndarray, w: float, m: int) -> None:
    n = prof.n_valid
    assert prof.edges is not None and prof.bin_counts is not None
    p_ref = prof.bin_counts / n
    res.psi = population_stability_index(p_ref, p_cur)
    res.wasserstein = w
    if prof.std:
        res.wasserstein_normed = w / prof.std
    else:
        res.add_note("the reference standard deviation is 0, so wasserstein_normed is undefined")
    res.distribution = {
        "bins": _edge_labels(prof.edges),
        "reference": [float(x) for x in p_ref],
        "current": [float(x) for x in p_cur],
    }
    res.tested = True
    _low_confidence(res, n, m)


@dataclass
class BinnedSample:
    """A numeric sample summarised on a reference histogram grid (streaming).

    ``counts``: int64 per bin of ``hist_edges`` (:func:`histogram_of`); ``below_n`` /
    ``below_sum``: values under the first edge and the sum of (first edge - x) over them;
    ``above_n`` / ``above_sum``: values over the last edge and the sum of (x - last edge).
    """

    counts: np.ndarray
    below_n: int = 0
    below_sum: float = 0.0
    above_n: int = 0
    above_sum: float = 0.0

    def add(self, other: "BinnedSample") -> None:
        self.counts += other.counts
        self.below_n += other.below_n
        self.below_sum += other.below_sum
        self.above_n += other.above_n
        self.above_sum += other.above_sum


def hist_bin_index(edges: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Bin of each finite value of ``x`` on the equal-width grid ``edges`` (K + 1 values):
    ``floor((x - e0) * K / (eK - e0))`` clipped to 0..K-1 (monotone in x; all in bin 0
    when the grid has zero width)."""
    k = edges.size - 1
    lo, hi = float(edges[0]), float(edges[-1])
    if not hi > lo:
        return np.zeros(x.size, dtype=np.intp)
    idx = np.subtract(x, lo)
    idx *= k / (hi - lo)
    np.floor(idx, out=idx)
    np.clip(idx, 0, k - 1, out=idx)
    return idx.astype(np.intp)


def histogram_of(prof: ColumnProfile, x: np.ndarray) -> BinnedSample:
    """Summarise finite values ``x`` on the reference histogram grid of ``prof``."""
    edges = prof.hist_edges
    assert edges is not None
    lo, hi = float(edges[0]), float(edges[-1])
    low, high = x < lo, x > hi
    inside = x[~(low | high)] if (low.any() or high.any()) else x
    counts = np.bincount(hist_bin_index(edges, inside), minlength=edges.size - 1).astype(np.int64)
    return BinnedSample(
        counts, int(low.sum()), float((lo - x[low]).sum()), int(high.sum()), float((x[high] - hi).sum())
    )


def _numeric_result_binned(
    prof: ColumnProfile, res: ColumnDrift, psi_counts: np.ndarray, cur: BinnedSample, m: int, rows: int
) -> None:
    """Fill ``res`` when the reference is a histogram (a streamed profile) or the current
    data was streamed: PSI is exact (bin counts over the exact decile edges); KS and
    Wasserstein are APPROXIMATE and labelled so (``ks_pvalue_method`` =
    ``"kstwobign_binned"``, ``approximate = True``; DESIGN.md, "Drift conventions").

    KS D ~ max |F_ref - F_cur| over the grid edges (a lower bound of the exact D that
    misses at most the largest bin share); p-value ``kstwobign.sf(D*sqrt(nm/(n+m)))``.
    Wasserstein: exact outside the reference range (from ``below_sum``/``above_sum``),
    trapezoid rule of |F_ref - F_cur| on the grid inside it.
    """
    n = prof.n_valid
    res.n_current, res.n_reference = m, n
    res.missing_share_current = (rows - m) / rows if rows else None
    reason = _untested_reason(n, m, rows)
    if reason:
        res.reason = reason
        return
    assert prof.hist_edges is not None and prof.hist_counts is not None
    edges = prof.hist_edges
    f_ref = np.concatenate(([0.0], np.cumsum(prof.hist_counts) / n))
    f_cur = (cur.below_n + np.concatenate(([0], np.cumsum(cur.counts)))) / m
    diff = np.abs(f_ref - f_cur)
    d_stat = float(min(max(diff.max(), cur.below_n / m, cur.above_n / m), 1.0))
    widths = np.diff(edges)
    w = float(np.sum(widths * (diff[:-1] + diff[1:]) / 2)) + (cur.below_sum + cur.above_sum) / m
    res.ks_statistic = d_stat
    res.ks_pvalue = float(stats.kstwobign.sf(d_stat * math.sqrt(n * m / (n + m))))
    res.ks_pvalue_method = "kstwobign_binned"
    res.approximate = True
    res.add_note(
        f"approximate KS and Wasserstein (from a {edges.size - 1:,}-bin histogram over the "
        "reference range: the column was streamed, not held in memory)"
    )
    _numeric_common(prof, res, psi_counts / m, w, m)


def _current_category_counts(prof: ColumnProfile, s: pd.Series, res: ColumnDrift) -> tuple[np.ndarray, list[str], np.ndarray, int]:
    """(counts per reference category, new labels, new counts, #valid current values)."""
    k = len(prof.category_labels or [])
    if prof.domain == _DOMAIN_NUMBER:
        nums = _numbers(s)
        x = nums.values
        finite = np.isfinite(x)
        n_inf = int(np.count_nonzero(np.isinf(x)))
        if n_inf:
            res.add_note(f"{_plural(n_inf, '±inf value')} in the current data treated as missing")
        if nums.n_unfit:
            res.add_note(
                f"{_plural(nums.n_unfit, 'value')} in the current data are not numbers "
                f"(e.g. {', '.join(map(repr, nums.examples))}); treated as missing"
            )
        valid = x[finite] if not finite.all() else x
        codes, uniq = pd.factorize(valid)
        counts = np.bincount(codes, minlength=len(uniq)).astype(np.int64) if len(uniq) else np.zeros(0, np.int64)
        uniq_arr = np.asarray(uniq, dtype=np.float64)
        idx = prof.key_index.get_indexer(uniq_arr) if k else np.full(len(uniq_arr), -1)
        known = idx >= 0
        cur_known = np.zeros(k, dtype=np.int64)
        cur_known[idx[known]] = counts[known]
        new_keys = uniq_arr[~known]
        order = np.argsort(new_keys, kind="stable")
        new_labels = [_num_label(float(v)) for v in new_keys[order]]
        new_counts = counts[~known][order]
        return cur_known, new_labels, new_counts, int(valid.size)
    c = _text_codes(s)
    if c.mixed:
        res.add_note(f"mixed value types in the current data ({c.mixed}): compared as text")
    idx = prof.key_index.get_indexer(np.array(c.labels, dtype=object)) if (k and c.labels) else np.full(len(c.labels), -1)
    known = idx >= 0
    cur_known = np.zeros(k, dtype=np.int64)
    cur_known[idx[known]] = c.counts[known]
    new_pairs = sorted((lab, int(cnt)) for lab, cnt, kn in zip(c.labels, c.counts, known) if not kn)
    new_labels = [p[0] for p in new_pairs]
    new_counts = np.array([p[1] for p in new_pairs], dtype=np.int64)
    return cur_known, new_labels, new_counts, int(c.counts.sum())


def _compare_categorical(prof: ColumnProfile, s: pd.Series, res: ColumnDrift) -> None:
    cur_known, new_labels, new_counts, m = _current_category_counts(prof, s, res)
    _categorical_result(prof, res, cur_known, new_labels, new_counts, m, len(s))


def _categorical_result(
    prof: ColumnProfile, res: ColumnDrift, cur_known: np.ndarray, new_labels: list[str],
    new_counts: np.ndarray, m: int, rows: int,
) -> None:
    """Fill ``res`` from current counts per reference category (``cur_known``), the new
    categories (labels sorted, counts) and ``m`` non-missing values out of ``rows``."""
    n = prof.n_valid
    res.n_current, res.n_reference = m, n
    res.missing_share_current = (rows - m) / rows if rows else None
    reason = _untested_reason(n, m, rows)
    if reason:
        res.reason = reason
        return
    assert prof.category_counts is not None and prof.category_labels is not None
    ref_u = np.concatenate((prof.category_counts, np.zeros(len(new_labels), dtype=np.int64)))
    cur_u = np.concatenate((cur_known, new_counts))
    p_ref, p_cur = ref_u / n, cur_u / m
    res.psi = population_stability_index(p_ref, p_cur)
    res.chi2_statistic, res.chi2_pvalue = _chi2(ref_u, cur_u)
    res.js_distance = _js(p_ref, p_cur)
    labels = list(prof.category_labels) + new_labels
    order = sorted(range(len(new_labels)), key=lambda i: (-int(new_counts[i]), new_labels[i]))
    listed = order[:MAX_NEW_CATEGORIES_LISTED]
    res.new_categories = {new_labels[i]: float(new_counts[i] / m) for i in listed}
    if len(order) > len(listed):
        rest = len(order) - len(listed)
        share = float(sum(new_counts[i] for i in order[len(listed):]) / m)
        res.add_note(f"{rest:,} more new categor{'y' if rest == 1 else 'ies'} not listed ({share:.2%} of the current data)")
    res.missing_categories = [lab for lab, c in zip(prof.category_labels, cur_known) if c == 0]
    res.distribution = _category_distribution(labels, p_ref, p_cur)
    res.tested = True
    _low_confidence(res, n, m)


def _category_distribution(labels: list[str], p_ref: np.ndarray, p_cur: np.ndarray) -> dict[str, list[Any]]:
    if len(labels) <= MAX_DISTRIBUTION_BINS:
        return {"bins": list(labels), "reference": [float(x) for x in p_ref], "current": [float(x) for x in p_cur]}
    keep_n = MAX_DISTRIBUTION_BINS - 1
    weight = np.maximum(p_ref, p_cur)
    keep = np.sort(np.argsort(-weight, kind="stable")[:keep_n])
    rest = np.setdiff1d(np.arange(len(labels)), keep)
    return {
        "bins": [labels[i] for i in keep] + [f"other ({len(rest)} categories)"],
        "reference": [float(p_ref[i]) for i in keep] + [float(p_ref[rest].sum())],
        "current": [float(p_cur[i]) for i in keep] + [float(p_cur[rest].sum())],
    }


def _compare_datetime(prof: ColumnProfile, s: pd.Series, res: ColumnDrift) -> None:
    conv, nbad, examples = _datetimes(s)
    valid = conv.dropna()
    m = len(valid)
    res.n_current, res.n_reference = m, prof.n_valid
    res.missing_share_current = (len(s) - m) / len(s) if len(s) else None
    if nbad:
        res.add_note(
            f"{_plural(nbad, 'value')} in the current data are not dates "
            f"(e.g. {', '.join(map(repr, examples))}); treated as missing"
        )
    cur_min, cur_max = _ts_range(valid.min(), valid.max()) if m else (None, None)
    res.reference_range = (prof.dt_min, prof.dt_max)
    res.current_range = (cur_min, cur_max)
    fmt = lambda a, b: f"{a} to {b}" if a is not None else "no values"  # noqa: E731
    res.reason = (
        f"datetime column, not tested (reference {fmt(prof.dt_min, prof.dt_max)}; "
        f"current {fmt(cur_min, cur_max)})"
    )


def _compare_column(
    prof: ColumnProfile, s: Optional[pd.Series], is_target: bool, rule: DriftRule
) -> ColumnDrift:
    res = ColumnDrift(name=prof.name, kind=prof.kind, is_target=is_target)
    res.missing_share_reference = prof.missing_share
    for note in prof.notes:
        res.add_note(note)
    if s is None:
        res.n_reference = prof.n_valid
        res.reason = "column missing from the current data"
        return res
    if prof.kind == KIND_DATETIME:
        _compare_datetime(prof, s, res)
    elif prof.kind == KIND_NUMERIC:
        _compare_numeric(prof, s, res)
    else:
        _compare_categorical(prof, s, res)
    if res.tested:
        res.status = psi_status(res.psi)
        res.drifted = rule.decide(res)
    return res


def _current_only_column(name: str, s: pd.Series, is_target: bool) -> ColumnDrift:
    prof = _profile_column(name, s, None)
    res = ColumnDrift(name=name, kind=prof.kind, is_target=is_target)
    res.missing_share_current = prof.missing_share
    res.n_current = prof.n_valid
    res.reason = "column only in the current data (not in the reference)"
    return res


def compare(
    profile: ReferenceProfile,
    current: pd.DataFrame,
    *,
    target: Optional[str] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    rule: Optional[DriftRule] = None,
    workers: Optional[int] = None,
    _span: tuple[float, float] = (0.0, 1.0),
    _done: Optional[Mapping[str, ColumnDrift]] = None,
) -> DriftResult:
    """Compare ``current`` (a DataFrame) with a reference ``profile``, column by column.

    ``target``: name of the target column (tested like a feature, reported under
    ``target``, not counted in ``dataset_drift``).  ``progress(fraction, message)`` is
    called on the calling thread after each column; ``cancel`` is checked before and
    after each column.  ``rule``: the :class:`DriftRule` (default: PSI >= 0.25).
    ``workers``: threads (default: CPU count, at most 4; 1 = sequential).

    Statistics, thresholds and their sources: see the module docstring (DESIGN.md
    "Drift conventions").  Current values are read in the reference's domain (numbers,
    text labels or dates); values that do not fit are missing and noted.

    Returns a :class:`DriftResult`.  Raises :class:`InputError` when ``target`` is in
    neither the reference nor the current data (the message lists some columns), and
    :class:`console.errors.Cancelled` when cancelled.
    """
    if not isinstance(current, pd.DataFrame):
        raise InputError("the current data must be a table (pandas DataFrame)")
    rule = rule or DriftRule()
    cur_names, cur_where, cur_dups = _positions(current)
    if target is not None:
        target = str(target)
        if target not in profile.profiles and target not in cur_where:
            raise InputError(
                f"target column '{target}' is in neither the reference nor the current data; "
                f"available: {few_names(profile.columns)}"
            )
    only_current = [c for c in cur_names if c not in profile.profiles]

    def job_ref(name: str) -> Callable[[], ColumnDrift]:
        if _done is not None and name in _done:
            return lambda: _done[name]
        s = _series_at(current, cur_where[name]) if name in cur_where else None
        return lambda: _compare_column(profile.profiles[name], s, name == target, rule)

    def job_cur(name: str) -> Callable[[], ColumnDrift]:
        return lambda: _current_only_column(name, _series_at(current, cur_where[name]), name == target)

    tasks = [(f"'{c}'", job_ref(c)) for c in profile.columns]
    tasks += [(f"'{c}'", job_cur(c)) for c in only_current]
    parallel = (profile.n_rows + len(current)) * max(len(tasks), 1) >= 400_000 and not _done
    results: list[ColumnDrift] = _run_tasks(
        tasks, workers=workers, progress=progress, cancel=cancel,
        lo=_span[0], hi=_span[1], verb="comparing column", parallel=parallel,
    )
    target_res = next((r for r in results if r.is_target), None)
    features = [r for r in results if not r.is_target]
    n_tested = sum(1 for r in features if r.tested)
    n_drifted = sum(1 for r in features if r.drifted)
    notes = list(profile.notes)
    notes += [f"duplicate column name '{d}' in the current data: only the first is used" for d in cur_dups]
    for r in results:
        notes += [f"{r.name}: {t}" for t in r.notes]
    return DriftResult(
        dataset_drift=n_tested > 0 and 2 * n_drifted >= n_tested,
        n_tested=n_tested,
        n_drifted=n_drifted,
        target=target_res,
        columns=features,
        reference_fingerprint=profile.fingerprint,
        profile_format_version=profile.format_version,
        approximate=any(r.approximate for r in results),
        n_rows_reference=profile.n_rows,
        n_rows_current=len(current),
        rule=rule,
        notes=notes,
    )


def compute_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    target: Optional[str] = None,
    kinds: Optional[Mapping[str, str]] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    rule: Optional[DriftRule] = None,
    workers: Optional[int] = None,
) -> DriftResult:
    """Profile ``reference`` and compare ``current`` with it (one call; see :func:`compare`).

    The same result as ``compare(ReferenceProfile.from_frame(reference), current)``, but
    each column is profiled and compared in one task (one pass over the thread pool, the
    reference fingerprint hashed alongside).  ``kinds`` overrides column kinds
    (:meth:`ReferenceProfile.from_frame`).  Progress runs 0 -> 1 (a step per column).
    Raises :class:`InputError` (bad ``target``/``kinds``, non-DataFrame input) and
    :class:`console.errors.Cancelled`.
    """
    if not isinstance(current, pd.DataFrame):
        raise InputError("the current data must be a table (pandas DataFrame)")
    if target is not None and isinstance(reference, pd.DataFrame):
        t = str(target)
        if t not in {str(c) for c in reference.columns} and t not in {str(c) for c in current.columns}:
            raise InputError(
                f"target column '{t}' is in neither the reference nor the current data; "
                f"available: {few_names([str(c) for c in reference.columns])}"
            )
    rule = rule or DriftRule()
    _names, cur_where, _dups = _positions(current)
    tname = str(target) if target is not None else None
    done: dict[str, ColumnDrift] = {}

    def then(prof: ColumnProfile) -> None:
        s = _series_at(current, cur_where[prof.name]) if prof.name in cur_where else None
        done[prof.name] = _compare_column(prof, s, prof.name == tname, rule)

    profile = ReferenceProfile.from_frame(
        reference, kinds=kinds, progress=progress, cancel=cancel, workers=workers, _span=(0.0, 0.98), _then=then
    )
    return compare(
        profile, current, target=target, progress=progress, cancel=cancel, rule=rule, workers=workers,
        _span=(0.98, 1.0), _done=done,
    )
