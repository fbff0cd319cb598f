"""The OpenAPI 3.1 description of ``/hsds/``, the HSDS 3.0 API profile this app serves.

Bodies refer to the specification's published schemas by address, as the profile's own
OpenAPI document does; nothing here fetches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from locator import __version__, hsds
from web.openapi import query_param
from web.params import MAX_QUERY_CHARS

SCHEMAS = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
_PAGE_FIELDS = ("total_items", "total_pages", "page_number", "size", "first_page",
                "last_page", "empty")


@dataclass(frozen=True)
class Limits:
    """The paging limits the routes enforce, so the document states the same ones."""

    default_per_page: int
    max_per_page: int
    max_page: int


def _id_param(name: str, description: str) -> dict[str, Any]:
    return query_param(name, description, {"type": "string", "format": "uuid"})


_TERM_FILTERS = [
    _id_param("taxonomy_term_id", "Only services with this term (a kind or a program)."),
    _id_param("taxonomy_id", "Only services with a term of this taxonomy."),
    _id_param("organization_id", "Only services of this organization."),
]


def _list_params(limits: Limits, *, places: bool = False) -> list[dict[str, Any]]:
    found = [
        query_param("search", "Words that must all appear in the name, organization, "
                    "address, kind or programs (any case).",
                    {"type": "string", "maxLength": MAX_QUERY_CHARS}),
        query_param("page", "Page number, from 1.",
                    {"type": "integer", "minimum": 1, "maximum": limits.max_page, "default": 1}),
        query_param("per_page", "Items per page.",
                    {"type": "integer", "minimum": 1, "maximum": limits.max_per_page,
                     "default": limits.default_per_page}),
        query_param("modified_after", "Only services whose details were verified "
                    "(`assured_date`) on or after this ISO 8601 date or date-time.",
                    {"type": "string", "format": "date-time"}),
    ]
    if places:
        found += [*_TERM_FILTERS,
            query_param("postcode", "A 5-digit ZIP: services whose address has it, or with "
                        "`proximity`, within that distance of the ZIP's centre.",
                        {"type": "string", "pattern": r"^\d{5}(-\d{4})?$"}),
            query_param("proximity", "Metres from the centre of `postcode`, nearest first.",
                        {"type": "number", "exclusiveMinimum": 0}),
        ]
    return found


def _plain_list_params(limits: Limits) -> list[dict[str, Any]]:
    return [p for p in _list_params(limits) if p["name"] != "modified_after"]


def _answer(schema: dict[str, Any], description: str, *, paged: bool = False,
            one: bool = False) -> dict[str, Any]:
    if paged:
        schema = {"type": "object", "required": [*_PAGE_FIELDS, "contents"],
                  "properties": {**{name: {"type": "boolean" if name in (
                      "first_page", "last_page", "empty") else "integer"}
                                    for name in _PAGE_FIELDS},
                                 "contents": {"type": "array", "items": schema}}}
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    answers = {"200": {"description": description,
                       "content": {"application/json": {"schema": schema}}},
               "400": {"description": "A parameter is malformed or out of range; "
                       "`parameter` names it.", **error}}
    if one:
        answers["404"] = {"description": "No approved place has this id.", **error}
    return answers


def _get(summary: str, answers: dict[str, Any],
         parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters or [], "responses": answers}}


def _by_id(what: str) -> list[dict[str, Any]]:
    return [{"name": "id", "in": "path", "required": True, "description": f"The {what} id.",
             "schema": {"type": "string", "format": "uuid"}}]


def document(limits: Limits) -> dict[str, Any]:
    ref = {name: {"$ref": SCHEMAS + name} for name in (
        "compiled/service.json", "compiled/organization.json", "organization.json",
        "taxonomy.json", "taxonomy_term.json",
        "compiled/service_at_location.json", "compiled/service_at_location_list.json")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Workforce service locator: HSDS API", "version": __version__,
                 "description": f"The approved places of the locator as Open Referral HSDS "
                                f"{hsds.HSDS_VERSION}, read-only."},
        "paths": {
            "/hsds/": _get("HSDS version, profile and this document's address", _answer(
                {"type": "object", "required": ["version", "profile", "openapi_url"],
                 "properties": {"version": {"type": "string"},
                                "profile": {"type": "string", "format": "uri"},
                                "openapi_url": {"type": "string", "format": "uri"}}},
                "About this API")),
            "/hsds/services": _get("Approved places as fully nested services", _answer(
                ref["compiled/service.json"], "A page of services", paged=True),
                [*_list_params(limits), *_TERM_FILTERS]),
            "/hsds/services/{id}": _get("One fully nested service", _answer(
                ref["compiled/service.json"], "The service", one=True), _by_id("service")),
            "/hsds/organizations": _get("Organizations running approved places", _answer(
                ref["organization.json"], "A page of organizations", paged=True),
                _plain_list_params(limits)),
            "/hsds/organizations/{id}": _get("One organization with its services", _answer(
                ref["compiled/organization.json"], "The organization", one=True),
                _by_id("organization")),
            "/hsds/service_at_locations": _get("Services at their locations", _answer(
                ref["compiled/service_at_location_list.json"],
                "A page of services at locations", paged=True), _list_params(limits, places=True)),
            "/hsds/service_at_locations/{id}": _get("One service at its location", _answer(
                ref["compiled/service_at_location.json"], "The service at its location",
                one=True), _by_id("service_at_location")),
            "/hsds/taxonomies": _get("The project's taxonomies (kinds, programs, record)",
                _answer(ref["taxonomy.json"], "A page of taxonomies", paged=True),
                _plain_list_params(limits)),
            "/hsds/taxonomies/{id}": _get("One taxonomy", _answer(
                ref["taxonomy.json"], "The taxonomy", one=True), _by_id("taxonomy")),
            "/hsds/taxonomy_terms": _get("The terms of the project's taxonomies", _answer(
                ref["taxonomy_term.json"], "A page of terms", paged=True),
                [*_plain_list_params(limits), _TERM_FILTERS[1]]),
            "/hsds/taxonomy_terms/{id}": _get("One taxonomy term", _answer(
                ref["taxonomy_term.json"], "The term", one=True), _by_id("taxonomy term")),
            "/hsds/openapi.json": _get("This document", _answer(
                {"type": "object"}, "The OpenAPI document")),
        },
        "components": {"schemas": {"Error": {
            "type": "object", "required": ["error", "detail"],
            "properties": {"error": {"type": "string"}, "detail": {"type": "string"},
                           "parameter": {"type": "string"}}}}},
    }
