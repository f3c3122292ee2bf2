"""Monitoring over time: prediction logs, late labels, windows, alerts (issue 4).

The use cases behind ``tollgate monitor`` and the GUI's drift dashboard / import dialog.
Every function takes the :class:`~console.services.workspace.Workspace` first; the long
ones take ``progress(fraction, message)`` and a :class:`~console.jobs.CancelToken`
(checked at least once per window / step) and write nothing until they have finished
(one short write transaction at the end, with its audit events), so a GUI worker can
run and cancel them.

Storage (migration 0006, :mod:`console.store.orm`)
    * ``prediction_batch``: one row per ingested file; the parsed rows are ONE
      content-addressed Parquet blob (never one SQL row per prediction): the file's
      feature columns coerced to the version's training dtypes, the timestamp as UTC
      ``datetime64``, the prediction, and the optional score, label and request id.
    * ``label_batch``: late labels (``request_id`` as text, ``label``) joined by request
      id at run time; a later batch wins for the same request id, and a late label wins
      over a label logged with the prediction.
    * ``reference_profile``: the version's drift reference profile, computed once from
      its stored reference data (features and target) and stored as
      :meth:`ReferenceProfile.to_bytes` blobs together with a profile of the model's own
      predictions on the reference features (``prediction``; ``score`` = probability of
      the positive class for a binary classifier); ``fingerprint`` = SHA-256 of the
      reference data.
    * ``monitoring_policy``: per-model PSI thresholds (no row = DESIGN.md defaults).
    * A monitoring run is an ordinary ``drift_run`` (``source = "prediction_log"``, its
      ``window_rule`` and ``profile_fingerprint``) whose ``drift_window`` rows also carry
      ``n_labelled``, ``performance`` and ``prediction_drift``: the inventory's drift
      status, the GUI drift tab and the audit PDF read it like any drift run.

Windows (all in UTC, so daylight-saving changes never shift a boundary)
    ``1H``/``1D``: calendar hours/days; ``1W``: ISO weeks, Monday 00:00 UTC to the next
    Monday; ``1M``: calendar months; ``<N>rows`` (e.g. ``5000rows``): consecutive blocks of
    N logged rows in timestamp order (ties in ingestion order; the last block may be
    shorter).  Calendar windows without rows are skipped.  ``start``/``end`` are ISO
    8601 UTC (``...Z``): for calendar windows the boundaries, start inclusive and end
    exclusive; for row windows the first and last timestamp, both inclusive.

Statistics per window
    Feature drift: :func:`console.monitoring.drift.compare` of the window's features
    (and of its labels as the target, when present) with the cached profile -- the
    DESIGN.md drift document.  Status thresholds: the model's (default PSI 0.1 warning,
    0.25 drift; Siddiqi, *Credit Risk Scorecards*, 2006); with non-default thresholds each
    column's ``status``/``drifted`` and the document's ``n_drifted``/``dataset_drift`` are
    re-decided with them.  Prediction drift: the same comparison of the logged
    predictions (and scores) with the model's predictions on the reference data.
    Performance on the labelled rows (scikit-learn metrics): classification ``accuracy``,
    ``precision``/``recall``/``f1`` of the positive class and ``roc_auc`` (from the score;
    ``None`` with a reason when only one class is present or no score was logged);
    regression ``rmse``, ``mae``, ``r2``.

Alerts
    A window whose status is drift and that no earlier monitoring run of the version
    already reported opens a finding (source ``drift``, severity by the model's tier,
    DESIGN.md governance defaults), at most one open finding per model version
    (:func:`console.services.findings.add_finding` dedupes on ``source_ref``).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from console.domain.models import PSI_DRIFT, PSI_WARNING, DriftStatus, TaskType
from console.errors import InputError, NotFoundError, few_names
from console.fingerprint import dataframe_fingerprint, value_text
from console.jobs import CancelToken, ProgressFn, checkpoint, report
from console.jsonutil import json_safe
from console.store import orm
from console.store.orm import utcnow

if TYPE_CHECKING:
    from console.monitoring.drift import DriftResult, ReferenceProfile
    from console.services.workspace import Workspace

__all__ = [
    "SOURCE",
    "DEFAULT_TIMESTAMP",
    "DEFAULT_PREDICTION",
    "MAX_WINDOWS",
    "IngestResult",
    "LabelIngestResult",
    "BatchInfo",
    "Thresholds",
    "ProfileInfo",
    "MonitoringWindow",
    "MonitoringRun",
    "TablePreview",
    "WindowRule",
    "parse_window",
    "ingest_predictions",
    "ingest_labels",
    "list_batches",
    "ensure_reference_profile",
    "run_monitoring",
    "monitoring_history",
    "get_thresholds",
    "set_thresholds",
    "preview_table",
]

#: ``drift_run.source`` of a run over ingested prediction logs.
SOURCE = "prediction_log"
DEFAULT_TIMESTAMP = "timestamp"
DEFAULT_PREDICTION = "prediction"
#: A run producing more windows than this is refused (choose a coarser window): each
#: window stores one row per feature.
MAX_WINDOWS = 5000
#: ``read_table`` options accepted in ``read_options``.
READ_OPTION_KEYS = ("sep", "encoding", "decimal", "thousands", "skip_rows", "header")

Source = Union[str, Path, pd.DataFrame]


# =========================================================================== results
@dataclass(frozen=True)
class IngestResult:
    """What :func:`ingest_predictions` stored (or found already stored).

    ``rows``: logged predictions; ``labelled``: rows with a label; ``ts_min``/``ts_max``:
    UTC bounds; ``columns``: stored column -> dtype; ``notes``: data-quality remarks
    (values that did not fit the training dtype and were set missing, ...);
    ``duplicate``: True when the same rows were already ingested for this version
    (nothing was written)."""

    batch_id: int
    model: str
    version: int
    file_name: str
    rows: int
    labelled: int
    ts_min: datetime
    ts_max: datetime
    columns: dict[str, str]
    notes: tuple[str, ...] = ()
    duplicate: bool = False

    def to_json(self) -> dict[str, Any]:
        return json_safe(dataclasses.asdict(self))


@dataclass(frozen=True)
class LabelIngestResult:
    """What :func:`ingest_labels` stored: ``rows`` labels read, ``matched`` of them with a
    logged request id of the version, ``unmatched`` the others (kept, they may match a
    later prediction batch); ``duplicate`` as in :class:`IngestResult`."""

    batch_id: int
    model: str
    version: int
    file_name: str
    rows: int
    matched: int
    unmatched: int
    duplicate: bool = False

    def to_json(self) -> dict[str, Any]:
        return json_safe(dataclasses.asdict(self))


@dataclass(frozen=True)
class BatchInfo:
    """One ingested prediction-log file (``kind`` ``predictions``) or label file
    (``labels``) of a version, for listings."""

    id: int
    kind: str
    file_name: str
    rows: int
    ingested_at: datetime
    ingested_by: str
    ts_min: Optional[datetime] = None
    ts_max: Optional[datetime] = None
    matched: Optional[int] = None


@dataclass(frozen=True)
class Thresholds:
    """A model's PSI alert thresholds: status warning from ``psi_warning``, drift from
    ``psi_drift`` (defaults 0.1 / 0.25, Siddiqi 2006); ``excluded``: feature columns left
    out of drift monitoring (e.g. calendar features whose shift between monthly windows
    is expected; default none); ``is_default`` when never changed."""

    psi_warning: float = PSI_WARNING
    psi_drift: float = PSI_DRIFT
    is_default: bool = True
    updated_by: Optional[str] = None
    updated_at: Optional[datetime] = None
    excluded: tuple[str, ...] = ()

    def status(self, psi: Optional[float]) -> Optional[DriftStatus]:
        """The status of ``psi`` under these thresholds (``None`` for no value)."""
        if psi is None or not math.isfinite(psi):
            return None
        if psi >= self.psi_drift:
            return DriftStatus.DRIFT
        if psi >= self.psi_warning:
            return DriftStatus.WARNING
        return DriftStatus.STABLE


@dataclass(frozen=True)
class ProfileInfo:
    """The cached reference profile of a version: ``fingerprint`` (SHA-256 of the
    reference data), ``format_version``, whether a prediction profile exists, and
    ``meta`` (``task``, ``target``, ``classes``, ``positive_class``)."""

    version_id: int
    fingerprint: str
    format_version: int
    has_predictions: bool
    created_at: datetime
    created_by: str
    meta: dict[str, Any] = field(default_factory=dict)
    computed: bool = False  # True when this call computed it


@dataclass(frozen=True)
class MonitoringWindow:
    """One window of a monitoring run.

    ``drift``: the DESIGN.md drift document of the window (``dataset_drift``,
    ``n_tested``, ``n_drifted``, ``target``, ``columns``, ``reference_profile``);
    ``prediction_drift``: the same document for the predictions (columns ``prediction``
    and, when logged, ``score``) or ``None``; ``performance``: metrics of the labelled
    rows or ``None`` when no row of the window has a label; ``status``: the worst
    feature status (target excluded) under the model's thresholds."""

    index: int
    label: str
    start: str
    end: str
    rows: int
    n_labelled: int
    status: Optional[str]
    drift: dict[str, Any]
    prediction_drift: Optional[dict[str, Any]]
    performance: Optional[dict[str, Any]]
    window_id: Optional[int] = None

    def to_json(self) -> dict[str, Any]:
        return json_safe({
            "label": self.label, "start": self.start, "end": self.end, "rows": self.rows,
            "n_labelled": self.n_labelled, "status": self.status, "drift": self.drift,
            "prediction_drift": self.prediction_drift, "performance": self.performance,
        })


