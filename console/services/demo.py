"""The demo workspace: real models trained on real public data shipped in resources/demo.

:func:`build_demo` trains scikit-learn models on UCI Bank Marketing, UCI Adult and UCI
Bike Sharing (see ``resources/demo/README.md`` for sources and licenses), stores them
with skops, registers them with lineage (data fingerprint, parameters, metrics),
validates every version on its recorded holdout set, and monitors them over time:

* the Bank Marketing champion and the Bike Sharing model get real prediction-log
  histories (:mod:`console.services.monitoring`): every Bank Marketing contact (May
  2008 – Nov 2010, in contact-date order) and every hour of 2011–2012 is scored by the
  model, ingested as prediction logs (bank: one batch per calendar year, outcomes
  arriving later as a label batch joined by request id; bike: with the rental count as
  the label) and monitored in monthly UTC windows;
* the other models get a drift run over fixed windows (calendar quarters of the Bank
  Marketing data, the Adult test split).

Nothing is made up: every number in the demo is computed here.  Re-running it adds
nothing that is already there (idempotent).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
import pandas as pd

from console.domain.models import LifecycleStatus, TaskType
from console.jobs import CancelToken, ProgressFn, checkpoint, report
from console.paths import resource_path
from console.services.workspace import WindowSpec, Workspace

#: Actor recorded in the audit trail for everything the demo seeds.
DEMO_ACTOR = "demo.seeder"
#: Bank Marketing contacts before this date (May 2008 – Jun 2009, 40,394 rows) are the
#: development sample: models train on 75 % of it and are validated on the other 25 %
#: (stratified).  Drift is monitored per calendar quarter over the whole timeline.
BANK_DEV_END = pd.Timestamp("2009-07-01")
RANDOM_STATE = 20_240_501

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
    "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week",
    "native-country", "income",
]


# ----------------------------------------------------------------------------- data
def load_bank() -> pd.DataFrame:
    """Bank Marketing (45,211 rows) without ``duration`` (it leaks the target), with a
    ``contact_date`` (datetime64) inferred from the row order: the year starts at 2008
    and increases whenever the month number decreases from one row to the next."""
    df = pd.read_csv(resource_path("demo", "bank-full.csv.gz"), sep=";")
    df = df.drop(columns=["duration"])
    month = df["month"].map({m: i + 1 for i, m in enumerate(_MONTHS)}).to_numpy()
    year = 2008 + np.concatenate([[0], np.cumsum(np.diff(month) < 0)])
    dates = pd.to_datetime(
        pd.DataFrame({"year": year, "month": month, "day": df["day"].to_numpy()}), errors="coerce"
    )
    df.insert(len(df.columns), "contact_date", dates)
    return df


def load_adult(which: str = "data") -> pd.DataFrame:
    """UCI Adult, ``which`` = ``"data"`` (training split) or ``"test"``; ``?`` = missing;
    labels normalised to ``<=50K`` / ``>50K`` (the test split has a trailing dot)."""
    path = resource_path("demo", f"adult.{which}.gz")
    df = pd.read_csv(
        path,
        header=None,
        names=ADULT_COLUMNS,
        skipinitialspace=True,
        na_values="?",
        skiprows=1 if which == "test" else 0,
    )
    df["income"] = df["income"].str.rstrip(".")
    return df


#: UCI Bike Sharing (hourly): the demo regression model trains on 2011 Q1–Q2 (75 %, the
#: other 25 % is its holdout) and is monitored monthly over 2011–2012.
BIKE_DEV_END = pd.Timestamp("2011-07-01")
BIKE_FEATURES = ["season", "mnth", "hr", "holiday", "weekday", "workingday", "weathersit", "temp", "atemp",
                 "hum", "windspeed"]


def load_bike() -> pd.DataFrame:
    """UCI Bike Sharing, hourly (17,379 rows, 2011-01-01 – 2012-12-31) with a
    ``timestamp`` (``dteday`` + ``hr`` hours; the local clock hours of Washington D.C.,
    recorded as UTC)."""
    df = pd.read_csv(resource_path("demo", "bike-hour.csv.gz"))
    df["timestamp"] = pd.to_datetime(df["dteday"]) + pd.to_timedelta(df["hr"], unit="h")
    return df


# ----------------------------------------------------------------------------- models
def _pipeline(X: pd.DataFrame, estimator: Any, *, scale: bool = True) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]
    cat = Pipeline([
        ("impute", SimpleImputer(strategy="most_frequent")),
        ("onehot", OneHotEncoder(handle_unknown="ignore", min_frequency=20, sparse_output=False)),
    ])
    num: Any = StandardScaler() if scale else "passthrough"
    pre = ColumnTransformer([("num", num, numeric), ("cat", cat, categorical)])
    return Pipeline([("prep", pre), ("model", estimator)])


def _metrics(estimator: Any, X: pd.DataFrame, y: pd.Series) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, mean_absolute_error, mean_squared_error, r2_score, roc_auc_score

    if not hasattr(estimator, "classes_"):  # regression
        pred = estimator.predict(X)
        return {"r2": float(r2_score(y, pred)), "rmse": float(np.sqrt(mean_squared_error(y, pred))),
                "mae": float(mean_absolute_error(y, pred))}

    positive = estimator.classes_[1]
    proba = estimator.predict_proba(X)[:, 1]
    return {
        "roc_auc": float(roc_auc_score(y == positive, proba)),
        "accuracy": float(accuracy_score(y, estimator.predict(X))),
    }


@dataclass
class VersionSpec:
    make: Callable[[], Any]
    alias: Optional[str] = None
    description: str = ""
    drop: tuple[str, ...] = ()
    scale: bool = True


@dataclass
class ModelSpec:
    name: str
    dataset: str  # "bank" | "adult"
    owner: str
    risk_tier: int
    status: LifecycleStatus
    description: str
    business_unit: str
    use_case: str
    intended_use: str
    restrictions: str
    versions: list[VersionSpec] = field(default_factory=list)
    #: Login of the demo Data Scientist who authored the versions (segregation of
    #: duties: they never sign their validation or promotion).
    author: str = "priya"
    task: TaskType = TaskType.CLASSIFICATION
    #: Monitored from prediction logs (``console.services.monitoring``) rather than by a
    #: drift run over fixed windows.
    logs: bool = False
    #: Calendar features left out of monthly drift monitoring (a monthly window holds
    #: one month, so their shift is expected, not news).
    monitor_exclude: tuple[str, ...] = ()
    #: Columns the fairness checks judge the model on (declared by the demo Model Risk
    #: Manager; they need not be model inputs: the sex- and race-blind model is still
    #: judged on sex and race, which its holdout set keeps).
    protected: tuple[str, ...] = ()


def demo_specs() -> list[ModelSpec]:
    """The demo inventory (names, owners, tiers and statuses are illustrative; the
    models, metrics, validations and drift are computed from the real data)."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    return [
        ModelSpec(
            name="Term deposit propensity",
            dataset="bank",
            owner="Ольга Смирнова",
            risk_tier=2,
            status=LifecycleStatus.PRODUCTION,
            description="Scores retail clients by their propensity to subscribe to a term deposit after a "
            "telemarketing call. Trained on UCI Bank Marketing contacts May 2008 – Jun 2009.",
            business_unit="Retail Banking – Deposits",
            use_case="Prioritise outbound calls of the term-deposit campaign",
            intended_use="Ranking existing clients for campaign call lists; human agents make every offer.",
            restrictions="Not for credit decisions or pricing; not for clients outside the bank's retail book.",
            logs=True,
            protected=("age", "marital"),
            monitor_exclude=("month",),
            versions=[
                VersionSpec(lambda: LogisticRegression(max_iter=2000, C=1.0), alias="champion",
                            description="Logistic-regression scorecard (baseline)"),
                VersionSpec(lambda: HistGradientBoostingClassifier(max_iter=200, learning_rate=0.08,
                                                                   random_state=RANDOM_STATE),
                            alias="challenger", description="Histogram gradient boosting challenger"),
            ],
        ),
        ModelSpec(
            name="Income eligibility screen",
            dataset="adult",
            owner="Amara Okafor",
            risk_tier=1,
            status=LifecycleStatus.DEVELOPMENT,
            author="mateo",
            description="Predicts whether annual income exceeds USD 50,000 from census attributes; "
            "used as a pre-screen for a premium-card eligibility check.",
            business_unit="Consumer Lending – Cards",
            use_case="Pre-screen applicants for premium-card eligibility",
            intended_use="Decision support for underwriters, who review every declined pre-screen.",
            restrictions="Must not be the sole basis of an adverse decision (ECOA / Reg B); "
            "sex and race may not be used as inputs in production.",
            protected=("sex", "race", "age"),
            versions=[
                VersionSpec(lambda: LogisticRegression(max_iter=2000, C=0.5), alias="champion",
                            description="Logistic regression on all census attributes"),
                VersionSpec(lambda: HistGradientBoostingClassifier(max_iter=150, random_state=RANDOM_STATE),
                            alias="challenger", description="Histogram gradient boosting challenger"),
            ],
        ),
        ModelSpec(
            name="Campaign response — random forest",
            dataset="bank",
            owner="Jonas Weber",
            risk_tier=3,
            status=LifecycleStatus.DEVELOPMENT,
            description="Exploratory random forest for campaign response, built by the analytics team.",
            business_unit="Marketing Analytics",
            use_case="Ad-hoc analysis of campaign response drivers",
            intended_use="Internal analysis only.",
            restrictions="Not for production scoring.",
            protected=("age", "marital"),
            versions=[
                VersionSpec(lambda: RandomForestClassifier(n_estimators=80, max_depth=12, min_samples_leaf=5,
                                                           n_jobs=2, random_state=RANDOM_STATE),
                            description="Random forest, 80 trees", scale=False),
            ],
        ),
        ModelSpec(
            name="High-income flag (sex- and race-blind)",
            dataset="adult",
            owner="Νίκος Παπαδόπουλος",
            risk_tier=2,
            status=LifecycleStatus.VALIDATION,
            description="Logistic regression that excludes sex and race from its inputs, proposed to "
            "replace the income eligibility screen.",
            business_unit="Consumer Lending – Cards",
            use_case="Pre-screen applicants for premium-card eligibility",
            intended_use="Decision support for underwriters.",
            restrictions="Pending validation; not approved for use.",
            author="mateo",
            protected=("sex", "race", "age"),
            versions=[
                VersionSpec(lambda: LogisticRegression(max_iter=2000, C=0.5), drop=("sex", "race"),
                            description="Logistic regression without sex and race"),
            ],
        ),
        ModelSpec(
            name="Bike rental demand forecast",
            dataset="bike",
            owner="Lucas Moreau",
            risk_tier=2,
            status=LifecycleStatus.PRODUCTION,
            task=TaskType.REGRESSION,
            logs=True,
            monitor_exclude=("season", "mnth"),
            description="Forecasts hourly bike rentals (Capital Bikeshare, Washington D.C.) from calendar and "
            "weather; trained on UCI Bike Sharing hours of 2011 Q1–Q2.",
            business_unit="Operations – Fleet planning",
            use_case="Plan bike rebalancing and maintenance shifts by the hour",
            intended_use="Decision support for fleet dispatchers; forecasts are reviewed daily.",
            restrictions="Not for pricing or staffing decisions about individual employees.",
            versions=[
                VersionSpec(lambda: HistGradientBoostingRegressor(max_iter=150, learning_rate=0.1,
                                                                  random_state=RANDOM_STATE),
                            alias="champion", description="Histogram gradient boosting on calendar and weather",
                            scale=False),
            ],
        ),
    ]


