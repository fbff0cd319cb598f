"""Events for the job seeker: ``/api/events`` (JSON and iCalendar), event pages, and the
"upcoming events" lists the search results and site pages show.

Every answer is ``locator.event_search.find_events`` over the store's events and the
catalog's public sites; the moment "now" comes from ``app.config["CLOCK"]`` when set, so
tests can fix it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from babel import Locale
from babel.dates import format_datetime, format_time, match_skeleton
from babel.lists import format_list
from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale, gettext
from werkzeug.datastructures import MultiDict

from locator.errors import NotFound
from locator.event_search import (
    DEFAULT_DAYS,
    MAX_DAYS,
    EventAt,
    EventQuery,
    event_json,
    find_events,
    store_window,
)
from locator.events import Event, EventKind
from locator.ical import calendar_bytes
from locator.mobile import NextVisit
from locator.places import Place
from locator.search import public_filter
from locator.sites import Site
from web import openapi, params
from web.data import site_data
from web.db import get_store
from web.present import distance_text

bp = Blueprint("events", __name__)

ICS_TYPE = "text/calendar"
UPCOMING_ON_PAGES = 5
# A search page lists events this near the place searched from unless it asks for less.
NEARBY_EVENTS_MI = 25.0
_WEEKDAY = re.compile(r"E+|c+")


def now_utc() -> datetime:
    """The app's "now": ``CLOCK`` when set, a function or (``LOCATOR_CLOCK``, for a server
    under test) an ISO 8601 instant with its offset."""
    clock: Callable[[], datetime] | str | None = current_app.config.get("CLOCK")
    if clock is None:
        return datetime.now(UTC)
    if isinstance(clock, str):
        fixed = datetime.fromisoformat(clock)
        if fixed.tzinfo is None:
            raise ValueError(f"CLOCK must be an instant with its UTC offset, got {clock!r}")
        return fixed.astimezone(UTC)
    return clock()


@bp.get("/api/events")
def events_api():
    return jsonify({"events": [event_json(e) for e in _search(request.args)]})


@bp.get("/api/events.ics")
def events_feed():
    return _calendar(_search(request.args), gettext("Events near you"))


@bp.get("/events/<event_id>")
def event_page(event_id: str):
    found = _public_event(event_id)
    return render_template("event.html", found=found, event=found.event, site=found.site)


@bp.get("/events/<event_id>.ics")
def event_calendar(event_id: str):
    found = _public_event(event_id)
    return _calendar([found], found.event.title, filename=f"{event_id}.ics")


@bp.get("/sites/<site_id>/events.ics")
def site_feed(site_id: str):
    site = site_data().catalog().get(site_id, site_filter=public_filter())
    return _calendar(upcoming_at(site, days=MAX_DAYS), site.display_name,
                     filename=f"{site_id}-events.ics")


def upcoming_at(site: Site, *, days: int | None = None) -> list[EventAt]:
    """The site's events not over yet, soonest first."""
    query = EventQuery(place=None, within_mi=None, at=now_utc(),
                       days=days or DEFAULT_DAYS)
    events = get_store().events(site_ids=[site.id], ending_after_utc=query.at)
    return find_events(events, {site.id: site}, query)


def upcoming_near(place: Place, within_mi: float | None) -> list[EventAt]:
    """Events soon near a place searched from, for the results panel."""
    query = EventQuery(place=place, within_mi=within_mi or NEARBY_EVENTS_MI, at=now_utc())
    return _find(query)[:UPCOMING_ON_PAGES]


def near_feed_url(place: Place, within_mi: float | None) -> str:
    """The iCalendar feed of the events ``upcoming_near`` lists, for days ahead too."""
    return url_for("events.events_feed", lat=f"{place.lat:.5f}", lon=f"{place.lon:.5f}",
                   within_mi=f"{within_mi or NEARBY_EVENTS_MI:g}")


def _search(args: MultiDict[str, str]) -> list[EventAt]:
    asked = params.events_query(args)
    place = asked.point or (site_data().place(asked.text) if asked.text else None)
    return _find(EventQuery(place=place, within_mi=asked.within_mi,
                            at=asked.at or now_utc(), days=asked.days))


