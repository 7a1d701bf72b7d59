"""Times on the pages are ISO 8601 in UTC whatever the browser's locale: an en-US browser shows
a launch window as 2026-12-10T06:00Z, never as "12/10/2026, 06:00:00 AM"."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from support.bodies import pln
from support.browser import log_in, watch_csp
from support.people import set_password

from hcoc.accounts.models import User
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = pytest.mark.slow


def test_an_en_us_browser_shows_and_sends_the_window_in_iso_8601_utc(
    chromium, live_server, personas
):
    fra = User.objects.get(username="fra_submitter")
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    window = {"opens": f"{day}T06:00:00Z", "closes": f"{day}T08:00:00Z"}
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln(window=window)))
    context = chromium.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="America/New_York"
    )
    context.set_default_timeout(15_000)
    try:
        page = watch_csp(context.new_page())
        log_in(page, "fra_submitter", set_password("fra_submitter"))
        page.goto(f"/notifications/{n.reference}/amend")
        opens = page.locator("#id_window_opens")
        expect(opens).to_have_value(f"{day}T06:00Z")
        expect(page.locator("#id_window_closes")).to_have_value(f"{day}T08:00Z")
        assert opens.get_attribute("type") == "text"
        expect(page.get_by_text("UTC, ISO 8601 (YYYY-MM-DDThh:mmZ)").first).to_be_visible()
        # The viewer's own time is shown beside it, marked as such (New York's).
        expect(page.locator('[data-local-for="id_window_opens"]')).to_contain_text("your time")
        # A person types the form the hint names, with a space and no zone: it is taken as UTC.
        opens.fill(f"{day} 07:00")
        page.locator("#id_reason").fill("An hour later.")
        page.get_by_role("button", name="Review before sending").click()
        expect(page.get_by_text(f"{day}T07:00:00Z").first).to_be_visible()
        assert page.csp_violations == [], page.csp_violations
    finally:
        context.close()
