"""What a machine record must be to be registered (R2: the machine is every request's reference).

Checked as a whole, every problem named at once, like a visit.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from desktop_app.domain.qr import SERIAL_PATTERN


class MachineProblem(StrEnum):
    SERIAL = "serial"  # not a serial a label can carry
    PURCHASE_IN_FUTURE = "purchase_in_future"
    WARRANTY_BEFORE_PURCHASE = "warranty_before_purchase"
    MAINTENANCE_BEFORE_PURCHASE = "maintenance_before_purchase"
    MAINTENANCE_IN_FUTURE = "maintenance_in_future"


class MachineError(ValueError):
    def __init__(self, problems: tuple[MachineProblem, ...]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


def normal_serial(serial: str) -> str:
    """Serials are kept as printed on the label: upper case, no surrounding blanks."""
    return serial.strip().upper()


def check_machine(
    *, serial: str, purchase_date: date, warranty_end: date, last_maintenance: date | None, today: date
) -> None:
    """Raises MachineError naming every problem of the record."""
    problems: list[MachineProblem] = []
    if not SERIAL_PATTERN.fullmatch(normal_serial(serial)):
        problems.append(MachineProblem.SERIAL)
    if purchase_date > today:
        problems.append(MachineProblem.PURCHASE_IN_FUTURE)
    if warranty_end < purchase_date:
        problems.append(MachineProblem.WARRANTY_BEFORE_PURCHASE)
    if last_maintenance is not None:
        if last_maintenance < purchase_date:
            problems.append(MachineProblem.MAINTENANCE_BEFORE_PURCHASE)
        if last_maintenance > today:
            problems.append(MachineProblem.MAINTENANCE_IN_FUTURE)
    if problems:
        raise MachineError(tuple(problems))
