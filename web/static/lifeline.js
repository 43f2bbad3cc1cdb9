/* LIFELINE live page: Leaflet map (district boundaries from our own GeoJSON, no tiles unless
   configured), and a WebSocket that sends a snapshot at a position, then deltas after it.
   On reconnect the page sends its last position and receives what it missed. */
(function () {
  "use strict";
  var boot = JSON.parse(document.getElementById("lifeline-boot").textContent);
  var t = JSON.parse(document.getElementById("lifeline-labels").textContent);
  var lang = document.documentElement.lang === "en" ? "en" : "ko";
  var state = { position: boot.position, incidents: {}, warnings: null };
  var stats = { snapshots: 0, deltas: 0, connects: 0 };
  var socket = null, retry = 500, map = null, districtLayer = null, warningLayer = null;
  var reportLayer = null, reports = [], lastReportCount = -1, shelterLayer = null;
  var SEVERITY = { Extreme: "#7a0010", Severe: "#d7191c", Moderate: "#fdae61", Minor: "#e6d200" };

  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function num(n) { return Number(n || 0).toLocaleString(lang === "ko" ? "ko-KR" : "en-US"); }
  /* the same "YYYY-MM-DD HH:MM KST" the server renders */
  function kst(iso) {
    if (!iso) return "";
    var d = new Date(new Date(iso).getTime() + 9 * 3600 * 1000).toISOString();
    return d.slice(0, 10) + " " + d.slice(11, 16) + " KST";
  }
  function dname(code) { var n = boot.names[code]; return n ? n[lang] : code; }
  function figureHref(field, district) {
    var h = "/lifeline/incidents/" + boot.incident + "/figures/" + field;
    return district ? h + "?district=" + district : h;
  }

  function renderCell(el, cell, field) {
    var html = '<a class="figure" href="' + figureHref(field) + '"><span class="value">' +
      num(cell.value) + "</span></a>";
    if (cell.unverified) html += ' <small class="unverified">+' + num(cell.unverified) + " " + esc(t.ll_unverified) + "</small>";
    el.innerHTML = html;
  }

  function renderIncident(inc) {
    var fig = inc.figures;
    boot.casualty_fields.concat(boot.damage_fields).forEach(function (f) {
      var box = $("total-" + f);
      if (box) renderCell(box.querySelector("p"), fig.totals[f], f);
    });
    $("as-of").textContent = kst(fig.as_of || inc.opened_at);
    $("as-of").setAttribute("datetime", fig.as_of || inc.opened_at);
    $("mix").textContent = t.ll_official + " " + fig.mix.official + " / " + t.ll_citizen + " " + fig.mix.citizen;
    var st = $("incident-state");
    st.dataset.state = inc.state; st.textContent = t["ll_state_" + inc.state];
    $("report-counts").textContent = t.ll_reports + ": " + t.ll_verified + " " + inc.reports.verified +
      " · " + t.ll_unverified + " " + inc.reports.unverified;
    renderDistricts(fig.districts);
    renderTimeline(inc.timeline);
    renderShelters(inc.shelters || []);
    shadeDistricts(fig.districts);
    var count = inc.reports.verified + inc.reports.unverified + inc.reports["false"];
    if (count !== lastReportCount) { lastReportCount = count; loadReports(); }
  }

  function renderDistricts(rows) {
    $("districts").querySelector("tbody").innerHTML = rows.map(function (d) {
      return '<tr data-district="' + esc(d.code) + '"><td>' + esc(dname(d.code)) + "</td>" +
        boot.casualty_fields.map(function (f) {
          var c = d.figures[f];
          if (!c) return '<td data-field="' + f + '">0</td>';
          return '<td data-field="' + f + '"><a href="' + figureHref(f, d.code) + '">' + num(c.value) + "</a>" +
            (c.unverified ? ' <small class="unverified">+' + c.unverified + "</small>" : "") + "</td>";
        }).join("") + "</tr>";
    }).join("");
  }

  function renderTimeline(entries) {
    $("timeline").innerHTML = entries.map(function (e) {
      var what = e.what === "opened" ? t.ll_opened : e.what === "closed" ? t.ll_closed_event :
        esc(dname(e.district)) + " · " + esc(t["src_" + e.source]) + (e.verified ? "" : " (" + esc(t.ll_unverified) + ")") + ": " +
        Object.keys(e.figures).map(function (k) { return esc(t["f_" + k]) + " " + e.figures[k]; }).join(", ");
      return '<li><time datetime="' + esc(e.at) + '">' + esc(kst(e.at)) + "</time> " + what + "</li>";
    }).join("");
  }

  function shelterLine(s) {
    return esc(t["ll_shelter_" + s.status]) + " · " + esc(t.ll_occupancy) + " " + num(s.occupancy) + " / " + num(s.capacity);
  }

  function renderShelters(list) {
    var ul = $("shelters");
    if (ul) {
      ul.innerHTML = list.length ? list.map(function (s) {
        return '<li data-shelter-id="' + esc(s.id) + '" data-status="' + esc(s.status) + '" class="shelter-' + esc(s.status) +
          '"><strong>' + esc(s["name_" + lang]) + "</strong> · " + esc(t["ll_shelter_" + s.status]) + "<p>" +
          esc(dname(s.district)) + " · " + esc(s.address) + "</p><small>" + esc(t.ll_occupancy) +
          ' <span class="occupancy">' + num(s.occupancy) + " / " + num(s.capacity) + "</span></small></li>";
      }).join("") : '<li class="none">' + esc(t.ll_no_shelters) + "</li>";
    }
    drawShelters(list);
  }

  /* Shelters: a square house-like marker per shelter (not a report pin), popup with status. */
  function drawShelters(list) {
    if (!shelterLayer) return;
    shelterLayer.clearLayers();
    list.forEach(function (s) {
      var icon = L.divIcon({ className: "", html: '<div class="shelter-marker ' + esc(s.status) + '">&#8962;</div>', iconSize: [26, 26] });
      L.marker([s.lat, s.lon], { icon: icon, title: s["name_" + lang], zIndexOffset: 1000 })
        .bindPopup("<strong>" + esc(s["name_" + lang]) + "</strong><br>" + esc(s.address) + "<br>" + shelterLine(s))
        .addTo(shelterLayer);
    });
  }

  function renderWarnings(list) {
    var ul = $("warnings");
    if (!ul) return;
    ul.innerHTML = list.length ? list.map(function (w) {
      return '<li data-warning-id="' + esc(w.id) + '" data-stage="' + esc(w.stage_id) + '" data-severity="' +
        esc(w.severity) + '" class="sev-' + esc(w.severity) + '"><strong>' + esc(w["headline_" + lang]) +
        "</strong><p>" + esc(w["instruction_" + lang]) + '</p><small><a href="/cap/' + esc(w.identifier) +
        '.xml">CAP</a></small></li>';
    }).join("") : '<li class="none">' + esc(t.ll_no_warnings) + "</li>";
    drawWarnings(list);
  }

  /* -- map ------------------------------------------------------------------------------ */
  function initMap() {
    if (!window.L || !$("map")) return;
    map = L.map("map", { zoomSnap: 0.5 }).setView([37.5665, 126.978], 10.5);
    if (boot.tile_url) L.tileLayer(boot.tile_url, { attribution: boot.tile_attribution, maxZoom: 18 }).addTo(map);
    warningLayer = L.layerGroup().addTo(map);
    reportLayer = L.layerGroup().addTo(map);
    shelterLayer = L.layerGroup().addTo(map);
    fetch("/api/lifeline/districts.geojson").then(function (r) { return r.json(); }).then(function (fc) {
      districtLayer = L.geoJSON(fc, {
        style: { color: "#44546a", weight: 1, fillColor: "#ffffff", fillOpacity: 0.35, className: "district" },
        onEachFeature: function (f, layer) { layer.bindTooltip(f.properties["name_" + lang]); }
      }).addTo(map);
      districtLayer.bringToBack();
      map.fitBounds(districtLayer.getBounds());
      var inc = state.incidents[boot.incident];
      if (inc) shadeDistricts(inc.figures.districts);
    });
    map.on("zoomend", drawReports);
  }

  function shadeDistricts(rows) {
    if (!districtLayer) return;
    var affected = {};
    rows.forEach(function (d) {
      affected[d.code] = ["dead", "injured", "missing", "evacuated"].reduce(function (s, f) {
        return s + (d.figures[f] ? d.figures[f].value : 0);
      }, 0);
    });
    districtLayer.eachLayer(function (layer) {
      var n = affected[layer.feature.properties.code] || 0;
      var fill = n === 0 ? "#ffffff" : n < 10 ? "#c6dbef" : n < 100 ? "#6baed6" : n < 1000 ? "#2171b5" : "#08306b";
      layer.setStyle({ fillColor: fill, fillOpacity: n ? 0.55 : 0.35 });
    });
  }

  function drawWarnings(list) {
    if (!warningLayer) return;
    warningLayer.clearLayers();
    list.forEach(function (w) {
      var color = SEVERITY[w.severity] || "#666";
      var opts = { color: color, weight: 2, fillOpacity: 0.25, className: "warning-area sev-" + w.severity + " stage-" + w.stage_id };
      var tip = "<strong>" + esc(w["headline_" + lang]) + "</strong><br>" + esc(w["instruction_" + lang]);
      w.area.polygons.forEach(function (ring) {
        L.polygon(ring.map(function (p) { return [p[1], p[0]]; }), opts).bindPopup(tip).addTo(warningLayer);
      });
      w.area.circles.forEach(function (c) {
        L.circle([c[1], c[0]], Object.assign({ radius: c[2] * 1000 }, opts)).bindPopup(tip).addTo(warningLayer);
      });
    });
  }

  function loadReports() {
    if (!boot.incident || !map) return;
    fetch("/api/lifeline/incidents/" + boot.incident + ".geojson").then(function (r) { return r.json(); }).then(function (fc) {
      reports = fc.features.filter(function (f) { return f.properties.kind === "report" && f.properties.state !== "false"; });
      drawReports();
    });
  }

  /* Simple grid clustering: one marker per cell and verification state, sized by count. */
  function drawReports() {
    if (!reportLayer) return;
    reportLayer.clearLayers();
    var cell = 0.5 / Math.pow(2, map.getZoom() - 8), groups = {};
    reports.forEach(function (f) {
      var c = f.geometry.coordinates, s = f.properties.state;
      var key = s + ":" + Math.floor(c[0] / cell) + ":" + Math.floor(c[1] / cell);
      var g = groups[key] || (groups[key] = { n: 0, lon: 0, lat: 0, state: s });
      g.n += 1; g.lon += c[0]; g.lat += c[1];
    });
    Object.keys(groups).forEach(function (k) {
      var g = groups[k], cls = "report-cluster " + g.state;
      var icon = L.divIcon({ className: "", html: '<div class="' + cls + '">' + g.n + "</div>", iconSize: [32, 32] });
      L.marker([g.lat / g.n, g.lon / g.n], { icon: icon, title: (g.state === "verified" ? t.ll_verified : t.ll_unverified) + " " + g.n })
        .addTo(reportLayer);
    });
  }

  /* -- live ----------------------------------------------------------------------------- */
  function apply(msg) {
    if (msg.type === "snapshot") {
      stats.snapshots += 1; state.incidents = {};
      msg.incidents.forEach(function (i) { state.incidents[i.id] = i; });
      state.warnings = msg.warnings;
    } else if (msg.type === "delta") {
      stats.deltas += 1;
      msg.incidents.forEach(function (i) { state.incidents[i.id] = i; });
      if (msg.warnings !== null) state.warnings = msg.warnings;
    } else { return; }
    state.position = Math.max(state.position || 0, msg.position);
    var inc = state.incidents[boot.incident];
    if (inc) renderIncident(inc);
    if (msg.type === "snapshot" || msg.warnings !== null) renderWarnings(state.warnings || []);
  }

  function setLive(on) {
    var el = $("live-state");
    el.hidden = false; el.textContent = on ? t.ll_live : t.ll_offline;
    el.className = "live-state" + (on ? "" : " off");
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(proto + location.host + "/ws/lifeline");
    socket.onopen = function () {
      stats.connects += 1; retry = 500; setLive(true);
      socket.send(JSON.stringify({ type: "hello", since: state.position, exercise: boot.exercise }));
    };
    socket.onmessage = function (ev) { apply(JSON.parse(ev.data)); };
    socket.onclose = function () {
      setLive(false);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  window.smcLifeline = {
    stats: stats,
    state: state,
    position: function () { return state.position; },
    /* close the socket; the next reconnect waits delayMs (tests, and a manual "reconnect") */
    drop: function (delayMs) { if (delayMs) retry = delayMs; if (socket) socket.close(); }
  };
  state.warnings = boot.warnings;
  if (boot.current) { state.incidents[boot.current.id] = boot.current; lastReportCount = -1; }
  initMap();
  drawWarnings(boot.warnings);
  if (boot.current) drawShelters(boot.current.shelters || []);
  loadReports();
  connect();
})();
