"""The "Findings" tab of the model detail (issue 5: an open high-severity finding blocks
every approval of the model).

Lists the model's findings (:func:`console.services.findings.list_findings`, open ones
first), opens a manual finding (:func:`~console.services.findings.open_finding`: any
signed-in user but an Auditor) and closes one with a reason
(:func:`~console.services.findings.close_finding`: a Model Risk Manager or an Admin; a
refusal is shown with the rule the service names).  Every database call runs in a worker.
"""

from __future__ import annotations

import html
from typing import Any, Optional, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.approvals import Finding
from console.domain.governance import Role
from console.ui import fmt, theme
from console.ui.tablemodel import (
    ALIGN_RIGHT,
    Column,
    ObjectTableModel,
    configure_table_view,
    select_row,
)
from console.ui.widgets import busy_bar, error_label

__all__ = ["FindingsModel", "FindingsView", "OpenFindingDialog", "CloseFindingDialog", "load_findings",
           "SEVERITY_STATUS", "severity_html"]

#: Severity → the status glyph it is drawn with (shape differs, never colour alone).
SEVERITY_STATUS = {"high": "fail", "medium": "warn", "low": "skipped"}
_SEV_ORDER = {"high": 0, "medium": 1, "low": 2}


def _cap(w: str) -> str:
    return w[:1].upper() + w[1:] if w else w


def severity_html(severity: str, text: Optional[str] = None) -> str:
    st = SEVERITY_STATUS.get(severity, "none")
    return (f"<span style='color:{theme.status_colour(st).name()}'>{theme.status_glyph(st)}</span> "
            f"{html.escape(text if text is not None else _cap(severity))}")


def _error_html(text: str) -> str:
    return f"<span style='color:{theme.TOKENS.bad}'>{theme.status_glyph('fail')}</span> {html.escape(text)}"


# ---------------------------------------------------------------- job functions (workers)
def load_findings(ws: Any, model_id: int, progress=None, cancel=None) -> list[Finding]:
    """Every finding of the model: open ones first, then newest first."""
    from console.services import findings

    rows = findings.list_findings(ws, model=model_id, state=None)
    return sorted(rows, key=lambda f: (f.state != "open", -f.id))


def open_finding_job(ws: Any, model_id: int, title: str, severity: str, by: Any, detail: str,
                     version: Optional[int], progress=None, cancel=None) -> Finding:
    from console.services import findings

    return findings.open_finding(ws, model_id, title=title, severity=severity, by=by, detail=detail, version=version)


def close_finding_job(ws: Any, finding_id: int, by: Any, reason: str, progress=None, cancel=None) -> Finding:
    from console.services import findings

    return findings.close_finding(ws, finding_id, by=by, reason=reason)


# ---------------------------------------------------------------- table model
def _closed_text(f: Finding) -> str:
    if f.state != "closed":
        return "—"
    return f"{fmt.datetime_utc(f.closed_at, suffix=False)} by {f.closed_by}"


class FindingsModel(ObjectTableModel):
    """Findings of one model."""

    columns = (
        Column("#", lambda f: f"#{f.id}", sort_key=lambda f: f.id, align=ALIGN_RIGHT, width=46),
        Column("Severity", lambda f: _cap(f.severity), sort_key=lambda f: _SEV_ORDER.get(f.severity, 9),
               decoration=lambda f: theme.status_icon(SEVERITY_STATUS.get(f.severity, "none")),
               foreground=lambda f: theme.status_colour(SEVERITY_STATUS.get(f.severity, "none")),
               tooltip=lambda f: "High: blocks every approval of the model while open" if f.severity == "high"
               else f"{_cap(f.severity)}: does not block approvals", width=92),
        Column("State", lambda f: _cap(f.state), sort_key=lambda f: f.state != "open",
               decoration=lambda f: theme.status_icon("warning" if f.state == "open" else "pass"),
               tooltip=lambda f: "Open: to be remediated" if f.state == "open" else "Closed (remediated)",
               width=82),
        Column("Source", lambda f: f.source, tooltip=lambda f: f"{f.source}" + (f" ({f.source_ref})" if f.source_ref
                                                                                  else ""), width=86),
        Column("Version", lambda f: f"v{f.version}" if f.version is not None else "model",
               sort_key=lambda f: f.version, width=64),
        Column("Title", lambda f: f.title, tooltip=lambda f: f.title + (f"\n\n{f.detail}" if f.detail else ""),
               width=380),
        Column("Opened (UTC)", lambda f: f"{fmt.datetime_utc(f.opened_at, suffix=False)} by {f.opened_by}",
               sort_key=lambda f: f.opened_at, width=180),
        Column("Closed (UTC)", _closed_text, sort_key=lambda f: f.closed_at,
               foreground=lambda f: QColor(theme.TOKENS.text_muted) if f.state != "closed" else None, width=180),
        Column("Close reason", lambda f: f.close_reason or "", tooltip=lambda f: f.close_reason or None, width=260),
    )

    def open_high(self) -> int:
        return sum(1 for f in self._rows if f.state == "open" and f.severity == "high")

    def open_count(self) -> int:
        return sum(1 for f in self._rows if f.state == "open")


