"""Order is truth: whatever a verifier checks (sequence, times, hashes) is decided under the one
write lock. Issue 10, finding 1: services took `now` before the lock, so under ordinary
concurrent use commit order and time order differed and every state's `hcoc verify` called the
honest exchange a forger ("dated ... before the entry before it (back-dated)")."""

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from support.bodies import pln
from support.http_workers import submit_and_acknowledge

from hcoc.accounts.models import User
from hcoc.exchange.services import acknowledgements_record, event_transaction
from hcoc.ledger.keys import log_signer
from hcoc.ledger.models import LeafType, LogEntry
from hcoc.ledger.services import leaf_append, sequence_lock
from hcoc.ledger.verifier import HttpSource, verify
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit


def leaf_times() -> list[datetime]:
    return list(LogEntry.objects.order_by("index").values_list("at", flat=True))


def test_times_never_go_back_in_the_log_when_the_servers_clock_steps_back(personas):
    """An NTP step backwards must not make the next entry older than the last: the time taken
    under the lock is never earlier than the log's last leaf."""
    fra = User.objects.get(username="fra_submitter")
    start = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        first = notification_submit(actor=fra, data=PLNIn(**pln()))
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        second = notification_submit(actor=fra, data=PLNIn(**pln()))
        acknowledgements_record(actor=User.objects.get(username="jpn_reader"), up_to=2)
    times = leaf_times()
    assert times == sorted(times) and times[-1] == start
    assert second.first_submitted_at == start >= first.first_submitted_at


def test_the_log_refuses_a_leaf_dated_before_the_last_one(personas):
    """The last line of defence: a caller that dates a leaf itself, earlier than the log's last
    leaf, is refused and nothing is written."""
    fra = User.objects.get(username="fra_submitter")
    notification_submit(actor=fra, data=PLNIn(**pln()))
    size = LogEntry.objects.count()
    with (
        pytest.raises(RuntimeError, match="earlier than the log's last leaf"),
        transaction.atomic(),
    ):
        at = sequence_lock()
        leaf_append(
            type=LeafType.ACKNOWLEDGEMENT,
            at=at - timedelta(seconds=1),
            state="FRA",
            body={"acknowledgement": {"seqs": [1], "newly_acknowledged": 0}},
            actor_id=fra.pk,
        )
    assert LogEntry.objects.count() == size


def test_the_write_door_gives_the_time_it_took_under_the_lock(personas):
    before = datetime.now(UTC)
    with event_transaction() as event:
        seq, at = event.seq, event.at
    assert seq == 1 and before <= at <= datetime.now(UTC)


PROCESSES = 4
SECONDS = 4


@pytest.mark.process
@pytest.mark.slow
def test_concurrent_clients_leave_a_log_that_every_state_verifies(api, personas, live_server):
    """The issue's reproduction: clients posting notifications and acknowledgements at the same
    time, then a state's own verifier over HTTP. Before the fix it reported back-dated entries."""
    who = [personas[p] for p in ("fra_submitter", "jpn_submitter")] * (PROCESSES // 2)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(PROCESSES) as pool:
        counts = pool.starmap(
            submit_and_acknowledge, [(live_server.url, p.token, pln(), SECONDS) for p in who]
        )
    assert sum(c["submitted"] for c in counts) >= PROCESSES  # each client wrote something
    assert all(c["errors"] == 0 for c in counts), counts
    times = leaf_times()
    assert times == sorted(times)
    report = verify(
        HttpSource(live_server.url, personas["jpn_reader"].token), vkey=log_signer().vkey()
    )
    assert report.ok, report.problems[:5]
    assert report.size == len(times)
