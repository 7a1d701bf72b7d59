"""The issue's whole cycle in a real browser: a French submitter draws a launch area and
submits a PLN; a Japanese reader finds it in the inbox, sees it on the map and acknowledges it;
the ICC (with its second factor) sees Japan's acknowledgement and who is still missing."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from support.browser import log_in, screenshot
from support.people import set_password

from hcoc.accounts.models import User
from hcoc.exchange.models import Acknowledgement
from hcoc.notifications.models import Notification

pytestmark = pytest.mark.slow


def local_input(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M")


def test_submit_receive_acknowledge_and_follow_up_in_the_browser(page, personas):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # France draws a polygon on the map and submits.
    log_in(page, "fra_submitter", set_password("fra_submitter"))
    page.goto("/notifications/new")
    page.locator("#area_mode_polygon").check()
    page.wait_for_selector("#pln-map.leaflet-container")
    page.locator("#pln-map").scroll_into_view_if_needed()
    box = page.locator("#pln-map").bounding_box()
    for dx, dy in [(0.45, 0.45), (0.55, 0.45), (0.55, 0.55), (0.45, 0.55)]:
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
    assert len(page.locator("#id_polygon").input_value().strip().splitlines()) == 4
    opens = datetime.now(UTC) + timedelta(days=4)
    page.locator("#id_window_opens").fill(local_input(opens))
    page.locator("#id_window_closes").fill(local_input(opens + timedelta(hours=6)))
    page.locator("#id_category").select_option("SLV")
    page.locator("#id_generic_class").select_option("SLV-medium")
    page.locator("#direction_mode_azimuth").check()
    page.locator("#id_azimuth_deg").fill("95")
    screenshot(page, "pln-form")
    page.get_by_role("button", name="Review before sending").click()
    try:  # waits for the review page (a count right after the click would race it)
        expect(page.get_by_role("button", name="Confirm and send")).to_have_count(1)
    except AssertionError:
        raise AssertionError(page.locator(".errorlist, .error").all_inner_texts()) from None
    page.wait_for_selector(".map[data-ready='1']")
    screenshot(page, "pln-confirm")
    page.get_by_role("button", name="Confirm and send").click()
    expect(page).to_have_url(re.compile(r"/notifications/[A-Z]{3}-"))  # sent: its page
    n = Notification.objects.get()
    assert page.url.endswith(f"/notifications/{n.reference}")
    assert "polygon" in n.versions.get().content

    # Japan finds it in the inbox, opens it, sees it on the map, acknowledges.
    page.get_by_role("button", name="Log out").click()
    log_in(page, "jpn_reader", set_password("jpn_reader"))
    page.goto("/inbox")
    page.get_by_role("link", name=n.reference).click()
    page.wait_for_selector(".map[data-ready='1']")
    assert page.locator(".map .leaflet-interactive").count() >= 2  # the polygon and its direction
    screenshot(page, "notification")
    page.get_by_role("button", name="Acknowledge receipt of version 1 for Japan").click()
    expect(page.get_by_text("1 item acknowledged.")).to_be_visible()
    assert Acknowledgement.objects.filter(state_id="JPN", user__username="jpn_reader").count() == 1
    page.goto("/notifications/")
    screenshot(page, "notifications")

    # The ICC, with its second factor, sees who has acknowledged and who has not.
    page.get_by_role("button", name="Log out").click()
    icc = User.objects.get(username="icc")
    device = TOTPDevice.objects.create(user=icc, name="phone", confirmed=True)
    log_in(page, "icc", set_password("icc"), code=f"{totp(device.bin_key):06d}")
    page.goto("/icc/")
    screenshot(page, "icc")
    page.goto(f"/icc/items/{n.versions.get().seq}")
    text = page.locator("main").inner_text()
    assert "Japan" in text and "United States" in text and "United Kingdom" in text
    screenshot(page, "icc-item")
    page.goto("/declarations/new")
    screenshot(page, "declaration-form")
