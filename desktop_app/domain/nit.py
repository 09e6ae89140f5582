"""The DIAN NIT (Número de Identificación Tributaria): its check digit and the one form we store.

A NIT is a base number (the company's 9 digits, or a person's cédula) and a check digit computed
from it with the DIAN's modulo-11 weights (`stdnum.co.nit`). People write it in many ways
("900.123.456-8", "900123456 8", "9001234568"); we store exactly one:

    **the digits of the base, a dash, the check digit: "900123456-8"** (no dots, no spaces).

Legacy values. Records typed before the check was kept (and the spreadsheets makeR already has)
often carry only the base ("900123456"). Such a value is never completed silently: nothing here
invents a digit the customer's RUT did not give. It stays stored as it is (`normalise_nit` returns
its bare digits), `check_nit` reports `NitProblem.MISSING_CHECK_DIGIT` with the digit it would
have, and the customer page flags it until someone types the full NIT. A new or changed NIT must be
complete and right.

How a value without a dash is read: if its digits are a valid base + check digit, they are one
(a person's 8-digit cédula with its digit, or "9001234568"); otherwise up to 9 digits are taken as a
base without its check digit, and 10 or more as a base followed by a wrong check digit.

`nit_problem` words the problem for a person; it is the one message the service, the import and
the form's inline check all show, so it lives beside the rule it words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from stdnum.co import nit as dian_nit

from desktop_app.i18n import _

# What people put between the digits of a NIT; all of it is dropped.
_SEPARATORS = ". ,\t\u00a0"
_DIGITS = frozenset("0123456789")
# stdnum.co.nit accepts 8 to 16 characters with the check digit: a base of 7 to 15 digits.
MIN_BASE_DIGITS = 7
MAX_BASE_DIGITS = 15
# Without a dash, a value this long or shorter that does not validate is read as a bare base.
_LONGEST_BARE_BASE = 9


class NitProblem(StrEnum):
    EMPTY = "empty"
    NOT_DIGITS = "not_digits"  # letters or other signs besides dots, spaces and one dash
    LENGTH = "length"  # the base is too short or too long
    MISSING_CHECK_DIGIT = "missing_check_digit"  # a bare base (legacy data): the digit is not given
    WRONG_CHECK_DIGIT = "wrong_check_digit"
    LONG_CHECK_DIGIT = "long_check_digit"  # more than one digit after the dash


@dataclass(frozen=True)
class NitCheck:
    """What was read from a typed NIT.

    Attributes:
        text: the value as typed, stripped (for messages).
        base: the base's digits ("" when none could be read).
        given: the check digit as typed ("" when there was none).
        expected: the check digit the base has ("" when the base is unreadable).
        problem: None when the NIT is complete and right.
    """

    text: str
    base: str
    given: str
    expected: str
    problem: NitProblem | None

    @property
    def valid(self) -> bool:
        return self.problem is None

    @property
    def canonical(self) -> str:
        """The stored form: "900123456-8" when valid; the bare base for a legacy value."""
        if self.problem is None:
            return f"{self.base}-{self.given}"
        if self.problem is NitProblem.MISSING_CHECK_DIGIT:
            return self.base
        return self.text

    @property
    def suggestion(self) -> str:
        """The full NIT with the check digit the base has ("" when the base is unreadable)."""
        return f"{self.base}-{self.expected}" if self.expected else ""


def _split(text: str) -> tuple[str, str, bool]:
    """(base, check digit, had a dash) from a typed value, separators dropped."""
    if "-" in text:
        base, _dash, digit = text.rpartition("-")
        return _clean(base), _clean(digit), True
    digits = _clean(text)
    if len(digits) >= 2 and digits.isascii() and digits.isdigit() and dian_nit.is_valid(digits):
        return digits[:-1], digits[-1], False
    if len(digits) <= _LONGEST_BARE_BASE:
        return digits, "", False
    return digits[:-1], digits[-1], False


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch not in _SEPARATORS)


def _only_digits(text: str) -> bool:
    return bool(text) and set(text) <= _DIGITS


def check_nit(text: str) -> NitCheck:
    """Read a typed NIT and say what, if anything, is wrong with it.

    Args:
        text: the NIT as a person typed it (dots, spaces and a dash before the digit allowed).

    Returns:
        The parts read and the problem (None when the NIT is complete with the right digit).
    """
    stripped = text.strip()
    if not _clean(stripped).replace("-", ""):
        return NitCheck(stripped, "", "", "", NitProblem.EMPTY)
    base, given, dashed = _split(stripped)
    if not _only_digits(base) or (given and not _only_digits(given)):
        return NitCheck(stripped, base, given, "", NitProblem.NOT_DIGITS)
    if dashed and len(given) > 1:
        return NitCheck(stripped, base, given, "", NitProblem.LONG_CHECK_DIGIT)
    if not MIN_BASE_DIGITS <= len(base) <= MAX_BASE_DIGITS:
        return NitCheck(stripped, base, given, "", NitProblem.LENGTH)
    expected = dian_nit.calc_check_digit(base)
    if not given:
        return NitCheck(stripped, base, "", expected, NitProblem.MISSING_CHECK_DIGIT)
    if given != expected:
        return NitCheck(stripped, base, given, expected, NitProblem.WRONG_CHECK_DIGIT)
    return NitCheck(stripped, base, given, expected, None)


def normalise_nit(text: str) -> str:
    """The stored form of a NIT: "900123456-8" (base digits, a dash, the check digit).

    A legacy value with only its base comes back as those digits ("900.123.456" → "900123456"): it
    is kept, not completed. Anything else unreadable comes back stripped, unchanged; callers that
    store a NIT check it first with `nit_problem`.
    """
    return check_nit(text).canonical


def nit_base(text: str) -> str:
    """The base's digits, the part that identifies the taxpayer: two NITs with the same base are
    the same customer whatever their check digit or punctuation ("" when unreadable)."""
    found = check_nit(text)
    if found.problem in (None, NitProblem.MISSING_CHECK_DIGIT, NitProblem.WRONG_CHECK_DIGIT):
        return found.base
    return ""


def nit_problem(text: str) -> str | None:
    """What is wrong with a typed NIT, in words for a person; None when it is complete and right.

    Example: "The check digit of NIT 900123456-8 should be 7, not 8."
    """
    return nit_problem_text(check_nit(text))


def nit_problem_text(found: NitCheck) -> str | None:
    """The words for a `NitCheck`'s problem (None when it has none)."""
    if found.problem is None:
        return None
    shown = found.text if len(found.text) <= 40 else found.text[:39] + "…"
    problem = found.problem
    if problem is NitProblem.EMPTY:
        return _("Type the NIT, with its check digit (for example 900123456-8).")
    if problem is NitProblem.NOT_DIGITS:
        return _(
            "NIT {nit} is not a number: write the digits and, after a dash, the check digit (for example 900123456-8)."
        ).format(nit=shown)
    if problem is NitProblem.LONG_CHECK_DIGIT:
        return _("NIT {nit}: the check digit is a single digit after the dash (for example 900123456-8).").format(
            nit=shown
        )
    if problem is NitProblem.LENGTH:
        return _("NIT {nit} has {count} digits before the check digit; a NIT has from {low} to {high}.").format(
            nit=shown, count=len(found.base), low=MIN_BASE_DIGITS, high=MAX_BASE_DIGITS
        )
    if problem is NitProblem.MISSING_CHECK_DIGIT:
        return _(
            "NIT {nit} has no check digit (the digit after the dash on the RUT). If the number is right, it is {full}."
        ).format(nit=shown, full=found.suggestion)
    return _("The check digit of NIT {nit} should be {expected}, not {given}.").format(
        nit=shown, expected=found.expected, given=found.given
    )
