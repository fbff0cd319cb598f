"""Every worker sees every change: a committed write reaches the next request, only the
changed sites are put into the catalog, and coverage studies a change does not touch stay."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from planner_data import make_coverage_db
from web_sites import make_db

from locator.coverage import (
    CountedSites,
    CoverageQuery,
    CoverageStudy,
    Threshold,
    load_population,
)
from locator.sites import PUBLIC, Kind, Site, SiteFilter, Status
from locator.spatial import Catalog
from locator.store import open_store
from web import coverage_data as coverage_data_module
from web import create_app
from web.coverage_data import coverage_data
from web.data import site_data
from web.db import get_store

LIBRARIES = SiteFilter(kinds=frozenset({Kind.LIBRARY}))
DISSEMINATION = SiteFilter(kinds=frozenset({Kind.DISSEMINATION_SITE}))
JOB_CENTERS = SiteFilter(kinds=frozenset({Kind.COMPREHENSIVE_CENTER, Kind.AFFILIATE_CENTER}))
GRID = list(itertools.product((39.5, 39.8, 40.1, 47.6), (-122.3, -89.9, -89.6, -88.9)))


def app_for(url: str) -> Flask:
    return create_app({"DATABASE_URL": url, "TESTING": True})


def catalog_now(app: Flask) -> Catalog:
    with app.app_context():
        return site_data().catalog()


def test_a_change_is_applied_site_by_site_and_answers_as_a_full_reload(tmp_path: Path) -> None:
    url = make_db(tmp_path)
    app = app_for(url)
    before = catalog_now(app)
    kept_index, rebuilt_index = before.index(DISSEMINATION), before.index(LIBRARIES)
    with app.app_context():
        version = site_data().snapshot()[1]
    with open_store(url) as store:
        store.upsert_sites([Site("new-1", "New Library", Kind.LIBRARY, 39.81, -89.64),
                            store.site("aff-decatur").replace(phone="217-555-0199")])
        store.set_status(["lib-springfield"], Status.RETIRED)
        store.set_status(["pending-1"], Status.APPROVED)
        reference = Catalog(store.sites(statuses=[Status.APPROVED]))
    after = catalog_now(app)
    with app.app_context():
        updates = site_data().updates_since(version)
    assert [u.rebuilt for u in updates] == [False]
    assert {s.id for s in updates[0].touched} == {"new-1", "aff-decatur", "lib-springfield",
                                                   "pending-1"}
    assert after.sites == reference.sites
    for (lat, lon), site_filter in itertools.product(GRID, (PUBLIC, LIBRARIES, JOB_CENTERS)):
        assert after.nearest(lat, lon, k=5, site_filter=site_filter) == \
            reference.nearest(lat, lon, k=5, site_filter=site_filter)
    assert after.index(DISSEMINATION) is kept_index  # no changed site is of that kind
    assert after.index(LIBRARIES) is not rebuilt_index


def test_a_request_after_a_commit_in_another_process_sees_it(tmp_path: Path) -> None:
    url = make_db(tmp_path)
    client = app_for(url).test_client()
    assert client.get("/api/sites/new-1").status_code == 404
    with open_store(url) as store:
        store.upsert_sites([Site("new-1", "New Library", Kind.LIBRARY, 39.81, -89.64)])
    assert client.get("/api/sites/new-1").get_json()["name"] == "New Library"
    with open_store(url) as store:
        store.set_status(["new-1"], Status.PENDING)
    assert client.get("/api/sites/new-1").status_code == 404


def study(app: Flask, site_filter: SiteFilter) -> CoverageStudy:
    with app.app_context():
        return coverage_data().study(CoverageQuery(site_filter=site_filter, state_fips=("17",)))


def test_coverage_studies_a_change_does_not_touch_are_kept(tmp_path: Path) -> None:
    url = make_coverage_db(tmp_path)
    app = app_for(url)
    job_centers, libraries = study(app, JOB_CENTERS), study(app, LIBRARIES)
    with open_store(url) as store:
        store.upsert_sites([store.site("lib-springfield").replace(hours="Mon-Sun 9-9")])
    assert study(app, JOB_CENTERS) is job_centers
    assert study(app, LIBRARIES) is not libraries
    with open_store(url) as store:
        store.set_status(["ajc-springfield"], Status.RETIRED)
        reference = CoverageStudy(store.sites(statuses=[Status.APPROVED]),
                                  load_population(store, ("17",)),
                                  CoverageQuery(site_filter=JOB_CENTERS, state_fips=("17",)))
    rebuilt = study(app, JOB_CENTERS)
    assert rebuilt is not job_centers
    within = [Threshold(10.0, "10")]
    assert rebuilt.report(within).to_json() == reference.report(within).to_json()
    assert rebuilt.report(within).to_json() != job_centers.report(within).to_json()


def test_new_population_points_drop_every_study(tmp_path: Path) -> None:
    url = make_coverage_db(tmp_path)
    app = app_for(url)
    job_centers = study(app, JOB_CENTERS)
    with open_store(url) as store:
        store.replace_population("tract", [("17167000100", "17167", 5, 39.78, -89.64)], "2020")
    rebuilt = study(app, JOB_CENTERS)
    assert rebuilt is not job_centers
    assert int(rebuilt.points.population.sum()) == 5  # the new residents, not kept ones


def test_a_site_change_recounts_studies_from_kept_residents_and_updated_sites(
        tmp_path: Path, monkeypatch) -> None:
    url = make_coverage_db(tmp_path)
    app = app_for(url)
    reads: list[tuple[str, ...]] = []
    real_load = coverage_data_module.load_population

    def counted_load(store, state_fips):
        reads.append(tuple(state_fips))
        return real_load(store, state_fips)

    monkeypatch.setattr(coverage_data_module, "load_population", counted_load)
    countings: list[CoverageQuery] = []
    real_of = CountedSites.of.__func__  # type: ignore[attr-defined]

    def counting_of(cls, sites, query):
        countings.append(query)
        return real_of(cls, sites, query)

    monkeypatch.setattr(CountedSites, "of", classmethod(counting_of))

    def state_study(state: str) -> CoverageStudy:
        with app.app_context():
            return coverage_data().study(CoverageQuery(site_filter=JOB_CENTERS,
                                                       state_fips=(state,)))

    illinois, indiana = state_study("17"), state_study("18")
    assert illinois.index is indiana.index  # one national set of counted sites
    assert sorted(reads) == [("17",), ("18",)]
    with open_store(url) as store:
        store.set_status(["ajc-springfield"], Status.RETIRED)
        references = {state: CoverageStudy(store.sites(statuses=[Status.APPROVED]),
                                           load_population(store, (state,)),
                                           CoverageQuery(site_filter=JOB_CENTERS,
                                                         state_fips=(state,)))
                      for state in ("17", "18")}
    assert len(countings) == 1 + len(references)
    countings.clear()
    within = [Threshold(10.0, "10"), Threshold(50.0, "50")]
    for state, reference in references.items():
        rebuilt = state_study(state)
        assert rebuilt.report(within).to_json() == reference.report(within).to_json()
    assert sorted(reads) == [("17",), ("18",)]  # residents were not read again
    # The nation's sites were not counted again: the change was taken into those counted.
    assert countings == []


def test_each_request_takes_its_own_connection_and_gives_it_back(tmp_path: Path) -> None:
    app = app_for(make_db(tmp_path))
    pool = app.extensions["database"].engine.pool
    client = app.test_client()
    seen: list[tuple[int, object]] = []

    def search() -> None:
        for _ in range(20):
            assert client.get("/api/nearest?lat=39.8&lon=-89.6&k=3").status_code == 200

    @app.before_request
    def note_connection() -> None:
        seen.append((threading.get_ident(), get_store()))

    threads = [threading.Thread(target=search) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    threads_by_store: dict[int, set[int]] = {}
    for thread_id, store in seen:
        threads_by_store.setdefault(id(store), set()).add(thread_id)
    assert len(threads_by_store) == 80  # one store per request
    assert len({t for t, _ in seen}) == 4
    assert pool.checkedout() == 0  # every connection went back at teardown


def test_between_checks_searches_touch_no_connection_and_a_write_here_is_seen_at_once(
        tmp_path: Path) -> None:
    url = make_db(tmp_path)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "DATA_CHECK_INTERVAL_S": 3600})
    client = app.test_client()
    checkouts: list[object] = []
    sa.event.listen(app.extensions["database"].engine.pool, "checkout",
                    lambda *args: checkouts.append(args))
    assert client.get("/api/sites/new-1").status_code == 404  # the first load connects
    loaded = len(checkouts)
    for _ in range(30):
        assert client.get("/api/nearest?lat=39.8&lon=-89.6&k=3").status_code == 200
        assert client.get("/api/sites?bbox=-90,39,-89,40").status_code == 200
    assert len(checkouts) == loaded  # answered from memory: no pool, no database

    with open_store(url) as store:  # another process commits
        store.upsert_sites([Site("new-1", "New Library", Kind.LIBRARY, 39.81, -89.64)])
    assert client.get("/api/sites/new-1").status_code == 404  # not asked yet: within the hour
    # Any request that may have written in this worker makes the next one ask.
    assert client.post("/api/nearest").status_code == 405
    assert client.get("/api/sites/new-1").get_json()["name"] == "New Library"


def test_a_change_is_seen_within_the_interval(tmp_path: Path) -> None:
    url = make_db(tmp_path)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "DATA_CHECK_INTERVAL_S": 0.5})
    client = app.test_client()
    assert client.get("/api/sites/new-1").status_code == 404
    with open_store(url) as store:
        store.upsert_sites([Site("new-1", "New Library", Kind.LIBRARY, 39.81, -89.64)])
    committed = time.monotonic()
    while client.get("/api/sites/new-1").status_code == 404:
        assert time.monotonic() - committed < 2.0, "the change was not seen in 2 s"
        time.sleep(0.01)


_FROZEN_CHECK = """
import gc, json, sys
from locator import geodata
from web import create_app
app = create_app({"DATABASE_URL": sys.argv[1], "PRELOAD_CATALOG": sys.argv[2] == "1"})
data = app.extensions["locator"]
with app.app_context():
    site = next(iter(data.catalog().sites.values()))
geocoder = data.geocoder
county = geodata.counties()[0]
tracked = {id(o) for o in gc.get_objects()}
print(json.dumps({"site": id(site) in tracked, "geocoder": id(geocoder) in tracked,
                  "county": id(county) in tracked}))
"""


def test_a_preloaded_worker_keeps_its_catalog_geocoder_and_outlines_out_of_collections(
        tmp_path: Path) -> None:
    # A full collection walked every object a worker holds (~200 ms nationally, all threads
    # waiting); a served worker freezes what it loaded at start. Run apart, so this test
    # process's own objects are not frozen.
    url = make_db(tmp_path)

    def tracked(preload: bool) -> dict[str, bool]:
        done = subprocess.run([sys.executable, "-c", _FROZEN_CHECK, url, "1" if preload else "0"],
                              cwd=Path(__file__).resolve().parents[1], capture_output=True,
                              text=True, timeout=120, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert tracked(preload=True) == {"site": False, "geocoder": False, "county": False}
    assert tracked(preload=False) == {"site": True, "geocoder": True, "county": True}
