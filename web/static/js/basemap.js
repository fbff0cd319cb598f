/* The offline map: state and county outlines drawn from the app's own geodata, county
 * names at closer zooms, and the public sites as grid clusters fetched for the visible
 * box only. No tile server unless the operator configured one (data-tile-url).
 *
 * Site text is data: every label and popup is built with textContent, never innerHTML.
 */
(function () {
  "use strict";

  var i18n = window.LocatorI18n;
  var US_BOUNDS = [[24.4, -125.0], [49.4, -66.9]];
  var COUNTY_LABEL_MIN_ZOOM = 8;
  var MAX_CLUSTER_ZOOM = 22;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function siteUrl(element, id) {
    return element.dataset.siteUrl.replace("SITE_ID", encodeURIComponent(id));
  }

  function fetchJson(url, options) {
    return fetch(url, options).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  /* A Leaflet map showing the contiguous US, credited to its sources, with the operator's
   * tile layer only when one is configured. Every page's map starts here. */
  function baseMap(element, options) {
    var map = L.map(element, {
      minZoom: 3, maxZoom: options.maxZoom || 18, zoomSnap: options.zoomSnap || 1,
      worldCopyJump: false, zoomControl: false
    });
    L.control.zoom({ zoomInTitle: i18n.t("zoomIn"), zoomOutTitle: i18n.t("zoomOut") }).addTo(map);
    // Leaflet names its popups' close button in English only.
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", i18n.t("closePopup"));
    });
    map.attributionControl.setPrefix("Leaflet");
    map.attributionControl.addAttribution(options.attribution || i18n.t("outlinesCredit"));
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {
        attribution: element.dataset.tileAttribution || "", maxZoom: 18
      }).addTo(map);
    }
    map.fitBounds(US_BOUNDS);
    return map;
  }

  function create(element, options) {
    options = options || {};
    var map = baseMap(element, {});

    var outlines = drawOutlines(map, element, !element.dataset.tileUrl);
    var handle = { map: map, element: element, outlines: outlines, el: el };
    if (options.clusters) handle.clusters = clusterLayer(map, element, options.clusterFilter);
    return handle;
  }

  function drawOutlines(map, element, filled) {
    var counties = fetchJson(element.dataset.countiesUrl).then(function (data) {
      var layer = L.geoJSON(data, {
        style: {
          color: "#8a8f98", weight: 0.6, opacity: 1,
          fill: filled, fillColor: "#f4f3ee", fillOpacity: 1
        },
        onEachFeature: function (feature, countyLayer) {
          var p = feature.properties;
          countyLayer.bindTooltip(function () {
            return el("span", i18n.t("countyName", { name: p.name, state: p.state }));
          }, { sticky: true, className: "county-tooltip" });
        }
      }).addTo(map);
      countyLabels(map, layer);
      return layer;
    });
    var states = fetchJson(element.dataset.statesUrl).then(function (data) {
      return L.geoJSON(data, {
        style: { color: "#4a4f57", weight: 1.4, opacity: 1, fill: false },
        interactive: false
      }).addTo(map);
    }).catch(function () { return null; });  // the county outlines alone still work
    return Promise.all([counties, states]).then(function (layers) {
      if (layers[1]) layers[1].bringToFront();
      return layers;
    });
  }

  /* Permanent county names once the map is close enough for them not to overlap. */
  function countyLabels(map, countyLayer) {
    var labels = L.layerGroup().addTo(map);
    var places = countyLayer.getLayers().map(function (layer) {
      var p = layer.feature.properties;
      return { center: layer.getBounds().getCenter(), name: p.name };
    });
    function update() {
      labels.clearLayers();
      if (map.getZoom() < COUNTY_LABEL_MIN_ZOOM) return;
      var view = map.getBounds();
      places.forEach(function (place) {
        if (!view.contains(place.center)) return;
        labels.addLayer(L.marker(place.center, {
          icon: L.divIcon({ className: "county-label", html: el("span", place.name), iconSize: null }),
          interactive: false, keyboard: false
        }));
      });
    }
    map.on("moveend", update);
    update();
  }

  /* Sites in the visible box, clustered by the server; refetched after every move. */
  function clusterLayer(map, element, currentFilter) {
    var layer = L.layerGroup().addTo(map);
    var pending = null;
    var timer = null;

    function bboxParam() {
      var b = map.getBounds();
      function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }
      return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
              clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
        .map(function (v) { return v.toFixed(5); }).join(",");
    }

    function refresh() {
      if (pending) pending.abort();
      pending = new AbortController();
      var query = new URLSearchParams(currentFilter ? currentFilter() : "");
      query.set("bbox", bboxParam());
      query.set("zoom", String(Math.min(MAX_CLUSTER_ZOOM, Math.round(map.getZoom()))));
      fetchJson(element.dataset.clustersUrl + "?" + query.toString(), { signal: pending.signal })
        .then(function (data) { draw(data.features); })
        .catch(function (error) { if (error.name !== "AbortError") layer.clearLayers(); });
    }

    function draw(features) {
      layer.clearLayers();
      features.forEach(function (feature) {
        var c = feature.geometry.coordinates;
        var latlng = L.latLng(c[1], c[0]);
        var p = feature.properties;
        if (p.cluster) {
          var size = p.count < 10 ? "small" : p.count < 100 ? "medium" : "large";
          var marker = L.marker(latlng, {
            icon: L.divIcon({ className: "cluster cluster-" + size,
                              html: el("span", i18n.number(p.count)), iconSize: null }),
            keyboard: false, title: i18n.n("clusterTitle", p.count)
          });
          marker.on("click", function () { map.setView(latlng, map.getZoom() + 2); });
          layer.addLayer(marker);
        } else {
          var dot = L.circleMarker(latlng, {
            radius: 6, weight: 1.5, color: "#ffffff", fillColor: kindColor(p.kind),
            fillOpacity: 1, bubblingMouseEvents: false
          });
          dot.bindPopup(function () { return sitePopup(element, p.id, p.name, null); });
          layer.addLayer(dot);
        }
      });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 120);
    }
    map.on("moveend", schedule);
    schedule();
    return { refresh: refresh, layer: layer };
  }

  function kindColor(kind) {
    return {
      comprehensive_center: "#8a1c1c", affiliate_center: "#a3431d",
      access_site: "#5b2a86", dissemination_site: "#6b4c9a",
      library: "#1f5f8b", bookmobile: "#2f7a4f", mobile_center: "#7a5a00"
    }[kind] || "#333333";
  }

  function sitePopup(element, id, name, detail) {
    var box = el("div", null, "popup");
    var link = el("a", name);
    link.href = siteUrl(element, id);
    box.appendChild(el("strong")).appendChild(link);
    if (detail) box.appendChild(el("div", detail));
    return box;
  }

  window.LocatorMap = { create: create, baseMap: baseMap, el: el, sitePopup: sitePopup, kindColor: kindColor };
})();
