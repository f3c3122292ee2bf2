"""The approvals view (issue 5, "Approval requests and queues"): the signed-in user's
queue, the team's open requests and every request, with a detail pane showing what is
asked, the required signatures, the electronic signatures given (21 CFR Part 11
manifestations, verified) and the gates as they stand now.

From the detail pane the user reviews, approves or rejects (:class:`console.ui.signing.
SigningDialog`, which re-authenticates) or withdraws a request.  The buttons are enabled
from what the user may do (:func:`allowed_actions`, mirroring the rules of
:func:`console.services.approvals.sign`: segregation of duties, the role of an open
slot, reviews before approvals); a disabled button says why, in its tooltip and under
the buttons.  Gates are not pre-checked: they are shown, and the service checks them at
the moment of signing (a blocked gate is refused with its name).

Everything that reads or writes the workspace runs in workers (:mod:`console.ui.workers`)
with progress and Cancel; stale results (a newer load, another selection) are dropped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional, Sequence

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.approvals import (
    RULE_REVIEW_FIRST,
    SOD_AUTHOR,
    SOD_ONE_SIGNATURE,
    SOD_SUBMITTER,
    ApprovalRequest,
    Meaning,
    RequestState,
)
from console.domain.governance import TIER_POLICIES, Role
from console.ui import theme
from console.ui.tablemodel import ALIGN_RIGHT, Column, ObjectTableModel, select_row
from console.ui.workers import Job, JobRunner

__all__ = [
    "ApprovalsSnapshot",
    "ApprovalsView",
    "RequestDetail",
    "RequestDetailPane",
    "allowed_actions",
    "badge_icon",
    "load_approvals",
    "load_queue",
    "load_request_detail",
]

SIGN_IN_FIRST = "Sign in first (File → Sign out / switch user…): a signature is given by a signed-in user"


# ---------------------------------------------------------------- job functions (workers)
@dataclass(frozen=True)
class ApprovalsSnapshot:
    """What the three tabs show: ``queue`` (QueueItem, oldest first) for ``user``,
    ``requests`` every request (newest first)."""

    queue: list[Any]
    requests: list[ApprovalRequest]
    user_login: Optional[str] = None


@dataclass(frozen=True)
class RequestDetail:
    """One request with its gates as they stand now (empty for a closed request) and
    the author of the version (``created_by``; segregation of duties)."""

    request: ApprovalRequest
    gates: list[Any] = field(default_factory=list)
    author: Optional[str] = None


def load_queue(ws: Any, user: Any, progress=None, cancel=None) -> list[Any]:
    """The :class:`console.services.approvals.QueueItem` list waiting for ``user``."""
    from console.services import approvals

    if user is None:
        return []
    return approvals.my_queue(ws, user)


def load_approvals(ws: Any, user: Any, progress=None, cancel=None) -> ApprovalsSnapshot:
    """Every request and ``user``'s queue (None: no queue)."""
    from console.jobs import checkpoint, report
    from console.services import approvals

    report(progress, 0.1, "Reading the approval requests")
    requests = approvals.list_requests(ws, state=None)
    checkpoint(cancel)
    report(progress, 0.5, "Finding what waits for you")
    queue = approvals.my_queue(ws, user) if user is not None else []
    report(progress, 1.0, "")
    return ApprovalsSnapshot(queue, requests, getattr(user, "login", None))


def load_request_detail(ws: Any, request_id: int, progress=None, cancel=None) -> RequestDetail:
    """The request (signatures verified), its gates now (open requests) and the author
    of its version."""
    from console.jobs import checkpoint, report
    from console.services import approvals

    report(progress, 0.1, "Reading the request")
    req = approvals.get_request(ws, request_id)
    checkpoint(cancel)
    gates: list[Any] = []
    if req.state == RequestState.OPEN:
        report(progress, 0.4, "Evaluating the gates")
        gates = approvals.evaluate_gates(ws, req)
    checkpoint(cancel)
    author = getattr(req, "version_author", None)
    if author is None:
        detail = ws.get_model(req.model_id)
        author = next((v.created_by for v in detail.versions if v.version == req.version), None)
    report(progress, 1.0, "")
    return RequestDetail(req, gates, author)


