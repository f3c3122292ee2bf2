"""People, roles and RACI templates of a workspace (issue 5, "People and roles",
"RACI matrix").  Called through thin :class:`console.services.workspace.Workspace`
methods; rules and the default template live in :mod:`console.domain.governance`.

* Users: the first user of a workspace may be created without an acting user and
  becomes Admin (global); afterwards only an active Admin (``by``, a :class:`User`
  returned by :func:`authenticate`) creates users, assigns and revokes roles and saves
  RACI templates.  Admin rights are re-read inside the write transaction.  A refusal
  raises :class:`PermissionDenied` after writing a ``permission.refused`` audit event.
* Passwords: scrypt (:mod:`console.services.passwords`); never stored, logged or put in
  an audit event.  :func:`authenticate` raises :class:`AuthError` after writing a
  ``user.login_failed`` audit event (the attempted login as actor, stored as a
  pseudonymous ref like every person in the audit trail).
* RACI: templates are versioned per scope (``default``, ``tier:N``, ``model:ID``); the
  newest version is current and older ones are kept.  A model's effective template is
  its model override, else its tier's override, else the default, resolved for the
  model's risk tier (:func:`console.domain.governance.raci_for_tier`).

Every change appends its audit event in the same write transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

from sqlalchemy import func, select

from console.domain.governance import (
    LifecycleTask,
    MatrixError,
    RaciEntry,
    RaciTemplate,
    Role,
    RoleAssignment,
    User,
    parse_role,
    parse_scope,
    raci_for_tier,
    validate_matrix,
)
from console.errors import AuthError, InputError, NotFoundError, PermissionDenied
from console.services import passwords
from console.store import orm

if TYPE_CHECKING:
    from console.services.workspace import Workspace

LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


# ----------------------------------------------------------------------------- helpers
def _user(s: Any, row: orm.AppUserRow) -> User:
    rows = s.execute(
        select(orm.RoleAssignmentRow.role, orm.RoleAssignmentRow.model_id, orm.RegisteredModelRow.name)
        .outerjoin(orm.RegisteredModelRow, orm.RegisteredModelRow.id == orm.RoleAssignmentRow.model_id)
        .where(orm.RoleAssignmentRow.user_id == row.id)
        .order_by(orm.RoleAssignmentRow.id)
    ).all()
    roles = tuple(RoleAssignment(Role(r.role), r.model_id, r.name) for r in rows)
    return User(row.id, row.login, row.display_name, row.is_active, row.created_at, row.created_by, roles)


def _user_row(s: Any, login: str) -> Optional[orm.AppUserRow]:
    return s.scalar(select(orm.AppUserRow).where(orm.AppUserRow.login == login))


def _is_admin(s: Any, user_id: int) -> bool:
    row = s.get(orm.AppUserRow, user_id)
    if row is None or not row.is_active:
        return False
    return s.scalar(select(orm.RoleAssignmentRow.id).where(
        orm.RoleAssignmentRow.user_id == user_id, orm.RoleAssignmentRow.role == Role.ADMIN.value,
        orm.RoleAssignmentRow.model_id.is_(None)).limit(1)) is not None


def _active_admins(s: Any) -> int:
    return int(s.scalar(select(func.count()).select_from(orm.RoleAssignmentRow).join(
        orm.AppUserRow, orm.AppUserRow.id == orm.RoleAssignmentRow.user_id).where(
        orm.RoleAssignmentRow.role == Role.ADMIN.value, orm.RoleAssignmentRow.model_id.is_(None),
        orm.AppUserRow.is_active.is_(True))) or 0)


def _refuse(ws: "Workspace", by: Optional[User], action: str, rule: str) -> PermissionDenied:
    """Write the refusal audit event (own transaction) and return the error to raise."""
    actor = by.login if by is not None else "unknown"
    with ws._write() as s:
        ws._audit(s, actor, "permission.refused", "app_user", by.id if by else "-",
                  new={"action": action, "rule": rule, "user": actor})
    return PermissionDenied(f"refused: {rule}")


def require_admin(ws: "Workspace", by: Optional[User], action: str) -> None:
    if by is None:
        raise _refuse(ws, None, action, f"{action} needs an acting Admin (--user LOGIN)")
    with ws._session() as s:
        ok = _is_admin(s, by.id)
    if not ok:
        raise _refuse(ws, by, action, f"only an active Admin may {action}; {by.login} is not one")


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < passwords.MIN_LENGTH:
        raise InputError(f"a password needs at least {passwords.MIN_LENGTH} characters")


def _role(role: Union[Role, str]) -> Role:
    if isinstance(role, Role):
        return role
    try:
        return parse_role(role)
    except ValueError as exc:
        raise InputError(str(exc)) from None


# ----------------------------------------------------------------------------- users
def user_count(ws: "Workspace") -> int:
    with ws._session() as s:
        return int(s.scalar(select(func.count()).select_from(orm.AppUserRow)) or 0)


def list_users(ws: "Workspace") -> list[User]:
    """Every user by login, with their role assignments."""
    with ws._session() as s:
        return [_user(s, r) for r in s.scalars(select(orm.AppUserRow).order_by(orm.AppUserRow.login))]


def get_user(ws: "Workspace", login: str) -> User:
    """Raises :class:`NotFoundError`."""
    with ws._session() as s:
        row = _user_row(s, login)
        if row is None:
            raise NotFoundError(f"no user {login!r} in workspace {ws.label} (see `tollgate users list`)")
        return _user(s, row)


def create_user(ws: "Workspace", login: str, display_name: str, password: str, *,
                roles: Sequence[Union[Role, str]] = (), by: Optional[User] = None) -> User:
    """Create a user with global ``roles``.  With no users yet, ``by`` may be None and the
    new user becomes Admin; otherwise ``by`` must be an active Admin.  Raises
    :class:`InputError` (bad login/name/password, login taken), :class:`PermissionDenied`."""
    login = (login or "").strip()
    display_name = " ".join((display_name or "").split())
    if not LOGIN_RE.match(login):
        raise InputError(f"login {login!r} must be 1-100 characters: letters, digits and . _ @ - "
                         "(starting with a letter or digit)")
    if not display_name or len(display_name) > 200:
        raise InputError("a user needs a display name (--name), at most 200 characters")
    _check_password(password)
    wanted = list(dict.fromkeys(_role(r) for r in roles))
    hashed = passwords.hash_password(password)  # slow part outside the write lock
    refused: Optional[str] = None
    with ws._write() as s:
        first = s.scalar(select(func.count()).select_from(orm.AppUserRow)) == 0
        if not first and (by is None or not _is_admin(s, by.id)):
            refused = (f"only an active Admin may add users; {by.login} is not one" if by is not None
                       else "adding a user needs an acting Admin (--user LOGIN)")
        elif _user_row(s, login) is not None:
            raise InputError(f"login {login!r} is already taken in workspace {ws.label}")
        else:
            if first and Role.ADMIN not in wanted:
                wanted.insert(0, Role.ADMIN)
            row = orm.AppUserRow(login=login, display_name=display_name, password_hash=hashed, is_active=True,
                                 created_by=None if first else by.login)  # type: ignore[union-attr]
            s.add(row)
            s.flush()
            for role in wanted:
                s.add(orm.RoleAssignmentRow(user_id=row.id, role=role.value, model_id=None))
            s.flush()
            actor = login if first else by.login  # type: ignore[union-attr]
            ws._audit(s, actor, "user.created", "app_user", row.id,
                      new={"login": login, "display_name": display_name, "roles": [r.value for r in wanted],
                           "first_user": first})
            return _user(s, row)
    raise _refuse(ws, by, "add users", refused)


def set_password(ws: "Workspace", login: str, password: str, *, by: User) -> None:
    """Set ``login``'s password: the user themself or an Admin.  Audited
    (``user.password_changed``, without the password)."""
    _check_password(password)
    if by.login != login:
        require_admin(ws, by, "set another user's password")
    hashed = passwords.hash_password(password)
    with ws._write() as s:
        row = _user_row(s, login)
        if row is None:
            raise NotFoundError(f"no user {login!r} in workspace {ws.label}")
        row.password_hash = hashed
        ws._audit(s, by.login, "user.password_changed", "app_user", row.id, new={"login": login})


def authenticate(ws: "Workspace", login: str, password: str) -> User:
    """The active user ``login`` if ``password`` is theirs; otherwise write a
    ``user.login_failed`` audit event and raise :class:`AuthError` (same message and
    about the same time for an unknown login, a wrong password or an inactive user)."""
    with ws._session() as s:
        row = _user_row(s, login)
        if row is None:
            passwords.dummy_verify(password)
            why = "unknown login"
        elif not passwords.verify_password(password, row.password_hash):
            why = "wrong password"
        elif not row.is_active:
            why = "inactive user"
        else:
            return _user(s, row)
        uid = row.id if row is not None else "-"
    with ws._write() as s:
        ws._audit(s, login or "unknown", "user.login_failed", "app_user", uid,
                  new={"login": login, "cause": why})
    raise AuthError(f"sign-in failed for {login!r}: unknown login or wrong password "
                    "(the attempt was recorded in the audit trail)")


def _assignment(ws: "Workspace", s: Any, login: str, r: Role, model: Union[int, str, None]):
    """``(user row, model row or None, the role assignment row or None)`` for ``login``
    having ``r`` globally (``model`` None) or for ``model``; NotFoundError for an unknown
    user or model."""
    row = _user_row(s, login)
    if row is None:
        raise NotFoundError(f"no user {login!r} in workspace {ws.label}")
    m = ws._model_row(s, model) if model is not None else None
    cond = (orm.RoleAssignmentRow.model_id.is_(None) if m is None
            else orm.RoleAssignmentRow.model_id == m.id)
    ra = s.scalar(select(orm.RoleAssignmentRow).where(
        orm.RoleAssignmentRow.user_id == row.id, orm.RoleAssignmentRow.role == r.value, cond))
    return row, m, ra


def assign_role(ws: "Workspace", login: str, role: Union[Role, str], *, model: Union[int, str, None] = None,
                by: User) -> bool:
    """Give ``login`` the ``role`` globally (``model`` None) or for one model (id or
    name).  Admin only; Admin itself is global only.  Returns False (nothing written)
    when the user already has exactly that assignment."""
    r = _role(role)
    if r == Role.ADMIN and model is not None:
        raise InputError("the Admin role is global; assign it without a model")
    require_admin(ws, by, "assign roles")
    with ws._write() as s:
        row, m, ra = _assignment(ws, s, login, r, model)
        mid = m.id if m is not None else None
        if ra is not None:
            return False
        s.add(orm.RoleAssignmentRow(user_id=row.id, role=r.value, model_id=mid))
        ws._audit(s, by.login, "role.assigned", "app_user", row.id, model_id=mid,
                  new={"login": login, "role": r.value, "model": m.name if m is not None else None})
        return True


def revoke_role(ws: "Workspace", login: str, role: Union[Role, str], *, model: Union[int, str, None] = None,
                by: User) -> bool:
    """Remove that assignment (Admin only); False when there was none.  The last active
    global Admin cannot be revoked (the workspace would become unmanageable)."""
    r = _role(role)
    require_admin(ws, by, "revoke roles")
    with ws._write() as s:
        row, m, ra = _assignment(ws, s, login, r, model)
        mid = m.id if m is not None else None
        if ra is None:
            return False
        if r == Role.ADMIN:
            if _active_admins(s) <= 1:
                raise InputError(f"{login!r} is the last Admin of the workspace; make someone else Admin first")
        s.delete(ra)
        ws._audit(s, by.login, "role.revoked", "app_user", row.id, model_id=mid,
                  old={"login": login, "role": r.value, "model": m.name if m is not None else None})
        return True


# ----------------------------------------------------------------------------- RACI
def _template(row: orm.RaciTemplateRow) -> RaciTemplate:
    return RaciTemplate(row.scope, row.version, dict(row.matrix), row.created_at, row.created_by, row.reason)


def _current_row(s: Any, scope: str) -> Optional[orm.RaciTemplateRow]:
    return s.scalar(select(orm.RaciTemplateRow).where(orm.RaciTemplateRow.scope == scope)
                    .order_by(orm.RaciTemplateRow.version.desc()).limit(1))


def _norm_scope(scope: str) -> str:
    try:
        kind, n = parse_scope(scope)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return kind if n is None else f"{kind}:{n}"


def current_raci(ws: "Workspace", scope: str = "default") -> Optional[RaciTemplate]:
    """The newest version for ``scope``, or None when the scope has no override."""
    scope = _norm_scope(scope)
    with ws._session() as s:
        row = _current_row(s, scope)
        return _template(row) if row is not None else None


def raci_history(ws: "Workspace", scope: str = "default") -> list[RaciTemplate]:
    """Every stored version for ``scope``, oldest first."""
    scope = _norm_scope(scope)
    with ws._session() as s:
        return [_template(r) for r in s.scalars(select(orm.RaciTemplateRow).where(
            orm.RaciTemplateRow.scope == scope).order_by(orm.RaciTemplateRow.version))]


def save_raci(ws: "Workspace", scope: str, matrix: Mapping[str, Any], reason: str, *, by: User) -> RaciTemplate:
    """Validate ``matrix`` and store it as the next version of ``scope`` (Admin only).
    Audit event ``raci.saved`` with old → new version and matrix.  Raises
    :class:`InputError` (invalid matrix naming the task, bad scope, empty reason),
    :class:`NotFoundError` (unknown model), :class:`PermissionDenied`."""
    scope = _norm_scope(scope)
    if not reason or not reason.strip():
        raise InputError("a RACI change needs a reason")
    try:
        validate_matrix(matrix)
    except MatrixError as exc:
        raise InputError(f"RACI matrix not saved: {exc}") from None
    require_admin(ws, by, "edit RACI templates")
    kind, n = parse_scope(scope)
    with ws._write() as s:
        model_id = ws._model_row(s, n).id if kind == "model" else None  # type: ignore[arg-type]
        prev = _current_row(s, scope)
        version = (prev.version if prev is not None else 0) + 1
        row = orm.RaciTemplateRow(scope=scope, version=version, matrix=dict(matrix), created_by=by.login,
                                  reason=reason.strip())
        s.add(row)
        s.flush()
        ws._audit(s, by.login, "raci.saved", "raci_template", scope, model_id=model_id,
                  old={"version": prev.version, "matrix": prev.matrix} if prev is not None else None,
                  new={"version": version, "matrix": dict(matrix)}, reason=reason.strip())
        return _template(row)


def effective_raci(ws: "Workspace", model: Union[int, str]) -> tuple[RaciTemplate, int]:
    """The template governing ``model`` (model override > tier override > default) and
    the model's risk tier."""
    with ws._session() as s:
        m = ws._model_row(s, model)
        for scope in (f"model:{m.id}", f"tier:{m.risk_tier}", "default"):
            row = _current_row(s, scope)
            if row is not None:
                return _template(row), m.risk_tier
    raise NotFoundError(f"workspace {ws.label} has no default RACI template (migration 0004 missing?)")


