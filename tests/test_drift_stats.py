"""Drift statistics against scipy/numpy and the DESIGN.md "Drift conventions" edge cases."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from console.domain.models import DriftStatus
from console.errors import Cancelled, InputError
from console.jobs import CancelToken
from console.monitoring.drift import (
    ColumnDrift,
    DriftRule,
    ReferenceProfile,
    compare,
    compute_drift,
    dataframe_fingerprint,
    ks_wasserstein_sorted,
    population_stability_index,
    psi_edges,
)

COMMON_KEYS = {
    "name", "kind", "tested", "reason", "missing_share_reference", "missing_share_current",
    "psi", "status", "drifted",
}
NUMERIC_KEYS = COMMON_KEYS | {"ks_statistic", "ks_pvalue", "ks_pvalue_method", "wasserstein", "wasserstein_normed"}
CATEGORICAL_KEYS = COMMON_KEYS | {"chi2_statistic", "chi2_pvalue", "js_distance", "new_categories", "missing_categories"}


def _reject_constant(name: str) -> None:
    raise AssertionError(f"JSON contains {name}")


def assert_json_clean(doc: dict) -> None:
    text = json.dumps(doc, allow_nan=False)
    json.loads(text, parse_constant=_reject_constant)


def literal_psi_numeric(ref: np.ndarray, cur: np.ndarray) -> float:
    """DESIGN.md wording, written independently of the engine."""
    ref = ref[np.isfinite(ref)]
    cur = cur[np.isfinite(cur)]
    edges = np.unique(np.quantile(ref, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]))
    k = len(edges) + 1
    pr = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=k) / len(ref)
    pc = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=k) / len(cur)
    pr, pc = np.maximum(pr, 1e-4), np.maximum(pc, 1e-4)
    return float(np.sum((pc - pr) * np.log(pc / pr)))


# --------------------------------------------------------------------------- PSI


def test_psi_hand_computed_tiny_example():
    ref = pd.DataFrame({"x": np.arange(1, 21, dtype=float)})  # 20 distinct -> numeric
    cur = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 5, 5, 5, 30, 30]})
    # edges: quantiles of 1..20 at 0.1..0.9 = 2.9, 4.8, 6.7, 8.6, 10.5, 12.4, 14.3, 16.2, 18.1
    # reference: 2 values in each of the 10 bins -> 0.1 each
    # current: <2.9: {1,2} 0.2; [2.9,4.8): {3,4} 0.2; [4.8,6.7): {5,5,5,5} 0.4; >=18.1: {30,30} 0.2;
    #          six empty bins -> floored to 1e-4
    expected = (
        3 * (0.2 - 0.1) * math.log(0.2 / 0.1)
        + (0.4 - 0.1) * math.log(0.4 / 0.1)
        + 6 * (1e-4 - 0.1) * math.log(1e-4 / 0.1)
    )
    res = compute_drift(ref, cur).column("x")
    assert res.kind == "numeric"
    assert res.psi == pytest.approx(expected, rel=1e-12)
    assert res.psi == pytest.approx(4.764341, abs=1e-6)  # 0.2079442 + 0.4158883 + 4.1405085
    assert res.status == DriftStatus.DRIFT and res.drifted
    assert res.distribution["bins"][0] == "< 2.9"
    assert res.distribution["bins"][-1] == "≥ 18.1"
    assert res.distribution["current"] == pytest.approx([0.2, 0.2, 0.4, 0, 0, 0, 0, 0, 0, 0.2])
    assert res.distribution["reference"] == pytest.approx([0.1] * 10)
    assert res.low_confidence  # 20 and 10 values < 30


def test_psi_edges_and_lower_edge_inclusive():
    ref = np.arange(1, 21, dtype=float)
    edges = psi_edges(ref)
    assert edges == pytest.approx([2.9, 4.8, 6.7, 8.6, 10.5, 12.4, 14.3, 16.2, 18.1])
    np.testing.assert_array_equal(edges, np.unique(np.quantile(ref, np.arange(1, 10) / 10)))
    # a current value equal to an edge falls in the bin that starts at that edge
    cur = pd.DataFrame({"x": [edges[2]] * 40})
    res = compute_drift(pd.DataFrame({"x": ref}), cur).column("x")
    assert res.distribution["current"][3] == 1.0


def test_psi_edges_bit_equal_to_numpy_quantile():
    rng = np.random.default_rng(5)
    for n in [1, 2, 3, 7, 10, 11, 19, 20, 21, 99, 100, 101, 1000, 12345]:
        for x in (rng.normal(size=n), np.round(rng.normal(0, 3, size=n)), rng.lognormal(size=n) * 1e6):
            x = np.sort(x)
            np.testing.assert_array_equal(psi_edges(x), np.unique(np.quantile(x, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])))


def test_psi_duplicate_edges_dropped():
    ref = np.array([0.0] * 80 + list(np.linspace(1, 2, 20)))  # 0 fills the first 8 deciles
    edges = psi_edges(np.sort(ref))
    assert len(edges) < 9 and np.all(np.diff(edges) > 0)
    res = compute_drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": ref[::-1]})).column("x")
    assert len(res.distribution["bins"]) == len(edges) + 1
    assert res.psi == 0.0


def test_population_stability_index_floor_no_renormalising():
    p_ref = np.array([0.5, 0.5, 0.0])
    p_cur = np.array([0.5, 0.25, 0.25])
    expected = (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.25 - 1e-4) * math.log(0.25 / 1e-4)
    assert population_stability_index(p_ref, p_cur) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed,n,m,shift,decimals", [
    (1, 500, 700, 0.0, None),
    (2, 2000, 1500, 0.3, None),
    (3, 3000, 3000, 0.1, 0),  # heavy ties
    (4, 12000, 15000, 0.05, 2),
])
def test_numeric_psi_matches_literal_definition(seed, n, m, shift, decimals):
    rng = np.random.default_rng(seed)
    ref = rng.normal(10, 3, n)
    cur = rng.normal(10 + shift, 3, m)
    if decimals is not None:
        ref, cur = np.round(ref, decimals), np.round(cur, decimals)
    res = compute_drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur})).column("x")
    assert res.kind == "numeric"
    assert res.psi == pytest.approx(literal_psi_numeric(ref, cur), rel=1e-12, abs=1e-15)


# --------------------------------------------------------------------------- KS / Wasserstein


@pytest.mark.parametrize("seed,n,m,decimals", [
    (10, 50, 80, None),
    (11, 1000, 1000, None),
    (12, 3000, 2000, 1),   # ties across samples
    (13, 9999, 10000, 0),  # the largest exact-p-value size
    (14, 35, 31, 0),
])
def test_ks_and_wasserstein_match_scipy(seed, n, m, decimals):
    rng = np.random.default_rng(seed)
    ref = rng.gamma(2.0, 2.0, n)
    cur = rng.gamma(2.2, 2.0, m)
    if decimals is not None:
        ref, cur = np.round(ref, decimals), np.round(cur, decimals)
    res = compute_drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur}), kinds={"x": "numeric"}).column("x")
    ks = stats.ks_2samp(ref, cur)
    assert res.ks_statistic == pytest.approx(ks.statistic, abs=1e-15)
    assert res.ks_pvalue == pytest.approx(ks.pvalue, rel=1e-12, abs=1e-300)
    assert res.ks_pvalue_method == "ks_2samp"
    w = stats.wasserstein_distance(ref, cur)
    assert res.wasserstein == pytest.approx(w, rel=1e-10)
    assert res.wasserstein_normed == pytest.approx(w / np.std(ref, ddof=0), rel=1e-10)


def test_ks_large_samples_use_kstwobign():
    rng = np.random.default_rng(20)
    ref = rng.normal(0, 1, 20000)
    cur = rng.normal(0.02, 1, 15000)
    res = compute_drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur})).column("x")
    d = stats.ks_2samp(ref, cur).statistic
    assert res.ks_statistic == pytest.approx(d, abs=1e-15)
    assert res.ks_pvalue_method == "kstwobign"
    n, m = 20000, 15000
    assert res.ks_pvalue == pytest.approx(stats.kstwobign.sf(d * math.sqrt(n * m / (n + m))), rel=1e-12)
    assert res.wasserstein == pytest.approx(stats.wasserstein_distance(ref, cur), rel=1e-10)


def test_ks_wasserstein_sorted_random_ties_against_scipy():
    rng = np.random.default_rng(30)
    for _ in range(200):
        n, m = rng.integers(1, 60, 2)
        ref = np.sort(rng.integers(0, 8, n).astype(float))
        cur = np.sort(rng.integers(0, 8, m).astype(float) + rng.choice([0.0, 0.5]))
        d, w = ks_wasserstein_sorted(ref, cur)
        assert d == pytest.approx(stats.ks_2samp(ref, cur).statistic, abs=1e-15)
        assert w == pytest.approx(stats.wasserstein_distance(ref, cur), rel=1e-12, abs=1e-15)


def test_ks_identical_and_disjoint_samples():
    a = np.sort(np.arange(100.0))
    assert ks_wasserstein_sorted(a, a) == (0.0, 0.0)
    d, w = ks_wasserstein_sorted(a, a + 1000)
    assert d == 1.0 and w == pytest.approx(1000.0)


# --------------------------------------------------------------------------- categorical


def test_categorical_statistics_match_scipy():
    ref = pd.Series(["a"] * 50 + ["b"] * 30 + ["c"] * 20)
    cur = pd.Series(["a"] * 40 + ["b"] * 30 + ["d"] * 25 + [None] * 5)
    res = compute_drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur})).column("x")
    assert res.kind == "categorical"
    # union, reference categories first (sorted), then new ones
    assert res.distribution["bins"] == ["a", "b", "c", "d"]
    r = np.array([50, 30, 20, 0])
    c = np.array([40, 30, 0, 25])
    chi = stats.chi2_contingency(np.vstack([r, c]), correction=False)
    assert res.chi2_statistic == pytest.approx(chi.statistic, rel=1e-12)
    assert res.chi2_pvalue == pytest.approx(chi.pvalue, rel=1e-12)
    assert res.js_distance == pytest.approx(jensenshannon(r / 100, c / 95, base=2), rel=1e-12)
    pr, pc = np.maximum(r / 100, 1e-4), np.maximum(c / 95, 1e-4)
    assert res.psi == pytest.approx(float(np.sum((pc - pr) * np.log(pc / pr))), rel=1e-12)
    assert res.new_categories == {"d": pytest.approx(25 / 95)}
    assert res.missing_categories == ["c"]
    assert res.missing_share_current == pytest.approx(0.05)
    assert res.missing_share_reference == 0.0


def test_single_category_both_sides():
    res = compute_drift(pd.DataFrame({"x": ["a"] * 40}), pd.DataFrame({"x": ["a"] * 35})).column("x")
    assert res.tested and res.psi == 0.0
    assert (res.chi2_statistic, res.chi2_pvalue) == (0.0, 1.0)
    assert res.js_distance == 0.0
    assert res.status == DriftStatus.STABLE and not res.drifted


def test_identical_categorical_js_is_zero_not_nan():
    s = pd.Series(list("abcabcabca") * 7)
    res = compute_drift(pd.DataFrame({"x": s}), pd.DataFrame({"x": s.sample(frac=1, random_state=0)})).column("x")
    assert res.js_distance == 0.0 and res.psi == 0.0 and res.chi2_pvalue == pytest.approx(1.0)


def test_integer_coded_categorical_threshold():
    rng = np.random.default_rng(40)
    ten = rng.integers(0, 10, 500)
    eleven = np.concatenate([np.arange(11), rng.integers(0, 11, 489)])
    ref = pd.DataFrame({"ten": ten, "eleven": eleven})
    cur = pd.DataFrame({"ten": np.where(rng.random(500) < 0.1, np.nan, rng.integers(0, 12, 500)), "eleven": eleven})
    out = compute_drift(ref, cur)
    ten_res = out.column("ten")
    assert ten_res.kind == "categorical"
    assert out.column("eleven").kind == "numeric"
    # float current values (NaN forced float64) match the integer reference categories
    assert ten_res.distribution["bins"][:10] == [str(i) for i in range(10)]
    assert set(ten_res.new_categories) <= {"10", "11"} and ten_res.new_categories
    assert ten_res.missing_share_current == pytest.approx(float(np.isnan(cur["ten"]).mean()))


def test_numeric_coded_categories_read_from_text_current():
    ref = pd.DataFrame({"x": [1, 2, 3] * 20})
    cur = pd.DataFrame({"x": pd.Series(["1", "2", "3", "4"] * 15, dtype="str")})
    res = compute_drift(ref, cur).column("x")
    assert res.new_categories == {"4": 0.25}


def test_bool_columns_are_categorical():
    ref = pd.DataFrame({"flag": [True, False] * 30})
    cur = pd.DataFrame({"flag": [True] * 50 + [False] * 10})
    res = compute_drift(ref, cur).column("flag")
    assert res.kind == "categorical" and res.distribution["bins"] == ["False", "True"]


def test_mixed_type_object_column_coerced_to_text_with_note():
    ref = pd.DataFrame({"x": pd.Series([1, "1", "a", 2.5, None] * 10, dtype=object)})
    cur = pd.DataFrame({"x": pd.Series(["1", "a", "2.5", "b"] * 10, dtype=object)})
    res = compute_drift(ref, cur).column("x")
    assert res.kind == "categorical"
    assert "mixed value types" in res.full_reason
    assert res.distribution["bins"] == ["1", "2.5", "a", "b"]  # 1 and "1" are one category
    assert res.distribution["reference"] == pytest.approx([0.5, 0.25, 0.25, 0.0])


def test_many_new_categories_listed_up_to_a_cap():
    ref = pd.DataFrame({"id": [f"r{i}" for i in range(200)]})
    cur = pd.DataFrame({"id": [f"c{i}" for i in range(300)]})
    res = compute_drift(ref, cur).column("id")
    assert len(res.new_categories) == 100
    assert "200 more new categories not listed" in res.full_reason
    assert len(res.distribution["bins"]) == 50 and res.distribution["bins"][-1].startswith("other (")
    assert sum(res.distribution["current"]) == pytest.approx(1.0)


# --------------------------------------------------------------------------- edge cases


def test_missing_values_excluded_and_shares_reported():
    rng = np.random.default_rng(50)
    ref = pd.Series(rng.normal(size=100))
    ref[:10] = np.nan
    cur = pd.Series(rng.normal(size=80))
    cur[:20] = np.nan
    res = compute_drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur})).column("x")
    assert res.missing_share_reference == pytest.approx(0.10)
    assert res.missing_share_current == pytest.approx(0.25)
    r, c = ref.dropna().to_numpy(), cur.dropna().to_numpy()
    assert res.ks_statistic == pytest.approx(stats.ks_2samp(r, c).statistic, abs=1e-15)
    assert res.psi == pytest.approx(literal_psi_numeric(r, c), rel=1e-12)
    assert (res.n_reference, res.n_current) == (90, 60)


def test_empty_strings_are_missing_in_text_columns():
    ref = pd.DataFrame({"x": ["a", "", "b", None] * 10})
    cur = pd.DataFrame({"x": ["a", "b", "", ""] * 10})
    res = compute_drift(ref, cur).column("x")
    assert res.missing_share_reference == 0.5 and res.missing_share_current == 0.5
    assert res.distribution["bins"] == ["a", "b"] and res.psi == 0.0


def test_infinities_are_missing_with_a_note():
    rng = np.random.default_rng(60)
    ref = rng.normal(size=200)
    cur = rng.normal(size=200)
    cur[:3] = [np.inf, -np.inf, np.inf]
    res = compute_drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur})).column("x")
    assert res.missing_share_current == pytest.approx(3 / 200)
    assert "3 ±inf values in the current data treated as missing" in res.full_reason
    assert res.ks_statistic == pytest.approx(stats.ks_2samp(ref, cur[3:]).statistic, abs=1e-15)
    assert_json_clean(compute_drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur})).to_json())


def test_datetime_columns_not_tested_ranges_reported():
    ref = pd.DataFrame({"when": pd.date_range("2020-01-01", periods=50, freq="D"), "v": np.arange(50.0)})
    cur = pd.DataFrame({"when": pd.date_range("2021-06-01", periods=40, freq="D"), "v": np.arange(40.0)})
    out = compute_drift(ref, cur)
    res = out.column("when")
    assert res.kind == "datetime" and not res.tested and res.psi is None and res.status is None
    assert res.reference_range == ("2020-01-01", "2020-02-19")
    assert res.current_range == ("2021-06-01", "2021-07-10")
    assert "2020-01-01 to 2020-02-19" in res.reason and "2021-06-01 to 2021-07-10" in res.reason
    assert set(res.to_json()) == COMMON_KEYS
    assert out.n_tested == 1


def test_all_missing_column_untested_never_aborts():
    ref = pd.DataFrame({"empty": [np.nan] * 40, "ok": np.arange(40.0), "gone": [None] * 40})
    cur = pd.DataFrame({"empty": [np.nan] * 40, "ok": np.arange(40.0), "gone": ["x"] * 40})
    out = compute_drift(ref, cur)
    e = out.column("empty")
    assert not e.tested and e.reason == "no non-missing values in either sample"
    assert e.missing_share_reference == 1.0 and e.missing_share_current == 1.0
    g = out.column("gone")
    assert not g.tested and g.reason == "no non-missing values in the reference"
    assert out.column("ok").tested and out.n_tested == 1
    assert_json_clean(out.to_json())


def test_current_without_values_or_rows():
    ref = pd.DataFrame({"x": np.arange(100.0), "c": list("ab") * 50})
    cur = pd.DataFrame({"x": [np.nan] * 10, "c": ["a"] * 10})
    out = compute_drift(ref, cur)
    assert out.column("x").reason == "no non-missing values in the current data"
    empty = compute_drift(ref, ref.iloc[:0])
    assert empty.n_tested == 0 and not empty.dataset_drift
    assert all(c.reason == "the current data has no rows" for c in empty.columns)
    assert all(c.missing_share_current is None for c in empty.columns)
    assert_json_clean(empty.to_json())


def test_constant_both_sides_psi_zero_p_one():
    ref = pd.DataFrame({"k": [3.0] * 50})
    cur = pd.DataFrame({"k": [3.0] * 60})
    cat = compute_drift(ref, cur).column("k")  # 1 distinct value -> categorical
    assert cat.kind == "categorical"
    assert (cat.psi, cat.chi2_statistic, cat.chi2_pvalue) == (0.0, 0.0, 1.0)
    num = compute_drift(ref, cur, kinds={"k": "numeric"}).column("k")
    assert num.kind == "numeric" and num.tested
    assert num.psi == 0.0 and num.ks_statistic == 0.0 and num.ks_pvalue == 1.0
    assert num.wasserstein == 0.0 and num.wasserstein_normed is None
    assert "standard deviation is 0" in num.to_json()["reason"]


def test_tiny_samples_flagged_low_confidence():
    rng = np.random.default_rng(70)
    out = compute_drift(pd.DataFrame({"x": rng.normal(size=100)}), pd.DataFrame({"x": rng.normal(size=12)}))
    res = out.column("x")
    assert res.tested and res.low_confidence
    assert "low confidence" in res.to_json()["reason"] and "12 in the current data" in res.to_json()["reason"]
    big = compute_drift(pd.DataFrame({"x": rng.normal(size=100)}), pd.DataFrame({"x": rng.normal(size=30)}))
    assert not big.column("x").low_confidence and big.column("x").to_json()["reason"] is None


def test_columns_present_in_one_sample_only():
    ref = pd.DataFrame({"a": np.arange(40.0), "only_ref": list("xy") * 20, "b": np.arange(40.0)})
    cur = pd.DataFrame({"b": np.arange(40.0), "only_cur": np.arange(40.0) * 2, "a": np.arange(40.0)})
    out = compute_drift(ref, cur)
    assert [c.name for c in out.columns] == ["a", "only_ref", "b", "only_cur"]
    r, c = out.column("only_ref"), out.column("only_cur")
    assert not r.tested and "missing from the current" in r.reason and r.missing_share_current is None
    assert not c.tested and "only in the current" in c.reason and c.missing_share_reference is None
    assert c.kind == "numeric"
    assert out.n_tested == 2


def test_text_in_numeric_column_is_noted():
    ref = pd.DataFrame({"x": np.arange(50.0)})
    cur = pd.DataFrame({"x": pd.Series([str(i) for i in range(45)] + ["abc", "n/a?", "", "", "7,5"], dtype="str")})
    res = compute_drift(ref, cur).column("x")
    assert res.missing_share_current == pytest.approx(5 / 50)
    assert "3 values in the current data are not numbers" in res.full_reason


# --------------------------------------------------------------------------- result shape


def test_json_shape_exact_keys_and_order():
    rng = np.random.default_rng(80)
    ref = pd.DataFrame({
        "num": rng.normal(size=300), "cat": rng.choice(list("abc"), 300),
        "when": pd.date_range("2020-01-01", periods=300, freq="h"), "y": rng.integers(0, 2, 300),
    })
    cur = ref.copy()
    cur["num"] = cur["num"] + 2
    out = compute_drift(ref, cur, target="y")
    doc = out.to_json()
    assert list(doc) == ["dataset_drift", "n_tested", "n_drifted", "target", "columns", "reference_profile", "approximate"]
    assert doc["reference_profile"] == {"fingerprint": dataframe_fingerprint(ref), "format_version": 1, "n_rows": 300}
    assert doc["approximate"] is False
    assert [c["name"] for c in doc["columns"]] == ["num", "cat", "when"]
    by = {c["name"]: c for c in doc["columns"]}
    assert set(by["num"]) == NUMERIC_KEYS
    assert set(by["cat"]) == CATEGORICAL_KEYS
    assert set(by["when"]) == COMMON_KEYS
    assert set(doc["target"]) == CATEGORICAL_KEYS and doc["target"]["name"] == "y"
    assert doc["n_tested"] == 2 and doc["n_drifted"] == 1 and doc["dataset_drift"] is True
    assert by["num"]["status"] == "drift" and by["cat"]["status"] == "stable"
    assert all(isinstance(v, (str, float, int, bool, dict, list, type(None))) for c in doc["columns"] for v in c.values())
    assert_json_clean(doc)
    # distribution and notes are attributes, not JSON keys
    assert "distribution" not in by["num"] and out.column("num").distribution is not None


def test_dataset_drift_at_least_half_and_target_not_counted():
    rng = np.random.default_rng(90)
    base = {f"c{i}": rng.normal(size=400) for i in range(4)}
    ref = pd.DataFrame({**base, "t": rng.normal(size=400)})
    cur = ref.copy()
    cur["t"] += 5
    cur["c0"] += 5
    out = compute_drift(ref, cur, target="t")
    assert out.target.drifted and (out.n_tested, out.n_drifted) == (4, 1) and not out.dataset_drift
    cur["c1"] += 5
    out = compute_drift(ref, cur, target="t")
    assert (out.n_tested, out.n_drifted) == (4, 2) and out.dataset_drift


def test_unknown_target_and_bad_kinds_raise_input_error():
    df = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(InputError, match="'nope'.*available: a"):
        compute_drift(df, df, target="nope")
    with pytest.raises(InputError, match="'zz'"):
        compute_drift(df, df, kinds={"zz": "numeric"})
    with pytest.raises(InputError, match="unknown kind 'ordinal'"):
        compute_drift(df, df, kinds={"a": "ordinal"})


def test_kind_overrides():
    rng = np.random.default_rng(100)
    ref = pd.DataFrame({"zip": rng.integers(1000, 1100, 300), "code": pd.Series([str(i % 40) for i in range(300)], dtype="str")})
    out = compute_drift(ref, ref, kinds={"zip": "categorical", "code": "numeric"})
    assert out.column("zip").kind == "categorical" and out.column("zip").psi == 0.0
    assert out.column("code").kind == "numeric" and out.column("code").ks_statistic == 0.0


def test_drift_rule_alternatives():
    rng = np.random.default_rng(110)
    ref = pd.DataFrame({"x": rng.normal(size=3000), "c": rng.choice(list("ab"), 3000, p=[0.5, 0.5])})
    cur = pd.DataFrame({"x": rng.normal(0.15, 1, 3000), "c": rng.choice(list("ab"), 3000, p=[0.56, 0.44])})
    psi_rule = compute_drift(ref, cur)
    assert not psi_rule.column("x").drifted and not psi_rule.column("c").drifted
    ks_rule = compute_drift(ref, cur, rule=DriftRule(numeric="ks", categorical="chi2"))
    assert ks_rule.column("x").drifted and ks_rule.column("c").drifted
    assert ks_rule.column("x").status == DriftStatus.STABLE  # status stays PSI-based
    with pytest.raises(InputError):
        DriftRule(numeric="magic")


def test_profile_reused_for_several_windows_and_fingerprint():
    rng = np.random.default_rng(120)
    ref = pd.DataFrame({"x": rng.normal(size=1000), "c": rng.choice(list("abc"), 1000)})
    profile = ReferenceProfile.from_frame(ref)
    assert profile.kinds == {"x": "numeric", "c": "categorical"}
    assert profile.profiles["x"].sorted_values.size == 1000
    assert len(profile.fingerprint) == 64
    w1 = compare(profile, ref.iloc[:500])
    w2 = compare(profile, ref.iloc[500:])
    assert w1.reference_fingerprint == w2.reference_fingerprint == profile.fingerprint
    assert w1.column("x").ks_statistic == pytest.approx(
        stats.ks_2samp(ref["x"], ref["x"].iloc[:500]).statistic, abs=1e-15)
    # fingerprint: content-based, index-independent, sensitive to any value
    assert dataframe_fingerprint(ref) == dataframe_fingerprint(ref.set_axis(range(5, 1005)))
    changed = ref.copy()
    changed.loc[3, "c"] = "zzz"
    assert dataframe_fingerprint(changed) != profile.fingerprint
    assert dataframe_fingerprint(ref[["c", "x"]]) != profile.fingerprint


def test_threaded_and_sequential_results_identical():
    rng = np.random.default_rng(130)
    n = 30000
    ref = pd.DataFrame({f"n{i}": rng.normal(size=n) for i in range(6)} | {"c": rng.choice(list("abcd"), n)})
    cur = pd.DataFrame({f"n{i}": rng.normal(0.01 * i, 1, size=n) for i in range(6)} | {"c": rng.choice(list("abce"), n)})
    seq = compute_drift(ref, cur, workers=1).to_json()
    par = compute_drift(ref, cur, workers=2).to_json()
    assert seq == par


def test_progress_and_cancel():
    rng = np.random.default_rng(140)
    ref = pd.DataFrame({f"c{i}": rng.normal(size=50) for i in range(5)})
    seen: list[tuple[float, str]] = []
    compute_drift(ref, ref, progress=lambda f, msg: seen.append((f, msg)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len(seen) >= 10  # at least once per column, profile and comparison
    token = CancelToken()

    def cancel_after_first(f: float, msg: str) -> None:
        token.cancel()

    with pytest.raises(Cancelled):
        compute_drift(ref, ref, progress=cancel_after_first, cancel=token)
    profile = ReferenceProfile.from_frame(ref)
    with pytest.raises(Cancelled):
        compare(profile, ref, cancel=token)


def test_add_note_goes_into_reason():
    out = compute_drift(pd.DataFrame({"x": np.arange(40.0)}), pd.DataFrame({"x": np.arange(40.0)}))
    out.add_note("x", "cur.csv: 2 values do not fit")
    assert out.to_json()["columns"][0]["reason"] == "cur.csv: 2 values do not fit"
    assert isinstance(out.column("x"), ColumnDrift)


def test_distribution_labels_for_integral_edges():
    ref = pd.DataFrame({"x": np.arange(0.0, 101.0)})
    res = compute_drift(ref, ref).column("x")
    assert res.distribution["bins"][:2] == ["< 10.0", "[10.0, 20.0)"]
    assert res.distribution["bins"][-1] == "≥ 90.0"
    assert len(res.distribution["bins"]) == len(res.distribution["reference"]) == len(res.distribution["current"])


def test_monitoring_imports_neither_qt_nor_sqlalchemy():
    import subprocess
    import sys

    code = (
        "import sys, console.monitoring, console.monitoring.drift, console.monitoring.io\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'sqlalchemy', 'pyqtgraph')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


# --------------------------------------------------------------------------- more edge cases


def test_constant_versus_a_different_constant_is_drift():
    ref, cur = pd.DataFrame({"k": [3.0] * 50}), pd.DataFrame({"k": [5.0] * 60})
    cat = compute_drift(ref, cur).column("k")  # one distinct value -> categorical
    assert cat.kind == "categorical" and cat.tested
    # bins {3, 5}: reference (1, 0), current (0, 1), floored at 1e-4 in both factors
    assert cat.psi == pytest.approx(2 * (1 - 1e-4) * math.log(1e4), rel=1e-12)
    assert cat.status == DriftStatus.DRIFT and cat.drifted
    assert cat.chi2_statistic == pytest.approx(110.0) and cat.chi2_pvalue < 1e-20
    assert cat.js_distance == pytest.approx(1.0)
    assert cat.new_categories == {"5": 1.0} and cat.missing_categories == ["3"]
    # as numeric: PSI bins come from the reference deciles (one edge, 3.0), so both
    # constants fall in the bin ">= 3" and PSI is 0 -- while KS and Wasserstein see it
    num = compute_drift(ref, cur, kinds={"k": "numeric"}).column("k")
    assert num.psi == 0.0 and num.status == DriftStatus.STABLE
    assert num.ks_statistic == 1.0 and num.ks_pvalue < 1e-20 and num.wasserstein == 2.0
    assert compute_drift(ref, cur, kinds={"k": "numeric"}, rule=DriftRule(numeric="ks")).column("k").drifted


def test_empty_bins_use_the_floor_and_stay_finite():
    ref = pd.DataFrame({"x": np.arange(100.0)})
    cur = pd.DataFrame({"x": np.full(50, 1000.0)})  # every current value in the top bin
    res = compute_drift(ref, cur).column("x")
    assert res.distribution["reference"] == pytest.approx([0.1] * 10)
    assert res.distribution["current"] == [0.0] * 9 + [1.0]
    expected = 9 * (1e-4 - 0.1) * math.log(1e-4 / 0.1) + (1.0 - 0.1) * math.log(1.0 / 0.1)
    assert res.psi == pytest.approx(expected, rel=1e-12) and math.isfinite(res.psi)
    assert res.status == DriftStatus.DRIFT
    assert_json_clean(compute_drift(ref, cur).to_json())
    # a reference category absent from the current data: floored, finite
    cat = compute_drift(pd.DataFrame({"c": ["a", "b"] * 20}), pd.DataFrame({"c": ["a"] * 30})).column("c")
    assert cat.psi == pytest.approx((1 - 0.5) * math.log(1 / 0.5) + (1e-4 - 0.5) * math.log(1e-4 / 0.5), rel=1e-12)
    assert cat.missing_categories == ["b"] and cat.new_categories == {}


def test_new_categories_by_name_with_share_and_disappeared_ones():
    ref = pd.DataFrame({"c": ["a"] * 60 + ["b"] * 30 + ["gone"] * 10})
    cur = pd.DataFrame({"c": ["a"] * 50 + ["b"] * 30 + ["new1"] * 15 + ["new2"] * 5})
    res = compute_drift(ref, cur).column("c")
    assert res.new_categories == {"new1": pytest.approx(0.15), "new2": pytest.approx(0.05)}
    assert list(res.new_categories) == ["new1", "new2"]  # largest share first
    assert res.missing_categories == ["gone"]
    doc = res.to_json()
    assert doc["new_categories"] == {"new1": 0.15, "new2": 0.05} and doc["missing_categories"] == ["gone"]


# --------------------------------------------------------------------------- profile container


def _profile_frame(n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(150)
    x = rng.normal(size=n)
    x[:7] = np.nan
    return pd.DataFrame({
        "x": x,
        "ties": np.round(rng.normal(50, 15, n)),  # numeric with many ties: stored as distinct + counts
        "code": rng.integers(0, 4, n),  # integer-coded categorical
        "c": pd.Series(rng.choice(["é", "b", "c"], n), dtype="str"),
        "when": pd.date_range("2020-01-01", periods=n, freq="h"),
        "empty": [np.nan] * n,
    })


def test_profile_to_bytes_and_back_is_lossless():
    ref = _profile_frame()
    profile = ReferenceProfile.from_frame(ref)
    data = profile.to_bytes()
    assert isinstance(data, bytes) and data[:2] == b"PK"  # an .npz (zip) container, no pickle
    back = ReferenceProfile.from_bytes(data)
    assert back.columns == profile.columns and back.fingerprint == profile.fingerprint
    assert back.n_rows == profile.n_rows and back.format_version == 1 and back.kinds == profile.kinds
    for name in profile.columns:
        a, b = profile.profiles[name], back.profiles[name]
        for attr in ("kind", "domain", "dtype", "n_rows", "n_valid", "n_inf", "n_unfit", "std",
                     "category_labels", "dt_min", "dt_max", "notes"):
            assert getattr(a, attr) == getattr(b, attr), (name, attr)
        for attr in ("sorted_values", "edges", "bin_counts", "category_counts", "category_keys"):
            va, vb = getattr(a, attr), getattr(b, attr)
            assert (va is None) == (vb is None), (name, attr)
            if va is not None:
                assert va.dtype == vb.dtype and np.array_equal(va, vb), (name, attr)
                if va.dtype.kind == "f":
                    assert va.tobytes() == vb.tobytes()  # bit for bit
    cur = _profile_frame(500)
    cur["x"] = cur["x"] + 0.3
    assert compare(back, cur).to_json() == compare(profile, cur).to_json()
    assert ReferenceProfile.from_bytes(back.to_bytes()).to_bytes() == data


def test_profile_results_record_which_profile_they_used():
    ref = _profile_frame()
    profile = ReferenceProfile.from_frame(ref)
    res = compare(ReferenceProfile.from_bytes(profile.to_bytes()), ref.iloc[:300])
    assert res.reference_fingerprint == dataframe_fingerprint(ref) and res.profile_format_version == 1
    assert res.to_json()["reference_profile"] == {
        "fingerprint": dataframe_fingerprint(ref), "format_version": 1, "n_rows": 2000}


def test_profile_from_bytes_rejects_other_versions_and_garbage():
    import io
    import json as _json

    data = ReferenceProfile.from_frame(_profile_frame(100)).to_bytes()
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = _json.loads(arrays["meta"].tobytes())
    meta["format_version"] = 99
    arrays["meta"] = np.frombuffer(_json.dumps(meta).encode(), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    with pytest.raises(InputError, match="format version 99 is not supported.*reads version 1"):
        ReferenceProfile.from_bytes(buf.getvalue())
    with pytest.raises(InputError, match="not a readable Tollgate drift reference profile"):
        ReferenceProfile.from_bytes(b"not a profile at all")
    with pytest.raises(InputError, match="not a readable"):
        ReferenceProfile.from_bytes(data[: len(data) // 2])
    # an .npz that is not ours
    buf = io.BytesIO()
    np.savez(buf, meta=np.frombuffer(b'{"format": "other"}', dtype=np.uint8))
    with pytest.raises(InputError, match="not a Tollgate drift reference profile"):
        ReferenceProfile.from_bytes(buf.getvalue())


# --------------------------------------------------------------------------- KS / Wasserstein internals


def test_ks_and_wasserstein_of_sorted_samples_bit_for_bit_at_block_sizes():
    """The pruned KS search and the quantile-grid Wasserstein on sizes around the block
    length and with long runs of ties crossing block boundaries."""
    from console.monitoring.drift import ks_statistic_sorted, wasserstein_sorted

    rng = np.random.default_rng(160)
    for n, m in [(1, 1), (127, 129), (1024, 1025), (4000, 3999), (12000, 11001), (20000, 20000)]:
        for ties in (None, 0, 2):
            ref, cur = rng.normal(0, 2, n), rng.normal(0.1, 2, m)
            if ties is not None:
                ref, cur = np.round(ref, ties), np.round(cur, ties)
            ref.sort()
            cur.sort()
            assert ks_statistic_sorted(ref, cur) == stats.ks_2samp(ref, cur).statistic
            assert wasserstein_sorted(ref, cur) == pytest.approx(stats.wasserstein_distance(ref, cur), rel=1e-12)


def test_prefer_fast_sort_is_lazy_and_respects_the_user_and_imported_numpy():
    import os
    import subprocess
    import sys

    import console.monitoring

    assert console.monitoring.prefer_fast_sort() is False  # numpy is already imported here
    code = (
        "import os, sys, console.monitoring as m\n"
        "assert 'numpy' not in sys.modules  # the package exports load lazily\n"
        "print(m.prefer_fast_sort(), repr(os.environ.get('NPY_DISABLE_CPU_FEATURES')))\n"
        "assert m.compare.__module__ == 'console.monitoring.drift'\n"
    )
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES="")  # the user's choice (nothing disabled) wins
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "''"]
