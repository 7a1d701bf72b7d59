#!/usr/bin/env python
"""Live delivery under load: N Server-Sent Events streams on a real `hcoc serve`, a PLN a second.

    .venv/bin/python bench/delivery_stream.py [--db sqlite|postgres|both] [--connections 200]
                                              [--seconds 60] [--quick] [--smoke] [--workers 2]

For each database (SQLite in a temporary HCOC_VAR_DIR; PostgreSQL in the database
`hcoc_bench_stream`, or HCOC_BENCH_PG_DB, dropped and created again, and dropped at the end): migrate, load the
reference data, make 145 states subscribing and one reader for each connection (spread over the
states), start `hcoc serve --workers W` (gunicorn with uvicorn workers), open `--connections`
streams of `GET /api/v1/feed/stream` from client processes (asyncio sockets), then submit a PLN
as France every second for `--seconds` (10 with `--quick`).

It prints, per database: latency from each item's commit to its receipt on each stream (p50,
p99, max; the commit is dated by the item's `at`, taken under the exchange's write lock just
before the commit, so the figure includes the commit itself), the skew between the first and
the last stream to receive each item (p50, p99, max), whether every stream received every item
once and in order, the server's RSS idle and with the streams open (per connection), its peak
RSS and CPU time, and the clients' peak RSS. The issue's goal: 200 streams, p99 <= 100 ms,
skew <= 50 ms. Nothing here asserts on time: it prints figures.
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from common import (
    RATE_LIMITS_OFF,
    answers,
    free_port,
    kourou_pln,
    pg_drop,
    pg_name,
    pg_recreate,
    sqlite_from_template,
)

ROOT = Path(__file__).resolve().parents[1]
PG_DBNAME = pg_name("hcoc_bench_stream")
MiB = 1024 * 1024
# The most the streams stay open after the last item is submitted, waiting for it.
TAIL = 8.0


# ---- setup: in a subprocess with the server's environment ---------------------------------------


def setup_main(connections: int, out: str) -> None:
    import django

    django.setup()
    sys.path.insert(0, str(ROOT / "bench"))
    from common import subscribing_states

    from hcoc.accounts.models import Role
    from hcoc.accounts.services import token_create, user_create

    states = [s for s in subscribing_states(145) if s != "FRA"]
    fra = user_create(username="fra", password=None, role=Role.SUBMITTER, state_iso3="FRA")
    tokens = {"fra": token_create(user=fra, name="bench")[1], "readers": []}
    for i in range(connections):
        user = user_create(
            username=f"reader{i}",
            password=None,
            role=Role.READER,
            state_iso3=states[i % len(states)],
        )
        tokens["readers"].append(token_create(user=user, name="bench")[1])
    Path(out).write_text(json.dumps(tokens))


# ---- a client process: many streams on one event loop ------------------------------------------


def client_main(base: str, tokens: list[str], last, tail: float, ready, results) -> None:
    asyncio.run(_client(base, tokens, last, tail, ready, results))


async def _client(base, tokens, last, tail, ready, results):
    """Plain asyncio sockets, not an HTTP library: a receipt is timed when its `id:` line is read,
    and a light client keeps its own share of the skew small (httpx spent ~0.3 ms an event).
    The streams stay open until the run names its last item's seq (`last`) and every stream has
    it, or `tail` seconds after it was named: not for a fixed time from the client's start, which
    a slow start on a loaded machine ate into, closing streams before the last item came."""
    host, port = base.removeprefix("http://").split(":")
    received: list[list[tuple[int, float]]] = [[] for _ in tokens]
    opened = 0

    async def one(i: int, token: str) -> None:
        nonlocal opened
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            (
                f"GET /api/v1/feed/stream HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: Bearer {token}\r\nLast-Event-ID: 0\r\n\r\n"
            ).encode()
        )
        status = await reader.readline()
        if b" 200 " not in status:
            raise SystemExit(f"stream {i}: {status!r}")
        opened += 1
        if opened == len(tokens):
            ready.set()
        try:
            while line := await reader.readline():
                if line.startswith(b"id: "):
                    received[i].append((int(line[4:]), time.time()))
        finally:
            writer.close()

    tasks = [asyncio.create_task(one(i, t)) for i, t in enumerate(tokens)]
    named = None
    while named is None or time.monotonic() - named < tail:
        await asyncio.sleep(0.05)
        if last.value and named is None:
            named = time.monotonic()
        if last.value and all(r and r[-1][0] >= last.value for r in received):
            break
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    results.put(received)


# ---- the run ------------------------------------------------------------------------------------


def rss_tree(pid: int) -> int:
    import psutil

    proc = psutil.Process(pid)
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def cpu_tree(pid: int) -> float:
    import psutil

    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


class Peak(threading.Thread):
    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids, self.peak, self.stop = pids, {p: 0 for p in pids}, threading.Event()

    def run(self):
        while not self.stop.is_set():
            for p in self.pids:
                with contextlib.suppress(Exception):  # a process that ended: its peak stands
                    self.peak[p] = max(self.peak[p], rss_tree(p))
            time.sleep(0.05)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def bench_database(db: str, opts) -> dict | None:
    import httpx

    tmp = Path(tempfile.mkdtemp(prefix=f"hcoc-stream-{db}-"))
    env = {**os.environ, **RATE_LIMITS_OFF, "HCOC_VAR_DIR": str(tmp)}
    env["DJANGO_SETTINGS_MODULE"] = "hcoc.settings"
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        try:
            env["DATABASE_URL"] = pg_recreate(PG_DBNAME)
        except Exception as e:  # noqa: BLE001  (any failure to reach PostgreSQL: skip it)
            print(f"   PostgreSQL unreachable ({e}); skipped")
            return None
    else:
        sqlite_from_template(str(tmp))
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "_setup", str(opts.connections), str(tmp / "tokens.json")],
        env=env,
        cwd=ROOT,
        check=True,
    )
    tokens = json.loads((tmp / "tokens.json").read_text())
    print(
        f"   setup (migrate, reference data, {opts.connections} readers): {time.perf_counter() - t:.0f} s"
    )
    port = free_port()
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "hcoc.cli", "serve", "--port", str(port)]
        + ["--workers", str(opts.workers)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not answers(base + "/api/v1/states/AUT", within=60, proc=server):
            raise SystemExit(f"the server did not start; see {tmp / 'server.log'}")
        time.sleep(opts.settle)
        idle = rss_tree(server.pid)
        ctx = mp.get_context("spawn")
        ready = [ctx.Event() for _ in range(opts.clients)]
        results = ctx.Queue()
        share = [tokens["readers"][i :: opts.clients] for i in range(opts.clients)]
        last = ctx.Value("q", 0)  # the seq of the last item submitted, once it is known
        clients = [
            ctx.Process(target=client_main, args=(base, share[i], last, TAIL, ready[i], results))
            for i in range(opts.clients)
        ]
        for c in clients:
            c.start()
        peak = Peak([server.pid, *[c.pid for c in clients]])
        peak.start()
        for r in ready:
            if not r.wait(60):
                raise SystemExit("the streams did not all open within 60 s")
        time.sleep(2 * opts.settle)
        with_streams = rss_tree(server.pid)
        cpu0 = cpu_tree(server.pid)
        submitted: dict[int, float] = {}  # seq -> the item's `at` (epoch seconds)
        answered: dict[int, float] = {}
        headers = {"Authorization": f"Bearer {tokens['fra']}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            start = time.monotonic()
            for i in range(int(opts.seconds)):
                r = http.post("/api/v1/notifications", json=kourou_pln(i))
                if r.status_code != 201:
                    raise SystemExit(f"submission {i}: {r.status_code} {r.text}")
                answered[r.json()["seq"]] = time.time()
                time.sleep(max(0.0, start + i + 1 - time.monotonic()))
            last.value = max(answered)
            # The items' `at`, from the feed, as every state reads it.
            feed = http.get("/api/v1/feed", params={"after": 0, "limit": 1000}).json()["items"]
        for item in feed:
            if item["seq"] in answered:
                submitted[item["seq"]] = datetime.fromisoformat(item["at"]).timestamp()
        cpu = cpu_tree(server.pid) - cpu0
        received = []
        for _ in clients:
            received.extend(results.get(timeout=TAIL + 60))
        for c in clients:
            c.join()
        peak.stop.set()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        if db == "postgres":
            pg_drop(PG_DBNAME)
    latencies, skews, problems = [], [], 0
    expected = sorted(submitted)
    by_seq: dict[int, list[float]] = {s: [] for s in expected}
    for stream in received:
        seqs = [s for s, _ in stream if s in submitted]
        if seqs != expected:
            problems += 1
        for s, at in stream:
            if s in by_seq:
                by_seq[s].append(at)
                latencies.append((at - submitted[s]) * 1000)
    for times in by_seq.values():
        if times:
            skews.append((max(times) - min(times)) * 1000)
    return {
        "db": db,
        "items": len(expected),
        "streams": len(received),
        "deliveries": len(latencies),
        "incomplete_streams": problems,
        "latency": [pct(latencies, 0.5), pct(latencies, 0.99), max(latencies)],
        "answer_latency": statistics.median((answered[s] - submitted[s]) * 1000 for s in expected),
        "skew": [pct(skews, 0.5), pct(skews, 0.99), max(skews)],
        "rss_idle": idle,
        "rss_streams": with_streams,
        "rss_peak_server": peak.peak[server.pid],
        "rss_peak_clients": sum(v for p, v in peak.peak.items() if p != server.pid),
        "cpu_server": cpu,
        "seconds": opts.seconds,
    }


def report(r: dict, connections: int) -> str:
    per = (r["rss_streams"] - r["rss_idle"]) / max(1, connections)
    lines = [
        "| figure | value |",
        "|---|---:|",
        f"| items submitted (1 a second) | {r['items']} |",
        f"| streams / deliveries | {r['streams']} / {r['deliveries']:,} |",
        f"| streams that missed, repeated or reordered an item | {r['incomplete_streams']} |",
        "| latency commit → receipt p50 / p99 / max | "
        + " / ".join(f"{v:.0f} ms" for v in r["latency"])
        + " |",
        "| skew first → last stream p50 / p99 / max | "
        + " / ".join(f"{v:.0f} ms" for v in r["skew"])
        + " |",
        f"| submission's answer after commit (median) | {r['answer_latency']:.0f} ms |",
        f"| server RSS idle → with the streams | {r['rss_idle'] / MiB:.0f} → {r['rss_streams'] / MiB:.0f} MiB ({per / 1024:.0f} KiB a stream) |",
        f"| server peak RSS / clients' peak RSS | {r['rss_peak_server'] / MiB:.0f} / {r['rss_peak_clients'] / MiB:.0f} MiB |",
        f"| server CPU during the run | {r['cpu_server']:.1f} s in {r['seconds']:.0f} s ({100 * r['cpu_server'] / r['seconds']:.0f} % of a core) |",
    ]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        setup_main(int(sys.argv[2]), sys.argv[3])
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--connections", type=int, default=200)
    p.add_argument(
        "--seconds", type=float, help="seconds of submissions (default 60; 10 with --quick)"
    )
    p.add_argument("--quick", action="store_true", help="10 s of submissions")
    p.add_argument(
        "--smoke",
        action="store_true",
        help="4 streams, 1 server worker, 2 s of submissions: that it runs",
    )
    p.add_argument("--workers", type=int, default=2, help="server workers (default 2)")
    p.add_argument("--clients", type=int, default=2, help="client processes (default 2)")
    opts = p.parse_args()
    if opts.smoke:
        opts.connections, opts.clients, opts.workers = 4, 1, 1
        opts.seconds = opts.seconds or 2.0
    opts.seconds = opts.seconds or (10.0 if opts.quick else 60.0)
    # How long the server settles before its memory is read.
    opts.settle = 0.2 if opts.smoke else 1.0
    import psutil

    print(f"HCoC Exchange live delivery benchmark: {' '.join(sys.argv)}")
    print(
        f"machine: {os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB RAM, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"server: hcoc serve --workers {opts.workers} (gunicorn + uvicorn workers); "
        f"{opts.connections} streams from {opts.clients} client processes; "
        f"a PLN a second for {opts.seconds:g} s"
    )
    for db in ["sqlite", "postgres"] if opts.db == "both" else [opts.db]:
        print(f"\n== {db}")
        r = bench_database(db, opts)
        if r:
            print()
            print(report(r, opts.connections))
    print(f"\nload average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
