"""Rate limits (issue 10): per token and per client address on the API, per address and per user
name on the login; 429 with Retry-After, and a refused request does nothing. Counted in the
database cache, or in Redis with REDIS_URL, and shared by every worker process.

The rest of the suite runs with every limit off (conftest.rate_limits_off); these tests set small
ones. Counters are per clock minute: a test in this process moves its clock to the start of the
next minute (time-machine), so that its requests fall in one minute without waiting for it; the
test of a real gunicorn, whose clock is the machine's, runs its burst again with a new token
(whose count starts at zero) if it straddled two minutes (burst_in_one_minute).
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client, override_settings
from support import TLS, answers, free_port
from support.bodies import pln
from support.people import set_password
from support.serve import database_url

from hcoc.accounts.models import User
from hcoc.accounts.services import token_create
from hcoc.exchange.models import Event
from hcoc.idempotency.models import IdempotencyRecord
from hcoc.ledger.models import LogEntry
from hcoc.notifications.models import Notification
from hcoc.ratelimit.limits import address_bucket, digest

REDIS = "redis://127.0.0.1:6379/11"
DATABASE_CACHE = {
    "default": {"BACKEND": "hcoc.ratelimit.cache.DatabaseCache", "LOCATION": "hcoc_cache"}
}


def burst_in_one_minute(send, tokens: list[str]):
    """`send(token)`'s outcome, from a run that began and ended in one clock minute, with a new
    token of fra_reader's (added to `tokens`): a run that straddled two minutes (its counts split
    between them) is run again at once with another new token, whose count starts at zero."""
    for _ in range(3):
        _, token = token_create(user=User.objects.get(username="fra_reader"), name="burst")
        tokens.append(token)
        minute = time.time() // 60
        outcome = send(token)
        if time.time() // 60 == minute:
            return outcome
    pytest.fail("three runs in a row straddled a minute boundary")


@pytest.fixture
def limits(settings, transactional_db):
    """Set limits (per minute) for one test, on counters that start at zero; the test's clock
    then stands at the start of a minute and runs on from there."""
    at_a_minutes_start = []

    def set_limits(*, api=0, address=0, login=0, proxies=0):
        settings.RATE_LIMIT_API = api
        settings.RATE_LIMIT_API_ADDRESS = address
        settings.RATE_LIMIT_LOGIN = login
        settings.RATE_LIMIT_PROXY_COUNT = proxies
        cache = settings.CACHES["default"]
        if "Redis" not in cache["BACKEND"]:
            caches["default"].clear()  # the test database's
        elif not cache.get("KEY_PREFIX", "").startswith("hcoc-test-"):
            # Redis (REDIS_URL) is not the test's own: counters under a prefix of this test's.
            # They expire within two minutes.
            settings.CACHES = {"default": {**cache, "KEY_PREFIX": f"hcoc-test-{uuid.uuid4().hex}"}}
        traveller = time_machine.travel((time.time() // 60 + 1) * 60 + 0.5, tick=True)
        traveller.start()
        at_a_minutes_start.append(traveller)

    yield set_limits
    for traveller in reversed(at_a_minutes_start):
        traveller.stop()


def assert_refused(r: httpx.Response) -> int:
    """A 429 with Retry-After (seconds, at most the rest of the minute) and problem details."""
    assert r.status_code == 429, r.text
    wait = int(r.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert r.headers["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == "urn:hcoc:problem:rate-limited"
    assert problem["status"] == 429 and problem["title"] == "Too many requests"
    assert f"Try again in {wait} s." in problem["detail"]
    return wait


# ---- the API -----------------------------------------------------------------------------------


def test_a_token_over_its_limit_per_minute_gets_429_with_retry_after_and_problem_details(
    api, personas, limits
):
    limits(api=3)
    fra = personas["fra_reader"]
    assert [api.get("/inbox", fra).status_code for _ in range(3)] == [200, 200, 200]
    r = api.get("/inbox", fra)
    assert_refused(r)
    assert "More than 3 API requests a minute with this token." in r.json()["detail"]
    assert api.get("/feed", fra).status_code == 429  # the limit is the token's, on every endpoint


def test_each_token_has_its_own_count(api, personas, limits):
    limits(api=2)
    for _ in range(2):
        assert api.get("/inbox", personas["fra_reader"]).status_code == 200
    assert api.get("/inbox", personas["fra_reader"]).status_code == 429
    assert api.get("/inbox", personas["jpn_reader"]).status_code == 200


def test_a_refused_request_does_nothing_and_the_same_request_succeeds_after_retry_after(
    api, personas, limits
):
    limits(api=1)
    fra = personas["fra_submitter"]
    assert api.get("/inbox", fra).status_code == 200
    body, key = pln(), {"Idempotency-Key": "pln-1"}
    wait = assert_refused(api.post("/notifications", fra, json=body, headers=key))
    assert Notification.objects.count() == 0
    assert Event.objects.count() == 0 and LogEntry.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0  # a retry with the same key is not a replay
    with time_machine.travel(time.time() + wait, tick=True):
        r = api.post("/notifications", fra, json=body, headers=key)
    assert r.status_code == 201, r.text
    assert Notification.objects.count() == 1


def test_the_address_limit_counts_every_api_request_from_the_address_with_or_without_a_token(
    api, personas, limits
):
    limits(address=3)
    assert api.get("/states/FRA").status_code == 200  # public, anonymous
    assert api.get("/inbox", personas["fra_reader"]).status_code == 200
    assert api.get("/inbox", personas["jpn_reader"]).status_code == 200
    r = api.get("/states/FRA")
    assert_refused(r)
    assert "More than 3 API requests a minute from 127.0.0.1." in r.json()["detail"]
    # A made-up token is refused by the address limit before it is even looked up.
    assert api.get("/inbox", headers={"Authorization": "Bearer made-up"}).status_code == 429


def test_x_forwarded_for_is_never_trusted_unless_a_proxy_is_configured(api, limits):
    limits(address=2)
    codes = [
        api.get("/states/FRA", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]


def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended(api, limits):
    limits(address=2, proxies=1)
    for i in range(3):  # three clients behind the proxy: three counts
        assert api.get("/states/FRA", headers={"X-Forwarded-For": f"198.51.100.{i}"}).is_success
    # One client writing whatever it likes before the proxy's entry is still one client.
    forged = [
        api.get("/states/FRA", headers={"X-Forwarded-For": f"10.0.0.{i}, 203.0.113.7"})
        for i in range(3)
    ]
    assert [r.status_code for r in forged] == [200, 200, 429]
    assert "from 203.0.113.7." in forged[-1].json()["detail"]


def test_a_limit_of_zero_is_off(api, personas, limits):
    limits(api=0, address=0)
    assert {api.get("/inbox", personas["fra_reader"]).status_code for _ in range(30)} == {200}


def test_ipv6_clients_count_by_their_64_prefix():
    assert address_bucket("2001:db8:1:2:aaaa::1") == address_bucket("2001:db8:1:2:bbbb::2")
    assert address_bucket("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_bucket("2001:db8:1:3::1") != address_bucket("2001:db8:1:2::1")
    assert address_bucket("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_bucket("192.0.2.1") == "192.0.2.1"
    assert address_bucket("not an address").startswith("other-")


# ---- the login -----------------------------------------------------------------------------------


@pytest.fixture
def passwords(personas, limits):
    return {name: set_password(name) for name in ("fra_submitter", "jpn_submitter")}


def login(username: str, password: str, address: str = "192.0.2.1", path="/accounts/login/"):
    client = Client(REMOTE_ADDR=address)
    return client, client.post(path, {"username": username, "password": password})


def test_logins_over_the_limit_from_one_address_get_a_429_page_and_do_nothing(passwords, limits):
    limits(login=3)
    for name in ("fra_submitter", "jpn_submitter", "nobody"):
        assert login(name, "wrong")[1].status_code == 200
    client, r = login("fra_submitter", passwords["fra_submitter"])  # the right password, too late
    assert r.status_code == 429
    assert 1 <= int(r["Retry-After"]) <= 60
    page = r.content.decode()
    assert "Too many login attempts" in page and "Try again in" in page
    assert "_auth_user_id" not in client.session  # not logged in
    assert User.objects.get(username="fra_submitter").failed_logins == 1  # the refusal counted none
    # Another address may still log in; the form itself is always served.
    assert login("fra_submitter", passwords["fra_submitter"], "192.0.2.2")[1].status_code == 302
    assert Client(REMOTE_ADDR="192.0.2.1").get("/accounts/login/").status_code == 200


def test_one_user_name_is_limited_whatever_the_address(passwords, limits):
    limits(login=3)
    codes = [login("FRA_submitter ", "wrong", f"192.0.2.{i}")[1].status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]  # the name as the login reads it: case and spaces aside
    assert login("jpn_submitter", passwords["jpn_submitter"], "192.0.2.9")[1].status_code == 302


def test_the_admin_login_is_limited_too(passwords, limits):
    limits(login=1)
    assert login("fra_submitter", "wrong", path="/admin/login/")[1].status_code != 429
    assert login("fra_submitter", "wrong", path="/admin/login/")[1].status_code == 429


# ---- Redis, and several processes ------------------------------------------------------------------


def redis_or_skip() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError as e:
        pytest.skip(f"Redis is not reachable at {REDIS}: {e}")


@pytest.fixture
def redis_cache(settings):
    """The cache on Redis, as REDIS_URL makes it, under a key prefix of this test's own."""
    redis_or_skip()
    prefix = f"hcoc-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    import redis

    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_with_redis_the_counts_are_kept_in_redis(api, personas, redis_cache, limits):
    limits(api=2)
    fra = personas["fra_reader"]
    assert [api.get("/inbox", fra).status_code for _ in range(3)] == [200, 200, 429]
    assert_refused(api.get("/inbox", fra))
    import redis

    counters = list(redis.Redis.from_url(REDIS).scan_iter(f"{redis_cache}:*:rl:api-token:*"))
    assert len(counters) == 1
    assert int(redis.Redis.from_url(REDIS).get(counters[0])) == 4


