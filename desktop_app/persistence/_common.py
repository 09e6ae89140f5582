"""What repositories and read models share: LIKE patterns, yearly counters, open statuses."""

from __future__ import annotations

import importlib

from sqlalchemy.orm import Session

from desktop_app.domain.model import OPEN_STATUSES
from desktop_app.persistence.tables import CertificateCounterRecord, TicketCounterRecord

OPEN_CODES = sorted(status.value for status in OPEN_STATUSES)


def like_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, its own % and _ taken literally (use escape="\\")."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def next_in_year(
    session: Session, counter_type: type[TicketCounterRecord | CertificateCounterRecord], year: int
) -> int:
    """The next number of a yearly sequence; the row lock keeps two desks from taking the same one.

    The year's row is created with INSERT … ON CONFLICT DO NOTHING: two desks taking the first
    number of a year at once both try to create it, and the second must use the first one's row
    (waiting for its commit) instead of failing on the primary key.
    """
    counter = session.get(counter_type, year, with_for_update=True)
    if counter is None:
        # The dialect's own INSERT (both speak ON CONFLICT); imported here so that a desk on its
        # SQLite file never loads the PostgreSQL dialect at start-up (test_startup_imports).
        name = "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"
        dialect = importlib.import_module(f"sqlalchemy.dialects.{name}")
        session.execute(dialect.insert(counter_type).values(year=year, last=0).on_conflict_do_nothing())
        counter = session.get(counter_type, year, with_for_update=True, populate_existing=True)
        assert counter is not None  # inserted above, by us or by the desk that got there first
    counter.last += 1
    session.flush()
    return counter.last
