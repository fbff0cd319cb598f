"""Census centers of population (tract and county): population-weighted points.

Tract file: ``STATEFP,COUNTYFP,TRACTCE,POPULATION,LATITUDE,LONGITUDE`` (UTF-8 with a BOM).
County file: ``STATEFP,COUNTYFP,COUNAME,STNAME,POPULATION,LATITUDE,LONGITUDE``. Coordinates
carry signs and leading zeros (``+41.88``, ``-087.63``), which ``float`` reads as written.
"""

from __future__ import annotations

import re

from locator.sources._fields import latitude, longitude, readable
from locator.sources._records import PopulationRow, RowError

TRACT_SOURCE = "census_cenpop_tract"
COUNTY_SOURCE = "census_cenpop_county"
ENCODINGS = ("utf-8-sig", "cp1252")

_YEAR = re.compile(r"cenpop[ _-]?(\d{4})", re.IGNORECASE)


def matches_tracts(header: list[str]) -> bool:
    return {"STATEFP", "COUNTYFP", "TRACTCE", "POPULATION", "LATITUDE", "LONGITUDE"} <= set(header)


def matches_counties(header: list[str]) -> bool:
    return ({"STATEFP", "COUNTYFP", "POPULATION", "LATITUDE", "LONGITUDE"} <= set(header)
            and "TRACTCE" not in header and "BLKGRPCE" not in header)


def vintage_from_names(*names: str) -> str:
    for name in names:
        found = _YEAR.search(name)
        if found:
            return found.group(1)
    return ""


def parse_tract(row: dict[str, str]) -> PopulationRow:
    county = _county_fips(row)
    tract = _digits(row, "TRACTCE", 6)
    return _point(row, county + tract, county)


def parse_county(row: dict[str, str]) -> PopulationRow:
    county = _county_fips(row)
    return _point(row, county, county)


def _point(row: dict[str, str], point_id: str, county: str) -> PopulationRow:
    readable(row)
    text = row.get("POPULATION", "")
    if not text.isdigit():
        raise RowError(f"POPULATION {text!r} is not a whole number of people")
    return PopulationRow(point_id, county, int(text), latitude(row, "LATITUDE"),
                         longitude(row, "LONGITUDE"))


def _county_fips(row: dict[str, str]) -> str:
    return _digits(row, "STATEFP", 2) + _digits(row, "COUNTYFP", 3)


def _digits(row: dict[str, str], column: str, width: int) -> str:
    text = row.get(column, "")
    if not text.isdigit() or len(text) > width:
        raise RowError(f"{column} {text!r} is not a {width}-digit code")
    return text.zfill(width)
