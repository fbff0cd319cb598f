"""Shared fixtures, named after the state they set up.

Real public data is read from ``../shared/data`` beside the checkout. Under ``CI=true`` a
missing folder is a failure, not a skip: CI must prove the real-data tests pass. The same
holds for PostgreSQL with PostGIS: the ``postgres`` fixture starts a throwaway cluster
(see ``tests/_postgres.py``), and ``database_url`` runs a test once per engine.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from _postgres import Cluster, PostgresMissing, start_cluster

from locator.store import Store, open_store, schema

# The app asks the database whether anything changed at most twice a second per worker.
# Tests that write behind the app's back (another store, another process) and look at once
# need it to ask every request; the tests of the interval itself set their own.
os.environ.setdefault("LOCATOR_DATA_CHECK_INTERVAL_S", "0")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() == "true"
ENGINES = ("sqlite", "postgresql")


def require_shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        message = f"real public data not found at {SHARED_DATA}"
        if IN_CI:
            pytest.fail(message + " (required under CI=true)")
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require_shared_data()


@pytest.fixture(scope="session")
def national_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding every FY2021 PLS outlet and both Census 2020 population files,
    imported once per session through the real importer (from the official zip)."""
    from locator.importer import import_sources

    url = f"sqlite:///{tmp_path_factory.mktemp('national_db') / 'locator.db'}"
    with open_store(url) as store:
        import_sources(store, national_sources(tmp_path_factory))
    return url


@pytest.fixture(scope="session")
def national_pg_url(tmp_path_factory: pytest.TempPathFactory, postgres: Cluster) -> str:
    """The same national data imported into PostgreSQL with PostGIS, once per session."""
    from locator.importer import import_sources

    url = postgres.url(postgres.create_database())
    with open_store(url) as store:
        import_sources(store, national_sources(tmp_path_factory))
    return url


def national_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared = require_shared_data()
    sources = tmp_path_factory.mktemp("national_sources")
    for name in ("pls_fy2021_csv.zip", "CenPop2020_Mean_TR.txt", "CenPop2020_Mean_CO.txt"):
        (sources / name).symlink_to(shared / name)
    return sources


@pytest.fixture
def fresh_store(database_url: str) -> Store:
    """An empty store on each engine in turn."""
    with open_store(database_url) as store:
        yield store


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A PostgreSQL cluster with PostGIS on a free port of 127.0.0.1, for the whole session."""
    try:
        cluster = start_cluster()
    except PostgresMissing as error:
        if IN_CI:
            pytest.fail(f"{error} (required under CI=true)")
        pytest.skip(str(error))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres: Cluster) -> Iterator[str]:
    """A new empty PostGIS database of its own for one test."""
    name = postgres.create_database()
    yield postgres.url(name)
    postgres.drop_database(name)


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each engine in turn: the test runs once per engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'locator.db'}"
    return str(request.getfixturevalue("postgres_url"))


def dump_tables(url: str) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Every row of every table, in key order, on either engine: two equal dumps are two
    identical databases. Read through a connection of its own; PostgreSQL's geography
    column is generated from lat/lon, so the store's own table definitions cover it all."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return [(name, [tuple(row) for row in conn.execute(
                sa.select(table).order_by(*table.primary_key.columns or table.columns))])
                for name, table in sorted(schema.metadata.tables.items())]
    finally:
        engine.dispose()


def legacy_database(path: Path) -> Path:
    """A database as the first release's store made it, built at ``path`` by
    ``tests/fixtures/make_legacy_db.py`` (built here rather than committed: no database
    file is kept in the repository)."""
    spec = importlib.util.spec_from_file_location(
        "make_legacy_db", Path(__file__).parent / "fixtures" / "make_legacy_db.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(path)
    return path
