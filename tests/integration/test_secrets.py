"""Secrets stay secret: no password on a command line, in a message or a log; private file modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.persistence.db import redact_url
from tests.integration.test_cli import run

SECRET = "s3cr3t-XYZ"

MALFORMED_URLS = [
    f"postgresql://u:{SECRET}@127.0.0.1:notaport/db",  # a port that is not a number
    f"postgresql+psycopg://u:{SECRET}@[::1/db",  # an unclosed IPv6 bracket
    f"u:{SECRET}@127.0.0.1/db",  # no scheme
    f"notascheme://u:{SECRET}@127.0.0.1/db",  # an unknown database
    f"postgresql+nodriver://u:{SECRET}@127.0.0.1:1/db",  # an unknown driver
    f"postgresql+psycopg://u:{SECRET}@127.0.0.1:1/db",  # nobody listening
    f"postgresql+psycopg://u@127.0.0.1:1/db?password={SECRET}",  # the password as an option
    f"postgresql+psycopg://u:{SECRET}@127.0.0.1:1/db?sslmode=bogus",
    f"postgresql://u:pa@{SECRET}/x@127.0.0.1:notaport/db",  # "@" and "/" inside the password
]


@pytest.mark.parametrize(
    ("command", "urls"),
    [
        (["queue"], MALFORMED_URLS),
        (["db", "upgrade"], MALFORMED_URLS[::3]),
        (["backup", "--out", "x"], MALFORMED_URLS[1::3]),
    ],
)
def test_a_bad_database_address_never_shows_its_password(tmp_path: Path, command: list[str], urls: list[str]) -> None:
    for url in urls:
        result = run("--db", url, *command, data_dir=tmp_path)
        assert result.returncode != 0, url
        output = result.stdout + result.stderr
        assert SECRET not in output, output
        assert "Traceback" not in output, output
    for written in tmp_path.rglob("*"):
        if written.is_file():
            assert SECRET.encode() not in written.read_bytes(), written


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_redact_url_drops_the_password_and_keeps_the_rest(url: str) -> None:
    shown = redact_url(url)
    assert SECRET not in shown
    assert "127.0.0.1" in shown or "[::1" in shown
