"""The importers against the real public files in ../shared/data (never copied into the repo).

Figures asserted here are the ones MANIFEST.md and the issue state for these files; the
per-outlet checks compare against an independent reading of the official CSV.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections import Counter

import pytest
from conftest import require_shared_data

from locator.sites import CountySource, Kind
from locator.sources import SiteBatch, discover, read
from locator.store import Store, open_store


def official_outlets() -> list[dict[str, str]]:
    """The FY2021 outlet rows as the csv module reads them, with no project code involved."""
    with zipfile.ZipFile(require_shared_data() / "pls_fy2021_csv.zip") as archive:
        name = next(n for n in archive.namelist() if "outlet" in n.lower())
        text = archive.read(name).decode("cp1252")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def fy2021_batch() -> SiteBatch:
    found = discover(require_shared_data())
    pls = [f for f in found.files if f.source == "imls_pls" and f.vintage == "FY2021"]
    assert len(pls) == 1
    batch = read(pls[0])
    assert isinstance(batch, SiteBatch)
    return batch


@pytest.fixture(scope="module")
def national_store(national_db_url: str) -> Store:
    with open_store(national_db_url) as store:
        yield store


def test_pls_fy2021_zip_yields_every_outlet_but_books_by_mail(fy2021_batch: SiteBatch) -> None:
    assert fy2021_batch.rows_read == 17_426
    assert fy2021_batch.skipped == {"books-by-mail service (not a place)": 1}
    assert len(fy2021_batch.sites) == 17_425
    assert fy2021_batch.issues == ()
    assert fy2021_batch.file.vintage == "FY2021"


def test_pls_fy2019_csv_is_recognised_as_the_older_vintage() -> None:
    found = discover(require_shared_data())
    vintages = sorted(f.vintage for f in found.files if f.source == "imls_pls")
    assert vintages == ["FY2019", "FY2021"]


def test_illinois_outlets_by_kind_and_county(national_store: Store) -> None:
    illinois = [s for s in national_store.sites(source="imls_pls") if s.state == "IL"]
    official = [r for r in official_outlets() if r["STABR"] == "IL"]
    by_type = Counter(r["C_OUT_TY"] for r in official)
    assert len(illinois) == 793
    assert by_type == {"CE": 623, "BR": 153, "BS": 17}
    assert Counter(s.kind for s in illinois) == {
        Kind.LIBRARY: by_type["CE"] + by_type["BR"], Kind.BOOKMOBILE: by_type["BS"]}
    assert len({s.county_fips for s in illinois}) == 102


def test_stored_county_fips_is_the_pls_code_for_every_outlet(national_store: Store) -> None:
    official = {f"pls-{r['FSCSKEY']}-{r['FSCS_SEQ']}": r["INCITSST"] + r["INCITSCO"]
                for r in official_outlets() if r["C_OUT_TY"] != "BM"}
    stored = {s.id: s for s in national_store.sites(source="imls_pls")}
    assert stored.keys() == official.keys()
    assert all(stored[i].county_fips == fips for i, fips in official.items())
    assert {s.county_source for s in stored.values()} == {CountySource.SOURCE}


def test_temporarily_closed_outlets_are_kept_and_flagged(national_store: Store) -> None:
    closed = {f"pls-{r['FSCSKEY']}-{r['FSCS_SEQ']}" for r in official_outlets()
              if r["STATSTRU"] == "23"}
    flagged = {s.id for s in national_store.sites(source="imls_pls") if s.temporarily_closed}
    assert len(closed) == 55
    assert flagged == closed


def test_census_tracts_and_counties_match_the_published_totals(national_store: Store) -> None:
    tracts = national_store.population("tract")
    counties = national_store.population("county")
    illinois = national_store.population("tract", state_fips=["17"])
    assert len(tracts) == 85_395
    assert len(counties) == 3_221
    assert len(illinois) == 3_265
    assert int(illinois.population.sum()) == 12_812_508
    assert int(tracts.population.sum()) == int(counties.population.sum()) == 334_735_155
    assert all(len(i) == 11 and i.startswith(c) for i, c in
               zip(tracts.ids.tolist(), tracts.county_fips.tolist(), strict=True))


def test_cook_county_point_is_read_with_signed_leading_zero_coordinates(
        national_store: Store) -> None:
    raw = (require_shared_data() / "CenPop2020_Mean_CO.txt").read_text("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(raw))
               if r["STATEFP"] == "17" and r["COUNTYFP"] == "031")
    counties = national_store.population("county", state_fips=["17"])
    index = counties.ids.tolist().index("17031")
    assert row["LONGITUDE"].startswith("-087")
    assert counties.lat[index] == float(row["LATITUDE"])
    assert counties.lon[index] == float(row["LONGITUDE"])


def test_the_import_log_records_each_file_with_its_checksum(national_store: Store) -> None:
    records = {r.source: r for r in national_store.imports()}
    assert set(records) == {"imls_pls", "census_cenpop_tract", "census_cenpop_county"}
    archive = (require_shared_data() / "pls_fy2021_csv.zip").read_bytes()
    assert records["imls_pls"].sha256 == hashlib.sha256(archive).hexdigest()
    assert records["imls_pls"].summary["added"] == 17_425
    assert records["imls_pls"].vintage == "FY2021"

