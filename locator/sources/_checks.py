"""Checks that need a whole file's sites at once: duplicate ids, the point against its
state, and the county of sites whose source gives none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from locator import geodata
from locator.sites import CountySource, Site
from locator.sources._records import ProgressFn, RowIssue, Ticker

# A point farther than this outside the state its row names is refused. The shipped state
# outlines are generalised: measured on the FY2021 PLS outlets, the farthest a correctly
# placed library lies outside its state's outline is 6.3 mi (Monhegan Island, ME, which the
# outlines leave out). 25 mi leaves room for other small islands, while the usual mistakes
# (latitude and longitude swapped, a lost minus sign, the wrong state) land hundreds of
# miles away.
OUTSIDE_STATE_LIMIT_MI = 25.0


@dataclass(frozen=True)
class Checked:
    sites: tuple[Site, ...]
    issues: tuple[RowIssue, ...]
    refused_ids: frozenset[str]
    row_numbers: dict[str, int]


def check_sites(label: str, numbered: Sequence[tuple[int, Site]],
                progress: ProgressFn | None = None) -> Checked:
    """Refuse repeated ids and points far outside their state; fill missing counties."""
    unique, issues, first_row = _without_repeated_ids(label, numbered)
    located = geodata.county_fips_at_many([s.lat for _, s in unique], [s.lon for _, s in unique])
    ticker = Ticker(progress, label, "checking")
    kept: list[Site] = []
    refused: set[str] = set()
    for (number, site), county_at_point in zip(unique, located, strict=True):
        ticker.tick()
        placed = _placed(site, county_at_point)
        if isinstance(placed, str):
            issues.append(RowIssue(label, number, placed))
            refused.add(site.id)
            del first_row[site.id]
        else:
            kept.append(placed)
    ticker.finish()
    return Checked(tuple(kept), tuple(issues), frozenset(refused), first_row)


def _without_repeated_ids(label: str, numbered: Sequence[tuple[int, Site]],
                          ) -> tuple[list[tuple[int, Site]], list[RowIssue], dict[str, int]]:
    first_row: dict[str, int] = {}
    unique: list[tuple[int, Site]] = []
    issues: list[RowIssue] = []
    for number, site in numbered:
        if site.id in first_row:
            issues.append(RowIssue(label, number,
                                   f"duplicate id {site.id} (first at row {first_row[site.id]})"))
            continue
        first_row[site.id] = number
        unique.append((number, site))
    return unique, issues, first_row


def _placed(site: Site, county_at_point: str | None) -> Site | str:
    """The site with its state and county filled in, or why its point cannot be right."""
    state_at_point = geodata.USPS_BY_FIPS.get(county_at_point[:2]) if county_at_point else None
    state = (site.state or geodata.USPS_BY_FIPS.get(site.county_fips[:2], "")
             or state_at_point or "")
    if not state:
        return (f"state is empty and the point ({site.lat}, {site.lon}) lies in no US county; "
                "give the state")
    if state_at_point != state:
        outside_mi = geodata.distance_outside_state_mi(site.lat, site.lon, state)
        if outside_mi > OUTSIDE_STATE_LIMIT_MI:
            return (f"point ({site.lat}, {site.lon}) is {outside_mi:,.0f} mi outside {state}, "
                    "the state the row names (latitude and longitude swapped or mistyped?)")
    if site.county_fips:
        return site if site.state else site.replace(state=state)
    # Near a border the generalised outlines can put a point in the neighbouring state's
    # county; an unknown county is better than a wrong one.
    if state_at_point != state:
        return site.replace(state=state)
    return site.replace(state=state, county_fips=county_at_point,
                        county_source=CountySource.POINT_IN_POLYGON)
