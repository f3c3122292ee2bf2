"""Alembic environment for Tollgate workspaces.

Run in-process by :func:`console.store.db.migrate`, which passes an open connection in
``config.attributes["connection"]``.  ``render_as_batch`` lets SQLite alter tables.
"""

from alembic import context

from console.store.orm import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover - Tollgate never runs offline SQL
    raise SystemExit("Tollgate migrations run online only")
run_migrations_online()
