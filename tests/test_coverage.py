"""The coverage engine against hand-made geometries and naive per-area references."""

from __future__ import annotations

import numpy as np
import pytest

from locator.coverage import (
    CountedSites,
    CoverageQuery,
    CoverageStudy,
    GapReason,
    GapRule,
    Geography,
    counted_key,
    load_population,
    load_study,
    parse_thresholds,
    program_matrix,
    weighted_median,
)
from locator.errors import InvalidInput, NotFound
from locator.geo import haversine_mi
from locator.regions import parse_regions
from locator.sites import Kind, Site, SiteFilter, Status
from locator.store import PopulationPoints, Store


def make_site(site_id: str, lat: float, lon: float, county_fips: str, **fields: object) -> Site:
    return Site(id=site_id, name=f"Site {site_id}", kind=fields.pop("kind", Kind.LIBRARY),
                lat=lat, lon=lon, county_fips=county_fips, **fields)  # type: ignore[arg-type]


def make_points(rows: list[tuple[str, str, int, float, float]]) -> PopulationPoints:
    return PopulationPoints.from_rows(rows, level="tract", vintage="2020")


@pytest.fixture
def random_world() -> tuple[list[Site], PopulationPoints]:
    """Sites and residents scattered over six made-up counties in two states."""
    rng = np.random.default_rng(2020)
    counties = ["17001", "17003", "17005", "18001", "18003", "18005"]
    sites = [make_site(f"s{i:03d}", float(lat), float(lon), str(rng.choice(counties)),
                       kind=Kind.LIBRARY if i % 3 else Kind.ACCESS_SITE)
             for i, (lat, lon) in enumerate(zip(rng.uniform(37, 42, 60),
                                                rng.uniform(-91, -85, 60), strict=True))]
    rows = [(f"p{i:04d}", str(rng.choice(counties)), int(rng.integers(0, 9000)),
             float(lat), float(lon))
            for i, (lat, lon) in enumerate(zip(rng.uniform(37, 42, 800),
                                               rng.uniform(-91, -85, 800), strict=True))]
    return sites, make_points(rows)


def naive_distances(sites: list[Site], points: PopulationPoints) -> np.ndarray:
    """Every point against every site with the haversine reference."""
    return np.array([min(float(haversine_mi(lat, lon, s.lat, s.lon)) for s in sites)
                     for lat, lon in zip(points.lat.tolist(), points.lon.tolist(), strict=True)])


def naive_lower_weighted_median(distances: list[float], weights: list[int]) -> float:
    total = sum(weights)
    running = 0
    for distance, weight in sorted(zip(distances, weights, strict=True)):
        running += weight
        if 2 * running >= total:
            return distance
    raise AssertionError("unreachable for a positive total")


def test_distances_equal_brute_force_great_circle(random_world) -> None:
    sites, points = random_world
    study = CoverageStudy(sites, points, CoverageQuery())
    assert np.allclose(study.distance_mi, naive_distances(sites, points), rtol=0, atol=1e-6)


def test_county_figures_match_naive_per_area_reference(random_world) -> None:
    sites, points = random_world
    thresholds = parse_thresholds(["10", "25.5"])
    report = CoverageStudy(sites, points, CoverageQuery()).report(thresholds)
    distance = naive_distances(sites, points)
    assert [row.area_id for row in report.rows] == sorted(set(points.county_fips.tolist()))
    for row in report.rows:
        mine = points.county_fips == row.area_id
        pop, dist = points.population[mine], distance[mine]
        assert row.population == pop.sum()
        assert row.mean_distance_mi == pytest.approx((pop * dist).sum() / pop.sum(), abs=1e-6)
        assert row.median_distance_mi == pytest.approx(
            naive_lower_weighted_median(dist.tolist(), pop.tolist()), abs=1e-6)
        for count, miles in zip(row.within, (10, 25.5), strict=True):
            assert count.population == pop[dist <= miles].sum()
            assert count.share == pytest.approx(pop[dist <= miles].sum() / pop.sum())
        assert row.population_beyond == pop[dist > 25.5].sum()
        assert row.sites == sum(1 for s in sites if s.county_fips == row.area_id)
        assert row.sites_by_kind == {
            kind.value: n for kind in Kind
            if (n := sum(1 for s in sites if s.county_fips == row.area_id and s.kind is kind))}
        assert row.sites_per_10k == pytest.approx(row.sites * 10_000 / row.population)


