"""The command line driven with generated bad arguments (issue 12): whatever a person types, the
answer is an exit code of 0, 1 or 2 and a message, never a traceback.

In-process through `desktop_app.cli.main`, so any uncaught exception fails the example with its
own traceback; argparse's usage errors (SystemExit 2) count as the clear message they are.
"""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.cli import main
from tests.conftest import make_settings

_TEXT = (
    st.text(max_size=60)
    | st.text(alphabet="0123456789-:T+.Z ", max_size=30)
    | st.sampled_from(
        ["", "-1", "0", "nan", "inf", "1e309", "99999999999999999999999", "9223372036854775808", "²", "\u0660"]
    )
)
_MOMENT = (
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=14)),
                                            timezone(-timedelta(hours=12))])).map(lambda d: d.isoformat())
    | st.dates().map(lambda d: d.isoformat())
    | _TEXT
)  # fmt: skip
_LONG = st.integers(min_value=4000, max_value=120_000).map(lambda n: "https://somosmaker.com/soporte/c/" + "A" * n)
_FILE_NAME = st.text(
    alphabet=st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=300
).filter(lambda name: name not in (".", ".."))


def _arguments(out_folder: str) -> st.SearchStrategy[list[str]]:
    calendar_add = st.tuples(_MOMENT, _TEXT | st.floats().map(str)).map(lambda a: ["calendar", "add", *a])
    calendar_between = st.tuples(_MOMENT, _MOMENT).map(lambda a: ["calendar", "between", *a])
    holidays = _TEXT.map(lambda year: ["calendar", "holidays", "--", year])
    labels = st.tuples(_FILE_NAME, _TEXT).map(lambda a: ["labels", "--out", f"{out_folder}/{a[0]}", "--customer", a[1]])
    verify = (_TEXT | _LONG | _FILE_NAME.map(lambda name: f"{out_folder}/{name}")).map(
        lambda source: ["certificate", "verify", source]
    )
    return st.one_of(calendar_add, calendar_between, holidays, labels, verify)


def _exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:  # argparse: a usage message, exit 2
        return stop.code if isinstance(stop.code, int) else 2


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAKERSUPPORT_DATA_DIR", str(tmp_path / "installation"))


def test_bad_command_line_arguments_never_end_in_a_traceback(demo_folder: Path, tmp_path: Path) -> None:
    out_folder = tmp_path / "out"
    out_folder.mkdir()
    db = ["--db", make_settings(demo_folder).db_url, "--lang", "en"]

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(argv=_arguments(str(out_folder)))
    def one(argv: list[str]) -> None:
        assert _exit_code([*db, *argv]) in {0, 1, 2}, argv

    one()
    assert not [p for p in out_folder.iterdir() if p.name.startswith(".")]  # no temporary file left behind
