"""The offline verifier: everything a state needs to check the exchange on its own (no Django).

It takes every log entry and checkpoint (from the exchange's API, or from a bundle written by
`hcoc export-bundle`), rebuilds the Merkle tree, and checks:
- the log's signature on every checkpoint (against a pinned key), and the witnesses' cosignatures;
- that entries are numbered 0, 1, 2, ... with no gap, each leaf naming its own index, and each
  leaf hash matching its bytes;
- that the rebuilt tree has, at every checkpoint's size, that checkpoint's root;
- that two checkpoints of the same size never have different roots (a split view);
- every signature in a leaf, against the state keys the log itself recorded before that leaf
  and valid at its time;
- the exchange sequence: event leaves carry seq 1, 2, 3, ... in order, and times never go back;
- that every item of the feed equals its leaf;
- consistency with a checkpoint saved from an earlier run (nothing rewritten, nothing truncated).
On failure it says which entry and why. `hcoc verify` is the command; `verify()` the library.
"""

import base64
import gzip
import hashlib
import json
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .client import canonical_bytes, custodial_message, signing_input
from .tlog import merkle, note

BUNDLE_FORMAT = "hcoc-log-bundle/1"
PAGE = 1000


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


@dataclass
class KeyRecord:
    key_id: str
    state: str
    kind: str
    public_key: bytes
    valid_from: datetime
    revoked_at: datetime | None = None

    @classmethod
    def from_model(cls, key) -> "KeyRecord":
        return cls(
            key.key_id,
            key.state_id,
            key.kind,
            bytes(key.public_key),
            key.valid_from,
            key.revoked_at,
        )

    @classmethod
    def from_leaf(cls, data: dict) -> "KeyRecord":
        return cls(
            data["key_id"],
            data["state"],
            data["kind"],
            _b64(data["public_key"]),
            _time(data["valid_from"]),
        )

    def valid_at(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.revoked_at is None or at < self.revoked_at)


def leaf_signature_problem(leaf: dict, key: KeyRecord) -> str | None:
    """Why the leaf's signature is not good (None when it is)."""
    sig = leaf["signature"]
    at = _time(leaf["at"])
    if sig.get("kind") != key.kind:
        return f"signed as {sig.get('kind')} with {key.kind} key {key.key_id}"
    actor_state = (leaf.get("actor") or {}).get("state")
    if key.state != actor_state:
        return f"key {key.key_id} belongs to {key.state}, the leaf was written by {actor_state}"
    if not key.valid_at(at):
        return f"key {key.key_id} was not valid at {leaf['at']}"
    if key.kind == "state":
        request = leaf.get("request") or {}
        if "body" in request:
            digest = hashlib.sha256(canonical_bytes(request["body"])).hexdigest()
        else:
            digest = request.get("body_sha256", "")
        message = signing_input(
            request.get("method", ""), request.get("path", ""), sig.get("created", 0), digest
        )
    else:
        message = custodial_message(leaf)
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(_b64(sig["sig"]), message)
    except (InvalidSignature, ValueError):
        return f"the {key.kind} signature by {key.key_id} does not verify"
    return None


# ---- sources --------------------------------------------------------------------------------


