"""Calendar words and peso amounts as Colombian Spanish writes them, for the texts customers read
whatever language the desk's window runs in: their mail (services/mail_facts.py) and the public
support pages (web/site.py). The window's own dates and amounts follow its language
(desktop_app/formatting.py, which uses `pesos` when the window is in Spanish)."""

from __future__ import annotations

from datetime import date

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def long_date(day: date) -> str:
    """ "1 de diciembre de 2026"."""
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def pesos(amount: int) -> str:
    """COP without decimals, thousands grouped with dots: "$ 1.250.000", "-$ 5.000"."""
    sign = "-" if amount < 0 else ""
    return f"{sign}$ {abs(amount):,}".replace(",", ".")
