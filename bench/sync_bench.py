"""Field sync benchmark (issue 16), on a real PostgreSQL office (tests/pg_server.py).

    .venv/bin/python bench/sync_bench.py [--machines 2000 --open 500 --commands 300 --photos 30
                                          --laptops 10 --runs 3] [--quick] [--profile]

Builds an office database: Bogotá with `--machines` machines and `--open` open tickets, and
Medellín, Cali and Barranquilla with half as much each (so the field copy's city filter matters);
customers with contacts, trainings and contracts; open tickets with several timeline events each,
recently closed and older closed tickets, visits, and files (their bytes in the database, as on a
team server). The base data goes in with bulk inserts; every change a technician makes afterwards
goes through the services. Then, in the same run:

1. Prepare: a Bogotá technician's field copy, prepared on the laptop (the files fetched from the
   office's database into an empty data folder): time and rows copied (goal < 10 s).
2. A day of field work on that copy, offline, through the services (comments, visits, status
   changes, contact attempts after set_waiting, new tickets, photos via add_attachments), then one
   sync: time split by stage (connect + files, push, pull), bytes of files sent, statements sent to
   the office (goal < 10 s). Beside it, the same day's changes made online, straight against the
   office's PostgreSQL through the services (the only way a laptop works today).
3. Ten laptops (ten technicians over the four on-site cities, each with its own day of work on its
   own tickets) syncing at once, one process each, against one office: 0 lost, 0 applied twice
   (applied_commands rows per device == commands made; each comment's text exactly once in the
   office's ticket_events and in the laptop's copy after the pull), and the wall time for all.

Runs 1 and 2 are repeated `--runs` times, each on a fresh copy of the office database (CREATE
DATABASE … TEMPLATE), and the median is printed. CPU times: this process's (`cpu`) and the
PostgreSQL server's (`pg cpu`, its backends' user + system time); the machine may be shared, so
`/proc/loadavg` is printed with the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import multiprocessing
import os
import pstats
import queue
import random
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, event, func, insert, select, text

from desktop_app import i18n
from desktop_app.bootstrap import Services, build_services
from desktop_app.config import Settings
from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Role, Severity, TicketStatus
from desktop_app.domain.permissions import Actor
from desktop_app.field_office import OFFICE_PASSWORD_ENV, prepare_field_copy
from desktop_app.persistence.field.blobs import DatabaseBlobStore
from desktop_app.persistence.tables import (
    AttachmentRecord,
    ContactRecord,
    ContractRecord,
    CustomerRecord,
    MachineRecord,
    ProductModelRecord,
    TicketEventRecord,
    TicketRecord,
    TrainingRecordRecord,
    UserRecord,
    VisitRecord,
    contract_machines,
)
from desktop_app.security import Argon2PasswordHasher
from desktop_app.services.field.sync import SyncProgress, SyncReport
from desktop_app.services.tickets import IntakeRequest, NewAttachment, VisitRequest
from desktop_app.services.users import actor_of

PASSWORD = "bench-password"
NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()
# Bogotá first: figures 1 and 2 are a Bogotá technician's; the others have half its size each.
CITIES = ("Bogotá", "Medellín", "Cali", "Barranquilla")
LAPTOP_CITIES = ("Bogotá", "Medellín", "Cali", "Barranquilla", "Bogotá", "Medellín", "Cali", "Barranquilla")
PLANS = (("premium", 35), ("profesional", 40), ("basico", 25))  # premium and profesional include on-site work
MODELS = (("BEN-M3", "makeR M3 (bench)", "fdm"), ("BEN-R1", "makeR R1 (bench)", "resin"))
VISIT_SPAN = timedelta(hours=13)  # a day's visits fit between NOW - 14 h and NOW - 1 h


# -- measuring ------------------------------------------------------------------------------------------


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class PgCpu:
    """The PostgreSQL server's CPU time so far (postmaster, live backends, and reaped ones)."""

    def __init__(self, data_dir: Path) -> None:
        self._pid = int((data_dir / "postmaster.pid").read_text().split()[0])
        self._tick = os.sysconf("SC_CLK_TCK")

    def _fields(self, pid: int) -> list[str] | None:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        return raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) ": state is field 0

    def seconds(self) -> float:
        ticks = 0
        own = self._fields(self._pid)
        if own is not None:  # utime, stime, cutime, cstime: fields 14-17 of stat, 11-14 here
            ticks += sum(int(v) for v in own[11:15])
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                values = self._fields(int(entry))
                if values is not None and int(values[1]) == self._pid:
                    ticks += int(values[11]) + int(values[12])
        return ticks / self._tick


class Statements:
    """SQL statements sent, by dialect (a count of round trips to the office's server)."""

    counts: ClassVar[Counter[str]] = Counter()

    @classmethod
    def install(cls) -> None:
        def count(conn: Any, *_args: Any) -> None:
            cls.counts[conn.dialect.name] += 1

        event.listen(Engine, "before_cursor_execute", count)

    @classmethod
    def postgres(cls) -> int:
        return cls.counts["postgresql"]


@dataclass
class Timing:
    wall: float
    cpu: float
    pg_cpu: float = 0.0


@contextmanager
def timed(pg: PgCpu | None = None) -> Iterator[Timing]:
    timing = Timing(0.0, 0.0)
    start, start_cpu = time.perf_counter(), time.process_time()
    start_pg = pg.seconds() if pg else 0.0
    yield timing
    timing.wall = time.perf_counter() - start
    timing.cpu = time.process_time() - start_cpu
    timing.pg_cpu = (pg.seconds() - start_pg) if pg else 0.0


def fmt(t: Timing) -> str:
    pg = f", pg cpu {t.pg_cpu:5.2f} s" if t.pg_cpu else ""
    return f"{t.wall:6.2f} s (cpu {t.cpu:5.2f} s{pg})"


def median_timing(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings),
        statistics.median(t.cpu for t in timings),
        statistics.median(t.pg_cpu for t in timings),
    )


