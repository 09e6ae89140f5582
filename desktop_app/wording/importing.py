"""Words for imports and exports: the fields' column names (also the export's headers, which a
re-import recognises) and the kinds of record."""

from __future__ import annotations

from desktop_app.domain.importing import Field, ImportKind
from desktop_app.i18n import _


def import_field_label(field: Field) -> str:
    """The column name of a field, as an export writes it and the import dialog lists it."""
    labels = {
        Field.NAME: _("Legal name"),
        Field.TAX_ID: _("NIT"),
        Field.CITY: _("City"),
        Field.DEPARTMENT: _("Department"),
        Field.ADDRESS: _("Address"),
        Field.EMAIL: _("E-mail"),
        Field.PHONE: _("Phone"),
        Field.KIND: _("Customer type"),
        Field.PAID_UP: _("Paid up"),
        Field.TRAINED: _("Trained"),
        Field.NOTES: _("Notes"),
        Field.CHANNEL: _("Preferred channel"),
        Field.CONSENT_DATE: _("Consent date"),
        Field.ROLE: _("Role"),
        Field.SERIAL: _("Serial"),
        Field.MODEL: _("Model"),
        Field.PURCHASE_DATE: _("Purchase date"),
        Field.WARRANTY_END: _("Warranty end"),
        Field.LAST_MAINTENANCE: _("Last maintenance"),
        Field.INVOICE: _("Invoice"),
        Field.PLAN: _("Plan"),
        Field.VALID_FROM: _("Start"),
        Field.VALID_TO: _("End"),
        Field.PRICE: _("Price before IVA"),
        Field.MACHINES: _("Machines"),
        Field.SPECIAL: _("Special"),
    }
    return labels[field]


def contact_name_label() -> str:
    """A contact's name column (a customer's is its legal name)."""
    return _("Contact name")


def field_label_for(kind: ImportKind, field: Field) -> str:
    if kind is ImportKind.CONTACTS and field is Field.NAME:
        return contact_name_label()
    if kind is not ImportKind.CUSTOMERS and field is Field.TAX_ID:
        return _("Customer NIT")
    return import_field_label(field)


def import_kind_label(kind: ImportKind) -> str:
    labels = {
        ImportKind.CUSTOMERS: _("Customers"),
        ImportKind.CONTACTS: _("Contacts"),
        ImportKind.MACHINES: _("Machines"),
        ImportKind.CONTRACTS: _("Contracts"),
    }
    return labels[kind]
