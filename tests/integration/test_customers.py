"""CustomerService on SQLite and PostgreSQL (the `world` of world.py, Tuesday 1 December 2026):
customers and contacts kept in the app, the free-support standing (R3) and the audit (R18)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from desktop_app.domain.eligibility import Condition, Coverage
from desktop_app.domain.ids import ContactId, CustomerId, MachineId, UserId
from desktop_app.domain.model import Channel, ContactChannel, CustomerKind, Severity
from desktop_app.errors import ConflictError, NotFoundError, PermissionDeniedError, UserFacingError
from desktop_app.services.customers import HIDDEN, ContactForm, CustomerForm
from desktop_app.services.machines import MachineForm
from desktop_app.services.tickets import IntakeRequest
from tests.integration.world import PHOTO, World

pytestmark = pytest.mark.usefixtures("english_ui")

NIT = "900123456-8"  # a right check digit (DIAN modulo 11)


def _form(**changes: object) -> CustomerForm:
    values: dict[str, object] = {
        "name": "Universidad Nacional de Colombia",
        "kind": CustomerKind.UNIVERSITY,
        "tax_id": NIT,
        "city": "medellin",
        "address": "Carrera 65 # 59A-110",
        "email": "soporte@unal.edu.co",
        "phone": "604 430 9000",
    }
    values.update(changes)
    return CustomerForm(**values)  # type: ignore[arg-type]


def _audit(w: World, entity: str, entity_id: object) -> list[tuple[str, dict[str, tuple[str, str]]]]:
    with w.services.uow_factory() as uow:
        return [(e.action, e.changes) for e in uow.queries.customers.audit_of(entity, str(entity_id))]


def _new_machine(w: World, customer_id: CustomerId) -> MachineId:
    form = MachineForm("MK-M3-UNAL1", "M3", customer_id, date(2026, 10, 1), date(2027, 10, 1))
    return w.services.machines.save(form, actor=w.actor("carolina.rojas")).id


def test_R3_paid_up_and_a_training_give_free_support_and_removing_the_training_takes_it_away(world: World) -> None:
    w, coordinator = world, world.actor("carolina.rojas")
    customer = w.services.customers.save(_form(), actor=coordinator).customer
    assert customer.id is not None
    assert (customer.city, customer.department, customer.tax_id) == ("Medellín", "Antioquia", NIT)
    machine_id = _new_machine(w, customer.id)

    page = w.services.customers.page(customer.id)
    (standing,) = page.standing.machines
    assert standing.machine.id == machine_id and standing.eligibility.coverage is Coverage.NONE
    assert set(standing.eligibility.failed_conditions) == {Condition.PAID_UP, Condition.TRAINED}
    assert not page.standing.customer_conditions_met

    w.services.customers.set_paid_up(customer.id, True, actor=coordinator)
    page = w.services.customers.add_training(
        customer.id, date(2026, 11, 20), "Operación de la M3 y cambio de boquilla", "Diego Martínez", actor=coordinator
    )
    assert page.view.customer.paid_up and page.view.customer.trained
    assert page.standing.paid_up_set_at == w.clock.now() and page.standing.paid_up_set_by == "Carolina Rojas"
    assert page.standing.trainings == 1 and page.standing.free_support_machines == 1
    assert page.standing.machines[0].eligibility.coverage is Coverage.FREE_SUPPORT
    assert page.standing.machines[0].eligibility.channels == frozenset({Channel.EMAIL})  # R3: virtual, e-mail

    (training,) = page.trainings
    assert training.training.topic == "Operación de la M3 y cambio de boquilla" and training.recorded_by_name
    assert training.training.id is not None
    page = w.services.customers.remove_training(training.training.id, actor=coordinator)
    assert not page.view.customer.trained and page.standing.free_support_machines == 0
    assert page.standing.machines[0].eligibility.failed_conditions == (Condition.TRAINED,)


def test_R3_a_training_cannot_be_dated_in_the_future_nor_lack_its_topic_and_trainer(world: World) -> None:
    with pytest.raises(UserFacingError) as refused:
        world.services.customers.add_training(
            CustomerId(world.ids["school"]), date(2026, 12, 2), " ", "", actor=world.actor("carolina.rojas")
        )
    message = str(refused.value)
    assert "about" in message and "who gave" in message and "future" in message


def test_a_wrong_check_digit_is_refused_naming_the_digit_and_nothing_is_written(world: World) -> None:
    before = world.services.customers.search("").total
    with pytest.raises(UserFacingError, match="The check digit of NIT 900123456-7 should be 8, not 7"):
        world.services.customers.save(_form(tax_id="900123456-7"), actor=world.actor("carolina.rojas"))
    assert world.services.customers.search("").total == before
    assert world.services.customers.nit_problem("900123456-7") == (
        "The check digit of NIT 900123456-7 should be 8, not 7."
    )
    assert world.services.customers.nit_problem("900.123.456-8") is None


def test_a_nit_already_registered_is_refused_whatever_its_punctuation(world: World) -> None:
    coordinator = world.actor("carolina.rojas")
    first = world.services.customers.save(_form(), actor=coordinator).customer
    with pytest.raises(UserFacingError, match="already registered, for Universidad Nacional"):
        world.services.customers.save(_form(name="Otra", tax_id="900.123.456 8"), actor=coordinator)
    assert world.services.customers.nit_problem("9001234568") is not None
    assert world.services.customers.nit_problem("9001234568", first.id) is None  # its own NIT


def test_a_legacy_nit_and_city_are_kept_when_something_else_changes_and_flagged(world: World) -> None:
    """The world's customers were typed before the checks ("900n", no check digit)."""
    w = world
    view = w.services.customers.get(CustomerId(w.ids["school"]))
    assert view.nit_problem is not None and "4 digits" in view.nit_problem
    old = view.customer
    form = CustomerForm(old.name, old.kind, old.tax_id, old.city, old.department, "Calle 5 # 10-20", id=old.id)
    saved = w.services.customers.save(form, actor=w.actor("carolina.rojas"), expected_version=view.version)
    assert (saved.customer.tax_id, saved.customer.address) == (old.tax_id, "Calle 5 # 10-20")
    assert saved.nit_problem is not None  # still flagged until someone types the full NIT
    form = CustomerForm(old.name, old.kind, "9001", old.city, id=old.id)
    with pytest.raises(UserFacingError, match="digits before the check digit"):
        w.services.customers.save(form, actor=w.actor("carolina.rojas"))


