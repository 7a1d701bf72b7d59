"""`GET /api/v1/feed/stream`: the exchange feed as Server-Sent Events (docs/api.md, *Live
delivery*).

Each event is one feed item: `id:` its seq, `event:` its kind, `data:` the item as `/feed` serves
it. `Last-Event-ID` (or `?after=`) resumes: every item after it first, in order, read from the
feed, then live items as the process's hub (hcoc.delivery.hub) notices them. A comment line
(`: heartbeat`) every `HCOC_STREAM_HEARTBEAT_SECONDS` keeps proxies from closing a quiet stream.

Access is the feed's (`require_feed_reader`, through the same bearer door as `/feed`), asked
again for every open stream after the items it is about to send are read (the hub re-checks
every stream's token in one query) and at every heartbeat: a revoked token, a disabled user or a
state that no longer subscribes ends the stream there, before any item committed after that
change; reconnecting then gets the 401 or 403 `/feed` would give.

Under an ASGI server (`hcoc serve`) the stream stays open. Under a WSGI server (Django's
development server, the tests' in-process server) a response cannot wait without holding a
worker, so there it sends what the feed holds after the given seq and ends; an EventSource
reconnects after `retry` milliseconds with `Last-Event-ID` and so still receives every item.
"""

import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections, connections
from django.http import StreamingHttpResponse
from ninja import Query, Router

from hcoc.accounts.services import token_user
from hcoc.exchange.access import require_feed_reader
from hcoc.exchange.selectors import feed_page_for
from hcoc.lib.errors import DomainError, FieldProblem, InvalidInput
from hcoc.lib.numbers import LARGEST_STORED, whole_number

from .hub import Listener, hub, item_event

stream_router = Router(tags=["feed"])

MEDIA_TYPE = "text/event-stream"
# How long an EventSource waits before reconnecting (the `retry:` field), in milliseconds.
RETRY_MS = 2000
# Items read from the feed at once while a stream catches up.
CATCH_UP_PAGE = 500


def resume_point(request, after: int | None) -> int:
    """Where the stream starts: after `Last-Event-ID` if the client sent one (an EventSource
    reconnecting sends it, with the URL it first used), else after `?after=`, else 0."""
    header = request.headers.get("Last-Event-ID")
    if header is not None:
        value = whole_number(header.strip())
        if value is None or value > LARGEST_STORED:
            raise InvalidInput(
                [FieldProblem("Last-Event-ID", "must be the seq of a feed item (digits, >= 0)")]
            )
        return value
    return after or 0


@stream_router.get(
    "/feed/stream",
    operation_id="feed_stream",
    summary="The exchange feed as Server-Sent Events, resumable with Last-Event-ID",
    description=(
        "`text/event-stream`. Each event: `id:` the item's seq, `event:` its kind, `data:` the "
        "feed item exactly as `GET /feed` serves it (one line of JSON). Items after "
        "`Last-Event-ID` (header) or `after` (query; the header wins) come first, in order, then "
        "live items within about a second of their commit. A comment (`: heartbeat`) is sent "
        "every 15 s (HCOC_STREAM_HEARTBEAT_SECONDS). Access is `/feed`'s and is checked again "
        "before every item and heartbeat: a revoked token or a state that stopped subscribing "
        "ends the stream. Under a WSGI server the stream ends once it has caught up (reconnect "
        "with Last-Event-ID)."
    ),
    response={200: str},
    openapi_extra={
        "parameters": [
            {
                "name": "Last-Event-ID",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "pattern": "^[0-9]{1,19}$"},
                "description": "Resume after this seq (sent by an EventSource when it reconnects)",
            }
        ]
    },
)
def feed_stream(request, after: int = Query(0, ge=0, le=LARGEST_STORED)):
    start = resume_point(request, after)
    # The bearer door has let a feed reader in; the raw token is kept to ask again later.
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    live = isinstance(request, ASGIRequest)
    if live:
        # An open stream must not hold this request's database connection (a pool's, on
        # PostgreSQL) for as long as it lasts: each of its reads takes one and gives it back.
        connections.close_all()
    events = _live_events(token, start) if live else _caught_up_events(request.auth, start)
    response = StreamingHttpResponse(events, content_type=MEDIA_TYPE)
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _read(token: str, after: int) -> dict | None:
    """The feed after `after` for the token's user now, or None if it may no longer read it.
    Runs in a worker thread; the connection it opened is let go (ASGI: no persistent
    connections, docs/decisions/0006)."""
    try:
        page = feed_page_for(actor=token_user(token), after=after, limit=CATCH_UP_PAGE)
        # Asked again once the page is read: an item committed after a revocation (or after its
        # state stopped subscribing) is only in a page read after that change, and this check,
        # coming after the read, sees the change too. Asked only before, a revocation landing
        # between the check and the read let that item through (the hub checks the same way:
        # items first, then tokens).
        require_feed_reader(token_user(token))
        return page
    except DomainError:
        return None
    finally:
        close_old_connections()


def _still_reader(token: str) -> bool:
    try:
        require_feed_reader(token_user(token))
        return True
    except DomainError:
        return False
    finally:
        close_old_connections()


read = sync_to_async(_read, thread_sensitive=False)
still_reader = sync_to_async(_still_reader, thread_sensitive=False)


def _user_may_read(user) -> bool:
    try:
        require_feed_reader(user)
        return True
    except DomainError:
        return False


async def _live_events(token: str, last: int):
    listener: Listener = hub.listen(token=token)
    heartbeat = settings.STREAM_HEARTBEAT_SECONDS
    try:
        yield f"retry: {RETRY_MS}\n: the exchange feed after seq {last}\n\n".encode()
        head = last + 1  # read the feed at once: everything after `last` comes first
        beat = time.monotonic() + heartbeat  # the next heartbeat, and access check
        while True:
            while last < head:  # behind what the hub has seen: read from the feed itself
                page = await read(token, last)
                if page is None:
                    return
                for item in page["items"]:
                    yield item_event(item)
                last = page["last_seq"]
                if not page["more"]:
                    head = last  # all there was when read; the hub says when there is more
                    break
            deliveries = await listener.wait(max(0.0, beat - time.monotonic()))
            if time.monotonic() >= beat:
                if not await still_reader(token):
                    return
                yield b": heartbeat\n\n"
                beat = time.monotonic() + heartbeat
            if deliveries is None:
                continue
            for d in deliveries:
                head = max(head, d.head)
                if d.checked and not _user_may_read(d.user):
                    return
                if d.items and d.items[0][0]["seq"] <= last + 1:
                    for item, encoded in d.items:
                        if item["seq"] == last + 1:
                            yield encoded
                            last = item["seq"]
    finally:  # also when the client went away (Django cancels the response's task)
        hub.leave(listener)


def _caught_up_events(user, last: int):
    """WSGI: everything after `last`, then the end of the response (see the module's doc)."""
    yield f"retry: {RETRY_MS}\n: the exchange feed after seq {last}\n\n".encode()
    while True:
        page = feed_page_for(actor=user, after=last, limit=CATCH_UP_PAGE)
        for item in page["items"]:
            yield item_event(item)
        last = page["last_seq"]
        if not page["more"]:
            return