def raci_for_model(ws: "Workspace", model: Union[int, str]) -> list[RaciEntry]:
    """The effective matrix of ``model`` resolved for its tier: one entry per non-empty
    cell, in task order then the template's role order, with the active users holding
    the role globally or for this model (sorted by display name)."""
    template, tier = effective_raci(ws, model)
    resolved = raci_for_tier(template.matrix, tier)
    with ws._session() as s:
        mid = ws._model_row(s, model).id
        rows = s.execute(
            select(orm.RoleAssignmentRow.role, orm.AppUserRow)
            .join(orm.AppUserRow, orm.AppUserRow.id == orm.RoleAssignmentRow.user_id)
            .where(orm.AppUserRow.is_active.is_(True),
                   (orm.RoleAssignmentRow.model_id.is_(None)) | (orm.RoleAssignmentRow.model_id == mid))
        ).all()
        people: dict[str, dict[int, User]] = {}
        for role, urow in rows:
            people.setdefault(role, {}).setdefault(urow.id, _user(s, urow))
    out = []
    for task in LifecycleTask:
        for role_name, letters in resolved.get(task.value, {}).items():
            users = sorted(people.get(role_name, {}).values(), key=lambda u: (u.display_name.casefold(), u.login))
            out.append(RaciEntry(task, Role(role_name), letters, tuple(users)))
    return out


