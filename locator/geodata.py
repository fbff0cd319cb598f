"""US states and counties from the shipped outlines (``geodata/``).

Lookups by name, abbreviation or FIPS code; the county a point lies in; how far a point lies
outside a state. The files load lazily on first use and stay cached for the process.

The outlines are generalised (1:10,000,000): near a boundary a point can fall in the
neighbouring county, or off the coast in none. Where a source gives a county code, keep it;
``county_fips_at`` is for when it does not.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import shape

import geodata
from locator.errors import N_, InvalidInput, NotFound, Phrase
from locator.geo import EARTH_RADIUS_MI, valid_lat_lon

# Census state FIPS code -> USPS abbreviation, for every state-level area in us-atlas 3.0.1:
# the 50 states, DC, Puerto Rico and the four inhabited territories it carries.
USPS_BY_FIPS: dict[str, str] = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI",
}

COUNTIES_FILE = "us-counties.geojson"
STATES_FILE = "us-states.geojson"
MI_PER_DEGREE = EARTH_RADIUS_MI * math.pi / 180

# States whose county codes from 500 up are independent cities (Census "city" areas).
_INDEPENDENT_CITY_STATES = frozenset({"24", "29", "32", "51"})
# Areas whose county-equivalents the Census calls something other than "County"; where the
# kind varies inside the area (Alaska's boroughs and census areas) the bare name is shown.
_COUNTY_TERMS = {"LA": "Parish", "PR": "Municipio", "AK": "", "DC": "", "AS": "", "GU": "",
                 "MP": "", "VI": ""}
# A county's kind as ``full_name`` writes it -> the English template another language words.
_NAME_TEMPLATES = {"County": N_("%(name)s County"), "Parish": N_("%(name)s Parish"),
                   "Municipio": N_("%(name)s Municipio"), "city": N_("%(name)s city")}
_WORD_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}


@dataclass(frozen=True, slots=True)
class State:
    fips: str
    abbr: str  # USPS
    name: str


@dataclass(frozen=True, slots=True)
class County:
    """A county or county-equivalent; ``lat``/``lon`` is a point inside its outline.

    The point is shapely's ``point_on_surface`` (GEOS's interior point), not a centroid: it
    always lies inside the county, which a centroid of a crescent or island county may not.
    """

    fips: str
    name: str  # as the Census writes it, without "County": "Cook", "St. Louis"
    state_fips: str
    state: str  # USPS
    state_name: str
    lat: float
    lon: float

    @property
    def independent_city(self) -> bool:
        return self.state_fips in _INDEPENDENT_CITY_STATES and self.fips[2:] >= "500"

    @property
    def full_name(self) -> str:
        """The name with its kind, as people write it: "Cook County", "Baltimore city"."""
        if self.independent_city:
            return self.name if self.name.endswith(" City") else f"{self.name} city"
        term = _COUNTY_TERMS.get(self.state, "County")
        return f"{self.name} {term}" if term else self.name

    @property
    def label(self) -> str:
        return f"{self.full_name}, {self.state}"

    @property
    def name_phrase(self) -> Phrase | str:
        """``full_name`` as words another language can reorder ("Condado de Cook")."""
        term = self.full_name.removeprefix(self.name).strip()
        if term not in _NAME_TEMPLATES:
            return self.full_name
        return Phrase(_NAME_TEMPLATES[term], {"name": self.name})

    @property
    def label_phrase(self) -> Phrase:
        return Phrase(N_("%(county)s, %(state)s"), {"county": self.name_phrase,
                                                     "state": self.state})


def name_key(text: str, *, partial: bool = False) -> str:
    """A place name folded for matching: case, accents, punctuation and spacing ignored.

    "St. Louis", "saint louis" and "SAINT-LOUIS" share a key, as do "DeKalb" and "De Kalb".
    With ``partial`` (autocomplete), an unfinished last word is not expanded: "St" may
    still become "Stanford".
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded.replace("&", " and "))
    unfinished = words.pop() if partial and words and folded[-1:].isalnum() else ""
    return "".join(_WORD_ABBREVIATIONS.get(w, w) for w in words) + unfinished


# --- states -------------------------------------------------------------------------------

@cache
def states() -> tuple[State, ...]:
    """Every state-level area in the shipped outlines, in FIPS order."""
    return tuple(State(p["fips"], p["abbr"], p["name"])
                 for p in (f["properties"] for f in _features(STATES_FILE)))


