"""Free-text hours in the forms partners and the CareerOneStop list write, read as OSM text."""

from __future__ import annotations

import pytest
from opening_hours import OpeningHours

from locator.hours_text import format_days, to_opening_hours

CONVERTED = [
    # the issue's own examples
    ("Mon-Fri 8:30am-5pm", "Mo-Fr 08:30-17:00"),
    ("M,W 9-12; Tu 1-4pm", "Mo,We 09:00-12:00; Tu 13:00-16:00"),
    ("Monday - Friday 8:00 AM - 4:30 PM", "Mo-Fr 08:00-16:30"),
    ("Closed Sat/Sun", "Sa,Su closed"),
    # the same ideas in other common spellings
    ("Mon - Fri: 8:00 am - 5:00 pm", "Mo-Fr 08:00-17:00"),
    ("Monday through Friday, 8 a.m. to 5 p.m.", "Mo-Fr 08:00-17:00"),
    ("Monday-Friday 8:00 AM-4:30 PM; Saturday 9:00 AM-12:00 PM; Sunday Closed",
     "Mo-Fr 08:00-16:30; Sa 09:00-12:00; Su closed"),
    ("Mon-Fri 8:30am-5pm, Sat 9am-1pm", "Mo-Fr 08:30-17:00; Sa 09:00-13:00"),
    ("Mon-Fri 8:30am-5pm\nSat & Sun: Closed", "Mo-Fr 08:30-17:00; Sa,Su closed"),
    ("Tues & Thurs 10-2", "Tu,Th 10:00-14:00"),
    ("Mon, Wed, Fri 9am-noon", "Mo,We,Fr 09:00-12:00"),
    ("Weekdays 9-5", "Mo-Fr 09:00-17:00"),
    ("Daily 10am-6pm", "Mo-Su 10:00-18:00"),
    ("7 days a week 8am-8pm", "Mo-Su 08:00-20:00"),
    ("Mon-Fri 7:30-4", "Mo-Fr 07:30-16:00"),
    ("Mon-Fri 08:00-17:00", "Mo-Fr 08:00-17:00"),
    ("Mon-Fri 8:00-17:00", "Mo-Fr 08:00-17:00"),
    ("Mon-Fri 8:00-5:00", "Mo-Fr 08:00-17:00"),
    ("8:30am-5pm Mon-Fri", "Mo-Fr 08:30-17:00"),
    # split shifts: a day's ranges are written in order, so the second is the afternoon
    ("M-F 8-12, 1-5", "Mo-Fr 08:00-12:00,13:00-17:00"),
    ("Mon-Fri 8am-12pm & 1pm-5pm", "Mo-Fr 08:00-12:00,13:00-17:00"),
    # past midnight, around the clock, ranges across the weekend
    ("Mon-Fri 10pm-2am", "Mo-Fr 22:00-02:00"),
    ("Fri-Sat 20:00-2:00", "Fr,Sa 20:00-02:00"),
    ("Mon-Fri 9am-midnight", "Mo-Fr 09:00-24:00"),
    ("24/7", "24/7"),
    ("Open 24 hours", "24/7"),
    ("Sat-Sun 24 hours", "Sa,Su 00:00-24:00"),
    ("Fri-Mon 9-5", "Mo,Fr-Su 09:00-17:00"),
]

UNREADABLE = [
    "by appointment",
    "call for hours",
    "T,Th 9-5",  # T is Tuesday or Thursday
    "S 9-1",  # S is Saturday or Sunday
    "1-4",  # no days, and 1 to 4 could be night or day
    "Mon-Fri 1-4",  # without am/pm an afternoon start is not certain
    "9am-5pm",  # no days
    "We are open Mon-Fri 9-5",
    "Mon-Fri 9-5 except holidays",
    "Mon-Fri 9:75-17:00",
    "Mon-Fri 13pm-5pm",
    "Mon-Fri 9am-9am",
    "Mon-Fri 08:00-5:00",  # 24-hour start, 12-hour end
    "",
]


@pytest.mark.parametrize(("text", "expected"), CONVERTED)
def test_common_free_text_converts_to_osm_hours(text: str, expected: str) -> None:
    assert to_opening_hours(text) == expected


@pytest.mark.parametrize(("text", "expected"), CONVERTED)
def test_converted_hours_are_read_by_the_maintained_parser(text: str, expected: str) -> None:
    assert str(OpeningHours(to_opening_hours(text), auto_country=False,
                            auto_timezone=False))


@pytest.mark.parametrize("text", UNREADABLE)
def test_text_that_is_not_certain_is_not_converted(text: str) -> None:
    assert to_opening_hours(text) is None


@pytest.mark.parametrize(("days", "expected"), [
    ((0, 1, 2, 3, 4), "Mo-Fr"), ((0, 2), "Mo,We"), ((5, 6), "Sa,Su"),
    ((0, 1, 2, 4), "Mo-We,Fr"), ((0, 4, 5, 6), "Mo,Fr-Su"), (tuple(range(7)), "Mo-Su"),
])
def test_days_are_written_as_ranges_in_week_order(days: tuple[int, ...], expected: str) -> None:
    assert format_days(days) == expected