# ----------------------------------------------------------------------------- risk tiering
#: Roles that may assess a model's risk tier.
TIER_ASSESSORS = (Role.MODEL_RISK_MANAGER, Role.BUSINESS_OWNER, Role.ADMIN)


@dataclass(frozen=True)
class TierAssessment:
    """A stored tier questionnaire (:mod:`console.domain.tiering`)."""

    id: int
    model_id: int
    answers: dict
    rule_version: int
    computed_tier: int
    final_tier: int
    override_reason: Optional[str]
    assessed_by: str
    printed_name: str
    assessed_at: Any
    signature_sha256: Optional[str]

    def to_json(self) -> dict[str, Any]:
        return {"answers": self.answers, "rule_version": self.rule_version, "computed_tier": self.computed_tier,
                "final_tier": self.final_tier, "override_reason": self.override_reason,
                "assessed_by": self.assessed_by, "printed_name": self.printed_name,
                "assessed_at": self.assessed_at.isoformat() if self.assessed_at else None,
                "signature_sha256": self.signature_sha256}


def _assessment(r: orm.TierAssessmentRow) -> TierAssessment:
    return TierAssessment(r.id, r.model_id, dict(r.answers), r.rule_version, r.computed_tier, r.final_tier,
                          r.override_reason, r.assessed_by, r.printed_name, r.assessed_at, r.signature_sha256)


