"""Registry connections: the Connections dialog, the Add-registry dialog and the
database password dialog.

Everything that talks to the workspace, a registry server or the OS keyring runs in a
worker (:class:`console.ui.workers.JobRunner`): listing the registries together with the
keyring's state, adding, testing, syncing and removing.  One job at a time per dialog;
a sync shows a progress bar with the service's messages and a Cancel button.

Secrets (passwords, tokens) live only in the masked fields until they are handed to the
service, which puts them into the OS keyring (or, when the user chose so, into this
session's memory: :mod:`console.store.secrets`).  Nothing here writes them to
:class:`QSettings`, a log, a status message or an error text.  When no keyring is usable
the dialogs say so with the keyring's own reason and offer the session-only option
explicitly; there is no silent fallback.
"""

from __future__ import annotations

import html
from typing import Any, Callable, Optional, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.ui import fmt, theme
from console.ui.tablemodel import Column, ObjectTableModel, configure_table_view, select_row
from console.ui.widgets import busy_bar
from console.ui.workers import Job, JobRunner

__all__ = [
    "AUTH_CHOICES",
    "RegistriesModel",
    "AddRegistryDialog",
    "ConnectionsDialog",
    "DatabasePasswordDialog",
    "load_connections",
    "sync_summary",
    "sync_status_line",
    "keyring_status",
]

#: (value stored by the service, text shown) for the registry sign-in methods.
AUTH_CHOICES = (
    ("none", "No sign-in"),
    ("basic", "Username and password"),
    ("token", "Access token"),
)
_AUTH_TEXT = dict(AUTH_CHOICES)

#: How a registry's last sync outcome reads in the table (status word for the glyph, text).
_SYNC_STATUS = {
    None: ("never", "Never synced"),
    "ok": ("ok", "Synced"),
    "unreachable": ("unreachable", "Offline — unreachable"),
    "auth": ("auth", "Sign-in refused"),
    "error": ("error", "Sync failed"),
}


# ---------------------------------------------------------------- job functions
# Plain functions run in workers (progress/cancel like every Tollgate job).


def keyring_status(progress=None, cancel=None) -> Any:
    """The OS keyring's state (:class:`console.store.secrets.KeyringStatus`); may take a
    moment on Linux (D-Bus), hence a worker."""
    from console.store.secrets import SecretStore

    return SecretStore().status()


def load_connections(ws: Any, progress=None, cancel=None) -> tuple[list[Any], Any]:
    """The workspace's registries and the keyring's state, in one worker round."""
    return list(ws.list_registries()), keyring_status()


def _actor(widget: Any) -> str:
    """Who a change is recorded under: the main window's signed-in user (its ``actor()``,
    found through the parents), else the OS login."""
    w = widget
    while w is not None:
        fn = getattr(w, "actor", None)
        if callable(fn):
            return fn()
        w = w.parent()
    from console.services.workspace import default_actor

    return default_actor()


# ---------------------------------------------------------------- small helpers


def _sync_status(r: Any) -> tuple[str, str]:
    return _SYNC_STATUS.get(r.last_sync_status, ("error", str(r.last_sync_status)))


def _stats_text(stats: Optional[dict]) -> str:
    if not stats:
        return ""
    keys = (("models", "models"), ("versions", "versions"), ("new", "new"), ("changed", "changed"),
            ("deleted", "deleted"))
    parts = [f"{stats[k]} {label}" for k, label in keys if stats.get(k) is not None]
    return ", ".join(parts)


def _last_sync_tip(r: Any) -> str:
    lines = []
    if r.last_sync_at is None:
        return "Never synced: click Sync to pull this registry's models."
    lines.append(f"Last sync attempt: {fmt.datetime_utc(r.last_sync_at, seconds=True)}")
    if r.last_success_at is not None and r.last_success_at != r.last_sync_at:
        lines.append(f"Last successful sync: {fmt.datetime_utc(r.last_success_at, seconds=True)}")
    stats = _stats_text(r.last_sync_stats)
    if stats:
        lines.append(f"Pulled: {stats}")
    return "\n".join(lines)


