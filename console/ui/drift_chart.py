"""The Drift tab: a drift dashboard of a model's drift runs (pyqtgraph).

* a feature x window **heatmap** of PSI (:class:`console.ui.drift_dashboard.PsiHeatmap`)
  coloured and marked with the model's thresholds; hover shows exact values, a click
  shows that cell's distributions;
* **PSI over time** of the ticked features, with the warning / drift thresholds drawn as
  dashed lines over lightly shaded bands, optional log scale;
* **performance over time** (accuracy / ROC AUC / precision / recall / F1, or RMSE / MAE
  / R²) of the labelled windows and **prediction drift** (PSI of the logged predictions
  and scores) -- read from the stored monitoring run
  (:func:`console.services.monitoring.monitoring_history`, in a worker);
* the **reference vs current distribution** of one feature in one window (bars; numeric
  features by bin, categorical by category).

Conventions (DESIGN.md, drift): PSI < warning stable, warning <= PSI < drift warning,
PSI >= drift drift; defaults 0.1 / 0.25 (Siddiqi, *Credit Risk Scorecards*, 2006),
per-model thresholds from :func:`console.services.monitoring.get_thresholds`.  A window
where a feature's PSI could not be computed (``None``) is a gap in its line (NaN with
``connect="finite"``) and a grey "not tested" cell, never a zero.  Every line has its
own colour *and* marker shape; every status has a word and a glyph.  Time axes are UTC.
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.models import PSI_DRIFT, PSI_WARNING, DriftRun
from console.ui import fmt, theme
from console.ui.drift_dashboard import CategoryAxis as _CategoryAxis
from console.ui.drift_dashboard import PsiHeatmap, TimeSeriesPlot, status_of, window_times

__all__ = ["DriftChart", "psi_matrix", "default_features", "DEFAULT_TOP_N", "load_monitoring", "PERFORMANCE_GROUPS"]

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



#: Performance metrics shown together, per task (stored by
#: :func:`console.services.monitoring.run_monitoring`, scikit-learn metrics).
PERFORMANCE_GROUPS = {
    "classification": (("Accuracy and ROC AUC", ("accuracy", "roc_auc")),
                       ("Precision, recall and F1 (positive class)", ("precision", "recall", "f1"))),
    "regression": (("RMSE and MAE", ("rmse", "mae")), ("R²", ("r2",))),
}
METRIC_NAMES = {"accuracy": "accuracy", "roc_auc": "ROC AUC", "precision": "precision", "recall": "recall",
                "f1": "F1", "rmse": "RMSE", "mae": "MAE", "r2": "R²"}


def load_monitoring(ws: Any, model_id: int, run_id: int, progress=None, cancel=None) -> tuple[Any, Any]:
    """Job: ``(MonitoringRun or None, Thresholds)`` of drift run ``run_id`` of a model --
    the stored performance and prediction drift of a prediction-log run (no
    recomputation) and the model's PSI thresholds."""
    from console.services import monitoring

    hist = None
    try:
        hist = monitoring.monitoring_history(ws, model_id, None, run_id=run_id)
    except Exception:  # the run belongs to another version: look it up there
        hist = None
    if hist is None:
        for v in ws.get_model(model_id).versions:
            if cancel is not None:
                cancel.check()
            try:
                hist = monitoring.monitoring_history(ws, model_id, v.version, run_id=run_id)
            except Exception:
                hist = None
            if hist is not None:
                break
    th = hist.thresholds if hist is not None else monitoring.get_thresholds(ws, model_id)
    return hist, th


