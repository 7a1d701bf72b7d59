"""`hcoc backup` while a real `hcoc serve` takes submissions, `hcoc restore` into a fresh database,
and the restored exchange verifies (`hcoc verify`) and holds everything answered before the backup
began. Runs on SQLite and PostgreSQL: the database under test is the suite's own; the restore goes
into a new file or a new PostgreSQL database of this test's own, dropped at the end."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from io import StringIO

import httpx
import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from support import ON_POSTGRES, answers, free_port
from support.bodies import pln
from support.serve import database_url

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

HCOC = [sys.executable, "-m", "hcoc.cli"]
CLIENTS = 3


def hcoc(*args, database: str, timeout: int = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database}
    return subprocess.run(
        [*HCOC, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


class Server:
    """`hcoc serve` (gunicorn) on a database of the test's choosing; without rate
    limits, so that the clients' pace is the machine's, not the limit's."""

    def __init__(self, database: str, workers: int = 2):
        self.url = f"http://127.0.0.1:{free_port()}"
        no_limits = {"HCOC_RATE_LIMIT_API": "0", "HCOC_RATE_LIMIT_API_ADDRESS": "0"}
        self.process = subprocess.Popen(
            [*HCOC, "serve", "--port", self.url.rsplit(":", 1)[1], "--workers", str(workers)],
            env={**os.environ, "DATABASE_URL": database, **no_limits},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # 60 s: a loaded machine starts gunicorn slowly
        if answers(self.url + "/api/v1/states/FRA", within=60, proc=self.process):
            return
        self.stop()
        pytest.fail(f"hcoc serve did not start on {database}")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)


def submit_until(url: str, token: str, stop: threading.Event, out: list) -> None:
    """Submit PLNs one after another until told to stop; note when each was sent and answered."""
    with httpx.Client(base_url=url + "/api/v1", timeout=30) as client:
        while not stop.is_set():
            sent = time.monotonic()
            try:
                r = client.post(
                    "/notifications", json=pln(), headers={"Authorization": f"Bearer {token}"}
                )
            except httpx.HTTPError as e:  # recorded, so that the test reports it
                out.append((sent, time.monotonic(), 0, repr(e)))
            else:
                ref = r.json()["reference"] if r.status_code == 201 else r.text[:300]
                out.append((sent, time.monotonic(), r.status_code, ref))
            time.sleep(0.05)  # a steady stream, not a load test


