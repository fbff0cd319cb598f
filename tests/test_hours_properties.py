"""Generated weekly schedules: written as a person would, read back, evaluated the same.

A schedule is a list of rules (days, intervals); later rules replace earlier ones on their
days, as both people and OSM read them. Each is written in free text with random but
unambiguous spellings, read with ``read_hours``, and evaluated by the parser every quarter
hour of a week against the table it came from; the same schedules go through HSDS rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from opening_hours import State

from locator.hours import read_hours, schedule
from locator.hsds_schedule import hours_from_rows, schedule_rows

DAY_SPELLINGS = (("Mon", "Monday", "Mo"), ("Tue", "Tuesday", "Tues"), ("Wed", "Wednesday"),
                 ("Thu", "Thursday", "Thurs"), ("Fri", "Friday"), ("Sat", "Saturday"),
                 ("Sun", "Sunday"))
QUARTER_MIN = 15
MONDAY = datetime(2027, 3, 1)  # no federal holiday that week

Rule = tuple[frozenset[int], tuple[tuple[int, int], ...]]


@st.composite
def spans(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    """One or two ordered, separate intervals inside one day, in quarter hours."""
    count = draw(st.integers(1, 2))
    edges = sorted(draw(st.sets(st.integers(1, 96), min_size=2 * count, max_size=2 * count)))
    return tuple((edges[i] * QUARTER_MIN - QUARTER_MIN, edges[i + 1] * QUARTER_MIN)
                 for i in range(0, len(edges), 2))


rules = st.lists(st.tuples(st.frozensets(st.integers(0, 6), min_size=1), spans()),
                 min_size=1, max_size=3)


def clock(minutes: int, style: int) -> str:
    hour, minute = divmod(minutes % (24 * 60), 60)
    meridiem = ("am", "pm", " AM", " PM", " a.m.", " p.m.")[style % 3 * 2 + (hour >= 12)]
    hour12 = hour % 12 or 12
    if minute == 0 and style % 2:
        return f"{hour12}{meridiem}"
    return f"{hour12}:{minute:02d}{meridiem}"


def write_days(days: frozenset[int], style: int) -> str:
    names = [DAY_SPELLINGS[d][style % len(DAY_SPELLINGS[d])] for d in sorted(days)]
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{names[0]} - {names[-1]}" if style % 2 else f"{names[0]}-{names[-1]}"
    return (", " if style % 2 else "/").join(names)


def write(schedule_rules: list[Rule], style: int) -> str:
    texts = []
    for days, intervals in schedule_rules:
        times = ", ".join(f"{clock(a, style)}-{clock(b, style)}" for a, b in intervals)
        texts.append(f"{write_days(days, style)} {times}")
    return ("; " if style % 2 else "\n").join(texts)


def reference_state(schedule_rules: list[Rule], moment: datetime) -> bool:
    minute = moment.hour * 60 + moment.minute
    today: tuple[tuple[int, int], ...] = ()
    for days, intervals in schedule_rules:
        if moment.weekday() in days:
            today = intervals
    return any(a <= minute < b for a, b in today)


def quarter_hours_of_a_week() -> list[datetime]:
    return [MONDAY + timedelta(minutes=QUARTER_MIN * n) for n in range(7 * 96)]


@settings(max_examples=150, deadline=None)
@given(rules, st.integers(0, 5))
def test_written_schedules_read_back_and_open_as_written(schedule_rules: list[Rule],
                                                         style: int) -> None:
    text = write(schedule_rules, style)
    hours = read_hours(text)
    assert hours.is_structured, (text, hours)
    evaluator = schedule(hours, 2027, 2027)
    for moment in quarter_hours_of_a_week():
        expected = reference_state(schedule_rules, moment)
        assert (evaluator.state(moment)[0] is State.OPEN) is expected, (text, moment)


@settings(max_examples=100, deadline=None)
@given(rules)
def test_schedules_survive_hsds_rows(schedule_rules: list[Rule]) -> None:
    hours = read_hours(write(schedule_rules, 0))
    back = hours_from_rows(schedule_rows(hours, "loc", holiday_years=(2027,)))
    original, returned = schedule(hours, 2027, 2027), schedule(back, 2027, 2027)
    for moment in quarter_hours_of_a_week():
        assert returned.state(moment) == original.state(moment), (hours.canonical, moment)
