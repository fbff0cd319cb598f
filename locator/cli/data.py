"""``locator data fetch|import|status|backup|restore``: load the public data, see what is
loaded, and keep a copy of the database."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from locator.cli import add_command
from locator.config import Settings
from locator.errors import LocatorError
from locator.importer import (
    DataStatus,
    ImportReport,
    data_status,
    import_snapshot,
    import_sources,
    replaces_snapshot,
)
from locator.sources import REGIONS_SOURCE, Progress, SourceFile, discover
from locator.sources.fetch import (
    CHECKSUM_LEDGER,
    NEWEST_PLS,
    PLS_RELEASES,
    TIMEOUT_S,
    OfficialFile,
    fetch_official,
    manual_instructions,
    official_files,
)
from locator.store import Store, open_store

FIRST_ISSUES = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers, "data",
        help="Download, import and inspect the public data (libraries, population).",
        example="locator data fetch && locator data import && locator data status",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    fetch = add_command(
        actions, "fetch",
        help="Download the official IMLS and Census files into the sources folder, "
             "checking each sha256.",
        example="locator data fetch --sources data/sources",
    )
    _sources_argument(fetch)
    fetch.add_argument("--vintage", metavar="V", default=NEWEST_PLS,
                       help=f"the PLS vintage to download: {', '.join(PLS_RELEASES)} "
                            f"(default: the newest, {NEWEST_PLS})")
    fetch.add_argument("--mirror", metavar="URL",
                       help="download from this base URL instead (a copy on your network)")
    fetch.add_argument("--accept-new-checksum", action="store_true",
                       help="keep a download whose sha256 differs from the one recorded at "
                            "its first download (the publisher replaced the file)")
    fetch.set_defaults(func=run_fetch)

    load = add_command(
        actions, "import",
        help="Import every recognised file in the sources folder (newest vintage of each "
             "source) into the database, in one transaction.",
        example="locator data import --sources data/sources --vintage FY2019 --verbose",
    )
    _sources_argument(load)
    load.add_argument("--vintage", metavar="V",
                      help="import this vintage (e.g. FY2019) where a source has several")
    load.add_argument("--if-empty", action="store_true",
                      help="import only if the database holds no sites yet, or only the "
                           "bundled snapshot's and source files are present; with no source "
                           "files, import the bundled snapshot")
    load.add_argument("--fetch-timeout", type=float, default=0.0, metavar="S",
                      help="with --if-empty, an empty database and no source files: first "
                           "try `locator data fetch`, giving up when the hosts do not answer "
                           "within S seconds (default 0: do not try)")
    load.add_argument("--verbose", action="store_true", help="list every refused row")
    load.add_argument("--report", type=Path, metavar="FILE",
                      help="write every refused row to this CSV file (file,row,reason)")
    load.set_defaults(func=run_import)

    status = add_command(
        actions, "status",
        help="Show what is loaded: sites by kind and state, population points, source files.",
        example="locator data status --format json",
    )
    status.add_argument("--format", choices=("table", "json"), default="table")
    status.set_defaults(func=run_status)

    backup = add_command(
        actions, "backup",
        help="Copy the whole database into FILE, consistently, while the app keeps running "
             "(SQLite: the online backup API; PostgreSQL: pg_dump).",
        example="locator data backup backups/locator-$(date +%F).db",
    )
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.set_defaults(func=run_backup)

    restore = add_command(
        actions, "restore",
        help="Replace the whole database with a copy `locator data backup` made; running "
             "app servers pick the restored data up by themselves.",
        example="locator data restore backups/locator-2026-12-01.db",
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.set_defaults(func=run_restore)


def _sources_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", type=Path, metavar="DIR",
                        help="the sources folder (default: $LOCATOR_SOURCES or data/sources)")


def _sources_dir(args: argparse.Namespace) -> Path:
    return args.sources or Settings.from_env().sources_dir


# -- fetch ---------------------------------------------------------------------------------

def run_fetch(args: argparse.Namespace) -> int:
    folder = _sources_dir(args)
    _fetch(folder, official_files(args.vintage), mirror=args.mirror,
           accept_new_checksum=args.accept_new_checksum)
    print(f"all files are in {folder}; next: locator data import --sources {folder}")
    return 0


def _fetch(folder: Path, files: tuple[OfficialFile, ...], *, mirror: str | None = None,
           timeout_s: float = TIMEOUT_S, accept_new_checksum: bool = False) -> None:
    for fetched in fetch_official(folder, files=files, progress=_download_progress,
                                  mirror=mirror, timeout_s=timeout_s,
                                  accept_new_checksum=accept_new_checksum):
        state = "downloaded" if fetched.downloaded else "already present"
        if fetched.recorded:
            print(f"{fetched.name}: {state}; its publisher gives no sha256, so sha256 "
                  f"{fetched.sha256} is recorded in {folder / CHECKSUM_LEDGER} and later "
                  "downloads must match it")
        else:
            print(f"{fetched.name}: {state}, sha256 {fetched.sha256} checked")


def _download_progress(name: str, done_bytes: int, total_bytes: int) -> None:
    """``total_bytes`` 0: the size is not known yet (no Content-Length)."""
    end = "\n" if total_bytes and done_bytes >= total_bytes else ""
    of_total = f" of {total_bytes / 1e6:.1f}" if total_bytes else ""
    print(f"\rdownloading {name}: {done_bytes / 1e6:.1f}{of_total} MB",
          end=end, file=sys.stderr, flush=True)


# -- import --------------------------------------------------------------------------------

def run_import(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    folder = _sources_dir(args)
    with open_store(settings.database_url) as store:
        if args.if_empty:
            report = _import_if_needed(store, folder, fetch_timeout_s=args.fetch_timeout)
            if report is None:
                return 0
        elif not _source_files(folder):
            raise LocatorError(f"no source files found in {folder}.\n"
                               f"Load data with `locator data fetch --sources {folder}` "
                               "(needs internet), or:\n" + manual_instructions(folder),
                               code="no_sources")
        else:
            report = import_sources(store, folder, vintage=args.vintage,
                                    progress=_import_progress)
    _print_report(report, verbose=args.verbose)
    if args.report:
        _write_issue_csv(report, args.report)
        print(f"all {len(report.issues):,} refused rows written to {args.report}")
    return 0


def _source_files(folder: Path) -> tuple[SourceFile, ...]:
    return discover(folder).files if folder.is_dir() else ()


def _import_if_needed(store: Store, folder: Path, *,
                      fetch_timeout_s: float) -> ImportReport | None:
    """What `make run` does first: source files win over the bundled snapshot; with none,
    maybe try a download, else import the snapshot. None when nothing needed importing."""
    found = _source_files(folder)
    if store.count_sites() and not replaces_snapshot(store, found):
        print(f"the database already holds {store.count_sites():,} sites; nothing imported "
              "(run without --if-empty to update it)")
        return None
    # A regions file alone is no data to serve: the snapshot is imported first.
    data_files = [f for f in found if f.source != REGIONS_SOURCE]
    if not data_files and not store.count_sites() and fetch_timeout_s > 0:
        data_files = [f for f in _try_fetch(folder, fetch_timeout_s)
                      if f.source != REGIONS_SOURCE]
    if data_files:
        return import_sources(store, folder, progress=_import_progress)
    print(f"no source files found in {folder}: importing the data snapshot bundled with the "
          f"app. For newer data, run `locator data fetch --sources {folder}` (needs "
          "internet) and `locator data import`, or:\n" + manual_instructions(folder))
    report = import_snapshot(store, progress=_import_progress)
    if not found:
        return report
    regions = import_sources(store, folder, progress=_import_progress)
    return replace(report, results=report.results + regions.results,
                   passed_over=report.passed_over + regions.passed_over,
                   elapsed_s=report.elapsed_s + regions.elapsed_s)


def _try_fetch(folder: Path, timeout_s: float) -> tuple[SourceFile, ...]:
    started = time.perf_counter()
    try:
        _fetch(folder, official_files(), timeout_s=timeout_s)
    except LocatorError as error:
        print(f"download not possible after {time.perf_counter() - started:.1f} s: "
              f"{str(error).splitlines()[0]}")
        return ()
    return _source_files(folder)


def _import_progress(progress: Progress) -> None:
    if not progress.done and not sys.stderr.isatty():
        return
    rate = f" ({progress.rows_per_s:,.0f} rows/s)" if progress.stage == "reading" else ""
    print(f"\r{progress.stage} {progress.file}: {progress.rows:,} rows{rate}",
          end="\n" if progress.done else "", file=sys.stderr, flush=True)


def _print_report(report: ImportReport, *, verbose: bool) -> None:
    header = ("file", "source", "vintage", "read", "added", "changed", "removed", "skipped",
              "rejected")
    rows = [(r.file, r.source, r.vintage or "-", r.rows_read, r.added, r.changed, r.removed,
             sum(r.skipped.values()), r.rejected) for r in report.results]
    _print_table(header, rows)
    for result in report.results:
        for reason, count in result.skipped.items():
            print(f"  {result.file}: skipped {count:,} ({reason})")
    for name, why in report.passed_over:
        print(f"not imported: {name}: {why}")
    issues = report.issues
    if issues:
        shown = issues if verbose else issues[:FIRST_ISSUES]
        print(f"refused rows ({len(issues):,}):")
        for issue in shown:
            print(f"  {issue}")
        if len(shown) < len(issues):
            print(f"  ... and {len(issues) - len(shown):,} more (--verbose lists all; "
                  "--report FILE writes them to a CSV file)")
    print(f"imported in {report.elapsed_s:.1f} s")


def _write_issue_csv(report: ImportReport, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("file", "row", "reason"))
        writer.writerows((i.file, i.row, i.reason) for i in report.issues)


# -- status --------------------------------------------------------------------------------

def run_status(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    with open_store(settings.database_url) as store:
        status = data_status(store)
    if args.format == "json":
        json.dump({"database": settings.database_url, **status.to_json()}, sys.stdout, indent=2)
        print()
    else:
        _print_status(settings.database_url, status)
    return 0


def _print_status(database_url: str, status: DataStatus) -> None:
    print(f"database: {database_url}")
    if not status.sites_total and not status.population:
        print("nothing is loaded yet: run `locator data fetch` and `locator data import`")
        return
    if status.snapshot_sources:
        vintages = ", ".join(f"{r.source} {r.vintage}" for r in status.imports
                             if r.source in status.snapshot_sources)
        print(f"data: the bundled snapshot shipped with the app ({vintages}); newer official "
              "files: `locator data fetch` and `locator data import`")
    print(f"sites: {status.sites_total:,}")
    _print_counts("by status", status.sites_by_status)
    _print_counts("by kind (not retired)", status.sites_by_kind)
    _print_counts("by state (not retired)", status.sites_by_state)
    print("population points:")
    for level, info in status.population.items():
        print(f"  {level}: {info['points']:,} points, {info['population']:,} people "
              f"(vintage {info['vintage']})")
    print("source files (latest import of each source):")
    _print_table(
        ("source", "vintage", "file", "imported_at", "sha256", "from"),
        [(r.source, r.vintage or "-", r.file, r.imported_at, r.sha256[:12],
          "bundled snapshot" if r.source in status.snapshot_sources else "source file")
         for r in status.imports],
    )


def _print_counts(title: str, counts: dict[str, int]) -> None:
    items = ", ".join(f"{key or '(none)'} {count:,}" for key, count in counts.items())
    print(f"  {title}: {items}")


def _print_table(header: tuple[str, ...], rows: list[tuple]) -> None:
    cells = [header, *[tuple(f"{v:,}" if isinstance(v, int) else str(v) for v in row)
                       for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())


# -- backup and restore ----------------------------------------------------------------------

def run_backup(args: argparse.Namespace) -> int:
    with open_store(Settings.from_env().database_url) as store:
        store.backup(args.file)
        version = store.data_version()
    print(f"database copied to {args.file} (data version {version})")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    with open_store(Settings.from_env().database_url) as store:
        store.restore(args.file)
        sites = store.count_sites()
    print(f"database restored from {args.file}: {sites:,} sites")
    return 0
