"""A real, throw-away PostgreSQL cluster on 127.0.0.1 for the tests.

Fixtures (registered in ``tests/conftest.py``; use them from any test module):

``pg_server`` (session scope)
    A :class:`PgServer`: ``initdb`` of a fresh cluster in a temporary folder, started on
    a free TCP port of 127.0.0.1, stopped and deleted at the end of the session.
    ``pg_server.url(dbname, user=..., password=...)`` builds a
    ``postgresql+psycopg://`` URL; ``pg_server.create_database()`` returns the URL of a
    new empty database (owner :attr:`PgServer.owner`) and drops it at session end;
    ``pg_server.drop_database(name)`` drops one now (closing its connections);
    ``pg_server.create_role(name, password=...)`` adds a login role;
    ``pg_server.admin(sql)`` runs SQL as the superuser.
``pg_database`` (function scope)
    The URL of a fresh empty database for one test (dropped after the test); the user is
    :attr:`PgServer.owner` (``tollgate``), who owns it, so Tollgate's migrations can
    create its schema.

Authentication (``pg_hba.conf``): every role connects over 127.0.0.1 without a password
(``trust``), except members of the group role ``pw_required`` (``create_role(...,
password=...)``), which need their password (``scram-sha-256``): that is what the
keyring-login and wrong-password tests use.

Where the binaries come from: ``initdb``/``pg_ctl`` on ``PATH``, else the newest
``/usr/lib/postgresql/*/bin`` (Debian's ``postgresql`` package).  When they are
missing the fixtures skip, unless ``TOLLGATE_REQUIRE_SERVERS=1`` (CI), where they fail.
PostgreSQL refuses to run as root: when the tests run as root, ``initdb`` and the
server run as the ``postgres`` system user (the Debian package creates it) via
``runuser``, in a data folder that user owns.

The cluster is tuned for tests, not durability (``fsync=off``, ``synchronous_commit=off``,
``full_page_writes=off``); it has ``C`` collation and UTF-8 encoding.

Run ``python -m tests.pg_server`` to start one by hand and print its URL (Ctrl-C stops it).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

#: The role that owns the databases made by :meth:`PgServer.create_database`.
OWNER = "tollgate"
SUPERUSER = "postgres"
PASSWORD_GROUP = "pw_required"


class PgUnavailable(RuntimeError):
    """PostgreSQL's server binaries are not installed (or cannot be run here)."""


