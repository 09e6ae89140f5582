"""desktop_app.files: output files checked before any work, and published together with a record."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.errors import UserFacingError
from desktop_app.files import check_target, staged_file


class CommitFailed(Exception):
    pass


def test_a_failure_after_publishing_removes_the_published_file(tmp_path: Path) -> None:
    """The record's commit fails after the file took its name: no file without its record."""
    out = tmp_path / "certificado.pdf"
    with pytest.raises(CommitFailed), staged_file(out, b"%PDF") as publish:
        publish()
        assert out.read_bytes() == b"%PDF"
        raise CommitFailed
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("english_ui")
def test_a_staged_file_never_replaces_one_that_appeared_meanwhile(tmp_path: Path) -> None:
    out = tmp_path / "certificado.pdf"
    with pytest.raises(UserFacingError, match="already exists"), staged_file(out, b"new") as publish:
        out.write_bytes(b"someone else's")
        publish()
    assert out.read_bytes() == b"someone else's"
    assert list(tmp_path.iterdir()) == [out]


def test_a_published_file_stays_when_the_block_succeeds(tmp_path: Path) -> None:
    out = tmp_path / "certificado.pdf"
    with staged_file(out, b"%PDF") as publish:
        publish()
    assert out.read_bytes() == b"%PDF" and list(tmp_path.iterdir()) == [out]


@pytest.mark.parametrize("name", ["a" * 300 + ".pdf", "missing/x.pdf", "nul\x00.pdf"])
def test_check_target_refuses_names_the_system_cannot_create(tmp_path: Path, name: str) -> None:
    with pytest.raises(UserFacingError):
        check_target(tmp_path / name)