def _auth_text(r: Any) -> str:
    text = _AUTH_TEXT.get(r.auth, r.auth)
    return f"{text} ({r.username})" if r.username else text


def _status_line(status: str, text: str) -> str:
    """Rich text: glyph + words in the status colour (never colour alone)."""
    style = theme.status_style(status)
    return (f'<span style="color:{style.colour}"><b>{theme.status_glyph(status)}</b></span> '
            f"{html.escape(text)}")


def _banner(parent: QWidget) -> QLabel:
    lab = QLabel(parent)
    lab.setTextFormat(Qt.TextFormat.RichText)
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


def keyring_html(status: Any) -> str:
    """The keyring's state in plain words (rich text for a label)."""
    if status is None:
        return _status_line("none", "Checking the OS keyring…")
    if status.usable:
        backend = status.backend.rsplit(".", 2)
        name = ".".join(backend[-2:]) if len(backend) > 1 else status.backend
        return _status_line("pass", f"Passwords and tokens are kept in the OS keyring ({name}), never in "
                                    "the workspace or a settings file.")
    return _status_line("warning", f"No usable OS keyring: {status.reason}.")


# ============================================================================ table


class RegistriesModel(ObjectTableModel):
    """The workspace's registry sources (:class:`RegistrySource` objects)."""

    NAME, URL, AUTH, LAST_SYNC, STATUS, ERROR = range(6)

    columns = (
        Column("Name", lambda r: r.name, tooltip=lambda r: f"{r.name} ({r.kind})", width=140),
        Column("URL", lambda r: r.url, tooltip=lambda r: r.url, width=200),
        Column("Sign-in", _auth_text, width=150),
        Column("Last sync", lambda r: fmt.relative_time(r.last_sync_at), sort_key=lambda r: r.last_sync_at,
               tooltip=_last_sync_tip, header_tip="Time of the last sync attempt (exact UTC time in the tooltip)",
               width=90),
        Column("Status", lambda r: _sync_status(r)[1], decoration=lambda r: theme.status_icon(_sync_status(r)[0]),
               foreground=lambda r: theme.status_colour(_sync_status(r)[0]),
               tooltip=lambda r: r.last_sync_error or _last_sync_tip(r), width=185),
        Column("Error", lambda r: r.last_sync_error or "", tooltip=lambda r: r.last_sync_error or None, width=260),
    )

    def row_key(self, obj: Any) -> Any:
        return obj.name

    def registry(self, row: int) -> Any:
        return self.row_object(row)


# ============================================================================ add dialog


