"""The command line driven with generated bad arguments (issue 12): whatever a person types, the
answer is an exit code of 0, 1 or 2 and a message, never a traceback.

In-process through `desktop_app.cli.main`, so any uncaught exception fails the example with its
own traceback; argparse's usage errors (SystemExit 2) count as the clear message they are.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import make_settings
from tests.fuzz_strategies import cli_arguments as _arguments
from tests.fuzz_strategies import cli_exit_code as _exit_code


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
