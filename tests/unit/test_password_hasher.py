"""The Argon2 adapter hashes any text: the same hash as before for ordinary passwords, and a lone surrogate
typed at the sign-in is a wrong password, not a UnicodeEncodeError (issue 12, found by bench/hardening_table.py)."""

from __future__ import annotations

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
