"""Durability and concurrency on SQLite, with the national data: an import killed half-way
changes nothing, and searches keep answering in several processes while an import and a
stream of writes run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from web_sites import SITES, make_db

from locator.importer import import_sources
from locator.sites import Status
from locator.store import open_store, sqlite_path

FIXTURES = Path(__file__).parent / "fixtures"
NATIONAL_FILES = ("pls_fy2021_csv.zip", "CenPop2020_Mean_TR.txt", "CenPop2020_Mean_CO.txt")
# The national import writes tens of megabytes in its one transaction; by this much of it
# the write is well under way and far from its commit.
KILL_AT_WAL_BYTES = 2_000_000
pytestmark = pytest.mark.slow


def national_sources(shared_data: Path, folder: Path) -> Path:
    folder.mkdir()
    for name in NATIONAL_FILES:
        (folder / name).symlink_to(shared_data / name)
    return folder


def dump(path: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_import_killed_half_way_leaves_the_database_as_it_was(
        shared_data: Path, tmp_path: Path) -> None:
    url = make_db(tmp_path)
    path = sqlite_path(url)
    before = dump(path)
    sources = national_sources(shared_data, tmp_path / "sources")
    env = {**os.environ, "LOCATOR_DATABASE_URL": url}
    wal = Path(path + "-wal")
    importer = subprocess.Popen([sys.executable, "-m", "locator", "data", "import",
                                 "--sources", str(sources)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while importer.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > KILL_AT_WAL_BYTES:
            importer.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    errors = importer.communicate(timeout=30)[1]
    assert importer.returncode == -signal.SIGKILL, errors
    assert wal.stat().st_size > KILL_AT_WAL_BYTES  # killed with the write under way
    assert dump(path) == before
    with open_store(url) as store:
        report = import_sources(store, sources)
        libraries = next(r for r in report.results if r.source == "imls_pls")
        assert libraries.added > 17_000
        assert store.count_sites() == len(SITES) + libraries.added
        assert store.population_levels()["tract"] > 80_000


SEARCHER = textwrap.dedent("""
    import json, random, sys, time
    from pathlib import Path
    from web import create_app
    from web.data import site_data
    app = create_app({"DATABASE_URL": sys.argv[1], "TESTING": True})
    client, stop, rng = app.test_client(), Path(sys.argv[2]), random.Random(sys.argv[3])
    requests, errors = 0, []
    while not stop.exists():
        lat, lon = rng.uniform(30, 48), rng.uniform(-120, -75)
        for url in (f"/api/nearest?lat={lat}&lon={lon}&k=5",
                    f"/api/sites?bbox={lon - 1},{lat - 1},{lon + 1},{lat + 1}"):
            try:
                response = client.get(url)
                if response.status_code != 200:
                    errors.append(f"{url}: {response.status_code} {response.get_data(True)}")
            except Exception as error:
                errors.append(f"{url}: {error!r}")
            requests += 1
        time.sleep(0.005)  # leave the importer some of the machine
    with app.app_context():
        sites = len(site_data().catalog())
    print(json.dumps({"requests": requests, "errors": errors[:5], "failed": len(errors),
                      "sites": sites}))
""")
WRITER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from locator.sites import Status
    from locator.store import open_store
    stop, writes, errors = Path(sys.argv[2]), 0, []
    with open_store(sys.argv[1]) as store:
        while not stop.exists():
            status = Status.APPROVED if writes % 2 else Status.PENDING  # each one a change
            try:
                store.set_status(["diss-chatham"], status, actor="writer")
                writes += 1
            except Exception as error:
                errors.append(repr(error))
            time.sleep(0.05)
    print(json.dumps({"writes": writes, "errors": errors[:5], "failed": len(errors)}))
""")


def test_searches_keep_answering_in_several_processes_while_an_import_and_writes_run(
        shared_data: Path, tmp_path: Path) -> None:
    url = make_db(tmp_path)
    sources = national_sources(shared_data, tmp_path / "sources")
    stop, stop_writing = tmp_path / "stop", tmp_path / "stop-writing"
    env = {**os.environ, "LOCATOR_DATABASE_URL": url,
           "PYTHONPATH": os.pathsep.join(sys.path)}

    def start(*argv: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, *argv], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    searchers = [start("-c", SEARCHER, url, str(stop), str(n)) for n in range(3)]
    writer = start("-c", WRITER, url, str(stop_writing))
    time.sleep(2)
    importer = start("-m", "locator", "data", "import", "--sources", str(sources))
    imported = importer.communicate(timeout=600)
    time.sleep(1)
    # The writer first, so each searcher's last look at the catalog sees the final data.
    stop_writing.touch()
    written = json.loads(writer.communicate(timeout=120)[0])
    stop.touch()
    results = [json.loads(p.communicate(timeout=120)[0]) for p in searchers]
    assert importer.returncode == 0, imported[1]
    with open_store(url) as store:
        approved = len(store.sites(statuses=[Status.APPROVED]))
        writes = [c for c in store.history("diss-chatham") if c.actor == "writer"]
    for result in (*results, written):
        assert result["failed"] == 0, result["errors"]
    assert all(r["requests"] > 20 for r in results)
    assert all(r["sites"] == approved > 17_000 for r in results)  # they saw the import
    assert written["writes"] == len(writes) > 20
    assert "database is locked" not in imported[1]
