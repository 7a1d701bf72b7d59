#!/usr/bin/env python
"""The test suite's own time and where its CPU goes (issue 14's goal: `make test` under 100 s).

    .venv/bin/python bench/suite.py [--runs N] [--db sqlite|postgres] [--against DIR] [--smoke]

Runs the suite as `make test` does (pytest on one worker per core, Chromium required), `--runs`
times (default 3). While each run lasts, every process on the machine is sampled twice a second:
its CPU time (user + system) so far, and the resident memory of the suite's processes. A process
counts as the suite's when it descends from the run's pytest (its workers, the live server in
them, Chromium, the `hcoc serve` and other commands the tests start); everything else is the
machine's (its services, its kernel threads). The machine's busy and idle time come from
/proc/stat over the same interval. Prints per run and as medians: the wall time, pytest's
closing line, the suite's CPU-seconds by kind of process, the machine's, and the suite's peak
resident memory (all its processes at one sample, summed).

`--against DIR` alternates each run with the same command in the checkout in DIR (its own
`.venv`, made by its own `make setup-test` or `make setup`, with pytest-xdist): the same machine
at the same hour, so the ratio of the two medians says more than either figure. `--db postgres`
runs on the test database at postgres://postgres@127.0.0.1:5432/test (as `.ci/run`'s second
leg; HCOC_BENCH_PG_URL and HCOC_BENCH_PG_DB name another server and database, of which pytest
makes its `test_` copies). `--smoke`: one run of one small test file in one process, that the
script runs. Asserts nothing on time.

A process sampled last shortly before it ended is counted to that sample (at most half a second
of its CPU is missed); one that lived less than half a second may be missed whole: the figures
are a floor, and the machine's total from /proc/stat is the ceiling.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psutil
from common import pg_name, pg_server

ROOT = Path(__file__).resolve().parents[1]
# What `make test` runs, and what the smoke run runs instead: one small file of pure functions,
# in the controller's process (a worker of its own would double the start-up it measures).
SUITE = ["-n", "auto"]
SMOKE = ["-n", "0", "tests/geo/test_geo_coords.py"]

# The kinds of the suite's processes, by what their command line says (first match).
KINDS = [
    ("Chromium", re.compile(r"chrom")),
    ("Playwright's driver (node)", re.compile(r"playwright|^node\b|/node ")),
    ("hcoc serve (gunicorn, uvicorn workers)", re.compile(r"gunicorn|hcoc\.cli serve")),
    ("schemathesis (the fuzzer)", re.compile(r"schemathesis")),
    ("hcoc demo", re.compile(r"hcoc\.cli demo")),
    ("other hcoc commands", re.compile(r"hcoc\.cli")),
    ("client processes (multiprocessing)", re.compile(r"multiprocessing")),
    ("pytest workers (tests, live server)", re.compile(r"execnet|xdist|exec\(eval")),
    ("pytest (the controller)", re.compile(r"pytest")),
]


def kind_of(cmdline: str) -> str:
    return next((name for name, pattern in KINDS if pattern.search(cmdline)), "other")


def machine_busy() -> tuple[float, float]:
    """(busy, idle + iowait) CPU-seconds of the whole machine since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / tick, idle / tick


class Sampler:
    """Every process's CPU time so far, by (pid, start time), and the suite's resident memory,
    in one pass every half second (not common.PeakRss beside it: its walk of the process tree
    every 50 ms would itself take a share of the two cores the suite is measured on)."""

    def __init__(self, root_pid: int):
        self.root = root_pid
        self.cpu: dict[tuple[int, float], tuple[float, str, bool]] = {}
        self.at_start = self._cpu_now()  # what the machine's processes had used before the run
        self.peak_rss = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _cpu_now(self) -> dict[tuple[int, float], float]:
        now = {}
        for p in psutil.process_iter(["create_time", "cpu_times"]):
            times = p.info["cpu_times"]
            if times is not None:
                now[(p.pid, p.info["create_time"])] = times.user + times.system
        return now

    def _run(self) -> None:
        while not self.done.wait(0.5):
            try:
                suite = {self.root} | {
                    c.pid for c in psutil.Process(self.root).children(recursive=True)
                }
            except psutil.Error:
                continue
            rss = 0
            attrs = ["create_time", "cpu_times", "cmdline", "name", "memory_info"]
            for p in psutil.process_iter(attrs):
                times = p.info["cpu_times"]
                if times is None:
                    continue
                ours = p.pid in suite
                key = (p.pid, p.info["create_time"])
                known = self.cpu.get(key)
                command = " ".join(p.info["cmdline"] or []) or f"[{p.info['name']}]"
                self.cpu[key] = (
                    times.user + times.system,
                    known[1] if known else command,
                    ours or (known[2] if known else False),
                )
                if ours and p.info["memory_info"] is not None:
                    rss += p.info["memory_info"].rss
            self.peak_rss = max(self.peak_rss, rss)

    def stop(self) -> dict:
        self.done.set()
        self.thread.join()
        suite, machine = Counter(), Counter()
        for key, (cpu, command, ours) in self.cpu.items():
            used = cpu - self.at_start.get(key, 0.0)
            if ours:
                suite[kind_of(command)] += used
            else:
                machine[command.split(" ")[0][:60]] += used
        return {"suite": suite, "machine": machine, "peak_rss_mib": self.peak_rss / 2**20}


