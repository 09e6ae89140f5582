"""Issue 12, sign-in that reveals nothing: same work and message for unknown names, growing waits, password rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop_app.domain.model import Role, User
from desktop_app.errors import PermissionDeniedError, SignInError, UserFacingError
from desktop_app.services.clock import FixedClock
from desktop_app.services.users import UserService
from tests.unit.services.fakes import FakePasswordHasher, FakeUnitOfWorkFactory

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("America/Bogota"))
PASSWORD = "clave-correcta-1"

pytestmark = pytest.mark.usefixtures("english_ui")


class SpyHasher(FakePasswordHasher):
    """Counts the work done, so a test can tell whether a password was verified or hashed."""

    def __init__(self) -> None:
        self.verified = 0
        self.hashed: list[int] = []

    def hash(self, password: str) -> str:
        self.hashed.append(len(password))
        return super().hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        self.verified += 1
        return stored_hash == FakePasswordHasher.hash(self, password)  # not counted as hashing


@pytest.fixture
def setup() -> tuple[UserService, SpyHasher, FixedClock]:
    factory = FakeUnitOfWorkFactory()
    hasher, clock = SpyHasher(), FixedClock(NOW)
    users = UserService(factory, hasher, clock)
    users.create_first_admin("admin", "Administración", "a@x.co", PASSWORD)
    return users, hasher, clock


def _fail(users: UserService, name: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(SignInError, match="Wrong user or password"):
            users.sign_in(name, "no-es-la-clave")


def test_unknown_user_gets_the_same_message_and_the_same_argon2_work(setup) -> None:  # type: ignore[no-untyped-def]
    users, hasher, _clock = setup
    users.sign_in("admin", PASSWORD)  # the dummy hash is made once, here
    hasher.verified = 0
    with pytest.raises(SignInError) as wrong:
        users.sign_in("admin", "clave-equivocada")
    assert hasher.verified == 1
    hashes_before = len(hasher.hashed)
    with pytest.raises(SignInError) as unknown:
        users.sign_in("nadie", "clave-equivocada")
    assert hasher.verified == 2  # one verification for the unknown name too
    assert len(hasher.hashed) == hashes_before  # the dummy hash is not made again
    assert wrong.value.message == unknown.value.message == "Wrong user or password."


def test_a_password_longer_than_1024_is_refused_at_sign_in_without_hashing(setup) -> None:  # type: ignore[no-untyped-def]
    users, hasher, _clock = setup
    hasher.verified, hasher.hashed = 0, []
    with pytest.raises(SignInError, match="at most 1024"):
        users.sign_in("admin", "x" * 10_000_000)
    assert hasher.verified == 0 and hasher.hashed == []


@pytest.mark.parametrize("password", ["corta", " " * 8, " " * 40, "a" + " " * 12, "x" * 1025, "123456789"])
def test_passwords_that_are_set_follow_the_rules(setup, password: str) -> None:  # type: ignore[no-untyped-def]
    users, _hasher, _clock = setup
    admin = users.sign_in("admin", PASSWORD)
    assert admin.user_id is not None
    with pytest.raises(UserFacingError, match=r"at least 10|at most 1024"):
        users.set_password(admin, admin.user_id, password)
    with pytest.raises(UserFacingError, match=r"at least 10|at most 1024"):
        users.add_user(admin, User("nuevo", "Nuevo", "n@x.co", Role.AGENT, ""), password)
    fresh = UserService(FakeUnitOfWorkFactory(), FakePasswordHasher(), FixedClock(NOW))
    with pytest.raises(UserFacingError, match=r"at least 10|at most 1024"):
        fresh.create_first_admin("admin", "Admin", "a@x.co", password)
    users.set_password(admin, admin.user_id, "x" * 1024)  # the limits themselves are fine
    users.set_password(admin, admin.user_id, "  diez-chars  ")


def test_set_password_for_a_missing_user_is_a_clear_message(setup) -> None:  # type: ignore[no-untyped-def]
    users, _hasher, _clock = setup
    admin = users.sign_in("admin", PASSWORD)
    with pytest.raises(UserFacingError, match="does not exist"):
        users.set_password(admin, 9999, "una-clave-larga")  # type: ignore[arg-type]


def test_failures_make_the_next_attempt_wait_longer_without_verifying(setup) -> None:  # type: ignore[no-untyped-def]
    users, hasher, clock = setup
    _fail(users, "admin", 3)
    hasher.verified = 0
    with pytest.raises(SignInError, match="try again in 1 s"):
        users.sign_in("admin", PASSWORD)  # even the right password waits
    assert hasher.verified == 0
    clock.set(clock.now() + timedelta(seconds=1))
    _fail(users, "admin", 1)  # 4 failures: 2 s
    with pytest.raises(SignInError, match="try again in 2 s"):
        users.sign_in("admin", PASSWORD)
    clock.set(clock.now() + timedelta(seconds=2))
    assert users.sign_in("admin", PASSWORD).role is Role.ADMIN  # success clears the count
    _fail(users, "admin", 3)
    with pytest.raises(SignInError, match="try again in 1 s"):
        users.sign_in("admin", PASSWORD)


def test_the_wait_is_capped_at_five_minutes_and_many_failures_lock_until_an_admin_unlocks(setup) -> None:  # type: ignore[no-untyped-def]
    users, hasher, clock = setup
    admin = users.sign_in("admin", PASSWORD)
    assert admin.user_id is not None
    paula = users.add_user(admin, User("paula", "Paula", "p@x.co", Role.AGENT, ""), "clave-de-paula")
    assert paula.id is not None
    for _ in range(19):
        _fail(users, "paula", 1)
        clock.set(clock.now() + timedelta(minutes=5))
    with pytest.raises(SignInError, match="try again in 300 s"):
        clock.set(clock.now() - timedelta(minutes=5))
        users.sign_in("paula", "clave-de-paula")
    clock.set(clock.now() + timedelta(minutes=5))
    _fail(users, "paula", 1)  # the 20th failure
    clock.set(clock.now() + timedelta(days=1))
    hasher.verified = 0
    with pytest.raises(SignInError, match=r"locked\. Ask an administrator"):
        users.sign_in("paula", "clave-de-paula")
    assert hasher.verified == 0
    with pytest.raises(PermissionDeniedError):
        users.unlock(replace(admin, role=Role.AGENT), paula.id)
    users.unlock(admin, paula.id)
    assert users.sign_in("paula", "clave-de-paula").user_id == paula.id


def test_unknown_names_wait_like_real_ones(setup) -> None:  # type: ignore[no-untyped-def]
    users, _hasher, clock = setup
    _fail(users, "nadie", 3)
    _fail(users, "admin", 3)
    with pytest.raises(SignInError) as unknown:
        users.sign_in("nadie", "otra-clave-mas")
    with pytest.raises(SignInError) as known:
        users.sign_in("admin", "otra-clave-mas")
    assert unknown.value.message == known.value.message == "Too many wrong passwords: try again in 1 s."
    clock.set(clock.now() + timedelta(seconds=1))
    _fail(users, "nadie", 1)
