"""The workspace service: every use case of the GUI and the CLI goes through here.

A :class:`Workspace` wraps one database (see :mod:`console.store.db`).  Each public
method opens its own short-lived SQLAlchemy session and returns detached, frozen domain
objects, so the methods are safe to call from worker threads.  Every state change
appends an audit event in the same transaction as the change.

Concurrency (several consoles on one workspace): a write transaction takes the write
lock up front (SQLite ``BEGIN IMMEDIATE``, retried a few times past the busy timeout so
"database is locked" never reaches the user; PostgreSQL a transaction-level advisory
lock, see :func:`_audit_lock`), and a change to a model also locks its row
(``SELECT … FOR UPDATE``).  Write transactions are short (models are fitted, data
fingerprinted and checks run before it starts); reads never wait.  Models carry a
``row_version`` (optimistic locking): callers that act on what they read pass it as
``expected_row_version`` and get :class:`console.errors.ConcurrentChangeError`
("changed by X at T (UTC); reload") when someone else changed the model in between.  On
PostgreSQL, audit events also record the database's ``current_user``.
"""

from __future__ import annotations

import getpass
import io
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, Union

import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from console.domain.models import (
    Alias,
    AuditEvent,
    ChainVerification,
    DriftRun,
    DriftStatus,
    LifecycleStatus,
    ModelDetail,
    ModelSummary,
    ModelVersion,
    RegisteredModel,
    RegistryAlias,
    RegistrySource,
    SyncResult,
    TaskType,
    ValidationRun,
)
from console.domain.governance import RaciEntry, RaciTemplate, User
from console.errors import ConcurrentChangeError, InputError, NotFoundError, WorkspaceError
from console.fingerprint import dataframe_fingerprint, sha256_hex
from console.jsonutil import json_safe
from console.jobs import CancelToken, ProgressFn, checkpoint, report
from console.services import audit as audit_chain
from console.store import convert, db, orm
from console.store.db import PG_LOCK_AUDIT, PG_LOCK_CLASS, WRITE_OPTION, open_database
from console.store.orm import utcnow

PARQUET = "application/vnd.apache.parquet"
SKOPS = "application/x-skops"


