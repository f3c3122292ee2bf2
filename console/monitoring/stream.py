"""Drift of Parquet files larger than memory, read row group by row group (pyarrow).

:func:`profile_parquet` builds a :class:`~console.monitoring.drift.ReferenceProfile` from a
reference Parquet file and :func:`compare_parquet` compares a current Parquet file with any
profile, both without holding more than one batch of rows (plus small per-column
summaries) in memory.  :func:`drift_parquet` does both.

What stays exact (DESIGN.md, "Drift conventions"): kinds (at most 10 distinct reference
values -> categorical), missing shares, ±inf handling, every categorical statistic (counts
are summed over batches), datetime ranges, and PSI -- the decile edges are the exact
``numpy.quantile`` values, found by exact selection: a histogram pass locates the bin of
each needed order statistic, further passes narrow it down (each by a factor of
:data:`SELECT_BINS`) until its values fit in :data:`COLLECT_LIMIT` or are all equal, and
numpy's own interpolation is applied to the selected order statistics.

What may be approximate, and is then labelled (``ks_pvalue_method = "kstwobign_binned"``
and ``"approximate": true`` on the column and the document): KS and Wasserstein of a
numeric column with more than :data:`COLLECT_LIMIT` non-missing values in the reference
or the current file; they come from a :data:`HIST_BINS`-bin histogram over the reference
range (see :func:`console.monitoring.drift._numeric_result_binned` for the formulas).
Smaller columns keep their values and get the exact in-memory statistics.

Fingerprint: a streamed profile's ``fingerprint`` is the SHA-256 of the reference FILE's
bytes (the whole frame is never in memory, so the frame fingerprint of
:func:`console.fingerprint.dataframe_fingerprint` cannot be computed); it is
still "the SHA-256 of the reference data" and is recorded in every result.

Progress is reported and cancellation checked after every batch.  No Qt, no SQL.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Union

import numpy as np
import pandas as pd

from console.errors import InputError, few_names
from console.jobs import CancelToken, ProgressFn, checkpoint, report
from console.monitoring import drift as d

__all__ = ["HIST_BINS", "SELECT_BINS", "COLLECT_LIMIT", "profile_parquet", "compare_parquet", "drift_parquet", "ensure_histogram"]

#: Bins of the reference histogram behind approximate KS/Wasserstein (equal width over
#: the reference range; 16,384 bins x 8 bytes = 128 KiB per numeric column).
HIST_BINS = 16_384
#: Bins per narrowing pass of the exact decile selection.
SELECT_BINS = 16_384
#: A numeric column with at most this many non-missing values is kept in memory (exact
#: KS/Wasserstein); also the most values collected per order statistic in the selection.
COLLECT_LIMIT = 1_000_000
#: Rows per batch read from the file (a row group is split into batches of this size).
BATCH_ROWS = 262_144
_MAX_PASSES = 12

PathLike = Union[str, "os.PathLike[str]"]


# --------------------------------------------------------------------------- reading


def _open(path: PathLike) -> Any:
    import pyarrow.parquet as pq

    shown = str(path)
    p = Path(path)
    if not p.is_file():
        raise InputError(f"file not found: {shown}; check the path and the current folder")
    try:
        return pq.ParquetFile(p)
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(f"{shown}: not a readable Parquet file ({first}); stream only Parquet files") from None


def _batches(pf: Any, columns: list[str], batch_rows: int, cancel: Optional[CancelToken]) -> Iterator[pd.DataFrame]:
    """The columns ``columns`` of ``pf`` as pandas batches, row group after row group."""
    for rb in pf.iter_batches(batch_size=batch_rows, columns=columns, use_threads=True):
        checkpoint(cancel)
        frame = rb.to_pandas()
        frame.columns = [str(c) for c in frame.columns]
        yield frame


def _file_sha256(path: PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _empty_series(pf: Any) -> dict[str, pd.Series]:
    """An empty pandas Series per column with the dtype the batches will have."""
    empty = pf.schema_arrow.empty_table().to_pandas()
    return {str(c): empty[c] for c in empty.columns}


# --------------------------------------------------------------------------- accumulators


@dataclass
class _Num:
    """Pass-1 summary of a numeric-domain column."""

    rows: int = 0
    valid: int = 0
    n_inf: int = 0
    n_unfit: int = 0
    examples: list[str] = field(default_factory=list)
    lo: float = np.inf
    hi: float = -np.inf
    mean: float = 0.0
    m2: float = 0.0  # sum of squared deviations (Chan et al. 1979 pairwise update)
    distinct: Optional[dict[float, int]] = field(default_factory=dict)  # None once > 10 values

    def add(self, s: pd.Series) -> None:
        nums = d._numbers(s)
        x = nums.values
        finite = np.isfinite(x)
        v = x[finite]
        self.rows += x.size
        self.n_inf += int(np.count_nonzero(np.isinf(x)))
        self.n_unfit += nums.n_unfit
        if nums.n_unfit and len(self.examples) < 3:
            self.examples += list(nums.examples)[: 3 - len(self.examples)]
        if not v.size:
            return
        self.lo, self.hi = min(self.lo, float(v.min())), max(self.hi, float(v.max()))
        n_b, mean_b = v.size, float(v.mean())
        m2_b = float(np.sum((v - mean_b) ** 2))
        n_a, total = self.valid, self.valid + v.size
        delta = mean_b - self.mean
        self.mean += delta * n_b / total
        self.m2 += m2_b + delta * delta * n_a * n_b / total
        self.valid = total
        if self.distinct is not None:
            keys, counts = np.unique(v, return_counts=True)
            for k, c in zip(keys.tolist(), counts.tolist()):
                self.distinct[k] = self.distinct.get(k, 0) + c
            if len(self.distinct) > d.MAX_CATEGORICAL_DISTINCT:
                self.distinct = None


@dataclass
class _Text:
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    mixed: Optional[str] = None

    def add(self, s: pd.Series) -> None:
        c = d._text_codes(s)
        self.rows += len(s)
        self.mixed = self.mixed or c.mixed
        for lab, cnt in zip(c.labels, c.counts.tolist()):
            self.counts[lab] = self.counts.get(lab, 0) + cnt


@dataclass
class _Dates:
    rows: int = 0
    valid: int = 0
    lo: Any = None
    hi: Any = None
    nbad: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, s: pd.Series) -> None:
        conv, nbad, examples = d._datetimes(s)
        valid = conv.dropna()
        self.rows += len(s)
        self.valid += len(valid)
        self.nbad += nbad
        if nbad and len(self.examples) < 3:
            self.examples += list(examples)[: 3 - len(self.examples)]
        if len(valid):
            lo, hi = valid.min(), valid.max()
            self.lo = lo if self.lo is None or lo < self.lo else self.lo
            self.hi = hi if self.hi is None or hi > self.hi else self.hi


# --------------------------------------------------------------------------- exact selection


@dataclass
class _Target:
    """Search state for some order statistics (0-based ranks) of one column.

    Members are the values that fall, at every level of ``chain``, into the chosen bin:
    ``chain`` holds (lo, scale, bin) of the monotone maps ``clip(floor((x-lo)*scale),
    0, K-1)``; ``below`` counts the values in lower bins (they are all smaller).
    """

    ranks: list[int]
    chain: list[tuple[float, float, int]]
    below: int
    lo: float
    scale: float
    # filled during a pass
    count: int = 0
    vmin: float = np.inf
    vmax: float = -np.inf
    hist: Optional[np.ndarray] = None
    collected: Optional[list[np.ndarray]] = None


def _bin(x: np.ndarray, lo: float, scale: float, k: int) -> np.ndarray:
    idx = np.subtract(x, lo)
    idx *= scale
    np.floor(idx, out=idx)
    np.clip(idx, 0, k - 1, out=idx)
    return idx.astype(np.intp)


def _members(t: _Target, x: np.ndarray) -> np.ndarray:
    for lo, scale, j in t.chain:
        if not x.size:
            break
        x = x[_bin(x, lo, scale, SELECT_BINS) == j]
    return x


def _select(
    pf: Any, columns: dict[str, _Num], batch_rows: int, collect_limit: int,
    progress: Optional[ProgressFn], cancel: Optional[CancelToken], span: tuple[float, float],
) -> tuple[dict[str, dict[int, float]], dict[str, tuple[np.ndarray, np.ndarray]], dict[str, np.ndarray]]:
    """Exact order statistics for the PSI deciles of each numeric column.

    Returns (column -> {rank: value}, column -> (edges, counts) of the reference
    histogram on ``linspace(lo, hi, HIST_BINS + 1)``, column -> sorted values for
    columns with at most ``collect_limit`` values)."""
    pending: dict[str, list[_Target]] = {}
    found: dict[str, dict[int, float]] = {}
    for name, acc in columns.items():
        prev, nxt, _ = d._quantile_positions(acc.valid, d.PSI_QUANTILES.copy())
        ranks = sorted(set(prev.tolist()) | set(nxt.tolist()))
        scale = SELECT_BINS / (acc.hi - acc.lo) if acc.hi > acc.lo else 0.0
        pending[name] = [_Target(ranks, [], 0, acc.lo, scale)]
        found[name] = {}
    hists = {name: d.BinnedSample(np.zeros(HIST_BINS, dtype=np.int64)) for name in columns}
    hist_edges = {name: np.linspace(acc.lo, acc.hi, HIST_BINS + 1) for name, acc in columns.items()}
    kept: dict[str, np.ndarray] = {}
    for pass_no in range(_MAX_PASSES):
        names = [n for n, ts in pending.items() if ts]
        if not names:
            break
        for ts in (pending[n] for n in names):
            for t in ts:
                t.count, t.vmin, t.vmax = 0, np.inf, -np.inf
                t.hist = np.zeros(SELECT_BINS, dtype=np.int64)
                t.collected = []
        done_rows = 0
        for frame in _batches(pf, names, batch_rows, cancel):
            for name in names:
                x = d._numbers(frame[name]).values
                x = x[np.isfinite(x)]
                if pass_no == 0:
                    hp = d.ColumnProfile(name=name, kind="", domain="", dtype="", n_rows=0, n_valid=0,
                                         hist_edges=hist_edges[name])
                    hists[name].add(d.histogram_of(hp, x))
                for t in pending[name]:
                    mem = _members(t, x)
                    if not mem.size:
                        continue
                    t.count += mem.size
                    t.vmin, t.vmax = min(t.vmin, float(mem.min())), max(t.vmax, float(mem.max()))
                    if t.collected is not None:
                        if t.count <= collect_limit:
                            t.collected.append(mem)
                        else:
                            t.collected = None
                    assert t.hist is not None
                    t.hist += np.bincount(_bin(mem, t.lo, t.scale, SELECT_BINS), minlength=SELECT_BINS)
            done_rows += len(frame)
            total = max(pf.metadata.num_rows, 1)
            share = 1.0 - 0.5 ** (pass_no + min(done_rows / total, 1.0))  # 0.5 after one pass, 0.75 ...
            report(progress, span[0] + (span[1] - span[0]) * share,
                   f"profiling the reference: pass {pass_no + 2}, {done_rows:,} rows")
        for name in names:
            nxt_targets: list[_Target] = []
            for t in pending[name]:
                if t.collected is not None:
                    vals = np.sort(np.concatenate(t.collected)) if t.collected else np.empty(0)
                    if pass_no == 0 and vals.size == columns[name].valid:
                        kept[name] = vals
                    for r in t.ranks:
                        found[name][r] = float(vals[r - t.below])
                    continue
                if t.vmin == t.vmax:  # all members equal
                    for r in t.ranks:
                        found[name][r] = t.vmin
                    continue
                assert t.hist is not None
                cum = np.cumsum(t.hist)
                groups: dict[int, list[int]] = {}
                for r in t.ranks:
                    j = int(np.searchsorted(cum, r - t.below, side="right"))
                    groups.setdefault(j, []).append(r)
                for j, ranks in groups.items():
                    below = t.below + (int(cum[j - 1]) if j else 0)
                    lo = t.lo + j / t.scale
                    nxt_targets.append(_Target(ranks, t.chain + [(t.lo, t.scale, j)], below, lo, t.scale * SELECT_BINS))
            pending[name] = nxt_targets
    if any(pending.values()):  # pragma: no cover - needs > 2**(14*12) distinct levels
        raise InputError("could not select the reference deciles exactly; profile the data in memory")
    return found, {name: (hist_edges[name], h.counts) for name, h in hists.items()}, kept


def _psi_bin_counts(
    pf: Any, profs: dict[str, d.ColumnProfile], batch_rows: int, cancel: Optional[CancelToken]
) -> None:
    counts = {n: np.zeros(p.edges.size + 1, dtype=np.int64) for n, p in profs.items() if p.edges is not None}
    if not counts:
        return
    for frame in _batches(pf, list(counts), batch_rows, cancel):
        for name, c in counts.items():
            x = d._numbers(frame[name]).values
            x = x[np.isfinite(x)]
            c += np.bincount(np.searchsorted(profs[name].edges, x, side="right"), minlength=c.size)
    for name, c in counts.items():
        profs[name].bin_counts = c


# --------------------------------------------------------------------------- public API


def profile_parquet(
    path: PathLike,
    *,
    kinds: Optional[Mapping[str, str]] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    batch_rows: int = BATCH_ROWS,
    collect_limit: int = COLLECT_LIMIT,
) -> d.ReferenceProfile:
    """Profile a reference Parquet file of any size, batch by batch (see the module doc).

    ``kinds`` overrides column kinds as in :meth:`ReferenceProfile.from_frame`.  The file
    is read 3 times or more (summaries; histograms and decile selection, repeated while
    a decile is not yet isolated; PSI bin counts).  The profile is ``approximate`` when a
    numeric column has more than ``collect_limit`` non-missing values (its sorted values
    are then replaced by a histogram).  Raises :class:`InputError` (unreadable file,
    bad ``kinds``) and :class:`console.errors.Cancelled`.
    """
    pf = _open(path)
    empty = _empty_series(pf)
    names = list(empty)
    kinds = dict(kinds or {})
    for col, kind in kinds.items():
        if col not in empty:
            raise InputError(f"kind override for column '{col}': no such column in {path}; available: {few_names(names)}")
        if kind not in d.KINDS:
            raise InputError(f"kind override for column '{col}': unknown kind '{kind}'; use numeric, categorical or datetime")
    accs: dict[str, Any] = {}
    domains: dict[str, tuple[str, str]] = {}
    for name, s in empty.items():
        kind, domain = d._infer_base_kind(s)
        override = kinds.get(name)
        if override == d.KIND_DATETIME:
            domain = d._DOMAIN_DATETIME
        elif override == d.KIND_NUMERIC:
            domain = d._DOMAIN_NUMBER
        elif override == d.KIND_CATEGORICAL and domain == d._DOMAIN_DATETIME:
            domain = d._DOMAIN_TEXT
        domains[name] = (override or kind, domain)
        accs[name] = {d._DOMAIN_NUMBER: _Num, d._DOMAIN_TEXT: _Text, d._DOMAIN_DATETIME: _Dates}[domain]()
    total = max(pf.metadata.num_rows, 1)
    done = 0
    for frame in _batches(pf, names, batch_rows, cancel):
        for name in names:
            accs[name].add(frame[name])
        done += len(frame)
        report(progress, 0.3 * done / total, f"profiling the reference: pass 1, {done:,} rows")
    fingerprint = _file_sha256(path)
    checkpoint(cancel)

    profs: dict[str, d.ColumnProfile] = {}
    numeric: dict[str, _Num] = {}
    for name in names:
        kind, domain = domains[name]
        acc = accs[name]
        prof = d.ColumnProfile(name=name, kind=kind, domain=domain, dtype=str(empty[name].dtype), n_rows=acc.rows, n_valid=0)
        profs[name] = prof
        if isinstance(acc, _Dates):
            prof.n_valid, prof.n_unfit = acc.valid, acc.nbad
            if acc.valid:
                prof.dt_min, prof.dt_max = d._ts_range(acc.lo, acc.hi)
            if acc.nbad:
                prof.notes.append(f"{d._plural(acc.nbad, 'value')} in the reference are not dates "
                                  f"(e.g. {', '.join(map(repr, acc.examples))}); treated as missing")
        elif isinstance(acc, _Text):
            labels = sorted(acc.counts)
            prof.n_valid = int(sum(acc.counts.values()))
            prof.category_labels = labels
            prof.category_keys = np.array(labels, dtype=object)
            prof.category_counts = np.array([acc.counts[k] for k in labels], dtype=np.int64)
            if acc.mixed:
                prof.notes.append(f"mixed value types in the reference ({acc.mixed}): compared as text")
        else:
            prof.n_valid, prof.n_inf, prof.n_unfit = acc.valid, acc.n_inf, acc.n_unfit
            if acc.n_inf:
                prof.notes.append(f"{d._plural(acc.n_inf, '±inf value')} in the reference treated as missing")
            if acc.n_unfit:
                prof.notes.append(f"{d._plural(acc.n_unfit, 'value')} in the reference are not numbers "
                                  f"(e.g. {', '.join(map(repr, acc.examples))}); treated as missing")
            if name not in kinds:
                prof.kind = d.KIND_CATEGORICAL if acc.distinct is not None else d.KIND_NUMERIC
            if prof.kind == d.KIND_CATEGORICAL:
                if acc.distinct is None:
                    raise InputError(
                        f"column '{name}': a categorical override of a numeric column with more than "
                        f"{d.MAX_CATEGORICAL_DISTINCT} distinct values cannot be streamed; profile it in memory"
                    )
                keys = np.array(sorted(acc.distinct), dtype=np.float64)
                prof.category_keys = keys
                prof.category_labels = [d._num_label(float(k)) for k in keys]
                prof.category_counts = np.array([acc.distinct[k] for k in keys.tolist()], dtype=np.int64)
            elif acc.valid:
                prof.std = float(np.sqrt(acc.m2 / acc.valid))
                numeric[name] = acc
        if prof.category_keys is not None:
            _ = prof.key_index
    approximate = False
    if numeric:
        found, hists, kept = _select(pf, numeric, batch_rows, collect_limit, progress, cancel, (0.3, 0.9))
        for name, acc in numeric.items():
            prof = profs[name]
            prev, nxt, gamma = d._quantile_positions(acc.valid, d.PSI_QUANTILES.copy())
            a = np.array([found[name][int(i)] for i in prev])
            b = np.array([found[name][int(i)] for i in nxt])
            prof.edges = np.unique(d._quantile_lerp(a, b, gamma))
            prof.hist_edges, prof.hist_counts = hists[name]
            if name in kept:
                prof.sorted_values = kept[name]
                prof.std = float(np.std(kept[name]))  # numpy's own value when we have them
            else:
                approximate = True
        _psi_bin_counts(pf, {n: profs[n] for n in numeric}, batch_rows, cancel)
    report(progress, 1.0, "profiling the reference: done")
    return d.ReferenceProfile(
        columns=names, profiles=profs, n_rows=int(pf.metadata.num_rows), fingerprint=fingerprint,
        approximate=approximate,
    )


def ensure_histogram(prof: d.ColumnProfile) -> None:
    """Give an in-memory numeric profile (sorted values) the :data:`HIST_BINS`-bin
    reference histogram that streamed profiles carry, so a current file too large to
    keep can be compared with it (approximately, labelled)."""
    if prof.kind != d.KIND_NUMERIC or prof.hist_edges is not None or prof.sorted_values is None:
        return
    sv = prof.sorted_values
    if not sv.size:
        return
    edges = np.linspace(float(sv[0]), float(sv[-1]), HIST_BINS + 1)
    counts = np.bincount(d.hist_bin_index(edges, sv), minlength=HIST_BINS).astype(np.int64)
    prof.hist_edges, prof.hist_counts = edges, counts


@dataclass
class _CurNum:
    rows: int = 0
    n_inf: int = 0
    n_unfit: int = 0
    examples: list[str] = field(default_factory=list)
    psi: Optional[np.ndarray] = None
    binned: Optional["d.BinnedSample"] = None
    values: Optional[list[np.ndarray]] = field(default_factory=list)
    valid: int = 0


def compare_parquet(
    profile: d.ReferenceProfile,
    path: PathLike,
    *,
    target: Optional[str] = None,
    rule: Optional[d.DriftRule] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    batch_rows: int = BATCH_ROWS,
    collect_limit: int = COLLECT_LIMIT,
) -> d.DriftResult:
    """Compare a current Parquet file of any size with ``profile``, in ONE pass.

    Numeric columns: PSI from exact bin counts; KS/Wasserstein exact when the profile
    keeps the sorted reference values and the file has at most ``collect_limit``
    non-missing values in the column, else approximate and labelled (module doc).
    Categorical and datetime columns: exact.  Returns a :class:`DriftResult` like
    :func:`console.monitoring.drift.compare`.  Raises :class:`InputError` (unreadable
    file, unknown ``target``) and :class:`console.errors.Cancelled`.
    """
    rule = rule or d.DriftRule()
    pf = _open(path)
    empty = _empty_series(pf)
    names = list(empty)
    if target is not None and target not in profile.profiles and target not in empty:
        raise InputError(f"target column '{target}' is in neither the reference nor {path}; "
                         f"available: {few_names(profile.columns)}")
    common = [c for c in profile.columns if c in empty]
    for name in common:
        ensure_histogram(profile.profiles[name])
    state: dict[str, Any] = {}
    for name in common:
        prof = profile.profiles[name]
        if prof.kind == d.KIND_NUMERIC:
            st = _CurNum()
            if prof.edges is not None:
                st.psi = np.zeros(prof.edges.size + 1, dtype=np.int64)
            if prof.hist_edges is not None:
                st.binned = d.BinnedSample(np.zeros(prof.hist_edges.size - 1, dtype=np.int64))
            state[name] = st
        elif prof.kind == d.KIND_CATEGORICAL:
            state[name] = [0, np.zeros(len(prof.category_labels or []), dtype=np.int64), {}, 0, d.ColumnDrift(name, prof.kind)]
        else:
            state[name] = _Dates()
    only_current = [c for c in names if c not in profile.profiles]
    cur_only = {c: _Text() if d._infer_base_kind(empty[c])[1] == d._DOMAIN_TEXT else _Dates()
                if d._infer_base_kind(empty[c])[1] == d._DOMAIN_DATETIME else _Num() for c in only_current}
    total = max(pf.metadata.num_rows, 1)
    done = 0
    for frame in _batches(pf, names, batch_rows, cancel):
        for name in common:
            prof, st, s = profile.profiles[name], state[name], frame[name]
            if prof.kind == d.KIND_NUMERIC:
                nums = d._numbers(s)
                x = nums.values
                fin = np.isfinite(x)
                st.rows += x.size
                st.n_inf += int(np.count_nonzero(np.isinf(x)))
                st.n_unfit += nums.n_unfit
                if nums.n_unfit and len(st.examples) < 3:
                    st.examples += list(nums.examples)[: 3 - len(st.examples)]
                v = x[fin]
                st.valid += v.size
                if st.psi is not None:
                    st.psi += np.bincount(np.searchsorted(prof.edges, v, side="right"), minlength=st.psi.size)
                if st.binned is not None:
                    st.binned.add(d.histogram_of(prof, v))
                if st.values is not None:
                    st.values.append(v)
                    if st.valid > collect_limit or prof.sorted_values is None:
                        st.values = None
            elif prof.kind == d.KIND_CATEGORICAL:
                known, new_labels, new_counts, m = d._current_category_counts(prof, s, st[4])
                st[0] += len(s)
                st[1] += known
                for lab, c in zip(new_labels, new_counts.tolist()):
                    st[2][lab] = st[2].get(lab, 0) + c
                st[3] += m
            else:
                st.add(s)
        for name, acc in cur_only.items():
            acc.add(frame[name])
        done += len(frame)
        report(progress, done / total, f"comparing: {done:,} of {total:,} rows")
    results: list[d.ColumnDrift] = []
    for name in profile.columns:
        prof = profile.profiles[name]
        res = d.ColumnDrift(name=name, kind=prof.kind, is_target=name == target)
        res.missing_share_reference = prof.missing_share
        for note in prof.notes:
            res.add_note(note)
        if name not in state:
            res.n_reference = prof.n_valid
            res.reason = "column missing from the current data"
        elif prof.kind == d.KIND_NUMERIC:
            st = state[name]
            if st.n_inf:
                res.add_note(f"{d._plural(st.n_inf, '±inf value')} in the current data treated as missing")
            if st.n_unfit:
                res.add_note(f"{d._plural(st.n_unfit, 'value')} in the current data are not numbers "
                             f"(e.g. {', '.join(map(repr, st.examples))}); treated as missing")
            if st.values is not None or prof.n_valid == 0 or st.valid == 0:
                cur = np.sort(np.concatenate(st.values)) if st.values else np.empty(0)
                d._numeric_result(prof, res, cur, st.rows)
            else:
                d._numeric_result_binned(prof, res, st.psi, st.binned, st.valid, st.rows)
        elif prof.kind == d.KIND_CATEGORICAL:
            rows, known, new, m, notes_res = state[name]
            for note in notes_res.notes:
                res.add_note(note)
            labels = sorted(new)
            d._categorical_result(prof, res, known, labels, np.array([new[k] for k in labels], dtype=np.int64), m, rows)
        else:
            acc = state[name]
            res.n_current, res.n_reference = acc.valid, prof.n_valid
            res.missing_share_current = (acc.rows - acc.valid) / acc.rows if acc.rows else None
            cur_min, cur_max = d._ts_range(acc.lo, acc.hi) if acc.valid else (None, None)
            res.reference_range, res.current_range = (prof.dt_min, prof.dt_max), (cur_min, cur_max)
            fmt = lambda a, b: f"{a} to {b}" if a is not None else "no values"  # noqa: E731
            res.reason = (f"datetime column, not tested (reference {fmt(prof.dt_min, prof.dt_max)}; "
                          f"current {fmt(cur_min, cur_max)})")
        if res.tested:
            res.status = d.psi_status(res.psi)
            res.drifted = rule.decide(res)
        results.append(res)
    for name, acc in cur_only.items():
        if isinstance(acc, _Dates):
            kind = d.KIND_DATETIME
        elif isinstance(acc, _Text) or acc.distinct is not None:  # at most 10 distinct numbers
            kind = d.KIND_CATEGORICAL
        else:
            kind = d.KIND_NUMERIC
        res = d.ColumnDrift(name=name, kind=kind, is_target=name == target)
        valid = acc.valid if not isinstance(acc, _Text) else int(sum(acc.counts.values()))
        res.missing_share_current = (acc.rows - valid) / acc.rows if acc.rows else None
        res.n_current = valid
        res.reason = "column only in the current data (not in the reference)"
        results.append(res)
    target_res = next((r for r in results if r.is_target), None)
    features = [r for r in results if not r.is_target]
    n_tested = sum(1 for r in features if r.tested)
    n_drifted = sum(1 for r in features if r.drifted)
    notes = list(profile.notes)
    for r in results:
        notes += [f"{r.name}: {t}" for t in r.notes]
    return d.DriftResult(
        dataset_drift=n_tested > 0 and 2 * n_drifted >= n_tested, n_tested=n_tested, n_drifted=n_drifted,
        target=target_res, columns=features, reference_fingerprint=profile.fingerprint,
        profile_format_version=profile.format_version, approximate=any(r.approximate for r in results),
        n_rows_reference=profile.n_rows, n_rows_current=int(pf.metadata.num_rows), rule=rule, notes=notes,
    )


def drift_parquet(
    reference: PathLike,
    current: PathLike,
    *,
    target: Optional[str] = None,
    kinds: Optional[Mapping[str, str]] = None,
    rule: Optional[d.DriftRule] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    batch_rows: int = BATCH_ROWS,
    collect_limit: int = COLLECT_LIMIT,
) -> d.DriftResult:
    """:func:`profile_parquet` of ``reference`` then :func:`compare_parquet` of ``current``
    (progress 0 -> 0.7 while profiling, 0.7 -> 1 while comparing)."""

    def part(lo: float, hi: float) -> Optional[ProgressFn]:
        if progress is None:
            return None
        return lambda f, msg: progress(lo + (hi - lo) * f, msg)

    profile = profile_parquet(reference, kinds=kinds, progress=part(0.0, 0.7), cancel=cancel,
                              batch_rows=batch_rows, collect_limit=collect_limit)
    return compare_parquet(profile, current, target=target, rule=rule, progress=part(0.7, 1.0), cancel=cancel,
                           batch_rows=batch_rows, collect_limit=collect_limit)
