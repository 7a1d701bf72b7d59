#!/usr/bin/env python
"""A state's national node (`hcoc node`, issue 26): its catch-up from empty, and its delay.

    .venv/bin/python bench/node.py [--db sqlite|postgres] [--entries 2000] [--delays 50]
                                   [--rounds 1] [--smoke]

The exchange on SQLite in a temporary HCOC_VAR_DIR, or PostgreSQL (the database
`hcoc_bench_node`, or HCOC_BENCH_PG_DB, made again and dropped at the end), from
HCOC_BENCH_TEMPLATE when set (bench/common.py); the node always on SQLite. Migrate, load the reference data, make France's submitter
and write `--entries` PLNs through the service (notification_submit: each its event and its log
leaf, as over the API), then start `hcoc serve --workers 1 --no-deliver` on it.

1. Catch-up: in one child process (the node's settings, its own empty SQLite database,
   migrated before the clock starts; the node process later starts from a copy of it) the node's `sync()` from empty (read over HTTP, verified
   by the offline verifier with jobs=1, stored), and, in the same run, `hcoc verify` alone
   (verifier.verify over the same HTTP source, jobs=1: what the node adds is storing), in
   alternating order over `--rounds`. Items/s are log entries per second; peak RSS is the
   child's (getrusage ru_maxrss).
2. Delay: a real `hcoc node` process follows the exchange (its stream wakes it); `--delays` PLNs
   are submitted over HTTP, one every 0.2 s, and each is looked for on the node's
   /api/v1/items/<seq> every 5 ms. The delay runs from the item's `at` (dated under the
   exchange's write lock just before its commit) to the first answer that has it. p50/p99.

It prints figures and asserts nothing about time.
"""

import argparse
import json
import os
import platform
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path

from common import (
    RATE_LIMITS_OFF,
    free_port,
    kourou_pln,
    pg_drop,
    pg_name,
    pg_recreate,
    sqlite_from_template,
)

ROOT = Path(__file__).resolve().parents[1]


def setup_main(entries: int, out: str) -> None:
    """The exchange's database: reference data, France's submitter, `entries` PLNs."""
    import django  # noqa: PLC0415 (each child sets up Django with its own environment)

    django.setup()
    # After django.setup(): these modules need the settings and the app registry.
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    from hcoc.accounts.models import Role  # noqa: PLC0415
    from hcoc.accounts.services import token_create, user_create  # noqa: PLC0415
    from hcoc.ledger.keys import log_signer  # noqa: PLC0415
    from hcoc.notifications.schemas import PLNIn  # noqa: PLC0415
    from hcoc.notifications.services import notification_submit  # noqa: PLC0415

    fra = user_create(username="fra", password=None, role=Role.SUBMITTER, state_iso3="FRA")
    for i in range(entries):
        notification_submit(actor=fra, data=PLNIn.model_validate(kourou_pln(i)))
    token = token_create(user=fra, name="bench")[1]
    Path(out).write_text(json.dumps({"token": token, "vkey": log_signer().vkey()}))


def catch_up_main(url: str, token: str, vkey: str, rounds: int, out: str) -> None:
    """Node sync from empty vs verify alone, alternating; each node round on a new database."""
    os.environ["HCOC_NODE"] = "1"
    base = os.environ["HCOC_VAR_DIR"]
    os.environ["DATABASE_URL"] = f"sqlite:///{base}/node-bench.sqlite3"
    import django  # noqa: PLC0415 (set up here, with the node's environment set just above)

    django.setup()
    # After django.setup(): these modules need the settings and the app registry.
    from django.core.management import call_command  # noqa: PLC0415

    from hcoc.ledger import verifier  # noqa: PLC0415
    from hcoc.node import upstream  # noqa: PLC0415
    from hcoc.node.models import (  # noqa: PLC0415
        Checkpoint,
        Item,
        NodeStatus,
        QueuedAcknowledgement,
        VerifiedEntry,
    )

    call_command("migrate", verbosity=0)
    up = upstream.Upstream(url=url, token=token, vkey=vkey)
    node, alone, size = [], [], 0
    for r in range(rounds):
        order = ("node", "verify") if r % 2 == 0 else ("verify", "node")
        for what in order:
            if what == "node":
                for model in (VerifiedEntry, Item, Checkpoint, NodeStatus, QueuedAcknowledgement):
                    model.objects.all().delete()
                t = time.perf_counter()
                upstream.sync(up)
                node.append(time.perf_counter() - t)
                size = VerifiedEntry.objects.count()
            else:
                t = time.perf_counter()
                report = verifier.verify(verifier.HttpSource(url, token), vkey=vkey, jobs=1)
                alone.append(time.perf_counter() - t)
                assert report.ok, report.problems[:5]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    Path(out).write_text(json.dumps({"node": node, "verify": alone, "size": size, "peak": peak}))


