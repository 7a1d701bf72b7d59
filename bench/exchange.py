#!/usr/bin/env python
"""HTTP benchmark of the HCoC Exchange: a real `hcoc serve`, client processes, fresh databases.

    .venv/bin/python bench/exchange.py [--db sqlite|postgres|both] [--events 100000] [--quick]
                                       [--smoke]
                                       [--server asgi|wsgi]

For each database (SQLite in a temporary HCOC_VAR_DIR; PostgreSQL in a dedicated database
`hcoc_bench`, dropped and recreated, skipped with a note when unreachable) it runs `hcoc migrate`,
`hcoc load_reference`, creates users and tokens and seeds N feed events in a setup subprocess,
starts `hcoc serve --workers 2`, and measures from client processes over HTTP:

  ceiling   GET /api/v1/states/FRA (public, one small read): the framework ceiling
  feed      one client catching up N events with GET /feed?after=X&limit=1000 (order checked);
            its bytes an item, ms a page and bytes/s
  static    the feed's first page, written as a static file by the setup, fetched by one client
            from the same server as many times as the feed had pages: the bytes/s of a file
  inbox     the same client catching up its state's /inbox (items of other states not yet
            acknowledged; beyond the issue's list, since a state may read that instead)
  acks      POST /acknowledgements {"seqs": [100 seqs]} from several states at once
  up_to     one POST /acknowledgements {"up_to": N} (a state acknowledging everything at once)
  submit    POST /notifications (PLNs) from four states' submitters at once
  submit+ik the same with an Idempotency-Key header on every request

Each round measures everything once (so ratios are within one run); the table gives medians over
the rounds, each rate also as a ratio of its requests/s to the ceiling's requests/s, and the peak
RSS (sampled with psutil every 50 ms) of the server (gunicorn master + workers, summed) and of the
client processes (summed), and the server's CPU time per request (less sensitive than rates to
the noise of a shared machine). Nothing here asserts on time: it prints figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from common import (
    RATE_LIMITS_OFF,
    answers,
    free_port,
    migrated_by_template,
    pg_drop,
    pg_name,
    pg_recreate,
    sqlite_from_template,
)

ROOT = Path(__file__).resolve().parents[1]
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/"
# Its own database name when several checkouts may run it at once (HCOC_BENCH_PG_DB).
PG_DBNAME = pg_name("hcoc_bench")
API = "/api/v1"
STATIC_PAGE = "/static/bench/feed-page.json"  # page 1 of the feed, written by the setup
MiB = 1024 * 1024

# The four submitting states of the benchmark and a PLN each can legitimately send.
SUBMITTERS = {
    "FRA": ("SLV", "SLV-medium", "FRA-KOUROU", "Ariane 6"),
    "USA": ("SLV", "SLV-medium", "USA-CAPE-CANAVERAL", "Falcon 9"),
    "JPN": ("SLV", "SLV-medium", "JPN-TANEGASHIMA", "H3"),
    "IND": ("SLV", "SLV-medium", "IND-SRIHARIKOTA", "GSLV"),
}
ACK_BATCH = 100
FEED_PAGE = 1000


def pln_body(state: str, i: int) -> dict:
    """A valid PLN (shape of tests/support/bodies.py `pln()`), window a few days ahead."""
    from datetime import UTC, datetime, timedelta

    category, generic_class, site, vehicle = SUBMITTERS[state]
    opens = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3, minutes=i % 10_000)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return {
        "category": category,
        "generic_class": generic_class,
        "vehicle_name": vehicle,
        "test_flight": False,
        "window": {
            "opens": opens.strftime(fmt),
            "closes": (opens + timedelta(hours=6)).strftime(fmt),
        },
        "launch_area": {"site_id": site},
        "planned_direction": {"azimuth_deg": 90.0},
        "impact_areas": [
            {"kind": "stage", "center": {"lat": 10.0, "lon": -40.0}, "radius_km": 100}
        ],
        "range_km": 3000,
        "apogee_km": 200,
        "remarks": "Benchmark notification.",
    }


# ---- setup step: runs in a subprocess with the server's environment ---------------------------


def setup_main(events: int, rounds: int, ack_clients: int, service_budget: float, out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hcoc.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from hcoc.accounts.models import Role
    from hcoc.accounts.services import token_create, user_create
    from hcoc.exchange.models import Event
    from hcoc.notifications.models import Notification, NotificationVersion
    from hcoc.notifications.schemas import PLNIn
    from hcoc.notifications.services import notification_submit
    from hcoc.states.models import State

    def user(username, role, iso3):
        u = user_create(username=username, password=None, role=role, state_iso3=iso3)
        return u, token_create(user=u, name="bench")[1]

    subs, tokens = {}, {"submit": {}, "ack": [], "up_to": []}
    for iso3 in SUBMITTERS:
        subs[iso3], tokens["submit"][iso3] = user(f"bench_sub_{iso3.lower()}", Role.SUBMITTER, iso3)
    _, tokens["feed"] = user("bench_reader_fra", Role.READER, "FRA")
    others = [
        s.iso3
        for s in State.objects.order_by("iso3")
        if s.is_subscribing_now and s.iso3 not in SUBMITTERS
    ]
    need = rounds * ack_clients + rounds
    if len(others) < need:
        raise SystemExit(
            f"need {need} other subscribing states for acknowledgements, have {len(others)}"
        )
    for r in range(rounds):
        group = others[r * ack_clients : (r + 1) * ack_clients]
        tokens["ack"].append([user(f"bench_ack_{s.lower()}", Role.READER, s)[1] for s in group])
    for r in range(rounds):
        s = others[rounds * ack_clients + r]
        tokens["up_to"].append(user(f"bench_upto_{s.lower()}", Role.READER, s)[1])

    # 1. Real submissions through the service layer (the same code path as the API), for as long
    #    as the budget allows: they set the rate and give realistic rows to copy.
    states = list(SUBMITTERS)
    t0 = time.perf_counter()
    n_service = 0
    while n_service < events and (n_service < 8 or time.perf_counter() - t0 < service_budget):
        st = states[n_service % len(states)]
        notification_submit(actor=subs[st], data=PLNIn.model_validate(pln_body(st, n_service)))
        n_service += 1
    service_s = time.perf_counter() - t0

    # 2. The rest in bulk: copies of those rows (one template per state) with their own
    #    reference and seq, seq gap-free from n_service + 1 to N, in Notification,
    #    NotificationVersion and Event alike, as notification_submit would have written them.
    t1 = time.perf_counter()
    n_bulk = events - n_service
    if n_bulk > 0:
        templates = {}
        for st in states:
            n = Notification.objects.filter(state_id=st).order_by("-id").first()
            v = n.versions.get(version=1)
            e = Event.objects.get(seq=v.seq)
            templates[st] = (n, v, e, json.loads(e.payload))
        counters = {st: Notification.objects.filter(state_id=st).count() for st in states}
        from hcoc.exchange.selectors import event_item_text
        from hcoc.lib.canonical import canonical_dumps

        chunk = 2000
        seq = n_service
        while seq < events:
            batch = range(seq + 1, min(events, seq + chunk) + 1)
            ns, plan = [], []
            for s in batch:
                st = states[(s - 1) % len(states)]
                n, v, e, payload = templates[st]
                counters[st] += 1
                ref = f"{st}-{n.ref_year:04d}-{counters[st]:04d}"
                fields = {
                    f.attname: getattr(n, f.attname)
                    for f in Notification._meta.concrete_fields
                    if f.attname != "id"
                }
                fields.update(reference=ref, ref_number=counters[st])
                ns.append(Notification(**fields))
                plan.append((s, st, ref))
            with transaction.atomic():
                Notification.objects.bulk_create(ns)
                vs, es = [], []
                for obj, (s, st, ref) in zip(ns, plan, strict=True):
                    n, v, e, payload = templates[st]
                    vs.append(
                        NotificationVersion(
                            notification_id=obj.pk,
                            version=1,
                            content=v.content,
                            submitted_at=v.submitted_at,
                            submitted_by_id=v.submitted_by_id,
                            entered_by_icc=v.entered_by_icc,
                            seq=s,
                        )
                    )
                    ev = Event(
                        seq=s,
                        kind=e.kind,
                        at=e.at,
                        state_id=st,
                        subject=ref,
                        version=1,
                        payload=canonical_dumps({**payload, "reference": ref, "seq": s}),
                        actor_id=e.actor_id,
                    )
                    ev.item = event_item_text(ev)
                    es.append(ev)
                NotificationVersion.objects.bulk_create(vs)
                Event.objects.bulk_create(es)
            seq = batch[-1]
    bulk_s = time.perf_counter() - t1
    if connection.vendor == "postgresql":  # what autovacuum would soon do after 100k inserts
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")
    seqs = list(Event.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, events + 1)), "seeded sequence is not 1..N without gaps"
    payload_bytes = sum(len(p) for p in Event.objects.values_list("payload", flat=True)[:1000])
    # The first page of the feed as the server answers it, written as a static file that the
    # server then serves (WhiteNoise, from STATIC_ROOT): the same bytes from the same server, to
    # compare the feed's bytes/s with a file's.
    from django.conf import settings
    from django.test import Client

    page = Client().get(
        f"/api/v1/feed?after=0&limit={FEED_PAGE}",
        HTTP_AUTHORIZATION=f"Bearer {tokens['feed']}",
        HTTP_HOST="127.0.0.1",
    )
    assert page.status_code == 200, page.status_code
    static = Path(settings.STATIC_ROOT) / "bench" / "feed-page.json"
    static.parent.mkdir(parents=True, exist_ok=True)
    static.write_bytes(page.content)
    Path(out).write_text(
        json.dumps(
            {
                "tokens": tokens,
                "seed": {
                    "events": events,
                    "service": n_service,
                    "service_s": service_s,
                    "bulk": n_bulk,
                    "bulk_s": bulk_s,
                    "avg_payload_bytes": payload_bytes / min(events, 1000),
                    "static_bytes": len(page.content),
                },
                "db_version": _db_version(connection),
            }
        )
    )


def _db_version(connection) -> str:
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SHOW server_version")
            return "PostgreSQL " + c.fetchone()[0]
        c.execute("select sqlite_version()")
        return "SQLite " + c.fetchone()[0]


# ---- client processes --------------------------------------------------------------------------


def _wait_until(t: float) -> None:
    while (d := t - time.monotonic()) > 0:
        time.sleep(min(d, 0.05))


def client_loop(kind: str, base: str, arg: dict, start_at: float, q) -> None:
    """One client process: its own keep-alive httpx.Client, requests until the deadline."""
    import httpx

    headers = {"Authorization": f"Bearer {arg['token']}"} if arg.get("token") else {}
    http = httpx.Client(base_url=base + API, headers=headers, timeout=120)
    statuses: Counter = Counter()
    ok = units = 0
    i = 0
    seq = arg.get("first_seq", 1)
    _wait_until(start_at)
    cpu0 = time.process_time()
    deadline = start_at + arg["duration"]
    while time.monotonic() < deadline:
        if kind == "ceiling":
            r = http.get("/states/FRA")
            good = r.status_code == 200
            n_units = 1
        elif kind == "static":  # units: bytes
            if i >= arg["requests"]:
                break
            r = http.get(base + STATIC_PAGE)
            good = r.status_code == 200 and len(r.content) == arg["bytes"]
            n_units = len(r.content)
        elif kind in ("submit", "submit_ik"):
            extra = (
                {"Idempotency-Key": f"bench-{arg['state']}-{os.getpid()}-{i}"}
                if kind == "submit_ik"
                else {}
            )
            r = http.post("/notifications", json=pln_body(arg["state"], i), headers=extra)
            good = r.status_code == 201
            n_units = 1
        elif kind == "acks":
            if seq > arg["last_seq"]:
                break
            seqs = list(range(seq, min(seq + ACK_BATCH, arg["last_seq"] + 1)))
            r = http.post("/acknowledgements", json={"seqs": seqs})
            good = r.status_code == 201 and r.json()["acknowledged"] == len(seqs)
            n_units = len(seqs)
            seq += ACK_BATCH
        else:
            raise ValueError(kind)
        i += 1
        statuses[r.status_code] += 1
        if good:
            ok += 1
            units += n_units
    elapsed = time.monotonic() - start_at
    q.put(
        {
            "ok": ok,
            "units": units,
            "requests": i,
            "elapsed": elapsed,
            "statuses": dict(statuses),
            "cpu": time.process_time() - cpu0,
        }
    )


def client_catch_up(base: str, arg: dict, start_at: float, q) -> None:
    """Read /feed (or /inbox) from seq 0 to the end, as a new subscriber would.

    Feed: checks the items are exactly seq 1, 2, ..., expect. Inbox: checks seqs strictly
    increase and the count equals the `unacknowledged` total of the first page.
    """
    import httpx

    path = arg.get("path", "/feed")
    http = httpx.Client(
        base_url=base + API, headers={"Authorization": f"Bearer {arg['token']}"}, timeout=120
    )
    after, expected, pages, items, received, problems = 0, 1, 0, 0, 0, []
    statuses: Counter = Counter()
    _wait_until(start_at)
    cpu0 = time.process_time()
    while True:
        r = http.get(path, params={"after": after, "limit": FEED_PAGE})
        statuses[r.status_code] += 1
        pages += 1
        received += len(r.content)
        if r.status_code != 200:
            problems.append(f"HTTP {r.status_code} after={after}")
            break
        page = r.json()
        if path == "/inbox" and pages == 1:
            arg["expect"] = page["unacknowledged"]
        for item in page["items"]:
            if path == "/feed" and item["seq"] != expected and len(problems) < 5:
                problems.append(f"expected seq {expected}, got {item['seq']}")
            if path == "/inbox" and item["seq"] < expected and len(problems) < 5:
                problems.append(f"seq {item['seq']} after {expected - 1}")
            expected = item["seq"] + 1
            items += 1
        after = page["last_seq"]
        if not page["more"]:
            break
    elapsed = time.monotonic() - start_at
    if items != arg["expect"] and len(problems) < 5:
        problems.append(f"received {items} items, expected {arg['expect']}")
    q.put(
        {
            "ok": pages,
            "units": items,
            "requests": pages,
            "elapsed": elapsed,
            "statuses": dict(statuses),
            "problems": problems,
            "cpu": time.process_time() - cpu0,
            "bytes": received,
        }
    )


def client_up_to(base: str, arg: dict, start_at: float, q) -> None:
    import httpx

    http = httpx.Client(
        base_url=base + API, headers={"Authorization": f"Bearer {arg['token']}"}, timeout=600
    )
    _wait_until(start_at)
    cpu0 = time.process_time()
    r = http.post("/acknowledgements", json={"up_to": arg["up_to"]})
    elapsed = time.monotonic() - start_at
    n = r.json().get("acknowledged", 0) if r.status_code == 201 else 0
    problems = (
        []
        if n == arg["up_to"]
        else [f"HTTP {r.status_code}, acknowledged {n} of {arg['up_to']}: {r.text[:200]}"]
    )
    q.put(
        {
            "ok": int(r.status_code == 201),
            "units": n,
            "requests": 1,
            "elapsed": elapsed,
            "statuses": {r.status_code: 1},
            "problems": problems,
            "cpu": time.process_time() - cpu0,
        }
    )


# ---- orchestration -------------------------------------------------------------------------------


class RssSampler:
    """Peak summed RSS of the server tree and of the client processes, sampled every 50 ms; CPU
    time of the server tree and, on PostgreSQL, of the backends serving the bench database."""

    def __init__(self, server_pid: int, client_pids: list[int], pg: tuple[str, str] | None = None):
        import psutil

        self.psutil = psutil
        self.server = psutil.Process(server_pid)
        self.clients = [psutil.Process(p) for p in client_pids]
        self.peak_server = self.peak_clients = 0
        self.cpu: dict[int, list[float]] = {}  # server pid -> [cpu seconds first seen, last seen]
        self.db_cpu: dict[int, list[float]] = {}  # PostgreSQL backend pid -> the same
        self.db_backends: dict[int, psutil.Process] = {}
        self.pg = pg
        self._pg_conn = None
        self._started = time.time()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _refresh_backends(self) -> None:
        """The backends connected to the bench database (one per worker; CONN_MAX_AGE renews them)."""
        import psycopg

        if self._pg_conn is None:
            self._pg_conn = psycopg.connect(self.pg[0].rstrip("/") + "/postgres", autocommit=True)
        rows = self._pg_conn.execute(
            "SELECT pid, extract(epoch FROM backend_start) FROM pg_stat_activity WHERE datname = %s",
            (self.pg[1],),
        ).fetchall()
        for pid, started in rows:
            if pid not in self.db_backends:
                with contextlib.suppress(self.psutil.NoSuchProcess, self.psutil.AccessDenied):
                    proc = self.psutil.Process(pid)
                    self.db_backends[pid] = proc
                    if float(started) > self._started:  # all its CPU time is ours
                        self.db_cpu[pid] = [0.0, 0.0]

    def _rss(self, procs) -> int:
        total = 0
        for p in procs:
            with contextlib.suppress(self.psutil.NoSuchProcess, self.psutil.AccessDenied):
                total += p.memory_info().rss
        return total

    def sample(self) -> None:
        try:
            tree = [self.server, *self.server.children(recursive=True)]
        except self.psutil.NoSuchProcess:
            tree = []
        self.peak_server = max(self.peak_server, self._rss(tree))
        for p in tree:
            try:
                t = p.cpu_times()
            except (self.psutil.NoSuchProcess, self.psutil.AccessDenied):
                continue
            self.cpu.setdefault(p.pid, [t.user + t.system] * 2)[1] = t.user + t.system
        for pid, p in list(self.db_backends.items()):
            try:
                t = p.cpu_times()
            except (self.psutil.NoSuchProcess, self.psutil.AccessDenied):
                continue
            self.db_cpu.setdefault(pid, [t.user + t.system] * 2)[1] = t.user + t.system
        self.peak_clients = max(self.peak_clients, self._rss(self.clients))

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            if self.pg and n % 10 == 0:
                self._refresh_backends()
            self.sample()
            n += 1
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sample()
        if self._pg_conn is not None:
            self._pg_conn.close()

    @property
    def server_cpu(self) -> float:
        return sum(last - first for first, last in self.cpu.values())

    @property
    def database_cpu(self) -> float:
        return sum(last - first for first, last in self.db_cpu.values())


def run_clients(server_pid: int, specs: list[tuple], pg: tuple[str, str] | None = None) -> dict:
    """Start client processes (target, args), let them begin together, gather their results."""
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    start_at = time.monotonic() + 1.0  # after every process has started and imported httpx
    procs = [ctx.Process(target=target, args=(*args, start_at, q)) for target, args in specs]
    for p in procs:
        p.start()
    with RssSampler(server_pid, [p.pid for p in procs], pg) as rss:
        results = [q.get() for _ in procs]
        for p in procs:
            p.join()
    statuses: Counter = Counter()
    for r in results:
        statuses.update(r["statuses"])
    return {
        "requests_ok": sum(r["ok"] for r in results),
        "units": sum(r["units"] for r in results),
        "req_per_s": sum(r["ok"] / r["elapsed"] for r in results),
        "units_per_s": sum(r["units"] / r["elapsed"] for r in results),
        "elapsed": max(r["elapsed"] for r in results),
        "statuses": dict(statuses),
        "problems": [x for r in results for x in r.get("problems", [])],
        "rss_server": rss.peak_server,
        "rss_clients": rss.peak_clients,
        "cpu_server": rss.server_cpu,
        "cpu_db": rss.database_cpu if pg else None,
        "cpu_clients": sum(r["cpu"] for r in results),
        "bytes": sum(r.get("bytes", 0) for r in results),
    }


def code_version() -> str:
    """The commit measured, and whether src/ had uncommitted changes (others edit the tree)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return f"commit {head}" + (" + uncommitted changes in src/" if dirty else "")


