"""Safe model loading and the core validation checks (data.schema, performance.metrics,
performance.champion of :func:`console.validation.suite.run_suite`) on real data (Adult,
Bank Marketing, Bike Sharing).  The other checks are tested in test_validation_suite.py.

Data: ``shared/data`` next to the repository (see its README.md for origin and licenses);
the tests are skipped when it is absent.  Training samples are kept at <= 8,000 rows so
the module runs in a few seconds.
"""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from console.domain.models import CheckResult, CheckStatus, ModelVersion, TaskType
from console.errors import Cancelled, InputError
from console.jobs import CancelToken
from console.validation import (
    TRUSTED_TYPES,
    SuiteInput,
    default_plan,
    dump_model,
    load_model,
    run_suite,
    sha256_hex,
    suite_passed,
)

#: The checks this module exercises, in catalogue order.
CHECK_IDS = ("data.schema", "performance.metrics", "performance.champion")
#: Old threshold names -> (check id, parameter) of the validation plan.
THRESHOLDS = {
    "min_roc_auc": ("performance.metrics", "min_roc_auc"),
    "min_r2": ("performance.metrics", "min_r2"),
    "min_rows": ("performance.metrics", "min_rows"),
    "max_champion_drop": ("performance.champion", "max_drop"),
}

from tests.conftest import SHARED_DATA as DATA_DIR
ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]
SEED = 20240601

pytestmark = pytest.mark.skipif(
    not (DATA_DIR / "adult" / "adult.data").is_file()
    or not (DATA_DIR / "bank_marketing" / "bank-full.csv").is_file(),
    reason=f"real datasets not found under {DATA_DIR} (shared/data is not checked out)",
)


# ----------------------------------------------------------------------------- helpers


def read_adult(name: str = "adult.data") -> pd.DataFrame:
    """adult.names: no header, ', ' separated, '?' = missing; adult.test has a junk first line."""
    return pd.read_csv(
        DATA_DIR / "adult" / name,
        header=None,
        names=ADULT_COLUMNS,
        skipinitialspace=True,
        na_values="?",
        skiprows=1 if name == "adult.test" else 0,
    )


def read_bank() -> pd.DataFrame:
    # `duration` is only known after the call and leaks the target (bank-names.txt).
    return pd.read_csv(DATA_DIR / "bank_marketing" / "bank-full.csv", sep=";").drop(columns=["duration"])


def make_pipeline(X: pd.DataFrame, clf) -> Pipeline:
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]
    pre = ColumnTransformer(
        [
            ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), numeric),
            (
                "cat",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="most_frequent")),
                        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
                    ]
                ),
                categorical,
            ),
        ]
    )
    return Pipeline([("pre", pre), ("clf", clf)])


def make_version(version: int, X: pd.DataFrame, target: str, artifact: bytes, *, model_id: int = 1) -> ModelVersion:
    return ModelVersion(
        id=100 * model_id + version,
        model_id=model_id,
        version=version,
        framework="sklearn",
        artifact_sha256=sha256_hex(artifact),
        data_sha256="0" * 64,
        training_schema={c: str(t) for c, t in X.dtypes.items()},
        target_column=target,
        holdout_sha256=None,
        reference_sha256=None,
        hyperparameters={},
        metrics={},
        created_by="tester",
        created_at=datetime(2024, 6, 1, tzinfo=timezone.utc),
    )


class Registered:
    """A trained, skops-round-tripped model with its hand-built ModelVersion."""

    def __init__(self, clf, X: pd.DataFrame, y: pd.Series, version: int, target: str):
        fitted = make_pipeline(X, clf).fit(X, y)
        self.artifact = dump_model(fitted)
        self.version = make_version(version, X, target, self.artifact)
        self.estimator = load_model(self.artifact, expected_sha256=self.version.artifact_sha256)
        self.original = fitted

    @property
    def pair(self):
        return self.estimator, self.version


def by_id(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.id: r for r in results}


