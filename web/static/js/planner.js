/* The coverage planner, enhanced. Without this script the page still works: the server
 * renders the figures, the table, the what-if for typed coordinates and the report. With it,
 * the table sorts by any column, a county map is coloured by the chosen figure (only the
 * chosen states' counties are fetched, with their figures, as one GeoJSON), the sites that
 * serve them are drawn in layers by kind, and a click on the map runs a what-if, fetching
 * the same server-rendered panel the page shows.
 *
 * Site and area names are data: everything is built with textContent, never innerHTML.
 */
(function () {
  "use strict";

  var statusRegion = document.getElementById("planner-status");
  var i18n = window.LocatorI18n;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function announce(text) {
    if (!statusRegion) return;
    // Clearing first makes screen readers repeat an unchanged message.
    statusRegion.textContent = "";
    window.setTimeout(function () { statusRegion.textContent = text; }, 50);
  }

  document.querySelectorAll(".print-button").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  /* ---- the sortable table ------------------------------------------------------------ */

  function sortableTable(table) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var caption = table.caption;
    if (caption) caption.appendChild(el("span", i18n.t("sortHint"), "visually-hidden"));
    headers.forEach(function (th, index) {
      var button = el("button", th.textContent.trim(), "sort-button");
      button.type = "button";
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        sortBy(index, direction);
      });
    });

    function cellValue(row, index, numeric) {
      var raw = row.cells[index].dataset.value;
      if (!numeric) return raw || "";
      return raw === "" || raw === undefined ? null : parseFloat(raw);
    }

    function sortBy(index, direction) {
      var body = table.tBodies[0];
      var numeric = headers[index].dataset.type === "number";
      var sign = direction === "ascending" ? 1 : -1;
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = cellValue(a, index, numeric);
        var y = cellValue(b, index, numeric);
        if (numeric) {
          if (x === null || y === null) return (x === null) - (y === null);  // missing last
          return sign * (x - y);
        }
        return sign * x.localeCompare(y, i18n.locale);
      });
      rows.forEach(function (row) { body.appendChild(row); });
      headers.forEach(function (th) { th.removeAttribute("aria-sort"); });
      headers[index].setAttribute("aria-sort", direction);
      announce(i18n.t(direction === "ascending" ? "sortedAscending" : "sortedDescending",
                      { column: headers[index].textContent.trim() }));
    }
  }

  var table = document.getElementById("coverage-table");
  if (table && table.classList.contains("sortable")) sortableTable(table);

  /* ---- the map ------------------------------------------------------------------------ */

  var mapElement = document.getElementById("map");
  if (!mapElement || !mapElement.dataset.coverageUrl || !window.L) return;

  var PALETTE_SIZE = 5;
  var SHARE_BREAKS = [0.2, 0.4, 0.6, 0.8];
  var metricSelect = document.getElementById("metric");
  var legend = document.getElementById("legend");
  var thresholds = mapElement.dataset.thresholds.split(" ");
  var map = window.LocatorMap.baseMap(mapElement, {
    maxZoom: 14, zoomSnap: 0.25, attribution: i18n.t("outlinesResidentsCredit")
  });
  var countyLayer = null;
  var candidates = [];
  var candidateLayer = L.layerGroup().addTo(map);
  // Sites draw above the counties whichever arrives first (overlays are at z-index 400).
  map.createPane("sites").style.zIndex = 450;

  function fetchJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  function format(value, unit) {
    if (value === null || value === undefined) return i18n.t("noFigure");
    var fixed = function (digits) {
      return { minimumFractionDigits: digits, maximumFractionDigits: digits };
    };
    if (unit === "share") return i18n.number(value, Object.assign({ style: "percent" }, fixed(1)));
    if (unit === "miles") return i18n.t("milesValue", { miles: i18n.number(value, fixed(2)) });
    if (unit === "rate") return i18n.number(value, Object.assign({ useGrouping: false }, fixed(2)));
    return i18n.number(Math.round(value));
  }

  function currentMetric() {
    var option = metricSelect.options[metricSelect.selectedIndex];
    return {
      key: option.value, label: option.textContent.trim(), unit: option.dataset.unit,
      moreIsBetter: option.dataset.moreIsBetter === "true"
    };
  }

  /* Class breaks: fixed fifths for shares; otherwise quintiles of the counties shown. */
  function breaksFor(metric, values) {
    if (metric.unit === "share") return SHARE_BREAKS.slice();
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var breaks = [];
    for (var i = 1; i < PALETTE_SIZE; i++) {
      var value = sorted[Math.floor(i * sorted.length / PALETTE_SIZE)];
      if (value !== undefined && value > sorted[0] && breaks.indexOf(value) < 0) breaks.push(value);
    }
    return breaks;
  }

  function classOf(value, breaks) {
    var index = 0;
    while (index < breaks.length && value >= breaks[index]) index++;
    return index;
  }

  /* Darker is always less access: the palette runs the other way when more is better. */
  function paletteIndex(index, classes, metric) {
    var step = classes > 1 ? Math.round(index * (PALETTE_SIZE - 1) / (classes - 1)) : 0;
    return metric.moreIsBetter ? PALETTE_SIZE - 1 - step : step;
  }

  function colour() {
    if (!countyLayer) return;
    var metric = currentMetric();
    var values = [];
    countyLayer.eachLayer(function (layer) {
      var value = layer.feature.properties[metric.key];
      if (value !== null && value !== undefined) values.push(value);
    });
    var breaks = breaksFor(metric, values);
    countyLayer.eachLayer(function (layer) {
      var value = layer.feature.properties[metric.key];
      var name = value === null || value === undefined ? "choropleth-none"
        : "choropleth-" + paletteIndex(classOf(value, breaks), breaks.length + 1, metric);
      var path = layer.getElement();
      if (!path) return;
      Array.prototype.slice.call(path.classList).forEach(function (c) {
        if (c.indexOf("choropleth-") === 0) path.classList.remove(c);
      });
      path.classList.add(name);
    });
    drawLegend(metric, breaks);
  }

  function drawLegend(metric, breaks) {
    legend.replaceChildren();
    legend.appendChild(el("h3", metric.label));
    legend.appendChild(el("p", i18n.t("darkerLessAccess"), "hint"));
    var list = el("ul", null, "legend-items");
    var classes = breaks.length + 1;
    for (var i = 0; i < classes; i++) {
      var text;
      if (classes === 1) text = i18n.t("allCounties");
      else if (i === 0) text = i18n.t("under", { value: format(breaks[0], metric.unit) });
      else if (i === classes - 1) text = i18n.t("orMore", { value: format(breaks[i - 1], metric.unit) });
      else {
        text = i18n.t("toUnder", { low: format(breaks[i - 1], metric.unit),
                                   high: format(breaks[i], metric.unit) });
      }
      var item = el("li");
      item.appendChild(el("span", null, "swatch choropleth-" + paletteIndex(i, classes, metric)));
      item.appendChild(el("span", text));
      list.appendChild(item);
    }
    var none = el("li");
    none.appendChild(el("span", null, "swatch choropleth-none"));
    none.appendChild(el("span", i18n.t("noFigureLegend")));
    list.appendChild(none);
    legend.appendChild(list);
    legend.hidden = false;
  }

  /* Counties as the table names them, in the page's language (the GeoJSON is an export
   * and keeps the Census's English names). */
  var areaNames = {};
  /* "Covered on Tuesdays only", worded by the server in the table's days column. */
  var daysNotes = {};
  document.querySelectorAll("#coverage-table tbody tr[data-area-id]").forEach(function (row) {
    areaNames[row.dataset.areaId] = row.querySelector("th").textContent.trim();
    var note = row.querySelector("[data-days-note]");
    if (note && note.textContent.trim()) daysNotes[row.dataset.areaId] = note.textContent.trim();
  });

  function countyTooltip(properties) {
    var box = el("div", null, "county-figures");
    box.appendChild(el("strong", areaNames[properties.area_id] || properties.name));
    var metric = currentMetric();
    var lines = [[metric.label, format(properties[metric.key], metric.unit)],
                 [i18n.t("residents"), format(properties.population, "count")],
                 [i18n.t("sites"), format(properties.sites, "count")],
                 [i18n.t("meanDistance"), format(properties.mean_distance_mi, "miles")]];
    thresholds.forEach(function (label) {
      lines.push([i18n.t("withinMiles", { miles: label }),
                  format(properties["share_within_" + label + "_mi"], "share")]);
    });
    if (properties.gap) {
      lines.push([i18n.t("gap"), properties.gap_reasons.map(function (reason) {
        return i18n.t("gapReason_" + reason);
      }).join(", ")]);
    }
    var list = el("dl");
    lines.forEach(function (line) {
      list.appendChild(el("dt", line[0]));
      list.appendChild(el("dd", line[1]));
    });
    box.appendChild(list);
    if (daysNotes[properties.area_id]) {
      box.appendChild(el("p", daysNotes[properties.area_id], "days-note"));
    }
    return box;
  }

  var countiesLoaded = fetchJson(mapElement.dataset.coverageUrl).then(function (data) {
    countyLayer = L.geoJSON(data, {
      filter: function (feature) { return feature.geometry !== null; },
      style: { color: "#4a4f57", weight: 0.8, opacity: 1, fillOpacity: 0.85, className: "county" },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(function () { return countyTooltip(feature.properties); },
                          { sticky: true, className: "county-tooltip" });
      }
    }).addTo(map);
    map.fitBounds(countyLayer.getBounds(), { padding: [10, 10] });
    colour();
    mapElement.dataset.ready = "counties";
  }).catch(function () {
    announce(i18n.t("mapFailed"));
  });

  if (metricSelect) {
    metricSelect.addEventListener("change", function () {
      colour();
      rememberInUrl();
      announce(i18n.t("mapColouredBy", { metric: currentMetric().label }));
    });
  }

  /* ---- sites, in one layer per kind ---------------------------------------------------- */

  var siteLayers = document.getElementById("site-layers");
  var staleOnly = document.getElementById("stale-only");
  fetchJson(mapElement.dataset.sitesUrl).then(function (data) {
    var layers = {};
    data.features.forEach(function (feature) {
      var p = feature.properties;
      var c = feature.geometry.coordinates;
      if (!layers[p.kind]) layers[p.kind] = { group: L.layerGroup(), fresh: [], count: 0 };
      // A stale site (not verified within the stale setting) has a dark ring.
      var dot = L.circleMarker(L.latLng(c[1], c[0]), {
        radius: p.stale ? 5 : 4, weight: p.stale ? 2 : 1, color: p.stale ? "#222222" : "#ffffff",
        fillColor: window.LocatorMap.kindColor(p.kind), fillOpacity: 1,
        bubblingMouseEvents: false, className: p.stale ? "site-dot stale-dot" : "site-dot",
        pane: "sites"
      });
      dot.bindPopup(function () { return window.LocatorMap.sitePopup(mapElement, p.id, p.name, null); });
      layers[p.kind].group.addLayer(dot);
      if (!p.stale) layers[p.kind].fresh.push(dot);
      layers[p.kind].count += 1;
    });
    /* Only stale sites: the sites verified recently leave every kind's layer. */
    staleOnly.parentNode.querySelector(".count").textContent = "(" + i18n.number(data.stale_sites) + ")";
    staleOnly.addEventListener("change", function () {
      Object.keys(layers).forEach(function (kind) {
        layers[kind].fresh.forEach(function (dot) {
          if (staleOnly.checked) layers[kind].group.removeLayer(dot);
          else layers[kind].group.addLayer(dot);
        });
      });
      announce(staleOnly.checked ? i18n.n("staleShown", data.stale_sites) : i18n.t("allSitesShown"));
    });
    siteLayers.querySelectorAll("label[data-kind]").forEach(function (label) {
      var entry = layers[label.dataset.kind];
      if (!entry) return;
      var box = label.querySelector("input");
      label.querySelector(".count").textContent = "(" + i18n.number(entry.count) + ")";
      label.hidden = false;
      if (box.checked) entry.group.addTo(map);
      box.addEventListener("change", function () {
        if (box.checked) entry.group.addTo(map); else entry.group.remove();
      });
    });
    siteLayers.hidden = Object.keys(layers).length === 0;
  }).catch(function () { siteLayers.hidden = true; });

  /* ---- what-if: click the map (or type coordinates) to add a candidate site ----------- */

  var whatifForm = document.getElementById("whatif-form");
  var whatifInput = document.getElementById("add");
  var whatifResult = document.getElementById("whatif-result");

  function currentPanel() { return document.getElementById("whatif-panel"); }

  function drawCandidates() {
    candidateLayer.clearLayers();
    candidates.forEach(function (text, index) {
      var parts = text.split(",");
      var label = i18n.t("newSiteAt", { number: i18n.number(index + 1), point: text });
      candidateLayer.addLayer(L.marker(L.latLng(parseFloat(parts[0]), parseFloat(parts[1])), {
        icon: L.divIcon({ className: "candidate-marker", html: el("span", String(index + 1)), iconSize: [26, 26] }),
        title: label, alt: label, keyboard: false, zIndexOffset: 1000
      }));
    });
  }

  /* The what-if's headline in a popup on the newest site; the panel has the details. */
  function showHeadline(text) {
    var markers = candidateLayer.getLayers();
    if (!markers.length) return;
    var box = el("div", null, "popup");
    box.appendChild(el("p", text));
    var link = el("a", i18n.t("countiesThatGain"));
    link.href = "#whatif";
    box.appendChild(link);
    markers[markers.length - 1].bindPopup(box).openPopup();
  }

  function markChangedCounties(panel) {
    var changed = (panel && panel.dataset.changed ? panel.dataset.changed.split(" ") : []);
    if (!countyLayer) return;
    countyLayer.eachLayer(function (layer) {
      var path = layer.getElement();
      if (path) path.classList.toggle("is-changed", changed.indexOf(layer.feature.properties.area_id) >= 0);
    });
    countyLayer.eachLayer(function (layer) {
      if (changed.indexOf(layer.feature.properties.area_id) >= 0) layer.bringToFront();
    });
  }

  function rememberInUrl() {
    var url = new URL(mapElement.dataset.pageUrl, window.location.href);
    if (metricSelect) url.searchParams.set("metric", metricSelect.value);
    candidates.forEach(function (text) { url.searchParams.append("add", text); });
    history.replaceState(null, "", url.pathname + url.search + window.location.hash);
  }

  function runWhatIf() {
    var url = new URL(mapElement.dataset.whatifUrl, window.location.href);
    candidates.forEach(function (text) { url.searchParams.append("add", text); });
    announce(i18n.t("workingOut"));
    whatifResult.setAttribute("aria-busy", "true");
    return fetch(url.toString(), { headers: { Accept: "text/html" } }).then(function (response) {
      return response.text().then(function (html) { return { ok: response.ok, html: html }; });
    }).then(function (answer) {
      var doc = new DOMParser().parseFromString(answer.html, "text/html");
      var panel = doc.getElementById("whatif-panel");
      if (!panel) throw new Error("no what-if panel in the answer");
      if (!answer.ok) candidates.pop();  // the point was refused: the message says why
      whatifResult.replaceChildren(document.importNode(panel, true));
      drawCandidates();
      markChangedCounties(currentPanel());
      enhancePanel();
      rememberInUrl();
      announce(currentPanel().dataset.status);
      if (answer.ok) showHeadline(currentPanel().dataset.status);
    }).catch(function () {
      candidates.pop();
      announce(i18n.t("whatifFailed"));
    }).then(function () {
      whatifResult.removeAttribute("aria-busy");
    });
  }

  function clearCandidates() {
    candidates = [];
    drawCandidates();
    var empty = el("div");
    empty.id = "whatif-panel";
    whatifResult.replaceChildren(empty);
    markChangedCounties(null);
    rememberInUrl();
    announce(i18n.t("newSitesCleared"));
  }

  function enhancePanel() {
    var clear = whatifResult.querySelector(".whatif-clear");
    if (clear) {
      clear.addEventListener("click", function (event) {
        event.preventDefault();
        clearCandidates();
      });
    }
  }

  function addCandidate(lat, lon) {
    candidates.push(lat.toFixed(5) + "," + lon.toFixed(5));
    return runWhatIf();
  }

  map.on("click", function (event) { addCandidate(event.latlng.lat, event.latlng.lng); });

  whatifForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = whatifInput.value.trim();
    if (!text) {
      whatifInput.focus();
      return;
    }
    candidates.push(text.replace(/\s+/g, ""));
    runWhatIf().then(function () { whatifInput.value = ""; });
  });

  var initialPanel = currentPanel();
  if (initialPanel && initialPanel.dataset.added) candidates = initialPanel.dataset.added.split(";");
  drawCandidates();
  enhancePanel();
  countiesLoaded.then(function () { markChangedCounties(currentPanel()); });
})();
