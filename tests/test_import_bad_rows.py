"""Every kind of bad row is reported with file, row number and reason, and never stored;
the good rows around it are imported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from locator.importer import import_sources
from locator.sources import RowIssue
from locator.sources._checks import OUTSIDE_STATE_LIMIT_MI
from locator.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "id,name,kind,lat,lon,state,zip,county_fips,website,programs,status,last_verified"
GOOD = "good-1,Example Access Site,access_site,40.1164,-88.2434,IL,61820,17019,,,,"


def import_csv(folder: Path, store: Store, *lines: str, encoding: str = "utf-8",
               name: str = "sites.csv") -> tuple[RowIssue, ...]:
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes("\n".join((HEADER, GOOD, *lines)).encode(encoding) + b"\n")
    report = import_sources(store, folder)
    return report.issues


@pytest.mark.parametrize(("line", "reason"), [
    ("bad,No Latitude,access_site,,-88.2,IL,,,,,,", "missing coordinate: lat is empty"),
    ("bad,North Of The Pole,access_site,123.5,-88.2,IL,,,,,,",
     "lat 123.5 is out of range (-90..90)"),
    ("bad,Too Far East,access_site,40.1,188.2,IL,,,,,,", "lon 188.2 is out of range (-180..180)"),
    ("bad,Word For A Number,access_site,forty,-88.2,IL,,,,,,", "lat 'forty' is not a number"),
    ("bad,Not A Kind,job_shop,40.1,-88.2,IL,,,,,,", "unknown kind 'job_shop'"),
    ("bad,No Kind,,40.1,-88.2,IL,,,,,,", "kind is empty"),
    ("bad,,access_site,40.1,-88.2,IL,,,,,,", "name is empty"),
    ("bad id,Space In Id,access_site,40.1,-88.2,IL,,,,,,", "id 'bad id' must be"),
    ("bad,Unknown Program,access_site,40.1,-88.2,IL,,,,wifi;free lunch,,",
     "unknown program 'free lunch'"),
    ("bad,Bad Status,access_site,40.1,-88.2,IL,,,,,closed,", "unknown status 'closed'"),
    ("bad,Bad Date,access_site,40.1,-88.2,IL,,,,,,last spring",
     "last_verified 'last spring' is not a date"),
    ("bad,Script Link,access_site,40.1,-88.2,IL,,,javascript:alert(1),,,",
     "website 'javascript:alert(1)' is not a web address"),
    ("bad,Bad Zip,access_site,40.1,-88.2,IL,6O820,,,,,", "zip '6O820' is not a 5-digit ZIP"),
    ("bad,Bad County,access_site,40.1,-88.2,IL,,170190,,,,",
     "county_fips '170190' is not a 5-digit county FIPS code"),
    ("bad,Bad State,access_site,40.1,-88.2,ZZ,,,,,,", "state 'ZZ' is not a USPS state"),
    ("bad,Swapped Coordinates,access_site,-88.2434,40.1164,IL,,,,,,", "mi outside IL"),
    ("bad,California Point,access_site,34.05,-118.25,IL,,,,,,", "mi outside IL"),
    ("bad,Lost Minus Sign,access_site,40.1164,88.2434,IL,,,,,,", "mi outside IL"),
    ("bad,In The Ocean,access_site,30.0,-40.0,,,,,,,", "state is empty and the point"),
])
def test_bad_row_is_reported_with_file_row_and_reason(
        tmp_path: Path, fresh_store: Store, line: str, reason: str) -> None:
    issues = import_csv(tmp_path / "sources", fresh_store, line)
    assert len(issues) == 1
    assert (issues[0].file, issues[0].row) == ("sites.csv", 3)
    assert reason in issues[0].reason
    assert [s.id for s in fresh_store.sites(statuses=None)] == ["good-1"]


def test_point_just_outside_its_state_is_accepted(tmp_path: Path, fresh_store: Store) -> None:
    # Monhegan Island lies off the generalised outline of Maine, a few miles out to sea.
    issues = import_csv(tmp_path / "sources", fresh_store,
                        "island-1,Example Island Site,access_site,43.7648,-69.3165,ME,,23015,,,,")
    assert issues == ()
    assert fresh_store.site("island-1") is not None
    assert OUTSIDE_STATE_LIMIT_MI > 6.3


def test_duplicate_id_reports_the_row_of_the_first(tmp_path: Path, fresh_store: Store) -> None:
    issues = import_csv(tmp_path / "sources", fresh_store,
                        "other-1,Example Site,access_site,40.1,-88.2,IL,,,,,,",
                        "good-1,Example Copy,access_site,40.1,-88.2,IL,,,,,,")
    assert [(i.row, i.reason) for i in issues] == [(4, "duplicate id good-1 (first at row 2)")]
    assert fresh_store.site("good-1").name == "Example Access Site"


def test_bytes_that_are_no_text_make_the_row_unreadable(tmp_path: Path,
                                                        fresh_store: Store) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    # 0x81 is undefined in Windows-1252 and invalid in UTF-8; the é is valid UTF-8.
    content = "\n".join((HEADER, GOOD, "ok-2,Café Example,access_site,40.1,-88.2,IL,,,,,,",
                         "bad,Example \x00,access_site,40.1,-88.2,IL,,,,,,")).encode()
    (folder / "sites.csv").write_bytes(content.replace(b"\x00", b"\x81"))
    report = import_sources(fresh_store, folder)
    assert [(i.row, i.reason.split(" (")[0]) for i in report.issues] == [
        (4, "unreadable characters in name")]
    assert fresh_store.site("ok-2").name == "Café Example"


def test_missing_required_columns_refuse_the_whole_file(tmp_path: Path,
                                                        fresh_store: Store) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "sites.csv").write_text("id,name,kind,lat\nx,Example,library,40\n",
                                      encoding="utf-8")
    assert import_sources(fresh_store, folder).results == ()  # not even recognised
    (folder / "sites.csv").write_text(
        "Name,Address1,City,StateAbbr,ProgramType,Latitude,Longitude\n"
        "Example Job Center,1 Example St,Champaign,IL,Comprehensive,40.1,-88.2\n",
        encoding="utf-8")
    report = import_sources(fresh_store, folder)
    assert [str(i) for i in report.issues] == ["sites.csv:1: missing required column(s): zip"]
    assert fresh_store.count_sites() == 0


def test_pls_rows_with_bad_coordinates_or_unknown_outlet_type_are_reported(
        tmp_path: Path, fresh_store: Store) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    lines = (FIXTURES / "pls_fy2021_outlets_example.csv").read_bytes().split(b"\r\n")
    lines[1] = lines[1].replace(b",-88.2434,40.1164,", b",-88.2434,,")
    lines[2] = lines[2].replace(b",BR,", b",XX,")
    (folder / "pls_fy2021_outlets.csv").write_bytes(b"\r\n".join(lines))
    report = import_sources(fresh_store, folder)
    assert [str(i) for i in report.issues] == [
        "pls_fy2021_outlets.csv:2: missing coordinate: LATITUDE is empty",
        "pls_fy2021_outlets.csv:3: unknown outlet type C_OUT_TY 'XX' (expected CE, BR, BS "
        "or BM)",
    ]
    assert {s.id for s in fresh_store.sites()} == {"pls-IL9001-004", "pls-IL9004-002"}


def test_geojson_features_that_are_not_points_are_reported(tmp_path: Path,
                                                            fresh_store: Store) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-88.2, 40.1]},
             "properties": {"id": "ok", "name": "Example", "kind": "access_site"}}
    line = {"type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[-88.2, 40.1], [-88, 40]]},
            "properties": {"id": "road", "name": "Example Road", "kind": "access_site"}}
    bare = {"type": "Feature", "geometry": None,
            "properties": {"id": "nowhere", "name": "Example", "kind": "access_site"}}
    (folder / "sites.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": [point, line, bare]}), encoding="utf-8")
    report = import_sources(fresh_store, folder)
    assert [str(i) for i in report.issues] == [
        "sites.geojson:2: geometry is a LineString, expected a Point",
        "sites.geojson:3: missing coordinates: feature has no geometry",
    ]
    assert [s.id for s in fresh_store.sites()] == ["ok"]


def test_geojson_that_is_not_json_is_reported_not_raised(tmp_path: Path,
                                                         fresh_store: Store) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "sites.geojson").write_text('{"type": "FeatureCollection",\n "features": [}',
                                          encoding="utf-8")
    report = import_sources(fresh_store, folder)
    assert [str(i) for i in report.issues] == ["sites.geojson:2: not valid JSON: Expecting value"]


def test_fixture_files_import_without_a_single_issue(tmp_path: Path,
                                                     fresh_store: Store) -> None:
    folder = tmp_path / "sources"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("*.md", "*fy2019*"))
    report = import_sources(fresh_store, folder)
    assert report.issues == ()
    assert {r.source for r in report.results} == {
        "imls_pls", "census_cenpop_tract", "census_cenpop_county", "careeronestop",
        "file:sites_example.csv", "file:sites_example.geojson"}


def test_careeronestop_rows_with_unknown_program_type_or_bad_zip_are_reported(
        tmp_path: Path, fresh_store: Store) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "ajc.csv").write_text(
        "Name,Address1,City,StateAbbr,Zip,ProgramType,Latitude,Longitude\n"
        "Example Job Center,1 Example St,Champaign,IL,61820,Comprehensive,40.1164,-88.2434\n"
        "Example Outpost,2 Example St,Champaign,IL,61820,Outpost,40.1164,-88.2434\n"
        "Example Center Two,3 Example St,Champaign,IL,6182O,Affiliate,40.1164,-88.2434\n",
        encoding="utf-8")
    report = import_sources(fresh_store, folder)
    assert [str(i) for i in report.issues] == [
        "ajc.csv:3: ProgramType 'Outpost' is neither Comprehensive nor Affiliate",
        "ajc.csv:4: Zip '6182O' is not a 5-digit ZIP code",
    ]
    assert [s.name for s in fresh_store.sites()] == ["Example Job Center"]
