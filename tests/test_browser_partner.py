"""The partner workflow in a real browser (headless Chromium, every request that is not for
127.0.0.1 blocked), against gunicorn with two workers: a librarian registers, an admin
verifies the account, the librarian finds their library with the duplicate check and asks
to add the access-site role, the county's reviewer approves, and a public search for access
and information sites finds the library as one place with both roles."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import test_browser
from conftest import REPO
from partner_web import PASSWORD, add_account
from test_browser import (
    ARTIFACTS,
    AXE,
    FIND_BARE_MAP_POINT,
    Visit,
    axe_violations,
    require,
    serving,
)
from web_sites import make_db

from locator import geodata
from locator.accounts import Role
from locator.geocode import default_geocoder
from locator.listings import RequestAction, RequestStatus
from locator.store import open_store

pytestmark = [pytest.mark.browser]
# The job seeker's browser tests' Chromium, shared rather than set up a second way.
playwright_api = test_browser.playwright_api
browser = test_browser.browser

LIBRARY = "lib-springfield"
ADMIN = "boss@state.example"
REVIEWER = "rev@sangamon.example"
LIBRARIAN = "ana@lincoln.example"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = make_db(tmp_path_factory.mktemp("browser_partner"))
    env = {**os.environ, "LOCATOR_DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "locator", "users", "create-admin", "--email", ADMIN],
                   input=PASSWORD + "\n", text=True, env=env, check=True, cwd=REPO)
    add_account(url, REVIEWER, role=Role.REVIEWER, organization="LWA 21", areas=("17167",))
    return url


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(db_url, tmp_path_factory.mktemp("partner_server"),
                 LOCATOR_SECRET_KEY="browser-partner-test") as base:
        yield base


def shot(visit: Visit, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / f"partner-{name}.png", full_page=True)


def log_in(visit: Visit, email: str) -> None:
    visit.goto("/login")
    visit.page.get_by_label("Work e-mail").fill(email)
    visit.page.get_by_label("Password").fill(PASSWORD)
    visit.page.get_by_role("button", name="Log in").click()
    visit.page.wait_for_url("**/account")


def test_register_verify_extend_approve_and_find_one_place_with_both_roles(
        browser, server: str) -> None:
    visits = {name: Visit(browser, server) for name in ("librarian", "admin", "reviewer",
                                                         "public")}
    try:
        librarian = visits["librarian"]
        librarian.goto("/register")
        for label, value in (("Your name", "Ana Reyes"), ("Organisation", "Lincoln Library"),
                             ("Work e-mail", LIBRARIAN), ("Phone", "217-555-0100"),
                             ("Password", PASSWORD), ("Password again", PASSWORD)):
            librarian.page.get_by_label(label, exact=True).fill(value)
        librarian.page.get_by_label("County your organisation is in").select_option("17167")
        librarian.page.get_by_role("button", name="Ask for the account").click()
        librarian.page.wait_for_selector("text=Account requested")
        shot(librarian, "1-registered")

        admin = visits["admin"]
        log_in(admin, ADMIN)
        admin.goto("/review/")
        pending = admin.page.locator(f'li[data-user="{LIBRARIAN}"]')
        pending.get_by_role("button", name="Verify").click()
        admin.page.wait_for_url("**/review/")
        assert admin.page.locator(f'li[data-user="{LIBRARIAN}"]').count() == 0
        shot(admin, "2-verified")

        log_in(librarian, LIBRARIAN)
        librarian.goto("/partner/check")
        librarian.page.get_by_label("Name of the site").fill("Lincoln Library")
        librarian.page.get_by_label("Address, ZIP code, town").fill("62701")
        librarian.page.get_by_role("button", name="Search", exact=True).click()
        match = librarian.page.locator("ul.check-results li").first
        assert match.get_attribute("data-site") == LIBRARY
        shot(librarian, "3-already-listed")
        match.get_by_role("link", name="This is my site").click()
        librarian.page.get_by_label("Access site", exact=True).check()
        librarian.page.get_by_label("Joint location").check()
        librarian.page.get_by_role("button", name="Send for review").click()
        librarian.page.wait_for_selector('tr[data-status="pending"]')
        shot(librarian, "4-requested")

        reviewer = visits["reviewer"]
        log_in(reviewer, REVIEWER)
        reviewer.goto("/review/")
        reviewer.page.locator("ul.pending-requests li a").first.click()
        assert reviewer.page.locator('tr[data-field="roles"]').count() == 1
        shot(reviewer, "5-review")
        reviewer.page.get_by_role("button", name="Approve").click()
        reviewer.page.wait_for_selector("text=Nothing is waiting in your area.")

        public = visits["public"]
        public.goto("/")
        public.page.get_by_label("Access and information sites").check()
        public.page.get_by_label("Where are you?").fill("62701")
        public.page.get_by_role("button", name="Search", exact=True).click()
        public.page.wait_for_selector("li.result")
        ids = public.page.locator("li.result").evaluate_all(
            "items => items.map(i => i.dataset.siteId)")
        assert ids.count(LIBRARY) == 1
        item = public.page.locator(f'li.result[data-site-id="{LIBRARY}"]')
        kinds = item.locator(".kind").all_inner_texts()
        assert kinds == ["Public library", "Access site"]
        shot(public, "6-public-search")

        librarian.goto("/partner/")
        assert librarian.page.locator('tr[data-status="approved"]').count() == 1
        for visit in visits.values():
            assert visit.blocked == [] and visit.dialogs == []
            assert visit.console_errors == []
    finally:
        for visit in visits.values():
            visit.close()


# Placing a new site on the add form's map, and the reviewer's map of it.
PLANNER = "lee@eastside.example"
ADDRESS = {"Street address": "2101 E Clear Lake Ave", "City": "Springfield", "State": "IL",
           "ZIP code": "62703"}
RESOURCE_ERROR = "Failed to load resource: the server responded with a status of {status}"
PX_TOLERANCE = 1.5  # the marker sits on whole pixels; a click or a drag on fractions


def world_px(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel of a point at a zoom level, as every slippy map counts them."""
    scale = 256 * 2 ** zoom
    sin_lat = math.sin(math.radians(lat))
    return ((lon + 180) / 360 * scale,
            (0.5 - math.log((1 + sin_lat) / (1 - sin_lat)) / (4 * math.pi)) * scale)


