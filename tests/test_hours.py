"""Reading a site's hours: structured, unknown, or unreadable text kept as given."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import pytest
from opening_hours import OpeningHours, State

from locator.hours import (
    UNKNOWN,
    Hours,
    HoursStatus,
    Unreadable,
    holiday_dates,
    read_hours,
    schedule,
)

STRUCTURED = [
    # canonical OSM text stays as the parser prints it
    ("Mo-Fr 08:30-17:00; Sa 09:00-12:00; PH off", "Mo-Fr 08:30-17:00; Sa 09:00-12:00; PH closed"),
    ("Mo-Fr 08:00-12:00,13:00-17:00", "Mo-Fr 08:00-12:00,13:00-17:00"),
    ("Fr-Sa 22:00-02:00", "Fr-Sa 22:00-02:00"),
    ("24/7", "24/7"),
    ("Mo-Fr 09:00-17:00; 2027 Dec 24 off", "Mo-Fr 09:00-17:00; 2027 Dec 24 closed"),
    ("Mo-Fr 09:00-17:00; 2027 Dec 20-2028 Jan 02 off",
     "Mo-Fr 09:00-17:00; 2027 Dec 20-2028 Jan 2 closed"),
    ("Tu 10:00-14:00; 2027 Jan 12 10:00-14:00", "Tu 10:00-14:00; 2027 Jan 12 10:00-14:00"),
    ("Sa,Su,PH off; Mo-Fr 09:00-17:00", "Sa,Su,PH closed; Mo-Fr 09:00-17:00"),
    ("Mo-Fr 09:00-17:00; PH 10:00-12:00", "Mo-Fr 09:00-17:00; PH 10:00-12:00"),
    ("unknown", "24/7 unknown"),
    # free text is converted
    ("Mon-Fri 8:30am-5pm", "Mo-Fr 08:30-17:00"),
    ("Closed Sat/Sun", "Sa,Su closed"),
    # a one-digit hour is free text: the parser would read 5:00 as five in the morning
    ("Mo-Fr 8:00-5:00", "Mo-Fr 08:00-17:00"),
]

UNREADABLE = [
    ("by appointment", Unreadable.NOT_RECOGNISED),
    ("Mon-Fri 9-5 except holidays", Unreadable.NOT_RECOGNISED),
    ('"call ahead"', Unreadable.HAS_COMMENT),
    ('Mo-Fr 09:00-17:00 "by appointment"', Unreadable.HAS_COMMENT),
    ("Mo-Fr 09:00-17:00; SH off", Unreadable.SCHOOL_HOLIDAYS),
    ("Mo-Fr 09:00-12:00, PH off", Unreadable.HOLIDAY_POSITION),
    ("Dec Mo-Fr,PH 09:00-12:00", Unreadable.HOLIDAY_POSITION),
    ("Mo-Fr 09:00-17:00 || PH off", Unreadable.HOLIDAY_POSITION),
    ("PH +1 day off", Unreadable.NOT_RECOGNISED),  # the parser cannot print it back
]


@pytest.mark.parametrize(("text", "canonical"), STRUCTURED)
def test_readable_hours_are_held_in_canonical_osm_form(text: str, canonical: str) -> None:
    hours = read_hours(text)
    assert hours == Hours(HoursStatus.STRUCTURED, text, canonical)
    assert read_hours(canonical).canonical == canonical


@pytest.mark.parametrize(("text", "problem"), UNREADABLE)
def test_unreadable_hours_are_kept_as_text(text: str, problem: Unreadable) -> None:
    assert read_hours(text) == Hours(HoursStatus.UNREADABLE, text, problem=problem)


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_no_hours_is_unknown_not_closed(text: str) -> None:
    assert read_hours(text) is UNKNOWN
    assert read_hours(text) != read_hours("closed")


def test_holiday_dates_are_the_federal_calendar_with_observed_days() -> None:
    days = set(holiday_dates(2027, 2027))
    assert days == set(holidays.US(years=2027))
    assert date(2027, 10, 11) in days  # Columbus Day
    assert date(2027, 12, 24) in days  # Christmas observed (25th is a Saturday)
    assert date(2027, 12, 31) in days  # New Year's Day 2028 observed


def _days_open(oh: OpeningHours, year: int) -> set[date]:
    return {date(year, 1, 1) + timedelta(days=n) for n in range(365)
            if oh.state(datetime(year, 1, 1, 12) + timedelta(days=n))[0] is State.OPEN}


@pytest.mark.parametrize("year", [2026, 2027, 2030])
def test_ph_is_exactly_the_federal_holidays(year: int) -> None:
    assert _days_open(schedule(read_hours("PH 10:00-14:00"), year, year), year) == set(
        holidays.US(years=year))


def test_the_parsers_own_us_calendar_would_miss_federal_holidays() -> None:
    # Why PH is spelled out from the holidays package rather than left to the parser.
    own = OpeningHours("PH 10:00-14:00", country="US", auto_country=False, auto_timezone=False)
    assert set(holidays.US(years=2026)) - _days_open(own, 2026)


def test_weekday_and_holiday_rules_keep_their_meaning_when_ph_is_spelled_out() -> None:
    oh = schedule(read_hours("Sa,Su,PH off; Mo-Fr 09:00-17:00"), 2027, 2027)
    assert oh.state(datetime(2027, 10, 11, 10))[0] is State.OPEN  # rule order: Mo-Fr wins
    oh = schedule(read_hours("Mo-Fr 09:00-17:00; Sa,PH off"), 2027, 2027)
    assert oh.state(datetime(2027, 10, 11, 10))[0] is State.CLOSED
    assert oh.state(datetime(2027, 10, 12, 10))[0] is State.OPEN
    assert oh.state(datetime(2027, 10, 16, 10))[0] is State.CLOSED


def test_only_structured_hours_have_a_schedule() -> None:
    with pytest.raises(ValueError, match="unknown"):
        schedule(UNKNOWN, 2027, 2027)


@pytest.mark.parametrize("text", [
    "Mo-Fr 08:30-17:00; PH off",
    "Sa,Su,PH off; Mo-Fr 09:00-17:00",
    "Mo-Fr 09:00-17:00; Su,PH 10:00-14:00",
    "Mo-Sa 08:00-20:00; PH 12:00-16:00; 2027 Nov 26 closed",
])
def test_spelled_out_ph_agrees_with_the_parsers_ph_where_the_calendars_agree(text: str) -> None:
    ours = schedule(read_hours(text), 2027, 2027)
    native = OpeningHours(text, country="US", auto_country=False, auto_timezone=False)
    native_days = _days_open(OpeningHours("PH", country="US", auto_country=False,
                                          auto_timezone=False), 2027)
    federal = set(holidays.US(years=2027))
    compared = 0
    for n in range(365):
        day = date(2027, 1, 1) + timedelta(days=n)
        if (day in federal) != (day in native_days):
            continue
        for hour in (9, 11, 13, 15, 19):
            moment = datetime(day.year, day.month, day.day, hour)
            assert ours.state(moment) == native.state(moment), moment
            compared += 1
    assert compared > 350 * 5


def test_the_hours_in_the_example_source_files_are_all_read() -> None:
    fixtures = Path(__file__).parent / "fixtures"
    texts = [row.get("OpenHour") or row.get("hours") or ""
             for name in ("careeronestop_example.csv", "sites_example.csv")
             for row in csv.DictReader(
                 (fixtures / name).read_text(encoding="utf-8").splitlines())]
    assert [read_hours(text).status for text in texts if text] == [HoursStatus.STRUCTURED] * 4
    assert [read_hours(text).canonical for text in texts if text][:2] == [
        "Mo-Fr 08:00-16:30", "Tu,Th 09:00-15:00"]