@dataclass(frozen=True)
class MonitoringRun:
    """A stored monitoring run (:func:`run_monitoring`, :func:`monitoring_history`)."""

    run_id: int
    model: str
    model_id: int
    version: int
    version_id: int
    window_rule: str
    profile_fingerprint: str
    thresholds: Thresholds
    windows: tuple[MonitoringWindow, ...]
    created_at: datetime
    created_by: str
    task: str
    findings_opened: tuple[int, ...] = ()

    @property
    def latest_status(self) -> Optional[str]:
        return self.windows[-1].status if self.windows else None

    def to_json(self) -> dict[str, Any]:
        """The ``tollgate monitor run --json`` document."""
        return json_safe({
            "model": self.model,
            "version": str(self.version),
            "run_id": self.run_id,
            "window": self.window_rule,
            "profile_fingerprint": self.profile_fingerprint,
            "thresholds": {"psi_warning": self.thresholds.psi_warning, "psi_drift": self.thresholds.psi_drift,
                           "excluded_columns": list(self.thresholds.excluded)},
            "latest_status": self.latest_status,
            "findings_opened": list(self.findings_opened),
            "windows": [w.to_json() for w in self.windows],
        })


# =========================================================================== windows
@dataclass(frozen=True)
class WindowRule:
    """A parsed window rule: ``unit`` hour | day | week | month | rows, ``rows`` = N."""

    text: str
    unit: str
    rows: int = 0


_CAL = {"1H": "hour", "1D": "day", "1W": "week", "1M": "month"}


def parse_window(text: str) -> WindowRule:
    """``1H`` ``1D`` ``1W`` ``1M`` (case-insensitive) or ``<N>rows`` / ``<N> rows``
    (N >= 1).  Raises :class:`InputError` for anything else."""
    t = (text or "").strip()
    up = t.upper()
    if up in _CAL:
        return WindowRule(up, _CAL[up])
    m = re.fullmatch(r"(\d+)\s*rows?", t, flags=re.IGNORECASE)
    if m and int(m.group(1)) >= 1:
        return WindowRule(f"{int(m.group(1))}rows", "rows", int(m.group(1)))
    raise InputError(f"window {text!r}: use 1D (day), 1W (week), 1M (month), 1H (hour) or Nrows, e.g. 5000rows")


def _iso(ts: pd.Timestamp) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%dT%H:%M:%SZ")


def _window_bounds(ts_naive: np.ndarray, rule: WindowRule) -> list[tuple[int, int, str, str, str]]:
    """``(first, stop, label, start, end)`` row ranges of the sorted UTC timestamps
    ``ts_naive`` (datetime64[ns], no zone) under ``rule``."""
    n = len(ts_naive)
    if n == 0:
        return []
    if rule.unit == "rows":
        out = []
        for a in range(0, n, rule.rows):
            b = min(n, a + rule.rows)
            out.append((a, b, f"rows {a + 1:,}–{b:,}", _iso(ts_naive[a]), _iso(ts_naive[b - 1])))
        return out
    s = pd.Series(ts_naive)
    if rule.unit == "hour":
        key = s.dt.floor("h")
    elif rule.unit == "day":
        key = s.dt.floor("D")
    elif rule.unit == "week":
        day = s.dt.floor("D")
        key = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    else:
        key = s.dt.to_period("M").dt.start_time
    k = key.to_numpy()
    starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    stops = np.concatenate((starts[1:], [n]))
    out = []
    for a, b in zip(starts.tolist(), stops.tolist()):
        lo = pd.Timestamp(k[a])
        if rule.unit == "hour":
            hi, label = lo + pd.Timedelta(hours=1), lo.strftime("%Y-%m-%d %H:00")
        elif rule.unit == "day":
            hi, label = lo + pd.Timedelta(days=1), lo.strftime("%Y-%m-%d")
        elif rule.unit == "week":
            iso = lo.isocalendar()
            hi, label = lo + pd.Timedelta(days=7), f"{iso[0]}-W{iso[1]:02d}"
        else:
            hi, label = lo + pd.offsets.MonthBegin(1), lo.strftime("%Y-%m")
        out.append((a, b, label, _iso(lo), _iso(hi)))
    return out


# =========================================================================== helpers
def _model_version(ws: "Workspace", s: Any, model: Union[int, str], version: Union[int, str, None]):
    """(model row, version row) for ``model`` (id or name, or ``NAME@VERSION``) and
    ``version`` (number, alias or None = champion, else latest)."""
    from console.services.workspace import split_ref

    if isinstance(model, str) and version is None:
        name, ver = split_ref(model)
        try:
            m = ws._model_row(s, name)
            version = ver
        except NotFoundError:
            m = ws._model_row(s, model)
    else:
        m = ws._model_row(s, model)
    return m, ws._version_row(s, m, version)


def _thresholds_of(s: Any, model_id: int) -> Thresholds:
    row = s.scalar(select(orm.MonitoringPolicyRow).where(orm.MonitoringPolicyRow.model_id == model_id))
    if row is None:
        return Thresholds()
    return Thresholds(row.psi_warning, row.psi_drift, False, row.updated_by, row.updated_at,
                      tuple(row.exclude_columns or ()))


def _read(source: Source, schema: Optional[Mapping[str, Any]], read_options: Optional[Mapping[str, Any]],
          what: str) -> tuple[pd.DataFrame, str, list[str]]:
    """(frame, shown name, notes) of a file path or a DataFrame."""
    from console.monitoring.io import NOTES_ATTR, read_table

    opts = dict(read_options or {})
    unknown = sorted(set(opts) - set(READ_OPTION_KEYS))
    if unknown:
        raise InputError(f"unknown reading option(s) {', '.join(unknown)}; use {', '.join(READ_OPTION_KEYS)}")
    if isinstance(source, pd.DataFrame):
        if len(source) == 0:
            raise InputError(f"the {what} table has no rows")
        df = source.copy()
        df.columns = [str(c) for c in df.columns]
        return df.reset_index(drop=True), f"({what} table)", []
    df = read_table(source, schema=schema, **opts)
    return df, str(source), [n.message for n in df.attrs.get(NOTES_ATTR, [])]


