"""What the tests share: the personas and their fixtures (`support.people`), request bodies
(`support.bodies`), what a refused request must leave alone (`support.stored`), a browser
(`support.browser`), and helpers of one area each (`support.ledger`, `support.meetings`,
`support.http_workers`, `support.fuzz_hooks`). Importable as `support` because pyproject's
pytest `pythonpath` puts tests/ on sys.path (in every xdist worker and in the processes tests
start with multiprocessing)."""

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")

# httpx makes an SSL context for every client, loading certifi's certificates: 30 ms of CPU for
# each `httpx.get(...)` (a client of its own), which the suite's loops call every 50 to 200 ms
# while a server or node starts or an item travels, and once a request in the relays and bursts.
# Those calls, and the API clients of support.people, pass this one context (`verify=TLS`): each
# call is still a client of its own (its own connection, no cookie kept), making the same
# requests, at 1 ms of CPU each. Made as httpx makes it (`create_ssl_context()`: certifi,
# SSL_CERT_FILE honoured), though the suite's servers speak plain HTTP.
TLS = httpx.create_ssl_context()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(
    url: str, *, within: float, every: float = 0.1, proc: subprocess.Popen | None = None
) -> bool:
    """Whether `url` answers 200 within `within` seconds, asked every `every` seconds: how the
    tests wait for a server or node they started (`proc`: stop waiting once it has exited)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2, verify=TLS).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(every)
    return False
