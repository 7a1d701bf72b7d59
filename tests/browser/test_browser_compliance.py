"""The compliance trends in a real browser: the charts' axis labels are legible at the size the
page draws them (a third of a wide screen, a phone) and none is clipped or overlaps another;
a year without data is a gap."""

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect
from support.browser import log_in, screenshot
from support.people import set_password

from hcoc.accounts.models import User
from hcoc.declarations.services import deadline_set

pytestmark = pytest.mark.slow

# For each chart: the smallest on-screen font size of its labels, and labels that leave the
# drawing or overlap a neighbour on the same line.
MEASURE = """() => [...document.querySelectorAll('figure.chart svg')].map(svg => {
  const box = svg.getBoundingClientRect(), scale = svg.getScreenCTM().a;
  const labels = [...svg.querySelectorAll('text.tick')].map(t => ({
    r: t.getBoundingClientRect(), size: parseFloat(getComputedStyle(t).fontSize) * scale}));
  const outside = labels.filter(l => l.r.left < box.left - 0.5 || l.r.right > box.right + 0.5
    || l.r.top < box.top - 0.5 || l.r.bottom > box.bottom + 0.5).length;
  let overlaps = 0;
  for (const a of labels) for (const b of labels) if (a !== b && a.r.left < b.r.right
      && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom) overlaps++;
  return {id: svg.getAttribute('aria-labelledby'), smallest: Math.min(...labels.map(l => l.size)),
          outside, overlaps, bars: svg.querySelectorAll('rect.bar').length};
})"""


def test_the_trend_charts_axes_are_legible_and_unclipped_on_a_wide_screen_and_a_phone(
    page, personas
):
    year = datetime.now(UTC).year - 1
    deadline_set(actor=User.objects.get(username="icc"), year=year, due_on=date(year + 1, 3, 31))
    log_in(page, "jpn_reader", set_password("jpn_reader"))
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/compliance/trends")
        expect(page.get_by_role("heading", name="Compliance trends since 2002")).to_be_visible()
        charts = page.evaluate(MEASURE)
        assert len(charts) == 5
        for c in charts:
            assert c["smallest"] >= 11, (width, c)
            assert c["outside"] == 0 and c["overlaps"] == 0, (width, c)
        declared = next(c for c in charts if c["id"] == "declared-title")
        assert declared["bars"] == 1  # only the year with a due date has data: the rest are gaps
        screenshot(page, f"compliance-trends-{width}")
