"""Coverage studies for the planner pages and API, built once per question per process.

A ``CoverageStudy`` holds every counted resident point's distance to its nearest matching
site. Building one takes tens of milliseconds for a state; a what-if on a built study takes
about one. So the map's page, its county outlines, its site layer and every click's what-if
share one study, kept here by its ``CoverageQuery`` (which sites count, whose residents,
which areas). The sites a question counts are national and the same for every state asked
it (``CountedSites``), so they are built once and shared by those states' studies.

When the catalog moves on by a few sites, each question's counted sites take those sites
in (``CountedSites.updated``: a few milliseconds, not the ~40 ms of counting the nation's
again), and a study whose counted sites changed is recounted over them when next asked
for, keeping its residents. A whole reload, or new population points, drops everything.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import TypeVar

from flask import current_app

from locator.coverage import (
    CountedSites,
    CoverageQuery,
    CoverageStudy,
    counted_key,
    load_population,
)
from locator.errors import InvalidInput, NotFound
from locator.sites import Site
from locator.store import ImportRecord, PopulationPoints
from web.data import CatalogUpdate, site_data
from web.db import get_store

K = TypeVar("K")
V = TypeVar("V")

# A national study holds about 85,000 points; eight of them stay well under 100 MB.
MAX_STUDIES = 8


class CoverageData:
    """The studies one worker process has built, newest last."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = -1
        self._studies: OrderedDict[CoverageQuery, CoverageStudy] = OrderedDict()
        self._counted: dict[tuple[object, ...], CountedSites] = {}
        # Residents change only with an import of population files; reading a state's
        # from the store was ~35 ms of each study rebuilt after a site change.
        self._populations: dict[tuple[str, ...], PopulationPoints] = {}

    def study(self, query: CoverageQuery) -> CoverageStudy:
        catalog, version = site_data().snapshot()
        with self._lock:
            if version != self._version:
                self._catch_up(site_data().updates_since(self._version), catalog.sites)
                self._version = version
            key = counted_key(query)
            counted = self._counted.get(key)
            if counted is None:
                counted = _kept(self._counted, key,
                                CountedSites.of(catalog.sites.values(), query))
            study = self._studies.get(query)
            if study is None:
                study = CoverageStudy(catalog.sites.values(), self._population(query), query,
                                      counted=counted)
            self._studies[query] = study.recounted(counted)
            self._studies.move_to_end(query)
            if len(self._studies) > MAX_STUDIES:
                self._studies.popitem(last=False)
            return self._studies[query]

    def imports(self) -> list[ImportRecord]:
        """The store's import log, oldest first: which file and vintage fed which source."""
        return get_store().imports()

    def _catch_up(self, updates: Iterable[CatalogUpdate] | None,
                  sites: Mapping[str, Site]) -> None:
        """Bring the counted sites up to the catalog ``sites``, after ``updates``."""
        if updates is None or any(u.rebuilt or u.population_changed for u in updates):
            self._studies.clear()
            self._counted.clear()
            self._populations.clear()
            return
        changed = {site.id: sites.get(site.id) for update in updates for site in update.touched}
        if changed:
            for key, counted in self._counted.items():
                self._counted[key] = counted.updated(changed)

    def _population(self, query: CoverageQuery) -> PopulationPoints:
        points = self._populations.get(query.state_fips)
        if points is None:
            points = _kept(self._populations, query.state_fips, self._load_population(query))
        return points

    def _load_population(self, query: CoverageQuery) -> PopulationPoints:
        store = get_store()
        try:
            return load_population(store, query.state_fips)
        except NotFound as error:
            # Residents are loaded, just not for a state asked for: the asker must choose
            # another state, so it is their input at fault.
            if query.state_fips and store.population_levels():
                raise InvalidInput(error.message, code=error.code, parameter="state",
                                   **error.params) from error
            raise


def _kept(cache: dict[K, V], key: K, value: V) -> V:
    """Keep ``value`` under ``key``, forgetting the oldest entry beyond ``MAX_STUDIES``."""
    cache[key] = value
    if len(cache) > MAX_STUDIES:
        cache.pop(next(iter(cache)))
    return value


def coverage_data() -> CoverageData:
    data: CoverageData = current_app.extensions["coverage"]
    return data
