"""Electronic signatures from the GUI (issue 5; 21 CFR Part 11 §11.50, §11.70, §11.200).

* :class:`SigningDialog` shows the signature manifestation that will be recorded
  (printed name = the signed-in user's display name, the meaning, the UTC time at
  signing), the SHA-256 of the exact record version being signed
  (:attr:`ApprovalRequest.current_record_sha256`), a mandatory reason and a password
  field: signing re-authenticates at that moment (never the cached sign-in).  It calls
  :func:`console.services.approvals.sign` in a worker with
  ``expected_record_sha256`` = the hash shown, so a signature can only land on the
  record the signer read.
* :class:`WithdrawDialog`: the submitter or an Admin withdraws a request (reason,
  password).
* :class:`RequestApprovalDialog`: "Request approval…" for a model: version, target
  (the next lifecycle status, or moving the ``champion`` alias), reason, password;
  shows the required signatures of the created request.

Outcomes are shown in the dialog, one line each: a refusal (``PermissionDenied`` /
``GateBlocked``) names the rule; a concurrent signature (``ConcurrentChangeError``)
says who signed first and reloads the request (new hash shown); a wrong password says
so.  The password field is cleared after every attempt.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Any, Optional, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from console.domain.approvals import ApprovalRequest, Meaning, RequestState
from console.errors import AuthError, ConcurrentChangeError, PermissionDenied
from console.ui import theme
from console.ui.approvals_view import mono_font, utc
from console.ui.widgets import busy_bar
from console.ui.workers import Job, JobRunner

__all__ = ["SigningDialog", "WithdrawDialog", "RequestApprovalDialog", "sign_request", "withdraw_request",
           "submit_request", "reload_request", "load_model_for_request"]

MEANING_TEXT = {
    Meaning.REVIEWED: "reviewed — you record your review as a Consulted role",
    Meaning.APPROVED: "approved — you approve what is asked",
    Meaning.REJECTED: "rejected — you reject the request; it closes",
}


# ---------------------------------------------------------------- job functions (workers)
def sign_request(ws: Any, request_id: int, login: str, password: str, meaning: str, reason: str,
                 expected: str, progress=None, cancel=None) -> ApprovalRequest:
    """:func:`console.services.approvals.sign` (re-authenticates)."""
    from console.services import approvals

    return approvals.sign(ws, request_id, login=login, password=password, meaning=meaning, reason=reason,
                          expected_record_sha256=expected)


def reload_request(ws: Any, request_id: int, progress=None, cancel=None) -> tuple[ApprovalRequest, list[Any]]:
    """The request as it is now, with its gates (open requests)."""
    from console.services import approvals

    r = approvals.get_request(ws, request_id)
    return r, (approvals.evaluate_gates(ws, r) if r.state == RequestState.OPEN else [])


def withdraw_request(ws: Any, request_id: int, login: str, password: str, reason: str,
                     progress=None, cancel=None) -> ApprovalRequest:
    """Re-authenticate ``login`` and withdraw the request."""
    from console.services import approvals, governance

    by = governance.authenticate(ws, login, password)
    return approvals.withdraw(ws, request_id, by=by, reason=reason)


def load_model_for_request(ws: Any, model_id: int, progress=None, cancel=None) -> Any:
    """The model's :class:`console.domain.models.ModelDetail` (versions, status, aliases)."""
    return ws.get_model(model_id)


def submit_request(ws: Any, model_id: int, version: int, login: str, password: str, reason: str,
                   to_status: Optional[str], alias: Optional[str], progress=None, cancel=None) -> ApprovalRequest:
    """:func:`console.services.approvals.request_approval` (the submitter's
    ``authored`` signature; re-authenticates)."""
    from console.services import approvals

    return approvals.request_approval(ws, model_id, version, login=login, password=password, reason=reason,
                                      to_status=to_status, alias=alias)


# ---------------------------------------------------------------- shared parts
def error_text(exc: Optional[BaseException], message: str, details: str) -> tuple[str, str]:
    """``(kind, one line)`` for a failed job: kind ``refused`` | ``concurrent`` |
    ``auth`` | ``error`` | ``bug``."""
    if details:
        return "bug", f"Unexpected error ({message}); nothing was saved. Please report it."
    if isinstance(exc, PermissionDenied):  # GateBlocked too: the message names the rule / gate
        rule = message[len("refused: "):] if message.startswith("refused: ") else message
        return "refused", f"Refused — {rule}"
    if isinstance(exc, ConcurrentChangeError):
        return "concurrent", f"Someone signed first: {message}"
    if isinstance(exc, AuthError):
        return "auth", f"{message} Nothing was signed; enter your password again."
    return "error", message


