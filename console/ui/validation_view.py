"""The evidence of one validation check, the fingerprints of a run, and the validation
plan editor.

:class:`EvidencePane` draws a :class:`~console.domain.models.CheckResult` generically,
following the evidence convention shared with the PDF reports (issue 6):

* ``CheckResult.description`` / ``source`` / ``params`` / ``reason``;
* scalar measured values at the top level of ``values``;
* ``values["tables"]``: ``[{"title", "columns", "rows"}]`` -> one :class:`QTableView` each;
* ``values["charts"]``: ``[{"kind": "line"|"bar"|"scatter", "title", "x_label", "y_label",
  "series": [{"name", "points": [[x, y], ...]}], "reference_line": [[x0, y0], [x1, y1]] | None}]``
  -> one pyqtgraph plot each (bars with text categories are drawn horizontally so that
  long feature names stay readable);
* ``values["notes"]``: plain-language remarks.

Every status is a glyph *and* a word, never colour alone (theme.py).  pyqtgraph is
imported only when the first chart is drawn.
"""

from __future__ import annotations

import html
import json
import math
import textwrap
from typing import Any, Iterable, Optional, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.ui import fmt, theme

__all__ = [
    "EvidencePane",
    "EvidenceTableModel",
    "build_chart",
    "run_fingerprints",
    "run_changes",
    "fingerprint_html",
    "EVIDENCE_KEYS",
    "PlanDialog",
    "plan_editor_problem",
    "rerun_text",
]

#: Keys of ``CheckResult.values`` drawn as their own sections, not as measured values.
EVIDENCE_KEYS = ("tables", "charts", "notes")

#: Text glyphs of pyqtgraph's symbols (theme.SYMBOLS), for the legend under a chart.
_SYMBOL_GLYPH = {"o": "●", "s": "■", "t": "▼", "d": "◆", "star": "★", "t1": "▲", "p": "⬟", "h": "⬢",
                 "+": "+", "x": "×"}

PLACEHOLDER = ("Select a check to see its evidence: what it measures, the source of its threshold, the "
               "measured values, tables and charts.")

#: Rows shown before a table scrolls inside the pane.
TABLE_VISIBLE_ROWS = 12


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:] if word else word


def _status_html(status: Optional[str], text: str) -> str:
    style = theme.status_style(status)
    return f'<span style="color:{style.colour}"><b>{theme.status_glyph(status)} {html.escape(text)}</b></span>'


