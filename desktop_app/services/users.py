"""Sign-in, the first administrator, and user management (permissions checked here)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.ids import UserId
from desktop_app.domain.model import Role, User
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.domain.policy import DEFAULT_TIMEZONE
from desktop_app.domain.sign_in import is_locked, locked_until
from desktop_app.errors import PermissionDeniedError, SignInError, UserFacingError
from desktop_app.formatting import format_datetime
from desktop_app.i18n import _
from desktop_app.services.ports import Clock, PasswordHasher, UnitOfWorkFactory

MIN_PASSWORD_LENGTH = 8


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.role, user.city, user.full_name)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserFacingError(_("The password needs at least {n} characters.").format(n=MIN_PASSWORD_LENGTH))


class UserService:
    def __init__(self, uow_factory: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._hasher = hasher
        self._clock = clock

    def needs_first_admin(self) -> bool:
        """True on a new installation: nobody could sign in to create users."""
        with self._uow_factory() as uow:
            return uow.catalog.count_admins_with_password() == 0

    def create_first_admin(self, username: str, full_name: str, email: str, password: str) -> Actor:
        check_password_strength(password)
        if not username.strip() or not full_name.strip():
            raise UserFacingError(_("Write the user name and the full name."))
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
                user = uow.catalog.add_user(User(username.strip(), full_name.strip(), email.strip(), Role.ADMIN, ""))
            assert user.id is not None
            uow.catalog.set_password_hash(user.id, self._hasher.hash(password))
            uow.audit.record(AuditEntry(now, user.id, "user", str(user.id), "create_admin", {"role": ("", "admin")}))
            uow.commit()
        return actor_of(user)

    def sign_in(self, username: str, password: str) -> Actor:
        """The actor for a correct user and password.

        Raises:
            SignInError: wrong user or password (the same message for both), or a locked account.
        """
        now = self._clock.now()
        wrong = SignInError(_("Wrong user or password."))
        with self._uow_factory() as uow:
            credentials = uow.catalog.credentials(username)
            if credentials is None or not credentials.user.active or credentials.password_hash is None:
                raise wrong
            user = credentials.user
            assert user.id is not None
            if is_locked(credentials.failed_sign_ins, credentials.last_failed_sign_in_at, now):
                until = locked_until(credentials.failed_sign_ins, credentials.last_failed_sign_in_at)
                assert until is not None
                raise SignInError(
                    _("Too many wrong passwords: the account {name} is locked until {when}.").format(
                        name=user.username, when=format_datetime(until, ZoneInfo(DEFAULT_TIMEZONE))
                    )
                )
            ok = self._hasher.verify(credentials.password_hash, password)
            uow.catalog.record_sign_in(user.id, success=ok, at=now)
            uow.commit()
        if not ok:
            raise wrong
        return actor_of(user)

    def add_user(self, actor: Actor, user: User, password: str) -> User:
        self._require(actor, Permission.MANAGE_USERS)
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
