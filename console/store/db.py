"""Opening a workspace database: engine, SQLite pragmas, PostgreSQL, Alembic migrations.

A workspace location is either a filesystem path (an SQLite file, created with its
parent folder if absent) or any SQLAlchemy URL (``postgresql+psycopg://…``; a plain
``postgresql://`` or ``postgres://`` URL uses psycopg 3 too).  SQLite runs in WAL mode
with a busy timeout and foreign keys on.  Migrations in ``db/`` are applied at open, in
one transaction that first takes the write lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL
``pg_advisory_xact_lock``), so consoles starting together on a new workspace create its
schema once; an SQLite file is backed up first when an upgrade is due; a database
written by a newer Tollgate schema, or holding another application's tables, is refused
(:class:`WorkspaceError`) instead of being touched.

PostgreSQL passwords: a password inside the URL is used for that run only (never
stored; the CLI warns that it may show in shell history and process lists).  Without
one, the password stored with ``tollgate workspace login`` (or
:func:`remember_database_password`) is read from the OS keyring under
``console.store.secrets.database_key(<URL without password and query>)``; without that
either, libpq's own ``PGPASSWORD`` / ``~/.pgpass`` apply.  Server errors become one clear
:class:`WorkspaceError` line (unreachable server, missing database, missing privilege)
or :class:`WorkspaceAuthError` (a password is missing or wrong); neither ever contains
the password.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from console.errors import WorkspaceAuthError, WorkspaceError
from console.paths import default_workspace_path, migrations_dir
from console.store.secrets import SecretStore, SecretStoreError, database_key, redact

#: Seconds SQLite waits for a lock held by another process before giving up.
SQLITE_BUSY_TIMEOUT_S = 15

#: Seconds to wait for a PostgreSQL server to accept a connection (libpq
#: ``connect_timeout``; a ``connect_timeout`` in the URL's query wins).  An unreachable
#: server fails fast instead of hanging the CLI or the GUI.
PG_CONNECT_TIMEOUT_S = 5

#: Seconds a PostgreSQL statement waits for a lock (``lock_timeout``, set per connection
#: unless the URL sets ``options``): a console stuck inside a write transaction (a
#: vanished laptop) makes the others fail with "busy, try again" instead of hanging.
PG_LOCK_TIMEOUT_S = 60

#: ``pg_advisory_xact_lock(key1, key2)`` keys: 0x546F6C6C is "Toll" in ASCII; the second
#: key says what is serialised.  Held until the transaction ends.
PG_LOCK_CLASS = 0x546F6C6C
PG_LOCK_MIGRATE = 1
#: Taken first by every write transaction (``console.services.workspace._audit_lock``):
#: writers take turns as on SQLite, and audit ``seq`` order is commit order.
PG_LOCK_AUDIT = 2

_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://")


@dataclass(frozen=True)
class WorkspaceLocation:
    url: str  # may contain a password given in the URL: never show, log or store it
    label: str  # safe for display and logs: no password
    sqlite_path: Optional[Path]
    #: The URL itself carries a password (used for this run only, never stored).
    password_in_url: bool = False

    @property
    def is_postgresql(self) -> bool:
        return self.sqlite_path is None and make_url(self.url).get_backend_name() == "postgresql"


_PG_DRIVER_ALIASES = ("postgresql", "postgres")


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
        except ArgumentError:
            # Never echo the text: it may hold a password.
            raise WorkspaceError(
                f"workspace URL {text.split('://', 1)[0]}://… is not a valid SQLAlchemy URL; "
                "write it as postgresql+psycopg://USER@HOST[:PORT]/DATABASE"
            ) from None
        except ValueError:  # e.g. a non-numeric port
            raise WorkspaceError(
                f"workspace URL {text.split('://', 1)[0]}://… has an invalid part (port?); "
                "write it as postgresql+psycopg://USER@HOST[:PORT]/DATABASE"
            ) from None
        if url.host and "@" in url.host:
            # user:pa@ss@host: the part of the password after its first "@" became the host
            # name; never show it.
            raise WorkspaceError(
                f"workspace URL {text.split('://', 1)[0]}://… has an '@' after the one before the host name; "
                "a password (or user name) containing @ : / % # ? must be percent-encoded (@ is %40), or left "
                "out of the URL and stored with `workspace login`"
            )
        if url.drivername in _PG_DRIVER_ALIASES:
            url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver Tollgate ships
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
            password_in_url=url.password is not None or any("password" in k.lower() for k in url.query),
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
    return _server_engine(loc)


def _server_engine(loc: WorkspaceLocation, password: Optional[str] = None) -> Engine:
    """An engine for a server database.  PostgreSQL: ``password`` (else the URL's, else
    the keyring's, else libpq's PGPASSWORD/.pgpass), the connect timeout, and the
    error mapping of :func:`_pg_error`."""
    url = make_url(loc.url)
    connect_args: dict = {}
    secret = url.password
    if url.get_backend_name() == "postgresql":
        if password is not None:
            url = url.set(password=password)
        elif url.password is None:
            stored = stored_database_password(loc)
            if stored:
                url = url.set(password=stored)
        secret = url.password
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        if "options" not in url.query:
            connect_args["options"] = f"-c lock_timeout={int(PG_LOCK_TIMEOUT_S * 1000)}"
        if "application_name" not in url.query:
            connect_args["application_name"] = "Tollgate"  # shown in pg_stat_activity
    try:
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except ImportError as exc:
        raise WorkspaceError(
            f"cannot use workspace {loc.label}: its database driver is not installed ({exc}); "
            "for PostgreSQL install it with: pip install 'psycopg[binary]'"
        ) from None
    except (ArgumentError, SQLAlchemyError) as exc:
        raise WorkspaceError(f"cannot use workspace {loc.label}: {redact(str(exc), secret)}") from None
    if engine.dialect.name == "postgresql":
        def handle_error(ctx) -> None:
            if ctx.is_pre_ping:  # the pool reconnects on its own
                return None
            mapped = _pg_error(ctx.original_exception, loc, url, secret)
            if mapped is not None:
                raise mapped
            return None

        event.listen(engine, "handle_error", handle_error)
    return engine


# ---------------------------------------------------------------------- PostgreSQL
def _server_address(url: URL) -> str:
    return f"{url.host or 'localhost'}:{url.port or 5432}"


def _pg_error(exc: BaseException, loc: WorkspaceLocation, url: URL, secret: Optional[str]) -> Optional[WorkspaceError]:
    """One clear :class:`WorkspaceError` for a psycopg error, or ``None`` to leave it be.

    Connection-time errors carry no SQLSTATE in psycopg 3, so they are recognised by
    libpq's message texts; errors of statements by SQLSTATE (42501 insufficient
    privilege, class 08 connection exceptions, 57P01-57P03 server shutting down).
    """
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the engine could not exist
        return None
    if not isinstance(exc, psycopg.Error):
        return None
    full = redact(str(exc), secret)
    primary = full.strip().splitlines()[0] if full.strip() else type(exc).__name__
    if "failed: " in primary:  # 'connection failed: connection to server at "h", port p failed: FATAL: ...'
        primary = primary.rsplit("failed: ", 1)[1]
    primary = primary.replace("FATAL:", "").strip()
    low = full.lower()
    server = _server_address(url)
    user = url.username or "(your login name)"
    database = url.database or user
    state = getattr(exc, "sqlstate", None)
    login_hint = f"tollgate --workspace {loc.label} workspace login"
    if state == "42501" or (state is None and "permission denied" in low):
        return WorkspaceError(
            f"database user {user!r} lacks a privilege in workspace {loc.label} ({primary}); ask the database "
            "administrator to grant it (Tollgate creates its tables on first use, then reads and writes them); "
            "nothing was changed"
        )
    if state is not None and not (state.startswith("08") or state in ("57P01", "57P02", "57P03")):
        return None  # an ordinary statement error: the caller decides
    if state is None and not isinstance(exc, psycopg.OperationalError):
        return None
    if "password authentication failed" in low:
        if loc.password_in_url:
            hint = "the password in the workspace URL is wrong"
        else:
            source = "PGPASSWORD" if os.environ.get("PGPASSWORD") else "the stored password or ~/.pgpass"
            hint = f"{source} is wrong; fix it, or store the right one with: {login_hint}"
        return WorkspaceAuthError(
            f"the PostgreSQL server {server} refused the password of user {user!r} for workspace {loc.label}; {hint}"
        )
    if "no password supplied" in low or "password is required" in low:
        return WorkspaceAuthError(
            f"the PostgreSQL server {server} needs a password for user {user!r} (workspace {loc.label}); "
            f"store it in the OS keyring with: {login_hint} (or use PGPASSWORD or ~/.pgpass)"
        )
    if "does not exist" in low and f'database "{database.lower()}"' in low:
        return WorkspaceError(
            f"database {database!r} does not exist on the PostgreSQL server {server}; create it "
            f"(createdb -h {url.host or 'localhost'} -p {url.port or 5432} -O {user} {database}) "
            "or check the workspace URL"
        )
    if "does not exist" in low and f'role "{user.lower()}"' in low:
        return WorkspaceAuthError(
            f"database user {user!r} does not exist on the PostgreSQL server {server}; check the user name in "
            "the workspace URL or ask the database administrator to create it"
        )
    if "pg_hba.conf" in low or "authentication failed" in low:
        return WorkspaceAuthError(
            f"the PostgreSQL server {server} does not let user {user!r} into database {database!r} from this "
            f"machine ({primary}); ask the database administrator"
        )
    unreachable = (
        ("connection refused", "refused the connection"),
        ("timeout expired", f"no answer within {url.query.get('connect_timeout', PG_CONNECT_TIMEOUT_S)} s"),
        ("could not translate host name", "unknown host name"),
        ("name or service not known", "unknown host name"),
        ("no route to host", "no route to the host"),
        ("network is unreachable", "network unreachable"),
    )
    for needle, reason in unreachable:
        if needle in low:
            return WorkspaceError(
                f"cannot reach the PostgreSQL server {server} of workspace {loc.label} ({reason}); check that "
                "the server is running and that host and port are right"
            )
    if state is not None or "server closed the connection" in low or "consuming input failed" in low:
        return WorkspaceError(
            f"lost the connection to the PostgreSQL server {server} of workspace {loc.label} ({primary}); "
            "nothing was saved; check the server and try again"
        )
    return WorkspaceError(f"cannot connect to the PostgreSQL server {server} for workspace {loc.label}: {primary}")


def database_secret_key(location: Union[str, Path, None, WorkspaceLocation]) -> str:
    """The keyring key of a server workspace's password: :func:`database_key` of the URL
    without password and query (``postgresql+psycopg://user@host:port/db``)."""
    loc = location if isinstance(location, WorkspaceLocation) else parse_location(location)
    return database_key(_without_password(make_url(loc.url), keep_query=False).render_as_string(hide_password=False))


def _without_password(url: URL, keep_query: bool = True) -> URL:
    # URL.set(password=None) means "unchanged", hence URL.create.
    return URL.create(url.drivername, url.username, None, url.host, url.port, url.database,
                      url.query if keep_query else {})


def stored_database_password(location: Union[str, Path, None, WorkspaceLocation]) -> Optional[str]:
    """The password kept for a server workspace (session memory, then the OS keyring),
    or ``None``; a keyring that cannot be read counts as none (libpq's PGPASSWORD /
    ~/.pgpass still apply, and the server says if a password is missing)."""
    try:
        return SecretStore().get(database_secret_key(location))
    except SecretStoreError:
        return None


def check_database_password(location: Union[str, Path, None, WorkspaceLocation], password: str) -> None:
    """Connect to a server workspace with ``password`` and run ``SELECT 1``.

    Raises :class:`WorkspaceAuthError` when the server refuses it and
    :class:`WorkspaceError` when the server or database cannot be reached.
    """
    loc = location if isinstance(location, WorkspaceLocation) else parse_location(location)
    if loc.sqlite_path is not None:
        raise WorkspaceError(f"workspace {loc.label} is an SQLite file; it has no password")
    engine = _server_engine(loc, password=password)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except WorkspaceError:
        raise
    except SQLAlchemyError as exc:
        msg = redact(str(getattr(exc, "orig", None) or exc), password).strip().splitlines()
        raise WorkspaceError(f"cannot connect to workspace {loc.label}: {msg[0] if msg else type(exc).__name__}") from None
    finally:
        engine.dispose()


def remember_database_password(
    location: Union[str, Path, None, WorkspaceLocation], password: str, session_only: bool = False
) -> str:
    """Check ``password`` against the server (:func:`check_database_password`), then keep
    it for this workspace: in the OS keyring, or with ``session_only=True`` in this
    process's memory until it exits.  Returns ``"keyring"`` or ``"session"``.

    For the GUI after :class:`WorkspaceAuthError`: ask for the password, call this, then
    open the workspace again.  Raises :class:`WorkspaceAuthError` (wrong password, nothing
    kept), :class:`WorkspaceError` (server unreachable) or
    :class:`console.store.secrets.SecretStoreError` (no usable keyring; offer
    ``session_only=True``).
    """
    loc = location if isinstance(location, WorkspaceLocation) else parse_location(location)
    if not password:
        raise WorkspaceAuthError("the password is empty; nothing was stored")
    store = SecretStore()
    if not session_only:
        status = store.status()
        if not status.usable:
            raise SecretStoreError(f"cannot store the password: {status.reason}")
    check_database_password(loc, password)
    return store.set(database_secret_key(loc), password, session_only=session_only)


def forget_database_password(location: Union[str, Path, None, WorkspaceLocation]) -> bool:
    """Forget a server workspace's password (session memory and OS keyring).  Returns
    whether one was kept."""
    key = database_secret_key(location)
    store = SecretStore()
    try:
        had = store.get(key) is not None
    except SecretStoreError:
        had = False
    store.delete(key)
    return had


def url_password_warning(location: Union[str, Path, None]) -> Optional[str]:
    """The warning to show when ``location`` is a URL with a password in it, else ``None``."""
    if location is None or not _URL_RE.match(str(location)):
        return None
    try:
        loc = parse_location(location)
    except WorkspaceError:
        return None
    if not loc.password_in_url:
        return None
    return (
        f"tollgate: warning: the workspace URL contains a password; it is used for this run only and never "
        f"stored, but shell history and process lists may show it. Store it in the OS keyring instead: "
        f"tollgate --workspace {_without_password(make_url(loc.url), keep_query=False).render_as_string()} "
        "workspace login"
    )


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


#: How many times opening an SQLite workspace tries to take its write lock (each try
#: waits up to the busy timeout) before saying it is locked.
OPEN_ATTEMPTS = 4


class _Locked(WorkspaceError):
    pass


def migrate(engine: Engine, loc: WorkspaceLocation) -> Optional[Path]:
    """Bring the workspace schema to :func:`head_revision`.

    Returns the path of the backup copy made before an upgrade of an existing SQLite
    workspace (``<file>.bak-<old revision>``), or ``None``.  Raises
    :class:`WorkspaceError` when the database has a newer or unknown schema, is not a
    database, is still locked after :data:`OPEN_ATTEMPTS` tries, or cannot be reached.
    """
    pause = 0.05
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return _migrate_once(engine, loc)
        except _Locked as exc:
            if attempt + 1 == OPEN_ATTEMPTS:
                raise WorkspaceError(str(exc)) from None
            time.sleep(pause)
            pause *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def _migrate_once(engine: Engine, loc: WorkspaceLocation) -> Optional[Path]:
    try:
        with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
            sqlite = engine.dialect.name == "sqlite"
            postgresql = engine.dialect.name == "postgresql"
            if sqlite:
                # SQLite's table-rebuild procedure (https://sqlite.org/lang_altertable.html,
                # "Making Other Kinds Of Table Schema Changes"): foreign keys off outside
                # the transaction, ``foreign_key_check`` before commit, back on after.
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
            try:
                with conn.begin():
                    # Holding the write lock: concurrent openers of a new file wait here
                    # and then find the schema already at head.  PostgreSQL has no
                    # database-wide write lock; an advisory lock serves (DDL is
                    # transactional there, so the loser sees the finished schema).
                    if postgresql:
                        conn.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                                     {"a": PG_LOCK_CLASS, "b": PG_LOCK_MIGRATE})
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
            raise _Locked(
                f"workspace {loc.label} is locked by another program; close it or try again later"
            ) from None
        if "not a database" in msg or "file is encrypted" in msg:
            raise WorkspaceError(f"{loc.label} is not a Tollgate workspace (not an SQLite database)") from None
        if "unable to open database file" in msg:
            raise WorkspaceError(
                f"cannot open workspace {loc.label}: unable to open the database file; check that the "
                "folder exists and you may read and write it"
            ) from None
        msg = _secret_free(msg, engine)
        raise WorkspaceError(f"cannot open workspace {loc.label}: {msg.splitlines()[0] if msg else type(exc).__name__}") from None
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError(f"cannot open workspace {loc.label}: {exc}") from None
    except SQLAlchemyError as exc:
        msg = _secret_free(str(getattr(exc, "orig", None) or exc), engine).split("\n")[0]
        raise WorkspaceError(f"cannot open workspace {loc.label}: {msg}") from None


def _secret_free(text_: str, engine: Engine) -> str:
    return redact(text_, engine.url.password if engine.url.password else None)


def _migrate_locked(conn, engine: Engine, loc: WorkspaceLocation) -> Optional[Path]:
    """The body of :func:`migrate`, run on ``conn`` inside its write transaction."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    current = MigrationContext.configure(conn).get_current_revision()
    head = head_revision()
    if current is not None and current not in _known_revisions():
        tables = set(inspect(conn).get_table_names())
        if not {"registered_model", "audit_event"} <= tables:
            # Another application's Alembic-managed database (MLflow's, say).
            raise WorkspaceError(
                f"{loc.label} is a database that does not belong to Tollgate "
                f"(it has tables {', '.join(sorted(tables)[:5])}); choose another workspace."
            )
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
                f"(it has tables {', '.join(sorted(tables)[:5])}); choose another workspace "
                + ("file." if loc.sqlite_path is not None else "database.")
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
