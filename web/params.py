"""Query-string parsing for pages and API alike: every value is checked here, once.

Each function raises ``InvalidInput`` naming the parameter and saying what was expected,
which the API turns into HTTP 400 and the pages into a message beside the search box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time

from werkzeug.datastructures import MultiDict

from locator.errors import InvalidInput
from locator.event_search import DEFAULT_DAYS, MAX_DAYS
from locator.events import parse_moment as parse_event_moment
from locator.open_at import WEEKDAYS as WEEKDAY_CODES
from locator.open_at import Moment, parse_moment
from locator.places import Place, Precision
from locator.search import DEFAULT_K, public_filter
from locator.sites import SiteFilter
from locator.spatial import MAX_K

MAX_QUERY_CHARS = 200
MAX_ZOOM = 22


@dataclass(frozen=True, slots=True)
class NearestQuery:
    """A nearest-sites question: where from (text or a point), how many, which sites."""

    text: str | None
    point: Place | None
    k: int
    site_filter: SiteFilter
    within_mi: float | None

    @property
    def is_empty(self) -> bool:
        return self.text is None and self.point is None


@dataclass(frozen=True, slots=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def nearest_query(args: MultiDict[str, str], *, require_place: bool = True) -> NearestQuery:
    text = query_text(args, required=False)
    point = point_place(args)
    if text is not None and point is not None:
        raise InvalidInput("give either q or lat and lon, not both", code="q_and_point",
                           parameter="q")
    if require_place and text is None and point is None:
        raise InvalidInput(
            "say where to search from: q (a ZIP, city, county, address with ZIP or "
            "'lat, lon') or lat and lon", code="no_place", parameter="q")
    return NearestQuery(
        text=text,
        point=point,
        k=integer(args, "k", default=DEFAULT_K, low=1, high=MAX_K),
        site_filter=site_filter(args),
        within_mi=positive_number(args, "within_mi"),
    )


def query_text(args: MultiDict[str, str], *, required: bool = True) -> str | None:
    text = " ".join(args.get("q", "").split())
    if not text:
        if required:
            raise InvalidInput("q is required: a ZIP, city, county, address with ZIP or "
                               "'lat, lon'", code="required", parameter="q")
        return None
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput("q is too long (at most %(max)s characters)", code="query_too_long",
                           parameter="q", max=MAX_QUERY_CHARS)
    return text


def point_place(args: MultiDict[str, str]) -> Place | None:
    """A place from ``lat`` and ``lon``, which come together or not at all."""
    has_lat, has_lon = bool(args.get("lat", "").strip()), bool(args.get("lon", "").strip())
    if not (has_lat or has_lon):
        return None
    if not has_lon:
        raise InvalidInput("lon is required when lat is given", code="required", parameter="lon")
    if not has_lat:
        raise InvalidInput("lat is required when lon is given", code="required", parameter="lat")
    lat = number(args, "lat", low=-90, high=90)
    lon = number(args, "lon", low=-180, high=180)
    return Place(label=f"{lat:.5f}, {lon:.5f}", lat=lat, lon=lon, precision=Precision.POINT)


def site_filter(args: MultiDict[str, str]) -> SiteFilter:
    program = args.get("program", "").strip() or None
    return public_filter(args.getlist("kind"), program)


@dataclass(frozen=True, slots=True)
class EventsQuery:
    """An events question: near what (text, a point or anywhere), how far, from when."""

    text: str | None
    point: Place | None
    within_mi: float | None
    at: datetime | None  # None: now
    days: int


def events_query(args: MultiDict[str, str]) -> EventsQuery:
    text, point = query_text(args, required=False), point_place(args)
    if text is not None and point is not None:
        raise InvalidInput("give either q or lat and lon, not both", code="q_and_point",
                           parameter="q")
    within_mi = positive_number(args, "within_mi")
    if within_mi is not None and text is None and point is None:
        raise InvalidInput("within_mi needs a place: q, or lat and lon", code="no_place",
                           parameter="within_mi")
    raw_at = args.get("at", "").strip()
    return EventsQuery(
        text=text, point=point, within_mi=within_mi,
        at=parse_event_moment(raw_at, "at") if raw_at else None,
        days=integer(args, "days", default=DEFAULT_DAYS, low=1, high=MAX_DAYS),
    )


def bbox(args: MultiDict[str, str]) -> BBox:
    raw = args.get("bbox", "").strip()
    if not raw:
        raise InvalidInput("bbox is required: minlon,minlat,maxlon,maxlat", code="required",
                           parameter="bbox")
    parts = raw.split(",")
    if len(parts) != 4:
        raise InvalidInput("bbox must be four numbers minlon,minlat,maxlon,maxlat, got "
                           "'%(value)s'", code="bad_bbox", parameter="bbox", value=raw)
    min_lon, min_lat, max_lon, max_lat = (_to_float(p, "bbox") for p in parts)
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180
            and -90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise InvalidInput("bbox is out of range: longitudes within -180..180, latitudes "
                           "within -90..90", code="bad_bbox", parameter="bbox")
    if min_lon > max_lon or min_lat > max_lat:
        raise InvalidInput("bbox is inverted: expected minlon,minlat,maxlon,maxlat with "
                           "min <= max", code="bad_bbox", parameter="bbox")
    return BBox(min_lon, min_lat, max_lon, max_lat)


def listed(args: MultiDict[str, str], name: str) -> list[str]:
    """A parameter given repeatedly and/or comma-separated (``state=IL&state=IN,WI``)."""
    return [part.strip() for value in args.getlist(name) for part in value.split(",")
            if part.strip()]


def integer(args: MultiDict[str, str], name: str, *, default: int | None, low: int,
            high: int) -> int:
    """A whole number within ``low..high``; required when ``default`` is None."""
    raw = args.get(name, "").strip()
    if not raw:
        if default is None:
            raise InvalidInput("%(name)s is required", code="required", parameter=name,
                               name=name)
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput("%(name)s must be a whole number, got '%(value)s'",
                           code="not_a_whole_number", parameter=name, name=name,
                           value=raw) from None
    if not low <= value <= high:
        raise InvalidInput("%(name)s must be between %(low)s and %(high)s, got %(value)s",
                           code="out_of_range", parameter=name, name=name, low=low, high=high,
                           value=value)
    return value


def number(args: MultiDict[str, str], name: str, *, low: float, high: float) -> float:
    value = _to_float(args.get(name, ""), name)
    if not low <= value <= high:
        raise InvalidInput("%(name)s must be between %(low)s and %(high)s, got %(value)s",
                           code="out_of_range", parameter=name, name=name, low=low, high=high,
                           value=value)
    return value


def positive_number(args: MultiDict[str, str], name: str) -> float | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    value = _to_float(raw, name)
    if value <= 0:
        raise InvalidInput("%(name)s must be a positive number of miles, got '%(value)s'",
                           code="bad_distance", parameter=name, name=name, value=raw)
    return value


def moment(args: MultiDict[str, str], *, now: Moment) -> Moment:
    """``at`` as an ISO 8601 moment (an instant with an offset, else local to each site)."""
    raw = args.get("at", "").strip()
    return parse_moment(raw) if raw else now


@dataclass(frozen=True, slots=True)
class OpeningChoice:
    """The search page's "when" filter: any time (``""``), open now (``"now"``), or open on
    a weekday at a time of day (``"at"``), read in each site's own zone."""

    when: str = ""
    weekday: int | None = None  # 0 is Monday
    clock: time | None = None


