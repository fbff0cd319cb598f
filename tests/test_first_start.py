"""The first start (`make run` = `locator data import --if-empty --fetch-timeout S`, then
serve): with no source files and no internet the bundled snapshot is imported and every
part of the app answers from it; source files win; an unreachable host costs seconds."""

from __future__ import annotations

import json
import shutil
import socket
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from html_page import Elements

from locator.cli import main
from locator.geo import haversine_mi
from locator.importer import import_snapshot
from locator.sites import Kind
from locator.sources.fetch import OfficialFile, official_files
from locator.store import open_store
from web import create_app

FIXTURES = Path(__file__).parent / "fixtures"
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'db' / 'locator.db'}"
    monkeypatch.setenv("LOCATOR_DATABASE_URL", url)
    monkeypatch.delenv("LOCATOR_SOURCES", raising=False)
    return url


@pytest.fixture(scope="module")
def snapshot_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('first_start') / 'locator.db'}"
    with open_store(url) as store:
        import_snapshot(store)
    return url


@pytest.fixture(scope="module")
def snapshot_client(snapshot_db_url: str) -> FlaskClient:
    return create_app({"DATABASE_URL": snapshot_db_url, "TESTING": True}).test_client()


def status_json(capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    assert main(["data", "status", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_sources_present_win_over_the_snapshot(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], database: str) -> None:
    sources = tmp_path / "sources"
    assert main(["data", "import", "--if-empty", "--sources", str(sources)]) == 0
    assert {i["source"] for i in status_json(capsys)["imports"] if i["bundled_snapshot"]} == {
        "imls_pls", "census_cenpop_tract", "census_cenpop_county"}
    assert main(["data", "status"]) == 0
    assert "data: the bundled snapshot shipped with the app" in capsys.readouterr().out
    # The next start with still no sources keeps what is there.
    assert main(["data", "import", "--if-empty", "--sources", str(sources)]) == 0
    assert capsys.readouterr().out.startswith("the database already holds 17,425 sites")

    sources.mkdir()
    shutil.copy(FIXTURES / "pls_fy2021_outlets_example.csv", sources)
    assert main(["data", "import", "--if-empty", "--sources", str(sources)]) == 0
    imports = {i["source"]: i for i in status_json(capsys)["imports"]}
    assert imports["imls_pls"]["file"] == "pls_fy2021_outlets_example.csv"
    assert not imports["imls_pls"]["bundled_snapshot"]
    assert imports["census_cenpop_tract"]["bundled_snapshot"]  # no tract file: kept

    # Once the sources are imported, the next start leaves the database alone.
    capsys.readouterr()
    assert main(["data", "import", "--if-empty", "--sources", str(sources)]) == 0
    assert capsys.readouterr().out.startswith("the database already holds ")


def test_a_regions_file_alone_is_imported_after_the_snapshot(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], database: str) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "lwia.csv").write_text("county_fips,region\n17167,LWIA 21\n", encoding="utf-8")
    assert main(["data", "import", "--if-empty", "--sources", str(sources)]) == 0
    assert "importing the data snapshot bundled with the app" in capsys.readouterr().out
    with open_store(database) as store:
        assert store.count_sites() == 17_425
        assert store.regions() == {"17167": "LWIA 21"}


def silent_host() -> socket.socket:
    """A listening socket that never answers: connections wait in its backlog."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    return silent


@pytest.mark.parametrize("host", ["refusing", "silent"])
def test_an_unreachable_host_falls_back_to_the_snapshot_within_the_timeout(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], database: str,
        monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    with silent_host() as silent:
        base = UNREACHABLE if host == "refusing" else \
            f"http://127.0.0.1:{silent.getsockname()[1]}"
        moved = tuple(OfficialFile(f.name, f"{base}/{f.name}", f.sha256, f.size_bytes,
                                   f.description) for f in official_files())
        monkeypatch.setattr("locator.cli.data.official_files", lambda vintage=None: moved)
        started = time.perf_counter()
        code = main(["data", "import", "--if-empty", "--fetch-timeout", "1",
                     "--sources", str(tmp_path / "sources")])
        waited_s = time.perf_counter() - started
    out = capsys.readouterr().out
    assert code == 0
    assert "download not possible after " in out
    assert "importing the data snapshot bundled with the app" in out
    # Connection refused costs nothing; a silent host one timeout, then the snapshot's
    # import (about 2 s on the 2-core build machine).
    assert waited_s < 15
    assert status_json(capsys)["sites"]["total"] == 17_425


def test_search_api_detail_and_footer_answer_from_the_snapshot(
        snapshot_client: FlaskClient, snapshot_db_url: str) -> None:
    nearest = snapshot_client.get("/api/nearest?q=62701&k=3&kind=library")
    assert nearest.status_code == 200
    answer = nearest.get_json()
    with open_store(snapshot_db_url) as store:
        libraries = [s for s in store.sites() if s.kind is Kind.LIBRARY]
    lat, lon = answer["query"]["lat"], answer["query"]["lon"]
    brute_force = sorted(libraries, key=lambda s: float(haversine_mi(lat, lon, s.lat, s.lon)))[:3]
    assert [r["id"] for r in answer["results"]] == [s.id for s in brute_force]

    page = snapshot_client.get("/?q=62701")
    assert page.status_code == 200
    html = Elements(page.get_data(as_text=True))
    assert html.all("p", id="data-vintage")
    assert ("Library data: IMLS Public Libraries Survey FY2021, from the data snapshot "
            "bundled with the app.") in html.plain_text
    detail = snapshot_client.get(f"/sites/{brute_force[0].id}")
    assert detail.status_code == 200


def test_planner_report_and_exports_answer_from_the_snapshot(
        snapshot_client: FlaskClient) -> None:
    report = snapshot_client.get("/planner/report?state=IL&within=5,10")
    assert report.status_code == 200
    text = Elements(report.get_data(as_text=True)).plain_text
    vintages = text[text.index("Data sources and vintages"):]
    assert "imls_pls FY2021 locator-snapshot.zip[pls_fy2021_outlets.csv] (the data snapshot " \
           "bundled with the app)" in vintages
    assert vintages.count("(the data snapshot bundled with the app)") == 3
    counties = snapshot_client.get("/api/coverage?state=IL&within=10&by=county").get_json()
    assert len(counties["rows"]) == 102
    csv_export = snapshot_client.get("/api/coverage?state=IL&within=10&by=county&format=csv")
    assert csv_export.status_code == 200
    assert len(csv_export.get_data(as_text=True).strip().splitlines()) == 103
