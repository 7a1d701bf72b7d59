"""The delivery worker (`hcoc deliver`): follows the feed and delivers it.

Every `HCOC_DELIVERY_POLL_SECONDS` it asks which endpoints are behind the feed and due (one
small query), and hands each to a thread of its pool, which delivers that endpoint's items one
at a time, in seq order, until it is caught up or a delivery fails (then backoff). An endpoint is
in at most one thread at a time, so its order holds; a slow receiver holds only its own thread.
Each pass also mails the immediate alerts, and once a day, from `HCOC_DELIVERY_DAILY_HOUR`
(UTC), sends the digests and the ICC's chases.

Nothing is lost while no worker runs: the endpoints' cursors and the e-mail cursors stay where
they are, and the feed keeps every item.
"""

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from . import services

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, *, threads: int | None = None, daily: bool = True, parent=None):
        self.pool = ThreadPoolExecutor(
            max_workers=threads or settings.DELIVERY_THREADS, thread_name_prefix="deliver"
        )
        self.busy: set[int] = set()
        self.lock = threading.Lock()
        self.daily = daily
        self.last_daily = None
        self.stop = threading.Event()
        self.parent = parent  # started by `hcoc serve`: stop when the server is gone

    def _drain(self, endpoint_id: int) -> None:
        try:
            for _ in range(1000):  # then back to the queue, so the pass sees new due endpoints
                if not services.endpoint_deliver_next(endpoint_id):
                    break
        except Exception:
            log.exception("delivery to endpoint %s failed", endpoint_id)
        finally:
            with self.lock:
                self.busy.discard(endpoint_id)
            connection.close()  # this thread's: the pool's threads outlive many tasks

    def tick(self) -> None:
        close_old_connections()
        for pk in services.endpoints_due():
            with self.lock:
                if pk in self.busy:
                    continue
                self.busy.add(pk)
            self.pool.submit(self._drain, pk)
        try:
            services.alerts_send_immediate()
        except Exception:
            log.exception("immediate e-mail alerts failed; retried on the next pass")
        now = timezone.now()
        if (
            self.daily
            and now.hour >= settings.DELIVERY_DAILY_HOUR
            and self.last_daily != now.date()
        ):
            self.last_daily = now.date()
            try:
                services.digests_send()
                services.chases_send_due()
            except Exception:
                log.exception("the daily digests or chases failed; retried tomorrow")

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    self.tick()
                except Exception:
                    log.exception("a delivery pass failed; trying again")
                    connection.close()
                self.stop.wait(settings.DELIVERY_POLL_SECONDS)
                if self.parent is not None and os.getppid() != self.parent:
                    self.stop.set()
        finally:
            self.pool.shutdown(wait=True)
            connection.close()
