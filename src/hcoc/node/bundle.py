"""Air gap: `hcoc node export FILE` writes the node's verified copy as an `hcoc export-bundle`
bundle (the same format: `hcoc verify --bundle FILE` checks it anywhere) and signs it with the
state's system key (FILE.sig); `hcoc node import FILE` on a node with no link to the exchange
verifies both, the bundle against the pinned log key as `hcoc verify` does and the signature
against the key as the verified log recorded it, before it stores anything."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hcoc.ledger import client, verifier
from hcoc.ledger.tlog import note

from . import services, upstream
from .models import Checkpoint, Item, VerifiedEntry

SIGNATURE_FORMAT = "hcoc-node-bundle-signature/1"
CONTEXT = b"hcoc-node-bundle/v1\n"


def _digest(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def export(path: str, *, key_file: str, key_id: str) -> int:
    """Write the bundle and its signature; returns the entries written."""
    current = services.status()
    if not current.keys:
        raise ValueError("this node has verified nothing yet: nothing to export")
    keys = json.loads(current.keys)
    size = json.loads(current.resume)["size"]
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        header = {
            "format": verifier.BUNDLE_FORMAT,
            "origin": keys.get("origin") or note.Verifier.from_vkey(current.vkey).name,
            "vkey": current.vkey,
            "keys": keys["keys"],
        }
        f.write(json.dumps(header) + "\n")
        for cp in Checkpoint.objects.filter(size__lte=size).order_by("size"):
            f.write(json.dumps({"checkpoint": cp.note}) + "\n")
        for e in VerifiedEntry.objects.filter(index__lt=size).order_by("index").iterator(2000):
            record = {"index": e.index, "seq": e.seq, "leaf": e.leaf, "leaf_hash": e.leaf_hash}
            f.write(json.dumps({"entry": record}) + "\n")
            count += 1
        for item in Item.objects.order_by("seq").iterator(2000):
            f.write('{"feed": ' + item.text + "}\n")
    digest = _digest(path)
    key = client.private_key_load(key_file)
    signature = {
        "format": SIGNATURE_FORMAT,
        "key_id": key_id,
        "sha256": digest,
        "signature": client.b64(key.sign(CONTEXT + digest.encode())),
    }
    Path(path + ".sig").write_text(json.dumps(signature, indent=2) + "\n")
    return count


@dataclass
class Imported:
    problems: list[str] = field(default_factory=list)
    stored: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _signature_problem(path: str, keys: dict) -> str | None:
    """Why the bundle's signature does not hold, or None. The key is looked up in the key table
    the verified log recorded (so the state's root certified it), never in the bundle's header."""
    sig_path = Path(path + ".sig")
    if not sig_path.exists():
        return f"{sig_path.name} is missing: an unsigned bundle is not imported"
    try:
        sig = json.loads(sig_path.read_text())
        if sig.get("format") != SIGNATURE_FORMAT:
            return f"{sig_path.name} is not a {SIGNATURE_FORMAT} signature"
        record = keys.get(sig["key_id"])
        if record is None or record.kind != "state" or record.revoked_at is not None:
            return f"the bundle is signed with {sig['key_id']}, not a state's valid system key in the log"
        if sig["sha256"] != _digest(path):
            return "the bundle is not the file that was signed (its SHA-256 differs)"
        public = Ed25519PublicKey.from_public_bytes(record.public_key)
        public.verify(client.unb64(sig["signature"]), CONTEXT + sig["sha256"].encode())
    except (ValueError, KeyError, TypeError):
        return f"{sig_path.name} cannot be read"
    except InvalidSignature:
        return f"the signature by {sig['key_id']} does not verify"
    return None


def import_(path: str, *, vkey: str | None) -> Imported:
    """Verify the bundle from the node's saved state (or from empty) and its signature; store
    the entries and items after the node's copy only when both hold."""
    result = Imported()
    current = services.status()
    pinned = vkey or current.vkey or None
    if not pinned:
        result.problems.append("give --vkey: the log's key, pinned from the ICC")
        return result
    saved = json.loads(current.resume) if current.resume else None
    resume = verifier.Resume.from_json(saved) if saved else None
    try:
        source = upstream.RecordingSource(verifier.BundleSource(path))
    except (OSError, ValueError) as e:
        result.problems.append(f"{path}: {e}")
        return result
    report = verifier.verify(source, vkey=pinned, resume=resume, jobs=1)
    result.problems.extend(report.problems)
    if report.ok:
        problem = _signature_problem(path, report.resume.keys)
        if problem:
            result.problems.append(problem)
    if not result.ok:
        return result
    result.stored = services.verified_store(
        keys=source.keys_doc,
        vkey=report.vkey,
        resume=report.resume.to_json(),
        entries=[e for e in source.entries_read if "index" in e],
        items=source.items,
        notes=upstream.checkpoint_sizes(source.notes, report.vkey),
    )
    return result
