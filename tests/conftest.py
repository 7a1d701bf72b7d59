"""Session-wide setup: the reference data, rate limits off, a prompt live server. The personas
and the browser are fixtures of `support.people` and `support.browser` (registered below);
tests/README.md says which test goes where."""

import os

import pytest
from support.database import load_reference

pytest_plugins = ["support.people", "support.browser"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def reference(transactional_db):
    """Transactional tests flush the database after each test: put the reference data back."""
    load_reference()


RATE_LIMITS_OFF = {"RATE_LIMIT_API": 0, "RATE_LIMIT_API_ADDRESS": 0, "RATE_LIMIT_LOGIN": 0}


@pytest.fixture(scope="session", autouse=True)
def prompt_live_server():
    """The test server writes an answer's headers and body in two sends; with Nagle's algorithm
    the body then waits for the client's delayed ACK (40 ms), a request in two. Production
    servers do not; here it would only make every live-server test slower."""
    from django.test.testcases import QuietWSGIRequestHandler

    QuietWSGIRequestHandler.disable_nagle_algorithm = True
    yield
    QuietWSGIRequestHandler.disable_nagle_algorithm = False


@pytest.fixture(scope="session", autouse=True)
def rate_limits_off():
    """The suite sends thousands of requests a minute from one address: no rate limits, in this
    process and in the servers tests start, except where a test sets its own
    (tests/ops/test_rate_limits.py)."""
    from django.test import override_settings

    names = ["HCOC_" + name for name in RATE_LIMITS_OFF]
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(dict.fromkeys(names, "0"))
    with override_settings(**RATE_LIMITS_OFF):
        yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
