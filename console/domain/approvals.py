"""Approval requests, required signatures and electronic signatures (issue 5).

Plain rules, no SQL and no Qt; :mod:`console.services.approvals` stores and enforces
them.

Required signatures (DESIGN.md, "Governance defaults")
    A request is governed by one lifecycle task (:data:`TRANSITION_TASK`,
    :data:`ALIAS_TASK`); the model's effective RACI template, resolved for its risk
    tier, says who does what: the Responsible *submits* (an ``authored`` signature),
    every Consulted role records a review (``reviewed``), the Accountable *signs*
    (``approved``), a role marked ``S`` signs too, and the Informed are notified.
    Tier-1 models always need a Model Risk Manager's approval (four-eyes, DESIGN.md):
    if the template gives the Model Risk Manager no ``A``/``S`` on the task, a slot is
    added.  :func:`required_slots` builds the slots; reviews must all be recorded
    before any approval slot is signed.

Segregation of duties (enforced on top of the template, DESIGN.md / issue 5)
    :data:`SOD_AUTHOR` the author of a model version never signs (reviews, approves or
    rejects) a request about that version; :data:`SOD_SUBMITTER` the submitter never
    signs their own request, so the Accountable differs from the submitter;
    :data:`SOD_ONE_SIGNATURE` one person fills at most one slot of a request (four
    eyes stay four eyes).

Electronic signatures (21 CFR Part 11 §11.50 signature manifestations: printed name,
date and time, meaning; §11.70 signature/record linking; §11.200 two components, here
login and password re-entered at signing)
    The request as submitted is a canonical JSON document (:func:`request_document`)
    whose SHA-256 is ``record_sha256``.  Signature *k* signs the record version
    ``sha256(canonical({"request": record_sha256, "signatures": [sig_1 … sig_k-1]}))``
    (:func:`record_version_sha256`) and is itself sealed by ``signature_sha256`` over
    its own canonical JSON (:func:`signature_document`), so a signature cannot be moved
    to another record, reordered or edited without :func:`verify_signatures` noticing.

Canonical JSON is the audit chain's: UTF-8 bytes of ``json.dumps(doc, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)``; times are ISO 8601 UTC with microseconds.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Optional, Sequence

from console.domain.governance import TIER_POLICIES, LifecycleTask, Role

__all__ = [
    "RequestState",
    "Meaning",
    "Slot",
    "Signature",
    "ApprovalRequest",
    "Finding",
    "Notification",
    "GateException",
    "SOD_AUTHOR",
    "SOD_SUBMITTER",
    "SOD_ONE_SIGNATURE",
    "RULE_REVIEW_FIRST",
    "REQUEST_LIFETIME_DAYS",
    "required_slots",
    "add_business_days",
    "sla_due",
    "canonical_sha256",
    "utc_text",
    "request_document",
    "record_version_sha256",
    "signature_document",
    "verify_signatures",
]

#: Days after submission at which an undecided request expires (then it must be
#: submitted again, against the then-current RACI template and gates).
REQUEST_LIFETIME_DAYS = 30

SOD_AUTHOR = "segregation of duties: the author of a model version never signs its validation or promotion"
SOD_SUBMITTER = "segregation of duties: the Accountable (and every other signer) differs from the submitter"
SOD_ONE_SIGNATURE = "segregation of duties: one person gives at most one signature per request"
RULE_REVIEW_FIRST = "every Consulted role records its review before the Accountable signs"


class RequestState(str, enum.Enum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Meaning(str, enum.Enum):
    """The meaning of a signature (21 CFR 11.50(a)(3))."""

    AUTHORED = "authored"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Slot:
    """One required signature: ``kind`` ``review`` (a Consulted role records a review)
    or ``approval`` (the Accountable, a role marked ``S``, or the tier-1 Model Risk
    Manager), ``role`` the workspace role that may fill it, ``why`` for people."""

    index: int
    kind: str
    role: Role
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "kind": self.kind, "role": self.role.value, "why": self.why}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> "Slot":
        return Slot(int(d["index"]), str(d["kind"]), Role(d["role"]), str(d["why"]))


def required_slots(task_cells: Mapping[str, str], tier: int, task: LifecycleTask) -> list[Slot]:
    """The signature slots of a request for ``task`` on a tier-``tier`` model.

    ``task_cells``: the task's row of a template resolved for the tier
    (:func:`console.domain.governance.raci_for_tier`), ``{role name: "R/A"...}``.
    Reviews first (one per Consulted role without ``A``/``S``), then the ``S`` roles,
    then the Accountable; on tier 1 a Model Risk Manager approval is added when the
    template has none (DESIGN.md: "tier-1 promotions … need a Model Risk Manager's
    signature"; issue 5 applies it to every tier-1 request).  Raises
    :class:`ValueError` if the row has no Accountable (templates are validated on save).
    """
    reviews, extra, accountable = [], [], []
    for role_name, letters in task_cells.items():
        ls = set(letters.split("/")) if letters else set()
        role = Role(role_name)
        if "A" in ls:
            accountable.append((role, f"Accountable for {task.value}"))
        elif "S" in ls:
            extra.append((role, f"signs too ({task.value}, tier {tier})"))
        elif "C" in ls:
            reviews.append((role, f"Consulted on {task.value}"))
    if len(accountable) != 1:
        raise ValueError(f"task {task.value!r} has {len(accountable)} Accountable roles; the template needs exactly one")
    approvers = {r for r, _ in extra + accountable}
    if tier == 1 and Role.MODEL_RISK_MANAGER not in approvers:
        reviews = [(r, w) for r, w in reviews if r != Role.MODEL_RISK_MANAGER]
        extra.append((Role.MODEL_RISK_MANAGER, "tier-1 four-eyes: Model Risk Manager signature"))
    slots = [("review", r, w) for r, w in reviews] + [("approval", r, w) for r, w in extra + accountable]
    return [Slot(i, kind, role, why) for i, (kind, role, why) in enumerate(slots)]


def add_business_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` business days (Saturdays and Sundays skipped; public
    holidays are not known here), same time of day."""
    d = start
    left = days
    while left > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            left -= 1
    return d


def sla_due(submitted_at: datetime, tier: int) -> datetime:
    """Due date of a request on a tier-``tier`` model: the tier's approval SLA in
    business days (DESIGN.md tier defaults: 5 / 10 / 15)."""
    return add_business_days(submitted_at, TIER_POLICIES[tier].approval_sla_business_days)


def utc_text(t: Optional[datetime]) -> Optional[str]:
    """ISO 8601 UTC with microseconds (``2026-11-30T18:20:00.000000+00:00``)."""
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc).isoformat(timespec="microseconds")


