"""``tollgate drift`` end to end: the real CLI in a subprocess, on real data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
from tests.conftest import SHARED_DATA
BANK = SHARED_DATA / "bank_marketing" / "bank-full.csv"
ADULT_TRAIN = SHARED_DATA / "adult" / "adult.data"
ADULT_TEST = SHARED_DATA / "adult" / "adult.test"

needs_bank = pytest.mark.skipif(not BANK.is_file(), reason=f"real data not available: {BANK} is absent")
needs_adult = pytest.mark.skipif(
    not (ADULT_TRAIN.is_file() and ADULT_TEST.is_file()), reason=f"real data not available: {ADULT_TRAIN.parent} is absent"
)


def tollgate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )


def _no_constants(name: str) -> None:
    raise AssertionError(f"JSON output contains {name}")


def parse_json(stdout: str) -> dict:
    return json.loads(stdout, parse_constant=_no_constants)  # exactly one document, no NaN


@pytest.fixture(scope="module")
def bank_windows(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    if not BANK.is_file():
        pytest.skip(f"real data not available: {BANK} is absent")
    lines = BANK.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    d = tmp_path_factory.mktemp("bank")
    first, last = d / "bank_first.csv", d / "bank_last.csv"
    first.write_text(header + "".join(rows[:5000]), encoding="utf-8")
    last.write_text(header + "".join(rows[-5000:]), encoding="utf-8")
    return first, last, header.strip().split(";")


@needs_bank
def test_bank_first_vs_last_json(bank_windows):
    first, last, columns = bank_windows
    proc = tollgate("drift", "--reference", str(first), "--current", str(last), "--target", "y", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = parse_json(proc.stdout)
    # the DESIGN.md keys first, then the additive ones (which profile was used, approximate)
    assert list(doc) == ["dataset_drift", "n_tested", "n_drifted", "target", "columns", "reference_profile", "approximate"]
    assert doc["approximate"] is False
    assert doc["reference_profile"]["format_version"] == 1 and len(doc["reference_profile"]["fingerprint"]) == 64
    assert [c["name"] for c in doc["columns"]] == [c for c in columns if c != "y"]
    by = {c["name"]: c for c in doc["columns"]}
    assert by["contact"]["status"] == "drift" and by["contact"]["drifted"] is True
    assert by["contact"]["kind"] == "categorical"
    assert set(by["contact"]["new_categories"]) == {"cellular", "telephone"}  # first rows: all "unknown"
    assert doc["target"]["name"] == "y" and doc["target"]["status"] == "drift"
    assert doc["target"]["psi"] > 0.25
    assert by["age"]["kind"] == "numeric" and by["age"]["ks_pvalue_method"] == "ks_2samp"
    assert doc["n_tested"] == 16 and doc["dataset_drift"] is True
    assert doc["n_drifted"] == sum(c["drifted"] for c in doc["columns"])


@needs_bank
def test_bank_fail_on_drift_exit_codes(bank_windows):
    first, last, _ = bank_windows
    drifted = tollgate("drift", "--reference", str(first), "--current", str(last), "--fail-on-drift")
    assert drifted.returncode == 1, drifted.stderr
    same = tollgate("drift", "--reference", str(first), "--current", str(first), "--fail-on-drift", "--json")
    assert same.returncode == 0, same.stderr
    doc = parse_json(same.stdout)
    assert doc["dataset_drift"] is False and doc["n_drifted"] == 0
    assert all(c["psi"] == 0.0 for c in doc["columns"] if c["tested"])


@needs_bank
def test_bank_text_output(bank_windows):
    first, last, _ = bank_windows
    proc = tollgate("drift", "--reference", str(first), "--current", str(last), "--target", "y")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    lines = out.splitlines()
    assert any(ln.startswith("column") and "PSI" in ln and "status" in ln for ln in lines)
    contact = next(ln for ln in lines if ln.startswith("contact"))
    assert "categorical" in contact and "drift" in contact and "new: cellular" in contact
    assert any(ln.startswith("y (target)") for ln in lines)
    assert lines[-1].startswith("Summary:") and "dataset: DRIFT" in lines[-1] and "target 'y': drift" in lines[-1]


@needs_bank
def test_unknown_target_is_bad_input(bank_windows):
    first, last, _ = bank_windows
    proc = tollgate("drift", "--reference", str(first), "--current", str(last), "--target", "yy", "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and "'yy'" in err[0] and "available: age, job" in err[0]
    assert "Traceback" not in proc.stderr


@needs_bank
def test_parquet_reference_gives_the_same_numbers(bank_windows, tmp_path):
    first, last, _ = bank_windows
    pq = tmp_path / "first.parquet"
    pd.read_csv(first, sep=";").to_parquet(pq)
    a = parse_json(tollgate("drift", "--reference", str(first), "--current", str(last), "--json").stdout)
    b = parse_json(tollgate("drift", "--reference", str(pq), "--current", str(last), "--json").stdout)
    assert [c["psi"] for c in a["columns"]] == pytest.approx([c["psi"] for c in b["columns"]], rel=1e-12)


def test_missing_file_is_bad_input(tmp_path):
    ref = tmp_path / "ref.csv"
    ref.write_text("a,b\n1,2\n", encoding="utf-8")
    proc = tollgate("drift", "--reference", str(ref), "--current", str(tmp_path / "nowhere.csv"))
    assert proc.returncode == 2
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and "nowhere.csv" in err[0] and "Traceback" not in proc.stderr


def test_non_utf8_file_is_bad_input(tmp_path):
    ref = tmp_path / "ref.csv"
    ref.write_bytes("city,n\nParis,1\nK\u00f6ln,2\n".encode("cp1252"))
    proc = tollgate("drift", "--reference", str(ref), "--current", str(ref))
    assert proc.returncode == 2
    assert "ref.csv: line 3" in proc.stderr and "--encoding" in proc.stderr
    ok = tollgate("drift", "--reference", str(ref), "--current", str(ref), "--encoding", "cp1252", "--json")
    assert ok.returncode == 0, ok.stderr


def test_data_quality_notes_in_json(tmp_path):
    n = 60
    ref = tmp_path / "ref.csv"
    cur = tmp_path / "cur.csv"
    ref.write_text("x;c;empty\n" + "".join(f"{i},5;{'ab'[i % 2]};\n" for i in range(n)), encoding="utf-8")
    cur_rows = [f"{i},5;{'ab'[i % 2]};\n" for i in range(n - 3)] + ["oops;a;\n", "inf;b;\n", "-inf;a;\n"]
    cur.write_text("x;c;empty\n" + "".join(cur_rows), encoding="utf-8")
    proc = tollgate("drift", "--reference", str(ref), "--current", str(cur), "--decimal", ",", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = parse_json(proc.stdout)
    by = {c["name"]: c for c in doc["columns"]}
    x = by["x"]
    assert x["kind"] == "numeric" and x["tested"]
    assert x["missing_share_current"] == pytest.approx(3 / n)
    assert "cur.csv" in x["reason"] and "'oops'" in x["reason"]
    assert "±inf" in x["reason"]
    empty = by["empty"]
    assert empty["tested"] is False and empty["psi"] is None and empty["reason"]


@needs_adult
def test_adult_train_vs_test(tmp_path):
    test_csv = tmp_path / "adult_test.csv"  # drop the junk first line; .test is not a table extension
    test_csv.write_text("".join(ADULT_TEST.read_text(encoding="utf-8").splitlines(keepends=True)[1:]), encoding="utf-8")
    proc = tollgate("drift", "--reference", str(ADULT_TRAIN), "--current", str(test_csv),
                    "--no-header", "--target", "15", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = parse_json(proc.stdout)
    assert [c["name"] for c in doc["columns"]] == [str(i) for i in range(1, 15)]
    by = {c["name"]: c for c in doc["columns"]}
    assert by["1"]["kind"] == "numeric" and by["2"]["kind"] == "categorical"
    # a random split: no feature drifts
    assert doc["n_tested"] == 14 and doc["n_drifted"] == 0 and doc["dataset_drift"] is False
    assert all(c["status"] == "stable" for c in doc["columns"])
    # the test file's labels carry a trailing dot: every label is new / missing
    target = doc["target"]
    assert target["status"] == "drift" and target["js_distance"] == pytest.approx(1.0)
    assert set(target["new_categories"]) == {"<=50K.", ">50K."}
    assert sorted(target["missing_categories"]) == ["<=50K", ">50K"]
    assert sum(target["new_categories"].values()) == pytest.approx(1.0)


def test_files_without_common_columns_are_bad_input(tmp_path):
    import subprocess
    import sys

    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("x,y\n1,2\n3,4\n")
    b.write_text("p;q\n1;2\n3;4\n")
    proc = subprocess.run([sys.executable, "-m", "console", "drift", "--reference", str(a), "--current", str(b)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no column in common" in proc.stderr
