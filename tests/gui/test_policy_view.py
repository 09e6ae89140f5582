"""The policy settings screen (R6, R7, R11, R12, R18) driven through its widgets."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop_app.bootstrap import Services
from desktop_app.domain.model import Severity
from desktop_app.ui.main_window import MainWindow, Page
from tests.gui.conftest import save_screenshot


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: shown.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: shown.append(text))
    return shown


def test_editing_a_response_time_saves_a_new_version(
    window: MainWindow, demo_services: Services, warnings: list[str]
) -> None:
    window.show_page(Page.SETTINGS)
    view = window.policy_view
    before = demo_services.policy.version()
    view.matrix.item(0, 0).setText("3")  # Premium · Crítica
    view.note.setText("Premium crítica a 3 horas")
    view.save_button.click()
    assert warnings == []
    assert demo_services.policy.version() == (before or 0) + 1
    assert demo_services.policy.policy().response_hours[("premium", Severity.CRITICAL)] == 3
    assert view.history.item(0, 3).text() == "Premium crítica a 3 horas"
    assert view.version_label.text() == f"Versión vigente: {(before or 0) + 1}"
    assert "vigente" in window.statusBar().currentMessage()
    save_screenshot(window, "settings_es_CO")


def test_an_empty_response_time_is_refused_naming_the_field(
    window: MainWindow, demo_services: Services, warnings: list[str]
) -> None:
    view = window.policy_view
    before = demo_services.policy.version()
    view.matrix.item(2, 1).setText("")  # Básico · Alta
    view.save_button.click()
    assert len(warnings) == 1
    assert "basico" in warnings[0] and "Alta" in warnings[0] and "falta el tiempo de respuesta" in warnings[0]
    assert demo_services.policy.version() == before
    assert view.matrix.item(2, 1).text() == ""  # what the user typed is still there


def test_unreadable_working_hours_are_named(window: MainWindow, demo_services: Services, warnings: list[str]) -> None:
    view = window.policy_view
    before = demo_services.policy.version()
    view.day_hours[2].setText("8 a 12")
    view.save_button.click()
    assert len(warnings) == 1 and "Miércoles" in warnings[0]
    assert demo_services.policy.version() == before


def test_closure_days_and_prices_round_trip(window: MainWindow, demo_services: Services, warnings: list[str]) -> None:
    from datetime import date

    from PySide6.QtCore import QDate

    view = window.policy_view
    view.closure_date.setDate(QDate(2026, 12, 31))
    view._on_add_closure()
    view.note.setText("Cierre de fin de año")
    view.save_button.click()
    assert warnings == []
    policy = demo_services.policy.policy()
    assert policy.closure_days == (date(2026, 12, 31),)
    assert policy.plan("premium").price_before_iva == 9_800_000  # "$ 9.800.000" read back
    assert date(2026, 12, 31) in demo_services.policy.calendar().non_working_days


def test_saving_without_changes_says_so(window: MainWindow, demo_services: Services, warnings: list[str]) -> None:
    before = demo_services.policy.version()
    window.policy_view.save_button.click()
    assert warnings == ["No hubo cambios."]
    assert demo_services.policy.version() == before


def test_R17_the_administrator_sets_the_hourly_rate_of_work_without_a_contract(
    window: MainWindow, demo_services: Services, warnings: list[str]
) -> None:
    window.show_page(Page.SETTINGS)
    view = window.policy_view
    assert view.out_of_plan_rate.value() == demo_services.policy.policy().out_of_plan_hour_rate
    view.out_of_plan_rate.setValue(240_000)
    view.note.setText("Hora sin contrato a $ 240.000")
    view.save_button.click()
    assert warnings == []
    assert demo_services.policy.policy().out_of_plan_hour_rate == 240_000
    assert view.out_of_plan_rate.value() == 240_000  # reloaded from the saved version
