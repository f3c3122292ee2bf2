"""Validation use cases (issue 6): run the tier's suite on a model version, re-run a
stored run, the per-tier validation plan, protected attributes, and the trust step for
pickle/joblib model files.

Called by the CLI (``tollgate validate``, ``tollgate validation plan``, ``tollgate
models protect|trust|register``), the GUI and the demo; :meth:`Workspace.run_validation`
delegates here.  The checks themselves are :mod:`console.validation.suite` (plain
functions, no SQL); this module only gathers their inputs, stores their results and
applies the governance rules:

* **Plan per tier** (:func:`current_plan`, :func:`set_plan`): which checks block and
  with which parameters.  Stored in ``validation_plan``, one row per edit (older
  versions kept); a tier without a row uses ``default_plan(tier)`` (DESIGN.md tier
  table: tier 1 every family blocks; tier 2 data, performance, fairness, loading; tier 3
  data, loading).  Only a Model Risk Manager (global role) or an Admin edits it; every
  edit is an audit event ``validation_plan.changed`` with the changed entries old → new;
  a refusal is a ``permission.refused`` event and :class:`PermissionDenied`.
* **Protected attributes** (:func:`set_protected_attributes`): the columns the fairness
  checks judge the model on.  Set by a Model Risk Manager or an Admin, or by a Data
  Scientist of the model (the role held for that model, or globally by the author of
  one of its versions): the developer knows the data, the independent validator may
  correct it, and every change is audited (``model.protected_attributes_set``, old → new).
* **Trust step** (:func:`trust_artifact`, :func:`register_version_from_file`): a skops
  file loads with the allow-list of :mod:`console.validation.loading`; a pickle/joblib
  file is refused unless a user trusted its exact SHA-256 (``artifact.trusted`` audit
  event).  Changing one byte changes the hash, so a changed file is refused again (the
  refusal names the hash that was trusted).  The file is never unpickled before that
  check.  Trusting is for a Data Scientist, ML Engineer/Architect, Model Risk Manager or
  Admin (the people who handle model files; Auditors and business roles may not).
* **Runs** (:func:`run_validation`): the suite's input is the version's artifact, the
  labelled data (the holdout recorded at registration, or ``data``), the training data
  recorded at registration (reproducibility refit), the champion, the earlier versions
  with artifacts (slow degradation), the model's protected attributes, the artifact's
  format and trust record, and the tier's revalidation interval.  The run stores each
  check's description, source and parameters, and ``fingerprints``: artifact, data and
  training-data SHA-256, the data's Parquet blob (so the run can be repeated), package
  versions, the plan and the resolved check parameters.  A failed or errored check that
  blocks under the plan opens a finding (severity by tier, DESIGN.md: high / medium /
  low), owned by the version's author and due after :data:`REMEDIATION_DAYS`.
* **Re-run** (:func:`rerun_validation`): the same version, data blob, target and plan as
  the original run; the report lists every fingerprint that changed (artifact, data,
  training data, package versions, parameters) and every check whose status changed.
"""

from __future__ import annotations

import platform
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd
from sqlalchemy import select

from console.domain.governance import TIER_POLICIES, TIERS, Role, User
from console.domain.models import ModelVersion, TaskType, ValidationRun
from console.domain.validation_records import FingerprintChange, PlanVersion, RerunReport, TrustedArtifact
from console.errors import InputError, NotFoundError, PermissionDenied, few_names
from console.fingerprint import dataframe_fingerprint, sha256_hex
from console.jobs import CancelToken, ProgressFn, checkpoint, report, scaled
from console.jsonutil import json_safe
from console.store import convert, orm
from console.store.orm import utcnow

if TYPE_CHECKING:
    from console.services.workspace import Workspace

__all__ = [
    "REMEDIATION_DAYS", "PACKAGES", "TRUSTING_ROLES",
    "current_plan", "plan_history", "set_plan", "parse_param",
    "set_protected_attributes",
    "trust_artifact", "find_trust", "artifact_info", "load_model_file", "register_version_from_file",
    "is_skops_bytes",
    "run_validation", "rerun_validation", "package_versions",
]

#: Days to remediate a finding opened by a failed blocking check, by severity.  A
#: Tollgate default (no regulation fixes a number; internal-audit practice commonly
#: sets 30 / 90 / 180 days for high / medium / low issues); shown on every finding.
REMEDIATION_DAYS: dict[str, int] = {"high": 30, "medium": 90, "low": 180}

#: Distributions whose versions every run fingerprints (plus the Python version).
PACKAGES: tuple[str, ...] = ("numpy", "pandas", "scikit-learn", "scipy", "fairlearn", "skops")

#: Roles that may trust a pickle/joblib file (see the module docstring).
TRUSTING_ROLES: tuple[Role, ...] = (Role.DATA_SCIENTIST, Role.ML_ENGINEER, Role.MODEL_RISK_MANAGER, Role.ADMIN)

_PARQUET = "application/vnd.apache.parquet"
_ZIP_MAGIC = b"PK\x03\x04"