class HttpSource:
    """Reads the log from the exchange's API (GET /api/v1/log/... with a subscriber's token)."""

    def __init__(self, url: str, token: str, timeout: float = 60):
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) address: {url}")
        self.base = url.rstrip("/") + "/api/v1"
        self.token = token
        self.timeout = timeout

    def get(self, path: str, **params) -> bytes:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        request = urllib.request.Request(  # noqa: S310 (http/https only, checked above)
            self.base + path + query, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return response.read()

    def json(self, path: str, **params):
        return json.loads(self.get(path, **params))

    def keys(self) -> dict:
        return self.json("/log/keys")

    def checkpoints(self) -> Iterator[str]:
        after = 0
        while True:
            page = self.json("/log/checkpoints", after_size=after, limit=PAGE)
            for cp in page["checkpoints"]:
                yield cp["note"]
                after = cp["size"]
            if not page["more"]:
                return

    def latest_checkpoint(self) -> str:
        return self.get("/log/checkpoint").decode()

    def entries(self, size: int) -> Iterator[dict]:
        start = 0
        while start < size:
            batch = self.json("/log/entries", start=start, end=min(size, start + PAGE) - 1)
            if not batch["entries"]:
                return
            yield from batch["entries"]
            start = batch["entries"][-1]["index"] + 1

    def feed(self) -> Iterator[dict]:
        after = 0
        while True:
            page = self.json("/feed", after=after, limit=PAGE)
            yield from page["items"]
            after = page["last_seq"]
            if not page["more"]:
                return

    def consistency(self, old: int, new: int) -> list[bytes]:
        data = self.json("/log/proof/consistency", **{"from": old, "to": new})
        return [_b64(h) for h in data["hashes"]]


class BundleSource:
    """Reads a bundle written by `hcoc export-bundle` (JSON lines, gzip when named .gz)."""

    def __init__(self, path: str):
        self.path = path
        with self._open() as f:
            header = json.loads(f.readline())
        if header.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"{path} is not an {BUNDLE_FORMAT} bundle")
        self.header = header

    def _open(self):
        if str(self.path).endswith(".gz"):
            return gzip.open(self.path, "rt", encoding="utf-8")
        return open(self.path, encoding="utf-8")  # noqa: SIM115

    def _records(self, kind: str) -> Iterator:
        with self._open() as f:
            f.readline()
            for line in f:
                record = json.loads(line)
                if kind in record:
                    yield record[kind]

    def keys(self) -> dict:
        return {k: self.header[k] for k in ("origin", "vkey", "keys")}

    def checkpoints(self) -> Iterator[str]:
        return self._records("checkpoint")

    def latest_checkpoint(self) -> str | None:
        return None  # the bundle's checkpoints include the latest at export time

    def entries(self, size: int) -> Iterator[dict]:
        return self._records("entry")

    def feed(self) -> Iterator[dict]:
        return self._records("feed")

    def consistency(self, old: int, new: int) -> None:
        return None


# ---- the verification -----------------------------------------------------------------------


@dataclass
class Report:
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    size: int = 0
    root: bytes = b""
    latest_checkpoint: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < 1000:
            self.problems.append(text)


def _open_checkpoint(text: str, log: note.Verifier, witnesses: dict, report: Report):
    """The checkpoint, or None (a problem is reported) if the log's signature fails."""
    try:
        body, signatures = note.note_open(text, [log])
        cp = note.checkpoint_parse(body)
    except note.NoteError as e:
        report.problem(f"checkpoint {text.splitlines()[1:2]}: {e}")
        return None, []
    cosigners = []
    for s in signatures:
        if s.verified or s.name == log.name:
            continue
        witness = witnesses.get(s.name)
        if witness is None:
            report.problem(f"checkpoint of size {cp.size}: cosignature by unknown key {s.name}")
            continue
        try:
            witness.verify(body, s.line())
            cosigners.append(s.name)
        except note.NoteError as e:
            report.problem(f"checkpoint of size {cp.size}: cosignature by {s.name}: {e}")
    return cp, cosigners


