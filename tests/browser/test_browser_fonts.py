"""Chinese and Arabic pages drawn in the exchange's own Noto fonts (issue 27), whatever fonts the
reader's machine has: Chromium reports the font it drew a heading with (DevTools'
CSS.getPlatformFontsForNode: the web font, not a system one), and fetched only the slices of
Noto Sans SC the page's characters fall in, not all of them."""

import pytest
from support.browser import watch_csp

pytestmark = pytest.mark.slow

HEADING_FONT = {"zh-hans": "Noto Sans SC", "ar": "Noto Sans Arabic"}


def _fonts_of(page, selector: str) -> list[dict]:
    """The fonts Chromium drew the element's text with, each with how many glyphs."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


@pytest.mark.parametrize("language", list(HEADING_FONT))
def test_a_page_in_chinese_or_arabic_is_drawn_in_the_exchanges_own_noto(
    language, browser_context, live_server, db
):
    browser_context.add_cookies(
        [{"name": "hcoc_language", "value": language, "url": live_server.url}]
    )
    page = watch_csp(browser_context.new_page())
    fetched = []
    page.on(
        "response",
        lambda r: fetched.append((r.url, r.status)) if r.url.endswith(".woff2") else None,
    )
    page.goto("/registry")
    assert page.locator("html").get_attribute("lang") == language
    # Every face the page needed is loaded once the document's fonts are ready.
    loaded = page.evaluate(
        """async () => { await document.fonts.ready;
            return [...document.fonts].filter(f => f.status === 'loaded')
                                      .map(f => f.family.replaceAll('"', '')); }"""
    )
    assert HEADING_FONT[language] in loaded, loaded
    drawn = _fonts_of(page, "h1")
    main = max(drawn, key=lambda f: f["glyphCount"])
    # The web font (isCustomFont), by the name its file gives itself: Fontsource's static cut
    # of Noto Sans SC keeps its variable font's default name, "Noto Sans SC Thin".
    assert main["isCustomFont"] and main["familyName"].startswith(HEADING_FONT[language]), drawn
    assert fetched and all(status == 200 for _url, status in fetched), fetched
    assert all("/static/vendor/noto-sans" in url for url, _status in fetched), fetched
    if language == "zh-hans":
        # unicode-range at work: a few of the 97 slices, those the page's characters are in.
        assert 0 < len(fetched) < 40, len(fetched)
    assert page.csp_violations == [], page.csp_violations
