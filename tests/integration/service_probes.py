"""Every service method that takes free text from a person, as a probe: give it a text, and it answers
"refused" (a UserFacingError other than "the database cannot be opened") or "stored" after checking that
what it stored reads back identical to the text after the documented cleaning (services/text_input.py).

A wrong acceptance fails an assertion; anything else that escapes is a traceback. Used by the property
test (test_services_fuzz.py) and by the figures table (bench/hardening_table.py), on the hand-made
`World` of world.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from desktop_app.domain.catalogue import normal_model_code
from desktop_app.domain.company import COMPANY_FIELDS, CompanyProfile
from desktop_app.domain.ids import ContractId, CustomerId, MachineId, TicketId, UserId
from desktop_app.domain.importing import ImportKind
from desktop_app.domain.machines import normal_serial
from desktop_app.domain.model import Channel, CustomerKind, EventKind, Role, Severity, Technology, User
from desktop_app.domain.nit import check_nit, normalise_nit
from desktop_app.errors import DatabaseUnavailableError, UserFacingError
from desktop_app.services.catalogue import CatalogueModel, ModelForm
from desktop_app.services.contracts import ContractForm
from desktop_app.services.customers import ContactForm, CustomerForm
from desktop_app.services.dto import QueueFilter
from desktop_app.services.machines import MachineForm
from desktop_app.services.text_input import clean_file_name, clean_line, clean_text
from desktop_app.services.tickets import IntakeRequest, NewAttachment, VisitRequest
from desktop_app.signing import generate_keys
from tests.integration.world import PHOTO, World

DESCRIPTION = "La impresora de resina no cura la primera capa y la pieza queda pegada al tanque."
# No record of the world holds this word: a search that starts with it must find nothing.
ABSENT = "Zqxjvw"


@dataclass(frozen=True)
class Probe:
    name: str
    run: Callable[[World, str], str]  # "refused" or "stored"; AssertionError: a wrong acceptance


def attempt(call: Callable[[], object]) -> bool:
    """Whether the call was accepted; a refusal is a UserFacingError, but "the database cannot be opened"
    for a text a person typed is a failure of ours, not a refusal."""
    try:
        call()
    except DatabaseUnavailableError:
        raise
    except UserFacingError:
        return False
    return True


def _outcome(accepted: bool) -> str:
    return "stored" if accepted else "refused"


def _stored(text: str) -> str:
    return clean_text(text).strip()


_counter = itertools.count(1)


def _ticket(w: World) -> TicketId:
    """A new ticket of Laura's on EAFIT's resin printer (Premium), ready to be worked on."""
    request = IntakeRequest(
        MachineId(w.ids["eafit_r1"]), DESCRIPTION, Severity.MEDIUM, Channel.PHONE, UserId(w.ids["laura"]), (PHOTO,)
    )
    return w.services.tickets.create_ticket(request, actor=w.actor("laura")).id


def _bodies(w: World, ticket_id: TicketId, kind: EventKind) -> list[str]:
    """The bodies of the ticket's events of a kind, newest first."""
    return [e.body for e in w.services.tickets.get_ticket(ticket_id).timeline if e.kind is kind]


# -- tickets ------------------------------------------------------------------------------------------


def _intake(w: World, text: str) -> str:
    request = IntakeRequest(
        MachineId(w.ids["eafit_r1"]),
        text,
        Severity.LOW,
        Channel.PHONE,
        UserId(w.ids["laura"]),
        (NewAttachment(text[:500] or "_", PHOTO.content, "image/jpeg"),),
    )
    created: list[TicketId] = []
    accepted = attempt(lambda: created.append(w.services.tickets.create_ticket(request, actor=w.actor("laura")).id))
    if accepted:
        stored = w.services.tickets.get_ticket(created[0])
        assert stored.description == _stored(text)
        assert [a.filename for a in stored.attachments] == [clean_file_name(text[:500] or "_")]
    return _outcome(accepted)


def _comment(w: World, text: str) -> str:
    ticket_id = _ticket(w)
    accepted = attempt(lambda: w.services.tickets.add_comment(ticket_id, text, actor=w.actor("laura")))
    if accepted:
        assert _bodies(w, ticket_id, EventKind.COMMENT)[0] == _stored(text)
    return _outcome(accepted)


