"""Domain objects of a Tollgate workspace: plain, immutable-by-convention dataclasses.

These are what services hand to the CLI, the reports and the GUI (detached from any
database session, safe to pass between threads).  Vocabulary follows
``shared/DESIGN.md`` (glossary): registered model, model version, alias, risk tier,
lifecycle status, validation run / check, drift run / window, audit event.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional

__all__ = [
    "LifecycleStatus",
    "DriftStatus",
    "CheckStatus",
    "TaskType",
    "RegisteredModel",
    "ModelVersion",
    "Alias",
    "CheckResult",
    "ValidationRun",
    "DriftFeatureResult",
    "DriftWindow",
    "DriftRun",
    "AuditEvent",
    "ChainVerification",
    "ERASED_NAME",
    "PERSONAL_KEYS",
    "PERSON_REF_RE",
    "map_personal_values",
    "ModelSummary",
    "ModelDetail",
    "RegistrySource",
    "RegistryAlias",
    "SyncResult",
    "psi_status",
    "describe_event",
    "PSI_WARNING",
    "PSI_DRIFT",
]


class LifecycleStatus(str, enum.Enum):
    """Lifecycle status of a registered model (DESIGN.md glossary)."""

    DEVELOPMENT = "development"
    VALIDATION = "validation"
    APPROVED = "approved"
    PRODUCTION = "production"
    RETIRED = "retired"


class DriftStatus(str, enum.Enum):
    """PSI-based drift status (Siddiqi, *Credit Risk Scorecards*, 2006)."""

    STABLE = "stable"
    WARNING = "warning"
    DRIFT = "drift"


class CheckStatus(str, enum.Enum):
    """Outcome of one validation check."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"


class TaskType(str, enum.Enum):
    CLASSIFICATION = "classification"
    REGRESSION = "regression"
    #: A model pulled from a registry that did not say its task (no ``task`` tag): shown
    #: as "unknown" until an officer sets it; validation refuses it.
    UNKNOWN = "unknown"


#: PSI thresholds (Siddiqi 2006): < 0.1 stable, [0.1, 0.25) warning, >= 0.25 drift.
PSI_WARNING = 0.1
PSI_DRIFT = 0.25


def psi_status(psi: Optional[float]) -> Optional[DriftStatus]:
    """Map a PSI value to its :class:`DriftStatus`; ``None`` (not computable) -> ``None``.

    Thresholds: Siddiqi, *Credit Risk Scorecards* (Wiley, 2006): PSI < 0.1 stable,
    0.1 <= PSI < 0.25 warning, PSI >= 0.25 drift.
    """
    if psi is None or psi != psi:  # None or NaN
        return None
    if psi >= PSI_DRIFT:
        return DriftStatus.DRIFT
    if psi >= PSI_WARNING:
        return DriftStatus.WARNING
    return DriftStatus.STABLE


