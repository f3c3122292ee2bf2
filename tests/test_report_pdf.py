"""The model audit PDF (console.reports): content is extractable, fonts embedded, atomic write."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from console.domain.models import (
    Alias,
    AuditEvent,
    CheckResult,
    CheckStatus,
    DriftFeatureResult,
    DriftRun,
    DriftStatus,
    DriftWindow,
    LifecycleStatus,
    ModelDetail,
    ModelSummary,
    ModelVersion,
    RegisteredModel,
    TaskType,
    ValidationRun,
    psi_status,
)
from console.errors import Cancelled, InputError
from console.jobs import CancelToken
from console.reports import build_model_report

pypdf = pytest.importorskip("pypdf")

MODEL_NAME = "bank-marketing-propensity · Προθεσμιακές καταθέσεις"
OWNER = "Ольга Смирнова"
ART_V2 = "9f2c4e7a1b3d5f60718293a4b5c6d7e8f90112233445566778899aabbccddeef0"
DATA_V2 = "4b1d0c9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c"
VAL_DATA = "c0ffee00d15ea5e5bada55c0de1234567890abcdef0123456789abcdef012345"
GENERATED = datetime(2025, 3, 31, 16, 45, 10, tzinfo=timezone.utc)

T0 = datetime(2024, 11, 4, 9, 12, 0, tzinfo=timezone.utc)

SCHEMA = {
    "age": "int64", "job": "category", "marital": "category", "education": "category",
    "default": "category", "balance": "int64", "housing": "category", "loan": "category",
    "contact": "category", "day": "int64", "month": "category", "duration": "int64",
    "campaign": "int64", "pdays": "int64", "previous": "int64", "poutcome": "category",
}
HYPER = {
    "C": 0.5, "class_weight": "balanced", "dual": False, "fit_intercept": True,
    "intercept_scaling": 1, "l1_ratio": None, "max_iter": 1000, "multi_class": "deprecated",
    "n_jobs": None, "penalty": "l2", "random_state": 42, "solver": "lbfgs", "tol": 0.0001,
    "warm_start": False, "preprocessing": "ColumnTransformer(OneHotEncoder, StandardScaler)",
}


def build_audit_pdf(detail, path, **kw):
    """The model audit report's path (``build_model_report(kind="audit")``)."""
    return build_model_report("audit", detail, path, **kw).path


def _version(n: int, art: str, data: str, created: datetime, metrics: dict, aliases=(), hyper=None,
             desc="") -> ModelVersion:
    return ModelVersion(
        id=100 + n, model_id=7, version=n, framework="scikit-learn 1.5.2",
        artifact_sha256=art, data_sha256=data, training_schema=SCHEMA, target_column="y",
        holdout_sha256=("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85" + str(n)),
        reference_sha256=("5d41402abc4b2a76b9719d911017c592aa0f3d6a7c1b2e8f9d0c4b5a6e7f812" + str(n)) if n == 2 else None,
        hyperparameters=hyper if hyper is not None else HYPER, metrics=metrics, created_by=OWNER,
        created_at=created, description=desc,
        estimator_class="sklearn.pipeline.Pipeline[sklearn.linear_model.LogisticRegression]",
        aliases=tuple(aliases),
    )


def _feature(name: str, kind: str, psi, *, reason=None, dist=None) -> DriftFeatureResult:
    tested = psi is not None
    result = {"name": name, "kind": kind, "tested": tested, "reason": reason, "psi": psi,
              "missing_share_reference": 0.0, "missing_share_current": 0.004 if tested else 1.0}
    if kind == "numeric" and tested:
        result.update(ks_statistic=min(0.9, psi * 0.8 + 0.01), ks_pvalue=max(1e-12, 0.5 - psi * 2),
                      ks_pvalue_method="ks_2samp", wasserstein=psi * 40, wasserstein_normed=psi * 0.9)
    if kind == "categorical" and tested:
        result.update(chi2_statistic=psi * 900, chi2_pvalue=max(1e-9, 0.4 - psi), js_distance=psi / 3,
                      new_categories={}, missing_categories=[])
    st = psi_status(psi)
    return DriftFeatureResult(name=name, kind=kind, tested=tested, psi=psi, status=st, is_target=False,
                              result=result, distribution=dist)


