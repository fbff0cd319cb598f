"""The coverage engine on the real public data: every US library outlet, every Census tract.

The Illinois total is the figure the issue and MANIFEST.md state for the 2020 tract file;
county sums are compared with the Census county file, an independent tabulation.
"""

from __future__ import annotations

import numpy as np
import pytest

from locator.coverage import CoverageQuery, CoverageStudy, Geography, parse_thresholds
from locator.geo import haversine_mi
from locator.sites import Status
from locator.store import PopulationPoints, open_store
from locator.whatif import ProposedSite, what_if

pytestmark = pytest.mark.slow

ILLINOIS = "17"
ILLINOIS_RESIDENTS_2020 = 12_812_508
THRESHOLDS = parse_thresholds(["2", "5", "10"])


@pytest.fixture(scope="module")
def national(national_db_url: str) -> tuple[list, PopulationPoints, PopulationPoints]:
    with open_store(national_db_url) as store:
        return (store.sites(statuses=[Status.APPROVED]), store.population("tract"),
                store.population("county"))


@pytest.fixture(scope="module")
def illinois(national) -> CoverageStudy:
    sites, tracts, _ = national
    return CoverageStudy(sites, tracts, CoverageQuery(state_fips=(ILLINOIS,)))


def brute_force_nearest_mi(sites, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Every point against every site with the haversine reference, in chunks."""
    site_lat = np.array([s.lat for s in sites])
    site_lon = np.array([s.lon for s in sites])
    return np.concatenate([
        haversine_mi(lat[i:i + 256, None], lon[i:i + 256, None], site_lat[None, :],
                     site_lon[None, :]).min(axis=1)
        for i in range(0, len(lat), 256)
    ])


def test_illinois_tracts_add_up_and_each_lands_in_its_county(illinois, national) -> None:
    _, _, county_centers = national
    report = illinois.report(THRESHOLDS)
    assert report.total.population == ILLINOIS_RESIDENTS_2020
    assert len(report.rows) == 102
    assert sum(r.population for r in report.rows) == ILLINOIS_RESIDENTS_2020
    for i, area_id in enumerate(illinois.areas.ids):
        tract_ids = illinois.points.ids[illinois.areas.of_point == i]
        assert all(t.startswith(area_id) for t in tract_ids.tolist())
    county_population = dict(zip(county_centers.ids.tolist(),
                                 county_centers.population.tolist(), strict=True))
    assert {r.area_id: r.population for r in report.rows} == {
        fips: n for fips, n in county_population.items() if fips.startswith(ILLINOIS)}
    assert sum(r.sites for r in report.rows) == report.total.sites == sum(
        1 for s in illinois.index.sites if s.county_fips.startswith(ILLINOIS))


def test_illinois_distances_equal_brute_force(illinois) -> None:
    reference = brute_force_nearest_mi(illinois.index.sites, illinois.points.lat,
                                       illinois.points.lon)
    assert np.abs(illinois.distance_mi - reference).max() <= 1e-6


def test_national_sample_distances_equal_brute_force(national) -> None:
    sites, tracts, _ = national
    study = CoverageStudy(sites, tracts, CoverageQuery(geography=Geography.STATE))
    sample = np.random.default_rng(2020).choice(len(tracts), 2000, replace=False)
    reference = brute_force_nearest_mi(study.index.sites, tracts.lat[sample], tracts.lon[sample])
    assert np.abs(study.distance_mi[sample] - reference).max() <= 1e-6


def test_state_limit_keeps_sites_across_the_state_line(illinois, national) -> None:
    sites, tracts, _ = national
    everywhere = CoverageStudy(sites, tracts, CoverageQuery())
    in_illinois = np.array([c.startswith(ILLINOIS) for c in tracts.county_fips.tolist()])
    assert np.array_equal(illinois.distance_mi, everywhere.distance_mi[in_illinois])
    nearest_state = np.array([illinois.index.sites[i].county_fips[:2]
                              for i in illinois.nearest.tolist()])
    # Residents by the Mississippi, the Wabash and the Wisconsin line are nearest a library in
    # another state: the state limit must not have thrown those sites away.
    assert (nearest_state != ILLINOIS).sum() > 0


def test_national_county_report_sums_to_the_us_total(national) -> None:
    sites, tracts, counties = national
    report = CoverageStudy(sites, tracts, CoverageQuery()).report(THRESHOLDS)
    assert report.total.population == counties.population.sum() == tracts.population.sum()
    assert sum(r.population for r in report.rows) == report.total.population
    assert report.sites_counted == sum(1 for s in sites if not s.temporarily_closed)
    for i in range(len(THRESHOLDS)):
        assert sum(r.within[i].population for r in report.rows) == \
            report.total.within[i].population


def test_illinois_what_if_matches_full_recomputation(illinois, national) -> None:
    sites, tracts, _ = national
    removed = illinois.index.sites[int(np.bincount(illinois.nearest).argmax())]
    farthest = int(np.argmax(np.where(illinois.points.population > 0, illinois.distance_mi, 0)))
    added = ProposedSite(float(illinois.points.lat[farthest]),
                         float(illinois.points.lon[farthest]))
    result = what_if(illinois, THRESHOLDS, add=[added], remove=[removed.id])
    assert result.total.newly_covered[-1] > 0 and result.total.losing_coverage[0] > 0
    changed = [s for s in sites if s.id != removed.id] + [
        removed.replace(id="proposed", lat=added.lat, lon=added.lon)]
    after = CoverageStudy(changed, tracts, CoverageQuery(state_fips=(ILLINOIS,)))
    before_report, after_report = illinois.report(THRESHOLDS), after.report(THRESHOLDS)
    for i, t in enumerate(THRESHOLDS):
        gained = (illinois.distance_mi > t.miles) & (after.distance_mi <= t.miles)
        lost = (illinois.distance_mi <= t.miles) & (after.distance_mi > t.miles)
        assert result.total.newly_covered[i] == illinois.points.population[gained].sum()
        assert result.total.losing_coverage[i] == illinois.points.population[lost].sum()
        assert result.total.newly_covered[i] - result.total.losing_coverage[i] == \
            after_report.total.within[i].population - before_report.total.within[i].population
    assert result.total.mean_distance_after_mi == pytest.approx(
        after_report.total.mean_distance_mi, abs=1e-9)
