/* HCoC maps: Leaflet over Natural Earth country outlines (world-atlas, vendored), no tile server.
   Any element <div class="map" data-map-json="ID"> gets a map drawing the JSON in the
   <script type="application/json" id="ID"> block:
     {"items": [...], "choropleth": {...}, "attribution": "..."}.
   An item is either a stored notification's shapes, as the exchange computed them (GeoJSON,
   split at 180 degrees; notifications/maps.py):
     {"label", "href", "point": [lat, lon], "shapes": {"launch_area": geometry | null,
      "corridor": Feature | null, "impact_areas": [{"kind", "geometry"}]}}
   or, for the PLN form's live preview, the content being typed:
     {"point", "area": {center, radius_km | polygon}, "direction": {...}, "impact_areas": [...],
      "direction_km"}.

   Anywhere on Earth: the outlines are cut where their rings cross 180 degrees (each ring is
   unwrapped to continuous longitudes, a ring round a pole is closed along the pole's edge) and
   drawn three times, 360 degrees apart, so no ring draws a band across the world and land shows
   on both sides of 180. Each item is drawn in continuous longitudes round its own launch point,
   so a shape across 180 is the small shape it is, and the map fits it. */
(function () {
  "use strict";
  var STATIC = (document.querySelector('link[href*="hcoc/site.css"]') || {}).href || "/static/hcoc/site.css";
  var ATLAS = STATIC.replace(/hcoc\/site\.css.*$/, "vendor/world-atlas/countries-110m.json");
  var atlas = null;
  var COLORS = { subscribing: "#2b6cb0", not_subscribing: "#c53030", unknown: "#a0aec0" };
  var STYLE = {
    launch: { color: "#2c5282", weight: 2, fillOpacity: 0.25 },
    corridor: { color: "#dd6b20", weight: 1.5, fillColor: "#dd6b20", fillOpacity: 0.25 },
    axis: { color: "#c05621", weight: 2 },
    // No length was notified: only the planned direction, an estimate of the exchange. Drawn
    // apart (dashed, outline only) so that nobody reads it as an area the launch concerns.
    direction: { color: "#975a16", weight: 1.5, dashArray: "6 6", fillOpacity: 0 },
    directionAxis: { color: "#975a16", weight: 1.5, dashArray: "2 6" },
    impact: { color: "#9b2c2c", weight: 1.5, dashArray: "4", fillOpacity: 0.2 },
  };

  // ---- longitudes -----------------------------------------------------------------------

  // A ring ([lon, lat] points) with each step the short way round: longitudes never jump.
  function unwrapRing(ring) {
    var out = [], prev = null, shift = 0;
    ring.forEach(function (p) {
      if (prev !== null) {
        var d = p[0] - prev;
        if (d > 180) shift -= 360;
        else if (d < -180) shift += 360;
      }
      prev = p[0];
      out.push([p[0] + shift, p[1]]);
    });
    return out;
  }

  // An unwrapped ring that ends 360 degrees from where it began goes round a pole: close it
  // along that pole's edge of the map (Antarctica), instead of straight back across the world.
  function closeRound(ring) {
    var net = ring[ring.length - 1][0] - ring[0][0];
    if (Math.abs(net) < 180) return ring;
    var lat = 0;
    ring.forEach(function (p) { lat += p[1]; });
    var pole = lat < 0 ? -90 : 90;
    return ring.concat([[ring[ring.length - 1][0], pole], [ring[0][0], pole]]);
  }

  function meanLon(ring) {
    var s = 0;
    ring.forEach(function (p) { s += p[0]; });
    return s / ring.length;
  }

  // Shift every ring by a whole turn so that it lies within 180 degrees of `ref`.
  function near(ring, ref) {
    var k = Math.round((ref - meanLon(ring)) / 360);
    return k === 0 ? ring : ring.map(function (p) { return [p[0] + 360 * k, p[1]]; });
  }

  function latLngs(ring, offset) {
    return ring.map(function (p) { return [p[1], p[0] + (offset || 0)]; });
  }

  // The polygons ([[outer], [hole], ...]) of a GeoJSON geometry, each ring unwrapped.
  function polygonsOf(geometry) {
    if (!geometry) return [];
    var polys = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    return polys.map(function (rings) {
      var outer = closeRound(unwrapRing(rings[0]));
      var ref = meanLon(outer);
      return [outer].concat(rings.slice(1).map(function (r) { return near(unwrapRing(r), ref); }));
    });
  }

  function linesOf(geometry) {
    if (!geometry) return [];
    if (geometry.type === "LineString") return [unwrapRing(geometry.coordinates)];
    if (geometry.type === "MultiLineString") return geometry.coordinates.map(unwrapRing);
    return [];
  }

  // ---- the world ------------------------------------------------------------------------

  function loadAtlas() {
    if (!atlas) {
      atlas = fetch(ATLAS).then(function (r) { return r.json(); }).then(function (topo) {
        return topojson.feature(topo, topo.objects.countries).features.map(function (f) {
          return { id: f.id, name: (f.properties || {}).name, polygons: polygonsOf(f.geometry) };
        });
      });
    }
    return atlas;
  }

  function drawOutlines(map, base, countries, choro) {
    countries.forEach(function (c) {
      var status = choro ? choro[c.id] : null;
      var style = {
        pane: "outlines", color: "#718096", weight: 0.5, interactive: false,
        fillColor: status ? COLORS[status] : "#edf2f7", fillOpacity: status ? 0.6 : 1,
        className: "country c-" + c.id,
      };
      [-360, 0, 360].forEach(function (offset) {
        c.polygons.forEach(function (rings) {
          L.polygon(rings.map(function (r) { return latLngs(r, offset); }), style).addTo(base);
        });
      });
    });
  }

  // ---- a stored notification's shapes ----------------------------------------------------

  function addPolygons(layer, geometry, ref, style, cls, bounds) {
    polygonsOf(geometry).forEach(function (rings) {
      var outer = near(rings[0], ref), shift = outer[0][0] - rings[0][0];
      var shape = L.polygon([latLngs(outer)].concat(rings.slice(1).map(function (r) {
        return latLngs(r, shift);
      })), Object.assign({ pane: "shapes", className: cls }, style)).addTo(layer);
      bounds.push(shape.getBounds());
    });
  }

  function addLines(layer, geometry, ref, style, cls, bounds) {
    linesOf(geometry).forEach(function (line) {
      var shape = L.polyline(latLngs(near(line, ref)), Object.assign({ pane: "shapes", className: cls }, style)).addTo(layer);
      bounds.push(shape.getBounds());
    });
  }

  function drawShapes(layer, it, bounds) {
    var s = it.shapes || {};
    var ref = it.point ? it.point[1] : 0;
    if (s.launch_area && s.launch_area.type !== "Point") addPolygons(layer, s.launch_area, ref, STYLE.launch, "shape launch-area", bounds);
    if (s.corridor) {
      var props = s.corridor.properties || {};
      if (props.tier === "planned_direction") {
        addPolygons(layer, s.corridor.geometry, ref, STYLE.direction, "shape planned-direction", bounds);
        addLines(layer, props.axis, ref, STYLE.directionAxis, "shape planned-direction-axis", bounds);
      } else {
        addPolygons(layer, s.corridor.geometry, ref, STYLE.corridor, "shape corridor", bounds);
        addLines(layer, props.axis, ref, STYLE.axis, "shape corridor-axis", bounds);
      }
    }
    (s.impact_areas || []).forEach(function (ia) {
      if (ia.geometry && ia.geometry.type === "Point") {
        var c = ia.geometry.coordinates;
        var p = [c[1], near([[c[0], c[1]]], ref)[0][0]];
        L.circleMarker(p, { pane: "shapes", radius: 5, color: "#9b2c2c", className: "shape impact-area" }).addTo(layer);
        bounds.push(L.latLngBounds([p, p]));
      } else {
        addPolygons(layer, ia.geometry, ref, STYLE.impact, "shape impact-area", bounds);
      }
    });
  }

  // ---- the PLN form's preview (content being typed, no stored shapes yet) ----------------

  // Destination along a great circle, in longitudes continuous from the start (never wrapped:
  // a line west from Kauai goes on to -190, not round to +170).
  function destination(lat, lon, bearingDeg, km) {
    var R = 6371, d = km / R, b = bearingDeg * Math.PI / 180;
    var p1 = lat * Math.PI / 180, l1 = lon * Math.PI / 180;
    var p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
    var l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
    return [p2 * 180 / Math.PI, l2 * 180 / Math.PI];
  }

  // The initial bearing from a to b ([lat, lon]), degrees clockwise from north.
  function bearing(a, b) {
    var p1 = a[0] * Math.PI / 180, p2 = b[0] * Math.PI / 180, dl = (b[1] - a[1]) * Math.PI / 180;
    var y = Math.sin(dl) * Math.cos(p2);
    var x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
    return Math.atan2(y, x) * 180 / Math.PI;
  }

  function greatCircle(point, bearing, km) {
    var pts = [], n = Math.max(2, Math.ceil(km / 100));
    for (var i = 0; i <= n; i++) pts.push(destination(point[0], point[1], bearing, km * i / n));
    // Continuous longitudes along the line (atan2 may still step by 360 near a pole).
    var lonLat = unwrapRing(pts.map(function (p) { return [p[1], p[0]]; }));
    return near(lonLat, point[1]).map(function (p) { return [p[1], p[0]]; });
  }

  function drawDirection(layer, point, dir, km, bounds) {
    if (!point || !dir) return;
    if (dir.azimuth_deg !== undefined && dir.azimuth_deg !== null) {
      var line = greatCircle(point, dir.azimuth_deg, km);
      var end = line[line.length - 1], along = bearing(line[line.length - 2], end);
      var head = [destination(end[0], end[1], along + 150, km / 8), end, destination(end[0], end[1], along - 150, km / 8)];
      var arrow = L.polyline(line, { pane: "shapes", color: "#dd6b20", weight: 3, className: "shape direction" }).addTo(layer);
      L.polyline(head, { pane: "shapes", color: "#dd6b20", weight: 3 }).addTo(layer);
      bounds.push(arrow.getBounds());
    } else if (dir.azimuth_from_deg !== undefined && dir.azimuth_to_deg !== undefined) {
      var width = ((dir.azimuth_to_deg - dir.azimuth_from_deg) % 360 + 360) % 360;
      var pts = [point];
      for (var i = 0; i <= 16; i++) pts.push(destination(point[0], point[1], dir.azimuth_from_deg + width * i / 16, km));
      pts.push(point);
      var ll = unwrapRing(pts.map(function (p) { return [p[1], p[0]]; }));
      var wedge = L.polygon(latLngs(near(ll, point[1])), { pane: "shapes", color: "#dd6b20", weight: 2, fillOpacity: 0.2, className: "shape direction" }).addTo(layer);
      bounds.push(wedge.getBounds());
    }
  }

  function previewArea(layer, a, ref, style, bounds) {
    var shape = null;
    if (a.polygon && a.polygon.length >= 3) {
      var ring = near(unwrapRing(a.polygon.map(function (p) { return [p.lon, p.lat]; })), ref);
      shape = L.polygon(latLngs(ring), Object.assign({ pane: "shapes" }, style));
    } else if (a.center && a.radius_km) {
      var lon = near([[a.center.lon, a.center.lat]], ref)[0][0];
      shape = L.circle([a.center.lat, lon], Object.assign({ pane: "shapes", radius: a.radius_km * 1000 }, style));
    }
    if (shape) { shape.addTo(layer); bounds.push(shape.getBounds()); }
  }

  function drawPreview(layer, it, bounds) {
    var ref = it.point ? it.point[1] : 0;
    previewArea(layer, it.area || {}, ref, STYLE.launch, bounds);
    drawDirection(layer, it.point, it.direction, it.direction_km || 800, bounds);
    (it.impact_areas || []).forEach(function (ia) { previewArea(layer, ia, ref, STYLE.impact, bounds); });
  }

  // ---- items ----------------------------------------------------------------------------

  function drawItems(layer, items) {
    layer.clearLayers();
    var bounds = [];
    (items || []).forEach(function (it) {
      if (it.shapes) drawShapes(layer, it, bounds);
      else drawPreview(layer, it, bounds);
      if (it.point) {
        var m = L.circleMarker(it.point, { radius: 6, color: "#1a365d", fillColor: "#3182ce", fillOpacity: 0.9, pane: "markerPane", className: "launch-point" }).addTo(layer);
        if (it.label) {
          var text = document.createElement("span");
          if (it.href) { var link = document.createElement("a"); link.href = it.href; link.textContent = it.label; text.appendChild(link); }
          else { text.textContent = it.label; }
          m.bindPopup(text);
        }
        bounds.push(L.latLngBounds([it.point, it.point]));
      }
    });
    return bounds;
  }

  function create(el, data) {
    var map = L.map(el, { worldCopyJump: true, minZoom: 1, attributionControl: true }).setView([20, 0], 1);
    // Outlines at the bottom, then the notification's shapes, then markers (Leaflet's
    // markerPane, 600): the outlines arrive later (fetched) and must never cover a shape.
    map.createPane("outlines").style.zIndex = 350;
    map.createPane("shapes").style.zIndex = 450;
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution((data && data.attribution) || "Natural Earth");
    var base = L.layerGroup().addTo(map);
    var layer = L.featureGroup().addTo(map);
    loadAtlas().then(function (countries) {
      drawOutlines(map, base, countries, (data && data.choropleth) || null);
      el.setAttribute("data-ready", "1");
    });
    var api = {
      map: map,
      layer: layer,
      draw: function (items, fit) {
        var b = drawItems(layer, items);
        if (fit && b.length) {
          var all = L.latLngBounds(b[0].getSouthWest(), b[0].getNorthEast());
          b.slice(1).forEach(function (x) { all.extend(x); });
          map.fitBounds(all.pad(0.3), { maxZoom: 6, animate: false });
        }
      },
    };
    api.draw((data && data.items) || [], true);
    el.hcocMap = api;
    return api;
  }

  window.HcocMap = { create: create, destination: destination, unwrapRing: unwrapRing };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map-json]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-map-json"));
      create(el, src ? JSON.parse(src.textContent) : {});
    });
  });
})();
