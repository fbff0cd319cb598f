"""Workshops, job fairs and other events held at a site: the ``Event`` record and its times.

An event's start and end are instants (aware datetimes, kept in UTC) together with the
IANA zone of its site, so it is shown in the site's local time whatever the reader's zone,
and a wall-clock time written without an offset is read in that zone, across DST changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from locator.errors import N_, InvalidInput


class EventKind(StrEnum):
    WORKSHOP = "workshop"
    JOB_FAIR = "job_fair"
    HIRING_EVENT = "hiring_event"
    TRAINING = "training"
    OTHER = "other"

    @property
    def label(self) -> str:
        return EVENT_KIND_LABELS[self]


EVENT_KIND_LABELS: dict[EventKind, str] = {
    EventKind.WORKSHOP: N_("Workshop"),
    EventKind.JOB_FAIR: N_("Job fair"),
    EventKind.HIRING_EVENT: N_("Hiring event"),
    EventKind.TRAINING: N_("Training"),
    EventKind.OTHER: N_("Event"),
}


@dataclass(frozen=True, slots=True)
class Event:
    """One event at one site. ``start_utc``/``end_utc`` are aware UTC datetimes; ``zone`` is
    the site's IANA zone. ``capacity`` is None when the organiser set no limit."""

    id: str
    site_id: str
    title: str
    kind: EventKind
    start_utc: datetime
    end_utc: datetime
    zone: str
    description: str = ""
    registration_url: str = ""
    phone: str = ""
    capacity: int | None = None
    languages: tuple[str, ...] = ()
    source: str = ""

    @property
    def start(self) -> datetime:
        """The start in the site's own zone."""
        return self.start_utc.astimezone(ZoneInfo(self.zone))

    @property
    def end(self) -> datetime:
        return self.end_utc.astimezone(ZoneInfo(self.zone))


def at_site_zone(moment: datetime, zone: str) -> datetime:
    """``moment`` as a UTC instant: one with an offset is kept, a wall-clock time without one
    is read in ``zone`` (the earlier of two readings in the repeated hour of a DST end)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def parse_moment(text: str, name: str) -> datetime:
    """An ISO 8601 date-time, with or without an offset; ``InvalidInput`` names ``name``."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("%(name)s must be an ISO 8601 date and time such as "
                           "2027-01-12T10:00 or 2027-01-12T10:00-06:00, got '%(value)s'",
                           code="bad_datetime", parameter=name, name=name,
                           value=text.strip()) from None


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def language_tags(text: str) -> tuple[str, ...] | None:
    """Language tags (``en``, ``es``, ``zh-Hant``) separated by ``;`` or ``,``, each once;
    None when a part is not a tag."""
    tags = [part.strip() for part in re.split(r"[;,]", text) if part.strip()]
    if not all(_LANGUAGE_TAG.fullmatch(tag) for tag in tags):
        return None
    return tuple(dict.fromkeys(tags))


def upcoming(events: list[Event], *, now_utc: datetime, days: int) -> list[Event]:
    """Events not yet over at ``now_utc`` that start within ``days`` days, by start."""
    horizon = now_utc + timedelta(days=days)
    return sorted((e for e in events if e.end_utc > now_utc and e.start_utc < horizon),
                  key=lambda e: (e.start_utc, e.id))
