"""Webhooks for states' systems (issue 11): every feed item, signed per Standard Webhooks, at
least once and in seq order per endpoint, from the feed as outbox; retried with backoff for the
retry period, then disabled and the state told; 410 disables at once."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from standardwebhooks import Webhook
from support.bodies import invitation, pln
from support.receivers import Receiver
from support.stored import stored

from hcoc.accounts.models import User
from hcoc.delivery import signing
from hcoc.delivery.models import Attempt, Endpoint, EndpointStatus
from hcoc.delivery.webhooks import (
    deliver_due,
    deliveries_plan,
    deliveries_record,
    delivery_post,
    endpoint_register,
    endpoint_replay,
    endpoints_due,
)
from hcoc.exchange.models import Event
from hcoc.exchange.selectors import feed_page_for
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit
from hcoc.observers.schemas import InvitationIn
from hcoc.observers.services import invitation_issue
from hcoc.states.models import PointOfContact

# The specification's own example (standardwebhooks.com, "Signature scheme").
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def submit(n: int = 1) -> list[int]:
    fra = User.objects.get(username="fra_submitter")
    return [
        notification_submit(actor=fra, data=PLNIn.model_validate(pln(remarks=f"PLN {i}")))
        .versions.get()
        .seq
        for i in range(n)
    ]


def feed_items(after: int = 0) -> list[dict]:
    icc = User.objects.get(username="icc")
    return feed_page_for(actor=icc, after=after, limit=1000)["items"]


def test_signing_matches_the_specifications_published_example():
    at = datetime.fromtimestamp(SPEC_TIMESTAMP, tz=UTC)
    headers = signing.headers(secret=SPEC_SECRET, msg_id=SPEC_ID, at=at, body=SPEC_BODY)
    assert headers == {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }


def test_a_new_secret_is_whsec_and_base64_of_32_bytes():
    secret = signing.secret_new()
    assert secret.startswith("whsec_")
    Webhook(secret)  # the library reads it
    assert signing.secret_new() != secret


def test_every_delivery_is_the_feed_item_and_verifies_with_the_standard_webhooks_library(
    api, personas, receiver
):
    r = api.post("/webhooks", personas["jpn_submitter"], json={"url": receiver.url})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["secret"].startswith("whsec_") and created["url"] == receiver.url
    assert "secret" not in api.get("/webhooks", personas["jpn_submitter"]).text
    seqs = submit(2)
    assert deliver_due() == 2
    assert [r.answered for r in receiver.received] == [200, 200]
    served = api.get("/feed", personas["jpn_reader"], params={"after": seqs[0] - 1}).json()
    for got, item in zip(receiver.received, served["items"], strict=True):
        assert got.headers["content-type"] == "application/json"
        verified = Webhook(created["secret"]).verify(got.body, got.headers)
        assert verified == item  # the item exactly as GET /feed serves it
        assert got.headers["webhook-id"] == f"msg_hcoc_{created['id']}_{item['seq']}"
    # Another secret does not verify.
    with pytest.raises(Exception, match="signature"):
        Webhook(signing.secret_new()).verify(
            receiver.received[0].body, receiver.received[0].headers
        )
    log = api.get(f"/webhooks/{created['id']}/deliveries", personas["jpn_reader"]).json()
    assert [(d["seq"], d["status_code"], d["ok"]) for d in log["items"]] == [
        (seqs[1], 200, True),
        (seqs[0], 200, True),
    ]
    assert all(d["latency_ms"] >= 0 and d["error"] == "" for d in log["items"])


def _jpn_endpoint(url: str) -> Endpoint:
    return endpoint_register(actor=User.objects.get(username="jpn_submitter"), url=url)[0]


def _run_until(traveller, until: datetime, endpoint: Endpoint) -> None:
    """Deliver, then jump to the endpoint's next attempt, until `until` (simulated time)."""
    for _ in range(1000):
        deliver_due()
        endpoint.refresh_from_db()
        if endpoint.next_attempt_at is None or endpoint.next_attempt_at > until:
            return
        traveller.move_to(endpoint.next_attempt_at)
    raise AssertionError("the retries never reached the end of the period")


