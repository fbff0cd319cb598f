"""User-defined regions: a CSV file that groups whole counties under a region name.

Illinois' 22 Local Workforce Innovation Areas are the motivating case, but no table of them
ships with the project (the official one is not available offline): planners bring their
own file. The layout is a header row naming a county FIPS column (``county_fips``, ``fips``
or ``geoid``) and a region column (``region``, ``region_name`` or ``name``); other columns
are ignored. Example::

    county_fips,region
    17031,LWIA 7 Cook County
    17043,LWIA 4 DuPage County

Four-digit FIPS codes are read as five with the leading zero a spreadsheet dropped.

``locator coverage --by region --regions FILE`` reads such a file for one report; the same
file in the sources folder is imported by ``locator data import`` into the database, where
the review pages find which counties a reviewer's regions hold.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from locator.errors import InvalidInput

COUNTY_COLUMNS = ("county_fips", "fips", "geoid")
REGION_COLUMNS = ("region", "region_name", "name")
_MAX_REPORTED_PROBLEMS = 5


@dataclass(frozen=True, slots=True)
class Regions:
    """County FIPS to region name, as read from one file."""

    by_county: Mapping[str, str]
    source: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.by_county.values())))

    def region_of(self, county_fips: str) -> str | None:
        return self.by_county.get(county_fips)


def matches(header: list[str]) -> bool:
    """Whether a CSV header is a regions file's: a county FIPS column and a region column,
    and no coordinates (a sites file with a ``name`` column is not one)."""
    folded = {cell.strip().lower() for cell in header}
    return (bool(folded & set(COUNTY_COLUMNS)) and bool(folded & set(REGION_COLUMNS))
            and not folded & {"lat", "lon", "latitude", "longitude", "kind"})


def read_regions(path: Path | str, *, known_counties: Collection[str]) -> Regions:
    """Read and validate a regions file; every problem found is named with its row."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput("regions file %(path)s does not exist", code="regions_file_absent",
                           parameter="regions", path=str(path)) from None
    except UnicodeDecodeError:
        raise InvalidInput("regions file %(path)s is not UTF-8 text", code="regions_file_encoding",
                           parameter="regions", path=str(path)) from None
    return parse_regions(text, known_counties=known_counties, source=str(path))


def parse_regions(text: str, *, known_counties: Collection[str], source: str = "") -> Regions:
    """Parse regions CSV text; ``known_counties`` are the county FIPS codes that exist."""
    label = f"regions file {source}" if source else "regions file"
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if not header:
        raise InvalidInput("%(label)s is empty", code="regions_file_empty", parameter="regions",
                           label=label)
    county_col = _find_column(header, COUNTY_COLUMNS, label)
    region_col = _find_column(header, REGION_COLUMNS, label)

    by_county: dict[str, str] = {}
    first_row: dict[str, int] = {}
    problems: list[str] = []
    for row_number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        fips = _cell(row, county_col)
        region = _cell(row, region_col)
        if len(fips) == 4 and fips.isdigit():
            fips = "0" + fips
        problem = _row_problem(fips, region, known_counties, first_row)
        if problem:
            problems.append(f"row {row_number}: {problem}")
            continue
        by_county[fips] = region
        first_row[fips] = row_number
    if problems:
        shown = "; ".join(problems[:_MAX_REPORTED_PROBLEMS])
        more = len(problems) - _MAX_REPORTED_PROBLEMS
        raise InvalidInput("%(label)s: %(problems)s", code="regions_file_rows",
                           parameter="regions", label=label,
                           problems=shown + (f"; and {more} more" if more > 0 else ""))
    if not by_county:
        raise InvalidInput("%(label)s maps no county to a region", code="regions_file_no_county",
                           parameter="regions", label=label)
    return Regions(by_county=by_county, source=source)


def _find_column(header: list[str], accepted: tuple[str, ...], label: str) -> int:
    folded = [cell.strip().lower() for cell in header]
    for name in accepted:
        if name in folded:
            return folded.index(name)
    raise InvalidInput(
        "%(label)s has no %(column)s column: the header must name one of %(accepted)s "
        "(found: %(found)s)", code="regions_file_column", parameter="regions", label=label,
        column=accepted[0], accepted=", ".join(accepted),
        found=", ".join(h.strip() for h in header),
    )


def _cell(row: list[str], column: int) -> str:
    return row[column].strip() if column < len(row) else ""


def _row_problem(fips: str, region: str, known_counties: Collection[str],
                 first_row: Mapping[str, int]) -> str | None:
    if not (len(fips) == 5 and fips.isdigit()):
        return f"county FIPS {fips!r} is not a 5-digit code"
    if fips not in known_counties:
        return f"unknown county FIPS {fips}"
    if not region:
        return f"county {fips} has no region name"
    if fips in first_row:
        return f"county {fips} is listed twice (first on row {first_row[fips]})"
    return None
