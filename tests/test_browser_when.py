"""When, in a real browser (network blocked): a search shows an open-now badge, an
hours-unknown badge, every mobile stop's next visit (in the list and its map popup), and
an upcoming workshop whose add-to-calendar link downloads an iCalendar file another parser
reads back; the "Open now" and "Open on [day] at [time]" filter with and without
JavaScript; the stops visited in a date range on the map; a site page's week.

The server's clock is fixed (``LOCATOR_CLOCK``): Monday 11 January 2027, 9 AM in Illinois.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ics
import pytest
import test_browser as chromium
from test_browser import ARTIFACTS, Visit, axe_violations, serving
from web_sites import make_db

from locator.events import Event, EventKind
from locator.sites import Kind, Site
from locator.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

playwright_api = chromium.playwright_api
browser = chromium.browser

NOW_UTC = datetime(2027, 1, 11, 15, tzinfo=UTC)
ALWAYS_OPEN = Site("open-always", "Always Open Job Center", Kind.COMPREHENSIVE_CENTER,
                   39.8010, -89.6440, state="IL", hours="24/7")
UNKNOWN = Site("hours-unknown", "Unknown Hours Library", Kind.LIBRARY, 39.7990, -89.6460,
               state="IL")
STOP = Site("stop-tuesday", "Library Parking Lot Stop", Kind.MOBILE_CENTER, 39.8020, -89.6480,
            organization="Central Illinois Mobile Center", state="IL",
            hours="Tu 10:00-14:00")
DATED_STOP = Site("stop-dated", "Chatham Library Lot Stop", Kind.MOBILE_CENTER, 39.7960,
                  -89.6420, organization="Central Illinois Mobile Center", state="IL",
                  hours="2027 Jan 20 13:00-15:30")
START_UTC = NOW_UTC + timedelta(days=2)
WORKSHOP = Event("ev-browser", ALWAYS_OPEN.id, "Interview practice workshop",
                 EventKind.WORKSHOP, START_UTC, START_UTC + timedelta(hours=2),
                 "America/Chicago")


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = make_db(tmp_path_factory.mktemp("when_db"), (ALWAYS_OPEN, UNKNOWN, STOP, DATED_STOP))
    with open_store(url) as store:
        store.upsert_events([WORKSHOP])
    with serving(url, tmp_path_factory.mktemp("when_server"),
                 LOCATOR_CLOCK=NOW_UTC.isoformat()) as base:
        # The first search loads the catalog and the geocoder: not within a page's wait.
        with urllib.request.urlopen(base + "/search/results?q=39.8,+-89.645", timeout=120):
            pass
        yield base


@pytest.fixture
def visit(browser, server: str) -> Iterator[Visit]:
    visit = Visit(browser, server, accept_downloads=True)
    yield visit
    visit.close()
    assert visit.blocked == [], "the page tried to leave 127.0.0.1"


def result(visit: Visit, site_id: str):
    return visit.page.locator(f'li.result[data-site-id="{site_id}"]')


def badge_of(visit: Visit, site_id: str) -> str:
    return result(visit, site_id).locator(".opening").inner_text()


def result_ids(visit: Visit) -> list[str]:
    return visit.page.locator("li.result").evaluate_all("items => items.map(i => i.dataset.siteId)")


def search_from_springfield(visit: Visit) -> None:
    visit.goto("/?lang=en")
    visit.page.get_by_label("Where are you?").fill("39.8, -89.645")
    visit.page.get_by_role("button", name="Search", exact=True).click()
    visit.page.wait_for_selector("li.result")


def test_search_shows_badges_next_visit_and_a_workshop_to_add_to_a_calendar(
        visit: Visit, tmp_path: Path) -> None:
    search_from_springfield(visit)
    assert badge_of(visit, ALWAYS_OPEN.id).startswith("Open now")
    assert badge_of(visit, UNKNOWN.id) == "Hours unknown \u2014 call ahead"
    next_visit = visit.page.locator(".next-visit").inner_text()
    assert next_visit.startswith("Next visit: Tuesday, January 12, 10:00")
    assert STOP.name in next_visit
    for stop, day in ((STOP, "Tuesday, January 12"), (DATED_STOP, "Wednesday, January 20")):
        line = result(visit, stop.id).locator(".result-visit").inner_text()
        assert line.startswith(f"Next visit: {day}, ") and stop.name in line
    workshop = visit.page.locator(f'li.event[data-event-id="{WORKSHOP.id}"]')
    assert WORKSHOP.title in workshop.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / "when-search.png", full_page=True)
    with visit.page.expect_download() as download:
        workshop.locator("a.add-to-calendar").click()
    saved = tmp_path / "event.ics"
    download.value.save_as(saved)
    (read,) = ics.Calendar(saved.read_text(encoding="utf-8")).events
    assert read.name == WORKSHOP.title and read.begin.datetime == WORKSHOP.start_utc
    assert visit.console_errors == []


def test_a_stops_map_popup_shows_its_next_visit(visit: Visit) -> None:
    search_from_springfield(visit)
    result(visit, DATED_STOP.id).get_by_role("button", name=re.compile("Show on map")).click()
    popup = visit.page.locator(".leaflet-popup-content").inner_text()
    assert DATED_STOP.name in popup
    assert "Next visit: Wednesday, January 20, 1:00\u202fPM\u20133:30\u202fPM CST" in popup
    assert visit.console_errors == []


def heading(visit: Visit) -> str:
    return visit.page.locator("#results-heading").inner_text()


def test_open_now_and_open_on_a_day_at_a_time_update_the_results_and_the_url(
        visit: Visit) -> None:
    search_from_springfield(visit)
    assert len(result_ids(visit)) == 4
    page = visit.page
    page.get_by_label("Open now").check()
    page.wait_for_function("() => document.getElementById('results-heading')"
                           ".textContent.includes('open now')")
    assert result_ids(visit) == [ALWAYS_OPEN.id]
    assert "when=now" in page.url
    assert page.locator(".result-marker").count() == 1  # the map follows the list
    page.get_by_label("Day").select_option("tu")
    page.wait_for_function("() => document.getElementById('results-heading')"
                           ".textContent.includes('Tuesday')")
    page.get_by_label("at", exact=True).fill("11:00")
    page.wait_for_function("() => document.getElementById('results-heading')"
                           ".textContent.includes('11:00')")
    assert page.get_by_label("Open on").is_checked()
    assert heading(visit) == ("Nearest to 39.8, -89.645, open on Tuesday, January 12 at "
                              "11:00\u202fAM (each place's local time)")
    assert sorted(result_ids(visit)) == sorted([ALWAYS_OPEN.id, STOP.id])
    assert "when=at" in page.url and "day=tu" in page.url and "time=11%3A00" in page.url
    assert page.locator("#filter-count").inner_text() == "(1 set)"
    at_eleven = page.url.removeprefix(visit.base)
    page.go_back()  # to Tuesday at the time first shown, 10:00
    page.wait_for_function("() => document.getElementById('results-heading')"
                           ".textContent.includes('10:00')")
    assert page.locator("#time").input_value() == "10:00"
    page.go_back()
    page.wait_for_function("() => document.getElementById('results-heading')"
                           ".textContent.includes('open now')")
    assert page.get_by_label("Open now").is_checked() and result_ids(visit) == [ALWAYS_OPEN.id]
    visit.goto(at_eleven)  # the URL holds the whole search
    assert sorted(result_ids(visit)) == sorted([ALWAYS_OPEN.id, STOP.id])
    assert page.get_by_label("Open on").is_checked()
    assert visit.console_errors == []


def test_the_open_now_filter_works_without_javascript(browser, server: str) -> None:
    visit = Visit(browser, server, java_script_enabled=False)
    try:
        visit.goto("/?lang=en")
        visit.page.get_by_label("Where are you?").fill("39.8, -89.645")
        visit.page.locator("#filters-panel summary").click()
        visit.page.get_by_label("Open now").check()
        visit.page.get_by_role("button", name="Search", exact=True).click()
        visit.page.wait_for_url("**when=now**")
        assert result_ids(visit) == [ALWAYS_OPEN.id]
        assert heading(visit).endswith(", open now")
    finally:
        visit.close()
    assert visit.blocked == []


def test_a_date_range_shows_the_stops_visited_in_it_on_the_map(visit: Visit) -> None:
    visit.goto("/?lang=en")
    page = visit.page
    page.get_by_label("From").fill("2027-01-20")
    page.get_by_label("To", exact=True).fill("2027-01-21")
    page.get_by_role("button", name="Show stops on the map").click()
    page.wait_for_selector("path.visit-stop")
    assert page.locator("path.visit-stop").count() == 1
    assert page.locator("#visits-status").inner_text() == (
        "1 mobile job center stop in the map's view is visited from Jan 20, 2027 to "
        "Jan 21, 2027.")
    page.locator("path.visit-stop").click()
    # Chromium's own Intl formats the visit; its ICU may put a narrow space before "PM".
    popup = page.locator(".leaflet-popup-content").inner_text().replace("\u202f", " ")
    assert DATED_STOP.name in popup and "Wed, Jan 20, 1:00 PM\u20133:30 PM" in popup
    page.get_by_label("From").fill("2027-01-11")
    page.get_by_role("button", name="Show stops on the map").click()
    page.wait_for_function("() => document.querySelectorAll('path.visit-stop').length === 2")
    page.get_by_role("button", name="Clear").click()
    assert page.locator("path.visit-stop").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "when-visits-map.png")
    assert visit.console_errors == []


@pytest.fixture
def axe_visit(browser, server: str) -> Iterator[Visit]:
    chromium.require(chromium.AXE.exists(), f"{chromium.AXE} is missing: run `npm ci`")
    visit = Visit(browser, server)
    visit.context.add_init_script(path=str(chromium.AXE))
    yield visit
    visit.close()
    assert visit.blocked == []


def test_a_site_page_shows_its_week_in_spanish_and_passes_axe(axe_visit: Visit) -> None:
    axe_visit.goto(f"/sites/{STOP.id}?lang=es")
    rows = axe_visit.page.locator("table.week tbody tr")
    assert rows.count() == 7
    assert rows.nth(1).inner_text().split("\t") == ["martes, 12 de enero", "10:00\u201314:00"]
    assert "Próxima visita" in axe_visit.page.locator(".next-visit").inner_text()
    assert axe_violations(axe_visit) == []


def test_the_search_page_with_the_when_filter_passes_axe(axe_visit: Visit) -> None:
    axe_visit.goto("/?lang=en&q=39.8,+-89.645&when=at&day=tu&time=11:00")
    axe_visit.page.get_by_role("button", name="Show stops on the map").click()
    axe_visit.page.wait_for_selector("path.visit-stop")
    assert axe_violations(axe_visit) == []


def test_the_date_range_speaks_the_pages_language(visit: Visit) -> None:
    visit.goto("/?lang=es")
    page = visit.page
    page.get_by_label("De", exact=True).fill("2027-01-20")
    page.get_by_label("Hasta", exact=True).fill("2027-01-21")
    page.get_by_role("button", name="Mostrar las paradas en el mapa").click()
    page.wait_for_selector("path.visit-stop")
    status = page.locator("#visits-status").inner_text()
    assert status.startswith("1 parada de centro de empleo móvil") and "ene" in status
    page.locator("path.visit-stop").click()
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "ene" in popup and "13:00\u201315:30" in popup  # Spanish dates, a 24-hour clock
    assert visit.console_errors == []
