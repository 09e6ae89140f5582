"""Yearly numbers (tickets SOP-YYYY-NNNNN, certificates): two desks taking the first number of a
year at the same moment both find no row for that year; the second must wait for the first one's
row and take the next number, not fail on the primary key (found by linking mail from two desks)."""

from __future__ import annotations

import threading

import pytest

from desktop_app.bootstrap import Services
from desktop_app.persistence._common import next_in_year
from desktop_app.persistence.tables import CertificateCounterRecord, TicketCounterRecord


@pytest.mark.parametrize("counter", [TicketCounterRecord, CertificateCounterRecord])
def test_two_desks_taking_the_first_number_of_a_year_at_once_get_1_and_2(
    empty_services: Services, counter: type[TicketCounterRecord | CertificateCounterRecord]
) -> None:
    second: list[object] = []

    def other_desk() -> None:
        try:
            with empty_services.uow_factory() as uow:
                second.append(next_in_year(uow._session, counter, 2031))
                uow.commit()
        except Exception as exc:  # the assertion below shows it
            second.append(exc)

    with empty_services.uow_factory() as first:
        assert next_in_year(first._session, counter, 2031) == 1  # its row is not committed yet
        thread = threading.Thread(target=other_desk)
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive(), "the second desk must wait for the first one's row, not go on"
        first.commit()
    thread.join(timeout=30)
    assert second == [2]
    with empty_services.uow_factory() as uow:
        assert next_in_year(uow._session, counter, 2031) == 3
