"""The services driven with generated text (issue 12): any Unicode, lone surrogates, NUL and other control
characters, bidirectional marks, emoji, texts of up to 100,000 characters. The rule, for every service
method that takes free text from a person (service_probes.py): the text is refused with a
UserFacingError, or stored and read back identical after the documented cleaning
(services/text_input.py). Never a traceback, never "the database cannot be opened".

On SQLite and on PostgreSQL (the `world` fixture). A few examples per method keep the file quick; the
figures table (bench/hardening_table.py) draws many more from the same generators.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, note, settings

from tests.fuzz_strategies import ANY_TEXT
from tests.integration.service_probes import PROBES, Probe
from tests.integration.world import World

pytestmark = pytest.mark.usefixtures("english_ui")

EXAMPLES_PER_METHOD = 6
# What broke before (issue 12 and these probes' first runs): a lone surrogate, NUL and other controls,
# blanks at the ends, a bidi override with an escape sequence, a line break in a one-line field, nothing
# but NULs, and a text longer than any column.
FIXED_NASTY = (
    "Pérez \ud800",
    "Ana\x00 María",
    " ana.maria ",
    "\u202eadmin\x1b[31m",
    "línea 1\nlínea 2",
    "\x00\x00\x00",
    "\x1b\n0",  # a control character before a line break: cleaned first, then the blanks at the ends go
    "El extrusor no calienta desde ayer. " + "\U0001f469\u200d\U0001f527" * 30_000,
)


def _drive(world: World, probe: Probe) -> None:
    @settings(
        max_examples=EXAMPLES_PER_METHOD,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(text=ANY_TEXT)
    def one(text: str) -> None:
        note(f"service method: {probe.name}")
        assert probe.run(world, text) in ("refused", "stored")

    one()


_TICKETS = [
    p for p in PROBES if p.name.split(":")[0] in {"intake", "comment", "edit_ticket", "wait", "contact attempt"}
]
_CLOSING = [
    p for p in PROBES if p.name.split(":")[0] in {"close", "close for someone", "out of scope", "reopen", "escalate"}
]
_VISITS = [p for p in PROBES if p.name.startswith("visit")]
_CUSTOMERS = [p for p in PROBES if p.name.split(":")[0] in {"customer", "customers", "contact", "training", "place"}]
_OTHERS = [p for p in PROBES if p not in (*_TICKETS, *_CLOSING, *_VISITS, *_CUSTOMERS)]


def test_every_probe_belongs_to_one_test() -> None:
    groups = (*_TICKETS, *_CLOSING, *_VISITS, *_CUSTOMERS, *_OTHERS)
    assert sorted(p.name for p in groups) == sorted(p.name for p in PROBES)


def test_ticket_intake_and_editing_refuse_or_store_any_text(world: World) -> None:
    for probe in _TICKETS:
        _drive(world, probe)


def test_closing_reopening_and_escalating_refuse_or_store_any_text(world: World) -> None:
    for probe in _CLOSING:
        _drive(world, probe)


def test_visit_notes_refuse_or_store_any_text(world: World) -> None:
    for probe in _VISITS:
        _drive(world, probe)


def test_customers_contacts_trainings_and_places_refuse_or_store_any_text(world: World) -> None:
    for probe in _CUSTOMERS:
        _drive(world, probe)


def test_searches_records_users_certificates_and_policy_refuse_or_store_any_text(world: World) -> None:
    for probe in _OTHERS:
        _drive(world, probe)


def test_every_service_method_refuses_or_stores_the_texts_that_broke_before(world: World) -> None:
    outcomes = {(probe.name, text[:20]): probe.run(world, text) for probe in PROBES for text in FIXED_NASTY}
    assert set(outcomes.values()) <= {"refused", "stored"}
    assert outcomes[("comment", "Ana\x00 María")] == "stored"  # cleaned, not refused
    assert outcomes[("comment", "\x00\x00\x00")] == "refused"  # nothing left: empty