def test_a_receiver_down_for_almost_three_days_then_back_gets_every_item_once_in_order(
    personas, receiver
):
    endpoint = _jpn_endpoint(receiver.url)
    receiver.status = 503
    seqs = submit(4)
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        _run_until(traveller, start + timedelta(hours=71), endpoint)
        endpoint.refresh_from_db()
        assert endpoint.status == EndpointStatus.ACTIVE
        assert endpoint.cursor == seqs[0] - 1
        failed = [r for r in receiver.received if r.answered == 503]
        assert len(failed) > 20  # retried with backoff all along, never past the first item
        assert {r.headers["webhook-id"] for r in failed} == {f"msg_hcoc_{endpoint.pk}_{seqs[0]}"}
        # Backoff: the gaps between attempts grow (full jitter: each at most its cap).
        times = [int(r.headers["webhook-timestamp"]) for r in failed]
        assert max(b - a for a, b in zip(times, times[1:], strict=False)) <= 3600
        receiver.status = 200
        more = submit(1)  # one more while it is still retrying
        traveller.move_to(endpoint.next_attempt_at)
        deliver_due()
    ids = [r.headers["webhook-id"] for r in receiver.accepted]
    assert ids == [f"msg_hcoc_{endpoint.pk}_{s}" for s in seqs + more]
    assert [json.loads(r.body)["seq"] for r in receiver.accepted] == seqs + more
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.cursor, endpoint.failures) == ("active", more[0], 0)
    assert mail.outbox == []


def test_after_three_days_down_the_endpoint_is_disabled_and_its_state_told(personas, receiver):
    PointOfContact.objects.create(state_id="JPN", name="Desk", email="pnc@mofa.example.jp")
    endpoint = _jpn_endpoint(receiver.url)
    receiver.status = 500
    seqs = submit(2)
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        _run_until(traveller, start + timedelta(days=4), endpoint)
        endpoint.refresh_from_db()
        assert endpoint.status == EndpointStatus.DISABLED
        assert endpoint.disabled_at - start >= timedelta(hours=72)
        assert "72 hours" in endpoint.disabled_reason
        tries = len(receiver.received)
        traveller.shift(timedelta(days=1))
        deliver_due()
        assert len(receiver.received) == tries  # disabled: no more attempts
    assert [m.to for m in mail.outbox] == [["pnc@mofa.example.jp"]]
    assert f"webhook endpoint {endpoint.pk}" in mail.outbox[0].subject
    assert f'"after": {seqs[0] - 1}' in mail.outbox[0].body  # where to replay from
    # The state's submitter turns it back on with a replay once the receiver works.
    receiver.status = 200
    endpoint_replay(
        actor=User.objects.get(username="jpn_submitter"),
        endpoint_id=endpoint.pk,
        after=endpoint.cursor,
    )
    deliver_due()
    assert [json.loads(r.body)["seq"] for r in receiver.accepted] == seqs


def test_a_410_disables_the_endpoint_at_once(personas, receiver):
    PointOfContact.objects.create(state_id="JPN", name="Desk", email="pnc@mofa.example.jp")
    endpoint = _jpn_endpoint(receiver.url)
    receiver.status = 410
    submit(3)
    deliver_due()
    deliver_due()
    endpoint.refresh_from_db()
    assert endpoint.status == EndpointStatus.DISABLED
    assert "410" in endpoint.disabled_reason
    assert len(receiver.received) == 1
    assert len(mail.outbox) == 1 and "410" in mail.outbox[0].body


