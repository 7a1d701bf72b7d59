"""Right to left, codes, references, times, coordinates and numbers with units stay left to right
(issue 27): in Arabic, every time ('2026-12-18 03:00 UTC'), reference ('FRA-2026-0003'),
coordinate ('5°14'N') and distance ('3000 km') the key pages show as text stands in an element
that isolates it left to right (`<bdi dir="ltr">`, `dir="ltr"`; `<code>`, `<pre>` and the
charts' SVG, which the stylesheet sets left to right), so the bidirectional algorithm cannot
reorder it; the states' own words get `dir="auto"`. What carries no markup (a text e-mail, the
PDF, an attribute) gets none. The order a browser lays them out in is checked in
tests/browser/test_browser_bidi.py."""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.template import Context, Template
from support.bodies import declaration, pln
from support.pdf import visible_text
from support.people import web_client

from hcoc.accounts.models import User
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.services import declaration_submit
from hcoc.delivery.alerts import alerts_send_immediate
from hcoc.notifications.schemas import AmendmentIn, PLNIn
from hcoc.notifications.services import notification_amend, notification_submit
from hcoc.registry.services import circular_publish

pytestmark = pytest.mark.django_db

TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)? UTC")
REFERENCE = re.compile(r"\b[A-Z]{3}-\d{4}-\d{4}\b|\bICC-CIRC-\d{4}-\d{3}\b")
DMS = re.compile(r"\d+°\d+'\d+\"[NSEW]")
DISTANCE = re.compile(r"\b\d+(?:\.\d+)? km\b")
VALUES = {"time": TIME, "reference": REFERENCE, "coordinate": DMS, "distance": DISTANCE}

