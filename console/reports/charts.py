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
            lf, lt = _lab(lab)
            s = String(0, 0, _fit(lt, lf, fs, 52), fontName=lf, fontSize=fs,
                       fillColor=_AXIS, textAnchor="end")
            gg = Group(s)
            gg.translate(xx + 2, y0 - 6)
            gg.rotate(35)
            d.add(gg)
        else:
            lf, lt = _lab(lab)
            d.add(String(xx, y0 - 11, _fit(lt, lf, fs, slot - 4), fontName=lf,
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
            nf, nt = _lab(name)
            d.add(String(lx + 19, ly, _fit(nt, nf, fs, legend_w - 22), fontName=nf,
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
        tf, title = _lab(title, FONT_BOLD)
        d.add(String(2, height - 8, _fit(title, tf, 7, width - 4), fontName=tf,
                     fontSize=7, fillColor=_INK))
    return d


# --------------------------------------------------------------------------- evidence charts


def _lab(text: Any, base: str = FONT_REGULAR) -> tuple[str, str]:
    from console.reports.fonts import single_font_text

    return single_font_text(text, base)


def _finite_pair(pt: Any) -> Optional[tuple[Any, float]]:
    if not isinstance(pt, (list, tuple)) or len(pt) < 2:
        return None
    x, y = pt[0], pt[1]
    if isinstance(y, bool) or not isinstance(y, (int, float)) or not math.isfinite(y):
        return None
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x, float(y)


def evidence_chart(spec: Mapping[str, Any], *, width: float = 480.0, height: float = 200.0) -> Drawing:
    """A vector chart for one entry of a check's ``values["charts"]`` (the evidence
    convention: ``{"kind": "line"|"bar"|"scatter", "title", "x_label", "y_label",
    "series": [{"name", "points": [[x, y], ...]}], "reference_line": [[x0, y0], [x1, y1]]
    | null}``).

    Numeric x values give a linear x axis; if any x is not a number the axis is
    categorical (categories in first-seen order; bars are grouped per series).  Points
    with a missing or non-finite y are skipped; an empty chart says so.  Up to 8 series
    get distinct Okabe–Ito colours and marker shapes; the reference line (e.g. the
    diagonal of a reliability diagram) is dashed grey.  Never raises on malformed
    input: unusable series/points are ignored.
    """
    register_fonts()
    kind = str(spec.get("kind") or "line")
    series_in = spec.get("series") if isinstance(spec.get("series"), list) else []
    series: list[tuple[str, list[tuple[Any, float]]]] = []
    for s in series_in[:12]:
        if not isinstance(s, Mapping):
            continue
        pts = [p for p in (_finite_pair(pt) for pt in (s.get("points") or [])[:2000]) if p is not None]
        series.append((str(s.get("name") or ""), pts))
    ref = spec.get("reference_line")
    ref_pts = [p for p in (_finite_pair(pt) for pt in ref)] if isinstance(ref, list) else []
    ref_pts = [p for p in ref_pts if p is not None and isinstance(p[0], (int, float))]

    d = _drawing(width, height)
    fs = 6.5
    legend_w = 110.0 if any(name for name, _ in series) else 0.0
    all_x = [x for _, pts in series for x, _ in pts]
    categorical = kind == "bar" or any(isinstance(x, str) or isinstance(x, bool) for x in all_x)
    cats: list[str] = []
    if categorical:
        for x in all_x:
            sx = num_label(x)
            if sx not in cats:
                cats.append(sx)
        cats = cats[:60]
    x0 = 40.0
    x1 = width - legend_w - 10.0
    rotate = categorical and (len(cats) > 8 or any(stringWidth(c, FONT_REGULAR, fs) > (x1 - x0) / max(len(cats), 1) - 4
                                                   for c in cats))
    y0 = 50.0 if rotate else 30.0
    y1 = height - 18.0
    title_font, title = _lab(spec.get("title") or "", FONT_BOLD)
    d.add(String(x0, height - 10, _fit(title, title_font, 7.5, width - x0), fontName=title_font, fontSize=7.5,
                 fillColor=_INK))

    ys_all = [y for _, pts in series for _, y in pts] + [y for _, y in ref_pts]
    if kind == "bar":
        ys_all.append(0.0)
    if not ys_all:
        d.add(Line(x0, y0, x1, y0, strokeColor=_AXIS, strokeWidth=0.8))
        d.add(Line(x0, y0, x0, y1, strokeColor=_AXIS, strokeWidth=0.8))
        d.add(String((x0 + x1) / 2, (y0 + y1) / 2, "No values to plot.", fontName=FONT_REGULAR, fontSize=8,
                     fillColor=_AXIS, textAnchor="middle"))
        return d
    lo, hi = min(ys_all), max(ys_all)
    if hi == lo:
        hi, lo = hi + (abs(hi) * 0.1 or 1.0), lo - (abs(lo) * 0.1 if lo != 0 else 0.0)
    step = _nice_step(hi - lo, 5)
    ymin = step * math.floor(lo / step + 1e-9)
    ymax = step * math.ceil(hi / step - 1e-9)
    if ymax <= ymin:
        ymax = ymin + step

    def ys(v: float) -> float:
        return y0 + (y1 - y0) * (v - ymin) / (ymax - ymin)

    k = 0
    while ymin + k * step <= ymax + 1e-9 and k < 30:
        v = ymin + k * step
        yy = ys(v)
        if k > 0:
            d.add(Line(x0, yy, x1, yy, strokeColor=_GRID, strokeWidth=0.5))
        d.add(String(x0 - 4, yy - fs / 3, _fmt_tick(v, step), fontName=FONT_REGULAR, fontSize=fs, fillColor=_AXIS,
                     textAnchor="end"))
        k += 1
    d.add(Line(x0, y0, x1, y0, strokeColor=_AXIS, strokeWidth=0.8))
    d.add(Line(x0, y0, x0, y1, strokeColor=_AXIS, strokeWidth=0.8))
    yl_font, yl = _lab(spec.get("y_label") or "", FONT_BOLD)
    g = Group(String(0, 0, _fit(yl, yl_font, fs, y1 - y0), fontName=yl_font, fontSize=fs, fillColor=_AXIS,
                     textAnchor="middle"))
    g.translate(8, (y0 + y1) / 2)
    g.rotate(90)
    d.add(g)
    xl_font, xl = _lab(spec.get("x_label") or "", FONT_BOLD)
    d.add(String((x0 + x1) / 2, 4, _fit(xl, xl_font, fs, x1 - x0), fontName=xl_font, fontSize=fs, fillColor=_AXIS,
                 textAnchor="middle"))

    if categorical:
        n = max(len(cats), 1)
        slot = (x1 - x0) / n

        def xs_cat(label: str) -> float:
            return x0 + slot * (cats.index(label) + 0.5)

        every = max(1, math.ceil(n / 30))
        for i, c in enumerate(cats):
            if i % every:
                continue
            cf, ct = _lab(c)
            xx = xs_cat(c)
            if rotate:
                gg = Group(String(0, 0, _fit(ct, cf, fs, 44), fontName=cf, fontSize=fs, fillColor=_AXIS,
                                  textAnchor="end"))
                gg.translate(xx + 2, y0 - 5)
                gg.rotate(35)
                d.add(gg)
            else:
                d.add(String(xx, y0 - 10, _fit(ct, cf, fs, slot - 2), fontName=cf, fontSize=fs, fillColor=_AXIS,
                             textAnchor="middle"))
        nser = max(len(series), 1)
        bw = slot * 0.8 / nser
        for si, (name, pts) in enumerate(series):
            color = SERIES_COLORS[si % len(SERIES_COLORS)]
            if kind == "bar":
                base = ys(max(ymin, min(0.0, ymax)))
                for x, y in pts:
                    label = num_label(x)
                    if label not in cats:
                        continue
                    left = xs_cat(label) - slot * 0.4 + si * bw
                    top = ys(y)
                    d.add(Rect(left, min(base, top), bw * 0.92, abs(top - base), fillColor=color, strokeColor=None))
            else:
                line = []
                for x, y in pts:
                    label = num_label(x)
                    if label in cats:
                        line += [xs_cat(label), ys(y)]
                        d.add(_marker(_MARKERS[si % len(_MARKERS)], xs_cat(label), ys(y), 4.5, color))
                if kind == "line" and len(line) >= 4:
                    d.add(PolyLine(line, strokeColor=color, strokeWidth=1.2))
    else:
        xs_all = [float(x) for x in all_x if isinstance(x, (int, float))] + [float(x) for x, _ in ref_pts]
        xmin, xmax = (min(xs_all), max(xs_all)) if xs_all else (0.0, 1.0)
        if xmax == xmin:
            xmax, xmin = xmax + 0.5, xmin - 0.5
        xstep = _nice_step(xmax - xmin, 6)
        xlo = xstep * math.floor(xmin / xstep + 1e-9)
        xhi = xstep * math.ceil(xmax / xstep - 1e-9)

        def xs(v: float) -> float:
            return x0 + (x1 - x0) * (v - xlo) / (xhi - xlo)

        k = 0
        while xlo + k * xstep <= xhi + 1e-9 and k < 30:
            v = xlo + k * xstep
            d.add(Line(xs(v), y0, xs(v), y0 - 3, strokeColor=_AXIS, strokeWidth=0.6))
            d.add(String(xs(v), y0 - 11, _fmt_tick(v, xstep), fontName=FONT_REGULAR, fontSize=fs, fillColor=_AXIS,
                         textAnchor="middle"))
            k += 1
        if len(ref_pts) >= 2:
            d.add(Line(xs(ref_pts[0][0]), ys(ref_pts[0][1]), xs(ref_pts[-1][0]), ys(ref_pts[-1][1]),
                       strokeColor=colors.HexColor("#7F7F7F"), strokeWidth=0.8, strokeDashArray=[3, 2]))
        for si, (name, pts) in enumerate(series):
            color = SERIES_COLORS[si % len(SERIES_COLORS)]
            num_pts = sorted(((float(x), y) for x, y in pts if isinstance(x, (int, float))),
                             key=lambda p: p[0]) if kind == "line" else [(float(x), y) for x, y in pts
                                                                          if isinstance(x, (int, float))]
            if kind == "line" and len(num_pts) >= 2:
                flat: list[float] = []
                for x, y in num_pts:
                    flat += [xs(x), ys(y)]
                d.add(PolyLine(flat, strokeColor=color, strokeWidth=1.2, strokeLineJoin=1))
            size = 4.5 if kind == "line" else 3.0
            if len(num_pts) <= 400:
                for x, y in num_pts:
                    d.add(_marker(_MARKERS[si % len(_MARKERS)], xs(x), ys(y), size, color))
    if legend_w:
        lx, ly = x1 + 12, y1 - 4
        for si, (name, _) in enumerate(series):
            if ly < y0:
                d.add(String(lx, ly, f"+ {len(series) - si} more", fontName=FONT_REGULAR, fontSize=fs,
                             fillColor=_AXIS))
                break
            color = SERIES_COLORS[si % len(SERIES_COLORS)]
            d.add(Rect(lx, ly, 8, 5, fillColor=color, strokeColor=None))
            nf, nt = _lab(name)
            d.add(String(lx + 12, ly, _fit(nt, nf, fs, legend_w - 16), fontName=nf, fontSize=fs, fillColor=_INK))
            ly -= 10
        if len(ref_pts) >= 2 and ly > y0:
            d.add(Line(lx, ly + 2.5, lx + 8, ly + 2.5, strokeColor=colors.HexColor("#7F7F7F"), strokeWidth=0.8,
                       strokeDashArray=[3, 2]))
            d.add(String(lx + 12, ly, "reference", fontName=FONT_REGULAR, fontSize=fs, fillColor=_AXIS))
    return d


def num_label(x: Any) -> str:
    """An x value as an axis label."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


def bar_counts_chart(title: str, counts: Mapping[str, int], *, width: float = 240.0, height: float = 150.0,
                     y_label: str = "models") -> Drawing:
    """Bars of ``counts`` (label -> count), e.g. models per risk tier; see :func:`evidence_chart`."""
    return evidence_chart({"kind": "bar", "title": title, "x_label": "", "y_label": y_label,
                           "series": [{"name": "", "points": [[k, v] for k, v in counts.items()]}]},
                          width=width, height=height)
