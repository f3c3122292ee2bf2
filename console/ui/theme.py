"""Colour tokens (light and dark), the Qt palette and style sheet built from them,
pyqtgraph colours, and status glyphs.

Every colour the GUI uses comes from the current :data:`TOKENS` (the Qt palette, the
style sheet, the status glyphs, the pyqtgraph charts), so a theme is one table:
:data:`LIGHT` and :data:`DARK`.  Text/background pairs meet WCAG 2.1 AA contrast
(success criterion 1.4.3: >= 4.5:1; chart lines and glyphs >= 3:1, SC 1.4.11), checked
by :func:`contrast_ratio` in the tests.  Statuses are never shown by colour alone: each
has a word *and* a glyph whose shape differs (circle with a tick, triangle with "!",
octagon with a cross, ...).

Theme mode (QSettings key ``view/theme``): ``system`` (default; follows
``QStyleHints.colorScheme()``, Qt >= 6.5, and its changes), ``light`` or ``dark``.
:func:`set_mode` applies it live: palette, style sheet, cached glyphs and every open
pyqtgraph chart (:func:`restyle_charts`); :data:`notifier` emits ``changed(name)``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Optional

from PySide6.QtCore import QObject, QPointF, QRectF, QSettings, Qt, Signal
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
    """One theme's colours; the defaults are the light theme.  Text/background pairs meet
    WCAG AA contrast (>= 4.5:1)."""

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
    # status colours (text-safe on the surface) and lighter fills for bands
    ok: str = "#1a7f37"
    warn: str = "#8a5c00"
    warn_fill: str = "#b08400"  # warning threshold line: >= 3:1 on the surface
    bad: str = "#cf222e"
    neutral: str = "#6e7781"
    band_warn: str = "#fff8e5"
    band_bad: str = "#fdeeee"
    # charts
    reference: str = "#86909c"
    current: str = "#0b5cad"
    # palette details
    grid: str = "#eaeef2"
    midlight: str = "#eaeef2"
    dark: str = "#afb8c1"
    shadow: str = "#8c959f"
    light: str = "#ffffff"
    inactive_highlight: str = "#cfe2f7"
    inactive_highlight_text: str = "#1f2328"
    name: str = "light"


LIGHT = ColourTokens()

#: The dark theme (GitHub's dark "dimmed" neutrals; status colours lightened so that
#: they keep >= 4.5:1 on the dark surface).
DARK = ColourTokens(
    window="#0d1117",
    surface="#161b22",
    surface_alt="#1c2128",
    border="#3d444d",
    text="#e6edf3",
    text_muted="#9198a1",
    accent="#1a5fc8",
    accent_text="#ffffff",
    disabled_text="#656c76",
    tooltip_bg="#e6edf3",
    tooltip_text="#0d1117",
    ok="#3fb950",
    warn="#d29922",
    warn_fill="#bb8009",
    bad="#ff7b72",
    neutral="#8b949e",
    band_warn="#2e2712",
    band_bad="#3a1d1f",
    reference="#7d8590",
    current="#58a6ff",
    grid="#21262d",
    midlight="#21262d",
    dark="#010409",
    shadow="#010409",
    light="#30363d",
    inactive_highlight="#264466",
    inactive_highlight_text="#e6edf3",
    name="dark",
)

#: The tokens in use (rebound by :func:`set_mode`; always read as ``theme.TOKENS``).
TOKENS = LIGHT

#: Categorical series colours (Okabe & Ito, colour-blind safe; the yellow is replaced by
#: a darker ochre, and orange and sky blue darkened, so that every line keeps >= 3:1
#: against the chart background).
SERIES_LIGHT = (
    "#0072b2",
    "#c26e00",  # Okabe-Ito orange #e69f00 darkened to 3.8:1 on white (WCAG 1.4.11)
    "#009e73",
    "#cc79a7",
    "#d55e00",
    "#2f93d1",  # sky blue #56b4e9 darkened to 3.4:1
    "#8c6d31",
    "#4d4d4d",
    "#7b3294",
    "#1b9e77",
)
#: The same hues lightened where they would fall under 3:1 on the dark surface.
SERIES_DARK = (
    "#4ea3e0",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#e8772e",
    "#56b4e9",
    "#c9a45c",
    "#bdbdbd",
    "#b987d9",
    "#1b9e77",
)
SERIES = SERIES_LIGHT

#: pyqtgraph symbols, cycled together with :data:`SERIES` so lines differ by shape too.
SYMBOLS = ("o", "s", "t", "d", "star", "t1", "p", "h", "+", "x")


def series_colour(i: int) -> str:
    return SERIES[i % len(SERIES)]


def series_symbol(i: int) -> str:
    """Marker of series ``i``; shifted once the colours wrap, so no two of the first
    100 series share both colour and marker."""
    return SYMBOLS[(i + i // len(SERIES)) % len(SYMBOLS)]


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1.0 to 21.0), from the
    relative luminance of WCAG 2.1 (definition "relative luminance", sRGB)."""

    def lum(h: str) -> float:
        c = QColor(h)
        out = 0.0
        for w, v in ((0.2126, c.redF()), (0.7152, c.greenF()), (0.0722, c.blueF())):
            out += w * (v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4)
        return out

    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def build_palette(t: Optional[ColourTokens] = None) -> QPalette:
    """A complete :class:`QPalette` (for the Fusion style) from the tokens (default: the
    current ones)."""
    t = t or TOKENS
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
        QPalette.ColorRole.Button: t.window if t.name == "light" else t.surface_alt,
        QPalette.ColorRole.ButtonText: t.text,
        QPalette.ColorRole.BrightText: t.bad,
        QPalette.ColorRole.Highlight: t.accent,
        QPalette.ColorRole.HighlightedText: t.accent_text,
        QPalette.ColorRole.Link: t.current,
        QPalette.ColorRole.LinkVisited: t.current,
        QPalette.ColorRole.Light: t.light,
        QPalette.ColorRole.Midlight: t.midlight,
        QPalette.ColorRole.Mid: t.border,
        QPalette.ColorRole.Dark: t.dark,
        QPalette.ColorRole.Shadow: t.shadow,
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
    pal.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, c(t.inactive_highlight))
    pal.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.HighlightedText, c(t.inactive_highlight_text))
    return pal


