"""The planner page without JavaScript: the form, the county table (an accessible table with
the coverage figures), what-if from typed coordinates, download links, and the page's
safety rules (local assets only, no inline script or style)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from html_page import Elements
from planner_data import NORTH_OFFSET_MI, make_coverage_db

from locator.coverage import CoverageQuery, load_study, parse_thresholds
from locator.search import public_filter
from locator.store import open_store
from locator.whatif import ProposedSite, what_if
from web import create_app


class Table(HTMLParser):
    """Every table's header cells (with scope) and body rows (as cell texts)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headers: dict[str, list[tuple[str | None, str]]] = {}
        self.rows: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._section = ""
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._scope: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "table":
            self._table = attributes.get("id") or attributes.get("class") or ""
            self.headers[self._table], self.rows[self._table] = [], []
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell, self._scope = [], attributes.get("scope")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None and self._table is not None:
            text = " ".join("".join(self._cell).split())
            if self._section == "thead":
                self.headers[self._table].append((self._scope, text))
            elif self._row is not None:
                self._row.append(text)
            self._cell = None
        elif tag == "tr" and self._section == "tbody" and self._table is not None:
            self.rows[self._table].append(self._row or [])
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag
                and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return make_coverage_db(tmp_path_factory.mktemp("planner_pages"))


@pytest.fixture(scope="module")
def client(db_url: str) -> FlaskClient:
    return create_app({"DATABASE_URL": db_url, "TESTING": True}).test_client()


def page(client: FlaskClient, url: str, status: int = 200) -> tuple[str, Table]:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    return html, Table(html)


def test_planner_page_without_a_state_asks_for_one(client: FlaskClient) -> None:
    html, parsed = page(client, "/planner")
    assert "Choose a state" in html
    assert parsed.all("select", id="state", name="state")
    assert not parsed.all("table", id="coverage-table")
    assert not parsed.all("div", id="map")


def test_every_page_links_to_the_planner(client: FlaskClient) -> None:
    for url in ("/", "/planner"):
        _, parsed = page(client, url)
        assert parsed.all("a", href="/planner"), url


def test_county_table_shows_the_engine_figures_with_row_and_column_headers(
        client: FlaskClient) -> None:
    _, parsed = page(client, "/planner?state=IL&kind=comprehensive_center&within=10,15")
    headers = parsed.headers["coverage-table"]
    assert all(scope == "col" for scope, _ in headers)
    labels = [text for _, text in headers]
    assert labels == ["FIPS code", "County", "Residents", "Sites", "Sites per 10k residents",
                      "Mean distance (mi)", "Median distance (mi)", "Within 10 mi",
                      "Within 15 mi", "Beyond 15 mi", "Gap"]
    rows = {row[0]: dict(zip(labels, row, strict=True)) for row in parsed.rows["coverage-table"]}
    assert set(rows) == {"17115", "17167"}
    sangamon = rows["17167"]
    assert sangamon["County"] == "Sangamon County, IL"
    assert sangamon["Residents"] == "4,000" and sangamon["Sites"] == "1"
    assert sangamon["Within 10 mi"] == "25.0%" and sangamon["Within 15 mi"] == "100.0%"
    assert sangamon["Mean distance (mi)"] == f"{0.75 * NORTH_OFFSET_MI:,.2f}"
    assert rows["17115"]["Gap"] == "No site; Over 50% beyond 15 mi"  # 40 mi from Springfield
    assert len(parsed.all("th", scope="row")) >= 2
    assert parsed.all("th", scope="col", aria_sort="ascending")  # the server's order: FIPS


def test_table_cells_carry_raw_values_for_sorting(client: FlaskClient) -> None:
    html, _ = page(client, "/planner?state=IL&kind=comprehensive_center&within=10")
    row = html.split('<tr data-area-id="17167"')[1].split("</tr>")[0]
    assert 'data-value="0.25"' in row  # the share, unrounded
    assert 'data-value="4000"' in row


def test_map_is_given_only_the_chosen_states_data_urls(client: FlaskClient) -> None:
    _, parsed = page(client, "/planner?state=il&within=5&kind=library")
    [element] = parsed.all("div", id="map")
    assert element["data-coverage-url"] == \
        "/api/coverage?format=geojson&state=IL&kind=library&within=5"
    assert element["data-sites-url"] == "/api/coverage/sites?state=IL&kind=library&within=5"
    assert element["data-whatif-url"] == "/planner/whatif?state=IL&kind=library&within=5"
    assert element["data-thresholds"] == "5"
    downloads = {a["href"] for a in parsed.all("a") if "format=" in (a.get("href") or "")}
    assert {re.search(r"format=(\w+)", href).group(1) for href in downloads} == \
        {"csv", "geojson", "gpkg"}
    assert parsed.all("a", href="/planner/report?state=IL&kind=library&within=5")