def test_area_rows_add_up_to_the_total(random_world) -> None:
    sites, points = random_world
    for geography in (Geography.COUNTY, Geography.STATE, Geography.TOTAL):
        report = CoverageStudy(sites, points, CoverageQuery(geography=geography)).report(
            parse_thresholds([5, 15]))
        assert sum(r.population for r in report.rows) == report.total.population \
            == points.population.sum()
        assert sum(r.sites for r in report.rows) == report.total.sites == len(sites)
        for i in range(2):
            assert sum(r.within[i].population for r in report.rows) == \
                report.total.within[i].population
        assert sum(r.population_beyond for r in report.rows) == report.total.population_beyond


def test_weighted_median_matches_brute_force_with_zero_weights_and_ties() -> None:
    rng = np.random.default_rng(5)
    area = rng.integers(0, 40, 2000)
    population = rng.integers(0, 5, 2000)  # many zero-population points and even splits
    distance = rng.integers(0, 30, 2000).astype(float)  # many tied distances
    median = weighted_median(area, 41, population, distance)
    for a in range(40):
        mine = area == a
        if population[mine].sum() == 0:
            assert np.isnan(median[a])
        else:
            assert median[a] == naive_lower_weighted_median(distance[mine].tolist(),
                                                            population[mine].tolist())
    assert np.isnan(median[40])  # an area no point lies in


def test_weighted_median_is_the_lower_one_on_an_even_split() -> None:
    median = weighted_median(np.zeros(2, dtype=np.intp), 1, np.array([5, 5]),
                             np.array([3.0, 1.0]))
    assert median.tolist() == [1.0]


def test_state_limit_keeps_the_cross_border_site() -> None:
    # A resident just inside Illinois whose nearest site is just across the Indiana line.
    sites = [make_site("in-1", 40.0, -87.52, "18165"), make_site("il-1", 40.0, -88.50, "17019")]
    points = make_points([("17183000100", "17183", 1000, 40.0, -87.54),
                          ("18165000100", "18165", 500, 40.0, -87.40)])
    report = CoverageStudy(sites, points, CoverageQuery(state_fips=("17",))).report(
        parse_thresholds(["2"]))
    assert report.total.population == 1000  # the Indiana resident is not counted
    [row] = report.rows
    assert row.area_id == "17183"
    assert row.mean_distance_mi == pytest.approx(float(haversine_mi(40.0, -87.54, 40.0, -87.52)))
    assert row.within[0].population == 1000
    assert row.sites == 0 and row.gap_reasons == (GapReason.NO_SITE,)
    assert report.total.sites == 1  # the Illinois site; the Indiana one serves but is not in IL


