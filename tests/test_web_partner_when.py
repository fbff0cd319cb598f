"""A partner's hours, events and visits forms, on both engines: hours of a live site become a
change request, of a site not yet public they apply at once; events are created, edited and
deleted at the partner's own sites; a mobile unit's account records visits. Every form
carries a CSRF token, and nobody edits another organisation's sites."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from html_page import Elements
from partner_web import add_account, csrf_token, log_in, partner_app

from locator import listings
from locator.accounts import Role
from locator.events import Event, EventKind
from locator.listings import RequestAction, RequestStatus
from locator.sites import Kind, Site, Status
from locator.store import open_store

ORG = "Lincoln Library"
UNIT = "Central Illinois Mobile Center"
LIVE = Site("lib-live", "Lincoln Library", Kind.LIBRARY, 39.8003, -89.6497, organization=ORG,
            county_fips="17167", state="IL", hours="Mo-Fr 09:00-17:00")
NOT_YET_PUBLIC = Site("lib-pending", "Lincoln Branch", Kind.LIBRARY, 39.78, -89.65,
                      organization=ORG, county_fips="17167", state="IL",
                      status=Status.PENDING)
OTHERS = Site("other-1", "Other Place", Kind.ACCESS_SITE, 39.79, -89.64,
              organization="Other Org", county_fips="17167", state="IL")
STOP = Site("stop-1", "Rochester Library lot", Kind.MOBILE_CENTER, 39.7495, -89.5318,
            organization=UNIT, county_fips="17167", state="IL", hours="Tu 10:00-14:00")
FILE_EVENT = Event("file-ev", LIVE.id, "From a file", EventKind.WORKSHOP,
                   datetime(2027, 1, 5, 16, tzinfo=UTC), datetime(2027, 1, 5, 17, tzinfo=UTC),
                   "America/Chicago", source="file:events.csv")
ANA, BO, VAN, REVIEWER = ("ana@lincoln.example", "bo@other.example", "van@mobile.example",
                          "rev@sangamon.example")
EVENT_FORM = {"title": "Resume workshop", "kind": "workshop", "description": "Bring a CV",
              "start": "2027-01-12T10:00", "end": "2027-01-12T12:00",
              "registration_url": "https://example.org/register", "phone": "217-555-0100",
              "capacity": "20", "languages": "en, es"}


@pytest.fixture
def db_url(database_url: str) -> str:
    with open_store(database_url) as store:
        store.upsert_sites([LIVE, NOT_YET_PUBLIC, OTHERS, STOP])
        store.upsert_events([FILE_EVENT])
    add_account(database_url, ANA, organization=ORG)
    add_account(database_url, BO, organization="Other Org")
    add_account(database_url, VAN, organization=UNIT)
    add_account(database_url, REVIEWER, role=Role.REVIEWER, organization="LWA 21",
                areas=("17167",))
    return database_url


ClientFor = Callable[[str | None], FlaskClient]


@pytest.fixture
def client_for(db_url: str) -> Iterator[ClientFor]:
    """A client of a new app on the database, logged in as the e-mail given (or not); every
    app's pool is closed at the end, so no PostgreSQL connection outlives the test."""
    apps: list[Flask] = []

    def client(email: str | None) -> FlaskClient:
        apps.append(partner_app(db_url))
        made = apps[-1].test_client()
        if email:
            assert log_in(made, email).status_code == 302
        return made

    yield client
    for app in apps:
        app.extensions["database"].dispose()


def post(client: FlaskClient, path: str, data: dict[str, str]):
    return client.post(path, data={**data, "csrf_token": csrf_token(client)})


def field_error(html: str, field_id: str) -> str:
    """The message shown next to a field, which the field names as its description."""
    (described,) = [a for _, a in Elements(html).tags if a.get("id") == field_id]
    assert described.get("aria-invalid") == "true"
    error_id = described["aria-describedby"]
    start = html.index(f'id="{error_id}"')
    return html[html.index(">", start) + 1:html.index("</p>", start)].strip()


