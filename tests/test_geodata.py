"""The shipped outlines (geodata/) and the geography module built on them (locator.geodata)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import shapely
import zipcodes
from conftest import IN_CI, REPO, require_shared_data
from shapely.geometry import shape

import geodata
from geodata import build
from locator import geodata as geo
from locator.errors import InvalidInput, NotFound
from locator.geo import haversine_mi

BUDGET_BYTES = 5_000_000


def require_us_atlas() -> Path:
    if not (build.SOURCE_PACKAGE / "package.json").is_file():
        message = f"{build.SOURCE_PACKAGE} not installed (run `npm ci`)"
        if IN_CI:
            pytest.fail(message + " (required under CI=true)")
        pytest.skip(message)
    return build.SOURCE_PACKAGE


def read_features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


# --- the build ----------------------------------------------------------------------------

def test_rebuild_gives_byte_identical_files(tmp_path: Path) -> None:
    require_us_atlas()
    assert build.main([str(tmp_path)]) == 0
    for name in build.OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == geodata.path(name).read_bytes(), name


def test_shipped_files_fit_the_budget_and_readme_states_their_sizes() -> None:
    readme = (REPO / "geodata" / "README.md").read_text(encoding="utf-8")
    sizes = {name: geodata.path(name).stat().st_size for name in build.OUTPUT_FILES}
    assert sum(sizes.values()) < BUDGET_BYTES
    for name, size in sizes.items():
        assert re.search(rf"`{re.escape(name)}` \|[^\n]*\| {size:,} \|", readme), name
    assert f"Total {sum(sizes.values()):,} bytes" in readme


def test_path_names_the_build_command_when_a_file_is_missing() -> None:
    with pytest.raises(FileNotFoundError, match="make geodata"):
        geodata.path("no-such-file.geojson")


TINY_TOPOLOGY = {
    # Two unit squares side by side on a grid of 0.5-degree steps, both drawn clockwise (as
    # d3 does), sharing the middle edge (arc 1): the right square runs it reversed
    # (~1 == -2). Arc 3 is a ring that simplification collapsed to a line.
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [-90.0, 40.0]},
    "arcs": [
        [[2, 0], [-2, 0], [0, 2], [2, 0]],   # (-89,40) -> (-90,40) -> (-90,41) -> (-89,41)
        [[2, 2], [0, -2]],                   # (-89,41) -> (-89,40): the shared edge
        [[2, 2], [2, 0], [0, -2], [-2, 0]],  # (-89,41) -> (-88,41) -> (-88,40) -> (-89,40)
        [[0, 0], [1, 1], [-1, -1]],          # (-90,40) -> (-89.5,40.5) -> (-90,40)
    ],
}


def test_decoder_joins_delta_encoded_and_reversed_arcs_into_closed_ccw_rings() -> None:
    decoder = build.TopologyDecoder(TINY_TOPOLOGY)
    left = decoder.geometry({"type": "Polygon", "arcs": [[0, 1]]})
    right = decoder.geometry({"type": "Polygon", "arcs": [[2, -2]]})
    assert left == {"type": "Polygon", "coordinates": [[
        (-89.0, 40.0), (-89.0, 41.0), (-90.0, 41.0), (-90.0, 40.0), (-89.0, 40.0)]]}
    assert right == {"type": "Polygon", "coordinates": [[
        (-89.0, 41.0), (-89.0, 40.0), (-88.0, 40.0), (-88.0, 41.0), (-89.0, 41.0)]]}
    assert shape(left).area == shape(right).area == 1.0
    assert shape(left).intersection(shape(right)).length == 1.0  # they share one edge


def test_decoder_drops_collapsed_rings_and_keeps_a_fully_collapsed_area_as_a_line() -> None:
    decoder = build.TopologyDecoder(TINY_TOPOLOGY)
    both = decoder.geometry({"type": "MultiPolygon", "arcs": [[[0, 1]], [[3]]]})
    assert both["type"] == "Polygon"
    assert decoder.geometry({"type": "Polygon", "arcs": [[3]]}) == {
        "type": "LineString", "coordinates": [(-90.0, 40.0), (-89.5, 40.5)]}


def test_decoder_closes_a_ring_one_quantization_step_short_but_no_wider_gap() -> None:
    decoder = build.TopologyDecoder(TINY_TOPOLOGY)
    decoder.arcs.append([(-90.0, 40.0), (-89.0, 40.0), (-89.0, 41.0), (-90.0, 41.0),
                         (-90.0, 40.5)])
    assert decoder.ring([4])[-2:] == [(-90.0, 40.5), (-90.0, 40.0)]
    decoder.arcs.append([(-90.0, 40.0), (-89.0, 40.0), (-89.0, 41.0), (-90.0, 41.0)])
    with pytest.raises(ValueError, match="not closed"):
        decoder.ring([5])


def test_decoder_winds_holes_clockwise() -> None:
    topology = {
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [[[0, 0], [4, 0], [0, 4], [-4, 0], [0, -4]],   # outer, counterclockwise
                 [[1, 1], [2, 0], [0, 2], [-2, 0], [0, -2]]],  # hole, also counterclockwise
    }
    polygon = build.TopologyDecoder(topology).geometry({"type": "Polygon", "arcs": [[0], [1]]})
    outer, hole = polygon["coordinates"]
    assert build.signed_area(outer) > 0 > build.signed_area(hole)
    assert shape(polygon).area == 16 - 4


def test_shipped_features_are_sorted_by_fips_with_the_documented_properties() -> None:
    counties = read_features(geodata.path("us-counties.geojson"))
    states = read_features(geodata.path("us-states.geojson"))
    county_fips = [f["properties"]["fips"] for f in counties]
    assert county_fips == sorted(county_fips) and len(set(county_fips)) == len(county_fips)
    assert all(set(f["properties"]) == {"fips", "name", "state_fips", "state", "state_name"}
               for f in counties)
    assert [f["properties"]["fips"] for f in states] == sorted(geo.USPS_BY_FIPS)
    assert all(set(f["properties"]) == {"fips", "abbr", "name"} for f in states)
    by_fips = {f["properties"]["fips"]: f["properties"] for f in states}
    for f in counties:
        p = f["properties"]
        assert p["fips"][:2] == p["state_fips"]
        assert (p["state"], p["state_name"]) == (by_fips[p["state_fips"]]["abbr"],
                                                 by_fips[p["state_fips"]]["name"])


def test_illinois_has_its_102_counties() -> None:
    assert len([c for c in geo.counties() if c.state == "IL"]) == 102


# --- states -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["IL", "il", " Illinois ", "ILLINOIS", "17", "17 "])
def test_state_accepts_abbreviation_name_or_fips_in_any_case(text: str) -> None:
    assert geo.state(text) == geo.State("17", "IL", "Illinois")


def test_state_pads_a_one_digit_fips_code() -> None:
    assert geo.state("6").abbr == "CA"


@pytest.mark.parametrize("text", ["XX", "Illinoise", "99", "", "AE"])
def test_state_rejects_unknown_text_saying_what_it_accepts(text: str) -> None:
    with pytest.raises(InvalidInput, match="USPS abbreviation"):
        geo.state(text)


def test_usps_abbreviations_agree_with_where_the_zipcodes_package_puts_each_zip() -> None:
    """An independent check of the fact table: ZIP points of state ST fall in ST's counties."""
    rows = [z for z in zipcodes.filter_by()
            if z["active"] and z["state"] in geo.USPS_BY_FIPS.values()
            and (float(z["lat"]), float(z["long"])) != (0.0, 0.0)]
    found = geo.county_fips_at_many([float(z["lat"]) for z in rows],
                                    [float(z["long"]) for z in rows])
    agree: dict[str, Counter] = defaultdict(Counter)
    for z, fips in zip(rows, found, strict=True):
        if fips is not None:
            agree[z["state"]][geo.USPS_BY_FIPS[fips[:2]] == z["state"]] += 1
    assert set(agree) == set(geo.USPS_BY_FIPS.values())
    for abbr, counts in agree.items():
        assert counts[True] > 0.9 * counts.total(), abbr