def test_gaps_are_flagged_and_ranked_by_uncovered_residents() -> None:
    sites = [make_site("a", 40.0, -89.0, "17001")]
    points = make_points([
        ("t1", "17001", 100, 40.0, -89.0),       # has a site, everyone near
        ("t2", "17003", 300, 40.0, -89.05),      # no site in county, but within 5 mi
        ("t3", "17005", 200, 40.0, -90.0),       # no site, far: 200 uncovered
        ("t4", "17007", 900, 40.0, -91.0),       # no site, far: 900 uncovered
        ("t5", "17001", 50, 40.5, -89.0),        # far part of the county with the site
    ])
    report = CoverageStudy(sites, points, CoverageQuery()).report(
        parse_thresholds([5]), GapRule(max_uncovered_share=0.25))
    gaps = report.gaps()
    assert [(r.area_id, r.population_beyond) for r in gaps] == [
        ("17007", 900), ("17005", 200), ("17001", 50), ("17003", 0)]
    assert gaps[0].gap_reasons == (GapReason.NO_SITE, GapReason.UNCOVERED_SHARE)
    assert gaps[2].uncovered_share == pytest.approx(50 / 150)
    assert gaps[2].gap_reasons == (GapReason.UNCOVERED_SHARE,)
    assert gaps[3].gap_reasons == (GapReason.NO_SITE,)
    lenient = CoverageStudy(sites, points, CoverageQuery()).report(
        parse_thresholds([5]), GapRule(max_uncovered_share=0.5))
    assert not next(r for r in lenient.rows if r.area_id == "17001").is_gap


def test_kind_and_program_filters_choose_the_sites_that_count() -> None:
    sites = [make_site("lib", 40.0, -89.0, "17001"),
             make_site("ajc", 40.0, -89.5, "17001", kind=Kind.COMPREHENSIVE_CENTER,
                       programs=frozenset({"title_ii_adult_education"})),
             make_site("closed", 40.0, -89.2, "17001", kind=Kind.COMPREHENSIVE_CENTER,
                       temporarily_closed=True, programs=frozenset({"title_ii_adult_education"})),
             make_site("pending", 40.0, -89.3, "17001", kind=Kind.COMPREHENSIVE_CENTER,
                       status=Status.PENDING, programs=frozenset({"title_ii_adult_education"}))]
    points = make_points([("t1", "17001", 10, 40.0, -89.25)])
    only_centers = SiteFilter(kinds=frozenset({Kind.COMPREHENSIVE_CENTER}))
    adult_ed = SiteFilter(program="title_ii_adult_education")
    for site_filter in (only_centers, adult_ed):
        study = CoverageStudy(sites, points, CoverageQuery(site_filter=site_filter))
        assert [s.id for s in study.index.sites] == ["ajc"]
        assert study.distance_mi[0] == pytest.approx(float(haversine_mi(40, -89.25, 40, -89.5)))


def test_without_any_site_everyone_is_beyond_and_distances_are_unknown() -> None:
    points = make_points([("t1", "17001", 10, 40.0, -89.0), ("t2", "17003", 0, 40, -88)])
    report = CoverageStudy([], points, CoverageQuery()).report(parse_thresholds([5]))
    row = report.rows[0]
    assert (row.mean_distance_mi, row.median_distance_mi) == (None, None)
    assert row.population_beyond == 10 and row.within[0].share == 0
    empty = report.rows[1]
    assert empty.population == 0 and empty.within[0].share is None and not empty.is_gap
    assert empty.sites_per_10k is None


def test_thresholds_keep_their_spelling_as_labels() -> None:
    thresholds = parse_thresholds(["2", "5", "2.5", 10.0, 0.25])
    assert [t.label for t in thresholds] == ["2", "5", "2.5", "10", "0.25"]
    assert thresholds[2].population_key == "population_within_2.5_mi"
    assert thresholds[0].share_key == "share_within_2_mi"


@pytest.mark.parametrize("values", [[], ["0"], ["-3"], ["five"], ["nan"], ["2", "2.0"]])
def test_bad_thresholds_say_what_to_fix(values) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_thresholds(values)
    assert error.value.parameter == "within"


