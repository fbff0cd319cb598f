"""What-if: the change in coverage if sites were added at given points or existing ones removed.

Fast because the study already holds every resident point's distance to its nearest site.
An added site can only bring points closer, so the new distances are the element-wise
minimum of the old ones and each point's distance to the new site (one vectorised haversine
over the study's points). A removed site only moves the points whose nearest it was: only
those are queried again, against an index of the sites that remain.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from locator.coverage import (
    TOTAL_AREA_ID,
    CoverageStudy,
    Threshold,
    residents_by_area,
    weighted_distance_by_area,
)
from locator.errors import InvalidInput, NotFound
from locator.geo import haversine_mi, valid_lat_lon
from locator.sites import Site
from locator.spatial import SiteIndex

MAX_ADDED_SITES = 100


@dataclass(frozen=True, slots=True)
class ProposedSite:
    """A point where a site might open (typed coordinates or a map click)."""

    lat: float
    lon: float

    def to_json(self) -> dict[str, float]:
        return {"lat": self.lat, "lon": self.lon}


def parse_proposed_site(text: str) -> ProposedSite:
    """``"41.88,-87.63"`` (latitude first, as maps show it) to a proposed site."""
    parts = text.replace(" ", "").split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        lat = lon = math.nan
    if not valid_lat_lon(lat, lon):
        raise InvalidInput("expected LAT,LON in decimal degrees (e.g. 41.88,-87.63), got "
                           "'%(value)s'", code="bad_point", parameter="add", value=text)
    return ProposedSite(lat, lon)


@dataclass(frozen=True, slots=True)
class WhatIfRow:
    """The change in one area; counts and means are over the area's residents."""

    area_id: str
    name: str
    population: int
    thresholds: tuple[Threshold, ...]
    newly_covered: tuple[int, ...]  # per threshold: residents brought within it
    losing_coverage: tuple[int, ...]  # per threshold: residents pushed beyond it
    mean_distance_before_mi: float | None
    mean_distance_after_mi: float | None

    @property
    def mean_distance_change_mi(self) -> float | None:
        if self.mean_distance_before_mi is None or self.mean_distance_after_mi is None:
            return None
        return self.mean_distance_after_mi - self.mean_distance_before_mi

    def to_json(self) -> dict[str, object]:
        row: dict[str, object] = {"area_id": self.area_id, "name": self.name,
                                  "population": self.population}
        for t, gained, lost in zip(self.thresholds, self.newly_covered, self.losing_coverage,
                                   strict=True):
            row[f"newly_covered_within_{t.label}_mi"] = gained
            row[f"losing_coverage_within_{t.label}_mi"] = lost
        row["mean_distance_before_mi"] = self.mean_distance_before_mi
        row["mean_distance_after_mi"] = self.mean_distance_after_mi
        row["mean_distance_change_mi"] = self.mean_distance_change_mi
        return row


@dataclass(frozen=True, slots=True)
class WhatIfResult:
    thresholds: tuple[Threshold, ...]
    added: tuple[ProposedSite, ...]
    removed: tuple[Site, ...]
    total: WhatIfRow
    rows: tuple[WhatIfRow, ...]  # only the areas where some resident's distance changed

    def to_json(self) -> dict[str, object]:
        return {
            "thresholds_mi": [t.miles for t in self.thresholds],
            "added": [p.to_json() for p in self.added],
            "removed": [{"id": s.id, "name": s.display_name, "lat": s.lat, "lon": s.lon}
                        for s in self.removed],
            "total": self.total.to_json(),
            "rows": [row.to_json() for row in self.rows],
        }


def what_if(study: CoverageStudy, thresholds: Sequence[Threshold], *,
            add: Iterable[ProposedSite] = (), remove: Iterable[str] = ()) -> WhatIfResult:
    """Coverage change per area if sites were added at ``add`` and ``remove`` (ids) closed."""
    added = tuple(add)
    removed = _sites_to_remove(study, remove)
    if not added and not removed:
        raise InvalidInput("say which sites to add (LAT,LON) or remove (site id)",
                           code="no_change", parameter="add")
    if len(added) > MAX_ADDED_SITES:
        raise InvalidInput("add at most %(max)s sites at once", code="too_many_added",
                           parameter="add", max=MAX_ADDED_SITES)
    after_mi = distances_after(study, added, removed)
    return _compare(study, thresholds, study.distance_mi, after_mi, added, removed)


