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

Speed (a million entries): the entries are streamed (memory stays flat: the tree is kept as its
right edge, a `merkle.Frontier`); lines of a bundle are told apart by their prefix, so each is
parsed once, by orjson when it is installed; the signatures, which cost most (RFC 8785 and
Ed25519, ~230 µs a leaf), are checked in worker processes (`jobs`) while this process rebuilds the
tree and walks the sequence. A run can go on from the `Resume` an earlier run saved: it reads
only the entries after it, starting its tree from the saved frontier.
"""

import base64
import gzip
import hashlib
import json
import re
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .client import canonical_bytes, custodial_message, signing_input
from .tlog import merkle, note

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; json is the fallback
    orjson = None

BUNDLE_FORMAT = "hcoc-log-bundle/1"
STATE_FORMAT = "hcoc-verify-state/2"
PAGE = 1000
CHUNK = 256  # signatures per job sent to a worker process


def _loads(data: bytes | str):
    """Parse JSON: orjson when it can (several times faster), json for what orjson refuses
    (integers beyond 64 bits) and for the error message on a malformed document."""
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _b64s(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


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

    def to_json(self) -> dict:
        return {
            "key_id": self.key_id,
            "state": self.state,
            "kind": self.kind,
            "public_key": _b64s(self.public_key),
            "valid_from": _iso(self.valid_from),
            "revoked_at": _iso(self.revoked_at),
        }

    @classmethod
    def from_json(cls, data: dict) -> "KeyRecord":
        record = cls.from_leaf(data)
        record.revoked_at = _time(data["revoked_at"]) if data.get("revoked_at") else None
        return record

    def valid_at(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.revoked_at is None or at < self.revoked_at)


def _signature_precheck(leaf: dict, key: KeyRecord, at: datetime) -> str | None:
    """The cheap part: is this the right kind of key, of the leaf's author, valid at its time?"""
    sig = leaf["signature"]
    if sig.get("kind") != key.kind:
        return f"signed as {sig.get('kind')} with {key.kind} key {key.key_id}"
    actor_state = (leaf.get("actor") or {}).get("state")
    if key.state != actor_state:
        return f"key {key.key_id} belongs to {key.state}, the leaf was written by {actor_state}"
    if not key.valid_at(at):
        return f"key {key.key_id} was not valid at {leaf['at']}"
    return None


_public_keys: dict[bytes, Ed25519PublicKey] = {}


def _signature_check(leaf: dict, kind: str, key_id: str, public_key: bytes) -> str | None:
    """The costly part: the signed message (RFC 8785) and the Ed25519 verification."""
    sig = leaf["signature"]
    if kind == "state":
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
        public = _public_keys.get(public_key)
        if public is None:
            public = _public_keys[public_key] = Ed25519PublicKey.from_public_bytes(public_key)
        public.verify(_b64(sig["sig"]), message)
    except (InvalidSignature, ValueError):
        return f"the {kind} signature by {key_id} does not verify"
    return None


def leaf_signature_problem(leaf: dict, key: KeyRecord) -> str | None:
    """Why the leaf's signature is not good (None when it is)."""
    return _signature_precheck(leaf, key, _time(leaf["at"])) or _signature_check(
        leaf, key.kind, key.key_id, key.public_key
    )


MALFORMED = (ValueError, KeyError, TypeError, AttributeError)


def _malformed(e: Exception) -> str:
    return f"a malformed leaf ({type(e).__name__}: {e})"


def _check_signatures(jobs: list[tuple]) -> list[tuple[int, int, str]]:
    """A worker's task: (position, order, where, leaf text, kind, key id, public key) each;
    returns the problems as (position, order, text)."""
    found = []
    for position, order, where, text, kind, key_id, public_key in jobs:
        try:
            problem = _signature_check(_loads(text), kind, key_id, public_key)
        except MALFORMED as e:
            problem = _malformed(e)
        if problem:
            found.append((position, order, f"{where}: {problem}"))
    return found


