"""The model audit report: one PDF documenting a registered model for model-risk review.

:func:`build_audit_pdf` turns a :class:`~console.domain.models.ModelDetail` (plain domain
objects; no Qt, no SQL here) into an A4 PDF with, in order:

cover (title, model, owner, risk tier, lifecycle status, champion, workspace, generation
time, contents) · 1 Model card · 2 Versions and lineage (SHA-256 fingerprints) ·
3 Hyperparameters (champion, else latest version) · 4 Validation (latest run, one row per
check, earlier runs) · 5 Drift monitoring (latest drift run: windows, PSI-over-time chart
of the top features with the 0.1 / 0.25 thresholds, latest-window table sorted by PSI,
reference vs current distributions) · 6 Audit trail.

Conventions: all times are printed in UTC (naive datetimes are taken to be UTC already);
statuses are printed as words (PASS, FAIL, DRIFT, ...) and colour only reinforces them;
every text run uses the embedded DejaVu fonts (:mod:`console.reports.fonts`); every page
has a "Page N of M" footer with the generation time; the PDF carries title, author,
subject and an outline (bookmarks) of the sections.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

import console
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
from console.errors import Cancelled, InputError
from console.jobs import CancelToken, ProgressFn, checkpoint, report
from console.reports.charts import (
    distribution_bar_chart,
    latest_window,
    psi_over_time_chart,
    psi_series,
    top_features_by_latest_psi,
)
from console.reports.fonts import FONT_BOLD, FONT_MONO, FONT_REGULAR, register_fonts

__all__ = ["build_audit_pdf", "REPORT_TITLE", "TOP_DRIFT_FEATURES"]

REPORT_TITLE = "Model audit report"
#: Number of features drawn in the PSI-over-time chart (highest PSI in the latest window).
TOP_DRIFT_FEATURES = 5
#: Number of reference-vs-current distribution charts (highest PSI first).
_DISTRIBUTION_CHARTS = 4

# ----------------------------------------------------------------------------- look

_PAGE_W, _PAGE_H = A4
_MARGIN_X = 18 * mm
_MARGIN_TOP = 22 * mm
_MARGIN_BOTTOM = 22 * mm
_CONTENT_W = _PAGE_W - 2 * _MARGIN_X

_NAVY = colors.HexColor("#1B3A5C")
_INK = colors.HexColor("#1F2933")
_MUTED = colors.HexColor("#616E7C")
_RULE = colors.HexColor("#CBD2D9")
_ZEBRA = colors.HexColor("#F5F7FA")
_LABEL_BG = colors.HexColor("#EEF2F6")

# status word -> (background, text colour)
_TONE_OK = (colors.HexColor("#E3F4E8"), colors.HexColor("#14532D"))
_TONE_WARN = (colors.HexColor("#FFF1C7"), colors.HexColor("#6B4400"))
_TONE_BAD = (colors.HexColor("#FDE2E1"), colors.HexColor("#8A1C12"))
_TONE_NEUTRAL = (colors.HexColor("#EDEFF2"), colors.HexColor("#3E4C59"))
_TONES = {
    "PASS": _TONE_OK,
    "PASSED": _TONE_OK,
    "STABLE": _TONE_OK,
    "WARN": _TONE_WARN,
    "WARNING": _TONE_WARN,
    "FAIL": _TONE_BAD,
    "FAILED": _TONE_BAD,
    "ERROR": _TONE_BAD,
    "DRIFT": _TONE_BAD,
    "YES": _TONE_BAD,  # "dataset drift: YES"
    "INTACT": _TONE_OK,  # audit hash chain
    "BROKEN": _TONE_BAD,
}

_RISK_TIER_TEXT = {
    1: "Tier 1 (highest): operational; decisions about people or money",
    2: "Tier 2: scheduled, monitored",
    3: "Tier 3: ad-hoc / self-service",
}


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("tg-body", fontName=FONT_REGULAR, fontSize=8.6, leading=11.6, textColor=_INK)
        self.body = base
        self.muted = ParagraphStyle("tg-muted", parent=base, textColor=_MUTED, fontSize=8)
        self.note = ParagraphStyle("tg-note", parent=base, textColor=_MUTED, fontSize=7.4, leading=9.6,
                                   spaceBefore=3)
        self.empty = ParagraphStyle("tg-empty", parent=base, textColor=_MUTED, backColor=_ZEBRA, borderPadding=5,
                                    spaceBefore=4, spaceAfter=8, leftIndent=5, rightIndent=5)
        self.h1 = ParagraphStyle("tg-h1", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18,
                                 textColor=_NAVY, spaceBefore=6, spaceAfter=6, keepWithNext=1)
        self.h2 = ParagraphStyle("tg-h2", parent=base, fontName=FONT_BOLD, fontSize=10, leading=13,
                                 textColor=_NAVY, spaceBefore=10, spaceAfter=4, keepWithNext=1)
        self.cell = ParagraphStyle("tg-cell", parent=base, fontSize=7.4, leading=9.3)
        self.cell_r = ParagraphStyle("tg-cell-r", parent=self.cell, alignment=TA_RIGHT)
        self.cell_muted = ParagraphStyle("tg-cell-muted", parent=self.cell, textColor=_MUTED)
        self.cell_mono = ParagraphStyle("tg-cell-mono", parent=self.cell, fontName=FONT_MONO, fontSize=7.1)
        self.cell_head = ParagraphStyle("tg-cell-head", parent=self.cell, fontName=FONT_BOLD, textColor=colors.white)
        self.cell_head_r = ParagraphStyle("tg-cell-head-r", parent=self.cell_head, alignment=TA_RIGHT)
        self.label = ParagraphStyle("tg-label", parent=self.cell, fontName=FONT_BOLD, textColor=_NAVY)
        self.kv = ParagraphStyle("tg-kv", parent=base, fontSize=8.2, leading=10.6)
        self.kv_mono = ParagraphStyle("tg-kv-mono", parent=self.kv, fontName=FONT_MONO, fontSize=7.6)
        self.cover_kicker = ParagraphStyle("tg-kicker", parent=base, fontName=FONT_BOLD, fontSize=9,
                                           textColor=_MUTED, leading=12)
        self.cover_title = ParagraphStyle("tg-cover-title", parent=base, fontName=FONT_BOLD, fontSize=26,
                                          leading=31, textColor=_NAVY, spaceAfter=6)
        self.cover_model = ParagraphStyle("tg-cover-model", parent=base, fontName=FONT_BOLD, fontSize=16,
                                          leading=20, textColor=_INK, spaceAfter=4)
        self.toc = ParagraphStyle("tg-toc", parent=base, fontSize=9, leading=14, textColor=_NAVY)


# ----------------------------------------------------------------------------- formatting


def _utc(dt: Optional[datetime]) -> Optional[datetime]:
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def _ts(dt: Optional[datetime], *, suffix: bool = False) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC (optionally with " UTC"); "—" for ``None``."""
    u = _utc(dt)
    if u is None:
        return "—"
    return u.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if suffix else "")


