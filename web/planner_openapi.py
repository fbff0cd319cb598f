"""The OpenAPI description of the coverage routes in ``web/planner.py``.

Added to the app's document by the planner blueprint (``web.openapi.add_paths``), so
``tests/test_web_openapi.py`` checks these routes like every other: documented, every
documented parameter read and its limits enforced.
"""

from __future__ import annotations

from typing import Any

from locator.coverage import MAX_THRESHOLDS
from locator.geodata import states
from locator.mobile import WEEKDAY_CODES
from locator.sites import PROGRAMS, Kind
from locator.whatif import MAX_ADDED_SITES
from web.openapi import LAT_PATTERN, LON_PATTERN, query_param, responses

_KINDS = [k.value for k in Kind]
_ERROR = {"$ref": "#/components/schemas/Error"}

STATE = query_param(
    "state", "Count only residents of these states (USPS abbreviation, name or FIPS code); "
    "repeat the parameter and/or separate states with commas. Omitted: every state. Sites in "
    "other states still count: people near a state line are served from either side. An "
    "empty value is ignored.",
    {"type": "array", "items": {"type": "string", "enum": sorted(
        {name for s in states() for name in (s.abbr, s.name, s.fips)})}},
    style="form", explode=True, example=["IL"])
KIND = query_param(
    "kind", "Count only sites of these kinds; repeat and/or separate with commas. Omitted: "
    "every kind.", {"type": "array", "items": {"type": "string", "enum": _KINDS}},
    style="form", explode=True, example=["library", "bookmobile"])
MOBILE_STOPS = query_param(
    "mobile_stops", "Count mobile stops (sites of kind `mobile_center`) as sites.",
    {"type": "boolean", "default": True})
WEEKDAY = query_param(
    "weekday", "Count only the mobile stops visited on this day of the week (by their visit "
    "schedule in the coming weeks); sites open all week always count. Needs mobile stops "
    "counted: with `mobile_stops=false` the answer is 400 `weekday_without_stops`.",
    {"type": "string", "enum": list(WEEKDAY_CODES)})
PROGRAM = query_param("program", "Count only sites offering this program (slug or label).",
                      {"type": "string", "enum": [p.slug for p in PROGRAMS]})
WITHIN = query_param(
    "within", "Distance thresholds in straight-line miles; repeat and/or separate with commas "
    "(`within=2,5`). Each threshold X names the row fields `population_within_X_mi` and "
    "`share_within_X_mi`, with X as typed.",
    {"type": "array", "items": {"type": "number", "exclusiveMinimum": True, "minimum": 0},
     "minItems": 1, "maxItems": MAX_THRESHOLDS, "uniqueItems": True},
    required=True, style="form", explode=False, example=[5, 10])
BY = query_param(
    "by", "The areas to report by. Reporting by user-defined region (a CSV of county FIPS to "
    "region name) is command-line only: `locator coverage --by region --regions FILE`.",
    {"type": "string", "enum": ["total", "state", "county"], "default": "county"})
MAX_UNCOVERED_SHARE = query_param(
    "max_uncovered_share", "Flag an area as a gap when more than this share of its residents "
    "live beyond the largest threshold (an area with no site is always a gap).",
    {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5})
FORMAT = query_param(
    "format", "`json` (answered inline) or a download: `csv`, `geojson` (RFC 7946, with "
    "county or state outlines) or `gpkg` (a GeoPackage with one layer, `coverage`, EPSG:4326, "
    "for QGIS or ArcGIS).",
    {"type": "string", "enum": ["json", "csv", "geojson", "gpkg"], "default": "json"})
ADD = query_param(
    "add", "Where a new site would open, `LAT,LON` in decimal degrees (latitude first); "
    f"repeat for several (at most {MAX_ADDED_SITES}).",
    {"type": "array", "maxItems": MAX_ADDED_SITES, "items": {"type": "string", "format": "lat-lon",
                                "pattern": f"^{LAT_PATTERN},{LON_PATTERN}$"}},
    style="form", explode=True, example=["40.1164,-88.2434"])
REMOVE = query_param(
    "remove", "Ids of counted sites that would close; repeat and/or separate with commas.",
    {"type": "array", "items": {"type": "string"}}, style="form", explode=True)

