"""Report export use case: gather the facts, build the JSON evidence, render the PDF.

One entry point for the CLI (``tollgate report``) and the GUI export dialog:

.. code-block:: python

    export_report(ws, kind, model_ref=None, version=None, path=None, *, actor=None,
                  filters=None, progress=None, cancel=None, generated_at=None) -> ReportFile

* ``kind``: ``"audit"`` (model audit report, all versions), ``"validation"`` (model
  validation report of one version) or ``"inventory"`` (the whole workspace, or the
  models matching ``filters``).
* ``model_ref``: for audit / validation, a model id (int) or ``NAME[@VERSION]``
  (DESIGN.md CLI contract: VERSION is a number or alias; without it the champion, else
  the latest version); ``version`` (number or alias) overrides the one in ``model_ref``.
* ``filters`` (inventory only): ``{"tier": int | [int], "status": str | [str],
  "owner": str | [str], "source": str}`` -- a model is listed when it matches every
  given key (any of the listed values).
* ``progress(fraction, message)`` / ``cancel`` (:class:`console.jobs.CancelToken`):
  called / polled throughout; a cancel raises :class:`console.errors.Cancelled` and
  leaves no file (an existing file at ``path`` is kept).
* Returns a :class:`ReportFile`: a :class:`pathlib.Path` (the absolute PDF path) that
  also carries ``kind``, ``pages``, ``warnings`` (e.g. characters no bundled font has:
  printed as a placeholder), ``head_hash`` (the audit chain head printed in the
  report) and ``seconds``.

The facts come from the existing service read APIs (``Workspace.get_model``,
``list_models``, ``verify_audit_chain``, :mod:`console.services.findings`,
:mod:`console.services.approvals`, :mod:`console.services.governance`); the same facts
are embedded in the PDF as ``tollgate-evidence.json`` (:func:`model_evidence`,
:func:`inventory_evidence`).  The chain is verified before the report is built, so the
head hash printed is the head at generation time; the export itself is then audited
(``report.exported``, with kind, file name, pages and that head).

Errors: :class:`console.errors.InputError` (unknown kind, missing model reference,
bad filter, unwritable path), :class:`console.errors.NotFoundError` (unknown model or
version), :class:`console.errors.Cancelled`.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

import console
from console.errors import InputError, NotFoundError
from console.jobs import CancelToken, ProgressFn, checkpoint, report, scaled

if TYPE_CHECKING:
    from console.services.workspace import Workspace

__all__ = ["KINDS", "ReportFile", "export_report", "gather_model", "gather_inventory", "model_evidence",
           "inventory_evidence", "jsonable"]

KINDS = ("audit", "validation", "inventory")
EVIDENCE_SCHEMA = "tollgate.report-evidence/1"


class ReportFile(type(Path())):  # type: ignore[misc]  # PosixPath / WindowsPath
    """The written PDF's absolute path, with what the export produced."""

    kind: str = ""
    pages: int = 0
    warnings: list[str] = []
    head_hash: Optional[str] = None
    seconds: float = 0.0


def jsonable(obj: Any) -> Any:
    """Domain objects -> JSON-safe values: dataclasses to dicts (``to_json()`` when the
    class has one), enums to values, datetimes to ISO 8601 UTC, tuples/sets to lists,
    NaN/inf to ``None``."""
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, enum.Enum):
        return jsonable(obj.value)
    if isinstance(obj, datetime):
        u = obj.replace(tzinfo=timezone.utc) if obj.tzinfo is None else obj.astimezone(timezone.utc)
        return u.isoformat()
    if isinstance(obj, date):
        return obj.isoformat()
    if hasattr(obj, "to_json") and callable(obj.to_json):
        return jsonable(obj.to_json())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in obj]
        return sorted(items, key=str) if isinstance(obj, (set, frozenset)) else items
    return str(obj)


# ----------------------------------------------------------------------------- model reports


@dataclasses.dataclass(frozen=True)
class ModelReportData:
    """Everything a model report prints (plain domain objects)."""

    detail: Any
    governance: Any
    chain: Any
    version: Optional[int]
    workspace_label: str


