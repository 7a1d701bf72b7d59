"""An observer invitation in a real browser: France invites observers to Kourou, Japan accepts
with two observers, France confirms them; the invitation's page shows the site on its map."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from support.browser import log_in, screenshot, watch_csp
from support.people import set_password

from hcoc.observers.models import Confirmation, Invitation

pytestmark = pytest.mark.slow


@pytest.fixture
def page(browser_context):
    page = watch_csp(browser_context.new_page())
    page.on("dialog", lambda d: d.accept())  # the forms' data-confirm questions
    yield page
    assert page.csp_violations == [], page.csp_violations


def test_issue_an_invitation_reply_and_confirm_in_the_browser(page, personas):
    today = datetime.now(UTC).date()
    log_in(page, "fra_submitter", set_password("fra_submitter"))
    page.get_by_role("link", name="Invitations").click()
    page.get_by_role("link", name="Invite observers").click()
    page.locator("#id_site_id").select_option("FRA-KOUROU")
    page.locator("#id_opens").fill((today + timedelta(days=30)).isoformat())
    page.locator("#id_closes").fill((today + timedelta(days=31)).isoformat())
    page.locator("#id_access").fill("Launch control centre and the observation site at 6 km.")
    page.get_by_label("every subscribing state").check()
    page.locator("#id_places").fill("3")
    page.locator("#id_reply_by").fill((today + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Issue the invitation").click()
    page.wait_for_url("**/invitations/FRA-INV-*")
    inv = Invitation.objects.get()
    expect(page.get_by_text(f"Invitation {inv.reference} issued")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    log_in(page, "jpn_submitter", set_password("jpn_submitter"))
    page.goto("/inbox")
    page.get_by_role("link", name=inv.reference).click()
    page.get_by_role("link", name="Reply to this invitation").click()
    page.get_by_label("accept").check()
    page.get_by_label("Observers (one name a line)").fill("A. Tanaka\nB. Sato")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_text(f"Your reply to {inv.reference} is recorded.")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    log_in(page, "fra_submitter", set_password("fra_submitter"))
    page.goto(f"/invitations/{inv.reference}")
    expect(page.get_by_role("cell", name="A. Tanaka, B. Sato")).to_be_visible()
    page.get_by_role("button", name="Confirm the observers of Japan").click()
    expect(page.get_by_text("The observers of Japan are confirmed.")).to_be_visible()
    assert Confirmation.objects.get().observers_count == 2
    expect(page.get_by_text("3 (2 confirmed, 1 left)")).to_be_visible()
    page.wait_for_selector(".map[data-ready='1']")
    assert page.locator(".map .leaflet-interactive").count() >= 1  # the site's marker
    screenshot(page, "invitation")