def _parse_timestamps(s: pd.Series, shown: str, col: str, fmt: Optional[str], timezone: str) -> pd.Series:
    """The column as UTC ``datetime64[ns, UTC]``.  Naive times are in ``timezone``
    (default UTC).  Raises :class:`InputError` naming the first row (data rows counted
    from 1, header excluded) whose value is missing or does not parse."""
    def bad(i: int, value: Any, why: str) -> InputError:
        hint = (f"use the format {fmt!r} for every value" if fmt else
                "use ISO 8601 (e.g. 2024-05-01T13:00:00Z) or pass --timestamp-format (e.g. '%d/%m/%Y %H:%M')")
        return InputError(f"{shown}: row {i + 1}, column '{col}': {why} ({value!r}); {hint}")

    missing = s.isna().to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise bad(i, "", "no timestamp")
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        t = s
    elif pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        raise InputError(
            f"{shown}: column '{col}' holds numbers, not dates/times (e.g. {s.iloc[0]!r}); "
            "log timestamps as ISO 8601 text (2024-05-01T13:00:00Z) or name the right column with --timestamp")
    else:
        txt = s.astype("str").str.strip()
        f = fmt or "ISO8601"
        try:
            t = pd.to_datetime(txt, format=f, errors="coerce")
        except (ValueError, TypeError):  # mixed UTC offsets
            t = pd.to_datetime(txt, format=f, errors="coerce", utc=True)
        nat = t.isna().to_numpy()
        if nat.any():
            i = int(np.flatnonzero(nat)[0])
            raise bad(i, txt.iloc[i], "not a date/time")
    if getattr(t.dtype, "tz", None) is None:
        try:
            t = t.dt.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
        except Exception as exc:  # pytz/zoneinfo errors: ambiguous or non-existent local time
            text = str(exc)
            m = re.search(r"(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?)", text)
            where = ""
            if m:
                hit = np.flatnonzero(t.dt.strftime("%Y-%m-%d %H:%M:%S").str.startswith(m.group(1).replace("T", " ")))
                where = f"row {int(hit[0]) + 1}, " if hit.size else ""
            raise InputError(
                f"{shown}: {where}column '{col}': {text} in time zone {timezone} (a daylight-saving change); "
                "log timestamps in UTC or with their UTC offset") from None
    return t.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")


def _ids(s: pd.Series) -> pd.Series:
    """Request ids as text (``123``, ``123.0`` and ``"123"`` are the same id)."""
    if pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
        return s.astype(object).where(s.notna(), None)
    return s.astype(object).map(lambda v: None if v is None or (isinstance(v, float) and v != v)
                                else (v.strip() if isinstance(v, str) else value_text(v)))


def _check_ids(ids: pd.Series, shown: str, col: str) -> None:
    miss = ids.isna().to_numpy()
    if miss.any():
        raise InputError(f"{shown}: row {int(np.flatnonzero(miss)[0]) + 1}, column '{col}': no request id; "
                         "every row needs one")
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)
        first = ids.iloc[int(rows[0])]
        same = np.flatnonzero((ids == first).to_numpy())[:2] + 1
        raise InputError(f"{shown}: request id {first!r} (column '{col}') appears more than once "
                         f"(rows {same[0]} and {same[1]}); request ids must be unique")