@pytest.mark.process
@pytest.mark.slow
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_two_gunicorn_workers_share_one_count_per_token(backend, personas, limits, tmp_path):
    """A real gunicorn with two worker processes; eight clients at once with one token: exactly
    the limit is served, whichever worker answers (a lost update would let more through)."""
    if backend == "redis":
        redis_or_skip()
    else:  # the suite itself may run on Redis (REDIS_URL), whose settings make no cache table
        with override_settings(CACHES=DATABASE_CACHE):
            call_command("createcachetable")
    limit, sent = 40, 80
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "HCOC_VAR_DIR": str(django_settings.VAR_DIR),
        "HCOC_RATE_LIMIT_API": str(limit),
        "HCOC_RATE_LIMIT_API_ADDRESS": "0",
        "HCOC_RATE_LIMIT_LOGIN": "0",
        "REDIS_URL": REDIS if backend == "redis" else "",
    }
    port, log = free_port(), tmp_path / "access.log"
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "hcoc.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "2"),
            *("--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s %(U)s"),
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    tokens = []
    try:
        if not answers(f"{base}/states/FRA", within=60, proc=server):
            pytest.fail("gunicorn did not start")

        def send(token: str) -> Counter:
            headers = {"Authorization": f"Bearer {token}"}
            with ThreadPoolExecutor(8) as pool:
                return Counter(
                    pool.map(
                        lambda _: (
                            httpx.get(
                                f"{base}/inbox", headers=headers, timeout=30, verify=TLS
                            ).status_code
                        ),
                        range(sent),
                    )
                )

        codes = burst_in_one_minute(send, tokens)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if backend == "redis":
            import redis

            client = redis.Redis.from_url(REDIS)
            for token in tokens:
                for key in client.scan_iter(f"hcoc:*:rl:api-token:{digest(token)}:*"):
                    client.delete(key)
    assert codes == {200: limit, 429: sent - limit}
    served_by = {
        m.group(1)
        for m in re.finditer(r"^<(\d+)> (?:200|429) /api/v1/inbox$", log.read_text(), re.MULTILINE)
    }
    assert len(served_by) == 2, "both workers answered"


def test_strangers_filling_a_names_login_limit_do_not_keep_out_a_browser_it_logged_in_with(
    passwords, limits
):
    owner = Client(REMOTE_ADDR="192.0.2.9")
    owner.post(
        "/accounts/login/", {"username": "fra_submitter", "password": passwords["fra_submitter"]}
    )
    owner.post("/accounts/logout/")
    limits(login=3)  # counters from zero, after the owner's login of an earlier day
    # Strangers from four addresses use up the name's logins for this minute...
    codes = [login("fra_submitter", "wrong", f"192.0.2.{i}")[1].status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    # ...which still holds for every other browser, and not for the owner's.
    assert login("fra_submitter", passwords["fra_submitter"], "192.0.2.8")[1].status_code == 429
    r = owner.post(
        "/accounts/login/", {"username": "fra_submitter", "password": passwords["fra_submitter"]}
    )
    assert r.status_code == 302
