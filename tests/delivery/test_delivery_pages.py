"""Webhooks on the account page: registered by a state's submitter, the secret shown once, the
delivery log with each attempt; the ICC sees every state's endpoints and registers none."""

from support.bodies import pln
from support.people import web_client

from hcoc.accounts.models import User
from hcoc.delivery.models import Endpoint
from hcoc.delivery.webhooks import deliver_due
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit


def test_a_submitter_registers_on_the_account_page_and_reads_the_delivery_log(personas, receiver):
    client = web_client("jpn_submitter")
    r = client.post("/account/webhooks", {"url": receiver.url})
    assert r.status_code == 302 and r["Location"] == "/account#webhooks"
    endpoint = Endpoint.objects.get()
    page = client.get("/account").content.decode()
    assert 'id="new-webhook-secret"' in page and endpoint.secret in page
    again = client.get("/account").content.decode()
    assert endpoint.secret not in again and receiver.url in again  # the secret only once
    fra = User.objects.get(username="fra_submitter")
    notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
    receiver.status = 503
    deliver_due()
    log = client.get(f"/account/webhooks/{endpoint.pk}").content.decode()
    assert "503" in log and "answered HTTP 503" in log and " ms" in log
    # Japan's reader sees it and its log, but has no form to register, delete or replay.
    reader = web_client("jpn_reader").get("/account").content.decode()
    assert receiver.url in reader and 'name="url"' not in reader
    # France never sees it; the ICC sees it, with its state, and has no form to register.
    assert receiver.url not in web_client("fra_submitter").get("/account").content.decode()
    icc = web_client("icc").get("/account").content.decode()
    assert receiver.url in icc and "Japan" in icc and 'name="url"' not in icc


def test_a_private_address_is_refused_on_the_page_with_its_reason(personas):
    client = web_client("fra_submitter")
    r = client.post("/account/webhooks", {"url": "https://10.0.0.7/hook"}, follow=True)
    assert "private or reserved address" in r.content.decode()
    assert not Endpoint.objects.exists()
