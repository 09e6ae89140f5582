"""R1 for a request nobody took by hand (a mail from a known contact): who is made responsible."""

from __future__ import annotations

from desktop_app.domain.assignment import Candidate, responsible_for_new_request
from desktop_app.domain.ids import UserId
from desktop_app.domain.model import Role

LAURA = Candidate(UserId(1), Role.AGENT, "Barranquilla", open_tickets=5)
ANDRES = Candidate(UserId(2), Role.AGENT, "Cali", open_tickets=1)
PEDRO = Candidate(UserId(3), Role.AGENT, "Cali", open_tickets=1)
DIEGO = Candidate(UserId(4), Role.TECHNICIAN, "Medellín")
CAROLINA = Candidate(UserId(5), Role.COORDINATOR, "Barranquilla", open_tickets=9)


def test_R1_the_agent_of_the_customers_latest_ticket_keeps_the_customer() -> None:
    assert responsible_for_new_request([LAURA, ANDRES], "Cali", previous=LAURA.user_id) == LAURA.user_id


def test_R1_otherwise_the_least_busy_agent_of_the_customers_city_lowest_id_on_a_tie() -> None:
    assert responsible_for_new_request([LAURA, PEDRO, ANDRES], "cali", previous=None) == ANDRES.user_id


def test_R1_a_city_without_agents_goes_to_the_least_busy_agent_anywhere() -> None:
    assert responsible_for_new_request([LAURA, ANDRES, DIEGO], "Medellín", previous=None) == ANDRES.user_id


def test_R1_a_technician_is_never_given_a_mail_and_a_coordinator_is_the_last_resort() -> None:
    assert responsible_for_new_request([DIEGO, CAROLINA], "Medellín", previous=DIEGO.user_id) == CAROLINA.user_id
    assert responsible_for_new_request([DIEGO], "Medellín", previous=None) is None


def test_R1_open_tickets_are_counted_only_among_the_people_they_decide() -> None:
    from desktop_app.domain.assignment import contenders

    # The previous agent is still active: she wins and nobody's tickets need counting.
    assert contenders([LAURA, ANDRES, PEDRO], "Cali", previous=LAURA.user_id) == ()
    # Otherwise only the pool R1 takes from: the city's agents …
    assert contenders([LAURA, ANDRES, PEDRO, CAROLINA], "cali", previous=DIEGO.user_id) == (ANDRES, PEDRO)
    # … else every agent, else the coordinators; technicians never.
    assert contenders([LAURA, ANDRES, DIEGO], "Medellín", previous=None) == (LAURA, ANDRES)
    assert contenders([DIEGO, CAROLINA], "Medellín", previous=None) == (CAROLINA,)
    assert contenders([DIEGO], "Medellín", previous=None) == ()
