"""The slices of public reference data the tests read, shipped in tests/data/ (sources, licences
and the command that cuts them: tests/data/README.md).

`reference(path)` gives a slice's path. A missing slice skips its test, unless
HCOC_REQUIRE_DATA=1 (set by `make test`, and so by CI): then the test fails, so a run that lost
its data cannot pass for a whole one, as HCOC_REQUIRE_BROWSER=1 does for the browser."""

import os
from pathlib import Path

import pytest

from . import REPO

DATA = REPO / "tests" / "data"


def reference(path: str) -> Path:
    full = DATA / path
    if not full.exists():
        message = f"reference data {full.relative_to(REPO)} is not here (tests/data/README.md)"
        if os.environ.get("HCOC_REQUIRE_DATA") == "1":
            pytest.fail(f"{message}; HCOC_REQUIRE_DATA=1 does not allow skipping")
        pytest.skip(message)
    return full
