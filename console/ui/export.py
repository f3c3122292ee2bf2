"""Export what the user sees: tables to CSV / Excel, charts to PNG / SVG.

Tables are exported *as shown*: the rows the view's model currently holds (so the
current filter and sort order of Tollgate's in-model filtering, or of a proxy model),
the visible columns in their on-screen order, and each cell's displayed text.  Excel
files are written with openpyxl (bold frozen header row, an autofilter, column widths
from the content); CSV is UTF-8 with a byte-order mark so that Excel opens accents
correctly.  Charts are written by pyqtgraph's exporters (``ImageExporter`` at twice the
on-screen size for high-DPI prints, ``SVGExporter``).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any, Optional, Sequence

from PySide6.QtCore import Qt

__all__ = ["table_contents", "export_table", "write_csv", "write_xlsx", "visible_charts", "pick_chart",
           "chart_name", "export_chart", "TABLE_FILTERS", "CHART_FILTERS", "plain_message"]

TABLE_FILTERS = "Excel workbook (*.xlsx);;CSV, comma-separated (*.csv)"
CHART_FILTERS = "PNG image (*.png);;SVG vector image (*.svg)"
_INT_RE = re.compile(r"^-?\d{1,15}$")


def plain_message(exc: BaseException) -> str:
    """One plain line for an export failure (permission, missing folder, ...)."""
    if isinstance(exc, PermissionError):
        return f"Tollgate may not write {exc.filename}: choose another folder."
    if isinstance(exc, FileNotFoundError):
        return f"The folder of {exc.filename} does not exist: choose another one."
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc} ({exc.filename})" if exc.filename else str(exc)
    return str(exc) or type(exc).__name__


def table_contents(view: Any) -> tuple[list[str], list[list[str]]]:
    """``(headers, rows)`` of a ``QTableView`` as shown: visible columns in visual order,
    rows not hidden, in view order; cells are the displayed text ("" for empty)."""
    model = view.model()
    header = view.horizontalHeader()
    cols = [header.logicalIndex(v) for v in range(header.count())]
    cols = [c for c in cols if not header.isSectionHidden(c)]
    headers = [str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
               for c in cols]
    rows: list[list[str]] = []
    for r in range(model.rowCount()):
        if view.isRowHidden(r):
            continue
        row = []
        for c in cols:
            v = model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole)
            row.append("" if v is None else str(v))
        rows.append(row)
    return headers, rows


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """UTF-8 (with BOM, for Excel) comma-separated file, every field quoted as needed."""
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(rows)
    tmp.replace(path)


def _cell(value: str) -> Any:
    return int(value) if _INT_RE.match(value) else value


def write_xlsx(path: Path, headers: Sequence[str], rows: Sequence[Sequence[str]], title: str = "Table") -> None:
    """An .xlsx workbook with one sheet (openpyxl): bold header row, frozen, with an
    autofilter; whole numbers as numbers, everything else as the displayed text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Table"
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    for i, h in enumerate(headers, start=1):
        width = max([len(h)] + [len(r[i - 1]) for r in rows[:500]])
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)


def export_table(view: Any, path: Any, *, title: str = "Table") -> tuple[Path, int]:
    """Write the table as shown to ``path``: ``.xlsx`` (Excel) or anything else as CSV
    (``.csv`` appended when there is no suffix).  Returns ``(path, number of rows)``.
    Raises ``OSError`` when the file cannot be written (nothing half-written is left)."""
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".xlsx")
    headers, rows = table_contents(view)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        write_xlsx(path, headers, rows, title)
    else:
        write_csv(path, headers, rows)
    return path, len(rows)


# ------------------------------------------------------------------ charts
def visible_charts(root: Any) -> list[Any]:
    """The pyqtgraph views (``GraphicsView``: PlotWidget, GraphicsLayoutWidget) shown
    under ``root``, biggest first."""
    import sys

    if "pyqtgraph" not in sys.modules:
        return []
    import pyqtgraph as pg

    out = [w for w in root.findChildren(pg.GraphicsView) if w.isVisible() and w.width() > 20 and w.height() > 20]
    out.sort(key=lambda w: -(w.width() * w.height()))
    return out


