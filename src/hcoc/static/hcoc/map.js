/* HCoC maps: Leaflet over Natural Earth country outlines (world-atlas, vendored), no tile server.
   Any element <div class="map" data-map-json="ID"> gets a map drawing the JSON in the
   <script type="application/json" id="ID"> block: {"items": [...], "choropleth": {...}}.
   An item: {"label", "href", "point": [lat, lon], "area": {center, radius_km, polygon},
   "direction": {azimuth_deg | azimuth_from_deg + azimuth_to_deg}}. */
(function () {
  "use strict";
  var STATIC = (document.querySelector('link[href*="hcoc/site.css"]') || {}).href || "/static/hcoc/site.css";
  var ATLAS = STATIC.replace(/hcoc\/site\.css.*$/, "vendor/world-atlas/countries-110m.json");
  var atlas = null;
  var COLORS = { subscribing: "#2b6cb0", not_subscribing: "#c53030", unknown: "#a0aec0" };

  function loadAtlas() {
    if (!atlas) {
      atlas = fetch(ATLAS).then(function (r) { return r.json(); }).then(function (topo) {
        return topojson.feature(topo, topo.objects.countries);
      });
    }
    return atlas;
  }

  // Destination point along a great circle: the planned direction drawn from the launch area.
  function destination(lat, lon, bearingDeg, km) {
    var R = 6371, d = km / R, b = bearingDeg * Math.PI / 180;
    var p1 = lat * Math.PI / 180, l1 = lon * Math.PI / 180;
    var p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
    var l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
    return [p2 * 180 / Math.PI, ((l2 * 180 / Math.PI + 540) % 360) - 180];
  }

  function drawDirection(layer, point, dir, km) {
    if (!point || !dir) return;
    if (dir.azimuth_deg !== undefined && dir.azimuth_deg !== null) {
      var end = destination(point[0], point[1], dir.azimuth_deg, km);
      L.polyline([point, end], { color: "#dd6b20", weight: 3 }).addTo(layer);
      var left = destination(end[0], end[1], dir.azimuth_deg + 150, km / 8);
      var right = destination(end[0], end[1], dir.azimuth_deg - 150, km / 8);
      L.polyline([left, end, right], { color: "#dd6b20", weight: 3 }).addTo(layer);
    } else if (dir.azimuth_from_deg !== undefined && dir.azimuth_to_deg !== undefined) {
      var width = ((dir.azimuth_to_deg - dir.azimuth_from_deg) % 360 + 360) % 360;
      var pts = [point];
      for (var i = 0; i <= 16; i++) pts.push(destination(point[0], point[1], dir.azimuth_from_deg + width * i / 16, km));
      pts.push(point);
      L.polygon(pts, { color: "#dd6b20", weight: 2, fillOpacity: 0.2 }).addTo(layer);
    }
  }

  function drawItems(layer, items) {
    layer.clearLayers();
    var bounds = [];
    (items || []).forEach(function (it) {
      var a = it.area || {}, shape = null;
      if (a.polygon && a.polygon.length >= 3) {
        shape = L.polygon(a.polygon.map(function (p) { return [p.lat, p.lon]; }), { color: "#2c5282", weight: 2 });
      } else if (a.center && a.radius_km) {
        shape = L.circle([a.center.lat, a.center.lon], { radius: a.radius_km * 1000, color: "#2c5282", weight: 2 });
      }
      if (shape) { shape.addTo(layer); bounds.push(shape.getBounds()); }
      if (it.point) {
        var m = L.circleMarker(it.point, { radius: 6, color: "#1a365d", fillColor: "#3182ce", fillOpacity: 0.9 }).addTo(layer);
        if (it.label) {
          var text = document.createElement("span");
          if (it.href) { var link = document.createElement("a"); link.href = it.href; link.textContent = it.label; text.appendChild(link); }
          else { text.textContent = it.label; }
          m.bindPopup(text);
        }
        bounds.push(L.latLngBounds([it.point, it.point]));
      }
      drawDirection(layer, it.point, it.direction, it.direction_km || 800);
      (it.impact_areas || []).forEach(function (ia) {
        if (ia.center && ia.radius_km) L.circle([ia.center.lat, ia.center.lon], { radius: ia.radius_km * 1000, color: "#9b2c2c", weight: 1, dashArray: "4" }).addTo(layer);
        if (ia.polygon) L.polygon(ia.polygon.map(function (p) { return [p.lat, p.lon]; }), { color: "#9b2c2c", weight: 1, dashArray: "4" }).addTo(layer);
      });
    });
    return bounds;
  }

  function create(el, data) {
    var map = L.map(el, { worldCopyJump: true, minZoom: 1, attributionControl: true }).setView([20, 0], 1);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth");
    var base = L.layerGroup().addTo(map);
    var layer = L.featureGroup().addTo(map);
    loadAtlas().then(function (countries) {
      var choro = (data && data.choropleth) || null;
      L.geoJSON(countries, {
        style: function (f) {
          var status = choro ? choro[f.id] : null;
          return { color: "#718096", weight: 0.5, fillColor: status ? COLORS[status] : "#edf2f7", fillOpacity: status ? 0.6 : 1 };
        },
      }).addTo(base);
      el.setAttribute("data-ready", "1");
    });
    var api = {
      map: map,
      layer: layer,
      draw: function (items, fit) {
        var b = drawItems(layer, items);
        if (fit && b.length) {
          var all = b[0]; b.slice(1).forEach(function (x) { all = all.extend(x); });
          map.fitBounds(all.pad(0.5), { maxZoom: 4, animate: false });
        }
      },
    };
    api.draw((data && data.items) || [], true);
    el.hcocMap = api;
    return api;
  }

  window.HcocMap = { create: create, destination: destination };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map-json]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-map-json"));
      create(el, src ? JSON.parse(src.textContent) : {});
    });
  });
})();
