"""Embedded fonts for Tollgate's PDF reports (no Qt, no SQL).

Every text run in a Tollgate PDF uses DejaVu Sans (regular / bold) or DejaVu Sans Mono,
shipped in ``resources/fonts/`` (licence: ``resources/fonts/LICENSE-DejaVu.txt``); runs of
characters DejaVu lacks (Chinese, Japanese kana and kanji) use Droid Sans Fallback Full
(Apache-2.0, ``resources/fonts/LICENSE-DroidSansFallback.txt``), chosen per character run
by :func:`markup` / :func:`text_runs`.  A character neither font has is printed as the
visible placeholder :data:`PLACEHOLDER` and collected by :func:`collect_missing`, so the
report can list it in a warning.  (reportlab's ``TTFont`` cannot read CFF-outline fonts
such as Noto Sans CJK, hence the TrueType-outline Droid font.)
reportlab embeds a subset of each TrueType font into the PDF, with a ToUnicode map, so
Cyrillic, Greek and other non-Latin names print on any machine and can be searched and
copied from the PDF.  The PDF base-14 fonts (Helvetica, ...) are never used: they only
cover Latin-1.

:func:`register_fonts` is idempotent and thread-safe; call it before building any
paragraph style or drawing that names one of the font constants below.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from typing import Any, Iterator, Optional
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from console.paths import resource_path

__all__ = [
    "FONT_CJK",
    "PLACEHOLDER",
    "collect_missing",
    "markup",
    "text_runs",
    "single_font_text",
    "draw_text",
    "text_width",
    "FONT_REGULAR",
    "FONT_BOLD",
    "FONT_MONO",
    "FONT_FILES",
    "register_fonts",
]

#: reportlab font names registered by :func:`register_fonts`.
FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_MONO = "DejaVuSansMono"
FONT_CJK = "DroidSansFallback"
#: Printed for a character that no bundled font has (U+FFFD REPLACEMENT CHARACTER).
PLACEHOLDER = "\ufffd"

#: font name -> file name in ``resources/fonts/``.
FONT_FILES: dict[str, str] = {
    FONT_REGULAR: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_MONO: "DejaVuSansMono.ttf",
    FONT_CJK: "DroidSansFallbackFull.ttf",
}

_lock = threading.Lock()
_registered = False
_coverage: dict[str, frozenset] = {}


def register_fonts() -> None:
    """Register the shipped TrueType fonts with reportlab, once per process.

    Registers :data:`FONT_REGULAR`, :data:`FONT_BOLD` and :data:`FONT_MONO` and maps the
    ``DejaVuSans`` family so ``<b>`` in a Paragraph selects the bold face (italic maps to
    the upright faces: no oblique face is shipped).  Safe to call from several threads
    at once; later calls return immediately.

    Raises:
        FileNotFoundError: a font file is missing from ``resources/fonts/`` (a broken
            installation; the message names the file and says to reinstall).
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        fonts = []
        for name, file_name in FONT_FILES.items():
            path = resource_path("fonts", file_name)
            if not path.is_file():
                raise FileNotFoundError(
                    f"Font file {path} is missing; the Tollgate installation is incomplete. "
                    "Reinstall Tollgate."
                )
            fonts.append(TTFont(name, str(path)))
        for font in fonts:
            pdfmetrics.registerFont(font)
        # <b>/<i> inside Paragraph markup look up the family mapping.
        addMapping(FONT_REGULAR, 0, 0, FONT_REGULAR)
        addMapping(FONT_REGULAR, 1, 0, FONT_BOLD)
        addMapping(FONT_REGULAR, 0, 1, FONT_REGULAR)
        addMapping(FONT_REGULAR, 1, 1, FONT_BOLD)
        addMapping(FONT_BOLD, 0, 0, FONT_BOLD)
        addMapping(FONT_BOLD, 1, 0, FONT_BOLD)
        addMapping(FONT_BOLD, 0, 1, FONT_BOLD)
        addMapping(FONT_BOLD, 1, 1, FONT_BOLD)
        addMapping(FONT_MONO, 0, 0, FONT_MONO)
        addMapping(FONT_MONO, 1, 0, FONT_MONO)
        addMapping(FONT_MONO, 0, 1, FONT_MONO)
        addMapping(FONT_MONO, 1, 1, FONT_MONO)
        for b in (0, 1):
            for i in (0, 1):
                addMapping(FONT_CJK, b, i, FONT_CJK)
        _coverage.update({name: frozenset(pdfmetrics.getFont(name).face.charToGlyph) for name in FONT_FILES})
        _registered = True


