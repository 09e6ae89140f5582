"""`makersupport report …` (cli_reports.py) on the demo: the figures are the ReportService's own,
the PDFs open with the customer's name and figures, bad input is told in a sentence (exit 2) and
an existing file is never written over.

Most runs go through cli.main in this process with the demo's fixed clock (the demo is placed
around DEMO_NOW), one as a user runs it: a separate process on the real clock."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_app import cli
from desktop_app.bootstrap import Services, build_services
from desktop_app.documents.report_words import percent
from desktop_app.domain.permissions import SYSTEM
from desktop_app.services.clock import FixedClock
from desktop_app.services.report_dto import ReportFilter, ReportPeriod
from tests.conftest import DEMO_NOW, make_settings

NOVEMBER = ReportPeriod(date(2026, 11, 1), date(2026, 11, 30))
YEAR = ReportPeriod(date(2025, 11, 1), date(2026, 10, 31))
Desk = tuple[Path, Services]
Out = pytest.CaptureFixture[str]


@pytest.fixture
def desk(demo_folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Services]:
    """The demo, and the CLI wired to the same clock the demo was placed with."""

    def fixed(settings, **kwargs):  # type: ignore[no-untyped-def]
        return build_services(settings, clock=FixedClock(DEMO_NOW), **kwargs)

    monkeypatch.setattr(cli, "build_services", fixed)
    return demo_folder, fixed(make_settings(demo_folder))


def _cli(folder: Path, *args: str) -> int:
    return cli.main(["--db", make_settings(folder).db_url, "--lang", "es_CO", "report", *args])


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_report_sla_json_is_the_services_figures(desk: Desk, capsys: Out) -> None:
    folder, services = desk
    assert _cli(folder, "sla", "--from", "2025-11-01", "--to", "2026-10-31", "--format", "json") == 0
    printed = json.loads(capsys.readouterr().out)
    expected = services.reports.sla(YEAR, actor=SYSTEM)
    assert printed["total"]["first_met"] == expected.total.first_met > 0
    assert printed["total"]["first_missed"] == expected.total.first_missed > 0
    assert printed["total"]["compliance"] == pytest.approx(expected.total.compliance)
    assert [m["key"] for m in printed["by_month"]] == [m.key for m in expected.by_month]
    assert len(printed["by_month"]) == 12  # the demo's year of history
    for mine, theirs in zip(printed["by_plan"], expected.by_plan, strict=True):
        assert (mine["key"], mine["first_met"], mine["first_missed"]) == (
            theirs.key,
            theirs.first_met,
            theirs.first_missed,
        )
    assert printed["by_city"] and printed["by_agent"] and printed["empty_reason"] == ""


def test_report_sla_csv_and_plan_filter(desk: Desk, capsys: Out) -> None:
    folder, services = desk
    assert (
        _cli(folder, "sla", "--from", "2025-11-01", "--to", "2026-10-31", "--plan", "Premium", "--format", "csv") == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    total = next(row for row in rows if row["group"] == "total")
    expected = services.reports.sla(YEAR, ReportFilter(plan="premium"), actor=SYSTEM).total
    assert (int(total["first_met"]), int(total["first_missed"])) == (expected.first_met, expected.first_missed)
    assert {row["key"] for row in rows if row["group"] == "plan"} == {"premium"}


def test_report_sla_table_is_in_spanish(desk: Desk, capsys: Out) -> None:
    folder, services = desk
    assert _cli(folder, "sla", "--from", "2026-11-01", "--to", "2026-11-25") == 0
    out = capsys.readouterr().out
    expected = services.reports.sla(ReportPeriod(date(2026, 11, 1), date(2026, 11, 25)), actor=SYSTEM)
    assert out.startswith("Cumplimiento del SLA, del 1 nov 2026 al 25 nov 2026")
    assert f"Primeras respuestas a tiempo: {percent(expected.total.compliance)}" in out
    assert "Severidad" in out and "Premium" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-11-30", "--to", "2026-11-01"), "termina"),  # ends before it starts
        (("--from", "2027-01-01", "--to", "2027-01-31"), "en el futuro"),
        (("--from", "2026-11-01", "--to", "2026-11-30", "--plan", "oro"), "No existe el plan “oro”"),
    ],
)
def test_report_sla_refuses_bad_periods_and_plans(desk: Desk, capsys: Out, args: tuple[str, ...], message: str) -> None:
    folder, _services = desk
    assert _cli(folder, "sla", *args) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err and captured.out == ""


@pytest.mark.parametrize("bad", ["2026-13-01", "ayer", "0999-01-01"])
def test_a_date_that_is_not_one_is_refused_by_the_parser(desk: Desk, capsys: Out, bad: str) -> None:
    folder, _services = desk
    with pytest.raises(SystemExit) as exit_info:
        _cli(folder, "sla", "--from", bad, "--to", "2026-11-30")
    assert exit_info.value.code == 2
    assert bad in capsys.readouterr().err


def _premium_nit(services: Services) -> tuple[str, str]:
    """The NIT and name of the Premium customer with most tickets in the demo's year."""
    rows = services.reports.sla(YEAR, ReportFilter(plan="premium"), actor=SYSTEM).by_customer
    busiest = max(rows, key=lambda row: row.tickets)
    with services.engine.connect() as connection:
        nit = connection.execute(text("SELECT tax_id FROM customers WHERE id = :id"), {"id": int(busiest.key)}).scalar()
    return str(nit), busiest.label


