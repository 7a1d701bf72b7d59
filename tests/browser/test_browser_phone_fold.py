"""What a phone (390 x 844) shows before any scroll (issue 25): the menu in one line, folded
under "Menu" (no JavaScript: a <details>); on the dashboard, the first upcoming launch and
whether each concerns the reader's territory without scrolling its table sideways; in the inbox,
the first item, the filters folded away unless one is set. Measured in Debian's Chromium; with
HCOC_SCREENSHOTS=1 the pictures are kept (var/screenshots/phone-fold-*-390.png)."""

import pytest
from playwright.sync_api import expect
from support.bodies import pln
from support.browser import log_in, screenshot
from support.people import set_password

from hcoc.accounts.models import User
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
# A Japanese H3 from Tanegashima, as Japan's own launch would be notified by another state here:
# it concerns Japan's territory (launch area, corridor).
H3 = {
    "category": "SLV",
    "generic_class": "SLV-medium",
    "vehicle_name": "H3",
    "launch_area": {"site_id": "JPN-TANEGASHIMA"},
    "planned_direction": {"azimuth_deg": 100.0},
    "range_km": 1500,
}


def box(locator) -> dict:
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }"
    )


@pytest.fixture
def jpn_on_a_phone(page, personas):
    fra = User.objects.get(username="fra_submitter")
    for body in (H3, {}, {}):
        notification_submit(actor=fra, data=PLNIn.model_validate(pln(**body)))
    log_in(page, "jpn_reader", set_password("jpn_reader"))
    page.set_viewport_size(PHONE)
    return page


def test_on_a_phone_the_menu_is_one_line_that_opens_without_javascript(jpn_on_a_phone):
    page = jpn_on_a_phone
    page.goto("/")
    header = page.locator("header.top")
    expect(page.get_by_text("Menu", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Inbox", exact=True)).to_be_hidden()
    folded = box(header)
    assert folded["bottom"] - folded["top"] <= 60, folded  # was about 200 px (5 lines)
    screenshot(page, "phone-fold-menu-closed-390")
    page.get_by_text("Menu", exact=True).click()
    for name in ("Dashboard", "Inbox", "Notifications", "Meetings", "Registry"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    screenshot(page, "phone-fold-menu-open-390")
    page.get_by_role("link", name="Inbox", exact=True).click()
    expect(page).to_have_url("/inbox")
    # A wide screen lays the links out whole, with no "Menu" to open.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    screenshot(page, "phone-fold-menu-1280")
    links = box(page.locator("header.top .menu-links"))
    assert links["bottom"] - links["top"] <= 40, links  # the links in one line


def test_on_a_phone_the_dashboard_shows_whether_a_launch_concerns_you_without_scrolling(
    jpn_on_a_phone,
):
    page = jpn_on_a_phone
    page.goto("/")
    table = page.locator(
        "table", has=page.get_by_role("columnheader", name="Concerns your territory")
    )
    header = table.get_by_role("columnheader", name="Concerns your territory")
    expect(header).to_be_visible()
    assert table.evaluate("t => t.scrollLeft") == 0
    for cell in (header, table.locator("td.concerns-cell").first):
        where = box(cell)
        assert where["left"] >= 0 and where["right"] <= PHONE["width"], where
    mine = table.locator("tr", has=page.get_by_text("yes", exact=True)).locator("td.concerns-cell")
    expect(mine).to_contain_text("launch area")
    assert box(mine)["right"] <= PHONE["width"]
    # Before any scroll: the first launch and whether it concerns the reader (the table comes
    # before the map and the timeline; below them it began about 870 px down).
    first = table.locator("tbody tr").first.locator("td.concerns-cell")
    assert box(first)["bottom"] <= PHONE["height"], box(first)
    # The launch area by the catalogue's name, never the site's code (issue 25).
    expect(table).to_contain_text("Tanegashima Space Center")
    expect(table).not_to_contain_text("JPN-TANEGASHIMA")
    screenshot(page, "phone-fold-dashboard-390")


def test_on_a_phone_the_inbox_shows_its_first_item_above_the_fold(jpn_on_a_phone):
    page = jpn_on_a_phone
    page.goto("/inbox")
    expect(page.get_by_label("Kind")).to_be_hidden()  # the filters are folded away
    first = page.locator("#inbox-items tr").first
    expect(first).to_be_visible()
    assert box(first)["bottom"] <= PHONE["height"], box(first)  # was about 850 px down
    screenshot(page, "phone-fold-inbox-390")
    # Opened, the filters work as before; a filter set keeps them open on the next page.
    page.locator("summary", has_text="Filter").click()
    page.get_by_label("Only items that concern your territory").select_option("mine")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_label("Only items that concern your territory")).to_be_visible()
    expect(page.locator("#inbox-items tr:not(.empty)")).to_have_count(1)
