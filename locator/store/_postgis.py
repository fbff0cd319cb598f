"""Nearest, radius and box queries answered by PostGIS, with the KD-trees' exact answers.

The GiST indexes find the candidates (``<->`` for the nearest, ``ST_DWithin`` for a
radius, ``&&`` for a box); the distance that ranks and is returned is then worked out in
SQL the way ``locator.spatial`` does it (the chord between unit vectors on a sphere of
``EARTH_RADIUS_MI``), and ties are settled by id, so both engines give the same sites at
the same distances. Sites come back as the catalog's own records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from locator.geo import EARTH_RADIUS_MI
from locator.sites import Site, SiteFilter

# The KD-trees' own tie tolerance, so that both engines call the same places tied.
from locator.spatial import _TIE_MI, PUBLIC, Catalog, Nearby, SpatialQueries
from locator.store.interface import Store

METRES_PER_MI = 1609.344
# The index searches a little wider than asked, so that PostGIS's own sphere (a radius a
# hair different from ours) never leaves out a site that our distance puts inside.
_SEARCH_MARGIN = 1e-6
# Candidates fetched by the index beyond k: enough to see whether the k-th place is tied.
_EXTRA_CANDIDATES = 8

# The great-circle miles from the query point (:x, :y, :z is its unit vector), computed
# as locator.spatial computes it: 2 R asin(chord / 2), chord clamped at the antipode.
_DISTANCE_MI = (
    "(2 * :r * asin(least(1.0, 0.5 * sqrt("
    "power(cos(radians(s.lat)) * cos(radians(s.lon)) - :x, 2) + "
    "power(cos(radians(s.lat)) * sin(radians(s.lon)) - :y, 2) + "
    "power(sin(radians(s.lat)) - :z, 2)))))"
)
_POINT = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography"


class PostgisQueries:
    """``SpatialQueries`` in SQL, over the sites of one store, returned as catalog records."""

    def __init__(self, store: Store, catalog: Catalog) -> None:
        self._store = store
        self._catalog = catalog

    def nearest(self, lat: float, lon: float, *, k: int = 10,
                site_filter: SiteFilter = PUBLIC,
                within_mi: float | None = None) -> list[Nearby]:
        where, params = _filter_sql(site_filter)
        if within_mi is not None:
            where += f" AND ST_DWithin(s.geog, {_POINT}, :radius_m, false)"
            params["radius_m"] = _search_radius_m(within_mi)
        ranked = self._rows(
            f"SELECT s.id, {_DISTANCE_MI} AS d FROM (SELECT * FROM sites s WHERE {where} "
            f"ORDER BY s.geog <-> {_POINT} LIMIT :n) s ORDER BY d, s.id",
            {**params, **_point_params(lat, lon), "n": k + _EXTRA_CANDIDATES})
        if len(ranked) > k and ranked[k][1] - ranked[k - 1][1] <= _TIE_MI:
            # Places tied around the k-th: everything within reach of the k-th, by id.
            ranked = self._within_rows(lat, lon, ranked[k - 1][1] + 2 * _TIE_MI,
                                       site_filter)
        hits = ranked[:k] if within_mi is None else [
            (i, d) for i, d in ranked[:k] if d <= within_mi]
        return self._nearby(hits)

    def within(self, lat: float, lon: float, radius_mi: float, *,
               site_filter: SiteFilter = PUBLIC) -> list[Nearby]:
        rows = self._within_rows(lat, lon, radius_mi, site_filter)
        return self._nearby([(i, d) for i, d in rows if d <= radius_mi])

    def in_bbox(self, min_lon: float, min_lat: float, max_lon: float, max_lat: float, *,
                site_filter: SiteFilter = PUBLIC) -> Sequence[Site]:
        where, params = _filter_sql(site_filter)
        # A box across the antimeridian (min_lon > max_lon) is two boxes.
        boxes = ([(min_lon, max_lon)] if min_lon <= max_lon
                 else [(min_lon, 180.0), (-180.0, max_lon)])
        # && finds candidates by the index's bounding boxes, which are single precision and
        # rounded outward; the plain comparisons then keep exactly the catalog's points.
        parts = " OR ".join(
            f"(s.geog::geometry && ST_MakeEnvelope(:w{i}, :s, :e{i}, :n, 4326) "
            f"AND s.lon BETWEEN :w{i} AND :e{i})" for i in range(len(boxes)))
        for i, (west, east) in enumerate(boxes):
            params |= {f"w{i}": west, f"e{i}": east}
        rows = self._rows(f"SELECT s.id, 0.0 FROM sites s WHERE {where} "
                          f"AND s.lat BETWEEN :s AND :n AND ({parts}) ORDER BY s.id",
                          {**params, "s": min_lat, "n": max_lat})
        return [self._site(i) for i, _ in rows]

    def _within_rows(self, lat: float, lon: float, radius_mi: float,
                     site_filter: SiteFilter) -> list[tuple[str, float]]:
        where, params = _filter_sql(site_filter)
        return self._rows(
            f"SELECT s.id, {_DISTANCE_MI} AS d FROM sites s WHERE {where} "
            f"AND ST_DWithin(s.geog, {_POINT}, :radius_m, false) ORDER BY d, s.id",
            {**params, **_point_params(lat, lon), "radius_m": _search_radius_m(radius_mi)})

    def _rows(self, sql: str, params: dict[str, Any]) -> list[tuple[str, float]]:
        from locator.store.sql import SqlStore

        assert isinstance(self._store, SqlStore)
        with self._store._reading() as conn:
            return [(str(i), float(d)) for i, d in conn.execute(sa.text(sql), params)]

    def _nearby(self, hits: list[tuple[str, float]]) -> list[Nearby]:
        return [Nearby(self._site(i), d) for i, d in hits]

    def _site(self, site_id: str) -> Site:
        found = self._catalog.sites.get(site_id) or self._store.site(site_id)
        assert found is not None, f"site {site_id} vanished mid-query"
        return found


class Routed:
    """Each query to the engine the benchmark found faster for it; the rest to the catalog."""

    def __init__(self, catalog: Catalog, database: SpatialQueries,
                 faster_in_sql: frozenset[str]) -> None:
        self.nearest = (database if "nearest" in faster_in_sql else catalog).nearest
        self.within = (database if "within" in faster_in_sql else catalog).within
        self.in_bbox = (database if "in_bbox" in faster_in_sql else catalog).in_bbox


def _filter_sql(site_filter: SiteFilter) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (on ``sites s``) that keeps what ``site_filter.accepts`` keeps."""
    clauses = ["s.status = ANY(:statuses)"]
    params: dict[str, Any] = {"statuses": sorted(s.value for s in site_filter.statuses)}
    if site_filter.kinds is not None:
        # A place serves under its kind and under every extra role (SiteFilter.accepts).
        clauses.append("(s.kind = ANY(:kinds) OR EXISTS (SELECT 1 FROM site_roles r "
                       "WHERE r.site_id = s.id AND r.kind = ANY(:kinds)))")
        params["kinds"] = sorted(k.value for k in site_filter.kinds)
    if site_filter.program is not None:
        clauses.append("EXISTS (SELECT 1 FROM site_programs p WHERE p.site_id = s.id "
                       "AND p.program = :program)")
        params["program"] = site_filter.program
    return " AND ".join(clauses), params


def _point_params(lat: float, lon: float) -> dict[str, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    return {"lat": lat, "lon": lon, "r": EARTH_RADIUS_MI, "x": math.cos(phi) * math.cos(lam),
            "y": math.cos(phi) * math.sin(lam), "z": math.sin(phi)}


def _search_radius_m(radius_mi: float) -> float:
    return radius_mi * METRES_PER_MI * (1 + _SEARCH_MARGIN) + 1.0
