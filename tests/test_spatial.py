"""The spatial index against a deliberately naive brute-force reference."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest

from locator.errors import InvalidInput, NotFound
from locator.geo import haversine_mi
from locator.sites import PUBLIC, Kind, Site, SiteFilter, Status
from locator.spatial import Catalog, SiteIndex, brute_force_nearest


def make_site(site_id: str, lat: float, lon: float, **fields: object) -> Site:
    return Site(id=site_id, name=f"Site {site_id}", kind=fields.pop("kind", Kind.LIBRARY),
                lat=lat, lon=lon, **fields)  # type: ignore[arg-type]


@pytest.fixture
def random_sites() -> list[Site]:
    rng = np.random.default_rng(7)
    sites = [make_site(f"r{i:04d}", float(lat), float(lon)) for i, (lat, lon) in
             enumerate(zip(rng.uniform(-60, 75, 3000), rng.uniform(-180, 180, 3000), strict=True))]
    # Exact duplicates of location: ties that only the id can settle.
    return sites + [make_site(f"d{i:04d}", s.lat, s.lon) for i, s in enumerate(sites[:200])]


def test_haversine_matches_known_distance() -> None:
    # One degree of latitude on a sphere of mean radius 3,958.76 mi is 69.09 mi.
    assert float(haversine_mi(40, -90, 41, -90)) == pytest.approx(69.093, abs=1e-3)
    assert float(haversine_mi(0, 0, 0, 180)) == pytest.approx(np.pi * 3958.7613, rel=1e-6)


def test_nearest_matches_brute_force_everywhere(random_sites: list[Site]) -> None:
    index = SiteIndex(random_sites)
    rng = np.random.default_rng(11)
    queries = [(float(a), float(b)) for a, b in
               zip(rng.uniform(-90, 90, 300), rng.uniform(-180, 180, 300), strict=True)]
    queries += [(s.lat, s.lon) for s in random_sites[:50]]  # on top of tied sites
    queries += [(89.99, 0.0), (-89.99, 45.0), (10.0, 179.999), (10.0, -179.999)]
    for lat, lon in queries:
        for k in (1, 3, 10):
            fast = index.nearest(lat, lon, k=k)
            slow = brute_force_nearest(random_sites, lat, lon, k=k)
            assert [n.site.id for n in fast] == [n.site.id for n in slow]
            assert np.allclose([n.distance_mi for n in fast], [n.distance_mi for n in slow],
                               rtol=0, atol=1e-6)


def test_nearest_breaks_ties_by_id() -> None:
    sites = [make_site(name, 40.0, -90.0) for name in ("c", "a", "b")]
    assert [n.site.id for n in SiteIndex(sites).nearest(40.5, -90.0, k=2)] == ["a", "b"]


def test_within_radius_matches_brute_force(random_sites: list[Site]) -> None:
    index = SiteIndex(random_sites)
    for lat, lon in [(40.0, -90.0), (0.0, 179.9), (-33.0, 151.0)]:
        for radius_mi in (50.0, 500.0, 2000.0):
            fast = index.within(lat, lon, radius_mi)
            slow = brute_force_nearest(random_sites, lat, lon, k=len(random_sites),
                                       within_mi=radius_mi)
            assert [n.site.id for n in fast] == [n.site.id for n in slow]
            assert all(n.distance_mi <= radius_mi for n in fast)


def test_nearest_within_stops_at_the_radius() -> None:
    sites = [make_site("near", 40.0, -90.0), make_site("far", 45.0, -90.0)]
    found = SiteIndex(sites).nearest(40.1, -90.0, k=10, within_mi=50)
    assert [n.site.id for n in found] == ["near"]


def test_nearest_with_fewer_sites_than_k_returns_them_all() -> None:
    sites = [make_site("only", 40.0, -90.0)]
    assert [n.site.id for n in SiteIndex(sites).nearest(0.0, 0.0, k=5)] == ["only"]
    assert SiteIndex([]).nearest(0.0, 0.0, k=5) == []


def test_batch_nearest_distance_matches_brute_force(random_sites: list[Site]) -> None:
    index = SiteIndex(random_sites)
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-80, 80, 500), rng.uniform(-180, 180, 500)
    distance_mi, position = index.nearest_distance_mi(lat, lon)
    reference = haversine_mi(lat[:, None], lon[:, None], index.lat[None, :], index.lon[None, :])
    assert np.allclose(distance_mi, reference.min(axis=1), rtol=0, atol=1e-6)
    assert np.allclose(reference[np.arange(500), position], reference.min(axis=1), atol=1e-6)


def test_nearest_skips_unapproved_sites() -> None:
    catalog = Catalog([
        make_site("pending", 40.0, -90.0, status=Status.PENDING),
        make_site("retired", 40.0, -90.001, status=Status.RETIRED),
        make_site("public", 41.0, -90.0),
    ])
    assert [n.site.id for n in catalog.nearest(40.0, -90.0, k=5)] == ["public"]
    with pytest.raises(NotFound):
        catalog.get("pending", site_filter=SiteFilter())


def test_nearest_filters_by_kind_and_program() -> None:
    catalog = Catalog([
        make_site("lib", 40.0, -90.0),
        make_site("ajc", 40.1, -90.0, kind=Kind.COMPREHENSIVE_CENTER,
                  programs=frozenset({"title_i_adult"})),
        make_site("bm", 40.2, -90.0, kind=Kind.BOOKMOBILE),
    ])
    kinds = SiteFilter(kinds=frozenset({Kind.BOOKMOBILE, Kind.COMPREHENSIVE_CENTER}))
    assert [n.site.id for n in catalog.nearest(40.0, -90.0, site_filter=kinds)] == ["ajc", "bm"]
    program = SiteFilter(program="title_i_adult")
    assert [n.site.id for n in catalog.nearest(40.0, -90.0, site_filter=program)] == ["ajc"]


@pytest.mark.parametrize(("lat", "lon", "k", "within_mi"), [
    (95.0, 0.0, 10, None), (0.0, 181.0, 10, None), (float("nan"), 0.0, 10, None),
    (0.0, 0.0, 0, None), (0.0, 0.0, 100_000, None), (0.0, 0.0, 10, -1.0),
    (0.0, 0.0, 10, float("inf")),
])
def test_bad_query_parameters_are_rejected(lat: float, lon: float, k: int,
                                           within_mi: float | None) -> None:
    with pytest.raises(InvalidInput):
        Catalog([make_site("a", 0.0, 0.0)]).nearest(lat, lon, k=k, within_mi=within_mi)


def test_bbox_query_handles_the_antimeridian() -> None:
    catalog = Catalog([make_site("east", 0.0, 179.5), make_site("west", 0.0, -179.5),
                       make_site("mid", 0.0, 0.0)])
    assert [s.id for s in catalog.in_bbox(179.0, -1.0, -179.0, 1.0)] == ["east", "west"]
    assert [s.id for s in catalog.in_bbox(-1.0, -1.0, 1.0, 1.0)] == ["mid"]


def test_catalog_updated_site_by_site_answers_as_one_built_afresh() -> None:
    rng = random.Random(8)
    kinds = list(Kind)
    sites = {f"s{n:03d}": Site(f"s{n:03d}", f"Site {n}", rng.choice(kinds),
                               rng.uniform(36, 42), rng.uniform(-92, -86)) for n in range(300)}
    filters = (PUBLIC, SiteFilter(kinds=frozenset({Kind.LIBRARY})),
               SiteFilter(kinds=frozenset({Kind.ACCESS_SITE, Kind.BOOKMOBILE})))
    catalog = Catalog(sites.values())
    for step in range(60):
        for site_filter in filters:
            catalog.index(site_filter)
        before = {f: catalog.index(f) for f in filters}
        site = sites[rng.choice(sorted(sites))]
        change = rng.choice(("edit", "move", "kind", "add", "remove"))
        if change == "edit":
            changed = [site.replace(phone=f"555-{step:04d}")]
        elif change == "move":
            changed = [site.replace(lat=site.lat + 0.01)]
        elif change == "kind":
            changed = [site.replace(kind=rng.choice(kinds))]
        elif change == "add":
            changed = [site.replace(id=f"new-{step}")]
        else:
            changed = []
        sites.update({s.id: s for s in changed})
        removed = [site.id] if change == "remove" else []
        for site_id in removed:
            del sites[site_id]
        catalog = catalog.updated(changed, removed_ids=removed)
        if change == "edit":  # nothing moved: every index keeps its trees
            assert all(catalog.index(f)._tree is before[f]._tree for f in filters)
        fresh = Catalog(sites.values())
        assert catalog.sites == fresh.sites
        for site_filter in filters:
            lat, lon = rng.uniform(36, 42), rng.uniform(-92, -86)
            assert catalog.nearest(lat, lon, k=7, site_filter=site_filter) == \
                fresh.nearest(lat, lon, k=7, site_filter=site_filter)
            assert catalog.within(lat, lon, 60, site_filter=site_filter) == \
                fresh.within(lat, lon, 60, site_filter=site_filter)
            assert catalog.in_bbox(-90, 38, -88, 40, site_filter=site_filter) == \
                fresh.in_bbox(-90, 38, -88, 40, site_filter=site_filter)


_OPENMP_TEAMS = """
import json, sys
import web  # everything the app imports, in its order
from threadpoolctl import threadpool_info
print(json.dumps([i["num_threads"] for i in threadpool_info() if i["user_api"] == "openmp"]))
"""


@pytest.mark.parametrize("asked", [None, "2"])
def test_single_point_queries_run_on_one_openmp_thread_unless_the_operator_asks(asked):
    # pykdtree's OpenMP team, woken for every one-point query, costs milliseconds per query
    # on a busy machine: the app must load the runtime with one thread, yet keep an
    # operator's own OMP_NUM_THREADS.
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if asked:
        env["OMP_NUM_THREADS"] = asked
    out = subprocess.run([sys.executable, "-c", _OPENMP_TEAMS], env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    teams = json.loads(out.strip().splitlines()[-1])
    assert teams, "pykdtree's OpenMP runtime was not loaded"
    assert set(teams) == {int(asked or 1)}
