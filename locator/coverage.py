"""Population-weighted coverage: how many residents live how far from the nearest site.

Method. Each population point (a Census 2020 tract center of population, or a county center
when tracts are not loaded) stands for all of its residents. Its straight-line great-circle
distance to the nearest matching site is found once, by one batch KD-tree query over every
matching site in the country (a state limit narrows the residents counted, never the sites:
people near a state line are served by the nearest site on either side). Every figure is
then an aggregate of those distances, weighted by population, over the areas of the chosen
geography, computed with ``numpy.bincount`` and one sort rather than a loop per point.

The median distance is the lower weighted median: the smallest distance ``d`` such that the
residents living at most ``d`` from a site are at least half of the area's residents.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from locator import geodata
from locator.errors import N_, InvalidInput, NotFound
from locator.mobile import WEEKDAY_CODES, is_mobile_stop, visit_weekdays
from locator.regions import Regions
from locator.sites import PROGRAMS, Kind, Site, SiteFilter
from locator.spatial import SiteIndex
from locator.store import PopulationPoints, Store

PER_RESIDENTS = 10_000
DEFAULT_MAX_UNCOVERED_SHARE = 0.5
MAX_THRESHOLDS = 10
TOTAL_AREA_ID = "total"


class Geography(StrEnum):
    TOTAL = "total"
    STATE = "state"
    COUNTY = "county"
    REGION = "region"


class GapReason(StrEnum):
    NO_SITE = "no_site"
    UNCOVERED_SHARE = "uncovered_share"


# -- inputs, validated at the edge --------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Threshold:
    """A distance threshold and its label as the user typed it (``2.5`` stays ``2.5``)."""

    miles: float
    label: str

    @property
    def population_key(self) -> str:
        return f"population_within_{self.label}_mi"

    @property
    def share_key(self) -> str:
        return f"share_within_{self.label}_mi"


def parse_thresholds(values: Iterable[str | float]) -> tuple[Threshold, ...]:
    """Thresholds in miles, in the order given; strings keep their spelling as the label."""
    thresholds = tuple(_parse_threshold(value) for value in values)
    if not thresholds:
        raise InvalidInput("give at least one distance threshold in miles",
                           code="no_threshold", parameter="within")
    if len(thresholds) > MAX_THRESHOLDS:
        raise InvalidInput("give at most %(max)s distance thresholds", code="too_many_thresholds",
                           parameter="within", max=MAX_THRESHOLDS)
    miles = [t.miles for t in thresholds]
    if len(set(miles)) != len(miles):
        raise InvalidInput("the same distance threshold is given twice",
                           code="repeated_threshold", parameter="within")
    return thresholds


def _parse_threshold(value: str | float) -> Threshold:
    if isinstance(value, str):
        label = value.strip()
        try:
            miles = float(label)
        except ValueError:
            miles = math.nan
    else:
        miles = float(value)
        label = f"{miles:g}" if float(f"{miles:g}") == miles else repr(miles)
    if not (math.isfinite(miles) and miles > 0):
        raise InvalidInput("distance threshold must be a positive number of miles, got '%(value)s'",
                           code="bad_threshold", parameter="within", value=str(value))
    return Threshold(miles, label)


@dataclass(frozen=True, slots=True)
class GapRule:
    """An area with residents is a gap when it has no matching site, or too many far away."""

    max_uncovered_share: float = DEFAULT_MAX_UNCOVERED_SHARE

    def __post_init__(self) -> None:
        if not 0 <= self.max_uncovered_share <= 1:
            raise InvalidInput(
                "the uncovered share that flags a gap must be between 0 and 1, got %(value)s",
                code="bad_gap_share", parameter="max_uncovered_share",
                value=self.max_uncovered_share)


@dataclass(frozen=True, slots=True)
class CoverageQuery:
    """Which sites count, which residents are counted, and the areas to report by."""

    site_filter: SiteFilter = field(default_factory=SiteFilter)
    state_fips: tuple[str, ...] = ()  # empty: residents of every state
    geography: Geography = Geography.COUNTY
    regions: Regions | None = None
    # Mobile stops (sites of kind ``mobile_center``) count as sites; with ``weekday``
    # (``date.weekday()``: 0 is Monday) only those visited on that day of the week do. A
    # stop's days are read from its visit schedule in the weeks from ``visits_from``
    # (default: the day the study is made).
    mobile_stops: bool = True
    weekday: int | None = None
    visits_from: date | None = None

    def __post_init__(self) -> None:
        if self.weekday is not None and not self.mobile_stops:
            raise InvalidInput("a weekday chooses the mobile stops visited that day, so it "
                               "needs mobile stops counted", code="weekday_without_stops",
                               parameter="weekday")
        if self.weekday is not None and self.weekday not in range(len(WEEKDAY_CODES)):
            raise InvalidInput("weekday must be 0 (Monday) to 6 (Sunday), got %(value)s",
                               code="bad_weekday", parameter="weekday", value=self.weekday)
        if self.geography is Geography.REGION and self.regions is None:
            raise InvalidInput("reporting by region needs a regions file (county FIPS to "
                               "region name)", code="regions_file_missing", parameter="regions")
        if self.regions is not None and self.geography is not Geography.REGION:
            raise InvalidInput("a regions file is only used when reporting by region, not by "
                               "%(geography)s", code="regions_file_unused", parameter="regions",
                               geography=self.geography.value)


# -- records ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class WithinCount:
    threshold: Threshold
    population: int
    share: float | None  # None when the area has no residents


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """The coverage figures of one area (a county, state, region, or everyone counted)."""

    area_id: str
    name: str
    population: int
    sites: int
    sites_by_kind: Mapping[str, int]
    sites_per_10k: float | None
    mean_distance_mi: float | None  # None without residents, or without any site at all
    median_distance_mi: float | None
    within: tuple[WithinCount, ...]
    population_beyond: int  # residents farther than the largest threshold
    gap_reasons: tuple[GapReason, ...] = ()
    # The days of the week (0 is Monday) of an area no site open all week covers, but
    # mobile stops visiting on some days do: "covered on Tuesdays only". Empty otherwise.
    covered_only_on: tuple[int, ...] = ()

    @property
    def is_gap(self) -> bool:
        return bool(self.gap_reasons)

    @property
    def uncovered_share(self) -> float | None:
        return self.population_beyond / self.population if self.population else None

    def to_json(self) -> dict[str, object]:
        row: dict[str, object] = {
            "area_id": self.area_id, "name": self.name, "population": self.population,
            "sites": self.sites, "sites_by_kind": dict(self.sites_by_kind),
            "sites_per_10k": self.sites_per_10k, "mean_distance_mi": self.mean_distance_mi,
            "median_distance_mi": self.median_distance_mi,
        }
        for count in self.within:
            row[count.threshold.population_key] = count.population
            row[count.threshold.share_key] = count.share
        row["population_beyond_largest_threshold"] = self.population_beyond
        row["uncovered_share"] = self.uncovered_share
        row["gap"] = self.is_gap
        row["gap_reasons"] = [reason.value for reason in self.gap_reasons]
        row["covered_only_on"] = [WEEKDAY_CODES[day] for day in self.covered_only_on]
        return row


@dataclass(frozen=True, slots=True)
class CoverageReport:
    query: CoverageQuery
    thresholds: tuple[Threshold, ...]
    gap_rule: GapRule
    rows: tuple[CoverageRow, ...]
    total: CoverageRow
    population_level: str
    population_vintage: str
    sites_counted: int
    population_outside_regions: int = 0

    def gaps(self) -> tuple[CoverageRow, ...]:
        """Flagged areas, most residents beyond the largest threshold first."""
        flagged = [row for row in self.rows if row.is_gap]
        return tuple(sorted(flagged, key=lambda r: (-r.population_beyond, -r.population,
                                                    r.area_id)))

    def to_json(self) -> dict[str, object]:
        return {
            "geography": self.query.geography.value,
            "thresholds_mi": [t.miles for t in self.thresholds],
            "filters": _filters_json(self.query),
            "population_level": self.population_level,
            "population_vintage": self.population_vintage,
            "sites_counted": self.sites_counted,
            "max_uncovered_share": self.gap_rule.max_uncovered_share,
            "population_outside_regions": self.population_outside_regions,
            "method": METHOD,
            "total": self.total.to_json(),
            "rows": [row.to_json() for row in self.rows],
        }


METHOD = N_("Straight-line (great-circle) distance from each Census 2020 center of population to "
             "the nearest matching open site in any state, weighted by the point's residents; "
             "temporarily closed sites are not counted; the median is the lower weighted "
             "median.")


def _filters_json(query: CoverageQuery) -> dict[str, object]:
    site_filter = query.site_filter
    return {
        "kinds": sorted(k.value for k in site_filter.kinds) if site_filter.kinds else [],
        "program": site_filter.program,
        "states": list(query.state_fips),
        "regions_file": query.regions.source if query.regions else None,
        "mobile_stops": query.mobile_stops,
        "weekday": WEEKDAY_CODES[query.weekday] if query.weekday is not None else None,
    }


# -- the study: inputs, nearest distances and areas, computed once ------------------------

def area_name(geography: Geography, area_id: str) -> str:
    """"Cook County, IL", "Illinois", or the region's own name; the code when none is known.

    (The 2020 Census has a few county codes newer than the shipped outlines.)
    """
    try:
        if geography is Geography.COUNTY:
            return geodata.county(area_id).label
        if geography is Geography.STATE:
            return geodata.state(area_id).name
    except (NotFound, InvalidInput):
        return area_id
    return "Total" if geography is Geography.TOTAL else area_id


@dataclass(frozen=True, slots=True)
class Areas:
    """The areas of a geography and which one each population point and each site lies in.

    Positions are ``-1`` for sites outside every area (in states whose residents are not
    counted, in counties no region lists, or without a county). ``site_in_study`` marks the
    sites located where residents are counted: the total row counts those.
    """

    geography: Geography
    ids: tuple[str, ...]
    names: tuple[str, ...]
    of_point: NDArray[np.intp]
    of_site: NDArray[np.intp]
    site_in_study: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.ids)


KINDS = tuple(Kind)
_KIND_POSITION = {kind: i for i, kind in enumerate(KINDS)}


@dataclass(frozen=True, slots=True)
class CountedSites:
    """The sites a query counts and the days its counted stops are visited.

    They depend only on which sites count and on which day (``counted_key``), not on whose
    residents are counted, so one is shared by every state's study of the same question:
    building it is most of a state study's cost (~40 of ~60 ms nationally). ``updated``
    takes a few changed sites in without going through the nation's again.
    """

    query: CoverageQuery  # the question counted for (its state and areas do not matter)
    index: SiteIndex
    # Counted stops and the days they are visited (none known for a stop of unknown
    # schedule: it covers no day for certain).
    stop_days: Mapping[str, frozenset[int]]
    site_position: Mapping[str, int]
    # Per indexed site: its county as a position in ``counties``, and its kind as one in
    # ``KINDS``; so a study places sites in areas and a report counts them by kind with
    # array operations, not a walk over every site.
    counties: tuple[str, ...]
    county_of_site: NDArray[np.intp]
    kind_of_site: NDArray[np.intp]

    @classmethod
    def of(cls, sites: Iterable[Site], query: CoverageQuery) -> CountedSites:
        counted, stop_days = _counted(sites, query)
        return cls._made(query, SiteIndex(counted), stop_days)

    def updated(self, changed: Mapping[str, Site | None]) -> CountedSites:
        """These counted sites once each site of ``changed`` is its new version (None for
        one no longer in the catalog); ``self`` when none of them counts before or after."""
        put, put_days = _counted((s for s in changed.values() if s is not None), self.query)
        counted_before = sum(site_id in self.site_position for site_id in changed)
        if not put and not counted_before:
            return self
        # The same sites counted, none moved: the trees stand.
        index = self.index.with_same_places(put) if len(put) == counted_before else None
        index = index or self.index.updated(put, removed_ids=changed)
        stop_days = {site_id: days for site_id, days in self.stop_days.items()
                     if site_id not in changed}
        return self._made(self.query, index, {**stop_days, **put_days})

    @classmethod
    def _made(cls, query: CoverageQuery, index: SiteIndex,
              stop_days: Mapping[str, frozenset[int]]) -> CountedSites:
        # One plain pass per column: a dict numbers the counties as they come, which is
        # several times faster than numpy's sort-based unique on 17,000 strings.
        ids = [s.id for s in index.sites]
        county_code: dict[str, int] = {}
        county_of_site = [county_code.setdefault(s.county_fips, len(county_code))
                          for s in index.sites]
        return cls(query, index, stop_days, dict(zip(ids, range(len(ids)), strict=True)),
                   tuple(county_code), np.array(county_of_site, dtype=np.intp),
                   np.array([_KIND_POSITION[s.kind] for s in index.sites], dtype=np.intp))


def _counted(sites: Iterable[Site], query: CoverageQuery
             ) -> tuple[list[Site], dict[str, frozenset[int]]]:
    """The sites ``query`` counts, and the visit days of the mobile stops among them."""
    matching = [s for s in sites if counts_as_site(s, query.site_filter)]
    days = {s.id: visit_weekdays(s, start=query.visits_from or date.today())
            for s in matching if is_mobile_stop(s)}
    counted = [s for s in matching if counts_on_the_day(s, query, days)]
    return counted, {s.id: days[s.id] or frozenset() for s in counted if s.id in days}


def counted_key(query: CoverageQuery) -> tuple[object, ...]:
    """What ``CountedSites.of`` reads of a query: equal keys give equal counted sites."""
    return (query.site_filter, query.mobile_stops, query.weekday,
            query.visits_from or date.today())


class CoverageStudy:
    """Sites, residents and each resident point's nearest-site distance for one query.

    Building it runs the one KD-tree query; reports for any thresholds, what-ifs and
    suggestions then reuse the distances. ``counted``, when given, must be
    ``CountedSites.of`` the same sites for a query of the same ``counted_key``.
    """

    def __init__(self, sites: Iterable[Site], points: PopulationPoints,
                 query: CoverageQuery, *, counted: CountedSites | None = None) -> None:
        self.query = query
        self.points = _points_in_study(points, query)
        self._count(counted if counted is not None else CountedSites.of(sites, query))
        self.population_outside_regions = int(points.population.sum()
                                              - self.points.population.sum()) \
            if query.regions is not None else 0

    def _count(self, counted: CountedSites) -> None:
        self.counted = counted
        self.index = counted.index
        self.stop_days = counted.stop_days
        self.site_position = counted.site_position
        self.distance_mi, self.nearest = self.index.nearest_distance_mi(self.points.lat,
                                                                        self.points.lon)
        self.areas = assign_areas(self.points, counted, self.query)

    def recounted(self, counted: CountedSites) -> CoverageStudy:
        """This study of the same residents over ``counted``, which must be the sites of
        the same ``counted_key`` after a change; residents are not selected again."""
        if counted is self.counted:
            return self
        study = copy.copy(self)
        study._count(counted)
        return study

    def report(self, thresholds: Sequence[Threshold], gap_rule: GapRule = GapRule()
               ) -> CoverageReport:
        rows, total = aggregate(self.areas, self.points.population, self.distance_mi,
                                thresholds, gap_rule, self.counted.kind_of_site,
                                any_site=len(self.index) > 0)
        if self.query.weekday is None and any(self.stop_days.values()):
            largest = max(t.miles for t in thresholds)
            rows = tuple(replace(row, covered_only_on=days) if days else row
                         for row, days in zip(rows, self.days_only_covered(largest),
                                              strict=True))
        return CoverageReport(
            query=self.query, thresholds=tuple(thresholds), gap_rule=gap_rule, rows=rows,
            total=total, population_level=self.points.level,
            population_vintage=self.points.vintage, sites_counted=len(self.index),
            population_outside_regions=self.population_outside_regions,
        )

    def days_only_covered(self, within_mi: float) -> list[tuple[int, ...]]:
        """Per area, the days of the week on which some resident lives within ``within_mi``
        of a counted site, for the areas where none does of a site open all week and not
        every day is covered; empty for the others.

        One nearest-site query over the sites open all week, and one per day over the few
        stops visited that day, replace a query per day over every site.
        """
        lat, lon = self.points.lat, self.points.lon
        all_week = SiteIndex(s for s in self.index.sites if s.id not in self.stop_days)
        always = all_week.nearest_distance_mi(lat, lon)[0] <= within_mi
        n_areas, of_point = len(self.areas), self.areas.of_point
        population = self.points.population
        always_area = residents_by_area(of_point, n_areas, population, always) > 0
        on_day = []
        for day in range(len(WEEKDAY_CODES)):
            stops = SiteIndex(s for s in self.index.sites if day in self.stop_days.get(s.id, ()))
            near = always | (stops.nearest_distance_mi(lat, lon)[0] <= within_mi)
            on_day.append(residents_by_area(of_point, n_areas, population, near) > 0)
        days_of_area = np.column_stack(on_day) if n_areas else np.zeros((0, 7), dtype=bool)
        return [() if always_area[i] or days.all() else tuple(np.flatnonzero(days).tolist())
                for i, days in enumerate(days_of_area)]

    def distance_distribution(self, edges_mi: Sequence[float]) -> DistanceDistribution:
        """Residents by distance band, for the report's chart; the last band is open-ended."""
        edges = np.asarray(edges_mi, dtype=float)
        if len(edges) == 0 or edges[0] != 0 or np.any(np.diff(edges) <= 0):
            raise InvalidInput("distance bands must start at 0 and increase",
                               code="bad_distance_bands", parameter="edges_mi")
        # Bands close on their upper edge, as "within X mi" does: a resident exactly X miles
        # away is in the band ending at X (and the first band includes 0).
        band = np.maximum(np.searchsorted(edges, self.distance_mi, side="left") - 1, 0)
        residents = residents_by_area(band, len(edges), self.points.population)
        return DistanceDistribution(tuple(edges.tolist()), tuple(residents.tolist()))


