"""Shared machinery of the validation suite: the run context, cached predictions and
metrics, evidence helpers (tables, charts) and JSON-safe conversion.

Internal to :mod:`console.validation`; the public API is :mod:`console.validation.suite`.
No Qt, no SQL.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable, Optional, Sequence

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from console.domain.models import CheckStatus, ModelVersion, TaskType
from console.jobs import CancelToken, checkpoint
from console.validation.checks import (
    _batched,
    _dtype_kind,
    _feature_columns,
    _finite_or_none,
    _fmt,
    _json_safe,
    _label,
    _listing,
    _predict_error,
    _target_problems,
)

__all__ = [
    "Outcome", "Preds", "Scores", "Ctx", "table", "bar_chart", "line_chart", "scatter_chart",
    "json_safe", "label", "listing", "fmt", "finite", "dtype_kind", "feature_columns",
    "MAX_TABLE_ROWS", "MAX_CHART_POINTS", "is_numeric", "PRIMARY_METRIC", "METRIC_LABELS",
    "HIGHER_IS_BETTER", "positive_score", "subsample_index",
]

json_safe = _json_safe
label = _label
listing = _listing
fmt = _fmt
finite = _finite_or_none
dtype_kind = _dtype_kind
feature_columns = _feature_columns

#: Evidence limits (evidence convention, ``console.validation.suite``).
MAX_TABLE_ROWS = 200
MAX_CHART_POINTS = 200

#: Primary metric per task (ROC AUC for classification, R² for regression).
PRIMARY_METRIC: dict[TaskType, str] = {TaskType.CLASSIFICATION: "roc_auc", TaskType.REGRESSION: "r2"}
METRIC_LABELS = {
    "roc_auc": "ROC AUC", "r2": "R²", "accuracy": "accuracy", "balanced_accuracy": "balanced accuracy",
    "log_loss": "log loss", "f1": "F1", "brier": "Brier score", "rmse": "RMSE", "mae": "MAE",
}
HIGHER_IS_BETTER = {
    "roc_auc": True, "r2": True, "accuracy": True, "balanced_accuracy": True, "f1": True,
    "log_loss": False, "brier": False, "rmse": False, "mae": False,
}


@dataclass
class Outcome:
    """What a check function returns; the runner adds id, family, title, params."""

    status: CheckStatus
    values: dict[str, Any] = field(default_factory=dict)
    reason: Optional[str] = None


def is_numeric(s: pd.Series) -> bool:
    """Numeric and not bool (bools are treated as categories)."""
    return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, note_to: Optional[list] = None) -> dict[str, Any]:
    """An evidence table (at most :data:`MAX_TABLE_ROWS` rows; truncation noted)."""
    rows = [list(r) for r in rows]
    out = {"title": title, "columns": list(columns), "rows": rows[:MAX_TABLE_ROWS]}
    if len(rows) > MAX_TABLE_ROWS:
        out["title"] = f"{title} (first {MAX_TABLE_ROWS} of {len(rows)} rows)"
        if note_to is not None:
            note_to.append(f"Table '{title}' shows the first {MAX_TABLE_ROWS} of {len(rows)} rows.")
    return out


def _thin(points: list[list[float]]) -> list[list[float]]:
    if len(points) <= MAX_CHART_POINTS:
        return points
    idx = np.unique(np.linspace(0, len(points) - 1, MAX_CHART_POINTS).round().astype(int))
    return [points[i] for i in idx]


def _chart(kind: str, title: str, x_label: str, y_label: str, series: dict[str, Sequence[Sequence[Any]]],
           reference_line: Optional[Sequence[Sequence[float]]] = None) -> dict[str, Any]:
    return {
        "kind": kind, "title": title, "x_label": x_label, "y_label": y_label,
        "series": [{"name": n, "points": _thin([list(p) for p in pts])} for n, pts in series.items()],
        "reference_line": [list(p) for p in reference_line] if reference_line is not None else None,
    }


def bar_chart(title: str, x_label: str, y_label: str, series: dict[str, Sequence[Sequence[Any]]]) -> dict[str, Any]:
    """Bar chart: points are ``[category (str), value]``."""
    return _chart("bar", title, x_label, y_label, series)


def line_chart(title: str, x_label: str, y_label: str, series: dict[str, Sequence[Sequence[Any]]],
               reference_line: Optional[Sequence[Sequence[float]]] = None) -> dict[str, Any]:
    return _chart("line", title, x_label, y_label, series, reference_line)


def scatter_chart(title: str, x_label: str, y_label: str, series: dict[str, Sequence[Sequence[Any]]],
                  reference_line: Optional[Sequence[Sequence[float]]] = None) -> dict[str, Any]:
    return _chart("scatter", title, x_label, y_label, series, reference_line)


def subsample_index(n: int, k: int, seed: int = 0) -> np.ndarray:
    """Sorted positions of a simple random sample of ``min(n, k)`` of ``n`` rows
    (numpy ``default_rng(seed)``; all rows when ``n <= k``)."""
    if n <= k:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))


# --------------------------------------------------------------------------- predictions


@dataclass
class Preds:
    """Predictions of one estimator on some rows, or why they failed."""

    error: Optional[str] = None
    pred: Optional[np.ndarray] = None  # raw ``predict`` output
    pred_code: Optional[np.ndarray] = None  # classification: index into classes_ (-1 unknown)
    proba: Optional[np.ndarray] = None  # (n, k) float64 or None
    score: Optional[np.ndarray] = None  # binary decision_function or None
    notes: dict[str, str] = field(default_factory=dict)


def predict_all(estimator: Any, X: pd.DataFrame, task: TaskType) -> Preds:
    """``predict`` (and, for classifiers, ``predict_proba`` or binary
    ``decision_function``) in slices of ``PREDICT_BATCH_ROWS`` rows."""
    p = Preds()
    try:
        p.pred = _batched(estimator.predict, X)
    except Exception as exc:
        p.error = _predict_error(exc, "predict")
        return p
    if task is TaskType.CLASSIFICATION:
        classes = getattr(estimator, "classes_", None)
        if classes is None:
            p.error = "the model has no classes_; it is not a fitted classifier (is the task regression?)"
            return p
        p.pred_code = pd.Index(np.asarray(classes)).get_indexer(p.pred)
        if hasattr(estimator, "predict_proba"):
            try:
                p.proba = _batched(estimator.predict_proba, X).astype("float64", copy=False)
            except Exception as exc:
                p.notes["predict_proba"] = f"{type(exc).__name__}: {exc}"
        if p.proba is None and len(classes) == 2 and hasattr(estimator, "decision_function"):
            try:
                p.score = np.asarray(_batched(estimator.decision_function, X), dtype="float64")
            except Exception as exc:
                p.notes["decision_function"] = f"{type(exc).__name__}: {exc}"
    else:
        pred = np.asarray(p.pred)
        if pred.ndim != 1:
            pred = pred.reshape(len(X), -1)
            if pred.shape[1] != 1:
                p.error = f"the model predicts {pred.shape[1]} outputs per row; Tollgate validates single-output regressors"
                return p
            pred = pred[:, 0]
        try:
            pred = pred.astype("float64")
        except (TypeError, ValueError):
            p.error = "the model's predictions are not numbers; is the task classification?"
            return p
        if not np.all(np.isfinite(pred)):
            p.error = f"the model predicted {int((~np.isfinite(pred)).sum())} NaN/infinite values"
            return p
        p.pred = pred
    return p


def positive_score(p: Preds) -> Optional[np.ndarray]:
    """Score of the positive class (``classes_[1]``) for a binary classifier."""
    if p.proba is not None and p.proba.ndim == 2 and p.proba.shape[1] == 2:
        return p.proba[:, 1]
    return p.score


@dataclass
class Scores:
    metrics: dict[str, Optional[float]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    error: Optional[str] = None


def _metric(fn: Callable[[], float], name: str, s: Scores) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = _finite_or_none(fn())
    except Exception as exc:
        s.metrics[name] = None
        s.notes[name] = f"{type(exc).__name__}: {exc}"
        return
    s.metrics[name] = value
    if value is None:
        s.notes[name] = "undefined on this data (NaN or infinite)"


def classification_metrics(y_code: np.ndarray, p: Preds, classes: Sequence[Any], target: Hashable) -> Scores:
    """Accuracy, balanced accuracy, ROC AUC, log loss, F1 and (binary) Brier score.

    ``y_code``: int array of true labels as indices into ``classes`` (scikit-learn's
    ``classes_``; positive label ``classes_[1]`` for two classes).  ROC AUC:
    :func:`sklearn.metrics.roc_auc_score` (multiclass one-vs-rest, macro); F1 binary on the
    positive label, macro for more classes; Brier: :func:`sklearn.metrics.brier_score_loss`
    (binary only); log loss: :func:`sklearn.metrics.log_loss` over ``classes_``.
    """
    s = Scores()
    k = len(classes)
    labels = list(range(k))
    pred_code = p.pred_code
    _metric(lambda: skm.accuracy_score(y_code, pred_code), "accuracy", s)
    _metric(lambda: skm.balanced_accuracy_score(y_code, pred_code), "balanced_accuracy", s)
    if k == 2:
        y_pos = (y_code == 1).astype(int)
        pos = positive_score(p)
        if len(np.unique(y_pos)) < 2:
            s.metrics["roc_auc"] = None
            s.notes["roc_auc"] = (
                f"undefined: target column {target!r} holds a single class; validate on data with both classes"
            )
        elif pos is None:
            s.metrics["roc_auc"] = None
            s.notes["roc_auc"] = "the model has neither predict_proba nor decision_function"
        else:
            _metric(lambda: skm.roc_auc_score(y_pos, pos), "roc_auc", s)
        _metric(lambda: skm.f1_score(y_code, pred_code, pos_label=1, average="binary", labels=labels), "f1", s)
        if p.proba is not None:
            _metric(lambda: skm.brier_score_loss(y_pos, p.proba[:, 1]), "brier", s)
        else:
            s.metrics["brier"] = None
            s.notes["brier"] = "needs predict_proba"
    else:
        absent = [classes[i] for i in labels if not np.any(y_code == i)]
        if absent:
            s.metrics["roc_auc"] = None
            s.notes["roc_auc"] = (
                f"undefined: class(es) {_listing(absent)} absent from target column {target!r}; "
                "one-vs-rest ROC AUC needs every model class in the data"
            )
        elif p.proba is None:
            s.metrics["roc_auc"] = None
            s.notes["roc_auc"] = "multiclass ROC AUC needs predict_proba"
        else:
            _metric(lambda: skm.roc_auc_score(y_code, p.proba, multi_class="ovr", average="macro", labels=labels), "roc_auc", s)
        _metric(lambda: skm.f1_score(y_code, pred_code, average="macro", labels=labels), "f1", s)
    if p.proba is not None:
        _metric(lambda: skm.log_loss(y_code, p.proba, labels=labels), "log_loss", s)
    else:
        s.metrics["log_loss"] = None
        s.notes["log_loss"] = "needs predict_proba"
    return s


def regression_metrics(y_true: np.ndarray, p: Preds) -> Scores:
    """RMSE, MAE and R² (:mod:`sklearn.metrics`)."""
    s = Scores()
    _metric(lambda: skm.root_mean_squared_error(y_true, p.pred), "rmse", s)
    _metric(lambda: skm.mean_absolute_error(y_true, p.pred), "mae", s)
    if len(y_true) < 2:
        s.metrics["r2"] = None
        s.notes["r2"] = "R² needs at least 2 rows"
    else:
        _metric(lambda: skm.r2_score(y_true, p.pred), "r2", s)
    return s


# --------------------------------------------------------------------------- context


class Ctx:
    """Everything the checks of one suite run share: the input, the scored rows and
    per-estimator caches of predictions and metrics (each model predicts once)."""

    def __init__(self, inp: Any, cancel: Optional[CancelToken]):
        self.inp = inp
        self.cancel = cancel
        self.task: TaskType = TaskType(inp.task)
        self.target = inp.target
        self.data: pd.DataFrame = inp.data
        self.version: ModelVersion = inp.version
        self.estimator = inp.estimator
        self.features = _feature_columns(inp.estimator, inp.version, inp.target)
        self._preds: dict[Any, Preds] = {}
        self._scores: dict[Any, Scores] = {}
        self.notes: list[str] = []
        self._prepare()

    # eval rows ------------------------------------------------------------
    def _prepare(self) -> None:
        self.classes = None
        self.problem: Optional[str] = None
        data, target = self.data, self.target
        if len(data) == 0:
            self.problem = "the data has no rows"
        problem, valid = _target_problems(self)  # uses .data/.target/.task
        if problem and not self.problem:
            self.problem = problem
        valid = valid.to_numpy() if isinstance(valid, pd.Series) else np.asarray(valid)
        self.n_excluded_target = int((~valid).sum()) if not problem else 0
        if self.task is TaskType.CLASSIFICATION and not problem:
            classes = getattr(self.estimator, "classes_", None)
            if classes is None:
                self.problem = self.problem or "the model has no classes_; it is not a fitted classifier (is the task regression?)"
            else:
                self.classes = np.asarray(classes)
                if len(self.classes) < 2:
                    self.problem = self.problem or f"the model knows a single class ({_listing(list(self.classes))})"
                codes = pd.Index(self.classes).get_indexer(data[target])
                unknown = valid & (codes < 0)
                self.n_unknown_labels = int(unknown.sum())
                valid = valid & (codes >= 0)
        self.valid = valid
        if not self.problem and valid.sum() == 0:
            self.problem = f"no row has a usable label in target column {target!r}"
        self.eval = data.loc[valid] if not problem else data.iloc[:0]
        self.y = self.eval[target] if target in self.eval.columns else pd.Series(dtype=object)
        if self.task is TaskType.CLASSIFICATION and self.classes is not None:
            self.y_code = pd.Index(self.classes).get_indexer(self.y)
        else:
            self.y_code = None

    def X_for(self, est: Any, version: ModelVersion, frame: Optional[pd.DataFrame] = None) -> tuple[Optional[pd.DataFrame], Optional[str]]:
        frame = self.eval if frame is None else frame
        cols = _feature_columns(est, version, self.target)
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            return None, f"cannot predict: missing columns {_listing(missing)}"
        if not cols:
            return frame.drop(columns=[self.target], errors="ignore"), None
        return frame[cols], None

    @property
    def X(self) -> pd.DataFrame:
        """The candidate's feature columns of the scored rows (empty frame if missing)."""
        if getattr(self, "_X", None) is None:
            X, err = self.X_for(self.estimator, self.version)
            self._X = X if X is not None else self.eval.iloc[:, :0]
        return self._X

    def check(self) -> None:
        checkpoint(self.cancel)

    # predictions / metrics -----------------------------------------------
    def preds(self, est: Any, version: ModelVersion) -> Preds:
        key = id(est)
        if key not in self._preds:
            if self.problem:
                self._preds[key] = Preds(error=f"cannot score: {self.problem}")
            else:
                X, err = self.X_for(est, version)
                self._preds[key] = Preds(error=err) if err else predict_all(est, X, self.task)
        return self._preds[key]

    def scores(self, est: Any, version: ModelVersion) -> Scores:
        key = id(est)
        if key not in self._scores:
            p = self.preds(est, version)
            if p.error:
                s = Scores(error=p.error)
            elif self.task is TaskType.CLASSIFICATION:
                est_classes = np.asarray(getattr(est, "classes_", []))
                if list(map(str, est_classes)) != list(map(str, self.classes)):
                    codes = pd.Index(est_classes).get_indexer(self.y)
                    if (codes < 0).any():
                        s = Scores(error=f"the model's classes {_listing(list(est_classes))} differ from the candidate's")
                    else:
                        s = classification_metrics(codes, p, est_classes, self.target)
                else:
                    s = classification_metrics(self.y_code, p, self.classes, self.target)
            else:
                s = regression_metrics(self.y.to_numpy(dtype="float64"), p)
            self._scores[key] = s
        return self._scores[key]

    @property
    def primary(self) -> str:
        return PRIMARY_METRIC[self.task]

    # training data ---------------------------------------------------------
    @property
    def training(self) -> Optional[pd.DataFrame]:
        return self.inp.training_data

    def training_Xy(self) -> tuple[Optional[pd.DataFrame], Optional[pd.Series], Optional[str]]:
        """Features (the candidate's) and target of the recorded training data, rows with a
        missing target dropped; or a reason why they are unusable."""
        tr = self.training
        if tr is None:
            return None, None, "no training data was recorded with this version"
        if self.target not in tr.columns:
            return None, None, f"the recorded training data has no target column {self.target!r}"
        missing = [c for c in self.features if c not in tr.columns]
        if missing:
            return None, None, f"the recorded training data lacks feature column(s) {_listing(missing)}"
        tr = tr[tr[self.target].notna()]
        if len(tr) == 0:
            return None, None, "the recorded training data has no labelled rows"
        return tr[self.features] if self.features else tr.drop(columns=[self.target]), tr[self.target], None

    def positive_label(self) -> Any:
        return None if self.classes is None or len(self.classes) != 2 else self.classes[1]
