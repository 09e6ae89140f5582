"""Search text from a person is cleaned at the service boundary (services/text_input.py): a NUL finds
nothing special (SQLite used to end the LIKE pattern there, so it matched every record) and a pasted
100,000-character text is cut to a sane length instead of making the database give up."""

from __future__ import annotations

import pytest

from desktop_app.services.dto import QueueFilter
from desktop_app.services.text_input import MAX_SEARCH_LENGTH, clean_search
from tests.integration.test_r2_r9_examples import _take
from tests.integration.world import PHOTO, World

pytestmark = pytest.mark.usefixtures("english_ui")
HUGE = "impresora " * 10_000  # 100,000 characters


def _queue(w: World, text: str) -> list[int]:
    return [row.entry.id for row in w.services.tickets.list_queue(QueueFilter(text=text, open_only=False)).rows]


def test_a_nul_in_the_queue_search_matches_what_the_empty_search_does_and_nothing_more(world: World) -> None:
    _take(world, PHOTO)
    assert _queue(world, "zzz-no-such-ticket") == []
    # SQLite ended the pattern at the NUL: "%" then matched every ticket.
    assert _queue(world, "\x00zzz-no-such-ticket") == []
    assert _queue(world, "\x00") == _queue(world, "")
    assert _queue(world, "\x00\x01\x1f") == _queue(world, "")


def test_a_nul_in_the_machine_contract_and_audit_searches_finds_no_more_than_a_search_for_nothing(
    world: World,
) -> None:
    services = world.services
    admin = world.actor("admin")
    assert services.machines.search("\x00zzz") == []
    assert services.machines.search("\x00") == services.machines.search("")
    assert services.contracts.list_contracts("\x00zzz") == []
    assert services.contracts.list_contracts("\x00") == services.contracts.list_contracts("")
    assert services.audit.search(admin, text="\x00zzz") == []


def test_a_100000_character_search_is_cut_not_a_database_error(world: World) -> None:
    _take(world, PHOTO)
    services = world.services
    # Cut to the first MAX_SEARCH_LENGTH characters: every word there is "impresora", which the
    # ticket's description contains, so the cut search still finds it.
    assert len(_queue(world, HUGE)) == 1
    assert services.machines.search(HUGE) == []
    assert services.contracts.list_contracts(HUGE) == []
    admin = world.actor("admin")
    assert services.audit.search(admin, text=HUGE) == services.audit.search(admin, text="impresora") != []


def test_clean_search_drops_control_characters_and_cuts_long_text() -> None:
    assert clean_search("a\x00b\tc\ud800") == "a b c"
    assert len(clean_search("x" * 100_000)) == MAX_SEARCH_LENGTH
