"""Drift charts (pyqtgraph): PSI per feature over the windows of a drift run, and the
reference vs current distribution of one feature in one window.

Conventions (DESIGN.md, drift): PSI < 0.1 stable, 0.1 ≤ PSI < 0.25 warning,
PSI ≥ 0.25 drift (Siddiqi, *Credit Risk Scorecards*, 2006).  The two thresholds are drawn
as dashed lines with their labels over lightly shaded bands.  A window where a feature's
PSI could not be computed (``None``) is a gap in its line (NaN with
``connect="finite"``), never a zero.  Every line has its own colour *and* marker shape.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.models import PSI_DRIFT, PSI_WARNING, DriftRun, psi_status
from console.ui import fmt, theme

__all__ = ["DriftChart", "psi_matrix", "default_features", "DEFAULT_TOP_N"]

theme.configure_pyqtgraph()

DEFAULT_TOP_N = 5
#: switch the PSI axis to a log scale when a plotted PSI exceeds this (10 x drift)
LOG_SCALE_ABOVE = 10 * PSI_DRIFT
LOG_FLOOR = 1e-3  # PSI values below this are drawn at this level on a log scale
MAX_BINS = 20  # bars shown per distribution; the rest are pooled into "other"


def psi_matrix(run: DriftRun) -> tuple[list[str], list[str], np.ndarray, set[str]]:
    """``(feature names, window labels, PSI[feature, window], target names)``.

    Features keep their first-seen order; a feature missing from a window, not tested
    there, or with a ``None`` PSI is NaN.
    """
    windows = sorted(run.windows, key=lambda w: w.index)
    names: list[str] = []
    targets: set[str] = set()
    for w in windows:
        for f in w.features:
            if f.name not in names:
                names.append(f.name)
            if f.is_target:
                targets.add(f.name)
    pos = {n: i for i, n in enumerate(names)}
    m = np.full((len(names), len(windows)), np.nan)
    for j, w in enumerate(windows):
        for f in w.features:
            if f.psi is not None and f.tested and math.isfinite(f.psi):
                m[pos[f.name], j] = float(f.psi)
    return names, [w.label for w in windows], m, targets


def latest_psi(m: np.ndarray) -> np.ndarray:
    """Each row's PSI in the latest window where it is known (NaN if never)."""
    out = np.full(m.shape[0], np.nan)
    for i, row in enumerate(m):
        finite = np.flatnonzero(np.isfinite(row))
        if len(finite):
            out[i] = row[finite[-1]]
    return out


def default_features(run: DriftRun, n: int = DEFAULT_TOP_N) -> list[str]:
    """The ``n`` features (target excluded) with the highest PSI in the latest window."""
    names, _labels, m, targets = psi_matrix(run)
    if not names:
        return []
    last = latest_psi(m)
    order = sorted(
        (i for i, name in enumerate(names) if name not in targets and np.isfinite(last[i])),
        key=lambda i: -last[i],
    )
    return [names[i] for i in order[:n]]


