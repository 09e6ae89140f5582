"""The Argon2 adapter hashes any text: the same hash as before for ordinary passwords, and a lone surrogate
typed at the sign-in is a wrong password, not a UnicodeEncodeError (issue 12, found by bench/hardening_table.py)."""

from __future__ import annotations

import argon2
from argon2 import PasswordHasher

from desktop_app.security import Argon2PasswordHasher


def test_an_ordinary_password_verifies_against_a_hash_made_from_the_str() -> None:
    stored = PasswordHasher().hash("clave de prueba ñandú 👍")  # as hashes were made before
    assert Argon2PasswordHasher().verify(stored, "clave de prueba ñandú 👍")


def test_a_lone_surrogate_is_a_wrong_password_and_can_be_hashed() -> None:
    hasher = Argon2PasswordHasher()
    stored = hasher.hash("clave\ud800 larga")
    assert hasher.verify(stored, "clave\ud800 larga")
    assert not hasher.verify(stored, "clave\ud801 larga")
    assert not hasher.verify(PasswordHasher().hash("otra clave"), "\udfff")


def test_the_production_hasher_uses_argon2id_with_the_rfc_9106_low_memory_parameters() -> None:
    """64 MiB, 3 passes, 4 lanes: what the desk stores. The test processes hash with cheaper parameters
    (tests/conftest.py); the `makersupport demo` command, run as a subprocess, is checked to store these
    (tests/integration/test_cli.py)."""
    stored = Argon2PasswordHasher().hash("una clave larga 2026")
    assert argon2.extract_parameters(stored) == argon2.profiles.RFC_9106_LOW_MEMORY
