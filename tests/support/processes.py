"""Which tests start processes of their own: those marked `process`, and only those.

A test that starts a server (`support.serve`), the delivery worker, an `hcoc` command, client
processes (`support.http_workers`, multiprocessing) or a browser takes seconds; `make check`
leaves them to `make test` (`-m "not process"`) and runs the rest, in-process, in under a minute.

The mark is kept by a rule a new test cannot escape silently: a test that is not marked and
starts a process fails, in every run, naming the mark. Tests that use the browser's fixtures are
marked by those fixtures (below); every other test that starts a process says so itself,
`pytestmark = pytest.mark.process` in its module or `@pytest.mark.process` on the test.
`tests/ops/test_suite_processes.py` checks the rule."""

import multiprocessing.process
import os
import subprocess
from contextlib import ExitStack, contextmanager

import pytest

MARK = "process"
# The browser's fixtures (support.browser): Playwright starts its driver and Chromium.
BROWSER_FIXTURES = frozenset({"chromium", "browser_context", "page"})


def needs_processes(item) -> bool:
    return item.get_closest_marker(MARK) is not None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Mark the browser's tests before `-m "not process"` deselects (pytest's own hook runs
    after this one)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(MARK)


class ProcessRefused(pytest.fail.Exception):
    """A BaseException, like pytest's own failures: library code that catches Exception around
    its start of a process (Playwright, multiprocessing) cannot swallow it."""


# Every way the suite's code and its libraries start a process: subprocess (and so asyncio's
# subprocesses, Playwright's driver), multiprocessing (every start method), and the os calls
# beneath neither.
ENTRY_POINTS = [
    (subprocess.Popen, "__init__", "subprocess.Popen"),
    (multiprocessing.process.BaseProcess, "start", "a multiprocessing Process"),
    (os, "fork", "os.fork"),
    (os, "system", "os.system"),
    (os, "posix_spawn", "os.posix_spawn"),
    (os, "posix_spawnp", "os.posix_spawnp"),
]


@contextmanager
def processes_refused(nodeid: str):
    def refusal(what: str):
        def refuse(*args, **kwargs):
            raise ProcessRefused(
                f"{nodeid} starts a process ({what}) but is not marked `{MARK}`: mark it "
                f"(`pytestmark = pytest.mark.{MARK}` or `@pytest.mark.{MARK}`, tests/README.md), "
                "so that `make check` leaves it to `make test`"
            )

        return refuse

    with ExitStack() as undo:
        for owner, name, what in ENTRY_POINTS:
            real = getattr(owner, name)
            setattr(owner, name, refusal(what))
            undo.callback(setattr, owner, name, real)
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """An unmarked test may not start a process, in its set-up (its fixtures, whatever their
    scope), its call or its teardown."""
    if needs_processes(item):
        yield
        return
    with processes_refused(item.nodeid):
        yield
