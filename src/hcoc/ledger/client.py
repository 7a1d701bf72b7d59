"""What a state's own system needs to sign requests to the exchange (no Django here).

A signed request carries one header:

    HCoC-Signature: keyid=FRA-2026-1; created=1764270000; sig=<base64 Ed25519 signature>

over the signing input

    hcoc-request/v1\\n
    <METHOD> <path and query, as sent>\\n
    <created, Unix seconds>\\n
    <hex SHA-256 of the body>\\n

where the body is hashed as RFC 8785 canonical JSON when it is JSON (so re-encoding it on the way
does not break the signature) and as its raw bytes otherwise (an empty body hashes as b"").
"""

import base64
import hashlib
import os
import re
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from hcoc.lib.canonical import canonical_dumps, canonical_dumps_embedding
from hcoc.lib.jsonbody import MAX_DEPTH, loads_bounded

SIGNATURE_HEADER = "HCoC-Signature"
SIGNATURE_PARAMETERS = ("keyid", "created", "sig")
KEY_ID_TEXT = re.compile(r"[A-Za-z0-9._-]{1,64}")  # what any key id is written with
REQUEST_CONTEXT = b"hcoc-request/v1\n"
CUSTODIAL_CONTEXT = b"hcoc-custodial/v1\n"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def canonical_bytes(value) -> bytes:
    """RFC 8785 bytes of `value`: hcoc.lib.canonical's writer (Python's C encoder where it
    writes the same bytes, the reference encoder otherwise; tests/log/test_canonical.py proves
    them equal), not the pure-Python reference alone, which was most of a signed leaf's cost
    beside its Ed25519 verification in `hcoc verify` (issue 24) and of every signed request."""
    return canonical_dumps(value).encode("utf-8")


def body_digest(body: bytes, content_type: str = "application/json") -> str:
    """Hex SHA-256 of the body as signed: canonical JSON for JSON bodies, else the raw bytes.

    ValueError for a JSON body that is not JSON, has no RFC 8785 form, or nests deeper than
    `json_depth_check` allows (canonicalisation recurses: the depth is checked first)."""
    if body and content_type.split(";")[0].strip().lower() == "application/json":
        body = canonical_bytes(json_depth_check(body))
    return hashlib.sha256(body).hexdigest()


def json_depth_check(body: bytes | str, limit: int = MAX_DEPTH):
    """The parsed JSON body. Raises hcoc.lib.jsonbody.JsonTooDeep, a ValueError ("is nested
    more than 32 levels deep"), when arrays and objects nest deeper than `limit`, however deep
    (never a RecursionError); ValueError for text that is not JSON."""
    return loads_bounded(body, limit)


def signing_input(method: str, path: str, created: int, digest: str) -> bytes:
    return REQUEST_CONTEXT + f"{method.upper()} {path}\n{created}\n{digest}\n".encode()


@dataclass(frozen=True)
class RequestSignature:
    key_id: str
    created: int
    sig: bytes

    def header(self) -> str:
        return f"keyid={self.key_id}; created={self.created}; sig={b64(self.sig)}"


def signature_parse(value: str) -> RequestSignature:
    """Parse the header; raises ValueError naming what is wrong.

    The header has one meaning or none: each of keyid, created and sig exactly once, nothing
    else. A repeated parameter is refused, never "the last one wins" (`keyid=A; keyid=B`); a
    comma is refused, as servers join two headers of the same name with one (base64, decimal
    seconds and key ids never contain one)."""
    if "," in value:
        raise ValueError(f"send one {SIGNATURE_HEADER} header (two were sent, or a comma)")
    parts: dict[str, str] = {}
    for item in value.split(";"):
        name, sep, val = item.strip().partition("=")
        if not sep:
            raise ValueError(f"expected name=value, got {item.strip()!r}")
        name = name.strip().lower()
        if name not in SIGNATURE_PARAMETERS:
            raise ValueError(f"unknown parameter {name!r} (only keyid, created and sig)")
        if name in parts:
            raise ValueError(f"{name} is given more than once")
        parts[name] = val.strip()
    missing = [n for n in SIGNATURE_PARAMETERS if not parts.get(n)]
    if missing:
        raise ValueError("missing " + ", ".join(missing))
    if not KEY_ID_TEXT.fullmatch(parts["keyid"]):  # never looked up: no NUL reaches a query
        raise ValueError("keyid is not a key id (letters, digits, '.', '_' and '-')")
    try:
        created = int(parts["created"])
    except ValueError:
        raise ValueError("created must be Unix seconds") from None
    try:
        sig = unb64(parts["sig"])
    except ValueError:
        raise ValueError("sig is not base64") from None
    if len(sig) != 64:
        raise ValueError("sig must be a 64-byte Ed25519 signature")
    return RequestSignature(parts["keyid"], created, sig)


def sign_request(
    private_key: Ed25519PrivateKey,
    key_id: str,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    content_type: str = "application/json",
    created: int | None = None,
) -> dict[str, str]:
    """The header to send with this request, e.g.
    `httpx.post(url, content=body, headers={**auth, **sign_request(key, "FRA-1", "POST", "/api/v1/notifications", body)})`.
    """
    created = int(time.time()) if created is None else created
    data = signing_input(method, path, created, body_digest(body, content_type))
    return {SIGNATURE_HEADER: RequestSignature(key_id, created, private_key.sign(data)).header()}


def custodial_message(leaf: dict) -> bytes:
    """What a custodial key signs: the leaf itself, with its signature left out (null). (The
    exchange's leaves may embed stored canonical text; see hcoc.lib.canonical.Canonical.)"""
    return CUSTODIAL_CONTEXT + canonical_dumps_embedding({**leaf, "signature": None}).encode()


def key_generate() -> tuple[Ed25519PrivateKey, str]:
    """A new Ed25519 key and its public half in base64 (what the ICC registers)."""

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return key, b64(public)


def private_key_save(key: Ed25519PrivateKey, path) -> None:

    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


def private_key_load(path) -> Ed25519PrivateKey:

    with open(path, "rb") as f:
        key = load_pem_private_key(f.read(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key