def test_report_customer_writes_a_pdf_with_the_customers_name_and_figures(
    desk: Desk, tmp_path: Path, capsys: Out
) -> None:
    folder, services = desk
    nit, name = _premium_nit(services)
    out = tmp_path / "informe.pdf"
    assert _cli(folder, "customer", nit, "--from", "2025-11-01", "--to", "2026-10-31", "--out", str(out)) == 0
    assert "Informe de servicio de" in capsys.readouterr().out
    report = services.reports.customer_report(services.machines.find_customer(nit), YEAR, actor=SYSTEM)
    words = _pdf_text(out)
    assert report.tickets and name in words.replace("\n", " ")
    assert percent(report.sla.compliance) in words
    assert all(line.number in words for line in report.tickets)
    assert f"{report.sla.first_met} / {report.sla.first_missed}" in words


def test_report_customer_never_writes_over_a_file_and_refuses_bad_input(
    desk: Desk, tmp_path: Path, capsys: Out
) -> None:
    folder, services = desk
    nit, _name = _premium_nit(services)
    outputs = tmp_path / "out"
    outputs.mkdir()
    existing = outputs / "informe.pdf"
    existing.write_bytes(b"the office's own file")
    period = ("--from", "2026-01-01", "--to", "2026-06-30")
    assert _cli(folder, "customer", nit, *period, "--out", str(existing)) == 2
    assert existing.read_bytes() == b"the office's own file"
    assert str(existing) in capsys.readouterr().err
    cases = [
        (("customer", "900000000-1", *period, "--out", str(outputs / "a.pdf")), "900000000-1"),
        (("customer", nit, "--from", "2026-06-30", "--to", "2026-01-01", "--out", str(outputs / "b.pdf")), "termina"),
        (("customer", nit, "--from", "2027-02-01", "--to", "2027-03-01", "--out", str(outputs / "c.pdf")), "futuro"),
        (("customer", nit, *period, "--out", str(outputs / "d.txt")), ".pdf"),
    ]
    for args, message in cases:
        assert _cli(folder, *args) == 2, args
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (args, err)
    assert sorted(p.name for p in outputs.iterdir()) == ["informe.pdf"]  # nothing half-written


def test_report_month_writes_the_management_report(desk: Desk, tmp_path: Path, capsys: Out) -> None:
    folder, services = desk
    out = tmp_path / "gerencia.pdf"
    assert _cli(folder, "month", "--month", "2026-10", "--out", str(out)) == 0
    october = ReportPeriod(date(2026, 10, 1), date(2026, 10, 31))
    sla = services.reports.sla(october, actor=SYSTEM)
    field = services.reports.field_work(october, actor=SYSTEM)
    words = _pdf_text(out)
    assert "Informe de gestión mensual · oct 2026" in words
    assert percent(sla.total.compliance) in words and f"{sla.total.first_met} / {sla.total.first_missed}" in words
    assert all(city.label in words for city in field.by_city)
    assert _cli(folder, "month", "--month", "2026-10", "--out", str(out)) == 2  # never over the first one
    assert "gerencia.pdf" in capsys.readouterr().err


def test_report_sla_as_a_user_runs_it_needs_no_sign_in(demo_folder: Path) -> None:
    """A separate process on the real clock, with no user named and no password: reports only read."""
    url = make_settings(demo_folder).db_url
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKERSUPPORT_")}
    env.update(MAKERSUPPORT_DATA_DIR=str(demo_folder), MAKERSUPPORT_LANG="es_CO")
    args = ["report", "sla", "--from", "2026-08-01", "--to", "2026-08-31", "--format", "json"]
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--db", url, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert [month["key"] for month in printed["by_month"]] == ["2026-08"]
    assert printed["total"]["first_met"] > 0
