"""User-facing error types shared by every layer (no Qt, no SQL).

A :class:`TollgateError` carries a message meant for a person: it names the
file / row / column / model concerned and says what to do.  The CLI prints it as one
line on stderr and exits 2; the GUI shows it in a message box.  Anything that is not a
``TollgateError`` is a bug and is reported with a details expander, never a bare
traceback.
"""

from __future__ import annotations

from typing import Optional


class TollgateError(Exception):
    """Base class for errors caused by input or environment, not by a bug."""


class InputError(TollgateError):
    """Bad user input: a missing/unreadable file, wrong schema, unknown column, ..."""


class NotFoundError(TollgateError):
    """A model, version, alias or run that does not exist in the workspace."""


class WorkspaceError(TollgateError):
    """The workspace database cannot be opened, is locked, or has a newer schema."""


class WorkspaceAuthError(WorkspaceError):
    """A server workspace refused the login: its password is missing or wrong (the GUI
    asks for it, then calls :func:`console.store.db.remember_database_password`)."""


class ConcurrentChangeError(TollgateError):
    """A record changed between reading it and acting on it (another officer was
    faster); the message names who changed it and when; reload and try again."""


class AuthError(TollgateError):
    """A workspace user's login failed (unknown login, wrong password or inactive
    account); the message never says which, nor echoes the password.  The attempt is
    an audit event (``user.login_failed``)."""


class PermissionDenied(TollgateError):
    """The acting user's roles do not allow the action (e.g. only an Admin adds users);
    the message names the rule.  The refusal is an audit event; the CLI exits 1."""


class Cancelled(TollgateError):
    """A long-running job was cancelled by the user; nothing was written."""


class SecretStoreError(TollgateError):
    """A secret cannot be stored or read (no usable keyring, locked keyring, ...)."""


class RegistryError(TollgateError):
    """The registry answered with an error of its own (``error_code: message``), or
    with something that is not an MLflow answer.  ``status``: the HTTP status, if any."""

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status


class RegistryUnreachable(RegistryError):
    """The registry could not be reached (refused, timed out, name not resolved)."""


class RegistryAuthError(RegistryError):
    """The registry refused the credentials (HTTP 401 / 403)."""


def few_names(names, k: int = 8) -> str:
    """``a, b, c, ... (40 columns)``: the first ``k`` names for an error message."""
    names = [str(n) for n in names]
    if not names:
        return "(none)"
    return ", ".join(names[:k]) + (f", ... ({len(names)} columns)" if len(names) > k else "")
