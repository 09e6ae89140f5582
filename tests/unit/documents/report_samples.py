"""Report DTOs built by hand for the PDF tests (services/report_dto.py): a month of a desk, and a
customer's year, with figures chosen so each can be found again in the rendered text."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from desktop_app.documents.report_pdf import ManagementReport
from desktop_app.domain.billing import LineKind
from desktop_app.domain.ids import ContractId, CustomerId, TicketId
from desktop_app.domain.model import Severity, TicketStatus
from desktop_app.services.report_dto import (
    AgeBucket,
    ContractUse,
    CustomerServiceReport,
    CustomerTicketLine,
    CustomerVisitLine,
    ExpiringContract,
    FieldWork,
    LevelCount,
    LongVisit,
    PlanUse,
    ReportFilter,
    ReportPeriod,
    SlaCompliance,
    SlaFigures,
    UnbilledLine,
    VisitGroup,
    WeekLoad,
    Workload,
)

BOGOTA = ZoneInfo("America/Bogota")
NOVEMBER = ReportPeriod(date(2026, 11, 1), date(2026, 11, 30))
YEAR = ReportPeriod(date(2025, 12, 1), date(2026, 11, 30))
ISSUED = datetime(2026, 12, 2, 9, 15, tzinfo=BOGOTA)
CUSTOMER = "Universidad EAFIT — Laboratorio de Fabricación"


def figures(key: str, label: str, met: int, missed: int, *, median: float | None = 2.5) -> SlaFigures:
    due = met + missed
    return SlaFigures(
        key=key,
        label=label,
        tickets=due + 1,
        first_met=met,
        first_missed=missed,
        first_pending=1,
        updates_met=met * 2,
        updates_missed=missed,
        compliance=met / due if due else None,
        update_compliance=(2 * met) / (2 * met + missed) if due else None,
        median_first_response_hours=median if due else None,
        p90_first_response_hours=None if median is None or not due else median * 2.4,
        paused_hours=12.25,
    )


def months(start: date, count: int) -> list[date]:
    result, day = [], start
    for _ in range(count):
        result.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return result


def sla(period: ReportPeriod, month_list: list[date]) -> SlaCompliance:
    by_month = tuple(
        figures(m.strftime("%Y-%m"), m.strftime("%B %Y"), 30 + i % 5, (3, 9, 2, 1, 4, 0)[i % 6])
        for i, m in enumerate(month_list)
    )
    return SlaCompliance(
        period=period,
        filter=ReportFilter(),
        total=figures("", "Total", 143, 12),
        by_month=by_month,
        by_plan=(
            figures("premium", "Premium", 60, 2),
            figures("profesional", "Profesional", 45, 5),
            figures("basico", "Básico", 30, 4),
            figures("garantia", "Garantía", 8, 1),
        ),
        by_severity=(
            figures("critica", "Crítica", 10, 3),
            figures("alta", "Alta", 40, 4),
            figures("media", "Media", 60, 3),
            figures("baja", "Baja", 33, 2),
        ),
        by_agent=(figures("4", "Laura Pérez", 50, 2), figures("5", "Andrés Gómez", 93, 10)),
        by_city=(figures("Medellín", "Medellín", 70, 5), figures("Bogotá", "Bogotá", 73, 7)),
        by_customer=(figures("1", CUSTOMER, 20, 1),),
        policy_versions=(1, 2),
    )


def management(*, empty: bool = False) -> ManagementReport:
    reason = "No hay tickets en el periodo elegido." if empty else ""
    month_sla = sla(NOVEMBER, [NOVEMBER.start])
    weeks = tuple(
        WeekLoad(date(2026, 10, 26) + timedelta(weeks=i), f"2026-W{44 + i}", 9 + i, 8 + i % 3, i % 2) for i in range(6)
    )
    ages = ((0, 1), (2, 3), (4, 7), (8, 14), (15, 30), (31, None))
    backlog = tuple(
        AgeBucket(f"{low}–{high}" if high else ">30", low, high, n)
        for (low, high), n in zip(ages, (7, 5, 4, 3, 1, 2), strict=True)
    )
    city = VisitGroup("Medellín", "Medellín", 6, 17.5, 4, 1, 480_000)
    return ManagementReport(
        month=NOVEMBER,
        sla=SlaCompliance(NOVEMBER, ReportFilter(), month_sla.total, (), (), (), (), (), (), (), reason)
        if empty
        else month_sla,
        trend=sla(YEAR, months(YEAR.start, 12)),
        workload=workload(weeks, backlog, reason),
        field_work=FieldWork(
            NOVEMBER,
            ReportFilter(),
            VisitGroup("", "Total", 9, 25.0, 6, 1, 730_000),
            (city, VisitGroup("Bogotá", "Bogotá", 3, 7.5, 2, 0, 250_000)),
            (VisitGroup("8", "Camilo Herrera", 6, 17.5, 4, 1, 480_000),),
            (LongVisit("SOP-2026-00412", "MK-M3-250031", "Camilo Herrera", "Medellín", ISSUED, 5.5),),
            4,
            reason,
        ),
        plans=PlanUse(
            NOVEMBER,
            ReportFilter(),
            date(2026, 12, 2),
            (contract_use(),),
            (
                ExpiringContract(
                    ContractId(3), "FE-9103", CustomerId(1), CUSTOMER, "Premium", date(2027, 1, 15), 44, 60
                ),
            ),
            (
                UnbilledLine(
                    CustomerId(1),
                    CUSTOMER,
                    "FE-9103",
                    LineKind.TRAVEL,
                    date(2026, 11, 12),
                    "SOP-2026-00412",
                    180_000,
                    34_200,
                    214_200,
                ),
            ),
            180_000,
            34_200,
            214_200,
            reason,
        ),
        generated_at=ISSUED,
    )


def workload(weeks: tuple[WeekLoad, ...], backlog: tuple[AgeBucket, ...], reason: str) -> Workload:
    return Workload(
        NOVEMBER,
        ReportFilter(),
        weeks,
        backlog,
        sum(bucket.count for bucket in backlog),
        (LevelCount(2, 7), LevelCount(3, 2)),
        3,
        11,
        reason,
    )


def contract_use() -> ContractUse:
    return ContractUse(
        ContractId(3),
        "FE-9103",
        CustomerId(1),
        CUSTOMER,
        "premium",
        "Premium",
        date(2026, 1, 16),
        date(2027, 1, 15),
        21.5,
        20,
        3,
        4,
        1.5,
    )


def customer(*, tickets: int = 14, empty_reason: str = "", name: str = CUSTOMER) -> CustomerServiceReport:
    received = datetime(2025, 12, 3, 9, 0, tzinfo=BOGOTA)
    lines = tuple(
        CustomerTicketLine(
            TicketId(100 + i),
            f"SOP-2026-{100 + i:05d}",
            received + timedelta(days=25 * i),
            (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)[i % 4],
            "premium",
            TicketStatus.CLOSED if i % 5 else TicketStatus.CLOSED_NO_RESPONSE,
            (2.0, 4.0, 8.0, 16.0)[i % 4],
            received + timedelta(days=25 * i, hours=1),
            (1.25, 5.5, 3.0, 9.75)[i % 4],
            i % 4 != 1,
            1 if i == 3 else 0,
            received + timedelta(days=25 * i + 2),
        )
        for i in range(tickets)
    )
    return CustomerServiceReport(
        period=YEAR,
        customer_id=CustomerId(1),
        customer_name=name,
        tax_id="800000000-7",
        city="Medellín",
        sla=figures("", "Total", 10, 4) if tickets else figures("", "Total", 0, 0),
        by_month=tuple(
            figures(m.strftime("%Y-%m"), m.strftime("%B"), 1 + i % 2, int(i % 3 == 0))
            for i, m in enumerate(months(YEAR.start, 12))
        ),
        tickets=lines,
        visits=(
            CustomerVisitLine(
                received + timedelta(days=30),
                received + timedelta(days=30, hours=5, minutes=30),
                "SOP-2026-00101",
                "MK-M3-250031",
                "Camilo Herrera",
                "Medellín",
                5.5,
                True,
                True,
                180_000,
            ),
            CustomerVisitLine(
                received + timedelta(days=90),
                received + timedelta(days=90, hours=2),
                "",
                "MK-R1-240007",
                "Camilo Herrera",
                "Medellín",
                2.0,
                False,
                False,
                0,
            ),
        ),
        plan_use=(contract_use(),),
        generated_at=ISSUED,
        empty_reason=empty_reason,
        notes=("El periodo abarca un cambio de la política de soporte.",),
    )
