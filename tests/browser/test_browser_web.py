"""The web pages in a real browser: Debian's Chromium driven by Playwright."""

import re
from base64 import b32decode

import pytest
from playwright.sync_api import expect
from support.bodies import pln
from support.browser import log_in, screenshot
from support.people import set_password

from hcoc.accounts.models import User
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = pytest.mark.slow


def test_the_public_registry_draws_its_world_map_without_logging_in(page, personas):
    page.goto("/registry")
    page.wait_for_selector(".map[data-ready='1']")
    assert page.locator(".leaflet-outlines-pane path").count() > 100  # country outlines
    expect(page.get_by_role("heading", name="Registry of subscribing states")).to_be_visible()
    screenshot(page, "registry")


def test_a_japanese_reader_sees_a_french_window_on_the_dashboard_map_and_acknowledges_it(
    page, personas
):
    fra = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
    log_in(page, "jpn_reader", set_password("jpn_reader"))
    page.wait_for_selector(".map[data-ready='1']")
    assert page.locator(".leaflet-interactive").count() >= 2  # the launch site and its direction
    expect(page.get_by_role("link", name=n.reference).first).to_be_visible()
    year = n.first_submitted_at.year - 1
    expect(
        page.get_by_text(f"Your annual declaration for {year} has not been submitted.")
    ).to_be_visible()
    screenshot(page, "dashboard")
    page.get_by_role("link", name="Inbox", exact=True).click()
    expect(page.get_by_role("link", name=n.reference)).to_be_visible()
    screenshot(page, "inbox")
    page.get_by_role("button", name="Acknowledge this item").click()
    expect(page.get_by_text("1 item acknowledged.")).to_be_visible()
    expect(page.get_by_text("Nothing to acknowledge.")).to_be_visible()


def test_an_icc_user_without_two_factor_cannot_reach_the_console_until_enrolled(page, personas):
    from django_otp.oath import totp

    log_in(page, "icc", set_password("icc"))
    page.goto("/icc/")
    assert page.url.endswith("/account/two-factor")
    expect(page.get_by_text("must use two-factor authentication")).to_be_visible()
    screenshot(page, "two-factor")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code from your authenticator app").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Turn on").click()
    page.goto("/icc/")
    expect(page.get_by_role("heading", name="ICC console")).to_be_visible()


def test_the_account_page_shows_a_new_api_token_once(page, personas):
    log_in(page, "fra_submitter", set_password("fra_submitter"))
    page.goto("/account")
    page.get_by_label(re.compile("Name of a new token")).fill("ministry system")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("hcoc_")
    screenshot(page, "account")
    page.reload()
    assert page.locator("#new-token").count() == 0


def test_a_user_the_icc_created_sets_its_own_password_through_the_enrolment_link(page, personas):
    """The ICC creates a state's user and gets a link; the person sets the password (the ICC never
    knows it), logs in and makes its own API token."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    icc = User.objects.get(username="icc")
    device = TOTPDevice.objects.create(user=icc, name="phone", confirmed=True)
    log_in(page, "icc", set_password("icc"), code=f"{totp(device.bin_key):06d}")
    page.goto("/icc/users")
    page.get_by_label("Username").fill("fra_clerk")
    page.get_by_label("State", exact=True).select_option("FRA")
    page.get_by_label("Role").select_option("submitter")
    page.get_by_role("button", name="Create user").click()
    link = page.locator("#enrolment-link").inner_text().strip()
    screenshot(page, "icc-enrolment-link")
    page.get_by_role("button", name="Log out").click()

    page.goto(link)
    page.get_by_label("New password").fill("a long and private passphrase")
    page.get_by_label("The same password again").fill("a long and private passphrase")
    screenshot(page, "enrolment")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password is set.")).to_be_visible()
    log_in(page, "fra_clerk", "a long and private passphrase")
    page.goto("/account")
    page.get_by_label(re.compile("Name of a new token")).fill("ministry system")
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#new-token").inner_text().startswith("hcoc_")
    page.goto(link)
    expect(page.get_by_text("This enrolment link is not valid")).to_be_visible()