def test_an_unknown_city_is_refused_with_suggestions_until_an_administrator_adds_it(world: World) -> None:
    w = world
    with pytest.raises(UserFacingError, match=r"Barranquilla \(Atlántico\)"):
        w.services.customers.save(_form(city="Barranqilla"), actor=w.actor("carolina.rojas"))
    check = w.services.customers.check_place("Vereda La Esperanza", "Meta")
    assert check.place is None and check.problem
    with pytest.raises(PermissionDeniedError):
        w.services.customers.add_place("Vereda La Esperanza", "Meta", actor=w.actor("carolina.rojas"))
    with pytest.raises(UserFacingError, match="department from the list"):
        w.services.customers.add_place("Vereda La Esperanza", "Narnia", actor=w.actor("admin"))
    place = w.services.customers.add_place("Vereda La Esperanza", "meta", actor=w.actor("admin"))
    assert (place.name, place.department) == ("Vereda La Esperanza", "Meta")
    with pytest.raises(UserFacingError, match="already in the list"):
        w.services.customers.add_place("vereda la esperanza", "Meta", actor=w.actor("admin"))
    with pytest.raises(UserFacingError, match="already in the list"):
        w.services.customers.add_place("Cali", "Valle del Cauca", actor=w.actor("admin"))
    longest = "San José de las Palmas del Río Guayabero"  # a 40-character name; 60 are allowed
    assert w.services.customers.add_place(longest + " Alto y Bajo", "Guaviare", actor=w.actor("admin")).added
    saved = w.services.customers.save(
        _form(city="vereda la esperanza", department="Meta"), actor=w.actor("carolina.rojas")
    )
    assert (saved.customer.city, saved.customer.department, saved.place_known) == ("Vereda La Esperanza", "Meta", True)
    # The first place added to this database: row 1.
    assert _audit(w, "place", 1) == [("create", {"name": ("", "Vereda La Esperanza"), "department": ("", "Meta")})]


def test_agents_and_technicians_read_customers_but_cannot_change_them(world: World) -> None:
    w = world
    school = CustomerId(w.ids["school"])
    for username in ("laura", "diego"):
        actor = w.actor(username)
        assert w.services.customers.search("bolivar").total == 1
        assert w.services.customers.page(school).view.customer.name == "Colegio Bolívar"
        for attempt in (
            lambda actor=actor: w.services.customers.save(_form(), actor=actor),
            lambda actor=actor: w.services.customers.set_paid_up(school, False, actor=actor),
            lambda actor=actor: w.services.customers.add_training(school, date(2026, 11, 1), "t", "x", actor=actor),
            lambda actor=actor: w.services.customers.save_contact(ContactForm(school, "Ana"), actor=actor),
        ):
            with pytest.raises(PermissionDeniedError):
                attempt()