def cell_text(x: Any) -> str:
    """A table cell or measured value as text: floats with 4 significant decimals,
    booleans as yes/no, None as an em dash, lists and dicts as compact JSON."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        if not math.isfinite(x):
            return str(x)
        if x != 0 and (abs(x) >= 1e6 or abs(x) < 1e-4):
            return f"{x:.4g}"
        return f"{x:.4f}".rstrip("0").rstrip(".") if abs(x) >= 1000 else fmt.metric_value(x)
    if isinstance(x, (list, tuple, dict)):
        try:
            text = json.dumps(x, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = str(x)
        return text if len(text) <= 160 else text[:159] + "…"
    return str(x)


def compact_text(x: Any) -> str:
    """Like :func:`cell_text`, but floats with up to 6 significant decimals and no
    trailing zeros (parameters and chart points: ``0.05``, not ``0.0500``)."""
    if isinstance(x, float) and math.isfinite(x) and 1e-6 <= abs(x) < 1e6:
        return fmt.number(x, 6)
    return cell_text(x)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# ============================================================================ tables


class EvidenceTableModel(QAbstractTableModel):
    """Read-only model of one evidence table (``columns`` + ``rows`` of JSON cells).

    ``Qt.UserRole`` gives the raw cell (numbers sort as numbers); status words
    (pass/warn/fail/error/skipped) get their glyph icon."""

    def __init__(self, columns: Sequence[str], rows: Sequence[Sequence[Any]], parent=None, *,
                 compact: bool = False) -> None:
        super().__init__(parent)
        self._compact = compact
        self._columns = [str(c) for c in columns]
        width = len(self._columns)
        self._rows = [list(r)[:width] + [None] * (width - len(r)) for r in rows]
        self._numeric = [all(_is_number(r[c]) or r[c] is None for r in self._rows) and
                         any(_is_number(r[c]) for r in self._rows) for c in range(width)]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                # long titles ("demographic parity difference") on two lines: narrower columns
                return textwrap.fill(self._columns[section], 16, max_lines=3, placeholder=" …")
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._columns[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        x = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(x, str) and x.lower() in ("pass", "warn", "fail", "error", "skipped"):
                return _cap(x)
            return compact_text(x) if self._compact else cell_text(x)
        if role == Qt.ItemDataRole.UserRole:
            return x if _is_number(x) else ("" if x is None else str(x))
        if role == Qt.ItemDataRole.ToolTipRole:
            text = cell_text(x) if not isinstance(x, float) else repr(x)
            return text if len(text) > 20 or isinstance(x, float) else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter) if self._numeric[index.column()] \
                else int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole:
            if isinstance(x, str) and x.lower() in ("pass", "warn", "fail", "error", "skipped"):
                return theme.status_icon(x.lower())
        if role == Qt.ItemDataRole.ForegroundRole:
            if isinstance(x, str) and x.lower() in ("warn", "fail", "error"):
                return theme.status_colour(x.lower())
        return None

    def row_values(self, row: int) -> list[Any]:
        return list(self._rows[row])


def _table_view(columns: Sequence[str], rows: Sequence[Sequence[Any]], name: str, parent: QWidget,
                compact: bool = False) -> QTableView:
    model = EvidenceTableModel(columns, rows, compact=compact)
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(Qt.ItemDataRole.UserRole)
    model.setParent(proxy)
    view = QTableView(parent)
    view.setModel(proxy)
    view.setAccessibleName(name)
    view.setSortingEnabled(True)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the check's own order until a header is clicked
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    vh = view.verticalHeader()
    vh.setVisible(False)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(24)
    hh = view.horizontalHeader()
    hh.setHighlightSections(False)
    hh.setStretchLastSection(True)
    view.resizeColumnsToContents()
    for c in range(model.columnCount()):
        hh.resizeSection(c, min(max(hh.sectionSize(c) + 12, 60), 300))
    shown = min(max(1, len(rows)), TABLE_VISIBLE_ROWS)
    frame = 2 * view.frameWidth()
    scroll_h = view.horizontalScrollBar().sizeHint().height()
    view.setFixedHeight(hh.sizeHint().height() + shown * 24 + frame + scroll_h)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return view


# ============================================================================ charts


def _categories(series: Sequence[dict]) -> list[str]:
    """The x values of all series, in first-seen order, when any of them is text."""
    seen: dict[str, None] = {}
    for s in series:
        for p in s.get("points") or ():
            if _pair(p):
                seen.setdefault(str(p[0]), None)
    return list(seen)


def _pair(p: Any) -> bool:
    """A drawable point: ``[x, y]`` with a numeric ``y`` (x a number or a category)."""
    return isinstance(p, (list, tuple)) and len(p) >= 2 and _is_number(p[1]) and p[0] is not None


def _ellipsis(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def build_chart(spec: dict, parent: Optional[QWidget] = None):
    """A pyqtgraph ``PlotWidget`` for one chart of the evidence convention.

    ``kind``: ``line`` (lines with markers), ``scatter`` (markers) or ``bar``; text x
    values become categories (bars then run horizontally, one category per row, the
    first at the top).  ``reference_line`` is drawn dashed in the reference colour.
    Colours and markers come from :func:`theme.series_colour` / :func:`theme.series_symbol`
    (Okabe-Ito, colour-blind safe); mouse panning/zooming is off, so the wheel scrolls
    the evidence pane.  Points that are not pairs of finite numbers are skipped.
    """
    import numpy as np
    import pyqtgraph as pg

    theme.configure_pyqtgraph()
    t = theme.TOKENS
    kind = str(spec.get("kind") or "line")
    series = [s for s in (spec.get("series") or []) if isinstance(s, dict)]
    cats = _categories(series) if any(
        isinstance(p[0], str) for s in series for p in (s.get("points") or ()) if _pair(p)) else []
    horizontal = kind == "bar" and bool(cats)
    w = pg.PlotWidget(parent)
    w.setBackground(t.surface)
    pi = w.getPlotItem()
    pi.hideButtons()
    pi.setMenuEnabled(False)
    pi.setMouseEnabled(x=False, y=False)
    pi.showGrid(x=not horizontal, y=True, alpha=0.15)
    title = str(spec.get("title") or "")
    if title:
        pi.setTitle(html.escape(title), color=t.text, size="10pt")
    x_label, y_label = str(spec.get("x_label") or ""), str(spec.get("y_label") or "")
    if horizontal:
        x_label, y_label = y_label, x_label
    for side, label in (("bottom", x_label), ("left", y_label)):
        ax = pi.getAxis(side)
        ax.enableAutoSIPrefix(False)  # rates stay 0.2, never "200 (x0.001)"
        ax.setTextPen(pg.mkPen(t.text))
        ax.setPen(pg.mkPen(t.border))
        if label:
            pi.setLabel(side, html.escape(label), color=t.text)
    index = {c: i for i, c in enumerate(cats)}

    def xy(points: Iterable) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = [], []
        for p in points or ():
            if not isinstance(p, (list, tuple)) or len(p) < 2 or not _is_number(p[1]):
                continue
            x = index.get(str(p[0])) if cats else p[0]
            if x is None or not _is_number(x) or not (math.isfinite(x) and math.isfinite(p[1])):
                continue
            xs.append(float(x))
            ys.append(float(p[1]))
        return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)

    n = max(1, len(series))
    drawn = 0
    for i, s in enumerate(series):
        colour, symbol = theme.series_colour(i), theme.series_symbol(i)
        x, y = xy(s.get("points"))
        if not len(x):
            continue
        drawn += 1
        name = str(s.get("name") or f"series {i + 1}")
        if kind == "bar":
            step = 0.8 / n
            offset = -0.4 + step * (i + 0.5)
            if horizontal:
                item = pg.BarGraphItem(x0=np.minimum(0, y), y=x + offset, width=np.abs(y), height=step * 0.9,
                                       brush=pg.mkBrush(colour), pen=pg.mkPen(None), name=name)
            else:
                gap = float(np.min(np.diff(np.unique(x)))) if len(np.unique(x)) > 1 else 1.0
                item = pg.BarGraphItem(x=x + offset * gap, height=y, width=step * gap * 0.9,
                                       brush=pg.mkBrush(colour), pen=pg.mkPen(None), name=name)
            pi.addItem(item)
        elif kind == "scatter":
            pi.addItem(pg.ScatterPlotItem(x=x, y=y, symbol=symbol, size=8, brush=pg.mkBrush(colour),
                                          pen=pg.mkPen(t.surface, width=0.8), name=name))
        else:
            order = np.argsort(x, kind="stable") if not cats else np.arange(len(x))
            pi.addItem(pg.PlotDataItem(x[order], y[order], pen=pg.mkPen(colour, width=2), symbol=symbol,
                                       symbolSize=7, symbolBrush=pg.mkBrush(colour),
                                       symbolPen=pg.mkPen(t.surface, width=0.8), name=name))
    ref = spec.get("reference_line")
    if (isinstance(ref, (list, tuple)) and len(ref) == 2 and all(
            isinstance(p, (list, tuple)) and len(p) == 2 and all(_is_number(v) for v in p) for p in ref)):
        (x0, y0), (x1, y1) = ref
        if horizontal:
            x0, y0, x1, y1 = y0, x0, y1, x1
        pi.addItem(pg.PlotDataItem([x0, x1], [y0, y1], pen=pg.mkPen(t.reference, width=1.6,
                                                                      style=Qt.PenStyle.DashLine), name="reference"))
    if cats:
        ticks = [(i, _ellipsis(c, 28)) for i, c in enumerate(cats)]
        axis = pi.getAxis("left" if horizontal else "bottom")
        axis.setTicks([ticks])
        if horizontal:
            pi.invertY(True)
            pi.setYRange(-0.6, len(cats) - 0.4, padding=0)
        else:
            pi.setXRange(-0.6, len(cats) - 0.4, padding=0)
    rows = len(cats) if horizontal else 0
    height = 250 if not horizontal else min(640, max(200, 70 + 24 * rows))
    w.setMinimumHeight(height)
    w.setMaximumHeight(height)
    w.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    w.setAccessibleName(f"Chart: {title}" if title else "Chart")
    w.setToolTip(chart_summary(spec))
    w.drawn_series = drawn  # for tests and the "no data" note
    return w


def chart_legend_html(spec: dict) -> str:
    """The legend under a chart: each series' marker glyph in its colour and its name,
    and the dashed reference line (outside the plot so it never hides data)."""
    parts = []
    series = [s for s in (spec.get("series") or []) if isinstance(s, dict)]
    bar = spec.get("kind") == "bar"
    for i, s in enumerate(series):
        glyph = "■" if bar else _SYMBOL_GLYPH.get(theme.series_symbol(i), "●")
        parts.append(f'<span style="color:{theme.series_colour(i)}">{glyph}</span> '
                     f'{html.escape(str(s.get("name") or f"series {i + 1}"))}')
    if spec.get("reference_line"):
        parts.append(f'<span style="color:{theme.TOKENS.reference}">- - -</span> reference')
    if len(parts) <= 1 and not spec.get("reference_line"):
        return ""
    return " &nbsp;&nbsp; ".join(parts)


def chart_summary(spec: dict) -> str:
    """A text version of a chart (tooltip, clipboard, screen readers): its series and points."""
    lines = [str(spec.get("title") or "Chart")]
    for s in spec.get("series") or []:
        if not isinstance(s, dict):
            continue
        pts = s.get("points") or []
        shown = ", ".join(f"({compact_text(p[0])}, {compact_text(p[1])})" for p in pts[:12] if _pair(p))
        more = f", … {len(pts) - 12} more" if len(pts) > 12 else ""
        lines.append(f"{s.get('name') or 'series'}: {shown}{more}")
    return "\n".join(lines)


# ============================================================================ fingerprints


def _packages(run: Any) -> dict[str, str]:
    fp = getattr(run, "fingerprints", None) or {}
    for key in ("packages", "environment"):
        val = fp.get(key) if isinstance(fp, dict) else None
        if isinstance(val, dict) and val:
            return {str(k): str(v) for k, v in val.items()}
    env = getattr(run, "environment", None) or getattr(run, "packages", None)
    return {str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else {}


def run_fingerprints(run: Any) -> dict[str, Any]:
    """What a validation run used, as recorded: ``model`` (artifact SHA-256), ``data``
    (SHA-256 of the validation data), ``packages`` ({name: version}), ``params`` (the
    plan's check parameters, when stored) and ``plan`` (blocking map).  Missing entries
    are None / empty (runs recorded before fingerprints were stored)."""
    fp = getattr(run, "fingerprints", None) or {}
    fp = fp if isinstance(fp, dict) else {}
    model = fp.get("model") or fp.get("artifact_sha256") or getattr(run, "artifact_sha256", None)
    data = fp.get("data") or fp.get("data_sha256") or getattr(run, "data_sha256", None)
    params = fp.get("params") or fp.get("check_params") or getattr(run, "params", None) or {}
    plan = fp.get("plan") or getattr(run, "plan", None) or {}
    return {"model": model, "data": data, "packages": _packages(run),
            "params": params if isinstance(params, dict) else {},
            "plan": plan if isinstance(plan, dict) else {}}


def run_changes(run: Any, previous: Any) -> list[str]:
    """Plain-language differences between what ``previous`` and ``run`` used (model
    file, data, package versions, check parameters); [] when both used the same inputs."""
    a, b = run_fingerprints(previous), run_fingerprints(run)
    out = []
    if a["model"] and b["model"] and a["model"] != b["model"]:
        out.append(f"model file {fmt.short_sha(a['model'], 10)} → {fmt.short_sha(b['model'], 10)}")
    if a["data"] and b["data"] and a["data"] != b["data"]:
        out.append(f"data {fmt.short_sha(a['data'], 10)} → {fmt.short_sha(b['data'], 10)}")
    ta = (getattr(previous, "fingerprints", None) or {}).get("training_sha256")
    tb = (getattr(run, "fingerprints", None) or {}).get("training_sha256")
    if ta and tb and ta != tb:
        out.append(f"training data {fmt.short_sha(ta, 10)} → {fmt.short_sha(tb, 10)}")
    pa, pb = a["packages"], b["packages"]
    for name in sorted(set(pa) | set(pb)):
        if pa.get(name) != pb.get(name) and pa and pb:
            out.append(f"{name} {pa.get(name, 'absent')} → {pb.get(name, 'absent')}")
    if a["params"] and b["params"] and a["params"] != b["params"]:
        changed = sorted(k for k in set(a["params"]) | set(b["params"]) if a["params"].get(k) != b["params"].get(k))
        out.append("check parameters of " + ", ".join(changed[:6]) + (" …" if len(changed) > 6 else ""))
    if a["plan"] and b["plan"] and a["plan"] != b["plan"]:
        out.append("validation plan (blocking checks)")
    return out


def previous_run(run: Any, runs: Sequence[Any]) -> Optional[Any]:
    """The run ``run`` re-ran (``rerun_of``), else the previous run of the same version."""
    ref = getattr(run, "rerun_of", None)
    if ref is not None:
        hit = next((r for r in runs if r.id == ref), None)
        if hit is not None:
            return hit
    earlier = [r for r in runs if r.version == run.version and (r.finished_at, r.id) < (run.finished_at, run.id)]
    return max(earlier, key=lambda r: (r.finished_at, r.id)) if earlier else None


def fingerprint_html(run: Any, runs: Sequence[Any] = ()) -> str:
    """One or two lines: model / data fingerprints, package versions, and what changed
    since the run it re-ran (or the previous run of the same version)."""
    fp = run_fingerprints(run)
    muted = theme.TOKENS.text_muted
    pk = fp["packages"]
    main = [k for k in ("scikit-learn", "sklearn", "numpy", "pandas", "python") if k in pk]
    pk_text = ", ".join(f"{k} {pk[k]}" for k in main) or ", ".join(f"{k} {v}" for k, v in list(pk.items())[:3])
    parts = [
        f"<span style='color:{muted}'>Model file</span> <tt>{html.escape(fmt.short_sha(fp['model'], 16))}</tt>",
        f"<span style='color:{muted}'>Data</span> <tt>{html.escape(fmt.short_sha(fp['data'], 16))}</tt>",
    ]
    if pk_text:
        more = len(pk) - (len(main) if main else min(3, len(pk)))
        parts.append(f"<span style='color:{muted}'>Packages</span> {html.escape(pk_text)}"
                     + (f" +{more}" if more > 0 else ""))
    line = " &nbsp;·&nbsp; ".join(parts)
    prev = previous_run(run, runs) if runs else None
    if prev is not None:
        changes = run_changes(run, prev)
        if changes:
            line += "<br>" + _status_html("changed", f"Changed since run #{prev.id}: ") + html.escape("; ".join(changes))
        else:
            line += f"<br><span style='color:{muted}'>Same inputs as run #{prev.id} (model file, data, packages"\
                    + (", parameters" if fp["params"] else "") + ")</span>"
    return line


def rerun_text(report: Any) -> str:
    """One line for a :class:`~console.domain.validation_records.RerunReport`: whether
    the re-run reproduced the original, else which inputs and check statuses changed."""
    orig, run = report.original, report.run
    head = f"Re-run of validation run #{orig.id} saved as #{run.id}"
    if report.reproduced:
        text = f"✔ {head}: reproduced — same inputs, every check kept its status."
    else:
        parts = []
        if report.changes:
            names = [c.what for c in report.changes]
            parts.append("inputs changed: " + ", ".join(names[:5]) + (" …" if len(names) > 5 else ""))
        if report.status_changes:
            parts.append("checks changed: " + ", ".join(f"{i} {o} → {n}" for i, o, n in report.status_changes[:4])
                         + (" …" if len(report.status_changes) > 4 else ""))
        text = f"◆ {head}: " + "; ".join(parts) + "."
    if report.current_plan_differs:
        text += " The tier's current plan differs from the one these runs used."
    return text


def fingerprint_tooltip(run: Any) -> str:
    fp = run_fingerprints(run)
    lines = [f"Model artifact SHA-256: {fp['model'] or '—'}", f"Data SHA-256: {fp['data'] or '—'}"]
    if fp["packages"]:
        lines.append("Packages: " + ", ".join(f"{k} {v}" for k, v in sorted(fp["packages"].items())))
    return "\n".join(lines)


# ============================================================================ the pane


def _section(parent: QWidget, text: str) -> QLabel:
    lab = QLabel(text, parent)
    lab.setProperty("role", "section")
    return lab


def _text(parent: QWidget, name: str, rich: bool = False) -> QLabel:
    lab = QLabel(parent)
    lab.setWordWrap(True)
    lab.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lab.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    lab.setAccessibleName(name)
    return lab


class EvidencePane(QScrollArea):
    """Everything recorded about one check, top to bottom: status, title and family;
    what it checks and where its method/threshold comes from; the reason; notes; charts;
    measured values; evidence tables; parameters.

    Attributes for callers and tests: :attr:`check`, :attr:`tables` (QTableViews),
    :attr:`charts` (pyqtgraph PlotWidgets), :attr:`params_view`, :attr:`values_view`.
    """

    copied = Signal(str)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Evidence of the selected check")
        self.check: Any = None
        self.tables: list[QTableView] = []
        self.charts: list[Any] = []
        self.params_view: Optional[QTableView] = None
        self.values_view: Optional[QTableView] = None
        self._body: Optional[QWidget] = None
        self.placeholder: Optional[QLabel] = None
        self.set_check(None)
        notifier = getattr(theme, "notifier", None)
        if notifier is not None:  # a light/dark switch redraws the status colours and legends
            notifier().changed.connect(self._on_theme)

    def _on_theme(self, _name: str = "") -> None:
        if self.check is not None:
            value = self.verticalScrollBar().value()
            self.set_check(self.check)
            self.verticalScrollBar().setValue(value)

    # ------------------------------------------------------------------ content
    def set_check(self, c: Any) -> None:
        """Show the evidence of ``c`` (a CheckResult), or the placeholder for None."""
        self.check = c
        self.tables, self.charts = [], []
        self.params_view = self.values_view = None
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()
        self.placeholder = None
        if c is None:
            self.placeholder = QLabel(PLACEHOLDER)
            self.placeholder.setWordWrap(True)
            self.placeholder.setProperty("role", "placeholder")
            self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setWidget(self.placeholder)
            return
        body = QWidget()
        body.setAccessibleName("Evidence")
        lay = QVBoxLayout(body)
        lay.setContentsMargins(10, 8, 10, 10)
        lay.setSpacing(6)
        self._body = body

        status = c.status.value if hasattr(c.status, "value") else str(c.status)
        head = QHBoxLayout()
        self.heading = _text(body, "Check", rich=True)
        self.heading.setText(
            _status_html(status, _cap(status)) + f" &nbsp;<b>{html.escape(c.title)}</b>")
        copy = QToolButton(body)
        copy.setText("Copy")
        copy.setToolTip("Copy this check's evidence as text")
        copy.setAccessibleName("Copy the evidence as text")
        copy.clicked.connect(self.copy_text)
        head.addWidget(self.heading, 1)
        head.addWidget(copy, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(head)
        muted = theme.TOKENS.text_muted
        block = ("<b>Blocking</b>: a fail or error fails the run" if c.blocking
                 else "Advisory: reported, does not fail the run")
        self.meta = _text(body, "Family and blocking", rich=True)
        self.meta.setText(f"<span style='color:{muted}'>{html.escape(c.id)} · family <b>{html.escape(c.family)}</b>"
                          f" · {block}</span>")
        lay.addWidget(self.meta)

        description = getattr(c, "description", "") or ""
        source = getattr(c, "source", "") or ""
        self.description = _text(body, "What the check does")
        self.description.setText(description or "No description recorded for this check (recorded before "
                                                 "descriptions were stored).")
        lay.addWidget(self.description)
        if source:
            self.source = _text(body, "Source of the method and threshold", rich=True)
            self.source.setText(f"<span style='color:{muted}'>Source:</span> {html.escape(source)}")
            lay.addWidget(self.source)
        else:
            self.source = None
        if c.reason:
            self.reason = _text(body, "Reason", rich=True)
            self.reason.setText(_status_html(status, "Reason:") + " " + html.escape(c.reason))
            lay.addWidget(self.reason)
        else:
            self.reason = None

        values = dict(c.values or {})
        params = dict(getattr(c, "params", None) or {})
        scalars = [(k, v) for k, v in values.items() if k not in EVIDENCE_KEYS]
        # reading order: what and why (above), remarks, the picture, the numbers, the settings
        notes = [str(n) for n in (values.get("notes") or [])]
        if notes:
            lay.addWidget(_section(body, "Notes"))
            self.notes = _text(body, "Notes", rich=True)
            self.notes.setText("<ul style='margin-left:-20px'>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes)
                               + "</ul>")
            lay.addWidget(self.notes)
        else:
            self.notes = None
        charts = [ch for ch in (values.get("charts") or []) if isinstance(ch, dict)]
        for ch in charts:
            plot = build_chart(ch, body)
            self.charts.append(plot)
            lay.addWidget(plot)
            legend = chart_legend_html(ch)
            if legend:
                lab = _text(body, "Chart legend", rich=True)
                lab.setText(legend)
                lay.addWidget(lab)
        if scalars:
            lay.addWidget(_section(body, "Measured values"))
            self.values_view = _table_view(["Value", "Measured"], [[k, v] for k, v in scalars],
                                           "Measured values", body)
            lay.addWidget(self.values_view)
        for i, tab in enumerate(values.get("tables") or []):
            if not isinstance(tab, dict):
                continue
            title = str(tab.get("title") or f"Table {i + 1}")
            rows = tab.get("rows") or []
            lay.addWidget(_section(body, f"{title} ({len(rows)} row{'s' if len(rows) != 1 else ''})"))
            view = _table_view(tab.get("columns") or [], rows, title, body)
            self.tables.append(view)
            lay.addWidget(view)
        if params:
            lay.addWidget(_section(body, "Parameters"))
            self.params_view = _table_view(["Parameter", "Value"], [[k, v] for k, v in params.items()],
                                           "Parameters of the check", body, compact=True)
            lay.addWidget(self.params_view)
        if not (params or scalars or self.tables or self.charts or notes):
            lab = _text(body, "No values")
            lab.setText("No measured values were recorded for this check.")
            lab.setProperty("role", "muted")
            lay.addWidget(lab)
        lay.addStretch(1)
        self.setWidget(body)
        self.verticalScrollBar().setValue(0)

    # ------------------------------------------------------------------ text
    def text(self) -> str:
        """The evidence as plain text (clipboard, screen readers)."""
        c = self.check
        if c is None:
            return ""
        status = c.status.value if hasattr(c.status, "value") else str(c.status)
        lines = [f"{c.id} — {c.title}",
                 f"Family: {c.family} · status: {status} · {'blocking' if c.blocking else 'advisory'}"]
        if getattr(c, "description", ""):
            lines.append(c.description)
        if getattr(c, "source", ""):
            lines.append(f"Source: {c.source}")
        if c.reason:
            lines.append(f"Reason: {c.reason}")
        params = getattr(c, "params", None) or {}
        if params:
            lines.append("Parameters: " + ", ".join(f"{k}={compact_text(v)}" for k, v in params.items()))
        values = c.values or {}
        scalars = {k: v for k, v in values.items() if k not in EVIDENCE_KEYS}
        if scalars:
            lines.append("Measured: " + ", ".join(f"{k}={cell_text(v)}" for k, v in scalars.items()))
        for tab in values.get("tables") or []:
            if isinstance(tab, dict):
                lines.append("")
                lines.append(str(tab.get("title") or "Table"))
                lines.append("\t".join(str(x) for x in tab.get("columns") or []))
                lines += ["\t".join(cell_text(x) for x in row) for row in tab.get("rows") or []]
        for ch in values.get("charts") or []:
            if isinstance(ch, dict):
                lines += ["", chart_summary(ch)]
        for n in values.get("notes") or []:
            lines.append(f"Note: {n}")
        return "\n".join(lines)

    def copy_text(self) -> None:
        text = self.text()
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(text)


# ============================================================================ plan editor


def load_plan(ws: Any, tier: int, progress=None, cancel=None) -> tuple[Any, list[Any]]:
    """Job: the tier's current plan (``PlanVersion``) and the check catalogue
    (``CheckSpec`` tuple); the suite module is imported here, in the worker."""
    from console.services.validation import current_plan
    from console.validation.suite import CATALOGUE

    return current_plan(ws, tier), list(CATALOGUE)


def save_plan(ws: Any, tier: int, user: Any, blocking: Sequence[str], non_blocking: Sequence[str], reason: str,
              progress=None, cancel=None) -> Any:
    """Job: store the next version of the tier's plan (:func:`console.services.validation.set_plan`)."""
    from console.services.validation import set_plan

    return set_plan(ws, tier, by=user, blocking=blocking, non_blocking=non_blocking, reason=reason)


def plan_editor_problem(user: Any) -> Optional[str]:
    """Why ``user`` may only read validation plans (None: a Model Risk Manager or an
    Admin, the roles :func:`console.services.validation.set_plan` accepts)."""
    from console.domain.governance import Role

    if user is None:
        return "Sign in as a Model Risk Manager to edit validation plans; you can read them."
    if user.has_role(Role.MODEL_RISK_MANAGER) or user.has_role(Role.ADMIN):
        return None
    return (f"Only a Model Risk Manager or an Admin edits validation plans; {user.display_name} can read "
            "them.")


class PlanDialog(QDialog):
    """The validation plan of one risk tier: each check of the suite, its family, title,
    whether it blocks, and its effective parameters.

    A Model Risk Manager or an Admin ticks "Blocks" and saves with a reason (stored as
    the next plan version and audited as ``validation_plan.changed``); anyone else sees
    the plan read-only with the reason why.  Loading and saving run in workers.
    """

    saved = Signal(object)  # PlanVersion
    loaded = Signal(object)  # PlanVersion

    COL_FAMILY, COL_CHECK, COL_TITLE, COL_BLOCKS, COL_PARAMS = range(5)

    def __init__(self, ws: Any, runner: Any, user: Any, tier: int = 1, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ws, self.runner, self.user = ws, runner, user
        self.plan_version: Any = None
        self.catalogue: list[Any] = []
        self.job: Any = None
        self._loaded_blocking: dict[str, bool] = {}
        self.read_only_reason = plan_editor_problem(user)
        self.setWindowTitle("Validation plan")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(980, 620)
        self.tier_combo = QComboBox(self)
        self.tier_combo.setAccessibleName("Risk tier")
        for t in (1, 2, 3):
            self.tier_combo.addItem(f"Tier {t}", t)
        self.tier_combo.setCurrentIndex(max(0, self.tier_combo.findData(tier)))
        self.version_label = QLabel(self)
        self.version_label.setWordWrap(True)
        self.version_label.setProperty("role", "muted")
        self.version_label.setAccessibleName("Plan version")
        top = QHBoxLayout()
        tl = QLabel("Risk &tier:", self)
        tl.setBuddy(self.tier_combo)
        top.addWidget(tl)
        top.addWidget(self.tier_combo)
        top.addSpacing(12)
        top.addWidget(self.version_label, 1)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.note.setAccessibleName("Who may edit")
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels(["Family", "Check", "Title", "Blocks", "Parameters (this tier)"])
        self.table.setAccessibleName("Checks of the plan")
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setStretchLastSection(True)
        for c, w in ((0, 110), (1, 200), (2, 290), (3, 104)):
            hh.resizeSection(c, w)
        self.table.itemChanged.connect(lambda _i: self._update_buttons())
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setAccessibleName("Reason for the change")
        self.reason_edit.setPlaceholderText("Why the plan changes (recorded in the audit trail), e.g. MRM policy 4.2")
        self.reason_edit.textChanged.connect(lambda _t: self._update_buttons())
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(8)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setAccessibleName("Outcome")
        self.message.hide()
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("&Save plan", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        form = QHBoxLayout()
        rl = QLabel("&Reason:", self)
        rl.setBuddy(self.reason_edit)
        form.addWidget(rl)
        form.addWidget(self.reason_edit, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.note)
        lay.addWidget(self.busy)
        lay.addWidget(self.table, 1)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        if self.read_only_reason:
            self.note.setText(_status_html("skipped", "Read-only:") + " " + html.escape(self.read_only_reason))
            self.reason_edit.setEnabled(False)
            self.save_button.hide()
        else:
            self.note.setText("Tick <b>Blocks</b> for the checks whose fail or error fails a validation run of "
                              "this tier (and opens a finding). The defaults follow the tier table: tier 1 every "
                              "family, tier 2 data, performance, fairness and loading, tier 3 data and loading.")
        self.tier_combo.currentIndexChanged.connect(lambda _i: self.load())
        self._update_buttons()

    def tier(self) -> int:
        return int(self.tier_combo.currentData())

    def load(self) -> Any:
        """Read the tier's current plan in a worker."""
        self.busy.show()
        self.message.hide()
        tier = self.tier()
        self._submit(load_plan, self.ws, tier, title=f"Reading the tier {tier} validation plan",
                     on_result=lambda res, t=tier: self._on_loaded(t, *res),
                     on_error=lambda m, d: self._show("fail", _one_line(m, d)))
        return self.job

    def _submit(self, fn: Any, *args: Any, **kw: Any) -> Any:
        holder: list[Any] = []
        job = self.runner.submit(fn, *args, on_finished=lambda: self._on_finished(holder[0] if holder else None),
                                 **kw)
        holder.append(job)
        self.job = job
        self._update_buttons()
        return job

    def _on_loaded(self, tier: int, pv: Any, catalogue: list[Any]) -> None:
        self._job_done()
        if tier != self.tier():
            return
        self.plan_version, self.catalogue = pv, catalogue
        plan = pv.plan
        if pv.is_default:
            self.version_label.setText(f"Built-in default plan of tier {tier} (never edited).")
        else:
            when = fmt.datetime_utc(pv.updated_at)
            self.version_label.setText(f"Version {pv.version}, saved by {pv.updated_by} on {when}"
                                       + (f" — {pv.reason}" if pv.reason else ""))
        self.table.blockSignals(True)
        self.table.setRowCount(len(catalogue))
        self._loaded_blocking = {}
        for r, sp in enumerate(catalogue):
            blocks = plan.is_blocking(sp.id)
            self._loaded_blocking[sp.id] = blocks
            params = plan.params_for(sp.id)
            cells = [sp.family, sp.id, sp.title, "",
                     ", ".join(f"{k}={compact_text(v)}" for k, v in params.items()) or "—"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if c == self.COL_TITLE:
                    item.setToolTip(f"{sp.description}\n\nSource: {sp.source}")
                if c == self.COL_PARAMS:
                    item.setToolTip(text)
                if c == self.COL_BLOCKS:
                    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                    if not self.read_only_reason:
                        flags |= Qt.ItemFlag.ItemIsUserCheckable
                    item.setFlags(flags)
                    item.setCheckState(Qt.CheckState.Checked if blocks else Qt.CheckState.Unchecked)
                    item.setText("Blocks" if blocks else "Advisory")
                    item.setData(Qt.ItemDataRole.UserRole, sp.id)
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)
        self._update_buttons()
        self.loaded.emit(pv)

    def blocking(self) -> dict[str, bool]:
        """check id -> blocks, as ticked in the table."""
        out = {}
        for r in range(self.table.rowCount()):
            item = self.table.item(r, self.COL_BLOCKS)
            if item is not None:
                out[item.data(Qt.ItemDataRole.UserRole)] = item.checkState() == Qt.CheckState.Checked
        return out

    def set_blocking(self, check_id: str, blocks: bool) -> None:
        for r in range(self.table.rowCount()):
            item = self.table.item(r, self.COL_BLOCKS)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == check_id:
                item.setCheckState(Qt.CheckState.Checked if blocks else Qt.CheckState.Unchecked)
                return
        raise KeyError(check_id)

    def changes(self) -> dict[str, bool]:
        """The ticks that differ from the loaded plan."""
        return {k: v for k, v in self.blocking().items() if self._loaded_blocking.get(k) != v}

    def _update_buttons(self) -> None:
        # keep the word next to each tick in step with it (never the box alone)
        self.table.blockSignals(True)
        for r in range(self.table.rowCount()):
            item = self.table.item(r, self.COL_BLOCKS)
            if item is not None:
                item.setText("Blocks" if item.checkState() == Qt.CheckState.Checked else "Advisory")
        self.table.blockSignals(False)
        can = (not self.read_only_reason and self.job is None and bool(self.changes())
               and bool(self.reason_edit.text().strip()))
        self.save_button.setEnabled(can)
        if not self.read_only_reason:
            tip = ("Tick or untick a check first" if not self.changes() else
                   "Give the reason for the change" if not self.reason_edit.text().strip() else
                   "Store this as the next version of the tier's plan")
            self.save_button.setToolTip(tip)

    def save(self) -> Any:
        """Store the ticked changes as the tier's next plan version (worker)."""
        if self.read_only_reason or self.job is not None:
            return None
        ch = self.changes()
        reason = self.reason_edit.text().strip()
        if not ch or not reason:
            return None
        self.busy.show()
        self.message.hide()
        tier = self.tier()
        self._submit(save_plan, self.ws, tier, self.user, [k for k, v in ch.items() if v],
                     [k for k, v in ch.items() if not v], reason, title=f"Saving the tier {tier} validation plan",
                     serial=True, on_result=self._on_saved, on_error=lambda m, d: self._show("fail", _one_line(m, d)))
        return self.job

    def _on_saved(self, pv: Any) -> None:
        self._job_done()
        self.reason_edit.clear()
        self._show("pass", f"Saved as version {pv.version} of the tier {pv.tier} plan; the next validation runs "
                           "of this tier use it.")
        self._on_loaded(pv.tier, pv, self.catalogue)
        self.saved.emit(pv)

    def _job_done(self) -> None:
        """The running job delivered its result: the dialog is usable at once (its
        ``finished`` signal follows)."""
        self.job = None
        self.busy.hide()

    def _on_finished(self, job: Any) -> None:
        if job is self.job:
            self._job_done()
        self._update_buttons()

    def _show(self, status: str, text: str) -> None:
        self.message.setText(_status_html(status, "") + html.escape(text))
        self.message.show()


def _one_line(message: str, details: str) -> str:
    """A failed job as one plain line (a bug says so; its traceback is not shown here)."""
    first = (message or "").splitlines()[0] if message else "failed"
    return f"Unexpected error ({first}); nothing was saved." if details else first
