"""The OpenAPI document describes exactly what the API routes do: schemathesis, run with
every check against the production server, finds no failure.

Bounded (a fixed seed and a few examples per operation) so it stays fast and repeatable;
the same command with more examples is how the document is checked by hand (README).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO
from live_server import Server
from planner_data import TRACTS, make_coverage_db

from locator.geodata import states
from locator.store import open_store

MAX_EXAMPLES = 25
SEED = 20261202
REQUEST_TIMEOUT_S = 60


def make_every_state_db(directory: Path) -> str:
    """The planner's coverage world plus made-up residents in every other state, so that
    every state the document lists has residents to count (a state with none is a 400)."""
    url = make_coverage_db(directory)
    counted = {tract[1][:2] for tract in TRACTS}
    extra = [(f"{s.fips}9999990{i:02d}", f"{s.fips}999", 100, 39.0, -95.0)
             for i, s in enumerate(states()) if s.fips not in counted]
    with open_store(url) as store:
        store.replace_population("tract", [*TRACTS, *extra], vintage="2020")
    return url


def test_schemathesis_finds_no_failure_with_every_check(tmp_path: Path) -> None:
    server = Server(make_every_state_db(tmp_path))
    try:
        server.wait_until_up()
        completed = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run",
             f"{server.base_url}/api/openapi.json", "--checks", "all",
             "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--workers", "1",
             # Each server worker's first search loads the geocoder (about 4 s of CPU),
             # longer than schemathesis's default 10 s wait on a busy shared machine.
             "--request-timeout", str(REQUEST_TIMEOUT_S),
             "--no-color"],
            cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    finally:
        server.stop()
    summary = completed.stdout[-3000:]
    assert completed.returncode == 0, summary
    assert " passed" in summary and "failure" not in summary.split("SUMMARY")[-1].lower(), \
        summary
