"""Content fingerprints (SHA-256) of bytes and of tabular data.

The training-data fingerprint recorded with every model version is the SHA-256 of a
*canonical serialisation* of the DataFrame, so the same data gives the same hash
whatever file format or row index it came in:

1. a header line ``name<TAB>dtype`` for every column, in column order, then a blank line;
2. the values as CSV (``pandas.DataFrame.to_csv``): comma separator, ``\\n`` line ends,
   no index, missing values as the empty string, floats as ``%.17g`` (round-trip exact),
   datetimes as ISO 8601 with microseconds;
3. encoded as UTF-8.
"""

from __future__ import annotations

import hashlib

import pandas as pd


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data`` (64 lowercase hex characters)."""
    return hashlib.sha256(data).hexdigest()


def dataframe_fingerprint(df: pd.DataFrame) -> str:
    """SHA-256 (hex) of the canonical serialisation of ``df`` (see module docstring)."""
    h = hashlib.sha256()
    header = "".join(f"{c}\t{df[c].dtype}\n" for c in df.columns) + "\n"
    h.update(header.encode("utf-8"))
    body = df.to_csv(
        index=False,
        header=False,
        lineterminator="\n",
        float_format="%.17g",
        na_rep="",
        date_format="%Y-%m-%dT%H:%M:%S.%f",
    )
    h.update(body.encode("utf-8"))
    return h.hexdigest()