class DelayProxy:
    """A TCP relay in front of the PostgreSQL server that holds every chunk of bytes `rtt / 2` in
    each direction: the office as a field laptop reaches it over a mobile link (the bandwidth is not
    limited; only the round trips cost)."""

    def __init__(self, target_port: int, rtt_ms: float) -> None:
        self._target = target_port
        self._delay = rtt_ms / 2000
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self._target))
            for source, sink in ((client, upstream), (upstream, client)):
                held: queue.Queue[tuple[float, bytes]] = queue.Queue()
                threading.Thread(target=self._read, args=(source, held), daemon=True).start()
                threading.Thread(target=self._write, args=(sink, held), daemon=True).start()

    def _read(self, source: socket.socket, held: queue.Queue[tuple[float, bytes]]) -> None:
        while True:
            try:
                data = source.recv(1 << 16)
            except OSError:
                data = b""
            held.put((time.monotonic() + self._delay, data))
            if not data:
                return

    def _write(self, sink: socket.socket, held: queue.Queue[tuple[float, bytes]]) -> None:
        while True:
            due, data = held.get()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                if not data:
                    sink.shutdown(socket.SHUT_WR)
                    return
                sink.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self._listener.close()


# -- the office's base data, in bulk ----------------------------------------------------------------------


@dataclass
class Technician:
    username: str
    user_id: int
    city: str


@dataclass
class OpenTicket:
    id: int
    status: str
    onsite: bool


@dataclass
class CityData:
    tickets: list[OpenTicket] = field(default_factory=list)
    new_ticket_machines: list[int] = field(default_factory=list)  # on-site contract, no open ticket


@dataclass
class World:
    technicians: list[Technician]
    cities: dict[str, CityData]
    rows: dict[str, int]
    files: int
    file_bytes: int