def hcoc_cmd() -> list[str]:
    script = Path(sys.executable).parent / "hcoc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hcoc.cli"]


def run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, **kw)
    if r.returncode:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return r


def start_server(
    env: dict, port: int, workers: int, log: Path, server: str = "asgi", deliver: bool = True
) -> subprocess.Popen:

    out = open(log, "wb")  # noqa: SIM115  (gunicorn's access log goes here, never to a full pipe)
    proc = subprocess.Popen(
        [
            *hcoc_cmd(),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--server",
            server,
            *([] if deliver else ["--no-deliver"]),
        ],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}{API}/states/FRA"
    if answers(url, within=60, every=0.2, proc=proc):
        return proc
    if proc.poll() is not None:
        raise SystemExit(
            f"server exited with {proc.returncode}; see {log}:\n{log.read_text()[-2000:]}"
        )
    proc.kill()
    raise SystemExit(f"server did not answer within 60 s; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def bench_database(db: str, opts) -> dict | None:
    tmp = Path(tempfile.mkdtemp(prefix=f"hcoc-bench-{db}-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "hcoc.settings"),
        "HCOC_VAR_DIR": str(tmp),
        "HCOC_DEBUG": "0",
        "HCOC_LOG_LEVEL": "WARNING",
        **RATE_LIMITS_OFF,
    }
    pg_created = False
    proc = other = None
    try:
        if db == "postgres":
            try:
                env["DATABASE_URL"] = pg_recreate(PG_DBNAME, server=opts.pg_url)
            except Exception as e:  # noqa: BLE001  (any failure to reach PostgreSQL: skip it)
                print(
                    f"\n== postgres: SKIPPED, {opts.pg_url} not reachable ({type(e).__name__}: {e})"
                )
                return None
            pg_created = True
        else:
            env.pop("DATABASE_URL", None)
            sqlite_from_template(str(tmp))
        print(f"\n== {db}: fresh database; migrate, load_reference, users, {opts.events:,} events")
        t = time.perf_counter()
        if migrated_by_template():
            print("   migrated, with the reference data: a copy of HCOC_BENCH_TEMPLATE")
        else:
            run([*hcoc_cmd(), "migrate", "--no-input"], env)
            run([*hcoc_cmd(), "load_reference"], env)
            print(f"   migrate + load_reference: {time.perf_counter() - t:.1f} s")
        setup_out = tmp / "setup.json"
        run(
            [
                sys.executable,
                __file__,
                "_setup",
                "--events",
                str(opts.events),
                "--rounds",
                str(opts.rounds),
                "--ack-clients",
                str(opts.clients),
                "--service-budget",
                str(opts.service_budget),
                "--out",
                str(setup_out),
            ],
            env,
        )
        setup = json.loads(setup_out.read_text())
        seed = setup["seed"]
        print(f"   {setup['db_version']}")
        print(
            f"   seeding: {seed['service']:,} events through notification_submit() in {seed['service_s']:.1f} s "
            f"({seed['service'] / seed['service_s']:.0f} events/s in-process)"
            + (
                f"; {seed['bulk']:,} more by bulk_create of copies (Notification, NotificationVersion, Event) "
                f"in {seed['bulk_s']:.1f} s"
                if seed["bulk"]
                else ""
            )
            + f"; avg payload {seed['avg_payload_bytes']:.0f} B"
        )

        port = free_port()
        proc = start_server(
            env, port, opts.workers, tmp / "server.log", opts.server, not opts.no_deliver
        )
        base = f"http://127.0.0.1:{port}"
        if opts.against_wsgi:
            # gunicorn's sync workers on the same database, idle while the other is measured.
            wsgi_port = free_port()
            other = start_server(env, wsgi_port, opts.workers, tmp / "wsgi.log", "wsgi", False)
            other_base = f"http://127.0.0.1:{wsgi_port}"
        import httpx

        for b in [base, other_base] if opts.against_wsgi else [base]:
            warm = httpx.Client(
                base_url=b + API, headers={"Authorization": f"Bearer {setup['tokens']['feed']}"}
            )
            for _ in range(20):  # every worker past its first (lazy) request
                warm.get("/states/FRA")
                warm.get("/feed", params={"limit": 10})
            warm.close()

        tokens = setup["tokens"]
        n_events = opts.events
        submitted = 0
        rounds = []
        pg = (opts.pg_url, PG_DBNAME) if db == "postgres" else None

        def measure(specs: list[tuple], server=None) -> dict:
            return run_clients((server or proc).pid, specs, pg)

        def wanted(kind: str) -> bool:
            return opts.only is None or kind in opts.only

        for r in range(opts.rounds):
            res = {}
            d = opts.duration
            # With --against-wsgi the two servers' ceilings are measured one after the other,
            # in alternating order from round to round, so that both meet the same minutes.
            order = ["ceiling", "ceiling_wsgi"] if opts.against_wsgi else ["ceiling"]
            for kind in order if r % 2 == 0 else order[::-1]:
                b, server = (other_base, other) if kind == "ceiling_wsgi" else (base, proc)
                res[kind] = measure(
                    [(client_loop, ("ceiling", b, {"duration": d}))] * opts.clients, server
                )
            if wanted("feed"):
                res["feed"] = measure(
                    [
                        (
                            client_catch_up,
                            (base, {"token": tokens["feed"], "expect": n_events + submitted}),
                        )
                    ],
                )
                # The same server serving a page of the feed as a static file, as many times.
                res["static"] = measure(
                    [
                        (
                            client_loop,
                            (
                                "static",
                                base,
                                {
                                    "duration": 600,
                                    "requests": res["feed"]["requests_ok"],
                                    "bytes": seed["static_bytes"],
                                },
                            ),
                        )
                    ]
                )
            if wanted("inbox"):
                res["inbox"] = measure(
                    [(client_catch_up, (base, {"token": tokens["feed"], "path": "/inbox"}))]
                )
            if wanted("acks"):
                res["acks"] = measure(
                    [
                        (
                            client_loop,
                            (
                                "acks",
                                base,
                                {"token": tok, "first_seq": 1, "last_seq": n_events, "duration": d},
                            ),
                        )
                        for tok in tokens["ack"][r]
                    ],
                )
            if wanted("up_to"):
                res["up_to"] = measure(
                    [(client_up_to, (base, {"token": tokens["up_to"][r], "up_to": n_events}))]
                )
            for kind in ("submit", "submit_ik"):
                if not wanted(kind):
                    continue
                res[kind] = measure(
                    [
                        (
                            client_loop,
                            (
                                kind,
                                base,
                                {"token": tokens["submit"][st], "state": st, "duration": d},
                            ),
                        )
                        for st in SUBMITTERS
                    ],
                )
                submitted += res[kind]["requests_ok"]
            ceiling = res["ceiling"]["req_per_s"]
            for m in res.values():
                m["ratio"] = m["req_per_s"] / ceiling
            said = [f"ceiling {ceiling:.0f} req/s"]
            if "ceiling_wsgi" in res:
                said.append(f"under sync workers {res['ceiling_wsgi']['req_per_s']:.0f} req/s")
            if "feed" in res:
                feed = res["feed"]
                said.append(
                    f"feed {feed['units_per_s']:.0f} items/s ({feed['units']:,} items, "
                    f"{'OK' if not feed['problems'] else 'FAIL'}, "
                    f"{feed['bytes'] / max(1, feed['units']):,.0f} B an item, "
                    f"{feed['elapsed'] * 1000 / max(1, feed['requests_ok']):,.0f} ms a page, "
                    f"{feed['bytes'] / feed['elapsed'] / MiB:.1f} MiB/s; the page as a static "
                    f"file {res['static']['units_per_s'] / MiB:.1f} MiB/s)"
                )
            if "inbox" in res:
                said.append(f"inbox {res['inbox']['units_per_s']:.0f} items/s")
            if "acks" in res:
                said.append(f"acks {res['acks']['units_per_s']:.0f} seqs/s")
            if "up_to" in res:
                said.append(
                    f"up_to {res['up_to']['units_per_s']:.0f} seqs/s ({res['up_to']['elapsed']:.2f} s)"
                )
            if "submit" in res:
                said.append(f"submit {res['submit']['req_per_s']:.0f}/s")
            if "submit_ik" in res:
                said.append(f"with Idempotency-Key {res['submit_ik']['req_per_s']:.0f}/s")
            print(f"   round {r + 1}/{opts.rounds}: " + "; ".join(said))
            for name, m in res.items():
                bad = {k: v for k, v in m["statuses"].items() if int(k) >= 300}
                if bad or m["problems"]:
                    print(f"   !! {name}: unexpected statuses {bad} problems {m['problems'][:5]}")
            rounds.append(res)
        return {"db": db, "db_version": setup["db_version"], "seed": seed, "rounds": rounds}
    finally:
        if proc is not None:
            stop_server(proc)
        if other is not None:
            stop_server(other)
        if pg_created:
            try:
                pg_drop(PG_DBNAME, server=opts.pg_url)
            except Exception as e:  # noqa: BLE001
                print(f"   note: could not drop {PG_DBNAME}: {e}")
        if opts.keep:
            print(f"   kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


# metric name, result key, value key, unit
METRICS = [
    ("ceiling: GET /states/FRA", "ceiling", "req_per_s", "req/s"),
    ("  the same under sync workers (--against-wsgi)", "ceiling_wsgi", "req_per_s", "req/s"),
    ("feed catch-up (1 client, 1000/page)", "feed", "units_per_s", "items/s"),
    ("  feed pages", "feed", "req_per_s", "req/s"),
    ("inbox catch-up (1 client, 1000/page)", "inbox", "units_per_s", "items/s"),
    (f"acks, {ACK_BATCH} seqs per request", "acks", "units_per_s", "seqs/s"),
    ("  ack requests", "acks", "req_per_s", "req/s"),
    ("ack {up_to: N}, one request", "up_to", "units_per_s", "seqs/s"),
    ("PLN submissions", "submit", "req_per_s", "PLN/s"),
    ("PLN submissions + Idempotency-Key", "submit_ik", "req_per_s", "PLN/s"),
]


def table(result: dict, opts) -> str:
    rounds = result["rounds"]
    lines = [
        "| metric | median | unit | min–max | ratio to ceiling (req/s) | server CPU per request "
        "| DB CPU per request | peak RSS server | peak RSS clients |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, key, field, unit in METRICS:
        if key not in rounds[0]:
            continue
        vals = [r[key][field] for r in rounds]
        ratio = statistics.median(r[key]["ratio"] for r in rounds)
        ratio_txt = "1" if key == "ceiling" else ("—" if key == "up_to" else f"{ratio:.2f}")
        cpu = (
            statistics.median(r[key]["cpu_server"] / max(1, r[key]["requests_ok"]) for r in rounds)
            * 1000
        )
        if rounds[0][key]["cpu_db"] is None:
            db_cpu = "(in server)"
        else:
            db_cpu = statistics.median(
                r[key]["cpu_db"] / max(1, r[key]["requests_ok"]) for r in rounds
            )
            db_cpu = f"{db_cpu * 1000:.1f} ms"
        srv = max(r[key]["rss_server"] for r in rounds) / MiB
        cli = max(r[key]["rss_clients"] for r in rounds) / MiB
        lines.append(
            f"| {label} | {statistics.median(vals):,.0f} | {unit} | {min(vals):,.0f}–{max(vals):,.0f} | "
            f"{ratio_txt} | {cpu:.1f} ms | {db_cpu} | {srv:.0f} MiB | {cli:.0f} MiB |"
        )
    if "ceiling_wsgi" in rounds[0]:
        each = [r["ceiling"]["req_per_s"] / r["ceiling_wsgi"]["req_per_s"] for r in rounds]
        lines.append(
            f"\nceiling of `hcoc serve` over gunicorn's sync workers' in the same round: median "
            f"{statistics.median(each):.2f} ({', '.join(f'{x:.2f}' for x in each)})"
        )
    if "feed" in rounds[0]:

        def med(f) -> float:
            return statistics.median(f(r) for r in rounds)

        item_b = med(lambda r: r["feed"]["bytes"] / max(1, r["feed"]["units"]))
        page_ms = med(lambda r: r["feed"]["elapsed"] * 1000 / max(1, r["feed"]["requests_ok"]))
        feed_bps = med(lambda r: r["feed"]["bytes"] / r["feed"]["elapsed"])
        static_bps = med(lambda r: r["static"]["units_per_s"])
        ratio = med(
            lambda r: (r["feed"]["bytes"] / r["feed"]["elapsed"]) / r["static"]["units_per_s"]
        )
        lines.append(
            f"\nfeed catch-up: {item_b:,.0f} B an item, {page_ms:,.0f} ms a page of {FEED_PAGE}, "
            f"{feed_bps / MiB:.1f} MiB/s; the same server serving a page of it as a static file "
            f"({result['seed'].get('static_bytes', 0):,} B, as many requests, one client): "
            f"{static_bps / MiB:.1f} MiB/s; feed/static {ratio:.2f}"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        p = argparse.ArgumentParser()
        p.add_argument("_setup")
        for a in ("--events", "--rounds", "--ack-clients"):
            p.add_argument(a, type=int, required=True)
        p.add_argument("--service-budget", type=float, required=True)
        p.add_argument("--out", required=True)
        a = p.parse_args()
        setup_main(a.events, a.rounds, a.ack_clients, a.service_budget, a.out)
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument(
        "--events", type=int, help="feed events to seed (default 100000; 2000 with --quick)"
    )
    p.add_argument(
        "--quick", action="store_true", help="smoke run: 2,000 events, 1 round, 2 s per rate"
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="every measurement at tiny sizes (200 events, 0.5 s per rate, 2 clients, 1 worker): "
        "that it runs",
    )
    p.add_argument(
        "--rounds", type=int, help="repetitions of every measurement (default 3; 1 with --quick)"
    )
    p.add_argument(
        "--duration", type=float, help="seconds per rate measurement (default 5; 2 with --quick)"
    )
    p.add_argument(
        "--clients", type=int, default=4, help="client processes for ceiling and acks (default 4)"
    )
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument(
        "--server",
        choices=["asgi", "wsgi"],
        default="asgi",
        help="hcoc serve --server: asgi (uvicorn workers, the default) or wsgi (sync workers)",
    )
    p.add_argument(
        "--only",
        type=lambda v: set(v.split(",")),
        help="measure only these (comma-separated: feed, inbox, acks, up_to, submit, submit_ik); "
        "the ceiling is always measured",
    )
    p.add_argument(
        "--against-wsgi",
        action="store_true",
        help="also start gunicorn's sync workers (hcoc serve --server wsgi) on the same database "
        "and measure their ceiling in the same rounds",
    )
    p.add_argument(
        "--no-deliver",
        action="store_true",
        help="hcoc serve --no-deliver: without the delivery worker beside the server",
    )
    p.add_argument(
        "--service-budget",
        type=float,
        help="seconds of seeding through notification_submit() before bulk copies (default 20; 3 with --quick)",
    )
    p.add_argument("--pg-url", default=os.environ.get("HCOC_BENCH_PG_URL", PG_DEFAULT))
    p.add_argument("--json", help="also write the raw results to this file")
    p.add_argument(
        "--keep", action="store_true", help="keep the temporary HCOC_VAR_DIR (server log)"
    )
    opts = p.parse_args()
    if opts.smoke:
        opts.events, opts.rounds = opts.events or 200, opts.rounds or 1
        opts.duration, opts.service_budget = opts.duration or 0.5, opts.service_budget or 0.5
        opts.clients, opts.workers = 2, 1
    opts.events = opts.events or (2000 if opts.quick else 100_000)
    opts.rounds = opts.rounds or (1 if opts.quick else 3)
    opts.duration = opts.duration or (2.0 if opts.quick else 5.0)
    opts.service_budget = (
        opts.service_budget if opts.service_budget is not None else (3.0 if opts.quick else 20.0)
    )

    import psutil

    t0 = time.perf_counter()
    print(f"HCoC Exchange benchmark: {' '.join(sys.argv)}")
    print(
        f"machine: {os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB RAM, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"server: hcoc serve --workers {opts.workers} --server {opts.server}"
        f"{' --no-deliver' if opts.no_deliver else ''}"
        f"{' (and --server wsgi --no-deliver beside it)' if opts.against_wsgi else ''}; "
        f"clients: {opts.clients} processes "
        f"(4 submitters for PLNs, 1 for the feed); {opts.rounds} round(s), {opts.duration:g} s per rate"
    )
    print(f"code: {code_version()}")
    results = []
    for db in ["sqlite", "postgres"] if opts.db == "both" else [opts.db]:
        t = time.perf_counter()
        r = bench_database(db, opts)
        if r:
            r["seconds"] = time.perf_counter() - t
            results.append(r)
            print(
                f"\n{db} ({r['db_version']}, {opts.events:,} events, median of {opts.rounds} round(s), "
                f"{r['seconds']:.0f} s):\n"
            )
            print(table(r, opts))
    print(f"\ntotal {time.perf_counter() - t0:.0f} s; load average now {os.getloadavg()[0]:.2f}")
    if opts.json:
        Path(opts.json).write_text(json.dumps(results, indent=1, default=str))
    feed_fail = any(
        rd[k]["problems"]
        for r in results
        for rd in r["rounds"]
        for k in ("feed", "inbox")
        if k in rd
    )
    print(
        "feed order check:", "n/a (nothing ran)" if not results else "FAIL" if feed_fail else "OK"
    )
    sys.exit(1 if feed_fail else 0)


if __name__ == "__main__":
    main()