# ---------------------------------------------------------------- rules for the buttons
def allowed_actions(req: ApprovalRequest, user: Any, author: Optional[str]) -> dict[str, str]:
    """What ``user`` may do with ``req``: ``{"reviewed"|"approved"|"rejected"|"withdraw":
    ""}`` when allowed, else the reason (the rule named, as the service words it).

    Mirrors :func:`console.services.approvals.sign` and ``withdraw`` without the gates
    (checked by the service at signing time).  The service stays the authority: a
    stale prediction is refused there with the same rule.
    """
    keys = ("reviewed", "approved", "rejected", "withdraw")
    if user is None:
        return {k: SIGN_IN_FIRST for k in keys}
    if req.state != RequestState.OPEN:
        closed = f"request #{req.id} is {req.state.value}; there is nothing left to sign"
        return {k: closed for k in keys}
    out: dict[str, str] = {}
    if user.login == req.submitted_by or user.has_role(Role.ADMIN):
        out["withdraw"] = ""
    else:
        out["withdraw"] = f"only the submitter ({req.submitted_by}) or an Admin withdraws request #{req.id}"
    sod = ""
    if user.login == req.submitted_by:
        sod = SOD_SUBMITTER
    elif author is not None and author in (user.login, user.display_name):
        sod = f"{SOD_AUTHOR} ({user.login} authored v{req.version})"
    elif any(s.login == user.login and s.meaning != Meaning.AUTHORED for s in req.signatures):
        sod = SOD_ONE_SIGNATURE
    if sod:
        out.update({k: sod for k in ("reviewed", "approved", "rejected")})
        return out
    open_slots = req.open_slots()
    eligible = [s for s in open_slots if user.has_role(s.role, req.model_id)]
    held = ", ".join(sorted({a.role.value for a in user.roles})) or "no role"

    def no_slot(kind: str) -> str:
        pending = [s for s in open_slots if kind == "any" or s.kind == kind]
        noun = "signature" if kind == "any" else kind
        if not pending:
            return f"request #{req.id} has no pending {noun}s left"
        roles = ", ".join(sorted({s.role.value for s in pending}))
        return f"the pending {noun}s of request #{req.id} need the role(s) {roles}; {user.login} holds {held}"

    out["reviewed"] = "" if any(s.kind == "review" for s in eligible) else no_slot("review")
    if not any(s.kind == "approval" for s in eligible):
        out["approved"] = no_slot("approval")
    elif not req.reviews_done():
        missing = ", ".join(s.role.value for s in open_slots if s.kind == "review")
        out["approved"] = f"{RULE_REVIEW_FIRST}; missing review(s) by {missing}"
    else:
        out["approved"] = ""
    out["rejected"] = "" if eligible else no_slot("any")
    return out


# ---------------------------------------------------------------- formatting
def utc(t: Optional[datetime]) -> str:
    if t is None:
        return "—"
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def utc_seconds(t: Optional[datetime]) -> str:
    if t is None:
        return "—"
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def due_text(req: ApprovalRequest, now: Optional[datetime] = None) -> str:
    """``"2026-12-07 18:30 UTC"``, with ``" — OVERDUE"`` after the due date (open only)."""
    return utc(req.due_at) + (" — OVERDUE" if req.is_overdue(now) else "")


def due_tip(req: ApprovalRequest) -> str:
    pol = TIER_POLICIES.get(req.risk_tier)
    sla = f"tier-{req.risk_tier} approval SLA: {pol.approval_sla_business_days} business days" if pol else ""
    if req.is_overdue():
        late = (datetime.now(timezone.utc) - req.due_at).total_seconds() / 86400
        return f"OVERDUE by {late:.1f} days ({sla}); expires {utc(req.expires_at)}"
    return f"Due by the {sla}; expires undecided {utc(req.expires_at)}"


def state_status(state: RequestState) -> str:
    """The theme status word whose glyph marks a request state."""
    return {RequestState.APPROVED: "pass", RequestState.REJECTED: "fail", RequestState.OPEN: "warning",
            RequestState.WITHDRAWN: "skipped", RequestState.EXPIRED: "skipped"}[state]


def _overdue_icon(req: ApprovalRequest) -> Optional[QIcon]:
    return theme.status_icon("fail") if req.is_overdue() else None


def _overdue_colour(req: ApprovalRequest) -> Optional[QColor]:
    return QColor(theme.TOKENS.bad) if req.is_overdue() else None


def mono_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


# ---------------------------------------------------------------- table models
def _req_columns(get) -> list[Column]:
    """Columns shared by the queue (``get`` = item.request) and the request tables."""
    return [
        Column("#", lambda x: f"#{get(x).id}", sort_key=lambda x: get(x).id, align=ALIGN_RIGHT, width=52,
               header_tip="Request number"),
        Column("Model", lambda x: get(x).model_name, width=270, tooltip=lambda x: get(x).model_name),
        Column("Version", lambda x: f"v{get(x).version}", sort_key=lambda x: get(x).version, width=66),
        Column("Tier", lambda x: str(get(x).risk_tier), align=ALIGN_RIGHT, width=44,
               header_tip="Risk tier (1 highest): sets the signatures, the SLA and the blocking checks"),
        Column("Asked", lambda x: get(x).asked, width=200, tooltip=lambda x: f"{get(x).task.value}: {get(x).asked}"),
    ]