def _edit(w: World, text: str) -> str:
    ticket_id = _ticket(w)
    accepted = attempt(lambda: w.services.tickets.edit_ticket(ticket_id, description=text, actor=w.actor("laura")))
    if accepted:
        assert w.services.tickets.get_ticket(ticket_id).description in (_stored(text), DESCRIPTION)
    return _outcome(accepted)


def _wait(w: World, text: str) -> str:
    ticket_id = _ticket(w)
    accepted = attempt(lambda: w.services.tickets.set_waiting(ticket_id, reason=text, actor=w.actor("laura")))
    if accepted:
        assert _bodies(w, ticket_id, EventKind.STATUS_CHANGE)[0] == _stored(text)
    return _outcome(accepted)


def _contact_attempt(w: World, text: str) -> str:
    ticket_id = _ticket(w)
    w.services.tickets.set_waiting(ticket_id, reason="Acceso remoto", actor=w.actor("laura"))
    accepted = attempt(
        lambda: w.services.tickets.log_contact_attempt(ticket_id, method="phone", note=text, actor=w.actor("laura"))
    )
    if accepted:
        assert _bodies(w, ticket_id, EventKind.CONTACT_ATTEMPT)[0] == _stored(text)
    return _outcome(accepted)


def _close_solved(w: World, text: str) -> str:
    ticket_id = _ticket(w)
    accepted = attempt(lambda: w.services.tickets.close_solved(ticket_id, solution=text, actor=w.actor("laura")))
    if accepted:
        assert _bodies(w, ticket_id, EventKind.COMMENT)[0] == _stored(text)
    return _outcome(accepted)


def _closing_for(w: World, text: str) -> str:
    """R13: a coordinator closes Laura's ticket for her and says why."""
    ticket_id = _ticket(w)
    carolina = w.actor("carolina.rojas")
    accepted = attempt(
        lambda: w.services.tickets.close_solved(
            ticket_id, solution="Se recalibró.", closing_for_reason=text, actor=carolina
        )
    )
    if accepted:
        assert _bodies(w, ticket_id, EventKind.STATUS_CHANGE)[0] == _stored(text)
    return _outcome(accepted)


def _out_of_scope(w: World, text: str) -> str:
    ticket_id = _ticket(w)
    accepted = attempt(lambda: w.services.tickets.mark_out_of_scope(ticket_id, reason=text, actor=w.actor("laura")))
    if accepted:
        assert _bodies(w, ticket_id, EventKind.COMMENT)[0] == _stored(text)
    return _outcome(accepted)


def _reopen(w: World, text: str) -> str:
    ticket_id = _ticket(w)
    w.services.tickets.close_solved(ticket_id, solution="Se cambió el FEP.", actor=w.actor("laura"))
    accepted = attempt(lambda: w.services.tickets.reopen(ticket_id, note=text, actor=w.actor("laura")))
    if accepted:
        bodies = _bodies(w, ticket_id, EventKind.EMAIL_RECEIVED)
        assert (bodies[0] if bodies else "") == _stored(text)
    return _outcome(accepted)


def _escalate(w: World, text: str) -> str:
    ticket_id = _ticket(w)
    accepted = attempt(lambda: w.services.tickets.escalate(ticket_id, note=text, actor=w.actor("laura")))
    if accepted:
        assert _bodies(w, ticket_id, EventKind.ESCALATION)[0] == _stored(text)
    return _outcome(accepted)


def _visit(w: World, text: str, *, field: str) -> str:
    """A visit an administrator records for Diego; each probe gets its own hour, a week back."""
    ticket_id = _ticket(w)
    start = w.clock.now() - timedelta(days=7) + timedelta(minutes=90 * next(_counter))
    request = VisitRequest(
        UserId(w.ids["diego"]),
        "Medellín",
        start,
        start + timedelta(hours=1),
        "Calibración del eje Z.",
        parts="",
        travel_expenses=0,
    )
    request = replace(request, **{field: text})
    accepted = attempt(lambda: w.services.tickets.record_visit(ticket_id, request, actor=w.actor("admin")))
    if accepted:
        visit = w.services.tickets.get_ticket(ticket_id).visits[0]
        expected = clean_line(text) if field == "city" else _stored(text)
        assert getattr(visit, field) == expected
    return _outcome(accepted)


