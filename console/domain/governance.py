"""Governance rules: roles, lifecycle tasks, the RACI template and tier defaults.

Everything here is plain Python (no SQL, no Qt) and follows ``DESIGN.md`` ("Governance
defaults"), which adapts an MLOps playbook's RACI matrix with a Model Risk Manager column.

RACI matrix (JSON-compatible, stored as a versioned ``raci_template`` row)::

    {"<task name>": {"<role name>": CELL, ...}, ...}

Task and role names are the exact :class:`LifecycleTask` / :class:`Role` values.  A
CELL is either a letter string or, where the letters depend on the model's risk tier,
an object ``{"1": letters, "2": letters, "3": letters}``.  Letters are ``/``-joined
from ``R`` (Responsible: submits), ``A`` (Accountable: signs), ``C`` (Consulted:
records a review), ``I`` (Informed: notified) and ``S`` (signs too: an additional
required signature, e.g. the Model Risk Manager on tier-1 deployments); ``""`` or a
missing role means no involvement (the table's "—").  :func:`raci_for_tier` resolves a
template for one tier; :func:`validate_matrix` checks it for every tier.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from console.domain.models import LifecycleStatus

__all__ = [
    "Role",
    "LifecycleTask",
    "TRANSITION_TASK",
    "ALIAS_TASK",
    "LETTERS",
    "DEFAULT_RACI",
    "TIERS",
    "TierPolicy",
    "TIER_POLICIES",
    "add_months",
    "revalidation_due",
    "MatrixError",
    "parse_role",
    "letters_of",
    "raci_for_tier",
    "validate_matrix",
    "parse_scope",
    "User",
    "RoleAssignment",
    "RaciTemplate",
    "RaciEntry",
]


class Role(str, enum.Enum):
    """The nine workspace roles (DESIGN.md): the playbook's six, Model Risk Manager
    (independent validation, four-eyes), Auditor (read-only) and Admin (users, roles,
    templates).  The value is the exact display name, also used in stored matrices."""

    BUSINESS_OWNER = "Business Owner"
    SME = "Subject Matter Expert (SME)"
    DATA_ENGINEER = "Data Engineer"
    DATA_SCIENTIST = "Data Scientist"
    ML_ENGINEER = "ML Engineer/Architect"
    DEVOPS_ENGINEER = "DevOps Engineer"
    MODEL_RISK_MANAGER = "Model Risk Manager"
    AUDITOR = "Auditor"
    ADMIN = "Admin"


class LifecycleTask(str, enum.Enum):
    """The nine lifecycle tasks of the RACI template (DESIGN.md, exact names)."""

    BUSINESS_REQUIREMENTS = "Define business requirements"
    DATA_COLLECTION = "Data collection & ingestion"
    DATA_ANALYSIS = "Data analysis & ingestion"
    DATA_MODEL = "Data model & storage"
    DATA_VALIDATION = "Data validation & preparation"
    MODEL_DEVELOPMENT = "Model development"
    MODEL_VALIDATION = "Model validation & selection"
    MODEL_EVALUATION = "Model evaluation & hypercare"
    DEPLOYMENT = "ML system validation & deployment"


_S = LifecycleStatus
#: Which task governs which lifecycle transition (DESIGN.md): ``(from, to) -> task``.
TRANSITION_TASK: dict[tuple[LifecycleStatus, LifecycleStatus], LifecycleTask] = {
    (_S.DEVELOPMENT, _S.VALIDATION): LifecycleTask.MODEL_DEVELOPMENT,
    (_S.VALIDATION, _S.APPROVED): LifecycleTask.MODEL_VALIDATION,
    (_S.APPROVED, _S.PRODUCTION): LifecycleTask.DEPLOYMENT,
    (_S.PRODUCTION, _S.RETIRED): LifecycleTask.MODEL_EVALUATION,
}
#: Moving a Tollgate alias is governed like validation → approved (DESIGN.md).
ALIAS_TASK: dict[str, LifecycleTask] = {"champion": LifecycleTask.MODEL_VALIDATION}

#: Allowed RACI letters (see the module docstring; ``S`` = signs too).
LETTERS = ("R", "A", "C", "I", "S")
#: Risk tiers, 1 = highest.
TIERS = (1, 2, 3)

_T, _R = LifecycleTask, Role
_BO, _SME, _DE, _DS, _ML, _DO, _MRM = (
    _R.BUSINESS_OWNER.value, _R.SME.value, _R.DATA_ENGINEER.value, _R.DATA_SCIENTIST.value,
    _R.ML_ENGINEER.value, _R.DEVOPS_ENGINEER.value, _R.MODEL_RISK_MANAGER.value,
)

#: The default RACI template, exactly DESIGN.md's table ("—" cells are omitted).
#: Tier-dependent cells: Data Scientist on *Model validation & selection* "R (A in tier
#: 3)"; Model Risk Manager there "A in tiers 1–2, else C"; Model Risk Manager on *ML
#: system validation & deployment* "C (tier 1: signs too)" (``C/S`` in tier 1).
DEFAULT_RACI: dict[str, dict[str, Any]] = {
    _T.BUSINESS_REQUIREMENTS.value: {_BO: "R", _SME: "A", _DE: "I", _DS: "I", _ML: "I", _DO: "I", _MRM: "I"},
    _T.DATA_COLLECTION.value: {_BO: "I", _SME: "C", _DE: "R/A", _DS: "C", _ML: "I", _DO: "I"},
    _T.DATA_ANALYSIS.value: {_BO: "I", _SME: "C", _DE: "R/A", _DS: "C", _ML: "I", _DO: "I"},
    _T.DATA_MODEL.value: {_BO: "I", _SME: "C", _DE: "R/A", _DS: "C", _ML: "I", _DO: "I"},
    _T.DATA_VALIDATION.value: {_SME: "I", _DE: "C", _DS: "R/A", _ML: "I", _DO: "I"},
    _T.MODEL_DEVELOPMENT.value: {_SME: "I", _DE: "C", _DS: "R/A", _ML: "I", _DO: "I", _MRM: "I"},
    _T.MODEL_VALIDATION.value: {
        _SME: "I", _DE: "C", _DS: {"1": "R", "2": "R", "3": "R/A"}, _ML: "I", _DO: "I",
        _MRM: {"1": "A", "2": "A", "3": "C"},
    },
    _T.MODEL_EVALUATION.value: {_SME: "I", _DE: "I", _DS: "C", _ML: "R/A", _DO: "C", _MRM: "C"},
    _T.DEPLOYMENT.value: {
        _SME: "I", _DE: "I", _DS: "C", _ML: "C", _DO: "R/A", _MRM: {"1": "C/S", "2": "C", "3": "C"},
    },
}


@dataclass(frozen=True)
class TierPolicy:
    """Defaults of one risk tier (DESIGN.md; editable per workspace later).

    ``blocking_families``: validation check families whose failure blocks approval;
    ``None`` means all families.  ``finding_severity``: severity of the finding opened
    for a failed blocking check.  Business days exclude Saturdays and Sundays.
    """

    tier: int
    meaning: str
    revalidation_months: int
    approval_sla_business_days: int
    blocking_families: Optional[frozenset[str]]
    finding_severity: str

    def is_blocking(self, family: str) -> bool:
        return self.blocking_families is None or family in self.blocking_families


#: DESIGN.md tier defaults (the playbook's criticality levels).
TIER_POLICIES: dict[int, TierPolicy] = {
    1: TierPolicy(1, "operational; decisions about people or money; cannot suffer outages", 12, 5, None, "high"),
    2: TierPolicy(2, "scheduled, monitored", 24, 10,
                  frozenset({"data", "performance", "fairness", "loading"}), "medium"),
    3: TierPolicy(3, "ad-hoc / self-service", 36, 15, frozenset({"data", "loading"}), "low"),
}


def add_months(t: Any, months: int) -> Any:
    """``t`` (a datetime) plus calendar ``months``; the day is clipped to the month's end
    (31 Jan + 1 month = 28/29 Feb)."""
    y, m = divmod(t.month - 1 + months, 12)
    for day in (t.day, 30, 29, 28):
        try:
            return t.replace(year=t.year + y, month=m + 1, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def revalidation_due(validated_at: Any, tier: int) -> Any:
    """When a model validated at ``validated_at`` must be validated again: its tier's
    revalidation interval later (DESIGN.md: 12 / 24 / 36 months)."""
    return add_months(validated_at, TIER_POLICIES[tier].revalidation_months)


class MatrixError(ValueError):
    """A RACI matrix breaks a rule; the message names the task (and tier)."""


def parse_role(text: str) -> Role:
    """A :class:`Role` from its display name or enum name, case-insensitive
    (``"Data Scientist"``, ``data_scientist``, ``SME``, ``mrm`` is not accepted).
    Raises :class:`ValueError` naming the valid roles."""
    key = " ".join(str(text).split()).casefold()
    for role in Role:
        if key in (role.value.casefold(), role.name.casefold(), role.name.replace("_", " ").casefold()):
            return role
    raise ValueError(f"unknown role {text!r}; roles: {', '.join(r.value for r in Role)}")


def letters_of(cell: Any) -> frozenset[str]:
    """The letters of one resolved cell (``"R/A"`` → ``{"R", "A"}``; ``""``/``"—"`` → empty).
    Raises :class:`MatrixError` for anything else."""
    if cell is None:
        return frozenset()
    if not isinstance(cell, str):
        raise MatrixError(f"cell {cell!r} is not a letter string")
    text = cell.strip()
    if text in ("", "-", "—"):
        return frozenset()
    parts = [p.strip().upper() for p in text.split("/")]
    bad = [p for p in parts if p not in LETTERS]
    if bad:
        raise MatrixError(f"cell {cell!r} has unknown letters {bad}; use {'/'.join(LETTERS)}")
    return frozenset(parts)


def _cell_for_tier(cell: Any, tier: int) -> Any:
    if isinstance(cell, Mapping):
        return cell.get(str(tier), cell.get(tier, ""))  # type: ignore[call-overload]
    return cell


def raci_for_tier(template: Mapping[str, Mapping[str, Any]], tier: int) -> dict[str, dict[str, str]]:
    """Resolve ``template`` for risk tier ``tier`` (1–3): ``{task: {role: letters}}``
    with letters normalised to the order R/A/C/I/S and empty cells dropped."""
    if tier not in TIERS:
        raise MatrixError(f"risk tier must be 1, 2 or 3, not {tier!r}")
    out: dict[str, dict[str, str]] = {}
    for task, row in template.items():
        cells: dict[str, str] = {}
        for role, cell in row.items():
            letters = letters_of(_cell_for_tier(cell, tier))
            if letters:
                cells[role] = "/".join(x for x in LETTERS if x in letters)
        out[task] = cells
    return out


def validate_matrix(matrix: Any) -> None:
    """Check a RACI template (see the module docstring) and raise :class:`MatrixError`
    naming the first bad task: every one of the nine tasks present, only known task and
    role names (Auditor and Admin take no RACI letters), only known letters, tier keys
    ``"1"``–``"3"`` in tier-dependent cells, and — for every tier — exactly one
    Accountable and at least one Responsible per task (DESIGN.md / issue 5)."""
    if not isinstance(matrix, Mapping):
        raise MatrixError("a RACI matrix is an object {task: {role: letters}}")
    tasks = {t.value for t in LifecycleTask}
    unknown = [t for t in matrix if t not in tasks]
    if unknown:
        raise MatrixError(f"unknown task {unknown[0]!r}; tasks: {', '.join(t.value for t in LifecycleTask)}")
    missing = [t.value for t in LifecycleTask if t.value not in matrix]
    if missing:
        raise MatrixError(f"task {missing[0]!r} is missing from the matrix (every task needs a row)")
    raci_roles = {r.value for r in Role} - {Role.AUDITOR.value, Role.ADMIN.value}
    for task in (t.value for t in LifecycleTask):
        row = matrix[task]
        if not isinstance(row, Mapping):
            raise MatrixError(f"task {task!r}: the row must be an object {{role: letters}}")
        for role, cell in row.items():
            if role not in raci_roles:
                raise MatrixError(f"task {task!r}: role {role!r} cannot take RACI letters "
                                  f"(roles: {', '.join(sorted(raci_roles))})")
            if isinstance(cell, Mapping):
                if set(map(str, cell)) - {"1", "2", "3"}:
                    raise MatrixError(f"task {task!r}, role {role!r}: tier keys must be \"1\", \"2\", \"3\"")
                for sub in cell.values():
                    _checked_letters(task, role, sub)
            else:
                _checked_letters(task, role, cell)
        tier_dependent = any(isinstance(c, Mapping) for c in row.values())
        for tier in TIERS:
            resolved = {role: letters_of(_cell_for_tier(c, tier)) for role, c in row.items()}
            where = f"task {task!r}" + (f" (tier {tier})" if tier_dependent else "")
            accountable = [r for r, ls in resolved.items() if "A" in ls]
            if len(accountable) != 1:
                named = f": {', '.join(accountable)}" if accountable else ""
                raise MatrixError(f"{where} needs exactly one Accountable, has {len(accountable)}{named}")
            if not any("R" in ls for ls in resolved.values()):
                raise MatrixError(f"{where} needs at least one Responsible, has none")


def _checked_letters(task: str, role: str, cell: Any) -> frozenset[str]:
    try:
        return letters_of(cell)
    except MatrixError as exc:
        raise MatrixError(f"task {task!r}, role {role!r}: {exc}") from None


def parse_scope(scope: str) -> tuple[str, Optional[int]]:
    """Split a template scope: ``"default"`` → ``("default", None)``; ``"tier:N"``
    (N = 1–3) → ``("tier", N)``; ``"model:ID"`` → ``("model", ID)``.  Raises
    :class:`ValueError` for anything else."""
    text = str(scope).strip()
    if text == "default":
        return "default", None
    kind, _, num = text.partition(":")
    if kind in ("tier", "model") and num.isdigit():
        n = int(num)
        if kind == "tier" and n not in TIERS:
            raise ValueError(f"scope {scope!r}: tiers are 1, 2 and 3")
        return kind, n
    raise ValueError(f"scope {scope!r} is not 'default', 'tier:N' or 'model:ID'")


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True)
class RoleAssignment:
    """One role of a user: global (``model_id`` None) or for one model."""

    role: Role
    model_id: Optional[int] = None
    model_name: Optional[str] = None


@dataclass(frozen=True)
class User:
    """A workspace user (never carries the password hash)."""

    id: int
    login: str
    display_name: str
    is_active: bool
    created_at: Any
    created_by: Optional[str]
    roles: tuple[RoleAssignment, ...] = ()

    def has_role(self, role: Role, model_id: Optional[int] = None) -> bool:
        """Global role, or the role for ``model_id``."""
        return any(a.role == role and (a.model_id is None or a.model_id == model_id) for a in self.roles)

    def to_json(self) -> dict[str, Any]:
        return {
            "login": self.login, "display_name": self.display_name, "active": self.is_active,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "roles": [{"role": a.role.value, "model": a.model_name} for a in self.roles],
        }


@dataclass(frozen=True)
class RaciTemplate:
    """One stored version of a RACI template for ``scope``."""

    scope: str
    version: int
    matrix: dict[str, Any]
    created_at: Any
    created_by: str
    reason: str


@dataclass(frozen=True)
class RaciEntry:
    """One non-empty cell of a model's effective RACI matrix, with the active users who
    hold ``role`` globally or for that model."""

    task: LifecycleTask
    role: Role
    letters: str
    users: tuple[User, ...]

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task.value, "role": self.role.value, "letters": self.letters,
                "people": [{"login": u.login, "display_name": u.display_name} for u in self.users]}
