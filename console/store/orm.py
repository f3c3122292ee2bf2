"""SQLAlchemy 2 declarative tables of a Tollgate workspace.

The schema is created and upgraded only by the Alembic migrations in ``db/``; these
classes mirror it (``tests/test_store.py`` runs ``alembic check`` to keep the two equal).
All timestamps are stored in UTC.  Artifacts and datasets live in :class:`Blob`,
content-addressed by SHA-256, so a workspace is complete wherever it is opened.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware (UTC).

    SQLite has no time zones; PostgreSQL gets ``timestamp with time zone``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Tollgate stores UTC-aware timestamps only")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class WorkspaceInfoRow(Base):
    """Key/value facts about the workspace itself; ``workspace_id`` (a UUID written by
    migration 0002) names it in the OS keyring, wherever the file or server moves."""

    __tablename__ = "workspace_info"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Blob(Base):
    """Content-addressed bytes: skops model artifacts and Parquet datasets."""

    __tablename__ = "blob"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class RegistrySourceRow(Base):
    """A remote model registry a workspace pulls from (MLflow tracking servers).

    Secrets are never stored here: the password or token lives in the OS keyring, keyed
    by the workspace and this row's ``name`` (see :mod:`console.store.secrets`).
    """

    __tablename__ = "registry_source"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # "mlflow"
    url: Mapped[str] = mapped_column(Text)  # never contains credentials
    username: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    auth: Mapped[str] = mapped_column(String(10), default="none")  # none | basic | token
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    last_sync_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    last_sync_status: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    last_sync_error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    last_sync_stats: Mapped[Optional[dict]] = mapped_column(JSON, nullable=True)
    last_success_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)


class RegisteredModelRow(Base):
    __tablename__ = "registered_model"
    __table_args__ = (UniqueConstraint("source", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(400))
    source: Mapped[str] = mapped_column(String(200), default="local")
    #: The registry this model was pulled from; ``None`` for local models.
    source_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("registry_source.id"), nullable=True, index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    business_unit: Mapped[str] = mapped_column(String(200), default="")
    use_case: Mapped[str] = mapped_column(Text, default="")
    risk_tier: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    task: Mapped[str] = mapped_column(String(20))
    intended_use: Mapped[str] = mapped_column(Text, default="")
    restrictions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    #: Optimistic-locking counter: every UPDATE bumps it and checks the old value, so two
    #: officers changing the same model at once cannot lose an update.
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # SQLAlchemy's optimistic locking: UPDATE ... WHERE id = ? AND row_version = <read>
    # SET row_version = <read> + 1; no row matched raises StaleDataError.
    __mapper_args__ = {"version_id_col": row_version}
    # Registry mirror (pulled models only).
    tags: Mapped[Optional[dict]] = mapped_column(JSON, nullable=True)
    snapshot_sha256: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    synced_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    changed_on_server_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    deleted_on_server_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    #: Columns the fairness checks judge the model on (JSON list; NULL = none declared;
    #: migration 0007; set through :func:`console.services.validation.set_protected_attributes`).
    protected_attributes: Mapped[Optional[list]] = mapped_column(JSON, nullable=True)

    versions: Mapped[list["ModelVersionRow"]] = relationship(
        back_populates="model", order_by="ModelVersionRow.version"
    )
    aliases: Mapped[list["AliasRow"]] = relationship(back_populates="model")


class ModelVersionRow(Base):
    __tablename__ = "model_version"
    __table_args__ = (UniqueConstraint("model_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_model.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    framework: Mapped[str] = mapped_column(String(100))
    estimator_class: Mapped[str] = mapped_column(String(300), default="")
    #: ``None`` for a version pulled from a registry whose artifact was not imported.
    artifact_sha256: Mapped[Optional[str]] = mapped_column(ForeignKey("blob.sha256"), nullable=True)
    data_sha256: Mapped[str] = mapped_column(String(64))
    training_schema: Mapped[dict] = mapped_column(JSON)
    target_column: Mapped[str] = mapped_column(String(400))
    holdout_sha256: Mapped[Optional[str]] = mapped_column(ForeignKey("blob.sha256"), nullable=True)
    reference_sha256: Mapped[Optional[str]] = mapped_column(ForeignKey("blob.sha256"), nullable=True)
    hyperparameters: Mapped[dict] = mapped_column(JSON)
    metrics: Mapped[dict] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Registry mirror (pulled versions only): the server's version string, run lineage
    # (params, metrics, dataset inputs, run info), tags and the snapshot hash of what was
    # pulled; a version deleted on the server is marked, never removed.
    external_version: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    run_id: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    source_uri: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    lineage: Mapped[Optional[dict]] = mapped_column(JSON, nullable=True)
    tags: Mapped[Optional[dict]] = mapped_column(JSON, nullable=True)
    snapshot_sha256: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    synced_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    changed_on_server_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    deleted_on_server_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    # Migration 0007: the training data with its target (Parquet blob, for the
    # reproducibility refit; NULL for versions registered before it) and when it was
    # extracted; a version registered from a trusted pickle/joblib file records
    # ``source_format`` "pickle" and that file's SHA-256 (NULL = a skops file).
    training_sha256: Mapped[Optional[str]] = mapped_column(ForeignKey("blob.sha256"), nullable=True)
    training_data_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    source_format: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    source_sha256: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)

    model: Mapped[RegisteredModelRow] = relationship(back_populates="versions")


class AliasRow(Base):
    __tablename__ = "model_alias"
    __table_args__ = (UniqueConstraint("model_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_model.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    model: Mapped[RegisteredModelRow] = relationship(back_populates="aliases")
    version: Mapped[ModelVersionRow] = relationship()


class RegistryAliasRow(Base):
    """An alias as a remote registry has it (read-only mirror, labelled with its source).

    ``version_id`` is ``None`` when the alias points at a version that is missing or
    deleted on the server: the alias is *broken* and nothing may rely on it.
    """

    __tablename__ = "registry_alias"
    __table_args__ = (UniqueConstraint("model_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_model.id"), index=True)
    #: MLflow allows alias names of up to 255 characters (MAX_REGISTERED_MODEL_ALIAS_LENGTH).
    name: Mapped[str] = mapped_column(String(255))
    external_version: Mapped[str] = mapped_column(String(100))
    version_id: Mapped[Optional[int]] = mapped_column(ForeignKey("model_version.id"), nullable=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ValidationRunRow(Base):
    __tablename__ = "validation_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    passed: Mapped[bool] = mapped_column(Boolean)
    run_by: Mapped[str] = mapped_column(String(200))
    data_label: Mapped[str] = mapped_column(Text)
    data_sha256: Mapped[str] = mapped_column(String(64))
    n_rows: Mapped[int] = mapped_column(Integer)
    artifact_sha256: Mapped[str] = mapped_column(String(64))
    environment: Mapped[dict] = mapped_column(JSON)
    #: What the run used (migration 0007): artifact, data and training-data SHA-256,
    #: package versions, the plan and the resolved check parameters, the target
    #: (:func:`console.services.validation.run_validation`).
    fingerprints: Mapped[Optional[dict]] = mapped_column(JSON, nullable=True)
    #: The run this one re-ran (``tollgate validate --rerun``), else NULL.
    rerun_of: Mapped[Optional[int]] = mapped_column(ForeignKey("validation_run.id"), nullable=True)

    checks: Mapped[list["CheckResultRow"]] = relationship(
        back_populates="run", order_by="CheckResultRow.position", cascade="all, delete-orphan"
    )
    version: Mapped[ModelVersionRow] = relationship()


class CheckResultRow(Base):
    __tablename__ = "check_result"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("validation_run.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    check_id: Mapped[str] = mapped_column(String(100))
    family: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10))
    blocking: Mapped[bool] = mapped_column(Boolean)
    values: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    # Migration 0007 (NULL on older rows): the check's plain-language description, the
    # source of its method or threshold, and the parameters it ran with.
    description: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    source: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    params: Mapped[Optional[dict]] = mapped_column(JSON, nullable=True)

    run: Mapped[ValidationRunRow] = relationship(back_populates="checks")


class DriftRunRow(Base):
    __tablename__ = "drift_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(Text)
    reference_sha256: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict] = mapped_column(JSON)
    #: ``prediction_log`` for a run over ingested prediction logs
    #: (:mod:`console.services.monitoring`); NULL for a run over given windows.
    source: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    #: The window rule of a prediction-log run: ``1H`` ``1D`` ``1W`` ``1M`` or ``<N>rows``.
    window_rule: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    #: Fingerprint (SHA-256 of the reference data) of the reference profile used.
    profile_fingerprint: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)

    windows: Mapped[list["DriftWindowRow"]] = relationship(
        back_populates="run", order_by="DriftWindowRow.position", cascade="all, delete-orphan"
    )
    version: Mapped[ModelVersionRow] = relationship()


class DriftWindowRow(Base):
    __tablename__ = "drift_window"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("drift_run.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    start: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    end: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    n_rows: Mapped[int] = mapped_column(Integer)
    data_sha256: Mapped[str] = mapped_column(String(64))
    dataset_drift: Mapped[bool] = mapped_column(Boolean)
    n_tested: Mapped[int] = mapped_column(Integer)
    n_drifted: Mapped[int] = mapped_column(Integer)
    status: Mapped[Optional[str]] = mapped_column(String(10), nullable=True)
    #: Prediction-log runs only: rows with a label, performance metrics of the labelled
    #: rows (``None`` when no row has a label) and the prediction-drift document.
    n_labelled: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    performance: Mapped[Optional[dict]] = mapped_column(JSON, nullable=True)
    prediction_drift: Mapped[Optional[dict]] = mapped_column(JSON, nullable=True)

    run: Mapped[DriftRunRow] = relationship(back_populates="windows")
    features: Mapped[list["DriftFeatureRow"]] = relationship(
        back_populates="window", order_by="DriftFeatureRow.position", cascade="all, delete-orphan"
    )


class DriftFeatureRow(Base):
    __tablename__ = "drift_feature"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("drift_window.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(20))
    tested: Mapped[bool] = mapped_column(Boolean)
    is_target: Mapped[bool] = mapped_column(Boolean, default=False)
    psi: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    status: Mapped[Optional[str]] = mapped_column(String(10), nullable=True)
    result: Mapped[dict] = mapped_column(JSON)
    distribution: Mapped[Optional[dict]] = mapped_column(JSON, nullable=True)

    window: Mapped[DriftWindowRow] = relationship(back_populates="features")


class AuditPersonRow(Base):
    """The erasable side table of the audit trail (GDPR Art. 17): a pseudonymous ``ref``
    per person named in audit events, and the name it stands for.

    Audit events (and so the hash chain) carry only the ref; an erasure sets
    ``display_name`` to NULL and ``erased_at`` (see
    :func:`console.services.audit.erase_person`).  Unlike ``audit_event`` this table is
    NOT append-only: erasure must update it, so it has no triggers.
    """

    __tablename__ = "audit_person"
    ref: Mapped[str] = mapped_column(String(32), primary_key=True)  # psn_ + 24 hex digits
    display_name: Mapped[Optional[str]] = mapped_column(String(200), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)


class AuditEventRow(Base):
    """Append-only, hash-chained audit trail: every service writes one in the same
    transaction as its change (:func:`console.services.audit.append_event`).

    ``hash`` is the SHA-256 of the event's canonical JSON, which includes ``seq`` and
    ``prev_hash`` (the previous event's ``hash``); the exact payload is documented in
    :mod:`console.services.audit`.  People appear only as pseudonymous refs into
    :class:`AuditPersonRow` (``actor_ref``, ``db_user_ref`` and person values inside
    ``old``/``new``).  Migration 0003 installs triggers on both backends that refuse
    UPDATE and DELETE (and TRUNCATE on PostgreSQL).  A later migration that rebuilds this
    table on SQLite (batch mode) drops those triggers with the old table and must
    create them again.
    """

    __tablename__ = "audit_event"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: Pseudonymous ref of the console user who acted (``audit_person.ref``).
    actor_ref: Mapped[str] = mapped_column(ForeignKey("audit_person.ref"), index=True)
    action: Mapped[str] = mapped_column(String(100), index=True)
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100), index=True)
    model_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True, index=True)
    old: Mapped[Optional[dict]] = mapped_column(JSON, nullable=True)
    new: Mapped[Optional[dict]] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: On PostgreSQL, the ref of the database's ``current_user`` that made the change.
    db_user_ref: Mapped[Optional[str]] = mapped_column(ForeignKey("audit_person.ref"), nullable=True)
    #: The previous event's ``hash`` (64 zeros for the first event).
    prev_hash: Mapped[str] = mapped_column(String(64))
    #: SHA-256 (hex) of this event's canonical JSON (see :mod:`console.services.audit`).
    hash: Mapped[str] = mapped_column(String(64))


class AppUserRow(Base):
    """A workspace user (issue 5): login, display name and a scrypt password hash in a
    PHC-like string (:mod:`console.services.passwords`); never the password."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Login of the Admin who created the user (NULL for the first user).
    created_by: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)


