"""CareerOneStop's list of American Job Centers (the CSV download; same fields as its API).

Columns (any case): Name, Address1, Address2, City, StateAbbr, Zip, Phone, ProgramType
(Comprehensive or Affiliate), OpenHour (free text), Latitude, Longitude, WebSiteUrl,
LastUpdated, an optional ID, and service lists: any column whose name ends in "Services",
holding service names separated by semicolons, commas or bars. Service names that match a
program (by slug, label or the keywords below) become the site's programs.
"""

from __future__ import annotations

import re

from locator.errors import InvalidInput
from locator.sites import Kind, Site, parse_program
from locator.sources import _fields as f
from locator.sources._records import RowError, SourceFile

SOURCE = "careeronestop"
ENCODINGS = ("utf-8-sig", "cp1252")
REQUIRED = ("name", "address1", "city", "stateabbr", "zip", "programtype", "latitude",
            "longitude")
FIELDS = frozenset({
    "name", "kind", "lat", "lon", "address", "city", "state", "zip", "county_fips",
    "county_source", "phone", "website", "hours", "programs", "source", "source_id",
    "vintage", "last_verified",
})
PROGRAM_TYPES = {"comprehensive": Kind.COMPREHENSIVE_CENTER, "affiliate": Kind.AFFILIATE_CENTER}
# Words in CareerOneStop's service names and the program each names. Checked in order; the
# first that appears in a service name wins.
SERVICE_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("dislocated", "title_i_dislocated_worker"),
    ("youthbuild", "youthbuild"),
    ("job corps", "job_corps"),
    ("youth", "title_i_youth"),
    ("veteran", "jobs_for_veterans"),
    ("adult education", "title_ii_adult_education"),
    ("literacy", "title_ii_adult_education"),
    ("vocational rehabilitation", "title_iv_vocational_rehabilitation"),
    ("wagner", "title_iii_wagner_peyser"),
    ("unemployment", "unemployment_compensation"),
    ("trade adjustment", "trade_adjustment_assistance"),
    ("tanf", "tanf"),
    ("senior community", "senior_community_service"),
    ("farmworker", "farmworker_jobs"),
    ("resume", "resume_help"),
    ("résumé", "resume_help"),
    ("job fair", "job_fairs"),
    ("workshop", "job_search_workshops"),
    ("computer", "public_computers"),
    ("wi-fi", "wifi"),
    ("wifi", "wifi"),
)
_SEPARATORS = re.compile(r"[;,|]")
_SLUG = re.compile(r"[^a-z0-9]+")


def matches(header: list[str]) -> bool:
    return {"name", "address1", "stateabbr", "programtype"} <= {h.lower() for h in header}


def fields(header: list[str]) -> frozenset[str]:
    return FIELDS


def site_id(row: dict[str, str]) -> str:
    """``ajc-<ID>`` when the file carries CareerOneStop's ID, else ``ajc-<zip>-<name>``, so
    the same center keeps its id from one download to the next."""
    if row.get("id"):
        return "ajc-" + _SLUG.sub("-", row["id"].lower()).strip("-")
    name = _SLUG.sub("-", row.get("name", "").lower()).strip("-")[:60].rstrip("-")
    return f"ajc-{f.zip5(row.get('zip', ''), 'Zip') or 'nozip'}-{name}"


def parse_row(row: dict[str, str], file: SourceFile) -> Site:
    sid = ""
    try:
        f.readable(row)
        sid = f.site_id(site_id(row))
        return Site(
            id=sid,
            name=f.required(row, "name"),
            kind=_kind(row.get("programtype", "")),
            lat=f.latitude(row, "latitude"),
            lon=f.longitude(row, "longitude"),
            address=", ".join(p for p in (row.get("address1", ""), row.get("address2", "")) if p),
            city=row.get("city", ""),
            state=f.state(f.required(row, "stateabbr"), "StateAbbr"),
            zip=f.zip5(row.get("zip", ""), "Zip"),
            phone=f.us_phone(row.get("phone", "")),
            website=f.web_address(row.get("websiteurl", ""), "WebSiteUrl"),
            hours=row.get("openhour", ""),
            programs=_programs(row),
            source=SOURCE,
            source_id=row.get("id", "") or sid,
            vintage=file.vintage,
            last_verified=f.iso_date(row.get("lastupdated", ""), "LastUpdated"),
        )
    except RowError as error:
        raise RowError(error.reason, site_id=sid) from None


def vintage(rows: list[dict[str, str]]) -> str:
    """The newest LastUpdated date in the file: when the list was current."""
    dates = []
    for row in rows:
        try:
            dates.append(f.iso_date(row.get("lastupdated", ""), "LastUpdated"))
        except RowError:
            continue
    return max(dates, default="")


def _kind(text: str) -> Kind:
    for prefix, kind in PROGRAM_TYPES.items():
        if text.strip().lower().startswith(prefix):
            return kind
    raise RowError(f"ProgramType {text!r} is neither Comprehensive nor Affiliate")


def _programs(row: dict[str, str]) -> frozenset[str]:
    slugs = set()
    for column, value in row.items():
        if not column.endswith("services"):
            continue
        for service in _SEPARATORS.split(value):
            slug = _program_for(service.strip())
            if slug:
                slugs.add(slug)
    return frozenset(slugs)


def _program_for(service: str) -> str:
    if not service:
        return ""
    try:
        return parse_program(service)
    except InvalidInput:
        pass
    folded = service.lower()
    return next((slug for word, slug in SERVICE_KEYWORDS if word in folded), "")
