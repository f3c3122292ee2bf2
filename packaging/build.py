"""Build Tollgate's standalone one-folder bundle and, optionally, smoke-start it.

    python packaging/build.py                 # dist/tollgate/ from packaging/tollgate.spec
    python packaging/build.py --smoke         # ... then run the smoke start below
    python packaging/build.py --dist DIR      # write DIR/tollgate/ instead

The bundle (PyInstaller, one folder) holds its own Python, Qt and libraries: copy
``dist/tollgate/`` anywhere and run ``tollgate`` (command line; no command opens the
console) or ``tollgate-gui`` (windowed).  Build on the oldest OS you target (the bundle
uses the build machine's glibc); one build per OS (Linux, Windows, macOS).

The smoke start (:func:`smoke`) runs the bundle the way a machine without Python would:
an empty environment (PATH=/usr/bin:/bin, a temp HOME, no PYTHONPATH/virtualenv), the
working directory a fresh temp folder.  It builds the demo workspace with the bundle's
own ``tollgate demo``, lists the models, opens the console offscreen on it
(``gui --screenshot``: quits after the inventory and the first model's detail have
loaded) and checks every exit code is 0.  Numbers (bundle size, build time, demo build
time, start time to a loaded inventory) are printed; packaging/README.md records them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SPEC = HERE / "tollgate.spec"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""


def build(dist: Path = REPO / "dist", work: Path = REPO / "build" / "pyinstaller", quiet: bool = True) -> Path:
    """Run PyInstaller on :data:`SPEC`; returns the bundle folder ``dist/tollgate``.

    Raises ``RuntimeError`` with PyInstaller's last output lines when it fails.
    """
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", str(dist),
           "--workpath", str(work)]
    if quiet:
        cmd += ["--log-level", "WARN"]
    cmd.append(str(SPEC))
    proc = subprocess.run(cmd, capture_output=quiet, text=True, cwd=REPO)
    if proc.returncode != 0:
        tail = (proc.stderr or "")[-3000:] if quiet else ""
        raise RuntimeError(f"PyInstaller failed (exit {proc.returncode}):\n{tail}")
    bundle = dist / "tollgate"
    if not (bundle / f"tollgate{EXE_SUFFIX}").exists():
        raise RuntimeError(f"PyInstaller finished but {bundle}/tollgate{EXE_SUFFIX} is missing")
    return bundle


def folder_size(path: Path) -> int:
    """Bytes of the regular files under ``path`` (symlinks not followed or counted)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                total += os.path.getsize(p)
    return total


def clean_env(home: Path) -> dict[str, str]:
    """The environment of a machine without Python: no PYTHON*, no virtualenv, a temp
    HOME/data dir, the offscreen Qt platform."""
    env = {
        "PATH": "/usr/bin:/bin" if os.name != "nt" else os.environ.get("SystemRoot", r"C:\Windows"),
        "HOME": str(home),
        "TOLLGATE_DATA_DIR": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_RUNTIME_DIR": str(home / "run"),
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "C.UTF-8",
        "TOLLGATE_TIMING": "1",
    }
    if os.name == "nt":
        env["SystemRoot"] = os.environ.get("SystemRoot", r"C:\Windows")
    (home / "run").mkdir(parents=True, exist_ok=True)
    os.chmod(home / "run", 0o700)
    return env


def smoke(bundle: Path, workdir: Optional[Path] = None, timeout: float = 900) -> dict:
    """Smoke-start the bundle (see the module docstring); returns what happened.

    Keys: ``steps`` (name -> {cmd, returncode, seconds, stderr tail}), ``models``
    (names from ``models list --json``), ``screenshot`` (path), ``inventory_s`` (seconds from
    launching the executable to the inventory shown, from the console's
    ``TOLLGATE_TIMING`` line), ``ok`` (every step exited 0 and the screenshot exists).
    """
    exe = bundle / f"tollgate{EXE_SUFFIX}"
    workdir = Path(workdir or tempfile.mkdtemp(prefix="tollgate-smoke-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = clean_env(workdir / "home")
    ws = workdir / "demo.sqlite"
    shot = workdir / "main-window.png"
    out: dict = {"steps": {}, "workdir": str(workdir)}

    def run(name: str, *args: str, program: Path = exe) -> subprocess.CompletedProcess:
        t0 = time.perf_counter()
        proc = subprocess.run([str(program), *args], capture_output=True, text=True, env=env, cwd=workdir,
                              timeout=timeout)
        out["steps"][name] = {"cmd": [program.name, *args], "returncode": proc.returncode,
                              "seconds": round(time.perf_counter() - t0, 2), "stderr": proc.stderr[-2000:]}
        return proc

    version = run("version", "--version")
    out["version"] = version.stdout.strip()
    run("tollgate-gui --help", "--help", program=bundle / f"tollgate-gui{EXE_SUFFIX}")
    demo = run("demo", "--workspace", str(ws), "demo", "--json")
    if demo.returncode == 0:
        out["demo"] = json.loads(demo.stdout)
    listed = run("models list", "--workspace", str(ws), "models", "list", "--json")
    out["models"] = [m["name"] for m in json.loads(listed.stdout)] if listed.returncode == 0 else []
    launched = time.time()
    gui = run("gui --screenshot", "--workspace", str(ws), "gui", "--screenshot", str(shot))
    m = re.search(r"epoch ([0-9.]+)\)", gui.stderr)
    out["inventory_s"] = round(float(m.group(1)) - launched, 2) if m else None
    out["screenshot"] = str(shot)
    out["ok"] = all(s["returncode"] == 0 for s in out["steps"].values()) and shot.exists()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Build the one-folder Tollgate bundle (PyInstaller).")
    ap.add_argument("--dist", type=Path, default=REPO / "dist", help="output folder (default: dist/)")
    ap.add_argument("--work", type=Path, default=REPO / "build" / "pyinstaller", help="PyInstaller work folder")
    ap.add_argument("--smoke", action="store_true", help="smoke-start the bundle after building")
    ap.add_argument("--no-build", action="store_true", help="only smoke-start an existing bundle")
    ap.add_argument("--verbose", action="store_true", help="show PyInstaller's full output")
    args = ap.parse_args(argv)
    bundle = args.dist / "tollgate"
    if not args.no_build:
        t0 = time.perf_counter()
        try:
            bundle = build(args.dist, args.work, quiet=not args.verbose)
        except RuntimeError as exc:
            print(f"build: error: {exc}", file=sys.stderr)
            return 1
        print(f"build: {bundle} in {time.perf_counter() - t0:.0f} s")
    size = folder_size(bundle)
    du = shutil.which("du")
    du_h = subprocess.run([du, "-sh", str(bundle)], capture_output=True, text=True).stdout.split()[0] if du else "?"
    print(f"build: size {size / 1e6:.0f} MB ({du_h} on disk)")
    if args.smoke:
        result = smoke(bundle)
        for name, step in result["steps"].items():
            print(f"smoke: {name}: exit {step['returncode']} in {step['seconds']:.1f} s")
            if step["returncode"] != 0:
                print("  " + step["stderr"].strip().replace("\n", "\n  "), file=sys.stderr)
        print(f"smoke: {len(result['models'])} models; inventory loaded {result['inventory_s']} s after start; "
              f"screenshot {result['screenshot']}")
        return 0 if result["ok"] else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
