"""The product catalogue (R5's end of life, warranty months, maintenance interval) and the company
data (printed on certificates and statements), through the real services on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from desktop_app.domain.company import CompanyProfile
from desktop_app.domain.eligibility import Condition, Coverage, Refusal
from desktop_app.domain.ids import ContractId, CustomerId, MachineId, UserId
from desktop_app.domain.model import Channel, Severity, Technology
from desktop_app.errors import ConflictError, PermissionDeniedError, PolicyRefusal, UserFacingError
from desktop_app.services.catalogue import CatalogueModel, ModelForm
from desktop_app.services.contracts import ContractForm
from desktop_app.services.machines import MachineForm
from desktop_app.services.tickets import IntakeRequest, TicketChanges
from desktop_app.signing import generate_keys
from tests.integration.world import PHOTO, World

pytestmark = pytest.mark.usefixtures("english_ui")

COMPANY = CompanyProfile(
    legal_name="3D makeR Technologies SAS",
    tax_id="900.123.456-8",
    address="Calle 77 # 65-37, Barranquilla",
    phone="+57 605 385 0000",
    support_email="soporte@somosmaker.com",
    website="somosmaker.com",
    seal_ring_text="3D MAKER TECHNOLOGIES SAS",
    seal_centre_text="SOPORTE TÉCNICO",
)


def _model(w: World, code: str) -> CatalogueModel:
    return next(m for m in w.services.catalogue.models() if m.code == code)


def _form(model: CatalogueModel, **changes: object) -> ModelForm:
    form = ModelForm(
        model.code,
        model.name,
        model.technology,
        model.warranty_months,
        model.maintenance_interval_days,
        model.end_of_life,
        model.notes,
        model.version,
    )
    return replace(form, **changes)  # type: ignore[arg-type]


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


# -- R5: the end of life -------------------------------------------------------------------------------


def test_R5_an_end_of_life_set_in_the_catalogue_blocks_intake_of_the_models_machines(world: World) -> None:
    s, carolina = world.services, world.actor("carolina.rojas")
    machine = MachineId(world.ids["uni_m3"])  # covered by a plan until mid 2027
    assert s.machines.lookup(machine).eligibility.allowed
    s.catalogue.save(_form(_model(world, "M3"), end_of_life=date(2026, 11, 30)), actor=carolina)

    lookup = s.machines.lookup(machine)
    assert lookup.eligibility.refusal is Refusal.DISCONTINUED
    assert lookup.eligibility.discontinued_from == date(2026, 11, 30)
    request = IntakeRequest(
        machine, "No extruye desde esta mañana, la boquilla no calienta.", Severity.HIGH, Channel.EMAIL, None, (PHOTO,)
    )
    with pytest.raises(PolicyRefusal, match="discontinued since 30"):
        s.tickets.create_ticket(request, actor=world.actor("laura"))


def test_R5_an_end_of_life_still_to_come_keeps_support_and_is_not_yet_discontinued(world: World) -> None:
    s = world.services
    s.catalogue.save(_form(_model(world, "M3"), end_of_life=date(2027, 1, 1)), actor=world.actor("admin"))
    assert s.machines.lookup(MachineId(world.ids["uni_m3"])).eligibility.allowed
    model = _model(world, "M3")
    assert model.end_of_life == date(2027, 1, 1) and not model.discontinued
    assert _model(world, "M2").discontinued  # the world's M2 ended in 2023


def test_R5_the_machine_page_search_ticket_and_contract_carry_the_models_end_of_life(world: World) -> None:
    s = world.services
    machine = MachineId(world.ids["uni_m3"])
    request = IntakeRequest(
        machine, "No extruye desde esta mañana, la boquilla no calienta.", Severity.HIGH, Channel.EMAIL, None, (PHOTO,)
    )
    ticket = s.tickets.create_ticket(request, actor=world.actor("laura")).id  # taken before the end of life was set
    s.catalogue.save(_form(_model(world, "M3"), end_of_life=date(2026, 11, 30)), actor=world.actor("admin"))
    assert s.tickets.get_ticket(ticket).model_end_of_life == date(2026, 11, 30)
    assert s.machines.page(machine).detail.model_end_of_life == date(2026, 11, 30)
    found = [m for m in s.machines.search("MK-M3-UNI_M3") if m.id == machine]
    assert found and found[0].model_end_of_life == date(2026, 11, 30)
    contract = s.contracts.get_contract(ContractId(world.ids["c_uni"]))
    assert [m.model_end_of_life for m in contract.machines] == [date(2026, 11, 30)]
    # The model kept its name; the mark is made where it is shown (wording.model_with_end_of_life).
    from desktop_app.wording import model_with_end_of_life

    today = s.catalogue.today()
    assert model_with_end_of_life("makeR M3", date(2026, 11, 30), today) == "makeR M3 · end of life since 30 Nov 2026"
    assert model_with_end_of_life("makeR M3", date(2027, 1, 1), today) == "makeR M3"


def test_R5_only_a_special_contract_covers_a_model_the_catalogue_ended(world: World) -> None:
    s = world.services
    machine = MachineId(world.ids["eafit_r1"])  # under an ordinary Premium contract
    s.catalogue.save(_form(_model(world, "R1"), end_of_life=date(2026, 6, 1)), actor=world.actor("admin"))
    assert s.machines.lookup(machine).eligibility.refusal is Refusal.DISCONTINUED
    special = ContractForm(
        CustomerId(world.ids["eafit"]),
        "basico",
        "FE-ESP-1",
        date(2026, 11, 1),
        date(2027, 10, 31),
        900_000,
        (machine,),
        True,
    )
    s.contracts.save(special, actor=world.actor("carolina.rojas"), confirm_overlap=True)
    eligibility = s.machines.lookup(machine).eligibility
    assert eligibility.allowed and eligibility.coverage is Coverage.SPECIAL_CONTRACT


# -- the catalogue ---------------------------------------------------------------------------------


def test_a_coordinator_adds_a_model_and_the_catalogue_lists_it(world: World) -> None:
    s = world.services
    form = ModelForm(" xl-500 ", "makeR XL 500", Technology.FDM, 18, 180, None, "Cama de 500 mm.\nBoquilla 0,6.")
    saved = s.catalogue.save(form, actor=world.actor("carolina.rojas"))
    assert saved.code == "XL-500"  # upper case, no blanks
    assert (saved.name, saved.warranty_months, saved.maintenance_interval_days) == ("makeR XL 500", 18, 180)
    assert saved.notes == "Cama de 500 mm.\nBoquilla 0,6." and saved.machines == 0 and not saved.discontinued
    assert [m.code for m in s.catalogue.models()] == ["M2", "M3", "R1", "XL-500"]  # by name
    assert _model(world, "M3").machines == 3


def test_every_problem_of_a_model_form_is_named_at_once_and_nothing_is_written(world: World) -> None:
    s = world.services
    form = ModelForm("M 3!", "", Technology.RESIN, 0, 0, None, "x" * 2001)
    with pytest.raises(UserFacingError) as refused:
        s.catalogue.save(form, actor=world.actor("admin"))
    message = refused.value.message
    for words in ("Code: only letters", "Name: write", "Warranty: from 1 to 240", "every 1 to 3650", "Notes: at most"):
        assert words in message
    too_long = ModelForm("X" * 41, "n" * 121, Technology.FDM, 12, None, None)
    with pytest.raises(UserFacingError, match=r"(?s)Code: at most 40.*Name: at most 120"):
        s.catalogue.save(too_long, actor=world.actor("admin"))
    assert len(s.catalogue.models()) == 3


def test_a_models_code_is_unique_whatever_its_case(world: World) -> None:
    form = ModelForm("m3", "Otra M3", Technology.FDM, 12, None, None)
    with pytest.raises(UserFacingError, match="M3 is already the code of another model"):
        world.services.catalogue.save(form, actor=world.actor("admin"))
    assert _model(world, "M3").name == "makeR M3"


def test_agents_and_technicians_read_the_catalogue_but_cannot_change_it(world: World) -> None:
    s = world.services
    form = _form(_model(world, "M3"), name="Cambiado")
    for user in ("laura", "diego"):
        assert not s.catalogue.may_edit(world.actor(user))
        with pytest.raises(PermissionDeniedError):
            s.catalogue.save(form, actor=world.actor(user))
    assert _model(world, "M3").name == "makeR M3"


def test_a_stale_model_form_is_refused_and_the_other_change_kept(world: World) -> None:
    s = world.services
    seen = _model(world, "M3")
    s.catalogue.save(_form(seen, name="makeR M3 Plus"), actor=world.actor("admin"))
    with pytest.raises(ConflictError):
        s.catalogue.save(_form(seen, warranty_months=24), actor=world.actor("carolina.rojas"))
    assert (_model(world, "M3").name, _model(world, "M3").warranty_months) == ("makeR M3 Plus", 12)


def test_R18_each_model_change_is_audited_field_by_field_with_labels(world: World) -> None:
    s, admin = world.services, world.actor("admin")
    coordinator = world.actor("carolina.rojas")
    s.catalogue.save(_form(_model(world, "M3"), end_of_life=date(2027, 6, 30), warranty_months=24), actor=coordinator)
    entries = s.audit.search(admin, entity="product_model")
    assert entries[0].entity_id == "M3" and entries[0].action == "update" and entries[0].actor_name == "Carolina Rojas"
    fields = {f.label: (f.before, f.after) for f in entries[0].fields}
    assert fields == {"End of life": ("", "30 Jun 2027"), "Warranty (months)": ("12", "24")}
    s.catalogue.save(ModelForm("P2", "makeR Pro 2", Technology.RESIN, 6, None, None), actor=admin)
    created = s.audit.search(admin, entity="product_model")[0]
    assert created.action == "create" and dict((f.field, f.after) for f in created.fields)["technology"] == "Resin"


# -- warranty and maintenance from the model -----------------------------------------------------------


def test_a_new_machines_warranty_is_its_models_months_from_the_purchase(world: World) -> None:
    s = world.services
    s.catalogue.save(_form(_model(world, "R1"), warranty_months=18), actor=world.actor("admin"))
    form = MachineForm("MK-R1-260001", "R1", CustomerId(world.ids["uni"]), date(2026, 3, 15), None)
    detail = s.machines.save(form, actor=world.actor("carolina.rojas"))
    assert detail.warranty_end == date(2027, 9, 14)  # 18 months, the day before
    assert s.machines.warranty_months()["R1"] == 18
    assert s.machines.default_warranty_end(date(2026, 1, 31), 1) == date(2026, 2, 27)


def test_R3_a_models_own_maintenance_interval_decides_whether_maintenance_is_done(world: World) -> None:
    """A Maker Space M3 bought in January (no plan, in warranty, last maintenance 1 June 2026) is
    free support under the policy's 365 days; its model's own 90 days make the maintenance overdue."""
    s = world.services
    form = MachineForm(
        "MK-M3-260105", "M3", CustomerId(world.ids["maker"]), date(2026, 1, 5), None, False, date(2026, 6, 1)
    )
    machine = s.machines.save(form, actor=world.actor("admin")).id
    assert s.machines.lookup(machine).eligibility.coverage is Coverage.FREE_SUPPORT
    s.catalogue.save(_form(_model(world, "M3"), maintenance_interval_days=90), actor=world.actor("admin"))
    eligibility = s.machines.lookup(machine).eligibility
    assert eligibility.refusal is Refusal.NOT_ELIGIBLE
    assert eligibility.failed_conditions == (Condition.MAINTENANCE_DONE,)


# -- company data ----------------------------------------------------------------------------------


def test_a_new_installation_shows_and_prints_the_shipped_company_data(world: World) -> None:
    s = world.services
    page = s.company.page(world.actor("admin"))
    assert not page.saved and page.profile.legal_name == "3D makeR Technologies SAS" and page.editable
    assert not s.company.is_saved()
    assert not s.company.page(world.actor("carolina.rojas")).editable


def test_a_wrong_nit_check_digit_is_refused_naming_the_right_digit(world: World) -> None:
    s = world.services
    with pytest.raises(UserFacingError, match="check digit of NIT 900123456-3 should be 8, not 3"):
        s.company.save(replace(COMPANY, tax_id="900123456-3"), actor=world.actor("admin"), expected_version=None)
    with pytest.raises(UserFacingError) as refused:
        s.company.save(
            replace(COMPANY, tax_id="", legal_name=" ", support_email="soporte"),
            actor=world.actor("admin"),
            expected_version=None,
        )
    assert "Type the NIT" in refused.value.message and "Legal name: it cannot be empty" in refused.value.message
    assert "Support e-mail: write an e-mail" in refused.value.message
    assert not s.company.is_saved()


def test_an_administrator_saves_the_company_data_audited_and_only_an_administrator(world: World) -> None:
    s, admin = world.services, world.actor("admin")
    with pytest.raises(PermissionDeniedError):
        s.company.save(COMPANY, actor=world.actor("carolina.rojas"), expected_version=None)
    page = s.company.save(COMPANY, actor=admin, expected_version=None)
    assert page.saved and page.profile.tax_id == "900123456-8"  # the one stored form
    assert page.updated_by_name == "Administración"
    again = s.company.save(replace(page.profile, phone="+57 300 000 0000"), actor=admin, expected_version=page.version)
    with pytest.raises(ConflictError):
        s.company.save(replace(page.profile, address="Otra"), actor=admin, expected_version=page.version)
    entries = s.audit.search(admin, entity="company")
    assert [e.action for e in entries] == ["update", "create"]
    assert {f.label: (f.before, f.after) for f in entries[0].fields} == {
        "Phone": ("+57 605 385 0000", "+57 300 000 0000")
    }
    assert again.profile.phone == "+57 300 000 0000"


def test_a_certificate_prints_the_company_nit_saved_in_settings(world: World, tmp_path: Path) -> None:
    s, admin = world.services, world.actor("admin")
    generate_keys(s.settings.keys_dir)
    s.company.save(COMPANY, actor=admin, expected_version=None)
    first = _pdf_text(s.certificates.issue(ContractId(world.ids["c_uni"]), actor=admin).pdf, tmp_path)
    assert "NIT 900123456-8" in first and "Calle 77 # 65-37" in first
    page = s.company.page(admin)
    s.company.save(replace(page.profile, tax_id="901234567-7"), actor=admin, expected_version=page.version)
    issued = s.certificates.issue(ContractId(world.ids["c_eafit"]), actor=admin)
    words = _pdf_text(issued.pdf, tmp_path)
    assert "NIT 901234567-7" in words and "900123456-8" not in words
    assert "NIT 901234567-7" in _pdf_text(s.certificates.reprint(issued.number, actor=admin), tmp_path)


def test_the_signing_key_is_shown_with_its_fingerprint(world: World) -> None:
    s = world.services
    assert not s.company.signing_key().can_issue and s.company.signing_key().fingerprint == ""
    generate_keys(s.settings.keys_dir)
    key = s.company.signing_key()
    assert key.can_issue and len(key.public_key_hex) == 64
    assert len(key.fingerprint.split(" ")) == 16 and all(len(group) == 4 for group in key.fingerprint.split(" "))
    issued = s.certificates.issue(ContractId(world.ids["c_uni"]), actor=world.actor("admin"))
    stored = s.certificates.for_contract(ContractId(world.ids["c_uni"]))
    assert [c.key_id for c in stored if c.number == issued.number] == [key.key_id]


def test_a_billing_statement_is_headed_with_the_company_data(world: World, tmp_path: Path) -> None:
    s, admin = world.services, world.actor("admin")
    request = IntakeRequest(
        MachineId(world.ids["eafit_r1"]),
        "La impresora de resina no cura las capas inferiores desde ayer.",
        Severity.HIGH,
        Channel.EMAIL,
        UserId(world.ids["laura"]),
        (PHOTO,),
    )
    ticket = s.tickets.create_ticket(request, actor=world.actor("laura")).id
    for hours in (8, 8, 5):  # 21 h against Premium's 20 included: one extra hour to bill
        work = TicketChanges(comment="Asesoría remota de calibración.", minutes_spent=hours * 60)
        s.tickets.update_ticket(ticket, work, actor=world.actor("laura"))
    s.company.save(COMPANY, actor=admin, expected_version=None)
    words = _pdf_text(s.billing.customer_pdf(CustomerId(world.ids["eafit"])), tmp_path)
    assert "3D makeR Technologies SAS" in words
    assert "NIT 900123456-8" in words and "Calle 77 # 65-37, Barranquilla" in words