@dataclass(frozen=True, slots=True)
class DistanceDistribution:
    """Residents whose nearest site is ``edges_mi[i]`` < distance <= ``edges_mi[i + 1]``
    miles away (the first band includes 0; the last has no upper end)."""

    edges_mi: tuple[float, ...]
    residents: tuple[int, ...]

    def to_json(self) -> dict[str, object]:
        uppers = [*self.edges_mi[1:], None]
        return {"bands": [{"from_mi": lower, "to_mi": upper, "residents": n} for lower, upper, n
                          in zip(self.edges_mi, uppers, self.residents, strict=True)]}


def counts_as_site(site: Site, site_filter: SiteFilter) -> bool:
    """Temporarily closed sites serve nobody for now, so they never count as coverage."""
    return site_filter.accepts(site) and not site.temporarily_closed


def counts_on_the_day(site: Site, query: CoverageQuery,
                      stop_days: Mapping[str, frozenset[int] | None]) -> bool:
    """A site open all week always counts; a mobile stop when stops are counted and, for
    a weekday, when it is visited that day (a stop of unknown schedule is not, then)."""
    if site.id not in stop_days:
        return True
    if not query.mobile_stops:
        return False
    days = stop_days[site.id]
    return query.weekday is None or (days is not None and query.weekday in days)


