#!/usr/bin/env python
"""The server's own CPU per request, in-process: the ASGI application `hcoc serve` runs (and
Django's WSGI handler, for comparison) driven directly, without sockets, clients or other
processes, so that the CPU measured is the exchange's and nothing else's.

    .venv/bin/python bench/server_cost.py [--db sqlite|postgres] [--events 5000] [--requests 300]
                                          [--profile ceiling|openapi|feed|inbox|submit] [--smoke]

A fresh database (SQLite in a temporary HCOC_VAR_DIR, or PostgreSQL `hcoc_bench_cost`, or
HCOC_BENCH_PG_DB) is seeded as bench/exchange.py seeds it (its `_setup`: users, tokens, PLNs
through notification_submit(), then bulk copies). Then, in this process, for each handler:

  ceiling   GET /api/v1/states/FRA, anonymous
  openapi   GET /api/v1/openapi.json, anonymous (the whole OpenAPI document, about 260 KB)
  feed      GET /api/v1/feed?after=X&limit=1000, walking the whole sequence page by page
  inbox     GET /api/v1/inbox?after=X&limit=1000, the same
  submit    POST /api/v1/notifications (a PLN), FRA's submitter (ASGI only: writes)

Each figure is the process's CPU time (all its threads) over N requests, divided by N: the median
of `--rounds` rounds, the rounds of the two handlers alternated. The machine's noise moves it far
less than a rate measured from other processes. `--profile WHAT` prints cProfile's profile (CPU time) of
that measurement (under the WSGI handler, whose one thread it sees) instead. Peak RSS of this process is printed. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import RATE_LIMITS_OFF, fresh_database, migrated_by_template, pg_drop

ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1"
PAGE = 1000


def seed(events: int, budget: float) -> dict:
    """Migrate, load the reference data and seed `events` feed events with bench/exchange.py's
    setup, in subprocesses (their memory is not this process's); its tokens."""
    env = dict(os.environ)
    hcoc = [sys.executable, "-m", "hcoc.cli"]
    if not migrated_by_template():
        for cmd in ([*hcoc, "migrate", "--no-input"], [*hcoc, "load_reference"]):
            subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True)
    out = Path(os.environ["HCOC_VAR_DIR"]) / "setup.json"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "exchange.py"),
            "_setup",
            "--events",
            str(events),
            "--rounds",
            "1",
            "--ack-clients",
            "1",
            "--service-budget",
            str(budget),
            "--out",
            str(out),
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )
    return json.loads(out.read_text())


def asgi_caller(app):
    """call(method, path, query, headers, body) -> (status, body bytes), through the ASGI app."""
    loop = asyncio.new_event_loop()

    def call(method: str, path: str, query: str = "", headers=(), body: bytes = b""):
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1")]
            + [(k.lower().encode(), v.encode()) for k, v in headers],
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8000),
        }
        sent = {"body": []}
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive():
            if messages:
                return messages.pop()
            await asyncio.sleep(3600)

        async def send(message):
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sent["body"].append(message.get("body", b""))

        loop.run_until_complete(app(scope, receive, send))
        return sent["status"], b"".join(sent["body"])

    return call


def wsgi_caller(app):
    import io

    def call(method: str, path: str, query: str = "", headers=(), body: bytes = b""):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        for k, v in headers:
            key = k.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = v
        status = []
        chunks = app(environ, lambda s, h, *a: status.append(int(s.split()[0])))
        data = b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
        return status[0], data

    return call


