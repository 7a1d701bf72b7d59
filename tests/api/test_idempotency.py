import json
import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.utils import timezone
from support.bodies import pln
from support.people import Persona
from support.stored import stored

from hcoc.accounts.models import Role, User
from hcoc.accounts.services import token_create, user_create
from hcoc.exchange.models import Event
from hcoc.idempotency.models import IdempotencyRecord
from hcoc.ledger import middleware as ledger_middleware
from hcoc.ledger.models import LogEntry
from hcoc.notifications.models import Notification


def _post(api, who, key, body, path="/notifications"):
    return api.post(path, who, json=body, headers={"Idempotency-Key": key})


def test_a_retried_post_with_the_same_key_returns_the_first_answer_and_creates_nothing(
    api, personas
):
    body = pln()
    first = _post(api, personas["fra_submitter"], "retry-1", body)
    again = _post(api, personas["fra_submitter"], "retry-1", body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Notification.objects.count() == 1
    assert Event.objects.count() == 1


def test_the_same_key_with_another_body_is_rejected_and_stores_nothing(api, personas):
    _post(api, personas["fra_submitter"], "key-2", pln())
    other = _post(api, personas["fra_submitter"], "key-2", pln(remarks="something else"))
    assert other.status_code == 422
    assert other.headers["Content-Type"] == "application/problem+json"
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Notification.objects.count() == 1


def test_keys_belong_to_their_user_so_two_users_of_one_state_may_use_the_same_key(api, personas):
    """Two users of one state, not two states: a key scoped by state would pass with two states
    and here replay the first user's answer to the second (or refuse its other body)."""
    user = user_create(
        username="fra_submitter_2", password=None, role=Role.SUBMITTER, state_iso3="FRA"
    )
    _, token = token_create(user=user, name="test")
    colleague = Persona("fra_submitter_2", user.username, token, "FRA", Role.SUBMITTER)
    body = pln()
    a = _post(api, personas["fra_submitter"], "shared", body)
    b = _post(api, colleague, "shared", body)
    c = _post(api, colleague, "other", body)
    d = _post(api, personas["fra_submitter"], "other", pln(remarks="another body"))
    assert [r.status_code for r in (a, b, c, d)] == [201] * 4, [r.text for r in (a, b, c, d)]
    assert not any("Idempotent-Replayed" in r.headers for r in (a, b, c, d))
    assert len({r.json()["reference"] for r in (a, b, c, d)}) == 4
    assert Notification.objects.count() == 4


def test_every_post_honours_the_key_including_acknowledgements(api, personas):
    _post(api, personas["fra_submitter"], "n", pln())
    first = _post(api, personas["jpn_reader"], "ack-1", {"up_to": 1}, "/acknowledgements")
    after_first = stored()
    again = _post(api, personas["jpn_reader"], "ack-1", {"up_to": 1}, "/acknowledgements")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and first.json()["acknowledged"] == 1
    # The first answer replayed, not the acknowledgement made again (which would store another
    # log leaf, and answer `acknowledged: 0`).
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert stored() == after_first


def test_an_acknowledgement_sent_again_without_the_key_is_run_again_not_replayed(api, personas):
    """The other side of the test above: without the key the same body is a new request."""
    _post(api, personas["fra_submitter"], "n", pln())
    who = personas["jpn_reader"]
    first = api.post("/acknowledgements", who, json={"up_to": 1})
    again = api.post("/acknowledgements", who, json={"up_to": 1})
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert (first.json()["acknowledged"], again.json()["acknowledged"]) == (1, 0)


def test_a_rejected_request_is_replayed_as_rejected_not_run_again(api, personas):
    bad = pln(category="XX")
    first = _post(api, personas["fra_submitter"], "bad-1", bad)
    after_first = stored()
    again = _post(api, personas["fra_submitter"], "bad-1", bad)
    assert first.status_code == again.status_code == 422
    assert again.content == first.content
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert stored() == after_first
    assert IdempotencyRecord.objects.count() == 1  # the one answer, kept for its replays


def test_an_overlong_key_is_rejected_naming_the_header(api, personas):
    r = _post(api, personas["fra_submitter"], "k" * 256, pln())
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Notification.objects.count() == 0


# Issue 10, finding 4: the key's record commits with the write and its answer, or not at all.


def test_a_request_that_fails_after_its_write_leaves_neither_the_write_nor_the_key(
    api, personas, monkeypatch
):
    """The worker fails after the service wrote but before the answer was stored (here: while
    adding receipts). Before, the notification stayed committed and the key was dropped, so the
    client never learnt its reference and a retry created a second notification."""
    real = ledger_middleware._with_receipts

    def broken_once(response, indexes):
        monkeypatch.setattr(ledger_middleware, "_with_receipts", real)
        raise RuntimeError("the worker died here")

    monkeypatch.setattr(ledger_middleware, "_with_receipts", broken_once)
    body = pln()
    first = _post(api, personas["fra_submitter"], "crash-1", body)
    assert first.status_code == 500
    assert Notification.objects.count() == Event.objects.count() == LogEntry.objects.count() == 0
    assert not IdempotencyRecord.objects.filter(key="crash-1").exists()
    retry = _post(api, personas["fra_submitter"], "crash-1", body)
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    assert Notification.objects.count() == 1
    again = _post(api, personas["fra_submitter"], "crash-1", body)
    assert again.json() == retry.json() and again.headers["Idempotent-Replayed"] == "true"


def test_a_claim_left_without_an_answer_lapses_so_the_retry_runs(api, personas, settings):
    """Only an older version committed a claim before its answer; such a claim no longer blocks
    retries for ever: after the lapse time the retry runs."""
    body = pln()
    user = User.objects.get(username="fra_submitter")
    IdempotencyRecord.objects.create(
        user=user,
        key="stuck",
        request_hash="0" * 64,
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_CLAIM_LAPSE_SECONDS + 1),
    )
    r = _post(api, personas["fra_submitter"], "stuck", body)
    assert r.status_code == 201, r.text
    assert Notification.objects.count() == 1
    record = IdempotencyRecord.objects.get(user=user, key="stuck")
    assert record.status_code == 201


