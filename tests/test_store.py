"""The store: schema versions, round trips, all-or-nothing writes, connections that stay
with their thread, upserts in place and the change log."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from locator.errors import InvalidInput
from locator.sites import CountySource, Kind, Site, SiteFilter, Status
from locator.spatial import Catalog
from locator.store import Database, Store, head_revision, open_store
from locator.store.sql import _site_reader, _site_row


def test_new_database_is_at_the_latest_schema(fresh_store: Store) -> None:
    assert fresh_store.schema_revision == head_revision()
    assert fresh_store.engine_name == fresh_store.url.split(":")[0].split("+")[0]


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
    # Every field comes back as written, with the zone the store derived from the point.
    assert fresh_store.site("x1") == site.replace(timezone="America/Chicago")
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


def test_nested_transaction_is_a_savepoint_rolled_back_alone(fresh_store: Store) -> None:
    with fresh_store.transaction():
        fresh_store.upsert_sites([Site("outer", "Outer", Kind.LIBRARY, 40.0, -90.0)])
        with pytest.raises(RuntimeError), fresh_store.transaction():
            fresh_store.upsert_sites([Site("inner", "Inner", Kind.LIBRARY, 41.0, -90.0)])
            raise RuntimeError("the inner step fails")
        fresh_store.upsert_sites([Site("after", "After", Kind.LIBRARY, 42.0, -90.0)])
    assert [s.id for s in fresh_store.sites()] == ["after", "outer"]
    assert {c.site_id for c in fresh_store.history()} == {"after", "outer"}


def test_a_store_refuses_use_from_another_thread(fresh_store: Store) -> None:
    errors: list[BaseException] = []

    def use() -> None:
        try:
            fresh_store.count_sites()
        except RuntimeError as error:
            errors.append(error)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join()
    assert len(errors) == 1 and "belongs to the thread" in str(errors[0])


def test_another_connection_sees_nothing_until_commit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    database = Database(url)
    writer, reader = database.connect(), database.connect()
    try:
        with writer.transaction():
            writer.upsert_sites([Site("a", "A", Kind.LIBRARY, 40.0, -90.0)])
            assert reader.count_sites() == 0
            assert reader.data_version() == 0
        assert reader.count_sites() == 1
        assert reader.data_version() == 1
    finally:
        writer.close()
        reader.close()
        database.dispose()


def test_upsert_updates_in_place_so_rows_tied_to_a_site_survive(tmp_path: Path) -> None:
    site = Site("lib-1", "Example Library", Kind.LIBRARY, 40.0, -90.0, phone="555-0100")
    path = tmp_path / "db.sqlite"
    store = open_store(f"sqlite:///{path}")
    store.upsert_sites([site])
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("CREATE TABLE site_notes (site_id TEXT NOT NULL REFERENCES sites (id) "
                     "ON DELETE CASCADE, note TEXT NOT NULL)")
        conn.execute("INSERT INTO site_notes VALUES ('lib-1', 'a reviewer''s note')")
    store.upsert_sites([site.replace(phone="555-0199")])
    assert store.site("lib-1").phone == "555-0199"
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        assert conn.execute("SELECT count(*) FROM site_notes").fetchone()[0] == 1
        # The reference: the replace the first release did deletes the row, and the note.
        conn.execute("INSERT OR REPLACE INTO sites SELECT * FROM sites WHERE id = 'lib-1'")
        assert conn.execute("SELECT count(*) FROM site_notes").fetchone()[0] == 0


def test_every_committed_change_bumps_the_version_once_and_names_its_sites(
        fresh_store: Store) -> None:
    assert fresh_store.data_version() == 0
    with fresh_store.transaction():
        fresh_store.upsert_sites([Site("a", "A", Kind.LIBRARY, 40.0, -90.0),
                                  Site("b", "B", Kind.LIBRARY, 41.0, -90.0)])
        fresh_store.set_status(["b"], Status.PENDING)
    assert fresh_store.data_version() == 1
    fresh_store.upsert_sites([Site("a", "A", Kind.LIBRARY, 40.0, -90.0)])  # no change
    fresh_store.set_status(["a"], Status.APPROVED)  # already approved: no change
    assert fresh_store.data_version() == 1
    fresh_store.set_status(["a"], Status.RETIRED, actor="reviewer@example.org")
    changes = fresh_store.changes_since(1)
    assert (changes.version, changes.site_ids, changes.population_changed) == \
        (2, frozenset({"a"}), False)
    assert fresh_store.changes_since(0).site_ids == {"a", "b"}
    fresh_store.replace_population("tract", [("t1", "17001", 10, 40.0, -90.0)], "2020")
    assert fresh_store.changes_since(2).population_changed


def test_a_rolled_back_change_leaves_version_and_log_alone(fresh_store: Store) -> None:
    with pytest.raises(RuntimeError), fresh_store.transaction():
        fresh_store.upsert_sites([Site("a", "A", Kind.LIBRARY, 40.0, -90.0)])
        raise RuntimeError("simulated failure")
    assert fresh_store.data_version() == 0
    assert fresh_store.history() == []


def test_change_log_records_who_changed_which_field_from_what_to_what(
        fresh_store: Store) -> None:
    site = Site("a", "Example Library", Kind.LIBRARY, 40.0, -90.0, programs=frozenset({"wifi"}))
    fresh_store.upsert_sites([site], actor="import")
    fresh_store.upsert_sites([site.replace(hours="Mon 9-5", programs=frozenset())],
                             actor="editor@example.org")
    fresh_store.set_status(["a"], Status.RETIRED, actor="reviewer@example.org")
    log = fresh_store.history("a")
    assert [(c.version, c.actor, c.action) for c in log] == [
        (1, "import", "add"), (2, "editor@example.org", "update"),
        (3, "reviewer@example.org", "status")]
    assert log[1].fields == {"hours": ["", "Mon 9-5"], "programs": [["wifi"], []]}
    assert log[2].fields == {"status": ["approved", "retired"]}


def test_rows_map_to_sites_by_column_name() -> None:
    site = Site("x", "X", Kind.ACCESS_SITE, 41.0, -88.0, county_source=CountySource.SOURCE,
                status=Status.PENDING, temporarily_closed=True, programs=frozenset({"wifi"}),
                roles=frozenset({Kind.DISSEMINATION_SITE}),
                partnership_types=frozenset({"signed_mou"}), contact="Ana")
    row = {**_site_row(site), "updated_at": "2026-01-01"}
    names = tuple(reversed(row))  # the columns in another order than the record's fields
    to_site = _site_reader(names)
    assert to_site(tuple(row[n] for n in names), frozenset({"wifi"}),
                   frozenset({Kind.DISSEMINATION_SITE}), frozenset({"signed_mou"})) == site


def test_a_site_keeps_its_extra_roles_and_each_kind_finds_it(fresh_store: Store) -> None:
    library = Site("lib", "Lib", Kind.LIBRARY, 40.0, -89.0)
    fresh_store.upsert_sites([library])
    fresh_store.upsert_sites([library.replace(roles=frozenset({Kind.ACCESS_SITE}))],
                             actor="reviewer@x.example")
    stored = fresh_store.site("lib")
    assert stored is not None and stored.roles == {Kind.ACCESS_SITE}
    assert fresh_store.history("lib")[-1].fields == {"roles": [[], ["access_site"]]}
    catalog = Catalog(fresh_store.sites())
    for kind in (Kind.LIBRARY, Kind.ACCESS_SITE):
        found = catalog.nearest(40.0, -89.0, k=5,
                                site_filter=SiteFilter(kinds=frozenset({kind})))
        assert [n.site.id for n in found] == ["lib"]
    assert catalog.nearest(40.0, -89.0, k=5, site_filter=SiteFilter(
        kinds=frozenset({Kind.DISSEMINATION_SITE}))) == []
