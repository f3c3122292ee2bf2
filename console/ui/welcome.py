"""First run: the welcome page, recent workspaces, and the :class:`Launcher` that opens
main windows.

The welcome page offers the three ways in: open the demo workspace (built in a worker,
with progress and Cancel, by :func:`console.services.demo.build_demo` when the default
workspace has no models yet), create an empty local workspace (a SQLite file), or
connect to a shared one (a PostgreSQL URL; the password is asked for by the main window
and kept in the OS keyring, never in the settings).  Recent workspaces are kept in
QSettings (``workspaces/recent``, newest first, at most :data:`MAX_RECENT`), always
without a password: :func:`strip_secret` drops it from URLs before anything is stored.

Which page ``tollgate`` opens (no ``--workspace``): the welcome page when no workspace
was ever opened (first run), else the most recently used workspace.  ``--workspace``
opens that workspace; ``gui --screenshot`` never shows the welcome page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.ui import theme
from console.ui.workers import Job, JobRunner

__all__ = ["Launcher", "WelcomePage", "recent_workspaces", "remember_workspace", "forget_workspace",
           "strip_secret", "prepare_demo", "create_workspace", "MAX_RECENT"]

RECENT_KEY = "workspaces/recent"
MAX_RECENT = 8
_SECRET_QUERY_KEYS = {"password", "passwd", "pwd", "token", "secret", "sslpassword"}


# ------------------------------------------------------------------ recent workspaces
def strip_secret(location: Any) -> str:
    """The location as text without any password or secret query parameter.

    ``postgresql+psycopg://ana:s3cret@db/x?sslmode=require&password=y`` ->
    ``postgresql+psycopg://ana@db/x?sslmode=require``; a file path is returned as is
    (resolved to an absolute path)."""
    text = str(location)
    if "://" not in text:
        return str(Path(text).expanduser().resolve())
    parts = urlsplit(text)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{host}" if user else host
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k.lower() not in _SECRET_QUERY_KEYS])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def recent_workspaces() -> list[str]:
    """Recently opened workspaces (password-free), newest first."""
    value = QSettings().value(RECENT_KEY, [])
    if isinstance(value, str):
        value = [value] if value else []
    return [str(v) for v in (value or []) if str(v)][:MAX_RECENT]


def remember_workspace(location: Any) -> str:
    """Put ``location`` (password stripped) at the top of the recent list; returns it."""
    entry = strip_secret(location)
    items = [entry] + [x for x in recent_workspaces() if x != entry]
    QSettings().setValue(RECENT_KEY, items[:MAX_RECENT])
    return entry


def forget_workspace(location: str) -> None:
    """Remove ``location`` from the recent list (the workspace itself is untouched)."""
    QSettings().setValue(RECENT_KEY, [x for x in recent_workspaces() if x != location])


def recent_label(location: str) -> str:
    """How a recent entry is listed: ``demo.sqlite — /home/ana/…`` or the URL."""
    if "://" in location:
        return location
    p = Path(location)
    return f"{p.name} — {p.parent}"


def default_location() -> str:
    from console.paths import default_workspace_path

    return str(default_workspace_path())


# ------------------------------------------------------------------ jobs (workers)
def prepare_demo(location: Optional[str] = None, progress=None, cancel=None) -> dict[str, Any]:
    """Open (creating it if needed) the workspace at ``location`` (default: the user's
    default workspace) and, when it has no models, build the demo into it with
    :func:`console.services.demo.build_demo`.  Returns ``{"location", "models",
    "built": bool}``.  Raises ``Cancelled`` when cancelled (what was committed stays:
    the build is idempotent and resumes next time)."""
    from console.services.demo import build_demo
    from console.services.workspace import Workspace

    loc = location or default_location()
    if progress:
        progress(0.0, "Opening the workspace")
    ws = Workspace.open(loc)
    try:
        n = len(ws.list_models())
        built = False
        if n == 0:
            summary = build_demo(ws, progress=progress, cancel=cancel)
            n, built = int(summary["models"]), True
        return {"location": loc, "models": n, "built": built}
    finally:
        ws.close()


def create_workspace(path: str, progress=None, cancel=None) -> str:
    """Create (and migrate) an empty SQLite workspace at ``path``; returns the path.
    Raises ``WorkspaceError`` when it cannot be created."""
    from console.services.workspace import Workspace

    Workspace.open(path).close()
    return path


# ------------------------------------------------------------------ the page
def _card(parent: QWidget, title: str, text: str) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame(parent)
    card.setProperty("role", "card")
    lay = QVBoxLayout(card)
    lay.setContentsMargins(16, 14, 16, 14)
    lay.setSpacing(8)
    head = QLabel(title, card)
    head.setProperty("role", "section")
    body = QLabel(text, card)
    body.setWordWrap(True)
    body.setProperty("role", "muted")
    lay.addWidget(head)
    lay.addWidget(body)
    return card, lay


class WelcomePage(QWidget):
    """The welcome page: demo / new local workspace / shared workspace / recent ones.

    ``openRequested(location)`` asks the launcher to open a workspace (a path or URL).
    The demo is prepared in a worker with progress and Cancel first.  The file dialogs
    are the methods :meth:`ask_new_path` / :meth:`ask_open_path` (replaced in tests).
    """

    openRequested = Signal(str)
    #: a job (demo build, workspace creation) ended: message, success
    jobFinished = Signal(str, bool)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Welcome to Tollgate")
        self.runner = JobRunner(self)
        self.job: Optional[Job] = None

        title = QLabel("Welcome to Tollgate", self)
        title.setProperty("role", "title")
        sub = QLabel("Inventory, validation, drift monitoring, approvals and audit trail of your "
                     "machine-learning models — on this computer or on your team's shared database. "
                     "Pick a workspace to start; you can switch later with File → Open Recent.", self)
        sub.setWordWrap(True)
        sub.setProperty("role", "subtitle")

        # demo
        demo, dl = _card(self, "Explore the demo",
                         "Five real models trained on public data (UCI Bank Marketing, Adult census income, "
                         "Bike sharing) with validation runs, drift monitoring, findings and approvals. "
                         "Built once into your default workspace (a minute or two the first time), "
                         "then opened directly.")
        self.demo_button = QPushButton("Open the &demo workspace", demo)
        self.demo_button.setDefault(True)
        self.demo_button.setAccessibleName("Open the demo workspace")
        self.demo_button.setToolTip(f"Opens (building it if needed) {default_location()}")
        self.demo_button.clicked.connect(self.open_demo)
        dl.addStretch(1)
        dl.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignLeft)

        # local
        local, ll = _card(self, "Work on this computer",
                          "A workspace is a single file (SQLite). Create an empty one for your own models, "
                          "or open one a colleague sent you.")
        self.new_button = QPushButton("&Create an empty workspace…", local)
        self.new_button.setAccessibleName("Create an empty local workspace")
        self.new_button.clicked.connect(self.create_local)
        self.open_button = QPushButton("&Open a workspace file…", local)
        self.open_button.setAccessibleName("Open a workspace file")
        self.open_button.clicked.connect(self.open_local)
        ll.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.open_button)
        row.addStretch(1)
        ll.addLayout(row)

        # shared
        shared, sl = _card(self, "Connect to a shared workspace",
                           "Your team's PostgreSQL database. Leave the password out of the URL: you will be "
                           "asked for it, and it can be kept in your operating system's keyring "
                           "(never in Tollgate's settings).")
        self.url_edit = QLineEdit(shared)
        self.url_edit.setPlaceholderText("postgresql+psycopg://USER@HOST:5432/DATABASE")
        self.url_edit.setAccessibleName("Shared workspace URL")
        self.url_edit.setClearButtonEnabled(True)
        self.url_edit.returnPressed.connect(self.connect_shared)
        self.connect_button = QPushButton("Co&nnect", shared)
        self.connect_button.setAccessibleName("Connect to the shared workspace")
        self.connect_button.clicked.connect(self.connect_shared)
        self.url_edit.textChanged.connect(lambda t: self.connect_button.setEnabled("://" in t))
        self.connect_button.setEnabled(False)
        url_lbl = QLabel("Database &URL:", shared)
        url_lbl.setBuddy(self.url_edit)
        sl.addStretch(1)
        sl.addWidget(url_lbl)
        row2 = QHBoxLayout()
        row2.addWidget(self.url_edit, 1)
        row2.addWidget(self.connect_button)
        sl.addLayout(row2)

        cards = QHBoxLayout()
        cards.setSpacing(12)
        for c in (demo, local, shared):
            cards.addWidget(c, 1)

        # recent
        recent_lbl = QLabel("&Recent workspaces", self)
        recent_lbl.setProperty("role", "section")
        self.recent_list = QListWidget(self)
        self.recent_list.setAccessibleName("Recent workspaces")
        self.recent_list.setToolTip("Enter or double-click opens; Delete removes the entry from this list "
                                    "(the workspace itself is kept)")
        self.recent_list.itemActivated.connect(lambda item: self._open_recent(item))
        recent_lbl.setBuddy(self.recent_list)
        forget = QAction("Remove from the list", self.recent_list)
        forget.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        forget.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        forget.triggered.connect(self.forget_selected)
        self.recent_list.addAction(forget)
        self.recent_list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.recent_empty = QLabel("No recent workspaces yet.", self)
        self.recent_empty.setProperty("role", "muted")

        # progress of the demo build / creation
        self.progress_label = QLabel(self)
        self.progress_label.setAccessibleName("Progress")
        self.progress_label.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName("Demo build progress")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel building the demo")
        self.cancel_button.clicked.connect(self.cancel)
        prog = QHBoxLayout()
        prog.addWidget(self.progress_label, 1)
        prog.addWidget(self.progress)
        prog.addWidget(self.cancel_button)
        for w in (self.progress, self.cancel_button):
            w.hide()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 28, 32, 20)
        outer.setSpacing(12)
        outer.addWidget(title)
        outer.addWidget(sub)
        outer.addSpacing(8)
        outer.addLayout(cards)
        outer.addSpacing(8)
        outer.addWidget(recent_lbl)
        outer.addWidget(self.recent_empty)
        outer.addWidget(self.recent_list, 1)
        outer.addStretch(0)
        outer.addLayout(prog)

        self.setTabOrder(self.demo_button, self.new_button)
        self.setTabOrder(self.new_button, self.open_button)
        self.setTabOrder(self.open_button, self.url_edit)
        self.setTabOrder(self.url_edit, self.connect_button)
        self.setTabOrder(self.connect_button, self.recent_list)
        self.reload_recent()

    # ------------------------------------------------------------------ recent
    def reload_recent(self) -> None:
        self.recent_list.clear()
        for loc in recent_workspaces():
            item = QListWidgetItem(recent_label(loc), self.recent_list)
            item.setData(Qt.ItemDataRole.UserRole, loc)
            item.setToolTip(loc)
            exists = "://" in loc or Path(loc).exists()
            if not exists:
                item.setText(item.text() + "  (file not found)")
                item.setIcon(theme.status_icon("skipped"))
        has = self.recent_list.count() > 0
        self.recent_list.setVisible(has)
        self.recent_empty.setVisible(not has)
        if has:
            self.recent_list.setCurrentRow(0)

    def _open_recent(self, item: QListWidgetItem) -> None:
        loc = item.data(Qt.ItemDataRole.UserRole)
        if loc:
            self.openRequested.emit(str(loc))

    def forget_selected(self) -> None:
        item = self.recent_list.currentItem()
        if item is not None:
            forget_workspace(str(item.data(Qt.ItemDataRole.UserRole)))
            self.reload_recent()
            self.set_message("Removed from the recent list (the workspace itself was not touched).")

    # ------------------------------------------------------------------ actions
    def ask_new_path(self) -> Optional[str]:
        """Where to create an empty workspace (a save dialog; replaced in tests)."""
        path, _ = QFileDialog.getSaveFileName(self, "Create an empty workspace",
                                              str(Path.home() / "workspace.sqlite"),
                                              "Tollgate workspaces (*.sqlite *.db)")
        return path or None

    def ask_open_path(self) -> Optional[str]:
        """An existing workspace file (an open dialog; replaced in tests)."""
        path, _ = QFileDialog.getOpenFileName(self, "Open a workspace", str(Path.home()),
                                              "Tollgate workspaces (*.sqlite *.db);;All files (*)")
        return path or None

    def open_demo(self) -> Optional[Job]:
        """Prepare the demo in the default workspace (worker), then ask to open it."""
        return self._start(prepare_demo, None, title="Preparing the demo workspace",
                           on_result=self._on_demo)

    def _on_demo(self, info: dict[str, Any]) -> None:
        text = (f"Demo ready: {info['models']} models" + (" (just built)." if info["built"] else "."))
        self.set_message(text)
        self._outcome = (text, True)
        self.openRequested.emit(str(info["location"]))

    def create_local(self) -> Optional[Job]:
        path = self.ask_new_path()
        if not path:
            return None
        if not Path(path).suffix:
            path += ".sqlite"
        if Path(path).exists():
            self.set_message(f"{path} already exists: opening it.")
            self.openRequested.emit(path)
            return None
        return self._start(create_workspace, path, title=f"Creating {Path(path).name}",
                           on_result=lambda p: self.openRequested.emit(str(p)))

    def open_local(self) -> None:
        path = self.ask_open_path()
        if path:
            self.openRequested.emit(path)

    def connect_shared(self) -> None:
        url = self.url_edit.text().strip()
        if "://" not in url:
            self.set_message("Type a database URL such as postgresql+psycopg://USER@HOST/DATABASE.")
            return
        self.openRequested.emit(url)

    # ------------------------------------------------------------------ jobs
    def set_message(self, text: str) -> None:
        self.progress_label.setText(text)

    def _start(self, fn: Any, *args: Any, title: str, on_result: Any) -> Optional[Job]:
        if self.job is not None:
            return None
        self._outcome: Optional[tuple[str, bool]] = None
        self.progress.setValue(0)
        for w in (self.progress, self.cancel_button):
            w.show()
        for b in (self.demo_button, self.new_button, self.open_button, self.connect_button):
            b.setEnabled(False)
        self.set_message(title + "…")

        def progress(fraction: float, message: str) -> None:
            self.progress.setValue(int(round(fraction * 1000)))
            if message:
                self.set_message(f"{title}: {message}")

        def error(message: str, details: str) -> None:
            from console.ui.errors import show_error

            self._outcome = (f"{title} failed.", False)
            self.set_message(f"{title} failed: {message}")
            show_error(self, f"{title} failed.", message, details)

        def cancelled(_m: str) -> None:
            self._outcome = (f"{title} cancelled. What was built so far is kept; "
                             "opening the demo again continues.", False)
            self.set_message(self._outcome[0])

        def finished() -> None:
            self.job = None
            for w in (self.progress, self.cancel_button):
                w.hide()
            for b in (self.demo_button, self.new_button, self.open_button):
                b.setEnabled(True)
            self.connect_button.setEnabled("://" in self.url_edit.text())
            text, ok = self._outcome or ("Done.", True)
            self.jobFinished.emit(text, ok)

        self.job = self.runner.submit(fn, *args, title=title, on_progress=progress, on_result=on_result,
                                      on_error=error, on_cancelled=cancelled, on_finished=finished)
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.set_message("Cancelling…")

    def shutdown(self) -> None:
        self.runner.shutdown(15000)


class WelcomeWindow(QWidget):
    """The welcome page as a top-level window."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Welcome — Tollgate")
        self.setWindowIcon(theme.app_icon())
        self.page = WelcomePage(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.page)
        self.resize(1100, 700)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.page.shutdown()
        super().closeEvent(event)


