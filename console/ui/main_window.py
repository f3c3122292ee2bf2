"""The Tollgate main window: inventory on top, model detail below, actions, status bar.

Everything that may touch the workspace database (open, list, get, validate, export)
runs in a worker (:mod:`console.ui.workers`); results come back as signals and are
applied only if they still belong to the current request (a detail that arrives after
the user selected another model is dropped).
"""

from __future__ import annotations

import importlib
import re
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStyle,
    QToolBar,
    QToolButton,
    QWidget,
)

from console.domain.models import ModelDetail, ModelSummary, ValidationRun
from console.errors import ConcurrentChangeError, WorkspaceAuthError
from console.ui import theme
from console.ui.connections import ConnectionsDialog, DatabasePasswordDialog, keyring_status, sync_status_line
from console.ui.detail import DetailPanel
from console.ui.approvals_view import badge_icon
from console.ui.inventory import InventoryPanel
from console.ui.signin import user_line
from console.ui.workers import Job, JobRunner

__all__ = ["MainWindow"]

#: Libraries imported in a worker once the window is up, so that the first click on
#: "Run validation" or "Export" does not stall on imports (STYLE.md).
WARM_UP_MODULES = (
    "pandas",
    "scipy.stats",
    "sklearn.metrics",
    "sklearn.pipeline",
    "skops.io",
    "reportlab.pdfgen.canvas",
    "console.validation.checks",
    "console.reports.audit",
)


# ---------------------------------------------------------------- job functions
# Plain functions run in workers; each takes progress/cancel like every Tollgate job.


def open_workspace(location: Any, progress=None, cancel=None):
    from console.services.workspace import Workspace

    return Workspace.open(location)


def open_workspace_with_password(location: Any, password: str, remember: bool, progress=None, cancel=None):
    """Open a shared workspace with a password typed by the user.

    :func:`console.store.db.remember_database_password` checks the password against
    the server first (a wrong one raises ``WorkspaceAuthError`` and is never kept), then
    keeps it in the OS keyring (``remember``) or for this session only.
    """
    from console.services.workspace import Workspace
    from console.store.db import remember_database_password

    remember_database_password(location, password, session_only=not remember)
    return Workspace.open(location)


def list_models(ws: Any, progress=None, cancel=None) -> list[ModelSummary]:
    return ws.list_models()


def get_model(ws: Any, model_id: int, progress=None, cancel=None) -> ModelDetail:
    return ws.get_model(model_id)


def warm_up(modules=WARM_UP_MODULES, progress=None, cancel=None) -> int:
    done = 0
    for name in modules:
        if cancel is not None and cancel.cancelled:
            break
        try:
            importlib.import_module(name)
            done += 1
        except Exception:  # optional: a missing module is reported when it is used
            pass
    return done


def _short_label(label: str) -> str:
    """The file name of a SQLite workspace, the URL (password-free) of a server one."""
    if "://" in label:
        return label
    return Path(label).name or label


def _safe_filename(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name).strip("-") or "model"


def sync_registries(ws: Any, actor: str, progress=None, cancel=None) -> list[Any]:
    return list(ws.sync_registries(None, actor=actor, progress=progress, cancel=cancel))


#: Default seconds between two background reloads of the inventory (and the open
#: detail), so that changes made by other consoles on a shared workspace show up;
#: QSettings key ``refresh/interval_s`` (0 turns the timer off).
DEFAULT_REFRESH_S = 30.0
#: A window activation reloads only if the last reload ended longer ago than this.
FOCUS_REFRESH_MIN_S = 2.0
#: Version of the saved window layout (QSettings ``settings/version``); a different
#: stored version is discarded instead of restored.
SETTINGS_VERSION = 2


