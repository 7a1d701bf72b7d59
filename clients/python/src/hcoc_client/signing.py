"""Request signing (`HCoC-Signature`), as the exchange verifies it (docs/api.md, "Roots and
credentials"):

    HCoC-Signature: keyid=FRA-2026-1; created=1764270000; sig=<base64 Ed25519 signature>

over "hcoc-request/v1\\n<METHOD> <path and query>\\n<created>\\n<hex SHA-256 of the body>\\n", the
body hashed as RFC 8785 canonical JSON when it is JSON, as its raw bytes otherwise."""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

SIGNATURE_HEADER = "HCoC-Signature"
REQUEST_CONTEXT = b"hcoc-request/v1\n"


def body_digest_json(value: object) -> str:
    """Hex SHA-256 of a JSON body's RFC 8785 form (what the exchange hashes, whatever spacing
    or key order the bytes on the wire have)."""
    return hashlib.sha256(rfc8785.dumps(value)).hexdigest()


def body_digest_bytes(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def signing_input(method: str, path: str, created: int, digest: str) -> bytes:
    return REQUEST_CONTEXT + f"{method.upper()} {path}\n{created}\n{digest}\n".encode()


@dataclass(frozen=True)
class SigningKey:
    """A state's system key: its Ed25519 private half and the key id its root certified."""

    key_id: str
    private_key: Ed25519PrivateKey

    @classmethod
    def from_file(cls, path: str | Path, key_id: str, password: bytes | None = None) -> SigningKey:
        """The PEM (PKCS#8) file `hcoc keygen` writes."""
        key = load_pem_private_key(Path(path).read_bytes(), password=password)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return cls(key_id, key)

    def header(self, method: str, path: str, digest: str, created: int | None = None) -> str:
        created = int(time.time()) if created is None else created
        sig = self.private_key.sign(signing_input(method, path, created, digest))
        return f"keyid={self.key_id}; created={created}; sig={base64.b64encode(sig).decode()}"
