"""Build the database from the source files in a folder, atomically and idempotently.

``import_sources`` is an outline of four steps: find the files, choose one vintage per
source, read and check every row, then apply every file in one transaction. Applying a file
compares it with what is stored: new sites are added, differing ones changed, and sites the
source no longer lists are retired (never deleted). Importing the same file again changes
nothing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from locator import snapshot
from locator.errors import InvalidInput
from locator.events import Event, at_site_zone
from locator.sites import Site, Status
from locator.sources import (
    EventBatch,
    EventRow,
    PopulationBatch,
    Progress,
    ProgressFn,
    RegionBatch,
    RowIssue,
    SiteBatch,
    SourceFile,
    discover,
    read,
)
from locator.store import IMPORT_ACTOR, ImportRecord, Store, now_iso
from locator.timezones import site_zone

# Fields whose change alone does not make a site "changed": a new vintage that repeats a
# site word for word updates its vintage silently.
_BOOKKEEPING_FIELDS = ("vintage",)


@dataclass(frozen=True)
class FileResult:
    """What importing one file did."""

    file: str
    source: str
    vintage: str
    rows_read: int
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    issues: tuple[RowIssue, ...] = ()

    @property
    def rejected(self) -> int:
        return len(self.issues)

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file, "source": self.source, "vintage": self.vintage,
            "rows_read": self.rows_read, "added": self.added, "changed": self.changed,
            "removed": self.removed, "unchanged": self.unchanged, "skipped": dict(self.skipped),
            "rejected": self.rejected,
        }


@dataclass(frozen=True)
class ImportReport:
    folder: Path
    results: tuple[FileResult, ...]
    passed_over: tuple[tuple[str, str], ...]  # (file, why it was not imported)
    elapsed_s: float

    @property
    def issues(self) -> tuple[RowIssue, ...]:
        return tuple(issue for result in self.results for issue in result.issues)


def import_sources(store: Store, sources_dir: Path | str, *, vintage: str | None = None,
                   progress: ProgressFn | None = None) -> ImportReport:
    """Import every recognised file in ``sources_dir``: the newest vintage of each source,
    or ``vintage`` where a source has it. All files are applied in one transaction."""
    folder = _existing_folder(Path(sources_dir))
    return _import_found(store, folder, vintage, progress)


def import_snapshot(store: Store, *, progress: ProgressFn | None = None) -> ImportReport:
    """Import the snapshot bundled with the app (``locator.snapshot``): what a first start
    with no source files and no internet serves. A later import of source files updates
    the same sites in place, as a newer vintage does."""
    return _import_found(store, snapshot.archive(), None, progress)


def replaces_snapshot(store: Store, files: Sequence[SourceFile]) -> bool:
    """Whether any of ``files`` feeds a source whose stored data is the bundled snapshot's:
    source files win over the snapshot, so they should be imported."""
    from_snapshot = {r.source for r in latest_imports(store) if snapshot.is_from_snapshot(r)}
    return any(file.source in from_snapshot for file in files)


def _import_found(store: Store, where: Path, vintage: str | None,
                  progress: ProgressFn | None) -> ImportReport:
    started = time.perf_counter()
    discovery = discover(where)
    chosen, passed_over = choose_vintages(discovery.files, vintage)
    # Events name sites, so they are applied after every file of sites.
    batches = sorted((read(file, progress) for file in chosen),
                     key=lambda batch: isinstance(batch, EventBatch))
    with store.transaction():
        results = tuple(_apply(store, batch, progress) for batch in batches)
    return ImportReport(where, results, (*passed_over, *discovery.ignored),
                        time.perf_counter() - started)


def _existing_folder(folder: Path) -> Path:
    if not folder.is_dir():
        raise InvalidInput(
            "sources folder %(folder)s does not exist: run `locator data fetch` or create it "
            "and put the source files there (see `locator data fetch --help`)",
            code="no_sources_folder", parameter="sources", folder=str(folder),
        )
    return folder


def choose_vintages(files: Sequence[SourceFile], vintage: str | None = None,
                    ) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """One file per source: the one of ``vintage`` if the source has it, else the newest.

    A second file of the same source and vintage (the official zip and a CSV taken out of
    it, say) is passed over in favour of the first by name.
    """
    by_source: dict[str, list[SourceFile]] = {}
    for file in files:
        by_source.setdefault(file.source, []).append(file)
    known = {file.vintage for file in files}
    if vintage is not None and vintage not in known:
        raise InvalidInput(
            "no source file has vintage '%(vintage)s'; found: %(found)s",
            code="unknown_vintage", parameter="vintage", vintage=vintage,
            found=", ".join(sorted(v for v in known if v)) or "none",
        )
    chosen: list[SourceFile] = []
    passed_over: list[tuple[str, str]] = []
    for source, group in by_source.items():
        group = sorted(group, key=lambda f: (f.path.name, f.member))
        wanted = [f for f in group if f.vintage == vintage] or \
                 [f for f in group if f.vintage == max(g.vintage for g in group)]
        pick = wanted[0]
        chosen.append(pick)
        for other in group:
            if other is pick:
                continue
            why = (f"same source and vintage as {pick.label}" if other.vintage == pick.vintage
                   else f"{source} {other.vintage or 'of unknown vintage'}: "
                        f"{pick.vintage} imported instead")
            passed_over.append((other.label, why))
    return chosen, passed_over


def _apply(store: Store, batch: SiteBatch | PopulationBatch | EventBatch | RegionBatch,
           progress: ProgressFn | None) -> FileResult:
    started = time.perf_counter()
    if not batch.usable:
        return FileResult(batch.file.label, batch.file.source, batch.file.vintage, 0,
                          issues=batch.issues)
    if isinstance(batch, SiteBatch):
        result = _apply_sites(store, batch)
        written = len(batch.sites)
    elif isinstance(batch, EventBatch):
        result = _apply_events(store, batch)
        written = len(batch.rows)
    elif isinstance(batch, RegionBatch):
        result = _apply_regions(store, batch)
        written = len(batch.by_county)
    else:
        result = _apply_population(store, batch)
        written = len(batch.rows)
    store.record_import(ImportRecord(
        source=batch.file.source, vintage=batch.file.vintage, file=batch.file.label,
        sha256=batch.sha256, imported_at=now_iso(),
        summary={**result.to_json(), "issues": result.rejected},
    ))
    if progress is not None:
        progress(Progress(batch.file.label, "writing", written,
                          time.perf_counter() - started, done=True))
    return result


def _apply_sites(store: Store, batch: SiteBatch) -> FileResult:
    """Add, change and retire sites so the store matches what the file lists."""
    source = batch.file.source
    owners = store.site_sources()
    foreign = [s for s in batch.sites if owners.get(s.id, source) != source]
    issues = batch.issues + tuple(
        RowIssue(batch.file.label, batch.row_numbers.get(s.id, 0),
                 f"id {s.id} already belongs to source {owners[s.id]!r}")
        for s in foreign)
    incoming = [s for s in batch.sites if owners.get(s.id, source) == source]
    existing = {s.id: s for s in store.sites(source=source)}
    revivable = store.retired_by_import(source)

    to_write: list[Site] = []
    added = changed = unchanged = 0
    for site in incoming:
        old = existing.get(site.id)
        if old is None:
            to_write.append(site)
            added += 1
            continue
        merged = _merge(old, site, batch.fields, revive=site.id in revivable)
        if merged == old:
            unchanged += 1
        elif _same_content(merged, old):
            unchanged += 1
            to_write.append(merged)
        else:
            changed += 1
            to_write.append(merged)
    listed = {s.id for s in batch.sites} | batch.refused_ids
    gone = [i for i, s in existing.items() if i not in listed and s.status is not Status.RETIRED]
    store.upsert_sites(to_write, actor=IMPORT_ACTOR)
    store.retire_missing(gone, source=source, vintage=batch.file.vintage)
    return FileResult(batch.file.label, source, batch.file.vintage, batch.rows_read,
                      added=added, changed=changed, removed=len(gone), unchanged=unchanged,
                      skipped=batch.skipped, issues=issues)


def _merge(old: Site, new: Site, fields: frozenset[str], *, revive: bool) -> Site:
    """The stored site updated with what the file supplies; other fields are kept."""
    changes: dict[str, object] = {name: getattr(new, name) for name in fields}
    if "status" not in fields and revive:
        changes["status"] = Status.APPROVED
    return old.replace(**changes)


def _same_content(a: Site, b: Site) -> bool:
    blank = dict.fromkeys(_BOOKKEEPING_FIELDS, "")
    return a.replace(**blank) == b.replace(**blank)


def _apply_population(store: Store, batch: PopulationBatch) -> FileResult:
    """Replace one level's points when anything differs; report how they differ."""
    stored = store.population(batch.level)
    old = {i: (c, int(p), float(la), float(lo)) for i, c, p, la, lo in zip(
        stored.ids.tolist(), stored.county_fips.tolist(), stored.population.tolist(),
        stored.lat.tolist(), stored.lon.tolist(), strict=True)}
    new = {row.id: (row.county_fips, row.population, row.lat, row.lon) for row in batch.rows}
    added = sum(1 for i in new if i not in old)
    changed = sum(1 for i, value in new.items() if i in old and old[i] != value)
    removed = sum(1 for i in old if i not in new)
    if added or changed or removed or stored.vintage != batch.file.vintage:
        store.replace_population(batch.level, batch.rows, batch.file.vintage)
    return FileResult(batch.file.label, batch.file.source, batch.file.vintage,
                      batch.rows_read, added=added, changed=changed, removed=removed,
                      unchanged=len(new) - added - changed, issues=batch.issues)


