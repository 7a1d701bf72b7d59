"""What hcoc-client does for a state's system, against the live exchange over real HTTP: typed
problems, signed and idempotent writes that survive a lost answer, retries honouring
Retry-After, the feed from a saved cursor, the stream's reconnection with Last-Event-ID, receipt
checks and webhook verification (issue 26). A small relay in front of the exchange
(`Relay`, a real HTTP server in a thread) loses an answer or answers 503 where a test needs it."""

import base64
import hashlib
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import hcoc_client
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hcoc_client import (
    BadSignature,
    Client,
    FileCursor,
    InvalidInput,
    MemoryCursor,
    NotAuthenticated,
    NotFound,
    SigningKey,
    VerificationError,
)
from support import TLS
from support.bodies import pln
from support.ledger import check_receipt, log_vkey, register_key

from hcoc.delivery import signing
from hcoc.notifications.models import Notification


class Relay:
    """Forwards every request to the exchange, except as `plan` says for the n-th request
    (0-based): "drop" forwards it and closes the connection without answering (the answer is
    lost on the way back), "503" answers 503 with `Retry-After: 1` without forwarding."""

    def __init__(self, upstream: str, plan: dict[int, str] | None = None):
        self.seen: list[tuple[float, dict[str, str]]] = []
        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self):
                n = len(relay.seen)
                relay.seen.append((time.monotonic(), dict(self.headers)))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                action = (plan or {}).get(n)
                if action == "503":
                    self.send_response(503)
                    self.send_header("Retry-After", "1")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                answer = httpx.request(
                    self.command,
                    upstream + self.path,
                    content=body,
                    headers=headers,
                    timeout=30,
                    verify=TLS,
                )
                if action == "drop":
                    self.close_connection = True
                    return
                self.send_response(answer.status_code)
                for k, v in answer.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = _any  # noqa: N815 (http.server's names)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def pln_model(**overrides) -> hcoc_client.PLN:
    """support.bodies.pln as the client's model (built from the same JSON)."""
    body = pln(**overrides)
    return hcoc_client.PLN(
        category=body["category"],
        generic_class=body["generic_class"],
        vehicle_name=body["vehicle_name"],
        window=hcoc_client.Window(**body["window"]),
        launch_area=hcoc_client.Area(site_id=body["launch_area"]["site_id"]),
        planned_direction=hcoc_client.Direction(azimuth_deg=90.0),
        impact_areas=[
            hcoc_client.ImpactArea(
                kind="stage", center=hcoc_client.LatLon(lat=10.0, lon=-40.0), radius_km=100
            )
        ],
        range_km=body["range_km"],
        apogee_km=body["apogee_km"],
        remarks=body["remarks"],
    )


@pytest.fixture
def connect():
    """Makes clients and closes them after the test: an open keep-alive connection would hold
    one of the live server's threads, and its database connection, past the test."""
    made = []

    def make(*args, **kwargs) -> Client:
        made.append(Client(*args, **kwargs))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def france(api, personas, live_server):
    key = register_key(api, personas, "FRA", "FRA-sys-1")
    return SigningKey("FRA-sys-1", key)


def test_problems_are_raised_as_the_class_of_their_type_naming_the_field(
    connect, api, personas, live_server, france
):
    client = connect(live_server.url, personas["fra_submitter"].token, key=france)
    with pytest.raises(NotFound) as missing:
        client.notification_get("FRA-PLN-2026-9999")
    assert missing.value.status == 404 and missing.value.slug == "not-found"
    bad = pln_model()
    bad.window = hcoc_client.Window(opens=bad.window.closes, closes=bad.window.opens)
    with pytest.raises(InvalidInput) as invalid:
        client.notification_submit(bad)
    assert "window.closes" in [e.field for e in invalid.value.errors]
    with pytest.raises(NotAuthenticated):
        connect(live_server.url, "not-a-token").feed_page()
    other = SigningKey("FRA-sys-1", Ed25519PrivateKey.generate())  # not the key France registered
    with pytest.raises(BadSignature) as forged:
        connect(live_server.url, personas["fra_submitter"].token, key=other).notification_submit(
            pln_model()
        )
    assert forged.value.status == 401
    assert Notification.objects.count() == 0