def _age_col(get) -> Column:
    return Column("Age", lambda x: f"{get(x).age_days():.1f} d", sort_key=lambda x: get(x).submitted_at,
                  align=ALIGN_RIGHT, width=64, header_tip="Days since submission")


def _due_col(get) -> Column:
    return Column("Due (UTC)", lambda x: due_text(get(x)), sort_key=lambda x: get(x).due_at, width=220,
                  decoration=lambda x: _overdue_icon(get(x)), foreground=lambda x: _overdue_colour(get(x)),
                  tooltip=lambda x: due_tip(get(x)),
                  header_tip="Due date by the tier's approval SLA (business days); OVERDUE after it")


class QueueModel(ObjectTableModel):
    """Rows: :class:`console.services.approvals.QueueItem` (the signed-in user's queue)."""

    def __init__(self, rows: Sequence[Any] = (), parent=None) -> None:
        get = (lambda i: i.request)
        self.columns = (
            *_req_columns(get),
            Column("Your action", self._action, width=390, tooltip=self._action_tip,
                   decoration=lambda i: theme.status_icon("warning") if not i.ready else None,
                   header_tip="What you are asked to sign, in which role"),
            _age_col(get),
            _due_col(get),
        )
        super().__init__(rows, parent)

    @staticmethod
    def _action(i: Any) -> str:
        text = f"{i.action} as {i.role.value}"
        return text if i.ready else f"{text} (after {i.waiting_for})"

    @staticmethod
    def _action_tip(i: Any) -> str:
        if i.ready:
            return f"You can {i.action} this request now, as {i.role.value}."
        return f"Waiting: {RULE_REVIEW_FIRST}; still missing {i.waiting_for}."

    def row_key(self, obj: Any) -> Any:
        return obj.request.id


class RequestModel(ObjectTableModel):
    """Rows: :class:`ApprovalRequest` (team / all tabs)."""

    def __init__(self, rows: Sequence[Any] = (), parent=None) -> None:
        get = (lambda r: r)
        self.columns = (
            *_req_columns(get),
            Column("State", lambda r: r.state.value, width=92,
                   decoration=lambda r: theme.status_icon(state_status(r.state)),
                   tooltip=lambda r: r.close_reason if r.close_reason else None),
            Column("Signed", lambda r: f"{len(r.filled())}/{len(r.slots)}", sort_key=lambda r: len(r.filled()),
                   align=ALIGN_RIGHT, width=62, header_tip="Required signatures given / required"),
            Column("Waiting for", lambda r: ", ".join(s.role.value for s in r.open_slots())
                   if r.state == RequestState.OPEN else "—", width=220),
            Column("Submitted by", lambda r: r.submitted_by_name, width=150, tooltip=lambda r: r.submitted_by),
            _age_col(get),
            _due_col(get),
        )
        super().__init__(rows, parent)


class SlotModel(ObjectTableModel):
    """Rows: ``(slot, signature or None)`` of a request's required signatures."""

    columns = (
        Column("Slot", lambda x: str(x[0].index), align=ALIGN_RIGHT, width=42),
        Column("Kind", lambda x: x[0].kind, width=70),
        Column("Role", lambda x: x[0].role.value, width=160, tooltip=lambda x: x[0].why),
        Column("Status", lambda x: "pending" if x[1] is None else
               f"{x[1].meaning.value} by {x[1].printed_name}, {utc(x[1].signed_at)}", width=350,
               decoration=lambda x: theme.status_icon("pass" if x[1] is not None else "none"),
               tooltip=lambda x: None if x[1] is None else f"{x[1].printed_name} ({x[1].login}) signed "
               f"{x[1].meaning.value} at {utc_seconds(x[1].signed_at)}: {x[1].reason}"),
        Column("Why", lambda x: x[0].why, width=200),
    )

    def row_key(self, obj: Any) -> Any:
        return obj[0].index


def _short(h: str) -> str:
    return h[:12] + "…" if h else "—"


class SignatureModel(ObjectTableModel):
    """Rows: :class:`console.domain.approvals.Signature` (21 CFR 11.50 manifestations)."""

    columns = (
        Column("#", lambda s: str(s.seq), align=ALIGN_RIGHT, width=32),
        Column("Printed name", lambda s: s.printed_name, width=130, tooltip=lambda s: f"login {s.login}"),
        Column("When (UTC)", lambda s: utc_seconds(s.signed_at)[:-4], sort_key=lambda s: s.signed_at, width=150,
               tooltip=lambda s: utc_seconds(s.signed_at)),
        Column("Meaning", lambda s: s.meaning.value, width=96,
               decoration=lambda s: theme.status_icon("pass") if s.meaning == Meaning.APPROVED else (
                   theme.status_icon("fail") if s.meaning == Meaning.REJECTED else None)),
        Column("Role", lambda s: s.role or "submitter", width=124),
        Column("Reason", lambda s: s.reason, width=140, tooltip=lambda s: s.reason),
        Column("Record SHA-256", lambda s: _short(s.record_sha256), width=118,
               tooltip=lambda s: s.record_sha256,
               font=lambda s: mono_font()),
        Column("Seal", lambda s: _short(s.signature_sha256), tooltip=lambda s: s.signature_sha256,
               font=lambda s: mono_font()),
    )

    def row_key(self, obj: Any) -> Any:
        return obj.seq


