"""Mail rules: the ticket tag in subjects, signed Message-IDs, loop guards, and where a received mail goes.

Pure: no clock (``now`` is passed in), no I/O. The services resolve the database facts (which
ticket a signed id names, who the sender is) into ``InboundFacts``; ``route`` decides in the order
that the help desks we studied use (shared/MAIL.md "Order that works"):

1. our own Message-ID seen again → duplicate;
2. a bounce, then any other automatic mail → set aside (attached to its ticket's timeline when known,
   never reopening, resuming or answered);
3. a signed id of ours in In-Reply-To/References → that ticket;
4. any other stored id of ours in References → that ticket;
5. the ticket number in the subject, only from a contact of that ticket's customer (osTicket's guard
   against message injection);
6. a known contact → a new ticket; anyone else → the unclassified list.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from desktop_app.domain.ids import CustomerId, TicketId
from desktop_app.domain.lifecycle import CLOSED_STATUSES
from desktop_app.domain.model import TicketStatus
from desktop_app.domain.qr import LABEL_HOST, LABEL_PATH

# ---------------------------------------------------------------------------------------------
# The ticket number in the subject

# Ticket numbers are "SOP-<year>-<counter, at least 5 digits>" (persistence/repositories/tickets.py).
_NUMBER = r"SOP-\d{4}-\d{5,9}"
_TAGGED = re.compile(rf"\[\s*({_NUMBER})\s*\]", re.IGNORECASE | re.ASCII)
# A number a person typed without the brackets; the boundaries keep "XSOP-2026-001234" out.
_BARE = re.compile(rf"(?<![A-Za-z0-9-])({_NUMBER})(?![0-9])", re.IGNORECASE | re.ASCII)
_NUMBER_ONLY = re.compile(_NUMBER, re.IGNORECASE | re.ASCII)


def _is_ticket_number(text: str) -> bool:
    return _NUMBER_ONLY.fullmatch(text) is not None


def subject_with_tag(number: str, subject: str) -> str:
    """The subject with "[SOP-2026-00123] " in front; never tagged twice (a reply's "Re: [SOP-…] …"
    keeps its single tag). Line breaks are flattened: a subject is one header line."""
    subject = " ".join(subject.split())
    if not number:
        return subject
    for match in _TAGGED.finditer(subject):
        if match.group(1).upper() == number.upper():
            return subject
    return f"[{number}] {subject}".rstrip()


def ticket_number_in_subject(subject: str) -> str | None:
    """The ticket number a subject names (upper-case), the bracketed tag first, else a bare number a
    person typed; None when there is none. Trusting it is route()'s business, not this function's."""
    match = _TAGGED.search(subject) or _BARE.search(subject)
    return match.group(1).upper() if match else None


# ---------------------------------------------------------------------------------------------
# Signed Message-IDs

# 16 hex characters = 64 bits of HMAC-SHA256: forging one means guessing 1 in 1.8e19 per try.
SIGNATURE_HEX = 16
_NO_TICKET_TAG = "sop"  # the local part's first field for mail not about a ticket
_SAFE_FIELD = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)
_SAFE_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", re.ASCII)
_OUR_ID = re.compile(
    rf"(?P<tag>[A-Za-z0-9-]+)\.(?P<token>[A-Za-z0-9_-]{{1,64}})\.(?P<sig>[0-9a-f]{{{SIGNATURE_HEX}}})@(?P<domain>.+)",
    re.ASCII,
)


def _signature(secret: bytes, tag: str, token: str, domain: str) -> str:
    # The whole id except the signature is signed, so a changed character anywhere fails.
    payload = f"{tag}.{token}@{domain}".encode("ascii")
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()[:SIGNATURE_HEX]


def new_message_id(secret: bytes, ticket_number: str, token: str, domain: str) -> str:
    """Our Message-ID, without brackets: "sop-2026-00123.<token>.<signature>@<domain>".

    Args:
        secret: the HMAC key (mail_settings.signing_secret); never empty.
        ticket_number: "SOP-2026-00123", or "" for mail not about a ticket.
        token: unique per mail, from the caller (e.g. secrets.token_hex(8)); letters, digits, "-", "_".
        domain: the right-hand side (mail_settings.message_id_domain).

    Raises:
        ValueError: an empty secret, or a number, token or domain that cannot go into an id (a
            programming or settings error, never the customer's input).
    """
    if not secret:
        raise ValueError("the Message-ID signing secret is empty")
    if ticket_number and not _is_ticket_number(ticket_number):
        raise ValueError(f"not a ticket number: {ticket_number!r}")
    if not _SAFE_FIELD.fullmatch(token):
        raise ValueError(f"a Message-ID token must be 1-64 letters, digits, '-' or '_': {token!r}")
    if not _SAFE_DOMAIN.fullmatch(domain):
        raise ValueError(f"not a domain for a Message-ID: {domain!r}")
    tag = ticket_number.lower() if ticket_number else _NO_TICKET_TAG
    return f"{tag}.{token}.{_signature(secret, tag, token, domain)}@{domain}"


def verified_ticket_number(secret: bytes, message_id: str) -> str | None:
    """The ticket number carried by one of our signed Message-IDs ("" for ours not about a ticket);
    None when the id is not ours or its signature does not check (a forged or altered id).

    Surrounding blanks and one pair of angle brackets are tolerated; nothing else is.
    """
    if not secret:
        return None
    text = message_id.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if not text.isascii() or len(text) > 998:
        return None
    match = _OUR_ID.fullmatch(text)
    if match is None:
        return None
    tag, token, signature, domain = match.group("tag", "token", "sig", "domain")
    if tag != _NO_TICKET_TAG and not (tag == tag.lower() and _is_ticket_number(tag)):
        return None
    if not hmac.compare_digest(signature.encode("ascii"), _signature(secret, tag, token, domain).encode("ascii")):
        return None
    return "" if tag == _NO_TICKET_TAG else tag.upper()


# ---------------------------------------------------------------------------------------------
# Loop guards

# Zammad's default "never auto-answer" pattern, plus the other robot and list addresses that
# answer automatically (an auto-reply to them starts a mail loop or reaches nobody).
_NEVER_ANSWER = re.compile(
    r"(mailer-daemon|postmaster|abuse|root|no-?reply|no_reply|do-?not-?reply|do_not_reply|bounces?|"
    r"listserv|majordomo)$|^owner-|-request$|-bounces?$",
    re.IGNORECASE,
)


def may_auto_answer(address: str) -> bool:
    """Whether automatic mail (acknowledgement, machine_needed) may go to this address: never to an
    address that is not one, nor to mailer-daemon, postmaster, abuse, root, no-reply and the like."""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in address):
        return False
    # A plus-tag ("noreply+abc@") does not change who the mailbox is.
    local = local.split("+", 1)[0]
    return _NEVER_ANSWER.search(local) is None


# Zammad's windows: at most N automatic mails to one recipient about one ticket within each window.
RATE_LIMITS: tuple[tuple[timedelta, int], ...] = (
    (timedelta(minutes=10), 10),
    (timedelta(minutes=30), 15),
    (timedelta(minutes=60), 25),
    (timedelta(minutes=180), 50),
)


def within_rate_limit(sent_at: Sequence[datetime], now: datetime) -> bool:
    """Whether one more automatic mail may go to a recipient, given when the previous automatic mails
    to that recipient about the same ticket were sent (tz-aware).

    A window covers (now - length, now]: a mail sent exactly `length` ago has left it. A time after
    `now` (another computer's clock ahead) counts in every window: the guard errs on sending less.
    """
    for length, limit in RATE_LIMITS:
        start = now - length
        if sum(1 for moment in sent_at if moment > start) >= limit:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# What a customer's reply does to its ticket (R9, R14)


class ReplyAction(StrEnum):
    ADD = "add"  # open: the mail joins the timeline
    RESUME = "resume"  # waiting on the customer: the answer resumes the clock (R9)
    REOPEN = "reopen"  # closed within the window: reopened with a new clock (R14)
    NEW_LINKED = "new_linked"  # closed longer ago: a new ticket linked to the old one


def reply_action(status: TicketStatus, closed_at: datetime | None, now: datetime, window_days: int) -> ReplyAction:
    """What a customer's reply does to the ticket it answers.

    Closed, closed for no response and out of scope (R4, "reopenable") all count as closed. A reply
    at most `window_days` days after the closing reopens (the boundary included); a window of 0
    means always a new ticket. A closed ticket without a known closing time is older than any
    window we can check: a new linked ticket (the old one keeps its history untouched).

    Raises:
        ValueError: a negative window.
    """
    if window_days < 0:
        raise ValueError(f"the reopen window cannot be negative: {window_days}")
    if status is TicketStatus.WAITING_CUSTOMER:
        return ReplyAction.RESUME
    if status not in CLOSED_STATUSES:
        return ReplyAction.ADD
    if closed_at is None or window_days == 0:
        return ReplyAction.NEW_LINKED
    return ReplyAction.REOPEN if now - closed_at <= timedelta(days=window_days) else ReplyAction.NEW_LINKED


# ---------------------------------------------------------------------------------------------
# Where a received mail goes


class Route(StrEnum):
    DUPLICATE = "duplicate"  # imported before: not again
    TICKET = "ticket"  # belongs to an existing ticket (then reply_action says what it does)
    NEW_TICKET = "new_ticket"  # a known contact's new request: intake
    UNCLASSIFIED = "unclassified"  # staff link it to a customer or discard it
    AUTOMATIC = "automatic"  # an auto-reply: kept, shown, never acted on
    BOUNCE = "bounce"  # a delivery failure: marks our outbound mail bounced


class RouteReason(StrEnum):
    DUPLICATE = "duplicate"
    BOUNCE = "bounce"
    AUTOMATIC = "automatic"
    SIGNED_REFERENCE = "signed_reference"  # In-Reply-To/References names a signed id of ours
    STORED_REFERENCE = "stored_reference"  # References names an id stored with a ticket
    SUBJECT_NUMBER = "subject_number"  # the subject's number, from a contact of that customer
    KNOWN_CONTACT = "known_contact"
    UNTRUSTED_SUBJECT_NUMBER = "untrusted_subject_number"  # a number from someone not of that customer
    AMBIGUOUS_SENDER = "ambiguous_sender"  # the address is a contact of several customers
    NO_SENDER = "no_sender"
    UNKNOWN_SENDER = "unknown_sender"


@dataclass(frozen=True)
class InboundFacts:
    """What the inbound service found out about one received mail, before deciding.

    Attributes:
        already_imported: its Message-ID (or raw bytes) is already in the inbox or outbox.
        bounce: a delivery-status report (ParsedMail.bounce).
        automatic: the header that marks it automatic, "" when a person wrote it (ParsedMail.automatic).
        sender: the From address ("" when missing or unreadable).
        sender_customer_ids: the customers the sender is a contact of (0, 1 or several).
        signed_ticket_id: the ticket of a signed id of ours in In-Reply-To/References (verified with
            verified_ticket_number and found in the database); None otherwise.
        referenced_ticket_id: the ticket of any other stored id (outbox or inbox) in References.
        subject_ticket_id / subject_ticket_customer_id: the ticket the subject's number names, and its
            customer, when that ticket exists.
        bounced_ticket_id: for a bounce, the ticket of the outbound mail that did not arrive.
    """

    already_imported: bool = False
    bounce: bool = False
    automatic: str = ""
    sender: str = ""
    sender_customer_ids: tuple[CustomerId, ...] = ()
    signed_ticket_id: TicketId | None = None
    referenced_ticket_id: TicketId | None = None
    subject_ticket_id: TicketId | None = None
    subject_ticket_customer_id: CustomerId | None = None
    bounced_ticket_id: TicketId | None = None

    @property
    def sender_is_contact_of_subject_ticket(self) -> bool:
        return self.subject_ticket_customer_id is not None and self.subject_ticket_customer_id in (
            self.sender_customer_ids
        )


@dataclass(frozen=True)
class RouteDecision:
    """Where a mail goes. `ticket_id`: the ticket for TICKET; for AUTOMATIC and BOUNCE the ticket
    whose timeline shows it, when known (None otherwise); `customer_id`: for NEW_TICKET."""

    route: Route
    ticket_id: TicketId | None
    reason: RouteReason
    customer_id: CustomerId | None = None


def _threaded_ticket(facts: InboundFacts) -> tuple[TicketId, RouteReason] | None:
    """The ticket a mail's own headers place it in, trusted steps only (3 to 5 of the order)."""
    if facts.signed_ticket_id is not None:
        return facts.signed_ticket_id, RouteReason.SIGNED_REFERENCE
    if facts.referenced_ticket_id is not None:
        return facts.referenced_ticket_id, RouteReason.STORED_REFERENCE
    if facts.subject_ticket_id is not None and facts.sender_is_contact_of_subject_ticket:
        return facts.subject_ticket_id, RouteReason.SUBJECT_NUMBER
    return None


def route(facts: InboundFacts) -> RouteDecision:
    """Decide where a received mail goes (the order in this module's docstring)."""
    if facts.already_imported:
        return RouteDecision(Route.DUPLICATE, None, RouteReason.DUPLICATE)
    threaded = _threaded_ticket(facts)
    if facts.bounce:
        ticket = facts.bounced_ticket_id
        if ticket is None and threaded is not None:
            ticket = threaded[0]
        return RouteDecision(Route.BOUNCE, ticket, RouteReason.BOUNCE)
    if facts.automatic:
        return RouteDecision(Route.AUTOMATIC, threaded[0] if threaded else None, RouteReason.AUTOMATIC)
    if threaded is not None:
        return RouteDecision(Route.TICKET, threaded[0], threaded[1])
    if facts.subject_ticket_id is not None:
        # A real ticket's number from someone who is not its customer's contact: a forged reply or a
        # colleague not yet on file; staff decide, it never joins the ticket by itself.
        return RouteDecision(Route.UNCLASSIFIED, None, RouteReason.UNTRUSTED_SUBJECT_NUMBER)
    if not facts.sender:
        return RouteDecision(Route.UNCLASSIFIED, None, RouteReason.NO_SENDER)
    customers = tuple(dict.fromkeys(facts.sender_customer_ids))
    if len(customers) == 1:
        return RouteDecision(Route.NEW_TICKET, None, RouteReason.KNOWN_CONTACT, customers[0])
    if customers:
        return RouteDecision(Route.UNCLASSIFIED, None, RouteReason.AMBIGUOUS_SENDER)
    return RouteDecision(Route.UNCLASSIFIED, None, RouteReason.UNKNOWN_SENDER)


# ---------------------------------------------------------------------------------------------
# Machines named in a mail (R2)

_SERIAL = r"[A-Z0-9][A-Z0-9_-]{2,39}"
_END = r"(?![A-Z0-9_-])"
# The machine label's URL (domain/qr.py), with or without the scheme, as mail clients show it.
_LABEL_URL = re.compile(
    rf"(?:https?://)?(?:www\.)?{re.escape(LABEL_HOST)}{re.escape(LABEL_PATH)}({_SERIAL}){_END}",
    re.IGNORECASE | re.ASCII,
)
# "serial: X", "Serial No. X", "número de serie: X", "S/N X", "SN: X", "N/S: X".
_LABELLED = re.compile(
    r"(?:\bn[uú]mero\s+de\s+serie|\bno\.?\s+de\s+serie|\bserial(?:\s+(?:no\.?|number|n[uú]mero))?|\bserie"
    r"|\bs\s*/\s*n|\bn\s*/\s*s|\bsn)"
    rf"\s*(?:es|is|:|#|=|-|\.)?\s*(?:es\s+|:\s*)?({_SERIAL}){_END}",
    re.IGNORECASE,
)


def serials_mentioned(text: str) -> tuple[str, ...]:
    """The machine serials a mail names (upper-case, first mention first, no repeats): a machine
    label's URL (…/soporte/m/<SERIAL>), or a serial after a label such as "serial:", "número de
    serie", "S/N". A labelled word without a digit ("serial: desconocido") is not taken for a serial."""
    found: list[tuple[int, str]] = []
    for match in _LABEL_URL.finditer(text):
        found.append((match.start(), match.group(1).upper()))
    for match in _LABELLED.finditer(text):
        candidate = match.group(1)
        if candidate.isascii() and any(c.isdigit() for c in candidate):
            found.append((match.start(), candidate.upper()))
    found.sort(key=lambda item: item[0])
    return tuple(dict.fromkeys(serial for _, serial in found))
