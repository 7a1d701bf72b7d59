"""Receipts and inclusion proofs: a receipt `{"index", "seq", "leaf_hash", "checkpoint",
"inclusion_proof"}` proves that the exchange's log holds the entry, if the checkpoint is signed
by the log's key (a C2SP signed note) and the RFC 9162 audit path leads from the leaf hash to the
checkpoint's root. Pin the log's verifier key (`GET /log/keys` -> `vkey`, compared once with what
the ICC publishes) rather than fetching it for every check."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .errors import VerificationError

SIG_ED25519 = 0x01
DASH = "\u2014 "


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _b64(text: str, what: str) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise VerificationError(f"{what} is not base64") from None
    if base64.b64encode(data).decode() != text:
        raise VerificationError(f"{what} is not canonical base64")
    return data


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> None:
    """RFC 9162 section 2.1.3.2; raises VerificationError unless `leaf` is leaf `index` of the
    tree of `size` leaves whose root is `root`."""
    if not 0 <= index < size:
        raise VerificationError(f"index {index} is not in a tree of {size} leaves")
    if len(leaf) != 32 or len(root) != 32 or any(len(p) != 32 for p in proof):
        raise VerificationError("hashes are 32 bytes")
    fn, sn, r = index, size - 1, bytes(leaf)
    for p in proof:
        if sn == 0:
            raise VerificationError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("the inclusion proof is shorter than the tree is deep")
    if r != root:
        raise VerificationError("the inclusion proof does not lead to the checkpoint's root")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def _vkey(vkey: str) -> tuple[str, bytes, Ed25519PublicKey]:
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise VerificationError("a verifier key is <name>+<key ID>+<base64 key>")
    name, hex_id, encoded = parts
    key = _b64(encoded, "the verifier key")
    if len(key) != 33 or key[0] != SIG_ED25519:
        raise VerificationError("the verifier key is not an Ed25519 note key")
    key_id = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4]
    if key_id.hex() != hex_id:
        raise VerificationError("the verifier key's ID does not match its name and key")
    return name, key_id, Ed25519PublicKey.from_public_bytes(key[1:])


def open_checkpoint(note: str, vkey: str) -> Checkpoint:
    """The checkpoint of a signed note, once the log's signature on it verifies (C2SP
    signed-note and tlog-checkpoint); VerificationError otherwise."""
    name, key_id, public = _vkey(vkey)
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise VerificationError("not a signed note")
    text, lines = note[: split + 1], note[split + 2 : -1].split("\n")
    verified = False
    for line in lines:
        if not line.startswith(DASH):
            raise VerificationError("a signature line starts with an em dash")
        signer, _, encoded = line[len(DASH) :].partition(" ")
        payload = _b64(encoded, "a signature")
        if signer != name or payload[:4] != key_id:
            continue  # another key's (a witness's cosignature)
        try:
            public.verify(payload[4:], text.encode())
        except InvalidSignature:
            raise VerificationError(
                "the log's signature on the checkpoint does not verify"
            ) from None
        verified = True
    if not verified:
        raise VerificationError("the checkpoint is not signed by the log's key")
    body = text[:-1].split("\n")
    if len(body) < 3 or not body[1].isdigit():
        raise VerificationError("a checkpoint is an origin, a size and a root hash")
    root = _b64(body[2], "the checkpoint's root")
    if len(root) != 32:
        raise VerificationError("the checkpoint's root is 32 bytes")
    return Checkpoint(body[0], int(body[1]), root)


def verify_receipt(receipt, vkey: str, leaf: str | bytes | None = None) -> Checkpoint:
    """Check a receipt (a `Receipt` or its JSON); returns the signed checkpoint it proves
    inclusion in. With `leaf` (the entry's text, `GET /log/entries`), also that the receipt is
    for that very entry."""
    r = receipt if isinstance(receipt, dict) else receipt.to_dict()
    cp = open_checkpoint(r["checkpoint"], vkey)
    hashed = _b64(r["leaf_hash"], "the leaf hash")
    if leaf is not None:
        data = leaf.encode() if isinstance(leaf, str) else leaf
        if leaf_hash(data) != hashed:
            raise VerificationError("the receipt is for another entry (its leaf hash differs)")
    proof = [_b64(h, "a proof hash") for h in r["inclusion_proof"]]
    verify_inclusion(r["index"], cp.size, hashed, proof, cp.root)
    return cp
