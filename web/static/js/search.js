/* The search page, enhanced. Without this script the form still works: the server renders
 * the results. With it, a search fetches only the results panel (the same server template),
 * the live region announces the count, the map shows numbered markers that stay in step
 * with the list, and the map can be clicked, or the device's location used, to search.
 */
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  var statusRegion = document.getElementById("result-status");
  var mapElement = document.getElementById("map");
  var locateButton = document.getElementById("locate");
  var el = window.LocatorMap.el;
  var i18n = window.LocatorI18n;

  // What the map's dots are filtered by: the kind and program, not where or when.
  var MAP_FILTERS = ["kind", "program"];

  function filterParams() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (MAP_FILTERS.indexOf(name) >= 0 && value) params.append(name, value);
    });
    return params;
  }

  var handle = window.LocatorMap.create(mapElement, { clusters: true, clusterFilter: filterParams });
  var map = handle.map;
  var resultLayer = L.layerGroup().addTo(map);
  var markers = {};

  /* The form as the URL keeps it: the day and time only when "Open on ... at" is chosen. */
  function searchParams() {
    var params = new URLSearchParams();
    var when = form.elements.when.value;
    new FormData(form).forEach(function (value, name) {
      if ((name === "day" || name === "time") && when !== "at") return;
      if (value) params.append(name, value);
    });
    return params;
  }

  function announce(text) {
    // Clearing first makes screen readers repeat an unchanged message after a new search.
    statusRegion.textContent = "";
    window.setTimeout(function () { statusRegion.textContent = text; }, 50);
  }

  function search(params, push) {
    announce(i18n.t("searching"));
    results.setAttribute("aria-busy", "true");
    return fetch(form.dataset.resultsUrl + "?" + params.toString(), {
      headers: { Accept: "text/html" }
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      results.replaceChildren.apply(results, Array.prototype.slice.call(doc.body.childNodes));
      if (push) history.pushState(null, "", "?" + params.toString());
      var panel = document.getElementById("results-panel");
      announce(panel ? panel.dataset.status : "");
      enhanceResults();
    }).catch(function () {
      announce(i18n.t("searchFailed"));
    }).then(function () {
      results.removeAttribute("aria-busy");
    });
  }

  function searchFromPoint(lat, lon) {
    input.value = lat.toFixed(5) + ", " + lon.toFixed(5);
    return search(searchParams(), true);
  }

  /* Numbered markers for the listed results, the searched place, and the links between them. */
  function enhanceResults() {
    resultLayer.clearLayers();
    markers = {};
    results.querySelectorAll(".print-button").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    results.querySelectorAll(".candidates a").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        input.value = link.dataset.q;
        search(searchParams(), true);
      });
    });
    var list = document.getElementById("result-list");
    if (!list) return;
    var bounds = L.latLngBounds([]);
    var queryPoint = L.latLng(parseFloat(list.dataset.queryLat), parseFloat(list.dataset.queryLon));
    var here = L.circleMarker(queryPoint, {
      radius: 8, color: "#111111", weight: 3, fillColor: "#ffd400", fillOpacity: 1,
      bubblingMouseEvents: false
    }).bindTooltip(function () {
      return el("span", i18n.t("searched", { place: list.dataset.queryLabel }));
    });
    resultLayer.addLayer(here);
    bounds.extend(queryPoint);

    list.querySelectorAll("li.result").forEach(function (item) {
      var rank = item.dataset.rank;
      var latlng = L.latLng(parseFloat(item.dataset.lat), parseFloat(item.dataset.lon));
      var marker = L.marker(latlng, {
        icon: L.divIcon({ className: "result-marker", html: el("span", rank), iconSize: [28, 28] }),
        title: rank + ". " + item.dataset.name, alt: rank + ". " + item.dataset.name,
        zIndexOffset: 1000
      });
      marker.bindPopup(function () {
        return window.LocatorMap.sitePopup(mapElement, item.dataset.siteId, item.dataset.name,
                                           [item.dataset.distance, item.dataset.visit]
                                             .filter(Boolean));
      });
      marker.on("click", function () { select(rank, { scrollList: true }); });
      resultLayer.addLayer(marker);
      markers[rank] = marker;
      bounds.extend(latlng);

      var button = item.querySelector(".show-on-map");
      if (button) {
        button.hidden = false;
        button.addEventListener("click", function () { select(rank, { openPopup: true }); });
      }
    });
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 13 });
  }

  function select(rank, how) {
    results.querySelectorAll("li.result").forEach(function (item) {
      var chosen = item.dataset.rank === rank;
      item.classList.toggle("is-selected", chosen);
      if (chosen) {
        item.setAttribute("aria-current", "true");
        if (how.scrollList) item.scrollIntoView({ block: "nearest" });
      } else {
        item.removeAttribute("aria-current");
      }
    });
    Object.keys(markers).forEach(function (key) {
      var icon = markers[key].getElement();
      if (icon) icon.classList.toggle("is-selected", key === rank);
    });
    var marker = markers[rank];
    if (marker && how.openPopup) {
      map.panTo(marker.getLatLng());
      marker.openPopup();
    }
  }

  /* The filters stay folded on a phone so results come first; wide screens have room. */
  var filtersPanel = document.getElementById("filters-panel");
  var filterCount = document.getElementById("filter-count");
  if (window.matchMedia("(min-width: 900px)").matches) filtersPanel.open = true;

  function showFilterCount() {
    var n = form.querySelectorAll("input[name=kind]:checked").length;
    ["program", "within_mi", "when"].forEach(function (name) { if (form.elements[name].value) n += 1; });
    filterCount.textContent = n ? i18n.n("filtersSet", n) : i18n.t("noFiltersSet");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search(searchParams(), true);
  });
  // Choosing a day or a time means "Open on ... at": its radio button follows.
  ["day", "time"].forEach(function (name) {
    form.elements[name].addEventListener("change", function () {
      document.getElementById("when-at").checked = true;
    });
  });
  form.querySelectorAll("select, input[type=checkbox], input[type=radio], input[type=time]")
    .forEach(function (control) {
      control.addEventListener("change", function () {
        showFilterCount();
        if (MAP_FILTERS.indexOf(control.name) >= 0) handle.clusters.refresh();
        if (input.value.trim()) search(searchParams(), true);
      });
    });
  window.addEventListener("popstate", function () {
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    form.elements.when.value = params.get("when") || "";
    if (params.get("day")) form.elements.day.value = params.get("day");
    if (params.get("time")) form.elements.time.value = params.get("time");
    showFilterCount();
    search(params, false);
  });
  window.LocatorVisits.attach(map, document.getElementById("visits-form"), mapElement);
  map.on("click", function (event) {
    searchFromPoint(event.latlng.lat, event.latlng.lng);
  });

  if (navigator.geolocation) {
    locateButton.hidden = false;
    locateButton.addEventListener("click", function () {
      announce(i18n.t("locating"));
      navigator.geolocation.getCurrentPosition(function (position) {
        searchFromPoint(position.coords.latitude, position.coords.longitude);
      }, function (error) {
        announce(i18n.t("noLocation", { reason: error.message }));
        input.focus();
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
    });
  }

  enhanceResults();
})();