# -- searches: never a traceback, and a search that starts with a word no record has finds nothing -----


def _searches(w: World, text: str) -> str:
    s = w.services
    admin = w.actor("admin")
    for search in (
        lambda t: s.tickets.list_queue(QueueFilter(text=t, open_only=False)).rows,
        lambda t: s.machines.search(t),
        lambda t: s.contracts.list_contracts(t),
        lambda t: s.audit.search(admin, text=t),
    ):
        search(text)
        assert not list(search(f"{ABSENT} {text}")), text
    return "stored"  # nothing refused: searches clean instead


def _finders(w: World, text: str) -> str:
    """Look-ups by a typed number: the record of that number, or a clear 'not found'."""
    s = w.services
    for find in (s.tickets.find_ticket_id, s.machines.find_customer, s.contracts.find):
        attempt(lambda find=find: find(text))  # type: ignore[misc]
    assert s.machines.resolve_scan(text) is not None
    return "stored"


# -- records ------------------------------------------------------------------------------------------


def _machine_serial(w: World, text: str) -> str:
    form = MachineForm(text, "M3", CustomerId(w.ids["uni"]), date(2025, 2, 1), date(2026, 2, 1))
    saved: list[MachineId] = []
    accepted = attempt(lambda: saved.append(w.services.machines.save(form, actor=w.actor("carolina.rojas")).id))
    if accepted:
        assert w.services.machines.page(saved[0]).detail.serial == normal_serial(text)
    return _outcome(accepted)


def _contract_invoice(w: World, text: str) -> str:
    form = ContractForm(
        CustomerId(w.ids["maker"]),
        "profesional",
        text,
        date(2026, 1, 1),
        date(2026, 12, 31),
        500_000,
        (),
    )
    saved: list[ContractId] = []
    accepted = attempt(lambda: saved.append(w.services.contracts.save(form, actor=w.actor("carolina.rojas")).id))
    if accepted:
        assert w.services.contracts.get_contract(saved[0]).invoice_number == clean_line(text)
    return _outcome(accepted)


def _revoke(w: World, text: str) -> str:
    """A certificate of EAFIT's contract revoked with the text as reason (and the text as a number)."""
    s = w.services
    carolina = w.actor("carolina.rojas")
    if not s.settings.keys_dir.joinpath("certificate-signing.key").exists():
        generate_keys(s.settings.keys_dir)
    number = s.certificates.issue(ContractId(w.ids["c_eafit"]), actor=carolina).number
    attempt(lambda: s.certificates.revoke(text, "Error de digitación.", actor=carolina))
    accepted = attempt(lambda: s.certificates.revoke(number, text, actor=carolina))
    if accepted:
        stored = next(c for c in s.certificates.for_contract(ContractId(w.ids["c_eafit"])) if c.number == number)
        assert stored.revoked_reason == _stored(text)
    return _outcome(accepted)


def _user(w: World, text: str, *, field: str) -> str:
    n = next(_counter)
    user = User(f"usuario{n}", f"Usuario {n}", f"usuario{n}@somosmaker.com", Role.AGENT, "Cali")
    user = replace(user, **{field: text})
    accepted = attempt(lambda: w.services.users.add_user(w.actor("admin"), user, "una clave larga 2026"))
    if accepted:
        # Found by its user name (unique), then the field compared: two users may well share an empty e-mail.
        username = clean_line(text) if field == "username" else user.username
        found = [u for u in w.services.users.users(w.actor("admin")) if u.username == username]
        assert len(found) == 1 and getattr(found[0], field) == clean_line(text), (field, text)
    return _outcome(accepted)


def _policy(w: World, text: str, *, field: str) -> str:
    s = w.services
    policy = s.policy.policy()
    note = text if field == "note" else "Ajuste"
    if field == "plan_name":
        policy = replace(policy, plans=(replace(policy.plans[0], name=text), *policy.plans[1:]))
    accepted = attempt(lambda: s.policy.save_policy(policy, actor=w.actor("admin"), note=note))
    if accepted:
        if field == "note":
            assert s.policy.history()[0].note == _stored(text)
        else:
            assert s.policy.reload().plans[0].name == clean_line(text)
    return _outcome(accepted)