def assert_json_safe(results: list[CheckResult]) -> None:
    text = json.dumps([r.to_json() for r in results], allow_nan=False)
    assert json.loads(text)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Fit the fixtures' models with one OpenMP thread, as run_suite does (on a busy
    shared machine HistGradientBoosting is ten times slower with more)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def adult():
    train = read_adult().sample(n=8000, random_state=SEED)
    test = read_adult("adult.test")
    test["income"] = test["income"].str.rstrip(".")  # adult.test labels carry a trailing dot
    holdout = test.sample(n=5000, random_state=SEED)
    X, y = train.drop(columns=["income"]), train["income"]
    shuffled = pd.Series(np.random.default_rng(SEED).permutation(y.to_numpy()), index=y.index)
    return {
        "holdout": holdout,
        "lr": Registered(LogisticRegression(max_iter=2000), X, y, 1, "income"),
        "hgb": Registered(HistGradientBoostingClassifier(max_iter=100, random_state=0), X, y, 2, "income"),
        "bad": Registered(LogisticRegression(max_iter=2000), X, shuffled, 3, "income"),
    }


@pytest.fixture(scope="module")
def bank():
    df = read_bank()
    train = df.sample(n=8000, random_state=SEED)
    holdout = df.drop(index=train.index).sample(n=5000, random_state=SEED)
    X, y = train.drop(columns=["y"]), train["y"]
    return {
        "holdout": holdout,
        "lr": Registered(LogisticRegression(max_iter=2000), X, y, 1, "y"),
        "hgb": Registered(HistGradientBoostingClassifier(max_iter=100, random_state=0), X, y, 2, "y"),
    }


def run(reg: Registered, data: pd.DataFrame, target: str, *, champion=None, thresholds=None,
        task=TaskType.CLASSIFICATION, progress=None, cancel=None) -> list[CheckResult]:
    """The three core checks at tier 2 (ROC AUC >= 0.70; data and performance block)."""
    plan = default_plan(2)
    for key, value in (thresholds or {}).items():
        cid, name = THRESHOLDS.get(key, ("performance.metrics", key))
        plan.params.setdefault(cid, {})[name] = value
    inp = SuiteInput(estimator=reg.estimator, version=reg.version, task=task, data=data, target=target,
                     tier=2, champion=champion)
    return run_suite(inp, plan, progress=progress, cancel=cancel, only=CHECK_IDS)


# ----------------------------------------------------------------------------- loading


def test_skops_round_trip_predicts_identically(adult):
    for key in ("lr", "hgb"):
        reg = adult[key]
        X = adult["holdout"].drop(columns=["income"]).head(500)
        np.testing.assert_array_equal(reg.estimator.predict_proba(X), reg.original.predict_proba(X))
        assert reg.version.artifact_sha256 == sha256_hex(reg.artifact)
        assert len(reg.version.artifact_sha256) == 64


def test_pickle_and_joblib_bytes_are_refused_never_unpickled(adult):
    model = adult["lr"].original
    buf = io.BytesIO()
    joblib.dump(model, buf)
    for data in (pickle.dumps(model), buf.getvalue()):
        with pytest.raises(InputError) as err:
            load_model(data)
        msg = str(err.value)
        assert "not a skops file" in msg
        assert "refused for safety" in msg and "ickle" in msg


def test_garbage_and_empty_bytes_are_refused():
    for data in (b"", b"hello world", b"PK\x03\x04 not really a zip"):
        with pytest.raises(InputError, match="skops"):
            load_model(data)


