"""The coverage planner in a real browser: Debian's headless Chromium, driven by Playwright,
against gunicorn with the national data (the fixtures and network blocking of
``test_browser.py``: every request that is not for 127.0.0.1 is blocked and counted).

The page is loaded for Illinois; the choropleth, legend, site layers, keyboard sorting and a
what-if by clicking the map are checked against the coverage engine, and axe-core finds no
serious or critical accessibility violation. Load figures (bytes, milliseconds) are written
to ``test-artifacts/planner-load.json`` and printed.
"""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.request
from collections.abc import Iterator

import pytest
import test_browser as chromium
from test_browser import ARTIFACTS, AXE, XSS_SITE, Visit, axe_violations, require
from web_sites import copy_with_sites

from locator import geodata, listings
from locator.coverage import CoverageQuery, load_study, parse_thresholds
from locator.store import open_store
from locator.whatif import ProposedSite, what_if

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The same browser and server as the job seeker's browser tests.
playwright_api = chromium.playwright_api
browser = chromium.browser
server = chromium.server
# The site named as markup, with the county an importer would have given it: a site with
# no county lies in no state, so it would only be drawn if it were some resident's nearest.
XSS_LIBRARY = dataclasses.replace(XSS_SITE, county_fips=geodata.county_fips_at(XSS_SITE.lat,
                                                                               XSS_SITE.lon))

PLANNER = "/planner?state=IL&within=5,10"
IL_COUNTIES = 102
# Test-only instrumentation, run before the page's scripts: keep a handle on every Leaflet
# map the page makes, so a test can turn latitude and longitude into a point to click.
LEAFLET_HANDLE = """
(() => {
  let leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get() { return leaflet; },
    set(value) {
      leaflet = value;
      value.Map.addInitHook(function () { (window.__maps = window.__maps || []).push(this); });
    },
  });
})();
"""


