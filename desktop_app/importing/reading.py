"""Reading a spreadsheet the office already has: CSV (UTF-8 with or without BOM, or Windows-1252;
";" or "," or tab) or XLSX (openpyxl, read-only mode, row by row).

What cannot be read is refused before the file is read whole: a missing or empty file, one over
MAX_FILE_BYTES, a binary file (NUL bytes, an old .xls, a zip that is not a workbook). Cells that
cannot be trusted are reported with the row, not guessed: a formula without a saved value, and
merged cells (read-only mode does not list them, so the sheet's XML is scanned for them).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desktop_app.domain.importing import cell_text
from desktop_app.i18n import _
from desktop_app.services.import_ports import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    CellProblem,
    SheetInfo,
    SheetRow,
    UnreadableFileError,
)

MAX_COLUMNS = 200  # a sheet wider than this is not a list of records; extra columns are ignored
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc)
_SNIFF_BYTES = 64 * 1024
_DELIMITERS = (";", ",", "\t")
# In the worksheet XML: a formula element, and the merged ranges (listed after the cells).
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE_TAG = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')


def _refuse(path: Path, reason: str) -> UnreadableFileError:
    return UnreadableFileError(_("{path} cannot be imported: {reason}").format(path=path, reason=reason))


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class SpreadsheetReader:
    """The SheetReader port (services/import_ports.py)."""

    def open(self, path: Path) -> CsvSheet | XlsxSheet:
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise _refuse(path, _("it is not a file."))
            with path.open("rb") as handle:
                head = handle.read(_SNIFF_BYTES)
        except FileNotFoundError as exc:
            raise _refuse(path, _("there is no such file.")) from exc
        except OSError as exc:
            raise _refuse(path, exc.strerror or str(exc)) from exc
        if size == 0 or not head.strip():
            raise _refuse(path, _("the file is empty."))
        if size > MAX_FILE_BYTES:
            raise _refuse(
                path,
                _(
                    "it is larger than {limit} MB, the most that can be imported at once; split it into smaller files."
                ).format(limit=MAX_FILE_BYTES // 1024 // 1024),
            )
        if head.startswith(_ZIP_MAGIC):
            return XlsxSheet(path)
        if head.startswith(_OLE_MAGIC):
            raise _refuse(path, _("it is an old Excel file (.xls); save it as .xlsx or CSV first."))
        if b"\x00" in head:
            raise _refuse(path, _("it is not a spreadsheet (a binary file); use an .xlsx or .csv file."))
        return CsvSheet(path)


def _decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with a BOM, UTF-8, else Windows-1252 (what Excel saves as "CSV")."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _delimiter(first_line: str) -> str:
    """The separator used most often outside quotes in the header line (";" on a tie: Excel's in Colombia)."""
    outside = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: outside.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


class CsvSheet:
    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            text, encoding = _decode(path.read_bytes())
        except OSError as exc:
            raise _refuse(path, exc.strerror or str(exc)) from exc
        lines = text.splitlines()
        first = next((line for line in lines if line.strip(" ;,\t")), "")
        delimiter = _delimiter(first)
        self._rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header_row, headers = 0, ()
        try:
            for number, cells in enumerate(self._rows, start=1):
                if any(cell.strip() for cell in cells):
                    header_row, headers = number, tuple(c.strip() for c in cells[:MAX_COLUMNS])
                    break
        except csv.Error as exc:
            raise _refuse(path, str(exc)) from exc
        if not headers:
            raise _refuse(path, _("the file is empty."))
        self._next_number = header_row + 1
        self.info = SheetInfo("csv", encoding, delimiter, path.stem, header_row, headers)

    def rows(self) -> Iterator[SheetRow]:
        width = len(self.info.headers)
        number, count = self._next_number, 0
        try:
            for cells in self._rows:
                if any(cell.strip() for cell in cells):
                    count += 1
                    if count > MAX_ROWS:
                        raise _refuse(self._path, _("it has more than {n} rows.").format(n=MAX_ROWS))
                    padded = (*cells[:width], *([""] * (width - len(cells))))
                    yield SheetRow(number, padded)
                number = self._rows.line_num + 1
        except csv.Error as exc:
            raise _refuse(self._path, _("line {line}: {reason}").format(line=self._rows.line_num, reason=exc)) from exc

    def close(self) -> None:
        pass


class XlsxSheet:
    def __init__(self, path: Path) -> None:
        import openpyxl  # only when a workbook is read: the window starts without it
        from openpyxl.utils.exceptions import InvalidFileException

        self._path = path
        try:
            self._book: Any = openpyxl.load_workbook(path, read_only=True, data_only=True)
            sheet = self._book.worksheets[0]
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
            raise _refuse(path, _("it is not an XLSX workbook that can be read.")) from exc
        self._sheet = sheet
        self._formula_book: Any = None
        self._merged: dict[int, list[CellProblem]] = {}
        has_formulas = self._scan_xml(sheet)
        if has_formulas:  # the formulas themselves come from a second, formula-keeping reader
            self._formula_book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        self._iterator = self._numbered_rows()
        header_row, headers, header_problems = 0, (), ()
        for number, values, problems in self._iterator:
            texts = tuple(cell_text(v).strip() for v in values[:MAX_COLUMNS])
            if any(texts):
                header_row, headers, header_problems = number, texts, problems
                break
        if not headers:
            self.close()
            raise _refuse(path, _("the first sheet is empty."))
        while headers and not headers[-1]:
            headers = headers[:-1]
        self.info = SheetInfo("xlsx", "", "", sheet.title, header_row, headers, header_problems)

    def _scan_xml(self, sheet: Any) -> bool:
        """Whether the sheet holds formulas; its merged ranges go to self._merged by row."""
        has_formulas, carry = False, b""
        with self._book._archive.open(sheet._worksheet_path) as source:  # what read-only mode parses
            while chunk := source.read(1 << 20):
                window = carry + chunk
                has_formulas = has_formulas or bool(_FORMULA_TAG.search(window))
                for found in _MERGE_TAG.finditer(window):  # one straddling two chunks is seen whole
                    self._add_merge(found)
                carry = window[-200:]
        return has_formulas

    def _add_merge(self, found: re.Match[bytes]) -> None:
        first_col, first_row = found.group(1).decode(), int(found.group(2))
        last_col = (found.group(3) or found.group(1)).decode()
        last_row = int(found.group(4) or found.group(2))
        cells = f"{first_col}{first_row}:{last_col}{last_row}"
        problem = CellProblem(_column_index(first_col), "merged", cells)
        for row in range(first_row, min(last_row, first_row + MAX_ROWS) + 1):
            if problem not in self._merged.setdefault(row, []):
                self._merged[row].append(problem)

    def _numbered_rows(self) -> Iterator[tuple[int, tuple[object, ...], tuple[CellProblem, ...]]]:
        values_rows = self._sheet.iter_rows(values_only=True)
        first_row = self._sheet.min_row or 1
        if self._formula_book is None:
            for number, values in enumerate(values_rows, start=first_row):
                yield number, values, tuple(self._merged.get(number, ()))
            return
        formula_rows = self._formula_book.worksheets[0].iter_rows()
        for number, (values, cells) in enumerate(zip(values_rows, formula_rows, strict=False), start=first_row):
            problems = list(self._merged.get(number, ()))
            patched = list(values)
            for index, cell in enumerate(cells[:MAX_COLUMNS]):
                if getattr(cell, "data_type", None) == "f" and (index >= len(values) or values[index] is None):
                    problems.append(CellProblem(index, "formula", f"{_column_letters(index)}{number}"))
            yield number, tuple(patched), tuple(problems)

    def rows(self) -> Iterator[SheetRow]:
        width, count = len(self.info.headers), 0
        try:
            for number, values, problems in self._iterator:
                texts = tuple(cell_text(v).strip() for v in values[:width])
                if not any(texts) and not problems:
                    continue
                count += 1
                if count > MAX_ROWS:
                    raise _refuse(self._path, _("it has more than {n} rows.").format(n=MAX_ROWS))
                yield SheetRow(number, (*texts, *([""] * (width - len(texts)))), problems)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
            raise _refuse(self._path, _("the workbook is damaged ({reason}).").format(reason=exc)) from exc

    def close(self) -> None:
        for book in (self._book, self._formula_book):
            if book is not None:
                book.close()
