"""The catalogue's and the company data's pure rules: a model's problems, the warranty arithmetic,
the end of life (R5), the company form's problems and the key fingerprint."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.catalogue import (
    ModelProblem,
    add_months,
    end_of_life_passed,
    model_problems,
    normal_model_code,
    warranty_end,
)
from desktop_app.domain.company import CompanyProblem, CompanyProfile, company_problems, key_fingerprint
from desktop_app.domain.ids import ModelCode
from desktop_app.domain.model import ProductModel, Technology

M3 = ProductModel(ModelCode("M3"), "makeR M3", Technology.FDM)
COMPANY = CompanyProfile(
    "3D makeR Technologies SAS", "900123456-8", "", "", "soporte@somosmaker.com", "", "3D MAKER", ""
)


def test_a_good_model_has_no_problems_and_codes_are_kept_upper_case() -> None:
    assert model_problems(M3) == ()
    assert normal_model_code("  xl-500 ") == "XL-500"


def test_every_problem_of_a_model_is_named_in_the_forms_order() -> None:
    bad = ProductModel(ModelCode("M 3"), "", Technology.RESIN, None, 0, 0, "n" * 2001)
    assert model_problems(bad) == (
        ModelProblem.CODE_CHARACTERS,
        ModelProblem.NAME_MISSING,
        ModelProblem.WARRANTY_MONTHS,
        ModelProblem.MAINTENANCE_INTERVAL,
        ModelProblem.NOTES_TOO_LONG,
    )
    long = replace(M3, code=ModelCode("X" * 41), name="n" * 121, warranty_months=241, maintenance_interval_days=3651)
    assert model_problems(long) == (
        ModelProblem.CODE_TOO_LONG,
        ModelProblem.NAME_TOO_LONG,
        ModelProblem.WARRANTY_MONTHS,
        ModelProblem.MAINTENANCE_INTERVAL,
    )
    assert model_problems(replace(M3, code=ModelCode(""))) == (ModelProblem.CODE_MISSING,)


def test_months_are_added_to_the_same_day_or_the_months_last() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)
    assert warranty_end(date(2026, 3, 15), 12) == date(2027, 3, 14)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(min_value=1, max_value=240))
def test_a_warranty_covers_at_least_28_days_a_month_and_ends_after_the_purchase(day: date, months: int) -> None:
    end = warranty_end(day, months)
    assert end >= day
    assert 28 * months - 1 <= (end - day).days <= 31 * months


def test_R5_the_end_of_life_applies_from_its_day_on() -> None:
    assert not end_of_life_passed(None, date(2026, 12, 1))
    assert not end_of_life_passed(date(2026, 12, 2), date(2026, 12, 1))
    assert end_of_life_passed(date(2026, 12, 1), date(2026, 12, 1))
    assert replace(M3, discontinued_from=date(2026, 12, 1)).is_discontinued(date(2026, 12, 1))


def test_the_company_forms_problems_name_their_fields() -> None:
    assert company_problems(COMPANY) == ()
    bad = replace(COMPANY, legal_name="", support_email="soporte", seal_ring_text="", address="a" * 201)
    assert company_problems(bad) == (
        (CompanyProblem.TOO_LONG, "address"),
        (CompanyProblem.LEGAL_NAME_MISSING, "legal_name"),
        (CompanyProblem.EMAIL, "support_email"),
        (CompanyProblem.SEAL_RING_MISSING, "seal_ring_text"),
    )


def test_a_key_fingerprint_is_the_sha256_in_sixteen_groups_of_four() -> None:
    fingerprint = key_fingerprint(bytes(32))
    assert fingerprint.startswith("6668 7AAD F862 BD77 ")
    assert fingerprint.replace(" ", "") == "66687AADF862BD776C8FC18B8E9F8E20089714856EE233B3902A591D0D5F2925"
    assert len(fingerprint.split(" ")) == 16