def _windows() -> tuple[DriftWindow, ...]:
    age_bins = ["< 29", "29–32", "32–34", "34–36", "36–39", "39–42", "42–46", "46–50", "50–56", "≥ 56"]
    psi = {
        "age":      [0.021, 0.064, 0.118],
        "balance":  [None, 0.142, 0.093],
        "duration": [0.087, 0.191, 0.312],
        "job":      [0.012, 0.018, 0.027],
        "contact":  [0.034, None, 0.276],
    }
    kinds = {"age": "numeric", "balance": "numeric", "duration": "numeric", "job": "categorical",
             "contact": "categorical"}
    labels = ["2025-01", "2025-02", "2025-03"]
    out = []
    for i, label in enumerate(labels):
        feats = []
        for name, vals in psi.items():
            dist = None
            if name == "age":
                dist = {"bins": age_bins, "reference": [0.1] * 10,
                        "current": [0.07, 0.08, 0.09, 0.1, 0.1, 0.11, 0.11, 0.12, 0.11, 0.11]}
            elif name == "duration":
                dist = {"bins": [f"bin {k + 1}" for k in range(10)], "reference": [0.1] * 10,
                        "current": [0.04, 0.05, 0.07, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15]}
            elif name == "contact":
                dist = {"bins": ["cellular", "telephone", "unknown"], "reference": [0.65, 0.06, 0.29],
                        "current": [0.88, 0.07, 0.05]}
            reason = "no non-missing values in the current window" if vals[i] is None else None
            feats.append(_feature(name, kinds[name], vals[i], reason=reason, dist=dist))
        statuses = [f.status for f in feats if f.status]
        worst = max(statuses, key=lambda s: ["stable", "warning", "drift"].index(s.value))
        n_drift = sum(1 for s in statuses if s is DriftStatus.DRIFT)
        out.append(DriftWindow(
            id=900 + i, index=i, label=label, start=f"{label}-01", end=f"{label}-28", n_rows=3800 + 250 * i,
            dataset_drift=n_drift * 2 >= len(statuses), n_tested=len(statuses), n_drifted=n_drift, status=worst,
            features=tuple(feats)))
    return tuple(out)


