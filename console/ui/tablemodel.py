"""A table model over a list of plain objects, sorted and filtered inside the model.

Sorting follows Orange's ``AbstractSortTableModel``: the model keeps a permutation
(``numpy`` index array) of the source rows that are visible, and sorting is a
``numpy`` stable sort (``lexsort``) of per-column integer ranks that are computed once
per column and cached until the rows change.  Sorting is stable with respect to the
previous sort: sorting by tier after sorting by name keeps each tier's rows in name
order (the last three sort columns are kept as tie-breakers).  No ``QSortFilterProxyModel`` (its Python
``lessThan`` is orders of magnitude slower on big tables).  Missing values sort last in
both directions.

Subclasses declare :class:`Column` objects and may override :meth:`filter_mask`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt

__all__ = ["Column", "ObjectTableModel", "ALIGN_LEFT", "ALIGN_RIGHT", "ALIGN_CENTER"]

ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ALIGN_CENTER = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter

#: Role returning the row object (and :data:`KeyRole` its identifying key).
ObjectRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2
SortKeyRole = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class Column:
    """One column: how to display, sort, decorate and explain a row object."""

    title: str
    display: Callable[[Any], str]
    sort_key: Optional[Callable[[Any], Any]] = None  # default: the display text, casefolded
    tooltip: Optional[Callable[[Any], Optional[str]]] = None
    decoration: Optional[Callable[[Any], Any]] = None  # -> QIcon | None
    foreground: Optional[Callable[[Any], Any]] = None  # -> QColor | None
    font: Optional[Callable[[Any], Any]] = None  # -> QFont | None
    align: Any = ALIGN_LEFT
    header_tip: str = ""
    width: int = 0  # preferred initial width in pixels (0 = fit)


def _dense_ranks(keys: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Integer ranks of ``keys`` (equal keys share a rank) and a 'missing' mask."""
    n = len(keys)
    missing = np.fromiter((k is None for k in keys), dtype=bool, count=n)
    ranks = np.zeros(n, dtype=np.int64)
    present = [k for k in keys if k is not None]
    if present:
        try:
            uniq = sorted(set(present))
        except TypeError:  # mixed, unorderable types: fall back to their text
            keys = [None if k is None else str(k) for k in keys]
            uniq = sorted({k for k in keys if k is not None})
        lookup = {k: i for i, k in enumerate(uniq)}
        for i, k in enumerate(keys):
            if k is not None:
                ranks[i] = lookup[k]
    return ranks, missing