# ----------------------------------------------------------------------------- build
@dataclass
class DemoData:
    train: pd.DataFrame
    holdout: pd.DataFrame
    target: str
    windows: list[WindowSpec]
    window_label: str
    #: When the training sample was extracted (UTC): the end of the period it covers.
    extracted_at: Optional[pd.Timestamp] = None


def _bank_data() -> DemoData:
    from sklearn.model_selection import train_test_split

    df = load_bank()
    dev = df[df["contact_date"] < BANK_DEV_END].drop(columns=["contact_date"])
    train, holdout = train_test_split(dev, test_size=0.25, random_state=RANDOM_STATE, stratify=dev["y"])
    quarter = df["contact_date"].dt.to_period("Q")
    windows = [
        WindowSpec(
            label=f"{q.year} Q{q.quarter}",
            data=block.drop(columns=["contact_date"]),
            start=block["contact_date"].min().date().isoformat(),
            end=block["contact_date"].max().date().isoformat(),
        )
        for q, block in df.groupby(quarter, sort=True)
    ]
    return DemoData(train.reset_index(drop=True), holdout.reset_index(drop=True), "y", windows,
                    "Bank Marketing contacts per calendar quarter, May 2008 – Nov 2010 "
                    "(development sample: contacts before Jul 2009)", BANK_DEV_END.tz_localize("UTC"))