_NO_RESIDENTS = {"description": "No population points are loaded in this database "
                 "(run `locator data import`).", "content": {"application/json": {
                     "schema": _ERROR}}}


def paths() -> dict[str, Any]:
    report_responses = responses({"$ref": "#/components/schemas/CoverageReport"},
                                 description="The coverage report, or a file to download.")
    report_responses["200"]["content"].update({
        "text/csv": {"schema": {"type": "string", "description": "One row per area; one "
                                "`sites_<kind>` column per kind of site."}},
        "application/geo+json": {"schema": {"$ref": "#/components/schemas/CoverageGeoJSON"}},
        "application/geopackage+sqlite3": {"schema": {"type": "string", "format": "binary"}},
    })
    report_responses["404"] = _NO_RESIDENTS
    whatif_responses = responses({"$ref": "#/components/schemas/WhatIfResult"},
                                 description="The change, in total and per changed area.")
    whatif_responses["404"] = _NO_RESIDENTS
    sites_responses = responses({"$ref": "#/components/schemas/ServingSites"},
                                description="A FeatureCollection of Point features.",
                                content_type="application/geo+json")
    sites_responses["404"] = _NO_RESIDENTS
    return {
        "/api/coverage": {"get": {
            "summary": "Residents within each distance of the nearest site, by area",
            "description": "Mirrors `locator coverage`: the JSON is the same as `--format "
            "json`. Distances are straight-line miles from Census 2020 centers of population "
            "(tracts, or counties when tracts are not loaded) to the nearest matching site. "
            "Downloads (`format` csv, geojson, gpkg) come with a Content-Disposition header.",
            "operationId": "coverage",
            "parameters": [STATE, KIND, PROGRAM, MOBILE_STOPS, WEEKDAY, WITHIN, BY,
                           MAX_UNCOVERED_SHARE, FORMAT],
            "responses": report_responses,
        }},
        "/api/coverage/whatif": {"get": {
            "summary": "The change in coverage if sites opened or closed",
            "description": "Mirrors `locator whatif --format json`. Give `add`, `remove` or "
            "both (400 with neither, or for an id that is not a counted site). Nothing is "
            "stored: the answer is worked out and forgotten.",
            "operationId": "coverageWhatIf",
            "parameters": [STATE, KIND, PROGRAM, MOBILE_STOPS, WEEKDAY, WITHIN, BY, ADD,
                           REMOVE],
            "responses": whatif_responses,
        }},
        "/api/coverage/sites": {"get": {
            "summary": "The sites that serve the counted residents, for a map",
            "description": "Counted sites inside the chosen states, and those outside that are "
            "the nearest site of some counted resident point.",
            "operationId": "coverageSites",
            "parameters": [STATE, KIND, PROGRAM, MOBILE_STOPS, WEEKDAY],
            "responses": sites_responses,
        }},
    }


