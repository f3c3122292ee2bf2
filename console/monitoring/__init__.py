"""Drift monitoring: reading tabular files and drift statistics (numpy/scipy/pandas only).

Nothing in this package imports Qt or SQLAlchemy (DESIGN.md, Layers).  The public entry
points are:

* :func:`console.monitoring.io.read_table` / :func:`console.monitoring.io.read_pair` --
  CSV/TSV/Parquet reading with one schema for reference and current data;
* :class:`console.monitoring.drift.ReferenceProfile`, :func:`~console.monitoring.drift.compare`
  and :func:`~console.monitoring.drift.compute_drift` -- the drift engine.
"""

from __future__ import annotations

from console.monitoring.drift import (
    ColumnDrift,
    DriftResult,
    DriftRule,
    ReferenceProfile,
    compare,
    compute_drift,
    dataframe_fingerprint,
)
from console.monitoring.io import DataNote, read_pair, read_table

__all__ = [
    "ColumnDrift",
    "DataNote",
    "DriftResult",
    "DriftRule",
    "ReferenceProfile",
    "compare",
    "compute_drift",
    "dataframe_fingerprint",
    "read_pair",
    "read_table",
]
