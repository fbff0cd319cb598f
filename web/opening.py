"""When a place is open, in the page's language: the opening badge of a search result
("Open now · closes at 5:00 PM", "Closed · opens Monday at 8:30 AM" or "Hours unknown —
call ahead"), the "when" filter in the results heading, and the detail page's days.

Hours are read with ``locator.hours`` and evaluated with ``locator.open_at`` in the site's
own zone at the app's "now" (``web.events.now_utc``, which tests can fix).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from babel import Locale
from babel.dates import format_datetime
from babel.lists import format_list
from flask_babel import get_locale, gettext, lazy_gettext

from locator.hours import read_hours
from locator.open_at import Moment, OpenInterval, opening_at
from locator.sites import Site
from locator.timezones import site_zone
from locator.week import DAY, DayException, DayHours, ExceptionKind
from web.events import event_day_text, event_time_text, now_utc
from web.params import OpeningChoice


@dataclass(frozen=True, slots=True)
class Badge:
    state: str  # "open", "closed" or "unknown": the CSS class and the test's handle
    text: str


def opening_badge(site: Site) -> Badge:
    hours = read_hours(site.hours)
    if not hours.is_structured:
        return Badge("unknown", gettext("Hours unknown \u2014 call ahead"))
    opening = opening_at(hours, site_zone(site), Moment.now(now_utc()))
    change = opening.next_change
    if opening.open is None:  # hours that leave this time unknown ("Sa unknown")
        return Badge("unknown", gettext("Hours unknown \u2014 call ahead"))
    if opening.open:
        if change is None:
            return Badge("open", gettext("Open now"))
        return Badge("open", gettext("Open now \u00b7 closes at %(time)s",
                                     time=event_time_text(change, with_zone=False)))
    if change is None:
        return Badge("closed", gettext("Closed"))
    return Badge("closed", gettext("Closed \u00b7 opens %(day)s at %(time)s",
                                   day=_weekday(change),
                                   time=event_time_text(change, with_zone=False)))


def _weekday(moment: datetime) -> str:
    locale = Locale.parse(str(get_locale()))
    return format_datetime(moment, "EEEE", tzinfo=moment.tzinfo, locale=locale)


# -- the "when" filter and the detail page's days ----------------------------------------
def when_text(choice: OpeningChoice, wall: datetime | None) -> str:
    """What the results heading adds for the "when" filter, or "" for any time."""
    if choice.when == "now":
        return gettext("open now")
    if wall is None:
        return ""
    return gettext("open on %(day)s at %(time)s (each place's local time)",
                   day=event_day_text(wall), time=event_time_text(wall, with_zone=False))


def day_name(day: date) -> str:
    """"Tuesday, January 12" in the page's language."""
    return event_day_text(datetime.combine(day, time()))


def day_hours_text(day: DayHours) -> str:
    """A day's hours: "8:30 AM to 12:00 PM, 1:00 PM to 5:00 PM" (with en dashes), "Open 24
    hours", "Closed" or "Hours unknown — call ahead"."""
    if day.all_day:
        return gettext("Open 24 hours")
    if day.closed:
        return gettext("Closed")
    if not day.intervals:
        return gettext("Hours unknown \u2014 call ahead")
    shown = format_list([_interval_text(i, day.day) for i in day.intervals],
                        style="unit", locale=Locale.parse(str(get_locale())))
    if day.unknown:
        return gettext("%(hours)s; other hours unknown \u2014 call ahead", hours=shown)
    return shown


def exception_text(exception: DayException) -> str:
    """How a day differs from the regular week, with its holiday when it is one."""
    hours = day_hours_text(exception.hours)
    if exception.kind is ExceptionKind.CLOSED:
        text = gettext("Closed")
    elif exception.kind is ExceptionKind.OPEN:
        text = gettext("Open: %(hours)s", hours=hours)
    else:
        text = gettext("Open: %(hours)s (usually %(usual)s)", hours=hours,
                       usual=day_hours_text(exception.usual))
    if exception.hours.holiday is None:
        return text
    return gettext("%(hours)s \u2014 public holiday (%(holiday)s)", hours=text,
                   holiday=holiday_text(exception.hours.holiday))


# The holidays package names US federal holidays in English only; these are the page's.
_HOLIDAY_NAMES = {
    "New Year's Day": lazy_gettext("New Year's Day"),
    "Martin Luther King Jr. Day": lazy_gettext("Martin Luther King Jr. Day"),
    "Washington's Birthday": lazy_gettext("Washington's Birthday"),
    "Memorial Day": lazy_gettext("Memorial Day"),
    "Juneteenth National Independence Day": lazy_gettext("Juneteenth National Independence Day"),
    "Independence Day": lazy_gettext("Independence Day"),
    "Labor Day": lazy_gettext("Labor Day"),
    "Columbus Day": lazy_gettext("Columbus Day"),
    "Veterans Day": lazy_gettext("Veterans Day"),
    "Thanksgiving Day": lazy_gettext("Thanksgiving Day"),
    "Christmas Day": lazy_gettext("Christmas Day"),
}
_OBSERVED = " (observed)"


def holiday_text(name: str) -> str:
    """A holiday's name in the page's language; one the list lacks stays as named."""
    base = name.removesuffix(_OBSERVED)
    shown = str(_HOLIDAY_NAMES.get(base, base))
    return gettext("%(holiday)s (observed)", holiday=shown) if name.endswith(_OBSERVED) \
        else shown


def _interval_text(interval: OpenInterval, day: date) -> str:
    opens = event_time_text(interval.opens, with_zone=False)
    closes = event_time_text(interval.closes, with_zone=False)
    closes_on = interval.closes.date()
    ends_at_midnight = interval.closes.time() == time() and closes_on == day + DAY
    if closes_on == day or ends_at_midnight:
        return gettext("%(opens)s\u2013%(closes)s", opens=opens, closes=closes)
    if closes_on == day + DAY:
        return gettext("%(opens)s\u2013%(closes)s (next day)", opens=opens, closes=closes)
    return gettext("%(opens)s until %(day)s, %(closes)s", opens=opens, closes=closes,
                   day=day_name(closes_on))


TEMPLATE_HELPERS = {f.__name__: f for f in (opening_badge, when_text, day_name, day_hours_text,
                                             exception_text, holiday_text)}
