"""Standalone HTML maps for sharing: one file that opens from a USB stick with no internet.

folium builds the map. By default it links Leaflet, jQuery, Bootstrap and Font Awesome from
CDNs; here every element's default links are dropped and Leaflet 1.9.4 (from the PyPI
package ``django-js-lib-leaflet``, the copy the web app serves) is inlined, its images as
data URIs. Nothing else is needed: markers are Leaflet circle and div markers, and popups
are built by a small inline script with ``textContent``, because site text is data and
folium's own popups and tooltips paste their text into the page as markup. Place names
are the web map's own: its ``basemap.js`` and ``labels.css`` are inlined too, and its
``placeLabels`` draws the states, counties and towns of the mapped area by zoom level.

The core library never imports this module (nor folium): ``locator`` CLI commands import
it only when asked for ``--format html``.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import folium
import shapely
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from locator import geodata
from locator.coverage import CoverageReport
from locator.errors import InvalidInput
from locator.export import report_geojson
from locator.geocode import default_geocoder
from locator.maplabels import LabelKind, MapLabel, labels_document, map_labels
from locator.search import NearestAnswer
from mapfile.leaflet import LEAFLET_DIR

LAND = "#f4f3ee"
WATER = "#a9cbe3"
OUTLINE = "#8a8f98"
# Share of residents within the first distance: light to dark, five equal steps.
SHARE_COLOURS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_RESIDENTS = "#d9d9d9"
CONTEXT_MARGIN_DEG = 0.5
# The web app's static files, found without importing ``web`` (which imports Flask).
WEB_STATIC = Path(importlib.util.find_spec("web").submodule_search_locations[0]) / "static"  # type: ignore[union-attr,index]

# A feature's popup: its ``title`` and ``lines`` properties as text, never as markup.
_POPUP_JS = folium.JsCode("""function (feature, layer) {
  layer.bindPopup(function () {
    var box = document.createElement("div");
    var title = box.appendChild(document.createElement("strong"));
    title.textContent = feature.properties.title;
    feature.properties.lines.forEach(function (text) {
      if (text) box.appendChild(document.createElement("div")).textContent = text;
    });
    return box;
  });
}""")


def nearest_map_html(answer: NearestAnswer) -> str:
    """The searched place and its numbered results on the county outlines around them."""
    query = answer.query
    points = [(query.lat, query.lon), *((n.site.lat, n.site.lon) for n in answer.results)]
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    fmap = _map()
    box = _around(west, south, east, north)
    states = _states_near(box)
    _outlines(fmap, _county_features(states))
    _results(fmap, answer)
    fmap.fit_bounds([[south, west], [north, east]], padding=(30, 30), max_zoom=13)
    _PlaceLabels(_labels(states, box)).add_to(fmap)
    _title(fmap, f"Nearest to {query.label} (straight-line distances)")
    return _standalone_html(fmap)


def coverage_map_html(report: CoverageReport) -> str:
    """A choropleth of the report's areas by share of residents within the first distance."""
    threshold = report.thresholds[0]
    features = []
    for feature, row in zip(report_geojson(report)["features"], report.rows,  # type: ignore[arg-type,call-overload]
                            strict=True):
        if feature["geometry"] is None:
            continue
        share = row.within[0].share
        features.append(feature)
        feature["properties"] = {
            "fill": _share_colour(share), "title": row.name,
            "lines": [f"{row.population:,} residents",
                      "no residents" if share is None
                      else f"{share:.1%} within {threshold.label} mi of a site",
                      f"{row.sites:,} sites"],
        }
    if not features:
        raise InvalidInput("a coverage map needs areas with outlines: use --by county, state "
                           "or region (and, for gaps, at least one flagged area)",
                           code="no_areas", parameter="format")
    fmap = _map()
    folium.GeoJson(_feature_collection(features), name="Coverage", on_each_feature=_POPUP_JS,
                   style_function=lambda f: {"fillColor": f["properties"]["fill"],
                                             "fillOpacity": 1, "color": OUTLINE, "weight": 0.6},
                   ).add_to(fmap)
    west, south, east, north = shapely.total_bounds(
        [shapely.geometry.shape(f["geometry"]) for f in features])
    fmap.fit_bounds([[south, west], [north, east]])
    box = _around(west, south, east, north)
    _PlaceLabels(_labels(_states_near(box), box)).add_to(fmap)
    _title(fmap, f"Residents within {threshold.label} mi of a site, "
                 f"by {report.query.geography.value}")
    _legend(fmap, threshold.label)
    return _standalone_html(fmap)


