// Optional: fill latitude/longitude from the device's location. The form works without it.
(function () {
  "use strict";
  var button = document.getElementById("report-locate");
  var status = document.getElementById("report-locate-status");
  if (!button || !("geolocation" in navigator)) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
      document.querySelector("input[name=lon]").value = pos.coords.longitude.toFixed(6);
      status.textContent = "✓";
    }, function (err) {
      status.textContent = err.message;
    }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();
