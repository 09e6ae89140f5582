"""Every Qt model passes pytest-qt's model tester, on real data from the demo database."""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, Qt

from desktop_app.bootstrap import Services
from desktop_app.domain.sla import SlaState
from desktop_app.services.dto import QueueFilter
from desktop_app.ui.models.contract_model import ContractModel, CoveredMachineModel
from desktop_app.ui.models.queue_model import PAGE_SIZE, QueueColumn, QueueModel, QueueRole

BOGOTA = ZoneInfo("America/Bogota")


def _queue_model(services: Services, flt: QueueFilter) -> QueueModel:
    model = QueueModel(partial(services.tickets.list_queue, flt), services.tickets.refresh_sla, BOGOTA)
    model.reload()
    return model


def test_queue_model_passes_the_model_tester(qtmodeltester, demo_services: Services) -> None:  # type: ignore[no-untyped-def]
    model = _queue_model(demo_services, QueueFilter())
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)


def test_queue_model_fetches_more_pages_on_demand(qtmodeltester, demo_services: Services) -> None:  # type: ignore[no-untyped-def]
    model = _queue_model(demo_services, QueueFilter(open_only=False))
    assert model.total == 661 and model.rowCount() == PAGE_SIZE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE_SIZE and model.canFetchMore(QModelIndex())
    while model.canFetchMore(QModelIndex()):  # the demo's thirteen months of history: four pages
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 661 and not model.canFetchMore(QModelIndex())
    qtmodeltester.check(model, force_py=True)


def test_queue_model_shows_spanish_text_and_roles(demo_services: Services) -> None:
    model = _queue_model(demo_services, QueueFilter())
    assert model.headerData(QueueColumn.DUE, Qt.Orientation.Horizontal) == "Vence"
    states = {model.index(r, 0).data(QueueRole.SLA_STATE) for r in range(model.rowCount())}
    assert {SlaState.PAUSED.value, SlaState.BREACHED.value} <= states
    texts = {model.index(r, QueueColumn.DUE).data() for r in range(model.rowCount())}
    assert "en pausa" in texts and any(t.startswith("vencido hace") for t in texts)
    severities = {model.index(r, QueueColumn.SEVERITY).data() for r in range(model.rowCount())}
    assert severities <= {"Crítica", "Alta", "Media", "Baja"}


def test_countdown_refresh_repaints_only_the_due_column(qtbot, demo_services: Services) -> None:  # type: ignore[no-untyped-def]
    model = _queue_model(demo_services, QueueFilter())
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.refresh_countdown()
    top_left, bottom_right = blocker.args[0], blocker.args[1]
    assert top_left.column() == bottom_right.column() == QueueColumn.DUE
    assert (top_left.row(), bottom_right.row()) == (0, model.rowCount() - 1)


def test_contract_models_pass_the_model_tester(qtmodeltester, demo_services: Services) -> None:  # type: ignore[no-untyped-def]
    contracts = ContractModel(demo_services.contracts.state_of)
    contracts.set_contracts(demo_services.contracts.list_contracts())
    assert contracts.rowCount() > 30
    qtmodeltester.check(contracts, force_py=True)
    machines = CoveredMachineModel()
    machines.set_machines(contracts.contract_at(0).machines)
    assert machines.rowCount() > 0
    qtmodeltester.check(machines, force_py=True)
