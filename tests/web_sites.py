"""Hand-made sites for the web tests: a few around Springfield, IL, where exact answers
matter, plus one of every status and a site whose name is markup."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from locator.events import Event, EventKind, at_site_zone
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
# "Now" for the web tests that show upcoming events: Sunday 10 January 2027, 6 AM in Illinois.
EVENTS_NOW_UTC = datetime(2027, 1, 10, 12, tzinfo=UTC)


def _event(event_id: str, site_id: str, title: str, kind: EventKind, start: str, end: str,
           zone: str = "America/Chicago", **extra: object) -> Event:
    return Event(event_id, site_id, title, kind,
                 at_site_zone(datetime.fromisoformat(start), zone),
                 at_site_zone(datetime.fromisoformat(end), zone), zone, **extra)


EVENTS = (
    _event("ev-workshop", "lib-springfield", "Résumé workshop", EventKind.WORKSHOP,
           "2027-01-12T10:00", "2027-01-12T12:00", description="Bring a draft.",
           registration_url="https://library.example.org/register", phone="(217) 555-0101",
           capacity=20, languages=("en", "es")),
    _event("ev-fair", "ajc-springfield", "Winter job fair", EventKind.JOB_FAIR,
           "2027-01-20T09:00", "2027-01-20T15:00"),
    _event("ev-past", "ajc-springfield", "Last week's training", EventKind.TRAINING,
           "2027-01-04T09:00", "2027-01-04T11:00"),
    _event("ev-spring", "ajc-springfield", "Spring hiring event", EventKind.HIRING_EVENT,
           "2027-03-16T09:00", "2027-03-16T12:00"),
    _event("ev-seattle", "lib-seattle", "Seattle computer class", EventKind.TRAINING,
           "2027-01-12T10:00", "2027-01-12T11:00", zone="America/Los_Angeles"),
    _event("ev-hidden", "pending-1", "Pending site's class", EventKind.OTHER,
           "2027-01-13T10:00", "2027-01-13T11:00"),
    _event("ev-xss", "xss", XSS_NAME, EventKind.OTHER, "2027-01-14T10:00",
           "2027-01-14T11:00", description=XSS_NAME),
)

PUBLIC_SITES = tuple(s for s in SITES if s.status is Status.APPROVED)
HIDDEN_IDS = frozenset(s.id for s in SITES if s.status is not Status.APPROVED)


def make_db(directory: Path, sites: tuple[Site, ...] = SITES) -> str:
    url = f"sqlite:///{directory / 'web.db'}"
    with open_store(url) as store:
        store.upsert_sites(sites)
    return url


# A mobile workforce center stop with a weekly visit, near Springfield.
MOBILE_STOP = Site("stop-rochester", "Rochester Library lot", Kind.MOBILE_CENTER, 39.7495,
                   -89.5318, organization="Central Illinois Mobile Center", state="IL",
                   hours="Tu 10:00-14:00")


def make_db_with_events(directory: Path) -> str:
    """``make_db`` with ``EVENTS`` and ``MOBILE_STOP`` stored too."""
    url = make_db(directory, (*SITES, MOBILE_STOP))
    with open_store(url) as store:
        store.upsert_events(EVENTS)
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
