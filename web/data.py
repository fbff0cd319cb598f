"""The site catalog and the geocoder the views ask: one of each per worker process.

Why one long-lived connection rather than one per request: every search is answered from
the in-memory ``Catalog``; per request the store is only asked whether it changed since
the catalog was loaded (SQLite's ``PRAGMA data_version``, which moves when any other
connection, in any process, commits), and the catalog is reloaded when it has. Only
approved sites are ever loaded, so pending and retired ones cannot reach a page.
"""

from __future__ import annotations

import threading
from typing import Protocol

from flask import current_app

from locator.errors import InvalidInput, NotFound
from locator.geocode import Town, default_geocoder
from locator.places import Place
from locator.search import NearestAnswer, find_nearest
from locator.sites import Status
from locator.spatial import Catalog
from locator.store import Store
from web.params import NearestQuery


class UnknownPlace(InvalidInput):
    """Search text the geocoder cannot place: the person must reword it, so it is a 400."""


class Geocoder(Protocol):
    def geocode(self, text: str) -> Place: ...

    def suggest(self, prefix: str, limit: int = 10) -> list[Place]: ...

    def towns(self) -> list[Town]: ...


class SiteData:
    """The approved sites of one store as a ``Catalog``, kept in step with the store."""

    def __init__(self, database_url: str, *, geocoder: Geocoder | None = None) -> None:
        self.database_url = database_url
        self._geocoder = geocoder
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._catalog: Catalog | None = None
        self._version: int | None = None

    def catalog(self) -> Catalog:
        with self._lock:
            version = self._data_version()
            if self._catalog is None or version != self._version:
                self._catalog = Catalog(self._open().sites(statuses=[Status.APPROVED]))
                self._version = version
            return self._catalog

    def answer(self, query: NearestQuery) -> NearestAnswer:
        place = query.point or self.place(query.text or "")
        return find_nearest(self.catalog(), place, k=query.k, site_filter=query.site_filter,
                            within_mi=query.within_mi)

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

    def reload(self) -> Catalog:
        """Drop the cached catalog, e.g. after this process itself wrote to the store."""
        with self._lock:
            self._catalog = None
        return self.catalog()

    @property
    def geocoder(self) -> Geocoder:
        if self._geocoder is None:
            self._geocoder = default_geocoder()
        return self._geocoder

    def _open(self) -> Store:
        if self._store is None:
            self._store = Store(self.database_url)
        return self._store

    def _data_version(self) -> int:
        return int(self._open().execute("PRAGMA data_version").fetchone()[0])


def site_data() -> SiteData:
    return current_app.extensions["locator"]
