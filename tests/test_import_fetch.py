"""``locator data fetch``: checksums, progress, and a clear way out without internet.

No test here touches the internet: downloads come from a server on 127.0.0.1, and the
unreachable case points at a closed local port.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_shared_data

from locator.cli import main
from locator.errors import InvalidInput
from locator.sources import discover
from locator.sources.fetch import (
    CHECKSUM_LEDGER,
    ChecksumMismatch,
    OfficialFile,
    Unreachable,
    fetch_official,
    official_files,
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
    assert err.startswith("locator: could not download pls_fy2024_csv.zip: could not reach "
                          "127.0.0.1:9")
    for official in official_files():
        assert official.name in err
        assert official.url in err  # the official address, not the mirror
        assert (official.sha256 or "sha256 (not published)") in err
    assert "Then run: locator data import" in err


def test_cli_fetch_keeps_official_files_already_in_place(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared = require_shared_data()
    for official in official_files("FY2021"):
        (tmp_path / official.name).symlink_to(shared / official.name)
    # The mirror is unreachable, so a pass proves no download was attempted.
    code = main(["data", "fetch", "--sources", str(tmp_path), "--mirror", UNREACHABLE,
                 "--vintage", "FY2021"])
    out = capsys.readouterr().out
    assert code == 0
    for official in official_files("FY2021"):
        assert f"{official.name}: already present, sha256 {official.sha256} checked" in out


def test_cli_fetch_shows_download_progress_on_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, server: LocalServer) -> None:
    monkeypatch.setattr("locator.cli.data.official_files",
                        lambda vintage=None: (example_file("https://example.org/example.txt"),))
    code = main(["data", "fetch", "--sources", str(tmp_path), "--mirror",
                 server.url + "/data"])
    captured = capsys.readouterr()
    assert code == 0
    assert f"downloading example.txt: {len(PAYLOAD) / 1e6:.1f} of " in captured.err
    assert "example.txt: downloaded, sha256 " in captured.out


# -- vintages without a published checksum --------------------------------------------------

def made_up_pls_zip(vintage_year: str, library: str) -> bytes:
    """A small zip shaped like a newer PLS release: ``CSV/`` folder, fictional outlet rows."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"CSV/pls_fy{vintage_year[2:]}_outlet_pud{vintage_year[2:]}i.csv",
                         "STABR,FSCSKEY,FSCS_SEQ,LIBNAME,C_OUT_TY\n"
                         f"IL,IL9999,001,{library},CE\n")
    return buffer.getvalue()


FY2024 = official_files("FY2024")[0]


def test_default_fetch_is_the_newest_pls_vintage() -> None:
    assert FY2024.name == "pls_fy2024_csv.zip"
    assert FY2024.url == "https://www.imls.gov/sites/default/files/2026-06/pls_fy2024_csv.zip"
    assert official_files()[0] == FY2024
    assert [f.url.rsplit("/", 2)[-2] for f in (official_files(v)[0] for v in
            ("FY2022", "FY2023"))] == ["2024-06", "2025-08"]
    with pytest.raises(InvalidInput, match="unknown PLS vintage 'FY2030'"):
        official_files("FY2030")


def test_first_download_of_an_unpublished_checksum_is_recorded_and_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = made_up_pls_zip("2024", "EXAMPLE PUBLIC LIBRARY")
    digest = hashlib.sha256(body).hexdigest()
    with LocalServer({"/m/pls_fy2024_csv.zip": body}) as mirror:
        fetched = fetch_official(tmp_path, files=[FY2024], mirror=mirror.url + "/m")
    assert [(f.downloaded, f.recorded, f.sha256) for f in fetched] == [(True, True, digest)]
    assert (tmp_path / CHECKSUM_LEDGER).read_text() == f"{digest}  pls_fy2024_csv.zip\n"
    assert (tmp_path / "pls_fy2024_csv.zip").read_bytes() == body


def test_a_later_download_with_other_bytes_for_the_same_vintage_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = made_up_pls_zip("2024", "EXAMPLE PUBLIC LIBRARY")
    second = made_up_pls_zip("2024", "ANOTHER EXAMPLE LIBRARY")
    census = {f"/m/{f.name}": (require_shared_data() / f.name).read_bytes()
              for f in official_files()[1:]}
    with LocalServer({"/m/pls_fy2024_csv.zip": first, **census}) as mirror:
        assert main(["data", "fetch", "--sources", str(tmp_path), "--mirror",
                     mirror.url + "/m"]) == 0
        # The file in the folder is damaged; the publisher now serves other bytes.
        (tmp_path / "pls_fy2024_csv.zip").write_bytes(b"damaged")
        mirror.files["/m/pls_fy2024_csv.zip"] = second
        capsys.readouterr()
        code = main(["data", "fetch", "--sources", str(tmp_path), "--mirror",
                     mirror.url + "/m"])
        err = capsys.readouterr().err
        assert code == 2
        assert f"has sha256 {hashlib.sha256(second).hexdigest()}, but " \
               f"{hashlib.sha256(first).hexdigest()} was recorded" in err
        assert "--accept-new-checksum" in err
        assert (tmp_path / "pls_fy2024_csv.zip").read_bytes() == b"damaged"
        assert not (tmp_path / "pls_fy2024_csv.zip.part").exists()

        code = main(["data", "fetch", "--sources", str(tmp_path), "--mirror",
                     mirror.url + "/m", "--accept-new-checksum"])
        out = capsys.readouterr().out
    assert code == 0
    assert (tmp_path / "pls_fy2024_csv.zip").read_bytes() == second
    new_digest = hashlib.sha256(second).hexdigest()
    assert f"sha256 {new_digest} is recorded in {tmp_path / CHECKSUM_LEDGER}" in out
    assert (tmp_path / CHECKSUM_LEDGER).read_text() == f"{new_digest}  pls_fy2024_csv.zip\n"


def test_a_file_matching_its_recorded_checksum_is_not_downloaded_again(
        tmp_path: Path) -> None:
    body = made_up_pls_zip("2024", "EXAMPLE PUBLIC LIBRARY")
    with LocalServer({"/m/pls_fy2024_csv.zip": body}) as mirror:
        fetch_official(tmp_path, files=[FY2024], mirror=mirror.url + "/m")
        again = fetch_official(tmp_path, files=[FY2024], mirror=mirror.url + "/m")
        assert mirror.requests == ["/m/pls_fy2024_csv.zip"]
    assert [(f.downloaded, f.recorded) for f in again] == [(False, False)]


def test_the_checksum_ledger_is_not_taken_for_a_source_file(tmp_path: Path) -> None:
    (tmp_path / CHECKSUM_LEDGER).write_text(f"{'0' * 64}  pls_fy2024_csv.zip\n")
    discovery = discover(tmp_path)
    assert discovery.files == () and discovery.ignored == ()


def test_a_host_that_accepts_but_never_answers_is_given_up_after_the_timeout(
        tmp_path: Path) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections complete in the backlog; nothing ever replies
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.perf_counter()
        with pytest.raises(Unreachable):
            fetch_official(tmp_path, files=[example_file(url + "/example.txt")],
                           timeout_s=0.5)
        waited_s = time.perf_counter() - started
    assert 0.4 < waited_s < 3
