"""Worker threads for plain-Python jobs.

A job is any plain function ``fn(*args, progress=ProgressFn, cancel=CancelToken, **kw)``
(see :mod:`console.jobs`).  :class:`Job` runs it in a :class:`QThreadPool` and turns
its callbacks and its outcome into signals on a separate :class:`JobSignals` object
(a ``QRunnable`` is not a ``QObject``).  The order of signals is always::

    started, progress*, (result | error | cancelled), finished

``finished`` is emitted last, even after an error, so a slot connected to it can always
tidy up (superqt's ``_qthreading`` and Orange's ``concurrent`` follow the same rule).

:class:`JobRunner` owns two pools: a parallel one for reads and a single-thread one for
jobs that write to the workspace (validation, report export: one writer at a time, as in
Anki's task manager).  :meth:`JobRunner.shutdown` cancels every job and waits for them,
which the main window does when it closes.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from console.errors import Cancelled, TollgateError
from console.jobs import CancelToken

__all__ = ["Job", "JobSignals", "JobRunner"]

#: Minimum interval between two progress signals (the job may call back far more often).
PROGRESS_INTERVAL_S = 0.05


class JobSignals(QObject):
    """Signals of one :class:`Job`; lives in the thread that created the job (the GUI)."""

    started = Signal()
    progress = Signal(float, str)  # fraction in [0, 1], message
    result = Signal(object)
    error = Signal(str, str)  # plain-language message, details ("" for TollgateError)
    cancelled = Signal(str)  # message
    finished = Signal()  # always last


class Job(QRunnable):
    """Runs ``fn(*args, progress=..., cancel=..., **kwargs)`` in a worker thread.

    ``title`` names the job in messages ("Validating credit-risk v3").  Outcome:

    * return value -> ``result(value)``;
    * :class:`console.errors.Cancelled` -> ``cancelled(message)``;
    * another :class:`console.errors.TollgateError` -> ``error(message, "")``: a message
      written for a person, shown as is;
    * any other exception (a bug) -> ``error("ExcType: message", traceback)``.

    ``exception`` keeps the exception object for callers that need its type.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, title: str = "", **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the JobRunner keeps the Python object alive
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.title = title or getattr(fn, "__name__", "job")
        self.token = CancelToken()
        self.signals = JobSignals()
        self.exception: Optional[BaseException] = None
        self.done = threading.Event()
        self._last_progress = 0.0
        self._last_message = ""

    # -- called from any thread
    def cancel(self) -> None:
        self.token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def _progress(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        fraction = min(1.0, max(0.0, float(fraction)))
        message = str(message)
        elapsed = now - self._last_progress
        new_step = message != self._last_message and elapsed >= PROGRESS_INTERVAL_S / 5
        if fraction < 1.0 and elapsed < PROGRESS_INTERVAL_S and not new_step:
            return
        self._last_progress = now
        self._last_message = message
        self.signals.progress.emit(fraction, message)

    # -- worker thread
    def run(self) -> None:  # noqa: D401 - Qt API
        sig = self.signals
        try:
            sig.started.emit()
            self.token.check()  # cancelled while queued
            value = self.fn(*self.args, progress=self._progress, cancel=self.token, **self.kwargs)
        except Cancelled as exc:
            self.exception = exc
            sig.cancelled.emit(str(exc) or "Cancelled.")
        except TollgateError as exc:
            self.exception = exc
            sig.error.emit(str(exc) or type(exc).__name__, "")
        except Exception as exc:  # a bug: message + details, never a bare traceback
            self.exception = exc
            sig.error.emit(f"{type(exc).__name__}: {exc}", traceback.format_exc())
        else:
            sig.result.emit(value)
        finally:
            self.done.set()
            sig.finished.emit()


class JobRunner(QObject):
    """Starts :class:`Job` objects and keeps them alive until they finish."""

    activeCountChanged = Signal(int)

    def __init__(self, parent: Optional[QObject] = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max(2, max_threads))
        self.serial_pool = QThreadPool(self)
        self.serial_pool.setMaxThreadCount(1)
        self._active: list[Job] = []
        self._closed = False

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        title: str = "",
        serial: bool = False,
        on_result: Optional[Callable[[Any], None]] = None,
        on_error: Optional[Callable[[str, str], None]] = None,
        on_cancelled: Optional[Callable[[str], None]] = None,
        on_progress: Optional[Callable[[float, str], None]] = None,
        on_finished: Optional[Callable[[], None]] = None,
        **kwargs: Any,
    ) -> Job:
        """Run ``fn`` in a worker; ``serial=True`` for jobs that write to the workspace.

        The callbacks are connected before the job starts and run in the GUI thread.
        """
        if self._closed:
            raise RuntimeError("the job runner has been shut down")
        job = Job(fn, *args, title=title, **kwargs)
        s = job.signals
        # first, so that callbacks connected below already see the job as done
        s.finished.connect(lambda j=job: self._forget(j))
        if on_progress is not None:
            s.progress.connect(on_progress)
        if on_result is not None:
            s.result.connect(on_result)
        if on_error is not None:
            s.error.connect(on_error)
        if on_cancelled is not None:
            s.cancelled.connect(on_cancelled)
        if on_finished is not None:
            s.finished.connect(on_finished)
        self._active.append(job)
        self.activeCountChanged.emit(len(self._active))
        (self.serial_pool if serial else self.pool).start(job)
        return job

    def _forget(self, job: Job) -> None:
        try:
            self._active.remove(job)
        except ValueError:
            return
        self.activeCountChanged.emit(len(self._active))

    @property
    def active_jobs(self) -> list[Job]:
        return list(self._active)

    def cancel_all(self) -> None:
        for job in list(self._active):
            job.cancel()

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until every started job has finished; True when all did in time."""
        deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000
        ok = True
        for pool in (self.pool, self.serial_pool):
            remaining = -1 if deadline is None else max(0, int((deadline - time.monotonic()) * 1000))
            ok = pool.waitForDone(remaining) and ok
        return ok

    def shutdown(self, timeout_ms: int = 15000) -> bool:
        """Cancel every job, drop queued ones, wait for running ones (window close)."""
        self._closed = True
        self.cancel_all()
        self.pool.clear()
        self.serial_pool.clear()
        return self.wait(timeout_ms)
