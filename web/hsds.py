"""The directory as the Open Referral HSDS 3.0 API profile, read-only, under ``/hsds/``.

Only approved places are served: the views read the same catalog as the search page
(``web.data.site_data``), which never holds another kind. Objects are those of
``locator.hsds``; lists are HSDS pages (``total_items``, ``total_pages``, ``page_number``,
``size``, ``first_page``, ``last_page``, ``empty``, ``contents``). Bad parameters answer
400 in the API's error shape, unknown ids 404. No answer carries ``metadata``: the audit
trail names who changed what, which only reviewers and admins see (``locator export hsds``
writes it for the operator).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, TypeVar

from flask import Blueprint, jsonify, request, url_for
from werkzeug.datastructures import MultiDict

from locator import hsds
from locator.errors import N_, InvalidInput, NotFound
from locator.geo import KM_PER_MI
from locator.sites import PROGRAMS_BY_SLUG, Site
from locator.spatial import Catalog
from web import hsds_openapi, params
from web.data import site_data

bp = Blueprint("hsds", __name__, url_prefix="/hsds")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000
M_PER_MI = KM_PER_MI * 1000
PROFILE_URL = "https://docs.openreferral.org/en/latest/hsds/"
_POSTCODE = re.compile(r"(\d{5})(?:-\d{4})?")
# An unknown id, by the kind of object asked for.
_NO_SUCH = {"service": N_("no service with id '%(id)s'"),
            "service_at_location": N_("no service_at_location with id '%(id)s'")}
T = TypeVar("T")


@bp.get("/")
def about():
    return jsonify({"version": hsds.HSDS_VERSION, "profile": PROFILE_URL,
                    "openapi_url": url_for(".openapi_document", _external=True)})


@bp.get("/services")
def services():
    query = _list_query(request.args)
    return jsonify(_page(_directory().matching(query), query, hsds.service))


@bp.get("/services/<service_id>")
def service(service_id: str):
    return jsonify(hsds.service(_directory().site("service", service_id)))


@bp.get("/organizations")
def organizations():
    query = _list_query(request.args)
    found = [o for o in _directory().organizations
             if query.matches(f"{o['name']} {o['description']}".casefold())]
    return jsonify(_page(found, query, lambda o: o))


@bp.get("/organizations/<organization_id>")
def organization(organization_id: str):
    sites = _directory().by_organization.get(organization_id)
    if not sites:
        raise NotFound("no organization with id '%(id)s'", code="unknown_organization",
                       id=organization_id)
    return jsonify({**hsds.organization(sites[0]),
                    "services": [hsds.service_fields(s) for s in sites]})


@bp.get("/service_at_locations")
def service_at_locations():
    query = _list_query(request.args)
    near = _near_postcode(request.args)
    return jsonify(_page(_directory().matching(query, near), query, _service_at_location))


@bp.get("/service_at_locations/<link_id>")
def service_at_location(link_id: str):
    return jsonify(_service_at_location(_directory().site("service_at_location", link_id)))


@bp.get("/taxonomies")
def taxonomies():
    query = _list_query(request.args)
    found = [t for t in hsds.TAXONOMIES if query.matches(f"{t.name} {t.description}".casefold())]
    return jsonify(_page(found, query, hsds.Taxonomy.to_json))


@bp.get("/taxonomies/<taxonomy_id>")
def taxonomy(taxonomy_id: str):
    found = next((t for t in hsds.TAXONOMIES if t.id == taxonomy_id), None)
    if found is None:
        raise NotFound("no taxonomy with id '%(id)s'", code="unknown_taxonomy", id=taxonomy_id)
    return jsonify(found.to_json())


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    query = _list_query(request.args)
    found = [t for t in hsds.TERMS
             if query.taxonomy_id in (None, t.taxonomy.id)
             and query.matches(f"{t.code} {t.name} {t.description}".casefold())]
    return jsonify(_page(found, query, hsds.Term.to_json))


@bp.get("/taxonomy_terms/<term_id>")
def taxonomy_term(term_id: str):
    found = hsds.TERMS_BY_ID.get(term_id)
    if found is None:
        raise NotFound("no taxonomy term with id '%(id)s'", code="unknown_taxonomy_term",
                       id=term_id)
    return jsonify(found.to_json())


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(hsds_openapi.document(hsds_openapi.Limits(
        default_per_page=DEFAULT_PER_PAGE, max_per_page=MAX_PER_PAGE, max_page=MAX_PAGE)))


def _service_at_location(site: Site) -> dict[str, Any]:
    # The place's hours are the schedules of the service at this location: each row names
    # both, so the answer carries them as /hsds/services does.
    return {**hsds.service_at_location(site), "schedules": hsds.schedules(site),
            "service": hsds.service_fields(site)}


# -- the directory of one catalog ----------------------------------------------------------

@dataclass(frozen=True)
class Directory:
    """The approved sites in id order, and the look-ups from HSDS ids to them."""

    sites: tuple[Site, ...]
    by_id: dict[str, dict[str, Site]]  # object kind -> HSDS id -> site
    by_organization: dict[str, list[Site]]
    organizations: tuple[dict[str, Any], ...]
    texts: dict[str, str]  # site id -> what ``search`` looks in, case-folded
    terms: dict[str, frozenset[str]]  # site id -> ids of its kind and program terms

    def matching(self, query: ListQuery, sites: Sequence[Site] | None = None,
                 ) -> Sequence[Site]:
        """The sites (all, or those given, in their order) the query's filters keep."""
        candidates = self.sites if sites is None else sites
        if query.filters_nothing:
            return candidates
        return [s for s in candidates
                if query.verified_in_time(s) and query.matches(self.texts[s.id])
                and query.classified(self.terms[s.id])
                and query.organization_id in (None, hsds.organization_id(s))]

    def site(self, kind: str, object_id: str) -> Site:
        found = self.by_id[kind].get(object_id)
        if found is None:
            raise NotFound(_NO_SUCH[kind], code=f"unknown_{kind}", id=object_id)
        return found


