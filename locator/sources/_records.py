"""What reading a source file produces: sites or population points, and the rows it refused."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from locator.events import EventKind
from locator.sites import Site


class Format(StrEnum):
    PLS_OUTLETS = "pls_outlets"
    CENSUS_TRACTS = "census_tracts"
    CENSUS_COUNTIES = "census_counties"
    CAREERONESTOP = "careeronestop"
    SITES_CSV = "sites_csv"
    SITES_GEOJSON = "sites_geojson"
    EVENTS_CSV = "events_csv"
    HSDS_JSON = "hsds_json"
    HSDS_PACKAGE = "hsds_package"
    REGIONS_CSV = "regions_csv"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One recognised file (or zip member): its layout, the source it feeds and its vintage."""

    path: Path
    member: str  # path inside the zip archive, or "" for a loose file
    format: Format
    source: str
    vintage: str

    @property
    def label(self) -> str:
        if not self.member:
            return self.path.name
        return f"{self.path.name}[{self.member.rsplit('/', 1)[-1]}]"


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A row that was not imported, and why. Row 1 is a CSV's header; GeoJSON counts features."""

    file: str
    row: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.reason}"


class RowError(Exception):
    """Raised by a row parser: the row is refused for ``reason``."""

    def __init__(self, reason: str, *, site_id: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.site_id = site_id


class FileError(Exception):
    """The file as a whole cannot be read (not JSON, required columns missing): nothing in
    it is imported and nothing already stored from its source is touched."""

    def __init__(self, reason: str, *, row: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row


class Skip(NamedTuple):
    """A row that is valid but deliberately not a place (e.g. books-by-mail)."""

    reason: str


class PopulationRow(NamedTuple):
    id: str
    county_fips: str
    population: int
    lat: float
    lon: float


@dataclass(frozen=True)
class SiteBatch:
    """The sites one file yields. ``fields`` are the Site fields the file supplies; an import
    leaves the other fields of an existing site (say, programs a reviewer added) alone."""

    file: SourceFile
    sha256: str
    rows_read: int
    sites: tuple[Site, ...]
    fields: frozenset[str]
    issues: tuple[RowIssue, ...] = ()
    skipped: dict[str, int] = field(default_factory=dict)
    row_numbers: dict[str, int] = field(default_factory=dict)  # site id -> row in the file
    # Ids of refused rows: a site already stored under one of them is kept as it is, not
    # retired, because the file still lists it.
    refused_ids: frozenset[str] = frozenset()
    # False when the file as a whole could not be read: it then changes nothing.
    usable: bool = True


@dataclass(frozen=True)
class PopulationBatch:
    file: SourceFile
    sha256: str
    rows_read: int
    level: str  # "tract" or "county"
    rows: tuple[PopulationRow, ...]
    issues: tuple[RowIssue, ...] = ()
    usable: bool = True


@dataclass(frozen=True, slots=True)
class RegionBatch:
    """A regions file: county FIPS to region name, or why it cannot be used."""

    file: SourceFile
    sha256: str
    rows_read: int
    by_county: Mapping[str, str]
    issues: tuple[RowIssue, ...] = ()
    usable: bool = True


@dataclass(frozen=True, slots=True)
class EventRow:
    """One checked row of an events file. ``start``/``end`` are as written: without an
    offset they are wall-clock times, read in the site's zone once the site is known."""

    row: int
    id: str
    site_id: str
    title: str
    kind: EventKind
    start: datetime
    end: datetime
    description: str
    registration_url: str
    phone: str
    capacity: int | None
    languages: tuple[str, ...]


@dataclass(frozen=True)
class EventBatch:
    file: SourceFile
    sha256: str
    rows_read: int
    rows: tuple[EventRow, ...]
    issues: tuple[RowIssue, ...] = ()
    # Event ids of refused rows: an event stored under one is kept as it is, not removed,
    # because the file still lists it.
    refused_ids: frozenset[str] = frozenset()
    usable: bool = True


@dataclass(frozen=True, slots=True)
class Progress:
    """A report on long work: which file, what is being done, how many rows so far."""

    file: str
    stage: str  # "reading", "checking" or "writing"
    rows: int
    elapsed_s: float
    done: bool = False

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.elapsed_s if self.elapsed_s > 0 else 0.0


ProgressFn = Callable[[Progress], None]


class Ticker:
    """Calls a progress function every ``every`` rows and once at the end."""

    def __init__(self, progress: ProgressFn | None, file: str, stage: str,
                 every: int = 5000) -> None:
        self._progress, self._file, self._stage, self._every = progress, file, stage, every
        self._start = time.perf_counter()
        self.rows = 0

    def tick(self) -> None:
        self.rows += 1
        if self._progress is not None and self.rows % self._every == 0:
            self._emit(done=False)

    def finish(self) -> None:
        if self._progress is not None:
            self._emit(done=True)

    def _emit(self, *, done: bool) -> None:
        assert self._progress is not None
        self._progress(Progress(self._file, self._stage, self.rows,
                                time.perf_counter() - self._start, done))
