"""The suite's split between `make check` and `make test` (support.processes): a test that starts
a process of its own is marked `process`, and one that is not marked cannot start one, so a new
test cannot slip a server, a command or a browser into the quick loop unnoticed."""

import multiprocessing
import os
import subprocess

import pytest
from support import browser, processes
from support.processes import ProcessRefused, processes_refused


def test_an_unmarked_test_that_starts_a_process_fails_naming_the_mark():
    """This test is not marked: the rule holds in it as in any other."""
    with pytest.raises(ProcessRefused) as refused:
        subprocess.run(["true"], check=True)
    message = str(refused.value)
    assert "test_an_unmarked_test_that_starts_a_process_fails_naming_the_mark" in message
    assert "not marked `process`" in message and "pytest.mark.process" in message


@pytest.mark.parametrize(
    "start",
    [
        lambda: subprocess.run(["true"], check=True),
        lambda: subprocess.check_output(["true"]),
        lambda: multiprocessing.get_context("spawn").Process(target=print).start(),
        lambda: multiprocessing.get_context("fork").Process(target=print).start(),
        lambda: os.system("true"),  # noqa: S605 (refused: nothing runs)
        lambda: os.posix_spawn("/bin/true", ["true"], {}),
    ],
    ids=["run", "check_output", "spawn", "fork-context", "system", "posix_spawn"],
)
def test_every_way_of_starting_a_process_is_refused(start):
    with processes_refused("a test"), pytest.raises(ProcessRefused):
        start()


def test_the_refusal_ends_with_its_test():
    real = [getattr(owner, name) for owner, name, _ in processes.ENTRY_POINTS]
    with processes_refused("a test"):
        pass
    assert [getattr(owner, name) for owner, name, _ in processes.ENTRY_POINTS] == real


@pytest.mark.process
def test_a_marked_test_may_start_a_process():
    assert subprocess.run(["true"], check=True).returncode == 0


def test_every_fixture_of_the_browser_marks_the_tests_that_use_it():
    """The browser's tests are marked by the fixtures they use; a new browser fixture would still
    be caught (Playwright starts processes), but with this it is marked from the start."""
    defined = {
        name
        for name, value in vars(browser).items()
        if type(value).__name__ == "FixtureFunctionDefinition"
    }
    assert defined and defined <= processes.BROWSER_FIXTURES


def test_the_browser_tests_are_marked_and_left_to_make_test(request):
    selected = request.session.items
    if request.config.getoption("markexpr").startswith("not process"):  # make check
        assert not any(item.get_closest_marker("process") for item in selected)
    for item in selected:
        if processes.BROWSER_FIXTURES & set(item.fixturenames):
            assert item.get_closest_marker("process"), item.nodeid
