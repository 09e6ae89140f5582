"""The office's change sequence (persistence/field/change_log.py) on a real PostgreSQL: numbers
become visible in the order they were taken, so a field copy's watermark never skips a slow
transaction's changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.persistence.db import make_engine, make_session_factory
from desktop_app.persistence.field.change_log import changes_since, last_seq, stamp
from desktop_app.persistence.tables import UserRecord
from tests.pg_server import TemporaryPostgres


@pytest.fixture
def sessions(pg: TemporaryPostgres, pg_schema_template: str) -> Iterator[sessionmaker[Session]]:
    name = pg.create_database(template=pg_schema_template)
    engine = make_engine(pg.url(name))
    yield make_session_factory(engine)
    engine.dispose()
    pg.drop_database(name)


def _user(name: str) -> UserRecord:
    return UserRecord(username=name, full_name=name, email=f"{name}@x.co", role="agent", city="Cali", active=True)


def test_a_commit_logs_what_it_touched_under_the_next_number(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        start = last_seq(session)
        session.add(_user("ana"))
        session.commit()
        with sessions() as reader:
            changed, watermark = changes_since(reader, start)
        assert watermark == start + 1 and changed == {"user": {str(session.scalars(select(UserRecord.id)).one())}}
        session.rollback()
    with sessions() as idle:  # a transaction that only reads takes no number
        idle.scalars(select(UserRecord.id)).all()
        idle.commit()
        assert last_seq(idle) == start + 1


def test_a_slow_transaction_is_never_skipped_by_a_watermark(sessions: sessionmaker[Session]) -> None:
    """The slow one takes its number and has not committed yet; a faster one must wait to take the
    next, so a puller can never see N + 1 without N."""
    with sessions() as reader:
        start = last_seq(reader)
    slow = sessions()
    slow.add(_user("lenta"))
    slow.flush()
    slow_seq = stamp(slow, [("user", "lenta")])  # its number taken, COMMIT still to come

    fast_done = threading.Event()
    fast_seq: list[int] = []

    def fast_writer() -> None:
        with sessions() as fast:
            fast.add(_user("rapida"))
            fast.commit()
            with sessions() as look:
                fast_seq.append(last_seq(look))
        fast_done.set()

    thread = threading.Thread(target=fast_writer)
    thread.start()
    time.sleep(0.5)
    assert not fast_done.is_set()  # the fast writer waits on the counter's row
    with sessions() as puller:
        changed, watermark = changes_since(puller, start)
    assert (changed, watermark) == ({}, start)  # nothing visible yet: no gap to skip
    slow.commit()
    slow.close()
    thread.join(10)
    assert fast_done.is_set() and fast_seq[0] > slow_seq  # taken after the slow one committed
    with sessions() as puller:
        changed, watermark = changes_since(puller, start)
        names = set(puller.scalars(select(UserRecord.username)).all())
    assert watermark == fast_seq[0] and "lenta" in changed["user"] and {"lenta", "rapida"} <= names
