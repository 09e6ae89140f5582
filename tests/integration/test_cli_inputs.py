"""Bad command-line input (issue 12, "Inputs"): a clear message and exit 2, never a traceback.

The CLI is driven in-process through `desktop_app.cli.main`, on a copy of the demo database, so an
uncaught exception fails the test with its traceback instead of hiding in a child's stderr.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desktop_app.bootstrap import build_services
from desktop_app.cli import main
from desktop_app.services.clock import FixedClock
from tests.conftest import DEMO_NOW, make_settings, signed_in_env


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own data folder (signing key, automatic backups), as each installation has."""
    monkeypatch.setenv("MAKERSUPPORT_DATA_DIR", str(tmp_path / "installation"))
    for name, value in signed_in_env().items():  # the demo administrator: commands that change data sign in
        monkeypatch.setenv(name, value)


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


def _contract_in_force(folder: Path) -> str:
    """An invoice number the command line can certify (a key made first, as `certificate keygen` does)."""
    assert main(["--db", make_settings(folder).db_url, "certificate", "keygen"]) == 0
    services = build_services(make_settings(folder), clock=FixedClock(DEMO_NOW))
    try:
        return next(
            c.invoice_number for c in services.contracts.list_contracts() if services.contracts.state_of(c).in_force
        )
    finally:
        services.close()


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_an_out_file_name_too_long_is_refused_naming_it_and_leaves_nothing(
    demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice = _contract_in_force(demo_folder)
    outputs = tmp_path / "out"
    outputs.mkdir()
    long_name = outputs / ("a" * 300 + ".pdf")
    assert cli(demo_folder, "certificate", "issue", "--contract", invoice, "--out", str(outputs / "c.pdf")) == 0
    number = capsys.readouterr().out.split()[1]
    before = _files(outputs)
    for args in (
        ("labels", "--machines", "MK-R2-230055"),
        ("certificate", "issue", "--contract", invoice),
        ("certificate", "reprint", number),
        ("backup",),
    ):
        assert cli(demo_folder, *args, "--out", str(long_name)) == 2, args
        err = capsys.readouterr().err
        assert str(long_name) in err and "cannot be written" in err, args
    assert _files(outputs) == before


OUT_COMMANDS = [("backup",), ("labels", "--machines", "MK-R2-230055")]


@pytest.mark.parametrize("command", OUT_COMMANDS)
def test_an_out_file_under_a_regular_file_is_refused_naming_it(
    demo_folder: Path, tmp_path: Path, command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    """A file where the folder should be (NotADirectoryError, for root too)."""
    not_a_folder = tmp_path / "afile"
    not_a_folder.write_text("x")
    assert cli(demo_folder, *command, "--out", str(not_a_folder / "x.db")) == 2
    err = capsys.readouterr().err
    assert str(not_a_folder / "x.db") in err and "is a file, not a folder" in err
    assert not_a_folder.read_text() == "x"


@pytest.mark.parametrize("command", OUT_COMMANDS)
def test_an_out_file_in_a_folder_this_user_cannot_write_is_refused_naming_it(
    demo_folder: Path,
    tmp_path: Path,
    command: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The tests run as root, who may write anywhere: the folder's permission answer is the system's
    for any other user (access(2) says no), which is what a PermissionError would follow from."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p) != locked and real_access(p, mode, **kw))
    assert cli(demo_folder, *command, "--out", str(locked / "x.db")) == 2
    err = capsys.readouterr().err
    assert str(locked / "x.db") in err and "not writable" in err
    assert list(locked.iterdir()) == []


def _certificate_rows(folder: Path) -> tuple[int, int]:
    """(certificates recorded, certificate audit rows) in the database file."""
    with closing(sqlite3.connect(folder / "makersupport.sqlite3")) as db:
        (certificates,) = db.execute("SELECT count(*) FROM certificates").fetchone()
        (audited,) = db.execute("SELECT count(*) FROM audit_log WHERE entity = 'certificate'").fetchone()
    return certificates, audited


def test_certificate_issue_into_a_missing_folder_uses_no_number(
    demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice = _contract_in_force(demo_folder)
    before = _certificate_rows(demo_folder)
    out = tmp_path / "missing-folder" / "x.pdf"
    assert cli(demo_folder, "certificate", "issue", "--contract", invoice, "--out", str(out)) == 2
    assert "does not exist" in capsys.readouterr().err
    assert _certificate_rows(demo_folder) == before
    assert not out.parent.exists()


def test_certificate_issue_whose_file_cannot_take_its_name_records_nothing(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The PDF fails at the last step (the name is taken by another program meanwhile): no number is
    used, no half file is left, and the next attempt gets the number this one would have had."""
    invoice = _contract_in_force(demo_folder)
    before = _certificate_rows(demo_folder)
    out = tmp_path / "out" / "x.pdf"
    out.parent.mkdir()

    def taken(source: object, target: object) -> None:
        raise FileExistsError(17, "File exists")

    with monkeypatch.context() as patch:
        patch.setattr(os, "link", taken)
        assert cli(demo_folder, "certificate", "issue", "--contract", invoice, "--out", str(out)) == 2
    assert "already exists" in capsys.readouterr().err
    assert _certificate_rows(demo_folder) == before
    assert list(out.parent.iterdir()) == []
    assert cli(demo_folder, "certificate", "issue", "--contract", invoice, "--out", str(out)) == 0
    assert out.is_file() and _certificate_rows(demo_folder) == (before[0] + 1, before[1] + 1)
