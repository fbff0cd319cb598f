"""Opening hours as HSDS 3.0 ``schedule`` rows, and back.

Weekly hours become ``freq: WEEKLY`` rows (``byday`` like ``MO,TU``, ``opens_at`` and
``closes_at`` as ``HH:MM``); a dated rule becomes rows valid from its first to its last day
(closures carry no times and the description ``Closed``); ``PH`` becomes one row per
federal holiday of the years asked for, marked in ``notes`` so it reads back as ``PH``.
Times are the site's wall clock: a fixed UTC offset would be wrong for half the year at a
site with DST, so the site's IANA zone travels with its location instead. A ``closes_at``
at or before ``opens_at`` is on the next day. Hours the rows cannot express (month or week
selectors, rules in an order where a weekly rule overrides a dated one, unknown stretches)
and unreadable text travel whole as one row's ``description``, which reads back as itself.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date

import holidays

from locator.hours import UNKNOWN, Hours, HoursStatus, read_hours
from locator.hours_text import DAY_CODES, MINUTES_PER_DAY, format_days

CLOSED = "Closed"
HOLIDAY_NOTE = "US federal public holiday"  # marks the rows that stand for PH
_NAMESPACE = uuid.UUID("6f1c8e0a-4b7e-5d2a-9c3f-1e2d3c4b5a69")
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_DAYS = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?"
_DAY_LIST = rf"{_DAYS}(?:,{_DAYS})*"
_SPANS = r"\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*"
_WHAT = rf"(?P<what>{_SPANS}|closed)"
_DATE = r"\d{4} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}"
_WEEKLY_RULE = re.compile(rf"^(?:(?P<days>{_DAY_LIST})(?: |$))?{_WHAT}?$")
_PH_RULE = re.compile(rf"^(?:(?P<days>{_DAY_LIST}),)?PH(?:,(?P<after>{_DAY_LIST}))?(?: {_WHAT})?$")
_DATED_RULE = re.compile(
    rf"^(?P<first>{_DATE})(?:-(?P<last>{_DATE}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    rf" \d{{1,2}}|\d{{1,2}}))?(?: (?P<days>{_DAY_LIST}))?(?: {_WHAT})?$")

_HHMM = re.compile(r"(\d\d):(\d\d)")
_WHOLE_MINUTE = re.compile(r"\d\d:\d\d:00")
_FREQ = "WEEKLY"

Spans = tuple[tuple[int, int], ...]  # minutes after midnight; a close past 1440 is next day


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One HSDS ``schedule`` row without the ids of what it is the schedule of (the caller
    links it); ``None`` fields are left out of the JSON."""

    id: str
    freq: str | None = None
    byday: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    description: str | None = None
    notes: str | None = None

    def to_json(self) -> dict[str, str]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    def for_table(self) -> dict[str, str]:
        """The row as the data package holds it: its table types the times as ``time``,
        which Frictionless reads as ``HH:MM:SS``."""
        row = self.to_json()
        for name in ("opens_at", "closes_at"):
            if name in row:
                row[name] += ":00"
        return row

    @classmethod
    def from_json(cls, row: Mapping[str, object]) -> ScheduleRow:
        """A row as JSON or a table holds it; whole-minute times (``09:00:00``) as ``HH:MM``.
        A field that is not text raises ``ValueError``."""
        values = {key: row.get(key) for key in cls.__dataclass_fields__}
        wrong = [key for key, value in values.items()
                 if value is not None and not isinstance(value, str)]
        if wrong:
            raise ValueError(f"schedule {wrong[0]} is not text")
        for name in ("opens_at", "closes_at"):
            value = values[name]
            if isinstance(value, str) and _WHOLE_MINUTE.fullmatch(value):
                values[name] = value[:5]
        return cls(**values)  # type: ignore[arg-type]


class _Inexpressible(Exception):
    """The canonical text has a rule the rows cannot express."""


