"""Benchmark: the map viewport query (sites in a lon/lat box) three ways, in one run.

Run: .venv/bin/python bench/bbox.py [--boxes 400] [--data DIR]

Imports the IMLS outlets from the public-data folder (default: ../shared/data beside the
checkout), then answers the same viewport boxes with:

- today's method, ``Catalog.in_bbox``: a numpy mask over the index's lat/lon arrays;
- an ``rtree`` (libspatialindex) R-tree over the site points, bulk-loaded;
- a shapely ``STRtree`` over the site points (GEOS, already a dependency).

Boxes are what a 1000 x 700 px Leaflet map shows at zoom 4, 7, 10 and 13 (Web Mercator),
centred on Census tract centers of population drawn with a fixed seed. Each method runs
on every box in alternating blocks; the script reports median microseconds per box (from
the query to the list of sites in id order, which is what ``/api/sites`` and
``/api/clusters`` need), the ratio to today's method, and checks that all three return the
same sites for every box.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np
import shapely
from _public_data import add_data_option, imported_database, require_data
from rtree import index as rtree_index

from locator.sites import PUBLIC, Site, Status
from locator.spatial import Catalog
from locator.store import open_store

ZOOMS = (4, 7, 10, 13)
VIEW_PX = (1000, 700)
TILE_PX = 256
BLOCK = 50

Box = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def viewport(lat: float, lon: float, zoom: int) -> Box:
    """The lon/lat box a map of ``VIEW_PX`` shows centred on the point (Web Mercator)."""
    world_px = TILE_PX * 2 ** zoom
    half_lon = VIEW_PX[0] / 2 / world_px * 360
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    half_y = VIEW_PX[1] / 2 / world_px * 2 * math.pi

    def to_lat(mercator_y: float) -> float:
        return math.degrees(2 * math.atan(math.exp(mercator_y)) - math.pi / 2)

    return (max(-180.0, lon - half_lon), to_lat(y - half_y),
            min(180.0, lon + half_lon), to_lat(y + half_y))


class RtreeBoxes:
    def __init__(self, sites: Sequence[Site]) -> None:
        self.sites = sites
        self.tree = rtree_index.Index((i, (s.lon, s.lat, s.lon, s.lat), None)
                                      for i, s in enumerate(sites))

    def __call__(self, box: Box) -> list[Site]:
        return [self.sites[i] for i in sorted(self.tree.intersection(box))]


class StrtreeBoxes:
    def __init__(self, sites: Sequence[Site]) -> None:
        self.sites = sites
        self.tree = shapely.STRtree(shapely.points([s.lon for s in sites], [s.lat for s in sites]))

    def __call__(self, box: Box) -> list[Site]:
        hits = self.tree.query(shapely.box(*box), predicate="intersects")
        return [self.sites[i] for i in np.sort(hits).tolist()]


def time_us(call: Callable[[Box], list[Site]], box: Box) -> float:
    start = time.perf_counter_ns()
    call(box)
    return (time.perf_counter_ns() - start) / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boxes", type=int, default=400, help="boxes per zoom level")
    add_data_option(parser)
    args = parser.parse_args()
    require_data(args.data)

    with imported_database(args.data) as url, open_store(url) as store:
        catalog = Catalog(store.sites(statuses=[Status.APPROVED]))
        tracts = store.population("tract")
    sites = catalog.index(PUBLIC).sites  # id order, as in_bbox answers
    methods: dict[str, Callable[[Box], list[Site]]] = {
        "numpy mask (today)": lambda box: list(catalog.in_bbox(*box)),
        "rtree": RtreeBoxes(sites),
        "shapely STRtree": StrtreeBoxes(sites),
    }
    rng = np.random.default_rng(2020)
    picks = rng.choice(len(tracts.lat), size=args.boxes, replace=False)
    print(f"sites: {len(sites):,} approved outlets; {args.boxes} boxes per zoom")
    print(f"{'zoom':>4} {'sites/box':>9}  " + "  ".join(f"{name:>20}" for name in methods)
          + "  agree")
    for zoom in ZOOMS:
        boxes = [viewport(float(tracts.lat[i]), float(tracts.lon[i]), zoom) for i in picks]
        timings: dict[str, list[float]] = {name: [] for name in methods}
        for block in range(0, len(boxes), BLOCK):
            for name, method in methods.items():
                timings[name] += [time_us(method, box) for box in boxes[block:block + BLOCK]]
        answers = [[[s.id for s in method(box)] for method in methods.values()] for box in boxes]
        agree = sum(all(ids == found[0] for ids in found) for found in answers)
        medians = {name: statistics.median(values) for name, values in timings.items()}
        today = medians["numpy mask (today)"]
        sizes = statistics.median(len(found[0]) for found in answers)
        cells = [f"{m:>10.1f} µs ({today / m:>4.1f}x)" for m in medians.values()]
        print(f"{zoom:>4} {sizes:>9.0f}  " + "  ".join(f"{c:>20}" for c in cells)
              + f"  {agree}/{len(boxes)}")
    print("(Nx) is today's median over the method's: above 1 means faster than today.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
