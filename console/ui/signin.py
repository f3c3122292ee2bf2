"""Signing in to a workspace (issue 5, "People and roles"): the console acts as a
workspace user, never as the OS user.

* :class:`SignInDialog`: login + password, checked by
  :func:`console.services.governance.authenticate` in a worker (scrypt takes ~50 ms and
  a shared workspace may be on a remote PostgreSQL server).  A wrong password shows one
  line and leaves the ``user.login_failed`` audit event written by the service.
* :class:`CreateAdminDialog`: first run (a workspace with no users) creates the
  administrator with :func:`console.services.governance.create_user` (``by=None``: the
  first user becomes Admin) and signs them in.

Both are window-modal but opened with ``open()`` (never a blocking ``exec()``), emit
``signedIn(User)`` on success and ``rejected`` when the person chooses to continue
read-only.  The password fields are cleared after every attempt.
"""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.ui import theme
from console.ui.widgets import busy_bar
from console.ui.workers import Job, JobRunner

__all__ = ["SignInDialog", "CreateAdminDialog", "authenticate_user", "create_admin", "count_users",
           "roles_text", "user_line"]


# ---------------------------------------------------------------- job functions (workers)
def count_users(ws: Any, progress=None, cancel=None) -> int:
    """Number of users in the workspace (0: first run)."""
    from console.services import governance

    return governance.user_count(ws)


def authenticate_user(ws: Any, login: str, password: str, progress=None, cancel=None) -> Any:
    """The :class:`console.domain.governance.User` with fresh roles.  Raises
    :class:`console.errors.AuthError` (audited as ``user.login_failed``)."""
    from console.services import governance

    user = governance.authenticate(ws, login, password)
    return governance.get_user(ws, user.login)


def create_admin(ws: Any, login: str, display_name: str, password: str, progress=None, cancel=None) -> Any:
    """Create the first user (becomes Admin) and return them.  Raises
    :class:`console.errors.InputError` (bad login/name/password) or
    :class:`console.errors.PermissionDenied` (the workspace has users already)."""
    from console.services import governance

    return governance.create_user(ws, login, display_name, password, by=None)


# ---------------------------------------------------------------- helpers
def roles_text(user: Any) -> str:
    """``"Data Scientist, Admin"``; per-model roles as ``"Role for model"``."""
    parts = []
    for a in user.roles:
        parts.append(a.role.value if a.model_id is None else f"{a.role.value} for {a.model_name or a.model_id}")
    return ", ".join(dict.fromkeys(parts)) or "no role"


def user_line(user: Optional[Any]) -> str:
    """The status-bar text for the signed-in user."""
    if user is None:
        return "Not signed in (read-only)"
    return f"Signed in as {user.display_name} ({roles_text(user)})"


def _message_label(parent: QWidget) -> QLabel:
    lab = QLabel(parent)
    lab.setWordWrap(True)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setAccessibleName("Message")
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lab.hide()
    return lab


class _WorkerDialog(QDialog):
    """A dialog whose OK runs a job; stays open (and usable) until the job succeeds."""

    signedIn = Signal(object)  # console.domain.governance.User
    failed = Signal(str)  # the message shown after a failed attempt

    def __init__(self, ws: Any, runner: Optional[JobRunner], parent: Optional[QWidget]) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner or JobRunner(self)
        self.job: Optional[Job] = None
        self.user: Optional[Any] = None
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.message = _message_label(self)
        self.busy_bar = busy_bar(self)

    def show_message(self, text: str, status: str = "fail") -> None:
        glyph = theme.status_glyph(status)
        self.message.setText(f"{glyph} {text}" if text else "")
        colour = theme.status_style(status).colour
        self.message.setStyleSheet(f"color: {colour};")
        self.message.setVisible(bool(text))

    def _set_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)
        for w in self._inputs():
            w.setEnabled(not busy)
        self._update_ok()

    def _inputs(self) -> list[QWidget]:
        return []

    def _update_ok(self) -> None:
        pass

    @property
    def busy(self) -> bool:
        return self.job is not None

    def _on_error(self, message: str, details: str) -> None:
        # usable again before anyone hears of the failure (``finished`` comes after ``error``)
        self._on_finished()
        text = message if not details else f"Unexpected error ({message}); nothing was saved."
        text = text[:1].upper() + text[1:]
        self.show_message(text)
        self.failed.emit(text)

    def _on_user(self, user: Any) -> None:
        """A worker returned the signed-in user: emit it and close."""
        self.user = user
        self.signedIn.emit(user)
        self.accept()

    def _on_finished(self) -> None:
        self.job = None
        self._set_busy(False)

    def reject(self) -> None:
        if self.job is not None:
            self.job.cancel()
        super().reject()


