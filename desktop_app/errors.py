"""Application-wide error bases.

A `UserFacingError` is the environment's fault or a policy refusal: it carries a message for the
person at the keyboard and is shown as such. Anything else is a bug: the crash dialog and the log.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """An error whose message (already translated) is meant for the user."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class DatabaseUnavailableError(UserFacingError):
    """The database cannot be opened, is corrupt, or belongs to a newer program."""


class PasswordRefusedError(DatabaseUnavailableError):
    """The database server refused the login's password, or asked for one that was not given."""


class SyncStoppedError(UserFacingError):
    """A person stopped a field sync: what reached the office stays there, the rest waits."""


class NotFoundError(UserFacingError):
    """The thing asked for does not exist (any more)."""


class ConflictError(UserFacingError):
    """Another person saved the same record since it was read (the version counter moved)."""


class PolicyRefusal(UserFacingError):
    """The support policy does not allow this action (with the rule's reason)."""


class PermissionDeniedError(UserFacingError):
    """The signed-in person's role (or the ticket's owner or city) does not allow the action."""


class SignInError(UserFacingError):
    """Wrong user or password, or an account locked after too many failures."""


class AlreadyAppliedError(Exception):
    """A field command was applied at the office by another sync while this one replayed it (the
    applied-commands row took the second transaction down with it): nothing was applied twice."""
