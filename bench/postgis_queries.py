"""Benchmark: nearest, radius and box queries in PostGIS SQL beside the in-process KD-trees,
on the same national data, and the import time of each engine.

Run: .venv/bin/python bench/postgis_queries.py [--queries 500] [--data DIR] [--pg-url URL]

Imports every FY2021 library outlet and the Census 2020 tract and county centers of
population into a temporary SQLite database and into PostgreSQL (a throwaway cluster like
the tests', unless ``--pg-url`` names an empty PostGIS database), then times, in
alternating blocks, each query both ways: ``Catalog`` (KD-trees, what SQLite uses) and
``PostgisQueries`` (GiST indexes). Query points are tract centers drawn with a fixed seed.
Every answer is checked equal both ways. Reports medians in microseconds, the ratio, and
which engine ``locator.store._postgresql.FASTER_IN_SQL`` should pick per query.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from _public_data import add_data_option, require_data

from locator.importer import import_sources
from locator.sites import Status
from locator.spatial import Catalog
from locator.store import open_store
from locator.store._postgis import PostgisQueries
from locator.store._postgresql import FASTER_IN_SQL

# The throwaway cluster of the tests (tests/_postgres.py): one way to start PostgreSQL.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _postgres import start_cluster

BLOCK = 50
NATIONAL_FILES = ("pls_fy2021_csv.zip", "CenPop2020_Mean_TR.txt", "CenPop2020_Mean_CO.txt")


@contextmanager
def postgres_url(given: str | None) -> Iterator[str]:
    if given:
        yield given
        return
    cluster = start_cluster()
    try:
        yield cluster.url(cluster.create_database())
    finally:
        cluster.stop()


def timed_import(url: str, sources: Path) -> float:
    start = time.perf_counter()
    with open_store(url) as store:
        import_sources(store, sources)
    return time.perf_counter() - start


def median_us(calls: list[Callable[[], object]]) -> float:
    samples = []
    for call in calls:
        start = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--pg-url", help="an empty PostGIS database (default: a throwaway "
                        "cluster)")
    add_data_option(parser)
    args = parser.parse_args()
    require_data(args.data)
    with tempfile.TemporaryDirectory() as work, postgres_url(args.pg_url) as pg_url:
        sources = Path(work) / "sources"
        sources.mkdir()
        for name in NATIONAL_FILES:
            (sources / name).symlink_to(args.data.resolve() / name)
        sqlite_url = f"sqlite:///{Path(work) / 'bench.db'}"
        print(f"import, SQLite:     {timed_import(sqlite_url, sources):7.1f} s")
        print(f"import, PostgreSQL: {timed_import(pg_url, sources):7.1f} s")
        with open_store(sqlite_url) as sqlite, open_store(pg_url) as postgres:
            run(sqlite, postgres, args.queries)
    return 0


def run(sqlite, postgres, n: int) -> None:  # type: ignore[no-untyped-def]
    catalog = Catalog(sqlite.sites(statuses=[Status.APPROVED]))
    in_sql = PostgisQueries(postgres, catalog)
    tracts = sqlite.population("tract")
    rng = random.Random(2020)
    points = [(float(tracts.lat[i]), float(tracts.lon[i]))
              for i in rng.sample(range(len(tracts)), n)]
    queries: dict[str, Callable[[object, float, float], object]] = {
        "nearest": lambda engine, lat, lon: engine.nearest(lat, lon, k=10),
        "within": lambda engine, lat, lon: engine.within(lat, lon, 10.0),
        "in_bbox": lambda engine, lat, lon: engine.in_bbox(lon - 0.7, lat - 0.5,
                                                           lon + 0.7, lat + 0.5),
    }
    print(f"{n} queries per kind from tract centers of population; medians, µs")
    print(f"{'query':8} {'KD-tree':>9} {'PostGIS':>9} {'PostGIS/KD':>11}  faster   configured")
    for name, query in queries.items():
        for lat, lon in points:  # equal answers both ways, and warm indexes and caches
            assert _same(query(catalog, lat, lon), query(in_sql, lat, lon)), (name, lat, lon)
        kd, sql = [], []
        for start in range(0, n, BLOCK):
            block = points[start:start + BLOCK]
            kd.append(median_us([lambda p=p, q=query: q(catalog, *p) for p in block]))
            sql.append(median_us([lambda p=p, q=query: q(in_sql, *p) for p in block]))
        kd_us, sql_us = statistics.median(kd), statistics.median(sql)
        faster = "PostGIS" if sql_us < kd_us else "KD-tree"
        configured = "PostGIS" if name in FASTER_IN_SQL else "KD-tree"
        print(f"{name:8} {kd_us:9.1f} {sql_us:9.1f} {sql_us / kd_us:10.1f}x  {faster:8} "
              f"{configured}{'' if faster == configured else '  <- update FASTER_IN_SQL'}")


def _same(a: object, b: object) -> bool:
    if not isinstance(a, list | tuple) or not isinstance(b, list | tuple) or len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if hasattr(x, "distance_mi"):
            if x.site.id != y.site.id or abs(x.distance_mi - y.distance_mi) > 1e-6:
                return False
        elif x.id != y.id:
            return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