def load_population(store: Store, state_fips: Sequence[str] = ()) -> PopulationPoints:
    """Tract centers of population, or county centers when no tracts are loaded."""
    levels = store.population_levels()
    level = "tract" if levels.get("tract") else "county" if levels.get("county") else None
    if level is None:
        raise NotFound("no population points are loaded: run `locator data import` with the "
                       "Census centers of population in the sources folder",
                       code="no_population_points")
    points = store.population(level, state_fips=state_fips or None)
    missing = sorted(set(state_fips) - set(points.state_fips.tolist()))
    if missing:
        raise NotFound("no %(level)s population points for state FIPS %(fips)s",
                       code="no_population_points", level=str(level), fips=", ".join(missing))
    return points


def known_county_fips(store: Store) -> frozenset[str]:
    """County codes a regions file may name: the shipped outlines' and the loaded residents'."""
    return store.population_county_fips() | {c.fips for c in geodata.counties()}


def load_study(store: Store, query: CoverageQuery) -> CoverageStudy:
    points = load_population(store, query.state_fips)
    return CoverageStudy(store.sites(statuses=query.site_filter.statuses), points, query)


def _points_in_study(points: PopulationPoints, query: CoverageQuery) -> PopulationPoints:
    keep = np.ones(len(points), dtype=bool)
    if query.state_fips:
        keep &= np.isin(points.state_fips, list(query.state_fips))
    if query.regions is not None:
        keep &= np.isin(points.county_fips, list(query.regions.by_county))
    if keep.all():
        return points
    return PopulationPoints(ids=points.ids[keep], county_fips=points.county_fips[keep],
                            population=points.population[keep], lat=points.lat[keep],
                            lon=points.lon[keep], level=points.level, vintage=points.vintage)


