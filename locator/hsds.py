"""The directory as Open Referral HSDS 3.0: each site as an organization, a service, a
location and the service at that location, and back again without loss.

How a ``Site`` maps (docs/hsds.md has the same table for people reading the files):

- the site is one ``service`` (name, website as ``url``, ``last_verified`` as
  ``assured_date``, ``temporarily_closed`` as status ``temporarily closed``) delivered at one
  ``location`` (``location_type`` physical, latitude/longitude, the source's own identifier
  as ``external_identifier`` with the source as its type) through one
  ``service_at_location``; the address is the location's one physical ``address``; the phone
  is the service's one ``phone``; the opening hours are the service's ``schedules``.
- the organization is the one the site names; a site that names none gets an organization
  of its own, called after the site, whose id marks it as such (``own_organization_id``).
- the kind and each program are ``attributes`` of the service, with terms of the project's
  own taxonomies (``KIND_TAXONOMY``, ``PROGRAM_TAXONOMY``); what HSDS has no field for (the
  site id, the vintage, the county FIPS code and where it came from) are attributes with
  terms of ``RECORD_TAXONOMY`` whose ``value`` holds the text.

Ids are UUIDs derived (uuid5) from the site id, one namespace per table under
``PROJECT_NAMESPACE``, so an export repeated tomorrow gives every object the same id.
Nothing here reads or writes files; ``locator.hsds_files`` and ``locator.sources`` do.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from locator.listings import PARTNERSHIP_TYPES
from locator.sites import (
    KIND_LABELS,
    PROGRAMS,
    PROGRAMS_BY_SLUG,
    CountySource,
    Kind,
    Site,
    Status,
)

HSDS_VERSION = "3.0"
# Never change: every id in every file exported so far is derived from it.
PROJECT_NAMESPACE = uuid.UUID("f268998a-09e0-45bc-8407-d602c3eeb820")
COUNTRY = "US"

JsonObject = dict[str, Any]

ACTIVE = "active"
TEMPORARILY_CLOSED = "temporarily closed"
# What an imported service's status means here: inactive and defunct services are retired.
STATUSES_LISTED = frozenset({ACTIVE, TEMPORARILY_CLOSED})


# -- ids ----------------------------------------------------------------------------------

@cache
def _namespace(table: str) -> uuid.UUID:
    return uuid.uuid5(PROJECT_NAMESPACE, table)


# Mapping one site asks for its service, location and organization ids several times
# each (every nested object names its parents), and a uuid5 costs a few microseconds; the
# cache holds the ids of the last few thousand sites and of every taxonomy term.
@lru_cache(maxsize=65_536)
def _uuid(table: str, key: str) -> str:
    return str(uuid.uuid5(_namespace(table), key))


@dataclass(frozen=True, slots=True)
class Taxonomy:
    code: str
    name: str
    description: str

    @property
    def id(self) -> str:
        return _uuid("taxonomy", self.code)

    def to_json(self) -> JsonObject:
        return {"id": self.id, "name": self.name, "description": self.description}


@dataclass(frozen=True, slots=True)
class Term:
    taxonomy: Taxonomy
    code: str  # unique across all the taxonomies: the data package requires it
    name: str
    description: str

    @property
    def id(self) -> str:
        return _uuid("taxonomy_term", self.code)

    def to_json(self) -> JsonObject:
        return {"id": self.id, "code": self.code, "name": self.name,
                "description": self.description, "taxonomy": self.taxonomy.name,
                "taxonomy_id": self.taxonomy.id}


KIND_TAXONOMY = Taxonomy("workforce_locator_kinds", "Workforce locator site kinds",
                         "What kind of access point to the public workforce system a place "
                         "is: a job center, a partner site or a public library.")
PROGRAM_TAXONOMY = Taxonomy("workforce_locator_programs", "Workforce locator programs",
                            "WIOA core programs, required partner programs and library "
                            "services a place offers.")
PARTNERSHIP_TAXONOMY = Taxonomy("workforce_locator_partnerships",
                                "Workforce locator partnership types",
                                "How a library or partner organisation works with the public "
                                "workforce system at a place.")
RECORD_TAXONOMY = Taxonomy("workforce_locator_record", "Workforce locator record",
                           "Facts the locator keeps about a place that HSDS has no field "
                           "for; the attribute's value holds the text.")
TAXONOMIES = (KIND_TAXONOMY, PROGRAM_TAXONOMY, PARTNERSHIP_TAXONOMY, RECORD_TAXONOMY)

SITE_ID, VINTAGE, COUNTY_FIPS, COUNTY_SOURCE = "site_id", "vintage", "county_fips", \
    "county_source"
STREET, CITY, STATE, ZIP = "street", "city", "state", "zip"
CONTACT = "contact"
_PARTIAL = ("Part of an address too incomplete for an HSDS address, which needs street, "
            "city, state and postal code: ")
_RECORD_DESCRIPTIONS = {
    SITE_ID: "The locator's permanent id of the place.",
    VINTAGE: "The edition of the source file the place was last imported from (e.g. FY2021).",
    COUNTY_FIPS: "The 5-digit county FIPS code of the place.",
    COUNTY_SOURCE: "Where the county came from: source (the source file) or "
                   "point_in_polygon (found from the point).",
    STREET: _PARTIAL + "the street address.",
    CITY: _PARTIAL + "the city.",
    STATE: _PARTIAL + "the USPS state abbreviation.",
    ZIP: _PARTIAL + "the ZIP code.",
    CONTACT: "The contact person for the listing, as a partner's approved request gave it.",
}
_PROGRAM_GROUPS = {"wioa_core": "WIOA core program", "required_partner":
                   "Required partner program", "library_service": "Library service"}

KIND_TERMS = {kind: Term(KIND_TAXONOMY, kind.value, label, f"The place is: {label}.")
              for kind, label in KIND_LABELS.items()}
PROGRAM_TERMS = {p.slug: Term(PROGRAM_TAXONOMY, p.slug, p.label, _PROGRAM_GROUPS[p.group])
                 for p in PROGRAMS}
PARTNERSHIP_TERMS = {slug: Term(PARTNERSHIP_TAXONOMY, slug, label, f"Partnership type: {label}.")
                     for slug, label in PARTNERSHIP_TYPES.items()}
RECORD_TERMS = {code: Term(RECORD_TAXONOMY, code, code.replace("_", " "), text)
                for code, text in _RECORD_DESCRIPTIONS.items()}
TERMS: tuple[Term, ...] = (*KIND_TERMS.values(), *PROGRAM_TERMS.values(),
                           *PARTNERSHIP_TERMS.values(), *RECORD_TERMS.values())
TERMS_BY_ID = {term.id: term for term in TERMS}


class HsdsError(ValueError):
    """An HSDS service that cannot become a site; the message says why."""


# -- ids of the objects of one site ------------------------------------------------------

def service_id(site_id: str) -> str:
    return _uuid("service", site_id)


def location_id(site_id: str) -> str:
    return _uuid("location", site_id)


def service_at_location_id(site_id: str) -> str:
    return _uuid("service_at_location", site_id)


def organization_id(site: Site) -> str:
    """Sites that name the same organization share it; one that names none has its own."""
    if site.organization:
        return _uuid("organization", site.organization)
    return own_organization_id(site.id)


def own_organization_id(site_id: str) -> str:
    return _uuid("site_organization", site_id)


# -- site to HSDS -------------------------------------------------------------------------

def service(site: Site) -> JsonObject:
    """The fully nested HSDS service of a site (schema/compiled/service.json)."""
    return {**service_fields(site),
            "phones": phones(site),
            "schedules": schedules(site),
            "service_at_locations": [service_at_location(site)],
            "organization": organization(site),
            "attributes": service_attributes(site)}


def service_fields(site: Site) -> JsonObject:
    """The service's one-to-one fields: its row in services.csv."""
    row: JsonObject = {"id": service_id(site.id), "organization_id": organization_id(site),
                       "name": site.name, "description": _description(site),
                       "status": TEMPORARILY_CLOSED if site.temporarily_closed else ACTIVE}
    if site.website:
        row["url"] = site.website
    if site.last_verified:
        row["assured_date"] = site.last_verified
    return row