def pick_chart(charts: Sequence[Any], focus: Optional[Any] = None) -> Any:
    """The chart holding the keyboard focus (or under it), else the biggest one."""
    w = focus
    while w is not None:
        if w in charts:
            return w
        w = w.parentWidget()
    return charts[0]


def chart_name(chart: Any) -> str:
    """A readable name: the plot's title, else the widget's accessible name, else "chart"."""
    try:
        title = chart.getPlotItem().titleLabel.text
        if title:
            return re.sub(r"<[^>]+>", "", title).strip()
    except Exception:
        pass
    return chart.accessibleName() or chart.toolTip().split("\n")[0][:60] or "chart"


def export_chart(chart: Any, path: Any) -> Path:
    """Save a pyqtgraph chart as ``.svg`` (vector) or PNG (anything else; ``.png`` is
    appended when there is no suffix) at twice its on-screen width.  Returns the path."""
    import pyqtgraph.exporters as pe

    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".png")
    item = chart.getPlotItem() if hasattr(chart, "getPlotItem") else chart.scene()
    if path.suffix.lower() == ".svg":
        try:
            pe.SVGExporter(item).export(str(path))
        except Exception:
            # pyqtgraph's SVG writer trips over some path data (e.g. exponents in the
            # coordinates of a band reaching 1e3): let Qt's SVG generator draw the view
            _svg_with_qt(chart, path)
        if not path.exists():
            raise OSError(f"the chart could not be written to {path}")
        return path
    else:
        exporter = pe.ImageExporter(item)
        width = int(max(200, (item.sceneBoundingRect().width() if hasattr(item, "sceneBoundingRect")
                              else chart.width()) * 2))
        exporter.parameters()["width"] = width
    exporter.export(str(path))
    if not path.exists():
        raise OSError(f"the chart could not be written to {path}")
    return path


def _svg_with_qt(chart: Any, path: Path) -> None:
    """Render a chart widget into an SVG file with ``QSvgGenerator`` (vector paths)."""
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(QSize(chart.width(), chart.height()))
    gen.setViewBox(QRect(0, 0, chart.width(), chart.height()))
    gen.setTitle(chart_name(chart))
    gen.setDescription("Tollgate chart")
    painter = QPainter(gen)
    try:
        chart.render(painter)
    finally:
        painter.end()


class ChartContextMenu:
    """Right-click on any chart of ``window`` → "Export chart as PNG or SVG…".

    The charts turn pyqtgraph's own menus off (they would offer axis settings to
    compliance users), so this filter, installed on the application, catches the
    context-menu event of a chart's viewport and calls ``export(chart)``.
    """

    def __init__(self, window: Any, export: Any) -> None:
        from PySide6.QtCore import QEvent, QObject
        from PySide6.QtWidgets import QApplication

        outer = self

        class _Filter(QObject):
            def eventFilter(self, obj, event) -> bool:  # noqa: N802
                if event.type() != QEvent.Type.ContextMenu:
                    return False
                return outer._on_context(obj, event)

        self.window = window
        self.export = export
        self.filter = _Filter(window)
        QApplication.instance().installEventFilter(self.filter)
        self.last_menu: Any = None

    def chart_of(self, obj: Any) -> Optional[Any]:
        import sys

        if "pyqtgraph" not in sys.modules:
            return None
        import pyqtgraph as pg

        w = obj
        for _ in range(3):
            if w is None:
                return None
            if isinstance(w, pg.GraphicsView):
                return w if w.window() is self.window else None
            w = w.parent() if hasattr(w, "parent") else None
        return None

    def _on_context(self, obj: Any, event: Any) -> bool:
        from PySide6.QtWidgets import QMenu

        chart = self.chart_of(obj)
        if chart is None:
            return False
        menu = QMenu(chart)
        act = menu.addAction(f"Export chart “{chart_name(chart)}” as PNG or SVG…")
        act.triggered.connect(lambda _c=False, c=chart: self.export(c))
        self.last_menu = menu
        menu.popup(event.globalPos())
        return True
