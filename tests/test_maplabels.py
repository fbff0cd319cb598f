"""Place labels for the offline map: every state and county named as people write it, at a
point inside its own outline, and towns ranked by the ZIP codes that carry their name."""

from __future__ import annotations

import gzip
import json
from collections import Counter

import pytest
import shapely
import zipcodes

from locator import geodata
from locator.geocode import default_geocoder
from locator.maplabels import LabelKind, MapLabel, map_labels
from web import create_app


@pytest.fixture(scope="module")
def found() -> dict[LabelKind, list[MapLabel]]:
    by_kind: dict[LabelKind, list[MapLabel]] = {kind: [] for kind in LabelKind}
    for label in map_labels(default_geocoder().towns()):
        by_kind[label.kind].append(label)
    return by_kind


def test_county_labels_use_the_county_naming_helper(found) -> None:
    counties = found[LabelKind.COUNTY]
    assert [c.name for c in counties] == [c.full_name for c in geodata.counties()]
    names = {c.key: c.name for c in counties}
    assert names["17031"] == "Cook County"
    assert names["22071"] == "Orleans Parish"
    assert names["51760"] == "Richmond city"
    assert names["24510"] == "Baltimore city"


def test_state_and_county_labels_lie_inside_their_outlines(found) -> None:
    states, counties = geodata.state_outlines(), geodata.county_outlines()
    assert len(found[LabelKind.STATE]) == len(geodata.states())
    for label in found[LabelKind.STATE]:
        assert states[label.key].covers(shapely.Point(label.lon, label.lat)), label
    polygonal = [c for c in found[LabelKind.COUNTY]
                 if shapely.get_type_id(counties[c.key]) >= 3]
    outside = [c.key for c in polygonal
               if not counties[c.key].covers(shapely.Point(c.lon, c.lat))]
    assert outside == []


def test_towns_are_ranked_by_the_zip_codes_that_carry_their_name(found) -> None:
    towns = found[LabelKind.CITY]
    ranks = [t.rank for t in towns]
    assert ranks == sorted(ranks, reverse=True)
    counted = Counter((z["city"], z["state"]) for z in zipcodes.filter_by()
                      if z["active"] and (float(z["lat"]), float(z["long"])) != (0.0, 0.0))
    by_key = {t.key: t for t in towns}
    for city, state in [("Chicago", "IL"), ("Joliet", "IL"), ("Peoria", "IL"), ("Ladd", "IL")]:
        assert by_key[f"{city}, {state}"].rank == counted[(city, state)]
    assert by_key["Chicago, IL"].rank > by_key["Joliet, IL"].rank > by_key["Ladd, IL"].rank


def test_labels_document_is_served_compact_and_gzipped(found, tmp_path) -> None:
    client = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                         "TESTING": True}).test_client()
    plain = client.get("/basemap/labels.json")
    zipped = client.get("/basemap/labels.json", headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == zipped.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    document = json.loads(plain.data)
    assert [row[1] for row in document["county"]] == [c.name for c in found[LabelKind.COUNTY]]
    assert [row[0] for row in document["state"]] == [s.key for s in found[LabelKind.STATE]]
    first = found[LabelKind.CITY][0]
    assert document["city"][0] == [first.name, round(first.lat, 4), round(first.lon, 4),
                                   first.rank]
    assert len(document["city"]) == len(found[LabelKind.CITY])
