"""User-facing error types shared by every layer (no Qt, no SQL).

A :class:`TollgateError` carries a message meant for a person: it names the
file / row / column / model concerned and says what to do.  The CLI prints it as one
line on stderr and exits 2; the GUI shows it in a message box.  Anything that is not a
``TollgateError`` is a bug and is reported with a details expander, never a bare
traceback.
"""

from __future__ import annotations


class TollgateError(Exception):
    """Base class for errors caused by input or environment, not by a bug."""


class InputError(TollgateError):
    """Bad user input: a missing/unreadable file, wrong schema, unknown column, ..."""


class NotFoundError(TollgateError):
    """A model, version, alias or run that does not exist in the workspace."""


class WorkspaceError(TollgateError):
    """The workspace database cannot be opened, is locked, or has a newer schema."""


class Cancelled(TollgateError):
    """A long-running job was cancelled by the user; nothing was written."""


def few_names(names, k: int = 8) -> str:
    """``a, b, c, ... (40 columns)``: the first ``k`` names for an error message."""
    names = [str(n) for n in names]
    if not names:
        return "(none)"
    return ", ".join(names[:k]) + (f", ... ({len(names)} columns)" if len(names) > k else "")