def _bike_data() -> DemoData:
    from sklearn.model_selection import train_test_split

    df = load_bike()
    dev = df.loc[df["timestamp"] < BIKE_DEV_END, BIKE_FEATURES + ["cnt"]]
    train, holdout = train_test_split(dev, test_size=0.25, random_state=RANDOM_STATE)
    return DemoData(train.reset_index(drop=True), holdout.reset_index(drop=True), "cnt", [],
                    "Bike Sharing hours 2011–2012", BIKE_DEV_END.tz_localize("UTC"))


def _seed_prediction_logs(ws: Workspace, model_id: int, version: Any, dataset: str,
                          cancel: Optional[CancelToken]) -> None:
    """Score the whole dataset with the version's model and ingest it as prediction
    logs (idempotent: identical batches are stored once); see the module docstring."""
    from console.services import monitoring

    est = ws.load_estimator(version)
    features = list(version.training_schema)
    if dataset == "bank":
        df = load_bank()
        ts = df["contact_date"]
        log = df[features].copy()
        log.insert(0, "timestamp", ts.dt.tz_localize("UTC"))
        log.insert(0, "request_id", [f"bank-{i + 1:05d}" for i in range(len(df))])
        log["prediction"] = est.predict(df[features])
        log["score"] = est.predict_proba(df[features])[:, 1]
        for year, part in log.groupby(ts.dt.year, sort=True):
            checkpoint(cancel)
            monitoring.ingest_predictions(ws, model_id, version.version, part.reset_index(drop=True),
                                          request_id_col="request_id", score_col="score",
                                          file_name=f"term-deposit-scores-{year}.parquet", actor=DEMO_ACTOR)
        outcomes = pd.DataFrame({"request_id": log["request_id"], "subscribed": df["y"]})
        monitoring.ingest_labels(ws, model_id, version.version, outcomes, request_id_col="request_id",
                                 label_col="subscribed", file_name="campaign-outcomes.csv", actor=DEMO_ACTOR)
    else:
        df = load_bike()
        log = df[features].copy()
        log.insert(0, "timestamp", df["timestamp"].dt.tz_localize("UTC"))
        log.insert(0, "request_id", [f"bike-{i}" for i in df["instant"]])
        log["prediction"] = est.predict(df[features])
        log["rentals"] = df["cnt"].to_numpy()
        for year, part in log.groupby(df["timestamp"].dt.year, sort=True):
            checkpoint(cancel)
            monitoring.ingest_predictions(ws, model_id, version.version, part.reset_index(drop=True),
                                          request_id_col="request_id", label_col="rentals",
                                          file_name=f"rental-forecasts-{year}.parquet", actor=DEMO_ACTOR)