def test_search_by_name_nit_city_or_contact_without_accents_and_in_pages(world: World) -> None:
    w, coordinator = world, world.actor("carolina.rojas")
    created = w.services.customers.save(_form(), actor=coordinator).customer
    assert created.id is not None
    w.services.customers.save_contact(ContactForm(created.id, "Ángela Núñez", "Jefa de laboratorio"), actor=coordinator)
    names = lambda text: [r.name for r in w.services.customers.search(text).rows]  # noqa: E731
    assert names("NACIONAL") == ["Universidad Nacional de Colombia"]
    assert names("900.123.456") == ["Universidad Nacional de Colombia"]
    assert names("medellin") == ["Universidad EAFIT", "Universidad Nacional de Colombia"]
    assert names("angela nunez") == ["Universidad Nacional de Colombia"]
    assert names("antioquia universidad") == ["Universidad Nacional de Colombia"]  # EAFIT has no department yet
    assert names("\x00%_") == []
    first = w.services.customers.search("", offset=0, limit=2)
    second = w.services.customers.search("", offset=2, limit=2)
    assert first.total == second.total == 5
    assert len(first.rows) == 2 and not {r.id for r in first.rows} & {r.id for r in second.rows}
    row = next(r for r in w.services.customers.search("nacional").rows)
    assert (row.contacts, row.machines, row.open_tickets) == (1, 0, 0)


def test_R18_customer_changes_are_audited_field_by_field(world: World) -> None:
    w, coordinator = world, world.actor("carolina.rojas")
    view = w.services.customers.save(_form(), actor=coordinator)
    customer_id = view.customer.id
    form = _form(name="Universidad Nacional de Colombia — Sede Medellín", notes="Cliente desde 2019", id=customer_id)
    w.services.customers.save(form, actor=coordinator, expected_version=view.version)
    w.services.customers.set_paid_up(customer_id, True, actor=coordinator)  # type: ignore[arg-type]
    entries = _audit(w, "customer", customer_id)
    assert entries[0][0] == "create" and entries[0][1]["tax_id"] == ("", NIT)
    assert entries[1] == (
        "update",
        {
            "name": ("Universidad Nacional de Colombia", "Universidad Nacional de Colombia — Sede Medellín"),
            "notes": ("", "Cliente desde 2019"),
        },
    )
    assert entries[2] == ("update", {"paid_up": ("False", "True")})


def test_a_stale_customer_save_is_refused_and_nothing_is_written(world: World) -> None:
    w, coordinator = world, world.actor("carolina.rojas")
    view = w.services.customers.save(_form(), actor=coordinator)
    w.services.customers.save(_form(address="Otra dirección", id=view.customer.id), actor=coordinator)
    with pytest.raises(ConflictError):
        w.services.customers.save(
            _form(phone="300 000 0000", id=view.customer.id), actor=coordinator, expected_version=view.version
        )
    assert w.services.customers.get(view.customer.id).customer.phone == "604 430 9000"  # type: ignore[arg-type]


def test_renaming_a_customer_keeps_its_machines_and_tickets_findable(world: World) -> None:
    w = world
    view = w.services.customers.get(CustomerId(w.ids["maker"]))
    old = view.customer
    form = CustomerForm("Fab Lab Chapinero", old.kind, old.tax_id, old.city, old.department, id=old.id)
    w.services.customers.save(form, actor=w.actor("carolina.rojas"))
    assert {m.serial for m in w.services.machines.search("chapinero")} == {"MK-M3-MAKER_M3", "MK-M2-MAKER_OLD"}
    assert w.services.machines.search("maker space") == []


def test_contacts_with_consent_and_R18_audit_without_their_personal_data(world: World) -> None:
    w, coordinator = world, world.actor("carolina.rojas")
    eafit = CustomerId(w.ids["eafit"])
    form = ContactForm(
        eafit,
        "Ana María Restrepo",
        "Coordinadora de laboratorio",
        "amrestrepo@eafit.edu.co",
        "300 123 4567",
        ContactChannel.WHATSAPP,
        date(2026, 11, 15),
    )
    contact = w.services.customers.save_contact(form, actor=coordinator)
    assert contact.contact.consent_at is not None and contact.contact.consent_at.date() == date(2026, 11, 15)
    assert contact.contact.preferred_channel is ContactChannel.WHATSAPP
    contact_id = contact.contact.id
    assert contact_id is not None
    changed = ContactForm(
        eafit,
        "Ana María Restrepo",
        "Directora",
        "amrestrepo@eafit.edu.co",
        "300 999 0000",
        ContactChannel.PHONE,
        date(2026, 11, 15),
        id=contact_id,
    )
    w.services.customers.save_contact(changed, actor=coordinator, expected_version=contact.version)
    with pytest.raises(ConflictError):  # a second desk still showing the first version
        w.services.customers.save_contact(
            replace(changed, role="Decana"), actor=coordinator, expected_version=contact.version
        )
    entries = _audit(w, "contact", contact_id)
    assert entries[0][0] == "create" and entries[0][1]["name"] == ("", HIDDEN)
    assert entries[1] == (
        "update",
        {
            "phone": (HIDDEN, HIDDEN),
            "role": ("Coordinadora de laboratorio", "Directora"),
            "preferred_channel": ("whatsapp", "phone"),
            "customer_id": (str(eafit), str(eafit)),
        },
    )
    everything = json.dumps(entries, ensure_ascii=False)
    assert "Restrepo" not in everything and "amrestrepo" not in everything and "4567" not in everything
    with pytest.raises(UserFacingError, match="not an e-mail address"):
        w.services.customers.save_contact(ContactForm(eafit, "Pedro", email="pedro@"), actor=coordinator)
    with pytest.raises(UserFacingError, match="consent cannot be in the future"):
        w.services.customers.save_contact(ContactForm(eafit, "Pedro", consent_on=date(2027, 1, 1)), actor=coordinator)