def assign_areas(points: PopulationPoints, counted: CountedSites, query: CoverageQuery
                 ) -> Areas:
    """Area of every point and counted site, looked up once per distinct county, not per
    point or site."""
    area_of_county = _area_key(query)
    point_counties, point_county = np.unique(points.county_fips.astype(str),
                                             return_inverse=True)
    point_keys = [area_of_county(c) for c in point_counties.tolist()]
    ids = tuple(sorted({k for k in point_keys if k is not None}))
    position = {area_id: i for i, area_id in enumerate(ids)}
    site_county = counted.county_of_site
    in_study = np.array([lies_in_study(c, query) for c in counted.counties], dtype=bool)
    site_keys = [area_of_county(c) if inside else None
                 for c, inside in zip(counted.counties, in_study.tolist(), strict=True)]
    return Areas(
        geography=query.geography, ids=ids,
        names=tuple(area_name(query.geography, area_id) for area_id in ids),
        of_point=_positions(point_keys, position)[point_county],
        of_site=_positions(site_keys, position)[site_county],
        site_in_study=in_study[site_county],
    )


def lies_in_study(county_fips: str, query: CoverageQuery) -> bool:
    """Whether a site in this county lies where the query counts residents."""
    if query.regions is not None:
        return query.regions.region_of(county_fips) is not None
    return not query.state_fips or county_fips[:2] in query.state_fips


