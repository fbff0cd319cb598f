"""The directory as Open Referral HSDS 3.0: each site as an organization, a service, a
location and the service at that location, and back again without loss.

How a ``Site`` maps (docs/hsds.md has the same table for people reading the files):

- the site is one ``service`` (name, website as ``url``, ``last_verified`` as
  ``assured_date``, ``temporarily_closed`` as status ``temporarily closed``) delivered at one
  ``location`` (``location_type`` physical, latitude/longitude, the source's own identifier
  as ``external_identifier`` with the source as its type) through one
  ``service_at_location``; the address is the location's one physical ``address``; the phone
  is the service's one ``phone``; the opening hours are ``schedule`` rows of the service at
  its location (``locator.hsds_schedule``), with the text as written kept as a record
  attribute when the rows read back as other text.
- the organization is the one the site names; a site that names none gets an organization
  of its own, called after the site, whose id marks it as such (``own_organization_id``).
- the kind, each further role (``value`` ``role``) and each program are ``attributes`` of
  the service, with terms of the project's own taxonomies (``KIND_TAXONOMY``,
  ``PROGRAM_TAXONOMY``); what HSDS has no field for (the site id, the vintage, the county
  FIPS code and where it came from, the hours as written, the time zone) are attributes
  with terms of ``RECORD_TAXONOMY`` whose ``value`` holds the text.
- the site's change log, when given, is the ``metadata`` of the objects holding each
  changed field. It is written, never read: the store's trail records only what the store
  did (an import is recorded as an import), so a file cannot write history into it.

Ids are UUIDs derived (uuid5) from the site id, one namespace per table under
``PROJECT_NAMESPACE``, so an export repeated tomorrow gives every object the same id.
Nothing here reads or writes files; ``locator.hsds_files`` and ``locator.sources`` do.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import orjson

from locator.hours import Hours, HoursStatus, read_hours
from locator.hsds_schedule import HOLIDAY_NOTE, ScheduleRow, hours_from_rows, schedule_rows
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
from locator.timezones import site_zone

if TYPE_CHECKING:  # the store's record of a change; importing the store here is not needed
    from locator.store import Change

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
HOURS_TEXT, TIME_ZONE = "hours_text", "time_zone"
# The value of a kind attribute that is one of the place's further roles, not its kind.
ROLE = "role"
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
    HOURS_TEXT: "The opening hours as they were written (e.g. Mon-Fri 8:30am-5pm), where "
                "that text differs from what the schedule rows read back as.",
    TIME_ZONE: "The IANA time zone of the place (e.g. America/Chicago), in which its "
               "schedules' opens_at and closes_at are wall-clock times. Found from the point.",
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

def service(site: Site, *, history: Sequence[Change] = (),
            holiday_years: Sequence[int] | None = None) -> JsonObject:
    """The fully nested HSDS service of a site (schema/compiled/service.json). With the
    site's ``history`` (its change log, oldest first), each object the changes describe
    carries them as its ``metadata``; ``holiday_years`` as for ``schedules``."""
    nested = {**service_fields(site),
              "phones": phones(site),
              "schedules": schedules(site, holiday_years=holiday_years),
              "service_at_locations": [service_at_location(site)],
              "organization": organization(site),
              "attributes": service_attributes(site, holiday_years=holiday_years)}
    if history:
        _nest_metadata(nested, metadata(site, history))
    return nested


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


def schedules(site: Site, *, holiday_years: Sequence[int] | None = None) -> list[JsonObject]:
    """The opening hours as schedule rows (``locator.hsds_schedule``) of the service at its
    location: weekly rows, dated exceptions, one row per federal holiday of
    ``holiday_years`` (default: this year and next) for ``PH``, or the text as one row's
    ``description`` when the rows cannot say it. Unknown hours have no rows."""
    return [_linked(site, row.to_json()) for row in _schedule_rows(site, holiday_years)]


def schedule_table_rows(site: Site, *, holiday_years: Sequence[int] | None = None,
                        ) -> list[JsonObject]:
    """The schedules as ``schedules.csv`` holds them (times as ``HH:MM:SS``)."""
    return [_linked(site, row.for_table()) for row in _schedule_rows(site, holiday_years)]


def _linked(site: Site, row: dict[str, str]) -> JsonObject:
    return {"id": row["id"], "service_id": service_id(site.id),
            "service_at_location_id": service_at_location_id(site.id), **row}


def default_holiday_years(today: date | None = None) -> tuple[int, int]:
    """The years whose federal holidays a ``PH`` rule is listed for: this one and next."""
    year = (today or date.today()).year
    return year, year + 1


def _schedule_rows(site: Site, holiday_years: Sequence[int] | None,
                   ) -> tuple[ScheduleRow, ...]:
    years = tuple(holiday_years) if holiday_years is not None else default_holiday_years()
    return _rows_of(site.hours, site.id, years)


@lru_cache(maxsize=4096)
def _rows_of(hours: str, key: str, years: tuple[int, ...]) -> tuple[ScheduleRow, ...]:
    return schedule_rows(read_hours(hours), key, holiday_years=years)


def _hours_text_written(site: Site, holiday_years: Sequence[int] | None) -> str:
    """The hours as written when the rows read back as other text ("Mon-Fri 9-5" is read
    back as "Mo-Fr 09:00-17:00"), else ""."""
    back = _text_of(hours_from_rows(_schedule_rows(site, holiday_years)))
    return site.hours if site.hours != back else ""


def service_attributes(site: Site, *, holiday_years: Sequence[int] | None = None,
                       ) -> list[JsonObject]:
    terms = [(KIND_TERMS[site.kind], "")]
    terms += [(KIND_TERMS[role], ROLE) for role in sorted(site.roles)]
    terms += [(PROGRAM_TERMS[p], "") for p in sorted(site.programs) if p in PROGRAM_TERMS]
    terms += [(PARTNERSHIP_TERMS[p], "") for p in sorted(site.partnership_types)
              if p in PARTNERSHIP_TERMS]
    terms.append((RECORD_TERMS[SITE_ID], site.id))
    if site.vintage:
        terms.append((RECORD_TERMS[VINTAGE], site.vintage))
    if written := _hours_text_written(site, holiday_years):
        terms.append((RECORD_TERMS[HOURS_TEXT], written))
    if site.contact:
        terms.append((RECORD_TERMS[CONTACT], site.contact))
    return [_attribute(site.id, "service", service_id(site.id), term, value)
            for term, value in terms]


def location_attributes(site: Site) -> list[JsonObject]:
    values = [(COUNTY_FIPS, site.county_fips), (COUNTY_SOURCE, site.county_source.value)]
    if not _complete_address(site):
        values += [(STREET, site.address), (CITY, site.city), (STATE, site.state),
                   (ZIP, site.zip)]
    if read_hours(site.hours).status is not HoursStatus.UNKNOWN:
        values.append((TIME_ZONE, site_zone(site)))
    return [_attribute(site.id, "location", location_id(site.id), RECORD_TERMS[code], value)
            for code, value in values if value]


def _attribute(site_id: str, entity: str, link_id: str, term: Term, value: str) -> JsonObject:
    # A role's attribute has its own id: a kind can be a place's kind and, elsewhere, a role.
    key = f"{term.code}/{ROLE}" if value == ROLE and term.taxonomy is KIND_TAXONOMY \
        else term.code
    row: JsonObject = {"id": _uuid("attribute", f"{site_id}/{entity}/{key}"),
                       "link_id": link_id, "taxonomy_term_id": term.id, "link_entity": entity,
                       "taxonomy_term": term.to_json()}
    if value:
        row["value"] = value
    return row


# -- the audit trail as metadata ------------------------------------------------------------

# The object that holds each audited field of a site, whose ``metadata`` records its
# changes; every other field is the service's.
_LOCATION_FIELDS = frozenset({"lat", "lon", "county_fips", "county_source", "source",
                              "source_id"})
_ADDRESS_FIELDS = frozenset({"address", "city", "state", "zip"})
ADDED_FIELD = "id"  # an added site's one metadata row: its id, from nothing


def metadata(site: Site, history: Sequence[Change]) -> list[JsonObject]:
    """The site's change log (oldest first) as HSDS ``metadata``: one row per changed
    field, on the object that holds the field today. Values are JSON text (``"Lincoln
    Library"``, ``41.5``, ``["wifi"]``, ``null`` for none), so none is ever blank and each
    reads back as the value it was; ``last_action_date`` is the instant (UTC)."""
    rows: list[JsonObject] = []
    for number, change in enumerate(history):
        fields = change.fields or {ADDED_FIELD: [None, site.id]}
        for name, (old, new) in fields.items():
            resource_type, resource_id = _holder(site, name)
            rows.append({"id": _uuid("metadata", f"{site.id}/{number}/{name}"),
                         "resource_id": resource_id, "resource_type": resource_type,
                         "last_action_date": change.changed_at,
                         "last_action_type": change.action, "field_name": name,
                         "previous_value": _value_text(old),
                         "replacement_value": _value_text(new),
                         "updated_by": change.actor})
    return rows


def metadata_day(row: JsonObject) -> JsonObject:
    """A metadata row as the data package holds it: its table types the date as a day."""
    day = datetime.fromisoformat(row["last_action_date"]).date().isoformat()
    return {**row, "last_action_date": day}


def _holder(site: Site, field_name: str) -> tuple[str, str]:
    if field_name in _ADDRESS_FIELDS and _complete_address(site):
        return "address", _uuid("address", site.id)
    if field_name in _LOCATION_FIELDS | _ADDRESS_FIELDS:
        return "location", location_id(site.id)
    if field_name == "phone" and site.phone:
        return "phone", _uuid("phone", site.id)
    return "service", service_id(site.id)


def _value_text(value: object) -> str:
    return orjson.dumps(value).decode("utf-8")


def _nest_metadata(nested: JsonObject, rows: Sequence[JsonObject]) -> None:
    by_resource: dict[str, list[JsonObject]] = {}
    for row in rows:
        by_resource.setdefault(row["resource_id"], []).append(row)
    for found in list(_objects(nested)):
        if found.get("id") in by_resource:
            found["metadata"] = by_resource[found["id"]]


def _objects(value: object) -> Iterable[JsonObject]:
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from _objects(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _objects(inner)


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
    kind, roles = _kinds(item.get("attributes"))
    return Site(
        id=site_id, name=_text(item, "name"), kind=kind, roles=roles,
        lat=_degrees(place, "latitude"), lon=_degrees(place, "longitude"),
        organization=_organization_name(item, site_id),
        address=_text(address, "address_1"), city=_text(address, "city"),
        state=_text(address, "state_province"), zip=_text(address, "postal_code"),
        county_fips=attributes.get(COUNTY_FIPS, ""),
        county_source=_county_source(attributes.get(COUNTY_SOURCE, "")),
        phone=_text(_first(item.get("phones")), "number"), website=_text(item, "url"),
        hours=_hours(item.get("schedules"), attributes.get(HOURS_TEXT)),
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


_KINDS_BY_TERM_ID = {term.id: kind for kind, term in KIND_TERMS.items()}


def _kinds(attributes: object) -> tuple[Kind, frozenset[Kind]]:
    """The kind (the one kind attribute without the value ``role``) and the roles."""
    kinds: list[Kind] = []
    roles: set[Kind] = set()
    for attribute in attributes if isinstance(attributes, Sequence) else ():
        if not isinstance(attribute, Mapping):
            continue
        kind = _KINDS_BY_TERM_ID.get(str(attribute.get("taxonomy_term_id", "")))
        if kind is None:
            continue
        if _text(attribute, "value") == ROLE:
            roles.add(kind)
        else:
            kinds.append(kind)
    if len(kinds) != 1:
        raise HsdsError(f"the service needs exactly one attribute with a term of the "
                        f"{KIND_TAXONOMY.name!r} taxonomy, found {len(kinds)}")
    return kinds[0], frozenset(roles)


def _hours(schedules: object, written: str | None) -> str:
    """The hours the schedule rows say, as canonical text (or the text of a row that only
    describes them). The text as written is kept when it gives exactly these rows."""
    listed = [row for row in (schedules if isinstance(schedules, Sequence) else ())
              if isinstance(row, Mapping)]
    try:
        rows = [ScheduleRow.from_json(row) for row in listed]
        back = _text_of(hours_from_rows(rows))
        if written is not None and _same_rows(written, rows):
            return written
    except ValueError:
        # Rows another publisher wrote in a form not read here: their words, not a guess.
        return "; ".join(str(row["description"]) for row in listed if row.get("description"))
    return back


def _same_rows(text: str, rows: Sequence[ScheduleRow]) -> bool:
    years = sorted({int(row.valid_from[:4]) for row in rows if row.valid_from
                    and (row.notes or "").startswith(HOLIDAY_NOTE)})
    again = schedule_rows(read_hours(text), "", holiday_years=years)
    return [_content(row) for row in again] == [_content(row) for row in rows]


def _content(row: ScheduleRow) -> JsonObject:
    return {name: value for name, value in row.to_json().items() if name != "id"}


def _text_of(hours: Hours) -> str:
    return hours.canonical or hours.text


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
