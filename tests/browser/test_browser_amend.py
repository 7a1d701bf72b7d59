"""Amending a notification in a browser: the review marks what changes, asks for the reason, and
shows byte for byte what every state then receives."""

import json

import pytest
from playwright.sync_api import expect
from support.bodies import pln, statement_bytes
from support.browser import log_in, watch_csp
from support.people import set_password

from hcoc.accounts.models import User
from hcoc.exchange.models import Event
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = pytest.mark.slow


def test_amend_review_and_send_publishes_the_bytes_the_review_showed(
    chromium, live_server, personas
):
    fra = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    try:
        page = watch_csp(context.new_page())
        log_in(page, "fra_submitter", set_password("fra_submitter"))
        page.goto(f"/notifications/{n.reference}/amend")
        page.locator("#id_azimuth_deg").fill("97")
        page.locator("#id_national_reference").fill("Note 2026/201")
        page.get_by_role("button", name="Review before sending").click()
        # Without a reason the form comes back, saying so at the field.
        expect(page.locator("#err-reason")).to_contain_text("Say why you amend")
        page.locator("#id_reason").fill("Range safety moved the corridor.")
        page.get_by_role("button", name="Review before sending").click()
        expect(page.get_by_role("heading", name="What this amendment changes")).to_be_visible()
        changes = page.locator("ul.changes")
        expect(changes).to_contain_text("Planned direction changed from azimuth 90° to 97°")
        expect(changes).to_contain_text("National reference given: “Note 2026/201”")
        marked = page.locator("dl.facts mark").all_inner_texts()
        assert "azimuth 97°" in " ".join(marked) and "Note 2026/201" in marked, marked
        shown = page.locator("pre.payload.published").inner_text()
        page.get_by_role("button", name="Confirm and send").click()
        expect(page.get_by_text("Amendment sent to all subscribing states.")).to_be_visible()
        assert page.csp_violations == [], page.csp_violations
    finally:
        context.close()
    published = json.loads(Event.objects.order_by("-seq").first().payload)
    assert (published["reference"], published["version"]) == (n.reference, 2)
    assert published["amendment_reason"] == "Range safety moved the corridor."
    assert shown == statement_bytes(published)
