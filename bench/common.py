"""What the benchmarks share: a fresh database to run against, about 145 subscribing states, and
a big log that verifies, loaded in bulk.
(The scripts run as `python bench/NAME.py`, so this module is importable as `common`.)"""

import functools
import json
import os
import socket
import sqlite3
import sys
import tempfile
import threading
import time
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil

# A benchmark sends thousands of requests a minute from one address with a few tokens: it measures
# the exchange, not its rate limits (docs/api.md, *Rate limits*).
RATE_LIMITS_OFF = {
    "HCOC_RATE_LIMIT_API": "0",
    "HCOC_RATE_LIMIT_API_ADDRESS": "0",
    "HCOC_RATE_LIMIT_LOGIN": "0",
}


# The PostgreSQL server of every benchmark, and a database name of the run's own: two checkouts,
# or the test suite's workers running the smoke forms side by side, each name their own
# (HCOC_BENCH_PG_DB); without it each benchmark uses its default name.
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
# A database to start from instead of an empty one, migrated and with the reference data loaded:
# a SQLite file, or a database on the same PostgreSQL server. The suite's smoke runs use one
# (tests/bench): migrating from nothing took half of a smoke run's time, and a benchmark's
# migrate and load_reference then find nothing to do.
TEMPLATE = "HCOC_BENCH_TEMPLATE"


def migrated_by_template() -> bool:
    """Whether the fresh database is a copy of HCOC_BENCH_TEMPLATE, already migrated and with the
    reference data: then `hcoc migrate` and `hcoc load_reference`, each a process of its own,
    would find nothing to do (3 CPU-seconds of a smoke run of 9, for the two)."""
    return bool(os.environ.get(TEMPLATE))


@functools.cache
def tls():
    """One SSL context for the benchmarks' short requests with `httpx.get(...)` (each a client of
    its own): httpx makes one for every client, loading certifi's certificates, 30 ms of CPU a
    request, paid every 0.1 or 0.2 s while a server starts and by each request of a burst.
    Passed as `verify=tls()`, made as httpx makes it; the requests are plain HTTP anyway."""
    import httpx  # noqa: PLC0415 (a test dependency: only the processes that send need it)

    return httpx.create_ssl_context()


