"""Every page on a phone, and the accessibility audit of every page, as each persona (issue 13).

Every HTML page the page access matrix (support.page_world.PAGES) opens for a persona fits a
390 px wide screen without a sideways scroll, and a 640 px one (a 1280 px window at 200 % zoom
lays out 640 CSS px); axe-core finds no serious or critical violation at 390 px nor at 1280 px
(colour contrast checked at 1280 px);
no date or time input is a widget that follows the browser's locale (they are ISO 8601 text);
with HCOC_SCREENSHOTS=1, a screenshot of each at both sizes is kept in var/screenshots/ as
`phone-<persona>-<page>-390.png` and `-1280.png`.

The pages are the matrix's GET rows that answer the persona 200, so a new page is walked here as
soon as it has its row. Each page is audited and photographed as the first persona (in AUDIT
order) that may open it, and the home page as every persona: the rest are the same templates.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from support.browser import audit, open_menu, screenshot, watch_csp
from support.page_world import build_world, pages_of

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
ZOOMED = {"width": 640, "height": 450}  # 1280 x 900 at 200 %
DESK = {"width": 1280, "height": 900}
# Whom each page is audited and photographed as: the first of these it answers 200.
AUDIT = ["anonymous", "fra_submitter", "icc", "jpn_submitter", "fra_reader", "prk_user"]


def audited_as(name: str) -> str:
    return next(p for p in AUDIT if name in pages_of(p))


def resize(page, size: dict) -> None:
    """The viewport at `size`, once the page has had its resize event (app.js makes a table
    that now scrolls sideways focusable there): resize steps run before the next frame."""
    page.set_viewport_size(size)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => setTimeout(done)))")


def unreadable_timeline_labels(page) -> list[str]:
    """The dashboard's timeline labels smaller than 11 px or running off the timeline's box."""
    return page.evaluate(
        """() => {
            const fig = document.querySelector('.timeline svg');
            if (!fig) return [];
            const box = fig.getBoundingClientRect();
            return [...fig.querySelectorAll('text')].map(t => [t, t.getBoundingClientRect()])
              .filter(([t, r]) => r.height < 11 || r.left < box.left - 0.5
                      || r.right > box.right + 0.5 || r.bottom > box.bottom + 0.5)
              .map(([t, r]) => `${t.textContent} (${Math.round(r.left)}-${Math.round(r.right)}`
                               + ` of ${Math.round(box.left)}-${Math.round(box.right)},`
                               + ` ${Math.round(r.height)} px high)`);
        }"""
    )


def overflow(page) -> dict:
    """The page's width beyond the viewport, and the widest elements that make it (for the
    failure message): past its right edge, or its left one right to left (Arabic), where the
    page then scrolls."""
    return page.evaluate(
        """() => {
            const vw = document.documentElement.clientWidth;
            const rtl = getComputedStyle(document.documentElement).direction === 'rtl';
            const wide = [...document.querySelectorAll('body *')]
              .filter(e => rtl ? e.getBoundingClientRect().left < -0.5
                               : e.getBoundingClientRect().right > vw + 0.5)
              .filter(e => !e.closest('table, pre, .leaflet-container'))
              .slice(0, 5)
              .map(e => e.tagName.toLowerCase() + (e.getAttribute('class') ? '.' + e.getAttribute('class').split(' ')[0] : '')
                        + ' ' + Math.round(e.getBoundingClientRect()[rtl ? 'left' : 'right']));
            return {scroll: document.documentElement.scrollWidth, view: vw, wide};
        }"""
    )


@pytest.mark.parametrize("persona", AUDIT)
def test_every_page_a_persona_opens_fits_a_phone_and_passes_the_audit(
    persona, transactional_db, chromium, live_server
):
    clients, kwargs, _ = build_world()
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(15_000)
    session = clients[persona].cookies.get("sessionid")
    if session is not None:
        host = live_server.url.split("//", 1)[1].split(":")[0]
        context.add_cookies(
            [{"name": "sessionid", "value": session.value, "domain": host, "path": "/"}]
        )
    page = watch_csp(context.new_page())
    too_wide, problems, walked, locale_widgets = {}, {}, [], []
    try:
        for name in pages_of(persona):
            url = reverse(name, kwargs=kwargs.get(name))
            resize(page, PHONE)
            response = page.goto(url)
            assert response.ok and response.request.redirected_from is None, (name, page.url)
            expect(page.locator("main")).to_be_visible()
            walked.append(name)
            # Dates and times are ISO 8601 text: a date or datetime-local widget shows the
            # browser's locale (12/10/2026, 06:00 AM).
            if page.locator("input[type=date], input[type=datetime-local]").count():
                locale_widgets.append(name)
            slug = f"phone-{persona}-{name.replace(':', '-')}"
            for size in (PHONE, ZOOMED):
                resize(page, size)
                got = overflow(page)
                if got["scroll"] > size["width"]:
                    too_wide[f"{name} at {size['width']}"] = got
                if labels := unreadable_timeline_labels(page):
                    too_wide[f"{name}'s timeline at {size['width']}"] = labels
            if audited_as(name) != persona and name != "project:dashboard":
                continue
            open_menu(page)
            for size in (PHONE, DESK):
                resize(page, size)
                # Colour contrast once, at 1280 px: no colour in site.css depends on the width
                # (its one width rule is layout), and there every table is laid out whole.
                found = audit(page, contrast=size is DESK)
                if found:
                    problems[f"{name} at {size['width']}"] = found
                screenshot(page, f"{slug}-{size['width']}")
    finally:
        context.close()
    assert walked, f"no page walked as {persona}"
    assert too_wide == {}, too_wide
    assert locale_widgets == [], locale_widgets
    assert problems == {}, problems
    assert page.csp_violations == [], page.csp_violations


def test_the_audit_reports_a_missing_alternative_text_and_faint_text(chromium):
    """The audit above passes only because the pages are right: on a page with both faults it
    names each, and it names them again when run twice on one page load; and it sees into the
    menu only once the menu is open."""
    page = chromium.new_page()
    try:
        page.set_content(
            '<html lang="en"><title>t</title><main><img src="x.png">'
            '<p style="color:#ccc;background:#fff">faint</p></main></html>'
        )
        for _ in range(2):
            found = audit(page)
            assert [f.split(" ")[0] for f in found] == ["color-contrast", "image-alt"], found
        found = audit(page, contrast=False)  # as the walk audits at 390 px
        assert [f.split(" ")[0] for f in found] == ["image-alt"], found
        page.set_content('<html lang="en"><title>t</title><main><p>plain</p></main></html>')
        assert audit(page) == []
        # A rule the audit leaves out (support.browser.audit) reports only what it would filter
        # out: axe's whole run finds this page's text outside a landmark, a moderate violation.
        page.set_content('<html lang="en"><title>t</title><p>outside</p><main>in</main></html>')
        assert audit(page) == []
        everything = page.evaluate(
            "async () => (await axe.run(document)).violations.map(v => [v.id, v.impact])"
        )
        assert ["region", "moderate"] in everything, everything
        # Why the walk opens the menu first: axe skips what a closed <details> holds, even
        # where the CSS shows it; opened, the menu's faint link is found.
        page.set_content(
            '<html lang="en"><title>t</title><main><details class="menu"><summary>Menu</summary>'
            '<a href="/" style="color:#ccc;background:#fff">faint</a></details></main></html>'
        )
        assert audit(page) == []
        open_menu(page)
        found = audit(page)
        assert [f.split(" ")[0] for f in found] == ["color-contrast"], found
    finally:
        page.close()
