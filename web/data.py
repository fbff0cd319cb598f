"""The site catalog and the geocoder the views ask: one of each per worker process.

Every search is answered from the in-memory ``Catalog``. The store is asked one cheap
question, its data version, at most every ``DATA_CHECK_INTERVAL_S`` seconds per worker
(and on the first request after this worker handled a write); when another process (or
this one) has committed since, the change log says which sites changed, and only those are
put into the catalog. So a change reaches every worker within that interval plus one
request, and a search between checks touches neither the pool nor the database. Only
approved sites are ever loaded, so pending and retired ones cannot reach a page. What each
update touched is kept for a while, so the planner's coverage studies can keep the studies
an update did not touch (see ``web.coverage_data``).
"""

from __future__ import annotations

import gc
import logging
import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from flask import current_app, request

from locator import geodata, listings
from locator.errors import InvalidInput, NotFound
from locator.geocode import Town, default_geocoder
from locator.open_at import Moment
from locator.places import Place
from locator.search import NearestAnswer, find_nearest
from locator.sites import Site, Status
from locator.spatial import Catalog, SpatialQueries
from locator.store import ChangeSet, Store
from locator.store.dialects import scheme
from web.db import get_store
from web.params import NearestQuery

# Beyond this many changed sites, reading them one by one costs more than a full reload.
MAX_INCREMENTAL_SITES = 2000
# Updates remembered for consumers that have not caught up yet.
KEPT_UPDATES = 256
# How long a worker answers from its catalog before asking the store for its data version
# again. Asking costs a pooled connection and a query (~0.15 ms of a ~0.7 ms search,
# measured with bench/web_load.py's data); twice a second keeps changes well inside the
# 2 s every process must see them in.
DATA_CHECK_INTERVAL_S = 0.5
_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Health:
    """Whether the database answers: ``data_version`` is None when it does not."""

    engine: str
    data_version: int | None

    @property
    def ok(self) -> bool:
        return self.data_version is not None

    def to_json(self) -> dict[str, object]:
        return {"status": "ok" if self.ok else "unavailable", "engine": self.engine,
                "data_version": self.data_version}


class UnknownPlace(InvalidInput):
    """Search text the geocoder cannot place: the person must reword it, so it is a 400."""


class Geocoder(Protocol):
    def geocode(self, text: str) -> Place: ...

    def suggest(self, prefix: str, limit: int = 10) -> list[Place]: ...

    def towns(self) -> list[Town]: ...


@dataclass(frozen=True, slots=True)
class CatalogUpdate:
    """One step of the catalog: the data version it reached and what it touched."""

    since: int
    version: int
    touched: tuple[Site, ...]  # old and new versions of every changed approved site
    population_changed: bool
    rebuilt: bool  # reloaded whole: whatever was built on the old catalog is stale


