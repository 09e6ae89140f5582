"""`makersupport calendar`, `sla` and `escalate`: the policy engine checked from a shell."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import make_settings
from tests.integration.test_cli import run


def test_calendar_holidays_lists_iso_dates_and_names(tmp_path: Path) -> None:
    result = run("calendar", "holidays", "2026", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 19
    assert lines[0].startswith("2026-01-01  ") and any(line.startswith("2026-07-13") for line in lines)
    assert any(line.startswith("2026-12-08") for line in lines)


def test_calendar_add_prints_the_due_time_with_its_offset(tmp_path: Path) -> None:
    assert (
        run("calendar", "add", "2026-12-01T09:10", "2", data_dir=tmp_path).stdout.strip() == "2026-12-01T11:10:00-05:00"
    )
    # With an offset: 14:10 UTC is 09:10 in Bogotá.
    assert run("calendar", "add", "2026-12-01T14:10+00:00", "2", data_dir=tmp_path).stdout.strip() == (
        "2026-12-01T11:10:00-05:00"
    )
    assert (
        run("calendar", "add", "2026-12-24T10:00", "40", data_dir=tmp_path).stdout.strip()
        == "2027-01-04T10:00:00-05:00"
    )


def test_calendar_between_prints_working_minutes(tmp_path: Path) -> None:
    # Monday 17:00 to Wednesday 17:00 across the 8 Dec holiday: 1 h + 7 h.
    result = run("calendar", "between", "2026-12-07T17:00", "2026-12-09T17:00", data_dir=tmp_path)
    assert result.stdout.strip() == "480"


def test_calendar_bad_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    for args, expected in (
        (("calendar", "between", "2026-12-09", "2026-12-07"), "before the start"),
        (("calendar", "holidays", "1900"), "between 1984 and 2100"),
        (("calendar", "add", "mañana", "2"), "not a date and time"),
        (("calendar", "add", "2026-12-01T09:00", "-3"), "between 0 and 100000"),
    ):
        result = run(*args, data_dir=tmp_path)
        assert result.returncode == 2, args
        assert expected in result.stderr and "Traceback" not in result.stderr


def test_sla_explains_a_ticket_and_escalate_dry_run_changes_nothing(demo_folder: Path) -> None:
    url = make_settings(demo_folder).db_url
    number = json.loads(run("--db", url, "queue", "--json", data_dir=demo_folder).stdout)[0]["number"]
    report = run("--db", url, "sla", number, data_dir=demo_folder)
    assert report.returncode == 0, report.stderr
    assert number in report.stdout and "Due:" in report.stdout
    missing = run("--db", url, "sla", "SOP-1999-00001", data_dir=demo_folder)
    assert missing.returncode == 2 and "no ticket SOP-1999-00001" in missing.stderr
    first = run("--db", url, "escalate", "--dry-run", data_dir=demo_folder)
    second = run("--db", url, "escalate", "--dry-run", data_dir=demo_folder)
    assert first.returncode == 0 and first.stdout == second.stdout
