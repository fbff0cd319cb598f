"""GET /api/coverage, /api/coverage/whatif and /api/coverage/sites: the answers are the coverage
engine's own (checked on the national data and on a tiny world worked out by hand), bad input
is a 400 naming the parameter, and no input at all produces a server error."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from planner_data import NORTH_OFFSET_MI, make_coverage_db
from test_web_openapi import conforms
from web_sites import XSS_NAME, make_db

from locator import geodata
from locator.coverage import CoverageQuery, Geography, load_study, parse_thresholds
from locator.geo import haversine_mi
from locator.search import public_filter
from locator.sites import Kind, Status
from locator.store import open_store
from locator.whatif import ProposedSite, what_if
from web import create_app

ILLINOIS = "17"


@pytest.fixture(scope="module")
def tiny_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    url = make_coverage_db(tmp_path_factory.mktemp("planner_api"))
    return create_app({"DATABASE_URL": url, "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def national_client(national_db_url: str) -> FlaskClient:
    return create_app({"DATABASE_URL": national_db_url, "TESTING": True}).test_client()


def get_json(client: FlaskClient, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


def engine_report(db_url: str, *, states=(), kinds=(), by=Geography.COUNTY,
                  within=("5",)) -> dict:
    """The report straight from the engine, as JSON text would carry it."""
    query = CoverageQuery(site_filter=public_filter(kinds), state_fips=tuple(states),
                          geography=by)
    with open_store(db_url) as store:
        report = load_study(store, query).report(parse_thresholds(within))
    return json.loads(json.dumps(report.to_json()))


# -- hand-worked answers ----------------------------------------------------------------------

def test_county_figures_are_the_hand_worked_answer(tiny_client: FlaskClient) -> None:
    body = get_json(tiny_client,
                    "/api/coverage?state=IL&kind=comprehensive_center&within=10,15")
    sangamon = next(row for row in body["rows"] if row["area_id"] == "17167")
    assert sangamon["population"] == 4000
    assert sangamon["sites"] == 1
    assert sangamon["population_within_10_mi"] == 1000
    assert sangamon["share_within_10_mi"] == 0.25
    assert sangamon["population_within_15_mi"] == 4000
    assert sangamon["mean_distance_mi"] == pytest.approx(0.75 * NORTH_OFFSET_MI, rel=1e-9)
    assert sangamon["median_distance_mi"] == pytest.approx(NORTH_OFFSET_MI, rel=1e-9)
    assert sangamon["sites_per_10k"] == 2.5
    assert [row["area_id"] for row in body["rows"]] == ["17115", "17167"]  # no Indiana
    assert body["total"]["population"] == 4500


def test_residents_near_a_state_line_count_sites_in_either_state(
        tiny_client: FlaskClient) -> None:
    body = get_json(tiny_client, "/api/coverage?state=IN&kind=library&within=200")
    vigo = body["rows"][0]
    nearest_mi = min(haversine_mi(39.4667, -87.4139, 39.8003, -89.6497),  # Lincoln Library
                     haversine_mi(39.4667, -87.4139, 39.82, -89.62))  # the markup-named one
    assert vigo["area_id"] == "18167" and vigo["sites"] == 0
    assert vigo["mean_distance_mi"] == pytest.approx(float(nearest_mi), rel=1e-9)
    assert vigo["gap_reasons"] == ["no_site"]


def test_whatif_adds_exactly_the_residents_a_new_site_reaches(tiny_client: FlaskClient) -> None:
    north = f"{39.7817 + 0.2},{-89.6443}"
    body = get_json(tiny_client, "/api/coverage/whatif?state=IL&kind=comprehensive_center"
                                 f"&within=10&add={north}")
    assert body["total"]["newly_covered_within_10_mi"] == 3000
    assert body["total"]["mean_distance_after_mi"] == pytest.approx(
        body["total"]["mean_distance_before_mi"] - 3000 * NORTH_OFFSET_MI / 4500, rel=1e-9)
    assert [row["area_id"] for row in body["rows"]] == ["17167"]


def test_serving_sites_name_markup_as_data(tiny_client: FlaskClient) -> None:
    response = tiny_client.get("/api/coverage/sites?state=IL&kind=library")
    assert response.mimetype == "application/geo+json"
    features = {f["id"]: f for f in response.get_json()["features"]}
    assert features["xss"]["properties"] == {"id": "xss", "name": XSS_NAME, "kind": "library",
                                             "last_verified": None, "stale": True}
    assert "pending-1" not in features  # only approved sites are ever counted


# -- the national data: the API answers what the engine answers --------------------------------

@pytest.mark.slow
@pytest.mark.parametrize(("url", "states", "kinds", "by", "within"), [
    ("state=IL&kind=library&within=2,5", [ILLINOIS], ["library"], Geography.COUNTY, ["2", "5"]),
    ("state=IL&state=IN&within=5&within=10&by=state", [ILLINOIS, "18"], [], Geography.STATE,
     ["5", "10"]),
    ("state=IL,WI&kind=bookmobile&within=25&by=total", [ILLINOIS, "55"], ["bookmobile"],
     Geography.TOTAL, ["25"]),
])
def test_coverage_json_is_the_engine_report(national_client: FlaskClient, national_db_url: str,
                                            url: str, states, kinds, by, within) -> None:
    body = get_json(national_client, f"/api/coverage?{url}")
    assert body == engine_report(national_db_url, states=states, kinds=kinds, by=by,
                                 within=within)


@pytest.mark.slow
def test_coverage_rows_carry_the_cli_contract_fields(national_client: FlaskClient) -> None:
    body = get_json(national_client, "/api/coverage?state=IL&within=2.5&within=10")
    row = body["rows"][0]
    for field in ("area_id", "name", "population", "sites", "mean_distance_mi",
                  "median_distance_mi", "population_within_2.5_mi", "share_within_2.5_mi",
                  "population_within_10_mi", "share_within_10_mi"):
        assert field in row
    assert len(body["rows"]) == 102
    assert sum(r["population"] for r in body["rows"]) == 12_812_508
    assert row["name"] == geodata.county(row["area_id"]).label


@pytest.mark.slow
def test_whatif_json_is_the_engine_answer(national_client: FlaskClient,
                                          national_db_url: str) -> None:
    query = CoverageQuery(site_filter=public_filter(["library"]), state_fips=(ILLINOIS,))
    with open_store(national_db_url) as store:
        study = load_study(store, query)
    removed = study.index.sites[int(np.argmax(np.bincount(study.nearest)))].id
    body = get_json(national_client, "/api/coverage/whatif?state=IL&kind=library&within=2,5"
                                     f"&add=40.5,-89.0&add=37.5,-88.7&remove={removed}")
    expected = what_if(study, parse_thresholds(["2", "5"]),
                       add=[ProposedSite(40.5, -89.0), ProposedSite(37.5, -88.7)],
                       remove=[removed])
    assert body == json.loads(json.dumps(expected.to_json()))
    assert body["total"]["losing_coverage_within_2_mi"] > 0


@pytest.mark.slow
def test_serving_sites_are_those_inside_and_the_nearest_beyond(
        national_client: FlaskClient, national_db_url: str) -> None:
    with open_store(national_db_url) as store:
        sites = [s for s in store.sites(statuses=[Status.APPROVED]) if s.kind is Kind.LIBRARY
                 and not s.temporarily_closed]
        tracts = store.population("tract", state_fips=[ILLINOIS])
    site_lat = np.array([s.lat for s in sites])
    site_lon = np.array([s.lon for s in sites])
    nearest = set()
    for start in range(0, len(tracts), 400):  # brute force, in blocks to bound memory
        distance_mi = haversine_mi(tracts.lat[start:start + 400, None],
                                   tracts.lon[start:start + 400, None], site_lat[None, :],
                                   site_lon[None, :])
        nearest |= set(np.argmin(distance_mi, axis=1).tolist())
    expected = {s.id for s in sites if s.county_fips.startswith(ILLINOIS)} | \
        {sites[i].id for i in nearest}
    body = get_json(national_client, "/api/coverage/sites?state=IL&kind=library")
    ids = [f["id"] for f in body["features"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    across_the_line = [s for s in sites if s.id in expected and not s.county_fips.startswith("17")]
    assert across_the_line, "some Illinois residents are nearest a library in another state"


@pytest.mark.slow
@pytest.mark.parametrize("url", [
    "/api/coverage?state=IL&within=5,10",
    "/api/coverage/whatif?state=IL&within=5,10&add=40.5,-89.0",
    "/api/coverage/sites?state=IL",
])
def test_answers_have_the_documented_shape(national_client: FlaskClient, url: str) -> None:
    doc = get_json(national_client, "/api/openapi.json")
    response = national_client.get(url)
    path = url.split("?")[0]
    content = doc["paths"][path]["get"]["responses"]["200"]["content"]
    assert response.mimetype in content
    conforms(response.get_json(), content[response.mimetype]["schema"], doc)


@pytest.mark.slow
def test_answers_are_gzipped_when_the_client_accepts_it(national_client: FlaskClient) -> None:
    url = "/api/coverage?state=IL&within=5&format=geojson"
    plain = national_client.get(url)
    packed = national_client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 3


# -- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "parameter"), [
    ("", "within"),
    ("state=IL", "within"),
    ("within=0", "within"),
    ("within=-5", "within"),
    ("within=far", "within"),
    ("within=nan", "within"),
    ("within=5,5", "within"),
    ("within=" + ",".join(str(i) for i in range(1, 12)), "within"),
    ("within=5&state=ZZ", "state"),
    ("within=5&state=IL,Atlantis", "state"),
    ("within=5&state=AS", "state"),  # a real place with no residents loaded
    ("within=5&kind=castle", "kind"),
    ("within=5&program=astrology", "program"),
    ("within=5&by=region", "by"),
    ("within=5&by=tract", "by"),
    ("within=5&format=pdf", "format"),
    ("within=5&max_uncovered_share=2", "max_uncovered_share"),
    ("within=5&max_uncovered_share=half", "max_uncovered_share"),
])
def test_bad_coverage_input_is_a_400_naming_the_parameter(tiny_client: FlaskClient, query: str,
                                                          parameter: str) -> None:
    body = get_json(tiny_client, f"/api/coverage?{query}", status=400)
    assert (body["error"], body["parameter"]) == ("invalid_parameter", parameter)
    assert body["detail"]


def test_region_reports_point_to_the_command_line(tiny_client: FlaskClient) -> None:
    body = get_json(tiny_client, "/api/coverage?within=5&by=region", status=400)
    assert "locator coverage --by region --regions FILE" in body["detail"]


@pytest.mark.parametrize(("query", "parameter"), [
    ("within=5", "add"),
    ("within=5&add=", "add"),
    ("within=5&add=91,0", "add"),
    ("within=5&add=40.1", "add"),
    ("within=5&add=north,west", "add"),
    ("within=5&add=" + "&add=".join(["40,-89"] * 101), "add"),
    ("add=40,-89", "within"),
    ("within=5&remove=no-such-site", "remove"),
    ("within=5&remove=pending-1", "remove"),  # not public
    ("within=5&remove=mobile-central", "remove"),  # temporarily closed: never counted
    ("within=5&kind=bookmobile&remove=lib-springfield", "remove"),  # filtered out
])
def test_bad_whatif_input_is_a_400_naming_the_parameter(tiny_client: FlaskClient, query: str,
                                                        parameter: str) -> None:
    body = get_json(tiny_client, f"/api/coverage/whatif?state=IL&{query}", status=400)
    assert (body["error"], body["parameter"]) == ("invalid_parameter", parameter)


def test_coverage_without_residents_loaded_is_a_404_saying_what_to_do(tmp_path: Path) -> None:
    client = create_app({"DATABASE_URL": make_db(tmp_path), "TESTING": True}).test_client()
    body = get_json(client, "/api/coverage?within=5", status=404)
    assert body["error"] == "not_found" and "locator data import" in body["detail"]


def test_coverage_follows_changes_to_the_store(tmp_path: Path) -> None:
    url = make_coverage_db(tmp_path)
    client = create_app({"DATABASE_URL": url, "TESTING": True}).test_client()
    query = "/api/coverage?state=IL&kind=comprehensive_center&within=10&by=total"
    assert get_json(client, query)["total"]["population_within_10_mi"] == 1000
    with open_store(url) as store:
        store.set_status(["ajc-springfield"], Status.RETIRED)
    after = get_json(client, query)["total"]
    assert (after["sites"], after["population_within_10_mi"]) == (0, 0)


PARAMETERS = ("state", "kind", "program", "within", "by", "format", "max_uncovered_share",
              "add", "remove", "metric")
ROUTES = ("/api/coverage", "/api/coverage/whatif", "/api/coverage/sites", "/planner",
          "/planner/whatif", "/planner/report")
values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["IL", "IN", "il,in", "17", "Illinois", "AS", "library", "bookmobile,library",
                     "wifi", "5", "2.5", "5,10", "0", "-1", "1e309", "nan", "inf", "٣", "1_0",
                     "county", "state", "total", "region", "csv", "geojson", "gpkg", "json",
                     "0.25", "40.1,-89.6", "91,0", "39.8,-89.6,1", "lib-springfield", "xss",
                     "pending-1", ",", "\x00", "'; DROP TABLE sites; --", "share_within_5_mi"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@settings(max_examples=250, deadline=None)
@given(route=st.sampled_from(ROUTES),
       args=st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=6))
def test_no_parameter_values_produce_a_server_error(tiny_client: FlaskClient, route: str,
                                                    args: dict[str, str]) -> None:
    response = tiny_client.get(route, query_string=args)
    assert response.status_code in (200, 400), (route, args, response.get_data(as_text=True))
    if route.startswith("/api/") and response.status_code == 400:
        body = response.get_json()
        assert set(body) >= {"error", "detail", "parameter"}
        assert body["parameter"] in PARAMETERS
