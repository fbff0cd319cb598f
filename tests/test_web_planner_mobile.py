"""The planner with mobile stops, on both engines: the coverage API counts them, leaves them
out, or counts only those visiting on a weekday; a county only a Tuesday stop covers says
"covered on Tuesdays only" in the API, the page's table (read by the map's tooltip), the
report and the exports, in English and Spanish."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from html_page import Elements

from locator.sites import Kind, Site
from locator.store import open_store
from web import create_app

SANGAMON, MENARD, LOGAN = "17167", "17129", "17107"
SITES = (
    Site("lib-springfield", "Lincoln Library", Kind.LIBRARY, 39.8003, -89.6497,
         county_fips=SANGAMON, state="IL", hours="Mo-Sa 09:00-17:00"),
    Site("stop-petersburg", "Petersburg lot", Kind.MOBILE_CENTER, 40.0117, -89.8482,
         county_fips=MENARD, state="IL", hours="Tu 10:00-14:00",
         organization="Central Illinois Mobile Center"),
)
TRACTS = (
    (f"{SANGAMON}000100", SANGAMON, 1000, 39.8003, -89.6497),
    (f"{MENARD}000100", MENARD, 300, 40.0117, -89.8482),
    (f"{LOGAN}000100", LOGAN, 200, 40.1484, -89.3648),
)


@pytest.fixture
def client(database_url: str) -> Iterator[FlaskClient]:
    with open_store(database_url) as store:
        store.upsert_sites(SITES)
        store.replace_population("tract", TRACTS, vintage="2020")
    app: Flask = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test",
                             "TESTING": True})
    yield app.test_client()
    app.extensions["database"].dispose()


def rows(client: FlaskClient, query: str) -> dict[str, dict[str, object]]:
    answer = client.get(f"/api/coverage?state=IL&within=5{query}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {row["area_id"]: row for row in answer.get_json()["rows"]}


def test_a_county_only_a_tuesday_stop_covers_says_so_in_the_api(client: FlaskClient) -> None:
    found = rows(client, "")
    assert {area: row["covered_only_on"] for area, row in found.items()} == {
        SANGAMON: [], MENARD: ["Tu"], LOGAN: []}
    assert found[MENARD]["population_within_5_mi"] == 300


@pytest.mark.parametrize(("query", "menard_within", "weekday", "mobile"), [
    ("&weekday=Tu", 300, "Tu", True),
    ("&weekday=wednesday", 0, "We", True),
    ("&mobile_stops=false", 0, None, False),
])
def test_the_api_counts_stops_by_weekday_or_leaves_them_out(
        client: FlaskClient, query: str, menard_within: int, weekday: str | None,
        mobile: bool) -> None:
    answer = client.get(f"/api/coverage?state=IL&within=5{query}").get_json()
    menard = next(r for r in answer["rows"] if r["area_id"] == MENARD)
    assert menard["population_within_5_mi"] == menard_within
    assert menard["covered_only_on"] == []
    assert (answer["filters"]["weekday"], answer["filters"]["mobile_stops"]) == (weekday, mobile)


@pytest.mark.parametrize("query", ["&weekday=someday", "&mobile_stops=false&weekday=Tu",
                                   "&mobile_stops=perhaps"])
def test_a_bad_weekday_or_stops_choice_is_refused(client: FlaskClient, query: str) -> None:
    answer = client.get(f"/api/coverage?state=IL&within=5{query}")
    assert answer.status_code == 400


def days_cells(html: str) -> dict[str, str]:
    """Each table row's area and the text of its days column."""
    found, area = {}, None
    page = Elements(html)
    for tag, attrs in page.tags:
        if tag == "tr" and "data-area-id" in attrs:
            area = attrs["data-area-id"]
        if tag == "td" and "data-days-note" in attrs and area is not None:
            found[area] = attrs["data-value"]
    return found


@pytest.mark.parametrize(("language", "note"), [("en", "Covered on Tuesdays only"),
                                                ("es", "Cubierto solo los martes")])
def test_the_page_and_the_report_say_covered_on_tuesdays_only(
        client: FlaskClient, language: str, note: str) -> None:
    headers = {"Accept-Language": language}
    for path in ("/planner?state=IL&within=5", "/planner/report?state=IL&within=5"):
        html = client.get(path, headers=headers).get_data(as_text=True)
        assert days_cells(html) == {SANGAMON: "", MENARD: note, LOGAN: ""}


def test_the_page_keeps_the_weekday_chosen_in_its_links(client: FlaskClient) -> None:
    html = client.get("/planner?state=IL&within=5&weekday=Tu").get_data(as_text=True)
    assert "weekday=Tu" in next(a["href"] for a in Elements(html).all("a")
                                if "format=csv" in (a.get("href") or ""))
    chosen = [a for a in Elements(html).all("option") if "selected" in a]
    assert {"value": "Tu", "selected": None} in chosen
    # On a chosen weekday each stop either counts or not: no area is "Tuesdays only".
    assert days_cells(html) == {}


def test_the_csv_export_names_the_days(client: FlaskClient) -> None:
    text = client.get("/api/coverage?state=IL&within=5&format=csv").get_data(as_text=True)
    by_area = {row["area_id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert by_area[MENARD]["covered_only_on"] == "Tu"
    assert by_area[SANGAMON]["covered_only_on"] == ""
