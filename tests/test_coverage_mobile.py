"""Coverage counting mobile stops: all of them, none, or only those visited on a weekday; and
an area that only stops visiting on some days cover says so ("covered on Tuesdays only").
The fast per-day answer is compared with a brute-force reference on a random world."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

from locator.cli import main
from locator.coverage import CoverageQuery, CoverageStudy, parse_thresholds
from locator.errors import InvalidInput
from locator.geo import haversine_mi
from locator.mobile import WEEKDAY_CODES, parse_weekday, visit_weekdays
from locator.sites import Kind, Site
from locator.store import PopulationPoints, open_store

MONDAY = date(2027, 1, 4)
WITHIN = parse_thresholds(["5"])
# Counties side by side along a parallel, 1 degree of longitude (about 53 mi) apart.
COUNTIES = ("17001", "17003", "17005", "17007", "17009")
LAT = 40.0


def lon_of(county: str) -> float:
    return -90.0 + COUNTIES.index(county)


def residents(county: str, n: int = 100) -> tuple[str, str, int, float, float]:
    return (f"{county}000100", county, n, LAT, lon_of(county))


def stop(site_id: str, county: str, hours: str) -> Site:
    return Site(site_id, site_id, Kind.MOBILE_CENTER, LAT, lon_of(county) + 0.01,
                county_fips=county, hours=hours)


def fixed(site_id: str, county: str) -> Site:
    return Site(site_id, site_id, Kind.LIBRARY, LAT, lon_of(county) + 0.01, county_fips=county,
                hours="Mo-Fr 09:00-17:00")


SITES = (
    fixed("library-a", "17001"),
    stop("stop-a", "17001", "Tu 10:00-14:00"),  # beside a library: covered all week anyway
    stop("stop-b", "17003", "Tu 10:00-14:00"),
    stop("stop-c1", "17005", "Tu,Th 09:00-12:00"),
    stop("stop-c2", "17005", "2027 Jan 16 10:00-13:00"),  # a Saturday, dated
    stop("stop-d", "17007", ""),  # schedule unknown
)
POINTS = PopulationPoints.from_rows([residents(c) for c in COUNTIES], level="county",
                                    vintage="2020")


def study(**query: object) -> CoverageStudy:
    return CoverageStudy(SITES, POINTS, CoverageQuery(visits_from=MONDAY, **query))


def notes(report_study: CoverageStudy) -> dict[str, list[str]]:
    return {row.area_id: row.to_json()["covered_only_on"]
            for row in report_study.report(WITHIN).rows}


def test_an_area_only_stops_cover_says_on_which_days() -> None:
    assert notes(study()) == {"17001": [], "17003": ["Tu"], "17005": ["Tu", "Th", "Sa"],
                              "17007": [], "17009": []}


def test_every_stop_counts_by_default_and_none_when_left_out() -> None:
    within = {r.area_id: r.within[0].population for r in study().report(WITHIN).rows}
    assert within == {"17001": 100, "17003": 100, "17005": 100, "17007": 100, "17009": 0}
    without = study(mobile_stops=False).report(WITHIN)
    assert {r.area_id: r.within[0].population for r in without.rows} == {
        "17001": 100, "17003": 0, "17005": 0, "17007": 0, "17009": 0}
    assert without.sites_counted == 1
    assert all(r.covered_only_on == () for r in without.rows)


@pytest.mark.parametrize(("weekday", "covered"), [
    ("Tu", {"17001", "17003", "17005"}),
    ("Th", {"17001", "17005"}),
    ("Sa", {"17001", "17005"}),
    ("We", {"17001"}),
])
def test_on_a_weekday_only_the_stops_visited_that_day_count(weekday: str,
                                                            covered: set[str]) -> None:
    report = study(weekday=parse_weekday(weekday)).report(WITHIN)
    assert {r.area_id for r in report.rows if r.within[0].population} == covered
    # The unknown schedule is not counted on any given day.
    assert "17007" not in covered
    assert report.to_json()["filters"]["weekday"] == weekday
    assert all(r.covered_only_on == () for r in report.rows)


def test_a_dated_visit_outside_the_weeks_read_gives_no_day() -> None:
    later = date(2027, 3, 1)
    assert visit_weekdays(SITES[4], start=MONDAY) == {5}
    assert visit_weekdays(SITES[4], start=later) == frozenset()
    assert visit_weekdays(SITES[5], start=MONDAY) is None
    assert notes(CoverageStudy(SITES, POINTS, CoverageQuery(visits_from=later)))["17005"] == \
        ["Tu", "Th"]


def test_a_stop_visiting_past_midnight_covers_both_days() -> None:
    late = stop("late", "17009", "Fr 22:00-02:00")
    assert visit_weekdays(late, start=MONDAY) == {4, 5}


@pytest.mark.parametrize(("text", "day"), [("Tu", 1), ("tue", 1), ("Tuesday", 1),
                                           ("SU", 6), ("mo", 0)])
def test_weekdays_are_read_by_code_or_name(text: str, day: int) -> None:
    assert parse_weekday(text) == day


@pytest.mark.parametrize("text", ["T", "Tuesdays", "funday", ""])
def test_an_unknown_weekday_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="weekday must be one of Mo, Tu"):
        parse_weekday(text)


def test_a_weekday_without_mobile_stops_is_refused() -> None:
    with pytest.raises(InvalidInput, match="needs mobile stops counted"):
        CoverageQuery(mobile_stops=False, weekday=1)


def brute_force_days(sites: list[Site], days_of: dict[str, frozenset[int]],
                     points: PopulationPoints, within_mi: float) -> dict[str, tuple[int, ...]]:
    """Area by area, day by day: is any resident within reach of a site open that day?"""
    answer = {}
    for county in sorted(set(points.county_fips.tolist())):
        rows = [i for i, c in enumerate(points.county_fips.tolist()) if c == county]

        def reached(open_sites: list[Site], rows: list[int] = rows) -> bool:
            return any(points.population[i] > 0 and haversine_mi(
                points.lat[i], points.lon[i], s.lat, s.lon) <= within_mi
                for i in rows for s in open_sites)

        all_week = [s for s in sites if s.id not in days_of]
        days = tuple(d for d in range(7) if reached(
            all_week + [s for s in sites if d in days_of.get(s.id, ())]))
        answer[county] = () if reached(all_week) or len(days) == 7 else days
    return answer


@pytest.mark.parametrize("seed", range(5))
def test_days_covered_agree_with_a_brute_force_reference(seed: int) -> None:
    rng = random.Random(seed)
    counties = [f"17{n:03d}" for n in range(1, 40, 2)]
    rows = [(f"{c}{i:06d}", c, rng.randint(0, 50), 40 + rng.uniform(-1, 1),
             -89 + rng.uniform(-1, 1)) for i, c in enumerate(rng.choice(counties)
                                                             for _ in range(300))]
    points = PopulationPoints.from_rows(rows, level="tract", vintage="2020")
    sites, days_of = [], {}
    for n in range(25):
        lat, lon = 40 + rng.uniform(-1, 1), -89 + rng.uniform(-1, 1)
        if rng.random() < 0.3:
            sites.append(Site(f"f{n}", "F", Kind.LIBRARY, lat, lon, county_fips="17001"))
            continue
        days = sorted(rng.sample(range(7), rng.randint(1, 3)))
        hours = ",".join(WEEKDAY_CODES[d] for d in days) + " 10:00-14:00"
        sites.append(Site(f"m{n}", "M", Kind.MOBILE_CENTER, lat, lon, county_fips="17001",
                          hours=hours))
        days_of[f"m{n}"] = frozenset(days)
    fast = CoverageStudy(sites, points, CoverageQuery(visits_from=MONDAY))
    report = fast.report(parse_thresholds(["8"]))
    assert {r.area_id: r.covered_only_on for r in report.rows} == brute_force_days(
        sites, days_of, points, 8.0)
    assert any(r.covered_only_on for r in report.rows)


@pytest.mark.parametrize(("flags", "covered_only_on", "within"), [
    ([], ["Tu"], 100), (["--weekday", "We"], [], 0), (["--no-mobile-stops"], [], 0)])
def test_the_command_counts_stops_as_the_api_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        flags: list[str], covered_only_on: list[str], within: int) -> None:
    url = f"sqlite:///{tmp_path / 'locator.db'}"
    with open_store(url) as store:
        store.upsert_sites([fixed("library-a", "17001"), stop("stop-b", "17003",
                                                              "Tu 10:00-14:00")])
        store.replace_population("county", [residents("17001"), residents("17003")], "2020")
    monkeypatch.setenv("LOCATOR_DATABASE_URL", url)
    assert main(["coverage", "--within", "5", "--format", "json", *flags]) == 0
    rows = {r["area_id"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert rows["17003"]["covered_only_on"] == covered_only_on
    assert rows["17003"]["population_within_5_mi"] == within
