"""Believable, deterministic demo data: customers across Colombia, their printers, plans and tickets.

The same seed and the same `now` always give the same rows, so tests can rely on them. Tickets are
placed relative to `now`, so a demo loaded today shows a live queue (some on time, some at risk,
some breached) rather than a wall of old breaches.
"""

from __future__ import annotations

import random
import struct
import zlib
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from desktop_app.domain.business_time import add_working_time
from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.ids import ModelCode, PlanCode, UserId
from desktop_app.domain.model import (
    OPEN_STATUSES,
    Attachment,
    Channel,
    Contact,
    Contract,
    Customer,
    CustomerKind,
    EventKind,
    Machine,
    ProductModel,
    Role,
    Severity,
    Technology,
    Ticket,
    TicketEvent,
    TicketStatus,
    User,
    Visit,
)
from desktop_app.domain.nit import check_nit
from desktop_app.domain.places import find_place
from desktop_app.domain.policy import WARRANTY_PLAN, PolicySettings
from desktop_app.domain.qr import label_payload
from desktop_app.domain.sla import SlaFacts, StatusChange, first_response_due, ticket_sla
from desktop_app.services.demo_history import DemoHistory, PastTicket
from desktop_app.services.demo_texts import COMMENTS, PROBLEMS, SOLUTIONS, UPDATES
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import AttachmentStore, PasswordHasher, UnitOfWork, UnitOfWorkFactory

TO_CUSTOMER = (("to_customer", "yes"),)  # a comment's mark when it went to the customer (R7, R10)
DEFAULT_SEED = 20181201  # the policy has been in force since 2018-12-01
DEMO_PASSWORD = "makerdemo"  # demo data only; a real installation creates its own users

MODELS = (
    ProductModel(ModelCode("M3"), "makeR M3", Technology.FDM),
    ProductModel(ModelCode("P2"), "makeR Pro 2", Technology.FDM),
    ProductModel(ModelCode("XL"), "makeR XL 500", Technology.FDM),
    ProductModel(ModelCode("R1"), "makeR Resin R1", Technology.RESIN),
    ProductModel(ModelCode("R2"), "makeR Resin R2 Lite", Technology.RESIN),
    ProductModel(ModelCode("M2"), "makeR M2", Technology.FDM, discontinued_from=date(2023, 6, 30)),
)

STAFF = (
    ("admin", "Administrador del sistema", Role.ADMIN, "Barranquilla"),
    ("carolina.rojas", "Carolina Rojas", Role.COORDINATOR, "Barranquilla"),
    ("mauricio.diaz", "Mauricio Díaz", Role.COORDINATOR, "Barranquilla"),  # technical director (L3)
    ("laura.perez", "Laura Pérez", Role.AGENT, "Barranquilla"),
    ("andres.gomez", "Andrés Gómez", Role.AGENT, "Cali"),
    ("juliana.restrepo", "Juliana Restrepo", Role.AGENT, "Medellín"),
    ("felipe.castro", "Felipe Castro", Role.AGENT, "Bogotá"),
    ("diego.martinez", "Diego Martínez", Role.TECHNICIAN, "Bogotá"),
    ("camilo.herrera", "Camilo Herrera", Role.TECHNICIAN, "Medellín"),
    ("valentina.ortiz", "Valentina Ortiz", Role.TECHNICIAN, "Cali"),
    ("sergio.vargas", "Sergio Vargas", Role.TECHNICIAN, "Barranquilla"),
    # The account `makersupport worker` signs in as (MAKERSUPPORT_USER=tareas): periodic jobs only.
    ("tareas", "Tareas automáticas", Role.SERVICE, "Barranquilla"),
)

