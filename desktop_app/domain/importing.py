"""Importing records from a spreadsheet: which fields each kind of record has, which column holds
which field (guessed from Spanish and English headers), and reading one cell's text as a date, a
yes/no or a whole number.

Pure and Qt-free: the service reads the file through an adapter, asks these rules about each cell,
and words the problem codes (wording/importing.py). Nothing here knows about the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class ImportKind(StrEnum):
    CUSTOMERS = "customers"
    CONTACTS = "contacts"
    MACHINES = "machines"
    CONTRACTS = "contracts"


class Field(StrEnum):
    """Every field an import can fill; each kind uses some of them (KIND_FIELDS)."""

    NAME = "name"
    TAX_ID = "tax_id"  # the customer's NIT (its own, or the owner's for contacts, machines, contracts)
    CITY = "city"
    DEPARTMENT = "department"
    ADDRESS = "address"
    EMAIL = "email"
    PHONE = "phone"
    KIND = "kind"
    PAID_UP = "paid_up"
    TRAINED = "trained"
    NOTES = "notes"
    CHANNEL = "channel"  # a contact's preferred channel
    CONSENT_DATE = "consent_date"  # when a contact consented to the processing of personal data (Ley 1581)
    ROLE = "role"
    SERIAL = "serial"
    MODEL = "model"
    PURCHASE_DATE = "purchase_date"
    WARRANTY_END = "warranty_end"
    LAST_MAINTENANCE = "last_maintenance"
    INVOICE = "invoice"
    PLAN = "plan"
    VALID_FROM = "valid_from"
    VALID_TO = "valid_to"
    PRICE = "price"
    MACHINES = "machines"
    SPECIAL = "special"


@dataclass(frozen=True)
class FieldSpec:
    field: Field
    required: bool
    max_length: int  # the column's size in the database (0: not text)
    headers: tuple[str, ...]  # what spreadsheets call it, Spanish and English, in any case or accents


def _spec(field: Field, required: bool, max_length: int, *headers: str) -> FieldSpec:
    return FieldSpec(field, required, max_length, headers)


# The headers are compared folded (no accents, lower case, one blank between words).
_OWNER_NIT = ("nit cliente", "nit del cliente", "customer nit", "customer tax id", "nit", "tax id", "cliente nit")
KIND_FIELDS: dict[ImportKind, tuple[FieldSpec, ...]] = {
    ImportKind.CUSTOMERS: (
        _spec(
            Field.NAME,
            True,
            200,
            "razon social",
            "nombre",
            "cliente",
            "nombre del cliente",
            "name",
            "legal name",
            "company",
            "customer",
            "customer name",
        ),
        _spec(
            Field.TAX_ID,
            True,
            30,
            "nit",
            "nit del cliente",
            "nit cliente",
            "identificacion",
            "tax id",
            "vat",
            "nit con digito de verificacion",
        ),
        _spec(Field.CITY, True, 60, "ciudad", "municipio", "city", "town"),
        _spec(Field.DEPARTMENT, False, 60, "departamento", "department", "state", "region"),
        _spec(Field.ADDRESS, False, 200, "direccion", "address"),
        _spec(Field.EMAIL, False, 200, "correo", "correo electronico", "email", "e mail", "mail"),
        _spec(Field.PHONE, False, 40, "telefono", "tel", "celular", "movil", "phone", "telephone", "mobile"),
        _spec(Field.KIND, False, 0, "tipo", "tipo de cliente", "sector", "kind", "type", "customer type"),
        _spec(Field.PAID_UP, False, 0, "a paz y salvo", "paz y salvo", "al dia", "paid up", "paid"),
        _spec(Field.TRAINED, False, 0, "capacitado", "capacitacion", "trained", "training"),
        _spec(Field.NOTES, False, 2000, "notas", "observaciones", "comentarios", "notes", "comments"),
    ),
    ImportKind.CONTACTS: (
        _spec(Field.TAX_ID, True, 30, *_OWNER_NIT),
        _spec(Field.NAME, True, 120, "nombre", "contacto", "nombre del contacto", "name", "contact", "contact name"),
        _spec(Field.ROLE, False, 80, "cargo", "rol", "puesto", "role", "position", "title", "job title"),
        _spec(Field.EMAIL, False, 200, "correo", "correo electronico", "email", "e mail", "mail"),
        _spec(Field.PHONE, False, 40, "telefono", "tel", "celular", "movil", "phone", "telephone", "mobile"),
        _spec(Field.CHANNEL, False, 0, "canal preferido", "canal", "medio de contacto", "preferred channel", "channel"),
        _spec(
            Field.CONSENT_DATE,
            False,
            0,
            "fecha de consentimiento",
            "consentimiento",
            "autorizacion de datos",
            "fecha de autorizacion",
            "habeas data",
            "consent date",
            "consent",
        ),
    ),
    ImportKind.MACHINES: (
        _spec(Field.SERIAL, True, 40, "serial", "numero de serie", "no de serie", "serie", "serial number", "sn"),
        _spec(Field.MODEL, True, 120, "modelo", "codigo de modelo", "referencia", "model", "model code", "product"),
        _spec(Field.TAX_ID, True, 30, *_OWNER_NIT),
        _spec(
            Field.PURCHASE_DATE,
            True,
            0,
            "fecha de compra",
            "compra",
            "fecha compra",
            "fecha de venta",
            "purchase date",
            "purchased",
            "date of purchase",
        ),
        _spec(
            Field.WARRANTY_END,
            False,
            0,
            "fin de garantia",
            "garantia hasta",
            "vence garantia",
            "garantia",
            "warranty end",
            "warranty until",
            "warranty",
        ),
        _spec(
            Field.LAST_MAINTENANCE,
            False,
            0,
            "ultimo mantenimiento",
            "mantenimiento",
            "last maintenance",
            "last preventive maintenance",
        ),
    ),
    ImportKind.CONTRACTS: (
        _spec(Field.INVOICE, True, 40, "factura", "numero de factura", "no factura", "invoice", "invoice number"),
        _spec(Field.TAX_ID, True, 30, *_OWNER_NIT),
        _spec(Field.PLAN, True, 80, "plan", "tipo de plan", "plan name"),
        _spec(
            Field.VALID_FROM,
            True,
            0,
            "inicio",
            "desde",
            "fecha de inicio",
            "fecha inicio",
            "vigente desde",
            "start",
            "valid from",
            "from",
            "start date",
        ),
        _spec(
            Field.VALID_TO,
            True,
            0,
            "fin",
            "hasta",
            "fecha de fin",
            "fecha fin",
            "vigente hasta",
            "end",
            "valid to",
            "to",
            "end date",
            "until",
        ),
        _spec(
            Field.PRICE,
            False,
            0,
            "precio",
            "valor",
            "precio antes de iva",
            "valor antes de iva",
            "price",
            "price before vat",
            "price before iva",
            "amount",
        ),
        _spec(Field.MACHINES, False, 0, "maquinas", "seriales", "equipos", "machines", "serials"),
        _spec(Field.SPECIAL, False, 0, "especial", "contrato especial", "special"),
    ),
}

# The formats a date may be written in, said in the problem so the person knows what to type.
DATE_FORMATS = ("AAAA-MM-DD", "DD/MM/AAAA")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_YES = frozenset({"si", "s", "yes", "y", "true", "verdadero", "1", "x"})
_NO = frozenset({"no", "n", "false", "falso", "0", ""})
_MONEY_NOISE = re.compile(r"[\s$]|cop", re.IGNORECASE)
_LIST_SEPARATORS = re.compile(r"[,;\s]+")


def fold(text: str) -> str:
    """Text compared without accents, case or punctuation: "Razón  Social:" → "razon social"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare).split())


