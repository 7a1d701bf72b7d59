"""What the benchmarks share: a fresh database to run against, and about 145 subscribing states.
(The scripts run as `python bench/NAME.py`, so this module is importable as `common`.)"""

import os
import socket
import sqlite3
import tempfile
import threading
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


def pg_recreate(name: str, server: str | None = None) -> str:
    """Drop the database `name` if it is there (closing its connections) and create it again,
    from HCOC_BENCH_TEMPLATE if set; its URL."""
    template = os.environ.get(TEMPLATE)
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
