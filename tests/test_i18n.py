"""The Spanish catalogue is complete: every string the code passes to _() has a translation that
keeps its {placeholders}. English is the source language, so it needs no catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from desktop_app import i18n
from desktop_app.i18n import _

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "resources" / "i18n" / "es_CO" / "LC_MESSAGES" / "makersupport.po"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _source_messages() -> set[str | tuple[str, ...]]:
    found: set[str | tuple[str, ...]] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "desktop_app"), method_map=[("**.py", "python")], keywords={"_": None, "ngettext": (1, 2)}
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def _catalog() -> dict[str, str | tuple[str, ...]]:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (m.string if isinstance(m.string, str) else tuple(m.string))
        for m in catalog
        if m.id
    }


def test_every_ui_string_has_a_spanish_translation() -> None:
    catalog = _catalog()
    missing = []
    for message in _source_messages():
        key = message if isinstance(message, str) else message[0]
        translated = catalog.get(key)
        if not translated or (isinstance(translated, tuple) and not all(translated)):
            missing.append(key)
    assert missing == []


def test_translations_keep_their_placeholders() -> None:
    wrong = []
    for msgid, msgstr in _catalog().items():
        strings = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        for text in strings:
            if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text)):
                wrong.append((msgid, text))
    assert wrong == []


def test_spanish_is_the_default_and_english_is_selectable() -> None:
    assert i18n.install(None) == "es_CO" or i18n.current_language() == "es_CO"
    assert _("Ticket queue") == "Cola de tickets"
    i18n.install("en")
    assert _("Ticket queue") == "Ticket queue"
    i18n.install("xx_YY")  # unknown: fall back to Spanish, never fail
    assert _("Ticket queue") == "Cola de tickets"
