"""Model checks of the validation suite: simple-model baseline (``baseline``),
permutation importance and proxies (``importance``), refit reproducibility
(``reproducibility``), stress and resource use (``robustness``).  No Qt, no SQL."""

from __future__ import annotations

import time
import tracemalloc
import warnings
from typing import Any, Optional

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from console.domain.models import CheckStatus, TaskType
from console.validation._shared import (
    METRIC_LABELS, Ctx, Outcome, bar_chart, classification_metrics, is_numeric, listing,
    predict_all, regression_metrics, subsample_index, table,
)

S = CheckStatus

_LINEAR = {"LogisticRegression", "LinearRegression", "Ridge", "Lasso", "ElasticNet", "SGDClassifier",
           "SGDRegressor", "RidgeClassifier", "LogisticRegressionCV", "RidgeCV", "LassoCV"}


def _final_step(est: Any) -> Any:
    steps = getattr(est, "steps", None)
    return steps[-1][1] if steps else est


# --------------------------------------------------------------------------- baseline


def _simple_pipeline(X: pd.DataFrame, model: Any) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    num = [c for c in X.columns if is_numeric(X[c])]
    cat = [c for c in X.columns if c not in num]
    parts = []
    if num:
        parts.append(("num", Pipeline([("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                                       ("scale", StandardScaler())]), num))
    if cat:
        parts.append(("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=5, sparse_output=True), cat))
    return Pipeline([("pre", ColumnTransformer(parts, remainder="drop")), ("model", model)])


def _as_simple_frame(X: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as strings with missing -> "(missing)" (one-hot ready)."""
    out = {}
    for c in X.columns:
        s = X[c]
        if is_numeric(s):
            v = np.array(s.to_numpy(dtype="float64", na_value=np.nan), dtype="float64", copy=True)
            v[~np.isfinite(v)] = np.nan
            out[c] = v
        else:
            out[c] = s.astype(object).where(s.notna(), "(missing)").astype(str).to_numpy()
    return pd.DataFrame(out, index=X.index)


def check_baseline(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``baseline.simple_model``: fits, on the recorded training data (at most
    ``max_train_rows`` rows, random sample), a dummy (``DummyClassifier(strategy="prior")``
    / ``DummyRegressor()``) and a linear model (``LogisticRegression`` /
    ``LinearRegression``, one-hot + standardised inputs), scores them on the validation
    data and compares primary metrics.  Fail: the candidate does not beat the dummy by
    ``margin``, or (unless it is itself a linear model) the linear model by ``margin``;
    a linear candidate more than ``margin`` below the plain linear model also fails."""
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.linear_model import LinearRegression, LogisticRegression

    Xtr, ytr, why = ctx.training_Xy()
    if why:
        return Outcome(S.SKIPPED, {}, why)
    metric = ctx.primary
    lbl = METRIC_LABELS[metric]
    cand = ctx.scores(ctx.estimator, ctx.version)
    if cand.error or cand.metrics.get(metric) is None:
        return Outcome(S.ERROR, {}, f"candidate: {cand.error or cand.notes.get(metric, 'metric not computable')}")
    values: dict[str, Any] = {"primary_metric": metric, "notes": []}
    if len(Xtr) > p["max_train_rows"]:
        idx = subsample_index(len(Xtr), int(p["max_train_rows"]), 0)
        Xtr, ytr = Xtr.iloc[idx], ytr.iloc[idx]
        values["notes"].append(f"The simple models were fitted on a random sample of {len(Xtr)} training rows.")
    values["n_train_rows"] = len(Xtr)
    Xs, Xe = _as_simple_frame(Xtr), _as_simple_frame(ctx.X)
    if ctx.task is TaskType.CLASSIFICATION:
        models = {"dummy (class prior)": DummyClassifier(strategy="prior"),
                  "logistic regression": LogisticRegression(solver="newton-cholesky", max_iter=200)}
    else:
        models = {"dummy (mean)": DummyRegressor(), "linear regression": LinearRegression()}
    rows = [["candidate", cand.metrics[metric]]]
    scores: dict[str, Optional[float]] = {}
    for name, model in models.items():
        ctx.check()
        pipe = _simple_pipeline(Xs, model)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pipe.fit(Xs, ytr if ctx.task is TaskType.CLASSIFICATION else ytr.astype("float64"))
        except Exception as exc:
            scores[name] = None
            rows.append([name, None])
            values["notes"].append(f"{name} could not be fitted: {type(exc).__name__}: {exc}")
            continue
        pr = predict_all(pipe, Xe, ctx.task)
        if pr.error:
            s_val = None
        elif ctx.task is TaskType.CLASSIFICATION:
            codes = pd.Index(pipe.classes_).get_indexer(ctx.y)
            if (codes < 0).any() or len(pipe.classes_) < 2:
                s_val = None
                values["notes"].append(f"{name}: the training data lacks some validation classes")
            else:
                s_val = classification_metrics(codes, pr, list(pipe.classes_), ctx.target).metrics.get(metric)
        else:
            s_val = regression_metrics(ctx.y.to_numpy(dtype="float64"), pr).metrics.get(metric)
        if ctx.task is TaskType.CLASSIFICATION and name.startswith("dummy") and s_val is None:
            s_val = 0.5  # a constant score has ROC AUC 0.5 by definition
        scores[name] = s_val
        rows.append([name, s_val])
    c = cand.metrics[metric]
    dummy_name, linear_name = list(models)
    d, lin = scores.get(dummy_name), scores.get(linear_name)
    values.update(candidate=c, dummy=d, simple_model=lin,
                  margin_over_dummy=None if d is None else c - d,
                  margin_over_simple_model=None if lin is None else c - lin)
    values["tables"] = [table(f"{lbl} on the validation data", ["model", lbl], rows)]
    values["charts"] = [bar_chart(f"{lbl}: candidate against simple models", "model", lbl,
                                  {lbl: [[r[0], r[1]] for r in rows if r[1] is not None]})]
    margin = float(p["margin"])
    if d is not None and c - d < margin:
        return Outcome(S.FAIL, values, f"{lbl} {c:.4f} does not beat the {dummy_name} ({d:.4f}) by {margin:g}")
    cand_linear = type(_final_step(ctx.estimator)).__name__ in _LINEAR
    if cand_linear:
        values["notes"].append("The candidate is itself a linear model; the linear baseline is shown for reference only.")
    if lin is None:
        return Outcome(S.WARN if not cand_linear else S.PASS, values,
                       f"the {linear_name} could not be scored; the candidate beats the {dummy_name}")
    if c - lin < margin and not cand_linear:
        return Outcome(S.FAIL, values, f"{lbl} {c:.4f} does not beat a {linear_name} ({lin:.4f}) by {margin:g}: "
                                       "the extra complexity buys no measurable performance")
    if cand_linear and c - lin < -margin:
        return Outcome(S.FAIL, values, f"{lbl} {c:.4f} is below a plain {linear_name} ({lin:.4f}) fitted on the "
                                       "same data; check the candidate's training")
    return Outcome(S.PASS, values, f"{lbl} {c:.4f} against {linear_name} {lin:.4f} and {dummy_name} "
                                   f"{'n/a' if d is None else f'{d:.4f}'}")


# --------------------------------------------------------------------------- importance


def _codes(s: pd.Series, bins: int = 5, max_levels: int = 50) -> np.ndarray:
    """Integer codes of a column for contingency tables: numeric columns with more than
    10 distinct values in ``bins`` quantile bins; missing values their own level; at most
    ``max_levels`` levels (the rest pooled)."""
    if is_numeric(s) and s.nunique(dropna=True) > 10:
        v = pd.qcut(s.astype("float64"), q=bins, duplicates="drop")
        codes = v.cat.codes.to_numpy().astype(np.int64)
    else:
        codes = pd.factorize(s.astype(object), use_na_sentinel=True)[0].astype(np.int64)
    codes = np.where(codes < 0, codes.max(initial=-1) + 1, codes)
    if codes.max(initial=0) >= max_levels:
        counts = np.bincount(codes)
        keep = np.argsort(-counts)[: max_levels - 1]
        remap = np.full(len(counts), max_levels - 1)
        remap[keep] = np.arange(len(keep))
        codes = remap[codes]
    return codes


def cramers_v(a: np.ndarray, b: np.ndarray) -> Optional[float]:
    """Bias-corrected Cramér's V of two integer-coded columns (Bergsma, Journal of the
    Korean Statistical Society 42:323-328, 2013); chi² from
    :func:`scipy.stats.chi2_contingency` (no continuity correction).  ``None`` when a
    column is constant."""
    ka, kb = int(a.max()) + 1, int(b.max()) + 1
    tab = np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb).astype(float)
    tab = tab[tab.sum(axis=1) > 0][:, tab.sum(axis=0) > 0]
    r, k = tab.shape
    n = tab.sum()
    if r < 2 or k < 2 or n < 3:
        return None
    chi2 = chi2_contingency(tab, correction=False)[0]
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    kc, rc = k - (k - 1) ** 2 / (n - 1), r - (r - 1) ** 2 / (n - 1)
    den = min(kc - 1, rc - 1)
    return float(np.sqrt(phi2 / den)) if den > 0 else None


def _scorer(ctx: Ctx):
    from sklearn import metrics as skm

    task, classes = ctx.task, ctx.classes

    def score(est: Any, X: pd.DataFrame, y: Any) -> float:
        ctx.check()  # cancel is polled at every permutation
        if task is TaskType.REGRESSION:
            return skm.r2_score(y, est.predict(X))
        if len(classes) == 2:
            pos = (np.asarray(y) == classes[1]).astype(int)
            if hasattr(est, "predict_proba"):
                return skm.roc_auc_score(pos, est.predict_proba(X)[:, 1])
            if hasattr(est, "decision_function"):
                return skm.roc_auc_score(pos, est.decision_function(X))
        elif hasattr(est, "predict_proba"):
            return skm.roc_auc_score(pd.Index(classes).get_indexer(y), est.predict_proba(X), multi_class="ovr",
                                     labels=list(range(len(classes))))
        return skm.accuracy_score(y, est.predict(X))

    if task is TaskType.REGRESSION:
        score.metric = "r2"
    elif (len(classes) == 2 and (hasattr(ctx.estimator, "predict_proba") or hasattr(ctx.estimator, "decision_function"))) \
            or (len(classes) > 2 and hasattr(ctx.estimator, "predict_proba")):
        score.metric = "roc_auc"
    else:
        score.metric = "accuracy"
    return score


def check_importance(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``importance.permutation``: :func:`sklearn.inspection.permutation_importance` of
    the primary metric (ROC AUC / R²; accuracy without scores) on at most ``max_rows``
    validation rows and ``n_repeats`` shuffles per feature, both reduced so that at most
    ``max_row_evaluations`` rows are predicted in all (deterministic, said in the notes).  A feature whose mean importance minus
    two standard deviations is ≤ 0 has no measurable importance and is listed for
    removal.  Protected attributes used as features fail; features associated with a
    protected attribute by bias-corrected Cramér's V ≥ ``proxy_threshold`` warn."""
    from sklearn.inspection import permutation_importance

    feats = ctx.features
    prot = [a for a in ctx.inp.protected_attributes]
    prot_used = [a for a in prot if a in feats]
    values: dict[str, Any] = {"notes": [], "protected_features": prot_used}
    preds = ctx.preds(ctx.estimator, ctx.version)
    if preds.error:
        return Outcome(S.ERROR, values, preds.error)
    n = len(ctx.eval)
    if n < 20:
        return Outcome(S.SKIPPED, values, f"only {n} labelled row(s); permutation importance needs at least 20")
    if ctx.task is TaskType.CLASSIFICATION and len(np.unique(ctx.y_code)) < 2:
        return Outcome(S.SKIPPED, values, "the validation data holds a single class; importance by ROC AUC is undefined")
    X, y = ctx.X, ctx.y
    idx = subsample_index(n, int(p["max_rows"]), int(p["random_state"]))
    Xs, ys = X.iloc[idx], y.iloc[idx]
    score = _scorer(ctx)
    # A deterministic budget (so a re-run reproduces the result): at most
    # ``max_row_evaluations`` predicted rows over the 1 + features x repeats scorer calls;
    # shuffles go down to 3 before the rows go below 1,000.
    repeats = int(p["n_repeats"])
    budget = int(p["max_row_evaluations"])
    n_feat = max(len(feats), 1)

    def rows_for(reps: int) -> int:
        return int(min(len(Xs), budget // (1 + n_feat * reps)))

    repeats_fit = repeats
    while repeats_fit > 3 and rows_for(repeats_fit) < min(1000, len(Xs)):
        repeats_fit -= 1
    rows_fit = max(min(len(Xs), 200), rows_for(repeats_fit))
    if rows_fit < len(Xs):
        j = subsample_index(len(Xs), rows_fit, int(p["random_state"]) + 1)
        Xs, ys = Xs.iloc[j], ys.iloc[j]
    if repeats_fit != repeats:
        values["notes"].append(f"Shuffles per feature reduced from {repeats} to {repeats_fit} to stay within "
                               f"{budget:,} predicted rows.")
    repeats = repeats_fit
    if len(Xs) < n:
        values["notes"].append(f"Permutation importance on a random sample of {len(Xs)} of {n} validation rows.")
    values.update(n_rows_used=len(Xs), n_repeats_used=repeats, scoring=score.metric)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = permutation_importance(ctx.estimator, Xs, ys, scoring=score, n_repeats=repeats,
                                   random_state=int(p["random_state"]), n_jobs=None)
    mean, std = r.importances_mean, r.importances_std
    unimportant = [f for f, m, s in zip(feats, mean, std) if m - 2 * s <= 0]
    values["no_measurable_importance"] = unimportant

    # proxies of protected attributes (on at most 5,000 rows of the validation data)
    present = [a for a in prot if a in ctx.data.columns]
    proxies: list[list[Any]] = []
    sample = ctx.data.iloc[subsample_index(len(ctx.data), 5000, int(p["random_state"]))]
    codes_cache: dict[Any, np.ndarray] = {}

    def codes(c: Any) -> np.ndarray:
        if c not in codes_cache:
            codes_cache[c] = _codes(sample[c])
        return codes_cache[c]

    proxy_feats: dict[Any, tuple[str, float]] = {}
    for a in present:
        ctx.check()
        for f in feats:
            if f == a or f in prot or f not in sample.columns:
                continue
            v = cramers_v(codes(f), codes(a))
            if v is not None and v >= p["proxy_threshold"]:
                proxies.append([str(f), str(a), round(v, 4)])
                if f not in proxy_feats or v > proxy_feats[f][1]:
                    proxy_feats[f] = (str(a), v)
    values["proxy_features"] = [{"feature": f, "protected_attribute": a, "cramers_v": v} for f, a, v in proxies]
    absent = [a for a in prot if a not in ctx.data.columns]
    if absent:
        values["notes"].append(f"Protected attribute(s) not in the data, so proxies were not measured: {listing(absent)}.")

    order = np.argsort(-mean)
    rows = []
    for i in order:
        f = feats[i]
        flags = []
        if f in prot_used:
            flags.append("protected attribute")
        if f in proxy_feats:
            flags.append(f"proxy of {proxy_feats[f][0]} (V={proxy_feats[f][1]:.2f})")
        if f in unimportant:
            flags.append("no measurable importance: candidate for removal")
        rows.append([str(f), float(mean[i]), float(std[i]), "; ".join(flags) or None])
    values["tables"] = [table("Permutation importance (drop in the score when the feature is shuffled)",
                              ["feature", "mean importance", "std", "flags"], rows, note_to=values["notes"])]
    if proxies:
        values["tables"].append(table("Features associated with protected attributes (bias-corrected Cramér's V)",
                                      ["feature", "protected attribute", "Cramér's V"], proxies))
    values["charts"] = [bar_chart("Permutation importance", "feature", f"mean drop in {values['scoring']}",
                                  {"importance": [[str(feats[i]), float(mean[i])] for i in order[:30]]})]
    reasons = []
    status = S.PASS
    if prot_used:
        status = S.FAIL if str(p.get("protected_use", "fail")) == "fail" else S.WARN
        reasons.append(f"protected attribute(s) used as model features: {listing(prot_used)}")
    if proxy_feats:
        status = status if status is S.FAIL else S.WARN
        reasons.append(f"feature(s) closely associated with a protected attribute (possible proxies): "
                       f"{listing(list(proxy_feats))}")
    if unimportant:
        values["notes"].append(f"{len(unimportant)} feature(s) with no measurable importance could be removed: "
                               f"{listing(unimportant)}.")
    if not reasons:
        reasons.append(f"{len(feats) - len(unimportant)} of {len(feats)} features have measurable importance; "
                       "no protected attribute or proxy used")
    return Outcome(status, values, "; ".join(reasons))


# --------------------------------------------------------------------------- reproducibility


def check_refit(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``reproducibility.refit``: ``sklearn.base.clone`` of the estimator (same
    parameters, including every ``random_state``) refitted on the recorded training data;
    predictions on at most ``max_rows`` validation rows compared with the registered
    model's.  Pass: probabilities (or regression predictions) equal within ``tolerance``
    (absolute; relative to ``max(1, |prediction|)`` for regression) and every label equal.
    Warn: label agreement ≥ ``min_label_agreement``.  Fail: otherwise."""
    from sklearn.base import clone

    Xtr, ytr, why = ctx.training_Xy()
    if why:
        return Outcome(S.SKIPPED, {}, why + "; the model cannot be refitted")
    preds = ctx.preds(ctx.estimator, ctx.version)
    if preds.error:
        return Outcome(S.ERROR, {}, preds.error)
    try:
        twin = clone(ctx.estimator)
    except Exception as exc:
        return Outcome(S.ERROR, {}, f"the model cannot be cloned for a refit ({type(exc).__name__}: {exc}); "
                                    "it is not a scikit-learn compatible estimator")
    values: dict[str, Any] = {"n_train_rows": len(Xtr), "notes": []}
    try:
        params = twin.get_params(deep=True)
    except Exception:
        params = {}
    unseeded = sorted(k for k, v in params.items() if k.endswith("random_state") and v is None)
    values["unseeded_random_state"] = unseeded
    if unseeded:
        values["notes"].append(f"random_state is not set for {listing(unseeded)}; harmless for deterministic "
                               "algorithms, otherwise refits differ by design.")
    ctx.check()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        twin.fit(Xtr, ytr)
    ctx.check()
    idx = subsample_index(len(ctx.eval), int(p["max_rows"]), 0)
    Xs = ctx.X.iloc[idx]
    if len(idx) < len(ctx.eval):
        values["notes"].append(f"Predictions compared on a random sample of {len(idx)} of {len(ctx.eval)} rows.")
    mine = predict_all(twin, Xs, ctx.task)
    if mine.error:
        return Outcome(S.FAIL, values, f"the refitted model cannot predict: {mine.error}")
    tol = float(p["tolerance"])
    if ctx.task is TaskType.CLASSIFICATION:
        orig_labels = np.asarray(preds.pred)[idx]
        agree = float(np.mean(np.asarray(mine.pred).astype(str) == orig_labels.astype(str)))
        values["label_agreement"] = agree
        a = preds.proba[idx] if preds.proba is not None else (preds.score[idx] if preds.score is not None else None)
        b = mine.proba if mine.proba is not None else mine.score
        if a is not None and b is not None and np.shape(a) == np.shape(b):
            diff = float(np.max(np.abs(a - b))) if len(a) else 0.0
            values["max_abs_difference"] = diff
            what = "probabilities" if preds.proba is not None else "decision scores"
        else:
            diff = 0.0 if agree == 1.0 else 1.0
            values["max_abs_difference"] = None
            what = "labels"
    else:
        a, b = preds.pred[idx], mine.pred
        rel = np.abs(a - b) / np.maximum(1.0, np.abs(a))
        diff = float(rel.max()) if len(rel) else 0.0
        values["max_relative_difference"] = diff
        agree = float(np.mean(rel <= tol)) if len(rel) else 1.0
        values["share_within_tolerance"] = agree
        what = "predictions"
    names = {"label_agreement": "share of identical predicted labels",
             "share_within_tolerance": "share of predictions within the tolerance",
             "max_abs_difference": f"largest absolute difference of the {what}",
             "max_relative_difference": "largest relative difference of the predictions"}
    values["tables"] = [table("Registered model against its refit", ["measure", "value"],
                              [[text, values[k]] for k, text in names.items() if k in values])]
    if diff <= tol and agree == 1.0:
        return Outcome(S.PASS, values, f"the refit reproduces the {what} (max difference {diff:.2g} ≤ {tol:g})")
    if agree >= p["min_label_agreement"]:
        return Outcome(S.WARN, values, f"the refit's {what} differ by up to {diff:.3g} (tolerance {tol:g}); "
                                       f"{agree:.2%} of predictions agree")
    return Outcome(S.FAIL, values, f"the refit does not reproduce the model: only {agree:.2%} of predictions agree "
                                   f"(max difference {diff:.3g})")


# --------------------------------------------------------------------------- robustness


def _random_rows(src: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Valid random rows: numeric columns uniform on the observed [min, max] (integers
    stay integers), other columns drawn from the observed categories by frequency."""
    out = {}
    for c in src.columns:
        s = src[c]
        if is_numeric(s):
            v = s.to_numpy(dtype="float64", na_value=np.nan)
            v = v[np.isfinite(v)]
            if v.size == 0:
                out[c] = pd.Series(np.full(n, np.nan)).astype(s.dtype, errors="ignore")
                continue
            x = rng.uniform(v.min(), v.max(), n)
            if pd.api.types.is_integer_dtype(s.dtype):
                x = np.round(x)
            out[c] = pd.Series(x).astype(s.dtype if not pd.api.types.is_extension_array_dtype(s.dtype) else "float64")
        else:
            vc = s.dropna().value_counts(normalize=True)
            if len(vc) == 0:
                out[c] = pd.Series([None] * n, dtype=s.dtype)
                continue
            out[c] = pd.Series(rng.choice(vc.index.to_numpy(dtype=object), size=n, p=vc.to_numpy()), dtype=s.dtype)
    return pd.DataFrame(out)[list(src.columns)]


def _perturbed(X: pd.DataFrame, scale: float, rng: np.random.Generator, ref: pd.DataFrame) -> pd.DataFrame:
    Y = X.copy()
    for c in X.columns:
        s = X[c]
        if is_numeric(s) and c in ref.columns and is_numeric(ref[c]):
            r = ref[c].to_numpy(dtype="float64", na_value=np.nan)
            sd = float(np.nanstd(r)) if np.isfinite(r).any() else 0.0
            if sd == 0:
                continue
            v = s.to_numpy(dtype="float64", na_value=np.nan) + rng.normal(0, scale * sd, len(s))
            if pd.api.types.is_integer_dtype(s.dtype) and not pd.api.types.is_extension_array_dtype(s.dtype):
                v = np.round(np.nan_to_num(v, nan=0.0))
            Y[c] = pd.Series(v, index=s.index).astype(s.dtype if not pd.api.types.is_extension_array_dtype(s.dtype) else "float64")
    return Y


def _outputs_ok(p: Any, task: TaskType) -> Optional[str]:
    if p.error:
        return p.error
    if task is TaskType.CLASSIFICATION and p.proba is not None:
        if not np.all(np.isfinite(p.proba)):
            return "predict_proba returned NaN/infinite values"
        if np.any(np.abs(p.proba.sum(axis=1) - 1) > 1e-6) or np.any(p.proba < -1e-9) or np.any(p.proba > 1 + 1e-9):
            return "predict_proba returned rows that are not probability distributions"
    return None


def check_stress(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``robustness.stress``: ``n_random`` random valid rows (uniform on each numeric
    feature's observed range, categories by observed frequency; statistics from the
    training data, else the validation data) and ``n_perturbed`` validation rows with
    Gaussian noise of ``noise_scale``·std on numeric features.  Fail: prediction raises or
    returns non-finite / invalid probabilities.  Warn: share of changed labels under
    noise above ``max_flip_share``; batch latency per row above
    ``max_latency_ms_per_row``; peak traced memory (``tracemalloc``) above
    ``max_peak_memory_mb``."""
    feats = ctx.features
    if not feats:
        return Outcome(S.SKIPPED, {}, "the model names no features (see data.schema)")
    Xtr, _, why = ctx.training_Xy()
    values: dict[str, Any] = {"notes": []}
    if Xtr is None:
        if any(c not in ctx.data.columns for c in feats) or len(ctx.data) == 0:
            return Outcome(S.SKIPPED, values, f"{why}, and the validation data lacks features")
        src = ctx.data[feats]
        values["notes"].append("No training data recorded: random rows drawn from validation-data statistics.")
    else:
        src = Xtr
    rng = np.random.default_rng(int(p["random_state"]))
    est = ctx.estimator
    fails: list[str] = []
    warns: list[str] = []
    ctx.check()
    rand = _random_rows(src, int(p["n_random"]), rng)
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base_mem = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    pr = predict_all(est, rand, ctx.task)
    batch = time.perf_counter() - t0
    peak = (tracemalloc.get_traced_memory()[1] - base_mem) / 2**20
    if not tracing:
        tracemalloc.stop()
    err = _outputs_ok(pr, ctx.task)
    values.update(n_random_rows=len(rand), random_rows_ok=err is None, peak_memory_mb=round(peak, 3))
    if err:
        fails.append(f"on random valid rows: {err}")
    else:
        ms = 1000 * batch / max(len(rand), 1)
        values["latency_ms_per_row_batch"] = ms
        if ms > p["max_latency_ms_per_row"]:
            warns.append(f"prediction takes {ms:.2f} ms per row (limit {p['max_latency_ms_per_row']:g})")
        singles = []
        for i in range(min(10, len(rand))):
            t = time.perf_counter()
            try:
                est.predict(rand.iloc[i:i + 1])
            except Exception:
                break
            singles.append(1000 * (time.perf_counter() - t))
        if singles:
            values["latency_ms_single_row_median"] = float(np.median(singles))
    if peak > p["max_peak_memory_mb"]:
        warns.append(f"peak memory {peak:.0f} MB while predicting {len(rand)} rows (limit {p['max_peak_memory_mb']:g} MB)")
    ctx.check()
    if len(ctx.eval) and all(c in ctx.eval.columns for c in feats):
        idx = subsample_index(len(ctx.eval), int(p["n_perturbed"]), int(p["random_state"]))
        base = ctx.X.iloc[idx]
        noisy = _perturbed(base, float(p["noise_scale"]), rng, src)
        pn = predict_all(est, noisy, ctx.task)
        err = _outputs_ok(pn, ctx.task)
        values.update(n_perturbed_rows=len(noisy), perturbed_rows_ok=err is None)
        if err:
            fails.append(f"on noise-perturbed rows: {err}")
        else:
            orig = ctx.preds(est, ctx.version)
            if not orig.error:
                if ctx.task is TaskType.CLASSIFICATION:
                    flip = float(np.mean(np.asarray(pn.pred).astype(str) != np.asarray(orig.pred)[idx].astype(str)))
                    values["flip_share"] = flip
                    if flip > p["max_flip_share"]:
                        warns.append(f"{flip:.1%} of predictions change under {p['noise_scale']:g}·std noise "
                                     f"(limit {p['max_flip_share']:.0%})")
                else:
                    y = ctx.y.to_numpy(dtype="float64")
                    scale = float(np.std(y)) or 1.0
                    values["median_change_in_std_of_target"] = float(np.median(np.abs(pn.pred - orig.pred[idx]))) / scale
    else:
        values["notes"].append("No labelled validation rows with every feature: perturbation test not run.")
    labels = {
        "n_random_rows": "random valid rows predicted", "random_rows_ok": "random rows predicted without error",
        "n_perturbed_rows": "noise-perturbed rows predicted", "perturbed_rows_ok": "perturbed rows predicted without error",
        "flip_share": "share of labels changed by the noise",
        "median_change_in_std_of_target": "median change of prediction (in target std) under noise",
        "latency_ms_per_row_batch": "latency per row in a batch (ms)",
        "latency_ms_single_row_median": "latency of a single-row call, median (ms)",
        "peak_memory_mb": "peak traced memory while predicting the batch (MB)",
    }
    rows = [[text, values[k]] for k, text in labels.items() if k in values]
    values["tables"] = [table("Stress test", ["measure", "value"], rows)]
    values["notes"].append("Latency and memory are measured on this machine and vary between runs.")
    if fails:
        return Outcome(S.FAIL, values, "; ".join(fails + warns))
    if warns:
        return Outcome(S.WARN, values, "; ".join(warns))
    return Outcome(S.PASS, values, f"predictions on {values.get('n_random_rows', 0)} random and "
                                   f"{values.get('n_perturbed_rows', 0)} perturbed rows succeeded")
