"""What the benchmarks share: a fresh database to run against, and about 145 subscribing states.
(The scripts run as `python bench/NAME.py`, so this module is importable as `common`.)"""

import os
import tempfile
import threading
from datetime import date

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


def pg_server() -> str:
    """The PostgreSQL server's URL without a database: HCOC_BENCH_PG_URL, else the local one."""
    return os.environ.get("HCOC_BENCH_PG_URL", PG_SERVER).rstrip("/") + "/"


def pg_name(default: str) -> str:
    """The benchmark's database: HCOC_BENCH_PG_DB when set, else `default`."""
    return os.environ.get("HCOC_BENCH_PG_DB") or default


def pg_admin(*statements: str) -> None:
    """Run statements on the server's `postgres` database (CREATE and DROP DATABASE cannot run
    inside the database they name)."""
    import psycopg

    with psycopg.connect(pg_server() + "postgres", autocommit=True, connect_timeout=5) as conn:
        for statement in statements:
            conn.execute(statement)


def pg_recreate(name: str) -> str:
    """Drop the database `name` if it is there (closing its connections) and create it again;
    its URL."""
    quoted = '"' + name.replace('"', '""') + '"'
    pg_admin(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", f"CREATE DATABASE {quoted}")
    return pg_server() + name


def pg_drop(name: str) -> None:
    quoted = '"' + name.replace('"', '""') + '"'
    pg_admin(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


def fresh_database(db: str, name: str) -> str | None:
    """Point the settings at a fresh database: SQLite in a new temporary HCOC_VAR_DIR, or the
    PostgreSQL database `name` (HCOC_BENCH_PG_DB if set; dropped and created again). Returns the
    PostgreSQL database's name, to drop at the end (`pg_drop`)."""
    os.environ["HCOC_VAR_DIR"] = tempfile.mkdtemp(prefix=f"{name}-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hcoc.settings"
    os.environ.update(RATE_LIMITS_OFF)
    if db == "postgres":
        name = pg_name(name)
        os.environ["DATABASE_URL"] = pg_recreate(name)
        return name
    os.environ.pop("DATABASE_URL", None)
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
