"""Importing customers, contacts, machines and contracts from the spreadsheets an office already
has, and exporting them again.

A file goes through three steps: it is read (the SheetReader adapter: CSV or XLSX), each column is
given a field (guessed from its header, or chosen by the person), and every row is checked and
turned into the values to write. Each refused row says its row number, its column and what is
wrong. A dry run stops there. A real import writes every valid row in one transaction (or nothing
when the person asked for "all or nothing" and a row was refused), in bulk, and updates the records
the file names again instead of adding them twice: customers by NIT, contacts by customer and
e-mail (or name), machines by serial, contracts by invoice number. It is audited (R18) with one
entry for the import and one per record written.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from datetime import time as day_time
from pathlib import Path
from typing import Protocol

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.contracts import ContractError, ContractProblem, check_contract
from desktop_app.domain.importing import (
    DATE_FORMATS,
    KIND_FIELDS,
    Field,
    ImportKind,
    contact_key,
    fold,
    guess_mapping,
    missing_required,
    parse_date,
    parse_whole_pesos,
    parse_yes_no,
    split_list,
)
from desktop_app.domain.machines import MachineError, MachineProblem, check_machine, normal_serial
from desktop_app.domain.model import ContactChannel, CustomerKind
from desktop_app.domain.nit import NitProblem, check_nit, nit_base, nit_problem_text
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.domain.places import Place, find_place, suggest_places
from desktop_app.domain.qr import label_payload
from desktop_app.domain.search import fold as search_fold
from desktop_app.domain.search import search_document
from desktop_app.errors import PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.import_ports import (
    CellProblem,
    ContactValues,
    ContractKey,
    ContractValues,
    CustomerKey,
    CustomerValues,
    ImportRepository,
    MachineKey,
    MachineValues,
    ModelKey,
    OpenSheet,
    SheetReader,
    SheetRow,
    SheetWriter,
    WriteCounts,
)
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line
from desktop_app.wording import machine_problems_text
from desktop_app.wording.importing import field_label_for, import_kind_label

PREVIEW_ROWS = 20
# Per-record audit entries are written up to this many records; a bigger import is audited by
# its one summary entry (which says how many were created and updated).
MAX_RECORD_AUDIT = 100_000
_KIND_WORDS = {
    CustomerKind.UNIVERSITY: ("universidad", "university", "institucion universitaria"),
    CustomerKind.SCHOOL: ("colegio", "escuela", "school", "institucion educativa"),
    CustomerKind.LAB: ("laboratorio", "lab", "laboratory"),
    CustomerKind.MAKERSPACE: ("makerspace", "maker space", "hackerspace", "fablab", "fab lab"),
    CustomerKind.COMPANY: ("empresa", "company", "compania", "business", "sas", "industria"),
}
_CHANNEL_WORDS = {
    ContactChannel.EMAIL: ("correo", "correo electronico", "email", "e mail", "mail"),
    ContactChannel.PHONE: ("telefono", "llamada", "celular", "phone", "call"),
    ContactChannel.WHATSAPP: ("whatsapp", "wa", "whats app"),
}
# What each export writes, in order (the repository's export_rows yield the same columns).
EXPORT_FIELDS: dict[ImportKind, tuple[Field, ...]] = {
    ImportKind.CUSTOMERS: (
        Field.NAME,
        Field.TAX_ID,
        Field.CITY,
        Field.DEPARTMENT,
        Field.ADDRESS,
        Field.EMAIL,
        Field.PHONE,
        Field.KIND,
        Field.PAID_UP,
        Field.TRAINED,
        Field.NOTES,
    ),
    ImportKind.CONTACTS: (
        Field.TAX_ID,
        Field.NAME,
        Field.ROLE,
        Field.EMAIL,
        Field.PHONE,
        Field.CHANNEL,
        Field.CONSENT_DATE,
    ),
    ImportKind.MACHINES: (
        Field.SERIAL,
        Field.MODEL,
        Field.TAX_ID,
        Field.PURCHASE_DATE,
        Field.WARRANTY_END,
        Field.LAST_MAINTENANCE,
    ),
    ImportKind.CONTRACTS: (
        Field.INVOICE,
        Field.TAX_ID,
        Field.PLAN,
        Field.VALID_FROM,
        Field.VALID_TO,
        Field.PRICE,
        Field.MACHINES,
        Field.SPECIAL,
    ),
}


class Progress(Protocol):
    """Where a long import reports how far it got, and is asked whether to stop (the window
    implements it with signals; ARCHITECTURE.md convention 2)."""

    def report(self, done: int, text: str) -> None: ...

    def cancelled(self) -> bool: ...


class ImportCancelled(UserFacingError):
    """The person stopped the import; nothing was written."""


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with one row: its row number in the file, the column's header and why."""

    row: int
    column: str
    message: str

    def line(self) -> str:
        """The problem as one line, as the command line prints it ("fila 12, columna NIT: …")."""
        if self.column:
            return _("row {row}, column {column}: {message}").format(
                row=self.row, column=self.column, message=self.message
            )
        return _("row {row}: {message}").format(row=self.row, message=self.message)