@dataclass(frozen=True)
class RegisteredModel:
    """A registered model: the governed unit of the inventory."""

    id: int
    name: str
    owner: str
    risk_tier: int  # 1 (highest) .. 3
    status: LifecycleStatus
    task: TaskType
    description: str = ""
    business_unit: str = ""
    use_case: str = ""
    intended_use: str = ""
    restrictions: str = ""
    source: str = "local"
    created_at: Optional[datetime] = None  # UTC
    updated_at: Optional[datetime] = None  # UTC
    #: Optimistic-locking counter and who changed the model last (console user): pass
    #: ``row_version`` back as ``expected_row_version`` to refuse acting on a stale read.
    row_version: int = 0
    updated_by: Optional[str] = None
    #: Registry mirror (pulled models): the registry source's id (``None`` for local
    #: models and for models whose registry was removed) and the server's tags.
    source_id: Optional[int] = None
    tags: dict[str, str] = field(default_factory=dict)
    #: Columns the fairness checks judge the model on (sex, race, age band...); they
    #: need not be model features (:func:`console.services.validation.set_protected_attributes`).
    protected_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelVersion:
    """One immutable version of a registered model.

    ``artifact_sha256`` is the SHA-256 (hex) of the skops bytes stored in the workspace;
    ``data_sha256`` the fingerprint of the training data (see
    :func:`console.fingerprint.dataframe_fingerprint`); ``training_schema`` maps each
    feature column to its pandas dtype name; ``holdout_sha256`` / ``reference_sha256``
    address the labelled holdout set and the drift reference data (Parquet blobs).

    A version pulled from a registry (``external_version`` set) has no artifact in the
    workspace (``artifact_sha256`` is ``None``) and an empty ``data_sha256``; its
    ``lineage`` is what the server said about the run that produced it: ``{"run":
    {...run info...}, "params": {...}, "metrics": {...}, "tags": {...}, "datasets":
    [{"name", "digest", "source_type", "source", "schema", "profile", "context"}],
    "registry": {"creation_timestamp", "status", "current_stage", "user_id", "run_link",
    "model_id"}}`` (``run`` etc. absent when the version names no run).
    ``deleted_on_server_at`` is set (UTC) once the server no longer lists it.
    """

    id: int
    model_id: int
    version: int
    framework: str
    artifact_sha256: Optional[str]
    data_sha256: str
    training_schema: dict[str, str]
    target_column: str
    holdout_sha256: Optional[str]
    reference_sha256: Optional[str]
    hyperparameters: dict[str, Any]
    metrics: dict[str, float]
    created_by: str
    created_at: datetime
    description: str = ""
    estimator_class: str = ""
    aliases: tuple[str, ...] = ()
    # Registry mirror (pulled versions only; ``None``/empty for local versions).
    external_version: Optional[str] = None
    run_id: Optional[str] = None
    source_uri: Optional[str] = None
    lineage: Optional[dict[str, Any]] = None
    tags: dict[str, str] = field(default_factory=dict)
    snapshot_sha256: Optional[str] = None
    synced_at: Optional[datetime] = None
    changed_on_server_at: Optional[datetime] = None
    deleted_on_server_at: Optional[datetime] = None
    #: The training data with its target as stored at registration (Parquet blob; ``None``
    #: for versions registered before schema 0007) and when it was extracted (UTC).
    training_sha256: Optional[str] = None
    training_data_at: Optional[datetime] = None
    #: ``"pickle"`` for a version registered from a trusted pickle/joblib file (then
    #: ``source_sha256`` is that file's SHA-256); ``None`` for a skops artifact.
    source_format: Optional[str] = None
    source_sha256: Optional[str] = None

    @property
    def pulled(self) -> bool:
        """True for a version mirrored from a remote registry."""
        return self.external_version is not None


@dataclass(frozen=True)
class Alias:
    model_id: int
    name: str
    version: int


@dataclass(frozen=True)
class RegistryAlias:
    """An alias as the remote registry has it (read-only mirror, labelled ``source``).

    ``broken`` when it points at a version missing or deleted on the server
    (``version`` is then the server's version string it pointed at, still shown);
    ``conflict`` is a sentence when Tollgate's own alias of the same name (e.g.
    ``champion``) points elsewhere, else ``None``.
    """

    name: str
    source: str
    external_version: str
    version: Optional[int]  # Tollgate's version number it maps to; None when broken
    broken: bool
    synced_at: Optional[datetime] = None
    conflict: Optional[str] = None


@dataclass(frozen=True)
class CheckResult:
    """Result of one validation check (``values`` is JSON-safe: no NaN/inf).

    ``description`` (plain language: what the check does), ``source`` (where its method
    or threshold comes from) and ``params`` (the parameters it ran with, e.g.
    thresholds) come from the check's :class:`console.validation.suite.CheckSpec` and
    the validation plan.  ``values`` follows the evidence convention of
    :mod:`console.validation.suite` (scalars, ``tables``, ``charts``, ``notes``).
    """

    id: str
    family: str
    title: str
    status: CheckStatus
    blocking: bool
    values: dict[str, Any] = field(default_factory=dict)
    reason: Optional[str] = None
    description: str = ""
    source: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "family": self.family,
            "title": self.title,
            "status": self.status.value,
            "blocking": self.blocking,
            "values": self.values,
            "reason": self.reason,
            "description": self.description,
            "source": self.source,
            "params": self.params,
        }


@dataclass(frozen=True)
class ValidationRun:
    """A stored validation run of one model version."""

    id: int
    model_id: int
    version_id: int
    version: int
    passed: bool
    started_at: datetime
    finished_at: datetime
    run_by: str
    data_label: str  # "holdout" or the file name validated on
    data_sha256: str
    n_rows: int
    checks: tuple[CheckResult, ...] = ()
    #: What the run used (see :func:`console.services.validation.run_validation`):
    #: ``artifact_sha256``, ``data_sha256``, ``data_blob_sha256``, ``training_sha256``,
    #: ``packages`` (name -> version), ``plan``, ``params`` (check id -> parameters),
    #: ``target``; older runs carry a ``note`` instead of the plan.
    fingerprints: dict[str, Any] = field(default_factory=dict)
    #: The id of the run this one re-ran, else ``None``.
    rerun_of: Optional[int] = None


