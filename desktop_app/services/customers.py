"""Customers and their contacts kept in the app (issue 13): the list, the customer page with its
free-support standing (R3), and every change audited (R18).

Rules kept here, at the service boundary:
- a NIT is stored in one form (domain.nit: "900123456-8") with its right check digit, and two
  customers never share a NIT's base; a legacy NIT (no or wrong digit) stays as it is until someone
  changes it, and the page flags it;
- a city is a known Colombian place (domain.places) or one an administrator added; it is stored as
  the place is written, with its department;
- "a paz y salvo" records when and by whom it was set; a customer counts as trained ("capacitado",
  R3) once a training is recorded, and stops counting when the last one is removed;
- a contact's personal data (name, e-mail, phone) never goes into the audit log, which cannot be
  rewritten (migration 0008): the log says which of those fields changed, not their values, so an
  anonymisation asked for under Ley 1581 de 2012 leaves nothing of the person behind in it.
- concurrent saves: customers and contacts carry a row version; a stale save is refused
  (ConflictError) and nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any

from desktop_app.domain.audit import AuditEntry, as_text, diff
from desktop_app.domain.ids import ContactId, CustomerId, MachineId, TrainingId
from desktop_app.domain.model import (
    OPEN_STATUSES,
    Contact,
    ContactChannel,
    Customer,
    CustomerKind,
    TrainingRecord,
)
from desktop_app.domain.nit import check_nit, nit_problem_text
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.domain.places import Place, departments, find_place, known_places, place_key, suggest_places
from desktop_app.errors import NotFoundError, PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.customer_ports import (
    ContactExport,
    ContactView,
    CustomerList,
    CustomerPage,
    CustomerView,
    FreeSupportStanding,
    MachineStanding,
    PlaceCheck,
    TrainingView,
)
from desktop_app.services.entitlement import machine_eligibility
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line, clean_search, clean_text

PAGE_SIZE = 100
# The columns' lengths (persistence.tables): a longer text is refused with its field named.
MAX_NAME = 200
MAX_CITY = 60
MAX_DEPARTMENT = 60
MAX_EMAIL = 200
MAX_PHONE = 40
MAX_ADDRESS = 200
MAX_CONTACT_NAME = 120
MAX_ROLE = 80
MAX_TOPIC = 200
MAX_TRAINER = 120
MAX_NOTES = 10_000  # a text column: bounded so a pasted file does not end up in a customer's notes
AUDITED_CUSTOMER_FIELDS = ("name", "kind", "tax_id", "city", "department", "address", "email", "phone", "notes")
# A contact's personal data: the audit says the field changed, never its value (see the module's note).
PERSONAL_FIELDS = ("name", "email", "phone")
AUDITED_CONTACT_FIELDS = (*PERSONAL_FIELDS, "role", "preferred_channel", "consent_at")
HIDDEN = "•••"


@dataclass(frozen=True)
class CustomerForm:
    """A customer as typed; id None creates one."""

    name: str
    kind: CustomerKind
    tax_id: str
    city: str
    department: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    notes: str = ""
    id: CustomerId | None = None


@dataclass(frozen=True)
class ContactForm:
    """A contact as typed; id None adds one. consent_on: the day they consented to the processing of
    their personal data (Ley 1581 de 2012), None if they have not."""

    customer_id: CustomerId
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    preferred_channel: ContactChannel = ContactChannel.EMAIL
    consent_on: date | None = None
    id: ContactId | None = None


class CustomerService:
    def __init__(self, uow_factory: UnitOfWorkFactory, policy: PolicyService, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock

    # -- reading -----------------------------------------------------------------------------------

    def search(self, text: str = "", *, offset: int = 0, limit: int = PAGE_SIZE) -> CustomerList:
        """Customers whose name, NIT, city, department or a contact's name contain every word typed."""
        offset, limit = max(0, offset), max(1, min(limit, 500))
        with self._uow_factory() as uow:
            rows, total = uow.queries.customers.page(clean_search(text), offset, limit)
        return CustomerList(tuple(rows), total, offset, limit)

    def page(self, customer_id: CustomerId) -> CustomerPage:
        """Everything about one customer, with their free-support standing (R3)."""
        today = self._today()
        policy = self._policy.policy()
        plan_names: dict[str, str] = {str(p.code): p.name for p in policy.plans}
        with self._uow_factory() as uow:
            customer, version = self._customer(uow, customer_id)
            added = uow.customers.added_places()
            contacts = tuple(ContactView(c, v) for c, v in uow.customers.contacts(customer_id))
            trainings = tuple(TrainingView(t, name) for t, name in uow.customers.trainings(customer_id))
            summaries = {m.id: m for m in uow.queries.machines.of_customer(customer_id)}
            machines = tuple(
                MachineStanding(summaries[mid], e, plan_names.get(e.plan_code or "", e.plan_code or ""))
                for mid in uow.queries.customers.machine_ids(customer_id)
                if mid in summaries
                for e in (machine_eligibility(uow, MachineId(mid), policy, today),)
            )
            contracts = tuple(
                summary
                for contract_id in uow.queries.customers.contract_ids(customer_id)
                if (summary := uow.queries.contracts.get_summary(contract_id)) is not None
            )
            tickets = tuple(uow.queries.customers.tickets(customer_id))
            set_by = uow.queries.customers.user_name(customer.paid_up_set_by)
        open_count = sum(1 for t in tickets if t.status in OPEN_STATUSES)
        standing = FreeSupportStanding(
            customer.paid_up, customer.paid_up_set_at, set_by, customer.trained, len(trainings), machines
        )
        view = self._view(customer, version, added)
        return CustomerPage(
            view, contacts, trainings, machines, contracts, tickets, open_count, len(tickets) - open_count, standing
        )

    def get(self, customer_id: CustomerId) -> CustomerView:
        with self._uow_factory() as uow:
            customer, version = self._customer(uow, customer_id)
            return self._view(customer, version, uow.customers.added_places())

    # -- inline checks for the form (the same rules save() applies) ---------------------------------

    def nit_problem(self, text: str, customer_id: CustomerId | None = None) -> str | None:
        """What is wrong with a typed NIT, a duplicate included; None when it may be saved."""
        found = check_nit(clean_line(text))
        if found.problem is not None:
            return nit_problem_text(found)
        with self._uow_factory() as uow:
            return self._duplicate(uow, found.base, customer_id)

    def check_place(self, city: str, department: str = "") -> PlaceCheck:
        """The place a typed city names, or the nearest names (and the words to show)."""
        city, department = clean_line(city)[:200], clean_line(department)[:200]
        with self._uow_factory() as uow:
            added = uow.customers.added_places()
        return self._place_check(city, department, added)

    def places(self) -> list[Place]:
        """Every known place (built in and added), for the city field's completion."""
        with self._uow_factory() as uow:
            added = uow.customers.added_places()
        return [*known_places(), *added]

    @staticmethod
    def departments() -> tuple[str, ...]:
        return departments()

    # -- changing a customer -------------------------------------------------------------------------

    def save(self, form: CustomerForm, *, actor: Actor, expected_version: int | None = None) -> CustomerView:
        """Create a customer or correct one (R18: audited field by field).

        Raises:
            UserFacingError: every problem of the form at once (NIT, city, lengths, duplicates).
            ConflictError: someone changed the customer since expected_version; nothing saved.
        """
        self._require(actor, Permission.MANAGE_CUSTOMERS)
        now = self._clock.now()
        with self._uow_factory() as uow:
            before: Customer | None = None
            version = 0
            if form.id is not None:
                before, version = self._customer(uow, form.id)
            customer = self._checked(uow, form, before)
            if before is None:
                customer = uow.customers.add(customer)
                changes = {name: ("", as_text(getattr(customer, name))) for name in AUDITED_CUSTOMER_FIELDS}
                changes = {k: v for k, v in changes.items() if v[1]}
                action = "create"
            else:
                customer = replace(
                    customer,
                    paid_up=before.paid_up,
                    trained=before.trained,
                    paid_up_set_at=before.paid_up_set_at,
                    paid_up_set_by=before.paid_up_set_by,
                )
                changes = diff(before, customer, AUDITED_CUSTOMER_FIELDS)
                if changes:
                    uow.customers.update(customer, expected_version if expected_version is not None else version)
                action = "update"
            assert customer.id is not None
            if changes:
                uow.audit.record(AuditEntry(now, actor.user_id, "customer", str(customer.id), action, changes))
            uow.commit()
            customer_id = customer.id
        return self.get(customer_id)

    def set_paid_up(
        self, customer_id: CustomerId, paid_up: bool, *, actor: Actor, expected_version: int | None = None
    ) -> CustomerView:
        """Set or clear "a paz y salvo" (R3), recording when and by whom."""
        self._require(actor, Permission.MANAGE_CUSTOMERS)
        now = self._clock.now()
        with self._uow_factory() as uow:
            before, version = self._customer(uow, customer_id)
            if before.paid_up != paid_up:
                after = replace(before, paid_up=paid_up, paid_up_set_at=now, paid_up_set_by=actor.user_id)
                uow.customers.update(after, expected_version if expected_version is not None else version)
                changes = {"paid_up": (as_text(before.paid_up), as_text(paid_up))}
                uow.audit.record(AuditEntry(now, actor.user_id, "customer", str(customer_id), "update", changes))
                uow.commit()
        return self.get(customer_id)

    def add_place(self, city: str, department: str, *, actor: Actor) -> Place:
        """Add a municipality missing from the built-in list (administrators only).

        Raises:
            UserFacingError: no name, an unknown department, or the place is already known.
        """
        self._require(actor, Permission.ADD_PLACES)
        name, department = clean_line(city), clean_line(department)
        problems = []
        if not name:
            problems.append(_("Type the municipality's name."))
        elif len(name) > MAX_CITY:
            problems.append(_("A municipality's name has at most {n} characters.").format(n=MAX_CITY))
        official = next((d for d in departments() if place_key(d) == place_key(department)), None)
        if official is None:
            problems.append(_("Choose the department from the list."))
        if problems:
            raise UserFacingError(" ".join(problems))
        assert official is not None
        now = self._clock.now()
        with self._uow_factory() as uow:
            if find_place(name, official, uow.customers.added_places()) is not None:
                raise UserFacingError(
                    _("{place} is already in the list of municipalities.").format(place=f"{name} ({official})")
                )
            place = Place(name, official, added=True)
            place_id = uow.customers.add_place(place, at=now, by=actor.user_id)
            changes = {"name": ("", name), "department": ("", official)}
            uow.audit.record(AuditEntry(now, actor.user_id, "place", str(place_id), "create", changes))
            uow.commit()
        return place

    # -- trainings (R3: "capacitado") --------------------------------------------------------------

    def add_training(
        self, customer_id: CustomerId, held_on: date, topic: str, trainer: str, *, actor: Actor
    ) -> CustomerPage:
        """Record a training makeR gave the customer; the customer counts as trained from then on."""
        self._require(actor, Permission.MANAGE_CUSTOMERS)
        topic, trainer = clean_line(topic), clean_line(trainer)
        problems = []
        if not topic:
            problems.append(_("Type what the training was about."))
        elif len(topic) > MAX_TOPIC:
            problems.append(_("The topic has at most {n} characters.").format(n=MAX_TOPIC))
        if not trainer:
            problems.append(_("Type who gave the training."))
        elif len(trainer) > MAX_TRAINER:
            problems.append(_("The trainer's name has at most {n} characters.").format(n=MAX_TRAINER))
        if held_on > self._today():
            problems.append(_("A training is recorded once it was given: its date cannot be in the future."))
        if problems:
            raise UserFacingError(" ".join(problems))
        now = self._clock.now()
        with self._uow_factory() as uow:
            customer, _version = self._customer(uow, customer_id)
            saved = uow.customers.add_training(TrainingRecord(customer_id, held_on, topic, trainer, now, actor.user_id))
            changes = {"held_on": ("", held_on.isoformat()), "topic": ("", topic), "trainer": ("", trainer)}
            uow.audit.record(AuditEntry(now, actor.user_id, "training", str(saved.id), "create", changes))
            if not customer.trained:
                _set_trained(uow, customer_id, True, now, actor)
            uow.commit()
        return self.page(customer_id)

    def remove_training(self, training_id: TrainingId, *, actor: Actor) -> CustomerPage:
        """Remove a training recorded by mistake; without any left, the customer is no longer trained."""
        self._require(actor, Permission.MANAGE_CUSTOMERS)
        now = self._clock.now()
        with self._uow_factory() as uow:
            training = uow.customers.get_training(training_id)
            if training is None:
                raise NotFoundError(_("That training record no longer exists."))
            customer_id = training.customer_id
            uow.customers.delete_training(training_id)
            changes = {
                "held_on": (training.held_on.isoformat(), ""),
                "topic": (training.topic, ""),
                "trainer": (training.trainer, ""),
            }
            uow.audit.record(AuditEntry(now, actor.user_id, "training", str(training_id), "delete", changes))
            if not uow.customers.trainings(customer_id):
                _set_trained(uow, customer_id, False, now, actor)
            uow.commit()
        return self.page(customer_id)

    # -- contacts (habeas data: Ley 1581 de 2012) ----------------------------------------------------

    def save_contact(self, form: ContactForm, *, actor: Actor, expected_version: int | None = None) -> ContactView:
        """Add a contact or correct one (audited; personal data as "changed", not its values).

        Raises:
            UserFacingError: no name, a text too long, an e-mail that cannot be one, a consent date
                in the future, an anonymised contact.
            ConflictError: someone changed the contact since expected_version; nothing saved.
        """
        self._require(actor, Permission.MANAGE_CUSTOMERS)
        now = self._clock.now()
        name, role = clean_line(form.name), clean_line(form.role)
        email, phone = clean_line(form.email), clean_line(form.phone)
        problems = []
        if not name:
            problems.append(_("Type the contact's name."))
        problems += _too_long(
            (
                (name, MAX_CONTACT_NAME, _("The name")),
                (role, MAX_ROLE, _("The role")),
                (email, MAX_EMAIL, _("The e-mail address")),
                (phone, MAX_PHONE, _("The phone")),
            )
        )
        problems += _email_problems(email)
        if form.consent_on is not None and form.consent_on > self._today():
            problems.append(_("The date of the consent cannot be in the future."))
        if problems:
            raise UserFacingError(" ".join(problems))
        with self._uow_factory() as uow:
            self._customer(uow, form.customer_id)
            before: Contact | None = None
            version = 0
            if form.id is not None:
                before, version = self._contact(uow, form.id)
                if before.customer_id != form.customer_id:
                    raise UserFacingError(_("That contact belongs to another customer."))
                if before.anonymised_at is not None:
                    raise UserFacingError(_("This contact was anonymised at their request; it cannot be edited."))
            consent_at = self._consent_at(form.consent_on, before, now)
            contact = Contact(
                form.customer_id,
                name,
                email,
                phone,
                role,
                form.id,
                preferred_channel=form.preferred_channel,
                consent_at=consent_at,
            )
            if before is None:
                contact = uow.customers.add_contact(contact)
                changes = _contact_changes(Contact(form.customer_id, "", "", "", ""), contact, creating=True)
                action = "create"
            else:
                changes = _contact_changes(before, contact)
                if changes:
                    uow.customers.update_contact(contact, expected_version if expected_version is not None else version)
                action = "update"
            assert contact.id is not None
            if changes:
                changes["customer_id"] = (str(form.customer_id), str(form.customer_id))
                uow.audit.record(AuditEntry(now, actor.user_id, "contact", str(contact.id), action, changes))
            uow.commit()
            contact_id = contact.id
        with self._uow_factory() as uow:
            saved, saved_version = self._contact(uow, contact_id)
        return ContactView(saved, saved_version)

    def remove_contact(self, contact_id: ContactId, *, actor: Actor) -> None:
        """Remove a contact (no ticket points at a contact, so nothing else changes)."""
        self._require(actor, Permission.MANAGE_CUSTOMERS)
        now = self._clock.now()
        with self._uow_factory() as uow:
            contact, _version = self._contact(uow, contact_id)
            uow.customers.delete_contact(contact_id)
            changes = {f: (HIDDEN, "") for f in PERSONAL_FIELDS if getattr(contact, f)}
            changes["customer_id"] = (str(contact.customer_id), "")
            uow.audit.record(AuditEntry(now, actor.user_id, "contact", str(contact_id), "delete", changes))
            uow.commit()

    def export_contact(self, contact_id: ContactId, *, actor: Actor) -> ContactExport:
        """Everything held about a contact, as JSON (their right to know it, Ley 1581 de 2012): the
        contact, their customer, the tickets of that customer whose text names them (tickets have no
        contact of their own), and the history of their record. The export itself is audited."""
        self._require(actor, Permission.MANAGE_CUSTOMERS)
        now = self._clock.now()
        with self._uow_factory() as uow:
            contact, _version = self._contact(uow, contact_id)
            customer, _cv = self._customer(uow, contact.customer_id)
            terms = [t for t in (contact.name, contact.email, contact.phone) if len(t.strip()) >= 4]
            tickets = (
                [] if contact.anonymised_at else uow.queries.customers.mentioning_tickets(contact.customer_id, terms)
            )
            history = uow.queries.customers.audit_of("contact", str(contact_id))
            names = {e.actor_id: uow.queries.customers.user_name(e.actor_id) for e in history}
            uow.audit.record(AuditEntry(now, actor.user_id, "contact", str(contact_id), "export", {}))
            uow.commit()
        data: dict[str, Any] = {
            "exported_at": now.astimezone(UTC).isoformat(),
            "law": "Ley 1581 de 2012 (habeas data)",
            "contact": {
                "id": contact.id,
                "name": contact.name,
                "role": contact.role,
                "email": contact.email,
                "phone": contact.phone,
                "preferred_channel": contact.preferred_channel.value,
                "consent_at": as_text(contact.consent_at),
                "anonymised_at": as_text(contact.anonymised_at),
            },
            "customer": {"id": customer.id, "name": customer.name, "tax_id": customer.tax_id, "city": customer.city},
            "tickets_naming_the_contact": [
                {
                    "number": t.number,
                    "received_at": t.received_at.isoformat(),
                    "status": t.status.value,
                    "machine_serial": t.serial,
                    "texts": list(t.texts),
                }
                for t in tickets
            ],
            "record_history": [
                {
                    "at": e.at.isoformat(),
                    "by": names.get(e.actor_id, ""),
                    "action": e.action,
                    "fields_changed": sorted(e.changes),
                }
                for e in history
            ],
        }
        content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        return ContactExport(f"contacto-{contact_id}-{now.astimezone(UTC):%Y%m%d}.json", content)

    def anonymise_contact(self, contact_id: ContactId, *, actor: Actor) -> ContactView:
        """Replace a contact's personal data at their request (Ley 1581 de 2012). The record stays,
        named only by its number, so the customer's history and every ticket are left intact."""
        self._require(actor, Permission.MANAGE_CUSTOMERS)
        now = self._clock.now()
        with self._uow_factory() as uow:
            before, version = self._contact(uow, contact_id)
            if before.anonymised_at is not None:
                raise UserFacingError(_("This contact was already anonymised."))
            after = replace(
                before,
                name=f"#{contact_id}",
                email="",
                phone="",
                role="",
                consent_at=None,
                anonymised_at=now,
            )
            uow.customers.update_contact(after, version)
            changes = _contact_changes(before, after)
            changes["anonymised_at"] = ("", as_text(now))
            uow.audit.record(AuditEntry(now, actor.user_id, "contact", str(contact_id), "anonymise", changes))
            uow.commit()
        with self._uow_factory() as uow:
            saved, saved_version = self._contact(uow, contact_id)
        return ContactView(saved, saved_version)

    # -- internals ---------------------------------------------------------------------------------

    def _today(self) -> date:
        return self._clock.now().astimezone(self._policy.calendar().tz).date()

    @staticmethod
    def _require(actor: Actor, permission: Permission) -> None:
        if not allows(actor, permission):
            raise PermissionDeniedError(_("Your role does not allow this action."))

    @staticmethod
    def _customer(uow: UnitOfWork, customer_id: CustomerId) -> tuple[Customer, int]:
        found = uow.customers.get(customer_id)
        if found is None:
            raise NotFoundError(_("Customer {id} does not exist.").format(id=customer_id))
        return found

    @staticmethod
    def _contact(uow: UnitOfWork, contact_id: ContactId) -> tuple[Contact, int]:
        found = uow.customers.get_contact(contact_id)
        if found is None:
            raise NotFoundError(_("Contact {id} does not exist.").format(id=contact_id))
        return found

    @staticmethod
    def _view(customer: Customer, version: int, added: list[Place]) -> CustomerView:
        problem = nit_problem_text(check_nit(customer.tax_id))
        place = find_place(customer.city, customer.department, added)
        return CustomerView(customer, version, problem, place is not None)

    @staticmethod
    def _duplicate(uow: UnitOfWork, base: str, customer_id: CustomerId | None) -> str | None:
        others = [(i, name, nit) for i, name, nit in uow.customers.with_tax_base(base) if i != customer_id]
        if not others:
            return None
        _i, name, nit = others[0]
        return _("NIT {nit} is already registered, for {customer}.").format(nit=nit, customer=name)

    @staticmethod
    def _place_check(city: str, department: str, added: list[Place]) -> PlaceCheck:
        if not city:
            return PlaceCheck(city, None, (), _("Type the city (the municipality)."))
        place = find_place(city, department, added)
        if place is not None:
            return PlaceCheck(city, place, (), None)
        suggestions = tuple(suggest_places(city, 5, added))
        if department and find_place(city, "", added) is not None:
            problem = _("There is no {city} in {department}.").format(city=city, department=department)
        elif suggestions:
            problem = _("{city} is not a Colombian municipality we know. Did you mean {names}?").format(
                city=city, names=", ".join(p.label for p in suggestions)
            )
        else:
            problem = _("{city} is not a Colombian municipality we know.").format(city=city)
        return PlaceCheck(city, None, suggestions, problem)

    def _checked(self, uow: UnitOfWork, form: CustomerForm, before: Customer | None) -> Customer:
        """The customer the form describes, cleaned and checked; every problem at once."""
        name, nit_text = clean_line(form.name), clean_line(form.tax_id)
        city, department = clean_line(form.city), clean_line(form.department)
        address, email, phone = clean_line(form.address), clean_line(form.email), clean_line(form.phone)
        notes = clean_text(form.notes).strip()
        problems: list[str] = []
        if not name:
            problems.append(_("Type the customer's legal name."))
        problems += _too_long(
            (
                (name, MAX_NAME, _("The legal name")),
                (address, MAX_ADDRESS, _("The address")),
                (email, MAX_EMAIL, _("The e-mail address")),
                (phone, MAX_PHONE, _("The phone")),
                (notes, MAX_NOTES, _("The notes")),
            )
        )
        problems += _email_problems(email)
        # A NIT or a city typed before these checks existed stays as it is until someone changes it.
        tax_id = nit_text
        if before is None or nit_text != before.tax_id:
            found = check_nit(nit_text)
            if found.problem is not None:
                problems.append(nit_problem_text(found) or "")
            else:
                tax_id = found.canonical
                duplicate = self._duplicate(uow, found.base, form.id)
                if duplicate:
                    problems.append(duplicate)
        city_changed = before is None or (city, department) != (before.city, before.department)
        if city_changed:
            check = self._place_check(city, department, uow.customers.added_places())
            if check.place is None:
                problems.append(check.problem or "")
            else:
                city, department = check.place.name, check.place.department
        if problems:
            raise UserFacingError(" ".join(problems))
        return Customer(
            name,
            form.kind,
            city,
            tax_id,
            email,
            phone,
            before.paid_up if before else False,
            before.trained if before else False,
            form.id,
            address=address,
            department=department,
            notes=notes,
            paid_up_set_at=before.paid_up_set_at if before else None,
            paid_up_set_by=before.paid_up_set_by if before else None,
        )

    def _consent_at(self, consent_on: date | None, before: Contact | None, now: datetime) -> datetime | None:
        """The consent's moment: kept when its day did not change, now when it is today, else midday
        of that day in Colombia (only the day was typed)."""
        if consent_on is None:
            return None
        tz = self._policy.calendar().tz
        if (
            before is not None
            and before.consent_at is not None
            and before.consent_at.astimezone(tz).date() == consent_on
        ):
            return before.consent_at
        if consent_on == now.astimezone(tz).date():
            return now
        return datetime.combine(consent_on, time(12), tz)


