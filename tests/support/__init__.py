"""What the tests share: the personas and their fixtures (`support.people`), request bodies
(`support.bodies`), what a refused request must leave alone (`support.stored`), a browser
(`support.browser`), and helpers of one area each (`support.ledger`, `support.meetings`,
`support.http_workers`, `support.fuzz_hooks`). Importable as `support` because pyproject's
pytest `pythonpath` puts tests/ on sys.path (in every xdist worker and in the processes tests
start with multiprocessing)."""

import os
import socket
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