def _gate_status(g: Any) -> str:
    return "n/a" if g.ok is None else ("ok" if g.ok else "BLOCKED")


class GateModel(ObjectTableModel):
    """Rows: :class:`console.services.approvals.GateResult`."""

    columns = (
        Column("Gate", lambda g: g.gate, width=90),
        Column("Now", _gate_status, width=92,
               decoration=lambda g: theme.status_icon("skipped" if g.ok is None else ("pass" if g.ok else "fail")),
               foreground=lambda g: QColor(theme.TOKENS.bad) if g.ok is False else None),
        Column("Detail", lambda g: g.detail, tooltip=lambda g: g.detail),
    )

    def row_key(self, obj: Any) -> Any:
        return obj.gate


# ---------------------------------------------------------------- widgets
def _table(model: ObjectTableModel, name: str, parent: QWidget, rows: int = 0) -> QTableView:
    from console.ui.detail import make_table

    view = make_table(model, name, parent)
    if rows:
        h = view.horizontalHeader().sizeHint().height() + 26 * rows + 4
        view.setMinimumHeight(h)
        view.setMaximumHeight(h + 26)
    return view


def _section(text: str, parent: QWidget) -> QLabel:
    lab = QLabel(text, parent)
    lab.setProperty("role", "section")
    return lab


def _value(parent: QWidget, name: str) -> QLabel:
    lab = QLabel(parent)
    lab.setWordWrap(True)
    lab.setAccessibleName(name)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lab.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return lab


