"""gettext for the whole application, Qt-free so documents/ and the CLI can use it too.

Spanish (Colombia) is the default language; English is the source language of the catalogue.
Placeholders are named and filled with .format() after translation: _("Due {when}").format(when=…).
"""

from __future__ import annotations

import gettext
import os

from desktop_app.paths import resource_path

DOMAIN = "makersupport"
DEFAULT_LANGUAGE = "es_CO"
SUPPORTED_LANGUAGES = ("es_CO", "en")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def install(language: str | None = None) -> str:
    """Choose the UI language: the argument, then MAKERSUPPORT_LANG, then Spanish.

    Returns the language in force. An unknown language falls back to Spanish, not to an error:
    the desk must still open.
    """
    global _translation, _language
    wanted = language or os.environ.get("MAKERSUPPORT_LANG") or DEFAULT_LANGUAGE
    if wanted.split("_")[0] == "en":
        _translation, _language = gettext.NullTranslations(), "en"
        return _language
    if wanted not in SUPPORTED_LANGUAGES:
        wanted = DEFAULT_LANGUAGE
    _translation = gettext.translation(DOMAIN, localedir=str(resource_path("i18n")), languages=[wanted], fallback=True)
    _language = wanted
    return _language


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
