"""The calendar words customers read in their mail and on the public pages."""

from __future__ import annotations

from datetime import date

from desktop_app.domain.spanish import MONTHS, WEEKDAYS, long_date, pesos


def test_a_long_date_names_the_month_in_spanish_without_a_leading_zero() -> None:
    assert long_date(date(2026, 12, 1)) == "1 de diciembre de 2026"
    assert long_date(date(2027, 9, 30)) == "30 de septiembre de 2027"


def test_every_month_and_weekday_is_named_once_in_calendar_order() -> None:
    assert len(set(MONTHS)) == 12 and MONTHS[0] == "enero" and MONTHS[8] == "septiembre"
    assert WEEKDAYS[date(2026, 11, 30).weekday()] == "lunes"  # Monday 30 November 2026
    assert len(set(WEEKDAYS)) == 7 and WEEKDAYS[6] == "domingo"


def test_pesos_group_thousands_with_dots_and_keep_the_sign_before_the_symbol() -> None:
    assert pesos(1_250_000) == "$ 1.250.000"
    assert pesos(0) == "$ 0"
    assert pesos(-5_000) == "-$ 5.000"
