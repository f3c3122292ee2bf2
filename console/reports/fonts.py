"""Embedded fonts for Tollgate's PDF reports (no Qt, no SQL).

Every text run in a Tollgate PDF uses DejaVu Sans (regular / bold) or DejaVu Sans Mono,
shipped in ``resources/fonts/`` (licence: ``resources/fonts/LICENSE-DejaVu.txt``).
reportlab embeds a subset of each TrueType font into the PDF, with a ToUnicode map, so
Cyrillic, Greek and other non-Latin names print on any machine and can be searched and
copied from the PDF.  The PDF base-14 fonts (Helvetica, ...) are never used: they only
cover Latin-1.

:func:`register_fonts` is idempotent and thread-safe; call it before building any
paragraph style or drawing that names one of the font constants below.
"""

from __future__ import annotations

import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from console.paths import resource_path

__all__ = [
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

#: font name -> file name in ``resources/fonts/``.
FONT_FILES: dict[str, str] = {
    FONT_REGULAR: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_MONO: "DejaVuSansMono.ttf",
}

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the shipped DejaVu TrueType fonts with reportlab, once per process.

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
        _registered = True
