"""The "Export report…" dialog: the model audit report, the model validation report of
one model, or the inventory report of the whole workspace (optionally filtered by risk
tier and lifecycle status), written as a PDF in a worker with progress and Cancel.

The PDF is built by the reports service (:func:`console.services.reports.export_report`);
this dialog only collects the choices, runs :func:`export_job` in the window's job
runner (the serial pool: one writer at a time) and reports the outcome: a bad input or
a refused export is one plain line in the dialog, completion goes to the main window's
status bar (:attr:`ReportDialog.exported`) and "Open folder" shows the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from console.errors import InputError
from console.ui import theme

__all__ = ["ReportDialog", "export_job", "KINDS", "default_report_path"]

#: kind -> (label in the dialog, file-name suffix, what the report holds)
KINDS: dict[str, tuple[str, str, str]] = {
    "audit": ("Model audit report", "audit",
              "One model: model card, lineage, validation evidence, drift, findings, RACI, approvals and "
              "signatures, the model's audit trail with the chain verification, and the regulatory mapping."),
    "validation": ("Model validation report", "validation",
                   "One model version's latest validation run: every check with its evidence, tables and "
                   "charts, fingerprints of the inputs, and the findings it opened."),
    "inventory": ("Inventory report", "inventory",
                  "The whole workspace (or the tier / status chosen below): every model with its tier, "
                  "status, champion, last validation, drift and open findings."),
}

STATUSES = ("development", "validation", "approved", "production", "retired")


def _safe_filename(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name).strip("-") or "model"


def default_report_path(kind: str, model_name: Optional[str], folder: Optional[Path] = None) -> Path:
    """``~/NAME-audit.pdf``, ``~/NAME-validation.pdf`` or ``~/tollgate-inventory.pdf``."""
    folder = folder or Path.home()
    suffix = KINDS[kind][1]
    stem = "tollgate" if kind == "inventory" or not model_name else _safe_filename(model_name)
    return folder / f"{stem}-{suffix}.pdf"


def export_job(ws: Any, kind: str, path: str, *, model: Optional[int] = None, version: Optional[int] = None,
               tier: Optional[int] = None, status: Optional[str] = None, actor: Optional[str] = None,
               progress=None, cancel=None) -> Path:
    """Write one report to ``path`` (job function: runs in a worker).

    ``kind``: ``audit`` | ``validation`` (``model`` required, ``version`` optional:
    default champion, else latest) | ``inventory`` (optional ``tier`` 1–3 and lifecycle
    ``status`` filters).  Delegates to :func:`console.services.reports.export_report`;
    a workspace without that service (older build) can still write the audit report.
    Raises :class:`InputError` for a missing model or an unknown kind; the service's own
    errors (``TollgateError``) pass through unchanged.  Returns the written path (the
    service's ``ReportFile``: a Path with ``pages``, ``warnings`` and ``seconds``).
    """
    if kind not in KINDS:
        raise InputError(f"unknown report kind {kind!r}; choose one of {', '.join(KINDS)}")
    if kind != "inventory" and model is None:
        raise InputError(f"choose the model whose {KINDS[kind][0].lower()} to write")
    kw: dict[str, Any] = {}
    if actor:
        kw["actor"] = actor
    try:
        from console.services.reports import export_report
    except ImportError:
        export_report = None
    if export_report is not None:
        filters = {k: v for k, v in (("tier", tier), ("status", status)) if v is not None}
        return export_report(ws, kind, model if kind != "inventory" else None, version, path,
                             filters=(filters or None) if kind == "inventory" else None,
                             progress=progress, cancel=cancel, **kw)
    if kind == "audit":
        return Path(ws.export_audit_report(model, path, progress=progress, cancel=cancel, **kw))
    raise InputError(f"this build of Tollgate cannot write the {KINDS[kind][0].lower()} yet")


class ReportDialog(QDialog):
    """Choose the report kind, model / filters and file, then export in a worker.

    ``models``: the inventory's :class:`~console.domain.models.ModelSummary` rows;
    ``model_id``: the one selected in the window (pre-selected); ``actor``: the login
    recorded in the audit event.  ``ask_path`` replaces the file dialog (tests).
    Emits :attr:`exported` ``(path, kind label, model name or "")`` when a report was
    written.  Closing while it runs cancels the job (nothing is left half-written: the
    service writes atomically).
    """

    exported = Signal(str, str, str)

    def __init__(self, ws: Any, runner: Any, models: Sequence[Any], model_id: Optional[int] = None, *,
                 actor: Optional[str] = None, kind: str = "audit", parent: Optional[QWidget] = None,
                 ask_path: Optional[Callable[[Path], Optional[str]]] = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self.actor = actor
        self.job: Any = None
        self.last_path: Optional[Path] = None
        self.result: Any = None  # the service's ReportFile of the last export
        self._ask_path = ask_path
        self._path_edited = False
        self._has_models = bool(models)
        self.setWindowTitle("Export report")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(560)

        kinds = QGroupBox("Report", self)
        kl = QVBoxLayout(kinds)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for i, (key, (label, _suffix, what)) in enumerate(KINDS.items()):
            b = QRadioButton(label, kinds)
            b.setToolTip(what)
            b.setProperty("kind", key)
            self.kind_group.addButton(b, i)
            self.kind_buttons[key] = b
            kl.addWidget(b)
        self.kind_help = QLabel(kinds)
        self.kind_help.setWordWrap(True)
        self.kind_help.setProperty("role", "muted")
        kl.addWidget(self.kind_help)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.model_combo = QComboBox(self)
        self.model_combo.setAccessibleName("Model")
        for m in sorted(models, key=lambda m: m.name.casefold()):
            self.model_combo.addItem(m.name, m.id)
        if model_id is not None:
            self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(model_id)))
        self.tier_combo = QComboBox(self)
        self.tier_combo.setAccessibleName("Risk tier filter")
        self.tier_combo.addItem("All risk tiers", None)
        for t in (1, 2, 3):
            self.tier_combo.addItem(f"Tier {t} only", t)
        self.status_combo = QComboBox(self)
        self.status_combo.setAccessibleName("Lifecycle status filter")
        self.status_combo.addItem("All statuses", None)
        for st in STATUSES:
            self.status_combo.addItem(st.capitalize(), st)
        self.path_edit = QLineEdit(self)
        self.path_edit.setAccessibleName("File to write")
        self.path_edit.textEdited.connect(lambda _t: setattr(self, "_path_edited", True))
        self.path_edit.textChanged.connect(lambda _t: self._update_buttons())
        browse = QPushButton("&Browse…", self)
        browse.clicked.connect(self.browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.model_label = QLabel("&Model:", self)
        self.model_label.setBuddy(self.model_combo)
        self.tier_label = QLabel("Risk &tier:", self)
        self.tier_label.setBuddy(self.tier_combo)
        self.status_label = QLabel("&Status:", self)
        self.status_label.setBuddy(self.status_combo)
        file_label = QLabel("&File:", self)
        file_label.setBuddy(self.path_edit)
        form.addRow(self.model_label, self.model_combo)
        form.addRow(self.tier_label, self.tier_combo)
        form.addRow(self.status_label, self.status_combo)
        form.addRow(file_label, path_row)
        self.form = form

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName("Export progress")
        self.progress.hide()
        self.step = QLabel(self)
        self.step.setWordWrap(True)
        self.step.setAccessibleName("Current step")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAccessibleName("Outcome")
        self.message.hide()

        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.open_button = self.buttons.addButton("&Open folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.hide()
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.hide()
        self.export_button.clicked.connect(self.export)
        self.open_button.clicked.connect(self.open_folder)
        self.cancel_button.clicked.connect(self.reject)
        self.close_button.clicked.connect(self.accept)

        lay = QVBoxLayout(self)
        lay.addWidget(kinds)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.step)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)

        self.kind_group.idToggled.connect(lambda _i, on: self._on_kind() if on else None)
        self.model_combo.currentIndexChanged.connect(lambda _i: self._default_path())
        self.kind_buttons[kind if kind in KINDS else "audit"].setChecked(True)
        self._on_kind()
        if not models:
            for key in ("audit", "validation"):
                self.kind_buttons[key].setEnabled(False)
                self.kind_buttons[key].setToolTip("The workspace has no models yet")
            self.kind_buttons["inventory"].setChecked(True)

    # ------------------------------------------------------------------ choices
    def kind(self) -> str:
        b = self.kind_group.checkedButton()
        return b.property("kind") if b is not None else "audit"

    def set_kind(self, kind: str) -> None:
        self.kind_buttons[kind].setChecked(True)

    def _on_kind(self) -> None:
        kind = self.kind()
        one_model = kind != "inventory"
        for w in (self.model_label, self.model_combo):
            w.setVisible(one_model)
        for w in (self.tier_label, self.tier_combo, self.status_label, self.status_combo):
            w.setVisible(not one_model)
        self.kind_help.setText(KINDS[kind][2])
        self._default_path()
        self._update_buttons()

    def _default_path(self) -> None:
        if self._path_edited:
            # keep the user's folder, follow the kind in the file name
            current = Path(self.path_edit.text()).expanduser()
            folder = current.parent if self.path_edit.text() else None
        else:
            folder = None
        name = self.model_combo.currentText() if self.kind() != "inventory" else None
        self.path_edit.setText(str(default_report_path(self.kind(), name, folder)))

    def path(self) -> Optional[Path]:
        """The chosen file (``.pdf`` appended when missing), or None when empty."""
        text = self.path_edit.text().strip()
        if not text:
            return None
        p = Path(text).expanduser()
        return p if p.suffix.lower() == ".pdf" else p.with_name(p.name + ".pdf")

    def browse(self) -> None:
        default = self.path() or default_report_path(self.kind(), self.model_combo.currentText())
        if self._ask_path is not None:
            chosen = self._ask_path(default)
        else:
            chosen, _f = QFileDialog.getSaveFileName(self, "Export report", str(default), "PDF documents (*.pdf)")
        if chosen:
            self._path_edited = True
            self.path_edit.setText(chosen)

    def _update_buttons(self) -> None:
        busy = self.job is not None
        ok = self.path() is not None and (self.kind() == "inventory" or self.model_combo.currentData() is not None)
        self.export_button.setEnabled(ok and not busy)

    # ------------------------------------------------------------------ export
    def problem(self) -> Optional[str]:
        """Why the export cannot start (one line), else None."""
        p = self.path()
        if p is None:
            return "Choose the file to write."
        if not p.parent.is_dir():
            return f"The folder {p.parent} does not exist; choose another file."
        if self.kind() != "inventory" and self.model_combo.currentData() is None:
            return "Choose a model."
        return None

    def export(self) -> Optional[Any]:
        """Start the export job (serial pool); returns the Job, or None when refused."""
        if self.job is not None:
            return None
        why = self.problem()
        if why:
            self._show_message("fail", why)
            return None
        kind, path = self.kind(), self.path()
        model = self.model_combo.currentData() if kind != "inventory" else None
        name = self.model_combo.currentText() if kind != "inventory" else ""
        label = KINDS[kind][0]
        self.message.hide()
        self.open_button.hide()
        self.progress.setValue(0)
        self.progress.show()
        self.step.setText(f"Writing the {label.lower()}…")
        title = f"Export of the {label.lower()}" + (f" of {name}" if name else "")
        self.job = self.runner.submit(
            export_job, self.ws, kind, str(path), model=model,
            tier=self.tier_combo.currentData() if kind == "inventory" else None,
            status=self.status_combo.currentData() if kind == "inventory" else None,
            actor=self.actor, title=title, serial=True,
            on_progress=self._on_progress,
            on_result=lambda out, lab=label, n=name: self._on_done(out, lab, n),
            on_error=self._on_error,
            on_cancelled=lambda _m: self._show_message("skipped", "Export cancelled; no file was written."),
            on_finished=self._on_finished,
        )
        self._set_inputs_enabled(False)
        self._update_buttons()
        return self.job

    def _set_inputs_enabled(self, on: bool) -> None:
        for key, b in self.kind_buttons.items():
            b.setEnabled(on and (self._has_models or key == "inventory"))
        for w in (self.model_combo, self.tier_combo, self.status_combo, self.path_edit):
            w.setEnabled(on)

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(fraction * 1000)))
        if message:
            self.step.setText(message)

    def _on_done(self, out: Any, label: str, name: str) -> None:
        self.result = out
        out = Path(out)
        self.last_path = out
        pages = getattr(self.result, "pages", 0)
        warnings = list(getattr(self.result, "warnings", None) or [])
        extra = f" ({pages} page{'s' if pages != 1 else ''})" if pages else ""
        self._show_message("warn" if warnings else "pass", f"{label} written to {out}{extra}"
                           + (f". Note: {warnings[0]}" if warnings else ""))
        self.open_button.show()
        self.close_button.show()
        self.cancel_button.hide()
        self.exported.emit(str(out), label, name)

    def _on_error(self, message: str, details: str) -> None:
        if details:  # a bug: one line here, the traceback kept for a report
            line = f"Unexpected error ({message.splitlines()[0] if message else 'unknown'}); no file was written."
            self.message.setToolTip(details)
        else:
            line = message.splitlines()[0] if message else "The report could not be written."
        self._show_message("fail", line)

    def _on_finished(self) -> None:
        self.job = None
        self.progress.hide()
        self.step.setText("")
        self._set_inputs_enabled(True)
        self._update_buttons()

    def _show_message(self, status: str, text: str) -> None:
        import html

        style = theme.status_style(status)
        self.message.setText(f'<span style="color:{style.colour}"><b>{theme.status_glyph(status)}</b></span> '
                             + html.escape(text))
        self.message.show()

    def open_folder(self) -> bool:
        """Show the written file's folder in the desktop's file manager."""
        if self.last_path is None:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_path.parent)))

    # ------------------------------------------------------------------ closing
    def reject(self) -> None:
        if self.job is not None:
            self.job.cancel()  # the cancelled signal says so; the dialog closes
        super().reject()

    def done(self, r: int) -> None:  # noqa: D401 - Qt API
        if self.job is not None:
            self.job.cancel()
        super().done(r)
