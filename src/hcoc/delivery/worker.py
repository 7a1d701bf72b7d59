"""The delivery worker (`hcoc deliver`): follows the feed and delivers it.

One loop in the main thread, which alone uses the database: it records the deliveries that
finished (one transaction for all of them), asks which endpoints are behind the feed and due
(one small query), plans each one's next items (up to `HCOC_DELIVERY_BATCH`, read as one page
through the feed's selector, signed) and hands each endpoint's run of POSTs to a pool of
`HCOC_DELIVERY_THREADS` threads, which only wait on the network and post a run in order,
stopping at its first failure. An endpoint has at most one run in flight, so its order holds; a
slow receiver holds only its own thread. `hcoc deliver` lowers its CPU priority
(`HCOC_DELIVERY_NICE`), so that catching up a backlog never takes the CPU from the server. It waits at most `HCOC_DELIVERY_POLL_SECONDS` between passes. Each pass also mails
the immediate alerts, and once a day, from `HCOC_DELIVERY_DAILY_HOUR` (UTC), it sends the digests
and the ICC's chases.

Nothing is lost while no worker runs: the endpoints' cursors and the e-mail cursors stay where
they are, and the feed keeps every item.
"""

import logging
import os
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from . import alerts, chases, webhooks

log = logging.getLogger(__name__)
GATHER_SECONDS = 0.02


class Worker:
    def __init__(self, *, threads: int | None = None, daily: bool = True, parent=None):
        self.pool = ThreadPoolExecutor(
            max_workers=threads or settings.DELIVERY_THREADS, thread_name_prefix="deliver"
        )
        self.in_flight: dict[Future, int] = {}  # future -> endpoint id
        self.daily = daily
        self.last_daily = None
        self.stop = threading.Event()
        self.parent = parent  # started by `hcoc serve`: stop when the server is gone

    def _finished(self, timeout: float) -> list[webhooks.DeliveryOutcome]:
        if not self.in_flight:
            self.stop.wait(timeout)
            return []
        done, pending = wait(list(self.in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        if done and pending:  # gather what finishes just after: one transaction records them all
            done |= wait(pending, timeout=GATHER_SECONDS)[0]
        outcomes = []
        for future in done:
            self.in_flight.pop(future)
            try:
                outcomes.extend(future.result())
            except Exception:  # a bug, not a receiver's failure: the item is planned again
                log.exception("a delivery failed unexpectedly")
        return outcomes

    def tick(self, timeout: float) -> None:
        outcomes = self._finished(timeout)
        close_old_connections()
        if outcomes:
            webhooks.deliveries_record(outcomes)
        busy = set(self.in_flight.values())
        due = [pk for pk in webhooks.endpoints_due() if pk not in busy]
        runs: dict[int, list[webhooks.PlannedDelivery]] = {}
        for planned in webhooks.deliveries_plan(due, settings.DELIVERY_BATCH) if due else []:
            runs.setdefault(planned.endpoint.pk, []).append(planned)
        for pk, planned in runs.items():
            self.in_flight[self.pool.submit(webhooks.deliveries_post_in_order, planned)] = pk
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

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    self.tick(settings.DELIVERY_POLL_SECONDS)
                except Exception:
                    log.exception("a delivery pass failed; trying again")
                    connection.close()
                    self.stop.wait(settings.DELIVERY_POLL_SECONDS)
                if self.parent is not None and os.getppid() != self.parent:
                    self.stop.set()
            # What is in flight finishes and is recorded; the rest waits in the feed.
            if self.in_flight:
                log.info("stopping: %d delivery(ies) in flight finish first", len(self.in_flight))
            outcomes = self._finished(settings.WEBHOOK_TIMEOUT_SECONDS + 1)
            while self.in_flight:
                outcomes += self._finished(settings.WEBHOOK_TIMEOUT_SECONDS + 1)
            if outcomes:
                webhooks.deliveries_record(outcomes)
        finally:
            self.pool.shutdown(wait=True)
            connection.close()
