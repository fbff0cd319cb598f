"""The Census centers-of-population readers on small fictional files."""

from __future__ import annotations

import shutil
from pathlib import Path

from locator.importer import import_sources
from locator.sources import PopulationBatch, PopulationRow, discover, read
from locator.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


def read_population(folder: Path) -> PopulationBatch:
    found = discover(folder)
    assert len(found.files) == 1, found
    batch = read(found.files[0])
    assert isinstance(batch, PopulationBatch)
    return batch


def test_tract_file_with_bom_gives_eleven_digit_ids_and_signed_coordinates(
        tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "cenpop_tracts_example.txt", tmp_path)
    batch = read_population(tmp_path)
    assert batch.level == "tract"
    assert batch.rows[0] == PopulationRow("17019990001", "17019", 1200, 40.1164, -88.2434)
    assert [r.id for r in batch.rows] == ["17019990001", "17019990002", "17167990003"]
    assert batch.issues == ()


def test_county_file_gives_five_digit_ids(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "cenpop_counties_example.txt", tmp_path)
    batch = read_population(tmp_path)
    assert batch.level == "county"
    assert batch.rows[1] == PopulationRow("17167", "17167", 1500, 39.7817, -89.6501)


def test_bad_population_rows_are_reported_with_row_and_reason(tmp_path: Path) -> None:
    (tmp_path / "CenPop2020_Mean_TR.txt").write_text(
        "STATEFP,COUNTYFP,TRACTCE,POPULATION,LATITUDE,LONGITUDE\n"
        "17,019,990001,1200,+40.116400,-088.243400\n"
        "17,019,990002,many,+40.110600,-088.207300\n"
        "17,019,99X003,10,+40.110600,-088.207300\n"
        "17,019,990004,10,+95.000000,-088.207300\n"
        "17,019,990001,5,+40.116400,-088.243400\n",
        encoding="utf-8")
    batch = read_population(tmp_path)
    assert [r.id for r in batch.rows] == ["17019990001"]
    assert [(i.row, i.reason) for i in batch.issues] == [
        (3, "POPULATION 'many' is not a whole number of people"),
        (4, "TRACTCE '99X003' is not a 6-digit code"),
        (5, "LATITUDE +95.000000 is out of range (-90..90)"),
        (6, "duplicate id 17019990001 (first at row 2)"),
    ]
    assert batch.file.vintage == "2020"


def test_population_points_are_stored_by_level(tmp_path: Path, fresh_store: Store) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    for name in ("cenpop_tracts_example.txt", "cenpop_counties_example.txt"):
        shutil.copy(FIXTURES / name, folder)
    import_sources(fresh_store, folder)
    tracts = fresh_store.population("tract")
    assert tracts.ids.tolist() == ["17019990001", "17019990002", "17167990003"]
    assert tracts.population.tolist() == [1200, 800, 1500]
    assert fresh_store.population_levels() == {"tract": 3, "county": 2}