def schedule_rows(hours: Hours, key: str, *,
                  holiday_years: Iterable[int]) -> tuple[ScheduleRow, ...]:
    """The HSDS rows for a site's hours; PH is listed for ``holiday_years``. Row ids are
    UUIDs derived from ``key`` (the site id) and the row's position."""
    if hours.status is HoursStatus.UNKNOWN:
        return ()
    try:
        fields = _structured_rows(hours, tuple(holiday_years)) if hours.is_structured else None
    except _Inexpressible:
        fields = None
    if fields is None:
        fields = [{"description": hours.canonical or hours.text}]
    return tuple(ScheduleRow(id=str(uuid.uuid5(_NAMESPACE, f"{key}/{n}")), **row)
                 for n, row in enumerate(fields))


def hours_from_rows(rows: Iterable[ScheduleRow]) -> Hours:
    """Hours read back from HSDS rows; no rows is unknown.

    Weekly rows may come in any order; dated rows keep theirs, since a later exception
    overrides an earlier one where they overlap. Rows in a form not read here (``MONTHLY``,
    times with an offset) raise ``ValueError``: they are not guessed at.
    """
    rows = list(rows)
    if not rows:
        return UNKNOWN
    unread = [row.freq for row in rows if row.freq not in (None, _FREQ)]
    if unread:
        raise ValueError(f"schedule rows of freq {unread[0]} are not read")
    described = [row.description for row in rows if _is_description_only(row)]
    if described:
        return read_hours(described[0] or "")
    weekly = [row for row in rows if row.valid_from is None]
    holiday = [row for row in rows if row.valid_from and (row.notes or "").startswith(HOLIDAY_NOTE)]
    dated = [row for row in rows if row.valid_from and row not in holiday]
    rules = [*_weekly_rules(weekly), *_holiday_rule(holiday), *_dated_rules(dated)]
    return read_hours("; ".join(rules) if rules else "closed")


# --- hours to rows ------------------------------------------------------------------------

def _structured_rows(hours: Hours, holiday_years: tuple[int, ...]) -> list[dict[str, str]]:
    weekly: dict[int, Spans] = {}
    rows: list[dict[str, str]] = []
    stage = 0  # rules must run weekly, then PH, then dated: later rules override earlier
    for rule in (r.strip() for r in hours.canonical.split(";")):
        if rule == "24/7":
            rule = "00:00-24:00"
        if (match := _WEEKLY_RULE.match(rule)) and stage == 0:
            weekly.update(dict.fromkeys(_days(match["days"]), _spans(match["what"])))
        elif (match := _PH_RULE.match(rule)) and stage == 0:
            stage = 1
            days = ",".join(d for d in (match["days"], match["after"]) if d)
            if days:
                weekly.update(dict.fromkeys(_days(days), _spans(match["what"])))
            rows.extend(_holiday_rows(_spans(match["what"]), holiday_years))
        elif match := _DATED_RULE.match(rule):
            stage = 2
            rows.extend(_dated_rows(match))
        else:
            raise _Inexpressible(rule)
    return [*_weekly_rows(weekly), *rows]


def _days(days: str | None) -> tuple[int, ...]:
    if not days:
        return tuple(range(7))
    result: list[int] = []
    for part in days.split(","):
        first, _, last = part.partition("-")
        start, end = DAY_CODES.index(first), DAY_CODES.index(last or first)
        result.extend((start + step) % 7 for step in range((end - start) % 7 + 1))
    return tuple(result)


def _spans(what: str | None) -> Spans:
    if what is None:
        return ((0, MINUTES_PER_DAY),)
    if what == "closed":
        return ()
    spans = []
    for span in what.split(","):
        opens, closes = (_minutes(t) for t in span.split("-"))
        spans.append((opens, closes if closes > opens else closes + MINUTES_PER_DAY))
    return tuple(spans)


def _minutes(hhmm: str) -> int:
    match = _HHMM.fullmatch(hhmm)
    if match is None:
        raise ValueError(f"not a time of day as HH:MM: {hhmm!r}")
    return int(match[1]) * 60 + int(match[2])


def _hhmm(minutes: int) -> str:
    minutes %= MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _weekly_rows(weekly: dict[int, Spans]) -> list[dict[str, str]]:
    by_spans: dict[Spans, list[int]] = {}
    for day in sorted(weekly):
        if weekly[day]:
            by_spans.setdefault(weekly[day], []).append(day)
    return [_span_row(span, days) for spans, days in by_spans.items() for span in spans]


