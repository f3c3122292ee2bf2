"""Real MLflow tracking servers on 127.0.0.1 for the tests (reusable by any test module).

Fixtures (made available to every test through ``tests/conftest.py``):

``mlflow_server`` (session)
    A running ``mlflow server`` (:class:`MlflowServer`): ``.url`` (``http://127.0.0.1:PORT``),
    ``.stop()``, ``.start()`` (same port, same data), ``.running``, ``.client()`` (an
    ``MlflowClient`` for it) and ``.tracking()`` (a context manager pointing the global
    ``mlflow`` tracking URI at it, to log runs and models).  Shared by the session:
    register models under names of your own, and do not leave it stopped.

``mlflow_servers`` (session)
    A factory: ``mlflow_servers.start(name, basic_auth_password=None)`` returns another
    :class:`MlflowServer` with its own database (stopped at session end); with
    ``basic_auth_password`` it runs the basic-auth app (``--app-name basic-auth``) whose
    admin user is ``admin`` with that password.  Use it for a server a test stops.

Settings are lean: one worker, job execution off (``MLFLOW_SERVER_ENABLE_JOB_EXECUTION
=false``), SQLite backend copied from a database migrated once per session (``mlflow db
upgrade``), artifacts served from a temp folder.  Start-up takes about 5 s per server.

Tests needing MLflow skip when it is not installed (it is in the ``dev`` extra), unless
``TOLLGATE_REQUIRE_SERVERS=1`` (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, Optional

import pytest

#: Seconds to wait for a server to answer ``/health``.
START_TIMEOUT = 120.0


def require_mlflow():
    """``import mlflow``; skip the test when absent, fail when ``TOLLGATE_REQUIRE_SERVERS=1``."""
    if os.environ.get("TOLLGATE_REQUIRE_SERVERS") == "1":
        import mlflow  # noqa: F401  (an ImportError fails the test: CI must run it)

        return mlflow
    return pytest.importorskip("mlflow", reason="mlflow is in the dev extra (pip install -e .[dev])")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mlflow_cli() -> list[str]:
    exe = Path(sys.executable).with_name("mlflow")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "mlflow"]


def _server_env(extra: Optional[dict[str, str]] = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    env.update(extra or {})
    return env


def migrated_database(folder: Path) -> Path:
    """A fresh MLflow SQLite database, migrated once (``mlflow db upgrade``), to copy."""
    db = folder / "template.db"
    if not db.exists():
        proc = subprocess.run(_mlflow_cli() + ["db", "upgrade", f"sqlite:///{db}"], env=_server_env(),
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
    return db


class MlflowServer:
    """One ``mlflow server`` process group on 127.0.0.1 (started by :meth:`start`)."""

    def __init__(self, root: Path, template: Path, *, basic_auth_password: Optional[str] = None) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.db = root / "mlflow.db"
        shutil.copy2(template, self.db)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.basic_auth_password = basic_auth_password
        self.username = "admin" if basic_auth_password else None
        self.log = root / "server.log"
        self._proc: Optional[subprocess.Popen] = None
        self._env: dict[str, str] = {}
        if basic_auth_password:
            ini = root / "basic_auth.ini"
            ini.write_text(
                "[mlflow]\n"
                "default_permission = READ\n"
                f"database_uri = sqlite:///{root / 'basic_auth.db'}\n"
                "admin_username = admin\n"
                f"admin_password = {basic_auth_password}\n"
                "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n",
                encoding="utf-8",
            )
            self._env = {"MLFLOW_AUTH_CONFIG_PATH": str(ini), "MLFLOW_FLASK_SERVER_SECRET_KEY": "tollgate-tests"}

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> "MlflowServer":
        """Start the server (same port and data as before) and wait until it answers."""
        import requests

        if self.running:
            return self
        cmd = _mlflow_cli() + [
            "server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
            "--backend-store-uri", f"sqlite:///{self.db}",
            "--artifacts-destination", str(self.root / "artifacts"),
        ]
        if self.basic_auth_password:
            cmd += ["--app-name", "basic-auth"]
        log = open(self.log, "ab")
        self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=_server_env(self._env),
                                      start_new_session=True, cwd=self.root)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited with {self._proc.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"mlflow server did not answer within {START_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server's process group (SIGTERM, then SIGKILL after 10 s)."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        # uvicorn's worker may outlive the parent for a moment: wait until the port is free.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.1)

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def client(self):
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=self.url, registry_uri=self.url)

    @contextlib.contextmanager
    def tracking(self) -> Iterator[None]:
        """Point the global ``mlflow`` tracking/registry URI (and basic-auth credentials)
        at this server for the block."""
        import mlflow

        old = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")}
        if self.basic_auth_password:
            os.environ["MLFLOW_TRACKING_USERNAME"] = "admin"
            os.environ["MLFLOW_TRACKING_PASSWORD"] = self.basic_auth_password
        prev = mlflow.get_tracking_uri()
        mlflow.set_tracking_uri(self.url)
        mlflow.set_registry_uri(self.url)
        try:
            yield
        finally:
            mlflow.set_tracking_uri(prev)
            mlflow.set_registry_uri(prev)
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


class MlflowServers:
    """Factory of extra servers for one test session (all stopped at its end)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.servers: list[MlflowServer] = []
        self._template: Optional[Path] = None

    def template(self) -> Path:
        if self._template is None:
            self._template = migrated_database(self.folder)
        return self._template

    def start(self, name: str, *, basic_auth_password: Optional[str] = None) -> MlflowServer:
        server = MlflowServer(self.folder / name, self.template(), basic_auth_password=basic_auth_password)
        self.servers.append(server)
        return server.start()

    def stop_all(self) -> None:
        for s in self.servers:
            s.stop()


@pytest.fixture(scope="session")
def mlflow_servers(tmp_path_factory) -> Iterator[MlflowServers]:
    require_mlflow()
    servers = MlflowServers(tmp_path_factory.mktemp("mlflow"))
    try:
        yield servers
    finally:
        servers.stop_all()


@pytest.fixture(scope="session")
def mlflow_server(mlflow_servers) -> MlflowServer:
    server = mlflow_servers.start("main")
    yield server
    if not server.running:  # a test stopped it: bring it back for the next user
        server.start()
