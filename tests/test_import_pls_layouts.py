"""PLS layouts after FY2021, built from the real FY2021 rows: the folder inside the zip and the
file-name case change, ``INCITSST``/``INCITSCO`` are dropped, FY2024 has 37 columns. The
importer must know each by its header and find every Illinois outlet's county from what the
row still states: a tract GEOID, the county name, or the point."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from locator import geodata
from locator.importer import import_snapshot, import_sources
from locator.sites import CountySource, Status
from locator.sources import _county, discover
from locator.store import open_store

Row = dict[str, str]
INCITS = ("INCITSST", "INCITSCO")
# FY2021's 42 columns less the two county codes and three columns FY2024 does not need here.
FY2024_DROPPED = (*INCITS, "C19WKSCL", "C19WKSLO", "GEOMTYPE")


@pytest.fixture(scope="module")
def fy2021_rows(shared_data: Path) -> list[Row]:
    with zipfile.ZipFile(shared_data / "pls_fy2021_csv.zip") as archive:
        member = next(n for n in archive.namelist() if n.lower().endswith("outlet_pud21i.csv"))
        text = archive.read(member).decode("cp1252")
    return list(csv.DictReader(io.StringIO(text)))


def tract_geoid(row: Row) -> str:
    """The 11-digit GEOID of the row's tract: FY2021 writes the tract as a decimal number
    (``8245.05``, ``8``) and gives its county separately."""
    whole, _, part = row["CENTRACT"].partition(".")
    return row["INCITSST"] + row["INCITSCO"] + whole.zfill(4) + part.ljust(2, "0")


def by_tract(row: Row) -> Row:
    return {**row, "CENTRACT": tract_geoid(row)}


def by_name(row: Row) -> Row:
    return row  # CENTRACT stays a decimal number, which names no county


def by_point(row: Row) -> Row:
    return {**row, "CNTY": "", "CENTRACT": ""}


def write_zip(path: Path, member: str, rows: list[Row], dropped: tuple[str, ...]) -> None:
    columns = [c for c in rows[0] if c not in dropped]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([row[c] for c in columns] for row in rows)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text.getvalue().encode("cp1252"))


def expected_county(row: Row, way: Callable[[Row], Row]) -> tuple[str, CountySource]:
    if way is by_point:
        return (geodata.county_fips_at(float(row["LATITUDE"]), float(row["LONGITUD"])) or "",
                CountySource.POINT_IN_POLYGON)
    source = CountySource.CENSUS_TRACT if way is by_tract else CountySource.COUNTY_NAME
    return row["INCITSST"] + row["INCITSCO"], source


LAYOUTS = {
    # vintage: (member inside the zip, columns dropped, how each row i states its county)
    "FY2022": ("PLS_FY2022 PUD_CSV/pls_fy22_outlet_pud22i.csv", INCITS, lambda i: by_tract),
    "FY2023": ("CSV/PLS_FY23_OUTLET_PUD23I.CSV", INCITS, lambda i: by_name),
    "FY2024": ("CSV/pls_fy24_outlet_pud24i.csv", FY2024_DROPPED,
               lambda i: (by_tract, by_name, by_point)[i % 3]),
}


@pytest.mark.parametrize("vintage", LAYOUTS)
def test_newer_layouts_are_known_by_header_and_every_illinois_county_is_found(
        tmp_path: Path, fy2021_rows: list[Row], vintage: str) -> None:
    member, dropped, way_of = LAYOUTS[vintage]
    illinois = [row for row in fy2021_rows if row["STABR"] == "IL"]
    ways = {row["FSCSKEY"] + "-" + row["FSCS_SEQ"]: way_of(i) for i, row in enumerate(illinois)}
    rows = [ways[f"{r['FSCSKEY']}-{r['FSCS_SEQ']}"](r) for r in illinois]
    # A name that says nothing of the vintage: only the member's name does.
    write_zip(tmp_path / "download.zip", member, rows, dropped)
    found = discover(tmp_path).files
    assert [(f.source, f.vintage, f.member) for f in found] == [("imls_pls", vintage, member)]
    if vintage == "FY2024":
        assert len(rows[0]) - len(dropped) == 37

    with open_store(f"sqlite:///{tmp_path / 'locator.db'}") as store:
        report = import_sources(store, tmp_path)
        sites = {s.source_id: s for s in store.sites()}
    assert report.issues == ()
    assert len(sites) == 793
    for row in illinois:
        key = f"{row['FSCSKEY']}-{row['FSCS_SEQ']}"
        site = sites[key]
        assert (site.county_fips, site.county_source) == expected_county(row, ways[key]), key
        assert site.vintage == vintage


def test_county_names_are_matched_exactly_then_folded() -> None:
    assert _county.from_name("Cook", "IL") == "17031"
    assert _county.from_name("ST. CLAIR", "IL") == "17163"
    assert _county.from_name("DE KALB", "IL") == "17037"
    assert _county.from_name("LA SALLE", "IL") == "17099"
    assert _county.from_name("McHenry County", "IL") == "17111"
    assert _county.from_name("Cook", "MN") == "27031"  # the row's state, not the first Cook
    assert _county.from_name("Richmond city", "VA") == "51760"
    assert _county.from_name("Richmond", "VA") == ""  # a county and a city: not guessed
    assert _county.from_name("Nowhere", "IL") == ""


def test_a_tract_geoid_outside_the_rows_state_is_not_used() -> None:
    assert _county.from_tract("17031010100", "IL") == "17031"
    assert _county.from_tract("18089010100", "IL") == ""  # an Indiana tract
    assert _county.from_tract("8245.05", "IL") == ""
    assert _county.from_tract("17999010100", "IL") == ""  # no such county


def test_newer_official_files_replace_the_snapshot_in_place_keeping_what_reviewers_set(
        tmp_path: Path, fy2021_rows: list[Row]) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    member, dropped, _ = LAYOUTS["FY2024"]
    write_zip(sources / "pls_fy2024_csv.zip", member, [by_name(r) for r in fy2021_rows],
              dropped)
    with open_store(f"sqlite:///{tmp_path / 'locator.db'}") as store:
        import_snapshot(store)
        before = {s.id: s for s in store.sites()}
        joliet = next(s for s in before.values() if s.name == "JOLIET PUBLIC LIBRARY")
        reviewed = joliet.replace(programs=frozenset({"public_computers", "resume_help"}),
                                  hours="Mo-Th 09:00-20:00", last_verified="2026-11-30")
        store.upsert_sites([reviewed])
        retired = next(s for s in before.values() if s.state == "IL" and s.id != joliet.id)
        store.set_status([retired.id], Status.RETIRED)

        report = import_sources(store, sources)
        after = {s.id: s for s in store.sites()}
    (pls,) = report.results
    assert (pls.added, pls.removed) == (0, 0)
    assert set(after) == set(before)  # the same ids, no duplicates
    assert {s.vintage for s in after.values()} == {"FY2024"}
    kept = after[joliet.id]
    assert (kept.programs, kept.hours, kept.last_verified) == (
        reviewed.programs, reviewed.hours, reviewed.last_verified)
    assert after[retired.id].status is Status.RETIRED


def test_county_names_agree_with_the_county_codes_for_nearly_every_outlet_nationwide(
        fy2021_rows: list[Row]) -> None:
    """FY2021 gives both; the name is what FY2022+ files fall back on. Measured: 98.7% name
    the coded county; most others are names two counties share (St. Louis county and city),
    which are left to the point; a few (0.3%) name another county than the codes do."""
    named = [(_county.from_name(r["CNTY"], r["STABR"]), r["INCITSST"] + r["INCITSCO"])
             for r in fy2021_rows]
    agree = sum(1 for got, coded in named if got == coded)
    other = sum(1 for got, coded in named if got and got != coded)
    assert agree / len(named) > 0.985
    assert other / len(named) < 0.005
