"""The project's own sites format, as CSV or GeoJSON (documented in docs/sites-format.md).

Each file is a source of its own, named after the file (``file:<name.csv>``): importing a new
version of ``access_sites.csv`` retires the sites it no longer lists, and leaves the sites
of every other file alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath

from locator.sites import CountySource, Site
from locator.sources import _fields as f
from locator.sources._records import FileError, RowError, SourceFile

SOURCE_PREFIX = "file:"
ENCODINGS = ("utf-8-sig", "cp1252")
REQUIRED = ("id", "name", "kind", "lat", "lon")
OPTIONAL = ("organization", "address", "city", "state", "zip", "county_fips", "phone",
            "website", "hours", "programs", "status", "last_verified")
# What every file supplies, whichever optional columns it has: where county or state are
# missing the importer fills them from the point.
_ALWAYS = frozenset({"name", "kind", "lat", "lon", "state", "county_fips", "county_source",
                     "source", "source_id", "vintage"})


def matches(header: list[str]) -> bool:
    return set(REQUIRED) <= {name.lower() for name in header}


def looks_like_geojson(head: bytes, name: str) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and (b"FeatureCollection" in head
                                       or name.lower().endswith((".geojson", ".json")))


def source_for(name: str) -> str:
    return SOURCE_PREFIX + PurePosixPath(name).name


def fields(header: list[str]) -> frozenset[str]:
    return _ALWAYS | ({name.lower() for name in header} & set(OPTIONAL))


def geojson_rows(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The property names in use, and one row per feature (numbered from 1), with the
    point's coordinates as ``lat``/``lon``. Raises ``FileError`` for a file that is not a
    GeoJSON FeatureCollection."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileError(f"not valid JSON: {error.msg}", row=error.lineno) from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise FileError("not a GeoJSON FeatureCollection (no \"features\" list)")
    names = sorted({str(k).lower() for feature in features if isinstance(feature, dict)
                    for k in (feature.get("properties") or {})} | {"id", "lat", "lon"})
    return names, ((number, _feature_row(feature)) for number, feature in
                   enumerate(features, start=1))


def _feature_row(feature: object) -> dict[str, str]:
    if not isinstance(feature, dict):
        return {"_error": "feature is not a JSON object"}
    properties = feature.get("properties") or {}
    row = {str(k).lower(): _text(v) for k, v in properties.items()} \
        if isinstance(properties, dict) else {}
    if "id" not in row and feature.get("id") is not None:
        row["id"] = _text(feature["id"])
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        row["_error"] = "missing coordinates: feature has no geometry"
    elif geometry.get("type") != "Point":
        row["_error"] = f"geometry is a {geometry.get('type')}, expected a Point"
    else:
        coordinates = geometry.get("coordinates")
        if isinstance(coordinates, list) and len(coordinates) >= 2:
            # RFC 7946 order: longitude first.
            row["lon"], row["lat"] = _text(coordinates[0]), _text(coordinates[1])
        else:
            row["_error"] = "missing coordinates: Point has no [lon, lat] pair"
    return row


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_text(v) for v in value)
    return str(value).strip()


def parse_row(row: dict[str, str], file: SourceFile) -> Site:
    if "_error" in row:
        raise RowError(row["_error"], site_id=row.get("id", ""))
    site_id = f.site_id(row.get("id", ""))
    try:
        f.readable(row)
        county = f.county_fips(row.get("county_fips", ""))
        return Site(
            id=site_id,
            name=f.required(row, "name"),
            kind=f.kind(row.get("kind", "")),
            lat=f.latitude(row, "lat"),
            lon=f.longitude(row, "lon"),
            organization=row.get("organization", ""),
            address=row.get("address", ""),
            city=row.get("city", ""),
            state=f.state(row.get("state", "")),
            zip=f.zip5(row.get("zip", "")),
            county_fips=county,
            county_source=CountySource.SOURCE if county else CountySource.UNKNOWN,
            phone=f.us_phone(row.get("phone", "")),
            website=f.web_address(row.get("website", "")),
            hours=row.get("hours", ""),
            programs=f.programs(row.get("programs", "")),
            status=f.status(row.get("status", "")),
            source=file.source,
            source_id=site_id,
            vintage=file.vintage,
            last_verified=f.iso_date(row.get("last_verified", ""), "last_verified"),
        )
    except RowError as error:
        raise RowError(error.reason, site_id=site_id) from None
