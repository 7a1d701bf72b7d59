"""The node's pages in a real browser (issue 26, part 2): an item's map drawn by map.js from the
node's own copy and its own static files, as the exchange's notification page draws it (a
notification across 180 degrees is the small shape it is near Fiji), and every page of the node
on a 390 px phone without a sideways scroll, in English and in Arabic (right to left). The node
is its URL map in the suite's live server (no process of its own: tests/node/test_node_follows.py
starts real nodes)."""

from datetime import UTC, datetime

import pytest
from django.test import override_settings
from support.bodies import FIJI, declaration, pln
from support.browser import screenshot
from support.node_pages import NODE_SETTINGS, exchange_items, node_store

from hcoc.accounts.models import User
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.services import declaration_submit
from hcoc.exchange.models import Event
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = pytest.mark.slow

LAST_YEAR = datetime.now(UTC).year - 1
SHAPES = """el => {
  const b = el.hcocMap.layer.getBounds();
  return {
    west: b.getWest(), east: b.getEast(), south: b.getSouth(), north: b.getNorth(),
    kinds: [...el.querySelectorAll(".leaflet-shapes-pane path")]
      .flatMap(p => (p.getAttribute("class") || "").split(" ")),
    outlines: el.querySelectorAll(".leaflet-outlines-pane path").length,
  };
}"""


@pytest.fixture
def node_copy(personas, live_server):
    fra = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln(**FIJI)))
    d = declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(LAST_YEAR)))
    seq = Event.objects.get(subject=n.reference).seq
    with override_settings(**NODE_SETTINGS):
        node_store(exchange_items(seq, d.versions.get().seq))
        yield seq


def test_the_item_page_draws_the_notification_near_fiji_and_every_page_fits_a_phone(
    page, node_copy, live_server
):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/items/{node_copy}")
    page.wait_for_selector(".map[data-ready='1']")
    drawn = page.locator(".map").evaluate(SHAPES)
    assert {"launch-area", "corridor", "impact-area"} <= set(drawn["kinds"]), drawn
    assert drawn["east"] - drawn["west"] < 12 and -25 < drawn["south"] < drawn["north"] < -10
    assert drawn["outlines"] > 300  # the world's outlines, from this server's static files
    assert errors == []
    screenshot(page, "node-item-map")

    page.set_viewport_size({"width": 390, "height": 844})
    for language in ("en", "ar"):
        # As the language switch sets it: for the whole site (path /).
        cookie = {"name": "hcoc_language", "value": language, "url": live_server.url + "/"}
        page.context.add_cookies([cookie])
        for path in (
            "/",
            f"/items/{node_copy}",
            "/declarations/",
            f"/declarations/FRA/{LAST_YEAR}",
            "/log/",
        ):
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == language
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (language, path, width)
        screenshot(page, f"node-declaration-390px-{language}")
