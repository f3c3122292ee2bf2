"""Secrets (registry passwords and tokens, database passwords) in the OS keyring.

Tollgate never writes a secret to its database, a config file, a URL on disk, a log or
an error message.  Secrets live in the OS keyring through :mod:`keyring`, under the
service name :data:`SERVICE` and a key built by :func:`registry_key` or
:func:`database_key`.

When no keyring backend is usable (a headless Linux machine without a Secret Service,
or only keyring's own "not recommended" backends such as ``keyrings.alt``'s plaintext
file chosen automatically), :class:`SecretStore` says so (:meth:`SecretStore.status`)
and refuses to store, unless the caller asks for a *session-only* secret, kept in this
process's memory and gone when it exits.  It never falls back to plaintext silently.

A backend chosen explicitly (``PYTHON_KEYRING_BACKEND``, a keyring config file, or
:func:`use_backend`, as the tests do with ``keyring.backends.fail.Keyring`` and a
``keyrings.alt`` file backend in a temporary folder) is used as chosen, whatever its
priority: that is the user's decision, not a silent fallback.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Optional

from console.errors import SecretStoreError

#: The keyring service name every Tollgate secret is stored under.
SERVICE = "Tollgate"

#: keyring's own threshold: backends with a priority below 1 are "not recommended"
#: (keyring documentation, "Configuring"); Tollgate does not pick them on its own.
MIN_AUTO_PRIORITY = 1.0


@dataclass(frozen=True)
class KeyringStatus:
    """Whether secrets can be kept in the OS keyring.

    ``backend`` is the keyring backend's class name; ``reason`` (when not usable) says
    why in plain language and what to do.
    """

    usable: bool
    backend: str
    reason: Optional[str] = None


_explicit_backend = None
_session: dict[str, str] = {}
_lock = threading.Lock()


def use_backend(backend) -> None:
    """Use ``backend`` (a :class:`keyring.backend.KeyringBackend`) explicitly, or go back
    to keyring's automatic choice with ``None``."""
    global _explicit_backend
    _explicit_backend = backend


def registry_key(workspace_id: str, registry_name: str) -> str:
    """The keyring user name of a registry's secret: unique per workspace and registry."""
    return f"workspace:{workspace_id}/registry:{registry_name}"


def database_key(url_without_password: str) -> str:
    """The keyring user name of a database password, from the URL without password
    (``postgresql+psycopg://user@host:port/db``): the workspace's own identity is only
    known after connecting."""
    return f"database:{url_without_password}"


def _backend_and_choice():
    import keyring
    import keyring.core

    if _explicit_backend is not None:
        return _explicit_backend, True
    explicit = bool(os.environ.get("PYTHON_KEYRING_BACKEND"))
    if not explicit:
        try:
            explicit = keyring.core.load_config() is not None
        except Exception:  # a broken keyringrc.cfg: treat as automatic choice
            explicit = False
    return keyring.get_keyring(), explicit


def _is_fail_backend(backend) -> bool:
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return True
    if isinstance(backend, chainer.ChainerBackend):
        return not list(backend.backends)
    return False


class SecretStore:
    """Get, set and delete secrets by key.

    Thread-safe.  ``set(..., session_only=True)`` keeps the secret in process memory
    only; :meth:`get` looks in session memory first, then the keyring.  Raises
    :class:`SecretStoreError` with a plain-language message when the keyring is absent
    or fails; the message never contains the secret.
    """

    def status(self) -> KeyringStatus:
        try:
            backend, explicit = _backend_and_choice()
        except Exception as exc:  # keyring's own import/config failure
            return KeyringStatus(False, "unknown", f"the OS keyring could not be loaded: {exc}")
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if _is_fail_backend(backend):
            return KeyringStatus(
                False,
                name,
                "no OS keyring is available (no Secret Service, KWallet, macOS Keychain or "
                "Windows Credential Locker was found); start or unlock one, or use a "
                "session-only secret that is forgotten when Tollgate exits",
            )
        priority = getattr(backend, "priority", 0)
        if not explicit and (priority is None or priority < MIN_AUTO_PRIORITY):
            return KeyringStatus(
                False,
                name,
                f"the only keyring backend found ({type(backend).__name__}) is not a secure OS "
                "keyring; Tollgate will not store secrets in it unless you choose it explicitly "
                "(PYTHON_KEYRING_BACKEND); use a session-only secret instead",
            )
        return KeyringStatus(True, name)

    def get(self, key: str) -> Optional[str]:
        with _lock:
            if key in _session:
                return _session[key]
        st = self.status()
        if not st.usable:
            return None
        backend, _ = _backend_and_choice()
        try:
            return backend.get_password(SERVICE, key)
        except Exception as exc:
            raise SecretStoreError(f"cannot read a secret from the OS keyring ({type(exc).__name__}: {exc})") from None

    def set(self, key: str, secret: str, *, session_only: bool = False) -> str:
        """Store ``secret``; returns ``"keyring"`` or ``"session"`` (where it went)."""
        if not secret:
            raise SecretStoreError("the secret is empty; nothing was stored")
        if session_only:
            with _lock:
                _session[key] = secret
            return "session"
        st = self.status()
        if not st.usable:
            raise SecretStoreError(f"cannot store the secret: {st.reason}")
        backend, _ = _backend_and_choice()
        try:
            backend.set_password(SERVICE, key, secret)
        except Exception as exc:
            raise SecretStoreError(
                f"the OS keyring refused to store the secret ({type(exc).__name__}); unlock it "
                "or use a session-only secret"
            ) from None
        with _lock:
            _session.pop(key, None)
        return "keyring"

    def delete(self, key: str) -> None:
        """Forget ``key`` in session memory and the keyring; a missing secret is fine."""
        with _lock:
            _session.pop(key, None)
        if not self.status().usable:
            return
        backend, _ = _backend_and_choice()
        try:
            backend.delete_password(SERVICE, key)
        except Exception:  # keyring.errors.PasswordDeleteError: nothing stored
            pass


def redact(text: str, *secrets: Optional[str]) -> str:
    """``text`` with every occurrence of each non-empty secret replaced by ``***``: for
    error messages and logs that might echo a server's response or a URL."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text
