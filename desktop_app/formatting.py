"""Dates, durations and money the way a Colombian office reads them. Qt-free (the PDFs use it too).

Spanish: "27 nov 2026, 2:30 p. m.", "$ 1.250.000", "1 h 20 min". English keeps the same shapes with
English words, so columns line up in both languages.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from desktop_app.domain.spanish import pesos
from desktop_app.i18n import _, current_language

_MONTHS_ES = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _spanish() -> bool:
    return current_language().startswith("es")


def format_date(day: date, *, with_year: bool = True) -> str:
    months = _MONTHS_ES if _spanish() else _MONTHS_EN
    text = f"{day.day} {months[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def format_time(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    morning, afternoon = ("a. m.", "p. m.") if _spanish() else ("AM", "PM")
    suffix = morning if moment.hour < 12 else afternoon
    return f"{hour}:{moment.minute:02d} {suffix}"


def format_datetime(moment: datetime, tz: tzinfo, *, short: bool = False) -> str:
    """ "27 nov 2026, 2:30 p. m."; `short` drops the year when it is this year's, for table columns."""
    local = moment.astimezone(tz)
    with_year = not short or local.year != datetime.now(tz).year
    return f"{format_date(local.date(), with_year=with_year)}, {format_time(local)}"


def format_working_hours(span: timedelta) -> str:
    """Working time in hours and minutes, never days: "12 h 30 min" of office time is not "12 h" of a day."""
    minutes = int(abs(span).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    if hours:
        return f"{hours} h"
    return _("{minutes} min").format(minutes=minutes)


def format_money(amount: int) -> str:
    """COP without decimals: "$ 1.250.000" (Spanish) or "$1,250,000" (English)."""
    if _spanish():
        return pesos(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,}"


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def format_relative(moment: datetime, now: datetime) -> str:
    """ "hace 5 min", "hace 3 h", "hace 2 d" — how long ago, in wall-clock time."""
    span = now - moment
    if span < timedelta(minutes=1):
        return _("just now")
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return _("{minutes} min ago").format(minutes=minutes)
    if minutes < 24 * 60:
        return _("{hours} h ago").format(hours=minutes // 60)
    return _("{days} d ago").format(days=minutes // (24 * 60))
