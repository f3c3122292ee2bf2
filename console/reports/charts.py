"""Vector charts for the PDF reports, drawn with ``reportlab.graphics`` (no Qt, no SQL).

Two charts:

* :func:`psi_over_time_chart` – one line per feature, PSI (unitless, >= 0) on the y axis,
  drift windows in time order on the x axis, with the shaded warning / drift zones and
  dashed threshold lines at PSI 0.1 (warning) and 0.25 (drift) (Siddiqi, *Credit Risk
  Scorecards*, 2006; see :mod:`console.domain.models`).  A ``None`` PSI (not computable in
  that window) leaves a gap in the line.  Each series has its own colour *and* marker
  shape, so the chart still reads in greyscale.
* :func:`distribution_bar_chart` – grouped bars of the reference and current share per
  bin for one feature in one window (a :attr:`DriftFeatureResult.distribution`).

Both return a :class:`reportlab.graphics.shapes.Drawing` (a platypus flowable; sizes in
PDF points, 1/72 inch).  Text uses the embedded DejaVu fonts.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional, Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from console.domain.models import PSI_DRIFT, PSI_WARNING, DriftRun
from console.reports.fonts import FONT_BOLD, FONT_REGULAR, register_fonts

__all__ = [
    "SERIES_COLORS",
    "psi_over_time_chart",
    "distribution_bar_chart",
    "psi_series",
    "latest_window",
    "top_features_by_latest_psi",
]

#: Okabe–Ito colour-blind-safe palette (yellow dropped: unreadable on white).
SERIES_COLORS = [
    colors.HexColor(c)
    for c in ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#7F7F7F")
]
_MARKERS = ("circle", "square", "triangle", "diamond", "triangle_down", "cross")

_INK = colors.HexColor("#1F2933")
_AXIS = colors.HexColor("#52606D")
_GRID = colors.HexColor("#E4E7EB")
_WARN_BAND = colors.HexColor("#FFF6DB")
_DRIFT_BAND = colors.HexColor("#FCE8E6")
_WARN_LINE = colors.HexColor("#A86B00")
_DRIFT_LINE = colors.HexColor("#B42318")
_WARN_DASH = [3, 2]
_DRIFT_DASH = [6, 2.5]
_REF_FILL = colors.HexColor("#A9BCD0")
_CUR_FILL = colors.HexColor("#1F4E79")


# --------------------------------------------------------------------------- helpers


def _fit(text: str, font: str, size: float, max_width: float) -> str:
    """``text`` shortened with an ellipsis so it is at most ``max_width`` points wide."""
    if stringWidth(text, font, size) <= max_width:
        return text
    ell = "…"
    while text and stringWidth(text + ell, font, size) > max_width:
        text = text[:-1]
    return text + ell if text else ell


def _nice_step(span: float, max_ticks: int = 6) -> float:
    """A 1/2/2.5/5 x 10^k step giving at most ``max_ticks`` intervals over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / max_ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def _fmt_tick(v: float, step: float) -> str:
    """Tick label with as many decimals as ``step`` needs (0.05 -> "0.15", 0.1 -> "0.3")."""
    text = f"{step:.6f}".rstrip("0")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{v:.{decimals}f}"


def _marker(kind: str, x: float, y: float, size: float, color) -> Any:
    r = size / 2.0
    if kind == "circle":
        return Circle(x, y, r, fillColor=color, strokeColor=colors.white, strokeWidth=0.4)
    if kind == "square":
        return Rect(x - r, y - r, size, size, fillColor=color, strokeColor=colors.white, strokeWidth=0.4)
    if kind == "triangle":
        return Polygon([x - r, y - r, x + r, y - r, x, y + r * 1.1], fillColor=color,
                       strokeColor=colors.white, strokeWidth=0.4)
    if kind == "triangle_down":
        return Polygon([x - r, y + r, x + r, y + r, x, y - r * 1.1], fillColor=color,
                       strokeColor=colors.white, strokeWidth=0.4)
    if kind == "diamond":
        r2 = r * 1.25
        return Polygon([x, y - r2, x + r2, y, x, y + r2, x - r2, y], fillColor=color,
                       strokeColor=colors.white, strokeWidth=0.4)
    g = Group()  # cross
    g.add(Line(x - r, y - r, x + r, y + r, strokeColor=color, strokeWidth=1.3))
    g.add(Line(x - r, y + r, x + r, y - r, strokeColor=color, strokeWidth=1.3))
    return g


