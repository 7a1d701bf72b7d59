/* Small page behaviours, all progressive: every page works without them. */
(function () {
  "use strict";
  // A box that scrolls sideways (a wide table on a phone: site.css) takes the keyboard's focus,
  // so that it can be scrolled without a mouse; one that fits does not. Again on each resize.
  function focusScrollers() {
    document.querySelectorAll("main table, main pre").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
      } else if (box.tabIndex === 0) {
        box.removeAttribute("tabindex");
      }
    });
  }
  window.addEventListener("resize", focusScrollers);
  window.addEventListener("load", focusScrollers);
  document.addEventListener("DOMContentLoaded", function () {
    focusScrollers();
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
    // Filter a list of checkboxes as you type: <input type="search" data-filter-list="id"> in a
    // [hidden] box, shown only here: without JavaScript every box is listed and no dead search
    // box is offered. Hidden boxes keep their ticks (and are sent with the form).
    document.querySelectorAll("input[data-filter-list]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("data-filter-list"));
      if (!list) return;
      var box = input.closest("[hidden]");
      if (box) box.hidden = false;
      var shown = document.getElementById(input.getAttribute("aria-describedby") || "");
      var items = list.querySelectorAll("li");
      input.addEventListener("input", function () {
        var words = input.value.trim().toLowerCase();
        var n = 0;
        items.forEach(function (li) {
          li.hidden = words !== "" && li.textContent.toLowerCase().indexOf(words) === -1;
          if (!li.hidden) n += 1;
        });
        if (shown) shown.textContent = words ? n + " of " + items.length + " shown" : "";
      });
      // Enter in the filter would send the form: it only filters.
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
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
