"""The model inventory: :class:`InventoryModel` (Qt table model) and its panel.

The model holds the :class:`~console.domain.models.ModelSummary` list handed over by a
worker; it sorts (numpy argsort of ranks, see :mod:`console.ui.tablemodel`) and filters
(name/owner substring, risk tier, lifecycle status) itself, without a proxy model.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.models import DriftStatus, LifecycleStatus, ModelSummary
from console.ui import fmt, theme
from console.ui.tablemodel import ALIGN_CENTER, ALIGN_RIGHT, Column, ObjectTableModel, configure_table_view, select_row

__all__ = ["InventoryModel", "InventoryPanel", "TIER_TEXT", "next_validation_state", "next_validation_text"]

TIER_TEXT = {
    1: "Tier 1 — operational; decisions about people or money; revalidate every 12 months",
    2: "Tier 2 — scheduled and monitored; revalidate every 24 months",
    3: "Tier 3 — ad-hoc / self-service; revalidate every 36 months",
}
_DRIFT_ORDER = {DriftStatus.STABLE: 0, DriftStatus.WARNING: 1, DriftStatus.DRIFT: 2}
_STATUS_ORDER = {s: i for i, s in enumerate(LifecycleStatus)}
_BOLD = QFont()
_BOLD.setBold(True)


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:] if word else word


def _last_validation_text(m: ModelSummary) -> str:
    if m.last_validation is None:
        return "Never validated"
    when = fmt.date(m.last_validation_at)
    return f"{_cap(m.last_validation)} · {when}" if when else _cap(m.last_validation)


def _last_validation_tip(m: ModelSummary) -> str:
    if m.last_validation is None:
        return "No validation run recorded for this model"
    return f"Last validation {m.last_validation}ed on {fmt.datetime_utc(m.last_validation_at)}" if m.last_validation in (
        "pass", "fail") else f"Last validation: {m.last_validation}"


def next_validation_state(m: ModelSummary) -> str:
    """``never`` (no validation recorded), ``overdue`` (past :attr:`ModelSummary.next_validation_due`)
    or ``due`` (a date ahead)."""
    if m.next_validation_due is None:
        return "never"
    return "overdue" if m.validation_overdue() else "due"


def next_validation_text(m: ModelSummary) -> str:
    """``2026-03-14``, ``Overdue · 2024-03-14`` or ``Never validated``."""
    st = next_validation_state(m)
    if st == "never":
        return "Never validated"
    when = fmt.date(m.next_validation_due)
    return f"Overdue · {when}" if st == "overdue" else when


def next_validation_tip(m: ModelSummary) -> str:
    from console.domain.governance import TIER_POLICIES

    months = TIER_POLICIES[m.risk_tier].revalidation_months if m.risk_tier in TIER_POLICIES else None
    every = f"tier {m.risk_tier} models are revalidated every {months} months" if months else ""
    if m.next_validation_due is None:
        return f"No validation run recorded: validate the model before it can be approved ({every})"
    due = m.next_validation_due
    text = (f"Last validated {fmt.datetime_utc(m.last_validation_at)}; {every}, so the next validation is due "
            f"{fmt.datetime_utc(due)}")
    if m.validation_overdue():
        from datetime import datetime, timezone

        days = (datetime.now(timezone.utc) - (due if due.tzinfo else due.replace(tzinfo=timezone.utc))).days
        text += f" — OVERDUE by {days} day{'s' if days != 1 else ''}"
    return text


def _drift_text(m: ModelSummary) -> str:
    return _cap(m.drift_status.value) if m.drift_status else "Not monitored"


def _drift_tip(m: ModelSummary) -> str:
    if m.drift_status is None:
        return "No drift run recorded"
    return (
        f"Latest window of the latest drift run: {m.drift_status.value} "
        "(PSI < 0.1 stable, 0.1–0.25 warning, ≥ 0.25 drift)"
    )


def _muted_if_none(value: Any) -> Optional[QColor]:
    return QColor(theme.TOKENS.text_muted) if value is None else None


# -- registry mirror: source, offline badge, last sync, changes on the server
def _offline(m: ModelSummary) -> bool:
    return m.source != "local" and m.source_status == "offline"


def _source_text(m: ModelSummary) -> str:
    if _offline(m):
        return f"{m.source} · offline"
    if m.source_status == "removed":
        return f"{m.source} · removed"
    return m.source


def _source_icon(m: ModelSummary) -> Any:
    if _offline(m):
        return theme.status_icon("offline")
    if m.source_status == "removed":
        return theme.status_icon("skipped")
    return None


def _source_tip(m: ModelSummary) -> str:
    if m.source == "local":
        return "Registered in this workspace"
    tip = f"Pulled (read-only) from registry {m.source}"
    if _offline(m):
        tip += (f".\nOffline: the registry could not be reached at the last sync. The copy pulled "
                f"{fmt.datetime_utc(m.synced_at) or 'earlier'} stays usable.")
    elif m.source_status == "removed":
        tip += ".\nThe registry was removed from this workspace: this is the last pulled copy, kept as history."
    return tip


def _synced_tip(m: ModelSummary) -> Optional[str]:
    if m.source == "local":
        return "Local model: not synced from a registry"
    if m.synced_at is None:
        return "Not pulled yet"
    return f"Last pulled from {m.source} at {fmt.datetime_utc(m.synced_at, seconds=True)}"


def server_state(m: Any) -> Optional[str]:
    """``deleted`` / ``changed`` / ``ok`` for a pulled model or version, None for local."""
    if getattr(m, "deleted_on_server_at", None) is not None:
        return "deleted"
    if getattr(m, "changed_on_server_at", None) is not None:
        return "changed"
    return "ok" if getattr(m, "synced_at", None) is not None else None


_SERVER_TEXT = {"deleted": "Deleted on server", "changed": "Changed on server", "ok": "No change"}


def _server_text(m: ModelSummary) -> str:
    st = server_state(m)
    return _SERVER_TEXT[st] if st else ""


def _server_tip(m: ModelSummary) -> Optional[str]:
    st = server_state(m)
    if st == "deleted":
        return (f"Deleted on {m.source} (noticed at the sync of {fmt.datetime_utc(m.deleted_on_server_at)}); "
                "its pulled history is kept here")
    if st == "changed":
        return (f"{m.source}'s copy changed since the previous sync (noticed at "
                f"{fmt.datetime_utc(m.changed_on_server_at)}); review what changed before relying on it")
    if st == "ok":
        return f"No change on {m.source} detected at the last sync"
    return None


class InventoryModel(ObjectTableModel):
    """Inventory rows with in-model sorting and filtering.

    Filters (all combined with AND): ``text`` — case-insensitive substring of the name,
    the owner or the source (registry name); ``tier`` — risk tier (1–3) or None; ``status`` —
    :class:`LifecycleStatus` or None.
    """

    (NAME, OWNER, TIER, STATUS, CHAMPION, LAST_VALIDATION, NEXT_VALIDATION, DRIFT, VERSIONS, SOURCE, LAST_SYNCED,
     ON_SERVER) = range(12)

    columns = (
        Column("Name", lambda m: m.name, sort_key=lambda m: (m.name.casefold(), m.name),
               tooltip=lambda m: f"{m.name} (source: {m.source})", font=lambda m: _BOLD, width=240),
        Column("Owner", lambda m: m.owner, width=130),
        Column("Risk tier", lambda m: f"Tier {m.risk_tier}", sort_key=lambda m: m.risk_tier,
               tooltip=lambda m: TIER_TEXT.get(m.risk_tier), align=ALIGN_CENTER,
               header_tip="Risk tier: 1 is the most critical", width=72),
        Column("Status", lambda m: _cap(m.status.value), sort_key=lambda m: _STATUS_ORDER.get(m.status, 99),
               tooltip=lambda m: f"Lifecycle status: {m.status.value}", width=98),
        Column("Champion", lambda m: f"v{m.champion_version}" if m.champion_version else "—",
               sort_key=lambda m: int(m.champion_version) if (m.champion_version or "").isdigit() else m.champion_version,
               tooltip=lambda m: "Version holding the champion alias" if m.champion_version else "No champion alias set",
               foreground=lambda m: _muted_if_none(m.champion_version), align=ALIGN_CENTER, width=80),
        Column("Last validation", _last_validation_text,
               sort_key=lambda m: None if m.last_validation is None else (m.last_validation, m.last_validation_at or 0),
               tooltip=_last_validation_tip,
               decoration=lambda m: theme.status_icon(m.last_validation or "none"),
               foreground=lambda m: theme.status_colour(m.last_validation) if m.last_validation else QColor(theme.TOKENS.text_muted),
               header_tip="Result and date of the latest validation run of the champion version (else of the latest version)", width=155),
        Column("Next validation", next_validation_text, sort_key=lambda m: m.next_validation_due,
               tooltip=next_validation_tip,
               decoration=lambda m: theme.status_icon({"overdue": "warning", "never": "none"}.get(
                   next_validation_state(m), "pass")) if next_validation_state(m) != "due" else None,
               foreground=lambda m: theme.status_colour("warning") if next_validation_state(m) == "overdue"
               else (QColor(theme.TOKENS.text_muted) if next_validation_state(m) == "never" else None),
               font=lambda m: _BOLD if next_validation_state(m) == "overdue" else None,
               header_tip="Last validation plus the tier's revalidation interval (12 / 24 / 36 months); "
                          "overdue ones are marked", width=150),
        Column("Drift", _drift_text, sort_key=lambda m: _DRIFT_ORDER.get(m.drift_status) if m.drift_status else None,
               tooltip=_drift_tip,
               decoration=lambda m: theme.status_icon(m.drift_status.value if m.drift_status else "none"),
               foreground=lambda m: theme.status_colour(m.drift_status.value) if m.drift_status else QColor(theme.TOKENS.text_muted),
               header_tip="Drift status of the latest monitored window (PSI)", width=128),
        Column("Versions", lambda m: str(m.versions), sort_key=lambda m: m.versions, align=ALIGN_RIGHT, width=68),
        Column("Source", _source_text, sort_key=lambda m: (m.source != "local", m.source.casefold(), _offline(m)),
               tooltip=_source_tip, decoration=_source_icon,
               foreground=lambda m: theme.status_colour("offline") if _offline(m) else None,
               header_tip="“local”, or the registry the model was pulled from; “offline” when that registry "
                          "was unreachable at the last sync (the pulled copy stays usable)", width=150),
        Column("Last synced", lambda m: fmt.relative_time(m.synced_at) if m.source != "local" else "—",
               sort_key=lambda m: m.synced_at, tooltip=_synced_tip,
               foreground=lambda m: QColor(theme.TOKENS.text_muted) if m.source == "local" else None,
               header_tip="When the model was last pulled from its registry (exact UTC time in the tooltip)",
               width=95),
        Column("On server", _server_text, sort_key=lambda m: {"deleted": 0, "changed": 1, "ok": 2}.get(server_state(m)),
               tooltip=_server_tip,
               decoration=lambda m: theme.status_icon(server_state(m)) if server_state(m) in ("deleted", "changed")
               else None,
               foreground=lambda m: theme.status_colour(server_state(m)) if server_state(m) in ("deleted", "changed")
               else (QColor(theme.TOKENS.text_muted) if server_state(m) else None),
               header_tip="Changes seen on the registry at the last sync: changed since the previous sync, or "
                          "deleted (the pulled history is kept)", width=150),
    )

    def __init__(self, rows: Sequence[ModelSummary] = (), parent=None) -> None:
        self._text = ""
        self._tier: Optional[int] = None
        self._status: Optional[LifecycleStatus] = None
        super().__init__(rows, parent)
        self.sort(self.NAME, Qt.SortOrder.AscendingOrder)

    # -- filtering
    def set_filter(self, *, text: Optional[str] = None, tier: Any = ..., status: Any = ...) -> None:
        """Change some filter criteria (``...`` = unchanged, ``None`` = any)."""
        if text is not None:
            self._text = text.strip().casefold()
        if tier is not ...:
            self._tier = None if tier in (None, "", 0) else int(tier)
        if status is not ...:
            self._status = None if status in (None, "") else LifecycleStatus(status)
        self.refilter()

    def filters(self) -> dict[str, Any]:
        return {"text": self._text, "tier": self._tier, "status": self._status}

    def is_filtered(self) -> bool:
        return bool(self._text) or self._tier is not None or self._status is not None

    def filter_mask(self) -> Optional[np.ndarray]:
        if not self.is_filtered():
            return None
        text, tier, status = self._text, self._tier, self._status
        return np.fromiter(
            (
                (not text or text in m.name.casefold() or text in (m.owner or "").casefold()
                 or text in m.source.casefold())
                and (tier is None or m.risk_tier == tier)
                and (status is None or m.status == status)
                for m in self._rows
            ),
            dtype=bool,
            count=len(self._rows),
        )

    def summary(self, row: int) -> Optional[ModelSummary]:
        return self.row_object(row)


class InventoryPanel(QWidget):
    """Filter bar + inventory table, with loading / empty / no-match states."""

    #: the selected :class:`ModelSummary`, or None when nothing is selected
    selectionChanged = Signal(object)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.model = InventoryModel(parent=self)
        self._loaded = False

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter by name, owner or source  (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter models by name, owner or source")
        self.filter_edit.setMinimumWidth(260)
        clear = QAction("Clear filter", self.filter_edit)
        clear.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        clear.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        clear.triggered.connect(self.filter_edit.clear)
        self.filter_edit.addAction(clear)
        self.tier_combo = QComboBox(self)
        self.tier_combo.addItem("All risk tiers", None)
        for t in (1, 2, 3):
            self.tier_combo.addItem(f"Tier {t}", t)
            self.tier_combo.setItemData(t, TIER_TEXT[t], Qt.ItemDataRole.ToolTipRole)
        self.tier_combo.setAccessibleName("Filter by risk tier")
        self.status_combo = QComboBox(self)
        self.status_combo.addItem("All statuses", None)
        for s in LifecycleStatus:
            self.status_combo.addItem(_cap(s.value), s.value)
        self.status_combo.setAccessibleName("Filter by lifecycle status")
        self.count_label = QLabel("", self)
        self.count_label.setProperty("role", "muted")
        self.count_label.setAccessibleName("Number of models shown")

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Model inventory", self)
        title.setProperty("role", "section")
        bar.addWidget(title)
        bar.addSpacing(12)
        bar.addWidget(self.filter_edit, 2)
        tier_lbl = QLabel("&Tier:", self)
        tier_lbl.setBuddy(self.tier_combo)
        bar.addWidget(tier_lbl)
        bar.addWidget(self.tier_combo)
        st_lbl = QLabel("St&atus:", self)
        st_lbl.setBuddy(self.status_combo)
        bar.addWidget(st_lbl)
        bar.addWidget(self.status_combo)
        bar.addStretch(1)
        bar.addWidget(self.count_label)

        self.table = QTableView(self)
        configure_table_view(self.table, self.model, "Model inventory")
        hh = self.table.horizontalHeader()
        hh.setSortIndicator(InventoryModel.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # after the indicator: enabling sorts by it

        # state page: loading / empty / no match
        self.message = QLabel(self)
        self.message.setProperty("role", "placeholder")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(220)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Loading")
        self.clear_button = QPushButton("Clear filters", self)
        self.clear_button.clicked.connect(self.clear_filters)
        msg_page = QWidget(self)
        ml = QVBoxLayout(msg_page)
        ml.addStretch(1)
        ml.addWidget(self.message)
        ml.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignHCenter)
        ml.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignHCenter)
        ml.addStretch(1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(msg_page)
        self.stack.addWidget(self.table)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 4)
        lay.setSpacing(6)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(120)
        self._filter_timer.timeout.connect(self._apply_text_filter)
        self.filter_edit.textChanged.connect(lambda _t: self._filter_timer.start())
        self.tier_combo.currentIndexChanged.connect(self._apply_combo_filters)
        self.status_combo.currentIndexChanged.connect(self._apply_combo_filters)
        self.table.selectionModel().selectionChanged.connect(self._emit_selection)
        self.model.modelReset.connect(self._update_state)
        self.setTabOrder(self.filter_edit, self.tier_combo)
        self.setTabOrder(self.tier_combo, self.status_combo)
        self.setTabOrder(self.status_combo, self.table)
        self.set_loading("Opening workspace…")

    # ------------------------------------------------------------------ state
    @property
    def loaded(self) -> bool:
        return self._loaded

    def set_loading(self, text: str = "Loading models…") -> None:
        self._loaded = False
        if self.model.total_count():
            return  # keep showing the current rows while refreshing
        self.message.setText(text)
        self.busy.show()
        self.clear_button.hide()
        self.stack.setCurrentIndex(0)

    def set_error(self, text: str) -> None:
        self.message.setText(text)
        self.busy.hide()
        self.clear_button.hide()
        self.stack.setCurrentIndex(0)

    def set_summaries(self, summaries: Sequence[ModelSummary], select_id: Optional[int] = None,
                      keep_view: bool = False) -> bool:
        """Replace the rows; keep (or set) the selection by model id; default: first row.

        ``keep_view`` (background reloads): rows equal to the shown ones are not reset at
        all (only repainted, for the relative times); otherwise the scroll position is
        kept and a selected model that is gone is unselected rather than replaced.
        Returns whether the rows changed.
        """
        keep = select_id if select_id is not None else self.selected_id()
        was_loaded, self._loaded = self._loaded, True
        rows = list(summaries)
        if keep_view and was_loaded:
            if rows == self.model.rows():
                self.table.viewport().update()
                return False
            vbar, hbar = self.table.verticalScrollBar(), self.table.horizontalScrollBar()
            v, h = vbar.value(), hbar.value()
            self.model.set_rows(rows)
            self._show_registry_columns(rows)
            self._reselect(keep, fallback_first=False, scroll=False)
            vbar.setValue(v)
            hbar.setValue(h)
            return True
        self.model.set_rows(rows)
        self._show_registry_columns(rows)
        self._reselect(keep)
        return True

    def _show_registry_columns(self, rows: Sequence[ModelSummary]) -> None:
        """Last synced / On server only when some model was pulled from a registry: a
        purely local workspace keeps the room for names and owners."""
        pulled = any(m.source_status is not None for m in rows)
        for col in (InventoryModel.LAST_SYNCED, InventoryModel.ON_SERVER):
            self.table.setColumnHidden(col, not pulled)

    def _update_state(self) -> None:
        n_all, n_shown = self.model.total_count(), self.model.rowCount()
        if not self._loaded and not n_all:
            return
        if n_all == 0:
            self.message.setText(
                "This workspace has no models yet.\n"
                "Register one from the command line, or build the demo workspace with “tollgate demo”."
            )
            self.busy.hide()
            self.clear_button.hide()
            self.stack.setCurrentIndex(0)
        elif n_shown == 0:
            self.message.setText("No models match the current filters.")
            self.busy.hide()
            self.clear_button.show()
            self.stack.setCurrentIndex(0)
        else:
            self.stack.setCurrentIndex(1)
        self.count_label.setText(
            f"{n_all} model{'s' if n_all != 1 else ''}" if n_shown == n_all else f"{n_shown} of {n_all} models shown"
        )

    # ------------------------------------------------------------------ filters
    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def clear_filters(self) -> None:
        keep = self.selected_id()
        for w in (self.filter_edit, self.tier_combo, self.status_combo):
            w.blockSignals(True)
        self.filter_edit.clear()
        self.tier_combo.setCurrentIndex(0)
        self.status_combo.setCurrentIndex(0)
        for w in (self.filter_edit, self.tier_combo, self.status_combo):
            w.blockSignals(False)
        self.model.set_filter(text="", tier=None, status=None)
        self._reselect(keep)

    def _apply_text_filter(self) -> None:
        keep = self.selected_id()
        self.model.set_filter(text=self.filter_edit.text())
        self._reselect(keep, fallback_first=False)

    def _apply_combo_filters(self) -> None:
        keep = self.selected_id()
        self.model.set_filter(tier=self.tier_combo.currentData(), status=self.status_combo.currentData())
        self._reselect(keep, fallback_first=False)

    # ------------------------------------------------------------------ selection
    def selected_summary(self) -> Optional[ModelSummary]:
        rows = self.table.selectionModel().selectedRows()
        return self.model.summary(rows[0].row()) if rows else None

    def selected_id(self) -> Optional[int]:
        s = self.selected_summary()
        return s.id if s is not None else None

    def select_model_id(self, model_id: Optional[int], scroll: bool = True) -> bool:
        row = self.model.find_row(model_id) if model_id is not None else -1
        if row < 0:
            return False
        self._select_row(row, scroll)
        return True

    def _select_row(self, row: int, scroll: bool = True) -> None:
        select_row(self.table, row, scroll=scroll)

    def _reselect(self, model_id: Optional[int], fallback_first: bool = True, scroll: bool = True) -> None:
        """Keep ``model_id`` selected if it is still shown.  When a filter hides it, the
        selection is cleared rather than moved to another model, so actions never target
        a model the user did not pick; ``fallback_first`` (on load) selects the first row."""
        if self.select_model_id(model_id, scroll):
            return
        if self.model.rowCount() and fallback_first:
            self._select_row(0)
        else:
            self.table.selectionModel().clearSelection()
            self.table.selectionModel().setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
            self._emit_selection()

    def _emit_selection(self, *args: Any) -> None:
        sel = self.selected_summary()
        if sel is not None and sel is getattr(self, "_last_emitted", None):
            return
        self._last_emitted = sel
        self.selectionChanged.emit(sel)