# -- the map and its layers ----------------------------------------------------------------

def _map() -> folium.Map:
    fmap = folium.Map(tiles=None, control_scale=True, min_zoom=3, max_zoom=18)
    fmap.get_root().header.add_child(Element(  # type: ignore[attr-defined]
        f"<style>.folium-map {{ background: {WATER}; }}"
        ".result-marker { display: flex; align-items: center; justify-content: center;"
        " border-radius: 50%; background: #0b4f8a; color: #fff; font: 700 13px sans-serif;"
        " border: 2px solid #fff; }"
        ".map-title, .map-legend { position: absolute; z-index: 1000; background: #fff;"
        " padding: 6px 10px; font: 14px sans-serif; border: 1px solid #888; }"
        ".map-title { top: 10px; left: 60px; font-weight: 700; }"
        ".map-legend { bottom: 30px; right: 10px; }"
        ".map-legend i { display: inline-block; width: 14px; height: 14px;"
        " margin-right: 6px; vertical-align: middle; }</style>"), name="locator_css")
    return fmap


def _outlines(fmap: folium.Map, features: list[dict]) -> None:
    folium.GeoJson(_feature_collection(features), name="Counties", control=False,
                   style_function=lambda _: {"fillColor": LAND, "fillOpacity": 1,
                                             "color": OUTLINE, "weight": 0.6},
                   interactive=False).add_to(fmap)


def _around(west: float, south: float, east: float, north: float) -> shapely.Geometry:
    return shapely.box(west - CONTEXT_MARGIN_DEG, south - CONTEXT_MARGIN_DEG,
                       east + CONTEXT_MARGIN_DEG, north + CONTEXT_MARGIN_DEG)


def _states_near(box: shapely.Geometry) -> set[str]:
    """FIPS codes of the states that reach into the box."""
    return {fips for fips, outline in geodata.state_outlines().items()
            if outline.intersects(box)}


def _county_features(states: set[str]) -> list[dict]:
    """Every county outline of these states, for context around the results."""
    return [{"type": "Feature", "id": fips, "properties": {},
             "geometry": shapely.geometry.mapping(outline)}
            for fips, outline in geodata.county_outlines().items() if fips[:2] in states]


def _labels(states: set[str], box: shapely.Geometry) -> list[MapLabel]:
    """The states and their counties, and the towns inside the box."""
    west, south, east, north = box.bounds

    def wanted(label: MapLabel) -> bool:
        if label.kind is LabelKind.CITY:
            return west <= label.lon <= east and south <= label.lat <= north
        return label.key[:2] in states

    return [label for label in map_labels(default_geocoder().towns()) if wanted(label)]


class _PlaceLabels(MacroElement):
    """The web map's ``placeLabels`` over this map, after the map's own script."""

    _template = Template("""{% macro script(this, kwargs) %}
LocatorMap.placeLabels({{ this._parent.get_name() }}, {{ this.document }});
{% endmacro %}""")

    def __init__(self, labels: list[MapLabel]) -> None:
        super().__init__()
        self._name = "PlaceLabels"
        self.document = _script_json(labels_document(labels))


