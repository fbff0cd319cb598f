"""The PLS outlet reader on small fictional files in the FY2019 and FY2021 layouts."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from locator.sites import CountySource, Kind
from locator.sources import Format, SiteBatch, discover, read

FIXTURES = Path(__file__).parent / "fixtures"


def read_only(folder: Path) -> SiteBatch:
    found = discover(folder)
    assert len(found.files) == 1, found
    batch = read(found.files[0])
    assert isinstance(batch, SiteBatch)
    return batch


def copy_fixture(name: str, folder: Path, as_name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(FIXTURES / name, folder / (as_name or name)))


def test_fy2021_outlet_types_become_kinds_and_books_by_mail_is_skipped(tmp_path: Path) -> None:
    copy_fixture("pls_fy2021_outlets_example.csv", tmp_path)
    batch = read_only(tmp_path)
    kinds = {s.id: s.kind for s in batch.sites}
    assert batch.rows_read == 5
    assert kinds == {
        "pls-IL9001-002": Kind.LIBRARY, "pls-IL9001-003": Kind.LIBRARY,
        "pls-IL9001-004": Kind.BOOKMOBILE, "pls-IL9004-002": Kind.LIBRARY,
    }
    assert batch.skipped == {"books-by-mail service (not a place)": 1}
    assert batch.issues == ()


def test_fy2019_layout_codes_books_by_mail_as_mo_and_closed_outlets_are_skipped(
        tmp_path: Path) -> None:
    copy_fixture("pls_fy2019_outlets_example.csv", tmp_path)
    batch = read_only(tmp_path)
    assert batch.file.vintage == "FY2019"
    assert batch.skipped == {"books-by-mail service (not a place)": 1,
                             "closed outlet (STATSTRU 03)": 1}
    assert {s.id for s in batch.sites} == {
        "pls-IL9001-002", "pls-IL9001-003", "pls-IL9001-004", "pls-IL9002-002"}


def test_outlet_fields_are_read_from_the_pls_columns(tmp_path: Path) -> None:
    copy_fixture("pls_fy2021_outlets_example.csv", tmp_path)
    sites = {s.id: s for s in read_only(tmp_path).sites}
    branch = sites["pls-IL9001-003"]
    assert branch.name == "EXAMPLE PUBLIC LIBRARY \u2013 NORTH BRANCH"  # cp1252 byte 0x96
    assert (branch.address, branch.city, branch.state, branch.zip) == (
        "200 SAMPLE AVE", "URBANA", "IL", "61801")
    assert branch.phone == "(217) 555-0101"
    assert (branch.lat, branch.lon) == (40.1106, -88.2073)
    assert (branch.county_fips, branch.county_source) == ("17019", CountySource.SOURCE)
    assert (branch.source, branch.source_id, branch.vintage) == (
        "imls_pls", "IL9001-003", "FY2021")
    assert sites["pls-IL9001-004"].phone == ""  # -4: not reported


def test_temporarily_closed_outlet_is_kept_and_flagged(tmp_path: Path) -> None:
    copy_fixture("pls_fy2021_outlets_example.csv", tmp_path)
    flagged = {s.id for s in read_only(tmp_path).sites if s.temporarily_closed}
    assert flagged == {"pls-IL9004-002"}


def test_outlet_file_is_found_inside_a_zip_by_its_header(tmp_path: Path) -> None:
    source = FIXTURES / "pls_fy2021_outlets_example.csv"
    with zipfile.ZipFile(tmp_path / "pls_fy2021_csv.zip", "w") as archive:
        archive.writestr("PLS_FY2021 PUD_CSV/README.txt", "not a data file\n")
        archive.writestr("PLS_FY2021 PUD_CSV/data.csv", source.read_bytes())
    batch = read_only(tmp_path)
    assert batch.file.format is Format.PLS_OUTLETS
    assert batch.file.member == "PLS_FY2021 PUD_CSV/data.csv"
    assert batch.file.vintage == "FY2021"  # from the archive's name
    assert len(batch.sites) == 4


def test_outlet_file_under_an_unhelpful_name_is_still_recognised(tmp_path: Path) -> None:
    copy_fixture("pls_fy2021_outlets_example.csv", tmp_path, as_name="download (3).txt")
    batch = read_only(tmp_path)
    assert batch.file.format is Format.PLS_OUTLETS
    assert batch.file.vintage == ""
    assert len(batch.sites) == 4
