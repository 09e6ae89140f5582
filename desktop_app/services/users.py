"""Sign-in, the first administrator, and user management (permissions checked here)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.ids import UserId
from desktop_app.domain.model import Role, User
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.domain.sign_in import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    is_hard_locked,
    password_problem,
    wait_seconds,
)
from desktop_app.errors import PermissionDeniedError, SignInError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.ports import Clock, PasswordHasher, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line

# Verified against when the user name is unknown, so an unknown name costs the same Argon2 work as a known one.
_DUMMY_PASSWORD = "makeR-soporte-dummy-password"
# Failures for names that are not users are counted in memory (there is no row to keep them in), so an unknown name
# is slowed down and locked exactly like a real one; the map is bounded so a flood of names cannot grow it forever.
_MAX_UNKNOWN_NAMES = 10_000


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.role, user.city, user.full_name)


def check_password_strength(password: str) -> None:
    """Refuse a password that is being set (first administrator, new user, change of password).

    Raises:
        UserFacingError: shorter than MIN_PASSWORD_LENGTH (spaces at the ends do not count) or longer than
            MAX_PASSWORD_LENGTH.
    """
    problem = password_problem(password)
    if problem == "long":
        raise UserFacingError(_("The password can have at most {n} characters.").format(n=MAX_PASSWORD_LENGTH))
    if problem == "short":
        raise UserFacingError(
            _("The password needs at least {n} characters (spaces at the start or end do not count).").format(
                n=MIN_PASSWORD_LENGTH
            )
        )


MAX_USERNAME, MAX_FULL_NAME, MAX_EMAIL = 60, 120, 200  # the columns' sizes


def cleaned_user(user: User) -> User:
    """The user as stored: one-line fields cleaned (services/text_input.py), checked against the columns.

    Raises:
        UserFacingError: an empty or too long user name or full name, blanks inside the user name (it is
            typed at every sign-in and on the command line), or an e-mail address too long.
    """
    username, full_name, email = clean_line(user.username), clean_line(user.full_name), clean_line(user.email)
    if not username or not full_name:
        raise UserFacingError(_("Write the user name and the full name."))
    if len(username) > MAX_USERNAME or any(char.isspace() for char in username):
        raise UserFacingError(
            _("A user name has at most {n} characters and no spaces, e.g. laura.perez.").format(n=MAX_USERNAME)
        )
    if len(full_name) > MAX_FULL_NAME:
        raise UserFacingError(_("The full name can have at most {n} characters.").format(n=MAX_FULL_NAME))
    if len(email) > MAX_EMAIL:
        raise UserFacingError(_("The e-mail address can have at most {n} characters.").format(n=MAX_EMAIL))
    return replace(user, username=username, full_name=full_name, email=email)


class UserService:
    def __init__(self, uow_factory: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._hasher = hasher
        self._clock = clock
        self._dummy_hash: str | None = None
        self._unknown_failures: dict[str, tuple[int, datetime]] = {}
        self._lock = threading.Lock()

    def needs_first_admin(self) -> bool:
        """True on a new installation: nobody could sign in to create users."""
        with self._uow_factory() as uow:
            return uow.catalog.count_admins_with_password() == 0

    def create_first_admin(self, username: str, full_name: str, email: str, password: str) -> Actor:
        check_password_strength(password)
        cleaned = cleaned_user(User(username, full_name, email, Role.ADMIN, ""))
        username, full_name, email = cleaned.username, cleaned.full_name, cleaned.email
        now = self._clock.now()
        with self._uow_factory() as uow:
            if uow.catalog.count_admins_with_password() > 0:
                raise PermissionDeniedError(_("An administrator already exists; sign in as that user."))
            existing = uow.catalog.credentials(username)
            if existing is not None:
                user = existing.user
                if user.role is not Role.ADMIN:
                    raise UserFacingError(
                        _("The user {name} exists and is not an administrator.").format(name=username)
                    )
            else:
                user = uow.catalog.add_user(cleaned)
            assert user.id is not None
            uow.catalog.set_password_hash(user.id, self._hasher.hash(password))
            uow.audit.record(AuditEntry(now, user.id, "user", str(user.id), "create_admin", {"role": ("", "admin")}))
            uow.commit()
        return actor_of(user)

    def sign_in(self, username: str, password: str, *, needs: Permission = Permission.VIEW) -> Actor:
        """The actor for a correct user and password, allowed what they sign in for.

        A known and an unknown user name do the same work (one Argon2 verification) and get the same messages, so
        neither the answer nor its timing tells which names exist.

        Args:
            needs: what the session is for: VIEW for the window (so the worker's service account cannot open it),
                the command's permission for the command line, RUN_JOBS for the worker.

        Raises:
            SignInError: wrong user or password (the same message for both), a password too long to be anyone's,
                an attempt that comes before the wait after earlier failures is over, or a locked account.
            PermissionDeniedError: the right password, but the role does not allow what `needs` names.
        """
        if len(password) > MAX_PASSWORD_LENGTH:
            # Refused before hashing: a 10 MB password must not cost 10 MB of Argon2 work.
            raise SignInError(_("The password can have at most {n} characters.").format(n=MAX_PASSWORD_LENGTH))
        dummy_hash = self._dummy()
        now = self._clock.now()
        name = clean_line(username)  # as stored names are cleaned: a lone surrogate or NUL is just no such user
        with self._uow_factory() as uow:
            credentials = uow.catalog.credentials(name)
            usable = credentials is not None and credentials.user.active and credentials.password_hash is not None
            if credentials is not None and usable:
                failures, last_failure = credentials.failed_sign_ins, credentials.last_failed_sign_in_at
            else:
                with self._lock:
                    failures, last_failure = self._unknown_failures.get(name.casefold(), (0, None))
            self._refuse_while_waiting(failures, last_failure, now)
            if credentials is not None and usable:
                assert credentials.password_hash is not None and credentials.user.id is not None
                ok = self._hasher.verify(credentials.password_hash, password)
                uow.catalog.record_sign_in(credentials.user.id, success=ok, at=now)
                uow.commit()
                if ok:
                    actor = actor_of(credentials.user)
                    self._require_for_session(actor, credentials.user.username, needs)
                    return actor
            else:
                self._hasher.verify(dummy_hash, password)
                self._count_unknown_failure(name.casefold(), failures, now)
        raise SignInError(_("Wrong user or password."))

    def confirm(self, actor: Actor, needs: Permission) -> None:
        """Check that a signed-in actor still may act: the account exists, is active, and its role (as it is now
        in the database) allows `needs`. The worker calls it before each round, so disabling the service account
        or changing its role stops the worker without a restart.

        Raises:
            PermissionDeniedError: the account was removed, disabled or no longer has the permission.
        """
        if actor.user_id is None:
            return  # the desk itself (tests, the window's own job runner)
        with self._uow_factory() as uow:
            user = uow.catalog.get_user(actor.user_id)
        if user is None or not user.active:
            raise PermissionDeniedError(_("The account {name} was disabled or removed.").format(name=actor.name))
        self._require_for_session(actor_of(user), user.username, needs)

    @staticmethod
    def _require_for_session(actor: Actor, username: str, needs: Permission) -> None:
        if allows(actor, needs):
            return
        if actor.role is Role.SERVICE:
            raise PermissionDeniedError(
                _("{user} is the worker's service account: it runs the periodic jobs and nothing else.").format(
                    user=username
                )
            )
        raise PermissionDeniedError(
            _("{user} may not do this: the role does not allow it. Sign in as someone who may.").format(user=username)
        )

    def unlock(self, actor: Actor, user_id: UserId) -> None:
        """Clear a user's failed sign-ins (an administrator lifts a lock or a wait)."""
        self._require(actor, Permission.MANAGE_USERS)
        with self._uow_factory() as uow:
            if not uow.catalog.clear_failed_sign_ins(user_id):
                raise UserFacingError(_("That user does not exist."))
            uow.audit.record(AuditEntry(self._clock.now(), actor.user_id, "user", str(user_id), "unlock", {}))
            uow.commit()

    def _dummy(self) -> str:
        # Made once, on the first sign-in, so later unknown names cost one verification and nothing more.
        with self._lock:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash(_DUMMY_PASSWORD)
            return self._dummy_hash

    def _count_unknown_failure(self, key: str, failures: int, now: datetime) -> None:
        with self._lock:
            if key not in self._unknown_failures and len(self._unknown_failures) >= _MAX_UNKNOWN_NAMES:
                self._unknown_failures.pop(next(iter(self._unknown_failures)))
            self._unknown_failures[key] = (failures + 1, now)

    @staticmethod
    def _refuse_while_waiting(failures: int, last_failure: datetime | None, now: datetime) -> None:
        """Refuse, without checking the password, an account that is locked or must still wait."""
        if is_hard_locked(failures):
            raise SignInError(_("Too many wrong passwords: this account is locked. Ask an administrator to unlock it."))
        seconds = wait_seconds(failures, last_failure, now)
        if seconds > 0:
            raise SignInError(_("Too many wrong passwords: try again in {n} s.").format(n=seconds))

    def add_user(self, actor: Actor, user: User, password: str) -> User:
        self._require(actor, Permission.MANAGE_USERS)
        user = cleaned_user(user)
        check_password_strength(password)
        with self._uow_factory() as uow:
            if uow.catalog.credentials(user.username) is not None:
                raise UserFacingError(_("The user name {name} is taken.").format(name=user.username))
            saved = uow.catalog.add_user(user)
            assert saved.id is not None
            uow.catalog.set_password_hash(saved.id, self._hasher.hash(password))
            uow.audit.record(
                AuditEntry(
                    self._clock.now(), actor.user_id, "user", str(saved.id), "create", {"role": ("", user.role.value)}
                )
            )
            uow.commit()
        return saved

    def set_password(self, actor: Actor, user_id: UserId, password: str) -> None:
        if actor.user_id != user_id:
            self._require(actor, Permission.MANAGE_USERS)
        check_password_strength(password)
        with self._uow_factory() as uow:
            if not uow.catalog.clear_failed_sign_ins(user_id):
                raise UserFacingError(_("That user does not exist."))
            uow.catalog.set_password_hash(user_id, self._hasher.hash(password))
            # The hash itself is never written to the audit log.
            uow.audit.record(
                AuditEntry(
                    self._clock.now(), actor.user_id, "user", str(user_id), "password", {"password": ("***", "***")}
                )
            )
            uow.commit()

    def users(self, actor: Actor) -> list[User]:
        self._require(actor, Permission.MANAGE_USERS)
        with self._uow_factory() as uow:
            return uow.catalog.users()

    @staticmethod
    def _require(actor: Actor, permission: Permission) -> None:
        if not allows(actor, permission):
            raise PermissionDeniedError(_("Your role does not allow this action."))