class _HomeMadeTransformer(TransformerMixin, BaseEstimator):
    """A custom class skops cannot vouch for."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X


def test_untrusted_type_is_refused_and_named(adult):
    train = read_adult().sample(n=500, random_state=SEED)
    X, y = train[["age", "hours-per-week"]], train["income"]
    model = Pipeline([("custom", _HomeMadeTransformer()), ("clf", LogisticRegression())]).fit(X, y)
    data = dump_model(model)
    with pytest.raises(InputError) as err:
        load_model(data)
    assert "untrusted types" in str(err.value)
    assert "_HomeMadeTransformer" in str(err.value)


def test_sha_mismatch_is_refused(adult):
    reg = adult["lr"]
    with pytest.raises(InputError, match="artifact changed"):
        load_model(reg.artifact, expected_sha256="0" * 64)
    tampered = bytearray(reg.artifact)
    tampered[-30] ^= 0xFF
    with pytest.raises(InputError, match="artifact changed"):
        load_model(bytes(tampered), expected_sha256=reg.version.artifact_sha256)
    # case-insensitive on the expected digest
    load_model(reg.artifact, expected_sha256=reg.version.artifact_sha256.upper())


def test_trusted_types_cover_what_skops_reports_for_demo_estimators(adult, bank):
    import skops.io as sio

    for reg in (adult["lr"], adult["hgb"], bank["lr"], bank["hgb"]):
        assert set(sio.get_untrusted_types(data=reg.artifact)) <= set(TRUSTED_TYPES)


# ----------------------------------------------------------------------------- checks


@pytest.mark.parametrize("dataset,target", [("adult", "income"), ("bank", "y")])
@pytest.mark.parametrize("key", ["lr", "hgb"])
def test_good_model_passes(request, dataset, target, key):
    ds = request.getfixturevalue(dataset)
    reg = ds[key]
    results = run(reg, ds["holdout"], target)
    assert [r.id for r in results] == list(CHECK_IDS)
    res = by_id(results)
    assert res["data.schema"].status is CheckStatus.PASS, res["data.schema"].reason
    thr = res["performance.metrics"]
    assert thr.status is CheckStatus.PASS, thr.reason
    assert thr.values["primary_metric"] == "roc_auc"
    assert thr.params["min_roc_auc"] == pytest.approx(0.70)
    assert thr.values["roc_auc"] > 0.70
    for m in ("accuracy", "balanced_accuracy", "roc_auc", "log_loss", "f1", "brier"):
        assert isinstance(thr.values[m], float), m
    # positive label = second of classes_ (string labels)
    assert thr.values["positive_label"] == {"adult": ">50K", "bank": "yes"}[dataset]
    assert res["performance.champion"].status is CheckStatus.SKIPPED
    assert suite_passed(results)
    assert all(r.blocking for r in results)
    assert_json_safe(results)


def test_candidate_vs_good_champion_passes(adult):
    results = run(adult["hgb"], adult["holdout"], "income", champion=adult["lr"].pair)
    champ = by_id(results)["performance.champion"]
    assert champ.status is CheckStatus.PASS, champ.reason
    assert champ.values["champion_version"] == 1
    assert champ.values["delta"] == pytest.approx(champ.values["candidate"] - champ.values["champion"])
    assert suite_passed(results)


def test_degraded_model_fails_threshold_and_champion(adult):
    results = run(adult["bad"], adult["holdout"], "income", champion=adult["hgb"].pair)
    res = by_id(results)
    assert res["data.schema"].status is CheckStatus.PASS
    thr = res["performance.metrics"]
    assert thr.status is CheckStatus.FAIL
    assert thr.values["roc_auc"] < 0.65
    champ = res["performance.champion"]
    assert champ.status is CheckStatus.FAIL
    assert champ.values["delta"] < -0.02
    assert champ.values["champion_version"] == 2
    assert "champion version 2" in champ.reason
    assert not suite_passed(results)
    assert_json_safe(results)


def test_champion_equal_to_candidate_is_skipped(adult):
    reg = adult["hgb"]
    results = run(reg, adult["holdout"], "income", champion=reg.pair)
    champ = by_id(results)["performance.champion"]
    assert champ.status is CheckStatus.SKIPPED
    assert "is the champion" in champ.reason
    assert suite_passed(results)


def test_missing_column_fails_schema_and_errors_performance(adult):
    data = adult["holdout"].drop(columns=["age", "education"])
    results = run(adult["hgb"], data, "income", champion=adult["lr"].pair)
    res = by_id(results)
    schema = res["data.schema"]
    assert schema.status is CheckStatus.FAIL
    assert schema.values["missing_columns"] == ["age", "education"]
    assert "'age'" in schema.reason
    for cid in ("performance.metrics", "performance.champion"):
        assert res[cid].status is CheckStatus.ERROR
        assert res[cid].reason.startswith("cannot predict: missing columns")
        assert "'age'" in res[cid].reason
    assert not suite_passed(results)
    assert_json_safe(results)


def test_extra_column_warns_and_is_ignored(adult):
    data = adult["holdout"].assign(customer_id=np.arange(len(adult["holdout"])))
    res = by_id(run(adult["lr"], data, "income"))
    assert res["data.schema"].status is CheckStatus.WARN
    assert res["data.schema"].values["extra_columns"] == ["customer_id"]
    assert res["performance.metrics"].status is CheckStatus.PASS


def test_dtype_kinds(adult):
    holdout = adult["holdout"]
    # int -> float is fine
    res = by_id(run(adult["lr"], holdout.astype({"age": "float64"}), "income"))
    assert res["data.schema"].status is CheckStatus.PASS
    # numeric -> string fails, names the column; the model cannot score it -> error, no crash
    results = run(adult["lr"], holdout.astype({"age": "str"}), "income")
    res = by_id(results)
    assert res["data.schema"].status is CheckStatus.FAIL
    (mm,) = res["data.schema"].values["dtype_mismatches"]
    assert mm["column"] == "age" and mm["expected_kind"] == "numeric" and mm["actual_kind"] == "categorical"
    assert not suite_passed(results)
    assert_json_safe(results)
    # non-numeric text in a numeric column: the model raises, the check reports it, the run goes on
    results = run(adult["lr"], holdout.assign(age="forty"), "income", champion=adult["hgb"].pair)
    res = by_id(results)
    assert res["data.schema"].status is CheckStatus.FAIL
    assert res["performance.metrics"].status is CheckStatus.ERROR
    assert "failed to predict" in res["performance.metrics"].reason
    assert res["performance.champion"].status is CheckStatus.ERROR
    assert_json_safe(results)


def test_target_problems(adult):
    holdout = adult["holdout"].copy()
    holdout.loc[holdout.index[:3], "income"] = np.nan
    res = by_id(run(adult["lr"], holdout, "income"))
    assert res["data.schema"].status is CheckStatus.FAIL
    assert "3 missing or infinite" in res["data.schema"].reason
    # the performance is still measured on the rows with a label
    assert res["performance.metrics"].values["n_rows_excluded"] == 3

    res = by_id(run(adult["lr"], adult["holdout"].drop(columns=["income"]), "income"))
    assert res["data.schema"].status is CheckStatus.FAIL
    assert "target column 'income' is missing" in res["data.schema"].reason
    assert res["performance.metrics"].status is CheckStatus.ERROR


def test_raw_adult_test_labels_with_trailing_dot_are_reported(adult):
    raw = read_adult("adult.test").head(2000)  # labels are "<=50K." / ">50K."
    results = run(adult["lr"], raw, "income")
    res = by_id(results)
    assert res["data.schema"].status is CheckStatus.FAIL
    assert "'>50K.'" in res["data.schema"].reason and "relabel" in res["data.schema"].reason
    assert res["performance.metrics"].status is CheckStatus.ERROR
    assert_json_safe(results)


def test_empty_data_and_single_class(adult):
    holdout = adult["holdout"]
    results = run(adult["lr"], holdout.iloc[0:0], "income")
    res = by_id(results)
    assert res["data.schema"].status is CheckStatus.FAIL and res["data.schema"].values["n_rows"] == 0
    assert res["performance.metrics"].status is CheckStatus.ERROR
    assert_json_safe(results)

    one_class = holdout[holdout["income"] == "<=50K"].head(300)
    results = run(adult["lr"], one_class, "income", champion=adult["hgb"].pair)
    res = by_id(results)
    thr = res["performance.metrics"]
    assert thr.status is CheckStatus.ERROR
    assert thr.values["roc_auc"] is None and "single class" in thr.values["metric_notes"]["roc_auc"]
    assert res["performance.champion"].status is CheckStatus.ERROR
    assert_json_safe(results)


def test_thresholds_override_and_validation(adult):
    res = by_id(run(adult["lr"], adult["holdout"], "income", thresholds={"min_roc_auc": 0.99}))
    assert res["performance.metrics"].status is CheckStatus.FAIL
    assert res["performance.metrics"].params["min_roc_auc"] == 0.99
    res = by_id(
        run(adult["bad"], adult["holdout"], "income", champion=adult["lr"].pair,
            thresholds={"max_champion_drop": 1.0, "min_roc_auc": 0.0})
    )
    assert res["performance.champion"].status is CheckStatus.PASS
    assert res["performance.metrics"].status is CheckStatus.PASS
    with pytest.raises(InputError, match="min_auc"):
        run(adult["lr"], adult["holdout"], "income", thresholds={"min_auc": 0.8})
    with pytest.raises(InputError, match="finite"):
        run(adult["lr"], adult["holdout"], "income", thresholds={"min_roc_auc": float("nan")})


def test_progress_and_cancel(adult):
    calls: list[tuple[float, str]] = []
    run(adult["lr"], adult["holdout"], "income", progress=lambda f, m: calls.append((f, m)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(calls) == 1 + 2 * len(CHECK_IDS)

    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run(adult["lr"], adult["holdout"], "income", cancel=token)

    token = CancelToken()

    def cancel_after_first(fraction, message):
        if fraction > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        run(adult["lr"], adult["holdout"], "income", cancel=token, progress=cancel_after_first)


def test_multiclass_target_on_bank_marital():
    df = read_bank().sample(n=6000, random_state=SEED)
    train, holdout = df.iloc[:4000], df.iloc[4000:]
    reg = Registered(LogisticRegression(max_iter=2000), train.drop(columns=["marital"]), train["marital"], 1, "marital")
    results = run(reg, holdout, "marital")
    thr = by_id(results)["performance.metrics"]
    assert thr.values["classes"] == ["divorced", "married", "single"]
    assert thr.values["f1_average"] == "macro" and "brier" not in thr.values
    assert 0.5 < thr.values["roc_auc"] < 1.0
    assert_json_safe(results)
    # a class absent from the data: one-vs-rest ROC AUC undefined -> error with the reason
    results = run(reg, holdout[holdout["marital"] != "divorced"], "marital")
    thr = by_id(results)["performance.metrics"]
    assert thr.status is CheckStatus.ERROR and "'divorced'" in thr.reason
    assert_json_safe(results)


def test_regression_on_bike_sharing():
    path = DATA_DIR / "bike_sharing" / "day.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    df = pd.read_csv(path)
    features = ["season", "yr", "mnth", "holiday", "weekday", "workingday", "weathersit", "temp", "atemp", "hum", "windspeed"]
    train, holdout = df.iloc[::2], df.iloc[1::2]
    model = Pipeline([("scale", StandardScaler()), ("reg", Ridge())]).fit(train[features], train["cnt"])
    artifact = dump_model(model)
    version = make_version(1, train[features], "cnt", artifact)
    reg = Registered.__new__(Registered)
    reg.estimator, reg.version = load_model(artifact), version
    results = run(reg, holdout[features + ["cnt"]], "cnt", task=TaskType.REGRESSION)
    thr = by_id(results)["performance.metrics"]
    assert thr.values["primary_metric"] == "r2" and thr.params["min_r2"] == 0.5
    assert thr.status is CheckStatus.PASS, thr.reason
    assert {"rmse", "mae", "r2"} <= set(thr.values)
    assert_json_safe(results)


def test_suite_passed_rule():
    def cr(status, blocking=True):
        return CheckResult(id="x", family="data", title="x", status=status, blocking=blocking)

    assert suite_passed([cr(CheckStatus.PASS), cr(CheckStatus.WARN), cr(CheckStatus.SKIPPED)])
    assert not suite_passed([cr(CheckStatus.PASS), cr(CheckStatus.FAIL)])
    assert not suite_passed([cr(CheckStatus.ERROR)])
    assert suite_passed([cr(CheckStatus.FAIL, blocking=False)])
    assert suite_passed([])


def test_validation_imports_no_qt_and_no_sqlalchemy():
    code = (
        "import sys, console.validation; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


def test_batched_prediction_gives_the_same_metrics(adult, monkeypatch):
    import console.validation.checks as checks

    reg = adult["hgb"]
    whole = by_id(run(reg, adult["holdout"], "income"))["performance.metrics"].values
    monkeypatch.setattr(checks, "PREDICT_BATCH_ROWS", 777)  # 5,000 rows -> 7 slices, the last partial
    sliced = by_id(run(reg, adult["holdout"], "income"))["performance.metrics"].values
    for m in ("accuracy", "balanced_accuracy", "roc_auc", "log_loss", "f1", "brier"):
        assert sliced[m] == pytest.approx(whole[m], abs=1e-12), m
