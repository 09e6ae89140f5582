"""Plan contracts: the list the contract view shows, and one contract in full."""

from __future__ import annotations

from datetime import tzinfo

from desktop_app.domain.ids import ContractId
from desktop_app.domain.model import ContractState, contract_state
from desktop_app.errors import NotFoundError
from desktop_app.i18n import _
from desktop_app.services.dto import ContractSummary
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, UnitOfWorkFactory


class ContractService:
    def __init__(self, uow_factory: UnitOfWorkFactory, policy: PolicyService, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock

    def list_contracts(self, text: str = "") -> list[ContractSummary]:
        with self._uow_factory() as uow:
            return uow.contracts.summaries(text)

    def get_contract(self, contract_id: ContractId) -> ContractSummary:
        with self._uow_factory() as uow:
            summary = uow.contracts.get_summary(contract_id)
        if summary is None:
            raise NotFoundError(_("Contract {id} does not exist.").format(id=contract_id))
        return summary

    def find(self, text: str) -> ContractSummary:
        """A contract by database id or by invoice number. Raises NotFoundError."""
        text = text.strip()
        if text.isdigit():
            with self._uow_factory() as uow:
                summary = uow.contracts.get_summary(ContractId(int(text)))
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
