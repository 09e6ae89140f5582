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
