"""The "RACI" tab of the model detail and the Admins' template editor (issue 5, "RACI
matrix").

The tab shows the model's *effective* matrix (model override, else its risk tier's,
else the workspace default; :func:`console.services.governance.effective_raci`) resolved
for the model's tier: rows are the nine :class:`~console.domain.governance.LifecycleTask`
values, columns the seven RACI roles, cells the letters; the people filling each role
are in the cell's tooltip and in the side list of the selected task.  Below, the stored
versions of the templates that can govern the model (this model's, its tier's and the
default; :func:`console.services.governance.raci_history`).

Admins edit a template with :class:`RaciEditDialog` (scope default / tier N / this
model; :func:`console.domain.governance.validate_matrix` errors are shown naming the
task; saved with :func:`console.services.governance.save_raci`).  Every database call
runs in a worker (:class:`console.ui.workers.JobRunner`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
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
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.governance import (
    ALIAS_TASK,
    TRANSITION_TASK,
    LifecycleTask,
    MatrixError,
    RaciEntry,
    RaciTemplate,
    Role,
    letters_of,
    validate_matrix,
)
from console.ui import fmt, theme
from console.ui.tablemodel import (
    ALIGN_CENTER,
    Column,
    ObjectTableModel,
    configure_table_view,
)
from console.ui.widgets import busy_bar, error_label

__all__ = [
    "RACI_ROLES",
    "ROLE_SHORT",
    "LETTER_MEANING",
    "RaciData",
    "RaciTableModel",
    "RaciHistoryModel",
    "RaciView",
    "RaciEditDialog",
    "load_raci",
    "cell_text",
    "parse_cell",
]

#: The roles that take RACI letters, in DESIGN.md's column order (Auditor and Admin take none).
RACI_ROLES: tuple[Role, ...] = tuple(r for r in Role if r not in (Role.AUDITOR, Role.ADMIN))
#: Column headers (DESIGN.md's table); the full role name is the header tooltip.
ROLE_SHORT = {
    Role.BUSINESS_OWNER: "Business\nOwner",
    Role.SME: "SME",
    Role.DATA_ENGINEER: "Data\nEngineer",
    Role.DATA_SCIENTIST: "Data\nScientist",
    Role.ML_ENGINEER: "ML Engineer/\nArchitect",
    Role.DEVOPS_ENGINEER: "DevOps\nEngineer",
    Role.MODEL_RISK_MANAGER: "Model Risk\nManager",
}
#: What each letter obliges the role to do (DESIGN.md "Governance defaults").
LETTER_MEANING = {
    "R": "Responsible: submits the approval request",
    "A": "Accountable: signs the approval",
    "C": "Consulted: records a review before the Accountable signs",
    "I": "Informed: notified in the inbox",
    "S": "Signs too: an additional required signature",
}
LEGEND = ("<b>R</b> responsible (submits) · <b>A</b> accountable (signs) · <b>C</b> consulted (reviews) · "
          "<b>I</b> informed (notified) · <b>S</b> signs too · — not involved")


def _governs(task: LifecycleTask) -> str:
    parts = [f"{a.value} → {b.value}" for (a, b), t in TRANSITION_TASK.items() if t == task]
    parts += [f"moving the {alias!r} alias" for alias, t in ALIAS_TASK.items() if t == task]
    return ", ".join(parts)


def scope_text(scope: str) -> str:
    """``default`` → "workspace default"; ``tier:1`` → "tier 1 override"; ``model:5`` →
    "this model's override"."""
    kind, _, n = scope.partition(":")
    return {"default": "workspace default", "tier": f"tier {n} override", "model": "model override"}.get(kind, scope)


# ---------------------------------------------------------------- job functions (workers)
@dataclass(frozen=True)
class RaciData:
    """What the RACI tab shows for one model (loaded by :func:`load_raci`)."""

    model_id: int
    tier: int
    template: RaciTemplate
    entries: tuple[RaciEntry, ...]
    history: tuple[RaciTemplate, ...]  # the model's, its tier's and the default scope's versions, newest first


def load_raci(ws: Any, model_id: int, progress=None, cancel=None) -> RaciData:
    """The effective template and tier of ``model_id``, its resolved cells with people,
    and the history of every scope that can govern it."""
    from console.services import governance

    template, tier = governance.effective_raci(ws, model_id)
    if cancel is not None:
        cancel.check()
    entries = governance.raci_for_model(ws, model_id)
    history: list[RaciTemplate] = []
    for scope in (f"model:{model_id}", f"tier:{tier}", "default"):
        history += governance.raci_history(ws, scope)
    history.sort(key=lambda t: (t.created_at is not None, t.created_at, t.version), reverse=True)
    return RaciData(model_id, tier, template, tuple(entries), tuple(history))


def load_scope_template(ws: Any, scope: str, fallbacks: Sequence[str], progress=None, cancel=None):
    """``(current template of scope or None, the template it would start from)``: the
    first of ``scope`` and ``fallbacks`` that has a stored version."""
    from console.services import governance

    current = governance.current_raci(ws, scope)
    if current is not None:
        return current, current
    for s in fallbacks:
        base = governance.current_raci(ws, s)
        if base is not None:
            return None, base
    return None, None


def save_template(ws: Any, scope: str, matrix: dict, reason: str, by: Any, progress=None, cancel=None):
    from console.services import governance

    return governance.save_raci(ws, scope, matrix, reason, by=by)


# ---------------------------------------------------------------- table models
@dataclass(frozen=True)
class TaskRow:
    task: LifecycleTask
    cells: dict = field(default_factory=dict)  # role value -> RaciEntry


def _people(e: Optional[RaciEntry]) -> str:
    if e is None:
        return ""
    return ", ".join(f"{u.display_name} ({u.login})" for u in e.users) or "nobody holds this role for this model"


def _unfilled(e: Optional[RaciEntry]) -> bool:
    """A cell that obliges someone to act (R, A, C or S) while nobody holds the role."""
    return e is not None and not e.users and bool(set(e.letters.split("/")) & {"R", "A", "C", "S"})


class RaciTableModel(ObjectTableModel):
    """Nine lifecycle tasks × seven roles; cells are letters, tooltips name the people."""

    TASK = 0

    def __init__(self, parent=None) -> None:
        self.columns = (
            Column("Lifecycle task", lambda r: r.task.value, sort_key=lambda r: list(LifecycleTask).index(r.task),
                   tooltip=self._task_tip, font=lambda r: theme.bold(QFont()), width=240),
            *(self._role_column(role) for role in RACI_ROLES),
        )
        super().__init__((), parent)

    def _role_column(self, role: Role) -> Column:
        def entry(r: TaskRow) -> Optional[RaciEntry]:
            return r.cells.get(role.value)

        return Column(
            ROLE_SHORT[role],
            lambda r: entry(r).letters if entry(r) else "—",
            sort_key=lambda r: entry(r).letters if entry(r) else None,
            tooltip=lambda r: self._cell_tip(r, role),
            decoration=lambda r: theme.status_icon("warn") if _unfilled(entry(r)) else None,
            foreground=lambda r: (theme.status_colour("warn") if _unfilled(entry(r))
                                  else None if entry(r) else QColor(theme.TOKENS.text_muted)),
            font=lambda r: theme.bold(QFont()) if entry(r) and set(entry(r).letters.split("/")) & {"R", "A", "S"}
            else None,
            align=ALIGN_CENTER, header_tip=role.value, width=96,
        )

    @staticmethod
    def _task_tip(r: TaskRow) -> str:
        gov = _governs(r.task)
        return r.task.value + (f"\nGoverns the approval of {gov}" if gov else "")

    @staticmethod
    def _cell_tip(r: TaskRow, role: Role) -> str:
        e = r.cells.get(role.value)
        if e is None:
            return f"{r.task.value} — {role.value}: not involved"
        lines = [f"{r.task.value} — {role.value}: {e.letters}"]
        lines += [f"  {x} = {LETTER_MEANING[x]}" for x in e.letters.split("/") if x in LETTER_MEANING]
        if e.users:
            lines.append("People: " + _people(e))
        else:
            lines.append("Nobody holds this role for this model" + (
                " — assign it before an approval needs them" if _unfilled(e) else ""))
        return "\n".join(lines)

    def set_entries(self, entries: Sequence[RaciEntry]) -> None:
        by_task: dict[LifecycleTask, dict] = {t: {} for t in LifecycleTask}
        for e in entries:
            by_task.setdefault(e.task, {})[e.role.value] = e
        self.set_rows([TaskRow(t, by_task.get(t, {})) for t in LifecycleTask])

    def row_key(self, obj: Any) -> Any:
        return obj.task

    def row_of(self, task: LifecycleTask) -> int:
        return self.find_row(task)

    @staticmethod
    def column_of(role: Role) -> int:
        return 1 + RACI_ROLES.index(role)


class RaciHistoryModel(ObjectTableModel):
    """Stored template versions (newest first)."""

    columns = (
        Column("Scope", lambda t: t.scope, tooltip=lambda t: scope_text(t.scope), width=90),
        Column("Version", lambda t: f"v{t.version}", sort_key=lambda t: t.version, align=ALIGN_CENTER, width=64),
        Column("Saved (UTC)", lambda t: fmt.datetime_utc(t.created_at, suffix=False), sort_key=lambda t: t.created_at,
               width=130),
        Column("By", lambda t: t.created_by, width=90),
        Column("Reason", lambda t: t.reason or "", tooltip=lambda t: t.reason or None, width=300),
    )

    def row_key(self, obj: Any) -> Any:
        return (obj.scope, obj.version)


# ---------------------------------------------------------------- the tab
def _error_html(text: str) -> str:
    return (f"<span style='color:{theme.TOKENS.bad}'>{theme.status_glyph('fail')}</span> "
            f"{html.escape(text)}")


class RaciView(QWidget):
    """The RACI tab.  :meth:`bind` gives it the workspace and job runner, :meth:`set_user`
    the signed-in user (Admins get "Edit template…"), :meth:`set_model` the model (a
    ``ModelSummary``; loaded when the tab is visible).  Signals: ``loaded(object)`` with
    the :class:`RaciData`, ``failed(str)``, ``saved(object)`` after an Admin's edit."""

    loaded = Signal(object)
    failed = Signal(str)
    saved = Signal(object)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ws: Any = None
        self.runner: Any = None
        self.user: Any = None
        self.summary: Any = None
        self.data: Optional[RaciData] = None
        self.editor: Optional[RaciEditDialog] = None
        self._dirty = False
        self._req = 0
        self._job: Any = None

        self.scope_label = QLabel(self)
        self.scope_label.setProperty("role", "section")
        self.scope_label.setAccessibleName("RACI template in effect")
        self.scope_label.setTextFormat(Qt.TextFormat.RichText)
        self.busy = busy_bar(self, "Loading the RACI matrix", height=10, max_width=120)
        self.busy.hide()
        self.edit_button = QPushButton("Edit template…", self)
        self.edit_button.setAccessibleName("Edit a RACI template")
        self.edit_button.clicked.connect(self.edit_template)
        self.legend = QLabel(LEGEND, self)
        self.legend.setProperty("role", "muted")
        self.legend.setWordWrap(True)
        self.legend.setAccessibleName("Legend of the RACI letters")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setAccessibleName("RACI message")
        self.message.hide()

        self.model = RaciTableModel(self)
        self.table = QTableView(self)
        configure_table_view(self.table, self.model, "RACI matrix: lifecycle tasks by role")
        self.table.setSortingEnabled(False)  # the task order is the lifecycle order
        hh = self.table.horizontalHeader()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(RaciTableModel.TASK, QHeaderView.ResizeMode.ResizeToContents)
        for c in range(1, self.model.columnCount()):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
        hh.setMinimumSectionSize(80)
        # all nine tasks visible without scrolling (two-line header + 9 fixed-height rows)
        self.table.setMinimumHeight(hh.sizeHint().height() + 9 * self.table.verticalHeader().defaultSectionSize()
                                    + 2 * self.table.frameWidth() + 2)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show_task(cur.row()))

        self.people = QLabel(self)
        self.people.setTextFormat(Qt.TextFormat.RichText)
        self.people.setWordWrap(True)
        self.people.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.people.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.people.setAccessibleName("People of the selected task")
        side = QFrame(self)
        side.setProperty("role", "card")
        sl = QVBoxLayout(side)
        sl.setContentsMargins(12, 8, 4, 6)
        st = QLabel("People in the selected task", side)
        st.setProperty("role", "section")
        sl.addWidget(st)
        scroll = QScrollArea(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.people)
        scroll.setMinimumWidth(250)
        sl.addWidget(scroll, 1)

        self.history_model = RaciHistoryModel(parent=self)
        self.history = QTableView(self)
        configure_table_view(self.history, self.history_model, "Versions of the RACI templates")
        self.history.setSortingEnabled(False)
        hist = QWidget(self)
        hl = QVBoxLayout(hist)
        hl.setContentsMargins(0, 4, 0, 0)
        hl.setSpacing(2)
        self.history_title = QLabel("Template versions", hist)
        self.history_title.setProperty("role", "section")
        hl.addWidget(self.history_title)
        self.history.setMinimumHeight(60)
        hl.addWidget(self.history, 1)

        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.addWidget(self.table)
        top.addWidget(side)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 1)
        top.setSizes([980, 290])
        top.setChildrenCollapsible(False)
        body = QSplitter(Qt.Orientation.Vertical, self)
        body.addWidget(top)
        body.addWidget(hist)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 1)
        body.setSizes([330, 90])
        body.setChildrenCollapsible(False)

        head = QHBoxLayout()
        head.addWidget(self.scope_label)
        head.addSpacing(8)
        head.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addStretch(1)
        head.addWidget(self.edit_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 6, 4, 4)
        lay.setSpacing(4)
        lay.addLayout(head)
        lay.addWidget(self.legend)
        lay.addWidget(self.message)
        lay.addWidget(body, 1)
        self._update_buttons()

    # ------------------------------------------------------------------ inputs
    def bind(self, ws: Any, runner: Any) -> None:
        self.ws, self.runner = ws, runner
        self.data = None
        self._dirty = True
        self._load_if_visible()

    def set_user(self, user: Any) -> None:
        self.user = user
        self._update_buttons()

    def set_model(self, summary: Any) -> None:
        """Show ``summary``'s model (reloaded if another model, tier or a forced reload)."""
        same = (self.summary is not None and summary is not None and self.summary.id == summary.id
                and self.summary.risk_tier == summary.risk_tier and self.data is not None)
        self.summary = summary
        if not same:
            self._dirty = True
            self._load_if_visible()
        self._update_buttons()

    def reload(self) -> None:
        self._dirty = True
        self._load_if_visible()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._load_if_visible()

    # ------------------------------------------------------------------ loading
    def _load_if_visible(self) -> None:
        if self._dirty and self.isVisible() and self.ws is not None and self.runner is not None \
                and self.summary is not None:
            self.load()

    def load(self) -> None:
        """Read the model's effective matrix in a worker (a newer request wins)."""
        if self.ws is None or self.runner is None or self.summary is None:
            return
        self._dirty = False
        if self._job is not None:
            self._job.cancel()
        self._req += 1
        req, mid = self._req, self.summary.id
        self.busy.show()
        self._job = self.runner.submit(
            load_raci, self.ws, mid, title="Reading the RACI matrix",
            on_result=lambda d, r=req: self._on_loaded(r, d),
            on_error=lambda m, _d, r=req: self._on_error(r, m),
            on_finished=lambda r=req: self._on_finished(r),
        )

    def _on_finished(self, req: int) -> None:
        if req == self._req:
            self._job = None
            self.busy.hide()

    def _on_loaded(self, req: int, d: RaciData) -> None:
        if req != self._req:
            return
        self.data = d
        t = d.template
        self.scope_label.setText(
            f"Risk tier {d.tier} · template <b>{html.escape(t.scope)} v{t.version}</b> "
            f"<span style='color:{theme.TOKENS.text_muted}; font-weight:normal'>({scope_text(t.scope)}, saved "
            f"{html.escape(fmt.datetime_utc(t.created_at))} by {html.escape(t.created_by)})</span>")
        self.scope_label.setToolTip(f"Reason of this version: {t.reason}" if t.reason else "")
        self.message.hide()
        keep = self.table.currentIndex()
        self.model.set_entries(d.entries)
        self.history_model.set_rows(d.history)
        self.history_title.setText(f"Template versions that can govern this model ({len(d.history)}: this model's, "
                                   f"tier {d.tier}'s and the default; the newest of the most specific applies)")
        row = keep.row() if keep.isValid() else self.model.row_of(LifecycleTask.MODEL_VALIDATION)
        self.table.selectRow(max(0, row))
        self._show_task(max(0, row))
        self._update_buttons()
        self.loaded.emit(d)

    def _on_error(self, req: int, message: str) -> None:
        if req != self._req:
            return
        self.message.setText(_error_html(f"The RACI matrix could not be read: {message}"))
        self.message.show()
        self.failed.emit(message)

    def _show_task(self, row: int) -> None:
        r: Optional[TaskRow] = self.model.row_object(row)
        if r is None:
            self.people.setText("")
            return
        muted = theme.TOKENS.text_muted
        parts = [f"<b>{html.escape(r.task.value)}</b>"]
        gov = _governs(r.task)
        if gov:
            parts.append(f"<span style='color:{muted}'>Governs {html.escape(gov)}</span>")
        items = []
        for role in RACI_ROLES:
            e = r.cells.get(role.value)
            if e is None:
                continue
            who = (", ".join(html.escape(u.display_name) for u in e.users) if e.users
                   else f"<span style='color:{theme.TOKENS.warn}'>{theme.status_glyph('warn')} nobody</span>")
            items.append(f"<tr><td style='padding-right:8px'><b>{e.letters}</b></td>"
                         f"<td>{html.escape(role.value)}: <span style='color:{muted}'>{who}</span></td></tr>")
        parts.append("<table cellspacing='0' cellpadding='1'>" + "".join(items) + "</table>")
        self.people.setText("<br>".join(parts))

    # ------------------------------------------------------------------ editing
    def _is_admin(self) -> bool:
        return self.user is not None and self.user.has_role(Role.ADMIN)

    def _update_buttons(self) -> None:
        ok = self._is_admin() and self.data is not None and self.ws is not None
        self.edit_button.setEnabled(ok)
        if self.user is None:
            tip = "Sign in as an Admin to edit RACI templates"
        elif not self._is_admin():
            tip = f"Only an Admin edits RACI templates; {self.user.display_name} is not one"
        else:
            tip = "Edit the workspace default, a tier's or this model's template (saved as a new version, audited)"
        self.edit_button.setToolTip(tip)

    def edit_template(self) -> Optional["RaciEditDialog"]:
        """Open the template editor (Admins only); reload after a save."""
        if not self._is_admin() or self.data is None or self.summary is None:
            return None
        if self.editor is not None:
            self.editor.close()
            self.editor.deleteLater()
        dlg = RaciEditDialog(self.ws, self.runner, self.user, self.summary, self.data, self)
        dlg.saved.connect(self._on_saved)
        self.editor = dlg
        dlg.open()
        return dlg

    def _on_saved(self, template: RaciTemplate) -> None:
        self.saved.emit(template)
        self.reload()