@pytest.fixture
def restore_target(tmp_path):
    """A database that does not exist yet: a new SQLite file, or a new PostgreSQL database."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    db = connection.settings_dict
    name = f"h_backup_{os.getpid()}_restore"
    yield database_url(name)
    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "dbname": "postgres"}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.process
def test_a_backup_taken_while_states_submit_restores_into_an_exchange_that_verifies_and_holds_every_earlier_submission(
    transactional_db, personas, restore_target, tmp_path
):
    # transactional_db: `hcoc serve` and `hcoc backup` run in processes of their own and must see
    # the personas, committed.
    source = database_url()
    submitters = [personas["fra_submitter"], personas["jpn_submitter"]]
    backup_file = tmp_path / "exchange.backup"

    server = Server(source)
    stop, answers = threading.Event(), [[] for _ in range(CLIENTS)]
    clients = [
        threading.Thread(
            target=submit_until,
            args=(server.url, submitters[i % 2].token, stop, answers[i]),
        )
        for i in range(CLIENTS)
    ]
    try:
        for c in clients:
            c.start()
        deadline = time.monotonic() + 15
        while sum(len(a) for a in answers) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        began = time.monotonic()
        backup = hcoc("backup", str(backup_file), database=source)
        ended = time.monotonic()
        time.sleep(0.3)  # and a few more after it
    finally:
        stop.set()
        for c in clients:
            c.join(timeout=30)
        server.stop()
    assert backup.returncode == 0, backup.stderr
    assert "not in the backup: the log's signing key" in backup.stdout
    log_size = int(re.search(r"transparency log size (\d+)", backup.stdout).group(1))

    done = [a for batch in answers for a in batch]
    assert [a for a in done if a[2] != 201] == []
    before = [ref for _, answered, _, ref in done if answered < began]
    during = [ref for sent, answered, _, ref in done if sent < ended and answered > began]
    after = [ref for sent, _, _, ref in done if sent > ended]
    assert len(before) >= 10 and during, "the exchange was not taking submissions meanwhile"

    # A fresh database takes it without --force; one that holds a database refuses without it.
    restored = hcoc("restore", str(backup_file), "--into", restore_target, database=source)
    assert restored.returncode == 0, restored.stderr
    assert f"transparency log size {log_size}," in restored.stdout
    with pytest.raises(CommandError, match="already holds .* give --force to overwrite it"):
        call_command("restore", str(backup_file), "--into", restore_target)
    call_command(
        "restore", str(backup_file), "--into", restore_target, "--force", stdout=StringIO()
    )

    server = Server(restore_target, workers=1)
    try:
        token = personas["jpn_reader"].token
        verify = hcoc("verify", "--url", server.url, "--token", token, database=restore_target)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert f"verified: {log_size} entries" in verify.stdout
        fra = {"Authorization": f"Bearer {personas['fra_reader'].token}"}
        with httpx.Client(base_url=server.url + "/api/v1", headers=fra, timeout=30) as client:
            missing = [r for r in before if client.get(f"/notifications/{r}").status_code != 200]
            assert missing == [], f"answered before the backup began, not restored: {missing}"
            later = [r for r in after if client.get(f"/notifications/{r}").status_code != 404]
            assert later == [], f"sent after the backup ended, yet restored: {later}"
    finally:
        server.stop()


def test_restore_refuses_a_file_of_the_other_engine_or_of_neither(tmp_path):
    sqlite_file = tmp_path / "sqlite.backup"
    with sqlite3.connect(sqlite_file) as db:
        db.execute("CREATE TABLE t (x)")
    db.close()
    pg_file = tmp_path / "pg.backup"
    pg_file.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
    other = tmp_path / "notes.txt"
    other.write_text("not a backup")
    target = tmp_path / "target.sqlite3"

    with pytest.raises(CommandError, match="is a SQLite backup, but .* is a PostgreSQL database"):
        call_command(
            "restore", str(sqlite_file), "--into", "postgres://nobody@127.0.0.1:1/h_backup_never"
        )
    with pytest.raises(CommandError, match="is a PostgreSQL backup, but .* is a SQLite database"):
        call_command("restore", str(pg_file), "--into", f"sqlite:///{target}")
    with pytest.raises(CommandError, match="neither a SQLite database nor a pg_dump archive"):
        call_command("restore", str(other), "--into", f"sqlite:///{target}")
    with pytest.raises(CommandError, match="a SQLite database, but not one of an HCoC exchange"):
        call_command("restore", str(sqlite_file), "--into", f"sqlite:///{target}")
    assert not target.exists()


def test_restore_refuses_to_overwrite_a_database_and_backup_a_file_without_force(tmp_path):
    backup_file = tmp_path / "sqlite.backup"
    with sqlite3.connect(backup_file) as db:
        db.execute("CREATE TABLE ledger_loghead (id, size)")
        db.execute("CREATE TABLE exchange_event (seq)")
    db.close()
    target = tmp_path / "live.sqlite3"
    with sqlite3.connect(target) as db:
        db.execute("CREATE TABLE kept (x)")
    db.close()
    with pytest.raises(CommandError, match="already holds a database: give --force"):
        call_command("restore", str(backup_file), "--into", f"sqlite:///{target}")
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("kept",)]
    db.close()

    with pytest.raises(CommandError, match="exists: give --force to replace it"):
        call_command("backup", str(backup_file))
