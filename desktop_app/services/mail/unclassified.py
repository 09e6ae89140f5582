"""Mail that waits for a person ("Correo sin clasificar"): an unknown sender, a known contact whose
mail named no machine, a reply we could not trust, a mail set aside. Staff link each one to a
customer (a new ticket, or an existing ticket of theirs) or discard it with a reason.

Both are version-checked on the mail's row: two people handling the same mail at the same moment
get one success and one "someone else handled it", never two tickets. Both are audited (R18).
"""

from __future__ import annotations

from datetime import datetime

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.ids import CustomerId, MachineId, TicketId
from desktop_app.domain.model import Contact
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import ConflictError, NotFoundError, PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.customers import HIDDEN
from desktop_app.services.inbox_ports import InboxState, StoredInboxMail
from desktop_app.services.mail.inbound import InboundOutcome, MailInbound
from desktop_app.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line, clean_text

# What the list shows: mail waiting for a person, and mail set aside (staff may link or discard it too).
WAITING_STATES = (InboxState.UNCLASSIFIED, InboxState.SET_ASIDE)
MAX_DISCARD_REASON = 1_000
MAX_CONTACT_EMAIL = 200  # contacts.email


class UnclassifiedMail:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, inbound: MailInbound) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._inbound = inbound

    def unclassified(self, limit: int = 500) -> list[StoredInboxMail]:
        """The mail waiting for a person, oldest first: unclassified, then set aside."""
        with self._uow_factory() as uow:
            rows: list[StoredInboxMail] = []
            for state in WAITING_STATES:
                rows += uow.mail_inbox.in_state(state, limit)
            return rows[:limit]

    def count(self) -> int:
        """How many mails wait for a person (the page's badge)."""
        with self._uow_factory() as uow:
            return sum(uow.mail_inbox.count_in_state(state) for state in WAITING_STATES)

    def link(
        self,
        inbox_id: int,
        *,
        customer_id: CustomerId,
        machine_id: MachineId | None = None,
        ticket_id: TicketId | None = None,
        add_contact: bool = False,
        actor: Actor,
        expected_version: int | None = None,
    ) -> InboundOutcome:
        """File the mail for `customer_id`: on their ticket `ticket_id` (a customer's reply: R9, R14),
        else as a new ticket for `machine_id` (or the machine the mail names, or the customer's only
        one). With `add_contact`, the sender becomes a contact of the customer, so their next mail
        finds its way alone.

        Raises:
            PermissionDeniedError: the person does not handle mail.
            ConflictError: someone else linked or discarded it meanwhile (or since `expected_version`).
            UserFacingError: the customer, machine or ticket does not fit, or intake refused (R2, R3, R5).
        """
        _check(actor)
        with self._uow_factory() as uow:
            mail = _waiting(uow, inbox_id, expected_version)
            customer = uow.catalog.get_customer(customer_id)
            if customer is None:
                raise NotFoundError(_("That customer does not exist (it may have been deleted)."))
            if machine_id is not None:
                machine = uow.catalog.get_machine(machine_id)
                if machine is None or machine.customer_id != customer_id:
                    raise UserFacingError(_("That machine is not one of this customer's."))
            if ticket_id is not None:
                ticket = uow.tickets.get(ticket_id)
                if ticket is None or ticket.customer_id != customer_id:
                    raise UserFacingError(_("That ticket is not one of this customer's."))
            parsed = self._inbound.read_stored(mail)
            if parsed is None:
                raise UserFacingError(_("This mail is too large to read; save the original and discard it."))
            now = self._clock.now()
            audited = {"state": (mail.state.value, InboxState.TICKET.value), "customer_id": ("", str(customer_id))}
            if add_contact and _add_contact(uow, mail, customer_id, actor, now):
                audited["contact_added"] = ("", HIDDEN)
            uow.audit.record(AuditEntry(now, actor.user_id, "mail", str(mail.id), "link", audited))
            return self._inbound.link_in(
                uow, mail, parsed, customer_id=customer_id, machine_id=machine_id, ticket_id=ticket_id, actor=actor
            )

    def discard(self, inbox_id: int, reason: str, *, actor: Actor, expected_version: int | None = None) -> None:
        """Throw the mail away, saying why (audited; the original stays in the store).

        Raises:
            UserFacingError: no reason given.
            ConflictError: someone else linked or discarded it meanwhile.
        """
        _check(actor)
        reason = clean_text(reason).strip()
        if not reason:
            raise UserFacingError(_("Say why the mail is discarded."))
        if len(reason) > MAX_DISCARD_REASON:
            raise UserFacingError(_("The reason is too long: at most {n} characters.").format(n=MAX_DISCARD_REASON))
        now = self._clock.now()
        with self._uow_factory() as uow:
            mail = _waiting(uow, inbox_id, expected_version)
            uow.mail_inbox.set_state(
                mail.id,
                mail.version,
                state=InboxState.DISCARDED,
                state_reason=mail.state_reason,
                customer_id=mail.customer_id,
                handled_by=actor.user_id,
                handled_at=now,
                discard_reason=reason,
            )
            uow.audit.record(
                AuditEntry(
                    now,
                    actor.user_id,
                    "mail",
                    str(mail.id),
                    "discard",
                    {"state": (mail.state.value, InboxState.DISCARDED.value), "reason": ("", reason)},
                )
            )
            uow.commit()


def _check(actor: Actor) -> None:
    if not allows(actor, Permission.HANDLE_MAIL):
        raise PermissionDeniedError(_("Your role does not allow handling unclassified mail."))


def _waiting(uow: UnitOfWork, inbox_id: int, expected_version: int | None) -> StoredInboxMail:
    mail = uow.mail_inbox.get(inbox_id)
    if mail is None:
        raise NotFoundError(_("That mail is no longer in the list."))
    if mail.state not in WAITING_STATES or (expected_version is not None and mail.version != expected_version):
        raise ConflictError(_("Someone else handled this mail meanwhile. Nothing was saved."))
    return mail


def _add_contact(uow: UnitOfWork, mail: StoredInboxMail, customer_id: CustomerId, actor: Actor, now: datetime) -> bool:
    """The sender as a contact of the customer, unless they already are; whether one was added."""
    address = clean_line(mail.from_address).lower()
    if not address or len(address) > MAX_CONTACT_EMAIL or customer_id in uow.mail_inbox.customers_of_address(address):
        return False
    name = clean_line(mail.from_name)[:120] or address
    contact = uow.customers.add_contact(Contact(customer_id, name, address, "", ""))
    assert contact.id is not None
    changes = {"name": ("", HIDDEN), "email": ("", HIDDEN), "customer_id": (str(customer_id), str(customer_id))}
    uow.audit.record(AuditEntry(now, actor.user_id, "contact", str(contact.id), "create", changes))
    return True
