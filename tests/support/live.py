"""The live server's requests in flight, and a test that has the live server ends only once the
server has finished every request it was sent (fixtures registered by tests/conftest.py)."""

import threading

import pytest


class InFlight:
    """The live server's requests that have begun and not yet ended: read, answered and closed,
    `request_finished` (where Django tidies the database connection) included."""

    def __init__(self):
        self.paths: dict[int, str] = {}  # the serving thread's id: the request's path
        self.changed = threading.Condition()

    def begin(self, path: str) -> None:
        with self.changed:
            self.paths[threading.get_ident()] = path

    def end(self) -> None:
        with self.changed:
            if self.paths.pop(threading.get_ident(), None) is not None:
                self.changed.notify_all()

    def wait_idle(self, seconds: float) -> list[str]:
        """[] once no request is in flight; else, after `seconds`, the paths still in flight."""
        with self.changed:
            self.changed.wait_for(lambda: not self.paths, timeout=seconds)
            return sorted(self.paths.values())


LIVE_REQUESTS = InFlight()


@pytest.fixture(scope="session", autouse=True)
def live_requests_counted():
    """Counts the live server's requests in flight (LIVE_REQUESTS): from the moment one is read
    (not while a kept-alive connection waits for the next) to the end of its handling."""
    from django.test.testcases import QuietWSGIRequestHandler as Handler

    parse, handle = Handler.parse_request, Handler.handle_one_request

    def parse_request(self):
        read = parse(self)
        if read:
            LIVE_REQUESTS.begin(self.path)
        return read

    def handle_one_request(self):
        try:
            handle(self)
        finally:
            LIVE_REQUESTS.end()

    Handler.parse_request, Handler.handle_one_request = parse_request, handle_one_request
    yield
    Handler.parse_request, Handler.handle_one_request = parse, handle


@pytest.fixture(autouse=True)
def live_server_idle_when_a_test_ends(request):
    """A test with the live server ends only once the server has finished every request it was
    sent. A client can have its whole answer while the server thread has still to close it (and
    Django then tidies the database connection): under load that came after the test, against a
    database already flushed for the next test and closed to access, and printed a traceback
    into the run. Set up after the test's database, so this waits before the database is
    flushed."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    busy = LIVE_REQUESTS.wait_idle(30)
    assert busy == [], f"the live server was still serving {busy} 30 s after the test ended"
