"""The tamper-evident audit trail: hash-chain appends, verification, GDPR erasure.

Every audit event is one row of ``audit_event``; its ``hash`` is the SHA-256 (lowercase
hex) of the UTF-8 bytes of::

    json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

where ``event`` is this JSON object (exactly these 12 keys, from the row's columns):

================  ===========================================================================
``seq``           integer: the row's sequence number (primary key)
``prev_hash``     string: the ``hash`` of the previous event (by ``seq``); for the first
                  event the genesis value :data:`GENESIS_HASH`, 64 ``"0"`` characters
``occurred_at``   string: the UTC time as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always six
                  fraction digits).  SQLite stores ``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC):
                  replace the space by ``T`` and append ``Z``; PostgreSQL returns a
                  ``timestamptz``: convert it to UTC and format it so.
``actor_ref``     string: pseudonymous ref (``psn_`` + 24 hex digits) of the console user
``db_user_ref``   string or null: ref of the PostgreSQL ``current_user`` (null on SQLite)
``action``        string, e.g. ``model.status_changed``
``entity_type``   string
``entity_id``     string
``model_id``      integer or null
``old``           JSON value or null: the ``old`` column parsed as JSON (SQL NULL and the
                  JSON text ``null`` both give null)
``new``           likewise for ``new``
``reason``        string
================  ===========================================================================

The ``hash`` column itself is not part of the payload.  Nothing else is hashed: an
examiner can recompute the chain from a plain ``SELECT … ORDER BY seq`` with any JSON
library (``tests/test_audit_chain.py`` does it with only ``sqlite3``, ``json`` and
``hashlib``).  Floats in ``old``/``new`` are written by Python's ``json`` (shortest
repr); NaN and infinities are stored as null.

Personal data (GDPR Art. 17).  Names of people never enter ``audit_event``: the actor,
the database user and every string (or list of strings) under a key of
:data:`console.domain.models.PERSONAL_KEYS` in ``old``/``new`` (``owner``,
``created_by``, ``updated_by``, ``username``, ``run_by``, … at any depth) are replaced by
a ref into the side table ``audit_person(ref, display_name, created_at, erased_at)``.
Refs are random (not derived from the name), one per distinct name.
:func:`erase_person` sets ``display_name`` to NULL: no chained byte changes, so the
chain still verifies; the console then shows ``[erased]``.  ``audit_person`` is NOT
append-only (erasure must update it).  Free text (``reason``, entity ids) is not scanned:
do not put names there.  Business records outside the audit trail (a model's ``owner``, a
version's ``created_by``) are not touched by an erasure.

Append-only.  Migration 0003 installs triggers that make the database itself refuse
UPDATE and DELETE on ``audit_event`` (SQLite ``RAISE(ABORT)``; PostgreSQL a plpgsql
function, also refusing TRUNCATE).

Serialisation.  Appends run inside a write transaction, which holds the workspace write
lock (SQLite ``BEGIN IMMEDIATE``; PostgreSQL the advisory lock of
``console.services.workspace._audit_lock``), so reading the previous head inside it is
safe.  The head is read once per transaction (``ORDER BY seq DESC LIMIT 1``, an index
seek) and then kept in ``session.info``; every new event gets ``seq = head seq + 1``
explicitly, so several events in one transaction chain in the order they are appended,
whatever the flush order.  A rollback (also of a savepoint) or a commit drops the cached
head, and the next append reads it again.

Verification (:func:`verify_chain`) streams the rows in ``seq`` order (plain column
SELECT, no ORM objects) and reports the first bad sequence number:

* an event whose payload does not hash to its stored ``hash`` (a changed field, a
  forged hash, or two rows whose contents were swapped: the first of them) → its ``seq``;
* an event whose ``prev_hash`` is not the hash of the event before it: when sequence
  numbers are missing in between (deleted rows), the first missing number (the previous
  present ``seq`` + 1; 1 when the oldest events are gone); otherwise its own ``seq``;
* removal of the newest events leaves a shorter valid chain: it is caught only against a
  head hash saved earlier (``expect_head``, printed on every report): when that hash is
  not in the chain, ``first_bad_seq`` is the last present ``seq`` + 1.

Gaps in ``seq`` whose links are intact are accepted: PostgreSQL workspaces written
before migration 0003 can have them (a rolled-back transaction consumed a sequence
value); since 0003 every event takes ``seq = previous + 1``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable, Optional

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from console.domain.models import (
    PERSON_REF_RE,
    ChainVerification,
    map_personal_values,
)
from console.errors import InputError, NotFoundError
from console.jobs import CancelToken, ProgressFn, checkpoint, report
from console.jsonutil import json_safe
from console.store import orm
from console.store.orm import utcnow

if TYPE_CHECKING:  # pragma: no cover
    from console.domain.models import AuditEvent
    from console.services.workspace import Workspace

__all__ = [
    "GENESIS_HASH",
    "CHAIN_FIELDS",
    "ChainVerification",
    "canonical_json",
    "canonical_time",
    "event_hash",
    "append_event",
    "person_names",
    "verify_chain",
    "erase_person",
    "AuditFilterOptions",
    "filter_options",
    "list_events",
]

#: ``prev_hash`` of the first event: 64 zeros (no event hashes to it).
GENESIS_HASH = "0" * 64

#: The keys of the chained payload, in the order of the columns read by the verifier.
CHAIN_FIELDS = ("seq", "prev_hash", "occurred_at", "actor_ref", "db_user_ref", "action", "entity_type",
                "entity_id", "model_id", "old", "new", "reason")

#: Rows fetched per round trip while verifying.
VERIFY_BATCH = 5000

_HEAD = "tollgate_audit_head"  # session.info: (seq, hash) of the newest event in this transaction
_PERSONS = "tollgate_audit_persons"  # session.info: display name -> ref, this transaction

_SELECT_CHAIN = ("SELECT seq, prev_hash, occurred_at, actor_ref, db_user_ref, action, entity_type, entity_id, "
                 "model_id, old, new, reason, hash FROM audit_event ORDER BY seq")


# ----------------------------------------------------------------------------- canonical form
def canonical_time(value: Any) -> str:
    """``occurred_at`` as chained: UTC ``YYYY-MM-DDTHH:MM:SS.ffffffZ``.

    Accepts an aware datetime (converted to UTC), a naive one (taken as UTC, as SQLite
    returns them) or SQLite's stored text ``YYYY-MM-DD HH:MM:SS.ffffff``.
    """
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " " and value[19] == ".":  # SQLite's own format
            return f"{value[:10]}T{value[11:]}Z"
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(payload: dict[str, Any]) -> bytes:
    """The exact bytes hashed: ``json.dumps(payload, sort_keys=True, separators=(',', ':'),
    ensure_ascii=False)`` encoded as UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(payload: dict[str, Any]) -> str:
    """SHA-256 (lowercase hex) of :func:`canonical_json` of ``payload``."""
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def _json_value(value: Any) -> Any:
    """A stored JSON column value as Python (SQLite returns text, psycopg parsed values)."""
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def _as_stored(value: Any) -> Any:
    """``value`` exactly as it will read back from a JSON column (NaN -> null, tuples ->
    lists, keys -> strings, numpy -> Python)."""
    if value is None:
        return None
    return json.loads(json.dumps(json_safe(value), allow_nan=False))


