"""Building blocks of the validation checks (no Qt, no SQL): JSON-safe conversion,
dtype kinds, the model's feature columns, target problems, batched prediction and the
``data.schema`` comparison.

The checks themselves and the suite runner are :mod:`console.validation.suite` and its
family modules (``checks_data``, ``checks_performance``, ``checks_model``,
``checks_policy``).  This module replaced the earlier three-check ``run_checks``.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Hashable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from console.domain.models import CheckStatus, ModelVersion, TaskType

__all__ = ["PREDICT_BATCH_ROWS", "schema_check"]

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


def _target_problems(ctx: Any) -> tuple[Optional[str], pd.Series]:
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



# --------------------------------------------------------------------------- data.schema


def schema_check(ctx: Any, estimator: Any, version: ModelVersion) -> tuple[CheckStatus, dict[str, Any], Optional[str]]:
    """``data.schema``: feature columns and dtypes against ``version.training_schema``.

    ``ctx`` has ``data`` (DataFrame), ``target`` and ``task`` (:class:`TaskType`).
    Returns ``(status, values, reason)``.

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
        return (CheckStatus.ERROR,
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
        return (CheckStatus.FAIL, values, "; ".join(fails + warns))
    if warns:
        return (CheckStatus.WARN, values, "; ".join(warns))
    return (CheckStatus.PASS, values, None)
