"""Reports (issue 15) against the real services, on SQLite and PostgreSQL: a hand-counted November
2026 played through the ticket services (intake, replies, waits, closings, a reopening, a visit),
then read back through Desk.reports and checked number by number.

Working hours: Monday–Friday 08:00–12:00 and 14:00–18:00, Bogotá. November 2026 holidays:
Monday 2 (Todos los Santos) and Monday 16 (Independencia de Cartagena). Response times (R7, the
shipped defaults): Premium crítica 2 h, alta 4 h, baja 16 h; Profesional crítica 4 h, baja 24 h;
Básico alta 16 h, media 24 h.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from desktop_app.domain.ids import CustomerId, MachineId, PlanCode, TicketId, UserId
from desktop_app.domain.model import Channel, Role, Severity
from desktop_app.domain.permissions import Actor
from desktop_app.errors import PermissionDeniedError, UserFacingError
from desktop_app.services.report_dto import ReportFilter, ReportPeriod, SlaFigures
from desktop_app.services.reports import ReportService
from desktop_app.services.tickets import IntakeRequest, VisitRequest
from tests.integration.world import PHOTO, World, bogota

pytestmark = pytest.mark.usefixtures("english_ui")
DESCRIPTION = "La impresora se detuvo a mitad de la impresión y muestra un error en la pantalla."
NOVEMBER = ReportPeriod(date(2026, 11, 1), date(2026, 11, 30))
REPORT_TIME = bogota(2026, 12, 1, 9, 10)  # Tuesday 1 December, 09:10


def _reports(w: World) -> ReportService:
    assert w.services.reports is not None
    return w.services.reports


def _at(w: World, moment: datetime) -> None:
    w.clock.set(moment)


def _new(w: World, machine: str, severity: Severity, agent: str, at: datetime) -> TicketId:
    _at(w, at)
    detail = w.services.tickets.create_ticket(
        IntakeRequest(MachineId(w.ids[machine]), DESCRIPTION, severity, Channel.PHONE, UserId(w.ids[agent]), (PHOTO,)),
        actor=w.actor(agent),
    )
    return detail.id


def _reply(w: World, ticket: TicketId, agent: str, at: datetime) -> None:
    _at(w, at)
    w.services.tickets.add_comment(ticket, "Le escribimos con la solución propuesta.", actor=w.actor(agent))


def _close(w: World, ticket: TicketId, agent: str, at: datetime) -> None:
    _at(w, at)
    w.services.tickets.close_solved(ticket, actor=w.actor(agent), solution="Se recalibró la impresora.")


def play_november(w: World) -> dict[str, TicketId]:
    """The hand-counted month. Each ticket says when its first response was due and why."""
    t: dict[str, TicketId] = {}
    # T1 Premium crítica (2 h), Tue 3 Nov 09:00, laura. Answered 10:30 (1.5 h) → MET. Closed 11:00,
    # before the update promised at 10:30 fell due (14:30): no update verdict.
    t["T1"] = _new(w, "eafit_r1", Severity.CRITICAL, "laura", bogota(2026, 11, 3, 9, 0))
    _reply(w, t["T1"], "laura", bogota(2026, 11, 3, 10, 30))
    _close(w, t["T1"], "laura", bogota(2026, 11, 3, 11, 0))
    # T2 Premium alta (4 h), Fri 13 Nov 16:00, laura. Fri 16–18 = 2 h; Sat, Sun, and Monday 16 is a
    # HOLIDAY; so due Tue 17 at 10:00. Answered Tue 17 09:30 (3.5 working hours) → MET (without
    # the holiday it was due Monday 10:00 and would be missed). Update at 11:00, within 4 h of
    # 09:30 (due 15:30) → update MET. Closed 16:00, before the next update was due (17:00).
    t["T2"] = _new(w, "eafit_r1", Severity.HIGH, "laura", bogota(2026, 11, 13, 16, 0))
    _reply(w, t["T2"], "laura", bogota(2026, 11, 17, 9, 30))
    _reply(w, t["T2"], "laura", bogota(2026, 11, 17, 11, 0))
    _close(w, t["T2"], "laura", bogota(2026, 11, 17, 16, 0))
    # T3 Profesional crítica (4 h), Wed 4 Nov 08:00, andres: due Wed 12:00. Answered Thu 5 09:00
    # (8 h + 1 h = 9 working hours) → MISSED. Closed 10:00.
    t["T3"] = _new(w, "uni_m3", Severity.CRITICAL, "andres", bogota(2026, 11, 4, 8, 0))
    _reply(w, t["T3"], "andres", bogota(2026, 11, 5, 9, 0))
    _close(w, t["T3"], "andres", bogota(2026, 11, 5, 10, 0))
    # T4 Básico media (24 h), Mon 9 Nov 08:00, andres. Waiting on the customer (R9) from Mon 10:00
    # to Wed 11 10:00: Mon 2 + 4, Tue 8, Wed 2 = 16 working hours PAUSED. Due without the pause: Wed
    # 18:00; with it: +16 h = Fri 13 18:00. Answered Fri 13 17:00 → MET. Time to answer: Mon–Thu
    # 32 h + Fri 7 h = 39 h, minus the 16 h pause = 23 working hours. Closed 17:30.
    t["T4"] = _new(w, "school_m3", Severity.MEDIUM, "andres", bogota(2026, 11, 9, 8, 0))
    _at(w, bogota(2026, 11, 9, 10, 0))
    w.services.tickets.set_waiting(t["T4"], actor=w.actor("andres"), reason="Esperando el archivo de la pieza.")
    _at(w, bogota(2026, 11, 11, 10, 0))
    w.services.tickets.resume(t["T4"], actor=w.actor("andres"))
    _reply(w, t["T4"], "andres", bogota(2026, 11, 13, 17, 0))
    _close(w, t["T4"], "andres", bogota(2026, 11, 13, 17, 30))
    # T5 Profesional baja (24 h), Mon 23 Nov 14:00, laura: Mon 4, Tue 8, Wed 8, Thu 8–12 → due Thu
    # 26 12:00. Never answered: by 1 December → MISSED. Still open (received 7 days before 30 Nov).
    t["T5"] = _new(w, "uni_m3", Severity.LOW, "laura", bogota(2026, 11, 23, 14, 0))
    # T6 Premium baja (16 h), Mon 30 Nov 15:00, laura: 3 h Monday, 8 h Tuesday → due Wed 2 Dec 15:00: PENDING
    # at the report's time. Open, 0 days old.
    t["T6"] = _new(w, "eafit_r1", Severity.LOW, "laura", bogota(2026, 11, 30, 15, 0))
    # T7 Básico alta (16 h), Tue 17 Nov 08:00, andres. Answered 09:00 (1 h) → MET; closed 10:00.
    # REOPENED Thu 19 08:00 (R14, a new clock): Thu 8 + Fri 8 → due Fri 20 18:00; answered Mon 23
    # 08:30 (16.5 h) → MISSED. The update promised at 08:30 was due Wed 25 08:30 (Mon 7.5 + Tue 8 +
    # Wed 0.5); no word since → update MISSED. Open, 13 days old on 30 Nov.
    t["T7"] = _new(w, "school_m3", Severity.HIGH, "andres", bogota(2026, 11, 17, 8, 0))
    _reply(w, t["T7"], "andres", bogota(2026, 11, 17, 9, 0))
    _close(w, t["T7"], "andres", bogota(2026, 11, 17, 10, 0))
    _at(w, bogota(2026, 11, 19, 8, 0))
    w.services.tickets.reopen(t["T7"], actor=w.actor("andres"), note="El cliente dice que volvió a fallar.")
    _reply(w, t["T7"], "andres", bogota(2026, 11, 23, 8, 30))
    # A maintenance visit of 5 h in Medellín on T1's machine (over the 4 h maximum, R16), and a
    # 2 h one in Barranquilla on T3's, both by diego.
    _at(w, bogota(2026, 11, 20, 18, 0))
    tickets = w.services.tickets
    admin = w.actor("admin")
    tickets.record_visit(
        t["T1"],
        VisitRequest(
            UserId(w.ids["diego"]),
            "Medellín",
            bogota(2026, 11, 20, 8, 0),
            bogota(2026, 11, 20, 13, 0),
            "Mantenimiento preventivo completo de la impresora.",
            travel_expenses=350_000,
            maintenance=True,
        ),
        actor=admin,
    )
    _at(w, bogota(2026, 11, 24, 18, 0))
    tickets.record_visit(
        t["T3"],
        VisitRequest(
            UserId(w.ids["diego"]),
            "Barranquilla",
            bogota(2026, 11, 24, 9, 0),
            bogota(2026, 11, 24, 11, 0),
            "Cambio de boquilla y prueba de impresión.",
        ),
        actor=admin,
    )
    _at(w, REPORT_TIME)
    return t


def _figures(rows: tuple[SlaFigures, ...], key: str) -> SlaFigures:
    return next(row for row in rows if row.key == key)


def test_R7_R9_R10_R14_sla_report_matches_the_hand_count(world: World) -> None:
    play_november(world)
    report = _reports(world).sla(NOVEMBER, actor=world.actor("carolina.rojas"))
    total = report.total
    assert report.empty_reason == ""
    # First responses, one per clock started in November: T1 met, T2 met (holiday), T3 missed,
    # T4 met (pause), T5 missed (never answered), T6 pending, T7 met then missed (reopened) → 4 / 3 / 1.
    assert (total.tickets, total.first_met, total.first_missed, total.first_pending) == (7, 4, 3, 1)
    assert total.compliance == pytest.approx(4 / 7)
    # Updates (R10): T2's update met; T7's promise after its second answer missed.
    assert (total.updates_met, total.updates_missed) == (1, 1)
    assert total.update_compliance == pytest.approx(0.5)
    # Working hours to the first answer: 1, 1.5, 3.5, 9, 16.5, 23 → median (3.5 + 9) / 2 = 6.25;
    # p90 at rank 4.5: 16.5 + 0.5 × (23 − 16.5) = 19.75.
    assert total.median_first_response_hours == pytest.approx(6.25)
    assert total.p90_first_response_hours == pytest.approx(19.75)
    assert total.paused_hours == pytest.approx(16.0)  # T4's wait
    # By plan: Premium T1, T2 met, T6 pending; Profesional T3, T5 missed; Básico T4, T7 met, T7 missed.
    premium, profesional, basico = (_figures(report.by_plan, code) for code in ("premium", "profesional", "basico"))
    assert [r.key for r in report.by_plan] == ["premium", "profesional", "basico"]  # category order (R8)
    assert (premium.first_met, premium.first_missed, premium.first_pending, premium.compliance) == (2, 0, 1, 1.0)
    assert (profesional.first_met, profesional.first_missed, profesional.compliance) == (0, 2, 0.0)
    assert (basico.first_met, basico.first_missed) == (2, 1)
    # By agent: laura T1, T2 met, T5 missed, T6 pending; andres T3 missed, T4 met, T7 met + missed.
    laura = _figures(report.by_agent, str(world.ids["laura"]))
    andres = _figures(report.by_agent, str(world.ids["andres"]))
    assert (laura.tickets, laura.first_met, laura.first_missed, laura.first_pending) == (4, 2, 1, 1)
    assert (andres.tickets, andres.first_met, andres.first_missed) == (3, 2, 2)
    assert laura.label == "Laura Pérez"
    # By severity: crítica T1 met, T3 missed.
    critical = _figures(report.by_severity, Severity.CRITICAL.value)
    assert (critical.first_met, critical.first_missed) == (1, 1)
    # By city (the customer's): Medellín is EAFIT (T1, T2, T6).
    medellin = _figures(report.by_city, "Medellín")
    assert (medellin.tickets, medellin.first_met, medellin.first_pending) == (3, 2, 1)
    # By customer and by month: all in November.
    assert [m.key for m in report.by_month] == ["2026-11"]
    assert report.by_month[0].first_met == 4
    school = _figures(report.by_customer, str(world.ids["school"]))
    assert (school.first_met, school.first_missed, school.paused_hours) == (2, 1, 16.0)
    assert len(report.policy_versions) == 1


def test_R7_the_report_agrees_with_the_queue_and_with_the_naive_replay(world: World) -> None:
    t = play_november(world)
    reports = _reports(world)
    coordinator = world.actor("carolina.rojas")
    assert reports.sla_naive(NOVEMBER, actor=coordinator) == reports.sla(NOVEMBER, actor=coordinator)
    # "Por qué vence": T5's due time as the queue explains it is the one the report missed.
    explained = world.services.tickets.sla_report(t["T5"])
    assert explained.sla.due_at == bogota(2026, 11, 26, 12, 0)


def test_R16_workload_and_field_work_match_the_hand_count(world: World) -> None:
    play_november(world)
    reports = _reports(world)
    coordinator = world.actor("carolina.rojas")
    load = reports.workload(NOVEMBER, actor=coordinator)
    assert sum(week.opened for week in load.weeks) == 7
    assert sum(week.closed for week in load.weeks) == 5  # T1, T2, T3, T4, T7's first clock
    assert sum(week.reopened for week in load.weeks) == 1  # T7
    assert load.weeks[0].week_start == date(2026, 10, 26) and load.weeks[-1].week_start == date(2026, 11, 30)
    reopened_week = next(w for w in load.weeks if w.reopened)
    assert reopened_week.week_start == date(2026, 11, 16) and reopened_week.label == "2026-W47"
    # Open at the end of 30 November: T6 (0 days), T5 (7 days), T7 (13 days).
    assert load.backlog_total == 3
    assert {b.label: b.count for b in load.backlog} == {"0–1": 1, "2–3": 0, "4–7": 1, "8–14": 1, "15–30": 0, ">30": 0}
    work = reports.field_work(NOVEMBER, actor=coordinator)
    assert (work.total.visits, work.total.hours, work.total.travel_expenses) == (2, 7.0, 350_000)
    assert work.total.long_maintenance_visits == 1 and work.long_visits[0].city == "Medellín"
    assert [(g.key, g.visits) for g in work.by_city] == [("Barranquilla", 1), ("Medellín", 1)]
    assert work.by_technician[0].label == "Diego Martínez"


def test_agents_see_only_their_own_tickets_and_the_service_account_nothing(world: World) -> None:
    play_november(world)
    reports = _reports(world)
    # laura asks for andres's tickets: the service gives her her own (4 tickets, 2 met, 1 missed, 1 pending).
    mine = reports.sla(NOVEMBER, ReportFilter(agent_id=UserId(world.ids["andres"])), actor=world.actor("laura"))
    assert mine.filter.agent_id == world.ids["laura"]
    assert (mine.total.tickets, mine.total.first_met, mine.total.first_missed) == (4, 2, 1)
    assert [row.key for row in mine.by_agent] == [str(world.ids["laura"])]
    # diego (technician) has no ticket of his own: an empty report that says why.
    diego = reports.sla(NOVEMBER, actor=world.actor("diego"))
    assert diego.total.tickets == 0 and diego.total.compliance is None and diego.empty_reason
    assert reports.field_work(NOVEMBER, actor=world.actor("diego")).total.visits == 2  # he made them
    assert reports.plans(NOVEMBER, actor=world.actor("laura")).empty_reason
    service = Actor(UserId(world.ids["admin"]), Role.SERVICE)
    with pytest.raises(PermissionDeniedError):
        reports.sla(NOVEMBER, actor=service)


def test_R7_a_period_spanning_a_policy_change_judges_each_ticket_by_its_version(world: World) -> None:
    reports = _reports(world)
    # Premium crítica is 2 h until 10 November, then 1 h.
    a = _new(world, "eafit_r1", Severity.CRITICAL, "laura", bogota(2026, 11, 9, 8, 0))
    _reply(world, a, "laura", bogota(2026, 11, 9, 9, 30))  # 1.5 h: met under the 2 h of its version
    _close(world, a, "laura", bogota(2026, 11, 9, 10, 0))
    _at(world, bogota(2026, 11, 10, 7, 0))
    policy = world.services.policy.policy()
    hours = dict(policy.response_hours)
    hours[(PlanCode("premium"), Severity.CRITICAL)] = 1.0
    world.services.policy.save_policy(replace(policy, response_hours=hours), actor=world.actor("admin"))
    b = _new(world, "eafit_r1", Severity.CRITICAL, "laura", bogota(2026, 11, 11, 8, 0))
    _reply(world, b, "laura", bogota(2026, 11, 11, 9, 30))  # 1.5 h: missed under the new 1 h
    _at(world, REPORT_TIME)
    report = reports.sla(NOVEMBER, actor=world.actor("admin"))
    assert (report.total.first_met, report.total.first_missed) == (1, 1)
    assert len(report.policy_versions) == 2
    customer = reports.customer_report(CustomerId(world.ids["eafit"]), NOVEMBER, actor=world.actor("admin"))
    assert [line.met for line in customer.tickets] == [True, False]
    assert [line.response_hours for line in customer.tickets] == [2.0, 1.0]
    assert customer.notes  # says the policy changed during the period


def test_bad_periods_and_a_customer_without_tickets_say_why(world: World) -> None:
    play_november(world)
    reports = _reports(world)
    admin = world.actor("admin")
    future = ReportPeriod(date(2027, 1, 1), date(2027, 1, 31))
    for result in (
        reports.sla(future, actor=admin),
        reports.workload(future, actor=admin),
        reports.field_work(future, actor=admin),
    ):
        assert "after today" in result.empty_reason
    assert reports.sla(future, actor=admin).total.compliance is None
    empty = reports.sla(ReportPeriod(date(2026, 6, 1), date(2026, 6, 30)), actor=admin)
    assert empty.total.tickets == 0 and empty.total.median_first_response_hours is None and empty.empty_reason
    maker = reports.customer_report(CustomerId(world.ids["maker"]), NOVEMBER, actor=admin)
    assert "Maker Space Bogotá" in maker.empty_reason and maker.tickets == ()
    with pytest.raises(UserFacingError):
        ReportPeriod.custom(date(2026, 11, 30), date(2026, 11, 1))


def test_customer_report_and_plan_use(world: World) -> None:
    play_november(world)
    reports = _reports(world)
    admin = world.actor("admin")
    eafit = reports.customer_report(CustomerId(world.ids["eafit"]), NOVEMBER, actor=admin)
    assert [line.met for line in eafit.tickets] == [True, True, None]  # T1, T2, T6 (pending)
    assert eafit.sla.first_met == 2 and eafit.sla.compliance == 1.0
    assert len(eafit.visits) == 1 and eafit.visits[0].long_maintenance
    assert [use.invoice_number for use in eafit.plan_use] == ["FE-c_eafit"]
    assert eafit.plan_use[0].maintenances_used == 1
    plans = reports.plans(NOVEMBER, actor=admin, today=date(2027, 4, 15))
    assert {use.invoice_number for use in plans.contracts} == {"FE-c_eafit", "FE-c_school", "FE-c_uni"}
    assert {e.invoice_number for e in plans.expiring} == {"FE-c_eafit", "FE-c_school", "FE-c_uni"}
    assert {e.within_days for e in plans.expiring} == {90}  # 30 June 2027 is 76 days after 15 April
    travel = [line for line in plans.unbilled if line.kind.value == "travel"]
    assert [line.amount_before_iva for line in travel] == [350_000]
    assert plans.unbilled_before_iva >= 350_000 and plans.unbilled_total > plans.unbilled_before_iva
    # The chart of the Planes tab: each plan's contracts summed, in the policy's order of plans.
    assert sum(p.contracts for p in plans.by_plan) == 3
    ranks = {plan.code: plan.rank for plan in world.services.policy.policy().plans}
    assert [p.plan_code for p in plans.by_plan] == sorted({u.plan_code for u in plans.contracts}, key=ranks.get)
    for totals in plans.by_plan:
        mine = [u for u in plans.contracts if u.plan_code == totals.plan_code]
        assert totals.contracts == len(mine) and totals.plan_name == mine[0].plan_name
        assert totals.maintenances_used == sum(u.maintenances_used for u in mine)
        assert totals.advisory_hours_included == sum(u.advisory_hours_included for u in mine)
    assert any(p.maintenances_used >= 1 for p in plans.by_plan)  # EAFIT's long maintenance visit
