"""What repositories and read models share: LIKE patterns, yearly counters, open statuses."""

from __future__ import annotations

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
    """The next number of a yearly sequence; the row lock keeps two desks from taking the same one."""
    counter = session.get(counter_type, year, with_for_update=True)
    if counter is None:
        counter = counter_type(year=year, last=0)
        session.add(counter)
    counter.last += 1
    session.flush()
    return counter.last