# -- hours -------------------------------------------------------------------------------

def test_hours_of_a_live_site_become_a_change_request_a_reviewer_approves(
        db_url: str, client_for: ClientFor) -> None:
    client = client_for(ANA)
    answer = post(client, f"/partner/sites/{LIVE.id}/hours", {"hours": "Mon-Fri 8:30am-5pm"})
    assert answer.status_code == 302 and answer.location.startswith("/partner/?filed=")
    with open_store(db_url) as store:
        (filed,) = store.site_requests(organization=ORG)
        assert (filed.action, filed.status, filed.site_id) == (
            RequestAction.CHANGE, RequestStatus.PENDING, LIVE.id)
        assert filed.fields == {"hours": "Mo-Fr 08:30-17:00"}
        assert store.site(LIVE.id).hours == LIVE.hours  # nothing public changes yet
        reviewer = store.user_by_email(REVIEWER)
        listings.approve(store, filed, reviewer=reviewer, today="2027-01-04")
        assert store.site(LIVE.id).hours == "Mo-Fr 08:30-17:00"


def test_hours_of_a_site_not_yet_public_apply_at_once_under_the_partners_name(
        db_url: str, client_for: ClientFor) -> None:
    client = client_for(ANA)
    answer = post(client, f"/partner/sites/{NOT_YET_PUBLIC.id}/hours",
                  {"hours": "Tu,Th 10:00-14:00"})
    assert answer.status_code == 302
    with open_store(db_url) as store:
        assert store.site(NOT_YET_PUBLIC.id).hours == "Tu,Th 10:00-14:00"
        change = store.history(NOT_YET_PUBLIC.id)[-1]
        assert change.actor == ANA and change.fields["hours"] == ["", "Tu,Th 10:00-14:00"]
        assert store.site_requests(organization=ORG) == []


def test_unreadable_hours_are_refused_next_to_the_field_unless_kept_as_text(
        db_url: str, client_for: ClientFor) -> None:
    client = client_for(ANA)
    path = f"/partner/sites/{LIVE.id}/hours"
    refused = post(client, path, {"hours": "by appointment, ask Pat"})
    assert refused.status_code == 400
    assert "could not be read with certainty" in field_error(
        refused.get_data(as_text=True), "hours")
    with open_store(db_url) as store:
        assert store.site_requests(organization=ORG) == []
    kept = post(client, path, {"hours": "by appointment, ask Pat", "keep_as_text": "y"})
    assert kept.status_code == 302
    with open_store(db_url) as store:
        (filed,) = store.site_requests(organization=ORG)
        assert filed.fields == {"hours": "by appointment, ask Pat"}


def test_the_hours_page_shows_the_stored_hours_and_escapes_them(
        db_url: str, client_for: ClientFor) -> None:
    with open_store(db_url) as store:
        store.upsert_sites([NOT_YET_PUBLIC.replace(hours="<b>9-5</b>")])
    html = client_for(ANA).get(
        f"/partner/sites/{NOT_YET_PUBLIC.id}/hours").get_data(as_text=True)
    assert "&lt;b&gt;9-5&lt;/b&gt;" in html and "<b>9-5</b>" not in html


# -- events ------------------------------------------------------------------------------

