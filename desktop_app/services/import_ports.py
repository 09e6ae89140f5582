"""What the import and export services need from the outside world: a spreadsheet reader and
writer (desktop_app/importing/, openpyxl and csv) and bulk reads and writes of the reference data
(persistence/repositories/importing.py), with the plain values they exchange."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from desktop_app.domain.audit import AuditEntry
from desktop_app.errors import UserFacingError

# A spreadsheet larger than this is refused before it is read (the limit).
MAX_FILE_BYTES = 50 * 1024 * 1024
# More data rows than this is not a spreadsheet a person keeps: refused while reading.
MAX_ROWS = 500_000


class UnreadableFileError(UserFacingError):
    """The file is empty, too big, binary, damaged or not a spreadsheet: nothing in it was read."""


@dataclass(frozen=True)
class CellProblem:
    """Something in the file itself that makes a cell unreadable: a formula without a saved value,
    or merged cells. `column` is the 0-based column; `cells` names the cells ("B7", "A5:C5")."""

    column: int
    code: str  # "formula" | "merged"
    cells: str


@dataclass(frozen=True)
class SheetRow:
    """One data row: its row number in the spreadsheet (the header is usually row 1) and each
    column's text (a date cell as ISO, a whole number without ".0")."""

    number: int
    cells: tuple[str, ...]
    problems: tuple[CellProblem, ...] = ()


@dataclass(frozen=True)
class SheetInfo:
    """What was found at the start of a file: its format, encoding and separator (CSV), and the header."""

    file_format: str  # "csv" | "xlsx"
    encoding: str  # "utf-8", "utf-8-sig", "cp1252" or "" for XLSX
    delimiter: str  # ";" "," "\t" or "" for XLSX
    sheet_name: str
    header_row: int
    headers: tuple[str, ...]
    header_problems: tuple[CellProblem, ...] = ()


class OpenSheet(Protocol):
    info: SheetInfo

    def rows(self) -> Iterator[SheetRow]:
        """The data rows after the header, blank rows left out, in order. Raises UnreadableFileError."""
        ...

    def close(self) -> None: ...


class SheetReader(Protocol):
    def open(self, path: Path) -> OpenSheet:
        """The file's first sheet, ready to read row by row.

        Raises:
            UnreadableFileError: missing, empty, over MAX_FILE_BYTES, binary or damaged, no header.
        """
        ...


class SheetWriter(Protocol):
    def write(self, headers: Sequence[str], rows: Sequence[Sequence[object]], file_format: str) -> bytes:
        """The rows as an XLSX workbook ("xlsx") or a UTF-8 CSV with ";" that Excel opens ("csv")."""
        ...


# -- the reference data as the import sees it -------------------------------------------------------


@dataclass(frozen=True)
class CustomerKey:
    id: int
    name: str
    city: str
    tax_id: str
    paid_up: bool = False


@dataclass(frozen=True)
class MachineKey:
    id: int
    customer_id: int


@dataclass(frozen=True)
class ContractKey:
    id: int
    customer_id: int


@dataclass(frozen=True)
class ModelKey:
    code: str
    name: str
    warranty_months: int = 12  # a new machine's warranty when the file gives no end date


@dataclass(frozen=True)
class CustomerValues:
    """A customer row to write; None fields were not in the file and are left as they are (update)
    or take their default (new)."""

    tax_id: str
    name: str
    city: str
    email: str | None = None
    phone: str | None = None
    kind: str | None = None
    paid_up: bool | None = None
    trained: bool | None = None
    address: str | None = None
    department: str | None = None
    notes: str | None = None
    # Who set "a paz y salvo" and when (R3): the importer, when the file sets or changes it.
    paid_up_set_at: datetime | None = None
    paid_up_set_by: int | None = None


@dataclass(frozen=True)
class ContactValues:
    customer_id: int
    key: str  # domain.importing.contact_key
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: str | None = None
    consent_at: datetime | None = None  # Ley 1581: when the contact consented


@dataclass(frozen=True)
class MachineValues:
    serial: str
    qr_payload: str
    model_code: str
    customer_id: int
    purchase_date: date
    warranty_end: date
    last_preventive_maintenance: date | None
    search_text: str


@dataclass(frozen=True)
class ContractValues:
    invoice_number: str
    customer_id: int
    plan_code: str
    valid_from: date
    valid_to: date
    price_before_iva: int | None
    machine_ids: tuple[int, ...] | None  # None: the file has no machines column (an update keeps them)
    special: bool | None


@dataclass(frozen=True)
class WriteCounts:
    created: int
    updated: int
    # (entity id, "create"|"update") of each record written, for the per-record audit entries.
    written: tuple[tuple[str, str], ...] = ()


class ImportRepository(Protocol):
    """Whole-table look-ups and bulk writes (executemany), never one ORM object per row."""

    def customers_by_tax_id(self) -> dict[str, CustomerKey]: ...

    def machines_by_serial(self) -> dict[str, MachineKey]: ...

    def contracts_by_invoice(self) -> dict[str, ContractKey]: ...

    def contact_keys(self) -> dict[tuple[int, str], int]:
        """(customer id, contact key) → contact id."""
        ...

    def models(self) -> list[ModelKey]: ...

    def added_places(self) -> list[tuple[str, str]]:
        """(name, department) of the places an administrator added to the built-in list."""
        ...

    def write_customers(self, rows: Sequence[CustomerValues], existing: Mapping[str, CustomerKey]) -> WriteCounts: ...

    def write_contacts(self, rows: Sequence[ContactValues], existing: Mapping[tuple[int, str], int]) -> WriteCounts: ...

    def write_machines(self, rows: Sequence[MachineValues], existing: Mapping[str, MachineKey]) -> WriteCounts: ...

    def write_contracts(self, rows: Sequence[ContractValues], existing: Mapping[str, ContractKey]) -> WriteCounts: ...

    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Append many audit entries at once (R18)."""
        ...

    def export_rows(self, kind: str) -> Iterator[tuple[object, ...]]:
        """Every record of a kind as the export's columns (EXPORT_COLUMNS), in a stable order."""
        ...