def run_once(checkout: Path, db: str, tests: list[str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["HCOC_REQUIRE_BROWSER"] = "1"
    if db == "postgres":
        env["DATABASE_URL"] = pg_server() + pg_name("test")
    else:
        env.pop("DATABASE_URL", None)
    python = checkout / ".venv" / "bin" / "python"
    busy0, idle0 = machine_busy()
    started = time.monotonic()
    proc = subprocess.Popen(  # noqa: S603 (the checkout's own interpreter)
        [str(python), "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider"],
        cwd=checkout,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sampler = Sampler(proc.pid)
    output = proc.communicate()[0]
    wall = time.monotonic() - started
    found = sampler.stop()
    busy1, idle1 = machine_busy()
    summary = next(
        (line.strip("= ") for line in reversed(output.splitlines()) if " in " in line), "?"
    )
    return {
        "checkout": str(checkout),
        "exit": proc.returncode,
        "wall": wall,
        "summary": summary,
        "machine_busy": busy1 - busy0,
        "machine_idle": idle1 - idle0,
        **found,
    }


def show(result: dict) -> None:
    suite, machine = result["suite"], result["machine"]
    print(
        f"  {result['checkout']}: {result['wall']:.1f} s wall, exit {result['exit']}: "
        f"{result['summary']}"
    )
    print(
        f"    machine: {result['machine_busy']:.0f} CPU-s busy, {result['machine_idle']:.0f} idle;"
        f" the suite's processes {sum(suite.values()):.0f} CPU-s, peak RSS"
        f" {result['peak_rss_mib']:.0f} MiB; the machine's others {sum(machine.values()):.0f}"
    )
    for name, used in suite.most_common():
        print(f"    {used:7.1f}  {name}")
    top = ", ".join(f"{name} {used:.0f}" for name, used in machine.most_common(5))
    print(f"    the machine's busiest others: {top}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--against", type=Path, help="another checkout, run alternately")
    parser.add_argument(
        "--smoke", action="store_true", help="one run of one small test file: that it runs"
    )
    args = parser.parse_args()
    if args.smoke:
        args.runs = 1
    checkouts = [ROOT] + ([args.against.resolve()] if args.against else [])
    for checkout in checkouts:
        if not (checkout / ".venv" / "bin" / "python").exists():
            sys.exit(f"{checkout} has no .venv: run its `make setup-test` first")
    print(f"the suite on {args.db}, {args.runs} runs, {os.cpu_count()} cores")
    results: dict[Path, list[dict]] = {c: [] for c in checkouts}
    for i in range(args.runs):
        for checkout in checkouts:
            print(f"run {i + 1}:")
            result = run_once(checkout, args.db, SMOKE if args.smoke else SUITE)
            results[checkout].append(result)
            show(result)
    print("medians:")
    walls = {}
    for checkout, runs in results.items():
        walls[checkout] = statistics.median(r["wall"] for r in runs)
        suite_cpu = statistics.median(sum(r["suite"].values()) for r in runs)
        machine_cpu = statistics.median(sum(r["machine"].values()) for r in runs)
        peak = max(r["peak_rss_mib"] for r in runs)
        print(
            f"  {checkout}: {walls[checkout]:.1f} s wall; the suite's processes {suite_cpu:.0f}"
            f" CPU-s, the machine's others {machine_cpu:.0f}; peak RSS {peak:.0f} MiB"
        )
        kinds = {name for r in runs for name in r["suite"]}
        for name in sorted(kinds, key=lambda n: -statistics.median(r["suite"][n] for r in runs)):
            print(f"    {statistics.median(r['suite'][name] for r in runs):7.1f}  {name}")
    if args.against:
        this, other = walls[ROOT], walls[checkouts[1]]
        print(f"  ratio, this checkout's median wall time to the other's: {this / other:.2f}")
    if any(r["exit"] != 0 for runs in results.values() for r in runs):
        sys.exit("a run failed: its figures are not the suite's")


if __name__ == "__main__":
    main()
