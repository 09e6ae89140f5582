"""In-memory fakes of the ports, so services are tested without a database (cosmicpython style).

The fake queue orders with the domain's queue_key, as the database's ORDER BY is built from the same
definition (domain.queue); tests/integration/test_queue_order.py compares that SQL with the domain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.ids import ContractId, CustomerId, MachineId, TicketId, UserId
from desktop_app.domain.lifecycle import ContactAttempt
from desktop_app.domain.model import (
    OPEN_STATUSES,
    Attachment,
    Contact,
    Contract,
    Customer,
    EventKind,
    Machine,
    Notification,
    ProductModel,
    Role,
    Ticket,
    TicketEvent,
    TicketStatus,
    User,
    Visit,
)
from desktop_app.domain.policy import PolicySettings
from desktop_app.domain.queue import queue_key, sort_queue
from desktop_app.domain.sla import SlaState, SlaStatus, StatusChange
from desktop_app.errors import ConflictError
from desktop_app.services.dto import (
    AgentInfo,
    AuditView,
    ContractSummary,
    CoveredMachine,
    Credentials,
    PolicyVersionInfo,
    QueueCounts,
    QueueEntry,
    QueueFilter,
    ReminderCandidate,
    TicketDetail,
)


class FakeAttachmentStore:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, content: bytes) -> str:
        sha = hashlib.sha256(content).hexdigest()
        self.files[sha] = content
        return sha

    def path_for(self, sha256: str) -> Path:
        return Path("/fake") / sha256


class FakePasswordHasher:
    """Readable "hashes", so tests run fast; the real Argon2 adapter has its own tests."""

    def hash(self, password: str) -> str:
        return f"fake${password[::-1]}"

    def verify(self, stored_hash: str, password: str) -> bool:
        return stored_hash == self.hash(password)


class _Audit:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def record(self, entry: AuditEntry) -> None:
        self.db.audit.append(entry)

    def last_id(self) -> int:
        return len(self.db.audit)


class FakeDatabase:
    """What a database would hold; shared by every FakeUnitOfWork of one test."""

    def __init__(self) -> None:
        self.policy_versions: list[tuple[datetime, PolicySettings, str]] = []
        self.customers: dict[int, Customer] = {}
        self.contacts: list[Contact] = []
        self.models: dict[str, ProductModel] = {}
        self.machines: dict[int, Machine] = {}
        self.users: dict[int, User] = {}
        self.contracts: dict[int, Contract] = {}
        self.tickets: dict[int, Ticket] = {}
        self.events: list[TicketEvent] = []
        self.attachments: list[Attachment] = []
        self.visits: list[Visit] = []
        self.counters: dict[int, int] = {}
        self.notifications: list[Notification] = []
        self.audit: list[AuditEntry] = []
        self.password_hashes: dict[int, str] = {}
        self.sign_ins: dict[int, tuple[int, datetime | None]] = {}

    def next_id(self, table: dict[int, object]) -> int:
        return max(table, default=0) + 1


class _Policy:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def load(self) -> PolicySettings | None:
        return self.db.policy_versions[-1][1] if self.db.policy_versions else None

    def current_version(self) -> int | None:
        return len(self.db.policy_versions) or None

    def save(self, policy: PolicySettings, *, at: datetime, author_id: UserId | None = None, note: str = "") -> int:
        self.db.policy_versions.append((at, policy, note))
        return len(self.db.policy_versions)


class _Catalog:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def add_customer(self, customer: Customer) -> Customer:
        saved = replace(customer, id=CustomerId(self.db.next_id(self.db.customers)))  # type: ignore[arg-type]
        self.db.customers[saved.id] = saved  # type: ignore[index]
        return saved

    def add_contact(self, contact: Contact) -> Contact:
        self.db.contacts.append(contact)
        return contact

    def add_model(self, model: ProductModel) -> ProductModel:
        self.db.models[model.code] = model
        return model

    def add_machine(self, machine: Machine) -> Machine:
        saved = replace(machine, id=MachineId(self.db.next_id(self.db.machines)))  # type: ignore[arg-type]
        self.db.machines[saved.id] = saved  # type: ignore[index]
        return saved

    def add_user(self, user: User) -> User:
        saved = replace(user, id=UserId(self.db.next_id(self.db.users)))  # type: ignore[arg-type]
        self.db.users[saved.id] = saved  # type: ignore[index]
        return saved

    def count_customers(self) -> int:
        return len(self.db.customers)

    def get_customer(self, customer_id: CustomerId) -> Customer | None:
        return self.db.customers.get(customer_id)

    def get_machine(self, machine_id: MachineId) -> Machine | None:
        return self.db.machines.get(machine_id)

    def get_model(self, code: str) -> ProductModel | None:
        return self.db.models.get(code)

    def user_by_username(self, username: str) -> User | None:
        return next((u for u in self.db.users.values() if u.username == username), None)

    def users_with_role(self, role: Role) -> list[User]:
        return [u for u in self.db.users.values() if u.role is role and u.active]

    def users(self) -> list[User]:
        return sorted(self.db.users.values(), key=lambda u: u.full_name)

    def credentials(self, username: str) -> Credentials | None:
        user = self.user_by_username(username.strip())
        if user is None or user.id is None:
            return None
        failures, last = self.db.sign_ins.get(user.id, (0, None))
        return Credentials(user, self.db.password_hashes.get(user.id), failures, last)

    def record_sign_in(self, user_id: UserId, *, success: bool, at: datetime) -> None:
        failures, _last = self.db.sign_ins.get(user_id, (0, None))
        self.db.sign_ins[user_id] = (0, None) if success else (failures + 1, at)

    def clear_failed_sign_ins(self, user_id: UserId) -> bool:
        if user_id not in self.db.users:
            return False
        self.db.sign_ins[user_id] = (0, None)
        return True

    def set_password_hash(self, user_id: UserId, password_hash: str) -> None:
        self.db.password_hashes[user_id] = password_hash
        self.db.sign_ins[user_id] = (0, None)

    def count_admins_with_password(self) -> int:
        return sum(1 for u in self.db.users.values() if u.role is Role.ADMIN and u.id in self.db.password_hashes)


class _Contracts:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def add(self, contract: Contract) -> Contract:
        saved = replace(contract, id=ContractId(self.db.next_id(self.db.contracts)))  # type: ignore[arg-type]
        self.db.contracts[saved.id] = saved  # type: ignore[index]
        return saved

    def covering(self, machine_id: MachineId) -> list[Contract]:
        return [c for c in self.db.contracts.values() if machine_id in c.machine_ids]


class _Tickets:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def next_number(self, year: int) -> str:
        self.db.counters[year] = self.db.counters.get(year, 0) + 1
        return f"SOP-{year}-{self.db.counters[year]:05d}"

    def add(self, ticket: Ticket) -> Ticket:
        saved = replace(ticket, id=TicketId(self.db.next_id(self.db.tickets)))  # type: ignore[arg-type]
        self.db.tickets[saved.id] = saved  # type: ignore[index]
        return saved

    def add_events(self, events: Sequence[TicketEvent]) -> None:
        self.db.events.extend(events)

    def get(self, ticket_id: TicketId) -> Ticket | None:
        return self.db.tickets.get(ticket_id)

    def save(self, ticket: Ticket) -> Ticket:
        assert ticket.id is not None
        stored = self.db.tickets[ticket.id]
        if stored.version != ticket.version:
            raise ConflictError("stale")
        saved = replace(ticket, version=ticket.version + 1)
        self.db.tickets[ticket.id] = saved
        return saved

    def status_changes(self, ticket_id: TicketId) -> list[StatusChange]:
        return sorted(
            (
                StatusChange(e.at, TicketStatus(dict(e.data)["to"]))
                for e in self.db.events
                if e.ticket_id == ticket_id and e.kind is EventKind.STATUS_CHANGE
            ),
            key=lambda c: c.at,
        )

    def contact_attempts(self, ticket_id: TicketId, since: datetime) -> list[ContactAttempt]:
        return [
            ContactAttempt(e.at, int(dict(e.data)["attempt"]), int(dict(e.data).get("wait_days", "0")))
            for e in self.db.events
            if e.ticket_id == ticket_id and e.kind is EventKind.CONTACT_ATTEMPT and e.at >= since
        ]

    def escalation_candidates(self, now: datetime, below_level: int, *, overdue_only: bool) -> list[TicketId]:
        return [
            TicketId(i)
            for i, t in sorted(self.db.tickets.items())
            if t.status in (TicketStatus.NEW, TicketStatus.IN_PROGRESS)
            and t.escalation_level < below_level
            and (not overdue_only or (t.due_at is not None and t.due_at <= now))
        ]

    def add_attachment(self, attachment: Attachment) -> Attachment:
        self.db.attachments.append(attachment)
        return attachment

    def add_visit(self, visit: Visit) -> Visit:
        self.db.visits.append(visit)
        return visit


class _Notices:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def add(self, notice: Notification) -> bool:
        same = (notice.user_id, notice.ticket_id, notice.kind, notice.key)
        if notice.key and any((n.user_id, n.ticket_id, n.kind, n.key) == same for n in self.db.notifications):
            return False
        self.db.notifications.append(replace(notice, id=len(self.db.notifications) + 1))
        return True

    def mark_read(self, user_id: UserId, notice_ids: Sequence[int] | None, at: datetime) -> int:
        changed = 0
        for i, n in enumerate(self.db.notifications):
            if n.user_id == user_id and n.read_at is None and (notice_ids is None or n.id in notice_ids):
                self.db.notifications[i] = replace(n, read_at=at)
                changed += 1
        return changed


class _NoticeQueries:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def inbox(self, user_id: UserId, *, unread_only: bool = False, limit: int = 200) -> list[tuple[Notification, str]]:
        mine = [n for n in self.db.notifications if n.user_id == user_id and not (unread_only and n.read_at)]
        newest = sorted(mine, key=lambda n: (n.created_at, n.id or 0), reverse=True)[:limit]
        return [(n, self.db.tickets[n.ticket_id].number) for n in newest]

    def unread_count(self, user_id: UserId) -> int:
        return len(self.inbox(user_id, unread_only=True, limit=10**9))

    def reminder_candidates(self) -> list[ReminderCandidate]:
        return [
            ReminderCandidate(
                i, t.number, t.status, t.assigned_agent_id, t.due_at, t.plan_code, t.severity.value, t.clock_start
            )
            for i, t in sorted(self.db.tickets.items())
            if t.assigned_agent_id is not None
            and t.status in (TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_CUSTOMER)
        ]


# -- read models (uow.queries) --------------------------------------------------------------------


class _QueueQueries:
    """The queue in the domain's order (R8): sorted with domain.queue.queue_key, like the SQL."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _entry(self, t: Ticket) -> QueueEntry:
        policy = _Policy(self.db).load()
        assert policy is not None and t.id is not None
        plan = policy.plan(t.plan_code)
        customer = self.db.customers[t.customer_id]
        machine = self.db.machines[t.machine_id]
        agent = self.db.users.get(t.assigned_agent_id) if t.assigned_agent_id else None
        return QueueEntry(
            t.id,
            t.number,
            t.severity,
            policy.severity_rank(t.severity),
            plan.code,
            plan.name,
            plan.rank,
            customer.name,
            customer.city,
            machine.serial,
            self.db.models[machine.model_code].name,
            agent.full_name if agent else "",
            t.status,
            t.received_at,
            t.due_at,
            policy.response_hours[(t.plan_code, t.severity)],
            t.reopen_count,
            t.escalation_level,
            t.description,
        )

    def _matching(self, flt: QueueFilter) -> list[QueueEntry]:
        policy = _Policy(self.db).load()
        assert policy is not None
        # The domain's order (R8), not a copy of it: filtering below keeps it.
        tickets = sort_queue(self.db.tickets.values(), key=lambda t: queue_key(t, policy))
        entries = [self._entry(t) for t in tickets]
        if flt.statuses:
            entries = [e for e in entries if e.status in flt.statuses]
        elif flt.open_only:
            entries = [e for e in entries if e.status in OPEN_STATUSES]
        for term in flt.text.lower().split():
            entries = [
                e for e in entries if term in f"{e.number} {e.customer_name} {e.machine_serial} {e.description}".lower()
            ]
        if flt.city:
            entries = [e for e in entries if e.city == flt.city]
        if flt.plan_code:
            entries = [e for e in entries if e.plan_code == flt.plan_code]
        if flt.severity:
            entries = [e for e in entries if e.severity is flt.severity]
        return entries

    def page(self, flt: QueueFilter, offset: int, limit: int) -> list[QueueEntry]:
        return self._matching(flt)[offset : offset + limit]

    def count(self, flt: QueueFilter) -> int:
        return len(self._matching(flt))

    def counts(self, now: datetime) -> QueueCounts:
        open_ = [t for t in self.db.tickets.values() if t.status.is_open]
        waiting = [t for t in open_ if t.status is TicketStatus.WAITING_CUSTOMER]
        breached = [
            t
            for t in open_
            if t.status is not TicketStatus.WAITING_CUSTOMER and t.due_at is not None and t.due_at <= now
        ]
        return QueueCounts(len(open_), len(waiting), len(breached))


