"""``locator visits import|report``: the mobile workforce centers' visits log."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from locator.cli import add_command
from locator.config import Settings
from locator.store import IMPORT_ACTOR, open_store
from locator.visits import import_visits, totals_csv, visit_totals


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers, "visits",
        help="Record mobile workforce center visits and report them per unit, county and "
             "month.",
        example="locator visits import visits-2026.csv && locator visits report",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    load = add_command(
        actions, "import",
        help="Store the visits of a CSV with the columns unit, site_id, date (YYYY-MM-DD) "
             "and customers_served; a visit recorded again replaces its count.",
        example="locator visits import visits-2026.csv",
    )
    load.add_argument("file", type=Path, metavar="FILE")
    load.set_defaults(func=run_import)

    report = add_command(
        actions, "report",
        help="Visits and customers served per unit, county and month.",
        example="locator visits report --unit 'Niagara Mobile Center' --format csv -o out.csv",
    )
    report.add_argument("--unit", metavar="NAME", help="only this unit")
    report.add_argument("--format", choices=("table", "csv", "json"), default="table")
    report.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write the report here instead of to standard output")
    report.set_defaults(func=run_report)


def run_import(args: argparse.Namespace) -> int:
    with open_store(Settings.from_env().database_url) as store:
        stored, issues = import_visits(store, args.file, actor=IMPORT_ACTOR)
    print(f"{stored:,} visits stored from {args.file.name}; {len(issues):,} rows refused")
    for issue in issues:
        print(f"  {issue}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    with open_store(Settings.from_env().database_url) as store:
        rows = visit_totals(store, unit=args.unit)
    if args.format == "csv":
        text = totals_csv(rows)
    elif args.format == "json":
        text = json.dumps({"totals": [asdict(r) for r in rows]}, indent=2) + "\n"
    else:
        text = _table(rows)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _table(rows: list) -> str:
    lines = [f"{'unit':30} {'county':6} {'month':7} {'visits':>7} {'customers':>9}"]
    lines += [f"{r.unit[:30]:30} {r.county_fips:6} {r.month:7} {r.visits:>7,} "
              f"{r.customers_served:>9,}" for r in rows]
    total_visits = sum(r.visits for r in rows)
    total_served = sum(r.customers_served for r in rows)
    lines.append(f"{'total':45} {total_visits:>7,} {total_served:>9,}")
    return "\n".join(lines) + "\n"