def _description(site: Site) -> str:
    offered = "; ".join(PROGRAMS_BY_SLUG[p].label for p in sorted(site.programs)
                        if p in PROGRAMS_BY_SLUG)
    return f"{site.kind.label}." + (f" Offers: {offered}." if offered else "")


def organization(site: Site) -> JsonObject:
    if site.organization:
        return {"id": organization_id(site), "name": site.organization,
                "description": f"{site.organization}, which runs places listed in the "
                               "workforce service locator."}
    return {"id": organization_id(site), "name": site.name,
            "description": f"The organization of {site.name}, which is listed without a "
                           "separate organization."}


def service_at_location(site: Site) -> JsonObject:
    return {**service_at_location_fields(site), "location": location(site)}


def service_at_location_fields(site: Site) -> JsonObject:
    return {"id": service_at_location_id(site.id), "service_id": service_id(site.id),
            "location_id": location_id(site.id)}


def location(site: Site) -> JsonObject:
    return {**location_fields(site), "addresses": addresses(site),
            "attributes": location_attributes(site)}


def location_fields(site: Site) -> JsonObject:
    row: JsonObject = {"id": location_id(site.id), "location_type": "physical",
                       "organization_id": organization_id(site), "name": site.name,
                       "latitude": site.lat, "longitude": site.lon}
    if site.source_id:
        row["external_identifier"] = site.source_id
    if site.source:
        row["external_identifier_type"] = site.source
    return row


