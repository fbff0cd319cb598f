"""Benchmark: how long the offline geocoder takes to build, and to answer each input form.

Run: .venv/bin/python bench/geocode.py [--builds 5] [--calls 2000]

Construction is timed in fresh processes (as the CLI pays it), split into reading the
``zipcodes`` package and building the lookup tables, with wall and CPU time (the CPU time
is steadier on a busy machine). Calls are timed in-process, one query form at a time,
after a warm-up; medians in microseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time

from locator.errors import LocatorError
from locator.geocode import Geocoder

QUERIES = {
    "point": "41.53, -88.08",
    "zip": "60432",
    "zip+4": "60432-1234",
    "city, ST": "Joliet, IL",
    "city state-name": "Kansas City Missouri",
    "county, ST": "Will County, IL",
    "address with ZIP": "123 Main St, Joliet, IL 60432",
    "ambiguous city": "Springfield",
    "misspelt city, ST": "Sprngfield, IL",
}

_BUILD_ONCE = """
import json, time
start_wall, start_cpu = time.perf_counter(), time.process_time()
from locator import geocode
records = geocode._package_zip_records()
read_wall, read_cpu = time.perf_counter(), time.process_time()
geocode.Geocoder(records)
end_wall, end_cpu = time.perf_counter(), time.process_time()
print(json.dumps({"read_wall": read_wall - start_wall, "read_cpu": read_cpu - start_cpu,
                  "tables_wall": end_wall - read_wall, "tables_cpu": end_cpu - read_cpu}))
"""


def time_builds(builds: int) -> dict[str, float]:
    runs = [json.loads(subprocess.run([sys.executable, "-c", _BUILD_ONCE], check=True,
                                      capture_output=True, text=True).stdout)
            for _ in range(builds)]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def time_call_us(call, text: str, calls: int) -> float:
    samples = []
    for _ in range(calls):
        start = time.perf_counter_ns()
        with contextlib.suppress(LocatorError):  # the error paths are timed too
            call(text)
        samples.append((time.perf_counter_ns() - start) / 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()

    build = time_builds(args.builds)
    print(f"construction, median of {args.builds} fresh processes (seconds):")
    print(f"  {'':22} {'wall':>6} {'cpu':>6}")
    for part in ("read", "tables"):
        print(f"  {part + ' (zipcodes)' if part == 'read' else part:22} "
              f"{build[part + '_wall']:6.3f} {build[part + '_cpu']:6.3f}")
    print(f"  {'total':22} {build['read_wall'] + build['tables_wall']:6.3f} "
          f"{build['read_cpu'] + build['tables_cpu']:6.3f}")

    geocoder = Geocoder()
    print(f"per call, median of {args.calls} (µs):")
    for form, text in QUERIES.items():
        time_call_us(geocoder.geocode, text, 10)
        print(f"  {form:22} {time_call_us(geocoder.geocode, text, args.calls):8.1f}")
    for prefix in ("s", "spr", "604"):
        print(f"  {'suggest ' + repr(prefix):22} "
              f"{time_call_us(geocoder.suggest, prefix, args.calls):8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
