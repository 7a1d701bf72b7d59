"""The small message that says the feed has grown: how every server process's hub (hub.py)
learns of a write without asking the database every few milliseconds.

A write that publishes an event (exchange.services.EventDraft.publish) or records an
acknowledgement calls `announce` inside its transaction:

- On PostgreSQL it sends `NOTIFY hcoc_feed, '<seq>'` (`'ack'` for an acknowledgement). PostgreSQL
  delivers it only when the transaction commits (and drops it with a rolled-back one), to every
  connection that `LISTEN`s on the channel: one per server process that has open streams, on
  this machine or another. The message carries nothing but the seq; the hub reads the items from
  the feed, which stays the source of truth.
- In the writing process (both databases) it asks Django to wake this process's hub once the
  transaction commits (`transaction.on_commit`): on SQLite, where the database has no such
  message, a write served by the same process reaches its streams at once; other processes on
  the machine still notice it at their next poll (`HCOC_STREAM_POLL_MS`).

`Waiter` is the hub's side: it waits for the next message (PostgreSQL: on a connection of its
own that only listens) or for the poll interval (SQLite), whichever the database allows.
"""

import logging
import select
import threading
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction

if TYPE_CHECKING:
    # Only for the annotations: psycopg is imported where it is used, on PostgreSQL (below).
    import psycopg

log = logging.getLogger(__name__)

CHANNEL = "hcoc_feed"

_wakers: list[threading.Event] = []


def announce(*, seq: int | None = None) -> None:
    """Say, inside the write's transaction, that the feed grew to `seq` (None: an
    acknowledgement was recorded). Nothing is sent if the transaction rolls back."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_notify(%s, %s)", [CHANNEL, "ack" if seq is None else str(seq)]
            )
    if _wakers:
        transaction.on_commit(_wake_local)


def _wake_local() -> None:
    for event in list(_wakers):
        event.set()


def connect(application_name: str) -> "psycopg.Connection":
    """A PostgreSQL connection of its own, outside Django's pool, in autocommit mode, to the
    database Django uses: for a LISTEN (or a session's advisory lock) that lasts."""
    # Imported here, not at the top: every process that sets Django up imports this module (the
    # admin imports the services), and on SQLite, where nothing calls this, importing psycopg
    # took 0.1 CPU-s of each process's start. On PostgreSQL Django's backend has imported it.
    import psycopg  # noqa: PLC0415

    s = connection.settings_dict
    params = {
        "dbname": s["NAME"],
        "user": s.get("USER") or None,
        "password": s.get("PASSWORD") or None,
        "host": s.get("HOST") or None,
        "port": s.get("PORT") or None,
    }
    options = {k: v for k, v in (s.get("OPTIONS") or {}).items() if isinstance(v, str)}
    return psycopg.connect(
        autocommit=True,
        application_name=application_name,
        **{k: v for k, v in params.items() if v is not None},
        **options,
    )


class Waiter:
    """Waits for news for one thread (the hub's, the delivery worker's). `open()` before each
    round of reading (it (re)connects when needed and returns True when it did: the caller then
    reads the heads, since anything committed before the LISTEN took effect sent no message to
    it); `wait(...)` until a message came or the time ran out; `close()` when done."""

    def __init__(self, name: str = "hcoc-hub") -> None:
        self.name = name
        self._nudge = threading.Event()
        _wakers.append(self._nudge)
        self._listen: psycopg.Connection | None = None  # PostgreSQL only

    def open(self) -> bool:
        if connection.vendor != "postgresql" or self._listen is not None:
            return False
        self._listen = connect(self.name)
        self._listen.execute(f"LISTEN {CHANNEL}")
        return True

    def wait(self, poll: float, quiet: float | None = None) -> bool:
        """Return True when news came (a NOTIFY; a commit in this process), False after `poll`
        seconds without (SQLite), or on PostgreSQL after `quiet` (by default
        `HCOC_STREAM_QUIET_SECONDS`: with no message the hub still asks the database that often,
        in case a write came from a process that does not announce, such as an older version
        during an upgrade, or the database was restored). Several messages are taken at once:
        the caller reads everything new in one round."""
        if self._listen is None:
            came = self._nudge.wait(poll)
            self._nudge.clear()
            return came
        conn = self._listen
        # Wait on the socket itself, so that a NOTIFY ends the wait at once; a commit in this
        # process (which sets the nudge) is seen within `poll`.
        waited = 0.0
        quiet = settings.STREAM_QUIET_SECONDS if quiet is None else quiet
        came = False
        while waited < quiet and not came:
            came = self._nudge.is_set()
            if not came:
                came = bool(select.select([conn.fileno()], [], [], min(poll, quiet))[0])
                waited += poll
        self._nudge.clear()
        # Take every message that came (this also reads the socket, and raises if the
        # connection was lost: the caller then reconnects and reads the heads).
        for _ in conn.notifies(timeout=0):
            pass
        return came

    def close(self) -> None:
        if self._listen is not None:
            try:
                self._listen.close()
            except Exception:  # noqa: BLE001  (a connection already lost)
                log.debug("closing the LISTEN connection failed", exc_info=True)
            self._listen = None
