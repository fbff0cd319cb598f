"""Benchmark: coverage reports, what-if and suggestions on the real national data.

Run: .venv/bin/python bench/coverage.py [--repeat 7] [--whatif-runs 200] [--sample 2000]
     [--data DIR]

Imports the IMLS outlets and the Census 2020 centers of population from the public-data
folder (default: ../shared/data beside the checkout) into a temporary database, then in one
run measures, each as a median of repeated runs:

- the national county report end to end (read sites and tract centers from the database,
  one KD-tree query for all ~85,000 tracts against every open outlet, county aggregation,
  JSON) and the Illinois county report, each beside a brute-force reference (every sampled
  tract against every outlet with numpy haversine, then a per-county Python loop) timed on
  a random sample of tracts and scaled to the full set; the sample's distances must agree;
- what-if latency for Illinois (one proposed site, one removed site) beside a full
  recomputation of the study;
- greedy suggestions against the exact maximal covering solution (PySAL spopt MCLP, a test
  extra) on Illinois instances, reporting residents covered greedy / exact.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable

import numpy as np
from _public_data import add_data_option, imported_database, require_data

from locator.coverage import (
    CoverageQuery,
    CoverageStudy,
    load_population,
    parse_thresholds,
)
from locator.geo import haversine_mi
from locator.sites import Kind, SiteFilter, Status
from locator.store import open_store
from locator.suggest import library_candidates, population_candidates, suggest_sites
from locator.whatif import ProposedSite, what_if

THRESHOLDS = parse_thresholds(["2", "5", "10"])
ILLINOIS = "17"


def median_s(call: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def county_report(url: str, state_fips: tuple[str, ...]) -> tuple[dict, dict[str, float]]:
    """The whole `locator coverage --by county --format json` path, minus printing, timed
    phase by phase."""
    clock = [time.perf_counter()]
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        clock.append(time.perf_counter())
        phases[name] = clock[-1] - clock[-2]

    with open_store(url) as store:
        query = CoverageQuery(state_fips=state_fips)
        points = load_population(store, query.state_fips)
        lap("read tracts")
        sites = store.sites(statuses=[Status.APPROVED])
        lap("read sites")
    study = CoverageStudy(sites, points, query)
    lap("nearest + areas")
    report = study.report(THRESHOLDS)
    lap("aggregate")
    answer = json.loads(json.dumps(report.to_json()))
    lap("JSON")
    return answer, phases


def brute_force_report(sites, lat, lon, population, county_fips) -> dict[str, tuple]:
    """Reference: all-pairs haversine, then a per-county loop in plain Python."""
    site_lat = np.array([s.lat for s in sites])
    site_lon = np.array([s.lon for s in sites])
    distance_mi = np.concatenate([
        haversine_mi(lat[i:i + 256, None], lon[i:i + 256, None], site_lat[None, :],
                     site_lon[None, :]).min(axis=1) for i in range(0, len(lat), 256)])
    by_county: dict[str, list[tuple[float, int]]] = {}
    for fips, d, p in zip(county_fips.tolist(), distance_mi.tolist(), population.tolist(),
                          strict=True):
        by_county.setdefault(fips, []).append((d, p))
    rows = {}
    for fips, pairs in by_county.items():
        total = sum(p for _, p in pairs)
        rows[fips] = (total, sum(d * p for d, p in pairs),
                      *(sum(p for d, p in pairs if d <= t.miles) for t in THRESHOLDS))
    return {"distance_mi": distance_mi, "rows": rows}


def report_bench(name: str, url: str, state_fips: tuple[str, ...], sample: int,
                 repeat: int) -> None:
    runs = [county_report(url, state_fips) for _ in range(repeat)]
    answer = runs[0][0]
    fast_s = statistics.median(sum(phases.values()) for _, phases in runs)
    phase_ms = {name: statistics.median(p[name] for _, p in runs) * 1000 for name in runs[0][1]}
    with open_store(url) as store:
        points = load_population(store, state_fips)
        sites = [s for s in store.sites(statuses=[Status.APPROVED]) if not s.temporarily_closed]
    study = CoverageStudy(sites, points, CoverageQuery(state_fips=state_fips))
    picks = np.sort(np.random.default_rng(2020).choice(len(points), min(sample, len(points)),
                                                       replace=False))
    slow_s, reference = median_s(lambda: brute_force_report(
        sites, points.lat[picks], points.lon[picks], points.population[picks],
        points.county_fips[picks]), max(1, repeat // 3))
    worst_mi = np.abs(reference["distance_mi"] - study.distance_mi[picks]).max()
    slow_full_s = slow_s * len(points) / len(picks)
    print(f"{name}: {len(answer['rows']):,} counties, {len(points):,} tracts, "
          f"{answer['total']['population']:,} residents, {len(sites):,} open outlets")
    print(f"  report end to end (DB read, nearest, aggregate, JSON): {fast_s * 1000:8.1f} ms "
          f"(median of {repeat})")
    print("    phases (median ms): " + ", ".join(f"{k} {v:.0f}" for k, v in phase_ms.items()))
    print(f"  brute force on {len(picks):,} sampled tracts:           {slow_s * 1000:8.1f} ms "
          f"-> {slow_full_s:.2f} s scaled to all tracts; ratio {slow_full_s / fast_s:.0f}x")
    print(f"  sampled distances: largest difference from brute force {worst_mi:.2e} mi")


def whatif_bench(url: str, runs: int, repeat: int) -> None:
    with open_store(url) as store:
        points = load_population(store, (ILLINOIS,))
        sites = store.sites(statuses=[Status.APPROVED])
    query = CoverageQuery(state_fips=(ILLINOIS,))
    study = CoverageStudy(sites, points, query)
    rng = np.random.default_rng(7)
    spots = [ProposedSite(float(a), float(b)) for a, b in
             zip(rng.uniform(37.0, 42.5, runs), rng.uniform(-91.5, -87.5, runs), strict=True)]
    in_state = [s.id for s in study.index.sites if s.county_fips.startswith(ILLINOIS)]
    removals = [in_state[i] for i in rng.choice(len(in_state), runs)]
    add_ms, remove_ms = [], []
    for spot, site_id in zip(spots, removals, strict=True):
        start = time.perf_counter()
        what_if(study, THRESHOLDS, add=[spot])
        add_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        what_if(study, THRESHOLDS, remove=[site_id])
        remove_ms.append((time.perf_counter() - start) * 1000)
    changed = [*sites, sites[0].replace(id="proposed", lat=spots[0].lat, lon=spots[0].lon)]
    full_s, _ = median_s(lambda: CoverageStudy(changed, points, query).report(THRESHOLDS),
                         repeat)
    add_med, remove_med = statistics.median(add_ms), statistics.median(remove_ms)
    print(f"what-if, Illinois ({len(points):,} tracts; median of {runs}):")
    print(f"  add one site:    {add_med:7.2f} ms   (p95 {np.percentile(add_ms, 95):.2f} ms)")
    print(f"  remove one site: {remove_med:7.2f} ms   (p95 {np.percentile(remove_ms, 95):.2f} ms)")
    print(f"  full recomputation of the study and report: {full_s * 1000:.1f} ms; ratio "
          f"{full_s * 1000 / add_med:.0f}x (add), {full_s * 1000 / remove_med:.0f}x (remove)")


def greedy_vs_exact(url: str) -> None:
    try:
        import pulp
        from spopt.locate import MCLP
    except ImportError:
        print("greedy vs exact: skipped (install the test extra for spopt and pulp)")
        return
    with open_store(url) as store:
        points = load_population(store, (ILLINOIS,))
        sites = store.sites(statuses=[Status.APPROVED])
    instances = [
        ("tract centers, all outlets counted", SiteFilter(), "tracts", "5", 5),
        ("libraries as partners, bookmobiles counted",
         SiteFilter(kinds=frozenset({Kind.BOOKMOBILE})), "libraries", "10", 5),
    ]
    print("greedy vs exact maximal covering (spopt MCLP, CBC), Illinois:")
    for label, site_filter, pool, within, n in instances:
        study = CoverageStudy(sites, points, CoverageQuery(site_filter=site_filter,
                                                           state_fips=(ILLINOIS,)))
        candidates = population_candidates(study) if pool == "tracts" \
            else library_candidates(sites, study)
        [threshold] = parse_thresholds([within])
        start = time.perf_counter()
        greedy = suggest_sites(study, candidates, n=n, threshold=threshold).newly_covered
        greedy_s = time.perf_counter() - start
        uncovered = study.distance_mi > threshold.miles
        weight = study.points.population[uncovered]
        cost_mi = haversine_mi(study.points.lat[uncovered][:, None],
                               study.points.lon[uncovered][:, None],
                               np.array([c.lat for c in candidates])[None, :],
                               np.array([c.lon for c in candidates])[None, :])
        # Candidates that reach no uncovered resident cannot change the optimum; leaving them
        # out keeps the integer program small.
        cost_mi = cost_mi[:, (cost_mi <= threshold.miles).any(axis=0)]
        start = time.perf_counter()
        with warnings.catch_warnings():  # spopt 0.7 uses PuLP calls deprecated for PuLP 4
            warnings.simplefilter("ignore", DeprecationWarning)
            model = MCLP.from_cost_matrix(cost_mi, weight, service_radius=threshold.miles,
                                          p_facilities=n)
            model.solve(pulp.PULP_CBC_CMD(msg=False))
        exact_s = time.perf_counter() - start
        chosen = [j for j, var in enumerate(model.fac_vars) if var.value() > 0.5]
        exact = int(weight[(cost_mi[:, chosen] <= threshold.miles).any(axis=1)].sum())
        print(f"  {label}: N={n}, within {within} mi, {len(candidates):,} candidates, "
              f"{int(uncovered.sum()):,} uncovered tracts")
        print(f"    greedy {greedy:,} residents in {greedy_s * 1000:.0f} ms; exact {exact:,} in "
              f"{exact_s:.1f} s; greedy/exact = {greedy / exact:.4f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--whatif-runs", type=int, default=200)
    parser.add_argument("--sample", type=int, default=2000)
    add_data_option(parser)
    args = parser.parse_args()
    require_data(args.data)
    with imported_database(args.data) as url:
        report_bench("national county report", url, (), args.sample, args.repeat)
        report_bench("Illinois county report", url, (ILLINOIS,), args.sample, args.repeat)
        whatif_bench(url, args.whatif_runs, args.repeat)
        greedy_vs_exact(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
