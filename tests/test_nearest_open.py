"""Nearest sites at a moment: open, next change and the week per result; only open ones.

The same answers through the library, ``GET /api/nearest?...&at=&open=`` and
``locator nearest --at --open``, on hand-made sites in three time zones.
"""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from web_sites import make_db

from locator.cli import main as cli_main
from locator.geo import haversine_mi
from locator.hours import read_hours
from locator.open_at import is_open_at, parse_moment
from locator.places import Place, Precision
from locator.search import find_nearest
from locator.sites import Kind, Site
from locator.spatial import Catalog
from web import create_app

SITES = (
    Site("il-day", "Springfield Day Center", Kind.COMPREHENSIVE_CENTER, 39.8003, -89.6497,
         state="IL", hours="Mon-Fri 8:30am-5pm"),
    Site("il-evening", "Springfield Evening Lab", Kind.ACCESS_SITE, 39.7817, -89.6443,
         state="IL", hours="Mo-Fr 17:00-21:00"),
    Site("il-unknown", "Chatham Library", Kind.LIBRARY, 39.6761, -89.7043, state="IL"),
    Site("il-unreadable", "Petersburg Desk", Kind.ACCESS_SITE, 40.0117, -89.8482, state="IL",
         hours="by appointment"),
    Site("in-day", "Indianapolis Center", Kind.COMPREHENSIVE_CENTER, 39.7684, -86.1581,
         state="IN", hours="Mo-Fr 08:30-17:00; PH off"),
    Site("az-day", "Phoenix Center", Kind.COMPREHENSIVE_CENTER, 33.4484, -112.0740,
         state="AZ", hours="Mo-Fr 08:30-17:00"),
)
SPRINGFIELD = Place("Springfield", 39.80, -89.65, Precision.POINT)


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return make_db(tmp_path_factory.mktemp("nearest_open"), SITES)


@pytest.fixture(scope="module")
def client(db_url: str) -> FlaskClient:
    return create_app({"DATABASE_URL": db_url, "TESTING": True}).test_client()


def nearest(client: FlaskClient, **args: str) -> list[dict]:
    response = client.get("/api/nearest", query_string={"lat": "39.80", "lon": "-89.65",
                                                        "k": "10", **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {row["id"]: row for row in rows}


def test_each_result_says_open_next_change_and_hours(client: FlaskClient) -> None:
    rows = by_id(nearest(client, at="2027-03-10T10:00"))  # a Wednesday, local to each site
    day = rows["il-day"]
    assert (day["open"], day["next_change"]) == (True, "2027-03-10T17:00:00-06:00")
    assert day["hours"]["text"] == "Mon-Fri 8:30am-5pm"
    assert (day["hours"]["status"], day["hours"]["canonical"]) == ("structured",
                                                                    "Mo-Fr 08:30-17:00")
    assert day["hours"]["week"][0] == {"opens": "2027-03-10T08:30:00-06:00",
                                       "closes": "2027-03-10T17:00:00-06:00"}
    assert len(day["hours"]["week"]) == 5
    assert (rows["il-evening"]["open"], rows["il-evening"]["next_change"]) == (
        False, "2027-03-10T17:00:00-06:00")
    assert rows["in-day"]["open"] is True
    assert rows["az-day"]["next_change"] == "2027-03-10T17:00:00-07:00"


@pytest.mark.parametrize("text", ["il-unknown", "il-unreadable"])
def test_unknown_and_unreadable_hours_are_null_not_closed(client: FlaskClient,
                                                          text: str) -> None:
    row = by_id(nearest(client, at="2027-03-10T10:00"))[text]
    assert (row["open"], row["next_change"], row["hours"]["week"]) == (None, None, [])
    assert row["hours"]["status"] == ("unknown" if text == "il-unknown" else "unreadable")


def test_an_instant_is_the_same_moment_everywhere(client: FlaskClient) -> None:
    rows = by_id(nearest(client, at="2027-03-10T22:30Z"))  # 16:30 CST, 17:30 EST, 15:30 MST
    assert (rows["il-day"]["open"], rows["in-day"]["open"], rows["az-day"]["open"]) == (
        True, False, True)
    local = by_id(nearest(client, at="2027-03-10T16:45"))  # 16:45 on every site's clock
    assert (local["il-day"]["open"], local["in-day"]["open"], local["az-day"]["open"]) == (
        True, True, True)


def test_open_true_keeps_the_nearest_open_sites_beyond_the_k_nearest(
        client: FlaskClient) -> None:
    rows = nearest(client, at="2027-03-10T18:00", open="true", k="1")
    assert [row["id"] for row in rows] == ["il-evening"]
    assert rows[0]["open"] is True
    assert nearest(client, at="2027-03-14T12:00", open="true") == []  # a Sunday


@pytest.mark.parametrize(("args", "parameter"), [
    ({"at": "next tuesday"}, "at"), ({"at": "2027-02-30T10:00"}, "at"),
    ({"open": "maybe"}, "open"),
])
def test_bad_moment_or_open_is_a_400_naming_it(client: FlaskClient, args: dict[str, str],
                                               parameter: str) -> None:
    response = client.get("/api/nearest", query_string={"lat": "39.8", "lon": "-89.6", **args})
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter


@pytest.mark.parametrize("within_mi", [None, 300.0])
@pytest.mark.parametrize("at", ["2027-03-10T10:00", "2027-03-10T18:00", "2027-03-10T23:30Z",
                                "2027-03-13T10:00", "2027-11-25T10:00"])
def test_open_only_matches_a_brute_force_filter_of_every_site(at: str,
                                                             within_mi: float | None) -> None:
    catalog, moment = Catalog(SITES), parse_moment(at)
    answer = find_nearest(catalog, SPRINGFIELD, k=3, moment=moment, open_only=True,
                          within_mi=within_mi)
    ranked = sorted((float(haversine_mi(SPRINGFIELD.lat, SPRINGFIELD.lon, s.lat, s.lon)), s.id)
                    for s in SITES
                    if is_open_at(read_hours(s.hours), catalog.zone_name(s.id), moment))
    ranked = [(d, site_id) for d, site_id in ranked if within_mi is None or d <= within_mi]
    assert [n.site.id for n in answer.results] == [site_id for _, site_id in ranked[:3]]
    assert [n.distance_mi for n in answer.results] == [d for d, _ in ranked[:3]]
    assert all(opening.open is True for opening in answer.openings)


def test_open_only_over_no_sites_is_empty() -> None:
    answer = find_nearest(Catalog([]), SPRINGFIELD, moment=parse_moment("2027-03-10T10:00"),
                          open_only=True)
    assert (answer.results, answer.openings) == ((), ())


def test_cli_nearest_at_and_open(db_url: str, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LOCATOR_DATABASE_URL", db_url)
    assert cli_main(["nearest", "39.80, -89.65", "--at", "2027-03-10T18:00", "--open",
                     "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["results"]
    assert [row["id"] for row in rows] == ["il-evening"]
    assert cli_main(["nearest", "39.80, -89.65", "-k", "3", "--at", "2027-03-10T10:00"]) == 0
    table = capsys.readouterr().out
    assert "open until Wed 2027-03-10 17:00 CST" in table
    assert "closed until Wed 2027-03-10 17:00 CST" in table
    assert "hours unknown: call ahead" in table