@dataclass(frozen=True)
class DriftFeatureResult:
    """One column's drift result in one window: the CLI column object plus the
    reference/current distribution used to draw it (``distribution``:
    ``{"bins": [label, ...], "reference": [share, ...], "current": [share, ...]}``)."""

    name: str
    kind: str
    tested: bool
    psi: Optional[float]
    status: Optional[DriftStatus]
    is_target: bool
    result: dict[str, Any]
    distribution: Optional[dict[str, Any]] = None


@dataclass(frozen=True)
class DriftWindow:
    """One time window of a drift run, compared against the version's reference."""

    id: int
    index: int
    label: str
    start: Optional[str]
    end: Optional[str]
    n_rows: int
    dataset_drift: bool
    n_tested: int
    n_drifted: int
    status: Optional[DriftStatus]  # worst feature status (target excluded)
    features: tuple[DriftFeatureResult, ...] = ()


@dataclass(frozen=True)
class DriftRun:
    id: int
    model_id: int
    version_id: int
    version: int
    created_at: datetime
    created_by: str
    label: str
    reference_sha256: str
    windows: tuple[DriftWindow, ...] = ()


@dataclass(frozen=True)
class AuditEvent:
    """One append-only audit event (who, when UTC, what, old -> new, reason)."""

    seq: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    old: Optional[dict[str, Any]]
    new: Optional[dict[str, Any]]
    reason: str = ""
    db_user: Optional[str] = None  # PostgreSQL's current_user that wrote it; None on SQLite
    #: Audit hash chain (see :mod:`console.services.audit`): the pseudonymous person ref
    #: of the actor as chained, this event's SHA-256 and the previous event's.  ``actor``,
    #: ``db_user`` and person values in ``old``/``new`` are shown resolved to display
    #: names (or :data:`ERASED_NAME` after a GDPR erasure).
    actor_ref: Optional[str] = None
    hash: Optional[str] = None
    prev_hash: Optional[str] = None
    #: The registered model the event concerns (``None`` for workspace-level events).
    model_id: Optional[int] = None


#: Shown instead of a person's name once it was erased (GDPR Art. 17).
ERASED_NAME = "[erased]"

#: Keys of ``old``/``new`` audit values that name a person (at any nesting depth).  Their
#: string values (or lists of strings) are replaced by pseudonymous person refs before
#: an event is chained, so an erasure never touches a chained byte.
PERSONAL_KEYS = frozenset({
    "actor", "owner", "created_by", "updated_by", "run_by", "username", "user", "login",
    "display_name", "printed_name", "author", "submitter", "submitted_by", "signer",
    "signed_by", "reviewer", "reviewed_by", "approver", "approved_by", "erased_by", "db_user",
})

#: A pseudonymous person ref: ``psn_`` and 24 lowercase hex digits (96 random bits).
PERSON_REF_RE = re.compile(r"^psn_[0-9a-f]{24}$")


