"""What-if answers against a full recomputation of the study with the changed sites."""

from __future__ import annotations

import numpy as np
import pytest

from locator.coverage import CoverageQuery, CoverageStudy, parse_thresholds
from locator.errors import InvalidInput, NotFound
from locator.sites import Kind, Site
from locator.store import PopulationPoints
from locator.whatif import ProposedSite, parse_proposed_site, what_if

THRESHOLDS = parse_thresholds(["3", "10"])


def make_site(site_id: str, lat: float, lon: float, county_fips: str) -> Site:
    return Site(id=site_id, name=f"Site {site_id}", kind=Kind.LIBRARY, lat=lat, lon=lon,
                county_fips=county_fips)


@pytest.fixture
def world() -> tuple[list[Site], PopulationPoints]:
    rng = np.random.default_rng(99)
    counties = ["17001", "17003", "17005", "17007"]
    sites = [make_site(f"s{i:03d}", float(lat), float(lon), counties[i % 4])
             for i, (lat, lon) in enumerate(zip(rng.uniform(39, 41, 25),
                                                rng.uniform(-90, -88, 25), strict=True))]
    n = 1500
    points = PopulationPoints(
        ids=np.array([f"p{i:04d}" for i in range(n)], dtype=object),
        county_fips=np.array(rng.choice(counties, n), dtype=object),
        population=rng.integers(0, 6000, n).astype(np.int64),
        lat=rng.uniform(39, 41, n), lon=rng.uniform(-90, -88, n), level="tract", vintage="2020",
    )
    return sites, points


def reference_change(sites: list[Site], points: PopulationPoints, changed: list[Site]):
    """Recompute everything from scratch with the changed site list."""
    before = CoverageStudy(sites, points, CoverageQuery())
    after = CoverageStudy(changed, points, CoverageQuery())
    return before, after


def assert_matches_reference(result, before: CoverageStudy, after: CoverageStudy,
                             points: PopulationPoints) -> None:
    report_before, report_after = before.report(THRESHOLDS), after.report(THRESHOLDS)
    d0, d1 = before.distance_mi, after.distance_mi
    changed_counties = sorted(set(points.county_fips[~np.isclose(d0, d1, rtol=0, atol=1e-9)]))
    assert sorted(row.area_id for row in result.rows) == changed_counties
    for row in [*result.rows, result.total]:
        mine = np.ones(len(points), dtype=bool) if row.area_id == "total" \
            else points.county_fips == row.area_id
        for t, gained, lost in zip(THRESHOLDS, row.newly_covered, row.losing_coverage,
                                   strict=True):
            assert gained == points.population[mine & (d0 > t.miles) & (d1 <= t.miles)].sum()
            assert lost == points.population[mine & (d0 <= t.miles) & (d1 > t.miles)].sum()
        old = report_before.total if row.area_id == "total" else \
            next(r for r in report_before.rows if r.area_id == row.area_id)
        new = report_after.total if row.area_id == "total" else \
            next(r for r in report_after.rows if r.area_id == row.area_id)
        assert row.mean_distance_before_mi == pytest.approx(old.mean_distance_mi, abs=1e-9)
        if new.mean_distance_mi is None:
            assert row.mean_distance_after_mi is None
        else:
            assert row.mean_distance_after_mi == pytest.approx(new.mean_distance_mi, abs=1e-9)
        # Net change per threshold is the difference of the two full reports.
        for i in range(len(THRESHOLDS)):
            assert row.newly_covered[i] - row.losing_coverage[i] == \
                new.within[i].population - old.within[i].population


def test_adding_sites_matches_full_recomputation(world) -> None:
    sites, points = world
    proposed = [ProposedSite(40.2, -89.1), ProposedSite(39.3, -88.4)]
    result = what_if(CoverageStudy(sites, points, CoverageQuery()), THRESHOLDS, add=proposed)
    changed = sites + [make_site(f"new{i}", p.lat, p.lon, "17001")
                       for i, p in enumerate(proposed)]
    assert_matches_reference(result, *reference_change(sites, points, changed), points)
    assert all(lost == 0 for lost in result.total.losing_coverage)
    assert result.total.mean_distance_change_mi < 0


def test_removing_neighbouring_sites_matches_full_recomputation(world) -> None:
    sites, points = world
    study = CoverageStudy(sites, points, CoverageQuery())
    # The three sites nearest one another: removing them all means a point's second nearest
    # may be gone too, which a k=2 shortcut would get wrong.
    first = sites[0]
    gone = sorted(sites, key=lambda s: (s.lat - first.lat) ** 2 + (s.lon - first.lon) ** 2)[:3]
    result = what_if(study, THRESHOLDS, remove=[s.id for s in gone])
    changed = [s for s in sites if s not in gone]
    assert_matches_reference(result, *reference_change(sites, points, changed), points)
    assert all(gained == 0 for gained in result.total.newly_covered)
    assert [s.id for s in result.removed] == [s.id for s in gone]


def test_adding_and_removing_together_matches_full_recomputation(world) -> None:
    sites, points = world
    study = CoverageStudy(sites, points, CoverageQuery())
    result = what_if(study, THRESHOLDS, add=[ProposedSite(sites[4].lat + 0.05, sites[4].lon)],
                     remove=[sites[4].id, sites[9].id])
    changed = [s for s in sites if s.id not in {sites[4].id, sites[9].id}] + [
        make_site("new", sites[4].lat + 0.05, sites[4].lon, "17001")]
    assert_matches_reference(result, *reference_change(sites, points, changed), points)


def test_removing_every_site_leaves_distances_unknown(world) -> None:
    sites, points = world
    result = what_if(CoverageStudy(sites, points, CoverageQuery()), THRESHOLDS,
                     remove=[s.id for s in sites])
    assert result.total.mean_distance_after_mi is None
    assert result.total.mean_distance_change_mi is None
    assert result.total.losing_coverage[1] == points.population[
        CoverageStudy(sites, points, CoverageQuery()).distance_mi <= 10].sum()


def test_what_if_needs_a_change_and_known_site_ids(world) -> None:
    sites, points = world
    study = CoverageStudy(sites, points, CoverageQuery())
    with pytest.raises(InvalidInput, match="add"):
        what_if(study, THRESHOLDS)
    with pytest.raises(NotFound, match="'nope' is not among the sites counted"):
        what_if(study, THRESHOLDS, remove=["nope"])


@pytest.mark.parametrize("text,expected", [("41.88,-87.63", (41.88, -87.63)),
                                           (" 40 , -89.5 ", (40.0, -89.5))])
def test_proposed_sites_are_read_latitude_first(text: str, expected) -> None:
    assert parse_proposed_site(text) == ProposedSite(*expected)


@pytest.mark.parametrize("text", ["41.88", "41.88,-87.63,3", "north,west", "95,-87", "41,-190"])
def test_bad_proposed_sites_say_what_to_type(text: str) -> None:
    with pytest.raises(InvalidInput, match="LAT,LON"):
        parse_proposed_site(text)