# ----------------------------------------------------------------------------- helpers
def package_versions() -> dict[str, Optional[str]]:
    """``{"python": "3.12.3", "numpy": ..., ...}`` for :data:`PACKAGES` and Tollgate
    (``importlib.metadata``; ``None`` for a package that is not installed)."""
    from importlib import metadata

    from console import __version__

    out: dict[str, Optional[str]] = {"python": platform.python_version(), "tollgate": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _refuse(ws: "Workspace", by: Optional[User], action: str, rule: str, *, model_id: Optional[int] = None
            ) -> PermissionDenied:
    """Write a ``permission.refused`` audit event (own transaction); the error to raise."""
    actor = by.login if by is not None else "unknown"
    with ws._write() as s:
        ws._audit(s, actor, "permission.refused", "app_user", by.id if by else "-", model_id=model_id,
                  new={"action": action, "rule": rule, "user": actor})
    return PermissionDenied(f"refused: {rule}")


def _current_roles(ws: "Workspace", by: User) -> User:
    """``by`` with its roles as stored now (a User read at sign-in may be stale)."""
    from console.services import governance

    return governance.get_user(ws, by.login)


def _suite() -> Any:
    from console.validation import suite

    return suite


# ----------------------------------------------------------------------------- plans
def _load_plan(obj: Mapping[str, Any]) -> Any:
    """A stored plan as a ``ValidationPlan``, keeping only the check ids and parameters
    the installed catalogue knows (a plan saved by an older Tollgate still loads; a
    dropped entry falls back to the tier's default)."""
    suite = _suite()
    specs = {c.id: c for c in suite.CATALOGUE}
    blocking = {k: bool(v) for k, v in (obj.get("blocking") or {}).items() if k in specs}
    params = {k: {pk: pv for pk, pv in dict(v).items() if pk in specs[k].defaults}
              for k, v in (obj.get("params") or {}).items() if k in specs}
    return suite.ValidationPlan.from_json({"tier": obj.get("tier"), "blocking": blocking, "params": params})


def _plan_version(row: orm.ValidationPlanRow) -> PlanVersion:
    return PlanVersion(row.tier, row.version, _load_plan(row.plan), row.updated_by, row.updated_at, row.reason or "")


def _check_tier(tier: Any) -> int:
    try:
        t = int(tier)
    except (TypeError, ValueError):
        t = -1
    if t not in TIERS:
        raise InputError(f"risk tier must be 1, 2 or 3 (got {tier!r})")
    return t


def current_plan(ws: "Workspace", tier: int) -> PlanVersion:
    """The workspace's current validation plan for risk tier ``tier`` (1–3): its newest
    stored version, else the built-in ``default_plan(tier)`` as version 0.  Raises
    :class:`InputError` for a tier outside 1–3."""
    tier = _check_tier(tier)
    with ws._session() as s:
        row = s.scalar(select(orm.ValidationPlanRow).where(orm.ValidationPlanRow.tier == tier)
                       .order_by(orm.ValidationPlanRow.version.desc()).limit(1))
        if row is not None:
            return _plan_version(row)
    return PlanVersion(tier, 0, _suite().default_plan(tier))


def plan_history(ws: "Workspace", tier: int) -> list[PlanVersion]:
    """Every stored version of tier ``tier``'s plan, newest first, then the default
    (version 0)."""
    tier = _check_tier(tier)
    with ws._session() as s:
        rows = s.scalars(select(orm.ValidationPlanRow).where(orm.ValidationPlanRow.tier == tier)
                         .order_by(orm.ValidationPlanRow.version.desc())).all()
        out = [_plan_version(r) for r in rows]
    return out + [PlanVersion(tier, 0, _suite().default_plan(tier))]


def parse_param(text: str) -> tuple[str, str, Any]:
    """``"CHECK.ID.KEY=VALUE"`` -> ``(check id, key, value)``: the key is the part after
    the last dot before ``=``; VALUE is read as JSON when it parses (``0.8``, ``true``,
    ``[1, 2]``), else kept as text.  Raises :class:`InputError` naming the item."""
    import json

    left, sep, value = text.partition("=")
    check_id, dot, key = left.strip().rpartition(".")
    if not sep or not dot or not check_id or not key:
        raise InputError(f"--param {text!r}: write CHECK_ID.KEY=VALUE (e.g. performance.threshold.min_roc_auc=0.75)")
    value = value.strip()
    try:
        parsed: Any = json.loads(value)
    except ValueError:
        parsed = value
    return check_id, key.strip(), parsed


def _coerce(check_id: str, key: str, value: Any, default: Any) -> Any:
    """``value`` in the type of the parameter's default (bool, int, float, str, list)."""
    where = f"parameter {key!r} of check {check_id!r}"
    if default is None:
        return value
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise InputError(f"{where} is true or false (got {value!r})")
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"{where} is a number (got {value!r})")
        if isinstance(default, int) and not isinstance(default, bool) and float(value).is_integer():
            return int(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(f"{where} must be finite (got {value!r})")
        return float(value)
    if isinstance(default, (list, tuple)):
        if not isinstance(value, list):
            raise InputError(f"{where} is a list, e.g. [1, 2] (got {value!r})")
        return value
    return str(value)


def set_plan(ws: "Workspace", tier: int, *, by: User, blocking: Iterable[str] = (),
             non_blocking: Iterable[str] = (), params: Optional[Mapping[str, Mapping[str, Any]]] = None,
             reason: str = "") -> PlanVersion:
    """Store the next version of tier ``tier``'s plan: the current plan with the checks
    in ``blocking`` made blocking, those in ``non_blocking`` non-blocking, and
    ``params`` (check id -> {key: value}) merged into its parameters.

    Only a Model Risk Manager (global role) or an Admin may edit a plan; anyone else
    gets :class:`PermissionDenied` after a ``permission.refused`` audit event.  Raises
    :class:`InputError` for an unknown check id or parameter key (naming the known
    ones), a check listed both ways, or a value of the wrong type.  A request that
    changes nothing stores nothing and returns the current version.  The edit is audited
    as ``validation_plan.changed`` with the changed entries, old -> new, in the same
    transaction as the new row.
    """
    suite = _suite()
    tier = _check_tier(tier)
    blocking = [c.strip() for c in blocking if c and c.strip()]
    non_blocking = [c.strip() for c in non_blocking if c and c.strip()]
    params = {k: dict(v) for k, v in (params or {}).items()}
    known = [c.id for c in suite.CATALOGUE]
    for cid in [*blocking, *non_blocking, *params]:
        if cid not in known:
            raise InputError(f"unknown check id {cid!r}; the checks are: {', '.join(known)} "
                             "(see `tollgate validation plan show`)")
    both = sorted(set(blocking) & set(non_blocking))
    if both:
        raise InputError(f"check {both[0]!r} is listed as both --blocking and --non-blocking")
    coerced: dict[str, dict[str, Any]] = {}
    for cid, kv in params.items():
        allowed = dict(suite.spec(cid).defaults)
        for key, value in kv.items():
            if key not in allowed:
                names = ", ".join(sorted(allowed)) or "none"
                raise InputError(f"check {cid!r} has no parameter {key!r} (its parameters: {names})")
            coerced.setdefault(cid, {})[key] = _coerce(cid, key, value, allowed[key])
    fresh = _current_roles(ws, by)
    if not (fresh.has_role(Role.MODEL_RISK_MANAGER) or fresh.has_role(Role.ADMIN)):
        raise _refuse(ws, by, "edit validation plan",
                      f"only a Model Risk Manager or an Admin edits validation plans; {by.login} is neither")
    with ws._write() as s:
        row = s.scalar(select(orm.ValidationPlanRow).where(orm.ValidationPlanRow.tier == tier)
                       .order_by(orm.ValidationPlanRow.version.desc()).limit(1))
        current = _load_plan(row.plan) if row is not None else suite.default_plan(tier)
        number = row.version if row is not None else 0
        new_blocking = dict(current.blocking)
        new_params = {k: dict(v) for k, v in current.params.items()}
        old_diff: dict[str, Any] = {}
        new_diff: dict[str, Any] = {}
        for cid, flag in [*((c, True) for c in blocking), *((c, False) for c in non_blocking)]:
            before = bool(new_blocking[cid]) if cid in new_blocking else current.is_blocking(cid)
            if before != flag:
                old_diff.setdefault("blocking", {})[cid] = before
                new_diff.setdefault("blocking", {})[cid] = flag
            new_blocking[cid] = flag
        for cid, kv in coerced.items():
            for key, value in kv.items():
                before = new_params.get(cid, {}).get(key, _effective_default(suite, cid, key, tier))
                if before != value:
                    old_diff.setdefault("params", {}).setdefault(cid, {})[key] = before
                    new_diff.setdefault("params", {}).setdefault(cid, {})[key] = value
                new_params.setdefault(cid, {})[key] = value
        if not new_diff:
            return _plan_version(row) if row is not None else PlanVersion(tier, 0, current)
        plan = suite.ValidationPlan(tier=tier, blocking=new_blocking, params=new_params)
        new_row = orm.ValidationPlanRow(tier=tier, version=number + 1, plan=json_safe(plan.to_json()),
                                        updated_by=by.login, updated_at=utcnow(), reason=reason or "")
        s.add(new_row)
        s.flush()
        ws._audit(s, by.login, "validation_plan.changed", "validation_plan", f"tier:{tier}",
                  old={"tier": tier, "version": number, **old_diff},
                  new={"tier": tier, "version": number + 1, **new_diff}, reason=reason or "")
        return _plan_version(new_row)


def _effective_default(suite: Any, cid: str, key: str, tier: int) -> Any:
    spec = suite.spec(cid)
    tp = (spec.tier_params or {}).get(tier, {})
    return tp.get(key, spec.defaults.get(key))


# ----------------------------------------------------------------------------- protected attributes
def set_protected_attributes(ws: "Workspace", model: Union[int, str], attributes: Sequence[str], *, by: User,
                             reason: str = "", source: Optional[str] = None) -> tuple[str, ...]:
    """Declare the protected attributes of ``model`` (column names such as ``sex``,
    ``race``, ``age``; order kept, duplicates dropped; an empty list clears them).

    Permission (see the module docstring): Model Risk Manager or Admin, or a Data
    Scientist of the model.  Raises :class:`InputError` for an empty or over-long name,
    :class:`PermissionDenied` (audited).  Audited as ``model.protected_attributes_set``
    (old -> new) in the same transaction; returns the new tuple.
    """
    names: list[str] = []
    for a in attributes:
        a = str(a).strip()
        if not a:
            raise InputError("a protected attribute needs a column name (e.g. --attributes sex,race,age)")
        if len(a) > 400:
            raise InputError(f"protected attribute {a[:40]!r}… is longer than 400 characters")
        if a not in names:
            names.append(a)
    with ws._session() as s:
        m = ws._model_row(s, model, source)
        model_id, authors, model_name = m.id, {v.created_by for v in m.versions}, m.name
        known = {c for v in m.versions for c in (v.training_schema or {})}
        holdouts = [v.holdout_sha256 for v in sorted(m.versions, key=lambda v: v.version) if v.holdout_sha256]
    if holdouts:  # protected attributes need not be features: the latest holdout's columns count too
        known |= {str(c) for c in ws.load_dataset(holdouts[-1]).columns}
    unknown = [a for a in names if known and a not in known]
    if unknown:
        raise InputError(f"{model_name} has no column {few_names(unknown, 8)} in its training schema or holdout set "
                         f"(columns: {few_names(sorted(known), 20)}); name existing columns")
    fresh = _current_roles(ws, by)
    allowed = (fresh.has_role(Role.MODEL_RISK_MANAGER, model_id) or fresh.has_role(Role.ADMIN)
               or any(a.role == Role.DATA_SCIENTIST and a.model_id == model_id for a in fresh.roles)
               or (fresh.has_role(Role.DATA_SCIENTIST) and by.login in authors))
    if not allowed:
        raise _refuse(ws, by, "set protected attributes",
                      f"protected attributes are declared by a Model Risk Manager, an Admin or the model's Data "
                      f"Scientist; {by.login} is none of them", model_id=model_id)
    with ws._write() as s:
        row = ws._lock_model(s, model_id)
        old = list(row.protected_attributes or [])
        if old == names:
            return tuple(names)
        row.protected_attributes = names
        row.updated_at = utcnow()
        row.updated_by = by.login
        ws._audit(s, by.login, "model.protected_attributes_set", "registered_model", model_id, model_id=model_id,
                  old={"protected_attributes": old}, new={"protected_attributes": names}, reason=reason or "")
        return tuple(names)


# ----------------------------------------------------------------------------- trust step
def is_skops_bytes(data: bytes) -> bool:
    """True for a zip archive (skops files are zip archives with a ``schema.json``)."""
    return bytes(data[:4]) == _ZIP_MAGIC


def _trusted(row: orm.TrustedArtifactRow) -> TrustedArtifact:
    return TrustedArtifact(row.sha256, row.file_name, row.size_bytes, row.trusted_by, row.trusted_at,
                           row.reason or "")


def find_trust(ws: "Workspace", sha256: str) -> Optional[TrustedArtifact]:
    """The trust record of the file with this SHA-256 (hex), or ``None``."""
    with ws._session() as s:
        row = s.scalar(select(orm.TrustedArtifactRow).where(orm.TrustedArtifactRow.sha256 == sha256.lower()))
        return _trusted(row) if row is not None else None


def trust_artifact(ws: "Workspace", data: bytes, file_name: str, *, by: User, reason: str = "",
                   expected_sha256: Optional[str] = None) -> TrustedArtifact:
    """Record that ``by`` trusts the pickle/joblib file ``data`` (its exact bytes).

    ``expected_sha256``: the hash the user vouches for; the file must have it (a
    mismatch means the file is not the one they checked: :class:`InputError`, nothing
    recorded).  A skops file needs no trust (:class:`InputError` says so).  Permission:
    :data:`TRUSTING_ROLES` (refusal audited, :class:`PermissionDenied`).  Audited as
    ``artifact.trusted`` with the SHA-256, file name and size.  Trusting the same bytes
    again returns the existing record.  Nothing is unpickled here.
    """
    data = bytes(data)
    sha = sha256_hex(data)
    name = Path(file_name).name or "model file"
    if expected_sha256 is not None and expected_sha256.strip().lower() != sha:
        raise InputError(f"{name} has SHA-256 {sha}, not the {expected_sha256.strip().lower()} you named: the file "
                         "is not the one you checked (or it changed); nothing was trusted")
    if is_skops_bytes(data):
        raise InputError(f"{name} is a zip/skops file: it loads with Tollgate's allow-list of trusted types and "
                         "needs no trust step")
    if not data:
        raise InputError(f"{name} is empty")
    fresh = _current_roles(ws, by)
    if not any(fresh.has_role(r) for r in TRUSTING_ROLES):
        raise _refuse(ws, by, "trust model file",
                      "trusting a pickle/joblib file is for a Data Scientist, ML Engineer/Architect, Model Risk "
                      f"Manager or Admin; {by.login} is none of them")
    with ws._write() as s:
        row = s.scalar(select(orm.TrustedArtifactRow).where(orm.TrustedArtifactRow.sha256 == sha))
        if row is not None:
            return _trusted(row)
        row = orm.TrustedArtifactRow(sha256=sha, file_name=name, size_bytes=len(data), trusted_by=by.login,
                                     trusted_at=utcnow(), reason=reason or "")
        s.add(row)
        s.flush()
        ws._audit(s, by.login, "artifact.trusted", "trusted_artifact", sha,
                  new={"sha256": sha, "file_name": name, "size_bytes": len(data), "format": "pickle"},
                  reason=reason or "")
        return _trusted(row)


def _refuse_untrusted(ws: "Workspace", sha: str, name: str, actor: str) -> InputError:
    """Audit ``artifact.refused`` and return the one-line error for an untrusted pickle."""
    with ws._session() as s:
        same_name = s.scalar(select(orm.TrustedArtifactRow).where(orm.TrustedArtifactRow.file_name == name)
                             .order_by(orm.TrustedArtifactRow.trusted_at.desc()).limit(1))
        earlier = _trusted(same_name) if same_name is not None else None
    with ws._write() as s:
        ws._audit(s, actor, "artifact.refused", "trusted_artifact", sha,
                  new={"sha256": sha, "file_name": name, "format": "pickle",
                       "trusted_before": earlier.sha256 if earlier else None})
    if earlier is not None:
        return InputError(
            f"{name} changed since {earlier.trusted_by} trusted it on {earlier.trusted_at:%Y-%m-%d %H:%M} UTC "
            f"(trusted SHA-256 {earlier.sha256}, now {sha}); refused: a pickle/joblib file can run code when "
            "loaded; check the new file and trust it again (`tollgate models trust FILE`)")
    return InputError(
        f"{name} is a pickle/joblib file (SHA-256 {sha}) and nobody has trusted it; loading it can run arbitrary "
        f"code, so it is refused: check it, then run `tollgate models trust {name} --user LOGIN` or pass "
        f"--trust-sha256 {sha}, or re-save the model with skops")


def load_model_file(ws: "Workspace", path: Union[str, Path], *, actor: str, trust_by: Optional[User] = None,
                    trust_sha256: Optional[str] = None, trust_reason: str = "") -> tuple[Any, Optional[str], str]:
    """Load a model file by the safe-loading rule; returns ``(estimator, source_format,
    sha256)`` with ``source_format`` ``None`` (skops) or ``"pickle"``.

    A skops file (zip archive) is loaded with :func:`console.validation.loading.load_model`
    (allow-list).  Any other file is treated as pickle/joblib: it is loaded only when its
    SHA-256 is trusted, either already (:func:`trust_artifact`) or now, with ``trust_by``
    (an authenticated user) vouching for ``trust_sha256`` (must equal the file's hash).
    Otherwise an ``artifact.refused`` audit event is written and :class:`InputError`
    raised (naming the hash trusted before when the same file name was trusted with other
    content); nothing is unpickled before that check.
    """
    from console.validation.loading import artifact_format, load_model, load_trusted_pickle

    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read model file {p}: {exc.strerror or exc}") from None
    sha = sha256_hex(data)
    if artifact_format(data) == "skops":
        estimator, fmt = load_model(data), None
    else:
        if trust_sha256 is not None and trust_sha256.strip().lower() != sha:
            raise InputError(f"{p.name} has SHA-256 {sha}, not {trust_sha256.strip().lower()}: the file is not "
                             "the one you checked (or it changed); nothing was trusted or registered")
        trust = find_trust(ws, sha)
        if trust is None and trust_sha256 is not None and trust_by is not None:
            trust = trust_artifact(ws, data, p.name, by=trust_by, reason=trust_reason, expected_sha256=trust_sha256)
        if trust is None:
            raise _refuse_untrusted(ws, sha, p.name, actor)
        estimator, fmt = load_trusted_pickle(data, trusted_sha256=trust.sha256, name=p.name), "pickle"
    if not hasattr(estimator, "predict"):
        raise InputError(f"{p.name} holds a {type(estimator).__name__}, not a fitted model with predict()")
    return estimator, fmt, sha


def register_version_from_file(ws: "Workspace", model: Union[int, str], path: Union[str, Path], *,
                               training_data: pd.DataFrame, target_column: str,
                               holdout: Optional[pd.DataFrame] = None, actor: str,
                               trust_by: Optional[User] = None, trust_sha256: Optional[str] = None,
                               trust_reason: str = "", training_data_at: Optional[datetime] = None,
                               description: str = "", source: Optional[str] = None) -> ModelVersion:
    """Register a model file as a new version of ``model``: :func:`load_model_file`
    (skops with the allow-list; pickle/joblib only once trusted), then
    :meth:`Workspace.register_version`.  The workspace stores the estimator as skops
    (never a pickle); a version from a pickle records ``source_format="pickle"`` and the
    file's SHA-256, which the loading check reports with its trust record."""
    with ws._session() as s:
        model_id = ws._model_row(s, model, source).id
    estimator, fmt, sha = load_model_file(ws, path, actor=actor, trust_by=trust_by, trust_sha256=trust_sha256,
                                          trust_reason=trust_reason)
    return ws.register_version(model_id, estimator=estimator, training_data=training_data,
                               target_column=target_column, holdout=holdout, description=description, actor=actor,
                               training_data_at=training_data_at, source_format=fmt,
                               source_sha256=sha if fmt else None)


def artifact_info(ws: "Workspace", version: ModelVersion) -> Any:
    """The :class:`console.validation.suite.ArtifactInfo` of ``version`` for the
    loading check: a skops artifact (its SHA-256 and size), or the trusted pickle/joblib
    file it was registered from (that file's SHA-256 and the trust record)."""
    suite = _suite()
    with ws._session() as s:
        size = s.scalar(select(orm.Blob.size).where(orm.Blob.sha256 == version.artifact_sha256)) or 0
        trust = None
        if version.source_format == "pickle" and version.source_sha256:
            row = s.scalar(select(orm.TrustedArtifactRow).where(
                orm.TrustedArtifactRow.sha256 == version.source_sha256))
            trust = _trusted(row) if row is not None else None
    if version.source_format == "pickle":
        return suite.ArtifactInfo(sha256=version.source_sha256, format="pickle",
                                  trusted_by=trust.trusted_by if trust else None,
                                  trusted_at=trust.trusted_at if trust else None,
                                  size_bytes=trust.size_bytes if trust else int(size))
    return suite.ArtifactInfo(sha256=version.artifact_sha256, format="skops", trusted_by=None, trusted_at=None,
                              size_bytes=int(size))


# ----------------------------------------------------------------------------- runs
def _load_context(ws: "Workspace", model_ref: Union[int, str], version: Union[int, str, None],
                  source: Optional[str]) -> tuple[Any, ModelVersion, Optional[ModelVersion], list[ModelVersion]]:
    with ws._session() as s:
        m = ws._model_row(s, model_ref, source)
        v = ws._version_row(s, m, version)
        model = convert.model(m)
        ver = ws._version_row_to_domain(s, v)
        champ_alias = next((a for a in m.aliases if a.name == "champion"), None)
        champ = ws._version_row_to_domain(s, champ_alias.version) if champ_alias else None
        earlier = [ws._version_row_to_domain(s, o) for o in m.versions
                   if o.version < v.version and o.artifact_sha256 is not None and o.deleted_on_server_at is None]
    return model, ver, champ, earlier


def _refuse_unusable_data(data: pd.DataFrame, ver: ModelVersion, model_name: str, *, label: str) -> None:
    """Bad input, not a validation outcome: data given with ``--data`` that lacks training
    feature columns or holds ±inf in a numeric feature is refused with
    :class:`InputError` naming the columns (first row, 1-based) before anything is
    recorded, so a wrong file never opens findings."""
    import numpy as np

    missing = [c for c in ver.training_schema if c not in data.columns]
    if missing:
        raise InputError(
            f"{label} lacks the training feature column(s) {few_names(missing, 8)} of {model_name} v{ver.version}; "
            f"pass a file with the model's columns ({few_names(list(ver.training_schema), 12)})"
        )
    for c in ver.training_schema:
        col = data[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            bad = np.isinf(col.to_numpy(dtype="float64", na_value=np.nan))
            if bad.any():
                first = int(np.flatnonzero(bad)[0]) + 1
                raise InputError(
                    f"{label}: column {c!r} has {int(bad.sum())} infinite value(s) (first in data row {first}); "
                    "replace them with empty cells (missing) or remove those rows"
                )


def run_validation(ws: "Workspace", model_id: Union[int, str], version: Union[int, str, None] = None, *,
                   data: Optional[pd.DataFrame] = None, target: Optional[str] = None,
                   data_label: Optional[str] = None, actor: Optional[str] = None, source: Optional[str] = None,
                   progress: Optional[ProgressFn] = None, cancel: Optional[CancelToken] = None,
                   plan: Any = None, rerun_of: Optional[int] = None,
                   data_blob_sha256: Optional[str] = None) -> ValidationRun:
    """Run the tier's validation suite on a model version and store the run.

    ``version``: number or alias (``None`` = champion, else latest).  ``data``: labelled
    data (default: the holdout set recorded at registration); ``target``: its label
    column (default: the version's).  ``plan``: a ``ValidationPlan`` (default: the
    workspace's current plan for the model's tier).  The run, its check results,
    fingerprints, findings and the audit event are written in one transaction when the
    suite completes; a cancelled run raises :class:`console.errors.Cancelled` and writes
    nothing.  Raises :class:`InputError` for a pulled version without artifact, a model
    of task ``unknown``, no holdout and no data, or a target not in the data.
    """
    from console.services.workspace import default_actor

    suite = _suite()
    actor = actor or default_actor()
    report(progress, 0.0, "Loading model version")
    model, ver, champ, earlier = _load_context(ws, model_id, version, source)
    if ver.artifact_sha256 is None:
        raise InputError(
            f"{model.name} v{ver.version} was pulled from registry {model.source} without its artifact; "
            "Tollgate validates only model files it holds (skops), and importing a pulled "
            "model's file is not supported yet; validate a locally registered version instead"
        )
    if model.task is TaskType.UNKNOWN:
        raise InputError(f"{model.name} has task 'unknown'; set its task (classification or regression) before validating")
    estimator = ws.load_estimator(ver)
    checkpoint(cancel)
    external = data is not None and rerun_of is None
    if data is None:
        if ver.holdout_sha256 is None:
            raise InputError(
                f"{model.name} v{ver.version} has no recorded holdout set; pass --data FILE --target COL"
            )
        report(progress, 0.03, "Loading the recorded holdout set")
        data = ws.load_dataset(ver.holdout_sha256)
        data_blob_sha256 = ver.holdout_sha256
        data_label = data_label or "holdout recorded at registration"
    target = target or ver.target_column
    if target not in data.columns:
        raise InputError(
            f"target column {target!r} is not in the validation data of {model.name} v{ver.version} "
            f"(columns: {few_names(data.columns, 12)}); pass --target COL"
        )
    if external:
        _refuse_unusable_data(data, ver, model.name, label=data_label or "the validation data")
    data_bytes = None
    if data_blob_sha256 is None:
        try:
            data_bytes = ws.dataset_bytes(data)
            data_blob_sha256 = sha256_hex(data_bytes)
        except Exception:  # mixed-type object columns: the run is recorded, re-run not possible
            data_bytes = None
    report(progress, 0.05, "Loading the training data and earlier versions")
    training = ws.load_dataset(ver.training_sha256) if ver.training_sha256 else None
    champion = None
    if champ is not None:
        champion = (estimator if champ.id == ver.id else ws.load_estimator(champ), champ)
    history = []
    for old in earlier:
        checkpoint(cancel)
        try:
            history.append((ws.load_estimator(old), old))
        except InputError:  # an artifact the allow-list refuses stays out of the history
            continue
    if plan is None:
        plan = current_plan(ws, model.risk_tier).plan
    policy = TIER_POLICIES[model.risk_tier]
    started = utcnow()
    inp = suite.SuiteInput(
        estimator=estimator, version=ver, task=model.task, data=data, target=target, tier=model.risk_tier,
        training_data=training, champion=champion, history=history,
        protected_attributes=tuple(model.protected_attributes), artifact=artifact_info(ws, ver), now=started,
        training_data_at=ver.training_data_at or ver.created_at, revalidation_months=policy.revalidation_months,
    )
    checkpoint(cancel)
    results = suite.run_suite(inp, plan, progress=scaled(progress, 0.1, 0.95), cancel=cancel)
    checkpoint(cancel)
    passed = suite.suite_passed(results)
    data_sha = dataframe_fingerprint(data)
    finished = utcnow()
    fingerprints = json_safe({
        "artifact_sha256": ver.artifact_sha256,
        "source_sha256": ver.source_sha256,
        "data_sha256": data_sha,
        "data_blob_sha256": data_blob_sha256 if (data_bytes is not None or data_blob_sha256) else None,
        "training_sha256": ver.training_sha256,
        "target": target,
        "packages": package_versions(),
        "plan": plan.to_json(),
        "params": {r.id: dict(r.params or {}) for r in results},
    })
    report(progress, 0.97, "Saving the validation run")
    with ws._write() as s:
        if data_bytes is not None:
            ws._put_blob(s, data_bytes, _PARQUET)
        run = orm.ValidationRunRow(
            version_id=ver.id, started_at=started, finished_at=finished, passed=passed, run_by=actor,
            data_label=data_label or "data", data_sha256=data_sha, n_rows=int(len(data)),
            artifact_sha256=ver.artifact_sha256, environment=fingerprints["packages"], fingerprints=fingerprints,
            rerun_of=rerun_of,
        )
        for i, r in enumerate(results):
            run.checks.append(orm.CheckResultRow(
                position=i, check_id=r.id, family=r.family, title=r.title, status=r.status.value,
                blocking=bool(r.blocking), values=json_safe(r.values), reason=r.reason,
                description=r.description or "", source=r.source or "", params=json_safe(dict(r.params or {}))))
        s.add(run)
        s.flush()
        ws._audit(s, actor, "validation.run", "validation_run", run.id, model_id=model.id, at=finished, new={
            "version": ver.version, "passed": passed, "data_sha256": data_sha,
            "artifact_sha256": ver.artifact_sha256, "plan_tier": plan.tier, "rerun_of": rerun_of,
            "failed_checks": [r.id for r in results if r.status.value in ("fail", "error")],
            "failed_blocking": [r.id for r in results if r.status.value in ("fail", "error") and r.blocking]})
        _findings_for_failed_checks(ws, s, run, results, actor, ver)
        s.flush()
        s.refresh(run)
        out = convert.validation_run(run)
    report(progress, 1.0, "Validation " + ("passed" if passed else "failed"))
    return out


def _findings_for_failed_checks(ws: "Workspace", s: Any, run: orm.ValidationRunRow, results: Sequence[Any],
                                actor: str, ver: ModelVersion) -> None:
    """Open a finding for each check that failed (or errored) and blocks under the plan
    (its result's ``blocking``): severity by the model's tier (DESIGN.md), owner the
    version's author, due after :data:`REMEDIATION_DAYS`; one open finding per version
    and check."""
    from console.services.findings import add_finding, severity_for_tier

    model_row = s.get(orm.RegisteredModelRow, ver.model_id)
    severity = severity_for_tier(model_row.risk_tier)
    due = run.finished_at + timedelta(days=REMEDIATION_DAYS[severity])
    for r in results:
        if r.status.value in ("fail", "error") and r.blocking:
            add_finding(ws, s, model_row, title=f"v{ver.version}: {r.title} — {r.status.value}",
                        source="validation", actor=actor, version_id=ver.id, source_ref=f"v{ver.version}:{r.id}",
                        detail=f"validation run #{run.id}: {r.reason or ''}".strip(), severity=severity,
                        owner=ver.created_by, due_at=due)


# ----------------------------------------------------------------------------- re-run
def _get_run(ws: "Workspace", run_id: int) -> tuple[ValidationRun, str, str]:
    with ws._session() as s:
        row = s.get(orm.ValidationRunRow, int(run_id))
        if row is None:
            raise NotFoundError(f"no validation run #{run_id} in workspace {ws.label} "
                                "(see the model's validation history: `tollgate models show NAME`)")
        m = row.version.model
        return convert.validation_run(row), m.name, m.source


def _diff(old: Any, new: Any, prefix: str, out: list[FingerprintChange]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for k in sorted(set(old) | set(new), key=str):
            _diff(old.get(k), new.get(k), f"{prefix}.{k}" if prefix else str(k), out)
    elif old != new:
        out.append(FingerprintChange(prefix, old, new))


def rerun_validation(ws: "Workspace", run_id: int, *, actor: Optional[str] = None,
                     progress: Optional[ProgressFn] = None, cancel: Optional[CancelToken] = None) -> RerunReport:
    """Re-run validation run ``run_id`` with the same inputs: the same version, the same
    data (its stored Parquet blob), target and plan; the new run records ``rerun_of``.

    The report lists each fingerprint that differs from the original run (artifact,
    data, training data, package versions, check parameters) and each check whose
    status changed.  A run recorded before schema 0007 is re-run on the version's
    holdout set when its data fingerprint matches it, with the current plan (noted).
    Raises :class:`NotFoundError` for an unknown run, :class:`InputError` when the
    original data was not stored (validated on a file whose data could not be kept).
    """
    original, name, _ = _get_run(ws, run_id)
    fp = dict(original.fingerprints or {})
    notes: list[str] = []
    blob = fp.get("data_blob_sha256")
    model, ver, _, _ = _load_context(ws, original.model_id, original.version, None)
    if blob is None and ver.holdout_sha256 is not None:
        holdout = ws.load_dataset(ver.holdout_sha256)
        if dataframe_fingerprint(holdout) == original.data_sha256:
            blob = ver.holdout_sha256
            notes.append("the original run did not record its data blob; its data fingerprint matches the "
                         "version's holdout set, which was used")
    if blob is None:
        raise InputError(f"validation run #{run_id} of {name} v{original.version} did not keep its data "
                         f"({original.data_label}); re-run it with `tollgate validate {name}@{original.version} "
                         "--data FILE --target COL`")
    data = ws.load_dataset(blob)
    plan = _load_plan(fp["plan"]) if fp.get("plan") else None
    if plan is None:
        notes.append("the original run recorded no plan; the current plan of the tier was used")
    run = run_validation(ws, original.model_id, original.version, data=data, target=fp.get("target"),
                         data_label=original.data_label, actor=actor, progress=progress, cancel=cancel, plan=plan,
                         rerun_of=original.id, data_blob_sha256=blob)
    changes: list[FingerprintChange] = []
    new_fp = dict(run.fingerprints)
    full = fp.get("plan") is not None  # a run recorded since schema 0007 fingerprinted everything
    for key in ("artifact_sha256", "data_sha256", "training_sha256", "target"):
        if fp.get(key) != new_fp.get(key) and (full or fp.get(key) is not None):
            changes.append(FingerprintChange(key, fp.get(key), new_fp.get(key)))
    _diff(fp.get("packages") or {}, new_fp.get("packages") or {}, "packages", changes)
    if fp.get("params") is not None:
        _diff(fp.get("params") or {}, new_fp.get("params") or {}, "params", changes)
    old_status = {c.id: c.status.value for c in original.checks}
    status_changes = tuple((c.id, old_status.get(c.id, "absent"), c.status.value) for c in run.checks
                           if old_status.get(c.id) != c.status.value)
    current = current_plan(ws, model.risk_tier).plan.to_json()
    used = fp.get("plan") or new_fp.get("plan")
    return RerunReport(original=original, run=run, changes=tuple(changes), status_changes=status_changes,
                       current_plan_differs=json_safe(current) != used, notes=tuple(notes))
