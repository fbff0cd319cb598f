"""``locator data fetch``: checksums, progress, and a clear way out without internet.

No test here touches the internet: downloads come from a server on 127.0.0.1, and the
unreachable case points at a closed local port.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_shared_data

from locator.cli import main
from locator.sources.fetch import (
    OFFICIAL_FILES,
    ChecksumMismatch,
    OfficialFile,
    Unreachable,
    fetch_official,
)

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens there
PAYLOAD = b"STATEFP,COUNTYFP,COUNAME,STNAME,POPULATION,LATITUDE,LONGITUDE\n" \
          b"17,019,Example,Illinois,2000,+40.114000,-088.229000\n"


class LocalServer:
    """Serves fixed bytes by path on 127.0.0.1 and counts requests."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer({"/data/example.txt": PAYLOAD}) as running:
        yield running


def example_file(url: str, sha256: str | None = None) -> OfficialFile:
    return OfficialFile("example.txt", url, sha256 or hashlib.sha256(PAYLOAD).hexdigest(),
                        len(PAYLOAD), "a fictional example file")


def test_download_is_saved_after_its_checksum_matches(tmp_path: Path,
                                                      server: LocalServer) -> None:
    seen: list[tuple[str, int, int]] = []
    fetched = fetch_official(tmp_path, files=[example_file(server.url + "/data/example.txt")],
                             progress=lambda *p: seen.append(p))
    assert [(f.name, f.downloaded) for f in fetched] == [("example.txt", True)]
    assert (tmp_path / "example.txt").read_bytes() == PAYLOAD
    assert seen[-1] == ("example.txt", len(PAYLOAD), len(PAYLOAD))


def test_a_file_already_present_with_the_right_checksum_is_not_downloaded(
        tmp_path: Path, server: LocalServer) -> None:
    (tmp_path / "example.txt").write_bytes(PAYLOAD)
    fetched = fetch_official(tmp_path, files=[example_file(server.url + "/data/example.txt")])
    assert [f.downloaded for f in fetched] == [False]
    assert server.requests == []


def test_a_present_file_with_the_wrong_checksum_is_replaced(
        tmp_path: Path, server: LocalServer) -> None:
    (tmp_path / "example.txt").write_bytes(b"truncated")
    fetch_official(tmp_path, files=[example_file(server.url + "/data/example.txt")])
    assert (tmp_path / "example.txt").read_bytes() == PAYLOAD


def test_a_download_with_the_wrong_checksum_is_not_kept(tmp_path: Path,
                                                        server: LocalServer) -> None:
    wrong = example_file(server.url + "/data/example.txt", sha256="0" * 64)
    with pytest.raises(ChecksumMismatch, match="expected 0000"):
        fetch_official(tmp_path, files=[wrong])
    assert list(tmp_path.iterdir()) == []


def test_mirror_replaces_the_host_and_path(tmp_path: Path, server: LocalServer) -> None:
    files = [example_file("https://www2.census.gov/somewhere/example.txt")]
    fetch_official(tmp_path, files=files, mirror=server.url + "/data/")
    assert server.requests == ["/data/example.txt"]


def test_unreachable_host_says_so_and_how_to_fill_the_folder_by_hand(tmp_path: Path) -> None:
    with pytest.raises(Unreachable) as raised:
        fetch_official(tmp_path, files=[example_file(UNREACHABLE + "/example.txt")])
    message = str(raised.value)
    assert "could not reach 127.0.0.1:9" in message
    assert f"copy them, unchanged and under these names, into {tmp_path}/" in message
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


def test_cli_fetch_without_internet_exits_2_and_names_every_official_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["data", "fetch", "--sources", str(tmp_path), "--mirror", UNREACHABLE])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("locator: could not download pls_fy2021_csv.zip: could not reach "
                          "127.0.0.1:9")
    for official in OFFICIAL_FILES:
        assert official.name in err
        assert official.url in err  # the official address, not the mirror
        assert official.sha256 in err
    assert "Then run: locator data import" in err


def test_cli_fetch_keeps_official_files_already_in_place(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared = require_shared_data()
    for official in OFFICIAL_FILES:
        (tmp_path / official.name).symlink_to(shared / official.name)
    # The mirror is unreachable, so a pass proves no download was attempted.
    code = main(["data", "fetch", "--sources", str(tmp_path), "--mirror", UNREACHABLE])
    out = capsys.readouterr().out
    assert code == 0
    for official in OFFICIAL_FILES:
        assert f"{official.name}: already present, sha256 checked" in out


def test_cli_fetch_shows_download_progress_on_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, server: LocalServer) -> None:
    monkeypatch.setattr("locator.sources.fetch.OFFICIAL_FILES",
                        (example_file("https://example.org/example.txt"),))
    code = main(["data", "fetch", "--sources", str(tmp_path), "--mirror",
                 server.url + "/data"])
    captured = capsys.readouterr()
    assert code == 0
    assert f"downloading example.txt: {len(PAYLOAD) / 1e6:.1f} of " in captured.err
    assert "example.txt: downloaded, sha256 checked" in captured.out