def make_detail() -> ModelDetail:
    """A realistic bank-marketing logistic regression with 2 versions, runs and events."""
    model = RegisteredModel(
        id=7, name=MODEL_NAME, owner=OWNER, risk_tier=2, status=LifecycleStatus.APPROVED,
        task=TaskType.CLASSIFICATION,
        description=("Predicts the probability that a retail client subscribes to a term deposit after a "
                     "direct-marketing phone call (UCI Bank Marketing data, Portuguese retail bank)."),
        business_unit="Retail Banking — Deposits & Savings",
        use_case="Prioritise outbound call lists for the quarterly term-deposit campaign.",
        intended_use=("Ranking of existing retail clients for marketing contact. Scores are used together with "
                      "the contact-frequency policy; final call lists are reviewed by the campaign manager."),
        restrictions=("Not to be used for credit decisions, pricing, or any decision with legal effect on the "
                      "client. Not validated for SME or private-banking clients. Do not use the 'duration' "
                      "feature for pre-call scoring without the approved surrogate."),
        source="local", created_at=T0, updated_at=T0 + timedelta(days=60),
    )
    v1 = _version(1, "1a" * 32, "7c" * 32, T0, {"roc_auc": 0.9012, "accuracy": 0.8874, "f1": 0.4415,
                                                   "brier": 0.0811},
                  hyper={**HYPER, "C": 1.0, "class_weight": None}, desc="Baseline, unweighted.")
    v2 = _version(2, ART_V2, DATA_V2, T0 + timedelta(days=21), {"roc_auc": 0.9127, "accuracy": 0.8451,
                                                                 "f1": 0.5588, "brier": 0.0954,
                                                                 "recall": 0.8213},
                  aliases=("champion",), desc="Class-weighted retrain on 2024 campaign data.")
    checks = (
        CheckResult(id="data.schema_match", family="data", title="Holdout schema matches training schema",
                    status=CheckStatus.PASS, blocking=True, values={"n_columns": 16, "missing_columns": []}),
        CheckResult(id="performance.roc_auc_min", family="performance", title="ROC AUC ≥ 0.85 on holdout",
                    status=CheckStatus.PASS, blocking=True,
                    values={"roc_auc": 0.9127, "threshold": 0.85, "ci_low": 0.9031, "ci_high": 0.9219}),
        CheckResult(id="fairness.demographic_parity_age", family="fairness",
                    title="Demographic parity difference by age band ≤ 0.10",
                    status=CheckStatus.FAIL, blocking=False,
                    values={"dp_difference": 0.1342, "threshold": 0.1, "worst_group": "age ≥ 60"},
                    reason="Selection rate for clients aged 60+ is 13.4 pp above the youngest band; "
                           "non-blocking in tier 2, finding raised for the model owner."),
    )
    vrun = ValidationRun(
        id=31, model_id=7, version_id=102, version=2, passed=True,
        started_at=T0 + timedelta(days=25, minutes=3), finished_at=T0 + timedelta(days=25, minutes=4, seconds=12),
        run_by="Дмитрий Козлов", data_label="holdout", data_sha256=VAL_DATA, n_rows=9043, checks=checks)
    vrun_old = ValidationRun(
        id=18, model_id=7, version_id=101, version=1, passed=True, started_at=T0 + timedelta(days=2),
        finished_at=T0 + timedelta(days=2, minutes=1), run_by="Дмитрий Козлов", data_label="holdout",
        data_sha256="ab" * 32, n_rows=9043, checks=checks[:2])
    drun = DriftRun(id=12, model_id=7, version_id=102, version=2, created_at=GENERATED - timedelta(days=1),
                    created_by="mrm.analyst", label="Monthly monitoring Q1 2025",
                    reference_sha256=v2.reference_sha256 or "", windows=_windows())
    ev = [
        AuditEvent(101, T0, OWNER, "model.register", "model", "7", None,
                   {"name": MODEL_NAME, "owner": OWNER, "risk_tier": 2, "status": "development"}),
        AuditEvent(102, T0, OWNER, "version.register", "model_version", "101", None,
                   {"version": 1, "artifact_sha256": "1a" * 32}),
        AuditEvent(140, T0 + timedelta(days=21), OWNER, "version.register", "model_version", "102", None,
                   {"version": 2, "artifact_sha256": ART_V2}),
        AuditEvent(141, T0 + timedelta(days=22), OWNER, "model.status", "model", "7",
                   {"status": "development"}, {"status": "validation"}, "Submitted for independent validation"),
        AuditEvent(155, T0 + timedelta(days=25, minutes=5), "Дмитрий Козлов", "validation.run", "validation_run",
                   "31", None, {"version": 2, "passed": True}),
        AuditEvent(163, T0 + timedelta(days=30), "Дмитрий Козлов", "alias.set", "alias", "7/champion",
                   {"version": 1}, {"version": 2}, "Validation #31 passed; fairness finding F-2024-117 accepted"),
        AuditEvent(164, T0 + timedelta(days=30, seconds=4), "Дмитрий Козлов", "model.status", "model", "7",
                   {"status": "validation"}, {"status": "approved"}, "Four-eyes approval, request AR-58"),
    ]
    summary = ModelSummary(id=7, name=MODEL_NAME, owner=OWNER, risk_tier=2, status=LifecycleStatus.APPROVED,
                           versions=2, champion_version="2", source="local", drift_status=DriftStatus.DRIFT,
                           last_validation="pass", last_validation_at=vrun.finished_at)
    return ModelDetail(model=model, summary=summary, versions=(v1, v2), aliases=(Alias(7, "champion", 2),),
                       validation_runs=(vrun, vrun_old), drift_runs=(drun,), audit_events=tuple(ev))


def _empty_detail() -> ModelDetail:
    d = make_detail()
    return ModelDetail(model=d.model, summary=d.summary, versions=(), aliases=(), validation_runs=(),
                       drift_runs=(), audit_events=())


def _text(path: Path) -> tuple[str, "pypdf.PdfReader"]:
    reader = pypdf.PdfReader(str(path))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return text, reader


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".part"]


