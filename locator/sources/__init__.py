"""Public data sources: find the files in a folder, recognise their layout, read their rows.

``discover(folder)`` recognises each file (or zip member) by its header, not its name, and
says which source and vintage it feeds; ``read(file)`` turns it into a ``SiteBatch`` or a
``PopulationBatch`` whose refused rows carry file, row number and reason. Nothing here
touches the database: ``locator.importer`` decides what to write.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from locator import geodata, regions
from locator.errors import InvalidInput
from locator.sources import (
    _careeronestop,
    _census,
    _checks,
    _eventsfile,
    _hsds,
    _pls,
    _sitesfile,
)
from locator.sources._files import (
    csv_rows,
    decode,
    head_bytes,
    header_of,
    header_of_text,
    read_bytes,
    sha256_of,
)
from locator.sources._records import (
    EventBatch,
    EventRow,
    FileError,
    Format,
    PopulationBatch,
    PopulationRow,
    Progress,
    ProgressFn,
    RegionBatch,
    RowError,
    RowIssue,
    SiteBatch,
    Skip,
    SourceFile,
    Ticker,
)
from locator.sources.fetch import CHECKSUM_LEDGER

__all__ = [
    "PLS_SOURCE", "REGIONS_SOURCE", "Discovery", "EventBatch", "EventRow", "Format",
    "PopulationBatch", "PopulationRow", "Progress", "ProgressFn", "RegionBatch", "RowIssue",
    "SiteBatch", "SourceFile", "discover", "read",
]


PLS_SOURCE = _pls.SOURCE
REGIONS_SOURCE = "regions"
EXCEL_ADVICE = "Excel workbook: save it as CSV (UTF-8) to import it"


@dataclass(frozen=True)
class Discovery:
    files: tuple[SourceFile, ...]
    ignored: tuple[tuple[str, str], ...]  # (file name, why it was not used)


def discover(folder: Path) -> Discovery:
    """Every recognised source file under ``folder`` (zip archives are looked inside), or
    in the one file ``folder`` names. Hidden files and the checksums that ``locator data
    fetch`` records are not sources."""
    files: list[SourceFile] = []
    ignored: list[tuple[str, str]] = []
    paths = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
    for path in paths:
        if path.name == CHECKSUM_LEDGER or any(
                part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        try:
            recognised = _recognise_path(path)
        except (OSError, zipfile.BadZipFile, zlib.error) as error:
            recognised = f"cannot be read ({error})"
        if isinstance(recognised, str):
            ignored.append((path.name, recognised))
        else:
            files.extend(recognised)
    return Discovery(tuple(files), tuple(ignored))


def _recognise_path(path: Path) -> list[SourceFile] | str:
    if path.suffix.lower() in (".xlsx", ".xls"):
        return EXCEL_ADVICE
    if zipfile.is_zipfile(path):
        return _discover_zip(path) or "zip archive holds no recognised file"
    return _recognise(path, "", head_bytes(path))


def _discover_zip(path: Path) -> list[SourceFile]:
    with zipfile.ZipFile(path) as archive:
        members = [m.filename for m in archive.infolist() if not m.is_dir()]
    found = [_recognise(path, member, head_bytes(path, member)) for member in members]
    return [f for files in found if not isinstance(files, str) for f in files]


def _recognise(path: Path, member: str, head: bytes) -> list[SourceFile] | str:
    """The file's layout (an HSDS file feeds one source per source it holds), or why it
    is not one we read."""
    name = member.rsplit("/", 1)[-1] if member else path.name
    if _hsds.looks_like_package(head, name):
        return _hsds.discover(path, member, Format.HSDS_PACKAGE)
    if _hsds.looks_like_services_json(head):
        return _hsds.discover(path, member, Format.HSDS_JSON)
    recognised = _recognise_layout(path, member, head)
    if isinstance(recognised, str):
        return _hsds.package_table(path, member) or recognised
    return [recognised]


def _recognise_layout(path: Path, member: str, head: bytes) -> SourceFile | str:
    name = member.rsplit("/", 1)[-1] if member else path.name
    names = (name, path.name)
    if _sitesfile.looks_like_geojson(head, name):
        return SourceFile(path, member, Format.SITES_GEOJSON, _sitesfile.source_for(name), "")
    header = header_of(head)
    if _pls.matches(header):
        return SourceFile(path, member, Format.PLS_OUTLETS, _pls.SOURCE,
                          _pls.vintage_from_names(*names))
    if _census.matches_tracts(header):
        return SourceFile(path, member, Format.CENSUS_TRACTS, _census.TRACT_SOURCE,
                          _census.vintage_from_names(*names))
    if _census.matches_counties(header):
        return SourceFile(path, member, Format.CENSUS_COUNTIES, _census.COUNTY_SOURCE,
                          _census.vintage_from_names(*names))
    if _careeronestop.matches(header):
        text = decode(read_bytes(path, member), _careeronestop.ENCODINGS)
        rows = [row for _, row in csv_rows(text, lower_keys=True)]
        return SourceFile(path, member, Format.CAREERONESTOP, _careeronestop.SOURCE,
                          _careeronestop.vintage(rows))
    if _eventsfile.matches(header):
        return SourceFile(path, member, Format.EVENTS_CSV, _sitesfile.source_for(name), "")
    if _sitesfile.matches(header):
        return SourceFile(path, member, Format.SITES_CSV, _sitesfile.source_for(name), "")
    if regions.matches(header):
        return SourceFile(path, member, Format.REGIONS_CSV, REGIONS_SOURCE, "")
    return "not a recognised layout (see docs/sites-format.md)"


_SITE_LAYOUTS: dict[Format, ModuleType] = {
    Format.PLS_OUTLETS: _pls,
    Format.CAREERONESTOP: _careeronestop,
    Format.SITES_CSV: _sitesfile,
    Format.SITES_GEOJSON: _sitesfile,
}


def read(file: SourceFile, progress: ProgressFn | None = None,
         ) -> SiteBatch | PopulationBatch | EventBatch | RegionBatch:
    """Read and check every row of one file."""
    population = file.format in (Format.CENSUS_TRACTS, Format.CENSUS_COUNTIES)
    try:
        data = read_bytes(file.path, file.member)
        # The checksum is of the file as published (the whole zip), to compare with
        # MANIFEST.md.
        sha256 = sha256_of(file.path.read_bytes() if file.member else data)
    except (OSError, zipfile.BadZipFile, zlib.error) as error:
        issue = (RowIssue(file.label, 0, f"cannot be read ({error})"),)
        if population:
            return PopulationBatch(file, "", 0, _population_level(file), (), issue, usable=False)
        if file.format is Format.EVENTS_CSV:
            return EventBatch(file, "", 0, (), issue, usable=False)
        if file.format is Format.REGIONS_CSV:
            return RegionBatch(file, "", 0, {}, issue, usable=False)
        return SiteBatch(file, "", 0, (), frozenset(), issue, usable=False)
    if population:
        return _read_population(file, data, sha256, progress)
    if file.format is Format.EVENTS_CSV:
        return _read_events(file, data, sha256)
    if file.format is Format.REGIONS_CSV:
        return _read_regions(file, data, sha256)
    if file.format in (Format.HSDS_JSON, Format.HSDS_PACKAGE):
        return _read_hsds(file, sha256, progress)
    return _read_sites(file, data, sha256, progress)


def _population_level(file: SourceFile) -> str:
    return "tract" if file.format is Format.CENSUS_TRACTS else "county"


def _read_sites(file: SourceFile, data: bytes, sha256: str,
                progress: ProgressFn | None) -> SiteBatch:
    layout = _SITE_LAYOUTS[file.format]
    text = decode(data, layout.ENCODINGS)
    try:
        header, rows = _site_rows(file, text)
    except FileError as error:
        return SiteBatch(file=file, sha256=sha256, rows_read=0, sites=(), fields=frozenset(),
                         issues=(RowIssue(file.label, error.row, error.reason),), usable=False)
    ticker = Ticker(progress, file.label, "reading")
    numbered, issues, refused = [], [], set()
    skipped: dict[str, int] = {}
    for number, row in rows:
        ticker.tick()
        try:
            parsed = layout.parse_row(row, file)
        except RowError as error:
            issues.append(RowIssue(file.label, number, error.reason))
            refused.add(error.site_id)
            continue
        if isinstance(parsed, Skip):
            skipped[parsed.reason] = skipped.get(parsed.reason, 0) + 1
        else:
            numbered.append((number, parsed))
    ticker.finish()
    checked = _checks.check_sites(file.label, numbered, progress)
    return SiteBatch(
        file=file, sha256=sha256, rows_read=ticker.rows, sites=checked.sites,
        row_numbers=checked.row_numbers,
        fields=layout.fields(header), issues=tuple(issues) + checked.issues, skipped=skipped,
        refused_ids=frozenset(refused | checked.refused_ids) - {""},
    )


def _read_hsds(file: SourceFile, sha256: str, progress: ProgressFn | None) -> SiteBatch:
    ticker = Ticker(progress, file.label, "reading")
    numbered, issues, refused = [], [], set()
    try:
        for number, parsed in _hsds.numbered_sites(file):
            ticker.tick()
            if isinstance(parsed, RowError):
                issues.append(RowIssue(file.label, number, parsed.reason))
                refused.add(parsed.site_id)
            else:
                numbered.append((number, parsed))
    except FileError as error:
        return SiteBatch(file=file, sha256=sha256, rows_read=0, sites=(), fields=frozenset(),
                         issues=(RowIssue(file.label, error.row, error.reason),), usable=False)
    ticker.finish()
    checked = _checks.check_sites(file.label, numbered, progress)
    return SiteBatch(
        file=file, sha256=sha256, rows_read=ticker.rows, sites=checked.sites,
        row_numbers=checked.row_numbers, fields=_hsds.fields(),
        issues=tuple(issues) + checked.issues,
        refused_ids=frozenset(refused | checked.refused_ids) - {""},
    )


def _site_rows(file: SourceFile, text: str,
               ) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The column names and the numbered rows; ``FileError`` if required columns lack."""
    if file.format is Format.SITES_GEOJSON:
        header, rows = _sitesfile.geojson_rows(text)
    else:
        lower = file.format is not Format.PLS_OUTLETS
        header = [h.lower() if lower else h for h in header_of_text(text)]
        rows = csv_rows(text, lower_keys=lower)
    layout = _SITE_LAYOUTS[file.format]
    missing = [column for column in layout.REQUIRED if column not in header]
    if missing:
        raise FileError(f"missing required column(s): {', '.join(missing)}")
    return header, rows


