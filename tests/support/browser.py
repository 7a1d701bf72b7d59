"""Playwright driving Debian's Chromium (never a downloaded browser): the fixtures `chromium`
and `browser_context`, and steps every browser test takes.

The browser is Debian's `chromium-headless-shell` (`make browser` installs it): the same Chromium
build as the `chromium` package, in the headless shell Playwright itself runs for headless tests.
On the browser tests it took a quarter less CPU than the full browser in headless mode (117
instead of 159 CPU-seconds, 2026-12-02, 2 cores), and unlike the full browser it does not keep
working while idle through the rest of the run. HCOC_CHROMIUM=/usr/bin/chromium runs them in the
full browser.

Without Chromium the browser tests are skipped, unless HCOC_REQUIRE_BROWSER=1 (set by `make
test` and so by CI): then they fail, so a run without the browser cannot pass for a whole one."""

import functools
import os
import time
from pathlib import Path

import pytest

from . import REPO

CHROMIUM = os.environ.get("HCOC_CHROMIUM", "/usr/bin/chromium-headless-shell")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = REPO / "var" / "screenshots"
# The inbox and a notification in each of the six languages at 390 px, kept by every run that
# runs tests/browser/test_browser_languages.py (`<language>-inbox.png`, `-notification.png`).
PHONE_SHOTS = SCREENSHOTS / "phone"
STARTED = time.time()

# Playwright's sync API runs an event loop in the test thread; Django then refuses database
# calls from that thread unless told the loop is not serving requests (it is not: the live
# server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        message = (
            f"no browser at {CHROMIUM} (make browser, or apt-get install chromium-headless-shell)"
        )
        if os.environ.get("HCOC_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message}; HCOC_REQUIRE_BROWSER=1 does not allow skipping")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def watch_csp(page):
    """Record the page's Content-Security-Policy violations in `page.csp_violations`: a test
    asserts it is empty at the end (the pages have no inline scripts or styles)."""
    page.csp_violations = []
    page.on(
        "console",
        lambda m: (
            page.csp_violations.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    return page


@pytest.fixture
def page(browser_context):
    """A page of the live server whose CSP violations fail the test."""
    page = watch_csp(browser_context.new_page())
    yield page
    assert page.csp_violations == [], page.csp_violations


def log_in(page, username: str, password: str, code: str | None = None) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    if code:
        page.get_by_label("Two-factor code").fill(code)
    page.get_by_role("button", name="Log in").click()


def screenshot(page, name: str) -> None:
    """A full-page screenshot in var/screenshots/<name>.png, when HCOC_SCREENSHOTS=1: they are
    for people to look at (and tools/screenshots.py makes a demo's set), and taking them costs a
    run about 30 CPU-seconds, so an ordinary run skips them."""
    if os.environ.get("HCOC_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def pytest_terminal_summary(terminalreporter):
    """The run's last lines say where its kept screenshots are, when it took any (with pytest-xdist
    the workers take them and the controller, which ran no test, finds them by their time)."""
    kept = [p for p in PHONE_SHOTS.glob("*.png") if p.stat().st_mtime >= STARTED]
    if kept:
        terminalreporter.write_line(
            f"{len(kept)} screenshots of the six languages at 390 px kept in {PHONE_SHOTS}"
        )


def open_menu(page) -> None:
    """The site's menu opened, as its reader opens it on a phone, for an audit: axe takes what a
    closed <details> holds for hidden, at every width, so the menu's links (which the CSS shows
    at 1280 px) went unaudited, neither their names nor their contrast."""
    page.evaluate("() => document.querySelector('details.menu')?.setAttribute('open', '')")


SEVERE = {"serious", "critical"}


def audit(page, *, contrast: bool = True) -> list[str]:
    """axe-core's violations of impact "serious" or "critical" on the page, described; with
    `contrast=False`, all but its colour-contrast rule (two thirds of axe's time on our pages).

    axe-core (the copy the axe-playwright-python package ships) is put into the page once per
    page load, and only the severe violations' descriptions come back: the whole result object
    axe builds (every rule's passes) took Playwright longer to carry over than axe took to
    check the page.

    The rules that cannot report a severe violation are not run: those whose own impact and
    every check's impact are "minor" or "moderate" (region, heading-order, the landmark rules,
    hidden-content, ...: 25 of axe 4.12's 96 enabled rules). axe gives a violation its rule's
    impact when the rule has one, else its failing checks' highest; so such a rule's violations
    are all filtered out below anyway, and the list this returns is the same. A rule or check
    whose impact axe does not state is run."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    return page.evaluate(
        """async ([severe, contrast]) => {
            const impact = check => axe._audit.data.checks[check.id || check]?.impact;
            const mild = rule => [rule.impact, ...[...rule.any, ...rule.all, ...rule.none]
              .map(impact)].every(i => ['minor', 'moderate'].includes(i));
            const rules = Object.fromEntries(axe._audit.rules.filter(mild)
              .map(rule => [rule.id, {enabled: false}]));
            rules['color-contrast'] = {enabled: contrast};
            return (await axe.run(document, {resultTypes: ['violations'], rules})).violations
              .filter(v => severe.includes(v.impact))
              .map(v => `${v.id} (${v.impact}): ${v.help} at `
                        + JSON.stringify(v.nodes.slice(0, 3).map(n => n.target)));
          }""",
        [sorted(SEVERE), contrast],
    )


@functools.cache
def axe_script() -> str:
    import axe_playwright_python  # only the browser tests need it

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