def wait_for(url: str, within: float = 600) -> None:
    import httpx  # noqa: PLC0415 (a test dependency: only the parent process needs it)

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    import httpx  # noqa: PLC0415 (a test dependency: only the parent process needs it)

    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--entries", type=int, default=2000)
    p.add_argument("--delays", type=int, default=50)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--smoke", action="store_true", help="20 entries, 5 delays: every phase")
    opts = p.parse_args()
    if opts.smoke:
        opts.entries, opts.delays, opts.rounds = 20, 5, 1
    tmp = Path(tempfile.mkdtemp(prefix="hcoc-node-bench-"))
    env = {**os.environ, **RATE_LIMITS_OFF, "HCOC_VAR_DIR": str(tmp)}
    env["DJANGO_SETTINGS_MODULE"] = "hcoc.settings"
    env.pop("DATABASE_URL", None)
    pg = None
    if opts.db == "postgres":
        pg = pg_name("hcoc_bench_node")
        env["DATABASE_URL"] = pg_recreate(pg)
    else:
        sqlite_from_template(str(tmp))
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "_setup", str(opts.entries), str(tmp / "setup.json")],
        env=env,
        cwd=ROOT,
        check=True,
    )
    setup = json.loads((tmp / "setup.json").read_text())
    print(
        f"exchange on {opts.db}; setup: {opts.entries} PLNs written in {time.perf_counter() - t:.0f} s"
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "hcoc.cli", "serve", "--port", str(port), "--workers", "1"]
        + ["--no-deliver"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "server.log", "wb"),  # noqa: SIM115
        start_new_session=True,
    )
    node = None
    try:
        wait_for(url + "/api/v1/states/AUT")
        subprocess.run(
            [sys.executable, __file__, "_catch_up", url, setup["token"], setup["vkey"]]
            + [str(opts.rounds), str(tmp / "catch_up.json")],
            env=env,
            cwd=ROOT,
            check=True,
        )
        c = json.loads((tmp / "catch_up.json").read_text())
        n, v = statistics.median(c["node"]), statistics.median(c["verify"])
        print(f"catch-up from empty over {c['size']} log entries (median of {opts.rounds}):")
        print(f"  node sync (read, verify, store): {n:.2f} s = {c['size'] / n:,.0f} entries/s")
        print(f"  hcoc verify alone (read, verify): {v:.2f} s = {c['size'] / v:,.0f} entries/s")
        print(
            f"  node / verify time: {n / v:.2f}; peak RSS of the child {c['peak'] / 2**20:.0f} MiB"
        )

        with (
            closing(sqlite3.connect(tmp / "node-bench.sqlite3")) as source,
            closing(sqlite3.connect(tmp / "node.sqlite3")) as copy,
        ):
            source.backup(copy)
        node_port = free_port()
        node = subprocess.Popen(
            [sys.executable, "-m", "hcoc.cli", "node", "--upstream", url, "--token"]
            + [setup["token"], "--state", "FRA", "--vkey", setup["vkey"], "--port", str(node_port)]
            + ["--db", f"sqlite:///{tmp}/node.sqlite3"],  # a copy of the catch-up's, migrated
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "node.log", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        node_url = f"http://127.0.0.1:{node_port}"
        wait_for(node_url + "/api/v1/node")
        headers = {"Authorization": f"Bearer {setup['token']}"}
        deadline = time.monotonic() + 600
        while httpx.get(node_url + "/api/v1/node").json()["last_seq"] < opts.entries:
            if time.monotonic() > deadline:
                raise SystemExit("the node did not catch up")
            time.sleep(0.2)
        delays = []
        with httpx.Client(headers=headers, timeout=30) as http, httpx.Client(timeout=5) as look:
            for i in range(opts.delays):
                r = http.post(url + "/api/v1/notifications", json=kourou_pln(opts.entries + i))
                assert r.status_code == 201, r.text
                seq = r.json()["seq"]
                while True:
                    got = look.get(f"{node_url}/api/v1/items/{seq}")
                    if got.status_code == 200:
                        seen = time.time()
                        break
                    time.sleep(0.005)
                at = datetime.fromisoformat(got.json()["at"]).timestamp()
                delays.append(seen - at)
                time.sleep(0.2)
        print(
            f"upstream commit -> on the node, {len(delays)} PLNs: p50 {pct(delays, 0.5) * 1000:.0f} ms, "
            f"p99 {pct(delays, 0.99) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms"
        )
    finally:
        for proc in (node, server):
            if proc is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
        if pg:
            pg_drop(pg)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        setup_main(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "_catch_up":
        catch_up_main(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
    else:
        main()
