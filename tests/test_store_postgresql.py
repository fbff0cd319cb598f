"""What is particular to PostgreSQL: the PostGIS column and indexes, the message when the
database user may not create PostGIS, backups through pg_dump/pg_restore, and an import
killed half-way on the national data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _postgres import Cluster
from conftest import dump_tables, national_sources
from web_sites import SITES

from locator.cli import main as cli_main
from locator.errors import InvalidInput
from locator.importer import import_sources
from locator.sites import Kind, Site, Status
from locator.spatial import Catalog
from locator.store import open_store

# The national import writes tens of megabytes in one transaction: by this much of it the
# write is well under way and far from its commit.
KILL_AFTER_BYTES = 3_000_000


def _fill(url: str) -> None:
    with open_store(url) as store:
        store.upsert_sites(SITES)


def test_sites_carry_an_indexed_geography_kept_from_lat_lon(postgres: Cluster,
                                                             postgres_url: str) -> None:
    _fill(postgres_url)
    database = postgres_url.rsplit("/", 1)[1]
    with open_store(postgres_url) as store:
        store.upsert_sites([SITES[0].replace(lat=41.0, lon=-88.0)])
    point = postgres.psql(f"SELECT ST_AsText(geog), ST_SRID(geog::geometry) FROM sites "
                          f"WHERE id = '{SITES[0].id}'", database=database).strip()
    assert point == "POINT(-88 41)|4326"
    indexes = postgres.psql("SELECT indexdef FROM pg_indexes WHERE tablename = 'sites'",
                            database=database)
    assert "USING gist (geog)" in indexes


def test_a_user_who_may_not_create_postgis_is_told_the_administrators_command(
        postgres: Cluster) -> None:
    postgres.create_role("locator_app")
    database = postgres.create_database(owner="locator_app", postgis=False)
    url = postgres.url(database, user="locator_app")
    with pytest.raises(InvalidInput) as raised:
        open_store(url)
    assert str(raised.value) == (
        f"the database user 'locator_app' may not create the postgis extension in database "
        f"'{database}'; an administrator must run once: "
        f"psql -d {database} -c 'CREATE EXTENSION postgis;'")
    # Once the administrator has run it, the same user opens and migrates the database.
    postgres.psql("CREATE EXTENSION postgis", database=database)
    with open_store(url) as store:
        store.upsert_sites(SITES[:2])
        assert store.count_sites() == 2


def test_backup_and_restore_commands_round_trip_through_pg_dump(
        tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _fill(postgres_url)
    saved = dump_tables(postgres_url)
    monkeypatch.setenv("LOCATOR_DATABASE_URL", postgres_url)
    target = tmp_path / "backups" / "locator.dump"
    assert cli_main(["data", "backup", str(target)]) == 0
    assert target.stat().st_size > 0
    capsys.readouterr()
    with open_store(postgres_url) as store:
        store.upsert_sites([Site("later", "Added Later", Kind.LIBRARY, 40.0, -89.0)])
        store.set_status(["lib-springfield"], Status.RETIRED)
        before = store.data_version()
    assert cli_main(["data", "restore", str(target)]) == 0
    assert f"restored from {target}: {len(SITES)} sites" in capsys.readouterr().out
    restored = dump_tables(postgres_url)
    assert [t for t in restored if t[0] not in {"changes", "data_version"}] == \
        [t for t in saved if t[0] not in {"changes", "data_version"}]
    with open_store(postgres_url) as store:
        assert store.data_version() > before  # every process reloads after a restore
        assert store.changes_since(before).everything


def test_restore_refuses_a_missing_file(postgres_url: str, tmp_path: Path) -> None:
    _fill(postgres_url)
    with open_store(postgres_url) as store, pytest.raises(InvalidInput, match="no backup"):
        store.restore(tmp_path / "missing.dump")


@pytest.mark.slow
def test_import_killed_half_way_leaves_postgresql_as_it_was(
        postgres: Cluster, postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    _fill(postgres_url)
    before = dump_tables(postgres_url)
    database = postgres_url.rsplit("/", 1)[1]
    sources = national_sources(tmp_path_factory)
    importer = subprocess.Popen(
        [sys.executable, "-m", "locator", "data", "import", "--sources", str(sources)],
        env={**os.environ, "LOCATOR_DATABASE_URL": postgres_url},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    start_bytes = _database_bytes(postgres, database)
    grown = 0
    deadline = time.monotonic() + 180
    while importer.poll() is None and time.monotonic() < deadline:
        # Rows of an open transaction are in the table files already (never visible to
        # other transactions), so the database's size shows the write under way.
        grown = _database_bytes(postgres, database) - start_bytes
        if grown > KILL_AFTER_BYTES:
            importer.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    errors = importer.communicate(timeout=30)[1]
    assert importer.returncode == -signal.SIGKILL, errors
    assert grown > KILL_AFTER_BYTES  # killed with the write well under way
    _wait_for_backends_to_end(postgres, database)
    assert dump_tables(postgres_url) == before
    with open_store(postgres_url) as store:
        report = import_sources(store, sources)
        libraries = next(r for r in report.results if r.source == "imls_pls")
        assert libraries.added > 17_000
        assert store.count_sites() == len(SITES) + libraries.added


def _database_bytes(postgres: Cluster, database: str) -> int:
    return int(postgres.psql(f"SELECT pg_database_size('{database}')"))


def _wait_for_backends_to_end(postgres: Cluster, database: str) -> None:
    """The killed importer's server process rolls back when it sees its client gone."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        others = int(postgres.psql(
            f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' "
            "AND pid <> pg_backend_pid()"))
        if others == 0:
            return
        time.sleep(0.1)
    raise AssertionError("the killed importer's server process is still running")