def _find(query: EventQuery) -> list[EventAt]:
    ending_after, starting_before = store_window(query)
    events = get_store().events(ending_after_utc=ending_after,
                                starting_before_utc=starting_before)
    return find_events(events, site_data().catalog().sites, query)


def _public_event(event_id: str) -> EventAt:
    event = get_store().event(event_id)
    sites = site_data().catalog().sites
    if event is None or event.site_id not in sites:
        raise NotFound("no event with id '%(id)s'", code="unknown_event", id=event_id)
    return EventAt(event, sites[event.site_id], None)


def _calendar(found: list[EventAt], name: str, *, filename: str = "events.ics") -> Response:
    document = calendar_bytes(found, name=name, stamp_utc=now_utc(), page_url=_page_url)
    response = Response(document, mimetype=ICS_TYPE)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _page_url(event_id: str) -> str:
    return url_for("events.event_page", event_id=event_id, _external=True)


# -- how an event's time is shown ------------------------------------------------------------
def event_day_text(moment: datetime) -> str:
    """The day in the page's language, without the year: "Tuesday, January 12",
    "martes, 12 de enero". The locale's pattern for month-day-weekday is taken and its
    weekday widened to the full name, as CLDR says to adapt a skeleton's widths."""
    locale = Locale.parse(str(get_locale()))
    skeleton = match_skeleton("MMMMEd", locale.datetime_skeletons)
    pattern = _WEEKDAY.sub("EEEE", locale.datetime_skeletons[skeleton].pattern)
    return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=locale)


def event_time_text(moment: datetime, *, with_zone: bool = True) -> str:
    """A wall-clock time in the event's own zone ("10:00 AM CST")."""
    clock = format_time(moment, format="short", tzinfo=moment.tzinfo, locale=get_locale())
    return f"{clock} {moment.tzname()}" if with_zone else clock


def event_when_text(event: Event) -> str:
    """"Tuesday, January 12, 10:00 AM to 12:00 PM CST" in the page's language and the site's
    zone; an event over several days names both days."""
    start, end = event.start, event.end
    if start.date() == end.date():
        return gettext("%(day)s, %(start)s\u2013%(end)s", day=event_day_text(start),
                       start=event_time_text(start, with_zone=False),
                       end=event_time_text(end))
    return gettext("%(start_day)s, %(start)s \u2013 %(end_day)s, %(end)s",
                   start_day=event_day_text(start), start=event_time_text(start),
                   end_day=event_day_text(end), end=event_time_text(end))


def visit_text(visit: NextVisit) -> str:
    """"Next visit: Tuesday, January 12, 10:00 AM to 2:00 PM EST at Lockport Library
    lot, 3.2 mi straight-line" in the page's language."""
    when = gettext("%(day)s, %(start)s\u2013%(end)s", day=event_day_text(visit.starts),
                   start=event_time_text(visit.starts, with_zone=False),
                   end=event_time_text(visit.ends))
    if visit.under_way:
        when = gettext("now, until %(end)s", end=event_time_text(visit.ends))
    if visit.distance_mi is None:
        return gettext("Next visit: %(when)s at %(place)s", when=when,
                       place=visit.site.display_name)
    return gettext("Next visit: %(when)s at %(place)s, %(distance)s straight-line", when=when,
                   place=visit.site.display_name, distance=distance_text(visit.distance_mi))


def language_names(tags: tuple[str, ...]) -> str:
    """Language tags as the page's language names them ("English and Spanish")."""
    locale = Locale.parse(str(get_locale()))
    names = [locale.languages.get(tag.split("-")[0].lower(), tag) for tag in tags]
    return format_list(names, locale=locale)


TEMPLATE_HELPERS = {f.__name__: f for f in (event_when_text, language_names, visit_text)}


# -- the OpenAPI description -------------------------------------------------------------------
def _openapi(state: Any) -> None:
    openapi.add_paths(state.app, _PATHS, _SCHEMAS)


