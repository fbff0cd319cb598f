"""Offline geocoder: what a person types, turned into a ``Place``.

Accepted forms, and the precision of the answer:

- ``41.53, -88.08`` or ``41.53 -88.08``: latitude then longitude in decimal degrees (point)
- ``60432`` or ``60432-1234``: a ZIP code; the +4 adds nothing to the location (zip)
- ``Joliet, IL``, ``Joliet IL``, ``Joliet, Illinois``: a city or town (city)
- ``Will County, IL``, ``Orleans Parish, LA``, ``Will County``: a county (county)
- ``123 Main St, Joliet, IL 60432``: an address, located by its ZIP code (zip) or, with no
  ZIP code, by its city (city); the label says so
- ``Joliet``: a city name alone, when only one state has a place of that name (city)

Input matching several places raises ``Ambiguous`` with every candidate; it never guesses.
Malformed input raises ``InvalidInput`` listing these forms; a well-formed name or ZIP code
that is not known raises ``NotFound``, with "did you mean" suggestions for misspelt names.

ZIP codes and city points come from the PyPI package ``zipcodes`` (its data ships inside
the package). A city's point is the plain mean of its ZIP code points: a population-free
centre that lands in the middle of the ZIP codes people use for it. ZIP codes the package
marks inactive (retired by USPS) are still answered when typed, because an old address
still names a real place, but they are left out of city points and suggestions. ZIP codes
whose point the package gives as 0, 0 (APO/FPO military codes, a few Pacific islands) have
no location and are reported as such. Counties come from ``locator.geodata``.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import gc
import heapq
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import zipcodes

from locator import geodata
from locator.errors import N_, Ambiguous, InvalidInput, NotFound, Phrase
from locator.geo import valid_lat_lon
from locator.geodata import State, name_key
from locator.places import Place, Precision

# How an address without a street-level location was placed, by the precision used.
_ADDRESS_NOTES = {Precision.ZIP: N_("address located by ZIP code"),
                  Precision.CITY: N_("address located by city"),
                  Precision.COUNTY: N_("address located by county")}
# (code, a state was named, there are suggestions) -> the message for a name not found.
_NOT_FOUND = {
    ("unknown_city", False, False):
        N_("no city or town named '%(name)s'; check the spelling, or give a ZIP code"),
    ("unknown_city", True, False):
        N_("no city or town named '%(name)s' in %(state)s; check the spelling, or give a "
           "ZIP code"),
    ("unknown_city", False, True):
        N_("no city or town named '%(name)s'; did you mean %(suggestions)s?"),
    ("unknown_city", True, True):
        N_("no city or town named '%(name)s' in %(state)s; did you mean %(suggestions)s?"),
    ("unknown_county", False, False):
        N_("no county named '%(name)s'; check the spelling, or give a ZIP code"),
    ("unknown_county", True, False):
        N_("no county named '%(name)s' in %(state)s; check the spelling, or give a ZIP code"),
    ("unknown_county", False, True):
        N_("no county named '%(name)s'; did you mean %(suggestions)s?"),
    ("unknown_county", True, True):
        N_("no county named '%(name)s' in %(state)s; did you mean %(suggestions)s?"),
}
MAX_QUERY_CHARS = 200
MAX_SUGGESTIONS = 50

_ZIP = re.compile(r"(?P<zip>\d{5})(?:[-\s]?\d{4})?")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_LAT_LON = re.compile(rf"(?P<lat>{_NUMBER})\s*(?:,|\s)\s*(?P<lon>{_NUMBER})")
_TRAILING_ZIP = re.compile(r"(?P<address>.*?\D)[\s,]+(?P<zip>\d{5})(?:-\d{4})?")
_DIGITS = re.compile(r"\d[\d\s-]*")
_COUNTY = re.compile(r"(?P<name>.+?)\s+(?P<term>county|parish|borough|census area|"
                     r"city and borough|municipality|municipio)", re.IGNORECASE)
# Spanish puts the term first: "Condado de Cook", "condado Cook", "Parroquia de Orleans".
_SPANISH_COUNTY = re.compile(r"(?P<term>condado|parroquia|municipio)\s+(?P<name>.+)",
                             re.IGNORECASE)
_SPANISH_OF = re.compile(r"(?:de la|del|de)\s+(?P<name>.+)", re.IGNORECASE)
_SPANISH_TERMS = {"condado": "county", "parroquia": "parish", "municipio": "municipio"}
_COUNTRY = re.compile(r"[\s,]+(?:usa|us|u\.s\.a?\.?|united states(?: of america)?)$",
                      re.IGNORECASE)
# The longest state name, "Commonwealth of the Northern Mariana Islands", has 6 words.
_MAX_STATE_WORDS = 6


@dataclass(frozen=True, slots=True)
class ZipCode:
    code: str
    city: str
    state: str  # USPS
    lat: float
    lon: float
    active: bool
    other_names: tuple[str, ...] = ()  # other city names USPS accepts for this code

    @property
    def located(self) -> bool:
        return (self.lat, self.lon) != (0.0, 0.0)

    @property
    def label(self) -> str:
        return f"{self.city}, {self.state} {self.code}"

    def place(self, label: str | None = None) -> Place:
        return Place(label or self.label, self.lat, self.lon, Precision.ZIP, state=self.state)


@dataclass(frozen=True, slots=True)
class _City:
    place: Place
    zip_count: int  # ZIP codes behind the point: a population-free hint of size
    own_name: bool  # False when USPS only accepts the name for other cities' ZIP codes


@dataclass(frozen=True, slots=True)
class Town:
    """A city or town with ZIP codes of its own, for map labels."""

    name: str
    state: str  # USPS
    lat: float
    lon: float
    zip_count: int  # ZIP codes behind the point: a population-free hint of size


@dataclass(frozen=True, slots=True)
class _Reading:
    """One way to read a query: a place name, maybe a state, maybe a county term."""

    name: str
    state: State | None
    county_term: str | None = None
    from_address: bool = False  # the name is the last part of a street address


class Geocoder:
    """Resolves queries to places; the lookup tables are built once, at construction.

    ``zip_records`` are dicts in the layout of the ``zipcodes`` package, whose whole data
    set is the default. ``bench/geocode.py`` on a busy 2-core machine: construction ~1.1 s,
    half of it the package handing over its 42,789 records, half building the tables;
    answers in 3-13 µs, a misspelling's "did you mean" in ~2 ms.
    """

    def __init__(self, zip_records: Iterable[Mapping[str, Any]] | None = None) -> None:
        with _cyclic_gc_paused():
            self._zips = _zip_table(_package_zip_records() if zip_records is None
                                    else zip_records)
            self._build_name_tables()

    def _build_name_tables(self) -> None:
        self._cities = _city_table(self._zips.values())
        self._city_keys_by_state = _own_name_keys_by_state(self._cities)
        self._zip_codes = sorted(code for code, z in self._zips.items() if z.active and z.located)
        self._completions = _completion_table(self._cities)
        self._completion_keys = [key for key, _ in self._completions]

    def geocode(self, text: str) -> Place:
        """The one place ``text`` names; see the module docstring for the accepted forms."""
        query = _clean(text)
        if match := _ZIP.fullmatch(query):
            return self._zip(match["zip"]).place()
        if match := _LAT_LON.fullmatch(query):
            return _point(match["lat"], match["lon"])
        if match := _TRAILING_ZIP.fullmatch(query):
            return self._address_by_zip(match["address"], match["zip"])
        if _DIGITS.fullmatch(query):
            raise InvalidInput("'%(query)s' is not a ZIP code: a ZIP code has 5 digits "
                               "(60432) or 5+4 (60432-1234)", code="bad_zip",
                               parameter="query", query=query)
        if not re.search(r"[^\W\d_]", query):
            raise InvalidInput("could not read '%(query)s': expected a ZIP code (60432), a "
                               "city and state (Joliet, IL), a county (Will County, IL), an "
                               "address with its ZIP code, or latitude and longitude "
                               "(41.53, -88.08)", code="unreadable_query", parameter="query",
                               query=query)
        return self._named_place(query)

    def suggest(self, prefix: str, limit: int = 10) -> list[Place]:
        """Completions for a partly typed city or ZIP code, largest cities first.

        Each suggestion's label geocodes back to the same place.
        """
        if not 1 <= limit <= MAX_SUGGESTIONS:
            raise InvalidInput("limit must be between 1 and %(max)s, got %(value)s",
                               code="out_of_range", parameter="limit", max=MAX_SUGGESTIONS,
                               value=limit)
        prefix = " ".join(prefix.split())
        if prefix.isdigit():
            return self._suggest_zips(prefix[:5], limit)
        key = name_key(prefix, partial=True)
        if not key:
            return []
        start = bisect.bisect_left(self._completion_keys, key)
        end = bisect.bisect_right(self._completion_keys, key + "\x7f")
        best = heapq.nsmallest(limit, (city for _, city in self._completions[start:end]),
                               key=lambda c: (-c.zip_count, c.place.label))
        return [c.place for c in best]

    def towns(self) -> list[Town]:
        """Every city or town that has ZIP codes under its own name."""
        return [Town(city.place.label.rsplit(", ", 1)[0], state, city.place.lat,
                     city.place.lon, city.zip_count)
                for by_state in self._cities.values() for state, city in by_state.items()
                if city.own_name]

    # --- ZIP codes and coordinates ----------------------------------------------------

    def _zip(self, code: str) -> ZipCode:
        found = self._zips.get(code)
        if found is None:
            raise NotFound("ZIP code %(zip)s is not known", code="unknown_zip", zip=code)
        if not found.located:
            raise NotFound("ZIP code %(zip)s (%(city)s, %(state)s) has no location on file "
                           "(military APO/FPO and some Pacific island codes)",
                           code="unlocated_zip", zip=code, city=found.city, state=found.state)
        return found

    def _address_by_zip(self, address: str, code: str) -> Place:
        """A street address located by its ZIP code, after checking it names that state."""
        found = self._zip(code)
        stated = _trailing_state(address.rstrip(" ,"))
        if stated is not None and stated.abbr != found.state:
            raise InvalidInput("ZIP code %(zip)s is in %(zip_state)s, but the address names "
                               "%(state)s: check the ZIP code", code="zip_state_mismatch",
                               parameter="query", zip=code, zip_state=found.state,
                               state=stated.abbr)
        if name_key(address) == name_key(f"{found.city} {found.state}"):
            return found.place()
        return _noted(found.place(), _ADDRESS_NOTES[Precision.ZIP])

    def _suggest_zips(self, prefix: str, limit: int) -> list[Place]:
        start = bisect.bisect_left(self._zip_codes, prefix)
        codes = self._zip_codes[start:start + limit]
        return [self._zips[c].place() for c in codes if c.startswith(prefix)]

    # --- names ------------------------------------------------------------------------

    def _named_place(self, query: str) -> Place:
        readings = list(_readings(query))
        for reading in readings:
            places = self._places(reading)
            if len(places) == 1:
                return places[0]
            if places:
                raise Ambiguous("'%(query)s' matches %(count)s places; add the state to choose "
                                "one, e.g. '%(example)s'", candidates=places, query=query,
                                count=len(places), example=places[0].label)
        if readings[-1].state is None and _whole_state(query):
            raise InvalidInput("'%(query)s' is a whole state: give a city, county or ZIP code "
                               "in it", code="whole_state", parameter="query", query=query)
        raise self._not_found(readings[0])

    def _places(self, reading: _Reading) -> list[Place]:
        if reading.county_term:
            places = _county_places(reading.name, reading.county_term, reading.state)
        else:
            places = self._city_places(reading.name, reading.state)
        if reading.from_address:
            places = [_noted(p, _ADDRESS_NOTES[p.precision]) for p in places]
        return places

    def _city_places(self, name: str, state: State | None) -> list[Place]:
        by_state = self._cities.get(name_key(name), {})
        if state is not None:
            found = by_state.get(state.abbr)
            return [found.place] if found else []
        ranked = sorted(by_state.values(), key=lambda c: (-c.zip_count, c.place.label))
        return [c.place for c in ranked]

    def _not_found(self, reading: _Reading) -> NotFound:
        """No such place: the error names what was looked for, and what may have been meant."""
        code = "unknown_county" if reading.county_term else "unknown_city"
        suggestions = tuple(self._did_you_mean(reading))
        message = _NOT_FOUND[(code, reading.state is not None, bool(suggestions))]
        params: dict[str, str | tuple[str | Phrase, ...]] = {"name": reading.name}
        if reading.state:
            params["state"] = reading.state.name
        if suggestions:
            params["suggestions"] = suggestions
        return NotFound(message, code=code, **params)  # type: ignore[arg-type]

    def _did_you_mean(self, reading: _Reading) -> list[str | Phrase]:
        key = name_key(reading.name)
        state = reading.state.abbr if reading.state else None
        if reading.county_term:
            by_key: dict[str, list[geodata.County]] = defaultdict(list)
            for c in geodata.counties():
                if state in (None, c.state):
                    by_key[name_key(c.name)].append(c)
            return [_county_suggestion(by_key[k])
                    for k in difflib.get_close_matches(key, by_key, n=3, cutoff=0.75)]
        keys = self._city_keys_by_state.get(state, [])
        names = [_suggestion(self._city_places(k, reading.state))
                 for k in difflib.get_close_matches(key, keys, n=3, cutoff=0.75)]
        return [*names, *(c.label_phrase for c in geodata.counties_named(reading.name, state))]


@cache
def default_geocoder() -> Geocoder:
    """The geocoder over the ``zipcodes`` package data, built once per process."""
    return Geocoder()


# --- reading the query --------------------------------------------------------------------

def _clean(text: str) -> str:
    query = _COUNTRY.sub("", " ".join(text.split()))
    if not query:
        raise InvalidInput("nothing to look up: enter a ZIP code (60432), a city and state "
                           "(Joliet, IL), a county (Will County, IL), an address with its ZIP "
                           "code, or latitude and longitude (41.53, -88.08)",
                           code="empty_query", parameter="query")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput("the query is longer than %(max)s characters", code="query_too_long",
                           parameter="query", max=MAX_QUERY_CHARS)
    return query


def _point(lat_text: str, lon_text: str) -> Place:
    lat, lon = float(lat_text), float(lon_text)
    if not valid_lat_lon(lat, lon):
        raise InvalidInput("(%(lat)s, %(lon)s) is out of range: give latitude first "
                           "(-90 to 90), then longitude (-180 to 180)",
                           code="coordinates_out_of_range", parameter="query", lat=lat_text,
                           lon=lon_text)
    return Place(f"{_degrees(lat)}, {_degrees(lon)}", lat, lon, Precision.POINT)


def _degrees(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _readings(query: str) -> Iterator[_Reading]:
    """The ways to read a named place, most specific first.

    "Joliet, IL" has one reading. "Port Washington" has two: "Port" in Washington state,
    then "Port Washington" in any state.
    """
    if "," in query:
        head, tail = (part.strip() for part in query.rsplit(",", 1))
        yield _reading(head, _state_after_comma(tail))
        return
    words = query.split(" ")
    for count in range(min(_MAX_STATE_WORDS, len(words) - 1), 0, -1):
        state = _state_or_none(" ".join(words[-count:]))
        if state is not None:
            yield _reading(" ".join(words[:-count]), state)
    yield _reading(query, None)


def _reading(text: str, state: State | None) -> _Reading:
    from_address = "," in text
    name = text.rsplit(",", 1)[-1].strip() if from_address else text
    if not name:
        raise InvalidInput("a place name is missing before the state: expected a ZIP code "
                           "(60432), a city and state (Joliet, IL), a county (Will County, IL), "
                           "an address with its ZIP code, or latitude and longitude "
                           "(41.53, -88.08)", code="missing_place_name", parameter="query")
    if match := _COUNTY.fullmatch(name):
        return _Reading(match["name"], state, match["term"].lower(), from_address)
    if match := _SPANISH_COUNTY.fullmatch(name):
        return _Reading(_spanish_county_name(match["name"], state), state,
                        _SPANISH_TERMS[match["term"].lower()], from_address)
    return _Reading(name, state, None, from_address)


def _spanish_county_name(text: str, state: State | None) -> str:
    """The name after "condado": without "de" ("de Cook"), unless the "De" is the name's own
    ("condado De Kalb", "condado DeSoto")."""
    of = _SPANISH_OF.fullmatch(text)
    if of is None:
        return text
    abbr = state.abbr if state else None
    if not geodata.counties_named(of["name"], abbr) and geodata.counties_named(text, abbr):
        return text
    return of["name"]


def _state_after_comma(text: str) -> State:
    state = _state_or_none(text)
    if state is None:
        raise InvalidInput("'%(state)s' is not a US state: write the state after the comma, "
                           "as in 'Joliet, IL' or 'Joliet, Illinois'", code="unknown_state",
                           parameter="query", state=text)
    return state


def _state_or_none(text: str) -> State | None:
    """The state a USPS abbreviation or name refers to; FIPS codes are not place names here."""
    if not text or text.strip().isdigit():
        return None
    try:
        return geodata.state(text)
    except InvalidInput:
        return None


def _trailing_state(address: str) -> State | None:
    """The state an address ends with, if any ("…, Joliet, IL" or "… Joliet IL")."""
    last = address.rsplit(",", 1)[-1].split(" ")
    for count in range(min(_MAX_STATE_WORDS, len(last)), 0, -1):
        state = _state_or_none(" ".join(last[-count:]))
        if state is not None:
            return state
    return None


def _whole_state(query: str) -> bool:
    return _state_or_none(query) is not None


def _county_places(name: str, term: str, state: State | None) -> list[Place]:
    """Counties of that name; "county" does not match the Census's independent cities."""
    found = geodata.counties_named(name, state.abbr if state else None)
    if term == "county":
        found = [c for c in found if not c.independent_city]
    return [_county_place(c) for c in sorted(found, key=lambda c: c.label)]


