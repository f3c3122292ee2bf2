"""validation plans, trusted artifacts, run fingerprints, protected attributes

Validation suites (issue 6; :mod:`console.services.validation`):

* ``model_version`` gains ``training_sha256`` (the training data with its target, a
  Parquet blob stored at registration so the reproducibility check can refit),
  ``training_data_at`` (when that data was extracted, optional), and
  ``source_format`` / ``source_sha256`` (a version registered from a trusted
  pickle/joblib file: ``pickle`` and that file's SHA-256; NULL = a skops file).
* ``registered_model`` gains ``protected_attributes`` (JSON list of column names).
* ``check_result`` gains ``description``, ``source`` and ``params`` (JSON).
* ``validation_run`` gains ``fingerprints`` (JSON: artifact, data and training-data
  SHA-256, package versions, plan and resolved check parameters) and ``rerun_of``.
* ``finding`` gains ``owner`` and ``due_at`` (who remediates, by when).
* New ``validation_plan`` (one row per edit of a tier's plan; the highest ``version`` of
  a tier is current, older ones are kept; no row = ``default_plan(tier)``) and
  ``trusted_artifact`` (a pickle/joblib file a user trusted, by SHA-256).

Old rows: only nullable columns are added, so nothing is rebuilt.  Existing versions
have no training blob (the reproducibility check is then skipped with a reason); old
validation runs get ``fingerprints`` filled from what they recorded (artifact and data
SHA-256, package versions) with ``plan`` null and a note, so they stay readable.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

MIGRATED_NOTE = "recorded before schema 0007: no validation plan, check parameters or training data were fingerprinted"


def upgrade() -> None:
    op.create_table('validation_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_validation_plan')),
    sa.UniqueConstraint('tier', 'version', name=op.f('uq_validation_plan_tier'))
    )
    op.create_table('trusted_artifact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('trusted_by', sa.String(length=100), nullable=False),
    sa.Column('trusted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trusted_artifact')),
    sa.UniqueConstraint('sha256', name=op.f('uq_trusted_artifact_sha256'))
    )
    with op.batch_alter_table('model_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('training_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('training_data_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('source_format', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('source_sha256', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_model_version_training_sha256_blob'), 'blob',
                                    ['training_sha256'], ['sha256'])
    with op.batch_alter_table('registered_model', schema=None) as batch_op:
        batch_op.add_column(sa.Column('protected_attributes', sa.JSON(), nullable=True))
    with op.batch_alter_table('check_result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('source', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
    with op.batch_alter_table('validation_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprints', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('rerun_of', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_validation_run_rerun_of_validation_run'), 'validation_run',
                                    ['rerun_of'], ['id'])
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))

    # Old validation runs: fingerprints from what they recorded (see the module docstring).
    conn = op.get_bind()
    runs = sa.table('validation_run', sa.column('id', sa.Integer()), sa.column('artifact_sha256', sa.String()),
                    sa.column('data_sha256', sa.String()), sa.column('environment', sa.JSON()),
                    sa.column('fingerprints', sa.JSON()))
    for rid, art, data, env in conn.execute(sa.select(runs.c.id, runs.c.artifact_sha256, runs.c.data_sha256,
                                                      runs.c.environment)).all():
        conn.execute(runs.update().where(runs.c.id == rid).values(fingerprints={
            "artifact_sha256": art, "data_sha256": data, "data_blob_sha256": None, "training_sha256": None,
            "packages": dict(env or {}), "plan": None, "params": None, "target": None, "note": MIGRATED_NOTE}))


def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_column('due_at')
        batch_op.drop_column('owner')
    with op.batch_alter_table('validation_run', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_validation_run_rerun_of_validation_run'), type_='foreignkey')
        batch_op.drop_column('rerun_of')
        batch_op.drop_column('fingerprints')
    with op.batch_alter_table('check_result', schema=None) as batch_op:
        batch_op.drop_column('params')
        batch_op.drop_column('source')
        batch_op.drop_column('description')
    with op.batch_alter_table('registered_model', schema=None) as batch_op:
        batch_op.drop_column('protected_attributes')
    with op.batch_alter_table('model_version', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_model_version_training_sha256_blob'), type_='foreignkey')
        batch_op.drop_column('source_sha256')
        batch_op.drop_column('source_format')
        batch_op.drop_column('training_data_at')
        batch_op.drop_column('training_sha256')
    op.drop_table('trusted_artifact')
    op.drop_table('validation_plan')
