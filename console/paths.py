"""Where Tollgate finds its shipped files and the user's default workspace.

Resources (``resources/``) and migrations (``db/``) live at the repository top level and
are mapped into the wheel as ``console/_resources`` and ``console/_db`` (see
``pyproject.toml``).  :func:`resource_path` and :func:`migrations_dir` resolve either
layout, so the same code runs from a source checkout, an editable install, a wheel and
the bundle.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

_PKG = Path(__file__).resolve().parent
APP_NAME = "Tollgate"


def _first_existing(*candidates: Path) -> Path:
    for c in candidates:
        if c.exists():
            return c
    return candidates[-1]


def resources_dir() -> Path:
    """Directory holding the shipped resources (icons, fonts, demo data)."""
    return _first_existing(_PKG / "_resources", _PKG.parent / "resources")


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource file, e.g. ``resource_path("fonts", "DejaVuSans.ttf")``."""
    return resources_dir().joinpath(*parts)


def migrations_dir() -> Path:
    """Directory holding the Alembic environment (``env.py``, ``versions/``)."""
    return _first_existing(_PKG / "_db", _PKG.parent / "db")


def user_data_dir() -> Path:
    """Per-user data directory (platformdirs), overridable with ``TOLLGATE_DATA_DIR``."""
    env = os.environ.get("TOLLGATE_DATA_DIR")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_workspace_path() -> Path:
    """The embedded default workspace: ``<user data dir>/workspace.sqlite``."""
    return user_data_dir() / "workspace.sqlite"
