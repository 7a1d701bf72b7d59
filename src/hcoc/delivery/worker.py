"""The delivery worker (`hcoc deliver`): follows the feed and delivers it.

One loop in the main thread, which alone uses the database: it records the deliveries that
finished (one transaction for all of them), asks which endpoints are behind the feed and due
(one small query), plans each one's next item (read through the feed's selector, signed) and
hands the POSTs to an asyncio event loop in a second thread, which only waits on the network and
keeps connections to receivers open between deliveries (transport.Pool): hundreds of deliveries
in flight cost one thread, not one each. At most `HCOC_DELIVERY_CONCURRENCY` are in flight; an
endpoint has at most one, so its order holds, and a slow receiver holds up only itself. It waits
at most `HCOC_DELIVERY_POLL_SECONDS` between passes; on PostgreSQL a write's NOTIFY
(hcoc.exchange.news) ends the wait at once. Each pass also mails the immediate alerts, and once
a day, from `HCOC_DELIVERY_DAILY_HOUR` (UTC), it sends the digests and the ICC's chases.

On PostgreSQL only the worker holding an advisory lock delivers: with `hcoc serve` on several
machines, each starting a worker, one delivers and the others stand by, taking over within
`STANDBY_SECONDS` when its connection (with its process or machine) is gone.

Nothing is lost while no worker runs: the endpoints' cursors and the e-mail cursors stay where
they are, and the feed keeps every item.
"""

import asyncio
import contextlib
import logging
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from hcoc.exchange.news import Waiter, connect

from . import alerts, chases, transport, webhooks

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)
GATHER_SECONDS = 0.02
# PostgreSQL: the advisory lock that only the delivering worker holds ("hcocdelv"), how often a
# waiting worker tries to take it, and how often the one holding it checks it still does.
LOCK_KEY = 0x6863_6F63_6465_6C76
STANDBY_SECONDS = 5.0


