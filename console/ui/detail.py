"""Model detail: header with key facts and tabs Overview, Versions, Validation, Drift and
Audit trail.  Fed with a :class:`~console.domain.models.ModelDetail` loaded in a worker
by the main window (the panel itself never talks to the workspace).
"""

from __future__ import annotations

import functools
import html
from typing import Any, Optional, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.models import describe_event
from console.domain.models import (
    AuditEvent,
    CheckResult,
    ModelDetail,
    ModelSummary,
    ModelVersion,
    ValidationRun,
)
from console.ui import fmt, theme
from console.ui.inventory import TIER_TEXT, next_validation_state, next_validation_text
from console.ui.tablemodel import ALIGN_CENTER, ALIGN_RIGHT, Column, ObjectTableModel, configure_table_view, select_row

__all__ = [
    "DetailPanel",
    "VersionsModel",
    "ValidationRunsModel",
    "ChecksModel",
    "AuditModel",
]


@functools.lru_cache(maxsize=1)
def _mono():
    from PySide6.QtGui import QFontDatabase

    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:] if word else word


# ============================================================================ models


def version_server_state(v: ModelVersion) -> Optional[str]:
    """``deleted`` / ``changed`` / ``ok`` for a pulled version, None for a local one."""
    if not v.pulled:
        return None
    if v.deleted_on_server_at is not None:
        return "deleted"
    if v.changed_on_server_at is not None:
        return "changed"
    return "ok"


def _server_version_text(v: ModelVersion) -> str:
    st = version_server_state(v)
    if st is None:
        return "—"
    mark = {"deleted": " · deleted on server", "changed": " · changed on server"}.get(st, "")
    return f"{v.external_version}{mark}"


def _server_version_tip(v: ModelVersion) -> str:
    st = version_server_state(v)
    if st is None:
        return "Registered in this workspace"
    lines = [f"Version {v.external_version} on the registry, pulled {fmt.datetime_utc(v.synced_at) or '—'}"]
    if st == "changed":
        lines.append(f"Changed on the server since the previous sync (noticed {fmt.datetime_utc(v.changed_on_server_at)})")
    if st == "deleted":
        lines.append(f"Deleted on the server (noticed {fmt.datetime_utc(v.deleted_on_server_at)}); the pulled "
                     "record is kept as history")
    return "\n".join(lines)


def _artifact_text(v: ModelVersion) -> str:
    return fmt.short_sha(v.artifact_sha256, 16) if v.artifact_sha256 else "not imported"


def _artifact_tip(v: ModelVersion) -> str:
    if v.artifact_sha256:
        return v.artifact_sha256
    return ("No model file in the workspace: the version was pulled from its registry as metadata only, so it "
            "cannot be validated here")


class VersionsModel(ObjectTableModel):
    """Versions of one model (newest first by default).

    :meth:`set_registry_aliases` adds the server's aliases (labelled with their source)
    to the Aliases column, next to Tollgate's own.
    """

    VERSION, ALIASES, CREATED, CREATED_BY, ESTIMATOR, METRICS, ARTIFACT, DATA_SHA, ON_REGISTRY = range(9)

    def __init__(self, rows: Sequence[ModelVersion] = (), parent=None) -> None:
        self._server_aliases: dict[int, list[str]] = {}
        self.columns = self._build_columns()
        super().__init__(rows, parent)
        self.sort(0, Qt.SortOrder.DescendingOrder)

    def set_registry_aliases(self, aliases: Sequence[Any]) -> None:
        """``RegistryAlias`` objects; broken ones (pointing at no version) are not shown
        here but by the detail's alias line."""
        by_version: dict[int, list[str]] = {}
        for a in aliases:
            if not a.broken and a.version is not None:
                by_version.setdefault(a.version, []).append(f"{a.source}: {a.name}")
        self._server_aliases = by_version
        self._rank_cache.clear()

    def _aliases(self, v: ModelVersion) -> str:
        return ", ".join([*v.aliases, *self._server_aliases.get(v.version, [])]) or "—"

    def _aliases_tip(self, v: ModelVersion) -> Optional[str]:
        parts = []
        if v.aliases:
            parts.append("Tollgate aliases: " + ", ".join(v.aliases))
        server = self._server_aliases.get(v.version)
        if server:
            parts.append("Aliases on the registry (read-only): " + ", ".join(server))
        return "\n".join(parts) or None

    def _build_columns(self) -> tuple[Column, ...]:
        return (
            Column("Version", lambda v: f"v{v.version}", sort_key=lambda v: v.version, align=ALIGN_CENTER, width=70),
            Column("Aliases", self._aliases, sort_key=lambda v: None if self._aliases(v) == "—" else self._aliases(v),
                   tooltip=self._aliases_tip,
                   font=lambda v: theme.bold(QGuiApplication.font()) if "champion" in v.aliases else None, width=140),
            Column("Created (UTC)", lambda v: fmt.datetime_utc(v.created_at, suffix=False),
                   sort_key=lambda v: v.created_at, tooltip=lambda v: fmt.datetime_utc(v.created_at, seconds=True),
                   width=135),
            Column("Created by", lambda v: v.created_by, width=110),
            Column("Estimator", lambda v: v.estimator_class or v.framework,
                   tooltip=lambda v: f"{v.estimator_class} ({v.framework})", width=210),
            Column("Metrics", lambda v: fmt.metrics(v.metrics, 3), sort_key=lambda v: fmt.metrics(v.metrics, 3) or None,
                   tooltip=lambda v: fmt.metrics_tooltip(v.metrics), width=250),
            Column("Artifact SHA-256", _artifact_text, sort_key=lambda v: v.artifact_sha256, tooltip=_artifact_tip,
                   font=lambda v: _mono() if v.artifact_sha256 else None,
                   foreground=lambda v: None if v.artifact_sha256 else QColor(theme.TOKENS.text_muted),
                   header_tip="SHA-256 of the stored skops artifact (right-click to copy)", width=160),
            Column("Data SHA-256", lambda v: fmt.short_sha(v.data_sha256, 16), sort_key=lambda v: v.data_sha256 or None,
                   tooltip=lambda v: v.data_sha256 or None, font=lambda v: _mono(),
                   header_tip="Fingerprint of the training data (right-click to copy)", width=160),
            Column("On registry", _server_version_text, sort_key=lambda v: v.external_version.zfill(12) if v.external_version else None,
                   tooltip=_server_version_tip,
                   decoration=lambda v: theme.status_icon(version_server_state(v))
                   if version_server_state(v) in ("changed", "deleted") else None,
                   foreground=lambda v: theme.status_colour(version_server_state(v))
                   if version_server_state(v) in ("changed", "deleted")
                   else (QColor(theme.TOKENS.text_muted) if not v.pulled else None),
                   header_tip="The version on the registry it was pulled from, and changes seen at the last sync",
                   width=150),
        )


