"""A state's annual declaration in a real browser: France fills in the form (finding its launch
site with the filter), sees the review with a difference from its launch reports stated in
words, confirms it, and the declaration is there; the form and the review pass the axe audit
and fit a phone."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from support.bodies import iso, pln
from support.browser import audit, log_in, screenshot
from support.people import set_password

from hcoc.accounts.models import User
from hcoc.declarations.models import Declaration

pytestmark = pytest.mark.slow


def _one_launch_reported(year: int) -> None:
    """France launched one SLV-medium in `year`, notified and reported."""
    from hcoc.notifications.schemas import ImportIn
    from hcoc.notifications.services import notification_import

    opens = datetime(year, 5, 4, 10, tzinfo=UTC)
    body = {
        "state": "FRA",
        "first_submitted_at": iso(opens - timedelta(days=3)),
        "notification": pln(
            window={"opens": iso(opens), "closes": iso(opens + timedelta(hours=6))}
        ),
        "launch_report": {"launched_at": iso(opens + timedelta(hours=1)), "outcome": "success"},
        "source": "test",
    }
    notification_import(actor=User.objects.get(username="icc"), data=ImportIn.model_validate(body))


def test_a_state_reviews_its_declaration_with_a_stated_difference_and_sends_it(page, personas):
    year = datetime.now(UTC).year - 1
    _one_launch_reported(year)
    log_in(page, "fra_submitter", set_password("fra_submitter"))
    page.goto(f"/declarations/new?year={year}")

    # Only France's sites, as checkboxes; the filter (JavaScript) hides the ones not matching.
    sites = page.locator("#id_bm_sites_list li")
    expect(sites).to_have_count(2)
    page.get_by_label("Find a site").first.fill("levant")
    expect(sites.filter(has_text="Biscarrosse")).to_be_hidden()
    expect(sites.filter(has_text="Levant")).to_be_visible()
    page.get_by_label("DGA Essais de missiles, site de l'Ile du Levant (FRA-ILE-DU-LEVANT)").check()
    page.get_by_label("Guiana Space Centre (Centre Spatial Guyanais), Kourou (FRA-KOUROU)").check()
    page.get_by_label("Ballistic missiles: national policy").fill("Deterrence, outlined.")
    page.get_by_label("Space launch vehicles: national policy").fill("Access to space.")
    page.get_by_label("Launches of class SLV-medium").fill("3")
    assert audit(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Review before sending").click()

    try:  # waits for the review page
        expect(page.get_by_role("button", name="Confirm and send")).to_have_count(1)
    except AssertionError:
        raise AssertionError(page.locator(".errorlist, .error").all_inner_texts()) from None
    expect(page.locator("#differences")).to_contain_text(
        "You declare 3 launches of class SLV-medium; the exchange holds 1 launch report of that "
        f"class for {year}: a difference of 2."
    )
    expect(page.locator("main")).to_contain_text(
        "DGA Essais de missiles, site de l'Ile du Levant (FRA-ILE-DU-LEVANT)"
    )
    assert not Declaration.objects.exists()
    assert audit(page) == []
    screenshot(page, "declaration-review")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing wider than it
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    # The box is required: the browser does not send without it.
    page.get_by_role("button", name="Confirm and send").click()
    expect(page.get_by_role("button", name="Confirm and send")).to_be_visible()
    assert not Declaration.objects.exists()
    page.get_by_label("I confirm the differences above are as intended.").check()
    page.get_by_role("button", name="Confirm and send").click()

    expect(page).to_have_url(re.compile(rf"/declarations/FRA/{year}$"))
    expect(page.locator("main")).to_contain_text(
        f"Declaration of France for {year} sent to all subscribing states (version 1)."
    )
    expect(page.locator("main")).to_contain_text("DGA Essais de missiles, site de l'Ile du Levant")
    d = Declaration.objects.get()
    assert d.state_id == "FRA" and d.year == year and '"count":3' in d.versions.get().content
