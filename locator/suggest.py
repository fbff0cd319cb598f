"""Suggested new sites: a greedy maximal covering of the residents no site reaches yet.

The greedy rule picks, again and again, the candidate that brings the most residents not yet
within the threshold of any site (counted or already picked) within it. Residents covered is
a monotone submodular function of the chosen set, so greedy is guaranteed at least
1 - 1/e (about 63%) of the best possible choice and is usually far closer; the tests and the
benchmark compare it with an exact maximal covering (MCLP) solution on small instances.

Candidates are either existing public libraries that are not yet counted sites (the library
partnership story: a library becomes an access site) or Census centers of population.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.spatial import cKDTree

from locator.coverage import CoverageStudy, Threshold, counts_as_site, lies_in_study
from locator.errors import InvalidInput
from locator.geo import chord_for_mi, haversine_mi, unit_vectors
from locator.sites import Kind, Site, SiteFilter

MAX_SUGGESTIONS = 100
# A library this close to a counted site is taken to be that site's host already (a joint
# location listed twice), so suggesting it would add nothing real.
JOINT_LOCATION_MI = 0.1


class CandidatePool(StrEnum):
    LIBRARIES = "libraries"
    TRACTS = "tracts"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a new site could open: an existing library, or a center of population."""

    id: str
    name: str
    lat: float
    lon: float
    county_fips: str
    pool: CandidatePool

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "lat": self.lat, "lon": self.lon,
                "county_fips": self.county_fips, "pool": self.pool.value}


@dataclass(frozen=True, slots=True)
class Suggestion:
    rank: int
    candidate: Candidate
    newly_covered: int  # residents this pick brings within the threshold, beyond earlier picks
    covered_so_far: int  # residents all picks up to this one bring within it

    def to_json(self) -> dict[str, object]:
        return {"rank": self.rank, **self.candidate.to_json(),
                "newly_covered": self.newly_covered, "covered_so_far": self.covered_so_far}


@dataclass(frozen=True, slots=True)
class SuggestResult:
    threshold: Threshold
    candidates_considered: int
    population: int  # residents counted by the study
    uncovered_before: int  # of them, farther than the threshold from every counted site
    suggestions: tuple[Suggestion, ...]

    @property
    def newly_covered(self) -> int:
        return self.suggestions[-1].covered_so_far if self.suggestions else 0

    def to_json(self) -> dict[str, object]:
        return {
            "threshold_mi": self.threshold.miles,
            "candidates_considered": self.candidates_considered,
            "population": self.population,
            "uncovered_before": self.uncovered_before,
            "newly_covered": self.newly_covered,
            "uncovered_after": self.uncovered_before - self.newly_covered,
            "suggestions": [s.to_json() for s in self.suggestions],
        }


def library_candidates(sites: Iterable[Site], study: CoverageStudy) -> tuple[Candidate, ...]:
    """Open, approved libraries in the study area that are not yet counted sites."""
    libraries = [s for s in sites
                 if counts_as_site(s, SiteFilter(kinds=frozenset({Kind.LIBRARY})))
                 and s.id not in study.site_position and lies_in_study(s.county_fips, study.query)]
    if libraries and len(study.index):
        to_site_mi, _ = study.index.nearest_distance_mi([s.lat for s in libraries],
                                                        [s.lon for s in libraries])
        libraries = [s for s, d in zip(libraries, to_site_mi.tolist(), strict=True)
                     if d > JOINT_LOCATION_MI]
    return tuple(Candidate(s.id, s.display_name, s.lat, s.lon, s.county_fips,
                           CandidatePool.LIBRARIES)
                 for s in sorted(libraries, key=lambda s: s.id))


def population_candidates(study: CoverageStudy) -> tuple[Candidate, ...]:
    """The study's centers of population where anyone lives."""
    points = study.points
    label = "Tract" if points.level == "tract" else "County"
    return tuple(
        Candidate(point_id, f"{label} {point_id} center of population", lat, lon, county,
                  CandidatePool.TRACTS)
        for point_id, county, population, lat, lon in zip(
            points.ids.tolist(), points.county_fips.tolist(), points.population.tolist(),
            points.lat.tolist(), points.lon.tolist(), strict=True)
        if population > 0
    )


def suggest_sites(study: CoverageStudy, candidates: Sequence[Candidate], *, n: int,
                  threshold: Threshold) -> SuggestResult:
    """Up to ``n`` candidates, picked greedily; fewer when no candidate covers anyone more."""
    if not 1 <= n <= MAX_SUGGESTIONS:
        raise InvalidInput("ask for between 1 and %(max)s suggestions, got %(value)s",
                           code="out_of_range", parameter="n", max=MAX_SUGGESTIONS, value=n)
    uncovered = np.flatnonzero(study.distance_mi > threshold.miles)
    weight = study.points.population[uncovered].astype(np.int64)
    matrix = coverage_matrix(study.points.lat[uncovered], study.points.lon[uncovered],
                             candidates, threshold.miles)
    picks = greedy_cover(matrix, weight, n)
    suggestions, so_far = [], 0
    for rank, (column, gain) in enumerate(picks, start=1):
        so_far += gain
        suggestions.append(Suggestion(rank, candidates[column], gain, so_far))
    return SuggestResult(threshold=threshold, candidates_considered=len(candidates),
                         population=int(study.points.population.sum()),
                         uncovered_before=int(weight.sum()), suggestions=tuple(suggestions))


def coverage_matrix(demand_lat: NDArray, demand_lon: NDArray, candidates: Sequence[Candidate],
                    threshold_mi: float) -> csr_array:
    """Boolean candidates x demand points: which points lie within the threshold of which."""
    shape = (len(candidates), len(demand_lat))
    if not candidates or not len(demand_lat):
        return csr_array(shape, dtype=bool)
    cand_lat = np.array([c.lat for c in candidates])
    cand_lon = np.array([c.lon for c in candidates])
    tree = cKDTree(unit_vectors(demand_lat, demand_lon))
    # The chord radius is widened a hair so the tree never drops a point the exact
    # haversine test below would keep.
    hits = tree.query_ball_point(unit_vectors(cand_lat, cand_lon),
                                 chord_for_mi(threshold_mi) * (1 + 1e-9) + 1e-12)
    rows = np.repeat(np.arange(len(candidates)), [len(h) for h in hits])
    columns = np.fromiter((j for h in hits for j in h), dtype=np.intp, count=len(rows))
    keep = haversine_mi(cand_lat[rows], cand_lon[rows], demand_lat[columns],
                        demand_lon[columns]) <= threshold_mi
    return csr_array((np.ones(int(keep.sum()), dtype=bool), (rows[keep], columns[keep])),
                     shape=shape)


def greedy_cover(matrix: csr_array, weight: NDArray, n: int) -> list[tuple[int, int]]:
    """(candidate row, residents newly covered) for up to ``n`` greedy picks.

    Ties go to the lowest row, so the same input always gives the same answer.
    """
    remaining = np.asarray(weight, dtype=np.int64).copy()
    as_int = matrix.astype(np.int64)
    picks: list[tuple[int, int]] = []
    for _ in range(n):
        gains = as_int @ remaining
        if not len(gains) or gains.max() <= 0:
            break
        best = int(np.argmax(gains))
        picks.append((best, int(gains[best])))
        remaining[matrix.indices[matrix.indptr[best]:matrix.indptr[best + 1]]] = 0
    return picks
