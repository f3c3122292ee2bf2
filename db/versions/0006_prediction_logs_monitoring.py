"""prediction logs, late labels, reference profiles, monitoring thresholds

Monitoring over time (issue 4; :mod:`console.services.monitoring`):
``prediction_batch`` (one ingested file of prediction logs per row; the parsed rows are
a content-addressed Parquet blob, never one SQL row per prediction), ``label_batch``
(late-arriving labels joined by request id, also a Parquet blob), ``reference_profile``
(the cached drift reference profile of a model version and of the model's predictions
on the reference data, as ``ReferenceProfile.to_bytes()`` blobs, with the reference
fingerprint) and ``monitoring_policy`` (per-model PSI alert thresholds and features left out of
monitoring; no row = the DESIGN.md defaults 0.1 / 0.25, nothing left out).  ``drift_run`` gains ``source``, ``window_rule`` and
``profile_fingerprint``; ``drift_window`` gains ``n_labelled``, ``performance`` and
``prediction_drift`` (JSON).  Only new tables and nullable columns: no table rebuild.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('monitoring_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('psi_warning', sa.Float(), nullable=False),
    sa.Column('psi_drift', sa.Float(), nullable=False),
    sa.Column('exclude_columns', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['registered_model.id'], name=op.f('fk_monitoring_policy_model_id_registered_model')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_policy')),
    sa.UniqueConstraint('model_id', name=op.f('uq_monitoring_policy_model_id'))
    )
    op.create_table('label_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('data_sha256', sa.String(length=64), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('n_rows', sa.Integer(), nullable=False),
    sa.Column('n_matched', sa.Integer(), nullable=False),
    sa.Column('request_id_column', sa.String(length=400), nullable=False),
    sa.Column('label_column', sa.String(length=400), nullable=False),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ingested_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['data_sha256'], ['blob.sha256'], name=op.f('fk_label_batch_data_sha256_blob')),
    sa.ForeignKeyConstraint(['version_id'], ['model_version.id'], name=op.f('fk_label_batch_version_id_model_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_batch')),
    sa.UniqueConstraint('version_id', 'content_sha256', name=op.f('uq_label_batch_version_id'))
    )
    with op.batch_alter_table('label_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_batch_version_id'), ['version_id'], unique=False)

    op.create_table('prediction_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('data_sha256', sa.String(length=64), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('n_rows', sa.Integer(), nullable=False),
    sa.Column('ts_min', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ts_max', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timestamp_column', sa.String(length=400), nullable=False),
    sa.Column('prediction_column', sa.String(length=400), nullable=False),
    sa.Column('score_column', sa.String(length=400), nullable=True),
    sa.Column('label_column', sa.String(length=400), nullable=True),
    sa.Column('request_id_column', sa.String(length=400), nullable=True),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('read_options', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ingested_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['data_sha256'], ['blob.sha256'], name=op.f('fk_prediction_batch_data_sha256_blob')),
    sa.ForeignKeyConstraint(['version_id'], ['model_version.id'], name=op.f('fk_prediction_batch_version_id_model_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prediction_batch')),
    sa.UniqueConstraint('version_id', 'content_sha256', name=op.f('uq_prediction_batch_version_id'))
    )
    with op.batch_alter_table('prediction_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prediction_batch_version_id'), ['version_id'], unique=False)

    op.create_table('reference_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('format_version', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('reference_sha256', sa.String(length=64), nullable=False),
    sa.Column('profile_sha256', sa.String(length=64), nullable=False),
    sa.Column('prediction_profile_sha256', sa.String(length=64), nullable=True),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['prediction_profile_sha256'], ['blob.sha256'], name=op.f('fk_reference_profile_prediction_profile_sha256_blob')),
    sa.ForeignKeyConstraint(['profile_sha256'], ['blob.sha256'], name=op.f('fk_reference_profile_profile_sha256_blob')),
    sa.ForeignKeyConstraint(['version_id'], ['model_version.id'], name=op.f('fk_reference_profile_version_id_model_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_profile')),
    sa.UniqueConstraint('version_id', name=op.f('uq_reference_profile_version_id'))
    )
    with op.batch_alter_table('drift_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('window_rule', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('profile_fingerprint', sa.String(length=64), nullable=True))

    with op.batch_alter_table('drift_window', schema=None) as batch_op:
        batch_op.add_column(sa.Column('n_labelled', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('performance', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('prediction_drift', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('drift_window', schema=None) as batch_op:
        batch_op.drop_column('prediction_drift')
        batch_op.drop_column('performance')
        batch_op.drop_column('n_labelled')

    with op.batch_alter_table('drift_run', schema=None) as batch_op:
        batch_op.drop_column('profile_fingerprint')
        batch_op.drop_column('window_rule')
        batch_op.drop_column('source')

    op.drop_table('reference_profile')
    with op.batch_alter_table('prediction_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prediction_batch_version_id'))

    op.drop_table('prediction_batch')
    with op.batch_alter_table('label_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_batch_version_id'))

    op.drop_table('label_batch')
    op.drop_table('monitoring_policy')