@dataclass(frozen=True)
class FieldChoice:
    field: Field
    label: str
    required: bool


@dataclass(frozen=True)
class ImportPreview:
    """What the dialog shows before anything is checked: the file's columns, the field each was
    given, and its first rows."""

    kind: ImportKind
    file_format: str
    encoding: str
    delimiter: str
    sheet_name: str
    header_row: int
    headers: tuple[str, ...]
    mapping: tuple[Field | None, ...]
    rows: tuple[tuple[str, ...], ...]
    fields: tuple[FieldChoice, ...]  # what a column may be given, in the kind's order


@dataclass(frozen=True)
class ImportReport:
    kind: ImportKind
    rows_read: int
    valid_rows: int
    refused_rows: int
    problems: tuple[ImportProblem, ...]
    dry_run: bool
    all_or_nothing: bool
    written: bool  # the valid rows were written (False for a dry run, or all-or-nothing refused)
    created: int = 0
    updated: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Row:
    """One row being checked: the text of each field, and the problems found."""

    number: int
    texts: dict[Field, str]
    headers: dict[Field, str]
    problems: list[ImportProblem] = field(default_factory=list)

    def text(self, f: Field) -> str:
        return self.texts.get(f, "")

    def has(self, f: Field) -> bool:
        return f in self.texts

    def problem(self, f: Field | None, message: str) -> None:
        self.problems.append(ImportProblem(self.number, self.headers.get(f, "") if f else "", message))


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _date_problem(text: str) -> str:
    return _("“{text}” is not a date; write it as {formats}.").format(text=text, formats=_(" or ").join(DATE_FORMATS))


class _Lookups:
    """What the checks need from the database, read once per import (never once per row)."""

    def __init__(self, repo: ImportRepository, plans: Sequence[tuple[str, str, int]]) -> None:
        self.customers = repo.customers_by_tax_id()
        self.by_base: dict[str, CustomerKey] = {}
        for key in self.customers.values():
            self.by_base.setdefault(nit_base(key.tax_id) or key.tax_id, key)
        self.customers_by_id = {key.id: key for key in self.customers.values()}
        self.models = repo.models()
        self.model_by_code = {fold(m.code): m for m in self.models}
        self.model_by_name = {fold(m.name): m for m in self.models}
        self.plans = {fold(code): (code, price) for code, _name, price in plans}
        self.plans.update({fold(name): (code, price) for code, name, price in plans})
        self.plan_names = [name for _code, name, _price in plans]
        self.added_places = tuple(Place(name, department, added=True) for name, department in repo.added_places())
        self._repo = repo
        self._machines: dict[str, MachineKey] | None = None
        self._contracts: dict[str, ContractKey] | None = None
        self._contacts: dict[tuple[int, str], int] | None = None

    @property
    def machines(self) -> dict[str, MachineKey]:
        if self._machines is None:
            self._machines = self._repo.machines_by_serial()
        return self._machines

    @property
    def contracts(self) -> dict[str, ContractKey]:
        if self._contracts is None:
            self._contracts = self._repo.contracts_by_invoice()
        return self._contracts

    @property
    def contacts(self) -> dict[tuple[int, str], int]:
        if self._contacts is None:
            self._contacts = self._repo.contact_keys()
        return self._contacts


