"""``locator coverage``, ``gaps``, ``suggest`` and ``whatif``: the planner's questions."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from locator import geodata
from locator.cli import add_command
from locator.config import Settings
from locator.coverage import (
    DEFAULT_MAX_UNCOVERED_SHARE,
    CoverageQuery,
    CoverageReport,
    CoverageRow,
    CoverageStudy,
    GapRule,
    Geography,
    ProgramMatrix,
    known_county_fips,
    load_population,
    parse_thresholds,
    program_matrix,
)
from locator.errors import InvalidInput, LocatorError
from locator.export import (
    suggestions_geojson,
    write_csv,
    write_geojson,
    write_gpkg,
    write_program_matrix_csv,
    write_suggestions_csv,
    write_whatif_csv,
)
from locator.mobile import parse_weekday
from locator.regions import read_regions
from locator.search import public_filter
from locator.sites import Site
from locator.store import PopulationPoints, Store, open_store
from locator.suggest import (
    CandidatePool,
    SuggestResult,
    library_candidates,
    population_candidates,
    suggest_sites,
)
from locator.whatif import WhatIfResult, parse_proposed_site, what_if

REPORT_FORMATS = ("table", "json", "csv", "geojson", "gpkg", "html")


def register(subparsers: argparse._SubParsersAction) -> None:
    _register_coverage(subparsers)
    _register_gaps(subparsers)
    _register_suggest(subparsers)
    _register_whatif(subparsers)


# -- arguments shared by the four commands ------------------------------------------------

def _add_study_arguments(parser: argparse.ArgumentParser, *, by: bool = True) -> None:
    parser.add_argument("--state", nargs="+", default=[], metavar="ST",
                        help="count only residents of these states (sites on either side of "
                             "a state line still serve them), e.g. --state IL IN")
    parser.add_argument("--kind", nargs="+", default=[], metavar="K",
                        help="count only sites of these kinds, e.g. --kind library bookmobile")
    parser.add_argument("--program", metavar="P", help="count only sites offering this program")
    parser.add_argument("--no-mobile-stops", dest="mobile_stops", action="store_false",
                        help="leave mobile stops (sites of kind mobile_center) out")
    parser.add_argument("--weekday", metavar="DAY",
                        help="count only the mobile stops visited on this day of the week, "
                             "e.g. --weekday Tu (sites open all week always count)")
    if by:
        parser.add_argument("--by", choices=[g.value for g in Geography],
                            default=Geography.COUNTY.value,
                            help="the areas to report by (default: county)")
        parser.add_argument("--regions", type=Path, metavar="FILE",
                            help="CSV mapping county FIPS to region name (with --by region); "
                                 "columns county_fips,region")


def _add_output_arguments(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    parser.add_argument("--format", choices=formats, default="table")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write to this file instead of the terminal (needed for gpkg)")


def _query(args: argparse.Namespace, store: Store) -> CoverageQuery:
    """Validate the shared arguments once, into the library's query."""
    geography = Geography(getattr(args, "by", Geography.COUNTY.value))
    regions_file = getattr(args, "regions", None)
    regions = read_regions(regions_file, known_counties=known_county_fips(store)) \
        if regions_file is not None else None
    return CoverageQuery(
        site_filter=public_filter(args.kind, args.program),
        state_fips=tuple(dict.fromkeys(geodata.state(s).fips for s in args.state)),
        geography=geography, regions=regions, mobile_stops=args.mobile_stops,
        weekday=parse_weekday(args.weekday) if args.weekday else None,
    )


def _load(args: argparse.Namespace) -> tuple[CoverageQuery, list[Site], PopulationPoints]:
    with open_store(Settings.from_env().database_url) as store:
        if not store.count_sites():
            raise LocatorError("no sites are loaded: run `locator data fetch` and "
                               "`locator data import` first", code="no_sites")
        query = _query(args, store)
        points = load_population(store, query.state_fips)
        sites = store.sites(statuses=query.site_filter.statuses)
    return query, sites, points


def _emit(args: argparse.Namespace, write_text: Callable[[TextIO], None]) -> None:
    if args.output is None:
        write_text(sys.stdout)
        return
    buffer = io.StringIO()
    write_text(buffer)
    args.output.write_text(buffer.getvalue(), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)


def _write_json(document: object) -> Callable[[TextIO], None]:
    def write(file: TextIO) -> None:
        json.dump(document, file, indent=2, ensure_ascii=False, allow_nan=False)
        file.write("\n")
    return write


