"""When, on the job seeker's pages without JavaScript and in the API: the "Open now" and
"Open on [day] at [time]" filter, every mobile stop's next visit, the stops visited in a
date range, and a site page's week and upcoming exceptions. The clock is fixed (CLOCK)."""

from __future__ import annotations

import html as html_module
import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from html_page import Elements
from web_sites import make_db

from locator.hours import read_hours
from locator.open_at import Moment, is_open_at
from locator.sites import Kind, Site
from locator.timezones import zone_name_at
from web import create_app

# Monday 11 January 2027, 9 AM in Illinois, 10 AM in New York.
NOW_UTC = datetime(2027, 1, 11, 15, tzinfo=UTC)
SITES = (
    Site("ajc-days", "Weekday Job Center", Kind.COMPREHENSIVE_CENTER, 39.7817, -89.6443,
         state="IL", hours="Mo-Fr 08:30-17:00; PH off"),
    Site("lib-evenings", "Evening Library", Kind.LIBRARY, 39.8003, -89.6497, state="IL",
         hours="Mo-Fr 18:00-21:00"),
    Site("lib-unknown", "Unknown Hours Library", Kind.LIBRARY, 39.8103, -89.6397, state="IL"),
    Site("lib-unreadable", "Appointment Library", Kind.LIBRARY, 39.7903, -89.6597, state="IL",
         hours="by appointment, ask at desk"),
    Site("lib-sundays", "Sunday Library", Kind.LIBRARY, 39.8303, -89.6697, state="IL",
         hours="Su 10:00-12:00; Sa unknown"),
    Site("lib-newyork", "New York Evening Library", Kind.LIBRARY, 40.7128, -74.0060,
         state="NY", hours="Mo 18:00-19:00"),
    Site("stop-tuesday", "Lincoln Library lot", Kind.MOBILE_CENTER, 39.8203, -89.6597,
         organization="Central Illinois Mobile Center", state="IL", hours="Tu 10:00-14:00"),
    Site("stop-dated", "Chatham Library lot", Kind.MOBILE_CENTER, 39.6761, -89.7043,
         organization="Central Illinois Mobile Center", state="IL",
         hours="2027 Jan 20 13:00-15:30"),
    Site("stop-unscheduled", "Rochester lot", Kind.MOBILE_CENTER, 39.7495, -89.5318,
         organization="Central Illinois Mobile Center", state="IL"),
)
BY_ID = {s.id: s for s in SITES}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    url = make_db(tmp_path_factory.mktemp("web_when"), SITES)
    return create_app({"DATABASE_URL": url, "TESTING": True,
                       "CLOCK": lambda: NOW_UTC}).test_client()


def page(client: FlaskClient, url: str, status: int = 200) -> Elements:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return Elements(response.get_data(as_text=True))


def texts(client: FlaskClient, url: str, pattern: str) -> list[tuple[str, ...]]:
    """The groups of ``pattern`` in the page, as plain text (tags out, entities read)."""
    body = client.get(url).get_data(as_text=True)
    return [tuple(" ".join(html_module.unescape(re.sub(r"<[^>]+>", "", g)).split())
                  for g in ((match,) if isinstance(match, str) else match))
            for match in re.findall(pattern, body, re.S)]


def result_ids(html: Elements) -> list[str]:
    return [i["data-site-id"] for i in html.all("li", **{"class": "result"})]


def open_at_reference(moment: Moment) -> set[str]:
    """Every site open at the moment, asked site by site."""
    return {s.id for s in SITES
            if is_open_at(read_hours(s.hours), zone_name_at(s.lat, s.lon), moment) is True}


SEARCH = "/?lang=en&lat=39.8&lon=-89.65&k=50"


def test_the_form_offers_open_now_and_open_on_a_day_at_a_time(client: FlaskClient) -> None:
    html = page(client, "/?lang=en")
    assert [r["value"] for r in html.all("input", name="when")] == ["", "now", "at"]
    days = texts(client, "/?lang=en", r'<option value="([a-z]{2})"[^>]*>([^<]+)</option>')
    assert days == [("mo", "Monday"), ("tu", "Tuesday"), ("we", "Wednesday"),
                    ("th", "Thursday"), ("fr", "Friday"), ("sa", "Saturday"), ("su", "Sunday")]
    assert html.all("input", id="time", type="time", name="time")
    assert html.all("label", **{"for": "day"}) and html.all("label", **{"for": "time"})
    spanish = page(client, "/?lang=es")
    assert "martes" in spanish.plain_text and "Abierto ahora" in spanish.plain_text


def test_open_now_keeps_exactly_the_sites_open_now(client: FlaskClient) -> None:
    html = page(client, SEARCH + "&when=now")
    assert set(result_ids(html)) == open_at_reference(Moment(instant=NOW_UTC)) == {"ajc-days"}
    assert "Nearest to 39.80000, -89.65000, open now" in html.plain_text
    assert [r["value"] for r in html.all("input", name="when") if "checked" in r] == ["now"]
    assert "Filters (1 set)" in html.plain_text


