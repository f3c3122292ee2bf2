"""JSON-safe conversion shared by the CLI, the store and the reports."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def json_safe(obj: Any) -> Any:
    """Recursively turn ``obj`` into plain JSON values.

    NaN/±inf floats become ``None`` (DESIGN.md: JSON never contains NaN or Infinity),
    numpy scalars become Python scalars, datetimes ISO 8601 strings, enums their value.
    """
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [json_safe(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "value") and not isinstance(obj, (int, str, bool)):  # enums
        return obj.value
    return obj