class _TicketQueries:
    """One ticket's page."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def detail(self, ticket_id: TicketId, attachment_store: object) -> TicketDetail | None:
        t = self.db.tickets.get(ticket_id)
        if t is None:
            return None
        e = _QueueQueries(self.db)._entry(t)
        customer, machine = self.db.customers[t.customer_id], self.db.machines[t.machine_id]
        model = self.db.models[machine.model_code]
        return TicketDetail(
            t.id,
            t.number,
            1,
            t.status,
            t.severity,
            t.channel,
            t.description,
            t.received_at,
            e.due_at,  # type: ignore[arg-type]
            t.first_responded_at,
            t.closed_at,
            t.reopen_count,
            t.escalation_level,
            e.plan_code,
            e.plan_name,
            e.response_hours,
            SlaStatus(SlaState.MET, None),
            t.assigned_agent_id,
            e.agent_name,
            t.customer_id,
            customer.name,
            customer.city,
            customer.email,
            customer.phone,
            customer.paid_up,
            customer.trained,
            t.machine_id,
            machine.serial,
            model.name,
            model.technology.value,
            machine.purchase_date,
            machine.warranty_end,
            machine.unauthorized_intervention,
            machine.last_preventive_maintenance,
            (),
            (),
        )

    def visits(self, ticket_id: TicketId) -> list[tuple[Visit, str]]:
        return [(v, self.db.users[v.technician_id].full_name) for v in self.db.visits if v.ticket_id == ticket_id]


class _DirectoryQueries:
    """Pickers and filters."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def agents(self) -> list[AgentInfo]:
        return sorted(
            (AgentInfo(UserId(i), u.full_name, u.role.value, u.city) for i, u in self.db.users.items() if u.active),
            key=lambda a: a.full_name,
        )

    def cities(self) -> list[str]:
        return sorted({c.city for c in self.db.customers.values()})