def state(text: str) -> State:
    """The state named by a USPS abbreviation, a name or a FIPS code, in any case."""
    found = _states_by_key().get(_state_key(text))
    if found is None:
        raise InvalidInput("unknown state '%(state)s': give a USPS abbreviation (IL), "
                           "a name (Illinois) or a FIPS code (17)", code="unknown_state",
                           parameter="state", state=text.strip())
    return found


# For functions whose ``state`` parameter hides the function.
_state_named = state


@cache
def _states_by_key() -> dict[str, State]:
    keys = {}
    for s in states():
        keys.update({_state_key(s.abbr): s, _state_key(s.name): s, s.fips: s})
    return keys


def _state_key(text: str) -> str:
    text = text.strip()
    return text.zfill(2) if text.isdigit() else name_key(text)


# --- counties -----------------------------------------------------------------------------

@cache
def counties() -> tuple[County, ...]:
    """Every county and county-equivalent in the shipped outlines, in FIPS order."""
    outlines = _county_outlines()
    points = shapely.point_on_surface(outlines.geometries)
    return tuple(
        County(p["fips"], p["name"], p["state_fips"], p["state"], p["state_name"],
               lat=float(shapely.get_y(point)), lon=float(shapely.get_x(point)))
        for p, point in zip(outlines.properties, points, strict=True)
    )


def county(fips: str) -> County:
    """The county with this 5-digit FIPS code."""
    fips = fips.strip()
    if not re.fullmatch(r"\d{5}", fips):
        raise InvalidInput("a county FIPS code has 5 digits (17031), got '%(fips)s'",
                           code="bad_county_fips", parameter="county_fips", fips=fips)
    found = _counties_by_fips().get(fips)
    if found is None:
        raise NotFound("no county with FIPS code %(fips)s", code="unknown_county_fips", fips=fips)
    return found


def counties_named(name: str, state: str | None = None) -> list[County]:
    """Counties whose name (without "County") matches, optionally within one state."""
    matches = _counties_by_name().get(name_key(name), ())
    if state is not None:
        abbr = _state_named(state).abbr
        matches = tuple(c for c in matches if c.state == abbr)
    return list(matches)


@cache
def _counties_by_fips() -> dict[str, County]:
    return {c.fips: c for c in counties()}


@cache
def _counties_by_name() -> dict[str, tuple[County, ...]]:
    by_name: dict[str, list[County]] = defaultdict(list)
    for c in counties():
        by_name[name_key(c.name)].append(c)
    return {key: tuple(found) for key, found in by_name.items()}


# --- point in county ----------------------------------------------------------------------

COAST_SLACK_DEG = 0.1  # about 7 miles: the farthest offshore a listed library lies

def county_fips_at(lat: float, lon: float) -> str | None:
    """FIPS code of the county whose outline holds the point; None if it is in none."""
    return county_fips_at_many([lat], [lon])[0]


def county_fips_near(lat: float, lon: float, *,
                     max_distance_deg: float = COAST_SLACK_DEG) -> str | None:
    """The county holding the point, else the nearest within ``max_distance_deg``: the
    generalised outlines leave some coastal towns offshore (31 of the 17,426 FY2021 library
    outlets, all within 0.1 degree of their county). None when no county is that near."""
    found = county_fips_at(lat, lon)
    if found is not None:
        return found
    outlines = _county_outlines()
    nearest = outlines.tree.query_nearest(shapely.points(lon, lat),
                                          max_distance=max_distance_deg)
    return outlines.tree_fips[int(min(nearest))] if len(nearest) else None


def county_fips_at_many(lats: ArrayLike, lons: ArrayLike) -> list[str | None]:
    """``county_fips_at`` for many points at once.

    One STRtree query for all points. ``bench/county_lookup.py`` on the 17,426 FY2021
    library outlets measured a median 16 ms against 34 ms for geopandas ``sjoin``: sjoin
    runs the same STRtree query underneath and spends the difference building GeoDataFrames
    and joining their indexes. This path also spares every process that only needs a county
    code the ~0.3 s import of geopandas and pandas.
    """
    outlines = _county_outlines()
    points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    point_index, polygon_index = outlines.tree.query(points, predicate="intersects")
    # A point on a shared boundary touches two counties; the lower FIPS wins, as in
    # a scan of the counties in FIPS order.
    no_county = len(outlines.tree_fips)
    first_match = np.full(len(points), no_county)
    np.minimum.at(first_match, point_index, polygon_index)
    return [outlines.tree_fips[i] if i < no_county else None for i in first_match.tolist()]