def _drawing(width: float, height: float) -> Drawing:
    """A Drawing whose renderer starts in the embedded font (reportlab's default is the
    non-embedded Helvetica, which would end up in the PDF's font list)."""
    d = Drawing(width, height)
    d.initialFontName = FONT_REGULAR
    d.initialFontSize = 7
    return d


def _valid(v: Optional[float]) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


# --------------------------------------------------------------------------- domain helpers


def latest_window(run: DriftRun):
    """The window of ``run`` with the highest ``index`` (``None`` when it has none)."""
    if not run.windows:
        return None
    return max(run.windows, key=lambda w: w.index)


def psi_series(run: DriftRun, *, include_target: bool = False) -> tuple[list[str], dict[str, list[Optional[float]]]]:
    """Window labels (in ``index`` order) and, per feature name, its PSI in each window.

    Returns ``(labels, {feature: [psi or None, ...]})`` with one value per window; a
    feature absent from a window, untested or with a non-finite PSI gets ``None``.  The
    target column is left out unless ``include_target``.  Features keep their first-seen
    order.
    """
    windows = sorted(run.windows, key=lambda w: w.index)
    labels = [w.label for w in windows]
    series: dict[str, list[Optional[float]]] = {}
    for i, w in enumerate(windows):
        for f in w.features:
            if f.is_target and not include_target:
                continue
            values = series.setdefault(f.name, [None] * len(windows))
            values[i] = float(f.psi) if (f.tested and _valid(f.psi)) else None
    return labels, series


def top_features_by_latest_psi(run: DriftRun, n: int = 5, *, include_target: bool = False) -> list[str]:
    """Names of the ``n`` features with the highest PSI in the latest window of ``run``.

    Ties keep the window's feature order; features without a PSI in the latest window
    come last (ordered by their highest PSI in any window), so a chart is never empty
    while some window has values.  Returns ``[]`` for a run without windows.
    """
    labels, series = psi_series(run, include_target=include_target)
    if not labels:
        return []

    def key(item: tuple[int, str]) -> tuple[int, float, int]:
        pos, name = item
        vals = series[name]
        last = vals[-1]
        if _valid(last):
            return (0, -float(last), pos)
        best = max((v for v in vals if _valid(v)), default=None)
        return (1, -(best if best is not None else -1.0), pos)

    ordered = sorted(enumerate(series), key=key)
    return [name for _, name in ordered[: max(0, n)]]


# --------------------------------------------------------------------------- PSI over time