def _area_key(query: CoverageQuery) -> Callable[[str], str | None]:
    if query.geography is Geography.TOTAL:
        return lambda fips: TOTAL_AREA_ID if fips else None
    if query.geography is Geography.STATE:
        return lambda fips: fips[:2] or None
    if query.geography is Geography.COUNTY:
        return lambda fips: fips or None
    assert query.regions is not None
    return query.regions.region_of


def _positions(keys: list[str | None], position: Mapping[str, int]) -> NDArray[np.intp]:
    return np.array([position.get(k, -1) if k is not None else -1 for k in keys],
                    dtype=np.intp)


# -- aggregation --------------------------------------------------------------------------

def aggregate(areas: Areas, population: NDArray, distance_mi: NDArray,
              thresholds: Sequence[Threshold], gap_rule: GapRule, kind_of_site: NDArray, *,
              any_site: bool) -> tuple[tuple[CoverageRow, ...], CoverageRow]:
    """Per-area rows and the total row, from per-point populations and distances and
    each site's kind (its position in ``KINDS``)."""
    n_areas = len(areas)
    figures = _area_figures(areas.of_point, n_areas, population, distance_mi, thresholds,
                            any_site=any_site)
    total_figures = _area_figures(np.zeros(len(population), dtype=np.intp), 1, population,
                                  distance_mi, thresholds, any_site=any_site)
    by_kind = _sites_by_kind(areas.of_site, n_areas, kind_of_site)
    total_by_kind = _sites_by_kind(np.where(areas.site_in_study, 0, -1), 1, kind_of_site)
    rows = tuple(
        _row(areas.ids[i], areas.names[i], figures, i, by_kind[i], thresholds, gap_rule)
        for i in range(n_areas)
    )
    total_name = areas.names[0] if areas.geography is Geography.TOTAL and n_areas else "Total"
    total = _row(TOTAL_AREA_ID, total_name, total_figures, 0, total_by_kind[0], thresholds,
                 gap_rule)
    return rows, total


