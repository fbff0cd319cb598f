"""The job seeker's pages without JavaScript: server-rendered results, detail pages, safe
rendering of site text, local-only assets and the security headers."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from html_page import Elements
from web_sites import HIDDEN_IDS, PUBLIC_SITES, XSS_NAME, make_db

from locator.open_at import WEEKDAYS
from locator.spatial import brute_force_nearest
from web import create_app


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return make_db(tmp_path_factory.mktemp("web_pages"))


@pytest.fixture(scope="module")
def client(db_url: str) -> FlaskClient:
    return create_app({"DATABASE_URL": db_url, "TESTING": True}).test_client()


def page(client: FlaskClient, url: str, status: int = 200) -> Elements:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return Elements(response.get_data(as_text=True))


def test_search_page_has_a_labelled_search_box_and_filters(client: FlaskClient) -> None:
    html = page(client, "/")
    assert html.all("label", **{"for": "q"})
    assert html.all("input", id="q", name="q")
    assert html.all("form", role="search", method="get")
    kinds = [a["value"] for a in html.all("input", name="kind")]
    assert kinds == ["comprehensive_center,affiliate_center", "access_site,dissemination_site",
                     "library", "bookmobile", "mobile_center"]
    assert html.all("select", name="program") and html.all("select", name="within_mi")
    assert html.all("p", id="result-status", role="status")


def test_search_without_javascript_lists_the_nearest_sites_in_order(client: FlaskClient) -> None:
    html = page(client, "/?lat=39.79&lon=-89.64&k=5")
    items = html.all("li", **{"class": "result"})
    expected = brute_force_nearest(PUBLIC_SITES, 39.79, -89.64, k=5)
    assert [i["data-site-id"] for i in items] == [n.site.id for n in expected]
    assert "5 places found near 39.79000, -89.64000, nearest first." in html.plain_text
    assert "straight-line" in html.plain_text
    detail_links = {a["href"] for a in html.all("a") if (a.get("href") or "").startswith("/sites/")}
    assert {f"/sites/{n.site.id}" for n in expected} <= detail_links
    geo_links = [a["href"] for a in html.all("a") if (a.get("href") or "").startswith("geo:")]
    assert len(geo_links) == 5
    first = expected[0].site
    assert geo_links[0].startswith(f"geo:{first.lat:.6f},{first.lon:.6f}?q=")


def test_filters_are_kept_in_the_form_after_a_search(client: FlaskClient) -> None:
    html = page(client, "/?lat=39.8&lon=-89.6&kind=library&program=wifi&within_mi=25&k=5")
    assert [a["value"] for a in html.all("input", name="kind") if "checked" in a] == ["library"]
    selected = [a["value"] for a in html.all("option") if "selected" in a]
    assert [value for value in selected if value not in WEEKDAYS] == ["wifi", "25", "5"]
    assert [i["data-site-id"] for i in html.all("li", **{"class": "result"})] == ["lib-springfield"]


def test_filters_fold_behind_a_summary_that_counts_those_set(client: FlaskClient) -> None:
    html = page(client, "/?q=62701&kind=library&kind=bookmobile&within_mi=25&k=5")
    panel = html.all("details", id="filters-panel")
    assert len(panel) == 1 and "open" not in panel[0]  # results first on a phone
    assert "Filters (3 set)" in html.plain_text  # two kinds and a distance; k is no filter
    assert "Filters (none set)" in page(client, "/?q=62701&k=5").plain_text


def test_no_match_says_how_to_widen_the_search(client: FlaskClient) -> None:
    html = page(client, "/?lat=10&lon=10&within_mi=5")
    assert "No places match within 5 miles" in html.plain_text


def test_empty_database_says_no_places_are_loaded_yet(tmp_path: Path) -> None:
    empty = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
                        "TESTING": True}).test_client()
    assert "No places are loaded yet" in page(empty, "/").plain_text
    assert "locator data import" in page(empty, "/?q=62701").plain_text


def test_loaded_database_shows_no_loading_notice(client: FlaskClient) -> None:
    assert "No places are loaded yet" not in page(client, "/?q=62701").plain_text


def test_bad_input_gets_a_helpful_message_not_an_empty_page(client: FlaskClient) -> None:
    html = page(client, "/?lat=95&lon=-89.6", status=400)
    assert "lat must be between -90 and 90" in html.plain_text
    assert "Try a 5-digit ZIP code" in html.plain_text


def test_results_panel_alone_is_the_same_list(client: FlaskClient) -> None:
    full = page(client, "/?lat=39.79&lon=-89.64&k=3")
    panel = page(client, "/search/results?lat=39.79&lon=-89.64&k=3")
    assert panel.all("li", **{"class": "result"}) == full.all("li", **{"class": "result"})
    assert not panel.all("form") and not panel.all("html")


def test_detail_page_shows_address_phone_hours_and_directions(client: FlaskClient) -> None:
    site = PUBLIC_SITES[0]
    html = page(client, f"/sites/{site.id}")
    text = html.plain_text
    for fact in (site.name, "326 S 7th St, Springfield, IL 62701", site.phone, site.hours,
                 "Public computers", "Wi-Fi"):
        assert fact in text
    assert html.all("a", href="tel:+12175550101")
    assert html.all("a", href="https://library.example.org", rel="noopener noreferrer")
    hrefs = [a.get("href") or "" for a in html.all("a")]
    assert [h for h in hrefs if h.startswith("geo:39.800300,-89.649700?q=")]


@pytest.mark.parametrize("site_id", ["no-such-site", *sorted(HIDDEN_IDS)])
def test_detail_page_of_unknown_or_hidden_site_is_a_404_page(client: FlaskClient,
                                                             site_id: str) -> None:
    html = page(client, f"/sites/{site_id}", status=404)
    assert "Not found" in html.plain_text


def test_hidden_sites_never_appear_in_results(client: FlaskClient) -> None:
    response = client.get("/?lat=39.8004&lon=-89.6498&k=50")
    body = response.get_data(as_text=True)
    for hidden in ("Pending Review Library", "Retired Job Center", *HIDDEN_IDS):
        assert hidden not in body


@pytest.mark.parametrize("url", ["/?lat=39.82&lon=-89.62&k=3", "/sites/xss"])
def test_site_text_is_shown_as_text_never_markup(client: FlaskClient, url: str) -> None:
    html = page(client, url)
    assert XSS_NAME in html.plain_text
    assert not html.all("img")
    assert not [a for a in html.all("a") if "javascript" in (a.get("href") or "")]


def test_pages_have_no_inline_script_or_style(client: FlaskClient) -> None:
    for url in ("/", "/?lat=39.8&lon=-89.6", "/sites/lib-springfield", "/sites/none"):
        html = Elements(client.get(url).get_data(as_text=True))
        assert all(attrs.get("src") for attrs in html.scripts), url
        assert not html.all("style"), url
        for tag, attrs in html.tags:
            assert "style" not in attrs, (url, tag)
            assert not [a for a in attrs if a.startswith("on")], (url, tag)


def test_every_asset_a_page_loads_is_served_by_the_app(client: FlaskClient) -> None:
    for url in ("/", "/sites/lib-springfield"):
        html = page(client, url)
        assets = [a["src"] for a in html.scripts] + \
                 [a["href"] for a in html.all("link", rel="stylesheet")]
        assert len(assets) >= 4
        for asset in assets:
            assert asset.startswith("/"), asset
            with client.get(asset) as response:
                assert response.status_code == 200, asset
        map_element = html.all("div", id="map")[0]
        for name in ("data-states-url", "data-counties-url", "data-clusters-url"):
            assert map_element[name].startswith("/")
        assert "data-tile-url" not in map_element


def test_print_stylesheet_is_linked_for_print(client: FlaskClient) -> None:
    html = page(client, "/sites/lib-springfield")
    assert html.all("link", rel="stylesheet", media="print")


def test_leaflet_comes_from_the_installed_package_gzipped_and_cacheable(
        client: FlaskClient) -> None:
    plain = client.get("/vendor/leaflet/leaflet.js")
    assert b"Leaflet 1.9.4" in plain.data[:400]
    zipped = client.get("/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    again = client.get("/vendor/leaflet/leaflet.js",
                       headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/vendor/leaflet/../__init__.py").status_code == 404


def test_county_outlines_are_served_as_geojson(client: FlaskClient) -> None:
    response = client.get("/basemap/counties.geojson")
    assert response.mimetype == "application/geo+json"
    counties = json.loads(response.data)
    assert len(counties["features"]) > 3000
    assert {"fips", "name", "state"} <= set(counties["features"][0]["properties"])
    assert client.get("/basemap/roads.geojson").status_code == 404


@pytest.mark.parametrize("url", ["/", "/api/nearest?lat=1&lon=1", "/sites/none",
                                 "/vendor/leaflet/leaflet.css", "/static/css/site.css"])
def test_every_response_carries_the_security_headers(client: FlaskClient, url: str) -> None:
    with client.get(url) as response:
        headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "geolocation=(self)" in headers["Permissions-Policy"]


def test_online_extras_appear_only_when_configured(db_url: str, tmp_path: Path) -> None:
    offline = create_app({"DATABASE_URL": db_url}).test_client()
    body = offline.get("/?lat=39.8&lon=-89.6").get_data(as_text=True)
    assert "Web directions" not in body and "data-tile-url" not in body
    assert "img-src 'self' data:;" in offline.get("/").headers["Content-Security-Policy"]
    online = create_app({
        "DATABASE_URL": db_url,
        "TILE_URL": "https://{s}.tile.example.org/{z}/{x}/{y}.png",
        "DIRECTIONS_URL": "https://maps.example.org/dir?to={lat},{lon}",
    }).test_client()
    response = online.get("/?lat=39.8&lon=-89.6")
    html = Elements(response.get_data(as_text=True))
    assert html.all("a", href="https://maps.example.org/dir?to=39.800300,-89.649700")
    assert html.all("div", id="map")[0]["data-tile-url"] == "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    assert "img-src 'self' data: https://*.tile.example.org" in \
        response.headers["Content-Security-Policy"]
