"""Open at a moment, the next change, and the week, in the site's own zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from locator.errors import InvalidInput
from locator.hours import read_hours
from locator.open_at import Moment, first_instant_at, opening_at, parse_moment

CHICAGO = "America/Chicago"
PHOENIX = "America/Phoenix"
WEEKDAYS = "Mo-Fr 08:30-17:00; PH off"

# (hours, zone, at, open, next_change); 2027-03-14 and 2027-11-07 are Chicago's DST days
CASES = [
    # an ordinary weekday, read as local time and as instants
    (WEEKDAYS, CHICAGO, "2027-03-10T10:00", True, "2027-03-10T17:00:00-06:00"),
    (WEEKDAYS, CHICAGO, "2027-03-10T16:00Z", True, "2027-03-10T17:00:00-06:00"),
    (WEEKDAYS, CHICAGO, "2027-03-10T23:30Z", False, "2027-03-11T08:30:00-06:00"),
    (WEEKDAYS, CHICAGO, "2027-03-10T08:29", False, "2027-03-10T08:30:00-06:00"),
    (WEEKDAYS, CHICAGO, "2027-03-10T17:00", False, "2027-03-11T08:30:00-06:00"),
    # the weekend across DST start: closed Friday evening, opens Monday on CDT
    (WEEKDAYS, CHICAGO, "2027-03-12T18:00", False, "2027-03-15T08:30:00-05:00"),
    # US federal holidays as PH: MLK Day, Columbus Day, Thanksgiving, Christmas observed
    (WEEKDAYS, CHICAGO, "2027-01-18T10:00", False, "2027-01-19T08:30:00-06:00"),
    (WEEKDAYS, CHICAGO, "2027-10-11T10:00", False, "2027-10-12T08:30:00-05:00"),
    (WEEKDAYS, CHICAGO, "2027-11-24T16:00", True, "2027-11-24T17:00:00-06:00"),
    (WEEKDAYS, CHICAGO, "2027-11-24T18:00", False, "2027-11-26T08:30:00-06:00"),
    (WEEKDAYS, CHICAGO, "2027-12-23T18:00", False, "2027-12-27T08:30:00-06:00"),
    # a skipped hour: 02:30 on 2027-03-14 does not exist, so the site opens at 03:00 CDT
    ("Mo-Su 02:30-04:00", CHICAGO, "2027-03-14T01:30", False, "2027-03-14T03:00:00-05:00"),
    ("Mo-Su 02:30-04:00", CHICAGO, "2027-03-14T02:45", True, "2027-03-14T04:00:00-05:00"),
    ("Mo-Su 01:00-03:00", CHICAGO, "2027-03-14T01:30", True, "2027-03-14T03:00:00-05:00"),
    # a repeated hour: 01:00-02:00 happens twice on 2027-11-07
    ("Mo-Su 01:00-03:00", CHICAGO, "2027-11-07T00:30", False, "2027-11-07T01:00:00-05:00"),
    ("Mo-Su 01:00-03:00", CHICAGO, "2027-11-07T06:30Z", True, "2027-11-07T03:00:00-06:00"),
    ("Mo-Su 01:00-01:30", CHICAGO, "2027-11-07T01:45", False, "2027-11-07T01:00:00-06:00"),
    ("Mo-Su 01:00-01:30", CHICAGO, "2027-11-07T07:15Z", True, "2027-11-07T01:30:00-06:00"),
    # past midnight
    ("Fr-Sa 22:00-02:00", CHICAGO, "2027-03-13T01:00", True, "2027-03-13T02:00:00-06:00"),
    ("Fr-Sa 22:00-02:00", CHICAGO, "2027-03-13T21:00", False, "2027-03-13T22:00:00-06:00"),
    ("Fr-Sa 22:00-02:00", CHICAGO, "2027-03-14T01:59", True, "2027-03-14T03:00:00-05:00"),
    # split shifts
    ("Mo-Fr 08:00-12:00,13:00-17:00", CHICAGO, "2027-03-10T12:30", False,
     "2027-03-10T13:00:00-06:00"),
    ("Mo-Fr 08:00-12:00,13:00-17:00", CHICAGO, "2027-03-10T11:00", True,
     "2027-03-10T12:00:00-06:00"),
    # Arizona: the same wall-clock hours, and no DST change to walk over
    (WEEKDAYS, PHOENIX, "2027-03-12T18:00", False, "2027-03-15T08:30:00-07:00"),
    (WEEKDAYS, PHOENIX, "2027-03-15T15:30Z", True, "2027-03-15T17:00:00-07:00"),
    # around the clock, and dated exceptions
    ("24/7", CHICAGO, "2027-03-14T02:30", True, None),
    ("Mo-Fr 09:00-17:00; 2027 Mar 15 closed", CHICAGO, "2027-03-15T10:00", False,
     "2027-03-16T09:00:00-05:00"),
    ("Tu 10:00-14:00; 2027 Jan 16 10:00-14:00", CHICAGO, "2027-01-16T11:00", True,
     "2027-01-16T14:00:00-06:00"),
    # free text, and an unknown stretch
    ("Mon-Fri 8:30am-5pm", CHICAGO, "2027-03-10T12:00", True, "2027-03-10T17:00:00-06:00"),
    ("Mo-Fr 08:00-17:00; Sa unknown", CHICAGO, "2027-03-13T10:00", None,
     "2027-03-14T00:00:00-06:00"),
    ("unknown", CHICAGO, "2027-03-13T10:00", None, None),
]


@pytest.mark.parametrize(("text", "zone", "at", "is_open", "next_change"), CASES)
def test_open_and_next_change_at_a_moment(text: str, zone: str, at: str,
                                          is_open: bool | None, next_change: str | None) -> None:
    opening = opening_at(read_hours(text), zone, parse_moment(at))
    assert opening.open is is_open
    assert (opening.next_change.isoformat() if opening.next_change else None) == next_change


@pytest.mark.parametrize("text", ["", "by appointment", '"call ahead"'])
def test_unknown_and_unreadable_hours_answer_unknown(text: str) -> None:
    opening = opening_at(read_hours(text), CHICAGO, parse_moment("2027-03-10T12:00"))
    assert (opening.open, opening.next_change, opening.week) == (None, None, ())


def test_the_week_lists_each_open_interval_with_its_offset() -> None:
    opening = opening_at(read_hours("Mo-Fr 08:00-12:00,13:00-17:00; Sa 09:00-12:00; PH off"),
                         CHICAGO, parse_moment("2027-03-12T10:00"))
    week = [(i.opens.isoformat(), i.closes.isoformat()) for i in opening.week]
    assert week[:4] == [
        ("2027-03-12T08:00:00-06:00", "2027-03-12T12:00:00-06:00"),
        ("2027-03-12T13:00:00-06:00", "2027-03-12T17:00:00-06:00"),
        ("2027-03-13T09:00:00-06:00", "2027-03-13T12:00:00-06:00"),
        ("2027-03-15T08:00:00-05:00", "2027-03-15T12:00:00-05:00"),
    ]
    assert len(week) == 2 * 5 + 1


def test_the_current_time_is_injectable() -> None:
    clock = datetime(2027, 11, 25, 16, 0, tzinfo=UTC)  # Thanksgiving, 10:00 in Chicago
    opening = opening_at(read_hours(WEEKDAYS), CHICAGO, Moment.now(clock))
    assert opening.open is False
    assert opening.next_change == datetime(2027, 11, 26, 8, 30, tzinfo=ZoneInfo(CHICAGO))


def test_a_moment_without_offset_is_read_in_each_sites_zone() -> None:
    moment = parse_moment("2027-03-10T08:45")
    hours = read_hours(WEEKDAYS)
    assert opening_at(hours, "America/New_York", moment).open is True
    assert opening_at(hours, "America/Los_Angeles", moment).open is True
    instant = parse_moment("2027-03-10T08:45-05:00")  # 08:45 in New York, 05:45 in Los Angeles
    assert opening_at(hours, "America/New_York", instant).open is True
    assert opening_at(hours, "America/Los_Angeles", instant).open is False


@pytest.mark.parametrize("text", ["tomorrow", "2027-13-01T10:00", "10am"])
def test_a_moment_that_is_not_iso_8601_names_the_parameter(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_moment(text)
    assert raised.value.parameter == "at"


def test_a_skipped_wall_time_is_the_first_instant_after_it() -> None:
    zone = ZoneInfo(CHICAGO)
    assert first_instant_at(datetime(2027, 3, 14, 2, 30), zone) == datetime(
        2027, 3, 14, 8, 0, tzinfo=UTC)
    repeated = first_instant_at(datetime(2027, 11, 7, 1, 30), zone)
    assert repeated.astimezone(UTC) == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)


# --- brute force: minute by minute over a week, from a plain weekly table -------------------

Spans = tuple[tuple[int, int], ...]  # (opens, closes) in minutes after midnight; may pass 1440


@dataclass(frozen=True)
class Reference:
    """A schedule written a second way: a weekday table, holidays closed, dated days."""

    text: str
    weekly: dict[int, Spans]
    holidays_closed: bool = False
    dated: dict[date, Spans] = field(default_factory=dict)
    unknown_weekdays: frozenset[int] = frozenset()

    def spans_on(self, day: date) -> Spans:
        if day in self.dated:
            return self.dated[day]
        if self.holidays_closed and day in _FEDERAL:
            return ()
        return self.weekly.get(day.weekday(), ())

    def state(self, wall: datetime) -> bool | None:
        day, minute = wall.date(), wall.hour * 60 + wall.minute
        if day.weekday() in self.unknown_weekdays and day not in self.dated:
            return None
        today = any(a <= minute < b for a, b in self.spans_on(day))
        spill = any(a <= minute + 1440 < b for a, b in self.spans_on(day - timedelta(days=1)))
        return today or spill


_FEDERAL = holidays.US(years=range(2026, 2029))
_WORKDAY: Spans = ((510, 1020),)
MON_FRI = dict.fromkeys(range(5), _WORKDAY)
REFERENCES = [
    Reference(WEEKDAYS, MON_FRI, holidays_closed=True),
    Reference("Mo-Fr 08:00-12:00,13:00-17:00; Sa 09:00-12:00",
              {**dict.fromkeys(range(5), ((480, 720), (780, 1020))), 5: ((540, 720),)}),
    Reference("Mo-Su 01:00-03:00", dict.fromkeys(range(7), ((60, 180),))),
    Reference("Mo-Su 01:30-02:30", dict.fromkeys(range(7), ((90, 150),))),
    Reference("Fr-Sa 22:00-02:00", {4: ((1320, 1560),), 5: ((1320, 1560),)}),
    Reference("Mo-Su 23:30-01:30", dict.fromkeys(range(7), ((1410, 1530),))),
    Reference("24/7", dict.fromkeys(range(7), ((0, 1440),))),
    Reference("Mo-Fr 09:00-17:00; 2027 Mar 15 closed; 2027 Mar 13 10:00-14:00; "
              "2027 Nov 06 10:00-14:00",
              dict.fromkeys(range(5), ((540, 1020),)),
              dated={date(2027, 3, 15): (), date(2027, 3, 13): ((600, 840),),
                     date(2027, 11, 6): ((600, 840),)}),
    Reference("Mo-Fr 08:00-17:00; Sa unknown", dict.fromkeys(range(5), ((480, 1020),)),
              unknown_weekdays=frozenset({5})),
]
WEEKS = [  # (zone, first day): both Chicago DST changes, holiday weeks, Arizona at DST
    (CHICAGO, date(2027, 3, 11)), (CHICAGO, date(2027, 11, 4)),
    (CHICAGO, date(2027, 10, 8)), (CHICAGO, date(2027, 11, 22)),
    (PHOENIX, date(2027, 3, 11)), ("America/Indiana/Indianapolis", date(2027, 11, 4)),
]
STEP_MIN = 61  # prime to the hour, so the samples meet every minute of the hour in a week


def _reference_answers(reference: Reference, zone: ZoneInfo, start_utc: datetime,
                       minutes: int) -> list[tuple[bool | None, datetime | None]]:
    """Each minute's state and the first later minute whose state differs (None: not seen)."""
    states = [reference.state((start_utc + timedelta(minutes=m)).astimezone(zone)
                              .replace(tzinfo=None)) for m in range(minutes)]
    answers: list[tuple[bool | None, datetime | None]] = [(None, None)] * minutes
    change: datetime | None = None
    for m in range(minutes - 1, -1, -1):
        if m + 1 < minutes and states[m + 1] != states[m]:
            change = start_utc + timedelta(minutes=m + 1)
        answers[m] = (states[m], change)
    return answers


