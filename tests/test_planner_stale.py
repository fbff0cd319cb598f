"""Stale sites in the planner: sites last verified longer ago than the stale setting
(``STALE_AFTER_DAYS``, a year by default), or never, are counted in the summary of the page
and the report, listed on the page, and marked in the sites API the map draws from — the
same sites a brute-force check of each site's date picks."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from html_page import Elements
from planner_data import make_coverage_db
from test_web_i18n import english_phrases, reader_text

from locator import listings
from locator.store import open_store
from web import create_app

TODAY = date.fromisoformat(listings.today_iso())
VERIFIED = {  # site id -> days since a person last confirmed it
    "lib-springfield": 0,
    "ajc-springfield": 100,
    "aff-decatur": 400,
}


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = make_coverage_db(tmp_path)
    with open_store(url) as store:
        store.upsert_sites([
            store.site(site_id).replace(
                last_verified=(TODAY - timedelta(days=days)).isoformat())
            for site_id, days in VERIFIED.items()])
    return url


def client(url: str, **config: object):
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "test", **config}).test_client()


def expected_stale(features: list[dict], after_days: int) -> set[str]:
    """Brute force: never verified, or verified before the cutoff date."""
    cutoff = TODAY - timedelta(days=after_days)
    return {f["properties"]["id"] for f in features
            if not f["properties"]["last_verified"]
            or date.fromisoformat(f["properties"]["last_verified"]) < cutoff}


@pytest.mark.parametrize("after_days", [None, 30, 1000])
def test_the_sites_api_marks_the_sites_older_than_the_stale_setting(
        db_url: str, after_days: int | None) -> None:
    config = {} if after_days is None else {"STALE_AFTER_DAYS": after_days}
    answer = client(db_url, **config).get("/api/coverage/sites?state=IL").get_json()
    days = after_days or listings.STALE_AFTER_DAYS
    features = answer["features"]
    stale = {f["properties"]["id"] for f in features if f["properties"]["stale"]}
    assert answer["stale_after_days"] == days
    assert stale == expected_stale(features, days)
    assert answer["stale_sites"] == len(stale)
    assert "lib-springfield" not in stale
    assert ("ajc-springfield" in stale) is (days < 100)
    assert ("aff-decatur" in stale) is (days < 400)
    library = next(f for f in features if f["id"] == "lib-springfield")
    assert library["properties"]["last_verified"] == TODAY.isoformat()


def test_the_planner_page_and_report_count_and_list_the_stale_sites(db_url: str) -> None:
    web = client(db_url)
    features = web.get("/api/coverage/sites?state=IL").get_json()["features"]
    stale = expected_stale(features, listings.STALE_AFTER_DAYS)
    assert stale and len(stale) < len(features)
    page = Elements(web.get("/planner?state=IL").get_data(as_text=True))
    counted = page.all("li", **{"class": "stale-count"})
    assert [int(a["data-stale"]) for a in counted] == [len(stale)]
    listed = {a["data-site"] for a in page.all("li") if "data-site" in a}
    assert listed == stale
    assert page.all("input", id="stale-only")
    report = Elements(web.get("/planner/report?state=IL").get_data(as_text=True))
    assert [int(a["data-stale"]) for a in report.all("li", **{"class": "stale-count"})] == \
        [len(stale)]
    assert f"{len(stale)} of these sites were last verified more than 365 days ago" in \
        report.plain_text


def test_the_stale_sites_are_shown_in_spanish(db_url: str) -> None:
    answer = client(db_url).get("/planner?state=IL", headers={"Accept-Language": "es"})
    text = reader_text(answer.get_data(as_text=True))
    assert "Sitios sin verificar desde hace mucho tiempo" in text
    assert "se verificaron por última vez hace más de 365 días" in text
    phrases = english_phrases()
    assert [p for p in phrases if p in text] == []
