"""Short Qt soak: the installed PySide6/Python pair must not leak references to None.

PySide6 6.12.0 on CPython 3.11 drops one reference to ``None`` on every wrapped Qt
call that returns nothing (``QWidget.setToolTip``, ``QObject.setObjectName``,
``QTimer.start``, ``QPainter.drawLine``...).  ``None``'s refcount falls by one per call
until it reaches zero and the interpreter aborts with
``Fatal Python error: none_dealloc`` (SIGABRT) -- after ~5,000 calls in a bare script,
and within a few seconds in a pyqtgraph plot redrawn at 30 Hz.

On CPython >= 3.12 ``None`` is immortal (PEP 683): the same abi3 binaries cannot
deallocate it there and ``sys.getrefcount(None)`` is a constant, so the refcount
check below is vacuous on 3.12+ and only the exit-code check bites.  The pin that
keeps the bad pair out lives in ``pyproject.toml`` ``[project] dependencies``.

The soak runs in a subprocess so an abort fails this test instead of killing pytest.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from importlib import metadata

import pytest

pytestmark = pytest.mark.gui

N_CALLS = 20_000  # Qt calls returning None; more than None's whole refcount (~16k here) on 3.11
REDRAW_SECONDS = 2.0  # pyqtgraph setData loop at 30 Hz
MARGIN = 100  # allowed fall of sys.getrefcount(None) in each phase
TIMEOUT = 60  # seconds; the soak itself takes ~3 s

CHILD = textwrap.dedent(
    """
    import json, sys, time
    import PySide6
    from PySide6 import QtCore, QtWidgets
    import numpy as np
    import pyqtgraph as pg

    def say(**kw):
        print("SOAK " + json.dumps(kw), flush=True)

    say(phase="info", pyside6=PySide6.__version__, qt=QtCore.qVersion(),
        python=sys.version.split()[0], none_refcount=sys.getrefcount(None))

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    widget = QtWidgets.QWidget()
    obj = QtCore.QObject()
    timer = QtCore.QTimer()
    calls = (
        lambda: widget.setToolTip("tip"),
        lambda: obj.setObjectName("name"),
        lambda: timer.start(1000),
    )
    for fn in calls:  # warm-up: first calls may populate caches legitimately
        fn()
    timer.stop()

    # Phase 1: N Qt calls that return None, reported in chunks so that a process
    # that aborts part-way still tells how fast None's refcount was falling.
    n_calls, chunk = int(sys.argv[1]), 500
    start = sys.getrefcount(None)
    done = 0
    while done < n_calls:
        for _ in range(chunk // len(calls)):
            for fn in calls:
                fn()
        done += (chunk // len(calls)) * len(calls)
        say(phase="calls", calls=done, delta=sys.getrefcount(None) - start)
    timer.stop()

    # Phase 2: redraw a pyqtgraph curve with setData at 30 Hz.
    pw = pg.PlotWidget()
    pw.resize(640, 480)
    pw.show()
    curve = pw.plot(pen="y")
    x = np.arange(500, dtype=float)
    rng = np.random.default_rng(0)
    frames = [0]

    def redraw():
        curve.setData(x, rng.standard_normal(500).cumsum())
        frames[0] += 1

    app.processEvents()
    start = sys.getrefcount(None)
    t = QtCore.QTimer()
    t.setInterval(33)
    t.timeout.connect(redraw)
    t.start()
    QtCore.QTimer.singleShot(int(float(sys.argv[2]) * 1000), app.quit)
    app.exec()
    t.stop()
    say(phase="redraw", frames=frames[0], delta=sys.getrefcount(None) - start)
    """
)


def _installed(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _exit_status(rc: int) -> str:
    if rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name} (exit code {rc})"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit code {rc}"


def test_qt_calls_returning_none_do_not_leak_none_references():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONFAULTHANDLER="1")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(N_CALLS), str(REDRAW_SECONDS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    reports = [
        json.loads(line[5:]) for line in proc.stdout.splitlines() if line.startswith("SOAK ")
    ]
    info = next((r for r in reports if r["phase"] == "info"), {})
    calls = [r for r in reports if r["phase"] == "calls"]
    redraw = next((r for r in reports if r["phase"] == "redraw"), None)

    pyside = info.get("pyside6") or _installed("pyside6-essentials")
    python = info.get("python") or sys.version.split()[0]
    last = calls[-1] if calls else None
    leak = (
        f"None refcount fell by {-last['delta']} over {last['calls']} Qt calls "
        f"({last['delta'] / last['calls']:+.2f} per call)"
        if last
        else "no refcount report"
    )
    stderr_tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
    context = (
        f"PySide6 {pyside} (pyside6-essentials {_installed('pyside6-essentials')}, "
        f"shiboken6 {_installed('shiboken6')}) on Python {python}: {leak}. "
        "This PySide6/Python pair leaks references to None (PySide6 6.12.0 on "
        "CPython 3.11 is known to) and must be excluded by the pyside6-essentials "
        "pin in pyproject.toml [project] dependencies."
    )

    assert proc.returncode == 0, (
        f"Qt soak subprocess died: {_exit_status(proc.returncode)}. {context}\n"
        f"--- child stderr (tail) ---\n{stderr_tail}"
    )
    assert last is not None and last["calls"] >= N_CALLS, (
        f"soak did not complete its {N_CALLS} calls. {context}\n{proc.stdout[-2000:]}"
    )
    assert last["delta"] >= -MARGIN, context
    assert redraw is not None, f"no redraw report. {context}\n{stderr_tail}"
    assert redraw["frames"] > 0, f"pyqtgraph redraw loop never ran. {context}"
    assert redraw["delta"] >= -MARGIN, (
        f"None refcount fell by {-redraw['delta']} over {redraw['frames']} pyqtgraph "
        f"redraws. {context}"
    )
