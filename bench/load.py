"""Benchmark: the production server under a mixed load, per engine, with and without a
stream of writes; and each engine at national scale.

Run: .venv/bin/python bench/load.py [--seconds 6] [--data DIR]

Imports the national public data (IMLS PLS FY2021 outlets, Census 2020 tract and county
centers) into a temporary SQLite database and into PostgreSQL with PostGIS (a throwaway
cluster like the tests'), timing each import. For each engine it starts the server exactly
as ``locator serve`` does (gunicorn, 2 workers of 4 threads, on a free port of 127.0.0.1),
timing the start until ``/healthz`` answers, and has wrk drive a mix for a bounded time:
``/api/nearest`` (from tract centers of population, fixed seed), ``/api/sites?bbox=`` (a
map viewport around the same points), the search page (``/search/results?q=ZIP``) and the
planner API (``/api/coverage`` and ``/api/coverage/whatif`` for a state). Each mix runs
twice: alone, and while a writer commits one site change per second (each one a new data
version every worker must apply). Reported: requests/s, p50/p99 latency, errors, and the
resident memory of one app worker after the load; then the time of a national coverage
report (``locator coverage --by state``) on each engine.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _public_data import DEFAULT_DATA
from web_load import REPO, SOURCE_FILES, ensure_wrk, run_wrk, server

from locator.importer import import_sources
from locator.sites import Status
from locator.store import open_store

sys.path.insert(0, str(REPO / "tests"))  # the tests' throwaway PostgreSQL cluster
from _postgres import start_cluster

STATES = ("IL", "IN", "WI", "MO", "IA", "OH", "MI", "KY")
ZIPS = ("62701", "60601", "61820", "46204", "53703", "63101", "50309", "43215")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=6, help="wrk run per mix")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--warm-seconds", type=int, default=20,
                        help="full mix run before timing, so each worker has built its "
                             "coverage studies, page templates and recased site text")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    wrk = ensure_wrk()
    cluster = start_cluster()
    try:
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            sources = _sources(args.data, work)
            urls = {"sqlite": f"sqlite:///{work / 'locator.db'}",
                    "postgresql": cluster.url(cluster.create_database())}
            for engine, url in urls.items():
                print(f"{engine}: import {_timed_import(url, sources):.1f} s", flush=True)
            paths = _mix(urls["sqlite"])
            for engine, url in urls.items():
                _load_engine(engine, url, wrk, paths, work, args)
            for engine, url in urls.items():
                print(f"{engine}: national coverage report (--by state, 5 and 10 mi) "
                      f"{_coverage_s(url):.1f} s", flush=True)
    finally:
        cluster.stop()
    return 0


def _sources(data: Path, work: Path) -> Path:
    sources = work / "sources"
    sources.mkdir()
    for name in SOURCE_FILES:
        (sources / name).symlink_to((data / name).resolve())
    return sources


def _timed_import(url: str, sources: Path) -> float:
    start = time.perf_counter()
    with open_store(url) as store:
        import_sources(store, sources)
    return time.perf_counter() - start


def _mix(url: str) -> list[str]:
    """The request paths wrk cycles through: mostly map and search traffic, some planning."""
    with open_store(url) as store:
        tracts = store.population("tract")
    rng = random.Random(1)
    paths = []
    for i in rng.sample(range(len(tracts)), 400):
        lat, lon = float(tracts.lat[i]), float(tracts.lon[i])
        paths += [f"/api/nearest?lat={lat:.5f}&lon={lon:.5f}&k=10",
                  f"/api/sites?bbox={lon - 0.7:.4f},{lat - 0.5:.4f},{lon + 0.7:.4f},"
                  f"{lat + 0.5:.4f}",
                  f"/api/nearest?lat={lat:.5f}&lon={lon:.5f}&k=5&kind=library"]
        if i % 4 == 0:
            paths.append(f"/search/results?q={rng.choice(ZIPS)}")
        if i % 8 == 0:
            state = rng.choice(STATES)
            paths += [f"/api/coverage?state={state}&within=5,10&by=county",
                      f"/api/coverage/whatif?state={state}&within=10&add={lat:.4f},{lon:.4f}"]
    rng.shuffle(paths)
    return paths


def _load_engine(engine: str, url: str, wrk: str, paths: list[str], work: Path,
                 args: argparse.Namespace) -> None:
    start = time.perf_counter()
    with server(engine, url, work) as base:
        _wait_healthy(base)
        print(f"{engine}: start-up until /healthz answers {time.perf_counter() - start:.1f} s",
              flush=True)
        nearest_only = [p for p in paths if p.startswith("/api/nearest")]
        # The first answers of each worker build what later ones reuse (a state's coverage
        # study takes about a second, the search page's first render two); the rows
        # measure the server once that is done. A connection per request, so that no
        # worker is left cold by wrk's kept-alive connections all landing on the other.
        run_wrk(wrk, base, paths, work / f"{engine}-warm.lua", seconds=args.warm_seconds,
                args=args, reconnect=True)
        for label, mix in (("nearest only", nearest_only), ("mix", paths)):
            for writes in (False, True):
                with _writer(url, enabled=writes) as written:
                    result = run_wrk(wrk, base, mix, work / f"{engine}.lua",
                                     seconds=args.seconds, args=args)
                print(f"{engine}: {label:12} {'1 write/s' if writes else 'no writes':9} "
                      f"{result['rps']:7.0f} req/s  p50 {result['p50_ms']:6.2f} ms  "
                      f"p99 {result['p99_ms']:7.2f} ms  errors {result['errors']}  "
                      f"writes {written[0]}", flush=True)
        print(f"{engine}: resident memory of one app worker {_worker_rss_mb(base):.0f} MB",
              flush=True)


def _wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    sys.exit("load: /healthz did not answer 200 in 120 s")


@contextmanager
def _writer(url: str, *, enabled: bool) -> Iterator[list[int]]:
    """One committed site change per second, as a reviewer's approvals would be."""
    written, stop = [0], threading.Event()

    def write() -> None:
        with open_store(url) as store:
            site = store.sites(statuses=[Status.APPROVED])[0]
            while not stop.wait(1.0):
                status = Status.PENDING if written[0] % 2 == 0 else Status.APPROVED
                store.set_status([site.id], status, actor="bench")
                written[0] += 1
            store.set_status([site.id], Status.APPROVED, actor="bench")

    thread = threading.Thread(target=write, daemon=True)
    if enabled:
        thread.start()
    try:
        yield written
    finally:
        stop.set()
        if enabled:
            thread.join(timeout=30)


def _worker_rss_mb(base: str) -> float:
    """The largest resident set among gunicorn workers serving ``base``."""
    port = base.rsplit(":", 1)[1]
    rss = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmdline = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "gunicorn" in cmdline and f":{port}" in cmdline and "PPid:\t1\n" not in text:
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            if int(fields["PPid"]) != os.getpid():  # a worker, not the master
                rss.append(int(fields["VmRSS"].split()[0]) / 1024)
    return max(rss)


def _coverage_s(url: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "locator", "coverage", "--within", "5", "10",
                    "--by", "state", "--format", "json"], cwd=REPO, check=True,
                   env={**os.environ, "LOCATOR_DATABASE_URL": url}, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


if __name__ == "__main__":
    raise SystemExit(main())
