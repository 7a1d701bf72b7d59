"""The verification itself: checkpoints, then every entry in order (see the package docstring)."""

import hashlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from ..tlog import merkle, note

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; json is the fallback
    orjson = None

from .. import trust
from .common import KeyRecord, _b64, _b64s, _iso, _loads, _time
from .signatures import MALFORMED, _malformed, _signature_precheck, _Signatures

# ---- the verification -----------------------------------------------------------------------

# A request's signature is good for an entry dated within this many seconds of its `created`
# (the exchange refuses one more than SIGNATURE_MAX_SKEW, 300 s, from its clock).
REPLAY_WINDOW = 3600


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


def _log_grew(source, log: note.Verifier, top: int) -> int:
    """The size of the log's latest checkpoint, read again now, if the log's key signed it and it
    is larger than `top` (the one this run walked to); else 0. An exchange writes each event, its
    entry and a checkpoint covering it in one transaction, so a feed item read before this is in
    that checkpoint unless it was never logged. A bundle has no latest checkpoint: 0."""
    text = source.latest_checkpoint()
    if not text:
        return 0
    try:
        body, _ = note.note_open(text, [log])
        size = note.checkpoint_parse(body).size
    except note.NoteError:
        return 0
    return size if size > top else 0


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
    roots: dict[str, str] | None = None,
) -> Report:
    """Check everything the source serves. `roots` pins states' roots (state -> fingerprint,
    64 hex digits, from their diplomatic notes): any key of a pinned state that does not chain
    to its pinned root is a problem. `vkey` pins the log's key (else the source's is
    taken, and the report says so); `trusted` is a checkpoint saved from an earlier run;
    `resume` what an earlier run saved (its checkpoint is then the trusted one): only the entries
    after it are read and checked. `jobs` > 1 checks signatures in that many processes."""
    if feed is not None and getattr(source, "late_checkpoints", None) is not None:
        feed = list(feed)  # read twice if the bundle has checkpoints below its entries
    pins = roots or {}
    report = _verify(
        source, vkey=vkey, trusted=trusted, feed=feed, jobs=jobs, resume=resume, pins=pins
    )
    if getattr(source, "late_checkpoints", 0) and not source.all_checkpoints:
        # Checkpoints below the entries (not where the bundle writer puts them): every
        # checkpoint must be known before the walk, so walk again having read them all.
        source.all_checkpoints = True
        report = _verify(
            source, vkey=vkey, trusted=trusted, feed=feed, jobs=jobs, resume=resume, pins=pins
        )
    return report


