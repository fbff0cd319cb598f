"""Reading one cell: each helper returns a clean value or raises ``RowError`` saying why not."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from locator.errors import InvalidInput
from locator.sites import Kind, Status, parse_kind, parse_program
from locator.sources._files import REPLACEMENT_CHAR
from locator.sources._records import RowError

USPS_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI",
})
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S",
                 "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M")


def readable(row: dict[str, str]) -> None:
    for column, value in row.items():
        if REPLACEMENT_CHAR in value:
            raise RowError(f"unreadable characters in {column} (the file is neither UTF-8 nor "
                           "Windows-1252 there)")


def required(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise RowError(f"{column} is empty")
    return value


def coordinate(row: dict[str, str], column: str, *, limit: float) -> float:
    text = row.get(column, "")
    if not text:
        raise RowError(f"missing coordinate: {column} is empty")
    try:
        value = float(text)
    except ValueError:
        raise RowError(f"{column} {text!r} is not a number") from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise RowError(f"{column} {text} is out of range (-{limit:g}..{limit:g})")
    return value


def latitude(row: dict[str, str], column: str) -> float:
    return coordinate(row, column, limit=90.0)


def longitude(row: dict[str, str], column: str) -> float:
    return coordinate(row, column, limit=180.0)


def site_id(text: str, column: str = "id") -> str:
    if not _ID.fullmatch(text):
        raise RowError(f"{column} {text!r} must be 1-100 letters, digits or . _ : - "
                       "(starting with a letter or digit)" if text else f"{column} is empty")
    return text


def kind(text: str, column: str = "kind") -> Kind:
    if not text:
        raise RowError(f"{column} is empty")
    try:
        return parse_kind(text)
    except InvalidInput as error:
        raise RowError(str(error)) from None


def status(text: str) -> Status:
    if not text:
        return Status.APPROVED
    try:
        return Status(text.strip().lower())
    except ValueError:
        raise RowError(f"unknown status {text!r}; expected approved, pending or retired") from None


def programs(text: str, column: str = "programs") -> frozenset[str]:
    """Program slugs or labels separated by semicolons."""
    slugs = set()
    for part in text.split(";"):
        if not part.strip():
            continue
        try:
            slugs.add(parse_program(part))
        except InvalidInput:
            raise RowError(f"unknown program {part.strip()!r} in {column} "
                           "(docs/sites-format.md lists the programs)") from None
    return frozenset(slugs)


def state(text: str, column: str = "state") -> str:
    code = text.strip().upper()
    if code and code not in USPS_STATES:
        raise RowError(f"{column} {text!r} is not a USPS state abbreviation")
    return code


def county_fips(text: str, column: str = "county_fips") -> str:
    if text and not (text.isdigit() and len(text) == 5):
        raise RowError(f"{column} {text!r} is not a 5-digit county FIPS code")
    return text


def iso_date(text: str, column: str) -> str:
    """``YYYY-MM-DD`` from an ISO date or the US ``M/D/YYYY`` spreadsheets write."""
    if not text:
        return ""
    for layout in _DATE_FORMATS:
        try:
            return datetime.strptime(text, layout).date().isoformat()
        except ValueError:
            continue
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise RowError(f"{column} {text!r} is not a date (expected YYYY-MM-DD)") from None


def web_address(text: str, column: str = "website") -> str:
    """An http(s) URL; a bare domain gets ``https://``. Anything else (``javascript:``,
    ``mailto:``) is refused, because the web app turns this into a link."""
    if not text:
        return ""
    if text.lower().startswith(("http://", "https://")) and " " not in text:
        return text
    if _DOMAIN.fullmatch(text):
        return "https://" + text
    raise RowError(f"{column} {text!r} is not a web address (expected https://...)")


def us_phone(text: str) -> str:
    """``(217) 555-0100`` for ten-digit numbers; other text is kept as written."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10 and len(text) <= 20:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return text


def zip5(text: str, column: str = "zip") -> str:
    """The 5-digit ZIP of ``62701``, ``62701-1234`` or a ZIP that lost its leading zeros."""
    head = text.split("-", 1)[0].strip()
    if not head:
        return ""
    if head.isdigit() and 3 <= len(head) <= 5:
        return head.zfill(5)
    raise RowError(f"{column} {text!r} is not a 5-digit ZIP code")
