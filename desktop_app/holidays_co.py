"""Colombian public holidays, computed locally by the `holidays` package (no network).

This adapter turns the package into the plain "set of days off" the domain calendar takes. Years
are computed on first use and kept, so a calendar spanning 1984–2100 costs nothing until asked;
the package itself is imported then too, not when the program starts.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date

FIRST_YEAR = 1984
LAST_YEAR = 2100


class ColombianHolidays(Container[date]):
    def __init__(self) -> None:
        self._years: dict[int, frozenset[date]] = {}
        self._names: dict[int, list[tuple[date, str]]] = {}

    def _for_year(self, year: int) -> frozenset[date]:
        days = self._years.get(year)
        if days is None:
            import holidays

            days = frozenset(holidays.country_holidays("CO", years=year).keys())
            self._years[year] = days
        return days

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        return day in self._for_year(day.year)

    def in_year(self, year: int) -> list[tuple[date, str]]:
        """The holidays of one year with their (Spanish) names, for explanations and the CLI."""
        names = self._names.get(year)
        if names is None:
            import holidays

            names = sorted(holidays.country_holidays("CO", years=year, language="es").items())
            self._names[year] = names
        return list(names)