# ----------------------------------------------------------------------------- appending
@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    # A rolled-back savepoint may have held appended events or new person rows.
    session.info.pop(_HEAD, None)
    session.info.pop(_PERSONS, None)


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    # The write lock is gone: another console may append before this session's next write.
    session.info.pop(_HEAD, None)
    session.info.pop(_PERSONS, None)


def _head(s: Session) -> tuple[int, str]:
    head = s.info.get(_HEAD)
    if head is None:
        with s.no_autoflush:
            row = s.execute(
                select(orm.AuditEventRow.seq, orm.AuditEventRow.hash).order_by(orm.AuditEventRow.seq.desc()).limit(1)
            ).first()
        head = (row[0], row[1]) if row is not None else (0, GENESIS_HASH)
        s.info[_HEAD] = head
    return head


def person_ref(s: Session, name: str) -> str:
    """The pseudonymous ref of the person called ``name`` (created if new), inside the
    caller's write transaction; cached in ``session.info`` for the transaction."""
    cache = s.info.setdefault(_PERSONS, {})
    ref = cache.get(name)
    if ref is not None:
        return ref
    with s.no_autoflush:
        ref = s.scalar(select(orm.AuditPersonRow.ref).where(orm.AuditPersonRow.display_name == name))
        if ref is None:
            ref = "psn_" + secrets.token_hex(12)
            s.execute(insert(orm.AuditPersonRow.__table__).values(ref=ref, display_name=name, created_at=utcnow()))
    cache[name] = ref
    return ref


