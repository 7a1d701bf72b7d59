"""How a server process notices new items: one thread per process, never one query loop per
connection.

While anyone listens, the thread waits for news (hcoc.exchange.news): on PostgreSQL a `NOTIFY`
that every write sends on commit, carrying only the seq, so that any number of server processes,
on any number of machines sharing the database, wake when the feed grows and otherwise stay
quiet (they still ask every few seconds, in case a write did not announce itself); on SQLite,
one machine, the poll interval `HCOC_STREAM_POLL_MS` or a commit in the same process, whichever comes first.
Woken, it asks the database for the sequence's last `seq` and the last acknowledgement's id (one
index-backed query, the same on both databases). When the sequence has grown it reads the new items once (`feed_page`, exactly what
`/feed` serves), encodes each once as a Server-Sent Event, re-checks the bearer tokens of every
open API stream of the process in one query (`token_users`), and hands all of it to every
listener on its event loop (`loop.call_soon_threadsafe`). A listener that finds a gap (it was
still catching up, or fell behind) reads from the feed itself: the feed stays the source of truth,
the hub only says when to look.
"""

import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from hcoc.accounts.services import token_users
from hcoc.exchange.models import Acknowledgement, Event
from hcoc.exchange.news import Waiter
from hcoc.exchange.schemas import FeedItem
from hcoc.exchange.selectors import feed_page

log = logging.getLogger(__name__)

# The most items the hub reads at once; a larger burst is read in pages of this size.
PAGE = 500
# Deliveries a listener may have waiting before it is told to re-read the feed itself instead
# (a slow client never makes the process hold an unbounded queue for it).
MAX_PENDING = 50


def sse(*, data: str, event: str | None = None, id: int | None = None) -> bytes:
    """One Server-Sent Event (WHATWG HTML, "Server-sent events"): every line of `data` as its
    own `data:` line, so text with newlines (an HTML fragment) arrives whole."""
    lines = []
    if id is not None:
        lines.append(f"id: {id}")
    if event is not None:
        lines.append(f"event: {event}")
    lines.extend(f"data: {line}" for line in data.split("\n"))
    return ("\n".join(lines) + "\n\n").encode()


def item_json(item: dict) -> str:
    """The feed item as `/feed` serves it: through the same schema, as JSON on one line."""
    return json.dumps(FeedItem.model_validate(item).model_dump(mode="json"), ensure_ascii=False)


def item_event(item: dict) -> bytes:
    return sse(id=item["seq"], event=item["kind"], data=item_json(item))


@dataclass
class HubBatch:
    """What the hub hands a listener: new items (each with its encoded event), the sequence's
    last seq as the hub read it (`head`: a listener behind it reads the feed itself), whether
    acknowledgements changed, and for an API stream its token's user now (None: revoked)."""

    items: list[tuple[dict, bytes]]
    head: int
    acks_changed: bool
    user: object = None
    checked: bool = False  # `user` is the result of a token re-check