def test_a_replay_delivers_again_with_the_same_ids_in_order(api, personas, receiver):
    seqs = submit(2)
    r = api.post("/webhooks", personas["jpn_submitter"], json={"url": receiver.url})
    hook = r.json()["id"]
    assert r.json()["cursor"] == seqs[-1]  # a new endpoint starts at the feed's end
    assert deliver_due() == 0
    r = api.post(f"/webhooks/{hook}/replay", personas["jpn_submitter"], json={"after": 0})
    assert r.status_code == 200, r.text
    deliver_due()
    first = [r.headers["webhook-id"] for r in receiver.accepted]
    assert [json.loads(r.body)["seq"] for r in receiver.accepted] == [
        e.seq for e in Event.objects.all()
    ]
    api.post(f"/webhooks/{hook}/replay", personas["jpn_submitter"], json={"after": 0})
    deliver_due()
    assert [r.headers["webhook-id"] for r in receiver.accepted] == first + first
    assert Attempt.objects.filter(endpoint_id=hook, replay=True).count() == len(first)
    before = stored()
    r = api.post(f"/webhooks/{hook}/replay", personas["jpn_submitter"], json={"after": 10**6})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "after"
    assert stored() == before


def test_a_restricted_invitation_reaches_other_states_only_as_its_commitment(personas, receiver):
    _jpn_endpoint(receiver.url)
    fra = User.objects.get(username="fra_submitter")
    body = invitation(audience="named", named_states=["USA"], access="Secret access details.")
    inv = invitation_issue(actor=fra, data=InvitationIn.model_validate(body))
    deliver_due()
    (got,) = receiver.accepted
    item = json.loads(got.body)
    assert item == feed_items()[-1]
    assert (item["kind"], item["subject"]) == ("invitation.issued", inv.reference)
    assert set(item["payload"]) == {"reference", "audience", "commitment"}
    assert b"Secret access" not in got.body and b"USA" not in got.body


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3/hook",
        "https://192.168.0.1/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:10.0.0.1]/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://no-such-host.invalid/hook",
        "ftp://93.184.215.14/hook",
        "https://user:pw@93.184.215.14/hook",
        "http://93.184.215.14/hook",
        "not a url",
        "https://" + "a" * 64 + ".example/hook",
    ],
)
def test_a_url_that_is_not_a_public_https_address_is_refused_naming_the_field(api, personas, url):
    before = stored()
    r = api.post("/webhooks", personas["fra_submitter"], json={"url": url})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in r.json()["errors"]] == ["url"]
    assert stored() == before


def test_the_setting_lets_loopback_in(api, personas, settings):
    url = "http://127.0.0.1:9/hook"
    assert api.post("/webhooks", personas["fra_submitter"], json={"url": url}).status_code == 422
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert api.post("/webhooks", personas["fra_submitter"], json={"url": url}).status_code == 201
    assert (
        api.post(
            "/webhooks", personas["fra_submitter"], json={"url": "http://10.0.0.1/"}
        ).status_code
        == 422
    )


def test_the_address_is_checked_again_at_delivery_time(personas, settings):
    receiver = Receiver()
    try:
        settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
        endpoint = _jpn_endpoint(receiver.url.replace("127.0.0.1", "localhost"))
        settings.WEBHOOK_ALLOWED_NETWORKS = []  # as if the name now resolved somewhere private
        submit(1)
        deliver_due()
    finally:
        receiver.close()
    assert receiver.received == []
    attempt = Attempt.objects.get(endpoint=endpoint)
    assert attempt.status_code is None and "loopback" in attempt.error


def test_an_endpoint_deleted_while_its_delivery_was_in_flight_is_simply_left_out(
    personas, receiver
):
    endpoint = _jpn_endpoint(receiver.url)
    submit(1)
    (planned,) = deliveries_plan(endpoints_due())
    outcome = delivery_post(planned)
    Endpoint.objects.filter(pk=endpoint.pk).delete()
    assert deliveries_record([outcome]) == 0
    assert not Attempt.objects.exists()