# ---------------------------------------------------------------- the editor
def cell_text(cell: Any) -> str:
    """A stored cell as editable text: ``"R/A"``; tier-dependent ``"1:A 2:A 3:C"``."""
    if isinstance(cell, dict):
        return " ".join(f"{k}:{v}" for k, v in sorted(cell.items(), key=lambda kv: str(kv[0])))
    return str(cell or "")


_TIER_PART = re.compile(r"^([123]):([A-Za-z/]*)$")


def parse_cell(text: str) -> Any:
    """Inverse of :func:`cell_text`; raises :class:`MatrixError` for a malformed cell."""
    t = " ".join(str(text or "").replace(",", " ").replace(";", " ").split())
    if t in ("", "-", "—"):
        return ""
    if ":" not in t:
        letters = letters_of(t.upper())
        return "/".join(x for x in ("R", "A", "C", "I", "S") if x in letters)
    out: dict[str, str] = {}
    for part in t.split(" "):
        m = _TIER_PART.match(part)
        if not m:
            raise MatrixError(f"{part!r} is not TIER:LETTERS (e.g. '1:A 2:A 3:C')")
        letters = letters_of(m.group(2).upper()) if m.group(2) else frozenset()
        out[m.group(1)] = "/".join(x for x in ("R", "A", "C", "I", "S") if x in letters)
    return out


