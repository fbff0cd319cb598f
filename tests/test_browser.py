"""The job seeker's page in a real browser: Debian's headless Chromium, driven by
Playwright, against the production server (gunicorn, as `locator serve` starts it) with all
US library outlets loaded. Every request that is not for 127.0.0.1 is blocked and counted.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import IN_CI, REPO
from web_sites import XSS_NAME, copy_with_sites

from locator.cli.serve import gunicorn_argv
from locator.geocode import default_geocoder
from locator.search import find_nearest, public_filter
from locator.sites import Kind, Site, Status
from locator.spatial import Catalog
from locator.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
XSS_SITE = Site("xss-test", XSS_NAME, Kind.LIBRARY, 40.1, -89.2, address=XSS_NAME,
                city="Nowhere", state="IL", hours=XSS_NAME, website="javascript:alert(1)")
PENDING_SITE = Site("pending-test", "Pending Review Center", Kind.ACCESS_SITE, 39.7817, -89.6501,
                    status=Status.PENDING)


def require(condition: bool, message: str) -> None:
    if not condition:
        if IN_CI:
            pytest.fail(message + " (required under CI=true)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed: make install-test")
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: make browser")
    with sync_playwright() as api:
        yield api


@pytest.fixture(scope="module")
def browser(playwright_api):
    browser = playwright_api.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def site_db_url(national_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The national data plus a site named as markup and a pending one, in a copy."""
    return copy_with_sites(national_db_url, tmp_path_factory.mktemp("browser_db"),
                           (XSS_SITE, PENDING_SITE))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(site_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(site_db_url, tmp_path_factory.mktemp("server")) as base:
        yield base


@contextlib.contextmanager
def serving(database_url: str, log_dir: Path, **env: str) -> Iterator[str]:
    """The app under gunicorn as ``locator serve`` runs it, on a free port; its base URL."""
    port = free_port()
    log = log_dir / "gunicorn.log"
    environment = {**os.environ, "LOCATOR_DATABASE_URL": database_url, **env}
    with open(log, "wb") as out:
        process = subprocess.Popen(gunicorn_argv("127.0.0.1", port), env=environment,
                                   cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_serving(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/api/openapi.json", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not start in 60 s: {log.read_text()}")


class Visit:
    """A browser page whose requests leave 127.0.0.1 never; records what the page did."""

    def __init__(self, browser, base: str, **context_options) -> None:
        self.base = base
        context_options.setdefault("viewport", {"width": 1280, "height": 900})
        self.context = browser.new_context(**context_options)
        self.blocked: list[str] = []
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _route(self, route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def wait_for_outlines(self) -> int:
        paths = self.page.locator(".leaflet-overlay-pane svg path")
        self.page.wait_for_function(
            "() => document.querySelectorAll('.leaflet-overlay-pane svg path').length > 3000",
            timeout=30_000)
        return paths.count()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, server: str) -> Iterator[Visit]:
    visit = Visit(browser, server)
    yield visit
    visit.close()
    assert visit.blocked == [], "the page tried to leave 127.0.0.1"
    assert visit.dialogs == [], "a dialog fired: site text ran as script"


def expected_nearest(site_db_url: str, text: str, kinds: list[str], k: int = 10):
    with open_store(site_db_url) as store:
        catalog = Catalog(store.sites(statuses=[Status.APPROVED]))
    place = default_geocoder().geocode(text)
    return find_nearest(catalog, place, k=k, site_filter=public_filter(kinds))


def result_ids(visit: Visit) -> list[str]:
    return visit.page.locator("li.result").evaluate_all("items => items.map(i => i.dataset.siteId)")


def test_page_loads_offline_and_draws_county_outlines(visit: Visit) -> None:
    visit.goto("/")
    assert visit.wait_for_outlines() > 3000
    visit.page.wait_for_selector(".cluster", timeout=15_000)
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / "search-page.png")
    assert visit.console_errors == []


def test_zip_search_lists_the_nearest_libraries_with_distances(visit: Visit,
                                                               site_db_url: str) -> None:
    visit.goto("/")
    visit.page.get_by_label("Public libraries").check()
    visit.page.get_by_label("Where are you?").fill("62701")
    visit.page.get_by_role("button", name="Search", exact=True).click()
    visit.page.wait_for_selector("li.result")
    expected = expected_nearest(site_db_url, "62701", ["library"])
    assert result_ids(visit) == [n.site.id for n in expected.results]
    first = visit.page.locator("li.result").first
    assert first.locator(".result-name").inner_text() == expected.results[0].site.display_name
    distances = visit.page.locator("li.result .distance").all_inner_texts()
    assert distances[0] == f"{expected.results[0].distance_mi:.1f} mi straight-line"
    assert all(re.fullmatch(r"[\d.,]+ mi straight-line|under 0\.1 mi straight-line", d)
               for d in distances)
    assert visit.page.locator(".result-marker").count() == len(expected.results)
    status = visit.page.locator("#result-status")
    assert status.inner_text() == f"10 places found near {expected.query.label}, nearest first."
    assert "62701" in visit.page.url and "kind=library" in visit.page.url
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / "zip-search.png")


