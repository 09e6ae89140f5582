"""The rows the reports read (issue 15), in bulk: a period's tickets with their histories in two
queries, the workload's events, visits, and the policy versions tickets were judged under.

Nothing here is a stored figure: every number a report shows is derived from these rows by
domain.reports, with the queue's own SLA arithmetic.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    Select,
    String,
    and_,
    case,
    cast,
    distinct,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from desktop_app.domain.billing import TimeEntry, VisitEntry
from desktop_app.domain.ids import CustomerId, MachineId, PlanCode, TicketId, UserId
from desktop_app.domain.model import EventKind, Severity, TicketStatus
from desktop_app.domain.policy import PolicySettings, from_document
from desktop_app.domain.sla import StatusChange
from desktop_app.persistence.tables import (
    ContractRecord,
    CustomerRecord,
    MachineRecord,
    PolicyVersionRecord,
    TicketEventRecord,
    TicketRecord,
    UserRecord,
    VisitRecord,
    contract_machines,
)
from desktop_app.services.report_dto import ReportFilter
from desktop_app.services.report_ports import ContractTime, EventCount, EventRow, TicketRow, TicketTime, VisitRow

# A comment the agent marked for the customer: the response (R7) or an update (R10). The data
# column is JSON written with sort_keys and ", "/": " separators (repositories/tickets.py).
_TO_CUSTOMER = '%"to_customer": "yes"%'
_EVENT_FIELDS = ("to", "reason", "level")  # what EventRow.data holds
_CHUNK = 5_000  # ids per IN (…): well under SQLite's limit on bound parameters


def _conditions(flt: ReportFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.plan:
        conditions.append(TicketRecord.plan_code == flt.plan)
    if flt.severity is not None:
        conditions.append(TicketRecord.severity == flt.severity.value)
    if flt.agent_id is not None:
        conditions.append(TicketRecord.assigned_agent_id == flt.agent_id)
    if flt.city:
        conditions.append(CustomerRecord.city == flt.city)
    if flt.customer_id is not None:
        conditions.append(TicketRecord.customer_id == flt.customer_id)
    return conditions


def _alive(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """Received before `end`, and open, or closed for good at or after `start`."""
    return [TicketRecord.received_at < end, or_(TicketRecord.closed_at.is_(None), TicketRecord.closed_at >= start)]


def _parsed(text: str) -> datetime:
    # "YYYY-MM-DD HH:MM:SS.ffffff" (as SQLite holds it, as PostgreSQL is asked to write it): naming
    # the offset in the text is the fast way to UTC (5x faster than the driver's datetime and then
    # replace(tzinfo=UTC), measured on Python 3.11).
    return datetime.fromisoformat(text + "+00:00")


# PostgreSQL writes a timestamp so whatever the server's DateStyle; microseconds always six digits.
_PG_MOMENT = literal_column("'YYYY-MM-DD HH24:MI:SS.US'")


class SqlReportQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _json(self, column: ColumnElement[str]) -> ColumnElement[Any]:
        """The text column read as JSON by the database: PostgreSQL needs the cast; SQLite's
        json_extract reads the text as it is (a CAST to JSON there would make it a number)."""
        if self._connection().dialect.name == "postgresql":
            return cast(column, JSON)
        return type_coerce(column, JSON)

    def _connection(self) -> Connection:
        """The session's connection: the big reads skip the ORM's row handling (plain columns only)."""
        return self._session.connection()

    # A report reads tens of thousands of moments: they are read as text and made aware UTC here
    # in one step each, not through the column type's two (the driver's parsing, then UTCDateTime).
    def _raw(self, column: ColumnElement[datetime]) -> ColumnElement[Any]:
        """A stored (naive UTC) moment as text: as SQLite stores it, as PostgreSQL writes it with to_char."""
        if self._connection().dialect.name == "postgresql":
            return type_coerce(func.to_char(column, _PG_MOMENT), String())
        return type_coerce(column, String())

    def _moment_reader(self) -> Callable[[Any], datetime]:
        """Turns a `_raw` value (never None) into the aware UTC moment UTCDateTime would give."""
        return _parsed

    # -- tickets and their histories -------------------------------------------------------------

    def _ticket_select(self, where: list[ColumnElement[bool]]) -> Select[Any]:
        agent = aliased(UserRecord)
        return (
            select(
                TicketRecord.id,
                TicketRecord.number,
                self._raw(TicketRecord.received_at),
                TicketRecord.plan_code,
                TicketRecord.severity,
                TicketRecord.status,
                TicketRecord.assigned_agent_id,
                agent.full_name,
                TicketRecord.customer_id,
                CustomerRecord.name,
                CustomerRecord.city,
                TicketRecord.policy_version_id,
                self._raw(TicketRecord.first_responded_at),
                self._raw(TicketRecord.clock_started_at),
                self._raw(TicketRecord.closed_at),
                TicketRecord.reopen_count,
            )
            .join(CustomerRecord, TicketRecord.customer_id == CustomerRecord.id)
            .outerjoin(agent, TicketRecord.assigned_agent_id == agent.id)
            .where(*where)
            .order_by(TicketRecord.received_at, TicketRecord.id)
        )

    def _histories(
        self, where: list[ColumnElement[bool]], *, responses: bool
    ) -> tuple[dict[int, list[StatusChange]], dict[int, list[datetime]]]:
        """The status changes (and comments to the customer) of every ticket matching `where`, in
        one query: the tickets are named by the same conditions, not by a list of ids."""
        wanted = select(TicketRecord.id).join(CustomerRecord, TicketRecord.customer_id == CustomerRecord.id)
        wanted = wanted.where(*where)
        kinds = TicketEventRecord.kind == EventKind.STATUS_CHANGE.value
        if responses:
            comment = and_(TicketEventRecord.kind == EventKind.COMMENT.value, TicketEventRecord.data.like(_TO_CUSTOMER))
            kinds = or_(kinds, comment)
        data = self._json(TicketEventRecord.data)
        is_change = TicketEventRecord.kind == EventKind.STATUS_CHANGE.value
        # The target and reason are read by the database (json_extract / ->>), not parsed here,
        # and only for status changes (a CASE is evaluated lazily: a comment's JSON is not read).
        result = self._connection().execute(
            select(
                TicketEventRecord.ticket_id,
                TicketEventRecord.kind,
                self._raw(TicketEventRecord.at),
                case((is_change, data["to"].as_string()), else_=None),
                case((is_change, data["reason"].as_string()), else_=None),
            )
            .where(TicketEventRecord.ticket_id.in_(wanted), kinds)
            .order_by(TicketEventRecord.ticket_id, TicketEventRecord.at, TicketEventRecord.id)
        )
        changes: dict[int, list[StatusChange]] = defaultdict(list)
        words: dict[int, list[datetime]] = defaultdict(list)
        status_change = EventKind.STATUS_CHANGE.value
        statuses = {status.value: status for status in TicketStatus}
        # Tens of thousands of rows: fetched at once, and each list found once per ticket.
        current, mine, said = None, [], []
        moment = self._moment_reader()
        for ticket_id, kind, at, target, reason in result.fetchall():
            if ticket_id != current:
                current, mine, said = ticket_id, changes[ticket_id], words[ticket_id]
            if kind == status_change:
                status = statuses.get(target)
                if status is not None:
                    mine.append(StatusChange(moment(at), status, reason or ""))
            else:
                said.append(moment(at))
        return changes, words

    def _rows(self, where: list[ColumnElement[bool]], *, history: bool, responses: bool = True) -> list[TicketRow]:
        changes: dict[int, list[StatusChange]] = {}
        words: dict[int, list[datetime]] = {}
        if history:
            changes, words = self._histories(where, responses=responses)
        severities = {severity.value: severity for severity in Severity}
        statuses = {status.value: status for status in TicketStatus}
        moment = self._moment_reader()
        return [
            TicketRow(
                id=TicketId(r[0]),
                number=r[1],
                received_at=moment(r[2]),
                plan_code=r[3],
                severity=severities[r[4]],
                status=statuses[r[5]],
                agent_id=UserId(r[6]) if r[6] is not None else None,
                agent_name=r[7] or "",
                customer_id=CustomerId(r[8]),
                customer_name=r[9],
                city=r[10],
                policy_version=r[11],
                first_responded_at=moment(r[12]) if r[12] is not None else None,
                clock_started_at=moment(r[13]) if r[13] is not None else None,
                closed_at=moment(r[14]) if r[14] is not None else None,
                reopen_count=r[15],
                changes=tuple(changes.get(r[0], ())),
                responses=tuple(words.get(r[0], ())),
            )
            for r in self._connection().execute(self._ticket_select(where)).fetchall()
        ]

    def tickets(self, start: datetime, end: datetime, flt: ReportFilter, *, history: bool = True) -> list[TicketRow]:
        return self._rows([*_alive(start, end), *_conditions(flt)], history=history)

    def open_at(self, moment: datetime, flt: ReportFilter) -> list[TicketRow]:
        where = [
            TicketRecord.received_at <= moment,
            or_(TicketRecord.closed_at.is_(None), TicketRecord.closed_at > moment),
            *_conditions(flt),
        ]
        return self._rows(where, history=True, responses=False)

    def received(self, start: datetime, end: datetime, flt: ReportFilter) -> list[datetime]:
        stmt = select(TicketRecord.received_at).where(
            TicketRecord.received_at >= start, TicketRecord.received_at < end, *_conditions(flt)
        )
        if flt.city:
            stmt = stmt.join(CustomerRecord, TicketRecord.customer_id == CustomerRecord.id)
        return list(self._session.scalars(stmt))

    def received_per_day(
        self, start: datetime, end: datetime, flt: ReportFilter, offset_minutes: int
    ) -> list[tuple[date, int]]:
        day = self._local_day(TicketRecord.received_at, offset_minutes).label("day")
        inner = select(day).where(TicketRecord.received_at >= start, TicketRecord.received_at < end, *_conditions(flt))
        if flt.city:
            inner = inner.join(CustomerRecord, TicketRecord.customer_id == CustomerRecord.id)
        days = inner.subquery()
        stmt = select(days.c.day, func.count()).group_by(days.c.day)
        return [(day, count) for day, count in self._connection().execute(stmt)]

    def _events_select(
        self, start: datetime, end: datetime, flt: ReportFilter, kinds: Collection[EventKind], *columns: Any
    ) -> Select[Any]:
        stmt = (
            select(*columns)
            .select_from(TicketEventRecord)
            .join(TicketRecord, TicketEventRecord.ticket_id == TicketRecord.id)
            .where(
                # Through the tickets alive in the period (their index), not a scan of every event.
                TicketEventRecord.ticket_id.in_(select(TicketRecord.id).where(*_alive(start, end))),
                TicketEventRecord.kind.in_(sorted(k.value for k in kinds)),
                TicketEventRecord.at >= start,
                TicketEventRecord.at < end,
                *_conditions(flt),
            )
        )
        if flt.city:
            stmt = stmt.join(CustomerRecord, TicketRecord.customer_id == CustomerRecord.id)
        return stmt

    def event_counts(
        self, start: datetime, end: datetime, flt: ReportFilter, kinds: Collection[EventKind], offset_minutes: int
    ) -> list[EventCount]:
        data = self._json(TicketEventRecord.data)
        day = self._local_day(TicketEventRecord.at, offset_minutes).label("day")
        fields = [data[key].as_string().label(key) for key in _EVENT_FIELDS]
        each = self._events_select(start, end, flt, kinds, day, TicketEventRecord.kind, *fields).subquery()
        keys = [each.c.day, each.c.kind, *(each.c[key] for key in _EVENT_FIELDS)]
        stmt = select(*keys, func.count()).group_by(*keys)
        kinds_by_value = {kind.value: kind for kind in EventKind}
        return [
            EventCount(
                row[0],
                kinds_by_value[row[1]],
                {key: str(value) for key, value in zip(_EVENT_FIELDS, row[2:-1], strict=True) if value is not None},
                row[-1],
            )
            for row in self._connection().execute(stmt)
        ]

    def events(self, start: datetime, end: datetime, flt: ReportFilter, kinds: Collection[EventKind]) -> list[EventRow]:
        data = self._json(TicketEventRecord.data)
        stmt = self._events_select(
            start,
            end,
            flt,
            kinds,
            TicketEventRecord.ticket_id,
            TicketEventRecord.kind,
            self._raw(TicketEventRecord.at),
            # The fields the workload counts, read by the database, not parsed here.
            *(data[key].as_string() for key in _EVENT_FIELDS),
        ).order_by(TicketEventRecord.at, TicketEventRecord.id)
        moment = self._moment_reader()
        kinds_by_value = {kind.value: kind for kind in EventKind}
        return [
            EventRow(
                TicketId(row[0]),
                kinds_by_value[row[1]],
                moment(row[2]),
                {key: str(value) for key, value in zip(_EVENT_FIELDS, row[3:], strict=True) if value is not None},
            )
            for row in self._connection().execute(stmt)
        ]

    # -- visits and policy -----------------------------------------------------------------------

    def visits(self, start: datetime, end: datetime, flt: ReportFilter) -> list[VisitRow]:
        conditions: list[ColumnElement[bool]] = [VisitRecord.started_at >= start, VisitRecord.started_at < end]
        if flt.plan:
            conditions.append(TicketRecord.plan_code == flt.plan)
        if flt.severity is not None:
            conditions.append(TicketRecord.severity == flt.severity.value)
        if flt.agent_id is not None:
            conditions.append(
                or_(VisitRecord.technician_id == flt.agent_id, TicketRecord.assigned_agent_id == flt.agent_id)
            )
        if flt.city:
            conditions.append(VisitRecord.city == flt.city)
        if flt.customer_id is not None:
            conditions.append(MachineRecord.customer_id == flt.customer_id)
        rows = self._session.execute(
            select(
                VisitRecord.id,
                TicketRecord.number,
                MachineRecord.serial,
                MachineRecord.customer_id,
                VisitRecord.technician_id,
                UserRecord.full_name,
                VisitRecord.city,
                VisitRecord.started_at,
                VisitRecord.ended_at,
                VisitRecord.maintenance,
                VisitRecord.travel_expenses,
            )
            .join(MachineRecord, VisitRecord.machine_id == MachineRecord.id)
            .join(UserRecord, VisitRecord.technician_id == UserRecord.id)
            .outerjoin(TicketRecord, VisitRecord.ticket_id == TicketRecord.id)
            .where(*conditions)
            .order_by(VisitRecord.started_at, VisitRecord.id)
        )
        return [
            VisitRow(
                id=r[0],
                ticket_number=r[1] or "",
                serial=r[2],
                customer_id=CustomerId(r[3]),
                technician_id=UserId(r[4]),
                technician=r[5],
                city=r[6],
                started_at=r[7],
                ended_at=r[8],
                maintenance=bool(r[9]),
                travel_expenses=r[10] or 0,
            )
            for r in rows
        ]

    def policy_versions(self, ids: Collection[int]) -> dict[int, PolicySettings]:
        if not ids:
            return {}
        rows = self._session.execute(
            select(PolicyVersionRecord.id, PolicyVersionRecord.document).where(PolicyVersionRecord.id.in_(sorted(ids)))
        )
        return {version: from_document(json.loads(document)) for version, document in rows}

    def billable_customers(self, start: datetime, end: datetime) -> list[CustomerId]:
        visited = select(MachineRecord.customer_id).join(VisitRecord, VisitRecord.machine_id == MachineRecord.id)
        visited = visited.where(VisitRecord.started_at >= start, VisitRecord.started_at < end)
        advised = (
            select(TicketRecord.customer_id)
            .join(TicketEventRecord, TicketEventRecord.ticket_id == TicketRecord.id)
            .where(
                TicketEventRecord.kind == EventKind.COMMENT.value,
                TicketEventRecord.at >= start,
                TicketEventRecord.at < end,
                TicketEventRecord.data.like('%"minutes"%'),
            )
        )
        ids = set(self._session.scalars(visited.distinct())) | set(self._session.scalars(advised.distinct()))
        return [CustomerId(i) for i in sorted(ids)]

    def customer_names(self, customer_ids: Collection[CustomerId]) -> dict[CustomerId, tuple[str, str]]:
        found: dict[CustomerId, tuple[str, str]] = {}
        wanted = sorted(customer_ids)
        for first in range(0, len(wanted), _CHUNK):
            rows = self._connection().execute(
                select(CustomerRecord.id, CustomerRecord.name, CustomerRecord.city).where(
                    CustomerRecord.id.in_(wanted[first : first + _CHUNK])
                )
            )
            for customer_id, name, city in rows:
                found[CustomerId(customer_id)] = (name, city)
        return found

    def customer_machines(self, customer_ids: Collection[CustomerId]) -> dict[CustomerId, list[MachineId]]:
        found: dict[CustomerId, list[MachineId]] = defaultdict(list)
        wanted = sorted(customer_ids)
        for first in range(0, len(wanted), _CHUNK):
            rows = self._session.execute(
                select(MachineRecord.customer_id, MachineRecord.id)
                .where(MachineRecord.customer_id.in_(wanted[first : first + _CHUNK]))
                .order_by(MachineRecord.id)
            )
            for customer_id, machine_id in rows:
                found[CustomerId(customer_id)].append(MachineId(machine_id))
        return dict(found)

    # -- advisory time summed by the database (plan use) -------------------------------------------

    def _whole(self, value: ColumnElement[Any]) -> ColumnElement[int]:
        """Recorded minutes as billing counts them (`str(value).isdigit()`), else 0."""
        if self._connection().dialect.name == "postgresql":
            digits = value.regexp_match("^[0-9]+$")
        else:
            digits = and_(value.op("GLOB")("[0-9]*"), value.op("NOT GLOB")("*[^0-9]*"))
        return case((digits, cast(value, BigInteger)), else_=0)

    def _local_day(self, column: ColumnElement[datetime], offset_minutes: int) -> ColumnElement[date]:
        """The local calendar day of a stored (naive UTC) moment, for a zone `offset_minutes` from UTC."""
        if self._connection().dialect.name == "postgresql":
            shifted = column + literal_column(f"interval '{int(offset_minutes)} minutes'")
            return cast(shifted, Date)
        # SQLite's date() gives 'YYYY-MM-DD', as its Date columns are stored (a CAST would make it a number).
        return type_coerce(func.date(column, f"{int(offset_minutes):+d} minutes"), Date)

    def contract_time(
        self,
        start: datetime,
        end: datetime,
        period: tuple[datetime, datetime],
        offset_minutes: int,
        customer_id: CustomerId | None = None,
        leave_out: Collection[CustomerId] = (),
    ) -> tuple[list[ContractTime], list[TicketTime]]:
        """Advisory minutes recorded in [start, end), summed by the database in one pass: per
        contract covering the machine that (local) day, and per ticket for the time no contract
        covers (only the tickets whose line falls in `period` or with minutes in it). Only right
        for customers whose contracts never cover one machine on the same day twice (`leave_out`
        names the others); `offset_minutes`: the zone's fixed offset from UTC."""
        # The comments with minutes, their JSON read once (a materialized CTE is not inlined).
        raw = self._json(TicketEventRecord.data)["minutes"].as_string()
        comments = select(TicketEventRecord.ticket_id, TicketEventRecord.at, raw.label("value")).where(
            TicketEventRecord.kind == EventKind.COMMENT.value,
            TicketEventRecord.at >= start,
            TicketEventRecord.at < end,
            TicketEventRecord.data.like('%"minutes"%'),
        )
        if customer_id is not None:  # one customer's year: through their tickets' index
            theirs = select(TicketRecord.id).join(MachineRecord, TicketRecord.machine_id == MachineRecord.id)
            comments = comments.where(
                TicketEventRecord.ticket_id.in_(theirs.where(MachineRecord.customer_id == customer_id))
            )
        advisory = comments.cte("advisory").prefix_with("MATERIALIZED")
        minutes = self._whole(advisory.c.value)
        at = advisory.c.at
        day = self._local_day(at, offset_minutes)
        covering = and_(
            contract_machines.c.machine_id == TicketRecord.machine_id,
            ContractRecord.customer_id == MachineRecord.customer_id,
            day >= ContractRecord.valid_from,
            day <= ContractRecord.valid_to,
        )
        contract = ContractRecord.id
        alone = case((contract.is_(None), TicketRecord.id), else_=None)
        recent = and_(at >= period[0], at < period[1])
        in_period = func.max(case((recent, 1), else_=0))
        last = func.max(at)
        numbers = (
            func.string_agg(distinct(TicketRecord.number), ",")
            if self._connection().dialect.name == "postgresql"
            else func.group_concat(distinct(TicketRecord.number))
        )
        stmt = (
            select(
                MachineRecord.customer_id,
                contract,
                func.min(TicketRecord.number),
                func.min(TicketRecord.machine_id),
                func.min(TicketRecord.plan_code),
                func.sum(minutes),
                last,
                numbers,
                in_period,
            )
            .select_from(advisory)
            .join(TicketRecord, advisory.c.ticket_id == TicketRecord.id)
            .join(MachineRecord, TicketRecord.machine_id == MachineRecord.id)
            .outerjoin(
                contract_machines.join(ContractRecord, ContractRecord.id == contract_machines.c.contract_id),
                covering,
            )
            .where(
                minutes > 0,
                # An uncovered ticket's line is shown only with minutes in `period` (the HAVING): a
                # year of the others is left out before grouping, not grouped and then dropped.
                or_(contract.is_not(None), advisory.c.ticket_id.in_(select(advisory.c.ticket_id).where(recent))),
            )
            .group_by(MachineRecord.customer_id, contract, alone)
            .having(or_(contract.is_not(None), and_(last >= period[0], last < period[1]), in_period == 1))
        )
        if customer_id is not None:
            stmt = stmt.where(MachineRecord.customer_id == customer_id)
        if leave_out:
            stmt = stmt.where(MachineRecord.customer_id.not_in(sorted(leave_out)))
        covered: list[ContractTime] = []
        uncovered: list[TicketTime] = []
        for owner, contract_id, number, machine, plan, total, latest, names, now in self._connection().execute(stmt):
            if contract_id is not None:
                numbers_ = tuple(sorted(names.split(",")))
                covered.append(ContractTime(CustomerId(owner), contract_id, int(total), latest, numbers_, bool(now)))
            else:
                uncovered.append(
                    TicketTime(
                        CustomerId(owner), number, MachineId(machine), PlanCode(plan), int(total), latest, bool(now)
                    )
                )
        return covered, uncovered

    def time_entries(
        self,
        start: datetime,
        end: datetime,
        customer_id: CustomerId | None = None,
        among: Collection[CustomerId] | None = None,
    ) -> list[tuple[CustomerId, TimeEntry]]:
        """Advisory minutes recorded in [start, end) (comments with minutes, as billing counts
        them: queries/billing.py), with the machine owner's id, for every customer at once."""
        minutes = self._json(TicketEventRecord.data)["minutes"].as_string()
        stmt = (
            select(
                MachineRecord.customer_id,
                self._raw(TicketEventRecord.at),
                TicketRecord.number,
                minutes,
                TicketRecord.machine_id,
                TicketRecord.plan_code,
            )
            .join(TicketRecord, TicketEventRecord.ticket_id == TicketRecord.id)
            .join(MachineRecord, TicketRecord.machine_id == MachineRecord.id)
            .where(
                TicketEventRecord.kind == EventKind.COMMENT.value,
                TicketEventRecord.at >= start,
                TicketEventRecord.at < end,
                TicketEventRecord.data.like('%"minutes"%'),
            )
            .order_by(TicketEventRecord.at, TicketEventRecord.id)
        )
        if customer_id is not None:
            stmt = stmt.where(MachineRecord.customer_id == customer_id)
        if among is not None:
            stmt = stmt.where(MachineRecord.customer_id.in_(sorted(among)))
        found = []
        moment = self._moment_reader()
        for owner, at, number, value, machine_id, plan_code in self._connection().execute(stmt):
            count = int(value) if value and str(value).isdigit() else 0
            if count:
                entry = TimeEntry(moment(at), number, count, MachineId(machine_id), PlanCode(plan_code))
                found.append((CustomerId(owner), entry))
        return found

    def visit_entries(
        self, start: datetime, end: datetime, customer_id: CustomerId | None = None
    ) -> list[tuple[CustomerId, VisitEntry]]:
        """Visits started in [start, end) as billing counts them, with the machine owner's id."""
        stmt = (
            select(
                MachineRecord.customer_id,
                self._raw(VisitRecord.started_at),
                self._raw(VisitRecord.ended_at),
                TicketRecord.number,
                MachineRecord.serial,
                VisitRecord.maintenance,
                VisitRecord.travel_expenses,
                VisitRecord.machine_id,
            )
            .join(MachineRecord, VisitRecord.machine_id == MachineRecord.id)
            .outerjoin(TicketRecord, VisitRecord.ticket_id == TicketRecord.id)
            .where(VisitRecord.started_at >= start, VisitRecord.started_at < end)
            .order_by(VisitRecord.started_at, VisitRecord.id)
        )
        if customer_id is not None:
            stmt = stmt.where(MachineRecord.customer_id == customer_id)
        moment = self._moment_reader()
        return [
            (
                CustomerId(owner),
                VisitEntry(
                    moment(started),
                    moment(ended),
                    number or "",
                    serial,
                    bool(maintenance),
                    travel or 0,
                    MachineId(machine),
                ),
            )
            for owner, started, ended, number, serial, maintenance, travel, machine in self._connection().execute(stmt)
        ]

    def responses(self, ticket_id: TicketId) -> list[datetime]:
        return list(
            self._session.scalars(
                select(TicketEventRecord.at)
                .where(
                    TicketEventRecord.ticket_id == ticket_id,
                    TicketEventRecord.kind == EventKind.COMMENT.value,
                    TicketEventRecord.data.like(_TO_CUSTOMER),
                )
                .order_by(TicketEventRecord.at, TicketEventRecord.id)
            )
        )
