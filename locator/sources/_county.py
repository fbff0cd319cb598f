"""The county of a row from what the row states: FIPS codes, a tract code, or a county name.

PLS files up to FY2021 give the county FIPS as ``INCITSST``/``INCITSCO``; from FY2022 they
give only the county name ``CNTY`` and the census tract ``CENTRACT``. Each way is tried in
turn, and the answer says which one was used. When none works, the caller falls back to the
point in the shipped outlines (``locator.sources._checks``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

from locator import geodata
from locator.sites import CountySource

_TRACT_GEOID = re.compile(r"\d{11}")


def from_codes(state_fips: str, county_code: str) -> str:
    """``17`` and ``31`` -> ``17031``; "" when the codes are not numbers of the right size."""
    if (state_fips.isdigit() and county_code.isdigit() and len(state_fips) <= 2
            and len(county_code) <= 3):
        return state_fips.zfill(2) + county_code.zfill(3)
    return ""


def from_tract(tract: str, state_abbr: str) -> str:
    """The county part of an 11-digit tract GEOID (state 2, county 3, tract 6), if that
    county exists in the state the row names. Decimal tract numbers (``8245.05``, the
    FY2021 form) carry no county and give ""."""
    if not _TRACT_GEOID.fullmatch(tract):
        return ""
    county = tract[:5]
    in_state = geodata.USPS_BY_FIPS.get(county[:2]) == state_abbr
    return county if in_state and county in _known_counties() else ""


def from_name(name: str, state_abbr: str) -> str:
    """The county of ``state_abbr`` with this name: the name as written first, then folded
    ("ST. CLAIR" = "St. Clair", "DE KALB" = "DeKalb", "LA SALLE" = "LaSalle", "COOK COUNTY"
    = "Cook"). "" when no county, or more than one, has it."""
    name = name.strip()
    if not name:
        return ""
    for key in (name, geodata.name_key(name)):
        found = _names_in_state(state_abbr, exact=key == name).get(key, ())
        if len(found) == 1:
            return found[0]
    return ""


def county_of(row_codes: tuple[str, str], tract: str, name: str,
              state_abbr: str) -> tuple[str, CountySource]:
    """The first way that gives a county: codes, tract, name; else ("", UNKNOWN)."""
    for fips, source in ((from_codes(*row_codes), CountySource.SOURCE),
                         (from_tract(tract, state_abbr), CountySource.CENSUS_TRACT),
                         (from_name(name, state_abbr), CountySource.COUNTY_NAME)):
        if fips:
            return fips, source
    return "", CountySource.UNKNOWN


@cache
def _known_counties() -> frozenset[str]:
    return frozenset(c.fips for c in geodata.counties())


@cache
def _names_in_state(state_abbr: str, *, exact: bool) -> dict[str, tuple[str, ...]]:
    """County FIPS codes by name (as written, or folded) within one state. Folded keys
    include the name with its kind ("Richmond city"), which tells apart a county and an
    independent city of the same name."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for county in geodata.counties():
        if county.state != state_abbr:
            continue
        if exact:
            by_key[county.name].add(county.fips)
        else:
            by_key[geodata.name_key(county.name)].add(county.fips)
            by_key[geodata.name_key(county.full_name)].add(county.fips)
    return {key: tuple(sorted(codes)) for key, codes in by_key.items()}
