/* The add-a-site form, enhanced: the site is placed by clicking the map, by its address (the
 * app's own geocoder) or by typed coordinates, and its marker can be dragged. The latitude
 * and longitude fields follow the marker and the marker follows them, so what is sent is
 * what the map shows. Without this script the form still works: the server places the
 * typed coordinates, or else the address.
 */
(function () {
  "use strict";

  var section = document.getElementById("place-map");
  var element = document.getElementById("map");
  var latField = document.getElementById("lat");
  var lonField = document.getElementById("lon");
  var status = document.getElementById("place-status");
  var i18n = window.LocatorI18n;
  var LocatorMap = window.LocatorMap;
  var PLACE_ZOOM = parseInt(element.dataset.placeZoom, 10);
  var DECIMALS = 6;  // about 10 cm: finer than a marker can be put

  section.hidden = false;  // before the map is made, so that it has a size
  var map = LocatorMap.create(element, { clusters: true }).map;
  var marker = null;

  function say(text) {
    status.textContent = text;
  }

  function degrees(field, limit) {
    var text = field.value.trim();
    var value = Number(text);
    return text !== "" && isFinite(value) && Math.abs(value) <= limit ? value : null;
  }

  function typedPoint() {
    var lat = degrees(latField, 90), lon = degrees(lonField, 180);
    return lat === null || lon === null ? null : L.latLng(lat, lon);
  }

  function writeFields(latlng) {
    latField.value = latlng.lat.toFixed(DECIMALS);
    lonField.value = latlng.lng.toFixed(DECIMALS);
  }

  function announcePoint(latlng) {
    say(i18n.t("sitePlacedAt", { lat: i18n.number(latlng.lat, { maximumFractionDigits: DECIMALS }),
                                 lon: i18n.number(latlng.lng, { maximumFractionDigits: DECIMALS }) }));
  }

  function putMarker(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
      return;
    }
    // Not focusable: a keyboard moves the site by typing its coordinates.
    marker = L.marker(latlng, {
      draggable: true, keyboard: false, zIndexOffset: 1000, title: i18n.t("newSiteMarker"),
      icon: L.divIcon({ className: "result-marker is-selected place-marker",
                        html: LocatorMap.el("span", "★"), iconSize: [28, 28] })
    }).addTo(map);
    marker.on("drag", function () { writeFields(marker.getLatLng()); });
    marker.on("dragend", function () {
      writeFields(marker.getLatLng());
      announcePoint(marker.getLatLng());
    });
  }

  /* Near enough to drag it onto the building; the view moves only when it must. */
  function showMarker(latlng) {
    if (map.getZoom() < PLACE_ZOOM) map.setView(latlng, PLACE_ZOOM);
    else if (!map.getBounds().contains(latlng)) map.panTo(latlng);
  }

  map.on("click", function (event) {
    putMarker(event.latlng);
    writeFields(event.latlng);
    announcePoint(event.latlng);
  });

  function followFields() {
    var latlng = typedPoint();
    if (!latlng) return;
    putMarker(latlng);
    showMarker(latlng);
  }
  latField.addEventListener("change", followFields);
  lonField.addEventListener("change", followFields);

  function addressText() {
    var value = function (id) { return document.getElementById(id).value.trim(); };
    var stateZip = (value("state") + " " + value("zip")).trim();
    return [value("address"), value("city"), stateZip].filter(Boolean).join(", ");
  }

  function placeByAddress() {
    var text = addressText();
    if (!text) {
      say(i18n.t("addressFirst"));
      return;
    }
    say(i18n.t("placingAddress"));
    var query = new URLSearchParams({ q: text, lang: i18n.locale });
    fetch(element.dataset.geocodeUrl + "?" + query.toString(), {
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok) {
        say(i18n.t("addressNotPlaced", { reason: answer.body.detail }));
        return;
      }
      var latlng = L.latLng(answer.body.lat, answer.body.lon);
      putMarker(latlng);
      writeFields(latlng);
      map.setView(latlng, PLACE_ZOOM);
      say(i18n.t("placedAtAddress", { place: answer.body.label }));
    }).catch(function () {
      say(i18n.t("placingFailed"));
    });
  }
  document.getElementById("place-by-address").addEventListener("click", placeByAddress);

  followFields();  // coordinates already given: from the listing check, or a refused send
})();
