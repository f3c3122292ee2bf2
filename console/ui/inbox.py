"""The signed-in user's in-app inbox (issue 5: Informed people are notified).

:class:`InboxButton` is a small "Inbox (N)" status-bar button with the number of unread
notifications (:func:`console.services.approvals.inbox`), reloaded in a worker with the
inventory; clicking it shows :class:`InboxDialog` with the newest notifications and
marks the unread ones read (:func:`console.services.approvals.mark_read`, in a worker).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.ui import fmt, theme
from console.ui.tablemodel import Column, ObjectTableModel, configure_table_view

__all__ = ["InboxButton", "InboxDialog", "NotificationsModel", "load_inbox", "mark_inbox_read"]

#: How many notifications the dialog lists (newest first).
LIST_LIMIT = 200


def load_inbox(ws: Any, user: Any, progress=None, cancel=None) -> list:
    """The user's newest notifications (read and unread)."""
    from console.services import approvals

    return approvals.inbox(ws, user, limit=LIST_LIMIT)


def mark_inbox_read(ws: Any, user: Any, ids: Sequence[int], progress=None, cancel=None) -> int:
    from console.services import approvals

    return approvals.mark_read(ws, user, list(ids))


class NotificationsModel(ObjectTableModel):
    columns = (
        Column("", lambda n: "New" if n.read_at is None else "Read", sort_key=lambda n: n.read_at is not None,
               font=lambda n: theme.bold(_font()) if n.read_at is None else None, width=56),
        Column("When (UTC)", lambda n: fmt.datetime_utc(n.created_at, suffix=False), sort_key=lambda n: n.created_at,
               width=130),
        Column("Notification", lambda n: n.text, tooltip=lambda n: n.text
               + (f"\nApproval request #{n.request_id}" if n.request_id is not None else ""), width=520),
    )


def _font():
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.font()


class InboxDialog(QDialog):
    """The notifications, newest first (the unread ones marked "New")."""

    def __init__(self, rows: Sequence[Any], user: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Inbox — {user.display_name}")
        self.setAccessibleName("Inbox")
        self.resize(760, 420)
        self.model = NotificationsModel(rows, self)
        self.table = QTableView(self)
        configure_table_view(self.table, self.model, "Notifications")
        unread = sum(1 for n in rows if n.read_at is None)
        head = QLabel(f"{len(rows)} notification{'s' if len(rows) != 1 else ''}, {unread} new (now marked read)"
                      if rows else "No notifications.", self)
        head.setProperty("role", "muted")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(self.table, 1)
        lay.addWidget(buttons)


class InboxButton(QToolButton):
    """"Inbox (N)" for the signed-in user; disabled with a tooltip when nobody is.

    :meth:`bind` (workspace, runner), :meth:`set_user`, :meth:`reload` (in a worker).
    Signals ``loaded(int)`` (unread count) and ``marked(int)`` (how many were marked read).
    """

    loaded = Signal(int)
    marked = Signal(int)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ws: Any = None
        self.runner: Any = None
        self.user: Any = None
        self.rows: list = []
        self.dialog: Optional[InboxDialog] = None
        self._req = 0
        self._busy = False
        self._pending = False  # a reload asked while one runs: done right after it
        self._loaded_once = False
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogInfoView))
        self.setAccessibleName("Inbox")
        self.clicked.connect(self.show_inbox)
        self._show()

    def bind(self, ws: Any, runner: Any) -> None:
        self.ws, self.runner = ws, runner
        self.reload()

    def set_user(self, user: Any) -> None:
        self.user = user
        self.rows = []
        self._loaded_once = False
        self._req += 1  # a read for the previous user is dropped
        self._show()
        self.reload()

    @property
    def unread(self) -> int:
        return sum(1 for n in self.rows if n.read_at is None)

    def _show(self) -> None:
        if self.user is None:
            self.setText("Inbox")
            self.setEnabled(False)
            self.setToolTip("Sign in to see your notifications")
            return
        n = self.unread
        self.setEnabled(self.ws is not None)
        self.setText(f"Inbox ({n})" if self._loaded_once else "Inbox (…)")
        font = self.font()
        font.setBold(n > 0)
        self.setFont(font)
        self.setToolTip(f"{n} unread notification{'s' if n != 1 else ''} for {self.user.display_name}; "
                        "click to read them")

    def reload(self) -> None:
        if self.ws is None or self.runner is None or self.user is None:
            return
        if self._busy:
            self._pending = True
            return
        self._busy = True
        self._req += 1
        req, user = self._req, self.user
        self.runner.submit(load_inbox, self.ws, user, title="Reading the inbox",
                           on_result=lambda rows, r=req: self._on_loaded(r, rows),
                           on_error=lambda m, _d: self.setToolTip(f"The inbox could not be read: {m}"),
                           on_finished=self._done)

    def _done(self) -> None:
        self._busy = False
        if self._pending:
            self._pending = False
            self.reload()

    def _on_loaded(self, req: int, rows: list) -> None:
        if req != self._req:
            return
        self.rows = list(rows)
        self._loaded_once = True
        self._show()
        self.loaded.emit(self.unread)

    def show_inbox(self) -> Optional[InboxDialog]:
        """List the notifications and mark the unread ones read (in a worker)."""
        if self.user is None or self.ws is None:
            return None
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = InboxDialog(self.rows, self.user, self.window())
        self.dialog.open()
        ids = [n.id for n in self.rows if n.read_at is None]
        if ids:
            self.runner.submit(mark_inbox_read, self.ws, self.user, ids, title="Marking notifications read",
                               serial=True, on_result=self._on_marked)
        return self.dialog

    def _on_marked(self, n: int) -> None:
        self._req += 1  # a read still in flight would bring the old counts back
        self.marked.emit(n)
        self.reload()