def _sites_to_remove(study: CoverageStudy, site_ids: Iterable[str]) -> tuple[Site, ...]:
    removed = []
    for site_id in dict.fromkeys(site_ids):
        if site_id not in study.site_position:
            raise NotFound("site '%(id)s' is not among the sites counted (check its id, "
                           "and the kind and program filters)", code="site_not_counted",
                           id=site_id)
        removed.append(study.index.sites[study.site_position[site_id]])
    return tuple(removed)


def distances_after(study: CoverageStudy, added: Sequence[ProposedSite],
                    removed: Sequence[Site]) -> NDArray:
    """Every study point's nearest-site distance once the change is made."""
    after_mi = study.distance_mi.copy()
    if removed:
        gone = {site.id for site in removed}
        moved = np.isin(study.nearest, [study.site_position[site_id] for site_id in gone])
        remaining = SiteIndex(s for s in study.index.sites if s.id not in gone)
        after_mi[moved], _ = remaining.nearest_distance_mi(study.points.lat[moved],
                                                           study.points.lon[moved])
    if added:
        to_new_mi = haversine_mi(study.points.lat[:, None], study.points.lon[:, None],
                                 np.array([p.lat for p in added])[None, :],
                                 np.array([p.lon for p in added])[None, :]).min(axis=1)
        after_mi = np.minimum(after_mi, to_new_mi)
    return after_mi


def _compare(study: CoverageStudy, thresholds: Sequence[Threshold], before_mi: NDArray,
             after_mi: NDArray, added: tuple[ProposedSite, ...],
             removed: tuple[Site, ...]) -> WhatIfResult:
    areas = study.areas
    population = study.points.population
    every_area = _changes(areas.of_point, len(areas), population, before_mi, after_mi,
                          thresholds)
    overall = _changes(np.zeros(len(population), dtype=np.intp), 1, population, before_mi,
                       after_mi, thresholds)
    changed = np.bincount(areas.of_point, weights=before_mi != after_mi, minlength=len(areas))
    rows = [_row(areas.ids[i], areas.names[i], every_area, i, thresholds)
            for i in np.flatnonzero(changed).tolist()]
    rows.sort(key=lambda r: (-(r.newly_covered[0] - r.losing_coverage[0]),
                             r.mean_distance_change_mi or 0.0, r.area_id))
    return WhatIfResult(thresholds=tuple(thresholds), added=added, removed=removed,
                        total=_row(TOTAL_AREA_ID, "Total", overall, 0, thresholds),
                        rows=tuple(rows))


@dataclass(frozen=True, slots=True)
class _Changes:
    population: NDArray
    gained: tuple[NDArray, ...]
    lost: tuple[NDArray, ...]
    weighted_before_mi: NDArray
    weighted_after_mi: NDArray


def _changes(area: NDArray, n_areas: int, population: NDArray, before_mi: NDArray,
             after_mi: NDArray, thresholds: Sequence[Threshold]) -> _Changes:
    return _Changes(
        population=residents_by_area(area, n_areas, population),
        gained=tuple(residents_by_area(area, n_areas, population,
                                       (before_mi > t.miles) & (after_mi <= t.miles))
                     for t in thresholds),
        lost=tuple(residents_by_area(area, n_areas, population,
                                     (before_mi <= t.miles) & (after_mi > t.miles))
                   for t in thresholds),
        weighted_before_mi=weighted_distance_by_area(area, n_areas, population, before_mi),
        weighted_after_mi=weighted_distance_by_area(area, n_areas, population, after_mi),
    )


def _row(area_id: str, name: str, changes: _Changes, i: int,
         thresholds: Sequence[Threshold]) -> WhatIfRow:
    population = int(changes.population[i])
    return WhatIfRow(
        area_id=area_id, name=name, population=population, thresholds=tuple(thresholds),
        newly_covered=tuple(int(g[i]) for g in changes.gained),
        losing_coverage=tuple(int(lost[i]) for lost in changes.lost),
        mean_distance_before_mi=_mean(changes.weighted_before_mi[i], population),
        mean_distance_after_mi=_mean(changes.weighted_after_mi[i], population),
    )


def _mean(weighted_mi: float, population: int) -> float | None:
    mean = float(weighted_mi) / population if population else math.inf
    return mean if math.isfinite(mean) else None