# (name, kind, city, plan wanted or "" for none)
CUSTOMERS = (
    ("Universidad EAFIT — Laboratorio de Fabricación", CustomerKind.UNIVERSITY, "Medellín", "premium"),
    ("Universidad del Norte — FabLab", CustomerKind.UNIVERSITY, "Barranquilla", "premium"),
    ("Universidad de los Andes — Ingeniería Mecánica", CustomerKind.UNIVERSITY, "Bogotá", "premium"),
    ("Universidad del Valle — Escuela de Diseño", CustomerKind.UNIVERSITY, "Cali", "profesional"),
    ("Universidad Nacional — Sede Medellín", CustomerKind.UNIVERSITY, "Medellín", "profesional"),
    ("Pontificia Universidad Javeriana Cali", CustomerKind.UNIVERSITY, "Cali", "premium"),
    ("Universidad Industrial de Santander", CustomerKind.UNIVERSITY, "Bucaramanga", "basico"),
    ("Universidad Tecnológica de Pereira", CustomerKind.UNIVERSITY, "Pereira", "basico"),
    ("Universidad Autónoma del Caribe", CustomerKind.UNIVERSITY, "Barranquilla", "profesional"),
    ("Universidad de Antioquia — Bioingeniería", CustomerKind.UNIVERSITY, "Medellín", "premium"),
    ("Colegio Alemán de Barranquilla", CustomerKind.SCHOOL, "Barranquilla", "profesional"),
    ("Colegio Bolívar", CustomerKind.SCHOOL, "Cali", "basico"),
    ("Gimnasio Moderno", CustomerKind.SCHOOL, "Bogotá", "profesional"),
    ("Colegio San Ignacio de Loyola", CustomerKind.SCHOOL, "Medellín", "basico"),
    ("Colegio Marymount", CustomerKind.SCHOOL, "Barranquilla", "basico"),
    ("Institución Educativa Santa Librada", CustomerKind.SCHOOL, "Cali", ""),
    ("Colegio Nueva Granada", CustomerKind.SCHOOL, "Bogotá", "premium"),
    ("Colegio Karl C. Parrish", CustomerKind.SCHOOL, "Barranquilla", ""),
    ("SENA — Tecnoparque Nodo Medellín", CustomerKind.LAB, "Medellín", "profesional"),
    ("SENA — Tecnoparque Nodo Cali", CustomerKind.LAB, "Cali", "profesional"),
    ("Laboratorio Dental Sonrisa 3D", CustomerKind.LAB, "Bogotá", "premium"),
    ("Ortopédica del Caribe", CustomerKind.LAB, "Barranquilla", "profesional"),
    ("Joyería Oro de Mompox — Taller de Prototipos", CustomerKind.COMPANY, "Cartagena", ""),
    ("Laboratorio de Prótesis Andina", CustomerKind.LAB, "Medellín", "basico"),
    ("Centro de Innovación Ruta N", CustomerKind.LAB, "Medellín", "premium"),
    ("Maker Space Bogotá — La Fábrica", CustomerKind.MAKERSPACE, "Bogotá", ""),
    ("Hackerspace Cali", CustomerKind.MAKERSPACE, "Cali", ""),
    ("Casa Maker Barranquilla", CustomerKind.MAKERSPACE, "Barranquilla", "basico"),
    ("Parque Explora — Taller Abierto", CustomerKind.MAKERSPACE, "Medellín", "profesional"),
    ("FabLab Manizales", CustomerKind.MAKERSPACE, "Manizales", ""),
    ("Industrias Metálicas del Atlántico", CustomerKind.COMPANY, "Barranquilla", "premium"),
    ("Diseños Paisa S.A.S.", CustomerKind.COMPANY, "Medellín", "basico"),
    ("Prototipos Rápidos de Colombia", CustomerKind.COMPANY, "Bogotá", "profesional"),
    ("Arquitectura Valle Estudio", CustomerKind.COMPANY, "Cali", ""),
    ("Autopartes Sabana Ltda.", CustomerKind.COMPANY, "Bogotá", "basico"),
    ("Calzado Bucaramanga Moldes", CustomerKind.COMPANY, "Bucaramanga", ""),
    ("Empaques del Pacífico", CustomerKind.COMPANY, "Cali", "profesional"),
    ("Juguetería Creativa Kids", CustomerKind.COMPANY, "Medellín", ""),
    ("Agencia Publicitaria Caribe Vivo", CustomerKind.COMPANY, "Santa Marta", ""),
    ("Museo Interactivo Maloka", CustomerKind.LAB, "Bogotá", "profesional"),
)