@dataclass(frozen=True, slots=True)
class _Figures:
    """Per-area figures as Python lists: rows are built from them one scalar at a time, and
    list items are several times cheaper to read than numpy scalars."""

    population: list[int]
    weighted_distance_mi: list[float]
    median_distance_mi: list[float]
    within: tuple[list[int], ...]  # one list per threshold
    beyond: list[int]
    any_site: bool


def _area_figures(area: NDArray, n_areas: int, population: NDArray, distance_mi: NDArray,
                  thresholds: Sequence[Threshold], *, any_site: bool) -> _Figures:
    largest = max(t.miles for t in thresholds)
    return _Figures(
        population=residents_by_area(area, n_areas, population).tolist(),
        weighted_distance_mi=weighted_distance_by_area(area, n_areas, population,
                                                       distance_mi).tolist(),
        median_distance_mi=weighted_median(area, n_areas, population, distance_mi).tolist(),
        within=tuple(residents_by_area(area, n_areas, population, distance_mi <= t.miles)
                     .tolist() for t in thresholds),
        beyond=residents_by_area(area, n_areas, population, distance_mi > largest).tolist(),
        any_site=any_site,
    )


def residents_by_area(area: NDArray, n_areas: int, population: NDArray,
                      where: NDArray | None = None) -> NDArray:
    """Residents per area, of every point or only of the points ``where`` marks."""
    weight = population.astype(float) if where is None else np.where(where, population, 0.0)
    # Sums of whole residents stay exact in float64 far beyond the US population (2**53).
    return np.rint(np.bincount(area, weights=weight, minlength=n_areas)).astype(np.int64)


