#!/usr/bin/env python
"""Live delivery by webhooks: how long from a PLN's commit to its receipt by 200 receivers?

    .venv/bin/python bench/delivery_hooks.py [--db sqlite|postgres] [--seconds 60] [--receivers 200]
                                             [--close] [--smoke]

A fresh database with 145 subscribing states; 20 of them register 10 webhook endpoints each (the
most a state may have), 200 in all, each a real HTTP receiver on loopback (one asyncio process
listening on 200 ports, recording when each delivery arrived; each keeps a connection open for
the next request as HTTP/1.1 servers do, or with `--close` closes it after every answer). The worker is the real one, `hcoc
deliver`, in its own process. France submits a PLN every second for `--seconds` (through the
service, in this process); the latency of a delivery is its arrival minus the moment the
submission's transaction committed. Every delivery is also checked: 200 × N arrivals, each
endpoint's in seq order. Goal: p99 <= 500 ms. Printed with the peak RSS of the worker, the
receivers and the benchmark itself. PostgreSQL: the database `hcoc_bench_hooks` (or
HCOC_BENCH_PG_DB), dropped at the end.

`--backlog N` measures instead a worker catching up: N PLNs are in the feed before any worker
runs, and a real `hcoc serve --no-deliver` serves `GET /api/v1/states/FRA` to 4 client
processes (the ceiling of bench/exchange.py). Each round measures, for `--seconds`, the ceiling
alone, then the ceiling while a worker starts and catches up from the start of the backlog
(every cursor moved back; timed until every endpoint is at the feed's end), once at the
server's own priority (HCOC_DELIVERY_NICE=0, as before issue 24) and once as it runs now (the
defaults: niced), in alternating order: requests/s and the server's CPU per request, the catch-up's time and the
worker's CPU per delivery.
"""

import argparse
import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from common import PeakRss, answers, fresh_database, pg_drop, subscribing_states

ROOT = Path(__file__).resolve().parents[1]
PER_STATE = 10
BEFORE = {"HCOC_DELIVERY_NICE": "0"}  # the worker at the server's priority, as before issue 24
NOW: dict[str, str] = {}  # its defaults


def ceiling_client(url: str, seconds: float, q) -> None:
    import httpx

    n, deadline = 0, time.monotonic() + seconds
    with httpx.Client() as http:
        while time.monotonic() < deadline:
            n += http.get(url).status_code == 200
    q.put(n)


