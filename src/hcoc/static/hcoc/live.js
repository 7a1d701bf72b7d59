/* Live pages: htmx's SSE extension swaps in what the pages' stream sends (hcoc.delivery.pages);
   this counts what arrived since the page was loaded, marked "new", in the page's title:
   "(2) Inbox · HCoC Exchange". Without it, or without JavaScript, the page works as before. */
(function () {
  "use strict";
  var title = document.title;
  function count() {
    var n = document.querySelectorAll(".live-new").length;
    document.title = n ? "(" + n + ") " + title : title;
  }
  document.addEventListener("htmx:afterSettle", count);
  document.addEventListener("htmx:sseMessage", count);
})();