def _adult_data() -> DemoData:
    from sklearn.model_selection import train_test_split

    df = load_adult("data")
    train, holdout = train_test_split(df, test_size=0.25, random_state=RANDOM_STATE, stratify=df["income"])
    test = load_adult("test")
    windows = [WindowSpec(label="Census test split (1994)", data=test)]
    # Extracted by Barry Becker from the 1994 US Census database (UCI dataset page).
    return DemoData(train.reset_index(drop=True), holdout.reset_index(drop=True), "income", windows,
                    "UCI Adult test split vs the training sample", pd.Timestamp("1994-12-31", tz="UTC"))


#: Demo users (login, display name, global role); password = "demo-" + login.  Listed
#: in README.md ("Demo users").  Enough people for every RACI and four-eyes rule: two
#: Data Scientists (one authors, the other signs), and two each of the roles that are
#: both Responsible and Accountable for a task (DevOps for deployment, ML Engineer for
#: hypercare/retirement), since the Accountable may not be the submitter.
DEMO_USERS = (
    ("admin", "Tomasz Nowak", "Admin"),
    ("priya", "Priya Raman", "Data Scientist"),
    ("mateo", "Mateo García", "Data Scientist"),
    ("sofia", "Sofia Lindqvist", "Model Risk Manager"),
    ("kenji", "Kenji Sato", "ML Engineer/Architect"),
    ("chen", "Chen Wei", "ML Engineer/Architect"),
    ("lena", "Lena Fischer", "DevOps Engineer"),
    ("omar", "Omar Haddad", "DevOps Engineer"),
    ("amara", "Amara Okafor", "Business Owner"),
    ("hugo", "Hugo Martin", "Auditor"),
    ("ines", "Inês Costa", "Subject Matter Expert (SME)"),
    ("yusuf", "Yusuf Demir", "Data Engineer"),
)


