"""Issue 16's rules for a field laptop's changes: additive work always applies, a field edit
applies unless the office changed the same field differently, a conflict keeps the three versions,
a person settles it, and offline moments count within the copy and the sync."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.field_sync import (
    ADDITIVE,
    MAX_CLOCK_SKEW,
    CommandKind,
    FieldClash,
    Resolution,
    Verdict,
    clock_skew,
    counted_at,
    decide,
    refused,
    resolved_values,
)

BOGOTA = ZoneInfo("America/Bogota")
MORNING = datetime(2026, 12, 2, 8, 0, tzinfo=BOGOTA)


@pytest.mark.parametrize("kind", sorted(ADDITIVE))
def test_additive_work_always_applies_whatever_the_office_changed(kind: CommandKind) -> None:
    decision = decide(kind, {"status": "in_progress"}, {}, {"status": "closed"})
    assert decision.verdict is Verdict.APPLY and not decision.is_conflict


def test_an_edit_of_a_field_the_office_left_alone_applies() -> None:
    decision = decide(
        CommandKind.EDIT,
        {"severity": "medium", "agent": "7"},
        {"severity": "high"},
        {"severity": "medium", "agent": "9"},
    )
    assert decision.verdict is Verdict.APPLY


def test_an_edit_the_office_already_made_is_not_replayed_and_is_no_conflict() -> None:
    decision = decide(CommandKind.STATUS, {"status": "new"}, {"status": "in_progress"}, {"status": "in_progress"})
    assert decision.verdict is Verdict.ALREADY


def test_the_same_field_changed_differently_on_both_sides_is_a_conflict_with_three_versions() -> None:
    decision = decide(
        CommandKind.EDIT,
        {"severity": "medium", "description": "Falla el extrusor"},
        {"severity": "high", "description": "Falla el extrusor"},
        {"severity": "critical", "description": "Falla el extrusor"},
    )
    assert decision.is_conflict
    assert decision.clashes == (FieldClash("severity", "medium", "high", "critical"),)


def test_a_refusal_by_the_office_rules_is_a_conflict_with_its_reason() -> None:
    decision = refused("El ticket está cerrado.")
    assert decision.is_conflict and decision.refused == "El ticket está cerrado." and decision.clashes == ()


def test_keeping_mine_takes_my_values_and_taking_the_office_applies_nothing() -> None:
    clashes = (FieldClash("severity", "medium", "high", "critical"),)
    assert resolved_values(Resolution.KEEP_MINE, clashes) == {"severity": "high"}
    assert resolved_values(Resolution.TAKE_OFFICE, clashes) == {}


def test_a_merge_takes_one_shown_value_per_field_and_refuses_an_invented_or_missing_one() -> None:
    clashes = (FieldClash("severity", "medium", "high", "critical"), FieldClash("agent", "7", "8", "9"))
    assert resolved_values(Resolution.MERGE, clashes, {"severity": "high", "agent": "9"}) == {"severity": "high"}
    with pytest.raises(ValueError, match="none of the values shown"):
        resolved_values(Resolution.MERGE, clashes, {"severity": "low", "agent": "9"})
    with pytest.raises(ValueError, match="no value chosen for agent"):
        resolved_values(Resolution.MERGE, clashes, {"severity": "high"})


values = st.dictionaries(st.sampled_from(["a", "b", "c"]), st.one_of(st.none(), st.sampled_from(["x", "y", "z"])))


@given(base=values, mine=values, office=values)
def test_a_decision_never_overwrites_an_office_change_silently(base, mine, office) -> None:  # type: ignore[no-untyped-def]
    decision = decide(CommandKind.EDIT, base, mine, office)
    for field, value in mine.items():
        office_changed = office.get(field) != base.get(field)
        if office_changed and office.get(field) != value:
            assert decision.is_conflict and field in {c.field for c in decision.clashes}
    if decision.verdict is Verdict.ALREADY:
        assert all(office.get(f) == v for f, v in mine.items())


def test_a_laptop_clock_off_by_more_than_a_few_minutes_is_told() -> None:
    assert clock_skew(MORNING + MAX_CLOCK_SKEW, MORNING) is None
    assert clock_skew(MORNING + timedelta(minutes=7), MORNING) == timedelta(minutes=7)
    assert clock_skew(MORNING - timedelta(hours=1), MORNING) == timedelta(hours=-1)


def test_an_offline_change_counts_when_it_happened_within_the_copy_and_the_sync() -> None:
    copied, synced = MORNING, MORNING + timedelta(hours=9)
    assert counted_at(MORNING + timedelta(hours=3), copied, synced) == MORNING + timedelta(hours=3)
    assert counted_at(MORNING + timedelta(days=2), copied, synced) == synced  # a clock ahead: not in the future
    assert counted_at(MORNING - timedelta(days=1), copied, synced) == copied  # a clock behind: not before the copy
