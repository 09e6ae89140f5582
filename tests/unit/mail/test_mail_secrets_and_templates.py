"""KeyringSecretStore (the mail passwords) and the shipped templates' loader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from keyring.errors import KeyringError

from desktop_app.domain.mail_templates import TemplateCode, unknown_placeholders
from desktop_app.mail.default_templates import load_default_templates
from desktop_app.mail.secrets import KEYRING_SERVICE, PASSWORD_ENV, KeyringSecretStore
from desktop_app.services.mail_ports import ServerSettings
from tests.memory_keyring import MemoryKeyring


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("locked")


KEY = ServerSettings("smtp.somosmaker.com", 587, user="soporte@somosmaker.com").secret_key("smtp")


def test_password_is_kept_in_the_keyring_under_the_mail_service() -> None:
    backend = MemoryKeyring()
    store = KeyringSecretStore(backend=backend, environ={})
    assert store.put(KEY, "clave secreta ñ") is True
    assert backend.secrets == {
        (KEYRING_SERVICE, "smtp:soporte@somosmaker.com@smtp.somosmaker.com:587"): "clave secreta ñ"
    }
    assert store.get(KEY) == "clave secreta ñ"
    store.delete(KEY)
    assert store.get(KEY) is None
    store.delete(KEY)  # deleting twice is not an error


def test_the_keyring_wins_over_the_environment() -> None:
    backend = MemoryKeyring()
    store = KeyringSecretStore(backend=backend, environ={PASSWORD_ENV: "de-la-variable"})
    assert store.get(KEY) == "de-la-variable"  # nothing stored yet: the variable
    store.put(KEY, "del-llavero")
    assert store.get(KEY) == "del-llavero"


def test_without_a_keyring_nothing_is_kept_and_the_variable_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test machine has no keyring: keyring's "fail" backend, priority 0.
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    store = KeyringSecretStore(environ={PASSWORD_ENV: "de-la-variable"})
    assert store.put(KEY, "x") is False
    assert store.get(KEY) == "de-la-variable"
    store.delete(KEY)
    assert KeyringSecretStore(environ={PASSWORD_ENV: ""}).get(KEY) is None
    monkeypatch.setenv(PASSWORD_ENV, "del-entorno")
    assert KeyringSecretStore().get(KEY) == "del-entorno"


def test_a_locked_keyring_is_not_a_crash() -> None:
    store = KeyringSecretStore(backend=BrokenKeyring(), environ={PASSWORD_ENV: "v"})
    assert store.put(KEY, "x") is False
    assert store.get(KEY) == "v"


def test_every_template_loads_from_the_shipped_files() -> None:
    templates = load_default_templates()
    assert set(templates) == set(TemplateCode)
    for code, template in templates.items():
        assert template.code is code
        assert template.subject and "Asunto" not in template.subject
        assert not template.body.startswith("\n") and template.body.endswith("\n")
        assert unknown_placeholders(template.subject, template.body, code) == ()
        assert template.body.startswith("Hola")
        # "usted", never the informal "tú" forms.
        informal = re.search(r"\b(tu|tú|tienes|puedes|envíanos|escríbenos|responde|cuéntanos)\b", template.body, re.I)
        assert informal is None, (code, informal)


def test_a_missing_template_file_is_an_error_not_a_silent_blank(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        load_default_templates(tmp_path)
