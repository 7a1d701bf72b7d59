from conftest import pln

from hcoc.exchange.models import Event
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


def test_keys_belong_to_their_user_so_two_states_may_use_the_same_key(api, personas):
    a = _post(api, personas["fra_submitter"], "shared", pln())
    b = _post(api, personas["jpn_submitter"], "shared", pln())
    assert a.status_code == b.status_code == 201
    assert a.json()["reference"] != b.json()["reference"]


def test_every_post_honours_the_key_including_acknowledgements(api, personas):
    _post(api, personas["fra_submitter"], "n", pln())
    first = _post(api, personas["jpn_reader"], "ack-1", {"up_to": 1}, "/acknowledgements")
    again = _post(api, personas["jpn_reader"], "ack-1", {"up_to": 1}, "/acknowledgements")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and first.json()["acknowledged"] == 1


def test_a_rejected_request_is_replayed_as_rejected_not_run_again(api, personas):
    bad = pln(category="XX")
    first = _post(api, personas["fra_submitter"], "bad-1", bad)
    again = _post(api, personas["fra_submitter"], "bad-1", bad)
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()


def test_an_overlong_key_is_rejected_naming_the_header(api, personas):
    r = _post(api, personas["fra_submitter"], "k" * 256, pln())
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Notification.objects.count() == 0
