"""Where a requested site is: the add form's location fields say exactly what to fix, next to
the field at fault; without the map the typed address or coordinates place the site; the
review page maps the requested point in its county."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from html_page import Elements
from partner_web import add_account, csrf_token, log_in, partner_app
from planner_data import make_coverage_db

from locator import geodata
from locator.accounts import Role
from locator.geocode import default_geocoder
from locator.store import open_store

SANGAMON = "17167"
LIBRARY = "lib-springfield"
NEW_SITE = {"kind": "access_site", "name": "Eastside Career Lab",
            "organization": "Lincoln Library", "address": "2101 E Clear Lake Ave",
            "city": "Springfield", "state": "IL", "zip": "62703"}


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = make_coverage_db(tmp_path)
    add_account(url, "ana@lincoln.example", organization="Lincoln Library")
    add_account(url, "rev@sangamon.example", role=Role.REVIEWER, organization="LWA 21",
                areas=(SANGAMON,))
    return url


def signed_in(url: str, email: str) -> FlaskClient:
    client = partner_app(url).test_client()
    assert log_in(client, email).status_code == 302
    return client


def send(client: FlaskClient, **fields: str):
    return client.post("/partner/add", data={**NEW_SITE, **fields,
                                             "csrf_token": csrf_token(client, "/partner/add")})


def filed_fields(client: FlaskClient) -> dict[str, object]:
    with open_store(client.application.config["DATABASE_URL"]) as store:
        return store.site_requests()[0].fields


def field_error(page_html: str, name: str) -> str:
    """The message next to the field, after checking the field points at it."""
    [control] = Elements(page_html).all("input", id=name)
    assert control["aria-invalid"] == "true"
    assert f"{name}-error" in (control["aria-describedby"] or "").split()
    [message] = re.findall(rf'<p class="error" id="{name}-error">(.*?)</p>', page_html, re.S)
    return html.unescape(message).strip()


@pytest.mark.parametrize(("given", "missing"), [("lat", "lon"), ("lon", "lat")])
def test_one_coordinate_alone_asks_for_the_other_next_to_it(db_url: str, given: str,
                                                           missing: str) -> None:
    partner = signed_in(db_url, "ana@lincoln.example")
    answer = send(partner, **{given: "39.8" if given == "lat" else "-89.6"})
    assert answer.status_code == 400
    assert field_error(answer.get_data(as_text=True), missing) == (
        "Give both the latitude and the longitude, or leave both empty to place the site by "
        "its address.")


@pytest.mark.parametrize(("fields", "at_fault", "message"), [
    ({"lat": "39,8x", "lon": "-89.6"}, "lat",
     "Type the latitude in decimal degrees, such as 39.80012, or leave it empty."),
    ({"lat": "39.8", "lon": "west"}, "lon",
     "Type the longitude in decimal degrees, such as -89.64971, or leave it empty."),
    ({"lat": "139.8", "lon": "-89.6"}, "lat", "The latitude is between -90 and 90 degrees."),
    ({"lat": "nan", "lon": "-89.6"}, "lat", "The latitude is between -90 and 90 degrees."),
    ({"lat": "39.8", "lon": "-189.6"}, "lon",
     "The longitude is between -180 and 180 degrees."),
])
def test_coordinates_that_are_not_degrees_say_what_to_type(
        db_url: str, fields: dict[str, str], at_fault: str, message: str) -> None:
    partner = signed_in(db_url, "ana@lincoln.example")
    answer = send(partner, **fields)
    assert answer.status_code == 200  # the form is shown again, nothing filed
    assert field_error(answer.get_data(as_text=True), at_fault) == message
    assert partner.get("/partner/").get_data(as_text=True).count("data-request=") == 0


def test_a_point_in_no_county_says_so_next_to_the_latitude(db_url: str) -> None:
    # The usual slip: the longitude typed without its minus sign lands in China.
    assert geodata.county_fips_at(39.8, 89.65) is None
    partner = signed_in(db_url, "ana@lincoln.example")
    answer = send(partner, lat="39.8", lon="89.65")
    assert answer.status_code == 400
    assert "longitudes in the US are negative" in field_error(answer.get_data(as_text=True),
                                                              "lat")


def test_a_coastal_point_the_outlines_leave_offshore_is_filed_in_the_nearest_county(
        db_url: str) -> None:
    # A library on the La Jolla shore: the generalised outline of San Diego County stops
    # short of it.
    assert geodata.county_fips_at(32.8406523, -117.2764051) is None
    partner = signed_in(db_url, "ana@lincoln.example")
    assert send(partner, lat="32.8406523", lon="-117.2764051").status_code == 302
    with open_store(db_url) as store:
        assert store.site_requests()[0].county_fips == "06073"


def test_an_address_that_cannot_be_placed_says_so_next_to_the_address(db_url: str) -> None:
    partner = signed_in(db_url, "ana@lincoln.example")
    answer = send(partner, zip="00000")
    assert answer.status_code == 400
    assert field_error(answer.get_data(as_text=True), "address").startswith(
        "This address could not be placed")


def test_without_coordinates_the_site_is_filed_where_its_address_geocodes(
        db_url: str) -> None:
    partner = signed_in(db_url, "ana@lincoln.example")
    assert send(partner).status_code == 302
    place = default_geocoder().geocode("2101 E Clear Lake Ave, Springfield, IL 62703")
    fields = filed_fields(partner)
    assert (fields["lat"], fields["lon"]) == (place.lat, place.lon)


def test_typed_coordinates_are_filed_as_typed_in_their_county(db_url: str) -> None:
    partner = signed_in(db_url, "ana@lincoln.example")
    assert send(partner, lat="39.801234", lon="-89.612345").status_code == 302
    fields = filed_fields(partner)
    assert (fields["lat"], fields["lon"]) == (39.801234, -89.612345)


def test_the_form_offers_the_map_to_the_script_and_links_the_hint(db_url: str) -> None:
    page = Elements(signed_in(db_url, "ana@lincoln.example").get("/partner/add")
                    .get_data(as_text=True))
    [section] = page.all("div", id="place-map")
    assert "hidden" in section  # shown by the script only: without it nothing is dead
    [map_element] = page.all("div", id="map")
    assert map_element["data-geocode-url"] == "/api/geocode"
    [lat] = page.all("input", id="lat")
    assert lat["aria-describedby"] == "lat-hint"
    assert page.all("script", src="/static/js/place-site.js")


def test_the_review_page_maps_the_requested_point_in_its_county(db_url: str) -> None:
    partner = signed_in(db_url, "ana@lincoln.example")
    assert send(partner, lat="39.801234", lon="-89.612345").status_code == 302
    assert partner.post(f"/partner/sites/{LIBRARY}/extend", data={
        "roles": ["access_site"],
        "csrf_token": csrf_token(partner, f"/partner/sites/{LIBRARY}/extend")}).status_code == 302
    reviewer = signed_in(db_url, "rev@sangamon.example")
    queue = reviewer.get("/review/").get_data(as_text=True)
    ids = {html.unescape(label).split(":")[0]: link for link, label in
           re.findall(r'<a href="(/review/\d+)">([^<]*)</a>', queue)}
    added = Elements(reviewer.get(ids["Add a site"]).get_data(as_text=True))
    [map_element] = added.all("div", id="map")
    assert (map_element["data-lat"], map_element["data-lon"]) == ("39.801234", "-89.612345")
    assert map_element["data-county"] == SANGAMON
    assert "Sangamon County" in map_element["aria-label"]
    assert added.all("script", src="/static/js/review-map.js")
    extended = Elements(reviewer.get(ids["Add roles to a listed place"]).get_data(as_text=True))
    [map_element] = extended.all("div", id="map")
    assert (map_element["data-lat"], map_element["data-lon"]) == ("39.8003", "-89.6497")
