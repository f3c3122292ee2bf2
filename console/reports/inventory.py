"""The model inventory report: every model of the workspace (or a filtered set) in one PDF.

:func:`build_inventory_pdf` lays out, with :mod:`console.reports.document`: cover ·
contents · 1 Summary (models per risk tier, lifecycle status, validation and drift
result; vector bar charts) · 2 Model inventory (one row per model: name, owner, tier,
status, versions, champion, latest validation with date, revalidation due date, drift
status, source, open findings; the table runs over as many pages as needed, header
repeated) · 3 Open findings · 4 Open approval requests · 5 Audit chain verification ·
Appendix A Regulatory mapping (inventory-level requirements of SR 11-7, PRA SS1/23 and
21 CFR Part 11 with gaps computed from the inventory, e.g. models never validated).

Revalidation due = latest validation of the governed version + the tier's revalidation
interval (DESIGN.md: 12 / 24 / 36 months, :func:`console.domain.governance.revalidation_due`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Optional, Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, NextPageTemplate, PageBreak, Paragraph, Spacer, Table, TableStyle

from console.domain.models import ChainVerification, ModelSummary
from console.jobs import CancelToken, ProgressFn, checkpoint, report
from console.reports import regulatory
from console.reports.charts import bar_counts_chart
from console.reports.document import (
    CONTENT_W,
    BuilderBase,
    Expand,
    Heading,
    PageTracker,
    PdfMeta,
    RenderResult,
    esc,
    render_pdf,
    toc_flowable,
    ts,
    utc,
)
from console.reports.fonts import FONT_MONO, FONT_REGULAR

__all__ = ["InventoryData", "build_inventory_pdf", "inventory_facts", "REPORT_TITLE"]

REPORT_TITLE = "Model inventory report"


@dataclass(frozen=True)
class InventoryData:
    """What the inventory report prints (plain domain objects).

    ``summaries``: the models (already filtered), by name; ``filters``: a description of
    the filter, e.g. ``{"tier": [1], "status": ["production"]}`` (empty: whole
    workspace); ``open_findings`` / ``open_requests``: open findings and approval
    requests of these models; ``tier_assessed``: ids of models with a tier
    questionnaire; ``total_models``: models in the workspace before filtering."""

    summaries: Sequence[ModelSummary]
    workspace_label: str
    filters: Mapping[str, Any] = field(default_factory=dict)
    open_findings: Sequence[Any] = ()
    open_requests: Sequence[Any] = ()
    tier_assessed: frozenset = frozenset()
    audit_chain: Optional[ChainVerification] = None
    audit_events: int = 0
    total_models: int = 0


def _due(s: ModelSummary) -> Optional[datetime]:
    from console.domain.governance import TIER_POLICIES, revalidation_due

    if s.last_validation_at is None or s.risk_tier not in TIER_POLICIES:
        return None
    return revalidation_due(utc(s.last_validation_at), s.risk_tier)


def inventory_facts(data: InventoryData, now: datetime) -> dict[str, Any]:
    """The facts the inventory gap rules read (JSON-safe)."""
    ss = list(data.summaries)
    high = sorted({f.model_name for f in data.open_findings if f.severity == "high"})
    return {
        "models": len(ss),
        "without_owner": [s.name for s in ss if not (s.owner or "").strip()],
        "never_validated": [s.name for s in ss if s.last_validation is None],
        "validation_failed": [s.name for s in ss if s.last_validation == "fail"],
        "revalidation_overdue": [s.name for s in ss if (_due(s) is not None and _due(s) < utc(now))],
        "never_monitored": [s.name for s in ss if s.drift_status is None],
        "in_drift": [s.name for s in ss if s.drift_status is not None and s.drift_status.value == "drift"],
        "tier_not_assessed": [s.name for s in ss if s.id not in data.tier_assessed],
        "open_high_findings": high,
        "unowned_findings": sum(1 for f in data.open_findings if not getattr(f, "owner", None)),
        "chain_intact": data.audit_chain.intact if data.audit_chain is not None else None,
        "chain_reason": data.audit_chain.reason if data.audit_chain is not None else None,
        "audit_events": data.audit_chain.events if data.audit_chain is not None else data.audit_events,
    }


class _Inventory(BuilderBase):
    def __init__(self, data: InventoryData, generated_at: datetime, tracker: PageTracker) -> None:
        super().__init__()
        self.data = data
        self.generated_at = generated_at
        self.tracker = tracker
        self.ss = list(data.summaries)

    def filter_text(self) -> str:
        f = {k: v for k, v in (self.data.filters or {}).items() if v not in (None, [], (), "")}
        if not f:
            return "whole workspace"
        return "; ".join(f"{k} = {', '.join(map(str, v)) if isinstance(v, (list, tuple)) else v}" for k, v in f.items())

    def cover(self) -> list[Flowable]:
        s = self.s
        c = self.data.audit_chain
        head = c.head_hash if c is not None else None
        rows: list[tuple[str, Any]] = [
            ("Models in this report", f"{len(self.ss):,}" + (f" of {self.data.total_models:,} in the workspace"
                                                             if self.data.total_models else "")),
            ("Filter", self.filter_text()),
            ("Workspace", self.data.workspace_label),
            ("Generated at", ts(self.generated_at, suffix=True)),
            ("Audit chain head", self.p(head, s.kv_mono) if head else "not computed"),
        ]
        if c is not None:
            word, tone = self.status_value("INTACT" if c.intact else "BROKEN",
                                           f"{c.events:,} events" if c.intact else f"at event {c.first_bad_seq}")
            rows.append(("Audit chain", word))
        return [
            Spacer(1, 6 * mm),
            Paragraph(esc("MODEL INVENTORY · " + self.filter_text().upper()), s.cover_kicker),
            Spacer(1, 2 * mm),
            Heading(REPORT_TITLE, s.cover_title, "cover", 0),
            Paragraph(esc(self.data.workspace_label), s.cover_model),
            Spacer(1, 8 * mm),
            self.kv_table(rows),
            Spacer(1, 8 * mm),
            Paragraph("Generated by Tollgate from the workspace records at the time shown above. All times are UTC. "
                      "The facts in this report are attached to the PDF as machine-readable JSON "
                      "(tollgate-evidence.json).", s.note),
            NextPageTemplate("body"),
            PageBreak(),
            Paragraph("Contents", s.h1),
            toc_flowable(s),
            PageBreak(),
        ]

    def summary(self) -> list[Flowable]:
        out: list[Flowable] = [self.h1(1, "Summary", "sec-inv-summary")]
        if not self.ss:
            out.append(self.empty("No model matches the filter."))
            return out

        def count(key: Callable[[ModelSummary], str], order: Sequence[str]) -> dict[str, int]:
            c = {k: 0 for k in order}
            for m in self.ss:
                k = key(m)
                c[k] = c.get(k, 0) + 1
            return {k: v for k, v in c.items() if v or k in order}

        tiers = count(lambda m: f"tier {m.risk_tier}", ["tier 1", "tier 2", "tier 3"])
        status = count(lambda m: m.status.value, ["development", "validation", "approved", "production", "retired"])
        val = count(lambda m: m.last_validation or "never", ["pass", "fail", "never"])
        drift = count(lambda m: m.drift_status.value if m.drift_status else "no run",
                      ["stable", "warning", "drift", "no run"])
        cw = (CONTENT_W - 12) / 2
        grid = Table([[bar_counts_chart("Models per risk tier", tiers, width=cw, height=140),
                       bar_counts_chart("Models per lifecycle status", status, width=cw, height=140)],
                      [bar_counts_chart("Latest validation (governed version)", val, width=cw, height=140),
                       bar_counts_chart("Drift status (latest window)", drift, width=cw, height=140)]],
                     colWidths=[cw + 6, cw + 6], hAlign="LEFT")
        grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT_REGULAR, 7),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        out.append(grid)
        rows = []
        for label, c in (("Risk tier", tiers), ("Lifecycle status", status), ("Latest validation", val),
                         ("Drift", drift)):
            rows.append([label, ", ".join(f"{k}: {v}" for k, v in c.items())])
        out.append(Spacer(1, 4))
        out.append(self.table(["Breakdown", "Models"], rows, [100, CONTENT_W - 100]))
        return out

    def inventory(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [CondPageBreak(140), self.h1(2, "Model inventory", "sec-inv-table")]
        if not self.ss:
            out.append(self.empty("No model matches the filter."))
            return out
        open_by_model: dict[int, int] = {}
        for f in self.data.open_findings:
            open_by_model[f.model_id] = open_by_model.get(f.model_id, 0) + 1
        rows, tones = [], []
        now = utc(self.generated_at)
        for i, m in enumerate(self.ss):
            v_word = {"pass": "PASS", "fail": "FAIL"}.get(m.last_validation or "", "NEVER")
            v_cell, v_tone = self.status_cell(v_word)
            d_word = m.drift_status.value if m.drift_status else "—"
            d_cell, d_tone = self.status_cell(d_word) if m.drift_status else (self.p("no run", s.cell_muted), None)
            due = _due(m)
            due_txt = due.date().isoformat() if due else "—"
            if due is not None and due < now:
                due_txt += " OVERDUE"
            tones += [(5, i, v_tone), (7, i, d_tone)]
            rows.append([
                self.ident(m.name, 96, s.cell, bold=True),
                self.p(m.owner),
                str(m.risk_tier),
                self.p(m.status.value),
                self.p(f"{m.versions}" + (f"; champion v{m.champion_version}" if m.champion_version else "")),
                [v_cell] + ([self.p(ts(m.last_validation_at)[:10], s.cell_muted)] if m.last_validation_at else []),
                self.p(due_txt),
                d_cell,
                self.p(m.source),
                str(open_by_model.get(m.id, 0)),
            ])
        out.append(self.table(["Model", "Owner", "Tier", "Status", "Versions", "Validation", "Revalidation due",
                               "Drift", "Source", "Open findings"], rows,
                              [96, 54, 26, 54, 46, 56, 62, 46, 36, 41], right=(2, 9), tones=tones))
        out.append(Paragraph("Validation: the latest run of the governed version (champion, else latest version). "
                             "Revalidation due: that run plus the tier's revalidation interval (12 / 24 / 36 "
                             "months). Drift: the status of the latest window of the latest drift run.", s.note))
        return out

    def findings(self) -> list[Flowable]:
        out: list[Flowable] = [CondPageBreak(140), self.h1(3, "Open findings", "sec-inv-findings")]
        items = list(self.data.open_findings)
        if not items:
            out.append(self.empty("No open finding on these models."))
            return out
        rows = []
        for f in items:
            owner = getattr(f, "owner", None)
            due = getattr(f, "due_at", None)
            rows.append([f"#{f.id}", self.p(f.model_name), self.p(f.severity.upper()), self.p(f.title),
                         self.p(f.source), self.p((owner or "—") + (f"\ndue {ts(due)}" if due else "")),
                         self.p(ts(f.opened_at))])
        out.append(self.table(["#", "Model", "Severity", "Finding", "Source", "Owner / due (UTC)", "Opened (UTC)"],
                              rows, [28, 90, 46, 160, 50, 75, 70]))
        return out

    def approvals(self) -> list[Flowable]:
        out: list[Flowable] = [CondPageBreak(140), self.h1(4, "Open approval requests", "sec-inv-approvals")]
        items = list(self.data.open_requests)
        if not items:
            out.append(self.empty("No open approval request on these models."))
            return out
        rows = []
        for r in items:
            signed = ", ".join(f"{sig.printed_name} ({sig.meaning.value})" for sig in r.signatures) or "—"
            rows.append([f"#{r.id}", self.p(r.model_name), self.p(f"v{r.version}: {r.asked}"),
                         self.p(r.submitted_by_name or r.submitted_by), self.p(ts(r.submitted_at)),
                         self.p(ts(r.due_at)), self.p(signed)])
        out.append(self.table(["#", "Model", "Request", "Submitted by", "Submitted (UTC)", "Due (UTC)", "Signatures"],
                              rows, [28, 80, 110, 70, 62, 62, CONTENT_W - 412]))
        return out

    def audit(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [CondPageBreak(140), self.h1(5, "Audit chain verification", "sec-inv-audit")]
        c = self.data.audit_chain
        if c is None:
            out.append(self.empty("The audit chain was not verified for this report."))
            return out
        if c.intact:
            result, tone = self.status_value("INTACT", "— every event matches its SHA-256 hash and links to the one "
                                                       "before it")
        else:
            result, tone = self.status_value("BROKEN", f"at event {c.first_bad_seq} — {c.reason}")
        span = (f"{c.events:,} events in the workspace, sequence numbers {c.first_seq}–{c.last_seq}" if c.events
                else "no events in the workspace yet")
        out.append(self.kv_table([("Verification result", result), ("Event range", span),
                                  ("Chain head hash", self.p(c.head_hash, s.kv_mono)),
                                  ("Verified at", ts(self.generated_at, suffix=True))], tones=[(0, tone)]))
        out.append(Paragraph("Recompute with <font name=\"%s\">tollgate audit verify --expect-head HASH</font> using "
                             "the head hash above." % FONT_MONO, s.note))
        return out

    def appendix(self) -> list[Flowable]:
        from console.reports.audit import mapping_table

        s = self.s
        out: list[Flowable] = [CondPageBreak(200), Heading("Appendix A  Regulatory mapping", s.h1, "sec-appendix", 0,
                                                           toc_level=0)]
        out.append(Paragraph(
            "Inventory-level requirements: where this report evidences them (section, page), a status and the "
            "gaps computed from the inventory. Per-model requirements (EU AI Act Annex IV technical "
            "documentation, 21 CFR Part 11 signatures) are mapped in each model's audit report.", s.muted))
        facts = inventory_facts(self.data, self.generated_at)
        tracker = self.tracker

        def make(pages: dict[str, int]) -> list[Flowable]:
            rows = regulatory.evaluate(regulatory.INVENTORY_REQUIREMENTS, facts, pages, dict(tracker.titles))
            return [mapping_table(self, rows)]

        out.append(Expand(make))
        out.append(Spacer(1, 10))
        out.append(Paragraph("— End of report —", ParagraphStyle("tg-end", parent=s.muted, alignment=1)))
        return out


def build_inventory_pdf(
    data: InventoryData,
    path: os.PathLike[str] | str,
    *,
    generated_at: Optional[datetime] = None,
    evidence: Optional[dict[str, Any]] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> RenderResult:
    """Write the inventory report to ``path`` (A4 PDF, atomically); returns a
    :class:`~console.reports.document.RenderResult`.  ``evidence``: the JSON-safe facts
    to attach; ``regulatory_mapping``, ``gap_facts`` and ``report`` are added.
    Raises :class:`console.errors.Cancelled` / :class:`console.errors.InputError` like
    :func:`console.reports.document.render_pdf`."""
    generated = (utc(generated_at) if generated_at is not None else datetime.now(timezone.utc)).replace(microsecond=0)
    report(progress, 0.0, "Preparing inventory report")

    def make_story(tracker: PageTracker) -> list[Flowable]:
        b = _Inventory(data, generated, tracker)
        story: list[Flowable] = []
        for i, fn in enumerate((b.cover, b.summary, b.inventory, b.findings, b.approvals, b.audit, b.appendix)):
            checkpoint(cancel)
            report(progress, 0.05 + 0.7 * i / 7, "Preparing the inventory sections")
            story.extend(fn())
        return story

    holder: dict[str, Any] = {}

    def make_evidence(result: RenderResult) -> dict[str, Any]:
        facts = inventory_facts(data, generated)
        doc = dict(evidence or {})
        titles = holder.get("titles", {})
        doc["regulatory_mapping"] = regulatory.evaluate(regulatory.INVENTORY_REQUIREMENTS, facts,
                                                        result.section_pages, titles)
        doc["gap_facts"] = facts
        doc["report"] = {"kind": "inventory", "title": REPORT_TITLE, "pages": result.pages,
                         "sections": [{"key": k, "title": titles.get(k, k), "page": p}
                                      for k, p in sorted(result.section_pages.items(), key=lambda kv: (kv[1], kv[0]))],
                         "warnings": list(result.warnings)}
        return doc

    def make_story_keep(tracker: PageTracker) -> list[Flowable]:
        holder["titles"] = tracker.titles
        return make_story(tracker)

    meta = PdfMeta(
        title=f"{REPORT_TITLE}: {data.workspace_label}",
        author=f"Tollgate (workspace: {data.workspace_label})",
        subject=f"Model inventory ({len(data.summaries)} models; filter: "
                f"{_Inventory(data, generated, PageTracker()).filter_text()}); generated {ts(generated, suffix=True)}",
        keywords=["model risk", "inventory", "model governance", "SR 11-7", "PRA SS1/23"],
        created=generated,
    )
    return render_pdf(path, make_story_keep, meta=meta, header_title=REPORT_TITLE, header_right=data.workspace_label,
                      workspace_label=data.workspace_label, evidence=make_evidence, progress=progress, cancel=cancel)

