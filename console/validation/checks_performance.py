"""Performance checks of the validation suite (family ``performance``): absolute metrics,
calibration, sudden drop against the champion, slow degradation across versions.
No Qt, no SQL."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
from sklearn import metrics as skm

from console.domain.models import CheckStatus, ModelVersion, TaskType
from console.validation._shared import (
    METRIC_LABELS, Ctx, Outcome, fmt, label, line_chart, positive_score, scatter_chart,
    subsample_index, table,
)

S = CheckStatus


def _same(a: ModelVersion, b: ModelVersion) -> bool:
    return a.model_id == b.model_id and a.version == b.version


def hanley_mcneil_se(auc: float, n_pos: int, n_neg: int) -> Optional[float]:
    """Standard error of ROC AUC, Hanley & McNeil (Radiology 143:29-36, 1982), eq. 2:
    ``Q1 = A/(2-A)``, ``Q2 = 2A²/(1+A)``,
    ``SE² = (A(1-A) + (n1-1)(Q1-A²) + (n2-1)(Q2-A²)) / (n1·n2)``."""
    if n_pos < 1 or n_neg < 1:
        return None
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc * auc) + (n_neg - 1) * (q2 - auc * auc)) / (n_pos * n_neg)
    return math.sqrt(var) if var > 0 else 0.0


def _threshold(ctx: Ctx, p: dict[str, Any]) -> float:
    return p["min_roc_auc"] if ctx.task is TaskType.CLASSIFICATION else p["min_r2"]


def check_metrics(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``performance.metrics``: the task's metrics; the primary metric (ROC AUC /
    R²) must be at least ``min_roc_auc`` / ``min_r2``; fewer than ``min_rows`` scored rows
    is an error (too few to judge)."""
    metric = ctx.primary
    s = ctx.scores(ctx.estimator, ctx.version)
    values: dict[str, Any] = {"primary_metric": metric, "notes": []}
    if s.error:
        return Outcome(S.ERROR, values, s.error)
    values.update(s.metrics)
    n = len(ctx.eval)
    values["n_rows"] = n
    if len(ctx.data) > n:
        values["n_rows_excluded"] = len(ctx.data) - n
        values["notes"].append(f"{len(ctx.data) - n} row(s) without a usable label were not scored.")
    if s.notes:
        values["metric_notes"] = dict(s.notes)
    rows = [[METRIC_LABELS.get(k, k), v] for k, v in s.metrics.items()]
    preds = ctx.preds(ctx.estimator, ctx.version)
    charts = []
    if ctx.task is TaskType.CLASSIFICATION:
        values["classes"] = [label(c) for c in ctx.classes]
        if len(ctx.classes) > 2:
            values["f1_average"] = "macro"
        if len(ctx.classes) == 2:
            values["positive_label"] = label(ctx.classes[1])
            pos = positive_score(preds)
            y_pos = (ctx.y_code == 1).astype(int)
            n1, n0 = int(y_pos.sum()), int(len(y_pos) - y_pos.sum())
            auc = s.metrics.get("roc_auc")
            if auc is not None:
                se = hanley_mcneil_se(auc, n1, n0)
                values["roc_auc_se"] = se
                values["roc_auc_ci95"] = [max(0.0, auc - 1.96 * se), min(1.0, auc + 1.96 * se)]
                rows.append(["ROC AUC 95% interval (Hanley & McNeil)",
                             f"{values['roc_auc_ci95'][0]:.4f} – {values['roc_auc_ci95'][1]:.4f}"])
                fpr, tpr, _ = skm.roc_curve(y_pos, pos)
                charts.append(line_chart("ROC curve", "false positive rate", "true positive rate",
                                         {"model": [[float(a), float(b)] for a, b in zip(fpr, tpr)]},
                                         reference_line=[[0, 0], [1, 1]]))
    else:
        y = ctx.y.to_numpy(dtype="float64")
        idx = subsample_index(len(y), 200, 0)
        pts = [[float(y[i]), float(preds.pred[i])] for i in idx]
        lo, hi = float(min(y.min(), preds.pred.min())), float(max(y.max(), preds.pred.max()))
        charts.append(scatter_chart("Predicted against actual (sample of up to 200 rows)", "actual", "predicted",
                                    {"rows": pts}, reference_line=[[lo, lo], [hi, hi]]))
    values["tables"] = [table("Metrics on the validation data", ["metric", "value"], rows)]
    values["charts"] = charts
    thr = _threshold(ctx, p)
    lbl = METRIC_LABELS[metric]
    if n < p["min_rows"]:
        return Outcome(S.ERROR, values, f"only {n} labelled row(s); at least {p['min_rows']} are needed to judge {lbl}")
    prim = s.metrics.get(metric)
    if prim is None:
        return Outcome(S.ERROR, values, f"{lbl} could not be computed: {s.notes.get(metric, 'unknown reason')}")
    if prim < thr:
        return Outcome(S.FAIL, values, f"{lbl} {prim:.4f} is below the minimum {thr:g}")
    return Outcome(S.PASS, values, f"{lbl} {prim:.4f} meets the minimum {thr:g}")


