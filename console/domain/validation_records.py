"""Plain records of the validation service (issue 6): stored plan versions, trusted
model files, and what a re-run of a validation found changed.

No SQL, no Qt.  The plan itself is :class:`console.validation.suite.ValidationPlan`
(kept as ``Any`` here so the domain layer imports nothing above it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

from console.domain.approvals import utc_text
from console.domain.models import ValidationRun

__all__ = ["PlanVersion", "TrustedArtifact", "FingerprintChange", "RerunReport"]


@dataclass(frozen=True)
class PlanVersion:
    """One version of a risk tier's validation plan.

    ``version`` 0 is the built-in default (``default_plan(tier)``, never stored);
    every edit stores version ``n + 1`` and keeps the older ones.  ``plan`` is a
    :class:`console.validation.suite.ValidationPlan`.
    """

    tier: int
    version: int
    plan: Any
    updated_by: Optional[str] = None
    updated_at: Optional[datetime] = None
    reason: str = ""

    @property
    def is_default(self) -> bool:
        return self.version == 0

    def to_json(self) -> dict[str, Any]:
        return {"tier": self.tier, "version": self.version, "default": self.is_default,
                "updated_by": self.updated_by, "updated_at": utc_text(self.updated_at), "reason": self.reason,
                "plan": self.plan.to_json()}


@dataclass(frozen=True)
class TrustedArtifact:
    """A pickle/joblib model file a user explicitly trusted: its SHA-256 (hex), the
    file name it had, its size in bytes, who trusted it (login) and when (UTC)."""

    sha256: str
    file_name: str
    size_bytes: int
    trusted_by: str
    trusted_at: datetime
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "file_name": self.file_name, "size_bytes": self.size_bytes,
                "trusted_by": self.trusted_by, "trusted_at": utc_text(self.trusted_at), "reason": self.reason}


@dataclass(frozen=True)
class FingerprintChange:
    """One input that differs between a validation run and its re-run: ``what`` is a
    dotted key (``artifact_sha256``, ``data_sha256``, ``training_sha256``,
    ``packages.scikit-learn``, ``params.performance.threshold``...)."""

    what: str
    old: Any
    new: Any

    def to_json(self) -> dict[str, Any]:
        return {"what": self.what, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class RerunReport:
    """A re-run of validation run ``original`` with the same inputs: the new ``run``,
    the inputs whose fingerprints changed, the checks whose status changed
    (``(check id, old status, new status)``), and whether the workspace's current plan
    for the tier now differs from the one both runs used."""

    original: ValidationRun
    run: ValidationRun
    changes: tuple[FingerprintChange, ...] = ()
    status_changes: tuple[tuple[str, str, str], ...] = ()
    current_plan_differs: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def reproduced(self) -> bool:
        """True when no input changed and every check kept its status."""
        return not self.changes and not self.status_changes

    def to_json(self) -> dict[str, Any]:
        return {"rerun_of": self.original.id, "run_id": self.run.id, "reproduced": self.reproduced,
                "changes": [c.to_json() for c in self.changes],
                "status_changes": [{"id": i, "old": o, "new": n} for i, o, n in self.status_changes],
                "current_plan_differs": self.current_plan_differs, "notes": list(self.notes)}
