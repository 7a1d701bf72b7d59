"""Live pages in a real browser (Debian's Chromium) against a real `hcoc serve` (uvicorn workers):
Japan's inbox shows France's new notification without a reload, marked new, and counts it in the
page's title. Django's test server cannot hold the pages' stream open, so this test starts the
server `make run` starts."""

import re

import pytest
from django.conf import global_settings
from django.test import override_settings
from playwright.sync_api import expect
from support.bodies import pln
from support.browser import log_in, screenshot, watch_csp
from support.people import set_password
from support.serve import serve

from hcoc.accounts.models import User
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.fixture
def live_page(chromium, transactional_db, personas):
    server = serve(HCOC_RATE_LIMIT_LOGIN="0")
    context = chromium.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = watch_csp(context.new_page())
    yield page
    context.close()
    server.kill()
    assert page.csp_violations == [], page.csp_violations


def test_japans_inbox_shows_frances_new_notification_without_a_reload(live_page):
    page = live_page
    # Hashed as the server's own settings check it (the suite's fast hasher is not among them).
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        password = set_password("jpn_reader")
    log_in(page, "jpn_reader", password)
    page.goto("/inbox")
    expect(page.get_by_text("Nothing to acknowledge.")).to_be_visible()
    expect(page).to_have_title("Inbox · HCoC Exchange")
    page.wait_for_function("() => !!document.querySelector('[sse-connect]')")
    # The page has opened its stream once htmx has wired it (the extension keeps the source).
    page.wait_for_function(
        "() => { const e = document.querySelector('[sse-connect]');"
        " return e && e['htmx-internal-data'] && e['htmx-internal-data'].sseEventSource"
        " && e['htmx-internal-data'].sseEventSource.readyState === 1; }"
    )
    loaded = page.evaluate("() => performance.getEntriesByType('navigation').length")
    fra = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
    row = page.locator("tr.live-new", has=page.get_by_role("link", name=n.reference))
    expect(row).to_be_visible()
    expect(row.locator("mark.new")).to_have_text("new")
    expect(page.get_by_text("Nothing to acknowledge.")).to_be_hidden()
    expect(page).to_have_title(re.compile(r"^\(1\) Inbox"))
    # No reload: still the one navigation.
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == loaded
    screenshot(page, "inbox-live")
    # The new row is shown, so it can be ticked and acknowledged as a row of a loaded page.
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Acknowledge selected").click()
    expect(page.get_by_text("1 item acknowledged.")).to_be_visible()
    expect(page).to_have_title("Inbox · HCoC Exchange")


def test_a_live_row_joins_the_count_the_button_and_what_it_acknowledges(live_page):
    page = live_page
    fra = User.objects.get(username="fra_submitter")
    shown = [notification_submit(actor=fra, data=PLNIn.model_validate(pln())) for _ in range(2)]
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        password = set_password("jpn_reader")
    log_in(page, "jpn_reader", password)
    page.goto("/inbox")
    expect(page.locator("#inbox-count")).to_have_text("2 items not yet acknowledged by your state.")
    expect(page.get_by_role("button", name="Acknowledge these 2 items")).to_be_visible()
    page.wait_for_function(
        "() => { const e = document.querySelector('[sse-connect]');"
        " return e && e['htmx-internal-data'] && e['htmx-internal-data'].sseEventSource"
        " && e['htmx-internal-data'].sseEventSource.readyState === 1; }"
    )
    new = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
    expect(
        page.locator("tr.live-new", has=page.get_by_role("link", name=new.reference))
    ).to_be_visible()
    expect(page.locator("#inbox-count")).to_have_text("3 items not yet acknowledged by your state.")
    page.get_by_role("button", name="Acknowledge these 3 items").click()
    expect(page.get_by_role("heading", name="Acknowledge these 3 items for Japan?")).to_be_visible()
    listed = page.locator("#to-acknowledge")
    for n in [new, *shown]:
        expect(listed.get_by_role("link", name=n.reference)).to_be_visible()
    page.get_by_role("button", name="Confirm: acknowledge these 3 items").click()
    expect(page.get_by_text("3 items acknowledged.")).to_be_visible()
    expect(page.get_by_text("Nothing to acknowledge.")).to_be_visible()