# -- the catalogue and the company data ----------------------------------------------------------------


def _catalogue(w: World, text: str, *, field: str) -> str:
    """A new model with the text as its code, name or notes (a coordinator keeps the catalogue)."""
    n = next(_counter)
    form = replace(ModelForm(f"PRUEBA-{n}", f"Modelo de prueba {n}", Technology.FDM, 12, None, None), **{field: text})
    saved: list[CatalogueModel] = []
    accepted = attempt(lambda: saved.append(w.services.catalogue.save(form, actor=w.actor("carolina.rojas"))))
    if accepted:
        listed = [m for m in w.services.catalogue.models() if m.code == saved[0].code]
        assert len(listed) == 1, (field, text)
        if field == "code":
            assert listed[0].code == normal_model_code(clean_line(text))
        elif field == "name":
            assert listed[0].name == clean_line(text)
        else:
            assert listed[0].notes == _stored(text)
    return _outcome(accepted)


_COMPANY = CompanyProfile(
    "3D makeR Technologies SAS",
    "900123456-8",
    "Calle 77 # 65-37, Barranquilla",
    "+57 605 385 0000",
    "soporte@somosmaker.com",
    "somosmaker.com",
    "3D MAKER TECHNOLOGIES SAS",
    "SOPORTE TÉCNICO",
)


def _company(w: World, text: str, *, field: str) -> str:
    """The company data saved with the text in one field (an administrator)."""
    s, admin = w.services, w.actor("admin")
    version = s.company.page(admin).version
    profile = replace(_COMPANY, **{field: text})
    accepted = attempt(lambda: s.company.save(profile, actor=admin, expected_version=version))
    if accepted:
        stored = getattr(s.company.page(admin).profile, field)
        assert stored == (normalise_nit(clean_line(text)) if field == "tax_id" else clean_line(text)), (field, text)
    return _outcome(accepted)


# -- customers and contacts (issue 13) ------------------------------------------------------------------


def _new_nit() -> str:
    """A NIT no other probe used, with its right check digit."""
    return check_nit(str(860_000_000 + next(_counter))).suggestion


def _customer(w: World, text: str, *, field: str) -> str:
    """A new customer with the text in one field (a coordinator keeps the customers)."""
    form = replace(CustomerForm("Cliente de prueba", CustomerKind.COMPANY, _new_nit(), "Cali"), **{field: text})
    saved: list[CustomerId] = []
    customers = w.services.customers
    accepted = attempt(lambda: saved.append(customers.save(form, actor=w.actor("carolina.rojas")).customer.id))
    if accepted:
        stored = customers.get(saved[0]).customer
        if field == "notes":
            assert stored.notes == _stored(text)
        elif field == "tax_id":
            assert stored.tax_id == normalise_nit(clean_line(text))
        elif field == "city":
            place = customers.check_place(text).place
            assert place is not None and stored.city == place.name, (field, text)
        else:
            assert getattr(stored, field) == clean_line(text), (field, text)
    return _outcome(accepted)


def _customer_checks(w: World, text: str) -> str:
    """The form's inline checks and the list's search: an answer, never a traceback."""
    customers = w.services.customers
    assert customers.search(text).total >= 0
    assert customers.search(ABSENT + text).total == 0
    customers.nit_problem(text)
    customers.check_place(text, text)
    return "refused"


def _contact(w: World, text: str, *, field: str) -> str:
    """A contact of EAFIT's with the text in one field."""
    form = replace(ContactForm(CustomerId(w.ids["eafit"]), "Contacto de prueba"), **{field: text})
    accepted = attempt(lambda: w.services.customers.save_contact(form, actor=w.actor("carolina.rojas")))
    if accepted:
        contacts = w.services.customers.page(CustomerId(w.ids["eafit"])).contacts
        assert any(getattr(c.contact, field) == clean_line(text) for c in contacts), (field, text)
    return _outcome(accepted)


