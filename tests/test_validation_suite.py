"""The validation suite (console.validation.suite) on real data with known outcomes.

Data: Adult, German credit and Bike sharing from ``shared/data`` (see the SOURCE.md files
there).  Training samples are kept at 6,000 rows and holdouts at 3,000 so the module
runs in well under a minute; the benchmark (benchmarks/bench_validation.py) uses the
full Adult files.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from console.domain.models import CheckResult, CheckStatus, ModelVersion, TaskType
from console.errors import Cancelled, InputError
from console.jobs import CancelToken
from console.validation import dump_model, load_model, sha256_hex
from console.validation.suite import (
    CATALOGUE, FAMILIES, ArtifactInfo, SuiteInput, ValidationPlan, default_plan, run_suite, spec,
    suite_passed,
)
from tests.conftest import SHARED_DATA as DATA_DIR

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
    "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income",
]
GERMAN_COLUMNS = [
    "checking_status", "duration_months", "credit_history", "purpose", "credit_amount", "savings",
    "employment_since", "installment_rate", "personal_status_sex", "other_debtors", "residence_since",
    "property", "age", "other_installment_plans", "housing", "existing_credits", "job", "num_dependents",
    "telephone", "foreign_worker", "class",
]
SEED = 20240601
CREATED = datetime(2024, 6, 1, tzinfo=timezone.utc)
NOW = datetime(2024, 7, 1, tzinfo=timezone.utc)
S = CheckStatus

pytestmark = pytest.mark.skipif(
    not (DATA_DIR / "adult" / "adult.data").is_file(),
    reason=f"real datasets not found under {DATA_DIR}",
)


# ----------------------------------------------------------------------------- helpers


def read_adult(name: str = "adult.data") -> pd.DataFrame:
    df = pd.read_csv(DATA_DIR / "adult" / name, header=None, names=ADULT_COLUMNS, skipinitialspace=True,
                     na_values="?", skiprows=1 if name == "adult.test" else 0)
    df["income"] = df["income"].str.rstrip(".")  # adult.test labels carry a trailing dot
    return df


def pipeline(X: pd.DataFrame, clf) -> Pipeline:
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]
    pre = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), numeric),
        ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                          ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]), categorical),
    ])
    return Pipeline([("pre", pre), ("clf", clf)])


class Model:
    """A fitted model, round-tripped through skops, with its ModelVersion and training data."""

    def __init__(self, clf, train: pd.DataFrame, target: str, version: int, features=None):
        features = features or [c for c in train.columns if c != target]
        X, y = train[features], train[target]
        self.artifact = dump_model(pipeline(X, clf).fit(X, y))
        self.estimator = load_model(self.artifact)
        self.training = train[features + [target]]
        self.version = ModelVersion(
            id=version, model_id=1, version=version, framework="sklearn",
            artifact_sha256=sha256_hex(self.artifact), data_sha256="0" * 64,
            training_schema={c: str(t) for c, t in X.dtypes.items()}, target_column=target,
            holdout_sha256=None, reference_sha256=None, hyperparameters={}, metrics={},
            created_by="tester", created_at=CREATED,
        )

    @property
    def pair(self):
        return self.estimator, self.version

    def input(self, data: pd.DataFrame, *, task=TaskType.CLASSIFICATION, tier=1, **kw) -> SuiteInput:
        kw.setdefault("training_data", self.training)
        kw.setdefault("now", NOW)
        kw.setdefault("artifact", ArtifactInfo(self.version.artifact_sha256, "skops", len(self.artifact)))
        return SuiteInput(estimator=self.estimator, version=self.version, task=task, data=data,
                          target=self.version.target_column, tier=tier, **kw)


def by_id(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.id: r for r in results}


def assert_contract(results: list[CheckResult]) -> None:
    """JSON-safe values (no NaN/inf), reasons on skipped/error, spec texts attached."""
    text = json.dumps([r.to_json() for r in results], allow_nan=False)
    assert json.loads(text)
    for r in results:
        if r.status in (S.SKIPPED, S.ERROR):
            assert r.reason, r.id
        assert r.description and r.source and r.family in FAMILIES, r.id
        for t in r.values.get("tables", []):
            assert set(t) == {"title", "columns", "rows"} and len(t["rows"]) <= 200
            assert all(len(row) == len(t["columns"]) for row in t["rows"]), (r.id, t["title"])
        for c in r.values.get("charts", []):
            assert c["kind"] in ("line", "bar", "scatter") and all(len(s["points"]) <= 200 for s in c["series"])


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Fit the fixtures' models with one OpenMP thread, as run_suite does (a busy shared
    machine makes HistGradientBoosting ten times slower with more)."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def adult():
    full = read_adult()
    train = full.sample(n=6000, random_state=SEED)
    train_v1 = full.drop(index=train.index).sample(n=3000, random_state=SEED)
    holdout = read_adult("adult.test").sample(n=3000, random_state=SEED)
    shuffled = train.assign(income=np.random.default_rng(SEED).permutation(train["income"].to_numpy()))
    return {
        "train": train,
        "holdout": holdout,
        "lr_v1": Model(LogisticRegression(max_iter=1000), train_v1, "income", 1),
        "lr": Model(LogisticRegression(max_iter=1000), train, "income", 2),
        "hgb": Model(HistGradientBoostingClassifier(max_iter=60, random_state=0), train, "income", 3),
        "bad": Model(LogisticRegression(max_iter=1000), shuffled, "income", 4),
    }


@pytest.fixture(scope="module")
def lr_results(adult):
    """The whole tier-1 suite on the Adult logistic regression (sex, race, age as features)."""
    inp = adult["lr"].input(adult["holdout"], protected_attributes=["sex", "race", "age"])
    calls = []
    results = run_suite(inp, default_plan(1), progress=lambda f, m: calls.append((f, m)))
    return results, calls


# ----------------------------------------------------------------------------- catalogue / plans


def test_catalogue_and_default_plans():
    ids = [s.id for s in CATALOGUE]
    assert len(ids) == len(set(ids)) == 17
    assert {s.family for s in CATALOGUE} == set(FAMILIES)
    for s in CATALOGUE:
        assert s.id.split(".")[0] == s.family and s.title and s.description and s.source
        assert spec(s.id) is s
        for tier, over in s.tier_params.items():
            assert tier in (1, 2, 3) and set(over) <= set(s.defaults), s.id
    # tier 1 is stricter where it differs
    assert spec("performance.metrics").params_for(1)["min_roc_auc"] > spec("performance.metrics").params_for(2)["min_roc_auc"]
    assert spec("performance.champion").params_for(1)["max_drop"] < spec("performance.champion").params_for(3)["max_drop"]
    with pytest.raises(InputError, match="Unknown validation check"):
        spec("nope.nothing")

    blocking = {t: {s.family for s in CATALOGUE if default_plan(t).blocking[s.id]} for t in (1, 2, 3)}
    assert blocking[1] == set(FAMILIES)
    assert blocking[2] == {"data", "performance", "fairness", "loading"}
    assert blocking[3] == {"data", "loading"}

    for t in (1, 2, 3):
        plan = default_plan(t)
        again = ValidationPlan.from_json(json.loads(json.dumps(plan.to_json(), allow_nan=False)))
        assert again == plan
    with pytest.raises(InputError, match="min_auc"):
        ValidationPlan.from_json({"tier": 2, "params": {"performance.metrics": {"min_auc": 0.8}}})
    with pytest.raises(InputError, match="finite"):
        ValidationPlan(2, params={"performance.metrics": {"min_roc_auc": float("nan")}}).validate()
    with pytest.raises(InputError, match="tier"):
        ValidationPlan.from_json({"tier": 4})
    with pytest.raises(InputError, match="nope"):
        ValidationPlan.from_json({"tier": 1, "blocking": {"nope": True}})


# ----------------------------------------------------------------------------- the whole suite


def test_whole_suite_on_adult_lr_with_sex_as_feature(lr_results):
    results, calls = lr_results
    assert [r.id for r in results] == [s.id for s in CATALOGUE]
    assert_contract(results)
    res = by_id(results)
    assert all(r.blocking for r in results)  # tier 1: every family blocks
    for cid in ("data.schema", "data.missing", "data.out_of_range", "data.label_distribution",
                "performance.metrics", "performance.calibration", "reproducibility.refit",
                "robustness.stress", "staleness.age", "loading.safe_format"):
        assert res[cid].status is S.PASS, (cid, res[cid].reason)
    assert res["data.duplicates"].status in (S.PASS, S.WARN)
    assert res["performance.champion"].status is S.SKIPPED and res["performance.history"].status is S.SKIPPED

    # fairness: the Adult model selects far fewer women (four-fifths rule)
    fair = res["fairness.group_metrics"]
    assert fair.status is S.FAIL and "sex" in fair.reason and "four-fifths" in fair.reason
    assert fair.values["sex.demographic_parity_ratio"] < 0.8
    sex_table = next(t for t in fair.values["tables"] if t["title"] == "Groups by sex")
    assert {row[0] for row in sex_table["rows"]} == {"Male", "Female"}
    assert fair.values["positive_label"] == ">50K"
    age_table = next(t for t in fair.values["tables"] if t["title"].startswith("Groups by age"))
    assert {row[0] for row in age_table["rows"]} == {"< 25", "25–39", "40–59", "≥ 60"}
    assert "Amer-Indian-Eskimo" in json.dumps(fair.values)

    # importance: sex is a protected attribute used as a feature; relationship a proxy of sex
    imp = res["importance.permutation"]
    assert imp.status is S.FAIL and "'sex'" in imp.reason
    assert set(imp.values["protected_features"]) == {"sex", "race", "age"}
    proxies = {(p["feature"], p["protected_attribute"]) for p in imp.values["proxy_features"]}
    assert ("relationship", "sex") in proxies
    assert imp.values["charts"][0]["kind"] == "bar"

    # privacy: sensitive attributes used as features go to the DPIA
    priv = res["privacy.personal_data"]
    assert priv.status is S.WARN and "sex" in priv.values["sensitive_features"]
    assert priv.values["identifier_features"] == []

    met = res["performance.metrics"]
    assert met.values["roc_auc"] > 0.85 and met.params["min_roc_auc"] == 0.75
    lo, hi = met.values["roc_auc_ci95"]
    assert lo < met.values["roc_auc"] < hi
    cal = res["performance.calibration"]
    assert 0 <= cal.values["ece"] < 0.05 and cal.values["brier_skill"] > 0
    assert cal.values["charts"][0]["reference_line"] == [[0, 0], [1, 1]]
    base = res["baseline.simple_model"]
    assert base.status is S.PASS and base.values["dummy"] == 0.5
    assert res["reproducibility.refit"].values["max_abs_difference"] < 1e-6
    stress = res["robustness.stress"].values
    assert stress["random_rows_ok"] and stress["perturbed_rows_ok"] and stress["latency_ms_per_row_batch"] > 0
    assert not suite_passed(results)

    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(m.startswith("Groups are treated comparably: fail") for _, m in calls)


def test_model_without_protected_features_is_flagged_only_for_proxies(adult):
    feats = [c for c in ADULT_COLUMNS if c not in ("sex", "race", "age", "income")]
    m = Model(LogisticRegression(max_iter=1000), adult["train"], "income", 9, features=feats)
    imp = by_id(run_suite(m.input(adult["holdout"], protected_attributes=["sex", "race", "age"]),
                          only=["importance.permutation"]))["importance.permutation"]
    assert imp.values["protected_features"] == []
    assert imp.status is S.WARN and "relationship" in imp.reason and "proxies" in imp.reason
    flags = {row[0]: row[3] for row in imp.values["tables"][0]["rows"]}
    assert "proxy of sex" in flags["relationship"]


def test_degraded_model_fails_champion_history_and_baseline(adult):
    bad = adult["bad"]
    inp = bad.input(adult["holdout"], champion=adult["hgb"].pair, history=[adult["lr_v1"].pair, adult["lr"].pair])
    res = by_id(run_suite(inp, only=["performance.metrics", "performance.champion", "performance.history",
                                     "baseline.simple_model"]))
    assert list(res) == ["performance.metrics", "performance.champion", "performance.history", "baseline.simple_model"]
    assert res["performance.metrics"].status is S.FAIL
    champ = res["performance.champion"]
    assert champ.status is S.FAIL and champ.values["delta"] < -0.2 and "champion version 3" in champ.reason
    hist = res["performance.history"]
    assert hist.status is S.FAIL and hist.values["best_earlier_version"] in (1, 2)
    assert [row[0] for row in hist.values["tables"][0]["rows"]] == [1, 2, 4]
    # on its own (shuffled) training data a simple model is as poor, so the baseline cannot judge it ...
    assert res["baseline.simple_model"].values["simple_model"] < 0.65
    assert_contract(list(res.values()))
    # recorded with the real training data, the simple model beats it by far
    base = by_id(run_suite(bad.input(adult["holdout"], training_data=adult["lr"].training),
                           only=["baseline.simple_model"]))["baseline.simple_model"]
    assert base.status is S.FAIL and base.values["simple_model"] > 0.85 and "logistic regression" in base.reason

    # the good model against the older one passes, and the history chart has both versions
    inp = adult["hgb"].input(adult["holdout"], champion=adult["lr"].pair, history=[adult["lr_v1"].pair, adult["lr"].pair])
    res = by_id(run_suite(inp, only=["performance.champion", "performance.history"]))
    assert res["performance.champion"].status is S.PASS, res["performance.champion"].reason
    assert res["performance.history"].status is S.PASS, res["performance.history"].reason
    assert [p[0] for p in res["performance.history"].values["charts"][0]["series"][0]["points"]] == [1, 2, 3]


def test_tree_refit_with_same_seed_reproduces_exactly(adult):
    res = by_id(run_suite(adult["hgb"].input(adult["holdout"]), only=["reproducibility.refit"]))
    refit = res["reproducibility.refit"]
    assert refit.status is S.PASS, refit.reason
    assert refit.values["max_abs_difference"] == 0.0 and refit.values["label_agreement"] == 1.0


def test_unseeded_forest_refit_differs_and_says_so(adult):
    rf = Model(RandomForestClassifier(n_estimators=15, max_depth=8, random_state=None), adult["train"], "income", 5)
    refit = by_id(run_suite(rf.input(adult["holdout"]), only=["reproducibility.refit"]))["reproducibility.refit"]
    assert refit.status in (S.WARN, S.FAIL)
    assert refit.values["max_abs_difference"] > 1e-6
    assert "clf__random_state" in refit.values["unseeded_random_state"]


def test_refit_skipped_without_training_data(adult):
    res = by_id(run_suite(adult["lr"].input(adult["holdout"], training_data=None)))
    for cid in ("reproducibility.refit", "baseline.simple_model", "data.out_of_range"):
        assert res[cid].status is S.SKIPPED and "training data" in res[cid].reason, cid
    assert res["robustness.stress"].status is S.PASS  # falls back to validation statistics
    assert_contract(list(res.values()))


def test_loading_formats(adult):
    m = adult["lr"]
    data = adult["holdout"]
    raw = pickle.dumps(m.estimator)
    sha = sha256_hex(raw)

    def loading(art):
        return by_id(run_suite(m.input(data, artifact=art), only=["loading.safe_format"]))["loading.safe_format"]

    assert loading(ArtifactInfo(m.version.artifact_sha256, "skops", len(m.artifact))).status is S.PASS
    untrusted = loading(ArtifactInfo(sha, "pickle", len(raw)))
    assert untrusted.status is S.FAIL and sha in untrusted.reason
    trusted = loading(ArtifactInfo(sha, "pickle", len(raw), trusted_by="alice",
                                   trusted_at=datetime(2024, 6, 2, tzinfo=timezone.utc)))
    assert trusted.status is S.WARN and "alice" in trusted.reason and sha in trusted.reason
    assert trusted.values["trusted_at"] == "2024-06-02T00:00:00+00:00"
    assert loading(None).status is S.SKIPPED


def test_privacy_flags_email_column_and_email_feature(adult):
    rng = np.random.default_rng(SEED)
    holdout = adult["holdout"].copy()
    holdout["contact_email"] = [f"person{i}.{rng.integers(1e6)}@example.org" for i in range(len(holdout))]
    res = by_id(run_suite(adult["lr"].input(holdout), only=["privacy.personal_data"]))
    priv = res["privacy.personal_data"]
    assert priv.status is S.WARN and priv.values["identifier_columns_not_features"] == ["contact_email"]
    assert "example.org" not in json.dumps(priv.to_json())  # values are never copied into the evidence

    train = adult["train"].head(2000).copy()
    train["contact_email"] = [f"user{i}@mail.example.com" for i in range(len(train))]
    m = Model(LogisticRegression(max_iter=500), train, "income", 6)
    priv = by_id(run_suite(m.input(holdout), only=["privacy.personal_data"]))["privacy.personal_data"]
    assert priv.status is S.FAIL and "contact_email" in priv.reason
    kinds = {row[3] for row in priv.values["tables"][0]["rows"] if row[0] == "contact_email"}
    assert "values look like e-mail address" in kinds


def test_privacy_value_patterns(adult):
    holdout = adult["holdout"].head(200).copy()
    n = len(holdout)
    holdout["acct"] = ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432"] * (n // 2)
    holdout["ref"] = [f"{100 + i % 800:03d}-{10 + i % 80:02d}-{1000 + i:04d}" for i in range(n)]
    first = ["Anna", "Boris", "Chen", "Dara"]
    holdout["who"] = [f"{first[i % 4]} Sm{chr(97 + i % 26)}{chr(97 + (i // 26) % 26)}son" for i in range(n)]
    holdout["code"] = ["A11"] * n
    priv = by_id(run_suite(adult["lr"].input(holdout), only=["privacy.personal_data"]))["privacy.personal_data"]
    found = {(row[0], row[3]) for row in priv.values["tables"][0]["rows"]}
    assert ("acct", "values look like IBAN") in found
    assert ("ref", "values look like US social security number") in found
    assert ("who", "values look like person name") in found
    assert not any(col == "code" for col, _ in found)


def test_regression_on_bike_sharing():
    path = DATA_DIR / "bike_sharing" / "day.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    df = pd.read_csv(path)
    feats = ["season", "yr", "mnth", "holiday", "weekday", "workingday", "weathersit", "temp", "atemp", "hum", "windspeed"]
    train, holdout = df.iloc[::2], df.iloc[1::2]
    model = Pipeline([("scale", StandardScaler()), ("reg", Ridge())]).fit(train[feats], train["cnt"])
    artifact = dump_model(model)
    version = ModelVersion(1, 1, 1, "sklearn", sha256_hex(artifact), "0" * 64, {c: str(t) for c, t in train[feats].dtypes.items()},
                           "cnt", None, None, {}, {}, "tester", CREATED)
    inp = SuiteInput(load_model(artifact), version, TaskType.REGRESSION, holdout[feats + ["cnt", "dteday"]], "cnt", 2,
                     training_data=train[feats + ["cnt"]], now=NOW,
                     artifact=ArtifactInfo(version.artifact_sha256, "skops", len(artifact)))
    results = run_suite(inp)
    assert_contract(results)
    res = by_id(results)
    assert res["performance.metrics"].status is S.PASS and res["performance.metrics"].values["r2"] > 0.5
    assert res["performance.metrics"].values["charts"][0]["kind"] == "scatter"
    cal = res["performance.calibration"]
    assert cal.status is S.SKIPPED and "regression" in cal.reason
    assert res["fairness.group_metrics"].status is S.SKIPPED and "no protected attributes" in res["fairness.group_metrics"].reason
    assert res["reproducibility.refit"].status is S.PASS
    assert res["baseline.simple_model"].status is S.PASS
    assert res["robustness.stress"].status is S.PASS, res["robustness.stress"].reason
    assert "psi" in res["data.label_distribution"].values
    assert res["importance.permutation"].values["scoring"] == "r2"
    assert not any(r.status is S.ERROR for r in results), [(r.id, r.reason) for r in results if r.status is S.ERROR]
    assert suite_passed(results)


def test_constant_column_nan_and_unseen_category_do_not_crash(adult):
    train = adult["train"].assign(const=1.0)
    m = Model(LogisticRegression(max_iter=500), train, "income", 7)
    holdout = adult["holdout"].assign(const=1.0).copy()
    holdout.loc[holdout.index[:50], "age"] = np.nan
    holdout.loc[holdout.index[50:200], "workclass"] = "Martian"
    results = run_suite(m.input(holdout, protected_attributes=["sex"]))
    assert_contract(results)
    res = by_id(results)
    assert not any(r.status is S.ERROR for r in results), [(r.id, r.reason) for r in results if r.status is S.ERROR]
    oor = res["data.out_of_range"]
    assert oor.status is S.FAIL and "'workclass'" in oor.reason  # 5% unseen > fail share 2% (tier 1)
    assert "Martian" in json.dumps(oor.values["tables"])
    miss = {row[0]: row[1] for row in res["data.missing"].values["tables"][0]["rows"]}
    assert miss["age"] == pytest.approx(50 / len(holdout), abs=1e-6)
    assert res["robustness.stress"].status is not S.ERROR


def test_tiny_data(adult):
    results = run_suite(adult["lr"].input(adult["holdout"].head(12), protected_attributes=["sex"]))
    assert_contract(results)
    res = by_id(results)
    assert res["performance.metrics"].status is S.ERROR and "only 12" in res["performance.metrics"].reason
    assert res["importance.permutation"].status is S.SKIPPED
    notes = " ".join(res["fairness.group_metrics"].values.get("notes", []))
    assert "too small to judge" in notes


def test_model_without_predict_proba(adult):
    m = Model(LinearSVC(), adult["train"], "income", 8)
    res = by_id(run_suite(m.input(adult["holdout"], protected_attributes=["sex"]),
                          only=["performance.metrics", "performance.calibration", "fairness.group_metrics",
                                "reproducibility.refit", "importance.permutation"]))
    assert res["performance.calibration"].status is S.SKIPPED and "predict_proba" in res["performance.calibration"].reason
    assert res["performance.metrics"].values["roc_auc"] > 0.8  # from decision_function
    assert res["fairness.group_metrics"].status is S.FAIL
    assert res["reproducibility.refit"].status is S.PASS
    assert res["importance.permutation"].values["scoring"] == "roc_auc"
    assert_contract(list(res.values()))


def test_german_credit_small_groups_absent_attribute_and_numeric_labels():
    path = DATA_DIR / "german_credit" / "german.data"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    df = pd.read_csv(path, sep=" ", header=None, names=GERMAN_COLUMNS)
    train, holdout = df.iloc[:600], df.iloc[600:]
    m = Model(LogisticRegression(max_iter=1000), train, "class", 1)
    results = run_suite(m.input(holdout, protected_attributes=["foreign_worker", "age", "religion"]))
    assert_contract(results)
    res = by_id(results)
    fair = res["fairness.group_metrics"]
    assert fair.status in (S.WARN, S.FAIL) and "'religion'" in fair.reason
    assert fair.values["absent_attributes"] == ["religion"]
    fw = next(t for t in fair.values["tables"] if t["title"] == "Groups by foreign_worker")
    small = [row for row in fw["rows"] if row[-1] == "too small to judge"]
    assert [row[0] for row in small] == ["A202"] and small[0][1] < 50
    assert fair.values["positive_label"] == 2  # classes_ = [1, 2]
    priv = res["privacy.personal_data"]
    assert "telephone" not in priv.values["identifier_features"]  # yes/no flag, not a phone number
    # a re-run on the same inputs gives the same evidence, apart from measured latency and memory
    again = by_id(run_suite(m.input(holdout, protected_attributes=["foreign_worker", "age", "religion"])))
    timing = ("latency_ms_per_row_batch", "latency_ms_single_row_median", "peak_memory_mb")
    for cid, r in res.items():
        a, b = r.to_json(), again[cid].to_json()
        if cid == "robustness.stress":
            for d in (a, b):
                d["values"] = {k: v for k, v in d["values"].items() if k not in timing and k != "tables"}
        assert a == b, cid
    # only absent attributes -> skipped, naming them
    fair = by_id(run_suite(m.input(holdout, protected_attributes=["religion"]), only=["fairness.group_metrics"]))["fairness.group_metrics"]
    assert fair.status is S.SKIPPED and "'religion'" in fair.reason


def test_staleness_by_tier(adult):
    m = adult["lr"]

    def age(**kw):
        return by_id(run_suite(m.input(adult["holdout"], **kw), only=["staleness.age"]))["staleness.age"]

    late = CREATED + timedelta(days=400)
    assert age(tier=1, now=late).status is S.FAIL
    assert age(tier=3, now=late).status is S.PASS
    r = age(tier=2, now=CREATED + timedelta(days=30), training_data_at=CREATED - timedelta(days=800))
    assert r.status is S.FAIL and "training data" in r.reason and r.values["revalidation_months"] == 24
    assert age(tier=2, now=CREATED + timedelta(days=650)).status is S.WARN


def test_plan_overrides_and_blocking(adult):
    inp = adult["lr"].input(adult["holdout"], tier=2)
    plan = default_plan(2)
    plan.params["performance.metrics"]["min_roc_auc"] = 0.99
    res = run_suite(inp, plan, only=["performance.metrics", "data.schema"])
    met = by_id(res)["performance.metrics"]
    assert met.status is S.FAIL and met.params["min_roc_auc"] == 0.99 and met.blocking
    assert not suite_passed(res)
    plan.blocking["performance.metrics"] = False
    res = run_suite(inp, plan, only=["performance.metrics", "data.schema"])
    assert not by_id(res)["performance.metrics"].blocking and suite_passed(res)
    with pytest.raises(InputError, match="tier"):
        run_suite(replace(inp, tier=0))
    with pytest.raises(InputError, match="unknown"):
        run_suite(replace(inp, task=TaskType.UNKNOWN))


def test_cancel_before_and_inside_a_check(adult):
    inp = adult["lr"].input(adult["holdout"])
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_suite(inp, cancel=token)

    token = CancelToken()
    seen = []

    def progress(fraction, message):
        seen.append(message)
        if message.startswith("Features matter") and message.endswith("…"):
            token.cancel()  # polled inside permutation_importance's scorer

    with pytest.raises(Cancelled):
        run_suite(inp, progress=progress, cancel=token, only=["importance.permutation", "staleness.age"])
    assert not any(m.startswith("Features matter and protected attributes are not used:") for m in seen)


def test_a_crashing_check_is_an_error_and_the_others_run(adult, monkeypatch):
    import console.validation.checks_data as checks_data

    def boom(ctx, params):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(checks_data, "check_missing", boom)
    res = by_id(run_suite(adult["lr"].input(adult["holdout"]), only=["data.schema", "data.missing", "data.duplicates"]))
    assert res["data.missing"].status is S.ERROR and "RuntimeError: disk on fire" in res["data.missing"].reason
    assert res["data.schema"].status is S.PASS and res["data.duplicates"].status in (S.PASS, S.WARN)
