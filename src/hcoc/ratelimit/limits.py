"""Counting requests: fixed one-minute windows in the shared cache, and who a request is from.

A window is a minute of the clock (00 to 59 seconds); each (scope, who, window) has its own
counter, so a window never needs resetting: its key is simply not used again and expires. At a
window's edge a client may get up to twice its limit within a few seconds; in exchange, one
atomic increment per request is all the counting there is.
"""

import hashlib
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import caches

WINDOW_SECONDS = 60  # every limit is per minute
CACHE = "default"


def hit(*, scope: str, who: str, limit: int) -> int | None:
    """Count one request of `who` in `scope`. Returns None while it is within `limit` requests
    this minute (a limit of 0 counts nothing), else the seconds until the next window (for
    Retry-After). Refused requests count too: a client that keeps trying stays refused until
    the window ends, never longer."""
    if limit <= 0:
        return None
    at = time.time()
    window = int(at // WINDOW_SECONDS)
    if _count(f"rl:{scope}:{who}:{window}") <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - at))


def _count(key: str) -> int:
    """One more on `key`, atomically across processes: Redis' INCR, or the database cache's
    locked increment (hcoc.ratelimit.cache). The key lives two windows, so it cannot expire
    while its window is current."""
    cache = caches[CACHE]
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request
        pass
    if cache.add(key, 1, timeout=2 * WINDOW_SECONDS):
        return 1
    return cache.incr(key)  # another process added it first


def digest(text: str) -> str:
    """Tokens and user names enter cache keys only hashed (and at a fixed length)."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR; or, when HCOC_PROXY_COUNT says that many proxies are
    in front, the address the outermost of them saw (the entry it appended to
    X-Forwarded-For), never an entry the client could have written itself."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.RATE_LIMIT_PROXY_COUNT
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            address = hops[-proxies]
    return address_bucket(address)


def address_bucket(address: str) -> str:
    """An IPv4 address as it is; an IPv6 address as its /64, which one client usually holds
    whole (so it cannot step around the limit by changing the last 64 bits)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "other-" + digest(address)
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
