"""Benchmark: the planner's web answers for Illinois, server side, on the real national data.

Run: .venv/bin/python bench/planner_web.py [--runs 200] [--repeat 7] [--data DIR]

Imports the IMLS outlets and the Census 2020 centers of population from the public-data
folder (default: ../shared/data beside the checkout) into a temporary database and builds
the web app on it. Requests go through the whole Flask stack in-process (the test client:
parameter parsing, the catalog's freshness check, the view, JSON or HTML rendering), so the
times are the server's share of a request, without the network.

- What-if for a map click (``GET /api/coverage/whatif`` and the panel the page fetches,
  ``GET /planner/whatif``), one random Illinois point per request, on the study the app
  keeps; beside a reference that does what a handler without the kept study would do per
  click: read the sites and tracts, build the study (one KD-tree query over every open outlet), run
  the what-if and serialise it. Medians and p95 over ``--runs`` clicks, and the ratio.
- The planner page's payloads: the HTML page, the county outlines with their figures
  (GeoJSON) and the serving sites, raw and gzipped, with the median server time of each
  (warm) and of the first request (cold: the study and the outlines are built then).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time

import numpy as np
from _public_data import add_data_option, imported_database, require_data

from locator.coverage import CoverageQuery, load_study, parse_thresholds
from locator.store import open_store
from locator.whatif import ProposedSite, what_if
from web import create_app

QUERY = "state=IL&within=5,10"
ILLINOIS = "17"
TARGET_WHATIF_MS = 200


def timed_get(client, url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    response = client.get(url)
    elapsed_ms = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}: {response.get_data()[:300]!r}")
    return elapsed_ms, response.get_data()


def reference_click(url: str, spot: ProposedSite) -> bytes:
    with open_store(url) as store:
        study = load_study(store, CoverageQuery(state_fips=(ILLINOIS,)))
    result = what_if(study, parse_thresholds(["5", "10"]), add=[spot])
    return json.dumps(result.to_json()).encode()


def whatif_bench(client, url: str, runs: int) -> None:
    rng = np.random.default_rng(11)
    spots = [ProposedSite(round(float(a), 5), round(float(b), 5)) for a, b in
             zip(rng.uniform(37.0, 42.5, runs), rng.uniform(-91.5, -87.5, runs), strict=True)]
    timed_get(client, f"/api/coverage/whatif?{QUERY}&add=40,-89")  # the page load built it
    api_ms, panel_ms, reference_ms = [], [], []
    for spot in spots:  # alternating, so machine noise falls on all three alike
        add = f"add={spot.lat},{spot.lon}"
        api_ms.append(timed_get(client, f"/api/coverage/whatif?{QUERY}&{add}")[0])
        panel_ms.append(timed_get(client, f"/planner/whatif?{QUERY}&{add}")[0])
        start = time.perf_counter()
        reference_click(url, spot)
        reference_ms.append((time.perf_counter() - start) * 1000)
    api, panel, reference = (statistics.median(v) for v in (api_ms, panel_ms, reference_ms))
    print(f"what-if for one map click, Illinois (median of {runs} random points):")
    print(f"  GET /api/coverage/whatif: {api:7.2f} ms  (p95 {np.percentile(api_ms, 95):.2f})")
    print(f"  GET /planner/whatif:      {panel:7.2f} ms  (p95 {np.percentile(panel_ms, 95):.2f})"
          "  (HTML panel: what-if and the report it compares with)")
    print(f"  reference, study rebuilt per click: {reference:7.2f} ms  "
          f"(p95 {np.percentile(reference_ms, 95):.2f}); ratio {reference / api:.0f}x (API), "
          f"{reference / panel:.0f}x (panel)")
    verdict = "met" if np.percentile(panel_ms, 95) < TARGET_WHATIF_MS else "MISSED"
    print(f"  target p95 under {TARGET_WHATIF_MS} ms: {verdict}")


def payload_bench(url: str, repeat: int) -> None:
    print(f"planner page payloads for Illinois ({QUERY}):")
    print(f"  {'request':58} {'raw':>9} {'gzip':>8} {'cold ms':>8} {'warm ms':>8}")
    for path in (f"/planner?{QUERY}", f"/api/coverage?format=geojson&{QUERY}",
                 f"/api/coverage/sites?{QUERY}", f"/api/coverage?{QUERY}"):
        client = create_app({"DATABASE_URL": url, "PRELOAD_CATALOG": True}).test_client()
        cold_ms, body = timed_get(client, path)
        warm_ms = statistics.median(timed_get(client, path)[0] for _ in range(repeat))
        packed = len(gzip.compress(body, compresslevel=6))
        print(f"  {path:58} {len(body):9,} {packed:8,} {cold_ms:8.1f} {warm_ms:8.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    add_data_option(parser)
    args = parser.parse_args()
    require_data(args.data)
    with imported_database(args.data) as url:
        payload_bench(url, args.repeat)
        client = create_app({"DATABASE_URL": url, "PRELOAD_CATALOG": True}).test_client()
        timed_get(client, f"/planner?{QUERY}")
        whatif_bench(client, url, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
