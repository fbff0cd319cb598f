"""When, in a real browser (network blocked): a search shows an open-now badge, an
hours-unknown badge, a mobile stop's next visit, and an upcoming workshop whose
add-to-calendar link downloads an iCalendar file another parser reads back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ics
import pytest
import test_browser as chromium
from test_browser import ARTIFACTS, Visit, serving
from web_sites import make_db

from locator.events import Event, EventKind
from locator.sites import Kind, Site
from locator.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

playwright_api = chromium.playwright_api
browser = chromium.browser

ALWAYS_OPEN = Site("open-always", "Always Open Job Center", Kind.COMPREHENSIVE_CENTER,
                   39.8010, -89.6440, state="IL", hours="24/7")
UNKNOWN = Site("hours-unknown", "Unknown Hours Library", Kind.LIBRARY, 39.7990, -89.6460,
               state="IL")
STOP = Site("stop-daily", "Library Parking Lot Stop", Kind.MOBILE_CENTER, 39.8020, -89.6480,
            organization="Central Illinois Mobile Center", state="IL",
            hours="Mo-Su 10:00-14:00")
# Real "now": the server's clock is not injectable across processes, so the workshop is
# set two days from the moment the test runs.
START_UTC = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0,
                                                           microsecond=0)
WORKSHOP = Event("ev-browser", ALWAYS_OPEN.id, "Interview practice workshop",
                 EventKind.WORKSHOP, START_UTC, START_UTC + timedelta(hours=2),
                 "America/Chicago")


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = make_db(tmp_path_factory.mktemp("when_db"), (ALWAYS_OPEN, UNKNOWN, STOP))
    with open_store(url) as store:
        store.upsert_events([WORKSHOP])
    with serving(url, tmp_path_factory.mktemp("when_server")) as base:
        yield base


@pytest.fixture
def visit(browser, server: str) -> Iterator[Visit]:
    visit = Visit(browser, server, accept_downloads=True)
    yield visit
    visit.close()
    assert visit.blocked == [], "the page tried to leave 127.0.0.1"


def badge_of(visit: Visit, site_id: str) -> str:
    return visit.page.locator(f'li.result[data-site-id="{site_id}"] .opening').inner_text()


def test_search_shows_badges_next_visit_and_a_workshop_to_add_to_a_calendar(
        visit: Visit, tmp_path: Path) -> None:
    visit.goto("/?lang=en")
    visit.page.get_by_label("Where are you?").fill("39.8, -89.645")
    visit.page.get_by_role("button", name="Search", exact=True).click()
    visit.page.wait_for_selector("li.result")
    assert badge_of(visit, ALWAYS_OPEN.id).startswith("Open now")
    assert badge_of(visit, UNKNOWN.id) == "Hours unknown \u2014 call ahead"
    next_visit = visit.page.locator(".next-visit").inner_text()
    assert next_visit.startswith("Next visit: ") and STOP.name in next_visit
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