def test_audit_pdf_content_is_extractable(tmp_path: Path) -> None:
    calls: list[tuple[float, str]] = []
    out = build_audit_pdf(make_detail(), tmp_path / "audit.pdf", workspace_label="/srv/tollgate/team.sqlite",
                          generated_at=GENERATED, progress=lambda f, m: calls.append((f, m)))
    assert out == (tmp_path / "audit.pdf").absolute()
    assert out.read_bytes()[:5] == b"%PDF-"
    assert _leftovers(tmp_path) == []

    text, reader = _text(out)
    flat = _flat(text)
    nows = re.sub(r"\s+", "", text)
    assert MODEL_NAME in flat
    assert OWNER in flat
    for title in ("Model audit report", "Model card", "Versions and lineage", "Hyperparameters", "Validation",
                  "Drift monitoring", "Audit trail", "PSI over time", "Latest window: 2025-03"):
        assert title in flat, title
    assert ART_V2 in nows and DATA_V2 in nows and VAL_DATA in nows
    assert "Page 1 of" in flat
    n = len(reader.pages)
    assert f"Page {n} of {n}" in flat
    assert "2025-03-31 16:45:10 UTC" in flat
    # statuses are words, not just colours
    assert "PASS" in flat and "FAIL" in flat and "DRIFT" in flat and "WARNING" in flat
    # metadata
    meta = reader.metadata
    assert meta.title == f"Model audit report: {MODEL_NAME}"
    assert "Tollgate" in (meta.author or "")
    assert MODEL_NAME in (meta.subject or "")
    # fonts: only embedded DejaVu subsets
    fonts = set()
    for page in reader.pages:
        res = page.get("/Resources") or {}
        for f in (res.get("/Font") or {}).values():
            f = f.get_object()
            fonts.add(str(f.get("/BaseFont")))
            desc = f.get("/FontDescriptor")
            if desc is None and f.get("/DescendantFonts"):
                desc = f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            assert desc is not None and any(k in desc.get_object() for k in ("/FontFile2", "/FontFile3")), f
    assert fonts and all("DejaVu" in f for f in fonts), fonts
    # progress is monotone and ends at 1
    fracs = [f for f, _ in calls]
    assert fracs == sorted(fracs) and fracs[-1] == 1.0


def test_drift_table_sorted_by_psi_and_none_handled(tmp_path: Path) -> None:
    out = build_audit_pdf(make_detail(), tmp_path / "a.pdf", workspace_label="ws", generated_at=GENERATED)
    flat = _flat(_text(out)[0])
    latest = flat[flat.rindex("Latest window: 2025-03"):]  # the last one: the first is in the contents
    order = [latest.index(n) for n in ("duration", "contact", "age", "balance", "job")]
    assert order == sorted(order)
    assert "0.3120" in latest and "0.2760" in latest


def test_empty_sections_render(tmp_path: Path) -> None:
    out = build_audit_pdf(_empty_detail(), tmp_path / "empty.pdf", workspace_label="ws")
    flat = _flat(_text(out)[0])
    for msg in ("No version registered yet.", "No validation run recorded yet.", "No drift run recorded yet.",
                "No audit event recorded for this model."):
        assert msg in flat
    assert "Page 1 of" in flat


def test_cancel_leaves_no_file(tmp_path: Path) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        build_audit_pdf(make_detail(), tmp_path / "c.pdf", workspace_label="ws", cancel=token)
    assert list(tmp_path.iterdir()) == []


def test_cancel_during_layout_keeps_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "c.pdf"
    target.write_bytes(b"previous report")
    token = CancelToken()

    def progress(fraction: float, message: str) -> None:
        if message.startswith("Laid out page"):
            token.cancel()

    with pytest.raises(Cancelled):
        build_audit_pdf(make_detail(), target, workspace_label="ws", cancel=token, progress=progress)
    assert target.read_bytes() == b"previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.pdf"]


def test_missing_folder_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        build_audit_pdf(make_detail(), tmp_path / "nope" / "a.pdf", workspace_label="ws")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_pages_render_not_blank(tmp_path: Path) -> None:
    out = build_audit_pdf(make_detail(), tmp_path / "r.pdf", workspace_label="ws", generated_at=GENERATED)
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "3", "-png", str(out), str(tmp_path / "pg")],
                   check=True, capture_output=True, timeout=60)
    pngs = sorted(tmp_path.glob("pg-*.png"))
    assert len(pngs) == 3
    try:
        from PIL import Image, ImageStat
    except ImportError:  # pragma: no cover - Pillow is a reportlab dependency
        assert all(p.stat().st_size > 2000 for p in pngs)
        return
    for p in pngs:
        with Image.open(p) as im:
            stat = ImageStat.Stat(im.convert("L"))
            assert stat.stddev[0] > 8, p.name  # a blank page has stddev ~0


def test_register_fonts_is_thread_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from reportlab.pdfbase import pdfmetrics

    from console.reports import fonts

    monkeypatch.setattr(fonts, "_registered", False)
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def run() -> None:
        try:
            barrier.wait()
            fonts.register_fonts()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for name in (fonts.FONT_REGULAR, fonts.FONT_BOLD, fonts.FONT_MONO):
        assert pdfmetrics.getFont(name).face.name  # registered


