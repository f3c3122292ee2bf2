"""The wheel ships everything a user needs without the source tree: migrations (db/ ->
console/_db) and resources (resources/ -> console/_resources), and works from there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_carries_migrations_and_resources_and_runs_from_them(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path / "dist"), str(REPO)],
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("tollgate_console-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for required in (
        "console/_db/env.py",
        "console/_db/versions/0001_initial_workspace_schema.py",
        "console/_resources/fonts/DejaVuSans.ttf",
        "console/_resources/demo/bank-full.csv.gz",
        "console/_resources/demo/README.md",
    ):
        assert required in names, required
    assert not any(n.startswith(("tests/", "db/", "resources/")) for n in names)
    # run from the extracted wheel only (no source tree on the path): open a workspace,
    # which applies the shipped migrations
    code = (
        "import console.paths as p, console.services.workspace as w, sys\n"
        "assert '_db' in str(p.migrations_dir()), p.migrations_dir()\n"
        "assert '_resources' in str(p.resources_dir()), p.resources_dir()\n"
        "ws = w.Workspace.open(sys.argv[1]); print(len(ws.list_models())); ws.close()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "ws.sqlite")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1",
             "PYTHONSAFEPATH": "1"},
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "0", proc.stderr[-2000:]