def _training(w: World, text: str, *, field: str) -> str:
    """A training of the school's with the text as its topic or trainer."""
    values = {"topic": "Operación básica", "trainer": "Diego Martínez", field: text}
    school = CustomerId(w.ids["school"])
    accepted = attempt(
        lambda: w.services.customers.add_training(
            school, date(2026, 11, 30), values["topic"], values["trainer"], actor=w.actor("carolina.rojas")
        )
    )
    if accepted:
        trainings = w.services.customers.page(school).trainings
        assert any(getattr(t.training, field) == clean_line(text) for t in trainings), (field, text)
    return _outcome(accepted)


def _place(w: World, text: str) -> str:
    """A municipality an administrator adds, named by the text."""
    accepted = attempt(lambda: w.services.customers.add_place(text, "Meta", actor=w.actor("admin")))
    if accepted:
        found = w.services.customers.check_place(text, "Meta").place
        assert found is not None and found.name == clean_line(text) and found.added, text
    return _outcome(accepted)


def _import(w: World, text: str, *, field: str) -> str:
    """A customers CSV, as a spreadsheet program saves it (UTF-8), with the text in the name or notes cell."""
    import csv

    cell = text.encode("utf-8", "replace").decode("utf-8")  # a file holds no lone surrogate
    nit = _new_nit()
    values = {"name": "Cliente importado", "notes": "", field: cell}
    path = w.services.settings.data_dir / f"importar-{next(_counter)}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(
            [["Razón social", "NIT", "Ciudad", "Notas"], [values["name"], nit, "Cali", values["notes"]]]
        )
    reports = []
    accepted = attempt(
        lambda: reports.append(
            w.services.imports.import_file(path, ImportKind.CUSTOMERS, actor=w.actor("carolina.rojas"))
        )
    ) and bool(reports[0].created)
    if accepted:
        customer = w.services.customers.get(w.services.machines.find_customer(nit)).customer
        assert getattr(customer, field) == clean_line(cell), (field, text)  # every cell is one line
    return _outcome(accepted)


def _discard_mail(w: World, text: str) -> str:
    """An unknown sender's mail discarded with the text as the reason (services/mail/unclassified.py)."""
    from email.message import EmailMessage

    from desktop_app.domain.permissions import SYSTEM
    from desktop_app.mail.reading import StdlibMailReader
    from desktop_app.services.mail.inbound import MailInbound
    from desktop_app.services.mail.unclassified import UnclassifiedMail

    s = w.services
    inbound = MailInbound(s.uow_factory, s.policy, w.clock, s.tickets._core.attachments, StdlibMailReader())
    mail = EmailMessage()
    mail["From"] = f"desconocido{next(_counter)}@otro.example"
    mail["Subject"] = "Publicidad"
    mail.set_content(f"Oferta número {next(_counter)}")
    inbox_id = inbound.import_mail(mail.as_bytes(), actor=SYSTEM).inbox_id
    assert inbox_id is not None
    unclassified = UnclassifiedMail(s.uow_factory, w.clock, inbound)
    accepted = attempt(lambda: unclassified.discard(inbox_id, text, actor=w.actor("laura")))
    if accepted:
        with s.uow_factory() as uow:
            stored = uow.mail_inbox.get(inbox_id)
        assert stored is not None and stored.discard_reason == _stored(text), text
    return _outcome(accepted)


def _reply(w: World, text: str, *, information: bool) -> str:
    """The agent's answer by mail (or a request for information): the comment on the timeline and
    the queued mail's text carry the text as the documented cleaning leaves it."""
    ticket_id = _ticket(w)
    tickets = w.services.tickets

    def call() -> object:
        if information:
            return tickets.request_information(ticket_id, text, actor=w.actor("laura"))
        return tickets.reply_to_customer(ticket_id, text, actor=w.actor("laura"))

    accepted = attempt(call)
    if accepted:
        assert _bodies(w, ticket_id, EventKind.COMMENT)[0] == _stored(text)
        mails = w.services.mail.ticket_mails(ticket_id)
        assert _stored(text) in mails[-1].text, text
    return _outcome(accepted)


def _mail_template(w: World, text: str, *, field: str) -> str:
    """An administrator's edit of the reply template: the subject is one line, the body a text."""
    mail = w.services.mail
    subject, body = (text, "{message}") if field == "subject" else ("Respuesta: {summary}", text)
    accepted = attempt(lambda: mail.save_template("reply", subject, body, actor=w.actor("admin")))
    if accepted:
        stored = next(info for info in mail.templates() if info.code == "reply")
        if field == "subject":
            assert stored.subject == clean_line(text).strip(), text
        else:
            assert stored.body.strip("\n") == clean_text(text).replace("\r\n", "\n").strip("\n"), text
    return _outcome(accepted)


