"""A state's root of trust: what its root key signs, and how anyone checks it offline.

No Django here: the state's key custodian (`hcoc key ...`), the exchange and every verifier
use these same functions, so the three cannot disagree on what was signed.

A state makes its root key itself (`hcoc key init`, on its own machine; the exchange never sees
the private half) and confirms the root's fingerprint to the ICC out of band, in a diplomatic
note. The root signs three kinds of statement, each with its own context string so a signature
made for one can never be taken for another:

- a credential (`hcoc-credential/v1`): "this public key is FRA's, of this kind (`root`, `state`:
  a system's API signing key, `browser`: one user's key in one browser), for this user";
  a root signs its own credential as proof of possession, and an old root signs its successor's
  (rotation);
- a revocation (`hcoc-revocation/v1`): "FRA's key K is revoked, for this reason".

The signed message is the context line followed by the statement as RFC 8785 canonical JSON.
A key's fingerprint is the SHA-256 of its 32 raw public-key bytes, written as 64 hex digits in
groups of four (what the diplomatic note quotes).
"""

import hashlib
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .client import b64, canonical_bytes, unb64

CREDENTIAL_CONTEXT = b"hcoc-credential/v1\n"
REVOCATION_CONTEXT = b"hcoc-revocation/v1\n"

ROOT = "root"
SYSTEM = "state"  # a state's system's API signing key (the log's historical name: "state")
BROWSER = "browser"
CERTIFIED_KINDS = (SYSTEM, BROWSER)
KINDS = (ROOT, *CERTIFIED_KINDS)

FINGERPRINT_TEXT = re.compile(r"^[0-9a-f]{64}$")


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def fingerprint(public_key: bytes) -> str:
    """'3f2a 9c1e ...': SHA-256 of the raw public key, 64 hex digits in groups of four."""
    digest = hashlib.sha256(public_key).hexdigest()
    return " ".join(digest[i : i + 4] for i in range(0, 64, 4))


def fingerprint_normal(text: str) -> str:
    """A fingerprint as given (spaces, colons, capitals) in its 64-hex-digit form; ValueError
    if it is not one."""
    value = re.sub(r"[\s:]", "", text or "").lower()
    if not FINGERPRINT_TEXT.match(value):
        raise ValueError("a fingerprint is 64 hexadecimal digits (spaces and colons allowed)")
    return value


def credential(
    *, state: str, key_id: str, kind: str, public_key: bytes, user: str | None = None
) -> dict:
    statement = {"state": state, "key_id": key_id, "kind": kind, "public_key": b64(public_key)}
    if user:
        statement["user"] = user
    return statement


def credential_message(statement: dict) -> bytes:
    return CREDENTIAL_CONTEXT + canonical_bytes(statement)


def revocation(*, state: str, key_id: str, reason: str) -> dict:
    return {"state": state, "key_id": key_id, "reason": reason}


def revocation_message(statement: dict) -> bytes:
    return REVOCATION_CONTEXT + canonical_bytes(statement)


def sign(private_key: Ed25519PrivateKey, message: bytes) -> str:
    return b64(private_key.sign(message))


def signature_ok(public_key: bytes, signature: str, message: bytes) -> bool:
    """Whether `signature` (base64) is the key's Ed25519 signature of `message`; False for
    anything malformed (a verifier never raises on what a relay serves)."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(unb64(signature or ""), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def key_statement(leaf_key: dict) -> dict:
    """The credential statement a key leaf's `key` member stands for."""
    return credential(
        state=leaf_key["state"],
        key_id=leaf_key["key_id"],
        kind=leaf_key["kind"],
        public_key=unb64(leaf_key["public_key"]),
        user=leaf_key.get("user"),
    )