class _PasswordDialog(QDialog):
    """Reason + password + message + busy bar + OK/Cancel; subclasses add the rest."""

    failed = Signal(str)  # the one line shown after a failed attempt
    refused = Signal(str)  # the same, for refusals (the rule named)

    def __init__(self, ws: Any, runner: Optional[JobRunner], user: Any, parent: Optional[QWidget]) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner or JobRunner(self)
        self.user = user
        self.job: Optional[Job] = None
        self.last_error: tuple[str, str] = ("", "")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(64)
        self.reason_edit.textChanged.connect(self._update_ok)
        self.password_edit = QLineEdit(self)
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.textChanged.connect(lambda _t: self._update_ok())
        self.message_icon = QLabel(self)
        self.message_icon.setFixedSize(18, 18)
        self.message = QLabel(self)
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy_bar = busy_bar(self)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton("OK", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.set_message("")

    def _message_row(self) -> QWidget:
        w = QWidget(self)
        from PySide6.QtWidgets import QHBoxLayout

        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.message_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.message, 1)
        return w

    def set_message(self, text: str, status: Optional[str] = "fail") -> None:
        """One line under the form, with a status glyph (never colour alone)."""
        self.message.setText(text)
        visible = bool(text)
        self.message.setVisible(visible)
        self.message_icon.setVisible(visible)
        if visible and status:
            self.message_icon.setPixmap(theme.status_icon(status).pixmap(16, 16))
            self.message.setStyleSheet(f"color: {theme.status_style(status).colour};")
        else:
            self.message_icon.clear()
            self.message.setStyleSheet("")

    def reason(self) -> str:
        return " ".join(self.reason_edit.toPlainText().split())

    def problem(self) -> str:
        if not self.reason():
            return "Enter a reason: it is part of the signed record."
        if not self.password_edit.text():
            return "Enter your password: signing re-authenticates you."
        return ""

    def _update_ok(self) -> None:
        why = self.problem()
        self.ok_button.setEnabled(self.job is None and not why)
        self.ok_button.setToolTip(why)

    def _set_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)
        self.reason_edit.setReadOnly(busy)
        self.password_edit.setEnabled(not busy)
        self._update_ok()

    def _take_password(self) -> str:
        pw = self.password_edit.text()
        self.password_edit.clear()  # after every attempt, whatever its outcome
        return pw

    def _start(self, fn: Any, *args: Any, title: str, on_result: Any) -> Optional[Job]:
        """Run ``fn`` (the caller checked :meth:`problem` and took the password)."""
        self.set_message("")
        self.job = self.runner.submit(fn, *args, title=title, serial=True, on_result=on_result,
                                      on_error=self._on_error, on_finished=self._on_finished)
        self._set_busy(True)
        return self.job

    def _on_error(self, message: str, details: str) -> None:
        kind, text = error_text(self.job.exception if self.job is not None else None, message, details)
        self._on_finished()  # usable again before ``failed`` (``finished`` comes after ``error``)
        self.last_error = (kind, text)
        self.set_message(text, "warning" if kind == "concurrent" else "fail")
        self.failed.emit(text)
        if kind == "refused":
            self.refused.emit(text)
        if kind == "concurrent":
            self._on_concurrent()

    def _on_concurrent(self) -> None:
        pass

    def _on_finished(self) -> None:
        self.job = None
        self._set_busy(False)
        if self.isVisible():
            self.password_edit.setFocus()

    @property
    def busy(self) -> bool:
        return self.job is not None

    def submit(self) -> Optional[Job]:  # pragma: no cover - overridden
        raise NotImplementedError

    def reject(self) -> None:
        if self.job is not None:
            self.job.cancel()  # a signature already sent completes; the view reloads
        super().reject()


def _field(parent: QWidget, name: str, text: str = "", mono: bool = False) -> QLabel:
    lab = QLabel(text, parent)
    lab.setAccessibleName(name)
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if mono:
        lab.setFont(mono_font())
    return lab


def _fieldname(text: str, parent: QWidget) -> QLabel:
    lab = QLabel(text, parent)
    lab.setProperty("role", "fieldname")
    return lab


