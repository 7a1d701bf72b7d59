"""The exchange serves its own fonts for Arabic and Chinese (issue 27): every page links the
@font-face rules of the vendored Noto fonts, each rule names the characters its file holds
(unicode-range, so a browser fetches only the files a page's characters fall in), and every
file a rule names is served by the exchange itself (no CDN) as font/woff2, kept by browsers for
a year (its address carries its package's version). tests/browser/test_browser_fonts.py shows
Chromium drawing the pages of each language with its own."""

import re
from urllib.parse import urljoin

from django.test import Client

FACE = re.compile(r"@font-face\s*{([^}]*)}")


def _stylesheets(page: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)


def _body_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def _body(response) -> str:
    return _body_bytes(response).decode()


def test_every_page_links_the_noto_faces_and_every_font_they_name_is_served_for_a_year(db):
    client = Client(headers={"accept-language": "zh-hans"})
    page = client.get("/registry").content.decode()
    assert '<html lang="zh-hans"' in page
    sheets = _stylesheets(page)
    families = {}
    for sheet in sheets:
        r = client.get(sheet)
        assert r.status_code == 200, sheet
        for rule in FACE.findall(_body(r)):
            family = re.search(r"font-family:\s*'([^']+)'", rule).group(1)
            assert re.search(r"unicode-range:\s*U\+", rule), rule
            (src,) = re.findall(r"url\(([^)]+)\)", rule)
            families.setdefault(family, []).append(urljoin(sheet, src))
    assert set(families) == {"Noto Sans SC", "Noto Sans Arabic"}
    assert len(families["Noto Sans SC"]) > 90  # the numbered slices, one file each
    for url in [u for urls in families.values() for u in urls]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r["Content-Type"] == "font/woff2", url
        assert r["Cache-Control"] == "max-age=315360000, public, immutable", url
        assert _body_bytes(r)[:4] == b"wOF2", url
