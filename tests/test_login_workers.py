"""The failed-login limit under the production server: ``locator serve`` with two gunicorn
worker processes sharing one database. After ``MAX_FAILURES`` failures in the window for an
account (from many client addresses), or from one client address (against many accounts),
every further attempt gets HTTP 429 saying when to try again — from whichever worker
answers, including one that saw fewer than ``MAX_FAILURES`` of the failures itself."""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from html_page import Elements
from live_server import Server
from partner_web import PASSWORD, add_account
from web_sites import make_db

from locator import logins

ACCOUNT = "ana@library.example"
# Attempts after the lock, at most, to see both workers answer one.
MAX_LOCKED_ATTEMPTS = 60


class Browser:
    """One client with its own cookies, from one address (the proxy header the server is
    told to trust); every request opens a new connection, so either worker may answer."""

    def __init__(self, base_url: str, address: str) -> None:
        self.base_url, self.address = base_url, address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def log_in(self, email: str, password: str) -> tuple[int, str, dict[str, str]]:
        page = self._open(urllib.request.Request(self.base_url + "/login"))[1]
        token = next(a["value"] for a in Elements(page).all("input", name="csrf_token"))
        body = urllib.parse.urlencode({"email": email, "password": password,
                                       "csrf_token": token}).encode()
        return self._open(urllib.request.Request(self.base_url + "/login", data=body))

    def _open(self, request: urllib.request.Request) -> tuple[int, str, dict[str, str]]:
        request.add_header("X-Forwarded-For", self.address)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode(), dict(error.headers)


def login_pids(server: Server, at_least: int = 0) -> list[int]:
    """The worker pid of every POST /login answered so far, in order, once the access log
    holds ``at_least`` of them."""
    deadline = time.monotonic() + 10
    while True:
        records = [json.loads(line) for line in list(server.lines) if line.startswith("{")]
        pids = [r["pid"] for r in records if r["path"] == "/login" and r["method"] == "POST"]
        if len(pids) >= at_least or time.monotonic() > deadline:
            return pids
        time.sleep(0.05)


def assert_says_when_to_retry(status: int, page: str, headers: dict[str, str]) -> None:
    assert status == 429
    assert 0 < int(headers["Retry-After"]) <= logins.WINDOW_S
    assert re.search(r"Try again in 1[45] minutes, at ", Elements(page).plain_text)


def locked_from_both_workers(server: Server, attempt) -> set[int]:
    """Attempts until each of the two workers has answered one with 429."""
    pids: set[int] = set()
    for _ in range(MAX_LOCKED_ATTEMPTS):
        seen = len(login_pids(server))
        assert_says_when_to_retry(*attempt())
        pids.add(login_pids(server, seen + 1)[seen])
        if len(pids) == 2:
            break
    return pids


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    url = make_db(tmp_path_factory.mktemp("login_workers"))
    add_account(url, ACCOUNT)
    add_account(url, "bo@library.example")
    running = Server(url, workers=2, LOCATOR_PROXY_FIX="true")
    try:
        running.wait_until_up()
        assert len(running.worker_pids()) == 2
        yield running
    finally:
        running.stop()


def test_an_accounts_failures_from_many_addresses_lock_it_in_every_worker(
        server: Server) -> None:
    for i in range(logins.MAX_FAILURES):
        status, _, _ = Browser(server.base_url, f"198.51.100.{i + 1}").log_in(ACCOUNT, "wrong")
        assert status == 401
    # Even the right password waits, from an address that never failed. Both workers
    # answer 429, so at least one of them does so having seen at most half the failures.
    pids = locked_from_both_workers(server, lambda: Browser(
        server.base_url, "203.0.113.50").log_in(ACCOUNT, PASSWORD))
    assert pids == server.worker_pids(), "one worker answered every attempt"


def test_one_addresss_failures_against_many_accounts_lock_it_in_every_worker(
        server: Server) -> None:
    guesser = Browser(server.base_url, "192.0.2.77")
    for i in range(logins.MAX_FAILURES):
        assert guesser.log_in(f"guess{i}@library.example", "wrong")[0] == 401
    pids = locked_from_both_workers(server, lambda: guesser.log_in("bo@library.example",
                                                                   PASSWORD))
    assert pids == server.worker_pids(), "one worker answered every attempt"
    # Another address logs in to the same account at once.
    assert Browser(server.base_url, "192.0.2.78").log_in("bo@library.example",
                                                         PASSWORD)[0] == 200
