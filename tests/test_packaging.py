"""The wheel ships everything a user needs without the source tree: migrations (db/ ->
console/_db) and resources (resources/ -> console/_resources), and works from there."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
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


# ---------------------------------------------------------------- the standalone bundle (issue 7)
def _load_build_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("tollgate_packaging_build", REPO / "packaging" / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the CI bundle is built and smoke-started on Linux")
def test_bundle_builds_and_starts_without_python(tmp_path):
    """packaging/build.py builds the one-folder bundle into a fresh folder; the bundle,
    run with an empty environment from a temp working directory, builds the demo with its
    own ``tollgate demo``, lists the models, opens the console offscreen and quits, each
    with exit code 0 (the numbers go to test-artifacts/bundle-smoke.json)."""
    import json

    from PySide6.QtGui import QImage

    build = _load_build_module()
    t0 = time.perf_counter()
    bundle = build.build(tmp_path / "dist", tmp_path / "work")
    build_s = time.perf_counter() - t0
    internal = bundle / "_internal"
    # migrations and resources where console.paths finds them; test tools and unused Qt left out
    for required in ("console/_db/env.py", "console/_db/versions/0001_initial_workspace_schema.py",
                     "console/_resources/demo/bank-full.csv.gz", "console/_resources/fonts/DejaVuSans.ttf",
                     "console/_resources/icons/tollgate.svg"):
        assert (internal / required).is_file(), required
    assert (bundle / "tollgate-gui").is_file()
    for absent in ("mlflow", "pytest", "_pytest", "PyInstaller", "matplotlib", "flask"):
        assert not (internal / absent).exists(), absent
    assert not list(internal.glob("PySide6/QtNetwork*")) and not list(internal.glob("PySide6/Qt/lib/libQt6Quick*"))
    assert not (internal / "PySide6" / "Qt" / "translations").exists()

    result = build.smoke(bundle, tmp_path / "run")
    failed = {k: s for k, s in result["steps"].items() if s["returncode"] != 0}
    assert not failed, failed
    assert result["version"] == f"tollgate {console_version()}"
    assert result["demo"]["models"] >= 4
    assert len(result["models"]) == result["demo"]["models"]
    assert "Term deposit propensity" in result["models"]
    shot = QImage(result["screenshot"])
    assert not shot.isNull() and shot.width() >= 1000, result["screenshot"]
    # no step printed a traceback (the CLI contract holds in the bundle too)
    assert not any("Traceback" in s["stderr"] for s in result["steps"].values())
    assert result["inventory_s"] is not None
    # every validation check the bundle ran worked: a module left out of the bundle would
    # show up as a check with status "error" (or a "No module named" reason)
    from console.services.workspace import Workspace

    ws = Workspace.open(str(tmp_path / "run" / "demo.sqlite"))
    try:
        checks = [c for m in ws.list_models() for run in ws.get_model(m.id).validation_runs for c in run.checks]
    finally:
        ws.close()
    assert len(checks) >= 20
    broken = [(c.id, c.status, c.reason) for c in checks
              if getattr(c.status, "value", c.status) == "error" or "No module named" in (c.reason or "")]
    assert not broken, broken

    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copy2(result["screenshot"], artifacts / "bundle-main-window.png")
    numbers = {
        "build_s": round(build_s, 1),
        "size_bytes": build.folder_size(bundle),
        "steps_s": {k: s["seconds"] for k, s in result["steps"].items()},
        "inventory_loaded_s": result["inventory_s"],
    }
    (artifacts / "bundle-smoke.json").write_text(json.dumps(numbers, indent=2))
    print(json.dumps(numbers))


def console_version() -> str:
    from console import __version__

    return __version__


# ---------------------------------------------------------------- air-gapped: no network (issue 7)
#: Runs the real ``tollgate`` entry point with an audit hook (PEP 578) that records every
#: name lookup and every connect/sendto on a non-Unix socket, then writes them as JSON.
_NET_RECORDER = r'''
import json, socket, sys
out = sys.argv[1]
events = []
LOOKUPS = ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr",
           "socket.getnameinfo")

def hook(event, args):
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        if getattr(args[0], "family", None) != getattr(socket, "AF_UNIX", object()):
            events.append([event, repr(args[1])])
    elif event in LOOKUPS:
        events.append([event, repr(args[:2])])

sys.addaudithook(hook)

def dump(code):
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"code": code, "events": events, "qt_network": "PySide6.QtNetwork" in sys.modules}, f)

if sys.argv[2] == "--control":  # the recorder itself must see a connection
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(1)
        s.connect(("127.0.0.1", 9))
    except OSError:
        pass
    finally:
        s.close()
    socket.getaddrinfo("localhost", 80)
    dump(0)
    sys.exit(0)

from console.cli import main
code = main(sys.argv[2:])
dump(code)
sys.exit(code)
'''


def _record_network(tmp_path, name: str, *args: str) -> dict:
    import json

    script = tmp_path / "net_recorder.py"
    script.write_text(_NET_RECORDER, encoding="utf-8")
    out = tmp_path / f"{name}.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
                                                                       "https_proxy"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run([sys.executable, str(script), str(out), *args], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_network_recorder_sees_a_connection(tmp_path):
    """Control for the test below: the audit hook does record a TCP connect and a lookup."""
    seen = _record_network(tmp_path, "control", "--control")
    kinds = {e[0] for e in seen["events"]}
    assert {"socket.connect", "socket.getaddrinfo"} <= kinds, seen


@pytest.mark.slow
def test_no_network_connection_without_a_registry(tmp_path, demo_copy):
    """Air-gapped (issue 7): opening the console on the demo workspace (no registry
    configured) and listing the models make no name lookup and no connection on any
    non-Unix socket, and Qt's network module is never loaded."""
    shot = tmp_path / "window.png"
    gui = _record_network(tmp_path, "gui", "--workspace", str(demo_copy), "gui", "--screenshot", str(shot))
    assert shot.is_file()
    assert gui["events"] == [], gui["events"]
    assert gui["qt_network"] is False
    listed = _record_network(tmp_path, "models", "--workspace", str(demo_copy), "models", "list", "--json")
    assert listed["events"] == [], listed["events"]
    fresh = _record_network(tmp_path, "fresh", "--workspace", str(tmp_path / "new.sqlite"), "models", "list")
    assert fresh["events"] == [], fresh["events"]