def _period_end(text: Optional[str]) -> str:
    """A window boundary as stored (ISO 8601 text): the date alone when it is midnight UTC
    (calendar windows), else as it is; "—" when absent."""
    if not text:
        return "—"
    for suffix in ("T00:00:00Z", "T00:00:00+00:00", " 00:00:00"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def _num(v: Any) -> str:
    """Compact human formatting of a metric / statistic value."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "—"
        a = abs(v)
        if a == 0:
            return "0"
        if a >= 1000:
            return f"{v:,.0f}"
        if a >= 100:
            return f"{v:.1f}"
        if a >= 1:
            return f"{v:.3f}".rstrip("0").rstrip(".")
        if a >= 1e-4:
            return f"{v:.4f}".rstrip("0").rstrip(".")
        return f"{v:.2e}"
    if isinstance(v, (dict, list, tuple)):
        text = json.dumps(v, ensure_ascii=False, default=str)
        return text if len(text) <= 90 else text[:87] + "…"
    text = str(v)
    return text if len(text) <= 120 else text[:117] + "…"


def _param(v: Any) -> str:
    """A hyperparameter value exactly as recorded (Python literal style: 0.5, 1e-05, None)."""
    if v is None or isinstance(v, (bool, int, float)):
        return repr(v)
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, default=str)


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


def _esc(text: Any) -> str:
    return escape("" if text is None else str(text))


_BREAK_AFTER = re.compile(r"[^._\[\]/,:\s(]*[._\[\]/,:\s(]?")


def _wrap_ident(text: str, font: str, size: float, width: float) -> str:
    """Paragraph markup for an identifier (dotted class path, check ID, column name) that
    breaks after ``.``, ``_``, ``[``, ``/``, ``,`` or ``(`` rather than mid-word when it
    is wider than ``width`` points.  A single piece still too wide is left to
    reportlab's long-word splitting."""
    text = "" if text is None else str(text)
    if stringWidth(text, font, size) <= width:
        return _esc(text)
    lines: list[str] = []
    cur = ""
    for tok in (t for t in _BREAK_AFTER.findall(text) if t):
        if cur and stringWidth(cur + tok.rstrip(), font, size) > width:
            lines.append(cur)
            cur = tok.lstrip()
        else:
            cur += tok
    lines.append(cur)
    return "<br/>".join(_esc(line) for line in lines)


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


# ----------------------------------------------------------------------------- canvas / doc


class _Heading(Paragraph):
    """A section heading that registers a PDF outline entry and a named destination."""

    def __init__(self, text: str, style: ParagraphStyle, key: str, level: int) -> None:
        super().__init__(_esc(text), style)
        self._tg_key = key
        self._tg_title = text
        self._tg_level = level

    def draw(self) -> None:
        super().draw()
        canv = self.canv
        _, top = canv.absolutePosition(0, self.height)
        if hasattr(canv, "tg_bookmark"):
            canv.tg_bookmark(self._tg_key, top + 6)
        else:  # plain canvas: bind directly
            canv.bookmarkHorizontalAbsolute(self._tg_key, top + 6)
        canv.addOutlineEntry(self._tg_title, self._tg_key, level=self._tg_level, closed=False)


def _canvas_class(model_name: str, generated_at: datetime, workspace: str):
    """A canvas that defers page output to write "Page N of M" footers (and bind the
    section destinations on the right page) once the page count is known."""

    generated = _ts(generated_at, suffix=True)
    pdf_date = generated_at.strftime("D:%Y%m%d%H%M%S+00'00'")
    footer_left = f"{REPORT_TITLE} — {model_name}"
    footer_left2 = f"Generated {generated} · Workspace: {workspace}"
    footer_right2 = f"Tollgate {console.__version__}"

    class _NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # CreationDate / ModDate = the generation time printed on the pages
            self.setDateFormatter(lambda *_ymdhms: pdf_date)
            self._tg_pages: list[dict[str, Any]] = []
            self._tg_marks: list[tuple[str, float]] = []

        def tg_bookmark(self, key: str, top: float) -> None:
            self._tg_marks.append((key, top))

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._tg_pages.append(dict(self.__dict__))
            self._tg_marks = []
            self._startPage()

        def save(self) -> None:
            total = len(self._tg_pages)
            for number, state in enumerate(self._tg_pages, start=1):
                self.__dict__.update(state)
                for key, top in self._tg_marks:
                    Canvas.bookmarkPage(self, key, fit="XYZ", left=0, top=top)
                self._tg_footer(number, total)
                Canvas.showPage(self)
            self.showOutline()
            Canvas.save(self)

        def _tg_footer(self, number: int, total: int) -> None:
            self.saveState()
            y = 12 * mm
            self.setStrokeColor(_RULE)
            self.setLineWidth(0.5)
            self.line(_MARGIN_X, y + 9.5, _PAGE_W - _MARGIN_X, y + 9.5)
            right = f"Page {number} of {total}"
            self.setFont(FONT_BOLD, 7.5)
            self.setFillColor(_INK)
            self.drawRightString(_PAGE_W - _MARGIN_X, y, right)
            self.setFont(FONT_REGULAR, 7.5)
            avail = _CONTENT_W - stringWidth(right, FONT_BOLD, 7.5) - 20
            self.drawString(_MARGIN_X, y, _fit(footer_left, FONT_REGULAR, 7.5, avail))
            self.setFont(FONT_REGULAR, 6.6)
            self.setFillColor(_MUTED)
            self.drawRightString(_PAGE_W - _MARGIN_X, y - 9, footer_right2)
            avail2 = _CONTENT_W - stringWidth(footer_right2, FONT_REGULAR, 6.6) - 20
            self.drawString(_MARGIN_X, y - 9, _fit(footer_left2, FONT_REGULAR, 6.6, avail2))
            self.restoreState()

    return _NumberedCanvas


class _AuditDoc(BaseDocTemplate):
    def __init__(self, filename: str, *, model_name: str, progress: Optional[ProgressFn],
                 cancel: Optional[CancelToken], **kwargs: Any) -> None:
        super().__init__(filename, **kwargs)
        self._tg_progress = progress
        self._tg_cancel = cancel
        self._tg_model = model_name
        frame = Frame(_MARGIN_X, _MARGIN_BOTTOM, _CONTENT_W, _PAGE_H - _MARGIN_TOP - _MARGIN_BOTTOM,
                      id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        cover_frame = Frame(_MARGIN_X, _MARGIN_BOTTOM, _CONTENT_W, _PAGE_H - 40 * mm - _MARGIN_BOTTOM,
                            id="cover", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate(id="cover", frames=[cover_frame], onPage=self._draw_cover_band),
            PageTemplate(id="body", frames=[frame], onPage=self._draw_header),
        ])

    def _draw_cover_band(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setFillColor(_NAVY)
        canv.rect(0, _PAGE_H - 24 * mm, _PAGE_W, 24 * mm, stroke=0, fill=1)
        canv.setFillColor(colors.white)
        canv.setFont(FONT_BOLD, 13)
        canv.drawString(_MARGIN_X, _PAGE_H - 14 * mm, "TOLLGATE")
        canv.setFont(FONT_REGULAR, 8)
        canv.drawString(_MARGIN_X, _PAGE_H - 19 * mm, "Model governance and monitoring")
        canv.drawRightString(_PAGE_W - _MARGIN_X, _PAGE_H - 14 * mm, "Model risk documentation")
        canv.restoreState()

    def _draw_header(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        y = _PAGE_H - 13 * mm
        canv.setFont(FONT_BOLD, 7)
        canv.setFillColor(_NAVY)
        left = "TOLLGATE · " + REPORT_TITLE.upper()
        canv.drawString(_MARGIN_X, y, left)
        canv.setFont(FONT_REGULAR, 7)
        canv.setFillColor(_MUTED)
        avail = _CONTENT_W - stringWidth(left, FONT_BOLD, 7) - 24
        canv.drawRightString(_PAGE_W - _MARGIN_X, y, _fit(self._tg_model, FONT_REGULAR, 7, avail))
        canv.setStrokeColor(_NAVY)
        canv.setLineWidth(0.8)
        canv.line(_MARGIN_X, y - 4, _PAGE_W - _MARGIN_X, y - 4)
        canv.restoreState()

    def afterPage(self) -> None:  # noqa: N802 (reportlab API)
        checkpoint(self._tg_cancel)
        report(self._tg_progress, min(0.95, 0.8 + 0.015 * self.page), f"Laid out page {self.page}")


# ----------------------------------------------------------------------------- content


@dataclass(frozen=True)
class GovernanceRecords:
    """What section 6 prints: tier assessments (newest first), findings, approval
    requests (``console.domain.approvals``) of the model."""

    tier_assessments: Sequence[Any] = ()
    findings: Sequence[Any] = ()
    requests: Sequence[Any] = ()


class _Builder:
    def __init__(self, detail: ModelDetail, *, workspace_label: str, generated_at: datetime,
                 audit_head_hash: Optional[str], audit_chain: Optional[ChainVerification] = None,
                 governance: Optional["GovernanceRecords"] = None) -> None:
        self.d = detail
        self.gov = governance
        self.m = detail.model
        self.s = _Styles()
        self.workspace = workspace_label
        self.generated_at = generated_at
        self.audit_head_hash = audit_head_hash
        self.audit_chain = audit_chain
        self.versions = sorted(detail.versions, key=lambda v: v.version, reverse=True)
        self.champion = self._champion()

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

    def p(self, text: Any, style: Optional[ParagraphStyle] = None) -> Paragraph:
        return Paragraph(_esc(text), style or self.s.cell)

    def pm(self, markup: str, style: Optional[ParagraphStyle] = None) -> Paragraph:
        return Paragraph(markup, style or self.s.cell)

    def ident(self, text: Any, width: float, style: Optional[ParagraphStyle] = None,
              bold: bool = False) -> Paragraph:
        """An identifier in a table cell ``width`` points wide (cell padding included)."""
        style = style or self.s.cell
        font = FONT_BOLD if bold else style.fontName
        markup = _wrap_ident(text, font, style.fontSize, width - 8)
        if bold:
            markup = f"<b>{markup}</b>"
        return Paragraph(markup, style)

    def or_missing(self, text: Optional[str], style: Optional[ParagraphStyle] = None) -> Paragraph:
        if text is None or not str(text).strip():
            return self.pm("<i>Not recorded</i>", self.s.cell_muted)
        return self.p(str(text).strip(), style or self.s.kv)

    def status_cell(self, word: str) -> tuple[Paragraph, Optional[tuple]]:
        """A bold status word and its (background, text) tone for a table cell."""
        tone = _TONES.get(word.upper(), _TONE_NEUTRAL)
        style = ParagraphStyle("tg-status", parent=self.s.cell, fontName=FONT_BOLD, textColor=tone[1])
        return Paragraph(_esc(word.upper()), style), tone

    def empty(self, text: str) -> Paragraph:
        return Paragraph(_esc(text), self.s.empty)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float], *,
              right: Iterable[int] = (), tones: Sequence[tuple[int, int, Any]] = ()) -> Table:
        """A data table: navy header repeated on every page, zebra rows, Paragraph cells.

        ``tones``: ``(col, row, (background, text))`` for status cells (row 0 = first data row).
        """
        right = set(right)
        head = [Paragraph(_esc(h), self.s.cell_head_r if i in right else self.s.cell_head)
                for i, h in enumerate(header)]
        data: list[list[Any]] = [head]
        for row in rows:
            cells = []
            for i, c in enumerate(row):
                if isinstance(c, Flowable):
                    cells.append(c)
                else:
                    cells.append(self.p(c, self.s.cell_r if i in right else self.s.cell))
            data.append(cells)
        t = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
        style = [
            ("FONT", (0, 0), (-1, -1), FONT_REGULAR, 7.4),  # reportlab's default is Helvetica
            ("BACKGROUND", (0, 0), (-1, 0), _NAVY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
            ("TOPPADDING", (0, 0), (-1, -1), 2.6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.2),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, _RULE),
            ("LINEBELOW", (0, -1), (-1, -1), 0.6, _NAVY),
        ]
        if len(data) > 2:
            style.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, _ZEBRA]))
        for col, row, tone in tones:
            if tone is not None:
                style.append(("BACKGROUND", (col, row + 1), (col, row + 1), tone[0]))
        t.setStyle(TableStyle(style))
        return t

    def kv_table(self, rows: Sequence[tuple[str, Any]], *, label_width: float = 42 * mm,
                 width: float = _CONTENT_W, tones: Sequence[tuple[int, Any]] = ()) -> Table:
        """Two-column key/value block (label column tinted); values may be Flowables."""
        data = []
        for label, value in rows:
            cell = value if isinstance(value, Flowable) else self.or_missing(value)
            data.append([Paragraph(_esc(label), self.s.label), cell])
        t = Table(data, colWidths=[label_width, width - label_width], hAlign="LEFT")
        style = [
            ("FONT", (0, 0), (-1, -1), FONT_REGULAR, 8.2),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), _LABEL_BG),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, _RULE),
            ("LINEABOVE", (0, 0), (-1, 0), 0.6, _NAVY),
            ("LINEBELOW", (0, -1), (-1, -1), 0.6, _NAVY),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.6),
        ]
        for row, tone in tones:
            if tone is not None:
                style.append(("BACKGROUND", (1, row), (1, row), tone[0]))
        t.setStyle(TableStyle(style))
        return t

    def status_value(self, word: str, rest: str = "") -> tuple[Paragraph, Any]:
        tone = _TONES.get(word.upper(), _TONE_NEUTRAL)
        markup = f'<font name="{FONT_BOLD}" color="{tone[1].hexval()}">{_esc(word.upper())}</font>'
        if rest:
            markup += " " + _esc(rest)
        return Paragraph(markup, self.s.kv), tone

    def h1(self, number: int, title: str, key: str) -> Flowable:
        return _Heading(f"{number}  {title}", self.s.h1, key, 0)

    def section(self, number: int, title: str, key: str) -> list[Flowable]:
        """Start of a numbered section: a new page unless ~5 cm are left, then the heading."""
        return [CondPageBreak(140), self.h1(number, title, key)]

    def h2(self, title: str, key: str) -> Flowable:
        return _Heading(title, self.s.h2, key, 1)

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
            _Heading(REPORT_TITLE, s.cover_title, "cover", 0),
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
        if self.audit_head_hash:
            rows.append(("Audit chain head", self.p(self.audit_head_hash, s.kv_mono)))
        out.append(self.kv_table(rows, tones=[(6, v_tone), (7, d_tone)]))
        out.append(Spacer(1, 9 * mm))
        out.append(Paragraph("Contents", s.h2))
        for number, (title, key) in enumerate(_SECTIONS, start=1):
            out.append(Paragraph(f'<a href="#{key}" color="{_NAVY.hexval()}">{number}&nbsp;&nbsp;{_esc(title)}</a>',
                                 s.toc))
        out.append(Spacer(1, 8 * mm))
        out.append(Paragraph(
            "Generated by Tollgate from the workspace records at the time shown above. All times are UTC. "
            "Statuses are printed as words (PASS, FAIL, STABLE, WARNING, DRIFT); colour only repeats them. "
            "Drift thresholds: PSI &lt; 0.10 stable, 0.10 ≤ PSI &lt; 0.25 warning, PSI ≥ 0.25 drift "
            "(Siddiqi, <i>Credit Risk Scorecards</i>, 2006).",
            s.note))
        out.append(NextPageTemplate("body"))
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
            ("Registered", _ts(m.created_at, suffix=True) if m.created_at else None),
            ("Last updated", _ts(m.updated_at, suffix=True) if m.updated_at else None),
        ]
        return [self.h1(1, "Model card", "sec-card"), self.kv_table(rows)]

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

    def validation(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = self.section(4, "Validation", "sec-validation")
        runs = self.d.validation_runs
        r = self._governed_run()
        if r is None:
            out.append(self.empty("No validation run recorded yet."))
            return out
        count_txt = _status_counts(r.checks)
        result, tone = self.status_value(
            "PASSED" if r.passed else "FAILED",
            "no blocking check failed or errored" if r.passed else "at least one blocking check failed or errored")
        ver = f"Version {r.version}" + (" (champion)" if self.champion and self.champion.version == r.version else "")
        out.append(self.h2(f"Latest validation run of version {r.version} (#{r.id})", "sec-validation-latest"))
        out.append(self.kv_table([
            ("Result", result),
            ("Model version", ver),
            ("Data", r.data_label),
            ("Data SHA-256", self.p(r.data_sha256, s.kv_mono) if r.data_sha256 else None),
            ("Rows", _num(r.n_rows)),
            ("Run by", r.run_by),
            ("Started / finished", f"{_ts(r.started_at)} → {_ts(r.finished_at)} UTC"),
            ("Checks", f"{len(r.checks)} checks: {count_txt}" if r.checks else "no checks recorded"),
        ], tones=[(0, tone)]))
        out.append(Spacer(1, 6))
        if not r.checks:
            out.append(self.empty("This run recorded no checks."))
        else:
            rows, tones = [], []
            widths = [80, 56, 84, 48, 46, 100, 79]
            for i, c in enumerate(r.checks):
                cell, tone = self.status_cell(c.status.value)
                tones.append((3, i, tone))
                rows.append([
                    self.ident(c.id, widths[0], s.cell_mono),
                    self.p(c.family),
                    self.p(c.title),
                    cell,
                    self.pm("<b>yes</b>" if c.blocking else "no"),
                    self.pm(self._check_values(c)),
                    self.p(c.reason or "—", s.cell if c.reason else s.cell_muted),
                ])
            out.append(self.table(["Check ID", "Family", "Check", "Status", "Blocking", "Key values", "Reason"],
                                  rows, widths, tones=tones))
            out.append(Paragraph("A run passes when no blocking check has status FAIL or ERROR.", s.note))
        others = [x for x in runs if x.id != r.id]
        if others:
            out.append(self.h2("Other validation runs (newest first)", "sec-validation-earlier"))
            rows, tones = [], []
            for i, er in enumerate(others):
                cell, tone = self.status_cell("PASSED" if er.passed else "FAILED")
                tones.append((5, i, tone))
                rows.append([f"#{er.id}", str(er.version), _ts(er.finished_at), er.run_by, er.data_label, cell,
                             _status_counts(er.checks) or "—"])
            out.append(self.table(["Run", "Version", "Finished (UTC)", "Run by", "Data", "Result", "Checks"],
                                  rows, [34, 40, 78, 80, 115, 50, 96], tones=tones))
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
        out.append(Spacer(1, 10))
        out.append(Paragraph("— End of report —", ParagraphStyle("tg-end", parent=s.muted, alignment=1)))
        return out


    def governance(self) -> list[Flowable]:
        """Risk-tier assessment, findings, and approval requests with their electronic
        signatures (21 CFR 11.50: printed name, UTC date and time, meaning)."""
        s, g = self.s, self.gov
        out: list[Flowable] = self.section(6, "Governance: tier, findings, approvals and signatures", "sec-governance")
        if g is None:
            out.append(self.empty("Governance records were not included in this report."))
            return out
        out.append(self.h2("Risk tier assessment", "sec-gov-tier"))
        if not g.tier_assessments:
            out.append(self.empty(f"No tier questionnaire recorded; tier {self.m.risk_tier} was set at registration."))
        else:
            a = g.tier_assessments[0]
            final = f"Tier {a.final_tier}" + (f" (computed {a.computed_tier}; override: {a.override_reason})"
                                              if a.final_tier != a.computed_tier else " (as computed)")
            out.append(self.kv_table([
                ("Final tier", self.p(final, s.kv)),
                ("Answers", self.p(", ".join(f"{k} = {v}" for k, v in a.answers.items()), s.kv)),
                ("Rule set", self.p(f"version {a.rule_version}", s.kv)),
                ("Signed by", self.p(f"{a.printed_name} ({a.assessed_by}), {_ts(a.assessed_at, suffix=True)}", s.kv)),
                ("Signature SHA-256", self.p(a.signature_sha256 or "—", s.kv_mono)),
            ]))
        out.append(Spacer(1, 6))
        out.append(self.h2("Findings", "sec-gov-findings"))
        if not g.findings:
            out.append(self.empty("No finding recorded for this model."))
        else:
            rows = []
            for f in g.findings:
                closed = (f"closed {_ts(f.closed_at)} by {f.closed_by}: {f.close_reason}" if f.state == "closed"
                          else "OPEN")
                rows.append([f"#{f.id}", self.p(f.severity.upper()), self.p(f.title), self.p(f.source),
                             self.p(_ts(f.opened_at)), self.p(closed)])
            out.append(self.table(["#", "Severity", "Finding", "Source", "Opened (UTC)", "State"], rows,
                                  [26, 50, 170, 50, 70, 127]))
        out.append(Spacer(1, 6))
        out.append(self.h2("Approval requests and electronic signatures", "sec-gov-approvals"))
        if not g.requests:
            out.append(self.empty("No approval request recorded for this model."))
            return out
        out.append(Paragraph(
            "Each signature records the signer's printed name, the UTC date and time and the meaning of the "
            "signature (21 CFR 11.50), was given after re-entering the password (11.200), and is bound to the "
            "SHA-256 of the exact record version signed (11.70): the request as submitted plus the signatures "
            "before it.", s.note))
        for r in sorted(g.requests, key=lambda x: x.id):
            intact = "signatures verify" if not r.integrity_problems else "SIGNATURES DO NOT VERIFY: " + "; ".join(
                r.integrity_problems)
            out.append(Spacer(1, 4))
            out.append(self.pm(f"<b>Request #{r.id}: v{r.version}, {_esc(r.asked)}</b> — {_esc(r.state.value.upper())}; "
                               f"{_esc(r.task.value)}, tier {r.risk_tier}, RACI {_esc(r.raci_scope)} v{r.raci_version}; "
                               f"{_esc(intact)}"))
            rows = []
            for sig in r.signatures:
                rows.append([str(sig.seq), self.p(sig.printed_name), self.p(sig.role or "submitter"),
                             self.p(sig.meaning.value.upper()), self.pm(_ts(sig.signed_at).replace(" ", "<br/>", 1)),
                             self.p(sig.reason), self.ident(sig.record_sha256[:16] + "…", 62)])
            out.append(self.table(["#", "Printed name", "Capacity", "Meaning", "Time (UTC)", "Reason",
                                   "Record signed"], rows, [18, 72, 84, 52, 54, 151, 62], right=(0,)))
        return out

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


_SECTIONS = [
    ("Model card", "sec-card"),
    ("Versions and lineage", "sec-versions"),
    ("Hyperparameters", "sec-hyper"),
    ("Validation", "sec-validation"),
    ("Drift monitoring", "sec-drift"),
    ("Governance: tier, findings, approvals and signatures", "sec-governance"),
    ("Audit trail", "sec-audit"),
]


# ----------------------------------------------------------------------------- entry point


def build_audit_pdf(
    detail: ModelDetail,
    path: os.PathLike[str] | str,
    *,
    workspace_label: str,
    generated_at: Optional[datetime] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    audit_head_hash: Optional[str] = None,
    audit_chain: Optional[ChainVerification] = None,
    governance: Optional["GovernanceRecords"] = None,
) -> Path:
    """Write the audit report of one model to ``path`` (A4 PDF) and return its path.

    Args:
        detail: the model with its versions, aliases, validation runs (newest first),
            drift runs (newest first) and audit events, as loaded by the services.
        path: the PDF file to write; its folder must exist.  An existing file is
            replaced atomically: the PDF is written to a hidden temporary file in the same
            folder and moved over ``path`` only when complete, so no half-written PDF is
            ever left behind (not on cancel, not on error).
        workspace_label: how the workspace is named on the cover and in the footer
            (a file path or a URL without its password).
        generated_at: the generation time printed on every page (default: now);
            a naive datetime is taken to be UTC, an aware one is converted to UTC.
        progress: ``progress(fraction in [0, 1], message)`` called between sections
            and after each laid-out page.
        cancel: polled between sections and after each page.
        audit_head_hash: the workspace's audit-chain head hash at generation time, printed
            on the cover and under the audit trail (``tollgate audit verify
            --expect-head`` checks it later); the row is left out when ``None``.
        audit_chain: the verification of the workspace's audit chain at generation time
            (:func:`console.services.audit.verify_chain`); the audit section then prints
            its result (INTACT / BROKEN at event N, with the reason), the event range
            (first–last sequence number) and the head hash.
        governance: the model's tier assessments (newest first), findings and approval
            requests with signatures, printed in section 6; "not included" when ``None``.

    Returns:
        The absolute :class:`pathlib.Path` of the written PDF.

    Raises:
        console.errors.Cancelled: ``cancel`` was set; nothing is written and no
            temporary file is left.
        console.errors.InputError: the folder does not exist, ``path`` is a folder, or
            the file cannot be written (permissions, disk full, open in another program
            on Windows); the message names the file and what to do.
        FileNotFoundError: the shipped fonts are missing (broken installation).
    """
    target = Path(path).expanduser().absolute()
    folder = target.parent
    if target.is_dir():
        raise InputError(f"Cannot write the report to {target}: it is a folder. Give a file name ending in .pdf.")
    if not folder.is_dir():
        raise InputError(f"Cannot write the report to {target}: folder {folder} does not exist. "
                         "Create it or choose another location.")
    generated = _utc(generated_at) if generated_at is not None else datetime.now(timezone.utc)
    generated = generated.replace(microsecond=0)

    report(progress, 0.0, "Preparing report")
    register_fonts()
    checkpoint(cancel)

    m = detail.model
    builder = _Builder(detail, workspace_label=workspace_label, generated_at=generated,
                       audit_head_hash=audit_head_hash, audit_chain=audit_chain, governance=governance)
    story: list[Flowable] = []
    steps = [
        ("Cover page", builder.cover),
        ("Model card", builder.model_card),
        ("Versions and lineage", builder.versions_section),
        ("Hyperparameters", builder.hyperparameters),
        ("Validation", builder.validation),
        ("Drift monitoring", builder.drift),
        ("Governance", builder.governance),
        ("Audit trail", builder.audit_trail),
    ]
    for i, (label, fn) in enumerate(steps):
        checkpoint(cancel)
        report(progress, 0.05 + 0.7 * i / len(steps), f"Preparing section: {label}")
        part = fn()
        if story and label not in ("Cover page", "Model card"):
            story.append(Spacer(1, 8))
        story.extend(part)
    checkpoint(cancel)
    report(progress, 0.78, "Laying out pages")

    tier = _RISK_TIER_TEXT.get(m.risk_tier, f"Tier {m.risk_tier}").split(":")[0]
    status_word = m.status.value if hasattr(m.status, "value") else str(m.status)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".part", dir=str(folder))
        os.close(fd)
    except OSError as exc:
        raise InputError(
            f"Cannot write the report to {target}: {exc.strerror or exc}. "
            "Choose a folder you can write to (and a shorter file name)."
        ) from None
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; a report gets the user's usual mode
    try:
        doc = _AuditDoc(
            str(tmp),
            model_name=m.name,
            progress=progress,
            cancel=cancel,
            pagesize=A4,
            leftMargin=_MARGIN_X,
            rightMargin=_MARGIN_X,
            topMargin=_MARGIN_TOP,
            bottomMargin=_MARGIN_BOTTOM,
            title=f"{REPORT_TITLE}: {m.name}",
            author=f"Tollgate (workspace: {workspace_label})",
            subject=f"Model risk audit report for {m.name}: {tier}, lifecycle status {status_word}, "
                    f"owner {m.owner}; generated {_ts(generated, suffix=True)}",
            creator=f"Tollgate {console.__version__}",
            keywords=["model risk", "audit", "model governance", m.name],
            lang="en",
            displayDocTitle=1,
            initialFontName=FONT_REGULAR,  # else every page starts in (unembedded) Helvetica
            initialFontSize=8.6,
        )
        doc.build(story, canvasmaker=_canvas_class(m.name, generated, workspace_label))
        checkpoint(cancel)
        report(progress, 0.97, "Saving report")
        os.replace(tmp, target)
    except Cancelled:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(
            f"Cannot write the report to {target}: {exc.strerror or exc}. "
            "Check that the folder is writable, has free space and the file is not open in another program."
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    report(progress, 1.0, "Report saved")
    return target
