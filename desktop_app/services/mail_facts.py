"""The facts a customer's mail is filled with, written the way a Colombian reads them.

Customer mail is always Spanish (the templates are, and the customers are in Colombia), whatever
language the window runs in: the dates and times here are therefore Spanish data, not translated
interface text (desktop_app/formatting.py follows the window's language).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from desktop_app.domain.escalation import EscalationReason
from desktop_app.domain.spanish import WEEKDAYS, long_date

SUMMARY_LENGTH = 80

_ESCALATION_REASONS = {
    EscalationReason.BREACH.value: "se cumplió el tiempo de respuesta del nivel",
    EscalationReason.PRIORITY_CHANGE.value: "subió la prioridad del caso",
    EscalationReason.MANUAL.value: "un agente lo escaló a mano",
}


def spanish_datetime(moment: datetime, tz: tzinfo) -> str:
    """ "martes 1 de diciembre de 2026, 2:30 p. m." in the given time zone (America/Bogota)."""
    local = moment.astimezone(tz)
    hour = local.hour % 12 or 12
    suffix = "a. m." if local.hour < 12 else "p. m."
    day = f"{WEEKDAYS[local.weekday()]} {long_date(local.date())}"
    return f"{day}, {hour}:{local.minute:02d} {suffix}"


def spanish_date(moment: datetime, tz: tzinfo) -> str:
    return long_date(moment.astimezone(tz).date())


def summary_of(description: str) -> str:
    """The request in one short line: its first non-empty line, cut at a word near 80 characters."""
    line = next((part.strip() for part in description.splitlines() if part.strip()), "")
    line = " ".join(line.split())
    if len(line) <= SUMMARY_LENGTH:
        return line
    cut = line[:SUMMARY_LENGTH].rsplit(" ", 1)[0] or line[:SUMMARY_LENGTH]
    return cut.rstrip(" ,.;:") + "…"


def escalation_reason_text(code: str) -> str:
    return _ESCALATION_REASONS.get(code, code)