def _json(**values: str) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def jpeg_like(rng: random.Random, size: int) -> bytes:
    """Random bytes with a JPEG's start and end markers (incompressible, as a photo is)."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(max(0, size - 13)) + b"\xff\xd9"


def build_office(settings: Settings, machines: int, open_tickets: int, technicians: int) -> World:
    """The office's base data: users through their table (one Argon2 hash for all), the rest in bulk."""
    services = build_services(settings)
    policy = services.policy.policy()
    version = services.policy.version()
    blobs = DatabaseBlobStore(services.session_factory)  # type: ignore[arg-type]
    password_hash = Argon2PasswordHasher().hash(PASSWORD)
    rng = random.Random(16)
    rows: Counter[str] = Counter()
    world = World([], {city: CityData() for city in CITIES}, {}, 0, 0)
    files: dict[str, bytes] = {}
    with services.engine.begin() as db:

        def next_id(record: Any) -> Iterator[int]:
            start = (db.scalar(select(func.max(record.id))) or 0) + 1
            n = start
            while True:
                yield n
                n += 1

        ids = {
            name: next_id(record)
            for name, record in (
                ("user", UserRecord),
                ("customer", CustomerRecord),
                ("contact", ContactRecord),
                ("training", TrainingRecordRecord),
                ("machine", MachineRecord),
                ("contract", ContractRecord),
                ("ticket", TicketRecord),
                ("event", TicketEventRecord),
                ("attachment", AttachmentRecord),
                ("visit", VisitRecord),
            )
        }
        present_models = set(db.scalars(select(ProductModelRecord.code)))
        models = [
            {"code": code, "name": name, "technology": tech, "warranty_months": 12, "notes": "", "version": 1}
            for code, name, tech in MODELS
            if code not in present_models
        ]
        if models:
            db.execute(insert(ProductModelRecord), models)

        users: list[dict[str, Any]] = []

        def user(username: str, name: str, role: Role, city: str) -> int:
            user_id = next(ids["user"])
            users.append(
                {
                    "id": user_id,
                    "username": username,
                    "full_name": name,
                    "email": f"{username}@bench.co",
                    "role": role.value,
                    "city": city,
                    "active": True,
                    "password_hash": password_hash,
                    "failed_sign_ins": 0,
                    "version": 1,
                }
            )
            return user_id

        admin = user("bench.admin", "Administración (bench)", Role.ADMIN, "Bogotá")
        agents = {
            city: [user(f"agente.{i}.{city[:3].lower()}", f"Agente {i} {city}", Role.AGENT, city) for i in range(2)]
            for city in CITIES
        }
        cities_of_laptops = [LAPTOP_CITIES[i % len(LAPTOP_CITIES)] for i in range(max(technicians, 4))]
        for n, city in enumerate(cities_of_laptops):
            username = f"tecnico.{n:02d}"
            world.technicians.append(
                Technician(username, user(username, f"Técnico {n:02d} ({city})", Role.TECHNICIAN, city), city)
            )
        city_technicians = {city: [t.user_id for t in world.technicians if t.city == city] for city in CITIES}
        db.execute(insert(UserRecord), users)
        rows["users"] += len(users)

        customers, contacts, trainings, machine_rows, contracts, links = [], [], [], [], [], []
        tickets, events, visits, attachments = [], [], [], []
        busy: dict[int, list[tuple[datetime, datetime]]] = {}

        def event_row(
            ticket_id: int, kind: EventKind, at: datetime, author: int | None, body: str = "", **data: str
        ) -> None:
            events.append(
                {
                    "id": next(ids["event"]),
                    "ticket_id": ticket_id,
                    "kind": kind.value,
                    "at": at,
                    "author_id": author,
                    "body": body,
                    "data": _json(**data),
                }
            )

        def photo(ticket_id: int, at: datetime, author: int) -> None:
            content = jpeg_like(rng, rng.randrange(20_000, 200_000))
            sha = hashlib.sha256(content).hexdigest()
            files[sha] = content
            name = f"foto-{ticket_id}-{len(attachments)}.jpg"
            attachments.append(
                {
                    "id": next(ids["attachment"]),
                    "ticket_id": ticket_id,
                    "sha256": sha,
                    "filename": name,
                    "media_type": "image/jpeg",
                    "size": len(content),
                    "added_at": at,
                }
            )
            event_row(ticket_id, EventKind.ATTACHMENT, at, author, name, count="1")

        def visit(ticket_id: int, machine_id: int, city: str, around: datetime, author: int) -> None:
            technician = rng.choice(city_technicians[city])
            start = min(around, NOW - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
            start -= timedelta(hours=rng.randrange(0, 48))
            end = start + timedelta(minutes=rng.choice((45, 60, 90, 120)))
            if any(s < end and start < e for s, e in busy.get(technician, ())):
                return
            busy.setdefault(technician, []).append((start, end))
            visit_id = next(ids["visit"])
            maintenance = rng.random() < 0.25
            visits.append(
                {
                    "id": visit_id,
                    "ticket_id": ticket_id,
                    "machine_id": machine_id,
                    "technician_id": technician,
                    "city": city,
                    "started_at": start,
                    "ended_at": end,
                    "work_done": "Revisión y calibración en sitio.",
                    "parts": "",
                    "travel_expenses": rng.choice((0, 0, 80_000, 150_000)),
                    "maintenance": maintenance,
                    "version": 1,
                }
            )
            minutes = str(int((end - start).total_seconds() // 60))
            event_row(
                ticket_id,
                EventKind.VISIT,
                end,
                technician,
                "Revisión y calibración en sitio.",
                visit_id=str(visit_id),
                city=city,
                minutes=minutes,
                maintenance="1" if maintenance else "0",
                long_maintenance="0",
            )

        def ticket(
            number: str,
            machine: dict[str, Any],
            plan: str,
            city: str,
            status: TicketStatus,
            received: datetime,
            closed: datetime | None,
        ) -> int:
            ticket_id = next(ids["ticket"])
            agent = rng.choice(agents[city])
            severity = rng.choice(list(Severity))
            event_row(ticket_id, EventKind.CREATED, received, agent, channel="phone")
            first = None
            cursor = received
            if status is not TicketStatus.NEW:
                first = received + timedelta(minutes=rng.randrange(20, 600))
                event_row(ticket_id, EventKind.COMMENT, first, agent, "Recibido; revisamos el caso.", to_customer="yes")
                event_row(ticket_id, EventKind.STATUS_CHANGE, first, agent, **{"from": "new", "to": "in_progress"})
                cursor = first
                for _ in range(rng.randrange(1, 4)):
                    cursor += timedelta(minutes=rng.randrange(30, 900))
                    event_row(
                        ticket_id,
                        EventKind.COMMENT,
                        cursor,
                        agent,
                        "Seguimos con la revisión del equipo.",
                        to_customer=rng.choice(("yes", "no")),
                    )
            if status is TicketStatus.WAITING_CUSTOMER:
                cursor += timedelta(minutes=30)
                event_row(
                    ticket_id,
                    EventKind.STATUS_CHANGE,
                    cursor,
                    agent,
                    **{"from": "in_progress", "to": "waiting_customer", "reason": "Esperando fotos del cliente"},
                )
            if closed is not None:
                event_row(ticket_id, EventKind.STATUS_CHANGE, closed, agent, **{"from": "in_progress", "to": "closed"})
            tickets.append(
                {
                    "id": ticket_id,
                    "number": number,
                    "machine_id": machine["id"],
                    "customer_id": machine["customer_id"],
                    "plan_code": plan,
                    "severity": severity.value,
                    "channel": "phone",
                    "description": f"{number}: la impresora {machine['serial']} falla al imprimir piezas largas.",
                    "status": status.value,
                    "assigned_agent_id": agent,
                    "received_at": received,
                    "first_response_due_at": received + timedelta(hours=8),
                    "first_responded_at": first,
                    "closed_at": closed,
                    "reopen_count": 0,
                    "escalation_level": 1,
                    "plan_rank": policy.plan(plan).rank,
                    "severity_rank": policy.severity_rank(severity),
                    "search_text": f"{number.lower()} {machine['serial'].lower()}",
                    "clock_started_at": received,
                    "last_agent_update_at": cursor if first else None,
                    "due_at": None,
                    "policy_version_id": version,
                    "contact_email": "",
                    "version": 1,
                }
            )
            return ticket_id

        numbers = iter(range(10_000, 100_000))  # the office's own numbering starts each year at 00001
        for c, city in enumerate(CITIES):
            share = 1.0 if c == 0 else 0.5
            city_machines, city_open = max(4, int(machines * share)), max(2, int(open_tickets * share))
            data = world.cities[city]
            tag = city[:3].upper()
            made: list[tuple[dict[str, Any], str]] = []  # (machine row, plan of its contract)
            n = 0
            while len(made) < city_machines:
                customer_id = next(ids["customer"])
                customers.append(
                    {
                        "id": customer_id,
                        "name": f"Cliente {tag} {n:04d}",
                        "kind": "company",
                        "city": city,
                        "tax_id": f"9{c}{n:07d}",
                        "email": f"cliente{n}@{tag.lower()}.co",
                        "phone": f"60{n:08d}",
                        "paid_up": True,
                        "trained": True,
                        "address": f"Calle {n} # 1-2",
                        "department": "",
                        "notes": "",
                        "version": 1,
                    }
                )
                for k in range(2):
                    contacts.append(
                        {
                            "id": next(ids["contact"]),
                            "customer_id": customer_id,
                            "name": f"Contacto {k} {tag} {n}",
                            "email": f"c{k}.{n}@{tag.lower()}.co",
                            "phone": f"300{n:07d}",
                            "role": "Jefe de laboratorio",
                            "preferred_channel": "email",
                            "consent_at": NOW - timedelta(days=300),
                            "version": 1,
                        }
                    )
                trainings.append(
                    {
                        "id": next(ids["training"]),
                        "customer_id": customer_id,
                        "held_on": TODAY - timedelta(days=200),
                        "topic": "Operación y mantenimiento",
                        "trainer": "makeR",
                        "recorded_at": NOW - timedelta(days=200),
                    }
                )
                plan = rng.choices([p for p, _ in PLANS], [w for _, w in PLANS])[0]
                contract_id = next(ids["contract"])
                start = TODAY - timedelta(days=rng.randrange(10, 300))
                contracts.append(
                    {
                        "id": contract_id,
                        "customer_id": customer_id,
                        "plan_code": plan,
                        "invoice_number": f"FE-{tag}-{n:05d}",
                        "valid_from": start,
                        "valid_to": start + timedelta(days=364),
                        "price_before_iva": 5_000_000,
                        "special": False,
                        "version": 1,
                    }
                )
                if rng.random() < 0.3:  # last year's contract, lapsed
                    old_id = next(ids["contract"])
                    contracts.append(
                        {
                            "id": old_id,
                            "customer_id": customer_id,
                            "plan_code": plan,
                            "invoice_number": f"FE-{tag}-{n:05d}-A",
                            "valid_from": start - timedelta(days=365),
                            "valid_to": start - timedelta(days=1),
                            "price_before_iva": 4_500_000,
                            "special": False,
                            "version": 1,
                        }
                    )
                for _ in range(rng.randrange(3, 8)):
                    machine_id = next(ids["machine"])
                    code = rng.choice(MODELS)[0]
                    serial = f"{code}-{tag}-{machine_id:06d}"
                    bought = TODAY - timedelta(days=rng.randrange(100, 900))
                    row = {
                        "id": machine_id,
                        "serial": serial,
                        "qr_payload": f"https://bench.co/m/{serial}",
                        "model_code": code,
                        "customer_id": customer_id,
                        "purchase_date": bought,
                        "warranty_end": bought + timedelta(days=365),
                        "unauthorized_intervention": False,
                        "last_preventive_maintenance": TODAY - timedelta(days=rng.randrange(10, 150)),
                        "search_text": serial.lower(),
                        "version": 1,
                    }
                    machine_rows.append(row)
                    links.append({"contract_id": contract_id, "machine_id": machine_id})
                    made.append((row, plan))
                n += 1
            rng.shuffle(made)
            # Open tickets, one per machine; the rest of the machines may get a new ticket in the field.
            for machine, plan in made[:city_open]:
                status = rng.choices(
                    (TicketStatus.IN_PROGRESS, TicketStatus.WAITING_CUSTOMER, TicketStatus.NEW), (60, 25, 15)
                )[0]
                received = NOW - timedelta(minutes=rng.randrange(60 * 26, 60 * 24 * 20))
                ticket_id = ticket(
                    f"SOP-{received.year}-{next(numbers):05d}", machine, plan, city, status, received, None
                )
                if rng.random() < 0.3:
                    for _ in range(rng.randrange(1, 3)):
                        photo(ticket_id, received + timedelta(minutes=5), tickets[-1]["assigned_agent_id"])
                if rng.random() < 0.15 and status is not TicketStatus.NEW:
                    visit(
                        ticket_id, machine["id"], city, received + timedelta(hours=20), tickets[-1]["assigned_agent_id"]
                    )
                data.tickets.append(OpenTicket(ticket_id, status.value, plan != "basico"))
            data.new_ticket_machines = [m["id"] for m, plan in made[city_open:] if plan != "basico"]
            # Closed tickets: twice as many as open in the last 90 days (a field copy takes them as the
            # machines' history), and one per machine older than that (it does not).
            for k in range(city_open * 2 + city_machines):
                machine, plan = rng.choice(made)
                recent = k < city_open * 2
                days = rng.randrange(2, 88) if recent else rng.randrange(95, 720)
                received = NOW - timedelta(days=days, minutes=rng.randrange(0, 600))
                closed = received + timedelta(hours=rng.randrange(4, 40))
                ticket_id = ticket(
                    f"SOP-{received.year}-{next(numbers):05d}",
                    machine,
                    plan,
                    city,
                    TicketStatus.CLOSED,
                    received,
                    closed,
                )
                if recent and rng.random() < 0.1:
                    photo(ticket_id, received + timedelta(minutes=5), tickets[-1]["assigned_agent_id"])
                if rng.random() < 0.2 and plan != "basico":
                    visit(
                        ticket_id, machine["id"], city, received + timedelta(hours=3), tickets[-1]["assigned_agent_id"]
                    )

        for name, record, batch in (
            ("customers", CustomerRecord, customers),
            ("contacts", ContactRecord, contacts),
            ("trainings", TrainingRecordRecord, trainings),
            ("machines", MachineRecord, machine_rows),
            ("contracts", ContractRecord, contracts),
            ("contract_machines", contract_machines, links),
            ("tickets", TicketRecord, tickets),
            ("ticket_events", TicketEventRecord, events),
            ("attachments", AttachmentRecord, attachments),
            ("visits", VisitRecord, visits),
        ):
            for start in range(0, len(batch), 5000):
                db.execute(insert(record), batch[start : start + 5000])
            rows[name] += len(batch)
        for table in (
            "users",
            "customers",
            "contacts",
            "training_records",
            "machines",
            "contracts",
            "tickets",
            "ticket_events",
            "attachments",
            "visits",
        ):
            db.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        del admin
    for sha, content in files.items():
        blobs.upload(sha, content)
    services.close()
    world.rows = dict(rows)
    world.files = len(files)
    world.file_bytes = sum(len(c) for c in files.values())
    return world


# -- a technician's day, as a list of service calls -----------------------------------------------------------


@dataclass(frozen=True)
class Op:
    method: str
    ticket: int | str | None  # an office ticket id, or "new:K" for the K-th ticket taken today
    args: dict[str, Any]


@dataclass
class Day:
    ops: list[Op]
    photos: list[bytes]
    comments: list[str]  # every comment's text, each unique


def plan_day(
    tickets: list[OpenTicket],
    machines: list[int],
    technician: Technician,
    commands: int,
    photos: int,
    seed: int,
    label: str,
) -> Day:
    """`commands` service calls a technician makes in a day on these tickets, `photos` of them photos
    (~200-800 KB each). Blocks of work on one ticket (a visit, a comment, a photo, a status change);
    contact attempts only after set_waiting or on waiting tickets; a few new tickets."""
    rng = random.Random(seed)
    state = {t.id: t.status for t in tickets}
    onsite = {t.id: t.onsite for t in tickets}
    order = [t.id for t in tickets]
    rng.shuffle(order)
    pool = {s: [t for t in order if state[t] == s] for s in ("in_progress", "waiting_customer", "new")}
    free_machines = list(machines)
    rng.shuffle(free_machines)
    comments: list[str] = []
    visits_expected = max(1, commands // 3)
    slot = min(timedelta(minutes=40), VISIT_SPAN / visits_expected)
    visit_start = NOW - timedelta(hours=14)
    blocks: list[list[Op]] = []
    photo_slots: list[tuple[int, int]] = []  # (block, index) where a photo may go
    new_count = 0

    def comment(ticket: int | str, to_customer: bool = False) -> Op:
        body = f"[{label}·{len(comments):04d}] En sitio: boquilla limpia, cama nivelada, prueba de impresión correcta."
        comments.append(body)
        return Op("add_comment", ticket, {"body": body, "to_customer": to_customer})

    def visit(ticket: int) -> Op:
        nonlocal visit_start
        start = visit_start
        visit_start += slot
        request = VisitRequest(
            technician_id=UserId(technician.user_id),
            city=technician.city,
            started_at=start,
            ended_at=start + slot * 0.8,
            work_done="Mantenimiento y calibración en sitio.",
            parts="Boquilla 0,4 mm" if rng.random() < 0.3 else "",
            travel_expenses=rng.choice((0, 60_000)),
            maintenance=rng.random() < 0.2,
        )
        return Op("record_visit", ticket, {"request": request})

    size = 0
    budget = commands - photos
    while size < budget:
        choice = rng.random()
        block: list[Op] = []
        photo_at = None
        if choice < 0.04 and free_machines:
            machine = free_machines.pop()
            ref = f"new:{new_count}"
            new_count += 1
            block.append(Op("create_ticket", None, {"machine_id": machine, "ref": ref}))
            photo_at = 1
            block.append(comment(ref))
        elif choice < 0.70 and pool["in_progress"]:
            ticket = pool["in_progress"].pop()
            if onsite[ticket] and visit_start + slot < NOW - timedelta(hours=1):
                block.append(visit(ticket))
            block.append(comment(ticket, to_customer=rng.random() < 0.3))
            photo_at = len(block)
            outcome = rng.random()
            if outcome < 0.35:
                block.append(Op("set_waiting", ticket, {"reason": "Esperando que el cliente pruebe la pieza"}))
                block.append(Op("log_contact_attempt", ticket, {"method": "phone", "note": "Llamada al laboratorio"}))
            elif outcome < 0.50:
                block.append(
                    Op(
                        "close_solved",
                        ticket,
                        {
                            "solution": "Se calibró y se cambió la boquilla.",
                            "closing_for_reason": "Cerrado en sitio por el técnico",
                        },
                    )
                )
            elif outcome < 0.60:
                block.append(Op("change_severity", ticket, {"severity": Severity.LOW}))
        elif choice < 0.88 and pool["waiting_customer"]:
            ticket = pool["waiting_customer"].pop()
            block.append(Op("log_contact_attempt", ticket, {"method": "phone", "note": "Sin respuesta"}))
            if rng.random() < 0.3:
                block.append(Op("resume", ticket, {}))
                block.append(comment(ticket))
        elif pool["new"]:
            ticket = pool["new"].pop()
            block.append(comment(ticket, to_customer=True))
        else:  # every ticket had its turn: more notes on any still open
            open_now = [t for t in order if state[t] != "closed"]
            block.append(comment(rng.choice(open_now)))
        for op in block:
            if op.method == "close_solved":
                state[op.ticket] = "closed"  # type: ignore[index]
        if photo_at is not None:
            photo_slots.append((len(blocks), photo_at))
        blocks.append(block)
        size += len(block)
    # The photos, spread evenly over the blocks that can take one (before any status change).
    chosen = [photo_slots[int(i * len(photo_slots) / photos)] for i in range(photos)] if photo_slots else []
    inserts: dict[int, list[int]] = {}
    for b, at in chosen:
        inserts.setdefault(b, []).append(at)
    ops: list[Op] = []
    for b, block in enumerate(blocks):
        extra = sorted(inserts.get(b, []), reverse=True)
        block = list(block)
        for at in extra:
            ticket = block[0].ticket if block[0].method != "create_ticket" else block[0].args["ref"]
            block.insert(at, Op("add_attachments", ticket, {"photo": True}))
        ops.extend(block)
    # Trim to `commands`, from the end, keeping the photos (later steps go before the earlier ones).
    while len(ops) > commands:
        for i in range(len(ops) - 1, -1, -1):
            if ops[i].method != "add_attachments":
                if ops[i].method == "add_comment":
                    comments.remove(ops[i].args["body"])
                del ops[i]
                break
    photo_rng = random.Random(seed + 1)
    photo_bytes = [jpeg_like(photo_rng, photo_rng.randrange(200_000, 800_000)) for _ in range(photos)]
    return Day(ops, photo_bytes, comments)


def work(services: Services, actor: Actor, day: Day) -> int:
    """Make the day's calls through the services; returns how many were made."""
    tickets = services.tickets
    taken: dict[str, int] = {}
    photos = iter(day.photos)
    made = 0
    for n, op in enumerate(day.ops):
        ticket = op.ticket
        if isinstance(ticket, str):
            ticket = taken[ticket]
        if op.method == "create_ticket":
            detail = tickets.create_ticket(
                IntakeRequest(
                    machine_id=MachineId(op.args["machine_id"]),
                    description="La impresora deja de extruir a mitad de la pieza; se revisó en sitio el hotend.",
                    severity=Severity.MEDIUM,
                    channel=Channel.ONSITE,
                    assigned_agent_id=None,
                    attachments=(),
                ),
                actor=actor,
            )
            taken[op.args["ref"]] = detail.id
        elif op.method == "add_attachments":
            content = next(photos)
            tickets.add_attachments(
                TicketId(ticket), (NewAttachment(f"foto-{n:03d}.jpg", content, "image/jpeg"),), actor=actor
            )
        elif op.method == "change_severity":  # a real change (one to the same value changes nothing)
            current = tickets.get_ticket(TicketId(ticket)).severity
            severity = op.args["severity"] if op.args["severity"] is not current else Severity.HIGH
            tickets.change_severity(TicketId(ticket), severity, actor=actor)
        else:
            getattr(tickets, op.method)(TicketId(ticket), **op.args, actor=actor)
        made += 1
    return made


# -- field copies ---------------------------------------------------------------------------------------------


def prepare(
    office_url: str, folder: Path, technician: Technician, pg: PgCpu | None = None, profile: bool = False
) -> tuple[Path, Any, Timing]:
    """A field copy prepared on the laptop (its own, empty data folder), as `makersupport field
    prepare` does: the office's services opened from the laptop, the technician signed in. The time
    is the preparation's alone (not the connection's nor the sign-in's)."""
    folder.mkdir(parents=True, exist_ok=True)
    on_laptop = build_services(Settings(db_url=office_url, data_dir=folder), migrate=False)
    try:
        actor = signed_in(on_laptop, technician.username)
        target = folder / "campo.sqlite3"
        with timed(pg) as timing:
            report = profiled(profile, "prepare", lambda: prepare_field_copy(on_laptop, actor, target))
    finally:
        on_laptop.close()
    return target, report, timing


def signed_in(services: Services, username: str) -> Actor:
    """The person as a sign-in makes them (services.users.actor_of), without the sign-in's two Argon2
    computations (about 0.7 s each time a Services is built): they are not what is measured."""
    with services.uow_factory() as uow:
        credentials = uow.catalog.credentials(username)
    assert credentials is not None and credentials.user.active
    return actor_of(credentials.user)


def open_laptop(folder: Path) -> Services:
    return build_services(Settings(db_url=f"sqlite:///{folder / 'campo.sqlite3'}", data_dir=folder))


@dataclass
class StagedSync:
    report: SyncReport
    timing: Timing
    stages: dict[str, tuple[float, float]]  # stage: (wall, cpu)
    statements: int


def staged_sync(laptop: Services, pg: PgCpu | None = None) -> StagedSync:
    """One sync, with the wall and CPU time of each stage (read off its progress reports)."""
    assert laptop.field is not None
    marks: dict[str, tuple[float, float]] = {}

    def tell(p: SyncProgress) -> None:
        now = (time.perf_counter(), time.process_time())
        if p.stage == "pull" and p.done == 0:
            marks["pull-start"] = now
        else:
            marks[p.stage] = now

    before = Statements.postgres()
    with timed(pg) as timing:
        start = (time.perf_counter(), time.process_time())
        report = laptop.field.sync(tell)
        end = (time.perf_counter(), time.process_time())
    files_end = marks.get("files", start)
    push_end = marks.get("push", files_end)
    pull_start = marks.get("pull-start", push_end)
    pull_end = marks.get("pull", pull_start)

    def span(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
        return b[0] - a[0], b[1] - a[1]

    stages = {
        "connect + files": span(start, files_end),
        "push": span(files_end, pull_start),
        "pull": span(pull_start, pull_end),
        "the rest": span(pull_end, end),
    }
    return StagedSync(report, timing, stages, Statements.postgres() - before)


def check_office(office_url: str, data_dir: Path, devices: dict[str, dict[str, str]], comments: list[str]) -> list[str]:
    """What went wrong at the office ([] when nothing did): the applied_commands rows of each device
    against the commands made there (command id: method), and each comment's text exactly once."""
    problems = []
    services = build_services(Settings(db_url=office_url, data_dir=data_dir), migrate=False)
    try:
        with services.engine.connect() as db:
            applied: dict[str, set[str]] = {}
            for device, command in db.execute(text("SELECT device_id, command_id FROM applied_commands")):
                applied.setdefault(device, set()).add(command)
            seen = Counter(
                dict(
                    db.execute(
                        text(
                            "SELECT body, count(*) FROM ticket_events "
                            "WHERE kind = 'comment' AND body LIKE '[L%' GROUP BY body"
                        )
                    ).all()
                )
            )
    finally:
        services.close()
    for device, made in devices.items():
        rows = applied.get(device, set())
        if len(rows) != len(made) or rows != set(made):
            missing = Counter(method for command, method in made.items() if command not in rows)
            problems.append(
                f"device {device[:8]}: {len(rows)} applied_commands rows for {len(made)} commands made; "
                f"without a row: {dict(missing)}; rows for no command made: {len(rows - set(made))}"
            )
    lost = [c for c in comments if seen[c] == 0]
    twice = [c for c in comments if seen[c] > 1]
    if lost:
        problems.append(f"{len(lost)} comments lost, e.g. {lost[0][:30]}")
    if twice:
        problems.append(f"{len(twice)} comments twice, e.g. {twice[0][:30]}")
    return problems


def check_laptop(laptop: Services, comments: list[str]) -> list[str]:
    """After the pull, the laptop holds each of its comments once (its own rows gave way to the office's)."""
    with laptop.engine.connect() as db:
        seen = Counter(
            dict(
                db.execute(text("SELECT body, count(*) FROM ticket_events WHERE kind = 'comment' GROUP BY body")).all()
            )
        )
    wrong = [c for c in comments if seen[c] != 1]
    return [f"{len(wrong)} comments not exactly once on the laptop"] if wrong else []


def outbox_states(laptop: Services) -> Counter[str]:
    assert laptop.field is not None
    return Counter(c.state.value for c in laptop.field.outbox())


# -- ten laptops at once ---------------------------------------------------------------------------------------


def _day_child(spec: tuple[str, str, Day]) -> tuple[int, str, dict[str, str], float]:
    """One laptop's day of work: (calls made, its device, its commands (id: method), CPU seconds)."""
    folder, username, day = spec
    start = time.process_time()
    laptop = open_laptop(Path(folder))
    try:
        made = work(laptop, signed_in(laptop, username), day)
        assert laptop.field is not None
        device = laptop.field.status().state.device_id
        commands = {c.command_id: c.method for c in laptop.field.outbox()}
    finally:
        laptop.close()
    return made, device, commands, time.process_time() - start


def _sync_child(folder: str, barrier: Any, results: Any) -> None:
    laptop = open_laptop(Path(folder))
    try:
        barrier.wait()
        staged = staged_sync(laptop)
        results.put(
            (folder, staged.timing.wall, staged.timing.cpu, staged.report, staged.statements, time.perf_counter(), None)
        )
    except BaseException as exc:  # reported by the parent
        results.put((folder, 0.0, 0.0, None, 0, time.perf_counter(), repr(exc)))
    finally:
        laptop.close()


class LockWatch:
    """Samples, every 50 ms, how many of the office database's sessions are running a statement, how
    many of them wait for a lock (another transaction's row) and on which statement, and how many
    transactions are open between two statements (their client is working or the network is slow)."""

    def __init__(self, office_url: str) -> None:
        self._dsn = office_url.replace("postgresql+psycopg://", "postgresql://")
        self._stop = threading.Event()
        self.samples: list[tuple[int, int]] = []
        self.idle: list[int] = []  # transactions open while their client works (or waits on the network)
        self.waits: Counter[str] = Counter()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self._dsn, autocommit=True) as connection:
            while not self._stop.wait(0.05):
                rows = connection.execute(
                    "SELECT state, wait_event_type, wait_event, left(query, 40) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchall()
                active = [r for r in rows if r[0] == "active"]
                locked = [r for r in active if r[1] == "Lock"]
                self.waits.update(f"{r[3]!r}" for r in locked)
                self.samples.append((len(active), len(locked)))
                self.idle.append(sum(1 for r in rows if r[0] == "idle in transaction"))

    def stop(self) -> str:
        self._stop.set()
        self._thread.join()
        if not self.samples:
            return ""
        active = statistics.mean(a for a, _ in self.samples)
        locked = statistics.mean(w for _, w in self.samples)
        idle = statistics.mean(self.idle)
        waits = ", ".join(f"{k} {v}" for k, v in self.waits.most_common(2))
        return (
            f"at the office, on average: {active:.1f} statements running, {locked:.1f} of them waiting for a "
            f"row lock{f' ({waits} samples)' if waits else ''}, {idle:.1f} transactions open between statements"
        )


def parallel_sync(folders: list[Path], office_url: str | None = None) -> tuple[float, list[tuple[Any, ...]], str]:
    """Every laptop syncs at once, one process each; (wall time for all, each one's result, the
    office's lock waits meanwhile)."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(folders) + 1)
    results = context.Queue()
    children = [context.Process(target=_sync_child, args=(str(f), barrier, results)) for f in folders]
    for child in children:
        child.start()
    watch = LockWatch(office_url) if office_url else None  # after the forks: the children get no thread
    barrier.wait()
    start = time.perf_counter()
    got = [results.get(timeout=1800) for _ in children]
    wall = max(r[5] for r in got) - start
    for child in children:
        child.join()
    return wall, got, watch.stop() if watch else ""


# -- the run ------------------------------------------------------------------------------------------------------


def profiled(enabled: bool, label: str, fn: Callable[[], Any]) -> Any:
    if not enabled:
        return fn()
    profile = cProfile.Profile()
    result = profile.runcall(fn)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
    stats.print_stats(30)
    dump = Path(tempfile.gettempdir()) / f"sync-bench-{label}.prof"
    profile.dump_stats(dump)
    print(f"--- profile: {label} (cumulative; all of it in {dump}) ---")
    print("\n".join(out.getvalue().splitlines()[:60]))
    return result


def ten_laptops(
    args: argparse.Namespace,
    server: Any,
    base: str,
    world: World,
    root: Path,
    pg: PgCpu,
    reach: Callable[[str], str],
) -> list[str]:
    """Figure 3: every technician's field copy, a day of work on each (their own tickets), then all
    of them syncing at once; returns what went wrong."""
    name = server.create_database(template=base)
    url = server.url(name)
    laptops = world.technicians[: args.laptops]
    by_city: dict[str, list[Technician]] = {}
    for t in laptops:
        by_city.setdefault(t.city, []).append(t)
    folders, devices, all_comments, made_total = [], {}, [], 0
    with timed(pg) as t_prepare_all:
        for n, technician in enumerate(laptops):
            prepare(reach(name), root / f"laptop{n:02d}", technician)
    print(f"3. {len(laptops)} field copies prepared one after another in {fmt(t_prepare_all)}")
    rng = random.Random(3)
    specs = []
    for n, technician in enumerate(laptops):
        colleagues = by_city[technician.city]
        share = colleagues.index(technician)
        city = world.cities[technician.city]
        mine = [t for k, t in enumerate(city.tickets) if k % len(colleagues) == share]
        machines = [m for k, m in enumerate(city.new_ticket_machines) if k % len(colleagues) == share]
        commands = rng.randrange(max(4, args.commands // 3), args.commands + 1)
        day_n = plan_day(
            mine, machines, technician, commands, max(1, commands // 10), seed=100 + n, label=f"L{n + 1:02d}"
        )
        folder = root / f"laptop{n:02d}"
        specs.append((str(folder), technician.username, day_n))
        folders.append(folder)
        all_comments.extend(day_n.comments)
    with timed() as t_days, multiprocessing.get_context("fork").Pool(2) as pool:  # the machine's two cores
        outcomes = pool.map(_day_child, specs, chunksize=1)
    for made, device, commands_made, _cpu in outcomes:
        made_total += made
        devices[device] = commands_made
    t_days.cpu = sum(o[3] for o in outcomes)
    print(f"   their days of work, offline, two laptops at a time: {made_total} calls in {fmt(t_days)}")
    start_pg = pg.seconds()
    wall, results, locks = parallel_sync(folders, server.url(name))
    pg_cpu = pg.seconds() - start_pg
    errors = [r[6] for r in results if r[6]]
    reports = [r[3] for r in results if r[3] is not None]
    cpu = sum(r[2] for r in results)
    applied = sum(r.applied for r in reports)
    print(
        f"   all {len(folders)} syncing at once: {wall:.2f} s wall for all (cpu of the laptops {cpu:.2f} s, "
        f"pg cpu {pg_cpu:.2f} s); each {min(r[1] for r in results):.2f}–{max(r[1] for r in results):.2f} s; "
        f"load {loadavg()}"
    )
    print(f"   {locks}")
    print(
        f"   applied {applied}, conflicts {sum(r.conflicts for r in reports)}, already "
        f"{sum(r.already for r in reports)}, files {sum(r.files for r in reports)} "
        f"({sum(r.bytes_sent for r in reports) / 1e6:.1f} MB)"
    )
    problems = [f"laptop failed: {e}" for e in errors]
    problems += check_office(url, root / "check", devices, all_comments)
    for folder in folders:
        laptop = open_laptop(folder)
        try:
            states = outbox_states(laptop)
            if states["done"] != sum(states.values()):
                problems.append(f"{folder.name}: outbox after the sync {dict(states)}")
            problems += check_laptop(laptop, [c for c in all_comments if c[1:4] == f"L{int(folder.name[6:]) + 1:02d}"])
        finally:
            laptop.close()
    again_wall, again, _locks = parallel_sync(folders)  # nothing pending: nothing more may be applied
    if any(r[3] is None or r[3].applied for r in again):
        problems.append("a second sync applied something again")
    problems += check_office(url, root / "check", devices, all_comments)
    lost = made_total != sum(map(len, devices.values()))
    print(
        f"   check: {made_total} calls made, {sum(map(len, devices.values()))} commands in the outboxes"
        f"{' (MISMATCH)' if lost else ''}; "
        + (
            "; ".join(problems)
            or "0 lost, 0 applied twice (applied_commands per device == commands made, each comment once at "
            "the office and on its laptop)"
        )
        + f"; a second sync of all: {again_wall:.2f} s, 0 applied"
    )
    server.drop_database(name)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--machines", type=int, default=2000, help="Bogotá's machines (other cities: half each)")
    parser.add_argument("--open", type=int, default=500, help="Bogotá's open tickets (other cities: half each)")
    parser.add_argument("--commands", type=int, default=300, help="the day of work of figure 2")
    parser.add_argument("--photos", type=int, default=30)
    parser.add_argument("--laptops", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3, help="runs of figures 1 and 2 (median)")
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--profile", action="store_true", help="cProfile the first prepare and sync")
    parser.add_argument("--no-online", action="store_true", help="skip the online comparison")
    parser.add_argument("--no-laptops", action="store_true", help="skip figure 3")
    parser.add_argument(
        "--rtt",
        type=float,
        default=0.0,
        metavar="MS",
        help="reach the office through a relay adding MS ms a round trip",
    )
    args = parser.parse_args()
    if args.quick:
        args.machines, args.open, args.commands, args.photos, args.laptops, args.runs = 40, 12, 24, 2, 2, 1
    i18n.install("en")
    os.environ[OFFICE_PASSWORD_ENV] = "unused"  # the bench server trusts loopback; keeps the keyring out
    Statements.install()
    from tests.pg_server import TemporaryPostgres

    root = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    server = TemporaryPostgres().start()
    failures: list[str] = []
    try:
        pg = PgCpu(server.folder / "data")
        proxy = DelayProxy(server.port, args.rtt) if args.rtt else None

        def reach(database: str) -> str:
            """The office's address as the laptops reach it (through the relay with --rtt)."""
            return proxy.url(database) if proxy else server.url(database)

        relay = f" · the laptops reach it through a relay adding {args.rtt:g} ms a round trip" if args.rtt else ""
        print(f"load {loadavg()} · {os.cpu_count()} cores · PostgreSQL {server.bin.parent.name}{relay}")
        base = server.create_database()
        with timed(pg) as built:
            world = build_office(
                Settings(db_url=server.url(base), data_dir=root / "office"), args.machines, args.open, args.laptops
            )
        total = ", ".join(f"{k} {v:,}" for k, v in world.rows.items())
        print(f"office built in {fmt(built)}: {total}; {world.files:,} files, {world.file_bytes / 1e6:.1f} MB")

        bogota = world.technicians[0]
        day = plan_day(
            world.cities["Bogotá"].tickets,
            world.cities["Bogotá"].new_ticket_machines,
            bogota,
            args.commands,
            args.photos,
            seed=1,
            label="L00",
        )
        kinds = Counter(op.method for op in day.ops)
        print(
            f"a day of work ({len(day.ops)} calls): "
            + ", ".join(f"{k} {v}" for k, v in kinds.most_common())
            + f"; photos {sum(map(len, day.photos)) / 1e6:.1f} MB"
        )

        # 1 and 2: prepare, a day offline, one sync; each run on a fresh copy of the office.
        prepares, offline, syncs = [], [], []
        for run in range(args.runs):
            name = server.create_database(template=base)
            url = server.url(name)
            folder = root / f"run{run}"
            target, report, t_prepare = prepare(reach(name), folder, bogota, pg, args.profile and run == 0)
            prepares.append(t_prepare)
            files = list((folder / "attachments").rglob("*"))
            file_mb = sum(f.stat().st_size for f in files if f.is_file()) / 1e6
            copied = sum(v for v in report.written.values())
            print(
                f"[run {run + 1}] 1. prepare Bogotá: {fmt(t_prepare)}  goal < 10 s · {copied:,} rows "
                f"({', '.join(f'{k} {v:,}' for k, v in report.written.items())}); "
                f"{len([f for f in files if f.is_file()])} files, {file_mb:.1f} MB; "
                f"copy {target.stat().st_size / 1e6:.1f} MB · load {loadavg()}"
            )
            laptop = open_laptop(folder)
            try:
                actor = signed_in(laptop, bogota.username)
                with timed() as t_work:
                    made = work(laptop, actor, day)
                offline.append(t_work)
                outbox = laptop.field.outbox()  # type: ignore[union-attr]
                payload = sum(len(json.dumps(c.payload)) for c in outbox)
                print(
                    f"[run {run + 1}]    offline: {made} calls in {fmt(t_work)} "
                    f"({t_work.wall / made * 1000:.1f} ms a call); outbox {len(outbox)} commands, "
                    f"{payload / 1e3:.0f} kB of JSON"
                )
                staged = profiled(args.profile and run == 0, "sync", lambda: staged_sync(laptop, pg))  # noqa: B023
                syncs.append(staged)
                r = staged.report
                split = ", ".join(f"{k} {w:.2f} s (cpu {c:.2f})" for k, (w, c) in staged.stages.items())
                print(f"[run {run + 1}] 2. sync: {fmt(staged.timing)}  goal < 10 s · {split}")
                print(
                    f"[run {run + 1}]    applied {r.applied}, already {r.already}, conflicts {r.conflicts}, "
                    f"files {r.files} ({r.bytes_sent / 1e6:.1f} MB sent), {staged.statements:,} statements "
                    f"to the office; pulled {sum(v for k, v in r.pulled.items() if not k.startswith('-')):,} rows"
                )
                states = outbox_states(laptop)
                state = laptop.field.status().state  # type: ignore[union-attr]
                made_here = {c.command_id: c.method for c in outbox}
                problems = check_office(url, root / "check", {state.device_id: made_here}, day.comments)
                problems += check_laptop(laptop, day.comments)
                if states["done"] != len(outbox):
                    problems.append(f"outbox after the sync: {dict(states)}")
                print(
                    f"[run {run + 1}]    check: "
                    + ("; ".join(problems) or "every command applied once, every comment once")
                )
                failures += problems
            finally:
                laptop.close()
            shutil.rmtree(folder, ignore_errors=True)
            server.drop_database(name)
        m_prepare, m_sync = median_timing(prepares), median_timing([s.timing for s in syncs])
        stage_medians = {
            k: (statistics.median(s.stages[k][0] for s in syncs), statistics.median(s.stages[k][1] for s in syncs))
            for k in syncs[0].stages
        }
        print(
            f"median of {args.runs}: prepare {fmt(m_prepare)}; offline day {fmt(median_timing(offline))}; "
            f"sync {fmt(m_sync)} [" + ", ".join(f"{k} {w:.2f} s" for k, (w, _c) in stage_medians.items()) + "]"
        )

        # 2b. The same day made online, straight against the office's PostgreSQL.
        if not args.no_online:
            name = server.create_database(template=base)
            url = server.url(name)
            online = build_services(Settings(db_url=reach(name), data_dir=root / "online"), migrate=False)
            try:
                actor = signed_in(online, bogota.username)
                before = Statements.postgres()
                with timed(pg) as t_online:
                    made = work(online, actor, day)
                statements = Statements.postgres() - before
            finally:
                online.close()
            server.drop_database(name)
            print(
                f"2b. the same {made} calls online against PostgreSQL: {fmt(t_online)} "
                f"({t_online.wall / made * 1000:.1f} ms a call, {statements / made:.0f} statements a call; "
                f"at 50 ms a round trip that is at least {statements * 0.05:.0f} s of waiting on the network)"
            )
            print(
                f"    the sync sent {syncs[0].statements:,} statements: at least {syncs[0].statements * 0.05:.0f} s "
                "at 50 ms a round trip (more with each transaction's BEGIN and COMMIT: --rtt 50 measures it)"
            )

        # 3. Ten laptops syncing at once.
        if not args.no_laptops:
            failures += ten_laptops(args, server, base, world, root, pg, reach)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"load {loadavg()}")
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