def moved_by(lat: float, lon: float, zoom: int, dx: float, dy: float) -> tuple[float, float]:
    """The point ``dx, dy`` screen pixels away at that zoom."""
    x, y = world_px(lat, lon, zoom)
    scale = 256 * 2 ** zoom
    n = math.pi - 2 * math.pi * (y + dy) / scale
    return math.degrees(math.atan(math.sinh(n))), (x + dx) / scale * 360 - 180


def degrees_per_px(zoom: int) -> float:
    return PX_TOLERANCE * 360 / (256 * 2 ** zoom)


def centre(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def marker_at(visit: Visit, selector: str) -> tuple[float, float]:
    """Where the marker is drawn once the map has settled: a zoom or pan animates, and on
    a busy machine the animation can still be running when the fields have changed."""
    deadline = time.monotonic() + 10
    last = centre(visit.page.locator(selector).bounding_box())
    while True:
        visit.page.wait_for_timeout(150)
        now = centre(visit.page.locator(selector).bounding_box())
        if (abs(now[0] - last[0]) < 0.1 and abs(now[1] - last[1]) < 0.1) \
                or time.monotonic() > deadline:
            return now
        last = now


def coordinates(visit: Visit) -> tuple[float, float]:
    return float(visit.page.input_value("#lat")), float(visit.page.input_value("#lon"))


def type_coordinates(visit: Visit, lat: float, lon: float) -> None:
    for label, value in (("Latitude", lat), ("Longitude", lon)):
        visit.page.get_by_label(label, exact=True).fill(str(value))
        visit.page.get_by_label(label, exact=True).press("Tab")


def assert_near(found: tuple[float, float], expected: tuple[float, float],
                tolerance: float) -> None:
    assert found[0] == pytest.approx(expected[0], abs=tolerance)
    assert found[1] == pytest.approx(expected[1], abs=tolerance)


def test_a_site_placed_by_map_drag_and_address_is_filed_and_reviewed_at_that_point(
        browser, server: str, db_url: str) -> None:
    require(AXE.exists(), f"{AXE} is missing: run `npm ci`")
    add_account(db_url, PLANNER, organization="Eastside Works")
    visits = {name: Visit(browser, server) for name in ("partner", "reviewer")}
    for visit in visits.values():
        visit.context.add_init_script(path=str(AXE))
    try:
        partner = visits["partner"]
        page = partner.page
        log_in(partner, PLANNER)
        partner.goto("/partner/add")
        partner.wait_for_outlines()
        assert axe_violations(partner) == []
        zoom = int(page.locator("#map").get_attribute("data-place-zoom"))

        # A click on the whole-country map puts the marker there, in the county under it.
        point = page.evaluate(FIND_BARE_MAP_POINT)
        assert point is not None and page.input_value("#lat") == ""
        page.mouse.move(point["x"], point["y"])
        tooltip = page.locator(".county-tooltip").inner_text()
        page.mouse.click(point["x"], point["y"])
        assert_near(marker_at(partner, ".place-marker"), (point["x"], point["y"]),
                    PX_TOLERANCE)
        clicked = coordinates(partner)
        fips = geodata.county_fips_at(*clicked)
        assert fips is not None
        assert tooltip == geodata.county(fips).label
        assert page.locator("#place-status").inner_text().startswith("The site is placed at")

        # Typed coordinates move the marker: first into view, then by Mercator pixels.
        type_coordinates(partner, 39.79, -89.60)
        assert_near(marker_at(partner, ".place-marker"),
                    centre(page.locator("#map").bounding_box()), PX_TOLERANCE)
        before = marker_at(partner, ".place-marker")
        type_coordinates(partner, 39.7905, -89.5995)
        after = marker_at(partner, ".place-marker")
        x0, y0 = world_px(39.79, -89.60, zoom)
        x1, y1 = world_px(39.7905, -89.5995, zoom)
        assert_near((after[0] - before[0], after[1] - before[1]), (x1 - x0, y1 - y0),
                    PX_TOLERANCE)

        # A click beside the marker moves it there: the fields hold the clicked point.
        page.mouse.click(after[0] + 90, after[1] + 40)
        clicked = moved_by(39.7905, -89.5995, zoom, 90, 40)
        assert_near(coordinates(partner), clicked, degrees_per_px(zoom))

        # Dragging the marker moves the fields with it.
        start = marker_at(partner, ".place-marker")
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move(start[0] - 60, start[1] - 50, steps=8)
        page.mouse.up()
        dragged = moved_by(*clicked, zoom, -60, -50)
        assert_near(coordinates(partner), dragged, degrees_per_px(zoom))
        assert_near(marker_at(partner, ".place-marker"), (start[0] - 60, start[1] - 50),
                    PX_TOLERANCE)

        # Placing by the address moves the marker where the app's geocoder puts it.
        for label, value in ADDRESS.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_role("button", name="Place by the address").click()
        page.wait_for_function("() => document.getElementById('place-status').textContent"
                               ".startsWith('Placed at')")
        geocoded = default_geocoder().geocode("2101 E Clear Lake Ave, Springfield, IL 62703")
        assert coordinates(partner) == (round(geocoded.lat, 6), round(geocoded.lon, 6))
        assert_near(marker_at(partner, ".place-marker"),
                    centre(page.locator("#map").bounding_box()), PX_TOLERANCE)
        shot(partner, "7-placed-by-address")

        # Onto the building, then sent: one pending request at exactly that point.
        start = marker_at(partner, ".place-marker")
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move(start[0] + 40, start[1] + 10, steps=5)
        page.mouse.up()
        placed = coordinates(partner)
        assert_near(placed, moved_by(geocoded.lat, geocoded.lon, zoom, 40, 10),
                    degrees_per_px(zoom))
        page.get_by_label("Kind of site").select_option("access_site")
        page.get_by_label("Name of the site").fill("Eastside Career Lab")
        page.get_by_label("Organisation").fill("Eastside Works")
        page.get_by_role("button", name="Send for review").click()
        page.wait_for_selector('tr[data-status="pending"]')
        with open_store(db_url) as store:
            [filed] = [r for r in store.site_requests(organization="Eastside Works")]
        assert filed.status is RequestStatus.PENDING and filed.action is RequestAction.ADD
        assert (filed.fields["lat"], filed.fields["lon"]) == placed
        assert filed.county_fips == geodata.county_fips_at(*placed) == "17167"

        # The county's reviewer sees the point on a map, in its outlined county.
        reviewer = visits["reviewer"]
        log_in(reviewer, REVIEWER)
        reviewer.goto(f"/review/{filed.id}")
        reviewer.wait_for_outlines()
        reviewer.page.wait_for_selector("path.requested-county")
        star = marker_at(reviewer, ".requested-point")
        assert_near(star, centre(reviewer.page.locator("#map").bounding_box()), PX_TOLERANCE)
        under = reviewer.page.evaluate(
            "([x, y]) => document.elementsFromPoint(x, y).some("
            "e => e.classList.contains('requested-county'))", list(star))
        assert under
        assert reviewer.page.locator("#map").get_attribute("data-lat") == str(placed[0])
        assert "Sangamon County" in reviewer.page.locator("main").inner_text()
        assert axe_violations(reviewer) == []
        shot(reviewer, "8-review-map")
        reviewer.page.get_by_label("Reason the partner will see").fill("Test over")
        reviewer.page.get_by_role("button", name="Reject").click()
        reviewer.page.wait_for_url("**/review/")
        for visit in visits.values():
            assert visit.blocked == [] and visit.dialogs == []
            assert visit.console_errors == []
    finally:
        for visit in visits.values():
            visit.close()


def test_without_javascript_the_add_form_places_the_site_by_its_address(
        browser, server: str, db_url: str) -> None:
    email = "kim@decatur.example"
    add_account(db_url, email, organization="Decatur Works")
    visit = Visit(browser, server, java_script_enabled=False)
    page = visit.page
    try:
        log_in(visit, email)
        visit.goto("/partner/add")
        assert not page.locator("#place-map").is_visible()
        page.get_by_label("Kind of site").select_option("dissemination_site")
        page.get_by_label("Name of the site").fill("Decatur Career Corner")
        page.get_by_label("Organisation").fill("Decatur Works")
        address = {"Street address": "100 N Water St", "City": "Decatur", "State": "IL",
                   "ZIP code": "62523"}
        for label, value in address.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_label("Latitude", exact=True).fill("39.84")
        page.get_by_role("button", name="Send for review").click()
        error = page.locator("#lon-error")
        assert error.inner_text().startswith("Give both the latitude and the longitude")
        assert "lon-error" in page.get_by_label("Longitude", exact=True).get_attribute(
            "aria-describedby")
        page.get_by_label("Latitude", exact=True).fill("")
        page.get_by_role("button", name="Send for review").click()
        page.wait_for_selector('tr[data-status="pending"]')
        with open_store(db_url) as store:
            [filed] = store.site_requests(organization="Decatur Works")
        place = default_geocoder().geocode("100 N Water St, Decatur, IL 62523")
        assert (filed.fields["lat"], filed.fields["lon"]) == (place.lat, place.lon)
        assert filed.county_fips == "17115"
    finally:
        visit.close()
    assert visit.blocked == [] and visit.dialogs == []


def test_the_review_map_numbers_the_likely_duplicates_as_the_list_does(
        browser, server: str, db_url: str) -> None:
    email = "max@lincoln-lab.example"
    add_account(db_url, email, organization="Lincoln Lab Partners")
    visits = {name: Visit(browser, server) for name in ("partner", "reviewer")}
    try:
        partner = visits["partner"]
        log_in(partner, email)
        partner.goto("/partner/add")
        page = partner.page
        page.get_by_label("Kind of site").select_option("access_site")
        for label, value in (("Name of the site", "Lincoln Library Access Point"),
                             ("Organisation", "Lincoln Lab Partners"),
                             ("Street address", "326 S 7th St"), ("City", "Springfield"),
                             ("State", "IL"), ("ZIP code", "62701")):
            page.get_by_label(label, exact=True).fill(value)
        type_coordinates(partner, 39.8004, -89.6496)
        page.get_by_role("button", name="Send for review").click()
        page.wait_for_selector("section.duplicates")
        page.get_by_label("This is a different service at the same place").check()
        page.get_by_role("button", name="Send for review").click()
        page.wait_for_selector('tr[data-status="pending"]')
        with open_store(db_url) as store:
            [filed] = store.site_requests(organization="Lincoln Lab Partners")

        reviewer = visits["reviewer"]
        log_in(reviewer, REVIEWER)
        reviewer.goto(f"/review/{filed.id}")
        reviewer.page.wait_for_selector(".duplicate-marker")
        listed = reviewer.page.locator("ol.duplicates li").evaluate_all(
            "items => items.map(i => i.dataset.site)")
        assert listed[0] == LIBRARY
        numbers = reviewer.page.locator(".duplicate-marker").all_inner_texts()
        assert numbers == [str(n) for n in range(1, len(listed) + 1)]
        reviewer.page.locator(".duplicate-marker").first.click()
        assert reviewer.page.locator(".leaflet-popup-content a").get_attribute("href") == \
            f"/sites/{LIBRARY}"
        reviewer.page.get_by_label("Reason the partner will see").fill("Test over")
        reviewer.page.get_by_role("button", name="Reject").click()
        reviewer.page.wait_for_url("**/review/")
        # The browser logs the refused send (the duplicate check's 409), and nothing else.
        assert partner.console_errors == [RESOURCE_ERROR.format(status="409 (CONFLICT)")]
        assert reviewer.console_errors == []
        for visit in visits.values():
            assert visit.blocked == [] and visit.dialogs == []
    finally:
        for visit in visits.values():
            visit.close()


def test_the_add_form_map_speaks_spanish(browser, server: str, db_url: str) -> None:
    require(AXE.exists(), f"{AXE} is missing: run `npm ci`")
    email = "sol@eastside.example"
    add_account(db_url, email, organization="Eastside Works")
    visit = Visit(browser, server)
    visit.context.add_init_script(path=str(AXE))
    page = visit.page
    try:
        log_in(visit, email)
        visit.goto("/partner/add?lang=es")
        visit.wait_for_outlines()
        assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Acercar"
        point = page.evaluate(FIND_BARE_MAP_POINT)
        page.mouse.click(point["x"], point["y"])
        assert re.fullmatch(r"El sitio está ubicado en -?\d+,\d+, -?\d+,\d+\.",
                            page.locator("#place-status").inner_text())
        assert page.locator(".place-marker").get_attribute("title") == \
            "El sitio nuevo: arrástrelo para moverlo"
        page.get_by_label("Código postal (ZIP)", exact=True).fill("00000")
        page.get_by_role("button", name="Ubicar por la dirección").click()
        page.wait_for_function("() => document.getElementById('place-status').textContent"
                               ".startsWith('No se pudo ubicar la dirección: ')")
        assert axe_violations(visit) == []
        shot(visit, "9-add-form-es")
        assert visit.console_errors == [RESOURCE_ERROR.format(status="400 (BAD REQUEST)")]
    finally:
        visit.close()
    assert visit.blocked == [] and visit.dialogs == []
def test_axe_finds_no_serious_or_critical_violations_in_registration(browser,
                                                                     server: str) -> None:
    require(AXE.exists(), f"{AXE} is missing: run `npm ci`")
    visit = Visit(browser, server)
    visit.context.add_init_script(path=str(AXE))
    try:
        visit.goto("/register")
        assert axe_violations(visit) == []
        visit.page.get_by_role("button", name="Ask for the account").click()
        visit.page.wait_for_selector("#county_fips-error")
        assert visit.page.get_by_label("County your organisation is in").get_attribute(
            "aria-invalid") == "true"
        assert axe_violations(visit) == []
        assert visit.blocked == [] and visit.console_errors == []
    finally:
        visit.close()