def verify(
    source,
    *,
    vkey: str | None = None,
    trusted: str | None = None,
    feed: Iterable[dict] | None = None,
) -> Report:
    """Check everything the source serves. `vkey` pins the log's key (else the source's is
    taken, and the report says so); `trusted` is a checkpoint saved from an earlier run."""
    report = Report()
    keys_doc = source.keys()
    served_vkey = keys_doc["vkey"]
    if vkey is not None and vkey != served_vkey:
        report.problem(f"the log's key is {served_vkey}, not the pinned {vkey}")
    log = note.Verifier.from_vkey(vkey or served_vkey)
    report.checked.append(
        f"log key {log.name} ({'pinned' if vkey else 'as served: pin it with --vkey'})"
    )
    witnesses = {
        k["key_id"]: note.CosignatureVerifier.from_vkey(k["cosignature_vkey"])
        for k in keys_doc["keys"]
        if k.get("cosignature_vkey")
    }

    # Checkpoints: signatures, cosignatures, split views.
    by_size: dict[int, tuple[bytes, str]] = {}
    cosigned: dict[str, int] = {}
    notes = list(source.checkpoints())
    latest = source.latest_checkpoint()
    if latest:
        notes.append(latest)
    trusted_cp = None
    if trusted:
        notes.append(trusted)
    for text in notes:
        cp, cosigners = _open_checkpoint(text, log, witnesses, report)
        if cp is None:
            continue
        if cp.origin != log.name:
            report.problem(f"checkpoint of size {cp.size} is for origin {cp.origin}")
        if text is trusted:
            trusted_cp = cp
        seen = by_size.get(cp.size)
        if seen and seen[0] != cp.root:
            report.problem(
                f"split view: two checkpoints of size {cp.size} signed by the log with different "
                f"roots ({base64.b64encode(seen[0]).decode()} and {base64.b64encode(cp.root).decode()})"
            )
        by_size.setdefault(cp.size, (cp.root, text))
        for name in cosigners:
            cosigned[name] = max(cosigned.get(name, 0), cp.size)
    if not by_size:
        report.problem("no valid checkpoint")
        return report
    top = max(by_size)
    report.latest_checkpoint = by_size[top][1]
    report.checked.append(
        f"{len(notes)} checkpoint(s), sizes up to {top}: the log's signature verifies on each"
    )
    for name, size in sorted(cosigned.items()):
        report.checked.append(f"witness {name} cosigned up to size {size}")

    # Entries, in order: the tree, the leaves, their signatures, the sequence.
    tree = merkle.MemoryTree()
    walk = _LeafWalk(report, iter(feed if feed is not None else source.feed()))
    checkpoint_ok = 0
    for position, entry in enumerate(source.entries(top)):
        index = entry.get("index")
        where = f"entry {index}"
        if index != position:
            report.problem(
                f"{where}: found at position {position}: an entry was deleted, inserted or moved"
            )
        data = entry["leaf"].encode()
        digest = merkle.leaf_hash(data)
        if entry.get("leaf_hash") and _b64(entry["leaf_hash"]) != digest:
            report.problem(f"{where}: the served leaf hash does not match the leaf's bytes")
        tree.append(digest)
        try:
            walk.leaf(where, position, entry, json.loads(data))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            report.problem(f"{where}: a malformed leaf ({type(e).__name__}: {e})")
        size = position + 1
        if size in by_size:
            if tree.root() != by_size[size][0]:
                report.problem(
                    f"checkpoint of size {size} does not match the entries: "
                    f"an entry before {size} was changed (first unchecked: {_first_unchecked(by_size, size)})"
                )
            else:
                checkpoint_ok += 1
    report.size = tree.size
    report.root = tree.root() if tree.size else merkle.EMPTY_ROOT
    leftover = walk.next_feed_item()
    if leftover is not None:
        report.problem(f"feed item seq {leftover.get('seq')} has no log entry")
    if tree.size < top:
        report.problem(
            f"the log was truncated: a checkpoint signed for size {top}, only {tree.size} entries"
        )
    report.checked.append(
        f"{tree.size} entries rebuilt into the tree; its root matches {checkpoint_ok} checkpoint(s)"
    )
    report.checked.append(
        f"exchange sequence: seqs 1..{walk.expected_seq - 1} in order, no gap; "
        f"{walk.feed_matched} feed items equal their leaves"
    )
    signed = walk.signed
    report.checked.append(
        f"signatures: {signed['state']} by states' keys, {signed['custodial']} by custodial keys, "
        f"{signed['none']} unsigned; keys as the log recorded them ({len(walk.keys)})"
    )
    _check_keys(walk.keys, keys_doc, report)
    if trusted_cp is not None:
        _check_trusted(source, trusted_cp, tree, report)
    return report


def _first_unchecked(by_size: dict, size: int) -> str:
    earlier = [s for s in by_size if s < size]
    start = max(earlier) if earlier else 0
    return f"entry {start}" if start == size - 1 else f"entries {start}..{size - 1}"