def test_clicking_a_result_opens_its_detail_page(visit: Visit) -> None:
    visit.goto("/?q=62701&kind=library")
    first = visit.page.locator("li.result").first
    site_id, name = first.get_attribute("data-site-id"), first.get_attribute("data-name")
    first.locator(".result-name a").click()
    visit.page.wait_for_url(f"**/sites/{site_id}")
    assert visit.page.locator("h1").inner_text() == name
    visit.page.wait_for_selector(".result-marker")


def test_keyboard_only_search_reaches_results_and_a_detail_page(visit: Visit) -> None:
    visit.goto("/")
    page = visit.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("Peoria, IL")
    page.keyboard.press("Enter")
    page.wait_for_selector("li.result")
    page.wait_for_function("() => document.getElementById('result-status').textContent"
                           ".includes('places found near')")
    focused_ids = []
    for _ in range(40):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        focused_ids.append(href)
        if href.startswith("/sites/"):
            break
    first_link = page.locator("li.result .result-name a").first.get_attribute("href")
    assert focused_ids[-1] == first_link
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{first_link}")


def test_choosing_a_result_highlights_its_marker_and_back(visit: Visit) -> None:
    visit.goto("/?q=62701&k=5")
    page = visit.page
    page.locator("li.result").nth(2).get_by_role("button", name=re.compile("Show on map")).click()
    assert page.locator(".result-marker.is-selected").inner_text() == "3"
    assert page.locator(".leaflet-popup-content").inner_text().startswith(
        page.locator("li.result").nth(2).get_attribute("data-name"))
    page.locator(".result-marker").nth(0).click()
    assert page.locator("li.result.is-selected").get_attribute("data-rank") == "1"


FIND_BARE_MAP_POINT = """() => {
  // A point on the map showing only outlines: a click there reaches the map, not a marker.
  const box = document.getElementById('map').getBoundingClientRect();
  for (let fy = 0.3; fy < 0.8; fy += 0.05) {
    for (let fx = 0.3; fx < 0.8; fx += 0.05) {
      const x = box.left + box.width * fx, y = box.top + box.height * fy;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit.closest('.leaflet-overlay-pane') && !hit.closest('.leaflet-marker-pane')
          && hit.getAttribute('fill') !== null && hit.getAttribute('stroke') === '#8a8f98') {
        return {x: x, y: y};
      }
    }
  }
  return null;
}"""


def test_clicking_the_map_searches_from_that_point(visit: Visit) -> None:
    visit.goto("/")
    visit.wait_for_outlines()
    visit.page.wait_for_selector(".cluster")
    point = visit.page.evaluate(FIND_BARE_MAP_POINT)
    assert point is not None
    visit.page.mouse.click(point["x"], point["y"])
    visit.page.wait_for_selector("li.result")
    label = visit.page.locator("#result-list").get_attribute("data-query-label")
    assert re.fullmatch(r"-?\d+\.\d+, -?\d+\.\d+", label)
    assert visit.page.locator("li.result").count() == 10


def test_use_my_location_searches_from_the_device_position(browser, server: str) -> None:
    visit = Visit(browser, server, geolocation={"latitude": 41.8781, "longitude": -87.6298},
                  permissions=["geolocation"])
    try:
        visit.goto("/")
        visit.page.get_by_role("button", name="Use my location").click()
        visit.page.wait_for_selector("li.result")
        results = visit.page.locator("#result-list")
        assert float(results.get_attribute("data-query-lat")) == pytest.approx(41.8781)
        assert float(results.get_attribute("data-query-lon")) == pytest.approx(-87.6298)
        assert visit.page.locator("li.result").count() == 10
    finally:
        visit.close()
    assert visit.blocked == [] and visit.dialogs == []


