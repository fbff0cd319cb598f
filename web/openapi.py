"""The OpenAPI 3 description of ``/api``: what each route takes and answers.

Kept by hand, next to the routes, and checked by ``tests/test_web_openapi.py``: every API
route is documented, every documented parameter is really read (a bad value is refused
naming it), and real answers have the documented fields. A blueprint that adds API routes
documents them with ``add_paths`` (from ``Blueprint.record_once``), reusing
``query_param`` and ``responses`` so its errors read like the rest.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from locator import __version__
from locator.search import DEFAULT_K
from locator.sites import PROGRAMS, Kind
from locator.spatial import MAX_K
from web.params import MAX_QUERY_CHARS, MAX_ZOOM

_KINDS = [k.value for k in Kind]
# gunicorn's default limit on the request line (method, URL and protocol).
MAX_REQUEST_LINE_BYTES = 4094

# Decimal degrees in range, as regular expressions, so that a generated value that matches
# is one the routes accept (a JSON Schema cannot put a range on a number inside a string).
LAT_PATTERN = r"-?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
LON_PATTERN = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
# Search text must hold a character that is not white space (it is trimmed first).
SEARCH_TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS,
               "pattern": r"\S"}


def query_param(name: str, description: str, schema: dict[str, Any], *, required: bool = False,
           **extra: Any) -> dict[str, Any]:
    """A query parameter; an optional one sent empty (``k=``) counts as left out."""
    empty = {} if required else {"allowEmptyValue": True}
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema, **empty, **extra}


_Q = query_param("q", "Where to search from: a 5-digit ZIP or ZIP+4, `City, ST`, `X County, ST`, "
            "a street address containing a ZIP, or `lat, lon` in decimal degrees.",
            SEARCH_TEXT, required=True, example="62701")
_KIND = query_param("kind", "Only these kinds of site. Repeat the parameter and/or separate kinds "
               "with commas; omitted means every kind.",
               {"type": "array", "items": {"type": "string", "enum": _KINDS}},
               style="form", explode=True, example=["library", "bookmobile"])
_PROGRAM = query_param("program", "Only sites offering this program or service (slug or label).",
                  {"type": "string", "enum": [p.slug for p in PROGRAMS]})
_BBOX = query_param("bbox", "The map box `minlon,minlat,maxlon,maxlat` in decimal degrees "
               "(min <= max, else 400; a box across the antimeridian is sent as two requests).",
               {"type": "string", "format": "bbox",
                "pattern": f"^{LON_PATTERN},{LAT_PATTERN},{LON_PATTERN},{LAT_PATTERN}$"},
               required=True, example="-91.5,36.9,-87.5,42.5")

_ERROR = {"$ref": "#/components/schemas/Error"}


def responses(ok: dict[str, Any], *, description: str, not_found: bool = False,
               content_type: str = "application/json") -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": description, "content": {content_type: {"schema": ok}}},
        "400": {"description": "A parameter is missing, malformed or out of range; "
                "`parameter` names it. An ambiguous place answers `error: ambiguous_place` "
                "with the `candidates` to choose from.",
                "content": {"application/json": {"schema": _ERROR}}},
    }
    # gunicorn answers a request line longer than it accepts before the app sees it.
    responses["414"] = {"description": f"The URL is longer than {MAX_REQUEST_LINE_BYTES} "
                        "bytes.", "content": {"text/html": {"schema": {"type": "string"}}}}
    if not_found:
        responses["404"] = {"description": "No public site has this id (unknown, pending "
                            "review or retired).",
                            "content": {"application/json": {"schema": _ERROR}}}
    return responses


def add_paths(app: Flask, paths: dict[str, Any],
              schemas: dict[str, Any] | None = None) -> None:
    """Document more API routes (and the schemas they refer to) in this app's document."""
    extra = app.extensions.setdefault("openapi", {"paths": {}, "schemas": {}})
    extra["paths"].update(paths)
    extra["schemas"].update(schemas or {})


def document() -> dict[str, Any]:
    doc = _core_document()
    extra = current_app.extensions.get("openapi", {"paths": {}, "schemas": {}})
    doc["paths"].update(extra["paths"])
    doc["components"]["schemas"].update(extra["schemas"])
    return doc