@dataclass(frozen=True)
class _Outlines:
    properties: tuple[dict, ...]
    geometries: NDArray  # shapely geometries, in FIPS order, repaired where invalid
    tree: shapely.STRtree  # over the polygonal geometries only
    tree_fips: tuple[str, ...]  # FIPS of each geometry in the tree, ascending


@cache
def _county_outlines() -> _Outlines:
    features = _features(COUNTIES_FILE)
    geometries = np.array([shape(f["geometry"]) for f in features], dtype=object)
    geometries = _repaired(geometries)
    polygonal = np.flatnonzero(shapely.get_type_id(geometries) >= 3)
    return _Outlines(
        properties=tuple(f["properties"] for f in features),
        geometries=geometries,
        tree=shapely.STRtree(geometries[polygonal]),
        tree_fips=tuple(features[int(i)]["properties"]["fips"] for i in polygonal),
    )


def _repaired(geometries: NDArray) -> NDArray:
    """Simplification left a few county outlines self-intersecting; GEOS's repair keeps
    their area and makes point-in-polygon answers well defined."""
    invalid = ~shapely.is_valid(geometries)
    geometries[invalid] = shapely.make_valid(geometries[invalid], method="structure",
                                             keep_collapsed=False)
    return geometries


# --- distance outside a state -------------------------------------------------------------

def distance_outside_state_mi(lat: float, lon: float, state_abbr: str) -> float:
    """Miles from the point to the state's outline: 0 inside, approximate outside.

    Measured on a plane tangent at the point (longitudes scaled by the cosine of its
    latitude): within about 1% up to a few hundred miles, which is what "is this point far
    outside its stated state?" needs.
    """
    if not valid_lat_lon(lat, lon):
        raise InvalidInput("coordinates (%(lat)s, %(lon)s) are out of range",
                           code="coordinates_out_of_range", parameter="lat", lat=lat, lon=lon)
    outline = _state_outlines()[_state_named(state_abbr).abbr]
    if outline.covers(shapely.Point(lon, lat)):
        return 0.0
    return _distance_on_tangent_plane_mi(outline, lat, lon)


def _distance_on_tangent_plane_mi(geometry: shapely.Geometry, lat: float, lon: float) -> float:
    miles_per_degree_lon = MI_PER_DEGREE * math.cos(math.radians(lat))

    def to_miles(lon_lat: NDArray) -> NDArray:
        # Longitude differences wrap, so the Aleutians west of 180° measure the short way.
        east = ((lon_lat[:, 0] - lon + 180.0) % 360.0 - 180.0) * miles_per_degree_lon
        north = (lon_lat[:, 1] - lat) * MI_PER_DEGREE
        return np.column_stack([east, north])

    return float(shapely.transform(geometry, to_miles).distance(shapely.Point(0.0, 0.0)))


@cache
def _state_outlines() -> dict[str, shapely.Geometry]:
    outlines = {}
    for f in _features(STATES_FILE):
        outline = shape(f["geometry"])
        shapely.prepare(outline)
        outlines[f["properties"]["abbr"]] = outline
    return outlines


# --- outlines for maps and exports --------------------------------------------------------

@cache
def county_outlines() -> Mapping[str, shapely.Geometry]:
    """Every county's outline by 5-digit FIPS, repaired where simplification broke it."""
    outlines = _county_outlines()
    return MappingProxyType(dict(zip((p["fips"] for p in outlines.properties),
                                     outlines.geometries.tolist(), strict=True)))


@cache
def state_outlines() -> Mapping[str, shapely.Geometry]:
    """Every state's outline by 2-digit FIPS, repaired where simplification broke it."""
    features = _features(STATES_FILE)
    geometries = _repaired(np.array([shape(f["geometry"]) for f in features], dtype=object))
    return MappingProxyType(dict(zip((f["properties"]["fips"] for f in features),
                                     geometries.tolist(), strict=True)))


# Not cached: each caller keeps what it builds from the features and is cached itself. The
# parsed GeoJSON of the county outlines is ~120,000 small lists of coordinates; kept, every
# full pass of a worker's cyclic collector walked them (~40 ms each).
def _features(name: str) -> Sequence[dict]:
    with geodata.path(name).open(encoding="utf-8") as file:
        return json.load(file)["features"]
