"""A site's days ahead and the days that differ from its regular week: checked against a
walk through the hours in quarter hours, and table-driven for holidays, dated closures and
openings, intervals past midnight, 24/7 and DST."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from locator.hours import read_hours, regular_week
from locator.open_at import WEEKDAYS, Moment, is_open_at, next_on_weekday
from locator.week import DAY, ExceptionKind, days_ahead, exceptions_ahead

CHICAGO = "America/Chicago"
STEP = timedelta(minutes=15)
MONDAY = date(2027, 1, 11)


def walked_open_quarters(hours_text: str, zone_name: str, day: date) -> set[datetime]:
    """The quarter hours of a local day at which the site is open, asked one by one."""
    hours, zone = read_hours(hours_text), ZoneInfo(zone_name)
    at = datetime.combine(day, time(), zone)
    end = datetime.combine(day + DAY, time(), zone)
    quarters = set()
    while at < end:
        if is_open_at(hours, zone_name, Moment(instant=at)):
            quarters.add(at)
        at = (at.astimezone(ZoneInfo("UTC")) + STEP).astimezone(zone)
    return quarters


def listed_open_quarters(hours_text: str, zone_name: str, day: date) -> set[datetime]:
    """The same quarter hours as the day rows say: each interval opening that day, the
    end of one from the day before, and all of an all-day day."""
    rows = days_ahead(read_hours(hours_text), zone_name, day - DAY, 2)
    zone = ZoneInfo(zone_name)
    start, end = datetime.combine(day, time(), zone), datetime.combine(day + DAY, time(), zone)
    quarters = set()
    for row in rows:
        if row.all_day and row.day == day:
            return walked_open_quarters(hours_text, zone_name, day) | {start}
        for interval in row.intervals:
            at = interval.opens
            while at < interval.closes:
                if start <= at < end:
                    quarters.add(at)
                at = at + STEP
    return quarters


@pytest.mark.parametrize("hours", [
    "Mo-Fr 08:30-17:00; Sa 09:00-12:00; PH off",
    "Mo 22:00-02:00; We 08:00-12:00,13:00-17:00",
    "Tu 10:00-14:00; 2027 Jan 12 off; 2027 Jan 14 09:00-11:00",
    "2027 Jan 12 10:00-14:00",
])
@pytest.mark.parametrize("offset_days", range(7))
def test_day_rows_match_a_walk_through_the_hours(hours: str, offset_days: int) -> None:
    day = MONDAY + offset_days * DAY
    assert listed_open_quarters(hours, CHICAGO, day) == walked_open_quarters(hours, CHICAGO, day)


def test_an_interval_past_midnight_belongs_to_the_day_it_opens() -> None:
    monday, tuesday = days_ahead(read_hours("Mo 22:00-02:00"), CHICAGO, MONDAY, 2)
    (late,) = monday.intervals
    assert (late.opens.hour, late.closes.date(), late.closes.hour) == (22, MONDAY + DAY, 2)
    assert tuesday.closed


def test_a_day_left_unknown_is_not_closed() -> None:
    friday, saturday, sunday = days_ahead(read_hours("Mo-Fr 09:00-17:00; Sa unknown"),
                                          CHICAGO, date(2027, 1, 15), 3)
    assert len(friday.intervals) == 1 and not friday.unknown
    assert saturday.unknown and not saturday.closed and not saturday.intervals
    assert sunday.closed


def test_open_all_week_is_open_all_day_every_day() -> None:
    assert all(d.all_day for d in days_ahead(read_hours("24/7"), CHICAGO, MONDAY))


def test_days_ahead_across_dst_start_keep_the_local_hours() -> None:
    (sunday,) = days_ahead(read_hours("Su 08:00-12:00"), CHICAGO, date(2027, 3, 14), 1)
    (interval,) = sunday.intervals
    assert (interval.opens.hour, interval.closes.hour) == (8, 12)
    assert interval.closes - interval.opens == timedelta(hours=4)


def test_a_public_holiday_is_an_exception_named_after_it() -> None:
    hours = read_hours("Mo-Fr 08:30-17:00; PH off")
    (mlk, presidents) = exceptions_ahead(hours, CHICAGO, MONDAY)
    assert (mlk.kind, mlk.hours.day, mlk.hours.holiday) == (
        ExceptionKind.CLOSED, date(2027, 1, 18), "Martin Luther King Jr. Day")
    assert presidents.hours.day == date(2027, 2, 15)
    assert len(mlk.usual.intervals) == 1


@pytest.mark.parametrize(("hours", "expected"), [
    ("Tu 10:00-14:00; 2027 Jan 12 off; 2027 Jan 14 09:00-11:00",
     [(date(2027, 1, 12), ExceptionKind.CLOSED), (date(2027, 1, 14), ExceptionKind.OPEN)]),
    ("2027 Jan 12 10:00-14:00", [(date(2027, 1, 12), ExceptionKind.OPEN)]),
    ("Mo-Fr 09:00-17:00; 2027 Jan 15 09:00-12:00",
     [(date(2027, 1, 15), ExceptionKind.CHANGED)]),
    ("Mo-Fr 09:00-17:00", []),
    ("Jan-Dec Mo-Fr 09:00-17:00", []),  # a season is the regular week, not an exception
])
def test_dated_rules_are_exceptions_to_the_regular_week(hours: str, expected: list) -> None:
    found = exceptions_ahead(read_hours(hours), CHICAGO, MONDAY)
    assert [(e.hours.day, e.kind) for e in found] == expected


def test_a_fallback_rule_gives_no_regular_week() -> None:
    assert regular_week(read_hours("Mo-Fr 09:00-17:00 || PH off")) is None


@pytest.mark.parametrize(("now", "weekday", "expected"), [
    (datetime(2027, 1, 11, 9), "tu", datetime(2027, 1, 12, 10)),  # Monday: tomorrow
    (datetime(2027, 1, 12, 9), "tu", datetime(2027, 1, 12, 10)),  # Tuesday morning: today
    (datetime(2027, 1, 12, 15), "tu", datetime(2027, 1, 19, 10)),  # afternoon: next week
    (datetime(2027, 1, 17, 23), "mo", datetime(2027, 1, 18, 10)),  # Sunday night: Monday
])
def test_next_on_weekday_is_the_first_such_time_not_past(now: datetime, weekday: str,
                                                         expected: datetime) -> None:
    assert next_on_weekday(now, WEEKDAYS.index(weekday), time(10)) == expected
