"""Password hashing with Argon2id (argon2-cffi): the adapter behind services.ports.PasswordHasher."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError


def _secret(password: str) -> bytes:
    """The password's UTF-8 bytes, the ones argon2-cffi hashes for a str; a lone surrogate (half of an
    emoji from a broken paste) is kept as its own bytes instead of failing with UnicodeEncodeError, so any
    text typed at the sign-in is checked like any other wrong password."""
    return password.encode("utf-8", "surrogatepass")


class Argon2PasswordHasher:
    """Args:
    argon2: the argon2-cffi hasher to hash with; by default its own defaults (RFC 9106 low-memory),
        which production keeps. A hash records its parameters, so any hash verifies whichever made it.
    """

    def __init__(self, argon2: _Argon2 | None = None) -> None:
        self._argon2 = argon2 or _Argon2()

    def hash(self, password: str) -> str:
        return self._argon2.hash(_secret(password))

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(stored_hash, _secret(password))
        except (VerificationError, InvalidHashError):
            return False
