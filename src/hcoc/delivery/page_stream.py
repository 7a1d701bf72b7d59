"""The pages' live stream: `/live/stream?page=...`, for people logged in with a session.

The inbox, the dashboard and the acknowledgement lists (the ICC's item page, a notification's
page) open it with htmx's SSE extension and swap in the HTML fragments it sends: the same
templates their pages render, filled by the same selectors (`inbox_page_for`,
`acknowledgement_status_for`; `acknowledgement_report_for` for the ICC's page, which names the
states), so a fragment shows what a reload would show. The hub (one poller per process,
hcoc.delivery.hub) says when to look. Each time, the session and the user are read
again, before and after the fragments are made: a logged-out session, a disabled user or a state
that stopped subscribing ends the stream (the selectors refuse) before any row committed after
that change, at the latest at the next heartbeat.

| page | query | events |
|---|---|---|
| inbox | `page=inbox&after=<newest seq shown>` | `item`: a row of the inbox table, marked new |
| dashboard | `page=dashboard&after=<newest seq shown>` | `item`: an entry of the "not yet acknowledged" list, marked new |
| the ICC's item page | `page=icc_item&seq=<seq>` | `acknowledgements`: the lists of who has and has not acknowledged |
| a notification's page | `page=notification&seq=<seq>` | `acknowledgements`: its acknowledgements section |

Without JavaScript nothing opens it and the pages are as before. Under a WSGI server it answers
204, which tells an EventSource not to reconnect: the pages then simply do not update.
"""

import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections, connections
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.template.loader import render_to_string

from hcoc.accounts.access import may_act_as_icc
from hcoc.exchange.links import subject_link
from hcoc.exchange.selectors import (
    acknowledgement_report_for,
    acknowledgement_status_for,
    feed_page_for,
    inbox_page_for,
    state_names,
)
from hcoc.lib.errors import DomainError
from hcoc.lib.numbers import positive_int, whole_number
from hcoc.states.access import may_read_exchange
from hcoc.ui.pages import FORBIDDEN, exchange_page

from .hub import hub, sse
from .stream import MEDIA_TYPE, RETRY_MS

INBOX_ROW = "exchange/_inbox_row.html"
INBOX_ENTRY = "exchange/_inbox_entry.html"
ICC_ACKS = "exchange/_icc_acknowledgements.html"
NOTIFICATION_ACKS = "notifications/_acknowledgements.html"
PAGES = {
    "inbox": INBOX_ROW,
    "dashboard": INBOX_ENTRY,
    "icc_item": ICC_ACKS,
    "notification": NOTIFICATION_ACKS,
}


@exchange_page
def page_stream(request):
    page = request.GET.get("page", "")
    if page not in PAGES:
        return HttpResponseBadRequest("page: one of " + ", ".join(PAGES))
    if page == "icc_item" and not may_act_as_icc(request.user):
        return HttpResponse(render_to_string(FORBIDDEN, request=request), status=403)
    if page in ("inbox", "dashboard"):
        if request.user.state_id is None:
            return HttpResponse(status=204)  # the ICC has no inbox
        after = whole_number(request.GET.get("after", "0"))
        if after is None:
            return HttpResponseBadRequest("after: the seq of the newest item shown (digits)")
        topic = after
    else:
        topic = positive_int(request.GET.get("seq"))
        if topic is None:
            return HttpResponseBadRequest(
                "seq: the seq of the item whose acknowledgements to follow"
            )
    if not isinstance(request, ASGIRequest):
        return HttpResponse(status=204)
    # An open stream must not hold this request's database connection (a pool's, on PostgreSQL)
    # for as long as it lasts: each of its reads takes one and gives it back.
    connections.close_all()
    response = StreamingHttpResponse(_events(request, page, topic), content_type=MEDIA_TYPE)
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def _current_user(request):
    """The page's user as the database has it now, or None when its session has ended (logged
    out, expired) or the user was disabled."""
    try:
        if not request.session.exists(request.session.session_key):
            return None
        return (
            get_user_model()
            .objects.select_related("state")
            .filter(pk=request.user.pk, is_active=True)
            .first()
        )
    finally:
        close_old_connections()


def _render(request, page: str, topic: int) -> tuple[list[str], int] | None:
    """The fragments to send and the new position (the newest seq sent, for the inbox pages);
    None when the user may no longer read them. Access is asked again once they are made: an
    item committed after a logout or a state's leaving is only read after that change, and the
    check that follows the read sees it (as the API's stream does)."""
    try:
        done = _fragments(request, page, topic)
        return done if done is not None and _still_reading(request) else None
    finally:
        close_old_connections()


def _fragments(request, page: str, topic: int) -> tuple[list[str], int] | None:
    try:
        user = _current_user(request)
        if user is None:
            return None
        if page in ("inbox", "dashboard"):
            found = inbox_page_for(actor=user, after=topic, limit=50)
            names = state_names({item["state"] for item in found["items"]})
            fragments = [
                render_to_string(
                    PAGES[page],
                    {"i": item | {"state_name": names.get(item["state"])}, "new": True},
                    request=request,
                )
                for item in found["items"]
            ]
            return fragments, found["last_seq"]
        if page == "icc_item" and not may_act_as_icc(user):
            return None
        if page == "icc_item":  # the ICC's lists name the states
            status = acknowledgement_report_for(actor=user, seq=topic)
        else:
            status = acknowledgement_status_for(actor=user, seq=topic)
        context = {"status": status, "acks": status}
        if page == "notification":
            item = feed_page_for(actor=user, after=topic - 1, limit=1)["items"][0]
            context |= {
                "n": {"seq": topic, "version": item["version"]},
                "may_acknowledge": user.state_id in status["not_acknowledged"],
                # Its form leads back to the notification's page, not to this stream.
                "back": subject_link(item, user)[0],
                "user": user,
            }
        return [render_to_string(PAGES[page], context, request=request)], topic
    except DomainError:
        return None


def _still_reading(request) -> bool:
    user = _current_user(request)
    return user is not None and may_read_exchange(user)


render = sync_to_async(_render, thread_sensitive=False)
still_reading = sync_to_async(_still_reading, thread_sensitive=False)


async def _events(request, page: str, topic: int):
    listener = hub.listen()
    event = "acknowledgements" if page in ("icc_item", "notification") else "item"
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        look = page in ("inbox", "dashboard")  # new items may have come since the page was made
        beat = time.monotonic() + settings.STREAM_HEARTBEAT_SECONDS  # heartbeat, access check
        while True:
            if look:
                done = await render(request, page, topic)
                if done is None:
                    return
                fragments, topic = done
                for fragment in fragments:
                    yield sse(event=event, data=fragment)
            deliveries = await listener.wait(max(0.0, beat - time.monotonic()))
            if time.monotonic() >= beat:
                if not await still_reading(request):
                    return
                yield b": heartbeat\n\n"
                beat = time.monotonic() + settings.STREAM_HEARTBEAT_SECONDS
            if deliveries is None:
                look = False
                continue
            if event == "item":
                look = any(d.items or d.head > topic for d in deliveries)
            else:
                look = any(d.acks_changed for d in deliveries)
    finally:
        hub.leave(listener)