def _check_counts(run: ValidationRun) -> str:
    counts: dict[str, int] = {}
    for c in run.checks:
        counts[c.status.value] = counts.get(c.status.value, 0) + 1
    order = ("pass", "warn", "fail", "error", "skipped")
    return " · ".join(f"{counts[k]} {k}" for k in order if counts.get(k))


def _run_result(run: ValidationRun) -> str:
    return "pass" if run.passed else "fail"


class ValidationRunsModel(ObjectTableModel):
    """Validation history of one model (newest first by default)."""

    columns = (
        Column("Run", lambda r: f"#{r.id}", sort_key=lambda r: r.id, align=ALIGN_RIGHT,
               header_tip="Run number, as in the audit PDF and `tollgate validate`", width=50),
        Column("Finished (UTC)", lambda r: fmt.datetime_utc(r.finished_at, seconds=True, suffix=False),
               sort_key=lambda r: (r.finished_at, r.id),
               tooltip=lambda r: f"started {fmt.datetime_utc(r.started_at, True)}\nfinished {fmt.datetime_utc(r.finished_at, True)}",
               width=150),
        Column("Version", lambda r: f"v{r.version}", sort_key=lambda r: r.version, align=ALIGN_CENTER, width=64),
        Column("Result", lambda r: _cap(_run_result(r)), sort_key=lambda r: r.passed,
               decoration=lambda r: theme.status_icon(_run_result(r)),
               foreground=lambda r: theme.status_colour(_run_result(r)),
               tooltip=lambda r: "No blocking check failed" if r.passed else "At least one blocking check failed or errored",
               width=72),
        Column("Checks", _check_counts, tooltip=_check_counts, width=215),
        Column("Rows", lambda r: f"{r.n_rows:,}", sort_key=lambda r: r.n_rows, align=ALIGN_RIGHT, width=70),
        Column("Run by", lambda r: r.run_by, width=120),
        Column("Data", lambda r: r.data_label, tooltip=lambda r: f"{r.data_label}\n{r.n_rows:,} rows\nSHA-256 {r.data_sha256}",
               width=260),
    )

    def __init__(self, rows: Sequence[ValidationRun] = (), parent=None) -> None:
        super().__init__(rows, parent)
        self.sort(0, Qt.SortOrder.DescendingOrder)


class ChecksModel(ObjectTableModel):
    """The checks of one validation run (the tab shows them grouped by family, in run
    order): family, status (glyph and word), blocking or advisory, title, reason, id."""

    columns = (
        Column("Family", lambda c: c.family, sort_key=lambda c: c.family, width=122,
               font=lambda c: theme.bold(QGuiApplication.font()),
               header_tip="Check family: data, performance, baseline, fairness, importance, reproducibility, "
                          "robustness, staleness, privacy, loading"),
        Column("Status", lambda c: _cap(c.status.value),
               sort_key=lambda c: ("error", "fail", "warn", "skipped", "pass").index(c.status.value)
               if c.status.value in ("pass", "warn", "skipped", "fail", "error") else 9,
               decoration=lambda c: theme.status_icon(c.status.value),
               foreground=lambda c: theme.status_colour(c.status.value), width=84),
        Column("Blocking", lambda c: "■ Blocking" if c.blocking else "□ Advisory", sort_key=lambda c: not c.blocking,
               tooltip=lambda c: "A fail or error of this check fails the run" if c.blocking
               else "Reported, but does not fail the run", width=92),
        Column("Title", lambda c: c.title, tooltip=lambda c: (c.title + ("\n" + c.description if getattr(
            c, "description", "") else "")), width=260),
        Column("Reason", lambda c: c.reason or "", tooltip=lambda c: c.reason or None, width=300),
        Column("Check", lambda c: c.id, tooltip=lambda c: c.id, width=190,
               header_tip="Check id, as in `tollgate validate --json` and the validation report"),
    )

    def row_key(self, obj: Any) -> Any:
        return obj.id


class AuditModel(ObjectTableModel):
    """Audit events of one model (newest first by default)."""

    columns = (
        Column("#", lambda e: str(e.seq), sort_key=lambda e: e.seq, align=ALIGN_RIGHT,
               header_tip="Sequence number in the workspace's audit chain", width=50),
        Column("When (UTC)", lambda e: fmt.datetime_utc(e.occurred_at, seconds=True, suffix=False), sort_key=lambda e: (e.occurred_at, e.seq),
               width=165),
        Column("Actor", lambda e: e.actor, width=100),
        Column("What happened", lambda e: describe_event(e),
               tooltip=lambda e: f"{e.action} on {e.entity_type} {e.entity_id}\nold: "
               + fmt.values_pretty(e.old or {}) + "\nnew: " + fmt.values_pretty(e.new or {}),
               width=430),
        Column("Reason", lambda e: e.reason or "", tooltip=lambda e: e.reason or None, width=160),
        Column("Action", lambda e: e.action, width=150),
        Column("Recorded values", lambda e: fmt.change(e.old, e.new), width=420),
    )

    def row_key(self, obj: Any) -> Any:
        return obj.seq

    def __init__(self, rows: Sequence[AuditEvent] = (), parent=None) -> None:
        super().__init__(rows, parent)
        self.sort(0, Qt.SortOrder.DescendingOrder)


# ============================================================================ widgets


def make_table(model: ObjectTableModel, name: str, parent: QWidget, sortable: bool = True) -> QTableView:
    """A read-only, row-selecting table with the model's preferred column widths."""
    view = QTableView(parent)
    configure_table_view(view, model, name)
    hh = view.horizontalHeader()
    # the indicator must be set before sorting is enabled: enabling it sorts by the
    # indicator's column at once (-1: the model's natural order, no arrow)
    hh.setSortIndicator(model.sort_column(), model.sort_order())
    view.setSortingEnabled(sortable)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(lambda pos, v=view: _copy_menu(v, pos))
    copy = QAction("Copy", view)
    copy.setShortcut(QKeySequence.StandardKey.Copy)
    copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    copy.triggered.connect(lambda _=False, v=view: _copy_cell(v, v.currentIndex()))
    view.addAction(copy)
    return view