def weighted_distance_by_area(area: NDArray, n_areas: int, population: NDArray,
                              distance_mi: NDArray) -> NDArray:
    """Sum of residents x distance per area (divide by residents for the mean)."""
    # Without any site distances are infinite; leaving empty points out avoids 0 * inf.
    weighted = np.zeros(len(distance_mi))
    np.multiply(population, distance_mi, out=weighted, where=population > 0)
    return np.bincount(area, weights=weighted, minlength=n_areas)


def weighted_median(area: NDArray, n_areas: int, population: NDArray,
                    distance_mi: NDArray) -> NDArray:
    """Lower weighted median distance per area (NaN for an area without residents).

    Points are sorted by area, then distance; within each area the median is the first point
    whose running population reaches half the area's residents (``2 * running >= total``,
    in integers, so no rounding decides it).
    """
    median = np.full(n_areas, np.nan)
    if len(area) == 0:
        return median
    order = np.lexsort((distance_mi, area))
    sorted_area = area[order]
    running = np.cumsum(population[order].astype(np.int64))
    start = np.searchsorted(sorted_area, np.arange(n_areas))
    before = np.concatenate(([0], running))[start]
    totals = np.bincount(sorted_area, weights=population[order], minlength=n_areas)
    totals = np.rint(totals).astype(np.int64)
    reached = 2 * (running - before[sorted_area]) >= totals[sorted_area]
    first = start + np.bincount(sorted_area, weights=~reached, minlength=n_areas).astype(np.intp)
    has_residents = totals > 0
    median[has_residents] = distance_mi[order][first[has_residents]]
    return median


