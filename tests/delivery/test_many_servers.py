"""Many servers on one PostgreSQL (issue 24): every write announces itself with a NOTIFY carrying
only its seq (hcoc.exchange.news), and every server's streams wake on it, whichever server took
the write. Two real `hcoc serve` share the suite's PostgreSQL database: streams read from one
while four clients write to the other, whose server is killed mid-run and started again. Every
answered write is in the feed once, every stream has every item once and in order, and `hcoc
verify` passes against both servers.

On SQLite there is one machine and no NOTIFY: these tests skip there (the PostgreSQL leg of the
suite, `.ci/run`, runs them)."""

import json
import subprocess
import sys
import threading
import time

import httpx
import psycopg
import pytest
from django.db import connection, transaction
from django.db.models import Max
from support import ON_POSTGRES
from support.bodies import pln
from support.serve import events, serve

from hcoc.accounts.models import User
from hcoc.exchange.models import Event
from hcoc.exchange.news import CHANNEL
from hcoc.ledger.keys import log_signer
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRES, reason="about servers sharing one PostgreSQL (LISTEN/NOTIFY)"
    ),
    pytest.mark.timeout(300),
]

STREAM = "/api/v1/feed/stream"
WRITERS, EACH = 4, 10


def listening():
    s = connection.settings_dict
    conn = psycopg.connect(
        dbname=s["NAME"],
        host=s.get("HOST") or "127.0.0.1",
        user=s.get("USER") or "postgres",
        port=s.get("PORT") or 5432,
        autocommit=True,
    )
    conn.execute(f"LISTEN {CHANNEL}")
    return conn


def test_a_write_announces_its_seq_on_commit_and_nothing_when_rolled_back(
    transactional_db, personas
):
    fra = User.objects.get(username="fra_submitter")
    with listening() as ear:
        n = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
        seq = n.versions.get().seq
        heard = [m.payload for m in ear.notifies(timeout=5, stop_after=1)]
        assert heard == [str(seq)]

        class Undone(Exception):
            pass

        with pytest.raises(Undone), transaction.atomic():
            notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
            raise Undone
        assert Event.objects.filter(seq__gt=seq).count() == 0
        assert list(ear.notifies(timeout=1)) == []


@pytest.mark.process
def test_two_servers_on_one_database_streams_on_one_writes_on_the_other_killed_mid_run(
    transactional_db, personas
):
    # No fallback poll within the test's time: a stream that gets an item written through the
    # other server got it because the write's NOTIFY woke its server.
    quiet = {"HCOC_STREAM_QUIET_SECONDS": "3600", "HCOC_STREAM_HEARTBEAT_SECONDS": "1"}
    reader_server, writer_server = serve(**quiet), serve(**quiet)
    start = Event.objects.aggregate(m=Max("seq"))["m"] or 0
    readers = [personas["jpn_reader"], personas["icc"]]
    fra = personas["fra_submitter"]
    received: dict[str, list] = {p.name: [] for p in readers}
    opened = threading.Barrier(len(readers) + 1, timeout=60)
    want: list[int] = []  # set once every write is answered: how many items each stream needs

    def stream(persona) -> None:
        with httpx.stream(
            "GET",
            reader_server.url + STREAM,
            headers={**persona.headers, "Last-Event-ID": str(start)},
            timeout=httpx.Timeout(20.0),
        ) as r:
            assert r.status_code == 200
            opened.wait()
            deadline = time.monotonic() + 180
            # Until it has as many items as the feed (known once every write is answered); the
            # heartbeats (every second) let it look even when no item comes.
            for event in events(r):
                if event.data:
                    received[persona.name].append(event)
                if want and len(received[persona.name]) >= want[0]:
                    return
                assert time.monotonic() < deadline, (
                    f"{persona.name}: {len(received[persona.name])} items"
                )

    answered: dict[str, dict] = {}  # Idempotency-Key -> the answer
    tries: dict[str, int] = {}

    def write(w: int) -> None:
        with httpx.Client(base_url=writer_server.url + "/api/v1", timeout=30) as http:
            for i in range(EACH):
                key = f"two-servers-{w}-{i}"
                body = pln(remarks=f"Written by client {w}, number {i}.")
                for attempt in range(600):
                    tries[key] = attempt + 1
                    try:
                        r = http.post(
                            "/notifications",
                            json=body,
                            headers={**fra.headers, "Idempotency-Key": key},
                        )
                    except httpx.TransportError:  # the server is down: the same request again
                        time.sleep(0.1)
                        continue
                    if r.status_code >= 500:  # a worker dying under the kill
                        time.sleep(0.1)
                        continue
                    assert r.status_code == 201, r.text
                    answered[key] = r.json()
                    break

    streams = [threading.Thread(target=stream, args=(p,)) for p in readers]
    writers = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    failures: list[BaseException] = []

    def guarded(thread: threading.Thread) -> threading.Thread:
        target = thread._target  # type: ignore[attr-defined]

        def run(*args):
            try:
                target(*args)
            except BaseException as e:  # noqa: BLE001  (reported by the test below)
                failures.append(e)
                if not want:
                    want.append(0)

        thread._target = run  # type: ignore[attr-defined]
        return thread

    try:
        for t in streams:
            guarded(t).start()
        opened.wait()
        for t in writers:
            guarded(t).start()
        for _ in range(6000):  # a quarter of the writes answered: kill the writers' server
            if len(answered) >= WRITERS * EACH // 4 or failures:
                break
            time.sleep(0.01)
        # SIGKILL, master and workers, with writes in flight: a crash. The clients' writes fail
        # or go unanswered; they send each again, with its key, until the server is back.
        writer_server.kill()
        time.sleep(1)
        writer_server.start()
        for t in writers:
            t.join(120)
        assert not failures, failures
        assert len(answered) == WRITERS * EACH, sorted(answered)
        # The feed, from both servers: the same, and every answered write in it once.
        feeds = [
            httpx.get(
                s.url + "/api/v1/feed",
                params={"after": start, "limit": 1000},
                headers=personas["icc"].headers,
            ).json()["items"]
            for s in (reader_server, writer_server)
        ]
        assert feeds[0] == feeds[1]
        feed = feeds[0]
        seqs = [i["seq"] for i in feed]
        assert seqs == list(range(start + 1, start + 1 + WRITERS * EACH))
        assert sorted(a["seq"] for a in answered.values()) == seqs  # each once, none extra
        want.append(len(feed))
        for t in streams:
            t.join(90)
        assert not failures, failures
        for persona in readers:
            got = [json.loads(e.text) for e in received[persona.name]]
            assert [e.id for e in received[persona.name]] == [str(s) for s in seqs], persona.name
            assert got == feed, persona.name  # each item exactly as /feed serves it
        assert max(tries.values()) > 1  # the kill did interrupt writes: some were sent again
        # The transparency log, verified against each server with the key pinned.
        vkey = log_signer().vkey()
        for s in (reader_server, writer_server):
            done = subprocess.run(
                [sys.executable, "-m", "hcoc.cli", "verify", "--url", s.url]
                + ["--token", personas["icc"].token, "--vkey", vkey],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stdout + done.stderr
            assert "verified:" in done.stdout
    finally:
        if not want:
            want.append(0)
        reader_server.kill()
        writer_server.kill()
