"""Is a site open at a moment, when does that change, and what does its week look like.

Hours are wall-clock times in the site's own zone: a site is open at an instant when the
local clock then shows a time its hours open. Across a DST change the clock skips or
repeats an hour, so ``next_change`` walks the stretches of constant UTC offset: within one
the parser's wall-clock answer maps to an instant directly, and at each offset change the
state is checked afresh (a repeated hour can reopen a site, a skipped one can open it
late). A moment with an offset or ``Z`` is an instant; one without is read in each site's
zone (a skipped time as the first instant after it, a repeated one as its first pass).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, State

from locator.errors import InvalidInput
from locator.hours import Hours, schedule

WEEK = timedelta(days=7)
WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")  # as the hours syntax names them
# Changes further ahead are reported as none: PH dates are spelled out for the year
# before, of and after the moment, so the parser's view of holidays ends about there.
HORIZON = timedelta(days=366)
_PROBE_STEP = timedelta(days=1)  # no zone changes its UTC offset twice in a day
_MAX_STEPS = 1000


@dataclass(frozen=True, slots=True)
class Moment:
    """When to evaluate: an instant, or a wall-clock time read in each site's own zone."""

    instant: datetime | None = None  # aware
    wall: datetime | None = None  # naive

    @classmethod
    def now(cls, clock: datetime | None = None) -> Moment:
        """The current instant; ``clock`` (aware) stands in for it in tests."""
        return cls(instant=clock or datetime.now(UTC))

    def in_zone(self, zone: ZoneInfo) -> datetime:
        if self.instant is not None:
            return self.instant.astimezone(zone)
        if self.wall is None:
            raise ValueError("a moment needs an instant or a wall-clock time")
        return first_instant_at(self.wall, zone)


def parse_moment(text: str) -> Moment:
    """An ISO 8601 date-time: with an offset or ``Z`` an instant, without one a local time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            "not an ISO 8601 date-time: '%(value)s'; expected e.g. 2027-03-15T10:30 or "
            "2027-03-15T10:30-05:00", code="bad_moment", parameter="at", value=text) from None
    if moment.tzinfo is None:
        return Moment(wall=moment)
    return Moment(instant=moment)


def next_on_weekday(now_local: datetime, weekday: int, clock: time) -> datetime:
    """The first wall-clock time on ``weekday`` (0 is Monday) at ``clock`` that is not
    before ``now_local`` (to the minute): "Tuesday at 10:00" asked on a Tuesday afternoon
    is next week's. Naive, to be read in each site's own zone."""
    now_wall = now_local.replace(tzinfo=None, second=0, microsecond=0)
    days_ahead = (weekday - now_wall.weekday()) % 7
    candidate = datetime.combine(now_wall.date() + timedelta(days=days_ahead), clock)
    return candidate if candidate >= now_wall else candidate + WEEK


@dataclass(frozen=True, slots=True)
class OpenInterval:
    """One stretch of open time, as aware datetimes in the site's zone."""

    opens: datetime
    closes: datetime

    def to_json(self) -> dict[str, str]:
        return {"opens": self.opens.isoformat(), "closes": self.closes.isoformat()}


@dataclass(frozen=True, slots=True)
class Opening:
    """The answer at one moment: open (None when unknown), the next change, the week."""

    open: bool | None
    next_change: datetime | None
    week: tuple[OpenInterval, ...] = ()


UNKNOWN_OPENING = Opening(None, None)


def opening_at(hours: Hours, zone_name: str, moment: Moment) -> Opening:
    """Evaluate structured hours at a moment; unknown or unreadable hours answer unknown."""
    if not hours.is_structured:
        return UNKNOWN_OPENING
    zone = ZoneInfo(zone_name)
    local = moment.in_zone(zone)
    evaluator = _Evaluator(hours, zone, local.year)
    return Opening(evaluator.state_at(local), evaluator.next_change(local),
                   evaluator.week(local.date()))


def is_open_at(hours: Hours, zone_name: str, moment: Moment) -> bool | None:
    """Only the ``open`` of ``opening_at``, for filtering many sites cheaply."""
    if not hours.is_structured:
        return None
    zone = ZoneInfo(zone_name)
    local = moment.in_zone(zone)
    return _Evaluator(hours, zone, local.year).state_at(local)


