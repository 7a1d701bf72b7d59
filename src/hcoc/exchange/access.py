"""Who reads the exchange's sequence: the one rule of `/feed` and of everything that serves the
sequence (its live stream re-asks it for every open stream before each item and heartbeat, and
a webhook endpoint's deliveries ask it of the user who registered it)."""

from hcoc.accounts.models import User
from hcoc.states.access import require_exchange_reader


def require_feed_reader(actor: User | None) -> User:
    return require_exchange_reader(actor)
