"""Customers, their contacts and trainings, and the places administrators added (`uow.customers`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from desktop_app.domain.ids import ContactId, CustomerId, TrainingId, UserId
from desktop_app.domain.model import Contact, ContactChannel, Customer, CustomerKind, TrainingRecord
from desktop_app.domain.nit import nit_base
from desktop_app.domain.places import Place
from desktop_app.domain.search import search_document
from desktop_app.errors import ConflictError, NotFoundError
from desktop_app.i18n import _
from desktop_app.persistence.tables import (
    ContactRecord,
    CustomerRecord,
    MachineRecord,
    PlaceRecord,
    ProductModelRecord,
    TicketRecord,
    TrainingRecordRecord,
    UserRecord,
)


def customer_from_record(r: CustomerRecord) -> Customer:
    return Customer(
        r.name,
        CustomerKind(r.kind),
        r.city,
        r.tax_id,
        r.email,
        r.phone,
        r.paid_up,
        r.trained,
        CustomerId(r.id),
        address=r.address,
        department=r.department,
        notes=r.notes,
        paid_up_set_at=r.paid_up_set_at,
        paid_up_set_by=UserId(r.paid_up_set_by) if r.paid_up_set_by is not None else None,
    )


def contact_from_record(r: ContactRecord) -> Contact:
    return Contact(
        CustomerId(r.customer_id),
        r.name,
        r.email,
        r.phone,
        r.role,
        ContactId(r.id),
        preferred_channel=ContactChannel(r.preferred_channel),
        consent_at=r.consent_at,
        anonymised_at=r.anonymised_at,
    )


def _training(r: TrainingRecordRecord) -> TrainingRecord:
    return TrainingRecord(
        CustomerId(r.customer_id),
        r.held_on,
        r.topic,
        r.trainer,
        r.recorded_at,
        UserId(r.recorded_by) if r.recorded_by is not None else None,
        TrainingId(r.id),
    )


class SqlCustomerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- customers ---------------------------------------------------------------------------------

    def get(self, customer_id: CustomerId) -> tuple[Customer, int] | None:
        r = self._session.get(CustomerRecord, customer_id)
        return None if r is None else (customer_from_record(r), r.version)

    def add(self, customer: Customer) -> Customer:
        record = CustomerRecord()
        self._fill(record, customer)
        self._session.add(record)
        self._session.flush()
        return customer_from_record(record)

    def update(self, customer: Customer, expected_version: int) -> int:
        assert customer.id is not None
        record = self._session.get(CustomerRecord, customer.id)
        if record is None:
            raise NotFoundError(_("Customer {id} does not exist.").format(id=customer.id))
        if record.version != expected_version:
            raise ConflictError(_("Someone else changed this customer meanwhile. Nothing was saved."))
        searched_before = (record.name, record.tax_id, record.city)
        self._fill(record, customer)
        self._session.flush()
        if (record.name, record.tax_id, record.city) != searched_before:
            self._refresh_search_texts(record)
        return record.version

    def _fill(self, record: CustomerRecord, customer: Customer) -> None:
        record.name = customer.name
        record.kind = customer.kind.value
        record.city = customer.city
        record.tax_id = customer.tax_id
        record.email = customer.email
        record.phone = customer.phone
        record.paid_up = customer.paid_up
        record.trained = customer.trained
        record.address = customer.address
        record.department = customer.department
        record.notes = customer.notes
        record.paid_up_set_at = customer.paid_up_set_at
        record.paid_up_set_by = customer.paid_up_set_by

    def _refresh_search_texts(self, customer: CustomerRecord) -> None:
        """Machines are found by their owner's name, NIT and city, tickets by the customer's name
        (search_text, domain.search): keep them true. A plain UPDATE, so the rows' versions do not
        move and nobody editing a machine or a ticket meanwhile is told someone changed it."""
        machines = MachineRecord.__table__
        rows = self._session.execute(
            select(MachineRecord.id, MachineRecord.serial, ProductModelRecord.name)
            .join(ProductModelRecord, MachineRecord.model_code == ProductModelRecord.code)
            .where(MachineRecord.customer_id == customer.id)
        ).all()
        for machine_id, serial, model_name in rows:
            text = search_document(serial, model_name, customer.name, customer.tax_id, customer.city)
            self._session.execute(update(machines).where(machines.c.id == machine_id).values(search_text=text))
        tickets = TicketRecord.__table__
        rows = self._session.execute(
            select(TicketRecord.id, TicketRecord.number, MachineRecord.serial, TicketRecord.description)
            .join(MachineRecord, TicketRecord.machine_id == MachineRecord.id)
            .where(TicketRecord.customer_id == customer.id)
        ).all()
        for ticket_id, number, serial, description in rows:
            text = search_document(number, customer.name, serial, description)
            self._session.execute(update(tickets).where(tickets.c.id == ticket_id).values(search_text=text))

    def with_tax_base(self, base: str) -> list[tuple[CustomerId, str, str]]:
        if not base:
            return []
        # Stored NITs start with their base's first digits whatever the form ("900123456-8",
        # "900.123.456-8" from old records): narrow in SQL, decide with the domain's reading.
        stmt = select(CustomerRecord.id, CustomerRecord.name, CustomerRecord.tax_id).where(
            CustomerRecord.tax_id.like(base[:3] + "%")
        )
        return [
            (CustomerId(i), name, tax_id) for i, name, tax_id in self._session.execute(stmt) if nit_base(tax_id) == base
        ]

    def set_trained(self, customer_id: CustomerId, trained: bool) -> None:
        record = self._session.get(CustomerRecord, customer_id)
        if record is None:
            raise NotFoundError(_("Customer {id} does not exist.").format(id=customer_id))
        if record.trained != trained:
            record.trained = trained
            self._session.flush()

    # -- contacts ----------------------------------------------------------------------------------

    def contacts(self, customer_id: CustomerId) -> list[tuple[Contact, int]]:
        stmt = (
            select(ContactRecord)
            .where(ContactRecord.customer_id == customer_id)
            .order_by(ContactRecord.anonymised_at.is_not(None), ContactRecord.name, ContactRecord.id)
        )
        return [(contact_from_record(r), r.version) for r in self._session.scalars(stmt)]

    def get_contact(self, contact_id: ContactId) -> tuple[Contact, int] | None:
        r = self._session.get(ContactRecord, contact_id)
        return None if r is None else (contact_from_record(r), r.version)

    def add_contact(self, contact: Contact) -> Contact:
        record = ContactRecord(customer_id=contact.customer_id)
        self._fill_contact(record, contact)
        self._session.add(record)
        self._session.flush()
        return contact_from_record(record)

    def update_contact(self, contact: Contact, expected_version: int) -> None:
        assert contact.id is not None
        record = self._session.get(ContactRecord, contact.id)
        if record is None:
            raise NotFoundError(_("Contact {id} does not exist.").format(id=contact.id))
        if record.version != expected_version:
            raise ConflictError(_("Someone else changed this contact meanwhile. Nothing was saved."))
        self._fill_contact(record, contact)
        self._session.flush()

    @staticmethod
    def _fill_contact(record: ContactRecord, contact: Contact) -> None:
        record.name = contact.name
        record.email = contact.email
        record.phone = contact.phone
        record.role = contact.role
        record.preferred_channel = contact.preferred_channel.value
        record.consent_at = contact.consent_at
        record.anonymised_at = contact.anonymised_at

    def delete_contact(self, contact_id: ContactId) -> None:
        self._session.execute(delete(ContactRecord).where(ContactRecord.id == contact_id))
        self._session.flush()

    # -- trainings (R3) ----------------------------------------------------------------------------

    def trainings(self, customer_id: CustomerId) -> list[tuple[TrainingRecord, str]]:
        stmt = (
            select(TrainingRecordRecord, UserRecord.full_name)
            .outerjoin(UserRecord, TrainingRecordRecord.recorded_by == UserRecord.id)
            .where(TrainingRecordRecord.customer_id == customer_id)
            .order_by(TrainingRecordRecord.held_on.desc(), TrainingRecordRecord.id.desc())
        )
        return [(_training(r), name or "") for r, name in self._session.execute(stmt)]

    def get_training(self, training_id: TrainingId) -> TrainingRecord | None:
        r = self._session.get(TrainingRecordRecord, training_id)
        return None if r is None else _training(r)

    def add_training(self, training: TrainingRecord) -> TrainingRecord:
        assert training.recorded_at is not None
        record = TrainingRecordRecord(
            customer_id=training.customer_id,
            held_on=training.held_on,
            topic=training.topic,
            trainer=training.trainer,
            recorded_at=training.recorded_at,
            recorded_by=training.recorded_by,
        )
        self._session.add(record)
        self._session.flush()
        return _training(record)

    def delete_training(self, training_id: TrainingId) -> None:
        self._session.execute(delete(TrainingRecordRecord).where(TrainingRecordRecord.id == training_id))
        self._session.flush()

    # -- places administrators added -------------------------------------------------------------

    def added_places(self) -> list[Place]:
        stmt = select(PlaceRecord.name, PlaceRecord.department).order_by(PlaceRecord.name, PlaceRecord.department)
        return [Place(name, department, added=True) for name, department in self._session.execute(stmt)]

    def add_place(self, place: Place, *, at: datetime, by: UserId | None) -> int:
        record = PlaceRecord(name=place.name, department=place.department, added_at=at, added_by=by)
        self._session.add(record)
        self._session.flush()
        return record.id
