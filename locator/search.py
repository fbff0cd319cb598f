"""The job seeker's question, answered once for the CLI and the web API alike.

``find_nearest`` takes a resolved place and the filters, and returns a ``NearestAnswer``
whose ``to_json()`` is the documented shape of ``locator nearest --format json`` and
``GET /api/nearest``. Given a ``Moment`` it also says whether each site is open then, when
that changes and its week; ``open_only`` keeps the nearest sites that are open then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from locator.hours import Hours, read_hours
from locator.open_at import Moment, Opening, is_open_at, opening_at
from locator.places import Place
from locator.sites import PUBLIC, Site, SiteFilter, parse_kinds, parse_program
from locator.spatial import Catalog, Nearby, check_query

DEFAULT_K = 10


@dataclass(frozen=True, slots=True)
class NearestAnswer:
    query: Place
    results: tuple[Nearby, ...]
    openings: tuple[Opening, ...] | None = None  # one per result, when asked at a moment

    def to_json(self) -> dict[str, object]:
        openings = self.openings or (None,) * len(self.results)
        return {
            "query": self.query.to_json(),
            "results": [site_json(n.site, distance_mi=n.distance_mi, opening=opening)
                        for n, opening in zip(self.results, openings, strict=True)],
        }


def public_filter(kinds: Iterable[str] = (), program: str | None = None) -> SiteFilter:
    """The filter for a public query: approved sites only, kinds and program parsed."""
    parsed = parse_kinds(kinds)
    return SiteFilter(kinds=parsed or None,
                      program=parse_program(program) if program else None)


def find_nearest(catalog: Catalog, place: Place, *, k: int = DEFAULT_K,
                 site_filter: SiteFilter = PUBLIC, within_mi: float | None = None,
                 moment: Moment | None = None, open_only: bool = False) -> NearestAnswer:
    if moment is None:
        if open_only:
            raise ValueError("open_only needs the moment to be open at")
        results = catalog.nearest(place.lat, place.lon, k=k, site_filter=site_filter,
                                  within_mi=within_mi)
        return NearestAnswer(place, tuple(results))
    if open_only:
        results = _nearest_open(catalog, place, k=k, site_filter=site_filter,
                                within_mi=within_mi, moment=moment)
    else:
        results = catalog.nearest(place.lat, place.lon, k=k, site_filter=site_filter,
                                  within_mi=within_mi)
    openings = tuple(opening_at(site_hours(n.site), catalog.zone_name(n.site.id), moment)
                     for n in results)
    return NearestAnswer(place, tuple(results), openings)


def _nearest_open(catalog: Catalog, place: Place, *, k: int, site_filter: SiteFilter,
                  within_mi: float | None, moment: Moment) -> list[Nearby]:
    """The ``k`` nearest sites open at the moment, asking the index for ever more."""
    check_query(place.lat, place.lon, k, within_mi)
    index = catalog.index(site_filter)
    asked = k
    while True:
        candidates = index.nearest(place.lat, place.lon, k=asked, within_mi=within_mi)
        found = [n for n in candidates
                 if is_open_at(site_hours(n.site), catalog.zone_name(n.site.id), moment)]
        if len(found) >= k or len(candidates) < asked:
            return found[:k]
        asked *= 4


def site_hours(site: Site) -> Hours:
    return read_hours(site.hours)


def site_json(site: Site, *, distance_mi: float | None = None,
              opening: Opening | None = None) -> dict[str, object]:
    """The public JSON form of a site (the ``results`` rows of the nearest contract).

    With an ``opening`` it adds ``open`` and ``next_change`` and the week to ``hours``.
    """
    row: dict[str, object] = {
        "id": site.id, "name": site.name, "kind": site.kind.value, "address": site.address,
        "city": site.city, "state": site.state, "zip": site.zip,
        "county_fips": site.county_fips, "lat": site.lat, "lon": site.lon,
    }
    if distance_mi is not None:
        row["distance_mi"] = distance_mi
    row.update({
        "organization": site.organization, "phone": site.phone, "website": site.website,
        "hours": hours_json(site_hours(site), opening), "programs": sorted(site.programs),
        "temporarily_closed": site.temporarily_closed,
    })
    if opening is not None:
        row["open"] = opening.open
        row["next_change"] = opening.next_change.isoformat() if opening.next_change else None
    return row


def hours_json(hours: Hours, opening: Opening | None = None) -> dict[str, object]:
    """Hours as given, their state, the canonical OSM text, and the week when evaluated."""
    row: dict[str, object] = {"text": hours.text, "status": hours.status.value,
                              "canonical": hours.canonical or None}
    if opening is not None:
        row["week"] = [interval.to_json() for interval in opening.week]
    return row