# What never holds markup (the head's <title>, an <option>, a field's text), or is not text.
UNMARKED = {"head", "title", "option", "textarea", "script", "style", "template"}
# Set left to right and isolated by the stylesheet (site.css), whatever their parents say.
LTR_BY_STYLE = {"code", "pre", "kbd", "samp", "svg"}
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class _Direction(HTMLParser):
    """Each text node of the body with the direction of the nearest element that isolates it:
    'ltr', 'rtl' or 'auto' from a `dir` attribute (or a `<bdi>`, 'auto' by default), None
    where nothing between it and the page's `<html dir>` does."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        if tag == "html":
            isolate = None
        elif tag in LTR_BY_STYLE:
            isolate = "ltr"
        elif "dir" in attrs:
            isolate = attrs["dir"]
        elif tag == "bdi":
            isolate = "auto"
        else:
            isolate = None
        self.stack.append((tag, isolate))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        # An element left open inside (<p> without </p>) ends with its parent.
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(tag in UNMARKED for tag, _ in self.stack) or not data.strip():
            return
        isolate = next((d for _, d in reversed(self.stack) if d is not None), None)
        self.texts.append((data, isolate))


def values_shown(html: str) -> dict[str, list[tuple[str, str | None]]]:
    """{'time': [(value, the direction isolating it or None), ...], 'reference': ...}."""
    parser = _Direction()
    parser.feed(html)
    found: dict[str, list[tuple[str, str | None]]] = {kind: [] for kind in VALUES}
    for text, isolate in parser.texts:
        for kind, pattern in VALUES.items():
            found[kind] += [(m.group(), isolate) for m in pattern.finditer(text)]
    return found


def not_isolated(html: str) -> list[tuple[str, str, str | None]]:
    return [
        (kind, value, isolate)
        for kind, seen in values_shown(html).items()
        for value, isolate in seen
        if isolate != "ltr"
    ]


@pytest.fixture
def arabic_world(personas):
    """France's notification, amended once (its versions say what moved), inside the next 30
    days (the dashboard's table); a declaration of France; a circular of the ICC; Japan's reader
    reads in Arabic."""
    fra = User.objects.get(username="fra_submitter")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    day = now + timedelta(days=5)
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
    window = {"opens": f"{day:%Y-%m-%d}T03:00:00Z", "closes": f"{day:%Y-%m-%d}T09:00:00Z"}
    notification_amend(
        actor=fra,
        reference=n.reference,
        data=AmendmentIn.model_validate(pln(window=window, reason="الطقس.")),
    )
    year = now.year - 1
    declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(year)))
    circular_publish(actor=User.objects.get(username="icc"), title="تعميم", text="نص التعميم.")
    User.objects.filter(username="jpn_reader").update(language="ar")
    return n.reference, year, day


def test_in_arabic_the_key_pages_isolate_every_time_and_reference_left_to_right(arabic_world):
    reference, year, day = arabic_world
    client = web_client("jpn_reader")
    pages = {
        "inbox": "/inbox",
        "notification": f"/notifications/{reference}",
        "notifications": "/notifications/",
        "dashboard": "/",
        "declaration": f"/declarations/FRA/{year}",
        "registry": "/registry",
    }
    must_show = {
        "inbox": {"time", "reference"},
        # Its range and apogee read "3000 كم" in Arabic, the unit in the reader's script (a
        # number beside Arabic words keeps its place): no Latin "km" is left to find here.
        "notification": {"time", "reference", "coordinate"},
        "notifications": {"time", "reference"},
        "dashboard": {"time", "reference"},
        "declaration": {"time"},
        "registry": {"time", "reference"},
    }
    for name, path in pages.items():
        r = client.get(path)
        assert r.status_code == 200, (name, r.status_code)
        html = r.content.decode()
        assert '<html lang="ar" dir="rtl">' in html, name
        shown = values_shown(html)
        for kind in must_show[name]:
            assert shown[kind], (name, kind)  # the page shows one, so the check checks
        assert not_isolated(html) == [], (name, not_isolated(html))
    # The window's both ends, each in its own isolate: the range reads start, then end.
    page = client.get(f"/notifications/{reference}").content.decode()
    opens, closes = f"{day:%Y-%m-%d} 03:00 UTC", f"{day:%Y-%m-%d} 09:00 UTC"
    assert f'<bdi dir="ltr">{opens}</bdi> – <bdi dir="ltr">{closes}</bdi>' in page
    # The state's own words keep their own direction.
    assert '<bdi dir="auto">الطقس.</bdi>' in page


def test_the_check_finds_a_time_or_reference_left_in_the_sentence():
    """The helper the test above trusts: it must see what is not isolated, and where."""
    html = (
        '<html lang="ar" dir="rtl"><head><title>FRA-2026-0003</title></head><body>'
        '<p>نافذة 2026-12-18 03:00 UTC – <bdi dir="ltr">2026-12-21 03:00 UTC</bdi></p>'
        '<p dir="auto">FRA-2026-0004</p><p><code>GET /api/v1/notifications/FRA-2026-0005</code>'
        "</p><p><bdi>FRA-2026-0006</bdi> 45°12'00\"N</p></body></html>"
    )
    assert not_isolated(html) == [
        ("time", "2026-12-18 03:00 UTC", None),
        ("reference", "FRA-2026-0004", "auto"),
        ("reference", "FRA-2026-0006", "auto"),
        ("coordinate", "45°12'00\"N", None),
    ]


def test_in_english_the_pages_read_the_same_text_with_hostile_text_escaped(personas):
    """The isolates add no visible character, and what a state typed stays text: markup in a
    vehicle's name, remarks, national reference and an impact area's description is escaped
    inside them."""
    hostile = '<script>alert("FRA-2026-0009")</script>'
    fra = User.objects.get(username="fra_submitter")
    n = notification_submit(
        actor=fra,
        data=PLNIn.model_validate(
            pln(
                vehicle_name=hostile,
                remarks=hostile,
                national_reference=hostile,  # a reference-like field a state types
                impact_areas=[
                    {
                        "kind": "stage",
                        "center": {"lat": -16.5, "lon": 179.5},
                        "radius_km": 100,
                        "description": hostile,
                    }
                ],
            )
        ),
    )
    html = web_client("jpn_reader").get(f"/notifications/{n.reference}").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "<script>alert" not in html
    escaped = "&lt;script&gt;alert(&quot;FRA-2026-0009&quot;)&lt;/script&gt;"
    assert f'<bdi dir="auto">{escaped}</bdi>' in html  # the vehicle, as sent
    assert html.count(escaped) >= 4  # the vehicle, remarks, national reference, description
    # A negative coordinate keeps its sign before its digits: isolated whole.
    assert '<bdi dir="ltr">-16.5</bdi>' in html
    # The window reads as before, character for character, once the tags are set aside.
    text = re.sub(r"<[^>]+>", "", html)
    opens = n.window_opens
    assert f"{opens:%Y-%m-%d %H:%M} UTC – " in text


@pytest.mark.process  # pdftotext reads the PDF as a viewer does
def test_what_takes_no_markup_gets_none(personas):
    """A text template (an e-mail's `{% autoescape off %}`) and an attribute (`|plain`) get the
    value as it is; the PDF and the text e-mail of a notification carry no tag, and no Unicode
    isolate either (hcoc.ui.bidi says why), while the e-mail's HTML part isolates as a page."""
    at = datetime(2026, 12, 18, 3, 0, tzinfo=UTC)
    text = Template("{% load hcoc %}{% autoescape off %}{{ t|utc }} {{ r|ltr }}{% endautoescape %}")
    assert text.render(Context({"t": at, "r": "FRA-2026-0003"})) == (
        "2026-12-18 03:00 UTC FRA-2026-0003"
    )
    attribute = Template('{% load hcoc %}<p title="{{ t|utc|plain }}">{{ t|utc }}</p>')
    assert attribute.render(Context({"t": at})) == (
        '<p title="2026-12-18 03:00 UTC"><bdi dir="ltr">2026-12-18 03:00 UTC</bdi></p>'
    )
    User.objects.filter(username="jpn_reader").update(email="jpn@example.org", language="ar")
    fra = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
    mail.outbox.clear()
    alerts_send_immediate()
    (alert,) = [m for m in mail.outbox if m.to == ["jpn@example.org"]]
    assert n.reference in alert.body and " UTC" in alert.body
    # The e-mail's HTML part is a page of its own: its reference and times are isolated.
    (html_part, _), *_ = alert.alternatives
    assert '<html lang="ar" dir="rtl">' in html_part
    assert f'<bdi dir="ltr">{n.reference}</bdi>' in html_part
    assert values_shown(html_part)["time"] and not_isolated(html_part) == []
    # An Arabic PDF is drawn in the vendored Noto font, glyph by glyph: read as a viewer does.
    pdf = visible_text(web_client("jpn_reader").get(f"/notifications/{n.reference}/pdf").content)
    for plain_text in (alert.body, pdf):
        assert "<bdi" not in plain_text and "dir=" not in plain_text
        assert not set(plain_text) & {"\u2066", "\u2067", "\u2068", "\u2069"}


def test_an_alerts_html_shows_an_areas_own_words_beside_its_isolated_figures(personas):
    """A circle's figures are isolated in the alert's HTML part and the state's description
    beside them is its own words (dir="auto"): the description was added to the HTML sentence
    as a str, which made the whole of it text, so the e-mail showed its <bdi> tags."""
    User.objects.filter(username="jpn_reader").update(email="jpn@example.org", language="ar")
    fra = User.objects.get(username="fra_submitter")
    area = {"center": {"lat": 5.2, "lon": -52.8}, "radius_km": 20, "description": "Kourou <A>"}
    notification_submit(actor=fra, data=PLNIn.model_validate(pln(launch_area=area)))
    mail.outbox.clear()
    alerts_send_immediate()
    (alert,) = [m for m in mail.outbox if m.to == ["jpn@example.org"]]
    (html_part, _), *_ = alert.alternatives
    assert "&lt;bdi" not in html_part
    assert '<bdi dir="ltr">20</bdi>' in html_part
    assert '<bdi dir="auto">Kourou &lt;A&gt;</bdi>' in html_part
    assert "Kourou <A>" in alert.body and "<bdi" not in alert.body
