"""Mail in and out (issue 14), behind the one `MailService` the views and commands use (`Desk.mail`):

- `settings`: the servers, the sender, the Message-ID domain, "Probar conexión" (administrators);
- `templates`: the shipped Spanish templates and the administrators' edits, with a preview;
- `outbox`: `MailOutbox.enqueue_in(uow, …)`, called by the ticket and certificate use cases inside
  their own transaction (the mail is written with the change, or neither);
- `delivery`: the "mail_send" job, retries with backoff, a failed mail sent again by hand;
- the received mail (inbound, unclassified, fetching) joins this facade beside them.

The facade only hands over to those modules; a new capability adds its module and its methods here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta, tzinfo

from desktop_app.domain.company import CompanyProfile
from desktop_app.domain.ids import CustomerId, MachineId, TicketId
from desktop_app.domain.mail import subject_with_tag
from desktop_app.domain.mail_templates import MailTemplate, MissingItem, TemplateCode, missing_paragraph, render
from desktop_app.domain.permissions import SYSTEM, Actor
from desktop_app.errors import NotFoundError
from desktop_app.i18n import _
from desktop_app.services.inbox_ports import StoredInboxMail
from desktop_app.services.mail.delivery import MailDelivery
from desktop_app.services.mail.fetching import MailFetching
from desktop_app.services.mail.inbound import InboundOutcome, MailInbound
from desktop_app.services.mail.outbox import MailOutbox
from desktop_app.services.mail.settings import MailSettingsStore
from desktop_app.services.mail.templates import MailTemplates, template_code
from desktop_app.services.mail.unclassified import UnclassifiedMail
from desktop_app.services.mail_dto import (
    MailCheck,
    MailRequest,
    MailSettings,
    OutboxRow,
    OutboxState,
    Skipped,
    TemplateInfo,
    TicketMail,
)
from desktop_app.services.mail_facts import spanish_date, spanish_datetime
from desktop_app.services.mail_ports import Mailbox, MailComposer, MailReader, MailTransport, ParsedMail, SecretStore
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import AttachmentStore, Clock, UnitOfWork, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line, clean_text

__all__ = ["MailOutbox", "MailRequest", "MailService", "Skipped"]


class MailService:
    """Args:
    uow_factory, policy, clock: as every service's.
    attachments: the content-addressed store: composed and received mails (.eml) are kept there.
    composer, transport, mailbox, secret_store: the adapters (desktop_app/mail/).
    reader: reads received mail (desktop_app/mail/reading.py), for the inbound pipeline.
    default_templates: the shipped templates (desktop_app/mail/default_templates.py).
    company: the company's shipped data, for a database where nobody saved it yet.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        policy: PolicyService,
        clock: Clock,
        attachments: AttachmentStore,
        *,
        composer: MailComposer,
        transport: MailTransport,
        mailbox: Mailbox,
        secret_store: SecretStore,
        default_templates: Mapping[TemplateCode, MailTemplate],
        company: Callable[[], CompanyProfile] | None = None,
        reader: MailReader,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._policy = policy
        self._attachments = attachments
        self._settings = MailSettingsStore(uow_factory, clock, secret_store, transport, mailbox)
        self._templates = MailTemplates(uow_factory, clock, default_templates)
        self.outbox_writer = MailOutbox(
            clock=clock,
            attachments=attachments,
            composer=composer,
            templates=self._templates,
            timezone=lambda: policy.calendar().tz,
            company=company,
        )
        self._delivery = MailDelivery(uow_factory, clock, attachments, transport, self._settings)
        # Received mail: imported and routed, waiting for a person, fetched from the mailbox.
        self._inbound = MailInbound(
            uow_factory, policy, clock, attachments, reader, self.machine_needed_reply, outbox=self.outbox_writer
        )
        self._unclassified = UnclassifiedMail(uow_factory, clock, self._inbound)
        self._fetching = MailFetching(uow_factory, clock, self._inbound, mailbox, secret_store, self.settings)

    # -- settings (administrators) -------------------------------------------------------------------

    def settings(self) -> MailSettings:
        return self._settings.settings()

    def save_settings(
        self,
        settings: MailSettings,
        *,
        actor: Actor,
        smtp_password: str | None = None,
        imap_password: str | None = None,
    ) -> MailSettings:
        return self._settings.save_settings(
            settings, actor=actor, smtp_password=smtp_password, imap_password=imap_password
        )

    def test_connection(self, *, actor: Actor) -> MailCheck:
        return self._settings.test_connection(actor=actor)

    def ensure_signing_secret(self) -> None:
        self._settings.ensure_signing_secret()

    # -- templates -----------------------------------------------------------------------------------

    def templates(self) -> list[TemplateInfo]:
        return self._templates.templates()

    def save_template(self, code: str | TemplateCode, subject: str, body: str, *, actor: Actor) -> TemplateInfo:
        return self._templates.save_template(code, subject, body, actor=actor)

    def reset_template(self, code: str | TemplateCode, *, actor: Actor) -> TemplateInfo:
        return self._templates.reset_template(code, actor=actor)

    def preview(
        self, code: str | TemplateCode, subject: str, body: str, ticket_id: TicketId | None = None
    ) -> tuple[str, str]:
        """The mail this text would make: with a ticket's facts and its number in the subject
        ("[SOP-…] …", as the outbox writes it), or with example facts. A placeholder the mail
        cannot fill stays as written (saving refuses it)."""
        checked = template_code(code)
        template = MailTemplate(checked, clean_line(subject), clean_text(body))
        now = self._clock.now()
        tz = self._policy.calendar().tz
        outbox = self.outbox_writer
        with self._uow_factory() as uow:
            settings = uow.mail.settings() or MailSettings()
            company = outbox.company_profile(uow)
            facts = _example_facts(now, tz) | {
                "reopen_days": str(settings.reopen_window_days),
                "company": company.legal_name if company else "",
                "phone": company.phone if company else "",
            }
            if ticket_id is not None:
                ticket = uow.tickets.get(ticket_id)
                if ticket is None:
                    raise NotFoundError(
                        _("Ticket {id} does not exist (it may have been deleted).").format(id=ticket_id)
                    )
                customer = uow.catalog.get_customer(ticket.customer_id)
                address = outbox.customer_address(uow, ticket, customer)
                real = outbox.ticket_facts(uow, ticket, customer, address, settings, company)
                facts |= {name: value for name, value in real.items() if value}
                subject, text = render(template, facts)
                return subject_with_tag(ticket.number, subject), text
        return render(template, facts)

    def reply_address(self, ticket_id: TicketId) -> str:
        """Where the ticket's mail goes, as the outbox will choose it: the ticket's own address (the
        sender of the mail that opened it), else the customer's, else its first contact's; "" none."""
        with self._uow_factory() as uow:
            ticket = uow.tickets.get(ticket_id)
            if ticket is None:
                raise NotFoundError(_("Ticket {id} does not exist (it may have been deleted).").format(id=ticket_id))
            customer = uow.catalog.get_customer(ticket.customer_id)
            return self.outbox_writer.customer_address(uow, ticket, customer)

    def machine_needed_reply(
        self, uow: UnitOfWork, *, to: str, customer_id: CustomerId, parsed: ParsedMail, now: datetime
    ) -> None:
        """R2, for a known contact's mail that named no machine we could find: the "machine_needed"
        auto-reply, queued in the caller's unit of work (services/mail/inbound.py's
        MachineNeededReply). Automatic: never to a robot, rate-limited."""
        facts = {"summary": parsed.subject or "(sin asunto)"}
        request = MailRequest(
            TemplateCode.MACHINE_NEEDED,
            facts,
            automatic=True,
            to=(to,),
            customer_id=customer_id,
            in_reply_to=parsed.message_id,
        )
        self.outbox_writer.enqueue_in(uow, request, ticket=None, actor=SYSTEM, now=now)

    # -- received mail (services/mail/inbound.py, unclassified.py, fetching.py) ----------------------

    def import_mail(self, raw: bytes, *, actor: Actor, source: str = "file") -> InboundOutcome:
        return self._inbound.import_mail(raw, actor=actor, source=source)

    def fetch(self, *, actor: Actor) -> str | None:
        return self._fetching.fetch(actor=actor)

    def unclassified(self) -> list[StoredInboxMail]:
        return self._unclassified.unclassified()

    def unclassified_count(self) -> int:
        return self._unclassified.count()

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
        return self._unclassified.link(
            inbox_id,
            customer_id=customer_id,
            machine_id=machine_id,
            ticket_id=ticket_id,
            add_contact=add_contact,
            actor=actor,
            expected_version=expected_version,
        )

    def discard(self, inbox_id: int, reason: str, *, actor: Actor, expected_version: int | None = None) -> None:
        self._unclassified.discard(inbox_id, reason, actor=actor, expected_version=expected_version)

    # -- the outbox ----------------------------------------------------------------------------------

    def deliver_due(self, *, actor: Actor) -> str | None:
        return self._delivery.deliver_due(actor=actor)

    def retry(self, mail_id: int, *, actor: Actor) -> None:
        self._delivery.retry(mail_id, actor=actor)

    def outbox(self, states: Collection[OutboxState] = ()) -> list[OutboxRow]:
        with self._uow_factory() as uow:
            return uow.queries.mail.outbox(states)

    def ticket_mails(self, ticket_id: TicketId) -> tuple[TicketMail, ...]:
        """Every mail of the ticket, sent and received, oldest first (the timeline)."""
        with self._uow_factory() as uow:
            return tuple(uow.queries.mail.ticket_mails(ticket_id))

    def raw_mail(self, direction: str, mail_id: int) -> bytes:
        """The mail exactly as sent or received (.eml), for "Ver original".

        Raises:
            NotFoundError: no such mail, or its file is gone from the files folder.
        """
        if direction not in ("out", "in"):
            raise NotFoundError(_("Mail {id} does not exist.").format(id=mail_id))
        with self._uow_factory() as uow:
            sha = uow.queries.mail.raw_sha256(direction, mail_id)
        if sha is None:
            raise NotFoundError(_("Mail {id} does not exist.").format(id=mail_id))
        try:
            return self._attachments.path_for(sha).read_bytes()
        except OSError as exc:
            raise NotFoundError(
                _("The original of mail {id} is missing from the files folder.").format(id=mail_id)
            ) from exc


def _example_facts(now: datetime, tz: tzinfo) -> dict[str, str]:
    """What a preview without a ticket is filled with: plausible, clearly an example."""
    return {
        "number": "SOP-2026-00123",
        "summary": "La impresora no calienta la cama",
        "customer": "Universidad del Norte",
        "contact": "María Gómez",
        "agent": "Laura Pérez",
        "due": spanish_datetime(now + timedelta(hours=4), tz),
        "missing": missing_paragraph([MissingItem.IMAGES]),
        "message": "Aquí va el texto que escribe el agente.",
        "solution": "Se cambió el termistor de la cama y se calibró de nuevo.",
        "wait_days": "2",
        "attempt": "1",
        "attempts": "3",
        "reason": "La solicitud es sobre un equipo de otra marca.",
        "plan": "Premium",
        "validity": f"hasta el {spanish_date(now + timedelta(days=365), tz)}",
        "certificate": "CERT-2026-00001",
        "level": "2",
        "reopen_days": "30",
    }
