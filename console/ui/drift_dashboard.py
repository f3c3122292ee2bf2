"""Building blocks of the drift dashboard (pyqtgraph): the feature x window PSI heatmap
and a time-series plot that stays interactive at a million points.

* :class:`PsiHeatmap`: one cell per (feature, window), filled with the threshold colour
  of its PSI (stable / warning / drift under the model's thresholds, DESIGN.md defaults
  0.1 / 0.25, Siddiqi 2006) *and* marked with the status glyph (none for stable, ``▲``
  warning, ``✖`` drift, ``–`` not tested), so status never depends on colour alone.
  Hovering a cell shows its exact values (feature, window, PSI, status word, rows);
  clicking it emits :attr:`PsiHeatmap.cellClicked`.
* :class:`TimeSeriesPlot`: lines over the windows on a UTC date axis (pyqtgraph
  :class:`~pyqtgraph.DateAxisItem` with ``utcOffset=0``: window starts are UTC instants,
  so a daylight-saving change never shifts a tick) or, for runs without timestamps, on
  the window labels.  Peak downsampling and clip-to-view keep a 1,000,000-point history
  interactive (``benchmarks/bench_drift_chart.py``); a visible note says when the drawn
  points are aggregated.  NaN values are gaps (``connect="finite"``); an empty series
  says so in the plot.  Hover shows the nearest point's exact value; per-point data is
  kept here (not in the scatter item), so clipping never desynchronises it.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Callable, Optional, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPainterPath, QTransform
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from console.ui import fmt, theme

__all__ = [
    "HEAT_COLOURS",
    "PsiHeatmap",
    "TimeSeriesPlot",
    "WindowAxis",
    "CategoryAxis",
    "window_times",
    "status_of",
    "SYMBOL_MAX_POINTS",
]

theme.configure_pyqtgraph()

#: Cell fills of the heatmap (light enough for the dark glyph on top; status is also
#: given by the glyph and the hover text, never by colour alone).
HEAT_COLOURS = {
    "stable": "#cdebd5",
    "warning": "#f2cf6b",
    "drift": "#e8747c",
    None: "#eceff2",  # not tested / no value
}
#: Markers are drawn on lines only up to this many points (they cost more than the line).
SYMBOL_MAX_POINTS = 2000


def status_of(psi: Optional[float], warning: float, drift: float) -> Optional[str]:
    """``stable`` / ``warning`` / ``drift`` for ``psi`` under the thresholds; None for
    a missing or non-finite value."""
    if psi is None or not math.isfinite(psi):
        return None
    return "drift" if psi >= drift else "warning" if psi >= warning else "stable"


def window_times(windows: Sequence[Any]) -> Optional[np.ndarray]:
    """Window starts as UTC epoch seconds (float64), or None when a window has no
    parseable start (then charts fall back to the window labels)."""
    out = []
    for w in windows:
        s = getattr(w, "start", None)
        if not s:
            return None
        try:
            t = datetime.fromisoformat(str(s).replace("Z", "+00:00"))
        except ValueError:
            return None
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        out.append(t.timestamp())
    if len(out) < 1 or any(b <= a for a, b in zip(out, out[1:])):
        return None  # clip-to-view and hover need increasing x
    return np.asarray(out, dtype=float)


def _text_symbol(text: str) -> QPainterPath:
    """A pyqtgraph marker (unit-size path centred on 0) drawing ``text``."""
    path = QPainterPath()
    f = QFont()
    f.setPointSize(10)
    f.setBold(True)
    path.addText(0, 0, f, text)
    br = path.boundingRect()
    scale = 1.0 / max(br.width(), br.height(), 1e-9)
    tr = QTransform()
    tr.scale(scale, scale)
    tr.translate(-br.x() - br.width() / 2, -br.y() - br.height() / 2)
    return tr.map(path)


class WindowAxis(pg.AxisItem):
    """Bottom axis showing window labels at integer positions, thinned so that labels
    never overlap (every k-th label, k chosen from the label width and axis length)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels: list[str] = []

    def tickValues(self, minVal, maxVal, size):  # noqa: N802,N803 - pyqtgraph API
        n = len(self.labels)
        if not n:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = min(minVal, maxVal), max(minVal, maxVal)
        visible = max(1.0, min(hi, n - 0.5) - max(lo, -0.5))
        longest = max(len(s) for s in self.labels) * 7 + 18
        fit = max(1, int(size // max(longest, 1)))
        step = max(1, math.ceil(visible / fit))
        major = [i for i in range(0, n, step) if lo - 0.5 <= i <= hi + 0.5]
        return [(float(step), major)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        out = []
        for v in values:
            i = int(round(v))
            out.append(self.labels[i] if 0 <= i < len(self.labels) and abs(v - i) < 1e-6 else "")
        return out


class CategoryAxis(pg.AxisItem):
    """Left axis with one label per integer position (long labels shortened with …)."""

    def __init__(self, *args: Any, max_chars: int = 28, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels: list[str] = []
        self.max_chars = max_chars

    def tickValues(self, minVal, maxVal, size):  # noqa: N802,N803
        n = len(self.labels)
        if not n:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = min(minVal, maxVal), max(minVal, maxVal)  # the view may be inverted
        step = max(1, math.ceil((min(hi, n) - max(lo, 0) + 1) / max(1, size / 15)))
        return [(float(step), [float(i) for i in range(0, n, step) if lo - 0.5 <= i <= hi + 0.5])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        out = []
        for v in values:
            i = int(round(v))
            text = self.labels[i] if 0 <= i < len(self.labels) else ""
            out.append(text if len(text) <= self.max_chars else text[: self.max_chars - 1] + "…")
        return out


# =========================================================================== heatmap
class PsiHeatmap(QWidget):
    """Feature (rows, y) x window (columns, x) heatmap of PSI.

    :meth:`set_data` takes the feature names, window labels, ``psi[feature, window]``
    (NaN = not tested), rows per window and the thresholds.  ``cellClicked(feature,
    window position)`` on a click; :attr:`hover_label` shows the hovered cell's text
    (:meth:`cell_text`)."""

    cellClicked = Signal(str, int)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        t = theme.TOKENS
        self.names: list[str] = []
        self.labels: list[str] = []
        self.psi = np.zeros((0, 0))
        self.rows: list[int] = []
        self.targets: set[str] = set()
        self.warning, self.drift = 0.1, 0.25
        self.selected: Optional[tuple[int, int]] = None

        self.window_axis = WindowAxis("bottom")
        self.feature_axis = CategoryAxis("left", max_chars=22)
        self.plot = pg.PlotWidget(self, axisItems={"bottom": self.window_axis, "left": self.feature_axis})
        self.plot.setAccessibleName("PSI heatmap: features by window")
        pi = self.plot.getPlotItem()
        pi.setMenuEnabled(False)
        pi.hideButtons()
        pi.setLabel("bottom", "Window (UTC)")
        vb = pi.getViewBox()
        vb.invertY(True)
        vb.setMouseEnabled(x=True, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        pi.addItem(self.image)
        self.marks = pg.ScatterPlotItem(pxMode=True, size=11, pen=pg.mkPen(None), brush=pg.mkBrush(t.text))
        pi.addItem(self.marks)
        self.cursor = pg.QtWidgets.QGraphicsRectItem(QRectF(0, 0, 1, 1))
        self.cursor.setPen(pg.mkPen(t.text, width=2.5))
        self.cursor.setZValue(10)
        self.cursor.hide()
        pi.addItem(self.cursor)
        self.empty_text = pg.TextItem("", color=t.text_muted, anchor=(0.5, 0.5))
        pi.addItem(self.empty_text, ignoreBounds=True)
        self.hover_label = QLabel("Hover over a cell for its values; click it for the distributions.", self)
        self.hover_label.setProperty("role", "muted")
        self.hover_label.setAccessibleName("Values of the hovered heatmap cell")
        self.hover_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setAccessibleName("Heatmap legend")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.legend)
        lay.addWidget(self.hover_label)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self._update_legend()

    # ------------------------------------------------------------------ data
    def set_data(self, names: Sequence[str], labels: Sequence[str], psi: np.ndarray,
                 rows: Sequence[int] = (), *, warning: float = 0.1, drift: float = 0.25,
                 targets: Sequence[str] = ()) -> None:
        self.names, self.labels = list(names), list(labels)
        self.psi = np.asarray(psi, dtype=float).reshape(len(self.names), len(self.labels))
        self.rows = list(rows)
        self.targets = set(targets)
        self.warning, self.drift = warning, drift
        self.selected = None
        self.cursor.hide()
        self.window_axis.labels = self.labels
        self.feature_axis.labels = [n + (" (target)" if n in self.targets else "") for n in self.names]
        nf, nw = self.psi.shape
        pi = self.plot.getPlotItem()
        if nf == 0 or nw == 0:
            self.image.clear()
            self.marks.setData([], [])
            self.empty_text.setText("No PSI recorded for this run")
            self.empty_text.setPos(0, 0)
            pi.setXRange(-1, 1, padding=0)
            pi.setYRange(-1, 1, padding=0)
            self._update_legend()
            return
        self.empty_text.setText("")
        rgba = np.zeros((nf, nw, 4), dtype=np.ubyte)
        xs, ys, symbols = [], [], []
        glyph = {"warning": _text_symbol("▲"), "drift": _text_symbol("✖"), None: _text_symbol("–")}
        for i in range(nf):
            for j in range(nw):
                st = status_of(self.psi[i, j], warning, drift)
                c = pg.mkColor(HEAT_COLOURS[st])
                rgba[i, j] = (c.red(), c.green(), c.blue(), 255)
                if st != "stable":
                    xs.append(j)
                    ys.append(i)
                    symbols.append(glyph[st])
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.image.setRect(QRectF(-0.5, -0.5, nw, nf))
        self.marks.setData(x=xs, y=ys, symbol=symbols, size=10 if nw <= 40 else 7)
        vb = pi.getViewBox()
        vb.setLimits(xMin=-0.5, xMax=nw - 0.5, yMin=-0.5, yMax=nf - 0.5)
        pi.setXRange(-0.5, nw - 0.5, padding=0)
        pi.setYRange(-0.5, nf - 0.5, padding=0)
        self._update_legend()

    def _update_legend(self) -> None:
        sw = lambda st: f'<span style="background:{HEAT_COLOURS[st]}">&nbsp;&nbsp;&nbsp;&nbsp;</span>'  # noqa: E731
        self.legend.setText(
            f"{sw('stable')} stable (PSI &lt; {self.warning:g}) &nbsp; "
            f"{sw('warning')} ▲ warning ({self.warning:g} – {self.drift:g}) &nbsp; "
            f"{sw('drift')} ✖ drift (≥ {self.drift:g}) &nbsp; {sw(None)} – not tested"
        )

    # ------------------------------------------------------------------ cells
    def cell_at(self, scene_pos: QPointF) -> Optional[tuple[int, int]]:
        """``(feature row, window column)`` under a scene position, or None."""
        vb = self.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        i, j = int(math.floor(p.y() + 0.5)), int(math.floor(p.x() + 0.5))
        nf, nw = self.psi.shape
        return (i, j) if 0 <= i < nf and 0 <= j < nw else None

    def scene_pos_of(self, i: int, j: int) -> QPointF:
        """The scene position of the centre of cell (feature ``i``, window ``j``)."""
        return self.plot.getPlotItem().getViewBox().mapViewToScene(QPointF(j, i))

    def cell_text(self, i: int, j: int) -> str:
        """``feature · window: PSI 0.1234 (warning) · 1,234 rows``."""
        psi = self.psi[i, j]
        st = status_of(psi, self.warning, self.drift)
        rows = f" · {self.rows[j]:,} rows" if j < len(self.rows) else ""
        name = self.names[i] + (" (target)" if self.names[i] in self.targets else "")
        if st is None:
            return f"{name} · {self.labels[j]}: not tested{rows}"
        return f"{name} · {self.labels[j]}: PSI {psi:.4f} ({theme.status_glyph(st)} {st}){rows}"

    def select_cell(self, i: int, j: int) -> None:
        self.selected = (i, j)
        self.cursor.setRect(QRectF(j - 0.5, i - 0.5, 1, 1))
        self.cursor.show()

    def _on_mouse_moved(self, pos: QPointF) -> None:
        cell = self.cell_at(pos)
        if cell is None:
            self.plot.setToolTip("")
            return
        text = self.cell_text(*cell)
        self.hover_label.setText(text)
        self.plot.setToolTip(text)

    def _on_mouse_clicked(self, ev: Any) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        cell = self.cell_at(ev.scenePos())
        if cell is None:
            return
        self.select_cell(*cell)
        self.hover_label.setText(self.cell_text(*cell))
        self.cellClicked.emit(self.names[cell[0]], cell[1])


# =========================================================================== time series
class TimeSeriesPlot(QWidget):
    """Lines over time on a UTC date axis (or window labels), with peak downsampling,
    clip-to-view, an aggregation note, gaps for NaN, a "no data" text and hover values.

    :meth:`set_x` sets the x positions (epoch seconds, or None for window indices with
    ``labels``); :meth:`add_line` adds a series; :attr:`lines` name -> item;
    :attr:`note` is the visible "showing N of M points (peak downsampling)" label.
    """

    #: (series name, point index) of a clicked point
    pointClicked = Signal(str, int)

    def __init__(self, title: str, y_label: str, parent: Optional[QWidget] = None, *,
                 tip: Optional[Callable[[str, int, float], str]] = None) -> None:
        super().__init__(parent)
        t = theme.TOKENS
        self.date_axis = pg.DateAxisItem("bottom", utcOffset=0)
        self.window_axis = WindowAxis("bottom")
        self.window_axis.setStyle(hideOverlappingLabels=False)
        self.plot = pg.PlotWidget(self, axisItems={"bottom": self.date_axis})
        self.plot.setAccessibleName(title)
        pi = self.plot.getPlotItem()
        pi.setDownsampling(auto=True, mode="peak")
        pi.setClipToView(True)
        pi.showGrid(x=False, y=True, alpha=0.15)
        pi.setLabel("left", y_label)
        pi.getAxis("left").enableAutoSIPrefix(False)
        pi.setTitle(title, color=t.text, size="10pt")
        pi.setMenuEnabled(False)
        pi.hideButtons()
        pi.getViewBox().setMouseEnabled(x=True, y=False)
        self.no_data = pg.TextItem("", color=t.text_muted, anchor=(0.5, 0.5))
        self.no_data.setZValue(100)
        self.no_data_shown = False
        self.hover_dot = pg.ScatterPlotItem(size=11, pen=pg.mkPen(t.text, width=1.5), brush=pg.mkBrush(None))
        self.hover_dot.setZValue(50)
        pi.addItem(self.hover_dot, ignoreBounds=True)
        self.note = QLabel(self)
        self.note.setProperty("role", "muted")
        self.note.setAccessibleName("Aggregation note")
        self.note.hide()
        self.hover_label = QLabel(self)
        self.hover_label.setProperty("role", "muted")
        self.hover_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hover_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.note)
        lay.addWidget(self.hover_label)
        self._tip = tip
        self.x = np.zeros(0)
        self.dates = True
        self.labels: list[str] = []
        self.lines: dict[str, pg.PlotDataItem] = {}
        self.values: dict[str, np.ndarray] = {}  # the real values (not log-mapped)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(0)
        self._note_timer.timeout.connect(self.update_note)
        pi.getViewBox().sigRangeChanged.connect(lambda *_: self._note_timer.start())
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # ------------------------------------------------------------------ axis
    def set_x(self, x: Optional[np.ndarray], labels: Sequence[str] = ()) -> None:
        """x = epoch seconds (UTC date axis) or None: window indices labelled ``labels``."""
        self.clear_lines()
        pi = self.plot.getPlotItem()
        self.labels = list(labels)
        if x is not None:
            self.x = np.asarray(x, dtype=float)
            if not self.dates:
                pi.setAxisItems({"bottom": self.date_axis})
            self.dates = True
            pi.setLabel("bottom", "Window start (UTC)")
        else:
            self.x = np.arange(len(self.labels), dtype=float)
            self.window_axis.labels = self.labels
            if self.dates:
                pi.setAxisItems({"bottom": self.window_axis})
            self.dates = False
            pi.setLabel("bottom", "Window")
        pi.getAxis("bottom").enableAutoSIPrefix(False)

    def x_range(self) -> tuple[float, float]:
        """The full x extent of the data, padded by half a step."""
        if len(self.x) == 0:
            return -0.5, 0.5
        if len(self.x) == 1:
            half = 43200.0 if self.dates else 0.5
        else:
            half = float(np.median(np.diff(self.x[: 10001]))) / 2
        return float(self.x[0]) - half, float(self.x[-1]) + half

    # ------------------------------------------------------------------ lines
    def clear_lines(self) -> None:
        pi = self.plot.getPlotItem()
        for item in self.lines.values():
            pi.removeItem(item)
        self.lines.clear()
        self.values.clear()
        self.hover_dot.setData([], [])
        self.hover_label.setText("")
        self.set_no_data(None)

    def add_line(self, name: str, y: np.ndarray, colour: str, symbol_index: int = 0, *,
                 y_plot: Optional[np.ndarray] = None, width: float = 2.0) -> pg.PlotDataItem:
        """Add a series ``y`` (one value per x; NaN = gap).  ``y_plot``: what is drawn if
        it differs from the real values (e.g. floored for a log scale)."""
        y = np.asarray(y, dtype=float)
        drawn = y if y_plot is None else np.asarray(y_plot, dtype=float)
        small = len(y) <= SYMBOL_MAX_POINTS
        kw: dict[str, Any] = {}
        if small:
            kw = dict(symbol=theme.series_symbol(symbol_index), symbolSize=7, symbolBrush=pg.mkBrush(colour),
                      symbolPen=pg.mkPen("#ffffff", width=1))
        item = pg.PlotDataItem(self.x, drawn, connect="finite", pen=pg.mkPen(colour, width=width if small else 1),
                               name=name, skipFiniteCheck=False, **kw)
        if small:
            item.sigPointsClicked.connect(lambda it, pts, _ev=None, n=name: self._on_points(n, pts))
        self.plot.getPlotItem().addItem(item)
        self.lines[name] = item
        self.values[name] = y
        self._note_timer.start()
        return item

    def set_no_data(self, text: Optional[str]) -> None:
        """Show ``text`` in the middle of the plot (None hides it)."""
        pi = self.plot.getPlotItem()
        if text:
            if self.no_data.scene() is None:
                pi.addItem(self.no_data, ignoreBounds=True)
            self.no_data.setText(text)
            vr = pi.getViewBox().viewRange()
            self.no_data.setPos((vr[0][0] + vr[0][1]) / 2, (vr[1][0] + vr[1][1]) / 2)
            self.no_data_shown = True
        else:
            if self.no_data.scene() is not None:
                pi.removeItem(self.no_data)
            self.no_data_shown = False

    def finish(self, y_range: Optional[tuple[float, float]] = None, empty_text: str = "No data") -> None:
        """Set the ranges after the lines were added; a plot without a finite value
        shows ``empty_text``."""
        pi = self.plot.getPlotItem()
        lo, hi = self.x_range()
        vb = pi.getViewBox()
        vb.setLimits(xMin=lo - (hi - lo), xMax=hi + (hi - lo))
        pi.setXRange(lo, hi, padding=0)
        finite = [v[np.isfinite(v)] for v in self.values.values()]
        finite = [f for f in finite if len(f)]
        if y_range is not None:
            pi.setYRange(*y_range, padding=0)
        elif finite:
            ymin = min(float(f.min()) for f in finite)
            ymax = max(float(f.max()) for f in finite)
            pad = (ymax - ymin) * 0.08 or abs(ymax) * 0.1 or 1.0
            pi.setYRange(ymin - pad, ymax + pad, padding=0)
        else:
            pi.setYRange(0, 1, padding=0)
        self.set_no_data(None if finite else empty_text)
        self.update_note()

    def displayed_points(self) -> tuple[int, int]:
        """(points drawn, points in the data) summed over the lines."""
        shown = total = 0
        for name, item in self.lines.items():
            total += len(self.values[name])
            ds = item._getDisplayDataset()  # pyqtgraph's downsampled + clipped data
            shown += 0 if ds is None or ds.x is None else len(ds.x)
        return shown, total

    def update_note(self) -> None:
        shown, total = self.displayed_points()
        if total and shown < total:
            self.note.setText(f"Showing {shown:,} of {total:,} points (peak downsampling: each drawn pair is the "
                              "min and max of the points it stands for); zoom in for every point.")
            self.note.show()
        else:
            self.note.hide()

    # ------------------------------------------------------------------ hover / click
    def nearest_index(self, x: float) -> int:
        i = int(np.searchsorted(self.x, x))
        if i <= 0:
            return 0
        if i >= len(self.x):
            return len(self.x) - 1
        return i if abs(self.x[i] - x) < abs(x - self.x[i - 1]) else i - 1

    def x_text(self, i: int) -> str:
        if self.dates:
            t = datetime.fromtimestamp(float(self.x[i]), tz=timezone.utc)
            return t.strftime("%Y-%m-%d %H:%M UTC") if (t.hour or t.minute) else t.strftime("%Y-%m-%d UTC")
        return self.labels[i] if i < len(self.labels) else str(i)

    def hover_text(self, name: str, i: int) -> str:
        v = float(self.values[name][i])
        if self._tip is not None:
            return self._tip(name, i, v)
        return f"{name} · {self.x_text(i)}: {fmt.number(v, 4) if math.isfinite(v) else 'no value'}"

    def _on_mouse_moved(self, pos: QPointF) -> None:
        vb = self.plot.getPlotItem().getViewBox()
        if not self.lines or len(self.x) == 0 or not vb.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        i = self.nearest_index(p.x())
        best, dist = None, math.inf
        for name, item in self.lines.items():
            yd = item.yData  # as drawn (log-mapped on a log scale)
            if yd is None or i >= len(yd):
                continue
            yv = float(yd[i])
            if self.plot.getPlotItem().getAxis("left").logMode and yv > 0:
                yv = math.log10(yv)
            if math.isfinite(yv) and abs(yv - p.y()) < dist:
                best, dist = (name, yv), abs(yv - p.y())
        if best is None:
            return
        self.hover_dot.setData([self.x[i]], [best[1]])
        text = self.hover_text(best[0], i)
        self.hover_label.setText(text)
        self.plot.setToolTip(text)

    def _on_points(self, name: str, points: Any) -> None:
        if points is None or len(points) == 0:
            return
        self.pointClicked.emit(name, self.nearest_index(points[0].pos().x()))
