"""Place names for the offline map: states, counties and towns, each at a point inside it.

States and counties come from the shipped outlines (``locator.geodata``), counties named
by ``County.full_name`` so parishes and independent cities read right; towns come from the
geocoder's ZIP data, ranked by how many ZIP codes carry their name (the data has no
population: the count is what it offers as a hint of size). The map decides which labels
fit at a zoom level; this module only says what there is to label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import shapely

from locator import geodata
from locator.geocode import Town


class LabelKind(StrEnum):
    STATE = "state"
    COUNTY = "county"
    CITY = "city"


@dataclass(frozen=True, slots=True)
class MapLabel:
    kind: LabelKind
    key: str  # FIPS code for states and counties; "Name, ST" for towns
    name: str
    lat: float
    lon: float
    rank: int = 0  # towns: ZIP codes behind the point; states and counties: 0


def map_labels(towns: Iterable[Town]) -> list[MapLabel]:
    """Every label: states, then counties in FIPS order, then towns by rank."""
    return [*state_labels(), *county_labels(), *town_labels(towns)]


def state_labels() -> list[MapLabel]:
    """A state's name at a point inside its largest part (Michigan's lower peninsula)."""
    outlines = geodata.state_outlines()
    labels = []
    for state in geodata.states():
        point = shapely.point_on_surface(_largest_part(outlines[state.fips]))
        labels.append(MapLabel(LabelKind.STATE, state.fips, state.name,
                               float(point.y), float(point.x)))
    return labels


def county_labels() -> list[MapLabel]:
    return [MapLabel(LabelKind.COUNTY, c.fips, c.full_name, c.lat, c.lon)
            for c in geodata.counties()]


def town_labels(towns: Iterable[Town]) -> list[MapLabel]:
    ranked = sorted(towns, key=lambda t: (-t.zip_count, t.state, t.name))
    return [MapLabel(LabelKind.CITY, f"{t.name}, {t.state}", t.name, t.lat, t.lon, t.zip_count)
            for t in ranked]


def labels_document(labels: Iterable[MapLabel]) -> dict[str, list[list[object]]]:
    """Label rows by kind, compact, as the map's ``placeLabels`` reads them:
    ``[fips, name, lat, lon]`` for states and counties, ``[name, lat, lon, rank]`` for towns
    (the map needs no key for them)."""
    rows: dict[str, list[list[object]]] = {kind.value: [] for kind in LabelKind}
    for label in labels:
        point = [round(label.lat, 4), round(label.lon, 4)]
        rows[label.kind.value].append([label.name, *point, label.rank]
                                      if label.kind is LabelKind.CITY
                                      else [label.key, label.name, *point])
    return rows


def _largest_part(geometry: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(geometry)
    return max(parts, key=lambda part: part.area)
