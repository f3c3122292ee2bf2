"""Colour tokens, the Qt palette built from them, and status glyphs.

Every colour the GUI uses comes from :data:`TOKENS` (the Qt palette, the status glyphs,
the pyqtgraph charts), so a theme change is a change to one table.  Statuses are never
shown by colour alone: each has a word *and* a glyph whose shape differs (circle with a
tick, triangle with "!", octagon with a cross, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
)


@dataclass(frozen=True)
class ColourTokens:
    """The light theme.  Text/background pairs meet WCAG AA contrast (>= 4.5:1)."""

    window: str = "#f3f5f8"
    surface: str = "#ffffff"  # tables, text fields, chart background
    surface_alt: str = "#f6f8fa"  # alternate table rows
    border: str = "#d0d7de"
    text: str = "#1f2328"
    text_muted: str = "#57606a"
    accent: str = "#0b5cad"  # selection, links, primary series
    accent_text: str = "#ffffff"
    disabled_text: str = "#8c959f"
    tooltip_bg: str = "#1f2328"
    tooltip_text: str = "#ffffff"
    # status colours (text-safe on white) and lighter fills for bands
    ok: str = "#1a7f37"
    warn: str = "#9a6700"
    warn_fill: str = "#d4a72c"
    bad: str = "#cf222e"
    neutral: str = "#6e7781"
    band_warn: str = "#fff8e5"
    band_bad: str = "#fdeeee"
    # charts
    reference: str = "#8c96a3"
    current: str = "#0b5cad"


TOKENS = ColourTokens()

#: Categorical series colours (Okabe & Ito, colour-blind safe; the yellow is replaced by
#: a darker ochre so that it stays visible on white).
SERIES = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#d55e00",
    "#56b4e9",
    "#8c6d31",
    "#4d4d4d",
    "#7b3294",
    "#1b9e77",
)

#: pyqtgraph symbols, cycled together with :data:`SERIES` so lines differ by shape too.
SYMBOLS = ("o", "s", "t", "d", "star", "t1", "p", "h", "+", "x")


def series_colour(i: int) -> str:
    return SERIES[i % len(SERIES)]


def series_symbol(i: int) -> str:
    """Marker of series ``i``; shifted once the colours wrap, so no two of the first
    100 series share both colour and marker."""
    return SYMBOLS[(i + i // len(SERIES)) % len(SYMBOLS)]


def build_palette(t: ColourTokens = TOKENS) -> QPalette:
    """A complete light :class:`QPalette` (for the Fusion style) from the tokens."""
    pal = QPalette()
    c = QColor
    roles = {
        QPalette.ColorRole.Window: t.window,
        QPalette.ColorRole.WindowText: t.text,
        QPalette.ColorRole.Base: t.surface,
        QPalette.ColorRole.AlternateBase: t.surface_alt,
        QPalette.ColorRole.ToolTipBase: t.tooltip_bg,
        QPalette.ColorRole.ToolTipText: t.tooltip_text,
        QPalette.ColorRole.PlaceholderText: t.text_muted,
        QPalette.ColorRole.Text: t.text,
        QPalette.ColorRole.Button: t.window,
        QPalette.ColorRole.ButtonText: t.text,
        QPalette.ColorRole.BrightText: t.bad,
        QPalette.ColorRole.Highlight: t.accent,
        QPalette.ColorRole.HighlightedText: t.accent_text,
        QPalette.ColorRole.Link: t.accent,
        QPalette.ColorRole.LinkVisited: t.accent,
        QPalette.ColorRole.Light: "#ffffff",
        QPalette.ColorRole.Midlight: "#eaeef2",
        QPalette.ColorRole.Mid: t.border,
        QPalette.ColorRole.Dark: "#afb8c1",
        QPalette.ColorRole.Shadow: "#8c959f",
    }
    for role, value in roles.items():
        pal.setColor(QPalette.ColorGroup.All, role, c(value))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, c(t.disabled_text))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, c(t.border))
    # keep the selection visible when the table loses focus
    pal.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, c("#cfe2f7"))
    pal.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.HighlightedText, c(t.text))
    return pal


#: A small style sheet for what the palette cannot express (kept minimal on purpose,
#: style sheets disable parts of the Fusion drawing).
STYLE_SHEET = f"""
QToolTip {{ color: {TOKENS.tooltip_text}; background: {TOKENS.tooltip_bg};
            border: 1px solid {TOKENS.tooltip_bg}; padding: 4px; }}
