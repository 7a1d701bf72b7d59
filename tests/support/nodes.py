"""A state's national node (`hcoc node`) as a real process, on its own SQLite database."""

import atexit
import functools
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from hcoc.ledger import client

from . import TLS, answers, free_port
from .bodies import pln


def key_file(directory, key, name: str) -> str:
    """The key as `hcoc keygen` writes it: PKCS#8 PEM, unencrypted."""
    path = directory / f"{name}.pem"
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return str(path)


@dataclass
class Node:
    state: str
    argv: list[str]
    env: dict
    port: int
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> "Node":
        log = os.environ.get("HCOC_SERVE_LOG")
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(log, "ab") if log else subprocess.DEVNULL,  # noqa: SIM115
            start_new_session=True,
        )
        return self

    def start(self, within: float = 180) -> "Node":
        """Started (or, after `spawn`, waited for) until it answers."""
        if self.proc is None or self.proc.poll() is not None:
            self.spawn()
        # `within`: a first start migrates an empty database
        if answers(self.url + "/api/v1/node", within=within, every=0.2, proc=self.proc):
            return self
        self.kill()
        raise RuntimeError(f"the node of {self.state} did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, verify=TLS)

    def seqs(self) -> set[int]:
        return {i["seq"] for i in self.get("/api/v1/feed?limit=1000").json()["items"]}

    def page_acknowledge(self, seq: int) -> httpx.Response:
        """Acknowledge on the item's page, as a user's browser does (its form, CSRF included)."""
        with httpx.Client(base_url=self.url, timeout=10) as browser:
            page = browser.get(f"/items/{seq}")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
            return browser.post(
                f"/items/{seq}/acknowledge",
                data={"csrfmiddlewaretoken": token},
                headers={"Referer": f"{self.url}/items/{seq}"},
            )


@functools.cache
def _node_template() -> Path:
    """A node's SQLite database migrated with the node's settings, once per test process."""
    directory = Path(tempfile.mkdtemp(prefix="hcoc-node-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = directory / "node.sqlite3"
    env = {**os.environ, "HCOC_NODE": "1", "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run(
        [sys.executable, "-m", "hcoc.cli", "migrate", "--verbosity", "0"],
        env=env,
        check=True,
        timeout=300,
    )
    return path


def migrated_node_database(db: str) -> None:
    """Start the node's SQLite database `db` (a sqlite:/// URL, a file not there yet) as a copy
    of one migrated once per test process with the node's settings (`hcoc migrate`, as `hcoc
    node` runs it at its start). Migrating a node's empty database took 2.7 of the 3 CPU-seconds
    of a node's start, paid by every node a test starts; the node still runs its migrate (with
    nothing left to do) and loads its defaults at its start. A node's migrate from an empty
    database is still run by tests/node/test_node_follows.py (`hcoc node import` into the air
    gap's empty database)."""
    target = Path(db.removeprefix("sqlite:///"))
    assert db.startswith("sqlite:///") and not target.exists(), db
    # SQLite's backup: a consistent copy whatever the template's journal holds.
    with (
        closing(sqlite3.connect(_node_template())) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)


def node(
    state: str,
    *,
    upstream: str,
    token: str,
    key: str,
    key_id: str,
    vkey: str,
    db: str,
    **settings: str,
) -> Node:
    port = free_port()
    argv = [sys.executable, "-m", "hcoc.cli", "node", "--upstream", upstream, "--token", token]
    argv += ["--key", key, "--key-id", key_id, "--state", state, "--vkey", vkey]
    argv += ["--db", db, "--port", str(port)]
    migrated_node_database(db)
    env = {**os.environ, "HCOC_NODE_POLL_SECONDS": "0.5", **settings}
    return Node(state=state, argv=argv, env=env, port=port).spawn()


_LAST_CREATED = [0]


def _created() -> int:
    """Now, or a second after the last one given (never twice the same)."""
    _LAST_CREATED[0] = max(int(time.time()), _LAST_CREATED[0] + 1)
    return _LAST_CREATED[0]


def submit(url: str, token: str, key, key_id: str) -> dict:
    body = json.dumps(pln()).encode()
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        # Two PLNs in one second are the same bytes: a signature `created` a second apart each
        # (the exchange takes each signature once).
        **client.sign_request(
            key, key_id, "POST", "/api/v1/notifications", body, created=_created()
        ),
    }
    r = httpx.post(
        url + "/api/v1/notifications", content=body, headers=headers, timeout=30, verify=TLS
    )
    assert r.status_code == 201, r.text
    return r.json()


def until(check, within: float, what: str):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {within:g} s")
