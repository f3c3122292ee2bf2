"""Validation checks of one model version on one labelled data set (no Qt, no SQL).

:func:`run_checks` is a plain long-running job (``shared/DESIGN.md``, *Layers*): it takes
a ``progress`` callback and a ``cancel`` token (:mod:`console.jobs`) and returns one
:class:`~console.domain.models.CheckResult` per check, in this order:

``data.schema`` (family ``data``)
    The data's feature columns against ``ModelVersion.training_schema``.
``performance.threshold`` (family ``performance``)
    The task's metrics; the primary metric against an absolute minimum.
``performance.champion`` (family ``performance``)
    Candidate against the champion on the same data (sudden-drop rule).

A check that cannot run gets status ``error`` (or ``skipped``) with a reason; the others
still run.  Only bad arguments to :func:`run_checks` itself (unknown threshold key,
``data`` not a DataFrame, unknown task) raise :class:`~console.errors.InputError`;
cancellation raises :class:`~console.errors.Cancelled`.  Every ``values`` dict is
JSON-safe: builtin types only, NaN/inf replaced by ``None`` and explained in
``values["metric_notes"]`` or the reason.

All checks are ``blocking=True`` for now; :func:`suite_passed` applies the CLI exit rule
of ``validate`` (DESIGN.md, *CLI contract*).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Hashable, Iterable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from console.domain.models import CheckResult, CheckStatus, ModelVersion, TaskType
from console.errors import Cancelled, InputError
from console.jobs import CancelToken, ProgressFn, checkpoint, report

__all__ = [
    "DEFAULT_THRESHOLDS",
    "PRIMARY_METRIC",
    "CHECK_IDS",
    "run_checks",
    "suite_passed",
]

#: Default thresholds, overridable per call through ``run_checks(thresholds=...)``.
#:
#: * ``min_roc_auc`` = 0.70 - Hosmer, Lemeshow & Sturdivant, *Applied Logistic
#:   Regression*, 3rd ed. (Wiley, 2013), section 5.2.4: ROC AUC 0.5 = no discrimination,
#:   0.5-0.7 poor, 0.7-0.8 "acceptable", 0.8-0.9 "excellent", >= 0.9 "outstanding".
#:   Below 0.7 a classifier does not reach acceptable discrimination.
#: * ``min_r2`` = 0.50 - a Tollgate default (no regulatory or literature standard exists
#:   for R²; the model owner should set one per use case).
#: * ``max_champion_drop`` = 0.02 - a Tollgate default: the largest absolute drop of the
#:   primary metric (ROC AUC / R²) from the champion to a candidate tolerated before the
#:   candidate is treated as a sudden performance drop.
#: * ``min_rows`` = 100 - a Tollgate default: the fewest labelled rows on which a
#:   performance threshold is judged.  Below it the standard error of ROC AUC (Hanley &
#:   McNeil, Radiology 143:29-36, 1982) is of the order of the margins being judged, so
#:   the check reports an error instead of a verdict.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "min_roc_auc": 0.70,
    "min_r2": 0.50,
    "max_champion_drop": 0.02,
    "min_rows": 100,
}

#: Primary metric per task: ROC AUC for classification, R² for regression.
PRIMARY_METRIC: dict[TaskType, str] = {
    TaskType.CLASSIFICATION: "roc_auc",
    TaskType.REGRESSION: "r2",
}

#: Check ids in run order.
CHECK_IDS: tuple[str, ...] = ("data.schema", "performance.threshold", "performance.champion")

_TITLES = {
    "data.schema": "Data matches the training schema",
    "performance.threshold": "Performance meets the minimum",
    "performance.champion": "No performance drop against the champion",
}
_FAMILIES = {
    "data.schema": "data",
    "performance.threshold": "performance",
    "performance.champion": "performance",
}
_METRIC_LABELS = {"roc_auc": "ROC AUC", "r2": "R²"}
_MAX_LISTED = 10  # at most this many labels/columns quoted in a reason


# --------------------------------------------------------------------------- helpers


def _json_safe(value: Any) -> Any:
    """Recursively convert ``value`` to builtin JSON types; NaN/±inf become ``None``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [_json_safe(v) for v in value.tolist()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _label(value: Any) -> Any:
    """A class label as a JSON-safe builtin (numpy scalars unwrapped, others str)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)


def _listing(items: Sequence[Any]) -> str:
    shown = ", ".join(repr(_label(i)) for i in items[:_MAX_LISTED])
    if len(items) > _MAX_LISTED:
        shown += f" … (+{len(items) - _MAX_LISTED} more)"
    return shown


def _dtype_kind(dtype_or_name: Any) -> Optional[str]:
    """Map a pandas dtype (or dtype name) to a compatibility kind.

    Kinds: ``numeric`` (int, uint, float, complex, bool and their nullable variants -
    scikit-learn converts all of them to floats, so int vs float vs bool is fine),
    ``categorical`` (object, str/string, category), ``datetime``, ``timedelta``;
    ``None`` when pandas does not understand the name (not compared).
    """
    try:
        dtype = pd.api.types.pandas_dtype(dtype_or_name)
    except (TypeError, ValueError):
        return None
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return "categorical"
    return None


def _finite_or_none(x: Any) -> Optional[float]:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _fmt(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x:.4f}"


def _resolve_thresholds(thresholds: Optional[Mapping[str, Any]]) -> dict[str, float]:
    resolved = dict(DEFAULT_THRESHOLDS)
    for key, raw in (thresholds or {}).items():
        if key not in DEFAULT_THRESHOLDS:
            raise InputError(
                f"Unknown validation threshold {key!r}; known thresholds: "
                f"{', '.join(sorted(DEFAULT_THRESHOLDS))}."
            )
        value = _finite_or_none(raw) if not isinstance(raw, bool) else None
        if value is None:
            raise InputError(
                f"Validation threshold {key!r} must be a finite number, got {raw!r}."
            )
        if key == "min_roc_auc" and not 0.0 <= value <= 1.0:
            raise InputError(f"Validation threshold 'min_roc_auc' must be in [0, 1], got {value}.")
        if key == "max_champion_drop" and value < 0:
            raise InputError(
                f"Validation threshold 'max_champion_drop' must be >= 0, got {value}."
            )
        resolved[key] = value
    return resolved


def _same_version(a: ModelVersion, b: ModelVersion) -> bool:
    """Same model version = same registered model and same version number."""
    return a.model_id == b.model_id and a.version == b.version


# --------------------------------------------------------------------------- context


@dataclass
class _Scores:
    """Metrics of one estimator on the data, or why they could not be computed."""

    metrics: dict[str, Optional[float]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    error: Optional[str] = None


@dataclass
class _Context:
    data: pd.DataFrame
    target: Hashable
    task: TaskType
    thresholds: dict[str, float]
    cache: dict[tuple[int, tuple[str, ...]], _Scores] = field(default_factory=dict)


def _feature_columns(estimator: Any, version: ModelVersion, target: Hashable) -> list[Any]:
    """Columns the estimator needs, in the order it was fitted with.

    ``estimator.feature_names_in_`` (scikit-learn, set when fitted on a DataFrame) gives
    the order; columns of ``version.training_schema`` it does not name follow.  The target
    is never a feature.
    """
    cols: list[Any] = []
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        cols.extend(n.item() if isinstance(n, np.generic) else n for n in names)
    for c in version.training_schema or {}:
        if c not in cols:
            cols.append(c)
    return [c for c in cols if c != target]


def _target_problems(ctx: _Context) -> tuple[Optional[str], pd.Series]:
    """(reason the target is unusable or None, boolean mask of rows with a valid target)."""
    data, target = ctx.data, ctx.target
    if target not in data.columns:
        return (
            f"target column {target!r} is missing from the data; pass the column holding "
            "the true labels",
            pd.Series(False, index=data.index),
        )
    y = data[target]
    if isinstance(y, pd.DataFrame):
        return (f"target column {target!r} appears more than once", pd.Series(False, index=data.index))
    valid = y.notna()
    if pd.api.types.is_numeric_dtype(y.dtype) and not pd.api.types.is_bool_dtype(y.dtype):
        with np.errstate(invalid="ignore"):
            valid &= np.isfinite(y.to_numpy(dtype="float64", na_value=np.nan))
    if ctx.task is TaskType.REGRESSION and not (
        pd.api.types.is_numeric_dtype(y.dtype) and not pd.api.types.is_bool_dtype(y.dtype)
    ):
        return (
            f"target column {target!r} has dtype {y.dtype} but a regression target must be "
            "numeric; convert it to numbers",
            valid,
        )
    return None, valid


def _scores(ctx: _Context, estimator: Any, features: list[Any]) -> _Scores:
    key = (id(estimator), tuple(map(repr, features)))
    if key not in ctx.cache:
        ctx.cache[key] = _compute_scores(ctx, estimator, features)
    return ctx.cache[key]


def _compute_scores(ctx: _Context, estimator: Any, features: list[Any]) -> _Scores:
    data = ctx.data
    missing = [c for c in features if c not in data.columns]
    if missing:
        return _Scores(error=f"cannot predict: missing columns {_listing(missing)}")
    if len(data) == 0:
        return _Scores(error="cannot predict: the data has no rows")
    problem, valid = _target_problems(ctx)
    if problem:
        return _Scores(error=f"cannot score: {problem}")
    n_valid = int(valid.sum())
    if n_valid == 0:
        return _Scores(error=f"cannot score: every value of target column {ctx.target!r} is missing or infinite")
    X = data.loc[valid.to_numpy(), features] if features else data.loc[valid.to_numpy()].drop(columns=[ctx.target])
    y = data.loc[valid.to_numpy(), ctx.target]
    extra: dict[str, Any] = {"n_rows": n_valid}
    if n_valid < len(data):
        extra["n_rows_excluded"] = len(data) - n_valid
    if ctx.task is TaskType.CLASSIFICATION:
        s = _classification_scores(estimator, X, y, ctx.target)
    else:
        s = _regression_scores(estimator, X, y)
    s.extra = {**extra, **s.extra}
    return s


#: Rows per prediction call.  Pipelines with dense one-hot encoding expand every row to
#: all categories; predicting in slices bounds that memory (a 2.6 M-row file took 4.3 GB
#: peak in one call) at no cost in speed.
PREDICT_BATCH_ROWS = 100_000


def _batched(fn: Callable[[Any], Any], X: pd.DataFrame) -> np.ndarray:
    """``fn(X)`` applied to slices of ``PREDICT_BATCH_ROWS`` rows, concatenated."""
    n = len(X)
    if n <= PREDICT_BATCH_ROWS:
        return np.asarray(fn(X))
    parts = [np.asarray(fn(X.iloc[i:i + PREDICT_BATCH_ROWS])) for i in range(0, n, PREDICT_BATCH_ROWS)]
    return np.concatenate(parts, axis=0)


def _predict_error(exc: Exception, what: str) -> str:
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    if len(text) > 300:
        text = text[:300] + "…"
    hint = (
        "the data has missing or infinite values in features the model cannot handle; "
        "clean or impute them"
        if "nan" in text.lower() or "infinity" in text.lower()
        else "check the data.schema result for dtype mismatches"
    )
    return f"the model failed to {what}: {type(exc).__name__}: {text}; {hint}"


def _metric(fn: Callable[[], float], name: str, s: _Scores) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = _finite_or_none(fn())
    except Exception as exc:  # metric undefined on this data (e.g. one class only)
        s.metrics[name] = None
        s.notes[name] = f"{type(exc).__name__}: {exc}"
        return
    s.metrics[name] = value
    if value is None:
        s.notes[name] = "undefined on this data (NaN or infinite)"


def _classification_scores(estimator: Any, X: pd.DataFrame, y: pd.Series, target: Hashable) -> _Scores:
    """Accuracy, balanced accuracy, ROC AUC, log loss, F1 and (binary) Brier score.

    Labels are matched to ``estimator.classes_``; for two classes the positive label is
    ``classes_[1]`` (scikit-learn's convention for ``predict_proba[:, 1]``).  ROC AUC is
    :func:`sklearn.metrics.roc_auc_score` (multiclass: one-vs-rest, macro average); F1
    is binary on the positive label, macro-averaged for more classes; Brier is
    :func:`sklearn.metrics.brier_score_loss` (binary only); log loss is
    :func:`sklearn.metrics.log_loss` over ``classes_``.
    """
    s = _Scores()
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        s.error = (
            "the model has no classes_; it is not a fitted classifier (is the task "
            "regression?)"
        )
        return s
    classes = np.asarray(classes)
    k = len(classes)
    if k < 2:
        s.error = f"the model knows a single class ({_listing(list(classes))}); ROC AUC is undefined"
        return s
    y_code = pd.Index(classes).get_indexer(y)
    unknown = pd.unique(y[y_code < 0])
    if len(unknown):
        s.error = (
            f"cannot score: target column {target!r} has labels the model does not know: "
            f"{_listing(list(unknown))} (model classes: {_listing(list(classes))}); relabel them"
        )
        return s
    try:
        pred = _batched(estimator.predict, X)
    except Exception as exc:
        s.error = _predict_error(exc, "predict")
        return s
    pred_code = pd.Index(classes).get_indexer(pred)
    proba = None
    if hasattr(estimator, "predict_proba"):
        try:
            proba = _batched(estimator.predict_proba, X).astype("float64", copy=False)
        except Exception as exc:
            s.notes["predict_proba"] = f"{type(exc).__name__}: {exc}"
    score = None
    if proba is None and k == 2 and hasattr(estimator, "decision_function"):
        try:
            score = np.asarray(estimator.decision_function(X), dtype="float64")
        except Exception as exc:
            s.notes["decision_function"] = f"{type(exc).__name__}: {exc}"
    binary = k == 2
    labels = list(range(k))
    _metric(lambda: skm.accuracy_score(y_code, pred_code), "accuracy", s)
    _metric(lambda: skm.balanced_accuracy_score(y_code, pred_code), "balanced_accuracy", s)
    if binary:
        y_pos = (y_code == 1).astype(int)
        pos_score = proba[:, 1] if proba is not None else score
        if len(np.unique(y_pos)) < 2:
            s.metrics["roc_auc"] = None
            s.notes["roc_auc"] = (
                f"undefined: target column {target!r} holds a single class "
                f"({_listing(list(pd.unique(y)))}); validate on data with both classes"
            )
        elif pos_score is None:
            s.metrics["roc_auc"] = None
            s.notes["roc_auc"] = "the model has neither predict_proba nor decision_function"
        else:
            _metric(lambda: skm.roc_auc_score(y_pos, pos_score), "roc_auc", s)
        _metric(lambda: skm.f1_score(y_code, pred_code, pos_label=1, average="binary", labels=labels), "f1", s)
        if proba is not None:
            _metric(lambda: skm.brier_score_loss(y_pos, proba[:, 1]), "brier", s)
        else:
            s.metrics["brier"] = None
            s.notes["brier"] = "needs predict_proba"
        s.extra["positive_label"] = _label(classes[1])
    else:
        absent = [classes[i] for i in labels if not np.any(y_code == i)]
        if absent:
            s.metrics["roc_auc"] = None
            s.notes["roc_auc"] = (
                f"undefined: class(es) {_listing(absent)} absent from target column "
                f"{target!r}; one-vs-rest ROC AUC needs every model class in the data"
            )
        elif proba is None:
            s.metrics["roc_auc"] = None
            s.notes["roc_auc"] = "multiclass ROC AUC needs predict_proba"
        else:
            _metric(
                lambda: skm.roc_auc_score(y_code, proba, multi_class="ovr", average="macro", labels=labels),
                "roc_auc",
                s,
            )
        _metric(lambda: skm.f1_score(y_code, pred_code, average="macro", labels=labels), "f1", s)
        s.extra["f1_average"] = "macro"
    if proba is not None:
        _metric(lambda: skm.log_loss(y_code, proba, labels=labels), "log_loss", s)
    else:
        s.metrics["log_loss"] = None
        s.notes["log_loss"] = "needs predict_proba"
    s.extra["classes"] = [_label(c) for c in classes]
    return s


def _regression_scores(estimator: Any, X: pd.DataFrame, y: pd.Series) -> _Scores:
    """RMSE, MAE and R² (:func:`sklearn.metrics.root_mean_squared_error`,
    :func:`~sklearn.metrics.mean_absolute_error`, :func:`~sklearn.metrics.r2_score`)."""
    s = _Scores()
    if getattr(estimator, "classes_", None) is not None:
        s.error = (
            "the model is a classifier (it has classes_) but the task is regression; "
            "check the model's task"
        )
        return s
    try:
        pred = _batched(estimator.predict, X).astype("float64", copy=False)
    except Exception as exc:
        s.error = _predict_error(exc, "predict")
        return s
    if pred.ndim != 1:
        pred = pred.reshape(len(X), -1)
        if pred.shape[1] != 1:
            s.error = f"the model predicts {pred.shape[1]} outputs per row; Tollgate validates single-output regressors"
            return s
        pred = pred[:, 0]
    if not np.all(np.isfinite(pred)):
        s.error = f"the model predicted {int((~np.isfinite(pred)).sum())} NaN/infinite values"
        return s
    y_true = y.to_numpy(dtype="float64")
    _metric(lambda: skm.root_mean_squared_error(y_true, pred), "rmse", s)
    _metric(lambda: skm.mean_absolute_error(y_true, pred), "mae", s)
    if len(y_true) < 2:
        s.metrics["r2"] = None
        s.notes["r2"] = "R² needs at least 2 rows"
    else:
        _metric(lambda: skm.r2_score(y_true, pred), "r2", s)
    return s


# --------------------------------------------------------------------------- checks


def _result(check_id: str, status: CheckStatus, values: dict[str, Any], reason: Optional[str]) -> CheckResult:
    return CheckResult(
        id=check_id,
        family=_FAMILIES[check_id],
        title=_TITLES[check_id],
        status=status,
        blocking=True,
        values=values,
        reason=reason,
    )


def _check_schema(ctx: _Context, estimator: Any, version: ModelVersion) -> CheckResult:
    """``data.schema``: feature columns and dtypes against ``version.training_schema``.

    Fail: a feature column missing; a dtype of another kind (numeric vs categorical/string
    vs datetime, see :func:`_dtype_kind`; int vs float vs bool is fine); target column
    missing; NaN/inf in the target (count named); target labels unknown to the model
    (classification); non-numeric target (regression); no rows; duplicate column names.
    Warn: extra columns (ignored for prediction).  Error: no training schema recorded and
    the model does not name its features.
    """
    data, target = ctx.data, ctx.target
    schema = {c: t for c, t in (version.training_schema or {}).items() if c != target}
    fails: list[str] = []
    warns: list[str] = []
    values: dict[str, Any] = {"n_rows": len(data)}

    dupes = list(pd.unique(data.columns[data.columns.duplicated()]))
    if dupes:
        fails.append(f"duplicate column names {_listing(dupes)}; rename them")

    model_names = getattr(estimator, "feature_names_in_", None)
    if model_names is not None and target in list(model_names):
        fails.append(
            f"target column {target!r} is an input feature of the model; pass the column "
            "holding the true labels as the target"
        )
    features = _feature_columns(estimator, version, target)
    if not features:
        values.update(missing_columns=[], extra_columns=[], dtype_mismatches=[])
        return _result(
            "data.schema",
            CheckStatus.ERROR,
            values,
            "the model version records no training schema and the model does not name its "
            "features; re-register the version with its training schema",
        )
    missing = [c for c in features if c not in data.columns]
    extra = [c for c in data.columns if c not in features and c != target]
    values["missing_columns"] = missing
    values["extra_columns"] = extra
    if missing:
        fails.append(
            f"{len(missing)} feature column(s) missing: {_listing(missing)}; add them to the data"
        )
    if extra:
        warns.append(f"{len(extra)} extra column(s) ignored for prediction: {_listing(extra)}")

    mismatches: list[dict[str, Any]] = []
    unchecked: list[Any] = []
    for col in features:
        if col not in data.columns or col not in schema or col in dupes:
            continue
        expected_kind = _dtype_kind(schema[col])
        actual = data[col].dtype
        if expected_kind is None:
            unchecked.append(col)
            continue
        actual_kind = _dtype_kind(actual)
        if actual_kind != expected_kind:
            mismatches.append(
                {
                    "column": col,
                    "expected": str(schema[col]),
                    "actual": str(actual),
                    "expected_kind": expected_kind,
                    "actual_kind": actual_kind,
                }
            )
    values["dtype_mismatches"] = mismatches
    if unchecked:
        values["unchecked_dtypes"] = unchecked
        warns.append(f"dtype not understood for {_listing(unchecked)}; not compared")
    if mismatches:
        desc = "; ".join(
            f"{m['column']!r} is {m['actual']} ({m['actual_kind']}) but was {m['expected']} "
            f"({m['expected_kind']}) in training"
            for m in mismatches[:_MAX_LISTED]
        )
        fails.append(f"{len(mismatches)} dtype mismatch(es): {desc}; convert the column(s)")

    if len(data) == 0:
        fails.append("the data has no rows")

    problem, valid = _target_problems(ctx)
    if problem:
        fails.append(problem)
    elif len(data):
        n_bad = int((~valid).sum())
        values["n_target_invalid"] = n_bad
        if n_bad:
            fails.append(
                f"target column {target!r} has {n_bad} missing or infinite value(s); drop or "
                "fill those rows"
            )
        if ctx.task is TaskType.CLASSIFICATION:
            classes = getattr(estimator, "classes_", None)
            if classes is not None:
                y = data.loc[valid.to_numpy(), target]
                codes = pd.Index(np.asarray(classes)).get_indexer(y)
                unknown = list(pd.unique(y[codes < 0]))
                values["unknown_target_labels"] = [_label(u) for u in unknown[:_MAX_LISTED]]
                if unknown:
                    fails.append(
                        f"target column {target!r} has {int((codes < 0).sum())} row(s) with "
                        f"labels the model does not know: {_listing(unknown)} (model classes: "
                        f"{_listing(list(classes))}); relabel them"
                    )

    if not version.training_schema:
        warns.append("no training schema recorded; dtypes not compared, columns taken from the model")

    if fails:
        return _result("data.schema", CheckStatus.FAIL, values, "; ".join(fails + warns))
    if warns:
        return _result("data.schema", CheckStatus.WARN, values, "; ".join(warns))
    return _result("data.schema", CheckStatus.PASS, values, None)


def _primary_threshold(ctx: _Context) -> tuple[str, float, str]:
    metric = PRIMARY_METRIC[ctx.task]
    if ctx.task is TaskType.CLASSIFICATION:
        return metric, ctx.thresholds["min_roc_auc"], "min_roc_auc"
    return metric, ctx.thresholds["min_r2"], "min_r2"


def _check_threshold(ctx: _Context, estimator: Any, version: ModelVersion) -> CheckResult:
    """``performance.threshold``: primary metric >= absolute minimum.

    Classification: ROC AUC >= ``min_roc_auc`` (default 0.70, Hosmer & Lemeshow 2013
    "acceptable discrimination"); regression: R² >= ``min_r2`` (default 0.50, Tollgate
    default).  Values: every metric of the task, ``primary_metric``, ``threshold``,
    ``n_rows`` scored, ``metric_notes`` for metrics that are ``None``.
    """
    metric, threshold, key = _primary_threshold(ctx)
    base = {"primary_metric": metric, "threshold": threshold, "threshold_key": key}
    s = _scores(ctx, estimator, _feature_columns(estimator, version, ctx.target))
    if s.error:
        return _result("performance.threshold", CheckStatus.ERROR, base, s.error)
    values = {**s.metrics, **base, **s.extra}
    if s.notes:
        values["metric_notes"] = dict(s.notes)
    primary = s.metrics.get(metric)
    label = _METRIC_LABELS[metric]
    n_scored = int(values.get("n_rows") or 0)
    if n_scored < ctx.thresholds["min_rows"]:
        return _result(
            "performance.threshold",
            CheckStatus.ERROR,
            values,
            f"only {n_scored} labelled rows; at least {ctx.thresholds['min_rows']:g} are needed to judge "
            f"{label} (min_rows); validate on more data",
        )
    if primary is None:
        return _result(
            "performance.threshold",
            CheckStatus.ERROR,
            values,
            f"{label} could not be computed: {s.notes.get(metric, 'unknown reason')}",
        )
    if primary >= threshold:
        return _result(
            "performance.threshold", CheckStatus.PASS, values, f"{label} {_fmt(primary)} ≥ {threshold:g}"
        )
    return _result(
        "performance.threshold",
        CheckStatus.FAIL,
        values,
        f"{label} {_fmt(primary)} is below the minimum {threshold:g} ({key})",
    )


def _check_champion(
    ctx: _Context,
    estimator: Any,
    version: ModelVersion,
    champion: Optional[tuple[Any, ModelVersion]],
) -> CheckResult:
    """``performance.champion``: candidate primary metric >= champion's - ``max_champion_drop``.

    Both models are scored on the same rows.  Default maximum drop 0.02 absolute
    (Tollgate default).  Skipped when there is no champion or the candidate is the
    champion (same ``model_id`` and ``version``).  Values: ``metric``, ``candidate``,
    ``champion``, ``delta`` (candidate - champion), ``max_drop``, ``champion_version``.
    """
    metric = PRIMARY_METRIC[ctx.task]
    label = _METRIC_LABELS[metric]
    max_drop = ctx.thresholds["max_champion_drop"]
    values: dict[str, Any] = {"metric": metric, "max_drop": max_drop}
    if champion is None:
        return _result("performance.champion", CheckStatus.SKIPPED, values, "no champion to compare with")
    champ_est, champ_version = champion
    values["champion_version"] = champ_version.version
    if _same_version(version, champ_version):
        return _result(
            "performance.champion",
            CheckStatus.SKIPPED,
            values,
            f"the candidate is the champion (version {version.version})",
        )
    cand = _scores(ctx, estimator, _feature_columns(estimator, version, ctx.target))
    if cand.error:
        return _result("performance.champion", CheckStatus.ERROR, values, cand.error)
    champ = _scores(ctx, champ_est, _feature_columns(champ_est, champ_version, ctx.target))
    if champ.error:
        return _result(
            "performance.champion",
            CheckStatus.ERROR,
            values,
            f"champion version {champ_version.version}: {champ.error}",
        )
    c_val, h_val = cand.metrics.get(metric), champ.metrics.get(metric)
    values.update(candidate=c_val, champion=h_val)
    if c_val is None or h_val is None:
        values["delta"] = None
        who = "candidate" if c_val is None else f"champion version {champ_version.version}"
        note = (cand if c_val is None else champ).notes.get(metric, "unknown reason")
        return _result(
            "performance.champion",
            CheckStatus.ERROR,
            values,
            f"{label} of the {who} could not be computed: {note}",
        )
    delta = c_val - h_val
    values["delta"] = delta
    if delta < -max_drop:
        return _result(
            "performance.champion",
            CheckStatus.FAIL,
            values,
            f"{label} {_fmt(c_val)} is {-delta:.4f} below champion version "
            f"{champ_version.version} ({_fmt(h_val)}); the maximum drop is {max_drop:g}",
        )
    return _result(
        "performance.champion",
        CheckStatus.PASS,
        values,
        f"{label} {_fmt(c_val)} vs champion version {champ_version.version} {_fmt(h_val)} "
        f"(delta {delta:+.4f}, maximum drop {max_drop:g})",
    )


# --------------------------------------------------------------------------- public API


def run_checks(
    *,
    estimator: Any,
    version: ModelVersion,
    data: pd.DataFrame,
    target: Hashable,
    task: TaskType | str,
    champion: Optional[tuple[Any, ModelVersion]] = None,
    thresholds: Optional[Mapping[str, Any]] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> list[CheckResult]:
    """Run the validation checks of ``version`` on labelled ``data``.

    Args:
        estimator: the fitted model (e.g. from :func:`console.validation.loading.load_model`),
            with ``predict`` and, for classification, ``classes_`` and ``predict_proba``
            (``decision_function`` is used for binary ROC AUC when there is no
            ``predict_proba``).
        version: the candidate's :class:`ModelVersion`; ``training_schema`` maps feature
            column -> pandas dtype name (e.g. ``"int64"``, ``"float64"``, ``"str"``,
            ``"object"``, ``"category"``).
        data: ``pandas.DataFrame`` of shape (n_rows, n_columns) holding the feature
            columns and ``target``; extra columns are ignored.
        target: name of the label column.  Classification labels may be of any dtype
            (e.g. ``"yes"``/``"no"``, ``">50K"``); they are matched to
            ``estimator.classes_``.  Regression targets must be numeric.
        task: :class:`TaskType` or its value (``"classification"``/``"regression"``).
        champion: ``(estimator, ModelVersion)`` of the current champion, or ``None``.
        thresholds: overrides of :data:`DEFAULT_THRESHOLDS` (keys ``min_roc_auc``,
            ``min_r2``, ``max_champion_drop``; see there for sources).
        progress: called as ``progress(fraction, message)`` after each check.
        cancel: polled before each check.

    Returns:
        One :class:`CheckResult` per id in :data:`CHECK_IDS`, in that order.  A check
        that raises unexpectedly is reported with status ``error`` and the exception in
        its reason; the other checks still run.

    Raises:
        InputError: ``data`` is not a DataFrame, ``task`` is unknown, or a threshold key
            or value is invalid.
        Cancelled: ``cancel`` was set; nothing is returned.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"Validation data must be a pandas DataFrame, got {type(data).__name__}.")
    try:
        task = TaskType(task)
    except ValueError:
        raise InputError(
            f"Unknown task {task!r}; use one of {', '.join(t.value for t in TaskType)}."
        ) from None
    ctx = _Context(data=data, target=target, task=task, thresholds=_resolve_thresholds(thresholds))

    steps: list[tuple[str, Callable[[], CheckResult]]] = [
        ("data.schema", lambda: _check_schema(ctx, estimator, version)),
        ("performance.threshold", lambda: _check_threshold(ctx, estimator, version)),
        ("performance.champion", lambda: _check_champion(ctx, estimator, version, champion)),
    ]
    results: list[CheckResult] = []
    report(progress, 0.0, "Starting validation checks")
    for i, (check_id, run) in enumerate(steps):
        checkpoint(cancel)
        started = time.perf_counter()
        try:
            res = run()
        except Cancelled:
            raise
        except Exception as exc:  # a bug or an exotic model must not abort the whole run
            res = _result(
                check_id,
                CheckStatus.ERROR,
                {},
                f"the check could not run: {type(exc).__name__}: {exc}",
            )
        res = replace(res, values=_json_safe(res.values))
        results.append(res)
        report(
            progress,
            (i + 1) / len(steps),
            f"{res.title}: {res.status.value} ({time.perf_counter() - started:.1f} s)",
        )
    return results


def suite_passed(results: Iterable[CheckResult]) -> bool:
    """``False`` when any blocking check has status ``fail`` or ``error``, else ``True``
    (``validate`` exit rule, DESIGN.md *CLI contract*); ``warn`` and ``skipped`` pass."""
    return not any(
        r.blocking and r.status in (CheckStatus.FAIL, CheckStatus.ERROR) for r in results
    )