def test_a_contact_export_holds_everything_and_anonymising_keeps_the_tickets(world: World) -> None:
    w, coordinator = world, world.actor("carolina.rojas")
    eafit = CustomerId(w.ids["eafit"])
    contact = w.services.customers.save_contact(
        ContactForm(
            eafit, "Julián Ospina", "Docente", "jospina@eafit.edu.co", "311 555 1234", consent_on=date(2026, 12, 1)
        ),
        actor=coordinator,
    ).contact
    assert contact.id is not None
    description = "Julián Ospina (jospina@eafit.edu.co) reporta que la resina no cura en la primera capa."
    request = IntakeRequest(
        MachineId(w.ids["eafit_r1"]), description, Severity.MEDIUM, Channel.EMAIL, UserId(w.ids["laura"]), (PHOTO,)
    )
    ticket = w.services.tickets.create_ticket(request, actor=w.actor("laura"))
    with pytest.raises(PermissionDeniedError):
        w.services.customers.export_contact(contact.id, actor=w.actor("laura"))

    exported = w.services.customers.export_contact(contact.id, actor=coordinator)
    data = json.loads(exported.content.decode("utf-8"))
    assert exported.file_name.endswith(".json")
    assert data["contact"]["email"] == "jospina@eafit.edu.co" and data["contact"]["consent_at"]
    assert data["customer"]["name"] == "Universidad EAFIT"
    assert [t["number"] for t in data["tickets_naming_the_contact"]] == [ticket.number]
    assert data["record_history"][0]["action"] == "create"

    anonymised = w.services.customers.anonymise_contact(contact.id, actor=coordinator)
    assert anonymised.anonymised
    assert (anonymised.contact.name, anonymised.contact.email, anonymised.contact.phone) == (f"#{contact.id}", "", "")
    assert w.services.tickets.get_ticket(ticket.id).description == description  # tickets intact
    assert [e[0] for e in _audit(w, "contact", contact.id)] == ["create", "export", "anonymise"]
    assert "Ospina" not in json.dumps(_audit(w, "contact", contact.id), ensure_ascii=False)
    after = json.loads(w.services.customers.export_contact(contact.id, actor=coordinator).content)
    assert "Ospina" not in json.dumps(after, ensure_ascii=False)
    with pytest.raises(UserFacingError, match="anonymised"):
        w.services.customers.anonymise_contact(contact.id, actor=coordinator)
    with pytest.raises(UserFacingError, match="anonymised"):
        w.services.customers.save_contact(ContactForm(eafit, "Julián", id=contact.id), actor=coordinator)
    page = w.services.customers.page(eafit)
    assert [c.anonymised for c in page.contacts] == [True]
    w.services.customers.remove_contact(contact.id, actor=coordinator)
    with pytest.raises(NotFoundError):
        w.services.customers.export_contact(ContactId(contact.id), actor=coordinator)


def test_the_customer_page_shows_machines_contracts_and_ticket_counts(world: World) -> None:
    w = world
    eafit = CustomerId(w.ids["eafit"])
    request = IntakeRequest(
        MachineId(w.ids["eafit_r1"]),
        "No enciende la pantalla.",
        Severity.HIGH,
        Channel.PHONE,
        UserId(w.ids["laura"]),
        (PHOTO,),
    )
    w.services.tickets.create_ticket(request, actor=w.actor("laura"))
    page = w.services.customers.page(eafit)
    assert [m.machine.serial for m in page.machines] == ["MK-R1-EAFIT_R1"]
    assert page.machines[0].eligibility.coverage is Coverage.PLAN and page.machines[0].plan_name == "Premium"
    assert [c.invoice_number for c in page.contracts] == ["FE-c_eafit"]
    assert (page.open_tickets, page.closed_tickets) == (1, 0)
    assert page.tickets[0].serial == "MK-R1-EAFIT_R1"
    with pytest.raises(NotFoundError):
        w.services.customers.page(CustomerId(999_999))