def style_sheet(t: Optional[ColourTokens] = None) -> str:
    """A small style sheet for what the palette cannot express (kept minimal on purpose,
    style sheets disable parts of the Fusion drawing).  Font sizes are in points, relative
    to nothing hard-coded in pixels, so they follow the system's font and DPI settings."""
    t = t or TOKENS
    return f"""
QToolTip {{ color: {t.tooltip_text}; background: {t.tooltip_bg};
            border: 1px solid {t.tooltip_bg}; padding: 4px; }}
QLabel[role="title"] {{ font-size: 15pt; font-weight: 600; }}
QLabel[role="subtitle"] {{ color: {t.text_muted}; }}
QLabel[role="muted"] {{ color: {t.text_muted}; }}
QLabel[role="placeholder"] {{ color: {t.text_muted}; font-size: 11pt; }}
QLabel[role="section"] {{ font-weight: 600; color: {t.text}; }}
QLabel[role="fieldname"] {{ color: {t.text_muted}; }}
QLabel[role="chip"] {{ border: 1px solid {t.border}; border-radius: 9px;
                       padding: 1px 8px; background: {t.surface}; }}
QFrame[role="card"] {{ background: {t.surface}; border: 1px solid {t.border};
                       border-radius: 6px; }}
QTableView {{ gridline-color: {t.grid}; }}
QHeaderView::section {{ padding: 4px 6px; }}
QStatusBar QLabel {{ padding: 0 6px; }}
"""


#: The light style sheet (kept for code that reads it; :func:`style_sheet` is current).
STYLE_SHEET = style_sheet(LIGHT)