class RoleAssignmentRow(Base):
    """A role held by a user, globally (``model_id`` NULL) or for one model.  The unique
    constraint does not catch two global rows on every backend (NULLs differ); the
    service checks inside its write transaction."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "model_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(50))  # console.domain.governance.Role value
    model_id: Mapped[Optional[int]] = mapped_column(ForeignKey("registered_model.id"), nullable=True, index=True)


class RaciTemplateRow(Base):
    """One version of a RACI template (``console.domain.governance``).  ``scope`` is
    ``default``, ``tier:N`` or ``model:ID``; the highest ``version`` per scope is current,
    older versions are kept.  Version 1 of ``default`` is seeded by migration 0004."""

    __tablename__ = "raci_template"
    __table_args__ = (UniqueConstraint("scope", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    matrix: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")


class ApprovalRequestRow(Base):
    """An approval request (issue 5): a lifecycle transition or an alias move of one
    model version, governed by a RACI task (:mod:`console.services.approvals`).

    ``required`` is the list of signature slots fixed at submission (JSON, see
    :class:`console.domain.approvals.Slot`); ``record_sha256`` is the SHA-256 of the
    canonical JSON of the request as submitted, which every signature binds to (with the
    signatures before it).  ``state``: open → approved | rejected | withdrawn | expired.
    """

    __tablename__ = "approval_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_model.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # transition | alias
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    alias: Mapped[Optional[str]] = mapped_column(String(255), nullable=True)
    task: Mapped[str] = mapped_column(String(60))
    risk_tier: Mapped[int] = mapped_column(Integer)
    raci_scope: Mapped[str] = mapped_column(String(40))
    raci_version: Mapped[int] = mapped_column(Integer)
    required: Mapped[list] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), index=True)
    submitted_by: Mapped[str] = mapped_column(String(100), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    record_sha256: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    close_reason: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": row_version}


class ApprovalSignatureRow(Base):
    """An electronic signature (21 CFR Part 11 §11.50/§11.70): printed name, UTC time,
    meaning and reason, bound to the exact record version signed by ``record_sha256``
    (the SHA-256 of the request's canonical JSON plus the signatures before this one)
    and sealed by ``signature_sha256`` (over the signature's own canonical JSON).
    Append-only: migration 0005 installs triggers refusing UPDATE and DELETE."""

    __tablename__ = "approval_signature"
    __table_args__ = (UniqueConstraint("request_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_request.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    slot: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    login: Mapped[str] = mapped_column(String(100))
    printed_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Optional[str]] = mapped_column(String(50), nullable=True)
    meaning: Mapped[str] = mapped_column(String(20))  # authored | reviewed | approved | rejected
    reason: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    record_sha256: Mapped[str] = mapped_column(String(64))
    signature_sha256: Mapped[str] = mapped_column(String(64))


class FindingRow(Base):
    """A finding: an issue that must be remediated (source ``validation``, ``drift``,
    ``manual``), with a severity (high | medium | low, by risk tier per DESIGN.md) and a
    state (open | closed).  An open high-severity finding blocks approvals."""

    __tablename__ = "finding"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_model.id"), index=True)
    version_id: Mapped[Optional[int]] = mapped_column(ForeignKey("model_version.id"), nullable=True)
    source: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    severity: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    close_reason: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    #: Who remediates it and by when (migration 0007; NULL on older findings).
    owner: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    due_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)


class GateExceptionRow(Base):
    """A signed, reasoned, expiring exception to an approval gate (issue 5: a production
    model whose drift is in alert).  ``signature_sha256`` seals who/when/why/until."""

    __tablename__ = "gate_exception"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_model.id"), index=True)
    gate: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(100))
    printed_name: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signature_sha256: Mapped[str] = mapped_column(String(64))


class NotificationRow(Base):
    """An in-app inbox entry for one user (the Informed of a request, the submitter of
    a decided one)."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("approval_request.id"), nullable=True)
    model_id: Mapped[Optional[int]] = mapped_column(ForeignKey("registered_model.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, nullable=True)


class TierAssessmentRow(Base):
    """A risk-tier questionnaire (issue 5): the answers, the rule-set version, the
    computed tier and, if the assessor overrode it, the override with its reason and
    signature (``signature_sha256``)."""

    __tablename__ = "tier_assessment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_model.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSON)
    rule_version: Mapped[int] = mapped_column(Integer)
    computed_tier: Mapped[int] = mapped_column(Integer)
    final_tier: Mapped[int] = mapped_column(Integer)
    override_reason: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    assessed_by: Mapped[str] = mapped_column(String(100))
    printed_name: Mapped[str] = mapped_column(String(200))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signature_sha256: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)


# ----------------------------------------------------------------------------- monitoring over time (issue 4, migration 0006)
class PredictionBatchRow(Base):
    """One ingested file of prediction logs of a model version
    (:func:`console.services.monitoring.ingest_predictions`).

    The parsed rows are NOT stored one SQL row each: they live in ``data_sha256``, a
    content-addressed Parquet blob (timestamps as UTC ``datetime64``, the file's own
    column names).  ``content_sha256`` is the :func:`console.fingerprint.dataframe_fingerprint`
    of those rows: the same rows ingested twice for one version are stored once.  The
    ``*_column`` fields say which column holds what; ``ts_min``/``ts_max`` (UTC) bound the
    batch's timestamps.
    """

    __tablename__ = "prediction_batch"
    __table_args__ = (UniqueConstraint("version_id", "content_sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"), index=True)
    data_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"))
    content_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(Text)
    n_rows: Mapped[int] = mapped_column(Integer)
    ts_min: Mapped[datetime] = mapped_column(UTCDateTime)
    ts_max: Mapped[datetime] = mapped_column(UTCDateTime)
    timestamp_column: Mapped[str] = mapped_column(String(400))
    prediction_column: Mapped[str] = mapped_column(String(400))
    score_column: Mapped[Optional[str]] = mapped_column(String(400), nullable=True)
    label_column: Mapped[Optional[str]] = mapped_column(String(400), nullable=True)
    request_id_column: Mapped[Optional[str]] = mapped_column(String(400), nullable=True)
    #: Column -> pandas dtype name of the stored rows.
    columns: Mapped[dict] = mapped_column(JSON)
    #: How the file was read (separator, encoding, decimal mark, ...), and notes.
    read_options: Mapped[dict] = mapped_column(JSON)
    notes: Mapped[list] = mapped_column(JSON)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ingested_by: Mapped[str] = mapped_column(String(200))


class LabelBatchRow(Base):
    """Late-arriving labels of a version's logged predictions, joined by request id
    (:func:`console.services.monitoring.ingest_labels`): a Parquet blob with the columns
    ``request_id`` (text) and ``label``.  A later batch wins for the same request id."""

    __tablename__ = "label_batch"
    __table_args__ = (UniqueConstraint("version_id", "content_sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"), index=True)
    data_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"))
    content_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(Text)
    n_rows: Mapped[int] = mapped_column(Integer)
    n_matched: Mapped[int] = mapped_column(Integer)
    request_id_column: Mapped[str] = mapped_column(String(400))
    label_column: Mapped[str] = mapped_column(String(400))
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ingested_by: Mapped[str] = mapped_column(String(200))


class ReferenceProfileRow(Base):
    """The cached drift reference profile of a model version (computed once).

    ``profile_sha256``: blob of :meth:`console.monitoring.drift.ReferenceProfile.to_bytes`
    of the reference data (features and target); ``prediction_profile_sha256``: the same
    of the model's own predictions on the reference features (column ``prediction``,
    and ``score`` = probability of the positive class for a binary classifier), for
    prediction drift.  ``fingerprint``: SHA-256 of the reference data
    (:func:`console.fingerprint.dataframe_fingerprint`); ``meta``: task, classes,
    positive class.
    """

    __tablename__ = "reference_profile"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"), unique=True)
    format_version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    reference_sha256: Mapped[str] = mapped_column(String(64))
    profile_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"))
    prediction_profile_sha256: Mapped[Optional[str]] = mapped_column(ForeignKey("blob.sha256"), nullable=True)
    meta: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class MonitoringPolicyRow(Base):
    """Per-model alert thresholds of prediction-log monitoring, and features left out of
    it.  No row = the DESIGN.md defaults (PSI 0.1 warning / 0.25 drift, Siddiqi 2006),
    nothing excluded; changed only through
    :func:`console.services.monitoring.set_thresholds` (audited)."""

    __tablename__ = "monitoring_policy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_model.id"), unique=True)
    psi_warning: Mapped[float] = mapped_column(Float)
    psi_drift: Mapped[float] = mapped_column(Float)
    #: Feature columns left out of drift monitoring (e.g. calendar features whose shift
    #: between monthly windows is expected); a list of names.
    exclude_columns: Mapped[list] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))


# ----------------------------------------------------------------------------- validation suites (issue 6, migration 0007)
class ValidationPlanRow(Base):
    """One version of a risk tier's validation plan (which checks block, with which
    parameters): :meth:`console.validation.suite.ValidationPlan.to_json`.  The highest
    ``version`` of a tier is current; older ones are kept.  No row for a tier = its
    ``default_plan`` (DESIGN.md tier table).  Changed only through
    :func:`console.services.validation.set_plan` (Model Risk Manager or Admin; audited)."""

    __tablename__ = "validation_plan"
    __table_args__ = (UniqueConstraint("tier", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tier: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    plan: Mapped[dict] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")


class TrustedArtifactRow(Base):
    """A pickle/joblib model file a user explicitly trusted, by its SHA-256
    (:func:`console.services.validation.trust_artifact`; audited as ``artifact.trusted``).
    A file whose bytes change has another hash and is refused again."""

    __tablename__ = "trusted_artifact"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(Integer)
    trusted_by: Mapped[str] = mapped_column(String(100))
    trusted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