def find_bindir() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Raises :class:`PgUnavailable` when none is found.
    """
    candidates = []
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(os.path.realpath(initdb)).parent)

    def major(p: str) -> float:
        try:
            return float(Path(p).parent.name)
        except ValueError:
            return 0.0

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=major, reverse=True)]
    for d in candidates:
        if all((d / exe).exists() for exe in ("initdb", "pg_ctl", "postgres")):
            return d
    raise PgUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH or in "
        "/usr/lib/postgresql/*/bin; install the Debian package 'postgresql'"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One running throw-away cluster (see the module docstring)."""

    host = "127.0.0.1"
    owner = OWNER
    superuser = SUPERUSER

    def __init__(self, bindir: Optional[Path] = None) -> None:
        self.bindir = bindir or find_bindir()
        self.port: int = 0
        # Under root the server runs as 'postgres', who must reach the folder: /tmp is
        # world-traversable, a TMPDIR under /root is not.
        where = "/tmp" if os.geteuid() == 0 and os.path.isdir("/tmp") else None
        self.root = Path(tempfile.mkdtemp(prefix="tollgate-pg-", dir=where))
        self.datadir = self.root / "data"
        self.logfile = self.root / "server.log"
        self._run_as: Optional[str] = None
        self._databases: set[str] = set()
        self._counter = itertools.count(1)
        self.start_seconds: float = 0.0
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise PgUnavailable("running as root and there is no 'postgres' system user to run PostgreSQL as") from None
            self._run_as = "postgres"
            shutil.chown(self.root, "postgres", "postgres")

    # ------------------------------------------------------------------ processes
    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._run_as:
            cmd = ["runuser", "-u", self._run_as, "--", *cmd]
        return cmd

    def _run(self, *args: str, timeout: float = 120) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        proc = subprocess.run(self._cmd(*args), capture_output=True, text=True, timeout=timeout, cwd=self.root, env=env)
        if proc.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-3000:] if self.logfile.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({proc.returncode}): {proc.stderr.strip()}\n{log}")

    def start(self) -> "PgServer":
        """initdb, start and create the roles; removes everything again on failure."""
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> "PgServer":
        t0 = time.perf_counter()
        self._run("initdb", "-D", str(self.datadir), "-U", SUPERUSER, "--no-sync", "-E", "UTF8",
                  "--locale=C", "--auth=trust")
        (self.datadir / "pg_hba.conf").write_text(
            "# Written by tests/pg_server.py\n"
            "local all all trust\n"
            f"host all +{PASSWORD_GROUP} 127.0.0.1/32 scram-sha-256\n"
            "host all all 127.0.0.1/32 trust\n"
        )
        if self._run_as:
            shutil.chown(self.datadir / "pg_hba.conf", self._run_as, self._run_as)
        opts = [
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.root}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200",
            "-c shared_buffers=32MB",
            "-c password_encryption=scram-sha-256",
        ]
        for attempt in range(3):
            self.port = free_port()
            try:
                self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self.logfile), "-w", "-t", "60",
                          "-o", " ".join([f"-p {self.port}", *opts]), "start")
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        self.admin(f"CREATE ROLE {PASSWORD_GROUP} NOLOGIN")
        self.admin(f"CREATE ROLE {OWNER} LOGIN CREATEDB")
        self.start_seconds = time.perf_counter() - t0
        return self

    def stop(self) -> None:
        if self.port:
            try:
                self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop", timeout=60)
            except Exception:
                pass
            self.port = 0
        shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------------ SQL
    def url(self, dbname: str = "postgres", user: Optional[str] = None, password: Optional[str] = None,
            port: Optional[int] = None) -> str:
        """``postgresql+psycopg://user[:password]@127.0.0.1:port/dbname`` (user: :attr:`owner`)."""
        from urllib.parse import quote

        auth = quote(user or self.owner, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        return f"postgresql+psycopg://{auth}@{self.host}:{port or self.port}/{dbname}"

    def admin(self, sql: str, dbname: str = "postgres", params: Optional[tuple] = None) -> list[tuple]:
        """Run ``sql`` as the superuser (autocommit); returns the rows, if any."""
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=SUPERUSER, dbname=dbname,
                             autocommit=True, connect_timeout=10) as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def create_role(self, name: str, password: Optional[str] = None) -> None:
        """A login role; with a password it must use it (member of ``pw_required``)."""
        from psycopg import sql

        q = sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name))
        if password is not None:
            q = sql.SQL("{} PASSWORD {} IN ROLE {}").format(q, sql.Literal(password), sql.Identifier(PASSWORD_GROUP))
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=SUPERUSER, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(q)

    def create_database(self, name: Optional[str] = None, owner: Optional[str] = None) -> str:
        """Create an empty database (default owner :attr:`owner`); returns its URL for the owner."""
        name = name or f"t{os.getpid()}_{next(self._counter)}"
        owner = owner or self.owner
        self.admin(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        self._databases.add(name)
        return self.url(name, user=owner)

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._databases.discard(name)

    def __enter__(self) -> "PgServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # pragma: no cover - manual use
    import signal

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` / `timeout` stop it cleanly too
    with PgServer() as srv:
        print(f"started in {srv.start_seconds:.2f} s; superuser URL {srv.url('postgres', user=SUPERUSER)}")
        print(f"a database: {srv.create_database()}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
