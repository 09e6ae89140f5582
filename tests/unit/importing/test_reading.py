"""Reading spreadsheets (importing/reading.py): encodings, separators, XLSX cells, and the files refused."""

from __future__ import annotations

import codecs
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.importing.reading import SpreadsheetReader
from desktop_app.importing.writing import SpreadsheetWriter
from desktop_app.services.import_ports import MAX_FILE_BYTES, UnreadableFileError

ROWS = [("Razón social", "NIT", "Ciudad"), ("Compañía Ñandú", "900123456-8", "Medellín"), ("Otra", "1", "Cali")]


def _read(path: Path) -> tuple[object, list[tuple[int, tuple[str, ...]]]]:
    sheet = SpreadsheetReader().open(path)
    try:
        return sheet.info, [(row.number, row.cells) for row in sheet.rows()]
    finally:
        sheet.close()


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [
        ("utf-8", False, ";"),
        ("utf-8", True, ","),
        ("cp1252", False, ";"),
        ("cp1252", False, ","),
        ("utf-8", False, "\t"),
    ],
)
def test_csv_encoding_and_separator_are_detected(tmp_path: Path, encoding: str, bom: bool, delimiter: str) -> None:
    text = "\r\n".join(delimiter.join(row) for row in ROWS) + "\r\n"
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode(encoding)
    path = tmp_path / "clientes.csv"
    path.write_bytes(data)
    info, rows = _read(path)
    assert info.file_format == "csv"  # type: ignore[attr-defined]
    assert info.delimiter == delimiter  # type: ignore[attr-defined]
    assert info.encoding == ("utf-8-sig" if bom else encoding)  # type: ignore[attr-defined]
    assert info.headers == ROWS[0]  # type: ignore[attr-defined]
    assert rows == [(2, ROWS[1]), (3, ROWS[2])]