class RequestDetailPane(QWidget):
    """The selected request: facts, sign/withdraw buttons, required signatures,
    signatures (with their verification) and gates.  ``actionRequested(str)`` with
    ``reviewed`` / ``approved`` / ``rejected`` / ``withdraw``."""

    actionRequested = Signal(str)

    BUTTONS = (("reviewed", "Re&view…", "Record your review (a 'reviewed' signature)"),
               ("approved", "&Approve…", "Approve the request (an 'approved' signature)"),
               ("rejected", "Re&ject…", "Reject the request (a 'rejected' signature, with a reason)"),
               ("withdraw", "&Withdraw…", "Withdraw the request (its submitter or an Admin)"))

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.detail: Optional[RequestDetail] = None
        self.allowed: dict[str, str] = {}

        self.title = QLabel(self)
        self.title.setProperty("role", "title")
        self.title.setAccessibleName("Request")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel(self)
        self.subtitle.setProperty("role", "subtitle")
        self.subtitle.setTextFormat(Qt.TextFormat.RichText)
        self.subtitle.setAccessibleName("Request state")

        # -- facts (left)
        facts = QFrame(self)
        facts.setProperty("role", "card")
        form = QFormLayout(facts)
        form.setContentsMargins(12, 10, 12, 10)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(5)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, Any] = {}  # QLabel, the record hash a read-only QLineEdit
        for key, label in (("asked", "Asked"), ("task", "Task"), ("tier", "Risk tier"),
                           ("raci", "RACI template"), ("submitter", "Submitted by"), ("reason", "Reason"),
                           ("due", "Due"), ("informed", "Informed"), ("closed", "Closed"),
                           ("record", "Record to sign")):
            lab = QLabel(label + ":", facts)
            lab.setProperty("role", "fieldname")
            if key == "record":  # 64 hex digits do not wrap: a read-only field that scrolls
                val = QLineEdit(facts)
                val.setReadOnly(True)
                val.setAccessibleName(label)
                val.setFont(mono_font())
            else:
                val = _value(facts, label)
            form.addRow(lab, val)
            self.fields[key] = val
        self._form = form

        # -- buttons
        self.buttons: dict[str, QPushButton] = {}
        brow = QHBoxLayout()
        brow.setSpacing(6)
        for key, text, tip in self.BUTTONS:
            b = QPushButton(text, self)
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            b.setProperty("tip", tip)
            b.clicked.connect(lambda _c=False, k=key: self.actionRequested.emit(k))
            self.buttons[key] = b
            brow.addWidget(b)
        brow.addStretch(1)
        self.why_label = QLabel(self)
        self.why_label.setWordWrap(True)
        self.why_label.setProperty("role", "muted")
        self.why_label.setAccessibleName("Why an action is not available")
        self.why_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(facts)
        left.addLayout(brow)
        left.addWidget(self.why_label)
        left.addStretch(1)

        # -- tables (right)
        self.slot_model = SlotModel(parent=self)
        self.slot_table = _table(self.slot_model, "Required signatures", self, rows=3)
        self.sig_model = SignatureModel(parent=self)
        self.sig_table = _table(self.sig_model, "Signatures", self, rows=4)
        self.verify_icon = QLabel(self)
        self.verify_icon.setFixedSize(18, 18)
        self.verify_label = _value(self, "Signatures verify")
        self.gate_model = GateModel(parent=self)
        self.gate_table = _table(self.gate_model, "Gates", self, rows=3)
        right = QVBoxLayout()
        right.setSpacing(4)
        right.addWidget(_section("Required signatures", self))
        right.addWidget(self.slot_table)
        right.addSpacing(6)
        right.addWidget(_section("Signatures (21 CFR Part 11: printed name, UTC time, meaning)", self))
        right.addWidget(self.sig_table)
        vrow = QHBoxLayout()
        vrow.setSpacing(6)
        vrow.addWidget(self.verify_icon, 0, Qt.AlignmentFlag.AlignTop)
        vrow.addWidget(self.verify_label, 1)
        right.addLayout(vrow)
        right.addSpacing(6)
        right.addWidget(_section("Gates as they stand now (checked again at every approval)", self))
        right.addWidget(self.gate_table)
        right.addStretch(1)

        body = QHBoxLayout()
        body.setSpacing(14)
        left_box = QWidget(self)
        left_box.setLayout(left)
        left.setContentsMargins(0, 0, 0, 0)
        left_box.setMinimumWidth(380)
        left_box.setMaximumWidth(480)
        body.addWidget(left_box, 3)
        body.addLayout(right, 7)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(6)
        lay.addWidget(self.title)
        lay.addWidget(self.subtitle)
        lay.addLayout(body, 1)
        self.show_placeholder()

    # ------------------------------------------------------------------ content
    def show_placeholder(self, text: str = "Select a request to see its signatures and gates.") -> None:
        self.detail = None
        self.title.setText("No request selected")
        self.subtitle.setText(html.escape(text))
        for f in self.fields.values():
            f.setText("")
        for m in (self.slot_model, self.sig_model, self.gate_model):
            m.set_rows([])
        self.verify_label.setText("")
        self.verify_icon.clear()
        self.set_allowed({k: text for k, _t, _tip in self.BUTTONS})

    def set_detail(self, d: RequestDetail, user: Any) -> None:
        self.detail = d
        r = d.request
        self.title.setText(f"Request #{r.id} · {r.model_name} v{r.version}")
        glyph = theme.status_glyph(state_status(r.state))
        colour = theme.status_style(state_status(r.state)).colour
        state = f"<span style='color:{colour}'>{glyph} {r.state.value}</span>"
        overdue = (f" · <span style='color:{theme.TOKENS.bad}'>{theme.status_glyph('fail')} OVERDUE</span>"
                   if r.is_overdue() else "")
        self.subtitle.setText(f"{html.escape(r.asked)} · {state}{overdue} · "
                              f"{len(r.filled())} of {len(r.slots)} required signatures")
        f = self.fields
        f["asked"].setText(r.asked + ("" if r.kind != "alias" else f" (from status {r.from_status})"))
        f["task"].setText(r.task.value)
        pol = TIER_POLICIES.get(r.risk_tier)
        f["tier"].setText(f"{r.risk_tier}" + (f" (SLA {pol.approval_sla_business_days} business days)" if pol else ""))
        f["raci"].setText(f"{r.raci_scope} v{r.raci_version}")
        f["submitter"].setText(f"{r.submitted_by_name} ({r.submitted_by}), {utc(r.submitted_at)}")
        f["reason"].setText(r.reason)
        f["due"].setText(due_text(r) + f"; expires {utc(r.expires_at)}")
        f["due"].setToolTip(due_tip(r))
        f["informed"].setText(", ".join(r.informed) or "—")
        if r.state == RequestState.OPEN:
            f["closed"].setText("— (open)")
            f["record"].setText(r.current_record_sha256)
            f["record"].home(False)
            QTimer.singleShot(0, lambda e=f["record"]: e.home(False))  # show the start once laid out
            f["record"].setToolTip("The SHA-256 of the record version the next signature signs: the request as "
                                   "submitted plus the signatures already on it")
        else:
            f["closed"].setText(f"{r.state.value} by {r.closed_by}, {utc(r.closed_at)}: {r.close_reason or ''}")
            f["record"].setText("— (closed; nothing left to sign)")
            f["record"].setToolTip(f"Request record SHA-256: {r.record_sha256}")
        filled = r.filled()
        self.slot_model.set_rows([(s, filled.get(s.index)) for s in r.slots])
        self.sig_model.set_rows(list(r.signatures))
        if r.integrity_problems:
            self.verify_icon.setPixmap(theme.status_icon("broken").pixmap(16, 16))
            self.verify_label.setText("Signatures verify: NO — " + "; ".join(r.integrity_problems))
            self.verify_label.setStyleSheet(f"color: {theme.TOKENS.bad};")
        else:
            self.verify_icon.setPixmap(theme.status_icon("pass").pixmap(16, 16))
            self.verify_label.setText(f"Signatures verify: yes — all {len(r.signatures)} are bound, in order, to "
                                      "this exact record (SHA-256) and unaltered")
            self.verify_label.setStyleSheet("")
        if d.gates:
            self.gate_model.set_rows(list(d.gates))
        else:
            from types import SimpleNamespace

            self.gate_model.set_rows([SimpleNamespace(gate="—", ok=None,
                                                      detail=f"not evaluated: the request is {r.state.value}")])
        self.set_allowed(allowed_actions(r, user, d.author))

    def set_allowed(self, allowed: dict[str, str]) -> None:
        self.allowed = dict(allowed)
        reasons = []
        for key, b in self.buttons.items():
            why = self.allowed.get(key, "")
            b.setEnabled(not why and self.detail is not None)
            b.setToolTip(b.property("tip") if not why else f"Not available: {why}")
            if why and why not in reasons and self.detail is not None:
                reasons.append(why)
        sign_reasons = [self.allowed.get(k, "") for k in ("reviewed", "approved", "rejected")]
        if self.detail is None:
            self.why_label.setText("")
        elif all(sign_reasons) and len(set(sign_reasons)) == 1:
            self.why_label.setText(f"You cannot sign this request: {sign_reasons[0]}.")
        else:
            lines = [f"{k.capitalize() if k != 'reviewed' else 'Review'}: {why}" for k, why in
                     (("reviewed", self.allowed.get("reviewed", "")), ("approved", self.allowed.get("approved", "")))
                     if why]
            self.why_label.setText("\n".join(lines))