def _directory() -> Directory:
    return _directory_of(site_data().catalog())


@lru_cache(maxsize=2)
def _directory_of(catalog: Catalog) -> Directory:
    # Keyed on the catalog object itself: a reloaded catalog (the store changed) is a new
    # key, so the ids are rebuilt exactly when the sites are.
    sites = tuple(sorted(catalog.sites.values(), key=lambda s: s.id))
    by_organization: dict[str, list[Site]] = {}
    for site in sites:
        by_organization.setdefault(hsds.organization_id(site), []).append(site)
    return Directory(
        sites=sites,
        by_id={"service": {hsds.service_id(s.id): s for s in sites},
               "service_at_location": {hsds.service_at_location_id(s.id): s for s in sites}},
        by_organization=by_organization,
        organizations=tuple(hsds.organizations(sites)),
        texts={s.id: _searched_text(s) for s in sites},
        terms={s.id: _term_ids(s) for s in sites},
    )


def _term_ids(site: Site) -> frozenset[str]:
    return frozenset({hsds.KIND_TERMS[site.kind].id} | {
        hsds.PROGRAM_TERMS[p].id for p in site.programs if p in hsds.PROGRAM_TERMS})


def _searched_text(site: Site) -> str:
    programs = (PROGRAMS_BY_SLUG[p].label for p in site.programs if p in PROGRAMS_BY_SLUG)
    return " ".join((site.name, site.organization, site.address, site.city, site.state,
                     site.zip, site.kind.label, *programs)).casefold()