MODES = ("system", "light", "dark")
SETTINGS_KEY = "view/theme"


class _Notifier(QObject):
    #: the theme changed; argument: ``"light"`` or ``"dark"``
    changed = Signal(str)


_notifier: Optional[_Notifier] = None
_mode = "system"
_scheme_hooked = False


def notifier() -> _Notifier:
    """The object whose ``changed(name)`` signal fires after a theme change."""
    global _notifier
    if _notifier is None:
        _notifier = _Notifier()
    return _notifier


def system_scheme() -> str:
    """``"dark"`` when the desktop asks for a dark scheme (``QStyleHints.colorScheme``,
    Qt >= 6.5), else ``"light"`` (also when unknown)."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    try:
        scheme = app.styleHints().colorScheme() if app is not None else None
    except AttributeError:  # Qt < 6.5
        return "light"
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def current_mode() -> str:
    """The chosen mode: ``system``, ``light`` or ``dark``."""
    return _mode


def saved_mode() -> str:
    """The mode stored in QSettings (``view/theme``), ``system`` when unset or invalid."""
    value = str(QSettings().value(SETTINGS_KEY, "system") or "system")
    return value if value in MODES else "system"


def tokens_for(mode: str) -> ColourTokens:
    """The tokens a mode resolves to now (``system`` asks the desktop)."""
    name = system_scheme() if mode == "system" else mode
    return DARK if name == "dark" else LIGHT


def apply_theme(app, mode: Optional[str] = None) -> None:
    """Fusion style + token palette + style sheet on ``app`` and the same colours in
    pyqtgraph.  ``mode`` (``system``/``light``/``dark``) defaults to the saved one."""
    global _mode, TOKENS, SERIES, _scheme_hooked
    _mode = mode if mode in MODES else saved_mode()
    old = TOKENS
    TOKENS = tokens_for(_mode)
    SERIES = SERIES_DARK if TOKENS.name == "dark" else SERIES_LIGHT
    if old is not TOKENS:
        status_icon.cache_clear()
        sync_icon.cache_clear()
        play_icon.cache_clear()
    app.setStyle("Fusion")
    app.setPalette(build_palette())
    font = app.font()
    if font.pointSizeF() < 9.5:
        font.setPointSizeF(9.5)
        app.setFont(font)
    app.setStyleSheet(style_sheet())
    if not _scheme_hooked:
        try:
            app.styleHints().colorSchemeChanged.connect(lambda _s: _on_system_scheme())
            _scheme_hooked = True
        except AttributeError:  # Qt < 6.5: no live system preference
            pass
    if "pyqtgraph" in sys.modules:
        configure_pyqtgraph()
        if old is not TOKENS:
            restyle_charts(old, TOKENS)
    if old is not TOKENS:
        notifier().changed.emit(TOKENS.name)


def _on_system_scheme() -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if _mode == "system" and app is not None:
        apply_theme(app, "system")


def set_mode(mode: str, *, save: bool = True) -> None:
    """Switch to ``mode`` (``system``, ``light`` or ``dark``) live and (``save``) remember
    it in QSettings.  Raises ``ValueError`` for another word."""
    from PySide6.QtWidgets import QApplication

    if mode not in MODES:
        raise ValueError(f"theme mode must be one of {', '.join(MODES)}, not {mode!r}")
    if save:
        QSettings().setValue(SETTINGS_KEY, mode)
    app = QApplication.instance()
    if app is not None:
        apply_theme(app, mode)


def configure_pyqtgraph() -> None:
    """Chart colours from the same tokens as the Qt palette (call before building plots)."""
    import pyqtgraph as pg

    pg.setConfigOptions(
        background=TOKENS.surface,
        foreground=TOKENS.text_muted,
        antialias=True,
    )


def _colour_map(old: ColourTokens, new: ColourTokens) -> dict[int, QColor]:
    """rgb of each old token / series colour -> the new theme's colour (first token wins)."""
    out: dict[int, QColor] = {}
    # chart-specific tokens first: a colour shared by two tokens (accent = current in the
    # light theme) maps to the chart's token, since charts are what this recolours
    first = ("reference", "current", "band_warn", "band_bad", "warn_fill", "surface", "text", "text_muted")
    names = list(first) + [f.name for f in fields(ColourTokens) if f.name not in first and f.name != "name"]
    pairs = [(getattr(old, n), getattr(new, n)) for n in names]
    old_series, new_series = ((SERIES_DARK, SERIES_LIGHT) if old.name == "dark" else (SERIES_LIGHT, SERIES_DARK)) \
        if old.name != new.name else ((), ())
    pairs += list(zip(old_series, new_series))
    for a, b in pairs:
        out.setdefault(QColor(a).rgb(), QColor(b))
    return out