def test_region_geography_groups_counties_and_reports_the_rest_as_outside() -> None:
    regions = parse_regions("county_fips,region\n17001,North\n17003,North\n17005,South\n",
                            known_counties={"17001", "17003", "17005", "17007"})
    sites = [make_site("a", 40.0, -89.0, "17001"), make_site("b", 39.0, -89.0, "17005"),
             make_site("c", 38.0, -89.0, "17007")]
    points = make_points([("t1", "17001", 100, 40.0, -89.0), ("t2", "17003", 300, 40.1, -89.0),
                          ("t3", "17005", 200, 39.0, -89.0), ("t4", "17007", 900, 38, -89)])
    report = CoverageStudy(sites, points, CoverageQuery(geography=Geography.REGION,
                                                        regions=regions)).report(
        parse_thresholds([5]))
    assert [(r.area_id, r.name, r.population, r.sites) for r in report.rows] == [
        ("North", "North", 400, 1), ("South", "South", 200, 1)]
    assert report.population_outside_regions == 900
    assert report.total.population == 600 and report.total.sites == 2


def test_region_geography_needs_a_regions_file_and_only_it_uses_one() -> None:
    with pytest.raises(InvalidInput, match="regions file"):
        CoverageQuery(geography=Geography.REGION)
    regions = parse_regions("fips,name\n17001,North\n", known_counties={"17001"})
    with pytest.raises(InvalidInput, match="only used when reporting by region"):
        CoverageQuery(geography=Geography.COUNTY, regions=regions)


def test_population_falls_back_to_county_centers_and_checks_states(fresh_store: Store) -> None:
    with pytest.raises(NotFound, match="no population points"):
        load_population(fresh_store)
    fresh_store.replace_population("county", [("17001", "17001", 65000, 40.0, -91.2)], "2020")
    assert load_population(fresh_store).level == "county"
    fresh_store.replace_population("tract", [("17001000100", "17001", 4000, 40.0, -91.2)],
                                   "2020")
    assert load_population(fresh_store, ("17",)).level == "tract"
    with pytest.raises(NotFound, match="18"):
        load_population(fresh_store, ("17", "18"))


def test_study_from_the_store_counts_only_approved_open_sites(fresh_store: Store) -> None:
    fresh_store.upsert_sites([make_site("a", 40.0, -89.0, "17001"),
                              make_site("b", 40.0, -89.01, "17001", status=Status.PENDING)])
    fresh_store.replace_population("tract", [("17001000100", "17001", 10, 40.0, -89.02)], "2020")
    study = load_study(fresh_store, CoverageQuery())
    assert [s.id for s in study.index.sites] == ["a"]
    report = study.report(parse_thresholds([1]))
    assert report.rows[0].sites == 1 and report.population_level == "tract"


def test_areas_are_named_from_the_shipped_geodata() -> None:
    points = make_points([("t1", "17031", 10, 41.8, -87.7), ("t2", "18089", 10, 41.5, -87.4),
                          ("t3", "02063", 10, 61.0, -145.0)])  # a county newer than the outlines
    names = {
        geography: [r.name for r in CoverageStudy([], points, CoverageQuery(
            geography=geography)).report(parse_thresholds([5])).rows]
        for geography in (Geography.COUNTY, Geography.STATE, Geography.TOTAL)}
    assert names == {Geography.COUNTY: ["02063", "Cook County, IL", "Lake County, IN"],
                     Geography.STATE: ["Alaska", "Illinois", "Indiana"],
                     Geography.TOTAL: ["Total"]}


def test_program_matrix_uses_only_the_sites_offering_each_program() -> None:
    sites = [make_site("adult-ed", 40.0, -89.0, "17001",
                       programs=frozenset({"title_ii_adult_education"})),
             make_site("both", 40.0, -90.0, "17003",
                       programs=frozenset({"title_ii_adult_education", "title_i_youth"})),
             make_site("none", 40.0, -89.5, "17001")]
    points = make_points([("t1", "17001", 100, 40.0, -89.1), ("t2", "17003", 50, 40.0, -89.9)])
    thresholds = parse_thresholds([10])
    matrix = program_matrix(sites, points, CoverageQuery(), thresholds)
    assert matrix.programs == ("title_i_youth", "title_ii_adult_education")  # catalogue order
    youth = matrix.cell("17001", "title_i_youth")
    assert youth.sites == 0
    assert youth.mean_distance_mi == pytest.approx(float(haversine_mi(40, -89.1, 40, -90)))
    assert matrix.cell("17001", "title_ii_adult_education").sites == 1
    for program in matrix.programs:
        alone = CoverageStudy(sites, points, CoverageQuery(
            site_filter=SiteFilter(program=program))).report(thresholds)
        assert matrix.reports[matrix.programs.index(program)] == alone
    as_json = matrix.to_json()
    assert as_json["rows"][1]["programs"]["title_i_youth"]["sites"] == 1
    assert as_json["rows"][0]["programs"]["title_i_youth"]["population_within_10_mi"] == 0