class _LeafWalk:
    """The checks of each leaf's content, in log order: times, keys, signatures, sequence, and
    the feed walked alongside (both are in seq order, so nothing is held in memory)."""

    def __init__(self, report: Report, feed: Iterator[dict]):
        self.report = report
        self.feed = feed
        self.keys: dict[str, KeyRecord] = {}
        self.expected_seq = 1
        self.last_at: datetime | None = None
        self.signed = {"state": 0, "custodial": 0, "none": 0}
        self.feed_matched = 0
        self.ahead: dict | None = None  # a feed item read past a seq missing from the feed

    def leaf(self, where: str, position: int, entry: dict, leaf: dict) -> None:
        report = self.report
        if leaf.get("index") != position:
            report.problem(
                f"{where}: the leaf says it is entry {leaf.get('index')}, found at {position}: "
                "entries were swapped, inserted or deleted"
            )
        at = _time(leaf["at"])
        if self.last_at is not None and at < self.last_at:
            report.problem(f"{where}: dated {leaf['at']}, before the entry before it (back-dated)")
        self.last_at = max(at, self.last_at) if self.last_at else at
        kind = leaf["type"]
        if kind == "key.registered":
            record = KeyRecord.from_leaf(leaf["key"])
            if record.key_id in self.keys:
                report.problem(f"{where}: key {record.key_id} registered twice")
            self.keys[record.key_id] = record
        elif kind == "key.revoked":
            record = self.keys.get(leaf["key"]["key_id"])
            if record is None:
                report.problem(f"{where}: revokes unknown key {leaf['key']['key_id']}")
            else:
                record.revoked_at = _time(leaf["key"]["revoked_at"])
        signature = leaf["signature"]
        if signature:
            key = self.keys.get(signature["key_id"])
            problem = (
                f"signed by unknown key {signature['key_id']}"
                if key is None
                else leaf_signature_problem(leaf, key)
            )
            if problem:
                report.problem(f"{where}: {problem}")
            self.signed[signature["kind"]] = self.signed.get(signature["kind"], 0) + 1
        else:
            self.signed["none"] += 1
        if kind == "event":
            self.event(where, entry, leaf["event"])

    def next_feed_item(self) -> dict | None:
        if self.ahead is not None:
            item, self.ahead = self.ahead, None
            return item
        return next(self.feed, None)

    def event(self, where: str, entry: dict, event: dict) -> None:
        report, seq = self.report, event["seq"]
        if entry.get("seq") is not None and entry["seq"] != seq:
            report.problem(f"{where}: served as seq {entry['seq']}, the leaf says {seq}")
        if seq != self.expected_seq:
            report.problem(
                f"{where}: seq {seq} where {self.expected_seq} was due (a gap or a repeat)"
            )
        self.expected_seq = seq + 1
        item = None
        while (candidate := self.next_feed_item()) is not None:
            at = candidate.get("seq") or 0
            if at == seq:
                item = candidate
                break
            if at > seq:
                self.ahead = candidate
                break
            report.problem(f"feed item seq {at} has no log entry")
        if item is None:
            report.problem(f"{where}: seq {seq} is missing from the feed")
        elif item != event:
            report.problem(f"{where}: the feed's item seq {seq} differs from its leaf")
        else:
            self.feed_matched += 1


def _check_keys(keys: dict[str, KeyRecord], keys_doc: dict, report: Report) -> None:
    served = {k["key_id"]: k for k in keys_doc["keys"]}
    for key_id, record in keys.items():
        k = served.get(key_id)
        if k is None:
            report.problem(f"key {key_id} is in the log but not in the key list")
        elif _b64(k["public_key"]) != record.public_key:
            report.problem(f"key {key_id}: the key list and the log disagree on the public key")
    for key_id in served.keys() - keys.keys():
        report.problem(f"key {key_id} is listed but its registration is not in the log")


def _check_trusted(source, trusted: note.Checkpoint, tree: merkle.MemoryTree, report) -> None:
    if trusted.size > tree.size:
        report.problem(
            f"the log was truncated: the checkpoint saved earlier has size {trusted.size}, "
            f"the log now {tree.size}"
        )
        return
    if trusted.size and tree.root(trusted.size) != trusted.root:
        report.problem(
            f"the log was rewritten: the tree at size {trusted.size} no longer has the root of the "
            "checkpoint saved earlier"
        )
        return
    proof = source.consistency(trusted.size, tree.size) if trusted.size else None
    if proof is not None and trusted.size:
        try:
            merkle.verify_consistency(trusted.size, tree.size, trusted.root, tree.root(), proof)
        except merkle.ProofError as e:
            report.problem(
                f"the exchange's consistency proof {trusted.size}->{tree.size} fails: {e}"
            )
            return
    report.checked.append(
        f"consistent with the checkpoint saved earlier (size {trusted.size} -> {tree.size})"
    )