class _Checker:
    """Turns rows of one kind into the values to write, or their problems; remembers what the file
    already used (a NIT, a serial, an invoice) so a repeat names the first row."""

    def __init__(self, kind: ImportKind, lookups: _Lookups, now: datetime, tz: tzinfo, actor_id: int | None) -> None:
        self.kind = kind
        self.lookups = lookups
        self.now, self.tz, self.actor_id = now, tz, actor_id
        self.today = now.astimezone(tz).date()
        self.seen: dict[str, int] = {}
        self._places: dict[tuple[str, str], tuple[Place | None, str]] = {}
        self._owners: dict[str, tuple[CustomerKey | None, str | None]] = {}
        self._models: dict[str, ModelKey | None] = {}
        self._tails: dict[tuple[str, int], str] = {}
        self.check: Callable[[_Row], object | None] = {
            ImportKind.CUSTOMERS: self._customer,
            ImportKind.CONTACTS: self._contact,
            ImportKind.MACHINES: self._machine,
            ImportKind.CONTRACTS: self._contract,
        }[kind]

    # -- shared checks -----------------------------------------------------------------------------

    def _lengths(self, row: _Row) -> None:
        for spec in KIND_FIELDS[self.kind]:
            text = row.text(spec.field)
            if spec.required and not text:
                row.problem(spec.field, _("this column is empty; it is required."))
            elif spec.max_length and len(text) > spec.max_length:
                row.problem(
                    spec.field, _("at most {n} characters (it has {count}).").format(n=spec.max_length, count=len(text))
                )

    def _repeat(self, row: _Row, f: Field, key: str, shown: str) -> bool:
        """True (and a problem) when an earlier row of the file already has this key."""
        first = self.seen.get(key)
        if first is not None:
            row.problem(f, _("{value} is already on row {first} of this file.").format(value=shown, first=first))
            return True
        self.seen[key] = row.number
        return False

    def _owner(self, row: _Row) -> CustomerKey | None:
        text = row.text(Field.TAX_ID)
        if not text:
            return None
        if text not in self._owners:  # a customer owns many rows: its NIT is checked once
            self._owners[text] = self._find_owner(text)
        found, problem = self._owners[text]
        if problem is not None:
            row.problem(Field.TAX_ID, problem)
        return found

    def _find_owner(self, text: str) -> tuple[CustomerKey | None, str | None]:
        found_nit = check_nit(text)
        if found_nit.problem not in (None, NitProblem.MISSING_CHECK_DIGIT):
            # A wrong check digit is not taken as the customer's (a typo in the base looks the same).
            return None, nit_problem_text(found_nit) or text
        found = self.lookups.by_base.get(found_nit.base)
        if found is None:
            return None, _("there is no customer with NIT {nit}; import the customers first.").format(nit=text)
        return found, None

    def _date(self, row: _Row, f: Field) -> date | None:
        text = row.text(f)
        if not text:
            return None
        day = parse_date(text)
        if day is None:
            row.problem(f, _date_problem(text))
        return day

    def _yes_no(self, row: _Row, f: Field) -> bool | None:
        if not row.has(f):
            return None
        value = parse_yes_no(row.text(f))
        if value is None:
            row.problem(f, _("“{text}” is not yes or no; write Sí or No.").format(text=row.text(f)))
        return value

    def _optional(self, row: _Row, f: Field) -> str | None:
        return row.text(f) if row.has(f) else None

    # -- customers ---------------------------------------------------------------------------------

    def _customer(self, row: _Row) -> CustomerValues | None:
        self._lengths(row)
        nit_text = row.text(Field.TAX_ID)
        tax_id = ""
        if nit_text:
            found = check_nit(nit_text)  # once: the check digit is the slow part of a customer row
            if found.problem is not None:
                row.problem(Field.TAX_ID, nit_problem_text(found) or nit_text)
            else:
                tax_id = found.canonical
                self._repeat(row, Field.TAX_ID, "nit:" + found.base, nit_text)
        city = self._city(row)
        email = self._optional(row, Field.EMAIL)
        if email and "@" not in email:
            row.problem(Field.EMAIL, _("“{text}” is not an e-mail address.").format(text=email))
        kind = None
        if row.text(Field.KIND):
            kind = self._customer_kind(row)
        paid_up, trained = self._yes_no(row, Field.PAID_UP), self._yes_no(row, Field.TRAINED)
        if row.problems or not tax_id or city is None:
            return None
        city_name, department = city
        before = self.lookups.by_base.get(tax_id.partition("-")[0])
        stamped = paid_up is not None and (before is None or before.paid_up != paid_up)
        return CustomerValues(
            tax_id=tax_id,
            name=row.text(Field.NAME),
            city=city_name,
            email=email,
            phone=self._optional(row, Field.PHONE),
            kind=kind,
            paid_up=paid_up,
            trained=trained,
            address=self._optional(row, Field.ADDRESS),
            department=department,
            notes=self._optional(row, Field.NOTES),
            paid_up_set_at=self.now if stamped else None,
            paid_up_set_by=self.actor_id if stamped else None,
        )

    def _city(self, row: _Row) -> tuple[str, str] | None:
        text, department = row.text(Field.CITY), row.text(Field.DEPARTMENT)
        if not text:
            return None
        key = (text, department)
        if key not in self._places:  # a city is looked up (and its suggestions made) once per file
            self._places[key] = self._find_place(text, department)
        place, message = self._places[key]
        if place is None:
            row.problem(Field.CITY, message)
            return None
        return place.name, place.department

    def _find_place(self, text: str, department: str) -> tuple[Place | None, str]:
        place = find_place(text, department, self.lookups.added_places)
        if place is not None:
            return place, ""
        hints = ", ".join(p.label for p in suggest_places(text, 3, self.lookups.added_places))
        where = _("{city} ({department})").format(city=text, department=department) if department else text
        message = _("{city} is not a Colombian municipality we know.").format(city=where)
        if hints:
            message += " " + _("Did you mean: {names}?").format(names=hints)
        return None, message

    def _customer_kind(self, row: _Row) -> str | None:
        folded = fold(row.text(Field.KIND))
        for kind, words in _KIND_WORDS.items():
            if folded == kind.value or folded in words:
                return kind.value
        row.problem(
            Field.KIND,
            _("“{text}” is not a customer type; write one of: {choices}.").format(
                text=row.text(Field.KIND), choices="universidad, colegio, laboratorio, makerspace, empresa"
            ),
        )
        return None

    # -- contacts ----------------------------------------------------------------------------------

    def _contact(self, row: _Row) -> ContactValues | None:
        self._lengths(row)
        owner = self._owner(row)
        email = self._optional(row, Field.EMAIL)
        if email and "@" not in email:
            row.problem(Field.EMAIL, _("“{text}” is not an e-mail address.").format(text=email))
        channel = self._channel(row) if row.text(Field.CHANNEL) else None
        consented = self._date(row, Field.CONSENT_DATE)
        if consented is not None and consented > self.today:
            row.problem(Field.CONSENT_DATE, _("the consent date cannot be in the future."))
        if owner is None or row.problems:
            return None
        key = contact_key(row.text(Field.NAME), email or "")
        shown = email or row.text(Field.NAME)
        if self._repeat(row, Field.EMAIL if email else Field.NAME, f"contact:{owner.id}:{key}", shown):
            return None
        return ContactValues(
            owner.id,
            key,
            row.text(Field.NAME),
            self._optional(row, Field.ROLE),
            email,
            self._optional(row, Field.PHONE),
            channel,
            datetime.combine(consented, day_time(), self.tz) if consented is not None else None,
        )

    def _channel(self, row: _Row) -> str | None:
        folded = fold(row.text(Field.CHANNEL))
        for channel, words in _CHANNEL_WORDS.items():
            if folded == channel.value or folded in words:
                return channel.value
        row.problem(
            Field.CHANNEL,
            _("“{text}” is not a channel; write correo, teléfono or WhatsApp.").format(text=row.text(Field.CHANNEL)),
        )
        return None

    # -- machines ----------------------------------------------------------------------------------

    def _machine(self, row: _Row) -> MachineValues | None:
        self._lengths(row)
        serial = normal_serial(row.text(Field.SERIAL))
        if serial:
            self._repeat(row, Field.SERIAL, "serial:" + serial, serial)
        model = self._model(row)
        owner = self._owner(row)
        registered = self.lookups.machines.get(serial)
        if registered is not None and owner is not None and registered.customer_id != owner.id:
            # Who owns a machine decides its support (R3) and its contracts: not changed by a file.
            other = self.lookups.customers_by_id.get(registered.customer_id)
            row.problem(
                Field.TAX_ID,
                _("machine {serial} is registered to {customer}; change its owner on the machine's page.").format(
                    serial=serial, customer=other.name if other else registered.customer_id
                ),
            )
        purchased = self._date(row, Field.PURCHASE_DATE)
        warranty_end = self._date(row, Field.WARRANTY_END)
        maintained = self._date(row, Field.LAST_MAINTENANCE)
        if purchased is not None and serial:
            warranty = warranty_end or _add_months(purchased, model.warranty_months if model else 12)
            try:
                check_machine(
                    serial=serial,
                    purchase_date=purchased,
                    warranty_end=warranty,
                    last_maintenance=maintained,
                    today=self.today,
                )
            except MachineError as exc:
                for problem in exc.problems:
                    row.problem(_MACHINE_FIELDS[problem], machine_problems_text((problem,)))
        if row.problems or model is None or owner is None or purchased is None:
            return None
        return MachineValues(
            serial=serial,
            qr_payload=label_payload(serial),
            model_code=model.code,
            customer_id=owner.id,
            purchase_date=purchased,
            warranty_end=warranty_end or _add_months(purchased, model.warranty_months),
            last_preventive_maintenance=maintained,
            search_text=search_fold(serial) + self._search_tail(model, owner),
        )

    def _search_tail(self, model: ModelKey, owner: CustomerKey) -> str:
        """The folded model and owner part of a machine's search text (domain.search), once per pair."""
        key = (model.code, owner.id)
        if key not in self._tails:
            self._tails[key] = search_document("", model.name, owner.name, owner.tax_id, owner.city)
            self._tails[key] = " " + self._tails[key] if self._tails[key] else ""
        return self._tails[key]

    def _model(self, row: _Row) -> ModelKey | None:
        text = row.text(Field.MODEL)
        if not text:
            return None
        if text not in self._models:
            key = fold(text)
            self._models[text] = self.lookups.model_by_code.get(key) or self.lookups.model_by_name.get(key)
        found = self._models[text]
        if found is None:
            known = ", ".join(m.name for m in self.lookups.models[:8]) or _("none yet")
            row.problem(
                Field.MODEL,
                _("there is no model “{text}” in the catalogue (models: {known}).").format(text=text, known=known),
            )
        return found

    # -- contracts ---------------------------------------------------------------------------------

    def _contract(self, row: _Row) -> ContractValues | None:
        self._lengths(row)
        invoice = row.text(Field.INVOICE)
        owner = self._owner(row)
        if invoice:
            repeated = self._repeat(row, Field.INVOICE, "invoice:" + invoice.casefold(), invoice)
            used = self.lookups.contracts.get(invoice)
            if not repeated and used is not None and owner is not None and used.customer_id != owner.id:
                other = self.lookups.customers_by_id.get(used.customer_id)
                row.problem(
                    Field.INVOICE,
                    _("invoice {invoice} is already used by a contract of {customer}.").format(
                        invoice=invoice, customer=other.name if other else used.customer_id
                    ),
                )
        plan = None
        if row.text(Field.PLAN):
            plan = self.lookups.plans.get(fold(row.text(Field.PLAN)))
            if plan is None:
                row.problem(
                    Field.PLAN,
                    _("there is no plan “{text}” (plans: {plans}).").format(
                        text=row.text(Field.PLAN), plans=", ".join(self.lookups.plan_names)
                    ),
                )
        start, end = self._date(row, Field.VALID_FROM), self._date(row, Field.VALID_TO)
        price = None
        if row.text(Field.PRICE):
            price = parse_whole_pesos(row.text(Field.PRICE))
            if price is None:
                row.problem(
                    Field.PRICE,
                    _("“{text}” is not a price in whole pesos (for example 1.250.000).").format(
                        text=row.text(Field.PRICE)
                    ),
                )
        if start is not None and end is not None:
            try:
                check_contract(
                    invoice_number=invoice or "-",
                    valid_from=start,
                    valid_to=end,
                    price_before_iva=price or 0,
                    invoice_taken=False,
                )
            except ContractError as exc:
                if ContractProblem.END_BEFORE_START in exc.problems:
                    row.problem(Field.VALID_TO, _("the contract cannot end before it starts."))
        machine_ids = self._covered(row, owner)
        special = self._yes_no(row, Field.SPECIAL)
        if row.problems or owner is None or plan is None or start is None or end is None:
            return None
        new = invoice not in self.lookups.contracts
        return ContractValues(
            invoice_number=invoice,
            customer_id=owner.id,
            plan_code=plan[0],
            valid_from=start,
            valid_to=end,
            price_before_iva=price if price is not None else (plan[1] if new else None),
            machine_ids=machine_ids,
            special=special,
        )

    def _covered(self, row: _Row, owner: CustomerKey | None) -> tuple[int, ...] | None:
        if not row.has(Field.MACHINES):
            return None
        ids = []
        for serial in split_list(row.text(Field.MACHINES)):
            machine = self.lookups.machines.get(normal_serial(serial))
            if machine is None:
                row.problem(Field.MACHINES, _("machine {serial} is not registered.").format(serial=serial))
            elif owner is not None and machine.customer_id != owner.id:
                row.problem(Field.MACHINES, _("machine {serial} belongs to another customer.").format(serial=serial))
            else:
                ids.append(machine.id)
        return tuple(ids)


