"""Fixtures of the live-delivery tests: real HTTP receivers on loopback, the setting that
lets webhooks reach loopback (refused by default), and the server the streams' tests share."""

import pytest
from support.receivers import LOOPBACK, Receiver
from support.serve import serve


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = LOOPBACK


@pytest.fixture
def receiver(loopback_allowed):
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="session")
def stream_server(django_db_setup, django_db_blocker):
    """One `hcoc serve` for the tests of the feed's stream and of the pages' stream (modules
    marked `together("stream-server")`, so they share a worker and this server; a second
    took a server's start, about 2 CPU-s); each test commits its own personas and items. Quick
    heartbeats, so that a stream that must end at the next one ends soon."""
    running = serve(HCOC_STREAM_HEARTBEAT_SECONDS="0.3")
    yield running
    running.kill()
