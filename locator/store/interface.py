"""What the rest of the locator may ask of a database: the ``Store`` protocol and its records.

Nothing outside ``locator.store`` sees SQL, a driver or an engine; it sees this protocol.
A ``Store`` holds one connection (taken from its ``Database``'s pool) for one command or
one web request, and belongs to the thread that opened it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from locator.accounts import AccountStatus, NewUser, Role, User
from locator.events import Event
from locator.listings import AuditEntry, RequestAction, RequestStatus, SiteRequest
from locator.sites import Site, Status
from locator.spatial import Catalog, SpatialQueries
from locator.visits import Visit

# Who made a change, for the change log: a person's login once there are logins.
SYSTEM_ACTOR = "system"
IMPORT_ACTOR = "import"

SiteCountColumn = Literal["kind", "status", "state"]


@dataclass(frozen=True, slots=True)
class PopulationPoints:
    """Population-weighted points (Census centers of population) as parallel arrays."""

    ids: NDArray[Any]
    county_fips: NDArray[Any]
    population: NDArray[np.int64]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    level: str
    vintage: str

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[str, str, int, float, float]], *, level: str,
                  vintage: str) -> PopulationPoints:
        """Points from ``(id, county_fips, population, lat, lon)`` rows."""
        columns: Iterable[tuple[Any, ...]] = zip(*rows, strict=True) if rows else ((),) * 5
        ids, county_fips, population, lat, lon = columns
        return cls(ids=np.array(ids, dtype=object),
                   county_fips=np.array(county_fips, dtype=object),
                   population=np.array(population, dtype=np.int64),
                   lat=np.array(lat, dtype=float), lon=np.array(lon, dtype=float),
                   level=level, vintage=vintage)

    @property
    def state_fips(self) -> NDArray[Any]:
        return np.array([c[:2] for c in self.county_fips.tolist()], dtype=object)


@dataclass(frozen=True, slots=True)
class PopulationSummary:
    """One level of population points: how many, how many people, which vintage."""

    points: int
    population: int
    vintage: str


@dataclass(frozen=True, slots=True)
class ImportRecord:
    source: str
    vintage: str
    file: str
    sha256: str
    imported_at: str
    summary: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change log: who changed what, when, and each field's old and new
    value (``fields`` maps a field name to ``[old, new]``; empty for an added site)."""

    version: int
    changed_at: str
    actor: str
    action: str
    site_id: str | None
    fields: dict[str, list[Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What changed after a data version, up to ``version``: enough for a process that
    holds the older data to bring it up to date without reloading everything."""

    since: int
    version: int
    site_ids: frozenset[str]
    population_changed: bool
    # The whole database was replaced (a restore): nothing held before can be kept.
    everything: bool = False


class Store(Protocol):
    """One connection's view of the site database. Close it (or use ``with``) when done."""

    @property
    def url(self) -> str: ...

    @property
    def engine_name(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...

    # -- transactions ---------------------------------------------------------------------
    def transaction(self) -> AbstractContextManager[None]:
        """All-or-nothing: an exception inside rolls every change back. Every write method
        takes part in the transaction open around it; a ``transaction()`` opened inside
        another is a savepoint, rolled back alone when its block raises."""
        ...

    # -- schema ---------------------------------------------------------------------------
    @property
    def schema_revision(self) -> str:
        """The migration the database is at (the newest one this code ships, once opened)."""
        ...

    # -- sites ----------------------------------------------------------------------------
    def upsert_sites(self, sites: Iterable[Site], *, actor: str = SYSTEM_ACTOR) -> None:
        """Add new sites and update stored ones in place (rows tied to a site survive)."""
        ...

    def set_status(self, site_ids: Iterable[str], status: Status, *,
                   actor: str = SYSTEM_ACTOR) -> None: ...

    def retire_missing(self, site_ids: Iterable[str], *, source: str, vintage: str,
                       actor: str = IMPORT_ACTOR) -> None:
        """Retire sites a source no longer lists, remembering that an import did it."""
        ...

    def retired_by_import(self, source: str) -> set[str]:
        """Ids an import of ``source`` retired and nobody has changed since."""
        ...

    def sites(self, *, statuses: Iterable[Status] | None = None, source: str | None = None,
              ids: Iterable[str] | None = None) -> list[Site]:
        """Sites in id order, optionally only those of some statuses, a source or ids."""
        ...

    def site(self, site_id: str) -> Site | None: ...

    def site_sources(self) -> dict[str, str]:
        """Every stored site id and the source it came from."""
        ...

    def count_sites(self) -> int: ...

    def count_sites_by(self, column: SiteCountColumn, *,
                       active_only: bool = True) -> dict[str, int]:
        """Sites per value of ``column`` in value order; ``active_only`` leaves out retired."""
        ...

    # -- events ---------------------------------------------------------------------------
    def upsert_events(self, events: Iterable[Event], *, actor: str = SYSTEM_ACTOR) -> None:
        """Add new events and update stored ones in place (each must name a stored site)."""
        ...

    def remove_events(self, event_ids: Iterable[str], *, actor: str = SYSTEM_ACTOR) -> None: ...

    def events(self, *, ids: Iterable[str] | None = None,
               site_ids: Iterable[str] | None = None, source: str | None = None,
               ending_after_utc: datetime | None = None,
               starting_before_utc: datetime | None = None) -> list[Event]:
        """Events by start (then id): all, or those of some ids, sites or a source, or
        those still going on after one instant and/or starting before another."""
        ...

    def event(self, event_id: str) -> Event | None: ...

    # -- mobile unit visits -----------------------------------------------------------------
    def record_visits(self, visits: Iterable[Visit], *, actor: str = SYSTEM_ACTOR) -> None:
        """Store visits; one of the same unit, site and day replaces the stored one."""
        ...

    def visits(self, *, unit: str | None = None) -> list[Visit]:
        """Visits by day, then unit and site."""
        ...

    # -- population -----------------------------------------------------------------------
    def replace_population(self, level: str,
                           rows: Sequence[tuple[str, str, int, float, float]],
                           vintage: str, *, actor: str = IMPORT_ACTOR) -> None:
        """Replace all points of a level with ``(id, county_fips, population, lat, lon)``."""
        ...

    def population(self, level: str, *,
                   state_fips: Iterable[str] | None = None) -> PopulationPoints: ...

    def population_levels(self) -> dict[str, int]: ...

    def population_summary(self) -> dict[str, PopulationSummary]: ...

    def population_county_fips(self) -> frozenset[str]:
        """Every county code the loaded population points name."""
        ...

    # -- import log -----------------------------------------------------------------------
    def record_import(self, record: ImportRecord, *, actor: str = IMPORT_ACTOR) -> None: ...

    def imports(self) -> list[ImportRecord]: ...

    # -- change log -----------------------------------------------------------------------
    def data_version(self) -> int:
        """A number that grows with every committed change, in any process; cheap to ask."""
        ...

    def changes_since(self, version: int) -> ChangeSet: ...

    def history(self, site_id: str | None = None) -> list[Change]:
        """The change log, oldest first: every entry, or those about one site."""
        ...

    # -- accounts -------------------------------------------------------------------------
    def add_user(self, new: NewUser, password_hash: str, *, actor: str = SYSTEM_ACTOR) -> User:
        """Add an account; an e-mail already taken raises ``InvalidInput``."""
        ...

    def user(self, user_id: int) -> User | None: ...

    def user_by_email(self, email: str) -> User | None:
        """The account of a normalised e-mail address (``accounts.normalize_email``)."""
        ...

    def users(self) -> list[User]:
        """Every account, by e-mail."""
        ...

    def update_user(self, user_id: int, *, actor: str, role: Role | None = None,
                    areas: Sequence[str] | None = None, status: AccountStatus | None = None,
                    password_hash: str | None = None) -> User:
        """Change the given fields and audit each (a password change only as changed)."""
        ...

    # -- regions --------------------------------------------------------------------------
    def replace_regions(self, by_county: Mapping[str, str]) -> None:
        """Make ``by_county`` (county FIPS to region name) the stored regions, whole."""
        ...

    def regions(self) -> dict[str, str]:
        """The stored regions, county FIPS to region name (empty when none are loaded)."""
        ...

    # -- failed logins --------------------------------------------------------------------
    def record_login_failure(self, keys: Iterable[str], at_s: float) -> None: ...

    def login_failures(self, key: str, since_s: float) -> list[float]:
        """When ``key``'s failures since ``since_s`` happened (epoch seconds), oldest first."""
        ...

    def clear_login_failures(self, key: str) -> None: ...

    # -- partner requests -----------------------------------------------------------------
    def add_request(self, *, action: RequestAction, user: User, site_id: str | None,
                    county_fips: str, fields: dict[str, Any]) -> SiteRequest: ...

    def site_request(self, request_id: int) -> SiteRequest | None: ...

    def site_requests(self, *, statuses: Iterable[RequestStatus] | None = None,
                      user_id: int | None = None,
                      organization: str | None = None) -> list[SiteRequest]:
        """Requests, newest first, optionally of some statuses, one user or organisation."""
        ...

    def update_request(self, request_id: int, *, actor: str, action: str,
                       status: RequestStatus | None = None, reason: str | None = None,
                       fields: dict[str, Any] | None = None,
                       county_fips: str | None = None) -> SiteRequest:
        """Change a request and record ``action`` in the audit trail with each change
        (``fields`` replaces the proposed values whole)."""
        ...

    def audit(self, subject: str, subject_id: str) -> list[AuditEntry]:
        """The audit trail of one account (``user``) or request (``request``), oldest first."""
        ...

    # -- spatial queries ------------------------------------------------------------------
    def spatial(self, catalog: Catalog) -> SpatialQueries:
        """Who answers nearest, radius and box queries over ``catalog``'s sites: the
        in-process KD-trees, or an engine's own spatial index where that is faster."""
        ...

    # -- durability -----------------------------------------------------------------------
    def backup(self, path: Path) -> None:
        """A consistent copy of the whole database in ``path``, taken while others write."""
        ...

    def restore(self, path: Path) -> None:
        """Replace the whole database with a copy ``backup`` made, then migrate it."""
        ...
