"""Customers and their contacts (issue 13): the DTOs the customers page shows and the repository and
read-model protocols the customer service needs (`uow.customers`, `uow.queries.customers`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.eligibility import Coverage, Eligibility
from desktop_app.domain.ids import ContactId, ContractId, CustomerId, MachineId, TicketId, TrainingId, UserId
from desktop_app.domain.model import Contact, Customer, Severity, TicketStatus, TrainingRecord
from desktop_app.domain.places import Place
from desktop_app.services.dto import ContractSummary, MachineSummary

# -- what the pages show --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customers list."""

    id: CustomerId
    name: str
    tax_id: str
    city: str
    department: str
    kind: str
    paid_up: bool
    trained: bool
    contacts: int
    machines: int
    open_tickets: int


@dataclass(frozen=True)
class CustomerList:
    """A page of the customers list: its rows and how many match in all."""

    rows: tuple[CustomerRow, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class ContactView:
    """A contact as the customer page shows it. `anonymised` ones keep their row for the record."""

    contact: Contact
    version: int

    @property
    def anonymised(self) -> bool:
        return self.contact.anonymised_at is not None


@dataclass(frozen=True)
class TrainingView:
    training: TrainingRecord
    recorded_by_name: str


@dataclass(frozen=True)
class CustomerTicketLine:
    id: TicketId
    number: str
    status: TicketStatus
    severity: Severity
    received_at: datetime
    serial: str
    title: str  # the description's first line


@dataclass(frozen=True)
class MachineStanding:
    """A machine of the customer and what support it gets today (domain.eligibility, R3, R5)."""

    machine: MachineSummary
    eligibility: Eligibility
    plan_name: str


@dataclass(frozen=True)
class FreeSupportStanding:
    """The customer's side of free support (R3): paid up, trained, and each machine's verdict.

    Attributes:
        paid_up: "a paz y salvo" as last set; `paid_up_set_at`/`paid_up_set_by` say when and by whom
            (None on a record from before it was kept).
        trained: the customer counts as trained ("capacitado"): at least one training is recorded,
            or, on a record from before trainings were kept, the old yes/no said so.
        trainings: how many trainings are recorded.
        machines: every machine with its coverage and, without a plan, the conditions that fail.
    """

    paid_up: bool
    paid_up_set_at: datetime | None
    paid_up_set_by: str
    trained: bool
    trainings: int
    machines: tuple[MachineStanding, ...]

    @property
    def free_support_machines(self) -> int:
        return sum(1 for m in self.machines if m.eligibility.coverage is Coverage.FREE_SUPPORT)

    @property
    def customer_conditions_met(self) -> bool:
        """The two conditions that are the customer's, not a machine's."""
        return self.paid_up and self.trained


@dataclass(frozen=True)
class CustomerView:
    """The customer's own record, as stored, with its row version (for a safe save)."""

    customer: Customer
    version: int
    nit_problem: str | None  # a legacy NIT (no or wrong check digit): flagged until corrected
    place_known: bool  # its city is a known place (built in or added by an administrator)


@dataclass(frozen=True)
class CustomerPage:
    """Everything the customer page shows."""

    view: CustomerView
    contacts: tuple[ContactView, ...]
    trainings: tuple[TrainingView, ...]  # newest first
    machines: tuple[MachineStanding, ...]
    contracts: tuple[ContractSummary, ...]
    tickets: tuple[CustomerTicketLine, ...]  # newest first
    open_tickets: int
    closed_tickets: int
    standing: FreeSupportStanding


@dataclass(frozen=True)
class PlaceCheck:
    """What a typed city is: the place it names, or the nearest names and whether it may be added."""

    text: str
    place: Place | None
    suggestions: tuple[Place, ...]
    problem: str | None  # None when the place is known


@dataclass(frozen=True)
class ContactExport:
    """Everything held about a contact, ready to save (habeas data, Ley 1581 de 2012)."""

    file_name: str
    content: bytes  # UTF-8 JSON


@dataclass(frozen=True)
class MentioningTicket:
    """A ticket of the contact's customer whose text names the contact (their name, e-mail or phone)."""

    number: str
    received_at: datetime
    status: TicketStatus
    serial: str
    texts: tuple[str, ...]  # the description and the timeline entries that name them


# -- what the service needs from the database ----------------------------------------------------------


class CustomerRepository(Protocol):
    """Customers, their contacts and trainings, and the places administrators added."""

    def get(self, customer_id: CustomerId) -> tuple[Customer, int] | None:
        """The customer with its row version."""
        ...

    def add(self, customer: Customer) -> Customer: ...

    def update(self, customer: Customer, expected_version: int) -> int:
        """Write every field; ConflictError when the row moved on since expected_version. Returns the
        new version. The machines' search text (which holds the customer's name, NIT and city) follows."""
        ...

    def with_tax_base(self, base: str) -> list[tuple[CustomerId, str, str]]:
        """(id, name, tax id) of the customers whose NIT has this base, whatever its punctuation."""
        ...

    def set_trained(self, customer_id: CustomerId, trained: bool) -> None: ...

    def contacts(self, customer_id: CustomerId) -> list[tuple[Contact, int]]: ...

    def get_contact(self, contact_id: ContactId) -> tuple[Contact, int] | None: ...

    def add_contact(self, contact: Contact) -> Contact: ...

    def update_contact(self, contact: Contact, expected_version: int) -> None:
        """ConflictError when the row moved on since expected_version."""
        ...

    def delete_contact(self, contact_id: ContactId) -> None: ...

    def trainings(self, customer_id: CustomerId) -> list[tuple[TrainingRecord, str]]:
        """The customer's trainings, newest first, with the name of who recorded each."""
        ...

    def get_training(self, training_id: TrainingId) -> TrainingRecord | None: ...

    def add_training(self, training: TrainingRecord) -> TrainingRecord: ...

    def delete_training(self, training_id: TrainingId) -> None: ...

    def added_places(self) -> list[Place]: ...

    def add_place(self, place: Place, *, at: datetime, by: UserId | None) -> int:
        """Returns the added place's row id."""
        ...


class CustomerQueries(Protocol):
    def page(self, text: str, offset: int, limit: int) -> tuple[list[CustomerRow], int]:
        """Customers whose name, NIT, city, department or a contact's name contain every word typed,
        by name; and how many match in all."""
        ...

    def tickets(self, customer_id: CustomerId) -> list[CustomerTicketLine]:
        """Every ticket of the customer, newest first."""
        ...

    def machine_ids(self, customer_id: CustomerId) -> list[MachineId]: ...

    def contract_ids(self, customer_id: CustomerId) -> list[ContractId]: ...

    def user_name(self, user_id: UserId | None) -> str: ...

    def mentioning_tickets(self, customer_id: CustomerId, terms: Sequence[str]) -> list[MentioningTicket]:
        """The customer's tickets whose description or timeline contains one of the terms (any case)."""
        ...

    def audit_of(self, entity: str, entity_id: str) -> list[AuditEntry]:
        """The audit entries about one record, oldest first."""
        ...