def _cell_full_text(view: QTableView, index) -> str:
    model = view.model()
    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
    text = model.data(index, Qt.ItemDataRole.DisplayRole) or ""
    # hashes and values are abbreviated in the cell; the tooltip holds the full text
    if tip and ("…" in text or len(str(tip)) > len(text)) and "\n" not in str(tip):
        return str(tip)
    return str(text)


def _copy_cell(view: QTableView, index) -> None:
    if index.isValid():
        QGuiApplication.clipboard().setText(_cell_full_text(view, index))


def _copy_menu(view: QTableView, pos) -> None:
    index = view.indexAt(pos)
    if not index.isValid():
        return
    menu = QMenu(view)
    title = view.model().headerData(index.column(), Qt.Orientation.Horizontal) or "cell"
    menu.addAction(f"Copy {title}", lambda: _copy_cell(view, index))
    row_text = "\t".join(
        _cell_full_text(view, view.model().index(index.row(), c)) for c in range(view.model().columnCount())
    )
    menu.addAction("Copy row", lambda: QGuiApplication.clipboard().setText(row_text))
    menu.exec(view.viewport().mapToGlobal(pos))


def _value_label(parent: QWidget, text: str = "") -> QLabel:
    lab = QLabel(text, parent)
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lab.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return lab