class _WindowAxis(pg.AxisItem):
    """Bottom axis showing window labels at integer positions (thinned when crowded)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels: list[str] = []

    def tickValues(self, minVal, maxVal, size):  # noqa: N802,N803 - pyqtgraph API
        n = len(self.labels)
        if not n:
            return super().tickValues(minVal, maxVal, size)
        longest = max(len(s) for s in self.labels) * 7 + 16
        fit = max(1, int(size // max(longest, 1)))
        step = max(1, math.ceil(n / fit))
        lo, hi = min(minVal, maxVal), max(minVal, maxVal)
        major = [i for i in range(0, n, step) if lo - 0.5 <= i <= hi + 0.5]
        return [(float(step), major)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        out = []
        for v in values:
            i = int(round(v))
            out.append(self.labels[i] if 0 <= i < len(self.labels) and abs(v - i) < 1e-6 else "")
        return out


class _CategoryAxis(pg.AxisItem):
    """Left axis of the distribution bars: one bin label per integer position."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels: list[str] = []

    def tickValues(self, minVal, maxVal, size):  # noqa: N802,N803
        n = len(self.labels)
        if not n:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = min(minVal, maxVal), max(minVal, maxVal)  # the view may be inverted
        return [(1.0, [float(i) for i in range(n) if lo - 0.5 <= i <= hi + 0.5])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        out = []
        for v in values:
            i = int(round(v))
            text = self.labels[i] if 0 <= i < len(self.labels) else ""
            out.append(text if len(text) <= 28 else text[:27] + "…")
        return out


class _PercentAxis(pg.AxisItem):
    def tickStrings(self, values, scale, spacing):  # noqa: N802
        digits = 0 if spacing >= 0.01 else 1
        return [f"{v * 100:.{digits}f}%" for v in values]


def _pooled_distribution(dist: dict[str, Any]) -> tuple[list[str], np.ndarray, np.ndarray]:
    bins = [str(b) for b in dist.get("bins", [])]
    ref = np.array([np.nan if v is None else float(v) for v in dist.get("reference", [])], dtype=float)
    cur = np.array([np.nan if v is None else float(v) for v in dist.get("current", [])], dtype=float)
    n = min(len(bins), len(ref), len(cur))
    bins, ref, cur = bins[:n], np.nan_to_num(ref[:n]), np.nan_to_num(cur[:n])
    if n > MAX_BINS:
        weight = np.maximum(ref, cur)
        keep = np.sort(np.argsort(-weight, kind="stable")[: MAX_BINS - 1])
        rest = np.setdiff1d(np.arange(n), keep)
        bins = [bins[i] for i in keep] + [f"other ({len(rest)} categories)"]
        ref = np.append(ref[keep], ref[rest].sum())
        cur = np.append(cur[keep], cur[rest].sum())
    return bins, ref, cur


class DriftChart(QWidget):
    """The Drift tab: run picker, feature list, PSI chart and distribution chart."""

    #: emitted with (feature name, window position) when the distribution view changes
    distributionChanged = Signal(str, int)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self._runs: list[DriftRun] = []
        self._run: Optional[DriftRun] = None
        self._names: list[str] = []
        self._labels: list[str] = []
        self._psi = np.zeros((0, 0))
        self._targets: set[str] = set()
        self._colour_index: dict[str, int] = {}
        #: feature name -> its PSI line (only the checked features)
        self.lines: dict[str, pg.PlotDataItem] = {}

        t = theme.TOKENS
        # ---- header: run picker + description
        self.run_combo = QComboBox(self)
        self.run_combo.setAccessibleName("Drift run")
        self.run_combo.setMinimumContentsLength(28)
        self.run_combo.currentIndexChanged.connect(self._on_run_changed)
        self.run_title = QLabel(self)
        self.run_title.setProperty("role", "section")
        self.run_title.setAccessibleName("Drift run")
        self.run_info = QLabel(self)
        self.run_info.setProperty("role", "muted")
        self.run_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.run_info.setWordWrap(True)
        self.run_title.setWordWrap(True)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        run_lbl = QLabel("Drift &run:", self)
        run_lbl.setBuddy(self.run_combo)
        head.addWidget(run_lbl)
        head.addWidget(self.run_combo)
        head.addWidget(self.run_title, 1)
        head.addStretch(0)

        # ---- feature list (checkable; doubles as the legend)
        self.feature_list = QListWidget(self)
        self.feature_list.setAccessibleName("Features shown in the PSI chart")
        self.feature_list.setToolTip("Tick the features to plot; sorted by PSI in the latest window")
        self.feature_list.setUniformItemSizes(True)
        self.feature_list.itemChanged.connect(self._on_item_changed)
        self.feature_list.currentItemChanged.connect(self._on_current_feature)
        self.top_button = QPushButton(f"Top {DEFAULT_TOP_N}", self)
        self.top_button.setToolTip(f"Show the {DEFAULT_TOP_N} features with the highest latest PSI")
        self.top_button.clicked.connect(lambda: self.set_selected_features(default_features(self._run) if self._run else []))
        self.all_button = QPushButton("All", self)
        self.all_button.clicked.connect(lambda: self.set_selected_features(self._names))
        self.none_button = QPushButton("None", self)
        self.none_button.clicked.connect(lambda: self.set_selected_features([]))
        for b in (self.top_button, self.all_button, self.none_button):
            b.setAutoDefault(False)
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(4)
        lab = QLabel("Features (latest PSI)", left)
        lab.setProperty("role", "section")
        ll.addWidget(lab)
        ll.addWidget(self.feature_list, 1)
        bl = QHBoxLayout()
        bl.setSpacing(4)
        for b in (self.top_button, self.all_button, self.none_button):
            bl.addWidget(b)
        ll.addLayout(bl)

        # ---- PSI chart
        self.window_axis = _WindowAxis("bottom")
        self.window_axis.setStyle(hideOverlappingLabels=False)
        self.psi_plot = pg.PlotWidget(self, axisItems={"bottom": self.window_axis})
        self.psi_plot.setAccessibleName("PSI per feature over time windows")
        pi = self.psi_plot.getPlotItem()
        # One point per window (tens to hundreds): no downsampling or clip-to-view here;
        # clipping would also desynchronise the per-point data that carries the real PSI.
        pi.showGrid(x=False, y=True, alpha=0.15)
        pi.setLabel("left", "PSI")
        pi.getAxis("left").enableAutoSIPrefix(False)
        pi.setLabel("bottom", "Window")
        pi.getAxis("bottom").enableAutoSIPrefix(False)
        pi.setTitle("Population stability index by window", color=t.text, size="10pt")
        pi.setMenuEnabled(False)
        pi.hideButtons()
        pi.getViewBox().setMouseEnabled(x=False, y=True)
        self._bands = [
            pg.LinearRegionItem((PSI_WARNING, PSI_DRIFT), orientation="horizontal", movable=False,
                                brush=pg.mkBrush(t.band_warn), pen=pg.mkPen(None)),
            pg.LinearRegionItem((PSI_DRIFT, 1e3), orientation="horizontal", movable=False,
                                brush=pg.mkBrush(t.band_bad), pen=pg.mkPen(None)),
        ]
        for band in self._bands:
            band.setZValue(-100)
            for line in band.lines:
                line.setPen(pg.mkPen(None))
                line.setHoverPen(pg.mkPen(None))
            pi.addItem(band, ignoreBounds=True)
        self.threshold_lines = [
            pg.InfiniteLine(pos=PSI_WARNING, angle=0, movable=False,
                            pen=pg.mkPen(t.warn_fill, width=1.6, style=Qt.PenStyle.DashLine)),
            pg.InfiniteLine(pos=PSI_DRIFT, angle=0, movable=False,
                            pen=pg.mkPen(t.bad, width=1.6, style=Qt.PenStyle.DashLine)),
        ]
        # the threshold labels sit on a right-hand axis, where no line can hide them
        pi.showAxis("right")
        right = pi.getAxis("right")
        right.setTicks([[(PSI_WARNING, f"warning {PSI_WARNING:.2f}"), (PSI_DRIFT, f"drift {PSI_DRIFT:.2f}")], []])
        right.setTextPen(pg.mkPen(t.text))
        right.setPen(pg.mkPen(t.border))
        right.setStyle(tickLength=6)
        for line in self.threshold_lines:
            line.setZValue(-50)
            pi.addItem(line, ignoreBounds=True)
        self.psi_hint = QLabel("Click a point to see that feature’s distribution in that window.", self)
        self.psi_hint.setProperty("role", "muted")
        self.log_check = QCheckBox("&Logarithmic PSI scale", self)
        self.log_check.setToolTip(
            "Use a log scale when a few features have a very large PSI, so that the 0.1 and 0.25 "
            "thresholds and the other features stay readable (chosen automatically)"
        )
        self.log_check.toggled.connect(lambda _on: self._draw_lines())
        mid = QWidget(self)
        ml = QVBoxLayout(mid)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.setSpacing(2)
        ml.addWidget(self.psi_plot, 1)
        hint_row = QHBoxLayout()
        hint_row.addWidget(self.psi_hint, 1)
        hint_row.addWidget(self.log_check)
        ml.addLayout(hint_row)

        # ---- distribution chart
        self.feature_combo = QComboBox(self)
        self.feature_combo.setAccessibleName("Feature for the distribution chart")
        self.feature_combo.setMinimumContentsLength(12)
        self.window_combo = QComboBox(self)
        self.window_combo.setAccessibleName("Window for the distribution chart")
        self.window_combo.setMinimumContentsLength(10)
        self.feature_combo.currentIndexChanged.connect(self._draw_distribution)
        self.window_combo.currentIndexChanged.connect(self._draw_distribution)
        self.bin_axis = _CategoryAxis("left")
        self.dist_plot = pg.PlotWidget(self, axisItems={"left": self.bin_axis, "bottom": _PercentAxis("bottom")})
        self.dist_plot.setAccessibleName("Reference and current distribution")
        dp = self.dist_plot.getPlotItem()
        dp.setDownsampling(auto=True, mode="peak")
        dp.setClipToView(True)
        dp.showGrid(x=True, y=False, alpha=0.15)
        dp.setLabel("bottom", "Share of rows")
        dp.getAxis("bottom").enableAutoSIPrefix(False)
        dp.setMenuEnabled(False)
        dp.hideButtons()
        dp.getViewBox().setMouseEnabled(x=False, y=False)
        dp.getViewBox().invertY(True)
        self.ref_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.38,
                                        brush=pg.mkBrush(t.reference), pen=pg.mkPen(None))
        self.cur_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.38,
                                        brush=pg.mkBrush(t.current), pen=pg.mkPen(None))
        dp.addItem(self.ref_bars)
        dp.addItem(self.cur_bars)
        self.dist_title = QLabel(self)
        self.dist_title.setWordWrap(True)
        self.dist_title.setTextFormat(Qt.TextFormat.RichText)
        self.dist_legend = QLabel(
            f'<span style="color:{t.reference}">■</span> Reference&nbsp;&nbsp;&nbsp;'
            f'<span style="color:{t.current}">■</span> Current window',
            self,
        )
        self.dist_legend.setAccessibleName("Legend: grey bars reference, blue bars current window")
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(4)
        combos = QHBoxLayout()
        combos.setSpacing(4)
        fl = QLabel("&Feature:", right)
        fl.setBuddy(self.feature_combo)
        combos.addWidget(fl)
        combos.addWidget(self.feature_combo, 1)
        wl = QLabel("&Window:", right)
        wl.setBuddy(self.window_combo)
        combos.addWidget(wl)
        combos.addWidget(self.window_combo, 1)
        rl.addLayout(combos)
        rl.addWidget(self.dist_title)
        rl.addWidget(self.dist_plot, 1)
        rl.addWidget(self.dist_legend)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(mid)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([230, 640, 460])
        self.splitter.setChildrenCollapsible(False)

        self.empty = QLabel("No drift monitoring has been recorded for this model yet.", self)
        self.empty.setProperty("role", "placeholder")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        content = QWidget(self)
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(2)
        cl.addLayout(head)
        cl.addWidget(self.run_info)
        cl.addWidget(self.splitter, 1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(content)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)

        self.setTabOrder(self.run_combo, self.feature_list)
        self.setTabOrder(self.feature_list, self.top_button)
        self.setTabOrder(self.top_button, self.all_button)
        self.setTabOrder(self.all_button, self.none_button)
        self.setTabOrder(self.none_button, self.feature_combo)
        self.setTabOrder(self.feature_combo, self.window_combo)

    # ------------------------------------------------------------------ public API
    def set_runs(self, runs: Sequence[DriftRun]) -> None:
        """Show the drift runs of a model (newest first); the newest is selected."""
        self._runs = list(runs)
        with QSignalBlocker(self.run_combo):
            self.run_combo.clear()
            for r in self._runs:
                self.run_combo.addItem(
                    f"{r.label or 'Drift run'} · v{r.version} · {fmt.date(r.created_at)}", r.id
                )
        several = len(self._runs) > 1
        self.run_combo.setVisible(several)
        self.run_title.setVisible(not several)
        if self._runs:
            self.run_title.setText(self.run_combo.itemText(0))
        if not self._runs:
            self._set_run(None)
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self.run_combo.setCurrentIndex(0)
        self._set_run(self._runs[0])

    def clear(self) -> None:
        self.set_runs([])

    @property
    def run(self) -> Optional[DriftRun]:
        return self._run

    def feature_names(self) -> list[str]:
        return list(self._names)

    def selected_features(self) -> list[str]:
        out = []
        for i in range(self.feature_list.count()):
            item = self.feature_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def set_selected_features(self, names: Sequence[str]) -> None:
        wanted = set(names)
        with QSignalBlocker(self.feature_list):
            for i in range(self.feature_list.count()):
                item = self.feature_list.item(i)
                item.setCheckState(
                    Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted else Qt.CheckState.Unchecked
                )
        self._draw_lines()

    def show_distribution(self, feature: str, window: int) -> None:
        """Select ``feature`` in window position ``window`` for the distribution chart."""
        fi = self.feature_combo.findData(feature)
        if fi >= 0:
            with QSignalBlocker(self.feature_combo):
                self.feature_combo.setCurrentIndex(fi)
        if 0 <= window < self.window_combo.count():
            with QSignalBlocker(self.window_combo):
                self.window_combo.setCurrentIndex(window)
        self._draw_distribution()

    def distribution_selection(self) -> tuple[Optional[str], int]:
        return self.feature_combo.currentData(), self.window_combo.currentIndex()

    # ------------------------------------------------------------------ internals
    def _on_run_changed(self, index: int) -> None:
        if 0 <= index < len(self._runs):
            self._set_run(self._runs[index])

    def _set_run(self, run: Optional[DriftRun]) -> None:
        self._run = run
        if run is None:
            self._names, self._labels, self._psi, self._targets = [], [], np.zeros((0, 0)), set()
        else:
            self._names, self._labels, self._psi, self._targets = psi_matrix(run)
        last = latest_psi(self._psi) if len(self._names) else np.zeros(0)
        order = sorted(range(len(self._names)), key=lambda i: (-(last[i]) if np.isfinite(last[i]) else math.inf, i))
        self._colour_index = {self._names[i]: k for k, i in enumerate(order)}
        selected = set(default_features(run)) if run is not None else set()

        if run is not None:
            windows = sorted(run.windows, key=lambda w: w.index)
            drifted = sum(1 for w in windows if w.dataset_drift)
            self.run_info.setText(
                f"{len(windows)} window{'s' if len(windows) != 1 else ''} · model v{run.version} · computed {fmt.datetime_utc(run.created_at)} "
                f"by {run.created_by} · reference SHA-256 {fmt.short_sha(run.reference_sha256)}"
                + (f" · dataset drift in {drifted} window{'s' if drifted != 1 else ''}" if drifted else "")
            )
            self.run_info.setToolTip(f"Reference data SHA-256: {run.reference_sha256}")
        else:
            self.run_info.setText("")

        with QSignalBlocker(self.feature_list):
            self.feature_list.clear()
            for i in order:
                name = self._names[i]
                psi = last[i]
                st = psi_status(psi) if np.isfinite(psi) else None
                word = st.value if st else "not tested"
                shown = name + (" (target)" if name in self._targets else "")
                item = QListWidgetItem(f"{shown}  —  {fmt.number(float(psi)) if np.isfinite(psi) else 'n/a'} {word}")
                k = self._colour_index[name]
                item.setIcon(theme.swatch_icon(theme.series_colour(k), k))
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setToolTip(f"{shown}: PSI {fmt.number(float(psi), 4) if np.isfinite(psi) else 'not computed'} "
                                f"in the latest window ({word})")
                item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{shown}, latest PSI "
                             f"{fmt.number(float(psi)) if np.isfinite(psi) else 'not available'}, {word}")
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if name in selected else Qt.CheckState.Unchecked)
                self.feature_list.addItem(item)

        self.window_axis.labels = list(self._labels)
        shown = [self._names.index(n) for n in self._names if n in selected]
        peak = float(np.nanmax(self._psi[shown])) if shown and np.isfinite(self._psi[shown]).any() else 0.0
        with QSignalBlocker(self.log_check):
            self.log_check.setChecked(peak > LOG_SCALE_ABOVE)
        with QSignalBlocker(self.feature_combo), QSignalBlocker(self.window_combo):
            self.feature_combo.clear()
            for i in order:
                self.feature_combo.addItem(self._names[i], self._names[i])
            self.window_combo.clear()
            for lab in self._labels:
                self.window_combo.addItem(lab)
            if self._labels:
                self.window_combo.setCurrentIndex(len(self._labels) - 1)
        self._draw_lines()
        self._draw_distribution()

    def _on_item_changed(self, _item: QListWidgetItem) -> None:
        self._draw_lines()

    def _on_current_feature(self, current: Optional[QListWidgetItem], _prev: Any) -> None:
        if current is not None:
            self.show_distribution(current.data(Qt.ItemDataRole.UserRole), self.window_combo.currentIndex())

    def _draw_lines(self) -> None:
        pi = self.psi_plot.getPlotItem()
        for item in self.lines.values():
            pi.removeItem(item)
        self.lines.clear()
        log = self.log_check.isChecked()
        pi.setLogMode(x=False, y=log)
        tr = (lambda v: math.log10(v)) if log else (lambda v: v)
        for line, value in zip(self.threshold_lines, (PSI_WARNING, PSI_DRIFT)):
            line.setValue(tr(value))
        self._bands[0].setRegion((tr(PSI_WARNING), tr(PSI_DRIFT)))
        self._bands[1].setRegion((tr(PSI_DRIFT), tr(1e3)))
        self.psi_plot.getPlotItem().getAxis("right").setTicks(
            [[(tr(PSI_WARNING), f"warning {PSI_WARNING:.2f}"), (tr(PSI_DRIFT), f"drift {PSI_DRIFT:.2f}")], []]
        )
        x = np.arange(len(self._labels), dtype=float)
        ymax, ymin = 0.0, math.inf
        for name in self.selected_features():
            i = self._names.index(name)
            y = self._psi[i]
            k = self._colour_index.get(name, 0)
            colour = theme.series_colour(k)
            data = [(name, lab, None if not np.isfinite(v) else float(v)) for lab, v in zip(self._labels, y)]
            y_plot = np.where(np.isfinite(y), np.maximum(y, LOG_FLOOR), np.nan) if log else y
            item = pg.PlotDataItem(
                x, y_plot, connect="finite", pen=pg.mkPen(colour, width=2),
                symbol=theme.series_symbol(k), symbolSize=8, symbolBrush=pg.mkBrush(colour),
                symbolPen=pg.mkPen("#ffffff", width=1), name=name, data=data,
            )
            item.scatter.opts["hoverable"] = True
            item.scatter.opts["tip"] = self._tip
            item.sigPointsClicked.connect(self._on_points_clicked)
            pi.addItem(item)
            self.lines[name] = item
            finite = y[np.isfinite(y)]
            if len(finite):
                ymax = max(ymax, float(finite.max()))
                ymin = min(ymin, float(max(finite.min(), LOG_FLOOR)))
        # Limits first, then ranges: a range set while the previous run's (or scale's)
        # limits are in force would be clamped to them.
        vb = pi.getViewBox()
        if log:
            lo = min(ymin if math.isfinite(ymin) else PSI_WARNING, PSI_WARNING) / 1.5
            hi = max(ymax, PSI_DRIFT) * 1.5
            vb.setLimits(yMin=math.log10(LOG_FLOOR) - 0.5, xMin=-1, xMax=max(1, len(self._labels)))
            pi.setXRange(-0.6, max(0.6, len(self._labels) - 0.4), padding=0)
            pi.setYRange(math.log10(lo), math.log10(hi), padding=0)
        else:
            vb.setLimits(yMin=-0.02, xMin=-1, xMax=max(1, len(self._labels)))
            pi.setXRange(-0.6, max(0.6, len(self._labels) - 0.4), padding=0)
            pi.setYRange(0, max(0.3, ymax * 1.12), padding=0)

    @staticmethod
    def _tip(x: float, y: float, data: Any) -> str:
        # ``y`` may be on a log scale: the real PSI travels with the point's data
        name, label, psi = data if isinstance(data, tuple) else ("", "", y)
        st = psi_status(psi)
        return f"{name} · {label}\nPSI {fmt.number(psi, 4)} ({st.value if st else 'n/a'})"

    def _on_points_clicked(self, item: pg.PlotDataItem, points: Any, _ev: Any = None) -> None:
        if points is None or len(points) == 0:
            return
        name = item.name()
        self.show_distribution(name, int(round(points[0].pos().x())))

    def _feature_result(self, name: Optional[str], window: int):
        if self._run is None or name is None:
            return None
        windows = sorted(self._run.windows, key=lambda w: w.index)
        if not 0 <= window < len(windows):
            return None
        return next((f for f in windows[window].features if f.name == name), None)

    def _draw_distribution(self, *_: Any) -> None:
        name, window = self.distribution_selection()
        f = self._feature_result(name, window)
        dp = self.dist_plot.getPlotItem()
        t = theme.TOKENS
        if f is None or not f.distribution:
            self.ref_bars.setOpts(x0=[], y=[], width=[])
            self.cur_bars.setOpts(x0=[], y=[], width=[])
            self.bin_axis.labels = []
            self.dist_title.setText(
                "" if name is None else f"<b>{name}</b>: no distribution recorded for this window"
                + (f" ({f.result.get('reason')})" if f is not None and f.result.get("reason") else "")
            )
            return
        bins, ref, cur = _pooled_distribution(f.distribution)
        pos = np.arange(len(bins), dtype=float)
        self.bin_axis.labels = bins
        self.ref_bars.setOpts(x0=np.zeros(len(bins)), y=pos - 0.2, width=ref, height=0.38)
        self.cur_bars.setOpts(x0=np.zeros(len(bins)), y=pos + 0.2, width=cur, height=0.38)
        xmax = float(max(ref.max(initial=0), cur.max(initial=0))) * 1.1 or 1.0
        dp.setXRange(0, xmax, padding=0)
        dp.setYRange(-0.6, len(bins) - 0.4, padding=0)
        st = psi_status(f.psi)
        colour = theme.status_style(st.value if st else None).colour
        psi_txt = fmt.number(f.psi, 3) if f.psi is not None else "n/a"
        label = self._labels[window] if 0 <= window < len(self._labels) else ""
        self.dist_title.setText(
            f"<b>{name}</b> in window <b>{label}</b>: PSI {psi_txt} "
            f'<span style="color:{colour}"><b>{st.value if st else "not tested"}</b></span>'
            + (f' <span style="color:{t.text_muted}">({f.kind})</span>' if f.kind else "")
        )
        self.dist_plot.setToolTip(
            "\n".join(f"{b}: reference {r * 100:.1f}% · current {c * 100:.1f}%" for b, r, c in zip(bins, ref, cur))
        )
        self.distributionChanged.emit(name, window)