def test_ambiguous_place_offers_candidates_that_search_when_chosen(visit: Visit) -> None:
    visit.goto("/")
    visit.page.get_by_label("Where are you?").fill("Springfield")
    visit.page.keyboard.press("Enter")
    visit.page.get_by_role("link", name="Springfield, IL", exact=True).click()
    visit.page.wait_for_selector("li.result")
    assert visit.page.locator("#result-list").get_attribute("data-query-label") == \
        "Springfield, IL"
    assert visit.page.input_value("#q") == "Springfield, IL"


def test_site_named_as_markup_shows_as_text_in_list_popup_detail_and_print(
        visit: Visit) -> None:
    page = visit.page
    visit.goto(f"/?q={XSS_SITE.lat}%2C+{XSS_SITE.lon}&k=3")
    item = page.locator(f"li.result[data-site-id='{XSS_SITE.id}']")
    assert item.locator(".result-name").inner_text() == XSS_NAME
    item.get_by_role("button", name=re.compile("Show on map")).click()
    assert page.locator(".leaflet-popup-content strong").inner_text() == XSS_NAME
    page.emulate_media(media="print")
    assert item.locator(".result-name").is_visible()
    assert not page.locator("#map").is_visible()
    page.emulate_media(media="screen")
    visit.goto(f"/sites/{XSS_SITE.id}")
    assert page.locator("h1").inner_text() == XSS_NAME
    assert page.get_by_text(XSS_NAME).count() >= 3  # name, address, hours
    page.emulate_media(media="print")
    assert page.locator("h1").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "site-print-view.png", full_page=True)
    assert page.locator("img[src='x']").count() == 0
    assert visit.console_errors == []


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_phone_first_screen_after_a_search_shows_results_not_filters(
        browser, server: str, javascript: bool) -> None:
    visit = Visit(browser, server, java_script_enabled=javascript, **PHONE)
    page = visit.page
    try:
        visit.goto("/?q=62701&kind=library&within_mi=25")
        summary = page.locator("#filters-panel > summary")
        assert summary.inner_text() == "Filters (2 set)"
        assert not page.get_by_label("Public libraries").is_visible()
        first = page.locator("li.result").first.bounding_box()
        assert first is not None and first["y"] + 60 < 844, "the first result starts off screen"
        ARTIFACTS.mkdir(exist_ok=True)
        mode = "script" if javascript else "no-script"
        page.screenshot(path=ARTIFACTS / f"phone-search-{mode}.png")
        summary.click()
        assert page.get_by_label("Public libraries").is_visible()
        if javascript:
            page.get_by_label("Bookmobiles").check()
            page.wait_for_function("() => document.getElementById('filter-count').textContent"
                                   " === '(3 set)'")
        assert visit.console_errors == []
    finally:
        visit.close()
    assert visit.blocked == []


def placed_labels(visit: Visit, kind: str) -> list[str]:
    return visit.page.locator(f".place-label-{kind}").all_inner_texts()


def label_boxes_overlap(visit: Visit) -> list[list[str]]:
    return visit.page.evaluate("""() => {
      const boxes = [...document.querySelectorAll('.place-label span')].map(s => {
        const r = s.getBoundingClientRect(); return {t: s.textContent, r: r}; });
      const hits = [];
      boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
        if (a.r.left < b.r.right - 1 && b.r.left < a.r.right - 1 && a.r.top < b.r.bottom - 1
            && b.r.top < a.r.bottom - 1) hits.push([a.t, b.t]);
      }));
      return hits;
    }""")