def _core_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Workforce service locator API",
            "version": __version__,
            "description": "Nearest job centers, partner sites and public libraries. Distances "
            "are straight-line (great-circle) miles, never driving distance. Only approved "
            "sites are ever returned. Coordinates are WGS84 decimal degrees; GeoJSON is "
            "RFC 7946 (longitude, latitude order).",
        },
        "paths": {
            "/api/geocode": {"get": {
                "summary": "Turn search text into a place",
                "operationId": "geocode",
                "parameters": [_Q],
                "responses": responses({"$ref": "#/components/schemas/Place"},
                                        description="The place the text names."),
            }},
            "/api/nearest": {"get": {
                "summary": "The sites nearest to a place, nearest first",
                "description": "Give either `q` or both `lat` and `lon`, never both (400 "
                "otherwise). Text the geocoder cannot place answers 400 `unknown_place`. The "
                "answer is the same JSON as `locator nearest --format json`. Each result says "
                "whether the site is open at `at` (default: now), when that changes, and its "
                "week of opening intervals from that day.",
                "operationId": "nearest",
                "parameters": [
                    {**_Q, "required": False, "allowEmptyValue": True},
                    query_param("lat", "Latitude to search from (with `lon`, instead of `q`).",
                           {"type": "number", "minimum": -90, "maximum": 90}),
                    query_param("lon", "Longitude to search from (with `lat`, instead of `q`).",
                           {"type": "number", "minimum": -180, "maximum": 180}),
                    query_param("k", "How many sites to return.",
                           {"type": "integer", "minimum": 1, "maximum": MAX_K,
                            "default": DEFAULT_K}),
                    _KIND, _PROGRAM,
                    query_param("within_mi", "Only sites within this straight-line distance.",
                           {"type": "number", "exclusiveMinimum": True, "minimum": 0}),
                    query_param("at", "The moment to evaluate opening hours at, ISO 8601 "
                           "(default: now). With an offset or `Z` it is an instant; without "
                           "one it is read in each site's own time zone.",
                           {"type": "string", "format": "date-time"},
                           example="2027-03-15T18:30"),
                    query_param("open", "`true` keeps only the sites open at that moment "
                           "(sites with unknown hours are left out).",
                           {"type": "boolean", "default": False}),
                ],
                "responses": responses({"$ref": "#/components/schemas/NearestAnswer"},
                                        description="The place searched from and the sites."),
            }},
            "/api/sites": {"get": {
                "summary": "Every public site inside a map box, as GeoJSON",
                "operationId": "sitesInBbox",
                "description": "With `visits_from` and `visits_to` (local dates, both or "
                "neither, at most 92 days apart) only the mobile job center stops visited on "
                "those days are returned, each with its `visits` then and its `time_zone`.",
                "parameters": [_BBOX, _KIND, _PROGRAM,
                               query_param("visits_from", "First day of a date range (ISO "
                                           "8601 date, in each stop's own zone).",
                                           {"type": "string", "format": "date"},
                                           example="2027-01-11"),
                               query_param("visits_to", "Last day of the range, included; "
                                           "not before `visits_from`.",
                                           {"type": "string", "format": "date"},
                                           example="2027-01-24")],
                "responses": responses({"$ref": "#/components/schemas/SiteCollection"},
                                        description="A FeatureCollection of Point features.",
                                        content_type="application/geo+json"),
            }},
            "/api/sites/{site_id}": {"get": {
                "summary": "One public site",
                "operationId": "site",
                "parameters": [{"name": "site_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": responses({"$ref": "#/components/schemas/Site"},
                                        description="The site.", not_found=True),
            }},
            "/api/clusters": {"get": {
                "summary": "Sites inside a map box, grouped for drawing at a zoom level",
                "description": "Sites closer than 64 screen pixels at `zoom` (Web Mercator) "
                "are merged into one cluster Feature with `cluster: true` and a `count`; a "
                "site alone in its cell is a Feature with `id`, `name` and `kind`.",
                "operationId": "clusters",
                "parameters": [_BBOX,
                               query_param("zoom", "The map's zoom level.",
                                      {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM},
                                      required=True),
                               _KIND, _PROGRAM],
                "responses": responses({"$ref": "#/components/schemas/ClusterCollection"},
                                        description="A FeatureCollection of Point features.",
                                        content_type="application/geo+json"),
            }},
            "/api/openapi.json": {"get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3 document.",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}},
            }},
        },
        "components": {"schemas": _schemas()},
    }


