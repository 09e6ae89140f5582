"""How the report PDFs write their figures (documents/report_pdf.py, report_customer_pdf.py):
percentages, working hours, months and periods in the reader's language, "sin datos" for a figure
that has none, and the key figures every SLA part starts with. No ReportLab here: the command line
writes its tables with the same words (cli_reports.py)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from desktop_app.formatting import format_date, format_working_hours
from desktop_app.i18n import _, current_language
from desktop_app.services.report_dto import ReportPeriod, SlaFigures

BOGOTA = ZoneInfo("America/Bogota")


def percent(ratio: float | None) -> str:
    """0.934 → "93,4 %" (Spanish) / "93.4 %"; None → "sin datos"."""
    if ratio is None:
        return _("no data")
    text = f"{ratio * 100:.1f}".removesuffix(".0")
    return (text.replace(".", ",") if current_language().startswith("es") else text) + " %"


def hours(value: float | None) -> str:
    """Working hours as "3 h 15 min"; None → "sin datos"."""
    return _("no data") if value is None else format_working_hours(timedelta(hours=value))


def month_label(key: str) -> str:
    """ "2026-11" → "nov 2026"."""
    try:
        year, month = (int(part) for part in key.split("-", 1))
        return format_date(date(year, month, 1)).split(" ", 1)[1]
    except ValueError:
        return key


def period_text(period: ReportPeriod) -> str:
    return _("{start} to {end}").format(start=format_date(period.start), end=format_date(period.end))


def number(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if current_language().startswith("es") else text


def count(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def hours_note() -> str:
    return _(
        "Times are working hours of the support calendar (no weekends or public holidays); time spent waiting "
        "for information from the customer does not count."
    )


def sla_boxes(figures: SlaFigures) -> list[tuple[str, str]]:
    return [
        (_("First responses on time"), percent(figures.compliance)),
        (_("On time / late"), f"{figures.first_met} / {figures.first_missed}"),
        (_("Median first response"), hours(figures.median_first_response_hours)),
        (_("90th percentile"), hours(figures.p90_first_response_hours)),
    ]
