"""``locator export hsds``: the approved places as Open Referral HSDS 3.0 files."""

from __future__ import annotations

import argparse
from pathlib import Path

from locator import hsds_files
from locator.cli import add_command
from locator.config import Settings
from locator.errors import InvalidInput
from locator.sites import Status
from locator.store import open_store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers, "export",
        help="Write the directory of approved places in an open standard.",
        example="locator export hsds --format json -o directory.json",
    )
    standards = parser.add_subparsers(dest="standard", metavar="STANDARD", required=True)
    hsds = add_command(
        standards, "hsds",
        help="Write every approved place as Open Referral HSDS 3.0: a JSON array of fully "
             "nested services (--format json -o FILE) or the tabular data package, one CSV "
             "per table plus datapackage.json (--format csv -o DIR). Hours are schedule "
             "rows; each place's change log is its objects' metadata (metadata.csv), "
             "naming who made each change. `locator data import` reads either back "
             "(metadata excepted: the trail records only what this store did).",
        example="locator export hsds --format csv -o hsds/ && "
                "locator data import --sources hsds/",
    )
    hsds.add_argument("--format", choices=("json", "csv"), default="json",
                      help="json: one file of nested services (default); csv: a folder")
    hsds.add_argument("-o", "--output", type=Path, required=True, metavar="FILE|DIR",
                      help="the JSON file, or the folder for the data package")
    hsds.set_defaults(func=run_hsds)


def run_hsds(args: argparse.Namespace) -> int:
    if args.format == "csv" and args.output.is_file():
        raise InvalidInput("%(path)s is a file; --format csv writes a folder",
                           code="output_kind", parameter="output", path=str(args.output))
    if args.format == "json" and args.output.is_dir():
        raise InvalidInput("%(path)s is a folder; --format json writes a file",
                           code="output_kind", parameter="output", path=str(args.output))
    with open_store(Settings.from_env().database_url) as store:
        sites = store.sites(statuses=[Status.APPROVED])
        histories = hsds_files.histories(store.history())
    write = hsds_files.write_package if args.format == "csv" else hsds_files.write_json
    count = write(sites, args.output, histories=histories)
    print(f"{count:,} approved places written to {args.output} as HSDS 3.0 ({args.format})")
    return 0
