"""R3, R5 (eligibility), R11 (escalation), R4, R12, R13, R14 (lifecycle), R6/R7/R18 (policy data)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.eligibility import Condition, Coverage, Refusal, check_eligibility
from desktop_app.domain.escalation import EscalationReason, due_escalations, next_level
from desktop_app.domain.ids import ContractId, CustomerId, MachineId, ModelCode, PlanCode
from desktop_app.domain.lifecycle import (
    ContactAttempt,
    LifecycleError,
    check_close_no_response,
    check_reopen,
    check_transition,
    next_attempt_number,
)
from desktop_app.domain.lifecycle import Refusal as LifeRefusal
from desktop_app.domain.model import (
    Channel,
    Contract,
    Customer,
    CustomerKind,
    Machine,
    ProductModel,
    Technology,
    TicketStatus,
)
from desktop_app.domain.policy import (
    DEFAULT_POLICY,
    EscalationLevel,
    InvalidPolicyError,
    PolicyProblem,
    from_document,
    require_valid,
    to_document,
    validate,
)
from desktop_app.holidays_co import ColombianHolidays

BOGOTA = ZoneInfo("America/Bogota")
CAL = BusinessCalendar("America/Bogota", DEFAULT_POLICY.working_hours, ColombianHolidays())
TODAY = date(2026, 11, 26)
CUSTOMER = Customer(
    "Maker Space Bogotá", CustomerKind.MAKERSPACE, "Bogotá", "900-1", "a@b.co", "1", True, True, CustomerId(1)
)
FDM = ProductModel(ModelCode("M3"), "makeR M3", Technology.FDM)
OLD = ProductModel(ModelCode("M2"), "makeR M2", Technology.FDM, discontinued_from=date(2023, 6, 30))
MACHINE = Machine(
    "MK-M3-1",
    "x",
    FDM.code,
    CUSTOMER.id,
    date(2026, 3, 1),
    date(2027, 3, 1),
    False,
    date(2026, 9, 1),
    MachineId(7),
)  # type: ignore[arg-type]


def contract(plan: str, *, special: bool = False, valid_to: date = date(2027, 6, 30)) -> Contract:
    return Contract(
        CUSTOMER.id,
        PlanCode(plan),
        "FE-1",
        date(2026, 1, 1),
        valid_to,
        1,
        (MACHINE.id,),
        special,
        ContractId(3),
    )  # type: ignore[arg-type]


def at(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, tzinfo=BOGOTA)


# -- R3, R5 -------------------------------------------------------------------------------------


def test_r3_all_five_conditions_give_free_support_by_email_only() -> None:
    result = check_eligibility(CUSTOMER, MACHINE, FDM, [], DEFAULT_POLICY, TODAY)
    assert result.coverage is Coverage.FREE_SUPPORT and result.allowed
    assert result.channels == {Channel.EMAIL}
    assert result.plan_code == "garantia"


@pytest.mark.parametrize(
    ("change", "condition"),
    [
        ({"customer": {"paid_up": False}}, Condition.PAID_UP),
        ({"machine": {"warranty_end": date(2026, 1, 1)}}, Condition.IN_WARRANTY),
        ({"customer": {"trained": False}}, Condition.TRAINED),
        ({"machine": {"unauthorized_intervention": True}}, Condition.NO_UNAUTHORIZED_INTERVENTION),
        (
            {"machine": {"last_preventive_maintenance": date(2025, 1, 1), "purchase_date": date(2024, 1, 1)}},
            Condition.MAINTENANCE_DONE,
        ),
    ],
)
def test_r3_each_failing_condition_is_named(change: dict, condition: Condition) -> None:  # type: ignore[type-arg]
    customer = replace(CUSTOMER, **change.get("customer", {}))
    machine = replace(MACHINE, **change.get("machine", {}))
    result = check_eligibility(customer, machine, FDM, [], DEFAULT_POLICY, TODAY)
    assert not result.allowed and result.refusal is Refusal.NOT_ELIGIBLE
    assert result.failed_conditions == (condition,)


def test_r3_scenario_5_warranty_expired_names_the_condition() -> None:
    machine = replace(MACHINE, purchase_date=date(2025, 9, 26), warranty_end=date(2026, 9, 26))
    result = check_eligibility(CUSTOMER, machine, FDM, [], DEFAULT_POLICY, TODAY)
    assert result.failed_conditions == (Condition.IN_WARRANTY,)


def test_r3_a_young_machine_needs_no_maintenance_yet() -> None:
    machine = replace(MACHINE, purchase_date=date(2026, 6, 1), last_preventive_maintenance=None)
    assert check_eligibility(CUSTOMER, machine, FDM, [], DEFAULT_POLICY, TODAY).allowed


def test_r6_a_plan_covers_whatever_the_free_support_conditions() -> None:
    customer = replace(CUSTOMER, paid_up=False)
    result = check_eligibility(customer, MACHINE, FDM, [contract("premium")], DEFAULT_POLICY, TODAY)
    assert result.coverage is Coverage.PLAN and result.plan_code == "premium"
    assert result.channels == {Channel.EMAIL, Channel.PHONE, Channel.ONSITE}


def test_r16_on_site_only_in_the_four_cities() -> None:
    customer = replace(CUSTOMER, city="Bucaramanga")
    result = check_eligibility(customer, MACHINE, FDM, [contract("premium")], DEFAULT_POLICY, TODAY)
    assert Channel.ONSITE not in result.channels


def test_r6_the_best_ranked_valid_plan_wins_and_expired_ones_do_not_count() -> None:
    contracts = [contract("basico"), replace(contract("premium"), valid_to=date(2026, 1, 31))]
    assert check_eligibility(CUSTOMER, MACHINE, FDM, contracts, DEFAULT_POLICY, TODAY).plan_code == "basico"
    contracts.append(contract("profesional"))
    assert check_eligibility(CUSTOMER, MACHINE, FDM, contracts, DEFAULT_POLICY, TODAY).plan_code == "profesional"


def test_r5_discontinued_model_is_refused_even_with_a_plan() -> None:
    machine = replace(MACHINE, model_code=OLD.code)
    result = check_eligibility(CUSTOMER, machine, OLD, [contract("premium")], DEFAULT_POLICY, TODAY)
    assert result.refusal is Refusal.DISCONTINUED and result.discontinued_from == date(2023, 6, 30)


def test_r5_a_special_contract_keeps_a_discontinued_model_supported() -> None:
    machine = replace(MACHINE, model_code=OLD.code)
    result = check_eligibility(CUSTOMER, machine, OLD, [contract("basico", special=True)], DEFAULT_POLICY, TODAY)
    assert result.coverage is Coverage.SPECIAL_CONTRACT and result.allowed and result.contract_id == 3


# -- R11 ----------------------------------------------------------------------------------------


def test_r11_level_2_at_the_breach_and_level_3_at_twice_the_response_time() -> None:
    levels = DEFAULT_POLICY.escalation_levels
    response = timedelta(hours=8)
    assert due_escalations(levels, 1, timedelta(hours=7, minutes=59), response) == []
    at_breach = due_escalations(levels, 1, response, response)
    assert [d.to_level for d in at_breach] == [2] and at_breach[0].reason is EscalationReason.BREACH
    assert at_breach[0].notify_username == "carolina.rojas"
    assert [d.to_level for d in due_escalations(levels, 2, 2 * response, response)] == [3]
    # Missed while nobody looked: both steps, lowest first.
    assert [d.to_level for d in due_escalations(levels, 1, 3 * response, response)] == [2, 3]
    assert due_escalations(levels, 3, 10 * response, response) == []


def test_r11_a_priority_change_climbs_one_level_until_the_top() -> None:
    levels = DEFAULT_POLICY.escalation_levels
    decision = next_level(levels, 1, EscalationReason.PRIORITY_CHANGE)
    assert decision is not None and decision.to_level == 2
    assert next_level(levels, 3, EscalationReason.PRIORITY_CHANGE) is None


# -- R4, R12, R13, R14 --------------------------------------------------------------------------


def test_r12_attempts_on_distinct_working_days() -> None:
    waiting = TicketStatus.WAITING_CUSTOMER
    first = ContactAttempt(at(2026, 11, 27, 16), 1, 2)  # Friday
    assert next_attempt_number(CAL, waiting, [], first.at) == 1
    with pytest.raises(LifecycleError) as same_day:
        next_attempt_number(CAL, waiting, [first], at(2026, 11, 27, 17))
    assert same_day.value.refusal is LifeRefusal.SAME_DAY_ATTEMPT
    with pytest.raises(LifecycleError) as weekend:
        next_attempt_number(CAL, waiting, [first], at(2026, 11, 28, 10))
    assert weekend.value.refusal is LifeRefusal.NOT_A_WORKING_DAY
    assert next_attempt_number(CAL, waiting, [first], at(2026, 11, 30, 9)) == 2


def test_r12_only_while_waiting_and_never_a_fourth() -> None:
    attempts = [ContactAttempt(at(2026, 11, d), n, 2) for n, d in enumerate((23, 24, 25), start=1)]
    with pytest.raises(LifecycleError) as fourth:
        next_attempt_number(CAL, TicketStatus.WAITING_CUSTOMER, attempts, at(2026, 11, 26))
    assert fourth.value.refusal is LifeRefusal.TOO_MANY_ATTEMPTS
    with pytest.raises(LifecycleError) as not_waiting:
        next_attempt_number(CAL, TicketStatus.IN_PROGRESS, [], at(2026, 11, 26))
    assert not_waiting.value.refusal is LifeRefusal.NOT_WAITING


def test_r12_scenario_2_close_without_response_only_after_the_stated_wait() -> None:
    # Friday 16:30 before the Monday holiday of 7 Dec 2026? Use Friday 4 Dec; Monday 7 Dec is not
    # a holiday but Tuesday 8 Dec is: attempts Fri 4, Mon 7, Wed 9 (16:30), wait 2 working days.
    attempts = [
        ContactAttempt(datetime(2026, 12, 4, 16, 30, tzinfo=BOGOTA), 1, 2),
        ContactAttempt(datetime(2026, 12, 7, 10, 0, tzinfo=BOGOTA), 2, 2),
        ContactAttempt(datetime(2026, 12, 9, 10, 0, tzinfo=BOGOTA), 3, 2),
    ]
    waiting = TicketStatus.WAITING_CUSTOMER
    with pytest.raises(LifecycleError) as early:
        check_close_no_response(CAL, waiting, attempts, datetime(2026, 12, 10, 17, 0, tzinfo=BOGOTA))
    assert early.value.refusal is LifeRefusal.WAIT_NOT_OVER
    assert early.value.until == datetime(2026, 12, 11, 10, 0, tzinfo=BOGOTA)
    check_close_no_response(CAL, waiting, attempts, datetime(2026, 12, 11, 10, 0, tzinfo=BOGOTA))
    with pytest.raises(LifecycleError) as two_only:
        check_close_no_response(CAL, waiting, attempts[:2], datetime(2026, 12, 31, tzinfo=BOGOTA))
    assert two_only.value.refusal is LifeRefusal.NOT_ENOUGH_ATTEMPTS


def test_r13_r4_r14_transitions() -> None:
    check_transition(TicketStatus.IN_PROGRESS, TicketStatus.CLOSED)
    check_transition(TicketStatus.NEW, TicketStatus.OUT_OF_SCOPE)
    with pytest.raises(LifecycleError):
        check_transition(TicketStatus.IN_PROGRESS, TicketStatus.CLOSED_NO_RESPONSE)
    with pytest.raises(LifecycleError):
        check_transition(TicketStatus.CLOSED, TicketStatus.WAITING_CUSTOMER)
    for closed in (TicketStatus.CLOSED, TicketStatus.CLOSED_NO_RESPONSE, TicketStatus.OUT_OF_SCOPE):
        check_reopen(closed)
        check_transition(closed, TicketStatus.IN_PROGRESS)
    with pytest.raises(LifecycleError):
        check_reopen(TicketStatus.IN_PROGRESS)


# -- policy as data -------------------------------------------------------------------------------


def test_r18_policy_round_trips_through_its_stored_document() -> None:
    assert from_document(to_document(DEFAULT_POLICY)) == DEFAULT_POLICY
    assert validate(DEFAULT_POLICY) == []


def test_r7_a_severity_without_response_time_is_refused_naming_the_field() -> None:
    hours = dict(DEFAULT_POLICY.response_hours)
    del hours[(PlanCode("basico"), DEFAULT_POLICY.severities[1])]
    broken = replace(DEFAULT_POLICY, response_hours=hours)
    with pytest.raises(InvalidPolicyError) as error:
        require_valid(broken)
    assert [(i.problem, i.field) for i in error.value.issues] == [
        (PolicyProblem.MISSING_RESPONSE_TIME, "response_hours.basico.alta")
    ]


def test_r6_r11_other_invalid_edits_are_named() -> None:
    plans = list(DEFAULT_POLICY.plans)
    plans[1] = replace(plans[1], rank=1)
    problems = {i.problem for i in validate(replace(DEFAULT_POLICY, plans=tuple(plans)))}
    assert PolicyProblem.DUPLICATE_RANK in problems
    levels = (EscalationLevel(1, "a", 0), EscalationLevel(2, "b", 2), EscalationLevel(3, "c", 1))
    assert {i.field for i in validate(replace(DEFAULT_POLICY, escalation_levels=levels))} == {"escalation_levels"}
    assert {i.problem for i in validate(replace(DEFAULT_POLICY, working_hours={}))} == {PolicyProblem.NO_WORKING_HOURS}
    assert {i.problem for i in validate(replace(DEFAULT_POLICY, wait_after_third_attempt_days=-1))} == {
        PolicyProblem.BAD_WAIT
    }


def test_r7_working_hours_are_typed_as_text_and_read_back() -> None:
    from datetime import time

    from desktop_app.domain.policy import format_day_hours, parse_day_hours

    hours = parse_day_hours(" 8:00-12:00 , 14:00 – 18:30")
    assert hours == ((time(8), time(12)), (time(14), time(18, 30)))
    assert format_day_hours(hours) == "08:00–12:00, 14:00–18:30"
    assert parse_day_hours("") == ()
    for bad in ("8-12", "08:00", "25:00-26:00", "a-b"):
        with pytest.raises(ValueError):
            parse_day_hours(bad)