def test_map_labels_states_then_towns_and_counties_offline(visit: Visit) -> None:
    visit.goto("/")
    visit.page.wait_for_selector(".place-label-state")
    states = placed_labels(visit, "state")
    assert {"Illinois", "Texas", "California"} <= set(states)
    assert placed_labels(visit, "county") == []
    towns = placed_labels(visit, "city")
    assert "Chicago" in towns and len(towns) >= 5
    assert "Joliet" not in towns  # a town of 6 ZIP codes waits for a closer zoom
    assert label_boxes_overlap(visit) == []
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / "map-labels-us.png")
    visit.goto("/?q=Joliet%2C+IL&k=20")  # the results fit the map at town zoom
    visit.page.wait_for_selector(".place-label-county")
    visit.page.wait_for_function("() => document.querySelectorAll('.place-label-city').length > 5")
    assert placed_labels(visit, "state") == []
    assert "Joliet" in placed_labels(visit, "city")
    assert "Will County" in placed_labels(visit, "county")
    assert label_boxes_overlap(visit) == []
    assert visit.page.locator("#map").evaluate(
        "m => getComputedStyle(m).backgroundColor") == "rgb(169, 203, 227)"
    visit.page.screenshot(path=ARTIFACTS / "map-labels-town.png")
    assert visit.console_errors == []


