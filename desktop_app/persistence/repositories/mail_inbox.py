"""Received mail (issue 14): the `mail_inbox` rows, where the fetch left off in each IMAP folder
(`mailbox_state`), and the look-ups the inbound routing needs (which ticket owns a Message-ID, whose
contact an address is, which machine a serial names)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop_app.domain.ids import CustomerId, MachineId, TicketId, UserId
from desktop_app.errors import ConflictError, NotFoundError
from desktop_app.i18n import _
from desktop_app.persistence._common import OPEN_CODES
from desktop_app.persistence.tables import (
    ContactRecord,
    CustomerRecord,
    MachineRecord,
    MailboxStateRecord,
    MailInboxRecord,
    MailOutboxRecord,
    TicketRecord,
)
from desktop_app.services.inbox_ports import (
    InboxState,
    MailboxPosition,
    NewInboxMail,
    SentMail,
    StoredInboxMail,
)

# The widths of mail_inbox's columns (migration 0011): what does not fit is cut, never refused.
MESSAGE_ID_WIDTH = 255
ADDRESS_WIDTH = 320
NAME_WIDTH = 200
SUBJECT_WIDTH = 400
REASON_WIDTH = 60
# More Message-IDs than this in one References header are not all looked up (a crafted mail).
MAX_IDS_LOOKED_UP = 200


def _stored(r: MailInboxRecord, number: str | None) -> StoredInboxMail:
    state = InboxState(r.state) if r.state in InboxState._value2member_map_ else InboxState.SET_ASIDE
    return StoredInboxMail(
        id=r.id,
        message_id=r.message_id,
        raw_sha256=r.raw_sha256,
        raw_size=r.raw_size,
        from_address=r.from_address,
        from_name=r.from_name,
        to_addresses=r.to_addresses,
        subject=r.subject,
        text_body=r.text_body,
        sent_at=r.sent_at,
        imported_at=r.imported_at,
        source=r.source,
        state=state,
        state_reason=r.state_reason,
        ticket_id=TicketId(r.ticket_id) if r.ticket_id is not None else None,
        ticket_number=number or "",
        customer_id=CustomerId(r.customer_id) if r.customer_id is not None else None,
        handled_by=UserId(r.handled_by) if r.handled_by is not None else None,
        handled_at=r.handled_at,
        discard_reason=r.discard_reason,
        version=r.version,
    )


class SqlMailInboxRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- received mails ----------------------------------------------------------------------------

    def add(self, mail: NewInboxMail) -> int:
        message_id = mail.message_id if mail.message_id and len(mail.message_id) <= MESSAGE_ID_WIDTH else None
        record = MailInboxRecord(
            message_id=message_id,
            raw_sha256=mail.raw_sha256,
            raw_size=mail.raw_size,
            from_address=mail.from_address[:ADDRESS_WIDTH],
            from_name=mail.from_name[:NAME_WIDTH],
            to_addresses=mail.to_addresses,
            subject=mail.subject[:SUBJECT_WIDTH],
            text_body=mail.text_body,
            html_body=mail.html_body,
            sent_at=mail.sent_at,
            imported_at=mail.imported_at,
            source=mail.source[:10],
            state=mail.state.value,
            state_reason=mail.state_reason[:REASON_WIDTH],
            ticket_id=mail.ticket_id,
            customer_id=mail.customer_id,
            outbox_id=mail.outbox_id,
        )
        self._session.add(record)
        self._session.flush()
        return record.id

    def _one(self, *where: object) -> StoredInboxMail | None:
        row = self._session.execute(
            select(MailInboxRecord, TicketRecord.number)
            .outerjoin(TicketRecord, TicketRecord.id == MailInboxRecord.ticket_id)
            .where(*where)  # type: ignore[arg-type]
            .limit(1)
        ).first()
        return None if row is None else _stored(row[0], row[1])

    def get(self, inbox_id: int) -> StoredInboxMail | None:
        return self._one(MailInboxRecord.id == inbox_id)

    def by_message_id(self, message_id: str) -> StoredInboxMail | None:
        if not message_id or len(message_id) > MESSAGE_ID_WIDTH:
            return None
        return self._one(MailInboxRecord.message_id == message_id)

    def by_raw_sha256(self, sha256: str) -> StoredInboxMail | None:
        return self._one(MailInboxRecord.raw_sha256 == sha256)

    def in_state(self, state: InboxState, limit: int = 500) -> list[StoredInboxMail]:
        rows = self._session.execute(
            select(MailInboxRecord, TicketRecord.number)
            .outerjoin(TicketRecord, TicketRecord.id == MailInboxRecord.ticket_id)
            .where(MailInboxRecord.state == state.value)
            .order_by(MailInboxRecord.imported_at, MailInboxRecord.id)
            .limit(limit)
        )
        return [_stored(record, number) for record, number in rows]

    def count_in_state(self, state: InboxState) -> int:
        return int(
            self._session.scalar(
                select(func.count()).select_from(MailInboxRecord).where(MailInboxRecord.state == state.value)
            )
            or 0
        )

    def set_state(
        self,
        inbox_id: int,
        expected_version: int,
        *,
        state: InboxState,
        state_reason: str = "",
        ticket_id: TicketId | None = None,
        customer_id: CustomerId | None = None,
        handled_by: UserId | None = None,
        handled_at: datetime | None = None,
        discard_reason: str = "",
    ) -> None:
        record = self._session.get(MailInboxRecord, inbox_id)
        if record is None:
            raise NotFoundError(_("That mail is no longer in the list."))
        if record.version != expected_version:
            raise ConflictError(_("Someone else handled this mail meanwhile. Nothing was saved."))
        record.state = state.value
        record.state_reason = state_reason[:REASON_WIDTH]
        record.ticket_id = ticket_id
        record.customer_id = customer_id
        record.handled_by = handled_by
        record.handled_at = handled_at
        record.discard_reason = discard_reason
        # The row's version counter makes this UPDATE … WHERE version = seen: a second person
        # handling the same mail at the same moment gets a conflict, not a silent overwrite.
        self._session.flush()

    # -- where the fetch left off ------------------------------------------------------------------

    def position(self, folder: str) -> MailboxPosition | None:
        record = self._session.get(MailboxStateRecord, folder)
        return None if record is None else MailboxPosition(record.folder, record.uidvalidity, record.last_uid)

    def advance(self, folder: str, uidvalidity: int, last_uid: int, at: datetime) -> None:
        record = self._session.get(MailboxStateRecord, folder, with_for_update=True)
        if record is None:
            self._session.add(
                MailboxStateRecord(folder=folder, uidvalidity=uidvalidity, last_uid=last_uid, updated_at=at)
            )
        else:
            # Never backwards within one UIDVALIDITY (a message fetched out of order).
            if record.uidvalidity == uidvalidity:
                last_uid = max(last_uid, record.last_uid)
            record.uidvalidity, record.last_uid, record.updated_at = uidvalidity, last_uid, at
        self._session.flush()

    # -- look-ups the routing needs ----------------------------------------------------------------

    def tickets_of_message_ids(self, message_ids: Sequence[str]) -> dict[str, TicketId]:
        wanted = [i for i in dict.fromkeys(message_ids) if i and len(i) <= MESSAGE_ID_WIDTH][:MAX_IDS_LOOKED_UP]
        if not wanted:
            return {}
        found: dict[str, TicketId] = {}
        sent = self._session.execute(
            select(MailOutboxRecord.message_id, MailOutboxRecord.ticket_id).where(
                MailOutboxRecord.message_id.in_(wanted), MailOutboxRecord.ticket_id.is_not(None)
            )
        )
        for message_id, ticket_id in sent:
            found[message_id] = TicketId(ticket_id)
        received = self._session.execute(
            select(MailInboxRecord.message_id, MailInboxRecord.ticket_id).where(
                MailInboxRecord.message_id.in_(wanted), MailInboxRecord.ticket_id.is_not(None)
            )
        )
        for message_id, ticket_id in received:
            if message_id is not None:
                found.setdefault(message_id, TicketId(ticket_id))
        return found

    def sent_mail(self, message_id: str) -> SentMail | None:
        if not message_id or len(message_id) > MESSAGE_ID_WIDTH:
            return None
        row = self._session.execute(
            select(MailOutboxRecord.id, MailOutboxRecord.ticket_id, MailOutboxRecord.state).where(
                MailOutboxRecord.message_id == message_id
            )
        ).first()
        if row is None:
            return None
        return SentMail(row[0], TicketId(row[1]) if row[1] is not None else None, row[2])

    def customers_of_address(self, address: str) -> list[CustomerId]:
        address = address.strip().lower()
        if not address:
            return []
        contacts = select(ContactRecord.customer_id).where(
            func.lower(ContactRecord.email) == address, ContactRecord.anonymised_at.is_(None)
        )
        own = select(CustomerRecord.id).where(func.lower(CustomerRecord.email) == address)
        ids = set(self._session.scalars(contacts)) | set(self._session.scalars(own))
        return [CustomerId(i) for i in sorted(ids)]

    def ticket_ids_by_number(self, number: str) -> TicketId | None:
        found = self._session.scalar(select(TicketRecord.id).where(TicketRecord.number == number))
        return TicketId(found) if found is not None else None

    def machines_by_serial(self, serials: Sequence[str]) -> dict[str, tuple[MachineId, CustomerId]]:
        wanted = [s.upper() for s in dict.fromkeys(serials) if s][:MAX_IDS_LOOKED_UP]
        if not wanted:
            return {}
        rows = self._session.execute(
            select(MachineRecord.serial, MachineRecord.id, MachineRecord.customer_id).where(
                MachineRecord.serial.in_(wanted)
            )
        )
        return {serial: (MachineId(mid), CustomerId(cid)) for serial, mid, cid in rows}

    def machines_of(self, customer_id: CustomerId) -> list[tuple[MachineId, str]]:
        rows = self._session.execute(
            select(MachineRecord.id, MachineRecord.serial)
            .where(MachineRecord.customer_id == customer_id)
            .order_by(MachineRecord.id)
        )
        return [(MachineId(i), serial) for i, serial in rows]

    def open_ticket_counts(self, people: Collection[UserId]) -> dict[UserId, int]:
        if not people:
            return {}
        # Read off ix_tickets_assigned_agent_id_status (0012): per person, a seek to their open
        # statuses, never the table's rows.
        rows = self._session.execute(
            select(TicketRecord.assigned_agent_id, func.count())
            .where(TicketRecord.assigned_agent_id.in_(sorted(people)), TicketRecord.status.in_(OPEN_CODES))
            .group_by(TicketRecord.assigned_agent_id)
        )
        return {UserId(agent): int(n) for agent, n in rows if agent is not None}

    def last_agent_of(self, customer_id: CustomerId) -> UserId | None:
        found = self._session.scalar(
            select(TicketRecord.assigned_agent_id)
            .where(TicketRecord.customer_id == customer_id, TicketRecord.assigned_agent_id.is_not(None))
            .order_by(TicketRecord.received_at.desc(), TicketRecord.id.desc())
            .limit(1)
        )
        return UserId(found) if found is not None else None

    def set_ticket_contact(self, ticket_id: TicketId, address: str) -> None:
        """Where the ticket's mail goes (tickets.contact_email); not a change a person made, so the
        row's version is left alone."""
        self._session.execute(
            update(TicketRecord)
            .where(TicketRecord.id == ticket_id)
            .values(contact_email=address[:ADDRESS_WIDTH])
            .execution_options(synchronize_session=False)
        )
