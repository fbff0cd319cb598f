"""Benchmark: ``GET /api/nearest`` under the production server, beside a minimal endpoint.

Run: .venv/bin/python bench/web_load.py [--seconds 10] [--rounds 3] [--data DIR]

Imports the national public data (IMLS PLS FY2021 outlets and Census 2020 tract centers,
from ../shared/data by default) into a temporary database, then starts two servers on
127.0.0.1 with the gunicorn settings ``locator serve`` uses (2 workers of 4 threads):

* the locator app, exactly as ``locator serve`` starts it;
* a reference: a minimal Flask endpoint returning the 10 nearest of 100,000 random US
  points from a KD-tree, and nothing else.

wrk (Debian package; installed with apt when missing and run as root) drives each in turn
for a bounded time, ``--rounds`` times, alternating, with the same query points (tract
centers of population drawn with a fixed seed, so they fall where people live). Reported:
requests/s, p50 and p99 latency and errors, as medians over rounds, and the ratio. Then
headless Chromium loads the search page on a fresh profile several times: bytes on the
wire, time to the load event, and time until the county outlines and site clusters are
drawn. All traffic stays on 127.0.0.1; every step has a time limit.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from _public_data import DEFAULT_DATA

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SOURCE_FILES = ("pls_fy2021_csv.zip", "CenPop2020_Mean_TR.txt", "CenPop2020_Mean_CO.txt")
REFERENCE_SITES = 100_000
QUERY_POINTS = 2_000
K = 10
TARGET_RPS = 2_500
TARGET_P99_MS = 10.0

# wrk runs this per thread: cycle through the query paths, and at the end print one JSON
# line with the latency percentiles (µs) and error counts, so nothing is scraped from text.
WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"errors": {"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def reference_app():
    """The minimal endpoint: 10 nearest of 100k random US points from a KD-tree, as JSON."""
    from flask import Flask, jsonify, request
    from scipy.spatial import cKDTree

    from locator.geo import EARTH_RADIUS_MI, unit_vectors

    rng = np.random.default_rng(7)
    lat = rng.uniform(25.0, 49.0, REFERENCE_SITES)
    lon = rng.uniform(-124.0, -67.0, REFERENCE_SITES)
    tree = cKDTree(unit_vectors(lat, lon))
    app = Flask("reference")

    @app.get("/nearest")
    def nearest():
        q_lat, q_lon = float(request.args["lat"]), float(request.args["lon"])
        chords, idx = tree.query(unit_vectors(q_lat, q_lon), k=K)
        return jsonify([{"id": int(i), "lat": float(lat[i]), "lon": float(lon[i]),
                         "distance_mi": 2 * EARTH_RADIUS_MI * float(np.arcsin(c / 2))}
                        for c, i in zip(chords, idx, strict=True)])

    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=6, help="wrk run per server and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--page-loads", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()

    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="web_load_") as tmp:
        work = Path(tmp)
        db_url, points = national_database(args.data, work)
        print(f"query points: {len(points)} tract centers of population (seed 1)")
        load = {}
        with server("locator", db_url, work) as locator_base, \
                server("reference", db_url, work) as reference_base:
            targets = {
                "locator": (locator_base, [f"/api/nearest?lat={la:.5f}&lon={lo:.5f}&k={K}"
                                           for la, lo in points]),
                "reference": (reference_base, [f"/nearest?lat={la:.5f}&lon={lo:.5f}"
                                               for la, lo in points]),
            }
            check_answers(targets)
            for name, (base, paths) in targets.items():
                run_wrk(wrk, base, paths, work / f"{name}.lua", seconds=2, args=args)  # warm-up
                load[name] = []
            for round_no in range(1, args.rounds + 1):
                order = list(targets) if round_no % 2 else list(reversed(targets))
                for name in order:
                    base, paths = targets[name]
                    result = run_wrk(wrk, base, paths, work / f"{name}.lua",
                                     seconds=args.seconds, args=args)
                    load[name].append(result)
                    print(f"round {round_no} {name:9s} {result['rps']:8.0f} req/s  "
                          f"p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms  "
                          f"errors {result['errors']}")
            page = measure_page(locator_base, args.page_loads)
    summary = summarize(load, page, args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "web_load.json").write_text(json.dumps(summary, indent=2) + "\n")
    print_summary(summary)
    return 0 if summary["meets_target"] else 1


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, timeout=300)
        found = shutil.which("wrk")
    if not found:
        sys.exit("web_load: wrk is missing: install the Debian package (apt-get install wrk)")
    return found


def national_database(data: Path, work: Path) -> tuple[str, list[tuple[float, float]]]:
    from locator.importer import import_sources
    from locator.store import open_store

    sources = work / "sources"
    sources.mkdir()
    for name in SOURCE_FILES:
        if not (data / name).is_file():
            sys.exit(f"web_load: {data / name} is missing (use --data DIR)")
        (sources / name).symlink_to((data / name).resolve())
    url = f"sqlite:///{work / 'locator.db'}"
    with open_store(url) as store:
        import_sources(store, sources)
        tracts = store.population("tract")
        print(f"sites loaded: {store.count_sites():,}")
    pick = np.random.default_rng(1).choice(len(tracts), size=QUERY_POINTS, replace=False)
    return url, [(float(tracts.lat[i]), float(tracts.lon[i])) for i in pick]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(name: str, db_url: str, work: Path):
    """Start gunicorn with the settings of ``locator serve``; stop it on exit."""
    from locator.cli.serve import gunicorn_argv

    port = free_port()
    env = {**os.environ, "LOCATOR_DATABASE_URL": db_url}
    if name == "reference":
        argv = gunicorn_argv("127.0.0.1", port, app="web_load:reference_app()")
        env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), str(REPO)])
    else:
        argv = gunicorn_argv("127.0.0.1", port)
    log = (work / f"{name}.log").open("wb")
    process = subprocess.Popen(argv, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        probe = "/nearest?lat=40&lon=-90" if name == "reference" else "/api/nearest?lat=40&lon=-90"
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"web_load: the {name} server did not start; see {log.name}")
            try:
                with urllib.request.urlopen(base + probe, timeout=5):
                    break
            except OSError:
                time.sleep(0.25)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def check_answers(targets: dict[str, tuple[str, list[str]]]) -> None:
    """Both servers answer the first query with K results, before any timing."""
    for name, (base, paths) in targets.items():
        with urllib.request.urlopen(base + paths[0], timeout=5) as response:
            body = json.load(response)
        results = body["results"] if name == "locator" else body
        if len(results) != K:
            sys.exit(f"web_load: {name} answered {len(results)} results, expected {K}")


def run_wrk(wrk: str, base: str, paths: list[str], script: Path, *, seconds: int,
            args: argparse.Namespace, reconnect: bool = False) -> dict[str, object]:
    """wrk's figures for ``paths`` over ``seconds``. Its connections are kept alive, and
    a gunicorn worker that wins the accept race may take all of them; with ``reconnect``
    each request comes on a new connection, so every worker gets a share."""
    paths_file = script.with_suffix(".paths")
    paths_file.write_text("\n".join(paths) + "\n")
    script.write_text(WRK_SCRIPT % {"paths": paths_file})
    completed = subprocess.run(
        [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "5s",
         *(["-H", "Connection: close"] if reconnect else []), "-s", str(script), base],
        capture_output=True, text=True, timeout=seconds + 60, check=True)
    stats = json.loads(completed.stdout.strip().splitlines()[-1])
    return {
        "rps": stats["requests"] / (stats["duration_us"] / 1e6),
        "p50_ms": stats["p50_us"] / 1000,
        "p99_ms": stats["p99_us"] / 1000,
        "requests": stats["requests"],
        "errors": sum(stats["errors"].values()),
    }


def measure_page(base: str, loads: int) -> dict[str, object]:
    """Load the search page on a fresh browser profile ``loads`` times; medians."""
    from playwright.sync_api import sync_playwright

    runs = []
    with sync_playwright() as api:
        browser = api.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(loads):
                runs.append(_page_load(browser, base))
        finally:
            browser.close()
    return {
        "loads": loads,
        "transfer_bytes": statistics.median(r["transfer_bytes"] for r in runs),
        "requests": statistics.median(r["requests"] for r in runs),
        "load_event_ms": statistics.median(r["load_event_ms"] for r in runs),
        "outlines_drawn_ms": statistics.median(r["outlines_drawn_ms"] for r in runs),
        "clusters_drawn_ms": statistics.median(r["clusters_drawn_ms"] for r in runs),
        "offsite_requests": sum(r["offsite_requests"] for r in runs),
    }


def _page_load(browser, base: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    offsite: list[str] = []

    def route(r):
        if r.request.url.startswith("http://127.0.0.1"):
            r.continue_()
        else:
            offsite.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received: list[float] = []
    cdp.on("Network.loadingFinished", lambda e: received.append(e["encodedDataLength"]))
    start = time.perf_counter()
    page.goto(base + "/", wait_until="load", timeout=60_000)
    load_ms = (time.perf_counter() - start) * 1000
    page.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane svg path')"
                           ".length > 3000", timeout=60_000)
    outlines_ms = (time.perf_counter() - start) * 1000
    page.wait_for_selector(".cluster", timeout=60_000)
    clusters_ms = (time.perf_counter() - start) * 1000
    page.wait_for_load_state("networkidle", timeout=60_000)
    context.close()
    return {"transfer_bytes": sum(received), "requests": len(received),
            "load_event_ms": load_ms, "outlines_drawn_ms": outlines_ms,
            "clusters_drawn_ms": clusters_ms, "offsite_requests": len(offsite)}


def summarize(load: dict[str, list[dict]], page: dict[str, object],
              args: argparse.Namespace) -> dict[str, object]:
    from locator.cli.serve import gunicorn_argv

    medians = {name: {key: statistics.median(r[key] for r in runs)
                      for key in ("rps", "p50_ms", "p99_ms")} | {
                          "errors": sum(r["errors"] for r in runs),
                          "requests": sum(r["requests"] for r in runs)}
               for name, runs in load.items()}
    locator = medians["locator"]
    return {
        "setup": {"server": " ".join(gunicorn_argv("127.0.0.1", 0)[3:-1]),
                  "load": f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, "
                          f"{args.rounds} rounds alternating", "k": K,
                  "cpus": os.cpu_count()},
        "load": medians,
        "rounds": load,
        "ratio_rps_locator_to_reference": locator["rps"] / medians["reference"]["rps"],
        # Each round runs the two servers back to back, so a round's ratio is taken under
        # the same machine load; on a noisy machine their median is the steadier figure.
        "ratio_rps_paired_median": statistics.median(
            a["rps"] / b["rps"] for a, b in zip(load["locator"], load["reference"],
                                                strict=True)),
        "page": page,
        "meets_target": (locator["rps"] >= TARGET_RPS and locator["p99_ms"] < TARGET_P99_MS
                         and locator["errors"] == 0 and page["offsite_requests"] == 0),
    }


def print_summary(summary: dict) -> None:
    print()
    print(f"{'server':10s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>7s}  (medians)")
    for name, m in summary["load"].items():
        print(f"{name:10s} {m['rps']:8.0f} {m['p50_ms']:8.2f} {m['p99_ms']:8.2f} "
              f"{m['errors']:7d}")
    print(f"locator / reference throughput: {summary['ratio_rps_locator_to_reference']:.2f} "
          f"(median of the rounds' ratios: {summary['ratio_rps_paired_median']:.2f})")
    page = summary["page"]
    print(f"search page (median of {page['loads']} cold loads): "
          f"{page['transfer_bytes'] / 1024:.0f} KiB in {page['requests']:.0f} requests, "
          f"load event {page['load_event_ms']:.0f} ms, "
          f"outlines {page['outlines_drawn_ms']:.0f} ms, "
          f"clusters {page['clusters_drawn_ms']:.0f} ms, off-site requests "
          f"{page['offsite_requests']}")
    print(f"target (>= {TARGET_RPS} req/s, p99 < {TARGET_P99_MS} ms, no errors): "
          f"{'met' if summary['meets_target'] else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
