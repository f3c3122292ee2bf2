"""Streaming drift of Parquet files (console.monitoring.stream), row group by row group."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats

from console.errors import Cancelled, InputError
from console.jobs import CancelToken
from console.monitoring import stream
from console.monitoring.drift import ReferenceProfile, compare, compute_drift


def _frame(rng: np.random.Generator, n: int, shift: float) -> pd.DataFrame:
    x = rng.normal(shift, 1, n)
    x[:50] = np.nan
    x[50:53] = np.inf
    return pd.DataFrame({
        "x": x,
        "ties": np.round(rng.normal(50 + 10 * shift, 15, n)),  # numeric, many ties
        "spike": np.where(rng.random(n) < 0.7, 3.0, rng.normal(3, 1, n)),  # 70% one value
        "k": rng.integers(0, 5, n).astype(float),  # integer-coded categorical
        "c": pd.Series(rng.choice(["a", "b", "c"] + (["new"] if shift else []), n), dtype="str"),
        "t": pd.date_range("2020-01-01", periods=n, freq="min"),
    })


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    rng = np.random.default_rng(400)
    ref, cur = _frame(rng, 20_000, 0.0), _frame(rng, 15_007, 0.2)
    cur = cur.drop(columns=["k"]).assign(extra=1.0)  # schema drift both ways
    d = tmp_path_factory.mktemp("stream")
    paths = d / "ref.parquet", d / "cur.parquet"
    for frame, path in zip((ref, cur), paths):
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=3_000)
    assert pq.ParquetFile(paths[0]).num_row_groups == 7 and pq.ParquetFile(paths[1]).num_row_groups == 6
    memory = compute_drift(pd.read_parquet(paths[0]), pd.read_parquet(paths[1]), target="c")
    return paths[0], paths[1], memory


def test_small_columns_stream_to_exactly_the_in_memory_result(files):
    ref, cur, memory = files
    out = stream.drift_parquet(ref, cur, target="c", batch_rows=2_500)
    assert out.approximate is False
    assert out.to_json()["columns"] == memory.to_json()["columns"]
    assert out.to_json()["target"] == memory.to_json()["target"]
    assert out.reference_fingerprint == stream._file_sha256(ref)


def test_large_columns_are_approximate_and_labelled_psi_stays_exact(files):
    ref, cur, memory = files
    # a tiny collect limit forces the histogram path and several exact-selection passes
    out = stream.drift_parquet(ref, cur, target="c", batch_rows=2_500, collect_limit=500)
    doc = out.to_json()
    assert doc["approximate"] is True
    mem = {c["name"]: c for c in memory.to_json()["columns"]}
    for col in doc["columns"]:
        want = mem[col["name"]]
        # PSI (exact decile edges by exact selection), status, shares: identical
        for key in ("psi", "status", "drifted", "missing_share_reference", "missing_share_current", "tested", "kind"):
            assert col[key] == want[key], (col["name"], key)
        if col["kind"] == "numeric" and col["tested"]:
            assert col["approximate"] is True and col["ks_pvalue_method"] == "kstwobign_binned"
            assert "approximate KS and Wasserstein" in col["reason"]
            # the histogram has 16,384 bins over the reference range: D differs by at most
            # the largest bin share, W by at most about one bin width
            assert abs(col["ks_statistic"] - want["ks_statistic"]) < 0.01
            assert col["wasserstein"] == pytest.approx(want["wasserstein"], rel=1e-3)
        else:
            assert {k: v for k, v in col.items() if k != "reason"} == {k: v for k, v in want.items() if k != "reason"}
    assert out.column("x").distribution == memory.column("x").distribution
    # never inf/NaN, never unlabelled
    assert all("approximate" not in c or c["ks_pvalue_method"] == "kstwobign_binned" for c in doc["columns"])


def test_streamed_profile_serialises_and_compares_with_frames(files):
    ref, cur, memory = files
    profile = stream.profile_parquet(ref, batch_rows=4_000, collect_limit=500)
    assert profile.approximate and profile.profiles["x"].sorted_values is None
    assert profile.profiles["x"].hist_counts.sum() == profile.profiles["x"].n_valid
    back = ReferenceProfile.from_bytes(profile.to_bytes())
    assert back.approximate and np.array_equal(back.profiles["x"].hist_counts, profile.profiles["x"].hist_counts)
    frame = pd.read_parquet(cur)
    res = compare(back, frame, target="c")
    assert res.approximate and res.column("x").ks_pvalue_method == "kstwobign_binned"
    assert res.column("x").psi == memory.column("x").psi
    # a profile built in memory also compares with a file too large to keep (histogram on demand)
    mem_profile = ReferenceProfile.from_frame(pd.read_parquet(ref))
    big = stream.compare_parquet(mem_profile, cur, collect_limit=100)
    assert big.column("x").approximate and big.column("x").psi == memory.column("x").psi
    n, m = memory.column("x").n_reference, memory.column("x").n_current
    d = big.column("x").ks_statistic
    assert big.column("x").ks_pvalue == pytest.approx(stats.kstwobign.sf(d * math.sqrt(n * m / (n + m))))


def test_streaming_edge_cases_and_errors(tmp_path):
    ref = pd.DataFrame({"empty": [np.nan] * 40, "const": [2.0] * 40, "v": np.arange(40.0)})
    cur = pd.DataFrame({"empty": [np.nan] * 30, "const": [5.0] * 30, "v": np.arange(30.0)})
    pr, pc = tmp_path / "r.parquet", tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pandas(ref, preserve_index=False), pr, row_group_size=7)
    pq.write_table(pa.Table.from_pandas(cur, preserve_index=False), pc, row_group_size=7)
    out = stream.drift_parquet(pr, pc, batch_rows=5)
    assert out.to_json()["columns"] == compute_drift(ref, cur).to_json()["columns"]
    assert out.column("empty").reason == "no non-missing values in either sample"
    assert out.column("const").drifted
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        stream.profile_parquet(pr, cancel=token)
    with pytest.raises(InputError, match="not a readable Parquet file"):
        stream.profile_parquet(_text_file(tmp_path))
    with pytest.raises(InputError, match="file not found"):
        stream.compare_parquet(stream.profile_parquet(pr), tmp_path / "missing.parquet")
    seen: list[float] = []
    stream.drift_parquet(pr, pc, batch_rows=5, progress=lambda f, msg: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 10


def _text_file(tmp_path):
    p = tmp_path / "not.parquet"
    p.write_text("a,b\n1,2\n")
    return p
