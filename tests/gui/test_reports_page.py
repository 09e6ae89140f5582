"""The Informes page on the demo data in a real database file (issue 15), pressed as a person would:
it opens from View → Informes, its tables show the report service's figures for the period
chosen, a period in the future shows the service's reason instead of charts, "Exportar…" writes
the table's rows and never replaces a file without asking, hovering a bar shows its value, and an
agent sees their own tickets only. Screenshots of every tab at 1366×768 and 1920×1080 in
artifacts/screenshots/."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.documents.report_documents import ReportDocuments
from desktop_app.domain.permissions import Actor
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.services.report_dto import ReportFilter, ReportPeriod
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.views.report_sections import percent
from desktop_app.ui.views.report_tables import Kind, display
from desktop_app.ui.views.reports_view import ReportsView
from tests.conftest import DEMO_NOW
from tests.gui.conftest import _QT_TRANSLATORS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TODAY = DEMO_NOW.date()
WAIT_MS = 60_000


def _window(username: str, services: Services, qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> MainWindow:
    """The window as app.py builds it, with the report PDFs."""
    theme.apply_theme(qapp)
    if not _QT_TRANSLATORS:
        _QT_TRANSLATORS.append(theme.install_qt_translator(qapp, "es_CO"))
    settings = QSettings(str(tmp_path / f"ui-{username}.ini"), QSettings.Format.IniFormat)
    assert services.reports is not None
    documents = ReportDocuments(services.reports, services.company.profile, services.tickets.now)
    window = MainWindow(
        services.desk, settings, services.users.sign_in(username, DEMO_PASSWORD), report_documents=documents
    )
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def coordinator_window(
    qtbot: QtBot, qapp: QApplication, demo_services: Services, tmp_path: Path
) -> Iterator[MainWindow]:
    window = _window("carolina.rojas", demo_services, qtbot, qapp, tmp_path)
    yield window
    window.close()


def _open_reports(window: MainWindow, qtbot: QtBot) -> ReportsView:
    """View → Informes, and the first run of the reports shown."""
    view = window.reports_view
    with qtbot.waitSignal(view.reports_shown, timeout=WAIT_MS):
        window.menus.page_actions[Page.REPORTS].trigger()
    assert window.pages.currentIndex() == Page.REPORTS
    return view


def _press_and_wait(qtbot: QtBot, view: ReportsView, press) -> None:  # type: ignore[no-untyped-def]
    """Press something that changes the reports, and wait until the new run is on screen."""
    before = view.generation
    with qtbot.waitSignal(view.reports_shown, timeout=WAIT_MS, check_params_cb=lambda g: g > before):
        press()


def _cells(view_model, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [view_model.index(r, column).data() for r in range(view_model.rowCount())]


def _coordinator(services: Services) -> Actor:
    return services.users.sign_in("carolina.rojas", DEMO_PASSWORD)


def test_the_page_opens_from_its_menu_action_and_the_period_picker_changes_the_figures(
    coordinator_window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    window = coordinator_window
    reports, actor = demo_services.desk.reports, _coordinator(demo_services)
    view = _open_reports(window, qtbot)
    assert window.menus.page_actions[Page.REPORTS].text() == "Informes"
    assert [view.tabs.tabText(i) for i in range(view.tabs.count())] == [
        "Cumplimiento SLA",
        "Carga de trabajo",
        "Trabajo de campo",
        "Planes",
    ]
    assert view.period.currentText() == "Este mes" and not view.own_label.isVisible()

    this_month = reports.sla(ReportPeriod.this_month(TODAY), ReportFilter(), actor=actor)
    months = view.sla.months.table.model
    assert _cells(months, 0) == [m.label for m in this_month.by_month]
    assert _cells(months, 1) == [display(m.first_met, Kind.COUNT) for m in this_month.by_month]
    assert view.sla.first.value.text() == display(percent(this_month.total.compliance), Kind.PERCENT)

    # Mes pasado, chosen with the keyboard on the period picker: the page computes again.
    view.period.setFocus()
    _press_and_wait(qtbot, view, lambda: qtbot.keyClick(view.period, Qt.Key.Key_Down))
    assert view.period.currentText() == "Mes pasado"
    last_month = reports.sla(ReportPeriod.last_month(TODAY), ReportFilter(), actor=actor)
    assert _cells(months, 0) == [m.label for m in last_month.by_month] != [m.label for m in this_month.by_month]
    assert _cells(months, 1) == [display(m.first_met, Kind.COUNT) for m in last_month.by_month]
    breakdown = view.sla.breakdown.model  # by plan
    assert _cells(breakdown, 0) == [g.label for g in last_month.by_plan]
    assert _cells(breakdown, 5) == [display(percent(g.compliance), Kind.PERCENT) for g in last_month.by_plan]
    assert view.sla.median.value.text() == display(last_month.total.median_first_response_hours, Kind.HOURS)

    # The workload tab of the same period says the service's figures too.
    workload = reports.workload(ReportPeriod.last_month(TODAY), ReportFilter(), actor=actor)
    assert _cells(view.workload.weeks.table.model, 1) == [display(w.opened, Kind.COUNT) for w in workload.weeks]
    assert view.workload.backlog_figure.value.text() == display(workload.backlog_total, Kind.COUNT)


def test_a_filter_narrows_every_figure_to_it(
    coordinator_window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    view = _open_reports(coordinator_window, qtbot)
    view.plan_filter.setFocus()
    _press_and_wait(qtbot, view, lambda: qtbot.keyClick(view.plan_filter, Qt.Key.Key_Down))  # the first plan
    code = view.plan_filter.currentData()
    assert code and view.sla.result is not None and view.sla.result.filter.plan == code
    period = ReportPeriod.this_month(TODAY)
    reports, actor = demo_services.desk.reports, _coordinator(demo_services)
    narrowed = reports.sla(period, ReportFilter(plan=code), actor=actor)
    assert narrowed.total.tickets < reports.sla(period, ReportFilter(), actor=actor).total.tickets
    assert _cells(view.sla.breakdown.model, 0) == [g.label for g in narrowed.by_plan]  # that plan alone
    assert view.sla.first.value.text() == display(percent(narrowed.total.compliance), Kind.PERCENT)
    field = reports.field_work(period, ReportFilter(plan=code), actor=actor)
    assert view.field.visits.value.text() == display(field.total.visits, Kind.COUNT)


def test_a_period_in_the_future_shows_the_services_reason_instead_of_charts(
    coordinator_window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    window = coordinator_window
    view = _open_reports(window, qtbot)
    view.period.setFocus()
    _press_and_wait(qtbot, view, lambda: qtbot.keyClick(view.period, Qt.Key.Key_End))
    assert view.period.currentText() == "Personalizado" and view.start_date.isVisible()

    def type_dates() -> None:  # typed from the day on, as a person types over the first field
        for edit, text in ((view.end_date, "30/03/2027"), (view.start_date, "01/03/2027")):
            edit.setFocus()
            edit.setCurrentSection(QDateEdit.Section.DaySection)
            qtbot.keyClicks(edit, text)

    _press_and_wait(qtbot, view, type_dates)
    period = ReportPeriod.custom(view.start_date.date().toPython(), view.end_date.date().toPython())
    assert (period.start.isoformat(), period.end.isoformat()) == ("2027-03-01", "2027-03-30")
    expected = demo_services.desk.reports.sla(period, ReportFilter(), actor=_coordinator(demo_services))
    assert expected.empty_reason
    assert view.sla.is_empty and view.sla.empty_label.text() == expected.empty_reason
    assert view.sla.empty_label.isVisible() and not view.sla.months.isVisible()
    assert not view.sla.breakdown.export_button.isEnabled()  # nothing to export
    workload = demo_services.desk.reports.workload(period, ReportFilter(), actor=_coordinator(demo_services))
    assert view.workload.is_empty and view.workload.empty_label.text() == workload.empty_reason


def test_export_writes_the_tables_rows_and_never_replaces_a_file_without_asking(
    coordinator_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = coordinator_window
    view = _open_reports(window, qtbot)
    view.period.setFocus()
    _press_and_wait(qtbot, view, lambda: qtbot.keyClick(view.period, Qt.Key.Key_Down))  # a whole month
    panel = view.sla.breakdown
    model = panel.model
    assert model.rowCount() > 0
    target = tmp_path / "cumplimiento.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV (*.csv)"))

    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    window._tasks.wait()
    qtbot.waitUntil(target.exists)
    written = target.read_bytes()
    rows = list(csv.reader(io.StringIO(written.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert rows[1:] == [["" if v is None else str(v) for v in row] for row in model.export_rows("csv")]
    assert [r[0] for r in rows[1:]] == _cells(model, 0)  # the groups as the table names them
    assert [r[1] for r in rows[1:]] == _cells(model, 1)  # the ticket counts as shown

    asked: list[str] = []
    answer = QMessageBox.StandardButton.No

    def question(_parent, _title, text, *_args, **_kwargs):  # type: ignore[no-untyped-def]
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    target.write_bytes(b"mine")
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    window._tasks.wait()
    assert asked == ["cumplimiento.csv ya existe. ¿Reemplazarlo?"]
    assert target.read_bytes() == b"mine"  # No: kept as it was

    answer = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    window._tasks.wait()
    qtbot.waitUntil(lambda: target.read_bytes() == written)
    assert len(asked) == 2


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the offscreen platform, on the tooltip
def test_hovering_a_bar_shows_its_value(coordinator_window: MainWindow, qtbot: QtBot) -> None:
    view = _open_reports(coordinator_window, qtbot)
    view.tabs.setCurrentWidget(view.workload)
    panel = view.workload.weeks
    if panel.is_empty:
        pytest.fail("the demo data has no week with tickets this month")
    chart_view = panel.chart
    chart = chart_view.chart()
    series = chart.series()[0]
    index = max(range(len(chart_view.categories)), key=lambda i: chart_view.bars[0].values[i])
    value = chart_view.bars[0].values[index]
    # The middle of the first bar of the busiest week (three bars side by side in a category).
    point = chart.mapToPosition(QPointF(index - 0.23, value / 2), series)
    pos = chart_view.mapFromScene(chart.mapToScene(point))
    qtbot.mouseMove(chart_view.viewport(), pos)
    qtbot.waitUntil(lambda: chart_view.last_hover != "")
    assert chart_view.last_hover == chart_view.bar_text(0, index)
    assert chart_view.last_hover.endswith(f"Abiertos: {display(int(value), Kind.COUNT)}")

    # The compliance line over the months (here one month): its point says the month's percentage.
    view.tabs.setCurrentWidget(view.sla)
    qtbot.wait(100)  # laid out in its tab
    trend_view = view.sla.months.chart
    assert trend_view.trend is not None
    month = next(i for i, v in enumerate(trend_view.trend.values) if v is not None)
    line = trend_view.chart().series()[2]  # the bars, the line, its points
    point = trend_view.chart().mapToPosition(QPointF(month, trend_view.trend.values[month]), line)
    target = trend_view.mapFromScene(trend_view.chart().mapToScene(point))
    qtbot.mouseMove(trend_view.viewport(), target - QPoint(0, 12))  # from just above, onto the point
    qtbot.mouseMove(trend_view.viewport(), target)
    qtbot.waitUntil(lambda: trend_view.last_hover != "")
    assert trend_view.last_hover == trend_view.point_text(month)
    assert trend_view.last_hover.endswith(display(trend_view.trend.values[month], Kind.PERCENT))


def test_an_agent_sees_only_their_own_tickets(
    qtbot: QtBot, qapp: QApplication, demo_services: Services, tmp_path: Path
) -> None:
    window = _window("laura.perez", demo_services, qtbot, qapp, tmp_path)
    try:
        agent = demo_services.users.sign_in("laura.perez", DEMO_PASSWORD)
        view = _open_reports(window, qtbot)
        assert view.own_label.isVisible() and view.own_label.text() == "Sus tickets"
        assert not view.monthly_button.isVisible() and not view.customer_button.isVisible()
        assert not view.agent_filter.isVisible()
        period = ReportPeriod.this_month(TODAY)
        assert view.sla.result is not None and view.sla.result.filter.agent_id == agent.user_id
        hers = demo_services.desk.reports.sla(
            period, ReportFilter(agent_id=agent.user_id), actor=_coordinator(demo_services)
        )
        assert view.sla.result.total == hers.total
        everyone = demo_services.desk.reports.sla(period, ReportFilter(), actor=_coordinator(demo_services))
        assert everyone.total.tickets > hers.total.tickets
        assert _cells(view.sla.months.table.model, 1) == [display(m.first_met, Kind.COUNT) for m in hers.by_month]
    finally:
        window.close()


def test_the_pdf_buttons_write_the_monthly_report_and_the_chosen_customers_report(
    coordinator_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = coordinator_window
    view = _open_reports(window, qtbot)
    assert view.monthly_button.isVisible() and view.monthly_button.text() == "Informe mensual (PDF)…"
    assert view.customer_button.isVisible() and not view.customer_button.isEnabled()  # no customer chosen
    targets = [tmp_path / "mensual.pdf", tmp_path / "cliente.pdf"]
    suggested: list[str] = []

    def save_name(_parent, _title, name, *_args, **_kwargs):  # type: ignore[no-untyped-def]
        suggested.append(name)
        return str(targets[len(suggested) - 1]), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    qtbot.mouseClick(view.monthly_button, Qt.MouseButton.LeftButton)
    window._tasks.wait()
    qtbot.waitUntil(targets[0].exists, timeout=WAIT_MS)
    assert suggested == ["informe-mensual-2026-11.pdf"] and targets[0].read_bytes().startswith(b"%PDF")

    # The customers are read beside the reports: the list fills in once they are.
    qtbot.waitUntil(lambda: view.customer_filter.count() > 1, timeout=WAIT_MS)
    view.customer_filter.setFocus()
    _press_and_wait(qtbot, view, lambda: qtbot.keyClick(view.customer_filter, Qt.Key.Key_Down))
    assert view.chosen_filter().customer_id is not None and view.customer_button.isEnabled()
    qtbot.mouseClick(view.customer_button, Qt.MouseButton.LeftButton)
    window._tasks.wait()
    qtbot.waitUntil(targets[1].exists, timeout=WAIT_MS)
    assert suggested[1] == "informe-servicio-2026-11-01-2026-11-30.pdf"
    assert targets[1].read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_screenshots_of_every_tab(coordinator_window: MainWindow, qtbot: QtBot, size: tuple[int, int]) -> None:
    window = coordinator_window
    window.resize(*size)
    view = _open_reports(window, qtbot)
    view.period.setFocus()
    for _ in range(3):  # Últimos 12 meses: the charts with a year of history
        _press_and_wait(qtbot, view, lambda: qtbot.keyClick(view.period, Qt.Key.Key_Down))
    assert view.period.currentText() == "Últimos 12 meses"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(("sla", "workload", "field", "plans")):
        view.tabs.setCurrentIndex(i)
        qtbot.wait(100)
        assert not view.sections[i].is_empty, view.sections[i].empty_label.text()
        window.grab().save(str(SCREENSHOTS / f"reports_{name}_es_CO_{size[0]}x{size[1]}.png"))
