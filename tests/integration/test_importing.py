"""Importing and exporting customers, contacts, machines and contracts through ImportService, on
SQLite and PostgreSQL: every bad input of issue 13 named with its row and column, nothing written
unless the person chose to write the valid rows, and a re-import that updates instead of duplicating."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from desktop_app.bootstrap import Services
from desktop_app.domain.ids import ModelCode
from desktop_app.domain.importing import Field, ImportKind
from desktop_app.domain.model import ProductModel, Role, Technology, User
from desktop_app.domain.permissions import Actor
from desktop_app.errors import PermissionDeniedError
from desktop_app.persistence.tables import (
    AuditRecord,
    ContactRecord,
    ContractRecord,
    CustomerRecord,
    MachineRecord,
    contract_machines,
)
from desktop_app.services.import_ports import UnreadableFileError
from desktop_app.services.importing import ImportCancelled, ImportReport
from desktop_app.services.users import actor_of

UNINORTE, EAFIT, SENA = "890101681-9", "900123456-8", "800200300-5"
CUSTOMERS = [
    ("Razón social", "NIT", "Ciudad", "Correo", "Teléfono"),
    ("Universidad del Norte", UNINORTE, "Barranquilla", "soporte@uninorte.edu.co", "6053509509"),
    ("Universidad EAFIT", EAFIT, "medellin", "", ""),
    ("SENA Cali", SENA, "CALI", "", ""),
]
MACHINES = [
    ("Serial", "Modelo", "NIT", "Fecha de compra", "Fin de garantía"),
    ("MK-M3-0001", "makeR M3", UNINORTE, "2025-03-01", "2026-03-01"),
    ("MK-M3-0002", "M3", EAFIT, "15/06/2025", ""),
    ("MK-R1-0003", "makeR Resin R1", SENA, "2024-01-10", "2025-01-10"),
]


def _csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    path.write_text("\n".join(";".join(str(c) for c in row) for row in rows) + "\n", encoding="utf-8")
    return path


def _xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    return path


def _count(services: Services, table: object) -> int:
    with services.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def _problems(report: ImportReport) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in report.problems]


@pytest.fixture
def office(empty_services: Services) -> tuple[Services, Actor]:
    """A new office: two product models and a coordinator, nothing else."""
    with empty_services.uow_factory() as uow:
        uow.catalog.add_model(ProductModel(ModelCode("M3"), "makeR M3", Technology.FDM))
        uow.catalog.add_model(ProductModel(ModelCode("R1"), "makeR Resin R1", Technology.RESIN))
        user = uow.catalog.add_user(User("coord", "Carolina Rojas", "c@somosmaker.com", Role.COORDINATOR, "Cali"))
        uow.commit()
    return empty_services, actor_of(user)


def _with_customers(office: tuple[Services, Actor], tmp_path: Path) -> None:
    services, actor = office
    report = services.imports.import_file(_csv(tmp_path / "c.csv", CUSTOMERS), ImportKind.CUSTOMERS, actor=actor)
    assert report.ok and report.created == 3


def test_customers_are_imported_then_updated_by_nit_not_duplicated(
    office: tuple[Services, Actor], tmp_path: Path
) -> None:
    services, actor = office
    first = services.imports.import_file(_csv(tmp_path / "c.csv", CUSTOMERS), ImportKind.CUSTOMERS, actor=actor)
    assert (first.created, first.updated, first.problems, first.written) == (3, 0, (), True)
    changed = [CUSTOMERS[0], ("Fundación Universidad del Norte", "890.101.681-9", "Barranquilla", "", ""), CUSTOMERS[2]]
    again = services.imports.import_file(_xlsx(tmp_path / "c.xlsx", changed), ImportKind.CUSTOMERS, actor=actor)
    assert (again.created, again.updated, again.problems) == (0, 2, ())
    assert _count(services, CustomerRecord) == 3
    with services.engine.connect() as connection:
        rows = dict(connection.execute(select(CustomerRecord.tax_id, CustomerRecord.name)).all())
        city = connection.scalar(select(CustomerRecord.city).where(CustomerRecord.tax_id == EAFIT))
    assert rows[UNINORTE] == "Fundación Universidad del Norte"
    assert city == "Medellín"  # the municipality as it is written, whatever the file's accents and case


def test_all_or_nothing_writes_nothing_when_a_row_is_refused(office: tuple[Services, Actor], tmp_path: Path) -> None:
    services, actor = office
    audited = _count(services, AuditRecord)
    bad = [*CUSTOMERS, ("Mal NIT", "900123456-3", "Cali", "", "")]
    report = services.imports.import_file(
        _csv(tmp_path / "c.csv", bad), ImportKind.CUSTOMERS, actor=actor, all_or_nothing=True
    )
    assert not report.written and report.valid_rows == 3 and report.refused_rows == 1
    assert _problems(report) == [(5, "NIT")]
    assert "8" in report.problems[0].message and "3" in report.problems[0].message
    assert _count(services, CustomerRecord) == 0
    assert _count(services, AuditRecord) == audited


def test_valid_rows_only_writes_the_rest_and_audits_the_import(office: tuple[Services, Actor], tmp_path: Path) -> None:
    services, actor = office
    bad = [*CUSTOMERS, ("Mal NIT", "900123456-3", "Cali", "", "")]
    report = services.imports.import_file(_csv(tmp_path / "clientes.csv", bad), ImportKind.CUSTOMERS, actor=actor)
    assert report.written and report.created == 3 and _problems(report) == [(5, "NIT")]
    assert _count(services, CustomerRecord) == 3
    with services.engine.connect() as connection:
        entries = connection.execute(select(AuditRecord.entity, AuditRecord.action, AuditRecord.changes)).all()
    summary = [json.loads(changes) for entity, action, changes in entries if entity == "import"]
    assert summary == [
        {
            "file": ["", "clientes.csv"],
            "rows": ["", "4"],
            "refused": ["", "1"],
            "created": ["", "3"],
            "updated": ["", "0"],
        }
    ]
    assert sorted(action for entity, action, _c in entries if entity == "customer") == ["create"] * 3
    # The audit page words it (R18): who imported which file, how many rows.
    [view] = services.audit.search(Actor(None, Role.ADMIN), entity="import")
    assert view.actor_name == "Carolina Rojas"
    assert {f.label: f.after for f in view.fields} == {
        "Archivo": "clientes.csv",
        "Filas leídas": "4",
        "Filas rechazadas": "1",
        "Registros creados": "3",
        "Registros actualizados": "0",
    }


def test_a_dry_run_writes_nothing_and_an_agent_may_not_import(office: tuple[Services, Actor], tmp_path: Path) -> None:
    services, _actor = office
    path = _csv(tmp_path / "c.csv", CUSTOMERS)
    report = services.imports.check(path, ImportKind.CUSTOMERS)
    assert report.dry_run and not report.written and report.valid_rows == 3
    agent = Actor(None, Role.AGENT, "Cali", "Laura")
    with pytest.raises(PermissionDeniedError):
        services.imports.import_file(path, ImportKind.CUSTOMERS, actor=agent)
    assert _count(services, CustomerRecord) == 0


def test_customer_bad_rows_are_named_with_row_and_column(
    office: tuple[Services, Actor], tmp_path: Path, english_ui: None
) -> None:
    services, _actor = office
    rows = [
        ("Razón social", "NIT", "Ciudad", "Correo", "Tipo"),
        ("Buena", UNINORTE, "Barranquilla", "", "universidad"),
        ("Dígito malo", "890101681-2", "Cali", "", ""),
        ("Repetida", "890.101.681-9", "Cali", "", ""),
        ("Ciudad rara", EAFIT, "Barranqilla", "", ""),
        ("", SENA, "Cali", "sin-arroba", "nave espacial"),
    ]
    report = services.imports.check(_csv(tmp_path / "c.csv", rows), ImportKind.CUSTOMERS)
    assert _problems(report) == [
        (3, "NIT"),
        (4, "NIT"),
        (5, "Ciudad"),
        (6, "Razón social"),
        (6, "Correo"),
        (6, "Tipo"),
    ]
    messages = [p.message for p in report.problems]
    assert "should be 9, not 2" in messages[0]
    assert "already on row 2" in messages[1]
    assert "Did you mean: Barranquilla (Atlántico)" in messages[2]
    assert "required" in messages[3]


def test_machines_bad_rows_customer_model_serial_and_dates(
    office: tuple[Services, Actor], tmp_path: Path, english_ui: None
) -> None:
    _with_customers(office, tmp_path)
    services, _actor = office
    rows = [
        *MACHINES,
        ("MK-M3-0001", "makeR M3", UNINORTE, "2025-03-01", ""),  # repeated serial
        ("MK-M3-0009", "makeR M3", "901234567-7", "2025-03-01", ""),  # no such customer
        ("MK-X9-0010", "makeR X9", UNINORTE, "2025-03-01", ""),  # no such model
        ("MK-M3-0011", "makeR M3", UNINORTE, "03-31-2025", ""),  # month first
        ("MK-M3-0012", "makeR M3", UNINORTE, "2025-03-01", "2024-01-01"),  # warranty before purchase
    ]
    report = services.imports.check(_xlsx(tmp_path / "m.xlsx", rows), ImportKind.MACHINES)
    assert _problems(report) == [
        (5, "Serial"),
        (6, "NIT"),
        (7, "Modelo"),
        (8, "Fecha de compra"),
        (9, "Fin de garantía"),
    ]
    assert "no customer with NIT 901234567-7" in report.problems[1].message
    assert "AAAA-MM-DD or DD/MM/AAAA" in report.problems[3].message
    assert report.valid_rows == 3 and report.refused_rows == 5


def test_machines_reimport_by_serial_and_default_warranty(office: tuple[Services, Actor], tmp_path: Path) -> None:
    _with_customers(office, tmp_path)
    services, actor = office
    first = services.imports.import_file(_csv(tmp_path / "m.csv", MACHINES), ImportKind.MACHINES, actor=actor)
    assert (first.created, first.updated, first.problems) == (3, 0, ())
    rows = [
        MACHINES[0],
        ("mk-m3-0002", "makeR M3", EAFIT, "2025-06-15", ""),  # the same machine, written otherwise
        ("MK-R1-0003", "makeR Resin R1", UNINORTE, "2024-01-10", ""),  # another owner: not by a file
    ]
    again = services.imports.import_file(_csv(tmp_path / "m2.csv", rows), ImportKind.MACHINES, actor=actor)
    assert (again.created, again.updated, _problems(again)) == (0, 1, [(3, "NIT")])
    assert "SENA Cali" in again.problems[0].message
    assert _count(services, MachineRecord) == 3
    with services.engine.connect() as connection:
        row = connection.execute(
            select(MachineRecord.warranty_end, MachineRecord.qr_payload, MachineRecord.search_text).where(
                MachineRecord.serial == "MK-M3-0002"
            )
        ).one()
    assert row.warranty_end == date(2026, 6, 15)  # 12 months from the purchase when the file gives none
    assert row.qr_payload.endswith("MK-M3-0002")
    assert "universidad eafit" in row.search_text


def test_contacts_reimport_by_customer_and_email(office: tuple[Services, Actor], tmp_path: Path) -> None:
    _with_customers(office, tmp_path)
    services, actor = office
    rows = [
        ("NIT cliente", "Nombre", "Cargo", "Correo"),
        (UNINORTE, "Ana Pérez", "Jefe de laboratorio", "ana@uninorte.edu.co"),
        (UNINORTE, "Luis Gómez", "Técnico", ""),
        (EAFIT, "Ana Pérez", "Docente", "ana@eafit.edu.co"),
        (UNINORTE, "Ana P.", "Jefe", "ANA@uninorte.edu.co"),  # the same e-mail again in the file
        ("999", "Nadie", "", ""),
    ]
    first = services.imports.import_file(_csv(tmp_path / "k.csv", rows), ImportKind.CONTACTS, actor=actor)
    assert first.created == 3 and _problems(first) == [(5, "Correo"), (6, "NIT cliente")]
    again = services.imports.import_file(_csv(tmp_path / "k.csv", rows[:4]), ImportKind.CONTACTS, actor=actor)
    assert (again.created, again.updated, again.problems) == (0, 3, ())
    assert _count(services, ContactRecord) == 3


def test_contracts_by_invoice_with_their_machines(
    office: tuple[Services, Actor], tmp_path: Path, english_ui: None
) -> None:
    _with_customers(office, tmp_path)
    services, actor = office
    services.imports.import_file(_csv(tmp_path / "m.csv", MACHINES), ImportKind.MACHINES, actor=actor)
    rows = [
        ("Factura", "NIT", "Plan", "Inicio", "Fin", "Precio", "Máquinas"),
        ("FV-1001", UNINORTE, "Premium", "2026-01-01", "2026-12-31", "$ 4.500.000", "MK-M3-0001"),
        ("FV-1002", EAFIT, "profesional", "01/02/2026", "31/01/2027", "", "MK-M3-0002"),
        ("FV-1003", SENA, "Oro", "2026-01-01", "2026-12-31", "", ""),  # unknown plan
        ("FV-1004", SENA, "Básico", "2026-12-31", "2026-01-01", "", "MK-M3-0001"),  # end first; another's machine
    ]
    first = services.imports.import_file(_csv(tmp_path / "k.csv", rows), ImportKind.CONTRACTS, actor=actor)
    assert first.created == 2
    assert _problems(first) == [(4, "Plan"), (5, "Fin"), (5, "Máquinas")]
    assert "belongs to another customer" in first.problems[2].message
    # The same invoice for another customer: refused; for its own customer: an update.
    second = [
        rows[0],
        ("FV-1001", EAFIT, "Premium", "2026-01-01", "2026-12-31", "", ""),
        ("FV-1002", EAFIT, "Premium", "2026-02-01", "2027-01-31", "", "MK-M3-0002"),
    ]
    report = services.imports.import_file(_csv(tmp_path / "k2.csv", second), ImportKind.CONTRACTS, actor=actor)
    assert _problems(report) == [(2, "Factura")]
    assert "already used by a contract of Universidad del Norte" in report.problems[0].message
    assert (report.created, report.updated) == (0, 1)
    assert _count(services, ContractRecord) == 2 and _count(services, contract_machines) == 2
    with services.engine.connect() as connection:
        plan, price = connection.execute(
            select(ContractRecord.plan_code, ContractRecord.price_before_iva).where(
                ContractRecord.invoice_number == "FV-1002"
            )
        ).one()
    assert plan == "premium" and price > 0  # the plan's price was kept from the first import


def test_missing_required_column_refuses_every_row(office: tuple[Services, Actor], tmp_path: Path) -> None:
    services, _actor = office
    rows = [("Razón social", "Ciudad"), ("Sin NIT", "Cali")]
    report = services.imports.check(_csv(tmp_path / "c.csv", rows), ImportKind.CUSTOMERS)
    assert _problems(report) == [(1, "NIT")] and report.refused_rows == 1 and report.valid_rows == 0


def test_a_chosen_mapping_overrides_the_guess(office: tuple[Services, Actor], tmp_path: Path) -> None:
    services, actor = office
    rows = [("Col A", "Col B", "Col C"), ("Universidad del Norte", UNINORTE, "Barranquilla")]
    path = _csv(tmp_path / "c.csv", rows)
    preview = services.imports.preview(path, ImportKind.CUSTOMERS)
    assert preview.mapping == (None, None, None) and preview.rows == (rows[1],)
    report = services.imports.import_file(
        path, ImportKind.CUSTOMERS, [Field.NAME, Field.TAX_ID, Field.CITY], actor=actor
    )
    assert report.ok and report.created == 1


def test_formulas_and_merged_cells_are_named(office: tuple[Services, Actor], tmp_path: Path, english_ui: None) -> None:
    services, _actor = office
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (CUSTOMERS[0], CUSTOMERS[1], ("=A2", EAFIT, "Medellín", "", ""), CUSTOMERS[3], CUSTOMERS[3]):
        sheet.append(list(row))
    sheet.merge_cells("C5:C6")
    book.save(tmp_path / "c.xlsx")
    report = services.imports.check(tmp_path / "c.xlsx", ImportKind.CUSTOMERS)
    assert (3, "Razón social") in _problems(report)
    assert "A3 holds a formula" in report.problems[0].message
    merged = [p for p in report.problems if "merged" in p.message]
    assert [(p.row, p.column) for p in merged] == [(5, "Ciudad"), (6, "Ciudad")]
    assert "C5:C6" in merged[0].message


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"\x00\x01\x02binary\x00", "binary"), (b"PK\x03\x04broken zip", "XLSX")],
)
def test_unreadable_files_are_refused_and_nothing_is_written(
    office: tuple[Services, Actor], tmp_path: Path, english_ui: None, content: bytes, words: str
) -> None:
    services, actor = office
    audited = _count(services, AuditRecord)
    path = tmp_path / "file.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError, match=words):
        services.imports.import_file(path, ImportKind.CUSTOMERS, actor=actor)
    assert _count(services, AuditRecord) == audited


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_an_export_imports_back_as_updates_only(
    office: tuple[Services, Actor], tmp_path: Path, file_format: str
) -> None:
    _with_customers(office, tmp_path)
    services, actor = office
    services.imports.import_file(_csv(tmp_path / "m.csv", MACHINES), ImportKind.MACHINES, actor=actor)
    for kind in (ImportKind.CUSTOMERS, ImportKind.MACHINES):
        data, count = services.imports.export(kind, file_format)
        assert count == 3
        path = tmp_path / f"{kind.value}.{file_format}"
        path.write_bytes(data)
        if file_format == "xlsx":
            assert zipfile.is_zipfile(path)
        report = services.imports.import_file(path, kind, actor=actor)
        assert (report.created, report.updated, report.problems) == (0, 3, ()), report.problems


def test_a_renamed_customer_s_machines_are_found_by_the_new_name(
    office: tuple[Services, Actor], tmp_path: Path
) -> None:
    _with_customers(office, tmp_path)
    services, actor = office
    services.imports.import_file(_csv(tmp_path / "m.csv", MACHINES), ImportKind.MACHINES, actor=actor)
    renamed = [CUSTOMERS[0], ("Servicio Nacional de Aprendizaje", SENA, "Cali", "", "")]
    services.imports.import_file(_csv(tmp_path / "c2.csv", renamed), ImportKind.CUSTOMERS, actor=actor)
    assert [m.serial for m in services.machines.search("aprendizaje")] == ["MK-R1-0003"]


def test_contacts_consent_date_and_preferred_channel(
    office: tuple[Services, Actor], tmp_path: Path, english_ui: None
) -> None:
    _with_customers(office, tmp_path)
    services, actor = office
    rows = [
        ("NIT cliente", "Nombre", "Correo", "Canal preferido", "Fecha de consentimiento"),
        (UNINORTE, "Ana Pérez", "ana@uninorte.edu.co", "WhatsApp", "15/03/2026"),
        (UNINORTE, "Luis Gómez", "luis@uninorte.edu.co", "paloma mensajera", "2026-03-15"),
        (UNINORTE, "Eva Ruiz", "eva@uninorte.edu.co", "teléfono", "2027-01-01"),
    ]
    report = services.imports.import_file(_csv(tmp_path / "k.csv", rows), ImportKind.CONTACTS, actor=actor)
    assert report.created == 1 and _problems(report) == [(3, "Canal preferido"), (4, "Fecha de consentimiento")]
    with services.engine.connect() as connection:
        channel, consent = connection.execute(
            select(ContactRecord.preferred_channel, ContactRecord.consent_at).where(ContactRecord.name == "Ana Pérez")
        ).one()
    assert channel == "whatsapp"
    assert consent is not None and consent.date() == date(2026, 3, 15)
    data, count = services.imports.export(ImportKind.CONTACTS, "csv")
    assert count == 1 and "whatsapp;2026-03-15" in data.decode("utf-8-sig")


class _StopAtOnce:
    """A Progress whose person pressed "Detener" before the first report."""

    def __init__(self) -> None:
        self.reports: list[tuple[int, str]] = []

    def report(self, done: int, text: str) -> None:
        self.reports.append((done, text))

    def cancelled(self) -> bool:
        return True


def test_a_stopped_import_writes_nothing(office: tuple[Services, Actor], tmp_path: Path) -> None:
    services, actor = office
    rows = [CUSTOMERS[0], *((f"Cliente {i}", f"{800_000_000 + i}", "Cali", "", "") for i in range(600))]
    with pytest.raises(ImportCancelled):
        services.imports.import_file(
            _csv(tmp_path / "c.csv", rows), ImportKind.CUSTOMERS, actor=actor, progress=_StopAtOnce()
        )
    assert _count(services, CustomerRecord) == 0


@pytest.mark.parametrize("kind", list(ImportKind))
def test_the_demo_data_exported_imports_back_without_a_problem(
    demo_services: Services, tmp_path: Path, kind: ImportKind
) -> None:
    data, count = demo_services.imports.export(kind, "xlsx")
    path = tmp_path / f"{kind.value}.xlsx"
    path.write_bytes(data)
    report = demo_services.imports.check(path, kind)
    assert count > 0 and report.rows_read == count
    assert report.problems == ()
