"""Text the ticket services store is cleaned at the boundary (services/text_input.py): a lone surrogate
becomes U+FFFD and NUL and other control characters (but tab and line breaks) go, instead of a
UnicodeEncodeError deep in the database layer; attachment file names are cleaned and limited. The
property: any text is either refused with a UserFacingError or stored and read back identical after
that documented cleaning."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Severity
from desktop_app.errors import UserFacingError
from desktop_app.services.text_input import MAX_FILE_NAME_LENGTH, clean_file_name, clean_text
from desktop_app.services.tickets import IntakeRequest, NewAttachment
from tests.integration.test_r2_r9_examples import DESCRIPTION, _take
from tests.integration.world import PHOTO, World

pytestmark = pytest.mark.usefixtures("english_ui")

# Any code point; lone surrogates and control characters on purpose (st.characters leaves surrogates out).
ANY_CHAR = st.one_of(
    st.characters(),
    st.integers(0xD800, 0xDFFF).map(chr),
    st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\x85", "\n", "\r", "\t", "\u2028", "\ufeff"]),
)
ANY_TEXT = st.one_of(
    st.lists(ANY_CHAR, max_size=300).map("".join),
    # now and then a very long text
    st.builds(lambda s, n: s * n, st.lists(ANY_CHAR, min_size=1, max_size=8).map("".join), st.integers(1, 20_000)),
)


def _request(w: World, description: str, *attachments: NewAttachment) -> IntakeRequest:
    return IntakeRequest(
        MachineId(w.ids["eafit_r1"]), description, Severity.MEDIUM, Channel.PHONE, UserId(w.ids["laura"]), attachments
    )


def _comments(w: World, ticket_id: TicketId) -> list[str]:
    return [e.body for e in w.services.tickets.get_ticket(ticket_id).timeline if e.kind is EventKind.COMMENT]


def test_a_description_with_a_lone_surrogate_and_a_nul_is_stored_cleaned(world: World) -> None:
    detail = world.services.tickets.create_ticket(
        _request(world, DESCRIPTION + " \ud800 fin\x00al"), actor=world.actor("laura")
    )
    stored = world.services.tickets.get_ticket(detail.id).description
    assert stored == DESCRIPTION + " \ufffd final"


def test_a_comment_with_a_lone_surrogate_and_a_nul_is_stored_cleaned(world: World) -> None:
    ticket_id = _take(world, PHOTO)
    world.services.tickets.add_comment(ticket_id, "Revisé\x00 el \udfffLCD\n\tlínea 2", actor=world.actor("laura"))
    assert _comments(world, ticket_id)[0] == "Revisé el \ufffdLCD\n\tlínea 2"


def test_a_comment_of_only_nul_characters_is_refused_as_empty(world: World) -> None:
    ticket_id = _take(world, PHOTO)
    with pytest.raises(UserFacingError):
        world.services.tickets.add_comment(ticket_id, "\x00\x00", actor=world.actor("laura"))


def test_attachment_names_with_nul_or_300_characters_are_cleaned_and_limited(world: World) -> None:
    ticket_id = _take(world, PHOTO)
    long_name = "f" * 296 + ".jpg"
    detail = world.services.tickets.add_attachments(
        ticket_id,
        [NewAttachment("fal\x00la\ud800.jpg", PHOTO.content, "image/jpeg"), NewAttachment(long_name, PHOTO.content)],
        actor=world.actor("laura"),
    )
    names = {a.filename for a in world.services.tickets.get_ticket(detail.id).attachments}
    assert "fal" + "la\ufffd.jpg" in names
    shortened = [name for name in names if name.startswith("fff")]
    assert len(shortened) == 1 and len(shortened[0]) <= MAX_FILE_NAME_LENGTH and shortened[0].endswith(".jpg")
    assert clean_file_name("\x00\x01") == "_"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT)
def test_any_comment_is_refused_or_read_back_identical_after_cleaning(world: World, text: str) -> None:
    tickets = world.services.tickets
    ticket_id = _take(world, PHOTO)
    try:
        tickets.add_comment(ticket_id, text, actor=world.actor("laura"))
    except UserFacingError:
        return
    assert _comments(world, ticket_id)[0] == clean_text(text).strip()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT, name=ANY_TEXT)
def test_any_description_and_file_name_is_refused_or_read_back_identical_after_cleaning(
    world: World, text: str, name: str
) -> None:
    tickets = world.services.tickets
    try:
        detail = tickets.create_ticket(
            _request(world, text, NewAttachment(name, PHOTO.content, "image/jpeg")), actor=world.actor("laura")
        )
    except UserFacingError:
        return
    stored = tickets.get_ticket(detail.id)
    assert stored.description == clean_text(text).strip()
    assert [a.filename for a in stored.attachments] == [clean_file_name(name)]
