"""The document framework shared by Tollgate's PDF reports (reportlab; no Qt, no SQL).

One look and one pipeline for the model audit report, the model validation report and
the inventory report:

* :class:`Styles`, colours, formatting helpers (:func:`ts` for UTC times, :func:`num`
  for measured values, :func:`esc` for text with per-character-run font fallback and a
  visible placeholder for characters no bundled font has, :func:`wrap_ident` for long
  identifiers);
* :class:`Heading` -- a numbered section heading that becomes a PDF outline entry, a
  named destination and a table-of-contents entry, and whose page is recorded so other
  parts of the report (the regulatory mapping appendix) can cite "section + page";
* :class:`Expand` -- a placeholder replaced at layout time by flowables built from the
  page numbers of the previous layout pass (reportlab ``multiBuild`` repeats the layout
  until the table of contents and these page references are stable);
* :class:`BuilderBase` -- data tables (navy header repeated on every page with
  ``repeatRows``, zebra rows, Paragraph cells that wrap long unbroken strings, rows
  taller than a page split across pages with ``splitInRow``), key/value blocks, status
  words with tones;
* :func:`render_pdf` -- lays the story out (A4, cover template + body template, "Page N
  of M" footers), writes it atomically, then post-processes it with pypdf: the JSON
  evidence attachment (``PdfWriter.add_attachment``, relationship ``/Data``, listed in
  the catalogue's ``/AF``), document information (title, author, subject, keywords,
  creation date), XMP metadata with the same values and the PDF/A-3B identification,
  an sRGB output intent (ICC profile from Pillow's ``ImageCms``) and the print flag on
  every annotation.  PDF/A-3 (ISO 19005-3) because PDF/A-2 forbids non-PDF/A
  attachments.

All times are UTC; statuses are printed as words (colour only repeats them).
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

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
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

import console
from console.errors import Cancelled, InputError
from console.jobs import CancelToken, ProgressFn, checkpoint, report
from console.reports.fonts import (
    FONT_BOLD,
    FONT_MONO,
    FONT_REGULAR,
    PLACEHOLDER,
    collect_missing,
    draw_text,
    markup,
    register_fonts,
    text_width,
)

# ----------------------------------------------------------------------------- look

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 22 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X

NAVY = colors.HexColor("#1B3A5C")
INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#616E7C")
RULE = colors.HexColor("#CBD2D9")
ZEBRA = colors.HexColor("#F5F7FA")
LABEL_BG = colors.HexColor("#EEF2F6")

TONE_OK = (colors.HexColor("#E3F4E8"), colors.HexColor("#14532D"))
TONE_WARN = (colors.HexColor("#FFF1C7"), colors.HexColor("#6B4400"))
TONE_BAD = (colors.HexColor("#FDE2E1"), colors.HexColor("#8A1C12"))
TONE_NEUTRAL = (colors.HexColor("#EDEFF2"), colors.HexColor("#3E4C59"))
TONES = {
    "PASS": TONE_OK, "PASSED": TONE_OK, "STABLE": TONE_OK, "INTACT": TONE_OK, "EVIDENCED": TONE_OK,
    "APPROVED": TONE_OK, "CLOSED": TONE_OK,
    "WARN": TONE_WARN, "WARNING": TONE_WARN, "PARTIAL": TONE_WARN, "OPEN": TONE_WARN, "SKIPPED": TONE_NEUTRAL,
    "FAIL": TONE_BAD, "FAILED": TONE_BAD, "ERROR": TONE_BAD, "DRIFT": TONE_BAD, "YES": TONE_BAD,
    "BROKEN": TONE_BAD, "GAP": TONE_BAD, "REJECTED": TONE_BAD,
}
#: Status glyphs printed before the status word (all in DejaVu Sans).
GLYPHS = {"pass": "✓", "warn": "⚠", "fail": "✗", "error": "✗", "skipped": "–"}

RISK_TIER_TEXT = {
    1: "Tier 1 (highest): operational; decisions about people or money",
    2: "Tier 2: scheduled, monitored",
    3: "Tier 3: ad-hoc / self-service",
}


class Styles:
    """The paragraph styles of every Tollgate report (DejaVu fonts, 8.6 pt body)."""

    def __init__(self) -> None:
        base = ParagraphStyle("tg-body", fontName=FONT_REGULAR, fontSize=8.6, leading=11.6, textColor=INK)
        self.body = base
        self.muted = ParagraphStyle("tg-muted", parent=base, textColor=MUTED, fontSize=8)
        self.note = ParagraphStyle("tg-note", parent=base, textColor=MUTED, fontSize=7.4, leading=9.6,
                                   spaceBefore=3)
        self.empty = ParagraphStyle("tg-empty", parent=base, textColor=MUTED, backColor=ZEBRA, borderPadding=5,
                                    spaceBefore=4, spaceAfter=8, leftIndent=5, rightIndent=5)
        self.h1 = ParagraphStyle("tg-h1", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18,
                                 textColor=NAVY, spaceBefore=6, spaceAfter=6, keepWithNext=1)
        self.h2 = ParagraphStyle("tg-h2", parent=base, fontName=FONT_BOLD, fontSize=10, leading=13,
                                 textColor=NAVY, spaceBefore=10, spaceAfter=4, keepWithNext=1)
        self.h3 = ParagraphStyle("tg-h3", parent=base, fontName=FONT_BOLD, fontSize=8.8, leading=11.5,
                                 textColor=INK, spaceBefore=8, spaceAfter=3, keepWithNext=1)
        self.cell = ParagraphStyle("tg-cell", parent=base, fontSize=7.4, leading=9.3)
        self.cell_r = ParagraphStyle("tg-cell-r", parent=self.cell, alignment=TA_RIGHT)
        self.cell_muted = ParagraphStyle("tg-cell-muted", parent=self.cell, textColor=MUTED)
        self.cell_mono = ParagraphStyle("tg-cell-mono", parent=self.cell, fontName=FONT_MONO, fontSize=7.1)
        self.cell_head = ParagraphStyle("tg-cell-head", parent=self.cell, fontName=FONT_BOLD, textColor=colors.white)
        self.cell_head_r = ParagraphStyle("tg-cell-head-r", parent=self.cell_head, alignment=TA_RIGHT)
        self.label = ParagraphStyle("tg-label", parent=self.cell, fontName=FONT_BOLD, textColor=NAVY)
        self.kv = ParagraphStyle("tg-kv", parent=base, fontSize=8.2, leading=10.6)
        self.kv_mono = ParagraphStyle("tg-kv-mono", parent=self.kv, fontName=FONT_MONO, fontSize=7.6)
        self.cover_kicker = ParagraphStyle("tg-kicker", parent=base, fontName=FONT_BOLD, fontSize=9,
                                           textColor=MUTED, leading=12)
        self.cover_title = ParagraphStyle("tg-cover-title", parent=base, fontName=FONT_BOLD, fontSize=26,
                                          leading=31, textColor=NAVY, spaceAfter=6)
        self.cover_model = ParagraphStyle("tg-cover-model", parent=base, fontName=FONT_BOLD, fontSize=16,
                                          leading=20, textColor=INK, spaceAfter=4)
        self.toc = [
            ParagraphStyle("tg-toc0", parent=base, fontName=FONT_BOLD, fontSize=9.4, leading=15, textColor=NAVY,
                           leftIndent=14, firstLineIndent=-14),
            ParagraphStyle("tg-toc1", parent=base, fontSize=8.2, leading=11.5, textColor=INK, leftIndent=30,
                           firstLineIndent=-14),
        ]


# ----------------------------------------------------------------------------- formatting


def utc(dt: Optional[datetime]) -> Optional[datetime]:
    """``dt`` in UTC (a naive datetime is taken to be UTC already)."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def ts(dt: Optional[datetime], *, suffix: bool = False) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC (optionally with " UTC"); "—" for ``None``."""
    u = utc(dt) if isinstance(dt, datetime) else None
    if u is None:
        return "—" if dt is None else str(dt)
    return u.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if suffix else "")


