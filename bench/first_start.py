"""Time from `make run` in a fresh clone to the first nearest-library answer.

    python bench/first_start.py CLONE_DIR [--ref HEAD] [--cold-pip-cache]

Clones this repository's ``--ref`` into ``CLONE_DIR`` (which must not exist), runs
``make run`` there on a free port with an empty database and no source files, and polls
``/api/nearest?q=62701`` until it answers, then asks for the Illinois coverage report
(``/planner/report?state=IL``). Prints the seconds to the first answer, to the report, and when
each step of ``make run`` began (from its output, line by line), the snapshot import time
it reported, and the first answer. ``--cold-pip-cache``
gives pip an empty cache folder, as on a machine that never installed the packages. The
server is stopped at the end; the clone is left for inspection.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POLL_S = 0.5
IL_REPORT = "/planner/report?state=IL&within=5,10"
# What make run prints as each step starts.
STEPS = (("pip install", ".venv/bin/python -m pip install --quiet -e ."),
         ("data import", ".venv/bin/python -m locator data import"),
         ("serve", ".venv/bin/python -m locator serve"),
         ("listening", "locator: serving on"))
GIVE_UP_S = 3600


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clone_dir", type=Path)
    parser.add_argument("--ref", default="HEAD")
    parser.add_argument("--cold-pip-cache", action="store_true")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", args.ref], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout.strip()
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(REPO), str(args.clone_dir)],
                   check=True)
    subprocess.run(["git", "checkout", "--quiet", commit], cwd=args.clone_dir, check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOCATOR_")}
    if args.cold_pip_cache:
        env["PIP_CACHE_DIR"] = tempfile.mkdtemp(prefix="pip-cache-")
    port = _free_port()
    log = args.clone_dir.parent / f"{args.clone_dir.name}-make-run.log"
    started = time.perf_counter()
    lines: list[tuple[float, str]] = []
    server = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=args.clone_dir, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    reader = threading.Thread(target=_timestamp_lines, args=(server, started, lines))
    reader.start()
    try:
        answer = _first_answer(port, server)
        elapsed_s = time.perf_counter() - started
        report_status = _get(f"http://127.0.0.1:{port}{IL_REPORT}")
        report_s = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        reader.join()
    log.write_text("".join(f"{at:8.1f} {line}" for at, line in lines))
    text = "".join(line for _, line in lines)
    imported = re.search(r"imported in ([\d.]+) s", text)
    print(json.dumps({
        "commit": commit, "cold_pip_cache": args.cold_pip_cache,
        "seconds_to_first_answer": round(elapsed_s, 1),
        "seconds_to_illinois_report": round(report_s, 1), "report_http_status": report_status,
        "step_started_at_s": {step: next((round(at, 1) for at, line in lines
                                          if line.startswith(prefix)), None)
                              for step, prefix in STEPS},
        "snapshot_import_s": float(imported.group(1)) if imported else None,
        "fetch_attempt": next((line for line in text.splitlines()
                               if line.startswith("download not possible")), None),
        "first_result": answer["results"][0]["name"] if answer["results"] else None,
        "log": str(log),
    }, indent=2))
    return 0


def _timestamp_lines(server: subprocess.Popen, started: float,
                     lines: list[tuple[float, str]]) -> None:
    assert server.stdout is not None
    for line in server.stdout:
        lines.append((time.perf_counter() - started, line))


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=600) as response:
        response.read()
        return response.status


def _first_answer(port: int, server: subprocess.Popen) -> dict:
    deadline = time.monotonic() + GIVE_UP_S
    url = f"http://127.0.0.1:{port}/api/nearest?q=62701&kind=library&k=3"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"make run exited with {server.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.load(response)
        except OSError:
            time.sleep(POLL_S)
    raise SystemExit(f"no answer within {GIVE_UP_S} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
