"""The SQLite store: schema versions, round trips and all-or-nothing writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from locator.errors import InvalidInput
from locator.sites import CountySource, Kind, Site, Status
from locator.store import Store, head_revision, open_store


def test_new_database_is_at_the_latest_schema(fresh_store: Store) -> None:
    assert fresh_store.schema_revision == head_revision()


def test_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 3")  # the first release knew up to 2
    with pytest.raises(InvalidInput, match="newer than this program"):
        open_store(f"sqlite:///{path}")


def test_reopening_keeps_data_and_applies_no_migration_twice(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with open_store(url) as store:
        store.upsert_sites([Site("a", "A", Kind.LIBRARY, 40.0, -90.0)])
    with open_store(url) as store:
        assert [s.id for s in store.sites()] == ["a"]


def test_site_round_trips_every_field(fresh_store: Store) -> None:
    site = Site(
        id="x1", name="Example Center", kind=Kind.ACCESS_SITE, lat=41.5, lon=-88.1,
        organization="Example Org", address="1 Main St", city="Exampleville", state="IL",
        zip="60000", county_fips="17197", county_source=CountySource.POINT_IN_POLYGON,
        phone="555-0100", website="https://example.org", hours="Mon-Fri 9-5",
        programs=frozenset({"wifi", "resume_help"}), status=Status.PENDING,
        temporarily_closed=True, source="sites_csv", source_id="1", vintage="2026",
        last_verified="2026-11-01",
    )
    fresh_store.upsert_sites([site])
    assert fresh_store.site("x1") == site
    assert fresh_store.sites(statuses=[Status.APPROVED]) == []


def test_failed_transaction_leaves_database_unchanged(fresh_store: Store) -> None:
    fresh_store.upsert_sites([Site("keep", "Keep", Kind.LIBRARY, 40.0, -90.0)])
    with pytest.raises(RuntimeError), fresh_store.transaction():
        fresh_store.upsert_sites([Site("lost", "Lost", Kind.LIBRARY, 41.0, -90.0)])
        raise RuntimeError("simulated failure part-way through an import")
    assert [s.id for s in fresh_store.sites()] == ["keep"]


def test_only_sqlite_urls_are_accepted(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="sqlite:///"):
        open_store(f"mysql://{tmp_path}/x")
