"""Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
from pathlib import Path

CHROMIUM = os.environ.get("HCOC_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