def test_charts_handle_gaps_and_edge_cases() -> None:
    from console.reports.charts import distribution_bar_chart, psi_over_time_chart, psi_series, top_features_by_latest_psi

    run = make_detail().drift_runs[0]
    labels, series = psi_series(run)
    assert labels == ["2025-01", "2025-02", "2025-03"]
    assert series["balance"][0] is None and series["contact"][1] is None
    assert top_features_by_latest_psi(run, 3) == ["duration", "contact", "age"]
    # single window, all-None series, no windows: drawn, never raise
    psi_over_time_chart(["2025-01"], {"a": [0.05], "b": [None]})
    psi_over_time_chart(["w1", "w2"], {"a": [None, None]})
    psi_over_time_chart([], {})
    with pytest.raises(ValueError):
        psi_over_time_chart(["w1", "w2"], {"a": [0.1]})
    k = 40
    distribution_bar_chart({"bins": [f"c{i}" for i in range(k)], "reference": [1 / k] * k, "current": [1 / k] * k})
    with pytest.raises(ValueError):
        distribution_bar_chart({"bins": ["a", "b"], "reference": [1.0], "current": [0.5, 0.5]})


def _with_checks(checks) -> ModelDetail:
    d = make_detail()
    run = d.validation_runs[0]
    from dataclasses import replace

    return replace(d, validation_runs=(replace(run, checks=tuple(checks)),) + d.validation_runs[1:])


def test_evidence_convention_long_table_charts_and_bad_input(tmp_path: Path) -> None:
    """A check's evidence table longer than a page is printed completely, with its header
    on every page; every chart kind draws; malformed evidence never aborts the report."""
    from console.domain.models import CheckStatus

    rows = [[f"group-{i:03d}", i, i / 300, i % 2 == 0, None] for i in range(300)]
    evidence = CheckResult(
        id="fairness.group_metrics", family="fairness", title="Groups are treated comparably",
        status=CheckStatus.WARN, blocking=False, description="Per-group selection rates.",
        source="fairlearn MetricFrame; four-fifths rule (29 CFR 1607.4(D))", params={"min_ratio": 0.8},
        values={
            "dp_ratio": 0.83, "worst_group": "група Ω 中文",
            "tables": [{"title": "Per-group metrics", "columns": ["group", "n", "rate", "flag", "note"],
                        "rows": rows},
                       {"title": "broken table", "columns": "not a list", "rows": 3}],
            "charts": [
                {"kind": "line", "title": "Reliability", "x_label": "predicted", "y_label": "observed",
                 "series": [{"name": "model", "points": [[i / 10, i / 10 + 0.01] for i in range(11)]}],
                 "reference_line": [[0, 0], [1, 1]]},
                {"kind": "bar", "title": "Importance", "x_label": "feature", "y_label": "drop",
                 "series": [{"name": "mean", "points": [["age", 0.1], ["θέση", 0.05], ["收入", -0.01]]}],
                 "reference_line": None},
                {"kind": "scatter", "title": "Residuals", "x_label": "x", "y_label": "y",
                 "series": [{"name": "r", "points": [[1, 2], [2, None], ["bad"], [3, 1.5]]}]},
                {"kind": "line", "title": "Empty", "series": []},
                "not a chart",
            ],
            "notes": ["Group 'Other' has 12 rows: flagged, not judged.", 42],
        })
    plain = CheckResult(id="data.schema", family="data", title="Schema", status=CheckStatus.PASS, blocking=True,
                        values={"n_columns": 16})
    out = build_audit_pdf(_with_checks([plain, evidence]), tmp_path / "e.pdf", workspace_label="ws",
                          generated_at=GENERATED)
    text, reader = _text(out)
    flat = _flat(text)
    for i in range(300):
        assert f"group-{i:03d}" in text, i
    pages_with_rows = [p.extract_text() for p in reader.pages if "group-0" in (p.extract_text() or "")
                       or "group-1" in (p.extract_text() or "") or "group-2" in (p.extract_text() or "")]
    assert len(pages_with_rows) >= 3
    assert all("group n rate flag note" in _flat(p) for p in pages_with_rows)  # header repeated
    for needle in ("Per-group metrics", "Reliability", "Importance", "Residuals", "No values to plot.",
                   "flagged, not judged", "група Ω 中文", "⚠ WARN", "four-fifths rule",
                   "min_ratio = 0.8"):
        assert needle in flat, needle
