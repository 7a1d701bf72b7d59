"""What the benchmarks share: a fresh database to run against, and about 145 subscribing states.
(The scripts run as `python bench/NAME.py`, so this module is importable as `common`.)"""

import os
import subprocess
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


def fresh_database(db: str, name: str) -> None:
    """Point the settings at a fresh database: SQLite in a new temporary HCOC_VAR_DIR, or the
    PostgreSQL database `name` (dropped and created again)."""
    os.environ["HCOC_VAR_DIR"] = tempfile.mkdtemp(prefix=f"{name}-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hcoc.settings"
    os.environ.update(RATE_LIMITS_OFF)
    if db == "postgres":
        pg = ["-h", "127.0.0.1", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", name], check=True)
        subprocess.run(["createdb", *pg, name], check=True)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)


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