class DriftChart(QWidget):
    """The Drift tab: run picker, feature list, heatmap / PSI / performance / prediction
    drift views and the distribution chart.

    Fed with :meth:`set_runs` (the model detail's drift runs); once :meth:`bind` gave it
    the workspace and job runner it reads the stored monitoring run (performance,
    prediction drift, thresholds) in a worker and emits :attr:`historyLoaded`."""

    #: emitted with (feature name, window position) when the distribution view changes
    distributionChanged = Signal(str, int)
    #: the monitoring history of the shown run was read (a MonitoringRun or None)
    historyLoaded = Signal(object)

    VIEW_HEATMAP, VIEW_PSI, VIEW_PERFORMANCE, VIEW_PREDICTIONS = range(4)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self._runs: list[DriftRun] = []
        self._run: Optional[DriftRun] = None
        self._names: list[str] = []
        self._labels: list[str] = []
        self._psi = np.zeros((0, 0))
        self._targets: set[str] = set()
        self._colour_index: dict[str, int] = {}
        self._warning, self._drift = PSI_WARNING, PSI_DRIFT
        self._ws: Any = None
        self._runner: Any = None
        self._history_job: Any = None
        #: the stored monitoring run of the shown drift run (None: not a prediction-log run)
        self.history: Any = None
        self.history_loaded = False

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

        # ---- feature list (checkable; doubles as the legend of the PSI lines)
        self.feature_list = QListWidget(self)
        self.feature_list.setAccessibleName("Features shown in the PSI chart")
        self.feature_list.setToolTip("Tick the features to plot over time; sorted by PSI in the latest window")
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

        # ---- heatmap
        self.heatmap = PsiHeatmap(self)
        self.heatmap.cellClicked.connect(self._on_cell_clicked)

        # ---- PSI over time
        self.psi_series = TimeSeriesPlot("Population stability index by window", "PSI", self, tip=self._line_tip)
        self.psi_plot = self.psi_series.plot
        self.psi_series.pointClicked.connect(lambda name, i: self.show_distribution(name, i))
        pi = self.psi_plot.getPlotItem()
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
        right_axis = pi.getAxis("right")
        right_axis.setTextPen(pg.mkPen(t.text))
        right_axis.setPen(pg.mkPen(t.border))
        right_axis.setStyle(tickLength=6)
        for line in self.threshold_lines:
            line.setZValue(-50)
            pi.addItem(line, ignoreBounds=True)
        self.psi_hint = QLabel("Tick features on the left; click a point for its distribution.", self)
        self.psi_hint.setProperty("role", "muted")
        self.log_check = QCheckBox("&Logarithmic PSI scale", self)
        self.log_check.setToolTip(
            "Use a log scale when a few features have a very large PSI, so that the thresholds "
            "and the other features stay readable (chosen automatically)"
        )
        self.log_check.toggled.connect(lambda _on: self._draw_lines())
        psi_page = QWidget(self)
        ml = QVBoxLayout(psi_page)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.setSpacing(2)
        ml.addWidget(self.psi_series, 1)
        hint_row = QHBoxLayout()
        hint_row.addWidget(self.psi_hint, 1)
        hint_row.addWidget(self.log_check)
        ml.addLayout(hint_row)

        # ---- performance and prediction drift (from the stored monitoring run)
        self.perf_series = TimeSeriesPlot("Performance of the labelled rows by window", "Metric", self)
        self.perf_combo = QComboBox(self)
        self.perf_combo.setAccessibleName("Performance metrics shown")
        self.perf_combo.currentIndexChanged.connect(lambda _i: self._draw_performance())
        perf_page = QWidget(self)
        pl = QVBoxLayout(perf_page)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.setSpacing(2)
        prow = QHBoxLayout()
        plab = QLabel("&Metrics:", perf_page)
        plab.setBuddy(self.perf_combo)
        prow.addWidget(plab)
        prow.addWidget(self.perf_combo)
        self.perf_legend = QLabel(perf_page)
        self.perf_legend.setTextFormat(Qt.TextFormat.RichText)
        prow.addWidget(self.perf_legend, 1)
        pl.addLayout(prow)
        pl.addWidget(self.perf_series, 1)
        self.pred_series = TimeSeriesPlot("Prediction drift: PSI of the logged predictions", "PSI", self)
        self.pred_lines = [
            pg.InfiniteLine(pos=PSI_WARNING, angle=0, movable=False,
                            pen=pg.mkPen(t.warn_fill, width=1.4, style=Qt.PenStyle.DashLine)),
            pg.InfiniteLine(pos=PSI_DRIFT, angle=0, movable=False,
                            pen=pg.mkPen(t.bad, width=1.4, style=Qt.PenStyle.DashLine)),
        ]
        ppi = self.pred_series.plot.getPlotItem()
        ppi.showAxis("right")
        ppi.getAxis("right").setTextPen(pg.mkPen(t.text))
        for line in self.pred_lines:
            ppi.addItem(line, ignoreBounds=True)
        self.pred_legend = QLabel(self)
        self.pred_legend.setTextFormat(Qt.TextFormat.RichText)
        pred_page = QWidget(self)
        qd = QVBoxLayout(pred_page)
        qd.setContentsMargins(0, 0, 0, 0)
        qd.setSpacing(2)
        qd.addWidget(self.pred_legend)
        qd.addWidget(self.pred_series, 1)

        self.views = QTabWidget(self)
        self.views.setDocumentMode(True)
        self.views.setAccessibleName("Drift views")
        self.views.addTab(self.heatmap, "PSI &heatmap")
        self.views.addTab(psi_page, "PSI &over time")
        self.views.addTab(perf_page, "&Performance")
        self.views.addTab(pred_page, "Pr&ediction drift")

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
        self.splitter.addWidget(self.views)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([210, 720, 420])
        self.splitter.setChildrenCollapsible(False)

        self.empty = QLabel("No drift monitoring has been recorded for this model yet. "
                            "Model → Import prediction log… adds a monitoring history.", self)
        self.empty.setProperty("role", "placeholder")
        self.empty.setWordWrap(True)
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
        self.setTabOrder(self.none_button, self.views)
        self.setTabOrder(self.views, self.feature_combo)
        self.setTabOrder(self.feature_combo, self.window_combo)

    # ------------------------------------------------------------------ public API
    @property
    def lines(self) -> dict[str, pg.PlotDataItem]:
        """Feature name -> its PSI line (only the ticked features)."""
        return self.psi_series.lines

    def bind(self, ws: Any, runner: Any) -> None:
        """The workspace and job runner used to read the stored monitoring runs."""
        self._ws, self._runner = ws, runner
        if self._run is not None:
            self._load_history()

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

    @property
    def thresholds(self) -> tuple[float, float]:
        """(PSI warning, PSI drift) used for colours and statuses."""
        return self._warning, self._drift

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
        if feature in self._names and 0 <= window < len(self._labels):
            self.heatmap.select_cell(self._names.index(feature), window)
        self._draw_distribution()

    def distribution_selection(self) -> tuple[Optional[str], int]:
        return self.feature_combo.currentData(), self.window_combo.currentIndex()

    # ------------------------------------------------------------------ internals
    def _on_run_changed(self, index: int) -> None:
        if 0 <= index < len(self._runs):
            self._set_run(self._runs[index])

    def _status(self, psi: Optional[float]) -> Optional[str]:
        return status_of(psi, self._warning, self._drift)

    def _set_run(self, run: Optional[DriftRun]) -> None:
        self._run = run
        self.history, self.history_loaded = None, False
        if run is None:
            self._names, self._labels, self._psi, self._targets = [], [], np.zeros((0, 0)), set()
        else:
            self._names, self._labels, self._psi, self._targets = psi_matrix(run)
        last = latest_psi(self._psi) if len(self._names) else np.zeros(0)
        order = sorted(range(len(self._names)), key=lambda i: (-(last[i]) if np.isfinite(last[i]) else math.inf, i))
        self._order = order
        self._colour_index = {self._names[i]: k for k, i in enumerate(order)}
        selected = set(default_features(run)) if run is not None else set()
        windows = sorted(run.windows, key=lambda w: w.index) if run is not None else []
        self._windows = windows
        x = window_times(windows)
        for series in (self.psi_series, self.perf_series, self.pred_series):
            series.set_x(x, self._labels)

        if run is not None:
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
                item = QListWidgetItem()
                k = self._colour_index[name]
                item.setIcon(theme.swatch_icon(theme.series_colour(k), k))
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if name in selected else Qt.CheckState.Unchecked)
                self.feature_list.addItem(item)
        self._label_features()

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
        self._draw_heatmap()
        self._draw_lines()
        self._draw_distribution()
        self._draw_performance()
        self._draw_predictions()
        if run is not None and self._ws is not None:
            self._load_history()

    def _label_features(self) -> None:
        last = latest_psi(self._psi) if len(self._names) else np.zeros(0)
        for r in range(self.feature_list.count()):
            item = self.feature_list.item(r)
            name = item.data(Qt.ItemDataRole.UserRole)
            psi = last[self._names.index(name)]
            st = self._status(float(psi)) if np.isfinite(psi) else None
            word = f"{theme.status_glyph(st)} {st}" if st else "not tested"
            shown = name + (" (target)" if name in self._targets else "")
            with QSignalBlocker(self.feature_list):
                item.setText(f"{shown}  —  {fmt.number(float(psi)) if np.isfinite(psi) else 'n/a'} {word}")
                item.setToolTip(f"{shown}: PSI {fmt.number(float(psi), 4) if np.isfinite(psi) else 'not computed'} "
                                f"in the latest window ({st or 'not tested'})")
                item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{shown}, latest PSI "
                             f"{fmt.number(float(psi)) if np.isfinite(psi) else 'not available'}, {st or 'not tested'}")

    def _draw_heatmap(self) -> None:
        # rows: target last, features in their recorded order
        self.heatmap.set_data(self._names, self._labels, self._psi, [w.n_rows for w in self._windows],
                              warning=self._warning, drift=self._drift, targets=sorted(self._targets))

    # -- monitoring history (worker)
    def _load_history(self) -> None:
        run = self._run
        if run is None or self._runner is None or self._ws is None:
            return
        if self._history_job is not None:
            self._history_job.cancel()
        self.perf_series.set_no_data("Reading the monitoring history…")
        self._history_job = self._runner.submit(
            load_monitoring, self._ws, run.model_id, run.id, title="Reading the monitoring history",
            on_result=lambda res, r=run: self._on_history(r, res),
            on_error=lambda msg, _det, r=run: self._on_history_error(r, msg),
        )

    def _on_history(self, run: DriftRun, res: tuple[Any, Any]) -> None:
        if run is not self._run:
            return
        hist, th = res
        self.history, self.history_loaded = hist, True
        self._warning, self._drift = float(th.psi_warning), float(th.psi_drift)
        self._label_features()
        self._draw_heatmap()
        self._draw_lines()
        self._draw_distribution()
        self._draw_performance()
        self._draw_predictions()
        if hist is not None:
            self.run_info.setText(self.run_info.text().split(" · PSI thresholds")[0]
                                  + f" · PSI thresholds {self._warning:g} / {self._drift:g}"
                                  + (" (model's own)" if not th.is_default else " (defaults)"))
        self.historyLoaded.emit(hist)

    def _on_history_error(self, run: DriftRun, message: str) -> None:
        if run is not self._run:
            return
        self.history_loaded = True
        self.perf_series.set_no_data(f"The monitoring history could not be read: {message}")
        self.historyLoaded.emit(None)

    # -- PSI lines
    def _on_item_changed(self, _item: QListWidgetItem) -> None:
        self._draw_lines()

    def _on_current_feature(self, current: Optional[QListWidgetItem], _prev: Any) -> None:
        if current is not None:
            self.show_distribution(current.data(Qt.ItemDataRole.UserRole), self.window_combo.currentIndex())

    def _line_tip(self, name: str, i: int, psi: float) -> str:
        st = self._status(psi)
        label = self._labels[i] if i < len(self._labels) else ""
        when = self.psi_series.x_text(i) if self.psi_series.dates else ""
        rows = f" · {self._windows[i].n_rows:,} rows" if i < len(self._windows) else ""
        if st is None:
            return f"{name} · {label}: not tested{rows}"
        return (f"{name} · {label}" + (f" (from {when})" if when else "")
                + f": PSI {psi:.4f} ({theme.status_glyph(st)} {st}){rows}")

    def _draw_lines(self) -> None:
        series = self.psi_series
        pi = self.psi_plot.getPlotItem()
        series.clear_lines()
        log = self.log_check.isChecked()
        pi.setLogMode(x=False, y=log)
        tr = (lambda v: math.log10(v)) if log else (lambda v: v)
        w, d = self._warning, self._drift
        for line, value in zip(self.threshold_lines, (w, d)):
            line.setValue(tr(value))
        self._bands[0].setRegion((tr(w), tr(d)))
        self._bands[1].setRegion((tr(d), tr(1e3)))
        pi.getAxis("right").setTicks([[(tr(w), f"warning {w:.2f}"), (tr(d), f"drift {d:.2f}")], []])
        ymax, ymin = 0.0, math.inf
        for name in self.selected_features():
            i = self._names.index(name)
            y = self._psi[i]
            k = self._colour_index.get(name, 0)
            y_plot = np.where(np.isfinite(y), np.maximum(y, LOG_FLOOR), np.nan) if log else y
            series.add_line(name, y, theme.series_colour(k), k, y_plot=y_plot)
            finite = y[np.isfinite(y)]
            if len(finite):
                ymax = max(ymax, float(finite.max()))
                ymin = min(ymin, float(max(finite.min(), LOG_FLOOR)))
        if log:
            lo = min(ymin if math.isfinite(ymin) else w, w) / 1.5
            hi = max(ymax, d) * 1.5
            pi.getViewBox().setLimits(yMin=math.log10(LOG_FLOOR) - 0.5)
            series.finish((math.log10(lo), math.log10(hi)))
        else:
            pi.getViewBox().setLimits(yMin=-0.02)
            series.finish((0, max(d * 1.2, ymax * 1.12)))
        if not self.selected_features() and self._names:
            series.set_no_data("No feature ticked: tick features in the list on the left")
        elif self._names and not series.no_data_shown and not any(
                np.isfinite(series.values[n]).any() for n in series.lines):
            series.set_no_data("No PSI recorded for the ticked features")
        elif not self._names:
            series.set_no_data("No data")

    def _on_points_clicked(self, item: pg.PlotDataItem, points: Any, _ev: Any = None) -> None:
        if points is None or len(points) == 0:
            return
        self.show_distribution(item.name(), self.psi_series.nearest_index(points[0].pos().x()))

    # -- performance / prediction drift
    def _task(self) -> str:
        h = self.history
        return str(getattr(h, "task", "") or "classification") if h is not None else ""

    def _draw_performance(self) -> None:
        series = self.perf_series
        h = self.history
        task = self._task()
        groups = PERFORMANCE_GROUPS.get(task, PERFORMANCE_GROUPS["classification"]) if task else ()
        current = self.perf_combo.currentText()
        with QSignalBlocker(self.perf_combo):
            self.perf_combo.clear()
            for title, _keys in groups:
                self.perf_combo.addItem(title)
            i = self.perf_combo.findText(current)
            self.perf_combo.setCurrentIndex(max(0, i))
        self.perf_combo.setEnabled(bool(groups))
        series.set_x(series.x if series.dates else None, self._labels)
        if h is None:
            series.finish(empty_text=("Reading the monitoring history…" if self._ws is not None
                                      and self._run is not None and not self.history_loaded else
                                      "No performance: this drift run has no logged predictions with labels"))
            self.perf_legend.setText("")
            return
        keys = groups[self.perf_combo.currentIndex()][1] if groups else ()
        windows = {w.index: w for w in h.windows}
        legend = []
        for k, key in enumerate(keys):
            y = np.full(len(self._windows), np.nan)
            for j, dw in enumerate(self._windows):
                mw = windows.get(dw.index)
                v = (mw.performance or {}).get(key) if mw is not None else None
                if isinstance(v, (int, float)) and math.isfinite(v):
                    y[j] = float(v)
            colour = theme.series_colour(k)
            series.add_line(METRIC_NAMES.get(key, key), y, colour, k)
            legend.append(f'<span style="color:{colour}">■</span> {METRIC_NAMES.get(key, key)}')
        self.perf_legend.setText("&nbsp;&nbsp;".join(legend))
        rng = (0.0, 1.05) if task == "classification" else None
        series.finish(rng, empty_text="No labelled windows: ingest labels (Model → Import prediction log…) "
                                      "and run monitoring")

    def _draw_predictions(self) -> None:
        series = self.pred_series
        h = self.history
        series.set_x(series.x if series.dates else None, self._labels)
        w, d = self._warning, self._drift
        for line, value in zip(self.pred_lines, (w, d)):
            line.setValue(value)
        series.plot.getPlotItem().getAxis("right").setTicks([[(w, f"warning {w:.2f}"), (d, f"drift {d:.2f}")], []])
        if h is None:
            self.pred_legend.setText("")
            series.finish((0, d * 1.2), empty_text="No prediction drift: this drift run has no logged predictions")
            return
        windows = {mw.index: mw for mw in h.windows}
        names: list[str] = []
        for mw in h.windows:
            for c in (mw.prediction_drift or {}).get("columns", []):
                if c.get("name") not in names:
                    names.append(c.get("name"))
        legend, ymax = [], 0.0
        for k, name in enumerate(names):
            y = np.full(len(self._windows), np.nan)
            for j, dw in enumerate(self._windows):
                mw = windows.get(dw.index)
                for c in ((mw.prediction_drift or {}).get("columns", []) if mw is not None else []):
                    if c.get("name") == name and isinstance(c.get("psi"), (int, float)) and c.get("tested", True):
                        y[j] = float(c["psi"])
            colour = theme.series_colour(k)
            shown = "predicted value" if name == "prediction" else "score (probability)" if name == "score" else name
            series.add_line(shown, y, colour, k)
            if np.isfinite(y).any():
                ymax = max(ymax, float(np.nanmax(y)))
            last = y[np.isfinite(y)]
            st = self._status(float(last[-1])) if len(last) else None
            legend.append(f'<span style="color:{colour}">■</span> {shown}'
                          + (f" (latest {last[-1]:.3f}, {theme.status_glyph(st)} {st})" if st else ""))
        self.pred_legend.setText("&nbsp;&nbsp;".join(legend))
        series.finish((0, max(d * 1.2, ymax * 1.12)), empty_text="No prediction drift recorded for this run")

    # -- distribution
    def _on_cell_clicked(self, feature: str, window: int) -> None:
        self.show_distribution(feature, window)

    def _feature_result(self, name: Optional[str], window: int):
        if self._run is None or name is None:
            return None
        windows = self._windows
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
        st = self._status(f.psi)
        colour = theme.status_style(st).colour
        psi_txt = fmt.number(f.psi, 3) if f.psi is not None else "n/a"
        label = self._labels[window] if 0 <= window < len(self._labels) else ""
        rows = self._windows[window].n_rows if 0 <= window < len(self._windows) else None
        kind = "numeric: rows per reference bin" if f.kind == "numeric" else (
            "categorical: rows per category" if f.kind == "categorical" else f.kind)
        self.dist_title.setText(
            f"<b>{name}</b> in window <b>{label}</b>: PSI {psi_txt} "
            f'<span style="color:{colour}"><b>{theme.status_glyph(st) + " " + st if st else "not tested"}</b></span>'
            + (f' <span style="color:{t.text_muted}">({kind}'
               + (f"; {rows:,} rows" if rows is not None else "") + ")</span>" if f.kind else "")
        )
        self.dist_plot.setToolTip(
            "\n".join(f"{b}: reference {r * 100:.1f}% · current {c * 100:.1f}%" for b, r, c in zip(bins, ref, cur))
        )
        self.distributionChanged.emit(name, window)
