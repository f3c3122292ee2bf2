"""Data checks of the validation suite (family ``data``): schema, missing values,
duplicates, out-of-range values, label distribution.  See :data:`console.validation.suite.CATALOGUE`
for each check's description, source and parameters.  No Qt, no SQL."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from console.domain.models import CheckStatus, TaskType
from console.monitoring.drift import population_stability_index, psi_edges
from console.validation.checks import schema_check
from console.validation._shared import (
    Ctx, Outcome, bar_chart, is_numeric, listing, table,
)

S = CheckStatus


def _worst(statuses: list[CheckStatus]) -> CheckStatus:
    order = [S.PASS, S.WARN, S.FAIL]
    return max(statuses or [S.PASS], key=order.index)


def check_schema(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``data.schema``: feature columns and dtypes against ``version.training_schema``.

    Fail: a feature column missing; a dtype of another kind (numeric vs categorical vs
    datetime; int vs float vs bool is fine); the target missing, with NaN/inf, with labels
    unknown to the model (classification) or not numeric (regression); no rows; duplicate
    column names.  Warn: extra columns (ignored for prediction).  Error: no training schema
    and the model does not name its features.
    """
    status, values, reason = schema_check(ctx, ctx.estimator, ctx.version)
    values = dict(values)
    schema = {c: t for c, t in (ctx.version.training_schema or {}).items() if c != ctx.target}
    mism = {m["column"]: m for m in values.get("dtype_mismatches", [])}
    rows = []
    for c in ctx.features:
        expected = schema.get(c)
        if c not in ctx.data.columns:
            rows.append([str(c), expected, None, "missing"])
            continue
        actual = str(ctx.data[c].dtype) if not isinstance(ctx.data[c], pd.DataFrame) else "duplicate"
        rows.append([str(c), expected, actual, "dtype mismatch" if c in mism else "ok"])
    for c in values.get("extra_columns", []):
        rows.append([str(c), None, str(ctx.data[c].dtype) if c in ctx.data.columns else None, "extra (ignored)"])
    values["n_features"] = len(ctx.features)
    values["tables"] = [table("Columns against the training schema",
                              ["column", "training dtype", "data dtype", "status"], rows)]
    if status is S.PASS and not reason:
        reason = f"all {len(ctx.features)} feature column(s) present with the training dtypes"
    return Outcome(status, values, reason)


def _missing_share(s: pd.Series) -> float:
    if len(s) == 0:
        return 0.0
    miss = s.isna()
    if is_numeric(s):
        with np.errstate(invalid="ignore"):
            miss = miss | ~np.isfinite(s.to_numpy(dtype="float64", na_value=np.nan))
    elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        miss = miss | (s.astype(str).str.strip() == "")
    return float(np.asarray(miss).mean())