# --- counties -----------------------------------------------------------------------------

def test_county_looks_up_by_fips_and_rejects_bad_or_unknown_codes() -> None:
    cook = geo.county("17031")
    assert (cook.name, cook.state, cook.state_name, cook.label) == (
        "Cook", "IL", "Illinois", "Cook County, IL")
    with pytest.raises(InvalidInput, match="5 digits"):
        geo.county("1703")
    with pytest.raises(NotFound, match="17999"):
        geo.county("17999")


@pytest.mark.parametrize(("fips", "label"), [
    ("22071", "Orleans Parish, LA"),
    ("24005", "Baltimore County, MD"),
    ("24510", "Baltimore city, MD"),
    ("51760", "Richmond city, VA"),
    ("51159", "Richmond County, VA"),
    ("32510", "Carson City, NV"),
    ("11001", "District of Columbia, DC"),
    ("72097", "Mayagüez Municipio, PR"),
    ("02020", "Anchorage, AK"),
])
def test_county_labels_use_the_kind_of_area_each_state_has(fips: str, label: str) -> None:
    assert geo.county(fips).label == label


def test_counties_named_folds_case_punctuation_and_saint() -> None:
    assert [c.fips for c in geo.counties_named("saint louis", state="Missouri")] == [
        "29189", "29510"]
    assert [c.fips for c in geo.counties_named("ST. LOUIS")] == ["27137", "29189", "29510"]
    assert [c.fips for c in geo.counties_named("De Kalb", state="il")] == ["17037"]
    assert geo.counties_named("Cook", state="CA") == []


