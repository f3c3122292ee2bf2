"""Monitoring over time (issue 4): prediction logs, late labels, windows, alerts, CLI.

Real data from ../shared/data: Bank Marketing (contact-date order, May 2008 – Nov 2010),
Bike Sharing (hourly 2011–2012) and Elec2 (half-hourly 1996–1998, constant Victoria
columns in its first year; tests only).  Real SQLite files and a real PostgreSQL server.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from console.errors import Cancelled, InputError
from console.jobs import CancelToken
from console.services import monitoring as mon
from console.services.findings import list_findings
from console.services.workspace import Workspace
from console.store import orm
from tests.conftest import SHARED_DATA, run_cli

BANK = "Bank response"
BIKE = "Bike demand"
ELEC = "Elec price direction"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


# ----------------------------------------------------------------------------- real data
def bank_frame() -> pd.DataFrame:
    """Bank Marketing with a contact date inferred from the row order (year +1 whenever
    the month number decreases), without ``duration`` (it leaks the target)."""
    df = pd.read_csv(SHARED_DATA / "bank_marketing" / "bank-full.csv", sep=";").drop(columns=["duration"])
    month = df["month"].map({m: i + 1 for i, m in enumerate(MONTHS)}).to_numpy()
    year = 2008 + np.concatenate([[0], np.cumsum(np.diff(month) < 0)])
    df["timestamp"] = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": df["day"]}))
    return df


def bike_frame() -> pd.DataFrame:
    df = pd.read_csv(SHARED_DATA / "bike_sharing" / "hour.csv")
    df["timestamp"] = pd.to_datetime(df["dteday"]) + pd.to_timedelta(df["hr"], unit="h")
    return df


def elec_frame() -> pd.DataFrame:
    """Elec2 with its timestamp rebuilt (SOURCE.md): 1996-05-07 + row // 48 days +
    (row % 48) half hours."""
    df = pd.read_csv(SHARED_DATA / "elec2" / "elec.csv")
    i = np.arange(len(df))
    df["timestamp"] = pd.Timestamp("1996-05-07") + pd.to_timedelta(i // 48, unit="D") + pd.to_timedelta(
        (i % 48) * 30, unit="min")
    return df


BANK_FEATURES = ["age", "job", "marital", "education", "default", "balance", "housing", "loan", "contact", "day",
                 "campaign", "pdays", "previous", "poutcome"]
BIKE_FEATURES = ["hr", "weekday", "workingday", "weathersit", "temp", "hum", "windspeed"]
ELEC_FEATURES = ["period", "nswprice", "nswdemand", "vicprice", "vicdemand", "transfer"]


def _fit_bank(dev: pd.DataFrame):
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X = dev[BANK_FEATURES]
    num = [c for c in BANK_FEATURES if pd.api.types.is_numeric_dtype(X[c])]
    cat = [c for c in BANK_FEATURES if c not in num]
    pre = ColumnTransformer([("num", StandardScaler(), num),
                             ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cat)])
    return Pipeline([("prep", pre), ("model", LogisticRegression(max_iter=500))]).fit(X, dev["y"])


@pytest.fixture(scope="module")
def data(shared_data):
    bank = bank_frame()
    bike = bike_frame()
    elec = elec_frame()
    from sklearn.linear_model import LogisticRegression, Ridge

    # > 10,000 rows: KS p-values use the asymptotic distribution (DESIGN.md), as in production
    bank_dev = bank[bank["timestamp"] < "2009-01-01"].sample(12000, random_state=1)
    bank_est = _fit_bank(bank_dev)
    bike_dev = bike[bike["timestamp"] < "2011-07-01"]
    bike_est = Ridge().fit(bike_dev[BIKE_FEATURES], bike_dev["cnt"])
    elec_dev = elec.iloc[:8000]  # first months: the Victoria columns are constant
    elec_est = LogisticRegression(max_iter=500).fit(elec_dev[ELEC_FEATURES], elec_dev["class"])
    return {
        "bank": (bank, bank_est, bank_dev[BANK_FEATURES + ["y"]].reset_index(drop=True)),
        "bike": (bike, bike_est, bike_dev[BIKE_FEATURES + ["cnt"]].reset_index(drop=True)),
        "elec": (elec, elec_est, elec_dev[ELEC_FEATURES + ["class"]].reset_index(drop=True)),
    }


def _register(ws: Workspace, data, which: str, name: str, task: str, target: str, tier: int = 2) -> None:
    _, est, train = data[which]
    m = ws.register_model(name=name, owner="Test Owner", risk_tier=tier, task=task, actor="tester")
    ws.register_version(m.id, estimator=est, training_data=train, target_column=target, actor="priya")


@pytest.fixture(scope="module")
def template(data, tmp_path_factory) -> Path:
    """A workspace with the three real models registered (copied per test)."""
    path = tmp_path_factory.mktemp("mon") / "template.sqlite"
    with Workspace.open(path) as ws:
        _register(ws, data, "bank", BANK, "classification", "y")
        _register(ws, data, "bike", BIKE, "regression", "cnt")
        _register(ws, data, "elec", ELEC, "classification", "class")
    return path


@pytest.fixture
def ws_path(template, tmp_path) -> Path:
    dst = tmp_path / "ws.sqlite"
    shutil.copy2(template, dst)
    for suffix in ("-wal", "-shm"):
        side = template.with_name(template.name + suffix)
        if side.exists():
            shutil.copy2(side, dst.with_name(dst.name + suffix))
    return dst


def bank_log(data, *, labels: bool = False, rows: slice = slice(None)) -> pd.DataFrame:
    bank, est, _ = data["bank"]
    df = bank.iloc[rows]
    log = df[BANK_FEATURES].copy()
    log.insert(0, "timestamp", df["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    log.insert(0, "request_id", [f"r{i}" for i in df.index])
    log["prediction"] = est.predict(df[BANK_FEATURES])
    log["score"] = est.predict_proba(df[BANK_FEATURES])[:, 1]
    if labels:
        log["y"] = df["y"].to_numpy()
    return log.reset_index(drop=True)


def counts(ws: Workspace) -> tuple[int, ...]:
    with ws._session() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in
                     (orm.PredictionBatchRow, orm.LabelBatchRow, orm.Blob, orm.DriftRunRow, orm.AuditEventRow,
                      orm.FindingRow))


# ----------------------------------------------------------------------------- windows
def test_window_rules_are_calendar_utc_and_row_blocks():
    # across the EU daylight-saving change (2021-03-28) and a month/ISO-year boundary
    ts = pd.to_datetime(["2020-12-31T23:30", "2021-01-01T00:00", "2021-01-03T23:59", "2021-01-04T00:00",
                         "2021-03-28T00:30", "2021-03-28T01:30", "2021-03-28T02:30", "2021-03-29T00:00"]).to_numpy()
    day = mon._window_bounds(ts, mon.parse_window("1d"))
    assert [(a, b) for a, b, *_ in day] == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 7), (7, 8)]
    assert day[4][2:] == ("2021-03-28", "2021-03-28T00:00:00Z", "2021-03-29T00:00:00Z")  # 24 h, no DST in UTC
    week = mon._window_bounds(ts, mon.parse_window("1W"))
    assert [w[2] for w in week] == ["2020-W53", "2021-W01", "2021-W12", "2021-W13"]
    assert week[0][3:] == ("2020-12-28T00:00:00Z", "2021-01-04T00:00:00Z")  # Monday to Monday
    assert [(a, b) for a, b, *_ in week] == [(0, 3), (3, 4), (4, 7), (7, 8)]
    month = mon._window_bounds(ts, mon.parse_window("1M"))
    assert [(w[2], w[3], w[4]) for w in month] == [
        ("2020-12", "2020-12-01T00:00:00Z", "2021-01-01T00:00:00Z"),
        ("2021-01", "2021-01-01T00:00:00Z", "2021-02-01T00:00:00Z"),
        ("2021-03", "2021-03-01T00:00:00Z", "2021-04-01T00:00:00Z")]  # empty February skipped
    rows = mon._window_bounds(ts, mon.parse_window("3 rows"))
    assert [(a, b) for a, b, *_ in rows] == [(0, 3), (3, 6), (6, 8)]
    assert rows[2][3:] == ("2021-03-28T02:30:00Z", "2021-03-29T00:00:00Z")  # first/last timestamp
    for bad in ("2X", "0rows", "", "1Y"):
        with pytest.raises(InputError, match="1D"):
            mon.parse_window(bad)


# ----------------------------------------------------------------------------- ingest + run
def test_bank_history_late_labels_change_performance_and_one_finding(ws_path, data, tmp_path):
    log = bank_log(data)
    f2008 = tmp_path / "scores-2008.csv"
    log.iloc[:27000].to_csv(f2008, index=False)
    with Workspace.open(ws_path) as ws:
        res = mon.ingest_predictions(ws, BANK, None, f2008, request_id_col="request_id", score_col="score",
                                     actor="kenji")
        assert (res.rows, res.labelled, res.duplicate) == (27000, 0, False)
        assert res.ts_min.isoformat() == "2008-05-05T00:00:00+00:00"
        again = mon.ingest_predictions(ws, BANK, None, f2008, request_id_col="request_id", score_col="score")
        assert again.duplicate and again.batch_id == res.batch_id
        rest = log.iloc[27000:]
        mon.ingest_predictions(ws, BANK, 1, rest, request_id_col="request_id", score_col="score",
                               file_name="scores-late.parquet", actor="kenji")
        run1 = mon.run_monitoring(ws, BANK, window="1M", actor="kenji")
        assert len(run1.windows) == 30 and run1.windows[0].label == "2008-05" and run1.windows[-1].label == "2010-11"
        assert sum(w.rows for w in run1.windows) == len(log)
        assert all(w.performance is None and w.n_labelled == 0 for w in run1.windows)
        assert run1.windows[0].drift["target"]["tested"] is False  # no label yet
        assert len(run1.profile_fingerprint) == 64
        assert len(run1.findings_opened) == 1  # drift windows -> exactly one finding for the version
        # late labels for 2008 only (joined by request id)
        bank = data["bank"][0]
        labels = pd.DataFrame({"rid": log["request_id"], "outcome": bank["y"].to_numpy()})
        lab_file = tmp_path / "outcomes.csv"
        labels[bank["timestamp"].dt.year.to_numpy() == 2008].to_csv(lab_file, index=False)
        lr = mon.ingest_labels(ws, BANK, None, lab_file, request_id_col="rid", label_col="outcome")
        assert lr.matched == lr.rows == int((bank["timestamp"].dt.year == 2008).sum())
        run2 = mon.run_monitoring(ws, BANK, window="1M")
        labelled = [w for w in run2.windows if w.performance is not None]
        assert [w.label[:4] for w in labelled] == ["2008"] * len(labelled) and len(labelled) == 7  # no contact in Sep 2008
        may = run2.windows[0]
        truth = bank[(bank["timestamp"] >= "2008-05-01") & (bank["timestamp"] < "2008-06-01")]
        pred = log.iloc[truth.index]
        assert may.n_labelled == len(truth)
        assert may.performance["accuracy"] == pytest.approx((pred["prediction"].to_numpy() == truth["y"]).mean())
        from sklearn.metrics import roc_auc_score
        assert may.performance["roc_auc"] == pytest.approx(roc_auc_score(truth["y"] == "yes", pred["score"]))
        assert may.drift["target"]["tested"] is True and may.drift["target"]["name"] == "y"
        assert run2.findings_opened == ()  # the same drift windows: no second finding
        drift_findings = [f for f in list_findings(ws, model=BANK) if f.source == "drift"]
        assert len(drift_findings) == 1 and drift_findings[0].severity == "medium"  # tier 2
        summary = next(m for m in ws.list_models() if m.name == BANK)
        assert summary.drift_status.value == run2.windows[-1].status
        hist = mon.monitoring_history(ws, BANK)
        assert hist.run_id == run2.run_id and [w.label for w in hist.windows] == [w.label for w in run2.windows]
        assert hist.windows[0].performance == may.performance
        assert hist.windows[3].drift["columns"] == run2.windows[3].drift["columns"]
        actions = [e.action for e in ws.get_model(BANK).audit_events]
        for a in ("monitoring.predictions_ingested", "monitoring.labels_ingested", "monitoring.profile_computed",
                  "monitoring.run", "finding.opened"):
            assert a in actions
        assert actions.count("monitoring.profile_computed") == 1  # computed once, then cached


def test_bike_regression_monthly_with_labels(ws_path, data):
    bike, est, _ = data["bike"]
    log = bike[BIKE_FEATURES + ["timestamp", "cnt"]].copy()
    log["prediction"] = est.predict(bike[BIKE_FEATURES])
    with Workspace.open(ws_path) as ws:
        res = mon.ingest_predictions(ws, BIKE, None, log, file_name="bike.parquet")  # label = target column cnt
        assert res.labelled == len(bike)
        run = mon.run_monitoring(ws, BIKE, window="1M")
    assert [w.label for w in run.windows][:2] == ["2011-01", "2011-02"] and len(run.windows) == 24
    dec = run.windows[-1]
    part = bike[bike["timestamp"] >= "2012-12-01"]
    err = part["cnt"] - est.predict(part[BIKE_FEATURES])
    assert dec.performance["rmse"] == pytest.approx(float(np.sqrt(np.mean(err ** 2))))
    assert dec.performance["mae"] == pytest.approx(float(np.mean(np.abs(err))))
    from sklearn.metrics import r2_score
    assert dec.performance["r2"] == pytest.approx(r2_score(part["cnt"], est.predict(part[BIKE_FEATURES])))
    assert dec.performance["rmse"] > 2 * run.windows[0].performance["rmse"]  # demand grew in 2012: the model decays
    assert dec.prediction_drift["columns"][0]["kind"] == "numeric"
    sep = run.windows[20]
    assert sep.label == "2012-09" and sep.drift["target"]["psi"] > 0.25 > run.windows[3].drift["target"]["psi"]


def test_elec2_constant_columns_and_weekly_windows(ws_path, data, tmp_path):
    elec, est, _ = data["elec"]
    part = elec.iloc[8000:24000]  # crosses row 17,424, where the Victoria columns start to vary
    log = part[ELEC_FEATURES].copy()
    # naive local times in Sydney: converted to UTC (DST-safe: windows are UTC)
    log.insert(0, "time", part["timestamp"].dt.strftime("%d/%m/%Y %H:%M"))
    log["pred"] = est.predict(part[ELEC_FEATURES])
    f = tmp_path / "elec.csv"
    log.to_csv(f, index=False)
    with Workspace.open(ws_path) as ws:
        with pytest.raises(InputError, match=r"row \d+, column 'time'.*(ambiguous|non-?existent|daylight)"):
            mon.ingest_predictions(ws, ELEC, None, f, timestamp_col="time", prediction_col="pred",
                                   timestamp_format="%d/%m/%Y %H:%M", timezone="Australia/Sydney")
        res = mon.ingest_predictions(ws, ELEC, None, f, timestamp_col="time", prediction_col="pred",
                                     timestamp_format="%d/%m/%Y %H:%M")
        assert res.rows == 16000
        run = mon.run_monitoring(ws, ELEC, window="1W")
    first, last = run.windows[0], run.windows[-1]
    assert first.start == "1996-10-14T00:00:00Z" and first.label == "1996-W42"  # row 8000: Sun 1996-10-20

    def col(w, name):
        return next(c for c in w.drift["columns"] if c["name"] == name)

    # constant in the reference and in the window: no drift (PSI 0)
    assert col(first, "vicprice")["psi"] == 0 and col(first, "vicprice")["status"] == "stable"
    # constant in the reference, varying now: drift
    assert col(last, "vicdemand")["status"] == "drift"


# ----------------------------------------------------------------------------- bad input
def test_bad_files_write_nothing(ws_path, data, tmp_path):
    log = bank_log(data, rows=slice(0, 300))
    with Workspace.open(ws_path) as ws:
        before = counts(ws)
        f = tmp_path / "no-balance.csv"
        log.drop(columns=["balance"]).to_csv(f, index=False)
        with pytest.raises(InputError, match=r"no-balance.csv: missing feature column\(s\).*balance"):
            mon.ingest_predictions(ws, BANK, None, f)
        bad = log.copy()
        bad.loc[41, "timestamp"] = "2008-13-45 25:00"
        f = tmp_path / "bad-time.csv"
        bad.to_csv(f, index=False)
        with pytest.raises(InputError, match=r"bad-time.csv: row 42, column 'timestamp': not a date/time"):
            mon.ingest_predictions(ws, BANK, None, f, request_id_col="request_id", score_col="score")
        f = tmp_path / "extra.csv"
        log.assign(notes="x").to_csv(f, index=False)
        with pytest.raises(InputError, match=r"unknown column\(s\) notes"):
            mon.ingest_predictions(ws, BANK, None, f, request_id_col="request_id", score_col="score")
        f = tmp_path / "cp1252.csv"
        f.write_bytes(log.assign(job=log["job"].where(log.index != 5, "técnico")).to_csv(index=False)
                      .encode("cp1252"))
        with pytest.raises(InputError, match=r"cp1252.csv: line 7 is not valid UTF-8.*--encoding"):
            mon.ingest_predictions(ws, BANK, None, f, request_id_col="request_id", score_col="score")
        f = tmp_path / "empty.csv"
        f.write_bytes(b"")
        with pytest.raises(InputError, match="empty"):
            mon.ingest_predictions(ws, BANK, None, f)
        f = tmp_path / "dup.csv"
        log.assign(request_id=log["request_id"].where(log.index != 9, "r3")).to_csv(f, index=False)
        with pytest.raises(InputError, match=r"request id 'r3'.*rows 4 and 10"):
            mon.ingest_predictions(ws, BANK, None, f, request_id_col="request_id", score_col="score")
        with pytest.raises(InputError, match="no prediction logs"):
            mon.run_monitoring(ws, BANK)
        assert counts(ws) == before
        # the file is fine with --encoding cp1252
        f = tmp_path / "cp1252.csv"
        res = mon.ingest_predictions(ws, BANK, None, f, request_id_col="request_id", score_col="score",
                                     read_options={"encoding": "cp1252"})
        assert res.rows == 300
        with pytest.raises(InputError, match="none of the 2 request ids"):
            mon.ingest_labels(ws, BANK, None, pd.DataFrame({"id": ["x", "y"], "y": ["no", "yes"]}),
                              request_id_col="id", label_col="y")
        # cancelling a run writes nothing
        token = CancelToken()
        token.cancel()
        mid = counts(ws)
        with pytest.raises(Cancelled):
            mon.run_monitoring(ws, BANK, cancel=token)
        assert counts(ws) == mid


def test_thresholds_are_stored_audited_and_applied(ws_path, data):
    with Workspace.open(ws_path) as ws:
        assert mon.get_thresholds(ws, BANK).is_default
        mon.ingest_predictions(ws, BANK, None, bank_log(data, labels=True), request_id_col="request_id",
                               score_col="score")
        default = mon.run_monitoring(ws, BANK, window="10000rows")
        with pytest.raises(InputError, match="0 < warning < drift"):
            mon.set_thresholds(ws, BANK, psi_warning=0.3, psi_drift=0.2)
        with pytest.raises(InputError, match="not a feature"):
            mon.set_thresholds(ws, BANK, exclude_columns=["nope"])
        th = mon.set_thresholds(ws, BANK, psi_warning=5.0, psi_drift=50.0, exclude_columns=["contact"],
                                actor="sofia", reason="test")
        assert (th.psi_warning, th.psi_drift, th.excluded, th.is_default) == (5.0, 50.0, ("contact",), False)
        lax = mon.run_monitoring(ws, BANK, window="10000rows")
        ev = [e for e in ws.get_model(BANK).audit_events if e.action == "monitoring.thresholds_set"]
        assert ev and ev[-1].new["psi_drift"] == 50.0 and ev[-1].old["psi_drift"] == 0.25
    assert [w.rows for w in default.windows] == [10000] * 4 + [5211]
    assert any(w.status == "drift" for w in default.windows)
    assert all(w.status in ("stable", "warning") for w in lax.windows)
    assert all(c["name"] != "contact" for w in lax.windows for c in w.drift["columns"])
    assert lax.windows[-1].drift["n_drifted"] == 0


def test_preview_detects_separator_decimal_comma_and_date_format(tmp_path):
    f = tmp_path / "export.csv"
    f.write_bytes("zeit;betrag;stadt\n05/03/2024 13:00;1.234,5;Köln\n17/03/2024 08:30;2,25;Zürich\n"
                  .encode("cp1252"))
    p = mon.preview_table(f)
    assert p.separator == ";" and p.decimal == "," and p.thousands == "." and p.encoding == "cp1252"
    assert p.kinds["betrag"] == "number" and p.head["betrag"].tolist() == [1234.5, 2.25]
    assert p.head["stadt"].tolist() == ["Köln", "Zürich"]
    assert p.date_formats["zeit"] == "%d/%m/%Y %H:%M" and p.ambiguous_dates == ()
    assert p.suggested == {}
    g = tmp_path / "log.csv"
    g.write_text("timestamp,prediction,x\n2024-01-01T00:00:00Z,1,2\n")
    q = mon.preview_table(g)
    assert q.date_formats == {"timestamp": "ISO8601"} and q.suggested == {"timestamp": "timestamp",
                                                                           "prediction": "prediction"}


# ----------------------------------------------------------------------------- CLI
def test_cli_ingest_labels_run_json(ws_path, data, tmp_path):
    log = bank_log(data, rows=slice(30000, 45211))
    f = tmp_path / "scores.csv"
    log.to_csv(f, sep=";", decimal=",", index=False)
    proc = run_cli("monitor", "ingest", f"{BANK}@1", str(f), "--request-id", "request_id", "--score", "score",
                   "--decimal", ",", "--json", workspace=ws_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rows"] == len(log)
    lab = tmp_path / "labels.csv"
    pd.DataFrame({"request_id": log["request_id"], "y": data["bank"][0]["y"].iloc[30000:].to_numpy()}).to_csv(
        lab, index=False)
    proc = run_cli("monitor", "labels", BANK, str(lab), "--request-id", "request_id", "--label", "y",
                   workspace=ws_path)
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("monitor", "run", BANK, "--window", "1M", "--json", workspace=ws_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert "NaN" not in proc.stdout and "Infinity" not in proc.stdout
    assert doc["model"] == BANK and doc["version"] == "1" and len(doc["profile_fingerprint"]) == 64
    w = doc["windows"][-1]
    assert {"start", "end", "rows", "drift", "performance"} <= set(w)
    assert w["start"] == "2010-11-01T00:00:00Z" and w["end"] == "2010-12-01T00:00:00Z"
    assert {"dataset_drift", "n_tested", "n_drifted", "target", "columns"} <= set(w["drift"])
    assert {"accuracy", "roc_auc", "n_labelled"} <= set(w["performance"])
    assert doc["latest_status"] == "drift"
    proc = run_cli("monitor", "run", BANK, "--fail-on-drift", workspace=ws_path)
    assert proc.returncode == 1 and "WINDOW" in proc.stdout
    proc = run_cli("monitor", "ingest", BANK, str(tmp_path / "missing.csv"), workspace=ws_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "file not found" in proc.stderr


# ----------------------------------------------------------------------------- PostgreSQL
def test_ingest_and_run_on_both_backends(workspace_url, data):
    with Workspace.open(workspace_url) as ws:
        _register(ws, data, "bike", BIKE, "regression", "cnt", tier=1)
        bike, est, _ = data["bike"]
        log = bike[BIKE_FEATURES + ["timestamp"]].copy()
        log["prediction"] = est.predict(bike[BIKE_FEATURES])
        log["id"] = bike["instant"]
        mon.ingest_predictions(ws, BIKE, None, log, request_id_col="id")
        mon.ingest_labels(ws, BIKE, None, pd.DataFrame({"id": bike["instant"].astype(str), "cnt": bike["cnt"]}),
                          request_id_col="id", label_col="cnt")
        run = mon.run_monitoring(ws, BIKE, window="1W")
        assert run.windows[0].label == "2010-W52"  # Sat 2011-01-01 is in ISO week 52 of 2010
        assert len(run.windows) == 106 and all(w.performance is not None for w in run.windows)
        hist = mon.monitoring_history(ws, BIKE)
        assert hist.windows[-1].performance == run.windows[-1].performance
        assert [f.severity for f in list_findings(ws, model=BIKE)] == ["high"]  # tier 1
        assert next(m for m in ws.list_models() if m.name == BIKE).drift_status.value == run.latest_status