def answers(url: str, *, within: float, every: float = 0.1, proc=None) -> bool:
    """Whether `url` answers 200 within `within` seconds: the suite's own wait for a server or
    node it started (tests/support: `support.answers`), imported here when a benchmark first
    waits, so that the processes that never send do not import httpx."""
    tests = str(Path(__file__).resolve().parents[1] / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    from support import answers as wait  # noqa: PLC0415

    return wait(url, within=within, every=every, proc=proc)


def pg_server(url: str | None = None) -> str:
    """The PostgreSQL server's URL without a database: `url`, else HCOC_BENCH_PG_URL, else the
    local one."""
    return (url or os.environ.get("HCOC_BENCH_PG_URL") or PG_SERVER).rstrip("/") + "/"


def pg_name(default: str) -> str:
    """The benchmark's database: HCOC_BENCH_PG_DB when set, else `default`."""
    return os.environ.get("HCOC_BENCH_PG_DB") or default


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def pg_admin(*statements: str, server: str | None = None) -> None:
    """Run statements on the server's `postgres` database (CREATE and DROP DATABASE cannot run
    inside the database they name)."""
    import psycopg

    url = pg_server(server) + "postgres"
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        for statement in statements:
            conn.execute(statement)


def pg_recreate(name: str, server: str | None = None, *, from_template: bool = True) -> str:
    """Drop the database `name` if it is there (closing its connections) and create it again,
    from HCOC_BENCH_TEMPLATE if set and `from_template` (not for a node's database: the template
    holds the exchange's schema); its URL."""
    template = os.environ.get(TEMPLATE) if from_template else None
    create = f"CREATE DATABASE {_quoted(name)}"
    create += f" TEMPLATE {_quoted(template)}" if template else ""
    pg_admin(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)", create, server=server)
    return pg_server(server) + name


def pg_drop(name: str, server: str | None = None) -> None:
    pg_admin(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)", server=server)


def sqlite_from_template(var_dir: str) -> None:
    """Start the settings' SQLite database in `var_dir` as a copy of HCOC_BENCH_TEMPLATE, if set
    (SQLite's backup: a consistent copy whatever the template's journal holds)."""
    template = os.environ.get(TEMPLATE)
    if template:
        with (
            closing(sqlite3.connect(template)) as source,
            closing(sqlite3.connect(Path(var_dir) / "hcoc.sqlite3")) as copy,
        ):
            source.backup(copy)


def fresh_database(db: str, name: str) -> str | None:
    """Point the settings at a fresh database: SQLite in a new temporary HCOC_VAR_DIR, or the
    PostgreSQL database `name` (HCOC_BENCH_PG_DB if set; dropped and created again), each empty
    or a copy of HCOC_BENCH_TEMPLATE. Returns the PostgreSQL database's name, to drop at the end
    (`pg_drop`)."""
    os.environ["HCOC_VAR_DIR"] = tempfile.mkdtemp(prefix=f"{name}-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hcoc.settings"
    os.environ.update(RATE_LIMITS_OFF)
    if db == "postgres":
        name = pg_name(name)
        os.environ["DATABASE_URL"] = pg_recreate(name)
        return name
    os.environ.pop("DATABASE_URL", None)
    sqlite_from_template(os.environ["HCOC_VAR_DIR"])
    return None


def subscribing_states(n: int = 145) -> list[str]:
    """Migrate, load the reference data, and make `n` states subscribing since the Code's launch:
    the sourced subscribers, then others (for timing only). Returns their ISO3 codes."""
    from django.core.management import call_command

    from hcoc.states.models import HcocStatus, State

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    others = State.objects.exclude(status=HcocStatus.SUBSCRIBING).order_by("iso3")
    missing = n - State.objects.filter(status=HcocStatus.SUBSCRIBING).count()
    State.objects.filter(
        iso3__in=list(others.values_list("iso3", flat=True)[: max(missing, 0)])
    ).update(status=HcocStatus.SUBSCRIBING)
    subscribing = State.objects.filter(status=HcocStatus.SUBSCRIBING)
    subscribing.update(subscribed_on=date(2002, 11, 25), subscribed_on_precision="day")
    return list(subscribing.order_by("iso3").values_list("iso3", flat=True))


# ---- a big log, loaded in bulk --------------------------------------------------------------

PAYLOAD = {
    "reference": "FRA-2026-0001",
    "state": "FRA",
    "version": 1,
    "status": "notified",
    "category": "SLV",
    "generic_class": "SLV-medium",
    "vehicle_name": "Ariane 6",
    "test_flight": False,
    "window": {"opens": "2026-12-01T00:00:00Z", "closes": "2026-12-01T06:00:00Z"},
    "launch_area": {"site_id": "FRA-KOUROU"},
    "planned_direction": {"azimuth_deg": 90.0},
    "impact_areas": [{"kind": "stage", "center": {"lat": 10.0, "lon": -40.0}, "radius_km": 100}],
    "range_km": 3000,
    "apogee_km": 200,
    "remarks": "Benchmark notification.",
    "imported": False,
    "late": False,
}


MARK_INDEX, MARK_SEQ, MARK_BODY = 7_777_777_777_771, 7_777_777_777_772, 7_777_777_777_773


def bulk_log(n: int) -> dict:
    """A log of n entries that `hcoc verify` passes, written fast (bench/ledger.py's proofs at
    1,000,000 entries, bench/node.py's catch-up at 100,000). Migrates, loads the reference data,
    makes the ICC's and France's users; France registers its root and certifies its system key
    `FRA-bench-1` through the services (two leaves), then the log's tables (and the events the
    feed serves) are filled in bulk with n - 2 event leaves in the exact format leaf_append
    writes: every fourth one France's notification signed with that key over a request of its
    own (a verifier refuses a signature used twice), the others the ICC's; a signed checkpoint
    every 1,000 entries and at n. The canonical text of one event leaf is made once with rfc8785
    and the numbers that vary are put in afterwards (integers print the same in any canonical
    form). Returns the count, the seconds, the last seq, the users and France's key (to sign
    what the benchmark submits after, in France's name: France has a root)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.db import transaction
    from django.utils import timezone

    from hcoc.accounts.models import Role
    from hcoc.accounts.services import user_create
    from hcoc.exchange.models import Event, EventKind
    from hcoc.exchange.selectors import event_as_item
    from hcoc.ledger import client, trust
    from hcoc.ledger.keys import log_signer
    from hcoc.ledger.models import Checkpoint, LogEntry, LogHead, LogNode
    from hcoc.ledger.services import credential_register, node_key, root_register
    from hcoc.ledger.tlog import merkle, note
    from hcoc.lib.canonical import canonical_dumps
    from hcoc.lib.timeutil import rfc3339

    subscribing_states(10)
    icc = user_create(username="icc", password=None, role=Role.ICC, state_iso3=None)
    fra = user_create(username="fra", password=None, role=Role.SUBMITTER, state_iso3="FRA")
    # France makes its root and certifies its system's key, as a state does (hcoc key init,
    # hcoc key certify): two leaves, written by the services.
    root = Ed25519PrivateKey.generate()
    root_public = trust.public_bytes(root)
    root_statement = trust.credential(
        state="FRA", key_id="FRA-root-1", kind="root", public_key=root_public
    )
    root_register(
        actor=fra,
        state_iso3="FRA",
        key_id="FRA-root-1",
        public_key=client.b64(root_public),
        proof=trust.sign(root, trust.credential_message(root_statement)),
    )
    key, public = client.key_generate()
    key_statement = trust.credential(
        state="FRA", key_id="FRA-bench-1", kind="state", public_key=client.unb64(public)
    )
    credential_register(
        actor=fra,
        state_iso3="FRA",
        key_id="FRA-bench-1",
        public_key=public,
        certified_by="FRA-root-1",
        certificate=trust.sign(root, trust.credential_message(key_statement)),
    )
    frontier = merkle.Frontier()
    LogNode.objects.all().delete()
    nodes = []
    for first in LogEntry.objects.order_by("index"):
        for level, index, h in frontier.append(bytes(first.leaf_hash)):
            nodes.append(LogNode(key=node_key(level, index), hash=h))
    keys_leaves = frontier.size
    at = timezone.now()
    at_text = rfc3339(at)
    created = int(at.timestamp())
    template = {
        "v": 1,
        "index": MARK_INDEX,
        "type": "event",
        "at": at_text,
        "state": "FRA",
        # The unsigned leaves are the ICC's (imports for France): France has a root, so an
        # unsigned leaf in its own name would be "not signed by FRA".
        "actor": {"role": "icc", "state": None},
        "signature": None,
    }
    item = {
        "seq": MARK_SEQ,
        "kind": EventKind.NOTIFICATION_SUBMITTED.value,
        "at": at_text,
        "state": "FRA",
        "subject": "BENCH",
        "version": 1,
        "payload": PAYLOAD,
    }
    unsigned = canonical_dumps({**template, "event": item})
    item_text = canonical_dumps(item)  # Event.item, as event_transaction stores it
    body = {"launch_area": {"site_id": "FRA-KOUROU"}, "remarks": f"Benchmark {MARK_BODY}."}
    signed_template = canonical_dumps(
        {
            **template,
            "actor": {"role": "submitter", "state": "FRA"},
            "event": item,
            "request": {"method": "POST", "path": "/api/v1/notifications", "body": body},
            "signature": {
                "kind": "state",
                "key_id": "FRA-bench-1",
                "created": created,
                "sig": "SIGNATURE",
            },
        }
    )

    def signed(i: int) -> str:
        """Each signed leaf its own request (a verifier refuses a replayed signature)."""
        request = json.dumps({**body, "remarks": f"Benchmark {i}."}).encode()
        digest = client.body_digest(request)
        sig = key.sign(client.signing_input("POST", "/api/v1/notifications", created, digest))
        text = signed_template.replace(str(MARK_BODY), str(i), 1)
        return text.replace('"SIGNATURE"', json.dumps(client.b64(sig)))

    start = time.perf_counter()
    entries, events, checkpoints = [], [], []
    signer = log_signer()

    def flush() -> None:
        with transaction.atomic():
            LogNode.objects.bulk_create(nodes, batch_size=5000)
            LogEntry.objects.bulk_create(entries, batch_size=5000)
            Event.objects.bulk_create(events, batch_size=5000)
            Checkpoint.objects.bulk_create(checkpoints)
        nodes.clear(), entries.clear(), events.clear(), checkpoints.clear()

    for i in range(keys_leaves, n):
        seq = i - keys_leaves + 1
        text = (signed(i) if i % 4 == 0 else unsigned).replace(str(MARK_INDEX), str(i), 1)
        text = text.replace(str(MARK_SEQ), str(seq), 1)
        digest = merkle.leaf_hash(text.encode())
        for level, index, h in frontier.append(digest):
            nodes.append(LogNode(key=node_key(level, index), hash=h))
        entries.append(
            LogEntry(
                index=i,
                seq=seq,
                type="event",
                at=at,
                state="FRA",
                key_id="FRA-bench-1" if i % 4 == 0 else "",
                leaf=text,
                leaf_hash=digest,
            )
        )
        events.append(
            Event(
                seq=seq,
                kind=EventKind.NOTIFICATION_SUBMITTED,
                at=at,
                state_id="FRA",
                subject="BENCH",
                version=1,
                payload=events_payload(),
                item=item_text.replace(str(MARK_SEQ), str(seq), 1),
                actor_id=fra.pk,
            )
        )
        size = i + 1
        if size % 1000 == 0 or size == n:
            root = frontier.root()
            body_text = note.Checkpoint(signer.name, size, root, []).body()
            checkpoints.append(
                Checkpoint(size=size, root=root, note=signer.sign(body_text), created_at=at)
            )
        if len(entries) >= 20_000:
            flush()
    flush()
    LogHead.objects.update_or_create(
        id=1, defaults={"size": frontier.size, "frontier": frontier.to_bytes()}
    )
    assert (
        event_as_item(Event.objects.get(seq=1))
        == json.loads(LogEntry.objects.get(seq=1).leaf)["event"]
    ), "the bulk leaves must be what the feed serves"
    return {
        "entries": n,
        "load_s": time.perf_counter() - start,
        "last_seq": n - keys_leaves,
        "icc": icc,
        "fra": fra,
        "key": key,
        "key_id": "FRA-bench-1",
    }


_PAYLOAD_TEXT: str | None = None


def events_payload() -> str:
    global _PAYLOAD_TEXT
    if _PAYLOAD_TEXT is None:
        from hcoc.lib.canonical import canonical_dumps

        _PAYLOAD_TEXT = canonical_dumps(PAYLOAD)
    return _PAYLOAD_TEXT


class PeakRss:
    """The largest RSS of a process and its children, sampled every 50 ms."""

    def __init__(self, pid: int):
        self.root, self.peak = psutil.Process(pid), 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(0.05):
            total = 0
            try:
                for proc in [self.root, *self.root.children(recursive=True)]:
                    total += proc.memory_info().rss
            except psutil.Error:
                continue
            self.peak = max(self.peak, total)

    def stop(self) -> float:
        """Stop sampling; the peak in MiB."""
        self.done.set()
        self.thread.join()
        return self.peak / 2**20


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for a server a benchmark starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kourou_pln(i: int) -> dict:
    """France's PLN from Kourou that the live benchmarks submit over HTTP: a window three days
    ahead, `i` minutes apart, so each body is its own."""
    opens = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3, minutes=i)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return {
        "category": "SLV",
        "generic_class": "SLV-medium",
        "vehicle_name": "Ariane 6",
        "window": {
            "opens": opens.strftime(fmt),
            "closes": (opens + timedelta(hours=6)).strftime(fmt),
        },
        "launch_area": {"site_id": "FRA-KOUROU"},
        "planned_direction": {"azimuth_deg": 90.0},
    }
