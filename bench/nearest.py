"""Benchmark: nearest-site queries over every US library outlet, beside brute force.

Run: .venv/bin/python bench/nearest.py [--queries 2000] [--data DIR]

Imports the IMLS outlets from the public-data folder (default: ../shared/data beside the
checkout) into a temporary database, then times, in one run, the project's index
(``SiteIndex.nearest``) and a brute-force numpy haversine scan with ``partition``, in
alternating blocks of queries. Query points are Census tract centers of population drawn
with a fixed seed, so they fall where people live. Reports median microseconds per query
and the ratio, and checks that both methods return the same sites and distances.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from _public_data import add_data_option, imported_database, require_data

from locator.geo import haversine_mi
from locator.sites import Status
from locator.spatial import SiteIndex
from locator.store import open_store

BLOCK = 100


def brute_force(lat: float, lon: float, all_lat: np.ndarray, all_lon: np.ndarray,
                k: int) -> tuple[np.ndarray, np.ndarray]:
    distance_mi = haversine_mi(lat, lon, all_lat, all_lon)
    kth_mi = np.partition(distance_mi, k - 1)[k - 1]
    # Everything tied with the k-th place competes for it; the lower id (position) wins.
    nearest = np.flatnonzero(distance_mi <= kth_mi + 1e-7)
    order = np.lexsort((nearest, distance_mi[nearest]))[:k]
    return nearest[order], distance_mi[nearest[order]]


def load(data_dir: Path) -> tuple[SiteIndex, np.ndarray, np.ndarray]:
    with imported_database(data_dir) as url, open_store(url) as store:
        index = SiteIndex(store.sites(statuses=[Status.APPROVED]))
        tracts = store.population("tract")
    return index, tracts.lat, tracts.lon


def time_us(call, *args, **kwargs) -> float:
    start = time.perf_counter_ns()
    call(*args, **kwargs)
    return (time.perf_counter_ns() - start) / 1000


def _same_answer(index: SiteIndex, lat: float, lon: float, k: int) -> bool:
    fast = index.nearest(lat, lon, k=k)
    ids, distance_mi = brute_force(lat, lon, index.lat, index.lon, k)
    return ([index.sites[i].id for i in ids] == [n.site.id for n in fast]
            and bool(np.allclose(distance_mi, [n.distance_mi for n in fast], rtol=0, atol=1e-6)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    add_data_option(parser)
    args = parser.parse_args()
    require_data(args.data)

    index, tract_lat, tract_lon = load(args.data)
    rng = np.random.default_rng(2020)
    picks = rng.choice(len(tract_lat), size=args.queries, replace=False)
    queries = [(float(tract_lat[i]), float(tract_lon[i])) for i in picks]
    print(f"sites: {len(index):,} approved outlets; queries: {len(queries):,} tract centers")

    print(f"{'k':>3} {'index µs':>10} {'brute µs':>10} {'ratio':>7}  agree")
    for k in (1, 10):
        fast_us: list[float] = []
        slow_us: list[float] = []
        # Alternate blocks of queries so both methods see the same machine noise, while each
        # runs with its own working set in cache, as it would in a server.
        for block in range(0, len(queries), BLOCK):
            chunk = queries[block:block + BLOCK]
            fast_us += [time_us(index.nearest, lat, lon, k=k) for lat, lon in chunk]
            slow_us += [time_us(brute_force, lat, lon, index.lat, index.lon, k)
                        for lat, lon in chunk]
        agree = sum(_same_answer(index, lat, lon, k) for lat, lon in queries)
        fast_med, slow_med = statistics.median(fast_us), statistics.median(slow_us)
        print(f"{k:>3} {fast_med:>10.1f} {slow_med:>10.1f} {slow_med / fast_med:>6.1f}x"
              f"  {agree}/{len(queries)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