def _swap(colour: QColor, cmap: dict[int, QColor]) -> Optional[QColor]:
    new = cmap.get(colour.rgb())
    if new is None:
        return None
    out = QColor(new)
    out.setAlpha(colour.alpha())
    return out


def _swap_pen(pen: Any, cmap: dict[int, QColor]) -> Optional[QPen]:
    if pen is None or not isinstance(pen, QPen) or pen.style() == Qt.PenStyle.NoPen:
        return None
    c = _swap(pen.color(), cmap)
    if c is None:
        return None
    out = QPen(pen)
    out.setColor(c)
    return out


def _swap_brush(brush: Any, cmap: dict[int, QColor]) -> Optional[QBrush]:
    if brush is None or not isinstance(brush, QBrush) or brush.style() == Qt.BrushStyle.NoBrush:
        return None
    c = _swap(brush.color(), cmap)
    if c is None:
        return None
    out = QBrush(brush)
    out.setColor(c)
    return out


def restyle_charts(old: ColourTokens, new: ColourTokens) -> int:
    """Recolour every open pyqtgraph chart from ``old`` tokens to ``new`` ones: view
    backgrounds, axes, labels, curves, bars, bands and threshold lines whose colour is
    one of the old theme's tokens (or series colours).  Returns the number of charts."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    cmap = _colour_map(old, new)
    n = 0
    for w in QApplication.allWidgets():
        if not isinstance(w, pg.GraphicsView):
            continue
        n += 1
        w.setBackground(new.surface)
        for item in w.scene().items():
            try:
                _restyle_item(item, cmap, new)
            except Exception:  # a chart item we do not know: leave it as it is
                pass
        w.viewport().update()
    return n


def _restyle_item(item: Any, cmap: dict[int, QColor], new: ColourTokens) -> None:
    import pyqtgraph as pg

    if isinstance(item, pg.AxisItem):
        p = _swap_pen(item.pen(), cmap)
        if p is not None:
            item.setPen(p)
        tp = _swap_pen(item.textPen(), cmap)
        item.setTextPen(tp if tp is not None else pg.mkPen(new.text_muted))
        if getattr(item, "label", None) is not None:
            item.labelStyle = dict(item.labelStyle, color=new.text_muted)
            item.label.setDefaultTextColor(QColor(new.text_muted))
    elif isinstance(item, pg.LabelItem):
        item.opts["color"] = new.text
        item.setText(item.text)
    elif isinstance(item, pg.TextItem):
        c = _swap(item.color, cmap) if isinstance(item.color, QColor) else None
        if c is not None:
            item.setColor(c)
        b = _swap_brush(getattr(item, "fill", None), cmap)
        if b is not None:
            item.fill = b
            item.update()
    elif isinstance(item, pg.LinearRegionItem):
        b = _swap_brush(item.brush, cmap)
        if b is not None:
            item.setBrush(b)
    elif isinstance(item, pg.InfiniteLine):
        p = _swap_pen(item.pen, cmap)
        if p is not None:
            item.setPen(p)
    elif isinstance(item, pg.BarGraphItem):
        opts = {}
        for key, fn in (("brush", lambda v: _swap_brush(pg.mkBrush(v), cmap)),
                        ("pen", lambda v: _swap_pen(pg.mkPen(v), cmap))):
            v = item.opts.get(key)
            if v is not None and not isinstance(v, (list, tuple)):
                nv = fn(v)
                if nv is not None:
                    opts[key] = nv
        if opts:
            item.setOpts(**opts)
    elif isinstance(item, pg.PlotCurveItem):
        p = _swap_pen(pg.mkPen(item.opts.get("pen")), cmap)
        if p is not None:
            item.setPen(p)
        b = item.opts.get("brush")
        if b is not None:
            nb = _swap_brush(pg.mkBrush(b), cmap)
            if nb is not None:
                item.setBrush(nb)
    elif isinstance(item, pg.ScatterPlotItem):
        changed = {}
        p = _swap_pen(pg.mkPen(item.opts.get("pen")), cmap)
        if p is not None:
            changed["pen"] = p
        b = _swap_brush(pg.mkBrush(item.opts.get("brush")), cmap)
        if b is not None:
            changed["brush"] = b
        if "pen" in changed:
            item.setPen(changed["pen"])
        if "brush" in changed:
            item.setBrush(changed["brush"])


# --------------------------------------------------------------------------- statuses


@dataclass(frozen=True)
class StatusStyle:
    word: str  # the text shown next to the glyph
    colour: str
    shape: str  # circle-check | triangle | octagon-x | circle | circle-dash | dot


#: status word -> (shown word, colour token, glyph shape); colours resolve in the current theme
_STATUS_SPEC: dict[str, tuple[str, str, str]] = {
    # validation results / check statuses
    "pass": ("pass", "ok", "circle-check"),
    "warn": ("warn", "warn", "triangle"),
    "fail": ("fail", "bad", "octagon-x"),
    "error": ("error", "bad", "square-bang"),
    "skipped": ("skipped", "neutral", "circle-dash"),
    # drift statuses
    "stable": ("stable", "ok", "circle-check"),
    "warning": ("warning", "warn", "triangle"),
    "drift": ("drift", "bad", "octagon-x"),
    # missing
    "none": ("—", "neutral", "circle-dash"),
    # registry connections and pulled models (never colour alone: each has a word too)
    "ok": ("synced", "ok", "circle-check"),
    "never": ("never synced", "neutral", "circle-dash"),
    "offline": ("offline", "warn", "circle-slash"),
    "unreachable": ("unreachable", "warn", "circle-slash"),
    "auth": ("sign-in refused", "bad", "lock"),
    "changed": ("changed on server", "current", "diamond"),
    "deleted": ("deleted on server", "bad", "octagon-x"),
    "broken": ("broken", "bad", "square-bang"),
    "no-artifact": ("no artifact", "neutral", "circle-dash"),
}


def status_style(status: Optional[str]) -> StatusStyle:
    """Style of a status word (``pass``, ``warning``, ``drift``...) in the current
    theme; unknown -> neutral."""
    key = (getattr(status, "value", status) or "none").lower()
    word, token, shape = _STATUS_SPEC.get(key, (key, "neutral", "circle"))
    return StatusStyle(word, getattr(TOKENS, token), shape)


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
        # on a selected row too: Qt's generated "selected" variant washes the colour out
        icon.addPixmap(pm, QIcon.Mode.Selected)
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
        p.setBrush(QColor(LIGHT.accent))
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
        pen = QPen(QColor(TOKENS.current), max(1.6, s * 0.12))
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


@lru_cache(maxsize=1)
def play_icon() -> QIcon:
    """"Run validation": a play triangle in the theme's success colour (the style's own
    media icon is black, invisible on the dark theme)."""
    icon = QIcon()
    for size in (16, 32):
        pm = QPixmap(size, size)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(TOKENS.ok))
        p.drawPolygon(QPolygonF([QPointF(size * 0.22, size * 0.12), QPointF(size * 0.88, size * 0.5),
                                 QPointF(size * 0.22, size * 0.88)]))
        p.end()
        icon.addPixmap(pm)
    return icon
