"""The JSON API: geocode, nearest sites, sites in a map box, one site, and its OpenAPI doc.

Human-readable text (error ``detail``, a place's ``label``) is in the asker's language
(``Accept-Language`` or ``?lang=``); codes, keys and slugs stay English.
Every bad input gets HTTP 400 ``{"error", "detail", "parameter"}``; an unknown site or
route gets 404 in the same shape (see ``web.errors``). The shapes are documented in
``web/openapi.py`` and a test checks that the document and the routes agree.
"""

from __future__ import annotations

from functools import lru_cache

import orjson
from flask import Blueprint, jsonify, request

from locator.mobile import next_visit, visits_between
from locator.open_at import Moment
from locator.search import public_filter, site_json
from locator.sites import Kind, Site
from web import openapi, params
from web.clusters import grid_clusters
from web.data import site_data
from web.events import now_utc
from web.present import place_label

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/geocode")
def geocode():
    place = site_data().place(params.query_text(request.args))
    return jsonify({**place.to_json(), "label": place_label(place)})


@bp.get("/nearest")
def nearest():
    query = params.nearest_query(request.args)
    moment = params.moment(request.args, now=Moment.now(now_utc()))
    open_only = params.boolean(request.args, "open")
    answer = site_data().answer(query, moment=moment, open_only=open_only)
    body = answer.to_json()
    body["query"]["label"] = place_label(answer.query)  # an address's note, in the asker's words
    return jsonify(body)


@bp.get("/sites")
def sites_in_bbox():
    box = params.bbox(request.args)
    site_filter = params.site_filter(request.args)
    visits = params.visits_range(request.args)
    sites = site_data().spatial().in_bbox(box.min_lon, box.min_lat, box.max_lon, box.max_lat,
                                          site_filter=site_filter)
    if visits is None:
        return _geojson([_encoded_feature(s) for s in sites])
    return _geojson([feature for s in sites if (feature := _visited_feature(s, visits))])


def _visited_feature(site: Site, days: params.DateRange) -> dict[str, object] | None:
    """A mobile stop with its visits in the range; None for a site not visited then."""
    zone_name = site_data().catalog().zone_name(site.id)
    visits = visits_between(site, zone_name, days.first, days.last)
    if not visits:
        return None
    feature = site_feature(site)
    properties = feature["properties"]
    assert isinstance(properties, dict)
    properties["time_zone"] = zone_name
    properties["visits"] = [{"start": v.opens.isoformat(), "end": v.closes.isoformat()}
                            for v in visits]
    return feature


@bp.get("/sites/<site_id>")
def site(site_id: str):
    found = site_data().catalog().get(site_id, site_filter=public_filter())
    return jsonify(site_json(found))


@bp.get("/clusters")
def clusters():
    box = params.bbox(request.args)
    zoom = params.integer(request.args, "zoom", default=None, low=0, high=params.MAX_ZOOM)
    site_filter = params.site_filter(request.args)
    sites = site_data().spatial().in_bbox(box.min_lon, box.min_lat, box.max_lon, box.max_lat,
                                          site_filter=site_filter)
    features = []
    for cluster in grid_clusters([s.lat for s in sites], [s.lon for s in sites], zoom=zoom):
        if len(cluster.members) == 1:
            features.append(_dot_feature(sites[cluster.members[0]]))
        else:
            features.append(_point_feature(cluster.lat, cluster.lon,
                                           {"cluster": True, "count": len(cluster.members)}))
    return _geojson(features)


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


def site_feature(site: Site, *, brief: bool = False) -> dict[str, object]:
    """A site as an RFC 7946 Feature; ``brief`` keeps what a map marker needs."""
    properties: dict[str, object] = (
        {"id": site.id, "name": site.display_name, "kind": site.kind.value} if brief
        else site_json(site))
    feature = _point_feature(site.lat, site.lon, properties)
    feature["id"] = site.id
    return feature


# One per site the map has shown, ~0.6 KB each: the national catalog fits in ~10 MB.
@lru_cache(maxsize=1 << 15)
def _encoded_feature(site: Site) -> orjson.Fragment:
    """``site_feature(site)`` encoded once (sites are immutable). A box over a city holds
    hundreds of sites (662 around New York), and building their rows again for each answer
    was ~70% of a ~10 ms request; the encoder copies a fragment as it is."""
    # A copy: orjson leaves its output in a 4 KB allocation, ~8x what a feature needs.
    return orjson.Fragment(memoryview(orjson.dumps(site_feature(site))).tobytes())


def _dot_feature(site: Site) -> dict[str, object]:
    """A site alone on the map: what its marker needs, and a mobile stop's next visit."""
    feature = site_feature(site, brief=True)
    if site.kind is Kind.MOBILE_CENTER:
        properties = feature["properties"]
        assert isinstance(properties, dict)
        visit = next_visit(site, now_utc=now_utc())
        properties["time_zone"] = site_data().catalog().zone_name(site.id)
        properties["next_visit"] = visit.to_json() if visit is not None else None
    return feature


def _point_feature(lat: float, lon: float, properties: dict[str, object]) -> dict[str, object]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties}


def _geojson(features: list[dict[str, object]] | list[orjson.Fragment]):
    response = jsonify({"type": "FeatureCollection", "features": features})
    response.mimetype = "application/geo+json"
    return response
