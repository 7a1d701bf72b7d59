/* Small page behaviours, all progressive: every page works without them. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Confirm before a consequential action: <form data-confirm="...">.
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
    // "Select all" boxes: <input type="checkbox" data-select-all="name">.
    document.querySelectorAll("input[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        document.querySelectorAll('input[name="' + box.getAttribute("data-select-all") + '"]').forEach(function (b) { b.checked = box.checked; });
      });
    });
    // Local time beside UTC inputs: <input data-utc-input> followed by <span data-local-for="id">.
    document.querySelectorAll("[data-local-for]").forEach(function (span) {
      var input = document.getElementById(span.getAttribute("data-local-for"));
      if (!input) return;
      function show() {
        // ISO 8601 in UTC as the field takes it: 2026-12-10T06:00Z, 2026-12-10 06:00, +00:00, UTC.
        var m = /^\s*(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(:\d{2}(?:\.\d{1,3})?)?\s*([Zz]|\+00:?00|UTC)?\s*$/.exec(input.value);
        if (!m) { span.textContent = ""; return; }
        var d = new Date(m[1] + "T" + m[2] + (m[3] || ":00") + "Z");
        span.textContent = isNaN(d) ? "" : "(" + d.toLocaleString() + " your time)";
      }
      input.addEventListener("input", show);
      show();
    });
  });
})();
