"""Which events a job seeker is told about: upcoming ones at public sites, near a place.

``find_events`` is the one answer behind ``GET /api/events``, its iCalendar feed and the
"upcoming events" lists of the pages: events not over yet at the moment asked about and
starting within ``days``, at sites the public may see, optionally within a straight-line
distance of a place, ordered by start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from locator.events import Event, at_site_zone
from locator.geo import haversine_mi
from locator.places import Place
from locator.sites import Site

DEFAULT_DAYS = 30
MAX_DAYS = 366
# A wall-clock moment names a different instant in each zone; US zones lie within this
# much of UTC, so a store query widened by it finds every candidate.
_ZONE_SPREAD = timedelta(hours=14)


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Where from (or anywhere), how far, from when and for how many days."""

    place: Place | None
    within_mi: float | None
    at: datetime  # aware: an instant; naive: a wall-clock time in each site's zone
    days: int = DEFAULT_DAYS


@dataclass(frozen=True, slots=True)
class EventAt:
    """An event, the public site it is held at, and its distance from the place asked
    about (None when no place was given)."""

    event: Event
    site: Site
    distance_mi: float | None


def store_window(query: EventQuery) -> tuple[datetime, datetime]:
    """UTC bounds (end after, start before) wide enough for every zone's reading of ``at``."""
    if query.at.tzinfo is None:
        return (at_site_zone(query.at, "UTC") - _ZONE_SPREAD,
                at_site_zone(query.at, "UTC") + timedelta(days=query.days) + _ZONE_SPREAD)
    return query.at, query.at + timedelta(days=query.days)


def find_events(events: Iterable[Event], public_sites: Mapping[str, Site],
                query: EventQuery) -> list[EventAt]:
    """The events of ``query``, by start then id; events at sites not in ``public_sites``
    (pending, retired) are never shown."""
    found = []
    for event in events:
        site = public_sites.get(event.site_id)
        if site is None or not _in_window(event, query):
            continue
        distance_mi = _distance_mi(site, query.place)
        if query.within_mi is not None and distance_mi is not None \
                and distance_mi > query.within_mi:
            continue
        found.append(EventAt(event, site, distance_mi))
    return sorted(found, key=lambda e: (e.event.start_utc, e.event.id))


def _in_window(event: Event, query: EventQuery) -> bool:
    start_utc = at_site_zone(query.at, event.zone)
    return event.end_utc > start_utc and event.start_utc < start_utc + timedelta(days=query.days)


def _distance_mi(site: Site, place: Place | None) -> float | None:
    if place is None:
        return None
    return round(float(haversine_mi(place.lat, place.lon, site.lat, site.lon)), 2)


def event_json(found: EventAt) -> dict[str, object]:
    """The public JSON form of an event (the ``events`` rows of ``/api/events``)."""
    event = found.event
    return {
        "id": event.id, "title": event.title, "kind": event.kind.value,
        "start": event.start.isoformat(), "end": event.end.isoformat(),
        "site_id": found.site.id, "site_name": found.site.display_name,
        "distance_mi": found.distance_mi, "time_zone": event.zone,
        "description": event.description, "registration_url": event.registration_url,
        "phone": event.phone, "capacity": event.capacity, "languages": list(event.languages),
        "address": found.site.display_address, "city": found.site.display_city,
        "state": found.site.state,
    }
