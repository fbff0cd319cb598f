"""HSDS 3.0 files: a JSON array of fully nested services, or the tabular data package (one
CSV per table plus ``datapackage.json``), written from sites and read back as services.

The tables and their columns are the specification's (``datapackage.json`` of HSDS 3.0), in
its order; only the tables the locator has something to put in are written. Every column of
a written table is present, empty where the site has nothing for it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import orjson

from locator import hsds
from locator.hsds import JsonObject
from locator.sites import Site

if TYPE_CHECKING:
    from locator.store import Change

# Site id -> its change log, oldest first (``Store.history``, grouped).
Histories = Mapping[str, "Sequence[Change]"]
PACKAGE_FILE = "datapackage.json"


class Field(NamedTuple):
    name: str
    type: str = "string"
    format: str = ""
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] = ()

    def to_json(self) -> JsonObject:
        field: JsonObject = {"name": self.name, "type": self.type}
        if self.format:
            field["format"] = self.format
        constraints: JsonObject = {"required": self.required, "unique": self.unique}
        if self.enum:
            constraints["enum"] = list(self.enum)
        return {**field, "constraints": constraints}


def _id() -> Field:
    return Field("id", format="uuid", required=True, unique=True)


def _ref(name: str, *, required: bool = False) -> Field:
    return Field(name, format="uuid", required=required)


def _text(name: str, *, required: bool = False, enum: tuple[str, ...] = ()) -> Field:
    return Field(name, required=required, enum=enum)


_PLACE_TYPES = ("physical", "postal", "virtual")


class Table(NamedTuple):
    name: str
    path: str
    fields: tuple[Field, ...]
    references: tuple[tuple[str, str], ...] = ()  # (column, table whose id it names)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def to_json(self) -> JsonObject:
        return {"name": self.name, "path": self.path, "format": "csv",
                "mediatype": "text/csv", "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": {"fields": [f.to_json() for f in self.fields], "primaryKey": "id",
                           "foreignKeys": [{"fields": column,
                                            "reference": {"resource": table, "fields": "id"}}
                                           for column, table in self.references]}}


TABLES: tuple[Table, ...] = (
    Table("organization", "organizations.csv", (
        _id(), _text("name", required=True), _text("alternate_name"),
        _text("description", required=True), Field("email", format="email"),
        Field("website", format="uri"), _text("tax_status"), _text("tax_id"),
        Field("year_incorporated", "number"), _text("legal_status"), _text("logo"),
        Field("uri", format="uri"), _ref("parent_organization_id"))),
    Table("service", "services.csv", (
        _id(), _ref("organization_id", required=True), _ref("program_id"),
        _text("name", required=True), _text("alternate_name"), _text("description"),
        Field("url", format="uri"), Field("email", format="email"),
        _text("status", required=True, enum=("active", "inactive", "defunct",
                                              "temporarily closed")),
        _text("interpretation_services"), _text("application_process"),
        _text("fees_description"), _text("wait_time"), _text("fees"), _text("accreditations"),
        _text("eligibility_description"), Field("minimum_age", "number"),
        Field("maximum_age", "number"), Field("assured_date", "date"),
        Field("assurer_email", format="email"), _text("licenses"), _text("alert"),
        Field("last_modified", "datetime")),
        (("organization_id", "organization"),)),
    Table("attribute", "attributes.csv", (
        _id(), _ref("link_id", required=True), _ref("taxonomy_term_id", required=True),
        _text("link_type"), _text("link_entity", required=True), _text("value")),
        (("taxonomy_term_id", "taxonomy_term"),)),
    Table("service_at_location", "service_at_location.csv", (
        _id(), _ref("service_id", required=True), _ref("location_id", required=True),
        _text("description")),
        (("service_id", "service"), ("location_id", "location"))),
    Table("location", "locations.csv", (
        _id(), _text("location_type", required=True, enum=_PLACE_TYPES),
        Field("url", format="uri"), _ref("organization_id"), _text("name"),
        _text("alternate_name"), _text("description"), _text("transportation"),
        Field("latitude", "number"), Field("longitude", "number"),
        _text("external_identifier"), _text("external_identifier_type")),
        (("organization_id", "organization"),)),
    Table("phone", "phones.csv", (
        _id(), _ref("location_id"), _ref("service_id"), _ref("organization_id"),
        _ref("contact_id"), _ref("service_at_location_id"), _text("number", required=True),
        Field("extension", "number"), _text("type"), _text("description")),
        (("location_id", "location"), ("organization_id", "organization"),
         ("service_id", "service"), ("service_at_location_id", "service_at_location"))),
    Table("address", "addresses.csv", (
        _id(), _ref("location_id"), _text("attention"), _text("address_1", required=True),
        _text("address_2"), _text("city", required=True), _text("region"),
        _text("state_province", required=True), _text("postal_code", required=True),
        _text("country", required=True), _text("address_type", required=True,
                                               enum=_PLACE_TYPES)),
        (("location_id", "location"),)),
    Table("schedule", "schedules.csv", (
        _id(), _ref("service_id"), _ref("location_id"), _ref("service_at_location_id"),
        Field("valid_from", "date"), Field("valid_to", "date"), Field("dtstart", "date"),
        Field("timezone", "number"), Field("until", "date"), Field("count", "number"),
        _text("wkst", enum=("MO", "TU", "WE", "TH", "FR", "SA", "SU")),
        _text("freq", enum=("WEEKLY", "MONTHLY")), Field("interval", "number"),
        _text("byday"), _text("byweekno"), _text("bymonthday"), _text("byyearday"),
        _text("description"), Field("opens_at", "time"), Field("closes_at", "time"),
        Field("schedule_link", format="uri"), _text("attending_type"), _text("notes")),
        (("location_id", "location"), ("service_id", "service"),
         ("service_at_location_id", "service_at_location"))),
    Table("taxonomy_term", "taxonomy_terms.csv", (
        _id(), Field("code", unique=True), _text("name", required=True),
        _text("description", required=True), _ref("parent_id"), _text("taxonomy"),
        _text("language"), _ref("taxonomy_id"), Field("term_uri", format="uri")),
        (("taxonomy_id", "taxonomy"),)),
    # The audit trail: ``resource_id`` names a service, location, address or phone, so it
    # has no single table to be a foreign key into.
    Table("metadata", "metadata.csv", (
        _id(), _ref("resource_id", required=True), _text("resource_type", required=True),
        Field("last_action_date", "date", required=True),
        _text("last_action_type", required=True), _text("field_name", required=True),
        _text("previous_value", required=True), _text("replacement_value", required=True),
        _text("updated_by", required=True))),
    Table("taxonomy", "taxonomies.csv", (
        _id(), _text("name", required=True), _text("description", required=True),
        Field("uri", format="uri"), _text("version"))),
)
TABLES_BY_NAME = {table.name: table for table in TABLES}


# -- writing ------------------------------------------------------------------------------

def write_json(sites: Iterable[Site], path: Path, *, histories: Histories | None = None,
               holiday_years: Sequence[int] | None = None) -> int:
    """Write the services of ``sites`` as one JSON array, each object with the
    ``metadata`` of its changes in ``histories``; returns how many."""
    histories = histories or {}
    services = [hsds.service(site, history=histories.get(site.id, ()),
                             holiday_years=holiday_years) for site in sites]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(services))
    return len(services)


def write_package(sites: Iterable[Site], folder: Path, *, histories: Histories | None = None,
                  holiday_years: Sequence[int] | None = None) -> int:
    """Write the data package into ``folder``: one CSV per table and ``datapackage.json``,
    the changes in ``histories`` as ``metadata.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = table_rows(sites, histories=histories, holiday_years=holiday_years)
    for table in TABLES:
        (folder / table.path).write_bytes(table_csv(table, rows[table.name]))
    (folder / PACKAGE_FILE).write_text(json.dumps(package_descriptor(), indent=2) + "\n",
                                       encoding="utf-8")
    return len(rows["service"])


