"""The JSON API on hand-made sites: answers equal the library's, bad input is a 400 naming
the parameter, hidden sites never appear, and the catalog follows the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from web_sites import HIDDEN_IDS, PUBLIC_SITES, make_db

from locator.cli import main as cli_main
from locator.geocode import default_geocoder
from locator.open_at import parse_moment
from locator.places import Place, Precision
from locator.search import find_nearest, public_filter, site_json
from locator.sites import Kind, Site, Status
from locator.spatial import Catalog, brute_force_nearest
from locator.store import open_store
from web import create_app
from web.clusters import grid_clusters


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return make_db(tmp_path_factory.mktemp("web_api"))


@pytest.fixture(scope="module")
def client(db_url: str) -> FlaskClient:
    return create_app({"DATABASE_URL": db_url, "TESTING": True}).test_client()


def get_json(client: FlaskClient, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_nearest_by_point_matches_the_brute_force_reference(client: FlaskClient) -> None:
    body = get_json(client, "/api/nearest?lat=39.79&lon=-89.64&k=5")
    expected = brute_force_nearest(PUBLIC_SITES, 39.79, -89.64, k=5)
    assert [r["id"] for r in body["results"]] == [n.site.id for n in expected]
    assert [r["distance_mi"] for r in body["results"]] == pytest.approx(
        [n.distance_mi for n in expected], abs=1e-9)
    assert body["query"] == {"label": "39.79000, -89.64000", "lat": 39.79, "lon": -89.64,
                             "precision": "point"}


def test_nearest_json_is_the_library_answer_json(client: FlaskClient) -> None:
    at = "2027-03-10T10:00"
    body = get_json(client, f"/api/nearest?lat=39.8&lon=-89.6&k=3&kind=library&at={at}")
    catalog = Catalog(PUBLIC_SITES)
    place = Place(body["query"]["label"], 39.8, -89.6, Precision.POINT)
    expected = find_nearest(catalog, place, k=3, site_filter=public_filter(["library"]),
                            moment=parse_moment(at))
    assert body == json.loads(json.dumps(expected.to_json()))
    assert list(body["results"][0]) == [*site_json(PUBLIC_SITES[0], distance_mi=1.0),
                                        "open", "next_change"]


def test_nearest_never_returns_pending_or_retired_sites(client: FlaskClient) -> None:
    body = get_json(client, "/api/nearest?lat=39.8004&lon=-89.6498&k=1000")
    ids = [r["id"] for r in body["results"]]
    assert sorted(ids) == sorted(s.id for s in PUBLIC_SITES)
    assert not HIDDEN_IDS & set(ids)


def test_kind_may_repeat_or_be_comma_separated(client: FlaskClient) -> None:
    repeated = get_json(client, "/api/nearest?lat=39.8&lon=-89.6&k=20&kind=library&kind=bookmobile")
    commas = get_json(client, "/api/nearest?lat=39.8&lon=-89.6&k=20&kind=library,bookmobile")
    assert repeated == commas
    assert {r["kind"] for r in repeated["results"]} == {"library", "bookmobile"}
    assert len(repeated["results"]) == sum(
        s.kind in (Kind.LIBRARY, Kind.BOOKMOBILE) for s in PUBLIC_SITES)


def test_program_and_distance_filters_narrow_the_answer(client: FlaskClient) -> None:
    body = get_json(client, "/api/nearest?lat=39.8&lon=-89.6&k=20&program=public_computers")
    assert {r["id"] for r in body["results"]} == {"lib-springfield", "access-petersburg"}
    near = get_json(client, "/api/nearest?lat=39.8&lon=-89.6&k=20&within_mi=10")
    expected = brute_force_nearest(PUBLIC_SITES, 39.8, -89.6, k=20, within_mi=10)
    assert [r["id"] for r in near["results"]] == [n.site.id for n in expected]
    assert all(r["distance_mi"] <= 10 for r in near["results"])


@pytest.mark.parametrize(("query", "parameter"), [
    ("", "q"),
    ("q=", "q"),
    ("lat=39.8", "lon"),
    ("lon=-89.6", "lat"),
    ("lat=95&lon=-89.6", "lat"),
    ("lat=39.8&lon=-200", "lon"),
    ("lat=north&lon=-89.6", "lat"),
    ("lat=nan&lon=-89.6", "lat"),
    ("lat=39.8&lon=inf", "lon"),
    ("q=62701&lat=39.8&lon=-89.6", "q"),
    ("lat=39.8&lon=-89.6&k=0", "k"),
    ("lat=39.8&lon=-89.6&k=1001", "k"),
    ("lat=39.8&lon=-89.6&k=99999999999999999999999", "k"),
    ("lat=39.8&lon=-89.6&k=2.5", "k"),
    ("lat=39.8&lon=-89.6&k=ten", "k"),
    ("lat=39.8&lon=-89.6&kind=school", "kind"),
    ("lat=39.8&lon=-89.6&kind=library,school", "kind"),
    ("lat=39.8&lon=-89.6&program=astrology", "program"),
    ("lat=39.8&lon=-89.6&within_mi=0", "within_mi"),
    ("lat=39.8&lon=-89.6&within_mi=-5", "within_mi"),
    ("lat=39.8&lon=-89.6&within_mi=far", "within_mi"),
    (f"q={'x' * 201}", "q"),
])
def test_bad_nearest_input_is_a_400_naming_the_parameter(client: FlaskClient, query: str,
                                                          parameter: str) -> None:
    body = get_json(client, f"/api/nearest?{query}", status=400)
    assert body["error"] == "invalid_parameter"
    assert body["parameter"] == parameter
    assert parameter in body["detail"]


@pytest.mark.parametrize(("url", "parameter"), [
    ("/api/sites", "bbox"),
    ("/api/sites?bbox=1,2,3", "bbox"),
    ("/api/sites?bbox=a,b,c,d", "bbox"),
    ("/api/sites?bbox=-88,39,-90,41", "bbox"),
    ("/api/sites?bbox=-90,41,-88,39", "bbox"),
    ("/api/sites?bbox=-90,39,-88,95", "bbox"),
    ("/api/sites?bbox=-90,39,-88,41&kind=castle", "kind"),
    ("/api/clusters?bbox=-90,39,-88,41", "zoom"),
    ("/api/clusters?bbox=-90,39,-88,41&zoom=23", "zoom"),
    ("/api/clusters?bbox=-90,39,-88,41&zoom=-1", "zoom"),
    ("/api/clusters?zoom=4", "bbox"),
    ("/api/geocode", "q"),
    ("/api/geocode?q=%20%20", "q"),
])
def test_bad_map_and_geocode_input_is_a_400_naming_the_parameter(
        client: FlaskClient, url: str, parameter: str) -> None:
    body = get_json(client, url, status=400)
    assert (body["error"], body["parameter"]) == ("invalid_parameter", parameter)


@pytest.mark.parametrize("site_id", ["no-such-site", *sorted(HIDDEN_IDS)])
def test_unknown_or_hidden_site_is_a_404_in_the_error_shape(client: FlaskClient,
                                                            site_id: str) -> None:
    body = get_json(client, f"/api/sites/{site_id}", status=404)
    assert body["error"] == "not_found"
    assert site_id in body["detail"]


def test_public_site_is_its_site_json(client: FlaskClient) -> None:
    site = PUBLIC_SITES[1]
    assert get_json(client, f"/api/sites/{site.id}") == site_json(site)


def test_unknown_route_and_wrong_method_answer_json(client: FlaskClient) -> None:
    assert get_json(client, "/api/nowhere", status=404)["error"] == "not_found"
    response = client.post("/api/nearest?lat=1&lon=1")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"


def test_sites_in_bbox_are_an_rfc7946_feature_collection(client: FlaskClient) -> None:
    response = client.get("/api/sites?bbox=-90,39.7,-89.5,39.9")
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    inside = {s.id for s in PUBLIC_SITES if -90 <= s.lon <= -89.5 and 39.7 <= s.lat <= 39.9}
    assert {f["id"] for f in body["features"]} == inside
    for feature in body["features"]:
        site = next(s for s in PUBLIC_SITES if s.id == feature["id"])
        assert feature["type"] == "Feature"
        assert feature["geometry"] == {"type": "Point", "coordinates": [site.lon, site.lat]}
        assert feature["properties"] == site_json(site)


def test_sites_in_bbox_skip_hidden_sites_and_honour_kind(client: FlaskClient) -> None:
    body = get_json(client, "/api/sites?bbox=-180,-90,180,90&kind=library")
    ids = {f["id"] for f in body["features"]}
    assert ids == {s.id for s in PUBLIC_SITES if s.kind is Kind.LIBRARY}
    assert not ids & HIDDEN_IDS


@pytest.mark.parametrize("zoom", [0, 4, 8, 12, 18])
def test_clusters_account_for_every_site_in_the_box_once(client: FlaskClient, zoom: int) -> None:
    body = get_json(client, f"/api/clusters?bbox=-125,30,-80,49&zoom={zoom}")
    inside = [s for s in PUBLIC_SITES if -125 <= s.lon <= -80 and 30 <= s.lat <= 49]
    features = body["features"]
    singles = {f["properties"]["id"] for f in features if not f["properties"].get("cluster")}
    counted = sum(f["properties"].get("count", 1) for f in features)
    assert counted == len(inside)
    expected = grid_clusters([s.lat for s in inside], [s.lon for s in inside], zoom=zoom)
    assert len(features) == len(expected)
    assert singles <= {s.id for s in inside}


def test_catalog_follows_changes_to_the_store(tmp_path: Path) -> None:
    url = make_db(tmp_path)
    client = create_app({"DATABASE_URL": url, "TESTING": True}).test_client()
    assert get_json(client, "/api/sites/lib-springfield")["name"] == "Lincoln Library"
    new_site = Site("new-1", "Newly Approved Center", Kind.ACCESS_SITE, 39.8, -89.6)
    with open_store(url) as store:
        store.upsert_sites([new_site])
        store.set_status(["lib-springfield"], Status.RETIRED)
    assert get_json(client, "/api/sites/new-1")["name"] == "Newly Approved Center"
    get_json(client, "/api/sites/lib-springfield", status=404)
    first = get_json(client, "/api/nearest?lat=39.8&lon=-89.6&k=1")["results"][0]
    assert first["id"] == "new-1"


def test_a_map_box_shows_each_site_as_it_is_now(tmp_path: Path) -> None:
    # Box answers reuse each site's encoded feature; an edited site must not be served
    # from the feature of its old version.
    url = make_db(tmp_path)
    client = create_app({"DATABASE_URL": url, "TESTING": True}).test_client()
    box = "/api/sites?bbox=-90,39.7,-89.5,39.9"

    def properties(site_id: str) -> dict:
        features = get_json(client, box)["features"]
        return next(f["properties"] for f in features if f["id"] == site_id)

    assert client.get(box).data == client.get(box).data
    before = properties("lib-springfield")
    with open_store(url) as store:
        edited = store.site("lib-springfield").replace(phone="217-555-0142", hours="Mo 09:00-12:00")
        store.upsert_sites([edited])
    after = properties("lib-springfield")
    assert after == site_json(edited) != before
    assert after["phone"] == "217-555-0142"


def test_geocode_answers_the_place_the_text_names(client: FlaskClient) -> None:
    assert get_json(client, "/api/geocode?q=62701") == \
        default_geocoder().geocode("62701").to_json()
    body = get_json(client, "/api/geocode?q=Peoria,%20IL")
    assert (body["label"], body["precision"]) == ("Peoria, IL", "city")


def test_ambiguous_place_is_a_400_listing_the_candidates(client: FlaskClient) -> None:
    for url in ("/api/geocode?q=Springfield", "/api/nearest?q=Springfield"):
        body = get_json(client, url, status=400)
        assert (body["error"], body["parameter"]) == ("ambiguous_place", "q")
        labels = [c["label"] for c in body["candidates"]]
        assert "Springfield, IL" in labels and "Springfield, MA" in labels
        assert all(set(c) == {"label", "lat", "lon", "precision"} for c in body["candidates"])


def test_misspelt_place_is_a_400_that_suggests_the_right_one(client: FlaskClient) -> None:
    body = get_json(client, "/api/nearest?q=Sprngfield,%20IL", status=400)
    assert (body["error"], body["parameter"]) == ("unknown_place", "q")
    assert "Springfield, IL" in body["detail"]


def test_nearest_by_text_is_exactly_the_cli_json(client: FlaskClient, db_url: str,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LOCATOR_DATABASE_URL", db_url)
    assert cli_main(["nearest", "62701", "-k", "4", "--kind", "library", "bookmobile",
                     "--within", "30", "--format", "json"]) == 0
    cli_answer = json.loads(capsys.readouterr().out)
    api_answer = get_json(
        client, "/api/nearest?q=62701&k=4&kind=library,bookmobile&within_mi=30")
    assert api_answer == cli_answer
    assert len(api_answer["results"]) >= 2


PARAMETERS = ("q", "lat", "lon", "k", "kind", "program", "within_mi", "bbox", "zoom")
ROUTES = ("/api/nearest", "/api/sites", "/api/clusters", "/api/geocode")
# Text a person or a broken client might send: numbers in odd spellings, junk, control
# characters and very long strings.
values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["0", "-0", "1e309", "-1e309", "NaN", "inf", "1_0", "0x10", "٣", " 5 ",
                     "39.8", "-89.6", "10", "library", "a,b,c,d", "-90,39,-88,41", ",,,",
                     "99999999999999999999", "\x00", "%00", "'; DROP TABLE sites; --"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers().map(str),
)


@settings(max_examples=300, deadline=None)
@given(route=st.sampled_from(ROUTES),
       args=st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=5))
def test_no_parameter_values_produce_a_server_error(client: FlaskClient, route: str,
                                                    args: dict[str, str]) -> None:
    response = client.get(route, query_string=args)
    assert response.status_code in (200, 400), (route, args, response.get_data(as_text=True))
    body = response.get_json()
    if response.status_code == 400:
        assert set(body) >= {"error", "detail", "parameter"}
        assert body["parameter"] in PARAMETERS


def test_query_arguments_answer_as_werkzeugs_do(client: FlaskClient) -> None:
    from werkzeug.datastructures import ImmutableMultiDict

    with client.application.test_request_context("/api/nearest?k=3&kind=library&kind=access_site"
                                                 "&lat=x"):
        from flask import request

        ours = request.args
        theirs = ImmutableMultiDict(list(ours.items(multi=True)))
        assert type(ours) is not ImmutableMultiDict  # the app's own, quicker on misses
        for name in ("k", "kind", "lat", "missing"):
            assert ours.get(name) == theirs.get(name)
            assert ours.get(name, "none") == theirs.get(name, "none")
            assert ours.getlist(name) == theirs.getlist(name)
        assert ours.get("k", type=int) == theirs.get("k", type=int) == 3
        assert ours.get("lat", type=float) is theirs.get("lat", type=float) is None