class AddRegistryDialog(QDialog):
    """Name, URL, sign-in method, username and a masked password/token field.

    ``Test`` tries the connection with what is typed (nothing saved); ``Add`` asks the
    service to add the registry (in a worker) and closes on success.  With an unusable
    keyring the session-only box is checked, cannot be unchecked, and says why.
    """

    #: emitted with the new :class:`RegistrySource` once the service has added it, and
    #: whether its secret was kept for this session only
    added = Signal(object, bool)

    def __init__(self, ws: Any, runner: JobRunner, keyring: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self.keyring = keyring
        self._job: Optional[Job] = None
        self.setWindowTitle("Add an MLflow registry")
        self.setModal(True)
        self.setMinimumWidth(560)

        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("e.g. mlflow-prod (shown in the inventory's Source column)")
        self.name_edit.setAccessibleName("Registry name")
        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText("http://mlflow.example.com:5000")
        self.url_edit.setAccessibleName("Tracking server URL")
        self.auth_combo = QComboBox(self)
        for value, text in AUTH_CHOICES:
            self.auth_combo.addItem(text, value)
        self.auth_combo.setAccessibleName("Sign-in method")
        self.user_edit = QLineEdit(self)
        self.user_edit.setAccessibleName("Username")
        self.secret_edit = QLineEdit(self)
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setAccessibleName("Password or token")
        self.secret_label = QLabel("&Password:", self)
        self.secret_label.setBuddy(self.secret_edit)
        self.user_label = QLabel("&Username:", self)
        self.user_label.setBuddy(self.user_edit)

        self.keyring_label = _banner(self)
        self.keyring_label.setAccessibleName("OS keyring state")
        self.session_check = QCheckBox("Keep the secret for this session only", self)
        self.session_check.setAccessibleName("Keep the secret for this session only")
        self.session_note = QLabel(self)
        self.session_note.setWordWrap(True)
        self.session_note.setProperty("role", "muted")

        self.result_label = _banner(self)
        self.result_label.setAccessibleName("Connection test result")
        self.busy = busy_bar(self, "Testing the connection", height=10)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for text, w in (("&Name:", self.name_edit), ("&URL:", self.url_edit), ("&Sign-in:", self.auth_combo)):
            lab = QLabel(text, self)
            lab.setBuddy(w)
            form.addRow(lab, w)
        form.addRow(self.user_label, self.user_edit)
        form.addRow(self.secret_label, self.secret_edit)

        self.buttons = QDialogButtonBox(self)
        self.test_button = self.buttons.addButton("&Test connection", QDialogButtonBox.ButtonRole.ActionRole)
        self.add_button = self.buttons.addButton("&Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.add_button.setDefault(True)
        self.test_button.clicked.connect(self.test_connection)
        self.add_button.clicked.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addSpacing(4)
        lay.addWidget(self.keyring_label)
        lay.addWidget(self.session_check)
        lay.addWidget(self.session_note)
        lay.addWidget(self.result_label)
        lay.addWidget(self.busy)
        lay.addWidget(self.buttons)

        self.auth_combo.currentIndexChanged.connect(self._update_fields)
        self.session_check.toggled.connect(self._update_fields)
        self.set_keyring(keyring)
        self._update_fields()

    # -- state
    def set_keyring(self, status: Any) -> None:
        self.keyring = status
        self.keyring_label.setText(keyring_html(status))
        usable = status is not None and status.usable
        if status is not None and not usable:
            # no silent fallback: the only way to keep the secret is this session, and the
            # box says so (checked and locked, with the reason above)
            self.session_check.setChecked(True)
            self.session_check.setEnabled(False)
            self.session_check.setToolTip("No usable OS keyring: the secret can only be kept in memory "
                                          "for this session.")
        else:
            self.session_check.setEnabled(True)
            self.session_check.setToolTip("Keep the secret in memory only; it is forgotten when Tollgate exits.")
        self._update_fields()

    def _update_fields(self) -> None:
        auth = self.auth()
        self.user_edit.setEnabled(auth == "basic")
        self.user_label.setEnabled(auth == "basic")
        self.secret_edit.setEnabled(auth != "none")
        self.secret_label.setEnabled(auth != "none")
        self.secret_label.setText("&Token:" if auth == "token" else "&Password:")
        self.secret_edit.setAccessibleName("Access token" if auth == "token" else "Password")
        self.session_check.setVisible(auth != "none")
        self.keyring_label.setVisible(auth != "none")
        self.session_note.setVisible(auth != "none")
        if self.session_check.isChecked():
            self.session_note.setText(
                "The secret stays in this program's memory only and is forgotten when Tollgate exits; "
                "syncing after a restart asks for it again. It is never written to disk."
            )
        else:
            self.session_note.setText("The secret is stored in the OS keyring under this workspace and "
                                      "registry name; the workspace itself only records the URL and username.")

    def auth(self) -> str:
        return self.auth_combo.currentData() or "none"

    def values(self) -> dict[str, Any]:
        """What the service needs; the secret is read from the masked field only here."""
        auth = self.auth()
        return {
            "name": self.name_edit.text().strip(),
            "url": self.url_edit.text().strip(),
            "auth": auth,
            "username": (self.user_edit.text().strip() or None) if auth == "basic" else None,
            "secret": (self.secret_edit.text() or None) if auth != "none" else None,
            "session_only": self.session_check.isChecked() if auth != "none" else False,
        }

    def _missing(self, v: dict[str, Any], need_name: bool) -> Optional[str]:
        if need_name and not v["name"]:
            return "Give the registry a name (it is shown in the inventory's Source column)."
        if not v["url"]:
            return "Give the tracking server's URL, e.g. http://mlflow.example.com:5000."
        if v["auth"] == "basic" and not v["username"]:
            return "Give the username for the server's sign-in."
        if v["auth"] != "none" and not v["secret"]:
            return "Give the " + ("access token." if v["auth"] == "token" else "password.")
        return None

    @property
    def job(self) -> Optional[Job]:
        return self._job

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for w in (self.test_button, self.add_button):
            w.setEnabled(not busy)

    def _show(self, status: str, text: str) -> None:
        self.result_label.setText(_status_line(status, text))

    # -- actions
    def test_connection(self) -> Optional[Job]:
        if self._job is not None:
            return None
        v = self.values()
        problem = self._missing(v, need_name=False)
        if problem:
            self._show("warning", problem)
            return None
        self._show("none", f"Connecting to {v['url']}…")
        self._set_busy(True)
        self._job = self.runner.submit(
            _test_job, self.ws, None, v["url"], v["username"], v["auth"], v["secret"],
            title=f"Testing {v['url']}",
            on_result=lambda ms, url=v["url"]: self._show("pass", f"Reached {url}: round trip {fmt.milliseconds(ms)}."),
            on_error=lambda msg, det: self._show("fail", msg),
            on_finished=self._job_done,
        )
        return self._job

    def submit(self) -> Optional[Job]:
        if self._job is not None:
            return None
        v = self.values()
        problem = self._missing(v, need_name=True)
        if problem:
            self._show("warning", problem)
            return None
        self._show("none", f"Adding {v['name']}…")
        self._set_busy(True)
        self._job = self.runner.submit(
            _add_job, self.ws, v, _actor(self),
            title=f"Adding registry {v['name']}",
            serial=True,
            on_result=self._on_added,
            on_error=lambda msg, det: self._show("fail", msg),
            on_finished=self._job_done,
        )
        return self._job

    def _on_added(self, source: Any) -> None:
        self.secret_edit.clear()
        self.added.emit(source, self.values()["session_only"])
        self.accept()

    def _job_done(self) -> None:
        self._job = None
        self._set_busy(False)

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        self.secret_edit.clear()  # never keep a typed secret around in a hidden dialog
        super().done(result)


def _test_job(ws: Any, name: Optional[str], url: Optional[str], username: Optional[str], auth: str,
              secret: Optional[str], progress=None, cancel=None) -> float:
    if name is not None:
        return ws.test_registry(name)
    return ws.test_registry(url=url, username=username, auth=auth, secret=secret)


def _add_job(ws: Any, v: dict[str, Any], actor: str, progress=None, cancel=None) -> Any:
    return ws.add_registry(v["name"], v["url"], username=v["username"], auth=v["auth"], secret=v["secret"],
                           session_only=v["session_only"], actor=actor)


def _remove_job(ws: Any, name: str, actor: str, progress=None, cancel=None) -> str:
    ws.remove_registry(name, actor=actor)
    return name


def _sync_job(ws: Any, names: Optional[list[str]], actor: str, progress=None, cancel=None) -> list[Any]:
    return list(ws.sync_registries(names, actor=actor, progress=progress, cancel=cancel))


def sync_summary(results: Sequence[Any]) -> tuple[bool, list[tuple[str, str]]]:
    """``(all_ok, [(status, line), ...])`` for a list of ``SyncResult``: one plain line per
    registry (models, versions, new/changed/deleted and time, or its error)."""
    lines = []
    ok_all = True
    for r in results:
        if r.ok:
            lines.append(("pass", f"{r.source}: {r.models} models, {r.versions} versions "
                                  f"({r.new} new, {r.changed} changed, {r.deleted} deleted on server) "
                                  f"in {r.seconds:.1f} s"))
            skipped = (getattr(r, "detail", None) or {}).get("skipped_models")
            if skipped:
                from console.services.registry import MAX_MODEL_NAME

                lines.append(("warn", f"{r.source}: {skipped} models not pulled: their names are longer than "
                                      f"{MAX_MODEL_NAME} characters (shorten them on the server)"))
        else:
            ok_all = False
            error = r.error or "failed"
            keep = "" if "usable" in error else " — the models pulled before stay usable"
            lines.append(("fail", f"{r.source}: {error}{keep}"))
    return ok_all, lines


def sync_status_line(results: Sequence[Any]) -> tuple[bool, str]:
    """A short one-line outcome for a status bar: ``Synced mlflow-prod (12 models, 3 new)``
    or ``Sync incomplete: mlflow-dev unreachable (last pulled copy kept)``."""
    ok = [r for r in results if r.ok]
    bad = [r for r in results if not r.ok]
    parts = [f"{r.source} ({r.models} models, {r.versions} versions, {r.new} new, {r.changed} changed, "
             f"{r.deleted} deleted)" for r in ok]
    words = {"unreachable": "unreachable", "auth": "sign-in refused", "error": "failed"}
    parts += [f"{r.source} {words.get(getattr(r, 'status', 'error'), 'failed')} (last pulled copy kept)" for r in bad]
    if not results:
        return True, "No registry to sync."
    return not bad, ("Synced " if not bad else "Sync incomplete: ") + "; ".join(parts)


# ============================================================================ main dialog


class ConnectionsDialog(QDialog):
    """Registries of the workspace: list, add, test, sync (with progress and Cancel)
    and remove.  Non-modal; the main window keeps one instance.

    Signals: ``synced(list)`` with the ``SyncResult`` list after a sync (the main window
    reloads the inventory), ``registriesChanged()`` after an add or remove,
    ``message(str)`` with a one-line outcome for the status bar.
    """

    synced = Signal(object)
    registriesChanged = Signal()
    loaded = Signal(int)  # number of registries listed
    message = Signal(str)
    #: ``(ok, text)`` once any job of this dialog has ended (tests and the status bar)
    jobFinished = Signal(bool, str)

    def __init__(self, ws: Any, runner: Optional[JobRunner] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner or JobRunner(self)
        self.keyring: Any = None
        self._job: Optional[Job] = None
        self._job_kind = ""
        self._load_req = 0
        self._outcome: tuple[bool, str] = (True, "")
        self._status_text = ""  # a shorter outcome for the status bar, when different
        self.add_dialog: Optional[AddRegistryDialog] = None
        self.setWindowTitle("Registry connections")
        self.setMinimumSize(900, 420)
        self.resize(1180, 480)

        intro = QLabel("MLflow tracking servers this workspace pulls models from (read-only). Pulled models "
                       "appear in the inventory with the registry's name as their source; when a server is "
                       "unreachable, its last pulled copy stays usable and is marked offline.", self)
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")
        self.keyring_label = _banner(self)
        self.keyring_label.setAccessibleName("OS keyring state")
        self.keyring_label.setText(keyring_html(None))

        self.model = RegistriesModel(parent=self)
        self.table = QTableView(self)
        configure_table_view(self.table, self.model, "Registries")
        self.empty_label = QLabel("No registry yet. Click “Add…” to connect an MLflow tracking server.", self)
        self.empty_label.setProperty("role", "placeholder")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.add_button = QPushButton("&Add…", self)
        self.test_button = QPushButton("&Test", self)
        self.sync_button = QPushButton("&Sync", self)
        self.sync_all_button = QPushButton("Sync a&ll", self)
        self.remove_button = QPushButton("&Remove…", self)
        self.close_button = QPushButton("Close", self)
        self.add_button.setToolTip("Connect another MLflow tracking server")
        self.test_button.setToolTip("Connect to the selected registry and measure the round-trip time")
        self.sync_button.setToolTip("Pull the selected registry's models, versions, aliases and lineage")
        self.sync_all_button.setToolTip("Pull every registry; unreachable ones are marked offline, the others sync")
        self.remove_button.setToolTip("Forget the selected registry and its stored secret")
        st = self.style()
        self.sync_button.setIcon(st.standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.remove_button.setIcon(st.standardIcon(QStyle.StandardPixmap.SP_TrashIcon))
        self.add_button.clicked.connect(self.show_add_dialog)
        self.test_button.clicked.connect(lambda: self.test_selected())
        self.sync_button.clicked.connect(lambda: self.sync_selected())
        self.sync_all_button.clicked.connect(lambda: self.sync_all())
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        self.close_button.clicked.connect(self.close)
        delete = QAction("Remove registry", self.table)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(lambda: self.remove_selected())
        self.table.addAction(delete)

        self.result_label = _banner(self)
        self.result_label.setAccessibleName("Result of the last action")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName("Progress")
        self.progress_label = QLabel(self)
        self.progress_label.setAccessibleName("Progress message")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop the sync; what was pulled so far is not kept")
        self.cancel_button.clicked.connect(self.cancel_job)
        self.progress_row = QWidget(self)
        pr = QHBoxLayout(self.progress_row)
        pr.setContentsMargins(0, 0, 0, 0)
        pr.addWidget(self.progress_label, 1)
        pr.addWidget(self.progress, 0)
        pr.addWidget(self.cancel_button, 0)
        self.progress.setFixedWidth(240)
        self.progress_row.hide()

        side = QVBoxLayout()
        for b in (self.add_button, self.test_button, self.sync_button, self.sync_all_button):
            side.addWidget(b)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        side.addWidget(line)
        side.addWidget(self.remove_button)
        side.addStretch(1)
        side.addWidget(self.close_button)
        middle = QHBoxLayout()
        tl = QVBoxLayout()
        tl.addWidget(self.table, 1)
        tl.addWidget(self.empty_label, 1)
        middle.addLayout(tl, 1)
        middle.addLayout(side)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.keyring_label)
        lay.addLayout(middle, 1)
        lay.addWidget(self.result_label)
        lay.addWidget(self.progress_row)

        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.table.doubleClicked.connect(lambda _i: self.test_selected())
        self.empty_label.hide()
        self._update_buttons()

    # ------------------------------------------------------------------ loading
    def reload(self) -> Job:
        """List the registries and the keyring's state in a worker."""
        self._load_req += 1
        req = self._load_req
        return self.runner.submit(
            load_connections, self.ws, title="Listing the registries",
            on_result=lambda res, r=req: self._on_loaded(r, res),
            on_error=lambda msg, det, r=req: self._on_load_error(r, msg),
        )

    def _on_loaded(self, req: int, res: tuple[list[Any], Any]) -> None:
        if req != self._load_req:
            return
        registries, keyring = res
        self.keyring = keyring
        self.keyring_label.setText(keyring_html(keyring)
                                   + ("" if keyring.usable else " Secrets you add now are kept for this session "
                                      "only, in memory, and forgotten when Tollgate exits."))
        if self.add_dialog is not None:
            self.add_dialog.set_keyring(keyring)
        keep = self.selected_name()
        self.model.set_rows(registries)
        row = self.model.find_row(keep) if keep is not None else -1
        select_row(self.table, row if row >= 0 else 0)
        has = bool(registries)
        self.table.setVisible(has)
        self.empty_label.setVisible(not has)
        self._update_buttons()
        self.loaded.emit(len(registries))

    def _on_load_error(self, req: int, message: str) -> None:
        if req == self._load_req:
            self.result_label.setText(_status_line("fail", f"The registries could not be listed: {message}"))

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.reload()

    # ------------------------------------------------------------------ selection / buttons
    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.model.registry(rows[0].row()) if rows else None

    def selected_name(self) -> Optional[str]:
        r = self.selected()
        return r.name if r is not None else None

    def select_name(self, name: str) -> bool:
        row = self.model.find_row(name)
        return row >= 0 and select_row(self.table, row)

    def _update_buttons(self) -> None:
        busy = self._job is not None
        sel = self.selected() is not None
        self.add_button.setEnabled(not busy)
        self.test_button.setEnabled(sel and not busy)
        self.sync_button.setEnabled(sel and not busy)
        self.sync_all_button.setEnabled(self.model.total_count() > 0 and not busy)
        self.remove_button.setEnabled(sel and not busy)

    @property
    def job(self) -> Optional[Job]:
        return self._job

    # ------------------------------------------------------------------ jobs
    def _start(self, kind: str, fn: Callable, *args: Any, title: str, on_result: Callable[[Any], None],
               determinate: bool = False, cancellable: bool = False, serial: bool = False) -> Optional[Job]:
        if self._job is not None:
            return None
        self._job_kind = kind
        self._outcome = (False, f"{title} failed.")
        self.progress.setRange(0, 1000 if determinate else 0)
        self.progress.setValue(0)
        self.progress_label.setText(title + "…")
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(True)
        self.progress_row.show()
        self._job = self.runner.submit(
            fn, *args, title=title, serial=serial,
            on_progress=self._on_progress,
            on_result=on_result,
            on_error=lambda msg, det, t=title: self._on_error(t, msg, det),
            on_cancelled=lambda msg, t=title: self._on_cancelled(t),
            on_finished=self._on_finished,
        )
        self._update_buttons()
        return self._job

    def _on_progress(self, fraction: float, message: str) -> None:
        if self.progress.maximum() > 0:
            self.progress.setValue(int(round(fraction * 1000)))
        if message:
            self.progress_label.setText(message)

    def _on_error(self, title: str, message: str, details: str) -> None:
        text = f"{title} failed: {message}"
        self.result_label.setText(_status_line("fail", text))
        if details:  # a bug, not a plain error: keep the traceback reachable
            self.result_label.setToolTip(details)
        self._outcome = (False, text)

    def _on_cancelled(self, title: str) -> None:
        text = f"{title} cancelled; nothing was saved."
        self.result_label.setText(_status_line("skipped", text))
        self._outcome = (False, text)

    def _on_finished(self) -> None:
        self._job = None
        self.progress_row.hide()
        self._update_buttons()
        ok, text = self._outcome
        self.message.emit(self._status_text or text)
        self._status_text = ""
        self.jobFinished.emit(ok, text)

    def cancel_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText("Cancelling…")

    # -- test
    def test_selected(self) -> Optional[Job]:
        r = self.selected()
        if r is None:
            return None
        return self._start("test", _test_job, self.ws, r.name, None, None, "none", None,
                           title=f"Testing {r.name}",
                           on_result=lambda ms, name=r.name, url=r.url: self._on_tested(name, url, ms))

    def _on_tested(self, name: str, url: str, ms: float) -> None:
        text = f"{name}: reached {url}, round trip {fmt.milliseconds(ms)}."
        self.result_label.setText(_status_line("pass", text))
        self.result_label.setToolTip("")
        self._outcome = (True, text)

    # -- sync
    def sync_selected(self) -> Optional[Job]:
        r = self.selected()
        return self._sync([r.name], f"Syncing {r.name}") if r is not None else None

    def sync_all(self) -> Optional[Job]:
        if not self.model.total_count():
            return None
        return self._sync(None, "Syncing every registry")

    def _sync(self, names: Optional[list[str]], title: str) -> Optional[Job]:
        return self._start("sync", _sync_job, self.ws, names, _actor(self), title=title, on_result=self._on_synced,
                           determinate=True, cancellable=True, serial=True)

    def _on_synced(self, results: list[Any]) -> None:
        ok, lines = sync_summary(results)
        self.result_label.setText("<br>".join(_status_line(st, text) for st, text in lines) or "Nothing to sync.")
        self.result_label.setToolTip("")
        self._outcome = (ok, "; ".join(text for _st, text in lines) or "Nothing to sync.")
        self._status_text = sync_status_line(results)[1]
        self.synced.emit(results)
        self.reload()

    # -- add
    def show_add_dialog(self) -> AddRegistryDialog:
        """Open the Add dialog (window-modal, non-blocking); returns it."""
        old = self.add_dialog
        if old is not None and old.job is None:
            old.deleteLater()  # one in a job is left to finish; its callbacks need it alive
        dlg = AddRegistryDialog(self.ws, self.runner, self.keyring, self)
        dlg.added.connect(self._on_added)
        self.add_dialog = dlg
        dlg.open()
        if self.keyring is None:
            self.runner.submit(keyring_status, title="Checking the OS keyring",
                               on_result=lambda st, d=dlg: self._keyring_for(d, st))
        return dlg

    def _keyring_for(self, dlg: AddRegistryDialog, status: Any) -> None:
        self.keyring = status
        if self.add_dialog is dlg:
            dlg.set_keyring(status)

    def _on_added(self, source: Any, session_only: bool) -> None:
        text = f"Added registry {source.name}. Click Sync to pull its models." + (
            " Its secret is kept for this session only." if session_only else "")
        self.result_label.setText(_status_line("pass", text))
        self.message.emit(text)
        self.registriesChanged.emit()
        job = self.reload()
        job.signals.result.connect(lambda _r, name=source.name: self.select_name(name))

    # -- remove
    def confirm_remove(self, name: str) -> bool:
        """Ask before removing (replaced in tests)."""
        answer = QMessageBox.question(
            self, "Remove registry",
            f"Remove the registry “{name}” from this workspace?\n\nIts stored password or token is deleted "
            "from the keyring. Models pulled from it stay in the inventory with their history; they are no "
            "longer synced.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def remove_selected(self) -> Optional[Job]:
        r = self.selected()
        if r is None or self._job is not None or not self.confirm_remove(r.name):
            return None
        return self._start("remove", _remove_job, self.ws, r.name, _actor(self), title=f"Removing {r.name}",
                           on_result=self._on_removed, serial=True)

    def _on_removed(self, name: str) -> None:
        text = f"Removed registry {name}."
        self.result_label.setText(_status_line("pass", text))
        self._outcome = (True, text)
        self.registriesChanged.emit()
        self.reload()


# ============================================================================ database password


class DatabasePasswordDialog(QDialog):
    """Ask for a shared workspace's database password (masked).

    ``Remember in the OS keyring`` is offered when the keyring is usable; otherwise it is
    disabled with the keyring's reason, and the password is kept for this session only.
    """

    def __init__(self, label: str, message: str, keyring: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Workspace password")
        self.setModal(True)
        self.setMinimumWidth(520)
        head = QLabel(f"<b>{html.escape(label)}</b>", self)
        head.setTextFormat(Qt.TextFormat.RichText)
        head.setWordWrap(True)
        self.message_label = QLabel(message, self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Database password")
        self.remember_check = QCheckBox("&Remember in the OS keyring", self)
        self.keyring_label = _banner(self)
        self.keyring_label.setAccessibleName("OS keyring state")
        form = QFormLayout()
        pl = QLabel("&Password:", self)
        pl.setBuddy(self.password_edit)
        form.addRow(pl, self.password_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Open workspace")
        buttons.accepted.connect(self._accept_if_filled)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(self.message_label)
        lay.addLayout(form)
        lay.addWidget(self.remember_check)
        lay.addWidget(self.keyring_label)
        lay.addWidget(buttons)
        self.set_keyring(keyring)

    def set_keyring(self, status: Any) -> None:
        usable = status is not None and status.usable
        self.remember_check.setEnabled(usable)
        if not usable:
            self.remember_check.setChecked(False)
        self.remember_check.setToolTip("" if usable else "No usable OS keyring; the password is kept for this "
                                                         "session only")
        if status is None:
            self.keyring_label.setText(keyring_html(None))
        elif usable:
            self.keyring_label.setText(keyring_html(status) + " Unchecked, the password is kept for this "
                                                              "session only.")
        else:
            self.keyring_label.setText(keyring_html(status) + " The password is kept for this session only, "
                                                              "in memory, and forgotten when Tollgate exits.")

    def _accept_if_filled(self) -> None:
        if self.password_edit.text():
            self.accept()
        else:
            self.password_edit.setFocus()

    def password(self) -> str:
        return self.password_edit.text()

    def remember(self) -> bool:
        return self.remember_check.isEnabled() and self.remember_check.isChecked()

    def clear(self) -> None:
        self.password_edit.clear()