# ---------------------------------------------------------------- the tab
def can_open(user: Any) -> tuple[bool, str]:
    """Whether ``user`` may open a finding, and the reason shown as a tooltip."""
    if user is None:
        return False, "Sign in to open a finding"
    if all(a.role == Role.AUDITOR for a in user.roles) and user.roles:
        return False, f"Auditors are read-only; {user.display_name} cannot open findings"
    return True, "Record a finding on this model (audited)"


class FindingsView(QWidget):
    """The Findings tab.  :meth:`bind` / :meth:`set_user` / :meth:`set_model` as
    :class:`console.ui.raci_view.RaciView` (findings load with every model, because the
    Overview shows the open high-severity count).  Signals: ``loaded(list)``,
    ``counts(int, int)`` (open, open high), ``changed()`` after an open or close,
    ``failed(str)``."""

    loaded = Signal(list)
    counts = Signal(int, int)
    changed = Signal()
    failed = Signal(str)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ws: Any = None
        self.runner: Any = None
        self.user: Any = None
        self.summary: Any = None
        self.versions: Sequence[int] = ()
        self.dialog: Optional[QDialog] = None
        self._req = 0
        self._job: Any = None

        self.title = QLabel("Findings", self)
        self.title.setProperty("role", "section")
        self.summary_label = QLabel(self)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setAccessibleName("Open findings")
        self.busy = busy_bar(self, "Loading findings", height=10, max_width=120)
        self.busy.hide()
        self.open_button = QPushButton("Open finding…", self)
        self.open_button.setAccessibleName("Open a finding")
        self.open_button.clicked.connect(self.open_dialog)
        self.close_button = QPushButton("Close finding…", self)
        self.close_button.setAccessibleName("Close the selected finding")
        self.close_button.clicked.connect(self.close_dialog)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAccessibleName("Findings message")
        self.message.hide()

        self.model = FindingsModel(parent=self)
        self.table = QTableView(self)
        configure_table_view(self.table, self.model, "Findings of this model")
        # no indicator before enabling: enabling would sort by it at once; the natural
        # order (open first, newest first) stays until a header is clicked
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._on_current(cur.row()))
        self.detail_text = QPlainTextEdit(self)
        self.detail_text.setReadOnly(True)
        self.detail_text.setAccessibleName("Selected finding")
        self.detail_text.setPlaceholderText("Select a finding to see its detail.")
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.detail_text)
        split.setSizes([260, 110])
        split.setChildrenCollapsible(False)

        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addSpacing(8)
        head.addWidget(self.summary_label)
        head.addSpacing(8)
        head.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addStretch(1)
        head.addWidget(self.open_button)
        head.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 6, 4, 4)
        lay.setSpacing(4)
        lay.addLayout(head)
        lay.addWidget(self.message)
        lay.addWidget(split, 1)
        self._update_buttons()

    # ------------------------------------------------------------------ inputs
    def bind(self, ws: Any, runner: Any) -> None:
        self.ws, self.runner = ws, runner
        if self.summary is not None:
            self.load()

    def set_user(self, user: Any) -> None:
        self.user = user
        self._update_buttons()

    def set_model(self, summary: Any, versions: Sequence[int] = ()) -> None:
        """Show ``summary``'s findings (``versions``: numbers offered when opening one)."""
        changed = self.summary is None or summary is None or self.summary.id != summary.id
        self.summary = summary
        self.versions = tuple(versions)
        if changed:
            self.model.set_rows([])
            self.detail_text.clear()
        self.load()

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        if self.ws is None or self.runner is None or self.summary is None:
            return
        if self._job is not None:
            self._job.cancel()
        self._req += 1
        req = self._req
        self.busy.show()
        self._job = self.runner.submit(
            load_findings, self.ws, self.summary.id, title="Reading the findings",
            on_result=lambda rows, r=req: self._on_loaded(r, rows),
            on_error=lambda m, _d, r=req: self._on_error(r, m),
            on_finished=lambda r=req: self._on_finished(r),
        )

    def _on_finished(self, req: int) -> None:
        if req == self._req:
            self._job = None
            self.busy.hide()

    def _on_loaded(self, req: int, rows: list) -> None:
        if req != self._req:
            return
        keep = self.selected()
        self.model.set_rows(rows)
        row = self.model.find_row(keep.id) if keep is not None else -1
        if not select_row(self.table, max(row, 0)):
            self.detail_text.clear()
        n_open, n_high = self.model.open_count(), self.model.open_high()
        if not rows:
            self.summary_label.setText("No findings recorded.")
        else:
            text = f"{n_open} open of {len(rows)}"
            if n_high:
                text = severity_html("high", f"{n_high} open high-severity — blocks approvals") + f" · {text}"
            self.summary_label.setText(text)
        self._update_buttons()
        self.counts.emit(n_open, n_high)
        self.loaded.emit(rows)

    def _on_error(self, req: int, message: str) -> None:
        if req != self._req:
            return
        self.show_message(f"The findings could not be read: {message}", error=True)
        self.failed.emit(message)

    # ------------------------------------------------------------------ selection / buttons
    def selected(self) -> Optional[Finding]:
        idx = self.table.selectionModel().currentIndex()
        return self.model.row_object(idx.row()) if idx.isValid() else None

    def _on_current(self, row: int) -> None:
        f: Optional[Finding] = self.model.row_object(row)
        self._update_buttons()
        if f is None:
            self.detail_text.clear()
            return
        lines = [f"Finding #{f.id} — {f.title}",
                 f"Severity {f.severity} · {f.state} · source {f.source}" + (f" ({f.source_ref})" if f.source_ref else "")
                 + (f" · version {f.version}" if f.version is not None else " · whole model"),
                 f"Opened {fmt.datetime_utc(f.opened_at, seconds=True)} by {f.opened_by}"]
        if f.state == "closed":
            lines.append(f"Closed {fmt.datetime_utc(f.closed_at, seconds=True)} by {f.closed_by}: {f.close_reason}")
        if f.detail:
            lines += ["", f.detail]
        self.detail_text.setPlainText("\n".join(lines))

    def _update_buttons(self) -> None:
        has = self.ws is not None and self.summary is not None
        ok, tip = can_open(self.user)
        self.open_button.setEnabled(has and ok)
        self.open_button.setToolTip(tip)
        f = self.selected()
        if self.user is None:
            ok, tip = False, "Sign in to close a finding"
        elif f is None or f.state != "open":
            ok, tip = False, "Select an open finding to close it"
        else:
            ok, tip = True, ("Close the selected finding with a reason (a Model Risk Manager or an Admin; "
                             "audited)")
        self.close_button.setEnabled(has and ok)
        self.close_button.setToolTip(tip)

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(_error_html(text) if error else
                             f"<span style='color:{theme.TOKENS.ok}'>{theme.status_glyph('pass')}</span> "
                             f"{html.escape(text)}")
        self.message.show()

    # ------------------------------------------------------------------ open / close
    def open_dialog(self) -> Optional["OpenFindingDialog"]:
        if not self.open_button.isEnabled():
            return None
        from console.domain.governance import TIER_POLICIES

        default = TIER_POLICIES.get(self.summary.risk_tier).finding_severity if self.summary.risk_tier in TIER_POLICIES \
            else "medium"
        dlg = OpenFindingDialog(self.summary.name, self.versions, default, self)
        dlg.submitted.connect(lambda d=dlg: self._submit_open(d))
        self._set_dialog(dlg)
        return dlg

    def close_dialog(self) -> Optional["CloseFindingDialog"]:
        f = self.selected()
        if not self.close_button.isEnabled() or f is None:
            return None
        dlg = CloseFindingDialog(f, self.user, self)
        dlg.submitted.connect(lambda d=dlg: self._submit_close(d))
        self._set_dialog(dlg)
        return dlg

    def _set_dialog(self, dlg: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dlg
        dlg.open()

    def _submit_open(self, dlg: "OpenFindingDialog") -> None:
        title, severity, detail, version = dlg.values()
        dlg.set_busy(True)
        self.runner.submit(
            open_finding_job, self.ws, self.summary.id, title, severity, self.user, detail, version,
            title="Opening a finding", serial=True,
            on_result=lambda f, d=dlg: self._done(d, f"Opened finding #{f.id} ({f.severity}): {f.title}"),
            on_error=lambda m, _det, d=dlg: d.show_error(m),
            on_finished=lambda d=dlg: d.set_busy(False),
        )

    def _submit_close(self, dlg: "CloseFindingDialog") -> None:
        dlg.set_busy(True)
        self.runner.submit(
            close_finding_job, self.ws, dlg.finding.id, self.user, dlg.reason(), title="Closing a finding",
            serial=True,
            on_result=lambda f, d=dlg: self._done(d, f"Closed finding #{f.id}: {f.close_reason}"),
            on_error=lambda m, _det, d=dlg: d.show_error(m),
            on_finished=lambda d=dlg: d.set_busy(False),
        )

    def _done(self, dlg: QDialog, text: str) -> None:
        dlg.accept()
        self.show_message(text)
        self.load()
        self.changed.emit()


class _FormDialog(QDialog):
    """OK/Cancel dialog whose OK emits ``submitted`` (the owner runs the job and calls
    :meth:`show_error` or accepts); errors stay inside the dialog."""

    submitted = Signal()
    failed = Signal(str)

    def __init__(self, title: str, ok_text: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(560)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.error = error_label(self)
        self.busy = busy_bar(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.error)
        lay.addWidget(self.busy)
        lay.addWidget(self.buttons)

    def check(self) -> Optional[str]:
        return None

    def _on_ok(self) -> None:
        problem = self.check()
        if problem:
            self.show_error(problem)
            return
        self.error.hide()
        self.submitted.emit()

    def show_error(self, message: str) -> None:
        self.set_busy(False)  # before ``failed``: the user may try again at once
        self.error.setText(_error_html(message))
        self.error.show()
        self.failed.emit(message)

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.ok_button.setEnabled(not busy)


class OpenFindingDialog(_FormDialog):
    """Title, severity (default: the tier's), version (or the whole model) and detail."""

    def __init__(self, model_name: str, versions: Sequence[int], default_severity: str,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(f"Open a finding — {model_name}", "Open finding", parent)
        self.title_edit = QLineEdit(self)
        self.title_edit.setAccessibleName("Finding title")
        self.title_edit.setPlaceholderText("What is wrong, in one line")
        self.severity_combo = QComboBox(self)
        self.severity_combo.setAccessibleName("Severity")
        for sev, tip in (("high", "blocks every approval of the model while open"),
                         ("medium", "does not block approvals"), ("low", "does not block approvals")):
            self.severity_combo.addItem(theme.status_icon(SEVERITY_STATUS[sev]), f"{_cap(sev)} — {tip}", sev)
        self.severity_combo.setCurrentIndex(max(0, self.severity_combo.findData(default_severity)))
        self.version_combo = QComboBox(self)
        self.version_combo.setAccessibleName("Version")
        self.version_combo.addItem("The whole model", None)
        for v in sorted(versions, reverse=True):
            self.version_combo.addItem(f"v{v}", v)
        self.detail_edit = QPlainTextEdit(self)
        self.detail_edit.setAccessibleName("Finding detail")
        self.detail_edit.setPlaceholderText("Evidence, expected remediation (optional)")
        self.detail_edit.setMaximumHeight(110)
        self.form.addRow("&Title:", self.title_edit)
        self.form.addRow("&Severity:", self.severity_combo)
        self.form.addRow("&Version:", self.version_combo)
        self.form.addRow("&Detail:", self.detail_edit)

    def check(self) -> Optional[str]:
        return None if self.title_edit.text().strip() else "A finding needs a title."

    def values(self) -> tuple[str, str, str, Optional[int]]:
        return (self.title_edit.text().strip(), self.severity_combo.currentData(),
                self.detail_edit.toPlainText().strip(), self.version_combo.currentData())


class CloseFindingDialog(_FormDialog):
    """The finding and a required reason (what was remediated)."""

    def __init__(self, finding: Finding, user: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(f"Close finding #{finding.id}", "Close finding", parent)
        self.finding = finding
        what = QLabel(severity_html(finding.severity, f"{_cap(finding.severity)} · {finding.title}"), self)
        what.setTextFormat(Qt.TextFormat.RichText)
        what.setWordWrap(True)
        who = QLabel(f"{html.escape(user.display_name)} ({html.escape(user.login)})" if user else "—", self)
        rule = QLabel("Only a Model Risk Manager (of this model or global) or an Admin closes findings; the "
                      "reason is kept in the audit trail.", self)
        rule.setProperty("role", "muted")
        rule.setWordWrap(True)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setAccessibleName("Reason for closing")
        self.reason_edit.setPlaceholderText("What was remediated? (required)")
        self.form.addRow("Finding:", what)
        self.form.addRow("Closed by:", who)
        self.form.addRow("&Reason:", self.reason_edit)
        self.form.addRow("", rule)

    def reason(self) -> str:
        return " ".join(self.reason_edit.text().split())

    def check(self) -> Optional[str]:
        return None if self.reason() else "Closing a finding needs a reason (what was remediated)."