def test_metric_choices_follow_the_thresholds(client: FlaskClient) -> None:
    _, parsed = page(client, "/planner?state=IL&within=2.5,10&metric=mean_distance_mi")
    options = [o["value"] for o in parsed.all("option") if o.get("data-unit")]
    assert options == ["share_within_2.5_mi", "share_within_10_mi", "mean_distance_mi",
                       "median_distance_mi", "population_beyond_largest_threshold",
                       "sites_per_10k"]
    # The state, mobile stops counted (the default), the gap share and the metric.
    assert [o["value"] for o in parsed.all("option") if "selected" in o] == \
        ["IL", "true", "0.5", "mean_distance_mi"]


def test_typed_coordinates_show_the_whatif_without_javascript(client: FlaskClient,
                                                              db_url: str) -> None:
    point = ProposedSite(39.9817, -89.6443)
    html, parsed = page(client, "/planner?state=IL&kind=comprehensive_center&within=10"
                                f"&add={point.lat},{point.lon}")
    with open_store(db_url) as store:
        study = load_study(store, CoverageQuery(
            site_filter=public_filter(["comprehensive_center"]), state_fips=("17",)))
    expected = what_if(study, parse_thresholds(["10"]), add=[point])
    assert expected.total.newly_covered == (3000,)
    [panel] = parsed.all("div", id="whatif-panel")
    assert panel["data-added"] == f"{point.lat},{point.lon}"
    assert panel["data-changed"] == "17167"
    assert "With 1 new site: 3,000 more residents within 10 mi" in panel["data-status"]
    assert "+3,000" in html
    changed = parsed.rows["whatif-table"]
    assert changed[0][:2] == ["Sangamon County, IL", "3,000"]
    # The what-if form keeps the question and the sites added so far.
    hidden = {(i["name"], i["value"]) for i in parsed.all("input", type="hidden")}
    assert {("state", "IL"), ("kind", "comprehensive_center"), ("within", "10"),
            ("add", f"{point.lat},{point.lon}")} <= hidden


def test_whatif_panel_alone_is_the_same_panel(client: FlaskClient) -> None:
    url = "state=IL&kind=comprehensive_center&within=10&add=39.9817,-89.6443"
    _, whole = page(client, f"/planner?{url}")
    html, alone = page(client, f"/planner/whatif?{url}")
    assert alone.all("div", id="whatif-panel") == whole.all("div", id="whatif-panel")
    assert "<html" not in html


@pytest.mark.parametrize(("query", "words"), [
    ("state=ZZ", "unknown state"),
    ("state=IL&within=0", "positive number of miles"),
    ("state=IL&kind=castle", "castle"),
    ("state=IL&add=95,0", "LAT,LON"),
    ("state=IL&metric=astrology", "metric must be one of"),
    ("state=AS", "no tract population points"),
])
def test_bad_input_shows_a_message_beside_the_form(client: FlaskClient, query: str,
                                                   words: str) -> None:
    html, parsed = page(client, f"/planner?{query}", status=400)
    assert words in html
    assert parsed.all("form", id="planner-form")
    assert not parsed.all("table", id="coverage-table")


def test_whatif_panel_alone_explains_bad_input(client: FlaskClient) -> None:
    html, parsed = page(client, "/planner/whatif?state=IL&within=10", status=400)
    [panel] = parsed.all("div", id="whatif-panel")
    assert "add=LAT,LON" in panel["data-status"]
    html, _ = page(client, "/planner/whatif?state=IL&within=10&add=north", status=400)
    assert "expected LAT,LON" in html


@pytest.mark.parametrize("url", [
    "/planner", "/planner?state=IL&within=5,10&add=40,-89", "/planner/report?state=IL&within=5",
    "/planner/whatif?state=IL&add=40,-89"])
def test_planner_pages_have_no_inline_script_or_style_and_local_assets_only(
        client: FlaskClient, url: str) -> None:
    html, parsed = page(client, url)
    assert not parsed.all("style")
    assert all("style" not in attrs for _, attrs in parsed.tags), url
    scripts = Elements(html).scripts
    for script in scripts:
        assert script.get("src"), "inline script"
    assets = [s["src"] for s in scripts] + \
        [link["href"] for link in parsed.all("link", rel="stylesheet")]
    for asset in assets:
        assert asset.startswith("/"), asset
        with client.get(asset) as response:
            assert response.status_code == 200, asset
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_a_distance_beyond_decimal_precision_is_shown_as_typed(client: FlaskClient) -> None:
    answer = client.get("/planner/report?state=IL&within=1e25")
    assert answer.status_code == 200
    assert "1e+25" in answer.get_data(as_text=True)
