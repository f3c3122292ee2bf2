"""Progress and cancellation for long-running plain-Python jobs (no Qt).

Every long job in Tollgate (validation, drift, report, demo build) is a plain function
taking ``progress: ProgressFn | None`` and ``cancel: CancelToken | None``.  The GUI wraps
the function in a worker thread and turns the callbacks into Qt signals; the CLI passes
``None`` or a stderr printer.
"""

from __future__ import annotations

import threading
from typing import Callable, Optional

from console.errors import Cancelled

#: ``progress(fraction, message)`` with ``fraction`` in [0, 1] (float) and a short
#: human-readable description of the current step.
ProgressFn = Callable[[float, str], None]


class CancelToken:
    """A thread-safe cancellation flag polled by jobs between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next checkpoint."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`console.errors.Cancelled` if cancellation was requested."""
        if self._event.is_set():
            raise Cancelled("Cancelled by the user; nothing was saved.")


def report(progress: Optional[ProgressFn], fraction: float, message: str) -> None:
    """Call ``progress`` if given, clamping ``fraction`` to [0, 1]."""
    if progress is not None:
        progress(min(1.0, max(0.0, float(fraction))), message)


def checkpoint(cancel: Optional[CancelToken]) -> None:
    """Raise :class:`Cancelled` if ``cancel`` is set; a no-op for ``None``."""
    if cancel is not None:
        cancel.check()


def scaled(progress: Optional[ProgressFn], lo: float, hi: float) -> Optional[ProgressFn]:
    """A progress callback mapping a sub-job's [0, 1] onto [lo, hi] of ``progress``."""
    if progress is None:
        return None
    return lambda fraction, message: report(progress, lo + (hi - lo) * fraction, message)