# ---------------------------------------------------------------- Help → About (issue 7)
@pytest.mark.gui
def test_about_dialog_shows_version_privacy_and_licences(qtbot, themed, tmp_path):
    from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget, QTabWidget, QTextBrowser

    from console import __version__
    from console.ui.about import PRIVACY_TEXT
    from tests.conftest import open_main_window

    w = open_main_window(qtbot, location=str(tmp_path / "ws.sqlite"))
    w.act_about.trigger()
    dlg = w.about_dialog
    qtbot.waitExposed(dlg)
    assert dlg.isVisible() and dlg.windowTitle() == "About Tollgate"
    assert __version__ in dlg.title.text()
    assert dlg.info_labels["Python"].text().startswith(platform.python_version())
    assert dlg.info_labels["Qt"].text() and dlg.info_labels["Workspace"].text() == w.ws.label
    assert dlg.privacy.text() == PRIVACY_TEXT and "No telemetry" in PRIVACY_TEXT

    texts = dlg.licence_texts()
    assert set(texts) == {"Tollgate", "Demo data", "Fonts", "Libraries"}
    assert "Apache License, Version 2.0" in texts["Tollgate"]
    # the demo data attributions come from the shipped resources/demo/README.md
    demo = texts["Demo data"]
    for needle in ("CC BY 4.0", "UCI Bank Marketing", "doi:10.24432/C5K306", "Kohavi", "Fanaee-T"):
        assert needle in demo, needle
    fonts = texts["Fonts"]
    for needle in ("DejaVu", "Bitstream Vera", "Droid Sans Fallback", "Apache License"):
        assert needle in fonts, needle
    assert "PySide6" in texts["Libraries"] and "LGPL-3.0" in texts["Libraries"]
    assert "not found" not in "".join(texts.values())

    # every widget has an accessible name (a caption label's is its text, as Qt reports it)
    widgets = [c for kind in (QLabel, QTextBrowser, QTableWidget, QTabWidget, QPushButton)
               for c in dlg.findChildren(kind)]
    assert len(widgets) >= 15
    for widget in widgets:
        name = widget.accessibleName() or (widget.text() if isinstance(widget, QLabel) else "")
        assert name, f"{type(widget).__name__} {widget.objectName()!r} has no accessible name"

    dlg.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert f"Tollgate: {__version__}" in QGuiApplication.clipboard().text()
    dlg.tabs.setCurrentIndex(1)
    qtbot.wait(50)
    shots = REPO / "docs" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    assert dlg.grab().save(str(shots / "about-dialog.png"), "PNG")
    dlg.reject()
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)


