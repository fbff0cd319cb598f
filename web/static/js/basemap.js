/* The offline map: state and county outlines drawn from the app's own geodata on a water-
 * coloured background (the outlines are clipped to the shoreline, so the Great Lakes and
 * the sea show as water), place names chosen by zoom level so that none overlap, and the
 * public sites as grid clusters fetched for the visible box only. No tile server unless
 * the operator configured one (data-tile-url).
 *
 * Site text is data: every label and popup is built with textContent, never innerHTML.
 */
(function () {
  "use strict";

  var i18n = window.LocatorI18n;
  var US_BOUNDS = [[24.4, -125.0], [49.4, -66.9]];
  var MAX_CLUSTER_ZOOM = 22;
  var MAX_LABELS = 400;
  /* Which labels show from which zoom, their type size in px and their priority when two
   * would overlap (lower wins). Towns are ranked by the ZIP codes carrying their name. */
  var STATE_LABELS = { minZoom: 3, maxZoom: 7, px: 14, priority: 0 };
  var COUNTY_LABELS = { minZoom: 8, maxZoom: 99, px: 11, priority: 3 };
  var TOWN_TIERS = [
    { minRank: 40, minZoom: 4, px: 14, priority: 1 },
    { minRank: 10, minZoom: 6, px: 13, priority: 2 },
    { minRank: 3, minZoom: 8, px: 12, priority: 2 },
    { minRank: 2, minZoom: 9, px: 12, priority: 4 },
    { minRank: 1, minZoom: 10, px: 11, priority: 4 }
  ];

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
    // Without tiles, whatever no outline covers is water: the map's background says so.
    if (!element.dataset.tileUrl) element.classList.add("map-offline");
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

    var labels = fetchJson(element.dataset.labelsUrl).catch(function () { return null; });
    var outlines = drawOutlines(map, element, !element.dataset.tileUrl, labels);
    var handle = { map: map, element: element, outlines: outlines, el: el };
    labels.then(function (doc) { if (doc) placeLabels(map, doc); });
    if (options.clusters) handle.clusters = clusterLayer(map, element, options.clusterFilter);
    return handle;
  }

  function drawOutlines(map, element, filled, labels) {
    // Full county names ("Orleans Parish") come with the labels; the outlines need not
    // wait for them, since a tooltip reads the name only when it opens.
    var names = {};
    labels.then(function (doc) {
      if (doc) doc.county.forEach(function (row) { names[row[0]] = row[1]; });
    });
    var counties = fetchJson(element.dataset.countiesUrl).then(function (data) {
      return L.geoJSON(data, {
        style: {
          color: "#8a8f98", weight: 0.6, opacity: 1,
          fill: filled, fillColor: "#f4f3ee", fillOpacity: 1
        },
        onEachFeature: function (feature, countyLayer) {
          var p = feature.properties;
          countyLayer.bindTooltip(function () {
            return el("span", (names[p.fips] || i18n.t("countyName", { name: p.name })) + ", " +
                      p.state);
          }, { sticky: true, className: "county-tooltip" });
        }
      }).addTo(map);
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

  /* Place names from the app's labels document ({state, county, city} rows), in priority
   * order; each is drawn only if its box overlaps no label already placed. */
  function placeLabels(map, doc) {
    var pane = map.createPane("labels");
    pane.style.zIndex = 450;  // above the outlines, below markers and popups
    pane.style.pointerEvents = "none";
    var layer = L.layerGroup().addTo(map);
    var candidates = labelCandidates(doc);
    var measure = document.createElement("canvas").getContext("2d");
    var font = window.getComputedStyle(map.getContainer()).fontFamily;

    function box(candidate, point) {
      if (candidate.width === undefined) {
        measure.font = "700 " + candidate.style.px + "px " + font;
        candidate.width = measure.measureText(candidate.name).width + 6;
      }
      var halfW = candidate.width / 2, halfH = candidate.style.px * 0.7;
      return { left: point.x - halfW, right: point.x + halfW,
               top: point.y - halfH, bottom: point.y + halfH };
    }
    function overlaps(a, b) {
      return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }
    function update() {
      layer.clearLayers();
      var zoom = map.getZoom(), view = map.getBounds().pad(0.05), placed = [];
      for (var i = 0; i < candidates.length && placed.length < MAX_LABELS; i++) {
        var c = candidates[i];
        if (zoom < c.style.minZoom || zoom > c.style.maxZoom || !view.contains(c.latlng)) continue;
        var b = box(c, map.latLngToContainerPoint(c.latlng));
        if (placed.some(function (other) { return overlaps(b, other); })) continue;
        placed.push(b);
        layer.addLayer(L.marker(c.latlng, {
          pane: "labels", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "place-label place-label-" + c.kind,
                            html: labelElement(c), iconSize: null })
        }));
      }
    }
    map.on("zoomend moveend", update);
    update();
  }

  function labelCandidates(doc) {
    var candidates = [];
    doc.state.forEach(function (r) { candidates.push(candidate("state", r[1], r[2], r[3], STATE_LABELS)); });
    doc.county.forEach(function (r) { candidates.push(candidate("county", r[1], r[2], r[3], COUNTY_LABELS)); });
    doc.city.forEach(function (r) {
      var tier = TOWN_TIERS.filter(function (t) { return r[3] >= t.minRank; })[0];
      var style = { minZoom: tier.minZoom, maxZoom: 99, px: tier.px, priority: tier.priority };
      candidates.push(candidate("city", r[0], r[1], r[2], style));
    });
    // Stable: within a priority, the document's order (towns by rank) decides.
    return candidates.map(function (c, i) { c.order = i; return c; }).sort(function (a, b) {
      return a.style.priority - b.style.priority || a.order - b.order;
    });
  }

  function candidate(kind, name, lat, lon, style) {
    return { kind: kind, name: name, latlng: L.latLng(lat, lon), style: style };
  }

  function labelElement(c) {
    var span = el("span", c.name);
    span.style.fontSize = c.style.px + "px";
    return span;
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
          dot.bindPopup(function () { return sitePopup(element, p.id, p.name, stopLine(p)); });
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

  /* A visit's day and times in the page's language and the stop's own zone. */
  function visitText(visit, zone) {
    var day = new Intl.DateTimeFormat(i18n.locale, {
      weekday: "short", day: "numeric", month: "short", timeZone: zone
    });
    var clock = new Intl.DateTimeFormat(i18n.locale, {
      hour: "numeric", minute: "2-digit", timeZone: zone
    });
    var start = new Date(visit.start), end = new Date(visit.end);
    return i18n.t("visitOn", { day: day.format(start), start: clock.format(start),
                               end: clock.format(end) });
  }

  /* A mobile stop's popup line: its next visit, or that none is scheduled. */
  function stopLine(p) {
    if (p.kind !== "mobile_center" || p.next_visit === undefined) return null;
    if (!p.next_visit) return i18n.t("noVisit");
    return i18n.t("nextVisit", { when: visitText(p.next_visit, p.time_zone) });
  }

  function sitePopup(element, id, name, detail) {
    var box = el("div", null, "popup");
    var link = el("a", name);
    link.href = siteUrl(element, id);
    box.appendChild(el("strong")).appendChild(link);
    // One line or several (a distance, then a next visit or a list of visits).
    [].concat(detail || []).forEach(function (line) { box.appendChild(el("div", line)); });
    return box;
  }

  window.LocatorMap = {
    create: create, baseMap: baseMap, el: el, sitePopup: sitePopup, kindColor: kindColor,
    placeLabels: placeLabels, visitText: visitText
  };
})();
