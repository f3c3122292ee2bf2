"""approval requests, electronic signatures, findings, gate exceptions, inbox, tier assessments

Adds the tables of the approval workflow (issue 5; :mod:`console.services.approvals`):
``approval_request`` (a lifecycle transition or alias move with its required
signatures), ``approval_signature`` (21 CFR Part 11 signatures bound to the record
version they sign; append-only like ``audit_event``: triggers refuse UPDATE and DELETE,
and TRUNCATE on PostgreSQL), ``finding``, ``gate_exception`` (signed, expiring),
``notification`` (in-app inbox) and ``tier_assessment`` (questionnaire answers, rule
version, computed and final tier).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


SQLITE_TRIGGERS = (
    "CREATE TRIGGER approval_signature_no_update BEFORE UPDATE ON approval_signature "
    "BEGIN SELECT RAISE(ABORT, 'approval_signature is append-only: UPDATE refused'); END",
    "CREATE TRIGGER approval_signature_no_delete BEFORE DELETE ON approval_signature "
    "BEGIN SELECT RAISE(ABORT, 'approval_signature is append-only: DELETE refused'); END",
)
PG_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION tollgate_signature_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION USING MESSAGE = 'approval_signature is append-only: ' || TG_OP || ' refused', "
    "ERRCODE = 'restrict_violation'; END $$",
    "CREATE TRIGGER approval_signature_append_only BEFORE UPDATE OR DELETE ON approval_signature "
    "FOR EACH ROW EXECUTE FUNCTION tollgate_signature_append_only()",
    "CREATE TRIGGER approval_signature_no_truncate BEFORE TRUNCATE ON approval_signature "
    "FOR EACH STATEMENT EXECUTE FUNCTION tollgate_signature_append_only()",
)


def upgrade() -> None:
    op.create_table('gate_exception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('gate', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by', sa.String(length=100), nullable=False),
    sa.Column('printed_name', sa.String(length=200), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signature_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['registered_model.id'], name=op.f('fk_gate_exception_model_id_registered_model')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gate_exception'))
    )
    with op.batch_alter_table('gate_exception', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gate_exception_model_id'), ['model_id'], unique=False)

    op.create_table('tier_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('computed_tier', sa.Integer(), nullable=False),
    sa.Column('final_tier', sa.Integer(), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('assessed_by', sa.String(length=100), nullable=False),
    sa.Column('printed_name', sa.String(length=200), nullable=False),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signature_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['model_id'], ['registered_model.id'], name=op.f('fk_tier_assessment_model_id_registered_model')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_assessment'))
    )
    with op.batch_alter_table('tier_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tier_assessment_model_id'), ['model_id'], unique=False)

    op.create_table('approval_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=False),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('alias', sa.String(length=255), nullable=True),
    sa.Column('task', sa.String(length=60), nullable=False),
    sa.Column('risk_tier', sa.Integer(), nullable=False),
    sa.Column('raci_scope', sa.String(length=40), nullable=False),
    sa.Column('raci_version', sa.Integer(), nullable=False),
    sa.Column('required', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('submitted_by', sa.String(length=100), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('record_sha256', sa.String(length=64), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['registered_model.id'], name=op.f('fk_approval_request_model_id_registered_model')),
    sa.ForeignKeyConstraint(['version_id'], ['model_version.id'], name=op.f('fk_approval_request_version_id_model_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_request'))
    )
    with op.batch_alter_table('approval_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_request_model_id'), ['model_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_request_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_request_submitted_by'), ['submitted_by'], unique=False)

    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_ref', sa.String(length=100), nullable=True),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=100), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['model_id'], ['registered_model.id'], name=op.f('fk_finding_model_id_registered_model')),
    sa.ForeignKeyConstraint(['version_id'], ['model_version.id'], name=op.f('fk_finding_version_id_model_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding'))
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_model_id'), ['model_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_state'), ['state'], unique=False)

    op.create_table('approval_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('printed_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=True),
    sa.Column('meaning', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('record_sha256', sa.String(length=64), nullable=False),
    sa.Column('signature_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['approval_request.id'], name=op.f('fk_approval_signature_request_id_approval_request')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_approval_signature_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_signature')),
    sa.UniqueConstraint('request_id', 'seq', name=op.f('uq_approval_signature_request_id'))
    )
    with op.batch_alter_table('approval_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_signature_request_id'), ['request_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('model_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['model_id'], ['registered_model.id'], name=op.f('fk_notification_model_id_registered_model')),
    sa.ForeignKeyConstraint(['request_id'], ['approval_request.id'], name=op.f('fk_notification_request_id_approval_request')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_notification_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)


    dialect = op.get_bind().dialect.name
    for sql in SQLITE_TRIGGERS if dialect == "sqlite" else PG_TRIGGERS if dialect == "postgresql" else ():
        op.execute(sql)

def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS approval_signature_append_only ON approval_signature")
        op.execute("DROP TRIGGER IF EXISTS approval_signature_no_truncate ON approval_signature")
        op.execute("DROP FUNCTION IF EXISTS tollgate_signature_append_only()")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))

    op.drop_table('notification')
    with op.batch_alter_table('approval_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_signature_request_id'))

    op.drop_table('approval_signature')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_state'))
        batch_op.drop_index(batch_op.f('ix_finding_model_id'))

    op.drop_table('finding')
    with op.batch_alter_table('approval_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_request_submitted_by'))
        batch_op.drop_index(batch_op.f('ix_approval_request_state'))
        batch_op.drop_index(batch_op.f('ix_approval_request_model_id'))

    op.drop_table('approval_request')
    with op.batch_alter_table('tier_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tier_assessment_model_id'))

    op.drop_table('tier_assessment')
    with op.batch_alter_table('gate_exception', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gate_exception_model_id'))

    op.drop_table('gate_exception')
