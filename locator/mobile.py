"""Mobile workforce centers: when a unit next stops near the person searching.

A stop is a site of kind ``mobile_center`` whose hours are its visit schedule, recurring
(``Tu 10:00-14:00``) or dated (``2027 Jan 12 10:00-14:00``), read like any site's hours
(``locator.hours``) in the stop's own zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from locator.hours import read_hours
from locator.open_at import Moment, opening_at
from locator.sites import Kind, Site
from locator.spatial import Nearby
from locator.timezones import site_zone


@dataclass(frozen=True, slots=True)
class NextVisit:
    """A stop's next visit: ``starts``/``ends`` in the stop's zone. A visit going on at the
    moment asked about starts then (``under_way``)."""

    site: Site
    distance_mi: float | None
    starts: datetime
    ends: datetime
    under_way: bool


def next_visit(site: Site, *, now_utc: datetime,
               distance_mi: float | None = None) -> NextVisit | None:
    """The stop's visit going on at ``now_utc`` or the next one; None when its schedule is
    unknown, unreadable or has no visit ahead."""
    hours = read_hours(site.hours)
    if site.kind is not Kind.MOBILE_CENTER or not hours.is_structured:
        return None
    zone = site_zone(site)
    opening = opening_at(hours, zone, Moment.now(now_utc))
    if opening.next_change is None:
        return None
    change = opening.next_change
    if opening.open:
        return NextVisit(site, distance_mi, now_utc.astimezone(change.tzinfo), change,
                         under_way=True)
    ends = opening_at(hours, zone, Moment(instant=change)).next_change
    if ends is None:
        return None
    return NextVisit(site, distance_mi, change, ends, under_way=False)


def soonest_visit(results: Iterable[Nearby], *, now_utc: datetime) -> NextVisit | None:
    """Among search results, the mobile stop visited soonest (the nearer one on a tie)."""
    visits = [v for n in results
              if (v := next_visit(n.site, now_utc=now_utc, distance_mi=n.distance_mi))]
    return min(visits, key=lambda v: (v.starts, v.distance_mi or 0.0), default=None)
