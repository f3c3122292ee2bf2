"""Findings: issues on a model that must be remediated before it moves on.

A finding has a severity (high | medium | low; DESIGN.md "Finding severity on a failed
blocking check": tier 1 high, tier 2 medium, tier 3 low) and a state (open | closed).
Sources: ``validation`` (a failed blocking check), ``drift`` (a window in alert) and
``manual`` (opened by a person).  An open high-severity finding blocks every approval of
the model (:mod:`console.services.approvals`, gate ``findings``).  Opening and closing
are audit events; closing needs a reason and a Model Risk Manager or Admin.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional, Union

from sqlalchemy import select

from console.domain.approvals import Finding
from console.domain.governance import TIER_POLICIES, Role, User
from console.errors import InputError, NotFoundError, PermissionDenied
from console.store import orm

if TYPE_CHECKING:
    from console.services.workspace import Workspace

SEVERITIES = ("high", "medium", "low")
SOURCES = ("validation", "drift", "manual")


def severity_for_tier(tier: int) -> str:
    """The severity of a finding opened automatically on a tier-``tier`` model."""
    return TIER_POLICIES[tier].finding_severity


def _finding(s, row: orm.FindingRow) -> Finding:
    m = s.get(orm.RegisteredModelRow, row.model_id)
    v = s.get(orm.ModelVersionRow, row.version_id) if row.version_id is not None else None
    return Finding(row.id, row.model_id, m.name, v.version if v is not None else None, row.source, row.source_ref,
                   row.severity, row.title, row.detail, row.state, row.opened_at, row.opened_by, row.closed_at,
                   row.closed_by, row.close_reason, row.owner, row.due_at)


def add_finding(ws: "Workspace", s, model_row: orm.RegisteredModelRow, *, title: str, source: str,
                actor: str, severity: Optional[str] = None, detail: str = "", version_id: Optional[int] = None,
                source_ref: Optional[str] = None, owner: Optional[str] = None,
                due_at: Optional[datetime] = None) -> Optional[orm.FindingRow]:
    """Open a finding inside the write transaction ``s`` (used by validation and
    monitoring); ``severity`` defaults to the model's tier severity; ``owner`` (a login)
    and ``due_at`` (UTC) say who remediates it by when.  An open finding with the same
    ``source`` and ``source_ref`` on the model is not opened twice (returns None)."""
    if source_ref is not None and s.scalar(select(orm.FindingRow.id).where(
            orm.FindingRow.model_id == model_row.id, orm.FindingRow.source == source,
            orm.FindingRow.source_ref == source_ref, orm.FindingRow.state == "open")) is not None:
        return None
    sev = severity or severity_for_tier(model_row.risk_tier)
    row = orm.FindingRow(model_id=model_row.id, version_id=version_id, source=source, source_ref=source_ref,
                         severity=sev, title=title[:300], detail=detail, state="open", opened_by=actor,
                         owner=owner, due_at=due_at)
    s.add(row)
    s.flush()
    new = {"severity": sev, "title": row.title, "source": source, "source_ref": source_ref}
    if owner is not None or due_at is not None:
        new.update(owner=owner, due_at=due_at.isoformat() if due_at is not None else None)
    ws._audit(s, actor, "finding.opened", "finding", row.id, model_id=model_row.id, new=new)
    return row


def _refuse(ws: "Workspace", by: User, entity_id: object, model_id: Optional[int], action: str,
            rule: str) -> PermissionDenied:
    """Write the ``finding.refused`` audit event (own transaction); return the error."""
    with ws._write() as s:
        ws._audit(s, by.login, "finding.refused", "finding", entity_id, model_id=model_id,
                  new={"action": action, "rule": rule, "user": by.login})
    return PermissionDenied(f"refused: {rule}")


def open_finding(ws: "Workspace", model: Union[int, str], *, title: str, severity: str, by: User,
                 detail: str = "", version: Optional[int] = None) -> Finding:
    """Open a manual finding: any active user with a role other than Auditor (Auditors
    are read-only).  Raises :class:`InputError` for an empty title or an unknown
    severity, :class:`PermissionDenied` (audited as ``finding.refused``)."""
    title = " ".join((title or "").split())
    if not title:
        raise InputError("a finding needs a title")
    if severity not in SEVERITIES:
        raise InputError(f"severity {severity!r}: use {', '.join(SEVERITIES)}")
    with ws._session() as s:
        model_id = ws._model_row(s, model).id
    if not any(a.role != Role.AUDITOR and (a.model_id is None or a.model_id == model_id) for a in by.roles):
        raise _refuse(ws, by, "-", model_id, "open finding",
                      f"Auditors are read-only and {by.login} holds no other role; findings are opened by "
                      "the people governing the model")
    with ws._write() as s:
        m = ws._model_row(s, model)
        vid = ws._version_row(s, m, version).id if version is not None else None
        row = add_finding(ws, s, m, title=title, source="manual", actor=by.login, severity=severity,
                          detail=detail, version_id=vid)
        return _finding(s, row)


def close_finding(ws: "Workspace", finding_id: int, *, by: User, reason: str) -> Finding:
    """Close an open finding with a reason: a Model Risk Manager (global or for the
    model) or an Admin.  Audited."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InputError("closing a finding needs a reason (what was remediated)")
    with ws._session() as s:
        row = s.get(orm.FindingRow, int(finding_id))
        if row is None:
            raise NotFoundError(f"no finding #{finding_id} in workspace {ws.label}")
        model_id = row.model_id
    if not (by.has_role(Role.MODEL_RISK_MANAGER, model_id) or by.has_role(Role.ADMIN)):
        raise _refuse(ws, by, finding_id, model_id, "close finding",
                      f"only a Model Risk Manager or an Admin closes findings; {by.login} is neither")
    with ws._write() as s:
        row = s.get(orm.FindingRow, int(finding_id), with_for_update=True, populate_existing=True)
        if row.state != "open":
            raise InputError(f"finding #{finding_id} is already closed ({row.close_reason})")
        row.state = "closed"
        row.closed_at = orm.utcnow()
        row.closed_by = by.login
        row.close_reason = reason
        ws._audit(s, by.login, "finding.closed", "finding", row.id, model_id=row.model_id,
                  old={"state": "open"}, new={"state": "closed"}, reason=reason)
        return _finding(s, row)


def list_findings(ws: "Workspace", *, model: Union[int, str, None] = None, state: Optional[str] = "open",
                  limit: int = 2000) -> list[Finding]:
    """Findings, newest first (``state`` None: all)."""
    with ws._session() as s:
        q = select(orm.FindingRow).order_by(orm.FindingRow.id.desc()).limit(limit)
        if model is not None:
            q = q.where(orm.FindingRow.model_id == ws._model_row(s, model).id)
        if state is not None:
            q = q.where(orm.FindingRow.state == state)
        return [_finding(s, r) for r in s.scalars(q)]
