"""The first-run guide's facts (issue 13): what a new installation still lacks before day one, read
from the database and the key folder each time, so the guide shows what is really done.

A step is done when: the company data was saved by an administrator; this installation holds the
certificate signing key; there is at least one customer; at least two people (not counting worker
accounts) can sign in. Where the guide stopped is the window's to remember (ui/views/first_run_guide.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.domain.model import Role
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import PermissionDeniedError
from desktop_app.i18n import _
from desktop_app.services.company import CompanyService, SigningKeyInfo
from desktop_app.services.customers import CustomerService
from desktop_app.services.users import UserService

ENOUGH_USERS = 2  # the first administrator and at least one colleague


@dataclass(frozen=True)
class FirstRunProgress:
    """What is done of the four steps, as the database and the key folder say now."""

    company_saved: bool
    key: SigningKeyInfo
    customers: int
    users: int  # people who can sign in (worker accounts not counted)

    @property
    def key_created(self) -> bool:
        return self.key.can_issue

    @property
    def has_customers(self) -> bool:
        return self.customers > 0

    @property
    def has_colleagues(self) -> bool:
        return self.users >= ENOUGH_USERS

    @property
    def steps_done(self) -> tuple[bool, bool, bool, bool]:
        """In the guide's order: company data, signing key, customers, users."""
        return (self.company_saved, self.key_created, self.has_customers, self.has_colleagues)


class FirstRunService:
    """Args:
    create_key: makes this installation's signing key (bootstrap wires signing.generate_keys on the
        keys folder); raises UserFacingError when one exists, since a key is never replaced.
    """

    def __init__(
        self,
        company: CompanyService,
        customers: CustomerService,
        users: UserService,
        create_key: Callable[[], object],
    ) -> None:
        self._company = company
        self._customers = customers
        self._users = users
        self._create_key = create_key

    def has_no_customers(self) -> bool:
        """A database without customers: a new installation, not the demo data nor an office at work.
        The guide starts by itself only then (right after the first administrator was created)."""
        return self._customers.search("", limit=1).total == 0

    def progress(self, actor: Actor) -> FirstRunProgress:
        """Raises PermissionDeniedError for anyone but an administrator (the steps are theirs)."""
        self._require(actor, Permission.MANAGE_USERS)
        people = [user for user in self._users.users(actor) if user.active and user.role is not Role.SERVICE]
        return FirstRunProgress(
            self._company.is_saved(),
            self._company.signing_key(),
            self._customers.search("", limit=1).total,
            len(people),
        )

    def create_signing_key(self, actor: Actor) -> SigningKeyInfo:
        """This installation's certificate signing key, made once (as `makersupport certificate
        keygen` does); its public part with the fingerprint to compare.

        Raises:
            PermissionDeniedError: not an administrator.
            UserFacingError: the installation already has a key (it is never replaced).
        """
        self._require(actor, Permission.EDIT_POLICY)  # as the command: the key signs every certificate
        self._create_key()
        return self._company.signing_key()

    @staticmethod
    def _require(actor: Actor, permission: Permission) -> None:
        if not allows(actor, permission):
            raise PermissionDeniedError(_("Your role does not allow this action."))
