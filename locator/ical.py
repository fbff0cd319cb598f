"""Events as iCalendar (RFC 5545) documents, written with the ``icalendar`` package.

Times are written in the site's own zone with their ``TZID``, and each zone used gets its
``VTIMEZONE`` (built by ``icalendar`` from the zone database), so a calendar shows the
event at the right instant wherever its reader is, across DST changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import icalendar

from locator import __version__
from locator.event_search import EventAt

PRODUCT_ID = f"-//Workforce service locator//{__version__}//EN"
UID_DOMAIN = "workforce-locator"


def calendar_bytes(found: Sequence[EventAt], *, name: str, stamp_utc: datetime,
                   page_url: Callable[[str], str] | None = None) -> bytes:
    """One ``VCALENDAR`` holding ``found``; ``page_url(event_id)`` links each event's page.
    ``stamp_utc`` is the ``DTSTAMP`` (when the document was made)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for item in found:
        calendar.add_component(_vevent(item, stamp_utc, page_url))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _vevent(item: EventAt, stamp_utc: datetime,
            page_url: Callable[[str], str] | None) -> icalendar.Event:
    event, site = item.event, item.site
    vevent = icalendar.Event()
    vevent.add("uid", f"{event.id}@{UID_DOMAIN}")
    vevent.add("dtstamp", stamp_utc)
    vevent.add("dtstart", event.start)
    vevent.add("dtend", event.end)
    vevent.add("summary", event.title)
    place = (site.display_name, site.display_address, site.display_city, site.state)
    vevent.add("location", ", ".join(p for p in place if p))
    vevent.add("geo", (site.lat, site.lon))
    vevent.add("categories", [event.kind.value])
    description = "\n\n".join(p for p in (event.description, _sign_up(item)) if p)
    if description:
        vevent.add("description", description)
    if page_url is not None:
        vevent.add("url", page_url(event.id))
    return vevent


def _sign_up(item: EventAt) -> str:
    """How to register, in the calendar's one language: iCalendar text is not translated
    per reader, so it states the link and number without words around them."""
    return "\n".join(p for p in (item.event.registration_url, item.event.phone) if p)
