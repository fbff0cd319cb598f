"""Open Referral HSDS 3.0 files: a JSON array of fully nested services, or a data package
(``datapackage.json`` beside one CSV per table), such as ``locator export hsds`` writes.

A file can hold places of several sources (the PLS, a partner's sites file): each service
names its source as its location's ``external_identifier_type``. Discovery therefore
yields one ``SourceFile`` per source the file holds, and reading one keeps only that
source's services, so an import restores every place under the source it came from.
Services that name no source belong to ``hsds:<file name>``.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from locator import hsds, hsds_files
from locator.sites import Site
from locator.sources import _fields as f
from locator.sources._files import read_bytes
from locator.sources._records import FileError, Format, RowError, SourceFile

SOURCE_PREFIX = "hsds:"
PACKAGE_FILE = hsds_files.PACKAGE_FILE


def source_for(name: str) -> str:
    return SOURCE_PREFIX + PurePosixPath(name).name


def looks_like_services_json(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"[") and (b'"service_at_locations"' in text
                                      or text[1:].lstrip().startswith(b"]"))


def looks_like_package(head: bytes, name: str) -> bool:
    return name == PACKAGE_FILE and b'"resources"' in head


def discover(path: Path, member: str, fmt: Format) -> list[SourceFile] | str:
    """One file per source the HSDS file holds, or why it cannot be imported."""
    name = PurePosixPath(member or path.name).name
    try:
        services = [item for _, item in _services(path, member, fmt)]
    except FileError as error:
        return error.reason
    vintages: dict[str, str] = {}
    for item in services:
        source, vintage = _source_and_vintage(item, source_for(name))
        vintages[source] = max(vintages.get(source, ""), vintage)
    if not vintages:
        return "HSDS file lists no services"
    return [SourceFile(path, member, fmt, source, vintage)
            for source, vintage in sorted(vintages.items())]


def package_table(path: Path, member: str) -> str | None:
    """Why a CSV is passed over when it is a table of an HSDS data package beside it."""
    descriptor = _sibling_descriptor(path, member)
    if descriptor is None:
        return None
    name = PurePosixPath(member or path.name).name
    if name in hsds_files.table_paths(descriptor).values():
        return f"a table of the HSDS data package {PACKAGE_FILE} (imported through it)"
    return None


def numbered_sites(file: SourceFile) -> Iterator[tuple[int, Site | RowError]]:
    """This source's services in the file as sites, or why each cannot be one."""
    default = source_for(PurePosixPath(file.member or file.path.name).name)
    for number, item in _services(file.path, file.member, file.format):
        if _source_and_vintage(item, default)[0] != file.source:
            continue
        try:
            yield number, _checked(hsds.site_from_service(item, source=default))
        except hsds.HsdsError as error:
            yield number, RowError(str(error), site_id=_site_id(item))
        except RowError as error:
            yield number, RowError(error.reason, site_id=_site_id(item))


def _services(path: Path, member: str, fmt: Format) -> list[tuple[int, Any]]:
    """Every service in the file, numbered (JSON from 1; CSV rows from 2, after the
    header). Raises ``FileError`` when the file as a whole cannot be read."""
    try:
        data = read_bytes(path, member)
        if fmt is Format.HSDS_JSON:
            return list(enumerate(hsds_files.services_from_json(data), start=1))
        descriptor = json.loads(data.decode("utf-8-sig"))
        if not hsds_files.is_hsds_package(descriptor):
            raise FileError("datapackage.json does not describe HSDS services, locations "
                            "and service_at_location tables")
        return list(hsds_files.services_from_package(descriptor, _sibling_reader(path, member)))
    except (ValueError, UnicodeDecodeError) as error:
        raise FileError(f"not a readable HSDS file: {error}") from None


def _sibling_reader(path: Path, member: str) -> Callable[[str], bytes | None]:
    """Reads a file named relative to the package descriptor, loose or in the same zip."""
    def read(relative: str) -> bytes | None:
        if PurePosixPath(relative).is_absolute() or ".." in PurePosixPath(relative).parts:
            return None
        if not member:
            target = path.parent / relative
            return target.read_bytes() if target.is_file() else None
        inner = str(PurePosixPath(member).parent / relative).removeprefix("./")
        try:
            return read_bytes(path, inner)
        except KeyError:
            return None
    return read


def _sibling_descriptor(path: Path, member: str) -> dict | None:
    try:
        data = _sibling_reader(path, member)(PACKAGE_FILE)
    except (OSError, zipfile.BadZipFile):
        return None
    if data is None:
        return None
    try:
        descriptor = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return None
    return descriptor if hsds_files.is_hsds_package(descriptor) else None


def _source_and_vintage(item: Any, default: str) -> tuple[str, str]:
    if not isinstance(item, dict):
        return default, ""
    links = item.get("service_at_locations") or [{}]
    place = links[0].get("location") if isinstance(links, list) and isinstance(
        links[0], dict) else None
    source = place.get("external_identifier_type") if isinstance(place, dict) else None
    vintage = _record_value(item, hsds.VINTAGE)
    return (str(source) if source else default), vintage


def _record_value(item: dict, code: str) -> str:
    term_id = hsds.RECORD_TERMS[code].id
    for attribute in item.get("attributes") or ():
        if isinstance(attribute, dict) and attribute.get("taxonomy_term_id") == term_id:
            return str(attribute.get("value") or "")
    return ""


def _site_id(item: Any) -> str:
    return _record_value(item, hsds.SITE_ID) if isinstance(item, dict) else ""


def _checked(site: Site) -> Site:
    """The site, if every value is one the locator accepts from any source file."""
    row = {"name": site.name, "lat": repr(site.lat), "lon": repr(site.lon)}
    f.readable({"name": site.name, "address": site.address, "city": site.city})
    f.site_id(site.id, "site_id")
    f.required(row, "name")
    f.latitude(row, "lat")
    f.longitude(row, "lon")
    cleaned = {
        "state": f.state(site.state, "state_province"),
        "zip": f.zip5(site.zip, "postal_code"),
        "county_fips": f.county_fips(site.county_fips),
        "website": f.web_address(site.website, "url"),
        "last_verified": f.iso_date(site.last_verified, "assured_date"),
    }
    changed = {name: value for name, value in cleaned.items() if value != getattr(site, name)}
    return site.replace(**changed) if changed else site


def fields() -> frozenset[str]:
    """An HSDS file carries every field of a site but its time zone, which the store
    derives from the point."""
    return frozenset(Site.__dataclass_fields__) - {"timezone"}