def _apply_regions(store: Store, batch: RegionBatch) -> FileResult:
    """Make the file's regions the stored ones; report the counties it moves."""
    old, new = store.regions(), batch.by_county
    added = sum(1 for fips in new if fips not in old)
    changed = sum(1 for fips, region in new.items() if fips in old and old[fips] != region)
    removed = sum(1 for fips in old if fips not in new)
    if added or changed or removed:
        store.replace_regions(new)
    return FileResult(batch.file.label, batch.file.source, batch.file.vintage,
                      batch.rows_read, added=added, changed=changed, removed=removed,
                      unchanged=len(new) - added - changed, issues=batch.issues)


def _apply_events(store: Store, batch: EventBatch) -> FileResult:
    """Add and change the file's events and remove those it no longer lists (a refused row
    still lists its event, which is kept as stored). An event's times without an offset are
    read in its site's zone."""
    source = batch.file.source
    sites = {s.id: s for s in store.sites(ids={row.site_id for row in batch.rows})}
    issues = list(batch.issues)
    events: list[Event] = []
    for row in batch.rows:
        site = sites.get(row.site_id)
        if site is None:
            issues.append(RowIssue(batch.file.label, row.row,
                                   f"site_id {row.site_id} is not a site in the database"))
            continue
        events.append(_event(row, site_zone(site), source))
    existing = {e.id: e for e in store.events(source=source)}
    foreign = {e.id: e.source for e in store.events(ids=[e.id for e in events])
               if e.source != source}
    issues.extend(RowIssue(batch.file.label, row.row,
                           f"event_id {row.id} already belongs to source {foreign[row.id]!r}")
                  for row in batch.rows if row.id in foreign)
    events = [e for e in events if e.id not in foreign]
    to_write = [e for e in events if existing.get(e.id) != e]
    listed = {row.id for row in batch.rows} | batch.refused_ids
    gone = [i for i in existing if i not in listed]
    store.upsert_events(to_write, actor=IMPORT_ACTOR)
    store.remove_events(gone, actor=IMPORT_ACTOR)
    added = sum(1 for e in to_write if e.id not in existing)
    return FileResult(batch.file.label, source, batch.file.vintage, batch.rows_read,
                      added=added, changed=len(to_write) - added, removed=len(gone),
                      unchanged=len(events) - len(to_write), issues=tuple(issues))


