"""The job seeker's question, answered once for the CLI and the web API alike.

``find_nearest`` takes a resolved place and the filters, and returns a ``NearestAnswer``
whose ``to_json()`` is the documented shape of ``locator nearest --format json`` and
``GET /api/nearest``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from locator.places import Place
from locator.sites import PUBLIC, Site, SiteFilter, parse_kinds, parse_program
from locator.spatial import Nearby, SpatialQueries

DEFAULT_K = 10


@dataclass(frozen=True, slots=True)
class NearestAnswer:
    query: Place
    results: tuple[Nearby, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "query": self.query.to_json(),
            "results": [site_json(n.site, distance_mi=n.distance_mi) for n in self.results],
        }


def public_filter(kinds: Iterable[str] = (), program: str | None = None) -> SiteFilter:
    """The filter for a public query: approved sites only, kinds and program parsed."""
    parsed = parse_kinds(kinds)
    return SiteFilter(kinds=parsed or None,
                      program=parse_program(program) if program else None)


def find_nearest(catalog: SpatialQueries, place: Place, *, k: int = DEFAULT_K,
                 site_filter: SiteFilter = PUBLIC,
                 within_mi: float | None = None) -> NearestAnswer:
    results = catalog.nearest(place.lat, place.lon, k=k, site_filter=site_filter,
                              within_mi=within_mi)
    return NearestAnswer(place, tuple(results))


def site_json(site: Site, *, distance_mi: float | None = None) -> dict[str, object]:
    """The public JSON form of a site (the ``results`` rows of the nearest contract).

    Names, addresses and cities are as displayed (``Site.display_name``), not the upper
    case some sources publish.
    """
    row: dict[str, object] = {
        "id": site.id, "name": site.display_name, "kind": site.kind.value,
        "address": site.display_address, "city": site.display_city, "state": site.state,
        "zip": site.zip,
        "county_fips": site.county_fips, "lat": site.lat, "lon": site.lon,
    }
    if distance_mi is not None:
        row["distance_mi"] = distance_mi
    row.update({
        "organization": site.display_organization, "phone": site.phone, "website": site.website,
        "hours": site.hours, "programs": sorted(site.programs),
        "temporarily_closed": site.temporarily_closed,
    })
    return row