# -- coverage and gaps ---------------------------------------------------------------------

def _register_coverage(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers, "coverage",
        help="Residents within each distance of the nearest site, by county, state, region or "
             "in total, with population-weighted mean and median distance.",
        example="locator coverage --state IL --kind library bookmobile --within 2 5 "
                "--by county --format csv -o il.csv\n"
                "  locator coverage --state IL --kind library --within 5 --format html "
                "-o il-libraries.html",
    )
    _add_study_arguments(parser)
    parser.add_argument("--within", nargs="+", required=True, metavar="MI",
                        help="distance thresholds in straight-line miles, e.g. --within 2 5")
    parser.add_argument("--program-matrix", action="store_true",
                        help="one column group per program offered (area x program); "
                             "formats table, json or csv")
    _add_gap_argument(parser)
    _add_output_arguments(parser, REPORT_FORMATS)
    parser.set_defaults(func=run_coverage)


def _register_gaps(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers, "gaps",
        help="Areas with no matching site, or with too many residents beyond the largest "
             "threshold, most uncovered residents first.",
        example="locator gaps --state IL --kind comprehensive_center affiliate_center "
                "--within 10 --max-uncovered-share 0.2",
    )
    _add_study_arguments(parser)
    parser.add_argument("--within", nargs="+", required=True, metavar="MI",
                        help="distance thresholds in miles; the largest decides who is "
                             "uncovered")
    _add_gap_argument(parser)
    parser.add_argument("--limit", type=int, metavar="N", help="list only the first N gaps")
    _add_output_arguments(parser, REPORT_FORMATS)
    parser.set_defaults(func=run_gaps)


def _add_gap_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-uncovered-share", type=float, metavar="SHARE",
                        default=DEFAULT_MAX_UNCOVERED_SHARE,
                        help="flag an area as a gap when more than this share (0-1) of its "
                             "residents live beyond the largest threshold "
                             f"(default {DEFAULT_MAX_UNCOVERED_SHARE})")


def run_coverage(args: argparse.Namespace) -> int:
    thresholds = parse_thresholds(args.within)
    gap_rule = GapRule(args.max_uncovered_share)
    query, sites, points = _load(args)
    if args.program_matrix:
        if args.format not in ("table", "json", "csv"):
            raise InvalidInput("a program matrix is written as table, json or csv",
                               code="bad_format", parameter="format")
        matrix = program_matrix(sites, points, query, thresholds, gap_rule)
        _write_matrix(args, matrix)
        return 0
    report = CoverageStudy(sites, points, query).report(thresholds, gap_rule)
    _write_report(args, report, title="Coverage")
    return 0


def run_gaps(args: argparse.Namespace) -> int:
    thresholds = parse_thresholds(args.within)
    if args.limit is not None and args.limit < 1:
        raise InvalidInput("--limit must be at least 1", code="out_of_range", parameter="limit")
    query, sites, points = _load(args)
    report = CoverageStudy(sites, points, query).report(
        thresholds, GapRule(args.max_uncovered_share))
    gaps = report.gaps()[:args.limit]
    _write_report(args, dataclasses.replace(report, rows=gaps), title="Gaps")
    return 0


def _write_report(args: argparse.Namespace, report: CoverageReport, *, title: str) -> None:
    if args.format == "html" and args.output is None:
        raise InvalidInput("a map file is a whole web page: name it with -o FILE.html",
                           code="output_required", parameter="output")
    if args.format == "gpkg":
        if args.output is None:
            raise InvalidInput("a GeoPackage is a binary file: name it with -o FILE.gpkg",
                               code="output_required", parameter="output")
        write_gpkg(report, args.output)
        print(f"wrote {args.output}", file=sys.stderr)
        return
    writers: dict[str, Callable[[TextIO], None]] = {
        "table": lambda file: _report_table(report, title, file),
        "json": _write_json(report.to_json()),
        "csv": lambda file: write_csv(report, file),
        "geojson": lambda file: write_geojson(report, file),
        "html": lambda file: _write_map(report, file),
    }
    _emit(args, writers[args.format])


def _write_map(report: CoverageReport, file: TextIO) -> None:
    # Imported here: folium lives outside the core library, and only this format needs it.
    from mapfile.maps import coverage_map_html

    file.write(coverage_map_html(report))