# ---------------------------------------------------------------- desktop integration files (issue 7)
LINUX = REPO / "packaging" / "linux"


def test_desktop_entry_is_valid():
    import configparser

    path = LINUX / "tollgate.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(path, encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Name"] == "Tollgate" and d["Icon"] == "tollgate"
    assert d["Exec"] == "tollgate-gui" and d["Terminal"] == "false"
    assert d["StartupWMClass"] == "tollgate"  # = QGuiApplication.setDesktopFileName in console/ui/app.py
    tool = shutil.which("desktop-file-validate")
    if tool:  # Debian package desktop-file-utils
        proc = subprocess.run([tool, str(path)], capture_output=True, text=True)
        assert proc.returncode == 0 and "error" not in proc.stdout, proc.stdout


def test_appstream_metainfo_is_valid():
    import xml.etree.ElementTree as ET

    path = LINUX / "io.github.tollgate.Console.metainfo.xml"
    root = ET.parse(path).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == "io.github.tollgate.Console"
    assert root.findtext("launchable") == "tollgate.desktop" and root.findtext("icon") == "tollgate"
    assert root.findtext("project_license") == "Apache-2.0"
    from console import __version__

    assert root.find("releases/release").get("version") == __version__
    tool = shutil.which("appstreamcli")
    if tool:  # Debian package appstream
        proc = subprocess.run([tool, "validate", "--no-net", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_icon_set_is_rendered_from_the_svg(qapp):
    """Every committed PNG has its size, transparent corners (the rounded square) and
    matches a fresh QSvgRenderer rendering of tollgate.svg (packaging/make_icons.py)."""
    import importlib.util

    from PySide6.QtGui import QImage

    spec = importlib.util.spec_from_file_location("tollgate_make_icons", REPO / "packaging" / "make_icons.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    assert mk.SIZES[0] == 16 and mk.SIZES[-1] == 512
    for size in mk.SIZES:
        path = REPO / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "tollgate.png"
        committed = QImage(str(path)).convertToFormat(QImage.Format.Format_ARGB32)
        assert (committed.width(), committed.height()) == (size, size), path
        assert committed.pixelColor(0, 0).alpha() < 16  # outside the rounded corner
        assert committed.pixelColor(size // 2, size // 2).alpha() == 255
        fresh = QImage.fromData(mk.render_png(size)).convertToFormat(QImage.Format.Format_ARGB32)
        worst = max(
            abs(getattr(committed.pixelColor(x, y), ch)() - getattr(fresh.pixelColor(x, y), ch)())
            for x in range(0, size, max(1, size // 32)) for y in range(0, size, max(1, size // 32))
            for ch in ("red", "green", "blue", "alpha")
        )
        assert worst <= 24, f"{path} differs from the SVG rendering (run python packaging/make_icons.py)"
    ico = (REPO / "resources" / "icons" / "tollgate.ico").read_bytes()
    assert ico[:4] == b"\x00\x00\x01\x00" and int.from_bytes(ico[4:6], "little") == len(mk.ICO_SIZES)
