"""Layering rules (DESIGN.md): Qt only in console/ui; no SQLAlchemy in the pure layers;
and the core imports without Qt installed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "console"
QT = {"PySide6", "pyqtgraph", "shiboken6"}
PURE = ("domain", "monitoring", "validation")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def test_qt_is_imported_only_in_console_ui():
    offenders = [
        str(p.relative_to(PKG.parent))
        for p in PKG.rglob("*.py")
        if "ui" not in p.relative_to(PKG).parts[:1] and _imports(p) & QT
    ]
    assert offenders == [], f"Qt imported outside console/ui: {offenders}"


def test_pure_layers_do_not_import_sqlalchemy():
    offenders = [
        str(p.relative_to(PKG.parent))
        for layer in PURE
        for p in (PKG / layer).rglob("*.py")
        if "sqlalchemy" in _imports(p)
    ]
    assert offenders == [], f"SQLAlchemy imported in a pure layer: {offenders}"


def test_core_runs_with_qt_blocked():
    """The CLI's modules (everything but console.ui) import with Qt made unimportable."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'PySide6','pyqtgraph','shiboken6'}:\n"
        "            raise ImportError('Qt blocked for this test: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import console.cli, console.services.workspace, console.services.demo\n"
        "import console.monitoring.drift, console.validation.checks, console.reports.audit\n"
        "console.cli.build_parser()\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