def _county_place(county: geodata.County) -> Place:
    return Place(county.label, county.lat, county.lon, Precision.COUNTY, state=county.state,
                 county_fips=county.fips)


def _suggestion(places: list[Place]) -> str | Phrase:
    """How to write a "did you mean": the label, or the name and how many states have it."""
    if len(places) == 1:
        return places[0].label
    return Phrase(N_("%(name)s (%(count)s states)"),
                  {"name": places[0].label.rsplit(",", 1)[0], "count": len(places)})


def _county_suggestion(counties: list[geodata.County]) -> Phrase:
    """As ``_suggestion``, for counties: words another language can reorder."""
    if len(counties) == 1:
        return counties[0].label_phrase
    return Phrase(N_("%(name)s (%(count)s states)"),
                  {"name": counties[0].name_phrase, "count": len(counties)})


def _noted(place: Place, note: str) -> Place:
    """An address's place: the place it lies in, its label ending in how it was located."""
    return dataclasses.replace(place, label=f"{place.label} ({note})", note=note)




# --- building the tables ------------------------------------------------------------------

@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Building the tables allocates ~200,000 objects while the package's records (another
    ~200,000 containers) are alive; the cyclic collector's passes over them cost more than
    the build itself (measured: 1.1 s of CPU with them, 0.5 s without). Nothing built
    here forms a cycle, so pausing the collector loses nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _package_zip_records() -> list[dict[str, Any]]:
    # ``filter_by()`` with no filter returns every record, like ``list_all()``, but without
    # keeping them cached in the package for the life of the process (~90 MB).
    return zipcodes.filter_by()


