"""Coverage exports: CSV, GeoJSON (RFC 7946) and GeoPackage, read back and compared."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas
import pytest
import shapely

import geodata as shipped_geodata
from locator import geodata
from locator.coverage import (
    CoverageQuery,
    CoverageReport,
    CoverageStudy,
    Geography,
    parse_thresholds,
)
from locator.export import (
    GPKG_LAYER,
    flat_row,
    gpkg_bytes,
    report_geojson,
    suggestions_geojson,
    write_csv,
    write_gpkg,
    write_suggestions_csv,
)
from locator.regions import parse_regions
from locator.sites import Kind, Site
from locator.store import PopulationPoints
from locator.suggest import population_candidates, suggest_sites

THRESHOLDS = parse_thresholds(["2", "7.5"])


def make_points(rows: list[tuple[str, str, int, float, float]]) -> PopulationPoints:
    return PopulationPoints.from_rows(rows, level="tract", vintage="2020")


@pytest.fixture
def chicago_area() -> tuple[list[Site], PopulationPoints]:
    sites = [Site(id="lib", name="Library", kind=Kind.LIBRARY, lat=41.88, lon=-87.63,
                  county_fips="17031"),
             Site(id="ajc", name="Center", kind=Kind.COMPREHENSIVE_CENTER, lat=41.85, lon=-87.70,
                  county_fips="17031")]
    points = make_points([
        ("17031000100", "17031", 4000, 41.87, -87.64),
        ("17031000200", "17031", 3000, 41.95, -87.80),
        ("17043000100", "17043", 5000, 41.83, -88.10),   # DuPage: no site in the county
        ("17197000100", "17197", 2500, 41.52, -88.08),   # Will
    ])
    return sites, points


def report_for(chicago_area, geography: Geography = Geography.COUNTY,
               **query: object) -> CoverageReport:
    sites, points = chicago_area
    return CoverageStudy(sites, points, CoverageQuery(geography=geography, **query)).report(
        THRESHOLDS)


def test_csv_has_one_flat_row_per_area_with_thresholds_as_typed(chicago_area) -> None:
    report = report_for(chicago_area)
    buffer = io.StringIO()
    write_csv(report, buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert [r["area_id"] for r in rows] == ["17031", "17043", "17197"]
    for written, row in zip(rows, report.rows, strict=True):
        assert written["name"] == row.name
        assert int(written["population"]) == row.population
        assert int(written["sites_library"]) == row.sites_by_kind.get("library", 0)
        assert int(written["sites_comprehensive_center"]) == \
            row.sites_by_kind.get("comprehensive_center", 0)
        assert int(written["population_within_7.5_mi"]) == row.within[1].population
        assert float(written["share_within_2_mi"]) == row.within[0].share
        assert float(written["mean_distance_mi"]) == row.mean_distance_mi
        assert written["gap_reasons"] == ";".join(r.value for r in row.gap_reasons)


def test_geojson_carries_county_outlines_in_lon_lat_order(chicago_area) -> None:
    report = report_for(chicago_area)
    collection = json.loads(json.dumps(report_geojson(report), allow_nan=False))
    assert collection["type"] == "FeatureCollection"
    assert collection["metadata"]["thresholds_mi"] == [2.0, 7.5]
    _, points = chicago_area
    for feature, row in zip(collection["features"], report.rows, strict=True):
        assert feature["id"] == row.area_id
        assert feature["properties"] == json.loads(json.dumps(row.to_json()))
        outline = shapely.geometry.shape(feature["geometry"])
        # Longitude first: the county's own tract center lies inside its outline.
        mine = points.county_fips == row.area_id
        assert outline.contains(shapely.Point(points.lon[mine][0], points.lat[mine][0]))
        for polygon in getattr(outline, "geoms", [outline]):
            assert polygon.exterior.is_ccw  # RFC 7946 right-hand rule
            assert all(not ring.is_ccw for ring in polygon.interiors)


def test_geopackage_reads_back_with_the_same_figures_and_outlines(chicago_area,
                                                                   tmp_path: Path) -> None:
    report = report_for(chicago_area)
    path = tmp_path / "coverage.gpkg"
    write_gpkg(report, path)
    frame = geopandas.read_file(path, layer=GPKG_LAYER)
    assert frame.crs.to_epsg() == 4326
    assert frame["area_id"].tolist() == [row.area_id for row in report.rows]
    for (_, written), row in zip(frame.iterrows(), report.rows, strict=True):
        expected = flat_row(row)
        for column in ("population", "sites", "sites_library", "population_within_2_mi",
                       "population_beyond_largest_threshold"):
            assert written[column] == expected[column]
        for column in ("mean_distance_mi", "median_distance_mi", "share_within_7.5_mi"):
            assert written[column] == pytest.approx(expected[column], rel=1e-12)
        assert bool(written["gap"]) == row.is_gap
        county = geodata.county(row.area_id)
        assert written.geometry.contains(shapely.Point(county.lon, county.lat))


def test_regions_export_the_union_of_their_counties(chicago_area) -> None:
    regions = parse_regions("county_fips,region\n17031,Cook\n17043,Collar\n17197,Collar\n",
                            known_counties={"17031", "17043", "17197"})
    report = report_for(chicago_area, Geography.REGION, regions=regions)
    features = {f["id"]: shapely.geometry.shape(f["geometry"])
                for f in report_geojson(report)["features"]}
    assert sorted(features) == ["Collar", "Cook"]
    dupage, will = (geodata.county(f) for f in ("17043", "17197"))
    assert features["Collar"].contains(shapely.Point(dupage.lon, dupage.lat))
    assert features["Collar"].contains(shapely.Point(will.lon, will.lat))
    cook = geodata.county("17031")
    assert not features["Collar"].contains(shapely.Point(cook.lon, cook.lat))


def test_states_and_total_export_outlines_or_none(chicago_area) -> None:
    [state] = report_geojson(report_for(chicago_area, Geography.STATE))["features"]
    assert state["id"] == "17" and state["properties"]["name"] == "Illinois"
    assert shapely.geometry.shape(state["geometry"]).contains(shapely.Point(-89.0, 40.0))
    [total] = report_geojson(report_for(chicago_area, Geography.TOTAL))["features"]
    assert total["geometry"] is None


def test_exports_without_any_site_hold_no_nan(chicago_area, tmp_path: Path) -> None:
    _, points = chicago_area
    report = CoverageStudy([], points, CoverageQuery()).report(THRESHOLDS)
    json.dumps(report_geojson(report), allow_nan=False)
    buffer = io.StringIO()
    write_csv(report, buffer)
    assert "nan" not in buffer.getvalue().lower()
    write_gpkg(report, tmp_path / "empty.gpkg")
    frame = geopandas.read_file(tmp_path / "empty.gpkg")
    assert frame["mean_distance_mi"].isna().all()


def test_suggestions_export_as_ranked_points(chicago_area) -> None:
    sites, points = chicago_area
    study = CoverageStudy(sites, points, CoverageQuery())
    result = suggest_sites(study, population_candidates(study), n=2, threshold=THRESHOLDS[0])
    collection = suggestions_geojson(result)
    assert [f["properties"]["rank"] for f in collection["features"]] == [1, 2]
    first = collection["features"][0]
    assert first["geometry"]["coordinates"] == [result.suggestions[0].candidate.lon,
                                                result.suggestions[0].candidate.lat]
    buffer = io.StringIO()
    write_suggestions_csv(result, buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert [int(r["newly_covered"]) for r in rows] == [s.newly_covered
                                                      for s in result.suggestions]


def test_geopackage_bytes_for_a_download_open_as_the_same_layer(chicago_area,
                                                                tmp_path: Path) -> None:
    report = report_for(chicago_area)
    path = tmp_path / "download.gpkg"
    path.write_bytes(gpkg_bytes(report))
    frame = geopandas.read_file(path, layer=GPKG_LAYER)
    assert frame["population"].tolist() == [row.population for row in report.rows]


def test_exported_outlines_are_valid_even_where_the_shipped_file_is_not() -> None:
    # Hardin County, IL (17069) is one of the outlines the 1:10m simplification left
    # self-intersecting; QGIS flags such features, so exports carry the repaired ones.
    sites = [Site(id="lib", name="Library", kind=Kind.LIBRARY, lat=37.5, lon=-88.3,
                  county_fips="17069")]
    points = make_points([("17069000100", "17069", 100, 37.5, -88.2)])
    report = CoverageStudy(sites, points, CoverageQuery()).report(THRESHOLDS)
    shipped = json.loads(shipped_geodata.path("us-counties.geojson").read_text(encoding="utf-8"))
    raw = next(f for f in shipped["features"]
               if f["properties"]["fips"] == "17069")
    assert not shapely.is_valid(shapely.geometry.shape(raw["geometry"]))
    exported = report_geojson(report)["features"][0]["geometry"]
    assert shapely.is_valid(shapely.geometry.shape(exported))
    assert shapely.geometry.shape(exported).area == pytest.approx(
        shapely.make_valid(shapely.geometry.shape(raw["geometry"])).area, rel=1e-9)
