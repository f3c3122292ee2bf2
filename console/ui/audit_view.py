"""The workspace-wide audit view: every audit event, filtered by model, person, action
and date range (filters run in SQL, see :func:`console.services.audit.list_events`),
and a "Verify chain" check of the tamper-evident hash chain
(:func:`console.services.audit.verify_chain`).

Loading and verifying run in workers (:class:`console.ui.workers.JobRunner`) with
progress and Cancel; the GUI thread never touches the database.  The table reuses the
per-model "Audit trail" columns (:class:`console.ui.detail.AuditModel`) with a Model
column added.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Optional, Sequence

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from console.domain.models import AuditEvent, ChainVerification
from console.ui import theme
from console.ui.detail import AuditModel, make_table
from console.ui.tablemodel import Column
from console.ui.workers import Job, JobRunner

__all__ = ["AuditView", "WorkspaceAuditModel", "load_audit_options", "load_audit_events", "verify_audit_chain"]

#: At most this many events are listed (the newest); the view says when there are more.
LIST_LIMIT = 2000

#: The earliest date of the date pickers; a picker at this date means "no bound".
NO_DATE = QDate(2000, 1, 1)


# ---------------------------------------------------------------- job functions (workers)
def load_audit_options(ws: Any, progress=None, cancel=None) -> Any:
    """Models, actions and people for the filter combos (``AuditFilterOptions``)."""
    return ws.audit_filter_options()


def load_audit_events(ws: Any, filters: dict[str, Any], progress=None, cancel=None) -> list[AuditEvent]:
    """Up to ``LIST_LIMIT + 1`` events matching ``filters`` (``list_audit_events`` kwargs)."""
    return ws.list_audit_events(**filters, limit=LIST_LIMIT + 1, progress=progress, cancel=cancel)


def verify_audit_chain(ws: Any, expect_head: Optional[str], progress=None, cancel=None) -> ChainVerification:
    return ws.verify_audit_chain(expect_head, progress=progress, cancel=cancel)


# ---------------------------------------------------------------- table model
class WorkspaceAuditModel(AuditModel):
    """:class:`AuditModel` with a Model column (names from :meth:`set_model_names`)."""

    def __init__(self, rows: Sequence[AuditEvent] = (), parent=None) -> None:
        self._names: dict[int, str] = {}
        base = AuditModel.columns
        model_col = Column("Model", self._model_name, sort_key=lambda e: self._model_name(e) if e.model_id else None,
                           tooltip=lambda e: f"{self._model_name(e)} (model #{e.model_id})" if e.model_id is not None
                           else "A workspace event (no model)", width=230)
        self.columns = (*base[:3], model_col, *base[3:])
        super().__init__(rows, parent)

    def _model_name(self, e: AuditEvent) -> str:
        if e.model_id is None:
            return "—"
        return self._names.get(e.model_id, f"#{e.model_id}")

    def set_model_names(self, names: dict[int, str]) -> None:
        self.beginResetModel()
        self._names = dict(names)
        self._rank_cache.clear()
        self._update_visible()
        self.endResetModel()


# ---------------------------------------------------------------- the view
def _combo(parent: QWidget, name: str, any_text: str) -> QComboBox:
    c = QComboBox(parent)
    c.setAccessibleName(name)
    c.addItem(any_text, None)
    c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    c.setMinimumContentsLength(14)
    return c


def _date_edit(parent: QWidget, name: str) -> QDateEdit:
    d = QDateEdit(parent)
    d.setAccessibleName(name)
    d.setCalendarPopup(True)
    d.setDisplayFormat("yyyy-MM-dd")
    d.setMinimumDate(NO_DATE)
    d.setSpecialValueText("any")  # shown while the date is NO_DATE
    d.setDate(NO_DATE)
    d.setToolTip(f"{name} (UTC, inclusive); 'any' = no bound. Clear with the Clear dates button.")
    return d


class AuditView(QDialog):
    """The audit trail of the whole workspace, with filters and chain verification.

    Non-modal; the main window keeps one instance.  Signals (for the status bar and
    tests): ``loaded(int)`` with the number of events listed, ``verified(object)`` with
    the :class:`ChainVerification`, ``failed(str)`` with an error message.
    """

    loaded = Signal(int)
    verified = Signal(object)
    failed = Signal(str)

    def __init__(self, ws: Any, runner: Optional[JobRunner] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner or JobRunner(self)
        self._load_req = 0
        self._load_job: Optional[Job] = None
        self._verify_job: Optional[Job] = None
        self._options_job: Optional[Job] = None
        self.result: Optional[ChainVerification] = None
        self.setWindowTitle("Audit trail — whole workspace")
        self.setAccessibleName("Audit trail of the workspace")
        self.setMinimumSize(900, 520)
        self.resize(1280, 720)

        # -- filters
        filt = QFrame(self)
        filt.setProperty("role", "card")
        fl = QGridLayout(filt)
        fl.setContentsMargins(12, 8, 12, 8)
        fl.setHorizontalSpacing(8)
        self.model_combo = _combo(filt, "Model filter", "All models")
        self.person_combo = _combo(filt, "User filter", "All users")
        self.action_combo = _combo(filt, "Action filter", "All actions")
        self.since_edit = _date_edit(filt, "From date")
        self.until_edit = _date_edit(filt, "To date")
        self.clear_button = QPushButton("Clear filters", filt)
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.clicked.connect(self.clear_filters)
        self.reload_button = QPushButton("Reload", filt)
        self.reload_button.setAccessibleName("Reload the audit trail")
        self.reload_button.setToolTip("Read the filter choices and the events again (F5)")
        self.reload_button.setShortcut("F5")
        self.reload_button.clicked.connect(self.reload)
        for col, (text, w) in enumerate((("&Model", self.model_combo), ("&User", self.person_combo),
                                         ("&Action", self.action_combo), ("&From", self.since_edit),
                                         ("&To", self.until_edit))):
            lab = QLabel(text, filt)
            lab.setBuddy(w)
            fl.addWidget(lab, 0, col)
            fl.addWidget(w, 1, col)
        fl.addWidget(self.clear_button, 1, 5)
        fl.addWidget(self.reload_button, 1, 6)
        for col, stretch in enumerate((3, 2, 2, 1, 1, 0, 0)):
            fl.setColumnStretch(col, stretch)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(150)
        self._filter_timer.timeout.connect(self.load_events)
        for c in (self.model_combo, self.person_combo, self.action_combo):
            c.currentIndexChanged.connect(lambda _i: self._filter_timer.start())
        for d in (self.since_edit, self.until_edit):
            d.dateChanged.connect(lambda _d: self._filter_timer.start())

        # -- table
        self.model = WorkspaceAuditModel(parent=self)
        self.table = make_table(self.model, "Audit events", self)
        self.count_label = QLabel("", self)
        self.count_label.setAccessibleName("Number of events listed")
        self.count_label.setProperty("role", "muted")

        # -- verification
        ver = QFrame(self)
        ver.setProperty("role", "card")
        vl = QGridLayout(ver)
        vl.setContentsMargins(12, 8, 12, 10)
        vl.setHorizontalSpacing(8)
        title = QLabel("Hash chain", ver)
        title.setProperty("role", "section")
        self.expect_edit = QLineEdit(ver)
        self.expect_edit.setAccessibleName("Expected head hash")
        self.expect_edit.setPlaceholderText("Optional: paste a head hash saved earlier (64 hex digits) to detect "
                                            "removed newest events")
        self.expect_edit.setClearButtonEnabled(True)
        self.expect_edit.returnPressed.connect(self.verify)
        expect_label = QLabel("&Expected head:", ver)
        expect_label.setBuddy(self.expect_edit)
        self.verify_button = QPushButton("&Verify chain", ver)
        self.verify_button.setAccessibleName("Verify chain")
        self.verify_button.setToolTip("Recompute every event's SHA-256 and check the links (Ctrl+Shift+V)")
        self.verify_button.setShortcut("Ctrl+Shift+V")
        self.verify_button.clicked.connect(self.verify)
        self.cancel_button = QPushButton("Cancel", ver)
        self.cancel_button.setAccessibleName("Cancel loading or verifying")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar(ver)
        self.progress.setAccessibleName("Progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setVisible(False)
        self.result_icon = QLabel(ver)
        self.result_icon.setFixedSize(20, 20)
        self.result_text = QLabel("Not verified yet. The check reads every event; the view stays usable.", ver)
        self.result_text.setAccessibleName("Verification result")
        self.result_text.setWordWrap(True)
        self.result_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.head_edit = QLineEdit(ver)
        self.head_edit.setReadOnly(True)
        self.head_edit.setAccessibleName("Head hash")
        self.head_edit.setPlaceholderText("the head hash appears here after a verification")
        self.head_edit.setFont(theme_mono())
        self.copy_button = QPushButton("Copy", ver)
        self.copy_button.setAccessibleName("Copy the head hash")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.head_edit.text()))
        head_label = QLabel("Head hash:", ver)
        head_label.setBuddy(self.head_edit)

        vl.addWidget(title, 0, 0, 1, 4)
        vl.addWidget(expect_label, 1, 0)
        vl.addWidget(self.expect_edit, 1, 1)
        vl.addWidget(self.verify_button, 1, 2)
        vl.addWidget(self.cancel_button, 1, 3)
        res = QHBoxLayout()
        res.setSpacing(6)
        res.addWidget(self.result_icon, 0, Qt.AlignmentFlag.AlignTop)
        res.addWidget(self.result_text, 1)
        vl.addLayout(res, 2, 0, 1, 4)
        vl.addWidget(head_label, 3, 0)
        vl.addWidget(self.head_edit, 3, 1, 1, 2)
        vl.addWidget(self.copy_button, 3, 3)
        vl.addWidget(self.progress, 4, 0, 1, 4)
        vl.setColumnStretch(1, 1)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(8)
        lay.addWidget(filt)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.count_label)
        lay.addWidget(ver)
        self.setTabOrder(self.model_combo, self.person_combo)
        self.setTabOrder(self.person_combo, self.action_combo)
        self.setTabOrder(self.action_combo, self.since_edit)
        self.setTabOrder(self.since_edit, self.until_edit)
        self.setTabOrder(self.until_edit, self.table)
        self.setTabOrder(self.table, self.expect_edit)
        self.setTabOrder(self.expect_edit, self.verify_button)
        self.reload()

    # ------------------------------------------------------------------ state
    @property
    def busy(self) -> bool:
        return any(j is not None for j in (self._load_job, self._verify_job, self._options_job))

    def _update_busy(self) -> None:
        busy = self.busy
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        self.verify_button.setEnabled(self._verify_job is None)
        if not busy:
            self.progress.setValue(0)

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        if message:
            self.progress.setToolTip(message)

    def filters(self) -> dict[str, Any]:
        """The current filters as ``list_audit_events`` keyword arguments (UTC dates:
        from 00:00 of the From date to 24:00 of the To date)."""
        f: dict[str, Any] = {}
        for key, combo in (("model_id", self.model_combo), ("actor", self.person_combo),
                           ("action", self.action_combo)):
            if combo.currentData() is not None:
                f[key] = combo.currentData()
        if self.since_edit.date() != NO_DATE:
            f["since"] = _utc_midnight(self.since_edit.date().toPython())
        if self.until_edit.date() != NO_DATE:
            f["until"] = _utc_midnight(self.until_edit.date().toPython() + timedelta(days=1))
        return f

    def clear_filters(self) -> None:
        for c in (self.model_combo, self.person_combo, self.action_combo):
            c.setCurrentIndex(0)
        for d in (self.since_edit, self.until_edit):
            d.setDate(NO_DATE)

    def cancel(self) -> None:
        for job in (self._load_job, self._verify_job, self._options_job):
            if job is not None:
                job.cancel()

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        """Read the filter choices, then the events (both in workers)."""
        if self._options_job is not None:
            return
        self._options_job = self.runner.submit(
            load_audit_options, self.ws, title="Reading the audit filters",
            on_result=self._on_options, on_error=lambda m, d: self._show_error(m),
            on_finished=self._options_finished,
        )
        self._update_busy()

    def _options_finished(self) -> None:
        self._options_job = None
        self._update_busy()
        self.load_events()

    def _on_options(self, options: Any) -> None:
        self.model.set_model_names(dict(options.models))
        _fill(self.model_combo, [(name, mid) for mid, name in options.models])
        _fill(self.person_combo, [(name, ref) for ref, name in options.people])
        _fill(self.action_combo, [(a, a) for a in options.actions])

    def load_events(self) -> None:
        """List the events matching the filters (a newer request supersedes the older)."""
        if self._options_job is not None:
            return  # loaded when the options arrive
        self._filter_timer.stop()
        if self._load_job is not None:
            self._load_job.cancel()
        self._load_req += 1
        req = self._load_req
        job = self.runner.submit(
            load_audit_events, self.ws, self.filters(), title="Reading the audit trail",
            on_progress=self._on_progress,
            on_result=lambda rows, r=req: self._on_events(r, rows),
            on_error=lambda m, d, r=req: self._show_error(m) if r == self._load_req else None,
        )
        job.signals.finished.connect(lambda j=job: self._load_finished(j))
        self._load_job = job
        self.count_label.setText("Loading…")
        self._update_busy()

    def _load_finished(self, job: Job) -> None:
        if self._load_job is job:
            self._load_job = None
            if job.cancelled and self.count_label.text() == "Loading…":
                self.count_label.setText("Loading cancelled; change a filter or press Reload.")
        self._update_busy()

    def _on_events(self, req: int, rows: list[AuditEvent]) -> None:
        if req != self._load_req:
            return
        more = len(rows) > LIST_LIMIT
        rows = rows[:LIST_LIMIT]
        self.model.set_rows(rows)
        n = len(rows)
        filtered = bool(self.filters())
        text = f"{n:,} event{'s' if n != 1 else ''}" + (" match the filters" if filtered else " in the workspace")
        if more:
            text = f"Showing the newest {LIST_LIMIT:,} events; narrow the filters to see older ones."
        self.count_label.setText(text + "  ·  newest first; hover a row for the recorded values")
        self.loaded.emit(n)

    # ------------------------------------------------------------------ verifying
    def verify(self) -> Optional[Job]:
        """Verify the whole chain (optionally against the pasted expected head)."""
        if self._verify_job is not None:
            return None
        expect = self.expect_edit.text().strip() or None
        self._set_result(None, "Verifying…")
        self._verify_job = self.runner.submit(
            verify_audit_chain, self.ws, expect, title="Verifying the audit chain",
            on_progress=self._on_progress, on_result=self._on_verified,
            on_error=lambda m, d: self._show_error(m, verifying=True),
            on_cancelled=lambda m: self._set_result(None, "Verification cancelled; nothing was checked to the end."),
            on_finished=self._verify_finished,
        )
        self._update_busy()
        return self._verify_job

    def _verify_finished(self) -> None:
        self._verify_job = None
        self._update_busy()

    def _on_verified(self, r: ChainVerification) -> None:
        self.result = r
        rng = f"events {r.first_seq}–{r.last_seq}" if r.events else "no events"
        if r.intact:
            against = " It contains the expected head." if r.expected_head else ""
            self._set_result("pass", f"<b>Intact</b>: {r.events:,} events ({rng}) match their hashes and "
                                     f"links.{against}")
        else:
            self._set_result("broken", f"<b>Broken at event {r.first_bad_seq}</b>: {_esc(r.reason or '')}")
        self.head_edit.setText(r.head_hash)
        self.head_edit.setCursorPosition(0)
        self.copy_button.setEnabled(True)
        self.verified.emit(r)

    def _set_result(self, status: Optional[str], html_text: str) -> None:
        if status is None:
            self.result_icon.clear()
        else:
            self.result_icon.setPixmap(theme.status_icon(status).pixmap(18, 18))
        self.result_text.setText(html_text)  # the icon's meaning is in the text's first word
        self.result_icon.setAccessibleName({"pass": "Intact", "broken": "Broken", "error": "Error"}.get(status or "", ""))

    def _show_error(self, message: str, verifying: bool = False) -> None:
        if verifying:
            self._set_result("error", f"<b>Could not verify</b>: {_esc(message)}")
        else:
            self.count_label.setText(f"✖ {message}")
        self.failed.emit(message)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.cancel()
        super().closeEvent(event)


# ---------------------------------------------------------------- helpers
def _fill(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
    """Replace the choices after the first ("All …"), keeping the current one if present."""
    current = combo.currentData()
    combo.blockSignals(True)
    try:
        while combo.count() > 1:
            combo.removeItem(1)
        for text, data in items:
            combo.addItem(text, data)
        i = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(0, i))
    finally:
        combo.blockSignals(False)


def _utc_midnight(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=timezone.utc)


def _esc(text: str) -> str:
    import html

    return html.escape(text)


def theme_mono():
    from PySide6.QtGui import QFontDatabase

    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
