// Live desk pages. Without this script the inbox and the case page are plain server-rendered
// HTML (reload to see changes). With it, the page asks a small JSON endpoint every couple of
// seconds whether what it shows is still current:
// - the inbox replaces its counts and rows in place (unless cases are ticked for a bulk action:
//   then it only shows the "list has changed" notice, so nothing is unticked under the hand);
// - the case page only shows "this case has just changed" (it never touches a half-written
//   reply).
(function () {
  "use strict";
  var PERIOD = 1500;
  var table = document.getElementById("inbox");
  var banner = document.getElementById("live-banner");
  var holder = table && table.dataset.live ? table : banner;
  if (!holder || !holder.dataset.live || !window.fetch) { return; }
  var url = holder.dataset.live;
  var stamp = holder.dataset.stamp || "";
  var delay = PERIOD;

  function ticked() {
    return table && table.querySelector("input[name=case_ids]:checked") !== null;
  }

  function showInbox(data) {
    ["open", "overdue", "undesignated"].forEach(function (key) {
      var el = document.getElementById("count-" + key);
      if (el && data.counts) { el.textContent = String(data.counts[key]); }
    });
    if (ticked()) {
      banner.hidden = false;
      return false;
    }
    var before = {};
    table.querySelectorAll("tbody tr[data-case]").forEach(function (tr) { before[tr.dataset.case] = true; });
    table.tBodies[0].innerHTML = data.rows;
    table.querySelectorAll("tbody tr[data-case]").forEach(function (tr) {
      if (!before[tr.dataset.case]) { tr.classList.add("fresh"); }
    });
    return true;
  }

  function apply(data) {
    if (table) {
      if (data.changed && showInbox(data)) { stamp = data.stamp; }
      table.dataset.stamp = stamp;
    } else if (data.stamp !== stamp) {
      banner.hidden = false;
    }
  }

  function poll() {
    if (document.hidden) { setTimeout(poll, PERIOD); return; }
    var sep = url.indexOf("?") >= 0 ? "&" : "?";
    fetch(url + sep + "since=" + encodeURIComponent(stamp), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (data) {
      apply(data);
      delay = PERIOD;
    }).catch(function () {
      delay = Math.min(delay * 2, 30000); // signed out or server away: ask less often
    }).then(function () { setTimeout(poll, delay); });
  }

  setTimeout(poll, PERIOD);
})();
