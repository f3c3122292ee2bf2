"""The model audit report and the model validation report (one model, one PDF).

:func:`build_model_report` turns a :class:`~console.domain.models.ModelDetail` plus the
model's governance records (plain domain objects; no Qt, no SQL here) into an A4 PDF
laid out by :mod:`console.reports.document`:

cover (title, model, owner, tier, status, champion, latest validation and drift, the
audit chain head hash) · contents with page numbers · then, for ``kind="audit"``:
Model card (with the tier questionnaire: the tiering inputs) · Versions and lineage
(SHA-256 fingerprints, registry lineage) · Hyperparameters · Validation results ·
Check evidence (every check through the evidence convention,
:mod:`console.reports.evidence`) · Fairness · Drift monitoring (PSI-over-time chart,
latest-window table) · Findings · Roles and responsibilities (RACI with the people) ·
Approval requests and electronic signatures · Audit trail (with the chain
verification) · Appendix A Regulatory mapping (:mod:`console.reports.regulatory`).
``kind="validation"`` puts the validated version first: Model card · Validated version
and lineage · Validation results · Check evidence · Fairness · Validation history ·
Findings · Drift monitoring · RACI · Approvals · Audit trail · Appendix A.

Conventions: all times are UTC (naive datetimes are taken to be UTC already); statuses
are printed as words (PASS, FAIL, DRIFT, ...) with a glyph, colour only repeats them;
text uses the embedded DejaVu fonts with Droid Sans Fallback for CJK runs; every page
has a "Page N of M" footer; the PDF carries metadata, XMP, an outline and a JSON
evidence attachment.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Optional, Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from console.domain.models import (
    PSI_DRIFT,
    PSI_WARNING,
    AuditEvent,
    ChainVerification,
    CheckResult,
    DriftFeatureResult,
    DriftRun,
    DriftStatus,
    DriftWindow,
    ModelDetail,
    ModelVersion,
    ValidationRun,
    psi_status,
)
from console.jobs import CancelToken, ProgressFn, checkpoint, report
from console.reports import regulatory
from console.reports.charts import (
    distribution_bar_chart,
    latest_window,
    psi_over_time_chart,
    psi_series,
    top_features_by_latest_psi,
)
from console.reports.document import (
    CONTENT_W as _CONTENT_W,
    MUTED as _MUTED,
    NAVY as _NAVY,
    RISK_TIER_TEXT as _RISK_TIER_TEXT,
    BuilderBase,
    Expand,
    Heading as _Heading,
    PageTracker,
    PdfMeta,
    RenderResult,
    esc as _esc,
    num as _num,
    param as _param,
    render_pdf,
    toc_flowable,
    ts as _ts,
    utc as _utc,
    wrap_ident as _wrap_ident,
)
from console.reports.evidence import check_evidence, status_glyph
from console.reports.fonts import FONT_BOLD, FONT_MONO, FONT_REGULAR

__all__ = ["build_model_report", "model_facts", "GovernanceRecords", "REPORT_TITLE",
           "REPORT_TITLES", "TOP_DRIFT_FEATURES"]

REPORT_TITLE = "Model audit report"
REPORT_TITLES = {"audit": "Model audit report", "validation": "Model validation report"}
#: Number of features drawn in the PSI-over-time chart (highest PSI in the latest window).
TOP_DRIFT_FEATURES = 5
#: Number of reference-vs-current distribution charts (highest PSI first).
_DISTRIBUTION_CHARTS = 4


def _period_end(text: Optional[str]) -> str:
    """A window boundary as stored (ISO 8601 text): the date alone when it is midnight UTC
    (calendar windows), else as it is; "—" when absent."""
    if not text:
        return "—"
    for suffix in ("T00:00:00Z", "T00:00:00+00:00", " 00:00:00"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


_STATUS_ORDER = ["pass", "warn", "fail", "error", "skipped"]


def _status_counts(checks: Sequence[CheckResult]) -> str:
    counts: dict[str, int] = {}
    for c in checks:
        counts[c.status.value] = counts.get(c.status.value, 0) + 1
    order = sorted(counts, key=lambda k: _STATUS_ORDER.index(k) if k in _STATUS_ORDER else 99)
    return ", ".join(f"{counts[k]} {k}" for k in order)


def _pval(p: Any) -> str:
    if p is None or not isinstance(p, (int, float)) or not math.isfinite(p):
        return "—"
    if p < 1e-4:
        return "< 0.0001"
    return f"{p:.4f}"


def _pct(v: Any) -> str:
    if v is None or not isinstance(v, (int, float)) or not math.isfinite(v):
        return "—"
    return f"{v * 100:.1f}%"


def _psi(v: Any) -> str:
    if v is None or not isinstance(v, (int, float)) or not math.isfinite(v):
        return "—"
    return f"{v:.4f}"



@dataclass(frozen=True)
class GovernanceRecords:
    """The model's governance records: tier assessments (newest first), findings
    (newest first), approval requests with signatures (``console.domain.approvals``) and
    the effective RACI matrix with its people (``console.domain.governance.RaciEntry``)."""

    tier_assessments: Sequence[Any] = ()
    findings: Sequence[Any] = ()
    requests: Sequence[Any] = ()
    raci: Sequence[Any] = ()



class _Builder(BuilderBase):
    def __init__(self, detail: ModelDetail, *, kind: str = "audit", workspace_label: str, generated_at: datetime,
                 audit_head_hash: Optional[str], audit_chain: Optional[ChainVerification] = None,
                 governance: Optional["GovernanceRecords"] = None, version: Optional[int] = None,
                 tracker: Optional[PageTracker] = None) -> None:
        super().__init__()
        self.kind = kind
        self.title = REPORT_TITLES.get(kind, REPORT_TITLE)
        self.d = detail
        self.gov = governance
        self.m = detail.model
        self.workspace = workspace_label
        self.generated_at = generated_at
        self.audit_head_hash = audit_head_hash or (audit_chain.head_hash if audit_chain else None)
        self.audit_chain = audit_chain
        self.versions = sorted(detail.versions, key=lambda v: v.version, reverse=True)
        self.champion = self._champion()
        self.focus_version = version
        self.tracker = tracker
        self._n = 0

    # ---- helpers

    def _champion(self) -> Optional[ModelVersion]:
        by_number = {v.version: v for v in self.d.versions}
        cv = self.d.summary.champion_version if self.d.summary else None
        if cv is not None and str(cv).strip().isdigit() and int(cv) in by_number:
            return by_number[int(cv)]
        for a in self.d.aliases:
            if a.name == "champion" and a.version in by_number:
                return by_number[a.version]
        for v in self.d.versions:
            if "champion" in v.aliases:
                return v
        return None

    def _aliases_of(self, v: ModelVersion) -> list[str]:
        names = set(v.aliases)
        names.update(a.name for a in self.d.aliases if a.version == v.version)
        if self.champion is not None and v.version == self.champion.version:
            names.add("champion")
        return sorted(names, key=lambda n: (n != "champion", n))


    def h1(self, number: Any, title: str, key: str) -> Flowable:
        """A numbered section heading (numbers follow the order sections are built in)."""
        self._n += 1
        return super().h1(self._n, title, key)

    # ---- summaries used on the cover

    def _governed_run(self) -> Optional[ValidationRun]:
        """Latest validation run of the governed version (the champion, else the latest
        version) -- the run the inventory shows; else the latest run of any version."""
        runs = self.d.validation_runs
        governed = self.champion or (max(self.d.versions, key=lambda v: v.version) if self.d.versions else None)
        if governed is not None:
            for r in runs:
                if r.version == governed.version:
                    return r
        return runs[0] if runs else None

    def _validation_summary(self) -> tuple[str, str]:
        r = self._governed_run()
        if r is None:
            return "NONE", "no validation run recorded"
        return ("PASSED" if r.passed else "FAILED"), f"run #{r.id} on version {r.version}, {_ts(r.finished_at, suffix=True)}"

    def _drift_summary(self) -> tuple[str, str]:
        if not self.d.drift_runs:
            return "NONE", "no drift run recorded"
        run = self.d.drift_runs[0]
        w = latest_window(run)
        if w is None:
            return "NONE", f"drift run #{run.id} has no windows"
        word = w.status.value if w.status else "not tested"
        return word, f"latest window {w.label}: {w.n_drifted} of {w.n_tested} tested features drifted (run #{run.id})"

    # ---- sections

    def cover(self) -> list[Flowable]:
        s, m = self.s, self.m
        out: list[Flowable] = [
            Spacer(1, 6 * mm),
            Paragraph(_esc(f"Model inventory record #{m.id} · risk tier {m.risk_tier} · "
                           f"{(m.status.value if hasattr(m.status, 'value') else str(m.status))}".upper()),
                      s.cover_kicker),
            Spacer(1, 2 * mm),
            _Heading(self.title, s.cover_title, "cover", 0),
            Paragraph(_esc(m.name), s.cover_model),
        ]
        if m.description:
            first = m.description.strip().split("\n")[0]
            out.append(Paragraph(_esc(first if len(first) <= 300 else first[:297] + "…"), s.muted))
        out.append(Spacer(1, 8 * mm))

        champion = f"Version {self.champion.version}" if self.champion else "None designated"
        if self.champion is None and self.versions:
            champion += f" (latest is version {self.versions[0].version})"
        v_word, v_rest = self._validation_summary()
        d_word, d_rest = self._drift_summary()
        v_cell, v_tone = self.status_value(v_word, v_rest) if v_word != "NONE" else (
            self.pm(f"<i>{_esc(v_rest.capitalize())}.</i>", s.cell_muted), None)
        d_cell, d_tone = self.status_value(d_word, d_rest) if d_word != "NONE" else (
            self.pm(f"<i>{_esc(d_rest.capitalize())}.</i>", s.cell_muted), None)
        status_word = m.status.value if hasattr(m.status, "value") else str(m.status)
        rows: list[tuple[str, Any]] = [
            ("Model", self.p(m.name, s.kv)),
            ("Owner", m.owner),
            ("Risk tier", _RISK_TIER_TEXT.get(m.risk_tier, f"Tier {m.risk_tier}")),
            ("Lifecycle status", self.pm(f'<font name="{FONT_BOLD}">{_esc(status_word.upper())}</font>', s.kv)),
            ("Champion version", champion),
            ("Versions registered", str(len(self.d.versions))),
            ("Latest validation", v_cell),
            ("Drift (latest run)", d_cell),
            ("Source registry", m.source),
            ("Workspace", self.workspace),
            ("Generated at", _ts(self.generated_at, suffix=True)),
        ]
        if self.kind == "validation":
            r = self._focus_run()
            rows.insert(5, ("Validated version", f"Version {r.version} (run #{r.id})" if r else
                            (f"Version {self.focus_version}: not validated yet" if self.focus_version else "—")))
        rows.append(("Audit chain head", self.p(self.audit_head_hash, s.kv_mono) if self.audit_head_hash
                     else "not computed"))
        vt = 7 if self.kind == "validation" else 6
        out.append(self.kv_table(rows, tones=[(vt, v_tone), (vt + 1, d_tone)]))
        out.append(Spacer(1, 8 * mm))
        out.append(Paragraph(
            "Generated by Tollgate from the workspace records at the time shown above. All times are UTC. "
            "Statuses are printed as words with a glyph (✓ PASS, ⚠ WARN, ✗ FAIL); colour only repeats them. "
            "Drift thresholds: PSI &lt; 0.10 stable, 0.10 ≤ PSI &lt; 0.25 warning, PSI ≥ 0.25 drift "
            "(Siddiqi, <i>Credit Risk Scorecards</i>, 2006). The facts in this report are attached to the PDF "
            "as machine-readable JSON (tollgate-evidence.json). Verify the audit trail later with "
            f'<font name="{FONT_MONO}">tollgate audit verify --expect-head HASH</font> and the head hash above.',
            s.note))
        out.append(NextPageTemplate("body"))
        out.append(PageBreak())
        out.append(Paragraph("Contents", s.h1))
        out.append(toc_flowable(s))
        out.append(PageBreak())
        return out

    def model_card(self) -> list[Flowable]:
        m = self.m
        task = m.task.value if hasattr(m.task, "value") else str(m.task)
        rows = [
            ("Model name", self.p(m.name, self.s.kv)),
            ("Description", m.description),
            ("Business unit", m.business_unit),
            ("Use case", m.use_case),
            ("Intended use", m.intended_use),
            ("Restrictions on use", m.restrictions),
            ("Task type", task),
            ("Source registry", m.source),
            ("Owner", m.owner),
            ("Risk tier", _RISK_TIER_TEXT.get(m.risk_tier, f"Tier {m.risk_tier}")),
            ("Registered", _ts(m.created_at, suffix=True) if m.created_at else None),
            ("Last updated", _ts(m.updated_at, suffix=True) if m.updated_at else None),
        ]
        out: list[Flowable] = [self.h1(1, "Model card", "sec-card"), self.kv_table(rows)]
        out.extend(self.tier_block())
        return out

    def tier_block(self) -> list[Flowable]:
        """The tiering inputs: the latest signed tier questionnaire."""
        s, g = self.s, self.gov
        out: list[Flowable] = [self.h2("Risk tier assessment (tiering inputs)", "sec-tier")]
        assessments = list(g.tier_assessments) if g is not None else []
        if not assessments:
            out.append(self.empty(f"No tier questionnaire recorded; tier {self.m.risk_tier} was set at registration."))
            return out
        a = assessments[0]
        final = f"Tier {a.final_tier}" + (f" (computed {a.computed_tier}; override: {a.override_reason})"
                                          if a.final_tier != a.computed_tier else " (as computed)")
        out.append(self.kv_table([
            ("Final tier", self.p(final, s.kv)),
            ("Answers", self.pm("<br/>".join(f"{_esc(k)} = <b>{_esc(_param(v))}</b>" for k, v in a.answers.items())
                                or "—", s.kv)),
            ("Rule set", self.p(f"version {a.rule_version}", s.kv)),
            ("Signed by", self.p(f"{a.printed_name} ({a.assessed_by}), {_ts(a.assessed_at, suffix=True)}", s.kv)),
            ("Signature SHA-256", self.p(a.signature_sha256 or "—", s.kv_mono)),
        ]))
        if len(assessments) > 1:
            out.append(Paragraph(_esc(f"{len(assessments) - 1} earlier assessment(s) are in the JSON attachment."),
                                 s.note))
        return out

    def versions_section(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = self.section(2, "Versions and lineage", "sec-versions")
        if not self.versions:
            out.append(self.empty("No version registered yet."))
            return out
        rows = []
        for v in self.versions:
            fw = _wrap_ident(v.framework or "—", FONT_REGULAR, s.cell.fontSize, 110)
            if v.estimator_class:
                fw += "<br/>" + _wrap_ident(v.estimator_class, FONT_REGULAR, s.cell.fontSize, 110)
            n_feat = len(v.training_schema or {})
            fw += f'<br/><font color="{_MUTED.hexval()}">target {_esc(v.target_column or "—")} · {n_feat} features</font>'
            metrics = sorted((v.metrics or {}).items())
            shown = metrics[:8]
            mt = "<br/>".join(f"{_esc(k)} <b>{_esc(_num(val))}</b>" for k, val in shown) or "—"
            if len(metrics) > len(shown):
                mt += f"<br/>+{len(metrics) - len(shown)} more"
            aliases = self._aliases_of(v)
            alias_txt = ", ".join(f"<b>{_esc(a)}</b>" if a == "champion" else _esc(a) for a in aliases) or "—"
            rows.append([
                self.pm(f"<b>{v.version}</b>", s.cell),
                self.pm(f"{_esc(_ts(v.created_at))}<br/>by {_esc(v.created_by)}"),
                self.pm(fw),
                self.pm(alias_txt),
                self.pm(mt),
                self.p(v.description or "—", s.cell if v.description else s.cell_muted),
            ])
        out.append(self.table(
            ["Version", "Created (UTC) / by", "Framework / estimator", "Aliases", "Key metrics", "Notes"],
            rows, [40, 82, 118, 52, 112, 89]))
        out.append(Paragraph("Newest version first. Metrics are those recorded with the version at registration.",
                             s.note))

        out.append(self.h2("Lineage fingerprints (SHA-256)", "sec-lineage"))
        lrows = []
        for v in self.versions:
            items = [
                ("Model artifact (skops)", v.artifact_sha256),
                ("Training data", v.data_sha256),
                ("Holdout set", v.holdout_sha256),
                ("Drift reference data", v.reference_sha256),
            ]
            for i, (label, h) in enumerate(items):
                lrows.append([
                    self.pm(f"<b>{v.version}</b>" if i == 0 else "", s.cell),
                    self.p(label),
                    self.p(h, s.cell_mono) if h else self.pm("<i>not recorded</i>", s.cell_muted),
                ])
        t = self.table(["Version", "Content", "SHA-256"], lrows, [40, 112, _CONTENT_W - 152])
        out.append(t)
        out.append(Paragraph(
            "Content-addressed: each item is stored in the workspace under this hash, so the exact artifact "
            "and data can be retrieved and re-verified.", s.note))
        out.extend(self.registry_lineage())
        return out

    def registry_lineage(self) -> list[Flowable]:
        """Pulled models: each version's run lineage as the registry had it, the
        server's aliases (BROKEN when their version was deleted on the server)."""
        s = self.s
        pulled = [v for v in self.versions if getattr(v, "external_version", None) is not None]
        ralias = tuple(getattr(self.d, "registry_aliases", ()) or ())
        if not pulled and not ralias:
            return []
        out: list[Flowable] = [self.h2(f"Registry lineage ({self.m.source})", "sec-registry")]
        rows = []
        for v in pulled:
            lin = v.lineage or {}
            run = lin.get("run") or {}
            where = [f"run {_esc(v.run_id or '—')}"]
            if run.get("run_name"):
                where.append(_esc(run["run_name"]))
            if v.source_uri:
                where.append(f"model {_esc(v.source_uri)}")
            if run.get("artifact_uri"):
                where.append(f"artifacts {_esc(run['artifact_uri'])}")
            ds = []
            for d in lin.get("datasets") or []:
                src = d.get("source")
                uri = src.get("uri") if isinstance(src, dict) else src
                rows_n = (d.get("profile") or {}).get("num_rows") if isinstance(d.get("profile"), dict) else None
                ds.append(f"{_esc(d.get('context') or 'input')}: <b>{_esc(d.get('name') or '—')}</b>"
                          + (f" ({rows_n} rows)" if rows_n is not None else "")
                          + (f"<br/>{_esc(uri)}" if uri else "") + f"<br/>digest {_esc(d.get('digest') or '—')}")
            state = []
            if v.deleted_on_server_at:
                state.append(f"<b>DELETED ON SERVER</b> {_esc(_ts(v.deleted_on_server_at))}")
            if v.changed_on_server_at:
                state.append(f"changed on server {_esc(_ts(v.changed_on_server_at))}")
            if v.synced_at:
                state.append(f"pulled {_esc(_ts(v.synced_at))}")
            rows.append([
                self.pm(f"<b>{v.version}</b>", s.cell),
                self.pm("<br/>".join(where)),
                self.pm("<br/>".join(ds) or "<i>no dataset logged</i>"),
                self.pm("<br/>".join(state) or "—"),
            ])
        if rows:
            out.append(self.table(["Version", "Run / model URI", "Datasets logged", "On the server"], rows,
                                  [40, 170, 170, _CONTENT_W - 380]))
        if ralias:
            arows = []
            for a in ralias:
                if a.broken:
                    state = (f"<b>BROKEN</b>: points at version {_esc(a.external_version)}, which was deleted on "
                             "the server; nothing may rely on it")
                else:
                    state = f"version {_esc(a.external_version)}"
                if a.conflict:
                    state += f"<br/>differs from Tollgate: {_esc(a.conflict)}"
                arows.append([self.p(a.name), self.pm(state)])
            out.append(self.table(["Server alias", "Points at"], arows, [100, _CONTENT_W - 100]))
        out.append(Paragraph(
            "Mirrored read-only from the registry at the last sync. The model artifact itself was not imported: "
            "its fingerprint above reads 'not recorded'.", s.note))
        return out

    def hyperparameters(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = self.section(3, "Hyperparameters", "sec-hyper")
        v = self.champion or (self.versions[0] if self.versions else None)
        if v is None:
            out.append(self.empty("No version registered yet."))
            return out
        which = "champion" if v is self.champion else "latest version; no champion designated"
        est = f", {v.estimator_class}" if v.estimator_class else ""
        out.append(Paragraph(_esc(f"Version {v.version} ({which}{est})."), s.muted))
        out.append(Spacer(1, 3))
        items = sorted((v.hyperparameters or {}).items())
        if not items:
            out.append(self.empty(f"No hyperparameters recorded for version {v.version}."))
            return out
        w = _CONTENT_W / 2
        half = math.ceil(len(items) / 2)
        left, right = items[:half], items[half:]
        rows = []
        for i in range(half):
            k, val = left[i]
            row: list[Any] = [self.ident(k, w * 0.42, s.label, bold=True),
                              self.ident(_param(val), w * 0.58, s.cell_mono)]
            if i < len(right):
                k, val = right[i]
                row += [self.ident(k, w * 0.42, s.label, bold=True),
                        self.ident(_param(val), w * 0.58, s.cell_mono)]
            else:
                row += ["", ""]
            rows.append(row)
        out.append(self.table(["Parameter", "Value", "Parameter", "Value"], rows, [w * 0.42, w * 0.58, w * 0.42, w * 0.58]))
        return out

    def _check_values(self, c: CheckResult) -> str:
        items = list((c.values or {}).items())
        shown = items[:6]
        parts = [f"{_esc(k)} = <b>{_esc(_num(v))}</b>" for k, v in shown]
        if len(items) > len(shown):
            parts.append(f"+{len(items) - len(shown)} more")
        return "<br/>".join(parts) or "—"

    def _focus_run(self) -> Optional[ValidationRun]:
        """The run this report is about: the latest run of ``version`` when given, else of
        the governed version (champion, else latest), else the latest run."""
        if self.focus_version is not None:
            return next((r for r in self.d.validation_runs if r.version == self.focus_version), None)
        return self._governed_run()

    def validation(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = self.section(4, "Validation results", "sec-validation")
        r = self._focus_run()
        if r is None:
            which = f" of version {self.focus_version}" if self.focus_version is not None else ""
            out.append(self.empty(f"No validation run recorded yet{which}."))
            return out
        count_txt = _status_counts(r.checks)
        result, tone = self.status_value(
            "PASSED" if r.passed else "FAILED",
            "no blocking check failed or errored" if r.passed else "at least one blocking check failed or errored",
            "✓" if r.passed else "✗")
        ver = f"Version {r.version}" + (" (champion)" if self.champion and self.champion.version == r.version else "")
        out.append(self.h2(f"Latest validation run of version {r.version} (#{r.id})", "sec-validation-latest"))
        rows: list[tuple[str, Any]] = [
            ("Result", result),
            ("Model version", ver),
            ("Data", r.data_label),
            ("Data SHA-256", self.p(r.data_sha256, s.kv_mono) if r.data_sha256 else None),
            ("Rows", _num(r.n_rows)),
            ("Run by", r.run_by),
            ("Started / finished", f"{_ts(r.started_at)} → {_ts(r.finished_at)} UTC"),
            ("Checks", f"{len(r.checks)} checks: {count_txt}" if r.checks else "no checks recorded"),
        ]
        fp = dict(getattr(r, "fingerprints", None) or {})
        labels = {"artifact_sha256": "Model artifact SHA-256", "data_sha256": "Data fingerprint",
                  "data_blob_sha256": "Data file SHA-256", "training_sha256": "Training data SHA-256",
                  "source_sha256": "Source SHA-256"}
        for k, label in labels.items():
            if k in fp:
                rows.append((label, self.p(fp.pop(k) or "not recorded", s.kv_mono)))
        if fp.get("target"):
            rows.append(("Target column", str(fp.pop("target"))))
        packages = fp.pop("packages", None)
        if isinstance(packages, dict) and packages:
            rows.append(("Package versions", ", ".join(f"{k} {v}" for k, v in sorted(packages.items()))))
        plan = fp.pop("plan", None)
        fp.pop("params", None)  # printed with each check
        if getattr(r, "rerun_of", None):
            rows.append(("Re-run of", f"run #{r.rerun_of}"))
        for k, v in fp.items():
            rows.append((str(k), self.p(_param(v), s.kv)))
        out.append(self.kv_table(rows, tones=[(0, tone)]))
        if isinstance(plan, dict) and isinstance(plan.get("blocking"), dict):
            out.append(self.h2(f"Validation plan (tier {plan.get('tier', self.m.risk_tier)})", "sec-validation-plan"))
            prow = [[self.ident(cid, 220, s.cell_mono), self.pm("<b>blocking</b>" if b else "informative")]
                    for cid, b in plan["blocking"].items()]
            out.append(self.table(["Check", "In this plan"], prow, [220, _CONTENT_W - 220]))
            out.append(Paragraph("The plan of the model's risk tier as stored in the workspace when the run started; "
                                 "each check's parameters are printed with its evidence.", s.note))
        out.append(Spacer(1, 6))
        if not r.checks:
            out.append(self.empty("This run recorded no checks."))
        else:
            trows, tones = [], []
            widths = [92, 60, 150, 62, 44, 101]
            for i, c in enumerate(r.checks):
                cell, tone = self.status_cell(c.status.value, status_glyph(c.status.value))
                tones.append((3, i, tone))
                trows.append([
                    self.ident(c.id, widths[0], s.cell_mono),
                    self.p(c.family),
                    self.p(c.title),
                    cell,
                    self.pm("<b>yes</b>" if c.blocking else "no"),
                    self.p(c.reason or "—", s.cell if c.reason else s.cell_muted),
                ])
            out.append(self.table(["Check ID", "Family", "Check", "Status", "Blocking", "Reason"],
                                  trows, widths, tones=tones))
            out.append(Paragraph("A run passes when no blocking check has status FAIL or ERROR. Each check's "
                                 "measured values, tables and charts follow in the check evidence section.", s.note))
        if self.kind == "audit":
            out.extend(self._other_runs(r))
        return out

    def _other_runs(self, r: Optional[ValidationRun]) -> list[Flowable]:
        others = [x for x in self.d.validation_runs if r is None or x.id != r.id]
        if not others:
            return []
        out: list[Flowable] = [self.h2("Other validation runs (newest first)", "sec-validation-earlier")]
        rows, tones = [], []
        for i, er in enumerate(others):
            cell, tone = self.status_cell("PASSED" if er.passed else "FAILED")
            tones.append((5, i, tone))
            rows.append([f"#{er.id}", str(er.version), _ts(er.finished_at), er.run_by, er.data_label, cell,
                         _status_counts(er.checks) or "—"])
        out.append(self.table(["Run", "Version", "Finished (UTC)", "Run by", "Data", "Result", "Checks"],
                              rows, [34, 40, 78, 80, 115, 50, 96], tones=tones))
        return out

    def validation_history(self) -> list[Flowable]:
        """Validation report: every run of the model and the primary values per version."""
        out: list[Flowable] = self.section(0, "Validation history", "sec-val-history")
        r = self._focus_run()
        if len(self.d.validation_runs) <= (1 if r else 0):
            out.append(self.empty("No other validation run recorded for this model."))
            return out
        out.extend(self._other_runs(r))
        return out

    def evidence(self) -> list[Flowable]:
        """Every check of the focus run except fairness, through the evidence convention."""
        out: list[Flowable] = self.section(0, "Check evidence", "sec-evidence")
        r = self._focus_run()
        if r is None or not r.checks:
            out.append(self.empty("No check results to show."))
            return out
        out.append(Paragraph(_esc(
            f"Run #{r.id} of version {r.version}: each check with its family, status, whether it blocks, the "
            "parameters it ran with, its measured values, evidence tables and charts, notes, and the source of "
            "its method or threshold. Fairness checks follow in their own section."), self.s.muted))
        n = 0
        for idx, c in enumerate(r.checks):
            if c.family == "fairness":
                continue
            n += 1
            out.extend(check_evidence(self, c, f"chk-{idx}", number=f"{self._n}.{n}"))
        if n == 0:
            out.append(self.empty("All checks of this run are fairness checks; see the fairness section."))
        return out

    def fairness(self) -> list[Flowable]:
        """The fairness checks of the focus run with their per-group tables."""
        out: list[Flowable] = self.section(0, "Fairness", "sec-fairness")
        r = self._focus_run()
        checks = [(i, c) for i, c in enumerate(r.checks) if c.family == "fairness"] if r else []
        if not checks:
            out.append(self.empty("No fairness check in this validation run (no protected attribute declared, "
                                  "or the plan does not include the fairness family)."))
            return out
        out.append(Paragraph(
            "Per-group metrics and selection rates (fairlearn MetricFrame); demographic-parity difference and "
            "ratio (four-fifths rule: ratio below 0.8 flags adverse impact, US EEOC Uniform Guidelines, 29 CFR "
            "1607.4(D)); equalized-odds difference. Small groups are flagged rather than judged.", self.s.muted))
        for k, (idx, c) in enumerate(checks, start=1):
            out.extend(check_evidence(self, c, f"chk-{idx}", number=f"{self._n}.{k}"))
        return out

    def _feature_stats(self, f: DriftFeatureResult) -> str:
        r = f.result or {}
        if not f.tested:
            return _esc(r.get("reason") or "not tested")
        parts = []
        if r.get("ks_statistic") is not None:
            parts.append(f"KS D <b>{_esc(_num(r.get('ks_statistic')))}</b>, p {_esc(_pval(r.get('ks_pvalue')))}")
            if r.get("wasserstein_normed") is not None:
                parts.append(f"Wasserstein (normed) {_esc(_num(r.get('wasserstein_normed')))}")
        if r.get("chi2_statistic") is not None:
            parts.append(f"χ² <b>{_esc(_num(r.get('chi2_statistic')))}</b>, p {_esc(_pval(r.get('chi2_pvalue')))}")
        if r.get("js_distance") is not None:
            parts.append(f"JS distance <b>{_esc(_num(r.get('js_distance')))}</b>")
        new = r.get("new_categories")
        if new:
            parts.append(f"new categories: {_esc(', '.join(map(str, list(new)[:5])))}")
        if r.get("approximate"):
            parts.append("<i>approximate</i>")
        return "<br/>".join(parts) or "—"

    def drift(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = self.section(5, "Drift monitoring", "sec-drift")
        if not self.d.drift_runs:
            out.append(self.empty("No drift run recorded yet."))
            return out
        run: DriftRun = self.d.drift_runs[0]
        windows = sorted(run.windows, key=lambda w: w.index)
        span = f"{windows[0].label} … {windows[-1].label}" if len(windows) > 1 else (windows[0].label if windows else "—")
        out.append(self.h2(f"Latest drift run (#{run.id})", "sec-drift-run"))
        out.append(self.kv_table([
            ("Run", run.label or f"#{run.id}"),
            ("Model version", f"Version {run.version}"),
            ("Created", f"{_ts(run.created_at, suffix=True)} by {run.created_by}"),
            ("Reference data SHA-256", self.p(run.reference_sha256, s.kv_mono) if run.reference_sha256 else None),
            ("Windows", f"{len(windows)} ({span})"),
        ]))
        if not windows:
            out.append(self.empty("This drift run has no windows."))
            return out

        rows, tones = [], []
        for i, w in enumerate(windows):
            period = f"{_period_end(w.start)} → {_period_end(w.end)}" if (w.start or w.end) else "—"
            word = w.status.value if w.status else "not tested"
            cell, tone = self.status_cell(word)
            dcell, dtone = self.status_cell("yes" if w.dataset_drift else "no")
            tones += [(6, i, tone), (5, i, dtone if w.dataset_drift else None)]
            rows.append([w.label, period, _num(w.n_rows), str(w.n_tested), str(w.n_drifted), dcell, cell])
        out.append(self.h2("Windows", "sec-drift-windows"))
        out.append(self.table(["Window", "Period", "Rows", "Tested", "Drifted", "Dataset drift", "Status"],
                              rows, [78, 150, 55, 42, 42, 56, 70], right=(2, 3, 4), tones=tones))
        out.append(Paragraph(
            "Status is the worst feature status in the window (target excluded). Dataset drift: at least half "
            "of the tested features drifted (PSI ≥ 0.25). A period includes its start and excludes its end "
            "(UTC).", s.note))

        last = windows[-1]
        if len(windows) < 2:
            out.append(Paragraph(_esc(
                f"This drift run has a single window ({last.label}), so there is no trend over time to chart; "
                "the table below gives its per-feature results."), s.note))
            return out + self._drift_latest(run, last)
        labels, series = psi_series(run)
        top = top_features_by_latest_psi(run, TOP_DRIFT_FEATURES)
        chart = psi_over_time_chart(labels, {n: series[n] for n in top}, width=_CONTENT_W, height=215)
        out.append(CondPageBreak(290))
        out.append(KeepTogether([
            self.h2("PSI over time", "sec-drift-chart"),
            chart,
            Paragraph(_esc(
                f"The {len(top)} features with the highest PSI in the latest window ({last.label}), over all "
                f"{len(windows)} windows. Dashed lines: warning at PSI {PSI_WARNING:.2f}, drift at PSI {PSI_DRIFT:.2f}; "
                "shaded bands mark the warning and drift zones. A gap means PSI was not computed for that window "
                "(feature not tested)."), s.note),
        ]))

        return out + self._drift_latest(run, last)


    def _drift_latest(self, run: DriftRun, last: DriftWindow) -> list[Flowable]:
        """The latest window's feature table and distribution charts."""
        s = self.s
        lw: DriftWindow = latest_window(run)
        out: list[Flowable] = []
        feats = sorted(
            lw.features,
            key=lambda f: (f.is_target, 0 if (f.tested and _psi(f.psi) != "—") else 1, -(f.psi or 0.0) if f.psi is not None and math.isfinite(f.psi) else 0.0),
        )
        rows, tones = [], []
        for i, f in enumerate(feats):
            st = f.status or (psi_status(f.psi) if f.tested else None)
            word = st.value if isinstance(st, DriftStatus) else (str(st) if st else "not tested")
            cell, tone = self.status_cell(word)
            tones.append((3, i, tone))
            r = f.result or {}
            name = _wrap_ident(f.name, FONT_REGULAR, s.cell.fontSize, 90) + (
                ' <font color="#616E7C">(target)</font>' if f.is_target else "")
            rows.append([
                self.pm(name),
                f.kind,
                _psi(f.psi),
                cell,
                self.pm(self._feature_stats(f)),
                f"{_pct(r.get('missing_share_reference'))} / {_pct(r.get('missing_share_current'))}",
            ])
        out.append(self.h2(f"Latest window: {lw.label}", "sec-drift-latest"))
        if rows:
            out.append(self.table(["Feature", "Kind", "PSI", "Status", "Test statistics", "Missing ref / cur"],
                                  rows, [98, 56, 44, 58, 165, 72], right=(2, 5), tones=tones))
            out.append(Paragraph(
                f"{lw.n_rows:,} rows; {lw.n_tested} features tested, {lw.n_drifted} drifted. Sorted by PSI, "
                "highest first; the target column (if monitored) is listed last and not counted in dataset drift. "
                "KS: two-sample Kolmogorov–Smirnov; χ²: chi-square test of the category counts; JS: Jensen–Shannon "
                "distance (base 2).", s.note))
        else:
            out.append(self.empty("The latest window has no feature results."))

        with_dist = [f for f in feats if f.distribution and f.tested][:_DISTRIBUTION_CHARTS]
        if with_dist:
            cw = (_CONTENT_W - 12) / 2
            drawings = []
            for f in with_dist:
                st = f.status or psi_status(f.psi)
                title = f"{f.name} — PSI {_psi(f.psi)}" + (f" ({st.value.upper()})" if st else "")
                try:
                    drawings.append(distribution_bar_chart(f.distribution, title=title, width=cw, height=160))
                except ValueError:
                    continue
            if drawings:
                # one small table per row of two charts, so rows can go to separate pages
                # and the heading stays with the first row
                row_tables = []
                for i in range(0, len(drawings), 2):
                    pair = drawings[i:i + 2]
                    gt = Table([pair + [""] * (2 - len(pair))], colWidths=[cw + 6, cw + 6], hAlign="LEFT")
                    gt.setStyle(TableStyle([
                        ("FONT", (0, 0), (-1, -1), FONT_REGULAR, 7.4),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]))
                    row_tables.append(gt)
                out.append(KeepTogether([
                    self.h2(f"Distributions in the latest window ({lw.label})", "sec-drift-dist"),
                    Paragraph("Share of non-missing values per bin: reference data (light) vs the latest window "
                              "(dark). Numeric features use the reference deciles as bin edges.", s.muted),
                    Spacer(1, 4),
                    row_tables[0],
                ]))
                out.extend(row_tables[1:])
        return out

    def _change(self, e: AuditEvent) -> str:
        old, new = e.old, e.new

        def v(x: Any) -> str:
            return _esc(_num(x) if not isinstance(x, str) else (x if len(x) <= 90 else x[:87] + "…"))

        if old is None and new is None:
            return "—"
        if old is None:
            items = list(new.items())
            txt = "<br/>".join(f"{_esc(k)}: <b>{v(val)}</b>" for k, val in items[:6])
            return "<i>created</i>" + ("<br/>" + txt if txt else "") + (f"<br/>+{len(items) - 6} more" if len(items) > 6 else "")
        if new is None:
            items = list(old.items())
            txt = "<br/>".join(f"{_esc(k)}: {v(val)}" for k, val in items[:6])
            return "<i>removed</i>" + ("<br/>" + txt if txt else "")
        keys = list(dict.fromkeys(list(old) + list(new)))
        changed = [k for k in keys if old.get(k) != new.get(k)]
        if not changed:
            return "<i>no field changed</i>"
        lines = [f"{_esc(k)}: {v(old.get(k)) if k in old else '∅'} → <b>{v(new.get(k)) if k in new else '∅'}</b>"
                 for k in changed[:6]]
        if len(changed) > 6:
            lines.append(f"+{len(changed) - 6} more")
        return "<br/>".join(lines)

    def audit_trail(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = self.section(7, "Audit trail", "sec-audit")
        events = sorted(self.d.audit_events, key=lambda e: e.seq)
        if not events:
            out.append(self.empty("No audit event recorded for this model."))
        else:
            rows = []
            for e in events:
                u = _utc(e.occurred_at)
                when = f"{u:%Y-%m-%d}<br/>{u:%H:%M:%S}" if u else "—"
                rows.append([
                    str(e.seq),
                    self.pm(when),
                    self.p(e.actor),
                    self.pm(f"<b>{_wrap_ident(e.action, FONT_BOLD, s.cell.fontSize, 84)}</b><br/>"
                            f'<font color="{_MUTED.hexval()}">'
                            f"{_wrap_ident(f'{e.entity_type} {e.entity_id}', FONT_REGULAR, s.cell.fontSize, 84)}</font>"),
                    self.pm(self._change(e)),
                    self.p(e.reason or "—", s.cell if e.reason else s.cell_muted),
                ])
            out.append(Paragraph(
                f"{len(events)} event{'' if len(events) == 1 else 's'} about this model, oldest first. Sequence numbers are workspace-wide; gaps "
                "are events about other models.", s.muted))
            out.append(Spacer(1, 4))
            out.append(self.table(["Seq", "Time (UTC)", "Actor", "Action / entity", "Change (old → new)", "Reason"],
                                  rows, [30, 56, 66, 92, 164, 85], right=(0,)))
        if self.audit_chain is not None:
            out.extend(self._chain_block())
        elif self.audit_head_hash:
            out.append(Paragraph(_esc(f"Audit chain head when this report was generated: {self.audit_head_hash}"),
                                 s.note))
        return out


    def findings(self) -> list[Flowable]:
        """Findings on the model (newest first) with severity, owner, due date and state."""
        s, g = self.s, self.gov
        out: list[Flowable] = self.section(0, "Findings", "sec-findings")
        items = list(g.findings) if g is not None else []
        if self.kind == "validation":
            items = [f for f in items if f.source == "validation"] or items
        if not items:
            out.append(self.empty("No finding recorded for this model."))
            return out
        n_open = sum(1 for f in items if f.state != "closed")
        out.append(Paragraph(_esc(f"{len(items)} finding(s), {n_open} open. Severity follows the risk tier "
                                  "(DESIGN.md: tier 1 high, tier 2 medium, tier 3 low)."), s.muted))
        rows, tones = [], []
        for i, f in enumerate(items):
            word = "CLOSED" if f.state == "closed" else "OPEN"
            cell, tone = self.status_cell(word)
            tones.append((5, i, tone))
            owner = getattr(f, "owner", None)
            due = getattr(f, "due_at", None)
            state_detail = (f"closed {_ts(f.closed_at)} by {f.closed_by}: {f.close_reason}" if f.state == "closed"
                            else "")
            rows.append([f"#{f.id}", self.p(f.severity.upper()),
                         self.pm(f"<b>{_esc(f.title)}</b>" + (f"<br/>{_esc(f.detail)}" if f.detail else "")),
                         self.p(f"{f.source}" + (f" (v{f.version})" if f.version is not None else "")),
                         self.p(f"{owner or '—'}" + (f"\ndue {_ts(due)}" if due else "")),
                         [cell] + ([self.p(state_detail, s.cell_muted)] if state_detail else []),
                         self.p(_ts(f.opened_at))])
        out.append(self.table(["#", "Severity", "Finding", "Source", "Owner / due (UTC)", "State", "Opened (UTC)"],
                              rows, [26, 46, 170, 58, 70, 64, 59], tones=tones))
        return out

    def raci(self) -> list[Flowable]:
        """The model's effective RACI matrix resolved for its tier, with the people."""
        s, g = self.s, self.gov
        out: list[Flowable] = self.section(0, "Roles and responsibilities (RACI)", "sec-raci")
        entries = list(g.raci) if g is not None else []
        if not entries:
            out.append(self.empty("No RACI matrix recorded for this model."))
            return out
        out.append(Paragraph(
            "The effective RACI template for this model's tier (R responsible, A accountable, C consulted, "
            "I informed) with the active users holding each role globally or for this model. The Responsible "
            "submits a request, every Consulted reviews, the Accountable signs.", s.muted))
        tasks: list[str] = []
        roles: list[str] = []
        cells: dict[tuple[str, str], str] = {}
        people: dict[str, tuple] = {}
        for e in entries:
            t, r = e.task.value, e.role.value
            if t not in tasks:
                tasks.append(t)
            if r not in roles:
                roles.append(r)
            cells[(t, r)] = e.letters
            people.setdefault(r, e.users)
        short = {"Subject Matter Expert (SME)": "SME", "ML Engineer/Architect": "ML Eng.", "Data Engineer": "Data Eng.",
                 "Data Scientist": "Data Sci.", "DevOps Engineer": "DevOps", "Model Risk Manager": "Model Risk Mgr",
                 "Business Owner": "Business Owner"}
        head = ["Lifecycle task"] + [short.get(r, r) for r in roles]
        first = 132
        w = (_CONTENT_W - first) / max(len(roles), 1)
        grid = [[self.p(t)] + [self.pm(f"<b>{_esc(cells.get((t, r), '—'))}</b>") for r in roles] for t in tasks]
        out.append(self.table(head, grid, [first] + [w] * len(roles)))
        out.append(Spacer(1, 6))
        prow = []
        for r in roles:
            us = people.get(r) or ()
            names = ", ".join(f"{u.display_name} ({u.login})" for u in us)
            prow.append([self.p(r), self.p(names) if names else self.pm("<i>nobody assigned</i>", s.cell_muted)])
        out.append(self.table(["Role", "People holding it (globally or for this model)"], prow,
                              [132, _CONTENT_W - 132]))
        return out

    def approvals(self) -> list[Flowable]:
        """Approval requests and their electronic signatures (21 CFR 11.50 / 11.70)."""
        s, g = self.s, self.gov
        out: list[Flowable] = self.section(0, "Approval requests and electronic signatures", "sec-approvals")
        reqs = sorted(g.requests, key=lambda x: x.id) if g is not None else []
        if not reqs:
            out.append(self.empty("No approval request recorded for this model."))
            return out
        out.append(Paragraph(
            "Each signature records the signer's printed name, the UTC date and time and the meaning of the "
            "signature (21 CFR 11.50), was given after re-entering the password (11.200), and is bound to the "
            "SHA-256 of the exact record version signed (11.70): the request as submitted plus the signatures "
            "before it.", s.note))
        for r in reqs:
            intact = "signatures verify" if not r.integrity_problems else "SIGNATURES DO NOT VERIFY: " + "; ".join(
                r.integrity_problems)
            out.append(Spacer(1, 4))
            out.append(self.pm(f"<b>{_esc(f'Request #{r.id}: v{r.version}, {r.asked}')}</b> — "
                               f"{_esc(r.state.value.upper())}; {_esc(r.task.value)}, tier {r.risk_tier}, RACI "
                               f"{_esc(r.raci_scope)} v{r.raci_version}; {_esc(intact)}"))
            if r.reason:
                out.append(Paragraph(_esc(f"Reason: {r.reason}"), s.note))
            rows = []
            for sig in r.signatures:
                rows.append([str(sig.seq), self.p(sig.printed_name), self.p(sig.role or "submitter"),
                             self.p(sig.meaning.value.upper()), self.pm(_esc(_ts(sig.signed_at)).replace(" ", "<br/>", 1)),
                             self.p(sig.reason), self.p(sig.record_sha256, s.cell_mono)])
            if rows:
                out.append(self.table(["#", "Printed name", "Capacity", "Meaning", "Time (UTC)", "Reason",
                                       "Record SHA-256"], rows, [16, 70, 72, 50, 52, 120, 99], right=(0,)))
            else:
                out.append(self.empty("No signature on this request yet."))
        return out

    def appendix(self) -> list[Flowable]:
        """Appendix A: the regulatory mapping with section pages and computed gaps."""
        s = self.s
        out: list[Flowable] = [CondPageBreak(200), _Heading("Appendix A  Regulatory mapping", s.h1, "sec-appendix", 0,
                                                            toc_level=0)]
        out.append(Paragraph(
            "For each requirement: the sections of this report that evidence it (with their pages), a status "
            "(EVIDENCED: no gap found; PARTIAL: evidenced with gaps; GAP: not evidenced) and the gaps computed "
            "from this model's records. Frameworks: " + "; ".join(_esc(f"{k}: {v}")
                                                           for k, v in regulatory.FRAMEWORKS.items()) + ".",
            s.muted))
        facts = model_facts(self.d, self.gov, self.audit_chain, self._focus_run(), self.generated_at)
        tracker = self.tracker

        def make(pages: dict[str, int]) -> list[Flowable]:
            titles = dict(tracker.titles) if tracker is not None else {}
            rows_json = regulatory.evaluate(regulatory.MODEL_REQUIREMENTS, facts, pages, titles)
            return [self.mapping_table(rows_json)]

        out.append(Expand(make))
        out.append(Spacer(1, 10))
        out.append(Paragraph("— End of report —", ParagraphStyle("tg-end", parent=s.muted, alignment=1)))
        return out

    def mapping_table(self, rows_json: list[dict[str, Any]]) -> Table:
        return mapping_table(self, rows_json)


    def _chain_block(self) -> list[Flowable]:
        """The workspace's audit hash chain as verified when the report was generated."""
        s, c = self.s, self.audit_chain
        assert c is not None
        if c.intact:
            result, tone = self.status_value("INTACT", "— every event matches its SHA-256 hash and links to the one "
                                                       "before it")
        else:
            result, tone = self.status_value("BROKEN", f"at event {c.first_bad_seq} — {c.reason}")
        span = (f"{c.events:,} events in the workspace, sequence numbers {c.first_seq}–{c.last_seq}" if c.events
                else "no events in the workspace yet")
        rows: list[tuple[str, Any]] = [
            ("Verification result", result),
            ("Event range", span),
            ("Chain head hash", self.p(c.head_hash, s.kv_mono)),
            ("Verified at", _ts(self.generated_at, suffix=True)),
        ]
        return [
            Spacer(1, 8),
            self.h2("Audit chain verification", "sec-audit-chain"),
            self.kv_table(rows, tones=[(0, tone)]),
            Spacer(1, 3),
            Paragraph("The whole workspace's audit trail is a SHA-256 hash chain; recompute it with "
                      "<font name=\"%s\">tollgate audit verify --expect-head HASH</font> using the head hash above: "
                      "any later change, removal or reordering of these events is then detected." % FONT_MONO,
                      s.note),
        ]



def mapping_table(b: BuilderBase, rows_json: list[dict[str, Any]]) -> Table:
    """The appendix table: one row per requirement (see :func:`regulatory.evaluate`)."""
    rows, tones = [], []
    for i, r in enumerate(rows_json):
        where = "<br/>".join(
            f'<a href="#{w["key"]}" color="{_NAVY.hexval()}">{_esc(w["section"])}</a>'
            + (f", p.&nbsp;{w['page']}" if w.get("page") else "") for w in r["evidenced_in"]) \
            or "<i>not evidenced in this report</i>"
        cell, tone = b.status_cell(r["status"].upper())
        tones.append((3, i, tone))
        gaps = "<br/>".join("• " + _esc(g) for g in r["gaps"]) or "—"
        rows.append([b.pm(f"<b>{_esc(r['framework'])}</b><br/>{_esc(r['ref'])}"), b.p(r["title"]),
                     b.pm(where), cell, b.pm(gaps)])
    return b.table(["Framework / ref", "Requirement", "Evidenced in (section, page)", "Status", "Gaps "
                       "found"], rows, [70, 110, 120, 58, _CONTENT_W - 358], tones=tones)


# ----------------------------------------------------------------------------- facts for the mapping


def model_facts(detail: ModelDetail, gov: Optional[GovernanceRecords], chain: Optional[ChainVerification],
                run: Optional[ValidationRun], now: datetime) -> dict[str, Any]:
    """The facts the regulatory gap rules read (:mod:`console.reports.regulatory`),
    computed from the model's records; JSON-safe."""
    from console.domain.governance import TIER_POLICIES, revalidation_due

    m = detail.model
    versions = sorted(detail.versions, key=lambda v: v.version)
    by_no = {v.version: v for v in versions}
    champion = next((a.version for a in detail.aliases if a.name == "champion"), None)
    governed = by_no.get(champion) if champion in by_no else (versions[-1] if versions else None)
    g = gov or GovernanceRecords()
    checks = list(run.checks) if run else []
    families = []
    for c in checks:
        if c.family not in families:
            families.append(c.family)
    author = by_no[run.version].created_by if run and run.version in by_no else None
    due = None
    overdue = False
    if run is not None and m.risk_tier in TIER_POLICIES:
        due_dt = revalidation_due(_utc(run.finished_at), m.risk_tier)
        due = due_dt.date().isoformat() if due_dt else None
        overdue = bool(due_dt and due_dt < _utc(now))
    drift_status = None
    if detail.drift_runs:
        w = latest_window(detail.drift_runs[0])
        drift_status = w.status.value if w is not None and w.status else None
    open_f = [f for f in g.findings if f.state != "closed"]
    sigs = [sig for r in g.requests for sig in r.signatures]
    roles_without = sorted({e.role.value for e in g.raci if not e.users})
    return {
        "model": m.name,
        "description": bool((m.description or "").strip()),
        "intended_use": bool((m.intended_use or "").strip()),
        "restrictions": bool((m.restrictions or "").strip()),
        "owner": bool((m.owner or "").strip()),
        "tier": m.risk_tier,
        "tier_assessed": bool(g.tier_assessments),
        "versions": len(versions),
        "artifact_missing": [v.version for v in versions if not v.artifact_sha256],
        "training_data_missing": [v.version for v in versions if not v.data_sha256],
        "holdout_missing": [v.version for v in versions if not v.holdout_sha256],
        "hyperparameters": bool(governed is not None and governed.hyperparameters),
        "validation_runs": len(detail.validation_runs),
        "validated_version": run.version if run else None,
        "validation_passed": run.passed if run else None,
        "families": families,
        "failing_blocking": [c.id for c in checks if c.blocking and c.status.value in ("fail", "error")],
        "checks_without_description": sum(1 for c in checks if not getattr(c, "description", "")),
        "checks_without_source": sum(1 for c in checks if not getattr(c, "source", "")),
        "independent_validation": (None if run is None or author is None else run.run_by != author),
        "drift_runs": len(detail.drift_runs),
        "drift_status": drift_status,
        "revalidation_due": due,
        "revalidation_overdue": overdue,
        "findings_open": len(open_f),
        "findings_open_high": sum(1 for f in open_f if f.severity == "high"),
        "findings_open_unowned": sum(1 for f in open_f if not getattr(f, "owner", None)),
        "raci_roles_without_people": roles_without,
        "approvals": len(g.requests),
        "signatures": len(sigs),
        "signatures_unverified": [r.id for r in g.requests if r.integrity_problems],
        "signatures_without_name": sum(1 for sig in sigs if not (sig.printed_name or "").strip()),
        "audit_events": len(detail.audit_events),
        "chain_intact": chain.intact if chain is not None else None,
        "chain_reason": (chain.reason if chain is not None else None),
    }


# ----------------------------------------------------------------------------- entry points

KINDS = ("audit", "validation")


def build_model_report(
    kind: str,
    detail: ModelDetail,
    path: os.PathLike[str] | str,
    *,
    workspace_label: str,
    generated_at: Optional[datetime] = None,
    version: Optional[int] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    audit_head_hash: Optional[str] = None,
    audit_chain: Optional[ChainVerification] = None,
    governance: Optional[GovernanceRecords] = None,
    evidence: Optional[dict[str, Any]] = None,
) -> RenderResult:
    """Write the audit (``kind="audit"``) or validation (``kind="validation"``) report of
    one model to ``path`` (A4 PDF, atomically) and return a :class:`RenderResult`
    (path, page count, section pages, warnings).

    Args:
        detail: the model with versions, aliases, validation runs (newest first), drift
            runs (newest first) and audit events (oldest first).
        version: the version the validation report is about (default: the governed
            version -- champion, else latest); the audit report covers all versions.
        audit_chain / audit_head_hash: the workspace's audit chain verification (or just
            its head) at generation time, printed on the cover and under the audit trail.
        governance: tier assessments, findings, approval requests, RACI with people.
        evidence: the JSON-safe facts to attach (``tollgate-evidence.json``); the
            report adds ``report`` (pages, section pages, warnings) and
            ``regulatory_mapping`` (the appendix rows) to a copy of it.
        progress / cancel: ``progress(fraction, message)``; ``cancel`` polled between
            sections and after each laid-out page.

    Raises:
        ValueError: unknown ``kind``.
        console.errors.Cancelled: cancelled (nothing written, an existing file kept).
        console.errors.InputError: folder missing, ``path`` is a folder, or unwritable.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown model report kind {kind!r}; expected one of {', '.join(KINDS)}")
    generated = _utc(generated_at) if generated_at is not None else datetime.now(timezone.utc)
    generated = generated.replace(microsecond=0)
    report(progress, 0.0, "Preparing report")
    m = detail.model
    holder: dict[str, Any] = {}

    def make_story(tracker: PageTracker) -> list[Flowable]:
        b = _Builder(detail, kind=kind, workspace_label=workspace_label, generated_at=generated,
                     audit_head_hash=audit_head_hash, audit_chain=audit_chain, governance=governance,
                     version=version, tracker=tracker)
        holder["builder"] = b
        if kind == "audit":
            steps: list[tuple[str, Callable[[], list[Flowable]]]] = [
                ("Cover page", b.cover), ("Model card", b.model_card), ("Versions and lineage", b.versions_section),
                ("Hyperparameters", b.hyperparameters), ("Validation", b.validation), ("Check evidence", b.evidence),
                ("Fairness", b.fairness), ("Drift monitoring", b.drift), ("Findings", b.findings),
                ("RACI", b.raci), ("Approvals", b.approvals), ("Audit trail", b.audit_trail),
                ("Regulatory mapping", b.appendix)]
        else:
            steps = [
                ("Cover page", b.cover), ("Model card", b.model_card), ("Versions and lineage", b.versions_section),
                ("Validation", b.validation), ("Check evidence", b.evidence), ("Fairness", b.fairness),
                ("Validation history", b.validation_history), ("Findings", b.findings),
                ("Drift monitoring", b.drift), ("RACI", b.raci), ("Approvals", b.approvals),
                ("Audit trail", b.audit_trail), ("Regulatory mapping", b.appendix)]
        story: list[Flowable] = []
        for i, (label, fn) in enumerate(steps):
            checkpoint(cancel)
            report(progress, 0.05 + 0.7 * i / len(steps), f"Preparing section: {label}")
            part = fn()
            if story and label not in ("Cover page", "Model card"):
                story.append(Spacer(1, 8))
            story.extend(part)
        return story

    def make_evidence(result: RenderResult) -> dict[str, Any]:
        b: _Builder = holder["builder"]
        tracker = b.tracker
        titles = dict(tracker.titles) if tracker else {}
        facts = model_facts(detail, governance, audit_chain, b._focus_run(), generated)
        doc = dict(evidence or {})
        doc["regulatory_mapping"] = regulatory.evaluate(regulatory.MODEL_REQUIREMENTS, facts,
                                                        result.section_pages, titles)
        doc["gap_facts"] = facts
        doc["report"] = {
            "kind": kind, "title": b.title, "pages": result.pages,
            "sections": [{"key": k, "title": titles.get(k, k), "page": p}
                         for k, p in sorted(result.section_pages.items(), key=lambda kv: (kv[1], kv[0]))],
            "warnings": list(result.warnings),
        }
        return doc

    title = REPORT_TITLES[kind]
    tier = _RISK_TIER_TEXT.get(m.risk_tier, f"Tier {m.risk_tier}").split(":")[0]
    status_word = m.status.value if hasattr(m.status, "value") else str(m.status)
    meta = PdfMeta(
        title=f"{title}: {m.name}",
        author=f"Tollgate (workspace: {workspace_label})",
        subject=f"{title} for {m.name}: {tier}, lifecycle status {status_word}, owner {m.owner}; "
                f"generated {_ts(generated, suffix=True)}",
        keywords=["model risk", kind, "model governance", "SR 11-7", "PRA SS1/23", "EU AI Act", "21 CFR Part 11",
                  m.name],
        created=generated,
    )
    return render_pdf(path, make_story, meta=meta, header_title=title, header_right=m.name,
                      workspace_label=workspace_label, evidence=make_evidence, progress=progress, cancel=cancel)
