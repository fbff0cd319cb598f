"""Files the map needs, served by the app itself so the page works with no internet.

Leaflet comes from the PyPI package ``django-js-lib-leaflet`` (Leaflet 1.9.4's own
distribution files, found with ``importlib.resources``); the basemap outlines from the
shipped ``geodata`` package; the place labels from ``locator.maplabels``. Text files are
gzipped once per process: the county outlines shrink from about 1.9 MB to a fraction of
that on the wire.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, request

import geodata
from locator.maplabels import labels_document, map_labels
from mapfile.leaflet import LEAFLET_DIR
from web.data import Geocoder, site_data
from web.i18n import page_language
from web.present import area_name

bp = Blueprint("assets", __name__)

LEAFLET_FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
                 "images/marker-icon.png", "images/marker-icon-2x.png",
                 "images/marker-shadow.png")
BASEMAP_LAYERS = {"states": "us-states.geojson", "counties": "us-counties.geojson"}
ONE_DAY_S = 86_400
_COMPRESSIBLE = ("application/javascript", "text/javascript", "text/css",
                 "application/geo+json")


@bp.get("/vendor/leaflet/<path:filename>")
def leaflet(filename: str):
    if filename not in LEAFLET_FILES:
        abort(404)
    return _file_response(LEAFLET_DIR / filename)


@bp.get("/basemap/<layer>.geojson")
def basemap(layer: str):
    name = BASEMAP_LAYERS.get(layer)
    if name is None:
        abort(404)
    return _file_response(geodata.path(name), mimetype="application/geo+json")


@bp.get("/basemap/labels.json")
def basemap_labels():
    body, gzipped, etag = _labels_document(site_data().geocoder, page_language())
    return _bytes_response(body, gzipped, etag, mimetype="application/json")


@lru_cache(maxsize=8)
def _labels_document(geocoder: Geocoder, language: str) -> tuple[bytes, bytes, str]:
    """The same for every request to one geocoder in one language (geodata and the ZIP
    data only change with their packages), so it is built and gzipped once per process.
    County labels are worded in the page's language ("Condado de Cook")."""
    rows = labels_document(map_labels(geocoder.towns()))
    rows["county"] = [[fips, area_name(str(fips), str(name)), *point]
                      for fips, name, *point in rows["county"]]
    body = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()
    return body, gzip.compress(body, compresslevel=9, mtime=0), \
        hashlib.sha256(body).hexdigest()[:16]


def _file_response(path: Path, *, mimetype: str | None = None) -> Response:
    mimetype = mimetype or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    body, gzipped, etag = _load(path, path.stat().st_mtime_ns, mimetype in _COMPRESSIBLE)
    return _bytes_response(body, gzipped, etag, mimetype=mimetype)


def _bytes_response(body: bytes, gzipped: bytes | None, etag: str, *,
                    mimetype: str) -> Response:
    use_gzip = gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(gzipped if use_gzip else body, mimetype=mimetype)
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    if gzipped is not None:
        response.vary.add("Accept-Encoding")
    response.set_etag(etag + ("-gz" if use_gzip else ""))
    response.cache_control.public = True
    response.cache_control.max_age = ONE_DAY_S
    response.make_conditional(request)  # answers 304 or a range in place
    return response


@lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int, compress: bool) -> tuple[bytes, bytes | None, str]:
    body = path.read_bytes()
    return body, gzip.compress(body, compresslevel=9, mtime=0) if compress else None, \
        f"{mtime_ns:x}-{len(body):x}"