def schemas() -> dict[str, Any]:
    text = {"type": "string"}
    integer = {"type": "integer"}
    number = {"type": "number"}
    maybe_number = {"type": "number", "nullable": True}
    row = {"type": "object", "required": [
        "area_id", "name", "population", "sites", "sites_by_kind", "sites_per_10k",
        "mean_distance_mi", "median_distance_mi", "population_beyond_largest_threshold",
        "uncovered_share", "gap", "gap_reasons"], "properties": {
        "area_id": {"type": "string", "description": "County or state FIPS code, or `total`."},
        "name": text, "population": integer, "sites": integer,
        "sites_by_kind": {"type": "object", "additionalProperties": integer},
        "sites_per_10k": maybe_number,
        "mean_distance_mi": {**maybe_number, "description": "Population-weighted mean "
                             "straight-line miles to the nearest site; null without residents "
                             "or without any site."},
        "median_distance_mi": {**maybe_number, "description": "Lower weighted median."},
        "population_beyond_largest_threshold": integer, "uncovered_share": maybe_number,
        "gap": {"type": "boolean"},
        "gap_reasons": {"type": "array", "items": {"type": "string",
                                                   "enum": ["no_site", "uncovered_share"]}},
        "covered_only_on": {"type": "array", "items": {"type": "string", "enum": list(
            WEEKDAY_CODES)}, "description": "The days of the week of an area no site open "
            "all week covers, but mobile stops visiting on those days do (within the "
            "largest threshold); empty otherwise."},
    }, "additionalProperties": {
        "type": "number", "description": "Per threshold X as typed: `population_within_X_mi` "
        "(residents) and `share_within_X_mi` (0-1, null without residents)."}}
    whatif_row = {"type": "object", "required": [
        "area_id", "name", "population", "mean_distance_before_mi", "mean_distance_after_mi",
        "mean_distance_change_mi"], "properties": {
        "area_id": text, "name": text, "population": integer,
        "mean_distance_before_mi": maybe_number, "mean_distance_after_mi": maybe_number,
        "mean_distance_change_mi": maybe_number,
    }, "additionalProperties": {
        "type": "integer", "description": "Per threshold X: `newly_covered_within_X_mi` and "
        "`losing_coverage_within_X_mi` (residents)."}}
    point = {"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {"type": "array", "items": number, "minItems": 2, "maxItems": 2}}}
    outline = {"type": "object", "nullable": True, "required": ["type", "coordinates"],
               "properties": {"type": {"type": "string",
                                       "enum": ["Polygon", "MultiPolygon"]}}}
    return {
        "CoverageRow": row,
        "CoverageReport": {"type": "object", "required": [
            "geography", "thresholds_mi", "filters", "population_level", "population_vintage",
            "sites_counted", "max_uncovered_share", "method", "total", "rows"], "properties": {
            "geography": {"type": "string", "enum": ["total", "state", "county"]},
            "thresholds_mi": {"type": "array", "items": number},
            "filters": {"type": "object"},
            "population_level": {"type": "string", "enum": ["tract", "county"]},
            "population_vintage": text, "sites_counted": integer,
            "max_uncovered_share": number, "method": text,
            "total": {"$ref": "#/components/schemas/CoverageRow"},
            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/CoverageRow"}},
        }},
        "CoverageGeoJSON": {"type": "object", "required": ["type", "metadata", "features"],
                            "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "metadata": {"type": "object", "description": "The report's fields except rows."},
            "features": {"type": "array", "items": {
                "type": "object", "required": ["type", "id", "geometry", "properties"],
                "properties": {"type": {"type": "string", "enum": ["Feature"]}, "id": text,
                               "geometry": outline,
                               "properties": {"$ref": "#/components/schemas/CoverageRow"}}}},
        }},
        "WhatIfRow": whatif_row,
        "WhatIfResult": {"type": "object", "required": [
            "thresholds_mi", "added", "removed", "total", "rows"], "properties": {
            "thresholds_mi": {"type": "array", "items": number},
            "added": {"type": "array", "items": {"type": "object", "required": ["lat", "lon"],
                                                 "properties": {"lat": number, "lon": number}}},
            "removed": {"type": "array", "items": {
                "type": "object", "required": ["id", "name", "lat", "lon"],
                "properties": {"id": text, "name": text, "lat": number, "lon": number}}},
            "total": {"$ref": "#/components/schemas/WhatIfRow"},
            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/WhatIfRow"},
                     "description": "Only the areas where some resident's distance changes, "
                     "most newly covered first."},
        }},
        "ServingSites": {"type": "object", "required": [
            "type", "features", "stale_after_days", "stale_sites"], "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "stale_after_days": {**integer, "description": "The stale setting: a site last "
                                 "verified longer ago than this many days, or never, is stale."},
            "stale_sites": {**integer, "description": "How many of the features are stale."},
            "features": {"type": "array", "items": {
                "type": "object", "required": ["type", "id", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]}, "id": text,
                    "geometry": point,
                    "properties": {"type": "object", "required": [
                        "id", "name", "kind", "last_verified", "stale"], "properties": {
                        "id": text, "name": text, "kind": {"type": "string", "enum": _KINDS},
                        "last_verified": {"type": "string", "format": "date", "nullable": True,
                                          "description": "When a person last confirmed the "
                                          "listing; null when never."},
                        "stale": {"type": "boolean"}}},
                }}},
        }},
    }
