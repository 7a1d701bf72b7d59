"""Maps right for any place on Earth (issue 12), in a real browser: a notification across 180
degrees near Fiji is drawn as the small shape it is, on its page and on the dashboard; the world
outlines draw no band across the map where Russia, Fiji and Antarctica cross 180 degrees."""

import pytest
from support.bodies import FIJI, pln
from support.browser import SCREENSHOTS, log_in, screenshot
from support.people import set_password

from hcoc.accounts.models import User
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = pytest.mark.slow

# Geographic and pixel bounds of what a map drew: the notification's shapes and markers (its
# layer) and each SVG path of a pane.
DRAWN = """el => {
  const m = el.hcocMap, got = m.layer.getBounds();
  const b = got.isValid() ? got : L.latLngBounds([0, 0], [0, 0]);
  const paths = sel => [...el.querySelectorAll(sel)].map(p => {
    const r = p.getBoundingClientRect();
    return {cls: p.getAttribute("class"), width: r.width, height: r.height, top: r.top};
  });
  return {
    west: b.getWest(), east: b.getEast(), south: b.getSouth(), north: b.getNorth(),
    zoom: m.map.getZoom(), mapWidth: el.getBoundingClientRect().width,
    shapes: paths(".leaflet-shapes-pane path"),
    outlines: paths(".leaflet-outlines-pane path"),
  };
}"""


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    assert errors == []  # map.js ran without an error


@pytest.fixture
def fiji(personas):
    fra = User.objects.get(username="fra_submitter")
    return notification_submit(actor=fra, data=PLNIn.model_validate(pln(**FIJI)))


def drawn(page, selector: str) -> dict:
    page.wait_for_selector(f"{selector}[data-ready='1']")
    return page.locator(selector).first.evaluate(DRAWN)


def assert_small_near_fiji(d: dict) -> None:
    # One small region round 180 (in continuous longitudes: its east may be beyond 180), not a
    # band from -179 to 179 across the world.
    assert d["east"] - d["west"] < 12, d
    assert 170 < (d["west"] + d["east"]) / 2 < 190 or -190 < (d["west"] + d["east"]) / 2 < -170
    assert d["south"] > -25 and d["north"] < -10
    assert d["zoom"] >= 4  # fitted to the shapes, not the world
    kinds = {c for s in d["shapes"] for c in s["cls"].split()}
    assert {"launch-area", "corridor", "impact-area"} <= kinds
    assert all(s["width"] < d["mapWidth"] for s in d["shapes"])


def test_a_notification_across_180_is_a_small_shape_near_fiji_on_its_page(page, fiji, personas):
    log_in(page, "jpn_reader", set_password("jpn_reader"))
    page.goto(f"/notifications/{fiji.reference}")
    d = drawn(page, ".map")
    assert_small_near_fiji(d)
    screenshot(page, "geo-fiji-notification")


def test_a_notification_across_180_is_a_small_shape_near_fiji_on_the_dashboard(
    page, fiji, personas
):
    log_in(page, "jpn_reader", set_password("jpn_reader"))
    d = drawn(page, ".map")
    assert_small_near_fiji(d)
    screenshot(page, "geo-fiji-dashboard")


def test_the_registry_map_draws_no_band_across_the_world(page, personas):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/registry")
    d = drawn(page, ".map")
    world = 256 * 2 ** d["zoom"]  # one turn of the Earth in pixels at this zoom
    assert len(d["outlines"]) > 300  # every country, three times 360 degrees apart
    wide = [o for o in d["outlines"] if o["width"] > world / 2]
    # Only Antarctica is as wide as the world, and it is drawn down to the pole's edge, not
    # as a band closing across the map at its coast's latitude.
    assert {o["cls"] for o in wide} <= {"country c-010"}, wide
    fiji = [o for o in d["outlines"] if "c-242" in o["cls"]]
    russia = [o for o in d["outlines"] if "c-643" in o["cls"]]
    assert fiji and max(o["width"] for o in fiji) < world / 36  # under 10 degrees
    assert russia and max(o["width"] for o in russia) < world / 2
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".map").first.screenshot(path=str(SCREENSHOTS / "geo-registry-world.png"))


def test_where_it_flies_fits_a_390_px_screen(page, fiji, personas):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "jpn_reader", set_password("jpn_reader"))
    page.goto(f"/notifications/{fiji.reference}")
    drawn(page, ".map")
    page.locator("#where").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "geo-fiji-notification-390px")