def test_every_county_point_lies_inside_its_own_outline() -> None:
    counties = [c for c in geo.counties() if c.fips != "51610"]  # collapsed to a line
    found = geo.county_fips_at_many([c.lat for c in counties], [c.lon for c in counties])
    assert found == [c.fips for c in counties]


def test_the_county_collapsed_to_a_line_still_has_a_location_but_no_area() -> None:
    falls_church = geo.county("51610")
    assert 38.8 < falls_church.lat < 38.95 and -77.2 < falls_church.lon < -77.1
    assert geo.county_fips_at(falls_church.lat, falls_church.lon) != "51610"


# --- point in county ----------------------------------------------------------------------

def brute_force_county_fips(lat: float, lon: float) -> str | None:
    """Reference: every county outline in FIPS order, the first that covers the point."""
    point = shapely.Point(lon, lat)
    for fips, outline in reference_outlines().items():
        if outline.covers(point):
            return fips
    return None


@cache
def reference_outlines() -> dict[str, shapely.Geometry]:
    """The shipped county outlines read without locator.geodata, repaired the same way."""
    outlines = {}
    for f in read_features(geodata.path("us-counties.geojson")):
        outline = shapely.make_valid(shape(f["geometry"]), method="structure",
                                     keep_collapsed=False)
        shapely.prepare(outline)
        outlines[f["properties"]["fips"]] = outline
    return outlines


def test_county_fips_at_many_matches_a_per_polygon_scan_on_random_points() -> None:
    rng = np.random.default_rng(17)
    # Half over the lower 48 (mostly on land), half over Illinois, where counties are small.
    lats = np.concatenate([rng.uniform(25, 49, 150), rng.uniform(37, 42.5, 150)])
    lons = np.concatenate([rng.uniform(-124, -67, 150), rng.uniform(-91.5, -87.5, 150)])
    expected = [brute_force_county_fips(lat, lon) for lat, lon in zip(lats, lons, strict=True)]
    assert geo.county_fips_at_many(lats, lons) == expected
    assert sum(e is None for e in expected) > 10  # the sample includes sea and Canada


def test_a_point_on_a_shared_boundary_goes_to_the_lower_fips() -> None:
    cook, dupage = reference_outlines()["17031"], reference_outlines()["17043"]
    lon, lat = shapely.get_coordinates(cook.boundary.intersection(dupage.boundary))[0]
    assert geo.county_fips_at(lat, lon) == "17031"
    assert brute_force_county_fips(lat, lon) == "17031"


def test_county_fips_at_returns_none_at_sea() -> None:
    assert geo.county_fips_at(30.0, -60.0) is None
    assert geo.county_fips_at_many([], []) == []


def imls_outlets() -> list[dict[str, str]]:
    with zipfile.ZipFile(require_shared_data() / "pls_fy2021_csv.zip") as archive:
        name = next(n for n in archive.namelist() if "outlet" in n.lower())
        text = archive.read(name).decode("cp1252")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.slow