def append_event(
    s: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: Any,
    model_id: Optional[int] = None,
    old: Optional[dict] = None,
    new: Optional[dict] = None,
    reason: str = "",
    at: Optional[datetime] = None,
    db_user: Optional[str] = None,
) -> orm.AuditEventRow:
    """Append one chained audit event to the write transaction of ``s`` and return its
    (pending) row.  ``actor``/``db_user`` and person values in ``old``/``new`` (see
    :data:`console.domain.models.PERSONAL_KEYS`) are stored as refs; ``at`` (default now)
    must be timezone-aware.  The caller must hold the workspace write lock (every
    ``Workspace._write()`` transaction does)."""
    when = (at or utcnow()).astimezone(timezone.utc)
    refs = lambda name: person_ref(s, name) if name else name  # noqa: E731 - "" stays ""
    old_v = map_personal_values(_as_stored(old), refs) if old is not None else None
    new_v = map_personal_values(_as_stored(new), refs) if new is not None else None
    actor_ref = person_ref(s, str(actor))
    db_user_ref = person_ref(s, db_user) if db_user else None
    seq, prev = _head(s)
    seq += 1
    payload = {
        "seq": seq,
        "prev_hash": prev,
        "occurred_at": canonical_time(when),
        "actor_ref": actor_ref,
        "db_user_ref": db_user_ref,
        "action": str(action),
        "entity_type": str(entity_type),
        "entity_id": str(entity_id),
        "model_id": int(model_id) if model_id is not None else None,
        "old": old_v,
        "new": new_v,
        "reason": str(reason or ""),
    }
    digest = event_hash(payload)
    row = orm.AuditEventRow(
        seq=seq, prev_hash=prev, hash=digest, occurred_at=when, actor_ref=actor_ref, db_user_ref=db_user_ref,
        action=payload["action"], entity_type=payload["entity_type"], entity_id=payload["entity_id"],
        model_id=payload["model_id"], old=old_v, new=new_v, reason=payload["reason"],
    )
    s.add(row)
    s.info[_HEAD] = (seq, digest)
    return row


# ----------------------------------------------------------------------------- reading
def _refs_in(value: Any, out: set[str]) -> None:
    def collect(x: str) -> str:
        if PERSON_REF_RE.match(x):
            out.add(x)
        return x

    map_personal_values(value, collect)


