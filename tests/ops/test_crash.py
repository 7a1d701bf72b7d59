"""Crashes and concurrency (issue 10): a real `hcoc serve` (gunicorn), several client processes
submitting, amending, cancelling and acknowledging with Idempotency-Keys, and the server's
workers killed with SIGKILL several times mid-run. Afterwards every 2xx answer is in the exchange
exactly once, the feed is gap-free, times never go back in seq order, no key is left claimed,
and a state's own `hcoc verify` passes. Runs on SQLite and PostgreSQL (the server uses the
suite's test database).

The figures it prints (requests, kills, 5xx, lost) are the ones docs/reliability.md records;
HCOC_CRASH_SECONDS lengthens the run for that."""

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import httpx
import psutil
import pytest
from django.db import connection
from support import answers, free_port
from support.bodies import pln
from support.http_workers import crash_client
from support.serve import database_url

from hcoc.exchange.models import Event
from hcoc.idempotency.models import IdempotencyRecord
from hcoc.notifications.models import Notification

pytestmark = [pytest.mark.process, pytest.mark.slow, pytest.mark.together, pytest.mark.timeout(600)]

SECONDS = float(os.environ.get("HCOC_CRASH_SECONDS", "12"))
KILLS = int(os.environ.get("HCOC_CRASH_KILLS", "4"))
CLIENTS = 4


@pytest.fixture(scope="module")
def server(django_db_setup):
    """One `hcoc serve` in its own process for the module's tests (the module goes whole to one
    worker: `together`), each test committing its own personas (`transactional_db`): a second
    server of two workers took 4.5 CPU-s here. Without the delivery worker beside it: it writes
    its cursors as the feed grows, and would write them into the next test's database after a
    test's flush; nothing here is delivered, and a worker stopped mid-delivery is
    tests/delivery/test_delivery_worker.py's."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        # No rate limit on this run: it measures faults, not throttling.
        "HCOC_RATE_LIMIT_API": "0",
        "HCOC_RATE_LIMIT_API_ADDRESS": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "hcoc.cli", "serve", "--port", str(port), "--workers", "2"]
        + ["--no-deliver"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    if not answers(base + "/api/v1/states/AUT", within=10, every=0.05, proc=proc):
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the server did not start")
    yield base, proc
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def kill_workers(master_pid: int) -> int:
    """SIGKILL every gunicorn worker (the master respawns them), as a crash mid-request."""
    workers = psutil.Process(master_pid).children()
    for w in workers:
        w.send_signal(signal.SIGKILL)
    return len(workers)


def test_after_crashes_every_answer_is_in_the_exchange_once_and_the_log_verifies(
    server, transactional_db, personas, tmp_path
):
    base, master = server
    who = [personas["fra_submitter"], personas["jpn_submitter"]] * (CLIENTS // 2)
    ctx = multiprocessing.get_context("spawn")
    killed = 0
    with ctx.Pool(CLIENTS) as pool:
        pending = pool.starmap_async(
            crash_client, [(base, p.token, pln(), SECONDS, i) for i, p in enumerate(who)]
        )
        for _ in range(KILLS):
            time.sleep(SECONDS / (KILLS + 1))
            killed += kill_workers(master.pid)
        results = pending.get(timeout=SECONDS + 120)

    tally = Counter()
    answered = []
    for r in results:
        tally.update(r["tally"])
        answered.extend(r["answered"])
    ops = Counter(a["op"] for a in answered)
    print(
        "\ncrash run:",
        json.dumps(
            {"database": connection.vendor, "seconds": SECONDS, "worker_kills": killed, **tally}
            | {f"answered_{k}": v for k, v in ops.items()}
        ),
    )
    assert killed >= KILLS and ops["submit"] > 0
    assert tally["5xx"] == 0 and tally["gave_up"] == 0 and tally["in_progress"] == 0

    # Every 2xx answer is in the exchange once: one notification per answered submission (a
    # retried key never made a second), each with its answered amendments and cancellation.
    submitted = {a["reference"] for a in answered if a["op"] == "submit"}
    assert len(submitted) == ops["submit"]
    stored = {n.reference: n for n in Notification.objects.all()}
    assert set(stored) == submitted
    amended = Counter(a["reference"] for a in answered if a["op"] == "amend")
    for ref, n in stored.items():
        assert n.current_version == 1 + amended[ref], ref
    for a in answered:
        if a["op"] == "cancel":
            assert stored[a["reference"]].stored_status == "cancelled"
    # The feed: gap-free, and its times never go back in seq order.
    events = list(Event.objects.order_by("seq").values_list("seq", "at"))
    assert [s for s, _ in events] == list(range(1, len(events) + 1))
    times = [at for _, at in events]
    assert times == sorted(times)
    assert len(events) == ops["submit"] + ops["amend"] + ops["cancel"]
    # No key is left claimed without its answer.
    assert not IdempotencyRecord.objects.filter(status_code__isnull=True).exists()
    # A state's own verifier, the real command, passes.
    check = subprocess.run(
        [
            sys.executable,
            "-m",
            "hcoc.cli",
            "verify",
            "--url",
            base,
            "--token",
            personas["jpn_reader"].token,
            "--state",
            str(tmp_path / "jpn.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    assert "verified" in check.stdout


def test_a_chunked_body_is_read_whole_not_as_empty(server, transactional_db, personas, api):
    """Issue 10, finding 6: a body sent chunked (no Content-Length) was read as empty. Under
    gunicorn, which decodes the chunks, it is read whole; a server that cannot say where such a
    body ends (Django's development server) gets 411, never a silent empty body."""
    base, _ = server
    body = json.dumps(pln()).encode()

    def chunks():
        yield body[:100]
        yield body[100:]

    headers = {**personas["fra_submitter"].headers, "Content-Type": "application/json"}
    r = httpx.post(base + "/api/v1/notifications", content=chunks(), headers=headers)
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert r.status_code == 201, r.text
    assert Notification.objects.get(reference=r.json()["reference"]).category == "SLV"
    too_big = b"x" * (2 * 1024 * 1024)
    r = httpx.post(base + "/api/v1/notifications", content=iter([too_big]), headers=headers)
    assert r.status_code == 413
    dev = api.post("/notifications", personas["fra_submitter"], content=chunks(), headers=headers)
    assert dev.status_code == 411 and dev.headers["Content-Type"] == "application/problem+json"
    assert Notification.objects.count() == 1
