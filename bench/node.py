#!/usr/bin/env python
"""A state's national node (`hcoc node`, issue 26): its catch-up from empty, and its delay.

    .venv/bin/python bench/node.py [--db sqlite|postgres] [--node-db sqlite|postgres]
                                   [--entries 100000] [--delays 100] [--rounds 1] [--smoke]

The exchange on SQLite in a temporary HCOC_VAR_DIR, or PostgreSQL (the database
`hcoc_bench_node`, or HCOC_BENCH_PG_DB, made again and dropped at the end), from
HCOC_BENCH_TEMPLATE when set (bench/common.py). Its log is written fast and honestly by
common.bulk_log: France's root and system key through the services, then `--entries` log entries
in all (a quarter of them France's notifications signed with that key) loaded in bulk in the
exact leaf format, with signed checkpoints. Then `hcoc serve --workers 1 --no-deliver` on it.
The node's database is SQLite in the same directory, or (`--node-db postgres`) the PostgreSQL
database `<that name>_node`, made again for every node round.

1. Catch-up: alternating over `--rounds`, each in a process of its own (so each peak RSS is its
   own): the node's `sync()` from empty (its settings, its own empty database, migrated before
   the clock starts): read over HTTP, verified by the offline verifier with jobs=1, stored; and
   `hcoc verify` alone (verifier.verify over the same HTTP source, jobs=1: what the node adds is
   storing). A node round that does not store every entry and item fails the benchmark. Items/s
   are log entries per second.
2. Delay: a real `hcoc node` process (on the last round's database, caught up) follows the
   exchange (its stream wakes it); `--delays` PLNs are submitted over HTTP in France's name,
   signed with its key, one every 0.2 s, and each is looked for on the node's
   /api/v1/items/<seq> every 5 ms (every 50 ms with `--smoke`, whose figures are not read: a
   delay of 0.2 s is 40 requests to the node at 5 ms). The delay runs from the item's `at`
   (dated under the exchange's write lock just before its commit) to the first answer that has
   it. p50/p99.
3. Check: `hcoc verify` (the command, all CPUs) against the exchange and against the node's copy,
   after the delays: both must pass, or the benchmark fails.

Peak RSS of every process: the server, each catch-up child, the node, each `hcoc verify`.
`--profile` prints where each node round's time goes (cProfile; the round is slower for it).
It prints figures and asserts nothing about time.
"""

import argparse
import cProfile
import json
import os
import platform
import pstats
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from common import (
    RATE_LIMITS_OFF,
    PeakRss,
    answers,
    bulk_log,
    free_port,
    kourou_pln,
    pg_drop,
    pg_name,
    pg_recreate,
    sqlite_from_template,
)

ROOT = Path(__file__).resolve().parents[1]


def setup_main(entries: int, out: str) -> None:
    """The exchange's database: a log of `entries` entries that verifies, France's token and key."""
    import django  # noqa: PLC0415 (each child sets up Django with its own environment)

    django.setup()
    # After django.setup(): these modules need the settings and the app registry.
    from hcoc.accounts.services import token_create  # noqa: PLC0415
    from hcoc.ledger import client  # noqa: PLC0415
    from hcoc.ledger.keys import log_signer  # noqa: PLC0415

    loaded = bulk_log(entries)
    key_file = Path(out).with_name("fra-bench.pem")
    client.private_key_save(loaded["key"], key_file)
    token = token_create(user=loaded["fra"], name="bench")[1]
    Path(out).write_text(
        json.dumps(
            {
                "token": token,
                "vkey": log_signer().vkey(),
                "key_file": str(key_file),
                "key_id": loaded["key_id"],
                "last_seq": loaded["last_seq"],
                "load_s": loaded["load_s"],
            }
        )
    )