def tree_cpu(pid: int) -> float:
    import psutil

    total = 0.0
    root = psutil.Process(pid)
    for p in [root, *root.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def backlog_rounds(opts, ports: list[int]) -> None:
    """See the module's doc (`--backlog`)."""
    import multiprocessing as mp
    import socket

    from django.db import connections
    from django.db.models import Sum

    from hcoc.delivery.models import Endpoint

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "hcoc.cli", "serve", "--no-deliver", "--port", str(port)],
        env=os.environ.copy(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api/v1/states/FRA"
    if not answers(url, within=60, every=0.2, proc=server):
        raise SystemExit("the server did not start")
    server_rss = PeakRss(server.pid)
    start_seq = min(Endpoint.objects.values_list("cursor", flat=True)) - opts.backlog
    ctx = mp.get_context("fork")
    connections.close_all()  # not shared with the forked clients

    def ceiling(seconds: float) -> tuple[float, float]:
        q = ctx.Queue()
        cpu0 = tree_cpu(server.pid)
        clients = [ctx.Process(target=ceiling_client, args=(url, seconds, q)) for _ in range(4)]
        for c in clients:
            c.start()
        done = sum(q.get() for _ in clients)
        for c in clients:
            c.join()
        return done / seconds, (tree_cpu(server.pid) - cpu0) / max(1, done)

    results: dict[str, list[dict]] = {"alone": [], "before": [], "now": []}
    worker_peak = 0.0
    for r in range(opts.rounds):
        results["alone"].append(dict(zip(("rps", "cpu"), ceiling(opts.seconds), strict=True)))
        for name in ["before", "now"] if r % 2 == 0 else ["now", "before"]:
            Endpoint.objects.update(cursor=start_seq, next_attempt_at=None, failures=0)
            connections.close_all()
            worker = subprocess.Popen(
                [sys.executable, "-m", "hcoc.cli", "deliver"],
                env={**os.environ, **(BEFORE if name == "before" else NOW)},
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
            worker_rss = PeakRss(worker.pid)
            started = time.monotonic()
            rps, cpu = ceiling(opts.seconds)  # while it starts and catches up
            target = opts.backlog * len(ports)
            for _ in range(6000):  # until every endpoint is at the feed's end, or 10 minutes
                if (
                    Endpoint.objects.aggregate(s=Sum("cursor"))["s"] - start_seq * len(ports)
                    >= target
                ):
                    break
                time.sleep(0.1)
            caught_up = time.monotonic() - started
            delivered = Endpoint.objects.aggregate(s=Sum("cursor"))["s"] - start_seq * len(ports)
            wcpu = tree_cpu(worker.pid)
            connections.close_all()
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
            worker_peak = max(worker_peak, worker_rss.stop())
            results[name].append(
                {
                    "rps": rps,
                    "cpu": cpu,
                    "caught_up_s": caught_up,
                    "delivered_per_s": delivered / caught_up,
                    "worker_cpu": wcpu / max(1, delivered),
                }
            )
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)
    med = {
        k: {f: statistics.median(x[f] for x in v) for f in v[0]} for k, v in results.items() if v
    }
    alone = med["alone"]["rps"]
    print(
        f"{opts.db}: backlog of {opts.backlog} items x {len(ports)} receivers; medians of "
        f"{opts.rounds} round(s) of {opts.seconds} s"
    )
    print(
        f"  ceiling alone: {alone:.0f} req/s, {med['alone']['cpu'] * 1000:.1f} ms server CPU "
        "per request"
    )
    for name, label in (("before", "batch 1, nice 0 (before)"), ("now", "batch 50, nice 10 (now)")):
        m = med[name]
        print(
            f"  worker catching up, {label}: ceiling {m['rps']:.0f} req/s ({m['rps'] / alone:.2f} "
            f"of alone), {m['cpu'] * 1000:.1f} ms server CPU per request; the whole backlog in "
            f"{m['caught_up_s']:.1f} s from the worker's start ({m['delivered_per_s']:.0f} "
            f"deliveries/s), {m['worker_cpu'] * 1000:.2f} ms of the worker's CPU per delivery "
            "(its start included)"
        )
    print(f"  peak RSS: server {server_rss.stop():.0f} MiB, worker {worker_peak:.0f} MiB")


# ---- the receivers: one process, many ports --------------------------------------------------


def receivers_main(count: int, ports_file: str, out_file: str, close: bool = False) -> None:
    """Listen on `count` loopback ports; on SIGTERM write [[port, seq, arrival], ...]. Each
    connection is kept open for the next request, as HTTP/1.1 servers do, unless the client asks
    to close it or `close` (the receivers of the first runs: `Connection: close` on every answer)."""
    got: list[tuple[int, int, float]] = []
    done = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + (
        b"Connection: close\r\n\r\n" if close else b"\r\n"
    )

    async def handle(reader, writer, port):
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return  # the client closed the connection
                length, closing = 0, close
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                    if line.lower().replace(b" ", b"") == b"connection:close":
                        closing = True
                body = await reader.readexactly(length)
                got.append((port, json.loads(body)["seq"], time.time()))
                writer.write(done)
                await writer.drain()
                if closing:
                    return
        finally:
            writer.close()

    async def main():
        ports = []
        for _ in range(count):
            box: dict[str, int] = {}
            server = await asyncio.start_server(
                lambda r, w, box=box: handle(r, w, box["port"]), "127.0.0.1", 0
            )
            box["port"] = server.sockets[0].getsockname()[1]
            ports.append(box["port"])
        Path(ports_file).write_text(json.dumps(ports))
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        Path(out_file).write_text(json.dumps(got))

    asyncio.run(main())


def models_last_seq() -> int:
    from django.db.models import Max

    from hcoc.exchange.models import Event

    return Event.objects.aggregate(m=Max("seq"))["m"] or 0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=60, help="one PLN a second, this long")
    parser.add_argument("--receivers", type=int, default=200)
    parser.add_argument("--smoke", action="store_true", help="2 PLNs to 4 receivers: that it runs")
    parser.add_argument(
        "--close",
        action="store_true",
        help="receivers close every connection after answering (no keep-alive)",
    )
    parser.add_argument(
        "--backlog",
        type=int,
        default=0,
        help="a worker catching up this many items beside a server (see the module's doc)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="with --backlog: rounds")
    opts = parser.parse_args()
    if opts.smoke:
        opts.seconds, opts.receivers = 2, 4
    if opts.receivers > PER_STATE * 140:
        parser.error(f"at most {PER_STATE * 140} receivers ({PER_STATE} per state)")

    pg_db = fresh_database(opts.db, "hcoc_bench_hooks")
    os.environ["HCOC_WEBHOOK_ALLOWED_NETWORKS"] = "127.0.0.0/8"
    import django

    django.setup()
    from hcoc.accounts.models import Role, User
    from hcoc.accounts.services import user_create
    from hcoc.delivery.models import Attempt
    from hcoc.delivery.webhooks import endpoint_register
    from hcoc.notifications.schemas import PLNIn
    from hcoc.notifications.services import notification_submit

    sys.path.insert(0, str(ROOT / "tests"))
    from support.bodies import pln

    states = [s for s in subscribing_states() if s != "FRA"]
    fra = user_create(username="fra", password=None, role=Role.SUBMITTER, state_iso3="FRA")

    work = Path(tempfile.mkdtemp(prefix="hooks-"))
    ports_file, out_file = work / "ports.json", work / "arrivals.json"
    receivers = subprocess.Popen(
        [sys.executable, __file__, "--receivers-process", str(opts.receivers), str(ports_file)]
        + [str(out_file), "close" if opts.close else "keep"],
        start_new_session=True,
    )
    for _ in range(600):
        if ports_file.exists() and ports_file.stat().st_size:
            break
        time.sleep(0.05)
    ports = json.loads(ports_file.read_text())
    for i, port in enumerate(ports):
        state = states[i // PER_STATE]
        user = User.objects.filter(username=f"hooks-{state}").first() or user_create(
            username=f"hooks-{state}", password=None, role=Role.SUBMITTER, state_iso3=state
        )
        endpoint_register(actor=user, url=f"http://127.0.0.1:{port}/hook")

    if opts.backlog:
        for i in range(opts.backlog):
            notification_submit(actor=fra, data=PLNIn.model_validate(pln(remarks=f"backlog {i}")))
        from hcoc.delivery.models import Endpoint

        Endpoint.objects.update(cursor=models_last_seq())
        backlog_rounds(opts, ports)
        os.killpg(receivers.pid, signal.SIGTERM)
        receivers.wait(timeout=60)
        if pg_db:
            from django.db import connections

            connections.close_all()
            pg_drop(pg_db)
        return

    worker = subprocess.Popen(
        [sys.executable, "-m", "hcoc.cli", "deliver"],
        env=os.environ.copy(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    worker_rss, receivers_rss = PeakRss(worker.pid), PeakRss(receivers.pid)
    time.sleep(0.5 if opts.smoke else 2)  # the worker's start (Django, its first pass)

    def cpu(pid: int) -> float:
        t = psutil.Process(pid).cpu_times()
        return t.user + t.system

    load_before = os.getloadavg()[0]
    cpu_before = cpu(worker.pid), cpu(receivers.pid)
    committed: dict[int, float] = {}
    start = time.monotonic()
    for i in range(opts.seconds):
        time.sleep(max(0.0, start + i - time.monotonic()))
        n = notification_submit(actor=fra, data=PLNIn.model_validate(pln(remarks=f"bench {i}")))
        committed[n.versions.get().seq] = time.time()  # the transaction committed on return
    expected = len(committed) * len(ports)
    for _ in range(1200):  # every delivery made, or 2 minutes
        if Attempt.objects.filter(ok=True).count() >= expected:
            break
        time.sleep(0.1)
    cpu_worker, cpu_receivers = (
        cpu(worker.pid) - cpu_before[0],
        cpu(receivers.pid) - cpu_before[1],
    )
    load_after = os.getloadavg()[0]
    time.sleep(0.5)
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=60)
    os.killpg(receivers.pid, signal.SIGTERM)
    receivers.wait(timeout=60)
    worker_peak, receivers_peak = worker_rss.stop(), receivers_rss.stop()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    arrivals = json.loads(out_file.read_text())
    latencies = [(at - committed[seq]) * 1000 for _, seq, at in arrivals if seq in committed]
    by_port: dict[int, list[int]] = {}
    for port, seq, _ in arrivals:
        by_port.setdefault(port, []).append(seq)
    in_order = all(seqs == sorted(seqs) for seqs in by_port.values())
    complete = all(sorted(set(by_port.get(p, []))) == sorted(committed) for p in ports)
    print(
        f"{opts.db}: {len(committed)} PLNs x {len(ports)} receivers "
        f"({'closing' if opts.close else 'keeping'} connections) = {expected} deliveries; "
        f"arrived {len(arrivals)} (every one: {complete}, each receiver in seq order: {in_order})"
    )
    print(
        f"latency commit -> receipt: p50 {statistics.median(latencies):.0f} ms, "
        f"p90 {percentile(latencies, 90):.0f} ms, p99 {percentile(latencies, 99):.0f} ms, "
        f"max {max(latencies):.0f} ms (goal: p99 <= 500 ms)"
    )
    print(
        f"CPU from the first PLN to the last delivery: worker {cpu_worker:.2f} s "
        f"({1000 * cpu_worker / max(1, len(arrivals)):.2f} ms a delivery), receivers "
        f"{cpu_receivers:.2f} s; machine load average {load_before:.1f} -> {load_after:.1f}"
    )
    print(
        f"peak RSS: worker {worker_peak:.0f} MiB, receivers {receivers_peak:.0f} MiB, "
        f"benchmark {own:.0f} MiB"
    )
    if pg_db:
        from django.db import connections

        connections.close_all()
        pg_drop(pg_db)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--receivers-process":
        receivers_main(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5] == "close")
    else:
        main()
