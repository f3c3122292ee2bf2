"""Reading tabular files (CSV, TSV, Parquet) for drift and validation.

Conventions (DESIGN.md, "Reading tabular files"):

* text files are UTF-8 with or without a byte-order mark by default; ``encoding`` names
  another codec.  A decode error is an :class:`~console.errors.InputError` naming the
  first bad line and suggesting ``--encoding``;
* the separator is sniffed among ``,`` ``;`` tab ``|`` (``.tsv``/``.tab`` files default to
  tab) unless ``sep`` is given; the decimal mark and the thousands separator are never
  candidates;
* the first row is the header (``header=False``: columns are named by their 1-based
  position, ``"1"``, ``"2"``, ...); ``skip_rows`` skips preamble lines; blank lines are
  ignored; leading spaces after a separator are dropped (``"a, b"`` reads as ``a``/``b``);
* missing values are empty fields and pandas' default NA markers (``NA``, ``N/A``,
  ``NaN``, ``null``, ...);
* a text column whose non-missing values all parse as ISO 8601 dates/times
  (``YYYY-MM[-DD][Thh:mm[:ss[.f]]][Z|±hh:mm]``) becomes ``datetime64``;
* reference and current files are read with ONE schema (the reference's dtypes): values
  of the current file that do not fit are set missing, counted per column and reported as
  :class:`DataNote` objects (``read_pair``) -- see :func:`read_table` ``schema``.

Every bad input raises :class:`~console.errors.InputError` with one line naming the file
(and the line / column where known) and saying what to do.  No Qt, no SQL here.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import numpy as np
import pandas as pd

from console.errors import InputError

__all__ = [
    "DataNote",
    "NOTES_ATTR",
    "TEXT_SUFFIXES",
    "PARQUET_SUFFIXES",
    "SNIFF_CANDIDATES",
    "read_table",
    "read_pair",
    "sniff_separator",
]

PathLike = Union[str, "os.PathLike[str]"]

#: File name endings read as delimited text.
TEXT_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".dat", ".data")
#: File name endings read as Parquet.
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zip", ".zst", ".7z", ".tar")
#: Separators considered by the sniffer, in order of preference on a tie.
SNIFF_CANDIDATES = ("\t", ";", "|", ",")
#: Key of ``DataFrame.attrs`` under which :func:`read_table` stores its list of notes.
NOTES_ATTR = "tollgate_notes"

_SNIFF_BYTES = 256 * 1024
_SNIFF_LINES = 100
_ISO_RE = re.compile(
    r"^\d{4}-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?)?)?$"
)
_PARSER_FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


@dataclass(frozen=True)
class DataNote:
    """A data-quality remark produced while reading a file.

    ``path`` is the file as given, ``column`` the column concerned (``None`` for the whole
    file), ``count`` the number of values concerned (0 when not a count) and ``message``
    the one-line, human-readable text (also ``str(note)``).
    """

    path: str
    column: Optional[str]
    message: str
    count: int = 0

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


# --------------------------------------------------------------------------- helpers


def _check_file(path: PathLike) -> Path:
    p = Path(path)
    shown = str(path)
    if not p.exists():
        raise InputError(f"file not found: {shown}; check the path and the current folder")
    if p.is_dir():
        raise InputError(f"{shown} is a folder, not a file; pass a CSV, TSV or Parquet file")
    if not p.is_file():
        raise InputError(
            f"{shown} is not a regular file (a pipe, terminal or device); save the data to a file and pass that"
        )
    try:
        size = p.stat().st_size
        with open(p, "rb"):
            pass
    except PermissionError:
        raise InputError(f"{shown}: permission denied; make the file readable or copy it") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot open the file ({exc.strerror or exc})") from None
    if size == 0:
        raise InputError(f"{shown} is empty (0 bytes); export the data again")
    return p


def _file_kind(p: Path, shown: str) -> str:
    name = p.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    suffix = p.suffix.lower()
    with open(p, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        return "parquet"
    if suffix in _COMPRESSED_SUFFIXES or magic[:2] == b"\x1f\x8b":
        raise InputError(
            f"{shown}: compressed files are not supported; decompress it first "
            "(CSV, TSV or Parquet)"
        )
    if magic == b"PK\x03\x04" or suffix in (".xlsx", ".xls", ".ods"):
        raise InputError(
            f"{shown}: looks like a spreadsheet or zip archive; save the sheet as CSV (or Parquet) and pass that"
        )
    if suffix in (".json", ".jsonl", ".xml", ".pdf", ".pkl", ".pickle", ".joblib"):
        raise InputError(
            f"{shown}: unsupported file type '{suffix}'; use CSV (.csv), TSV (.tsv) or Parquet (.parquet)"
        )
    # Any other extension (adult.test, data.txt2, no extension): read as delimited text.
    return "text"


def _codec(encoding: str, shown: str) -> str:
    """Return the codec name to pass to Python/pandas (UTF-8 always accepts a BOM)."""
    try:
        info = codecs.lookup(encoding or "utf-8")
    except LookupError:
        raise InputError(
            f"{shown}: unknown encoding '{encoding}'; use e.g. utf-8, cp1252 or latin-1"
        ) from None
    if info.name in ("utf-8", "utf-8-sig"):
        return "utf-8-sig"
    return info.name


def _ascii_compatible(codec: str) -> bool:
    try:
        return "\n\r,;\t|\"".encode(codec) == b"\n\r,;\t|\""
    except (UnicodeError, LookupError):  # pragma: no cover - exotic codecs
        return False


def _decode_error(p: Path, shown: str, codec: str) -> InputError:
    """Locate the first undecodable line of ``p`` and build the user message."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    shown_codec = "UTF-8" if codec == "utf-8-sig" else codec
    hint = (
        "pass --encoding with the file's encoding (e.g. --encoding cp1252 or latin-1)"
        if codec == "utf-8-sig"
        else "pass the right --encoding (e.g. utf-8, cp1252, latin-1)"
    )
    try:
        with open(p, "rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                try:
                    decoder.decode(raw, final=False)
                except UnicodeDecodeError as exc:
                    bad = raw[exc.start : exc.start + 1]
                    byte = f"byte 0x{bad.hex().upper()} " if bad else ""
                    return InputError(
                        f"{shown}: line {lineno} is not valid {shown_codec} "
                        f"({byte}at column {exc.start + 1}); {hint}"
                    )
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return InputError(f"{shown}: the file ends in the middle of a {shown_codec} character; {hint}")
    except OSError as exc:  # pragma: no cover - vanished while reading
        return InputError(f"{shown}: cannot read the file ({exc})")
    return InputError(f"{shown}: the file is not valid {shown_codec}; {hint}")


def _sample_lines(p: Path, shown: str, codec: str, skip_rows: int) -> list[str]:
    """The first lines of the file (after ``skip_rows``), decoded; raises on bad bytes."""
    with open(p, "rb") as fh:
        raw = fh.read(_SNIFF_BYTES)
        truncated = bool(fh.read(1))
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        text = decoder.decode(raw, final=not truncated)
    except UnicodeDecodeError:
        raise _decode_error(p, shown, codec) from None
    lines = text.split("\n")
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    lines = [ln.rstrip("\r") for ln in lines[skip_rows:]]
    return [ln for ln in lines if ln.strip()][:_SNIFF_LINES]


def _count_outside_quotes(line: str, ch: str) -> int:
    if '"' not in line:
        return line.count(ch)
    n = 0
    quoted = False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            n += 1
    return n


def sniff_separator(lines: list[str], *, exclude: tuple[str, ...] = ()) -> str:
    """Choose the column separator of delimited text among ``,`` ``;`` tab ``|``.

    ``lines`` are the first non-blank lines (header included).  A candidate is scored by
    the share of lines having its most common per-line count (counted outside double
    quotes, count > 0); the highest share wins, then the higher count, then the order
    tab, ``;``, ``|``, ``,`` (a ``;`` or tab that splits every line the same way is a
    separator, a comma may be a decimal mark).  Candidates in ``exclude`` (the decimal
    mark and thousands separator) are skipped.  Returns ``","`` when nothing splits the
    lines (a one-column file).
    """
    best: tuple[float, int, int] | None = None
    best_sep = ","
    for rank, cand in enumerate(SNIFF_CANDIDATES):
        if cand in exclude:
            continue
        counts = [_count_outside_quotes(ln, cand) for ln in lines]
        positive = [c for c in counts if c > 0]
        if not positive:
            continue
        mode = max(set(positive), key=positive.count)
        share = sum(1 for c in counts if c == mode) / len(counts)
        score = (share, 1 if share == 1.0 else 0, -rank if share == 1.0 else mode)
        if best is None or score > best:
            best, best_sep = score, cand
    return best_sep


def _parser_error(exc: Exception, shown: str, sep: str, guessed: bool) -> InputError:
    msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    m = _PARSER_FIELDS_RE.search(str(exc))
    sep_name = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(sep, repr(sep))
    sep_hint = f" (separator {'guessed as' if guessed else ''} {sep_name})".replace("  ", " ")
    if m:
        expected, line, saw = m.groups()
        return InputError(
            f"{shown}: line {line} has {saw} fields but the header has {expected}{sep_hint}; "
            "fix that row (quote values containing the separator) or pass --sep"
        )
    return InputError(f"{shown}: cannot parse the file as delimited text ({msg}){sep_hint}; check --sep and --skip-rows")


def _find_short_row(
    p: Path, shown: str, codec: str, sep: str, skip_rows: int, header: bool, ncols: int
) -> Optional[InputError]:
    """Find the first data row with fewer fields than the header (pandas pads those).

    Unquoted files are scanned with numpy over the raw bytes (separators per physical
    line); files containing double quotes are scanned with :mod:`csv`.
    """
    expected_seps = ncols - 1
    data = p.read_bytes()
    if _ascii_compatible(codec) and len(sep.encode(codec)) == 1 and b'"' not in data:
        arr = np.frombuffer(data, dtype=np.uint8)
        nl = np.flatnonzero(arr == 10)
        starts = np.concatenate(([0], nl + 1))
        ends = np.concatenate((nl, [arr.size]))
        if starts[-1] >= arr.size:  # file ends with a newline: no last line
            starts, ends = starts[:-1], ends[:-1]
        seps = np.flatnonzero(arr == sep.encode(codec)[0])
        nsep = np.searchsorted(seps, ends) - np.searchsorted(seps, starts)
        ws = np.isin(arr, np.frombuffer(b" \t\r\x0b\x0c", dtype=np.uint8))
        solid = np.flatnonzero(~ws)
        nsolid = np.searchsorted(solid, ends) - np.searchsorted(solid, starts)
        content = (nsolid > 0) | (nsep > 0)
        idx = np.flatnonzero(content)
        idx = idx[idx >= skip_rows]
        if header:
            idx = idx[1:]
        bad = idx[nsep[idx] < expected_seps]
        if bad.size:
            line = int(bad[0]) + 1
            return InputError(
                f"{shown}: line {line} has {int(nsep[bad[0]]) + 1} field(s) but the header has "
                f"{ncols}; fix that row or check --sep"
            )
        return None
    with open(p, encoding=codec, newline="") as fh:
        for _ in range(skip_rows):
            if not fh.readline():
                return None
        reader = csv.reader(fh, delimiter=sep, skipinitialspace=True)
        header_seen = not header
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if not header_seen:
                header_seen = True
                continue
            if len(row) < ncols:
                line = skip_rows + reader.line_num
                return InputError(
                    f"{shown}: line {line} has {len(row)} field(s) but the header has {ncols}; "
                    "fix that row or check --sep"
                )
    return None


def _to_datetime(s: pd.Series) -> pd.Series:
    """ISO 8601 parse with coercion; mixed UTC offsets are converted to UTC."""
    try:
        return pd.to_datetime(s, format="ISO8601", errors="coerce")
    except (ValueError, TypeError):
        return pd.to_datetime(s, format="ISO8601", errors="coerce", utc=True)


def _is_text_dtype(dtype: Any) -> bool:
    return (
        pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    )


def _detect_datetimes(df: pd.DataFrame) -> pd.DataFrame:
    """Convert text columns whose non-missing values all parse as ISO dates/times."""
    for col in df.columns:
        s = df[col]
        if not (pd.api.types.is_string_dtype(s.dtype) or pd.api.types.is_object_dtype(s.dtype)):
            continue
        nonmissing = s.dropna()
        if nonmissing.empty:
            continue
        head = nonmissing.iloc[:50]
        if not all(isinstance(v, str) and _ISO_RE.match(v.strip()) for v in head):
            continue
        conv = _to_datetime(s.str.strip() if pd.api.types.is_string_dtype(s.dtype) else s)
        if int(conv.notna().sum()) == len(nonmissing):
            df[col] = conv
    return df


def dtype_family(dtype: Any) -> str:
    """'bool' | 'number' | 'datetime' | 'text' | 'other' for a pandas/numpy dtype."""
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "other"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if _is_text_dtype(dtype):
        return "text"
    return "other"


_FAMILY_WORDS = {"bool": "true/false", "number": "numeric", "datetime": "date/time", "text": "text"}


def _as_text(s: pd.Series) -> pd.Series:
    """Values as text, missing kept missing (integral floats are written without '.0')."""
    if pd.api.types.is_float_dtype(s.dtype):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        fin = np.isfinite(v)
        if fin.all() or not np.isinf(v).any():
            if np.all(v[fin] == np.round(v[fin])) and np.all(np.abs(v[fin]) < 2**53):
                return s.astype("Int64").astype("str").where(s.notna())
    return s.astype("str").where(s.notna())


def _apply_schema(
    df: pd.DataFrame,
    schema: Mapping[str, Any],
    shown: str,
    decimal: str,
    thousands: Optional[str],
) -> list[DataNote]:
    """Coerce ``df``'s columns to the families of ``schema``; count values that do not fit."""
    notes: list[DataNote] = []
    for col in list(df.columns):
        if col not in schema:
            continue
        target = dtype_family(schema[col])
        s = df[col]
        have = dtype_family(s.dtype)
        if target == have == "number":
            if pd.api.types.is_float_dtype(schema[col]) and pd.api.types.is_integer_dtype(s.dtype):
                df[col] = s.astype(schema[col])  # e.g. int64 -> float64: one dtype for both files
            continue
        if target == have or target == "other":
            continue
        present = s.notna().to_numpy()
        new: pd.Series
        if target == "number":
            if have == "bool":
                new = s.astype("float64")
            else:
                txt = s.astype("str").str.strip() if have != "number" else s
                if thousands:
                    txt = txt.str.replace(thousands, "", regex=False)
                if decimal and decimal != ".":
                    txt = txt.str.replace(decimal, ".", regex=False)
                new = pd.to_numeric(txt, errors="coerce")
                if pd.api.types.is_integer_dtype(schema[col]) and new.notna().all():
                    vals = new.to_numpy(dtype=float)
                    if np.all(vals == np.round(vals)):
                        new = new.astype("int64")
        elif target == "bool":
            low = s.astype("str").str.strip().str.lower()
            mapping = {"true": True, "false": False, "1": True, "0": False, "1.0": True, "0.0": False}
            new = low.map(mapping)
            new = new.astype("boolean") if new.isna().any() else new.astype(bool)
        elif target == "datetime":
            new = _to_datetime(s.astype("str").str.strip() if have != "text" else s)
        else:  # text
            new = _as_text(s)
        bad_mask = present & ~new.notna().to_numpy()
        nbad = int(bad_mask.sum())
        df[col] = new
        if nbad:
            examples = pd.unique(s[bad_mask].astype("str"))[:3]
            ex = ", ".join(repr(str(x)) for x in examples)
            word = _FAMILY_WORDS.get(target, target)
            notes.append(
                DataNote(
                    path=shown,
                    column=str(col),
                    count=nbad,
                    message=(
                        f"{shown}: column '{col}': {nbad} value(s) do not fit the reference's "
                        f"{word} type and are treated as missing (e.g. {ex})"
                    ),
                )
            )
    return notes


def _read_parquet(p: Path, shown: str) -> pd.DataFrame:
    try:
        df = pd.read_parquet(p)
    except ImportError as exc:  # pragma: no cover - pyarrow is a dependency
        raise InputError(f"{shown}: cannot read Parquet ({exc}); install pyarrow") from None
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError / ValueError
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(
            f"{shown}: not a readable Parquet file ({first}); export it again or use CSV"
        ) from None
    df.columns = [str(c) for c in df.columns]
    for col in df.columns:  # decimals (object of Decimal) are numbers
        if pd.api.types.is_object_dtype(df[col].dtype) and pd.api.types.infer_dtype(df[col], skipna=True) == "decimal":
            df[col] = pd.to_numeric(df[col], errors="coerce")
    if df.shape[1] == 0:
        raise InputError(f"{shown}: the Parquet file has no columns; export the data again")
    if len(df) == 0:
        raise InputError(f"{shown}: the Parquet file has columns but no rows; export the data again")
    return df.reset_index(drop=True) if not isinstance(df.index, pd.RangeIndex) else df


def _read_text(
    p: Path,
    shown: str,
    *,
    sep: Optional[str],
    encoding: str,
    decimal: str,
    thousands: Optional[str],
    skip_rows: int,
    header: bool,
    text_columns: set[str],
) -> pd.DataFrame:
    codec = _codec(encoding, shown)
    if codec == "utf-8-sig":
        with open(p, "rb") as fh:
            head = fh.read(4)
        if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            codec = "utf-32"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            codec = "utf-16"  # the byte-order mark says so; --encoding is not needed
    if not isinstance(skip_rows, int) or skip_rows < 0:
        raise InputError(f"--skip-rows must be a whole number >= 0, not {skip_rows!r}")
    if decimal is None or len(decimal) != 1:
        raise InputError(f"--decimal must be one character (e.g. ',' or '.'), not {decimal!r}")
    if thousands is not None and len(thousands) != 1:
        raise InputError(f"--thousands must be one character (e.g. '.' or ','), not {thousands!r}")
    if thousands is not None and thousands == decimal:
        raise InputError(f"--thousands and --decimal must differ (both are {decimal!r})")
    if sep is not None:
        sep = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(sep, sep)
        if len(sep) != 1:
            raise InputError(f"--sep must be one character (e.g. ',' ';' '|' or 'tab'), not {sep!r}")
        if sep == decimal:
            raise InputError(f"--sep and --decimal must differ (both are {sep!r})")

    lines = _sample_lines(p, shown, codec, skip_rows)
    if not lines:
        if skip_rows:
            raise InputError(f"{shown}: nothing left after skipping {skip_rows} line(s); check --skip-rows")
        raise InputError(f"{shown} is empty (no text lines); export the data again")
    guessed = sep is None
    if sep is None:
        if p.name.lower().endswith((".tsv", ".tab")):
            sep = "\t"
        else:
            exclude = tuple(c for c in (decimal, thousands) if c)
            sep = sniff_separator(lines, exclude=exclude)

    dtype: Optional[dict[Any, str]] = None
    if text_columns:
        if header:
            raw_names = next(csv.reader([lines[0]], delimiter=sep, skipinitialspace=True), [])
            dtype = {n: "str" for n in raw_names if n.strip() in text_columns}
        else:
            dtype = {int(c) - 1: "str" for c in text_columns if c.isdigit() and int(c) >= 1}
    try:
        df = pd.read_csv(
            p,
            sep=sep,
            encoding=codec,
            decimal=decimal,
            thousands=thousands,
            skiprows=skip_rows,
            header=0 if header else None,
            skipinitialspace=True,
            skip_blank_lines=True,
            low_memory=False,
            dtype=dtype or None,
            engine="c",
        )
    except UnicodeDecodeError:
        raise _decode_error(p, shown, codec) from None
    except pd.errors.EmptyDataError:
        if skip_rows:
            raise InputError(f"{shown}: nothing left after skipping {skip_rows} line(s); check --skip-rows") from None
        raise InputError(f"{shown} is empty (no columns); export the data again") from None
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, shown, sep, guessed) from None
    except (ValueError, OverflowError) as exc:
        raise _parser_error(exc, shown, sep, guessed) from None
    except MemoryError:
        raise InputError(f"{shown}: the file does not fit in memory; use a sample or Parquet") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read the file ({exc})") from None

    if header:
        stripped = [str(c).strip() for c in df.columns]
        if len(set(stripped)) == len(stripped):
            df.columns = stripped
        else:
            df.columns = [str(c) for c in df.columns]
    else:
        df.columns = [str(i + 1) for i in range(df.shape[1])]
    if len(df) == 0:
        if header:
            raise InputError(f"{shown}: the file has a header row but no data rows; export the data again")
        raise InputError(f"{shown}: the file has no data rows; export the data again")
    if df.shape[1] > 1 and bool(df.iloc[:, -1].isna().any()):
        err = _find_short_row(p, shown, codec, sep, skip_rows, header, df.shape[1])
        if err is not None:
            raise err
    return _detect_datetimes(df)


