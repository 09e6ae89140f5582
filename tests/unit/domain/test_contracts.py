"""R6: contract checks, overlaps and renewal periods."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.domain.contracts import ContractError, ContractProblem, check_contract, overlapping, renewal_period
from desktop_app.domain.ids import ContractId, CustomerId, MachineId, PlanCode
from desktop_app.domain.model import Contract


def test_r6_a_contract_names_every_bad_field() -> None:
    with pytest.raises(ContractError) as error:
        check_contract(
            invoice_number="FE-1", valid_from=date(2027, 1, 1), valid_to=date(2026, 1, 1), price_before_iva=-5,
            invoice_taken=True,
        )  # fmt: skip
    assert error.value.problems == (
        ContractProblem.INVOICE_REUSED,
        ContractProblem.END_BEFORE_START,
        ContractProblem.NEGATIVE_PRICE,
    )
    check_contract(
        invoice_number="FE-1", valid_from=date(2026, 1, 1), valid_to=date(2026, 1, 1), price_before_iva=0,
        invoice_taken=False,
    )  # fmt: skip


def test_r6_overlap_is_per_machine_and_per_day() -> None:
    other = Contract(CustomerId(1), PlanCode("basico"), "FE-9", date(2026, 1, 1), date(2026, 12, 31), 1,
                     (MachineId(1), MachineId(2)), False, ContractId(9))  # fmt: skip
    machines = (MachineId(2), MachineId(3))
    assert overlapping(machines, date(2026, 12, 31), date(2027, 12, 30), [other]) == [(MachineId(2), other)]
    assert overlapping(machines, date(2027, 1, 1), date(2027, 12, 31), [other]) == []
    assert overlapping((MachineId(3),), date(2026, 6, 1), date(2026, 7, 1), [other]) == []


@pytest.mark.parametrize(
    ("start", "end", "renewed"),
    [
        (date(2026, 12, 1), date(2027, 11, 30), (date(2027, 12, 1), date(2028, 11, 30))),  # a year across Feb 29
        (date(2027, 3, 1), date(2028, 2, 29), (date(2028, 3, 1), date(2029, 2, 28))),
        (date(2026, 1, 1), date(2027, 6, 30), (date(2027, 7, 1), date(2028, 12, 31))),  # 18 months
        (date(2026, 1, 10), date(2026, 2, 18), (date(2026, 2, 19), date(2026, 3, 30))),  # not whole months: 40 days
    ],
)
def test_r6_a_renewal_continues_the_day_after_for_the_same_length(start: date, end: date, renewed: tuple) -> None:  # type: ignore[type-arg]
    assert renewal_period(start, end) == renewed
