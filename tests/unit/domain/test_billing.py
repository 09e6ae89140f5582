"""R6/R16/R17: what a plan used, and what is billed, to the peso."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from desktop_app.domain.billing import (
    BillingContract,
    LineKind,
    TimeEntry,
    VisitEntry,
    balance,
    bill_customer,
    billing_contract,
    billing_lines,
    totals,
)
from desktop_app.domain.ids import ContractId, MachineId, PlanCode
from desktop_app.domain.policy import (
    DEFAULT_OUT_OF_PLAN_HOUR_RATE,
    DEFAULT_POLICY,
    WARRANTY_PLAN,
    PolicyProblem,
    from_document,
    to_document,
    validate,
)

BOGOTA = ZoneInfo("America/Bogota")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=BOGOTA)


def _visit(day: int, hours: float, *, maintenance: bool = True, travel: int = 0) -> VisitEntry:
    start = T0 + timedelta(days=day)
    return VisitEntry(start, start + timedelta(hours=hours), f"SOP-2026-{day:05d}", "MK-M3-1", maintenance, travel)


def test_r6_the_balance_counts_recorded_minutes_and_maintenance_visits() -> None:
    time = [TimeEntry(T0, "SOP-1", 90), TimeEntry(T0, "SOP-2", 45)]
    visits = [_visit(1, 3), _visit(2, 1, maintenance=False)]
    used = balance(time, visits, included_hours=2, included_maintenances=4)
    assert (used.advisory_minutes_used, used.advisory_minutes_included) == (135, 120)
    assert (used.maintenances_used, used.maintenances_included) == (1, 4)
    assert used.extra_advisory_minutes == 15


def test_r17_extra_hours_are_billed_by_the_started_quarter_hour_at_the_plan_rate() -> None:
    time = [TimeEntry(T0, "SOP-1", 60 * 20), TimeEntry(T0 + timedelta(days=3), "SOP-2", 61)]
    [line] = billing_lines(time, [], 20, 4, 150_000, date(2027, 11, 30))
    assert line.kind is LineKind.EXTRA_HOURS and line.quantity_minutes == 75  # 61 min → 1 h 15 min
    assert line.amount == 187_500 and line.reference == "SOP-1, SOP-2"
    assert line.day == date(2026, 12, 4)


def test_r16_r17_travel_expenses_and_maintenances_beyond_the_plan_are_billed() -> None:
    visits = [_visit(1, 3.5, travel=180_000), _visit(2, 2), _visit(3, 4.5, travel=250_000)]
    lines = billing_lines([], visits, 0, 2, 160_000, date(2027, 11, 30))
    kinds = [(line.kind, line.amount) for line in lines]
    assert kinds == [
        (LineKind.TRAVEL, 180_000),
        (LineKind.OUT_OF_PLAN, 720_000),  # the third maintenance: 4 h 30 min at 160.000
        (LineKind.TRAVEL, 250_000),
    ]
    assert totals(lines) == totals(lines)  # deterministic
    summed = totals(lines)
    assert (summed.before_iva, summed.iva, summed.total) == (1_150_000, 218_500, 1_368_500)


def test_r17_iva_is_rounded_half_up_to_the_peso() -> None:
    [line] = billing_lines([TimeEntry(T0, "SOP-1", 15)], [], 0, 0, 150_002, date(2027, 1, 1))
    assert line.amount == 37_501  # 150.002 / 4 = 37.500,5 → 37.501
    assert totals([line]).iva == 7_125  # 37.501 × 19 % = 7.125,19


def test_r17_nothing_used_nothing_billed() -> None:
    assert billing_lines([], [_visit(1, 2)], 20, 4, 150_000, date(2027, 1, 1)) == []


# -- R17: every entry billed once, work without a contract billed too -------------------------------


def _contract(contract_id: int, rank: int, start: date, end: date, *machines: int) -> BillingContract:
    return BillingContract(
        ContractId(contract_id), rank, start, end, frozenset(MachineId(m) for m in machines), 20, 4, 150_000
    )


def test_R17_one_contract_bills_a_day_the_best_category_then_the_earliest_start_then_the_lowest_id() -> None:
    day = date(2026, 12, 2)
    premium = _contract(7, 1, date(2026, 6, 1), date(2027, 5, 31), 1)
    basico = _contract(3, 3, date(2026, 1, 1), date(2027, 6, 30), 1)
    assert billing_contract([basico, premium], MachineId(1), day) == premium
    earlier = _contract(9, 1, date(2026, 1, 1), date(2026, 12, 31), 1)
    assert billing_contract([premium, earlier], MachineId(1), day) == earlier
    twin = _contract(5, 1, date(2026, 1, 1), date(2026, 12, 31), 1)
    assert billing_contract([earlier, twin], MachineId(1), day) == twin
    assert billing_contract([premium], MachineId(2), day) is None  # another machine
    assert billing_contract([premium], MachineId(1), date(2027, 6, 1)) is None  # after it ended


def test_R17_a_visit_under_two_contracts_is_billed_once() -> None:
    contracts = [
        _contract(1, 1, date(2026, 1, 1), date(2027, 6, 30), 1),
        _contract(2, 2, date(2026, 6, 1), date(2027, 5, 31), 1),
    ]
    visit = replace(_visit(1, 2, maintenance=False, travel=180_000), machine_id=MachineId(1))
    bill = bill_customer(contracts, [], [visit], BOGOTA, 200_000)
    amounts = [line.amount for part in bill.contracts for line in part.lines] + [
        line.amount for line in bill.without_contract
    ]
    assert amounts == [180_000]
    assert [part.contract_id for part in bill.contracts if part.lines] == [ContractId(1)]


def test_R17_work_without_a_contract_bills_travel_hours_and_advisory_but_not_free_support() -> None:
    visit = replace(_visit(1, 2.2, maintenance=False, travel=90_000), machine_id=MachineId(4))
    time = [
        TimeEntry(T0, "SOP-7", 50, MachineId(4), PlanCode("profesional")),
        TimeEntry(T0 + timedelta(days=2), "SOP-7", 20, MachineId(4), PlanCode("profesional")),
        TimeEntry(T0, "SOP-8", 40, MachineId(4), WARRANTY_PLAN),  # free support (R3): never billed
    ]
    bill = bill_customer([], time, [visit], BOGOTA, 200_000)
    assert bill.contracts == ()
    lines = [(line.kind, line.reference, line.quantity_minutes, line.amount) for line in bill.without_contract]
    assert lines == [
        (LineKind.ONSITE_WORK, "SOP-2026-00001 · MK-M3-1", 135, 450_000),  # 2 h 12 min → 2 h 15 min
        (LineKind.TRAVEL, "SOP-2026-00001 · MK-M3-1", 0, 90_000),
        (LineKind.ADVISORY, "SOP-7", 75, 250_000),  # 70 min on one ticket → 1 h 15 min
    ]


def test_R17_the_day_of_an_entry_is_the_day_in_bogota() -> None:
    """A visit at 20:00 in Bogotá is 01:00 UTC the next day: the contract that ended that day bills it."""
    contract = _contract(1, 1, date(2026, 1, 1), date(2026, 12, 1), 1)
    start = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 1 Dec 2026, 20:00 in Bogotá
    visit = VisitEntry(start, start + timedelta(hours=1), "SOP-1", "MK-1", False, 50_000, MachineId(1))
    bill = bill_customer([contract], [], [visit], BOGOTA, 200_000)
    assert [line.day for line in bill.contracts[0].lines] == [date(2026, 12, 1)]
    assert bill.without_contract == ()


def test_R17_the_out_of_plan_rate_is_policy_data_with_a_default_for_old_versions() -> None:
    stored = to_document(DEFAULT_POLICY)
    del stored["out_of_plan_hour_rate"]  # a version saved before the rate existed
    assert from_document(stored).out_of_plan_hour_rate == DEFAULT_OUT_OF_PLAN_HOUR_RATE
    edited = replace(DEFAULT_POLICY, out_of_plan_hour_rate=230_000)
    assert from_document(to_document(edited)).out_of_plan_hour_rate == 230_000
    issues = validate(replace(DEFAULT_POLICY, out_of_plan_hour_rate=-1))
    assert [(i.problem, i.field) for i in issues] == [(PolicyProblem.NEGATIVE_AMOUNT, "out_of_plan_hour_rate")]


def test_an_entry_moved_to_local_time_keeps_every_other_field() -> None:
    """TimeEntry.local and VisitEntry.local name each field (faster than dataclasses.replace):
    one added later must be carried too."""
    bogota = ZoneInfo("America/Bogota")
    at = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
    entry = TimeEntry(at, "SOP-2026-00001", 45, MachineId(3), PlanCode("premium"))
    visit = VisitEntry(at, at + timedelta(hours=2), "SOP-2026-00001", "MK-M3-1", True, 120_000, MachineId(3))
    assert entry.local(bogota) == replace(entry, at=at.astimezone(bogota))
    assert entry.local(bogota).at.tzinfo is bogota
    moved = visit.local(bogota)
    later = (at + timedelta(hours=2)).astimezone(bogota)
    assert moved == replace(visit, started_at=at.astimezone(bogota), ended_at=later)
    for field in fields(TimeEntry):
        assert getattr(entry.local(bogota), field.name) == getattr(entry, field.name)
    for field in fields(VisitEntry):
        assert getattr(moved, field.name) == getattr(visit, field.name)
