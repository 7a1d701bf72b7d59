"""The node's side of the wire: following the exchange, verifying what it serves with the offline
verifier (exactly as `hcoc verify` does), forwarding queued acknowledgements and cosigning what it
verified. Nothing here trusts the relay: what does not verify is not stored but reported."""

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections
from django.db.models import Max

from hcoc.ledger import client, verifier
from hcoc.ledger.tlog import note

from . import audit, services
from .models import Checkpoint, Item, QueuedAcknowledgement

log = logging.getLogger("hcoc.node")

# What a failed contact is: the exchange (or the link to it) is down, not the relay lying.
UNREACHABLE = (OSError, urllib.error.URLError, TimeoutError, ConnectionError)


@dataclass(frozen=True)
class Upstream:
    url: str
    token: str
    key_file: str | None = None
    key_id: str | None = None
    vkey: str | None = None  # the log's key, pinned (from the ICC, out of band)

    @property
    def api(self) -> str:
        return self.url.rstrip("/") + "/api/v1"

    def request(self, method: str, path: str, body: bytes = b"", **headers) -> tuple[int, str]:
        """(status, text) of one call; 4xx/5xx come back, unreachable raises."""
        headers = {"Authorization": f"Bearer {self.token}", **headers}
        if body:
            headers["Content-Type"] = "application/json"
        if method == "POST" and self.key_file:
            key = client.private_key_load(self.key_file)
            headers.update(client.sign_request(key, self.key_id, method, "/api/v1" + path, body))
        request = urllib.request.Request(  # noqa: S310 (the upstream the operator named: http/https)
            self.api + path, data=body or None, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")


class RecordingSource:
    """The exchange's API as the verifier reads it, keeping what passes through so that what
    the verifier accepted can be stored. The feed is read only up to the last entry's seq: an
    item committed while the run reads has no entry below the checkpoint yet (it is not a
    withheld entry, only a later one), and the next run takes it."""

    def __init__(self, inner):
        self.inner = inner
        self.keys_doc: dict = {}
        self.notes: list[str] = []
        self.entries_read: list[dict] = []
        self.items: list[tuple] = []  # services.item_row of each
        self.last_entry_seq = 0
        self.entries_done = False
        # A bundle serves counted stubs for the entries below the saved state; the API does not.
        self.stubs_below_start = getattr(inner, "stubs_below_start", False)

    def keys(self) -> dict:
        self.keys_doc = self.inner.keys()
        return self.keys_doc

    def checkpoints(self, after_size: int = 0):
        for text in self.inner.checkpoints(after_size):
            self.notes.append(text)
            yield text

    def latest_checkpoint(self):
        text = self.inner.latest_checkpoint()
        if text:  # a bundle has none apart from its checkpoints
            self.notes.append(text)
        return text

    def entries(self, size: int, start: int = 0):
        for entry in self.inner.entries(size, start):
            self.entries_read.append(entry)
            if entry.get("seq"):
                self.last_entry_seq = max(self.last_entry_seq, entry["seq"])
            yield entry
        self.entries_done = True

    def feed(self, after: int = 0):
        for item in self.inner.feed(after):
            if self.entries_done and (item.get("seq") or 0) > self.last_entry_seq:
                return
            if isinstance(item, dict):  # anything else the verifier reports; nothing is stored
                self.items.append(services.item_row(item))
            yield item

    def consistency(self, old: int, new: int):
        return self.inner.consistency(old, new)


def checkpoint_sizes(notes: list[str], vkey: str) -> list[tuple[int, str]]:
    """(size, note) of each checkpoint the log's key verifies (the verifier checked them)."""
    log_key = note.Verifier.from_vkey(vkey)
    out = {}
    for text in notes:
        try:
            body, _ = note.note_open(text, [log_key])
        except note.NoteError:
            continue
        out.setdefault(note.checkpoint_parse(body).size, text)
    return sorted(out.items())


def sync(up: Upstream) -> int:
    """One verification run from the saved state: store what verifies, report what does not.
    Returns the items stored. Raises UNREACHABLE when the exchange does not answer."""
    current = services.status()
    saved = json.loads(current.resume) if current.resume else None
    resume = verifier.Resume.from_json(saved) if saved else None
    source = RecordingSource(verifier.HttpSource(up.url, up.token, timeout=30))
    report = verifier.verify(source, vkey=up.vkey or current.vkey or None, resume=resume, jobs=1)
    if not report.ok:
        services.contact_ok()  # it answered: what it said is the problem, not the link
        for problem in report.problems:
            services.finding_record(audit.in_words(problem, resume.size if resume else 0))
        return 0
    return services.verified_store(
        keys=source.keys_doc,
        vkey=report.vkey,
        resume=report.resume.to_json(),
        entries=source.entries_read,
        items=source.items,
        notes=checkpoint_sizes(source.notes, report.vkey),
    )


def acknowledgements_forward(up: Upstream) -> int:
    """Send each queued acknowledgement, oldest first, under its own Idempotency-Key: a retry
    after a lost answer gets the first answer again, so each arrives once. Signed when sent
    (the exchange takes a signature only minutes old), with the state's key."""
    sent = 0
    for ack in QueuedAcknowledgement.objects.filter(sent_at=None).order_by("id"):
        body = json.dumps({"seqs": ack.seqs}).encode()
        code, text = up.request(
            "POST", "/acknowledgements", body, **{"Idempotency-Key": ack.idempotency_key}
        )
        if code >= 500 or code == 429:
            break  # the exchange is struggling: try again later, same key
        services.acknowledgement_forwarded(ack, answer=text, refused=code >= 400)
        sent += 1
    return sent


def cosign(up: Upstream) -> None:
    """Cosign the largest checkpoint this node verified, once (C2SP tlog-cosignature), and post
    it: the exchange shows every state who vouched for which tree."""
    if not (up.key_file and up.key_id):
        return
    latest = Checkpoint.objects.order_by("-size").first()
    if latest is None or latest.cosigned_at is not None:
        return
    body, _ = note.note_parse(latest.note)
    key = client.private_key_load(up.key_file)
    line = note.CosignatureSigner(up.key_id, key).cosign(body, int(time.time()))
    payload = json.dumps({"checkpoint": body, "cosignature": line}).encode()
    code, text = up.request("POST", "/log/cosignatures", payload)
    if code < 300:
        services.checkpoint_cosigned(latest.size)
    elif code == 409:  # the log's own checkpoint of that size has another root: a split view
        services.finding_record(
            f"Split view: this node verified a tree of {latest.size} entries that the exchange "
            f"now says has another root ({text[:300]})."
        )
    else:
        log.warning("cosignature refused: %s %s", code, text[:300])


class Follower:
    """Threads beside the node's web server: one holds the exchange's stream open and wakes the
    other, which verifies, stores, forwards and cosigns; without a stream it runs every
    NODE_POLL_SECONDS anyway (the feed from the saved cursor)."""

    def __init__(self, up: Upstream):
        self.up = up
        self.wake = threading.Event()
        self.stop = threading.Event()
        # The first comparison of the whole copy comes NODE_AUDIT_SECONDS after the start, not
        # in the first round: a node starting up catches up first.
        self.last_audit = time.monotonic()

    def start(self) -> None:
        for target in (self._stream, self._work):
            threading.Thread(target=target, daemon=True, name=f"node-{target.__name__}").start()

    def round(self) -> None:
        try:
            stored = sync(self.up)
            if stored:
                log.info("stored %s verified item(s)", stored)
            acknowledgements_forward(self.up)
            if self.wake.is_set():
                return  # more is waiting upstream: read it first, cosign and audit after
            cosign(self.up)
            if time.monotonic() - self.last_audit >= settings.NODE_AUDIT_SECONDS:
                self.last_audit = time.monotonic()
                audit.run(self.up)
        except UNREACHABLE as e:
            services.contact_failed(f"{type(e).__name__}: {e}")

    def _work(self) -> None:
        while not self.stop.is_set():
            self.wake.wait(settings.NODE_POLL_SECONDS)
            self.wake.clear()
            close_old_connections()
            try:
                self.round()
            except Exception:  # one bad round must not stop the node; the log says why
                log.exception("node round failed")

    def _stream(self) -> None:
        """Any item on the stream wakes the worker (which reads and verifies it from the log:
        the stream is a doorbell, never a source). Reconnects with Last-Event-ID."""
        last = ""
        while not self.stop.is_set():
            if not last:  # from what the node holds, not from the start of the feed
                close_old_connections()
                last = str(Item.objects.aggregate(m=Max("seq"))["m"] or 0)
            headers = {"Authorization": f"Bearer {self.up.token}", "Accept": "text/event-stream"}
            if last:
                headers["Last-Event-ID"] = last
            request = urllib.request.Request(self.up.api + "/feed/stream", headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    for raw in response:
                        line = raw.decode(errors="replace").rstrip("\r\n")
                        if line.startswith("id:"):
                            last = line[3:].strip()
                        elif line.startswith("data:"):
                            self.wake.set()
            except (*UNREACHABLE, ValueError):
                # No stream (the exchange is down, or a proxy has none): the worker reads the
                # log every NODE_POLL_SECONDS anyway. No wake-up here: a failing stream must not
                # keep the worker from cosigning and auditing (it defers both while woken).
                self.stop.wait(1.0)