def addresses(site: Site) -> list[JsonObject]:
    """The physical address, when the site has every part HSDS requires of one (an
    incomplete one is kept in ``location_attributes`` instead of being made up)."""
    if not _complete_address(site):
        return []
    return [{"id": _uuid("address", site.id), "location_id": location_id(site.id),
             "address_1": site.address, "city": site.city, "state_province": site.state,
             "postal_code": site.zip, "country": COUNTRY, "address_type": "physical"}]


def _complete_address(site: Site) -> bool:
    return all((site.address, site.city, site.state, site.zip))


def phones(site: Site) -> list[JsonObject]:
    if not site.phone:
        return []
    return [{"id": _uuid("phone", site.id), "service_id": service_id(site.id),
             "number": site.phone}]


def schedules(site: Site) -> list[JsonObject]:
    """The opening hours. For now the site's hours text as one schedule's ``description``;
    this is the seam where parsed hours become RRULE rows (freq, byday, opens_at,
    closes_at), each keeping the same description so the text reads back unchanged."""
    if not site.hours:
        return []
    return [{"id": _uuid("schedule", site.id), "service_id": service_id(site.id),
             "description": site.hours}]


def service_attributes(site: Site) -> list[JsonObject]:
    terms = [(KIND_TERMS[site.kind], "")]
    terms += [(PROGRAM_TERMS[p], "") for p in sorted(site.programs) if p in PROGRAM_TERMS]
    terms += [(PARTNERSHIP_TERMS[p], "") for p in sorted(site.partnership_types)
              if p in PARTNERSHIP_TERMS]
    terms.append((RECORD_TERMS[SITE_ID], site.id))
    if site.vintage:
        terms.append((RECORD_TERMS[VINTAGE], site.vintage))
    if site.contact:
        terms.append((RECORD_TERMS[CONTACT], site.contact))
    return [_attribute(site.id, "service", service_id(site.id), term, value)
            for term, value in terms]


def location_attributes(site: Site) -> list[JsonObject]:
    values = [(COUNTY_FIPS, site.county_fips), (COUNTY_SOURCE, site.county_source.value)]
    if not _complete_address(site):
        values += [(STREET, site.address), (CITY, site.city), (STATE, site.state),
                   (ZIP, site.zip)]
    return [_attribute(site.id, "location", location_id(site.id), RECORD_TERMS[code], value)
            for code, value in values if value]


def _attribute(site_id: str, entity: str, link_id: str, term: Term, value: str) -> JsonObject:
    row: JsonObject = {"id": _uuid("attribute", f"{site_id}/{entity}/{term.code}"),
                       "link_id": link_id, "taxonomy_term_id": term.id, "link_entity": entity,
                       "taxonomy_term": term.to_json()}
    if value:
        row["value"] = value
    return row


# -- HSDS to site -------------------------------------------------------------------------

