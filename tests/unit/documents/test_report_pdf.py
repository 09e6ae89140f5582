"""The report PDFs (documents/report_pdf.py, report_customer_pdf.py): they open, say in Spanish what
their DTOs hold, say why a part is empty instead of drawing an empty table, break pages with the
table heading repeated, and never write past the page's margin."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdfium2

from desktop_app.documents.report_customer_pdf import render_customer_report
from desktop_app.documents.report_pdf import render_management_report
from tests.unit.documents.report_samples import CUSTOMER, customer, management

A4_WIDTH = 595.28
MARGIN = 18 * 72 / 25.4  # the layout's 18 mm


def _text(pdf: bytes, folder: Path, page: int | None = None) -> str:
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pages(pdf: bytes) -> int:
    return len(pypdfium2.PdfDocument(pdf))


def _word_right_edges(pdf: bytes, folder: Path) -> list[float]:
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [float(x) for x in re.findall(r'xMax="([0-9.]+)"', html)]


def test_customer_report_names_the_customer_and_shows_its_figures(tmp_path: Path) -> None:
    pdf = render_customer_report(customer())
    assert pdf.startswith(b"%PDF") and _pages(pdf) >= 1
    text = _text(pdf, tmp_path)
    for expected in (
        "Informe del servicio de soporte técnico",
        CUSTOMER,
        "NIT 800000000-7",
        "71,4 %",  # 10 of 14 first responses on time
        "10 / 4",
        "SOP-2026-00100",
        "SOP-2026-00113",
        "Cerrado · reabierto",
        "Visitas en sitio",
        "MK-M3-250031",
        "mant. largo",  # the 5.5 h maintenance (R16)
        "$ 180.000",
        "21,5 de 20",  # advisory hours used of the plan's
        "Horas de asesoría por encima del plan, facturadas aparte (R17): 1,5.",
    ):
        assert expected in text, expected


def test_customer_report_without_tickets_says_why_instead_of_an_empty_table(tmp_path: Path) -> None:
    reason = "Universidad EAFIT no tuvo tickets en este periodo."
    text = _text(render_customer_report(customer(tickets=0, empty_reason=reason)), tmp_path)
    assert reason in text
    assert "Solicitudes del periodo" not in text and "Recibido" not in text  # no tickets table
    assert "Primeras respuestas por mes" not in text  # no chart of nothing
    assert "MK-M3-250031" in text  # the visits still shown


def test_customer_report_of_many_tickets_breaks_pages_with_the_heading_repeated(tmp_path: Path) -> None:
    pdf = render_customer_report(customer(tickets=120))
    pages = _pages(pdf)
    assert pages >= 3
    with_table = [page for page in range(1, pages + 1) if "SOP-2026-00" in _text(pdf, tmp_path, page)]
    assert len(with_table) >= 3
    for page in with_table:
        words = _text(pdf, tmp_path, page)
        assert "Recibido" in words and "Severidad" in words, page  # the table's heading on each page
        assert f"página {page}" in words
    everything = _text(pdf, tmp_path)
    assert all(f"SOP-2026-{100 + i:05d}" in everything for i in range(120))


def test_a_long_customer_name_never_runs_off_the_page(tmp_path: Path) -> None:
    name = "Fundación Universitaria de Ingeniería y Fabricación Digital del Caribe Colombiano — Sede Principal " * 3
    pdf = render_customer_report(customer(name=name))
    edges = _word_right_edges(pdf, tmp_path)
    assert edges and max(edges) <= A4_WIDTH - MARGIN + 1


def test_management_report_shows_every_part_with_its_figures(tmp_path: Path) -> None:
    pdf = render_management_report(management())
    text = _text(pdf, tmp_path)
    for expected in (
        "Informe de gestión mensual · nov 2026",
        "del 1 nov 2026 al 30 nov 2026",
        "Tiempos de respuesta (SLA)",
        "92,3 %",  # 143 of 155
        "143 / 12",
        "versiones 1, 2",  # the period spans a policy change
        "Primeras respuestas a tiempo, mes a mes (%)",
        "Por plan",
        "Premium",
        "Garantía",
        "Por severidad",
        "Crítica",
        "Por ciudad",
        "Medellín",
        "Por agente",
        "Andrés Gómez",
        "Carga de trabajo",
        "Tickets por semana",
        "Escalamientos (R11): nivel 2: 7 · nivel 3: 2.",
        "Trabajo de campo",
        "Camilo Herrera",
        "SOP-2026-00412",
        "Planes",
        "FE-9103",
        "Renovaciones",
        "$ 214.200",
    ):
        assert expected in text, expected
    assert "no data" not in text and "page " not in text  # all in Spanish


def test_management_report_of_an_empty_month_says_why_in_each_part(tmp_path: Path) -> None:
    text = _text(render_management_report(management(empty=True)), tmp_path)
    assert text.count("No hay tickets en el periodo elegido.") == 4  # SLA, workload, field work, plans
    for table in ("Por plan", "Por técnico", "Renovaciones", "Tickets por semana"):
        assert table not in text


def test_rendering_is_deterministic() -> None:
    assert render_customer_report(customer()) == render_customer_report(customer())
    assert render_management_report(management()) == render_management_report(management())