# ----------------------------------------------------------------------------- per-run fallback

_missing: contextvars.ContextVar[Optional[dict]] = contextvars.ContextVar("tollgate_missing_glyphs", default=None)
#: Characters that are layout, not glyphs (never reported as missing).
_LAYOUT = frozenset("\n\r\t\u00ad\u200b\u200c\u200d\ufeff")


@contextlib.contextmanager
def collect_missing() -> Iterator[dict]:
    """Collect, while the block runs in this thread/context, every character that no
    bundled font can draw: yields a dict ``{character: count}`` that fills up as
    :func:`markup`, :func:`text_runs` and :func:`single_font_text` meet them."""
    found: dict = {}
    token = _missing.set(found)
    try:
        yield found
    finally:
        _missing.reset(token)


def _note_missing(ch: str) -> None:
    found = _missing.get()
    if found is not None:
        found[ch] = found.get(ch, 0) + 1


def _font_for(ch: str, base: str) -> Optional[str]:
    cp = ord(ch)
    if cp in _coverage.get(base, ()):
        return base
    if base != FONT_REGULAR and cp in _coverage.get(FONT_REGULAR, ()):
        return FONT_REGULAR
    if cp in _coverage.get(FONT_CJK, ()):
        return FONT_CJK
    return None


def text_runs(text: Any, base: str = FONT_REGULAR) -> list[tuple[str, str]]:
    """Split ``text`` into ``[(font name, run), ...]``: each run drawn in ``base`` when
    the font has all its characters, else DejaVu Sans, else Droid Sans Fallback; a
    character none of them has becomes :data:`PLACEHOLDER` (in ``base``) and is
    recorded for :func:`collect_missing`.  Control characters other than newline and
    tab become spaces."""
    register_fonts()
    text = "" if text is None else str(text)
    runs: list[tuple[str, str]] = []
    for ch in text:
        if ch in _LAYOUT:
            font = base
            ch = " " if ch in "\n\r\t" else ""
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0:
            font, ch = base, " "
        else:
            font = _font_for(ch, base)
            if font is None:
                _note_missing(ch)
                font, ch = base, PLACEHOLDER
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return runs


def markup(text: Any, base: str = FONT_REGULAR) -> str:
    """``text`` escaped for a reportlab Paragraph, with ``<font name=...>`` around the
    runs that need Droid Sans Fallback and :data:`PLACEHOLDER` for characters no bundled
    font has (see :func:`text_runs`).  ``base`` is the paragraph style's font."""
    out = []
    for font, run in text_runs(text, base):
        esc = escape(run)
        if font == base:
            out.append(esc)
        else:
            out.append(f'<font name="{font}">{esc}</font>')
    return "".join(out)


def single_font_text(text: Any, base: str = FONT_REGULAR) -> tuple[str, str]:
    """One font for a whole string (chart labels, which reportlab draws as one run):
    ``base`` if it covers every character, else Droid Sans Fallback if that does, else
    ``base`` with :data:`PLACEHOLDER` for the characters ``base`` lacks (recorded)."""
    register_fonts()
    text = "" if text is None else " ".join(str(text).split())
    cov = _coverage.get(base, frozenset())
    if all(ord(c) in cov for c in text):
        return base, text
    cjk = _coverage.get(FONT_CJK, frozenset())
    if all(ord(c) in cjk or c == " " for c in text):
        return FONT_CJK, text
    out = []
    for c in text:
        if ord(c) in cov:
            out.append(c)
        else:
            if ord(c) not in cjk:
                _note_missing(c)
            out.append(PLACEHOLDER)
    return base, "".join(out)


def text_width(text: Any, font: str, size: float) -> float:
    """Width in points of ``text`` drawn with per-run fallback (see :func:`text_runs`)."""
    return sum(pdfmetrics.stringWidth(run, f, size) for f, run in text_runs(text, font))


def draw_text(canv: Any, x: float, y: float, text: Any, font: str, size: float, *, anchor: str = "start") -> None:
    """Draw ``text`` on a reportlab canvas at ``(x, y)`` with per-run font fallback;
    ``anchor``: ``start``, ``end`` or ``middle``."""
    runs = text_runs(text, font)
    width = sum(pdfmetrics.stringWidth(r, f, size) for f, r in runs)
    if anchor == "end":
        x -= width
    elif anchor == "middle":
        x -= width / 2
    for f, r in runs:
        canv.setFont(f, size)
        canv.drawString(x, y, r)
        x += pdfmetrics.stringWidth(r, f, size)