def workloads(setup: dict, events: int):
    """{name: (n requests -> list of request tuples)}: what each measurement sends."""
    feed_auth = [("Authorization", f"Bearer {setup['tokens']['feed']}")]
    submit_auth = [("Authorization", f"Bearer {setup['tokens']['submit']['FRA']}")]
    pages = max(1, -(-events // PAGE))
    counter = {"pln": 10_000}

    def ceiling(n):
        return [("GET", f"{API}/states/FRA", "", (), b"")] * n

    def openapi(n):
        return [("GET", f"{API}/openapi.json", "", (), b"")] * n

    def paged(path):
        def make(n):
            return [
                ("GET", f"{API}/{path}", f"after={(i % pages) * PAGE}&limit={PAGE}", feed_auth, b"")
                for i in range(n)
            ]

        return make

    def submit(n):
        from exchange import pln_body

        out = []
        for _ in range(n):
            counter["pln"] += 1
            body = json.dumps(pln_body("FRA", counter["pln"])).encode()
            headers = [*submit_auth, ("Content-Type", "application/json")]
            out.append(("POST", f"{API}/notifications", "", headers, body))
        return out

    return {
        "ceiling": ceiling,
        "openapi": openapi,
        "feed": paged("feed"),
        "inbox": paged("inbox"),
        "submit": submit,
    }


def measure(call, requests, expect: int, count: bool = True) -> tuple[float, float, int, int]:
    """(CPU ms a request, wall ms a request, bytes a request, feed items in all the answers)."""
    answers = []
    c0, w0 = time.process_time(), time.perf_counter()
    for method, path, query, headers, body in requests:
        status, data = call(method, path, query, headers, body)
        answers.append(data)
        if status != expect:
            raise SystemExit(f"{method} {path}?{query}: {status} {data[:300]!r}")
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    n = len(requests)
    answers = answers if count else []
    items = sum(len(json.loads(a).get("items", ())) for a in answers if a.startswith(b'{"items"'))
    return cpu * 1000 / n, wall * 1000 / n, sum(map(len, answers)) // n, items


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--events", type=int, default=5000)
    p.add_argument("--requests", type=int, default=300, help="ceiling requests a round")
    p.add_argument("--pages", type=int, default=30, help="feed and inbox pages a round")
    p.add_argument("--plns", type=int, default=30, help="PLNs a round")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--service-budget", type=float, default=3.0)
    p.add_argument("--only", type=lambda v: v.split(","), help="comma-separated measurements")
    p.add_argument(
        "--profile", help="print cProfile's profile (CPU time) of one measurement (WSGI handler)"
    )
    p.add_argument(
        "--queries", help="print the SQL statements of one request of a measurement (WSGI handler)"
    )
    p.add_argument("--smoke", action="store_true", help="tiny sizes: that it runs")
    p.add_argument(
        "--var-dir",
        help="SQLite: use (or on first use seed, and keep) the database in this HCOC_VAR_DIR",
    )
    opts = p.parse_args()
    if opts.smoke:
        opts.events, opts.requests, opts.pages, opts.plns, opts.rounds = 200, 10, 1, 1, 1
        opts.service_budget = 0.5
    only = opts.only or ["ceiling", "openapi", "feed", "inbox", "submit"]

    print(f"HCoC Exchange: the server's CPU per request, in-process: {' '.join(sys.argv)}")
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    reuse = Path(opts.var_dir) / "setup.json" if opts.var_dir and opts.db == "sqlite" else None
    if reuse:
        Path(opts.var_dir).mkdir(parents=True, exist_ok=True)
        os.environ.update(HCOC_VAR_DIR=opts.var_dir, DJANGO_SETTINGS_MODULE="hcoc.settings")
        os.environ.update(RATE_LIMITS_OFF)
        os.environ.pop("DATABASE_URL", None)
        pg = None
    else:
        pg = fresh_database(opts.db, "hcoc_bench_cost")
    os.environ.update(HCOC_DEBUG="0", HCOC_LOG_LEVEL="WARNING")
    try:
        t = time.perf_counter()
        if reuse and reuse.exists():
            setup = json.loads(reuse.read_text())
            opts.events = setup["seed"]["events"]
            print(f"reusing {opts.events:,} events in {opts.var_dir}")
        else:
            setup = seed(opts.events, opts.service_budget)
            print(f"seeded {opts.events:,} events in {time.perf_counter() - t:.0f} s")
        sys.path.insert(0, str(ROOT / "src"))
        from django.core.handlers.wsgi import WSGIHandler

        from hcoc.asgi import application

        callers = {"asgi": asgi_caller(application), "wsgi": wsgi_caller(WSGIHandler())}
        make = workloads(setup, opts.events)
        size = {"ceiling": opts.requests, "feed": opts.pages, "inbox": opts.pages}
        size["openapi"] = max(1, opts.requests // 10)
        size["submit"] = opts.plns
        expect = {"submit": 201}
        if opts.queries:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            call, what = callers["wsgi"], opts.queries
            measure(call, make[what](2), expect.get(what, 200))  # warm
            with CaptureQueriesContext(connection) as captured:
                measure(call, make[what](1), expect.get(what, 200), count=False)
            for i, q in enumerate(captured.captured_queries, 1):
                print(f"{i:3} {q['time']:>6} s  {q['sql'][:220]}")
            print(f"{what}: {len(captured.captured_queries)} statements in one request")
            return
        if opts.profile:
            import cProfile
            import pstats

            # Django's WSGI handler: the same middlewares and views as the ASGI application, in
            # this thread, where the profiler sees them (the ASGI one runs them in another).
            # CPU time, not wall time: other processes' load does not enter the profile.
            call, what = callers["wsgi"], opts.profile
            measure(call, make[what](min(size[what], 5)), expect.get(what, 200))  # warm
            prof = cProfile.Profile(time.process_time)
            prof.enable()
            cpu, wall, nbytes, _ = measure(
                call, make[what](size[what]), expect.get(what, 200), count=False
            )
            prof.disable()
            stats = pstats.Stats(prof).strip_dirs()
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(45)
            print(f"{what}: {cpu:.2f} ms CPU a request (profiled), {wall:.2f} ms wall")
            return
        results: dict[tuple[str, str], list] = {}
        for r in range(opts.rounds):
            order = ["asgi", "wsgi"] if r % 2 == 0 else ["wsgi", "asgi"]
            for what in only:
                for handler in order:
                    if what == "submit" and handler == "wsgi":
                        continue
                    call = callers[handler]
                    reqs = make[what](size[what])
                    if r == 0:  # warm: connections, caches, imports
                        measure(call, reqs[: min(len(reqs), 5)], expect.get(what, 200))
                    results.setdefault((what, handler), []).append(
                        measure(call, reqs, expect.get(what, 200))
                    )
        print(f"\n{opts.db}, {opts.events:,} events, median of {opts.rounds} round(s):\n")
        print(
            "| request | handler | server CPU a request | wall a request | bytes | items/s of CPU |"
        )
        print("|---|---|---:|---:|---:|---:|")
        for (what, handler), rows in results.items():
            cpu = statistics.median(x[0] for x in rows)
            wall = statistics.median(x[1] for x in rows)
            nbytes = statistics.median(x[2] for x in rows)
            items = statistics.median(x[3] / size[what] for x in rows)
            per = f"{items * 1000 / cpu:,.0f}" if what in ("feed", "inbox") else ""
            spread = f" ({min(x[0] for x in rows):.2f}–{max(x[0] for x in rows):.2f})"
            print(
                f"| {what} | {handler} | {cpu:.2f} ms{spread} | {wall:.2f} ms | {nbytes:,.0f} | {per} |"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak RSS of this process: {peak:.0f} MiB; load average {os.getloadavg()[0]:.2f}")
    finally:
        if pg:
            from django.db import connections

            connections.close_all()
            pg_drop(pg)


if __name__ == "__main__":
    main()
