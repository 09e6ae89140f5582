"""R6/R15: recording, correcting and renewing plan contracts, with every bad field named."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from desktop_app.domain.ids import ContractId, CustomerId, MachineId
from desktop_app.domain.model import ContractState
from desktop_app.errors import ConflictError, PermissionDeniedError, UserFacingError
from desktop_app.services.contracts import ContractForm, OverlapWarning
from tests.integration.world import World, bogota

pytestmark = pytest.mark.usefixtures("english_ui")


def _form(w: World, **changes: object) -> ContractForm:
    fields: dict[str, object] = {
        "customer_id": CustomerId(w.ids["maker"]),
        "plan_code": "premium",
        "invoice_number": "FE-10234",
        "valid_from": date(2026, 12, 1),
        "valid_to": date(2027, 11, 30),
        "price_before_iva": 4_800_000,
        "machine_ids": (MachineId(w.ids["maker_m3"]),),
    }
    fields.update(changes)
    return ContractForm(**fields)  # type: ignore[arg-type]


def test_r6_a_new_contract_is_recorded_and_covers_its_machines(world: World) -> None:
    contracts = world.services.contracts
    saved = contracts.save(_form(world, valid_from=date(2026, 12, 15)), actor=world.actor("carolina.rojas"))
    assert saved.invoice_number == "FE-10234" and [m.serial for m in saved.machines] == ["MK-M3-MAKER_M3"]
    assert contracts.state_of(saved) is ContractState.UPCOMING
    world.clock.set(bogota(2026, 12, 15, 9, 0))
    eligibility = world.services.tickets.eligibility(MachineId(world.ids["maker_m3"]))
    assert eligibility.plan_code == "premium"  # the machine out of warranty is covered again
    history = world.services.audit.history_of(world.actor("admin"), "contract", int(saved.id))
    assert [e.action for e in history] == ["create"]


def test_r6_every_bad_field_is_named_and_nothing_is_saved(world: World) -> None:
    contracts = world.services.contracts
    before = len(contracts.list_contracts())
    bad = _form(world, invoice_number="FE-c_uni", valid_to=date(2026, 1, 1), price_before_iva=-1)
    with pytest.raises(UserFacingError) as refused:
        contracts.save(bad, actor=world.actor("carolina.rojas"))
    message = str(refused.value)
    assert "FE-c_uni is already used" in message and "cannot end before it starts" in message
    assert "cannot be negative" in message
    with pytest.raises(UserFacingError, match="write the invoice number"):
        contracts.save(_form(world, invoice_number="  "), actor=world.actor("carolina.rojas"))
    with pytest.raises(UserFacingError, match="its own customer"):
        contracts.save(_form(world, machine_ids=(MachineId(world.ids["uni_m3"]),)), actor=world.actor("admin"))
    with pytest.raises(PermissionDeniedError):
        contracts.save(_form(world), actor=world.actor("laura"))
    assert len(contracts.list_contracts()) == before


def test_r6_an_overlapping_contract_for_the_same_machine_is_warned_then_saved_if_confirmed(world: World) -> None:
    contracts = world.services.contracts
    uni = _form(
        world, customer_id=CustomerId(world.ids["uni"]), machine_ids=(MachineId(world.ids["uni_m3"]),),
        valid_from=date(2027, 1, 1), valid_to=date(2027, 12, 31),
    )  # fmt: skip
    with pytest.raises(OverlapWarning, match="FE-c_uni"):
        contracts.save(uni, actor=world.actor("carolina.rojas"))
    saved = contracts.save(uni, actor=world.actor("carolina.rojas"), confirm_overlap=True)
    assert saved.invoice_number == "FE-10234"


def test_r6_a_renewal_is_a_new_contract_and_the_old_one_is_kept(world: World) -> None:
    contracts = world.services.contracts
    old = ContractId(world.ids["c_eafit"])
    form = contracts.renewal_form(old)
    assert (form.valid_from, form.valid_to) == (date(2027, 7, 1), date(2028, 12, 31))  # 18 months again
    renewed = contracts.save(replace(form, invoice_number="FE-20001"), actor=world.actor("carolina.rojas"))
    assert renewed.renews_id == old and renewed.id != old
    assert contracts.get_contract(old).invoice_number == "FE-c_eafit"  # history kept
    history = world.services.audit.history_of(world.actor("admin"), "contract", int(renewed.id))
    assert [e.action for e in history] == ["renew"]


def test_r6_a_correction_checks_the_version_and_is_audited(world: World) -> None:
    contracts = world.services.contracts
    current = contracts.get_contract(ContractId(world.ids["c_school"]))
    form = ContractForm(
        current.customer_id, current.plan_code, current.invoice_number, current.valid_from, date(2027, 12, 31),
        current.price_before_iva, tuple(m.id for m in current.machines), current.special, current.id,
    )  # fmt: skip
    corrected = contracts.save(form, actor=world.actor("carolina.rojas"), expected_version=current.version)
    assert corrected.valid_to == date(2027, 12, 31) and corrected.version == current.version + 1
    with pytest.raises(ConflictError):
        contracts.save(form, actor=world.actor("carolina.rojas"), expected_version=current.version)
    history = world.services.audit.history_of(world.actor("admin"), "contract", int(current.id))
    assert history[0].action == "update" and "valid_to" in history[0].changes