def _event(row: EventRow, zone: str, source: str) -> Event:
    return Event(id=row.id, site_id=row.site_id, title=row.title, kind=row.kind,
                 start_utc=at_site_zone(row.start, zone), end_utc=at_site_zone(row.end, zone),
                 zone=zone, description=row.description,
                 registration_url=row.registration_url, phone=row.phone,
                 capacity=row.capacity, languages=row.languages, source=source)


@dataclass(frozen=True)
class DataStatus:
    """What the database holds and where it came from. Counts by kind and by state leave out
    retired sites; ``sites_by_status`` counts every site."""

    sites_total: int
    sites_by_kind: dict[str, int]
    sites_by_status: dict[str, int]
    sites_by_state: dict[str, int]
    population: dict[str, dict[str, object]]  # level -> points, population, vintage
    imports: tuple[ImportRecord, ...]  # the latest import of each source

    @property
    def snapshot_sources(self) -> tuple[str, ...]:
        """The sources whose data is the bundled snapshot's."""
        return tuple(r.source for r in self.imports if snapshot.is_from_snapshot(r))

    def to_json(self) -> dict[str, object]:
        return {
            "sites": {"total": self.sites_total, "by_kind": self.sites_by_kind,
                      "by_status": self.sites_by_status, "by_state": self.sites_by_state},
            "population": self.population,
            "imports": [{"source": r.source, "vintage": r.vintage, "file": r.file,
                         "sha256": r.sha256, "imported_at": r.imported_at,
                         "bundled_snapshot": snapshot.is_from_snapshot(r),
                         "summary": r.summary} for r in self.imports],
        }


def data_status(store: Store) -> DataStatus:
    population = {
        level: {"points": summary.points, "population": summary.population,
                "vintage": summary.vintage}
        for level, summary in store.population_summary().items()
    }
    return DataStatus(
        sites_total=store.count_sites(), sites_by_kind=store.count_sites_by("kind"),
        sites_by_status=store.count_sites_by("status", active_only=False),
        sites_by_state=store.count_sites_by("state"),
        population=population, imports=latest_imports(store),
    )


def latest_imports(store: Store) -> tuple[ImportRecord, ...]:
    """The latest import of each source, by source name."""
    latest = {record.source: record for record in store.imports()}
    return tuple(sorted(latest.values(), key=lambda r: r.source))
