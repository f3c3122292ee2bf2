"""Content fingerprints (SHA-256) of bytes and of tabular data.

The training-data fingerprint recorded with every model version, the fingerprint of the
data each validation run used, and the drift reference fingerprint are all
:func:`dataframe_fingerprint`: the same content and dtypes give the same hash whatever
file format or row index the data came in.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np
import pandas as pd


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data`` (64 lowercase hex characters)."""
    return hashlib.sha256(data).hexdigest()


def value_text(v: Any) -> str:
    """Text form of a non-string value: integral floats without ``.0`` (25.0 -> "25"),
    other floats by ``repr``, booleans as True/False.  Shared by the fingerprint and the
    drift engine's category labels, so the same value is always spelled the same."""
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if not math.isfinite(v):
            return repr(v)
        return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)
    return str(v)


def _hash_series(h: "hashlib._Hash", s: pd.Series) -> None:
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        arr = np.ascontiguousarray(s.to_numpy())
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        if dtype.kind == "f" and np.isnan(arr).any():
            arr = np.where(np.isnan(arr), np.nan, arr)
        h.update(arr.view(np.uint8) if arr.size else b"")
        return
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        if getattr(dtype, "tz", None) is not None:
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        arr = np.ascontiguousarray(s.to_numpy().view("int64"))
        h.update(arr.view(np.uint8) if arr.size else b"")
        return
    mask = s.isna().to_numpy()
    h.update(np.packbits(mask).tobytes())
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        vals = np.ascontiguousarray(s.to_numpy(dtype=np.float64, na_value=0.0))
        h.update(vals.view(np.uint8) if vals.size else b"")
        return
    import pyarrow as pa
    import pyarrow.compute as pc

    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        text = s
    else:
        text = s.astype(object).where(~mask, None).map(lambda v: v if v is None or isinstance(v, str) else value_text(v))
    arr = pa.array(text, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    arr = pc.fill_null(arr, "")
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype="<i8")[arr.offset : arr.offset + len(arr) + 1]
    h.update(np.ascontiguousarray(np.diff(offsets)).view(np.uint8) if len(arr) else b"")
    if len(arr) and buffers[2] is not None:
        h.update(memoryview(buffers[2])[int(offsets[0]) : int(offsets[-1])])


def dataframe_fingerprint(df: pd.DataFrame) -> str:
    """SHA-256 (hex, 64 chars) of a DataFrame's content, independent of its index.

    Canonical form hashed: ``b"tollgate-frame-v1\\0"``, ``"{rows}\\0{columns}\\0"``, then
    per column in order: its name (UTF-8), ``\\0``, its dtype name, ``\\0`` and its values --
    numbers/booleans as little-endian bytes of the numpy array (one NaN bit pattern),
    datetimes as int64 ticks (UTC), nullable numbers as a packed missing mask plus
    float64, text as a packed missing mask, int64 UTF-8 byte lengths and the concatenated
    UTF-8 bytes (non-text objects as their text).  Same content and dtypes -> same hash.
    """
    h = hashlib.sha256()
    h.update(b"tollgate-frame-v1\0")
    h.update(f"{len(df)}\0{df.shape[1]}\0".encode())
    for i, col in enumerate(df.columns):
        s = df.iloc[:, i]
        h.update(str(col).encode("utf-8") + b"\0" + str(s.dtype).encode("utf-8") + b"\0")
        _hash_series(h, s)
    return h.hexdigest()


