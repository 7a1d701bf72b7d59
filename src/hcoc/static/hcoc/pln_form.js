/* The PLN form's enhancements (the form works without them):
   - a live map preview of the launch area, planned direction and impact areas;
   - clicking on the map adds a polygon point (polygon mode) or sets the centre (circle mode);
   - only the inputs of the chosen area and direction modes are shown;
   - generic classes offered are those of the chosen category. */
(function () {
  "use strict";

  function num(form, name) {
    var el = form.elements[name];
    if (!el || el.value.trim() === "") return null;
    var v = Number(el.value);
    return isNaN(v) ? angle(el.value) : v;
  }

  // Degrees, minutes, seconds and a hemisphere, for the preview only (the server parses for
  // real, hcoc.lib.geo.coords): "16 30 00 S", "16°30'S", "163000S", "1793000E".
  function angle(text) {
    var t = (text || "").trim().toUpperCase().replace(/[°º'′’"″”]/g, " ");
    var m = t.match(/^(\d+(?:\.\d+)?)(?:\s+(\d+(?:\.\d+)?))?(?:\s+(\d+(?:\.\d+)?))?\s*([NSEW])$/);
    var v = null, c = t.match(/^(\d{4,7})\s*([NSEW])$/);
    if (c) {
      var d = c[1], deg = c[2] === "E" || c[2] === "W" ? 3 : 2;
      var rest = d.slice(deg);
      v = Number(d.slice(0, deg)) + Number(rest.slice(0, 2)) / 60 + (rest.length > 2 ? Number(rest.slice(2)) / 3600 : 0);
    } else if (m) {
      v = Number(m[1]) + (m[2] ? Number(m[2]) / 60 : 0) + (m[3] ? Number(m[3]) / 3600 : 0);
    }
    if (v === null || isNaN(v)) return null;
    return /[SW]$/.test(t) ? -v : v;
  }

  function points(text) {
    var out = [];
    (text || "").split(/\n/).forEach(function (line) {
      var parts = line.trim().split(/[,;\s]+/).filter(Boolean);
      var lat = parts.length === 2 ? Number(parts[0]) : NaN, lon = parts.length === 2 ? Number(parts[1]) : NaN;
      if (isNaN(lat) || isNaN(lon)) {
        var m = line.trim().toUpperCase().match(/^(.*?[NS])\s*[,;]?\s*(.*[EW])$/);
        lat = m ? angle(m[1]) : null;
        lon = m ? angle(m[2]) : null;
      }
      if (lat !== null && lon !== null && !isNaN(lat) && !isNaN(lon)) out.push({ lat: lat, lon: lon });
    });
    return out;
  }

  function checked(form, name) {
    var el = form.querySelector('input[name="' + name + '"]:checked');
    return el ? el.value : null;
  }

  function circleOrPolygon(lat, lon, r, poly) {
    if (poly.length >= 3) return { polygon: poly };
    if (lat !== null && lon !== null && r) return { center: { lat: lat, lon: lon }, radius_km: r };
    return null;
  }

  function readItem(form, sites) {
    var mode = checked(form, "area_mode") || "site";
    var area = {}, point = null;
    if (mode === "site") {
      var site = sites[(form.elements.site_id.value || "").trim()];
      if (site) point = site;
    } else if (mode === "circle") {
      var lat = num(form, "center_lat"), lon = num(form, "center_lon"), r = num(form, "radius_km");
      if (lat !== null && lon !== null) {
        point = [lat, lon];
        if (r) area = { center: { lat: lat, lon: lon }, radius_km: r };
      }
    } else {
      var poly = points(form.elements.polygon.value);
      if (poly.length) {
        area = { polygon: poly };
        // The mean of continuous longitudes: a polygon across 180 is centred near 180, not 0.
        var ring = window.HcocMap.unwrapRing(poly.map(function (p) { return [p.lon, p.lat]; }));
        var sl = 0, so = 0;
        ring.forEach(function (p) { so += p[0]; sl += p[1]; });
        so /= ring.length;
        point = [sl / ring.length, ((so + 540) % 360) - 180];
      }
    }
    var direction = null;
    if ((checked(form, "direction_mode") || "azimuth") === "azimuth") {
      var az = num(form, "azimuth_deg");
      if (az !== null) direction = { azimuth_deg: az };
    } else {
      var a = num(form, "azimuth_from_deg"), b = num(form, "azimuth_to_deg");
      if (a !== null && b !== null) direction = { azimuth_from_deg: a, azimuth_to_deg: b };
    }
    var impacts = [];
    form.querySelectorAll("[data-impact-row]").forEach(function (row) {
      var i = row.getAttribute("data-impact-row"), p = "impact_" + i + "_";
      var ia = circleOrPolygon(num(form, p + "lat"), num(form, p + "lon"), num(form, p + "radius_km"),
        points(form.elements[p + "polygon"].value));
      if (ia) impacts.push(ia);
    });
    var range = num(form, "range_km");
    return { point: point, area: area, direction: direction, impact_areas: impacts,
      // As long as the corridor the exchange will draw (range_km, at most 20,000 km).
      direction_km: range ? Math.min(range, 20000) : 800 };
  }

  function showModes(form) {
    var area = checked(form, "area_mode") || "site";
    form.querySelectorAll("[data-area-mode]").forEach(function (el) { el.hidden = el.getAttribute("data-area-mode") !== area; });
    var dir = checked(form, "direction_mode") || "azimuth";
    form.querySelectorAll("[data-direction-mode]").forEach(function (el) { el.hidden = el.getAttribute("data-direction-mode") !== dir; });
    var category = form.elements.category.value;
    form.querySelectorAll("#id_generic_class optgroup").forEach(function (g) {
      var off = category !== "" && g.getAttribute("data-category") !== category;
      g.hidden = off;
      g.disabled = off;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("pln-form");
    var el = document.querySelector("[data-pln-map]");
    if (!form) return;
    showModes(form);
    form.addEventListener("change", function () { showModes(form); });
    if (!el || !window.HcocMap || !window.L) return;
    var sitesEl = document.getElementById("pln-sites");
    var sites = sitesEl ? JSON.parse(sitesEl.textContent) : {};
    var preview = window.HcocMap.create(el, { items: [] });
    var timer = null;
    function redraw(fit) {
      preview.draw([readItem(form, sites)], fit);
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { redraw(false); }, 250);
    });
    form.addEventListener("change", function () { redraw(true); });
    redraw(true);

    // A point set by clicking the map redraws without re-fitting the view: the map must not
    // move under the pointer while someone is drawing.
    function changed(input) {
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    preview.map.on("click", function (e) {
      var lat = e.latlng.lat.toFixed(4), lon = L.Util.wrapNum(e.latlng.lng, [-180, 180], true).toFixed(4);
      var mode = checked(form, "area_mode") || "site";
      if (mode === "polygon") {
        var ta = form.elements.polygon;
        ta.value = (ta.value.trim() ? ta.value.trim() + "\n" : "") + lat + ", " + lon;
        changed(ta);
      } else if (mode === "circle") {
        form.elements.center_lat.value = lat;
        form.elements.center_lon.value = lon;
        changed(form.elements.center_lon);
      }
    });
    var clear = form.querySelector("[data-clear-polygon]");
    if (clear) {
      clear.hidden = false;
      clear.addEventListener("click", function () {
        form.elements.polygon.value = "";
        changed(form.elements.polygon);
      });
    }
  });
})();
