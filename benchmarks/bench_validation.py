"""Benchmark of the validation suite (console.validation.suite.run_suite) on Adult.

Trains on the full ``adult.data`` (32,561 rows) and validates on a random sample of
``adult.test`` (default 10,000 rows) at risk tier 1 (strictest parameters), with sex,
race and age as protected attributes, the logistic regression as champion and as
history for the tree models.  Models: logistic regression, HistGradientBoosting and a
random forest (100 trees), each a scikit-learn Pipeline (impute, scale, one-hot)
round-tripped through skops.  Prints the time of every check (from the progress
callback) and the suite total per model.

Usage: ``python benchmarks/bench_validation.py [--holdout 10000] [--shared-data PATH]
[--models lr,hgb,rf]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from console.domain.models import ModelVersion, TaskType  # noqa: E402
from console.validation import dump_model, load_model, sha256_hex  # noqa: E402
from console.validation.suite import ArtifactInfo, SuiteInput, default_plan, run_suite  # noqa: E402

COLS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
        "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income"]


def read(shared: Path, name: str) -> pd.DataFrame:
    df = pd.read_csv(shared / "adult" / name, header=None, names=COLS, skipinitialspace=True, na_values="?",
                     skiprows=1 if name == "adult.test" else 0)
    df["income"] = df["income"].str.rstrip(".")
    return df


def pipeline(X: pd.DataFrame, clf) -> Pipeline:
    num = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    cat = [c for c in X.columns if c not in num]
    pre = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), num),
        ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                          ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]), cat),
    ])
    return Pipeline([("pre", pre), ("clf", clf)])


def register(clf, train: pd.DataFrame, version: int):
    X, y = train.drop(columns=["income"]), train["income"]
    t = time.perf_counter()
    with threadpool_limits(limits=1):
        fitted = pipeline(X, clf).fit(X, y)
    fit_s = time.perf_counter() - t
    art = dump_model(fitted)
    ver = ModelVersion(version, 1, version, "sklearn", sha256_hex(art), "0" * 64,
                       {c: str(d) for c, d in X.dtypes.items()}, "income", None, None, {}, {}, "bench",
                       datetime(2025, 1, 1, tzinfo=timezone.utc))
    return load_model(art), ver, art, fit_s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--holdout", type=int, default=10_000)
    ap.add_argument("--shared-data", type=Path,
                    default=Path(os.environ.get("TOLLGATE_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--models", default="lr,hgb,rf")
    ap.add_argument("--tier", type=int, default=1)
    args = ap.parse_args()

    train = read(args.shared_data, "adult.data")
    holdout = read(args.shared_data, "adult.test").sample(n=args.holdout, random_state=0)
    print(f"Adult: training {len(train):,} rows, holdout {len(holdout):,} rows; tier {args.tier}; "
          f"{os.cpu_count()} CPU(s); load average {os.getloadavg()[0]:.1f}")
    makers = {
        "lr": ("logistic regression", lambda: LogisticRegression(max_iter=1000)),
        "hgb": ("HistGradientBoosting", lambda: HistGradientBoostingClassifier(random_state=0)),
        "rf": ("random forest (100 trees)", lambda: RandomForestClassifier(n_estimators=100, min_samples_leaf=5, random_state=0)),
    }
    champion = None
    for i, key in enumerate(args.models.split(",")):
        title, make = makers[key]
        est, ver, art, fit_s = register(make(), train, i + 1)
        inp = SuiteInput(est, ver, TaskType.CLASSIFICATION, holdout, "income", args.tier, training_data=train,
                         champion=champion, history=[champion] if champion else (),
                         protected_attributes=["sex", "race", "age"],
                         artifact=ArtifactInfo(ver.artifact_sha256, "skops", len(art)),
                         now=datetime(2025, 6, 1, tzinfo=timezone.utc))
        times: dict[str, float] = {}
        last = [time.perf_counter()]

        def progress(fraction: float, message: str) -> None:
            now = time.perf_counter()
            if not message.endswith("…") and ": " in message:
                times[message.rsplit(": ", 1)[0]] = now - last[0]
            last[0] = now

        t0 = time.perf_counter()
        results = run_suite(inp, default_plan(args.tier), progress=progress)
        total = time.perf_counter() - t0
        print(f"\n{title} (fit {fit_s:.1f} s, artifact {len(art) / 1e6:.2f} MB)")
        for r in results:
            why = f"  {(r.reason or '')[:90]}" if r.status.value != "pass" else ""
            print(f"  {r.id:26s} {times.get(r.title, float('nan')):6.2f} s  {r.status.value:7s}{why}")
        print(f"  {'total':26s} {total:6.2f} s")
        if champion is None:
            champion = (est, ver)


if __name__ == "__main__":
    main()
