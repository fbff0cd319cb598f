"""Each site's IANA zone is stored with it: derived from its point when the store writes the
site, rewritten when the point moves, filled by the migration for sites stored before, and
the zone hours are evaluated in. On both engines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from conftest import legacy_database

from locator import timezones
from locator.open_at import Moment
from locator.places import Place, Precision
from locator.search import find_nearest
from locator.sites import Kind, Site
from locator.spatial import Catalog
from locator.store import Store, open_store, schema
from locator.store import migrate as store_migrate

# (id, lat, lon, zone): both sides of the Indiana, Central/Eastern and Arizona lines.
SPLITS = [
    ("phoenix", 33.4484, -112.0740, "America/Phoenix"),
    ("window-rock", 35.6803, -109.0526, "America/Denver"),
    ("gary", 41.5934, -87.3464, "America/Chicago"),
    ("indianapolis", 39.7684, -86.1581, "America/Indiana/Indianapolis"),
    ("evansville", 37.9716, -87.5711, "America/Chicago"),
    ("vincennes", 38.6773, -87.5286, "America/Indiana/Vincennes"),
    ("nashville", 36.1627, -86.7816, "America/Chicago"),
    ("knoxville", 35.9606, -83.9207, "America/New_York"),
    ("pensacola", 30.4213, -87.2169, "America/Chicago"),
    ("tallahassee", 30.4383, -84.2807, "America/New_York"),
]
WEEKDAYS = "Mo-Fr 08:00-17:00"


def site(site_id: str, lat: float, lon: float, hours: str = WEEKDAYS) -> Site:
    return Site(site_id, site_id.title(), Kind.LIBRARY, lat, lon, hours=hours)


def test_the_store_keeps_each_sites_zone_across_the_splits(fresh_store: Store) -> None:
    fresh_store.upsert_sites(site(i, lat, lon) for i, lat, lon, _ in SPLITS)
    stored = {s.id: s.timezone for s in fresh_store.sites()}
    assert stored == {i: zone for i, _, _, zone in SPLITS}


def test_a_site_moved_across_a_line_takes_the_zone_of_its_new_point(
        fresh_store: Store) -> None:
    fresh_store.upsert_sites([site("moving", 41.5934, -87.3464)])  # Gary, Central
    moved = fresh_store.site("moving")
    assert moved is not None and moved.timezone == "America/Chicago"
    fresh_store.upsert_sites([moved.replace(lat=39.7684, lon=-86.1581)])  # Indianapolis
    after = fresh_store.site("moving")
    assert after is not None and after.timezone == "America/Indiana/Indianapolis"
    change = fresh_store.history("moving")[-1]
    assert change.fields["timezone"] == ["America/Chicago", "America/Indiana/Indianapolis"]


def test_a_zone_given_with_a_site_does_not_outlive_its_point(fresh_store: Store) -> None:
    fresh_store.upsert_sites([site("phoenix", 33.4484, -112.0740)
                              .replace(timezone="America/New_York")])
    stored = fresh_store.site("phoenix")
    assert stored is not None and stored.timezone == "America/Phoenix"


def test_hours_are_evaluated_in_the_stored_zone_without_looking_it_up(
        fresh_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh_store.upsert_sites(site(i, lat, lon) for i, lat, lon, _ in SPLITS)
    catalog = Catalog(fresh_store.sites())

    def no_lookup(lat: float, lon: float) -> str:
        raise AssertionError("the zone was looked up instead of read from the site")

    monkeypatch.setattr(timezones, "zone_name_at", no_lookup)
    eastern = {"indianapolis", "vincennes", "knoxville", "tallahassee"}
    # A July Tuesday. 14:30 UTC is 07:30 in Phoenix (no DST), 08:30 Mountain daylight time,
    # 09:30 Central, 10:30 Eastern; 21:30 UTC is 14:30, 15:30, 16:30 and 17:30.
    assert closed_at(catalog, datetime(2027, 7, 13, 14, 30, tzinfo=UTC)) == {"phoenix"}
    assert closed_at(catalog, datetime(2027, 7, 13, 21, 30, tzinfo=UTC)) == eastern
    # In January Phoenix and Denver agree (UTC-7): 14:30 UTC is 07:30 in both.
    assert closed_at(catalog, datetime(2027, 1, 12, 14, 30, tzinfo=UTC)) == {
        "phoenix", "window-rock"}


def closed_at(catalog: Catalog, instant: datetime) -> set[str]:
    answer = find_nearest(catalog, Place("here", 36.0, -90.0, Precision.POINT), k=20,
                          moment=Moment(instant=instant))
    assert answer.openings is not None and len(answer.results) == len(SPLITS)
    return {n.site.id for n, opening in zip(answer.results, answer.openings, strict=True)
            if opening.open is False}


def test_an_upgraded_database_gets_every_sites_zone(database_url: str) -> None:
    _database_at("0008_visits", database_url)
    _insert_sites_as_0008_did(database_url)
    with open_store(database_url) as store:
        assert store.schema_revision == store_migrate.head_revision()
        assert {s.id: s.timezone for s in store.sites()} == \
            {i: zone for i, _, _, zone in SPLITS}


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def _database_at(revision: str, url: str) -> None:
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(store_migrate._config(conn), revision)
    finally:
        engine.dispose()


def _insert_sites_as_0008_did(url: str) -> None:
    """Rows with every column the sites table had at 0008 (no zone)."""
    columns = [c for c in schema.sites.c if c.name != "timezone"]
    table = sa.table("sites", *(sa.column(c.name, c.type) for c in columns))
    text = dict.fromkeys(("organization", "address", "city", "state", "zip", "county_fips",
                          "county_source", "phone", "website", "source", "source_id",
                          "vintage", "last_verified"), "")
    rows = [{**text, "id": i, "name": i, "kind": "library", "lat": lat, "lon": lon,
             "hours": WEEKDAYS, "status": "approved", "temporarily_closed": 0,
             "updated_at": "2026-01-01T00:00:00+00:00"} for i, lat, lon, _ in SPLITS]
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(table), rows)
    finally:
        engine.dispose()


def test_the_first_release_database_upgraded_gets_its_zones(tmp_path: Path) -> None:
    url = f"sqlite:///{legacy_database(tmp_path / 'legacy.db')}"
    with open_store(url) as store:
        stored = store.sites()
    assert stored
    assert {s.id: s.timezone for s in stored} == {
        s.id: timezones.zone_name_at(s.lat, s.lon) for s in stored}
    assert all(s.timezone for s in stored)
