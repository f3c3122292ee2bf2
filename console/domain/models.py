"""Domain objects of a Tollgate workspace: plain, immutable-by-convention dataclasses.

These are what services hand to the CLI, the reports and the GUI (detached from any
database session, safe to pass between threads).  Vocabulary follows
``shared/DESIGN.md`` (glossary): registered model, model version, alias, risk tier,
lifecycle status, validation run / check, drift run / window, audit event.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
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
    "ModelSummary",
    "ModelDetail",
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


@dataclass(frozen=True)
class ModelVersion:
    """One immutable version of a registered model.

    ``artifact_sha256`` is the SHA-256 (hex) of the skops bytes stored in the workspace;
    ``data_sha256`` the fingerprint of the training data (see
    :func:`console.fingerprint.dataframe_fingerprint`); ``training_schema`` maps each
    feature column to its pandas dtype name; ``holdout_sha256`` / ``reference_sha256``
    address the labelled holdout set and the drift reference data (Parquet blobs).
    """

    id: int
    model_id: int
    version: int
    framework: str
    artifact_sha256: str
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


@dataclass(frozen=True)
class Alias:
    model_id: int
    name: str
    version: int


@dataclass(frozen=True)
class CheckResult:
    """Result of one validation check (``values`` is JSON-safe: no NaN/inf)."""

    id: str
    family: str
    title: str
    status: CheckStatus
    blocking: bool
    values: dict[str, Any] = field(default_factory=dict)
    reason: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "family": self.family,
            "title": self.title,
            "status": self.status.value,
            "blocking": self.blocking,
            "values": self.values,
            "reason": self.reason,
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

    def to_json(self) -> dict[str, Any]:
        return {
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
    parts = [f"{k}: {old.get(k)} → {v}" if k in old else f"{k}={v}" for k, v in new.items()]
    return ", ".join(parts) or a