def psi_over_time_chart(
    window_labels: Sequence[str],
    series: Mapping[str, Sequence[Optional[float]]],
    *,
    width: float = 480.0,
    height: float = 220.0,
    warning: float = PSI_WARNING,
    drift: float = PSI_DRIFT,
) -> Drawing:
    """A line chart of PSI per window for each feature in ``series``.

    Args:
        window_labels: x-axis labels, one per window, oldest first.
        series: feature name -> PSI per window (same length as ``window_labels``; ``None``
            or a non-finite value leaves a gap).  Up to 8 series get distinct colours and
            markers; more are drawn but colours repeat.
        width, height: drawing size in points.
        warning, drift: PSI thresholds drawn as dashed lines (defaults 0.1 and 0.25).

    Returns:
        A :class:`Drawing` of ``width`` x ``height`` points; with no windows or no
        finite value it shows the axes and the note "No PSI values to plot.".

    Raises:
        ValueError: a series does not have one value per window.
    """
    register_fonts()
    n = len(window_labels)
    for name, vals in series.items():
        if len(vals) != n:
            raise ValueError(f"PSI series {name!r} has {len(vals)} values for {n} windows")

    d = _drawing(width, height)
    fs = 6.5
    legend_w = 118.0 if series else 0.0
    x0 = 34.0
    x1 = width - legend_w - 10.0
    rotate = n > 6 or any(stringWidth(str(l), FONT_REGULAR, fs) > (x1 - x0) / max(n, 1) - 4 for l in window_labels)
    y0 = 46.0 if rotate else 28.0
    y1 = height - 8.0

    finite = [float(v) for vals in series.values() for v in vals if _valid(v)]
    vmax = max(finite, default=0.0)
    top = max(drift * 1.2, vmax * 1.08)
    step = _nice_step(top, 6)
    ymax = step * math.ceil(top / step - 1e-9)

    def ys(v: float) -> float:
        return y0 + (y1 - y0) * (min(v, ymax) / ymax)

    # zones
    d.add(Rect(x0, ys(warning), x1 - x0, ys(drift) - ys(warning), fillColor=_WARN_BAND, strokeColor=None))
    d.add(Rect(x0, ys(drift), x1 - x0, y1 - ys(drift), fillColor=_DRIFT_BAND, strokeColor=None))
    # grid + y ticks
    k = 0
    while k * step <= ymax + 1e-9:
        v = k * step
        yy = ys(v)
        if k > 0:
            d.add(Line(x0, yy, x1, yy, strokeColor=_GRID, strokeWidth=0.5))
        d.add(Line(x0 - 3, yy, x0, yy, strokeColor=_AXIS, strokeWidth=0.6))
        d.add(String(x0 - 5, yy - fs / 3, _fmt_tick(v, step), fontName=FONT_REGULAR, fontSize=fs,
                     fillColor=_AXIS, textAnchor="end"))
        k += 1
    # thresholds (labelled in the legend, so no text collides with the data points)
    for thr, color, dash in ((warning, _WARN_LINE, _WARN_DASH), (drift, _DRIFT_LINE, _DRIFT_DASH)):
        yy = ys(thr)
        d.add(Line(x0, yy, x1, yy, strokeColor=color, strokeWidth=0.9, strokeDashArray=dash))
    # axes
    d.add(Line(x0, y0, x1, y0, strokeColor=_AXIS, strokeWidth=0.8))
    d.add(Line(x0, y0, x0, y1, strokeColor=_AXIS, strokeWidth=0.8))
    ylab = String(0, 0, "PSI", fontName=FONT_BOLD, fontSize=fs, fillColor=_AXIS, textAnchor="middle")
    g = Group(ylab)
    g.translate(8, (y0 + y1) / 2)
    g.rotate(90)
    d.add(g)

    # x positions
    pad = 14.0
    if n == 1:
        xs = [(x0 + x1) / 2]
    elif n > 1:
        xs = [x0 + pad + i * (x1 - x0 - 2 * pad) / (n - 1) for i in range(n)]
    else:
        xs = []
    every = max(1, math.ceil(n / 14))
    slot = (x1 - x0) / max(n, 1)
    for i, (xx, lab) in enumerate(zip(xs, window_labels)):
        d.add(Line(xx, y0, xx, y0 - 3, strokeColor=_AXIS, strokeWidth=0.6))
        if i % every:
            continue
        if rotate:
            s = String(0, 0, _fit(str(lab), FONT_REGULAR, fs, 52), fontName=FONT_REGULAR, fontSize=fs,
                       fillColor=_AXIS, textAnchor="end")
            gg = Group(s)
            gg.translate(xx + 2, y0 - 6)
            gg.rotate(35)
            d.add(gg)
        else:
            d.add(String(xx, y0 - 11, _fit(str(lab), FONT_REGULAR, fs, slot - 4), fontName=FONT_REGULAR,
                         fontSize=fs, fillColor=_AXIS, textAnchor="middle"))

    if not finite:
        d.add(String((x0 + x1) / 2, (y0 + y1) / 2, "No PSI values to plot.", fontName=FONT_REGULAR,
                     fontSize=8, fillColor=_AXIS, textAnchor="middle"))

    # series
    for si, (name, vals) in enumerate(series.items()):
        color = SERIES_COLORS[si % len(SERIES_COLORS)]
        marker = _MARKERS[si % len(_MARKERS)]
        seg: list[float] = []
        segments: list[list[float]] = []
        for xx, v in zip(xs, vals):
            if _valid(v):
                seg.extend([xx, ys(float(v))])
            elif seg:
                segments.append(seg)
                seg = []
        if seg:
            segments.append(seg)
        for s in segments:
            if len(s) >= 4:
                d.add(PolyLine(s, strokeColor=color, strokeWidth=1.3, strokeLineJoin=1, strokeLineCap=1))
        for xx, v in zip(xs, vals):
            if _valid(v):
                d.add(_marker(marker, xx, ys(float(v)), 5.0, color))

    # legend
    if series:
        lx = x1 + 12
        ly = y1 - 4
        d.add(String(lx, ly, "Feature", fontName=FONT_BOLD, fontSize=fs, fillColor=_INK))
        ly -= 11
        for si, name in enumerate(series):
            if ly < y0 - 10:
                d.add(String(lx, ly, f"+ {len(series) - si} more", fontName=FONT_REGULAR, fontSize=fs,
                             fillColor=_AXIS))
                break
            color = SERIES_COLORS[si % len(SERIES_COLORS)]
            d.add(Line(lx, ly + 2.2, lx + 14, ly + 2.2, strokeColor=color, strokeWidth=1.3))
            d.add(_marker(_MARKERS[si % len(_MARKERS)], lx + 7, ly + 2.2, 5.0, color))
            d.add(String(lx + 19, ly, _fit(str(name), FONT_REGULAR, fs, legend_w - 22), fontName=FONT_REGULAR,
                         fontSize=fs, fillColor=_INK))
            ly -= 10
        ly -= 6
        if ly > y0 + 30:
            d.add(String(lx, ly, "Thresholds", fontName=FONT_BOLD, fontSize=fs, fillColor=_INK))
            ly -= 11
            for label, color, dash in ((f"drift, PSI ≥ {drift:.2f}", _DRIFT_LINE, _DRIFT_DASH),
                                       (f"warning, PSI ≥ {warning:.2f}", _WARN_LINE, _WARN_DASH)):
                d.add(Line(lx, ly + 2.2, lx + 14, ly + 2.2, strokeColor=color, strokeWidth=0.9,
                           strokeDashArray=dash))
                d.add(String(lx + 19, ly, label, fontName=FONT_REGULAR, fontSize=fs, fillColor=color))
                ly -= 10
            ly -= 4
        if ly > y0 - 6:
            d.add(String(lx, ly, "A gap: PSI not computed", fontName=FONT_REGULAR, fontSize=5.8, fillColor=_AXIS))
    return d