def test_program_matrix_needs_programs_and_no_single_program_filter() -> None:
    points = make_points([("t1", "17001", 100, 40.0, -89.1)])
    with pytest.raises(NotFound, match="no counted site lists any program"):
        program_matrix([make_site("a", 40, -89, "17001")], points, CoverageQuery(),
                       parse_thresholds([5]))
    with pytest.raises(InvalidInput, match="leave out --program"):
        program_matrix([], points, CoverageQuery(site_filter=SiteFilter(program="tanf")),
                       parse_thresholds([5]))


def test_distance_distribution_counts_residents_per_band(random_world) -> None:
    sites, points = random_world
    study = CoverageStudy(sites, points, CoverageQuery())
    distribution = study.distance_distribution([0, 2, 5, 10, 25])
    distance = naive_distances(sites, points)
    bands = [(-np.inf, 2), (2, 5), (5, 10), (10, 25), (25, np.inf)]
    assert distribution.residents == tuple(
        int(points.population[(distance > lower) & (distance <= upper)].sum())
        for lower, upper in bands)
    assert sum(distribution.residents) == points.population.sum()
    assert distribution.to_json()["bands"][-1] == {"from_mi": 25.0, "to_mi": None,
                                                   "residents": distribution.residents[-1]}
    with pytest.raises(InvalidInput, match="start at 0 and increase"):
        study.distance_distribution([1, 5])
    with pytest.raises(InvalidInput, match="start at 0 and increase"):
        study.distance_distribution([0, 5, 5])


def test_distance_bands_agree_with_within_counts_at_their_edges() -> None:
    # A resident on top of a site (0 mi) and one whose distance is itself a band edge.
    sites = [make_site("a", 40.0, -89.0, "17001")]
    points = make_points([("t1", "17001", 100, 40.0, -89.0), ("t2", "17001", 7, 40.3, -89.0)])
    study = CoverageStudy(sites, points, CoverageQuery())
    edge_mi = float(study.distance_mi[1])
    distribution = study.distance_distribution([0, edge_mi, 2 * edge_mi])
    assert distribution.residents == (107, 0, 0)
    report = study.report(parse_thresholds([edge_mi]))
    assert report.total.within[0].population == 107 == sum(distribution.residents[:2])


def test_a_study_given_shared_counted_sites_equals_one_that_counts_them_itself(
        random_world) -> None:
    sites, points = random_world
    libraries = SiteFilter(kinds=frozenset({Kind.LIBRARY}))
    shared = CountedSites.of(sites, CoverageQuery(site_filter=libraries, state_fips=("18",)))
    query = CoverageQuery(site_filter=libraries, state_fips=("17",))
    assert counted_key(query) == counted_key(CoverageQuery(site_filter=libraries,
                                                           state_fips=("18",)))
    within = parse_thresholds(["5", "30"])
    assert (CoverageStudy(sites, points, query, counted=shared).report(within).to_json()
            == CoverageStudy(sites, points, query).report(within).to_json())
    assert counted_key(query) != counted_key(CoverageQuery(state_fips=("17",)))


