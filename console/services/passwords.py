"""Password hashing for workspace users: scrypt from the standard library (OpenSSL).

Parameters: ``N = 2**14``, ``r = 8``, ``p = 1``, a 16-byte random salt and a 32-byte
derived key — the scrypt paper's / RFC 7914 §2 interactive-login parameters, which are
also the OWASP Password Storage Cheat Sheet's scrypt minimum (N=2^14 ... 2^17, r=8,
p=1).  Memory per hash: 128 · r · N bytes = 16 MiB.

Stored form (PHC string format, as used by passlib)::

    $scrypt$ln=14,r=8,p=1$<salt base64>$<key base64>

(standard base64 without ``=`` padding).  Verification recomputes the key with the
parameters stored in the string and compares in constant time
(:func:`hmac.compare_digest`), so the parameters can be raised later without
invalidating older hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

LOG2_N = 14
R = 8
P = 1
SALT_BYTES = 16
KEY_BYTES = 32
#: Minimum password length (NIST SP 800-63B §5.1.1.2: at least 8 characters).
MIN_LENGTH = 8
_MAXMEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """The PHC-like scrypt string for ``password`` (UTF-8), with a fresh salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**LOG2_N, r=R, p=P,
                         maxmem=_MAXMEM, dklen=KEY_BYTES)
    return f"$scrypt$ln={LOG2_N},r={R},p={P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored`` (from :func:`hash_password`); False
    for a wrong password or an unreadable stored string (never raises on bad input)."""
    try:
        _, scheme, params, salt_b64, key_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        kv = dict(item.split("=", 1) for item in params.split(","))
        ln, r, p = int(kv["ln"]), int(kv["r"]), int(kv["p"])
        if not (1 <= ln <= 20 and 1 <= r <= 32 and 1 <= p <= 16):
            return False
        salt, expected = _unb64(salt_b64), _unb64(key_b64)
        key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**ln, r=r, p=p,
                             maxmem=_MAXMEM, dklen=len(expected))
    except (ValueError, KeyError, TypeError):
        return False
    return hmac.compare_digest(key, expected)


#: A hash of a random password, verified against when the login is unknown, so that a
#: failed login costs the same time whether or not the login exists.
_DUMMY = None


def dummy_verify(password: str) -> None:
    """Spend one verification's time (for unknown logins)."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = hash_password(secrets.token_hex(16))
    verify_password(password, _DUMMY)
