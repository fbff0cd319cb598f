/* A request's review page: the requested point (the star), the listed places that may be
 * the same site (numbered as in the list below the map), the other listed places as dots,
 * and the request's county outlined.
 */
(function () {
  "use strict";

  var LocatorMap = window.LocatorMap;
  var i18n = window.LocatorI18n;
  var element = document.getElementById("map");
  var handle = LocatorMap.create(element, { clusters: true });
  var map = handle.map;
  var MAX_ZOOM = 12;  // near enough to part places a few blocks apart, far enough to see the county

  function pin(latlng, text, className, options) {
    return L.marker(latlng, Object.assign({
      icon: L.divIcon({ className: className, html: LocatorMap.el("span", text), iconSize: [28, 28] }),
      keyboard: false
    }, options)).addTo(map);
  }

  // On top, but clicks go through it: a duplicate in the same building lies under it.
  var point = L.latLng(parseFloat(element.dataset.lat), parseFloat(element.dataset.lon));
  pin(point, "★", "result-marker is-selected requested-point",
      { title: element.dataset.name, interactive: false, zIndexOffset: 1000 });
  var bounds = L.latLngBounds([point]);
  document.querySelectorAll("ol.duplicates li[data-lat]").forEach(function (item, i) {
    var latlng = L.latLng(parseFloat(item.dataset.lat), parseFloat(item.dataset.lon));
    pin(latlng, i18n.number(i + 1), "result-marker duplicate-marker", { title: item.dataset.name })
      .bindPopup(function () { return LocatorMap.sitePopup(element, item.dataset.site, item.dataset.name, null); });
    bounds.extend(latlng);
  });
  map.fitBounds(bounds.pad(0.5), { maxZoom: MAX_ZOOM });

  handle.outlines.then(function (layers) {
    layers[0].eachLayer(function (county) {
      if (county.feature.properties.fips !== element.dataset.county) return;
      county.setStyle({ color: "#111111", weight: 3 });
      county.bringToFront();
      county.getElement().classList.add("requested-county");
    });
  });
})();