def site_from_service(item: Mapping[str, Any], *, source: str = "") -> Site:
    """The site a fully nested service describes; ``source`` is used when the service's
    location names none. Raises ``HsdsError`` naming what is missing or wrong."""
    if not isinstance(item, Mapping):
        raise HsdsError("the service is not a JSON object")
    place = _only_location(item)
    attributes = _codes(item.get("attributes")) | _codes(place.get("attributes"))
    site_id = attributes.get(SITE_ID) or f"hsds-{_text(item, 'id')}"
    address = _first(place.get("addresses")) or {
        "address_1": attributes.get(STREET), "city": attributes.get(CITY),
        "state_province": attributes.get(STATE), "postal_code": attributes.get(ZIP)}
    status = _text(item, "status") or ACTIVE
    return Site(
        id=site_id, name=_text(item, "name"), kind=_kind(attributes),
        lat=_degrees(place, "latitude"), lon=_degrees(place, "longitude"),
        organization=_organization_name(item, site_id),
        address=_text(address, "address_1"), city=_text(address, "city"),
        state=_text(address, "state_province"), zip=_text(address, "postal_code"),
        county_fips=attributes.get(COUNTY_FIPS, ""),
        county_source=_county_source(attributes.get(COUNTY_SOURCE, "")),
        phone=_text(_first(item.get("phones")), "number"), website=_text(item, "url"),
        hours=_text(_first(item.get("schedules")), "description"),
        programs=frozenset(code for code in attributes if code in PROGRAM_TERMS),
        status=Status.APPROVED if status in STATUSES_LISTED else Status.RETIRED,
        temporarily_closed=status == TEMPORARILY_CLOSED,
        source=_text(place, "external_identifier_type") or source,
        source_id=_text(place, "external_identifier"),
        vintage=attributes.get(VINTAGE, ""), last_verified=_text(item, "assured_date"),
        partnership_types=frozenset(code for code in attributes if code in PARTNERSHIP_TERMS),
        contact=attributes.get(CONTACT, ""),
    )


def _only_location(item: Mapping[str, Any]) -> Mapping[str, Any]:
    links = item.get("service_at_locations") or []
    located = [link.get("location") for link in links
               if isinstance(link, Mapping) and isinstance(link.get("location"), Mapping)]
    if not located:
        raise HsdsError("the service has no location (service_at_locations[].location)")
    if len(located) > 1:
        raise HsdsError(f"the service has {len(located)} locations; the locator lists each "
                        "place once, so split it into one service per location")
    return located[0]  # type: ignore[return-value]


def _codes(attributes: object) -> dict[str, str]:
    """Term code -> value for the attributes whose terms are the project's own."""
    found: dict[str, str] = {}
    for attribute in attributes if isinstance(attributes, Sequence) else ():
        if not isinstance(attribute, Mapping):
            continue
        term = TERMS_BY_ID.get(str(attribute.get("taxonomy_term_id", "")))
        if term is not None:
            found[term.code] = _text(attribute, "value")
    return found


def _kind(attributes: Mapping[str, str]) -> Kind:
    kinds = [kind for kind, term in KIND_TERMS.items() if term.code in attributes]
    if len(kinds) != 1:
        raise HsdsError(f"the service needs exactly one attribute with a term of the "
                        f"{KIND_TAXONOMY.name!r} taxonomy, found {len(kinds)}")
    return kinds[0]


def _county_source(text: str) -> CountySource:
    try:
        return CountySource(text)
    except ValueError:
        raise HsdsError(f"unknown {COUNTY_SOURCE} {text!r}; expected one of: "
                        f"{', '.join(c.value for c in CountySource if c.value)}") from None


def _organization_name(item: Mapping[str, Any], site_id: str) -> str:
    org = item.get("organization")
    if not isinstance(org, Mapping) or _text(org, "id") == own_organization_id(site_id):
        return ""
    return _text(org, "name")


def _degrees(place: Mapping[str, Any], name: str) -> float:
    value = place.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HsdsError(f"the location's {name} is missing or not a number")
    return float(value)


def _first(rows: object) -> Mapping[str, Any]:
    if isinstance(rows, Sequence) and rows and isinstance(rows[0], Mapping):
        return rows[0]
    return {}


def _text(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value)


# -- many sites ---------------------------------------------------------------------------

def organizations(sites: Iterable[Site]) -> list[JsonObject]:
    """One organization per id, in name then id order."""
    unique = {organization_id(s): organization(s) for s in sites}
    return sorted(unique.values(), key=lambda o: (o["name"], o["id"]))
