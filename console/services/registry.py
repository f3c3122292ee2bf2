"""Registry sources: add / test / remove MLflow servers and sync their read-only mirror.

The :class:`console.services.workspace.Workspace` methods ``add_registry``,
``list_registries``, ``remove_registry``, ``test_registry``, ``sync_registries`` and
``set_registry_secret`` delegate here.

What a sync does, per source (``sync_source``):

1. *Fetch* everything over the network first (:meth:`MlflowConnection.fetch`): models,
   versions, aliases, tags, descriptions, run lineage.  Nothing is written yet, so an
   unreachable server, a refused password or a cancel leaves the workspace untouched
   (the source row then records the failure: ``last_sync_status`` ``unreachable`` |
   ``auth`` | ``error``, with the message; the pulled copy stays as it was).
2. *Apply* it in **one** write transaction: new models/versions are inserted; each
   model/version carries ``snapshot_sha256``, the SHA-256 of the canonical JSON
   (``sort_keys``, compact separators, ``ensure_ascii=False``, UTF-8; NaN/inf as null)
   of exactly the document that was pulled (:func:`console.store.mlflow.model_doc`,
   :func:`~console.store.mlflow.version_doc`).  Same hash: the row is not touched.
   Different hash: the mirror columns are updated, ``changed_on_server_at`` set and an
   audit event records old → new of the fields that changed.  A model or version the
   server no longer lists gets ``deleted_on_server_at`` (once, audited) and is never
   deleted; one that reappears has the mark cleared (audited).  Server aliases go to
   ``registry_alias`` only: an alias pointing at a version the server no longer lists is
   kept as *broken* (``version_id`` NULL), also when the server dropped the alias along
   with the deleted version (MLflow does), so nothing can rely on it silently; an alias
   removed on the server while its version still exists is removed from the mirror.
   One ``registry.sync`` audit event per source records the counts.  A model whose name
   is longer than the workspace holds (:data:`MAX_MODEL_NAME`) is skipped and reported
   (``skipped_models``), never stored cut short; any other value the workspace database
   refuses (PostgreSQL: too long, out of range) fails that source with a clear
   :class:`RegistryError`, nothing of it saved, and the other sources still sync.

Local governance fields are never overwritten by a sync: lifecycle status, risk tier,
Tollgate's own aliases (``champion``).  A newly pulled model starts as
``development`` with risk tier 1 (the strictest, until an officer tiers it), task from
the server's ``task`` tag (``classification`` | ``regression``) else ``unknown``, owner
from its ``owner`` tag else empty; a later ``task``/``owner`` tag fills them only while
they are still unknown/empty.

Removing a registry forgets its secret and deletes its ``registry_source`` row; the
models pulled from it stay as history (``source`` keeps the registry's name,
``source_id`` becomes NULL, shown with source status ``removed``).  Adding a registry of
the same name again re-attaches them on the next sync.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timezone
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from console.domain.models import LifecycleStatus, RegistrySource, SyncResult, TaskType
from console.errors import Cancelled, InputError, NotFoundError, WorkspaceError
from console.jobs import CancelToken, ProgressFn, checkpoint, report, scaled
from console.jsonutil import json_safe
from console.store import convert, orm
from console.store.mlflow import (
    CONNECT_TIMEOUT,
    READ_TIMEOUT,
    Fetched,
    FetchedModel,
    MlflowConnection,
    RegistryAuthError,
    RegistryError,
    RegistryUnreachable,
    check_url,
)
from console.store.orm import utcnow
from console.store.secrets import SecretStore, SecretStoreError, registry_key

__all__ = [
    "RegistryError",
    "RegistryUnreachable",
    "RegistryAuthError",
    "SecretStoreError",
    "snapshot_sha256",
    "AUTH_KINDS",
    "INITIAL_RISK_TIER",
]

AUTH_KINDS = ("none", "basic", "token")
#: Risk tier of a newly pulled model: 1, the strictest, until an officer tiers it.
INITIAL_RISK_TIER = 1
#: Reserved source name of models registered in Tollgate itself.
LOCAL = "local"
#: Longest model name the workspace can hold (``registered_model.name``).  MLflow on a
#: SQL database allows 256 characters, but MLflow on SQLite does not check: longer names
#: are skipped by a sync and reported (``skipped_models``), never cut short.
MAX_MODEL_NAME = orm.RegisteredModelRow.__table__.c.name.type.length
#: Largest version number a version row holds (a 32-bit INTEGER column).
MAX_VERSION_NUMBER = 2**31 - 1


def snapshot_sha256(doc: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``doc``: keys sorted, separators ``,``
    and ``:``, non-ASCII kept (``ensure_ascii=False``), UTF-8, NaN/inf as ``null``."""
    text = json.dumps(json_safe(doc), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- sources
def workspace_id(ws) -> str:
    """The workspace's UUID (``workspace_info``), which keys its secrets in the keyring."""
    with ws._session() as s:
        row = s.get(orm.WorkspaceInfoRow, "workspace_id")
        if row is None:
            raise WorkspaceError(f"workspace {ws.label} has no workspace id; open it with this version of Tollgate to upgrade it")
        return row.value


def _check_name(name: str) -> str:
    text = (name or "").strip()
    if not text:
        raise InputError("the registry needs a display name, e.g. mlflow-prod")
    if len(text) > 200 or any(not ch.isprintable() for ch in text):
        raise InputError("a registry name must be 1-200 printable characters without line breaks")
    if text.lower() == LOCAL:
        raise InputError(f"{text!r} is reserved for models registered in Tollgate itself; pick another registry name")
    return text


def list_registries(ws) -> list[RegistrySource]:
    with ws._session() as s:
        rows = s.scalars(select(orm.RegistrySourceRow).order_by(orm.RegistrySourceRow.name)).all()
        return [convert.registry_source(r) for r in rows]


def _source_row(s: Session, ws, name: str) -> orm.RegistrySourceRow:
    row = s.scalar(select(orm.RegistrySourceRow).where(orm.RegistrySourceRow.name == name))
    if row is None:
        names = s.scalars(select(orm.RegistrySourceRow.name).order_by(orm.RegistrySourceRow.name)).all()
        hint = f"; registries here: {', '.join(names)}" if names else "; this workspace has no registry (tollgate registry add-mlflow)"
        raise NotFoundError(f"no registry named {name!r} in workspace {ws.label}{hint}")
    return row


def add_registry(
    ws,
    name: str,
    url: str,
    *,
    username: Optional[str] = None,
    auth: str = "none",
    secret: Optional[str] = None,
    session_only: bool = False,
    actor: str,
    kind: str = "mlflow",
) -> RegistrySource:
    """Add an MLflow registry source (see ``Workspace.add_registry``)."""
    name = _check_name(name)
    url = check_url(url)
    if auth not in AUTH_KINDS:
        raise InputError(f"auth must be one of {', '.join(AUTH_KINDS)} (got {auth!r})")
    if kind != "mlflow":
        raise InputError(f"registry kind {kind!r} is not supported (only mlflow)")
    username = (username or "").strip() or None
    if auth == "basic" and not username:
        raise InputError("basic authentication needs a user name (--username)")
    if auth != "none" and not secret:
        raise InputError(f"registry {name} uses {auth} authentication but no {'password' if auth == 'basic' else 'token'} was given")
    if auth == "none":
        secret = None
    with ws._session() as s:
        if s.scalar(select(orm.RegistrySourceRow.id).where(orm.RegistrySourceRow.name == name)) is not None:
            raise InputError(f"a registry named {name!r} already exists in workspace {ws.label}; pick another name or remove it first")
    key = registry_key(workspace_id(ws), name)
    store = SecretStore()
    where = None
    if secret:
        where = store.set(key, secret, session_only=session_only)  # SecretStoreError: nothing written
    try:
        with ws._write() as s:
            row = orm.RegistrySourceRow(
                name=name, kind=kind, url=url, username=username, auth=auth,
                created_at=utcnow(), created_by=actor,
            )
            s.add(row)
            s.flush()
            ws._audit(s, actor, "registry.added", "registry_source", row.id,
                      new={"name": name, "kind": kind, "url": url, "username": username, "auth": auth,
                           "secret": where or "none"})
            return convert.registry_source(row)
    except BaseException:
        if secret:
            store.delete(key)
        raise


def set_registry_secret(ws, name: str, secret: str, *, session_only: bool = False, actor: str) -> str:
    """Store a new password/token for registry ``name`` (keyring, or session memory);
    returns ``"keyring"`` or ``"session"``.  Audited (without the secret)."""
    with ws._session() as s:
        row = _source_row(s, ws, name)
        if row.auth == "none":
            raise InputError(f"registry {name} uses no authentication; there is no secret to set")
    where = SecretStore().set(registry_key(workspace_id(ws), name), secret, session_only=session_only)
    if where == "session":  # memory of this process only: nothing in the workspace changed
        return where
    with ws._write() as s:
        row = _source_row(s, ws, name)
        ws._audit(s, actor, "registry.secret_set", "registry_source", row.id, new={"name": name, "secret": where})
    return where


def remove_registry(ws, name: str, *, actor: str) -> int:
    """Remove registry ``name``: forget its secret, delete its source row, keep the
    models pulled from it as history (``source_id`` NULL, ``source`` unchanged).
    Returns how many models were kept.  Audited."""
    with ws._write() as s:
        row = _source_row(s, ws, name)
        models = s.scalars(select(orm.RegisteredModelRow).where(orm.RegisteredModelRow.source_id == row.id)).all()
        for m in models:
            m.source_id = None
        s.flush()
        ws._audit(s, actor, "registry.removed", "registry_source", row.id,
                  old={"name": row.name, "url": row.url, "username": row.username, "auth": row.auth},
                  new={"models_kept_as_history": len(models)})
        s.delete(row)
    SecretStore().delete(registry_key(workspace_id(ws), name))
    return len(models)


def _connection(ws, src: RegistrySource, *, secret: Optional[str] = None, page_size: Optional[int] = None,
                connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT) -> MlflowConnection:
    if src.auth != "none" and secret is None:
        secret = SecretStore().get(registry_key(workspace_id(ws), src.name))
        if not secret:
            raise RegistryAuthError(
                f"no {'password' if src.auth == 'basic' else 'token'} is stored for registry {src.name} "
                "(it was kept for one session only, or the OS keyring is locked or was reset); "
                f"enter it again (GUI: Connections; CLI: tollgate registry set-secret {src.name}, or for one run: "
                f"tollgate registry sync {src.name} --secret-stdin)"
            )
    try:
        return MlflowConnection(src.url, name=src.name, username=src.username, auth=src.auth, secret=secret,
                                page_size=page_size, connect_timeout=connect_timeout, read_timeout=read_timeout)
    except InputError as exc:  # a URL stored before check_url was this strict: this source fails, not the sync
        raise RegistryError(f"registry {src.name}: {exc}; remove it and add it again with a valid URL") from None


def test_registry(
    ws,
    name: Optional[str] = None,
    *,
    url: Optional[str] = None,
    username: Optional[str] = None,
    auth: str = "none",
    secret: Optional[str] = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
) -> float:
    """Round-trip milliseconds of one cheap authenticated call to a registry: the
    stored one ``name`` (``secret`` overrides the stored secret), or an unsaved one
    given by ``url`` / ``username`` / ``auth`` / ``secret``.  Raises
    :class:`RegistryUnreachable`, :class:`RegistryAuthError`, :class:`RegistryError`."""
    if name is not None:
        with ws._session() as s:
            src = convert.registry_source(_source_row(s, ws, name))
        conn = _connection(ws, src, secret=secret, connect_timeout=connect_timeout, read_timeout=read_timeout)
    else:
        if auth not in AUTH_KINDS:
            raise InputError(f"auth must be one of {', '.join(AUTH_KINDS)} (got {auth!r})")
        conn = MlflowConnection(check_url(url or ""), username=username, auth=auth, secret=secret,
                                connect_timeout=connect_timeout, read_timeout=read_timeout)
    with conn:
        return conn.ping()


# ---------------------------------------------------------------------- sync
def sync_registries(
    ws,
    names: Optional[Sequence[str]] = None,
    *,
    actor: str,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    page_size: Optional[int] = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
) -> list[SyncResult]:
    """Sync every registry source (or those in ``names``), one after the other.

    A source that fails (unreachable, wrong credentials, server error) is recorded
    (``SyncResult.ok`` False, ``last_sync_*`` on its row, a ``registry.sync`` audit
    event) and the others still sync.  Each source is applied in one transaction; a
    cancel raises :class:`console.errors.Cancelled` and leaves the source being synced
    untouched (sources finished before it stay synced).  Unknown names raise
    :class:`NotFoundError` before anything is fetched.
    """
    sources = list_registries(ws)
    if names:
        wanted = list(dict.fromkeys(names))
        by_name = {s.name: s for s in sources}
        missing = [n for n in wanted if n not in by_name]
        if missing:
            with ws._session() as s:
                _source_row(s, ws, missing[0])  # raises NotFoundError with the list
        sources = [by_name[n] for n in wanted]
    results = []
    n = max(1, len(sources))
    for i, src in enumerate(sources):
        checkpoint(cancel)
        sub = scaled(progress, i / n, (i + 1) / n)
        results.append(sync_source(ws, src, actor=actor, progress=sub, cancel=cancel, page_size=page_size,
                                   connect_timeout=connect_timeout, read_timeout=read_timeout))
    report(progress, 1.0, "Registries synced" if all(r.ok for r in results) else "Some registries could not be synced")
    return results


def sync_source(
    ws,
    src: RegistrySource,
    *,
    actor: str,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    page_size: Optional[int] = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
) -> SyncResult:
    """Sync one source (see the module docstring); never raises for a registry
    failure (it is in the result), only for cancel and workspace errors."""
    t0 = time.perf_counter()
    try:
        conn = _connection(ws, src, page_size=page_size, connect_timeout=connect_timeout, read_timeout=read_timeout)
        with conn:
            fetched = conn.fetch(progress=scaled(progress, 0.0, 0.85), cancel=cancel)
        checkpoint(cancel)
        report(progress, 0.86, f"{src.name}: saving the pulled inventory")
        try:
            stats = _apply(ws, src, fetched, actor, cancel, t0)  # one transaction; rolled back on any error
        except DataError as exc:  # a value the workspace database cannot hold (PostgreSQL: too long, out of range)
            text = str(exc.orig or exc).strip()
            reason = text.splitlines()[0] if text else type(exc).__name__
            raise RegistryError(f"registry {src.name} sent a value this workspace cannot store ({reason}); "
                                "nothing from it was saved") from None
    except Cancelled:
        raise
    except (RegistryError, SecretStoreError) as exc:
        status = "unreachable" if isinstance(exc, RegistryUnreachable) else "auth" if isinstance(exc, RegistryAuthError) else "error"
        msg = str(exc)
        seconds = time.perf_counter() - t0
        _record_failure(ws, src, status, msg, actor, seconds)
        report(progress, 1.0, f"{src.name}: {status}")
        return SyncResult(src.name, False, error=msg, seconds=seconds, status=status)
    report(progress, 1.0, f"{src.name}: {fetched.n_versions} versions of {len(fetched.models)} models")
    return SyncResult(
        src.name, True, models=stats["models"], versions=stats["versions"], new=stats["new"],
        changed=stats["changed"], deleted=stats["deleted"], seconds=time.perf_counter() - t0,
        detail={k: v for k, v in stats.items() if k not in ("models", "versions", "new", "changed", "deleted", "seconds")},
    )


def _record_failure(ws, src: RegistrySource, status: str, msg: str, actor: str, seconds: float) -> None:
    with ws._write() as s:
        row = s.get(orm.RegistrySourceRow, src.id)
        if row is None:  # removed meanwhile
            return
        row.last_sync_at = utcnow()
        row.last_sync_status = status
        row.last_sync_error = msg
        ws._audit(s, actor, "registry.sync", "registry_source", src.id,
                  new={"registry": src.name, "ok": False, "status": status, "error": msg, "seconds": round(seconds, 3)})


def _ms(ts: Any) -> Optional[datetime]:
    try:
        return datetime.fromtimestamp(int(ts) / 1000.0, tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _task_from(tags: dict[str, str]) -> Optional[str]:
    for key in ("task", "tollgate.task", "task_type"):
        val = (tags.get(key) or "").strip().lower()
        if val in (TaskType.CLASSIFICATION.value, TaskType.REGRESSION.value):
            return val
    return None


def _owner_from(tags: dict[str, str]) -> Optional[str]:
    for key in ("owner", "tollgate.owner"):
        val = (tags.get(key) or "").strip()
        if val:
            return val[:200]
    return None


# Version row <-> pulled document ------------------------------------------------
_REGISTRY_KEYS = ("creation_timestamp", "run_link", "status", "current_stage", "user_id", "model_id")


def _version_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """Column values of a pulled version's row (the mirror part)."""
    lineage = dict(doc.get("lineage") or {})
    lineage["registry"] = {k: doc.get(k) for k in _REGISTRY_KEYS}
    params = (doc.get("lineage") or {}).get("params") or {}
    metrics = {}
    for k, v in ((doc.get("lineage") or {}).get("metrics") or {}).items():
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if f == f and f not in (float("inf"), float("-inf")):
            metrics[k] = f
    return {
        "description": doc.get("description") or "",
        "source_uri": doc.get("source"),
        "run_id": doc.get("run_id"),
        "tags": dict(doc.get("tags") or {}),
        "lineage": json_safe(lineage),
        "hyperparameters": json_safe(dict(params)),
        "metrics": metrics,
        "training_schema": _schema_of(doc),
        "target_column": _target_of(doc),
    }


def _target_of(doc: dict[str, Any]) -> str:
    """The version's ``target`` tag as its target column; a value too long to be a column
    name the workspace can hold (MLflow tag values may have 100,000 characters) is left
    out rather than cut short (it stays in ``tags``)."""
    target = str((doc.get("tags") or {}).get("target", "") or "")
    return target if len(target) <= orm.ModelVersionRow.__table__.c.target_column.type.length else ""


def _schema_of(doc: dict[str, Any]) -> dict[str, str]:
    datasets = (doc.get("lineage") or {}).get("datasets") or []
    ds = next((d for d in datasets if d.get("context") == "training"), datasets[0] if datasets else None)
    schema = ds.get("schema") if ds else None
    cols = schema.get("mlflow_colspec") if isinstance(schema, dict) else None
    out = {}
    for c in cols or []:
        if isinstance(c, dict) and c.get("name") is not None:
            out[str(c["name"])] = str(c.get("type", ""))
    return out


def _doc_from_row(v: orm.ModelVersionRow) -> dict[str, Any]:
    """Rebuild the pulled document of a version from its row (for old → new diffs)."""
    lineage = dict(v.lineage or {})
    reg = lineage.pop("registry", {}) or {}
    doc = {
        "name": v.model.name,
        "version": v.external_version,
        "description": v.description,
        "source": v.source_uri,
        "run_id": v.run_id,
        "tags": dict(v.tags or {}),
        "lineage": lineage or None,
    }
    doc.update({k: reg.get(k) for k in _REGISTRY_KEYS})
    return doc


def _diff(old: dict[str, Any], new: dict[str, Any], nested: Iterable[str] = ("lineage",)) -> tuple[dict, dict]:
    """Keys whose values differ: (old values, new values); ``nested`` keys are diffed
    one level down."""
    o, n = {}, {}
    for k in sorted(set(old) | set(new)):
        a, b = old.get(k), new.get(k)
        if json_safe(a) == json_safe(b):
            continue
        if k in nested and isinstance(a, dict) and isinstance(b, dict):
            so, sn = _diff(a, b, ())
            o[k], n[k] = so, sn
        else:
            o[k], n[k] = a, b
    return o, n


def _apply(ws, src: RegistrySource, fetched: Fetched, actor: str, cancel: Optional[CancelToken], t0: float) -> dict[str, int]:
    now = utcnow()
    st = dict(models=len(fetched.models), versions=fetched.n_versions, new=0, changed=0, deleted=0,
              new_models=0, new_versions=0, changed_models=0, changed_versions=0, deleted_models=0,
              deleted_versions=0, reappeared=0, broken_aliases=0, requests=fetched.requests)
    reg = src.name
    with ws._write() as s:
        srow = s.get(orm.RegistrySourceRow, src.id)
        if srow is None:
            raise NotFoundError(f"registry {src.name} was removed while it was being synced; nothing was saved")
        existing = {m.name: m for m in s.scalars(
            select(orm.RegisteredModelRow).where(
                (orm.RegisteredModelRow.source_id == src.id)
                | ((orm.RegisteredModelRow.source_id.is_(None)) & (orm.RegisteredModelRow.source == reg))
            )).all()}
        ids = [m.id for m in existing.values()]
        versions: dict[int, dict[str, orm.ModelVersionRow]] = {i: {} for i in ids}
        aliases: dict[int, dict[str, orm.RegistryAliasRow]] = {i: {} for i in ids}
        for chunk in _chunks(ids, 500):
            for v in s.scalars(select(orm.ModelVersionRow).where(orm.ModelVersionRow.model_id.in_(chunk))).all():
                if v.external_version is not None:
                    versions[v.model_id][v.external_version] = v
            for a in s.scalars(select(orm.RegistryAliasRow).where(orm.RegistryAliasRow.model_id.in_(chunk))).all():
                aliases[a.model_id][a.name] = a

        seen: set[str] = set()
        skipped: list[str] = []
        for fm in fetched.models:
            checkpoint(cancel)
            name = fm.doc["name"]
            seen.add(name)
            if len(name) > MAX_MODEL_NAME:  # never stored cut short: reported instead
                skipped.append(name)
                continue
            m = existing.get(name)
            if m is None:
                m = _new_model(s, ws, src, fm, actor, now)
                existing[name] = m
                versions[m.id], aliases[m.id] = {}, {}
                st["new_models"] += 1
                new_model = True
            else:
                new_model = False
                _update_model(s, ws, src, m, fm, aliases[m.id], actor, now, st)
            vmap = versions[m.id]
            added = []
            server_versions = set()
            for doc in fm.versions:
                ext = doc["version"]
                server_versions.add(ext)
                h = snapshot_sha256(doc)
                v = vmap.get(ext)
                if v is None:
                    v = _new_version(s, m, doc, h, now)
                    vmap[ext] = v
                    added.append(ext)
                    st["new_versions"] += 1
                    continue
                if v.deleted_on_server_at is not None:
                    ws._audit(s, actor, "registry.version_reappeared", "model_version", v.id, model_id=m.id,
                              old={"deleted_on_server_at": v.deleted_on_server_at.isoformat()},
                              new={"registry": reg, "version": ext})
                    v.deleted_on_server_at = None
                    st["reappeared"] += 1
                if v.snapshot_sha256 != h:
                    old, new = _diff(_doc_from_row(v), doc)
                    for k, val in _version_fields(doc).items():
                        setattr(v, k, val)
                    old["snapshot_sha256"], new["snapshot_sha256"] = v.snapshot_sha256, h
                    v.snapshot_sha256 = h
                    v.changed_on_server_at = now
                    v.synced_at = now
                    new["registry"] = reg
                    new["version"] = ext
                    ws._audit(s, actor, "registry.version_changed", "model_version", v.id, model_id=m.id, old=old, new=new)
                    st["changed_versions"] += 1
            for ext, v in vmap.items():
                if ext not in server_versions and v.deleted_on_server_at is None:
                    v.deleted_on_server_at = now
                    ws._audit(s, actor, "registry.version_deleted", "model_version", v.id, model_id=m.id,
                              new={"registry": reg, "version": ext})
                    st["deleted_versions"] += 1
            s.flush()
            if new_model:
                ws._audit(s, actor, "registry.model_pulled", "registered_model", m.id, model_id=m.id,
                          new={"registry": reg, "name": name, "versions": added, "risk_tier": m.risk_tier,
                               "status": m.status, "task": m.task, "owner": m.owner})
            elif added:
                for ext in added:
                    ws._audit(s, actor, "registry.version_pulled", "model_version", vmap[ext].id, model_id=m.id,
                              new={"registry": reg, "version": ext})
            st["broken_aliases"] += _sync_aliases(s, m, fm.doc["aliases"], vmap, aliases[m.id], now)

        for name, m in existing.items():
            if name in seen:
                continue
            checkpoint(cancel)
            if m.source_id is None:
                m.source_id = src.id
            if m.deleted_on_server_at is None:
                m.deleted_on_server_at = now
                ws._audit(s, actor, "registry.model_deleted", "registered_model", m.id, model_id=m.id,
                          new={"registry": reg, "name": name})
                st["deleted_models"] += 1
            for ext, v in versions[m.id].items():
                if v.deleted_on_server_at is None:
                    v.deleted_on_server_at = now
                    st["deleted_versions"] += 1
            st["broken_aliases"] += _sync_aliases(s, m, {}, versions[m.id], aliases[m.id], now)

        st["skipped_models"] = len(skipped)
        if skipped:
            names = set(skipped)
            st["versions"] -= sum(len(fm.versions) for fm in fetched.models if fm.doc["name"] in names)
            st["models"] -= len(skipped)
        st["new"] = st["new_models"] + st["new_versions"]
        st["changed"] = st["changed_models"] + st["changed_versions"]
        st["deleted"] = st["deleted_models"] + st["deleted_versions"]
        st["seconds"] = round(time.perf_counter() - t0, 3)
        srow.last_sync_at = now
        srow.last_sync_status = "ok"
        srow.last_sync_error = None
        srow.last_success_at = now
        srow.last_sync_stats = {k: v for k, v in st.items()}
        ws._audit(s, actor, "registry.sync", "registry_source", src.id,
                  new={"registry": reg, "ok": True, **{k: st[k] for k in (
                      "models", "versions", "new", "changed", "deleted", "reappeared", "broken_aliases", "seconds")},
                      **({"skipped_models": [n[:80] + "…" for n in skipped[:20]],
                          "skipped_reason": f"name longer than {MAX_MODEL_NAME} characters"} if skipped else {})})
    return st


def _chunks(items: list, n: int) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _new_model(s: Session, ws, src: RegistrySource, fm: FetchedModel, actor: str, now: datetime) -> orm.RegisteredModelRow:
    doc = fm.doc
    created = _ms(doc.get("creation_timestamp")) or now
    m = orm.RegisteredModelRow(
        name=doc["name"],
        source=src.name,
        source_id=src.id,
        description=doc["description"],
        owner=_owner_from(doc["tags"]) or "",
        risk_tier=INITIAL_RISK_TIER,
        status=LifecycleStatus.DEVELOPMENT.value,
        task=_task_from(doc["tags"]) or TaskType.UNKNOWN.value,
        created_at=created,
        updated_at=now,
        updated_by=actor,
        tags=dict(doc["tags"]),
        snapshot_sha256=snapshot_sha256(doc),
        synced_at=now,
    )
    s.add(m)
    s.flush()
    return m


def _update_model(s: Session, ws, src: RegistrySource, m: orm.RegisteredModelRow, fm: FetchedModel,
                  alias_rows: dict[str, orm.RegistryAliasRow], actor: str, now: datetime, st: dict) -> None:
    doc = fm.doc
    reg = src.name
    if m.source_id is None:
        m.source_id = src.id
        ws._audit(s, actor, "registry.model_reattached", "registered_model", m.id, model_id=m.id,
                  new={"registry": reg, "name": m.name})
    if m.deleted_on_server_at is not None:
        ws._audit(s, actor, "registry.model_reappeared", "registered_model", m.id, model_id=m.id,
                  old={"deleted_on_server_at": m.deleted_on_server_at.isoformat()}, new={"registry": reg, "name": m.name})
        m.deleted_on_server_at = None
        st["reappeared"] += 1
    h = snapshot_sha256(doc)
    if m.snapshot_sha256 == h:
        return
    old_doc = {
        "description": m.description,
        "tags": dict(m.tags or {}),
        "aliases": {a.name: a.external_version for a in alias_rows.values()},
    }
    new_doc = {k: doc[k] for k in old_doc}
    old, new = _diff(old_doc, new_doc, ())
    m.description = doc["description"]
    m.tags = dict(doc["tags"])
    # Governance fields stay Tollgate's; only still-unknown ones are filled from tags.
    task = _task_from(doc["tags"])
    if m.task == TaskType.UNKNOWN.value and task:
        old["task"], new["task"] = m.task, task
        m.task = task
    owner = _owner_from(doc["tags"])
    if not m.owner and owner:
        old["owner"], new["owner"] = m.owner, owner
        m.owner = owner
    old["snapshot_sha256"], new["snapshot_sha256"] = m.snapshot_sha256, h
    new["registry"] = reg
    m.snapshot_sha256 = h
    m.changed_on_server_at = now
    m.synced_at = now
    m.updated_at = now
    ws._audit(s, actor, "registry.model_changed", "registered_model", m.id, model_id=m.id, old=old, new=new)
    st["changed_models"] += 1


def _new_version(s: Session, m: orm.RegisteredModelRow, doc: dict[str, Any], h: str, now: datetime) -> orm.ModelVersionRow:
    ext = doc["version"]
    if not (ext.isascii() and ext.isdigit() and int(ext) <= MAX_VERSION_NUMBER):
        raise RegistryError(f"registry version {ext[:40]!r} of model {m.name!r} is not a version number "
                            f"(1 to {MAX_VERSION_NUMBER}); cannot mirror it")
    lineage = doc.get("lineage") or {}
    created_by = doc.get("user_id") or ((lineage.get("run") or {}).get("user_id")) or ""
    fields = _version_fields(doc)
    v = orm.ModelVersionRow(
        model_id=m.id,
        version=int(ext),
        framework="MLflow",
        estimator_class=(doc.get("tags") or {}).get("estimator", "")[:300],
        artifact_sha256=None,
        data_sha256="",
        holdout_sha256=None,
        reference_sha256=None,
        created_by=str(created_by)[:200],
        created_at=_ms(doc.get("creation_timestamp")) or now,
        external_version=ext,
        snapshot_sha256=h,
        synced_at=now,
        **fields,
    )
    s.add(v)
    return v


def _sync_aliases(s: Session, m: orm.RegisteredModelRow, server: dict[str, str],
                  vmap: dict[str, orm.ModelVersionRow], rows: dict[str, orm.RegistryAliasRow], now: datetime) -> int:
    """Mirror the server's aliases of ``m``; returns how many are broken now."""
    s.flush()  # version ids
    broken = 0

    def live(ext: str) -> Optional[orm.ModelVersionRow]:
        v = vmap.get(ext)
        return v if v is not None and v.deleted_on_server_at is None else None

    for name, ext in server.items():
        target = live(ext)
        vid = target.id if target is not None else None
        broken += vid is None
        row = rows.get(name)
        if row is None:
            row = orm.RegistryAliasRow(model_id=m.id, name=name, external_version=ext, version_id=vid, synced_at=now)
            s.add(row)
            rows[name] = row
        elif row.external_version != ext or row.version_id != vid:
            row.external_version, row.version_id, row.synced_at = ext, vid, now
    for name in [n for n in rows if n not in server]:
        row = rows[name]
        if live(row.external_version) is None:
            # The server dropped the alias with its version (or the whole model): keep
            # it, broken, so nothing relies on it silently.
            if row.version_id is not None:
                row.version_id, row.synced_at = None, now
            broken += 1
        else:
            s.delete(row)
            del rows[name]
    return broken

