"""workspace users, role assignments, versioned RACI templates

Adds ``app_user`` (login, display name, scrypt password hash), ``role_assignment``
(global or per model) and ``raci_template`` (versions per scope: ``default``,
``tier:N``, ``model:ID``), and seeds version 1 of the ``default`` scope: DESIGN.md's
RACI table.  The matrix is copied here on purpose (a migration is a frozen snapshot);
``tests/test_governance_people.py`` checks it equals
``console.domain.governance.DEFAULT_RACI``.  The seed is part of the schema, not an
edit, so it writes no audit event; every later version does.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_BO, _SME, _DE, _DS = "Business Owner", "Subject Matter Expert (SME)", "Data Engineer", "Data Scientist"
_ML, _DO, _MRM = "ML Engineer/Architect", "DevOps Engineer", "Model Risk Manager"
DEFAULT_RACI_V1 = {
    "Define business requirements": {_BO: "R", _SME: "A", _DE: "I", _DS: "I", _ML: "I", _DO: "I", _MRM: "I"},
    "Data collection & ingestion": {_BO: "I", _SME: "C", _DE: "R/A", _DS: "C", _ML: "I", _DO: "I"},
    "Data analysis & ingestion": {_BO: "I", _SME: "C", _DE: "R/A", _DS: "C", _ML: "I", _DO: "I"},
    "Data model & storage": {_BO: "I", _SME: "C", _DE: "R/A", _DS: "C", _ML: "I", _DO: "I"},
    "Data validation & preparation": {_SME: "I", _DE: "C", _DS: "R/A", _ML: "I", _DO: "I"},
    "Model development": {_SME: "I", _DE: "C", _DS: "R/A", _ML: "I", _DO: "I", _MRM: "I"},
    "Model validation & selection": {
        _SME: "I", _DE: "C", _DS: {"1": "R", "2": "R", "3": "R/A"}, _ML: "I", _DO: "I",
        _MRM: {"1": "A", "2": "A", "3": "C"},
    },
    "Model evaluation & hypercare": {_SME: "I", _DE: "I", _DS: "C", _ML: "R/A", _DO: "C", _MRM: "C"},
    "ML system validation & deployment": {
        _SME: "I", _DE: "I", _DS: "C", _ML: "C", _DO: "R/A", _MRM: {"1": "C/S", "2": "C", "3": "C"},
    },
}


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('login', name=op.f('uq_app_user_login'))
    )
    op.create_table('role_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['model_id'], ['registered_model.id'],
                            name=op.f('fk_role_assignment_model_id_registered_model')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_role_assignment_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_assignment')),
    sa.UniqueConstraint('user_id', 'role', 'model_id', name=op.f('uq_role_assignment_user_id'))
    )
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_assignment_model_id'), ['model_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_assignment_user_id'), ['user_id'], unique=False)
    raci = op.create_table('raci_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('matrix', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_raci_template')),
    sa.UniqueConstraint('scope', 'version', name=op.f('uq_raci_template_scope'))
    )
    with op.batch_alter_table('raci_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_raci_template_scope'), ['scope'], unique=False)
    op.bulk_insert(raci, [{
        "scope": "default", "version": 1, "matrix": DEFAULT_RACI_V1, "created_at": datetime.now(timezone.utc),
        "created_by": "tollgate", "reason": "default template (DESIGN.md, Governance defaults)",
    }])


def downgrade() -> None:
    with op.batch_alter_table('raci_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_raci_template_scope'))
    op.drop_table('raci_template')
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_assignment_user_id'))
        batch_op.drop_index(batch_op.f('ix_role_assignment_model_id'))
    op.drop_table('role_assignment')
    op.drop_table('app_user')
