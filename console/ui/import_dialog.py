"""Model → Import prediction log…: preview a CSV/TSV/Parquet file of logged predictions,
choose how to read it and which column plays which role, ingest it into the workspace,
then optionally run monitoring.

Everything that touches a file or the workspace runs in a worker of the main window's
:class:`~console.ui.workers.JobRunner`:

* :func:`console.services.monitoring.preview_table` -- the first 50 rows as Tollgate
  reads them, with the detected encoding, separator, decimal mark and date formats
  (each shown and overridable in a combo box; a change previews again) and suggested
  column roles (pre-filled role pickers);
* :func:`console.services.monitoring.ingest_predictions` (serial writer pool, progress
  and Cancel; nothing is written unless the whole file is valid);
* :func:`console.services.monitoring.run_monitoring` with the chosen window (``1D``,
  ``1W``, ``1M`` or ``N rows``).

A refused file shows the service's one-line message (a ``TollgateError``); an
unexpected error says so and that nothing was saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.ui import theme
from console.ui.tablemodel import Column, ObjectTableModel, configure_table_view

__all__ = ["ImportLogDialog", "PreviewModel", "ROLES", "WINDOW_CHOICES"]

#: (role key, label, required)
ROLES = (
    ("timestamp", "&Timestamp:", True),
    ("prediction", "&Prediction:", True),
    ("score", "&Score:", False),
    ("label", "&Label:", False),
    ("request_id", "Re&quest id:", False),
)
#: window rules offered after the import (``N rows`` uses the spin box)
WINDOW_CHOICES = (("1D", "Daily (1D, UTC days)"), ("1W", "Weekly (1W, ISO weeks)"),
                  ("1M", "Monthly (1M, calendar months)"), ("rows", "Every N rows"))
NONE = "(none)"
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16")
SEPARATORS = ((",", "comma ,"), (";", "semicolon ;"), ("\t", "tab"), ("|", "pipe |"))
DECIMALS = ((".", "point 1.5"), (",", "comma 1,5"))
DATE_FORMATS = ("ISO8601", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
                "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")


class PreviewModel(ObjectTableModel):
    """The previewed rows; each header names the column and its parsed type."""

    def set_preview(self, head: Any, kinds: dict[str, str], dtypes: dict[str, str]) -> None:
        cols = [str(c) for c in head.columns]

        def cell(i: int):
            def show(row: Sequence[Any]) -> str:
                v = row[i]
                try:
                    if v is None or v != v:
                        return ""
                except (TypeError, ValueError):
                    pass
                return str(v)
            return show

        def width(c: str) -> int:
            longest = max([len(c)] + [len(str(v)) for v in head[c].head(20)])
            return max(80, min(220, 8 * longest + 20))

        self.columns = [Column(f"{c}\n({kinds.get(c, '?')})", cell(i), header_tip=f"{c}: parsed as {dtypes.get(c, '?')}",
                               width=width(c))
                        for i, c in enumerate(cols)]
        self.set_rows([tuple(r) for r in head.itertuples(index=False, name=None)])


def _preview(path: str, options: dict[str, Any], progress=None, cancel=None):
    from console.services.monitoring import preview_table

    return preview_table(path, **options)


def _ingest(ws: Any, model: Any, version: Any, path: str, kw: dict[str, Any], progress=None, cancel=None):
    from console.services.monitoring import ingest_predictions

    return ingest_predictions(ws, model, version, path, progress=progress, cancel=cancel, **kw)


def _monitor(ws: Any, model: Any, version: Any, window: str, actor: str, progress=None, cancel=None):
    from console.services.monitoring import run_monitoring

    return run_monitoring(ws, model, version, window=window, actor=actor, progress=progress, cancel=cancel)


class ImportLogDialog(QDialog):
    """Import a prediction log of one model (window-modal, non-blocking).

    Signals: ``previewed(object)`` (a :class:`~console.services.monitoring.TablePreview`),
    ``failed(str)`` (the one-line message of a refused preview / import / run),
    ``ingested(object)`` (the :class:`~console.services.monitoring.IngestResult`),
    ``monitored(object)`` (the :class:`~console.services.monitoring.MonitoringRun`).
    """

    previewed = Signal(object)
    failed = Signal(str)
    ingested = Signal(object)
    monitored = Signal(object)

    def __init__(self, ws: Any, runner: Any, model: Any, versions: Sequence[int], actor: str,
                 parent: Optional[QWidget] = None, *, default_version: Optional[int] = None) -> None:
        super().__init__(parent)
        self.ws, self.runner, self.model, self.actor = ws, runner, model, actor
        self.preview: Any = None
        self.result: Any = None
        self.run: Any = None
        self._job: Any = None
        self._preview_job: Any = None
        self._applying = False
        self._error = ""
        name = getattr(model, "name", str(model))
        self.model_ref = getattr(model, "id", model)
        self.setWindowTitle(f"Import prediction log — {name}")
        self.setAccessibleName("Import prediction log")
        self.setMinimumSize(980, 680)

        # -- file and version
        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText("A CSV, TSV or Parquet file of logged predictions")
        self.path_edit.setAccessibleName("Prediction log file")
        self.path_edit.editingFinished.connect(lambda: self.set_path(self.path_edit.text()))
        self.browse = QPushButton("&Browse…", self)
        self.browse.setAutoDefault(False)
        self.browse.clicked.connect(self._browse)
        self.version_combo = QComboBox(self)
        self.version_combo.setAccessibleName("Model version the predictions come from")
        for v in sorted(versions, reverse=True):
            self.version_combo.addItem(f"v{v}", v)
        if default_version is not None and self.version_combo.findData(default_version) >= 0:
            self.version_combo.setCurrentIndex(self.version_combo.findData(default_version))
        top = QGridLayout()
        fl = QLabel("&File:", self)
        fl.setBuddy(self.path_edit)
        top.addWidget(fl, 0, 0)
        top.addWidget(self.path_edit, 0, 1)
        top.addWidget(self.browse, 0, 2)
        vl = QLabel("&Version:", self)
        vl.setBuddy(self.version_combo)
        top.addWidget(vl, 0, 3)
        top.addWidget(self.version_combo, 0, 4)
        top.setColumnStretch(1, 1)

        # -- reading options (detected, overridable)
        self.encoding_combo = QComboBox(self)
        self.sep_combo = QComboBox(self)
        self.decimal_combo = QComboBox(self)
        self.date_combo = QComboBox(self)
        self.date_combo.setEditable(True)
        for combo in (self.encoding_combo, self.sep_combo, self.decimal_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(18)  # "auto: semicolon ;"
        self.date_combo.setMinimumContentsLength(16)
        for combo, name_ in ((self.encoding_combo, "Encoding"), (self.sep_combo, "Separator"),
                             (self.decimal_combo, "Decimal mark"), (self.date_combo, "Date format of the timestamp")):
            combo.setAccessibleName(name_)
        self.encoding_combo.addItem("auto", None)
        for e in ENCODINGS:
            self.encoding_combo.addItem(e, e)
        self.sep_combo.addItem("auto", None)
        for s, text in SEPARATORS:
            self.sep_combo.addItem(text, s)
        self.decimal_combo.addItem("auto", None)
        for d, text in DECIMALS:
            self.decimal_combo.addItem(text, d)
        for f in DATE_FORMATS:
            self.date_combo.addItem(f, f)
        for combo in (self.encoding_combo, self.sep_combo, self.decimal_combo):
            combo.currentIndexChanged.connect(self._options_changed)
        self.timezone_edit = QLineEdit("UTC", self)
        self.timezone_edit.setAccessibleName("Time zone of timestamps without an offset")
        self.timezone_edit.setToolTip("Timestamps without a UTC offset are read in this IANA time zone "
                                      "(e.g. Europe/Paris); all are stored in UTC")
        self.timezone_edit.setMinimumWidth(110)
        self.timezone_edit.setMaximumWidth(150)
        opts = QHBoxLayout()
        for text, w in (("&Encoding:", self.encoding_combo), ("Se&parator:", self.sep_combo),
                        ("&Decimal:", self.decimal_combo), ("Date &format:", self.date_combo),
                        ("Time &zone:", self.timezone_edit)):
            lab = QLabel(text, self)
            lab.setBuddy(w)
            opts.addWidget(lab)
            opts.addWidget(w)
        opts.addStretch(1)
        self.detected = QLabel(self)
        self.detected.setProperty("role", "muted")
        self.detected.setWordWrap(True)
        self.detected.setAccessibleName("What was detected in the file")

        # -- preview
        self.preview_model = PreviewModel(parent=self)
        self.table = QTableView(self)
        configure_table_view(self.table, self.preview_model, "Preview of the first 50 rows")
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setMinimumHeight(44)

        # -- roles
        roles = QFrame(self)
        roles.setProperty("role", "card")
        rl = QFormLayout(roles)
        rl.setContentsMargins(10, 6, 10, 6)
        self.role_combos: dict[str, QComboBox] = {}
        row = QGridLayout()
        for n, (key, label, required) in enumerate(ROLES):
            c = QComboBox(roles)
            c.setAccessibleName(label.replace("&", "").rstrip(":") + " column")
            c.setMinimumContentsLength(10)
            self.role_combos[key] = c
            lab = QLabel(label.replace(":", " *:") if required else label, roles)
            lab.setBuddy(c)
            row.addWidget(lab, n // 3, 2 * (n % 3))
            row.addWidget(c, n // 3, 2 * (n % 3) + 1)
            row.setColumnStretch(2 * (n % 3) + 1, 1)
        self.role_combos["timestamp"].currentIndexChanged.connect(self._timestamp_changed)
        rl.addRow(row)
        self.ignore_extra = QCheckBox("&Ignore columns that are neither features nor one of these roles", roles)
        self.ignore_extra.setChecked(True)
        rl.addRow(self.ignore_extra)

        # -- status, progress, result, monitoring
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet(f"color: {theme.TOKENS.bad}")
        self.error_label.setAccessibleName("Error")
        self.error_label.hide()
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Import status")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName("Progress")
        self.progress.hide()
        self.window_combo = QComboBox(self)
        self.window_combo.setAccessibleName("Monitoring window")
        for key, text in WINDOW_CHOICES:
            self.window_combo.addItem(text, key)
        self.window_combo.setCurrentIndex(2)
        self.rows_spin = QSpinBox(self)
        self.rows_spin.setRange(10, 10_000_000)
        self.rows_spin.setSingleStep(1000)
        self.rows_spin.setValue(5000)
        self.rows_spin.setSuffix(" rows")
        self.rows_spin.setAccessibleName("Rows per window")
        self.window_combo.currentIndexChanged.connect(
            lambda _i: self.rows_spin.setEnabled(self.window_combo.currentData() == "rows"))
        self.rows_spin.setEnabled(False)
        self.monitor_button = QPushButton("&Run monitoring now", self)
        self.monitor_button.setAutoDefault(False)
        self.monitor_button.clicked.connect(self.run_monitoring)
        self.monitor_box = QWidget(self)
        ml = QHBoxLayout(self.monitor_box)
        ml.setContentsMargins(0, 0, 0, 0)
        wl = QLabel("Monitoring &window:", self.monitor_box)
        wl.setBuddy(self.window_combo)
        ml.addWidget(wl)
        ml.addWidget(self.window_combo)
        ml.addWidget(self.rows_spin)
        ml.addWidget(self.monitor_button)
        ml.addStretch(1)
        self.monitor_box.hide()

        self.import_button = QPushButton("&Import", self)
        self.import_button.setDefault(True)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(opts)
        lay.addWidget(self.detected)
        lay.addWidget(self.table, 1)
        lay.addWidget(roles)
        lay.addWidget(self.error_label)
        lay.addWidget(self.status_label)
        lay.addWidget(self.monitor_box)
        lay.addLayout(buttons)

    # ------------------------------------------------------------------ file + preview
    def _browse(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, "Prediction log", str(Path.home()),
                                               "Prediction logs (*.csv *.tsv *.tab *.txt *.parquet *.pq);;All files (*)")
        if path:
            self.set_path(path)

    def set_path(self, path: str) -> None:
        """Preview ``path`` with every reading option detected."""
        path = path.strip()
        if not path:
            return
        with_block = [self.encoding_combo, self.sep_combo, self.decimal_combo]
        for c in with_block:
            c.blockSignals(True)
            c.setCurrentIndex(0)
            c.blockSignals(False)
        self.path_edit.setText(path)
        self._start_preview()

    def read_options(self) -> dict[str, Any]:
        """The chosen reading options (None = detect), as ``preview_table`` takes them."""
        return {"encoding": self.encoding_combo.currentData(), "sep": self.sep_combo.currentData(),
                "decimal": self.decimal_combo.currentData()}

    def _options_changed(self, _i: int = 0) -> None:
        if not self._applying and self.path_edit.text().strip():
            self._start_preview()

    def _start_preview(self) -> None:
        if self._preview_job is not None:
            self._preview_job.cancel()
        self._show_error(None)
        self.import_button.setEnabled(False)
        self.status_label.setText("Reading the first rows…")
        path = self.path_edit.text().strip()
        self._preview_job = self.runner.submit(
            _preview, path, self.read_options(), title="Previewing the prediction log",
            on_result=lambda p, path=path: self._on_preview(path, p),
            on_error=lambda msg, det, path=path: self._on_preview_error(path, msg, det),
        )

    def _on_preview(self, path: str, p: Any) -> None:
        if path != self.path_edit.text().strip():
            return
        self.preview = p
        self._preview_job = None
        self.preview_model.set_preview(p.head, p.kinds, p.dtypes)
        for i, col in enumerate(self.preview_model.columns):
            if col.width:
                self.table.horizontalHeader().resizeSection(i, col.width)
        # show what was used (detected unless chosen) in the combos
        self._applying = True
        try:
            if p.file_kind == "text":
                for combo, value in ((self.encoding_combo, p.encoding), (self.sep_combo, p.separator),
                                     (self.decimal_combo, p.decimal)):
                    if combo.currentData() is None and value is not None:
                        i = combo.findData(value)
                        if i < 0:
                            combo.addItem(repr(value), value)
                            i = combo.count() - 1
                        combo.setItemText(0, f"auto: {combo.itemText(i)}")
            for combo in (self.encoding_combo, self.sep_combo, self.decimal_combo):
                combo.setEnabled(p.file_kind == "text")
        finally:
            self._applying = False
        cols = [str(c) for c in p.head.columns]
        for key, combo in self.role_combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NONE, None)
            for c in cols:
                combo.addItem(c, c)
            want = p.suggested.get(key)
            combo.setCurrentIndex(max(0, combo.findData(want)) if want else 0)
            combo.blockSignals(False)
        self._timestamp_changed()
        self.status_label.setText(f"Preview of the first {len(p.head):,} rows of {Path(path).name}. "
                                  "Check the roles, then Import.")
        self.import_button.setEnabled(True)
        self.previewed.emit(p)

    def detected_text(self) -> str:
        """One line of what the reader detected / used."""
        p = self.preview
        if p is None:
            return ""
        if p.file_kind == "parquet":
            parts = ["Parquet file (typed columns; no text options)"]
        else:
            sep = {"\t": "tab", ",": "comma ','", ";": "semicolon ';'", "|": "pipe '|'"}.get(p.separator or "",
                                                                                          repr(p.separator))
            dec = "decimal comma" if p.decimal == "," else "decimal point"
            parts = [f"Encoding {p.encoding}", f"separator {sep}", dec + (f", thousands '{p.thousands}'"
                                                                          if p.thousands else "")]
        if p.date_formats:
            parts.append("date format " + ", ".join(f"{f} ({c})" for c, f in p.date_formats.items()))
        if p.ambiguous_dates:
            parts.append("day/month order cannot be told in " + ", ".join(p.ambiguous_dates) + ": check the format")
        text = "Detected: " + " · ".join(parts)
        if p.notes:
            text += " · " + "; ".join(p.notes)
        return text

    def _timestamp_changed(self, _i: int = 0) -> None:
        p = self.preview
        if p is None:
            return
        col = self.role_combos["timestamp"].currentData()
        fmt_ = p.date_formats.get(col) if col else None
        if fmt_:
            i = self.date_combo.findData(fmt_)
            if i < 0:
                self.date_combo.addItem(fmt_, fmt_)
                i = self.date_combo.count() - 1
            self.date_combo.setCurrentIndex(i)
        self.detected.setText(self.detected_text())

    def _on_preview_error(self, path: str, message: str, details: str) -> None:
        if path != self.path_edit.text().strip():
            return
        self._preview_job = None
        self.preview = None
        self.preview_model.set_preview(__import__("pandas").DataFrame(), {}, {})
        self.status_label.setText("")
        self._show_error(message if not details else f"{message} (unexpected error; nothing was read)")
        self.failed.emit(message)

    # ------------------------------------------------------------------ import
    def roles(self) -> dict[str, Optional[str]]:
        return {k: c.currentData() for k, c in self.role_combos.items()}

    def ingest_kwargs(self) -> dict[str, Any]:
        r = self.roles()
        fmt_ = self.date_combo.currentText().strip() or None
        ropts = {k: v for k, v in self.read_options().items() if v is not None}
        p = self.preview
        if p is not None and p.file_kind == "text":
            # read the file the way the preview did (detected values made explicit)
            ropts.setdefault("encoding", p.encoding)
            ropts.setdefault("sep", p.separator)
            ropts.setdefault("decimal", p.decimal)
            if p.thousands:
                ropts.setdefault("thousands", p.thousands)
            ropts = {k: v for k, v in ropts.items() if v is not None}
        return dict(timestamp_col=r["timestamp"], prediction_col=r["prediction"], label_col=r["label"],
                    request_id_col=r["request_id"], score_col=r["score"],
                    timestamp_format=None if fmt_ in (None, "ISO8601") else fmt_,
                    timezone=self.timezone_edit.text().strip() or "UTC", ignore_extra=self.ignore_extra.isChecked(),
                    read_options=ropts or None, file_name=Path(self.path_edit.text().strip()).name, actor=self.actor)

    def start_import(self) -> Any:
        """Ingest the file in a worker (serial writer pool) with progress and Cancel."""
        if self._job is not None or self.preview is None:
            return None
        r = self.roles()
        missing = [lab.replace("&", "").rstrip(":") for key, lab, req in ROLES if req and not r[key]]
        if missing:
            self._show_error(f"Choose the {' and the '.join(m.lower() for m in missing)} column.")
            return None
        self._show_error(None)
        path = self.path_edit.text().strip()
        version = self.version_combo.currentData()
        self._busy(True, "Importing…")
        self._job = self.runner.submit(
            _ingest, self.ws, self.model_ref, version, path, self.ingest_kwargs(), serial=True,
            title=f"Import of {Path(path).name}",
            on_progress=self._on_progress, on_result=self._on_ingested,
            on_error=self._on_job_error, on_cancelled=self._on_cancelled, on_finished=self._on_finished,
        )
        return self._job

    def _on_ingested(self, res: Any) -> None:
        self.result = res
        if res.duplicate:
            text = f"These {res.rows:,} rows were already imported for v{res.version}: nothing was written."
        else:
            span = f"{res.ts_min:%Y-%m-%d %H:%M} – {res.ts_max:%Y-%m-%d %H:%M} UTC"
            text = (f"✔ Imported {res.rows:,} predictions ({res.labelled:,} with a label) for v{res.version}, "
                    f"{span}.")
        if res.notes:
            text += " Notes: " + "; ".join(res.notes)
        self.status_label.setText(text + " Run monitoring now to update the drift history.")
        self.monitor_box.show()
        self.import_button.setEnabled(False)
        self.cancel_button.setText("Close")
        self.ingested.emit(res)

    # ------------------------------------------------------------------ monitoring
    def window_rule(self) -> str:
        key = self.window_combo.currentData()
        return f"{self.rows_spin.value()}rows" if key == "rows" else key

    def run_monitoring(self) -> Any:
        """Run monitoring of the imported version with the chosen window (worker)."""
        if self._job is not None and not self._job.done.is_set():
            return None
        version = self.result.version if self.result is not None else self.version_combo.currentData()
        self._show_error(None)
        self._busy(True, f"Running monitoring ({self.window_rule()} windows)…")
        self.monitor_button.setEnabled(False)
        self._job = self.runner.submit(
            _monitor, self.ws, self.model_ref, version, self.window_rule(), self.actor, serial=True,
            title="Monitoring run", on_progress=self._on_progress, on_result=self._on_monitored,
            on_error=self._on_job_error, on_cancelled=self._on_cancelled, on_finished=self._on_finished,
        )
        return self._job

    def _on_monitored(self, run: Any) -> None:
        self.run = run
        n = len(run.windows)
        drift = sum(1 for w in run.windows if w.status == "drift")
        found = f"; {len(run.findings_opened)} finding(s) opened" if run.findings_opened else ""
        self.status_label.setText(f"✔ Monitoring stored: {n} window{'s' if n != 1 else ''}, latest status "
                                  f"{theme.status_glyph(run.latest_status)} {run.latest_status or 'not tested'}, "
                                  f"{drift} with drift{found}. The Drift tab shows it.")
        self.monitor_button.setEnabled(True)
        self.monitored.emit(run)

    # ------------------------------------------------------------------ job plumbing
    def _busy(self, on: bool, text: str = "") -> None:
        self.progress.setVisible(on)
        self.progress.setValue(0)
        if on:
            self.status_label.setText(text)
            self.cancel_button.setText("Cancel")
        for w in (self.path_edit, self.browse, self.version_combo, self.encoding_combo, self.sep_combo,
                  self.decimal_combo, self.date_combo, self.import_button, *self.role_combos.values()):
            w.setEnabled(not on and (w is not self.import_button or (self.preview is not None and self.result is None)))

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        if message:
            self.status_label.setText(message)

    def _on_job_error(self, message: str, details: str) -> None:
        self._show_error(message if not details else f"{message} — an unexpected error; nothing was saved.")
        self.status_label.setText("Nothing was saved.")
        self.monitor_button.setEnabled(True)
        self.failed.emit(message)

    def _on_cancelled(self, message: str) -> None:
        self.status_label.setText(message)
        self.monitor_button.setEnabled(True)

    def _on_finished(self) -> None:
        self._job = None
        self._busy(False)
        if self.result is not None:
            self.cancel_button.setText("Close")

    def _show_error(self, message: Optional[str]) -> None:
        self._error = message or ""
        self.error_label.setText(f"✖ {message}" if message else "")
        self.error_label.setVisible(bool(message))

    @property
    def error_text(self) -> str:
        """The shown one-line error ("" when none)."""
        return self._error

    @property
    def busy(self) -> bool:
        return self._job is not None

    def _cancel_or_close(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.status_label.setText("Cancelling… nothing will be saved.")
            return
        self.reject()

    def reject(self) -> None:  # noqa: D401 - Qt API
        if self._job is not None:
            self._job.cancel()
        super().reject()