def node_round_main(url: str, token: str, vkey: str, entries: int, items: int, out: str) -> None:
    """One node catch-up from empty (DATABASE_URL: the node's database, empty)."""
    os.environ["HCOC_NODE"] = "1"
    import django  # noqa: PLC0415 (set up here, with the node's environment)

    django.setup()
    # After django.setup(): these modules need the settings and the app registry.
    from django.core.management import call_command  # noqa: PLC0415

    from hcoc.node import upstream  # noqa: PLC0415
    from hcoc.node.models import Finding, Item, VerifiedEntry  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    up = upstream.Upstream(url=url, token=token, vkey=vkey)
    profile = cProfile.Profile() if os.environ.get("HCOC_BENCH_PROFILE") else None
    t = time.perf_counter()
    if profile:
        profile.runcall(upstream.sync, up)
    else:
        upstream.sync(up)
    took = time.perf_counter() - t
    if profile:  # where the node's time goes (--profile): the costliest calls, with their callees
        pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
    stored = (VerifiedEntry.objects.count(), Item.objects.count())
    if stored != (entries, items):
        findings = list(Finding.objects.values_list("text", flat=True)[:5])
        raise SystemExit(f"the node stored {stored}, not ({entries}, {items}): {findings}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    Path(out).write_text(json.dumps({"s": took, "peak": peak}))


def verify_round_main(url: str, token: str, vkey: str, out: str) -> None:
    """`hcoc verify` alone over the same HTTP source, as the node runs it (jobs=1)."""
    from hcoc.ledger import verifier  # noqa: PLC0415 (Django-free, like `hcoc verify`)

    t = time.perf_counter()
    report = verifier.verify(verifier.HttpSource(url, token), vkey=vkey, jobs=1)
    took = time.perf_counter() - t
    if not report.ok:
        raise SystemExit(f"hcoc verify failed: {report.problems[:5]}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    Path(out).write_text(json.dumps({"s": took, "peak": peak, "size": report.size}))


def wait_for(url: str, within: float = 600) -> None:
    if not answers(url, within=within):
        raise SystemExit(f"{url} did not answer")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def child(args: list[str], env: dict, out: Path) -> dict:
    """Run this script's phase `args` in a process of its own; what it wrote to `out`."""
    subprocess.run([sys.executable, __file__, *args, str(out)], env=env, cwd=ROOT, check=True)
    return json.loads(out.read_text())


def hcoc_verify(url: str, token: str, vkey: str, env: dict) -> tuple[float, float, str]:
    """`hcoc verify --url` as a state runs it (all CPUs): seconds, peak RSS (MiB, with its
    workers), its last line. It must pass."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hcoc.cli", "verify", "--url", url, "--token", token]
        + ["--vkey", vkey],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak = PeakRss(proc.pid)
    output = proc.communicate()[0]
    took, mib = time.perf_counter() - t, peak.stop()
    if proc.returncode != 0:
        raise SystemExit(f"hcoc verify --url {url} failed:\n{output[-3000:]}")
    return took, mib, output.strip().splitlines()[-1] if output.strip() else ""


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    import httpx  # noqa: PLC0415 (a test dependency: only the parent process needs it)

    from hcoc.ledger import client  # noqa: PLC0415 (Django-free; src is on the path)

    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite", help="the exchange's")
    p.add_argument("--node-db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--entries", type=int, default=100_000, help="log entries (the issue's 100,000)")
    p.add_argument("--delays", type=int, default=100)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--smoke", action="store_true", help="20 entries, 5 delays: every phase")
    p.add_argument("--profile", action="store_true", help="print the node rounds' cProfile")
    opts = p.parse_args()
    if opts.smoke:
        opts.entries, opts.delays, opts.rounds = 20, 5, 1
    tmp = Path(tempfile.mkdtemp(prefix="hcoc-node-bench-"))
    env = {**os.environ, **RATE_LIMITS_OFF, "HCOC_VAR_DIR": str(tmp)}
    env["DJANGO_SETTINGS_MODULE"] = "hcoc.settings"
    env.pop("DATABASE_URL", None)
    pg = node_pg = None
    if opts.profile:
        env["HCOC_BENCH_PROFILE"] = "1"
    if opts.db == "postgres":
        pg = pg_name("hcoc_bench_node")
        env["DATABASE_URL"] = pg_recreate(pg)
    else:
        sqlite_from_template(str(tmp))
    if opts.node_db == "postgres":
        node_pg = pg_name("hcoc_bench_node") + "_node"

    def node_database(r: int) -> str:
        """An empty database for node round r (the node's schema, not the exchange's template)."""
        if node_pg:
            return pg_recreate(node_pg, from_template=False)
        return f"sqlite:///{tmp}/node-{r}.sqlite3"

    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"start: {load()}")
    setup = child(["_setup", str(opts.entries)], env, tmp / "setup.json")
    print(
        f"exchange on {opts.db}: a log of {opts.entries:,} entries (seq 1 to {setup['last_seq']:,})"
        f" that verifies, bulk-loaded in {setup['load_s']:.0f} s; {load()}"
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
    server_rss = PeakRss(server.pid)
    node = node_rss = None
    token, vkey = setup["token"], setup["vkey"]
    try:
        wait_for(url + "/api/v1/states/AUT")
        nodes, alone, db_url = [], [], ""
        for r in range(opts.rounds):
            for what in ("node", "verify") if r % 2 == 0 else ("verify", "node"):
                if what == "node":
                    db_url = node_database(r)
                    args = ["_node", url, token, vkey, str(opts.entries), str(setup["last_seq"])]
                    nodes.append(child(args, {**env, "DATABASE_URL": db_url}, tmp / "n.json"))
                else:
                    alone.append(child(["_verify", url, token, vkey], env, tmp / "v.json"))
        n = statistics.median(c["s"] for c in nodes)
        v = statistics.median(c["s"] for c in alone)
        size = alone[0]["size"]
        print(
            f"catch-up from empty over {size:,} log entries (median of {opts.rounds}; node on "
            f"{opts.node_db}; {load()}):"
        )
        print(f"  node sync (read, verify, store): {n:.2f} s = {size / n:,.0f} entries/s")
        print(f"  hcoc verify alone (read, verify): {v:.2f} s = {size / v:,.0f} entries/s")
        print(f"  node / verify time: {n / v:.2f}")
        print(
            f"  peak RSS: node sync {max(c['peak'] for c in nodes) / 2**20:.0f} MiB, verify alone "
            f"{max(c['peak'] for c in alone) / 2**20:.0f} MiB, the exchange's server "
            f"{server_rss.peak / 2**20:.0f} MiB"
        )

        node_port = free_port()
        node = subprocess.Popen(
            [sys.executable, "-m", "hcoc.cli", "node", "--upstream", url, "--token", token]
            + ["--state", "FRA", "--vkey", vkey, "--port", str(node_port)]
            + ["--db", db_url],  # the last catch-up's database: caught up
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "node.log", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        node_rss = PeakRss(node.pid)
        node_url = f"http://127.0.0.1:{node_port}"
        wait_for(node_url + "/api/v1/node")
        key = client.private_key_load(setup["key_file"])
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        delays = []
        with httpx.Client(headers=headers, timeout=30) as http, httpx.Client(timeout=5) as look:
            for i in range(opts.delays):
                # France has a root: what is done in its name is signed with its system key.
                body = json.dumps(kourou_pln(i)).encode()
                signature = client.sign_request(
                    key, setup["key_id"], "POST", "/api/v1/notifications", body
                )
                r = http.post(url + "/api/v1/notifications", content=body, headers=signature)
                assert r.status_code == 201, r.text
                seq = r.json()["seq"]
                deadline = time.monotonic() + 120
                while True:
                    got = look.get(f"{node_url}/api/v1/items/{seq}")
                    if got.status_code == 200:
                        seen = time.time()
                        break
                    if time.monotonic() > deadline:
                        raise SystemExit(f"item {seq} did not reach the node in 120 s")
                    time.sleep(0.05 if opts.smoke else 0.005)
                at = datetime.fromisoformat(got.json()["at"]).timestamp()
                delays.append(seen - at)
                time.sleep(0.2)
        print(
            f"upstream commit -> on the node, {len(delays)} PLNs: p50 {pct(delays, 0.5) * 1000:.0f} ms, "
            f"p99 {pct(delays, 0.99) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms; {load()}"
        )
        for where, at_url in (("the exchange", url), ("the node's copy", node_url)):
            took, mib, last = hcoc_verify(at_url, token, vkey, env)
            print(
                f"hcoc verify of {where}: passed in {took:.1f} s, peak RSS {mib:.0f} MiB ({last})"
            )
        print(
            f"peak RSS: the exchange's server {server_rss.stop():.0f} MiB, the node "
            f"{node_rss.stop():.0f} MiB (while following), this script "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; {load()}"
        )
    finally:
        for proc in (node, server):
            if proc is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
        for name in (pg, node_pg):
            if name:
                pg_drop(name)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    phase = sys.argv[1] if len(sys.argv) > 1 else ""
    if phase == "_setup":
        setup_main(int(sys.argv[2]), sys.argv[3])
    elif phase == "_node":
        node_round_main(*sys.argv[2:5], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7])
    elif phase == "_verify":
        verify_round_main(*sys.argv[2:6])
    else:
        main()
