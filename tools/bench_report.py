"""`make bench`: every benchmark under bench/ in its full form, one after another, into one report.

    .venv/bin/python tools/bench_report.py [--out var/bench-report.md] [--only NAME,...]

Runs each command of FULL (the commands docs/benchmarks.md gives for its figures) from the
repository's root with this interpreter, shows its output as it comes, and after each one
rewrites the report: the commit, the machine and its load, then per command its exit status,
wall time, the load average before and after it, and its whole output. A command that fails is
reported and the next one runs; the exit status is 1 if any failed. It takes about an hour and
a half on the 2-core machine of docs/benchmarks.md (bench/suite.py runs the whole test suite
three times); `--only ledger,geo` runs the commands of those scripts only. PostgreSQL: the local
server (HCOC_BENCH_PG_URL for another), each benchmark in a database of its own.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Each benchmark's full form, on each database it measures (bench/README.md). The Redis counter
# of bench/ratelimit.py is left out: it needs a Redis server, which the exchange does not.
FULL = [
    ["bench/exchange.py"],
    ["bench/server_cost.py", "--db", "sqlite"],
    ["bench/server_cost.py", "--db", "postgres"],
    ["bench/pages.py", "--db", "sqlite"],
    ["bench/pages.py", "--db", "postgres"],
    ["bench/compliance.py", "--db", "sqlite"],
    ["bench/compliance.py", "--db", "postgres"],
    ["bench/ledger.py"],
    ["bench/ledger_tlog.py"],
    ["bench/verify_speed.py"],
    ["bench/node.py", "--entries", "100000", "--delays", "100"],
    ["bench/ratelimit.py", "--db", "sqlite", "--counter", "atomic"],
    ["bench/ratelimit.py", "--db", "postgres", "--counter", "atomic"],
    ["bench/ratelimit.py", "--db", "postgres", "--counter", "django"],
    ["bench/geo.py"],
    ["bench/delivery_stream.py"],
    ["bench/delivery_hooks.py", "--db", "sqlite"],
    ["bench/delivery_hooks.py", "--db", "postgres"],
    ["bench/suite.py", "--runs", "3"],
]


def utc(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def commit() -> str:
    def git(*args: str) -> str:
        out = subprocess.run(  # noqa: S603 (git, on this checkout)
            ["git", *args],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return out.stdout.strip()

    changed = (
        " with uncommitted changes" if git("status", "--porcelain", "--", "src", "bench") else ""
    )
    return (git("rev-parse", "--short", "HEAD") or "unknown") + changed


def run(command: list[str]) -> dict:
    """Run one benchmark, echoing its output line by line as it comes."""
    started, load = time.time(), os.getloadavg()[0]
    proc = subprocess.Popen(  # noqa: S603 (this interpreter, a script of FULL)
        [sys.executable, *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in proc.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    return {
        "command": command,
        "exit": proc.wait(),
        "started": started,
        "seconds": time.time() - started,
        "load": (load, os.getloadavg()[0]),
        "output": "".join(lines),
    }


def report(results: list[dict], started: float, planned: int) -> str:
    head = [
        "# Benchmark report",
        "",
        f"`make bench` of {utc(started)}, commit {commit()}; {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}. "
        f"{len(results)} of {planned} commands run.",
        "",
        "| command | exit | wall | load average before → after |",
        "|---|---:|---:|---|",
    ]
    for r in results:
        head.append(
            f"| `.venv/bin/python {' '.join(r['command'])}` | {r['exit']} | "
            f"{r['seconds']:.0f} s | {r['load'][0]:.1f} → {r['load'][1]:.1f} |"
        )
    body = []
    for r in results:
        body += [
            "",
            f"## `.venv/bin/python {' '.join(r['command'])}`",
            "",
            f"{utc(r['started'])}, {r['seconds']:.0f} s, exit {r['exit']}.",
            "",
            "```",
            r["output"].rstrip(),
            "```",
        ]
    return "\n".join(head + body) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench-report.md")
    parser.add_argument("--only", help="script names, comma-separated: ledger,geo")
    args = parser.parse_args()
    commands = FULL
    if args.only:
        names = {f"bench/{name.removesuffix('.py')}.py" for name in args.only.split(",")}
        unknown = names - {command[0] for command in FULL}
        if unknown:
            parser.error(f"no such benchmark: {', '.join(sorted(unknown))}")
        commands = [command for command in FULL if command[0] in names]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    started, results = time.time(), []
    for command in commands:
        print(f"\n==== .venv/bin/python {' '.join(command)}", flush=True)
        results.append(run(command))
        args.out.write_text(report(results, started, len(commands)))
    failed = [" ".join(r["command"]) for r in results if r["exit"] != 0]
    print(f"\nreport: {args.out}" + (f"; failed: {'; '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
