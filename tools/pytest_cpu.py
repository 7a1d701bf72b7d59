"""Each test's CPU, its own and its processes': a pytest plugin, and the report of what it wrote.

    PYTHONPATH=tools .venv/bin/python -m pytest -p pytest_cpu tests/bench -n 0
    .venv/bin/python tools/pytest_cpu.py var/pytest-cpu-*.json

Round each test (set-up, call and tear-down), in each worker: the wall time, the CPU of the
worker's own threads (the live server's included) and of the child processes it waited for
(servers, commands, benchmarks, client processes, with their own children that they waited for).
A process the run starts once and waits for only at its end (Playwright's driver and Chromium)
is not counted to any test. Each worker writes `var/pytest-cpu-<worker>.json`
(PYTEST_CPU_OUT to write elsewhere); the report sums them by file and lists the dearest tests.
Asserts nothing: a measuring aid for issue 28 (docs/benchmarks.md, "The test suite").
"""

import collections
import glob
import json
import os
import resource
import sys
import time

import pytest

_RESULTS: dict[str, tuple[float, float, float]] = {}


def _now() -> tuple[float, float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (
        time.monotonic(),
        own.ru_utime + own.ru_stime,
        kids.ru_utime + kids.ru_stime,
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    wall, own, kids = _now()
    yield
    wall2, own2, kids2 = _now()
    _RESULTS[item.nodeid] = (wall2 - wall, own2 - own, kids2 - kids)


def pytest_sessionfinish(session):
    out = os.environ.get("PYTEST_CPU_OUT", "var/pytest-cpu")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(f"{out}-{worker}.json", "w") as f:
        json.dump(_RESULTS, f)


def report(patterns: list[str], top: int = 40) -> None:
    rows: dict[str, tuple[float, float, float]] = {}
    for pattern in patterns:
        for path in glob.glob(pattern):
            with open(path) as f:
                rows.update(json.load(f))
    by_file: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for nodeid, (wall, own, kids) in rows.items():
        total = by_file[nodeid.split("::")[0]]
        total[0] += wall
        total[1] += own
        total[2] += kids
        total[3] += 1
    own = sum(r[1] for r in rows.values())
    kids = sum(r[2] for r in rows.values())
    print(f"{len(rows)} tests: {own + kids:.1f} CPU-s ({own:.1f} own, {kids:.1f} processes)")
    print("   CPU-s    own  procs   wall  tests  file")
    for name, (wall, o, k, n) in sorted(by_file.items(), key=lambda x: -(x[1][1] + x[1][2]))[:top]:
        print(f"{o + k:8.1f} {o:6.1f} {k:6.1f} {wall:6.1f} {n:6d}  {name}")
    print("   CPU-s    own  procs   wall  test")
    for nodeid, (wall, o, k) in sorted(rows.items(), key=lambda x: -(x[1][1] + x[1][2]))[:top]:
        print(f"{o + k:8.1f} {o:6.1f} {k:6.1f} {wall:6.1f}  {nodeid}")


if __name__ == "__main__":
    report(sys.argv[1:] or ["var/pytest-cpu-*.json"])