def _zip_table(records: Iterable[Mapping[str, Any]]) -> dict[str, ZipCode]:
    table = {}
    for record in records:
        # Interned: a few thousand names and sixty states repeat across 42,000 codes.
        table[record["zip_code"]] = ZipCode(
            code=record["zip_code"], city=sys.intern(record["city"]),
            state=sys.intern(record["state"]), lat=float(record["lat"]),
            lon=float(record["long"]), active=bool(record["active"]),
            other_names=tuple(map(sys.intern, record.get("acceptable_cities") or ())),
        )
    return table


def _city_table(zips: Iterable[ZipCode]) -> dict[str, dict[str, _City]]:
    """City key -> state -> the city's point, from the active, located ZIP codes.

    Only states and territories with outlines count: APO/FPO "cities" and the freely
    associated states (Palau, ...) are reachable by ZIP code alone. A city is the ZIP codes
    whose USPS city name it is. Names USPS merely accepts for a
    code ("Hollywood" for 90028, Los Angeles) count only in a state where no ZIP code
    carries that name as its own.
    """
    own: dict[tuple[str, str], list[tuple[str, ZipCode]]] = defaultdict(list)
    accepted: dict[tuple[str, str], list[tuple[str, ZipCode]]] = defaultdict(list)
    keys: dict[str, str] = {}  # 42,000 codes share 30,000 names: fold each name once
    states = frozenset(geodata.USPS_BY_FIPS.values())
    for z in zips:
        if z.active and z.located and z.state in states:
            own[(keys.get(z.city) or keys.setdefault(z.city, name_key(z.city)), z.state)].append(
                (z.city, z))
            for other in z.other_names:
                accepted[(keys.get(other) or keys.setdefault(other, name_key(other)),
                          z.state)].append((other, z))
    table: dict[str, dict[str, _City]] = defaultdict(dict)
    for (key, state), members in accepted.items():
        if (key, state) not in own:
            table[key][state] = _city(members, state, own_name=False)
    for (key, state), members in own.items():
        table[key][state] = _city(members, state, own_name=True)
    return dict(table)


