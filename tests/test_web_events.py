"""Events on the web: /api/events against a brute-force reference, the moment ``at`` read
as an instant or in each site's zone, event pages in English and Spanish, upcoming events
on the site and search pages, and iCalendar documents read back by a second parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import ics
import pytest
from flask.testing import FlaskClient
from html_page import Elements
from web_sites import (
    EVENTS,
    EVENTS_NOW_UTC,
    HIDDEN_IDS,
    MOBILE_STOP,
    SITES,
    XSS_NAME,
    make_db_with_events,
)

from locator.events import Event, at_site_zone
from locator.geo import haversine_mi
from web import create_app

SITES_BY_ID = {s.id: s for s in SITES}
SPRINGFIELD = (39.8, -89.6)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    url = make_db_with_events(tmp_path_factory.mktemp("web_events"))
    return create_app({"DATABASE_URL": url, "TESTING": True,
                       "CLOCK": lambda: EVENTS_NOW_UTC}).test_client()


def reference(*, at: datetime = EVENTS_NOW_UTC, days: int = 30,
              near: tuple[float, float] | None = None,
              within_mi: float | None = None) -> list[str]:
    """The events an answer must hold, found by looking at every event."""
    def wanted(event: Event) -> bool:
        if event.site_id in HIDDEN_IDS:
            return False
        start_utc = at_site_zone(at, event.zone)
        if not (event.end_utc > start_utc and event.start_utc < start_utc + timedelta(days)):
            return False
        site = SITES_BY_ID[event.site_id]
        return near is None or within_mi is None or float(
            haversine_mi(near[0], near[1], site.lat, site.lon)) <= within_mi
    chosen = sorted((e for e in EVENTS if wanted(e)), key=lambda e: (e.start_utc, e.id))
    return [e.id for e in chosen]


def api_ids(client: FlaskClient, **args: str) -> list[str]:
    response = client.get("/api/events", query_string=args)
    assert response.status_code == 200, response.get_json()
    return [e["id"] for e in response.get_json()["events"]]


def test_events_near_a_point_match_the_reference_by_start(client: FlaskClient) -> None:
    ids = api_ids(client, lat="39.8", lon="-89.6", within_mi="25")
    assert ids == reference(near=SPRINGFIELD, within_mi=25)
    assert ids == ["ev-workshop", "ev-xss", "ev-fair"]


def test_events_anywhere_leave_out_past_far_off_and_hidden_ones(client: FlaskClient) -> None:
    ids = api_ids(client)
    assert ids == reference()
    assert "ev-seattle" in ids and not {"ev-past", "ev-spring", "ev-hidden"} & set(ids)
    assert api_ids(client, days="90") == reference(days=90)
    assert "ev-spring" in api_ids(client, days="90")


def test_an_event_carries_every_field_in_its_sites_time(client: FlaskClient) -> None:
    body = client.get("/api/events?lat=39.8&lon=-89.6&within_mi=25").get_json()
    workshop = body["events"][0]
    site = SITES_BY_ID["lib-springfield"]
    assert workshop == {
        "id": "ev-workshop", "title": "Résumé workshop", "kind": "workshop",
        "start": "2027-01-12T10:00:00-06:00", "end": "2027-01-12T12:00:00-06:00",
        "site_id": site.id, "site_name": site.display_name,
        "distance_mi": round(float(haversine_mi(*SPRINGFIELD, site.lat, site.lon)), 2),
        "time_zone": "America/Chicago", "description": "Bring a draft.",
        "registration_url": "https://library.example.org/register",
        "phone": "(217) 555-0101", "capacity": 20, "languages": ["en", "es"],
        "address": site.display_address, "city": site.display_city, "state": site.state,
    }
    assert client.get("/api/events").get_json()["events"][0]["distance_mi"] is None


@pytest.mark.parametrize("at", [
    "2027-01-12T11:30",  # wall clock: in Springfield, during the workshop
    "2027-01-12T17:30Z",  # the same instant
    "2027-01-12T11:30-06:00",
])
def test_at_counts_an_event_still_going_on(client: FlaskClient, at: str) -> None:
    ids = api_ids(client, at=at, lat="39.8", lon="-89.6", within_mi="25")
    assert ids[0] == "ev-workshop"
    assert ids == reference(at=datetime.fromisoformat(at), near=SPRINGFIELD, within_mi=25)


def test_a_wall_clock_at_is_read_in_each_sites_zone(client: FlaskClient) -> None:
    # Seattle's class is 10:00-11:00 on Seattle's clock: over at 11:30 there, but not yet
    # begun at 11:30 in Springfield (9:30 in Seattle).
    assert "ev-seattle" not in api_ids(client, at="2027-01-12T11:30")
    assert "ev-seattle" in api_ids(client, at="2027-01-12T11:30-06:00")
    assert api_ids(client, at="2027-01-12T11:30", days="1") == reference(
        at=datetime(2027, 1, 12, 11, 30), days=1)


@pytest.mark.parametrize(("args", "parameter"), [
    ({"within_mi": "10"}, "within_mi"),
    ({"at": "Tuesday"}, "at"),
    ({"days": "0", "lat": "39.8", "lon": "-89.6"}, "days"),
    ({"q": "62701", "lat": "39.8", "lon": "-89.6"}, "q"),
])
def test_bad_event_questions_are_refused_naming_the_parameter(client: FlaskClient,
                                                              args: dict[str, str],
                                                              parameter: str) -> None:
    response = client.get("/api/events", query_string=args)
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter


def page(client: FlaskClient, url: str, status: int = 200) -> Elements:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return Elements(response.get_data(as_text=True))


def text_of(elements: Elements) -> str:
    return " ".join(" ".join(elements.text).split())


def test_event_page_says_when_where_and_how_to_sign_up(client: FlaskClient) -> None:
    shown = page(client, "/events/ev-workshop?lang=en")
    text = text_of(shown)
    assert "Résumé workshop" in text
    # (text_of turns the narrow no-break spaces CLDR puts before AM/PM into spaces)
    assert "Tuesday, January 12, 10:00 AM\u201312:00 PM CST" in text
    assert "Up to 20 people" in text and "English and Spanish" in text
    assert {"href": "/events/ev-workshop.ics", "class": "add-to-calendar",
            "download": None} in shown.all("a")


def test_event_page_in_spanish_names_the_day_in_spanish(client: FlaskClient) -> None:
    text = text_of(page(client, "/events/ev-workshop?lang=es"))
    assert "martes, 12 de enero, 10:00\u201312:00 CST" in text
    assert "Hasta 20 personas" in text and "inglés y español" in text


def test_event_of_a_hidden_site_or_unknown_id_is_not_found(client: FlaskClient) -> None:
    for url in ("/events/ev-hidden", "/events/nope", "/events/ev-hidden.ics"):
        assert client.get(url).status_code == 404
    assert client.get("/sites/pending-1/events.ics").status_code == 404


def test_event_text_is_shown_as_text_never_markup(client: FlaskClient) -> None:
    html = client.get("/events/ev-xss").get_data(as_text=True)
    assert XSS_NAME not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_site_page_lists_its_upcoming_events(client: FlaskClient) -> None:
    shown = page(client, "/sites/ajc-springfield?lang=en")
    links = [a["href"] for a in shown.all("a")]
    assert "/events/ev-fair" in links and "/events/ev-past" not in links
    assert "/sites/ajc-springfield/events.ics" in links


def test_search_results_list_upcoming_events_nearby(client: FlaskClient) -> None:
    shown = page(client, "/?lat=39.8&lon=-89.6&lang=en")
    event_links = [a["href"] for a in shown.all("a") if a["href"].startswith("/events/")
                   and not a["href"].endswith(".ics")]
    assert event_links == [f"/events/{i}" for i in reference(near=SPRINGFIELD,
                                                             within_mi=25)]
    assert any(a["href"].startswith("/api/events.ics?") for a in shown.all("a"))


def read_back(client: FlaskClient, url: str) -> tuple[str, ics.Calendar]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    return text, ics.Calendar(text)


def test_an_events_calendar_reads_back_with_another_parser(client: FlaskClient) -> None:
    text, calendar = read_back(client, "/events/ev-workshop.ics")
    (event,) = calendar.events
    stored = next(e for e in EVENTS if e.id == "ev-workshop")
    assert event.name == "Résumé workshop"
    assert event.begin.datetime == stored.start_utc and event.end.datetime == stored.end_utc
    assert event.uid == "ev-workshop@workforce-locator"
    assert event.url == "http://localhost/events/ev-workshop"
    assert "DTSTART;TZID=America/Chicago:20270112T100000" in text.replace("\r\n ", "")
    assert "BEGIN:VTIMEZONE" in text and "TZID:America/Chicago" in text


@pytest.mark.parametrize(("url", "api"), [
    ("/api/events.ics?lat=39.8&lon=-89.6&within_mi=25",
     "/api/events?lat=39.8&lon=-89.6&within_mi=25"),
    ("/api/events.ics?days=90", "/api/events?days=90"),
])
def test_a_search_feed_holds_the_events_of_the_same_search(client: FlaskClient, url: str,
                                                           api: str) -> None:
    _, calendar = read_back(client, url)
    answer = client.get(api).get_json()["events"]
    read = sorted(calendar.events, key=lambda e: (e.begin, e.uid))
    assert [e.uid.split("@")[0] for e in read] == [e["id"] for e in answer]
    assert [e.begin.datetime for e in read] == [datetime.fromisoformat(e["start"])
                                                for e in answer]


def test_a_sites_feed_holds_its_events_to_come(client: FlaskClient) -> None:
    _, calendar = read_back(client, "/sites/ajc-springfield/events.ics")
    assert sorted(e.uid for e in calendar.events) == [
        "ev-fair@workforce-locator", "ev-spring@workforce-locator"]


def test_search_results_show_the_next_visit_of_a_mobile_stop(client: FlaskClient) -> None:
    shown = page(client, "/?lat=39.8&lon=-89.6&lang=en")
    (line,) = shown.all("p", **{"class": "next-visit"})
    assert line["data-site-id"] == MOBILE_STOP.id
    distance = float(haversine_mi(*SPRINGFIELD, MOBILE_STOP.lat, MOBILE_STOP.lon))
    assert (f"Next visit: Tuesday, January 12, 10:00 AM\u20132:00 PM CST at Rochester "
            f"Library lot, {distance:.1f} mi straight-line") in text_of(shown)
    spanish = text_of(page(client, "/?lat=39.8&lon=-89.6&lang=es"))
    assert "Próxima visita: martes, 12 de enero, 10:00\u201314:00 CST" in spanish


def result_item(html: str, site_id: str) -> Elements:
    """The results list item of one site."""
    items = [part.split("</li>", 1)[0] for part in html.split('<li class="result"')[1:]]
    (item,) = [i for i in items if f'data-site-id="{site_id}"' in i]
    return Elements('<li class="result"' + item)


@pytest.mark.parametrize(("site_id", "state", "text"), [
    # Sunday 6 AM in Springfield: the library opens Monday at 9 (Mon-Thu 9-8, Fri-Sat 9-5).
    ("lib-springfield", "closed", "Closed \u00b7 opens Monday at 9:00 AM"),
    ("ajc-springfield", "unknown", "Hours unknown \u2014 call ahead"),
])
def test_each_result_has_an_opening_badge(client: FlaskClient, site_id: str, state: str,
                                          text: str) -> None:
    item = result_item(client.get("/?lat=39.8&lon=-89.6&lang=en").get_data(as_text=True),
                       site_id)
    assert len(item.all("p", **{"class": f"opening opening-{state}"})) == 1
    assert text in item.plain_text


def test_an_open_site_says_when_it_closes(client: FlaskClient) -> None:
    # Tuesday 11 AM in Springfield: the stop's visit (Tu 10:00-14:00) is going on.
    during = create_app({"DATABASE_URL": client.application.config["DATABASE_URL"],
                         "TESTING": True,
                         "CLOCK": lambda: datetime(2027, 1, 12, 17, tzinfo=UTC)})
    html = during.test_client().get("/?lat=39.8&lon=-89.6&lang=es").get_data(as_text=True)
    item = result_item(html, MOBILE_STOP.id)
    assert len(item.all("p", **{"class": "opening opening-open"})) == 1
    assert "Abierto ahora · cierra a las 14:00" in item.plain_text
