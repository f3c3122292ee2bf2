"""Opening a workspace database: engine, SQLite pragmas, Alembic migrations.

A workspace location is either a filesystem path (an SQLite file, created with its
parent folder if absent) or any SQLAlchemy URL (``postgresql+psycopg://…``).  SQLite
runs in WAL mode with a busy timeout and foreign keys on.  Migrations in ``db/`` are
applied at open; an SQLite file is backed up first when an upgrade is due; a database
written by a newer Tollgate schema is refused (:class:`WorkspaceError`) instead of being
touched.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from console.errors import WorkspaceError
from console.paths import default_workspace_path, migrations_dir

#: Seconds SQLite waits for a lock held by another process before giving up.
SQLITE_BUSY_TIMEOUT_S = 15

_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://")


@dataclass(frozen=True)
class WorkspaceLocation:
    url: str
    label: str  # safe for display and logs: no password
    sqlite_path: Optional[Path]


def parse_location(location: Union[str, Path, None]) -> WorkspaceLocation:
    """Turn ``--workspace PATH|URL`` (or ``None`` for the default) into a location.

    Raises :class:`WorkspaceError` for a malformed URL or a path that is a directory.
    """
    if location is None:
        location = default_workspace_path()
    text = str(location)
    if _URL_RE.match(text):
        try:
            url = make_url(text)
        except ArgumentError as exc:
            raise WorkspaceError(f"workspace URL {text!r} is not a valid SQLAlchemy URL: {exc}") from None
        path = None
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            path = Path(url.database).expanduser().resolve()
        if url.get_backend_name() == "sqlite" and path is None:
            raise WorkspaceError(
                f"workspace {text!r} is an in-memory database, which would lose everything on exit; "
                "give a file path instead"
            )
        secret_keys = [k for k in url.query if any(w in k.lower() for w in ("password", "secret", "token", "key"))]
        shown = url.update_query_dict({k: "***" for k in secret_keys}) if secret_keys else url
        return WorkspaceLocation(
            url=url.render_as_string(hide_password=False),
            label=shown.render_as_string(hide_password=True),
            sqlite_path=path,
        )
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        raise WorkspaceError(f"workspace {path} is a folder; give a file name such as {path / 'workspace.sqlite'}")
    return WorkspaceLocation(url=f"sqlite:///{path}", label=str(path), sqlite_path=path)


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin): pysqlite's own implicit
    # transactions skip DDL, so a migration would not be atomic.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


#: Execution option: start SQLite transactions with ``BEGIN IMMEDIATE`` (take the write
#: lock up front, waiting up to the busy timeout) instead of a deferred ``BEGIN``, whose
#: read-then-write upgrade fails at once with "database is locked" under concurrency.
WRITE_OPTION = "tollgate_write"


def _sqlite_begin(conn) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_workspace_engine(loc: WorkspaceLocation) -> Engine:
    """An engine for ``loc`` with Tollgate's SQLite settings; nothing is connected yet."""
    if loc.sqlite_path is not None:
        try:
            loc.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot create the folder for workspace {loc.label}: {exc.strerror}") from None
        engine = create_engine(
            loc.url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        return create_engine(loc.url, pool_pre_ping=True)
    except ImportError as exc:
        raise WorkspaceError(
            f"cannot use workspace {loc.label}: its database driver is not installed ({exc}); "
            "for PostgreSQL install it with: pip install 'psycopg[binary]'"
        ) from None
    except (ArgumentError, SQLAlchemyError) as exc:
        raise WorkspaceError(f"cannot use workspace {loc.label}: {exc}") from None


def _alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision this Tollgate knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def migrate(engine: Engine, loc: WorkspaceLocation) -> Optional[Path]:
    """Bring the workspace schema to :func:`head_revision`.

    Returns the path of the backup copy made before an upgrade of an existing SQLite
    workspace (``<file>.bak-<old revision>``), or ``None``.  Raises
    :class:`WorkspaceError` when the database has a newer or unknown schema, is not a
    database, is locked, or cannot be reached.
    """
    try:
        with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
            sqlite = engine.dialect.name == "sqlite"
            if sqlite:
                # SQLite's table-rebuild procedure (https://sqlite.org/lang_altertable.html,
                # "Making Other Kinds Of Table Schema Changes"): foreign keys off outside
                # the transaction, ``foreign_key_check`` before commit, back on after.
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
            try:
                with conn.begin():
                    # Holding the write lock: concurrent openers of a new file wait here
                    # and then find the schema already at head.
                    backup = _migrate_locked(conn, engine, loc)
                    if sqlite:
                        bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if bad:
                            raise WorkspaceError(
                                f"upgrading workspace {loc.label} would break references in table "
                                f"{bad[0][0]!r}; nothing was changed"
                            )
                    return backup
            finally:
                if sqlite:
                    conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")
    except WorkspaceError:
        raise
    except (OperationalError, DatabaseError) as exc:
        msg = str(exc.orig) if exc.orig is not None else str(exc)
        if "locked" in msg:
            raise WorkspaceError(
                f"workspace {loc.label} is locked by another program; close it or try again later"
            ) from None
        if "not a database" in msg or "file is encrypted" in msg:
            raise WorkspaceError(f"{loc.label} is not a Tollgate workspace (not an SQLite database)") from None
        if "unable to open database file" in msg:
            raise WorkspaceError(
                f"cannot open workspace {loc.label}: unable to open the database file; check that the "
                "folder exists and you may read and write it"
            ) from None
        raise WorkspaceError(f"cannot open workspace {loc.label}: {msg.splitlines()[0] if msg else exc}") from None
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError(f"cannot open workspace {loc.label}: {exc}") from None
    except SQLAlchemyError as exc:
        msg = str(getattr(exc, "orig", None) or exc).split("\n")[0]
        raise WorkspaceError(f"cannot open workspace {loc.label}: {msg}") from None


def _migrate_locked(conn, engine: Engine, loc: WorkspaceLocation) -> Optional[Path]:
    """The body of :func:`migrate`, run on ``conn`` inside its write transaction."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    current = MigrationContext.configure(conn).get_current_revision()
    head = head_revision()
    if current is not None and current not in _known_revisions():
        raise WorkspaceError(
            f"workspace {loc.label} was written by a newer Tollgate (schema {current}); "
            f"this version knows schemas up to {head}. Upgrade Tollgate to open it; "
            "the workspace was not changed."
        )
    if current == head:
        return None
    backup = None
    if current is None:
        # Refuse to take over a database that already holds foreign tables.
        tables = set(inspect(conn).get_table_names())
        if tables:
            raise WorkspaceError(
                f"{loc.label} is a database that does not belong to Tollgate "
                f"(it has tables {', '.join(sorted(tables)[:5])}); choose another workspace file."
            )
    elif loc.sqlite_path is not None and loc.sqlite_path.exists():
        backup = loc.sqlite_path.with_name(f"{loc.sqlite_path.name}.bak-{current}")
        src = sqlite3.connect(str(loc.sqlite_path))
        try:
            dst = sqlite3.connect(str(backup))
            with dst:
                src.backup(dst)
            dst.close()
        finally:
            src.close()
    command.upgrade(_alembic_config(conn), "head")
    return backup


def open_database(location: Union[str, Path, None]) -> tuple[WorkspaceLocation, Engine, sessionmaker[Session]]:
    """Parse ``location``, create the engine, apply migrations; return the three parts."""
    loc = parse_location(location)
    engine = create_workspace_engine(loc)
    try:
        migrate(engine, loc)
    except BaseException:
        engine.dispose()
        raise
    return loc, engine, sessionmaker(engine, expire_on_commit=False)