def _city(members: list[tuple[str, ZipCode]], state: str, *, own_name: bool) -> _City:
    spelling = members[0][0]
    if any(name != spelling for name, _ in members):
        # Spellings differ ("Glen Dale", "Glendale"): the most used one names the city,
        # the first alphabetically on a tie.
        counts = Counter(name for name, _ in members)
        spelling = min(counts, key=lambda name: (-counts[name], name))
    lat = round(sum(z.lat for _, z in members) / len(members), 4)
    lon = round(sum(z.lon for _, z in members) / len(members), 4)
    return _City(Place(f"{spelling}, {state}", lat, lon, Precision.CITY, state=state),
                 len(members), own_name)


def _own_name_keys_by_state(cities: dict[str, dict[str, _City]]) -> dict[str | None, list[str]]:
    """City keys per state, and all of them under None, for "did you mean"."""
    keys: dict[str | None, set[str]] = defaultdict(set)
    for key, by_state in cities.items():
        for state, city in by_state.items():
            if city.own_name:
                keys[None].add(key)
                keys[state].add(key)
    return {state: sorted(found) for state, found in keys.items()}


def _completion_table(cities: dict[str, dict[str, _City]]) -> list[tuple[str, _City]]:
    """(key of "city st", city), sorted by key, so a prefix is a contiguous slice.

    Names USPS only accepts for other cities' codes are left out: many are abbreviations
    ("Pembroke Pnes") nobody would pick from a list.
    """
    return sorted(((key + state.lower(), city) for key, by_state in cities.items()
                   for state, city in by_state.items() if city.own_name),
                  key=lambda item: item[0])