# ---------------------------------------------------------------- signing
class SigningDialog(_PasswordDialog):
    """Sign ``request`` as ``user`` with ``meaning`` (window-modal; use ``open()``).

    Signals: ``signed(ApprovalRequest)`` (then the dialog accepts), ``refused(str)``,
    ``failed(str)``, ``reloaded(ApprovalRequest)`` after someone else signed first.
    """

    signed = Signal(object)
    reloaded = Signal(object)

    def __init__(self, ws: Any, runner: Optional[JobRunner], request: ApprovalRequest, user: Any,
                 meaning: Meaning, parent: Optional[QWidget] = None, *, gates: Sequence[Any] = ()) -> None:
        super().__init__(ws, runner, user, parent)
        self.request = request
        self.meaning = Meaning(meaning)
        self.gates = list(gates)
        self._reload_job: Optional[Job] = None
        verb = {Meaning.REVIEWED: "Review", Meaning.APPROVED: "Approve", Meaning.REJECTED: "Reject"}[self.meaning]
        self.setWindowTitle(f"{verb} request #{request.id} — electronic signature")
        self.setAccessibleName("Electronic signature")
        self.setMinimumWidth(760)
        self.ok_button.setText(f"Sign: {self.meaning.value}")
        self.ok_button.setAccessibleName(f"Sign {self.meaning.value}")

        self.what = QLabel(self)
        self.what.setProperty("role", "title")
        self.what.setWordWrap(True)
        self.what_detail = QLabel(self)
        self.what_detail.setProperty("role", "subtitle")
        self.what_detail.setWordWrap(True)
        self.what_detail.setTextFormat(Qt.TextFormat.RichText)

        card = QFrame(self)
        card.setProperty("role", "card")
        cl = QVBoxLayout(card)
        cl.setContentsMargins(14, 10, 14, 12)
        cl.setSpacing(6)
        head = QLabel("Signature manifestation to be recorded (21 CFR Part 11 §11.50)", card)
        head.setProperty("role", "section")
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(6)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.printed_name = _field(card, "Printed name", user.display_name)
        self.printed_name.setFont(theme.bold(self.printed_name.font()))
        self.login_field = _field(card, "Login", user.login)
        self.meaning_field = _field(card, "Meaning")
        self.meaning_field.setFont(theme.bold(self.meaning_field.font()))
        self.time_field = _field(card, "Date and time")
        self.record_field = _field(card, "Record SHA-256", mono=True)
        self.record_note = _field(card, "About the record hash")
        self.record_note.setProperty("role", "muted")
        form.addRow(_fieldname("Printed name:", card), self.printed_name)
        form.addRow(_fieldname("Login:", card), self.login_field)
        form.addRow(_fieldname("Meaning:", card), self.meaning_field)
        form.addRow(_fieldname("Date and time:", card), self.time_field)
        form.addRow(_fieldname("Record signed:", card), self.record_field)
        form.addRow(QLabel("", card), self.record_note)
        cl.addWidget(head)
        cl.addLayout(form)

        self.gate_label = _field(self, "Gates")
        self.gate_label.setTextFormat(Qt.TextFormat.RichText)

        entry = QFormLayout()
        entry.setHorizontalSpacing(12)
        self.password_edit.setPlaceholderText(f"password of {user.login}")
        reason_label = QLabel("&Reason:", self)
        reason_label.setBuddy(self.reason_edit)
        self.reason_edit.setPlaceholderText("Why you sign — required; it is part of the signed record")
        pw_label = QLabel("&Password:", self)
        pw_label.setBuddy(self.password_edit)
        entry.addRow(reason_label, self.reason_edit)
        entry.addRow(pw_label, self.password_edit)
        pw_note = QLabel("Signing re-authenticates you (21 CFR 11.200): enter your password now, even though you "
                         "are signed in.", self)
        pw_note.setProperty("role", "muted")
        pw_note.setWordWrap(True)
        entry.addRow(QLabel("", self), pw_note)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.setSpacing(8)
        lay.addWidget(self.what)
        lay.addWidget(self.what_detail)
        lay.addWidget(card)
        lay.addWidget(self.gate_label)
        lay.addLayout(entry)
        lay.addWidget(self._message_row())
        lay.addWidget(self.busy_bar)
        lay.addWidget(self.buttons)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self._show_request()
        self.reason_edit.setFocus()

    # -- content
    def _slot_text(self) -> str:
        r, user = self.request, self.user
        eligible = [s for s in r.open_slots() if user.has_role(s.role, r.model_id)]
        kind = {Meaning.REVIEWED: "review", Meaning.APPROVED: "approval"}.get(self.meaning)
        slot = next((s for s in eligible if kind is None or s.kind == kind), None)
        if slot is None:
            return ""
        return f" as {slot.role.value} (slot {slot.index}: {slot.why})"

    def _show_request(self) -> None:
        r = self.request
        self.what.setText(f"Request #{r.id}: {r.model_name} v{r.version}, {r.asked}")
        self.what_detail.setText(
            f"{html.escape(r.task.value)} · tier {r.risk_tier} · RACI {html.escape(r.raci_scope)} v{r.raci_version} · "
            f"submitted by {html.escape(r.submitted_by_name)} · {len(r.filled())} of {len(r.slots)} required "
            f"signatures given · reason: {html.escape(r.reason)}")
        self.meaning_field.setText(MEANING_TEXT[self.meaning] + self._slot_text())
        self.record_field.setText(r.current_record_sha256)
        n = len(r.signatures)
        self.record_note.setText(f"the request as submitted plus the {n} signature{'s' if n != 1 else ''} already "
                                 "on it: your signature is bound to this exact version")
        self.record_note.setToolTip("If someone signs first, the record changes: your signature is refused and "
                                    "the request reloads so you can read it again.")
        self._tick()
        blocked = [g for g in self.gates if g.ok is False]
        if self.meaning == Meaning.APPROVED and blocked:
            glyph = theme.status_glyph("fail")
            self.gate_label.setText(
                f"<span style='color:{theme.TOKENS.bad}'>{glyph} BLOCKED now: "
                + "; ".join(f"{html.escape(g.gate)}: {html.escape(g.detail)}" for g in blocked)
                + "</span> — gates are checked again when you sign; an approval is refused while one is blocked.")
            self.gate_label.show()
        elif self.meaning == Meaning.APPROVED and self.gates:
            self.gate_label.setText(f"{theme.status_glyph('pass')} Gates now: "
                                    + ", ".join(f"{html.escape(g.gate)} {'ok' if g.ok else 'n/a'}"
                                                for g in self.gates)
                                    + " (checked again when you sign)")
            self.gate_label.show()
        else:
            self.gate_label.hide()
        if r.state != RequestState.OPEN:
            self.set_message(f"Request #{r.id} is now {r.state.value}; there is nothing left to sign.", "skipped")
            self.ok_button.setEnabled(False)

    def _tick(self) -> None:
        now = datetime.now(timezone.utc)
        self.time_field.setText(f"recorded in UTC at the moment of signing (now {now:%Y-%m-%d %H:%M:%S} UTC)")

    @property
    def record_sha256(self) -> str:
        """The record hash shown (and sent as ``expected_record_sha256``)."""
        return self.record_field.text()

    def problem(self) -> str:
        if self._reload_job is not None:
            return "Reloading the request…"
        if self.request.state != RequestState.OPEN:
            return f"request #{self.request.id} is {self.request.state.value}"
        return super().problem()

    # -- signing
    def submit(self) -> Optional[Job]:
        """Sign in a worker with the password typed now and the hash shown."""
        if self.job is not None or self._reload_job is not None or self.problem():
            return None
        pw = self._take_password()
        return self._start(sign_request, self.ws, self.request.id, self.user.login, pw, self.meaning.value,
                           self.reason(), self.record_sha256, title=f"Signing request #{self.request.id}",
                           on_result=self._on_signed)

    def _on_signed(self, req: ApprovalRequest) -> None:
        self._clock.stop()
        self.request = req
        self.signed.emit(req)
        self.accept()

    def _on_concurrent(self) -> None:
        rid = self.request.id
        self._reload_job = self.runner.submit(reload_request, self.ws, rid, title=f"Reloading request #{rid}",
                                              on_result=self._on_reloaded,
                                              on_error=lambda m, d: self.set_message(m),
                                              on_finished=self._reload_finished)

    def _reload_finished(self) -> None:
        self._reload_job = None
        self._update_ok()
        if self.request.state != RequestState.OPEN:
            self.ok_button.setEnabled(False)

    def _on_reloaded(self, result: tuple[ApprovalRequest, list[Any]]) -> None:
        self._reload_job = None
        self.request, self.gates = result[0], list(result[1])
        text = self.last_error[1]
        self._update_ok()
        self._show_request()
        if self.request.state == RequestState.OPEN:
            self.set_message(f"{text} The request was reloaded: the record hash above is the current one; "
                             "read it again and sign if still needed.", "warning")
        self.reloaded.emit(self.request)