bp.record_once(_openapi)
bp.app_context_processor(lambda: TEMPLATE_HELPERS)

_EVENT_PARAMETERS = [
    openapi.query_param(
        "q", "Where to search from (as for `/api/nearest`); omitted, with `lat`/`lon` "
        "omitted too, means events anywhere.",
        {"type": "string", "maxLength": params.MAX_QUERY_CHARS}, example="61820"),
    openapi.query_param("lat", "Latitude to search from (with `lon`, instead of `q`).",
                        {"type": "number", "minimum": -90, "maximum": 90}),
    openapi.query_param("lon", "Longitude to search from (with `lat`, instead of `q`).",
                        {"type": "number", "minimum": -180, "maximum": 180}),
    openapi.query_param("within_mi", "Only events at sites within this straight-line distance "
                        "of the place (needs a place).",
                        {"type": "number", "exclusiveMinimum": True, "minimum": 0}),
    openapi.query_param("days", "How many days ahead of `at` to look.",
                        {"type": "integer", "minimum": 1, "maximum": MAX_DAYS,
                         "default": DEFAULT_DAYS}),
    openapi.query_param("at", "From when (default: now), ISO 8601. With an offset or `Z` it "
                        "is an instant; without one it is read in each site's own zone. "
                        "Events still going on at that moment are included.",
                        {"type": "string"}, example="2027-01-11T09:00"),
]

_PATHS = {
    "/api/events": {"get": {
        "summary": "Upcoming events (workshops, job fairs...) at public sites, by start",
        "operationId": "events",
        "description": "Give `q`, or both `lat` and `lon`, or neither (events anywhere), "
                       "never `q` with `lat`/`lon`; `within_mi` needs a place. Text the "
                       "geocoder cannot place is refused. Each breach answers 400.",
        "parameters": _EVENT_PARAMETERS,
        "responses": openapi.responses({"$ref": "#/components/schemas/EventList"},
                                       description="The events, soonest first."),
    }},
    "/api/events.ics": {"get": {
        "summary": "The same events as an iCalendar (RFC 5545) feed",
        "operationId": "eventsCalendar",
        "description": "Give `q`, or both `lat` and `lon`, or neither (events anywhere), "
                       "never `q` with `lat`/`lon`; `within_mi` needs a place. Text the "
                       "geocoder cannot place is refused. Each breach answers 400.",
        "parameters": _EVENT_PARAMETERS,
        "responses": openapi.responses({"type": "string"}, description="A VCALENDAR.",
                                       content_type=ICS_TYPE),
    }},
}

_NULLABLE_NUMBER = {"type": "number", "nullable": True}
_SCHEMAS = {
    "EventList": {
        "type": "object", "required": ["events"],
        "properties": {"events": {"type": "array",
                                  "items": {"$ref": "#/components/schemas/Event"}}},
    },
    "Event": {
        "type": "object",
        "required": ["id", "title", "kind", "start", "end", "site_id", "site_name",
                     "distance_mi", "time_zone", "description", "registration_url", "phone",
                     "capacity", "languages", "address", "city", "state"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "kind": {"type": "string",
                     "enum": [k.value for k in EventKind]},
            "start": {"type": "string", "format": "date-time",
                      "description": "ISO 8601 in the site's zone, with its offset."},
            "end": {"type": "string", "format": "date-time"},
            "site_id": {"type": "string"},
            "site_name": {"type": "string"},
            "distance_mi": {**_NULLABLE_NUMBER, "description": "Straight-line miles from the "
                            "place searched from; null when no place was given."},
            "time_zone": {"type": "string", "description": "The site's IANA zone."},
            "description": {"type": "string"},
            "registration_url": {"type": "string"},
            "phone": {"type": "string"},
            "capacity": {"type": "integer", "nullable": True},
            "languages": {"type": "array", "items": {"type": "string"}},
            "address": {"type": "string"},
            "city": {"type": "string"},
            "state": {"type": "string"},
        },
    },
}
