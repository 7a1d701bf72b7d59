"""A launch window read right to left (issue 27): on an Arabic page at 390 px, Chromium lays out
the window's start before its end in the reader's direction (to the right of it, or on an
earlier line), and each time's own characters left to right: "2026-12-18 03:00 UTC", never
"UTC 03:00 2026-12-18". Measured on the text itself (`document.createRange` over the characters
of each part), not on the markup: the markup is tests/i18n/test_bidi.py's."""

from datetime import UTC, datetime, timedelta

import pytest
from support.bodies import pln
from support.browser import log_in, watch_csp
from support.people import set_password
from test_browser_phone import PHONE

from hcoc.accounts.models import User
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = pytest.mark.slow

# The boxes of the given characters of the first text node (under the first <dd> of <main> that
# shows the whole window) holding `time`: {part: {left, right, top, bottom}}.
BOXES = """([range, time, parts]) => {
  const dd = [...document.querySelectorAll("main dd")].find(d => d.textContent.includes(range));
  if (!dd) return null;
  const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode()) && !node.data.includes(time)) {}
  if (!node) return null;
  const at = node.data.indexOf(time);
  const boxes = {};
  for (const [name, start, end] of parts) {
    const r = document.createRange();
    r.setStart(node, at + start);
    r.setEnd(node, at + end);
    const b = r.getBoundingClientRect();
    boxes[name] = {left: b.left, right: b.right, top: b.top, bottom: b.bottom};
  }
  return boxes;
}"""

# A time's parts, by their characters in "2026-12-18 03:00 UTC".
PARTS = [["date", 0, 10], ["hour", 11, 16], ["zone", 17, 20]]


def same_line(a: dict, b: dict) -> bool:
    return a["top"] < b["bottom"] and b["top"] < a["bottom"]


def before_left_to_right(a: dict, b: dict) -> bool:
    """`a` comes before `b` read left to right: on an earlier line, or to its left."""
    return a["right"] <= b["left"] + 0.5 if same_line(a, b) else a["bottom"] <= b["top"] + 0.5


def before_right_to_left(a: dict, b: dict) -> bool:
    """`a` comes before `b` read right to left: on an earlier line, or to its right."""
    return a["left"] >= b["right"] - 0.5 if same_line(a, b) else a["bottom"] <= b["top"] + 0.5


def test_an_arabic_phone_shows_a_windows_start_before_its_end_each_time_left_to_right(
    chromium, live_server, personas
):
    fra = User.objects.get(username="fra_submitter")
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    window = {"opens": f"{day}T03:00:00Z", "closes": f"{day}T09:00:00Z"}
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln(window=window)))
    User.objects.filter(username="jpn_reader").update(language="ar")
    opens, closes = f"{day} 03:00 UTC", f"{day} 09:00 UTC"
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(15_000)
    try:
        page = watch_csp(context.new_page())
        log_in(page, "jpn_reader", set_password("jpn_reader"))
        page.goto(f"/notifications/{n.reference}")
        assert page.locator("html").get_attribute("dir") == "rtl"
        range_text = f"{opens} – {closes}"
        start = page.evaluate(BOXES, [range_text, opens, PARTS])
        end = page.evaluate(BOXES, [range_text, closes, PARTS])
        assert start and end, "the window is not on the page as one range"
        # The range reads in the page's direction: every part of its start before every part
        # of its end (to its right, or on an earlier line: at 390 px the range may wrap).
        for a in ("date", "hour", "zone"):
            for b in ("date", "hour", "zone"):
                assert before_right_to_left(start[a], end[b]), (a, b, start, end)
        # Each time reads left to right: its date, then its hour, then "UTC".
        for time in (start, end):
            assert before_left_to_right(time["date"], time["hour"]), time
            assert before_left_to_right(time["hour"], time["zone"]), time
        assert page.csp_violations == [], page.csp_violations
    finally:
        context.close()
