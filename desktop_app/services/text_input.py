"""Text that arrives from a person (typed, pasted, read from a file name) made safe at the service boundary.

One place for every service, so a search box or a description cannot each make up their own rules:

- Search text: NUL and other control characters are dropped (SQLite ends a LIKE pattern at a NUL, so
  "\\x00" matched every record) and the text is cut to `MAX_SEARCH_LENGTH` characters (a 100,000-character
  pattern made SQLite give up with "LIKE or GLOB pattern too complex"). Cut, not refused: the search
  boxes filter as the person types and refresh on timers, where a refusal would have nowhere to show,
  and 200 characters already pin down any ticket, machine or contract.
- Stored text (descriptions, comments): cleaned, not refused. A lone surrogate (half of an emoji from a
  broken paste) becomes U+FFFD "�" and NUL and the other control characters except tab and line breaks
  are removed: the person keeps everything else they wrote instead of retyping it, and the database
  layer can always encode what it gets.
- One-line fields (an invoice number, a city, a plan's name, a person's name or e-mail): cleaned like stored
  text but without line breaks or tabs either, and without surrounding blanks (`clean_line`).
- Attachment file names: cleaned the same way, with no line breaks either, and limited to
  `MAX_FILE_NAME_LENGTH` characters keeping the extension, so a list of files stays readable.
"""

from __future__ import annotations

import re

MAX_SEARCH_LENGTH = 200
MAX_FILE_NAME_LENGTH = 120

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 controls except tab, line feed and carriage return, DEL and the C1 controls.
_CONTROL_KEEPING_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_search(text: str) -> str:
    """Search text without control characters nor lone surrogates, at most `MAX_SEARCH_LENGTH` characters."""
    text = _SURROGATE.sub("", _CONTROL.sub(" ", text))
    return text[:MAX_SEARCH_LENGTH]


def clean_text(text: str) -> str:
    """Text to store: lone surrogates become U+FFFD, NUL and control characters other than tab and line
    breaks are removed."""
    return _CONTROL_KEEPING_LINES.sub("", _SURROGATE.sub("\ufffd", text))


def clean_line(text: str) -> str:
    """A one-line field to store: lone surrogates become U+FFFD, every control character (line breaks and
    tabs too) is removed, and so are the blanks at the ends."""
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text)).strip()


def clean_file_name(name: str) -> str:
    """A file name fit to show and store: no control characters, at most `MAX_FILE_NAME_LENGTH`
    characters (the extension kept), never empty."""
    name = _CONTROL.sub("", _SURROGATE.sub("\ufffd", name)).strip()
    if len(name) > MAX_FILE_NAME_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and len(suffix) <= 10:
            name = stem[: MAX_FILE_NAME_LENGTH - len(suffix) - 2] + "…." + suffix
        else:
            name = name[: MAX_FILE_NAME_LENGTH - 1] + "…"
    return name or "_"  # a name of nothing but control characters: still something to click on