@pytest.fixture(scope="module")
def site_db_url(national_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The national data plus the site named as markup, in a copy the server reads."""
    return copy_with_sites(national_db_url, tmp_path_factory.mktemp("planner_browser_db"),
                           (XSS_LIBRARY,))


def planner_visit(browser, server: str, *scripts: str) -> Visit:
    visit = Visit(browser, server)
    for script in (LEAFLET_HANDLE, *scripts):
        visit.context.add_init_script(script=script)
    return visit


@pytest.fixture
def visit(browser, server: str) -> Iterator[Visit]:
    visit = planner_visit(browser, server)
    yield visit
    visit.close()
    assert visit.blocked == [], "the page tried to leave 127.0.0.1"
    assert visit.dialogs == [], "a dialog fired: site text ran as script"


def open_planner(visit: Visit, path: str = PLANNER) -> None:
    visit.goto(path)
    visit.page.wait_for_function(
        "() => document.getElementById('map').dataset.ready === 'counties'", timeout=30_000)
    visit.page.wait_for_selector("#site-layers:not([hidden])", timeout=30_000)


def click_at(visit: Visit, lat: float, lon: float) -> None:
    point = visit.page.evaluate(
        "([lat, lon]) => window.__maps[0].latLngToContainerPoint([lat, lon])", [lat, lon])
    box = visit.page.locator("#map").bounding_box()
    visit.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def api_json(server: str, path: str) -> dict:
    with urllib.request.urlopen(server + path, timeout=30) as response:
        return json.load(response)


def test_planner_draws_the_states_counties_coloured_with_a_legend(visit: Visit,
                                                                   server: str) -> None:
    open_planner(visit)
    page = visit.page
    counties = page.locator("path.county")
    assert counties.count() == IL_COUNTIES
    classes = counties.evaluate_all("paths => paths.map(p => p.getAttribute('class'))")
    assert all(re.search(r"choropleth-(\d|none)", c) for c in classes)
    assert len({re.search(r"choropleth-\w+", c).group(0) for c in classes}) >= 3
    legend = page.locator("#legend")
    assert legend.is_visible()
    assert legend.locator("h3").inner_text() == "Share of residents within 5 mi"
    assert legend.locator("li").count() == 6  # five classes and "no figure"
    expected = api_json(server, "/api/coverage/sites?state=IL")["features"]
    kinds = {f["properties"]["kind"] for f in expected}
    for kind in kinds:
        label = page.locator(f"#site-layers label[data-kind='{kind}']")
        count = sum(f["properties"]["kind"] == kind for f in expected)
        assert label.is_visible() and f"({count:,})" in label.inner_text()
    assert page.locator("#site-layers label[data-kind]:visible").count() == len(kinds)
    assert page.locator("path.site-dot").count() == len(expected)
    page.locator("#site-layers label[data-kind='bookmobile'] input").uncheck()
    assert page.locator("path.site-dot").count() == sum(
        f["properties"]["kind"] != "bookmobile" for f in expected)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "planner-illinois.png")
    assert visit.console_errors == []


def test_only_stale_sites_leaves_just_the_sites_not_verified_recently(
        visit: Visit, server: str, site_db_url: str) -> None:
    served = api_json(server, "/api/coverage/sites?state=IL")["features"]
    with open_store(site_db_url) as store:  # a partner confirms five listings today
        store.upsert_sites([store.site(f["id"]).replace(last_verified=listings.today_iso())
                            for f in served[:5]])
    open_planner(visit)
    page = visit.page
    answer = api_json(server, "/api/coverage/sites?state=IL")
    stale = sum(f["properties"]["stale"] for f in answer["features"])
    assert stale == answer["stale_sites"] and 0 < stale < len(answer["features"])
    toggle = page.get_by_label(re.compile("Only sites not verified for more than 365 days"))
    assert f"({stale:,})" in page.locator("#site-layers .stale-toggle").inner_text()
    assert page.locator("path.stale-dot").count() == stale
    toggle.check()
    assert page.locator("path.site-dot").count() == stale
    page.wait_for_function("() => document.getElementById('planner-status').textContent"
                           f" === 'Showing only the {stale:,} sites not verified for a long "
                           "time.'")
    toggle.uncheck()
    assert page.locator("path.site-dot").count() == len(answer["features"])
    assert visit.console_errors == []


def test_planner_loads_one_states_data_fast(browser, server: str) -> None:
    """Fresh profile, no cache: bytes on the wire per request, and time to the coloured map."""
    visit = planner_visit(browser, server)
    try:
        open_planner(visit)
        timing = visit.page.evaluate("""() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const resources = performance.getEntriesByType('resource').map(r => ({
            url: r.name.replace(location.origin, ''), transfer_bytes: r.transferSize,
            body_bytes: r.decodedBodySize, ms: Math.round(r.duration)}));
          return {dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd),
                  load_ms: Math.round(nav.loadEventEnd),
                  map_ready_ms: Math.round(performance.now()),
                  page_transfer_bytes: nav.transferSize, resources};
        }""")
    finally:
        visit.close()
    timing["total_transfer_bytes"] = timing["page_transfer_bytes"] + sum(
        r["transfer_bytes"] for r in timing["resources"])
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "planner-load.json").write_text(json.dumps(timing, indent=2))
    print("\nplanner page for IL:", json.dumps(timing, indent=2))
    urls = [r["url"] for r in timing["resources"]]
    assert not any("/basemap/counties" in url for url in urls), "all US outlines were fetched"
    coverage = next(r for r in timing["resources"] if r["url"].startswith("/api/coverage?"))
    assert coverage["transfer_bytes"] < coverage["body_bytes"] / 3  # sent gzipped
    assert timing["total_transfer_bytes"] < 1_000_000
    assert visit.blocked == []


def test_metric_choice_recolours_the_map_and_legend(visit: Visit) -> None:
    open_planner(visit)
    page = visit.page
    before = page.locator("path.county").evaluate_all("ps => ps.map(p => p.getAttribute('class'))")
    page.select_option("#metric", "mean_distance_mi")
    assert page.locator("#legend h3").inner_text() == "Mean distance to the nearest site"
    after = page.locator("path.county").evaluate_all("ps => ps.map(p => p.getAttribute('class'))")
    assert after != before
    assert "metric=mean_distance_mi" in page.url
    first = page.locator("#legend li span:nth-child(2)").first.inner_text()
    assert re.fullmatch(r"under [\d.]+ mi", first)


def test_table_sorts_by_keyboard(visit: Visit, server: str) -> None:
    open_planner(visit)
    page = visit.page
    rows = api_json(server, "/api/coverage?state=IL&within=5,10")["rows"]
    page.get_by_role("link", name="Printable report").focus()
    for _ in range(10):  # from the link before the table, Tab reaches the sort buttons
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent") == "Residents":
            break
    button = page.get_by_role("button", name="Residents", exact=True)
    assert button.evaluate("b => b === document.activeElement")
    page.keyboard.press("Enter")
    header = page.locator("#coverage-table thead th").nth(2)
    assert header.inner_text().startswith("Residents")
    assert header.get_attribute("aria-sort") == "ascending"
    order = page.locator("#coverage-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.areaId)")
    assert order == [r["area_id"] for r in sorted(rows, key=lambda r: r["population"])]
    page.keyboard.press("Space")
    assert header.get_attribute("aria-sort") == "descending"
    first = page.locator("#coverage-table tbody tr").first.locator("th").inner_text()
    assert first == "Cook County, IL"
    assert page.locator("#coverage-table th[aria-sort]").count() == 1
    page.wait_for_function("() => document.getElementById('planner-status').textContent"
                           " === 'Table sorted by Residents, descending.'")


def test_clicking_the_map_shows_what_a_new_site_would_change(visit: Visit,
                                                             site_db_url: str) -> None:
    open_planner(visit)
    page = visit.page
    calhoun = geodata.county("17013")  # a gap: half its residents live beyond 10 mi
    # The site dots load on their own; once drawn, one sits on Calhoun's interior point and
    # would take the click (opening its popup). Hide them as a planner would, then click.
    page.wait_for_selector("#site-layers:not([hidden])")
    for box in page.locator("#site-layers input[type=checkbox]:visible").all():
        box.uncheck()
    assert page.locator(".site-dot").count() == 0
    click_at(visit, calhoun.lat, calhoun.lon)
    page.wait_for_selector("#whatif-panel h3", timeout=15_000)
    panel = page.locator("#whatif-panel")
    lat, lon = (float(v) for v in panel.get_attribute("data-added").split(","))
    assert abs(lat - calhoun.lat) < 0.05 and abs(lon - calhoun.lon) < 0.05
    with open_store(site_db_url) as store:
        study = load_study(store, CoverageQuery(state_fips=("17",)))
    expected = what_if(study, parse_thresholds(["5", "10"]), add=[ProposedSite(lat, lon)])
    gained_5, gained_10 = expected.total.newly_covered
    assert gained_10 > 0
    summary = panel.locator(".whatif-summary").inner_text()
    assert f"Within 5 mi: +{gained_5:,} residents" in summary
    assert f"Within 10 mi: +{gained_10:,} residents" in summary
    assert f"({expected.total.mean_distance_change_mi:+.3f} mi)" in summary
    changed = [row.area_id for row in expected.rows]
    assert panel.locator("tbody tr").evaluate_all("rs => rs.map(r => r.dataset.areaId)") == changed
    assert page.locator("path.county.is-changed").count() == len(changed)
    assert page.locator(".candidate-marker").count() == 1
    page.wait_for_function("() => document.getElementById('planner-status').textContent"
                           ".startsWith('With 1 new site')")
    assert "add=" in page.url
    page.locator(".whatif-clear").click()
    assert page.locator(".candidate-marker").count() == 0
    assert page.locator("path.county.is-changed").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "planner-whatif.png", full_page=True)
    assert visit.console_errors == []


def test_site_named_as_markup_shows_as_text_in_its_popup(visit: Visit) -> None:
    open_planner(visit, PLANNER + "&kind=library")
    page = visit.page
    page.evaluate("([lat, lon]) => window.__maps[0].setView([lat, lon], 14, {animate: false})",
                  [XSS_LIBRARY.lat, XSS_LIBRARY.lon])
    click_at(visit, XSS_LIBRARY.lat, XSS_LIBRARY.lon)
    popup = page.locator(".leaflet-popup-content strong")
    popup.wait_for(timeout=10_000)
    assert popup.inner_text() == XSS_LIBRARY.name
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.locator("#whatif-panel h3").count() == 0  # a site click is not a what-if


@pytest.fixture
def axe_visit(browser, server: str) -> Iterator[Visit]:
    require(AXE.exists(), f"{AXE} is missing: run `npm ci`")
    visit = planner_visit(browser, server, AXE.read_text(encoding="utf-8"))
    yield visit
    visit.close()
    assert visit.blocked == []


@pytest.mark.parametrize("path", ["/planner", PLANNER, PLANNER + "&add=39.3,-90.6",
                                  "/planner/report?state=IL&within=5,10"])
def test_axe_finds_no_serious_or_critical_violations(axe_visit: Visit, path: str) -> None:
    if path.startswith(PLANNER):
        open_planner(axe_visit, path)
    else:
        axe_visit.goto(path)
    assert axe_violations(axe_visit) == []


def test_planner_in_spanish_legend_sorting_and_whatif(browser, server: str,
                                                      site_db_url: str) -> None:
    """The planner for a Spanish-speaking browser: the legend, table sorting announcement
    and a what-if by click all in Spanish, figures in the Spanish format, axe-clean."""
    require(AXE.exists(), f"{AXE} is missing: run `npm ci`")
    visit = Visit(browser, server, locale="es-US")
    for script in (LEAFLET_HANDLE, AXE.read_text(encoding="utf-8")):
        visit.context.add_init_script(script=script)
    page = visit.page
    try:
        open_planner(visit)
        assert page.get_attribute("html", "lang") == "es"
        assert page.locator("#legend h3").inner_text() == \
            "Proporción de residentes a 5 mi o menos"
        assert re.fullmatch(r"menos de 20,0\s%",
                            page.locator("#legend li span:nth-child(2)").first.inner_text())
        page.select_option("#metric", "mean_distance_mi")
        assert re.fullmatch(r"menos de \d+,\d\d mi",
                            page.locator("#legend li span:nth-child(2)").first.inner_text())
        page.get_by_role("button", name="Residentes", exact=True).click()
        page.wait_for_function("() => document.getElementById('planner-status').textContent"
                               " === 'Tabla ordenada por Residentes, de menor a mayor.'")
        for box in page.locator("#site-layers input[type=checkbox]:visible").all():
            box.uncheck()
        page.locator("path.county").nth(40).hover()
        tooltip = page.locator(".county-tooltip strong")
        tooltip.wait_for(timeout=10_000)
        assert re.fullmatch(r"Condado de .+, IL", tooltip.inner_text())
        assert "Residentes" in page.locator(".county-tooltip").inner_text()
        calhoun = geodata.county("17013")
        click_at(visit, calhoun.lat, calhoun.lon)
        page.wait_for_selector("#whatif-panel h3", timeout=15_000)
        lat, lon = (float(v) for v in
                    page.locator("#whatif-panel").get_attribute("data-added").split(","))
        with open_store(site_db_url) as store:
            study = load_study(store, CoverageQuery(state_fips=("17",)))
        expected = what_if(study, parse_thresholds(["5", "10"]), add=[ProposedSite(lat, lon)])
        gained_10 = f"{expected.total.newly_covered[1]:,}".replace(",", ".")
        summary = page.locator(".whatif-summary").inner_text()
        assert f"A 10 mi o menos: +{gained_10} residentes" in summary
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=10_000)
        assert popup.inner_text().startswith("Con 1 sitio nuevo:")
        assert popup.get_by_role("link", name="Condados que ganan").count() == 1
        assert axe_violations(visit) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "planner-whatif-es.png", full_page=True)
        assert visit.console_errors == []
    finally:
        visit.close()
    assert visit.blocked == [] and visit.dialogs == []
