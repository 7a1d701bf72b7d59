"""A Regular Meeting in a real browser: the Chair (France) opens it, France and Japan check in,
Japan objects and then withdraws its objection, the Chair calls the decision, and Germany, which
was not present, finds the decision in its inbox."""

from datetime import date

import pytest
from support.browser import log_in, screenshot
from support.people import set_password

from hcoc.accounts.models import Role, User
from hcoc.accounts.services import user_create
from hcoc.meetings import services
from hcoc.meetings.models import Decision

pytestmark = pytest.mark.slow


@pytest.fixture
def as_user(chromium, live_server):
    """A logged-in page per user, each in its own browser context (its own session)."""
    contexts, violations = [], []

    def open_as(username: str):
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda d: d.accept())  # the confirm() before consequential actions
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        log_in(page, username, set_password(username))
        return page

    yield open_as
    for c in contexts:
        c.close()
    assert violations == []


def test_a_chair_runs_a_meeting_to_a_decision_that_an_absent_state_receives(as_user, personas):
    user_create(username="deu_reader", password=None, role=Role.READER, state_iso3="DEU")
    services.meeting_create(
        actor=User.objects.get(username="icc"),
        number=25,
        opens_on=date.today(),
        closes_on=date.today(),
        place="Vienna",
        chair_state="FRA",
    )
    chair = as_user("fra_submitter")
    chair.goto("/meetings/")
    chair.get_by_role("link", name="Regular Meeting 25").click()
    chair.get_by_role("button", name="Open the meeting").click()
    chair.get_by_text("The meeting is open.").wait_for()
    chair.get_by_label("New agenda item").fill("Outreach to non-subscribing states")
    chair.get_by_role("button", name="Add to the agenda").click()
    chair.get_by_label("Text").fill("To write jointly to every non-subscribing state.")
    chair.get_by_role("button", name="Table it").click()
    chair.get_by_text("Proposal tabled.").wait_for()
    chair.get_by_role("button", name="Check France in").click()
    chair.get_by_text("Attendance recorded.").wait_for()

    japan = as_user("jpn_submitter")
    japan.goto("/meetings/25")
    japan.get_by_role("button", name="Check Japan in").click()
    japan.get_by_text("Attendance recorded.").wait_for()
    proposal = japan.locator("#RM25-P1")
    proposal.get_by_role("radio", name="object", exact=True).check()
    proposal.get_by_label("Reason (required for an objection)").fill("Our capital must agree.")
    proposal.get_by_role("button", name="State the position").click()
    japan.get_by_text("Position recorded.").wait_for()
    assert "Our capital must agree." in japan.locator("#pos-RM25-P1").inner_text()
    screenshot(japan, "meeting")
    proposal = japan.locator("#RM25-P1")
    proposal.get_by_role("radio", name="no objection", exact=True).check()
    proposal.get_by_role("button", name="State the position").click()
    japan.get_by_text("Position recorded.").wait_for()

    chair.goto("/meetings/25")
    roster = chair.locator("#roster-live").inner_text()
    assert "France" in roster and "Japan" in roster
    chair.get_by_role("button", name="Call the decision on RM25-P1").click()
    chair.get_by_role("heading", name="Decision RM25-D1: adopted").wait_for()
    assert "France, Japan" in chair.locator("dl.facts").inner_text()
    d = Decision.objects.get()
    assert d.outcome == "adopted"

    germany = as_user("deu_reader")
    germany.goto("/inbox")
    germany.get_by_role("link", name="RM25-D1").click()
    germany.get_by_role("heading", name="Decision RM25-D1: adopted").wait_for()
    assert "Our capital must agree." in germany.locator("table").inner_text()
