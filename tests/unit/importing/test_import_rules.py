"""The pure rules of an import (domain/importing.py): header guessing, dates, yes/no, prices."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app import i18n
from desktop_app.domain.importing import (
    KIND_FIELDS,
    Field,
    ImportKind,
    cell_text,
    contact_key,
    field_spec,
    fold,
    guess_mapping,
    missing_required,
    parse_date,
    parse_whole_pesos,
    parse_yes_no,
    split_list,
)
from desktop_app.wording.importing import field_label_for, import_kind_label


def test_fold_ignores_accents_case_and_punctuation() -> None:
    assert fold("  Razón   SOCIAL: ") == "razon social"
    assert fold("Teléfono/Celular") == "telefono celular"
    assert fold("E-mail") == "e mail"


@pytest.mark.parametrize(
    ("kind", "headers", "expected"),
    [
        (
            ImportKind.CUSTOMERS,
            ("Razón social", "NIT", "Ciudad", "Correo", "Teléfono"),
            (Field.NAME, Field.TAX_ID, Field.CITY, Field.EMAIL, Field.PHONE),
        ),
        (
            ImportKind.CUSTOMERS,
            ("LEGAL NAME", "Tax ID", "city", "E-mail", "Phone", "Código interno"),
            (Field.NAME, Field.TAX_ID, Field.CITY, Field.EMAIL, Field.PHONE, None),
        ),
        (
            ImportKind.MACHINES,
            ("Serial", "Modelo", "NIT cliente", "Fecha de compra", "Fin de garantía"),
            (Field.SERIAL, Field.MODEL, Field.TAX_ID, Field.PURCHASE_DATE, Field.WARRANTY_END),
        ),
        (
            ImportKind.CONTRACTS,
            ("Factura", "NIT", "Plan", "Inicio", "Fin", "Valor", "Seriales"),
            (Field.INVOICE, Field.TAX_ID, Field.PLAN, Field.VALID_FROM, Field.VALID_TO, Field.PRICE, Field.MACHINES),
        ),
        (
            ImportKind.CONTACTS,
            ("NIT del cliente", "Nombre", "Cargo", "Correo electrónico", "Celular"),
            (Field.TAX_ID, Field.NAME, Field.ROLE, Field.EMAIL, Field.PHONE),
        ),
    ],
)
def test_headers_are_guessed_in_spanish_and_english(
    kind: ImportKind, headers: tuple[str, ...], expected: tuple[Field | None, ...]
) -> None:
    assert guess_mapping(kind, headers) == expected


def test_a_header_that_only_starts_with_a_name_is_taken_after_exact_ones() -> None:
    assert guess_mapping(ImportKind.CUSTOMERS, ("NIT (con DV)", "Razón social", "Ciudad")) == (
        Field.TAX_ID,
        Field.NAME,
        Field.CITY,
    )


def test_each_field_goes_to_one_column_only() -> None:
    assert guess_mapping(ImportKind.CUSTOMERS, ("NIT", "NIT", "")) == (Field.TAX_ID, None, None)


def test_missing_required_fields_are_named() -> None:
    mapping = guess_mapping(ImportKind.MACHINES, ("Serial", "Modelo"))
    assert missing_required(ImportKind.MACHINES, mapping) == (Field.TAX_ID, Field.PURCHASE_DATE)
    assert field_spec(ImportKind.MACHINES, Field.SERIAL).required


@pytest.mark.parametrize("language", ["es_CO", "en"])
def test_an_export_header_is_recognised_by_the_import_in_both_languages(language: str) -> None:
    i18n.install(language)
    for kind, specs in KIND_FIELDS.items():
        labels = tuple(field_label_for(kind, spec.field) for spec in specs)
        assert guess_mapping(kind, labels) == tuple(spec.field for spec in specs), (kind, labels)
        assert import_kind_label(kind)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-31", date(2026, 3, 31)),
        ("2026-3-1", date(2026, 3, 1)),
        ("2026-03-31 00:00:00", date(2026, 3, 31)),
        ("31/03/2026", date(2026, 3, 31)),
        ("1/3/2026", date(2026, 3, 1)),
        ("31-03-2026", date(2026, 3, 31)),
        ("31.03.2026", date(2026, 3, 31)),
        ("31/02/2026", None),
        ("03/31/26", None),
        ("marzo 3", None),
        ("", None),
        ("2026-13-01", None),
    ],
)
def test_dates_are_read_as_iso_or_day_first(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_any_date_reads_back_from_both_formats(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d/%m/") + f"{day.year:04d}") == day


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Sí", True), ("si", True), ("X", True), ("yes", True), ("1", True), ("No", False), ("", False), ("quizá", None)],
)
def test_yes_no(text: str, expected: bool | None) -> None:
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$ 1.250.000", 1_250_000),
        ("1250000", 1_250_000),
        ("1250000.0", 1_250_000),
        ("1,250,000", 1_250_000),
        ("COP 980.000", 980_000),
        ("1.250,50", None),
        ("mil", None),
        ("-5", None),
    ],
)
def test_prices_in_whole_pesos(text: str, expected: int | None) -> None:
    assert parse_whole_pesos(text) == expected


def test_lists_contacts_and_cells() -> None:
    assert split_list("MK-1, MK-2;MK-3  MK-4") == ("MK-1", "MK-2", "MK-3", "MK-4")
    assert contact_key("Ana Pérez", " Ana@X.co ") == "e:ana@x.co"
    assert contact_key("Ana  Pérez", "") == contact_key("ana perez", "")
    assert cell_text(None) == ""
    assert cell_text(True) == "sí" and cell_text(False) == "no"
    assert cell_text(900123456.0) == "900123456"
    assert cell_text(12.5) == "12.5"
    assert cell_text(datetime(2026, 3, 1)) == "2026-03-01"
    assert cell_text(datetime(2026, 3, 1, 8, 30)) == "2026-03-01 08:30:00"
    assert cell_text(date(2026, 3, 1)) == "2026-03-01"
    assert cell_text("x") == "x"
