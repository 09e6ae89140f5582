"""Amounts as the window shows them: the Spanish window writes pesos as Colombian Spanish does
(domain/spanish.pesos, also used by the customers' pages), the English one with commas."""

from __future__ import annotations

from desktop_app import i18n
from desktop_app.formatting import format_money


def test_the_spanish_window_groups_pesos_with_dots() -> None:
    i18n.install("es_CO")
    assert format_money(1_250_000) == "$ 1.250.000"
    assert format_money(-5_000) == "-$ 5.000"


def test_the_english_window_groups_them_with_commas() -> None:
    i18n.install("en")
    assert format_money(1_250_000) == "$1,250,000"
    assert format_money(-5_000) == "-$5,000"
