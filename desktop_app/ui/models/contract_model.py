"""Plan contracts as a table, and the machines one contract covers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop_app.domain.model import ContractState
from desktop_app.formatting import format_date, format_money
from desktop_app.i18n import _
from desktop_app.services.dto import ContractSummary, CoveredMachine
from desktop_app.wording import contract_state_label, model_with_end_of_life

Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class ContractColumn(IntEnum):
    CUSTOMER = 0
    CITY = 1
    PLAN = 2
    INVOICE = 3
    VALIDITY = 4
    STATE = 5
    MACHINES = 6
    PRICE = 7


class ContractRole(IntEnum):
    CONTRACT_ID = Qt.ItemDataRole.UserRole + 1
    STATE = Qt.ItemDataRole.UserRole + 2


class ContractModel(QAbstractTableModel):
    """Args:
    state_of: the contract's state today (the service decides; the model only shows it).
    """

    def __init__(self, state_of: Callable[[ContractSummary], ContractState], parent: Any = None) -> None:
        super().__init__(parent)
        self._state_of = state_of
        self._rows: list[tuple[ContractSummary, ContractState]] = []
        self._headers = {
            ContractColumn.CUSTOMER: _("Customer"),
            ContractColumn.CITY: _("City"),
            ContractColumn.PLAN: _("Plan"),
            ContractColumn.INVOICE: _("Invoice"),
            ContractColumn.VALIDITY: _("Validity"),
            ContractColumn.STATE: _("State"),
            ContractColumn.MACHINES: _("Machines"),
            ContractColumn.PRICE: _("Price before IVA"),
        }

    def set_contracts(self, contracts: list[ContractSummary]) -> None:
        self.beginResetModel()
        self._rows = [(c, self._state_of(c)) for c in contracts]
        self.endResetModel()

    def contract_at(self, row: int) -> ContractSummary:
        return self._rows[row][0]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ContractColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(ContractColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[ContractColumn(section)]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in (
            ContractColumn.MACHINES,
            ContractColumn.PRICE,
        ):
            return _RIGHT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        contract, state = self._rows[index.row()]
        column = ContractColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            match column:
                case ContractColumn.CUSTOMER:
                    return contract.customer_name
                case ContractColumn.CITY:
                    return contract.city
                case ContractColumn.PLAN:
                    return (
                        _("{plan} (special)").format(plan=contract.plan_name)
                        if contract.special
                        else contract.plan_name
                    )
                case ContractColumn.INVOICE:
                    return contract.invoice_number
                case ContractColumn.VALIDITY:
                    return f"{format_date(contract.valid_from)} – {format_date(contract.valid_to)}"
                case ContractColumn.STATE:
                    return contract_state_label(state)
                case ContractColumn.MACHINES:
                    return str(len(contract.machines))
                case ContractColumn.PRICE:
                    return format_money(contract.price_before_iva)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            ContractColumn.MACHINES,
            ContractColumn.PRICE,
        ):
            return _RIGHT
        if role == ContractRole.CONTRACT_ID:
            return int(contract.id)
        if role == ContractRole.STATE:
            return state.value
        return None


class CoveredMachineColumn(IntEnum):
    SERIAL = 0
    MODEL = 1
    WARRANTY = 2


class CoveredMachineModel(QAbstractTableModel):
    """Args:
    today: the desk's date, for marking the models past their end of life (R5).
    """

    def __init__(self, parent: Any = None, today: Callable[[], date] | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self._rows: list[CoveredMachine] = []
        self._headers = {
            CoveredMachineColumn.SERIAL: _("Serial"),
            CoveredMachineColumn.MODEL: _("Model"),
            CoveredMachineColumn.WARRANTY: _("Warranty until"),
        }

    def set_machines(self, machines: tuple[CoveredMachine, ...]) -> None:
        self.beginResetModel()
        self._rows = list(machines)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CoveredMachineColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(CoveredMachineColumn)
        ):
            return self._headers[CoveredMachineColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or role != Qt.ItemDataRole.DisplayRole:
            return None
        machine = self._rows[index.row()]
        match CoveredMachineColumn(index.column()):
            case CoveredMachineColumn.SERIAL:
                return machine.serial
            case CoveredMachineColumn.MODEL:
                if self._today is None:
                    return machine.model_name
                return model_with_end_of_life(machine.model_name, machine.model_end_of_life, self._today())
            case CoveredMachineColumn.WARRANTY:
                return format_date(machine.warranty_end)
