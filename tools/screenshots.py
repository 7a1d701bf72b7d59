"""Full-page screenshots of the main pages, as each demo persona sees them, at 390 and 1280 px.

A developer tool for before/after comparisons of the layout (not a test: nothing fails on a
403 or 404, which an older version may answer for a page it does not have yet).

    .venv/bin/hcoc demo                                   # writes var/demo-credentials.json
    .venv/bin/hcoc serve --port 8311 --no-deliver &
    .venv/bin/python tools/screenshots.py --url http://127.0.0.1:8311 \\
        --credentials var/demo-credentials.json --out var/screenshots/after

It logs in (/accounts/login/; the ICC with a TOTP code computed from `totp_secret`) as France,
Japan, Korea, the ICC and North Korea (the non-subscriber) in Chromium, opens each page of
PAGES (and ICC_PAGES for the ICC) at 390x844 and 1280x900, and saves
`<out>/<persona>-<page>-<width>.png`. It prints a table of persona, page, HTTP status and
`document.documentElement.scrollWidth` at each width (wider than the viewport: the page scrolls
sideways) and writes the same as `<out>/index.csv`.
"""

import argparse
import base64
import csv
import hashlib
import hmac
import json
import re
import struct
import sys
import time
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

PERSONAS = ["FRA", "JPN", "KOR", "ICC", "PRK"]
WIDTHS = [(390, 844), (1280, 900)]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NOTIFICATION_LINK = re.compile(r"/notifications/[A-Z]{3}-\d{4}-\d{4}")

# (slug, path); None for the pages whose path is found at run time.
PAGES: list[tuple[str, str | None]] = [
    ("home", "/"),
    ("inbox", "/inbox"),
    ("notifications", "/notifications/"),
    ("notifications-new", "/notifications/new"),
    ("notification", None),
    ("declarations", "/declarations/"),
    ("declarations-new", "/declarations/new"),
    ("compliance", None),
    ("compliance-trends", "/compliance/trends"),
    ("log", "/log/"),
    ("meetings", "/meetings/"),
    ("invitations", "/invitations/"),
    ("registry", "/registry"),
    ("account", "/account"),
    ("contacts", "/contacts"),
]
ICC_PAGES: list[tuple[str, str | None]] = [
    ("icc", "/icc/"),
    ("icc-items", "/icc/items"),
    ("icc-contacts", "/icc/contacts"),
    ("icc-users", "/icc/users"),
    ("icc-deadlines", "/icc/deadlines"),
]


def totp(secret_b32: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The RFC 6238 code of a base32 key (HMAC-SHA1), as an authenticator app shows it."""
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def log_in(page: Page, base: str, creds: dict) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(creds["username"])
    page.get_by_label("Password", exact=True).fill(creds["password"])
    if creds.get("totp_secret"):
        # A code about to expire may be stale by the time the form arrives: wait for the next.
        if 30 - time.time() % 30 < 3:
            time.sleep(30 - time.time() % 30 + 0.5)
        page.get_by_label("Two-factor code").fill(totp(creds["totp_secret"]))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    if "/accounts/login" in page.url:
        raise SystemExit(f"login failed for {creds['username']} (still on {page.url})")


def visit(page: Page, url: str) -> int:
    """Open url; its HTTP status (0 if none). Pages with a live stream never go idle: wait for load."""
    response = page.goto(url, wait_until="load")
    page.wait_for_timeout(300)  # scripts that lay out after load (the timeline, tables)
    return response.status if response else 0


def resolve(page: Page, base: str, slug: str) -> str | None:
    """The path of the pages found at run time."""
    if slug == "notification":
        page.goto(f"{base}/notifications/", wait_until="load")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            match = NOTIFICATION_LINK.search(href)
            if match:
                return match.group(0)
        return None
    if slug == "compliance":
        response = page.goto(f"{base}/compliance/", wait_until="load")
        if response is None or response.status != 404:
            return "/compliance/"
        return f"/compliance/{date.today().year - 1}"
    raise ValueError(slug)


def shoot(base: str, credentials: dict, out: Path) -> list[dict]:
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for persona in PERSONAS:
                if persona not in credentials:
                    print(f"{persona}: not in the credentials, skipped", file=sys.stderr)
                    continue
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                log_in(page, base, credentials[persona])
                pages = PAGES + (ICC_PAGES if persona == "ICC" else [])
                for slug, path in pages:
                    if path is None:
                        path = resolve(page, base, slug)
                    row = {"persona": persona, "page": slug, "path": path or "", "status": ""}
                    for width, height in WIDTHS:
                        row[f"scroll_width_{width}"] = ""
                        if path is None:
                            continue
                        page.set_viewport_size({"width": width, "height": height})
                        row["status"] = visit(page, base + path)
                        row[f"scroll_width_{width}"] = page.evaluate(
                            "document.documentElement.scrollWidth"
                        )
                        page.screenshot(path=out / f"{persona}-{slug}-{width}.png", full_page=True)
                    rows.append(row)
                    print(
                        f"{persona:4} {slug:18} {row['status']!s:>4} "
                        f"{row['scroll_width_390']!s:>5} {row['scroll_width_1280']!s:>5}  {path or '-'}",
                        flush=True,
                    )
                context.close()
        finally:
            browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="e.g. http://127.0.0.1:8311")
    parser.add_argument("--credentials", required=True, type=Path, help="from `hcoc demo`")
    parser.add_argument("--out", required=True, type=Path, help="directory for PNGs, index.csv")
    args = parser.parse_args()
    credentials = json.loads(args.credentials.read_text())
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{'who':4} {'page':18} {'HTTP':>4} {'390':>5} {'1280':>5}  path")
    rows = shoot(args.url.rstrip("/"), credentials, args.out)
    fields = ["persona", "page", "path", "status", "scroll_width_390", "scroll_width_1280"]
    with (args.out / "index.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} pages, {2 * len(rows)} screenshots in {args.out}")


if __name__ == "__main__":
    main()
