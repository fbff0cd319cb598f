/* Mobile job center stops visited in a date range, on the search page's map. The form
 * asks /api/sites for the stops in the map's view visited between two local dates; each
 * is drawn with its visits then in its popup, in the page's language and the stop's zone.
 * The layer follows the map as it moves until the range is cleared.
 *
 * Site text is data: popups are built with textContent (LocatorMap.sitePopup).
 */
(function () {
  "use strict";

  var i18n = window.LocatorI18n;

  /* An ISO date as the page's locale writes it ("Jan 12, 2027", "12 ene 2027"). */
  function dateText(iso) {
    return new Intl.DateTimeFormat(i18n.locale, { dateStyle: "medium", timeZone: "UTC" })
      .format(new Date(iso + "T00:00:00Z"));
  }

  function attach(map, form, mapElement) {
    if (!form) return;
    form.hidden = false;
    // Above the site dots and clusters (the marker pane), below popups.
    map.createPane("visits").style.zIndex = 650;
    var layer = L.layerGroup().addTo(map);
    var status = document.getElementById("visits-status");
    var clear = document.getElementById("visits-clear");
    var active = null;
    var pending = null;

    function box() {
      var b = map.getBounds();
      function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)).toFixed(5); }
      return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
              clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].join(",");
    }

    function show() {
      if (!active) return;
      if (pending) pending.abort();
      pending = new AbortController();
      var query = new URLSearchParams(active);
      query.set("bbox", box());
      fetch(form.dataset.sitesUrl + "?" + query.toString(), { signal: pending.signal })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.detail || String(response.status));
            return body;
          });
        })
        .then(draw)
        .catch(function (error) {
          if (error.name === "AbortError") return;
          layer.clearLayers();
          status.textContent = error.message;
        });
    }

    function draw(data) {
      layer.clearLayers();
      data.features.forEach(function (feature) {
        var p = feature.properties, c = feature.geometry.coordinates;
        var lines = p.visits.map(function (v) {
          return window.LocatorMap.visitText(v, p.time_zone);
        });
        L.circleMarker(L.latLng(c[1], c[0]), {
          radius: 9, weight: 3, color: "#111111", fillColor: window.LocatorMap.kindColor(p.kind),
          fillOpacity: 1, className: "visit-stop", bubblingMouseEvents: false, pane: "visits"
        }).bindPopup(function () {
          return window.LocatorMap.sitePopup(mapElement, p.id, p.name, lines);
        }).addTo(layer);
      });
      status.textContent = i18n.n("stopsVisited", data.features.length, {
        from: dateText(active.get("visits_from")), to: dateText(active.get("visits_to"))
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      active = new URLSearchParams(new FormData(form));
      active.set("kind", "mobile_center");
      clear.hidden = false;
      show();
    });
    clear.addEventListener("click", function () {
      active = null;
      layer.clearLayers();
      status.textContent = "";
      clear.hidden = true;
    });
    map.on("moveend", show);
  }

  window.LocatorVisits = { attach: attach };
})();
