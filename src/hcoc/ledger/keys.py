"""The exchange's own secrets: the log's checkpoint-signing key and the key-encryption key that
seals custodial keys. Both live in files under settings.LEDGER_KEY_DIR (never in the database,
never in the repository), created on first use with mode 0600.
"""

import os
import secrets
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from django.conf import settings

from .tlog.note import Signer

LOG_KEY_FILE = "log-signing.ed25519"
KEK_FILE = "custodial.kek"


def _secret_file(name: str, size: int) -> bytes:
    """Read the secret, or create it atomically: two processes starting at once agree on one."""
    directory = Path(settings.LEDGER_KEY_DIR)
    path = directory / name
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = directory / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(size))
        try:
            os.link(tmp, path)  # fails if another process won the race: then use its file
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    data = path.read_bytes()
    if len(data) != size:
        raise RuntimeError(f"{path} is not a {size}-byte secret")
    return data


@cache
def log_signer() -> Signer:
    seed = _secret_file(LOG_KEY_FILE, 32)
    return Signer(settings.LOG_ORIGIN, Ed25519PrivateKey.from_private_bytes(seed))


@cache
def _kek() -> AESGCM:
    return AESGCM(_secret_file(KEK_FILE, 32))


def seal(private_key: Ed25519PrivateKey, key_id: str) -> bytes:

    raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    nonce = secrets.token_bytes(12)
    return nonce + _kek().encrypt(nonce, raw, key_id.encode())


def unseal(sealed: bytes, key_id: str) -> Ed25519PrivateKey:
    raw = _kek().decrypt(sealed[:12], sealed[12:], key_id.encode())
    return Ed25519PrivateKey.from_private_bytes(raw)
