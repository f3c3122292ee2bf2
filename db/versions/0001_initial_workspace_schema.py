"""initial workspace schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('entity_type', sa.String(length=50), nullable=False),
    sa.Column('entity_id', sa.String(length=100), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=True),
    sa.Column('old', sa.JSON(), nullable=True),
    sa.Column('new', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_model_id'), ['model_id'], unique=False)

    op.create_table('blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blob'))
    )
    op.create_table('registered_model',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('business_unit', sa.String(length=200), nullable=False),
    sa.Column('use_case', sa.Text(), nullable=False),
    sa.Column('risk_tier', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('task', sa.String(length=20), nullable=False),
    sa.Column('intended_use', sa.Text(), nullable=False),
    sa.Column('restrictions', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registered_model')),
    sa.UniqueConstraint('source', 'name', name=op.f('uq_registered_model_source'))
    )
    op.create_table('model_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('framework', sa.String(length=100), nullable=False),
    sa.Column('estimator_class', sa.String(length=300), nullable=False),
    sa.Column('artifact_sha256', sa.String(length=64), nullable=False),
    sa.Column('data_sha256', sa.String(length=64), nullable=False),
    sa.Column('training_schema', sa.JSON(), nullable=False),
    sa.Column('target_column', sa.String(length=400), nullable=False),
    sa.Column('holdout_sha256', sa.String(length=64), nullable=True),
    sa.Column('reference_sha256', sa.String(length=64), nullable=True),
    sa.Column('hyperparameters', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artifact_sha256'], ['blob.sha256'], name=op.f('fk_model_version_artifact_sha256_blob')),
    sa.ForeignKeyConstraint(['holdout_sha256'], ['blob.sha256'], name=op.f('fk_model_version_holdout_sha256_blob')),
    sa.ForeignKeyConstraint(['model_id'], ['registered_model.id'], name=op.f('fk_model_version_model_id_registered_model')),
    sa.ForeignKeyConstraint(['reference_sha256'], ['blob.sha256'], name=op.f('fk_model_version_reference_sha256_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_version')),
    sa.UniqueConstraint('model_id', 'version', name=op.f('uq_model_version_model_id'))
    )
    with op.batch_alter_table('model_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_version_model_id'), ['model_id'], unique=False)

    op.create_table('drift_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('reference_sha256', sa.String(length=64), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['model_version.id'], name=op.f('fk_drift_run_version_id_model_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drift_run'))
    )
    with op.batch_alter_table('drift_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drift_run_version_id'), ['version_id'], unique=False)

    op.create_table('model_alias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['registered_model.id'], name=op.f('fk_model_alias_model_id_registered_model')),
    sa.ForeignKeyConstraint(['version_id'], ['model_version.id'], name=op.f('fk_model_alias_version_id_model_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_alias')),
    sa.UniqueConstraint('model_id', 'name', name=op.f('uq_model_alias_model_id'))
    )
    with op.batch_alter_table('model_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_alias_model_id'), ['model_id'], unique=False)

    op.create_table('validation_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('run_by', sa.String(length=200), nullable=False),
    sa.Column('data_label', sa.Text(), nullable=False),
    sa.Column('data_sha256', sa.String(length=64), nullable=False),
    sa.Column('n_rows', sa.Integer(), nullable=False),
    sa.Column('artifact_sha256', sa.String(length=64), nullable=False),
    sa.Column('environment', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['model_version.id'], name=op.f('fk_validation_run_version_id_model_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_validation_run'))
    )
    with op.batch_alter_table('validation_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_validation_run_version_id'), ['version_id'], unique=False)

    op.create_table('check_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.String(length=100), nullable=False),
    sa.Column('family', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('blocking', sa.Boolean(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['validation_run.id'], name=op.f('fk_check_result_run_id_validation_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_result'))
    )
    with op.batch_alter_table('check_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_result_run_id'), ['run_id'], unique=False)

    op.create_table('drift_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('start', sa.String(length=40), nullable=True),
    sa.Column('end', sa.String(length=40), nullable=True),
    sa.Column('n_rows', sa.Integer(), nullable=False),
    sa.Column('data_sha256', sa.String(length=64), nullable=False),
    sa.Column('dataset_drift', sa.Boolean(), nullable=False),
    sa.Column('n_tested', sa.Integer(), nullable=False),
    sa.Column('n_drifted', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['drift_run.id'], name=op.f('fk_drift_window_run_id_drift_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drift_window'))
    )
    with op.batch_alter_table('drift_window', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drift_window_run_id'), ['run_id'], unique=False)

    op.create_table('drift_feature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('tested', sa.Boolean(), nullable=False),
    sa.Column('is_target', sa.Boolean(), nullable=False),
    sa.Column('psi', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=True),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('distribution', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['window_id'], ['drift_window.id'], name=op.f('fk_drift_feature_window_id_drift_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drift_feature'))
    )
    with op.batch_alter_table('drift_feature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drift_feature_window_id'), ['window_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('drift_feature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drift_feature_window_id'))

    op.drop_table('drift_feature')
    with op.batch_alter_table('drift_window', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drift_window_run_id'))

    op.drop_table('drift_window')
    with op.batch_alter_table('check_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_result_run_id'))

    op.drop_table('check_result')
    with op.batch_alter_table('validation_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_validation_run_version_id'))

    op.drop_table('validation_run')
    with op.batch_alter_table('model_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_alias_model_id'))

    op.drop_table('model_alias')
    with op.batch_alter_table('drift_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drift_run_version_id'))

    op.drop_table('drift_run')
    with op.batch_alter_table('model_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_version_model_id'))

    op.drop_table('model_version')
    op.drop_table('registered_model')
    op.drop_table('blob')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_model_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_entity_id'))

    op.drop_table('audit_event')
