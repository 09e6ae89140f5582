"""The office's change sequence: what each committed transaction touched, numbered at commit.

Every session of the desk's session factory notes, as it flushes, which tickets, customers,
machines, contracts, users, models and policy it wrote. Just before COMMIT it takes the next number
of the one-row `change_counter` (UPDATE … RETURNING) and writes one `change_log` row per thing
touched. The counter row stays locked until the transaction ends, so numbers become visible in
the order they were taken: a field copy that has pulled everything up to N can never later see an
N − 1 appear from a transaction that was still running (the gap a plain sequence or a timestamp
would leave). Only writers wait on it, and only for the instant between that UPDATE and COMMIT.

Rows are keyed by what a field copy refreshes: a comment, a file or a visit touches its ticket; a
contact touches its customer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.persistence.tables import (
    AttachmentRecord,
    ChangeCounterRecord,
    ChangeLogRecord,
    CompanyRecord,
    ContactRecord,
    ContractRecord,
    CustomerRecord,
    MachineRecord,
    PolicyVersionRecord,
    ProductModelRecord,
    TicketEventRecord,
    TicketRecord,
    TrainingRecordRecord,
    UserRecord,
    VisitRecord,
)

_TOUCHED = "makersupport.touched"

Key = tuple[str, str]


def _key(record: Any) -> Key | None:
    """The (entity, key) a written record changes, or None for what field copies never hold."""
    match record:
        case TicketRecord():
            return ("ticket", str(record.id))
        case TicketEventRecord() | AttachmentRecord():
            return ("ticket", str(record.ticket_id))
        case VisitRecord():
            if record.ticket_id is not None:
                return ("ticket", str(record.ticket_id))
            return ("machine", str(record.machine_id))
        case CustomerRecord():
            return ("customer", str(record.id))
        case ContactRecord() | TrainingRecordRecord():
            return ("customer", str(record.customer_id))
        case MachineRecord():
            return ("machine", str(record.id))
        case ContractRecord():
            return ("contract", str(record.id))
        case UserRecord():
            return ("user", str(record.id))
        case ProductModelRecord():
            return ("product", record.code)
        case PolicyVersionRecord():
            return ("policy", "current")
        case CompanyRecord():
            return ("company", "1")
    return None


def _after_flush(session: Session, _context: Any) -> None:
    touched: set[Key] = session.info.setdefault(_TOUCHED, set())
    for record in (*session.new, *session.dirty, *session.deleted):
        key = _key(record)
        if key is not None:
            touched.add(key)


def _before_commit(session: Session) -> None:
    session.flush()  # the last changes pass through _after_flush first
    touched = session.info.pop(_TOUCHED, None)
    if touched:
        stamp(session, touched)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_TOUCHED, None)


def stamp(session: Session, touched: Iterable[Key]) -> int:
    """Number this transaction's changes (see the module's doc) and log them; returns the number."""
    seq = session.execute(
        update(ChangeCounterRecord)
        .where(ChangeCounterRecord.id == 1)
        .values(last=ChangeCounterRecord.last + 1)
        .returning(ChangeCounterRecord.last)
    ).scalar_one()
    session.execute(
        insert(ChangeLogRecord), [{"seq": seq, "entity": entity, "entity_key": key} for entity, key in touched]
    )
    return seq


def track(factory: sessionmaker[Session]) -> None:
    """Log the changes of every session `factory` makes."""
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_rollback", _forget)


def last_seq(session: Session) -> int:
    """The newest change number visible now."""
    return session.scalar(select(ChangeCounterRecord.last).where(ChangeCounterRecord.id == 1)) or 0


def changes_since(session: Session, watermark: int) -> tuple[dict[str, set[str]], int]:
    """What changed after `watermark`, by entity, and the watermark that covers it."""
    rows = session.execute(
        select(ChangeLogRecord.entity, ChangeLogRecord.entity_key, ChangeLogRecord.seq).where(
            ChangeLogRecord.seq > watermark
        )
    ).all()
    changed: dict[str, set[str]] = {}
    newest = watermark
    for entity, key, seq in rows:
        changed.setdefault(entity, set()).add(key)
        newest = max(newest, seq)
    return changed, newest
