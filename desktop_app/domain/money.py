"""Amounts in Colombian pesos (integers, no decimals) and the IVA added on documents (R6, R17)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

IVA_RATE_PERCENT = 19


@dataclass(frozen=True)
class PriceWithIva:
    before_iva: int
    iva: int

    @property
    def total(self) -> int:
        return self.before_iva + self.iva


def with_iva(before_iva: int, rate_percent: int = IVA_RATE_PERCENT) -> PriceWithIva:
    """IVA rounded half-up to the peso, as invoices show it."""
    iva = (Decimal(before_iva) * rate_percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return PriceWithIva(before_iva, int(iva))
