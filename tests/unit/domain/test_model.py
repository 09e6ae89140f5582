"""Small domain rules: contract validity, discontinued models (R5), IVA (R6, R17), label payloads."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.domain.ids import ModelCode, PlanCode
from desktop_app.domain.model import (
    OPEN_STATUSES,
    ContractState,
    ProductModel,
    Technology,
    TicketStatus,
    contract_state,
)
from desktop_app.domain.money import with_iva
from desktop_app.domain.policy import DEFAULT_POLICY
from desktop_app.domain.qr import label_payload


def test_r15_contract_state_by_validity() -> None:
    start, end = date(2026, 12, 1), date(2027, 11, 30)
    assert contract_state(start, end, date(2026, 11, 30)) is ContractState.UPCOMING
    assert contract_state(start, end, start) is ContractState.ACTIVE
    assert contract_state(start, end, date(2027, 10, 30)) is ContractState.ACTIVE  # 31 days left
    assert contract_state(start, end, date(2027, 10, 31)) is ContractState.EXPIRING  # 30 days: offer the renewal
    assert contract_state(start, end, end) is ContractState.EXPIRING
    assert contract_state(start, end, date(2027, 12, 1)) is ContractState.EXPIRED
    assert ContractState.EXPIRING.in_force and not ContractState.EXPIRED.in_force


def test_r5_model_is_discontinued_from_its_end_of_life_date() -> None:
    model = ProductModel(ModelCode("M2"), "makeR M2", Technology.FDM, discontinued_from=date(2023, 6, 30))
    assert not model.is_discontinued(date(2023, 6, 29))
    assert model.is_discontinued(date(2023, 6, 30))
    assert not ProductModel(ModelCode("M3"), "makeR M3", Technology.FDM).is_discontinued(date(2030, 1, 1))


@pytest.mark.parametrize(
    ("before", "iva", "total"),
    [(1_000_000, 190_000, 1_190_000), (180_000, 34_200, 214_200), (5, 1, 6), (0, 0, 0), (2, 0, 2)],
)
def test_r17_iva_is_19_percent_rounded_half_up(before: int, iva: int, total: int) -> None:
    price = with_iva(before)
    assert (price.before_iva, price.iva, price.total) == (before, iva, total)


def test_r6_plans_have_prices_before_iva_and_onsite_flags() -> None:
    premium = DEFAULT_POLICY.plan(PlanCode("premium"))
    warranty = DEFAULT_POLICY.plan(PlanCode("garantia"))
    assert premium.onsite and premium.price_before_iva > 0
    assert not warranty.onsite and warranty.price_before_iva == 0
    with pytest.raises(KeyError):
        DEFAULT_POLICY.plan(PlanCode("oro"))


def test_open_statuses() -> None:
    assert TicketStatus.WAITING_CUSTOMER.is_open and TicketStatus.NEW in OPEN_STATUSES
    assert not TicketStatus.CLOSED.is_open and not TicketStatus.OUT_OF_SCOPE.is_open


def test_r2_label_payload_is_a_url_with_the_upper_case_serial() -> None:
    assert label_payload("  mk-m3-240012 ") == "https://somosmaker.com/soporte/m/MK-M3-240012"