def test_a_write_whose_answer_is_lost_is_retried_with_its_key_and_applied_once(
    connect, personas, live_server, france
):
    relay = Relay(live_server.url, plan={0: "drop"})
    try:
        client = connect(relay.url, personas["fra_submitter"].token, key=france, backoff=0.05)
        notification = client.notification_submit(pln_model())
    finally:
        relay.close()
    assert [Notification.objects.get().reference] == [notification.reference]
    keys = [h["Idempotency-Key"] for _, h in relay.seen]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert all(h["HCoC-Signature"].startswith("keyid=FRA-sys-1; ") for _, h in relay.seen)


def test_a_503_is_retried_after_the_wait_the_exchange_asked_for(connect, personas, live_server):
    relay = Relay(live_server.url, plan={0: "503", 1: "503"})
    try:
        page = connect(relay.url, personas["jpn_reader"].token, backoff=0.01).feed_page()
    finally:
        relay.close()
    assert page.items == [] and len(relay.seen) == 3
    # Retry-After: 1 is a floor, not a speed figure: each retry came at least 1 s later.
    times = [t for t, _ in relay.seen]
    assert times[1] - times[0] >= 1 and times[2] - times[1] >= 1


def test_the_feed_iterator_resumes_from_its_saved_cursor(
    connect, api, personas, live_server, tmp_path
):
    seqs = [
        api.post("/notifications", personas["fra_submitter"], json=pln(remarks=f"n{i}")).json()[
            "seq"
        ]
        for i in range(3)
    ]
    client = connect(live_server.url, personas["jpn_reader"].token)
    cursor = FileCursor(tmp_path / "feed.cursor")
    got = []
    for item in client.feed(cursor, limit=2):
        got.append(item.seq)
        if len(got) == 2:
            break  # stopped while processing the second: it comes again (at least once)
    assert got == seqs[:2] and cursor.load() == seqs[0]
    assert [
        item.seq for item in client.feed(FileCursor(tmp_path / "feed.cursor"), limit=2)
    ] == seqs[1:]
    assert cursor.load() == seqs[2]
    assert list(client.feed(cursor)) == []


def test_the_stream_follower_reconnects_with_the_last_event_id(connect, api, personas, live_server):
    # The tests' server is WSGI: each stream sends what the feed holds and ends, so every new
    # item below comes on a new connection (docs/api.md, "Live delivery").
    first = api.post("/notifications", personas["fra_submitter"], json=pln()).json()["seq"]
    relay = Relay(live_server.url)
    got = []
    try:
        client = connect(relay.url, personas["jpn_reader"].token)
        for item in client.follow(MemoryCursor(), reconnect_delay=0.05):
            got.append(item.seq)
            if len(got) == 1:
                r = api.post("/notifications", personas["fra_submitter"], json=pln(remarks="2"))
                second = r.json()["seq"]
            else:
                break
    finally:
        relay.close()
    assert got == [first, second]
    assert [h["Last-Event-ID"] for _, h in relay.seen][:2] == ["0", str(first)]


def test_receipts_are_checked_as_the_exchange_checks_them_and_tampering_is_refused(
    connect, api, personas, live_server
):
    r = api.post("/notifications", personas["fra_submitter"], json=pln())
    client = connect(live_server.url, personas["jpn_reader"].token)
    vkey = log_vkey(api, personas["jpn_reader"])
    receipt = hcoc_client.Receipt.from_dict(r.json()["receipts"][0])
    assert (
        client.verify_receipt(receipt, vkey).size
        == check_receipt(r.json()["receipts"][0], vkey).size
    )
    assert client.log_receipt(receipt.index).leaf_hash == receipt.leaf_hash
    assert client.request("GET", "/log/checkpoint").startswith(client.log_keys().origin + "\n")
    other_leaf = base64.b64encode(hashlib.sha256(b"\x00something else").digest()).decode()
    for change in ({"leaf_hash": other_leaf}, {"index": receipt.index + 1}):
        forged = hcoc_client.Receipt.from_dict({**receipt.to_dict(), **change})
        with pytest.raises(VerificationError):
            client.verify_receipt(forged, vkey, check_entry=False)
    second = api.post("/notifications", personas["fra_submitter"], json=pln()).json()["receipts"][0]
    with pytest.raises(VerificationError, match="another entry"):
        hcoc_client.verify_receipt(second, vkey, leaf=client.log_entries(0, 1)[0].leaf)
    other_log = "other+00000000+" + "A" * 44
    with pytest.raises(VerificationError):
        hcoc_client.verify_receipt(receipt, other_log)


