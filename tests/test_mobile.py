"""A mobile stop's next visit from its schedule, checked against a walk through the
schedule in quarter hours, and the soonest visit among search results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from locator.hours import read_hours
from locator.mobile import next_visit, soonest_visit
from locator.open_at import Moment, is_open_at
from locator.sites import Kind, Site
from locator.spatial import Nearby

NOW_UTC = datetime(2027, 1, 10, 12, tzinfo=UTC)  # Sunday, 7 AM in Lockport, NY
STEP = timedelta(minutes=15)


def stop(hours: str, site_id: str = "stop-1") -> Site:
    return Site(site_id, "Lockport Library lot", Kind.MOBILE_CENTER, 43.1706, -78.6903,
                organization="Niagara Mobile Center", state="NY", hours=hours)


def walked(site: Site, now_utc: datetime) -> tuple[datetime, datetime] | None:
    """The first open stretch from ``now_utc``, found by asking quarter hour by quarter hour."""
    hours, zone = read_hours(site.hours), "America/New_York"
    at = now_utc
    for _ in range(4 * 24 * 60):
        if is_open_at(hours, zone, Moment(instant=at)):
            start = at
            while is_open_at(hours, zone, Moment(instant=at)):
                at += STEP
            return start, at
        at += STEP
    return None


@pytest.mark.parametrize("hours", ["Tu 10:00-14:00", "2027 Jan 12 10:00-14:00",
                                   "Mo,Th 09:00-12:00", "2027 Jan 20 13:00-15:30"])
def test_next_visit_matches_a_walk_through_the_schedule(hours: str) -> None:
    visit = next_visit(stop(hours), now_utc=NOW_UTC)
    assert visit is not None and not visit.under_way
    assert (visit.starts, visit.ends) == walked(stop(hours), NOW_UTC)
    assert str(visit.starts.tzinfo) == "America/New_York"


def test_a_visit_going_on_is_under_way_until_it_ends() -> None:
    during = datetime(2027, 1, 12, 16, tzinfo=UTC)  # 11 AM in Lockport
    visit = next_visit(stop("Tu 10:00-14:00"), now_utc=during)
    assert visit is not None and visit.under_way
    assert visit.ends == datetime(2027, 1, 12, 19, tzinfo=UTC)


@pytest.mark.parametrize("hours", ["", "by appointment", "2026 Dec 01 10:00-14:00"])
def test_no_known_visit_ahead_is_none(hours: str) -> None:
    assert next_visit(stop(hours), now_utc=NOW_UTC) is None


def test_a_site_that_is_not_a_mobile_stop_has_no_visits() -> None:
    library = stop("Tu 10:00-14:00").replace(kind=Kind.LIBRARY)
    assert next_visit(library, now_utc=NOW_UTC) is None


def test_the_soonest_visit_among_results_wins_whatever_its_distance() -> None:
    near = Nearby(stop("Th 10:00-14:00", "near"), 1.5)
    far = Nearby(stop("Tu 10:00-14:00", "far"), 12.0)
    library = Nearby(stop("Mo 09:00-17:00", "lib").replace(kind=Kind.LIBRARY), 0.5)
    visit = soonest_visit([library, near, far], now_utc=NOW_UTC)
    assert visit is not None and (visit.site.id, visit.distance_mi) == ("far", 12.0)
    assert soonest_visit([library], now_utc=NOW_UTC) is None