def test_open_on_a_day_at_a_time_is_read_on_each_sites_own_clock(client: FlaskClient) -> None:
    html = page(client, SEARCH + "&when=at&day=mo&time=18:30")
    # Today, Monday, 6:30 PM is still ahead in Illinois: in Springfield and in New York.
    expected = open_at_reference(Moment(wall=datetime(2027, 1, 11, 18, 30)))
    assert set(result_ids(html)) == expected == {"lib-evenings", "lib-newyork"}
    (heading,) = texts(client, SEARCH + "&when=at&day=mo&time=18:30",
                       r'<h2 id="results-heading">(.*?)</h2>')[0]
    assert heading == ("Nearest to 39.80000, -89.65000, open on Monday, January 11 at 6:30 PM "
                       "(each place's local time)")
    assert [o["value"] for o in html.all("option") if "selected" in o][:1] == ["mo"]
    assert html.all("input", id="time")[0]["value"] == "18:30"


def test_a_time_already_past_today_means_next_week(client: FlaskClient) -> None:
    html = page(client, SEARCH + "&when=at&day=mo&time=08:45")
    assert "open on Monday, January 18 at 8:45 AM" in html.plain_text
    # 18 January is Martin Luther King Jr. Day: the job center is closed then.
    assert result_ids(html) == []
    assert "No open place matches at that time" in html.plain_text


def test_the_heading_and_dates_follow_the_page_language(client: FlaskClient) -> None:
    html = page(client, SEARCH.replace("lang=en", "lang=es") + "&when=at&day=tu&time=19:00")
    assert "abierto el martes, 12 de enero a las 19:00" in html.plain_text


@pytest.mark.parametrize(("query", "parameter"), [
    ("&when=later", "when"), ("&when=at&day=monday&time=10:00", "day"),
    ("&when=at&day=mo&time=25:00", "time"), ("&when=at&day=mo", "time"),
])
def test_a_bad_when_says_what_to_fix(client: FlaskClient, query: str, parameter: str) -> None:
    html = page(client, SEARCH + query, status=400)
    assert html.all("p", **{"class": "notice"})
    api = client.get("/api/nearest?lat=39.8&lon=-89.65&at=tomorrow")
    assert api.status_code == 400 and api.get_json()["parameter"] == "at"


def test_every_mobile_stop_in_the_results_shows_its_next_visit(client: FlaskClient) -> None:
    found = dict(texts(client, SEARCH, r'data-site-id="([^"]+)"(?:(?!</li>).)*?'
                                       r'<p class="result-visit">(.*?)</p>'))
    assert set(found) == {s.id for s in SITES if s.kind is Kind.MOBILE_CENTER}
    assert found["stop-tuesday"].startswith(
        "Next visit: Tuesday, January 12, 10:00 AM\u20132:00 PM CST at Lincoln "
        "Library lot, ")
    assert found["stop-dated"].startswith("Next visit: Wednesday, January 20, 1:00")
    assert found["stop-unscheduled"] == "No visit scheduled: call ahead"
    popup_lines = {i["data-site-id"]: i.get("data-visit")
                   for i in page(client, SEARCH).all("li", **{"class": "result"})}
    popup = popup_lines["stop-tuesday"] or ""
    assert " ".join(popup.split()) == found["stop-tuesday"]  # the map popup's line
    assert popup_lines["ajc-days"] is None


def test_the_api_gives_mobile_stops_their_next_visit(client: FlaskClient) -> None:
    rows = {r["id"]: r for r in
            client.get("/api/nearest?lat=39.8&lon=-89.65&k=50").get_json()["results"]}
    assert rows["stop-tuesday"]["next_visit"] == {"start": "2027-01-12T10:00:00-06:00",
                                                  "end": "2027-01-12T14:00:00-06:00"}
    assert rows["stop-dated"]["next_visit"]["start"] == "2027-01-20T13:00:00-06:00"
    assert rows["stop-unscheduled"]["next_visit"] is None
    assert "next_visit" not in rows["ajc-days"]
    assert rows["ajc-days"]["open"] is True  # evaluated at the app's clock, not the machine's
    later = {r["id"]: r for r in client.get(
        "/api/nearest?lat=39.8&lon=-89.65&k=50&at=2027-01-12T11:00").get_json()["results"]}
    assert later["stop-tuesday"]["next_visit"] == {"start": "2027-01-12T11:00:00-06:00",
                                                   "end": "2027-01-12T14:00:00-06:00"}


BOX = "bbox=-91,39,-88,41"


@pytest.mark.parametrize(("first", "last", "expected"), [
    ("2027-01-11", "2027-01-19", {"stop-tuesday": [("2027-01-12T10:00:00-06:00",
                                                    "2027-01-12T14:00:00-06:00"),
                                                   ("2027-01-19T10:00:00-06:00",
                                                    "2027-01-19T14:00:00-06:00")]}),
    ("2027-01-20", "2027-01-20", {"stop-dated": [("2027-01-20T13:00:00-06:00",
                                                  "2027-01-20T15:30:00-06:00")]}),
    ("2027-01-13", "2027-01-17", {}),
])
def test_a_date_range_gives_the_stops_visited_in_it(client: FlaskClient, first: str, last: str,
                                                    expected: dict) -> None:
    response = client.get(f"/api/sites?{BOX}&visits_from={first}&visits_to={last}")
    assert response.status_code == 200
    found = {f["id"]: [(v["start"], v["end"]) for v in f["properties"]["visits"]]
             for f in response.get_json()["features"]}
    assert found == expected
    for feature in response.get_json()["features"]:
        assert feature["properties"]["time_zone"] == "America/Chicago"