QLabel[role="title"] {{ font-size: 15pt; font-weight: 600; }}
QLabel[role="subtitle"] {{ color: {TOKENS.text_muted}; }}
QLabel[role="muted"] {{ color: {TOKENS.text_muted}; }}
QLabel[role="placeholder"] {{ color: {TOKENS.text_muted}; font-size: 11pt; }}
QLabel[role="section"] {{ font-weight: 600; color: {TOKENS.text}; }}
QLabel[role="fieldname"] {{ color: {TOKENS.text_muted}; }}
QLabel[role="chip"] {{ border: 1px solid {TOKENS.border}; border-radius: 9px;
                       padding: 1px 8px; background: {TOKENS.surface}; }}
QFrame[role="card"] {{ background: {TOKENS.surface}; border: 1px solid {TOKENS.border};
                       border-radius: 6px; }}
QTableView {{ gridline-color: #eaeef2; }}
QHeaderView::section {{ padding: 4px 6px; }}
QStatusBar QLabel {{ padding: 0 6px; }}
"""


def apply_theme(app) -> None:
    """Fusion style + token palette on ``app`` and the same colours in pyqtgraph."""
    app.setStyle("Fusion")
    app.setPalette(build_palette())
    font = app.font()
    if font.pointSizeF() < 9.5:
        font.setPointSizeF(9.5)
        app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)
    # pyqtgraph takes its colours from configure_pyqtgraph(), called by
    # console.ui.drift_chart on import (pyqtgraph is imported only when a chart is built)


def configure_pyqtgraph() -> None:
    """Chart colours from the same tokens as the Qt palette (call before building plots)."""
    import pyqtgraph as pg

    pg.setConfigOptions(
        background=TOKENS.surface,
        foreground=TOKENS.text_muted,
        antialias=True,
    )


# --------------------------------------------------------------------------- statuses


@dataclass(frozen=True)
class StatusStyle:
    word: str  # the text shown next to the glyph
    colour: str
    shape: str  # circle-check | triangle | octagon-x | circle | circle-dash | dot


_STATUS: dict[str, StatusStyle] = {
    # validation results / check statuses
    "pass": StatusStyle("pass", TOKENS.ok, "circle-check"),
    "warn": StatusStyle("warn", TOKENS.warn, "triangle"),
    "fail": StatusStyle("fail", TOKENS.bad, "octagon-x"),
    "error": StatusStyle("error", TOKENS.bad, "square-bang"),
    "skipped": StatusStyle("skipped", TOKENS.neutral, "circle-dash"),
    # drift statuses
    "stable": StatusStyle("stable", TOKENS.ok, "circle-check"),
    "warning": StatusStyle("warning", TOKENS.warn, "triangle"),
    "drift": StatusStyle("drift", TOKENS.bad, "octagon-x"),
    # missing
    "none": StatusStyle("—", TOKENS.neutral, "circle-dash"),
    # registry connections and pulled models (never colour alone: each has a word too)
    "ok": StatusStyle("synced", TOKENS.ok, "circle-check"),
    "never": StatusStyle("never synced", TOKENS.neutral, "circle-dash"),
    "offline": StatusStyle("offline", TOKENS.warn, "circle-slash"),
    "unreachable": StatusStyle("unreachable", TOKENS.warn, "circle-slash"),
    "auth": StatusStyle("sign-in refused", TOKENS.bad, "lock"),
    "changed": StatusStyle("changed on server", TOKENS.accent, "diamond"),
    "deleted": StatusStyle("deleted on server", TOKENS.bad, "octagon-x"),
    "broken": StatusStyle("broken", TOKENS.bad, "square-bang"),
    "no-artifact": StatusStyle("no artifact", TOKENS.neutral, "circle-dash"),
}


def status_style(status: Optional[str]) -> StatusStyle:
    """Style of a status word (``pass``, ``warning``, ``drift``...); unknown -> neutral."""
    key = (getattr(status, "value", status) or "none").lower()
    return _STATUS.get(key, StatusStyle(key, TOKENS.neutral, "circle"))


def status_colour(status: Optional[str]) -> QColor:
    return QColor(status_style(status).colour)


def _paint_glyph(p: QPainter, shape: str, colour: QColor, s: float) -> None:
    m = s * 0.08
    r = QRectF(m, m, s - 2 * m, s - 2 * m)
    white = QPen(QColor("#ffffff"), max(1.4, s * 0.12))
    white.setCapStyle(Qt.PenCapStyle.RoundCap)
    white.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(colour))
    cx, cy = s / 2, s / 2
    if shape == "circle-check":
        p.drawEllipse(r)
        p.setPen(white)
        p.drawPolyline(
            QPolygonF([QPointF(s * 0.28, s * 0.52), QPointF(s * 0.44, s * 0.68), QPointF(s * 0.72, s * 0.36)])
        )
    elif shape == "triangle":
        tri = QPolygonF([QPointF(cx, s * 0.06), QPointF(s * 0.96, s * 0.92), QPointF(s * 0.04, s * 0.92)])
        p.drawPolygon(tri)
        p.setPen(white)
        p.drawLine(QPointF(cx, s * 0.38), QPointF(cx, s * 0.64))
        p.drawPoint(QPointF(cx, s * 0.79))
    elif shape == "octagon-x":
        import math

        pts = [
            QPointF(cx + (s / 2 - m) * math.cos(math.pi / 8 + k * math.pi / 4),
                    cy + (s / 2 - m) * math.sin(math.pi / 8 + k * math.pi / 4))
            for k in range(8)
        ]
        p.drawPolygon(QPolygonF(pts))
        p.setPen(white)
        d = s * 0.2
        p.drawLine(QPointF(cx - d, cy - d), QPointF(cx + d, cy + d))
        p.drawLine(QPointF(cx - d, cy + d), QPointF(cx + d, cy - d))
    elif shape == "square-bang":
        p.drawRoundedRect(r, s * 0.15, s * 0.15)
        p.setPen(white)
        p.drawLine(QPointF(cx, s * 0.24), QPointF(cx, s * 0.58))
        p.drawPoint(QPointF(cx, s * 0.76))
    elif shape == "circle-slash":  # offline: a ring crossed by a slash
        pen = QPen(colour, max(1.4, s * 0.13))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(r.adjusted(s * 0.06, s * 0.06, -s * 0.06, -s * 0.06))
        p.drawLine(QPointF(s * 0.26, s * 0.26), QPointF(s * 0.74, s * 0.74))
    elif shape == "diamond":  # changed: a filled diamond (delta)
        p.drawPolygon(QPolygonF([QPointF(cx, s * 0.06), QPointF(s * 0.94, cy), QPointF(cx, s * 0.94),
                                 QPointF(s * 0.06, cy)]))
        p.setPen(white)
        p.drawPoint(QPointF(cx, cy))
    elif shape == "lock":  # sign-in refused: a padlock
        pen = QPen(colour, max(1.4, s * 0.12))
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawArc(QRectF(s * 0.3, s * 0.08, s * 0.4, s * 0.46), 0, 180 * 16)
        p.drawLine(QPointF(s * 0.3, s * 0.31), QPointF(s * 0.3, s * 0.46))
        p.drawLine(QPointF(s * 0.7, s * 0.31), QPointF(s * 0.7, s * 0.46))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(colour))
        p.drawRoundedRect(QRectF(s * 0.16, s * 0.44, s * 0.68, s * 0.5), s * 0.08, s * 0.08)
    elif shape == "circle-dash":
        pen = QPen(colour, max(1.2, s * 0.1))
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(r.adjusted(s * 0.06, s * 0.06, -s * 0.06, -s * 0.06))
        p.drawLine(QPointF(s * 0.34, cy), QPointF(s * 0.66, cy))
    else:
        p.drawEllipse(r)


@lru_cache(maxsize=64)
def status_icon(status: Optional[str], size: int = 16) -> QIcon:
    """A glyph for a status word; the shape differs per status (not only the colour)."""
    style = status_style(status)
    icon = QIcon()
    for scale in (1, 2):
        s = size * scale
        pm = QPixmap(s, s)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        _paint_glyph(p, style.shape, QColor(style.colour), float(s))
        p.end()
        icon.addPixmap(pm)
    return icon


def swatch_icon(colour: str, symbol_index: int = 0, size: int = 16) -> QIcon:
    """A short line with a marker, used as legend swatch for a chart series."""
    pm = QPixmap(size * 2, size * 2)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size * 2
    pen = QPen(QColor(colour), s * 0.1)
    p.setPen(pen)
    p.drawLine(QPointF(s * 0.05, s / 2), QPointF(s * 0.95, s / 2))
    p.setBrush(QColor(colour))
    p.setPen(Qt.PenStyle.NoPen)
    shape = series_symbol(symbol_index)
    c = s / 2
    rr = s * 0.2
    if shape == "s":
        p.drawRect(QRectF(c - rr, c - rr, 2 * rr, 2 * rr))
    elif shape in ("t", "t1"):
        sign = 1 if shape == "t" else -1
        p.drawPolygon(QPolygonF([QPointF(c, c + sign * rr), QPointF(c - rr, c - sign * rr), QPointF(c + rr, c - sign * rr)]))
    elif shape == "d":
        p.drawPolygon(QPolygonF([QPointF(c, c - rr), QPointF(c + rr, c), QPointF(c, c + rr), QPointF(c - rr, c)]))
    else:
        p.drawEllipse(QPointF(c, c), rr, rr)
    p.end()
    return QIcon(pm)


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    """The window icon: a shipped ``resources/icons/tollgate.{svg,png}`` when present,
    else a small generated one (a gate bar over a blue rounded square)."""
    try:
        from console.paths import resource_path

        for name in ("tollgate.svg", "tollgate.png", "app.svg", "app.png"):
            path = resource_path("icons", name)
            if path.exists():
                icon = QIcon(str(path))
                if not icon.isNull():
                    return icon
    except Exception:  # pragma: no cover - resources are optional
        pass
    icon = QIcon()
    for s in (16, 32, 64, 128):
        pm = QPixmap(s, s)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(TOKENS.accent))
        p.drawRoundedRect(QRectF(0, 0, s, s), s * 0.2, s * 0.2)
        p.setBrush(QColor("#ffffff"))
        path = QPainterPath()
        path.addRoundedRect(QRectF(s * 0.18, s * 0.3, s * 0.64, s * 0.14), s * 0.05, s * 0.05)
        path.addRoundedRect(QRectF(s * 0.43, s * 0.3, s * 0.14, s * 0.5), s * 0.05, s * 0.05)
        p.drawPath(path.simplified())
        p.end()
        icon.addPixmap(pm)
    return icon


def bold(font: QFont) -> QFont:
    f = QFont(font)
    f.setBold(True)
    return f


#: A text glyph per status shape, for rich-text labels where an icon cannot go.
_GLYPHS = {
    "circle-check": "✔",
    "triangle": "▲",
    "octagon-x": "✖",
    "square-bang": "!",
    "circle-dash": "–",
    "circle-slash": "⊘",
    "diamond": "◆",
    "lock": "✖",
}


def status_glyph(status: Optional[str]) -> str:
    """The text glyph of a status (``✔`` pass, ``⊘`` offline, ...); ``●`` if unknown."""
    return _GLYPHS.get(status_style(status).shape, "●")


@lru_cache(maxsize=1)
def sync_icon() -> QIcon:
    """"Sync registries": an arrow pulling down into a tray, in the accent colour."""
    icon = QIcon()
    for s in (16, 32):
        pm = QPixmap(s, s)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(TOKENS.accent), max(1.6, s * 0.12))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.drawLine(QPointF(s * 0.5, s * 0.1), QPointF(s * 0.5, s * 0.62))
        p.drawPolyline(QPolygonF([QPointF(s * 0.28, s * 0.42), QPointF(s * 0.5, s * 0.64), QPointF(s * 0.72, s * 0.42)]))
        p.drawPolyline(QPolygonF([QPointF(s * 0.12, s * 0.62), QPointF(s * 0.12, s * 0.88), QPointF(s * 0.88, s * 0.88),
                                  QPointF(s * 0.88, s * 0.62)]))
        p.end()
        icon.addPixmap(pm)
    return icon