def _too_long(fields: tuple[tuple[str, int, str], ...]) -> list[str]:
    return [
        _("{field} has at most {n} characters.").format(field=label, n=limit)
        for value, limit, label in fields
        if len(value) > limit
    ]


def _email_problems(email: str) -> list[str]:
    if not email:
        return []
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or " " in email or domain.startswith(".") or domain.endswith("."):
        return [_("{email} is not an e-mail address.").format(email=email[:80])]
    return []


def _contact_changes(before: Contact, after: Contact, *, creating: bool = False) -> dict[str, tuple[str, str]]:
    """The audited difference, personal data hidden (the log cannot be rewritten, see the module's note)."""
    changes = diff(before, after, AUDITED_CONTACT_FIELDS)
    if creating:
        changes = {k: v for k, v in changes.items() if v[1]}
    for name in PERSONAL_FIELDS:
        if name in changes:
            old, new = changes[name]
            changes[name] = (HIDDEN if old else "", HIDDEN if new else "")
    return changes


def _set_trained(uow: UnitOfWork, customer_id: CustomerId, trained: bool, now: datetime, actor: Actor) -> None:
    """R3's "capacitado" follows the training records: set when the first is added, cleared with the last (audited)."""
    uow.customers.set_trained(customer_id, trained)
    change = {"trained": (str(not trained), str(trained))}
    uow.audit.record(AuditEntry(now, actor.user_id, "customer", str(customer_id), "update", change))