# ------------------------------------------------------------------ launcher
class Launcher(QObject):
    """Opens main windows and the welcome window; one per application.

    ``sign_in``/``restore_state``/``warm_up`` are passed to every
    :class:`~console.ui.main_window.MainWindow`.  ``windowOpened(window)`` fires for each
    main window created.
    """

    windowOpened = Signal(object)
    welcomeShown = Signal(object)

    def __init__(self, *, sign_in: bool = True, restore_state: bool = True, warm_up: bool = True,
                 parent: Optional[QObject] = None) -> None:
        super().__init__(parent if parent is not None else QApplication.instance())
        self.sign_in = sign_in
        self.restore_state = restore_state
        self.warm_up = warm_up
        self.windows: list[Any] = []
        self.welcome: Optional[WelcomeWindow] = None

    def show_welcome(self) -> WelcomeWindow:
        if self.welcome is None:
            self.welcome = WelcomeWindow()
            self.welcome.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.welcome.page.openRequested.connect(self.open_workspace)
            self.welcome.destroyed.connect(lambda *_: setattr(self, "welcome", None))
        self.welcome.page.reload_recent()
        self.welcome.show()
        self.welcome.raise_()
        self.welcome.activateWindow()
        self.welcomeShown.emit(self.welcome)
        return self.welcome

    def open_workspace(self, location: Any) -> Any:
        """Open a main window on ``location`` (started at once), remember it as recent,
        and close the welcome window.  Returns the window."""
        from console.ui.main_window import MainWindow

        if location is not None:
            remember_workspace(location)
        w = MainWindow(location, restore_state=self.restore_state, warm_up=self.warm_up, sign_in=self.sign_in)
        w.launcher = self
        w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        w.destroyed.connect(lambda *_, win=w: self.windows.remove(win) if win in self.windows else None)
        self.windows.append(w)
        w.show()
        QTimer.singleShot(0, w.start)
        if self.welcome is not None:
            self.welcome.close()
        self.windowOpened.emit(w)
        return w

    def shutdown(self) -> None:
        for w in list(self.windows):
            try:
                w.shutdown()
            except RuntimeError:  # already deleted
                pass
        if self.welcome is not None:
            self.welcome.page.shutdown()


def startup_location(requested: Any) -> tuple[bool, Any]:
    """What ``tollgate`` opens: ``(show_welcome, location)``.  A ``requested`` location
    (``--workspace``) wins; else the most recent workspace; else (first run) the
    welcome page."""
    if requested is not None:
        return False, requested
    recent = recent_workspaces()
    if recent:
        return False, recent[0]
    return True, None