def canonical_sha256(doc: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of ``json.dumps(doc, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` encoded as UTF-8."""
    data = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Signature:
    """A stored electronic signature (see the module docstring)."""

    request_id: int
    seq: int
    slot: Optional[int]
    login: str
    printed_name: str
    role: Optional[str]
    meaning: Meaning
    reason: str
    signed_at: datetime
    record_sha256: str
    signature_sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "slot": self.slot, "login": self.login, "printed_name": self.printed_name,
                "role": self.role, "meaning": self.meaning.value, "reason": self.reason,
                "signed_at": utc_text(self.signed_at), "record_sha256": self.record_sha256,
                "signature_sha256": self.signature_sha256}


def signature_document(request_id: int, seq: int, slot: Optional[int], login: str, printed_name: str,
                       role: Optional[str], meaning: str, reason: str, signed_at: datetime,
                       record_sha256: str) -> dict[str, Any]:
    """The canonical document sealed by ``signature_sha256``."""
    return {"request_id": request_id, "seq": seq, "slot": slot, "login": login, "printed_name": printed_name,
            "role": role, "meaning": meaning, "reason": reason, "signed_at": utc_text(signed_at),
            "record_sha256": record_sha256}


def record_version_sha256(request_record_sha256: str, prior_signature_hashes: Sequence[str]) -> str:
    """The record version a new signature signs: the request as submitted plus the
    signatures already on it, in order."""
    return canonical_sha256({"request": request_record_sha256, "signatures": list(prior_signature_hashes)})


def request_document(*, request_id: int, model_id: int, model: str, version: int, artifact_sha256: Optional[str],
                     kind: str, from_status: str, to_status: Optional[str], alias: Optional[str], task: str,
                     risk_tier: int, raci_scope: str, raci_version: int, required: Sequence[Mapping[str, Any]],
                     submitted_by: str, submitted_at: datetime, due_at: datetime, expires_at: datetime,
                     reason: str) -> dict[str, Any]:
    """The canonical document of a request as submitted (its SHA-256 is
    ``record_sha256``).  Every field that decides what is being approved is in it:
    the exact model version and its artifact hash, the transition or alias, the task,
    tier and RACI template version, and the required signatures."""
    return {
        "request_id": request_id, "model_id": model_id, "model": model, "version": version,
        "artifact_sha256": artifact_sha256, "kind": kind, "from_status": from_status, "to_status": to_status,
        "alias": alias, "task": task, "risk_tier": risk_tier, "raci": {"scope": raci_scope, "version": raci_version},
        "required": [dict(r) for r in required], "submitted_by": submitted_by,
        "submitted_at": utc_text(submitted_at), "due_at": utc_text(due_at), "expires_at": utc_text(expires_at),
        "reason": reason,
    }


def verify_signatures(record_sha256: str, recomputed_record_sha256: str,
                      signatures: Sequence[Signature]) -> list[str]:
    """Problems found when re-deriving every hash of a request's signatures (empty list:
    all bound to this exact record, in order, unaltered).  ``recomputed_record_sha256``
    is :func:`canonical_sha256` of :func:`request_document` built from the stored row."""
    problems = []
    if recomputed_record_sha256 != record_sha256:
        problems.append("the request record changed after submission (its SHA-256 no longer matches)")
    prior: list[str] = []
    for i, sig in enumerate(sorted(signatures, key=lambda s: s.seq), start=1):
        if sig.seq != i:
            problems.append(f"signature {sig.seq}: expected sequence number {i}")
        expected = record_version_sha256(record_sha256, prior)
        if sig.record_sha256 != expected:
            problems.append(f"signature {sig.seq} by {sig.printed_name} is not bound to this record version")
        doc = signature_document(sig.request_id, sig.seq, sig.slot, sig.login, sig.printed_name, sig.role,
                                 sig.meaning.value, sig.reason, sig.signed_at, sig.record_sha256)
        if canonical_sha256(doc) != sig.signature_sha256:
            problems.append(f"signature {sig.seq} by {sig.printed_name} was altered (its seal does not match)")
        prior.append(sig.signature_sha256)
    return problems


@dataclass(frozen=True)
class ApprovalRequest:
    """A stored approval request with its signatures (newest state)."""

    id: int
    model_id: int
    model_name: str
    version: int
    kind: str  # transition | alias
    from_status: str
    to_status: Optional[str]
    alias: Optional[str]
    task: LifecycleTask
    risk_tier: int
    raci_scope: str
    raci_version: int
    slots: tuple[Slot, ...]
    state: RequestState
    submitted_by: str
    submitted_by_name: str
    submitted_at: datetime
    due_at: datetime
    expires_at: datetime
    reason: str
    record_sha256: str
    row_version: int
    closed_at: Optional[datetime] = None
    closed_by: Optional[str] = None
    close_reason: Optional[str] = None
    signatures: tuple[Signature, ...] = ()
    #: Problems found by :func:`verify_signatures` (empty: intact).
    integrity_problems: tuple[str, ...] = ()
    #: Active users notified (the Informed), by login.
    informed: tuple[str, ...] = ()
    #: Who registered the version (segregation of duties: never signs this request).
    version_author: Optional[str] = None

    @property
    def asked(self) -> str:
        """What is being asked, for people: ``"development → validation"`` or
        ``"move alias champion → v3"``."""
        if self.kind == "alias":
            return f"alias {self.alias} → v{self.version}"
        return f"{self.from_status} → {self.to_status}"

    @property
    def current_record_sha256(self) -> str:
        """The record version the next signature would sign."""
        return record_version_sha256(self.record_sha256, [s.signature_sha256 for s in self.signatures])

    def filled(self) -> dict[int, Signature]:
        """Slot index → the signature that filled it (reviewed/approved)."""
        return {s.slot: s for s in self.signatures
                if s.slot is not None and s.meaning in (Meaning.REVIEWED, Meaning.APPROVED)}

    def open_slots(self) -> list[Slot]:
        done = self.filled()
        return [s for s in self.slots if s.index not in done]

    def reviews_done(self) -> bool:
        return all(s.kind != "review" for s in self.open_slots())

    def age_days(self, now: Optional[datetime] = None) -> float:
        now = now or datetime.now(timezone.utc)
        return (now - self.submitted_at).total_seconds() / 86400.0

    def is_overdue(self, now: Optional[datetime] = None) -> bool:
        now = now or datetime.now(timezone.utc)
        return self.state == RequestState.OPEN and now > self.due_at

    def to_json(self) -> dict[str, Any]:
        filled = self.filled()
        return {
            "id": self.id, "model": self.model_name, "version": self.version,
            "version_author": self.version_author, "kind": self.kind,
            "from_status": self.from_status, "to_status": self.to_status, "alias": self.alias,
            "asked": self.asked, "task": self.task.value, "risk_tier": self.risk_tier,
            "raci_template": {"scope": self.raci_scope, "version": self.raci_version},
            "state": self.state.value, "submitted_by": self.submitted_by, "submitted_at": utc_text(self.submitted_at),
            "due_at": utc_text(self.due_at), "expires_at": utc_text(self.expires_at),
            "overdue": self.is_overdue(), "reason": self.reason,
            "required_signatures": [
                {**s.to_json(), "signed_by": filled[s.index].login if s.index in filled else None,
                 "signed_at": utc_text(filled[s.index].signed_at) if s.index in filled else None}
                for s in self.slots],
            "signatures": [s.to_json() for s in self.signatures],
            "record_sha256": self.record_sha256, "current_record_sha256": self.current_record_sha256,
            "signatures_intact": not self.integrity_problems, "integrity_problems": list(self.integrity_problems),
            "informed": list(self.informed),
            "closed_at": utc_text(self.closed_at), "closed_by": self.closed_by, "close_reason": self.close_reason,
        }


@dataclass(frozen=True)
class Finding:
    """A finding on a model (or one version): severity high | medium | low, state open |
    closed, from ``source`` validation | drift | manual."""

    id: int
    model_id: int
    model_name: str
    version: Optional[int]
    source: str
    source_ref: Optional[str]
    severity: str
    title: str
    detail: str
    state: str
    opened_at: datetime
    opened_by: str
    closed_at: Optional[datetime] = None
    closed_by: Optional[str] = None
    close_reason: Optional[str] = None
    #: Who remediates it (a login) and by when (UTC); ``None`` on findings opened before
    #: schema 0007 and on manual ones opened without them.
    owner: Optional[str] = None
    due_at: Optional[datetime] = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "model": self.model_name, "version": self.version, "source": self.source,
                "source_ref": self.source_ref, "severity": self.severity, "title": self.title,
                "detail": self.detail, "state": self.state, "opened_at": utc_text(self.opened_at),
                "opened_by": self.opened_by, "closed_at": utc_text(self.closed_at), "closed_by": self.closed_by,
                "close_reason": self.close_reason, "owner": self.owner, "due_at": utc_text(self.due_at)}


@dataclass(frozen=True)
class GateException:
    """A signed exception to an approval gate, valid until ``expires_at``."""

    id: int
    model_id: int
    gate: str
    reason: str
    granted_by: str
    printed_name: str
    granted_at: datetime
    expires_at: datetime
    signature_sha256: str

    def active(self, now: Optional[datetime] = None) -> bool:
        return (now or datetime.now(timezone.utc)) < self.expires_at


@dataclass(frozen=True)
class Notification:
    id: int
    created_at: datetime
    text: str
    request_id: Optional[int] = None
    model_id: Optional[int] = None
    read_at: Optional[datetime] = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "created_at": utc_text(self.created_at), "text": self.text,
                "request_id": self.request_id, "read": self.read_at is not None}
