"""What a plan contract must be (R6, R15): checked as a whole, every problem named at once; and
which other contracts already cover the same machines over the same days (a warning, not a
refusal: a customer may upgrade a plan mid-year)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum

from desktop_app.domain.ids import MachineId
from desktop_app.domain.model import Contract


class ContractProblem(StrEnum):
    NO_INVOICE = "no_invoice"
    INVOICE_REUSED = "invoice_reused"
    END_BEFORE_START = "end_before_start"
    NEGATIVE_PRICE = "negative_price"


class ContractError(ValueError):
    def __init__(self, problems: tuple[ContractProblem, ...]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


def check_contract(
    *, invoice_number: str, valid_from: date, valid_to: date, price_before_iva: int, invoice_taken: bool
) -> None:
    problems: list[ContractProblem] = []
    if not invoice_number.strip():
        problems.append(ContractProblem.NO_INVOICE)
    elif invoice_taken:
        problems.append(ContractProblem.INVOICE_REUSED)
    if valid_to < valid_from:
        problems.append(ContractProblem.END_BEFORE_START)
    if price_before_iva < 0:
        problems.append(ContractProblem.NEGATIVE_PRICE)
    if problems:
        raise ContractError(tuple(problems))


def overlapping(
    machine_ids: Sequence[MachineId], valid_from: date, valid_to: date, others: Sequence[Contract]
) -> list[tuple[MachineId, Contract]]:
    """(machine, other contract) for each machine another contract covers on some of these days."""
    found = []
    for other in others:
        if other.valid_from <= valid_to and valid_from <= other.valid_to:
            found += [(machine, other) for machine in machine_ids if machine in other.machine_ids]
    return found


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    target_year, target_month = day.year + year, month + 1
    last_day = (date(target_year + target_month // 12, target_month % 12 + 1, 1) - timedelta(days=1)).day
    return date(target_year, target_month, min(day.day, last_day))


def renewal_period(valid_from: date, valid_to: date) -> tuple[date, date]:
    """The next period of a contract: from the day after it ends, for as many whole months as it
    lasted (a year stays a year across leap days); a period that is not whole months keeps its days."""
    start = valid_to + timedelta(days=1)
    months = (start.year - valid_from.year) * 12 + start.month - valid_from.month
    if months > 0 and _add_months(valid_from, months) == start:
        return start, _add_months(start, months) - timedelta(days=1)
    return start, start + (valid_to - valid_from)
