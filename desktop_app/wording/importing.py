"""Words for imports and exports: the fields' column names (also the export's headers, which a
re-import recognises) and the kinds of record."""

from __future__ import annotations

from desktop_app.domain.importing import Field, ImportKind
from desktop_app.i18n import _, ngettext


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


def import_summary(
    *,
    dry_run: bool,
    written: bool,
    all_or_nothing: bool,
    has_problems: bool,
    read: int,
    valid: int,
    refused: int,
    created: int,
    updated: int,
) -> str:
    """The one line that ends an import, in the dialog and on the command line alike, each count with its
    own plural ("1 fila rechazada", "2 registros creados")."""
    refused_rows = ngettext("{n} row refused", "{n} rows refused", refused).format(n=refused)
    if dry_run:
        return _("Dry run: {read}, {valid}, {refused}; nothing was written.").format(
            read=ngettext("{n} row read", "{n} rows read", read).format(n=read),
            valid=ngettext("{n} valid", "{n} valid", valid).format(n=valid),
            refused=refused_rows,
        )
    if written:
        return _("{created}, {updated}; {refused}.").format(
            created=ngettext("{n} record created", "{n} records created", created).format(n=created),
            updated=ngettext("{n} updated", "{n} updated", updated).format(n=updated),
            refused=refused_rows,
        )
    if has_problems and all_or_nothing:
        return _("Nothing was written: {refused}, and all or nothing was asked.").format(refused=refused_rows)
    return _("Nothing was written: no valid rows.")
