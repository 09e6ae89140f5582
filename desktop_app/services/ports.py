"""What the services need from the outside world, as Protocols. Persistence implements them;
tests implement them with fakes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from desktop_app.domain.ids import ContractId, TicketId
from desktop_app.domain.model import (
    Attachment,
    Contact,
    Contract,
    Customer,
    Machine,
    ProductModel,
    Ticket,
    TicketEvent,
    User,
    Visit,
)
from desktop_app.domain.policy import PolicySettings
from desktop_app.services.dto import (
    AgentInfo,
    ContractSummary,
    QueueCounts,
    QueueEntry,
    QueueFilter,
    TicketDetail,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class AttachmentStore(Protocol):
    def put(self, content: bytes) -> str:
        """Store bytes under their SHA-256 and return it; storing the same bytes twice is a no-op."""
        ...

    def path_for(self, sha256: str) -> Path: ...


class PolicyRepository(Protocol):
    def load(self) -> PolicySettings | None: ...

    def save(self, policy: PolicySettings) -> None: ...


class CatalogRepository(Protocol):
    """Customers, contacts, product models, machines and users: the reference data."""

    def add_customer(self, customer: Customer) -> Customer: ...

    def add_contact(self, contact: Contact) -> Contact: ...

    def add_model(self, model: ProductModel) -> ProductModel: ...

    def add_machine(self, machine: Machine) -> Machine: ...

    def add_user(self, user: User) -> User: ...

    def count_customers(self) -> int: ...

    def agents(self) -> list[AgentInfo]: ...

    def cities(self) -> list[str]: ...


class ContractRepository(Protocol):
    def add(self, contract: Contract) -> Contract: ...

    def summaries(self, text: str = "") -> list[ContractSummary]: ...

    def get_summary(self, contract_id: ContractId) -> ContractSummary | None: ...


class TicketRepository(Protocol):
    def next_number(self, year: int) -> str: ...

    def add(self, ticket: Ticket) -> Ticket: ...

    def add_events(self, events: Sequence[TicketEvent]) -> None: ...

    def add_attachment(self, attachment: Attachment) -> Attachment: ...

    def add_visit(self, visit: Visit) -> Visit: ...

    def queue_page(self, flt: QueueFilter, offset: int, limit: int) -> list[QueueEntry]:
        """Tickets matching the filter in policy order (R8)."""
        ...

    def queue_count(self, flt: QueueFilter) -> int: ...

    def counts(self, now: datetime) -> QueueCounts:
        """Open, waiting-on-customer and breached tickets, for the status bar."""
        ...

    def detail(self, ticket_id: TicketId, attachment_store: AttachmentStore) -> TicketDetail | None: ...


class UnitOfWork(Protocol):
    """One transaction per user action. Leaving the block without commit() rolls back."""

    policy: PolicyRepository
    catalog: CatalogRepository
    contracts: ContractRepository
    tickets: TicketRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def wipe(self) -> None:
        """Delete every row (demo reset)."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
