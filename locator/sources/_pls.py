"""IMLS Public Libraries Survey (PLS) outlet files, every layout from FY2019 to FY2024.

The outlet file lists every public library service point: central libraries (CE), branches
(BR), bookmobiles (BS) and books-by-mail services (BM; coded MO in FY2019), which are not
places. The columns used here are common to every layout, except the county FIPS codes
``INCITSST``/``INCITSCO``, which stop after FY2021: the county then comes from the tract
``CENTRACT`` or the name ``CNTY`` (see ``_county``). The files are Windows-1252.
"""

from __future__ import annotations

import re

from locator.sites import Kind, Site
from locator.sources import _county
from locator.sources._fields import latitude, longitude, readable, required, us_phone, zip5
from locator.sources._records import RowError, Skip, SourceFile

SOURCE = "imls_pls"
ENCODINGS = ("cp1252",)
REQUIRED = ("STABR", "FSCSKEY", "FSCS_SEQ", "LIBNAME", "ADDRESS", "CITY", "ZIP", "PHONE",
            "C_OUT_TY", "STATSTRU", "LONGITUD", "LATITUDE")
# The ways a row states its county, in the order they are tried; any may be absent.
COUNTY_COLUMNS = ("INCITSST", "INCITSCO", "CENTRACT", "CNTY")
COLUMNS = REQUIRED + COUNTY_COLUMNS  # every column this reader looks at
FIELDS = frozenset({
    "name", "kind", "lat", "lon", "address", "city", "state", "zip", "county_fips",
    "county_source", "phone", "temporarily_closed", "source", "source_id", "vintage",
})

KINDS = {"CE": Kind.LIBRARY, "BR": Kind.LIBRARY, "BS": Kind.BOOKMOBILE}
BOOKS_BY_MAIL = frozenset({"BM", "MO"})
# STATSTRU structure-change codes: 03 closed during the year (kept in the file with its data
# set to -3, but no longer a place to send anyone); 23 temporarily closed (kept, flagged).
CLOSED = "03"
TEMPORARILY_CLOSED = "23"
# PLS writes missing text as negative codes: -1 not applicable, -3 closed, -4 not reported.
MISSING = frozenset({"-1", "-3", "-4", "-9", "M"})

_FY = re.compile(r"fy[ _-]?(\d{4}|\d{2})(?!\d)", re.IGNORECASE)
_PUD = re.compile(r"pud(\d{2})", re.IGNORECASE)


def fields(header: list[str]) -> frozenset[str]:
    return FIELDS


def matches(header: list[str]) -> bool:
    return {"FSCSKEY", "FSCS_SEQ", "C_OUT_TY"} <= set(header)


def vintage_from_names(*names: str) -> str:
    """``FY2021`` from names such as ``pls_fy21_outlet_pud21i.csv`` or ``pls_fy2021_csv.zip``."""
    for name in names:
        found = _FY.search(name) or _PUD.search(name)
        if found:
            year = found.group(1)
            return f"FY{'20' + year if len(year) == 2 else year}"
    return ""


def parse_row(row: dict[str, str], file: SourceFile) -> Site | Skip:
    site_id = f"pls-{row.get('FSCSKEY', '')}-{row.get('FSCS_SEQ', '')}"
    try:
        readable(row)
        required(row, "FSCSKEY")
        required(row, "FSCS_SEQ")
        outlet_type = row.get("C_OUT_TY", "")
        if outlet_type in BOOKS_BY_MAIL:
            return Skip("books-by-mail service (not a place)")
        if row.get("STATSTRU") == CLOSED:
            return Skip("closed outlet (STATSTRU 03)")
        kind = KINDS.get(outlet_type)
        if kind is None:
            raise RowError(f"unknown outlet type C_OUT_TY {outlet_type!r} "
                           "(expected CE, BR, BS or BM)")
        state = required(row, "STABR").upper()
        county_fips, county_source = _county.county_of(
            (row.get("INCITSST", ""), row.get("INCITSCO", "")), row.get("CENTRACT", ""),
            _text(row, "CNTY"), state)
        return Site(
            id=site_id,
            name=required(row, "LIBNAME"),
            kind=kind,
            lat=latitude(row, "LATITUDE"),
            lon=longitude(row, "LONGITUD"),
            address=_text(row, "ADDRESS"),
            city=_text(row, "CITY"),
            state=state,
            zip=zip5(_text(row, "ZIP"), "ZIP"),
            county_fips=county_fips,
            county_source=county_source,
            phone=us_phone(_text(row, "PHONE")),
            temporarily_closed=row.get("STATSTRU") == TEMPORARILY_CLOSED,
            source=SOURCE,
            source_id=f"{row['FSCSKEY']}-{row['FSCS_SEQ']}",
            vintage=file.vintage,
        )
    except RowError as error:
        raise RowError(error.reason, site_id=site_id) from None


def _text(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    return "" if value in MISSING else value