def histories(changes: Iterable[Change]) -> dict[str, list[Change]]:
    """The change log (oldest first) grouped by site; entries about no site are left out."""
    found: dict[str, list[Change]] = {}
    for change in changes:
        if change.site_id is not None:
            found.setdefault(change.site_id, []).append(change)
    return found


def table_csv(table: Table, rows: Iterable[JsonObject]) -> bytes:
    """One table as UTF-8 CSV. Lines end in CRLF (RFC 4180) because the csv module quotes
    a cell holding any line-end character only when that character ends its lines: with
    bare LF endings a cell holding CR would be written unquoted and could not be read."""
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=table.columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def package_descriptor() -> JsonObject:
    return {"name": "workforce_locator_hsds", "title": "Workforce service locator as HSDS",
            "profile": "tabular-data-package", "version": "3.0.0",
            "resources": [table.to_json() for table in TABLES]}


def table_rows(sites: Iterable[Site], *, histories: Histories | None = None,
               holiday_years: Sequence[int] | None = None) -> dict[str, list[JsonObject]]:
    """Each table's rows, sites in the order given; shared organizations appear once."""
    rows: dict[str, list[JsonObject]] = {table.name: [] for table in TABLES}
    organizations: dict[str, JsonObject] = {}
    histories = histories or {}
    for site in sites:
        organizations.setdefault(hsds.organization_id(site), hsds.organization(site))
        rows["service"].append(hsds.service_fields(site))
        rows["location"].append(hsds.location_fields(site))
        rows["service_at_location"].append(hsds.service_at_location_fields(site))
        rows["address"] += hsds.addresses(site)
        rows["phone"] += hsds.phones(site)
        rows["schedule"] += hsds.schedule_table_rows(site, holiday_years=holiday_years)
        rows["attribute"] += [_flat(a) for a in (
            *hsds.service_attributes(site, holiday_years=holiday_years),
            *hsds.location_attributes(site))]
        rows["metadata"] += [hsds.metadata_day(row) for row in
                             hsds.metadata(site, histories.get(site.id, ()))]
    rows["organization"] = list(organizations.values())
    rows["taxonomy_term"] = [_flat(term.to_json()) for term in hsds.TERMS]
    rows["taxonomy"] = [taxonomy.to_json() for taxonomy in hsds.TAXONOMIES]
    return rows