@pytest.mark.parametrize("reference", REFERENCES, ids=[r.text for r in REFERENCES])
@pytest.mark.parametrize(("zone_name", "first_day"), WEEKS)
def test_open_and_next_change_match_a_minute_by_minute_reference(
        reference: Reference, zone_name: str, first_day: date) -> None:
    zone = ZoneInfo(zone_name)
    hours = read_hours(reference.text)
    start_utc = datetime.combine(first_day, datetime.min.time(), zone).astimezone(UTC)
    minutes = 9 * 24 * 60  # a week of samples, two more days to see their next change
    answers = _reference_answers(reference, zone, start_utc, minutes)
    week_min = 7 * 24 * 60
    changes = {int((change - start_utc) / timedelta(minutes=1))
               for _state, change in answers if change is not None}
    # every 61st minute, and each minute beside a change where off-by-one errors live
    samples = sorted({*range(0, week_min, STEP_MIN),
                      *(m + d for m in changes for d in (-2, -1, 0, 1) if 0 <= m + d < week_min)})
    for m in samples:
        expected_state, expected_change = answers[m]
        opening = opening_at(hours, zone_name,
                             Moment(instant=start_utc + timedelta(minutes=m)))
        assert opening.open is expected_state, m
        if expected_change is None:
            assert opening.next_change is None or opening.next_change >= start_utc + timedelta(
                minutes=minutes)
        else:
            assert opening.next_change.astimezone(UTC) == expected_change, m
    assert len(samples) > week_min // STEP_MIN
