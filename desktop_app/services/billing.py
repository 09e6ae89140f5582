"""Entitlements and billing (R6, R16, R17): what each contract has used of its plan, and the lines
to bill — extra advisory hours, maintenances beyond the plan, travel expenses — per contract and
per customer, before IVA with the IVA shown apart; as CSV and as a PDF statement."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

from desktop_app.domain.billing import Balance, BillingLine, LineKind, balance, billing_lines, totals
from desktop_app.domain.ids import ContractId, CustomerId
from desktop_app.errors import NotFoundError, UserFacingError
from desktop_app.formatting import format_working_hours
from desktop_app.i18n import _
from desktop_app.services.dto import ContractStatement, ContractSummary, CustomerStatement
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, StatementRenderer, UnitOfWork, UnitOfWorkFactory
from desktop_app.wording import billing_line_label


class BillingService:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, policy: PolicyService, clock: Clock, renderer: StatementRenderer
    ) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock
        self._renderer = renderer

    def contract_statement(self, contract_id: ContractId) -> ContractStatement:
        with self._uow_factory() as uow:
            contract = uow.contracts.get_summary(contract_id)
            if contract is None:
                raise NotFoundError(_("Contract {id} does not exist.").format(id=contract_id))
            return self._statement(uow, contract)

    def customer_statement(self, customer_id: CustomerId) -> CustomerStatement:
        """Every contract of the customer (newest first) with its lines, and the grand totals."""
        with self._uow_factory() as uow:
            customer = uow.catalog.get_customer(customer_id)
            if customer is None:
                raise NotFoundError(_("Customer {id} does not exist.").format(id=customer_id))
            contracts = [c for c in uow.contracts.summaries() if c.customer_id == customer_id]
            statements = tuple(self._statement(uow, c) for c in contracts)
        lines = [line for s in statements for line in s.lines]
        today = self._clock.now().astimezone(self._policy.calendar().tz).date()
        return CustomerStatement(customer_id, customer.name, customer.tax_id, today, statements, totals(lines))

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
        for contract in statement.contracts:
            for line in contract.lines:
                with_tax = totals([line])
                writer.writerow(
                    [
                        statement.customer_name,
                        contract.contract.invoice_number,
                        contract.contract.plan_name,
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
        if not any(s.lines for s in statement.contracts):
            raise UserFacingError(
                _(
                    "{customer} has nothing to bill: no extra hours, maintenances beyond the plan or travel expenses."
                ).format(customer=statement.customer_name)
            )
        return self._renderer.render(statement)

    # -- internals -------------------------------------------------------------------------------

    def _statement(self, uow: UnitOfWork, contract: ContractSummary) -> ContractStatement:
        tz = self._policy.calendar().tz
        start = datetime.combine(contract.valid_from, time(0), tz)
        end = datetime.combine(contract.valid_to + timedelta(days=1), time(0), tz)
        machines = [m.id for m in contract.machines]
        time_entries = uow.tickets.advisory_time(machines, start, end)
        visits = uow.tickets.visits_for_machines(machines, start, end)
        terms = self._policy.policy().plan(contract.plan_code)  # type: ignore[arg-type]
        used = balance(time_entries, visits, terms.included_advisory_hours, terms.included_maintenances)
        lines = billing_lines(
            time_entries,
            visits,
            terms.included_advisory_hours,
            terms.included_maintenances,
            terms.extra_hour_rate,
            contract.valid_to,
        )
        return ContractStatement(contract, used, tuple(lines), totals(lines))


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
    if line.kind is LineKind.TRAVEL:
        return f"{concept} · {line.reference}"
    return f"{concept} · {line.reference} · {format_working_hours(timedelta(minutes=line.quantity_minutes))}"
