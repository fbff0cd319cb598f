"""Benchmark: nearest-site queries over every US library outlet, beside brute force.

Run: .venv/bin/python bench/nearest.py [--queries 2000] [--data DIR]

Imports the IMLS outlets from the public-data folder (default: ../shared/data beside the
checkout) into a temporary database, then times, in one run and interleaved query by query,
the project's index (``SiteIndex.nearest``) and a brute-force numpy haversine scan with
``argpartition``. Query points are Census tract centers of population drawn with a fixed
seed, so they fall where people live. Reports median microseconds per query and the ratio,
and checks that both methods return the same sites and distances.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from locator.geo import haversine_mi
from locator.importer import import_sources
from locator.sites import Status
from locator.spatial import SiteIndex
from locator.store import Store

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def brute_force(lat: float, lon: float, all_lat: np.ndarray, all_lon: np.ndarray,
                k: int) -> tuple[np.ndarray, np.ndarray]:
    distance_mi = haversine_mi(lat, lon, all_lat, all_lon)
    nearest = np.argpartition(distance_mi, k - 1)[:k] if k < len(distance_mi) else \
        np.arange(len(distance_mi))
    order = np.lexsort((nearest, distance_mi[nearest]))
    return nearest[order], distance_mi[nearest[order]]


def load(data_dir: Path, workdir: Path) -> tuple[SiteIndex, np.ndarray, np.ndarray]:
    store = Store(f"sqlite:///{workdir / 'bench.db'}")
    import_sources(store, data_dir)
    index = SiteIndex(store.sites(statuses=[Status.APPROVED]))
    tracts = store.population("tract")
    store.close()
    return index, tracts.lat, tracts.lon


def time_us(call, *args, **kwargs) -> float:
    start = time.perf_counter_ns()
    call(*args, **kwargs)
    return (time.perf_counter_ns() - start) / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"public data folder not found: {args.data}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as workdir:
        index, tract_lat, tract_lon = load(args.data, Path(workdir))
    rng = np.random.default_rng(2020)
    picks = rng.choice(len(tract_lat), size=args.queries, replace=False)
    queries = [(float(tract_lat[i]), float(tract_lon[i])) for i in picks]
    print(f"sites: {len(index):,} approved outlets; queries: {len(queries):,} tract centers")

    print(f"{'k':>3} {'index µs':>10} {'brute µs':>10} {'ratio':>7}  agree")
    for k in (1, 10):
        fast_us, slow_us, agree = [], [], 0
        for lat, lon in queries:
            fast_us.append(time_us(index.nearest, lat, lon, k=k))
            slow_us.append(time_us(brute_force, lat, lon, index.lat, index.lon, k))
            fast = index.nearest(lat, lon, k=k)
            ids, distance_mi = brute_force(lat, lon, index.lat, index.lon, k)
            agree += ([index.sites[i].id for i in ids] == [n.site.id for n in fast]
                      and np.allclose(distance_mi, [n.distance_mi for n in fast], atol=1e-6))
        fast_med, slow_med = statistics.median(fast_us), statistics.median(slow_us)
        print(f"{k:>3} {fast_med:>10.1f} {slow_med:>10.1f} {slow_med / fast_med:>6.1f}x"
              f"  {agree}/{len(queries)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
