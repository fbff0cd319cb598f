"""SQLite with the in-process KD-trees and PostgreSQL with PostGIS give the same answers on
the national data: the same sites, in the same order, at the same distances, and the same
coverage report."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest
from conftest import REPO

from locator.sites import Kind, SiteFilter, Status
from locator.spatial import Catalog, Nearby
from locator.store import Store, open_store
from locator.store._postgis import PostgisQueries

pytestmark = pytest.mark.slow
QUERIES = 1000
DISTANCE_TOLERANCE_MI = 1e-6


@pytest.fixture(scope="module")
def stores(national_db_url: str, national_pg_url: str):
    with open_store(national_db_url) as sqlite, open_store(national_pg_url) as postgres:
        yield sqlite, postgres


def _same(expected: list[Nearby], got: list[Nearby]) -> None:
    assert [n.site.id for n in got] == [n.site.id for n in expected]
    for e, g in zip(expected, got, strict=True):
        assert abs(e.distance_mi - g.distance_mi) <= DISTANCE_TOLERANCE_MI


def _random_points(seed: int, n: int) -> list[tuple[float, float]]:
    """Points over the 50 states and beyond (the conterminous US box, Alaska, Hawaii)."""
    rng = random.Random(seed)
    boxes = [((24.5, 49.4), (-125.0, -66.9))] * 8 + [((51.0, 71.0), (-170.0, -130.0)),
                                                    ((18.9, 22.3), (-160.3, -154.8))]
    points = []
    for _ in range(n):
        (lat_lo, lat_hi), (lon_lo, lon_hi) = rng.choice(boxes)
        points.append((rng.uniform(lat_lo, lat_hi), rng.uniform(lon_lo, lon_hi)))
    return points


def test_both_engines_hold_the_same_sites(stores: tuple[Store, Store]) -> None:
    sqlite, postgres = stores
    assert sqlite.sites(statuses=None) == postgres.sites(statuses=None)
    assert sqlite.count_sites() > 10000


def test_nearest_is_the_same_on_both_engines_for_1000_random_queries(
        stores: tuple[Store, Store]) -> None:
    sqlite, postgres = stores
    catalog = Catalog(sqlite.sites(statuses=[Status.APPROVED]))
    in_sql = PostgisQueries(postgres, catalog)
    rng = random.Random(7)
    filters = [SiteFilter(), SiteFilter(kinds=frozenset({Kind.BOOKMOBILE})),
               SiteFilter(kinds=frozenset({Kind.LIBRARY, Kind.BOOKMOBILE}))]
    for lat, lon in _random_points(1, QUERIES):
        k = rng.choice([1, 3, 10, 50])
        site_filter = rng.choice(filters)
        within_mi = rng.choice([None, None, 5.0, 25.0])
        _same(catalog.nearest(lat, lon, k=k, site_filter=site_filter, within_mi=within_mi),
              in_sql.nearest(lat, lon, k=k, site_filter=site_filter, within_mi=within_mi))


def test_radius_and_box_queries_are_the_same_on_both_engines(
        stores: tuple[Store, Store]) -> None:
    sqlite, postgres = stores
    catalog = Catalog(sqlite.sites(statuses=[Status.APPROVED]))
    in_sql = PostgisQueries(postgres, catalog)
    rng = random.Random(11)
    for lat, lon in _random_points(2, 200):
        radius_mi = rng.choice([1.0, 10.0, 40.0])
        _same(catalog.within(lat, lon, radius_mi), in_sql.within(lat, lon, radius_mi))
        half_lat, half_lon = rng.uniform(0.05, 2.0), rng.uniform(0.05, 3.0)
        box = (lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)
        assert [s.id for s in in_sql.in_bbox(*box)] == [s.id for s in catalog.in_bbox(*box)]
    # Across the antimeridian (the Aleutians), as two boxes.
    assert ([s.id for s in in_sql.in_bbox(170.0, 50.0, -160.0, 60.0)]
            == [s.id for s in catalog.in_bbox(170.0, 50.0, -160.0, 60.0)])


def test_illinois_coverage_report_is_identical_json_on_both_engines(
        national_db_url: str, national_pg_url: str) -> None:
    reports = []
    for url in (national_db_url, national_pg_url):
        completed = subprocess.run(
            [sys.executable, "-m", "locator", "coverage", "--state", "IL",
             "--within", "5", "10", "--by", "county", "--format", "json"],
            env={**os.environ, "LOCATOR_DATABASE_URL": url}, cwd=REPO,
            capture_output=True, text=True, check=True)
        reports.append(json.loads(completed.stdout))
    assert reports[0] == reports[1]
    assert len(reports[0]["rows"]) == 102  # Illinois has 102 counties
