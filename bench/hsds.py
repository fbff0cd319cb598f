"""Benchmark: the directory as HSDS 3.0 on the real national data.

Run: .venv/bin/python bench/hsds.py [--repeat 3] [--requests 50] [--data DIR]

Imports the IMLS outlets from the public-data folder (default: ../shared/data beside the
checkout) into a temporary database, then measures, each beside a reference in the same run:

- export: ``locator export hsds`` as JSON and as the CSV package, beside writing the same
  sites in the locator's own flat JSON (``site_json``): what the nesting and ids cost.
  Medians over ``--repeat`` runs, file sizes.
- import back: importing each export into a fresh database, beside importing the official
  PLS zip the sites came from.
- API: ``/hsds/`` pages and look-ups through the whole Flask stack in-process (the test
  client), beside ``/api/nearest`` and ``/api/sites/<id>``; medians over ``--requests``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _public_data import add_data_option, require_data

from locator import hsds, hsds_files
from locator.importer import import_sources
from locator.search import site_json
from locator.sites import Status
from locator.store import open_store
from web import create_app

PLS_ZIP = "pls_fy2021_csv.zip"


def median_s(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_s(folder: Path, workdir: Path, name: str) -> float:
    url = f"sqlite:///{workdir / name}"
    start = time.perf_counter()
    with open_store(url) as store:
        import_sources(store, folder)
    return time.perf_counter() - start


def export_bench(sites, workdir: Path, repeat: int) -> tuple[Path, Path]:
    json_file, package = workdir / "json" / "services.json", workdir / "package"
    own = workdir / "own.json"
    timings = {
        "HSDS JSON": median_s(lambda: hsds_files.write_json(sites, json_file), repeat),
        "HSDS CSV package": median_s(lambda: hsds_files.write_package(sites, package), repeat),
        "reference: own flat JSON": median_s(lambda: own.write_text(
            json.dumps([site_json(s) for s in sites])), repeat),
    }
    sizes = {"HSDS JSON": json_file.stat().st_size,
             "HSDS CSV package": sum(p.stat().st_size for p in package.iterdir()),
             "reference: own flat JSON": own.stat().st_size}
    reference = timings["reference: own flat JSON"]
    print(f"export of {len(sites):,} approved places (median of {repeat}):")
    for name, seconds in timings.items():
        print(f"  {name:26s} {seconds:6.2f} s  {sizes[name] / 1e6:6.1f} MB  "
              f"x{seconds / reference:.1f} the reference")
    return json_file.parent, package


def import_bench(data_dir: Path, json_folder: Path, package: Path, workdir: Path) -> None:
    pls = workdir / "pls"
    pls.mkdir()
    (pls / PLS_ZIP).symlink_to(data_dir / PLS_ZIP)
    reference = import_s(pls, workdir, "pls.db")
    print("import into a fresh database (one run each):")
    for name, folder in (("HSDS JSON", json_folder), ("HSDS CSV package", package)):
        seconds = import_s(folder, workdir, f"{name.replace(' ', '_')}.db")
        print(f"  {name:26s} {seconds:6.2f} s  x{seconds / reference:.2f} the reference")
    print(f"  {'reference: official PLS zip':26s} {reference:6.2f} s")


def api_bench(url: str, sites, requests: int) -> None:
    client = create_app({"DATABASE_URL": url}).test_client()
    site = sites[len(sites) // 2]
    cases = {
        "/hsds/services?per_page=50": "/hsds/services?per_page=50",
        "/hsds/services?search=public+library&page=3": "/hsds/services?search=public+library"
                                                       "&page=3",
        "/hsds/service_at_locations?postcode&proximity": "/hsds/service_at_locations?"
                                                         "postcode=60601&proximity=5000",
        "/hsds/services/<id>": f"/hsds/services/{hsds.service_id(site.id)}",
        "reference: /api/nearest?k=50": "/api/nearest?q=60601&k=50",
        "reference: /api/sites/<id>": f"/api/sites/{site.id}",
    }
    start = time.perf_counter()
    client.get("/hsds/services?per_page=1")  # builds the catalog and the HSDS id look-ups
    print(f"API, first request (catalog and id look-ups built): "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")
    print(f"API, warm (median of {requests} requests):")
    for name, path in cases.items():
        def get(path: str = path) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        print(f"  {name:48s} {median_s(get, requests) * 1000:7.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_option(parser)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    require_data(args.data)
    with tempfile.TemporaryDirectory() as work:
        workdir = Path(work)
        source = workdir / "source"
        source.mkdir()
        (source / PLS_ZIP).symlink_to(args.data / PLS_ZIP)
        url = f"sqlite:///{workdir / 'national.db'}"
        with open_store(url) as store:
            import_sources(store, source)
            sites = store.sites(statuses=[Status.APPROVED])
        json_folder, package = export_bench(sites, workdir, args.repeat)
        import_bench(args.data, json_folder, package, workdir)
        api_bench(url, sites, args.requests)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