class ObjectTableModel(QAbstractTableModel):
    """Read-only table of objects with in-model numpy sorting and filtering."""

    columns: Sequence[Column] = ()
    #: sorting by a column keeps the previous order among ties, for this many clicks
    MAX_SORT_KEYS = 3

    def __init__(self, rows: Sequence[Any] = (), parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = list(rows)
        self._visible = np.arange(len(self._rows), dtype=np.int64)
        self._rank_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._sort_keys: list[tuple[int, Qt.SortOrder]] = []
        self._update_visible()

    # ------------------------------------------------------------------ data in/out
    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._rank_cache.clear()
        self._update_visible()
        self.endResetModel()

    def rows(self) -> list[Any]:
        """All rows (source order), including the filtered-out ones."""
        return list(self._rows)

    def visible_rows(self) -> list[Any]:
        """The rows in view order."""
        return [self._rows[i] for i in self._visible]

    def total_count(self) -> int:
        return len(self._rows)

    def row_object(self, row: int) -> Any:
        """The object shown in view row ``row`` (None if out of range)."""
        if 0 <= row < len(self._visible):
            return self._rows[int(self._visible[row])]
        return None

    def row_key(self, obj: Any) -> Any:
        """Identity of a row object (used to keep selections across reloads)."""
        return getattr(obj, "id", id(obj))

    def find_row(self, key: Any) -> int:
        """View row of the object whose :meth:`row_key` is ``key``; -1 if not visible."""
        for view_row, src in enumerate(self._visible):
            if self.row_key(self._rows[int(src)]) == key:
                return view_row
        return -1

    # ------------------------------------------------------------------ filtering
    def filter_mask(self) -> Optional[np.ndarray]:
        """Boolean mask over the source rows; None = everything visible."""
        return None

    def refilter(self) -> None:
        """Re-apply :meth:`filter_mask` (call after changing filter criteria)."""
        self.beginResetModel()
        self._update_visible()
        self.endResetModel()

    # ------------------------------------------------------------------ sorting
    def _ranks(self, column: int) -> tuple[np.ndarray, np.ndarray]:
        cached = self._rank_cache.get(column)
        if cached is None:
            col = self.columns[column]
            if col.sort_key is not None:
                keys = [col.sort_key(r) for r in self._rows]
            else:
                keys = [(col.display(r) or "").casefold() or None for r in self._rows]
            cached = self._rank_cache[column] = _dense_ranks(keys)
        return cached

    def _update_visible(self) -> None:
        mask = self.filter_mask()
        if mask is None:
            idx = np.arange(len(self._rows), dtype=np.int64)
        else:
            idx = np.flatnonzero(np.asarray(mask, dtype=bool)).astype(np.int64)
        if self._sort_keys and len(idx):
            # np.lexsort is stable and its *last* key is the primary one: the latest
            # clicked column decides, earlier clicks break ties (Excel-like), missing
            # values go last in either direction, then the source order.
            keys: list[np.ndarray] = []
            for column, order in self._sort_keys:
                ranks, missing = self._ranks(column)
                k = ranks[idx]
                if order == Qt.SortOrder.DescendingOrder:
                    k = -k
                keys.extend((k, missing[idx]))
            idx = idx[np.lexsort(keys)]
        self._visible = idx

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [int(self._visible[p.row()]) if 0 <= p.row() < len(self._visible) else -1 for p in persistent]
        self._sort_column = column
        self._sort_order = order
        keys = [k for k in self._sort_keys if k[0] != column]
        if 0 <= column < len(self.columns):
            keys.append((column, order))
        else:  # Qt's convention: column -1 restores the natural (source) order
            keys = []
        self._sort_keys = keys[-self.MAX_SORT_KEYS:]
        self._update_visible()
        where = {int(s): r for r, s in enumerate(self._visible)}
        new = []
        for p, src in zip(persistent, sources):
            r = where.get(src, -1)
            new.append(self.index(r, p.column()) if r >= 0 else QModelIndex())
        self.changePersistentIndexList(persistent, new)
        self.layoutChanged.emit()

    def sort_column(self) -> int:
        return self._sort_column

    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    # ------------------------------------------------------------------ Qt API
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.header_tip or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return col.align
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, c = index.row(), index.column()
        if not (0 <= row < len(self._visible) and 0 <= c < len(self.columns)):
            return None
        obj = self._rows[int(self._visible[row])]
        col = self.columns[c]
        try:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return col.display(obj)
            if role == Qt.ItemDataRole.ToolTipRole:
                if col.tooltip is not None:
                    return col.tooltip(obj)
                return None
            if role == Qt.ItemDataRole.DecorationRole and col.decoration is not None:
                return col.decoration(obj)
            if role == Qt.ItemDataRole.ForegroundRole and col.foreground is not None:
                return col.foreground(obj)
            if role == Qt.ItemDataRole.FontRole and col.font is not None:
                return col.font(obj)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return col.align
            if role == ObjectRole:
                return obj
            if role == KeyRole:
                return self.row_key(obj)
        except Exception:  # never let a formatting bug break painting
            return None
        return None



def select_row(view: Any, row: int, *, scroll: bool = False) -> bool:
    """Make ``row`` of a table view the current, selected (whole) row; False if absent."""
    idx = view.model().index(row, 0)
    if not idx.isValid():
        return False
    view.selectionModel().setCurrentIndex(
        idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    if scroll:
        view.scrollTo(idx)
    return True


def configure_table_view(view: Any, model: "ObjectTableModel", name: str) -> None:
    """Tollgate's read-only table look: ``model`` set, whole-row single selection, no
    editing, alternating rows, no grid or wrapping, Tab leaves the table, fixed 26 px rows,
    the model's preferred column widths, last column stretched; ``name`` is the
    accessible name (screen readers)."""
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView

    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    vh = view.verticalHeader()
    vh.setVisible(False)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(26)
    hh = view.horizontalHeader()
    hh.setHighlightSections(False)
    hh.setStretchLastSection(True)
    for i, col in enumerate(model.columns):
        if col.width:
            hh.resizeSection(i, col.width)
