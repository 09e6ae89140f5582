"""Bad command-line input (issue 12, "Inputs"): a clear message and exit 2, never a traceback.

The CLI is driven in-process through `desktop_app.cli.main`, on a copy of the demo database, so an
uncaught exception fails the test with its traceback instead of hiding in a child's stderr.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.cli import main
from tests.conftest import make_settings


def cli(folder: Path, *args: str) -> int:
    return main(["--db", make_settings(folder).db_url, "--lang", "en", *args])


@pytest.mark.parametrize(
    "args",
    [
        ("calendar", "add", "9999-12-31T23:00", "10"),
        ("calendar", "between", "0001-01-01", "9999-12-31"),
        ("calendar", "add", "1899-12-31T09:00", "1"),
        ("calendar", "between", "2026-01-01", "2201-01-01"),
    ],
)
def test_calendar_refuses_dates_out_of_range(
    demo_folder: Path, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(demo_folder, *args) == 2
    err = capsys.readouterr().err
    assert "out of range" in err and "1900" in err and "2200" in err


def test_calendar_within_range_still_answers(demo_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(demo_folder, "calendar", "add", "2200-12-31T09:00", "100000") == 0
    assert capsys.readouterr().out.startswith("22")


@pytest.mark.parametrize(
    "args",
    [
        ("labels", "--customer", "99999999999999999999999"),
        ("labels", "--customer", "9223372036854775808"),  # 2**63: one past the largest id
        ("labels", "--customer", "²"),
        ("certificate", "issue", "--contract", "99999999999999999999999"),
    ],
)
def test_an_id_too_large_for_the_database_is_no_such_customer_or_contract(
    demo_folder: Path, tmp_path: Path, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.pdf"
    assert cli(demo_folder, *args, "--out", str(out)) == 2
    assert "There is no" in capsys.readouterr().err
    assert not out.exists()


def test_verify_reads_a_very_long_certificate_text_as_text_not_as_a_file_name(
    demo_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = "https://somosmaker.com/soporte/c/" + "a" * 100_000
    assert cli(demo_folder, "certificate", "verify", code) == 1
    assert "not a makeR certificate code" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["missing.pdf", "folder", "nested/" + "a" * 300])
def test_verify_a_missing_file_or_a_folder_is_unreadable_input(
    demo_folder: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README: exit 2 for unreadable input (not 1, which says the certificate is not valid)."""
    (tmp_path / "folder").mkdir()
    assert cli(demo_folder, "certificate", "verify", str(tmp_path / name)) == 2
    assert "cannot be read" in capsys.readouterr().err
