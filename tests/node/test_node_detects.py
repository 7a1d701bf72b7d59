"""A relay that lies is caught (issue 26, part 2): the exchange's operator rewrites one event and
deletes one log entry in its database, and serves Japan's node (through a relay in front of it)
a checkpoint of its own making, signed with the log's key. Each node reports, in words, what it
was shown, naming the entry; France's node, shown the true log, does not report Japan's fork."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from support import TLS
from support.ledger import state_key
from support.nodes import key_file, node, submit, until
from support.serve import serve

from hcoc.exchange.models import Event
from hcoc.ledger.keys import log_signer
from hcoc.ledger.models import LogEntry
from hcoc.ledger.tlog import note

pytestmark = [pytest.mark.process, pytest.mark.slow, pytest.mark.timeout(600)]


class Relay(ThreadingHTTPServer):
    """What stands between Japan's node and the exchange: passes everything on, except that
    when `forged` is set it answers the latest checkpoint with it (and has no stream: the node
    falls back to reading the log every HCOC_NODE_POLL_SECONDS). It answers one request at a
    time, under `gate`: the test holds the gate to change the log and the forgery together."""

    daemon_threads = True
    forged: str | None = None
    upstream: str = ""

    def __init__(self, *args):
        super().__init__(*args)
        self.gate = threading.Lock()


class Pass(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _pass(self, method: str) -> None:
        relay: Relay = self.server
        if self.path.startswith("/api/v1/feed/stream"):
            return self._answer(404, b"{}", "application/json")
        with relay.gate:
            self._forward(method, relay)

    def _forward(self, method: str, relay: Relay) -> None:
        if (
            relay.forged
            and self.path.startswith("/api/v1/log/checkpoint")
            and "s?" not in self.path
        ):
            return self._answer(200, relay.forged.encode(), "text/plain; charset=utf-8")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
        }
        r = httpx.request(
            method,
            relay.upstream + self.path,
            content=body,
            headers=headers,
            timeout=30,
            verify=TLS,
        )
        self._answer(r.status_code, r.content, r.headers.get("content-type", "application/json"))

    def do_GET(self):
        self._pass("GET")

    def do_POST(self):
        self._pass("POST")


def findings(n) -> list[str]:
    return [f["text"] for f in n.get("/api/v1/node").json()["findings"]]


def test_each_node_names_the_entry_the_relay_rewrote_deleted_or_forked(
    transactional_db, personas, tmp_path
):
    keys = {"FRA": state_key("FRA", "FRA-sys-1"), "JPN": state_key("JPN", "JPN-sys-1")}
    tokens = {s: personas[f"{s.lower()}_submitter"].token for s in keys}
    vkey = log_signer().vkey()
    upstream = serve()
    relay = Relay(("127.0.0.1", 0), Pass)
    relay.upstream = upstream.url
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    nodes = {}
    try:
        for state in keys:
            via = upstream.url if state == "FRA" else f"http://127.0.0.1:{relay.server_port}"
            nodes[state] = node(
                state,
                upstream=via,
                token=tokens[state],
                key=key_file(tmp_path, keys[state], state),
                key_id=f"{state}-sys-1",
                vkey=vkey,
                db=f"sqlite:///{tmp_path / state}.sqlite3",
                HCOC_NODE_AUDIT_SECONDS="1",
                HCOC_NODE_ADMINS="security@ministry.example",
            )
        for n in nodes.values():
            n.start()
        plns = [submit(upstream.url, tokens["FRA"], keys["FRA"], "FRA-sys-1") for _ in range(3)]
        for n in nodes.values():
            until(lambda n=n: {p["seq"] for p in plns} <= n.seqs(), 20, f"the PLNs on {n.state}")
        assert all(findings(n) == [] for n in nodes.values())

        # The operator rewrites the first PLN's event and deletes the second's log entry.
        rewritten, deleted = plns[0], plns[1]
        item = json.loads(Event.objects.get(seq=rewritten["seq"]).item)
        item["payload"]["category"] = "OTHER"
        Event.objects.filter(seq=rewritten["seq"]).update(item=json.dumps(item))
        gone = LogEntry.objects.get(seq=deleted["seq"])
        LogEntry.objects.filter(index=gone.index).delete()
        for n in nodes.values():
            until(
                lambda n=n: any(
                    f"Item {rewritten['seq']} (" in f and "was rewritten" in f for f in findings(n)
                ),
                20,
                f"{n.state}'s node reports the rewritten item",
            )
            until(
                lambda n=n: any(
                    f"Entry {gone.index} (" in f and "no longer served" in f for f in findings(n)
                ),
                20,
                f"{n.state}'s node reports the deleted entry",
            )
            [text] = [f for f in findings(n) if f"Item {rewritten['seq']} (" in f]
            assert rewritten["reference"] in text and "France" in text

        # Japan is shown a tree of its own: a checkpoint the log's key signed over another root.
        # Under the relay's gate, so that Japan's node never reads the true tree of that size.
        with relay.gate:
            later = submit(upstream.url, tokens["FRA"], keys["FRA"], "FRA-sys-1")
            size = LogEntry.objects.count() + 1  # one entry is gone from the table, not the tree
            body = note.Checkpoint(log_signer().name, size, os.urandom(32)).body()
            relay.forged = log_signer().sign(body)
        until(lambda: later["seq"] in nodes["FRA"].seqs(), 20, "France's node goes on")
        until(
            lambda: any(f"of size {size}" in f for f in findings(nodes["JPN"])),
            20,
            "Japan's node reports the forged checkpoint",
        )
        [fork] = [f for f in findings(nodes["JPN"]) if f"of size {size}" in f]
        # Named: the entry after the tree Japan's node verified, the one the forgery hides.
        assert f"entry {size - 1}" in fork or f"to {size - 1} belong" in fork, fork
        assert later["seq"] not in nodes["JPN"].seqs()  # what does not verify is not stored
        assert not any(f"of size {size}" in f for f in findings(nodes["FRA"]))
        page = nodes["JPN"].get("/log/").text
        assert f"of size {size}" in page and "was rewritten" in page
    finally:
        for n in nodes.values():
            n.kill()
        relay.shutdown()
        upstream.kill()