class MainWindow(QMainWindow):
    """Main window of the console.

    ``location`` is the workspace to open (path, URL or None for the default), or pass
    an already opened ``workspace`` object (tests).  ``restore_state`` restores the
    window geometry and splitter from :class:`QSettings`; ``warm_up`` pre-imports the
    heavy libraries in a worker after the inventory has loaded.

    Freshness (shared workspaces): the inventory and the open detail reload in a worker
    when the window is activated and every ``refresh_interval_s`` seconds (default: the
    QSettings value ``refresh/interval_s``, else :data:`DEFAULT_REFRESH_S`; 0 = off).
    Reloads never overlap and keep the selection and the scroll position; an unchanged
    inventory is not reset at all.

    A shared workspace whose password is missing or wrong (``WorkspaceAuthError``) opens
    a password dialog and retries in a worker; ``interactive=False`` (``--screenshot``)
    reports the error through ``failed`` instead of asking.

    Signed-in user (issue 5): with ``sign_in=True`` (``run_gui``) the console asks for a
    workspace login once the workspace is open (:mod:`console.ui.signin`; the first run
    creates the administrator) and acts as :attr:`current_user`; ``user_changed`` is
    emitted on every change.  Cancelled, it stays read-only (actions that record
    something under a person's name are disabled and say why).  Without ``sign_in``
    (tests, ``--screenshot``) no dialog opens; :meth:`set_current_user` signs in.
    """

    workspaceOpened = Signal(str)
    inventoryLoaded = Signal(int)  # number of models
    detailLoaded = Signal(int)  # model id
    ready = Signal()  # inventory loaded and the selected model's detail shown
    failed = Signal(str)  # the workspace could not be opened / read
    jobFinished = Signal(str, bool)  # status message, success
    refreshed = Signal(bool)  # an inventory reload ended; True when the rows changed
    passwordRequested = Signal(object)  # the DatabasePasswordDialog shown for a shared workspace
    signInRequested = Signal(object)  # the SignInDialog / CreateAdminDialog just opened
    #: The signed-in workspace user changed (a console.domain.governance.User, or None
    #: when signed out / read-only); see :attr:`current_user`.
    user_changed = Signal(object)

    def __init__(
        self,
        location: Any = None,
        *,
        workspace: Any = None,
        restore_state: bool = True,
        warm_up: bool = True,
        refresh_interval_s: Optional[float] = None,
        interactive: bool = True,
        sign_in: bool = False,
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.location = location
        self.ws = workspace
        self.runner = JobRunner(self)
        self._restore_state = restore_state
        self._warm_up = warm_up
        self._warmed = False
        self._inventory_req = 0
        self._detail_req = 0
        self._detail_job: Optional[Job] = None
        self._user_job: Optional[Job] = None
        self._job_outcome: Optional[tuple[str, bool]] = None  # status of the job that just ended
        self._ready_sent = False
        self._shut_down = False
        self._boxes: list[QMessageBox] = []
        self.last_status = ""
        self._inventory_job: Optional[Job] = None
        self._inventory_background = False
        self._refresh_pending = False
        self._last_refresh_end = 0.0  # time.monotonic() of the last finished reload
        self._open_job: Optional[Job] = None
        self._open_failed = False  # F5 tries to open the workspace again
        self._interactive = interactive  # False (--screenshot): no password dialog, just fail
        self.connections: Optional[ConnectionsDialog] = None
        self.audit_view: Optional[Any] = None  # console.ui.audit_view.AuditView, created on first use
        self.password_dialog: Optional[DatabasePasswordDialog] = None
        #: The signed-in workspace user (console.domain.governance.User) or None (read-only).
        self.current_user: Optional[Any] = None
        self._sign_in = sign_in
        self.signin_dialog: Optional[Any] = None  # console.ui.signin.SignInDialog | CreateAdminDialog
        #: console.ui.welcome.Launcher that opened this window (created on demand otherwise)
        self.launcher: Optional[Any] = None
        self.approvals_view: Optional[Any] = None  # console.ui.approvals_view.ApprovalsView
        self.request_dialog: Optional[Any] = None  # console.ui.signing.RequestApprovalDialog
        self._queue_job: Optional[Job] = None
        self.queue_count = 0  # requests waiting for current_user (toolbar badge)

        self.setWindowTitle("Tollgate")
        self.setWindowIcon(theme.app_icon())
        self.resize(1400, 860)

        self.inventory = InventoryPanel(self)
        self.detail = DetailPanel(self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.inventory)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([250, 560])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        self._build_governance()
        self.detail.header.add_action(self.act_run)
        self.detail.header.add_action(self.act_export)
        self.detail.header.add_action(self.act_request)
        # the inventory's context menu: the selected model's actions
        self.inventory.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for a in (self.act_open_model, self.act_run, self.act_export, self.act_request):
            self.inventory.table.addAction(a)
        self.inventory.table.activated.connect(lambda _index: self.open_selected_model())
        from console.ui.export import ChartContextMenu

        self._chart_menu = ChartContextMenu(self, lambda chart: self.export_chart(chart))
        # Delete on a model: models are never deleted (the audit trail keeps them) -> a hint
        from PySide6.QtGui import QShortcut

        self._delete_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.inventory.table,
                                          self.delete_selected, Qt.ShortcutContext.WidgetShortcut)
        self.detail.validation.run_button.setDefaultAction(self.act_run)
        self._build_validation_ui()
        self.detail.validation.version_combo.currentIndexChanged.connect(lambda _i: self._update_actions())

        self._select_timer = QTimer(self)
        self._select_timer.setSingleShot(True)
        self._select_timer.setInterval(40)
        self._select_timer.timeout.connect(self._load_selected_detail)
        self.inventory.selectionChanged.connect(self._on_selection)
        self.setTabOrder(self.inventory.table, self.detail.tabs)
        if restore_state:
            self._load_settings()
        if refresh_interval_s is None:
            try:
                refresh_interval_s = float(self._settings().value("refresh/interval_s", DEFAULT_REFRESH_S))
            except (TypeError, ValueError):
                refresh_interval_s = DEFAULT_REFRESH_S
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(max(1, int(refresh_interval_s * 1000)))
        self.refresh_timer.timeout.connect(lambda: self.refresh(background=True))
        self._refresh_interval_s = refresh_interval_s
        self.workspaceOpened.connect(self._on_opened_sign_in)
        self.refreshed.connect(lambda _changed: self.update_queue_count())
        self._update_actions()

    # ------------------------------------------------------------------ building
    def _build_actions(self) -> None:
        st = self.style()

        def action(text: str, shortcut: Any, slot: Callable, tip: str, icon: Any = None) -> QAction:
            a = QAction(text, self)
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
            a.setStatusTip(tip)
            a.setToolTip(f"{tip} ({a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                         if shortcut is not None else tip)
            if icon is not None:
                a.setIcon(st.standardIcon(icon))
            a.triggered.connect(lambda _checked=False: slot())
            self.addAction(a)
            return a

        SP = QStyle.StandardPixmap
        self.act_export = action("&Export report…", "Ctrl+E", self.export_report,
                                 "Write the model audit report, the model validation report or the inventory "
                                 "report as a PDF", SP.SP_DialogSaveButton)
        self.act_quit = action("&Quit", QKeySequence.StandardKey.Quit, self.close, "Close Tollgate")
        self.act_run = action("&Run validation", "Ctrl+R", self.run_validation,
                              "Run the risk tier's validation suite on the selected model version and its "
                              "recorded holdout set", SP.SP_MediaPlay)
        self.act_rerun = action("Re-run &selected validation", "Ctrl+Alt+R", self.rerun_validation,
                                "Run the selected validation run again with the same model, data and plan, and "
                                "show what changed", SP.SP_BrowserReload)
        self.act_plan = action("Validation &plan…", "Ctrl+Shift+P", self.show_validation_plan,
                               "Which checks block validation at each risk tier (edited by Model Risk Managers)")
        self.act_refresh = action("Re&fresh", "F5", self.refresh, "Reload the inventory and the selected model",
                                  SP.SP_BrowserReload)
        self.act_find = action("&Find / filter…", "Ctrl+F", self.focus_current_filter,
                               "Filter the current table (the inventory unless another table has the focus)")
        self.act_tier = action("Assess risk &tier…", "Ctrl+T", self.assess_tier,
                               "Answer the risk-tier questionnaire of the selected model and sign the result")
        self.act_cancel = action("&Cancel job", "Ctrl+.", self.cancel_user_job, "Stop the running job; nothing is saved",
                                 SP.SP_DialogCancelButton)
        self.act_about = action("&About Tollgate", None, self._about, "Version and workspace information")
        self.act_connections = action("&Connections…", "Ctrl+Shift+K", self.show_connections,
                                      "Add, test, sync and remove the MLflow registries this workspace pulls from",
                                      SP.SP_DriveNetIcon)
        self.act_sync = action("&Sync all registries", "Shift+F5", self.sync_all_registries,
                               "Pull models, versions, aliases and lineage from every registry")
        self.act_sync.setIcon(theme.sync_icon())
        self.act_audit = action("&Audit trail…", "Ctrl+Shift+A", self.show_audit_view,
                                "Browse and filter the audit trail of the whole workspace and verify its hash chain",
                                SP.SP_FileDialogDetailedView)
        self.act_sign_out = action("Sign &out / switch user…", "Ctrl+Shift+L", self.sign_out,
                                   "Sign out and sign in as another workspace user")
        self.act_approvals = action("A&pprovals…", "Ctrl+Shift+Q", self.show_approvals_view,
                                    "Approval requests: your queue, the team's open requests, signatures and gates")
        self.act_approvals.setIcon(badge_icon(0))
        self.act_approvals.setIconText("Approvals")
        self.act_import_log = action("&Import prediction log…", "Ctrl+I", self.import_prediction_log,
                                     "Import logged predictions (CSV, TSV or Parquet) of the selected model and "
                                     "run monitoring over time")
        self.act_request = action("Request &approval…", "Ctrl+Shift+R", self.request_approval,
                                  "Ask for a lifecycle transition or a champion move of the selected model "
                                  "(signed by you as the Responsible)")
        # -- issue 7: workspaces, palette, export, themes, help
        self.act_welcome = action("&Welcome / switch workspace…", "Ctrl+Shift+W", self.show_welcome,
                                  "Open the welcome page: the demo, a new or another workspace, recent ones")
        self.act_open_ws = action("&Open workspace file…", QKeySequence.StandardKey.Open, self.open_workspace_file,
                                  "Open another workspace file (SQLite) in a new window", SP.SP_DirOpenIcon)
        self.act_palette = action("&Command palette…", "Ctrl+K", self.show_palette,
                                  "Jump to a model, a view or an action by typing part of its name")
        self.act_export_table = action("Export &table…", "Ctrl+Shift+E", self.export_table,
                                       "Save the current table (inventory unless another table has the focus), as "
                                       "filtered and sorted, to CSV or Excel")
        self.act_export_chart = action("Export c&hart…", "Ctrl+Shift+G", self.export_chart,
                                       "Save the chart shown in the detail panel as PNG or SVG")
        self.act_help = action("&User guide", QKeySequence.StandardKey.HelpContents, self.show_help,
                               "Open the user guide: inventory, validation, drift, approvals, reports")
        self.act_open_model = action("&Open model details", None, self.open_selected_model,
                                     "Show the selected model's details and move the keyboard focus there")
        self.act_open_model.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        self.act_open_model.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.removeAction(self.act_open_model)
        from PySide6.QtGui import QActionGroup

        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for mode, text, key in (("system", "&System setting", "Ctrl+Shift+0"), ("light", "&Light", "Ctrl+Shift+1"),
                                ("dark", "&Dark", "Ctrl+Shift+2")):
            a = action(text, key, lambda m=mode: self.set_theme(m), f"Theme: {text.replace('&', '').lower()}")
            a.setCheckable(True)
            a.setChecked(theme.current_mode() == mode)
            self.theme_group.addAction(a)
            self.theme_actions[mode] = a
        self.act_run.setIcon(theme.play_icon())
        theme.notifier().changed.connect(self._on_theme_changed)
        self._run_tip = self.act_run.toolTip()
        # tooltips restored when a user signs in (read-only mode replaces them with the reason)
        self._user_tips = {a: a.toolTip() for a in (self.act_run, self.act_export, self.act_sync, self.act_request)}

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m_file = mb.addMenu("&File")
        m_file.addAction(self.act_welcome)
        m_file.addAction(self.act_open_ws)
        self.recent_menu = m_file.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        m_file.addSeparator()
        m_file.addAction(self.act_export)
        m_file.addAction(self.act_export_table)
        m_file.addAction(self.act_export_chart)
        m_file.addSeparator()
        m_file.addAction(self.act_sign_out)
        m_file.addSeparator()
        m_file.addAction(self.act_quit)
        m_model = mb.addMenu("&Model")
        m_model.addAction(self.act_open_model)
        m_model.addAction(self.act_run)
        m_model.addAction(self.act_rerun)
        m_model.addAction(self.act_cancel)
        m_model.addAction(self.act_plan)
        m_model.addAction(self.act_request)
        m_model.addSeparator()
        m_model.addAction(self.act_refresh)
        m_model.addAction(self.act_find)
        m_model.addSeparator()
        m_model.addAction(self.act_import_log)
        m_model.addAction(self.act_tier)
        m_reg = mb.addMenu("&Registries")
        m_reg.addAction(self.act_connections)
        m_reg.addAction(self.act_sync)
        m_view = mb.addMenu("&View")
        m_view.addAction(self.act_palette)
        m_view.addSeparator()
        m_view.addAction(self.act_audit)
        m_view.addAction(self.act_approvals)
        m_view.addSeparator()
        m_theme = m_view.addMenu("&Theme")
        for a in self.theme_actions.values():
            m_theme.addAction(a)
        m_help = mb.addMenu("&Help")
        m_help.addAction(self.act_help)
        m_help.addSeparator()
        m_help.addAction(self.act_about)

        tb = QToolBar("Main toolbar", self)
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.setAccessibleName("Main toolbar")
        tb.addAction(self.act_refresh)
        tb.addSeparator()
        tb.addAction(self.act_run)
        tb.addAction(self.act_export)
        tb.addSeparator()
        tb.addAction(self.act_connections)
        tb.addAction(self.act_sync)
        tb.addSeparator()
        tb.addAction(self.act_audit)
        tb.addAction(self.act_approvals)
        for a in (self.act_audit,):
            w = tb.widgetForAction(a)
            if w is not None:
                w.setAccessibleName(a.text().replace("&", "").rstrip("…"))
        self.toolbar = tb
        self.addToolBar(tb)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        sb.setSizeGripEnabled(True)
        # the running job's steps go to the message area on the left; the bar and the
        # Cancel button sit on the right while a job runs
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(200)
        self.progress.setAccessibleName("Job progress")
        self.cancel_button = QToolButton(self)
        self.cancel_button.setDefaultAction(self.act_cancel)
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.cancel_button.setAccessibleName("Cancel the running job")
        for w in (self.progress, self.cancel_button):
            w.hide()
            sb.addPermanentWidget(w)
        self.user_label = QLabel(self)
        self.user_label.setAccessibleName("Signed-in user")
        self.user_label.setText(user_line(None))
        sb.addPermanentWidget(self.user_label)
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Models in the inventory")
        sb.addPermanentWidget(self.count_label)
        self.ws_label = QLabel(self)
        self.ws_label.setAccessibleName("Workspace")
        self.ws_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        sb.addPermanentWidget(self.ws_label)
        self._set_ws_label("opening…" if self.ws is None else self.ws.label)
        self.inventory.model.modelReset.connect(self._update_counts)

    def _set_ws_label(self, text: str) -> None:
        shown = text if len(text) <= 70 else "…" + text[-69:]
        self.ws_label.setText(f"Workspace: {shown}")
        self.ws_label.setToolTip(text)

    def _update_counts(self) -> None:
        m = self.inventory.model
        n, shown = m.total_count(), m.rowCount()
        noun = "model" if n == 1 else "models"
        self.count_label.setText(f"{n} {noun}" if n == shown else f"{shown} of {n} {noun} shown")

    def show_status(self, text: str, timeout_ms: int = 0) -> None:
        self.last_status = text
        self.statusBar().showMessage(text, timeout_ms)

    # ------------------------------------------------------------------ start / refresh
    def start(self) -> None:
        """Open the workspace (in a worker) and load the inventory."""
        if self.ws is not None:
            self.setWindowTitle(f"Tollgate — {_short_label(self.ws.label)}")
            self.workspaceOpened.emit(self.ws.label)
            self.refresh()
            return
        self._open_failed = False
        self._update_actions()
        self.inventory.set_loading("Opening workspace…")
        self.show_status("Opening workspace…")
        self._open_job = self.runner.submit(
            open_workspace,
            self.location,
            title="Opening the workspace",
            on_result=self._on_workspace,
            on_error=self._on_workspace_error,
        )

    def _on_workspace(self, ws: Any) -> None:
        if self._shut_down:
            ws.close()
            return
        self.ws = ws
        self._set_ws_label(ws.label)
        self.setWindowTitle(f"Tollgate — {_short_label(ws.label)}")
        self.show_status("")
        self.workspaceOpened.emit(ws.label)
        self.refresh()

    def _on_workspace_error(self, message: str, details: str) -> None:
        from console.services.workspace import workspace_label

        where = workspace_label(self.location) if self.location else "the default workspace"
        self._open_failed = True
        self._update_actions()
        job = self._open_job
        if (job is not None and isinstance(job.exception, WorkspaceAuthError) and self._interactive
                and not self._shut_down):
            # a shared workspace whose password is missing or wrong: ask for it
            self.inventory.set_error(f"The workspace needs a password.\n{message}")
            self._set_ws_label(f"{where} (password needed)")
            self.show_status("The workspace needs a password.")
            self.ask_database_password(where, message)
            return
        self.inventory.set_error(f"The workspace could not be opened.\n{message}")
        self._set_ws_label(f"{where} (not opened)")
        self.show_status("The workspace could not be opened.")
        self.failed.emit(message)
        self.report_error("The workspace could not be opened.", message, details)

    # -- database password (shared workspaces)
    def ask_database_password(self, where: str, message: str) -> DatabasePasswordDialog:
        """Show the password dialog (window-modal, non-blocking); on OK, store the
        password (session, then keyring if asked) and open the workspace in a worker."""
        if self.password_dialog is not None:
            self.password_dialog.deleteLater()
        dlg = DatabasePasswordDialog(where, message, None, self)
        self.password_dialog = dlg
        dlg.accepted.connect(lambda d=dlg: self._retry_with_password(d))
        dlg.rejected.connect(lambda: self.show_status("The workspace was not opened: no password given. "
                                                      "Press F5 to try again."))
        dlg.open()
        # the keyring's state can take a moment to find out (D-Bus): not on the GUI thread
        self.runner.submit(keyring_status, title="Checking the OS keyring",
                           on_result=lambda st, d=dlg: d.set_keyring(st) if self.password_dialog is d else None)
        self.passwordRequested.emit(dlg)
        return dlg

    def _retry_with_password(self, dlg: DatabasePasswordDialog) -> None:
        password, remember = dlg.password(), dlg.remember()
        dlg.clear()
        if self._shut_down:
            return
        self.inventory.set_loading("Opening workspace…")
        self.show_status("Opening workspace…")
        self._open_job = self.runner.submit(
            open_workspace_with_password,
            self.location,
            password,
            remember,
            title="Opening the workspace",
            on_result=self._on_workspace,
            on_error=self._on_workspace_error,
        )

    # -- inventory (re)loading
    def refresh(self, background: bool = False) -> None:
        """Reload the inventory (selection kept) and with it the selected detail.

        Never runs two reloads at once: an explicit refresh asked while one runs is done
        right after it; a ``background`` one (timer, window activation) is skipped.
        A background reload keeps the scroll position and does not show "loading".
        """
        if self.ws is None:
            if self._open_failed and not background and not self._shut_down:
                self.start()  # F5 after a failed open: try again
            return
        if self._shut_down:
            return
        if self._inventory_job is not None:
            if not background:
                self._refresh_pending = True
            return
        if background and self.isMinimized():
            return
        self._inventory_req += 1
        req = self._inventory_req
        self._inventory_background = background
        if not background:
            self.inventory.set_loading("Loading models…")
        self._inventory_job = self.runner.submit(
            list_models,
            self.ws,
            title="Loading the inventory",
            on_result=lambda rows, r=req, bg=background: self._on_inventory(r, rows, bg),
            on_error=lambda msg, det, r=req, bg=background: self._on_inventory_error(r, msg, det, bg),
            on_finished=self._on_inventory_finished,
        )

    def _on_inventory_finished(self) -> None:
        self._inventory_job = None
        self._last_refresh_end = time.monotonic()
        if self._refresh_pending and not self._shut_down:
            self._refresh_pending = False
            self.refresh()

    @property
    def refreshing(self) -> bool:
        """An inventory reload is running."""
        return self._inventory_job is not None

    def _on_inventory(self, req: int, rows: list[ModelSummary], background: bool = False) -> None:
        if req != self._inventory_req or self._shut_down:
            return
        first = not self._ready_sent
        restore_id, self._restore_model_id = getattr(self, "_restore_model_id", None), None
        changed = self.inventory.set_summaries(rows, select_id=restore_id if first else None,
                                               keep_view=background and not first)
        self._update_counts()
        selected = self.inventory.selected_summary()
        if selected is not None and not self._select_timer.isActive():
            # same model still selected (no selection signal): reload its detail too
            if background:
                if self._detail_job is None or self._detail_job.done.is_set():
                    self._load_selected_detail()
            else:
                self.detail.show_loading(selected)
                self._select_timer.start()
        if first and rows:
            self.inventory.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.inventoryLoaded.emit(len(rows))
        if self.inventory.selected_summary() is None:
            # with no models at all the inventory itself explains what to do
            self.detail.show_placeholder("Select a model in the inventory to see its details." if rows else "")
            self._emit_ready()
        self._update_actions()
        if not self._refresh_interval_s <= 0 and not self.refresh_timer.isActive():
            self.refresh_timer.start()
        self.refreshed.emit(changed)

    def _on_inventory_error(self, req: int, message: str, details: str, background: bool = False) -> None:
        if req != self._inventory_req:
            return
        if background and self.inventory.model.total_count():
            # a shared workspace that is briefly unreachable: keep the rows, say so
            self.show_status(f"The inventory could not be reloaded: {message}")
            return
        self.inventory.set_error(f"The inventory could not be loaded.\n{message}")
        self.failed.emit(message)
        self.report_error("The inventory could not be loaded.", message, details)

    # ------------------------------------------------------------------ detail
    def _on_selection(self, summary: Optional[ModelSummary]) -> None:
        self._update_actions()
        if summary is None:
            self._detail_req += 1  # drop anything in flight
            self.detail.show_placeholder()
            return
        self.detail.show_loading(summary)
        self._select_timer.start()

    def _load_selected_detail(self) -> None:
        summary = self.inventory.selected_summary()
        if summary is None or self.ws is None or self._shut_down:
            return
        self._detail_req += 1
        req, model_id = self._detail_req, summary.id
        if self._detail_job is not None:
            self._detail_job.cancel()
        self._detail_job = self.runner.submit(
            get_model,
            self.ws,
            model_id,
            title=f"Loading {summary.name}",
            on_result=lambda d, r=req, mid=model_id: self._on_detail(r, mid, d),
            on_error=lambda msg, det, r=req: self._on_detail_error(r, msg, det),
        )

    def _on_detail(self, req: int, model_id: int, detail: ModelDetail) -> None:
        if req != self._detail_req or self._shut_down:
            return  # stale: the user selected another model meanwhile
        try:
            if detail == self.detail.detail:
                # unchanged (a background reload): keep the tabs, their selections and scrolling
                self.detail.header.busy.hide()
            else:
                self.detail.set_detail(detail)
        except Exception as exc:  # a display bug must not leave the window half-loaded
            self._on_detail_error(req, f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return
        self._update_actions()
        if getattr(self, "_focus_detail_on_load", False):
            self._focus_detail_on_load = False
            self.detail.tabs.setFocus(Qt.FocusReason.OtherFocusReason)
        self.detailLoaded.emit(model_id)
        self._emit_ready()

    def _on_detail_error(self, req: int, message: str, details: str) -> None:
        if req != self._detail_req:
            return
        self.detail.show_error(f"The model's details could not be loaded.\n{message}")
        self.report_error("The model's details could not be loaded.", message, details)
        self._emit_ready()

    def _emit_ready(self) -> None:
        if not self._ready_sent:
            self._ready_sent = True
            self.ready.emit()
            if self._warm_up and not self._warmed and not self._shut_down:
                # after the first screenful, so it does not slow it down (STYLE.md)
                self._warmed = True
                self.runner.submit(warm_up, title="Preparing validation and reports")

    @property
    def is_ready(self) -> bool:
        return self._ready_sent

    # ------------------------------------------------------------------ user jobs
    def validation_blocker(self) -> Optional[str]:
        """Why "Run validation" is disabled for the version chosen in the Validation tab
        (a version pulled from a registry without its model artifact), else None."""
        d = self.detail.detail
        s = self.inventory.selected_summary()
        if d is None or s is None or d.model.id != s.id:
            return None
        number = self.detail.selected_version()
        v = next((x for x in d.versions if x.version == number), None)
        if v is None or v.artifact_sha256:
            return None
        where = f"registry {d.model.source}" if d.model.source != "local" else "its registry"
        return (f"v{v.version} was pulled from {where} without its model file, so there is nothing to "
                "run the checks on: Tollgate validates only versions whose skops artifact is stored in the "
                "workspace. Register the model file as a local version to validate it.")

    def _update_actions(self) -> None:
        has_ws = self.ws is not None
        sel = self.inventory.selected_summary() is not None
        busy = self._user_job is not None
        why = self.validation_blocker() if sel else None
        self.act_run.setEnabled(has_ws and sel and not busy and why is None)
        self.act_run.setToolTip(why or self._run_tip)
        self.act_run.setStatusTip(why or self._run_tip)
        self.act_export.setEnabled(has_ws and sel and not busy)
        self.act_refresh.setEnabled(has_ws or self._open_failed)
        self.act_cancel.setEnabled(busy)
        self.act_connections.setEnabled(has_ws)
        self.act_sync.setEnabled(has_ws and not busy)
        self.act_audit.setEnabled(has_ws)
        self._update_user_actions()
        self._update_governance_actions()

    def _start_user_job(self, fn: Callable, *args: Any, title: str, on_result: Callable[[Any], None],
                        **kwargs: Any) -> Optional[Job]:
        if self._user_job is not None or self.ws is None:
            return None
        self.progress.setValue(0)
        self.progress.setToolTip(title)
        for w in (self.progress, self.cancel_button):
            w.show()
        self.statusBar().showMessage(title + "…")
        job = self.runner.submit(
            fn,
            *args,
            title=title,
            serial=True,
            on_progress=self._on_job_progress,
            on_result=on_result,
            on_error=lambda msg, det, t=title: self._on_job_error(t, msg, det),
            on_cancelled=lambda msg, t=title: self._on_job_cancelled(t, msg),
            on_finished=self._on_job_finished,
            **kwargs,
        )
        self._user_job = job
        self._update_actions()
        return job

    def _on_job_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(fraction * 1000)))
        if message and self._user_job is not None:
            self.statusBar().showMessage(f"{self._user_job.title}: {message}")

    def _on_job_error(self, title: str, message: str, details: str) -> None:
        self.show_status(f"{title} failed.")
        self._job_outcome = (f"{title} failed.", False)
        self.report_error(f"{title} failed.", message, details)
        job = self._user_job
        if job is not None and isinstance(job.exception, ConcurrentChangeError):
            # another officer changed the record first: the message says who and when;
            # show the current state so the user can decide again
            self.refresh()

    def _on_job_cancelled(self, title: str, message: str) -> None:
        text = f"{title} cancelled; nothing was saved."
        self.show_status(text)
        self._job_outcome = (text, False)

    def _on_job_finished(self) -> None:
        # ``finished`` is always the worker's last signal: only now is the job over, so
        # jobFinished (and a window close right after it) never sees it as running.
        self._user_job = None
        for w in (self.progress, self.cancel_button):
            w.hide()
        self._update_actions()
        text, ok = self._job_outcome or ("Done.", True)
        self._job_outcome = None
        self.jobFinished.emit(text, ok)

    @property
    def user_job(self) -> Optional[Job]:
        return self._user_job

    def cancel_user_job(self) -> None:
        if self._user_job is not None:
            self._user_job.cancel()
            self.statusBar().showMessage(f"{self._user_job.title}: cancelling…")

    # -- run validation
    def run_validation(self) -> Optional[Job]:
        """Validate the selected model (version from the Validation tab; default the
        champion, else the latest) in a worker."""
        s = self.inventory.selected_summary()
        if s is None or self.ws is None:
            return None
        version = self.detail.selected_version() if self.detail.model_id == s.id else None
        label = f"v{version}" if version is not None else (f"v{s.champion_version}" if s.champion_version else "")
        title = f"Validation of {s.name} {label}".strip()
        self.detail.tabs.setCurrentIndex(DetailPanel.TAB_VALIDATION)
        job = self._start_user_job(
            self.ws.run_validation,
            s.id,
            version,
            **self._actor_kw(),
            title=title,
            on_result=lambda run, name=s.name: self._on_validation_done(name, run),
        )
        if job is not None:
            # the tab shows the current check and a Cancel next to the history too
            tab = self.detail.validation
            tab.cancel_button.setDefaultAction(self.act_cancel)
            tab.watch_job(job, title)
        return job

    def _on_validation_done(self, name: str, run: ValidationRun) -> None:
        counts: dict[str, int] = {}
        for c in run.checks:
            counts[c.status.value] = counts.get(c.status.value, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        if run.passed:
            text = f"✔ Validation of {name} v{run.version} passed ({summary})."
        else:
            bad = [c.id for c in run.checks if c.blocking and c.status.value in ("fail", "error")]
            text = f"✖ Validation of {name} v{run.version} FAILED: blocking check{'s' if len(bad) != 1 else ''} " \
                   f"{', '.join(bad) or '—'} ({summary})."
        self.show_status(text)
        self._job_outcome = (text, True)
        # show the new run (and its first failing check) once the detail has reloaded
        self.detail.validation.pending_run_id = run.id
        self.refresh()

    # -- registries
    def show_connections(self) -> Optional[ConnectionsDialog]:
        """Open the Connections dialog (non-modal; one instance per window)."""
        if self.ws is None:
            return None
        if self.connections is None or self.connections.ws is not self.ws:
            self.connections = ConnectionsDialog(self.ws, self.runner, self)
            self.connections.synced.connect(self._on_dialog_synced)
            self.connections.registriesChanged.connect(self.refresh)
            self.connections.message.connect(lambda text: self.show_status(text))
        self.connections.show()
        self.connections.raise_()
        self.connections.activateWindow()
        return self.connections

    def show_audit_view(self) -> Optional[Any]:
        """Open the workspace audit view (non-modal; one instance per window)."""
        if self.ws is None:
            return None
        if self.audit_view is None or self.audit_view.ws is not self.ws:
            from console.ui.audit_view import AuditView

            self.audit_view = AuditView(self.ws, self.runner, self)
        else:
            self.audit_view.reload()
        self.audit_view.show()
        self.audit_view.raise_()
        self.audit_view.activateWindow()
        return self.audit_view

    # -- signed-in user (issue 5)
    def actor(self) -> str:
        """Who a change is recorded under: the signed-in login, else (no sign-in
        asked: tests, embedding) the OS login as before."""
        if self.current_user is not None:
            return self.current_user.login
        from console.services.workspace import default_actor

        return default_actor()

    def _actor_kw(self) -> dict[str, str]:
        """``{"actor": login}`` when signed in, else {} (the service's own default)."""
        return {"actor": self.current_user.login} if self.current_user is not None else {}

    def set_current_user(self, user: Optional[Any]) -> None:
        """Act as ``user`` (a :class:`console.domain.governance.User`, or None: read-only);
        updates the status bar and the actions, emits ``user_changed``."""
        self.current_user = user
        self.user_label.setText(user_line(user))
        self.user_label.setToolTip("" if user is None else f"Login {user.login}")
        if user is not None and self._restore_state:
            self._settings().setValue("session/last_login", user.login)
        self._update_actions()
        self.user_changed.emit(user)
        self.update_queue_count()

    def _on_opened_sign_in(self, _label: str) -> None:
        if self._sign_in and self.current_user is None and self.signin_dialog is None:
            self.ask_sign_in()

    def ask_sign_in(self) -> Optional[Job]:
        """Count the workspace's users in a worker, then open the sign-in dialog (or, with
        no users yet, "Create the administrator"); non-blocking (``open()``)."""
        if self.ws is None or self._shut_down:
            return None
        from console.ui.signin import count_users

        return self.runner.submit(
            count_users, self.ws, title="Reading the workspace's users",
            on_result=self._open_sign_in_dialog,
            on_error=lambda msg, det: self.report_error("The workspace's users could not be read.", msg, det))

    def _open_sign_in_dialog(self, users: int) -> None:
        from console.ui.signin import CreateAdminDialog, SignInDialog

        if self._shut_down or self.ws is None:
            return
        if self.signin_dialog is not None:
            self.signin_dialog.deleteLater()
        if users == 0:
            dlg = CreateAdminDialog(self.ws, self.runner, self)
        else:
            last = str(self._settings().value("session/last_login", "") or "") if self._restore_state else ""
            dlg = SignInDialog(self.ws, self.runner, self, login=last)
        dlg.signedIn.connect(self._on_signed_in)
        dlg.rejected.connect(lambda: self.show_status(
            "Not signed in: the console is read-only. File → Sign out / switch user… signs in."))
        self.signin_dialog = dlg
        dlg.open()
        self.signInRequested.emit(dlg)

    def _on_signed_in(self, user: Any) -> None:
        self.set_current_user(user)
        self.show_status(user_line(user) + ".")

    def sign_out(self) -> None:
        """Sign out (read-only until someone signs in) and show the sign-in dialog."""
        if self.current_user is not None:
            name = self.current_user.display_name
            self.set_current_user(None)
            self.show_status(f"{name} signed out.")
        self.ask_sign_in()

    def _update_user_actions(self) -> None:
        user = self.current_user
        has_ws = self.ws is not None
        self.act_sign_out.setEnabled(has_ws)
        self.act_approvals.setEnabled(has_ws)
        need = "Sign in first (File → Sign out / switch user…): it is recorded under your name"
        sel = self.inventory.selected_summary() is not None
        self.act_request.setEnabled(has_ws and sel and user is not None and self._user_job is None)
        # recorded under the signed-in user, or (no sign-in asked) under actor()
        self.act_import_log.setEnabled(has_ws and sel and (user is not None or not self._sign_in))
        self.act_request.setToolTip(self._user_tips[self.act_request] if user is not None else need)
        if self._sign_in and user is None:
            for a in (self.act_run, self.act_export, self.act_sync):
                a.setEnabled(False)
                a.setToolTip(need)
                a.setStatusTip(need)
        elif user is not None:
            for a in (self.act_export, self.act_sync):
                a.setToolTip(self._user_tips[a])

    def update_queue_count(self) -> Optional[Job]:
        """Count the requests waiting for the signed-in user (worker) for the toolbar badge."""
        user = self.current_user
        if user is None or self.ws is None or self._shut_down:
            self._set_queue_count(0)
            return None
        if self._queue_job is not None:
            return None
        from console.ui.approvals_view import load_queue

        def done() -> None:
            self._queue_job = None

        self._queue_job = self.runner.submit(
            load_queue, self.ws, user, title="Counting your approvals",
            on_result=lambda items, u=user: self._set_queue_count(len(items)) if self.current_user is u else None,
            on_finished=done)
        return self._queue_job

    def _set_queue_count(self, n: int) -> None:
        self.queue_count = n
        self.act_approvals.setIcon(badge_icon(n))
        self.act_approvals.setIconText(f"Approvals ({n})" if n else "Approvals")
        tip = self.act_approvals.statusTip()
        waiting = f"{n} request{'s' if n != 1 else ''} waiting for you. " if n else ""
        self.act_approvals.setToolTip(f"{waiting}{tip} (Ctrl+Shift+Q)")

    def show_approvals_view(self) -> Optional[Any]:
        """Open the approvals view (non-modal; one instance per window)."""
        if self.ws is None:
            return None
        if self.approvals_view is None or self.approvals_view.ws is not self.ws:
            from console.ui.approvals_view import ApprovalsView

            self.approvals_view = ApprovalsView(self.ws, self.runner, self, user=self.current_user)
            self.user_changed.connect(self.approvals_view.set_user)
            self.approvals_view.changed.connect(self._on_approvals_changed)
            self.approvals_view.message.connect(lambda text: self.show_status(text))
        else:
            self.approvals_view.reload()
        self.approvals_view.show()
        self.approvals_view.raise_()
        self.approvals_view.activateWindow()
        return self.approvals_view

    def _on_approvals_changed(self, _request: Any) -> None:
        self.refresh()  # a completed request changes the model's status or champion
        self.update_queue_count()

    def request_approval(self) -> Optional[Any]:
        """"Request approval…" for the selected model (dialog; the work runs in workers)."""
        s = self.inventory.selected_summary()
        if s is None or self.ws is None or self.current_user is None:
            return None
        from console.ui.signing import RequestApprovalDialog

        if self.request_dialog is not None:
            self.request_dialog.deleteLater()
        dlg = RequestApprovalDialog(self.ws, self.runner, s.id, self.current_user, self)
        dlg.submitted.connect(self._on_approvals_changed)
        dlg.submitted.connect(lambda r: self.approvals_view.reload() if self.approvals_view is not None else None)
        self.request_dialog = dlg
        dlg.open()
        return dlg


    def import_prediction_log(self) -> Optional[Any]:
        """"Import prediction log…" of the selected model (window-modal, non-blocking;
        preview, ingest and monitoring run in workers); refreshes after each change."""
        s = self.inventory.selected_summary()
        if s is None or self.ws is None or (self._sign_in and self.current_user is None):
            return None
        from console.ui.import_dialog import ImportLogDialog

        d = self.detail.detail
        versions = [v.version for v in d.versions] if d is not None and d.model.id == s.id else []
        champion = int(s.champion_version) if str(s.champion_version or "").isdigit() else None
        if not versions:
            versions = list(range(1, max(1, s.versions) + 1))
        old = getattr(self, "import_dialog", None)
        if old is not None:
            old.deleteLater()
        dlg = ImportLogDialog(self.ws, self.runner, s, versions, self.actor(), self,
                              default_version=champion or max(versions))
        dlg.ingested.connect(lambda r, name=s.name: (self.show_status(
            f"Imported {r.rows:,} predictions of {name} v{r.version}."), self.refresh()))
        dlg.monitored.connect(lambda run, name=s.name: (self.show_status(
            f"Monitoring of {name} v{run.version}: {len(run.windows)} windows, latest {run.latest_status}."),
            self.refresh()))
        self.import_dialog = dlg
        dlg.open()
        return dlg

    def _on_dialog_synced(self, _results: Any) -> None:
        self.refresh()

    def sync_all_registries(self) -> Optional[Job]:
        """Sync every registry as a user job (status-bar progress, Cancel)."""
        if self.ws is None:
            return None
        return self._start_user_job(
            sync_registries,
            self.ws,
            self.actor(),
            title="Sync of all registries",
            on_result=self._on_sync_done,
        )

    def _on_sync_done(self, results: list[Any]) -> None:
        ok, text = sync_status_line(results)
        self.show_status(text)
        self._job_outcome = (text, ok)
        self.refresh()

    # -- export audit PDF
    def ask_save_path(self, default: Path) -> Optional[str]:
        """Ask where to save the PDF (replaced in tests)."""
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export audit report", str(default), "PDF documents (*.pdf)"
        )
        return path or None

    def export_audit_pdf(self) -> Optional[Job]:
        s = self.inventory.selected_summary()
        if s is None or self.ws is None or self._user_job is not None:
            return None
        path = self.ask_save_path(Path.home() / f"{_safe_filename(s.name)}-audit.pdf")
        if not path:
            return None
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        return self._start_user_job(
            self.ws.export_audit_report,
            s.id,
            path,
            **self._actor_kw(),
            title=f"Export of the audit report of {s.name}",
            on_result=lambda out, name=s.name: self._on_export_done(name, out),
        )

    def _on_export_done(self, name: str, out: Any) -> None:
        text = f"Audit report of {name} saved to {out}"
        self.show_status(text)
        self._job_outcome = (text, True)

    def export_report(self, kind: str = "audit") -> Optional[Any]:
        """File → Export report…: the report dialog (model audit / model validation /
        inventory report; window-modal, non-blocking); the export runs in a worker."""
        if self.ws is None or (self._sign_in and self.current_user is None):
            return None
        from console.ui.report_dialog import ReportDialog

        old = getattr(self, "report_dialog", None)
        if old is not None:
            old.deleteLater()
        s = self.inventory.selected_summary()
        if s is None and kind != "inventory":
            kind = "inventory"
        dlg = ReportDialog(self.ws, self.runner, self.inventory.model.rows(), s.id if s is not None else None,
                           actor=self.actor(), kind=kind, parent=self)
        dlg.exported.connect(self._on_report_exported)
        self.report_dialog = dlg
        dlg.open()
        return dlg

    def _on_report_exported(self, path: str, label: str, name: str) -> None:
        self.show_status(f"{label}{' of ' + name if name else ''} saved to {path}")
        self.jobFinished.emit(self.last_status, True)

    # -- validation: re-run, plan (issue 6)
    def _build_validation_ui(self) -> None:
        """The Validation tab's Re-run / Cancel / Plan buttons share the window's actions."""
        tab = self.detail.validation
        tab.rerun_button.setDefaultAction(self.act_rerun)
        tab.rerun_button.show()
        tab.plan_button.setDefaultAction(self.act_plan)
        tab.plan_button.show()
        tab.cancel_button.setDefaultAction(self.act_cancel)
        tab.runSelected.connect(lambda _run: self._update_validation_actions())
        self.act_run.enabledChanged.connect(lambda _on: self._update_validation_actions())
        self._update_validation_actions()

    def _update_validation_actions(self) -> None:
        tab = self.detail.validation
        run = tab.current_run() if self.detail.detail is not None else None
        busy = self._user_job is not None
        ok = self.ws is not None and run is not None and not busy and not (self._sign_in and self.current_user is None)
        self.act_rerun.setEnabled(ok)
        tip = ("Select a validation run in the history first" if run is None and not busy else
               self.act_rerun.statusTip())
        self.act_rerun.setToolTip(tip)
        self.act_plan.setEnabled(self.ws is not None)

    def rerun_validation(self) -> Optional[Job]:
        """Re-run the validation run selected in the Validation tab with the same inputs
        (:func:`console.services.validation.rerun_validation`) in a worker; the status bar
        then says whether it reproduced and, if not, what changed."""
        run = self.detail.validation.current_run()
        if run is None or self.ws is None or self._user_job is not None:
            return None
        name = self.detail.detail.model.name if self.detail.detail is not None else "the model"
        title = f"Re-run of validation run #{run.id} of {name} v{run.version}"
        self.detail.tabs.setCurrentIndex(DetailPanel.TAB_VALIDATION)
        job = self._start_user_job(self.ws.rerun_validation, run.id, **self._actor_kw(), title=title,
                                   on_result=self._on_rerun_done)
        if job is not None:
            self.detail.validation.watch_job(job, title)
        return job

    def _on_rerun_done(self, report: Any) -> None:
        from console.ui.validation_view import rerun_text

        text = rerun_text(report)
        self.last_rerun = report
        self.show_status(text)
        self._job_outcome = (text, True)
        self.detail.validation.pending_run_id = report.run.id
        self.refresh()

    def show_validation_plan(self) -> Optional[Any]:
        """The validation plan of the selected model's tier (editable by a Model Risk
        Manager or an Admin, read-only otherwise); loads in a worker."""
        if self.ws is None:
            return None
        from console.ui.validation_view import PlanDialog

        old = getattr(self, "plan_dialog", None)
        if old is not None:
            old.deleteLater()
        s = self.inventory.selected_summary()
        dlg = PlanDialog(self.ws, self.runner, self.current_user, s.risk_tier if s is not None else 1, self)
        dlg.saved.connect(lambda pv: self.show_status(
            f"Validation plan of tier {pv.tier} saved as version {pv.version} by {pv.updated_by}."))
        self.plan_dialog = dlg
        dlg.open()
        dlg.load()
        return dlg

    # -- governance tabs, risk tier, inbox (issue 5)
    def _build_governance(self) -> None:
        from console.ui.inbox import InboxButton

        self.tier_dialog: Optional[Any] = None  # console.ui.tier_dialog.TierDialog
        self._tier_tip = self.act_tier.toolTip()
        self.inbox_button = InboxButton(self)
        self.statusBar().addPermanentWidget(self.inbox_button)
        self.workspaceOpened.connect(lambda _label: self._bind_governance())
        self.user_changed.connect(self._on_governance_user)
        self.refreshed.connect(lambda _changed: self.inbox_button.reload())
        self.detail.governanceChanged.connect(self.refresh)

    def _bind_governance(self) -> None:
        self.detail.bind(self.ws, self.runner)
        self.inbox_button.bind(self.ws, self.runner)

    def _on_governance_user(self, user: Any) -> None:
        self.detail.set_user(user)
        self.inbox_button.set_user(user)
        self._update_governance_actions()

    def _update_governance_actions(self) -> None:
        if not hasattr(self, "inbox_button"):
            return  # still building
        from console.ui.tier_dialog import assessor_problem

        s = self.inventory.selected_summary()
        why = None if s is None else assessor_problem(self.current_user, s.id)
        self.act_tier.setEnabled(self.ws is not None and s is not None and why is None)
        self.act_tier.setToolTip(why or self._tier_tip)
        self.act_tier.setStatusTip(why or self._tier_tip)

    def assess_tier(self) -> Optional[Any]:
        """Open the risk-tier questionnaire of the selected model (window-modal, non-blocking)."""
        from console.ui.tier_dialog import TierDialog

        s = self.inventory.selected_summary()
        if s is None or self.ws is None or self.current_user is None:
            return None
        if self.tier_dialog is not None:
            self.tier_dialog.deleteLater()
        dlg = TierDialog(self.ws, self.runner, self.current_user, s, self)
        dlg.assessed.connect(lambda a, name=s.name: self._on_tier_assessed(name, a))
        self.tier_dialog = dlg
        dlg.open()
        return dlg

    def _on_tier_assessed(self, name: str, a: Any) -> None:
        over = f" (computed {a.computed_tier}, overridden)" if a.final_tier != a.computed_tier else ""
        self.show_status(f"Risk tier of {name} assessed and signed by {a.printed_name}: tier {a.final_tier}{over}.")
        self.refresh()

    # ------------------------------------------------------------------ errors
    def report_error(self, title: str, message: str, details: str = "") -> QMessageBox:
        """Show an error: a plain message for TollgateErrors (``details`` empty), and
        for bugs a message with a "Show Details…" expander holding the traceback."""
        from console.ui.errors import error_box

        box = error_box(self, title, message, details)
        box.finished.connect(lambda _r, b=box: self._boxes.remove(b) if b in self._boxes else None)
        self._boxes.append(box)
        box.open()
        return box

    @property
    def message_boxes(self) -> list[QMessageBox]:
        return list(self._boxes)

    def _about(self) -> Any:
        """Help → About: version, runtime, privacy statement, licences (console/ui/about.py)."""
        from console.ui.about import AboutDialog

        dlg = AboutDialog(self, workspace=self.ws.label if self.ws else None)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.about_dialog = dlg
        dlg.open()
        return dlg

    # ------------------------------------------------------------------ comfort (issue 7)
    # workspaces: welcome page, open file, recent; palette; export; theme; help; keyboard
    def _get_launcher(self) -> Any:
        from console.ui.welcome import Launcher

        if self.launcher is None:
            self.launcher = Launcher(sign_in=self._sign_in, restore_state=self._restore_state,
                                     warm_up=self._warm_up)
        return self.launcher

    def show_welcome(self) -> Any:
        """Show the welcome page (this window stays open until a workspace is chosen there)."""
        return self._get_launcher().show_welcome()

    def ask_workspace_file(self) -> Optional[str]:
        """An existing workspace file (open dialog; replaced in tests)."""
        path, _ = QFileDialog.getOpenFileName(self, "Open a workspace", str(Path.home()),
                                              "Tollgate workspaces (*.sqlite *.db);;All files (*)")
        return path or None

    def open_workspace_file(self) -> Optional[Any]:
        path = self.ask_workspace_file()
        return self.switch_workspace(path) if path else None

    def switch_workspace(self, location: Any) -> Optional[Any]:
        """Open ``location`` in a new window and close this one (not while a job runs)."""
        if self._user_job is not None:
            self.show_status(f"{self._user_job.title} is still running: let it finish or cancel it (Ctrl+.) "
                             "before switching workspaces.")
            return None
        new = self._get_launcher().open_workspace(location)
        self._save_settings()
        self.close()
        return new

    def _fill_recent_menu(self) -> None:
        from console.ui.welcome import recent_label, recent_workspaces

        m = self.recent_menu
        m.clear()
        recent = recent_workspaces()
        for i, loc in enumerate(recent):
            a = m.addAction(f"&{i + 1} {recent_label(loc)}" if i < 9 else recent_label(loc))
            a.setToolTip(loc)
            a.setStatusTip(f"Open {loc} in a new window")
            if i < 9:
                a.setShortcut(QKeySequence(f"Alt+Shift+{i + 1}"))
            a.triggered.connect(lambda _c=False, loc=loc: self.switch_workspace(loc))
        if not recent:
            a = m.addAction("No recent workspaces")
            a.setEnabled(False)

    # -- tables: the current one, its filter, export
    def current_table(self) -> Any:
        """The table the user works in: the focused one (or the last focused one) of this
        window, else the inventory."""
        from PySide6.QtWidgets import QAbstractItemView, QApplication

        w = QApplication.focusWidget()
        while w is not None:
            if isinstance(w, QAbstractItemView) and w.window() is self and w.model() is not None:
                self._last_table = w
                return w
            w = w.parentWidget()
        last = getattr(self, "_last_table", None)
        try:
            if last is not None and last.isVisible() and last.window() is self:
                return last
        except RuntimeError:  # deleted
            pass
        return self.inventory.table

    def focus_current_filter(self) -> Optional[QWidget]:
        """Ctrl+F: focus the filter field of the current table (the inventory's by default)."""
        from PySide6.QtWidgets import QLineEdit

        table = self.current_table()
        if table is not self.inventory.table:
            w = table.parentWidget()
            while w is not None and w is not self:
                if hasattr(w, "focus_filter"):
                    w.focus_filter()
                    return w
                for edit in w.findChildren(QLineEdit):
                    words = f"{edit.accessibleName()} {edit.placeholderText()}".lower()
                    if edit.isVisible() and ("filter" in words or "search" in words):
                        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
                        edit.selectAll()
                        return edit
                w = w.parentWidget()
        self.inventory.focus_filter()
        return self.inventory.filter_edit

    def ask_export_path(self, title: str, default: Path, filters: str) -> Optional[str]:
        """Where to save an export (save dialog; replaced in tests)."""
        path, _ = QFileDialog.getSaveFileName(self, title, str(default), filters)
        return path or None

    def export_table(self, table: Any = None) -> Optional[Path]:
        """File → Export table…: the current table as shown (filter, sort, visible
        columns) to CSV or Excel (.xlsx, openpyxl)."""
        from console.ui import export

        table = table or self.current_table()
        name = table.accessibleName() or "table"
        default = Path.home() / f"{_safe_filename(name.lower())}.xlsx"
        path = self.ask_export_path("Export table", default, export.TABLE_FILTERS)
        if not path:
            return None
        try:
            out, n = export.export_table(table, path, title=name)
        except Exception as exc:  # a file that cannot be written: say so, plainly
            self.report_error("The table could not be exported.", export.plain_message(exc))
            return None
        self.show_status(f"{name}: {n} row{'s' if n != 1 else ''} exported to {out}.")
        return out

    def export_chart(self, chart: Any = None) -> Optional[Path]:
        """File → Export chart…: the chart shown in the detail panel (or ``chart``) as
        PNG or SVG (pyqtgraph exporters).  Right-clicking a chart → Export… does the same."""
        from console.ui import export

        if chart is None:
            charts = export.visible_charts(self)
            if not charts:
                self.show_status("No chart is shown: open the Drift tab (or a validation check with a chart) "
                                 "first.")
                return None
            chart = export.pick_chart(charts, self.focusWidget())
        name = export.chart_name(chart)
        path = self.ask_export_path("Export chart", Path.home() / f"{_safe_filename(name.lower())}.png",
                                    export.CHART_FILTERS)
        if not path:
            return None
        try:
            out = export.export_chart(chart, path)
        except Exception as exc:
            self.report_error("The chart could not be exported.", export.plain_message(exc))
            return None
        self.show_status(f"Chart “{name}” saved to {out}.")
        return out

    # -- keyboard: open / delete / palette
    def open_selected_model(self) -> None:
        """Enter on a model: its details get the focus (Overview unless a tab was chosen)."""
        if self.inventory.selected_summary() is None:
            return
        # still loading: focus the tabs again once the detail is shown
        d, sel = self.detail.detail, self.inventory.selected_summary()
        self._focus_detail_on_load = d is None or d.model.id != sel.id
        self.detail.tabs.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.show_status(f"{self.inventory.selected_summary().name}: details below "
                         "(Ctrl+Tab switches tabs, Shift+Tab goes back to the inventory).")

    def delete_selected(self) -> None:
        """Delete on a model: models are never deleted; say what to do instead."""
        s = self.inventory.selected_summary()
        if s is None:
            return
        self.show_status(f"Models are never deleted: {s.name} and its history stay in the audit trail. "
                         "To take it out of use, Request approval… (Ctrl+Shift+R) for retirement.")

    def show_palette(self) -> Any:
        """Ctrl+K: the command palette (models, views, actions)."""
        from console.ui.palette import CommandPalette, main_window_entries

        dlg = getattr(self, "command_palette", None)
        if dlg is not None:
            dlg.deleteLater()
        self.command_palette = CommandPalette(main_window_entries(self), self)
        self.command_palette.open()
        return self.command_palette

    def set_theme(self, mode: str) -> None:
        """View → Theme: ``system``, ``light`` or ``dark``, applied live (also to open charts)."""
        theme.set_mode(mode, save=self._restore_state)
        self.theme_actions[mode].setChecked(True)
        self.show_status(f"Theme: {'the system setting (' + theme.TOKENS.name + ')' if mode == 'system' else mode}.")

    def _on_theme_changed(self, _name: str) -> None:
        """Icons drawn in theme colours follow a theme change (charts recolour themselves)."""
        self.act_run.setIcon(theme.play_icon())
        self.act_sync.setIcon(theme.sync_icon())
        if self.detail.detail is not None:
            # rich-text labels hold colours as HTML: draw the shown model again
            try:
                self.detail.set_detail(self.detail.detail)
            except Exception:  # cosmetic only; the next load redraws anyway
                pass
        mode = theme.current_mode()
        if mode in self.theme_actions:
            self.theme_actions[mode].setChecked(True)

    def show_help(self) -> Any:
        """F1: the user guide (non-modal)."""
        from console.ui.help import HelpWindow

        if getattr(self, "help_window", None) is None:
            self.help_window = HelpWindow(self)
        self.help_window.show()
        self.help_window.raise_()
        self.help_window.activateWindow()
        return self.help_window

    # ------------------------------------------------------------------ settings / close
    def _settings(self) -> QSettings:
        return QSettings()

    def _layout_parts(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The splitters and tables whose state is kept, by a stable key (accessible or
        object name, else the position among their siblings)."""
        from PySide6.QtWidgets import QTableView

        splitters: dict[str, Any] = {"main": self.splitter}
        for i, sp in enumerate(self.findChildren(QSplitter)):
            if sp is not self.splitter:
                splitters.setdefault(f"{sp.objectName() or sp.accessibleName() or 'splitter'}-{i}", sp)
        tables: dict[str, Any] = {}
        for i, tv in enumerate(self.findChildren(QTableView)):
            key = tv.objectName() or tv.accessibleName() or f"table-{i}"
            tables.setdefault(re.sub(r"[^\w-]+", "_", key), tv)
        return splitters, tables

    def _load_settings(self) -> None:
        """Restore the window layout saved by :meth:`_save_settings` (QSettings group
        ``layout``, versioned by ``settings/version``; an older version is discarded).
        Never holds a secret: geometry, splitters, column widths/order/sort, the last
        detail tab and the last selected model."""
        s = self._settings()
        if str(s.value("settings/version", "")) != str(SETTINGS_VERSION):
            for group in ("main", "layout"):
                s.remove(group)
            s.setValue("settings/version", SETTINGS_VERSION)
            return
        geo = s.value("layout/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        state = s.value("layout/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state, SETTINGS_VERSION)
        splitters, tables = self._layout_parts()
        for key, sp in splitters.items():
            v = s.value(f"layout/splitters/{key}")
            if isinstance(v, QByteArray) and not v.isEmpty():
                sp.restoreState(v)
        for key, tv in tables.items():
            v = s.value(f"layout/tables/{key}")
            if isinstance(v, QByteArray) and not v.isEmpty():
                tv.horizontalHeader().restoreState(v)
        hh = self.inventory.table.horizontalHeader()
        if 0 <= hh.sortIndicatorSection() < self.inventory.model.columnCount():
            self.inventory.model.sort(hh.sortIndicatorSection(), hh.sortIndicatorOrder())
        try:
            tab = int(s.value("layout/detail_tab", -1))
            if 0 <= tab < self.detail.tabs.count():
                self.detail.tabs.setCurrentIndex(tab)
            model_id = s.value("layout/model_id")
            self._restore_model_id = int(model_id) if model_id not in (None, "") else None
        except (TypeError, ValueError):
            self._restore_model_id = None

    def _save_settings(self) -> None:
        if not self._restore_state:
            return
        s = self._settings()
        s.setValue("settings/version", SETTINGS_VERSION)
        s.setValue("layout/geometry", self.saveGeometry())
        s.setValue("layout/state", self.saveState(SETTINGS_VERSION))
        splitters, tables = self._layout_parts()
        for key, sp in splitters.items():
            s.setValue(f"layout/splitters/{key}", sp.saveState())
        for key, tv in tables.items():
            s.setValue(f"layout/tables/{key}", tv.horizontalHeader().saveState())
        s.setValue("layout/detail_tab", self.detail.tabs.currentIndex())
        sel = self.inventory.selected_id()
        if sel is not None:
            s.setValue("layout/model_id", sel)
        s.sync()

    def shutdown(self, timeout_ms: int = 15000) -> None:
        """Cancel and wait for every job, then close the workspace (idempotent)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._select_timer.stop()
        self.refresh_timer.stop()
        self.runner.shutdown(timeout_ms)
        self._save_settings()
        if self.ws is not None:
            try:
                self.ws.close()
            except Exception:
                pass

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self._on_activated()

    def _on_activated(self) -> None:
        """Window activated: reload in the background, unless a reload just ended."""
        if self._ready_sent and time.monotonic() - self._last_refresh_end >= FOCUS_REFRESH_MIN_S:
            self.refresh(background=True)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._user_job is not None and not self._shut_down:
            answer = QMessageBox.question(
                self,
                "Tollgate",
                f"{self._user_job.title} is still running.\nCancel it and quit? Nothing of it will be saved.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.shutdown()
        super().closeEvent(event)
