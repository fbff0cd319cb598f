"""Free-text opening hours, as partners and the CareerOneStop list write them, in OSM form.

``to_opening_hours("Mon-Fri 8:30am-5pm")`` answers ``"Mo-Fr 08:30-17:00"``; text that
cannot be read with certainty answers ``None`` and is kept as text by the caller. No
maintained library reads US English hours, so this reader is deliberately small: every
token must be recognised, single letters that name two days (``T``, ``S``) are refused, and
a time range without am/pm is read only where the office convention leaves no doubt
(``9-5``, ``8:30-4:30``, ``9-12``: a start from 7 to 11 is the morning). The OSM text it
produces is then read by the maintained ``opening_hours`` parser like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

DAY_CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MINUTES_PER_DAY = 24 * 60
_EVENING_MIN = 18 * 60  # a 24-hour range may pass midnight only from an evening start

_DAY_WORDS: dict[str, tuple[int, ...]] = {
    **{word: (0,) for word in ("monday", "mon", "mo", "m")},
    **{word: (1,) for word in ("tuesday", "tues", "tue", "tu")},
    **{word: (2,) for word in ("wednesday", "wed", "we", "w")},
    **{word: (3,) for word in ("thursday", "thurs", "thur", "thu", "th")},
    **{word: (4,) for word in ("friday", "fri", "fr", "f")},
    **{word: (5,) for word in ("saturday", "sat", "sa")},
    **{word: (6,) for word in ("sunday", "sun", "su")},
    "weekdays": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
    "weekend": (5, 6),
    "daily": tuple(range(7)),
    "every day": tuple(range(7)),
    "7 days a week": tuple(range(7)),
    "seven days a week": tuple(range(7)),
}

_DAY_PATTERN = "|".join(sorted(map(re.escape, _DAY_WORDS), key=len, reverse=True))
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<always>24/7|24\s*hours?(?:\s+a\s+day)?|open\s+24\s*hours?)
    | (?P<closed>closed|off)
    | (?P<day>(?:DAYS)(?![a-z]))
    | (?P<time>(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<meridiem>am|pm|a|p)?(?![a-z\d])
              | noon|midnight)
    | (?P<dash>-)
    | (?P<comma>,)
    | (?P<semi>;|\n)
    | (?P<filler>(?:open|hours|from|on|are|:)(?![a-z]))
    )""".replace("DAYS", _DAY_PATTERN),
    re.VERBOSE,
)


_KINDS = ("always", "closed", "time", "day", "dash", "comma", "semi", "filler")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    hour: int = 0
    minute: int = 0
    meridiem: str = ""
    zero_padded: bool = False


@dataclass(frozen=True, slots=True)
class _Rule:
    days: tuple[int, ...]
    spans_min: tuple[tuple[int, int], ...]  # empty: closed on those days


class _Unreadable(Exception):
    """The text is not one of the forms read with certainty."""


def to_opening_hours(text: str) -> str | None:
    """The OSM ``opening_hours`` form of free-text hours, or None when it is not certain."""
    try:
        tokens = list(_tokens(_normalised(text)))
        if [t.kind for t in tokens] == ["always"]:
            return "24/7"
        return "; ".join(_format_rule(rule) for rule in _Parser(tokens).rules())
    except _Unreadable:
        return None


def _normalised(text: str) -> str:
    text = text.lower().replace("\u2013", "-").replace("\u2014", "-").replace("\u2012", "-")
    text = re.sub(r"\b([ap])\.\s?m\.?", r"\1m", text)
    text = re.sub(r"\b12\s*noon\b", "noon", text)
    text = re.sub(r"\s+(?:to|thru|through|until|till|til)\s+", "-", text)
    text = re.sub(r"\s*(?:&|\band\b|/)\s*", ",", text.replace("24/7", "\0"))
    return text.replace("\0", "24/7").replace(".", " ").strip()


def _tokens(text: str) -> Iterator[_Token]:
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip():
                raise _Unreadable
            return
        position = match.end()
        kind = next(kind for kind in _KINDS if match.group(kind) is not None)
        if kind != "filler":
            yield _token(kind, match)


def _token(kind: str, match: re.Match[str]) -> _Token:
    text = match.group(0).strip()
    if kind != "time":
        return _Token(kind, text)
    if text == "noon":
        return _Token("time", text, 12, 0, "pm")
    if text == "midnight":
        return _Token("time", text, 12, 0, "am")
    meridiem = (match.group("meridiem") or "")[:1]
    return _Token("time", text, int(match.group("hour")), int(match.group("minute") or 0),
                  {"a": "am", "p": "pm", "": ""}[meridiem],
                  zero_padded=match.group("hour").startswith("0"))