def test_a_fresh_claim_without_an_answer_is_still_reported_in_progress(api, personas):
    user = User.objects.get(username="fra_submitter")
    body = pln()
    first = _post(api, personas["fra_submitter"], "probe", body)  # learn the fingerprint
    fingerprint = IdempotencyRecord.objects.get(user=user, key="probe").request_hash
    IdempotencyRecord.objects.create(
        user=user, key="young", request_hash=fingerprint, created_at=timezone.now()
    )
    IdempotencyRecord.objects.filter(key="young").update(request_hash=fingerprint)
    r = _post(api, personas["fra_submitter"], "young", body)
    assert first.status_code == 201 and r.status_code == 409
    assert "still in progress" in r.json()["detail"]
    assert Notification.objects.count() == 1


def test_concurrent_retries_of_one_key_create_one_notification_and_give_one_answer(api, personas):
    body = pln()
    with ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(lambda _: _post(api, personas["fra_submitter"], "race", body), range(6))
        )
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["reference"] for a in answers}) == 1
    assert sum("Idempotent-Replayed" not in a.headers for a in answers) == 1
    assert Notification.objects.count() == 1


def test_an_unsupported_media_type_is_not_kept_so_the_corrected_retry_runs(api, personas):
    """The key's fingerprint leaves out the Content-Type: a 415 must not be replayed for ever."""
    raw = json.dumps(pln()).encode()
    who = personas["fra_submitter"]
    plain = api.post(
        "/notifications",
        who,
        content=raw,
        headers={"Idempotency-Key": "typed", "Content-Type": "text/plain"},
    )
    assert plain.status_code == 415
    fixed = api.post(
        "/notifications",
        who,
        content=raw,
        headers={"Idempotency-Key": "typed", "Content-Type": "application/json"},
    )
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers
    assert Notification.objects.count() == 1


def test_a_key_with_a_nul_byte_is_refused_naming_the_header(live_server, personas):
    """Sent over a raw socket (HTTP clients refuse to send it): a 500 on PostgreSQL before."""
    host, port = live_server.url.removeprefix("http://").split(":")
    body = json.dumps(pln()).encode()
    request = (
        b"POST /api/v1/notifications HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Authorization: Bearer " + personas["fra_submitter"].token.encode() + b"\r\n"
        b"Content-Type: application/json\r\nIdempotency-Key: a\x00b\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(request)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    assert status == 422, answer[:500]
    problem = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    assert Notification.objects.count() == 0
