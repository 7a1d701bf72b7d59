"""The inbox in a real browser: "Acknowledge these 50 items" asks to confirm, lists them, and
acknowledges page 1 alone (the older items on page 2 stay unacknowledged); the ICC's
acknowledgement pages name the states, link the CSV and the chase; all pass axe and fit a phone."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from support.browser import audit, log_in, screenshot
from support.people import set_password

from hcoc.accounts.models import User
from hcoc.exchange.models import Acknowledgement, EventKind
from hcoc.exchange.services import acknowledgements_record, event_transaction

pytestmark = pytest.mark.slow


def publish(count: int) -> list[int]:
    seqs = []
    for i in range(count):
        with event_transaction() as tx:
            tx.publish(
                kind=EventKind.REGISTRY_CIRCULAR,
                state="FRA",
                subject=f"FRA-C-{i}",
                payload={"n": i},
                actor=None,
            )
            seqs.append(tx.seq)
    return seqs


def test_acknowledging_the_shown_page_confirms_first_and_leaves_the_next_page_untouched(
    page, personas
):
    seqs = publish(55)
    log_in(page, "jpn_reader", set_password("jpn_reader"))
    page.goto("/inbox")
    expect(page.get_by_text("55 items not yet acknowledged by your state.")).to_be_visible()
    assert audit(page) == []
    page.get_by_role("button", name="Acknowledge these 50 items").click()

    expect(
        page.get_by_role("heading", name="Acknowledge these 50 items for Japan?")
    ).to_be_visible()
    expect(page.locator("#to-acknowledge tr")).to_have_count(50)
    assert not Acknowledgement.objects.exists()  # nothing until confirmed
    assert audit(page) == []
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "inbox-confirm")
    page.get_by_role("button", name="Confirm: acknowledge these 50 items").click()

    expect(page.get_by_text("50 items acknowledged.")).to_be_visible()
    done = set(Acknowledgement.objects.values_list("event_id", flat=True))
    assert done == set(seqs[5:])  # page 1 only; the 5 older items stay to acknowledge
    expect(page.get_by_text("5 items not yet acknowledged by your state.")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge these 5 items")).to_be_visible()

    # Filters in words (folded away until opened); a bad date is a message naming the field.
    page.locator("summary", has_text="Filter").click()
    page.get_by_label("Kind").select_option(label="Registry circular")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="FRA-C-0", exact=True)).to_be_visible()
    page.goto("/inbox?since=2026-02-30")
    expect(page.get_by_text(re.compile(r"^From \(UTC date\): Give a date"))).to_be_visible()


def test_the_icc_follows_acknowledgements_by_name_from_its_acknowledgements_link(page, personas):
    seq = publish(1)[0]
    acknowledgements_record(actor=User.objects.get(username="jpn_reader"), seqs=[seq])
    icc = User.objects.get(username="icc")
    device = TOTPDevice.objects.create(user=icc, name="phone", confirmed=True)
    log_in(page, "icc", set_password("icc"), code=f"{totp(device.bin_key):06d}")
    page.get_by_role("link", name="Acknowledgements", exact=True).click()
    expect(page).to_have_url(re.compile(r"/icc/items$"))
    assert audit(page) == []
    page.get_by_role("link", name=re.compile(r"^1 of \d+ states acknowledged$")).click()
    expect(page.get_by_role("heading", name="Acknowledgements of FRA-C-0")).to_be_visible()
    expect(page.locator("#done")).to_be_visible()
    expect(page.get_by_role("cell", name="Japan", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Export as CSV")).to_be_visible()
    expect(
        page.get_by_role("button", name="Chase the states that have not acknowledged")
    ).to_be_visible()
    assert audit(page) == []
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "icc-acknowledgements")