class DeliveryWorker:
    def __init__(self, *, concurrency: int | None = None, daily: bool = True, parent=None):
        self.concurrency = concurrency or settings.DELIVERY_CONCURRENCY
        self.loop = asyncio.new_event_loop()
        self.connections = transport.Pool()  # used on the loop only
        self.network = threading.Thread(
            target=self.loop.run_forever, name="deliver-network", daemon=True
        )
        self.network.start()
        self.in_flight: dict[Future, int] = {}  # future -> endpoint id
        self.daily = daily
        self.last_daily = None
        self.stop = threading.Event()
        self.parent = parent  # started by `hcoc serve`: stop when the server is gone
        # Resolved when a write's NOTIFY comes (PostgreSQL): the worker then looks at once.
        self._news: Future = Future()
        self._news_lock = threading.Lock()
        self._lock: psycopg.Connection | None = None  # PostgreSQL: holds the advisory lock

    def _woken(self) -> None:
        with self._news_lock:
            if not self._news.done():
                self._news.set_result(None)

    def _listen(self) -> None:
        """PostgreSQL: wake the worker when a write commits (hcoc.exchange.news), so that a new
        item is planned at once instead of at the next poll."""
        news = Waiter("hcoc-deliver")
        try:
            while not self.stop.is_set():
                try:
                    if news.open() or news.wait(0.2, quiet=1.0):
                        self._woken()
                except Exception:  # a lost connection: the poll goes on meanwhile
                    log.warning("delivery worker: listening for writes failed; retrying")
                    news.close()
                    self.stop.wait(1)
        finally:
            news.close()

    def _finished(self, timeout: float, news: bool = True) -> list[webhooks.DeliveryOutcome]:
        waiting_for = [self._news] if news else []
        if not self.in_flight:
            if waiting_for:
                wait(waiting_for, timeout=timeout)
            else:
                self.stop.wait(timeout)
            return []
        done, pending = wait(
            [*self.in_flight, *waiting_for], timeout=timeout, return_when=FIRST_COMPLETED
        )
        done.discard(self._news)
        pending.discard(self._news)
        if done and pending:  # gather what finishes just after: one transaction records them all
            done |= wait(pending, timeout=GATHER_SECONDS)[0]
        outcomes = []
        for future in done:
            self.in_flight.pop(future)
            try:
                outcomes.append(future.result())
            except Exception:  # a bug, not a receiver's failure: the item is planned again
                log.exception("a delivery failed unexpectedly")
        return outcomes

    def tick(self, timeout: float) -> None:
        outcomes = self._finished(timeout)
        close_old_connections()
        if outcomes:
            webhooks.deliveries_record(outcomes)
        with self._news_lock:  # news from now on wakes the next wait; earlier news: read below
            if self._news.done():
                self._news = Future()
        busy = set(self.in_flight.values())
        room = self.concurrency - len(self.in_flight)
        due = [pk for pk in webhooks.endpoints_due() if pk not in busy][: max(0, room)]
        for planned in webhooks.deliveries_plan(due) if due else []:
            future = asyncio.run_coroutine_threadsafe(
                webhooks.delivery_post_async(planned, self.connections), self.loop
            )
            self.in_flight[future] = planned.endpoint.pk
        try:
            alerts.alerts_send_immediate()
        except Exception:
            log.exception("immediate e-mail alerts failed; retried on the next pass")
        now = timezone.now()
        if (
            self.daily
            and now.hour >= settings.DELIVERY_DAILY_HOUR
            and self.last_daily != now.date()
        ):
            self.last_daily = now.date()
            if not alerts.daily_run_claim(now.date()):
                return  # already run today, by this worker before a restart or by another
            try:
                alerts.digests_send()
                chases.chases_send_due()
            except Exception:
                log.exception("the daily digests or chases failed; retried tomorrow")

    def _leader(self) -> bool:
        """PostgreSQL: wait until this worker holds the advisory lock (one worker delivers, the
        others stand by and take over when its connection goes, with its process or machine).
        False if told to stop first. SQLite: True (one machine, one worker)."""
        if connection.vendor != "postgresql":
            return True
        # Imported on PostgreSQL only (Django's backend has imported it: this costs nothing),
        # as hcoc.exchange.news does: on SQLite the import took 0.1 CPU-s of the worker's start.
        # _still_leader and _release use it only once a lock connection is open, made here.
        import psycopg  # noqa: PLC0415

        told = False
        while not self.stop.is_set():
            try:
                if self._lock is None:
                    self._lock = connect("hcoc-deliver-lock")
                row = self._lock.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()
                if row and row[0]:
                    if told:
                        log.warning("delivery worker: taking over delivery")
                    else:
                        log.info("delivery worker: delivering (this worker holds the lock)")
                    return True
            except psycopg.Error:
                log.warning("delivery worker: asking for the delivery lock failed; retrying")
                self._release()
            if not told:
                log.warning("delivery worker: another worker delivers; this one stands by")
                told = True
            self.stop.wait(STANDBY_SECONDS)
            if self.parent is not None and os.getppid() != self.parent:
                self.stop.set()
        return False

    def _still_leader(self) -> bool:
        if self._lock is None:
            return connection.vendor != "postgresql"
        import psycopg  # noqa: PLC0415 (on PostgreSQL only: see _leader)

        try:
            self._lock.execute("SELECT 1")
            return True
        except psycopg.Error:  # its connection, and so the lock, is gone
            log.warning("delivery worker: lost the delivery lock; standing by")
            self._release()
            return False

    def _release(self) -> None:
        if self._lock is not None:
            import psycopg  # noqa: PLC0415 (on PostgreSQL only: see _leader)

            with contextlib.suppress(psycopg.Error):
                self._lock.close()
            self._lock = None

    def run(self) -> None:
        try:
            if connection.vendor == "postgresql":
                threading.Thread(target=self._listen, name="deliver-news", daemon=True).start()
            while not self.stop.is_set():
                if not self._leader():
                    break
                self._deliver()
        finally:
            self._release()
            self.loop.call_soon_threadsafe(self.connections.close)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.network.join(timeout=5)
            connection.close()

    def _deliver(self) -> None:
        """Deliver until told to stop (or, PostgreSQL, until the lock is lost)."""
        checked = time.monotonic()
        while not self.stop.is_set():
            try:
                self.tick(settings.DELIVERY_POLL_SECONDS)
            except Exception:
                log.exception("a delivery pass failed; trying again")
                connection.close()
                self.stop.wait(settings.DELIVERY_POLL_SECONDS)
            if self.parent is not None and os.getppid() != self.parent:
                self.stop.set()
            if time.monotonic() - checked > STANDBY_SECONDS:
                checked = time.monotonic()
                if not self._still_leader():
                    break
        # What is in flight finishes and is recorded; the rest waits in the feed.
        if self.in_flight:
            log.info("stopping: %d delivery(ies) in flight finish first", len(self.in_flight))
        outcomes = []
        while self.in_flight:
            outcomes += self._finished(settings.WEBHOOK_TIMEOUT_SECONDS + 1, news=False)
        if outcomes:
            webhooks.deliveries_record(outcomes)
