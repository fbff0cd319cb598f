"""The throwaway PostgreSQL cluster the engine tests use: it starts unprivileged, has
PostGIS, and hands each test a database of its own."""

from __future__ import annotations

import pytest
from _postgres import Cluster


def test_cluster_listens_on_loopback_with_postgis(postgres: Cluster, postgres_url: str) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    assert postgres.psql("SHOW listen_addresses").strip() == "127.0.0.1"
    version = postgres.psql("SELECT postgis_lib_version()", database=database).strip()
    assert version.split(".")[0] == "3"
    # Great-circle distance through PostGIS: Chicago to Springfield, IL, about 179 miles.
    metres = postgres.psql("SELECT ST_Distance('SRID=4326;POINT(-87.6298 41.8781)'::geography,"
                           " 'SRID=4326;POINT(-89.6501 39.7817)'::geography)",
                           database=database)
    assert 178 < float(metres) / 1609.344 < 181


def test_server_runs_as_an_unprivileged_user(postgres: Cluster) -> None:
    pid = int((postgres.data_dir / "postmaster.pid").read_text().split()[0])
    with open(f"/proc/{pid}/status") as status:
        uid = next(int(line.split()[1]) for line in status if line.startswith("Uid:"))
    assert uid != 0


def test_each_test_gets_an_empty_database(postgres: Cluster, postgres_url: str) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    tables = postgres.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                           "AND tablename <> 'spatial_ref_sys'", database=database)
    assert int(tables) == 0


def test_database_url_runs_the_test_once_per_engine(request: pytest.FixtureRequest,
                                                   database_url: str) -> None:
    engine = request.node.callspec.params["database_url"]
    assert database_url.startswith({"sqlite": "sqlite:///", "postgresql": "postgresql://"}[engine])