def test_each_query_goes_to_the_engine_the_benchmark_found_faster(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from locator.store import _postgresql
    from locator.store._postgis import PostgisQueries

    _fill(postgres_url)
    with open_store(postgres_url) as store:
        catalog = Catalog(store.sites(statuses=[Status.APPROVED]))
        assert store.spatial(catalog) is catalog  # today's measurement: KD-trees win all
        monkeypatch.setattr(_postgresql, "FASTER_IN_SQL", frozenset({"nearest"}))
        routed = store.spatial(catalog)
        assert isinstance(routed.nearest.__self__, PostgisQueries)
        assert routed.within.__self__ is catalog and routed.in_bbox.__self__ is catalog
        got, expected = routed.nearest(39.8, -89.65, k=3), catalog.nearest(39.8, -89.65, k=3)
        assert [n.site for n in got] == [n.site for n in expected]
        assert [n.distance_mi for n in got] == pytest.approx(
            [n.distance_mi for n in expected], abs=1e-6)


def test_postgis_queries_find_a_place_under_each_of_its_roles(postgres_url: str) -> None:
    from locator.sites import SiteFilter
    from locator.store._postgis import PostgisQueries

    library = next(s for s in SITES if s.kind is Kind.LIBRARY and s.status is Status.APPROVED)
    _fill(postgres_url)
    with open_store(postgres_url) as store:
        store.upsert_sites([library.replace(roles=frozenset({Kind.ACCESS_SITE}))])
        catalog = Catalog(store.sites(statuses=[Status.APPROVED]))
        in_sql = PostgisQueries(store, catalog)
        access = SiteFilter(kinds=frozenset({Kind.ACCESS_SITE}))
        got = in_sql.nearest(library.lat, library.lon, k=3, site_filter=access)
        expected = catalog.nearest(library.lat, library.lon, k=3, site_filter=access)
        assert library.id in [n.site.id for n in got]
        assert [n.site.id for n in got] == [n.site.id for n in expected]
        box = (library.lon - 0.1, library.lat - 0.1, library.lon + 0.1, library.lat + 0.1)
        assert ([s.id for s in in_sql.in_bbox(*box, site_filter=access)]
                == [s.id for s in catalog.in_bbox(*box, site_filter=access)])
