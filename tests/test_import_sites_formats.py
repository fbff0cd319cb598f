"""The generic sites CSV/GeoJSON format and the CareerOneStop AJC list, on fictional files."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from locator.sites import CountySource, Kind, Status
from locator.sources import Format, SiteBatch, discover, read

FIXTURES = Path(__file__).parent / "fixtures"


def read_fixture(tmp_path: Path, name: str, as_name: str | None = None) -> SiteBatch:
    shutil.copy(FIXTURES / name, tmp_path / (as_name or name))
    found = discover(tmp_path)
    assert len(found.files) == 1, found
    batch = read(found.files[0])
    assert isinstance(batch, SiteBatch)
    return batch


def test_sites_csv_reads_every_documented_column(tmp_path: Path) -> None:
    batch = read_fixture(tmp_path, "sites_example.csv")
    sites = {s.id: s for s in batch.sites}
    access = sites["example-access-1"]
    assert batch.issues == ()
    assert batch.file.format is Format.SITES_CSV
    assert access.kind is Kind.ACCESS_SITE
    assert (access.name, access.organization) == ("Example Access Site",
                                                  "Example Workforce Board")
    assert (access.address, access.city, access.state, access.zip) == (
        "100 Example St", "Champaign", "IL", "61820")
    assert (access.county_fips, access.county_source) == ("17019", CountySource.SOURCE)
    assert access.phone == "(217) 555-0110"
    assert access.website == "https://example.org/access"
    assert access.hours == "Mon-Fri 9:00-17:00"
    assert access.programs == {"wifi", "public_computers", "resume_help"}
    assert access.status is Status.APPROVED
    assert access.last_verified == "2024-05-01"
    assert (access.source, access.source_id) == ("file:sites_example.csv", "example-access-1")


def test_sites_csv_accepts_kind_and_program_labels_and_bare_domains(tmp_path: Path) -> None:
    sites = {s.id: s for s in read_fixture(tmp_path, "sites_example.csv").sites}
    point = sites["example-dissemination-1"]
    assert point.kind is Kind.DISSEMINATION_SITE
    assert point.programs == {"title_i_adult"}
    assert point.website == "https://example.org"
    assert point.status is Status.PENDING
    assert sites["example-mobile-1"].kind is Kind.MOBILE_CENTER


def test_missing_county_and_state_are_filled_from_the_point(tmp_path: Path) -> None:
    sites = {s.id: s for s in read_fixture(tmp_path, "sites_example.csv").sites}
    springfield = sites["example-dissemination-1"]  # state given, county blank
    peoria = sites["example-mobile-1"]  # neither given
    assert (springfield.county_fips, springfield.county_source) == (
        "17167", CountySource.POINT_IN_POLYGON)
    assert (peoria.state, peoria.county_fips, peoria.county_source) == (
        "IL", "17143", CountySource.POINT_IN_POLYGON)


def test_geojson_features_use_lon_lat_order_and_feature_ids(tmp_path: Path) -> None:
    batch = read_fixture(tmp_path, "sites_example.geojson")
    sites = {s.id: s for s in batch.sites}
    first = sites["example-geo-1"]
    assert batch.file.format is Format.SITES_GEOJSON
    assert batch.issues == ()
    assert (first.lat, first.lon) == (40.1106, -88.2073)
    assert first.programs == {"wifi", "job_fairs"}
    assert sites["example-geo-2"].programs == {"title_i_youth", "title_ii_adult_education"}
    assert sites["example-geo-2"].county_source is CountySource.SOURCE


def test_careeronestop_program_type_maps_to_center_kinds(tmp_path: Path) -> None:
    batch = read_fixture(tmp_path, "careeronestop_example.csv")
    kinds = {s.name: s.kind for s in batch.sites}
    assert batch.file.format is Format.CAREERONESTOP
    assert batch.issues == ()
    assert kinds == {"Example Job Center": Kind.COMPREHENSIVE_CENTER,
                     "Example Affiliate Job Center": Kind.AFFILIATE_CENTER}


def test_careeronestop_columns_fill_the_site(tmp_path: Path) -> None:
    batch = read_fixture(tmp_path, "careeronestop_example.csv")
    center = next(s for s in batch.sites if s.name == "Example Job Center")
    affiliate = next(s for s in batch.sites if s.name == "Example Affiliate Job Center")
    assert center.id == "ajc-61820-example-job-center"
    assert center.address == "100 Example Ave, Suite 5"
    assert (center.city, center.state, center.zip) == ("Champaign", "IL", "61820")
    assert center.phone == "(217) 555-0120"
    assert affiliate.phone == "(217) 555-0121"
    assert center.website == "https://www.example.org/ajc"
    assert center.hours == "Mon-Fri 8:00 AM - 4:30 PM"
    assert center.programs == {"resume_help", "job_search_workshops",
                               "unemployment_compensation", "jobs_for_veterans"}
    assert affiliate.programs == {"title_i_youth", "title_ii_adult_education"}
    assert (center.last_verified, affiliate.last_verified) == ("2024-03-15", "2024-03-01")
    assert center.county_source is CountySource.POINT_IN_POLYGON
    assert center.county_fips == "17019"


def test_careeronestop_vintage_is_the_newest_last_updated_date(tmp_path: Path) -> None:
    batch = read_fixture(tmp_path, "careeronestop_example.csv")
    assert batch.file.vintage == "2024-03-15"
    assert {s.vintage for s in batch.sites} == {"2024-03-15"}


def test_careeronestop_id_column_gives_stable_ids(tmp_path: Path) -> None:
    (tmp_path / "ajc.csv").write_text(
        "ID,Name,Address1,City,StateAbbr,Zip,ProgramType,Latitude,Longitude\n"
        "EX-0042,Example Job Center,100 Example Ave,Champaign,IL,61820,Comprehensive,"
        "40.1164,-88.2434\n", encoding="utf-8")
    batch = read(discover(tmp_path).files[0])
    assert isinstance(batch, SiteBatch)
    assert [s.id for s in batch.sites] == ["ajc-ex-0042"]
    assert batch.sites[0].source_id == "EX-0042"


def test_layout_is_recognised_by_header_not_by_file_name(tmp_path: Path) -> None:
    batch = read_fixture(tmp_path, "careeronestop_example.csv", as_name="sites.csv")
    assert batch.file.format is Format.CAREERONESTOP
    other = tmp_path / "other"
    other.mkdir()
    batch = read_fixture(other, "sites_example.csv", as_name="careeronestop.txt")
    assert batch.file.format is Format.SITES_CSV


def test_unrecognised_files_are_listed_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("when,what\n2024-01-01,meeting\n", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "ajc.xlsx", "w") as workbook:  # an .xlsx is a zip
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    found = discover(tmp_path)
    assert found.files == ()
    assert dict(found.ignored) == {
        "notes.csv": "not a recognised layout (see docs/sites-format.md)",
        "ajc.xlsx": "Excel workbook: save it as CSV (UTF-8) to import it",
    }


def test_a_damaged_zip_is_listed_as_unreadable_not_raised(tmp_path: Path) -> None:
    archive = tmp_path / "pls_fy2021_csv.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("outlets.csv", (FIXTURES / "pls_fy2021_outlets_example.csv").read_bytes())
    data = bytearray(archive.read_bytes())
    data[40:60] = b"\x00" * 20  # inside the compressed member
    archive.write_bytes(bytes(data))
    found = discover(tmp_path)
    assert found.files == ()
    assert found.ignored[0][0] == "pls_fy2021_csv.zip"
    assert found.ignored[0][1].startswith("cannot be read")


def test_a_file_that_breaks_between_finding_and_reading_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "sites_example.csv"
    shutil.copy(FIXTURES / "sites_example.csv", path)
    found = discover(tmp_path).files[0]
    path.unlink()
    batch = read(found)
    assert isinstance(batch, SiteBatch)
    assert not batch.usable
    assert batch.issues[0].reason.startswith("cannot be read")
