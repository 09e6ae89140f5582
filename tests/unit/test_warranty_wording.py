"""R5's warranty, judged once in the domain (the last day counts) and worded from there for the
machine and ticket pages, which used to compare the dates themselves."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.domain.eligibility import in_warranty
from desktop_app.wording import warranty_text

END = date(2026, 11, 30)


def test_R5_a_machine_is_under_warranty_through_its_last_day() -> None:
    assert in_warranty(END, date(2026, 11, 29))
    assert in_warranty(END, END)
    assert not in_warranty(END, date(2026, 12, 1))


@pytest.mark.usefixtures("english_ui")
def test_R5_the_pages_word_the_warranty_from_the_domains_verdict() -> None:
    assert warranty_text(END, END).startswith("Warranty until ")
    assert warranty_text(END, date(2026, 12, 1)).startswith("Warranty expired on ")
    assert warranty_text(END, END, named=False).startswith("Valid until ")
    assert warranty_text(END, date(2026, 12, 1), named=False).startswith("Expired on ")


def test_R5_the_warranty_reads_in_spanish() -> None:  # the suite's default language (tests/conftest.py)
    assert warranty_text(END, date(2026, 12, 1)).startswith("Garantía vencida")
