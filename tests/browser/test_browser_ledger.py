"""The transparency log in a real browser: a notification shows its place in the log and that it
verifies; /log shows the checkpoint, the witness that cosigned it, and how to verify (issue 6)."""

import time

import pytest
from playwright.sync_api import expect
from support.bodies import pln
from support.browser import log_in, screenshot
from support.ledger import state_key
from support.people import set_password

from hcoc.accounts.models import User
from hcoc.ledger.models import LogEntry
from hcoc.ledger.services import checkpoint_current, cosignature_add
from hcoc.ledger.tlog import note
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = pytest.mark.slow


def test_a_state_follows_a_notification_into_the_log_and_sees_the_witness(page, personas):
    fra = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
    key = state_key("JPN", "JPN-2026-1")
    body = note.note_parse(checkpoint_current().note)[0]
    cosignature_add(
        actor=User.objects.get(username="jpn_reader"),
        checkpoint=body,
        cosignature=note.CosignatureSigner("JPN-2026-1", key).cosign(body, int(time.time())),
    )
    log_in(page, "jpn_reader", set_password("jpn_reader"))
    page.goto(f"/notifications/{n.reference}")
    index = LogEntry.objects.get(seq=n.versions.get().seq).index
    assert page.locator(".log-index").inner_text() == str(index)
    assert page.locator(".log-verified strong").inner_text() == "verified"
    page.get_by_role("link", name="How to verify this yourself").click()
    expect(page.get_by_role("heading", name="Transparency log")).to_be_visible()
    assert page.locator(".tree-size").inner_text() == str(checkpoint_current().size)
    assert page.locator(".cosigners").inner_text().startswith("JPN-2026-1 (Japan) · ")
    assert "hcoc verify --url" in page.locator("#verify-title + p + pre + p + pre").inner_text()
    screenshot(page, "log")