def seed_demo_users(ws: Workspace) -> int:
    """Create the missing :data:`DEMO_USERS` (idempotent; the first is the workspace's
    first user, hence Admin, and adds the others).  Returns how many were added."""
    existing = {u.login: u for u in ws.list_users()}
    login, name, _ = DEMO_USERS[0]
    if not existing:
        existing[login] = ws.create_user(login, name, "demo-" + login)
    admin = None
    added = 0
    for login, name, role in DEMO_USERS:
        user = existing.get(login)
        if user is not None and any(a.role.value == role and a.model_id is None for a in user.roles):
            continue
        admin = admin or ws.authenticate(DEMO_USERS[0][0], "demo-" + DEMO_USERS[0][0])
        if user is None:
            ws.create_user(login, name, "demo-" + login, roles=[role], by=admin)
            added += 1
        else:
            ws.assign_role(login, role, by=admin)
    return added


def build_demo(
    ws: Workspace,
    *,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> dict[str, Any]:
    """Build (idempotently) the demo content into ``ws``; return a summary
    ``{"models": int, "versions_added": int, "validations_added": int,
    "drift_runs_added": int, "seconds": float}``."""
    t0 = time.perf_counter()
    specs = demo_specs()
    data_cache: dict[str, DemoData] = {}
    added = {"versions_added": 0, "validations_added": 0, "drift_runs_added": 0}
    steps = sum(len(s.versions) for s in specs) * 2 + len(specs)
    done = 0

    def step(msg: str) -> None:
        nonlocal done
        report(progress, done / steps, msg)
        done += 1

    seed_demo_users(ws)
    mrm = None  # the demo Model Risk Manager, signed in when protected attributes are declared
    for spec in specs:
        checkpoint(cancel)
        model = ws.register_model(
            name=spec.name, owner=spec.owner, risk_tier=spec.risk_tier, task=spec.task,
            status=LifecycleStatus.DEVELOPMENT, description=spec.description,
            business_unit=spec.business_unit, use_case=spec.use_case, intended_use=spec.intended_use,
            restrictions=spec.restrictions, actor=DEMO_ACTOR,
        )
        detail = ws.get_model(model.id)

        def data(dataset: str = spec.dataset) -> DemoData:  # loaded only when something is missing
            if dataset not in data_cache:
                data_cache[dataset] = {"bank": _bank_data, "bike": _bike_data}.get(dataset, _adult_data)()
            return data_cache[dataset]

        existing = list(detail.versions)
        for i, vspec in enumerate(spec.versions):
            checkpoint(cancel)
            step(f"{spec.name}: training version {i + 1}")
            if i < len(existing):
                version = existing[i]
            else:
                d = data()
                cols = [c for c in d.train.columns if c not in vspec.drop]
                train = d.train[cols]
                # The holdout keeps dropped columns (e.g. sex, race): not model inputs, but
                # the fairness checks judge the model on them.
                holdout = d.holdout
                X, y = train.drop(columns=[d.target]), train[d.target]
                est = _pipeline(X, vspec.make(), scale=vspec.scale).fit(X, y)
                metrics = _metrics(est, holdout[X.columns], holdout[d.target])
                version = ws.register_version(
                    model.id, estimator=est, training_data=train, target_column=d.target,
                    holdout=holdout, metrics=metrics, description=vspec.description, actor=spec.author,
                    training_data_at=d.extracted_at.to_pydatetime() if d.extracted_at is not None else None,
                )
                added["versions_added"] += 1
            if vspec.alias:
                ws.set_alias(model.id, vspec.alias, version.version, actor=DEMO_ACTOR,
                             reason="demo seeding")
        ws.set_status(model.id, spec.status, actor=DEMO_ACTOR, reason="demo seeding")
        if spec.protected and tuple(ws.find_model(model.id).protected_attributes) != spec.protected:
            from console.services import validation

            mrm = mrm or ws.authenticate("sofia", "demo-sofia")
            validation.set_protected_attributes(ws, model.id, spec.protected, by=mrm,
                                                reason="demo seeding: attributes judged for fair treatment")
        detail = ws.get_model(model.id)
        validated = {r.version for r in detail.validation_runs}
        for version in detail.versions:
            checkpoint(cancel)
            step(f"{spec.name}: validating version {version.version}")
            if version.version not in validated:
                ws.run_validation(model.id, version.version, actor=DEMO_ACTOR, cancel=cancel)
                added["validations_added"] += 1
        step(f"{spec.name}: computing drift")
        monitored = next((v for v in detail.versions if "champion" in v.aliases), detail.versions[-1])
        if spec.logs:
            from console.services import monitoring

            if monitoring.monitoring_history(ws, model.id, monitored.version) is None:
                monitoring.set_thresholds(ws, model.id, exclude_columns=spec.monitor_exclude, actor=DEMO_ACTOR,
                                          reason="demo seeding: calendar features shift by design between "
                                          "monthly windows")
                _seed_prediction_logs(ws, model.id, monitored, spec.dataset, cancel)
                monitoring.run_monitoring(ws, model.id, monitored.version, window="1M", actor=DEMO_ACTOR,
                                          cancel=cancel)
                added["drift_runs_added"] += 1
        elif not detail.drift_runs:
            d = data()
            ws.record_drift_run(model.id, monitored.version, d.windows, label=d.window_label,
                                target=d.target, actor=DEMO_ACTOR, cancel=cancel)
            added["drift_runs_added"] += 1
    report(progress, 1.0, "Demo workspace ready")
    return {"models": len(specs), **added, "seconds": round(time.perf_counter() - t0, 2)}
