"""domain/mail.py: subject tags, signed Message-IDs, loop guards, replies to tickets (R9, R14), routing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.ids import CustomerId, TicketId
from desktop_app.domain.mail import (
    SIGNATURE_HEX,
    InboundFacts,
    ReplyAction,
    Route,
    RouteReason,
    may_auto_answer,
    new_message_id,
    reply_action,
    route,
    serials_mentioned,
    subject_with_tag,
    ticket_number_in_subject,
    verified_ticket_number,
    within_rate_limit,
)
from desktop_app.domain.model import TicketStatus

SECRET = bytes.fromhex("5a" * 32)
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
NUMBER = "SOP-2026-00123"


# --- subject tag -----------------------------------------------------------------------------


def test_subject_gets_the_ticket_tag_in_front() -> None:
    assert subject_with_tag(NUMBER, "La impresora no calienta") == "[SOP-2026-00123] La impresora no calienta"


@pytest.mark.parametrize(
    "subject",
    ["[SOP-2026-00123] La impresora", "Re: [SOP-2026-00123] La impresora", "RE: [ sop-2026-00123 ] La impresora"],
)
def test_subject_is_never_tagged_twice(subject: str) -> None:
    assert subject_with_tag(NUMBER, subject) == " ".join(subject.split())


def test_subject_with_another_tickets_tag_gets_ours_too() -> None:
    assert subject_with_tag(NUMBER, "Re: [SOP-2026-00999] x") == "[SOP-2026-00123] Re: [SOP-2026-00999] x"


def test_subject_tag_flattens_line_breaks_so_no_header_can_be_injected() -> None:
    assert subject_with_tag(NUMBER, "hola\r\nBcc: x@y.co") == "[SOP-2026-00123] hola Bcc: x@y.co"


def test_empty_subject_is_just_the_tag() -> None:
    assert subject_with_tag(NUMBER, "  ") == "[SOP-2026-00123]"


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [SOP-2026-00123] La impresora", "SOP-2026-00123"),
        ("RV: sop-2026-00123 sigue fallando", "SOP-2026-00123"),
        ("[SOP-2027-123456] x", "SOP-2027-123456"),
        ("Re: consulta SOP-2026-00999 y [SOP-2026-00123]", "SOP-2026-00123"),  # the tag wins
        ("La impresora no calienta", None),
        ("XSOP-2026-00123", None),
        ("SOP-2026-0012", None),  # too few digits
        ("", None),
    ],
)
def test_ticket_number_in_subject(subject: str, number: str | None) -> None:
    assert ticket_number_in_subject(subject) == number


# --- signed Message-IDs ----------------------------------------------------------------------


def test_message_id_carries_the_ticket_and_verifies() -> None:
    message_id = new_message_id(SECRET, NUMBER, "a1b2c3d4e5f60718", "somosmaker.com")
    assert message_id.startswith("sop-2026-00123.a1b2c3d4e5f60718.")
    assert message_id.endswith("@somosmaker.com")
    assert "<" not in message_id and ">" not in message_id
    assert verified_ticket_number(SECRET, message_id) == NUMBER
    assert verified_ticket_number(SECRET, f" <{message_id}> ") == NUMBER


def test_message_id_without_ticket_verifies_as_ours_without_a_number() -> None:
    message_id = new_message_id(SECRET, "", "tok", "somosmaker.com")
    assert verified_ticket_number(SECRET, message_id) == ""


def test_message_ids_differ_by_token() -> None:
    assert new_message_id(SECRET, NUMBER, "a", "d.co") != new_message_id(SECRET, NUMBER, "b", "d.co")


def test_forged_id_with_a_guessed_signature_is_not_verified() -> None:
    forged = f"sop-2026-00123.deadbeef.{'0' * SIGNATURE_HEX}@somosmaker.com"
    assert verified_ticket_number(SECRET, forged) is None


def test_id_signed_with_another_secret_is_not_verified() -> None:
    other = new_message_id(b"another desk", NUMBER, "tok", "somosmaker.com")
    assert verified_ticket_number(SECRET, other) is None


def test_an_id_moved_to_another_ticket_is_not_verified() -> None:
    genuine = new_message_id(SECRET, NUMBER, "tok", "somosmaker.com")
    moved = genuine.replace("sop-2026-00123", "sop-2026-00124")
    assert verified_ticket_number(SECRET, moved) is None


def test_changing_any_single_character_makes_the_id_unverified() -> None:
    genuine = new_message_id(SECRET, NUMBER, "a1b2c3", "somosmaker.com")
    for index, char in enumerate(genuine):
        for replacement in {"0", "a", "Z", ".", "-"} - {char}:
            altered = genuine[:index] + replacement + genuine[index + 1 :]
            assert verified_ticket_number(SECRET, altered) is None, altered
    # Upper-casing the ticket part is a changed character too.
    assert verified_ticket_number(SECRET, genuine.replace("sop-", "SOP-", 1)) is None


@pytest.mark.parametrize(
    "text",
    ["", "<>", "CAFx=1@mail.gmail.com", "[b378dfc5@microsoft.com]", "a.b.c@d", "sop-2026-00123.t.ü@x", "x" * 5000],
)
def test_foreign_or_garbage_ids_are_not_ours(text: str) -> None:
    assert verified_ticket_number(SECRET, text) is None


def test_empty_secret_never_signs_nor_verifies() -> None:
    with pytest.raises(ValueError):
        new_message_id(b"", NUMBER, "tok", "d.co")
    assert verified_ticket_number(b"", "sop.tok.0000000000000000@d.co") is None


@pytest.mark.parametrize(
    ("number", "token", "domain"),
    [
        ("SOP-26-1", "tok", "d.co"),
        (NUMBER, "to.k", "d.co"),
        (NUMBER, "", "d.co"),
        (NUMBER, "tok", "a@b"),
        (NUMBER, "tok", ""),
    ],
)
def test_bad_parts_of_an_id_are_refused(number: str, token: str, domain: str) -> None:
    with pytest.raises(ValueError):
        new_message_id(SECRET, number, token, domain)


@given(
    number=st.one_of(st.just(""), st.from_regex(r"SOP-20[0-9]{2}-[0-9]{5,7}", fullmatch=True)),
    token=st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
)
def test_every_signed_id_verifies_back_to_its_number(number: str, token: str) -> None:
    assert verified_ticket_number(SECRET, new_message_id(SECRET, number, token, "mail.somosmaker.com")) == number


# --- loop guards -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "MAILER-DAEMON@mx.google.com",
        "postmaster@empresa.co",
        "abuse@empresa.co",
        "root@server.local",
        "noreply@banco.co",
        "no-reply@notificaciones.co",
        "no_reply@x.co",
        "donotreply@x.co",
        "do-not-reply@x.co",
        "info-noreply@x.co",
        "noreply+tag@x.co",
        "owner-lista@x.co",
        "lista-request@x.co",
        "bounces@x.co",
        "",
        "sin-arroba",
        "@x.co",
        "ana @x.co",
    ],
)
def test_never_auto_answer_robots_or_non_addresses(address: str) -> None:
    assert may_auto_answer(address) is False


@pytest.mark.parametrize("address", ["ana.gomez@uninorte.edu.co", "rootbeer@x.co", "replyto@x.co", "soporte@taller.co"])
def test_people_may_be_auto_answered(address: str) -> None:
    assert may_auto_answer(address) is True


def _ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_rate_limit_allows_the_first_mails() -> None:
    assert within_rate_limit([], NOW)
    assert within_rate_limit(_ago(*range(9)), NOW)  # 9 in 10 minutes: a 10th may go


def test_rate_limit_ten_in_ten_minutes() -> None:
    assert not within_rate_limit(_ago(*[0.5 * i for i in range(10)]), NOW)


def test_rate_limit_window_edge_a_mail_exactly_ten_minutes_ago_has_left_the_window() -> None:
    nine_recent = [0.5 * i for i in range(9)]
    assert within_rate_limit(_ago(*nine_recent, 10), NOW)
    assert not within_rate_limit(_ago(*nine_recent, 9.99), NOW)


def test_rate_limit_fifteen_in_thirty_minutes() -> None:
    spread = [11 + i for i in range(15)]  # none within the last 10 minutes
    assert not within_rate_limit(_ago(*spread), NOW)
    assert within_rate_limit(_ago(*spread[:14]), NOW)


def test_rate_limit_twentyfive_in_an_hour_and_fifty_in_three_hours() -> None:
    hour = [31 + i for i in range(25)]  # 31..55 minutes ago: under 15 per 30 min
    assert not within_rate_limit(_ago(*hour), NOW)
    assert within_rate_limit(_ago(*hour[:24]), NOW)
    three_hours = [61 + 2.3 * i for i in range(50)]  # 61..174 minutes ago
    assert not within_rate_limit(_ago(*three_hours), NOW)
    assert within_rate_limit(_ago(*three_hours[:49]), NOW)
    assert within_rate_limit(_ago(*[181 + i for i in range(500)]), NOW)  # older mail does not count


def test_rate_limit_counts_mail_stamped_in_the_future() -> None:
    assert not within_rate_limit([NOW + timedelta(minutes=m) for m in range(10)], NOW)


def test_an_auto_reply_storm_gets_at_most_the_limit_answered() -> None:
    sent: list[datetime] = []
    for second in range(0, 3 * 3600, 5):  # an out-of-office answering every 5 seconds for 3 hours
        moment = NOW + timedelta(seconds=second)
        if within_rate_limit(sent, moment):
            sent.append(moment)
    assert len(sent) == 50


# --- replies: R9, R14 --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [TicketStatus.NEW, TicketStatus.IN_PROGRESS])
def test_reply_to_an_open_ticket_is_added(status: TicketStatus) -> None:
    assert reply_action(status, None, NOW, 30) is ReplyAction.ADD


def test_R9_reply_while_waiting_resumes() -> None:
    assert reply_action(TicketStatus.WAITING_CUSTOMER, None, NOW, 30) is ReplyAction.RESUME


@pytest.mark.parametrize("status", [TicketStatus.CLOSED, TicketStatus.CLOSED_NO_RESPONSE, TicketStatus.OUT_OF_SCOPE])
def test_R14_reply_within_window_reopens(status: TicketStatus) -> None:
    assert reply_action(status, NOW - timedelta(days=3), NOW, 30) is ReplyAction.REOPEN


def test_R14_reply_within_window_reopens_on_the_last_moment_of_the_window() -> None:
    assert reply_action(TicketStatus.CLOSED, NOW - timedelta(days=30), NOW, 30) is ReplyAction.REOPEN


def test_R14_reply_after_the_window_opens_a_new_linked_ticket() -> None:
    closed_at = NOW - timedelta(days=30, seconds=1)
    assert reply_action(TicketStatus.CLOSED, closed_at, NOW, 30) is ReplyAction.NEW_LINKED
    assert reply_action(TicketStatus.OUT_OF_SCOPE, closed_at, NOW, 30) is ReplyAction.NEW_LINKED


def test_R14_window_of_zero_always_opens_a_new_linked_ticket() -> None:
    assert reply_action(TicketStatus.CLOSED, NOW, NOW, 0) is ReplyAction.NEW_LINKED


def test_R14_closed_without_a_known_closing_time_opens_a_new_linked_ticket() -> None:
    assert reply_action(TicketStatus.CLOSED, None, NOW, 30) is ReplyAction.NEW_LINKED


def test_negative_reopen_window_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        reply_action(TicketStatus.CLOSED, NOW, NOW, -1)


# --- routing -----------------------------------------------------------------------------------

T1, T2 = TicketId(1), TicketId(2)
C1, C2 = CustomerId(10), CustomerId(20)


def test_route_duplicate_comes_first() -> None:
    decision = route(InboundFacts(already_imported=True, bounce=True, signed_ticket_id=T1, sender="a@b.co"))
    assert (decision.route, decision.ticket_id, decision.reason) == (Route.DUPLICATE, None, RouteReason.DUPLICATE)


def test_route_bounce_names_the_ticket_of_the_mail_that_bounced() -> None:
    decision = route(InboundFacts(bounce=True, automatic="Auto-Submitted: auto-replied", bounced_ticket_id=T2))
    assert (decision.route, decision.ticket_id) == (Route.BOUNCE, T2)
    assert route(InboundFacts(bounce=True, signed_ticket_id=T1)).ticket_id == T1
    assert route(InboundFacts(bounce=True, sender="mailer-daemon@x.co")).ticket_id is None


def test_route_automatic_mail_is_attached_to_its_ticket_without_acting() -> None:
    decision = route(InboundFacts(automatic="Auto-Submitted: auto-replied", signed_ticket_id=T1, sender="a@b.co"))
    assert (decision.route, decision.ticket_id, decision.reason) == (Route.AUTOMATIC, T1, RouteReason.AUTOMATIC)
    unknown = route(InboundFacts(automatic="Precedence: bulk", sender="news@x.co"))
    assert (unknown.route, unknown.ticket_id) == (Route.AUTOMATIC, None)


def test_route_signed_reference_wins_over_stored_reference_and_subject() -> None:
    facts = InboundFacts(
        sender="ana@cliente.co",
        sender_customer_ids=(C1,),
        signed_ticket_id=T1,
        referenced_ticket_id=T2,
        subject_ticket_id=T2,
        subject_ticket_customer_id=C1,
    )
    decision = route(facts)
    assert (decision.route, decision.ticket_id, decision.reason) == (Route.TICKET, T1, RouteReason.SIGNED_REFERENCE)


def test_route_signed_reference_holds_even_from_an_unknown_sender() -> None:
    # A colleague the desk has never seen answers our signed mail: the signature is the proof.
    decision = route(InboundFacts(sender="otro@cliente.co", signed_ticket_id=T1))
    assert (decision.route, decision.ticket_id) == (Route.TICKET, T1)


def test_route_stored_reference() -> None:
    decision = route(InboundFacts(sender="x@y.co", referenced_ticket_id=T2))
    assert (decision.route, decision.ticket_id, decision.reason) == (Route.TICKET, T2, RouteReason.STORED_REFERENCE)


def test_route_subject_number_from_a_contact_of_that_customer() -> None:
    facts = InboundFacts(
        sender="ana@cliente.co", sender_customer_ids=(C1,), subject_ticket_id=T1, subject_ticket_customer_id=C1
    )
    decision = route(facts)
    assert (decision.route, decision.ticket_id, decision.reason) == (Route.TICKET, T1, RouteReason.SUBJECT_NUMBER)


def test_forged_reply_right_subject_strangers_address_does_not_attach() -> None:
    stranger = InboundFacts(sender="mallory@evil.co", subject_ticket_id=T1, subject_ticket_customer_id=C1)
    decision = route(stranger)
    assert (decision.route, decision.ticket_id) == (Route.UNCLASSIFIED, None)
    assert decision.reason is RouteReason.UNTRUSTED_SUBJECT_NUMBER
    other_customer = InboundFacts(
        sender="luis@otro.co", sender_customer_ids=(C2,), subject_ticket_id=T1, subject_ticket_customer_id=C1
    )
    assert route(other_customer).route is Route.UNCLASSIFIED


def test_route_known_contact_opens_a_new_ticket_for_their_customer() -> None:
    decision = route(InboundFacts(sender="ana@cliente.co", sender_customer_ids=(C1, C1)))
    assert (decision.route, decision.customer_id, decision.reason) == (Route.NEW_TICKET, C1, RouteReason.KNOWN_CONTACT)


def test_route_contact_of_two_customers_is_left_to_staff() -> None:
    decision = route(InboundFacts(sender="ana@cliente.co", sender_customer_ids=(C1, C2)))
    assert (decision.route, decision.reason) == (Route.UNCLASSIFIED, RouteReason.AMBIGUOUS_SENDER)


def test_route_unknown_sender_and_no_sender_are_unclassified() -> None:
    assert route(InboundFacts(sender="nadie@x.co")).reason is RouteReason.UNKNOWN_SENDER
    assert route(InboundFacts()).reason is RouteReason.NO_SENDER
    assert route(InboundFacts()).route is Route.UNCLASSIFIED


# --- serials -----------------------------------------------------------------------------------


def test_serials_from_a_label_url_and_labelled_text_in_order() -> None:
    text = (
        "Buenas, la impresora https://somosmaker.com/soporte/m/mk3-00412 no calienta. "
        "La otra tiene S/N: R2041-B y el número de serie XK-77 (repetido: serial MK3-00412)."
    )
    assert serials_mentioned(text) == ("MK3-00412", "R2041-B", "XK-77")


@pytest.mark.parametrize(
    ("text", "serials"),
    [
        ("Serial: MK3-00412", ("MK3-00412",)),
        ("serial MK3-00412", ("MK3-00412",)),
        ("SN: 123ABC", ("123ABC",)),
        ("N/S 9988-X", ("9988-X",)),
        ("No. de serie: A1B2C3", ("A1B2C3",)),
        ("somosmaker.com/soporte/m/ABC", ("ABC",)),
        ("serial: desconocido", ()),  # no digit: a word, not a serial
        ("https://otro.com/soporte/m/MK3-00412", ()),
        ("la serie de fotos adjunta", ()),
        ("", ()),
    ],
)
def test_serials_mentioned(text: str, serials: tuple[str, ...]) -> None:
    assert serials_mentioned(text) == serials


@given(st.text(max_size=300))
def test_serials_mentioned_never_raises_and_gives_valid_serials(text: str) -> None:
    for serial in serials_mentioned(text):
        assert serial == serial.upper() and serial.isascii() and 3 <= len(serial) <= 40
