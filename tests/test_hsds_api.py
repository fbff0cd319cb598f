"""The HSDS 3.0 API profile under ``/hsds/``: answers valid against the official schemas,
pages that cover every approved place once, postcode and proximity against a brute-force
reference, 400 for bad parameters, and no pending or retired place anywhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hsds_standard import errors
from web_sites import HIDDEN_IDS, PUBLIC_SITES, SITES, make_db

from locator import hsds
from locator.geo import haversine_mi
from locator.sites import PROGRAMS, Kind, Site, Status
from locator.store import open_store
from web import create_app
from web.data import site_data
from web.hsds import M_PER_MI

VERIFIED = Site("verified-1", "Verified Access Site", Kind.ACCESS_SITE, 39.79, -89.65,
                address="2 Example St", city="Springfield", state="IL", zip="62701",
                county_fips="17167", last_verified="2026-05-01")
ALL_SITES = (*SITES, VERIFIED)
APPROVED = (*PUBLIC_SITES, VERIFIED)
PAGE_FIELDS = ("total_items", "total_pages", "page_number", "size", "first_page",
               "last_page", "empty", "contents")


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return make_db(tmp_path_factory.mktemp("hsds_api"), ALL_SITES)


@pytest.fixture(scope="module")
def app(database_url: str) -> Flask:
    return create_app({"DATABASE_URL": database_url, "TESTING": True})


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def get_json(client: FlaskClient, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def every_page(client: FlaskClient, url: str, per_page: int = 3) -> list[dict[str, Any]]:
    """The contents of every page, checking each page's counts as it goes."""
    contents: list[dict[str, Any]] = []
    page = 1
    sep = "&" if "?" in url else "?"
    while True:
        answer = get_json(client, f"{url}{sep}page={page}&per_page={per_page}")
        assert list(answer) == list(PAGE_FIELDS)
        assert answer["page_number"] == page and answer["first_page"] == (page == 1)
        assert answer["size"] == len(answer["contents"]) <= per_page
        assert answer["total_pages"] == -(-answer["total_items"] // per_page)
        contents += answer["contents"]
        if answer["last_page"]:
            assert len(contents) == answer["total_items"]
            return contents
        page += 1


def test_root_names_the_version_the_profile_and_a_served_openapi_document(
        client: FlaskClient) -> None:
    about = get_json(client, "/hsds/")
    assert about["version"] == "3.0" and about["profile"].startswith("https://")
    document = get_json(client, about["openapi_url"].removeprefix("http://localhost"))
    assert document["openapi"].startswith("3.1")


def test_every_hsds_route_is_in_the_openapi_document(app: Flask, client: FlaskClient) -> None:
    routes = {re.sub(r"<\w+>", "{id}", rule.rule)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/hsds/")}
    assert routes == set(get_json(client, "/hsds/openapi.json")["paths"])


def test_services_pages_hold_every_approved_place_once_valid_and_fully_nested(
        client: FlaskClient) -> None:
    services = every_page(client, "/hsds/services")
    assert sorted(s["id"] for s in services) == sorted(hsds.service_id(s.id) for s in APPROVED)
    by_id = {hsds.service_id(s.id): s for s in APPROVED}
    for service in services:
        assert errors("compiled/service.json", service) == []
        assert service == hsds.service(by_id[service["id"]])


def test_one_service_is_the_exported_one(client: FlaskClient) -> None:
    site = PUBLIC_SITES[0]
    service = get_json(client, f"/hsds/services/{hsds.service_id(site.id)}")
    assert service == hsds.service(site)
    assert errors("compiled/service.json", service) == []


def test_organizations_list_and_one_validate_and_list_their_services(
        client: FlaskClient) -> None:
    organizations = every_page(client, "/hsds/organizations")
    assert {o["id"] for o in organizations} == {hsds.organization_id(s) for s in APPROVED}
    for item in organizations:
        assert errors("compiled/organization_list.json", item) == []
        one = get_json(client, f"/hsds/organizations/{item['id']}")
        assert errors("compiled/organization.json", one) == []
        assert {s["id"] for s in one["services"]} == {
            hsds.service_id(s.id) for s in APPROVED if hsds.organization_id(s) == item["id"]}


def test_service_at_locations_list_and_one_validate(client: FlaskClient) -> None:
    links = every_page(client, "/hsds/service_at_locations")
    assert {link["id"] for link in links} == {hsds.service_at_location_id(s.id)
                                              for s in APPROVED}
    for link in links:
        assert errors("compiled/service_at_location_list.json", link) == []
        one = get_json(client, f"/hsds/service_at_locations/{link['id']}")
        assert errors("compiled/service_at_location.json", one) == []
        assert one["location"]["location_type"] == "physical"


def test_a_place_s_hours_are_schedule_rows_in_both_answers(client: FlaskClient) -> None:
    """The library's hours are weekly rows, the same under /services and
    /service_at_locations, each row naming the service and the service at its location."""
    site = PUBLIC_SITES[0]
    assert site.hours == "Mon-Thu 9-8, Fri-Sat 9-5"
    service = get_json(client, f"/hsds/services/{hsds.service_id(site.id)}")
    link = get_json(client, f"/hsds/service_at_locations/{hsds.service_at_location_id(site.id)}")
    assert [(r["freq"], r["byday"], r["opens_at"], r["closes_at"])
            for r in service["schedules"]] == [("WEEKLY", "MO,TU,WE,TH", "09:00", "20:00"),
                                               ("WEEKLY", "FR,SA", "09:00", "17:00")]
    assert link["schedules"] == service["schedules"]
    assert {(r["service_id"], r["service_at_location_id"]) for r in link["schedules"]} == {
        (service["id"], link["id"])}
    assert hsds.site_from_service(service).hours == site.hours


def test_the_api_serves_no_audit_trail(client: FlaskClient) -> None:
    """Metadata names who changed what: reviewers and admins see it, the public API not."""
    for url in ("/hsds/services?per_page=500", "/hsds/service_at_locations?per_page=500",
                "/hsds/organizations?per_page=500"):
        assert '"metadata"' not in client.get(url).get_data(as_text=True)


def test_taxonomies_and_their_terms_validate_and_name_every_kind_and_program(
        client: FlaskClient) -> None:
    taxonomies = every_page(client, "/hsds/taxonomies")
    assert {t["id"] for t in taxonomies} == {t.id for t in hsds.TAXONOMIES}
    for taxonomy in taxonomies:
        assert errors("taxonomy.json", taxonomy) == []
        assert get_json(client, f"/hsds/taxonomies/{taxonomy['id']}") == taxonomy
    terms = every_page(client, "/hsds/taxonomy_terms")
    for term in terms:
        assert errors("taxonomy_term.json", term) == []
        assert get_json(client, f"/hsds/taxonomy_terms/{term['id']}") == term
    kinds = every_page(client, f"/hsds/taxonomy_terms?taxonomy_id={hsds.KIND_TAXONOMY.id}")
    assert {t["code"] for t in kinds} == {k.value for k in Kind}
    assert {t["code"] for t in terms} >= {p.slug for p in PROGRAMS}


@pytest.mark.parametrize("term", [hsds.KIND_TERMS[Kind.LIBRARY], hsds.PROGRAM_TERMS["wifi"],
                                  hsds.PROGRAM_TERMS["title_i_adult"]])
def test_services_with_a_term_are_the_sites_of_that_kind_or_program(
        client: FlaskClient, term: hsds.Term) -> None:
    found = {s["id"] for s in every_page(client,
                                          f"/hsds/services?taxonomy_term_id={term.id}")}
    expected = {hsds.service_id(s.id) for s in APPROVED
                if term.code in (s.kind.value, *s.programs)}
    assert found == expected and expected


def test_taxonomy_and_organization_filters_match_a_reference(client: FlaskClient) -> None:
    with_programs = {s["id"] for s in every_page(
        client, f"/hsds/services?taxonomy_id={hsds.PROGRAM_TAXONOMY.id}")}
    assert with_programs == {hsds.service_id(s.id) for s in APPROVED if s.programs}
    site = APPROVED[0]
    links = every_page(client, "/hsds/service_at_locations?organization_id="
                               f"{hsds.organization_id(site)}")
    assert [link["service_id"] for link in links] == [hsds.service_id(site.id)]


@pytest.mark.parametrize("proximity_m", [100.0, 2_500.0, 20_000.0, 80_000.0])
def test_proximity_matches_a_brute_force_distance_from_the_postcode_centre(
        app: Flask, client: FlaskClient, proximity_m: float) -> None:
    with app.app_context():
        centre = site_data().place("62701")
    distance_mi = {s.id: float(haversine_mi(centre.lat, centre.lon, s.lat, s.lon))
                   for s in APPROVED}
    expected = sorted((d, i) for i, d in distance_mi.items() if d * M_PER_MI <= proximity_m)
    links = every_page(client, f"/hsds/service_at_locations?postcode=62701"
                               f"&proximity={proximity_m}")
    assert [link["location"]["name"] for link in links] == [
        next(s.name for s in APPROVED if s.id == i) for _, i in expected]


def test_postcode_alone_means_the_address_has_it(client: FlaskClient) -> None:
    links = every_page(client, "/hsds/service_at_locations?postcode=62701-1234")
    assert sorted(link["service"]["name"] for link in links) == sorted(
        s.name for s in APPROVED if s.zip == "62701")
    assert len(links) >= 2


def test_search_needs_every_word_in_any_case(client: FlaskClient) -> None:
    names = {s["name"] for s in every_page(client, "/hsds/services?search=SPRINGFIELD+job")}
    assert names == {"Springfield Job Center"}
    wifi = {s["name"] for s in every_page(client, "/hsds/services?search=wi-fi")}
    assert wifi == {s.name for s in APPROVED if "wifi" in s.programs}


@pytest.mark.parametrize("after, expected", [
    ("2026-05-01", {"verified-1"}), ("2026-04-30T23:00:00-05:00", {"verified-1"}),
    ("2026-05-01T12:00:00Z", {"verified-1"}), ("2026-05-02", set())])
def test_modified_after_compares_the_date_the_details_were_verified(
        client: FlaskClient, after: str, expected: set[str]) -> None:
    services = every_page(client, f"/hsds/services?modified_after={after.replace('+', '%2B')}")
    assert {s["id"] for s in services} == {hsds.service_id(i) for i in expected}


def test_a_page_past_the_end_is_empty(client: FlaskClient) -> None:
    answer = get_json(client, "/hsds/services?page=99&per_page=50")
    assert answer["empty"] is True and answer["contents"] == [] and answer["last_page"]
    assert answer["total_items"] == len(APPROVED)


@pytest.mark.parametrize("url, parameter", [
    ("/hsds/services?page=0", "page"), ("/hsds/services?page=two", "page"),
    ("/hsds/services?per_page=501", "per_page"), ("/hsds/organizations?per_page=-1", "per_page"),
    ("/hsds/services?search=" + "x" * 201, "search"),
    ("/hsds/services?modified_after=last+week", "modified_after"),
    ("/hsds/service_at_locations?postcode=Springfield", "postcode"),
    ("/hsds/service_at_locations?postcode=00000&proximity=100", "postcode"),
    ("/hsds/service_at_locations?postcode=62701&proximity=-5", "proximity"),
    ("/hsds/service_at_locations?postcode=62701&proximity=far", "proximity"),
    ("/hsds/service_at_locations?proximity=100", "proximity"),
])
def test_bad_parameters_answer_400_naming_the_parameter(
        client: FlaskClient, url: str, parameter: str) -> None:
    answer = get_json(client, url, status=400)
    assert answer["error"] in ("invalid_parameter", "unknown_place")
    assert answer["parameter"] == parameter and answer["detail"]


def test_pending_and_retired_places_are_nowhere_under_hsds(client: FlaskClient) -> None:
    hidden = [s for s in ALL_SITES if s.id in HIDDEN_IDS]
    assert hidden
    everything = str([every_page(client, url) for url in (
        "/hsds/services", "/hsds/organizations", "/hsds/service_at_locations",
        "/hsds/service_at_locations?postcode=62701&proximity=50000")])
    for site in hidden:
        assert site.name not in everything
        assert hsds.service_id(site.id) not in everything
        get_json(client, f"/hsds/services/{hsds.service_id(site.id)}", status=404)
        get_json(client, f"/hsds/service_at_locations/{hsds.service_at_location_id(site.id)}",
                 status=404)
        assert every_page(client, f"/hsds/services?search={site.name.replace(' ', '+')}") \
            == []
        get_json(client, f"/hsds/organizations/{hsds.organization_id(site)}", status=404)


def test_unknown_ids_answer_404_in_the_error_shape(client: FlaskClient) -> None:
    for url in ("/hsds/services/x", "/hsds/organizations/x", "/hsds/service_at_locations/x",
                "/hsds/taxonomies/x", "/hsds/taxonomy_terms/x", "/hsds/no_such_table"):
        answer = get_json(client, url, status=404)
        assert answer["error"] == "not_found" and answer["detail"]


def test_a_place_approved_later_appears_without_a_restart(tmp_path: Path) -> None:
    url = make_db(tmp_path)
    client = create_app({"DATABASE_URL": url, "TESTING": True}).test_client()
    pending = next(s for s in SITES if s.status is Status.PENDING)
    path = f"/hsds/services/{hsds.service_id(pending.id)}"
    get_json(client, path, status=404)
    with open_store(url) as store:
        store.set_status([pending.id], Status.APPROVED)
    assert get_json(client, path)["name"] == pending.name