# =========================================================================== ingest
def ingest_predictions(
    ws: "Workspace",
    model: Union[int, str],
    version: Union[int, str, None],
    source: Source,
    *,
    timestamp_col: str = DEFAULT_TIMESTAMP,
    prediction_col: str = DEFAULT_PREDICTION,
    label_col: Optional[str] = None,
    request_id_col: Optional[str] = None,
    score_col: Optional[str] = None,
    timestamp_format: Optional[str] = None,
    timezone: str = "UTC",
    ignore_extra: bool = False,
    read_options: Optional[Mapping[str, Any]] = None,
    file_name: Optional[str] = None,
    actor: Optional[str] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> IngestResult:
    """Ingest a file (CSV/TSV/Parquet path) or DataFrame of prediction logs of a version.

    Columns: ``timestamp_col`` (ISO 8601, or ``timestamp_format`` as for
    :func:`pandas.to_datetime`; naive times are in ``timezone``, default UTC; stored as
    UTC), every feature of the version's training schema (coerced to its training dtype;
    values that do not fit become missing and are listed in ``notes``),
    ``prediction_col`` (the predicted class or value), and optionally ``score_col``
    (probability of the positive class, 0..1), ``label_col`` (the true outcome; when not
    given, a column named like the version's target column is used) and
    ``request_id_col`` (unique per row; needed to join :func:`ingest_labels`).  Columns
    outside those are refused unless ``ignore_extra`` (then dropped, noted).
    ``read_options``: ``sep``, ``encoding``, ``decimal``, ``thousands``, ``skip_rows``,
    ``header`` (:func:`console.monitoring.io.read_table`).

    Raises :class:`InputError` (one line naming the file, row and column) for a missing
    feature / timestamp / prediction column, unknown columns, a missing or unparseable
    timestamp (first bad row), a non-numeric score, missing predictions, missing or
    duplicate request ids, unreadable files (encoding: names the line), empty files;
    :class:`NotFoundError` for an unknown model/version; ``Cancelled``.  Nothing is
    written unless everything is valid: the batch (one Parquet blob) and its audit event
    ``monitoring.predictions_ingested`` are one transaction.  The same rows ingested
    again for the version are not stored twice (``duplicate=True``).
    """
    from console.services.workspace import default_actor

    actor = actor or default_actor()
    report(progress, 0.0, "Reading the prediction log")
    with ws._session() as s:
        m, v = _model_version(ws, s, model, version)
        model_name, model_id, vnum, vid = m.name, m.id, v.version, v.id
        features = dict(v.training_schema or {})
        target = v.target_column
    if not features:
        raise InputError(f"{model_name} v{vnum} has no recorded training schema; prediction logs cannot be checked")
    roles = {"timestamp": timestamp_col, "prediction": prediction_col}
    df, shown, notes = _read(source, features, read_options, "prediction log")
    if isinstance(source, pd.DataFrame):
        shown = file_name or shown
    checkpoint(cancel)
    cols = list(df.columns)
    if label_col is None and target in cols and target not in features:
        label_col = target
    for role, col in (("timestamp", timestamp_col), ("prediction", prediction_col), ("label", label_col),
                      ("request id", request_id_col), ("score", score_col)):
        if col is None:
            continue
        if col in features:
            raise InputError(f"{shown}: the {role} column '{col}' is also a feature of {model_name} v{vnum}; "
                             f"name the {role} column differently")
        if col not in cols:
            opt = {"timestamp": "--timestamp", "prediction": "--prediction", "label": "--label",
                   "request id": "--request-id", "score": "--score"}[role]
            raise InputError(f"{shown}: no {role} column '{col}' (columns: {few_names(cols, 10)}); "
                             f"name it with {opt} COL")
    roles.update({k: c for k, c in (("label", label_col), ("request_id", request_id_col), ("score", score_col)) if c})
    if len(set(roles.values())) != len(roles):
        raise InputError(f"{shown}: one column is given two roles ({', '.join(f'{k}={c}' for k, c in roles.items())})")
    missing = [c for c in features if c not in cols]
    if missing:
        raise InputError(f"{shown}: missing feature column(s) of {model_name} v{vnum}: {few_names(missing)}; "
                         "log every feature the model uses")
    extra = [c for c in cols if c not in features and c not in roles.values()]
    if extra and not ignore_extra:
        raise InputError(f"{shown}: unknown column(s) {few_names(extra)} (neither features of {model_name} v{vnum} "
                         "nor timestamp/prediction/label/score/request id); remove them, name their role, "
                         "or pass --ignore-extra-columns")
    if extra:
        notes.append(f"{shown}: ignored column(s) {few_names(extra)}")
    ts = _parse_timestamps(df[timestamp_col], shown, timestamp_col, timestamp_format, timezone)
    checkpoint(cancel)
    pred = df[prediction_col]
    if pred.isna().any():
        i = int(np.flatnonzero(pred.isna().to_numpy())[0])
        raise InputError(f"{shown}: row {i + 1}, column '{prediction_col}': no prediction; every logged row needs one")
    out = pd.DataFrame({timestamp_col: ts})
    if request_id_col:
        ids = _ids(df[request_id_col])
        _check_ids(ids, shown, request_id_col)
        out[request_id_col] = ids.astype("str")
    for c in features:
        out[c] = df[c].to_numpy() if not isinstance(df[c].dtype, pd.CategoricalDtype) else df[c].astype(str)
    out[prediction_col] = pred.to_numpy()
    if score_col:
        sc = df[score_col]
        if not pd.api.types.is_numeric_dtype(sc.dtype) or pd.api.types.is_bool_dtype(sc.dtype):
            sc = pd.to_numeric(sc, errors="coerce")
            bad = sc.isna().to_numpy() & df[score_col].notna().to_numpy()
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(f"{shown}: row {i + 1}, column '{score_col}': score {df[score_col].iloc[i]!r} is "
                                 "not a number; the score is the probability of the positive class (0..1)")
        out[score_col] = sc.astype("float64").to_numpy()
    labelled = 0
    if label_col:
        out[label_col] = df[label_col].to_numpy()
        labelled = int(out[label_col].notna().sum())
    report(progress, 0.5, "Checking for an identical earlier batch")
    content = dataframe_fingerprint(out)
    checkpoint(cancel)
    dtypes = {str(c): str(out[c].dtype) for c in out.columns}
    ts_min, ts_max = ts.min().to_pydatetime(), ts.max().to_pydatetime()
    name = file_name or (Path(shown).name if not isinstance(source, pd.DataFrame) else shown)
    opts = {k: val for k, val in dict(read_options or {}).items()}
    opts.update({"timestamp_format": timestamp_format, "timezone": timezone})
    with ws._session() as s:
        dup = s.scalar(select(orm.PredictionBatchRow).where(orm.PredictionBatchRow.version_id == vid,
                                                            orm.PredictionBatchRow.content_sha256 == content))
        if dup is not None:
            return IngestResult(dup.id, model_name, vnum, dup.file_name, dup.n_rows, labelled, dup.ts_min, dup.ts_max,
                                dict(dup.columns), tuple(dup.notes or ()), duplicate=True)
    report(progress, 0.6, "Encoding the rows as Parquet")
    data = ws.dataset_bytes(out)
    checkpoint(cancel)
    report(progress, 0.85, "Saving the batch")
    from console.services.workspace import PARQUET

    with ws._write() as s:
        dup = s.scalar(select(orm.PredictionBatchRow).where(orm.PredictionBatchRow.version_id == vid,
                                                            orm.PredictionBatchRow.content_sha256 == content))
        if dup is not None:
            return IngestResult(dup.id, model_name, vnum, dup.file_name, dup.n_rows, labelled, dup.ts_min, dup.ts_max,
                                dict(dup.columns), tuple(dup.notes or ()), duplicate=True)
        sha = ws._put_blob(s, data, PARQUET)
        row = orm.PredictionBatchRow(
            version_id=vid, data_sha256=sha, content_sha256=content, file_name=name[:1000], n_rows=int(len(out)),
            ts_min=ts_min, ts_max=ts_max, timestamp_column=timestamp_col, prediction_column=prediction_col,
            score_column=score_col, label_column=label_col, request_id_column=request_id_col, columns=dtypes,
            read_options=json_safe(opts), notes=list(notes), ingested_at=utcnow(), ingested_by=actor,
        )
        s.add(row)
        s.flush()
        ws._audit(s, actor, "monitoring.predictions_ingested", "prediction_batch", row.id, model_id=model_id,
                  new={"version": vnum, "file": name, "rows": int(len(out)), "labelled": labelled,
                       "from": ts_min.isoformat(), "to": ts_max.isoformat(), "data_sha256": sha})
        result = IngestResult(row.id, model_name, vnum, name, int(len(out)), labelled, ts_min, ts_max, dtypes,
                              tuple(notes))
    report(progress, 1.0, f"Ingested {len(out):,} predictions")
    return result


def ingest_labels(
    ws: "Workspace",
    model: Union[int, str],
    version: Union[int, str, None],
    source: Source,
    *,
    request_id_col: str,
    label_col: str,
    read_options: Optional[Mapping[str, Any]] = None,
    file_name: Optional[str] = None,
    actor: Optional[str] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> LabelIngestResult:
    """Ingest late-arriving labels of a version's logged predictions, joined by request
    id at the next :func:`run_monitoring` (a later label batch wins; rows with an empty
    label are skipped).  Other columns in the file are ignored.

    Raises :class:`InputError` when a column is missing, a request id is missing or
    repeated in the file, no label is given, the version has no logged predictions with
    request ids, or none of the file's request ids matches one (check the column);
    :class:`NotFoundError`; ``Cancelled``.  One transaction with its audit event
    ``monitoring.labels_ingested``; the same file twice is stored once."""
    from console.services.workspace import PARQUET, default_actor

    actor = actor or default_actor()
    report(progress, 0.0, "Reading the labels")
    with ws._session() as s:
        m, v = _model_version(ws, s, model, version)
        model_name, model_id, vnum, vid = m.name, m.id, v.version, v.id
        batches = s.execute(select(orm.PredictionBatchRow.data_sha256, orm.PredictionBatchRow.request_id_column)
                            .where(orm.PredictionBatchRow.version_id == vid)).all()
    df, shown, _ = _read(source, None, read_options, "labels")
    if isinstance(source, pd.DataFrame):
        shown = file_name or shown
    for role, col, opt in (("request id", request_id_col, "--request-id"), ("label", label_col, "--label")):
        if col not in df.columns:
            raise InputError(f"{shown}: no {role} column '{col}' (columns: {few_names(df.columns, 10)}); "
                             f"name it with {opt} COL")
    keep = df[label_col].notna().to_numpy()
    if not keep.any():
        raise InputError(f"{shown}: column '{label_col}' has no label in any row")
    ids = _ids(df[request_id_col])
    _check_ids(ids, shown, request_id_col)
    lab = pd.DataFrame({"request_id": ids[keep].astype("str").to_numpy(), "label": df[label_col][keep].to_numpy()})
    with_ids = [sha for sha, col in batches if col]
    if not with_ids:
        raise InputError(f"{model_name} v{vnum} has no logged predictions with request ids; ingest predictions "
                         "with --request-id COL first")
    known: set[str] = set()
    for sha, col in batches:
        checkpoint(cancel)
        if col:
            known.update(ws.load_dataset(sha)[col].astype(str).tolist())
    matched = int(lab["request_id"].isin(known).sum())
    if matched == 0:
        ex = ", ".join(repr(x) for x in lab["request_id"].head(3))
        raise InputError(f"{shown}: none of the {len(lab):,} request ids (e.g. {ex}) matches a logged prediction of "
                         f"{model_name} v{vnum}; check --request-id")
    content = dataframe_fingerprint(lab)
    name = file_name or (Path(shown).name if not isinstance(source, pd.DataFrame) else shown)
    checkpoint(cancel)
    report(progress, 0.8, "Saving the labels")
    data = ws.dataset_bytes(lab)
    with ws._write() as s:
        dup = s.scalar(select(orm.LabelBatchRow).where(orm.LabelBatchRow.version_id == vid,
                                                       orm.LabelBatchRow.content_sha256 == content))
        if dup is not None:
            return LabelIngestResult(dup.id, model_name, vnum, dup.file_name, dup.n_rows, dup.n_matched,
                                     dup.n_rows - dup.n_matched, duplicate=True)
        sha = ws._put_blob(s, data, PARQUET)
        row = orm.LabelBatchRow(version_id=vid, data_sha256=sha, content_sha256=content, file_name=name[:1000],
                                n_rows=int(len(lab)), n_matched=matched, request_id_column=request_id_col,
                                label_column=label_col, ingested_at=utcnow(), ingested_by=actor)
        s.add(row)
        s.flush()
        ws._audit(s, actor, "monitoring.labels_ingested", "label_batch", row.id, model_id=model_id,
                  new={"version": vnum, "file": name, "rows": int(len(lab)), "matched": matched, "data_sha256": sha})
        out = LabelIngestResult(row.id, model_name, vnum, name, int(len(lab)), matched, int(len(lab)) - matched)
    report(progress, 1.0, f"Ingested {len(lab):,} labels ({matched:,} matched)")
    return out


def list_batches(ws: "Workspace", model: Union[int, str], version: Union[int, str, None] = None) -> list[BatchInfo]:
    """The version's ingested prediction and label files, oldest first."""
    with ws._session() as s:
        _, v = _model_version(ws, s, model, version)
        out = [BatchInfo(r.id, "predictions", r.file_name, r.n_rows, r.ingested_at, r.ingested_by, r.ts_min, r.ts_max)
               for r in s.scalars(select(orm.PredictionBatchRow).where(orm.PredictionBatchRow.version_id == v.id)
                                  .order_by(orm.PredictionBatchRow.id))]
        out += [BatchInfo(r.id, "labels", r.file_name, r.n_rows, r.ingested_at, r.ingested_by, matched=r.n_matched)
                for r in s.scalars(select(orm.LabelBatchRow).where(orm.LabelBatchRow.version_id == v.id)
                                   .order_by(orm.LabelBatchRow.id))]
    return sorted(out, key=lambda b: b.ingested_at)


# =========================================================================== profile
def _profile_info(row: orm.ReferenceProfileRow, computed: bool = False) -> ProfileInfo:
    return ProfileInfo(row.version_id, row.fingerprint, row.format_version, row.prediction_profile_sha256 is not None,
                       row.created_at, row.created_by, dict(row.meta or {}), computed)


def ensure_reference_profile(
    ws: "Workspace",
    model: Union[int, str],
    version: Union[int, str, None] = None,
    *,
    actor: Optional[str] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> ProfileInfo:
    """The version's cached reference profile, computed and stored the first time
    (audited ``monitoring.profile_computed``): the drift profile of the stored reference
    data and of the model's predictions on it (the estimator is loaded with skops and
    predicts once).  Raises :class:`InputError` when the version has no reference data."""
    from console.monitoring.drift import PROFILE_FORMAT_VERSION, ReferenceProfile
    from console.services.workspace import default_actor

    actor = actor or default_actor()
    with ws._session() as s:
        m, v = _model_version(ws, s, model, version)
        row = s.scalar(select(orm.ReferenceProfileRow).where(orm.ReferenceProfileRow.version_id == v.id))
        if row is not None:
            return _profile_info(row)
        ver = ws._version_row_to_domain(s, v)
        model_name, model_id, task = m.name, m.id, m.task
    if ver.reference_sha256 is None:
        raise InputError(f"{model_name} v{ver.version} has no reference data; drift cannot be monitored")
    report(progress, 0.0, "Loading the reference data")
    reference = ws.load_dataset(ver.reference_sha256)
    checkpoint(cancel)
    profile = ReferenceProfile.from_frame(reference, progress=_span(progress, 0.05, 0.6), cancel=cancel)
    meta: dict[str, Any] = {"task": task, "target": ver.target_column, "classes": None, "positive_class": None}
    pred_bytes = None
    if ver.artifact_sha256 is not None:
        report(progress, 0.6, "Predicting the reference data with the model")
        est = ws.load_estimator(ver)
        X = reference[[c for c in ver.training_schema if c in reference.columns]]
        checkpoint(cancel)
        frame = pd.DataFrame({"prediction": est.predict(X)})
        classes = getattr(est, "classes_", None)
        if classes is not None:
            meta["classes"] = [value_text(c) for c in classes]
            if len(classes) == 2 and hasattr(est, "predict_proba"):
                meta["positive_class"] = value_text(classes[1])
                frame["score"] = est.predict_proba(X)[:, 1]
        checkpoint(cancel)
        pred_bytes = ReferenceProfile.from_frame(frame, cancel=cancel).to_bytes()
    blob = profile.to_bytes()
    checkpoint(cancel)
    media = "application/x-tollgate-drift-profile"
    with ws._write() as s:
        row = s.scalar(select(orm.ReferenceProfileRow).where(orm.ReferenceProfileRow.version_id == ver.id))
        if row is not None:  # another console computed it meanwhile
            return _profile_info(row)
        row = orm.ReferenceProfileRow(
            version_id=ver.id, format_version=int(getattr(profile, "format_version", PROFILE_FORMAT_VERSION)),
            fingerprint=profile.fingerprint, reference_sha256=ver.reference_sha256,
            profile_sha256=ws._put_blob(s, blob, media),
            prediction_profile_sha256=ws._put_blob(s, pred_bytes, media) if pred_bytes is not None else None,
            meta=json_safe(meta), created_at=utcnow(), created_by=actor,
        )
        try:
            with s.begin_nested():
                s.add(row)
                s.flush()
        except IntegrityError:  # PostgreSQL: a concurrent insert won
            existing = s.scalar(select(orm.ReferenceProfileRow).where(orm.ReferenceProfileRow.version_id == ver.id))
            if existing is None:
                raise
            return _profile_info(existing)
        ws._audit(s, actor, "monitoring.profile_computed", "reference_profile", row.id, model_id=model_id,
                  new={"version": ver.version, "fingerprint": profile.fingerprint,
                       "format_version": row.format_version, "predictions": pred_bytes is not None})
        info = _profile_info(row, computed=True)
    report(progress, 1.0, "Reference profile stored")
    return info


def _span(progress: Optional[ProgressFn], lo: float, hi: float) -> Optional[ProgressFn]:
    from console.jobs import scaled

    return scaled(progress, lo, hi)


def _load_profiles(ws: "Workspace", version_id: int) -> tuple["ReferenceProfile", Optional["ReferenceProfile"], dict]:
    from console.monitoring.drift import ReferenceProfile

    with ws._session() as s:
        row = s.scalar(select(orm.ReferenceProfileRow).where(orm.ReferenceProfileRow.version_id == version_id))
        shas = (row.profile_sha256, row.prediction_profile_sha256, dict(row.meta or {}))
    prof = ReferenceProfile.from_bytes(ws.load_blob(shas[0]))
    pred = ReferenceProfile.from_bytes(ws.load_blob(shas[1])) if shas[1] else None
    return prof, pred, shas[2]


# =========================================================================== run
@dataclass
class _Log:
    """All logged rows of a version, sorted by timestamp (canonical role columns)."""

    features: pd.DataFrame
    ts: np.ndarray  # datetime64[ns], UTC without zone
    prediction: pd.Series
    score: Optional[pd.Series]
    label: pd.Series  # object, None where unlabelled


def _load_log(ws: "Workspace", version_id: int, feature_names: Sequence[str], cancel: Optional[CancelToken],
              progress: Optional[ProgressFn]) -> Optional[_Log]:
    with ws._session() as s:
        batches = s.scalars(select(orm.PredictionBatchRow).where(orm.PredictionBatchRow.version_id == version_id)
                            .order_by(orm.PredictionBatchRow.id)).all()
        labels = s.scalars(select(orm.LabelBatchRow).where(orm.LabelBatchRow.version_id == version_id)
                           .order_by(orm.LabelBatchRow.id)).all()
        batches = [(b.data_sha256, b.timestamp_column, b.prediction_column, b.score_column, b.label_column,
                    b.request_id_column) for b in batches]
        labels = [lb.data_sha256 for lb in labels]
    if not batches:
        return None
    parts = []
    any_score = any(b[3] for b in batches)
    for i, (sha, tcol, pcol, scol, lcol, rcol) in enumerate(batches):
        checkpoint(cancel)
        report(progress, 0.02 + 0.08 * i / len(batches), f"Loading prediction batch {i + 1} of {len(batches)}")
        df = ws.load_dataset(sha)
        part = df[list(feature_names)].copy()
        part["__ts"] = df[tcol].dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
        part["__pred"] = df[pcol]
        part["__score"] = df[scol].astype("float64") if scol else np.nan
        part["__label"] = df[lcol].astype(object).where(df[lcol].notna(), None) if lcol else None
        part["__rid"] = df[rcol].astype(str) if rcol else None
        parts.append(part)
    log = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if labels:
        late = pd.concat([ws.load_dataset(sha) for sha in labels], ignore_index=True)
        late = late.drop_duplicates("request_id", keep="last").set_index("request_id")["label"]
        has_rid = log["__rid"].notna().to_numpy()
        if has_rid.any():
            mapped = log.loc[has_rid, "__rid"].map(late)
            hit = mapped.notna().to_numpy()
            idx = np.flatnonzero(has_rid)[hit]
            lab = np.array(log["__label"].to_numpy(dtype=object), dtype=object, copy=True)
            lab[idx] = mapped.to_numpy()[hit]
            log["__label"] = lab
    order = np.argsort(log["__ts"].to_numpy(), kind="stable")
    log = log.iloc[order].reset_index(drop=True)
    return _Log(
        features=log[list(feature_names)],
        ts=log["__ts"].to_numpy(),
        prediction=log["__pred"],
        score=log["__score"] if any_score else None,
        label=log["__label"].astype(object),
    )


def _apply_thresholds(res: "DriftResult", th: Thresholds) -> None:
    """Re-decide status/drifted of every tested column with the model's thresholds
    (only when they differ from the DESIGN.md defaults and the rule is PSI)."""
    if th.psi_warning == PSI_WARNING and th.psi_drift == PSI_DRIFT:
        return
    cols = list(res.columns) + ([res.target] if res.target is not None else [])
    for c in cols:
        if c.tested:
            c.status = th.status(c.psi)
            c.drifted = c.status == DriftStatus.DRIFT
    res.n_drifted = sum(1 for c in res.columns if c.drifted)
    res.dataset_drift = res.n_tested > 0 and 2 * res.n_drifted >= res.n_tested


def _performance(task: str, meta: dict, pred: pd.Series, score: Optional[pd.Series], label: pd.Series) -> Optional[dict]:
    """Metrics of the labelled rows (scikit-learn), ``None`` when none is labelled."""
    from sklearn import metrics as skm

    has = label.notna().to_numpy()
    n = int(has.sum())
    if n == 0:
        return None
    out: dict[str, Any] = {"n_labelled": n}
    reasons: dict[str, str] = {}
    y = label[has]
    p = pred[has]
    if task == TaskType.REGRESSION.value:
        yt = pd.to_numeric(y, errors="coerce").to_numpy(dtype=float)
        yp = pd.to_numeric(p, errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(yt) & np.isfinite(yp)
        if not ok.any():
            return {"n_labelled": n, "reasons": {"all": "labels or predictions are not numbers"}}
        yt, yp = yt[ok], yp[ok]
        out["rmse"] = float(np.sqrt(skm.mean_squared_error(yt, yp)))
        out["mae"] = float(skm.mean_absolute_error(yt, yp))
        if len(yt) >= 2 and float(np.var(yt)) > 0:
            out["r2"] = float(skm.r2_score(yt, yp))
        else:
            out["r2"] = None
            reasons["r2"] = "fewer than 2 labelled rows or constant labels"
        out["mean_label"] = float(np.mean(yt))
        out["mean_prediction"] = float(np.mean(yp))
    else:
        yt = np.array([value_text(v) for v in y], dtype=object)
        yp = np.array([value_text(v) for v in p], dtype=object)
        out["accuracy"] = float(skm.accuracy_score(yt, yp))
        pos = meta.get("positive_class")
        if pos is not None:
            out["positive_class"] = pos
            out["positive_rate"] = float(np.mean(yt == pos))
            out["predicted_positive_rate"] = float(np.mean(yp == pos))
            prf = skm.precision_recall_fscore_support(yt == pos, yp == pos, average="binary", zero_division=0)
            out["precision"], out["recall"], out["f1"] = (float(prf[0]), float(prf[1]), float(prf[2]))
            if (yt == pos).all() or (yt != pos).all():
                out["roc_auc"] = None
                reasons["roc_auc"] = "only one class among the labels"
            elif score is None:
                out["roc_auc"] = None
                reasons["roc_auc"] = "no score (probability) was logged; ingest with --score COL"
            else:
                sc = score[has].to_numpy(dtype=float)
                ok = np.isfinite(sc)
                if ok.sum() < 2 or len(set((yt == pos)[ok])) < 2:
                    out["roc_auc"] = None
                    reasons["roc_auc"] = "too few labelled rows with a score"
                else:
                    out["roc_auc"] = float(skm.roc_auc_score((yt == pos)[ok], sc[ok]))
    out["reasons"] = reasons
    return out


def run_monitoring(
    ws: "Workspace",
    model: Union[int, str],
    version: Union[int, str, None] = None,
    *,
    window: str = "1M",
    actor: Optional[str] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> MonitoringRun:
    """Compute the monitoring windows of a version's ingested prediction logs and store
    them as one drift run (see the module docstring for windows, statistics, thresholds
    and alerts).

    ``window``: ``1D`` | ``1W`` | ``1M`` | ``1H`` | ``<N>rows``.  The reference profile is
    computed and stored on the first run (:func:`ensure_reference_profile`).  The run,
    its windows, its audit event ``monitoring.run`` and any finding it opens are one
    transaction at the end; a cancelled or failed run writes nothing (except a profile
    computed before, which is reused).  Returns the :class:`MonitoringRun`.

    Raises :class:`InputError` for a bad window rule, no ingested logs, or more than
    :data:`MAX_WINDOWS` windows; :class:`NotFoundError`; ``Cancelled``.
    """
    from console.monitoring.drift import compare
    from console.services.findings import add_finding
    from console.services.workspace import default_actor, drift_window_row

    rule = parse_window(window)
    actor = actor or default_actor()
    report(progress, 0.0, "Loading the prediction logs")
    with ws._session() as s:
        m, v = _model_version(ws, s, model, version)
        model_name, model_id, vnum, vid, task = m.name, m.id, v.version, v.id, m.task
        feature_names = list(v.training_schema or {})
        target = v.target_column
        reference_sha = v.reference_sha256
        th = _thresholds_of(s, model_id)
    log = _load_log(ws, vid, feature_names, cancel, progress)
    if log is None:
        raise InputError(f"{model_name} v{vnum} has no prediction logs; ingest some first "
                         f"(tollgate monitor ingest '{model_name}@{vnum}' FILE)")
    bounds = _window_bounds(log.ts, rule)
    if len(bounds) > MAX_WINDOWS:
        raise InputError(f"window {rule.text} gives {len(bounds):,} windows over {len(log.ts):,} rows (at most "
                         f"{MAX_WINDOWS:,}); choose a coarser window (1W, 1M or more rows)")
    info = ensure_reference_profile(ws, model_id, vnum, actor=actor, progress=_span(progress, 0.1, 0.2),
                                    cancel=cancel)
    profile, pred_profile, meta = _load_profiles(ws, vid)
    tgt = target if target in profile.profiles and target not in feature_names else None
    if th.excluded:
        keep_cols = [c for c in profile.columns if c not in th.excluded]
        profile = dataclasses.replace(profile, columns=keep_cols, profiles={k: profile.profiles[k] for k in keep_cols})
    monitored = [c for c in feature_names if c not in th.excluded]
    if pred_profile is not None:
        keep = ["prediction"] + (["score"] if log.score is not None and "score" in pred_profile.profiles else [])
        pred_profile = dataclasses.replace(pred_profile, columns=keep,
                                           profiles={k: pred_profile.profiles[k] for k in keep})
    windows: list[tuple[MonitoringWindow, Any, str]] = []
    for i, (a, b, label, start, end) in enumerate(bounds):
        checkpoint(cancel)
        report(progress, 0.2 + 0.75 * i / max(1, len(bounds)), f"Window {i + 1} of {len(bounds)}: {label}")
        cur = log.features.iloc[a:b]
        if th.excluded:
            cur = cur[monitored]
        lab = log.label.iloc[a:b]
        n_lab = int(lab.notna().sum())
        if tgt is not None:
            cur = cur.assign(**{tgt: lab.to_numpy()})
        res = compare(profile, cur, target=tgt, cancel=cancel, workers=1)
        _apply_thresholds(res, th)
        pdoc = None
        if pred_profile is not None:
            pcur = pd.DataFrame({"prediction": log.prediction.iloc[a:b].to_numpy()})
            if "score" in pred_profile.columns:
                pcur["score"] = log.score.iloc[a:b].to_numpy()
            pres = compare(pred_profile, pcur, cancel=cancel, workers=1)
            _apply_thresholds(pres, th)
            pdoc = json_safe(pres.to_json())
        perf = _performance(task, meta, log.prediction.iloc[a:b], None if log.score is None else log.score.iloc[a:b],
                            lab)
        statuses = [c.status.value for c in res.columns if c.tested and c.status is not None]
        order = {"stable": 0, "warning": 1, "drift": 2}
        status = max(statuses, key=order.__getitem__) if statuses else None
        mw = MonitoringWindow(i, label, start, end, b - a, n_lab, status, json_safe(res.to_json()), pdoc,
                              json_safe(perf) if perf is not None else None)
        windows.append((mw, res, dataframe_fingerprint(cur)))
    checkpoint(cancel)
    report(progress, 0.96, "Saving the monitoring run")
    with ws._write() as s:
        model_row = s.get(orm.RegisteredModelRow, model_id)
        earlier = set(s.execute(
            select(orm.DriftRunRow.window_rule, orm.DriftWindowRow.start)
            .join(orm.DriftWindowRow, orm.DriftWindowRow.run_id == orm.DriftRunRow.id)
            .where(orm.DriftRunRow.version_id == vid, orm.DriftRunRow.source == SOURCE,
                   orm.DriftWindowRow.status == "drift")).all())
        run = orm.DriftRunRow(
            version_id=vid, created_at=utcnow(), created_by=actor,
            label=f"Prediction logs of v{vnum}, {_rule_words(rule)} (UTC)",
            reference_sha256=reference_sha or info.fingerprint, source=SOURCE, window_rule=rule.text,
            profile_fingerprint=info.fingerprint,
            settings=json_safe({"source": SOURCE, "window": rule.text, "target": tgt, "decision": "psi>=psi_drift",
                                "psi_warning": th.psi_warning, "psi_drift": th.psi_drift,
                                "excluded_columns": list(th.excluded),
                                "profile_sha256": info.fingerprint, "n_windows": len(windows),
                                "rows": int(len(log.ts))}),
        )
        for mw, res, wsha in windows:
            wrow = drift_window_row(mw.index, mw.label, mw.start, mw.end, mw.rows, wsha, res)
            wrow.n_labelled = mw.n_labelled
            wrow.performance = mw.performance
            wrow.prediction_drift = mw.prediction_drift
            run.windows.append(wrow)
        s.add(run)
        s.flush()
        ws._audit(s, actor, "monitoring.run", "drift_run", run.id, model_id=model_id,
                  new={"version": vnum, "window": rule.text, "windows": len(windows), "rows": int(len(log.ts)),
                       "profile_fingerprint": info.fingerprint, "latest_status": windows[-1][0].status if windows
                       else None})
        new_drift = [mw for mw, _, _ in windows if mw.status == "drift" and (rule.text, mw.start) not in earlier]
        opened: list[int] = []
        if new_drift:
            first = new_drift[0]
            cols = sorted((c for c in first.drift["columns"] if c.get("status") == "drift"),
                          key=lambda c: -(c.get("psi") or 0))
            names = ", ".join(f"{c['name']} {c['psi']:.2f}" for c in cols[:5] if c.get("psi") is not None)
            detail = "; ".join(f"{mw.label}: {mw.drift['n_drifted']} of {mw.drift['n_tested']} features drifted"
                               for mw in new_drift[:20])
            frow = add_finding(
                ws, s, model_row, source="drift", actor=actor, version_id=vid, source_ref=f"v{vnum}:monitoring",
                title=f"v{vnum}: drift in monitoring window {first.label} (PSI ≥ {th.psi_drift:g}: {names or 'features'})",
                detail=f"monitoring run #{run.id} ({rule.text} windows, profile {info.fingerprint[:12]}…): {detail}")
            if frow is not None:
                opened.append(frow.id)
        s.flush()
        ids = [w.id for w in run.windows]
        created_at = run.created_at
        run_id = run.id
    out = MonitoringRun(run_id, model_name, model_id, vnum, vid, rule.text, info.fingerprint, th,
                        tuple(dataclasses.replace(mw, window_id=wid) for (mw, _, _), wid in zip(windows, ids)),
                        created_at, actor, task, tuple(opened))
    report(progress, 1.0, f"Monitoring: {len(windows)} windows, latest {out.latest_status or 'not computed'}")
    return out


def _rule_words(rule: WindowRule) -> str:
    return {"hour": "hourly windows", "day": "daily windows", "week": "weekly windows (ISO weeks)",
            "month": "monthly windows"}.get(rule.unit, f"windows of {rule.rows:,} rows")


def monitoring_history(ws: "Workspace", model: Union[int, str], version: Union[int, str, None] = None, *,
                       run_id: Optional[int] = None) -> Optional[MonitoringRun]:
    """The newest stored monitoring run of a version (or run ``run_id``), read back from
    the workspace with its windows, or ``None`` when the version was never monitored.
    Cheap enough for a GUI worker (no statistics are recomputed)."""
    from sqlalchemy.orm import selectinload

    with ws._session() as s:
        m, v = _model_version(ws, s, model, version)
        q = (select(orm.DriftRunRow).where(orm.DriftRunRow.version_id == v.id, orm.DriftRunRow.source == SOURCE)
             .options(selectinload(orm.DriftRunRow.windows).selectinload(orm.DriftWindowRow.features))
             .order_by(orm.DriftRunRow.created_at.desc(), orm.DriftRunRow.id.desc()))
        if run_id is not None:
            q = q.where(orm.DriftRunRow.id == run_id)
        run = s.scalars(q.limit(1)).first()
        if run is None:
            return None
        settings = dict(run.settings or {})
        excl = tuple(settings.get("excluded_columns") or ())
        th = Thresholds(float(settings.get("psi_warning", PSI_WARNING)), float(settings.get("psi_drift", PSI_DRIFT)),
                        settings.get("psi_warning", PSI_WARNING) == PSI_WARNING
                        and settings.get("psi_drift", PSI_DRIFT) == PSI_DRIFT and not excl, excluded=excl)
        prof = s.scalar(select(orm.ReferenceProfileRow).where(orm.ReferenceProfileRow.version_id == v.id))
        fmt = prof.format_version if prof is not None else None
        windows = []
        for w in run.windows:
            target = next((f.result for f in w.features if f.is_target), None)
            doc = {"dataset_drift": w.dataset_drift, "n_tested": w.n_tested, "n_drifted": w.n_drifted,
                   "target": target, "columns": [f.result for f in w.features if not f.is_target],
                   "reference_profile": {"fingerprint": run.profile_fingerprint, "format_version": fmt}}
            windows.append(MonitoringWindow(w.position, w.label, w.start or "", w.end or "", w.n_rows,
                                            w.n_labelled or 0, w.status, doc, w.prediction_drift, w.performance, w.id))
        return MonitoringRun(run.id, m.name, m.id, v.version, v.id, run.window_rule or "", run.profile_fingerprint or "",
                             th, tuple(windows), run.created_at, run.created_by, m.task)


# =========================================================================== thresholds
def get_thresholds(ws: "Workspace", model: Union[int, str]) -> Thresholds:
    """The model's PSI alert thresholds (DESIGN.md defaults when never set)."""
    with ws._session() as s:
        return _thresholds_of(s, ws._model_row(s, model).id)


def set_thresholds(ws: "Workspace", model: Union[int, str], *, psi_warning: Optional[float] = None,
                   psi_drift: Optional[float] = None, exclude_columns: Optional[Sequence[str]] = None,
                   actor: Optional[str] = None, reason: str = "") -> Thresholds:
    """Store the model's PSI alert thresholds and the feature columns left out of drift
    monitoring (``None`` keeps the current value; ``exclude_columns=()`` clears the
    list); audited ``monitoring.thresholds_set`` with old -> new; they apply to the next
    monitoring run.  Raises :class:`InputError` unless 0 < ``psi_warning`` <
    ``psi_drift`` (finite numbers) and every excluded column is a feature of some version
    of the model."""
    from console.services.workspace import default_actor

    actor = actor or default_actor()
    with ws._write() as s:
        m = ws._model_row(s, model)
        cur = _thresholds_of(s, m.id)
        try:
            w = float(cur.psi_warning if psi_warning is None else psi_warning)
            d = float(cur.psi_drift if psi_drift is None else psi_drift)
        except (TypeError, ValueError):
            raise InputError("PSI thresholds must be numbers, e.g. --warning 0.1 --drift 0.25") from None
        if not (math.isfinite(w) and math.isfinite(d) and 0 < w < d):
            raise InputError(f"PSI thresholds must satisfy 0 < warning < drift (got warning {w:g}, drift {d:g}); "
                             "the defaults are 0.1 and 0.25 (Siddiqi 2006)")
        excl = list(cur.excluded) if exclude_columns is None else [str(c).strip() for c in exclude_columns
                                                                    if str(c).strip()]
        known = set()
        for v in m.versions:
            known.update(v.training_schema or {})
        unknown = [c for c in excl if c not in known]
        if unknown:
            raise InputError(f"cannot exclude {few_names(unknown)}: not a feature of model {m.name!r} "
                             f"(features: {few_names(sorted(known), 12)})")
        excl = list(dict.fromkeys(excl))
        old = {"psi_warning": cur.psi_warning, "psi_drift": cur.psi_drift, "exclude_columns": list(cur.excluded)}
        new = {"psi_warning": w, "psi_drift": d, "exclude_columns": excl}
        if old == new:
            return cur
        row = s.scalar(select(orm.MonitoringPolicyRow).where(orm.MonitoringPolicyRow.model_id == m.id))
        if row is None:
            row = orm.MonitoringPolicyRow(model_id=m.id)
            s.add(row)
        row.psi_warning, row.psi_drift, row.exclude_columns = w, d, excl
        row.updated_at, row.updated_by = utcnow(), actor
        s.flush()
        ws._audit(s, actor, "monitoring.thresholds_set", "monitoring_policy", row.id, model_id=m.id, old=old,
                  new=new, reason=reason)
        return _thresholds_of(s, m.id)


# =========================================================================== preview
@dataclass(frozen=True)
class TablePreview:
    """The first rows of a file as Tollgate would read them, for the import dialog.

    ``head``: parsed DataFrame (at most ``rows`` rows); ``dtypes``: column -> pandas
    dtype; ``kinds``: column -> ``number`` | ``text`` | ``datetime`` | ``bool``;
    ``file_kind``: ``text`` | ``parquet``; ``encoding``, ``separator``, ``decimal``,
    ``thousands``: what was used (detected unless given); ``date_formats``: column ->
    format that parses every previewed value (``ISO8601`` or a ``strptime`` pattern, to
    pass as ``timestamp_format``); ``ambiguous_dates``: columns where day/month order
    cannot be told from the previewed values; ``notes``: remarks (e.g. encoding guessed);
    ``suggested``: guessed roles (``timestamp``, ``prediction``, ``label``, ``score``,
    ``request_id``) by column name."""

    head: pd.DataFrame
    dtypes: dict[str, str]
    kinds: dict[str, str]
    file_kind: str
    encoding: Optional[str]
    separator: Optional[str]
    decimal: Optional[str]
    thousands: Optional[str]
    date_formats: dict[str, str]
    ambiguous_dates: tuple[str, ...]
    notes: tuple[str, ...]
    suggested: dict[str, str]


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%Y %H:%M:%S",
                 "%d/%m/%Y %H:%M", "%d/%m/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
                 "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y")
_ROLE_NAMES = {"timestamp": ("timestamp", "ts", "time", "datetime", "event_time", "scored_at", "date"),
               "prediction": ("prediction", "pred", "predicted", "y_pred", "output"),
               "score": ("score", "probability", "proba", "prob"),
               "label": ("label", "actual", "y_true", "outcome", "target"),
               "request_id": ("request_id", "requestid", "id", "request", "uuid", "event_id")}


def _kind(dtype: Any) -> str:
    """The preview's word for a column type (:func:`console.monitoring.io.dtype_family`;
    anything else reads as text)."""
    from console.monitoring.io import dtype_family

    kind = dtype_family(dtype)
    return "text" if kind == "other" else kind


def preview_table(path: Union[str, Path], *, sep: Optional[str] = None, encoding: Optional[str] = None,
                  decimal: Optional[str] = None, thousands: Optional[str] = None, skip_rows: int = 0,
                  header: bool = True, rows: int = 50) -> TablePreview:
    """Parse the first ``rows`` rows of a CSV/TSV/Parquet file exactly as
    :func:`ingest_predictions` would (same reader), detecting what is not given:
    ``encoding`` (a byte-order mark, else UTF-8, else cp1252 with a note), the separator
    (sniffed), the decimal mark (``,`` when text columns look like ``1,5`` / ``1.234,5``
    and the separator is not a comma), and date formats of text columns.  Only the
    head of the file is read, so it is fast on large files.

    Raises :class:`InputError` as :func:`console.monitoring.io.read_table` does."""
    import tempfile

    from console.monitoring.io import PARQUET_SUFFIXES, read_table

    p = Path(path)
    if not p.is_file():
        raise InputError(f"file not found: {path}; check the path")
    notes: list[str] = []
    with open(p, "rb") as fh:
        magic = fh.read(4)
    if p.name.lower().endswith(PARQUET_SUFFIXES) or magic == b"PAR1":
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(p)
            batch = next(pf.iter_batches(batch_size=max(1, rows)), None)
        except Exception as exc:
            raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__}); export it again") from None
        head = batch.to_pandas() if batch is not None else pd.DataFrame()
        head.columns = [str(c) for c in head.columns]
        return TablePreview(head, {c: str(head[c].dtype) for c in head.columns},
                            {c: _kind(head[c].dtype) for c in head.columns}, "parquet", None, None, None, None,
                            {c: "ISO8601" for c in head.columns if _kind(head[c].dtype) == "datetime"}, (), (),
                            _suggest(list(head.columns)))
    raw = p.read_bytes()[: 1 << 20]
    if encoding is None:
        if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
            encoding = "utf-8" if raw.startswith(b"\xef\xbb\xbf") else "utf-16"
        else:
            try:
                raw.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError as exc:
                if exc.start < len(raw) - 4:  # not just a character cut at the 1 MiB boundary
                    encoding = "cp1252"
                    notes.append("the file is not valid UTF-8; read as cp1252 (Windows Western European): "
                                 "choose another encoding if characters look wrong")
                else:
                    encoding = "utf-8"
    # the head of the file, cut at a line boundary, read by the same reader
    lines = raw.split(b"\n")
    keep = b"\n".join(lines[: skip_rows + (1 if header else 0) + rows]) + b"\n"
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d) / (p.stem + ".csv" if not p.name.lower().endswith((".tsv", ".tab")) else p.name)
        tmp.write_bytes(keep)
        opts = dict(sep=sep, encoding=encoding, decimal=decimal or ".", thousands=thousands, skip_rows=skip_rows,
                    header=header)
        try:
            head = read_table(tmp, **opts)
        except InputError as exc:
            raise InputError(str(exc).replace(str(tmp), str(path))) from None
        from console.monitoring.io import _sample_lines, _codec, sniff_separator  # same sniffing as the reader

        used_sep = sep or ("\t" if tmp.name.lower().endswith((".tsv", ".tab")) else
                           sniff_separator(_sample_lines(tmp, str(path), _codec(encoding, str(path)), skip_rows),
                                           exclude=tuple(c for c in (decimal or ".", thousands) if c)))
        if decimal is None and used_sep != ",":
            text_cols = [c for c in head.columns if _kind(head[c].dtype) == "text"]
            comma = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d+$|^-?\d+,\d+$")
            if any(head[c].dropna().astype(str).str.strip().str.match(comma).all() and head[c].notna().any()
                   for c in text_cols):
                dotted = any(head[c].dropna().astype(str).str.contains(r"\.\d{3},", regex=True).any() for c in text_cols)
                decimal, thousands = ",", (thousands or ("." if dotted else None))
                head = read_table(tmp, **{**opts, "decimal": ",", "thousands": thousands, "sep": used_sep})
                notes.append("numbers use a decimal comma" + (" and '.' thousands" if thousands == "." else ""))
    date_formats: dict[str, str] = {}
    ambiguous: list[str] = []
    for c in head.columns:
        k = _kind(head[c].dtype)
        if k == "datetime":
            date_formats[c] = "ISO8601"
        elif k == "text":
            vals = head[c].dropna().astype(str).str.strip()
            if vals.empty:
                continue
            fits = [f for f in _DATE_FORMATS if pd.to_datetime(vals, format=f, errors="coerce").notna().all()]
            if fits:
                date_formats[c] = fits[0]
                if any(f.startswith("%d/%m") for f in fits) and any(f.startswith("%m/%d") for f in fits):
                    ambiguous.append(c)
    return TablePreview(head, {c: str(head[c].dtype) for c in head.columns},
                        {c: _kind(head[c].dtype) for c in head.columns}, "text", encoding, used_sep,
                        decimal or ".", thousands, date_formats, tuple(ambiguous), tuple(notes),
                        _suggest(list(head.columns)))


def _suggest(columns: list[str]) -> dict[str, str]:
    low = {c.lower().strip(): c for c in columns}
    out: dict[str, str] = {}
    for role, names in _ROLE_NAMES.items():
        for n in names:
            if n in low and low[n] not in out.values():
                out[role] = low[n]
                break
    return out