class SiteData:
    """The approved sites of the store as a ``Catalog``, kept in step with the store."""

    def __init__(self, *, geocoder: Geocoder | None = None,
                 check_interval_s: float = DATA_CHECK_INTERVAL_S) -> None:
        self._geocoder = geocoder
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._version = -1
        # Catalog and version as one value, so a reader without the lock never pairs
        # one update's catalog with another's version.
        self._current: tuple[Catalog, int] | None = None
        self._check_interval_s = check_interval_s
        self._checked_at = -math.inf  # time.monotonic() of the last data-version read
        self._updates: deque[CatalogUpdate] = deque(maxlen=KEPT_UPDATES)
        # Set by ``preload``, as a served worker's start does: a full collection there costs
        # a pause once, and keeps later ones short (``_keep_out_of_collections``).
        self._freezes = False

    def catalog(self) -> Catalog:
        return self.snapshot()[0]

    def snapshot(self) -> tuple[Catalog, int]:
        """The catalog and the data version it reflects, brought up to date first when the
        last check is older than the interval."""
        current = self._current
        if current is not None and time.monotonic() - self._checked_at < self._check_interval_s:
            return current
        store = get_store()
        with self._lock:
            checked_at = time.monotonic()
            version = store.data_version()
            if self._catalog is None:
                self._reload(store, version)
            elif version != self._version:
                self._apply(store, store.changes_since(self._version))
            self._checked_at = checked_at
            assert self._current is not None
            return self._current

    def check_soon(self) -> None:
        """Read the data version at the next request, whatever the interval: this worker
        has just written, and the person who wrote expects to see it."""
        self._checked_at = -math.inf

    def updates_since(self, version: int) -> list[CatalogUpdate] | None:
        """The updates after ``version``, oldest first; None when they are no longer kept."""
        with self._lock:
            updates = [u for u in self._updates if u.version > version]
            if updates and updates[0].since > version:
                return None  # the ones in between are forgotten
            return updates

    def health(self) -> Health:
        engine = scheme(current_app.config["DATABASE_URL"])
        try:
            version = get_store().data_version()
        # Any failure at all means this worker cannot answer from fresh data; the cause goes
        # to the log, a monitor only needs the 503.
        except Exception:
            _log.exception("health check: the database does not answer")
            return Health(engine, None)
        return Health(engine, version)

    def spatial(self) -> SpatialQueries:
        return get_store().spatial(self.catalog())

    def answer(self, query: NearestQuery, *, moment: Moment | None = None,
               open_only: bool = False) -> NearestAnswer:
        place = query.point or self.place(query.text or "")
        catalog = self.catalog()
        return find_nearest(catalog, place, k=query.k, site_filter=query.site_filter,
                            within_mi=query.within_mi, moment=moment, open_only=open_only,
                            spatial=get_store().spatial(catalog))

    def place(self, text: str) -> Place:
        try:
            return self.geocoder.geocode(text)
        except NotFound as error:
            raise UnknownPlace(error.message, code=error.code, parameter="q",
                               **error.params) from error
        except InvalidInput as error:
            # Whatever the geocoder calls its argument, on the web it is ``q``.
            raise InvalidInput(error.message, code=error.code, parameter="q",
                               **error.params) from error

    def preload(self) -> None:
        """Load the catalog, the geocoder and the county and state outlines now rather than
        at the first requests, and keep them all out of the collector's walks."""
        self._freezes = True
        self.catalog()
        _ = self.geocoder
        geodata.counties()  # with the outlines (coverage areas, county lookups)
        geodata.states()
        _keep_out_of_collections()

    @property
    def geocoder(self) -> Geocoder:
        if self._geocoder is None:
            self._geocoder = default_geocoder()
        return self._geocoder

    def _reload(self, store: Store, version: int) -> None:
        self._catalog = Catalog(store.sites(statuses=[Status.APPROVED]))
        if self._freezes and self._current is not None:  # a later reload, of a served worker
            _keep_out_of_collections()
        self._record(CatalogUpdate(self._version, version, (), True, rebuilt=True))

    def _apply(self, store: Store, changes: ChangeSet) -> None:
        if changes.everything or len(changes.site_ids) > MAX_INCREMENTAL_SITES:
            self._reload(store, changes.version)
            return
        assert self._catalog is not None
        fresh = [s for s in store.sites(ids=changes.site_ids) if s.status is Status.APPROVED]
        old = [self._catalog.sites[i] for i in changes.site_ids if i in self._catalog.sites]
        self._catalog = self._catalog.updated(fresh, removed_ids=changes.site_ids)
        self._record(CatalogUpdate(self._version, changes.version, (*old, *fresh),
                                   changes.population_changed, rebuilt=False))

    def _record(self, update: CatalogUpdate) -> None:
        self._version = update.version
        self._updates.append(update)
        assert self._catalog is not None
        self._current = (self._catalog, self._version)


def _keep_out_of_collections() -> None:
    """Move what the worker holds now out of the cyclic collector's sight (``gc.freeze``).

    A worker holds hundreds of thousands of long-lived objects (the national catalog, the
    geodata, the app), and each full collection walked them all: ~200 ms with every thread
    waiting, which set the p99 of a mixed load at ~265 ms (``bench/load.py``). Frozen
    objects are still freed by reference counting when a new catalog replaces them; the
    collection first clears what is garbage already, so none of it is frozen.
    """
    gc.collect()
    gc.freeze()


def check_after_writes(_error: BaseException | None = None) -> None:
    """Teardown of every request: after one that may have written, check at once."""
    if request.method not in _SAFE_METHODS:
        site_data().check_soon()


def site_data() -> SiteData:
    data: SiteData = current_app.extensions["locator"]
    return data


def stale_after_days() -> int:
    """The stale setting: a public site last verified longer ago than this (``STALE_AFTER_DAYS``,
    default a year) is listed for its reviewers and shown as stale by the planner."""
    return int(current_app.config.get("STALE_AFTER_DAYS", listings.STALE_AFTER_DAYS))