class _Parser:
    """Reads groups of ``days times`` (or ``closed days``) from the token list."""

    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._at = 0

    def rules(self) -> list[_Rule]:
        rules: list[_Rule] = []
        while self._peek():
            rules.append(self._group())
            self._skip("comma", "semi")
        if not rules:
            raise _Unreadable
        return rules

    def _peek(self, offset: int = 0) -> str:
        at = self._at + offset
        return self._tokens[at].kind if at < len(self._tokens) else ""

    def _take(self, kind: str) -> _Token:
        if self._peek() != kind:
            raise _Unreadable
        self._at += 1
        return self._tokens[self._at - 1]

    def _skip(self, *kinds: str) -> None:
        while self._peek() in kinds:
            self._at += 1

    def _group(self) -> _Rule:
        if self._peek() == "closed":
            self._take("closed")
            return _Rule(self._days(), ())
        if self._peek() == "time":
            spans = self._spans()
            return _Rule(self._days(), spans)
        days = self._days()
        self._skip("comma")
        if self._peek() == "closed":
            self._take("closed")
            return _Rule(days, ())
        if self._peek() == "always":
            self._take("always")
            return _Rule(days, ((0, MINUTES_PER_DAY),))
        return _Rule(days, self._spans())

    def _days(self) -> tuple[int, ...]:
        days = list(self._day_item())
        while self._peek() == "comma" and self._peek(1) == "day":
            self._take("comma")
            days.extend(self._day_item())
        return tuple(sorted(set(days)))

    def _day_item(self) -> tuple[int, ...]:
        first = _DAY_WORDS[self._take("day").text]
        if self._peek() != "dash" or self._peek(1) != "day":
            return first
        self._take("dash")
        last = _DAY_WORDS[self._take("day").text]
        if len(first) != 1 or len(last) != 1:
            raise _Unreadable
        return tuple((first[0] + step) % 7 for step in range((last[0] - first[0]) % 7 + 1))

    def _spans(self) -> tuple[tuple[int, int], ...]:
        spans = [self._span(None)]
        while self._peek() == "comma" and self._peek(1) == "time":
            self._take("comma")
            spans.append(self._span(spans[-1][1]))
        return tuple(spans)

    def _span(self, after_min: int | None) -> tuple[int, int]:
        start = self._take("time")
        self._take("dash")
        return _resolve_span(start, self._take("time"), after_min)


def _resolve_span(start: _Token, end: _Token, after_min: int | None) -> tuple[int, int]:
    """Minutes after midnight of a range, with am/pm filled in where it is certain.

    ``after_min`` is where the day's previous range closed: the ranges of one day are
    written in order, so ``8-12, 1-5`` can only mean the afternoon for its second range.
    """
    if start.meridiem and end.meridiem:
        opens_min, closes_min = _clock(start, start.meridiem), _clock(end, end.meridiem)
    elif end.meridiem:
        closes_min = _clock(end, end.meridiem)
        opens_min = _clock(start, end.meridiem)
        if opens_min >= closes_min:
            opens_min = _clock(start, _other(end.meridiem))
    elif start.meridiem:
        opens_min = _clock(start, start.meridiem)
        closes_min = _first_after(opens_min, end)
    elif _is_24_hour(start) or _is_24_hour(end):
        opens_min, closes_min = _clock24(start), _clock24(end)
        if 0 < closes_min < opens_min < _EVENING_MIN:
            raise _Unreadable  # "08:00-5:00" is no night shift: a slip of the clock

    elif 7 <= start.hour <= 11 and after_min is None:
        opens_min = _clock(start, "am")
        closes_min = _first_after(opens_min, end)
    elif after_min is not None:
        opens_min = _first_after(after_min - 1, start)
        closes_min = _first_after(opens_min, end)
    else:
        raise _Unreadable
    if closes_min == 0:
        closes_min = MINUTES_PER_DAY
    if opens_min == closes_min:
        raise _Unreadable
    return opens_min, closes_min


def _clock(time: _Token, meridiem: str) -> int:
    if not 1 <= time.hour <= 12 or time.minute >= 60:
        raise _Unreadable
    return (time.hour % 12 + (12 if meridiem == "pm" else 0)) * 60 + time.minute


def _clock24(time: _Token) -> int:
    if time.hour > 24 or time.minute >= 60 or (time.hour == 24 and time.minute):
        raise _Unreadable
    return time.hour * 60 + time.minute


def _is_24_hour(time: _Token) -> bool:
    return time.zero_padded or time.hour == 0 or time.hour > 12


def _first_after(opens_min: int, end: _Token) -> int:
    """The earlier of ``end`` am and ``end`` pm that comes after the opening, same day."""
    for meridiem in ("am", "pm"):
        closes_min = _clock(end, meridiem)
        if closes_min > opens_min:
            return closes_min
    raise _Unreadable


def _other(meridiem: str) -> str:
    return "pm" if meridiem == "am" else "am"


def _format_rule(rule: _Rule) -> str:
    days = format_days(rule.days)
    if not rule.spans_min:
        return f"{days} closed"
    return f"{days} " + ",".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in rule.spans_min)


def format_days(days: tuple[int, ...]) -> str:
    """``(0, 1, 2, 4)`` as ``Mo-We,Fr``: consecutive days as ranges, in week order."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(DAY_CODES[run[0]] if len(run) == 1 else
                    f"{DAY_CODES[run[0]]}{'-' if len(run) > 2 else ','}{DAY_CODES[run[-1]]}"
                    for run in runs)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