@pytest.mark.parametrize(("query", "parameter"), [
    ("visits_from=2027-01-11", "visits_to"), ("visits_to=2027-01-11", "visits_from"),
    ("visits_from=2027-01-11&visits_to=2027-01-10", "visits_to"),
    ("visits_from=2027-01-01&visits_to=2027-06-01", "visits_to"),
    ("visits_from=soon&visits_to=2027-01-10", "visits_from"),
])
def test_a_bad_date_range_is_refused_naming_the_parameter(client: FlaskClient, query: str,
                                                          parameter: str) -> None:
    response = client.get(f"/api/sites?{BOX}&{query}")
    assert response.status_code == 400 and response.get_json()["parameter"] == parameter


DAY_ROWS = r'<tr class="day[^"]*" data-date="[^"]+">\s*<th scope="row">(.*?)</th>\s*<td>(.*?)</td>'
EXCEPTIONS = r'<li class="exception exception-(\w+)"[^>]*>(.*?)</li>'


def test_the_site_page_shows_the_week_ahead_as_a_table(client: FlaskClient) -> None:
    assert texts(client, "/sites/ajc-days?lang=en", DAY_ROWS) == [
        ("Monday, January 11 (today)", "8:30 AM\u20135:00 PM"),
        ("Tuesday, January 12", "8:30 AM\u20135:00 PM"),
        ("Wednesday, January 13", "8:30 AM\u20135:00 PM"),
        ("Thursday, January 14", "8:30 AM\u20135:00 PM"),
        ("Friday, January 15", "8:30 AM\u20135:00 PM"),
        ("Saturday, January 16", "Closed"),
        ("Sunday, January 17", "Closed"),
    ]
    assert "As given: Mo-Fr 08:30-17:00; PH off" in page(client, "/sites/ajc-days").plain_text


def test_the_site_page_lists_holiday_closures_ahead(client: FlaskClient) -> None:
    assert texts(client, "/sites/ajc-days?lang=en", EXCEPTIONS) == [
        ("closed", "Monday, January 18: Closed \u2014 public holiday (Martin Luther King Jr. Day)"),
        ("closed", "Monday, February 15: Closed \u2014 public holiday (Washington's Birthday)"),
    ]
    spanish = page(client, "/sites/ajc-days?lang=es")
    assert "lunes, 18 de enero: Cerrado" in spanish.plain_text
    assert "Día de Martin Luther King Jr." in spanish.plain_text


def test_a_stops_page_lists_its_dated_visit_as_a_special_opening(client: FlaskClient) -> None:
    assert texts(client, "/sites/stop-dated?lang=en", EXCEPTIONS) == [
        ("open", "Wednesday, January 20: Open: 1:00 PM\u20133:30 PM")]
    html = page(client, "/sites/stop-dated?lang=en")
    assert "Visit schedule" in html.plain_text
    assert "Next visit: Wednesday, January 20" in html.plain_text


def test_a_day_the_hours_leave_unknown_says_so_not_closed(client: FlaskClient) -> None:
    rows = dict(texts(client, "/sites/lib-sundays?lang=en", DAY_ROWS))
    assert rows["Saturday, January 16"] == "Hours unknown \u2014 call ahead"
    assert rows["Sunday, January 17"] == "10:00 AM\u201312:00 PM"
    assert rows["Friday, January 15"] == "Closed"


def test_unknown_and_unreadable_hours_say_so_on_the_site_page(client: FlaskClient) -> None:
    unknown = page(client, "/sites/lib-unknown?lang=en")
    assert "Hours unknown \u2014 call ahead" in unknown.plain_text
    assert not unknown.all("table", **{"class": "week"})
    unreadable = page(client, "/sites/lib-unreadable?lang=en")
    assert ("The hours as given, which could not be read: by appointment, ask at desk"
            in unreadable.plain_text)
    assert not unreadable.all("table", **{"class": "week"})


def test_a_stops_dot_on_the_map_carries_its_next_visit(client: FlaskClient) -> None:
    body = client.get(f"/api/clusters?{BOX}&zoom=18").get_json()
    dots = {f["properties"]["id"]: f["properties"] for f in body["features"]}
    assert dots["stop-tuesday"]["next_visit"] == {"start": "2027-01-12T10:00:00-06:00",
                                                  "end": "2027-01-12T14:00:00-06:00"}
    assert dots["stop-tuesday"]["time_zone"] == "America/Chicago"
    assert dots["stop-unscheduled"]["next_visit"] is None
    assert "next_visit" not in dots["ajc-days"]
