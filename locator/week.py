"""A site's days as a person reads them: the days ahead, one row a day, and the days ahead
that differ from its regular week (holiday closures, dated closures and openings).

A day lists the intervals that open on it, so "Mo 22:00-02:00" is Monday's, closing on
Tuesday; a day its hours cover from midnight to midnight is open all day. The regular week
is the hours without their holiday and named-date rules (``locator.hours.regular_week``);
a day whose intervals differ from it is an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from locator.hours import Hours, holiday_names, regular_week
from locator.open_at import OpenInterval, open_intervals

DAY = timedelta(days=1)
DAYS_IN_WEEK = 7
EXCEPTION_DAYS = 8 * DAYS_IN_WEEK  # how far ahead the detail page looks for exceptions


@dataclass(frozen=True, slots=True)
class DayHours:
    """One local day: the intervals opening on it, or open all day, else closed; ``unknown``
    when the hours leave some of it unknown ("Sa unknown")."""

    day: date
    intervals: tuple[OpenInterval, ...] = ()
    all_day: bool = False
    holiday: str | None = None  # the US federal holiday's English name, on one
    unknown: bool = False

    @property
    def closed(self) -> bool:
        return not self.all_day and not self.intervals and not self.unknown

    def same_hours(self, other: DayHours) -> bool:
        return ((self.all_day, self.unknown, _walls(self.intervals))
                == (other.all_day, other.unknown, _walls(other.intervals)))


class ExceptionKind(StrEnum):
    CLOSED = "closed"  # closed on a day the regular week opens
    OPEN = "open"  # open on a day the regular week is closed
    CHANGED = "changed"  # open, at other times than usual


@dataclass(frozen=True, slots=True)
class DayException:
    kind: ExceptionKind
    hours: DayHours  # the day as it really is
    usual: DayHours  # the same day in the regular week


def days_ahead(hours: Hours, zone_name: str, first_day: date,
               count: int = DAYS_IN_WEEK) -> tuple[DayHours, ...]:
    """``count`` local days from ``first_day``; structured hours only."""
    zone = ZoneInfo(zone_name)
    # A day earlier and later, so that intervals across the window's edges come whole.
    start, end = first_day - DAY, first_day + (count + 1) * DAY
    intervals = _merged(open_intervals(hours, zone_name, start, end))
    unknown = open_intervals(hours, zone_name, start, end, unknown=True)
    names = holiday_names(first_day.year, (first_day + count * DAY).year)
    days = (first_day + i * DAY for i in range(count))
    return tuple(_day_hours(day, intervals, unknown, zone, names.get(day)) for day in days)


def exceptions_ahead(hours: Hours, zone_name: str, first_day: date,
                     count: int = EXCEPTION_DAYS) -> tuple[DayException, ...]:
    """The days among the ``count`` from ``first_day`` that differ from the regular week."""
    usual = regular_week(hours)
    if usual is None:
        return ()
    real = days_ahead(hours, zone_name, first_day, count)
    regular = days_ahead(usual, zone_name, first_day, count)
    return tuple(DayException(_kind(day, normal), day, normal)
                 for day, normal in zip(real, regular, strict=True)
                 if not day.same_hours(normal))


def _day_hours(day: date, intervals: tuple[OpenInterval, ...],
               unknown: tuple[OpenInterval, ...], zone: ZoneInfo,
               holiday: str | None) -> DayHours:
    midnight = datetime.combine(day, time(), zone)
    next_midnight = datetime.combine(day + DAY, time(), zone)
    if any(i.opens <= midnight and i.closes >= next_midnight for i in intervals):
        return DayHours(day, all_day=True, holiday=holiday)
    return DayHours(day, tuple(i for i in intervals if i.opens.astimezone(zone).date() == day),
                    holiday=holiday,
                    unknown=any(i.opens < next_midnight and i.closes > midnight
                                for i in unknown))


def _merged(intervals: tuple[OpenInterval, ...]) -> tuple[OpenInterval, ...]:
    """Intervals that touch made one: the parser may cut an interval at midnight."""
    merged: list[OpenInterval] = []
    for interval in sorted(intervals, key=lambda i: i.opens):
        if merged and interval.opens <= merged[-1].closes:
            last = merged.pop()
            interval = OpenInterval(last.opens, max(last.closes, interval.closes))
        merged.append(interval)
    return tuple(merged)


def _kind(day: DayHours, usual: DayHours) -> ExceptionKind:
    if day.closed:
        return ExceptionKind.CLOSED
    return ExceptionKind.OPEN if usual.closed else ExceptionKind.CHANGED


def _walls(intervals: tuple[OpenInterval, ...]) -> tuple[tuple[datetime, datetime], ...]:
    return tuple((i.opens, i.closes) for i in intervals)
