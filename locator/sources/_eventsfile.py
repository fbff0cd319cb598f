"""The project's events CSV (documented in docs/sites-format.md): one row per event.

Like a sites file, each file is a source of its own (``file:<name.csv>``): importing a new
version removes the events it no longer lists and leaves other files' events alone.
"""

from __future__ import annotations

import re
from datetime import datetime

from locator.events import EventKind, language_tags
from locator.sources import _fields as f
from locator.sources._records import EventRow, RowError

ENCODINGS = ("utf-8-sig", "cp1252")
REQUIRED = ("event_id", "site_id", "title", "start", "end")
OPTIONAL = ("kind", "description", "registration_url", "phone", "capacity", "languages")
_KINDS = {k.value: k for k in EventKind}


def matches(header: list[str]) -> bool:
    return set(REQUIRED) <= {name.lower() for name in header}


def parse_row(number: int, row: dict[str, str]) -> EventRow:
    f.readable(row)
    start, end = _moment(row, "start"), _moment(row, "end")
    if (start.tzinfo is None) != (end.tzinfo is None):
        raise RowError("start and end must both have an offset or both have none")
    if end <= start:
        raise RowError(f"end {row['end']} is not after start {row['start']}")
    return EventRow(
        row=number,
        id=f.site_id(row.get("event_id", ""), "event_id"),
        site_id=f.site_id(row.get("site_id", ""), "site_id"),
        title=f.required(row, "title"),
        kind=_kind(row.get("kind", "")),
        start=start,
        end=end,
        description=row.get("description", ""),
        registration_url=f.web_address(row.get("registration_url", ""), "registration_url"),
        phone=f.us_phone(row.get("phone", "")),
        capacity=_capacity(row.get("capacity", "")),
        languages=_languages(row.get("languages", "")),
    )


def _moment(row: dict[str, str], column: str) -> datetime:
    text = f.required(row, column)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"{column} {text!r} is not an ISO 8601 date and time "
                       "(expected e.g. 2027-01-12T10:00 or 2027-01-12T10:00-05:00)") from None


def _kind(text: str) -> EventKind:
    if not text:
        return EventKind.OTHER
    kind = _KINDS.get(text.strip().lower())
    if kind is None:
        raise RowError(f"kind {text!r} is not one of {', '.join(_KINDS)}")
    return kind


def _capacity(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or int(text) == 0:
        raise RowError(f"capacity {text!r} is not a positive whole number")
    return int(text)


def _languages(text: str) -> tuple[str, ...]:
    tags = language_tags(text)
    if tags is None:
        bad = next(part.strip() for part in re.split(r"[;,]", text)
                   if part.strip() and language_tags(part) is None)
        raise RowError(f"languages: {bad!r} is not a language tag such as en or es")
    return tags
