"""The exchange's own secret: the log's checkpoint-signing key, in a file under
settings.LEDGER_KEY_DIR (never in the database, never in the repository), created on first use
with mode 0600. (The exchange holds no key of any state's: states sign for themselves,
hcoc.ledger.trust. A key-encryption key that sealed the custodial keys of before may still lie in
that directory; nothing reads it.)
"""

import os
import secrets
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from .tlog.note import Signer

LOG_KEY_FILE = "log-signing.ed25519"


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
