#!/usr/bin/env python
"""Pure-library benchmark of the transparency log (hcoc.ledger.tlog.merkle), with pymerkle as peer.

    .venv/bin/python bench/ledger_tlog.py [--leaves 1000000] [--rounds 3] [--proofs 2000] [--quick]
                                          [--smoke]

No Django, no database: the figures are the library's own ceiling, which the integrator's
bench/ledger.py (the same operations over SQL node storage) can be compared with. Each round runs
each implementation in its own child process (so that each peak RSS is its own) on the same
entries and the same random indices:

  ours       MemoryTree.append of leaf hashes (leaf hashing included), then inclusion proofs
             (random index, full size) and consistency proofs (random old size, full size) via
             the NodeGetter path that a SQL store uses (one fetch of O(log n) complete nodes)
  frontier   Frontier.append (the right edge only, returning the nodes each leaf completes:
             what a database append writes)
  pymerkle   pymerkle 7 InmemoryTree (RFC 9162 hashing) append_entry, prove_inclusion,
             prove_consistency

Printed: medians over the rounds of appends per second and of the median microseconds per proof,
ratios pymerkle/ours, nodes fetched per proof, and each child's peak RSS (getrusage ru_maxrss).
The roots of both trees are compared at the end of every round: a benchmark of wrong answers
would be worthless. Nothing is asserted on time.

Importable: `run(leaves=..., rounds=..., proofs=...)` returns the figures as a dict, and the
round functions (`round_ours`, `round_frontier`, `round_pymerkle`) take plain arguments.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hcoc.ledger.tlog.merkle import (  # noqa: E402
    Frontier,
    MemoryTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
)


def entries(n: int) -> list[bytes]:
    """n distinct entries of 64 bytes (about the size of a feed event's digest record)."""
    return [b"%064d" % i for i in range(n)]


def challenges(n: int, count: int, seed: int) -> tuple[list[int], list[int]]:
    """Random leaf indices and random old sizes (1 <= old < n) for proofs against size n."""
    rng = random.Random(seed)
    return [rng.randrange(n) for _ in range(count)], [rng.randrange(1, n) for _ in range(count)]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _per_call_us(fn, args_list) -> float:
    """Median microseconds of fn(*args) over args_list, timed one call at a time."""
    times = []
    clock = time.perf_counter_ns
    for args in args_list:
        start = clock()
        fn(*args)
        times.append(clock() - start)
    return statistics.median(times) / 1000


def round_ours(n: int, proofs: int, seed: int) -> dict:
    data = entries(n)
    indices, olds = challenges(n, proofs, seed)
    tree = MemoryTree()
    start = time.perf_counter()
    for entry in data:
        tree.append(leaf_hash(entry))
    append_s = time.perf_counter() - start

    fetched = []

    def get(coords):
        coords = list(coords)
        fetched.append(len(coords))
        return tree.get(coords)

    incl_us = _per_call_us(lambda i: inclusion_proof(i, n, get), [(i,) for i in indices])
    incl_nodes = statistics.mean(fetched)
    fetched.clear()
    cons_us = _per_call_us(lambda m: consistency_proof(m, n, get), [(m,) for m in olds])
    cons_nodes = statistics.mean(fetched)
    return {
        "appends_per_s": n / append_s,
        "inclusion_us": incl_us,
        "consistency_us": cons_us,
        "inclusion_nodes": incl_nodes,
        "consistency_nodes": cons_nodes,
        "root": tree.root(),
        "rss_mib": peak_rss_mib(),
    }


def round_frontier(n: int, proofs: int, seed: int) -> dict:
    data = entries(n)
    frontier = Frontier()
    written = 0
    start = time.perf_counter()
    for entry in data:
        written += len(frontier.append(leaf_hash(entry)))
    append_s = time.perf_counter() - start
    return {
        "appends_per_s": n / append_s,
        "nodes_per_append": written / n,
        "root": frontier.root(),
        "rss_mib": peak_rss_mib(),
    }


def round_pymerkle(n: int, proofs: int, seed: int) -> dict:
    from pymerkle import InmemoryTree

    data = entries(n)
    indices, olds = challenges(n, proofs, seed)
    tree = InmemoryTree(algorithm="sha256")
    start = time.perf_counter()
    for entry in data:
        tree.append_entry(entry)
    append_s = time.perf_counter() - start
    # pymerkle counts leaves from one.
    incl_us = _per_call_us(lambda i: tree.prove_inclusion(i + 1, n), [(i,) for i in indices])
    cons_us = _per_call_us(lambda m: tree.prove_consistency(m, n), [(m,) for m in olds])
    return {
        "appends_per_s": n / append_s,
        "inclusion_us": incl_us,
        "consistency_us": cons_us,
        "root": tree.get_root(),
        "rss_mib": peak_rss_mib(),
    }


def _child(fn, args, queue) -> None:
    queue.put(fn(*args))


def in_child(fn, *args) -> dict:
    """Run fn(*args) in a fresh process (spawned: its peak RSS is its own) and return its dict."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_child, args=(fn, args, queue))
    process.start()
    result = queue.get()
    process.join()
    if process.exitcode:
        raise RuntimeError(f"{fn.__name__} failed with exit code {process.exitcode}")
    return result


def run(leaves: int = 1_000_000, rounds: int = 3, proofs: int = 2000, peer: bool = True) -> dict:
    """All rounds; returns {"ours": {...}, "frontier": {...}, "pymerkle": {...}} of medians."""
    results: dict[str, list[dict]] = {"ours": [], "frontier": [], "pymerkle": []}
    for r in range(rounds):
        seed = 1000 + r
        ours = in_child(round_ours, leaves, proofs, seed)
        frontier = in_child(round_frontier, leaves, proofs, seed)
        if frontier["root"] != ours["root"]:
            raise AssertionError("the frontier's root differs from the tree's")
        results["ours"].append(ours)
        results["frontier"].append(frontier)
        if peer:
            theirs = in_child(round_pymerkle, leaves, proofs, seed)
            if theirs["root"] != ours["root"]:
                raise AssertionError("pymerkle's root differs from ours: not the same tree")
            results["pymerkle"].append(theirs)
    medians = {}
    for name, rows in results.items():
        if rows:
            medians[name] = {
                key: statistics.median(row[key] for row in rows) for key in rows[0] if key != "root"
            }
    return medians


def report(figures: dict, leaves: int, rounds: int, proofs: int) -> str:
    ours, frontier = figures["ours"], figures["frontier"]
    theirs = figures.get("pymerkle")
    lines = [
        f"tlog library benchmark: {leaves:,} leaves, {proofs:,} proofs of each kind per round, "
        f"medians of {rounds} round(s); Python {platform.python_version()} on {platform.machine()}",
        "",
        f"{'':28}{'ours':>14}{'pymerkle':>14}{'pymerkle/ours':>15}",
    ]

    def row(label, key, fmt, higher_is_better):
        a = ours[key]
        if theirs is None:
            return f"{label:28}{fmt.format(a):>14}"
        b = theirs[key]
        ratio = b / a
        note = "(ours ahead)" if (ratio < 1) == higher_is_better else "(pymerkle ahead)"
        return f"{label:28}{fmt.format(a):>14}{fmt.format(b):>14}{ratio:>14.2f}x {note}"

    lines.append(row("appends/s (MemoryTree)", "appends_per_s", "{:,.0f}", True))
    lines.append(row("inclusion proof, µs", "inclusion_us", "{:,.1f}", False))
    lines.append(row("consistency proof, µs", "consistency_us", "{:,.1f}", False))
    lines.append(row("peak RSS, MiB", "rss_mib", "{:,.0f}", False))
    lines += [
        "",
        f"Frontier.append: {frontier['appends_per_s']:,.0f} appends/s, "
        f"{frontier['nodes_per_append']:.2f} nodes written per append, "
        f"peak RSS {frontier['rss_mib']:,.0f} MiB",
        f"nodes fetched per proof (one get call): inclusion {ours['inclusion_nodes']:.1f}, "
        f"consistency {ours['consistency_nodes']:.1f}",
        "roots: ours, the frontier's and pymerkle's agree in every round",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--proofs", type=int, default=2000)
    parser.add_argument("--no-peer", action="store_true", help="skip pymerkle")
    parser.add_argument("--quick", action="store_true", help="100,000 leaves, one round")
    parser.add_argument(
        "--smoke", action="store_true", help="2,000 leaves, 20 proofs, one round: that it runs"
    )
    args = parser.parse_args()
    if args.quick:
        args.leaves, args.rounds = 100_000, 1
    if args.smoke:
        args.leaves, args.rounds, args.proofs = 2000, 1, 20
    figures = run(args.leaves, args.rounds, args.proofs, peer=not args.no_peer)
    print(report(figures, args.leaves, args.rounds, args.proofs))


if __name__ == "__main__":
    main()
