"""Benchmark: which county is each library outlet in? STRtree query beside geopandas sjoin.

Run: .venv/bin/python bench/county_lookup.py [--repeat 7] [--data DIR]

Reads the 17,426 IMLS FY2021 outlets from the public-data folder (default: ../shared/data
beside the checkout) and times, in one run and alternating, ``county_fips_at_many`` (one
shapely STRtree query) and geopandas ``sjoin`` against the same county outlines. Both have
their outlines loaded and indexed before timing starts. Reports median milliseconds per
batch of all outlets and the ratio, checks that both give the same counties, and counts the
outlets whose county by point-in-polygon differs from the one the survey gives.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
import zipfile
from pathlib import Path

import geopandas
import numpy as np
from _public_data import add_data_option, require_data

from locator import geodata


def read_outlets(data_dir: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Latitudes, longitudes and the survey's own county FIPS codes."""
    with zipfile.ZipFile(data_dir / "pls_fy2021_csv.zip") as archive:
        name = next(n for n in archive.namelist() if "outlet" in n.lower())
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("cp1252"))))
    return (np.array([float(r["LATITUDE"]) for r in rows]),
            np.array([float(r["LONGITUD"]) for r in rows]),
            [r["INCITSST"] + r["INCITSCO"] for r in rows])


def county_frame() -> geopandas.GeoDataFrame:
    outlines = geodata._county_outlines()
    frame = geopandas.GeoDataFrame(
        {"fips": [p["fips"] for p in outlines.properties]},
        geometry=outlines.geometries, crs="EPSG:4326")
    frame.sindex  # noqa: B018 -- build the spatial index before timing, as the tree is
    return frame


def sjoin_fips(counties: geopandas.GeoDataFrame, lats: np.ndarray,
               lons: np.ndarray) -> list[str | None]:
    points = geopandas.GeoDataFrame(geometry=geopandas.points_from_xy(lons, lats),
                                    crs="EPSG:4326")
    joined = geopandas.sjoin(points, counties, how="left", predicate="intersects")
    # Boundary points match two counties: keep the lower FIPS, as the STRtree path does.
    first = joined.sort_values("fips").groupby(level=0)["fips"].first()
    return [None if isinstance(f, float) else f for f in first.reindex(range(len(lats)))]


def time_ms(call, *args) -> tuple[float, object]:
    start = time.perf_counter_ns()
    result = call(*args)
    return (time.perf_counter_ns() - start) / 1e6, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    add_data_option(parser)
    args = parser.parse_args()
    require_data(args.data)

    lats, lons, survey_fips = read_outlets(args.data)
    counties = county_frame()
    tree_ms, sjoin_ms = [], []
    for _ in range(args.repeat):
        elapsed, tree_answer = time_ms(geodata.county_fips_at_many, lats, lons)
        tree_ms.append(elapsed)
        elapsed, sjoin_answer = time_ms(sjoin_fips, counties, lats, lons)
        sjoin_ms.append(elapsed)
        if tree_answer != sjoin_answer:
            print("the two methods disagree", file=sys.stderr)
            return 1
    tree, sjoin = statistics.median(tree_ms), statistics.median(sjoin_ms)
    print(f"points: {len(lats):,} library outlets; counties: {len(counties):,}; "
          f"repeats: {args.repeat}")
    print(f"STRtree query  {tree:8.1f} ms")
    print(f"geopandas sjoin {sjoin:7.1f} ms   ({sjoin / tree:.1f}x the STRtree time)")
    differ = [i for i, fips in enumerate(survey_fips) if tree_answer[i] != fips]
    outside = sum(tree_answer[i] is None for i in differ)
    print(f"point-in-county differs from the survey's county code for {len(differ):,} outlets "
          f"({len(differ) / len(lats):.2%}); {outside} of them lie outside every outline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