def _verify(source, *, vkey, trusted, feed, jobs, resume, pins) -> Report:
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
    walk = _Walk(report, resume, jobs, pins)
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
        grown = _log_grew(source, log, top)
        if grown:
            report.checked.append(
                f"feed items from seq {leftover.get('seq')} on were written while this run read "
                f"the log (its latest checkpoint grew from size {top} to {grown}): the next run "
                "checks them"
            )
        else:
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
        f"signatures: {signed['state']} by states' system keys, {signed['browser']} by users' "
        f"browser keys, {signed['custodial']} relay-attested (custodial keys the exchange held: "
        f"counted as unsigned), {signed['none']} unsigned; keys as the log recorded them "
        f"({len(walk.keys)})"
    )
    walk.report_roots(pins)
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

    def __init__(self, report: Report, resume: Resume | None, jobs: int, pins: dict | None = None):
        self.report = report
        self.pins = pins or {}
        self.state_acts = 0  # entries in the name of a state with a root, each checked signed
        self.icc_for_rooted = 0  # entries the ICC made for a state with a root
        self.recent: deque = deque()  # (time, signature digest) of the last hour's requests
        self.recent_at: dict[bytes, int] = {}
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
        self.signed = {"state": 0, "browser": 0, "custodial": 0, "none": 0}
        self.root_states = {k.state for k in self.keys.values() if k.kind == "root"}
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
        actor_state = (leaf.get("actor") or {}).get("state")
        rooted_state = actor_state if actor_state and self.rooted(actor_state) else None
        if kind in ("key.registered", "key.revoked", "key.confirmed"):
            self.key_leaf(where, position, kind, leaf["key"], at)
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
                if key.kind != "custodial":
                    self.replay_check(where, position, signature, at)
            self.signed[signature["kind"]] = self.signed.get(signature["kind"], 0) + 1
        else:
            self.signed["none"] += 1
        if rooted_state and kind not in ("key.registered", "key.revoked"):
            # The keys' own leaves carry their root's signatures (checked in key_leaf).
            self.state_acts += 1
            key = self.keys.get(signature["key_id"]) if signature else None
            if key is None or key.kind not in ("state", "browser") or not key.certified_by:
                how = (
                    "it carries no signature"
                    if not signature
                    else "its key is the exchange's (custodial)"
                    if key is not None and key.kind == "custodial"
                    else f"its key {signature['key_id']} is not certified by {rooted_state}'s root"
                )
                self.problem(
                    f"{where}: not signed by {rooted_state}: it is in {rooted_state}'s name and "
                    f"{rooted_state} has a root, but {how}"
                )
        elif (
            actor_state is None
            and not kind.startswith("key.")
            and leaf.get("state")
            and self.rooted(leaf["state"])
        ):
            self.icc_for_rooted += 1
        if kind == "event":
            self.event(where, entry, leaf["event"])

    # ---- the states' roots and the keys they certify (hcoc.ledger.trust) ----

    def rooted(self, state: str) -> bool:
        return state in self.root_states

    def root_of(self, state: str, at: datetime) -> KeyRecord | None:
        found = [
            k
            for k in self.keys.values()
            if k.kind == "root" and k.state == state and k.valid_at(at)
        ]
        return found[-1] if found else None

    def key_leaf(self, where: str, position: int, kind: str, data: dict, at: datetime) -> None:
        if kind == "key.registered":
            record = KeyRecord.from_leaf(data)
            if record.key_id in self.keys:
                self.problem(f"{where}: key {record.key_id} registered twice")
                return
            if record.kind == "root":
                self.root_registered(where, record, data, at)
            elif record.kind in ("state", "browser"):
                self.key_certified(where, record, data, at)
            self.keys[record.key_id] = record
            if record.kind == "root":
                self.root_states.add(record.state)
        elif kind == "key.revoked":
            record = self.keys.get(data["key_id"])
            if record is None:
                self.problem(f"{where}: revokes unknown key {data['key_id']}")
                return
            if record.kind != "custodial" and self.rooted(record.state):
                root = self.keys.get(data.get("revoked_by") or "")
                statement = trust.revocation(
                    state=record.state, key_id=record.key_id, reason=data.get("reason", "")
                )
                if (
                    root is None
                    or root.kind != "root"
                    or root.state != record.state
                    or not root.valid_at(at)
                    or not trust.signature_ok(
                        root.public_key,
                        data.get("revocation", ""),
                        trust.revocation_message(statement),
                    )
                ):
                    self.problem(
                        f"{where}: the revocation of {record.key_id} is not signed by "
                        f"{record.state}'s root"
                    )
                    return
            record.revoked_at = _time(data["revoked_at"])
        else:  # key.confirmed: the ICC recorded the note that confirms a root's fingerprint
            record = self.keys.get(data.get("key_id", ""))
            if record is None or record.kind != "root":
                self.problem(f"{where}: confirms unknown root {data.get('key_id')}")
            elif trust.fingerprint_normal(trust.fingerprint(record.public_key)) != data.get(
                "fingerprint"
            ):
                self.problem(
                    f"{where}: note {data.get('note_reference')} confirms a fingerprint that is "
                    f"not {record.key_id}'s"
                )
            else:
                record.note = data.get("note_reference", "")

    def root_registered(self, where: str, record: KeyRecord, data: dict, at: datetime) -> None:
        message = trust.credential_message(trust.key_statement(data))
        if not trust.signature_ok(record.public_key, data.get("proof", ""), message):
            self.problem(f"{where}: root {record.key_id} of {record.state} has no valid proof")
        current = self.root_of(record.state, at)
        if current is not None or self.rooted(record.state):
            endorser = self.keys.get(data.get("endorsed_by") or "")
            if (
                current is None
                or endorser is not current
                or not trust.signature_ok(current.public_key, data.get("endorsement", ""), message)
            ):
                self.problem(
                    f"{where}: a new root {record.key_id} for {record.state}, not endorsed by its "
                    f"root{' ' + current.key_id if current else ''}: a state's root is replaced "
                    "only by the state"
                )
                return
            current.revoked_at = at  # retired by its successor
            record.certified_by = current.key_id
        pin = self.pins.get(record.state)
        if (
            pin
            and current is None
            and trust.fingerprint_normal(trust.fingerprint(record.public_key)) != pin
        ):
            self.problem(
                f"{where}: {record.state}'s root {record.key_id} has the fingerprint "
                f"{trust.fingerprint(record.public_key)}, not the pinned one"
            )

    def key_certified(self, where: str, record: KeyRecord, data: dict, at: datetime) -> None:
        if not self.rooted(record.state):
            if record.state in self.pins:
                self.problem(
                    f"{where}: key {record.key_id} of {record.state} does not chain to its "
                    "pinned root (it was registered without one)"
                )
            return
        root = self.keys.get(data.get("certified_by") or "")
        message = trust.credential_message(trust.key_statement(data))
        if (
            root is None
            or root.kind != "root"
            or root.state != record.state
            or not root.valid_at(at)
            or not trust.signature_ok(root.public_key, data.get("certificate", ""), message)
        ):
            self.problem(
                f"{where}: key {record.key_id} of {record.state} is not certified by "
                f"{record.state}'s root"
            )
            return
        record.certified_by = root.key_id

    def replay_check(self, where: str, position: int, signature: dict, at: datetime) -> None:
        """A request signature counts once, and near its entry's time: a relay cannot reuse a
        state's signed request for another entry. The last hour's are kept (memory stays flat)."""
        created = signature.get("created")
        if isinstance(created, int):
            lag = at.timestamp() - created
            if lag > REPLAY_WINDOW or lag < -REPLAY_WINDOW:
                self.problem(
                    f"{where}: the request was signed {abs(lag) / 60:.0f} minutes "
                    f"{'before' if lag > 0 else 'after'} the entry's time"
                )
        digest = signature.get("sig", "")
        seen = self.recent_at.get(digest)
        if seen is not None:
            self.problem(f"{where}: the same request signature as entry {seen} (a replay)")
            return
        self.recent.append((at.timestamp(), digest))
        self.recent_at[digest] = position
        while self.recent and self.recent[0][0] < at.timestamp() - 2 * REPLAY_WINDOW:
            self.recent_at.pop(self.recent.popleft()[1], None)

    def report_roots(self, pins: dict) -> None:
        roots = [k for k in self.keys.values() if k.kind == "root"]
        for key in roots:
            note_ref = key.note
            status = "retired" if key.revoked_at else "current"
            self.report.checked.append(
                f"root {key.key_id} of {key.state} ({status}), fingerprint "
                f"{trust.fingerprint(key.public_key)}: "
                + (f"confirmed by note {note_ref}" if note_ref else "not confirmed by a note yet")
                + (", pinned" if pins.get(key.state) else "")
            )
        for state in sorted(pins):
            if not any(k.state == state for k in roots):
                self.report.problem(f"{state}'s pinned root is not in the log")
        self.report.checked.append(
            f"entries in the name of states with a root: {self.state_acts}, each checked for a "
            f"signature by a key its root certified; entered by the ICC for such states: "
            f"{self.icc_for_rooted} (the ICC's acts, not the states')"
        )

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
