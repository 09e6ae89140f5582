"""The product catalogue: what a model record must be, a new machine's warranty from its model, and
the end of life (R5) as the desk shows it.

Checked as a whole, every problem named at once, like a machine.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from enum import StrEnum

from desktop_app.domain.model import ProductModel

# The stored columns (persistence/tables.py): a longer value is refused, never cut.
MODEL_CODE_LENGTH = 40
MODEL_NAME_LENGTH = 120
MODEL_NOTES_LENGTH = 2000
MAX_WARRANTY_MONTHS = 240  # twenty years: more is a typing slip
MAX_MAINTENANCE_INTERVAL_DAYS = 3650  # the policy editor's own bound
# A code is printed on labels and typed in spreadsheets: letters, digits, dot, dash, underscore.
_CODE = re.compile(r"[A-Z0-9][A-Z0-9._-]*")


class ModelProblem(StrEnum):
    CODE_MISSING = "code_missing"
    CODE_TOO_LONG = "code_too_long"
    CODE_CHARACTERS = "code_characters"
    CODE_TAKEN = "code_taken"  # another model has it (found by the service)
    NAME_MISSING = "name_missing"
    NAME_TOO_LONG = "name_too_long"
    WARRANTY_MONTHS = "warranty_months"
    MAINTENANCE_INTERVAL = "maintenance_interval"
    NOTES_TOO_LONG = "notes_too_long"


class ModelError(ValueError):
    def __init__(self, problems: tuple[ModelProblem, ...]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


def normal_model_code(code: str) -> str:
    """Codes are kept upper case without surrounding blanks ("m3 " is M3)."""
    return code.strip().upper()


def model_problems(model: ProductModel) -> tuple[ModelProblem, ...]:
    """Every problem of the record (its code already normalised), in the form's order."""
    problems: list[ModelProblem] = []
    if not model.code:
        problems.append(ModelProblem.CODE_MISSING)
    elif len(model.code) > MODEL_CODE_LENGTH:
        problems.append(ModelProblem.CODE_TOO_LONG)
    elif not _CODE.fullmatch(model.code):
        problems.append(ModelProblem.CODE_CHARACTERS)
    if not model.name:
        problems.append(ModelProblem.NAME_MISSING)
    elif len(model.name) > MODEL_NAME_LENGTH:
        problems.append(ModelProblem.NAME_TOO_LONG)
    if not 1 <= model.warranty_months <= MAX_WARRANTY_MONTHS:
        problems.append(ModelProblem.WARRANTY_MONTHS)
    interval = model.maintenance_interval_days
    if interval is not None and not 1 <= interval <= MAX_MAINTENANCE_INTERVAL_DAYS:
        problems.append(ModelProblem.MAINTENANCE_INTERVAL)
    if len(model.notes) > MODEL_NOTES_LENGTH:
        problems.append(ModelProblem.NOTES_TOO_LONG)
    return tuple(problems)


def check_model(model: ProductModel) -> None:
    """Raises ModelError naming every problem of the record."""
    problems = model_problems(model)
    if problems:
        raise ModelError(problems)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_end(purchase_date: date, warranty_months: int) -> date:
    """The last day of a new machine's warranty: its model's months after the purchase, less a day
    (bought on 15 March with 12 months: covered until 14 March of the next year)."""
    return date.fromordinal(add_months(purchase_date, warranty_months).toordinal() - 1)


def end_of_life_passed(end_of_life: date | None, today: date) -> bool:
    """Whether a model is past its end of life (R5) on `today` (the same rule as
    ProductModel.is_discontinued, for read models that only carry the date)."""
    return end_of_life is not None and today >= end_of_life
