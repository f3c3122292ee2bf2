"""Text formatting shared by the views (dates, metrics, hashes, check values).

Dates are shown in UTC with ISO order (``2025-03-14 09:30 UTC``): unambiguous across
the offices of a bank, and what the audit trail stores.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any, Mapping, Optional

__all__ = [
    "date",
    "datetime_utc",
    "number",
    "metrics",
    "short_sha",
    "values",
    "values_pretty",
    "status_word",
    "enum_text",
    "change",
    "relative_time",
    "milliseconds",
]

#: Metric names with a conventional short label.
_METRIC_LABELS = {
    "roc_auc": "AUC",
    "auc": "AUC",
    "accuracy": "accuracy",
    "balanced_accuracy": "bal. acc.",
    "f1": "F1",
    "precision": "precision",
    "recall": "recall",
    "log_loss": "log loss",
    "brier": "Brier",
    "brier_score": "Brier",
    "average_precision": "AP",
    "gini": "Gini",
    "ks": "KS",
    "r2": "R²",
    "rmse": "RMSE",
    "mae": "MAE",
}


def _utc(d: datetime) -> datetime:
    if d.tzinfo is None:
        return d.replace(tzinfo=timezone.utc)
    return d.astimezone(timezone.utc)


def date(d: Optional[datetime]) -> str:
    return "" if d is None else _utc(d).strftime("%Y-%m-%d")


def datetime_utc(d: Optional[datetime], seconds: bool = False, suffix: bool = True) -> str:
    """``2025-03-14 09:30 UTC``; ``suffix=False`` drops " UTC" (for columns whose
    header already says so)."""
    if d is None:
        return ""
    text = _utc(d).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return text + " UTC" if suffix else text


def number(x: Any, digits: int = 3) -> str:
    """A compact number: ints as is, floats with ``digits`` significant decimals."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        if not math.isfinite(x):
            return "—"
        if x == 0:
            return "0"
        ax = abs(x)
        if ax >= 1000:
            return f"{x:,.0f}"
        if ax < 10 ** (-digits):
            return f"{x:.2e}"
        return f"{x:.{digits}f}".rstrip("0").rstrip(".") if ax < 1 else f"{x:.{digits}g}"
    return str(x)


def metric_label(name: str) -> str:
    return _METRIC_LABELS.get(name.lower(), name.replace("_", " "))


def metric_value(x: Any) -> str:
    """Metrics with four fixed decimals (0.8000, not 0.8) so columns line up and a value
    just under a threshold (0.6996 vs 0.70) never reads as meeting it."""
    if isinstance(x, float) and math.isfinite(x) and abs(x) < 1000:
        return f"{x:.4f}"
    return number(x)


def metrics(m: Mapping[str, Any], limit: int = 4) -> str:
    """``AUC 0.912 · accuracy 0.874 · …`` (first ``limit`` metrics)."""
    items = list(m.items())
    parts = [f"{metric_label(k)} {metric_value(v)}" for k, v in items[:limit]]
    if len(items) > limit:
        parts.append(f"+{len(items) - limit} more")
    return " · ".join(parts)


def metrics_tooltip(m: Mapping[str, Any]) -> str:
    return "\n".join(f"{k}: {number(v, 4)}" for k, v in m.items()) or "no metrics recorded"


def short_sha(sha: Optional[str], n: int = 12) -> str:
    if not sha:
        return "—"
    return sha[:n] + "…" if len(sha) > n else sha


def _value(v: Any) -> str:
    if isinstance(v, float):
        return number(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_value(x)}" for k, x in list(v.items())[:4]) + (", …}" if len(v) > 4 else "}")
    if isinstance(v, (list, tuple)):
        inner = ", ".join(_value(x) for x in list(v)[:4])
        return "[" + inner + (", …]" if len(v) > 4 else "]")
    if v is None:
        return "—"
    return str(v)


def values(v: Mapping[str, Any]) -> str:
    """One-line summary of a check's values: ``auc=0.91, threshold=0.7``."""
    return ", ".join(f"{k}={_value(x)}" for k, x in v.items())


def values_pretty(v: Mapping[str, Any]) -> str:
    """The full values as indented JSON (for tooltips and the detail pane)."""
    try:
        return json.dumps(v, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(v)


def enum_text(x: Any) -> str:
    return "" if x is None else str(getattr(x, "value", x))


def status_word(x: Any) -> str:
    return enum_text(x) or "—"


def change(old: Optional[Mapping[str, Any]], new: Optional[Mapping[str, Any]]) -> str:
    """Compact ``old → new`` text of an audit event."""
    if old and new:
        keys = list(dict.fromkeys([*old.keys(), *new.keys()]))
        parts = []
        for k in keys:
            a, b = old.get(k), new.get(k)
            if a != b:
                parts.append(f"{k}: {_value(a)} → {_value(b)}")
        return "; ".join(parts) or values(new)
    if new:
        return values(new)
    if old:
        return "removed " + values(old)
    return ""


def relative_time(d: Optional[datetime], now: Optional[datetime] = None) -> str:
    """``just now``, ``4 min ago``, ``3 h ago``, ``yesterday``, ``5 days ago``; older
    than 30 days: the UTC date.  ``None`` -> ``never``.  (Show the exact time with
    :func:`datetime_utc` in a tooltip: relative times are for scanning, not evidence.)"""
    if d is None:
        return "never"
    now = _utc(now) if now is not None else datetime.now(timezone.utc)
    secs = (now - _utc(d)).total_seconds()
    if secs < -60:  # a clock ahead of ours: say the time rather than "in the future"
        return datetime_utc(d)
    if secs < 60:
        return "just now"
    if secs < 3600:
        return f"{int(secs // 60)} min ago"
    if secs < 86400:
        return f"{int(secs // 3600)} h ago"
    days = int(secs // 86400)
    if days == 1:
        return "yesterday"
    if days <= 30:
        return f"{days} days ago"
    return date(d)


def milliseconds(ms: Optional[float]) -> str:
    """A round-trip time: ``38 ms``, ``1.2 s``."""
    if ms is None or not math.isfinite(ms):
        return "—"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
