"""A review page's form as the browser sends it back (hcoc.ui.review): the reviewed body and the
server's token over it."""

import json
import re
from html import unescape


def review_fields(html: str) -> dict[str, str]:
    """{"payload": ..., "review": ...}: the review page's hidden fields, as a browser posts them."""
    out = {}
    for name in ("payload", "review"):
        m = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
        assert m, f"no hidden {name} on the review page"
        out[name] = unescape(m.group(1))
    return out


def reviewed_body(html: str) -> dict:
    """The API body a review page carries (its payload field), parsed."""
    return json.loads(review_fields(html)["payload"])
