"""The `makersupport` command line, run as a user runs it: a separate process."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import argon2
import pytest

from tests.conftest import make_settings, signed_in_env


def run(*args: str, data_dir: Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MAKERSUPPORT_DATA_DIR": str(data_dir),
        "MAKERSUPPORT_LANG": lang,
        "QT_QPA_PLATFORM": "offscreen",
        **signed_in_env(),  # the demo administrator: commands that change data sign in
    }
    env.pop("MAKERSUPPORT_DB_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_queue_json_prints_the_open_queue_in_policy_order(demo_folder: Path) -> None:
    url = make_settings(demo_folder).db_url
    result = run("--db", url, "queue", "--json", data_dir=demo_folder)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and set(rows[0]) >= {
        "number",
        "customer",
        "plan",
        "severity",
        "status",
        "received_at",
        "due_at",
    }
    rank = {"premium": 1, "profesional": 2, "basico": 3, "garantia": 4}
    severity = {"critica": 1, "alta": 2, "media": 3, "baja": 4}
    keys = [(rank[r["plan"]], severity[r["severity"]], r["received_at"]) for r in rows]
    assert keys == sorted(keys)
    assert all(r["status"] in ("new", "in_progress", "waiting_customer") for r in rows)


def test_db_upgrade_then_demo_if_empty_loads_once(tmp_path: Path) -> None:
    first = run("db", "upgrade", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "makersupport.sqlite3").is_file()
    loaded = run("demo", "--if-empty", data_dir=tmp_path)
    assert loaded.returncode == 0 and "661 tickets" in loaded.stdout
    # The command hashes with the production Argon2id parameters (the test processes use cheaper ones:
    # tests/conftest.py), one salt per demo user.
    with sqlite3.connect(tmp_path / "makersupport.sqlite3") as db:
        hashes = [row[0] for row in db.execute("SELECT password_hash FROM users")]
    assert len(hashes) == 12 and len(set(hashes)) == 12
    assert all(argon2.extract_parameters(h) == argon2.profiles.RFC_9106_LOW_MEMORY for h in hashes)
    again = run("demo", "--if-empty", data_dir=tmp_path)
    assert again.returncode == 0 and "already has data" in again.stdout


def test_environment_variable_selects_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    env_dir = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "db", "upgrade"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "MAKERSUPPORT_DB_URL": url,
            "MAKERSUPPORT_DATA_DIR": str(env_dir),
            "MAKERSUPPORT_LANG": "en",
        },
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "elsewhere.sqlite3").is_file()


@pytest.mark.parametrize(
    ("make_target", "expected"),
    [
        (lambda p: f"sqlite:///{p / 'missing' / 'x.sqlite3'}", "does not exist"),
        (lambda p: "not a url at all", "not a valid database address"),
        (lambda p: "nonsense://", "Cannot use the database"),
    ],
)
def test_bad_database_gets_a_message_not_a_traceback(tmp_path: Path, make_target, expected: str) -> None:  # type: ignore[no-untyped-def]
    result = run("--db", make_target(tmp_path), "queue", data_dir=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_corrupt_file_is_refused_and_kept(tmp_path: Path) -> None:
    target = tmp_path / "thesis.sqlite3"
    target.write_text("Capítulo 1. Introducción\n" * 50, encoding="utf-8")
    before = target.read_bytes()
    result = run("--db", f"sqlite:///{target}", "db", "upgrade", data_dir=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not a makeR Soporte database" in result.stderr
    assert target.read_bytes() == before


def test_messages_are_spanish_by_default(tmp_path: Path) -> None:
    result = run("--db", f"sqlite:///{tmp_path / 'no' / 'x.sqlite3'}", "queue", data_dir=tmp_path, lang="es_CO")
    assert result.returncode == 2
    assert "no existe" in result.stderr


def test_gui_smoke_opens_and_closes(demo_folder: Path) -> None:
    result = run("--db", make_settings(demo_folder).db_url, "gui", "--smoke", data_dir=demo_folder)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