def assess_tier(ws: "Workspace", model: Union[int, str], answers: Mapping[str, Any], *, login: str, password: str,
                override_tier: Optional[int] = None, reason: str = "") -> TierAssessment:
    """Record a tier questionnaire for ``model`` and set its risk tier: the computed tier,
    or ``override_tier`` with a ``reason``.  The assessor (a Model Risk Manager,
    Business Owner or Admin) re-authenticates: the record is signed (SHA-256 over its
    canonical JSON).  Audited as ``tier.assessed`` (and ``model.tier_changed``).
    Raises :class:`InputError` (bad answers, override without reason),
    :class:`AuthError`, :class:`PermissionDenied`."""
    from datetime import datetime, timezone

    from console.domain import tiering
    from console.domain.approvals import canonical_sha256, utc_text

    try:
        result = tiering.assess(answers)
        stored = tiering.normalised(answers)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    reason = " ".join((reason or "").split())
    if override_tier is not None:
        if override_tier not in (1, 2, 3):
            raise InputError(f"--override-tier must be 1, 2 or 3, not {override_tier!r}")
        if override_tier != result.tier and not reason:
            raise InputError(f"overriding the computed tier {result.tier} with {override_tier} needs a reason")
    final = override_tier if override_tier is not None else result.tier
    user = get_user(ws, authenticate(ws, login, password).login)
    with ws._session() as s:
        mid = ws._model_row(s, model).id
    if not any(user.has_role(r, mid) for r in TIER_ASSESSORS):
        raise _refuse(ws, user, "assess risk tiers",
                      "only a Model Risk Manager, Business Owner or Admin assesses risk tiers; "
                      f"{user.login} is none of these")
    now = datetime.now(timezone.utc)
    with ws._write() as s:
        m = ws._lock_model(s, mid)
        doc = {"model_id": mid, "model": m.name, "answers": stored, "rule_version": result.rule_version,
               "computed_tier": result.tier, "final_tier": final,
               "override_reason": reason if final != result.tier else None, "assessed_by": user.login,
               "printed_name": user.display_name, "assessed_at": utc_text(now)}
        row = orm.TierAssessmentRow(model_id=mid, answers=stored, rule_version=result.rule_version,
                                    computed_tier=result.tier, final_tier=final,
                                    override_reason=doc["override_reason"], assessed_by=user.login,
                                    printed_name=user.display_name, assessed_at=now,
                                    signature_sha256=canonical_sha256(doc))
        s.add(row)
        s.flush()
        ws._audit(s, user.login, "tier.assessed", "tier_assessment", row.id, model_id=mid,
                  new={**doc, "explanation": result.explanation, "signature_sha256": row.signature_sha256},
                  reason=reason)
        if m.risk_tier != final:
            old = m.risk_tier
            m.risk_tier = final
            m.updated_by = user.login
            ws._audit(s, user.login, "model.tier_changed", "registered_model", mid, model_id=mid,
                      old={"risk_tier": old}, new={"risk_tier": final},
                      reason=reason or f"tier questionnaire: {result.explanation}")
        return _assessment(row)


