"""Every error answer is declared in the OpenAPI document as what the server sends: RFC 9457
problem details, `application/problem+json`, schema `Problem` (issue 26). A client generated from
the document then parses every 4xx and 5xx the same way, keyed on the problem's `type`.

tests/api/test_api_fuzz.py holds the server to these declarations (schemathesis fails on a status,
content type or body the document does not describe)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PROBLEM = {"$ref": "#/components/schemas/Problem"}
# What any operation may answer: a bad request, a bad token, a path or parameter it cannot take,
# invalid input, the rate limit, a fault of the exchange's own.
EVERY_OPERATION = {"400", "401", "404", "422", "429", "500"}
# And a POST: a refused caller, a conflict or replay, a body too large.
EVERY_POST = EVERY_OPERATION | {"403", "409", "413"}


def _operations(document: dict):
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            if isinstance(op, dict):
                yield f"{method.upper()} {path}", method, op


@pytest.fixture(scope="module")
def document(django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/api/v1/openapi.json").json()


def test_every_error_answer_of_every_operation_is_a_problem_document(document):
    wrong = [
        f"{name} {status}: {sorted(response.get('content', {}))}"
        for name, _, op in _operations(document)
        for status, response in op["responses"].items()
        if (status[0] in "45" or status == "default")
        and response.get("content") != {"application/problem+json": {"schema": PROBLEM}}
    ]
    assert wrong == []


def test_every_operation_declares_the_errors_it_can_give(document):
    missing = [
        f"{name}: {sorted((EVERY_POST if method == 'post' else EVERY_OPERATION) - set(op['responses']))}"
        for name, method, op in _operations(document)
        if (EVERY_POST if method == "post" else EVERY_OPERATION) - set(op["responses"])
    ]
    assert missing == []


def test_a_success_is_never_declared_as_a_problem(document):
    wrong = [
        f"{name} {status}"
        for name, _, op in _operations(document)
        for status, response in op["responses"].items()
        if status[0] in "123" and "application/problem+json" in response.get("content", {})
    ]
    assert wrong == []


def test_the_problem_schema_is_rfc_9457_with_the_fields_at_fault(document):
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert problem["properties"]["errors"]["items"]["required"] == ["field", "message"]
    # The headers a client acts on travel with their problems.
    operation = document["paths"]["/api/v1/notifications"]["post"]["responses"]
    assert "Retry-After" in operation["429"]["headers"]
    assert "WWW-Authenticate" in operation["401"]["headers"]


def test_the_document_is_built_once_per_process_and_then_served_as_built(monkeypatch):
    """GET openapi.json needs no token: each request building the document anew (about 0.1
    CPU-second) would let one client within the per-address limit keep the server busy."""
    import ninja.main

    from hcoc.api import api

    built = []
    build = ninja.main.get_schema
    monkeypatch.setattr(ninja.main, "get_schema", lambda **kw: built.append(kw) or build(**kw))
    monkeypatch.setattr(api, "_schemas", {}, raising=False)
    answers = [Client().get("/api/v1/openapi.json") for _ in range(3)]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert len(built) == 1, built
