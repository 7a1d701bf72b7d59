/* Live pages: htmx's SSE extension swaps in what the pages' stream sends (hcoc.delivery.page_stream);
   this counts what arrived since the page was loaded, marked "new", in the page's title:
   "(2) Inbox · HCoC Exchange". On the inbox it also keeps "N items not yet acknowledged" and
   the "Acknowledge these N items" button in step with the rows shown: an element with
   data-count (its number when the page was made) and data-count-one / data-count-many (its
   words, "#" the number) says the number plus the new rows that can be acknowledged (those
   with a box). The button acknowledges the rows' shown marks, so it already covers them.
   Without it, or without JavaScript, the page works as before. */
(function () {
  "use strict";
  var title = document.title;
  function count() {
    var n = document.querySelectorAll(".live-new").length;
    document.title = n ? "(" + n + ") " + title : title;
    var open = document.querySelectorAll('.live-new input[name="seqs"]').length;
    document.querySelectorAll("[data-count][data-count-one]").forEach(function (el) {
      var total = parseInt(el.getAttribute("data-count"), 10) + open;
      var words = el.getAttribute(total === 1 ? "data-count-one" : "data-count-many");
      el.textContent = words.replace("#", String(total));
      if (el.tagName === "BUTTON") el.hidden = total === 0;
    });
  }
  document.addEventListener("htmx:afterSettle", count);
  document.addEventListener("htmx:sseMessage", count);
})();