class RaciEditDialog(QDialog):
    """Edit one RACI template scope as a grid of letter cells (Admins only).

    Cells: letters joined by ``/`` (``R/A``), empty for no involvement, or per tier
    ``1:A 2:A 3:C``.  Save checks the matrix (:func:`validate_matrix`: exactly one
    Accountable and at least one Responsible per task, for every tier) and shows the
    first error naming the task; a reason is required.  Signals ``saved(object)`` (the
    new :class:`RaciTemplate`) and ``failed(str)``.
    """

    saved = Signal(object)
    failed = Signal(str)

    def __init__(self, ws: Any, runner: Any, user: Any, summary: Any, data: RaciData,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ws, self.runner, self.user, self.summary, self.data = ws, runner, user, summary, data
        self.setWindowTitle(f"Edit RACI template — {summary.name}")
        self.setAccessibleName("Edit RACI template")
        self.setMinimumSize(900, 520)
        self.resize(1080, 600)
        self._job: Any = None
        self._req = 0
        self.base: Optional[RaciTemplate] = None
        self.current: Optional[RaciTemplate] = None

        self.scope_combo = QComboBox(self)
        self.scope_combo.setAccessibleName("Template scope")
        self.scope_combo.addItem("Workspace default (every model without an override)", "default")
        for t in (1, 2, 3):
            self.scope_combo.addItem(f"Tier {t} models" + (" (this model's tier)" if t == data.tier else ""),
                                     f"tier:{t}")
        self.scope_combo.addItem(f"This model only ({summary.name})", f"model:{summary.id}")
        i = self.scope_combo.findData(data.template.scope)
        self.scope_combo.setCurrentIndex(max(0, i))
        self.scope_combo.currentIndexChanged.connect(lambda _i: self.load_scope())
        self.scope_info = QLabel(self)
        self.scope_info.setProperty("role", "muted")
        self.scope_info.setWordWrap(True)
        self.scope_info.setAccessibleName("Scope version")

        self.grid = QTableWidget(len(LifecycleTask), len(RACI_ROLES), self)
        self.grid.setAccessibleName("RACI cells: letters R, A, C, I, S joined by '/', or per tier '1:A 2:A 3:C'")
        self.grid.setHorizontalHeaderLabels([ROLE_SHORT[r] for r in RACI_ROLES])
        self.grid.verticalHeader().setMinimumWidth(250)
        self.grid.setVerticalHeaderLabels([t.value for t in LifecycleTask])
        for c, role in enumerate(RACI_ROLES):
            self.grid.horizontalHeaderItem(c).setToolTip(role.value)
        hh = self.grid.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.grid.verticalHeader().setDefaultSectionSize(28)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        help_ = QLabel("Type letters joined by “/” (R/A), leave empty for no involvement, or give them per "
                       "risk tier as “1:A 2:A 3:C”. Every task needs exactly one A and at least one R, in every "
                       "tier.", self)
        help_.setProperty("role", "muted")
        help_.setWordWrap(True)

        self.reason_edit = QLineEdit(self)
        self.reason_edit.setAccessibleName("Reason for the change")
        self.reason_edit.setPlaceholderText("Why is the template changed? (required; kept in the audit trail)")
        self.error = error_label(self)
        self.busy = busy_bar(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save new version")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        form = QHBoxLayout()
        lab = QLabel("&Scope:", self)
        lab.setBuddy(self.scope_combo)
        form.addWidget(lab)
        form.addWidget(self.scope_combo, 1)
        rl = QHBoxLayout()
        rlab = QLabel("&Reason:", self)
        rlab.setBuddy(self.reason_edit)
        rl.addWidget(rlab)
        rl.addWidget(self.reason_edit, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.scope_info)
        lay.addWidget(self.grid, 1)
        lay.addWidget(help_)
        lay.addLayout(rl)
        lay.addWidget(self.error)
        lay.addWidget(self.busy)
        lay.addWidget(self.buttons)
        self.load_scope()

    # -- loading a scope
    def scope(self) -> str:
        return self.scope_combo.currentData()

    def _fallbacks(self, scope: str) -> list[str]:
        kind = scope.partition(":")[0]
        if kind == "model":
            return [f"tier:{self.data.tier}", "default"]
        if kind == "tier":
            return ["default"]
        return []

    def load_scope(self) -> None:
        scope = self.scope()
        self._req += 1
        req = self._req
        self._set_busy(True)
        self.scope_info.setText("Reading the template…")
        self._job = self.runner.submit(
            load_scope_template, self.ws, scope, self._fallbacks(scope), title="Reading a RACI template",
            on_result=lambda res, r=req: self._on_scope(r, res),
            on_error=lambda m, _d, r=req: self._show_error(m) if r == self._req else None,
            on_finished=lambda r=req: self._set_busy(False) if r == self._req else None,
        )

    def _on_scope(self, req: int, res: tuple) -> None:
        if req != self._req:
            return
        self.current, self.base = res
        if self.current is not None:
            self.scope_info.setText(f"{self.scope()} is at v{self.current.version} (saved "
                                    f"{fmt.datetime_utc(self.current.created_at)} by {self.current.created_by}); "
                                    f"saving makes v{self.current.version + 1}.")
        elif self.base is not None:
            self.scope_info.setText(f"{self.scope()} has no override yet: the cells start from {self.base.scope} "
                                    f"v{self.base.version}; saving creates {self.scope()} v1.")
        self.set_matrix(self.base.matrix if self.base is not None else {})
        self.error.hide()

    def set_matrix(self, matrix: dict) -> None:
        for r, task in enumerate(LifecycleTask):
            row = matrix.get(task.value, {})
            for c, role in enumerate(RACI_ROLES):
                item = QTableWidgetItem(cell_text(row.get(role.value, "")))
                item.setTextAlignment(ALIGN_CENTER)
                item.setToolTip(f"{task.value} — {role.value}")
                self.grid.setItem(r, c, item)

    def set_cell(self, task: LifecycleTask, role: Role, text: str) -> None:
        self.grid.item(list(LifecycleTask).index(task), RACI_ROLES.index(role)).setText(text)

    def matrix(self) -> dict:
        """The grid as a template matrix; raises :class:`MatrixError` naming the task and
        role of a malformed cell."""
        out: dict[str, dict] = {}
        for r, task in enumerate(LifecycleTask):
            row: dict[str, Any] = {}
            for c, role in enumerate(RACI_ROLES):
                item = self.grid.item(r, c)
                try:
                    cell = parse_cell(item.text() if item is not None else "")
                except MatrixError as exc:
                    raise MatrixError(f"task {task.value!r}, role {role.value!r}: {exc}") from None
                if cell:
                    row[role.value] = cell
            out[task.value] = row
        return out

    # -- saving
    def save(self) -> None:
        try:
            matrix = self.matrix()
            validate_matrix(matrix)
        except MatrixError as exc:
            self._show_error(f"Not saved: {exc}")
            self._select_task(str(exc))
            return
        reason = " ".join(self.reason_edit.text().split())
        if not reason:
            self._show_error("Not saved: a RACI change needs a reason (it is kept in the audit trail).")
            self.reason_edit.setFocus()
            return
        self._set_busy(True)
        self.error.hide()
        self._job = self.runner.submit(
            save_template, self.ws, self.scope(), matrix, reason, self.user, title="Saving the RACI template",
            serial=True, on_result=self._on_saved, on_error=lambda m, _d: self._show_error(f"Not saved: {m}"),
            on_finished=lambda: self._set_busy(False),
        )

    def _on_saved(self, template: RaciTemplate) -> None:
        self.saved.emit(template)
        self.accept()

    def _select_task(self, message: str) -> None:
        for r, task in enumerate(LifecycleTask):
            if repr(task.value) in message:
                self.grid.setCurrentCell(r, 0)
                self.grid.scrollToItem(self.grid.item(r, 0))
                return

    def _show_error(self, message: str) -> None:
        self._set_busy(False)  # before ``failed``: the user may try again at once
        self.error.setText(_error_html(message))
        self.error.show()
        self.failed.emit(message)

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.save_button.setEnabled(not busy)
        self.scope_combo.setEnabled(not busy)
