"""Drift monitoring: reading tabular files and drift statistics (numpy/scipy/pandas only).

Nothing in this package imports Qt or SQLAlchemy (DESIGN.md, Layers).  The public entry
points are:

* :func:`console.monitoring.io.read_table` / :func:`console.monitoring.io.read_pair` --
  CSV/TSV/Parquet reading with one schema for reference and current data;
* :class:`console.monitoring.drift.ReferenceProfile`, :func:`~console.monitoring.drift.compare`
  and :func:`~console.monitoring.drift.compute_drift` -- the drift engine;
* :func:`prefer_fast_sort` -- call it before numpy is imported (first thing in an entry
  point) to avoid numpy's slow AVX-512 sort on AMD Zen 4 processors.

The exports are loaded lazily (PEP 562), so importing this package -- e.g. to call
:func:`prefer_fast_sort` -- does not import numpy.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = [
    "ColumnDrift",
    "DataNote",
    "DriftResult",
    "DriftRule",
    "ReferenceProfile",
    "compare",
    "compute_drift",
    "dataframe_fingerprint",
    "prefer_fast_sort",
    "read_pair",
    "read_table",
]

_LAZY = {
    "ColumnDrift": "console.monitoring.drift",
    "DriftResult": "console.monitoring.drift",
    "DriftRule": "console.monitoring.drift",
    "ReferenceProfile": "console.monitoring.drift",
    "compare": "console.monitoring.drift",
    "compute_drift": "console.monitoring.drift",
    "dataframe_fingerprint": "console.monitoring.drift",
    "DataNote": "console.monitoring.io",
    "read_pair": "console.monitoring.io",
    "read_table": "console.monitoring.io",
}

#: numpy >= 2.4 names of its AVX-512 dispatch targets (``numpy.show_runtime()``); older
#: numpy versions use other names and ignore the whole setting when one is unknown, so
#: :func:`prefer_fast_sort` only acts on numpy >= 2.4.
_NUMPY_AVX512_TARGETS = "X86_V4 AVX512_ICL AVX512_SPR"


def _is_zen4() -> bool:
    """True on an AMD family 19h processor (Zen 3/Zen 4) that reports AVX-512 (= Zen 4)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            head = fh.read(8192)
    except OSError:
        return False
    fields: dict[str, str] = {}
    for line in head.splitlines():
        if not line.strip():
            break  # first processor only
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return (
        fields.get("vendor_id") == "AuthenticAMD"
        and fields.get("cpu family") == "25"
        and "avx512f" in fields.get("flags", "").split()
    )


def prefer_fast_sort() -> bool:
    """Make numpy use its AVX2 sort instead of its AVX-512 sort on AMD Zen 4.

    numpy's AVX-512 sort (x86-simd-sort) stores with ``vpcompress`` to memory, which is
    microcoded on Zen 4 (AMD's Zen 4 optimisation guide, 2.11.2; numpy/x86-simd-sort
    issue 6): ``numpy.sort`` of 1,000,000 float64 takes 53 ms there against 9.4 ms with
    the AVX2 code, and one sort per numeric column is the floor of the drift engine.
    On such a processor, with numpy >= 2.4 installed and not yet imported, this sets
    ``NPY_DISABLE_CPU_FEATURES`` (read by numpy once, at import) to its AVX-512 targets.
    It does nothing when that variable is already set (also when empty: the user's
    choice wins), on other processors, or once numpy is imported.  Elementwise numpy
    code runs at about the same speed with AVX2 on Zen 4 (256-bit execution units).

    Call it first thing in a process entry point.  Returns True when it set the variable.
    """
    if "numpy" in sys.modules or "NPY_DISABLE_CPU_FEATURES" in os.environ:
        return False
    if not _is_zen4():
        return False
    try:
        from importlib.metadata import version

        major, minor = (int(x) for x in version("numpy").split(".")[:2])
    except Exception:  # not installed as a distribution / unusual version text
        return False
    if (major, minor) < (2, 4):
        return False
    os.environ["NPY_DISABLE_CPU_FEATURES"] = _NUMPY_AVX512_TARGETS
    return True


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'console.monitoring' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
