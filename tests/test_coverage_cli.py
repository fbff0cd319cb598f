"""``locator coverage``, ``gaps``, ``suggest`` and ``whatif``: the contract the issue fixes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas
import pytest

from locator.cli import main
from locator.coverage import CoverageQuery, CoverageStudy, parse_thresholds
from locator.sites import Kind, Site, SiteFilter, Status
from locator.store import open_store

SITES = [
    Site(id="lib-urbana", name="Urbana Free Library", kind=Kind.LIBRARY, lat=40.1106,
         lon=-88.2073, county_fips="17019", state="IL"),
    Site(id="bm-danville", name="Danville Bookmobile", kind=Kind.BOOKMOBILE, lat=40.1245,
         lon=-87.6300, county_fips="17183", state="IL"),
    Site(id="ajc-lafayette", name="Lafayette Center", kind=Kind.COMPREHENSIVE_CENTER,
         lat=40.4167, lon=-86.8753, county_fips="18157", state="IN",
         programs=frozenset({"title_i_adult", "title_ii_adult_education"})),
    Site(id="lib-covington", name="Covington Library", kind=Kind.LIBRARY, lat=40.1417,
         lon=-87.3950, county_fips="18045", state="IN",
         programs=frozenset({"title_ii_adult_education"})),
    Site(id="lib-pending", name="Pending Library", kind=Kind.LIBRARY, lat=40.0, lon=-88.0,
         county_fips="17019", state="IL", status=Status.PENDING),
]
TRACTS = [
    ("17019000100", "17019", 4000, 40.11, -88.21),
    ("17019000200", "17019", 3000, 40.30, -88.15),
    ("17183000100", "17183", 2500, 40.13, -87.62),
    ("17183000200", "17183", 1500, 40.15, -87.53),   # a mile or so from the Indiana line
    ("18045000100", "18045", 1200, 40.14, -87.40),
    ("18157000100", "18157", 5000, 40.42, -86.88),
]


@pytest.fixture
def small_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'locator.db'}"
    with open_store(url) as store:
        store.upsert_sites(SITES)
        store.replace_population("tract", TRACTS, "2020")
    monkeypatch.setenv("LOCATOR_DATABASE_URL", url)
    return url


def run_json(capsys: pytest.CaptureFixture, *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_coverage_json_rows_carry_the_contract_fields(small_db, capsys) -> None:
    answer = run_json(capsys, "coverage", "--state", "IL", "IN", "--within", "2", "2.5", "10",
                      "--format", "json")
    assert answer["geography"] == "county"
    assert [r["area_id"] for r in answer["rows"]] == ["17019", "17183", "18045", "18157"]
    for row in answer["rows"]:
        assert {"area_id", "name", "population", "sites", "mean_distance_mi",
                "median_distance_mi", "population_within_2_mi", "share_within_2_mi",
                "population_within_2.5_mi", "share_within_2.5_mi", "population_within_10_mi",
                "share_within_10_mi"} <= set(row)
    with open_store(small_db) as store:
        expected = CoverageStudy(store.sites(), store.population("tract"), CoverageQuery(
            state_fips=("17", "18"))).report(parse_thresholds(["2", "2.5", "10"]))
    assert answer["rows"] == [json.loads(json.dumps(r.to_json())) for r in expected.rows]
    assert answer["rows"][1]["name"] == "Vermilion County, IL"


def test_state_and_kind_take_several_values_after_one_flag(small_db, capsys) -> None:
    answer = run_json(capsys, "coverage", "--state", "IL", "--kind", "library", "bookmobile",
                      "--within", "5", "--by", "total", "--format", "json")
    [total] = answer["rows"]
    assert total["population"] == 4000 + 3000 + 2500 + 1500
    assert total["sites"] == 2  # the Illinois library and bookmobile; pending does not count
    assert answer["filters"] == {"kinds": ["bookmobile", "library"], "program": None,
                                 "states": ["17"], "regions_file": None,
                                 "mobile_stops": True, "weekday": None}


def test_program_filter_counts_only_sites_offering_it(small_db, capsys) -> None:
    answer = run_json(capsys, "coverage", "--program", "Title II Adult Education and Literacy",
                      "--within", "5", "--by", "state", "--format", "json")
    assert [(r["area_id"], r["sites"]) for r in answer["rows"]] == [("17", 0), ("18", 2)]


def test_region_report_reads_the_users_file(small_db, capsys, tmp_path: Path) -> None:
    regions = tmp_path / "regions.csv"
    regions.write_text("county_fips,region\n17019,East Central\n17183,East Central\n",
                       encoding="utf-8")
    answer = run_json(capsys, "coverage", "--by", "region", "--regions", str(regions),
                      "--within", "5", "--format", "json")
    assert [(r["area_id"], r["population"]) for r in answer["rows"]] == [("East Central", 11000)]
    assert answer["population_outside_regions"] == 6200


def test_bad_regions_file_exits_2_with_the_row_to_fix(small_db, capsys, tmp_path: Path) -> None:
    regions = tmp_path / "regions.csv"
    regions.write_text("county_fips,region\n17019,A\n17999,B\n", encoding="utf-8")
    assert main(["coverage", "--by", "region", "--regions", str(regions), "--within", "5"]) == 2
    assert "row 3: unknown county FIPS 17999" in capsys.readouterr().err


@pytest.mark.parametrize("argv,message", [
    (["coverage", "--within", "0"], "positive number of miles"),
    (["coverage", "--within", "5", "--state", "ZZ"], "unknown state 'ZZ'"),
    (["coverage", "--within", "5", "--kind", "castle"], "unknown kind 'castle'"),
    (["coverage", "--within", "5", "--by", "region"], "needs a regions file"),
    (["coverage", "--within", "5", "--format", "gpkg"], "-o FILE.gpkg"),
    (["coverage", "--within", "5", "--max-uncovered-share", "2"], "between 0 and 1"),
    (["whatif", "--within", "5"], "say which sites to add"),
    (["whatif", "--within", "5", "--add", "40.1"], "LAT,LON"),
    (["whatif", "--within", "5", "--remove", "nope"], "'nope' is not among the sites counted"),
    (["suggest", "--n", "0", "--within", "5"], "between 1 and 100"),
])
def test_input_errors_exit_2_and_say_what_to_fix(small_db, capsys, argv, message) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_csv_and_table_outputs(small_db, capsys, tmp_path: Path) -> None:
    out = tmp_path / "coverage.csv"
    assert main(["coverage", "--within", "2.5", "--format", "csv", "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["area_id"] for r in rows] == ["17019", "17183", "18045", "18157"]
    assert "population_within_2.5_mi" in rows[0]
    assert main(["coverage", "--within", "2.5"]) == 0
    table = capsys.readouterr().out
    assert "Champaign County, IL" in table and "<=2.5 mi" in table


def test_geopackage_needs_a_file_and_reads_back(small_db, tmp_path: Path) -> None:
    out = tmp_path / "coverage.gpkg"
    assert main(["coverage", "--within", "5", "--format", "gpkg", "-o", str(out)]) == 0
    frame = geopandas.read_file(out)
    assert frame["area_id"].tolist() == ["17019", "17183", "18045", "18157"]
    assert frame["population"].sum() == sum(t[2] for t in TRACTS)


def test_gaps_lists_flagged_areas_most_uncovered_first(small_db, capsys) -> None:
    answer = run_json(capsys, "gaps", "--kind", "library", "--within", "2",
                      "--max-uncovered-share", "0.2", "--format", "json")
    rows = answer["rows"]
    assert all(r["gap"] for r in rows)
    uncovered = [r["population_beyond_largest_threshold"] for r in rows]
    assert uncovered == sorted(uncovered, reverse=True)
    assert [r["area_id"] for r in rows] == ["18157", "17183", "17019"]
    limited = run_json(capsys, "gaps", "--kind", "library", "--within", "2",
                       "--max-uncovered-share", "0.2", "--limit", "1", "--format", "json")
    assert [r["area_id"] for r in limited["rows"]] == ["18157"]


def test_suggest_partners_with_libraries_not_yet_counted(small_db, capsys) -> None:
    answer = run_json(capsys, "suggest", "--kind", "comprehensive_center", "--n", "2",
                      "--within", "5", "--candidates", "libraries", "--format", "json")
    assert [s["id"] for s in answer["suggestions"]] == ["lib-urbana", "lib-covington"]
    assert answer["suggestions"][0]["newly_covered"] == 4000
    tracts = run_json(capsys, "suggest", "--n", "1", "--within", "5", "--candidates", "tracts",
                      "--format", "geojson")
    assert tracts["features"][0]["geometry"]["type"] == "Point"


def test_whatif_reports_newly_covered_and_losing_per_county(small_db, capsys) -> None:
    answer = run_json(capsys, "whatif", "--add", "40.30,-88.15", "--remove", "bm-danville",
                      "--within", "2", "5", "--format", "json")
    by_area = {r["area_id"]: r for r in answer["rows"]}
    assert by_area["17019"]["newly_covered_within_2_mi"] == 3000
    assert by_area["17183"]["losing_coverage_within_2_mi"] == 2500
    assert answer["removed"][0]["id"] == "bm-danville"
    assert answer["total"]["mean_distance_change_mi"] == pytest.approx(
        answer["total"]["mean_distance_after_mi"] - answer["total"]["mean_distance_before_mi"])


def test_program_matrix_has_a_column_group_per_program(small_db, capsys) -> None:
    assert main(["coverage", "--within", "5", "--program-matrix", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {"title_i_adult_sites", "title_ii_adult_education_sites",
            "title_ii_adult_education_share_within_5_mi"} <= set(rows[0])
    assert {r["area_id"]: int(r["title_ii_adult_education_sites"]) for r in rows} == {
        "17019": 0, "17183": 0, "18045": 1, "18157": 1}


def test_empty_database_says_how_to_load_data(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LOCATOR_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert main(["coverage", "--within", "5"]) == 2
    assert "locator data import" in capsys.readouterr().err


@pytest.mark.slow
def test_illinois_report_from_the_real_data(national_db_url, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LOCATOR_DATABASE_URL", national_db_url)
    answer = run_json(capsys, "coverage", "--state", "IL", "--within", "5", "--format", "json")
    assert answer["total"]["population"] == 12_812_508
    assert len(answer["rows"]) == 102
    with open_store(national_db_url) as store:
        site_filter = SiteFilter()
        in_illinois = sum(1 for s in store.sites() if site_filter.accepts(s)
                          and not s.temporarily_closed and s.county_fips.startswith("17"))
    assert answer["total"]["sites"] == in_illinois