def gather_model(ws: "Workspace", model_ref: Union[int, str], version: Union[int, str, None] = None, *,
                 source: Optional[str] = None, progress: Optional[ProgressFn] = None,
                 cancel: Optional[CancelToken] = None) -> ModelReportData:
    """Read the model's records, governance and the audit chain verification."""
    from console.reports.audit import GovernanceRecords
    from console.services import approvals, findings, governance

    report(progress, 0.0, "Collecting the model's records")
    if isinstance(model_ref, int):
        model = ws.find_model(model_ref, source)
        name_ref = model.name
        explicit = version
    else:
        from console.services.workspace import split_ref

        name_ref = model_ref
        explicit = version
        if version is None and "@" in model_ref:
            try:
                m, v = ws.resolve(model_ref, source)
                name_ref, explicit = m.name, v.version
            except NotFoundError:
                name_ref, explicit = split_ref(model_ref)
        model = ws.find_model(name_ref, source)
    focus: Optional[int] = None
    try:
        ref = model.name if explicit is None else f"{model.name}@{explicit}"
        _, v = ws.resolve(ref, source or model.source)
        focus = v.version
    except NotFoundError:
        if explicit is not None:
            raise
    detail = ws.get_model(model.id)
    checkpoint(cancel)
    chain = ws.verify_audit_chain(progress=scaled(progress, 0.02, 0.08), cancel=cancel)
    gov = GovernanceRecords(
        tier_assessments=governance.tier_assessments(ws, model.id),
        findings=findings.list_findings(ws, model=model.id, state=None),
        requests=approvals.list_requests(ws, state=None, model=model.id),
        raci=_raci(ws, model.id),
    )
    return ModelReportData(detail, gov, chain, focus, ws.label)


def _raci(ws: "Workspace", model_id: int) -> list[Any]:
    from console.services import governance

    try:
        return governance.raci_for_model(ws, model_id)
    except NotFoundError:  # a workspace without a default template (pre-0004)
        return []


def model_evidence(kind: str, data: ModelReportData, generated_at: datetime) -> dict[str, Any]:
    """The JSON evidence document of a model report (the facts it prints)."""
    d, g, c = data.detail, data.governance, data.chain
    return {
        "schema": EVIDENCE_SCHEMA,
        "kind": kind,
        "generated_at": jsonable(generated_at),
        "tollgate_version": console.__version__,
        "workspace": data.workspace_label,
        "focus_version": data.version,
        "model": jsonable(d.model),
        "summary": jsonable(d.summary),
        "versions": jsonable(d.versions),
        "aliases": jsonable(d.aliases),
        "registry_aliases": jsonable(getattr(d, "registry_aliases", ())),
        "validation_runs": [
            {**{f.name: jsonable(getattr(r, f.name)) for f in dataclasses.fields(r) if f.name != "checks"},
             "checks": [jsonable(ch.to_json()) for ch in r.checks]}
            for r in d.validation_runs],
        "drift_runs": jsonable(d.drift_runs),
        "tier_assessments": jsonable(g.tier_assessments),
        "findings": jsonable(g.findings),
        "approval_requests": [jsonable(r.to_json()) for r in g.requests],
        "raci": [jsonable(e.to_json()) for e in g.raci],
        "audit": {
            "events": jsonable(d.audit_events),
            "chain": jsonable(c),
            "head_hash": c.head_hash if c is not None else None,
        },
    }


# ----------------------------------------------------------------------------- inventory


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    if isinstance(v, (list, tuple, set, frozenset)):
        return list(v)
    return [v]


def _filter(summaries: Sequence[Any], filters: Optional[Mapping[str, Any]]) -> tuple[list[Any], dict[str, Any]]:
    from console.domain.models import LifecycleStatus

    filters = dict(filters or {})
    unknown = set(filters) - {"tier", "status", "owner", "source"}
    if unknown:
        raise InputError(f"unknown inventory filter(s) {', '.join(sorted(unknown))}; use tier, status, owner, source")
    tiers = []
    for t in _as_list(filters.get("tier")):
        try:
            t = int(t)
        except (TypeError, ValueError):
            raise InputError(f"--tier must be 1, 2 or 3, not {t!r}") from None
        if t not in (1, 2, 3):
            raise InputError(f"--tier must be 1, 2 or 3, not {t}")
        tiers.append(t)
    statuses = []
    valid = [s.value for s in LifecycleStatus]
    for s in _as_list(filters.get("status")):
        s = str(s).strip().lower()
        if s not in valid:
            raise InputError(f"--status must be one of {', '.join(valid)}, not {s!r}")
        statuses.append(s)
    owners = [str(o).casefold() for o in _as_list(filters.get("owner"))]
    sources = [str(o) for o in _as_list(filters.get("source"))]
    out = [m for m in summaries
           if (not tiers or m.risk_tier in tiers) and (not statuses or m.status.value in statuses)
           and (not owners or (m.owner or "").casefold() in owners) and (not sources or m.source in sources)]
    used = {k: v for k, v in (("tier", tiers), ("status", statuses), ("owner", _as_list(filters.get("owner"))),
                              ("source", sources)) if v}
    return out, used