# The Standard Webhooks specification's own example (standardwebhooks.com, "Signature scheme").
SPEC = {
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "timestamp": 1614265330,
    "signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}


def test_webhooks_verify_as_the_specification_and_the_exchange_sign_them():
    spec_headers = {
        "webhook-id": SPEC["id"],
        "webhook-timestamp": str(SPEC["timestamp"]),
        "webhook-signature": "v1,bm90IGl0 " + SPEC["signature"],  # one of several may match
    }
    spec_body = '{"test": 2432232314}'
    verified = hcoc_client.verify_webhook_signature(
        SPEC["secret"], spec_headers, spec_body, now=SPEC["timestamp"]
    )
    assert verified == spec_body.encode()
    with pytest.raises(VerificationError, match="not a feed item"):
        hcoc_client.verify_webhook(SPEC["secret"], spec_headers, spec_body, now=SPEC["timestamp"])

    # Signed by the exchange's own signer (hcoc.delivery.signing, what the worker sends).
    secret = signing.secret_new()
    item = {
        "seq": 7,
        "kind": "k",
        "at": "t",
        "state": "FRA",
        "subject": "s",
        "version": 1,
        "payload": {},
    }
    body = json.dumps(item)
    headers = signing.headers(secret=secret, msg_id="msg_hcoc_1_7", at=datetime.now(UTC), body=body)
    assert hcoc_client.verify_webhook(secret, headers, body) == hcoc_client.FeedItem.from_dict(item)
    with pytest.raises(VerificationError, match="no webhook-signature matches"):
        hcoc_client.verify_webhook(secret, headers, body.replace("7", "8"))
    with pytest.raises(VerificationError, match="no webhook-signature matches"):
        hcoc_client.verify_webhook(signing.secret_new(), headers, body)
    with pytest.raises(VerificationError, match="from now"):
        hcoc_client.verify_webhook(secret, headers, body, now=time.time() + 600)


def test_every_operation_of_the_client_round_trips_its_models_through_the_exchange(
    connect, api, personas, live_server
):
    fra = connect(live_server.url, personas["fra_submitter"].token)
    jpn = connect(live_server.url, personas["jpn_submitter"].token)
    first = fra.notification_submit(pln_model())
    assert (first.status, first.version, first.state) == ("notified", 1, "FRA")
    amendment = hcoc_client.Amendment(**{**vars(pln_model()), "vehicle_name": "Vega C"})
    amendment.reason = "Another vehicle."
    amended = fra.notification_amend(first.reference, amendment)
    assert (amended.version, amended.vehicle_name) == (2, "Vega C")
    assert amended.amendment_reason == "Another vehicle."
    now = datetime.now(UTC).replace(microsecond=0)
    report = hcoc_client.LaunchReport(
        launched_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"), outcome="success", remarks="Nominal."
    )
    launched = fra.notification_report(first.reference, report)
    assert launched.status == "launched" and launched.launch_report.outcome == "success"
    second = fra.notification_submit(pln_model())
    cancelled = fra.notification_cancel(second.reference, "Postponed.")
    assert cancelled.status == "cancelled" and cancelled.cancellation.reason == "Postponed."
    assert jpn.notification_get(first.reference).launch_report.outcome == "success"

    year = now.year - 1
    body = hcoc_client.Declaration(
        year=year,
        space_launch_vehicles=hcoc_client.SpaceLaunchVehicles(
            policy="Space policy outline.",
            launch_sites=[hcoc_client.SiteRef(site_id="FRA-KOUROU")],
            launches=[hcoc_client.LaunchCount(generic_class="SLV-medium", count=2)],
        ),
        observers=hcoc_client.ObserversSection(invites=False),
    )
    declared = fra.declaration_submit(body)
    assert (declared.year, declared.state, len(declared.receipts)) == (year, "FRA", 1)
    assert jpn.declaration_get("FRA", year).seq == declared.seq

    page = jpn.feed_page(limit=2)
    assert [i.seq for i in page.items] == [1, 2] and page.more
    inbox = jpn.inbox_page()
    assert inbox.unacknowledged == len(inbox.items) == declared.seq
    ack = jpn.acknowledge(seqs=[first.seq])
    assert (ack.state, ack.acknowledged, len(ack.receipts)) == ("JPN", 1, 1)
    status = jpn.acknowledgement_status(first.seq)
    assert [a.state for a in status.acknowledged] == [
        "JPN"
    ] and "JPN" not in status.not_acknowledged

    keys = jpn.log_keys()
    entries = jpn.log_entries(0, 99)
    assert [e.index for e in entries] == list(range(len(entries)))
    for receipt in (*first.receipts, *ack.receipts, *declared.receipts):
        assert jpn.verify_receipt(receipt, keys.vkey).size > receipt.index
