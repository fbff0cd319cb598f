"""Mobile workforce center visits: the log staff keep, and the report made from it.

A mobile unit (an organisation, named by its stops' ``organization``) visits stops, each a
site of kind ``mobile_center``. Each visit records the day and the customers served. The
report adds them up per unit, county and month: the "281 visits, 1,661 customers in a year"
figure a workforce board publishes.

``record_visits`` is the one way in, shared by ``locator visits import`` and (with the
partner accounts) the unit's web form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from locator.errors import InvalidInput
from locator.sites import Kind
from locator.sources import RowIssue
from locator.sources._fields import site_id as checked_id
from locator.sources._records import RowError

if TYPE_CHECKING:
    from locator.store import Store

COLUMNS = ("unit", "site_id", "date", "customers_served")


@dataclass(frozen=True, slots=True)
class Visit:
    unit: str
    site_id: str
    visit_date: date
    customers_served: int


@dataclass(frozen=True, slots=True)
class VisitTotal:
    """Visits and customers of one unit in one county in one month (``YYYY-MM``)."""

    unit: str
    county_fips: str
    month: str
    visits: int
    customers_served: int


@dataclass(frozen=True)
class VisitsRead:
    visits: tuple[Visit, ...]
    issues: tuple[RowIssue, ...]
    rows: dict[Visit, int]  # the file row of each visit read


def read_visits_csv(path: Path) -> VisitsRead:
    """Every row of a visits CSV checked; refused rows come back as file:row: reason."""
    text = _text_of(path)
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or ()]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput("%(file)s: missing required column(s): %(columns)s",
                           code="missing_columns", file=path.name, columns=", ".join(missing))
    visits, issues, rows = [], [], {}
    for number, row in _numbered(reader):
        try:
            visit = _visit(row)
        except RowError as error:
            issues.append(RowIssue(path.name, number, error.reason))
            continue
        visits.append(visit)
        rows[visit] = number
    return VisitsRead(tuple(visits), tuple(issues), rows)


def _text_of(path: Path) -> str:
    try:
        return path.read_text("utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput("no such file: %(file)s", code="no_file", file=str(path)) from None


def _numbered(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, str]]]:
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        yield number, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}


def _visit(row: dict[str, str]) -> Visit:
    unit = row.get("unit", "")
    if not unit:
        raise RowError("unit is empty")
    site_id = checked_id(row.get("site_id", ""), "site_id")
    try:
        visit_date = date.fromisoformat(row.get("date", ""))
    except ValueError:
        raise RowError(f"date {row.get('date', '')!r} is not a date (expected "
                       "YYYY-MM-DD)") from None
    served = row.get("customers_served", "")
    if not served.isdigit():
        raise RowError(f"customers_served {served!r} is not a whole number")
    return Visit(unit, site_id, visit_date, int(served))


def record_visits(store: Store, visits: Iterable[Visit], *,
                  actor: str) -> dict[Visit, str]:
    """Store the visits made to mobile stops; the others come back with why not. Recording
    a visit again (same unit, stop and day) replaces its count."""
    wanted = list(visits)
    stops = {s.id: s for s in store.sites(ids={v.site_id for v in wanted})}
    refused: dict[Visit, str] = {}
    for visit in wanted:
        stop = stops.get(visit.site_id)
        if stop is None:
            refused[visit] = f"site_id {visit.site_id} is not a site in the database"
        elif stop.kind is not Kind.MOBILE_CENTER:
            refused[visit] = (f"site {visit.site_id} is a {stop.kind.value}, not a "
                              "mobile_center stop")
    store.record_visits([v for v in wanted if v not in refused], actor=actor)
    return refused


def import_visits(store: Store, path: Path, *, actor: str) -> tuple[int, tuple[RowIssue, ...]]:
    """``locator visits import``: read, check and store a visits CSV in one transaction;
    the number of visits stored and every refused row."""
    read = read_visits_csv(path)
    with store.transaction():
        refused = record_visits(store, read.visits, actor=actor)
    issues = read.issues + tuple(RowIssue(path.name, read.rows[v], why)
                                 for v, why in refused.items())
    return len(read.visits) - len(refused), tuple(sorted(issues, key=lambda i: i.row))


def visit_totals(store: Store, *, unit: str | None = None) -> list[VisitTotal]:
    """The report: per unit, county (the stop's) and month."""
    visits = store.visits(unit=unit)
    sites = store.sites(ids={v.site_id for v in visits})
    return totals(visits, {s.id: s.county_fips for s in sites})


def totals(visits: Iterable[Visit], county_of: dict[str, str]) -> list[VisitTotal]:
    """Visits and customers per unit, county and month, in that order."""
    sums: dict[tuple[str, str, str], list[int]] = {}
    for visit in visits:
        key = (visit.unit, county_of.get(visit.site_id, ""), visit.visit_date.isoformat()[:7])
        counts = sums.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += visit.customers_served
    return [VisitTotal(unit, county, month, n, served)
            for (unit, county, month), (n, served) in sorted(sums.items())]


def totals_csv(rows: Iterable[VisitTotal]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("unit", "county_fips", "month", "visits", "customers_served"))
    for row in rows:
        writer.writerow((row.unit, row.county_fips, row.month, row.visits,
                         row.customers_served))
    return out.getvalue()