def check_missing(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``data.missing``: share of missing values (NaN, None, empty string, ±inf) per
    feature.  Fail: a share above ``max_missing_share``.  Warn: a share more than
    ``max_increase`` above the training share (only with training data)."""
    feats = [c for c in ctx.features if c in ctx.data.columns]
    if not feats:
        return Outcome(S.SKIPPED, {}, "none of the model's features is in the data (see data.schema)")
    tr = ctx.training
    rows, statuses, bad, up = [], [], [], []
    for c in feats:
        share = _missing_share(ctx.data[c])
        tshare = _missing_share(tr[c]) if tr is not None and c in tr.columns else None
        st = S.PASS
        if share > p["max_missing_share"]:
            st = S.FAIL
            bad.append(c)
        elif tshare is not None and share - tshare > p["max_increase"]:
            st = S.WARN
            up.append(c)
        statuses.append(st)
        rows.append([str(c), round(share, 6), None if tshare is None else round(tshare, 6), st.value])
    values: dict[str, Any] = {
        "n_rows": len(ctx.data),
        "max_missing_share": max(r[1] for r in rows),
        "columns_with_missing": sum(1 for r in rows if r[1] > 0),
        "notes": [],
    }
    if ctx.target in ctx.data.columns:
        values["target_missing_share"] = _missing_share(ctx.data[ctx.target])
    if tr is None:
        values["notes"].append("No training data recorded: shares are not compared with training.")
    rows.sort(key=lambda r: -r[1])
    values["tables"] = [table("Missing-value share per feature", ["column", "share (validation)", "share (training)", "status"], rows, note_to=values["notes"])]
    with_missing = [r for r in rows if r[1] > 0][:30]
    if with_missing:
        series = {"validation": [[r[0], r[1]] for r in with_missing]}
        if tr is not None:
            series["training"] = [[r[0], r[2] or 0.0] for r in with_missing]
        values["charts"] = [bar_chart("Missing-value share per feature", "feature", "share missing", series)]
    status = _worst(statuses)
    reason = None
    if bad:
        reason = f"{len(bad)} feature(s) mostly missing (share > {p['max_missing_share']:g}): {listing(bad)}"
    elif up:
        reason = f"{len(up)} feature(s) missing more often than in training (+{p['max_increase']:g} or more): {listing(up)}"
    else:
        top = rows[0]
        reason = (f"largest missing share {top[1]:.1%} in {top[0]!r}" if top[1] > 0 else "no missing values in the features")
    return Outcome(status, values, reason)


def _row_hashes(df: pd.DataFrame) -> np.ndarray:
    """64-bit hash per row; numeric columns as float64 so 1 and 1.0 hash alike across
    the training and validation data (:func:`pandas.util.hash_pandas_object`)."""
    num = {c: "float64" for c in df.columns if is_numeric(df[c]) and not pd.api.types.is_extension_array_dtype(df[c].dtype)}
    return pd.util.hash_pandas_object(df.astype(num) if num else df, index=False).to_numpy()


def check_duplicates(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``data.duplicates``: share of exact duplicate rows (features + target) in the
    validation data, and share of validation rows also present in the training data
    (train/test leakage).  Warn above ``max_duplicate_share``; fail above
    ``max_train_overlap_share`` of overlap."""
    cols = [c for c in ctx.features if c in ctx.data.columns]
    if ctx.target in ctx.data.columns:
        cols = cols + [ctx.target]
    if not cols or len(ctx.data) == 0:
        return Outcome(S.SKIPPED, {}, "no rows or no feature columns to compare (see data.schema)")
    df = ctx.data[cols]
    h = _row_hashes(df)
    n = len(h)
    n_dup = int(n - len(np.unique(h)))
    values: dict[str, Any] = {"n_rows": n, "n_duplicate_rows": n_dup, "duplicate_share": n_dup / n, "notes": []}
    statuses, reasons = [S.PASS], []
    if n_dup / n > p["max_duplicate_share"]:
        statuses.append(S.WARN)
        reasons.append(f"{n_dup} duplicate row(s) ({n_dup / n:.1%}) above the limit {p['max_duplicate_share']:.1%}")
    tr = ctx.training
    if tr is not None and all(c in tr.columns for c in cols):
        th = set(_row_hashes(tr[cols]).tolist())
        in_train = np.fromiter((x in th for x in h.tolist()), dtype=bool, count=n)
        k = int(in_train.sum())
        values.update(n_rows_in_training=k, train_overlap_share=k / n)
        if k / n > p["max_train_overlap_share"]:
            statuses.append(S.FAIL)
            reasons.append(f"{k} validation row(s) ({k / n:.1%}) also appear in the training data "
                           f"(limit {p['max_train_overlap_share']:.1%}); the measured performance is inflated")
        if k:
            ex = df[in_train].head(20)
            values["tables"] = [table("Validation rows also in the training data (first 20)",
                                      [str(c) for c in cols], ex.astype(object).where(ex.notna(), None).values.tolist())]
    else:
        values["notes"].append("No training data recorded (or columns differ): overlap with training not measured.")
    if not reasons:
        reasons.append(f"{n_dup} duplicate row(s)" + (f"; {values['n_rows_in_training']} row(s) also in the training data"
                                                      if "n_rows_in_training" in values else ""))
    return Outcome(_worst(statuses), values, "; ".join(reasons))


def check_out_of_range(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``data.out_of_range``: per numeric feature, share of validation values below the
    training minimum or above the training maximum, and beyond mean ± ``k_std``·std;
    per categorical feature, share of categories unseen in training.  Status per column
    from ``max(share outside [min, max], share unseen)``: warn above ``warn_share``, fail
    above ``fail_share``; a share beyond k·std above Chebyshev's bound 1/k² warns."""
    tr = ctx.training
    if tr is None:
        return Outcome(S.SKIPPED, {}, "no training data was recorded with this version, so there are no training statistics to compare with")
    feats = [c for c in ctx.features if c in ctx.data.columns and c in tr.columns]
    if not feats:
        return Outcome(S.SKIPPED, {}, "no feature column is in both the training and the validation data")
    k = float(p["k_std"])
    cheb = 1.0 / (k * k)
    rows, statuses, chart_pts, flagged = [], [], [], []
    for c in feats:
        s, t = ctx.data[c], tr[c]
        st = S.PASS
        if is_numeric(s) and is_numeric(t):
            tv = t.to_numpy(dtype="float64", na_value=np.nan)
            tv = tv[np.isfinite(tv)]
            v = s.to_numpy(dtype="float64", na_value=np.nan)
            v = v[np.isfinite(v)]
            if tv.size == 0 or v.size == 0:
                rows.append([str(c), "numeric", None, None, None, None, None, None, "not tested (no values)"])
                continue
            lo, hi, mu, sd = float(tv.min()), float(tv.max()), float(tv.mean()), float(tv.std())
            below, above = float((v < lo).mean()), float((v > hi).mean())
            beyond = float((np.abs(v - mu) > k * sd).mean()) if sd > 0 else float((v != mu).mean())
            out_share = below + above
            if out_share > p["fail_share"]:
                st = S.FAIL
            elif out_share > p["warn_share"] or (sd > 0 and beyond > cheb):
                st = S.WARN
            rows.append([str(c), "numeric", lo, hi, round(below, 6), round(above, 6), round(beyond, 6), None, st.value])
            chart_pts.append([str(c), out_share])
        else:
            seen = set(t.dropna().astype(str).unique().tolist())
            sv = s.dropna().astype(str)
            unseen_mask = ~sv.isin(seen)
            share = float(unseen_mask.sum() / max(len(s), 1))
            new = list(pd.unique(sv[unseen_mask]))[:5]
            if share > p["fail_share"]:
                st = S.FAIL
            elif share > p["warn_share"]:
                st = S.WARN
            rows.append([str(c), "categorical", None, None, None, None, None,
                         (", ".join(map(str, new)) + (f" (share {share:.2%})" if new else "")) or None, st.value])
            chart_pts.append([str(c), share])
        statuses.append(st)
        if st is not S.PASS:
            flagged.append((c, st))
    values: dict[str, Any] = {
        "n_features_tested": len(statuses),
        "n_features_flagged": len(flagged),
        "chebyshev_bound": cheb,
        "tables": [table("Values against the training range",
                         ["column", "kind", "training min", "training max", "share below min",
                          "share above max", f"share beyond {k:g}·std", "unseen categories", "status"], rows)],
        "charts": [bar_chart("Share of values outside the training range / unseen categories",
                             "feature", "share", {"validation": sorted(chart_pts, key=lambda x: -x[1])[:30]})],
    }
    status = _worst(statuses)
    reason = None
    if flagged:
        reason = (f"{len(flagged)} feature(s) outside the training range or with unseen categories: "
                  + listing([c for c, _ in sorted(flagged, key=lambda x: x[1] is not S.FAIL)]))
    else:
        reason = f"all {len(statuses)} tested feature(s) within the training range, no unseen categories"
    return Outcome(status, values, reason)


def _shares(codes: pd.Series) -> pd.Series:
    return codes.value_counts(normalize=True)


def check_label_distribution(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``data.label_distribution``: class shares (classification) or the target's decile
    bins (regression) in the validation data against the training data, by the
    population stability index (DESIGN.md drift conventions: PSI < 0.1 stable, < 0.25
    warning, else drift); classes with fewer than ``min_class_rows`` validation rows warn."""
    if ctx.target not in ctx.data.columns:
        return Outcome(S.SKIPPED, {}, f"target column {ctx.target!r} is not in the data (see data.schema)")
    y = ctx.data[ctx.target].dropna()
    if len(y) == 0:
        return Outcome(S.SKIPPED, {}, f"target column {ctx.target!r} has no values")
    tr = ctx.training
    ty = tr[ctx.target].dropna() if tr is not None and ctx.target in tr.columns else None
    values: dict[str, Any] = {"n_rows": int(len(y)), "notes": []}
    statuses, reasons = [S.PASS], []
    if ctx.task is TaskType.CLASSIFICATION:
        cur = y.astype(str).value_counts()
        ref = ty.astype(str).value_counts() if ty is not None else None
        cats = sorted(set(cur.index) | set(ref.index if ref is not None else []))
        pc = np.array([cur.get(c, 0) for c in cats], dtype=float) / cur.sum()
        rows = []
        if ref is not None:
            pr = np.array([ref.get(c, 0) for c in cats], dtype=float) / ref.sum()
            psi = population_stability_index(pr, pc)
            values["psi"] = psi
            rows = [[c, int(cur.get(c, 0)), float(pc[i]), float(pr[i])] for i, c in enumerate(cats)]
            series = {"training": [[c, float(pr[i])] for i, c in enumerate(cats)],
                      "validation": [[c, float(pc[i])] for i, c in enumerate(cats)]}
        else:
            psi = None
            rows = [[c, int(cur.get(c, 0)), float(pc[i]), None] for i, c in enumerate(cats)]
            series = {"validation": [[c, float(pc[i])] for i, c in enumerate(cats)]}
        values["n_classes"] = len(cur)
        values["tables"] = [table("Class shares", ["class", "rows (validation)", "share (validation)", "share (training)"], rows)]
        values["charts"] = [bar_chart("Class shares", "class", "share", series)]
        small = [c for c in cur.index if cur[c] < p["min_class_rows"]]
        if small:
            statuses.append(S.WARN)
            reasons.append(f"class(es) with fewer than {p['min_class_rows']} validation rows: {listing(small)}; "
                           "metrics for them are unreliable")
        if len(cur) < 2:
            statuses.append(S.WARN)
            reasons.append("the validation data holds a single class")
    else:
        if not is_numeric(y):
            return Outcome(S.SKIPPED, {}, f"target column {ctx.target!r} is not numeric (see data.schema)")
        v = y.to_numpy(dtype="float64")
        v = v[np.isfinite(v)]
        values.update(mean=float(v.mean()) if v.size else None, std=float(v.std()) if v.size else None)
        psi = None
        if ty is not None and is_numeric(ty):
            t = np.sort(ty.to_numpy(dtype="float64")[np.isfinite(ty.to_numpy(dtype="float64"))])
            if t.size and v.size:
                edges = psi_edges(t)
                kb = len(edges) + 1
                pr = np.bincount(np.searchsorted(edges, t, side="right"), minlength=kb) / t.size
                pc = np.bincount(np.searchsorted(edges, v, side="right"), minlength=kb) / v.size
                psi = population_stability_index(pr, pc)
                values["psi"] = psi
                values.update(training_mean=float(t.mean()), training_std=float(t.std()))
                labels = [f"bin {i + 1}" for i in range(kb)]
                values["charts"] = [bar_chart("Target distribution over training deciles", "training decile bin", "share",
                                              {"training": [[labels[i], float(pr[i])] for i in range(kb)],
                                               "validation": [[labels[i], float(pc[i])] for i in range(kb)]})]
    if ty is None:
        values["notes"].append("No training data recorded: the label distribution is not compared with training.")
    elif psi is not None:
        if psi >= p["psi_fail"]:
            statuses.append(S.FAIL)
            reasons.append(f"label distribution differs from training: PSI {psi:.3f} ≥ {p['psi_fail']:g} (drift)")
        elif psi >= p["psi_warn"]:
            statuses.append(S.WARN)
            reasons.append(f"label distribution shifted from training: PSI {psi:.3f} ≥ {p['psi_warn']:g} (warning)")
    if not reasons and values.get("psi") is not None:
        reasons.append(f"PSI {values['psi']:.3f} against training (stable below {p['psi_warn']:g})")
    return Outcome(_worst(statuses), values, "; ".join(reasons) or None)