@dataclass(eq=False)
class Listener:
    loop: asyncio.AbstractEventLoop
    token: str | None = None  # an API stream's raw bearer token, re-checked with every delivery
    pending: list[HubBatch] = field(default_factory=list)
    woken: asyncio.Event = field(default_factory=asyncio.Event)

    def deliver(self, delivery: HubBatch) -> None:  # on the listener's loop
        if len(self.pending) >= MAX_PENDING:
            # Keep only what says where the sequence stands: the listener re-reads the feed.
            self.pending = [
                HubBatch(
                    items=[],
                    head=delivery.head,
                    acks_changed=True,
                    user=delivery.user,
                    checked=delivery.checked,
                )
            ]
        else:
            self.pending.append(delivery)
        self.woken.set()

    async def wait(self, timeout: float) -> list[HubBatch] | None:
        """The deliveries since the last call, or None after `timeout` seconds without any."""
        if not self.pending:
            try:
                await asyncio.wait_for(self.woken.wait(), timeout)
            except TimeoutError:
                return None
        self.woken.clear()
        taken, self.pending = self.pending, []
        return taken


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: set[Listener] = set()
        self._someone = threading.Event()  # set while anyone listens
        self._thread: threading.Thread | None = None
        self.last_seq: int | None = None
        self.last_ack: int | None = None
        self._news: Waiter | None = None  # made in the thread: it waits for the writes' news

    def listen(self, *, token: str | None = None) -> Listener:
        listener = Listener(loop=asyncio.get_running_loop(), token=token)
        with self._lock:
            self._listeners.add(listener)
            self._someone.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="hcoc-hub", daemon=True)
                self._thread.start()
        return listener

    def leave(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.discard(listener)
            if not self._listeners:
                self._someone.clear()

    @property
    def listening(self) -> int:
        return len(self._listeners)

    # ---- the poller thread -------------------------------------------------------------------

    def _run(self) -> None:
        interval = settings.STREAM_POLL_MS / 1000
        if self._news is None:
            self._news = Waiter()
        news = self._news
        while True:
            if not self._someone.wait(timeout=60):
                # Nobody has listened for a minute: let the database connections go.
                news.close()
                connection.close()
                continue
            try:
                news.open()  # LISTEN first, then read the heads: no write falls in between
                self._poll()
                news.wait(interval)
            except Exception:  # a lost database connection: log, reconnect at the next round
                log.exception("live delivery: reading the feed failed; retrying")
                news.close()
                connection.close()
                time.sleep(1)

    def _heads(self) -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT MAX(seq) FROM {Event._meta.db_table}), "  # noqa: S608 (our table names)
                f"(SELECT MAX(id) FROM {Acknowledgement._meta.db_table})"
            )
            seq, ack = cursor.fetchone()
        return seq or 0, ack or 0

    def _poll(self) -> None:
        seq, ack = self._heads()
        if self.last_seq is None:
            # The first round: tell every listener where the sequence stands; one that read
            # less than that before the hub started reads the rest from the feed.
            self.last_seq, self.last_ack = seq, ack
            self._dispatch(HubBatch(items=[], head=seq, acks_changed=True))
            return
        if seq == self.last_seq and ack == self.last_ack:
            return
        if seq < self.last_seq:
            # The sequence never shrinks, but a database can be put back (`hcoc restore`):
            # start again from where it stands, as on the first round.
            self.last_seq, self.last_ack = seq, ack
            self._dispatch(HubBatch(items=[], head=seq, acks_changed=True))
            return
        items: list[tuple[dict, bytes]] = []
        after = self.last_seq
        while after < seq:
            page = feed_page(after=after, limit=PAGE)
            items.extend((item, item_event(item)) for item in page["items"])
            if not page["items"]:
                break
            after = page["last_seq"]
        acks_changed = ack != self.last_ack
        self.last_seq, self.last_ack = max(after, self.last_seq), ack
        self._dispatch(HubBatch(items=items, head=self.last_seq, acks_changed=acks_changed))

    def _dispatch(self, shared: HubBatch) -> None:
        with self._lock:
            listeners = list(self._listeners)
        tokens = {li.token for li in listeners if li.token}
        users = token_users(tokens) if tokens and shared.items else {}
        # One hand-over per event loop (a server worker's), not one per listener: the loop
        # is woken once and wakes its streams itself.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Listener, HubBatch]]] = {}
        for li in listeners:
            delivery = HubBatch(
                items=shared.items, head=shared.head, acks_changed=shared.acks_changed
            )
            if li.token and shared.items:
                delivery.user, delivery.checked = users.get(li.token), True
            by_loop.setdefault(li.loop, []).append((li, delivery))
        for loop, handed in by_loop.items():
            try:
                loop.call_soon_threadsafe(_deliver_all, handed)
            except RuntimeError:  # its loop has closed (a worker stopping)
                for li, _ in handed:
                    self.leave(li)


def _deliver_all(handed: list[tuple[Listener, HubBatch]]) -> None:  # on their loop
    for li, delivery in handed:
        li.deliver(delivery)


hub = Hub()