def num(v: Any) -> str:
    """Compact human formatting of a measured value (bool -> yes/no, None -> "—")."""
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
        return text if len(text) <= 300 else text[:297] + "…"
    return str(v)


def param(v: Any) -> str:
    """A parameter value exactly as recorded (Python literal style: 0.5, 1e-05, None)."""
    if v is None or isinstance(v, (bool, int, float)):
        return repr(v)
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, default=str, sort_keys=True)


def esc(text: Any, base: str = FONT_REGULAR) -> str:
    """Paragraph markup for plain ``text`` (see :func:`console.reports.fonts.markup`)."""
    return markup(text, base)


_BREAK_AFTER = re.compile(r"[^._\[\]/,:\s(]*[._\[\]/,:\s(]?")


def wrap_ident(text: Any, font: str, size: float, width: float) -> str:
    """Paragraph markup for an identifier (dotted class path, check ID, column name) that
    breaks after ``.``, ``_``, ``[``, ``/``, ``,`` or ``(`` rather than mid-word when it
    is wider than ``width`` points.  A single piece still too wide is left to
    reportlab's long-word splitting (``splitLongWords``)."""
    text = "" if text is None else str(text)
    if text_width(text, font, size) <= width:
        return esc(text, font)
    lines: list[str] = []
    cur = ""
    for tok in (t for t in _BREAK_AFTER.findall(text) if t):
        if cur and text_width(cur + tok.rstrip(), font, size) > width:
            lines.append(cur)
            cur = tok.lstrip()
        else:
            cur += tok
    lines.append(cur)
    return "<br/>".join(esc(line, font) for line in lines)


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to at most ``width`` points."""
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


# ----------------------------------------------------------------------------- layout pieces


class PageTracker(Flowable):
    """Zero-size indexing flowable: the page of every :class:`Heading` key in the
    current layout pass (``current``) and the previous one (``previous``); satisfied
    (no further pass) when both agree."""

    def __init__(self) -> None:
        super().__init__()
        self.current: dict[str, int] = {}
        self.previous: dict[str, int] = {}
        self.titles: dict[str, str] = {}
        self.passes = 0

    def isIndexing(self) -> int:  # noqa: N802 (reportlab API)
        return 1

    def isSatisfied(self) -> int:  # noqa: N802
        return int(self.passes > 1 and self.current == self.previous)

    def beforeBuild(self) -> None:  # noqa: N802
        self.previous = self.current
        self.current = {}
        self.passes += 1

    def afterBuild(self) -> None:  # noqa: N802
        pass

    def notify(self, kind: str, stuff: Any) -> None:
        pass

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class Heading(Paragraph):
    """A heading that registers a PDF outline entry, a named destination, a table of
    contents entry (``toc_level`` not None) and its page in the :class:`PageTracker`."""

    def __init__(self, text: str, style: ParagraphStyle, key: str, level: int, *,
                 toc_level: Optional[int] = None) -> None:
        super().__init__(esc(text, style.fontName), style)
        self.tg_key = key
        self.tg_title = text
        self.tg_level = level
        self.tg_toc_level = toc_level

    def draw(self) -> None:
        super().draw()
        canv = self.canv
        _, top = canv.absolutePosition(0, self.height)
        if hasattr(canv, "tg_bookmark"):
            canv.tg_bookmark(self.tg_key, top + 6)
        else:
            canv.bookmarkHorizontalAbsolute(self.tg_key, top + 6)
        canv.addOutlineEntry(self.tg_title, self.tg_key, level=self.tg_level, closed=False)


class Expand(Flowable):
    """Placeholder replaced at layout time by ``make(pages)``: the flowables built with
    the heading pages of the previous layout pass (``{key: page}``; empty in the first)."""

    def __init__(self, make: Callable[[dict[str, int]], list[Flowable]]) -> None:
        super().__init__()
        self.make = make

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:  # never drawn itself
        return 0, 0

    def draw(self) -> None:
        pass


class ReportDoc(BaseDocTemplate):
    """A4 document with a cover template and a body template; records heading pages,
    feeds the table of contents and reports progress / polls cancel after each page."""

    def __init__(self, filename: str, *, header_title: str, header_right: str, tracker: PageTracker,
                 progress: Optional[ProgressFn], cancel: Optional[CancelToken], **kwargs: Any) -> None:
        super().__init__(filename, **kwargs)
        self.tg_header_title = header_title
        self.tg_header_right = header_right
        self.tg_tracker = tracker
        self.tg_progress = progress
        self.tg_cancel = cancel
        self.tg_last = 0.0
        self.tg_laid = 0
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
                      id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        cover_frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, PAGE_H - 40 * mm - MARGIN_BOTTOM,
                            id="cover", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate(id="cover", frames=[cover_frame], onPage=self._draw_cover_band),
            PageTemplate(id="body", frames=[frame], onPage=self._draw_header),
        ])

    def _draw_cover_band(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setFillColor(NAVY)
        canv.rect(0, PAGE_H - 24 * mm, PAGE_W, 24 * mm, stroke=0, fill=1)
        canv.setFillColor(colors.white)
        canv.setFont(FONT_BOLD, 13)
        canv.drawString(MARGIN_X, PAGE_H - 14 * mm, "TOLLGATE")
        canv.setFont(FONT_REGULAR, 8)
        canv.drawString(MARGIN_X, PAGE_H - 19 * mm, "Model governance and monitoring")
        canv.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 14 * mm, "Model risk documentation")
        canv.restoreState()

    def _draw_header(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        y = PAGE_H - 13 * mm
        canv.setFillColor(NAVY)
        left = "TOLLGATE · " + self.tg_header_title.upper()
        draw_text(canv, MARGIN_X, y, left, FONT_BOLD, 7)
        canv.setFillColor(MUTED)
        avail = CONTENT_W - text_width(left, FONT_BOLD, 7) - 24
        draw_text(canv, PAGE_W - MARGIN_X, y, fit(self.tg_header_right, FONT_REGULAR, 7, avail), FONT_REGULAR, 7,
                  anchor="end")
        canv.setStrokeColor(NAVY)
        canv.setLineWidth(0.8)
        canv.line(MARGIN_X, y - 4, PAGE_W - MARGIN_X, y - 4)
        canv.restoreState()

    def handle_flowable(self, flowables: list) -> None:  # noqa: D401 (reportlab API)
        first = flowables[0]
        if isinstance(first, Expand):
            flowables[0:1] = first.make(dict(self.tg_tracker.previous))
            if not flowables:
                return
        super().handle_flowable(flowables)

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802
        if isinstance(flowable, Heading):
            page = self.page
            self.tg_tracker.current.setdefault(flowable.tg_key, page)
            self.tg_tracker.titles.setdefault(flowable.tg_key, flowable.tg_title)
            if flowable.tg_toc_level is not None:
                self.notify("TOCEntry", (flowable.tg_toc_level, esc(flowable.tg_title), page, flowable.tg_key))

    def afterPage(self) -> None:  # noqa: N802
        checkpoint(self.tg_cancel)
        self.tg_laid += 1
        frac = min(0.95, 0.8 + 0.15 * (1 - 1 / (1 + self.tg_laid / 40)))
        self.tg_last = max(self.tg_last, frac)
        report(self.tg_progress, self.tg_last, f"Laid out page {self.page} (pass {self.tg_tracker.passes})")


def toc_flowable(styles: Styles) -> TableOfContents:
    """reportlab's :class:`TableOfContents` (dot leaders, page numbers, links) in the
    report fonts; entries come from :class:`Heading` s with a ``toc_level``."""
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = styles.toc
    toc.tableStyle = TableStyle([("FONT", (0, 0), (-1, -1), FONT_REGULAR, 8.2),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                 ("TOPPADDING", (0, 0), (-1, -1), 0),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])
    return toc


def canvas_class(title: str, subject_line: str, generated_at: datetime, workspace: str):
    """A canvas that defers page output to write "Page N of M" footers (and bind the
    section destinations on the right page) once the page count is known."""

    generated = ts(generated_at, suffix=True)
    pdf_date = generated_at.strftime("D:%Y%m%d%H%M%S+00'00'")
    footer_left = f"{title} — {subject_line}"
    footer_left2 = f"Generated {generated} · Workspace: {workspace}"
    footer_right2 = f"Tollgate {console.__version__}"

    class _NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
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
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, y + 9.5, PAGE_W - MARGIN_X, y + 9.5)
            right = f"Page {number} of {total}"
            self.setFillColor(INK)
            self.setFont(FONT_BOLD, 7.5)
            self.drawRightString(PAGE_W - MARGIN_X, y, right)
            avail = CONTENT_W - stringWidth(right, FONT_BOLD, 7.5) - 20
            draw_text(self, MARGIN_X, y, fit(footer_left, FONT_REGULAR, 7.5, avail), FONT_REGULAR, 7.5)
            self.setFillColor(MUTED)
            self.setFont(FONT_REGULAR, 6.6)
            self.drawRightString(PAGE_W - MARGIN_X, y - 9, footer_right2)
            avail2 = CONTENT_W - stringWidth(footer_right2, FONT_REGULAR, 6.6) - 20
            draw_text(self, MARGIN_X, y - 9, fit(footer_left2, FONT_REGULAR, 6.6, avail2), FONT_REGULAR, 6.6)
            self.restoreState()

    return _NumberedCanvas


#: Longest text put in one table cell paragraph; longer text is cut into several
#: paragraphs of the same cell so reportlab can split the row across pages.
_CELL_CHUNK = 1500


class BuilderBase:
    """Helpers every report builder uses (tables, key/value blocks, headings)."""

    def __init__(self) -> None:
        self.s = Styles()

    def p(self, text: Any, style: Optional[ParagraphStyle] = None) -> Any:
        style = style or self.s.cell
        text = "" if text is None else str(text)
        if len(text) <= _CELL_CHUNK:
            return Paragraph(esc(text, style.fontName), style)
        # a giant cell: several paragraphs, so the row can continue on the next page
        return [Paragraph(esc(text[i:i + _CELL_CHUNK], style.fontName), style)
                for i in range(0, len(text), _CELL_CHUNK)]

    def pm(self, markup_text: str, style: Optional[ParagraphStyle] = None) -> Paragraph:
        return Paragraph(markup_text, style or self.s.cell)

    def ident(self, text: Any, width: float, style: Optional[ParagraphStyle] = None,
              bold: bool = False) -> Paragraph:
        """An identifier in a table cell ``width`` points wide (cell padding included)."""
        style = style or self.s.cell
        font = FONT_BOLD if bold else style.fontName
        m = wrap_ident(text, font, style.fontSize, width - 8)
        if bold:
            m = f"<b>{m}</b>"
        return Paragraph(m, style)

    def or_missing(self, text: Optional[str], style: Optional[ParagraphStyle] = None) -> Any:
        if text is None or not str(text).strip():
            return self.pm("<i>Not recorded</i>", self.s.cell_muted)
        return self.p(str(text).strip(), style or self.s.kv)

    def status_cell(self, word: str, glyph: str = "") -> tuple[Paragraph, Optional[tuple]]:
        """A bold status word (with an optional glyph) and its (background, text) tone."""
        tone = TONES.get(word.upper(), TONE_NEUTRAL)
        style = ParagraphStyle("tg-status", parent=self.s.cell, fontName=FONT_BOLD, textColor=tone[1])
        text = (glyph + " " if glyph else "") + word.upper()
        return Paragraph(esc(text, FONT_BOLD), style), tone

    def status_value(self, word: str, rest: str = "", glyph: str = "") -> tuple[Paragraph, Any]:
        tone = TONES.get(word.upper(), TONE_NEUTRAL)
        text = (glyph + " " if glyph else "") + word.upper()
        m = f'<font name="{FONT_BOLD}" color="{tone[1].hexval()}">{esc(text, FONT_BOLD)}</font>'
        if rest:
            m += " " + esc(rest)
        return Paragraph(m, self.s.kv), tone

    def empty(self, text: str) -> Paragraph:
        return Paragraph(esc(text), self.s.empty)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float], *,
              right: Iterable[int] = (), tones: Sequence[tuple[int, int, Any]] = ()) -> Table:
        """A data table: navy header repeated on every page, zebra rows, Paragraph cells;
        a row taller than a page continues on the next (``splitInRow``).

        ``tones``: ``(col, row, (background, text))`` for status cells (row 0 = first data row).
        """
        right = set(right)
        head = [Paragraph(esc(h, FONT_BOLD), self.s.cell_head_r if i in right else self.s.cell_head)
                for i, h in enumerate(header)]
        data: list[list[Any]] = [head]
        for row in rows:
            cells = []
            for i, c in enumerate(row):
                if isinstance(c, (Flowable, list)):
                    cells.append(c)
                else:
                    cells.append(self.p(c, self.s.cell_r if i in right else self.s.cell))
            data.append(cells)
        t = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT", splitInRow=1)
        style = [
            ("FONT", (0, 0), (-1, -1), FONT_REGULAR, 7.4),
            ("BACKGROUND", (0, 0), (-1, 0), NAVY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
            ("TOPPADDING", (0, 0), (-1, -1), 2.6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.2),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
            ("LINEBELOW", (0, -1), (-1, -1), 0.6, NAVY),
        ]
        if len(data) > 2:
            style.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]))
        for col, row, tone in tones:
            if tone is not None:
                style.append(("BACKGROUND", (col, row + 1), (col, row + 1), tone[0]))
        t.setStyle(TableStyle(style))
        return t

    def kv_table(self, rows: Sequence[tuple[str, Any]], *, label_width: float = 42 * mm,
                 width: float = CONTENT_W, tones: Sequence[tuple[int, Any]] = ()) -> Table:
        """Two-column key/value block (label column tinted); values may be Flowables."""
        data = []
        for label, value in rows:
            cell = value if isinstance(value, (Flowable, list)) else self.or_missing(value)
            data.append([Paragraph(esc(label, FONT_BOLD), self.s.label), cell])
        t = Table(data, colWidths=[label_width, width - label_width], hAlign="LEFT", splitInRow=1)
        style = [
            ("FONT", (0, 0), (-1, -1), FONT_REGULAR, 8.2),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("LINEABOVE", (0, 0), (-1, 0), 0.6, NAVY),
            ("LINEBELOW", (0, -1), (-1, -1), 0.6, NAVY),
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

    def h1(self, number: Any, title: str, key: str) -> Flowable:
        text = f"{number}  {title}" if number not in (None, "") else title
        return Heading(text, self.s.h1, key, 0, toc_level=0)

    def section(self, number: Any, title: str, key: str) -> list[Flowable]:
        """Start of a numbered section: a new page unless ~5 cm are left, then the heading."""
        return [CondPageBreak(140), self.h1(number, title, key)]

    def h2(self, title: str, key: str, *, toc: bool = True) -> Flowable:
        return Heading(title, self.s.h2, key, 1, toc_level=1 if toc else None)

    def h3(self, title: str, key: str) -> Flowable:
        return Heading(title, self.s.h3, key, 1, toc_level=1)


# ----------------------------------------------------------------------------- rendering


@dataclass
class RenderResult:
    """What :func:`render_pdf` produced: the file, its page count, the heading pages
    (``{key: page}``), warnings (characters no bundled font has), layout passes."""

    path: Path
    pages: int
    section_pages: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    passes: int = 0


@dataclass(frozen=True)
class PdfMeta:
    """Document information written both to the Info dictionary and to XMP."""

    title: str
    author: str
    subject: str
    keywords: Sequence[str]
    created: datetime


def missing_glyph_warning(found: dict) -> Optional[str]:
    """One warning line naming the characters no bundled font has (or None)."""
    if not found:
        return None
    chars = sorted(found)
    listed = ", ".join(f"U+{ord(c):04X} {c!r}" for c in chars[:20])
    more = f" and {len(chars) - 20} more" if len(chars) > 20 else ""
    return (f"{sum(found.values())} character(s) have no glyph in the bundled fonts (DejaVu Sans, Droid Sans "
            f"Fallback) and are printed as {PLACEHOLDER!r}: {listed}{more}")


def render_pdf(
    path: os.PathLike[str] | str,
    make_story: Callable[[PageTracker], list[Flowable]],
    *,
    meta: PdfMeta,
    header_title: str,
    header_right: str,
    workspace_label: str,
    evidence: Optional[Callable[[RenderResult], dict[str, Any]]] = None,
    evidence_name: str = "tollgate-evidence.json",
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> RenderResult:
    """Lay out ``make_story(tracker)`` as an A4 PDF at ``path`` (atomically) and return
    what was written.

    ``evidence(result)`` (optional) returns the JSON-safe dict attached to the PDF as
    ``evidence_name`` (computed after layout, so it can cite section pages).  The file is
    first written to a hidden temporary file in the same folder and moved over ``path``
    only when complete: no half-written report is left on cancel or error.

    Raises:
        Cancelled: ``cancel`` was set (nothing written).
        InputError: the folder does not exist, ``path`` is a folder, or the file cannot
            be written; the message names the file and what to do.
    """
    target = Path(path).expanduser().absolute()
    folder = target.parent
    if target.is_dir():
        raise InputError(f"Cannot write the report to {target}: it is a folder. Give a file name ending in .pdf.")
    if not folder.is_dir():
        raise InputError(f"Cannot write the report to {target}: folder {folder} does not exist. "
                         "Create it or choose another location.")
    register_fonts()
    generated = utc(meta.created) or datetime.now(timezone.utc)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".part", dir=str(folder))
        os.close(fd)
    except OSError as exc:
        raise InputError(f"Cannot write the report to {target}: {exc.strerror or exc}. "
                         "Choose a folder you can write to (and a shorter file name).") from None
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)
        tracker = PageTracker()
        with collect_missing() as found:
            story = [tracker] + make_story(tracker)
            checkpoint(cancel)
            report(progress, 0.78, "Laying out pages")
            raw = io.BytesIO()
            doc = ReportDoc(
                raw, header_title=header_title, header_right=header_right, tracker=tracker,
                progress=progress, cancel=cancel, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=meta.title, author=meta.author,
                subject=meta.subject, creator=f"Tollgate {console.__version__}", keywords=list(meta.keywords),
                lang="en", displayDocTitle=1, initialFontName=FONT_REGULAR, initialFontSize=8.6, invariant=1,
            )
            passes = doc.multiBuild(story, maxPasses=6,
                                    canvasmaker=canvas_class(header_title, header_right, generated, workspace_label))
        pages = doc.page
        result = RenderResult(tmp, pages, dict(tracker.current), [], passes)
        w = missing_glyph_warning(found)
        if w:
            result.warnings.append(w)
        checkpoint(cancel)
        report(progress, 0.96, "Embedding evidence and metadata")
        doc_json = evidence(result) if evidence is not None else None
        _finalize(raw.getvalue(), tmp, meta=meta, attachment=(evidence_name, doc_json) if doc_json else None)
        checkpoint(cancel)
        os.replace(tmp, target)
    except Cancelled:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"Cannot write the report to {target}: {exc.strerror or exc}. Check that the folder is "
                         "writable, has free space and the file is not open in another program.") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    result.path = target
    report(progress, 1.0, "Report saved")
    return result


def _srgb_icc() -> bytes:
    """An sRGB ICC profile (Pillow's ImageCms / LittleCMS built-in sRGB)."""
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _xml(text: Any) -> str:
    from xml.sax.saxutils import escape

    # XML 1.0 forbids most control characters
    return escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", str(text)))


def _xmp(meta: PdfMeta, producer: str, creator: str) -> bytes:
    when = utc(meta.created).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    kw = ", ".join(meta.keywords)
    xmp = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_xml(meta.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{_xml(meta.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{_xml(meta.subject)}</rdf:li></rdf:Alt></dc:description>
   <pdf:Keywords>{_xml(kw)}</pdf:Keywords>
   <pdf:Producer>{_xml(producer)}</pdf:Producer>
   <xmp:CreatorTool>{_xml(creator)}</xmp:CreatorTool>
   <xmp:CreateDate>{when}</xmp:CreateDate>
   <xmp:ModifyDate>{when}</xmp:ModifyDate>
   <xmp:MetadataDate>{when}</xmp:MetadataDate>
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return xmp.encode("utf-8")


def _finalize(pdf: bytes, out: Path, *, meta: PdfMeta, attachment: Optional[tuple[str, dict]]) -> None:
    """pypdf post-processing: attachment, Info + XMP metadata, sRGB output intent, print
    flag on annotations (the PDF/A-3B requirements reportlab does not write itself)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.pdf_header = b"%PDF-1.7"  # PDF/A-3 is based on ISO 32000-1 (PDF 1.7); attachments need >= 1.7 /AF
    created = utc(meta.created)
    pdf_date = created.strftime("D:%Y%m%d%H%M%S+00'00'")
    producer = f"Tollgate {console.__version__} (reportlab, pypdf)"
    creator = f"Tollgate {console.__version__}"
    writer.add_metadata({
        "/Title": meta.title, "/Author": meta.author, "/Subject": meta.subject,
        "/Keywords": ", ".join(meta.keywords), "/Creator": creator, "/Producer": producer,
        "/CreationDate": pdf_date, "/ModDate": pdf_date,
    })
    writer.xmp_metadata = _xmp(meta, producer, creator)
    root = writer.root_object
    # PDF/A (ISO 19005 §6.7.2) and poppler want the stream typed: /Type /Metadata /Subtype /XML
    xmp_stream = root["/Metadata"].get_object()
    xmp_stream[NameObject("/Type")] = NameObject("/Metadata")
    xmp_stream[NameObject("/Subtype")] = NameObject("/XML")
    icc = DecodedStreamObject()
    icc.set_data(_srgb_icc())
    icc[NameObject("/N")] = NumberObject(3)
    intent = DictionaryObject({
        NameObject("/Type"): NameObject("/OutputIntent"),
        NameObject("/S"): NameObject("/GTS_PDFA1"),
        NameObject("/OutputConditionIdentifier"): TextStringObject("sRGB IEC61966-2.1"),
        NameObject("/Info"): TextStringObject("sRGB IEC61966-2.1"),
        NameObject("/RegistryName"): TextStringObject("http://www.color.org"),
        NameObject("/DestOutputProfile"): writer._add_object(icc),
    })
    root[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    for page in writer.pages:
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            a[NameObject("/F")] = NumberObject(4)  # Print
    if attachment is not None:
        name, doc = attachment
        data = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False, allow_nan=False).encode("utf-8")
        ef = writer.add_attachment(name, data)
        ef.subtype = NameObject("/application#2Fjson")
        ef.description = TextStringObject("Machine-readable evidence: the facts printed in this report (JSON)")
        ef.associated_file_relationship = NameObject("/Data")
        ef.modification_date = created
        ef.size = NumberObject(len(data))
        ef.pdf_object[NameObject("/UF")] = TextStringObject(name)
        root[NameObject("/AF")] = ArrayObject([ef.pdf_object.indirect_reference or writer._add_object(ef.pdf_object)])
    with open(out, "wb") as fh:
        writer.write(fh)
