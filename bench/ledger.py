#!/usr/bin/env python
"""The transparency log on a real database: appends, proofs at scale, full verification.

    .venv/bin/python bench/ledger.py [--db sqlite|postgres|both] [--entries 1000000]
                                     [--appends 3000] [--rounds 3] [--quick] [--smoke]

Each phase runs in its own process (so each peak RSS is that phase's own), on a fresh database
(SQLite in a temporary HCOC_VAR_DIR, or the PostgreSQL database `hcoc_bench_ledger`, or
HCOC_BENCH_PG_DB, dropped at the end):

  appends   events written through the exchange's one door (event_transaction + publish, which
            appends the leaf, its completed nodes and the new head in the same transaction), in
            three ways: one event per transaction with a checkpoint signed at least once a second
            (the issue's rule); one per transaction with a receipt each (a checkpoint and an
            inclusion proof: what every POST answer costs); batches of 100 per transaction. The
            same writes with the log switched off give the exchange's own cost in the same run,
            and pymerkle's SqliteTree (a durable Merkle tree in SQLite) appending the same leaf
            bytes is the peer.
  proofs    the log's tables bulk-loaded with N leaves in the exact leaf format (a key
            registration, then events, one in four signed by the state's key), their complete
            nodes, and a signed checkpoint every 1,000 entries; then inclusion and consistency
            proofs as the API computes them (access rule, one SQL query for the nodes), median of
            2,000 random challenges at the full size. Peer: pymerkle's InmemoryTree on the same
            leaves (pymerkle's SqliteTree proofs at 1M are too slow to include; see docs).
  verify    `hcoc export-bundle` of that log, then `hcoc verify --bundle` of it (the library
            call), timed, with the verifier's peak RSS. Peer: pymerkle rebuilding a tree from the
            same leaves (the tree part of the same work only).

It prints figures and asserts nothing on time. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from common import (  # noqa: E402
    PAYLOAD,
    bulk_log,
    fresh_database,
    pg_drop,
    pg_name,
    subscribing_states,
)

PG_DB = "hcoc_bench_ledger"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(db: str) -> None:
    fresh_database(db, PG_DB)
    import django

    django.setup()


# ---- appends --------------------------------------------------------------------------------


def phase_appends(db: str, n: int, rounds: int) -> dict:
    setup_django(db)
    from django.db import transaction

    from hcoc.accounts.models import Role
    from hcoc.accounts.services import user_create
    from hcoc.exchange import services as exchange
    from hcoc.exchange.models import EventKind
    from hcoc.ledger import services as ledger

    subscribing_states(10)
    user = user_create(username="bench", password=None, role=Role.SUBMITTER, state_iso3="FRA")

    def write(count: int) -> None:
        with transaction.atomic():
            for _ in range(count):
                with exchange.event_transaction() as event:
                    event.publish(
                        kind=EventKind.NOTIFICATION_SUBMITTED,
                        state="FRA",
                        subject=f"BENCH-{event.seq}",
                        version=1,
                        payload=PAYLOAD,
                        actor=user,
                    )

    def per_second(batch: int):
        def run() -> None:
            last = time.monotonic()
            for _ in range(n // batch):
                write(batch)
                if time.monotonic() - last >= 1:
                    ledger.checkpoint_current()
                    last = time.monotonic()
            ledger.checkpoint_current()

        return run

    def leaves_only() -> None:
        """The log alone: acknowledgement-sized leaves, one per transaction, as acks write."""
        last = time.monotonic()
        for i in range(n):
            with transaction.atomic():
                at = ledger.sequence_lock()
                ledger.leaf_append(
                    type="acknowledgement",
                    at=at,
                    state="FRA",
                    body={"acknowledgement": {"up_to": i + 1, "newly_acknowledged": 1}},
                    actor_id=user.pk,
                )
            if time.monotonic() - last >= 1:
                ledger.checkpoint_current()
                last = time.monotonic()
        ledger.checkpoint_current()

    def with_receipts() -> None:
        for _ in range(n):
            write(1)
            ledger.receipt(ledger.log_head().size - 1)

    modes = {
        "log leaves alone, one per transaction": leaves_only,
        "one per transaction, checkpoint each second": per_second(1),
        "one per transaction, a receipt each": with_receipts,
        "100 per transaction, checkpoint each second": per_second(100),
    }
    # "appends" below are exchange events (an Event row and its leaf) unless the mode says
    # "log leaves alone".
    figures: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, run in modes.items():
            start = time.perf_counter()
            run()
            figures.setdefault(name, []).append(n / (time.perf_counter() - start))
        # The same writes without the log: what the exchange alone costs, in the same run.
        import hcoc.ledger.services as ls

        saved = ls.leaf_append
        ls.leaf_append = lambda **kw: None
        try:
            start = time.perf_counter()
            per_second(1)()
            figures.setdefault("one per transaction, without the log", []).append(
                n / (time.perf_counter() - start)
            )
        finally:
            ls.leaf_append = saved
    size = ledger.log_head().size
    medians = {k: statistics.median(v) for k, v in figures.items()}
    return {"appends_per_s": medians, "log_size": size, "rss_mib": peak_rss_mib()}


def phase_pymerkle_appends(n: int, rounds: int) -> dict:
    from pymerkle import SqliteTree

    rates = []
    leaf = json.dumps({"event": PAYLOAD}).encode()
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as d:
            tree = SqliteTree(os.path.join(d, "tree.db"))
            start = time.perf_counter()
            for i in range(n):
                tree.append_entry(leaf + str(i).encode())
            rates.append(n / (time.perf_counter() - start))
            tree.close()
    return {"appends_per_s": statistics.median(rates), "rss_mib": peak_rss_mib()}


def phase_proofs(db: str, n: int, challenges: int) -> dict:
    setup_django(db)
    from hcoc.ledger import selectors

    loaded = bulk_log(n)
    icc = loaded["icc"]
    rng = random.Random(7)
    selectors.inclusion_proof_for(actor=icc, index=0, size=n)  # warm-up

    def timed(fn, args) -> float:
        times = []
        for a in args:
            start = time.perf_counter_ns()
            fn(*a)
            times.append(time.perf_counter_ns() - start)
        return statistics.median(times) / 1000

    inclusion = timed(
        lambda i: selectors.inclusion_proof_for(actor=icc, index=i, size=n),
        [(rng.randrange(n),) for _ in range(challenges)],
    )
    consistency = timed(
        lambda m: selectors.consistency_proof_for(actor=icc, old=m, new=n),
        [(rng.randrange(1, n),) for _ in range(challenges)],
    )
    bundle = Path(tempfile.mkdtemp(prefix="ledger-bundle-")) / "bundle.jsonl"
    from hcoc.exchange.management.commands.export_bundle import bundle_write

    start = time.perf_counter()
    bundle_write(str(bundle))
    export_s = time.perf_counter() - start
    from hcoc.ledger.keys import log_signer

    return {
        "entries": n,
        "load_s": loaded["load_s"],
        "inclusion_us": inclusion,
        "consistency_us": consistency,
        "export_s": export_s,
        "bundle": str(bundle),
        "bundle_mib": bundle.stat().st_size / 2**20,
        "vkey": log_signer().vkey(),
        "rss_mib": peak_rss_mib(),
    }


def phase_verify(bundle: str, vkey: str) -> dict:
    from hcoc.ledger.verifier import BundleSource, verify

    start = time.perf_counter()
    report = verify(BundleSource(bundle), vkey=vkey)
    elapsed = time.perf_counter() - start
    return {
        "verify_s": elapsed,
        "ok": report.ok,
        "problems": report.problems[:5],
        "size": report.size,
        "rss_mib": peak_rss_mib(),
    }


def phase_pymerkle_big(n: int, challenges: int) -> dict:
    """pymerkle's InmemoryTree on n leaves of the same size: building it, then proofs."""
    from pymerkle import InmemoryTree

    leaf = json.dumps({"event": PAYLOAD, "pad": "x" * 200}).encode()
    tree = InmemoryTree(algorithm="sha256")
    start = time.perf_counter()
    for i in range(n):
        tree.append_entry(leaf + str(i).encode())
    build_s = time.perf_counter() - start
    rng = random.Random(7)

    def timed(fn, args) -> float:
        times = []
        for a in args:
            t = time.perf_counter_ns()
            fn(*a)
            times.append(time.perf_counter_ns() - t)
        return statistics.median(times) / 1000

    inclusion = timed(
        lambda i: tree.prove_inclusion(i, n),
        [(rng.randrange(1, n + 1),) for _ in range(challenges)],
    )
    consistency = timed(
        lambda m: tree.prove_consistency(m, n), [(rng.randrange(1, n),) for _ in range(challenges)]
    )
    return {
        "build_s": build_s,
        "inclusion_us": inclusion,
        "consistency_us": consistency,
        "rss_mib": peak_rss_mib(),
    }