# --------------------------------------------------------------------------- distribution bars


def _reduce_bins(bins: list[str], ref: list[float], cur: list[float], max_bins: int):
    if len(bins) <= max_bins:
        return bins, ref, cur
    order = sorted(range(len(bins)), key=lambda i: -max(ref[i], cur[i]))
    keep = sorted(order[: max_bins - 1])
    rest = [i for i in range(len(bins)) if i not in set(keep)]
    return (
        [bins[i] for i in keep] + [f"other ({len(rest)})"],
        [ref[i] for i in keep] + [sum(ref[i] for i in rest)],
        [cur[i] for i in keep] + [sum(cur[i] for i in rest)],
    )


def distribution_bar_chart(
    distribution: Mapping[str, Any],
    *,
    title: Optional[str] = None,
    width: float = 240.0,
    height: float = 150.0,
    max_bins: int = 15,
) -> Drawing:
    """Grouped bars of reference vs current share per bin for one feature / window.

    Args:
        distribution: ``{"bins": [label, ...], "reference": [share, ...],
            "current": [share, ...]}`` with shares in [0, 1] (a fraction of the non-missing
            values); ``None`` shares count as 0.
        title: optional caption drawn above the bars (e.g. ``"age — 2024-03"``).
        width, height: drawing size in points.
        max_bins: more bins than this are reduced to the ``max_bins - 1`` largest plus an
            ``"other (k)"`` bin holding the rest.

    Returns:
        A :class:`Drawing`; the y axis is labelled in percent.

    Raises:
        ValueError: a key is missing or the three lists differ in length.
    """
    register_fonts()
    try:
        bins = [str(b) for b in distribution["bins"]]
        ref = [float(v) if _valid(v) else 0.0 for v in distribution["reference"]]
        cur = [float(v) if _valid(v) else 0.0 for v in distribution["current"]]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"distribution needs 'bins', 'reference' and 'current' lists ({exc})") from None
    if not (len(bins) == len(ref) == len(cur)):
        raise ValueError(
            f"distribution lists differ in length: {len(bins)} bins, {len(ref)} reference, {len(cur)} current"
        )
    bins, ref, cur = _reduce_bins(bins, ref, cur, max(2, max_bins))

    d = _drawing(width, height)
    fs = 6.0
    top_pad = 28.0 if title else 16.0
    bc = VerticalBarChart()
    bc.x = 34
    bc.width = width - bc.x - 6
    slot = bc.width / max(len(bins), 1)
    rotate = any(stringWidth(b, FONT_REGULAR, fs) > slot - 6 for b in bins)
    bc.y = 40 if rotate else 16
    bc.height = height - bc.y - top_pad
    bc.data = [ref or [0.0], cur or [0.0]]
    bc.categoryAxis.categoryNames = [_fit(b, FONT_REGULAR, fs, 44 if rotate else slot - 2) for b in bins] or [""]
    bc.categoryAxis.labels.fontName = FONT_REGULAR
    bc.categoryAxis.labels.fontSize = fs
    bc.categoryAxis.labels.fillColor = _AXIS
    bc.categoryAxis.strokeColor = _AXIS
    if rotate:
        bc.categoryAxis.labels.angle = 35
        bc.categoryAxis.labels.boxAnchor = "ne"
        bc.categoryAxis.labels.dx = 2
        bc.categoryAxis.labels.dy = -2
    vmax = max(ref + cur + [0.0])
    step = _nice_step(max(vmax * 1.1, 0.05), 4)
    bc.valueAxis.valueMin = 0
    # shares: never above 100 %
    bc.valueAxis.valueMax = min(1.0, step * math.ceil(max(vmax * 1.1, 0.05) / step - 1e-9))
    bc.valueAxis.valueStep = step
    bc.valueAxis.labels.fontName = FONT_REGULAR
    bc.valueAxis.labels.fontSize = fs
    bc.valueAxis.labels.fillColor = _AXIS
    bc.valueAxis.strokeColor = _AXIS
    bc.valueAxis.labels.dx = -4
    bc.valueAxis.tickLeft = 3
    bc.valueAxis.labelTextFormat = lambda v: f"{v * 100:.0f}%"
    bc.valueAxis.visibleGrid = 1
    bc.valueAxis.gridStrokeColor = _GRID
    bc.valueAxis.gridStrokeWidth = 0.5
    bc.bars.strokeWidth = 0.3
    bc.bars[0].fillColor = _REF_FILL
    bc.bars[0].strokeColor = colors.HexColor("#5B7A99")
    bc.bars[1].fillColor = _CUR_FILL
    bc.bars[1].strokeColor = _CUR_FILL
    bc.groupSpacing = max(1.0, min(6.0, slot * 0.25))
    bc.barSpacing = 0.5
    d.add(bc)

    # title (first line) and legend (second line, right-aligned)
    ly = height - 20 if title else height - 9
    lx = width - 6
    for label, fill, stroke in (("Current", _CUR_FILL, _CUR_FILL), ("Reference", _REF_FILL, colors.HexColor("#5B7A99"))):
        w = stringWidth(label, FONT_REGULAR, fs)
        d.add(String(lx, ly, label, fontName=FONT_REGULAR, fontSize=fs, fillColor=_INK, textAnchor="end"))
        d.add(Rect(lx - w - 9, ly - 0.5, 6, 6, fillColor=fill, strokeColor=stroke, strokeWidth=0.3))
        lx -= w + 16
    if title:
        d.add(String(2, height - 8, _fit(title, FONT_BOLD, 7, width - 4), fontName=FONT_BOLD,
                     fontSize=7, fillColor=_INK))
    return d