def _changed_world(sites: list[Site], rng: np.random.Generator
                   ) -> tuple[list[Site], dict[str, Site | None]]:
    """The sites after a handful of random changes of each kind a catalog sees, and the
    change as ``CountedSites.updated`` takes it (new version, or None for one gone)."""
    by_id = {s.id: s for s in sites}
    changed: dict[str, Site | None] = {}
    for site_id in rng.choice(sorted(by_id), size=8, replace=False).tolist():
        site, change = by_id[site_id], int(rng.integers(0, 6))
        new: Site | None
        if change == 0:
            new = None  # retired
        elif change == 1:
            new = site.replace(lat=site.lat + 0.3, lon=site.lon - 0.2)  # moved
        elif change == 2:
            new = site.replace(kind=Kind.ACCESS_SITE if site.kind is Kind.LIBRARY
                               else Kind.LIBRARY)
        elif change == 3:
            new = site.replace(temporarily_closed=not site.temporarily_closed)
        elif change == 4:
            new = site.replace(county_fips="18005" if site.county_fips != "18005" else "17001")
        else:
            new = site.replace(phone="217-555-0100")  # nothing coverage reads
        changed[site_id] = new
    for i in range(2):
        changed[f"new{i}"] = make_site(f"new{i}", float(rng.uniform(37, 42)),
                                       float(rng.uniform(-91, -85)), "17003",
                                       kind=Kind.MOBILE_CENTER if i else Kind.LIBRARY,
                                       hours="Tu 10:00-14:00" if i else "")
    for site_id, new in changed.items():
        if new is None:
            del by_id[site_id]
        else:
            by_id[site_id] = new
    return list(by_id.values()), changed


@pytest.mark.parametrize("site_filter", [SiteFilter(), SiteFilter(kinds=frozenset({Kind.LIBRARY})),
                                         SiteFilter(kinds=frozenset({Kind.MOBILE_CENTER}))])
@pytest.mark.parametrize("seed", range(4))
def test_counted_sites_updated_with_a_change_equal_those_counted_afresh(
        random_world, site_filter: SiteFilter, seed: int) -> None:
    sites, points = random_world
    rng = np.random.default_rng(seed)
    query = CoverageQuery(site_filter=site_filter, state_fips=("17",), weekday=1 if seed % 2
                          else None)
    before = CountedSites.of(sites, query)
    after_sites, changed = _changed_world(sites, rng)
    updated, fresh = before.updated(changed), CountedSites.of(after_sites, query)
    assert updated.index.sites == fresh.index.sites
    np.testing.assert_array_equal(updated.index.lat, fresh.index.lat)
    np.testing.assert_array_equal(updated.index.lon, fresh.index.lon)
    assert dict(updated.stop_days) == dict(fresh.stop_days)
    assert dict(updated.site_position) == dict(fresh.site_position)
    assert updated.counties == fresh.counties
    np.testing.assert_array_equal(updated.county_of_site, fresh.county_of_site)
    np.testing.assert_array_equal(updated.kind_of_site, fresh.kind_of_site)
    # A study recounted over them reports what one built afresh on the new sites does.
    within = parse_thresholds(["5", "30"])
    recounted = CoverageStudy(sites, points, query, counted=before).recounted(updated)
    reference = CoverageStudy(after_sites, points, query)
    np.testing.assert_array_equal(recounted.distance_mi, reference.distance_mi)
    assert recounted.report(within).to_json() == reference.report(within).to_json()


def test_counted_sites_a_change_does_not_reach_are_kept_as_they_are(random_world) -> None:
    sites, _ = random_world
    libraries = CountedSites.of(sites, CoverageQuery(site_filter=SiteFilter(
        kinds=frozenset({Kind.LIBRARY}))))
    access = next(s for s in sites if s.kind is Kind.ACCESS_SITE)
    assert libraries.updated({access.id: access.replace(lat=access.lat + 1)}) is libraries
    library = next(s for s in sites if s.kind is Kind.LIBRARY)
    renamed = libraries.updated({library.id: library.replace(name="Renamed")})
    assert renamed.index.sites[renamed.site_position[library.id]].name == "Renamed"