def _mail_settings(w: World, text: str, *, field: str) -> str:
    """The mail settings' free texts: the sender's name (any one line) and the SMTP host (a name)."""
    mail = w.services.mail
    current = mail.settings()
    if field == "sender_name":
        changed = replace(current, sender_name=text)
    else:
        changed = replace(current, smtp=replace(current.smtp, host=text))
    accepted = attempt(lambda: mail.save_settings(changed, actor=w.actor("admin")))
    if accepted:
        saved = mail.settings()
        if field == "sender_name":
            assert saved.sender_name == clean_line(text).strip(), text
        else:
            assert saved.smtp.host == clean_line(text).strip().lower(), text
    return _outcome(accepted)


PROBES: tuple[Probe, ...] = (
    Probe("intake: description and file name", _intake),
    Probe("comment", _comment),
    Probe("edit_ticket: description", _edit),
    Probe("wait: reason", _wait),
    Probe("contact attempt: note", _contact_attempt),
    Probe("close: solution", _close_solved),
    Probe("close for someone: reason", _closing_for),
    Probe("out of scope: reason", _out_of_scope),
    Probe("reopen: note", _reopen),
    Probe("escalate: note", _escalate),
    Probe("visit: work done", lambda w, t: _visit(w, t, field="work_done")),
    Probe("visit: parts", lambda w, t: _visit(w, t, field="parts")),
    Probe("visit: city", lambda w, t: _visit(w, t, field="city")),
    Probe("searches: queue, machines, contracts, audit", _searches),
    Probe("look-ups: ticket, customer, contract, scan", _finders),
    Probe("machine: serial", _machine_serial),
    Probe("contract: invoice number", _contract_invoice),
    Probe("certificate: revoke reason and number", _revoke),
    Probe("user: user name", lambda w, t: _user(w, t, field="username")),
    Probe("user: full name", lambda w, t: _user(w, t, field="full_name")),
    Probe("user: e-mail", lambda w, t: _user(w, t, field="email")),
    Probe("policy: note", lambda w, t: _policy(w, t, field="note")),
    Probe("policy: plan name", lambda w, t: _policy(w, t, field="plan_name")),
    Probe("catalogue: model code", lambda w, t: _catalogue(w, t, field="code")),
    Probe("catalogue: model name", lambda w, t: _catalogue(w, t, field="name")),
    Probe("catalogue: model notes", lambda w, t: _catalogue(w, t, field="notes")),
    *(Probe(f"company: {name}", lambda w, t, name=name: _company(w, t, field=name)) for name in COMPANY_FIELDS),
    *(
        Probe(f"customer: {name}", lambda w, t, name=name: _customer(w, t, field=name))
        for name in ("name", "tax_id", "city", "address", "email", "phone", "notes")
    ),
    Probe("customers: search, NIT and city checks", _customer_checks),
    *(
        Probe(f"contact: {name}", lambda w, t, name=name: _contact(w, t, field=name))
        for name in ("name", "role", "email", "phone")
    ),
    Probe("training: topic", lambda w, t: _training(w, t, field="topic")),
    Probe("training: trainer", lambda w, t: _training(w, t, field="trainer")),
    Probe("place: municipality added", _place),
    Probe("import: customer name from a CSV", lambda w, t: _import(w, t, field="name")),
    Probe("import: customer notes from a CSV", lambda w, t: _import(w, t, field="notes")),
    Probe("mail: discard reason", _discard_mail),
    Probe("mail: reply to the customer", lambda w, t: _reply(w, t, information=False)),
    Probe("mail: request for information", lambda w, t: _reply(w, t, information=True)),
    Probe("mail: template subject", lambda w, t: _mail_template(w, t, field="subject")),
    Probe("mail: template text", lambda w, t: _mail_template(w, t, field="body")),
    Probe("mail: sender name", lambda w, t: _mail_settings(w, t, field="sender_name")),
    Probe("mail: SMTP server", lambda w, t: _mail_settings(w, t, field="host")),
)
