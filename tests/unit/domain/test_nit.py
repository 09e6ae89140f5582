"""domain.nit: the DIAN check digit, the stored form, legacy values without a digit, the words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.co import nit as stdnum_nit

from desktop_app.domain.nit import NitProblem, check_nit, nit_base, nit_problem, normalise_nit


@pytest.fixture(autouse=True)
def _english(english_ui: None) -> None:
    """Messages are compared in the source language."""


@pytest.mark.parametrize(
    "typed",
    ["900123456-8", "900.123.456-8", " 900 123 456 - 8 ", "9001234568", "900123456 8", "900,123,456-8"],
)
def test_every_way_of_writing_a_valid_nit_is_stored_one_way(typed: str) -> None:
    assert check_nit(typed).problem is None
    assert nit_problem(typed) is None
    assert normalise_nit(typed) == "900123456-8"
    assert nit_base(typed) == "900123456"


def test_a_wrong_check_digit_names_the_expected_and_the_given_digit() -> None:
    found = check_nit("900123456-7")
    assert (found.problem, found.expected, found.given) == (NitProblem.WRONG_CHECK_DIGIT, "8", "7")
    assert nit_problem("900123456-7") == "The check digit of NIT 900123456-7 should be 8, not 7."
    # Ten digits without a dash: the last one is the check digit.
    assert nit_problem("9001234567") == "The check digit of NIT 9001234567 should be 8, not 7."


def test_a_legacy_nit_without_check_digit_is_kept_as_it_is_and_flagged_with_its_digit() -> None:
    found = check_nit("900.123.456")
    assert found.problem is NitProblem.MISSING_CHECK_DIGIT
    assert normalise_nit("900.123.456") == "900123456"  # never completed silently
    assert found.suggestion == "900123456-8"
    assert nit_base("900123456") == nit_base("900123456-8") == "900123456"  # the same taxpayer
    assert "900123456-8" in (nit_problem("900123456") or "")
    assert check_nit("900123456-").problem is NitProblem.MISSING_CHECK_DIGIT


def test_a_person_nit_of_eight_digits_with_its_digit_is_read_without_a_dash() -> None:
    digit = stdnum_nit.calc_check_digit("12345678")
    assert normalise_nit(f"12345678{digit}") == f"12345678-{digit}"


@pytest.mark.parametrize(
    ("typed", "problem", "words"),
    [
        ("", NitProblem.EMPTY, "Type the NIT"),
        ("  - ", NitProblem.EMPTY, "Type the NIT"),
        ("90012345A-8", NitProblem.NOT_DIGITS, "is not a number"),
        ("٩٠٠١٢٣٤٥٦-8", NitProblem.NOT_DIGITS, "is not a number"),  # Arabic-Indic digits are not a NIT
        ("900123456-88", NitProblem.LONG_CHECK_DIGIT, "single digit"),
        ("9000", NitProblem.LENGTH, "has 4 digits"),
        ("1234567890123456-1", NitProblem.LENGTH, "has 16 digits"),
    ],
)
def test_unreadable_nits_say_what_is_wrong(typed: str, problem: NitProblem, words: str) -> None:
    assert check_nit(typed).problem is problem
    assert words in (nit_problem(typed) or "")
    assert nit_base(typed) == ""


def test_a_very_long_nit_is_shortened_in_the_message() -> None:
    message = nit_problem("x" * 5000) or ""
    assert len(message) < 200 and "…" in message


@given(st.text(max_size=40))
def test_any_text_gets_a_verdict_and_valid_ones_agree_with_stdnum(text: str) -> None:
    found = check_nit(text)
    if found.problem is None:
        assert stdnum_nit.is_valid(normalise_nit(text).replace("-", ""))
    else:
        assert nit_problem(text)


@given(st.integers(min_value=1_000_000, max_value=999_999_999_999_999))
def test_the_suggested_digit_is_dians(base: int) -> None:
    found = check_nit(str(base) + "-0")
    assert found.expected == stdnum_nit.calc_check_digit(str(base))
    assert check_nit(found.suggestion).problem is None