def map_personal_values(obj: Any, fn: Any) -> Any:
    """A copy of the JSON value ``obj`` with every string under a :data:`PERSONAL_KEYS`
    key (directly or in a list under such a key, in dicts at any depth) replaced by
    ``fn(string)``; other values are returned unchanged."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k in PERSONAL_KEYS:
                if isinstance(v, str):
                    v = fn(v)
                elif isinstance(v, list):
                    v = [fn(x) if isinstance(x, str) else map_personal_values(x, fn) for x in v]
                else:
                    v = map_personal_values(v, fn)
            else:
                v = map_personal_values(v, fn)
            out[k] = v
        return out
    if isinstance(obj, list):
        return [map_personal_values(x, fn) for x in obj]
    return obj


@dataclass(frozen=True)
class ChainVerification:
    """The result of checking the audit hash chain (``tollgate audit verify``).

    ``intact``: every event matches its hash and links to the previous one (and, when an
    expected head was given, that head is in the chain).  ``events``: rows in the audit
    table.  ``head_hash``: the stored hash of the newest event (the genesis value, 64
    zeros, when there is none).  ``first_bad_seq``: the first sequence number found bad
    (``None`` when intact); ``reason``: why, in one sentence (``None`` when intact).
    ``first_seq``/``last_seq``: the range of sequence numbers present.
    """

    intact: bool
    events: int
    head_hash: str
    first_bad_seq: Optional[int] = None
    reason: Optional[str] = None
    first_seq: Optional[int] = None
    last_seq: Optional[int] = None
    expected_head: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        """The ``audit verify --json`` object (DESIGN.md CLI contract)."""
        return {"intact": self.intact, "events": self.events, "head_hash": self.head_hash,
                "first_bad_seq": self.first_bad_seq, "reason": self.reason}


@dataclass(frozen=True)
class ModelSummary:
    """One inventory row (also the ``models list --json`` object)."""

    id: int
    name: str
    owner: str
    risk_tier: int
    status: LifecycleStatus
    versions: int
    champion_version: Optional[str]
    source: str
    drift_status: Optional[DriftStatus]
    last_validation: Optional[str]  # "pass" | "fail" | None
    last_validation_at: Optional[datetime]
    updated_at: Optional[datetime] = None
    row_version: int = 0  # see RegisteredModel.row_version
    updated_by: Optional[str] = None
    #: Registry mirror: ``"ok"``, ``"offline"`` (the source's last sync failed: this is
    #: the last pulled copy), ``"removed"`` (the registry was removed from the workspace;
    #: kept as history) or ``None`` for local models.
    source_status: Optional[str] = None
    synced_at: Optional[datetime] = None  # last time the server confirmed this model (UTC)
    #: Latest change noticed by a sync on the model or any of its versions (UTC).
    changed_on_server_at: Optional[datetime] = None
    deleted_on_server_at: Optional[datetime] = None
    task: Optional[str] = None  # classification | regression | unknown

    @property
    def next_validation_due(self) -> Optional[datetime]:
        """The latest validation plus the tier's revalidation interval (DESIGN.md tier
        defaults: 12 / 24 / 36 months); ``None`` when never validated."""
        from console.domain.governance import revalidation_due

        return None if self.last_validation_at is None else revalidation_due(self.last_validation_at, self.risk_tier)

    def validation_overdue(self, now: Optional[datetime] = None) -> bool:
        """Never validated, or past :attr:`next_validation_due`."""
        due = self.next_validation_due
        return due is None or due < (now or datetime.now(timezone.utc))

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md ``models list`` object plus the registry mirror fields
        ``source_status``, ``synced_at``, ``changed_on_server_at`` and
        ``deleted_on_server_at`` (ISO 8601 UTC strings; all ``null`` for local models), so
        every row has the same keys."""
        out = {
            "name": self.name,
            "owner": self.owner,
            "risk_tier": self.risk_tier,
            "status": self.status.value,
            "versions": self.versions,
            "champion_version": self.champion_version,
            "source": self.source,
            "drift_status": self.drift_status.value if self.drift_status else None,
            "last_validation": self.last_validation,
        }
        out.update({
            "next_validation_due": _iso(self.next_validation_due),
            "source_status": self.source_status,
            "synced_at": _iso(self.synced_at),
            "changed_on_server_at": _iso(self.changed_on_server_at),
            "deleted_on_server_at": _iso(self.deleted_on_server_at),
        })
        return out


def _iso(t: Optional[datetime]) -> Optional[str]:
    return t.isoformat() if t is not None else None


@dataclass(frozen=True)
class ModelDetail:
    """Everything the detail view, ``models show`` and the audit report need."""

    model: RegisteredModel
    summary: ModelSummary
    versions: tuple[ModelVersion, ...]
    aliases: tuple[Alias, ...]
    validation_runs: tuple[ValidationRun, ...]  # newest first
    drift_runs: tuple[DriftRun, ...]  # newest first
    audit_events: tuple[AuditEvent, ...] = ()  # oldest first
    #: Aliases as the remote registry has them (pulled models only), by name.
    registry_aliases: tuple[RegistryAlias, ...] = ()
    #: The registry the model was pulled from (``None`` for local models or a removed registry).
    registry: Optional["RegistrySource"] = None

    @property
    def broken_aliases(self) -> tuple[RegistryAlias, ...]:
        return tuple(a for a in self.registry_aliases if a.broken)