def default_actor() -> str:
    """The OS login name, used as the actor of non-signature actions."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers)
        return "unknown"


def split_ref(ref: str) -> tuple[str, Optional[str]]:
    """Split ``NAME[@VERSION]`` at the last ``@`` (DESIGN.md CLI contract)."""
    if "@" in ref:
        name, _, ver = ref.rpartition("@")
        if name:
            return name, ver or None
    return ref, None


@dataclass(frozen=True)
class WindowSpec:
    """One time window of current data for a drift run: rows in ``data``."""

    label: str
    data: pd.DataFrame
    start: Optional[str] = None
    end: Optional[str] = None


def workspace_label(location: Union[str, Path, None]) -> str:
    """How a workspace location is shown to people: never with a password or token."""
    from console.store.db import parse_location

    try:
        return parse_location(location).label
    except Exception:  # unparsable: show nothing that could hold a secret
        text = str(location)
        return text if "://" not in text else text.split("://", 1)[0] + "://…"


class Workspace:
    """A Tollgate workspace (local SQLite file or a database URL)."""

    def __init__(self, location: Union[str, Path, None] = None) -> None:
        self._loc, self._engine, self._sessions = open_database(location)
        self._write_sessions = sessionmaker(
            self._engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    @classmethod
    def open(cls, location: Union[str, Path, None] = None) -> "Workspace":
        """Open (creating and migrating if needed) the workspace at ``location``.

        ``None`` is the default workspace in the user data directory.  Raises
        :class:`console.errors.WorkspaceError` when it cannot be opened.
        """
        return cls(location)

    @property
    def label(self) -> str:
        """Display name: the file path, or the URL without its password."""
        return self._loc.label

    @property
    def sqlite_path(self) -> Optional[Path]:
        return self._loc.sqlite_path

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ sessions
    def _session(self) -> Session:
        return self._sessions()

    def _write(self) -> "_WriteTx":
        return _WriteTx(self)

    # ------------------------------------------------------------------ audit
    @staticmethod
    def _audit(
        s: Session,
        actor: str,
        action: str,
        entity_type: str,
        entity_id: Any,
        *,
        model_id: Optional[int] = None,
        old: Optional[dict] = None,
        new: Optional[dict] = None,
        reason: str = "",
        at: Optional[datetime] = None,
    ) -> None:
        """Append a hash-chained audit event to the write transaction ``s``
        (:func:`console.services.audit.append_event`; people are stored as refs)."""
        audit_chain.append_event(
            s, actor=actor, action=action, entity_type=entity_type, entity_id=entity_id, model_id=model_id,
            old=old, new=new, reason=reason, at=at, db_user=_audit_lock(s),
        )

    # ------------------------------------------------------------------ blobs
    @staticmethod
    def _put_blob(s: Session, data: bytes, media_type: str) -> str:
        digest = sha256_hex(data)
        if s.scalar(select(orm.Blob.sha256).where(orm.Blob.sha256 == digest)) is None:
            if s.get_bind().dialect.name == "postgresql":
                # Another transaction may be inserting the same bytes right now (not yet
                # visible here): wait for it and keep its row instead of failing.
                from sqlalchemy.dialects.postgresql import insert

                s.execute(
                    insert(orm.Blob)
                    .values(sha256=digest, media_type=media_type, size=len(data), data=data, created_at=utcnow())
                    .on_conflict_do_nothing(index_elements=["sha256"])
                )
            else:  # SQLite: writers are serialised by BEGIN IMMEDIATE
                s.add(orm.Blob(sha256=digest, media_type=media_type, size=len(data), data=data))
                s.flush()
        return digest

    # ------------------------------------------------------------------ locking
    def _lock_model(
        self, s: Session, model_id: int, expected_row_version: Optional[int] = None
    ) -> orm.RegisteredModelRow:
        """The model's row, locked for this write transaction (``SELECT … FOR UPDATE``
        on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already holds the write lock).

        Raises :class:`NotFoundError` when absent and :class:`ConcurrentChangeError` when
        ``expected_row_version`` is given and the row has moved on since the caller read it.
        Every service that changes a model (or its aliases) calls this first.
        """
        row = s.get(orm.RegisteredModelRow, model_id, with_for_update=True, populate_existing=True)
        if row is None:
            raise NotFoundError(f"no model with id {model_id} in workspace {self.label}")
        if expected_row_version is not None and row.row_version != expected_row_version:
            raise ConcurrentChangeError(_changed_message(row))
        return row

    @staticmethod
    def dataset_bytes(df: pd.DataFrame) -> bytes:
        """Parquet bytes of ``df`` (no index), as datasets are stored in the workspace."""
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        return buf.getvalue()

    def load_blob(self, sha256: str) -> bytes:
        """The bytes stored under ``sha256``, verified against that hash.

        Raises :class:`NotFoundError` when absent and :class:`WorkspaceError` when the
        stored bytes no longer match their hash (damaged or tampered with).
        """
        with self._session() as s:
            blob = s.get(orm.Blob, sha256)
            if blob is None:
                raise NotFoundError(f"no stored object with SHA-256 {sha256} in workspace {self.label}")
            data = bytes(blob.data)
        if sha256_hex(data) != sha256:
            raise WorkspaceError(
                f"the stored object {sha256[:12]}… in workspace {self.label} is damaged or was altered "
                "(its content no longer matches its SHA-256); restore the workspace from a backup"
            )
        return data

    def load_dataset(self, sha256: str) -> pd.DataFrame:
        """The DataFrame stored under ``sha256`` (Parquet blob, hash-verified)."""
        data = self.load_blob(sha256)
        try:
            return pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises several types for unreadable files
            raise WorkspaceError(
                f"the stored dataset {sha256[:12]}… in workspace {self.label} cannot be read "
                f"({type(exc).__name__}); restore the workspace from a backup"
            ) from None

    def load_estimator(self, version: ModelVersion) -> Any:
        """Load a version's model with skops' trusted-type allow-list (never pickle)."""
        from console.validation.loading import load_model

        return load_model(self.load_blob(version.artifact_sha256), expected_sha256=version.artifact_sha256)

    # ------------------------------------------------------------------ registering
    def register_model(
        self,
        *,
        name: str,
        owner: str,
        risk_tier: int,
        task: TaskType,
        status: LifecycleStatus = LifecycleStatus.DEVELOPMENT,
        description: str = "",
        business_unit: str = "",
        use_case: str = "",
        intended_use: str = "",
        restrictions: str = "",
        actor: Optional[str] = None,
        source: str = "local",
    ) -> RegisteredModel:
        """Create a registered model; an existing one of the same name is returned
        unchanged (idempotent).  Raises :class:`InputError` for an empty name or a risk
        tier outside 1–3."""
        name = name.strip()
        if not name:
            raise InputError("a model needs a name")
        if risk_tier not in (1, 2, 3):
            raise InputError(f"risk tier must be 1, 2 or 3 (got {risk_tier!r})")
        actor = actor or default_actor()
        with self._write() as s:
            row = s.scalar(
                select(orm.RegisteredModelRow).where(
                    orm.RegisteredModelRow.source == source, orm.RegisteredModelRow.name == name
                )
            )
            if row is not None:
                return convert.model(row)
            now = utcnow()
            row = orm.RegisteredModelRow(
                name=name,
                source=source,
                owner=owner,
                risk_tier=risk_tier,
                task=TaskType(task).value,
                status=LifecycleStatus(status).value,
                description=description,
                business_unit=business_unit,
                use_case=use_case,
                intended_use=intended_use,
                restrictions=restrictions,
                created_at=now,
                updated_at=now,
                updated_by=actor,
            )
            try:
                with s.begin_nested():  # PostgreSQL: another console may register it right now
                    s.add(row)
                    s.flush()
            except IntegrityError:
                existing = s.scalar(
                    select(orm.RegisteredModelRow).where(
                        orm.RegisteredModelRow.source == source, orm.RegisteredModelRow.name == name
                    )
                )
                if existing is None:
                    raise
                return convert.model(existing)
            self._audit(
                s,
                actor,
                "model.registered",
                "registered_model",
                row.id,
                model_id=row.id,
                new={"name": name, "owner": owner, "risk_tier": risk_tier, "status": row.status},
            )
            return convert.model(row)

    def register_version(
        self,
        model_id: int,
        *,
        estimator: Any,
        training_data: pd.DataFrame,
        target_column: str,
        holdout: Optional[pd.DataFrame] = None,
        reference: Optional[pd.DataFrame] = None,
        metrics: Optional[dict[str, float]] = None,
        description: str = "",
        actor: Optional[str] = None,
        training_data_at: Optional[datetime] = None,
        source_format: Optional[str] = None,
        source_sha256: Optional[str] = None,
    ) -> ModelVersion:
        """Register a new version of model ``model_id``.

        The estimator is serialised with skops (content-addressed), the training data is
        fingerprinted (:func:`console.fingerprint.dataframe_fingerprint`) and its feature
        schema recorded (column -> pandas dtype name, target excluded); the training
        data with its target (for the reproducibility refit), the labelled ``holdout``
        and the drift ``reference`` (default: the training features) are stored as
        Parquet blobs.  ``training_data_at`` (UTC-aware): when the training data was
        extracted (the staleness check's data age; default: the registration time).
        ``source_format``/``source_sha256``: ``"pickle"`` and the file's SHA-256 for a
        version loaded from a trusted pickle/joblib file
        (:func:`console.services.validation.register_version_from_file`).  If a version
        with the same artifact and training data already exists it is returned instead
        (idempotent).  Raises :class:`InputError` for a target column missing from the
        data or a naive ``training_data_at``.
        """
        from console.validation.loading import dump_model

        if target_column not in training_data.columns:
            raise InputError(f"target column {target_column!r} is not in the training data")
        if holdout is not None and target_column not in holdout.columns:
            raise InputError(f"target column {target_column!r} is not in the holdout data")
        if training_data_at is not None and training_data_at.tzinfo is None:
            raise InputError("training_data_at must be a UTC-aware time (e.g. 2026-01-31T00:00:00+00:00)")
        actor = actor or default_actor()
        artifact = dump_model(estimator)
        artifact_sha = sha256_hex(artifact)
        data_sha = dataframe_fingerprint(training_data)
        features = training_data.drop(columns=[target_column])
        schema = {str(c): str(features[c].dtype) for c in features.columns}
        if reference is None:
            reference = training_data
        params = _jsonable_params(estimator)
        with self._write() as s:
            # Locked: version numbers are max + 1, so registrations of one model take turns.
            model_row = self._lock_model(s, model_id)
            existing = s.scalar(
                select(orm.ModelVersionRow).where(
                    orm.ModelVersionRow.model_id == model_id,
                    orm.ModelVersionRow.artifact_sha256 == artifact_sha,
                    orm.ModelVersionRow.data_sha256 == data_sha,
                )
            )
            if existing is not None:
                return convert.version(existing)
            self._put_blob(s, artifact, SKOPS)
            holdout_sha = self._put_blob(s, self.dataset_bytes(holdout), PARQUET) if holdout is not None else None
            reference_sha = self._put_blob(s, self.dataset_bytes(reference), PARQUET)
            training_sha = self._put_blob(s, self.dataset_bytes(training_data), PARQUET)
            number = (s.scalar(select(func.max(orm.ModelVersionRow.version)).where(
                orm.ModelVersionRow.model_id == model_id)) or 0) + 1
            row = orm.ModelVersionRow(
                model_id=model_id,
                version=number,
                framework=f"scikit-learn {_sklearn_version()}",
                estimator_class=_estimator_class(estimator),
                artifact_sha256=artifact_sha,
                data_sha256=data_sha,
                training_schema=schema,
                target_column=target_column,
                holdout_sha256=holdout_sha,
                reference_sha256=reference_sha,
                hyperparameters=params,
                metrics=_finite(metrics or {}),
                description=description,
                created_by=actor,
                created_at=utcnow(),
                training_sha256=training_sha,
                training_data_at=training_data_at,
                source_format=source_format,
                source_sha256=source_sha256,
            )
            s.add(row)
            s.flush()
            model_row.updated_at = utcnow()
            model_row.updated_by = actor
            self._audit(
                s,
                actor,
                "version.registered",
                "model_version",
                row.id,
                model_id=model_id,
                new={
                    "version": number,
                    "artifact_sha256": artifact_sha,
                    "data_sha256": data_sha,
                    "estimator": row.estimator_class,
                    **({"source_format": source_format, "source_sha256": source_sha256} if source_format else {}),
                },
            )
            return convert.version(row)

    def set_alias(
        self,
        model_id: int,
        alias: str,
        version: int,
        *,
        actor: Optional[str] = None,
        reason: str = "",
        expected_row_version: Optional[int] = None,
    ) -> Alias:
        """Point ``alias`` (e.g. ``champion``) of a model at ``version`` directly,
        bypassing approvals (demo seeding and imports; people move an alias through an
        approval request); audited.

        Moving an alias changes the model (its ``row_version`` goes up).  With
        ``expected_row_version`` (the model's ``row_version`` as the caller read it) the
        move is refused with :class:`ConcurrentChangeError` if the model changed since;
        an alias already pointing at ``version`` is left alone (no second event).
        """
        actor = actor or default_actor()
        with self._write() as s:
            model_row = self._lock_model(s, model_id, expected_row_version)
            vrow = s.scalar(
                select(orm.ModelVersionRow).where(
                    orm.ModelVersionRow.model_id == model_id, orm.ModelVersionRow.version == version
                )
            )
            if vrow is None:
                raise NotFoundError(f"model id {model_id} has no version {version}")
            return self._apply_alias(s, model_row, alias, vrow, actor, reason)

    def _apply_alias(self, s: Session, model_row: orm.RegisteredModelRow, alias: str, vrow: orm.ModelVersionRow,
                     actor: str, reason: str) -> Alias:
        """Point ``alias`` at ``vrow`` inside the write transaction ``s`` (the model row
        already locked); audited.  The one place an alias moves (:meth:`set_alias`, and
        an approved request in :mod:`console.services.approvals`)."""
        model_id, version = model_row.id, vrow.version
        if vrow.deleted_on_server_at is not None:
            raise InputError(
                f"version {version} of model {model_row.name!r} was deleted on registry {model_row.source} "
                f"({vrow.deleted_on_server_at:%Y-%m-%d %H:%M} UTC); an alias cannot point at it"
            )
        arow = s.scalar(
            select(orm.AliasRow).where(orm.AliasRow.model_id == model_id, orm.AliasRow.name == alias)
        )
        old = None
        if arow is None:
            arow = orm.AliasRow(model_id=model_id, name=alias, version_id=vrow.id, updated_at=utcnow())
            s.add(arow)
        else:
            if arow.version_id == vrow.id:
                return Alias(model_id, alias, version)
            old = {"version": arow.version.version}
            arow.version_id = vrow.id
            arow.updated_at = utcnow()
        model_row.updated_at = utcnow()
        model_row.updated_by = actor
        s.flush()
        self._audit(s, actor, "alias.set", "model_alias", f"{model_id}:{alias}", model_id=model_id,
                    old=old, new={"alias": alias, "version": version}, reason=reason)
        return Alias(model_id, alias, version)

    def set_status(
        self,
        model_id: int,
        status: LifecycleStatus,
        *,
        actor: Optional[str] = None,
        reason: str = "",
        expected_row_version: Optional[int] = None,
    ) -> RegisteredModel:
        """Set a model's lifecycle status directly, bypassing approvals: for seeding the
        demo and imports only; people change a status through an approval request
        (:mod:`console.services.approvals`), which no GUI or CLI path bypasses.  Audited.

        With ``expected_row_version`` (the model's ``row_version`` as the caller read it)
        the change is refused with :class:`ConcurrentChangeError` when the model changed
        since, so two officers acting at once never both transition it.  Setting the
        status it already has changes nothing and writes no event.
        """
        actor = actor or default_actor()
        status = LifecycleStatus(status)
        with self._write() as s:
            row = self._lock_model(s, model_id, expected_row_version)
            return self._apply_status(s, row, status, actor, reason)

    def _apply_status(self, s: Session, row: orm.RegisteredModelRow, status: LifecycleStatus, actor: str,
                      reason: str) -> RegisteredModel:
        """Set the status inside the write transaction ``s`` (row already locked);
        audited.  The one place a lifecycle status changes."""
        if row.status != status.value:
            old = row.status
            row.status = status.value
            row.updated_at = utcnow()
            row.updated_by = actor
            self._audit(s, actor, "model.status_changed", "registered_model", row.id, model_id=row.id,
                        old={"status": old}, new={"status": status.value}, reason=reason)
        s.flush()
        return convert.model(row)

    # ------------------------------------------------------------------ registries
    # Logic in console.services.registry; see its docstring for what a sync does.
    def workspace_id(self) -> str:
        """The workspace's UUID (keys its secrets in the OS keyring)."""
        from console.services import registry

        return registry.workspace_id(self)

    def list_registries(self) -> list[RegistrySource]:
        """The registry sources of this workspace, by name."""
        from console.services import registry

        return registry.list_registries(self)

    def add_registry(self, name: str, url: str, *, username: Optional[str] = None, auth: str = "none",
                     secret: Optional[str] = None, session_only: bool = False,
                     actor: Optional[str] = None) -> RegistrySource:
        """Add an MLflow tracking server as registry source ``name`` (unique).

        ``auth``: ``none`` | ``basic`` (``username`` + password ``secret``) | ``token``
        (bearer ``secret``).  The secret goes to the OS keyring (or, with
        ``session_only``, this process's memory only), never to the database.  Raises
        :class:`InputError` for a bad name/URL (http/https only, no credentials inside)
        or a duplicate name, :class:`console.store.secrets.SecretStoreError` when no
        keyring is usable and ``session_only`` is False (nothing is written then).
        """
        from console.services import registry

        return registry.add_registry(self, name, url, username=username, auth=auth, secret=secret,
                                     session_only=session_only, actor=actor or default_actor())

    def set_registry_secret(self, name: str, secret: str, *, session_only: bool = False,
                            actor: Optional[str] = None) -> str:
        """Replace the stored password/token of registry ``name``; returns where it
        went (``"keyring"`` | ``"session"``)."""
        from console.services import registry

        return registry.set_registry_secret(self, name, secret, session_only=session_only,
                                            actor=actor or default_actor())

    def remove_registry(self, name: str, *, actor: Optional[str] = None) -> int:
        """Remove registry ``name`` and forget its secret.  Models pulled from it stay
        as history (source name kept, source status ``removed``; re-adding a registry of
        the same name re-attaches them).  Returns how many models were kept."""
        from console.services import registry

        return registry.remove_registry(self, name, actor=actor or default_actor())

    def test_registry(self, name: Optional[str] = None, *, url: Optional[str] = None,
                      username: Optional[str] = None, auth: str = "none", secret: Optional[str] = None,
                      **timeouts: float) -> float:
        """Round-trip milliseconds of a cheap authenticated call to registry ``name``
        (or to the unsaved ``url``/``username``/``auth``/``secret``).  Raises
        ``RegistryUnreachable`` / ``RegistryAuthError`` / ``RegistryError``
        (:mod:`console.store.mlflow`)."""
        from console.services import registry

        return registry.test_registry(self, name, url=url, username=username, auth=auth, secret=secret, **timeouts)

    def sync_registries(self, names: Optional[Sequence[str]] = None, *, actor: Optional[str] = None,
                        progress: Optional[ProgressFn] = None, cancel: Optional[CancelToken] = None,
                        **options: Any) -> list[SyncResult]:
        """Pull every registry source (or those named) into the read-only mirror; one
        :class:`SyncResult` per source, failures included (the others still sync).
        ``options``: ``page_size``, ``connect_timeout``, ``read_timeout`` (seconds)."""
        from console.services import registry

        return registry.sync_registries(self, names, actor=actor or default_actor(), progress=progress,
                                        cancel=cancel, **options)

    # ------------------------------------------------------------------ reading
    def list_models(self, only_id: Optional[int] = None) -> list[ModelSummary]:
        """The inventory: one :class:`ModelSummary` per registered model, by name.

        ``only_id``: just that model's row (what :meth:`get_model` needs), without
        reading every model of a big workspace (2,000 models: ~0.15 s -> ~0.01 s).
        """

        def only(q: Any, col: Any) -> Any:
            return q if only_id is None else q.where(col == only_id)

        with self._session() as s:
            models = s.scalars(
                only(select(orm.RegisteredModelRow), orm.RegisteredModelRow.id).order_by(orm.RegisteredModelRow.name)
            ).all()
            counts = dict(
                s.execute(
                    only(select(orm.ModelVersionRow.model_id, func.count()), orm.ModelVersionRow.model_id)
                    .group_by(orm.ModelVersionRow.model_id)
                ).all()
            )
            champions = dict(
                s.execute(
                    only(select(orm.AliasRow.model_id, orm.ModelVersionRow.version), orm.AliasRow.model_id)
                    .join(orm.ModelVersionRow, orm.AliasRow.version_id == orm.ModelVersionRow.id)
                    .where(orm.AliasRow.name == "champion")
                ).all()
            )
            # The inventory's "last validation" is that of the governed version: the
            # champion, else the latest version.
            governed: dict[int, tuple[int, int]] = {}
            for model_id, vid, number in s.execute(
                only(select(orm.ModelVersionRow.model_id, orm.ModelVersionRow.id, orm.ModelVersionRow.version),
                     orm.ModelVersionRow.model_id)
            ).all():
                if champions.get(model_id) == number or (
                    model_id not in champions and number > governed.get(model_id, (0, 0))[1]
                ):
                    governed[model_id] = (vid, number)
            governed_ids = {vid: mid for mid, (vid, _) in governed.items()}
            last_val: dict[int, tuple] = {}
            for vid, when, run_id, passed in s.execute(
                select(orm.ValidationRunRow.version_id, orm.ValidationRunRow.finished_at,
                       orm.ValidationRunRow.id, orm.ValidationRunRow.passed)
                .where(orm.ValidationRunRow.version_id.in_(governed_ids))
            ).all():
                mid = governed_ids[vid]
                if mid not in last_val or (when, run_id) > last_val[mid][2]:
                    last_val[mid] = (passed, when, (when, run_id))
            last_drift = self._latest_per_model(
                s, orm.DriftRunRow, orm.DriftRunRow.created_at, (orm.DriftRunRow.id,)
            )
            sources = {r.id: r for r in s.scalars(select(orm.RegistrySourceRow)).all()}
            # a change noticed on any version of a pulled model shows on the model's row too
            version_changed = dict(
                s.execute(
                    only(select(orm.ModelVersionRow.model_id, func.max(orm.ModelVersionRow.changed_on_server_at)),
                         orm.ModelVersionRow.model_id)
                    .where(orm.ModelVersionRow.changed_on_server_at.is_not(None))
                    .group_by(orm.ModelVersionRow.model_id)
                ).all()
            )
            drift_status: dict[int, Optional[str]] = {}
            if last_drift:
                run_ids = {v[0]: k for k, v in last_drift.items()}
                rows = s.execute(
                    select(orm.DriftWindowRow.run_id, orm.DriftWindowRow.position, orm.DriftWindowRow.status)
                    .where(orm.DriftWindowRow.run_id.in_(run_ids))
                ).all()
                best: dict[int, tuple[int, Optional[str]]] = {}
                for run_id, pos, st in rows:
                    if run_id not in best or pos > best[run_id][0]:
                        best[run_id] = (pos, st)
                drift_status = {run_ids[r]: st for r, (_, st) in best.items()}
            out = []
            for m in models:
                lv = last_val.get(m.id)
                ds = drift_status.get(m.id)
                champ = champions.get(m.id)
                out.append(
                    ModelSummary(
                        id=m.id,
                        name=m.name,
                        owner=m.owner,
                        risk_tier=m.risk_tier,
                        status=LifecycleStatus(m.status),
                        versions=int(counts.get(m.id, 0)),
                        champion_version=str(champ) if champ is not None else None,
                        source=m.source,
                        drift_status=DriftStatus(ds) if ds else None,
                        last_validation=None if lv is None else ("pass" if lv[0] else "fail"),
                        last_validation_at=None if lv is None else lv[1],
                        updated_at=m.updated_at,
                        row_version=m.row_version,
                        updated_by=m.updated_by,
                        task=m.task,
                        **_mirror_status(m, sources, version_changed.get(m.id)),
                    )
                )
            return out

    @staticmethod
    def _latest_per_model(s: Session, table: Any, order_col: Any, cols: tuple) -> dict[int, tuple]:
        """For each model id, ``cols`` of its newest ``table`` row (by ``order_col``, then id)."""
        q = (
            select(orm.ModelVersionRow.model_id, order_col, table.id, *cols)
            .join(orm.ModelVersionRow, table.version_id == orm.ModelVersionRow.id)
        )
        latest: dict[int, tuple] = {}
        keys: dict[int, tuple] = {}
        for model_id, when, row_id, *rest in s.execute(q).all():
            key = (when, row_id)
            if model_id not in keys or key > keys[model_id]:
                keys[model_id] = key
                latest[model_id] = tuple(rest)
        return latest

    def _model_row(self, s: Session, ref: Union[int, str], source: Optional[str] = None) -> orm.RegisteredModelRow:
        if isinstance(ref, int):
            row = s.get(orm.RegisteredModelRow, ref)
            if row is None:
                raise NotFoundError(f"no model with id {ref} in workspace {self.label}")
            return row
        q = select(orm.RegisteredModelRow).where(orm.RegisteredModelRow.name == ref)
        if source:
            q = q.where(orm.RegisteredModelRow.source == source)
        rows = s.scalars(q).all()
        if not rows and source:
            sources = sorted(set(s.scalars(
                select(orm.RegisteredModelRow.source).where(orm.RegisteredModelRow.name == ref)).all()))
            if sources:
                raise NotFoundError(
                    f"model {ref!r} is not in registry {source!r}; it exists in: {', '.join(sources)}"
                )
        if not rows:
            names = s.scalars(select(orm.RegisteredModelRow.name).order_by(orm.RegisteredModelRow.name).limit(8)).all()
            hint = f"; models here: {', '.join(names)}" if names else "; the workspace has no models (run `tollgate demo`?)"
            raise NotFoundError(f"no model named {ref!r} in workspace {self.label}{hint}")
        if len(rows) > 1:
            raise InputError(
                f"model name {ref!r} exists in several registries ({', '.join(r.source for r in rows)}); "
                "pick one with --source NAME"
            )
        return rows[0]

    def find_model(self, ref: Union[int, str], source: Optional[str] = None) -> RegisteredModel:
        with self._session() as s:
            return convert.model(self._model_row(s, ref, source))

    def resolve(self, ref: str, source: Optional[str] = None) -> tuple[RegisteredModel, ModelVersion]:
        """Resolve ``NAME[@VERSION]``: VERSION is a number or an alias; without it the
        champion, else the latest version.  Raises :class:`NotFoundError`."""
        name, ver = split_ref(ref)
        with self._session() as s:
            try:
                m = self._model_row(s, name, source)
            except NotFoundError:
                if ver is None:
                    raise
                # A model whose own name contains "@" (e.g. "Churn@retail"): the whole
                # reference is the name; "Churn@retail@2" still selects version 2.
                m = self._model_row(s, ref, source)
                ver = None
            return convert.model(m), self._version_row_to_domain(s, self._version_row(s, m, ver))

    def _version_row(self, s: Session, m: orm.RegisteredModelRow, ver: Union[str, int, None]) -> orm.ModelVersionRow:
        if not m.versions:
            raise NotFoundError(f"model {m.name!r} has no versions yet")
        if ver is None:
            alias = next((a for a in m.aliases if a.name == "champion"), None)
            if alias is not None:
                return alias.version
            live = [v for v in m.versions if v.deleted_on_server_at is None]
            return (live or m.versions)[-1]
        text = str(ver)
        if text.isdigit():
            for v in m.versions:
                if v.version == int(text):
                    return v
            raise NotFoundError(
                f"model {m.name!r} has no version {text} (versions: {', '.join(str(v.version) for v in m.versions)})"
            )
        alias = next((a for a in m.aliases if a.name == text), None)
        if alias is None:
            # A pulled model: the registry's own alias (Tollgate's alias of the same
            # name, if any, wins above: governance decides).  A broken one refuses.
            ralias = s.scalar(select(orm.RegistryAliasRow).where(
                orm.RegistryAliasRow.model_id == m.id, orm.RegistryAliasRow.name == text))
            if ralias is not None:
                if ralias.version_id is None:
                    raise InputError(
                        f"alias {text!r} of model {m.name!r} in registry {m.source} is broken: it points at version "
                        f"{ralias.external_version}, which was deleted on the server; name a version explicitly "
                        f"({m.name}@NUMBER) or have the alias repointed and sync again"
                    )
                return s.get(orm.ModelVersionRow, ralias.version_id)
            rnames = s.scalars(select(orm.RegistryAliasRow.name).where(orm.RegistryAliasRow.model_id == m.id)).all()
            names = ", ".join(sorted({a.name for a in m.aliases} | set(rnames))) or "none"
            raise NotFoundError(f"model {m.name!r} has no version or alias {text!r} (aliases: {names})")
        return alias.version

    @staticmethod
    def _version_row_to_domain(s: Session, v: orm.ModelVersionRow) -> ModelVersion:
        aliases = tuple(sorted(a.name for a in v.model.aliases if a.version_id == v.id))
        return convert.version(v, aliases)

    def get_model(self, ref: Union[int, str], source: Optional[str] = None) -> ModelDetail:
        """Everything known about one model (by id or exact name)."""
        with self._session() as s:
            m = self._model_row(s, ref, source)
            versions = tuple(self._version_row_to_domain(s, v) for v in m.versions)
            aliases = tuple(sorted((Alias(m.id, a.name, a.version.version) for a in m.aliases), key=lambda a: a.name))
            vids = [v.id for v in m.versions]
            vruns = s.scalars(
                select(orm.ValidationRunRow)
                .where(orm.ValidationRunRow.version_id.in_(vids))
                .options(selectinload(orm.ValidationRunRow.checks), selectinload(orm.ValidationRunRow.version))
                .order_by(orm.ValidationRunRow.finished_at.desc(), orm.ValidationRunRow.id.desc())
            ).all()
            druns = s.scalars(
                select(orm.DriftRunRow)
                .where(orm.DriftRunRow.version_id.in_(vids))
                .options(
                    selectinload(orm.DriftRunRow.windows).selectinload(orm.DriftWindowRow.features),
                    selectinload(orm.DriftRunRow.version),
                )
                .order_by(orm.DriftRunRow.created_at.desc(), orm.DriftRunRow.id.desc())
            ).all()
            events = s.scalars(
                select(orm.AuditEventRow).where(orm.AuditEventRow.model_id == m.id).order_by(orm.AuditEventRow.seq)
            ).all()
            names = audit_chain.person_names(s, events)
            model = convert.model(m)
            registry_aliases = _registry_aliases(s, m)
            src_row = s.get(orm.RegistrySourceRow, m.source_id) if m.source_id is not None else None
            registry = convert.registry_source(src_row) if src_row is not None else None
        summary = next(iter(self.list_models(only_id=model.id)), None)
        return ModelDetail(
            model=model,
            summary=summary,
            versions=versions,
            aliases=aliases,
            validation_runs=tuple(convert.validation_run(r) for r in vruns),
            drift_runs=tuple(convert.drift_run(r) for r in druns),
            audit_events=tuple(convert.audit_event(e, names) for e in events),
            registry_aliases=registry_aliases,
            registry=registry,
        )

    # ------------------------------------------------------------------ validation
    # Logic in console.services.validation (plans, trust step, fingerprints, re-runs).
    def run_validation(
        self,
        model_id: Union[int, str],
        version: Union[int, str, None] = None,
        *,
        data: Optional[pd.DataFrame] = None,
        target: Optional[str] = None,
        data_label: Optional[str] = None,
        actor: Optional[str] = None,
        source: Optional[str] = None,
        progress: Optional[ProgressFn] = None,
        cancel: Optional[CancelToken] = None,
    ) -> ValidationRun:
        """Run the tier's validation suite on a model version and store the run (see
        :func:`console.services.validation.run_validation`).  ``version``: number or
        alias; ``None`` = champion, else latest.  ``data``: labelled data (default: the
        holdout set recorded at registration).  A cancelled run raises
        :class:`console.errors.Cancelled` and writes nothing."""
        from console.services import validation

        return validation.run_validation(self, model_id, version, data=data, target=target, data_label=data_label,
                                         actor=actor, source=source, progress=progress, cancel=cancel)

    def rerun_validation(self, run_id: int, *, actor: Optional[str] = None, progress: Optional[ProgressFn] = None,
                         cancel: Optional[CancelToken] = None) -> "Any":
        """Re-run a stored validation run with the same inputs and report what changed
        (:func:`console.services.validation.rerun_validation`)."""
        from console.services import validation

        return validation.rerun_validation(self, run_id, actor=actor, progress=progress, cancel=cancel)

    # ------------------------------------------------------------------ drift
    def record_drift_run(
        self,
        model_id: int,
        version: Union[int, str, None],
        windows: Sequence[WindowSpec],
        *,
        label: str,
        target: Optional[str] = None,
        actor: Optional[str] = None,
        progress: Optional[ProgressFn] = None,
        cancel: Optional[CancelToken] = None,
    ) -> DriftRun:
        """Compute drift of each window against the version's stored reference data
        and store the run (one transaction; nothing is written on cancel or error).

        The reference profile is computed once; each window costs one pass over its
        rows (:mod:`console.monitoring.drift`).  ``target`` defaults to the version's
        target column when present in the windows.
        """
        from console.monitoring.drift import ReferenceProfile, compare

        actor = actor or default_actor()
        with self._session() as s:
            m = self._model_row(s, model_id)
            v = self._version_row(s, m, version)
            ver = self._version_row_to_domain(s, v)
        if ver.reference_sha256 is None:
            raise InputError(f"model id {model_id} v{ver.version} has no reference data for drift")
        reference = self.load_dataset(ver.reference_sha256)
        target = target or (ver.target_column if ver.target_column in reference.columns else None)
        report(progress, 0.0, "Profiling the reference data")
        profile = ReferenceProfile.from_frame(reference)
        results = []
        for i, w in enumerate(windows):
            checkpoint(cancel)
            base = (i + 0.05) / max(1, len(windows))
            report(progress, base, f"Window {i + 1} of {len(windows)}: {w.label}")
            res = compare(profile, w.data, target=target, cancel=cancel)
            results.append((w, res, dataframe_fingerprint(w.data)))
        checkpoint(cancel)
        with self._write() as s:
            run = orm.DriftRunRow(
                version_id=ver.id,
                created_at=utcnow(),
                created_by=actor,
                label=label,
                reference_sha256=ver.reference_sha256,
                settings={"target": target, "decision": "psi>=0.25", "n_windows": len(windows),
                          "profile_sha256": getattr(profile, "fingerprint", None)},
            )
            for i, (w, res, wsha) in enumerate(results):
                run.windows.append(drift_window_row(i, w.label, w.start, w.end, int(len(w.data)), wsha, res))
            s.add(run)
            s.flush()
            self._audit(s, actor, "drift.run", "drift_run", run.id, model_id=model_id,
                        new={"version": ver.version, "label": label, "windows": len(windows),
                             "reference_sha256": ver.reference_sha256})
            s.flush()
            s.refresh(run)
            out = convert.drift_run(run)
        report(progress, 1.0, "Drift computed")
        return out

    # ------------------------------------------------------------------ reports
    def export_audit_report(
        self,
        model_id: Union[int, str],
        path: Union[str, Path],
        *,
        source: Optional[str] = None,
        actor: Optional[str] = None,
        progress: Optional[ProgressFn] = None,
        cancel: Optional[CancelToken] = None,
    ) -> Path:
        """Write the audit PDF of a model to ``path`` (atomically) and audit the export;
        delegates to :func:`console.services.reports.export_report` (``kind="audit"``),
        whose :class:`~console.services.reports.ReportFile` (a Path) it returns."""
        from console.services.reports import export_report

        return export_report(self, "audit", model_id, None, path, actor=actor, source=source, progress=progress,
                             cancel=cancel)

    # ------------------------------------------------------------------ audit chain
    def verify_audit_chain(
        self,
        expect_head: Optional[str] = None,
        *,
        progress: Optional[ProgressFn] = None,
        cancel: Optional[CancelToken] = None,
    ) -> ChainVerification:
        """Recompute the workspace's audit hash chain (``tollgate audit verify``); see
        :func:`console.services.audit.verify_chain` for the rules and errors."""
        return audit_chain.verify_chain(self, expect_head, progress=progress, cancel=cancel)

    def list_audit_events(
        self,
        model_id: Optional[int] = None,
        actor: Optional[str] = None,
        action: Optional[str] = None,
        since: Optional[datetime] = None,
        until: Optional[datetime] = None,
        limit: int = audit_chain.LIST_LIMIT,
        *,
        progress: Optional[ProgressFn] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[AuditEvent]:
        """Workspace-wide audit events, newest first, filtered in SQL; see
        :func:`console.services.audit.list_events` for the filters and errors."""
        return audit_chain.list_events(self, model_id, actor, action, since, until, limit,
                                       progress=progress, cancel=cancel)

    def audit_filter_options(self) -> "audit_chain.AuditFilterOptions":
        """Models, actions and acting people for the audit view's filters (see
        :func:`console.services.audit.filter_options`)."""
        return audit_chain.filter_options(self)

    # ------------------------------------------------------------------ people and RACI
    # Logic and rules in console.services.governance (see its docstring).
    def list_users(self) -> list["User"]:
        """Every workspace user with their roles, by login."""
        from console.services import governance

        return governance.list_users(self)

    def create_user(self, login: str, display_name: str, password: str, *, roles: Sequence[Any] = (),
                    by: Optional["User"] = None) -> "User":
        """Create a user (the first one becomes Admin; later ones need Admin ``by``)."""
        from console.services import governance

        return governance.create_user(self, login, display_name, password, roles=roles, by=by)

    def set_password(self, login: str, password: str, *, by: "User") -> None:
        """Set a password (the user themself or an Admin); audited without the password."""
        from console.services import governance

        governance.set_password(self, login, password, by=by)

    def authenticate(self, login: str, password: str) -> "User":
        """The user if the password matches; else audit ``user.login_failed`` and raise
        :class:`console.errors.AuthError`."""
        from console.services import governance

        return governance.authenticate(self, login, password)

    def assign_role(self, login: str, role: Any, *, model: Union[int, str, None] = None, by: "User") -> bool:
        """Give a role globally or for one model (Admin only); False if already held."""
        from console.services import governance

        return governance.assign_role(self, login, role, model=model, by=by)

    def revoke_role(self, login: str, role: Any, *, model: Union[int, str, None] = None, by: "User") -> bool:
        """Remove a role assignment (Admin only); False if there was none."""
        from console.services import governance

        return governance.revoke_role(self, login, role, model=model, by=by)

    def raci_for_model(self, model: Union[int, str]) -> list["RaciEntry"]:
        """The model's effective RACI cells with the people filling each role."""
        from console.services import governance

        return governance.raci_for_model(self, model)

    def save_raci(self, scope: str, matrix: dict, reason: str, *, by: "User") -> "RaciTemplate":
        """Validate and store the next version of a RACI template (Admin only)."""
        from console.services import governance

        return governance.save_raci(self, scope, matrix, reason, by=by)


#: How many times a write transaction tries to take SQLite's write lock, each attempt
#: waiting up to the busy timeout (``console.store.db.SQLITE_BUSY_TIMEOUT_S``), with a
#: short pause between attempts.
WRITE_ATTEMPTS = 4


def _is_locked(exc: BaseException) -> bool:
    msg = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in msg or "database table is locked" in msg or "database is busy" in msg


class _WriteTx:
    """``with ws._write() as s``: one transaction; commit on success, roll back on any
    error; SQLite lock and integrity errors become :class:`WorkspaceError`.

    The write lock is taken on entry (SQLite ``BEGIN IMMEDIATE``): a busy workspace is
    retried up to :data:`WRITE_ATTEMPTS` times before the body runs, so the body never
    sees "database is locked".  A row-version conflict (:class:`StaleDataError`, i.e. a
    model changed without :meth:`Workspace._lock_model`) becomes
    :class:`ConcurrentChangeError`.
    """

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self._s: Optional[Session] = None

    def __enter__(self) -> Session:
        pause = 0.05
        for attempt in range(WRITE_ATTEMPTS):
            s = self._ws._write_sessions()
            try:
                s.begin()
                s.connection()  # BEGIN (IMMEDIATE) now, not at the first statement
                _audit_lock(s)  # PostgreSQL: writers take turns, as on SQLite
            except OperationalError as e:
                s.close()
                if _is_locked(e) and attempt + 1 < WRITE_ATTEMPTS:
                    time.sleep(pause)
                    pause *= 2
                    continue
                raise _db_error(self._ws, e) from None
            except BaseException:
                s.close()
                raise
            self._s = s
            return s
        raise AssertionError("unreachable")  # pragma: no cover

    def __exit__(self, exc_type, exc, tb) -> bool:
        s = self._s
        assert s is not None
        try:
            if exc_type is None:
                try:
                    s.commit()
                except OperationalError as e:
                    s.rollback()
                    raise _db_error(self._ws, e) from None
                except IntegrityError as e:
                    s.rollback()
                    raise WorkspaceError(f"workspace {self._ws.label} refused the change: {e.orig}") from None
                except StaleDataError:
                    s.rollback()
                    raise _stale_error(self._ws) from None
            else:
                s.rollback()
                if isinstance(exc, OperationalError):
                    raise _db_error(self._ws, exc) from None
                if isinstance(exc, StaleDataError):
                    raise _stale_error(self._ws) from None
        finally:
            s.close()
        return False


def _audit_lock(s: Session) -> Optional[str]:
    """On PostgreSQL: take the workspace's write lock (a transaction-level advisory lock)
    and return the database's ``current_user`` (one round trip, once per transaction);
    ``None`` on SQLite, whose ``BEGIN IMMEDIATE`` already serialises writers.

    :class:`_WriteTx` takes it first thing, so every write transaction takes its locks
    in the same order (this one, then rows: no lock-order deadlock between, say, a
    registry sync and a status change), and audit ``seq`` order is commit order, which
    an audit hash chain relies on.  Reads never wait for it.
    """
    if "db_user" in s.info:
        return s.info["db_user"]
    user = None
    if s.get_bind().dialect.name == "postgresql":
        user = s.execute(
            text("SELECT current_user, pg_advisory_xact_lock(:a, :b)"), {"a": PG_LOCK_CLASS, "b": PG_LOCK_AUDIT}
        ).scalar()
    s.info["db_user"] = user
    return user


def _changed_message(row: orm.RegisteredModelRow) -> str:
    who = row.updated_by or "another user"
    when = row.updated_at.strftime("%Y-%m-%d %H:%M:%S") if row.updated_at else "an unknown time"
    return f"model {row.name!r} was changed by {who} at {when} (UTC); reload and try again"


def _stale_error(ws: Workspace) -> ConcurrentChangeError:
    return ConcurrentChangeError(
        f"a model in workspace {ws.label} was changed by someone else meanwhile; nothing was saved; "
        "reload and try again"
    )


def _db_error(ws: Workspace, exc: SQLAlchemyError) -> WorkspaceError:
    msg = str(getattr(exc, "orig", exc))
    state = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if state == "55P03":  # PostgreSQL lock_timeout: another writer holds the lock too long
        return WorkspaceError(
            f"workspace {ws.label} is busy: another console has held its write lock for over "
            f"{db.PG_LOCK_TIMEOUT_S} s; nothing was saved, try again"
        )
    if state in ("40001", "40P01"):  # PostgreSQL serialization failure / deadlock
        return WorkspaceError(
            f"workspace {ws.label}: another console changed the same records at the same moment; "
            "nothing was saved, try again"
        )
    if "locked" in msg:
        return WorkspaceError(f"workspace {ws.label} is locked by another program; nothing was saved, try again")
    if "readonly" in msg or "read-only" in msg:
        return WorkspaceError(f"workspace {ws.label} is read-only; nothing was saved")
    return WorkspaceError(f"workspace {ws.label}: {msg}; nothing was saved")


def _mirror_status(m: orm.RegisteredModelRow, sources: dict[int, orm.RegistrySourceRow],
                   version_changed_at: Optional[datetime] = None) -> dict[str, Any]:
    """The registry-mirror fields of an inventory row (see :class:`ModelSummary`);
    ``changed_on_server_at`` is the latest change noticed on the model or any of its
    versions (``version_changed_at``)."""
    if m.source_id is None:
        if m.snapshot_sha256 is None:  # a local model
            return {}
        status, confirmed = "removed", m.synced_at
    else:
        src = sources.get(m.source_id)
        ok = src is None or src.last_sync_status in (None, "ok")
        status = "ok" if ok else "offline"
        confirmed = m.synced_at
        if src is not None and src.last_success_at is not None and m.deleted_on_server_at is None:
            confirmed = max(confirmed, src.last_success_at) if confirmed else src.last_success_at
    return {
        "source_status": status,
        "synced_at": confirmed,
        "changed_on_server_at": max(filter(None, (m.changed_on_server_at, version_changed_at)), default=None),
        "deleted_on_server_at": m.deleted_on_server_at,
    }


def _registry_aliases(s: Session, m: orm.RegisteredModelRow) -> tuple[RegistryAlias, ...]:
    """The server aliases of a pulled model, by name, with broken / conflict flags."""
    rows = s.scalars(select(orm.RegistryAliasRow).where(orm.RegistryAliasRow.model_id == m.id)
                     .order_by(orm.RegistryAliasRow.name)).all()
    if not rows:
        return ()
    numbers = {v.id: v.version for v in m.versions}
    own = {a.name: a.version.version for a in m.aliases}
    out = []
    for r in rows:
        number = numbers.get(r.version_id) if r.version_id is not None else None
        conflict = None
        theirs = f"v{number}" if number is not None else f"deleted version {r.external_version}"
        if r.name in own and own[r.name] != number:
            conflict = (f"registry {m.source} has '{r.name}' on {theirs}; Tollgate's '{r.name}' is "
                        f"v{own[r.name]}")
        elif r.name == "champion" and "champion" not in own:
            # DESIGN.md: Tollgate's champion moves only through its own approval; the
            # registry's is mirrored, never adopted, and the difference is flagged.
            conflict = (f"registry {m.source} has 'champion' on {theirs}; Tollgate has no champion "
                        "for this model (its champion is set through Tollgate, not taken from the registry)")
        out.append(RegistryAlias(name=r.name, source=m.source, external_version=r.external_version,
                                 version=number, broken=r.version_id is None, synced_at=r.synced_at,
                                 conflict=conflict))
    return tuple(out)


def drift_window_row(position: int, label: str, start: Optional[str], end: Optional[str], n_rows: int,
                     data_sha256: str, res: Any) -> orm.DriftWindowRow:
    """The ``drift_window`` row (with one ``drift_feature`` row per column, target last)
    of one window's :class:`console.monitoring.drift.DriftResult` ``res``; its ``status``
    is the worst status of the tested feature columns (target excluded).  Shared by
    :meth:`Workspace.record_drift_run` and :mod:`console.services.monitoring`."""
    doc = res.to_json()
    statuses = [c.status for c in res.columns if c.tested and c.status is not None]
    wrow = orm.DriftWindowRow(
        position=position,
        label=label,
        start=start,
        end=end,
        n_rows=n_rows,
        data_sha256=data_sha256,
        dataset_drift=bool(doc["dataset_drift"]),
        n_tested=int(doc["n_tested"]),
        n_drifted=int(doc["n_drifted"]),
        status=_worst_status(statuses),
    )
    cols = list(res.columns)
    if res.target is not None:
        cols.append(res.target)
    for j, c in enumerate(cols):
        cdoc = _finite(c.to_json())
        st = c.status.value if hasattr(c.status, "value") else c.status
        wrow.features.append(
            orm.DriftFeatureRow(
                position=j,
                name=str(c.name),
                kind=str(c.kind),
                tested=bool(c.tested),
                is_target=res.target is not None and c is res.target,
                psi=cdoc.get("psi"),
                status=st,
                result=cdoc,
                distribution=_finite(c.distribution) if getattr(c, "distribution", None) else None,
            )
        )
    return wrow


def _worst_status(statuses: Iterable[Any]) -> Optional[str]:
    order = {"stable": 0, "warning": 1, "drift": 2}
    vals = [s.value if hasattr(s, "value") else s for s in statuses]
    vals = [v for v in vals if v in order]
    return max(vals, key=order.__getitem__) if vals else None


def _finite(obj: Any) -> Any:
    return json_safe(obj)


def _sklearn_version() -> str:
    import sklearn

    return sklearn.__version__


def _estimator_class(est: Any) -> str:
    try:
        from sklearn.pipeline import Pipeline

        if isinstance(est, Pipeline):
            return f"Pipeline({type(est.steps[-1][1]).__name__})"
    except ImportError:  # pragma: no cover
        pass
    return type(est).__name__


def _jsonable_params(est: Any) -> dict[str, Any]:
    """The estimator's hyperparameters (``get_params(deep=True)``), JSON-safe: nested
    estimators and other objects are given by class name."""
    try:
        params = est.get_params(deep=True)
    except Exception:
        return {}
    out: dict[str, Any] = {}
    for k, v in sorted(params.items()):
        if isinstance(v, (str, int, float, bool)) or v is None:
            out[k] = v
        elif isinstance(v, (list, tuple)) and all(isinstance(x, (str, int, float, bool)) or x is None for x in v):
            out[k] = list(v)
        else:
            continue  # nested estimators appear through their own flattened keys
    return _finite(out)