def test_a_partner_creates_edits_and_deletes_an_event_at_their_site(
        db_url: str, client_for: ClientFor) -> None:
    client = client_for(ANA)
    created = post(client, f"/partner/sites/{LIVE.id}/events/new", EVENT_FORM)
    assert created.status_code == 302
    with open_store(db_url) as store:
        (event,) = [e for e in store.events(site_ids=[LIVE.id]) if e.id != FILE_EVENT.id]
    # Wall-clock times in the site's zone: 10:00 Central standard time is 16:00 UTC.
    assert (event.start_utc, event.end_utc) == (datetime(2027, 1, 12, 16, tzinfo=UTC),
                                                datetime(2027, 1, 12, 18, tzinfo=UTC))
    assert (event.title, event.kind, event.capacity, event.languages) == (
        "Resume workshop", EventKind.WORKSHOP, 20, ("en", "es"))
    assert (event.registration_url, event.phone, event.zone, event.description) == (
        "https://example.org/register", "217-555-0100", "America/Chicago", "Bring a CV")
    form = Elements(client.get(f"/partner/events/{event.id}/edit").get_data(as_text=True))
    assert next(a for a in form.all("input") if a.get("name") == "start")["value"] == \
        "2027-01-12T10:00"
    edited = post(client, f"/partner/events/{event.id}/edit",
                  {**EVENT_FORM, "title": "Resume clinic", "capacity": ""})
    assert edited.status_code == 302
    with open_store(db_url) as store:
        after = store.event(event.id)
        assert after is not None and (after.title, after.capacity) == ("Resume clinic", None)
    deleted = post(client, f"/partner/events/{event.id}/delete", {})
    assert deleted.status_code == 302
    with open_store(db_url) as store:
        assert store.event(event.id) is None
        actions = [(c.actor, c.action) for c in store.history() if c.action.startswith("event")
                   and c.fields["event_id"] in ([None, event.id], [event.id, None])]
    assert actions == [(ANA, "event_add"), (ANA, "event_update"), (ANA, "event_remove")]


@pytest.mark.parametrize(("changes", "field_id", "message"), [
    ({"end": "2027-01-12T09:00"}, "end", "The end must be after the start."),
    ({"languages": "Spanish please"}, "languages", "language tags such as en or es"),
    ({"registration_url": "javascript:alert(1)"}, "registration_url", "starting https://"),
    ({"capacity": "0"}, "capacity", "At least 1."),
    ({"title": ""}, "title", ""),
])
def test_a_bad_event_is_refused_with_the_reason_next_to_its_field(
        db_url: str, client_for: ClientFor, changes: dict[str, str], field_id: str,
        message: str) -> None:
    client = client_for(ANA)
    answer = post(client, f"/partner/sites/{LIVE.id}/events/new", {**EVENT_FORM, **changes})
    assert answer.status_code == 200
    assert message in field_error(answer.get_data(as_text=True), field_id)
    with open_store(db_url) as store:
        assert [e.id for e in store.events()] == [FILE_EVENT.id]


def test_an_event_a_data_file_brought_is_listed_but_not_editable(
        db_url: str, client_for: ClientFor) -> None:
    client = client_for(ANA)
    page = client.get(f"/partner/sites/{LIVE.id}/events").get_data(as_text=True)
    assert 'data-event="file-ev"' in page and "/partner/events/file-ev/edit" not in page
    assert client.get("/partner/events/file-ev/edit").status_code == 403
    assert post(client, "/partner/events/file-ev/delete", {}).status_code == 403


# -- visits ------------------------------------------------------------------------------

def test_a_mobile_units_account_records_a_visit_with_customers_served(
        db_url: str, client_for: ClientFor) -> None:
    client = client_for(VAN)
    answer = post(client, "/partner/visits", {"site_id": STOP.id, "visit_date": "2027-01-12",
                                              "customers_served": "7"})
    assert answer.status_code == 302
    again = post(client, "/partner/visits", {"site_id": STOP.id, "visit_date": "2027-01-19",
                                             "customers_served": "0"})
    assert again.status_code == 302
    with open_store(db_url) as store:
        assert [(v.unit, v.site_id, v.visit_date.isoformat(), v.customers_served)
                for v in store.visits()] == [(UNIT, STOP.id, "2027-01-12", 7),
                                             (UNIT, STOP.id, "2027-01-19", 0)]
        assert store.history()[-1].actor == VAN
    report = Elements(client.get("/partner/visits").get_data(as_text=True))
    assert [a["data-month"] for a in report.all("tr") if "data-month" in a] == ["2027-01"]


def test_a_visit_to_a_stop_the_unit_does_not_run_is_refused(
        db_url: str, client_for: ClientFor) -> None:
    client = client_for(VAN)
    answer = post(client, "/partner/visits", {"site_id": OTHERS.id,
                                              "visit_date": "2027-01-12",
                                              "customers_served": "3"})
    assert answer.status_code == 400
    with open_store(db_url) as store:
        assert store.visits() == []