def check_calibration(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``performance.calibration``: Brier score, Brier skill score against predicting the
    base rate (``1 - Brier / (p̄(1-p̄))``), expected calibration error over ``n_bins``
    equal-width bins (Guo et al. 2017: ``Σ n_b/n · |observed_b - predicted_b|``; multiclass:
    top-label confidence) and the reliability diagram.  Fail: ECE above ``max_ece_fail``
    or Brier skill ≤ 0 (no better than the base rate); warn: ECE above ``max_ece_warn``."""
    if ctx.task is not TaskType.CLASSIFICATION:
        return Outcome(S.SKIPPED, {}, "calibration applies to classifiers' probabilities; this is a regression model")
    preds = ctx.preds(ctx.estimator, ctx.version)
    if preds.error:
        return Outcome(S.ERROR, {}, preds.error)
    if preds.proba is None:
        return Outcome(S.SKIPPED, {}, "the model has no predict_proba, so there are no probabilities to calibrate")
    proba, y = preds.proba, ctx.y_code
    n = len(y)
    if n == 0:
        return Outcome(S.SKIPPED, {}, "no labelled rows")
    k = proba.shape[1]
    bins = int(p["n_bins"])
    values: dict[str, Any] = {"n_rows": n, "notes": []}
    if k == 2:
        conf, hit = proba[:, 1], (y == 1).astype(float)
        brier = float(np.mean((conf - hit) ** 2))
        base = float(hit.mean())
        ref = base * (1 - base)
        x_label, what = "mean predicted probability of " + str(label(ctx.classes[1])), "observed share positive"
    else:
        onehot = np.eye(k)[y]
        brier = float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))
        prior = onehot.mean(axis=0)
        ref = float(np.sum(prior * (1 - prior)))
        conf = proba.max(axis=1)
        hit = (proba.argmax(axis=1) == y).astype(float)
        x_label, what = "mean top-class confidence", "observed accuracy"
        values["notes"].append("Multiclass: reliability of the top-class confidence (Guo et al. 2017).")
    idx = np.clip((conf * bins).astype(int), 0, bins - 1)
    cnt = np.bincount(idx, minlength=bins)
    mean_conf = np.bincount(idx, weights=conf, minlength=bins)
    obs = np.bincount(idx, weights=hit, minlength=bins)
    nz = cnt > 0
    ece = float(np.sum(np.abs(obs[nz] - mean_conf[nz])) / n)
    mce = float(np.max(np.abs(obs[nz] / cnt[nz] - mean_conf[nz] / cnt[nz]))) if nz.any() else None
    bss = 1 - brier / ref if ref > 0 else None
    values.update(brier=brier, brier_reference=ref, brier_skill=bss, ece=ece, max_calibration_error=mce)
    rows = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        rows.append([f"{lo:.1f}–{hi:.1f}", int(cnt[b]),
                     float(mean_conf[b] / cnt[b]) if cnt[b] else None, float(obs[b] / cnt[b]) if cnt[b] else None])
    values["tables"] = [table("Reliability by probability bin", ["bin", "rows", "mean predicted", what], rows)]
    values["charts"] = [line_chart("Reliability diagram", x_label, what,
                                   {"model": [[float(mean_conf[b] / cnt[b]), float(obs[b] / cnt[b])] for b in range(bins) if cnt[b]]},
                                   reference_line=[[0, 0], [1, 1]])]
    small = int(np.sum((cnt > 0) & (cnt < 30)))
    if small:
        values["notes"].append(f"{small} bin(s) hold fewer than 30 rows; their observed shares are noisy.")
    if bss is not None and bss <= 0:
        return Outcome(S.FAIL, values, f"Brier score {brier:.4f} is no better than predicting the base rate ({ref:.4f})")
    if ece > p["max_ece_fail"]:
        return Outcome(S.FAIL, values, f"expected calibration error {ece:.4f} above {p['max_ece_fail']:g}")
    if ece > p["max_ece_warn"]:
        return Outcome(S.WARN, values, f"expected calibration error {ece:.4f} above {p['max_ece_warn']:g}")
    return Outcome(S.PASS, values, f"expected calibration error {ece:.4f}, Brier {brier:.4f}")


def check_champion(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``performance.champion``: candidate and champion on the same data; fail when the
    primary metric drops by more than ``max_drop``.  Skipped without a champion or when
    the candidate is the champion."""
    metric = ctx.primary
    lbl = METRIC_LABELS[metric]
    champ = ctx.inp.champion
    if champ is None:
        return Outcome(S.SKIPPED, {"primary_metric": metric}, "no champion to compare with")
    champ_est, champ_ver = champ
    if _same(champ_ver, ctx.version):
        return Outcome(S.SKIPPED, {"primary_metric": metric, "champion_version": champ_ver.version},
                       "this version is the champion")
    values: dict[str, Any] = {"primary_metric": metric, "champion_version": champ_ver.version}
    cand = ctx.scores(ctx.estimator, ctx.version)
    if cand.error:
        return Outcome(S.ERROR, values, cand.error)
    ctx.check()
    ch = ctx.scores(champ_est, champ_ver)
    if ch.error:
        return Outcome(S.ERROR, values, f"champion version {champ_ver.version}: {ch.error}")
    rows = [[METRIC_LABELS.get(m, m), cand.metrics.get(m), ch.metrics.get(m),
             None if cand.metrics.get(m) is None or ch.metrics.get(m) is None else cand.metrics[m] - ch.metrics[m]]
            for m in cand.metrics]
    values["tables"] = [table(f"Candidate v{ctx.version.version} against champion v{champ_ver.version}",
                              ["metric", "candidate", "champion", "difference"], rows)]
    c, h = cand.metrics.get(metric), ch.metrics.get(metric)
    values.update(candidate=c, champion=h)
    if c is None or h is None:
        values["delta"] = None
        who = "candidate" if c is None else f"champion version {champ_ver.version}"
        note = (cand if c is None else ch).notes.get(metric, "unknown reason")
        return Outcome(S.ERROR, values, f"{lbl} of the {who} could not be computed: {note}")
    delta = c - h
    values["delta"] = delta
    if delta < -p["max_drop"]:
        return Outcome(S.FAIL, values, f"{lbl} {fmt(c)} is {-delta:.4f} below champion version {champ_ver.version} "
                                       f"({fmt(h)}); the maximum drop is {p['max_drop']:g}")
    return Outcome(S.PASS, values, f"{lbl} {fmt(c)} vs champion version {champ_ver.version} {fmt(h)} "
                                   f"(difference {delta:+.4f}, maximum drop {p['max_drop']:g})")


def check_history(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``performance.history``: every earlier version (``SuiteInput.history``) scored on
    the same data.  Fail: the candidate's primary metric is more than
    ``max_cumulative_drop`` below the best earlier version.  Warn: the metric fell at each
    of the last ``declining_versions`` steps (slow degradation)."""
    metric = ctx.primary
    lbl = METRIC_LABELS[metric]
    hist = [(e, v) for e, v in ctx.inp.history if not _same(v, ctx.version)]
    if not hist:
        return Outcome(S.SKIPPED, {"primary_metric": metric}, "no earlier version with an artifact to compare with")
    cand = ctx.scores(ctx.estimator, ctx.version)
    values: dict[str, Any] = {"primary_metric": metric, "notes": []}
    if cand.error or cand.metrics.get(metric) is None:
        return Outcome(S.ERROR, values, f"candidate: {cand.error or cand.notes.get(metric, 'metric not computable')}")
    rows, pts = [], []
    for est, ver in sorted(hist, key=lambda ev: ev[1].version):
        ctx.check()
        s = ctx.scores(est, ver)
        val = None if s.error else s.metrics.get(metric)
        rows.append([ver.version, val, s.error or s.notes.get(metric)])
        if val is not None:
            pts.append([ver.version, val])
    c = cand.metrics[metric]
    rows.append([ctx.version.version, c, "candidate"])
    pts.append([ctx.version.version, c])
    values["tables"] = [table(f"{lbl} of each version on the same data", ["version", lbl, "note"], rows)]
    values["charts"] = [line_chart(f"{lbl} by version (same data)", "version", lbl, {lbl: pts})]
    earlier = [v for _, v in pts[:-1]]
    values["n_versions_compared"] = len(earlier)
    values["candidate"] = c
    if not earlier:
        return Outcome(S.ERROR, values, "no earlier version could be scored on this data (see the table)")
    best = max(earlier)
    best_v = next(ver for ver, v in pts[:-1] if v == best)
    values.update(best_earlier=best, best_earlier_version=best_v, drop_from_best=best - c)
    if best - c > p["max_cumulative_drop"]:
        return Outcome(S.FAIL, values, f"{lbl} {c:.4f} is {best - c:.4f} below the best earlier version "
                                       f"v{best_v} ({best:.4f}); the maximum cumulative drop is {p['max_cumulative_drop']:g}")
    k = int(p["declining_versions"])
    last = [v for _, v in pts][-(k + 1):]
    if len(last) == k + 1 and all(b < a for a, b in zip(last, last[1:])):
        return Outcome(S.WARN, values, f"{lbl} fell at each of the last {k} versions ({' → '.join(f'{v:.4f}' for v in last)})")
    return Outcome(S.PASS, values, f"{lbl} {c:.4f}; best earlier version v{best_v} {best:.4f}")