def _script_json(value: object) -> str:
    """JSON that cannot end the script element it sits in, whatever the names hold."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _results(fmap: folium.Map, answer: NearestAnswer) -> None:
    """The searched place as a yellow dot; the results numbered as in the list."""
    query = answer.query
    searched = _point("query", query.lat, query.lon,
                      {"title": f"Searched: {query.label}", "lines": []})
    folium.GeoJson(_feature_collection([searched]), name="Searched place",
                   on_each_feature=_POPUP_JS,
                   marker=folium.CircleMarker(radius=8, color="#111111", weight=3,
                                              fill_color="#ffd400", fill_opacity=1),
                   ).add_to(fmap)
    # The rank (an integer, never site text) is the icon's html.
    folium.GeoJson(_feature_collection(_result_features(answer)), name="Results",
                   on_each_feature=_POPUP_JS,
                   marker=folium.Marker(icon=folium.DivIcon(class_name="result-marker",
                                                            icon_size=(26, 26))),
                   style_function=lambda f: {"html": str(f["properties"]["rank"])},
                   ).add_to(fmap)


def _result_features(answer: NearestAnswer) -> Iterator[dict]:
    for rank, nearby in enumerate(answer.results, start=1):
        site = nearby.site
        address = ", ".join(p for p in (site.display_address, site.display_city, site.state) if p)
        yield _point(site.id, site.lat, site.lon, {
            "rank": rank, "title": f"{rank}. {site.display_name}",
            "lines": [site.kind.label, f"{nearby.distance_mi:.1f} mi straight-line",
                      f"{address} {site.zip}".strip(), site.phone, site.hours],
        })


def _share_colour(share: float | None) -> str:
    if share is None:
        return NO_RESIDENTS
    return SHARE_COLOURS[min(int(share * len(SHARE_COLOURS)), len(SHARE_COLOURS) - 1)]


def _point(feature_id: str, lat: float, lon: float, properties: dict) -> dict:
    return {"type": "Feature", "id": feature_id,
            "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def _feature_collection(features: Iterable[dict]) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def _title(fmap: folium.Map, text: str) -> None:
    fmap.get_root().html.add_child(Element(  # type: ignore[attr-defined]
        f'<div class="map-title">{_escape(text)}</div>'))


def _legend(fmap: folium.Map, miles: str) -> None:
    steps = len(SHARE_COLOURS)
    rows = "".join(f'<div><i style="background:{colour}"></i>{i * 100 // steps}-'
                   f"{(i + 1) * 100 // steps}%</div>" for i, colour in enumerate(SHARE_COLOURS))
    fmap.get_root().html.add_child(Element(  # type: ignore[attr-defined]
        f'<div class="map-legend"><strong>Within {_escape(miles)} mi</strong>{rows}'
        f'<div><i style="background:{NO_RESIDENTS}"></i>no residents</div></div>'))


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


# -- one self-contained file ---------------------------------------------------------------

def _standalone_html(fmap: folium.Map) -> str:
    """The page with folium's CDN links dropped and Leaflet inlined."""
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    for element in _walk(figure):
        if isinstance(element, JSCSSMixin):
            element.default_js = []
            element.default_css = []
    labels_css = (WEB_STATIC / "css" / "labels.css").read_text(encoding="utf-8")
    basemap_js = (WEB_STATIC / "js" / "basemap.js").read_text(encoding="utf-8")
    # Inserted at the top in reverse: Leaflet, then the basemap script, then the styles.
    for name, markup in (("labels_css", f"<style>{labels_css}</style>"),
                         ("leaflet_css", f"<style>{_leaflet_css()}</style>"),
                         ("basemap", f"<script>{basemap_js}</script>"),
                         ("leaflet", f"<script>{_leaflet_js()}</script>")):
        figure.header.add_child(Element(markup), name=name, index=0)
    return figure.render()


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _leaflet_js() -> str:
    text = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    return re.sub(r"//# sourceMappingURL=\S+", "", text)


def _leaflet_css() -> str:
    """Leaflet's stylesheet with its images (layer control, default marker) as data URIs."""
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode((LEAFLET_DIR / match[1]).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)
