"""The worker, `hcoc deliver`, as a real process against the suite's database: it delivers what
the exchange's writes commit, in order; while no worker runs the items wait in the feed, and the
next worker delivers them, none lost."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from support.bodies import pln
from support.receivers import LOOPBACK, Receiver
from support.serve import database_url

from hcoc.accounts.models import User
from hcoc.delivery.models import Endpoint
from hcoc.delivery.services import endpoint_register
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def start_worker() -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "HCOC_WEBHOOK_ALLOWED_NETWORKS": ",".join(LOOPBACK),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "hcoc.cli", "deliver"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def stop(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=60)


def wait_for(receiver: Receiver, n: int, worker: subprocess.Popen) -> None:
    for _ in range(600):  # bounded: 60 s at most
        if len(receiver.accepted) >= n:
            return
        assert worker.poll() is None, worker.stderr.read().decode()
        time.sleep(0.1)
    raise AssertionError(f"{len(receiver.accepted)} of {n} items arrived")


def submit(n: int) -> list[int]:
    fra = User.objects.get(username="fra_submitter")
    return [
        notification_submit(actor=fra, data=PLNIn.model_validate(pln())).versions.get().seq
        for _ in range(n)
    ]


def test_the_worker_delivers_what_is_committed_and_nothing_is_lost_while_it_is_stopped(
    transactional_db, personas, receiver
):
    endpoint, _ = endpoint_register(
        actor=User.objects.get(username="jpn_submitter"), url=receiver.url
    )
    worker = start_worker()
    try:
        first = submit(3)
        wait_for(receiver, 3, worker)
    finally:
        stop(worker)
    later = submit(2)  # no worker: they wait in the feed
    time.sleep(0.3)
    assert len(receiver.accepted) == 3
    assert Endpoint.objects.get(pk=endpoint.pk).cursor == first[-1]
    worker = start_worker()
    try:
        wait_for(receiver, 5, worker)
    finally:
        stop(worker)
    assert [json.loads(r.body)["seq"] for r in receiver.accepted] == first + later
    assert len({r.headers["webhook-id"] for r in receiver.accepted}) == 5