class _Signatures:
    """Signature checks, in this process (jobs=1) or in a pool of worker processes fed in
    chunks, with a bounded number of chunks in flight (memory stays flat)."""

    def __init__(self, jobs: int, sink):
        self.sink = sink
        self.batch: list[tuple] = []
        self.pending: deque = deque()
        self.pool = None
        self.jobs = max(1, jobs)

    def _start(self) -> None:
        """The pool, started at the first full chunk (a small log never waits for it)."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn: a fresh interpreter, safe whatever threads the caller runs (a server, tests)
        context = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(self.jobs, mp_context=context)

    def add(self, job: tuple) -> None:
        if self.jobs == 1:
            for found in _check_signatures([job]):
                self.sink(*found)
            return
        self.batch.append(job)
        if len(self.batch) >= CHUNK:
            self._submit()

    def _submit(self) -> None:
        if self.pool is None:
            self._start()
        self.pending.append(self.pool.submit(_check_signatures, self.batch))
        self.batch = []
        while len(self.pending) > 4 * self.jobs:
            self._collect(self.pending.popleft())

    def _collect(self, future) -> None:
        for found in future.result():
            self.sink(*found)

    def finish(self) -> None:
        if self.pool is None:  # fewer signatures than a chunk (or jobs=1): checked here
            for found in _check_signatures(self.batch):
                self.sink(*found)
            self.batch = []
            return
        if self.batch:
            self._submit()
        while self.pending:
            self._collect(self.pending.popleft())

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


# ---- sources --------------------------------------------------------------------------------


class HttpSource:
    """Reads the log from the exchange's API (GET /api/v1/log/... with a subscriber's token)."""

    stubs_below_start = False  # entries(size, start) serves entries from `start` on only

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
        return _loads(self.get(path, **params))

    def keys(self) -> dict:
        return self.json("/log/keys")

    def checkpoints(self, after_size: int = 0) -> Iterator[str]:
        after = after_size
        while True:
            page = self.json("/log/checkpoints", after_size=after, limit=PAGE)
            for cp in page["checkpoints"]:
                yield cp["note"]
                after = cp["size"]
            if not page["more"]:
                return

    def latest_checkpoint(self) -> str:
        return self.get("/log/checkpoint").decode()

    def entries(self, size: int, start: int = 0) -> Iterator[dict]:
        while start < size:
            batch = self.json("/log/entries", start=start, end=min(size, start + PAGE) - 1)
            if not batch["entries"]:
                return
            yield from batch["entries"]
            start = batch["entries"][-1]["index"] + 1

    def feed(self, after: int = 0) -> Iterator[dict]:
        while True:
            page = self.json("/feed", after=after, limit=PAGE)
            yield from page["items"]
            after = page["last_seq"]
            if not page["more"]:
                return

    def consistency(self, old: int, new: int) -> list[bytes]:
        data = self.json("/log/proof/consistency", **{"from": old, "to": new})
        return [_b64(h) for h in data["hashes"]]


_KINDS = ("checkpoint", "entry", "feed")
_PREFIXES = {kind: b'{"' + kind.encode() + b'"' for kind in _KINDS}
# What `hcoc export-bundle` writes first on an entry's and a feed item's line: read without
# parsing the line when it is to be skipped (any other spelling is parsed: slower, still right).
_ENTRY_INDEX = re.compile(rb'\{"entry": ?\{"index": ?(\d+)[,}]')
_FEED_SEQ = re.compile(rb'\{"feed": ?\{"seq": ?(\d+)[,}]')


class BundleSource:
    """Reads a bundle written by `hcoc export-bundle` (JSON lines, gzip when named .gz).

    Each reading streams the file once and parses only its own kind of line (the kind is told by
    the line's prefix). Below `start`, entries are only counted (their indexes read from the
    prefix): the verifier checks their numbering, not their content.

    The checkpoints are read from the top of the file down to the first line of another kind
    (where `hcoc export-bundle` puts them all), so that their reading does not stream the whole
    file. The reading of the entries notices any checkpoint further down (`late_checkpoints`);
    the verifier then runs again with `all_checkpoints` set, which reads every line for them."""

    # entries(size, start) serves first {"skipped": count, "misnumbered": [(index, position)]}
    # for the entries below `start`: counted, their indexes checked, nothing else read
    stubs_below_start = True

    def __init__(self, path: str):
        self.path = path
        with self._open() as f:
            header = _loads(f.readline())
        if header.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"{path} is not an {BUNDLE_FORMAT} bundle")
        self.header = header
        self.all_checkpoints = False
        self.late_checkpoints = 0

    def _open(self):
        if str(self.path).endswith(".gz"):
            return gzip.open(self.path, "rb")
        return open(self.path, "rb")  # noqa: SIM115

    def _lines(self, kind: str) -> Iterator[tuple[bytes, dict | None]]:
        """(line, parsed record or None) for each line of `kind`: a line with the usual prefix
        comes unparsed, any other line is parsed here to see what it holds."""
        mine = _PREFIXES[kind]
        checkpoint = _PREFIXES["checkpoint"]
        others = tuple(p for k, p in _PREFIXES.items() if k not in (kind, "checkpoint"))
        leading = kind == "checkpoint" and not self.all_checkpoints  # stop at another kind
        watch = kind == "entry" and not self.all_checkpoints  # count checkpoints further down
        past = False  # a line of another kind than checkpoint was seen
        with self._open() as f:
            f.readline()
            for line in f:
                if line.startswith(mine):
                    past = past or kind != "checkpoint"
                    yield line, None
                elif line.startswith(checkpoint):
                    if watch and past:
                        self.late_checkpoints += 1
                elif line.startswith(others):
                    if leading:
                        return
                    past = True
                elif line.strip():
                    record = _loads(line)
                    if kind in record:
                        yield line, record
                    if watch and past and "checkpoint" in record:
                        self.late_checkpoints += 1
                    if record.keys() - {"checkpoint"}:
                        if leading:
                            return
                        past = True

    def _records(self, kind: str) -> Iterator:
        for line, record in self._lines(kind):
            yield (record or _loads(line))[kind]

    def keys(self) -> dict:
        return {k: self.header[k] for k in ("origin", "vkey", "keys")}

    def checkpoints(self, after_size: int = 0) -> Iterator[str]:
        return self._records("checkpoint")  # all of them: split views among them are checked

    def latest_checkpoint(self) -> str | None:
        return None  # the bundle's checkpoints include the latest at export time

    def entries(self, size: int, start: int = 0) -> Iterator[dict]:
        lines = self._lines("entry")
        if start:
            count, misnumbered = 0, []
            for line, record in lines:
                found = _ENTRY_INDEX.match(line) if record is None else None
                index = int(found[1]) if found else (record or _loads(line))["entry"].get("index")
                if index != count and len(misnumbered) < 1000:
                    misnumbered.append((index, count))
                count += 1
                if count == start:
                    break
            yield {"skipped": count, "misnumbered": misnumbered}
        for line, record in lines:
            yield (record or _loads(line))["entry"]

    def feed(self, after: int = 0) -> Iterator[dict]:
        for line, record in self._lines("feed"):
            if after:
                found = _FEED_SEQ.match(line) if record is None else None
                if found is None:
                    record = record or _loads(line)
                    seq = record["feed"].get("seq") if isinstance(record["feed"], dict) else None
                else:
                    seq = int(found[1])
                if isinstance(seq, int) and seq <= after:
                    continue
            yield (record or _loads(line))["feed"]

    def consistency(self, old: int, new: int) -> None:
        return None


# ---- the verification -----------------------------------------------------------------------


@dataclass
class Resume:
    """What a run saves for the next one (`hcoc verify --state FILE`): the verified tree's size
    and right edge, the sequence and time reached, the key table as the log recorded it, and the
    checkpoint of that size. The next run reads only the entries after `size`."""

    size: int
    frontier: list[bytes]
    next_seq: int
    last_at: datetime | None
    keys: dict[str, KeyRecord]
    checkpoint: str

    def to_json(self) -> dict:
        return {
            "size": self.size,
            "frontier": [_b64s(h) for h in self.frontier],
            "next_seq": self.next_seq,
            "last_at": _iso(self.last_at),
            "keys": [k.to_json() for k in self.keys.values()],
            "checkpoint": self.checkpoint,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Resume":
        """Raises ValueError/KeyError on a state that is not one."""
        keys = [KeyRecord.from_json(k) for k in data["keys"]]
        return cls(
            size=int(data["size"]),
            frontier=[_b64(h) for h in data["frontier"]],
            next_seq=int(data["next_seq"]),
            last_at=_time(data["last_at"]) if data.get("last_at") else None,
            keys={k.key_id: k for k in keys},
            checkpoint=data["checkpoint"],
        )


@dataclass
class Report:
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    size: int = 0
    root: bytes = b""
    latest_checkpoint: str | None = None
    vkey: str | None = None
    resume: Resume | None = None  # where the next run can go on from (when this one passed)

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
    jobs: int = 1,
    resume: Resume | None = None,
) -> Report:
    """Check everything the source serves. `vkey` pins the log's key (else the source's is
    taken, and the report says so); `trusted` is a checkpoint saved from an earlier run;
    `resume` what an earlier run saved (its checkpoint is then the trusted one): only the entries
    after it are read and checked. `jobs` > 1 checks signatures in that many processes."""
    if feed is not None and getattr(source, "late_checkpoints", None) is not None:
        feed = list(feed)  # read twice if the bundle has checkpoints below its entries
    report = _verify(source, vkey=vkey, trusted=trusted, feed=feed, jobs=jobs, resume=resume)
    if getattr(source, "late_checkpoints", 0) and not source.all_checkpoints:
        # Checkpoints below the entries (not where the bundle writer puts them): every
        # checkpoint must be known before the walk, so walk again having read them all.
        source.all_checkpoints = True
        report = _verify(source, vkey=vkey, trusted=trusted, feed=feed, jobs=jobs, resume=resume)
    return report


def _verify(source, *, vkey, trusted, feed, jobs, resume) -> Report:
    report = Report()
    keys_doc = source.keys()
    served_vkey = keys_doc["vkey"]
    if vkey is not None and vkey != served_vkey:
        report.problem(f"the log's key is {served_vkey}, not the pinned {vkey}")
    report.vkey = vkey or served_vkey
    log = note.Verifier.from_vkey(vkey or served_vkey)
    report.checked.append(
        f"log key {log.name} ({'pinned' if vkey else 'as served: pin it with --vkey'})"
    )
    witnesses = {
        k["key_id"]: note.CosignatureVerifier.from_vkey(k["cosignature_vkey"])
        for k in keys_doc["keys"]
        if k.get("cosignature_vkey")
    }
    start = resume.size if resume else 0
    if resume:
        trusted = resume.checkpoint

    # Checkpoints: signatures, cosignatures, split views.
    by_size: dict[int, tuple[bytes, str]] = {}
    cosigned: dict[str, int] = {}
    notes = list(source.checkpoints(after_size=max(start - 1, 0)))
    latest = source.latest_checkpoint()
    if latest:
        notes.append(latest)
    trusted_cp = None
    served_top = 0  # the largest size among the checkpoints the source serves
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
        else:
            served_top = max(served_top, cp.size)
        seen = by_size.get(cp.size)
        if seen and seen[0] != cp.root:
            report.problem(
                f"split view: two checkpoints of size {cp.size} signed by the log with different "
                f"roots ({_b64s(seen[0])} and {_b64s(cp.root)})"
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

    frontier = merkle.Frontier()
    if resume:
        problem = None
        if trusted_cp is None:
            problem = "its checkpoint does not verify with the log's key"
        else:
            try:
                frontier = merkle.Frontier(resume.size, resume.frontier)
            except ValueError as e:
                problem = str(e)
            else:
                if trusted_cp.size != resume.size or frontier.root() != trusted_cp.root:
                    problem = "its tree does not have the root of its checkpoint"
        if problem:
            report.problem(f"the state saved by the last run is not usable ({problem}): use --full")
            return report
        if served_top < start:
            report.problem(
                f"the log was truncated: the checkpoint saved earlier has size {start}, "
                f"the log's latest checkpoint {served_top}"
            )
            return report

    # Entries, in order: the tree, the leaves, their signatures, the sequence.
    walk = _Walk(report, resume, jobs)
    items = feed if feed is not None else source.feed(after=walk.expected_seq - 1)
    if resume and feed is not None:
        items = (i for i in items if (i.get("seq") or 0) >= walk.expected_seq)
    walk.feed = iter(items)
    try:
        walk.run(source.entries(top, start), source, frontier, by_size, trusted_cp, start)
    finally:
        walk.signatures.close()
    size = walk.size
    report.size = size
    report.root = frontier.root()
    leftover = walk.next_feed_item()
    if leftover is not None:
        report.problem(f"feed item seq {leftover.get('seq')} has no log entry")
    if size < top:
        report.problem(
            f"the log was truncated: a checkpoint signed for size {top}, only {size} entries"
        )
    new = size - start
    report.checked.append(
        f"{size} entries rebuilt into the tree; its root matches {walk.checkpoint_ok} checkpoint(s)"
        if not resume
        else f"{size} entries in the tree: {max(new, 0)} new since the state saved at size "
        f"{start}, checked; its root matches {walk.checkpoint_ok} later checkpoint(s)"
    )
    first_seq = resume.next_seq if resume else 1
    report.checked.append(
        f"exchange sequence: seqs {first_seq}..{walk.expected_seq - 1} in order, no gap; "
        f"{walk.feed_matched} feed items equal their leaves"
    )
    signed = walk.signed
    report.checked.append(
        f"signatures: {signed['state']} by states' keys, {signed['custodial']} by custodial keys, "
        f"{signed['none']} unsigned; keys as the log recorded them ({len(walk.keys)})"
    )
    _check_keys(walk.keys, keys_doc, report)
    if trusted_cp is not None:
        _check_trusted(source, trusted_cp, walk.trusted_root, frontier, size, report)
    if report.ok:
        report.resume = Resume(
            size=frontier.size,
            frontier=list(frontier.hashes),
            next_seq=walk.expected_seq,
            last_at=walk.last_at,
            keys=walk.keys,
            checkpoint=report.latest_checkpoint,
        )
    return report


def _first_unchecked(by_size: dict, size: int) -> str:
    earlier = [s for s in by_size if s < size]
    start = max(earlier) if earlier else 0
    return f"entry {start}" if start == size - 1 else f"entries {start}..{size - 1}"


def _misplaced(index, position: int) -> str:
    return f"entry {index}: found at position {position}: an entry was deleted, inserted or moved"


class _Walk:
    """The entries in log order: the tree, the checks of each leaf's content (times, keys,
    signatures, sequence), and the feed walked alongside (both are in seq order, so nothing is
    held in memory). Problems are kept with their entry's position and sorted at the end, so
    the report lists them in log order however the signature workers finish."""

    def __init__(self, report: Report, resume: Resume | None, jobs: int):
        self.report = report
        self.feed: Iterator[dict] = iter(())
        self.keys: dict[str, KeyRecord] = {}
        self.expected_seq = 1
        self.last_at: datetime | None = None
        if resume:
            self.keys = {
                k: KeyRecord(**{**r.__dict__}) for k, r in resume.keys.items()
            }  # copies: a revocation seen now must not change the caller's Resume
            self.expected_seq = resume.next_seq
            self.last_at = resume.last_at
        self.signed = {"state": 0, "custodial": 0, "none": 0}
        self.feed_matched = 0
        self.checkpoint_ok = 0
        self.ahead: dict | None = None  # a feed item read past a seq missing from the feed
        self.found: list[tuple[int, int, str]] = []
        self.order = 0
        self.position = 0
        self.size = 0
        self.trusted_root: bytes | None = None
        self.signatures = _Signatures(jobs, self._found)

    def _found(self, position: int, order: int, text: str) -> None:
        self.found.append((position, order, text))
        if len(self.found) > 20000:  # keep the earliest (the report shows 1,000 at most)
            self.found.sort()
            del self.found[1000:]

    def problem(self, text: str) -> None:
        self.order += 1
        self._found(self.position, self.order, text)

    def run(self, entries, source, frontier, by_size, trusted_cp, start) -> None:
        stubs = getattr(source, "stubs_below_start", False)
        position = 0 if stubs else start
        trusted_size = trusted_cp.size if trusted_cp is not None else -1
        if trusted_size == start:
            self.trusted_root = frontier.root()
        hashes = frontier.hashes
        sha256 = hashlib.sha256
        for entry in entries:
            if "skipped" in entry:
                for index, at in entry["misnumbered"]:
                    self.position = at
                    self.problem(_misplaced(index, at))
                position += entry["skipped"]
                continue
            self.position = position
            index = entry.get("index")
            if index != position:
                self.problem(_misplaced(index, position))
            position += 1
            where = f"entry {index}"
            text = entry["leaf"]
            data = text.encode()
            digest = sha256(b"\x00" + data).digest()
            if entry.get("leaf_hash") and _b64(entry["leaf_hash"]) != digest:
                self.problem(f"{where}: the served leaf hash does not match the leaf's bytes")
            # merkle.Frontier.append, inlined (a million times)
            h, bits = digest, frontier.size
            while bits & 1:
                h = sha256(b"\x01" + hashes.pop() + h).digest()
                bits >>= 1
            hashes.append(h)
            frontier.size = size = position
            try:
                self.leaf(where, position - 1, entry, text, _loads(data))
            except MALFORMED as e:
                self.problem(f"{where}: {_malformed(e)}")
            if size in by_size:
                if frontier.root() != by_size[size][0]:
                    self.problem(
                        f"checkpoint of size {size} does not match the entries: an entry before "
                        f"{size} was changed (first unchecked: {_first_unchecked(by_size, size)})"
                    )
                else:
                    self.checkpoint_ok += 1
            if size == trusted_size:
                self.trusted_root = frontier.root()
        self.signatures.finish()
        self.size = position
        self.found.sort()
        for _, _, text in self.found:
            self.report.problem(text)

    def leaf(self, where: str, position: int, entry: dict, text: str, leaf: dict) -> None:
        if leaf.get("index") != position:
            self.problem(
                f"{where}: the leaf says it is entry {leaf.get('index')}, found at {position}: "
                "entries were swapped, inserted or deleted"
            )
        at = _time(leaf["at"])
        if self.last_at is not None and at < self.last_at:
            self.problem(f"{where}: dated {leaf['at']}, before the entry before it (back-dated)")
        self.last_at = max(at, self.last_at) if self.last_at else at
        kind = leaf["type"]
        if kind == "key.registered":
            record = KeyRecord.from_leaf(leaf["key"])
            if record.key_id in self.keys:
                self.problem(f"{where}: key {record.key_id} registered twice")
            self.keys[record.key_id] = record
        elif kind == "key.revoked":
            record = self.keys.get(leaf["key"]["key_id"])
            if record is None:
                self.problem(f"{where}: revokes unknown key {leaf['key']['key_id']}")
            else:
                record.revoked_at = _time(leaf["key"]["revoked_at"])
        signature = leaf["signature"]
        if signature:
            key = self.keys.get(signature["key_id"])
            problem = (
                f"signed by unknown key {signature['key_id']}"
                if key is None
                else _signature_precheck(leaf, key, at)
            )
            if problem:
                self.problem(f"{where}: {problem}")
            else:
                self.order += 1
                self.signatures.add(
                    (position, self.order, where, text, key.kind, key.key_id, key.public_key)
                )
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
        seq = event["seq"]
        if entry.get("seq") is not None and entry["seq"] != seq:
            self.problem(f"{where}: served as seq {entry['seq']}, the leaf says {seq}")
        if seq != self.expected_seq:
            self.problem(
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
            self.problem(f"feed item seq {at} has no log entry")
        if item is None:
            self.problem(f"{where}: seq {seq} is missing from the feed")
        elif item != event:
            self.problem(f"{where}: the feed's item seq {seq} differs from its leaf")
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


def _check_trusted(
    source, trusted: note.Checkpoint, root_then: bytes | None, frontier, size: int, report
) -> None:
    """The checkpoint saved earlier: the log still has it as a prefix. `root_then` is the
    tree's root when it had the saved checkpoint's size (None if it never did)."""
    if trusted.size > size:
        report.problem(
            f"the log was truncated: the checkpoint saved earlier has size {trusted.size}, "
            f"the log now {size}"
        )
        return
    if trusted.size and root_then != trusted.root:
        report.problem(
            f"the log was rewritten: the tree at size {trusted.size} no longer has the root of the "
            "checkpoint saved earlier"
        )
        return
    proof = source.consistency(trusted.size, size) if trusted.size else None
    if proof is not None and trusted.size:
        try:
            merkle.verify_consistency(trusted.size, size, trusted.root, frontier.root(), proof)
        except merkle.ProofError as e:
            report.problem(f"the exchange's consistency proof {trusted.size}->{size} fails: {e}")
            return
    report.checked.append(
        f"consistent with the checkpoint saved earlier (size {trusted.size} -> {size})"
    )
