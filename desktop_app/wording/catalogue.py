"""The product catalogue and the company data in words: the problems of a form, and a model's
end of life (R5) beside its name wherever a person reads it."""

from __future__ import annotations

from datetime import date

from desktop_app.domain.catalogue import (
    MAX_MAINTENANCE_INTERVAL_DAYS,
    MAX_WARRANTY_MONTHS,
    MODEL_CODE_LENGTH,
    MODEL_NAME_LENGTH,
    MODEL_NOTES_LENGTH,
    ModelProblem,
    end_of_life_passed,
)
from desktop_app.domain.company import FIELD_LENGTHS, CompanyProblem
from desktop_app.domain.model import Technology
from desktop_app.formatting import format_date
from desktop_app.i18n import _


def technology_label(technology: Technology) -> str:
    return {Technology.FDM: _("FDM (filament)"), Technology.RESIN: _("Resin")}[technology]


def end_of_life_mark(end_of_life: date | None, today: date) -> str:
    """ "end of life since 30 jun 2023" for a model past its end of life (R5); "" otherwise."""
    if not end_of_life_passed(end_of_life, today):
        return ""
    assert end_of_life is not None
    return _("end of life since {date}").format(date=format_date(end_of_life))


def model_with_end_of_life(name: str, end_of_life: date | None, today: date) -> str:
    """A model's name as lists and pages show it: "makeR M2 · end of life since 30 jun 2023"."""
    mark = end_of_life_mark(end_of_life, today)
    return f"{name} · {mark}" if mark else name


def model_problems_text(problems: tuple[ModelProblem, ...], code: str) -> str:
    """Every problem of a model form, one per line, naming the field."""
    texts = {
        ModelProblem.CODE_MISSING: _("Code: write the model's code (e.g. M3)."),
        ModelProblem.CODE_TOO_LONG: _("Code: at most {n} characters.").format(n=MODEL_CODE_LENGTH),
        ModelProblem.CODE_CHARACTERS: _(
            "Code: only letters without accents, digits, “.”, “-” or “_”, starting with a letter or digit."
        ),
        ModelProblem.CODE_TAKEN: _("Code: {code} is already the code of another model.").format(code=code[:60]),
        ModelProblem.NAME_MISSING: _("Name: write the model's name."),
        ModelProblem.NAME_TOO_LONG: _("Name: at most {n} characters.").format(n=MODEL_NAME_LENGTH),
        ModelProblem.WARRANTY_MONTHS: _("Warranty: from 1 to {n} months.").format(n=MAX_WARRANTY_MONTHS),
        ModelProblem.MAINTENANCE_INTERVAL: _("Preventive maintenance: every 1 to {n} days, or the policy's.").format(
            n=MAX_MAINTENANCE_INTERVAL_DAYS
        ),
        ModelProblem.NOTES_TOO_LONG: _("Notes: at most {n} characters.").format(n=MODEL_NOTES_LENGTH),
    }
    return "\n".join(texts[p] for p in problems)


def company_field_label(field: str) -> str:
    return {
        "legal_name": _("Legal name"),
        "tax_id": _("NIT"),
        "address": _("Address"),
        "phone": _("Phone"),
        "support_email": _("Support e-mail"),
        "website": _("Web site"),
        "seal_ring_text": _("Seal: text around the ring"),
        "seal_centre_text": _("Seal: text in the centre"),
    }.get(field, field)


def company_problems_text(problems: tuple[tuple[CompanyProblem, str], ...]) -> str:
    """Every problem of the company form (but the NIT's), one per line, naming the field."""
    lines = []
    for problem, field in problems:
        label = company_field_label(field)
        if problem is CompanyProblem.TOO_LONG:
            text = _("at most {n} characters").format(n=FIELD_LENGTHS[field])
        elif problem is CompanyProblem.EMAIL:
            text = _("write an e-mail address like soporte@somosmaker.com")
        else:
            text = _("it cannot be empty")
        lines.append(f"{label}: {text}.")
    return "\n".join(lines)
