"""The start-up schema check without Alembic (issue 11): it must agree with Alembic, and leave every
case it is not sure of to Alembic."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from desktop_app.persistence.db import make_engine
from desktop_app.persistence.migrate import (
    alembic_config,
    head_in,
    head_revision,
    is_at_head,
    is_current,
    shipped_head,
    stored_revisions,
    upgrade_to_head,
)


def test_the_head_read_without_alembic_is_alembics_head() -> None:
    assert shipped_head() is not None
    assert shipped_head() == head_revision()


def _revision_file(folder: Path, name: str, body: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(f'"""{name}\n\nRevision ID: {name}\n"""\n\n{body}\n', encoding="utf-8")


def test_the_head_is_read_from_plain_and_annotated_revision_lines(tmp_path: Path) -> None:
    _revision_file(tmp_path, "0001_a", 'revision = "0001_a"\ndown_revision = None')
    _revision_file(tmp_path, "0002_b", "revision: str = '0002_b'\ndown_revision: str | None = '0001_a'")
    _revision_file(tmp_path, "0003_c", 'revision = "0003_c"\ndown_revision: Union[str, None] = "0002_b"')
    (tmp_path / "__init__.py").write_text("", encoding="utf-8")
    assert head_in(tmp_path) == "0003_c"


@pytest.mark.parametrize(
    "files",
    [
        # no revision line: a file Alembic would read in some other way
        {"0001_a": 'revision = "0001_a"\ndown_revision = None', "0002_b": 'down_revision = "0001_a"'},
        # two heads (a branch not merged yet)
        {
            "0001_a": 'revision = "0001_a"\ndown_revision = None',
            "0002_b": 'revision = "0002_b"\ndown_revision = "0001_a"',
            "0002_c": 'revision = "0002_c"\ndown_revision = "0001_a"',
        },
        # a revision computed, not written
        {"0001_a": "revision = make_id()\ndown_revision = None"},
        # revises a revision that is not shipped
        {"0002_b": 'revision = "0002_b"\ndown_revision = "0001_a"'},
        # no revision files at all (e.g. a bundle without the sources)
        {},
    ],
)
def test_revision_files_in_another_form_leave_the_decision_to_alembic(tmp_path: Path, files: dict[str, str]) -> None:
    tmp_path.mkdir(exist_ok=True)
    for name, body in files.items():
        _revision_file(tmp_path, name, body)
    assert head_in(tmp_path) is None


def test_a_database_one_revision_behind_is_upgraded_not_taken_for_current(tmp_path: Path) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    previous = script.get_revision(script.get_current_head()).down_revision
    assert isinstance(previous, str)
    engine = make_engine(f"sqlite:///{tmp_path / 'behind.sqlite3'}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), previous)
    with engine.connect() as connection:
        assert stored_revisions(connection) == (previous,)
        assert not is_current(connection)
    upgrade_to_head(engine)
    assert is_at_head(engine)
    with engine.connect() as connection:
        assert is_current(connection)
    engine.dispose()


def test_a_new_database_has_no_stored_revision_and_is_not_current(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    with engine.connect() as connection:
        assert stored_revisions(connection) is None
        assert not is_current(connection)
    engine.dispose()
