"""Entitlements and billing (R6, R16, R17): what each contract has used of its plan, and the lines
to bill — extra advisory hours, maintenances beyond the plan, travel expenses, and work no contract
covers — per contract and per customer, before IVA with the IVA shown apart; as CSV and as a PDF
statement. Each visit and time entry is billed once, by one contract or as work without a
contract (domain.billing.bill_customer)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from desktop_app.domain.billing import (
    Balance,
    BillingContract,
    BillingLine,
    bill_customer,
    totals,
)
from desktop_app.domain.company import CompanyProfile
from desktop_app.domain.ids import ContractId, CustomerId
from desktop_app.errors import NotFoundError, UserFacingError
from desktop_app.formatting import format_working_hours
from desktop_app.i18n import _
from desktop_app.services.dto import ContractStatement, CustomerStatement
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, StatementRenderer, UnitOfWork, UnitOfWorkFactory
from desktop_app.wording import billing_line_label

# Billing reads everything recorded for a customer: no work this desk records is older than this.
_BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)


class BillingService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        policy: PolicyService,
        clock: Clock,
        renderer: StatementRenderer,
        company: Callable[[], CompanyProfile] | None = None,
    ) -> None:
        """company: the company data the statement is headed with (the renderer's default when None)."""
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock
        self._renderer = renderer
        self._company = company

    def contract_statement(self, contract_id: ContractId) -> ContractStatement:
        """What the contract used and bills: only the visits and time it bills (another contract
        covering the same machine on the same day does not count them again)."""
        with self._uow_factory() as uow:
            contract = uow.queries.contracts.get_summary(contract_id)
            if contract is None:
                raise NotFoundError(_("Contract {id} does not exist.").format(id=contract_id))
            statements, _without = self._customer_bill(uow, contract.customer_id)
        return next(s for s in statements if s.contract.id == contract_id)

    def customer_statement(self, customer_id: CustomerId) -> CustomerStatement:
        """Every contract of the customer (newest first) with its lines, the work no contract
        covered, and the grand totals."""
        with self._uow_factory() as uow:
            customer = uow.catalog.get_customer(customer_id)
            if customer is None:
                raise NotFoundError(_("Customer {id} does not exist.").format(id=customer_id))
            statements, without = self._customer_bill(uow, customer_id)
        lines = [line for s in statements for line in s.lines] + list(without)
        today = self._clock.now().astimezone(self._policy.calendar().tz).date()
        return CustomerStatement(customer_id, customer.name, customer.tax_id, today, statements, totals(lines), without)

    def customer_csv(self, customer_id: CustomerId) -> bytes:
        """The customer's billing lines as CSV (UTF-8 with BOM, ";" separated: Excel in Colombia
        opens it directly); amounts are whole pesos, before IVA, with IVA and total per line."""
        statement = self.customer_statement(customer_id)
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(
            [
                _("Customer"),
                _("Invoice"),
                _("Plan"),
                _("Date"),
                _("Concept"),
                _("Reference"),
                _("Billed minutes"),
                _("Hourly rate"),
                _("Amount before IVA"),
                _("IVA"),
                _("Total"),
            ]
        )
        parts = [(c.contract.invoice_number, c.contract.plan_name, c.lines) for c in statement.contracts]
        parts.append(("", _("No contract"), statement.without_contract))
        for invoice, plan, lines in parts:
            for line in lines:
                with_tax = totals([line])
                writer.writerow(
                    [
                        statement.customer_name,
                        invoice,
                        plan,
                        line.day.isoformat(),
                        billing_line_label(line.kind),
                        line.reference,
                        line.quantity_minutes or "",
                        line.unit_price or "",
                        line.amount,
                        with_tax.iva,
                        with_tax.total,
                    ]
                )
        return ("\ufeff" + out.getvalue()).encode("utf-8")

    def customer_pdf(self, customer_id: CustomerId) -> bytes:
        statement = self.customer_statement(customer_id)
        if not statement.without_contract and not any(s.lines for s in statement.contracts):
            raise UserFacingError(
                _(
                    "{customer} has nothing to bill: no extra hours, maintenances beyond the plan, "
                    "travel expenses or work without a contract."
                ).format(customer=statement.customer_name)
            )
        return self._renderer.render(statement, self._company() if self._company else None)

    # -- internals -------------------------------------------------------------------------------

    def _customer_bill(
        self, uow: UnitOfWork, customer_id: CustomerId
    ) -> tuple[tuple[ContractStatement, ...], tuple[BillingLine, ...]]:
        """The customer's contracts (newest first) with what each bills, and the lines of the work
        no contract covered: all of it read in three queries and split once, so nothing is
        billed twice."""
        policy = self._policy.policy()
        contracts = [c for c in uow.queries.contracts.summaries() if c.customer_id == customer_id]
        machines = {m.id for c in contracts for m in c.machines}
        machines |= {m.id for m in uow.queries.machines.of_customer(customer_id)}
        wanted = sorted(machines)
        end = self._clock.now() + timedelta(days=1)  # nothing is recorded in the future
        time_entries = uow.queries.billing.advisory_time(wanted, _BEGINNING, end)
        visits = uow.queries.billing.visits(wanted, _BEGINNING, end)
        terms = []
        for contract in contracts:
            plan = policy.plan(contract.plan_code)  # type: ignore[arg-type]
            terms.append(
                BillingContract(
                    contract.id,
                    plan.rank,
                    contract.valid_from,
                    contract.valid_to,
                    frozenset(m.id for m in contract.machines),
                    plan.included_advisory_hours,
                    plan.included_maintenances,
                    plan.extra_hour_rate,
                )
            )
        bill = bill_customer(terms, time_entries, visits, self._policy.calendar().tz, policy.out_of_plan_hour_rate)
        statements = tuple(
            ContractStatement(contract, part.balance, part.lines, totals(part.lines))
            for contract, part in zip(contracts, bill.contracts, strict=True)
        )
        return statements, bill.without_contract


def balance_text(used: Balance) -> str:
    """ "Asesoría: 3 h 30 min de 20 h · Mantenimientos: 1 de 4" """
    text = _("Advisory: {used} of {included} h · Maintenances: {done} of {allowed}").format(
        used=format_working_hours(timedelta(minutes=used.advisory_minutes_used)),
        included=used.advisory_minutes_included // 60,
        done=used.maintenances_used,
        allowed=used.maintenances_included,
    )
    if used.extra_advisory_minutes:
        extra = format_working_hours(timedelta(minutes=used.extra_advisory_minutes))
        text += " · " + _("{extra} beyond the plan").format(extra=extra)
    return text


def line_description(line: BillingLine) -> str:
    concept = billing_line_label(line.kind)
    if not line.quantity_minutes:  # travel expenses: an amount, not hours
        return f"{concept} · {line.reference}"
    return f"{concept} · {line.reference} · {format_working_hours(timedelta(minutes=line.quantity_minutes))}"
