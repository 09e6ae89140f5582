"""Prices as documents show them (R6, R17): before IVA, the IVA rounded to the peso, the total.
The window shows a price as it is typed with the same arithmetic the statements use."""

from __future__ import annotations

from desktop_app.domain.money import PriceWithIva, with_iva


def price_with_iva(before_iva: int) -> PriceWithIva:
    """The price before IVA, its IVA (19 %, rounded half-up to the peso) and the total."""
    return with_iva(before_iva)