# --------------------------------------------------------------------------- public API


def _read_text_guarded(p: Path, shown: str, **kw: Any) -> pd.DataFrame:
    """:func:`_read_text` with decoder failures (e.g. a UTF-16 file without its byte-order
    mark) turned into :class:`InputError` naming the file."""
    try:
        return _read_text(p, shown, **kw)
    except UnicodeError as exc:
        raise InputError(
            f"{shown}: cannot decode the file as {kw.get('encoding') or 'utf-8'} ({exc}); "
            "pass the file's --encoding (e.g. utf-16le, cp1252, latin-1) or save it as UTF-8"
        ) from None


def read_table(
    path: PathLike,
    *,
    sep: Optional[str] = None,
    encoding: str = "utf-8",
    decimal: str = ".",
    thousands: Optional[str] = None,
    skip_rows: int = 0,
    header: bool = True,
    schema: Optional[Union[Mapping[str, Any], pd.Series]] = None,
) -> pd.DataFrame:
    """Read a CSV / TSV / Parquet file into a :class:`pandas.DataFrame`.

    Parameters
    ----------
    path:
        ``.csv`` ``.tsv`` ``.tab`` ``.txt`` ``.dat`` ``.data`` (delimited text) or
        ``.parquet`` ``.pq`` ``.parq``.  The text options below are ignored for Parquet.
    sep:
        One character (``"tab"`` or ``"\\t"`` mean tab); ``None`` sniffs among ``,`` ``;``
        tab ``|`` (:func:`sniff_separator`).
    encoding:
        Text codec; UTF-8 (default) accepts a byte-order mark.
    decimal, thousands:
        Number format, e.g. ``decimal=","`` and ``thousands="."`` for ``1.234,5``.
    skip_rows:
        Number of preamble lines to skip before the header.
    header:
        ``False``: the first row is data; columns are named ``"1"``, ``"2"``, ... .
    schema:
        Column -> dtype of a reference frame (e.g. ``reference.dtypes``).  Each listed
        column present in the file is coerced to the same family (numeric, true/false,
        date/time, text); values that do not fit become missing and are counted.

    Returns
    -------
    pandas.DataFrame
        One row per data row, column names as ``str``, a ``RangeIndex``.  Text columns use
        pandas' default string dtype (``str`` with pandas 3).  ``df.attrs["tollgate_notes"]``
        (:data:`NOTES_ATTR`) holds the list of :class:`DataNote` (one per column with values
        that do not fit ``schema``; empty without a schema).

    Raises
    ------
    console.errors.InputError
        Missing file, folder, empty file, header-only file, unsupported extension,
        compressed file, bytes not valid in ``encoding`` (names the line), a row with more
        or fewer fields than the header (names the line), unreadable Parquet, or invalid
        options.  The message names the file and says what to do.
    """
    shown = str(path)
    p = _check_file(path)
    kind = _file_kind(p, shown)
    text_columns: set[str] = set()
    if schema is not None:
        items = schema.items()
        schema = {str(k): v for k, v in items}
        text_columns = {c for c, d in schema.items() if dtype_family(d) == "text"}
    if kind == "parquet":
        df = _read_parquet(p, shown)
    else:
        df = _read_text_guarded(
            p,
            shown,
            sep=sep,
            encoding=encoding,
            decimal=decimal,
            thousands=thousands,
            skip_rows=skip_rows,
            header=header,
            text_columns=text_columns,
        )
    notes: list[DataNote] = []
    if schema is not None:
        notes = _apply_schema(df, schema, shown, decimal, thousands)
    df.attrs[NOTES_ATTR] = notes
    return df


def read_pair(
    reference_path: PathLike, current_path: PathLike, **opts: Any
) -> tuple[pd.DataFrame, pd.DataFrame, list[DataNote]]:
    """Read a reference and a current file with ONE schema (the reference's).

    ``opts`` are the text options of :func:`read_table` (``sep``, ``encoding``,
    ``decimal``, ``thousands``, ``skip_rows``, ``header``) and apply to both files (the
    separator is sniffed per file when not given).  The reference is read first; its
    dtypes (columns that have at least one non-missing value) are the schema of the
    current file, so a column never gets two dtypes.

    Returns ``(reference, current, notes)`` where ``notes`` lists :class:`DataNote` for
    values of the current file that do not fit the reference type (set missing).

    Raises :class:`~console.errors.InputError` as :func:`read_table` does.
    """
    if "schema" in opts:
        raise TypeError("read_pair() takes the schema from the reference file")
    ref = read_table(reference_path, **opts)
    schema = {c: ref[c].dtype for c in ref.columns if bool(ref[c].notna().any())}
    cur = read_table(current_path, schema=schema, **opts)
    notes = list(ref.attrs.get(NOTES_ATTR, [])) + list(cur.attrs.get(NOTES_ATTR, []))
    return ref, cur, notes
