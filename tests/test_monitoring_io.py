"""Reading tabular files: sniffing, encodings, number formats, one schema, bad inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from console.errors import InputError
from console.monitoring.io import NOTES_ATTR, DataNote, read_pair, read_table, sniff_separator


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------- bad inputs


def test_missing_file(tmp_path):
    p = tmp_path / "nope.csv"
    with pytest.raises(InputError, match="file not found: .*nope.csv"):
        read_table(p)


def test_directory(tmp_path):
    d = tmp_path / "data.csv"
    d.mkdir()
    with pytest.raises(InputError, match=r"data\.csv is a folder"):
        read_table(d)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.csv is empty"):
        read_table(p)


def test_blank_or_bom_only_file(tmp_path):
    p = tmp_path / "blank.csv"
    p.write_bytes(b"\xef\xbb\xbf\n\n  \n")
    with pytest.raises(InputError, match=r"blank\.csv is empty"):
        read_table(p)


def test_header_only_file(tmp_path):
    p = write(tmp_path / "head.csv", "a,b,c\n")
    with pytest.raises(InputError, match=r"head\.csv: .*header row but no data rows"):
        read_table(p)


def test_non_utf8_bytes_name_the_line(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("name,city\nann,Paris\nbob,Z\u00fcrich\n".encode("latin-1"))
    with pytest.raises(InputError) as exc:
        read_table(p)
    msg = str(exc.value)
    assert "latin.csv" in msg and "line 3" in msg and "--encoding" in msg and "0xFC" in msg
    df = read_table(p, encoding="latin-1")
    assert df["city"].tolist() == ["Paris", "Z\u00fcrich"]


def test_non_utf8_bytes_after_the_sniffing_sample(tmp_path):
    p = tmp_path / "late.csv"
    rows = "".join(f"{i},x\n" for i in range(60000))
    p.write_bytes(("a,b\n" + rows).encode() + b"60000,caf\xe9\n")
    with pytest.raises(InputError, match=r"late\.csv: line 60002 is not valid UTF-8"):
        read_table(p)


def test_ragged_row_too_many_fields(tmp_path):
    p = write(tmp_path / "ragged.csv", "a,b,c\n1,2,3\n4,5,6,7\n")
    with pytest.raises(InputError, match=r"ragged\.csv: line 3 has 4 fields but the header has 3"):
        read_table(p)


def test_ragged_row_too_many_fields_after_preamble(tmp_path):
    p = write(tmp_path / "pre.csv", "exported 2024\n\na,b,c\n1,2,3\n4,5,6,7\n")
    with pytest.raises(InputError, match=r"pre\.csv: line 5 has 4 fields"):
        read_table(p, skip_rows=2)


def test_ragged_row_too_few_fields(tmp_path):
    p = write(tmp_path / "short.csv", "a;b;c\n1;2;3\n\n4;5\n7;8;9\n")
    with pytest.raises(InputError, match=r"short\.csv: line 4 has 2 field\(s\) but the header has 3"):
        read_table(p)


def test_ragged_row_too_few_fields_quoted_file(tmp_path):
    p = write(tmp_path / "shortq.csv", 'a,b,c\n"x, y",2,3\n"z",5\n')
    with pytest.raises(InputError, match=r"shortq\.csv: line 3 has 2 field"):
        read_table(p)


def test_empty_trailing_fields_are_not_ragged(tmp_path):
    p = write(tmp_path / "trail.csv", "a,b,c\n1,2,\n4,5,6\n")
    df = read_table(p)
    assert df.shape == (2, 3) and np.isnan(df["c"].iloc[0])


@pytest.mark.parametrize("name", ["data.json", "model.pkl"])
def test_unsupported_extension(tmp_path, name):
    p = write(tmp_path / name, "a,b\n1,2\n")
    with pytest.raises(InputError, match=rf"{name}: unsupported file type"):
        read_table(p)


def test_spreadsheet_and_gzip_are_refused_by_content(tmp_path):
    xlsx = tmp_path / "book.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(InputError, match="book.xlsx: looks like a spreadsheet"):
        read_table(xlsx)
    gz = tmp_path / "data.bin"
    gz.write_bytes(b"\x1f\x8b\x08\x00" + b"\0" * 100)
    with pytest.raises(InputError, match="data.bin: compressed files"):
        read_table(gz)


@pytest.mark.parametrize("name", ["data", "adult.test", "export.dat2"])
def test_other_extensions_are_read_as_text(tmp_path, name):
    p = write(tmp_path / name, "a;b\n1;x\n2;y\n")
    df = read_table(p)
    assert list(df.columns) == ["a", "b"] and len(df) == 2


def test_parquet_is_recognised_by_content(tmp_path):
    pd.DataFrame({"a": [1.5, 2.5]}).to_parquet(tmp_path / "data.bin")
    assert read_table(tmp_path / "data.bin")["a"].tolist() == [1.5, 2.5]


def test_compressed_file(tmp_path):
    p = tmp_path / "data.csv.gz"
    p.write_bytes(b"\x1f\x8b\x08\x00")
    with pytest.raises(InputError, match=r"data\.csv\.gz: compressed files are not supported"):
        read_table(p)


def test_unreadable_parquet(tmp_path):
    p = write(tmp_path / "broken.parquet", "this is not parquet at all")
    with pytest.raises(InputError, match=r"broken\.parquet: not a readable Parquet file"):
        read_table(p)


def test_parquet_without_rows(tmp_path):
    p = tmp_path / "norows.parquet"
    pd.DataFrame({"a": pd.Series([], dtype=float)}).to_parquet(p)
    with pytest.raises(InputError, match=r"norows\.parquet: .*no rows"):
        read_table(p)


def test_bad_options(tmp_path):
    p = write(tmp_path / "ok.csv", "a,b\n1,2\n")
    with pytest.raises(InputError, match="--decimal"):
        read_table(p, decimal=",,")
    with pytest.raises(InputError, match="unknown encoding"):
        read_table(p, encoding="klingon")
    with pytest.raises(InputError, match=r"ok\.csv: nothing left after skipping 5"):
        read_table(p, skip_rows=5)


# --------------------------------------------------------------------------- sniffing & formats


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_separator_sniffed(tmp_path, sep):
    p = write(tmp_path / "s.csv", sep.join(["id", "name", "score"]) + "\n" + "\n".join(
        sep.join([str(i), f"n{i}", f"{i}.5"]) for i in range(20)) + "\n")
    df = read_table(p)
    assert list(df.columns) == ["id", "name", "score"]
    assert df["score"].dtype == np.float64 and df["score"].iloc[1] == 1.5


def test_sniffer_prefers_semicolon_over_decimal_commas():
    lines = ["a;b", "1,5;2,25", "3,0;4,75"]
    assert sniff_separator(lines) == ";"
    assert sniff_separator(["x", "1", "2"]) == ","
    assert sniff_separator(['a,b', '"x;y",1', '"z;w",2']) == ","


def test_tsv_extension_defaults_to_tab(tmp_path):
    p = write(tmp_path / "t.tsv", "a\tb c\n1\tx, y\n2\tz\n")
    df = read_table(p)
    assert list(df.columns) == ["a", "b c"] and df["b c"].tolist() == ["x, y", "z"]


def test_utf8_bom(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbfage;city\n30;K\xc3\xb6ln\n40;Bonn\n")
    df = read_table(p)
    assert list(df.columns) == ["age", "city"]
    assert df["city"].tolist() == ["K\u00f6ln", "Bonn"]


def test_decimal_comma_and_thousands_dot(tmp_path):
    p = write(tmp_path / "eu.csv", "amount;rate\n1.234,5;0,25\n2.000,0;1,5\n")
    df = read_table(p, decimal=",", thousands=".")
    assert df["amount"].tolist() == [1234.5, 2000.0]
    assert df["rate"].tolist() == [0.25, 1.5]


def test_skip_rows_and_no_header(tmp_path):
    p = write(tmp_path / "pre.csv", "report of 2024\n39, State-gov, 77516\n50, Private, 83311\n")
    df = read_table(p, skip_rows=1, header=False)
    assert list(df.columns) == ["1", "2", "3"]
    assert df["2"].tolist() == ["State-gov", "Private"]  # leading spaces dropped
    assert df["1"].dtype.kind == "i"


def test_iso_dates_become_datetime(tmp_path):
    p = write(tmp_path / "d.csv", "day,stamp,notadate,v\n2020-01-01,2020-01-01T10:00:00,2020-01-01,1\n"
              "2020-01-02,2020-01-02 11:30,yesterday,2\n,2020-01-03T00:00:00Z,2020-01-03,3\n")
    df = read_table(p)
    assert pd.api.types.is_datetime64_any_dtype(df["day"])
    assert pd.api.types.is_datetime64_any_dtype(df["stamp"])
    assert not pd.api.types.is_datetime64_any_dtype(df["notadate"])
    assert df["day"].isna().sum() == 1


def test_text_columns_use_the_default_string_dtype(tmp_path):
    p = write(tmp_path / "s.csv", "a,b\nx,1\n,2\ny,3\n")
    df = read_table(p)
    assert pd.api.types.is_string_dtype(df["a"]) and df["a"].isna().sum() == 1


def test_parquet_roundtrip(tmp_path):
    src = pd.DataFrame({"x": [1.5, 2.5], "c": ["a", "b"], "3": [1, 2]})
    p = tmp_path / "d.parquet"
    src.to_parquet(p)
    df = read_table(p)
    assert list(df.columns) == ["x", "c", "3"] and df["x"].tolist() == [1.5, 2.5]


# --------------------------------------------------------------------------- one schema


def test_read_pair_one_schema_counts_unfit_values(tmp_path):
    ref = write(tmp_path / "ref.csv", "age,zip,ok,when\n30,01234,true,2020-01-01\n40,B-2345,false,2020-02-01\n")
    cur = write(tmp_path / "cur.csv", "age,zip,ok,when\n35,02345,true,2021-01-01\nabc,23456,maybe,soon\n"
                "n/a?,34567,false,2021-03-01\n")
    r, c, notes = read_pair(ref, cur)
    for col in ("age", "ok", "when"):
        assert pd.api.types.is_bool_dtype(r[col]) == pd.api.types.is_bool_dtype(c[col])
    assert r["age"].dtype.kind in "if" and c["age"].dtype.kind == "f"
    assert c["age"].isna().sum() == 2
    # the reference's zip is text: the current's all-digit zips are read as text too (zeros kept)
    assert r["zip"].tolist() == ["01234", "B-2345"] and c["zip"].tolist() == ["02345", "23456", "34567"]
    assert pd.api.types.is_string_dtype(c["zip"])
    assert pd.api.types.is_datetime64_any_dtype(c["when"]) and c["when"].isna().sum() == 1
    assert c["ok"].isna().sum() == 1
    by_col = {n.column: n for n in notes}
    assert set(by_col) == {"age", "ok", "when"}
    assert isinstance(by_col["age"], DataNote) and by_col["age"].count == 2
    assert "cur.csv" in by_col["age"].message and "'age'" in by_col["age"].message
    assert "'abc'" in by_col["age"].message
    assert c.attrs[NOTES_ATTR] == [n for n in notes if n.path.endswith("cur.csv")]


def test_read_table_with_schema_argument(tmp_path):
    cur = write(tmp_path / "cur.csv", "x;y\n1,5;a\nzz;b\n")
    df = read_table(cur, decimal=",", schema={"x": np.dtype("float64"), "y": np.dtype("O")})
    assert df["x"].iloc[0] == 1.5 and np.isnan(df["x"].iloc[1])
    assert df.attrs[NOTES_ATTR][0].count == 1


def test_read_pair_all_missing_reference_column_imposes_nothing(tmp_path):
    ref = write(tmp_path / "ref.csv", "a,b\n1,\n2,\n")
    cur = write(tmp_path / "cur.csv", "a,b\n1,x\n2,y\n")
    _, c, notes = read_pair(ref, cur)
    assert c["b"].tolist() == ["x", "y"] and notes == []


def test_read_pair_mixed_formats(tmp_path):
    ref = tmp_path / "ref.parquet"
    pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["a", "b", "c"]}).to_parquet(ref)
    cur = write(tmp_path / "cur.csv", "x,c\n1.5,a\n2.5,1\n")
    r, c, notes = read_pair(ref, cur)
    assert c["c"].tolist() == ["a", "1"] and c["x"].tolist() == [1.5, 2.5] and not notes


def test_read_pair_same_numeric_dtype(tmp_path):
    ref = write(tmp_path / "ref.csv", "x,n\n1.5,1\n,2\n")
    cur = write(tmp_path / "cur.csv", "x,n\n1,3\n2,4\n")
    r, c, notes = read_pair(ref, cur)
    assert r["x"].dtype == c["x"].dtype == np.float64 and r["n"].dtype == c["n"].dtype
    assert notes == []


def test_utf16_with_byte_order_mark_is_read_without_options(tmp_path):
    p = tmp_path / "u16.csv"
    p.write_bytes("a,b\n1,x\n2,ÿ\n".encode("utf-16"))
    df = read_table(p)
    assert list(df.columns) == ["a", "b"] and df["b"].tolist() == ["x", "ÿ"]
    nobom = tmp_path / "nobom.csv"
    nobom.write_bytes("a,b\n1,x\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="nobom.csv"):
        read_table(nobom, encoding="utf-16")


def test_pipes_and_devices_are_refused_clearly(tmp_path):
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_table(fifo)
