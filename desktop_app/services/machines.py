"""Machines: finding one (by search or by its QR label), what its owner is entitled to, its history,
and keeping the registry right. Every new ticket starts from a machine (R1, R2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, tzinfo

from desktop_app.domain.audit import AuditEntry, as_text, diff
from desktop_app.domain.catalogue import warranty_end
from desktop_app.domain.eligibility import Eligibility
from desktop_app.domain.ids import CustomerId, MachineId, ModelCode, TicketId, parse_id
from desktop_app.domain.machines import MachineError, check_machine, normal_serial
from desktop_app.domain.model import Machine, TicketStatus
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.domain.qr import ForeignCode, label_payload, read_label
from desktop_app.errors import NotFoundError, PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.dto import (
    Choice,
    ContractSummary,
    MachineDetail,
    MachineSummary,
    MachineTicketLine,
    VisitInfo,
)
from desktop_app.services.entitlement import machine_eligibility, visit_info
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, LabelRenderer, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line, clean_search
from desktop_app.wording import foreign_code_text, machine_problems_text

SEARCH_LIMIT = 50
AUDITED_MACHINE_FIELDS = (
    "serial",
    "model_code",
    "customer_id",
    "purchase_date",
    "warranty_end",
    "unauthorized_intervention",
    "last_preventive_maintenance",
)


@dataclass(frozen=True)
class MachineForm:
    """A machine as typed in the registry; id None registers a new one."""

    serial: str
    model_code: str
    customer_id: CustomerId
    purchase_date: date
    warranty_end: date | None  # None: the model's warranty months from the purchase (the catalogue)
    unauthorized_intervention: bool = False
    last_preventive_maintenance: date | None = None
    id: MachineId | None = None


@dataclass(frozen=True)
class MachinePage:
    """Everything about one machine: the record, its coverage, tickets, visits and contracts."""

    detail: MachineDetail
    eligibility: Eligibility
    plan_name: str
    tickets: tuple[MachineTicketLine, ...]
    visits: tuple[VisitInfo, ...]  # newest first: its maintenance history
    contracts: tuple[ContractSummary, ...]


@dataclass(frozen=True)
class ScanResolution:
    """What a scanned text names: a registered machine, or why not (a sentence for the person)."""

    text: str
    machine_id: MachineId | None
    serial: str | None
    message: str


@dataclass(frozen=True)
class MachineLookup:
    """What intake shows before anything is typed: the machine, its owner's coverage, and the
    tickets already open for it (so a second ticket for the same fault is not opened by mistake)."""

    machine: MachineSummary
    eligibility: Eligibility
    plan_name: str
    open_tickets: tuple[tuple[TicketId, str, TicketStatus], ...]


class MachineService:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, policy: PolicyService, clock: Clock, labels: LabelRenderer
    ) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock
        self._labels = labels

    def timezone(self) -> tzinfo:
        return self._policy.calendar().tz

    def today(self) -> date:
        """The desk's date (America/Bogota), e.g. to mark a model past its end of life (R5)."""
        return self._today()

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[MachineSummary]:
        """Machines matching every word of text in serial, model, customer, tax id or city."""
        with self._uow_factory() as uow:
            return uow.queries.machines.search(clean_search(text), limit)

    def lookup(self, machine_id: MachineId) -> MachineLookup:
        today = self._today()
        policy = self._policy.policy()
        with self._uow_factory() as uow:
            machine = uow.queries.machines.summary(machine_id)
            if machine is None:
                raise NotFoundError(_("Machine {id} does not exist.").format(id=machine_id))
            eligibility = machine_eligibility(uow, machine_id, policy, today)
            open_tickets = tuple(uow.queries.machines.open_tickets(machine_id))
        return MachineLookup(machine, eligibility, self._plan_name(eligibility), open_tickets)

    def page(self, machine_id: MachineId) -> MachinePage:
        today = self._today()
        policy = self._policy.policy()
        with self._uow_factory() as uow:
            detail = uow.queries.machines.detail(machine_id)
            if detail is None:
                raise NotFoundError(_("Machine {id} does not exist.").format(id=machine_id))
            eligibility = machine_eligibility(uow, machine_id, policy, today)
            tickets = tuple(uow.queries.machines.tickets(machine_id))
            visits = tuple(
                visit_info(visit, name, policy.max_maintenance_hours)
                for visit, name in uow.queries.machines.visits(machine_id)
            )
            contracts = tuple(
                summary
                for contract in uow.contracts.covering(machine_id)
                if contract.id is not None and (summary := uow.queries.contracts.get_summary(contract.id)) is not None
            )
        contracts = tuple(sorted(contracts, key=lambda c: c.valid_to, reverse=True))
        return MachinePage(detail, eligibility, self._plan_name(eligibility), tickets, visits, contracts)

    def resolve_scan(self, text: str) -> ScanResolution:
        """A scanned QR text (R2) to the machine it names; never raises for a foreign code."""
        label = read_label(text)
        if isinstance(label, ForeignCode):
            return ScanResolution(text, None, None, foreign_code_text(label))
        with self._uow_factory() as uow:
            machine_id = uow.catalog.machine_id_by_serial(label.serial)
        if machine_id is None:
            message = _("The label is for machine {serial}, which is not registered here.").format(serial=label.serial)
            return ScanResolution(text, None, label.serial, message)
        return ScanResolution(text, machine_id, label.serial, "")

    # -- labels (R2) ------------------------------------------------------------------------------

    def labels_pdf(
        self, *, customer_id: CustomerId | None = None, serials: Sequence[str] = (), sheet: str = "a4-21"
    ) -> tuple[bytes, int]:
        """(the PDF, how many labels) for a customer's machines or the given serials.

        Raises:
            UserFacingError: nothing chosen, a serial that is not registered, no machines to print.
        """
        wanted = [normal_serial(s) for s in serials if s.strip()]
        if customer_id is None and not wanted:
            raise UserFacingError(_("Choose a customer or the serials of the machines to label."))
        with self._uow_factory() as uow:
            labels = uow.queries.machines.labels(customer_id, wanted)
        missing = sorted(set(wanted) - {label.serial for label in labels})
        if missing:
            raise UserFacingError(_("Not registered: {serials}.").format(serials=", ".join(missing)))
        if not labels:
            raise UserFacingError(_("This customer has no machines registered."))
        return self._labels.render(labels, sheet), len(labels)

    def find_customer(self, text: str) -> CustomerId:
        """A customer by database id or by NIT. Raises NotFoundError naming what was looked for."""
        text = clean_line(text)  # a lone surrogate or a NUL cannot be in a NIT, nor reach the database
        with self._uow_factory() as uow:
            number = parse_id(text)
            if number is not None and uow.catalog.get_customer(CustomerId(number)) is not None:
                return CustomerId(number)
            found = uow.catalog.customer_id_by_tax_id(text)
        if found is None:
            raise NotFoundError(_("There is no customer with id or NIT {text}.").format(text=text))
        return found

    # -- the registry ------------------------------------------------------------------------------

    def choices(self) -> tuple[list[Choice], list[Choice]]:
        """(customers, models) for the machine form."""
        with self._uow_factory() as uow:
            return uow.queries.directory.customer_choices(), uow.queries.directory.model_choices()

    def warranty_months(self) -> dict[str, int]:
        """Each model's warranty in months (the catalogue), for the machine form's default."""
        with self._uow_factory() as uow:
            return {model.code: model.warranty_months for model, _version, _count in uow.products.models()}

    @staticmethod
    def default_warranty_end(purchase_date: date, warranty_months: int) -> date:
        """A new machine's warranty end: its model's months from the purchase."""
        return warranty_end(purchase_date, warranty_months)

    def save(self, form: MachineForm, *, actor: Actor, expected_version: int | None = None) -> MachineDetail:
        """Register a machine or correct one (R18: audited, with its values before and after).

        Raises:
            UserFacingError: every problem of the form at once; a serial already registered.
            ConflictError: someone changed the machine since expected_version; nothing saved.
        """
        if not allows(actor, Permission.MANAGE_MACHINES):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        serial = normal_serial(form.serial)
        if form.warranty_end is None:
            with self._uow_factory() as uow:
                model = uow.catalog.get_model(form.model_code)
            if model is None:
                raise UserFacingError(_("Choose the customer and the model from the lists."))
            form = replace(form, warranty_end=warranty_end(form.purchase_date, model.warranty_months))
        assert form.warranty_end is not None
        try:
            check_machine(
                serial=serial,
                purchase_date=form.purchase_date,
                warranty_end=form.warranty_end,
                last_maintenance=form.last_preventive_maintenance,
                today=self._today(),
            )
        except MachineError as exc:
            raise UserFacingError(machine_problems_text(exc.problems)) from exc
        now = self._clock.now()
        with self._uow_factory() as uow:
            same_serial = uow.catalog.machine_id_by_serial(serial)
            if same_serial is not None and same_serial != form.id:
                raise UserFacingError(_("Serial {serial} is already registered.").format(serial=serial))
            if uow.catalog.get_customer(form.customer_id) is None or uow.catalog.get_model(form.model_code) is None:
                raise UserFacingError(_("Choose the customer and the model from the lists."))
            machine = Machine(
                serial,
                label_payload(serial),
                ModelCode(form.model_code),
                form.customer_id,
                form.purchase_date,
                form.warranty_end,
                form.unauthorized_intervention,
                form.last_preventive_maintenance,
                form.id,
            )
            if form.id is None:
                machine = uow.catalog.add_machine(machine)
                assert machine.id is not None
                before = None
            else:
                before = uow.catalog.get_machine(form.id)
                if before is None:
                    raise NotFoundError(_("Machine {id} does not exist.").format(id=form.id))
                seen = uow.queries.machines.detail(form.id)
                assert seen is not None
                uow.catalog.update_machine(machine, expected_version if expected_version is not None else seen.version)
            changes = (
                diff(before, machine, AUDITED_MACHINE_FIELDS)
                if before
                else {name: ("", as_text(getattr(machine, name))) for name in AUDITED_MACHINE_FIELDS}
            )
            action = "update" if before else "create"
            if changes:
                uow.audit.record(AuditEntry(now, actor.user_id, "machine", str(machine.id), action, changes))
            uow.commit()
            machine_id = machine.id
        assert machine_id is not None
        return self.page(machine_id).detail

    # -- internals ---------------------------------------------------------------------------------

    def _today(self) -> date:
        return self._clock.now().astimezone(self._policy.calendar().tz).date()

    def _plan_name(self, eligibility: Eligibility) -> str:
        if eligibility.plan_code is None:
            return ""
        plans = self._policy.policy().plans
        return next((p.name for p in plans if p.code == eligibility.plan_code), eligibility.plan_code)
