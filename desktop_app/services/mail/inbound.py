"""A received mail into the desk (issue 14): kept raw, read, routed, and acted on in one transaction.

The raw bytes go to the attachment store first (content-addressed, like attachments), so whatever
happens next the mail is never lost. The reader (MailReader port) turns them into a ParsedMail; the
database facts (which ticket a signed or stored Message-ID names, whose contact the sender is) become
`InboundFacts`, and the domain's `route()` decides. Then, in ONE unit of work, the mail's row is
written and the desk acts:

- a reply → its ticket: the mail on the timeline, its files attached within intake's limits, the
  ticket resumed when it waited on the customer (R9), reopened with a new clock within the reopen
  window (R14) or, after it, a new ticket linked to the old one; the responsible agent is told;
- a known contact's new mail → a ticket through intake (channel e-mail, the machine from a serial or
  label link in the mail, or the customer's only machine), else unclassified "machine_needed";
- an unknown sender, an untrusted subject number → "Correo sin clasificar";
- an auto-reply → kept, shown on its ticket when known, never acted on; a bounce → our outbound mail
  marked "rebotado" and its ticket told;
- a mail seen before → nothing new.

Anything that fails while acting rolls back, and the mail is recorded "set_aside" with the reason
instead: never lost, never a traceback. A caller that must write something in the same transaction
(the fetch advancing its last UID) passes `also`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from desktop_app.domain import lifecycle
from desktop_app.domain.assignment import Candidate, contenders, responsible_for_new_request
from desktop_app.domain.ids import AttachmentId, CustomerId, MachineId, TicketId, UserId
from desktop_app.domain.mail import (
    InboundFacts,
    ReplyAction,
    Route,
    RouteDecision,
    reply_action,
    route,
    serials_mentioned,
    ticket_number_in_subject,
    verified_ticket_number,
)
from desktop_app.domain.model import (
    Attachment,
    Channel,
    EventKind,
    NoticeKind,
    Notification,
    Role,
    Severity,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from desktop_app.domain.permissions import SYSTEM, Actor, Permission, allows
from desktop_app.errors import PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.inbox_ports import InboxState, NewInboxMail, StoredInboxMail
from desktop_app.services.mail_dto import ATTACHMENT_IDS, DEFAULT_REOPEN_WINDOW_DAYS
from desktop_app.services.mail_ports import MAX_MAIL_BYTES, MailReader, ParsedMail
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import AttachmentStore, Clock, UnitOfWork, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line, clean_text
from desktop_app.services.tickets._core import MIN_DESCRIPTION_LENGTH, TicketCore, as_policy_refusal
from desktop_app.services.tickets.intake import (
    Intake,
    IntakeRequest,
    NewAttachment,
    Opened,
    check_attachment,
    media_type,
)
from desktop_app.services.tickets.lifecycle import reopened

if TYPE_CHECKING:
    from desktop_app.services.mail.outbox import MailOutbox

log = logging.getLogger(__name__)

DEFAULT_SEVERITY = Severity.MEDIUM  # what the intake form proposes; the agent changes it after reading
MAX_DESCRIPTION_CHARS = 10_000  # a ticket's description from a mail; the mail itself is kept whole
MAX_STORED_TEXT_CHARS = 1_000_000  # the text kept in the inbox row ("Ver original" has everything)
MAX_EVENT_TEXT_CHARS = 100_000
DUPLICATE = "duplicate"  # InboundOutcome.state of a mail imported before (no row of its own)

# Why a mail was set aside (mail_inbox.state_reason).
TOO_BIG = "too_big"
UNREADABLE = "unreadable"
FAILED = "failed"
# Why a known contact's mail did not open a ticket by itself (state "unclassified").
MACHINE_NEEDED = "machine_needed"
DESCRIPTION_NEEDED = "description_needed"
NOT_ENTITLED = "not_entitled"
NO_AGENT = "no_agent"

Also = Callable[[UnitOfWork], None]


@dataclass(frozen=True)
class InboundOutcome:
    """Where one received mail went.

    Attributes:
        state: the inbox state ("ticket", "unclassified", "automatic", "bounce", "set_aside"), or
            "duplicate" for a mail imported before (the earlier outcome's ticket is named).
        ticket_number: the ticket it went to or opened, "" when none.
        message: what happened, in words, for a person.
        inbox_id: its row in the inbox (the earlier one for a duplicate; None for a copy of a mail
            we sent ourselves).
        reason: the code of why it is where it is ("machine_needed", "unknown_sender", ...).
    """

    state: str
    ticket_number: str
    message: str
    inbox_id: int | None = None
    reason: str = ""


class MachineNeededReply(Protocol):
    """Queues the "machine_needed" template to a known contact whose mail named no machine we could
    find, in the caller's unit of work (the outbox, services/mail/outbox.py)."""

    def __call__(
        self, uow: UnitOfWork, *, to: str, customer_id: CustomerId, parsed: ParsedMail, now: datetime
    ) -> None: ...


class _Unclassified(Exception):
    """Acting found the mail cannot go where it was routed: it waits for a person instead."""

    def __init__(self, reason: str, customer_id: CustomerId | None = None, message: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.customer_id = customer_id
        self.message = message


@dataclass(frozen=True)
class _Filing:
    """Who files the mail and how: the mail job as the desk (a new row), or a person linking a
    mail that waited unclassified (its existing row, version-checked, and their choices)."""

    existing: StoredInboxMail | None = None
    actor: Actor = SYSTEM
    machine_id: MachineId | None = None


def may_import(actor: Actor) -> bool:
    """The mail job (RUN_JOBS: the worker's account, or a window acting as the desk) and the people
    who handle mail (HANDLE_MAIL: saved .eml files dropped on the window)."""
    return allows(actor, Permission.RUN_JOBS) or allows(actor, Permission.HANDLE_MAIL)


class MailInbound:
    """Args:
    uow_factory: opens units of work.
    policy, clock, attachments: as the ticket service's (a ticket is opened and changed here).
    reader: reads raw mail (desktop_app/mail/reading.py: StdlibMailReader).
    machine_needed_reply: queues the "machine_needed" auto-reply (None: none is sent).
    outbox: where the ticket use cases queue their mail (the acknowledgement of a ticket a mail
        opens); None: no mail.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        policy: PolicyService,
        clock: Clock,
        attachments: AttachmentStore,
        reader: MailReader,
        machine_needed_reply: MachineNeededReply | None = None,
        *,
        outbox: MailOutbox | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._attachments = attachments
        self._reader = reader
        # With the outbox, a ticket the mail opens is acknowledged like any other (intake queues it).
        self._core = TicketCore(uow_factory, policy, clock, attachments, outbox)
        self._intake = Intake(self._core)
        self._machine_needed_reply = machine_needed_reply

    # -- the use case ------------------------------------------------------------------------------

    def import_mail(self, raw: bytes, *, actor: Actor, source: str = "file") -> InboundOutcome:
        """Receive one mail (a saved .eml, or one the fetch read); see the module's docstring.

        Raises:
            PermissionDeniedError: the person may not import mail.
            DatabaseUnavailableError: the database could not record even a set-aside mail (the
                raw bytes are in the store; importing again later finds them).
        """
        if not may_import(actor):
            raise PermissionDeniedError(_("Your role does not allow importing mail."))
        return self.receive(raw, source=source)

    def receive(self, raw: bytes, *, source: str, also: Also | None = None) -> InboundOutcome:
        """import_mail without the permission check, for the mail job; `also(uow)` is written in
        the same transaction as the mail (whatever the outcome, a duplicate included)."""
        sha = self._attachments.put(raw)  # first: kept whatever happens next
        now = self._clock.now()
        parsed: ParsedMail | None = None
        if len(raw) > MAX_MAIL_BYTES:
            return self._set_aside(raw, sha, None, now, source, TOO_BIG, also)
        try:
            parsed = self._reader.parse(raw)
        except Exception:  # the reader promises never to raise; if it does, the mail is still kept
            log.exception("the mail reader failed on %s", sha)
            return self._set_aside(raw, sha, None, now, source, UNREADABLE, also)
        try:
            try:
                return self._route_and_act(raw, sha, parsed, now, source, also)
            except _Unclassified as unclassified:
                return self._record_unclassified(raw, sha, parsed, now, source, unclassified, also)
        except Exception as exc:  # any failure: the mail is set aside, never lost
            earlier = self._earlier(sha, parsed)
            if earlier is not None:  # another desk imported it at the same moment
                return self._duplicate(earlier, also)
            if not isinstance(exc, UserFacingError):
                log.exception("acting on mail %s failed; set aside", sha)
            return self._set_aside(raw, sha, parsed, now, source, _failure_code(exc), also)

    def read_stored(self, mail: StoredInboxMail) -> ParsedMail | None:
        """A stored mail read again from its raw bytes (None when too big to read)."""
        raw = self._attachments.path_for(mail.raw_sha256).read_bytes()
        return None if len(raw) > MAX_MAIL_BYTES else self._reader.parse(raw)

    def link_in(
        self,
        uow: UnitOfWork,
        mail: StoredInboxMail,
        parsed: ParsedMail,
        *,
        customer_id: CustomerId,
        machine_id: MachineId | None,
        ticket_id: TicketId | None,
        actor: Actor,
    ) -> InboundOutcome:
        """A person files a mail that waited unclassified: on `ticket_id` (as a customer's reply:
        R9 and R14 apply), or as a new ticket of the customer (for `machine_id`, else the machine
        the mail names, else the customer's only one). Commits `uow`; ConflictError when somebody
        else handled the mail meanwhile."""
        now = self._clock.now()
        row = replace(
            _new_row(b"", mail.raw_sha256, parsed, now, mail.source),
            raw_size=mail.raw_size,
            message_id=mail.message_id,
            from_address=mail.from_address,
        )
        filing = _Filing(existing=mail, actor=actor, machine_id=machine_id)
        _secret, window_days = _mail_rules(uow)
        try:
            if ticket_id is not None:
                return self._reply(uow, row, parsed, ticket_id, now, window_days, None, filing)
            return self._new_request(uow, row, parsed, customer_id, now, None, filing)
        except _Unclassified as refused:
            if refused.reason == MACHINE_NEEDED:
                raise UserFacingError(
                    _("Choose the machine: the mail names none of this customer's machines.")
                ) from refused
            raise UserFacingError(refused.message or _("No ticket could be opened from this mail.")) from refused

    # -- routing -----------------------------------------------------------------------------------

    def _route_and_act(
        self, raw: bytes, sha: str, parsed: ParsedMail, now: datetime, source: str, also: Also | None
    ) -> InboundOutcome:
        with self._uow_factory() as uow:
            inbox = uow.mail_inbox
            message_id = clean_line(parsed.message_id)  # as the row keeps it
            earlier = inbox.by_raw_sha256(sha) or (inbox.by_message_id(message_id) if message_id else None)
            ours = bool(message_id) and inbox.sent_mail(message_id) is not None
            if earlier is not None or ours:
                if also is not None:
                    also(uow)
                    uow.commit()
                return _duplicate_outcome(earlier)
            secret, window_days = _mail_rules(uow)
            facts = self._facts(uow, parsed, secret)
            decision = route(facts)
            row = _new_row(raw, sha, parsed, now, source)
            if decision.route is Route.TICKET:
                assert decision.ticket_id is not None
                return self._reply(uow, row, parsed, decision.ticket_id, now, window_days, also)
            if decision.route is Route.NEW_TICKET:
                assert decision.customer_id is not None
                return self._new_request(uow, row, parsed, decision.customer_id, now, also)
            if decision.route is Route.AUTOMATIC:
                return self._automatic(uow, row, parsed, decision, now, also)
            if decision.route is Route.BOUNCE:
                return self._bounce(uow, row, parsed, decision, now, also)
            customer = facts.sender_customer_ids[0] if len(facts.sender_customer_ids) == 1 else None
            raise _Unclassified(decision.reason.value, customer)

    def _facts(self, uow: UnitOfWork, parsed: ParsedMail, secret: bytes) -> InboundFacts:
        inbox = uow.mail_inbox
        sender = parsed.sender.address.strip().lower() if parsed.sender else ""
        customers = tuple(inbox.customers_of_address(sender)) if sender else ()
        # The direct parent first, then the thread from the newest mail back.
        threaded = list(dict.fromkeys([*parsed.in_reply_to, *reversed(parsed.references)]))
        signed: TicketId | None = None
        for message_id in threaded:
            number = verified_ticket_number(secret, message_id)
            if number:
                signed = inbox.ticket_ids_by_number(number)
                if signed is not None:
                    break
        stored = inbox.tickets_of_message_ids(threaded)
        referenced = next((stored[m] for m in threaded if m in stored), None)
        subject_ticket: TicketId | None = None
        subject_customer: CustomerId | None = None
        number = ticket_number_in_subject(parsed.subject)
        if number:
            subject_ticket = inbox.ticket_ids_by_number(number)
            found = uow.tickets.get(subject_ticket) if subject_ticket is not None else None
            subject_customer = found.customer_id if found is not None else None
        bounced: TicketId | None = None
        for message_id in parsed.bounced_message_ids:
            sent = inbox.sent_mail(message_id)
            if sent is not None and sent.ticket_id is not None:
                bounced = sent.ticket_id
                break
        return InboundFacts(
            already_imported=False,
            bounce=parsed.bounce,
            automatic=parsed.automatic,
            sender=sender,
            sender_customer_ids=customers,
            signed_ticket_id=signed,
            referenced_ticket_id=referenced,
            subject_ticket_id=subject_ticket,
            subject_ticket_customer_id=subject_customer,
            bounced_ticket_id=bounced,
        )

    # -- acting ------------------------------------------------------------------------------------

    def _reply(
        self,
        uow: UnitOfWork,
        row: NewInboxMail,
        parsed: ParsedMail,
        ticket_id: TicketId,
        now: datetime,
        window_days: int,
        also: Also | None,
        filing: _Filing = _Filing(),
    ) -> InboundOutcome:
        """A customer's mail on an existing ticket (R9, R14)."""
        core = self._core
        ticket = core.load(uow, ticket_id)
        action = reply_action(ticket.status, ticket.closed_at, now, window_days)
        sender = row.from_address
        if action is ReplyAction.NEW_LINKED:
            return self._follow_up(uow, row, parsed, ticket, now, also, filing)
        inbox_id = _file(uow, row, filing, now, ticket_id=ticket_id, customer_id=ticket.customer_id)
        attached, files = self._attach(uow, ticket_id, parsed, now)
        events = [_received_event(ticket_id, now, row, inbox_id, files=files), *attached]
        message = _("The reply was added to ticket {number}.")
        if action is ReplyAction.RESUME:
            # R9: the customer answered; the clock runs again.
            with as_policy_refusal(core.timezone()):
                lifecycle.check_transition(ticket.status, TicketStatus.IN_PROGRESS)
            events.append(core.status_event(ticket, TicketStatus.IN_PROGRESS, now, None, reason="customer_replied"))
            ticket = replace(ticket, status=TicketStatus.IN_PROGRESS)
            message = _("The customer's reply resumed ticket {number}.")
        elif action is ReplyAction.REOPEN:
            ticket, reopening = reopened(core, ticket, now, None)  # R14: a new clock
            events.append(reopening)
            message = _("The customer's reply reopened ticket {number}.")
        if ticket.assigned_agent_id is not None:
            uow.notices.add(_reply_notice(ticket.assigned_agent_id, ticket_id, now, inbox_id, sender))
        if also is not None:
            also(uow)
        core.commit(uow, ticket, events, now, filing.actor)
        return InboundOutcome(
            InboxState.TICKET.value, ticket.number, message.format(number=ticket.number), inbox_id, action.value
        )

    def _follow_up(
        self,
        uow: UnitOfWork,
        row: NewInboxMail,
        parsed: ParsedMail,
        old: Ticket,
        now: datetime,
        also: Also | None,
        filing: _Filing,
    ) -> InboundOutcome:
        """R14 after the window: a new ticket for the same machine; both timelines name each other."""
        assert old.id is not None
        agent = self._agent_for(uow, old.customer_id, old.assigned_agent_id)
        opened = self._open(uow, parsed, old.machine_id, old.customer_id, agent, row.from_address, now, filing.actor)
        new_id = opened.ticket_id
        new = uow.tickets.get(new_id)
        assert new is not None
        inbox_id = _file(uow, row, filing, now, ticket_id=new_id, customer_id=old.customer_id)
        uow.tickets.add_events(
            [
                _received_event(new_id, now, row, inbox_id, (("follows", old.number),), files=opened.attachment_ids),
                # The old ticket keeps its history untouched and names its follow-up.
                TicketEvent(
                    old.id,
                    EventKind.EMAIL_RECEIVED,
                    now,
                    None,
                    _clip(row.text_body, MAX_EVENT_TEXT_CHARS),
                    (("followed_by", new.number), ("from", row.from_address), ("subject", row.subject)),
                ),
            ]
        )
        if also is not None:
            also(uow)
        uow.commit()
        message = _("Ticket {old} was closed more than the reopen window ago: the reply opened ticket {number}.")
        return InboundOutcome(
            InboxState.TICKET.value,
            new.number,
            message.format(old=old.number, number=new.number),
            inbox_id,
            ReplyAction.NEW_LINKED.value,
        )

    def _new_request(
        self,
        uow: UnitOfWork,
        row: NewInboxMail,
        parsed: ParsedMail,
        customer_id: CustomerId,
        now: datetime,
        also: Also | None,
        filing: _Filing = _Filing(),
    ) -> InboundOutcome:
        """A known contact's new mail: a ticket through intake (R1, R2), channel e-mail."""
        machine_id = filing.machine_id or self._machine_named(uow, customer_id, parsed)
        if machine_id is None:
            raise _Unclassified(MACHINE_NEEDED, customer_id)
        if filing.actor.role is Role.AGENT and filing.actor.user_id is not None:
            agent = filing.actor.user_id  # R1: an agent who takes the request is responsible, as at intake
        else:
            agent = self._agent_for(uow, customer_id, uow.mail_inbox.last_agent_of(customer_id))
        opened = self._open(uow, parsed, machine_id, customer_id, agent, row.from_address, now, filing.actor)
        ticket_id = opened.ticket_id
        inbox_id = _file(uow, row, filing, now, ticket_id=ticket_id, customer_id=customer_id)
        uow.tickets.add_events([_received_event(ticket_id, now, row, inbox_id, files=opened.attachment_ids)])
        refused = _refused_files(parsed)
        if refused:
            uow.tickets.add_events([_refused_event(ticket_id, now, refused)])
        ticket = uow.tickets.get(ticket_id)
        assert ticket is not None
        if also is not None:
            also(uow)
        uow.commit()
        return InboundOutcome(
            InboxState.TICKET.value,
            ticket.number,
            _("The mail opened ticket {number}.").format(number=ticket.number),
            inbox_id,
            "new_ticket",
        )

    def _automatic(
        self,
        uow: UnitOfWork,
        row: NewInboxMail,
        parsed: ParsedMail,
        decision: RouteDecision,
        now: datetime,
        also: Also | None,
    ) -> InboundOutcome:
        """An auto-reply: kept, shown on its ticket as information, never resumes, reopens or is answered."""
        ticket = uow.tickets.get(decision.ticket_id) if decision.ticket_id is not None else None
        inbox_id = uow.mail_inbox.add(
            replace(
                row,
                state=InboxState.AUTOMATIC,
                state_reason="automatic",
                ticket_id=ticket.id if ticket else None,
                customer_id=ticket.customer_id if ticket else None,
            )
        )
        if ticket is not None and ticket.id is not None:
            uow.tickets.add_events([_received_event(ticket.id, now, row, inbox_id, (("automatic", parsed.automatic),))])
        if also is not None:
            also(uow)
        uow.commit()
        number = ticket.number if ticket else ""
        message = (
            _("An automatic reply, shown on ticket {number}; nothing was changed.").format(number=number)
            if number
            else _("An automatic reply; kept, nothing was changed.")
        )
        return InboundOutcome(InboxState.AUTOMATIC.value, number, message, inbox_id, "automatic")

    def _bounce(
        self,
        uow: UnitOfWork,
        row: NewInboxMail,
        parsed: ParsedMail,
        decision: RouteDecision,
        now: datetime,
        also: Also | None,
    ) -> InboundOutcome:
        """A delivery report: our mail is marked bounced ("rebotado") and its ticket says so."""
        inbox = uow.mail_inbox
        reason = _bounce_reason(parsed)
        marked = []
        for message_id in dict.fromkeys(parsed.bounced_message_ids):
            sent = inbox.sent_mail(message_id)
            if sent is not None:
                uow.mail.mark_bounced(sent.id, at=now, reason=reason)
                marked.append(sent)
        ticket_id = next((s.ticket_id for s in marked if s.ticket_id is not None), decision.ticket_id)
        ticket = uow.tickets.get(ticket_id) if ticket_id is not None else None
        inbox_id = inbox.add(
            replace(
                row,
                state=InboxState.BOUNCE,
                state_reason="bounce",
                ticket_id=ticket_id if ticket else None,
                customer_id=ticket.customer_id if ticket else None,
                outbox_id=marked[0].id if marked else None,
            )
        )
        for sent in marked:
            if sent.ticket_id is not None:
                uow.tickets.add_events(
                    [
                        TicketEvent(
                            sent.ticket_id,
                            EventKind.EMAIL_RECEIVED,
                            now,
                            None,
                            reason,
                            (("bounced_mail_id", str(sent.id)), ("mail_id", str(inbox_id))),
                        )
                    ]
                )
        if also is not None:
            also(uow)
        uow.commit()
        number = ticket.number if ticket else ""
        message = (
            _("A mail we sent did not arrive (ticket {number}): marked bounced.").format(number=number)
            if marked and number
            else _("A mail we sent did not arrive: marked bounced.")
            if marked
            else _("A delivery report about a mail we do not know; kept.")
        )
        return InboundOutcome(InboxState.BOUNCE.value, number, message, inbox_id, "bounce")

    # -- the other outcomes ------------------------------------------------------------------------

    def _record_unclassified(
        self,
        raw: bytes,
        sha: str,
        parsed: ParsedMail,
        now: datetime,
        source: str,
        why: _Unclassified,
        also: Also | None,
    ) -> InboundOutcome:
        row = replace(
            _new_row(raw, sha, parsed, now, source),
            state=InboxState.UNCLASSIFIED,
            state_reason=why.reason,
            customer_id=why.customer_id,
        )
        with self._uow_factory() as uow:
            inbox_id = uow.mail_inbox.add(row)
            if why.reason == MACHINE_NEEDED and why.customer_id is not None and self._machine_needed_reply:
                self._machine_needed_reply(
                    uow, to=row.from_address, customer_id=why.customer_id, parsed=parsed, now=now
                )
            if also is not None:
                also(uow)
            uow.commit()
        message = _("The mail waits in “Unclassified mail” for someone to link it or discard it.")
        return InboundOutcome(InboxState.UNCLASSIFIED.value, "", message, inbox_id, why.reason)

    def _set_aside(
        self,
        raw: bytes,
        sha: str,
        parsed: ParsedMail | None,
        now: datetime,
        source: str,
        reason: str,
        also: Also | None,
    ) -> InboundOutcome:
        """Record the mail as set aside: its raw bytes are kept in the store, its row says why."""
        if parsed is not None:
            row = _new_row(raw, sha, parsed, now, source)
        else:
            row = NewInboxMail(None, sha, len(raw), "", "", "", "", "", "", None, now, source, InboxState.SET_ASIDE)
        row = replace(row, state=InboxState.SET_ASIDE, state_reason=reason, ticket_id=None, outbox_id=None)
        with self._uow_factory() as uow:
            earlier = uow.mail_inbox.by_raw_sha256(sha)
            if earlier is not None:
                if also is not None:
                    also(uow)
                    uow.commit()
                return _duplicate_outcome(earlier)
            if row.message_id and uow.mail_inbox.by_message_id(row.message_id) is not None:
                row = replace(row, message_id=None)  # the same id on other bytes: kept, not merged
            inbox_id = uow.mail_inbox.add(row)
            if also is not None:
                also(uow)
            uow.commit()
        return InboundOutcome(
            InboxState.SET_ASIDE.value,
            "",
            _("The mail could not be handled ({reason}); it was set aside with its original kept.").format(
                reason=reason
            ),
            inbox_id,
            reason,
        )

    def _earlier(self, sha: str, parsed: ParsedMail) -> StoredInboxMail | None:
        try:
            with self._uow_factory() as uow:
                inbox = uow.mail_inbox
                message_id = clean_line(parsed.message_id)
                return inbox.by_raw_sha256(sha) or (inbox.by_message_id(message_id) if message_id else None)
        except UserFacingError:
            return None

    def _duplicate(self, earlier: StoredInboxMail, also: Also | None) -> InboundOutcome:
        if also is not None:
            with self._uow_factory() as uow:
                also(uow)
                uow.commit()
        return _duplicate_outcome(earlier)

    # -- helpers -----------------------------------------------------------------------------------

    def _machine_named(self, uow: UnitOfWork, customer_id: CustomerId, parsed: ParsedMail) -> MachineId | None:
        """R2: the customer's machine the mail names (a label link, "serial: X", or one of the
        customer's serials written as a word), else the customer's only machine."""
        machines = uow.mail_inbox.machines_of(customer_id)
        if not machines:
            return None
        text = f"{parsed.subject}\n{parsed.text}"
        serials = {serial.upper(): machine_id for machine_id, serial in machines}
        for serial in serials_mentioned(text):
            if serial in serials:
                return serials[serial]
        named = [
            (match.start(), machine_id)
            for serial, machine_id in serials.items()
            if (match := re.search(rf"(?<![A-Za-z0-9_-]){re.escape(serial)}(?![A-Za-z0-9_-])", text, re.IGNORECASE))
        ]
        if named:
            return min(named)[1]
        return machines[0][0] if len(machines) == 1 else None

    def _agent_for(self, uow: UnitOfWork, customer_id: CustomerId, previous: UserId | None) -> UserId:
        """R1: one responsible agent for a request nobody took by hand (domain/assignment.py).

        Open tickets are counted only when they decide (the previous agent is gone and the pool
        has more than one person), and only the pool's: on a large desk that count is the costly
        part of a mail that opens a ticket."""
        candidates = [
            Candidate(a.id, Role(a.role), a.city)
            for a in uow.queries.directory.agents()
            if a.role in Role._value2member_map_
        ]
        customer = uow.catalog.get_customer(customer_id)
        city = customer.city if customer else ""
        pool = contenders(candidates, city, previous)
        if len(pool) > 1:
            counts = uow.mail_inbox.open_ticket_counts([c.user_id for c in pool])
            candidates = [replace(c, open_tickets=counts.get(c.user_id, 0)) for c in candidates]
        agent = responsible_for_new_request(candidates, city, previous)
        if agent is None:
            raise _Unclassified(NO_AGENT, customer_id, _("Nobody can be made responsible for a new ticket."))
        return agent

    def _open(
        self,
        uow: UnitOfWork,
        parsed: ParsedMail,
        machine_id: MachineId,
        customer_id: CustomerId,
        agent: UserId,
        sender: str,
        now: datetime,
        actor: Actor = SYSTEM,
    ) -> Opened:
        """A ticket through intake, in this unit of work (its acknowledgement answers the mail); a
        refusal (R2, R3, R5) leaves the mail for a person instead."""
        description = clean_text(f"{parsed.subject}\n\n{parsed.text}").strip()[:MAX_DESCRIPTION_CHARS]
        request = IntakeRequest(
            machine_id,
            description,
            DEFAULT_SEVERITY,
            Channel.EMAIL,
            agent,
            tuple(_accepted_files(parsed)),
            contact_email=sender,
            in_reply_to=clean_line(parsed.message_id),  # as the inbox row keeps it
        )
        if len(description) < MIN_DESCRIPTION_LENGTH:  # R2: "a detailed description"
            message = _(
                "Describe the problem in detail (at least {n} characters): what happened, when, and what the "
                "machine shows."
            ).format(n=MIN_DESCRIPTION_LENGTH)
            raise _Unclassified(DESCRIPTION_NEEDED, customer_id, message)
        try:
            return self._intake.opened_in(uow, request, actor=actor, now=now)
        except UserFacingError as refusal:
            # R3, R5: not entitled (or the channel is not covered). The caller rolls back.
            raise _Unclassified(NOT_ENTITLED, customer_id, refusal.message) from refusal

    def _attach(
        self, uow: UnitOfWork, ticket_id: TicketId, parsed: ParsedMail, now: datetime
    ) -> tuple[list[TicketEvent], tuple[AttachmentId, ...]]:
        """The mail's files on the ticket within intake's limits; refused ones are named, not
        attached. Returns the events and the attachment rows written."""
        events = []
        names = []
        added = []
        for file in _accepted_files(parsed):
            sha = self._attachments.put(file.content)
            attachment = uow.tickets.add_attachment(
                Attachment(ticket_id, sha, file.filename, media_type(file), len(file.content), now)
            )
            if attachment.id is not None:
                added.append(attachment.id)
            names.append(file.filename)
        if names:
            events.append(
                TicketEvent(ticket_id, EventKind.ATTACHMENT, now, None, "\n".join(names), (("count", str(len(names))),))
            )
        refused = _refused_files(parsed)
        if refused:
            events.append(_refused_event(ticket_id, now, refused))
        return events, tuple(added)


# -- pure helpers ----------------------------------------------------------------------------------


def _file(
    uow: UnitOfWork, row: NewInboxMail, filing: _Filing, now: datetime, *, ticket_id: TicketId, customer_id: CustomerId
) -> int:
    """The mail's row on its ticket: written now, or (linked by a person) moved there, version-checked."""
    existing = filing.existing
    if existing is None:
        return uow.mail_inbox.add(replace(row, ticket_id=ticket_id, customer_id=customer_id))
    uow.mail_inbox.set_state(
        existing.id,
        existing.version,
        state=InboxState.TICKET,
        state_reason="linked",
        ticket_id=ticket_id,
        customer_id=customer_id,
        handled_by=filing.actor.user_id,
        handled_at=now,
    )
    return existing.id


def _mail_rules(uow: UnitOfWork) -> tuple[bytes, int]:
    """The key our Message-IDs are signed with (b"" before mail was set up) and R14's reopen window."""
    try:
        secret = bytes.fromhex(uow.mail.signing_secret())
    except ValueError:
        secret = b""
    settings = uow.mail.settings()
    return secret, settings.reopen_window_days if settings is not None else DEFAULT_REOPEN_WINDOW_DAYS


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]


def _new_row(raw: bytes, sha: str, parsed: ParsedMail, now: datetime, source: str) -> NewInboxMail:
    sender = parsed.sender
    return NewInboxMail(
        message_id=clean_line(parsed.message_id) or None,
        raw_sha256=sha,
        raw_size=len(raw),
        from_address=clean_line(sender.address.lower()) if sender else "",
        from_name=clean_line(sender.name) if sender else "",
        to_addresses=clean_line(", ".join(a.address for a in (*parsed.to, *parsed.cc))),
        subject=clean_line(parsed.subject),
        text_body=_clip(clean_text(parsed.text), MAX_STORED_TEXT_CHARS),
        html_body=_clip(clean_text(parsed.html), MAX_STORED_TEXT_CHARS),
        sent_at=parsed.date,
        imported_at=now,
        source=source,
        state=InboxState.TICKET,
    )


def _received_event(
    ticket_id: TicketId,
    now: datetime,
    row: NewInboxMail,
    inbox_id: int,
    extra: tuple[tuple[str, str], ...] = (),
    *,
    files: Sequence[AttachmentId] | None = None,
) -> TicketEvent:
    """The mail on the ticket's timeline; the view shows the mail itself by its "mail_id". A mail
    that came with files (or none) names their attachment rows ("attachment_ids", comma-separated):
    its files are exactly those, however many mails arrived at the same moment."""
    data = (("from", row.from_address), ("mail_id", str(inbox_id)), ("subject", row.subject), *extra)
    if files is not None:
        data = (*data, (ATTACHMENT_IDS, ",".join(str(file) for file in files)))
    return TicketEvent(
        ticket_id, EventKind.EMAIL_RECEIVED, now, None, _clip(row.text_body, MAX_EVENT_TEXT_CHARS), tuple(sorted(data))
    )


def _reply_notice(agent: UserId, ticket_id: TicketId, now: datetime, inbox_id: int, sender: str) -> Notification:
    return Notification(
        agent,
        ticket_id,
        NoticeKind.CUSTOMER_REPLY,
        now,
        (("from", sender), ("mail_id", str(inbox_id))),
        key=f"mail-{inbox_id}",
    )


def _accepted_files(parsed: ParsedMail) -> list[NewAttachment]:
    accepted = []
    for file in parsed.attachments:
        try:
            accepted.append(check_attachment(NewAttachment(file.filename or "adjunto", file.content, file.media_type)))
        except UserFacingError:
            continue
    return accepted


def _refused_files(parsed: ParsedMail) -> list[str]:
    """The files intake's limits keep out (empty, or larger than MAX_ATTACHMENT_BYTES), by message."""
    refused = []
    for file in parsed.attachments:
        try:
            check_attachment(NewAttachment(file.filename or "adjunto", file.content, file.media_type))
        except UserFacingError as exc:
            refused.append(exc.message)
    return refused


def _refused_event(ticket_id: TicketId, now: datetime, refused: Sequence[str]) -> TicketEvent:
    return TicketEvent(
        ticket_id,
        EventKind.COMMENT,
        now,
        None,
        "\n".join(refused),
        (("files_refused", str(len(refused))), ("to_customer", "no")),
    )


def _bounce_reason(parsed: ParsedMail) -> str:
    """The bounce's own words, briefly: its first lines that say something."""
    lines = [line.strip() for line in parsed.text.splitlines() if line.strip()]
    reason = " ".join(lines[:3]) or parsed.subject or "bounce"
    return clean_line(reason)[:500]


def _failure_code(exc: Exception) -> str:
    return f"{FAILED}:{type(exc).__name__}"[:60]


def _duplicate_outcome(earlier: StoredInboxMail | None) -> InboundOutcome:
    if earlier is None:  # a copy of a mail we sent ourselves
        return InboundOutcome(
            DUPLICATE, "", _("This is a copy of a mail the desk sent; nothing to do."), None, DUPLICATE
        )
    message = (
        _("This mail was imported before (ticket {number}); nothing new.").format(number=earlier.ticket_number)
        if earlier.ticket_number
        else _("This mail was imported before; nothing new.")
    )
    return InboundOutcome(DUPLICATE, earlier.ticket_number, message, earlier.id, earlier.state.value)