# ---------------------------------------------------------------- withdrawing
class WithdrawDialog(_PasswordDialog):
    """Withdraw ``request`` (its submitter or an Admin): reason + password.
    ``withdrawn(ApprovalRequest)`` then accepts."""

    withdrawn = Signal(object)

    def __init__(self, ws: Any, runner: Optional[JobRunner], request: ApprovalRequest, user: Any,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(ws, runner, user, parent)
        self.request = request
        self.setWindowTitle(f"Withdraw request #{request.id}")
        self.setAccessibleName("Withdraw request")
        self.setMinimumWidth(560)
        self.ok_button.setText("Withdraw")
        what = QLabel(f"Withdraw request #{request.id}: {request.model_name} v{request.version}, {request.asked}. "
                      "It closes undecided; the signatures given stay on record.", self)
        what.setWordWrap(True)
        form = QFormLayout()
        self.reason_edit.setPlaceholderText("Why the request is withdrawn — required, kept in the audit trail")
        self.password_edit.setPlaceholderText(f"password of {user.login}")
        form.addRow("&Reason:", self.reason_edit)
        form.addRow("&Password:", self.password_edit)
        lay = QVBoxLayout(self)
        lay.addWidget(what)
        lay.addLayout(form)
        lay.addWidget(self._message_row())
        lay.addWidget(self.busy_bar)
        lay.addWidget(self.buttons)
        self.reason_edit.setFocus()

    def submit(self) -> Optional[Job]:
        if self.job is not None or self.problem():
            return None
        pw = self._take_password()
        return self._start(withdraw_request, self.ws, self.request.id, self.user.login, pw, self.reason(),
                           title=f"Withdrawing request #{self.request.id}", on_result=self._on_done)

    def _on_done(self, req: ApprovalRequest) -> None:
        self.withdrawn.emit(req)
        self.accept()


# ---------------------------------------------------------------- requesting
class RequestApprovalDialog(_PasswordDialog):
    """"Request approval…" for model ``model_id`` as ``user`` (window-modal, ``open()``).

    The model is read in a worker; the targets offered are the next lifecycle status
    (``TRANSITION_TASK``) and moving the ``champion`` alias to the chosen version.  On
    success the dialog shows the created request's required signatures (``submitted
    (ApprovalRequest)``) and its button becomes Close.
    """

    submitted = Signal(object)
    modelLoaded = Signal(object)

    def __init__(self, ws: Any, runner: Optional[JobRunner], model_id: int, user: Any,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(ws, runner, user, parent)
        self.model_id = model_id
        self.model_detail: Optional[Any] = None
        self.created: Optional[ApprovalRequest] = None
        self._load_job: Optional[Job] = None
        self.setWindowTitle("Request approval")
        self.setAccessibleName("Request approval")
        self.setMinimumWidth(640)
        self.ok_button.setText("Submit and sign")
        self.title = QLabel("Loading the model…", self)
        self.title.setProperty("role", "title")
        self.title.setWordWrap(True)
        self.facts = QLabel(self)
        self.facts.setProperty("role", "subtitle")
        self.facts.setWordWrap(True)
        self.version_combo = QComboBox(self)
        self.version_combo.setAccessibleName("Version")
        self.target_combo = QComboBox(self)
        self.target_combo.setAccessibleName("Target")
        self.target_combo.currentIndexChanged.connect(lambda _i: self._update_ok())
        self.version_combo.currentIndexChanged.connect(lambda _i: self._update_ok())
        self.reason_edit.setPlaceholderText("Why this step is due — required; part of the signed request")
        self.password_edit.setPlaceholderText(f"password of {user.login}")
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.addRow("&Version:", self.version_combo)
        form.addRow("&Target:", self.target_combo)
        form.addRow("&Reason:", self.reason_edit)
        form.addRow("&Password:", self.password_edit)
        note = QLabel(f"You submit as {user.display_name} ({user.login}): the request records your 'authored' "
                      "signature, so your password is asked now (21 CFR 11.200).", self)
        note.setProperty("role", "muted")
        note.setWordWrap(True)
        self.form_box = QWidget(self)
        fb = QVBoxLayout(self.form_box)
        fb.setContentsMargins(0, 0, 0, 0)
        fb.addLayout(form)
        fb.addWidget(note)
        self.result_label = _field(self, "Created request")
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.setSpacing(8)
        lay.addWidget(self.title)
        lay.addWidget(self.facts)
        lay.addWidget(self.form_box)
        lay.addWidget(self.result_label)
        lay.addWidget(self._message_row())
        lay.addWidget(self.busy_bar)
        lay.addWidget(self.buttons)
        self._load()

    def _load(self) -> None:
        self.busy_bar.show()
        self._load_job = self.runner.submit(load_model_for_request, self.ws, self.model_id,
                                            title="Reading the model", on_result=self._on_model,
                                            on_error=lambda m, d: self.set_message(error_text(None, m, d)[1]),
                                            on_finished=self._load_finished)
        self._update_ok()

    def _load_finished(self) -> None:
        self._load_job = None
        self.busy_bar.setVisible(self.job is not None)
        self._update_ok()

    def _on_model(self, detail: Any) -> None:
        from console.domain.governance import TRANSITION_TASK

        self.model_detail = detail
        m = detail.model
        self.title.setText(f"Request approval: {m.name}")
        champion = next((v.version for v in detail.versions if "champion" in v.aliases), None)
        self.facts.setText(f"Status {m.status.value} · tier {m.risk_tier} · "
                           + (f"champion v{champion}" if champion else "no champion"))
        self.version_combo.clear()
        for v in sorted(detail.versions, key=lambda v: v.version, reverse=True):
            marks = [a for a in v.aliases]
            if v.deleted_on_server_at is not None:
                marks.append("deleted on server")
            self.version_combo.addItem(f"v{v.version}" + (f" ({', '.join(marks)})" if marks else "")
                                       + f" — by {v.created_by}, {utc(v.created_at)}", v.version)
        default = champion if champion is not None else (max((v.version for v in detail.versions), default=None))
        i = self.version_combo.findData(default)
        self.version_combo.setCurrentIndex(max(0, i))
        self.target_combo.clear()
        for (a, b), task in TRANSITION_TASK.items():
            if a == m.status:
                self.target_combo.addItem(f"status {a.value} → {b.value} ({task.value})", f"status:{b.value}")
        self.target_combo.addItem("move alias champion to the chosen version (Model validation & selection)",
                                  "alias:champion")
        self.modelLoaded.emit(detail)
        self._update_ok()

    def problem(self) -> str:
        if self.created is not None:
            return ""
        if self.model_detail is None:
            return "Reading the model…"
        if self.version_combo.currentData() is None or self.target_combo.currentData() is None:
            return "Choose a version and a target."
        return super().problem()

    def _update_ok(self) -> None:
        if self.created is not None:
            self.ok_button.setEnabled(True)
            return
        super()._update_ok()

    def select_target(self, kind: str, value: str) -> bool:
        """Choose the target (``("status", "validation")`` or ``("alias", "champion")``)."""
        i = self.target_combo.findData(f"{kind}:{value}")
        if i >= 0:
            self.target_combo.setCurrentIndex(i)
        return i >= 0

    def submit(self) -> Optional[Job]:
        if self.created is not None:
            self.accept()
            return None
        if self.job is not None or self.problem():
            return None
        kind, _, value = str(self.target_combo.currentData()).partition(":")
        version = int(self.version_combo.currentData())
        pw = self._take_password()
        return self._start(submit_request, self.ws, self.model_id, version, self.user.login, pw, self.reason(),
                           value if kind == "status" else None, value if kind == "alias" else None,
                           title="Submitting the approval request", on_result=self._on_created)

    def _on_created(self, req: ApprovalRequest) -> None:
        self.created = req
        self.form_box.hide()
        self.set_message(f"Request #{req.id} submitted and signed (authored) by {self.user.display_name}.", "pass")
        rows = "".join(
            f"<tr><td>{s.index}</td><td>{html.escape(s.kind)}</td><td>{html.escape(s.role.value)}</td>"
            f"<td>{html.escape(s.why)}</td></tr>" for s in req.slots)
        self.result_label.setText(
            f"<b>Request #{req.id}</b>: {html.escape(req.model_name)} v{req.version}, {html.escape(req.asked)}; "
            f"due {html.escape(utc(req.due_at))} (tier {req.risk_tier} SLA).<br>Required signatures:"
            f"<table cellspacing='0' cellpadding='3'><tr><th align='left'>Slot</th><th align='left'>Kind</th>"
            f"<th align='left'>Role</th><th align='left'>Why</th></tr>{rows}</table>"
            + (f"Informed: {html.escape(', '.join(req.informed))}" if req.informed else ""))
        self.result_label.show()
        self.ok_button.setText("Close")
        self.cancel_button.hide()
        self.submitted.emit(req)
        self.adjustSize()