def _card(parent: QWidget, title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(parent)
    frame.setProperty("role", "card")
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(14, 10, 14, 12)
    lay.setSpacing(8)
    t = QLabel(title, frame)
    t.setProperty("role", "section")
    lay.addWidget(t)
    return frame, lay


class OverviewTab(QScrollArea):
    """The model card: description, ownership, intended use, restrictions, health."""

    RECENT_EVENTS = 6

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        self.setWidget(body)
        grid = QGridLayout(body)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(10)

        card, cl = _card(body, "Model card")
        self.description = _value_label(card)
        self.description.setAccessibleName("Description")
        cl.addWidget(self.description)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(6)
        self.fields: dict[str, QLabel] = {}
        self.field_names: dict[str, QLabel] = {}
        for key, label in (
            ("owner", "Owner"),
            ("business_unit", "Business unit"),
            ("use_case", "Use case"),
            ("tier", "Risk tier"),
            ("status", "Lifecycle status"),
            ("task", "Task"),
            ("intended_use", "Intended use"),
            ("restrictions", "Restrictions"),
        ):
            name = QLabel(label + ":", card)
            name.setProperty("role", "fieldname")
            value = _value_label(card)
            value.setAccessibleName(label)
            name.setBuddy(value)
            form.addRow(name, value)
            self.fields[key] = value
        cl.addLayout(form)
        cl.addStretch(1)

        facts, fl = _card(body, "Status at a glance")
        fform = QFormLayout()
        fform.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        fform.setHorizontalSpacing(14)
        fform.setVerticalSpacing(6)
        for key, label in (
            ("findings", "Open findings"),
            ("champion", "Champion"),
            ("versions", "Versions"),
            ("last_validation", "Last validation"),
            ("next_validation", "Next validation"),
            ("drift", "Drift"),
            ("metrics", "Champion metrics"),
            ("source", "Source"),
            ("server_aliases", "Registry aliases"),
            ("created", "Registered"),
            ("updated", "Last change"),
        ):
            name = QLabel(label + ":", facts)
            name.setProperty("role", "fieldname")
            self.field_names[key] = name
            value = _value_label(facts)
            value.setAccessibleName(label)
            value.setTextFormat(Qt.TextFormat.RichText)
            fform.addRow(name, value)
            self.fields[key] = value
        fl.addLayout(fform)
        fl.addStretch(1)
        self.facts_form = fform

        recent, rl = _card(body, "Recent activity")
        self.recent = QLabel(recent)
        self.recent.setTextFormat(Qt.TextFormat.RichText)
        self.recent.setWordWrap(True)
        self.recent.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recent.setAccessibleName("Recent audit events")
        self.recent.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        rl.addWidget(self.recent, 1)

        grid.addWidget(card, 0, 0)
        grid.addWidget(facts, 0, 1)
        grid.addWidget(recent, 1, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(1, 1)

    def set_detail(self, d: ModelDetail) -> None:
        m, s = d.model, d.summary
        self.description.setText(m.description or "No description recorded.")
        f = self.fields
        f["owner"].setText(m.owner or "—")
        f["business_unit"].setText(m.business_unit or "—")
        f["use_case"].setText(m.use_case or "—")
        f["tier"].setText(TIER_TEXT.get(m.risk_tier, f"Tier {m.risk_tier}"))
        f["status"].setText(_cap(m.status.value))
        f["task"].setText(_cap(m.task.value))
        f["intended_use"].setText(m.intended_use or "—")
        f["restrictions"].setText(m.restrictions or "—")
        champ = next((v for v in d.versions if "champion" in v.aliases), None)
        latest = max(d.versions, key=lambda v: v.version) if d.versions else None
        f["champion"].setText(
            f"v{champ.version} · {champ.estimator_class or champ.framework}" if champ else "No champion alias set"
        )
        f["versions"].setText(f"{len(d.versions)}" + (f" (latest v{latest.version})" if latest else ""))
        f["last_validation"].setText(_status_html(
            s.last_validation if s else None,
            (f"{_cap(s.last_validation)} · {fmt.datetime_utc(s.last_validation_at)}" if s and s.last_validation
             else "Never validated"),
        ))
        f["next_validation"].setText(next_validation_html(s) if s else "—")
        drift = s.drift_status.value if s and s.drift_status else None
        f["drift"].setText(_status_html(drift, _cap(drift) + " (latest window)" if drift else "Not monitored"))
        ref = champ or latest
        self.field_names["metrics"].setText(
            "Champion metrics:" if champ else (f"v{latest.version} metrics:" if latest else "Metrics:"))
        f["metrics"].setText(fmt.metrics(ref.metrics, 6) if ref and ref.metrics else "—")
        f["source"].setText(source_html(m.source, s))
        self.facts_form.setRowVisible(self.fields["server_aliases"], bool(d.registry_aliases))
        f["server_aliases"].setText(registry_aliases_html(d.registry_aliases, compact=True))
        f["created"].setText(fmt.datetime_utc(m.created_at) or "—")
        f["updated"].setText(fmt.datetime_utc(m.updated_at) or "—")
        events = sorted(d.audit_events, key=lambda e: e.seq, reverse=True)[: self.RECENT_EVENTS]
        muted = theme.TOKENS.text_muted
        rows = "".join(
            f"<tr><td style='color:{muted}; padding-right:14px'>{html.escape(fmt.datetime_utc(e.occurred_at))}</td>"
            f"<td style='padding-right:14px'>{html.escape(e.actor)}</td>"
            f"<td style='padding-right:14px'><b>{html.escape(e.action)}</b></td>"
            f"<td>{html.escape(_ellipsis(describe_event(e), 110))}"
            + (f" <span style='color:{muted}'>— {html.escape(e.reason)}</span>" if e.reason else "")
            + "</td></tr>"
            for e in events
        )
        more = len(d.audit_events) - len(events)
        self.recent.setText(
            (f"<table cellspacing='0' cellpadding='2'>{rows}</table>" if rows else "No audit events recorded.")
            + (f"<p style='color:{muted}'>{more} earlier event{'s' if more != 1 else ''} in the Audit trail tab.</p>"
               if more > 0 else "")
        )


def source_html(source: str, s: Optional[ModelSummary]) -> str:
    """``local``, or the registry name with its offline badge, last sync and changes."""
    if source == "local" or s is None:
        return html.escape(source)
    # one short fact per line: a word-wrapped rich-text label in a form is clipped
    first = html.escape(source)
    if s.source_status == "offline":
        first += " · " + _status_html("offline", "offline (last pulled copy)")
    elif s.source_status == "removed":
        first += " · " + _status_html("skipped", "registry removed (last pulled copy)")
    lines = [first]
    if s.synced_at is not None:
        lines.append(f"synced {fmt.relative_time(s.synced_at)} · {fmt.datetime_utc(s.synced_at)}")
    if s.deleted_on_server_at is not None:
        lines.append(_status_html("deleted", "deleted on server"))
    elif s.changed_on_server_at is not None:
        lines.append(_status_html("changed", "changed on server since the previous sync"))
    return "<br>".join(lines)


def registry_aliases_html(aliases: Sequence[Any], compact: bool = False) -> str:
    """``Aliases on mlflow-prod: production → v3 · staging → 7 ! broken …`` (rich text);
    ``compact``: one alias per line, without the heading (the Overview's facts card).

    A broken alias (pointing at a version missing or deleted on the server) is shown as
    broken with a glyph *and* the word; a conflict with Tollgate's own alias is shown too.
    """
    if not aliases:
        return ""
    sources = sorted({a.source for a in aliases})
    parts = []
    for a in sorted(aliases, key=lambda a: a.name):
        name = html.escape(a.name)
        if a.broken:
            why = "" if compact else " (that version is missing or deleted on the server; nothing may rely on it)"
            parts.append(_status_html("broken", f"{a.name} → {a.external_version}: broken{why}"))
        else:
            target = f"v{a.version}" if a.version is not None else html.escape(a.external_version)
            text = f"<b>{name}</b> → {target}"
            if a.external_version and a.version is not None and str(a.version) != str(a.external_version):
                text += f" (server version {html.escape(a.external_version)})"
            parts.append(text)
        if a.conflict:
            parts.append(_status_html("warning", a.conflict))
    if compact:
        return "<br>".join(parts)
    return f"Aliases on {html.escape(', '.join(sources))} (read-only): " + " &nbsp;·&nbsp; ".join(parts)


def lineage_lines(lineage: dict[str, Any]) -> list[str]:
    """The run lineage of a pulled version as text lines: run info, params, metrics,
    dataset inputs, tags (any other key is listed as it is)."""
    out = ["Lineage (from the registry's run):"]
    if not lineage:
        return out + ["  — (the server recorded no run for this version)"]
    order = ["params", "metrics", "datasets", "run", "tags"]
    keys = [k for k in order if k in lineage] + [k for k in lineage if k not in order]
    titles = {"run": "Run", "params": "Parameters", "metrics": "Metrics", "datasets": "Dataset inputs",
              "tags": "Run tags"}
    for k in keys:
        val = lineage[k]
        title = titles.get(k, k.replace("_", " ").capitalize())
        if isinstance(val, dict):
            out.append(f"  {title} ({len(val)}):" if val else f"  {title}: —")
            for key, x in sorted(val.items()):
                out.append(f"    {key} = {_lineage_value(key, x)}")
        elif isinstance(val, (list, tuple)):
            out.append(f"  {title} ({len(val)}):" if val else f"  {title}: —")
            for item in val:
                if isinstance(item, dict):
                    head = item.get("name") or item.get("source") or "dataset"
                    rest = ", ".join(f"{kk}: {vv}" for kk, vv in item.items()
                                     if kk != "name" and vv not in (None, "", {}, []) and kk not in ("schema", "profile"))
                    out.append(f"    {head}" + (f" — {rest}" if rest else ""))
                    for kk in ("schema", "profile"):
                        if item.get(kk):
                            out.append(f"      {kk}: {_ellipsis(str(item[kk]), 200)}")
                else:
                    out.append(f"    {item}")
        else:
            out.append(f"  {title}: {val}")
    return out


def _lineage_value(key: str, x: Any) -> str:
    """MLflow gives run times as epoch milliseconds: show them in UTC."""
    if key.endswith("_time") and isinstance(x, int) and not isinstance(x, bool) and x > 10**11:
        from datetime import datetime, timezone

        return f"{fmt.datetime_utc(datetime.fromtimestamp(x / 1000, tz=timezone.utc), seconds=True)} ({x})"
    if isinstance(x, float):
        return fmt.number(x, 4)
    return str(x)


def _ellipsis(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def next_validation_html(s: ModelSummary) -> str:
    """The next-validation date for the Overview: overdue with a glyph and the word."""
    st = next_validation_state(s)
    if st == "overdue":
        return _status_html("warning", next_validation_text(s))
    return html.escape(next_validation_text(s))


def _status_html(status: Optional[str], text: str) -> str:
    style = theme.status_style(status)
    glyph = theme.status_glyph(status)
    return f'<span style="color:{style.colour}"><b>{glyph} {text}</b></span>'


class ValidationTab(QWidget):
    """Run history (newest first), the checks of the selected run grouped by family, and
    the evidence of the selected check (:class:`~console.ui.validation_view.EvidencePane`).

    The run's fingerprints (model file, data, packages) and what changed since the run it
    re-ran (or the previous run of the same version) are shown under the history.  While
    a validation job runs, :meth:`watch_job` shows its per-check progress with Cancel.
    The main window sets the actions of :attr:`run_button`, :attr:`rerun_button`,
    :attr:`cancel_button` and :attr:`plan_button`.
    """

    runSelected = Signal(object)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        from console.ui.validation_view import EvidencePane

        self.version_combo = QComboBox(self)
        self.version_combo.setAccessibleName("Version to validate")
        self.version_combo.setMinimumContentsLength(16)
        self.run_button = QToolButton(self)
        self.run_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.rerun_button = QToolButton(self)
        self.rerun_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.rerun_button.hide()  # shown once the main window gives it its action
        self.plan_button = QToolButton(self)
        self.plan_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.plan_button.hide()
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAccessibleName("Selected validation run")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        vl = QLabel("&Version to validate:", self)
        vl.setBuddy(self.version_combo)
        top.addWidget(vl)
        top.addWidget(self.version_combo)
        top.addWidget(self.run_button)
        top.addWidget(self.rerun_button)
        top.addSpacing(16)
        top.addWidget(self.summary, 1)
        top.addWidget(self.plan_button)

        # the running job: its current step, a bar and Cancel (hidden otherwise)
        self.job_strip = QFrame(self)
        self.job_strip.setAccessibleName("Running validation")
        js = QHBoxLayout(self.job_strip)
        js.setContentsMargins(0, 2, 0, 2)
        self.job_bar = QProgressBar(self.job_strip)
        self.job_bar.setRange(0, 1000)
        self.job_bar.setMaximumWidth(220)
        self.job_bar.setAccessibleName("Validation progress")
        self.job_label = QLabel(self.job_strip)
        self.job_label.setAccessibleName("Current check")
        self.cancel_button = QToolButton(self.job_strip)
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.cancel_button.setText("Cancel")
        js.addWidget(self.job_bar)
        js.addWidget(self.job_label, 1)
        js.addWidget(self.cancel_button)
        self.job_strip.hide()
        self._job: Any = None
        #: id of a run to select when the next detail arrives (set after a validation job)
        self.pending_run_id: Optional[int] = None
        self._keep_check: Optional[str] = None

        self.runs_model = ValidationRunsModel(parent=self)
        self.runs_view = make_table(self.runs_model, "Validation history", self)
        self.checks_model = ChecksModel(parent=self)
        self.checks_view = make_table(self.checks_model, "Checks of the selected validation run", self)
        self.evidence = EvidencePane(self)
        self.empty = QLabel("No validation run recorded for this model yet.\n"
                            "Run one with Model ▸ Run validation (Ctrl+R).", self)
        self.empty.setProperty("role", "placeholder")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        hist = QWidget(self)
        hl = QVBoxLayout(hist)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.setSpacing(2)
        h1 = QLabel("History (newest first)", hist)
        h1.setProperty("role", "section")
        hl.addWidget(h1)
        hl.addWidget(self.runs_view, 1)
        self.fingerprints = QLabel(hist)
        self.fingerprints.setTextFormat(Qt.TextFormat.RichText)
        self.fingerprints.setWordWrap(True)
        self.fingerprints.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprints.setAccessibleName("Fingerprints of the selected run")
        hl.addWidget(self.fingerprints)
        checks = QWidget(self)
        self.checks_title = QLabel("Checks", checks)
        self.checks_title.setProperty("role", "section")
        self.checks_title.setWordWrap(True)
        self.families = QLabel(checks)
        self.families.setTextFormat(Qt.TextFormat.RichText)
        self.families.setWordWrap(True)
        self.families.setAccessibleName("Result of each check family")
        ll = QVBoxLayout(checks)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(2)
        ll.addWidget(self.checks_title)
        ll.addWidget(self.families)
        ll.addWidget(self.checks_view, 1)
        # left: history over the checks; right: the evidence, the full height of the tab
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(hist)
        self.splitter.addWidget(checks)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([190, 450])
        self.splitter.setChildrenCollapsible(False)
        self.checks_split = QSplitter(Qt.Orientation.Horizontal, self)
        self.checks_split.addWidget(self.splitter)
        self.checks_split.addWidget(self.evidence)
        self.checks_split.setStretchFactor(0, 1)
        self.checks_split.setStretchFactor(1, 1)
        self.checks_split.setSizes([700, 640])
        self.checks_split.setChildrenCollapsible(False)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.checks_split)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.job_strip)
        lay.addWidget(self.stack, 1)

        self.runs_view.selectionModel().currentRowChanged.connect(self._on_run)
        self.checks_view.selectionModel().currentRowChanged.connect(self._on_check)
        self.setTabOrder(self.version_combo, self.run_button)
        self.setTabOrder(self.run_button, self.rerun_button)
        self.setTabOrder(self.rerun_button, self.runs_view)
        self.setTabOrder(self.runs_view, self.checks_view)
        self.setTabOrder(self.checks_view, self.evidence)
        notifier = getattr(theme, "notifier", None)
        if notifier is not None:  # status colours in the rich-text lines follow the theme
            notifier().changed.connect(self._on_theme)

    def _on_theme(self, _name: str = "") -> None:
        run = self.current_run()
        if run is not None:
            from console.ui.validation_view import fingerprint_html

            self.families.setText(family_summary_html(run.checks))
            self.fingerprints.setText(fingerprint_html(run, self.runs_model.rows()))

    def set_detail(self, d: ModelDetail) -> None:
        prev = self.version_combo.currentData()
        same_model = getattr(self, "_model_id", None) == d.model.id
        prev_run = self.current_run().id if same_model and self.current_run() is not None else None
        prev_check = self.current_check().id if same_model and self.current_check() is not None else None
        self._model_id = d.model.id
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        champ = next((v.version for v in d.versions if "champion" in v.aliases), None)
        for v in sorted(d.versions, key=lambda v: -v.version):
            extra = [a for a in v.aliases]
            if not v.artifact_sha256:
                extra.append("no model file")
            self.version_combo.addItem(f"v{v.version}" + (f" · {', '.join(extra)}" if extra else ""), v.version)
        default = prev if same_model and prev is not None else (champ if champ is not None else
                                                               (max(v.version for v in d.versions) if d.versions else None))
        i = self.version_combo.findData(default)
        self.version_combo.setCurrentIndex(max(0, i))
        self.version_combo.blockSignals(False)
        self.version_combo.setEnabled(bool(d.versions))

        self.runs_model.set_rows(d.validation_runs)
        if d.validation_runs:
            self.stack.setCurrentIndex(1)
            # open on the latest run of the version in the combo (the champion by default),
            # the run the inventory and the header report; a reload keeps the selection
            rows = [self.runs_model.row_object(r) for r in range(self.runs_model.rowCount())]
            wanted = self.version_combo.currentData()
            keep = self.runs_model.find_row(prev_run) if prev_run is not None else -1
            self._keep_check = prev_check if keep >= 0 else None
            pending = self.runs_model.find_row(self.pending_run_id) if self.pending_run_id is not None else -1
            if pending >= 0:  # a run just made by this window: show it
                keep, self._keep_check, self.pending_run_id = pending, None, None
            self.select_run(keep if keep >= 0 else
                            next((i for i, r in enumerate(rows) if r is not None and r.version == wanted), 0))
            self._keep_check = None
        else:
            self.stack.setCurrentIndex(0)
            self.checks_model.set_rows([])
            self.summary.setText("")
            self.fingerprints.setText("")
            self.families.setText("")
            self.evidence.set_check(None)

    def selected_version(self) -> Optional[int]:
        return self.version_combo.currentData()

    def select_run(self, row: int) -> None:
        select_row(self.runs_view, row, scroll=True)

    def select_run_id(self, run_id: int) -> bool:
        """Select the run with this id in the history; False when it is not shown."""
        row = self.runs_model.find_row(run_id)
        return row >= 0 and select_row(self.runs_view, row, scroll=True)

    def select_check(self, check_id: str) -> bool:
        """Select a check of the shown run by id (shows its evidence); False if absent."""
        row = self.checks_model.find_row(check_id)
        return row >= 0 and select_row(self.checks_view, row, scroll=True)

    def current_run(self) -> Optional[ValidationRun]:
        idx = self.runs_view.selectionModel().currentIndex()
        return self.runs_model.row_object(idx.row()) if idx.isValid() else None

    def current_check(self) -> Optional[CheckResult]:
        idx = self.checks_view.selectionModel().currentIndex()
        return self.checks_model.row_object(idx.row()) if idx.isValid() else None

    # ------------------------------------------------------------------ running job
    def watch_job(self, job: Any, title: str = "") -> None:
        """Show ``job``'s progress (fraction and the current check) above the history
        until it finishes; :attr:`cancel_button` cancels it."""
        self._job = job
        self.job_bar.setValue(0)
        self.job_label.setText(f"{title or job.title}…")
        self.job_strip.show()
        job.signals.progress.connect(lambda f, m, j=job: self._on_job_progress(j, f, m))
        job.signals.finished.connect(lambda j=job: self._on_job_finished(j))

    def _on_job_progress(self, job: Any, fraction: float, message: str) -> None:
        if job is not self._job:
            return
        self.job_bar.setValue(int(round(fraction * 1000)))
        if message:
            self.job_label.setText(message)

    def _on_job_finished(self, job: Any) -> None:
        if job is self._job:
            self._job = None
            self.job_strip.hide()

    # ------------------------------------------------------------------ selection
    def _on_run(self, current, _previous) -> None:
        from console.ui.validation_view import fingerprint_html, fingerprint_tooltip

        run: Optional[ValidationRun] = self.runs_model.row_object(current.row()) if current.isValid() else None
        self.checks_model.set_rows(group_by_family(run.checks) if run else [])
        self.evidence.set_check(None)
        if run is None:
            self.summary.setText("")
            self.checks_title.setText("Checks")
            self.fingerprints.setText("")
            self.families.setText("")
            return
        result = _run_result(run)
        rerun = getattr(run, "rerun_of", None)
        self.summary.setText(
            f"Selected: run #{run.id} &nbsp;"
            + _status_html(result, f"v{run.version} {'passed' if run.passed else 'failed'}")
            + f" &nbsp;·&nbsp; {fmt.datetime_utc(run.finished_at)} by {html.escape(run.run_by)}"
            + (f" &nbsp;·&nbsp; re-run of #{rerun}" if rerun is not None else "")
            + f" &nbsp;·&nbsp; {_check_counts(run)}"
        )
        self.checks_title.setText(
            f"Checks of run #{run.id} — version {run.version}, {fmt.datetime_utc(run.finished_at)}, "
            f"on {run.data_label} ({run.n_rows:,} rows)")
        self.families.setText(family_summary_html(run.checks))
        self.fingerprints.setText(fingerprint_html(run, self.runs_model.rows()))
        self.fingerprints.setToolTip(fingerprint_tooltip(run))
        if run.checks:
            keep = getattr(self, "_keep_check", None)
            row = self.checks_model.find_row(keep) if keep is not None else -1
            if row < 0:
                # show the first non-passing blocking check first, else the first failing one
                rows = self.checks_model.visible_rows()
                row = next((i for i, c in enumerate(rows) if c.blocking and c.status.value in ("fail", "error")),
                           next((i for i, c in enumerate(rows) if c.status.value in ("fail", "error")), 0))
            select_row(self.checks_view, row)
        self.runSelected.emit(run)

    def _on_check(self, current, _previous) -> None:
        c: Optional[CheckResult] = self.checks_model.row_object(current.row()) if current.isValid() else None
        self.evidence.set_check(c)


#: Check families in the order of the suite (issue 6); others sort after them.
FAMILY_ORDER = ("loading", "data", "performance", "baseline", "fairness", "importance", "reproducibility",
                "robustness", "staleness", "privacy")


def group_by_family(checks: Sequence[CheckResult]) -> list[CheckResult]:
    """The checks grouped by family, families in the order they first ran, checks in
    run order within a family (a stable sort)."""
    first: dict[str, int] = {}
    for i, c in enumerate(checks):
        first.setdefault(c.family, i)
    return sorted(checks, key=lambda c: first[c.family])


_SEVERITY = ("error", "fail", "warn", "pass", "skipped")


def family_summary_html(checks: Sequence[CheckResult]) -> str:
    """``data ✔ pass · fairness ✖ fail (1 of 3) · …``: the worst status of each family,
    as glyph and word, with how many of its checks have it."""
    fams: dict[str, list[str]] = {}
    for c in checks:
        fams.setdefault(c.family, []).append(c.status.value)
    parts = []
    for fam, statuses in fams.items():
        worst = min(statuses, key=lambda s: _SEVERITY.index(s) if s in _SEVERITY else 9)
        n = statuses.count(worst)
        count = f" ({n} of {len(statuses)})" if len(statuses) > 1 and worst != "pass" else ""
        parts.append(f"{html.escape(fam)} {_status_html(worst, worst + count)}")
    return " &nbsp;·&nbsp; ".join(parts)


class DetailHeader(QWidget):
    """Model name and key facts as chips, plus the primary actions."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setProperty("role", "title")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setAccessibleName("Model name")
        self.subtitle = QLabel(self)
        self.subtitle.setProperty("role", "subtitle")
        self.subtitle.setTextFormat(Qt.TextFormat.RichText)
        self.subtitle.setAccessibleName("Model facts")
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(10)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Loading model details")
        self.busy.hide()
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(6)
        text = QVBoxLayout()
        text.setSpacing(0)
        row = QHBoxLayout()
        row.addWidget(self.title)
        row.addSpacing(8)
        row.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addStretch(1)
        text.addLayout(row)
        text.addWidget(self.subtitle)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.addLayout(text, 1)
        lay.addLayout(self.buttons)

    def add_action(self, action: QAction) -> QToolButton:
        b = QToolButton(self)
        b.setDefaultAction(action)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        b.setAutoRaise(False)
        self.buttons.addWidget(b)
        return b

    def set_summary(self, s: ModelSummary) -> None:
        self.title.setText(s.name)
        champ = f"champion v{s.champion_version}" if s.champion_version else "no champion"
        lv = _status_html(s.last_validation, f"last validation {s.last_validation}") if s.last_validation \
            else "never validated"
        drift = _status_html(s.drift_status.value, f"monitoring: {s.drift_status.value}") if s.drift_status \
            else "drift not monitored"
        source = ""
        if s.source != "local":
            source = f" · from {html.escape(s.source)}"
            if s.source_status == "offline":
                source += " " + _status_html("offline", "offline")
            elif s.deleted_on_server_at is not None:
                source += " " + _status_html("deleted", "deleted on server")
            elif s.changed_on_server_at is not None:
                source += " " + _status_html("changed", "changed on server")
        self.subtitle.setText(
            f"Tier {s.risk_tier} · {_cap(s.status.value)} · owner {html.escape(s.owner)} · {champ} · "
            f"{s.versions} version{'s' if s.versions != 1 else ''} · {lv} · {drift}{source}"
        )


class DetailPanel(QWidget):
    """Header + tabs; shows a placeholder until a model's detail arrives."""

    TAB_OVERVIEW, TAB_VERSIONS, TAB_VALIDATION, TAB_DRIFT, TAB_AUDIT, TAB_FINDINGS, TAB_RACI = range(7)
    #: a finding was opened or closed, or a RACI template saved: the window reloads
    governanceChanged = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.detail: Optional[ModelDetail] = None
        self.model_id: Optional[int] = None
        self.header = DetailHeader(self)
        self.overview = OverviewTab(self)
        self.versions_model = VersionsModel(parent=self)
        self.versions_view = make_table(self.versions_model, "Model versions", self)
        self.version_text = QPlainTextEdit(self)
        self.version_text.setReadOnly(True)
        self.version_text.setAccessibleName("Inputs, target and parameters of the selected version")
        self.version_text.setPlaceholderText("Select a version to see its inputs, target and parameters.")
        self.aliases_label = QLabel(self)
        self.aliases_label.setTextFormat(Qt.TextFormat.RichText)
        self.aliases_label.setWordWrap(True)
        self.aliases_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.aliases_label.setAccessibleName("Aliases on the registry")
        self.aliases_label.hide()
        top = QWidget(self)
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(4)
        tl.addWidget(self.aliases_label)
        tl.addWidget(self.versions_view, 1)
        self.versions_page = QSplitter(Qt.Orientation.Vertical, self)
        self.versions_page.addWidget(top)
        self.versions_page.addWidget(self.version_text)
        self.versions_page.setSizes([180, 300])
        self.versions_page.setChildrenCollapsible(False)
        self.versions_view.selectionModel().currentRowChanged.connect(self._on_version)
        self.validation = ValidationTab(self)
        # the drift chart (pyqtgraph, ~0.3 s to import) is built with the first detail,
        # so that the inventory appears sooner
        self._drift: Any = None
        self._bound: Optional[tuple[Any, Any]] = None  # (workspace, job runner) once bound
        self.drift_page = QWidget(self)
        self._drift_layout = QVBoxLayout(self.drift_page)
        self._drift_layout.setContentsMargins(0, 0, 0, 0)
        self.audit_model = AuditModel(parent=self)
        self.audit_view = make_table(self.audit_model, "Audit trail of this model", self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Model detail")
        self.tabs.addTab(self.overview, "&Overview")
        self.tabs.addTab(self.versions_page, "V&ersions")
        self.tabs.addTab(self.validation, "&Validation")
        self.tabs.addTab(self.drift_page, "&Drift")
        self.tabs.addTab(self.audit_view, "A&udit trail")
        # governance tabs (issue 5): they read the workspace themselves, in workers,
        # once the main window has called bind()
        from console.ui.findings_view import FindingsView
        from console.ui.raci_view import RaciView

        self.findings = FindingsView(self)
        self.raci = RaciView(self)
        self.tabs.addTab(self.findings, "Fi&ndings")
        self.tabs.addTab(self.raci, "RA&CI")
        self.findings.counts.connect(self._on_finding_counts)
        self.findings.failed.connect(lambda _m: self.overview.fields["findings"].setText("could not be read"))
        self.findings.changed.connect(self.governanceChanged)
        self.raci.saved.connect(lambda _t: self.governanceChanged.emit())

        content = QWidget(self)
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(4)
        cl.addWidget(self.header)
        cl.addWidget(self.tabs, 1)
        self.placeholder = QLabel("Select a model in the inventory to see its details.", self)
        self.placeholder.setProperty("role", "placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.addWidget(self.stack)

    @property
    def drift(self):
        """The :class:`~console.ui.drift_chart.DriftChart` (created on first use)."""
        if self._drift is None:
            from console.ui.drift_chart import DriftChart

            self._drift = DriftChart(self.drift_page)
            self._drift_layout.addWidget(self._drift)
            if self._bound is not None:
                self._drift.bind(*self._bound)
        return self._drift

    # ------------------------------------------------------------------ states
    def _on_version(self, current, _previous) -> None:
        v: Optional[ModelVersion] = self.versions_model.row_object(current.row()) if current.isValid() else None
        if v is None:
            self.version_text.clear()
            return
        if v.pulled:
            self.version_text.setPlainText("\n".join(self._pulled_lines(v)))
            return
        lines = [
            f"Version {v.version}" + (f"  ({', '.join(v.aliases)})" if v.aliases else ""),
            f"Estimator: {v.estimator_class or '—'}  ·  {v.framework}",
            f"Registered {fmt.datetime_utc(v.created_at, seconds=True)} by {v.created_by}",
            f"Target column: {v.target_column}",
            f"Input features ({len(v.training_schema)}): "
            + ", ".join(f"{name} ({dtype})" for name, dtype in v.training_schema.items()),
            "Metrics on the holdout set: " + (fmt.metrics(v.metrics, 99) or "—"),
            "",
            f"Artifact SHA-256 (skops):      {v.artifact_sha256}",
            f"Training data SHA-256:         {v.data_sha256}",
            f"Holdout set SHA-256:           {v.holdout_sha256 or '—'}",
            f"Drift reference SHA-256:       {v.reference_sha256 or '—'}",
            "",
            "Hyperparameters:",
        ]
        lines += [f"  {k} = {val!r}" for k, val in v.hyperparameters.items()] or ["  —"]
        self.version_text.setPlainText("\n".join(lines))

    def _pulled_lines(self, v: ModelVersion) -> list[str]:
        """A version pulled from a registry: where from, its state on the server, run id,
        source URI, aliases and tags, then the run's lineage (params, metrics, datasets)."""
        d = self.detail
        source = d.model.source if d is not None else "the registry"
        state = version_server_state(v)
        out = [
            f"Version {v.version}" + (f"  ({', '.join(v.aliases)})" if v.aliases else "")
            + f" — pulled from registry {source} (version {v.external_version} there), last synced "
            f"{fmt.datetime_utc(v.synced_at, seconds=True) or '—'}",
        ]
        if state == "changed":
            out.append(f"  ◆ CHANGED ON SERVER since the previous sync (noticed "
                       f"{fmt.datetime_utc(v.changed_on_server_at, seconds=True)})")
        if state == "deleted":
            out.append(f"  ✖ DELETED ON SERVER (noticed {fmt.datetime_utc(v.deleted_on_server_at, seconds=True)}); "
                       "this pulled record is kept as history")
        server_aliases = [a for a in (d.registry_aliases if d is not None else ()) if a.version == v.version
                          and not a.broken]
        out += [
            f"Run id:      {v.run_id or '—'}",
            f"Source URI:  {v.source_uri or '—'}",
            "Aliases on the registry: " + (", ".join(f"{a.name} ({a.source})" for a in server_aliases) or "—"),
            "Version tags: " + (", ".join(f"{k}={val}" for k, val in sorted(v.tags.items())) or "—"),
            "Model file:  " + (f"stored in the workspace (SHA-256 {v.artifact_sha256})" if v.artifact_sha256 else
                               "not imported (metadata only; cannot be validated here)"),
            f"Flavour: {v.estimator_class or v.framework or '—'}",
            f"Registered on the server {fmt.datetime_utc(v.created_at, seconds=True)} by {v.created_by}",
        ]
        if v.training_schema:
            out.append(f"Signature inputs ({len(v.training_schema)}): "
                       + ", ".join(f"{name} ({dtype})" for name, dtype in v.training_schema.items()))
        if v.target_column:
            out.append(f"Target column: {v.target_column}")
        out += ["", *lineage_lines(v.lineage or {})]
        return out

    def show_placeholder(self, text: str = "Select a model in the inventory to see its details.") -> None:
        self.detail = None
        self.model_id = None
        self.placeholder.setText(text)
        self.stack.setCurrentIndex(0)

    def show_loading(self, summary: ModelSummary) -> None:
        """Show the summary at once; the tabs follow when the detail arrives."""
        changed = self.model_id != summary.id
        self.model_id = summary.id
        self.header.set_summary(summary)
        self.header.busy.show()
        if changed:
            self.detail = None
            self.tabs.setEnabled(False)
        self.stack.setCurrentIndex(1)

    def show_error(self, text: str) -> None:
        self.header.busy.hide()
        self.tabs.setEnabled(False)
        self.placeholder.setText(text)
        self.stack.setCurrentIndex(0)

    def set_detail(self, d: ModelDetail) -> None:
        self.detail = d
        self.model_id = d.model.id
        if d.summary is not None:
            self.header.set_summary(d.summary)
        self.header.busy.hide()
        self.overview.set_detail(d)
        self.aliases_label.setText(registry_aliases_html(d.registry_aliases))
        self.aliases_label.setVisible(bool(d.registry_aliases))
        self.versions_model.set_registry_aliases(d.registry_aliases)
        self.versions_model.set_rows(d.versions)
        # pulled versions have no training-data fingerprint; local ones no registry
        any_pulled = any(v.pulled for v in d.versions)
        self.versions_view.setColumnHidden(VersionsModel.ON_REGISTRY, not any_pulled)
        self.versions_view.setColumnHidden(VersionsModel.DATA_SHA, any_pulled and not any(v.data_sha256 for v in d.versions))
        if not select_row(self.versions_view, 0):
            self.version_text.clear()
        self.validation.set_detail(d)
        self.drift.set_runs(d.drift_runs)
        self.audit_model.set_rows(d.audit_events)
        if d.summary is not None:
            self.findings.set_model(d.summary, [v.version for v in d.versions])
            self.raci.set_model(d.summary)
        self.tabs.setEnabled(True)
        self.stack.setCurrentIndex(1)

    # ------------------------------------------------------------------ governance tabs
    def bind(self, ws: Any, runner: Any) -> None:
        """Give the Findings, RACI and Drift tabs the workspace and the window's job runner."""
        self._bound = (ws, runner)
        if self._drift is not None:
            self._drift.bind(ws, runner)
        self.findings.bind(ws, runner)
        self.raci.bind(ws, runner)

    def set_user(self, user: Any) -> None:
        """The signed-in user (a ``console.domain.governance.User`` or None)."""
        self.findings.set_user(user)
        self.raci.set_user(user)

    def _on_finding_counts(self, n_open: int, n_high: int) -> None:
        text = "None open" if not n_open else f"{n_open} open"
        if n_high:
            text = _status_html("fail", f"{n_high} high-severity open — blocks approvals") + f" · {n_open} open"
        self.overview.fields["findings"].setText(text)
        self.tabs.setTabText(self.TAB_FINDINGS, f"Fi&ndings ({n_open})" if n_open else "Fi&ndings")

    def selected_version(self) -> Optional[int]:
        return self.validation.selected_version() if self.detail is not None else None