WHEN_CHOICES = ("", "now", "at")


def opening_choice(args: MultiDict[str, str]) -> OpeningChoice:
    when = args.get("when", "").strip()
    if when not in WHEN_CHOICES:
        raise InvalidInput("when must be now or at, got '%(value)s'", code="bad_when",
                           parameter="when", value=when)
    if when != "at":
        return OpeningChoice(when)
    day = args.get("day", "").strip().lower()
    if day not in WEEKDAY_CODES:
        raise InvalidInput("day must be a weekday: %(days)s", code="bad_day", parameter="day",
                           days=", ".join(WEEKDAY_CODES))
    return OpeningChoice(when, WEEKDAY_CODES.index(day), time_of_day(args, "time"))


def time_of_day(args: MultiDict[str, str], name: str) -> time:
    raw = args.get(name, "").strip()
    try:
        clock = time.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("%(name)s must be a time of day such as 10:30, got '%(value)s'",
                           code="bad_time", parameter=name, name=name, value=raw) from None
    if clock.tzinfo is not None:
        raise InvalidInput("%(name)s must be a time of day such as 10:30, got '%(value)s'",
                           code="bad_time", parameter=name, name=name, value=raw)
    return clock


MAX_VISIT_RANGE_DAYS = 92


@dataclass(frozen=True, slots=True)
class DateRange:
    """Local days ``first`` to ``last``, both included."""

    first: date
    last: date


def visits_range(args: MultiDict[str, str]) -> DateRange | None:
    """``visits_from`` and ``visits_to`` (ISO dates, together or not at all)."""
    raw_from, raw_to = args.get("visits_from", "").strip(), args.get("visits_to", "").strip()
    first = iso_date(raw_from, "visits_from") if raw_from else None
    last = iso_date(raw_to, "visits_to") if raw_to else None
    if first is None and last is None:
        return None
    if last is None:
        raise InvalidInput("visits_to is required when visits_from is given", code="required",
                           parameter="visits_to")
    if first is None:
        raise InvalidInput("visits_from is required when visits_to is given",
                           code="required", parameter="visits_from")
    if last < first:
        raise InvalidInput("visits_to must not be before visits_from", code="bad_range",
                           parameter="visits_to")
    if (last - first).days >= MAX_VISIT_RANGE_DAYS:
        raise InvalidInput("the visits range is at most %(days)s days", code="bad_range",
                           parameter="visits_to", days=MAX_VISIT_RANGE_DAYS)
    return DateRange(first, last)


def iso_date(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("%(name)s must be a date such as 2027-01-12, got '%(value)s'",
                           code="bad_date", parameter=name, name=name, value=raw) from None


_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def boolean(args: MultiDict[str, str], name: str) -> bool:
    raw = args.get(name, "").strip().lower()
    if not raw:
        return False
    if raw not in _BOOLEANS:
        raise InvalidInput("%(name)s must be true or false, got '%(value)s'",
                           code="not_a_boolean", parameter=name, name=name, value=raw)
    return _BOOLEANS[raw]


def _to_float(raw: str, name: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise InvalidInput("%(name)s must be a number, got '%(value)s'", code="not_a_number",
                           parameter=name, name=name, value=raw.strip()) from None
    if not math.isfinite(value):
        raise InvalidInput("%(name)s must be a finite number, got '%(value)s'",
                           code="not_a_number", parameter=name, name=name, value=raw.strip())
    return value