def person_names(s: Session, rows: Iterable[orm.AuditEventRow]) -> dict[str, Optional[str]]:
    """ref -> display name (``None`` when erased) for every person ref in ``rows``
    (actor, database user and person values in ``old``/``new``); one query per 500 refs."""
    refs: set[str] = set()
    for r in rows:
        refs.add(r.actor_ref)
        if r.db_user_ref:
            refs.add(r.db_user_ref)
        if r.old is not None:
            _refs_in(r.old, refs)
        if r.new is not None:
            _refs_in(r.new, refs)
    out: dict[str, Optional[str]] = {}
    todo = sorted(refs)
    for i in range(0, len(todo), 500):
        chunk = todo[i:i + 500]
        for ref, name in s.execute(
            select(orm.AuditPersonRow.ref, orm.AuditPersonRow.display_name).where(orm.AuditPersonRow.ref.in_(chunk))
        ):
            out[ref] = name
    return out


# ----------------------------------------------------------------------------- verifying
def normalise_head(value: Optional[str]) -> Optional[str]:
    """``--expect-head`` as 64 lowercase hex digits; raises :class:`InputError` otherwise."""
    if value is None:
        return None
    h = value.strip().lower()
    if len(h) != 64 or any(c not in "0123456789abcdef" for c in h):
        shown = value if len(value) <= 80 else value[:77] + "…"
        raise InputError(f"expected head {shown!r} is not a SHA-256 hash (64 hexadecimal digits); copy it from "
                         "'tollgate audit verify' or the 'Audit chain head' line of a report")
    return h


