"""The bundled data snapshot: rebuilt byte for byte from the official files, within its size
budget, and imported it gives exactly what the official files give."""

from __future__ import annotations

import fnmatch
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

from geodata import build_snapshot
from locator import snapshot
from locator.importer import data_status, import_snapshot
from locator.sources.fetch import CENSUS_FILES, PLS_RELEASES
from locator.store import open_store

README = REPO / "geodata" / "snapshot" / "README.md"
BUDGET_BYTES = 4_000_000


@pytest.fixture(scope="module")
def snapshot_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('snapshot_db') / 'locator.db'}"
    with open_store(url) as store:
        import_snapshot(store)
    return url


def test_snapshot_rebuilds_byte_for_byte_from_the_official_files(
        tmp_path: Path, shared_data: Path) -> None:
    build_snapshot.main(["--data", str(shared_data), "--out", str(tmp_path)])
    rebuilt = tmp_path / snapshot.ARCHIVE_NAME
    assert rebuilt.read_bytes() == snapshot.archive().read_bytes()


def test_snapshot_build_refuses_an_input_whose_checksum_is_not_the_published_one(
        tmp_path: Path, shared_data: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("pls_fy2021_csv.zip", "CenPop2020_Mean_CO.txt"):
        (data / name).symlink_to(shared_data / name)
    (data / "CenPop2020_Mean_TR.txt").write_bytes(
        (shared_data / "CenPop2020_Mean_TR.txt").read_bytes()[:-10])
    with pytest.raises(SystemExit, match="not the published"):
        build_snapshot.main(["--data", str(data), "--out", str(tmp_path / "out")])


def test_snapshot_fits_its_budget_and_the_readme_states_its_real_size_and_checksums() -> None:
    archive = snapshot.archive()
    size = archive.stat().st_size
    assert size <= BUDGET_BYTES
    text = README.read_text(encoding="utf-8")
    assert f"{size:,} bytes" in text
    assert snapshot.archive_sha256() in text
    for official in (PLS_RELEASES[build_snapshot.PLS_VINTAGE], *CENSUS_FILES):
        assert official.name in text and official.sha256 in text
    assert "python geodata/build_snapshot.py --data" in text
    assert "public domain" in text


def test_snapshot_keeps_only_the_columns_the_importer_reads() -> None:
    with zipfile.ZipFile(snapshot.archive()) as archive:
        header = archive.read(build_snapshot.PLS_MEMBER).split(b"\r\n", 1)[0].decode()
        dates = {info.date_time for info in archive.infolist()}
    assert tuple(header.split(",")) == build_snapshot._pls.COLUMNS
    assert dates == {build_snapshot.MEMBER_TIME}


def test_importing_the_snapshot_gives_the_same_sites_counties_and_population_as_the_official_files(
        snapshot_db_url: str, national_db_url: str) -> None:
    with open_store(snapshot_db_url) as from_snapshot, open_store(national_db_url) as official:
        snapshot_sites = sorted(from_snapshot.sites(), key=lambda s: s.id)
        official_sites = sorted(official.sites(), key=lambda s: s.id)
        assert len(snapshot_sites) == 17_425
        assert snapshot_sites == official_sites  # every field, counties included
        for level in ("tract", "county"):
            a, b = from_snapshot.population(level), official.population(level)
            assert (a.vintage, len(a)) == (b.vintage, len(b))
            for column in ("ids", "county_fips", "population", "lat", "lon"):
                assert getattr(a, column).tolist() == getattr(b, column).tolist(), column


def test_status_says_the_data_is_the_bundled_snapshot_and_of_which_vintage(
        snapshot_db_url: str, national_db_url: str) -> None:
    with open_store(snapshot_db_url) as store:
        status = data_status(store)
    assert set(status.snapshot_sources) == {
        "imls_pls", "census_cenpop_tract", "census_cenpop_county"}
    vintages = {r.source: r.vintage for r in status.imports}
    assert vintages["imls_pls"] == "FY2021"
    assert vintages["census_cenpop_tract"] == "2020"
    as_json = status.to_json()["imports"]
    assert all(record["bundled_snapshot"] for record in as_json)
    with open_store(national_db_url) as store:
        assert data_status(store).snapshot_sources == ()



def test_the_snapshot_is_package_data_so_an_installed_app_has_it() -> None:
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["geodata"]
    shipped = [p.relative_to(REPO / "geodata").as_posix()
               for p in (REPO / "geodata" / "snapshot").iterdir()]
    assert sorted(shipped) == ["snapshot/README.md", f"snapshot/{snapshot.ARCHIVE_NAME}"]
    for name in shipped:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in package_data), name