# -- who may ------------------------------------------------------------------------------

PAGES = [("GET", f"/partner/sites/{LIVE.id}/hours", None),
         ("POST", f"/partner/sites/{LIVE.id}/hours", {"hours": "Mo 09:00-10:00"}),
         ("GET", f"/partner/sites/{LIVE.id}/events", None),
         ("GET", f"/partner/sites/{LIVE.id}/events/new", None),
         ("POST", f"/partner/sites/{LIVE.id}/events/new", EVENT_FORM),
         ("GET", "/partner/events/{event}/edit", None),
         ("POST", "/partner/events/{event}/edit", EVENT_FORM),
         ("POST", "/partner/events/{event}/delete", {})]


@pytest.fixture
def partner_event(db_url: str) -> str:
    return add_partner_event(db_url)


def add_partner_event(db_url: str) -> str:
    """An event the organisation put at its live site (put back if a test deleted it)."""
    with open_store(db_url) as store:
        store.upsert_events([dataclasses.replace(FILE_EVENT, id="partner-ev-1",
                                                 source=listings.PARTNER_SOURCE)])
    return "partner-ev-1"


@pytest.mark.parametrize(("method", "path", "data"), PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
def test_only_the_sites_organisation_and_its_reviewers_reach_the_forms(
        db_url: str, client_for: ClientFor, partner_event: str, method: str, path: str,
        data: dict[str, str] | None) -> None:
    url = path.format(event=partner_event)
    for who, allowed in ((ANA, True), (REVIEWER, True), (BO, False), (VAN, False)):
        add_partner_event(db_url)
        client = client_for(who)
        answer = client.get(url) if method == "GET" else post(client, url, data or {})
        assert (answer.status_code in (200, 302)) is allowed, (who, answer.status_code)
        if not allowed:
            assert answer.status_code == 403
    anonymous = client_for(None)
    answer = anonymous.get(url) if method == "GET" else post(anonymous, url, data or {})
    assert answer.status_code == 302 and answer.location.startswith("/login")


@pytest.mark.parametrize("path", [f"/partner/sites/{LIVE.id}/hours",
                                  f"/partner/sites/{LIVE.id}/events/new",
                                  "/partner/events/partner-ev-1/delete", "/partner/visits"])
def test_a_form_sent_without_its_csrf_token_changes_nothing(
        db_url: str, client_for: ClientFor, partner_event: str, path: str) -> None:
    client = client_for(VAN if path == "/partner/visits" else ANA)
    data = {"hours": "Mo 09:00-10:00", **EVENT_FORM, "site_id": STOP.id,
            "visit_date": "2027-01-12", "customers_served": "3"}
    answer = client.post(path, data=data)
    assert answer.status_code == 400
    with open_store(db_url) as store:
        assert store.site_requests() == [] and store.visits() == []
        assert {e.id for e in store.events()} == {FILE_EVENT.id, partner_event}


def test_the_visits_form_is_only_for_a_mobile_units_account(
        db_url: str, client_for: ClientFor) -> None:
    assert client_for(ANA).get("/partner/visits").status_code == 403
    assert client_for(VAN).get("/partner/visits").status_code == 200
    anonymous = client_for(None).get("/partner/visits")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")


def test_a_partner_lists_their_own_sites_with_links_to_hours_and_events(
        db_url: str, client_for: ClientFor) -> None:
    html = client_for(ANA).get("/partner/sites").get_data(as_text=True)
    listed = [a["data-site"] for a in Elements(html).all("li") if "data-site" in a]
    assert listed == [LIVE.id, NOT_YET_PUBLIC.id]
    assert f"/partner/sites/{LIVE.id}/hours" in html and "/partner/visits" not in html
    assert "/partner/visits" in client_for(VAN).get("/partner/sites").get_data(
        as_text=True)