def _schemas() -> dict[str, Any]:
    text = {"type": "string"}
    number = {"type": "number"}
    point = {"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {"type": "array", "items": number, "minItems": 2, "maxItems": 2,
                        "description": "[longitude, latitude]"}}}
    site_properties = {
        "id": text, "name": text, "kind": {"type": "string", "enum": _KINDS},
        "address": text, "city": text, "state": text, "zip": text, "county_fips": text,
        "lat": number, "lon": number, "organization": text, "phone": text, "website": text,
        "hours": {"$ref": "#/components/schemas/Hours"},
        "programs": {"type": "array", "items": text}, "temporarily_closed": {"type": "boolean"},
    }
    site_required = list(site_properties)
    visit = {"type": "object", "required": ["start", "end"], "properties": {
        "start": {"type": "string", "format": "date-time",
                  "description": "ISO 8601 with the stop's UTC offset."},
        "end": {"type": "string", "format": "date-time"}}}
    return {
        "Error": {"type": "object", "required": ["error", "detail"], "properties": {
            "error": {"type": "string", "description": "A stable code: invalid_parameter, "
                      "unknown_place, ambiguous_place, not_found, method_not_allowed."},
            "detail": {"type": "string", "description": "What is wrong and what to send."},
            "parameter": {"type": "string", "description": "The parameter at fault."},
            "candidates": {"type": "array", "items": {"$ref": "#/components/schemas/Place"},
                           "description": "For ambiguous_place: the places to choose from."},
        }},
        "Place": {"type": "object", "required": ["label", "lat", "lon", "precision"],
                  "properties": {"label": text, "lat": number, "lon": number,
                                 "precision": {"type": "string",
                                               "enum": ["point", "zip", "city", "county"]}}},
        "Site": {"type": "object", "required": site_required, "properties": {
            **site_properties,
            "time_zone": {"type": "string", "description": "The stop's IANA zone (with "
                          "`visits` only)."},
            "visits": {"type": "array", "description": "The stop's visits in the range asked "
                       "(`/api/sites` with `visits_from`/`visits_to` only).",
                       "items": visit}}},
        "Hours": _hours_schema(with_week=False),
        "NearbySite": {"type": "object",
                       "required": [*site_required, "distance_mi", "open", "next_change"],
                       "properties": {
                           **site_properties,
                           "hours": _hours_schema(with_week=True),
                           "distance_mi": {"type": "number",
                                           "description": "Straight-line miles."},
                           "open": {"type": "boolean", "nullable": True,
                                    "description": "Open at the moment asked; null when the "
                                    "hours are unknown or unreadable."},
                           "next_change": {"type": "string", "format": "date-time",
                                           "nullable": True,
                                           "description": "When `open` next changes, with "
                                           "the site's UTC offset; null when it does not "
                                           "within a year, or the hours are not known."},
                           "next_visit": {**visit, "nullable": True,
                                          "description": "Mobile job center stops only: "
                                          "the visit going on at the moment asked (starting "
                                          "then) or the next one; null when none is known."}}},
        "NearestAnswer": {"type": "object", "required": ["query", "results"], "properties": {
            "query": {"$ref": "#/components/schemas/Place"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/NearbySite"}},
        }},
        "SiteCollection": _collection(point, {"$ref": "#/components/schemas/Site"}),
        "ClusterCollection": _collection(point, {"type": "object", "properties": {
            "cluster": {"type": "boolean"}, "count": {"type": "integer"},
            "id": text, "name": text, "kind": {"type": "string", "enum": _KINDS},
            "time_zone": {"type": "string", "description": "A mobile stop's IANA zone."},
            "next_visit": {**visit, "nullable": True, "description": "A mobile stop's "
                           "visit going on now (starting now) or its next one; null when "
                           "none is known."}}}),
    }


def _hours_schema(*, with_week: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "text": {"type": "string", "description": "The hours as given; empty when none were."},
        "status": {"type": "string", "enum": ["structured", "unknown", "unreadable"],
                   "description": "unknown: no hours given (not the same as closed); "
                   "unreadable: kept as text, never guessed."},
        "canonical": {"type": "string", "nullable": True,
                      "description": "OpenStreetMap opening_hours form, when structured; "
                      "PH is US federal public holidays."},
    }
    if with_week:
        properties["week"] = {
            "type": "array", "description": "Open intervals over the seven days from the "
            "moment's local day (empty unless structured).",
            "items": {"type": "object", "required": ["opens", "closes"], "properties": {
                "opens": {"type": "string", "format": "date-time"},
                "closes": {"type": "string", "format": "date-time"}}}}
    return {"type": "object", "required": list(properties), "properties": properties}


def _collection(geometry: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    feature = {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
        "type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string"},
        "geometry": geometry, "properties": properties}}
    return {"type": "object", "required": ["type", "features"], "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": feature}}}
