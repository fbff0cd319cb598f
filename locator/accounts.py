"""People who keep the list right: accounts, their roles and areas, and their passwords.

An ``admin`` may do everything; a ``reviewer`` reviews requests for the counties (5-digit
FIPS) or regions assigned to them; a ``partner`` manages their own organisation's sites and
requests. A new account is ``pending`` until an admin or the area's reviewer verifies it.
Passwords are kept only as Argon2id hashes (argon2-cffi); a hash made with older
parameters is replaced at the next successful login.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from locator.errors import InvalidInput

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COUNTY_FIPS = re.compile(r"^\d{5}$")

_hasher = PasswordHasher()


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    PARTNER = "partner"


class AccountStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class User:
    """An account as the store keeps it; ``areas`` are county FIPS codes or region names
    (a reviewer's), ``county_fips`` the county the organisation is in ("" if not given)."""

    id: int
    email: str
    name: str
    organization: str
    phone: str
    role: Role
    status: AccountStatus
    areas: tuple[str, ...]
    password_hash: str
    created_at: str
    county_fips: str = ""

    @property
    def active(self) -> bool:
        return self.status is AccountStatus.ACTIVE

    def reviews(self, county_fips: str, region_of: Mapping[str, str]) -> bool:
        """Whether this account reviews the county: an admin every one, a reviewer those
        assigned by FIPS code and every county of an assigned region (``region_of`` maps
        county FIPS to region name)."""
        if not self.active:
            return False
        if self.role is Role.ADMIN:
            return True
        return self.role is Role.REVIEWER and bool(county_fips) and (
            county_fips in self.areas or region_of.get(county_fips) in self.areas)


@dataclass(frozen=True, slots=True)
class NewUser:
    """What registration (or ``locator users create-admin``) asks for."""

    email: str
    name: str
    organization: str
    phone: str
    role: Role = Role.PARTNER
    status: AccountStatus = AccountStatus.PENDING
    county_fips: str = ""


def normalize_email(text: str) -> str:
    """The form an address is stored and looked up in; refuses what is not an address."""
    email = text.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput("'%(value)s' is not an e-mail address", code="bad_email",
                           parameter="email", value=text)
    return email


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise InvalidInput("unknown role '%(value)s'; expected one of: %(choices)s",
                           code="unknown_role", parameter="role", value=text,
                           choices=", ".join(r.value for r in Role)) from None


def parse_areas(texts: Iterable[str]) -> tuple[str, ...]:
    """County FIPS codes kept as given; anything else is a region name, trimmed."""
    areas = []
    for text in texts:
        area = " ".join(text.split())
        if not area:
            raise InvalidInput("an area is a county FIPS code or a region name, not empty",
                               code="empty_area", parameter="area")
        areas.append(area)
    return tuple(dict.fromkeys(areas))


def is_county_fips(area: str) -> bool:
    return bool(_COUNTY_FIPS.match(area))


def check_areas(areas: Iterable[str], *, known_counties: Collection[str],
                region_names: Collection[str]) -> tuple[str, ...]:
    """The areas, if each is a known county FIPS code or the name of a stored region (as
    a regions file imported with ``locator data import`` names it, ignoring case)."""
    by_folded = {name.casefold(): name for name in region_names}
    checked = []
    for area in areas:
        if is_county_fips(area):
            if area not in known_counties:
                raise InvalidInput("no county has FIPS code %(value)s", code="unknown_county",
                                   parameter="area", value=area)
            checked.append(area)
        elif area.casefold() in by_folded:
            checked.append(by_folded[area.casefold()])
        elif not region_names:
            raise InvalidInput(
                "'%(value)s' is neither a county FIPS code nor a region: no regions are "
                "loaded (put a regions file, county_fips,region, in the sources folder and "
                "run `locator data import`)", code="no_regions", parameter="area", value=area)
        else:
            raise InvalidInput("unknown region '%(value)s'; the regions are: %(choices)s",
                               code="unknown_region", parameter="area", value=area,
                               choices=", ".join(sorted(region_names)))
    return tuple(dict.fromkeys(checked))


def check_password(password: str) -> str:
    """The password, if it is long enough to be kept; says what to fix otherwise."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput("a password needs at least %(min)s characters",
                           code="short_password", parameter="password",
                           min=MIN_PASSWORD_CHARS)
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput("a password has at most %(max)s characters",
                           code="long_password", parameter="password",
                           max=MAX_PASSWORD_CHARS)
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than this release uses."""
    return _hasher.check_needs_rehash(password_hash)
