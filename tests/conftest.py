"""Session-wide setup: the reference data, rate limits off, a prompt live server. The personas,
the browser and the live server's bookkeeping are fixtures of `support.people`,
`support.browser` and `support.live` (registered below);
tests/README.md says which test goes where."""

import importlib.util
import os
from pathlib import Path

import pytest
from django.conf import global_settings
from hypothesis import HealthCheck, settings
from support.database import (
    load_reference,
    postgres_commits_unwaited,
    restore_after_flush,
    snapshot,
    sqlite_kept_open,
)

# Hypothesis's deadline and its "too slow" health check are timed assertions: on a shared 2-core
# machine with its load at 15 they fail tests whose logic is right (a pure consensus property
# failed so, generating one input in 1.3 s). Timing belongs in bench/, never in a test's verdict.
settings.register_profile("hcoc", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("hcoc")

ROOT = Path(__file__).resolve().parents[1]

pytest_plugins = [
    "support.people",
    "support.browser",
    "support.live",
    "support.processes",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests marked `slow` first on every worker's queue: they then start early and the last
    tests to finish are short. pytest-xdist's worksteal scheduler hands worker i the i-th
    contiguous share of this list and later moves tests from the end of a busy worker's queue
    to an idle one; so the list is one share per worker, each its part of the slow tests then
    quick tests. Sorting all slow tests to the front gave them all to the first worker, and the
    other stole them late: the run ended on the crash run. The slow tests are dealt one at a
    time to the worker with the fewest so far, except that a module marked `together` (its tests
    share a server or a build its module starts) goes whole to one worker, and the modules marked
    `together("name")` with one name (they share a server of the session) all to one worker:
    split, each worker started that server, and one waited for the other's demo build. Safe in any order: every
    test starts from the same database (support.database)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    units: dict[object, list] = {}
    for item in items:
        if item.get_closest_marker("slow") is not None:
            together = item.get_closest_marker("together")
            # `together("name")`: every module so marked shares one worker (a session's server).
            unit = item if together is None else (together.args or (item.module,))[0]
            units.setdefault(unit, []).append(item)
    quick = [item for item in items if item.get_closest_marker("slow") is None]
    dealt: list[list] = [[] for _ in range(workers)]
    for unit in units.values():
        min(dealt, key=len).extend(unit)
    ordered, left = [], len(items)
    for i, share in enumerate(dealt):
        size = left // (workers - i)  # worker i's share, as the scheduler splits the list
        fill = max(0, size - len(share))
        ordered += share + quick[:fill]
        del quick[:fill]
        left -= size
    items[:] = ordered + quick


def pytest_sessionstart(session):
    """HCOC_EXPECT_DATABASE=sqlite or postgresql (set by .ci/run for each leg): the run fails at
    once if the tests would run on another database, say a PostgreSQL leg that fell back to
    SQLite because DATABASE_URL got lost on the way. And the translation catalogues compiled
    where a .po is newer than its .mo (as `make setup` does), so a run straight after a merge
    of translations reads them (issue 27)."""
    from django.db import connection

    compile_catalogues()

    expected = os.environ.get("HCOC_EXPECT_DATABASE")
    if expected and connection.vendor != expected:  # known from the settings, before connecting
        pytest.exit(
            f"HCOC_EXPECT_DATABASE={expected} but the tests run on {connection.vendor}",
            returncode=3,
        )


def compile_catalogues() -> None:
    # Imported from its file: tools/ is not a package (tools/catalogues.py, run by make).
    spec = importlib.util.spec_from_file_location("catalogues", ROOT / "tools" / "catalogues.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.compile_all()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, its reference data loaded once; put back after every flush."""
    with django_db_blocker.unblock():
        postgres_commits_unwaited()
        load_reference()
        tables = snapshot()
    with restore_after_flush(tables), sqlite_kept_open():
        yield


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started after the test database is set up so that it stops
    (closing its thread's connection) before the database is dropped, whichever test comes
    first (slow tests, which start with a browser and a live server, run first)."""
    return live_server


# Django's own advice for tests: a fast password hasher. The production one (PBKDF2, a million
# iterations) takes half a second a password here, and the suite sets and checks hundreds. Hashes
# made before (the demo's, in its own process) still verify: the production hashers follow.
# tests/auth/test_auth_lockout_concurrency.py puts the production hasher back: its race needs
# the time a real password check takes.
FAST_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    *global_settings.PASSWORD_HASHERS,
]


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(scope="session", autouse=True)
def static_files_found_when_asked():
    """WhiteNoise, when a request handler is made, lists every static file the finders know (the
    admin's, the API docs'): 32 ms, and every test Client makes a handler of its own (the access
    matrices make over a thousand). In autorefresh mode it finds a file when it is asked for
    instead: the same files, served by the same middleware. Servers a test starts in a process
    of their own (`hcoc serve`) keep the production setting."""
    from django.test import override_settings

    with override_settings(WHITENOISE_AUTOREFRESH=True):
        yield


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