def field_spec(kind: ImportKind, field: Field) -> FieldSpec:
    return next(spec for spec in KIND_FIELDS[kind] if spec.field is field)


def guess_mapping(kind: ImportKind, headers: tuple[str, ...]) -> tuple[Field | None, ...]:
    """The field each column most likely holds (None: leave the column out).

    An exact folded match wins over a header that only starts with a known name ("NIT (con DV)"),
    and each field goes to one column only: the first that names it.
    """
    folded = [fold(header) for header in headers]
    chosen: list[Field | None] = [None] * len(headers)
    taken: set[Field] = set()
    for exact in (True, False):
        for spec in KIND_FIELDS[kind]:
            if spec.field in taken:
                continue
            for index, name in enumerate(folded):
                if chosen[index] is not None or not name:
                    continue
                hit = name in spec.headers if exact else any(name.startswith(h + " ") for h in spec.headers)
                if hit:
                    chosen[index] = spec.field
                    taken.add(spec.field)
                    break
    return tuple(chosen)


def missing_required(kind: ImportKind, mapping: tuple[Field | None, ...]) -> tuple[Field, ...]:
    """The required fields no column holds."""
    present = set(mapping)
    return tuple(spec.field for spec in KIND_FIELDS[kind] if spec.required and spec.field not in present)


def parse_date(text: str) -> date | None:
    """A date written as ISO (2026-03-31, also with a time) or day first (31/03/2026); None otherwise."""
    text = text.strip()
    iso = _ISO_DATE.fullmatch(text)
    parts = (iso.group(1), iso.group(2), iso.group(3)) if iso else None
    if parts is None:
        dmy = _DMY_DATE.fullmatch(text)
        if dmy is None:
            return None
        parts = (dmy.group(3), dmy.group(2), dmy.group(1))
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:  # 31/02/2026
        return None


def parse_yes_no(text: str) -> bool | None:
    """Sí/No, yes/no, true/false, 1/0, X or blank (no); None when it is none of those."""
    folded = fold(text)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def parse_whole_pesos(text: str) -> int | None:
    """A price in whole pesos: "$ 1.250.000", "1250000", "1,250,000" or "1250000.0"; None otherwise.

    Colombian spreadsheets group thousands with dots; a spreadsheet's own number arrives as
    1250000 or 1250000.0. Cents are not accepted (prices are whole pesos)."""
    bare = _MONEY_NOISE.sub("", text)
    # Grouping first: "980.000" is nine hundred eighty thousand pesos, never 980.
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", bare) and len({c for c in bare if c in ".,"}) == 1:
        return int(re.sub(r"[.,]", "", bare))
    if re.fullmatch(r"\d+(\.0{1,2})?", bare):
        return int(bare.split(".")[0])
    return None


def split_list(text: str) -> tuple[str, ...]:
    """Serials listed in one cell, separated by commas, semicolons or blanks."""
    return tuple(part for part in _LIST_SEPARATORS.split(text) if part)


def contact_key(name: str, email: str) -> str:
    """What makes a contact the same person within one customer: the e-mail, or the name without one."""
    return "e:" + email.strip().casefold() if email.strip() else "n:" + fold(name)


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person would read (a whole float without its ".0", a date as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
