"""The opening badge of a search result: "Open now · closes at 5:00 PM", "Closed · opens
Monday at 8:30 AM" or "Hours unknown — call ahead", in the page's language.

Hours are read with ``locator.hours`` and evaluated with ``locator.open_at`` in the site's
own zone at the app's "now" (``web.events.now_utc``, which tests can fix).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel import Locale
from babel.dates import format_datetime
from flask_babel import get_locale, gettext

from locator.hours import read_hours
from locator.open_at import Moment, opening_at
from locator.sites import Site
from locator.timezones import site_zone
from web.events import event_time_text, now_utc


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