def _report_table(report: CoverageReport, title: str, file: TextIO) -> None:
    print(f"{title} by {report.query.geography.value}: {len(report.rows):,} "
          f"{'areas' if title == 'Coverage' else 'flagged areas'}; "
          f"{report.total.population:,} residents ({report.population_level} centers of "
          f"population, Census {report.population_vintage}); straight-line miles to the "
          f"nearest of {report.sites_counted:,} matching sites in any state", file=file)
    if report.population_outside_regions:
        print(f"{report.population_outside_regions:,} residents live in counties the regions "
              "file does not list and are not counted", file=file)
    header = ["area", "name", "population", "sites", "per 10k", "mean mi", "median mi",
              *(f"<={t.label} mi" for t in report.thresholds), "beyond", "gap"]
    lines = [_table_cells(row) for row in (*report.rows, report.total)]
    _print_table(header, lines, file)


def _table_cells(row: CoverageRow) -> list[str]:
    return [row.area_id, row.name[:32], f"{row.population:,}", f"{row.sites:,}",
            _number(row.sites_per_10k, "{:.2f}"), _number(row.mean_distance_mi, "{:.2f}"),
            _number(row.median_distance_mi, "{:.2f}"),
            *(_number(c.share, "{:.1%}") for c in row.within), f"{row.population_beyond:,}",
            ",".join(r.value for r in row.gap_reasons)]


def _number(value: float | None, pattern: str) -> str:
    return "-" if value is None else pattern.format(value)


def _print_table(header: Sequence[str], lines: Sequence[Sequence[str]], file: TextIO) -> None:
    widths = [max(len(cell) for cell in column) for column in zip(header, *lines, strict=True)]
    # Ids, names and the last column (words) read better left-aligned; figures right-aligned.
    left = {0, 1, len(header) - 1}
    for cells in (header, *lines):
        print("  ".join(cell.ljust(w) if i in left else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(cells, widths, strict=True))).rstrip(),
              file=file)


def _write_matrix(args: argparse.Namespace, matrix: ProgramMatrix) -> None:
    writers: dict[str, Callable[[TextIO], None]] = {
        "table": lambda file: _matrix_table(matrix, file),
        "json": _write_json(matrix.to_json()),
        "csv": lambda file: write_program_matrix_csv(matrix, file),
    }
    _emit(args, writers[args.format])


def _matrix_table(matrix: ProgramMatrix, file: TextIO) -> None:
    thresholds = matrix.reports[0].thresholds
    print(f"Coverage by program ({len(matrix.programs)} programs offered); straight-line miles",
          file=file)
    header = ["area", "name", "program", "sites", "mean mi",
              *(f"<={t.label} mi" for t in thresholds)]
    lines = []
    for i, area in enumerate(matrix.reports[0].rows):
        for program, report in zip(matrix.programs, matrix.reports, strict=True):
            row = report.rows[i]
            lines.append([area.area_id, area.name[:32], program, f"{row.sites:,}",
                          _number(row.mean_distance_mi, "{:.2f}"),
                          *(_number(c.share, "{:.1%}") for c in row.within)])
    _print_table(header, lines, file)


# -- suggest -------------------------------------------------------------------------------

def _register_suggest(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers, "suggest",
        help="Pick N new locations, greedily, that bring the most residents not yet within "
             "the threshold of a site within it.",
        example="locator suggest --state IL --kind comprehensive_center affiliate_center "
                "access_site --n 5 --within 10 --candidates libraries",
    )
    _add_study_arguments(parser, by=False)
    parser.add_argument("--n", type=int, required=True, metavar="N",
                        help="how many locations to suggest")
    parser.add_argument("--within", required=True, metavar="MI",
                        help="the distance, in straight-line miles, that counts as covered")
    parser.add_argument("--candidates", choices=[p.value for p in CandidatePool],
                        default=CandidatePool.LIBRARIES.value,
                        help="libraries: open public libraries that are not yet counted sites "
                             "(partnerships); tracts: Census tract centers of population")
    _add_output_arguments(parser, ("table", "json", "csv", "geojson"))
    parser.set_defaults(func=run_suggest)


