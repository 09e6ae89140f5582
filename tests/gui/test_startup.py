"""Opening the desk on a database it cannot use: a dialog that says why, exit code 2, file untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app import app as desktop_app_module
from desktop_app.config import Settings


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"Informe de mantenimiento, no una base de datos.\n" * 40,
            "no es una base de datos de makeR Soporte",
        ),
        (None, "no existe"),
    ],
)
def test_a_database_that_cannot_be_opened_gets_a_dialog_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None, expected: str
) -> None:
    if content is None:
        target = tmp_path / "missing-folder" / "db.sqlite3"
    else:
        target = tmp_path / "informe.sqlite3"
        target.write_bytes(content)
    shown: list[str] = []
    monkeypatch.setattr(desktop_app_module.QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    code = desktop_app_module.run_gui(Settings(db_url=f"sqlite:///{target}", data_dir=tmp_path, language="es_CO"))
    assert code == 2
    assert len(shown) == 1 and expected in shown[0]
    if content is not None:
        assert target.read_bytes() == content
    else:
        assert not target.parent.exists()