def tier_assessments(ws: "Workspace", model: Union[int, str]) -> list[TierAssessment]:
    """The model's tier assessments, newest first."""
    with ws._session() as s:
        mid = ws._model_row(s, model).id
        return [_assessment(r) for r in s.scalars(select(orm.TierAssessmentRow).where(
            orm.TierAssessmentRow.model_id == mid).order_by(orm.TierAssessmentRow.id.desc()))]


def deactivate_user(ws: "Workspace", login: str, *, by: User, reason: str) -> None:
    """Deactivate ``login`` (Admin only; not oneself, not the last Admin): they can no
    longer sign in or sign, and leave every queue; history keeps their name."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InputError("deactivating a user needs a reason")
    if by.login == login:
        raise InputError("you cannot deactivate yourself; ask another Admin")
    require_admin(ws, by, "deactivate users")
    with ws._write() as s:
        row = _user_row(s, login)
        if row is None:
            raise NotFoundError(f"no user {login!r} in workspace {ws.label}")
        if not row.is_active:
            return
        if _is_admin(s, row.id):
            if _active_admins(s) <= 1:
                raise InputError(f"{login!r} is the last active Admin; make someone else Admin first")
        row.is_active = False
        ws._audit(s, by.login, "user.deactivated", "app_user", row.id, old={"active": True},
                  new={"login": login, "active": False}, reason=reason)