def open_intervals(hours: Hours, zone_name: str, start: date, end: date, *,
                   unknown: bool = False) -> tuple[OpenInterval, ...]:
    """The open intervals between two local midnights, cut at them; structured hours only.
    With ``unknown``, the intervals the hours mark as unknown instead."""
    evaluator = _Evaluator(hours, ZoneInfo(zone_name), start.year)
    return evaluator.intervals(datetime.combine(start, time()), datetime.combine(end, time()),
                               State.UNKNOWN if unknown else State.OPEN)


class _Evaluator:
    """The parser's wall-clock schedule for one site, mapped to instants in its zone."""

    def __init__(self, hours: Hours, zone: ZoneInfo, year: int) -> None:
        self._schedule: OpeningHours = schedule(hours, year - 1, year + 1)
        self._zone = zone

    def state_at(self, instant: datetime) -> bool | None:
        return _OPEN[self._schedule.state(self._wall(instant))[0]]

    def next_change(self, instant: datetime) -> datetime | None:
        start_utc = instant.astimezone(UTC)
        state = self.state_at(start_utc)
        at_utc = start_utc
        for _ in range(_MAX_STEPS):
            candidate = self._next_wall_change(at_utc, start_utc + HORIZON)
            if candidate is None:
                return None
            if self.state_at(candidate) != state:
                return candidate.astimezone(self._zone)
            at_utc = candidate
        return None

    def week(self, day: date) -> tuple[OpenInterval, ...]:
        start = datetime.combine(day, time())
        return self.intervals(start, start + WEEK)

    def intervals(self, start_wall: datetime, end_wall: datetime,
                  wanted: State = State.OPEN) -> tuple[OpenInterval, ...]:
        return tuple(
            OpenInterval(first_instant_at(opens, self._zone), first_instant_at(closes, self._zone))
            for opens, closes, state, _comment in self._schedule.intervals(start_wall, end_wall)
            if state is wanted)

    def _next_wall_change(self, at_utc: datetime, horizon_utc: datetime) -> datetime | None:
        """The next instant the parser's answer may change: a rule edge or an offset change."""
        wall = self._wall(at_utc)
        wall_change = self._schedule.next_change(wall)
        candidate = horizon_utc if wall_change is None else at_utc + (wall_change - wall)
        candidate = min(candidate, horizon_utc)
        offset_change = _offset_change_between(at_utc, candidate, self._zone)
        change = offset_change or candidate
        return None if change >= horizon_utc or change <= at_utc else change

    def _wall(self, instant: datetime) -> datetime:
        return instant.astimezone(self._zone).replace(tzinfo=None)


_OPEN = {State.OPEN: True, State.CLOSED: False, State.UNKNOWN: None}


def first_instant_at(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first instant at which the local clock shows ``wall`` or later."""
    local = wall.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return local
    # ``wall`` falls in a skipped hour: the answer is the offset change itself.
    ends = sorted(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    return _first_instant_where(ends[0], ends[1],
                                lambda t: t.astimezone(zone).replace(tzinfo=None) >= wall
                                ).astimezone(zone)


def _offset_change_between(start_utc: datetime, end_utc: datetime,
                           zone: ZoneInfo) -> datetime | None:
    """The first instant in (start, end] at which the zone's UTC offset changes."""
    for year in range(start_utc.year, end_utc.year + 1):
        for change in _offset_changes(zone.key, year):
            if start_utc < change <= end_utc:
                return change
    return None


@lru_cache(maxsize=1024)
def _offset_changes(zone_name: str, year: int) -> tuple[datetime, ...]:
    """The instants in (1 Jan, 1 Jan next year] UTC at which the zone's offset changes."""
    zone = ZoneInfo(zone_name)
    changes: list[datetime] = []
    low, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = low.astimezone(zone).utcoffset()
    while low < end:
        high = min(low + _PROBE_STEP, end)
        if high.astimezone(zone).utcoffset() != offset:
            changes.append(_first_instant_where(
                low, high, lambda t, was=offset: t.astimezone(zone).utcoffset() != was))  # type: ignore[misc]
            offset = high.astimezone(zone).utcoffset()
        low = high
    return tuple(changes)


def _first_instant_where(low_utc: datetime, high_utc: datetime,
                         changed: Callable[[datetime], bool]) -> datetime:
    """Bisect (low, high] to the second for the first instant where ``changed`` holds."""
    while high_utc - low_utc > timedelta(seconds=1):
        middle = low_utc + (high_utc - low_utc) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low_utc:
            break
        if changed(middle):
            high_utc = middle
        else:
            low_utc = middle
    return high_utc
