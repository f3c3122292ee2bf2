"""Row -> domain object conversion (the only place that knows both shapes)."""

from __future__ import annotations

from typing import Mapping, Optional

from console.domain.models import (
    ERASED_NAME,
    PERSON_REF_RE,
    AuditEvent,
    CheckResult,
    CheckStatus,
    DriftFeatureResult,
    DriftRun,
    DriftStatus,
    DriftWindow,
    LifecycleStatus,
    ModelVersion,
    RegisteredModel,
    RegistrySource,
    TaskType,
    ValidationRun,
    map_personal_values,
)
from console.store import orm


def model(row: orm.RegisteredModelRow) -> RegisteredModel:
    return RegisteredModel(
        id=row.id,
        name=row.name,
        owner=row.owner,
        risk_tier=row.risk_tier,
        status=LifecycleStatus(row.status),
        task=TaskType(row.task),
        description=row.description,
        business_unit=row.business_unit,
        use_case=row.use_case,
        intended_use=row.intended_use,
        restrictions=row.restrictions,
        source=row.source,
        created_at=row.created_at,
        updated_at=row.updated_at,
        row_version=row.row_version,
        updated_by=row.updated_by,
        source_id=row.source_id,
        tags=dict(row.tags or {}),
        protected_attributes=tuple(row.protected_attributes or ()),
    )


def version(row: orm.ModelVersionRow, aliases: tuple[str, ...] = ()) -> ModelVersion:
    return ModelVersion(
        id=row.id,
        model_id=row.model_id,
        version=row.version,
        framework=row.framework,
        artifact_sha256=row.artifact_sha256,
        data_sha256=row.data_sha256,
        training_schema=dict(row.training_schema or {}),
        target_column=row.target_column,
        holdout_sha256=row.holdout_sha256,
        reference_sha256=row.reference_sha256,
        hyperparameters=dict(row.hyperparameters or {}),
        metrics=dict(row.metrics or {}),
        created_by=row.created_by,
        created_at=row.created_at,
        description=row.description,
        estimator_class=row.estimator_class,
        aliases=aliases,
        external_version=row.external_version,
        run_id=row.run_id,
        source_uri=row.source_uri,
        lineage=row.lineage,
        tags=dict(row.tags or {}),
        snapshot_sha256=row.snapshot_sha256,
        synced_at=row.synced_at,
        changed_on_server_at=row.changed_on_server_at,
        deleted_on_server_at=row.deleted_on_server_at,
        training_sha256=row.training_sha256,
        training_data_at=row.training_data_at,
        source_format=row.source_format,
        source_sha256=row.source_sha256,
    )


def registry_source(row: orm.RegistrySourceRow) -> RegistrySource:
    return RegistrySource(
        id=row.id,
        name=row.name,
        kind=row.kind,
        url=row.url,
        username=row.username,
        auth=row.auth,
        created_at=row.created_at,
        created_by=row.created_by,
        last_sync_at=row.last_sync_at,
        last_sync_status=row.last_sync_status,
        last_sync_error=row.last_sync_error,
        last_sync_stats=dict(row.last_sync_stats) if row.last_sync_stats else None,
        last_success_at=row.last_success_at,
    )


def check(row: orm.CheckResultRow) -> CheckResult:
    return CheckResult(
        id=row.check_id,
        family=row.family,
        title=row.title,
        status=CheckStatus(row.status),
        blocking=row.blocking,
        values=dict(row.values or {}),
        reason=row.reason,
        description=row.description or "",
        source=row.source or "",
        params=dict(row.params or {}),
    )


def validation_run(row: orm.ValidationRunRow) -> ValidationRun:
    return ValidationRun(
        id=row.id,
        model_id=row.version.model_id,
        version_id=row.version_id,
        version=row.version.version,
        passed=row.passed,
        started_at=row.started_at,
        finished_at=row.finished_at,
        run_by=row.run_by,
        data_label=row.data_label,
        data_sha256=row.data_sha256,
        n_rows=row.n_rows,
        checks=tuple(check(c) for c in row.checks),
        fingerprints=dict(row.fingerprints or {}),
        rerun_of=row.rerun_of,
    )


def _status(value: str | None) -> DriftStatus | None:
    return DriftStatus(value) if value else None


def drift_run(row: orm.DriftRunRow) -> DriftRun:
    windows = []
    for w in row.windows:
        feats = tuple(
            DriftFeatureResult(
                name=f.name,
                kind=f.kind,
                tested=f.tested,
                psi=f.psi,
                status=_status(f.status),
                is_target=f.is_target,
                result=dict(f.result or {}),
                distribution=f.distribution,
            )
            for f in w.features
        )
        windows.append(
            DriftWindow(
                id=w.id,
                index=w.position,
                label=w.label,
                start=w.start,
                end=w.end,
                n_rows=w.n_rows,
                dataset_drift=w.dataset_drift,
                n_tested=w.n_tested,
                n_drifted=w.n_drifted,
                status=_status(w.status),
                features=feats,
            )
        )
    return DriftRun(
        id=row.id,
        model_id=row.version.model_id,
        version_id=row.version_id,
        version=row.version.version,
        created_at=row.created_at,
        created_by=row.created_by,
        label=row.label,
        reference_sha256=row.reference_sha256,
        windows=tuple(windows),
    )


def audit_event(row: orm.AuditEventRow, names: Optional[Mapping[str, Optional[str]]] = None) -> AuditEvent:
    """The domain event of an audit row, with person refs resolved through ``names``
    (ref -> display name, ``None`` once erased; see
    :func:`console.services.audit.person_names`).  A ref missing from ``names`` is shown
    as the ref itself."""
    names = names or {}

    def name(ref: Optional[str]) -> Optional[str]:
        if ref is None or not PERSON_REF_RE.match(ref):
            return ref
        if ref not in names:
            return ref
        shown = names[ref]
        return ERASED_NAME if shown is None else shown

    return AuditEvent(
        seq=row.seq,
        occurred_at=row.occurred_at,
        actor=name(row.actor_ref) or "",
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        old=map_personal_values(row.old, name) if row.old is not None else None,
        new=map_personal_values(row.new, name) if row.new is not None else None,
        reason=row.reason,
        db_user=name(row.db_user_ref),
        actor_ref=row.actor_ref,
        hash=row.hash,
        prev_hash=row.prev_hash,
        model_id=row.model_id,
    )
