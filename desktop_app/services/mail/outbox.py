"""Queuing a mail in the transaction of the change that causes it (issue 14: never lost, never silent).

`MailOutbox.enqueue_in(uow, request, ...)` runs INSIDE a ticket use case's unit of work: it fills the
template with the ticket's facts, writes the mail (signed Message-ID, threading headers, the ticket's
number in the subject), keeps its bytes in the attachment store, inserts the outbox row and the
EMAIL_SENT timeline event naming it. The use case's commit writes them with the change, or neither.
The mail job (delivery.py) hands queued mail to the SMTP server later, with retries.

When no mail can go, no row is written and the timeline says why (an EMAIL_SENT event with data
"skipped"): the customer has no address, the address is a robot's (mailer-daemon, no-reply…), the
automatic-mail rate limit for that address and ticket is reached, or the address cannot be written.

Mail settings not saved yet, or sending switched off: the mail is queued all the same and leaves
once an administrator configures and enables sending. Until a sender is set, it is written From the
company's support address (Settings → Empresa), the address customers already know.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo

from desktop_app.domain.company import CompanyProfile
from desktop_app.domain.mail import may_auto_answer, new_message_id, subject_with_tag, within_rate_limit
from desktop_app.domain.mail_templates import TemplateCode, render
from desktop_app.domain.model import Customer, EventKind, Ticket, TicketEvent
from desktop_app.domain.permissions import Actor
from desktop_app.services.mail.settings import signing_key, valid_address
from desktop_app.services.mail.templates import MailTemplates
from desktop_app.services.mail_dto import MailRequest, MailSettings, NewOutboxMail, Skipped
from desktop_app.services.mail_facts import spanish_datetime, summary_of
from desktop_app.services.mail_ports import MailAddress, MailComposer, MailDeliveryError, OutgoingMail
from desktop_app.services.ports import AttachmentStore, Clock, UnitOfWork

# The longest window of domain.mail.RATE_LIMITS: older automatic mail never counts.
RATE_WINDOW = timedelta(minutes=180)
CONTACT_ATTEMPTS = 3  # R12
FALLBACK_DOMAIN = "makersoporte.invalid"  # Message-IDs when no sender is known at all
MAX_REFERENCES = 20  # the latest Message-IDs a reply's References names, beside the first one


# Automatic mail a program writes without a person (RFC 3834): marked so other robots do not answer.
AUTO_REPLIED = frozenset({TemplateCode.ACKNOWLEDGEMENT, TemplateCode.MACHINE_NEEDED})
STAFF_TEMPLATES = frozenset({TemplateCode.ESCALATION})


class MailOutbox:
    """Args:
    clock: the time a mail is written.
    attachments: the content-addressed store the composed mail (.eml) is kept in.
    composer: writes the MIME bytes (desktop_app/mail/composing.py: MimeComposer).
    templates: the templates in force.
    timezone: where due times are told (the policy's, America/Bogota).
    company: the company's data as shipped (services/company.py's defaults) for a database where
        nobody saved it yet: its name, phone and support address go into every mail.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        attachments: AttachmentStore,
        composer: MailComposer,
        templates: MailTemplates,
        timezone: Callable[[], tzinfo],
        company: Callable[[], CompanyProfile] | None = None,
    ) -> None:
        self._clock = clock
        self._attachments = attachments
        self._composer = composer
        self._templates = templates
        self._timezone = timezone
        self._company = company

    def enqueue_in(
        self,
        uow: UnitOfWork,
        request: MailRequest,
        *,
        ticket: Ticket | None,
        actor: Actor,
        now: datetime | None = None,
    ) -> int | None:
        """Queue the mail in the caller's unit of work (committed with the caller's change). Returns
        the outbox row's id, or None when no mail could go: then the ticket's timeline says why."""
        now = now or self._clock.now()
        settings = uow.mail.settings() or MailSettings()
        customer_id = ticket.customer_id if ticket is not None else request.customer_id
        customer = uow.catalog.get_customer(customer_id) if customer_id is not None else None
        staff = request.template in STAFF_TEMPLATES
        if staff or request.to:
            recipients = tuple(dict.fromkeys(address.strip().lower() for address in request.to if address.strip()))
        else:
            address = request.to_customer_address.strip().lower() or self.customer_address(uow, ticket, customer)
            recipients = (address,) if address else ()
        if not recipients:
            return self._skipped(
                uow, ticket, request, actor, now, Skipped.NO_STAFF_ADDRESS if staff else Skipped.NO_ADDRESS
            )
        for address in recipients:
            if not valid_address(address):
                return self._skipped(uow, ticket, request, actor, now, Skipped.BAD_ADDRESS, address)
            if request.automatic and not staff:
                if not may_auto_answer(address):
                    return self._skipped(uow, ticket, request, actor, now, Skipped.NEVER_AUTO_ANSWER, address)
                ticket_id = ticket.id if ticket is not None else None
                sent = uow.mail.automatic_sent_at(ticket_id, address, now - RATE_WINDOW)
                if not within_rate_limit(sent, now):
                    return self._skipped(uow, ticket, request, actor, now, Skipped.RATE_LIMIT, address)
        company = self.company_profile(uow)
        facts = {**self.ticket_facts(uow, ticket, customer, recipients[0], settings, company), **request.facts}
        subject, text = render(self._templates.template_in(uow, request.template), facts)
        if ticket is not None:
            subject = subject_with_tag(ticket.number, subject)
        sender_address = settings.sender_address or (company.support_email if company else "")
        domain = _message_id_domain(settings, sender_address)
        key, number = signing_key(uow, now), ticket.number if ticket is not None else ""
        try:
            message_id = new_message_id(key, number, secrets.token_hex(8), domain)
        except ValueError:  # a sender domain with accents or the like: a plain one is used
            message_id = new_message_id(key, number, secrets.token_hex(8), FALLBACK_DOMAIN)
        # Staff notices stay out of the customer's thread, and the customer's out of theirs.
        thread: list[str] = []
        if ticket is not None and ticket.id and not staff:
            thread = uow.mail.ticket_message_ids(ticket.id, without_templates=[t.value for t in STAFF_TEMPLATES])
        if not thread and request.in_reply_to:  # the customer's mail that opened the ticket, or asked
            thread = [request.in_reply_to]
        in_reply_to, references = thread_headers(thread)
        auto_submitted = ""
        if request.automatic:
            auto_submitted = "auto-replied" if request.template in AUTO_REPLIED else "auto-generated"
        names = _names(uow, customer, recipients) if not staff else {}
        outgoing = OutgoingMail(
            message_id=message_id,
            sender=MailAddress(sender_address, settings.sender_name or (company.legal_name if company else "")),
            to=tuple(MailAddress(address, names.get(address, "")) for address in recipients),
            subject=subject,
            text=text,
            date=now,
            in_reply_to=in_reply_to,
            references=references,
            auto_submitted=auto_submitted,
            attachments=request.attachments,
        )
        try:
            raw = self._composer.compose(outgoing)
        except MailDeliveryError:
            # An address the composer cannot write (checked above; this is the last guard).
            return self._skipped(uow, ticket, request, actor, now, Skipped.BAD_ADDRESS, recipients[0])
        sha = self._attachments.put(raw)
        mail_id = uow.mail.add_outbox(
            NewOutboxMail(
                template=request.template.value,
                message_id=message_id,
                to=recipients,
                subject=subject,
                text=text,
                raw_sha256=sha,
                raw_size=len(raw),
                automatic=request.automatic,
                created_at=now,
                created_by=actor.user_id,
                ticket_id=ticket.id if ticket is not None else None,
                customer_id=customer_id,
                in_reply_to=outgoing.in_reply_to,
                references=outgoing.references,
            )
        )
        if ticket is not None and ticket.id is not None:
            data = (("mail_id", str(mail_id)), ("template", request.template.value))
            uow.tickets.add_events([TicketEvent(ticket.id, EventKind.EMAIL_SENT, now, actor.user_id, "", data)])
        return mail_id

    # -- the facts -------------------------------------------------------------------------------------

    def customer_address(self, uow: UnitOfWork, ticket: Ticket | None, customer: Customer | None) -> str:
        """Where a customer's mail goes: the ticket's own address (the sender of the mail that
        opened it), else the customer's e-mail, else its first contact with one."""
        if ticket is not None and ticket.contact_email.strip():
            return ticket.contact_email.strip().lower()
        if customer is None:
            return ""
        if customer.email.strip():
            return customer.email.strip().lower()
        assert customer.id is not None
        for contact, _version in uow.customers.contacts(customer.id):
            if contact.email.strip() and contact.anonymised_at is None:
                return contact.email.strip().lower()
        return ""

    def ticket_facts(
        self,
        uow: UnitOfWork,
        ticket: Ticket | None,
        customer: Customer | None,
        address: str,
        settings: MailSettings,
        company: CompanyProfile | None,
    ) -> dict[str, str]:
        """What every template may say of its ticket: number, summary, customer, contact, agent,
        due (Colombian time), the reopening window, the company's name and phone."""
        tz = self._timezone()
        names = _names(uow, customer, (address,))
        facts = {
            "customer": customer.name if customer else "",
            "contact": names.get(address) or (customer.name if customer else ""),
            "company": company.legal_name if company else "",
            "phone": company.phone if company else "",
            "reopen_days": str(settings.reopen_window_days),
            "attempts": str(CONTACT_ATTEMPTS),
            "agent": "",
            "message": "",
            "missing": "",
        }
        if ticket is None:
            return facts
        agent = uow.catalog.get_user(ticket.assigned_agent_id) if ticket.assigned_agent_id else None
        due = ticket.due_at or ticket.first_response_due_at
        facts |= {
            "number": ticket.number,
            "summary": summary_of(ticket.description),
            "agent": agent.full_name if agent else "",
            "due": spanish_datetime(due, tz) if due else "",
        }
        return facts

    def company_profile(self, uow: UnitOfWork) -> CompanyProfile | None:
        stored = uow.company.get()
        if stored is not None:
            return stored.profile
        return self._company() if self._company is not None else None

    def _skipped(
        self,
        uow: UnitOfWork,
        ticket: Ticket | None,
        request: MailRequest,
        actor: Actor,
        now: datetime,
        reason: str,
        address: str = "",
    ) -> int | None:
        """No mail (None); the ticket's timeline says which and why."""
        if ticket is None or ticket.id is None:
            return None
        data = [("skipped", reason), ("template", request.template.value)]
        if address:
            data.append(("address", address))
        uow.tickets.add_events([TicketEvent(ticket.id, EventKind.EMAIL_SENT, now, actor.user_id, "", tuple(data))])
        return None