def run_suggest(args: argparse.Namespace) -> int:
    [threshold] = parse_thresholds([args.within])
    query, sites, points = _load(args)
    study = CoverageStudy(sites, points, query)
    candidates = library_candidates(sites, study) \
        if args.candidates == CandidatePool.LIBRARIES.value else population_candidates(study)
    result = suggest_sites(study, candidates, n=args.n, threshold=threshold)
    if not candidates and args.candidates == CandidatePool.LIBRARIES.value:
        raise InvalidInput(
            "no library candidates: every open library in the area already counts as a site. "
            "Count only partner kinds (e.g. --kind comprehensive_center affiliate_center "
            "access_site) so libraries become candidates, or use --candidates tracts",
            code="no_candidates", parameter="candidates")
    writers: dict[str, Callable[[TextIO], None]] = {
        "table": lambda file: _suggest_table(result, file),
        "json": _write_json(result.to_json()),
        "csv": lambda file: write_suggestions_csv(result, file),
        "geojson": _write_json(suggestions_geojson(result)),
    }
    _emit(args, writers[args.format])
    return 0


def _suggest_table(result: SuggestResult, file: TextIO) -> None:
    t = result.threshold
    print(f"{result.uncovered_before:,} of {result.population:,} residents live more than "
          f"{t.label} mi from a site; {result.candidates_considered:,} candidates considered",
          file=file)
    if not result.suggestions:
        print("No candidate brings anyone more within reach.", file=file)
        return
    header = ["rank", "id", "name", "county", "lat", "lon", "newly covered", "so far"]
    lines = [[str(s.rank), s.candidate.id, s.candidate.name[:40], s.candidate.county_fips,
              f"{s.candidate.lat:.5f}", f"{s.candidate.lon:.5f}", f"{s.newly_covered:,}",
              f"{s.covered_so_far:,}"] for s in result.suggestions]
    _print_table(header, lines, file)
    print(f"Together: {result.newly_covered:,} residents newly within {t.label} mi "
          f"({result.uncovered_before - result.newly_covered:,} still beyond).", file=file)


# -- whatif --------------------------------------------------------------------------------

def _register_whatif(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers, "whatif",
        help="The change in coverage, per area, if sites opened at given points or existing "
             "sites closed.",
        example="locator whatif --state IL --add 40.12,-88.24 39.80,-89.64 --within 5 10",
    )
    _add_study_arguments(parser)
    parser.add_argument("--add", nargs="+", default=[], metavar="LAT,LON",
                        help="where new sites would open, latitude first, e.g. 40.12,-88.24")
    parser.add_argument("--remove", nargs="+", default=[], metavar="SITE_ID",
                        help="ids of existing sites that would close")
    parser.add_argument("--within", nargs="+", required=True, metavar="MI",
                        help="distance thresholds in straight-line miles")
    _add_output_arguments(parser, ("table", "json", "csv"))
    parser.set_defaults(func=run_whatif)


def run_whatif(args: argparse.Namespace) -> int:
    thresholds = parse_thresholds(args.within)
    added = [parse_proposed_site(text) for text in args.add]
    query, sites, points = _load(args)
    result = what_if(CoverageStudy(sites, points, query), thresholds, add=added,
                     remove=args.remove)
    writers: dict[str, Callable[[TextIO], None]] = {
        "table": lambda file: _whatif_table(result, file),
        "json": _write_json(result.to_json()),
        "csv": lambda file: write_whatif_csv(result, file),
    }
    _emit(args, writers[args.format])
    return 0


def _whatif_table(result: WhatIfResult, file: TextIO) -> None:
    changes = [f"add {p.lat},{p.lon}" for p in result.added]
    changes += [f"remove {s.id} ({s.display_name})" for s in result.removed]
    print("What if: " + "; ".join(changes), file=file)
    total = result.total
    for t, gained, lost in zip(result.thresholds, total.newly_covered, total.losing_coverage,
                               strict=True):
        print(f"  within {t.label} mi: {gained:,} residents newly covered, {lost:,} losing "
              "coverage", file=file)
    mean = _change(total.mean_distance_before_mi, total.mean_distance_after_mi)
    print(f"  mean distance: {mean}", file=file)
    if not result.rows:
        print("No resident's nearest site changes.", file=file)
        return
    header = ["area", "name", *(f"+<={t.label} mi" for t in result.thresholds),
              *(f"-<={t.label} mi" for t in result.thresholds), "mean mi before -> after"]
    lines = [[row.area_id, row.name[:32], *(f"{g:,}" for g in row.newly_covered),
              *(f"{lost:,}" for lost in row.losing_coverage),
              _change(row.mean_distance_before_mi, row.mean_distance_after_mi)]
             for row in result.rows]
    _print_table(header, lines, file)


def _change(before: float | None, after: float | None) -> str:
    text = f"{_number(before, '{:.3f}')} -> {_number(after, '{:.3f}')} mi"
    return text if before is None or after is None else text + f" ({after - before:+.3f})"

