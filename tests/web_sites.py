"""Hand-made sites for the web tests: a few around Springfield, IL, where exact answers
matter, plus one of every status and a site whose name is markup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from locator.sites import Kind, Site, Status
from locator.store import open_store, sqlite_path

XSS_NAME = "<img src=x onerror=alert(1)>"

SITES = (
    Site("lib-springfield", "Lincoln Library", Kind.LIBRARY, 39.8003, -89.6497,
         address="326 S 7th St", city="Springfield", state="IL", zip="62701",
         county_fips="17167", phone="(217) 555-0101", website="https://library.example.org",
         hours="Mon-Thu 9-8, Fri-Sat 9-5", programs=frozenset({"public_computers", "wifi"})),
    Site("ajc-springfield", "Springfield Job Center", Kind.COMPREHENSIVE_CENTER, 39.7817, -89.6443,
         address="1 Example Plaza", city="Springfield", state="IL", zip="62703",
         county_fips="17167", phone="217-555-0102",
         programs=frozenset({"title_i_adult", "title_iii_wagner_peyser"})),
    Site("aff-decatur", "Decatur Affiliate Office", Kind.AFFILIATE_CENTER, 39.8403, -88.9548,
         city="Decatur", state="IL", zip="62523", county_fips="17115",
         programs=frozenset({"title_i_youth"})),
    Site("access-petersburg", "Petersburg Access Point", Kind.ACCESS_SITE, 40.0117, -89.8482,
         city="Petersburg", state="IL", zip="62675", programs=frozenset({"public_computers"})),
    Site("diss-chatham", "Chatham Information Desk", Kind.DISSEMINATION_SITE, 39.6761, -89.7043,
         city="Chatham", state="IL"),
    Site("bm-sangamon", "Sangamon Bookmobile", Kind.BOOKMOBILE, 39.7500, -89.5000, state="IL"),
    Site("mobile-central", "Central Illinois Mobile Center", Kind.MOBILE_CENTER, 39.9000, -89.3000,
         state="IL", temporarily_closed=True),
    Site("lib-seattle", "Far Away Library", Kind.LIBRARY, 47.6062, -122.3321, city="Seattle",
         state="WA"),
    Site("xss", XSS_NAME, Kind.LIBRARY, 39.8200, -89.6200, address=XSS_NAME, city="Springfield",
         state="IL", hours=XSS_NAME, phone=XSS_NAME, website="javascript:alert(1)"),
    Site("pending-1", "Pending Review Library", Kind.LIBRARY, 39.8004, -89.6498,
         status=Status.PENDING),
    Site("retired-1", "Retired Job Center", Kind.COMPREHENSIVE_CENTER, 39.7818, -89.6444,
         status=Status.RETIRED),
)
PUBLIC_SITES = tuple(s for s in SITES if s.status is Status.APPROVED)
HIDDEN_IDS = frozenset(s.id for s in SITES if s.status is not Status.APPROVED)


def make_db(directory: Path, sites: tuple[Site, ...] = SITES) -> str:
    url = f"sqlite:///{directory / 'web.db'}"
    with open_store(url) as store:
        store.upsert_sites(sites)
    return url


def copy_with_sites(database_url: str, directory: Path, sites: tuple[Site, ...]) -> str:
    """A copy of a database with ``sites`` added, for tests that must not touch the original."""
    path = directory / "locator.db"
    source, copy = sqlite3.connect(sqlite_path(database_url)), sqlite3.connect(path)
    with source, copy:
        source.backup(copy)
    source.close()
    copy.close()
    url = f"sqlite:///{path}"
    with open_store(url) as store:
        store.upsert_sites(sites)
    return url
