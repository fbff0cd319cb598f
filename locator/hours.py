"""A site's opening hours, held as OpenStreetMap ``opening_hours`` text.

``read_hours`` turns what a source file or a partner wrote into ``Hours``: structured
(canonical OSM text, read by the maintained ``opening_hours`` parser), unknown (nothing
was given: PLS libraries start so), or unreadable (kept as text, never guessed). Free text
in the common US forms is converted first (see ``locator.hours_text``).

``PH`` means US federal public holidays as the ``holidays`` package lists them (observed
days included). The parser's own US calendar differs from it (it lacks Columbus Day and
some observed days), so before evaluation each ``PH`` day selector is replaced by the
explicit dates of the years concerned; ``schedule`` builds that expression once per years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

import holidays
from opening_hours import OpeningHours, ParserError  # type: ignore[attr-defined]  # not in its stub

from locator.hours_text import to_opening_hours

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAY_OR_PH = rf"(?:{_DAY}(?:-{_DAY})?|PH)"
# A rule whose day selector lists PH among weekdays: the one place PH is evaluated.
_LEADING_PH_RULE = re.compile(rf"^(?P<days>{_DAY_OR_PH}(?:,{_DAY_OR_PH})*)"
                              r"(?P<rest>(?: (?:\d\d:\d\d|closed|open|unknown)\b.*)?)$")
# A rule for named dates ("Dec 25 off", "2027 Jan 12 10:00-14:00"): an exception to the
# regular week, unlike a season ("Jun-Aug ...") which is the regular week for its months.
_DATED_RULE = re.compile(rf"^(?:\d{{4}} )?(?:{'|'.join(_MONTHS)}) \d")
_PADDED_TIMES = re.compile(r"\b\d\d:\d\d\b")
_ANY_TIME = re.compile(r"\b\d{1,2}:\d\d\b")


class HoursStatus(StrEnum):
    STRUCTURED = "structured"
    UNKNOWN = "unknown"
    UNREADABLE = "unreadable"


class Unreadable(StrEnum):
    """Why a text is kept as text."""

    NOT_RECOGNISED = "not_recognised"
    HAS_COMMENT = "has_comment"  # a lone OSM comment reads as open 24/7: never assumed
    SCHOOL_HOLIDAYS = "school_holidays"  # no school calendar is known here
    HOLIDAY_POSITION = "holiday_position"  # PH other than as a rule's leading day selector


@dataclass(frozen=True, slots=True)
class Hours:
    """Opening hours as given (``text``) and, when structured, in canonical OSM form."""

    status: HoursStatus
    text: str = ""
    canonical: str = ""
    problem: Unreadable | None = None

    @property
    def is_structured(self) -> bool:
        return self.status is HoursStatus.STRUCTURED


UNKNOWN = Hours(HoursStatus.UNKNOWN)


@lru_cache(maxsize=65536)
def read_hours(text: str) -> Hours:
    """Read hours text: canonical OSM form, the common free-text forms, or kept as text."""
    text = text.strip()
    if not text:
        return UNKNOWN
    candidate = text if _is_canonical_form(text) else to_opening_hours(text)
    if candidate is None or not _parses(candidate):
        return Hours(HoursStatus.UNREADABLE, text, problem=Unreadable.NOT_RECOGNISED)
    canonical = str(_parsed(candidate))
    problem = _unsupported(canonical)
    if problem is not None:
        return Hours(HoursStatus.UNREADABLE, text, problem=problem)
    return Hours(HoursStatus.STRUCTURED, text, canonical)


def schedule(hours: Hours, first_year: int, last_year: int) -> OpeningHours:
    """The parser's evaluator for structured hours, with PH spelled out for those years.

    It evaluates naive wall-clock times in the site's zone (``locator.open_at`` maps them
    to instants).
    """
    if not hours.is_structured:
        raise ValueError(f"hours are {hours.status}, not structured")
    return _schedule(hours.canonical, first_year, last_year)


def regular_week(hours: Hours) -> Hours | None:
    """The hours without their rules for holidays and named dates: what the site keeps to
    on an ordinary week. None when a fallback rule (``||``) makes dropping rules unsafe;
    hours with no rule left are closed (``off``)."""
    if not hours.is_structured or "||" in hours.canonical:
        return None
    kept = []
    for rule in _rules(hours.canonical):
        leading = _leading_ph(rule)
        if leading is not None:
            days, rest = leading
            if days:
                kept.append(f"{','.join(days)}{rest}")
        elif not _DATED_RULE.match(rule):
            kept.append(rule)
    return Hours(HoursStatus.STRUCTURED, hours.text, "; ".join(kept) or "off")


def holiday_names(first_year: int, last_year: int) -> dict[date, str]:
    """US federal public holidays (observed days included) and their English names."""
    return dict(holidays.country_holidays("US", years=range(first_year, last_year + 1)))


def holiday_dates(first_year: int, last_year: int) -> tuple[date, ...]:
    """US federal public holidays (observed days included), in date order."""
    return tuple(sorted(holidays.country_holidays("US", years=range(first_year, last_year + 1))))


def _is_canonical_form(text: str) -> bool:
    # The parser takes "8:00-5:00" as 08:00 to 05:00 the next day; a person writing it
    # means the afternoon, so only zero-padded 24-hour times are taken as canonical.
    times = _ANY_TIME.findall(text)
    return len(_PADDED_TIMES.findall(text)) == len(times) and _parses(text)


def _parses(text: str) -> bool:
    try:
        _parsed(text)
    except ParserError:
        return False
    return True


def _unsupported(canonical: str) -> Unreadable | None:
    # The parser's printer is the canonical form only where it reads back as itself.
    if not _parses(canonical) or str(_parsed(canonical)) != canonical:
        return Unreadable.NOT_RECOGNISED
    if '"' in canonical:
        return Unreadable.HAS_COMMENT
    if re.search(r"\bSH\b", canonical):
        return Unreadable.SCHOOL_HOLIDAYS
    rules = _rules(canonical)
    if any(_has_ph(rule) and _leading_ph(rule) is None for rule in rules):
        return Unreadable.HOLIDAY_POSITION
    if "||" in canonical and any(_has_ph(rule) for rule in rules):
        return Unreadable.HOLIDAY_POSITION
    return None


def _rules(canonical: str) -> list[str]:
    return [rule.strip() for rule in re.split(r";|\|\|", canonical) if rule.strip()]


def _has_ph(rule: str) -> bool:
    return re.search(r"\bPH\b", rule) is not None


def _leading_ph(rule: str) -> tuple[list[str], str] | None:
    """The weekdays and the rest of a rule whose leading day list holds PH, else None."""
    match = _LEADING_PH_RULE.match(rule)
    if match is None or _has_ph(match.group("rest")):
        return None
    days = match.group("days").split(",")
    return ([day for day in days if day != "PH"], match.group("rest")) if "PH" in days else None


@lru_cache(maxsize=4096)
def _parsed(text: str) -> OpeningHours:
    return OpeningHours(text, auto_country=False, auto_timezone=False)


@lru_cache(maxsize=65536)
def _schedule(canonical: str, first_year: int, last_year: int) -> OpeningHours:
    if not _has_ph(canonical):
        return _parsed(canonical)
    dates = ",".join(f"{d.year} {_MONTHS[d.month - 1]} {d.day:02d}"
                     for d in holiday_dates(first_year, last_year))
    return _parsed("; ".join(_spelled_out(rule, dates) for rule in _rules(canonical)))


def _spelled_out(rule: str, dates: str) -> str:
    """``Sa,Su,PH closed`` as ``Sa,Su closed; 2027 Jan 01,... closed`` (same meaning)."""
    leading = _leading_ph(rule)
    if leading is None:
        return rule
    days, rest = leading
    holiday_rule = f"{dates}{rest}"
    return f"{','.join(days)}{rest}; {holiday_rule}" if days else holiday_rule
