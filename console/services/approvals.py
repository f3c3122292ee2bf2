"""Approval requests, signing gates, segregation of duties and electronic signatures
(issue 5; rules in :mod:`console.domain.approvals`).

Lifecycle transitions (development → validation → approved → production → retired)
and moves of Tollgate's own aliases (``champion`` …) happen only here: a Responsible
submits a request (:func:`request_approval`, an ``authored`` signature), the Consulted
review and the Accountable (plus ``S`` roles and, on tier 1, a Model Risk Manager)
approve (:func:`sign`).  When the last required signature is given, the transition is
carried out in the same transaction.  Every signature re-authenticates the signer
(password at the moment of signing; 21 CFR 11.200(a)(1)(i)), and every submission,
signature, refusal, rejection, withdrawal and expiry is an audit event.

Gates (:func:`evaluate_gates`), checked at every ``approved`` signature — not only at
submission — and shown with the request:

``validation``
    for → approved, → production and alias moves: the latest validation run of that
    exact version passed every blocking check (families by risk tier, DESIGN.md tier
    defaults) and is within the tier's revalidation interval (12 / 24 / 36 months);
``findings``
    no open finding of high severity on the model;
``drift``
    for → production, and alias moves of a model in production: the latest drift
    window is not ``drift``, unless a Model Risk Manager granted a signed, reasoned
    exception that has not expired (:func:`grant_gate_exception`, at most
    :data:`MAX_EXCEPTION_DAYS` days).

Refusals (a segregation-of-duties rule, a gate, a missing review, a role the signer
does not hold) raise :class:`console.errors.PermissionDenied` naming the rule, after an
``approval.refused`` audit event in its own transaction.  A signature given against a
record version that is no longer current (someone else signed first) raises
:class:`console.errors.ConcurrentChangeError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

from sqlalchemy import select

from console.domain.approvals import (
    REQUEST_LIFETIME_DAYS,
    RULE_REVIEW_FIRST,
    SOD_AUTHOR,
    SOD_ONE_SIGNATURE,
    SOD_SUBMITTER,
    ApprovalRequest,
    GateException,
    Meaning,
    Notification,
    RequestState,
    Signature,
    Slot,
    canonical_sha256,
    record_version_sha256,
    request_document,
    required_slots,
    signature_document,
    sla_due,
    verify_signatures,
)
from console.domain.governance import (
    ALIAS_TASK,
    TIER_POLICIES,
    TRANSITION_TASK,
    LifecycleTask,
    Role,
    User,
    raci_for_tier,
    revalidation_due,
)
from console.domain.models import LifecycleStatus
from console.errors import ConcurrentChangeError, InputError, NotFoundError, PermissionDenied
from console.store import orm

if TYPE_CHECKING:
    from console.services.workspace import Workspace

#: Longest validity of a gate exception (days).
MAX_EXCEPTION_DAYS = 90
#: Gates an exception may be granted for.
EXCEPTION_GATES = ("drift",)
SYSTEM_ACTOR = "tollgate"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class GateBlocked(PermissionDenied):
    """An approval gate is not met (validation, findings, drift); the message names it."""


@dataclass(frozen=True)
class GateResult:
    """One gate for one request: ``ok`` None when it does not apply."""

    gate: str
    ok: Optional[bool]
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"gate": self.gate, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class QueueItem:
    """A request in someone's queue: ``action`` is what they are asked (``review``,
    ``approve``), ``ready`` False while reviews are still missing before an approval."""

    request: ApprovalRequest
    action: str
    role: Role
    ready: bool
    waiting_for: str = ""


# ----------------------------------------------------------------------------- reading
def _signature(r: orm.ApprovalSignatureRow) -> Signature:
    return Signature(r.request_id, r.seq, r.slot, r.login, r.printed_name, r.role, Meaning(r.meaning), r.reason,
                     r.signed_at, r.record_sha256, r.signature_sha256)


def _document(s: Any, r: orm.ApprovalRequestRow) -> dict[str, Any]:
    m = s.get(orm.RegisteredModelRow, r.model_id)
    v = s.get(orm.ModelVersionRow, r.version_id)
    return request_document(
        request_id=r.id, model_id=r.model_id, model=m.name, version=r.version,
        artifact_sha256=v.artifact_sha256 if v is not None else None, kind=r.kind, from_status=r.from_status,
        to_status=r.to_status, alias=r.alias, task=r.task, risk_tier=r.risk_tier, raci_scope=r.raci_scope,
        raci_version=r.raci_version, required=r.required, submitted_by=r.submitted_by,
        submitted_at=r.submitted_at, due_at=r.due_at, expires_at=r.expires_at, reason=r.reason)


class _Lookup:
    """What building many :class:`ApprovalRequest` objects needs, read once per session:
    the current RACI template per scope, active role holders, display names."""

    def __init__(self, s: Any) -> None:
        self.templates: dict[str, dict] = {}
        for row in s.scalars(select(orm.RaciTemplateRow).order_by(orm.RaciTemplateRow.scope,
                                                                   orm.RaciTemplateRow.version)):
            self.templates[row.scope] = row.matrix  # the last (highest) version wins
        self.holders: list[tuple[str, Optional[int], str]] = list(s.execute(
            select(orm.RoleAssignmentRow.role, orm.RoleAssignmentRow.model_id, orm.AppUserRow.login)
            .join(orm.AppUserRow, orm.AppUserRow.id == orm.RoleAssignmentRow.user_id)
            .where(orm.AppUserRow.is_active.is_(True))).all())
        self.names = {login: name for login, name in
                      s.execute(select(orm.AppUserRow.login, orm.AppUserRow.display_name))}
        self._informed_roles: dict[tuple[str, int, str], set[str]] = {}

    def informed(self, model_id: int, model_tier: int, task: str, tier: int) -> list[str]:
        """Active users holding a role marked I for ``task`` in the model's effective
        template (model override > tier override > default) resolved for ``tier``."""
        scope = next((k for k in (f"model:{model_id}", f"tier:{model_tier}", "default") if k in self.templates),
                     None)
        key = (scope or "", tier, task)
        if key not in self._informed_roles:
            matrix = self.templates.get(scope, {}) if scope else {}
            self._informed_roles[key] = {role for role, letters in raci_for_tier(matrix, tier).get(task, {}).items()
                                         if "I" in letters.split("/")}
        roles = self._informed_roles[key]
        return sorted({login for role, mid, login in self.holders
                       if role in roles and (mid is None or mid == model_id)})


def _informed_logins(s: Any, r: orm.ApprovalRequestRow, model_tier: int) -> list[str]:
    return _Lookup(s).informed(r.model_id, model_tier, r.task, r.risk_tier)


def _requests(s: Any, rows: Sequence[orm.ApprovalRequestRow]) -> list[ApprovalRequest]:
    """Domain objects for ``rows``, signatures verified, with a constant number of
    queries (not one set per request)."""
    rows = list(rows)
    if not rows:
        return []
    ids = [r.id for r in rows]
    sigs: dict[int, list[Signature]] = {i: [] for i in ids}
    for x in s.scalars(select(orm.ApprovalSignatureRow).where(orm.ApprovalSignatureRow.request_id.in_(ids))
                       .order_by(orm.ApprovalSignatureRow.request_id, orm.ApprovalSignatureRow.seq)):
        sigs[x.request_id].append(_signature(x))
    # held here so the session's identity map (weak references) keeps them for s.get in ``_document``
    models = {m.id: m for m in s.scalars(select(orm.RegisteredModelRow).where(
        orm.RegisteredModelRow.id.in_({r.model_id for r in rows})))}
    versions = {v.id: v for v in s.scalars(select(orm.ModelVersionRow).where(
        orm.ModelVersionRow.id.in_({r.version_id for r in rows})))}
    look = _Lookup(s)
    out = []
    for r in rows:
        m = models[r.model_id]
        these = tuple(sigs[r.id])
        problems = verify_signatures(r.record_sha256, canonical_sha256(_document(s, r)), these)
        out.append(ApprovalRequest(
            id=r.id, model_id=r.model_id, model_name=m.name, version=r.version, kind=r.kind,
            from_status=r.from_status, to_status=r.to_status, alias=r.alias, task=LifecycleTask(r.task),
            risk_tier=r.risk_tier, raci_scope=r.raci_scope, raci_version=r.raci_version,
            slots=tuple(Slot.from_json(d) for d in r.required), state=RequestState(r.state),
            submitted_by=r.submitted_by, submitted_by_name=look.names.get(r.submitted_by, r.submitted_by),
            submitted_at=r.submitted_at, due_at=r.due_at, expires_at=r.expires_at, reason=r.reason,
            record_sha256=r.record_sha256, row_version=r.row_version, closed_at=r.closed_at, closed_by=r.closed_by,
            close_reason=r.close_reason, signatures=these, integrity_problems=tuple(problems),
            informed=tuple(look.informed(r.model_id, m.risk_tier, r.task, r.risk_tier)),
            version_author=versions[r.version_id].created_by))
    return out


def _request(ws: "Workspace", s: Any, r: orm.ApprovalRequestRow) -> ApprovalRequest:
    return _requests(s, [r])[0]


def get_request(ws: "Workspace", request_id: int) -> ApprovalRequest:
    """One request with its signatures (verified).  Raises :class:`NotFoundError`."""
    expire_overdue(ws)
    with ws._session() as s:
        r = s.get(orm.ApprovalRequestRow, int(request_id))
        if r is None:
            raise NotFoundError(f"no approval request #{request_id} in workspace {ws.label} "
                                "(see `tollgate approvals list`)")
        return _request(ws, s, r)


def list_requests(ws: "Workspace", *, state: Optional[str] = "open", model: Union[int, str, None] = None,
                  limit: int = 2000) -> list[ApprovalRequest]:
    """Requests, newest first; ``state`` None for every state.  Expired requests are
    marked first (:func:`expire_overdue`)."""
    expire_overdue(ws)
    with ws._session() as s:
        q = select(orm.ApprovalRequestRow).order_by(orm.ApprovalRequestRow.id.desc()).limit(limit)
        if state is not None:
            q = q.where(orm.ApprovalRequestRow.state == RequestState(state).value)
        if model is not None:
            q = q.where(orm.ApprovalRequestRow.model_id == ws._model_row(s, model).id)
        return _requests(s, list(s.scalars(q)))


def my_queue(ws: "Workspace", user: User) -> list[QueueItem]:
    """The open requests waiting for ``user``: an open slot whose role they hold
    (globally or for that model), that they may sign under segregation of duties (not
    the submitter, not the version's author, not already a signer).  Oldest first."""
    items: list[QueueItem] = []
    with ws._session() as s:
        fresh = s.get(orm.AppUserRow, user.id)
        if fresh is None or not fresh.is_active:
            return []
    from console.services.governance import get_user

    user = get_user(ws, user.login)
    for req in reversed(list_requests(ws)):
        if req.submitted_by == user.login or any(sig.login == user.login for sig in req.signatures):
            continue
        if req.version_author in (user.login, user.display_name):
            continue
        for slot in req.open_slots():
            if user.has_role(slot.role, req.model_id):
                missing = [x.role.value for x in req.open_slots() if x.kind == "review"]
                ready = slot.kind == "review" or not missing
                items.append(QueueItem(req, "review" if slot.kind == "review" else "approve", slot.role, ready,
                                       "" if ready else "reviews by " + ", ".join(missing)))
                break
    return items


# ----------------------------------------------------------------------------- gates
def evaluate_gates(ws: "Workspace", request: ApprovalRequest, now: Optional[datetime] = None) -> list[GateResult]:
    """The gates of ``request`` as they stand now (see the module docstring)."""
    now = now or utcnow()
    out: list[GateResult] = []
    policy = TIER_POLICIES[request.risk_tier]
    needs_validation = request.kind == "alias" or request.to_status in (
        LifecycleStatus.APPROVED.value, LifecycleStatus.PRODUCTION.value)
    detail = ws.get_model(request.model_id)
    if needs_validation:
        runs = sorted((r for r in detail.validation_runs if r.version == request.version),
                      key=lambda r: (r.finished_at, r.id))
        if not runs:
            out.append(GateResult("validation", False, f"v{request.version} has never been validated; "
                                  f"run `tollgate validate {detail.model.name}@{request.version}`"))
        else:
            run = runs[-1]
            # blocking as the run recorded it: the workspace's validation plan for the
            # tier at run time (console.services.validation), not the built-in defaults
            bad = [c for c in run.checks if c.blocking and c.status.value in ("fail", "error")]
            due = revalidation_due(run.finished_at, request.risk_tier)
            if bad:
                out.append(GateResult("validation", False, f"the latest validation of v{request.version} "
                                      f"(run #{run.id}, {run.finished_at:%Y-%m-%d}) failed blocking check(s) "
                                      + ", ".join(f"{c.id} ({c.status.value})" for c in bad)))
            elif due < now:
                out.append(GateResult("validation", False, f"the latest validation of v{request.version} "
                                      f"(run #{run.id}, {run.finished_at:%Y-%m-%d}) is stale: tier {request.risk_tier} "
                                      f"needs revalidation every {policy.revalidation_months} months (due "
                                      f"{due:%Y-%m-%d}); validate again"))
            else:
                out.append(GateResult("validation", True, f"run #{run.id} of v{request.version} on "
                                      f"{run.finished_at:%Y-%m-%d} passed its blocking checks; valid until "
                                      f"{due:%Y-%m-%d}"))
    else:
        out.append(GateResult("validation", None, "not required for this step"))
    from console.services.findings import list_findings

    high = [f for f in list_findings(ws, model=request.model_id, state="open") if f.severity == "high"]
    out.append(GateResult("findings", not high, "no open high-severity finding" if not high else
                          "open high-severity finding(s): " + "; ".join(f"#{f.id} {f.title}" for f in high)))
    production = LifecycleStatus.PRODUCTION.value
    if request.to_status == production or (request.kind == "alias" and detail.model.status.value == production):
        status = _latest_drift_status(detail)
        if status != "drift":
            out.append(GateResult("drift", True, f"latest drift window: {status or 'not monitored yet'}"))
        else:
            exc = active_exception(ws, request.model_id, "drift", now)
            if exc is not None:
                out.append(GateResult("drift", True, f"drift in alert, excepted until {exc.expires_at:%Y-%m-%d} "
                                      f"by {exc.printed_name}: {exc.reason}"))
            else:
                out.append(GateResult("drift", False, "the latest drift window is in alert (drift); a Model Risk "
                                      "Manager may grant a signed, expiring exception"))
    else:
        out.append(GateResult("drift", None, "applies to production models only"))
    return out


def _latest_drift_status(detail: Any) -> Optional[str]:
    runs = sorted(detail.drift_runs, key=lambda r: (r.created_at, r.id))
    for run in reversed(runs):
        for w in sorted(run.windows, key=lambda w: w.index, reverse=True):
            if w.status is not None:
                return w.status.value
    return None


# ----------------------------------------------------------------------------- writing
def _refuse(ws: "Workspace", login: str, request_id: Any, model_id: Optional[int], action: str, rule: str,
            cls: type = PermissionDenied) -> PermissionDenied:
    """Write the ``approval.refused`` audit event (own transaction); return the error."""
    with ws._write() as s:
        ws._audit(s, login, "approval.refused", "approval_request", request_id, model_id=model_id,
                  new={"action": action, "rule": rule, "user": login})
    return cls(f"refused: {rule}")


def _notify(s: Any, logins: Sequence[str], text: str, request_id: Optional[int], model_id: int) -> None:
    for login in dict.fromkeys(logins):
        row = s.scalar(select(orm.AppUserRow).where(orm.AppUserRow.login == login))
        if row is not None and row.is_active:
            s.add(orm.NotificationRow(user_id=row.id, request_id=request_id, model_id=model_id, text=text))


def _sign_row(s: Any, r: orm.ApprovalRequestRow, user: User, meaning: Meaning, reason: str, slot: Optional[Slot],
              at: datetime) -> orm.ApprovalSignatureRow:
    prior = list(s.scalars(select(orm.ApprovalSignatureRow.signature_sha256)
                           .where(orm.ApprovalSignatureRow.request_id == r.id)
                           .order_by(orm.ApprovalSignatureRow.seq)))
    record = record_version_sha256(r.record_sha256, prior)
    seq = len(prior) + 1
    role = slot.role.value if slot is not None else None
    idx = slot.index if slot is not None else None
    doc = signature_document(r.id, seq, idx, user.login, user.display_name, role, meaning.value, reason, at, record)
    row = orm.ApprovalSignatureRow(request_id=r.id, seq=seq, slot=idx, user_id=user.id, login=user.login,
                                   printed_name=user.display_name, role=role, meaning=meaning.value, reason=reason,
                                   signed_at=at, record_sha256=record, signature_sha256=canonical_sha256(doc))
    s.add(row)
    s.flush()
    return row


def _reason(reason: Optional[str], what: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise InputError(f"{what} needs a reason (--reason TEXT): it is part of the signed record")
    if len(text) > 2000:
        raise InputError(f"{what}: the reason is {len(text)} characters; at most 2,000")
    return text


def _target(ws: "Workspace", s: Any, m: orm.RegisteredModelRow, to_status: Optional[str],
            alias: Optional[str]) -> tuple[str, Optional[str], Optional[str], LifecycleTask]:
    if (to_status is None) == (alias is None):
        raise InputError("an approval request asks for either a status (--to STATUS) or an alias move "
                         "(--alias ALIAS), one of the two")
    if alias is not None:
        alias = alias.strip()
        if not alias or alias.isdigit() or len(alias) > 255:
            raise InputError(f"alias {alias!r} must be a name such as champion (not a number, at most 255 characters)")
        return "alias", None, alias, ALIAS_TASK.get(alias, LifecycleTask.MODEL_VALIDATION)
    try:
        to = LifecycleStatus(str(to_status).strip().lower())
    except ValueError:
        raise InputError(f"unknown status {to_status!r}; statuses: "
                         + ", ".join(x.value for x in LifecycleStatus)) from None
    task = TRANSITION_TASK.get((LifecycleStatus(m.status), to))
    if task is None:
        nxt = [b.value for (a, b) in TRANSITION_TASK if a.value == m.status]
        raise InputError(f"model {m.name!r} is in status {m.status}; it can move only to "
                         f"{' or '.join(nxt) if nxt else 'nothing (retired is final)'}, not {to.value}")
    return "transition", to.value, None, task


def request_approval(ws: "Workspace", model: Union[int, str], version: Union[int, str, None], *, login: str,
                     password: str, reason: str, to_status: Optional[str] = None, alias: Optional[str] = None,
                     source: Optional[str] = None) -> ApprovalRequest:
    """Submit a request to move ``model`` to ``to_status``, or ``alias`` to ``version``
    (number or alias; None = champion, else latest).  The submitter signs it
    (``authored``) with ``password``; they must hold a Responsible role of the governing
    task.  Raises :class:`AuthError`, :class:`InputError` (bad target, a request asking
    the same is already open, a version deleted on its registry),
    :class:`NotFoundError`, :class:`PermissionDenied` (not Responsible)."""
    from console.services import governance

    reason = _reason(reason, "an approval request")
    user = governance.authenticate(ws, login, password)
    with ws._session() as s:
        m = ws._model_row(s, model, source)
        v = ws._version_row(s, m, version)
        kind, to, al, task = _target(ws, s, m, to_status, alias)
        model_id, vnum = m.id, v.version
        if v.deleted_on_server_at is not None:
            raise InputError(f"version {vnum} of {m.name!r} was deleted on registry {m.source}; "
                             "it cannot be approved")
    template, tier = governance.effective_raci(ws, model_id)
    cells = raci_for_tier(template.matrix, tier).get(task.value, {})
    responsible = [Role(r) for r, letters in cells.items() if "R" in letters.split("/")]
    user = governance.get_user(ws, user.login)
    if not any(user.has_role(r, model_id) for r in responsible):
        raise _refuse(ws, user.login, "-", model_id, "submit approval request",
                      f"only the Responsible for {task.value!r} ({', '.join(r.value for r in responsible)}) "
                      f"submits this request; {user.login} holds none of these roles")
    slots = required_slots(cells, tier, task)
    now = utcnow()
    with ws._write() as s:
        mrow = ws._lock_model(s, model_id)
        kind2, to2, al2, task2 = _target(ws, s, mrow, to_status, alias)  # status may have moved meanwhile
        same = s.scalar(select(orm.ApprovalRequestRow.id).where(
            orm.ApprovalRequestRow.model_id == model_id, orm.ApprovalRequestRow.state == RequestState.OPEN.value,
            orm.ApprovalRequestRow.kind == kind2,
            (orm.ApprovalRequestRow.to_status == to2) if to2 else (orm.ApprovalRequestRow.alias == al2)))
        if same is not None:
            raise InputError(f"request #{same} already asks this for {mrow.name!r}; sign or withdraw it first")
        vrow = ws._version_row(s, mrow, vnum)
        r = orm.ApprovalRequestRow(
            model_id=model_id, version_id=vrow.id, version=vnum, kind=kind2, from_status=mrow.status,
            to_status=to2, alias=al2, task=task2.value, risk_tier=tier, raci_scope=template.scope,
            raci_version=template.version, required=[x.to_json() for x in slots], state=RequestState.OPEN.value,
            submitted_by=user.login, submitted_at=now, due_at=sla_due(now, tier),
            expires_at=now + timedelta(days=REQUEST_LIFETIME_DAYS), reason=reason, record_sha256="0" * 64)
        s.add(r)
        s.flush()
        r.record_sha256 = canonical_sha256(_document(s, r))
        s.flush()
        sig = _sign_row(s, r, user, Meaning.AUTHORED, reason, None, now)
        req_doc = _document(s, r)
        ws._audit(s, user.login, "approval.requested", "approval_request", r.id, model_id=model_id,
                  new={"request": req_doc, "record_sha256": r.record_sha256,
                       "signature_sha256": sig.signature_sha256}, reason=reason)
        informed = _informed_logins(s, r, mrow.risk_tier)
        what = f"v{vnum} alias {al2}" if al2 else f"{mrow.status} → {to2}"
        _notify(s, informed, f"Request #{r.id}: {user.display_name} asks to move {mrow.name!r} {what}",
                r.id, model_id)
        return _request(ws, s, r)


def _load_open(ws: "Workspace", s: Any, request_id: int) -> orm.ApprovalRequestRow:
    r = s.get(orm.ApprovalRequestRow, int(request_id), with_for_update=True, populate_existing=True)
    if r is None:
        raise NotFoundError(f"no approval request #{request_id} in workspace {ws.label}")
    if r.state == RequestState.OPEN.value and utcnow() >= r.expires_at:
        _expire_row(ws, s, r)
    return r


def _expire_row(ws: "Workspace", s: Any, r: orm.ApprovalRequestRow) -> None:
    r.state = RequestState.EXPIRED.value
    r.closed_at = utcnow()
    r.closed_by = SYSTEM_ACTOR
    r.close_reason = f"not decided within {REQUEST_LIFETIME_DAYS} days"
    ws._audit(s, SYSTEM_ACTOR, "approval.expired", "approval_request", r.id, model_id=r.model_id,
              old={"state": "open"}, new={"state": "expired"}, reason=r.close_reason)
    _notify(s, [r.submitted_by], f"Request #{r.id} expired undecided; submit it again if still needed",
            r.id, r.model_id)


def expire_overdue(ws: "Workspace") -> int:
    """Mark open requests past their expiry as expired (audited); returns how many."""
    now = utcnow()
    with ws._session() as s:
        due = list(s.scalars(select(orm.ApprovalRequestRow.id).where(
            orm.ApprovalRequestRow.state == RequestState.OPEN.value, orm.ApprovalRequestRow.expires_at <= now)))
    n = 0
    for rid in due:
        with ws._write() as s:
            r = s.get(orm.ApprovalRequestRow, rid, with_for_update=True, populate_existing=True)
            if r is not None and r.state == RequestState.OPEN.value and r.expires_at <= now:
                _expire_row(ws, s, r)
                n += 1
    return n


def _not_open(r: orm.ApprovalRequestRow) -> InputError:
    return InputError(f"request #{r.id} is {r.state}"
                      + (f" ({r.close_reason})" if r.close_reason else "") + "; there is nothing left to sign")


def sign(ws: "Workspace", request_id: int, *, login: str, password: str, meaning: Union[Meaning, str],
         reason: str, expected_record_sha256: Optional[str] = None) -> ApprovalRequest:
    """Sign request ``request_id`` as ``login`` (re-authenticated with ``password``)
    with ``meaning`` reviewed | approved | rejected and a ``reason``.

    ``expected_record_sha256``: the :attr:`ApprovalRequest.current_record_sha256` the
    signer was shown; if another signature landed since, :class:`ConcurrentChangeError`
    (reload and read it again).  The last required approval carries out the transition
    in the same transaction.  Raises :class:`AuthError`, :class:`InputError` (closed
    request, no reason), :class:`PermissionDenied` / :class:`GateBlocked` naming the rule.
    """
    from console.services import governance

    try:
        meaning = Meaning(str(getattr(meaning, "value", meaning)).strip().lower())
    except ValueError:
        raise InputError(f"meaning {meaning!r}: use reviewed, approved or rejected") from None
    if meaning == Meaning.AUTHORED:
        raise InputError("'authored' is the submitter's signature; use reviewed, approved or rejected")
    reason = _reason(reason, f"a signature ({meaning.value})")
    user = governance.authenticate(ws, login, password)
    user = governance.get_user(ws, user.login)
    current = get_request(ws, request_id)
    refusal: Optional[tuple[str, type]] = None
    slot: Optional[Slot] = None
    if current.state != RequestState.OPEN:
        with ws._session() as s:
            raise _not_open(s.get(orm.ApprovalRequestRow, current.id))
    author = current.version_author
    eligible = [x for x in current.open_slots() if user.has_role(x.role, current.model_id)]
    if user.login == current.submitted_by:
        refusal = (SOD_SUBMITTER, PermissionDenied)
    elif author in (user.login, user.display_name):
        refusal = (f"{SOD_AUTHOR} ({user.login} authored v{current.version})", PermissionDenied)
    elif any(sig.login == user.login and sig.meaning != Meaning.AUTHORED for sig in current.signatures):
        refusal = (SOD_ONE_SIGNATURE, PermissionDenied)
    elif meaning == Meaning.REVIEWED:
        slot = next((x for x in eligible if x.kind == "review"), None)
        if slot is None:
            refusal = (_no_slot_rule(current, user, "review"), PermissionDenied)
    elif meaning == Meaning.APPROVED:
        slot = next((x for x in eligible if x.kind == "approval"), None)
        if slot is None:
            refusal = (_no_slot_rule(current, user, "approval"), PermissionDenied)
        elif not current.reviews_done():
            missing = [x.role.value for x in current.open_slots() if x.kind == "review"]
            refusal = (f"{RULE_REVIEW_FIRST}; missing review(s) by {', '.join(missing)}", PermissionDenied)
        else:
            rule = _gate_rule(ws, current)
            if rule is not None:
                refusal = (rule, GateBlocked)
    else:  # rejected: anyone who could fill an open slot of it
        slot = eligible[0] if eligible else None
        if slot is None:
            refusal = (_no_slot_rule(current, user, "any"), PermissionDenied)
    if refusal is not None:
        raise _refuse(ws, user.login, current.id, current.model_id, f"sign request ({meaning.value})",
                      refusal[0], refusal[1])
    assert slot is not None
    now = utcnow()
    try:
        return _sign_locked(ws, current, user, meaning, reason, slot, now, expected_record_sha256)
    except _GateClosed as closed:  # a gate closed between the checks above and the write lock
        raise _refuse(ws, user.login, current.id, current.model_id, f"sign request ({meaning.value})",
                      closed.rule, GateBlocked) from None


class _GateClosed(Exception):
    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def _gate_rule(ws: "Workspace", request: ApprovalRequest) -> Optional[str]:
    blocked = [g for g in evaluate_gates(ws, request) if g.ok is False]
    return "gate " + "; gate ".join(f"{g.gate}: {g.detail}" for g in blocked) if blocked else None


def _sign_locked(ws: "Workspace", current: ApprovalRequest, user: User, meaning: Meaning, reason: str, slot: Slot,
                 now: datetime, expected_record_sha256: Optional[str]) -> ApprovalRequest:
    """The write part of :func:`sign`.  Every writer holds the workspace write lock
    first (SQLite ``BEGIN IMMEDIATE``, PostgreSQL advisory lock), so the gates checked
    again here cannot change before this transaction commits."""
    with ws._write() as s:
        r = _load_open(ws, s, current.id)
        if r.state != RequestState.OPEN.value:
            return _request(ws, s, r)
        latest = _request(ws, s, r)
        if latest.current_record_sha256 != (expected_record_sha256 or current.current_record_sha256):
            raise _moved_on(latest)  # another signature landed since the signer read the record
        if meaning == Meaning.APPROVED:
            rule = _gate_rule(ws, latest)
            if rule is not None:
                raise _GateClosed(rule)
        mrow = ws._lock_model(s, r.model_id)
        sig = _sign_row(s, r, user, meaning, reason, slot, now)
        ws._audit(s, user.login, "approval.signed", "approval_request", r.id, model_id=r.model_id,
                  new={"meaning": meaning.value, "slot": slot.index, "role": slot.role.value,
                       "record_sha256": sig.record_sha256, "signature_sha256": sig.signature_sha256},
                  reason=reason)
        after = _request(ws, s, r)
        informed = _informed_logins(s, r, mrow.risk_tier)
        if meaning == Meaning.REJECTED:
            _close(ws, s, r, RequestState.REJECTED, user.login, reason)
            _notify(s, [r.submitted_by, *informed], f"Request #{r.id} on {mrow.name!r} was rejected by "
                    f"{user.display_name}: {reason}", r.id, r.model_id)
        elif not after.open_slots():
            _execute(ws, s, r, mrow, user.login)
            _close(ws, s, r, RequestState.APPROVED, user.login, reason)
            _notify(s, [r.submitted_by, *informed], f"Request #{r.id} approved: {mrow.name!r} "
                    + (f"alias {r.alias} → v{r.version}" if r.alias else f"is now {r.to_status}"), r.id, r.model_id)
        s.flush()
        return _request(ws, s, r)


def _moved_on(latest: ApprovalRequest) -> ConcurrentChangeError:
    last = latest.signatures[-1]
    return ConcurrentChangeError(
        f"request #{latest.id} changed while you were signing: {last.printed_name} signed it ({last.meaning.value}) "
        f"at {last.signed_at:%Y-%m-%d %H:%M:%S} UTC; reload it, read it again and sign if still needed")


def _no_slot_rule(req: ApprovalRequest, user: User, kind: str) -> str:
    pending = [x for x in req.open_slots() if kind == "any" or x.kind == kind]
    if not pending:
        return (f"request #{req.id} has no pending {'signature' if kind == 'any' else kind}"
                f"{'' if kind == 'any' else 's'} left")
    roles = ", ".join(sorted({x.role.value for x in pending}))
    held = ", ".join(sorted({a.role.value for a in user.roles})) or "no role"
    return (f"the pending {'signatures' if kind == 'any' else kind + 's'} of request #{req.id} need the role(s) "
            f"{roles}; {user.login} holds {held}")


def _close(ws: "Workspace", s: Any, r: orm.ApprovalRequestRow, state: RequestState, by: str, reason: str) -> None:
    old = r.state
    r.state = state.value
    r.closed_at = utcnow()
    r.closed_by = by
    r.close_reason = reason
    ws._audit(s, by, f"approval.{state.value}", "approval_request", r.id, model_id=r.model_id,
              old={"state": old}, new={"state": state.value}, reason=reason)


def _execute(ws: "Workspace", s: Any, r: orm.ApprovalRequestRow, mrow: orm.RegisteredModelRow, by: str) -> None:
    """Carry out an approved request inside the signing transaction."""
    why = f"approval request #{r.id}"
    if r.kind == "alias":
        vrow = s.get(orm.ModelVersionRow, r.version_id)
        ws._apply_alias(s, mrow, r.alias, vrow, by, why)
        return
    if mrow.status != r.from_status:
        raise ConcurrentChangeError(
            f"model {mrow.name!r} moved from {r.from_status} to {mrow.status} since request #{r.id} was submitted; "
            "withdraw it and submit a new one")
    ws._apply_status(s, mrow, LifecycleStatus(r.to_status), by, why)


def withdraw(ws: "Workspace", request_id: int, *, by: User, reason: str) -> ApprovalRequest:
    """Withdraw an open request: its submitter or an Admin.  Audited."""
    from console.services import governance

    reason = _reason(reason, "withdrawing a request")
    with ws._session() as s:
        r = s.get(orm.ApprovalRequestRow, int(request_id))
        if r is None:
            raise NotFoundError(f"no approval request #{request_id} in workspace {ws.label}")
        submitter, model_id = r.submitted_by, r.model_id
        admin = governance._is_admin(s, by.id)
    if by.login != submitter and not admin:
        raise _refuse(ws, by.login, request_id, model_id, "withdraw request",
                      f"only the submitter ({submitter}) or an Admin withdraws request #{request_id}")
    with ws._write() as s:
        r = _load_open(ws, s, request_id)
        if r.state != RequestState.OPEN.value:
            raise _not_open(r)
        _close(ws, s, r, RequestState.WITHDRAWN, by.login, reason)
        return _request(ws, s, r)


# ----------------------------------------------------------------------------- gate exceptions
def active_exception(ws: "Workspace", model: Union[int, str], gate: str,
                     now: Optional[datetime] = None) -> Optional[GateException]:
    """The latest unexpired exception for ``gate`` on ``model``, or None."""
    now = now or utcnow()
    with ws._session() as s:
        mid = ws._model_row(s, model).id
        row = s.scalar(select(orm.GateExceptionRow).where(
            orm.GateExceptionRow.model_id == mid, orm.GateExceptionRow.gate == gate,
            orm.GateExceptionRow.expires_at > now).order_by(orm.GateExceptionRow.expires_at.desc()).limit(1))
        return _exception(row) if row is not None else None


def _exception(row: orm.GateExceptionRow) -> GateException:
    return GateException(row.id, row.model_id, row.gate, row.reason, row.granted_by, row.printed_name,
                         row.granted_at, row.expires_at, row.signature_sha256)


def grant_gate_exception(ws: "Workspace", model: Union[int, str], *, gate: str, days: int, login: str,
                         password: str, reason: str) -> GateException:
    """A Model Risk Manager (global or for the model), re-authenticated, excepts
    ``model`` from ``gate`` for ``days`` (1–:data:`MAX_EXCEPTION_DAYS`) with a reason;
    the exception is sealed by a SHA-256 over its canonical JSON and audited."""
    from console.services import governance

    if gate not in EXCEPTION_GATES:
        raise InputError(f"gate {gate!r} cannot be excepted; exceptions exist for: {', '.join(EXCEPTION_GATES)}")
    if not isinstance(days, int) or not 1 <= days <= MAX_EXCEPTION_DAYS:
        raise InputError(f"an exception lasts 1 to {MAX_EXCEPTION_DAYS} days, not {days!r}")
    reason = _reason(reason, "a gate exception")
    user = governance.get_user(ws, governance.authenticate(ws, login, password).login)
    with ws._session() as s:
        m = ws._model_row(s, model)
        mid, name = m.id, m.name
    if not user.has_role(Role.MODEL_RISK_MANAGER, mid):
        raise _refuse(ws, user.login, "-", mid, f"grant {gate} exception",
                      f"only a Model Risk Manager grants gate exceptions; {user.login} is not one")
    now = utcnow()
    until = now + timedelta(days=days)
    doc = {"model_id": mid, "model": name, "gate": gate, "reason": reason, "granted_by": user.login,
           "printed_name": user.display_name, "granted_at": now.isoformat(timespec="microseconds"),
           "expires_at": until.isoformat(timespec="microseconds")}
    with ws._write() as s:
        row = orm.GateExceptionRow(model_id=mid, gate=gate, reason=reason, granted_by=user.login,
                                   printed_name=user.display_name, granted_at=now, expires_at=until,
                                   signature_sha256=canonical_sha256(doc))
        s.add(row)
        s.flush()
        ws._audit(s, user.login, "gate.exception_granted", "gate_exception", row.id, model_id=mid,
                  new={**doc, "signature_sha256": row.signature_sha256}, reason=reason)
        return _exception(row)


# ----------------------------------------------------------------------------- inbox
def inbox(ws: "Workspace", user: User, *, unread_only: bool = False, limit: int = 500) -> list[Notification]:
    """``user``'s notifications, newest first."""
    with ws._session() as s:
        q = (select(orm.NotificationRow).where(orm.NotificationRow.user_id == user.id)
             .order_by(orm.NotificationRow.id.desc()).limit(limit))
        if unread_only:
            q = q.where(orm.NotificationRow.read_at.is_(None))
        return [Notification(r.id, r.created_at, r.text, r.request_id, r.model_id, r.read_at) for r in s.scalars(q)]


def mark_read(ws: "Workspace", user: User, ids: Optional[Sequence[int]] = None) -> int:
    """Mark ``ids`` (default: all) of ``user``'s notifications read; returns how many."""
    with ws._write() as s:
        q = select(orm.NotificationRow).where(orm.NotificationRow.user_id == user.id,
                                              orm.NotificationRow.read_at.is_(None))
        if ids is not None:
            q = q.where(orm.NotificationRow.id.in_(list(ids)))
        rows = list(s.scalars(q))
        now = utcnow()
        for r in rows:
            r.read_at = now
        return len(rows)