# ---- the driver -----------------------------------------------------------------------------


def in_child(phase: str, **kwargs) -> dict:
    """Run one phase in a fresh interpreter; it prints its figures as JSON on its last line."""
    cmd = [sys.executable, __file__, "--phase", phase, "--args", json.dumps(kwargs)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


PHASES = {
    "appends": lambda a: phase_appends(a["db"], a["n"], a["rounds"]),
    "pymerkle_appends": lambda a: phase_pymerkle_appends(a["n"], a["rounds"]),
    "proofs": lambda a: phase_proofs(a["db"], a["n"], a["challenges"]),
    "verify": lambda a: phase_verify(a["bundle"], a["vkey"]),
    "pymerkle_big": lambda a: phase_pymerkle_big(a["n"], a["challenges"]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--challenges", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="50,000 entries, 500 appends, 1 round")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="every phase at tiny sizes (2,000 entries, 100 appends, 1 round): that it runs",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = PHASES[args.phase](json.loads(args.args))
        result.pop("icc", None)
        print(json.dumps(result, default=str))
        return
    if args.quick:
        args.entries, args.appends, args.rounds, args.challenges = 50_000, 500, 1, 500
    if args.smoke:
        args.entries, args.appends, args.rounds, args.challenges = 2000, 100, 1, 20
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{args.entries} entries, {args.appends} appends x {args.rounds} rounds"
    )
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    peer = in_child("pymerkle_appends", n=args.appends, rounds=args.rounds)
    print(
        f"\npymerkle SqliteTree: {peer['appends_per_s']:,.0f} appends/s "
        f"(peak RSS {peer['rss_mib']:.0f} MiB)"
    )
    big = in_child("pymerkle_big", n=args.entries, challenges=args.challenges)
    print(
        f"pymerkle InmemoryTree at {args.entries:,}: built in {big['build_s']:.1f} s, inclusion "
        f"{big['inclusion_us']:.0f} µs, consistency {big['consistency_us']:.0f} µs "
        f"(peak RSS {big['rss_mib']:.0f} MiB)"
    )
    for db in dbs:
        print(f"\n== {db} ==")
        a = in_child("appends", db=db, n=args.appends, rounds=args.rounds)
        base = a["appends_per_s"]["one per transaction, without the log"]
        for name, rate in a["appends_per_s"].items():
            print(
                f"  appends, {name:<45} {rate:>8,.0f}/s  ({rate / base:.2f} of the exchange "
                f"without the log; {rate / peer['appends_per_s']:.2f}x pymerkle SqliteTree)"
            )
        print(f"  (log size {a['log_size']:,}, peak RSS {a['rss_mib']:.0f} MiB)")
        p = in_child("proofs", db=db, n=args.entries, challenges=args.challenges)
        print(
            f"  {p['entries']:,} entries bulk-loaded in {p['load_s']:.0f} s; "
            f"inclusion proof {p['inclusion_us']:.0f} µs ({big['inclusion_us'] / p['inclusion_us']:.2f}x "
            f"pymerkle in memory), consistency proof {p['consistency_us']:.0f} µs "
            f"({big['consistency_us'] / p['consistency_us']:.2f}x); export-bundle "
            f"{p['export_s']:.1f} s ({p['bundle_mib']:.0f} MiB); peak RSS {p['rss_mib']:.0f} MiB"
        )
        v = in_child("verify", bundle=p["bundle"], vkey=p["vkey"])
        print(
            f"  hcoc verify --bundle: {v['size']:,} entries in {v['verify_s']:.1f} s "
            f"({'ok' if v['ok'] else 'FAILED: ' + '; '.join(v['problems'])}); "
            f"{big['build_s'] / v['verify_s']:.2f}x the time pymerkle takes only to build the tree; "
            f"peak RSS {v['rss_mib']:.0f} MiB"
        )
        Path(p["bundle"]).unlink(missing_ok=True)
        if db == "postgres":
            pg_drop(pg_name(PG_DB))


if __name__ == "__main__":
    main()
