"""Coverage studies for the planner pages and API, built once per question per process.

A ``CoverageStudy`` holds every counted resident point's distance to its nearest matching
site. Building one takes tens of milliseconds for a state; a what-if on a built study takes
about one. So the map's page, its county outlines, its site layer and every click's what-if
share one study, kept here by its ``CoverageQuery`` (which sites count, whose residents,
which areas). Studies are dropped whenever the site catalog is reloaded: ``SiteData`` reloads
it when any connection commits to the store, which is also when population points change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app

from locator.coverage import CoverageQuery, CoverageStudy, load_population
from locator.errors import InvalidInput, NotFound
from locator.spatial import Catalog
from locator.store import ImportRecord, PopulationPoints, Store
from web.data import site_data

# A national study holds about 85,000 points; eight of them stay well under 100 MB.
MAX_STUDIES = 8


class CoverageData:
    """The studies one worker process has built, newest last, for one store."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._catalog: Catalog | None = None
        self._studies: OrderedDict[CoverageQuery, CoverageStudy] = OrderedDict()

    def study(self, query: CoverageQuery) -> CoverageStudy:
        catalog = site_data().catalog()
        with self._lock:
            if catalog is not self._catalog:
                self._studies.clear()
                self._catalog = catalog
            study = self._studies.get(query)
            if study is None:
                study = CoverageStudy(catalog.sites.values(), self._population(query), query)
                self._studies[query] = study
                if len(self._studies) > MAX_STUDIES:
                    self._studies.popitem(last=False)
            self._studies.move_to_end(query)
            return study

    def imports(self) -> list[ImportRecord]:
        """The store's import log, oldest first: which file and vintage fed which source."""
        with self._lock:
            return self._open().imports()

    def _population(self, query: CoverageQuery) -> PopulationPoints:
        store = self._open()
        try:
            return load_population(store, query.state_fips)
        except NotFound as error:
            # Residents are loaded, just not for a state asked for: the asker must choose
            # another state, so it is their input at fault.
            if query.state_fips and store.population_levels():
                raise InvalidInput(error.message, code=error.code, parameter="state",
                                   **error.params) from error
            raise

    def _open(self) -> Store:
        if self._store is None:
            self._store = Store(self.database_url)
        return self._store


def coverage_data() -> CoverageData:
    return current_app.extensions["coverage"]
