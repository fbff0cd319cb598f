"""Mobile workforce centers: when a unit next stops near the person searching.

A stop is a site of kind ``mobile_center`` whose hours are its visit schedule, recurring
(``Tu 10:00-14:00``) or dated (``2027 Jan 12 10:00-14:00``), read like any site's hours
(``locator.hours``) in the stop's own zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from opening_hours import State

from locator.errors import InvalidInput
from locator.hours import read_hours, schedule
from locator.open_at import Moment, OpenInterval, open_intervals, opening_at
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

    def to_json(self) -> dict[str, str]:
        return {"start": self.starts.isoformat(), "end": self.ends.isoformat()}


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


def visits_between(site: Site, zone_name: str, first: date, last: date
                   ) -> tuple[OpenInterval, ...]:
    """The stop's visits on the local days ``first`` to ``last`` (a visit across either
    end is cut there); none unless it is a stop whose schedule can be read."""
    hours = read_hours(site.hours)
    if site.kind is not Kind.MOBILE_CENTER or not hours.is_structured:
        return ()
    return open_intervals(hours, zone_name, first, last + timedelta(days=1))


# Days of the week as the opening_hours syntax writes them, Monday first (``date.weekday()``).
WEEKDAY_CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
# A stop's days are those it is visited on in this many weeks: enough for a monthly visit
# ("Tu[1]") to show, few enough that a dated visit months away does not.
VISIT_WEEKS = 5
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_weekday(text: str) -> int:
    """A day of the week (``Tu``, ``tue``, ``Tuesday``) as ``date.weekday()`` numbers it."""
    typed = text.strip().lower()
    for number, name in enumerate(_WEEKDAY_NAMES):
        if len(typed) >= 2 and name.startswith(typed):
            return number
    raise InvalidInput("weekday must be one of %(choices)s, got '%(value)s'",
                       code="bad_weekday", parameter="weekday",
                       choices=", ".join(WEEKDAY_CODES), value=text)


def is_mobile_stop(site: Site) -> bool:
    return Kind.MOBILE_CENTER in site.kinds


def visit_weekdays(site: Site, *, start: date, weeks: int = VISIT_WEEKS) -> frozenset[int] | None:
    """The days of the week (``date.weekday()`` numbers) a stop is visited on in the
    ``weeks`` from ``start``; None when its schedule is unknown or unreadable."""
    hours = read_hours(site.hours)
    if not hours.is_structured:
        return None
    begin = datetime.combine(start, time())
    end = begin + timedelta(weeks=weeks)
    days: set[int] = set()
    for opens, closes, state, _comment in schedule(hours, start.year, end.year).intervals(
            begin, end):
        if state is State.OPEN:
            days.update(_weekdays_between(opens, closes))
    return frozenset(days)


def _weekdays_between(opens: datetime, closes: datetime) -> set[int]:
    days: set[int] = set()
    day = opens
    while day < closes and len(days) < len(WEEKDAY_CODES):
        days.add(day.weekday())
        day = datetime.combine(day.date() + timedelta(days=1), time())
    return days