def verify_chain(
    ws: "Workspace",
    expect_head: Optional[str] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> ChainVerification:
    """Recompute the audit hash chain of ``ws`` (rules in the module docstring).

    Args:
        ws: the workspace.
        expect_head: a head hash saved earlier (64 hex digits); the chain must contain it,
            else the newest events were removed (or the chain was rewritten).
        progress: ``progress(fraction, message)`` once per batch of rows.
        cancel: polled once per batch of :data:`VERIFY_BATCH` rows.

    Returns a :class:`ChainVerification`.  Raises :class:`InputError` for a malformed
    ``expect_head`` and :class:`console.errors.Cancelled` on cancel.  Reads one consistent
    snapshot (one SELECT, streamed: a server-side cursor on PostgreSQL); appends made
    meanwhile are not seen.
    """
    expected = normalise_head(expect_head)
    report(progress, 0.0, "Verifying the audit chain")
    n = 0
    first_seq: Optional[int] = None
    last_seq = 0
    prev = GENESIS_HASH
    bad: Optional[int] = None
    why: Optional[str] = None
    found = expected is None or expected == GENESIS_HASH
    with ws._session() as s:
        total = s.scalar(text("SELECT count(*) FROM audit_event")) or 0
        result = s.connection().execution_options(yield_per=VERIFY_BATCH).execute(text(_SELECT_CHAIN))
        for rows in result.partitions():
            checkpoint(cancel)
            for seq, prev_hash, at, actor, db_user, action, etype, eid, mid, old, new, reason, stored in rows:
                n += 1
                if first_seq is None:
                    first_seq = seq
                if bad is None:
                    payload = {
                        "seq": seq, "prev_hash": prev_hash, "occurred_at": canonical_time(at), "actor_ref": actor,
                        "db_user_ref": db_user, "action": action, "entity_type": etype, "entity_id": eid,
                        "model_id": mid, "old": _json_value(old), "new": _json_value(new), "reason": reason,
                    }
                    linked = prev_hash == prev
                    if not linked and seq > last_seq + 1:
                        bad = last_seq + 1
                        missing = f"{bad}" if seq == bad + 1 else f"{bad}–{seq - 1}"
                        why = (f"event(s) {missing} are missing: event {seq} links to a hash that is not the hash "
                               f"of the event before it" + (f" ({last_seq})" if last_seq else ""))
                    elif event_hash(payload) != stored:
                        bad = seq
                        why = (f"event {seq} does not match its hash: its content or stored hash was changed, "
                               "or it was moved from another position")
                    elif not linked:
                        bad = seq
                        why = (f"event {seq} does not link to the event before it ({last_seq}): "
                               "events were altered, replaced or inserted out of order")
                    elif expected is not None and not found and stored == expected:
                        found = True
                last_seq = seq
                prev = stored
            report(progress, n / total if total else 1.0, f"Verified {n:,} of {total:,} audit events")
    if bad is None and not found:
        bad = last_seq + 1
        why = (f"the expected head {expected} is not in the chain: events after {last_seq or 'the start'} were "
               "removed, the chain was rewritten, or the hash belongs to another workspace")
    report(progress, 1.0, "Audit chain intact" if bad is None else f"Audit chain broken at event {bad}")
    return ChainVerification(
        intact=bad is None, events=n, head_hash=prev, first_bad_seq=bad, reason=why,
        first_seq=first_seq, last_seq=last_seq if n else None, expected_head=expected,
    )


# ----------------------------------------------------------------------------- erasure
def erase_person(ws: "Workspace", ref_or_name: str, actor: str, reason: str) -> str:
    """Erase a person's name from the audit trail (GDPR Art. 17) and return their ref.

    ``ref_or_name`` is a ref (``psn_…``) or the exact display name.  The side-table row
    gets ``display_name = NULL`` and ``erased_at``; the events keep the ref, so the chain
    still verifies, and the console shows ``[erased]``.  The erasure is itself an audit
    event (``person.erased``, entity the ref, by ``actor``, with ``reason``).  On SQLite
    the freed bytes are overwritten (``PRAGMA secure_delete``) and the WAL is
    checkpointed; on PostgreSQL the old row version stays until ``VACUUM``.

    Raises :class:`InputError` (empty reason, already erased) and
    :class:`NotFoundError` (no such person).
    """
    if not reason or not reason.strip():
        raise InputError("an erasure needs a reason (e.g. the data-subject request number)")
    key = ref_or_name.strip()
    with ws._write() as s:
        sqlite = s.get_bind().dialect.name == "sqlite"
        if sqlite:
            s.connection().exec_driver_sql("PRAGMA secure_delete = ON")
        by_ref = PERSON_REF_RE.match(key) is not None
        col = orm.AuditPersonRow.ref if by_ref else orm.AuditPersonRow.display_name
        row = s.scalar(select(orm.AuditPersonRow).where(col == key))
        if row is None:
            raise NotFoundError(f"no person {'with ref' if by_ref else 'named'} {key!r} in the audit trail of "
                                f"workspace {ws.label} (names match exactly; an erased person only by ref)")
        if row.erased_at is not None:
            raise InputError(f"person {row.ref} was already erased on {row.erased_at:%Y-%m-%d %H:%M} UTC")
        ref = row.ref
        s.info.get(_PERSONS, {}).pop(row.display_name, None)
        row.display_name = None
        row.erased_at = utcnow()
        s.flush()
        ws._audit(s, actor, "person.erased", "audit_person", ref, new={"ref": ref, "erased": True}, reason=reason)
    if sqlite:
        raw = ws._engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    return ref


# ----------------------------------------------------------------------------- browsing
#: Default maximum number of events :func:`list_events` returns.
LIST_LIMIT = 2000


@dataclass(frozen=True)
class AuditFilterOptions:
    """Choices for the filters of the workspace audit view.

    ``models``: ``(model id, name)`` of every registered model, by name.  ``actions``:
    the distinct ``action`` values in the trail, sorted.  ``people``: ``(ref, shown
    name)`` of every person who acted (``[erased]`` after an erasure), by name.
    """

    models: tuple[tuple[int, str], ...]
    actions: tuple[str, ...]
    people: tuple[tuple[str, str], ...]


def filter_options(ws: "Workspace") -> AuditFilterOptions:
    """The :class:`AuditFilterOptions` of ``ws`` (three small queries: the actors come
    from the ``actor_ref`` index, the models from ``registered_model``)."""
    from console.domain.models import ERASED_NAME

    with ws._session() as s:
        models = tuple(
            (int(i), str(n)) for i, n in s.execute(
                select(orm.RegisteredModelRow.id, orm.RegisteredModelRow.name).order_by(
                    orm.RegisteredModelRow.name, orm.RegisteredModelRow.id))
        )
        actions = tuple(s.scalars(select(orm.AuditEventRow.action).distinct().order_by(orm.AuditEventRow.action)))
        actors = select(orm.AuditEventRow.actor_ref).distinct()
        people = sorted(
            ((ref, name if name is not None else ERASED_NAME) for ref, name in s.execute(
                select(orm.AuditPersonRow.ref, orm.AuditPersonRow.display_name).where(
                    orm.AuditPersonRow.ref.in_(actors)))),
            key=lambda p: (p[1] == ERASED_NAME, p[1].casefold(), p[0]),
        )
    return AuditFilterOptions(models=models, actions=actions, people=tuple(people))


def list_events(
    ws: "Workspace",
    model_id: Optional[int] = None,
    actor: Optional[str] = None,
    action: Optional[str] = None,
    since: Optional[datetime] = None,
    until: Optional[datetime] = None,
    limit: int = LIST_LIMIT,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> list["AuditEvent"]:
    """Audit events of ``ws``, newest first (by ``seq``), people resolved to names.

    Every filter is a SQL ``WHERE`` condition, combined with AND; ``None`` means any.

    Args:
        model_id: events about this model (``audit_event.model_id``, indexed).
        actor: a person ref (``psn_…``) or the exact display name of the person who
            acted (``actor_ref``, indexed); an erased person only by ref.
        action: exact action, e.g. ``model.status_changed``.
        since: events at or after this aware datetime (inclusive).
        until: events before this aware datetime (exclusive).
        limit: at most this many events (the newest); 1 … 1,000,000.

    The rows are read newest first (``ORDER BY seq DESC LIMIT``, a walk of the primary
    key that stops after ``limit`` matches), so the table is never loaded as a whole.
    Returns a list of :class:`console.domain.models.AuditEvent`; an unknown actor name
    gives an empty list.  Raises :class:`InputError` for a naive datetime, a range that
    ends before it starts or a bad ``limit``, and :class:`console.errors.Cancelled`.
    """
    from console.store import convert

    if not 1 <= int(limit) <= 1_000_000:
        raise InputError(f"limit {limit} is out of range: give 1 to 1,000,000 events")
    for label, value in (("start", since), ("end", until)):
        if value is not None and value.tzinfo is None:
            raise InputError(f"the {label} of the date range has no time zone; give a UTC time")
    if since is not None and until is not None and until <= since:
        raise InputError("the date range ends before it starts: pick an end date after the start date")
    report(progress, 0.0, "Reading the audit trail")
    E = orm.AuditEventRow
    q = select(E)
    if model_id is not None:
        q = q.where(E.model_id == int(model_id))
    if action:
        q = q.where(E.action == action)
    if since is not None:
        q = q.where(E.occurred_at >= since)
    if until is not None:
        q = q.where(E.occurred_at < until)
    with ws._session() as s:
        if actor:
            key = actor.strip()
            if PERSON_REF_RE.match(key):
                ref: Optional[str] = key
            else:
                ref = s.scalar(select(orm.AuditPersonRow.ref).where(orm.AuditPersonRow.display_name == key))
            if ref is None:
                report(progress, 1.0, "No audit events by that person")
                return []
            q = q.where(E.actor_ref == ref)
        checkpoint(cancel)
        rows = s.scalars(q.order_by(E.seq.desc()).limit(int(limit))).all()
        checkpoint(cancel)
        report(progress, 0.7, f"Resolving the names in {len(rows):,} audit events")
        names = person_names(s, rows)
        events = [convert.audit_event(r, names) for r in rows]
    report(progress, 1.0, f"{len(events):,} audit event{'s' if len(events) != 1 else ''}")
    return events