# -- parameters ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ListQuery:
    page: int
    per_page: int
    words: tuple[str, ...]
    modified_after: date | None
    taxonomy_term_id: str | None
    taxonomy_id: str | None
    organization_id: str | None

    @property
    def filters_nothing(self) -> bool:
        return not self.words and self.modified_after is None and self.taxonomy_term_id is None \
            and self.taxonomy_id is None and self.organization_id is None

    def classified(self, term_ids: frozenset[str]) -> bool:
        """Whether a site with these terms has the asked-for term, or a term of the asked-for
        taxonomy."""
        if self.taxonomy_term_id is not None and self.taxonomy_term_id not in term_ids:
            return False
        return self.taxonomy_id is None or any(
            hsds.TERMS_BY_ID[t].taxonomy.id == self.taxonomy_id for t in term_ids)

    def verified_in_time(self, site: Site) -> bool:
        return self.modified_after is None or bool(
            site.last_verified and date.fromisoformat(site.last_verified) >= self.modified_after)

    def matches(self, folded_text: str) -> bool:
        return all(word in folded_text for word in self.words)


def _list_query(args: MultiDict[str, str]) -> ListQuery:
    return ListQuery(
        page=params.integer(args, "page", default=1, low=1, high=MAX_PAGE),
        per_page=params.integer(args, "per_page", default=DEFAULT_PER_PAGE, low=1,
                                high=MAX_PER_PAGE),
        words=tuple(_search_text(args).casefold().split()),
        modified_after=_modified_after(args),
        taxonomy_term_id=args.get("taxonomy_term_id", "").strip() or None,
        taxonomy_id=args.get("taxonomy_id", "").strip() or None,
        organization_id=args.get("organization_id", "").strip() or None,
    )


def _search_text(args: MultiDict[str, str]) -> str:
    text = " ".join(args.get("search", "").split())
    if len(text) > params.MAX_QUERY_CHARS:
        raise InvalidInput("search is too long (at most %(max)s characters)",
                           code="query_too_long", parameter="search", max=params.MAX_QUERY_CHARS)
    return text


def _modified_after(args: MultiDict[str, str]) -> date | None:
    """The day of an ISO 8601 date or date-time. Services carry the date their details were
    last verified (``assured_date``), so that is what is compared."""
    raw = args.get("modified_after", "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("modified_after must be an ISO 8601 date or date-time "
                           "(2026-01-31 or 2026-01-31T09:00:00Z), got '%(value)s'",
                           code="bad_date", parameter="modified_after", value=raw) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


def _near_postcode(args: MultiDict[str, str]) -> Sequence[Site] | None:
    """Sites at the postcode, or within ``proximity`` metres of its centre (nearest first);
    None when no postcode is asked for."""
    raw = args.get("postcode", "").strip()
    proximity_m = _proximity_m(args)
    if not raw:
        if proximity_m is not None:
            raise InvalidInput("proximity needs a postcode to measure from",
                               code="proximity_without_postcode", parameter="proximity")
        return None
    matched = _POSTCODE.fullmatch(raw)
    if matched is None:
        raise InvalidInput("postcode must be a 5-digit ZIP code, got '%(value)s'",
                           code="bad_zip", parameter="postcode", value=raw)
    code = matched.group(1)
    if proximity_m is None:
        return [s for s in _directory().sites if s.zip == code]
    try:
        centre = site_data().place(code)
    except InvalidInput as error:
        raise InvalidInput(error.message, code=error.code, parameter="postcode",
                           **error.params) from error
    nearby = site_data().catalog().within(centre.lat, centre.lon, proximity_m / M_PER_MI)
    return [n.site for n in nearby]


def _proximity_m(args: MultiDict[str, str]) -> float | None:
    raw = args.get("proximity", "").strip()
    if not raw:
        return None
    value = params.number(args, "proximity", low=-math.inf, high=math.inf)
    if value <= 0:
        raise InvalidInput("proximity must be a positive number of metres, got '%(value)s'",
                           code="bad_distance", parameter="proximity", value=raw)
    return value


# -- pages --------------------------------------------------------------------------------

def _page(items: Sequence[T], query: ListQuery,
             render: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    total_pages = math.ceil(len(items) / query.per_page)
    start = (query.page - 1) * query.per_page
    chunk = items[start:start + query.per_page]
    return {"total_items": len(items), "total_pages": total_pages,
            "page_number": query.page, "size": len(chunk), "first_page": query.page == 1,
            "last_page": query.page >= total_pages, "empty": not chunk,
            "contents": [render(item) for item in chunk]}