CONTACT_NAMES = (
    "María Fernanda López",
    "Juan Camilo Ríos",
    "Natalia Cárdenas",
    "Santiago Mejía",
    "Paula Andrea Osorio",
    "Carlos Eduardo Ruiz",
    "Daniela Zapata",
    "Alejandro Ramírez",
    "Luisa Fernanda Gil",
    "Jorge Iván Salazar",
    "Catalina Montoya",
    "Ricardo Pineda",
    "Manuela Arango",
    "Esteban Quintero",
    "Sara Valencia",
)
CONTACT_ROLES = (
    "Coordinador de laboratorio",
    "Docente",
    "Jefe de mantenimiento",
    "Director de innovación",
    "Compras",
)


@dataclass(frozen=True)
class DemoSummary:
    customers: int
    machines: int
    contracts: int
    tickets: int


def _mobile_number(rng: random.Random) -> str:
    return f"+57 {rng.choice((300, 310, 315, 320))} {rng.randrange(100, 999)} {rng.randrange(1000, 10_000)}"


def _tiny_png(rng: random.Random, width: int = 96, height: int = 72) -> bytes:
    """A small PNG "photo" (a noisy gradient), so demo tickets have real images to open."""
    base = (rng.randrange(80, 200), rng.randrange(60, 160), rng.randrange(40, 120))
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            noise = rng.randrange(-12, 12)
            rows += bytes(max(0, min(255, c + (x + y) // 2 + noise)) for c in base)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b"")
    )


class DemoLoader:
    """Loads the demo data set. Deterministic for a given seed and `now`."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        policy: PolicyService,
        attachments: AttachmentStore,
        hasher: PasswordHasher,
        *,
        seed: int = DEFAULT_SEED,
    ) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._attachments = attachments
        self._hasher = hasher
        self._seed = seed

    def has_data(self) -> bool:
        with self._uow_factory() as uow:
            return uow.catalog.count_customers() > 0

    def load(self, now: datetime, *, reset: bool = False) -> DemoSummary:
        """Write the whole data set in one transaction: all of it, or nothing on any error."""
        if reset:
            with self._uow_factory() as uow:
                uow.wipe()
                uow.commit()
        policy = self._policy.ensure_defaults()
        calendar = self._policy.calendar()
        version = self._policy.version()
        rng = random.Random(self._seed)
        with self._uow_factory() as uow:
            builder = _Builder(uow, policy, calendar, self._attachments, rng, now)
            builder.policy_version, builder.seed = version, self._seed
            summary = builder.build()
            # Every demo user signs in with the same, documented password (README), hashed once per user so each
            # gets its own salt. It is 9 characters, under the 10 required of a password that is SET: it is written
            # here straight as a hash, never through UserService's checks, and sign-in accepts any stored password.
            for user in uow.catalog.users():
                assert user.id is not None
                uow.catalog.set_password_hash(user.id, self._hasher.hash(DEMO_PASSWORD))
            uow.commit()
        return summary


class _Builder:
    def __init__(
        self,
        uow: UnitOfWork,
        policy: PolicySettings,
        calendar: BusinessCalendar,
        attachments: AttachmentStore,
        rng: random.Random,
        now: datetime,
    ) -> None:
        self.uow, self.policy, self.calendar = uow, policy, calendar
        self.policy_version: int | None = None
        self.seed = DEFAULT_SEED
        self.attachments, self.rng = attachments, rng
        self.now = now.astimezone(UTC)
        self.today = now.astimezone(calendar.tz).date()

    def build(self) -> DemoSummary:
        catalog = self.uow.catalog
        for model in MODELS:
            catalog.add_model(model)
        staff = [catalog.add_user(User(u, n, f"{u}@somosmaker.com", r, c)) for u, n, r, c in STAFF]
        self.agents = [u for u in staff if u.role in (Role.AGENT, Role.COORDINATOR) and u.username != "mauricio.diaz"]
        self.technicians = [u for u in staff if u.role is Role.TECHNICIAN]
        self.coordinator = staff[1]
        self.director = staff[2]
        machines_total = contracts_total = 0
        self.coverage: dict[int, tuple[str, date, date]] = {}  # machine id -> (plan, from, to)
        self.periods: dict[int, list[tuple[str, date, date]]] = {}  # every contract, for the history
        self.machines: list[tuple[Machine, Customer, ProductModel]] = []
        for index, (name, kind, city, plan) in enumerate(CUSTOMERS):
            customer = self._customer(index, name, kind, city)
            machines = self._machines(customer, kind)
            machines_total += len(machines)
            if plan:
                contracts_total += self._contracts(index, customer, machines, PlanCode(plan))
        contracts_total += self._special_contract()
        tickets = self._tickets(300)
        return DemoSummary(len(CUSTOMERS), machines_total, contracts_total, tickets)

    # -- reference data --------------------------------------------------------------------------

    def _customer(self, index: int, name: str, kind: CustomerKind, city: str) -> Customer:
        rng = self.rng
        slug = "".join(ch for ch in name.lower().split("—")[0] if ch.isalnum())[:14] or "cliente"
        customer = self.uow.catalog.add_customer(
            Customer(
                name=name,
                kind=kind,
                city=city,
                tax_id=check_nit(str(800_000_000 + index * 7919)).suggestion,  # with its right check digit
                email=f"soporte@{slug}.edu.co"
                if kind in (CustomerKind.UNIVERSITY, CustomerKind.SCHOOL)
                else f"contacto@{slug}.com.co",
                phone=_mobile_number(rng),
                paid_up=rng.random() > 0.12,
                trained=rng.random() > 0.15,
                department=place.department if (place := find_place(city)) else "",
            )
        )
        assert customer.id is not None
        for _ in range(rng.randrange(1, 3)):
            contact_name = rng.choice(CONTACT_NAMES)
            user_part = contact_name.lower().split()[0]
            self.uow.catalog.add_contact(
                Contact(
                    customer.id,
                    contact_name,
                    f"{user_part}@{slug}.co",
                    customer.phone,
                    rng.choice(CONTACT_ROLES),
                )
            )
        return customer

    def _machines(self, customer: Customer, kind: CustomerKind) -> list[Machine]:
        rng = self.rng
        count = {CustomerKind.UNIVERSITY: (4, 7), CustomerKind.LAB: (3, 5)}.get(kind, (2, 4))
        result = []
        for _ in range(rng.randrange(*count)):
            model = rng.choices(MODELS, weights=(30, 20, 8, 15, 12, 8))[0]
            if model.discontinued_from:
                purchased = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 1200))
            else:
                purchased = self.today - timedelta(days=rng.randrange(20, 1500))
            serial = f"MK-{model.code}-{purchased.year % 100:02d}{len(self.machines) + 1:04d}"
            assert customer.id is not None
            warranty_end = purchased + timedelta(days=365)
            unauthorized = rng.random() < 0.05
            maintained = self.today - timedelta(days=rng.randrange(10, 300)) if rng.random() > 0.2 else None
            if maintained is not None and maintained < purchased:
                maintained = purchased  # set up at delivery: never maintained before it was bought
            machine = self.uow.catalog.add_machine(
                Machine(
                    serial=serial,
                    qr_payload=label_payload(serial),
                    model_code=model.code,
                    customer_id=customer.id,
                    purchase_date=purchased,
                    warranty_end=warranty_end,
                    unauthorized_intervention=unauthorized,
                    last_preventive_maintenance=maintained,
                )
            )
            self.machines.append((machine, customer, model))
            result.append(machine)
        return result

    def _contracts(self, index: int, customer: Customer, machines: list[Machine], plan: PlanCode) -> int:
        rng = self.rng
        terms = self.policy.plan(plan)
        covered = [m for m in machines if not self._model(m).discontinued_from]
        if not covered:
            return 0
        # The current contract, and for a third of customers the one it renewed.
        start = self.today - timedelta(days=rng.randrange(30, 330))
        periods = [(start, start + timedelta(days=364))]
        if index % 3 == 0:
            periods.append((start - timedelta(days=365), start - timedelta(days=1)))
        for n, (valid_from, valid_to) in enumerate(periods):
            assert customer.id is not None
            self.uow.contracts.add(
                Contract(
                    customer_id=customer.id,
                    plan_code=plan,
                    invoice_number=f"FE-{9100 + index * 3 + n}",
                    valid_from=valid_from,
                    valid_to=valid_to,
                    price_before_iva=terms.price_before_iva + 350_000 * (len(covered) - 1),
                    machine_ids=tuple(m.id for m in covered if m.id is not None),
                )
            )
            for machine in covered:
                assert machine.id is not None
                self.periods.setdefault(machine.id, []).append((plan, valid_from, valid_to))
                if n == 0:
                    self.coverage[machine.id] = (plan, valid_from, valid_to)
        return len(periods)

    def _special_contract(self) -> int:
        """One customer keeps a discontinued printer under a special contract (R5)."""
        for machine, customer, model in self.machines:
            if model.discontinued_from and customer.id is not None and machine.id is not None:
                valid_from = self.today - timedelta(days=60)
                self.uow.contracts.add(
                    Contract(
                        customer_id=customer.id,
                        plan_code=PlanCode("basico"),
                        invoice_number="FE-ESP-0042",
                        valid_from=valid_from,
                        valid_to=valid_from + timedelta(days=364),
                        price_before_iva=3_100_000,
                        machine_ids=(machine.id,),
                        special=True,
                    )
                )
                self.coverage[machine.id] = ("basico", valid_from, valid_from + timedelta(days=364))
                self.periods.setdefault(machine.id, []).append(self.coverage[machine.id])
                return 1
        return 0

    def _model(self, machine: Machine) -> ProductModel:
        return next(m for m in MODELS if m.code == machine.model_code)

    # -- tickets ---------------------------------------------------------------------------------

    def _received_at(self, days_back: float) -> datetime:
        """A plausible arrival: mostly within working hours, some e-mails at night or on weekends."""
        rng = self.rng
        moment = self.now - timedelta(days=days_back)
        local = moment.astimezone(self.calendar.tz)
        if rng.random() < 0.85:
            intervals = self.calendar.intervals_on(local.date())
            while not intervals:
                local -= timedelta(days=1)
                intervals = self.calendar.intervals_on(local.date())
            start, end = rng.choice(intervals)
            span = int((end - start).total_seconds())
            local = start + timedelta(seconds=rng.randrange(0, span, 60))
        result = min(local.astimezone(UTC), self.now - timedelta(minutes=5))
        return result.replace(second=0, microsecond=0)

    def _plan_for(self, machine: Machine, on: date) -> PlanCode | None:
        assert machine.id is not None
        covered = self.coverage.get(machine.id)
        if covered and covered[1] <= on <= covered[2]:
            return PlanCode(covered[0])
        if on <= machine.warranty_end and not self._model(machine).discontinued_from:
            return WARRANTY_PLAN
        return None

    def _tickets(self, count: int) -> int:
        rng = self.rng
        specs: list[tuple[datetime, TicketStatus, Machine, Customer, ProductModel, PlanCode]] = []
        attempts = 0
        while len(specs) < count and attempts < count * 20:
            attempts += 1
            machine, customer, model = rng.choice(self.machines)
            status, days_back = self._status_and_age(recent=len(specs) % 3 == 0)
            received = self._received_at(days_back)
            plan = self._plan_for(machine, received.astimezone(self.calendar.tz).date())
            if plan is None:
                continue  # no support without plan or warranty (R3, R5): intake would refuse it
            specs.append((received, status, machine, customer, model, plan))
        # Numbers are handed out in order of receipt, as the desk itself does.
        specs.sort(key=lambda spec: spec[0])
        # Thirteen months of closed history beside them (services/demo_history.py, its own random
        # generator), written in one order of receipt with these so numbers follow it.
        history = DemoHistory(
            self.uow,
            self.policy,
            self.calendar,
            self.now,
            seed=self.seed,
            agents=self.agents,
            technicians=self.technicians,
            coordinator=self.coordinator,
            policy_version=self.policy_version,
        )
        past = history.plan(self.machines, self.periods)
        self.live_visits: list[Visit] = []
        merged: list[tuple[datetime, int, PastTicket | int]] = [(p.received_at, 1, p) for p in past]
        merged += [(spec[0], 0, index) for index, spec in enumerate(specs)]
        merged.sort(key=lambda item: (item[0], item[1]))
        for _at, _kind, item in merged:
            if isinstance(item, PastTicket):
                history.write(item)
            else:
                received, status, machine, customer, model, plan = specs[item]
                self._ticket(machine, customer, model, plan, received, status)
        history.finish(self.live_visits)
        return len(specs) + len(past)

    def _status_and_age(self, *, recent: bool) -> tuple[TicketStatus, float]:
        """A third of the tickets are the live queue of the last days; the rest is history."""
        rng = self.rng
        if recent:
            status = rng.choices(
                (
                    TicketStatus.NEW,
                    TicketStatus.IN_PROGRESS,
                    TicketStatus.WAITING_CUSTOMER,
                    TicketStatus.CLOSED,
                ),
                weights=(40, 30, 18, 12),
            )[0]
            return status, rng.uniform(0.02, 3.5 if status is TicketStatus.NEW else 12)
        status = rng.choices(
            (
                TicketStatus.CLOSED,
                TicketStatus.CLOSED_NO_RESPONSE,
                TicketStatus.OUT_OF_SCOPE,
                TicketStatus.IN_PROGRESS,
                TicketStatus.WAITING_CUSTOMER,
            ),
            weights=(76, 10, 5, 6, 3),
        )[0]
        return status, rng.uniform(12, 40 if status.is_open else 200)

    def _ticket(
        self,
        machine: Machine,
        customer: Customer,
        model: ProductModel,
        plan: PlanCode,
        received: datetime,
        status: TicketStatus,
    ) -> None:
        rng = self.rng
        recent = self.now - received < timedelta(days=12)
        severity = rng.choices(list(Severity), weights=(12, 28, 38, 22))[0]
        response = self.policy.response_time(plan, severity)
        due = first_response_due(self.calendar, received, response)
        local_agents = [a for a in self.agents if a.city == customer.city] or self.agents
        agent = rng.choice(local_agents)
        answered = status is not TicketStatus.NEW
        first_response = None
        if answered:
            first_response = add_working_time(self.calendar, received, response * rng.uniform(0.1, 1.15))
            first_response = min(first_response, self.now - timedelta(minutes=1))
            first_response = max(first_response, received + timedelta(minutes=3))
        closed_at = None
        if status not in OPEN_STATUSES:
            closed_at = min(
                add_working_time(self.calendar, first_response or received, timedelta(hours=rng.uniform(2, 30))),
                self.now - timedelta(minutes=1),
            )
        reopened = status is TicketStatus.IN_PROGRESS and not recent and rng.random() < 0.4
        number = self.uow.tickets.next_number(received.astimezone(self.calendar.tz).year)
        assert machine.id is not None and customer.id is not None and agent.id is not None
        description = rng.choice(PROBLEMS[model.technology])
        ticket = self.uow.tickets.add(
            Ticket(
                number=number,
                machine_id=machine.id,
                customer_id=customer.id,
                plan_code=plan,
                severity=severity,
                channel=Channel.ONSITE
                if rng.random() < 0.08 and self.policy.plan(plan).onsite
                else rng.choice((Channel.EMAIL, Channel.PHONE)),
                description=f"{description}\nEquipo {model.name}, serie {machine.serial}.",
                status=status,
                received_at=received,
                assigned_agent_id=agent.id,
                first_response_due_at=due,
                first_responded_at=first_response,
                closed_at=closed_at,
                reopen_count=1 if reopened else 0,
                escalation_level=1,
            )
        )
        events = self._timeline(ticket, agent.id, first_response, closed_at, reopened)
        self._plan_sla(ticket, events)
        if rng.random() < 0.35:
            self._attach(ticket, received)
        if ticket.channel is Channel.ONSITE and first_response is not None:
            technician = next((t for t in self.technicians if t.city == customer.city), self.technicians[0])
            assert technician.id is not None and ticket.id is not None
            start = first_response + timedelta(hours=2)
            hours = rng.choice((1.5, 2.5, 3.5, 4.5))
            visit = self.uow.tickets.add_visit(
                Visit(
                    ticket.id,
                    machine.id,
                    technician.id,
                    customer.city,
                    start,
                    start + timedelta(hours=hours),
                    "Mantenimiento preventivo y diagnóstico en sitio.",
                    "Boquilla 0,4 mm" if hours > 3 else "",
                    rng.choice((0, 120_000, 180_000, 250_000)),
                    maintenance=True,
                )
            )
            self.live_visits.append(visit)

    def _timeline(
        self,
        ticket: Ticket,
        agent_id: UserId,
        first_response: datetime | None,
        closed_at: datetime | None,
        reopened: bool,
    ) -> list[TicketEvent]:
        rng = self.rng
        assert ticket.id is not None
        tid = ticket.id
        events = [
            TicketEvent(tid, EventKind.CREATED, ticket.received_at, agent_id, "", (("channel", ticket.channel.value),)),
            TicketEvent(
                tid,
                EventKind.ASSIGNMENT,
                ticket.received_at + timedelta(minutes=2),
                self.coordinator.id,
                "",
                (("agent_id", str(agent_id)),),
            ),
        ]
        if ticket.first_response_due_at and (first_response or self.now) > ticket.first_response_due_at:
            breach = ticket.first_response_due_at
            events.append(
                TicketEvent(
                    tid,
                    EventKind.ESCALATION,
                    breach,
                    None,
                    "",
                    (("level", "2"), ("reason", "breach"), ("to", str(self.coordinator.id))),
                )
            )
        if first_response is not None:
            # A word to the customer, as the desk marks it (the reports count it as the response, R7).
            events.append(
                TicketEvent(tid, EventKind.COMMENT, first_response, agent_id, rng.choice(COMMENTS), TO_CUSTOMER)
            )
            events.append(
                TicketEvent(
                    tid,
                    EventKind.STATUS_CHANGE,
                    first_response,
                    agent_id,
                    "",
                    (("from", "new"), ("to", "in_progress")),
                )
            )
        moment = first_response or ticket.received_at
        if ticket.status is TicketStatus.IN_PROGRESS and first_response is not None and not reopened:
            # A desk that works keeps its customers informed (R10): most open tickets had an update
            # recently, a few are about to miss the next one.
            update = max(first_response + timedelta(minutes=30), self.now - timedelta(hours=rng.uniform(0.5, 40)))
            if update < self.now:
                events.append(TicketEvent(tid, EventKind.COMMENT, update, agent_id, rng.choice(UPDATES), TO_CUSTOMER))
        if ticket.status in (TicketStatus.WAITING_CUSTOMER, TicketStatus.CLOSED_NO_RESPONSE):
            events.append(
                TicketEvent(
                    tid,
                    EventKind.STATUS_CHANGE,
                    moment + timedelta(minutes=5),
                    agent_id,
                    "",
                    (("from", "in_progress"), ("to", "waiting_customer")),
                )
            )
            attempts = 3 if ticket.status is TicketStatus.CLOSED_NO_RESPONSE else rng.randrange(0, 3)
            day = moment
            for n in range(1, attempts + 1):
                day = add_working_time(self.calendar, day, timedelta(hours=8))
                if day >= self.now:
                    break
                events.append(
                    TicketEvent(
                        tid,
                        EventKind.CONTACT_ATTEMPT,
                        day,
                        agent_id,
                        "Sin respuesta del cliente.",
                        (("attempt", str(n)), ("method", rng.choice(("phone", "email")))),
                    )
                )
        if closed_at is not None:
            if ticket.status is TicketStatus.CLOSED:
                events.append(TicketEvent(tid, EventKind.COMMENT, closed_at, agent_id, rng.choice(SOLUTIONS)))
            elif ticket.status is TicketStatus.OUT_OF_SCOPE:
                events.append(
                    TicketEvent(
                        tid,
                        EventKind.COMMENT,
                        closed_at,
                        agent_id,
                        "Falla causada por modificación de terceros; fuera del alcance del soporte.",
                    )
                )
            events.append(
                TicketEvent(
                    tid,
                    EventKind.STATUS_CHANGE,
                    closed_at,
                    agent_id,
                    "",
                    (("from", "in_progress"), ("to", ticket.status.value)),
                )
            )
            events.append(
                TicketEvent(
                    tid,
                    EventKind.EMAIL_SENT,
                    closed_at + timedelta(minutes=1),
                    agent_id,
                    "Correo de cierre enviado al cliente.",
                    (("template", "closing"),),
                )
            )
        if reopened:
            at = min(moment + timedelta(days=3), self.now - timedelta(minutes=1))
            events.append(
                TicketEvent(tid, EventKind.EMAIL_RECEIVED, at, None, "El problema continúa, por favor revisar.")
            )
            events.append(
                TicketEvent(
                    tid,
                    EventKind.STATUS_CHANGE,
                    at,
                    None,
                    "",
                    (("from", "closed"), ("to", "in_progress"), ("reason", "reopened")),
                )
            )
        self.uow.tickets.add_events(events)
        return events

    def _plan_sla(self, ticket: Ticket, events: list[TicketEvent]) -> None:
        """Store what the desk itself would have derived from this history (domain.sla)."""
        status_events = [e for e in events if e.kind is EventKind.STATUS_CHANGE]
        changes = [StatusChange(e.at, TicketStatus(dict(e.data)["to"])) for e in status_events]
        reopen = [e.at for e in status_events if dict(e.data).get("reason") == "reopened"]
        updates = [e.at for e in events if e.kind is EventKind.COMMENT and e.author_id is not None]
        clock_start = max(reopen) if reopen else ticket.received_at
        responded = ticket.first_responded_at if not reopen else None
        last_update = max(updates) if updates and responded else None
        level = max((int(dict(e.data)["level"]) for e in events if e.kind is EventKind.ESCALATION), default=1)
        facts = SlaFacts(
            clock_start,
            self.policy.response_time(ticket.plan_code, ticket.severity),
            ticket.status,
            tuple(changes),
            responded,
            last_update,
        )
        sla = ticket_sla(self.calendar, facts, self.now)
        self.uow.tickets.save(
            replace(
                ticket,
                clock_started_at=clock_start,
                first_responded_at=ticket.first_responded_at,
                last_agent_update_at=last_update,
                due_at=sla.due_at,
                escalation_level=level,
                policy_version=self.policy_version,
            )
        )

    def _attach(self, ticket: Ticket, at: datetime) -> None:
        rng = self.rng
        assert ticket.id is not None
        for n in range(rng.randrange(1, 3)):
            content = _tiny_png(rng)
            sha = self.attachments.put(content)
            self.uow.tickets.add_attachment(
                Attachment(ticket.id, sha, f"foto_{ticket.number}_{n + 1}.png", "image/png", len(content), at)
            )
        if rng.random() < 0.3:
            log = f"; makeR firmware 2.3.9\nERR thermal runaway T0={rng.randrange(180, 260)}C\n".encode()
            sha = self.attachments.put(log)
            self.uow.tickets.add_attachment(
                Attachment(ticket.id, sha, "registro_impresora.txt", "text/plain", len(log), at)
            )
