// Optional helpers for /report; the form works without any of this.
// 1. "Use my location" fills latitude/longitude from the device.
// 2. A map pick: Leaflet from /static/vendor (no CDN), Seoul's district outlines from our own
//    GeoJSON and no tile server; a click puts the marker and fills the two fields.
(function () {
  "use strict";
  var lat = document.querySelector("input[name=lat]");
  var lon = document.querySelector("input[name=lon]");
  if (!lat || !lon) { return; }
  var marker = null;
  var map = null;

  function put(la, lo) {
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    if (map && window.L) {
      if (marker) { marker.setLatLng([la, lo]); } else { marker = window.L.marker([la, lo]).addTo(map); }
    }
  }

  var button = document.getElementById("report-locate");
  var status = document.getElementById("report-locate-status");
  if (button && "geolocation" in navigator) {
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        put(pos.coords.latitude, pos.coords.longitude);
        status.textContent = "✓";
      }, function (err) { status.textContent = err.message; },
      { enableHighAccuracy: true, timeout: 10000 });
    });
  }

  var holder = document.getElementById("report-map");
  if (!holder) { return; }
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "/static/vendor/leaflet/leaflet.css";
  document.head.appendChild(css);
  var script = document.createElement("script");
  script.src = "/static/vendor/leaflet/leaflet.js";
  script.onload = function () {
    var L = window.L;
    holder.hidden = false;
    map = L.map(holder, { zoomSnap: 0.5 }).setView([37.5665, 126.978], 10.5);
    fetch("/api/lifeline/districts.geojson").then(function (r) { return r.json(); }).then(function (fc) {
      L.geoJSON(fc, { style: { color: "#0b2e59", weight: 1, fillOpacity: 0.05 } }).addTo(map);
    }).catch(function () { /* outlines are a nicety */ });
    map.on("click", function (e) { put(e.latlng.lat, e.latlng.lng); });
    var la = parseFloat(lat.value), lo = parseFloat(lon.value);
    if (!isNaN(la) && !isNaN(lo)) { put(la, lo); }
  };
  document.head.appendChild(script);
})();