class SignInDialog(_WorkerDialog):
    """Sign in with a workspace login and password (window-modal; use ``open()``).

    ``signedIn(User)`` then ``accepted`` on success; a failed attempt shows one line
    (``failed(str)``), clears the password and keeps the dialog open.  Cancel
    ("Continue read-only") rejects.
    """

    def __init__(self, ws: Any, runner: Optional[JobRunner] = None, parent: Optional[QWidget] = None, *,
                 login: str = "", workspace_label: str = "") -> None:
        super().__init__(ws, runner, parent)
        self.setWindowTitle("Sign in — Tollgate")
        self.setAccessibleName("Sign in")
        self.setMinimumWidth(480)
        intro = QLabel(
            "Sign in as a user of this workspace. Approvals, signatures and changes are recorded "
            "under your name.", self)
        intro.setWordWrap(True)
        where = QLabel(f"Workspace: {workspace_label or getattr(ws, 'label', '')}", self)
        where.setProperty("role", "muted")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.login_edit = QLineEdit(self)
        self.login_edit.setAccessibleName("Login")
        self.login_edit.setText(login)
        self.password_edit = QLineEdit(self)
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("&Login:", self.login_edit)
        form.addRow("&Password:", self.password_edit)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton("Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.cancel_button = self.buttons.addButton("Continue read-only", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setToolTip("Browse without signing in: nothing that needs a user "
                                      "(requests, signatures, validation runs) can be done")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for e in (self.login_edit, self.password_edit):
            e.textChanged.connect(lambda _t: self._update_ok())
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(where)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.busy_bar)
        lay.addWidget(self.buttons)
        (self.password_edit if login else self.login_edit).setFocus()
        self._update_ok()

    def _inputs(self) -> list[QWidget]:
        return [self.login_edit, self.password_edit]

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.job is None and bool(self.login_edit.text().strip())
                                  and bool(self.password_edit.text()))

    def submit(self) -> Optional[Job]:
        """Check the login and password in a worker (the password field is cleared)."""
        login, password = self.login_edit.text().strip(), self.password_edit.text()
        if self.job is not None or not login or not password:
            return None
        self.password_edit.clear()
        self.show_message("")
        self.job = self.runner.submit(authenticate_user, self.ws, login, password, title=f"Signing in as {login}",
                                      on_result=self._on_user, on_error=self._on_error,
                                      on_finished=self._on_finished)
        self._set_busy(True)
        return self.job


    def _on_finished(self) -> None:
        super()._on_finished()
        if self.isVisible():
            self.password_edit.setFocus()


class CreateAdminDialog(_WorkerDialog):
    """First run: create the workspace's administrator (who is then signed in).

    Login, display name and the password twice (at least
    :data:`console.services.passwords.MIN_LENGTH` characters).  ``signedIn(User)`` on
    success; Cancel leaves the console read-only.
    """

    def __init__(self, ws: Any, runner: Optional[JobRunner] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(ws, runner, parent)
        from console.services.passwords import MIN_LENGTH

        self.min_length = MIN_LENGTH
        self.setWindowTitle("Create the administrator — Tollgate")
        self.setAccessibleName("Create the administrator")
        self.setMinimumWidth(480)
        intro = QLabel(
            "This workspace has no users yet. Create its administrator: the Admin adds the other "
            "users and assigns their roles. You will be signed in as this user.", self)
        intro.setWordWrap(True)
        self.login_edit = QLineEdit(self)
        self.login_edit.setAccessibleName("Login")
        self.login_edit.setPlaceholderText("letters, digits and . _ @ -")
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("Display name")
        self.name_edit.setPlaceholderText("printed on signatures, e.g. Tomasz Nowak")
        self.password_edit = QLineEdit(self)
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(f"at least {MIN_LENGTH} characters")
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setAccessibleName("Repeat password")
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("&Login:", self.login_edit)
        form.addRow("&Display name:", self.name_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("&Repeat password:", self.repeat_edit)
        self.hint = QLabel(self)
        self.hint.setProperty("role", "muted")
        self.hint.setAccessibleName("Password hint")
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton("Create and sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.cancel_button = self.buttons.addButton("Continue read-only", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for e in (self.login_edit, self.name_edit, self.password_edit, self.repeat_edit):
            e.textChanged.connect(lambda _t: self._update_ok())
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.hint)
        lay.addWidget(self.message)
        lay.addWidget(self.busy_bar)
        lay.addWidget(self.buttons)
        self.login_edit.setFocus()
        self._update_ok()

    def _inputs(self) -> list[QWidget]:
        return [self.login_edit, self.name_edit, self.password_edit, self.repeat_edit]

    def problem(self) -> str:
        """Why the form cannot be sent yet ("" when it can)."""
        if not self.login_edit.text().strip():
            return "Enter a login."
        if not self.name_edit.text().strip():
            return "Enter the display name printed on signatures."
        pw = self.password_edit.text()
        if len(pw) < self.min_length:
            return f"The password needs at least {self.min_length} characters."
        if pw != self.repeat_edit.text():
            return "The two passwords differ."
        return ""

    def _update_ok(self) -> None:
        why = self.problem()
        self.hint.setText(why)
        self.ok_button.setEnabled(self.job is None and not why)
        self.ok_button.setToolTip(why)

    def submit(self) -> Optional[Job]:
        if self.job is not None or self.problem():
            return None
        login, name, pw = self.login_edit.text().strip(), self.name_edit.text(), self.password_edit.text()
        self.password_edit.clear()
        self.repeat_edit.clear()
        self.show_message("")
        self.job = self.runner.submit(create_admin, self.ws, login, name, pw, serial=True,
                                      title=f"Creating the administrator {login}",
                                      on_result=self._on_user, on_error=self._on_error,
                                      on_finished=self._on_finished)
        self._set_busy(True)
        return self.job


