"""Fixtures of the live-delivery tests: real HTTP receivers on loopback, and the setting that
lets webhooks reach loopback (refused by default)."""

import pytest
from support.receivers import LOOPBACK, Receiver


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = LOOPBACK


@pytest.fixture
def receiver(loopback_allowed):
    r = Receiver()
    yield r
    r.close()