def _read_population(file: SourceFile, data: bytes, sha256: str,
                     progress: ProgressFn | None) -> PopulationBatch:
    tracts = file.format is Format.CENSUS_TRACTS
    parse = _census.parse_tract if tracts else _census.parse_county
    ticker = Ticker(progress, file.label, "reading", every=20000)
    rows, issues = [], []
    seen: dict[str, int] = {}
    for number, row in csv_rows(decode(data, _census.ENCODINGS)):
        ticker.tick()
        try:
            point = parse(row)
            if point.id in seen:
                raise RowError(f"duplicate id {point.id} (first at row {seen[point.id]})")
        except RowError as error:
            issues.append(RowIssue(file.label, number, error.reason))
            continue
        seen[point.id] = number
        rows.append(point)
    ticker.finish()
    return PopulationBatch(file=file, sha256=sha256, rows_read=ticker.rows,
                           level=_population_level(file), rows=tuple(rows),
                           issues=tuple(issues))


def _read_regions(file: SourceFile, data: bytes, sha256: str) -> RegionBatch:
    """A regions file is used whole or not at all: one county under two regions, or a code
    that names no county, refuses the file and leaves the stored regions as they are."""
    text = decode(data, _census.ENCODINGS)
    rows = sum(1 for line in text.splitlines()[1:] if line.strip())
    try:
        read_regions = regions.parse_regions(
            text, known_counties={c.fips for c in geodata.counties()}, source=file.label)
    except InvalidInput as error:
        return RegionBatch(file, sha256, rows, {}, (RowIssue(file.label, 0, str(error)),),
                           usable=False)
    return RegionBatch(file, sha256, rows, dict(read_regions.by_county))


def _read_events(file: SourceFile, data: bytes, sha256: str) -> EventBatch:
    rows: list[EventRow] = []
    issues: list[RowIssue] = []
    seen: dict[str, int] = {}
    refused: set[str] = set()
    count = 0
    for number, row in csv_rows(decode(data, _eventsfile.ENCODINGS), lower_keys=True):
        count += 1
        try:
            event = _eventsfile.parse_row(number, row)
            if event.id in seen:
                raise RowError(f"duplicate event_id {event.id} (first at row {seen[event.id]})")
        except RowError as error:
            issues.append(RowIssue(file.label, number, error.reason))
            refused.add(row.get("event_id", "").strip())
            continue
        seen[event.id] = number
        rows.append(event)
    return EventBatch(file=file, sha256=sha256, rows_read=count, rows=tuple(rows),
                      issues=tuple(issues), refused_ids=frozenset(refused) - {""})