_MACHINE_FIELDS = {
    MachineProblem.SERIAL: Field.SERIAL,
    MachineProblem.PURCHASE_IN_FUTURE: Field.PURCHASE_DATE,
    MachineProblem.WARRANTY_BEFORE_PURCHASE: Field.WARRANTY_END,
    MachineProblem.MAINTENANCE_BEFORE_PURCHASE: Field.LAST_MAINTENANCE,
    MachineProblem.MAINTENANCE_IN_FUTURE: Field.LAST_MAINTENANCE,
}


def _cell_problem_text(problem: CellProblem) -> str:
    if problem.code == "formula":
        return _(
            "cell {cells} holds a formula with no saved value; open the file in Excel, save it, and try again."
        ).format(cells=problem.cells)
    return _("cells {cells} are merged; unmerge them and write the value in each cell.").format(cells=problem.cells)


class ImportService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        policy: PolicyService,
        clock: Clock,
        reader: SheetReader,
        writer: SheetWriter,
    ) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock
        self._reader = reader
        self._writer = writer

    # -- reading -----------------------------------------------------------------------------------

    def preview(self, path: Path, kind: ImportKind, rows: int = PREVIEW_ROWS) -> ImportPreview:
        """The file's columns with the field guessed for each, and its first rows.

        Raises:
            UnreadableFileError: the file cannot be read (empty, binary, too big, damaged).
        """
        sheet = self._reader.open(path)
        try:
            first: list[tuple[str, ...]] = []
            for row in sheet.rows():
                first.append(tuple(clean_line(cell) for cell in row.cells))
                if len(first) >= rows:
                    break
        finally:
            sheet.close()
        info = sheet.info
        headers = tuple(clean_line(h) for h in info.headers)
        return ImportPreview(
            kind,
            info.file_format,
            info.encoding,
            info.delimiter,
            info.sheet_name,
            info.header_row,
            headers,
            guess_mapping(kind, headers),
            tuple(first),
            self.fields(kind),
        )

    def fields(self, kind: ImportKind) -> tuple[FieldChoice, ...]:
        return tuple(FieldChoice(s.field, field_label_for(kind, s.field), s.required) for s in KIND_FIELDS[kind])

    # -- checking and writing ----------------------------------------------------------------------

    def check(
        self,
        path: Path,
        kind: ImportKind,
        mapping: Sequence[Field | None] | None = None,
        *,
        progress: Progress | None = None,
    ) -> ImportReport:
        """A dry run: every row checked, the problems listed, nothing written. Needs no permission
        (it only reads)."""
        return self._run(path, kind, mapping, actor=None, all_or_nothing=False, progress=progress)

    def import_file(
        self,
        path: Path,
        kind: ImportKind,
        mapping: Sequence[Field | None] | None = None,
        *,
        actor: Actor,
        all_or_nothing: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Check every row and write the valid ones in one transaction (none with all_or_nothing
        when any row is refused). Re-importing updates the records instead of adding them again.

        Raises:
            PermissionDeniedError: the person may not import (coordinators and administrators may).
            UnreadableFileError: the file cannot be read; nothing was written.
            ImportCancelled: the person stopped it; nothing was written.
        """
        if not allows(actor, Permission.IMPORT_DATA):
            raise PermissionDeniedError(_("Your role does not allow importing data."))
        return self._run(path, kind, mapping, actor=actor, all_or_nothing=all_or_nothing, progress=progress)

    def _run(
        self,
        path: Path,
        kind: ImportKind,
        mapping: Sequence[Field | None] | None,
        *,
        actor: Actor | None,
        all_or_nothing: bool,
        progress: Progress | None,
    ) -> ImportReport:
        started = time.perf_counter()
        now, tz = self._clock.now(), self._policy.calendar().tz
        plans = [(str(p.code), p.name, p.price_before_iva) for p in self._policy.policy().plans]
        sheet = self._reader.open(path)
        try:
            headers = tuple(clean_line(h) for h in sheet.info.headers)
            chosen = tuple(mapping) if mapping is not None else guess_mapping(kind, headers)
            chosen = (*chosen[: len(headers)], *([None] * (len(headers) - len(chosen))))
            with self._uow_factory() as uow:
                repo = uow.imports
                actor_id = actor.user_id if actor is not None else None
                checker = _Checker(kind, _Lookups(repo, plans), now, tz, actor_id)
                valid, problems, read, refused = self._check_rows(sheet, kind, headers, chosen, checker, progress)
                dry_run = actor is None
                write = not dry_run and bool(valid) and not (all_or_nothing and problems)
                counts = WriteCounts(0, 0)
                if write:
                    assert actor is not None
                    if progress is not None:
                        progress.report(read, _("Writing {n} rows…").format(n=len(valid)))
                    counts = self._write(repo, kind, valid, checker.lookups)
                    self._audit(uow, repo, kind, actor, path, read, len(refused), counts)
                    uow.commit()
        finally:
            sheet.close()
        return ImportReport(
            kind,
            read,
            len(valid),
            len(refused),
            tuple(problems),
            dry_run,
            all_or_nothing,
            write,
            counts.created,
            counts.updated,
            time.perf_counter() - started,
        )

    def _check_rows(
        self,
        sheet: OpenSheet,
        kind: ImportKind,
        headers: tuple[str, ...],
        mapping: tuple[Field | None, ...],
        checker: _Checker,
        progress: Progress | None,
    ) -> tuple[list[object], list[ImportProblem], int, set[int]]:
        problems: list[ImportProblem] = []
        header_row = sheet.info.header_row
        for cell in sheet.info.header_problems:
            problems.append(ImportProblem(header_row, _column_name(headers, cell.column), _cell_problem_text(cell)))
        labels = {f: field_label_for(kind, f) for f in Field}
        for f in missing_required(kind, mapping):
            problems.append(
                ImportProblem(
                    header_row,
                    labels[f],
                    _("no column of the file is {field}; choose which one is, or add it.").format(field=labels[f]),
                )
            )
        if problems and missing_required(kind, mapping):
            read = sum(1 for _row in sheet.rows())
            return [], problems, read, set(range(read))
        columns = [(index, f) for index, f in enumerate(mapping) if f is not None]
        field_headers = {f: headers[index] or labels[f] for index, f in columns}
        valid: list[object] = []
        refused: set[int] = set()
        read = 0
        for raw in self._rows(sheet, progress):
            read += 1
            row = _Row(raw.number, {f: clean_line(raw.cells[index]) for index, f in columns}, field_headers)
            for cell in raw.problems:
                row.problems.append(
                    ImportProblem(raw.number, _column_name(headers, cell.column), _cell_problem_text(cell))
                )
            values = checker.check(row)
            if row.problems or values is None:
                refused.add(raw.number)
                problems.extend(row.problems)
            else:
                valid.append(values)
        return valid, problems, read, refused

    def _rows(self, sheet: OpenSheet, progress: Progress | None) -> Iterator[SheetRow]:
        for count, row in enumerate(sheet.rows(), start=1):
            if progress is not None and count % 500 == 0:
                if progress.cancelled():
                    raise ImportCancelled(_("The import was stopped; nothing was written."))
                progress.report(count, _("Checked {n} rows…").format(n=count))
            yield row

    def _write(self, repo: ImportRepository, kind: ImportKind, valid: list[object], lookups: _Lookups) -> WriteCounts:
        if kind is ImportKind.CUSTOMERS:
            rows = [v for v in valid if isinstance(v, CustomerValues)]
            existing = {}
            for row in rows:
                found = lookups.by_base.get(row.tax_id.partition("-")[0])  # stored valid: base-digit
                if found is not None:
                    existing[row.tax_id] = found
            return repo.write_customers(rows, existing)
        if kind is ImportKind.CONTACTS:
            return repo.write_contacts([v for v in valid if isinstance(v, ContactValues)], lookups.contacts)
        if kind is ImportKind.MACHINES:
            return repo.write_machines([v for v in valid if isinstance(v, MachineValues)], lookups.machines)
        return repo.write_contracts([v for v in valid if isinstance(v, ContractValues)], lookups.contracts)

    def _audit(
        self,
        uow: object,
        repo: ImportRepository,
        kind: ImportKind,
        actor: Actor,
        path: Path,
        read: int,
        refused: int,
        counts: WriteCounts,
    ) -> None:
        """R18: one entry for the import (file, rows, created, updated), one per record written."""
        now = self._clock.now()
        entity = {
            ImportKind.CUSTOMERS: "customer",
            ImportKind.CONTACTS: "contact",
            ImportKind.MACHINES: "machine",
            ImportKind.CONTRACTS: "contract",
        }[kind]
        summary = AuditEntry(
            now,
            actor.user_id,
            "import",
            kind.value,
            "import",
            {
                "file": ("", path.name),
                "rows": ("", str(read)),
                "refused": ("", str(refused)),
                "created": ("", str(counts.created)),
                "updated": ("", str(counts.updated)),
            },
        )
        entries = [summary]
        if len(counts.written) <= MAX_RECORD_AUDIT:
            source = {"import": ("", path.name)}
            entries += [
                AuditEntry(now, actor.user_id, entity, ident, action, source) for ident, action in counts.written
            ]
        repo.record_audit(entries)

    # -- export ------------------------------------------------------------------------------------

    def export(self, kind: ImportKind, file_format: str) -> tuple[bytes, int]:
        """(the file's bytes, how many records) of every record of a kind, with the headers an
        import recognises. Reads only."""
        labels = [field_label_for(kind, f) for f in EXPORT_FIELDS[kind]]
        with self._uow_factory() as uow:
            repo = uow.imports
            tz = self._policy.calendar().tz
            rows = [tuple(_export_value(v, tz) for v in row) for row in repo.export_rows(kind.value)]
        return self._writer.write(labels, rows, file_format), len(rows)

    def kind_label(self, kind: ImportKind) -> str:
        return import_kind_label(kind)


def _export_value(value: object, tz: tzinfo) -> object:
    if isinstance(value, datetime):
        return value.astimezone(tz).date()  # a consent's day, as the person gave it
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _column_name(headers: tuple[str, ...], index: int) -> str:
    if 0 <= index < len(headers) and headers[index]:
        return headers[index]
    letters, number = "", index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