class _ContractQueries:
    """Contracts as pages show them."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _summary(self, contract: Contract) -> ContractSummary:
        policy = _Policy(self.db).load()
        assert policy is not None and contract.id is not None
        customer = self.db.customers[contract.customer_id]
        plan = policy.plan(contract.plan_code)
        machines = tuple(
            CoveredMachine(
                m,
                self.db.machines[m].serial,
                self.db.models[self.db.machines[m].model_code].name,
                self.db.machines[m].warranty_end,
            )
            for m in contract.machine_ids
        )
        return ContractSummary(
            contract.id,
            contract.customer_id,
            customer.name,
            customer.city,
            plan.code,
            plan.name,
            plan.rank,
            contract.invoice_number,
            contract.valid_from,
            contract.valid_to,
            contract.price_before_iva,
            contract.special,
            machines,
        )

    def summaries(self, text: str = "") -> list[ContractSummary]:
        found = [self._summary(c) for c in self.db.contracts.values()]
        for term in text.lower().split():
            found = [s for s in found if term in f"{s.customer_name} {s.city} {s.invoice_number} {s.plan_name}".lower()]
        return sorted(found, key=lambda s: (-s.valid_to.toordinal(), s.invoice_number))

    def get_summary(self, contract_id: ContractId) -> ContractSummary | None:
        contract = self.db.contracts.get(contract_id)
        return None if contract is None else self._summary(contract)


class _AuditQueries:
    """The audit log as people read it."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def search(
        self, *, entity: str = "", entity_id: str = "", actor_id: UserId | None = None, text: str = "", limit: int = 500
    ) -> list[AuditView]:
        found = [
            AuditView(e.at, "", e.entity, e.entity_id, e.action, e.changes)
            for e in reversed(self.db.audit)
            if (not entity or e.entity == entity)
            and (not entity_id or e.entity_id == entity_id)
            and (actor_id is None or e.actor_id == actor_id)
        ]
        return found[:limit]