def gather_inventory(ws: "Workspace", filters: Optional[Mapping[str, Any]] = None, *,
                     progress: Optional[ProgressFn] = None, cancel: Optional[CancelToken] = None) -> Any:
    """The inventory facts (:class:`console.reports.inventory.InventoryData`)."""
    from sqlalchemy import select

    from console.reports.inventory import InventoryData
    from console.services import approvals, findings
    from console.store import orm

    report(progress, 0.0, "Collecting the inventory")
    everything = ws.list_models()
    summaries, used = _filter(everything, filters)
    ids = {m.id for m in summaries}
    checkpoint(cancel)
    chain = ws.verify_audit_chain(progress=scaled(progress, 0.02, 0.08), cancel=cancel)
    open_findings = [f for f in findings.list_findings(ws, state="open", limit=100_000) if f.model_id in ids]
    open_requests = [r for r in approvals.list_requests(ws, state="open", limit=100_000) if r.model_id in ids]
    # read-only: which models have a tier questionnaire (one query, not one per model)
    with ws._session() as s:
        assessed = frozenset(s.scalars(select(orm.TierAssessmentRow.model_id).distinct()).all())
    return InventoryData(summaries=summaries, workspace_label=ws.label, filters=used,
                         open_findings=open_findings, open_requests=open_requests,
                         tier_assessed=frozenset(assessed & ids), audit_chain=chain,
                         audit_events=chain.events, total_models=len(everything))


def inventory_evidence(data: Any, generated_at: datetime) -> dict[str, Any]:
    """The JSON evidence document of the inventory report."""
    return {
        "schema": EVIDENCE_SCHEMA,
        "kind": "inventory",
        "generated_at": jsonable(generated_at),
        "tollgate_version": console.__version__,
        "workspace": data.workspace_label,
        "filters": jsonable(data.filters),
        "total_models": data.total_models,
        "models": jsonable(data.summaries),
        "open_findings": jsonable(data.open_findings),
        "open_approval_requests": [jsonable(r.to_json()) for r in data.open_requests],
        "tier_assessed_model_ids": sorted(data.tier_assessed),
        "audit": {"chain": jsonable(data.audit_chain),
                  "head_hash": data.audit_chain.head_hash if data.audit_chain is not None else None},
    }


# ----------------------------------------------------------------------------- entry point


def export_report(
    ws: "Workspace",
    kind: str,
    model_ref: Union[int, str, None] = None,
    version: Union[int, str, None] = None,
    path: Union[str, Path, None] = None,
    *,
    actor: Optional[str] = None,
    filters: Optional[Mapping[str, Any]] = None,
    source: Optional[str] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    generated_at: Optional[datetime] = None,
) -> ReportFile:
    """Write a report PDF and audit the export; see the module docstring."""
    from console.reports.audit import build_model_report
    from console.reports.inventory import build_inventory_pdf
    from console.services.workspace import default_actor

    started = time.perf_counter()
    if kind not in KINDS:
        raise InputError(f"unknown report kind {kind!r}; use one of {', '.join(KINDS)}")
    if path is None or not str(path).strip():
        raise InputError("no output file given; pass a path ending in .pdf")
    out = Path(path)
    generated = (generated_at or datetime.now(timezone.utc)).replace(microsecond=0)
    if kind == "inventory":
        if model_ref is not None:
            raise InputError("the inventory report covers many models; give filters instead of a model")
        data = gather_inventory(ws, filters, progress=scaled(progress, 0.0, 0.1), cancel=cancel)
        result = build_inventory_pdf(data, out, generated_at=generated, evidence=inventory_evidence(data, generated),
                                     progress=scaled(progress, 0.1, 0.97), cancel=cancel)
        head = data.audit_chain.head_hash if data.audit_chain else None
        model_id, entity, entity_id = None, "workspace", "inventory"
    else:
        if model_ref is None or (isinstance(model_ref, str) and not model_ref.strip()):
            raise InputError(f"the {kind} report needs a model: NAME[@VERSION]")
        if filters:
            raise InputError("filters apply to the inventory report only")
        mdata = gather_model(ws, model_ref, version, source=source, progress=scaled(progress, 0.0, 0.1), cancel=cancel)
        result = build_model_report(kind, mdata.detail, out, workspace_label=mdata.workspace_label,
                                    generated_at=generated, version=mdata.version,
                                    progress=scaled(progress, 0.1, 0.97), cancel=cancel,
                                    audit_chain=mdata.chain, governance=mdata.governance,
                                    evidence=model_evidence(kind, mdata, generated))
        head = mdata.chain.head_hash if mdata.chain else None
        model_id, entity, entity_id = mdata.detail.model.id, "registered_model", mdata.detail.model.id
    with ws._write() as s:
        new = {"kind": kind, "file": out.name, "pages": result.pages, "audit_head": head}
        if kind == "inventory":
            new["filters"] = jsonable(filters or {})
        else:
            new["version"] = mdata.version
        ws._audit(s, actor or default_actor(), "report.exported", entity, entity_id, model_id=model_id, new=new)
    rf = ReportFile(result.path)
    rf.kind = kind
    rf.pages = result.pages
    rf.warnings = list(result.warnings)
    rf.head_hash = head
    rf.seconds = time.perf_counter() - started
    report(progress, 1.0, f"Report written to {result.path}")
    return rf