def _sites_by_kind(site_area: NDArray, n_areas: int, kind_of_site: NDArray
                   ) -> list[dict[str, int]]:
    located = site_area >= 0
    cells = np.bincount(site_area[located] * len(KINDS) + kind_of_site[located],
                        minlength=n_areas * len(KINDS)).reshape(n_areas, len(KINDS))
    return [{KINDS[k].value: n for k, n in enumerate(row) if n} for row in cells.tolist()]


def _row(area_id: str, name: str, figures: _Figures, i: int, by_kind: Mapping[str, int],
         thresholds: Sequence[Threshold], gap_rule: GapRule) -> CoverageRow:
    population = figures.population[i]
    sites = sum(by_kind.values())
    has_distances = population > 0 and figures.any_site
    within = tuple(
        WithinCount(t, counts[i], counts[i] / population if population else None)
        for t, counts in zip(thresholds, figures.within, strict=True)
    )
    beyond = figures.beyond[i]
    reasons: list[GapReason] = []
    if population and sites == 0:
        reasons.append(GapReason.NO_SITE)
    if population and beyond / population > gap_rule.max_uncovered_share:
        reasons.append(GapReason.UNCOVERED_SHARE)
    return CoverageRow(
        area_id=area_id, name=name, population=population, sites=sites,
        sites_by_kind=by_kind,
        sites_per_10k=sites * PER_RESIDENTS / population if population else None,
        mean_distance_mi=figures.weighted_distance_mi[i] / population if has_distances else None,
        median_distance_mi=figures.median_distance_mi[i] if has_distances else None,
        within=within, population_beyond=beyond, gap_reasons=tuple(reasons),
    )


# -- program by program -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ProgramMatrix:
    """The same report once per program, using only the sites that offer it.

    Every report has the same areas in the same order (areas come from the residents, not
    the sites), so ``reports[p].rows[i]`` is program ``p`` in area ``i``.
    """

    programs: tuple[str, ...]
    reports: tuple[CoverageReport, ...]

    def cell(self, area_id: str, program: str) -> CoverageRow:
        report = self.reports[self.programs.index(program)]
        return next(row for row in report.rows if row.area_id == area_id)

    def to_json(self) -> dict[str, object]:
        first = self.reports[0]
        rows = []
        for i, area in enumerate(first.rows):
            by_program = {}
            for program, report in zip(self.programs, self.reports, strict=True):
                cell = report.rows[i].to_json()
                by_program[program] = {key: value for key, value in cell.items()
                                       if key not in ("area_id", "name", "population")}
            rows.append({"area_id": area.area_id, "name": area.name,
                         "population": area.population, "programs": by_program})
        return {"geography": first.query.geography.value,
                "thresholds_mi": [t.miles for t in first.thresholds],
                "programs": list(self.programs), "method": METHOD, "rows": rows}


def program_matrix(sites: Sequence[Site], points: PopulationPoints, query: CoverageQuery,
                   thresholds: Sequence[Threshold], gap_rule: GapRule = GapRule(), *,
                   programs: Sequence[str] | None = None) -> ProgramMatrix:
    """Coverage per area and program; by default every program some counted site offers."""
    if query.site_filter.program is not None:
        raise InvalidInput("a program matrix covers every program: leave out --program",
                           code="matrix_with_program", parameter="program")
    chosen = tuple(programs) if programs is not None else offered_programs(sites, query)
    if not chosen:
        raise NotFound("no counted site lists any program, so there is no program matrix",
                       code="no_programs")
    reports = tuple(
        CoverageStudy(sites, points, replace(
            query, site_filter=replace(query.site_filter, program=program))
        ).report(thresholds, gap_rule)
        for program in chosen
    )
    return ProgramMatrix(programs=chosen, reports=reports)


def offered_programs(sites: Iterable[Site], query: CoverageQuery) -> tuple[str, ...]:
    """Programs offered by at least one site the query counts, in the catalogue's order."""
    offered = {p for s in sites if counts_as_site(s, query.site_filter) for p in s.programs}
    return tuple(p.slug for p in PROGRAMS if p.slug in offered)
