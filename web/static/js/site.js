/* A site's page: a small map centred on the site, and the print button. */
(function () {
  "use strict";

  var element = document.getElementById("map");
  var handle = window.LocatorMap.create(element, { clusters: true });
  var latlng = L.latLng(parseFloat(element.dataset.lat), parseFloat(element.dataset.lon));
  L.marker(latlng, {
    icon: L.divIcon({ className: "result-marker is-selected", html: window.LocatorMap.el("span", "★"),
                      iconSize: [28, 28] }),
    title: element.dataset.name, alt: element.dataset.name, zIndexOffset: 1000
  }).addTo(handle.map);
  handle.map.setView(latlng, 12);

  document.querySelectorAll(".print-button").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
