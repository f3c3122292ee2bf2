"""Shared fixtures: isolated user data dir, real shared datasets, the real demo workspace."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
#: The real public datasets (Adult, Bank Marketing, ...): ../shared/data beside the clone,
#: or wherever TOLLGATE_SHARED_DATA points.
SHARED_DATA = Path(os.environ.get("TOLLGATE_SHARED_DATA") or REPO.parent / "shared" / "data")


@pytest.fixture(autouse=True, scope="session")
def _isolated_user_dirs(tmp_path_factory):
    """Point Tollgate's default workspace and Qt settings at a temp dir for the session."""
    home = tmp_path_factory.mktemp("userdata")
    old = {k: os.environ.get(k) for k in ("TOLLGATE_DATA_DIR", "XDG_CONFIG_HOME")}
    os.environ["TOLLGATE_DATA_DIR"] = str(home / "data")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session", autouse=True)
def _isolated_settings(tmp_path_factory):
    """QSettings (window geometry, splitters, refresh interval) go to a temp dir, never
    the user's; yields that dir so tests can check what was written there (never a secret)."""
    from PySide6.QtCore import QCoreApplication, QSettings

    d = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(d))
    QCoreApplication.setOrganizationName("TollgateTests")
    QCoreApplication.setApplicationName("TollgateTests")
    yield d


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (real public datasets); tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED_DATA} (set TOLLGATE_SHARED_DATA)")
    return SHARED_DATA


def run_cli(*args: str, workspace: Path | None = None, input: str | None = None, timeout: float = 300):
    """Run the real ``tollgate`` entry point in a subprocess; returns CompletedProcess."""
    cmd = [sys.executable, "-m", "console"]
    if workspace is not None:
        cmd += ["--workspace", str(workspace)]
    cmd += list(args)
    return subprocess.run(cmd, capture_output=True, text=True, input=input, timeout=timeout, cwd=REPO)


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory) -> Path:
    """A demo workspace built once per test session with the real ``tollgate demo``.

    Treat it as read-only; use :func:`demo_copy` for tests that write.
    """
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    proc = run_cli("demo", "--json", workspace=path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["models"] >= 4
    return path


@pytest.fixture
def demo_copy(demo_workspace, tmp_path) -> Path:
    """A private copy of the demo workspace for a test that writes to it."""
    dst = tmp_path / "demo-copy.sqlite"
    shutil.copy2(demo_workspace, dst)
    for suffix in ("-wal", "-shm"):
        side = demo_workspace.with_name(demo_workspace.name + suffix)
        if side.exists():
            shutil.copy2(side, dst.with_name(dst.name + suffix))
    return dst


# ---------------------------------------------------------------- PostgreSQL (tests/pg_server.py)
@pytest.fixture(scope="session")
def pg_server():
    """A real throw-away PostgreSQL cluster on 127.0.0.1 (see tests/pg_server.py).

    Skips when the server binaries are missing, unless TOLLGATE_REQUIRE_SERVERS=1.
    """
    from tests.pg_server import PgServer, PgUnavailable

    try:
        srv = PgServer().start()
    except PgUnavailable as exc:
        if os.environ.get("TOLLGATE_REQUIRE_SERVERS") == "1":
            pytest.fail(f"TOLLGATE_REQUIRE_SERVERS=1 but {exc}")
        pytest.skip(str(exc))
    yield srv
    srv.stop()


@pytest.fixture
def pg_database(pg_server) -> str:
    """The URL of a fresh empty PostgreSQL database (owner ``tollgate``), dropped after the test."""
    from sqlalchemy.engine import make_url

    url = pg_server.create_database()
    yield url
    pg_server.drop_database(make_url(url).database)


# Real MLflow tracking servers on 127.0.0.1 (see tests/mlflow_server.py): `mlflow_server`
# (session, shared) and `mlflow_servers` (factory of extra ones, e.g. with basic auth).
from tests.mlflow_server import mlflow_server, mlflow_servers  # noqa: E402,F401


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace_url(request, tmp_path) -> str:
    """A new, empty workspace location on each backend: an SQLite file path, then a fresh
    PostgreSQL database URL (``pg_database``)."""
    if request.param == "sqlite":
        return str(tmp_path / "ws.sqlite")
    return request.getfixturevalue("pg_database")


@pytest.fixture
def file_keyring(tmp_path):
    """A keyrings.alt PlaintextKeyring in a temp folder, chosen explicitly for Tollgate
    (``console.store.secrets.use_backend``): the "OS keyring" of the tests."""
    from keyrings.alt.file import PlaintextKeyring

    from console.store import secrets

    kr = PlaintextKeyring()
    kr.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")
    secrets.use_backend(kr)
    yield kr
    secrets.use_backend(None)


# ---------------------------------------------------------------- Qt main window
@pytest.fixture
def themed(qapp):
    """The QApplication with Tollgate's theme applied (as the console starts)."""
    from console.ui import theme

    theme.apply_theme(qapp)
    return qapp


def open_main_window(qtbot, *, location=None, workspace=None, start: bool = True, size=(1400, 860), **kw):
    """A real MainWindow on ``location`` (path/URL) or an open ``workspace``, shown at
    ``size`` and, with ``start``, started and waited for until its inventory is loaded.
    No saved window state, no warm-up; other keyword arguments go to MainWindow."""
    from console.ui.main_window import MainWindow

    w = MainWindow(location, workspace=workspace, restore_state=False, warm_up=False, **kw)
    qtbot.addWidget(w)
    if size:
        w.resize(*size)
    w.show()
    if start:
        with qtbot.waitSignal(w.ready, timeout=60000):
            w.start()
    return w
