"""The suite's reader of Server-Sent Events, `support.serve.items()`: when a stream does not give
what a test waits for, it fails at once, saying what is missing, instead of hanging the test
among heartbeats until its timeout (180 s) with nothing to go on."""

from collections.abc import Iterator

import httpx
import pytest
from support import serve
from support.serve import ITEMS_WITHIN, Event, items


class Clock:
    """`monotonic()` for `items()`, moved by the stream below: no test here waits for time."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(serve, "monotonic", clock)
    return clock


def item(seq: int) -> Event:
    return Event(id=str(seq), event="pln", data=[f'{{"seq": {seq}}}'])


def heartbeats_after(*seqs: int, clock: Clock) -> Iterator[Event]:
    """A stream that gives `seqs`, then only heartbeats, a second apart, as a real one does when
    an item is lost; a reader with no bound reads until the test's timeout (here, until it has
    read 1,000 heartbeats, then it is told)."""
    for seq in seqs:
        yield item(seq)
    for _ in range(1000):
        clock.now += 1.0
        yield Event(comments=["heartbeat"])
    raise RuntimeError("items() read on past its bound")


def test_items_gives_the_items_asked_for_skipping_heartbeats_and_reads_no_further(clock):
    def stream():
        yield Event(comments=["open"])
        yield item(4)
        yield Event(comments=["heartbeat"])
        yield item(5)
        yield item(6)

    source = stream()
    assert [e.id for e in items(source, 2)] == ["4", "5"]
    assert next(source).id == "6"  # still there for the next call


def test_an_item_that_never_comes_fails_within_the_bound_naming_what_is_missing(clock):
    with pytest.raises(AssertionError) as failure:
        items(heartbeats_after(7, clock=clock), 2)
    message = str(failure.value)
    assert f"within {ITEMS_WITHIN:g} s" in message
    assert "1 of 2 items came (ids: 7); 1 missing after id 7" in message


def test_a_stream_that_ends_early_fails_instead_of_giving_fewer_items(clock):
    with pytest.raises(AssertionError, match=r"the stream ended: 1 of 3 items came .*after id 7"):
        items(iter([item(7)]), 3)


def test_a_read_that_times_out_fails_naming_what_is_missing(clock):
    def silent_after_one():
        yield item(7)
        raise httpx.ReadTimeout("timed out")

    with pytest.raises(AssertionError, match=r"timed out.*1 of 2 items came .*after id 7"):
        items(silent_after_one(), 2)
