"""registry sources, optimistic locking, db user

Adds remote registries (MLflow) and the read-only mirror of what is pulled from them
(snapshot hashes, deletion marks, server aliases), a row version on models for
optimistic locking, and the database user on audit events (PostgreSQL).  On SQLite the
batch operations rebuild ``model_version`` and ``registered_model``, which other tables
reference: :func:`console.store.db.migrate` runs migrations with foreign-key enforcement
off and checks ``PRAGMA foreign_key_check`` before committing, as SQLite's documented
table-rebuild procedure requires.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
import uuid

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    info = op.create_table('workspace_info',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_workspace_info'))
    )
    op.bulk_insert(info, [{'key': 'workspace_id', 'value': str(uuid.uuid4())}])
    op.create_table('registry_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('username', sa.String(length=200), nullable=True),
    sa.Column('auth', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sync_status', sa.String(length=20), nullable=True),
    sa.Column('last_sync_error', sa.Text(), nullable=True),
    sa.Column('last_sync_stats', sa.JSON(), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_source')),
    sa.UniqueConstraint('name', name=op.f('uq_registry_source_name'))
    )
    op.create_table('registry_alias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('external_version', sa.String(length=100), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['registered_model.id'], name=op.f('fk_registry_alias_model_id_registered_model')),
    sa.ForeignKeyConstraint(['version_id'], ['model_version.id'], name=op.f('fk_registry_alias_version_id_model_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_alias')),
    sa.UniqueConstraint('model_id', 'name', name=op.f('uq_registry_alias_model_id'))
    )
    with op.batch_alter_table('registry_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_alias_model_id'), ['model_id'], unique=False)

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('db_user', sa.String(length=200), nullable=True))

    with op.batch_alter_table('model_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_version', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('run_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('source_uri', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('lineage', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('tags', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('snapshot_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('changed_on_server_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_on_server_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('artifact_sha256',
               existing_type=sa.VARCHAR(length=64),
               nullable=True)

    with op.batch_alter_table('registered_model', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('row_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('tags', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('snapshot_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('changed_on_server_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_on_server_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_registered_model_source_id'), ['source_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_registered_model_source_id_registry_source'), 'registry_source', ['source_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('registered_model', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registered_model_source_id_registry_source'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_registered_model_source_id'))
        batch_op.drop_column('deleted_on_server_at')
        batch_op.drop_column('changed_on_server_at')
        batch_op.drop_column('synced_at')
        batch_op.drop_column('snapshot_sha256')
        batch_op.drop_column('tags')
        batch_op.drop_column('row_version')
        batch_op.drop_column('updated_by')
        batch_op.drop_column('source_id')

    with op.batch_alter_table('model_version', schema=None) as batch_op:
        batch_op.alter_column('artifact_sha256',
               existing_type=sa.VARCHAR(length=64),
               nullable=False)
        batch_op.drop_column('deleted_on_server_at')
        batch_op.drop_column('changed_on_server_at')
        batch_op.drop_column('synced_at')
        batch_op.drop_column('snapshot_sha256')
        batch_op.drop_column('tags')
        batch_op.drop_column('lineage')
        batch_op.drop_column('source_uri')
        batch_op.drop_column('run_id')
        batch_op.drop_column('external_version')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('db_user')

    with op.batch_alter_table('registry_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_alias_model_id'))

    op.drop_table('registry_alias')
    op.drop_table('registry_source')
    op.drop_table('workspace_info')
