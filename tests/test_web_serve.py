"""``locator serve`` runs the app under gunicorn, a production WSGI server, and ``locator``
itself never imports Flask."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import REPO
from web_sites import PUBLIC_SITES, make_db

from locator.cli import build_parser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
