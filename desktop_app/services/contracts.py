"""Plan contracts: the list the contract view shows, and one contract in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from desktop_app.domain.audit import AuditEntry, as_text, diff
from desktop_app.domain.contracts import ContractError, check_contract, overlapping, renewal_period
from desktop_app.domain.ids import ContractId, CustomerId, MachineId, PlanCode, parse_id
from desktop_app.domain.model import Contract, ContractState, contract_state
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.domain.policy import PlanTerms
from desktop_app.errors import NotFoundError, PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.dto import Choice, ContractSummary, MachineSummary
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line, clean_search
from desktop_app.wording import contract_problems_text


@dataclass(frozen=True)
class ContractForm:
    """A contract as typed; id None records a new one, renews_id marks a renewal."""

    customer_id: CustomerId
    plan_code: str
    invoice_number: str
    valid_from: date
    valid_to: date
    price_before_iva: int
    machine_ids: tuple[MachineId, ...]
    special: bool = False
    id: ContractId | None = None
    renews_id: ContractId | None = None


class OverlapWarning(UserFacingError):
    """Another contract already covers some of these machines on some of these days: saved only
    when the person confirms (a customer may upgrade mid-year)."""


MAX_INVOICE_LENGTH = 40  # the column's size

AUDITED_CONTRACT_FIELDS = (
    "customer_id",
    "plan_code",
    "invoice_number",
    "valid_from",
    "valid_to",
    "price_before_iva",
    "machine_ids",
    "special",
    "renews_id",
)


class ContractService:
    def __init__(self, uow_factory: UnitOfWorkFactory, policy: PolicyService, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock

    def list_contracts(self, text: str = "") -> list[ContractSummary]:
        with self._uow_factory() as uow:
            return uow.queries.contracts.summaries(clean_search(text))

    def get_contract(self, contract_id: ContractId) -> ContractSummary:
        with self._uow_factory() as uow:
            summary = uow.queries.contracts.get_summary(contract_id)
        if summary is None:
            raise NotFoundError(_("Contract {id} does not exist.").format(id=contract_id))
        return summary

    def save(
        self, form: ContractForm, *, actor: Actor, expected_version: int | None = None, confirm_overlap: bool = False
    ) -> ContractSummary:
        """Record or correct a contract (R6), audited (R18).

        Raises:
            UserFacingError: every problem of the form named (invoice missing or already used, end
                before start, negative price).
            OverlapWarning: other contracts cover some machines on some of these days; call again
                with confirm_overlap=True to save anyway.
            ConflictError: someone changed the contract since expected_version; nothing saved.
        """
        if not allows(actor, Permission.MANAGE_CONTRACTS):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        invoice = clean_line(form.invoice_number)  # services/text_input.py: what the database can store
        if len(invoice) > MAX_INVOICE_LENGTH:
            raise UserFacingError(_("The invoice number can have at most {n} characters.").format(n=MAX_INVOICE_LENGTH))
        now = self._clock.now()
        with self._uow_factory() as uow:
            try:
                check_contract(
                    invoice_number=invoice,
                    valid_from=form.valid_from,
                    valid_to=form.valid_to,
                    price_before_iva=form.price_before_iva,
                    invoice_taken=bool(invoice) and uow.contracts.invoice_taken(invoice, form.id),
                )
            except ContractError as exc:
                raise UserFacingError(contract_problems_text(exc.problems, invoice)) from exc
            if uow.catalog.get_customer(form.customer_id) is None:
                raise UserFacingError(_("Choose the customer from the list."))
            if form.plan_code not in {p.code for p in self._policy.policy().plans}:
                raise UserFacingError(_("Choose the plan from the list."))
            own = {m.id for m in uow.queries.machines.of_customer(form.customer_id)}
            if not set(form.machine_ids) <= own:
                raise UserFacingError(_("A contract covers only machines of its own customer."))
            contract = Contract(
                form.customer_id,
                PlanCode(form.plan_code),
                invoice,
                form.valid_from,
                form.valid_to,
                form.price_before_iva,
                tuple(sorted(form.machine_ids)),
                form.special,
                form.id,
                form.renews_id,
            )
            others = [c for c in uow.contracts.contracts_covering_any(contract.machine_ids) if c.id != form.id]
            clashes = overlapping(contract.machine_ids, form.valid_from, form.valid_to, others)
            if clashes and not confirm_overlap:
                invoices = sorted({other.invoice_number for _machine, other in clashes})
                raise OverlapWarning(
                    _("Contract {invoices} already covers {n} of these machines on some of these days.").format(
                        invoices=", ".join(invoices), n=len({machine for machine, _other in clashes})
                    )
                )
            before = uow.contracts.get(form.id) if form.id is not None else None
            if form.id is None:
                contract = uow.contracts.add(contract)
            else:
                if before is None:
                    raise NotFoundError(_("Contract {id} does not exist.").format(id=form.id))
                current = uow.queries.contracts.get_summary(form.id)
                assert current is not None
                uow.contracts.update(contract, expected_version if expected_version is not None else current.version)
            assert contract.id is not None
            changes = (
                diff(before, contract, AUDITED_CONTRACT_FIELDS)
                if before is not None
                else {name: ("", as_text(getattr(contract, name))) for name in AUDITED_CONTRACT_FIELDS}
            )
            action = "renew" if before is None and form.renews_id is not None else ("update" if before else "create")
            if changes:
                uow.audit.record(AuditEntry(now, actor.user_id, "contract", str(contract.id), action, changes))
            uow.commit()
            contract_id = contract.id
        return self.get_contract(contract_id)

    def renewal_form(self, contract_id: ContractId) -> ContractForm:
        """The next period of a contract: same customer, plan and machines, starting the day after
        it ends, for as long as it lasted; the invoice is the new one's to fill in."""
        current = self.get_contract(contract_id)
        start, end = renewal_period(current.valid_from, current.valid_to)
        return ContractForm(
            customer_id=current.customer_id,
            plan_code=current.plan_code,
            invoice_number="",
            valid_from=start,
            valid_to=end,
            price_before_iva=current.price_before_iva,
            machine_ids=tuple(m.id for m in current.machines),
            special=current.special,
            renews_id=current.id,
        )

    def plans(self) -> list[tuple[str, str]]:
        """(code, name) of every plan, in category order."""
        return [(plan.code, plan.name) for plan in sorted(self._policy.policy().plans, key=lambda p: p.rank)]

    def plan_terms(self) -> tuple[PlanTerms, ...]:
        """Every plan's terms (R6), as the policy in force states them."""
        return self._policy.policy().plans

    def customers(self) -> list[Choice]:
        with self._uow_factory() as uow:
            return uow.queries.directory.customer_choices()

    def today(self) -> date:
        return self._clock.now().astimezone(self._policy.calendar().tz).date()

    def customer_machines(self, customer_id: CustomerId) -> list[MachineSummary]:
        with self._uow_factory() as uow:
            return uow.queries.machines.of_customer(customer_id)

    def find(self, text: str) -> ContractSummary:
        """A contract by database id or by invoice number. Raises NotFoundError."""
        text = text.strip()
        number = parse_id(text)
        if number is not None:
            with self._uow_factory() as uow:
                summary = uow.queries.contracts.get_summary(ContractId(number))
            if summary is not None:
                return summary
        for summary in self.list_contracts(text):
            if summary.invoice_number.upper() == text.upper():
                return summary
        raise NotFoundError(_("There is no contract with id or invoice {text}.").format(text=text))

    def timezone(self) -> tzinfo:
        return self._policy.calendar().tz

    def state_of(self, contract: ContractSummary) -> ContractState:
        today = self._clock.now().astimezone(self._policy.calendar().tz).date()
        return contract_state(contract.valid_from, contract.valid_to, today)