def test_csv_quoted_separators_blank_lines_and_short_rows(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('\n;;\nNombre;NIT;Ciudad\n"Pérez; Hermanos";800;Cali\n\nSolo\n', encoding="utf-8")
    info, rows = _read(path)
    assert info.header_row == 3  # type: ignore[attr-defined]
    assert rows == [(4, ("Pérez; Hermanos", "800", "Cali")), (6, ("Solo", "", ""))]


def test_xlsx_values_dates_and_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Serial", "NIT", "Fecha de compra"])
    sheet.append(["MK-1", 900123456, date(2026, 3, 1)])
    sheet.append([None, None, None])
    sheet.append(["MK-2", 900123456.0, "01/03/2026"])
    book.save(tmp_path / "m.xlsx")
    info, rows = _read(tmp_path / "m.xlsx")
    assert info.file_format == "xlsx" and info.headers == ("Serial", "NIT", "Fecha de compra")  # type: ignore[attr-defined]
    assert rows == [(2, ("MK-1", "900123456", "2026-03-01")), (4, ("MK-2", "900123456", "01/03/2026"))]


def _with_cached_value(path: Path, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(path) as source:
        items = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert old in items[sheet]
    items[sheet] = items[sheet].replace(old, new)
    with zipfile.ZipFile(path, "w") as target:
        for name, data in items.items():
            target.writestr(name, data)


def test_xlsx_formula_gives_its_saved_value_or_a_problem_naming_the_cell(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Serial", "Precio"])
    sheet.append(["MK-1", "=2*3"])
    sheet.append(["MK-2", "=B2*2"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    _with_cached_value(path, b"<f>2*3</f><v />", b"<f>2*3</f><v>6</v>")
    sheet_ = SpreadsheetReader().open(path)
    rows = list(sheet_.rows())
    sheet_.close()
    assert rows[0].cells == ("MK-1", "6") and rows[0].problems == ()
    assert rows[1].number == 3
    assert [(p.column, p.code, p.cells) for p in rows[1].problems] == [(1, "formula", "B3")]


def test_xlsx_merged_cells_are_named_on_each_row_they_cover(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Razón social", "NIT", "Ciudad"])
    sheet.append(["A", "1", "Cali"])
    sheet.append(["B", "2", "Cali"])
    sheet.append(["C", "3", "Cali"])
    sheet.merge_cells("B3:C4")
    book.save(tmp_path / "m.xlsx")
    sheet_ = SpreadsheetReader().open(tmp_path / "m.xlsx")
    rows = {row.number: row.problems for row in sheet_.rows()}
    sheet_.close()
    assert rows[2] == ()
    assert [(p.column, p.code, p.cells) for p in rows[3]] == [(1, "merged", "B3:C4")]
    assert [(p.column, p.code, p.cells) for p in rows[4]] == [(1, "merged", "B3:C4")]


def test_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "vacio.csv").write_bytes(b"")
    with pytest.raises(UnreadableFileError, match="vacío"):
        SpreadsheetReader().open(tmp_path / "vacio.csv")
    (tmp_path / "blancos.csv").write_bytes(b"\r\n ;;\r\n")
    with pytest.raises(UnreadableFileError, match="vacío"):
        SpreadsheetReader().open(tmp_path / "blancos.csv")


def test_empty_workbook_is_refused(tmp_path: Path) -> None:
    openpyxl.Workbook().save(tmp_path / "vacio.xlsx")
    with pytest.raises(UnreadableFileError, match="vacía"):
        SpreadsheetReader().open(tmp_path / "vacio.xlsx")


def test_binary_files_are_refused_before_reading(tmp_path: Path) -> None:
    (tmp_path / "foto.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(UnreadableFileError, match="binario"):
        SpreadsheetReader().open(tmp_path / "foto.csv")
    (tmp_path / "viejo.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(UnreadableFileError, match=r"\.xls"):
        SpreadsheetReader().open(tmp_path / "viejo.xls")
    with zipfile.ZipFile(tmp_path / "otro.xlsx", "w") as archive:
        archive.writestr("hola.txt", "no es un libro")
    with pytest.raises(UnreadableFileError, match="XLSX"):
        SpreadsheetReader().open(tmp_path / "otro.xlsx")


def test_a_file_of_50_mb_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "grande.csv"
    with path.open("wb") as handle:
        handle.write(b"Nombre;NIT\n")
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written or read past the head
    with pytest.raises(UnreadableFileError, match="50 MB"):
        SpreadsheetReader().open(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="no existe"):
        SpreadsheetReader().open(tmp_path / "no.csv")
    with pytest.raises(UnreadableFileError):
        SpreadsheetReader().open(tmp_path)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_reads_back_as_written(tmp_path: Path, file_format: str) -> None:
    rows = [("=cmd|' /C calc'!A0", "900123456-8", date(2026, 3, 1), 1_250_000, "Sí"), ("Ñandú", "", None, 0, "No")]
    data = SpreadsheetWriter().write(["Nombre", "NIT", "Fecha", "Precio", "Capacitado"], rows, file_format)
    path = tmp_path / f"export.{file_format}"
    path.write_bytes(data)
    info, read = _read(path)
    assert info.headers == ("Nombre", "NIT", "Fecha", "Precio", "Capacitado")  # type: ignore[attr-defined]
    first = read[0][1]
    assert first[0].lstrip("'") == "=cmd|' /C calc'!A0"  # kept as text, never a formula
    assert first[1:] == ("900123456-8", "2026-03-01", "1250000", "Sí")
    assert read[1][1] == ("Ñandú", "", "", "0", "No")


_CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=25).filter(
    lambda t: t[:1] not in ("=", "+", "-", "@", "'")  # an export quotes these so Excel never runs them
)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(_CELL, _CELL, _CELL), min_size=1, max_size=8))
def test_any_text_written_by_an_export_reads_back(file_format: str, rows: list[tuple[str, str, str]]) -> None:
    data = SpreadsheetWriter().write(["Nombre", "NIT", "Ciudad"], rows, file_format)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{file_format}"
        path.write_bytes(data)
        _info, read = _read(path)
    expected = [tuple(cell.strip() for cell in row) for row in rows if any(cell.strip() for cell in row)]
    assert [tuple(cell.strip() for cell in cells) for _number, cells in read] == expected