@dataclass(frozen=True)
class RegistrySource:
    """A remote model registry (an MLflow tracking server) the workspace pulls from.

    ``url`` never contains credentials; the secret lives in the OS keyring.  ``auth`` is
    ``none``, ``basic`` (username + password) or ``token`` (bearer token).
    ``last_sync_status``: ``ok``, ``unreachable``, ``auth``, ``error`` or ``None``
    (never synced); ``last_sync_error`` is the last failure's message (no secret);
    ``last_sync_stats`` the counts of the last sync (see :class:`SyncResult`).
    """

    id: int
    name: str
    kind: str
    url: str
    username: Optional[str]
    auth: str
    created_at: Optional[datetime]
    created_by: str
    last_sync_at: Optional[datetime] = None
    last_sync_status: Optional[str] = None
    last_sync_error: Optional[str] = None
    last_sync_stats: Optional[dict[str, Any]] = None
    last_success_at: Optional[datetime] = None

    @property
    def offline(self) -> bool:
        """True when the last sync failed (the pulled copy is the last good one)."""
        return self.last_sync_status not in (None, "ok")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "url": self.url,
            "username": self.username,
            "auth": self.auth,
            "created_at": _iso(self.created_at),
            "created_by": self.created_by,
            "last_sync_at": _iso(self.last_sync_at),
            "last_sync_status": self.last_sync_status,
            "last_sync_error": self.last_sync_error,
            "last_sync_stats": self.last_sync_stats,
            "last_success_at": _iso(self.last_success_at),
        }


@dataclass(frozen=True)
class SyncResult:
    """The outcome of syncing one registry source.

    ``models`` / ``versions``: how many the server listed; ``new`` / ``changed`` /
    ``deleted``: models plus versions added, changed on the server, or newly marked
    deleted on the server in this sync (``detail`` splits them by kind); ``error``: the
    failure's message (``ok`` False) with ``status`` ``unreachable`` | ``auth`` |
    ``error``; ``seconds``: wall time of the sync (fetch + write).
    """

    source: str
    ok: bool
    models: int = 0
    versions: int = 0
    new: int = 0
    changed: int = 0
    deleted: int = 0
    error: Optional[str] = None
    seconds: float = 0.0
    status: str = "ok"
    detail: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.source,
            "ok": self.ok,
            "status": self.status,
            "models": self.models,
            "versions": self.versions,
            "new": self.new,
            "changed": self.changed,
            "deleted": self.deleted,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "detail": dict(self.detail),
        }


def describe_event(e: AuditEvent) -> str:
    """One plain-language sentence for an audit event (for people; the stored ``old`` /
    ``new`` values stay the evidence)."""
    new, old = e.new or {}, e.old or {}
    a = e.action
    if a == "model.registered":
        return f"Registered the model (risk tier {new.get('risk_tier')}, owner {new.get('owner')})"
    if a == "version.registered":
        return f"Registered version {new.get('version')} ({new.get('estimator', 'model')})"
    if a == "alias.set":
        before = f" (was v{old['version']})" if "version" in old else ""
        return f"Pointed alias '{new.get('alias')}' at v{new.get('version')}{before}"
    if a == "model.status_changed":
        return f"Lifecycle status {old.get('status')} → {new.get('status')}"
    if a == "validation.run":
        failed = new.get("failed_checks") or []
        verdict = "passed" if new.get("passed") else "FAILED" + (f" ({', '.join(failed)})" if failed else "")
        return f"Validated v{new.get('version')}: {verdict}"
    if a == "drift.run":
        return f"Computed drift of v{new.get('version')} over {new.get('windows')} window(s)"
    if a == "report.exported":
        return f"Exported the {new.get('kind', 'audit')} report ({new.get('file')})"
    if a.startswith("registry."):
        reg = new.get("registry", "the registry")
        what = {
            "registry.model_pulled": lambda: f"Pulled from {reg} with version(s) {', '.join(new.get('versions') or []) or 'none'}",
            "registry.version_pulled": lambda: f"Pulled version {new.get('version')} from {reg}",
            "registry.model_changed": lambda: f"Changed on {reg}: " + ", ".join(
                k for k in new if k not in ("registry", "snapshot_sha256")),
            "registry.version_changed": lambda: f"Version {new.get('version')} changed on {reg}: " + ", ".join(
                k for k in new if k not in ("registry", "version", "snapshot_sha256")),
            "registry.model_deleted": lambda: f"Deleted on {reg} (kept here as history)",
            "registry.version_deleted": lambda: f"Version {new.get('version')} deleted on {reg} (kept here as history)",
            "registry.model_reappeared": lambda: f"Listed again by {reg}",
            "registry.version_reappeared": lambda: f"Version {new.get('version')} listed again by {reg}",
            "registry.model_reattached": lambda: f"Attached again to registry {reg}",
        }.get(a)
        if what is not None:
            return what()
    parts = [f"{k}: {old.get(k)} → {v}" if k in old else f"{k}={v}" for k, v in new.items()]
    return ", ".join(parts) or a
