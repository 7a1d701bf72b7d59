"""Who may do what on the node, and anything at all sent to it (issue 26, part 2).

The node serves no one's requests in a state's name but one: an acknowledgement, which it signs
with the state's key and forwards to the exchange. It takes one through its API only with its
own token (HCOC_NODE_API_TOKEN), and through an item's page only from its own form (CSRF). The
node has no OpenAPI document of its own: its API is the exchange's read shapes (the exchange's
document describes them) and one POST, so its requests are generated here with Hypothesis, in
process, over every route of its URL map, every method, odd paths, parameters, bodies and
headers: no answer is a server error, an API answer is JSON (the checkpoint a signed note), and
an acknowledgement is queued only with the token, never without it."""

import json
from urllib.parse import quote

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.node_pages import NODE_SETTINGS, node_store

from hcoc.node.models import QueuedAcknowledgement

TOKEN = NODE_SETTINGS["NODE_API_TOKEN"]
ITEMS = [
    {
        "seq": seq,
        "kind": kind,
        "at": "2026-12-07T08:49:12.345678Z",
        "state": state,
        "subject": subject,
        "version": 1,
        "payload": payload,
    }
    for seq, kind, state, subject, payload in (
        (1, "notification.cancelled", "FRA", "FRA-2026-0001", {"reason": "Weather."}),
        (2, "declaration.submitted", "FRA", "FRA/2025", {"year": 2025, "nil": True}),
        (3, "registry.subscribed", "EGY", "EGY", {"state": "EGY"}),
    )
]
ROUTES = [
    "/",
    "/items/{n}",
    "/items/{n}/acknowledge",
    "/declarations/",
    "/declarations/{s}/{n}",
    "/log/",
    "/language",
    "/api/v1/node",
    "/api/v1/feed",
    "/api/v1/items/{n}",
    "/api/v1/acknowledgements",
    "/api/v1/log/keys",
    "/api/v1/log/checkpoints",
    "/api/v1/log/checkpoint",
    "/api/v1/log/entries",
    "/api/v1/log/findings",
    "/{s}",
]
# The routes that take an acknowledgement, drawn more often than the others: what matters most.
WRITES = ["/api/v1/acknowledgements", "/items/{n}/acknowledge"]
numbers = st.one_of(
    st.integers(0, 4), st.integers(-(10**30), 10**30), st.sampled_from([2**63 - 1, 2**63, 2**64])
)
texts = st.text(max_size=30)
values = st.one_of(numbers.map(str), texts, st.sampled_from(["", "0", "1e3", "-1", "NaN", "0x10"]))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, st.floats(allow_nan=False), texts),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=3)),
    max_leaves=8,
)
bodies = st.one_of(
    st.builds(lambda seqs: json.dumps({"seqs": seqs}), st.lists(json_values, max_size=5)),
    st.builds(lambda seqs: json.dumps({"seqs": seqs}), st.lists(st.integers(-3, 5), max_size=5)),
    json_values.map(json.dumps),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
)
authorizations = st.one_of(
    st.none(),
    st.sampled_from([f"Bearer {TOKEN}", "Bearer wrong", TOKEN, "Bearer ", f"Basic {TOKEN}"]),
    texts.map(lambda t: f"Bearer {t}"),
)


@st.composite
def requests(draw):
    route = draw(st.one_of(st.sampled_from(ROUTES), st.sampled_from(WRITES)))
    path = route.replace("{n}", quote(str(draw(st.one_of(numbers, values))), safe=""))
    path = path.replace(
        "{s}", quote(draw(st.one_of(st.sampled_from(["FRA", "fra"]), texts)), safe="")
    )
    return {
        "method": draw(
            st.one_of(
                st.sampled_from(["GET", "POST"]),
                st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"]),
            )
        ),
        "path": path,
        "query": draw(
            st.dictionaries(
                st.sampled_from(["after", "limit", "start", "end", "after_size", "seq"]),
                values,
                max_size=4,
            )
        ),
        "body": draw(bodies),
        "content_type": draw(
            st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"])
        ),
        "authorization": draw(authorizations),
        "language": draw(st.sampled_from(["", "fr", "ar", "zh-hans;q=0.5, xx", "*"])),
    }


@pytest.fixture
def node(db):
    with override_settings(**NODE_SETTINGS):
        node_store(ITEMS)
        # The pages' form needs the CSRF token it carries: a request from elsewhere has none.
        yield Client(enforce_csrf_checks=True)


def send(client: Client, r: dict):
    headers = {"Accept-Language": r["language"]} if r["language"] else {}
    if r["authorization"] is not None:
        headers["Authorization"] = r["authorization"]
    query = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in r["query"].items())
    path = r["path"] + (f"?{query}" if query else "")
    return client.generic(
        r["method"], path, r["body"].encode(), content_type=r["content_type"], headers=headers
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(r=requests())
def test_no_request_is_a_server_error_and_only_the_token_queues_an_acknowledgement(node, r):
    before = QueuedAcknowledgement.objects.count()
    answer = send(node, r)
    assert answer.status_code < 500, (r, answer.content[:500])
    queued = QueuedAcknowledgement.objects.count() - before
    by_token = (
        r["method"] == "POST"
        and r["path"] == "/api/v1/acknowledgements"
        and r["authorization"] == f"Bearer {TOKEN}"
    )
    if queued:
        assert by_token and answer.status_code == 202 and queued == 1, r
    if r["method"] == "POST" and r["path"] == "/api/v1/acknowledgements" and not by_token:
        assert answer.status_code == 401, (r, answer.content[:300])
    if answer.status_code == 202:
        assert queued == 1
    if not r["path"].startswith("/api/") or r["method"] == "HEAD":
        return
    if 200 <= answer.status_code < 300:
        if r["path"] == "/api/v1/log/checkpoint":
            assert answer["Content-Type"].startswith("text/plain")
        else:
            assert answer["Content-Type"] == "application/json"
            json.loads(answer.content)
    elif answer.status_code in (401, 404, 422, 503):
        assert answer["Content-Type"] == "application/problem+json", r
        assert json.loads(answer.content)["detail"]


def test_without_a_token_configured_the_api_takes_no_acknowledgement(node):
    with override_settings(NODE_API_TOKEN=""):
        for authorization in ("Bearer ", "Bearer", "", f"Bearer {TOKEN}"):
            answer = node.post(
                "/api/v1/acknowledgements",
                json.dumps({"seqs": [1]}),
                content_type="application/json",
                headers={"Authorization": authorization},
            )
            assert answer.status_code == 401, authorization
    assert not QueuedAcknowledgement.objects.exists()


def test_the_page_takes_an_acknowledgement_only_from_its_own_form(node):
    assert node.post("/items/1/acknowledge").status_code == 403  # no CSRF token: from elsewhere
    assert not QueuedAcknowledgement.objects.exists()
    page = node.get("/items/1").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert node.post("/items/1/acknowledge", {"csrfmiddlewaretoken": token}).status_code == 302
    assert QueuedAcknowledgement.objects.get().seqs == [1]
