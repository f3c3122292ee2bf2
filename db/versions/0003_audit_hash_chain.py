"""audit hash chain, pseudonymous people, append-only audit table

Turns ``audit_event`` into a tamper-evident SHA-256 hash chain (columns ``prev_hash``
and ``hash``; the canonical payload is documented in ``console/services/audit.py``) and
moves people out of it (GDPR Art. 17): ``actor`` and ``db_user`` become refs
(``actor_ref``, ``db_user_ref``) into the new, erasable side table ``audit_person``, and
person values in ``old``/``new`` (keys in ``PERSONAL_KEYS`` below) are replaced by refs.

Existing events are backfilled in ``seq`` order (so an upgraded workspace verifies
intact), then triggers are created that make the database refuse UPDATE and DELETE on
``audit_event`` (SQLite ``RAISE(ABORT)``; PostgreSQL a plpgsql function, for UPDATE,
DELETE and TRUNCATE).  ``audit_person`` stays updatable (erasure).

The canonical form and the personal-key rule are copied here on purpose: a migration is
a frozen snapshot and must not change when the application code does.

Note for later migrations: rebuilding ``audit_event`` on SQLite (batch mode) drops its
triggers together with the old table; create them again (:func:`create_triggers`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
import hashlib
import json
import re
import secrets
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
PERSONAL_KEYS = frozenset({
    "actor", "owner", "created_by", "updated_by", "run_by", "username", "user", "login",
    "display_name", "printed_name", "author", "submitter", "submitted_by", "signer",
    "signed_by", "reviewer", "reviewed_by", "approver", "approved_by", "erased_by", "db_user",
})
REF_RE = re.compile(r"^psn_[0-9a-f]{24}$")
BATCH = 2000

SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: DELETE refused'); END",
)
PG_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION tollgate_audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION USING MESSAGE = 'audit_event is append-only: ' || TG_OP || ' refused', "
    "ERRCODE = 'restrict_violation'; END $$",
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION tollgate_audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION tollgate_audit_event_append_only()",
)


def create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for sql in SQLITE_TRIGGERS if dialect == "sqlite" else PG_TRIGGERS if dialect == "postgresql" else ():
        op.execute(sql)


def drop_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS tollgate_audit_event_append_only()")


def _map_personal(obj, fn):
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k in PERSONAL_KEYS:
                if isinstance(v, str):
                    v = fn(v)
                elif isinstance(v, list):
                    v = [fn(x) if isinstance(x, str) else _map_personal(x, fn) for x in v]
                else:
                    v = _map_personal(v, fn)
            else:
                v = _map_personal(v, fn)
            out[k] = v
        return out
    if isinstance(obj, list):
        return [_map_personal(x, fn) for x in obj]
    return obj


def _canonical_time(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hash(payload: dict) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    ).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    person = op.create_table('audit_person',
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('ref', name=op.f('pk_audit_person')),
    sa.UniqueConstraint('display_name', name=op.f('uq_audit_person_display_name'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_ref', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('db_user_ref', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    # Backfill in seq order, in batches (no whole-table load).
    ev = sa.table('audit_event',
                  sa.column('seq', sa.Integer), sa.column('occurred_at', sa.DateTime(timezone=True)),
                  sa.column('actor', sa.String), sa.column('db_user', sa.String), sa.column('action', sa.String),
                  sa.column('entity_type', sa.String), sa.column('entity_id', sa.String),
                  sa.column('model_id', sa.Integer), sa.column('old', sa.JSON), sa.column('new', sa.JSON),
                  sa.column('reason', sa.Text), sa.column('actor_ref', sa.String),
                  sa.column('db_user_ref', sa.String), sa.column('prev_hash', sa.String), sa.column('hash', sa.String))
    refs: dict = {}
    now = datetime.now(timezone.utc)

    def ref_of(name):
        if not name:
            return name
        if name not in refs:
            refs[name] = "psn_" + secrets.token_hex(12)
            bind.execute(person.insert().values(ref=refs[name], display_name=name, created_at=now))
        return refs[name]

    prev, last = GENESIS_HASH, None
    update = (ev.update().where(ev.c.seq == sa.bindparam('b_seq'))
              .values(actor_ref=sa.bindparam('b_actor'), db_user_ref=sa.bindparam('b_db_user'),
                      prev_hash=sa.bindparam('b_prev'), hash=sa.bindparam('b_hash'),
                      old=sa.bindparam('b_old', type_=sa.JSON), new=sa.bindparam('b_new', type_=sa.JSON)))
    while True:
        q = sa.select(ev.c.seq, ev.c.occurred_at, ev.c.actor, ev.c.db_user, ev.c.action, ev.c.entity_type,
                      ev.c.entity_id, ev.c.model_id, ev.c.old, ev.c.new, ev.c.reason).order_by(ev.c.seq).limit(BATCH)
        if last is not None:
            q = q.where(ev.c.seq > last)
        rows = bind.execute(q).all()
        if not rows:
            break
        params = []
        for r in rows:
            old = json.loads(json.dumps(_map_personal(r.old, ref_of))) if r.old is not None else None
            new = json.loads(json.dumps(_map_personal(r.new, ref_of))) if r.new is not None else None
            payload = {
                "seq": r.seq, "prev_hash": prev, "occurred_at": _canonical_time(r.occurred_at),
                "actor_ref": ref_of(r.actor or ""), "db_user_ref": ref_of(r.db_user) if r.db_user else None,
                "action": r.action, "entity_type": r.entity_type, "entity_id": r.entity_id,
                "model_id": r.model_id, "old": old, "new": new, "reason": r.reason or "",
            }
            if payload["actor_ref"] == "":
                payload["actor_ref"] = ref_of("unknown")
            digest = _hash(payload)
            params.append({"b_seq": r.seq, "b_actor": payload["actor_ref"], "b_db_user": payload["db_user_ref"],
                           "b_prev": prev, "b_hash": digest, "b_old": old, "b_new": new})
            prev = digest
        bind.execute(update, params)
        last = rows[-1].seq

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('actor_ref', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('actor')
        batch_op.drop_column('db_user')
        batch_op.create_index(batch_op.f('ix_audit_event_actor_ref'), ['actor_ref'], unique=False)
        # the Audit view filters by action and date range in SQL
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_actor_ref_audit_person'), 'audit_person',
                                    ['actor_ref'], ['ref'])
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_db_user_ref_audit_person'), 'audit_person',
                                    ['db_user_ref'], ['ref'])

    create_triggers()


def downgrade() -> None:
    """Back to plain names (erased people become ``[erased]``); the chain is dropped."""
    bind = op.get_bind()
    drop_triggers()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('db_user', sa.String(length=200), nullable=True))
    names = {r.ref: (r.display_name if r.display_name is not None else "[erased]")
             for r in bind.execute(sa.text("SELECT ref, display_name FROM audit_person"))}
    ev = sa.table('audit_event', sa.column('seq', sa.Integer), sa.column('actor_ref', sa.String),
                  sa.column('db_user_ref', sa.String), sa.column('old', sa.JSON), sa.column('new', sa.JSON),
                  sa.column('actor', sa.String), sa.column('db_user', sa.String))

    def name_of(ref):
        return names.get(ref, ref) if isinstance(ref, str) and REF_RE.match(ref) else ref

    rows = bind.execute(sa.select(ev.c.seq, ev.c.actor_ref, ev.c.db_user_ref, ev.c.old, ev.c.new)).all()
    if rows:
        bind.execute(
            ev.update().where(ev.c.seq == sa.bindparam('b_seq')).values(
                actor=sa.bindparam('b_actor'), db_user=sa.bindparam('b_db_user'),
                old=sa.bindparam('b_old', type_=sa.JSON), new=sa.bindparam('b_new', type_=sa.JSON)),
            [{"b_seq": r.seq, "b_actor": name_of(r.actor_ref), "b_db_user": name_of(r.db_user_ref),
              "b_old": _map_personal(r.old, name_of) if r.old is not None else None,
              "b_new": _map_personal(r.new, name_of) if r.new is not None else None} for r in rows])
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_event_db_user_ref_audit_person'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_audit_event_actor_ref_audit_person'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_ref'))
        batch_op.drop_index(batch_op.f('ix_audit_event_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))
        batch_op.alter_column('actor', existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('db_user_ref')
        batch_op.drop_column('actor_ref')
    op.drop_table('audit_person')