def _flat(row: JsonObject) -> JsonObject:
    """A row without its nested objects, as its table holds it."""
    return {k: v for k, v in row.items() if not isinstance(v, dict | list)}


# -- reading ------------------------------------------------------------------------------

def services_from_json(data: bytes) -> list[object]:
    """The services of a JSON array; ``ValueError`` when it is not one."""
    document = orjson.loads(data)
    if not isinstance(document, list):
        raise ValueError("an HSDS services file is a JSON array of services")
    return document


def is_hsds_package(descriptor: object) -> bool:
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return False
    names = {r.get("name") for r in descriptor["resources"] if isinstance(r, dict)}
    return {"service", "service_at_location", "location"} <= names


def table_paths(descriptor: JsonObject) -> dict[str, str]:
    """Table name -> path of every resource the package lists."""
    return {str(r["name"]): str(r["path"]) for r in descriptor["resources"]
            if isinstance(r, dict) and r.get("name") and r.get("path")}


def services_from_package(descriptor: JsonObject, read: Callable[[str], bytes | None],
                          ) -> list[tuple[int, JsonObject]]:
    """Rebuild the nested services from the package's tables, numbered by their row in
    services.csv (the header is row 1). ``read`` gives a table's bytes by its path, or
    None when the file is absent; an absent table other than services.csv is empty."""
    paths = table_paths(descriptor)
    tables = {name: _csv_table(read(path)) for name, path in paths.items()
              if name in TABLES_BY_NAME}
    if "service" not in tables or tables["service"] is None:
        raise ValueError(f"the package lists no readable services table ({paths.get('service')})")
    by = _Joins({name: rows or [] for name, rows in tables.items()})
    return [(number, by.service(row)) for number, row in
            enumerate(tables["service"], start=2)]


def _csv_table(data: bytes | None) -> list[JsonObject] | None:
    if data is None:
        return None
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [{k: v for k, v in row.items() if v not in ("", None)} for row in reader]


class _Joins:
    """The tables indexed by the ids their rows point at, to nest them again."""

    def __init__(self, tables: dict[str, list[JsonObject]]) -> None:
        self._organizations = {row["id"]: row for row in tables.get("organization", [])
                               if "id" in row}
        self._locations = {row["id"]: row for row in tables.get("location", []) if "id" in row}
        self._links = _grouped(tables.get("service_at_location", []), "service_id")
        self._addresses = _grouped(tables.get("address", []), "location_id")
        self._phones = _grouped(tables.get("phone", []), "service_id")
        self._schedules = _grouped(tables.get("schedule", []), "service_id")
        self._attributes = _grouped(tables.get("attribute", []), "link_id")

    def service(self, row: JsonObject) -> JsonObject:
        service_id = row.get("id", "")
        nested = {**row, "phones": self._phones.get(service_id, []),
                  "schedules": self._schedules.get(service_id, []),
                  "attributes": self._attributes.get(service_id, []),
                  "service_at_locations": [self._link(link)
                                           for link in self._links.get(service_id, [])]}
        org = self._organizations.get(row.get("organization_id", ""))
        if org is not None:
            nested["organization"] = org
        return nested

    def _link(self, link: JsonObject) -> JsonObject:
        place = self._locations.get(link.get("location_id", ""))
        if place is None:
            return link
        return {**link, "location": self._location(place)}

    def _location(self, place: JsonObject) -> JsonObject:
        located = {**place, "addresses": self._addresses.get(place["id"], []),
                   "attributes": self._attributes.get(place["id"], [])}
        for name in ("latitude", "longitude"):
            if name in located:
                located[name] = _number(located[name])
        return located


def _grouped(rows: Sequence[JsonObject], column: str) -> dict[str, list[JsonObject]]:
    groups: dict[str, list[JsonObject]] = {}
    for row in rows:
        groups.setdefault(row.get(column, ""), []).append(row)
    return groups


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text