def test_point_in_county_agrees_with_the_library_survey_for_over_99_percent() -> None:
    outlets = imls_outlets()
    lats = [float(r["LATITUDE"]) for r in outlets]
    lons = [float(r["LONGITUD"]) for r in outlets]
    found = geo.county_fips_at_many(lats, lons)
    disagree = [i for i, r in enumerate(outlets) if found[i] != r["INCITSST"] + r["INCITSCO"]]
    assert len(outlets) == 17_426
    assert len(disagree) < 0.01 * len(outlets)
    # And the fast path equals the per-polygon scan on a sample of the outlets, including
    # every one that disagrees with the survey.
    sample = sorted(set(disagree) | set(range(0, len(outlets), 97)))
    assert [found[i] for i in sample] == [brute_force_county_fips(lats[i], lons[i])
                                          for i in sample]


def brute_force_nearest_county_fips(lat: float, lon: float, max_distance_deg: float) -> str | None:
    point = shapely.Point(lon, lat)
    distance, fips = min((outline.distance(point), fips)
                         for fips, outline in reference_outlines().items())
    return fips if distance <= max_distance_deg else None


@pytest.mark.slow
def test_county_near_places_every_library_outlet_the_outlines_leave_offshore() -> None:
    outlets = imls_outlets()
    lats = [float(r["LATITUDE"]) for r in outlets]
    lons = [float(r["LONGITUD"]) for r in outlets]
    offshore = [i for i, fips in enumerate(geo.county_fips_at_many(lats, lons)) if fips is None]
    assert len(offshore) == 31
    near = [geo.county_fips_near(lats[i], lons[i]) for i in offshore]
    assert near == [brute_force_nearest_county_fips(lats[i], lons[i], geo.COAST_SLACK_DEG)
                    for i in offshore]
    survey = [outlets[i]["INCITSST"] + outlets[i]["INCITSCO"] for i in offshore]
    assert sum(a == b for a, b in zip(near, survey, strict=True)) >= 0.9 * len(offshore)


def test_county_near_is_the_county_at_on_land_and_none_far_at_sea() -> None:
    assert geo.county_fips_near(39.8003, -89.6497) == "17167"
    assert geo.county_fips_near(30.0, -60.0) is None
    assert geo.county_fips_near(39.8, 89.65) is None  # a longitude without its minus sign


# --- distance outside a state -------------------------------------------------------------

def brute_force_distance_outside_mi(lat: float, lon: float, abbr: str) -> float:
    """Reference: great-circle miles to the nearest vertex of the densified outline."""
    feature = next(f for f in read_features(geodata.path("us-states.geojson"))
                   if f["properties"]["abbr"] == abbr)
    outline = shape(feature["geometry"])
    if outline.covers(shapely.Point(lon, lat)):
        return 0.0
    vertices = shapely.get_coordinates(shapely.segmentize(outline.boundary, 0.005))
    return float(haversine_mi(lat, lon, vertices[:, 1], vertices[:, 0]).min())


@pytest.mark.parametrize(("lat", "lon", "abbr"), [
    (41.8781, -87.6298, "IL"),   # Chicago
    (43.0389, -87.9065, "IL"),   # Milwaukee
    (39.7684, -86.1581, "IL"),   # Indianapolis
    (41.5868, -93.6250, "IL"),   # Des Moines
    (38.6270, -90.1994, "IL"),   # St. Louis, across the river
    (45.0, -93.0, "IA"),         # Twin Cities area
    (51.9, -179.99, "AK"),       # just east of the antimeridian, near the western Aleutians
])
def test_distance_outside_state_is_close_to_a_great_circle_reference(
        lat: float, lon: float, abbr: str) -> None:
    expected = brute_force_distance_outside_mi(lat, lon, abbr)
    assert geo.distance_outside_state_mi(lat, lon, abbr) == pytest.approx(expected, rel=0.01,
                                                                          abs=0.3)


def test_distance_outside_state_is_zero_inside_and_grows_outside() -> None:
    assert geo.distance_outside_state_mi(40.0, -89.0, "IL") == 0.0
    assert geo.distance_outside_state_mi(40.0, -89.0, "Indiana") > 50


def test_distance_outside_state_rejects_bad_input() -> None:
    with pytest.raises(InvalidInput, match="USPS abbreviation"):
        geo.distance_outside_state_mi(40.0, -89.0, "ZZ")
    with pytest.raises(InvalidInput, match="out of range"):
        geo.distance_outside_state_mi(91.0, -89.0, "IL")