class _PolicyQueries:
    """The policy's history."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def history(self) -> list[PolicyVersionInfo]:
        return [PolicyVersionInfo(n, at, "", note) for n, (at, _policy, note) in enumerate(self.db.policy_versions, 1)][
            ::-1
        ]


class _ReadModels:
    def __init__(self, db: FakeDatabase) -> None:
        self.queue = _QueueQueries(db)
        self.ticket = _TicketQueries(db)
        self.directory = _DirectoryQueries(db)
        self.contracts = _ContractQueries(db)
        self.audit = _AuditQueries(db)
        self.policy = _PolicyQueries(db)
        self.notices = _NoticeQueries(db)


class FakeUnitOfWork:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self.committed = False
        self.policy = _Policy(db)
        self.catalog = _Catalog(db)
        self.contracts = _Contracts(db)
        self.tickets = _Tickets(db)
        self.audit = _Audit(db)
        self.notices = _Notices(db)
        self.queries = _ReadModels(db)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def commit(self) -> None:
        self.committed = True

    def rollback(self) -> None:
        return None

    def wipe(self) -> None:
        self.db.__init__()  # type: ignore[misc]


class FakeUnitOfWorkFactory:
    def __init__(self) -> None:
        self.db = FakeDatabase()
        self.opened: list[FakeUnitOfWork] = []

    def __call__(self) -> FakeUnitOfWork:
        uow = FakeUnitOfWork(self.db)
        self.opened.append(uow)
        return uow
