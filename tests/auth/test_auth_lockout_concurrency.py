"""The login lockout holds under concurrency: many wrong passwords sent at the same moment get no
more password checks than HCOC_LOGIN_MAX_FAILURES allows (before, 40 parallel attempts got 10
checks where 5 were allowed: the failure count was read, increased and written back).

Real HTTP against the live server, one thread per attempt, all released at once. Runs on SQLite
and PostgreSQL."""

import re
import threading

import httpx
import pytest
from django.conf import global_settings
from support import ON_POSTGRES
from support.people import set_password

from hcoc.accounts.models import User

ATTEMPTS = 40
WRONG = "Wrong username or password."
LOCKED = "this account is locked for a while"


def attempt(base_url: str, username: str, password: str, start: threading.Barrier, out: list):
    with httpx.Client(base_url=base_url, timeout=180) as client:
        form = client.get("/accounts/login/").text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        start.wait()
        response = client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": csrf, "username": username, "password": password},
        )
    out.append((response.status_code, response.text))


# `heavy`: five production password checks and forty clients, seconds of CPU in this process;
# `make check` leaves it to `make test`.
@pytest.mark.heavy
@pytest.mark.slow
def test_parallel_wrong_passwords_get_no_more_checks_than_the_lockout_allows(
    personas, live_server, settings
):
    # The production hasher: the window this race needs is the time a real password check takes
    # (the suite's fast test hasher would make the attempts nearly serial).
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    password = set_password("fra_submitter")
    start = threading.Barrier(ATTEMPTS)
    out: list = []
    threads = [
        threading.Thread(
            target=attempt, args=(live_server.url, "fra_submitter", "wrong", start, out)
        )
        for _ in range(ATTEMPTS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(out) == ATTEMPTS and {status for status, _ in out} == {200}
    checked = sum(WRONG in text for _, text in out)
    refused = sum(LOCKED in text for _, text in out)
    assert checked == settings.LOGIN_MAX_FAILURES, (ON_POSTGRES, checked, refused)
    assert refused == ATTEMPTS - settings.LOGIN_MAX_FAILURES
    user = User.objects.get(username="fra_submitter")
    assert user.locked_until is not None
    assert user.failed_logins == settings.LOGIN_MAX_FAILURES

    # Locked: the right password is not even checked.
    sink: list = []
    attempt(live_server.url, "fra_submitter", password, threading.Barrier(1), sink)
    assert LOCKED in sink[0][1]
