"""Benchmark: a site's time zone from its point, and open-at evaluation, per site.

Run: .venv/bin/python bench/hours.py [--evaluations 2000] [--queries 100] [--data DIR]

Imports the IMLS outlets from the public-data folder (default: ../shared/data beside the
checkout) into a temporary database, then times, in one run and in alternating blocks:
- ``zone_name_at`` (tzfpy) for every approved outlet, beside a reference point-in-polygon
  test with shapely against the same zone polygons (an STRtree over the zones found), and
  counts the sites on which both agree; the total is what a catalog load pays;
- ``opening_at`` (wall-clock mapping, DST walk, the week) for a few typical schedules at
  random instants, beside the bare parser's ``state`` and ``next_change`` on the same
  schedule text, which is the floor the wrapper adds to;
- ``find_nearest`` (k=10) from tract centers: without a moment (the reference), at a
  moment with the outlets' own hours (PLS gives none: unknown), at a moment with every
  outlet given weekday hours, and ``open_only`` at a Sunday 03:00 when none is open, which
  makes it read every outlet in the country.
Reports medians in microseconds (milliseconds for nearest) and ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import shapely
import tzfpy
from _public_data import add_data_option, imported_database, require_data
from opening_hours import OpeningHours

from locator.hours import read_hours
from locator.open_at import Moment, opening_at, parse_moment
from locator.places import Place, Precision
from locator.search import find_nearest
from locator.sites import Site, Status
from locator.spatial import Catalog
from locator.store import open_store
from locator.timezones import zone_name_at

BLOCK = 200
SCHEDULES = ("Mo-Fr 08:30-17:00; PH off", "Mo-Fr 08:00-12:00,13:00-17:00; Sa 09:00-12:00",
             "Mon-Fri 8:30am-5pm", "24/7")


def time_us(call, *args) -> float:
    start = time.perf_counter_ns()
    call(*args)
    return (time.perf_counter_ns() - start) / 1000


def zone_reference(names: set[str]):
    """A point-in-polygon lookup over the same zone boundaries, with shapely."""
    polygons, labels = [], []
    for name in sorted(names):
        for feature in json.loads(tzfpy.get_tz_polygon_geojson(name))["features"]:
            polygons.append(shapely.geometry.shape(feature["geometry"]))
            labels.append(name)
    for polygon in polygons:
        shapely.prepare(polygon)
    tree = shapely.STRtree(polygons)

    def lookup(lat: float, lon: float) -> str:
        hits = tree.query(shapely.Point(lon, lat), predicate="intersects")
        return labels[hits[0]] if len(hits) else ""
    return lookup


def bench_zones(points: list[tuple[float, float]]) -> None:
    first_ms = time_us(zone_name_at, *points[0]) / 1000  # loads the boundaries
    start = time.perf_counter()
    zones = [zone_name_at(lat, lon) for lat, lon in points]
    total_s = time.perf_counter() - start
    reference = zone_reference(set(zones))
    fast_us: list[float] = []
    slow_us: list[float] = []
    for block in range(0, len(points), BLOCK):
        chunk = points[block:block + BLOCK]
        fast_us += [time_us(zone_name_at, lat, lon) for lat, lon in chunk]
        slow_us += [time_us(reference, lat, lon) for lat, lon in chunk]
    agree = sum(reference(lat, lon) == zone for (lat, lon), zone in zip(points, zones,
                                                                          strict=True))
    fast, slow = statistics.median(fast_us), statistics.median(slow_us)
    print(f"zone per site: tzfpy {fast:.1f} µs, shapely point-in-polygon {slow:.1f} µs "
          f"({slow / fast:.1f}x); first call {first_ms:.0f} ms, then all {len(points):,} "
          f"sites {total_s * 1000:.0f} ms; "
          f"{len(set(zones))} zones; agree {agree:,}/{len(points):,}")


def bench_opening(evaluations: int) -> None:
    rng = np.random.default_rng(2027)
    base = datetime(2027, 1, 1, tzinfo=UTC)
    instants = [base + timedelta(minutes=int(m)) for m in rng.integers(0, 365 * 1440, evaluations)]
    zone_name = "America/Chicago"
    zone = ZoneInfo(zone_name)
    print(f"{'schedule':<48} {'opening_at µs':>14} {'parser µs':>10} {'ratio':>6}")
    for text in SCHEDULES:
        hours = read_hours(text)
        bare = OpeningHours(hours.canonical, timezone=zone, country="US")
        ours_us: list[float] = []
        bare_us: list[float] = []
        for block in range(0, len(instants), BLOCK):
            chunk = instants[block:block + BLOCK]
            ours_us += [time_us(opening_at, hours, zone_name, Moment(instant=t)) for t in chunk]
            bare_us += [time_us(_bare, bare, t.astimezone(zone)) for t in chunk]
        ours, floor = statistics.median(ours_us), statistics.median(bare_us)
        print(f"{text:<48} {ours:>14.1f} {floor:>10.1f} {ours / floor:>5.1f}x")


def bench_nearest(sites: list[Site], tracts: tuple[np.ndarray, np.ndarray],
                  queries: int) -> None:
    rng = np.random.default_rng(2020)
    picks = rng.choice(len(tracts[0]), size=queries, replace=False)
    places = [Place("tract", float(tracts[0][i]), float(tracts[1][i]), Precision.POINT)
              for i in picks]
    weekday = Catalog(site.replace(hours="Mo-Fr 08:30-17:00; PH off") for site in sites)
    own = Catalog(sites)
    wednesday, sunday_night = parse_moment("2027-03-10T10:00"), parse_moment("2027-03-14T03:00")
    variants = {
        "no moment (reference)": lambda p: find_nearest(own, p),
        "at a moment, outlets' own hours": lambda p: find_nearest(own, p, moment=wednesday),
        "at a moment, weekday hours everywhere": lambda p: find_nearest(weekday, p,
                                                                        moment=wednesday),
        "open only, none open (reads all)": lambda p: find_nearest(weekday, p, open_only=True,
                                                                   moment=sunday_night),
    }
    for call in variants.values():  # warm the catalogs' indexes, zones and caches
        call(places[0])
    timings: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for n, place in enumerate(places):
        # Rotate the order per query: the first call after other work pays for waking
        # the KD-tree's threads, and no variant should always be the one that pays.
        for name in names[n % len(names):] + names[:n % len(names)]:
            timings[name].append(time_us(variants[name], place) / 1000)
    reference = statistics.median(timings["no moment (reference)"])
    print(f"{'nearest k=10':<40} {'ms':>8} {'ratio':>6}")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name:<40} {median:>8.3f} {median / reference:>5.1f}x")


def _bare(oh: OpeningHours, local: datetime) -> None:
    oh.state(local)
    oh.next_change(local)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=100)
    add_data_option(parser)
    args = parser.parse_args()
    require_data(args.data)
    with imported_database(args.data) as url, open_store(url) as store:
        sites = store.sites(statuses=[Status.APPROVED])
        tracts = store.population("tract")
    bench_zones([(site.lat, site.lon) for site in sites])
    bench_opening(args.evaluations)
    bench_nearest(sites, (tracts.lat, tracts.lon), args.queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