def _span_row(span: tuple[int, int], days: Iterable[int], **extra: str) -> dict[str, str]:
    return {"freq": _FREQ, "byday": ",".join(_BYDAY[d] for d in sorted(days)),
            "opens_at": _hhmm(span[0]), "closes_at": _hhmm(span[1]), **extra}


def _holiday_rows(spans: Spans, years: tuple[int, ...]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for day, name in sorted(holidays.country_holidays("US", years=years).items()):
        extra = {"valid_from": day.isoformat(), "valid_to": day.isoformat(),
                 "notes": f"{HOLIDAY_NOTE}: {name}"}
        rows.extend(_span_row(span, (day.weekday(),), **extra) for span in spans)
        if not spans:
            rows.append({**extra, "description": CLOSED})
    return rows


def _dated_rows(match: re.Match[str]) -> list[dict[str, str]]:
    first = _date(match["first"])
    last = _last_date(match["last"], first)
    spans = _spans(match["what"])
    extra = {"valid_from": first.isoformat(), "valid_to": last.isoformat()}
    if not spans:
        if match["days"]:
            raise _Inexpressible(match.group(0))  # a closure on some weekdays of a range
        return [{**extra, "description": CLOSED}]
    return [_span_row(span, _days(match["days"]), **extra) for span in spans]


def _date(text: str) -> date:
    year, month, day = text.split()
    return date(int(year), _MONTHS.index(month) + 1, int(day))


def _last_date(text: str | None, first: date) -> date:
    if text is None:
        return first
    parts = text.split()
    if len(parts) == 3:
        return _date(text)
    if len(parts) == 2:
        return date(first.year, _MONTHS.index(parts[0]) + 1, int(parts[1]))
    return date(first.year, first.month, int(parts[0]))


# --- rows to hours ------------------------------------------------------------------------

def _is_description_only(row: ScheduleRow) -> bool:
    return not (row.freq or row.opens_at or row.valid_from)


def _row_days(row: ScheduleRow) -> tuple[int, ...]:
    return tuple(_BYDAY.index(code) for code in (row.byday or ",".join(_BYDAY)).split(","))


def _row_span(row: ScheduleRow) -> tuple[int, int]:
    opens, closes = _minutes(row.opens_at or "00:00"), _minutes(row.closes_at or "00:00")
    return opens, closes if closes > opens else closes + MINUTES_PER_DAY


def _spans_text(spans: Iterable[tuple[int, int]]) -> str:
    return ",".join(f"{_hhmm(a)}-{'24:00' if b == MINUTES_PER_DAY else _hhmm(b)}"
                    for a, b in sorted(set(spans)))


def _weekly_rules(rows: list[ScheduleRow]) -> list[str]:
    per_day: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        for day in _row_days(row):
            per_day.setdefault(day, []).append(_row_span(row))
    by_spans: dict[str, list[int]] = {}
    for day in sorted(per_day):
        by_spans.setdefault(_spans_text(per_day[day]), []).append(day)
    return [f"{format_days(tuple(days))} {spans}" for spans, days in by_spans.items()]


def _holiday_rule(rows: list[ScheduleRow]) -> list[str]:
    if not rows:
        return []
    first_day = min(row.valid_from for row in rows)  # type: ignore[type-var]
    spans = [_row_span(row) for row in rows if row.valid_from == first_day and row.opens_at]
    return [f"PH {_spans_text(spans)}" if spans else "PH closed"]


def _dated_rules(rows: list[ScheduleRow]) -> list[str]:
    grouped: dict[tuple[str, str, str | None], list[ScheduleRow]] = {}
    for row in rows:
        grouped.setdefault((row.valid_from or "", row.valid_to or row.valid_from or "",
                            None if not row.opens_at else row.byday), []).append(row)
    rules = []
    for (first, last, byday), group in grouped.items():
        when = _osm_date(first) if first == last else f"{_osm_date(first)}-{_osm_date(last)}"
        if byday is None:
            rules.append(f"{when} closed")
            continue
        days = _row_days(group[0])
        selector = "" if len(days) == 7 else f" {format_days(days)}"
        rules.append(f"{when}{selector} {_spans_text(_row_span(row) for row in group)}")
    return rules


def _osm_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.year} {_MONTHS[day.month - 1]} {day.day:02d}"
