"""App settings that matter in production: the SECRET_KEY and the reverse-proxy opt-in."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from flask import Flask, request
from web_sites import make_db

from web import create_app
from web.secret import KEY_FILE


def _app(tmp_path: Path, **config: object) -> Flask:
    return create_app({"DATABASE_URL": make_db(tmp_path), "INSTANCE_PATH": tmp_path / "inst",
                       **config})


def test_generated_secret_key_is_private_and_stable_across_app_builds(tmp_path: Path) -> None:
    first = _app(tmp_path)
    key_file = tmp_path / "inst" / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 40
    assert _app(tmp_path).config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_secret_key_from_the_environment_wins_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCATOR_SECRET_KEY", "from-the-environment")
    app = _app(tmp_path)
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "inst" / KEY_FILE).exists()


def test_secret_key_files_of_two_instances_differ(tmp_path: Path) -> None:
    one = _app(tmp_path, INSTANCE_PATH=tmp_path / "a").config["SECRET_KEY"]
    other = _app(tmp_path, INSTANCE_PATH=tmp_path / "b").config["SECRET_KEY"]
    assert one != other


def _remote_addr_app(tmp_path: Path, **config: object) -> Flask:
    app = _app(tmp_path, **config)
    app.add_url_rule("/_test/client", "client",
                     lambda: {"addr": request.remote_addr, "scheme": request.scheme})
    return app


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def test_forwarded_headers_are_ignored_without_the_proxy_setting(tmp_path: Path) -> None:
    client = _remote_addr_app(tmp_path).test_client()
    body = client.get("/_test/client", headers=FORWARDED,
                      environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_json()
    assert body == {"addr": "10.0.0.2", "scheme": "http"}


def test_proxy_fix_takes_the_client_address_from_one_proxy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCATOR_PROXY_FIX", "1")
    client = _remote_addr_app(tmp_path).test_client()
    # A client may send its own X-Forwarded-For; the proxy appends the address it saw, and
    # only that last one is trusted.
    headers = {**FORWARDED, "X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    body = client.get("/_test/client", headers=headers,
                      environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_json()
    assert body == {"addr": "203.0.113.7", "scheme": "https"}