def thread_headers(thread: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """In-Reply-To and References of a mail that continues `thread` (the conversation's Message-IDs,
    oldest first): it answers the latest mail, and names the first and the latest ones. A long
    conversation keeps its first mail (mail programs find the thread's root by it) and its last
    MAX_REFERENCES, so the header stays a few lines however long the ticket runs (RFC 5322 §3.6.4)."""
    ids = list(dict.fromkeys(mid for mid in thread if mid))
    if not ids:
        return "", ()
    if len(ids) > MAX_REFERENCES + 1:
        ids = [ids[0], *ids[-MAX_REFERENCES:]]
    return ids[-1], tuple(ids)


def _names(uow: UnitOfWork, customer: Customer | None, addresses: Sequence[str]) -> dict[str, str]:
    """The contact's name of each address that is a contact of the customer."""
    if customer is None or customer.id is None:
        return {}
    wanted = set(addresses)
    return {
        contact.email.strip().lower(): contact.name
        for contact, _version in uow.customers.contacts(customer.id)
        if contact.email.strip().lower() in wanted and contact.anonymised_at is None
    }


def _message_id_domain(settings: MailSettings, sender_address: str) -> str:
    if settings.message_id_domain:
        return settings.message_id_domain
    _local, at, domain = sender_address.rpartition("@")
    return domain.lower() if at and domain else FALLBACK_DOMAIN
