#!/usr/bin/env python
"""The rate limits' counters under load: are they exact, and what do they cost per request?

    .venv/bin/python bench/ratelimit.py [--db sqlite|postgres] [--counter atomic|django|redis]
                                        [--smoke]

A fresh database, one user and token, then a real gunicorn (`--workers`, default 2) whose only
limit is the token's, `--limit` a minute (default 200). `--clients` threads (default 8) send
`--requests` requests at once (default 600) with that one token, inside one clock minute; an
exact counter serves exactly the limit. `--counter`: `atomic` is the exchange's database cache
(hcoc.ratelimit.cache); `django` is Django's own DatabaseCache, whose incr is a get then a set
(what this project does not use: the figure shows why); `redis` is Django's RedisCache on
REDIS_URL (default redis://127.0.0.1:6379/12, keys under a prefix of the run's own). Then the
cost: one client sends `--timed` sequential requests (default 500) to GET /api/v1/states/FRA
with the token, with the limit on (high enough never to refuse) and off; medians in ms. Each
phase prints the peak RSS of the server (gunicorn master and workers, summed, sampled every
50 ms) and the benchmark's own peak RSS. PostgreSQL: the database `hcoc_bench_ratelimit` (or
HCOC_BENCH_PG_DB), dropped at the end. `--smoke`: every phase at tiny sizes (limit 5, 20
requests, 10 timed, one worker), that it runs.
"""

import argparse
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from common import RATE_LIMITS_OFF, PeakRss, answers, fresh_database, pg_drop, tls

ROOT = Path(__file__).resolve().parents[1]
COUNTERS = {
    "atomic": "hcoc.ratelimit.cache.DatabaseCache",
    "django": "django.core.cache.backends.db.DatabaseCache",
}


def setup(db: str) -> tuple[str, str | None]:
    """A fresh database (the cache table comes with migrate) and one reader's token; the
    PostgreSQL database's name."""
    pg_db = fresh_database(db, "hcoc_bench_ratelimit")
    import django

    django.setup()
    from django.core.management import call_command

    from hcoc.accounts.models import Role
    from hcoc.accounts.services import token_create, user_create
    from hcoc.states.models import HcocStatus, State

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    State.objects.filter(iso3="FRA").update(status=HcocStatus.SUBSCRIBING)
    user = user_create(username="bench", password=None, role=Role.READER, state_iso3="FRA")
    return token_create(user=user, name="bench")[1], pg_db


def serve(opts, limit: int, env_extra: dict) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, **RATE_LIMITS_OFF, "HCOC_RATE_LIMIT_API": str(limit), **env_extra}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "hcoc.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(opts.workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    if answers(f"{base}/states/FRA", within=60, proc=proc):
        return proc, base
    raise SystemExit("gunicorn did not start")


def rss_line(server_mib: float) -> str:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"peak RSS: server {server_mib:.0f} MiB, benchmark {own:.0f} MiB"


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def fresh_minute(margin: float) -> None:
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.2)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--counter", choices=["atomic", "django", "redis"], default="atomic")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--requests", type=int, default=600)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--timed", type=int, default=500)
    p.add_argument("--smoke", action="store_true", help="tiny sizes, one worker: that it runs")
    opts = p.parse_args()
    if opts.smoke:
        opts.limit, opts.requests, opts.clients, opts.workers, opts.timed = 5, 20, 4, 1, 10

    token, pg_db = setup(opts.db)
    headers = {"Authorization": f"Bearer {token}"}
    if opts.counter == "redis":
        extra = {"REDIS_URL": opts.redis_url}
    else:
        # The cache's backend is not a setting of its own: a settings module that changes it.
        extra_dir = tempfile.mkdtemp(prefix="hcoc-bench-rl-")
        (Path(extra_dir) / "bench_rl_settings.py").write_text(
            "from hcoc.settings import *  # noqa: F403\n"
            f"CACHES['default']['BACKEND'] = {COUNTERS[opts.counter]!r}\n"
        )
        extra = {
            "DJANGO_SETTINGS_MODULE": "bench_rl_settings",
            "PYTHONPATH": os.pathsep.join([extra_dir, os.environ.get("PYTHONPATH", "")]),
        }
    print(f"{opts.db}, counter {opts.counter}, {opts.workers} gunicorn workers")

    proc, base = serve(opts, opts.limit, extra)
    memory = PeakRss(proc.pid)
    try:
        # The burst within one clock minute: 600 requests take seconds, 20 a fraction of one.
        fresh_minute(margin=3 if opts.smoke else 40)
        with ThreadPoolExecutor(opts.clients) as pool:
            codes = Counter(
                pool.map(
                    lambda _: (
                        httpx.get(
                            f"{base}/inbox", headers=headers, timeout=60, verify=tls()
                        ).status_code
                    ),
                    range(opts.requests),
                )
            )
    finally:
        peak = rss_line(memory.stop())
        stop(proc)
    served = codes.get(200, 0)
    print(
        f"  {opts.requests} requests from {opts.clients} clients at once, limit {opts.limit}: "
        f"{served} served ({served - opts.limit:+d}, {100 * (served - opts.limit) / opts.limit:+.0f} %), "
        f"{codes.get(429, 0)} refused, other {dict((k, v) for k, v in codes.items() if k not in (200, 429))}"
    )
    print(f"  {peak}")

    for label, limit in (("limit on", 10**9), ("limit off", 0)):
        proc, base = serve(opts, limit, extra)
        memory = PeakRss(proc.pid)
        try:
            times = []
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                for _ in range(opts.timed):
                    t = time.perf_counter()
                    assert client.get("/states/FRA").status_code == 200
                    times.append(time.perf_counter() - t)
        finally:
            peak = rss_line(memory.stop())
            stop(proc)
        print(f"  {label:9}: median {1000 * statistics.median(times):.2f} ms per request ({peak})")

    if opts.counter == "redis":
        import redis

        from hcoc.ratelimit.limits import digest

        client = redis.Redis.from_url(opts.redis_url)
        for key in client.scan_iter(f"hcoc:*:rl:api-token:{digest(token)}:*"):
            client.delete(key)
    if pg_db:
        from django.db import connections

        connections.close_all()
        pg_drop(pg_db)


if __name__ == "__main__":
    main()