# ---------------------------------------------------------------- the view
class ApprovalsView(QDialog):
    """Approval requests: tabs "My queue", "Team" (open requests) and "All", and the
    selected request's detail pane.  Non-modal; the main window keeps one instance and
    calls :meth:`set_user` when the signed-in user changes.

    Signals: ``loaded(int)`` rows in the current tab after a load; ``detailLoaded(object)``
    a :class:`RequestDetail`; ``changed(object)`` a request signed/withdrawn here
    (the window reloads the inventory); ``signingOpened(object)`` the dialog just opened;
    ``message(str)`` for the status bar; ``failed(str)``.
    """

    loaded = Signal(int)
    detailLoaded = Signal(object)
    changed = Signal(object)
    signingOpened = Signal(object)
    message = Signal(str)
    failed = Signal(str)

    TAB_QUEUE, TAB_TEAM, TAB_ALL = range(3)

    def __init__(self, ws: Any, runner: Optional[JobRunner] = None, parent: Optional[QWidget] = None, *,
                 user: Any = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner or JobRunner(self)
        self.user = user
        self.snapshot: Optional[ApprovalsSnapshot] = None
        self._load_job: Optional[Job] = None
        self._detail_job: Optional[Job] = None
        self._load_req = 0
        self._detail_req = 0
        self._reload_pending = False
        self._selected_id: Optional[int] = None
        self.dialog: Optional[QDialog] = None
        self.setWindowTitle("Approvals")
        self.setAccessibleName("Approvals")
        self.setMinimumSize(980, 600)
        self.resize(1440, 900)

        # -- top bar
        self.user_label = QLabel(self)
        self.user_label.setAccessibleName("Signed-in user")
        self.reload_button = QPushButton("Reload", self)
        self.reload_button.setAccessibleName("Reload the requests")
        self.reload_button.setToolTip("Read the requests, your queue and the selected request again (F5)")
        self.reload_button.setShortcut("F5")
        self.reload_button.clicked.connect(self.reload)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel loading")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Loading progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        self.count_label = QLabel(self)
        self.count_label.setProperty("role", "muted")
        self.count_label.setAccessibleName("Number of requests")
        top = QHBoxLayout()
        top.addWidget(self.user_label, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)
        top.addWidget(self.reload_button)

        # -- tabs
        self.queue_model = QueueModel(parent=self)
        self.team_model = RequestModel(parent=self)
        self.all_model = RequestModel(parent=self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Approval lists")
        self.tables: list[QTableView] = []
        for model, name, tip in ((self.queue_model, "My queue", "Requests waiting for your signature"),
                                 (self.team_model, "Team", "Every open request (managers: the team's queue)"),
                                 (self.all_model, "All", "Every request in any state")):
            t = _table(model, name, self.tabs)
            t.selectionModel().currentRowChanged.connect(lambda cur, _prev, v=t: self._on_current(v, cur))
            t.doubleClicked.connect(lambda _i: self.detail_pane.setFocus())
            self.tables.append(t)
            i = self.tabs.addTab(t, name)
            self.tabs.setTabToolTip(i, tip)
        self.tabs.currentChanged.connect(self._on_tab)

        # -- detail
        self.detail_pane = RequestDetailPane(self)
        self.detail_pane.actionRequested.connect(self.open_action)
        scroll = QScrollArea(self)
        scroll.setWidget(self.detail_pane)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([200, 660])
        self.splitter.setChildrenCollapsible(False)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 12)
        lay.setSpacing(8)
        lay.addLayout(top)
        lay.addWidget(self.splitter, 1)
        self._show_user()
        self.reload()

    # ------------------------------------------------------------------ state
    @property
    def busy(self) -> bool:
        return self._load_job is not None or self._detail_job is not None

    def _update_busy(self) -> None:
        busy = self.busy
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        if not busy:
            self.progress.setValue(0)

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        if text:
            self.progress.setToolTip(text)

    def _show_user(self) -> None:
        from console.ui.signin import user_line

        self.user_label.setText(user_line(self.user))
        self.tabs.setTabText(self.TAB_QUEUE, "My queue" if self.user is not None else "My queue (sign in)")

    def set_user(self, user: Any) -> None:
        """The signed-in user changed: their queue and what they may do."""
        self.user = user
        self._show_user()
        self.reload()

    def cancel(self) -> None:
        for job in (self._load_job, self._detail_job):
            if job is not None:
                job.cancel()

    def current_table(self) -> QTableView:
        return self.tables[self.tabs.currentIndex()]

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        """Read every request and the user's queue (worker), then the selected request."""
        if self._load_job is not None:
            self._reload_pending = True
            return
        if getattr(self.runner, "_closed", False):
            return  # the window is closing
        self._load_req += 1
        req = self._load_req
        self._load_job = self.runner.submit(
            load_approvals, self.ws, self.user, title="Loading the approval requests",
            on_progress=self._on_progress,
            on_result=lambda snap, r=req: self._on_snapshot(r, snap),
            on_error=lambda m, d: self._show_error(m, d),
            on_cancelled=lambda m: self.count_label.setText("Loading cancelled."),
            on_finished=self._load_finished)
        self._update_busy()

    def _load_finished(self) -> None:
        self._load_job = None
        self._update_busy()
        if self._reload_pending:
            self._reload_pending = False
            self.reload()

    def _on_snapshot(self, req: int, snap: ApprovalsSnapshot) -> None:
        if req != self._load_req:
            return
        self.snapshot = snap
        keep = self._selected_id
        self.queue_model.set_rows(snap.queue)
        self.team_model.set_rows([r for r in snap.requests if r.state == RequestState.OPEN])
        self.all_model.set_rows(snap.requests)
        n_open = len(self.team_model.rows())
        self.tabs.setTabText(self.TAB_QUEUE, f"My queue ({len(snap.queue)})" if self.user is not None
                             else "My queue (sign in)")
        self.tabs.setTabText(self.TAB_TEAM, f"Team ({n_open} open)")
        self.tabs.setTabText(self.TAB_ALL, f"All ({len(snap.requests)})")
        overdue = sum(1 for r in snap.requests if r.is_overdue())
        self.count_label.setText(f"{len(snap.requests)} requests, {n_open} open"
                                 + (f", {overdue} OVERDUE" if overdue else ""))
        if not self._select(keep):
            self._select_first()
        self.loaded.emit(self.current_table().model().rowCount())

    def _select(self, request_id: Optional[int]) -> bool:
        if request_id is None:
            return False
        t = self.current_table()
        row = t.model().find_row(request_id)
        if row < 0:
            return False
        select_row(t, row)
        self._load_detail(request_id)  # same row: currentRowChanged may not fire
        return True

    def _select_first(self) -> None:
        t = self.current_table()
        if t.model().rowCount():
            select_row(t, 0)
            self._load_detail(t.model().row_key(t.model().row_object(0)))
        else:
            self._selected_id = None
            self._detail_req += 1
            self.detail_pane.show_placeholder(self._empty_text())

    def _empty_text(self) -> str:
        i = self.tabs.currentIndex()
        if i == self.TAB_QUEUE:
            return ("Nothing is waiting for you." if self.user is not None
                    else "Sign in to see the requests waiting for you.")
        return "No open requests." if i == self.TAB_TEAM else "No approval requests yet."

    def select_request(self, request_id: int, tab: Optional[int] = None) -> bool:
        """Show ``request_id`` (switching to ``tab`` first); False if it is not listed."""
        if tab is not None and tab != self.tabs.currentIndex():
            self.tabs.blockSignals(True)
            self.tabs.setCurrentIndex(tab)
            self.tabs.blockSignals(False)
        return self._select(request_id)

    def _on_tab(self, _i: int) -> None:
        if not self._select(self._selected_id):
            self._select_first()
        self.loaded.emit(self.current_table().model().rowCount())

    def _on_current(self, view: QTableView, current: Any) -> None:
        if view is not self.current_table() or not current.isValid():
            return
        obj = view.model().row_object(current.row())
        if obj is None:
            return
        rid = view.model().row_key(obj)
        if rid != self._selected_id or self.detail_pane.detail is None:
            self._load_detail(rid)

    def _load_detail(self, request_id: int) -> None:
        self._selected_id = request_id
        if getattr(self.runner, "_closed", False):
            return
        self._detail_req += 1
        req = self._detail_req
        if self._detail_job is not None:
            self._detail_job.cancel()
        self._detail_job = self.runner.submit(
            load_request_detail, self.ws, request_id, title=f"Loading request #{request_id}",
            on_progress=self._on_progress,
            on_result=lambda d, r=req: self._on_detail(r, d),
            on_error=lambda m, d, r=req: self._on_detail_error(r, m, d),
            on_finished=lambda: self._detail_finished(req))
        self._update_busy()

    def _detail_finished(self, req: int) -> None:
        if req == self._detail_req:
            self._detail_job = None
        self._update_busy()

    def _on_detail(self, req: int, d: RequestDetail) -> None:
        if req != self._detail_req:
            return
        self.detail_pane.set_detail(d, self.user)
        self.detailLoaded.emit(d)

    def _on_detail_error(self, req: int, message: str, details: str) -> None:
        if req != self._detail_req:
            return
        self.detail_pane.show_placeholder(f"The request could not be loaded: {message}")
        self._show_error(message, details)

    def _show_error(self, message: str, details: str = "") -> None:
        text = message if not details else f"Unexpected error ({message})"
        self.count_label.setText(f"✖ {text}")
        self.failed.emit(text)

    # ------------------------------------------------------------------ actions
    def open_action(self, action: str) -> Optional[QDialog]:
        """Open the signing dialog (``reviewed``/``approved``/``rejected``) or the withdraw
        dialog for the request shown (non-blocking ``open()``)."""
        d = self.detail_pane.detail
        if d is None or self.user is None:
            return None
        from console.ui.signing import SigningDialog, WithdrawDialog

        if self.dialog is not None:
            self.dialog.deleteLater()
        if action == "withdraw":
            dlg: QDialog = WithdrawDialog(self.ws, self.runner, d.request, self.user, self)
            dlg.withdrawn.connect(self._on_signed)
        else:
            dlg = SigningDialog(self.ws, self.runner, d.request, self.user, Meaning(action), self, gates=d.gates)
            dlg.signed.connect(self._on_signed)
            dlg.reloaded.connect(lambda _r: self.reload())
        self.dialog = dlg
        dlg.open()
        self.signingOpened.emit(dlg)
        return dlg

    def _on_signed(self, req: ApprovalRequest) -> None:
        if req.state == RequestState.OPEN:
            left = len(req.open_slots())
            text = f"Request #{req.id} signed; {left} required signature{'s' if left != 1 else ''} still missing."
        elif req.state == RequestState.APPROVED:
            text = f"Request #{req.id} approved and carried out: {req.model_name} {req.asked}."
        else:
            text = f"Request #{req.id} {req.state.value}."
        self.message.emit(text)
        self.count_label.setText(text)
        self.changed.emit(req)
        self.reload()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.cancel()
        super().closeEvent(event)


# ---------------------------------------------------------------- toolbar badge
def badge_icon(count: int) -> QIcon:
    """The Approvals icon (a document) with a round badge showing ``count`` (none for 0;
    the toolbar text says the number too: never colour alone)."""
    icon = QIcon()
    base = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView)
    for s in (16, 24, 32):
        pm = QPixmap(s, s)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        base.paint(p, 0, 0, s, s)
        if count > 0:
            d = s * 0.62
            r = QRectF(s - d, 0, d, d)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(theme.TOKENS.bad))
            p.drawEllipse(r)
            f = QFont()
            f.setPixelSize(max(7, int(d * (0.7 if count < 10 else 0.5))))
            f.setBold(True)
            p.setFont(f)
            p.setPen(QColor("#ffffff"))
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, str(count) if count < 100 else "99+")
        p.end()
        icon.addPixmap(pm)
    return icon

