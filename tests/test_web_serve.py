"""``locator serve`` runs the app under gunicorn, a production WSGI server, and ``locator``
itself never imports Flask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

from conftest import REPO
from live_server import Server, free_port
from web_sites import PUBLIC_SITES, make_db

from locator.cli import build_parser
from locator.sites import Kind, Site
from locator.store import open_store
from web.data import DATA_CHECK_INTERVAL_S


def test_serve_answers_through_gunicorn_on_the_given_port(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "LOCATOR_DATABASE_URL": make_db(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "locator", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the server did not start in 60 s"
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/sites/{PUBLIC_SITES[0].id}",
                        timeout=2) as response:
                    body, server = json.load(response), response.headers["Server"]
                break
            except OSError:
                time.sleep(0.2)
        assert body["name"] == PUBLIC_SITES[0].name
        assert server.startswith("gunicorn")
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
        process.stderr.close()


def test_serve_help_gives_host_port_and_an_example() -> None:
    parser = build_parser()
    serve = parser._subparsers._group_actions[0].choices["serve"]
    text = serve.format_help()
    assert "--host" in text and "--port" in text
    assert "example:\n  locator serve --host 127.0.0.1 --port 8000" in text


def test_the_locator_package_does_not_import_flask_or_folium() -> None:
    code = ("import sys, locator.cli.serve, locator.cli; locator.cli.build_parser(); "
            "print(sorted({'flask', 'folium', 'mapfile.maps'} & set(sys.modules)))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True, cwd=REPO)
    assert completed.stdout.strip() == "[]"


def access_records(lines: list[str]) -> list[dict]:
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_serve_logs_one_json_object_per_request_to_stderr(tmp_path: Path) -> None:
    server = Server(make_db(tmp_path))
    try:
        server.wait_until_up()
        server.get("/api/nearest?lat=39.8&lon=-89.65&k=2&note=%22quoted%22")
        try:
            server.get("/no-such-page")
        except urllib.error.HTTPError as error:
            error.close()
            assert error.code == 404
        time.sleep(0.5)
    finally:
        server.stop()
    records = access_records(server.lines)
    nearest = next(r for r in records if r["path"] == "/api/nearest")
    missing = next(r for r in records if r["path"] == "/no-such-page")
    assert {"time", "method", "path", "status", "duration_ms"} <= set(nearest)
    assert nearest["method"] == "GET" and nearest["status"] == 200
    assert nearest["query"] == "lat=39.8&lon=-89.65&k=2&note=%22quoted%22"
    assert nearest["duration_ms"] > 0
    assert missing["status"] == 404
    assert datetime.fromisoformat(nearest["time"]).tzinfo is not None


def test_sighup_reloads_workers_while_requests_keep_being_answered(tmp_path: Path) -> None:
    server = Server(make_db(tmp_path))
    try:
        server.wait_until_up()
        before = server.worker_pids()
        server.process.send_signal(signal.SIGHUP)
        statuses = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            statuses.append(server.get(f"/api/sites/{PUBLIC_SITES[0].id}")[0])
            after = server.worker_pids()
            if after and not after & before and len(statuses) > 20:
                break
            time.sleep(0.02)
        assert server.process.poll() is None
        assert after and not after & before, "the old workers were not replaced"
        assert set(statuses) == {200}
    finally:
        server.stop()


def test_a_commit_reaches_every_worker_within_two_seconds_at_the_default_interval(
        tmp_path: Path) -> None:
    url = make_db(tmp_path)
    server = Server(url, LOCATOR_DATA_CHECK_INTERVAL_S=str(DATA_CHECK_INTERVAL_S))
    try:
        server.wait_until_up()
        for n in range(40):  # both workers have their catalog before the change
            assert server.status(f"/api/sites/new-1?warm={n}") == 404
        with open_store(url) as store:
            store.upsert_sites([Site("new-1", "New Library", Kind.LIBRARY, 39.81, -89.64)])
        committed = time.monotonic()
        asked: dict[str, float] = {}  # query -> seconds after the commit it was asked
        while time.monotonic() - committed < 3.0:
            query = f"n={len(asked)}"
            asked[query] = time.monotonic() - committed
            server.status(f"/api/sites/new-1?{query}")
            time.sleep(0.005)
        time.sleep(0.5)  # the last access records reach stderr
        by_worker: dict[int, list[tuple[float, int]]] = {}
        for record in server.access_records():
            if record["path"] == "/api/sites/new-1" and record["query"] in asked:
                by_worker.setdefault(record["pid"], []).append(
                    (asked[record["query"]], record["status"]))
        assert len(by_worker) == 2, "both workers should have answered"
        for answers in by_worker.values():
            answers.sort()
            missed = [at for at, status in answers if status != 200]
            seen_after = max(missed, default=0.0)
            assert seen_after < 2.0, f"a worker still missed the change {seen_after:.2f} s on"
            assert all(status == 200 for at, status in answers if at > seen_after)
            assert answers[-1][1] == 200
    finally:
        server.stop()
