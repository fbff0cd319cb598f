"""Downloads and the printable report: CSV, GeoJSON and GeoPackage read back to the same
figures as the JSON; the report states vintages and method and carries the distance chart
(whose bars add up to the report's figures) and the gap list."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from html_page import Elements
from planner_data import make_coverage_db

from locator.coverage import CoverageQuery, DistanceDistribution, load_study, parse_thresholds
from locator.search import public_filter
from locator.store import Store
from web import create_app
from web.charts import HEIGHT_PX, MARGIN_BOTTOM_PX, MARGIN_TOP_PX, band_edges_mi, distance_chart

IL_QUERY = "state=IL&within=5,10"


@pytest.fixture(scope="module")
def national_client(national_db_url: str) -> FlaskClient:
    return create_app({"DATABASE_URL": national_db_url, "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def il_json(national_client: FlaskClient) -> dict:
    return national_client.get(f"/api/coverage?{IL_QUERY}").get_json()


def download(client: FlaskClient, query: str, export: str, mimetype: str, filename: str):
    response = client.get(f"/api/coverage?{query}&format={export}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    return response


def same_figure(text_or_value: object, expected: object) -> bool:
    if expected is None:
        return text_or_value in ("", None) or (isinstance(text_or_value, float)
                                               and math.isnan(text_or_value))
    if isinstance(expected, bool):
        return str(text_or_value).lower() in ("true", "1") if expected else \
            str(text_or_value).lower() in ("false", "0")
    if isinstance(expected, (int, float)):
        return float(text_or_value) == pytest.approx(float(expected), rel=1e-12)  # type: ignore
    return str(text_or_value) == str(expected)


# -- downloads ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_csv_download_has_the_json_figures(national_client: FlaskClient, il_json: dict) -> None:
    response = download(national_client, IL_QUERY, "csv", "text/csv", "coverage-il-county.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["area_id"] for r in rows] == [r["area_id"] for r in il_json["rows"]]
    assert "sites_library" in rows[0] and "sites_comprehensive_center" in rows[0]
    for row, expected in zip(rows, il_json["rows"], strict=True):
        for key in ("population", "sites", "mean_distance_mi", "median_distance_mi",
                    "population_within_5_mi", "share_within_10_mi", "sites_per_10k"):
            assert same_figure(row[key], expected[key]), (row["area_id"], key)
        assert int(row["sites_library"]) == expected["sites_by_kind"].get("library", 0)


@pytest.mark.slow
def test_geojson_download_is_rfc7946_with_outlines_and_the_json_rows(
        national_client: FlaskClient, il_json: dict) -> None:
    response = download(national_client, IL_QUERY, "geojson", "application/geo+json",
                        "coverage-il-county.geojson")
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"] for f in body["features"]] == il_json["rows"]
    assert body["metadata"]["total"] == il_json["total"]
    for feature in body["features"]:
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        ring = feature["geometry"]["coordinates"][0]
        ring = ring[0] if feature["geometry"]["type"] == "MultiPolygon" else ring
        lons, lats = zip(*ring, strict=True)
        assert min(lons) > -91.6 and max(lons) < -87.0  # longitude first, inside Illinois
        assert min(lats) > 36.9 and max(lats) < 42.6


@pytest.mark.slow
def test_geopackage_download_opens_as_one_layer_with_the_json_figures(
        national_client: FlaskClient, il_json: dict, tmp_path: Path) -> None:
    import geopandas
    import pyogrio

    response = download(national_client, IL_QUERY, "gpkg", "application/geopackage+sqlite3",
                        "coverage-il-county.gpkg")
    path = tmp_path / "coverage.gpkg"
    path.write_bytes(response.get_data())
    assert [name for name, _ in pyogrio.list_layers(path)] == ["coverage"]
    frame = geopandas.read_file(path, layer="coverage")
    assert frame.crs.to_epsg() == 4326
    assert list(frame["area_id"]) == [r["area_id"] for r in il_json["rows"]]
    assert not frame.geometry.is_empty.any()
    for (_, row), expected in zip(frame.iterrows(), il_json["rows"], strict=True):
        for key in ("population", "sites", "mean_distance_mi", "share_within_5_mi"):
            assert same_figure(row[key], expected[key]), (row["area_id"], key)
    assert frame.total_bounds == pytest.approx([-91.52, 36.97, -87.49, 42.51], abs=0.05)


def test_a_state_report_downloads_with_state_outlines(tmp_path: Path) -> None:
    client = create_app({"DATABASE_URL": make_coverage_db(tmp_path),
                         "TESTING": True}).test_client()
    response = download(client, "within=200&by=state", "geojson", "application/geo+json",
                        "coverage-us-state.geojson")
    features = {f["id"]: f for f in response.get_json()["features"]}
    assert set(features) == {"17", "18"}
    assert features["18"]["properties"]["population"] == 200
    assert features["17"]["geometry"]["type"] in ("Polygon", "MultiPolygon")


# -- the report ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report_html(national_client: FlaskClient) -> str:
    response = national_client.get(f"/planner/report?{IL_QUERY}&kind=library")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.slow
def test_report_states_the_data_vintages_and_the_method(report_html: str,
                                                        national_db_url: str) -> None:
    text = Elements(report_html).plain_text
    with Store(national_db_url) as store:
        imports = store.imports()
    assert imports
    for record in imports:
        assert f"{record.source} {record.vintage} {record.file}" in text
    assert "straight-line (great-circle) miles from Census 2020 tract centers of population" \
        in text
    assert "Residents: Census 2020 tract centers of population (3,265 points)" in text


@pytest.mark.slow
def test_report_chart_bars_add_up_to_the_report_figures(report_html: str,
                                                        il_json: dict) -> None:
    page = Elements(report_html)
    svg = page.all("svg", role="img")
    assert len(svg) == 1
    bars = [a for t, a in page.tags if t == "rect" and "bar" in (a.get("class") or "")]
    band_rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="number">([\d,]+)</td>',
                           report_html.split('class="bands-table"')[1].split("</table>")[0])
    assert len(bars) == len(band_rows) >= 7
    residents = [int(n.replace(",", "")) for _, n in band_rows]
    labels = [label for label, _ in band_rows]
    assert sum(residents) == 12_812_508
    within_5 = sum(n for label, n in zip(labels, residents, strict=True)
                   if " to " in label and float(label.split(" to ")[1][:-3]) <= 5)
    assert il_json["total"]["population"] == sum(residents)
    text = Elements(report_html).plain_text
    assert f"({within_5:,} residents)" in text  # the summary's "within 5 mi" figure
    assert "Dashed lines mark 5 mi, 10 mi" in text


@pytest.mark.slow
def test_report_lists_the_gaps_ranked_by_uncovered_residents(report_html: str,
                                                             national_db_url: str) -> None:
    with Store(national_db_url) as store:
        query = CoverageQuery(site_filter=public_filter(["library"]), state_fips=("17",))
        report = load_study(store, query).report(parse_thresholds(["5", "10"]))
    gaps = report.gaps()
    assert gaps, "some Illinois county has many residents far from a library"
    table = report_html.split('id="gap-table"')[1].split("</table>")[0]
    listed = re.findall(r'<tr data-area-id="(\d{5})">', table)
    assert listed == [row.area_id for row in gaps]


@pytest.mark.slow
def test_report_prints_without_page_chrome_and_has_no_inline_style(report_html: str) -> None:
    page = Elements(report_html)
    assert page.all("link", rel="stylesheet", media="print", href="/static/css/planner-print.css")
    assert not page.all("style") and not [s for s in page.scripts if not s.get("src")]
    assert all("style" not in attrs for _, attrs in page.tags)
    assert len(page.all("table", id="coverage-table")) == 1


def test_report_says_when_no_import_is_recorded(tmp_path: Path) -> None:
    client = create_app({"DATABASE_URL": make_coverage_db(tmp_path),
                         "TESTING": True}).test_client()
    response = client.get("/planner/report?state=IL&within=10")
    assert response.status_code == 200
    text = Elements(response.get_data(as_text=True)).plain_text
    assert "No import is recorded in this database." in text
    bad = client.get("/planner/report?state=IL&within=none")
    assert bad.status_code == 400 and "distance threshold" in bad.get_data(as_text=True)


# -- the chart on hand-made distances ------------------------------------------------------------

def test_chart_bands_are_the_engines_with_every_threshold_an_edge() -> None:
    within = parse_thresholds(["3.5", "10"])
    assert band_edges_mi(within) == (0, 1, 2, 3.5, 5, 10, 20, 50)
    chart = distance_chart(DistanceDistribution((0.0, 1.0, 3.5), (30, 0, 70)), within)
    assert [(b.label, b.residents, b.share) for b in chart.bands] == [
        ("0 to 1 mi", 30, 0.3), ("1 to 3.5 mi", 0, 0.0), ("3.5 mi or more", 70, 0.7)]
    assert [bar.ends_at_threshold for bar in chart.bars] == [False, True, False]


def test_chart_bars_scale_to_a_rounded_axis_and_mark_the_thresholds() -> None:
    distribution = DistanceDistribution((0.0, 1.0, 2.0, 5.0), (30, 0, 50, 20))
    chart = distance_chart(distribution, parse_thresholds(["5"]))
    plot_height = HEIGHT_PX - MARGIN_TOP_PX - MARGIN_BOTTOM_PX
    heights = {bar.band.label: bar.height_px for bar in chart.bars}
    assert heights["2 to 5 mi"] == pytest.approx(plot_height)  # 50% is the axis top
    assert heights["0 to 1 mi"] == pytest.approx(plot_height * 0.3 / 0.5)
    assert [g.label for g in chart.grid] == ["0%", "12.5%", "25%", "37.5%", "50%"]
    assert [bar.band.label for bar in chart.bars if bar.ends_at_threshold] == ["2 to 5 mi"]
    assert chart.residents == 100


def test_chart_of_nobody_draws_empty_bars() -> None:
    chart = distance_chart(DistanceDistribution((0.0, 5.0), (0, 0)), parse_thresholds(["5"]))
    assert chart.residents == 0
    assert all(bar.height_px == 0 and bar.band.share is None for bar in chart.bars)
