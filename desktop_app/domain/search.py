"""Text folding for search: case- and accent-insensitive, so "medellin" finds "Medellín".

The same fold is applied to the stored search text and to what the user types, in Python, so the
database only needs a plain LIKE (portable to SQLite and PostgreSQL, no collation tricks).
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_document(*parts: str) -> str:
    """One searchable text from the parts a record is found by (a ticket's number, customer, serial and
    description; a machine's serial, model, customer, tax id and city)."""
    return fold(" ".join(part for part in parts if part))
