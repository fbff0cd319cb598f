"""The job seeker's question, answered once for the CLI and the web API alike.

``find_nearest`` takes a resolved place and the filters, and returns a ``NearestAnswer``
whose ``to_json()`` is the documented shape of ``locator nearest --format json`` and
``GET /api/nearest``. Given a ``Moment`` it also says whether each site is open then, when
that changes and its week; ``open_only`` keeps the nearest sites that are open then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from locator.geo import haversine_mi
from locator.hours import Hours, read_hours
from locator.mobile import NextVisit, next_visit
from locator.open_at import UNKNOWN_OPENING, Moment, Opening, is_open_at, opening_at
from locator.places import Place
from locator.sites import PUBLIC, Kind, Site, SiteFilter, parse_kinds, parse_program
from locator.spatial import Catalog, Nearby, SiteIndex, SpatialQueries, check_query

DEFAULT_K = 10


@dataclass(frozen=True, slots=True)
class NearestAnswer:
    query: Place
    results: tuple[Nearby, ...]
    openings: tuple[Opening, ...] | None = None  # one per result, when asked at a moment
    visits: tuple[NextVisit | None, ...] | None = None  # likewise: a mobile stop's next visit

    def to_json(self) -> dict[str, object]:
        openings = self.openings or (None,) * len(self.results)
        visits = self.visits or (None,) * len(self.results)
        return {
            "query": self.query.to_json(),
            "results": [site_json(n.site, distance_mi=n.distance_mi, opening=opening,
                                  visit=visit)
                        for n, opening, visit in zip(self.results, openings, visits,
                                                     strict=True)],
        }


def public_filter(kinds: Iterable[str] = (), program: str | None = None) -> SiteFilter:
    """The filter for a public query: approved sites only, kinds and program parsed."""
    parsed = parse_kinds(kinds)
    return SiteFilter(kinds=parsed or None,
                      program=parse_program(program) if program else None)


def find_nearest(catalog: Catalog, place: Place, *, k: int = DEFAULT_K,
                 site_filter: SiteFilter = PUBLIC, within_mi: float | None = None,
                 moment: Moment | None = None, open_only: bool = False,
                 spatial: SpatialQueries | None = None) -> NearestAnswer:
    """``spatial`` answers the plain nearest query (the store's choice: the catalog's
    KD-trees or an engine's spatial index); open-only searches scan the catalog."""
    nearest = (spatial or catalog).nearest
    if moment is None:
        if open_only:
            raise ValueError("open_only needs the moment to be open at")
        results = nearest(place.lat, place.lon, k=k, site_filter=site_filter,
                          within_mi=within_mi)
        return NearestAnswer(place, tuple(results))
    if open_only:
        results = _nearest_open(catalog, place, k=k, site_filter=site_filter,
                                within_mi=within_mi, moment=moment)
    else:
        results = nearest(place.lat, place.lon, k=k, site_filter=site_filter,
                          within_mi=within_mi)
    # The zone is looked up only where it is needed: most sites' hours are unknown, and
    # only mobile stops have visits.
    openings = tuple(_opening(n.site, catalog, moment) for n in results)
    visits = tuple(_next_visit(n, catalog, moment) for n in results)
    return NearestAnswer(place, tuple(results), openings, visits)


def _opening(site: Site, catalog: Catalog, moment: Moment) -> Opening:
    hours = site_hours(site)
    if not hours.is_structured:
        return UNKNOWN_OPENING
    return opening_at(hours, catalog.zone_name(site.id), moment)


def _next_visit(nearby: Nearby, catalog: Catalog, moment: Moment) -> NextVisit | None:
    if nearby.site.kind is not Kind.MOBILE_CENTER:
        return None
    zone_name = catalog.zone_name(nearby.site.id)
    instant = moment.in_zone(ZoneInfo(zone_name)).astimezone(UTC)
    return next_visit(nearby.site, now_utc=instant, distance_mi=nearby.distance_mi)


def _nearest_open(catalog: Catalog, place: Place, *, k: int, site_filter: SiteFilter,
                  within_mi: float | None, moment: Moment) -> list[Nearby]:
    """The ``k`` nearest sites open at the moment.

    The open ones may be anywhere (at night, none nearby), so rather than asking the
    index for ever more neighbours, each distinct (hours, zone) pair is evaluated once
    and the distance to every open site computed in one array operation.
    """
    check_query(place.lat, place.lon, k, within_mi)
    index = catalog.index(site_filter)
    groups = _hours_groups(catalog, index)
    group_open = np.array([is_open_at(hours, zone_name, moment) is True
                           for hours, zone_name in groups.keys], dtype=bool)
    positions = np.flatnonzero(group_open[groups.of_site])
    distance_mi = haversine_mi(place.lat, place.lon, index.lat[positions], index.lon[positions])
    # Index positions follow site ids, so ties are settled by id as everywhere else.
    ranked = np.lexsort((positions, distance_mi))
    if within_mi is not None:
        ranked = ranked[distance_mi[ranked] <= within_mi]
    return [Nearby(index.sites[positions[i]], float(distance_mi[i])) for i in ranked[:k]]


@dataclass(frozen=True, slots=True)
class _HoursGroups:
    """The distinct (hours, zone name) pairs of an index's sites, and each site's pair."""

    keys: tuple[tuple[Hours, str], ...]
    of_site: NDArray[np.intp]


_GROUPS: WeakKeyDictionary[SiteIndex, _HoursGroups] = WeakKeyDictionary()


def _hours_groups(catalog: Catalog, index: SiteIndex) -> _HoursGroups:
    groups = _GROUPS.get(index)
    if groups is None:
        ids: dict[tuple[Hours, str], int] = {}
        of_site = np.array([ids.setdefault((site_hours(site), catalog.zone_name(site.id)),
                                           len(ids)) for site in index.sites], dtype=np.intp)
        groups = _GROUPS[index] = _HoursGroups(tuple(ids), of_site)
    return groups


def site_hours(site: Site) -> Hours:
    return read_hours(site.hours)


def site_json(site: Site, *, distance_mi: float | None = None, opening: Opening | None = None,
              visit: NextVisit | None = None) -> dict[str, object]:
    """The public JSON form of a site (the ``results`` rows of the nearest contract).

    Names, addresses and cities are as displayed (``Site.display_name``), not the upper
    case some sources publish. With an ``opening`` it adds ``open`` and ``next_change`` and
    the week to ``hours``, and a mobile stop's ``next_visit`` (null when none is known).
    """
    head, tail = _fixed_json(site)
    row: dict[str, object] = head.copy()
    if distance_mi is not None:
        row["distance_mi"] = distance_mi
    row.update(tail)
    row["hours"] = hours_json(site_hours(site), opening)
    row["programs"], row["roles"] = list(tail["programs"]), list(tail["roles"])
    if opening is not None:
        row["open"] = opening.open
        row["next_change"] = opening.next_change.isoformat() if opening.next_change else None
        if site.kind is Kind.MOBILE_CENTER:
            row["next_visit"] = visit.to_json() if visit is not None else None
    return row


@lru_cache(maxsize=1 << 16)
def _fixed_json(site: Site) -> tuple[dict[str, object], dict[str, Any]]:
    """What a site's row says whatever the query, in the row's order around
    ``distance_mi``. Cached per site (sites are immutable): recased text and sorted lists
    cost ~10 µs a row, and each answer has ten."""
    head: dict[str, object] = {
        "id": site.id, "name": site.display_name, "kind": site.kind.value,
        "address": site.display_address, "city": site.display_city, "state": site.state,
        "zip": site.zip,
        "county_fips": site.county_fips, "lat": site.lat, "lon": site.lon,
    }
    tail: dict[str, Any] = {
        "organization": site.display_organization, "phone": site.phone, "website": site.website,
        "hours": None, "programs": tuple(sorted(site.programs)),
        "roles": tuple(sorted(k.value for k in site.roles)),
        "temporarily_closed": site.temporarily_closed,
    }
    return head, tail


def hours_json(hours: Hours, opening: Opening | None = None) -> dict[str, object]:
    """Hours as given, their state, the canonical OSM text, and the week when evaluated."""
    row: dict[str, object] = {"text": hours.text, "status": hours.status.value,
                              "canonical": hours.canonical or None}
    if opening is not None:
        row["week"] = [interval.to_json() for interval in opening.week]
    return row