def open_offline(browser, path: Path):
    """A page showing a local file, with every request to any host blocked and recorded."""
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    blocked: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        "file:") else (blocked.append(route.request.url), route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return context, page, blocked, errors


def test_map_files_open_offline_with_markers_and_choropleth(
        browser, site_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from locator import geodata
    from locator.cli import main
    from locator.coverage import CoverageQuery, CoverageStudy, load_population, parse_thresholds
    from mapfile.maps import _share_colour

    monkeypatch.setenv("LOCATOR_DATABASE_URL", site_db_url)
    nearest_file, coverage_file = tmp_path / "joliet.html", tmp_path / "il.html"
    assert main(["nearest", "Joliet, IL", "-k", "10", "--kind", "library", "--format", "html",
                 "-o", str(nearest_file)]) == 0
    assert main(["coverage", "--state", "IL", "--kind", "library", "--within", "5",
                 "--format", "html", "-o", str(coverage_file)]) == 0
    expected = expected_nearest(site_db_url, "Joliet, IL", ["library"])
    ARTIFACTS.mkdir(exist_ok=True)

    context, page, blocked, errors = open_offline(browser, nearest_file)
    page.wait_for_selector(".result-marker")
    assert page.locator(".result-marker").all_inner_texts() == [str(i) for i in range(1, 11)]
    page.locator(".result-marker").first.click()
    assert page.locator(".leaflet-popup-content strong").inner_text() == \
        f"1. {expected.results[0].site.display_name}"
    # The outlines of every county in the states within half a degree of the points (Joliet
    # is some 30 miles from Indiana), and the searched place.
    outlined = sum(1 for c in geodata.counties() if c.state in ("IL", "IN"))
    assert page.locator(".leaflet-overlay-pane path").count() == outlined + 1
    assert "Joliet" in page.locator(".place-label-city").all_inner_texts()
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup'))"
                           ".opacity === '1'")
    page.screenshot(path=ARTIFACTS / "mapfile-nearest.png")
    context.close()
    assert blocked == [] and errors == []

    with open_store(site_db_url) as store:
        query = CoverageQuery(site_filter=public_filter(["library"]), state_fips=("17",))
        study = CoverageStudy(store.sites(statuses=query.site_filter.statuses),
                              load_population(store, ("17",)), query)
    report = study.report(parse_thresholds(["5"]))
    context, page, blocked, errors = open_offline(browser, coverage_file)
    page.wait_for_selector(".leaflet-overlay-pane path")
    fills = page.locator(".leaflet-overlay-pane path").evaluate_all(
        "paths => paths.map(p => p.getAttribute('fill'))")
    assert sorted(fills) == sorted(_share_colour(r.within[0].share) for r in report.rows)
    assert page.locator(".map-legend").is_visible()
    assert "Illinois" in page.locator(".place-label-state").all_inner_texts()
    assert "Chicago" in page.locator(".place-label-city").all_inner_texts()
    page.screenshot(path=ARTIFACTS / "mapfile-coverage.png")
    context.close()
    assert blocked == [] and errors == []


def test_map_file_shows_a_site_named_as_markup_as_text(
        browser, site_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from locator.cli import main

    monkeypatch.setenv("LOCATOR_DATABASE_URL", site_db_url)
    path = tmp_path / "markup.html"
    assert main(["nearest", f"{XSS_SITE.lat}, {XSS_SITE.lon}", "-k", "1", "--format", "html",
                 "-o", str(path)]) == 0
    context, page, blocked, errors = open_offline(browser, path)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.locator(".result-marker").first.click()
    assert page.locator(".leaflet-popup-content strong").inner_text() == f"1. {XSS_NAME}"
    assert page.locator("img[src='x']").count() == 0
    context.close()
    assert blocked == [] and errors == [] and dialogs == []


def test_pending_site_has_no_page(visit: Visit) -> None:
    visit.goto(f"/sites/{PENDING_SITE.id}")
    assert visit.page.locator("h1").inner_text() == "Not found"


def axe_violations(visit: Visit) -> list[dict]:
    # Contrast is judged on what is painted: a popup still fading in (Leaflet's 0.2 s opacity
    # transition) is faint text for that moment, so let running transitions finish first.
    visit.page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running')")
    results = visit.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    # Each node's selector and axe's own explanation, so a failure says what to mend.
    return [{"id": v["id"], "impact": v["impact"],
             "nodes": [(n["target"], n.get("failureSummary", "")) for n in v["nodes"]]}
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def axe_visit(browser, server: str) -> Iterator[Visit]:
    require(AXE.exists(), f"{AXE} is missing: run `npm ci`")
    visit = Visit(browser, server)
    # An init script runs before the page's own; unlike an injected <script> tag it does
    # not need the page's Content-Security-Policy loosened.
    visit.context.add_init_script(path=str(AXE))
    yield visit
    visit.close()
    assert visit.blocked == []


@pytest.mark.parametrize("path", ["/", "/?q=62701", "/?q=Springfield", "/sites/xss-test"])
def test_axe_finds_no_serious_or_critical_violations(axe_visit: Visit, path: str) -> None:
    axe_visit.goto(path)
    axe_visit.wait_for_outlines()
    assert axe_violations(axe_visit) == []


def test_spanish_zip_search_results_popups_and_map_offline(browser, server: str,
                                                           site_db_url: str) -> None:
    """The page as a Spanish-speaking browser gets it: Spanish results, popups, clusters and
    map controls, Spanish number format, nothing fetched off the machine, and axe-clean."""
    require(AXE.exists(), f"{AXE} is missing: run `npm ci`")
    visit = Visit(browser, server, locale="es-US")
    visit.context.add_init_script(path=str(AXE))
    page = visit.page
    try:
        visit.goto("/")
        assert page.get_attribute("html", "lang") == "es"
        page.wait_for_selector(".cluster", timeout=15_000)
        assert re.fullmatch(r"[\d.]+ lugares: haga clic para acercar",
                            page.locator(".cluster").first.get_attribute("title"))
        assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Acercar"
        page.get_by_label("Bibliotecas públicas").check()
        page.get_by_label("¿Dónde está usted?").fill("62701")
        page.get_by_role("button", name="Buscar", exact=True).click()
        page.wait_for_selector("li.result")
        expected = expected_nearest(site_db_url, "62701", ["library"])
        assert result_ids(visit) == [n.site.id for n in expected.results]
        page.wait_for_function("() => document.getElementById('result-status').textContent"
                               ".startsWith('Se encontraron')")
        assert page.locator("#result-status").inner_text() == (
            f"Se encontraron 10 lugares cerca de {expected.query.label}, los más cercanos "
            "primero.")
        distances = page.locator("li.result .distance").all_inner_texts()
        first_mi = f"{expected.results[0].distance_mi:.1f}".replace(".", ",")
        assert distances[0] == f"{first_mi} mi en línea recta"
        assert all(re.fullmatch(r"[\d.]+,\d mi en línea recta|menos de 0,1 mi en línea recta",
                                d) for d in distances)
        assert page.locator("li.result .kind").first.inner_text() == "Biblioteca pública"
        page.locator("li.result").first.get_by_role("button",
                                                    name=re.compile("Ver en el mapa")).click()
        popup = page.locator(".leaflet-popup-content")
        assert popup.inner_text() == f"{expected.results[0].site.display_name}\n{distances[0]}"
        assert page.locator(".leaflet-popup-close-button").get_attribute("aria-label") == \
            "Cerrar la ventana"
        assert axe_violations(visit) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "zip-search-es.png")
        assert visit.console_errors == []
    finally:
        visit.close()
    assert visit.blocked == [] and visit.dialogs == []
