"""What a person reads, checked for the machine underneath (issue 25): a state's ISO code
standing alone ("FRA", "Chair JPN", a site code "FRA-KOUROU"), a snake_case value
("no_objection", "territorial_sea"), a time with microseconds ("08:49:37.658209") and an RFC 3339
time as the API writes it ("2026-12-07T08:49:01Z"; a page says "2026-12-07 08:49 UTC").

`readable_text(html)` is the text a page shows a reader: its text nodes, without what no one
reads as prose (scripts, styles, templates, `<code>`, `<pre>`, `<kbd>`, `<samp>`: the
canonical bytes, the API's names, a command), nor attributes (a `<time datetime>` keeps the exact
time for machines). `findings(text)` lists what in `text` is the machine's, each with a few words
around it, so a failure says where.

A code may stand beside its state's name, in brackets ("France (FRA)") or in a cell of its own
marked `data-code` beside the name's (the registry's ISO column); a reference such as
"FRA-2026-0001" or "FRA/2025" is an identifier, not a code standing alone, and a username ("fra_reader") is
how a person is named, not a snake_case value.
"""

import re
from html.parser import HTMLParser

from hcoc.lib.geo.states import boundaries

SKIPPED = {"script", "style", "template", "code", "pre", "kbd", "samp", "textarea", "svg"}
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip

SNAKE = re.compile(r"(?<![\w./:@#=?&-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/@(-])")
MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d{3,6}")
# RFC 3339 as the API writes it (2026-12-07T08:49:01Z): a page says 2026-12-07 08:49 UTC. The
# example of what a time field takes (2026-12-10T06:00Z, no seconds) is what people type, not this.
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
CODE = re.compile(r"(?<![\w(/-])([A-Z]{3})(?:-[A-Z][A-Z0-9]*)*(?![\w)/-])")


# The Code's own words that are also a state's code: SLV, a space launch vehicle (the category
# and the classes SLV-small ... SLV-suborbital), is El Salvador's code too.
VOCABULARY = frozenset({"SLV"})


def _codes() -> frozenset[str]:
    from hcoc.states.models import State

    codes = frozenset(State.objects.values_list("iso3", flat=True)) | frozenset(
        str(code) for code in boundaries().states
    )
    return codes - VOCABULARY


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        # `hidden`: not shown; `data-code`: a code in a column of its own beside the name
        # (the registry's ISO column).
        hidden = any(name in ("hidden", "data-code") for name, _ in attrs)
        if (tag in SKIPPED or hidden or self.skipping) and tag not in VOID:
            self.skipping.append(tag)
        elif tag in ("br", "p", "li", "tr", "td", "th", "div", "h1", "h2", "h3", "option"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.skipping:  # an element left open inside (<p> without </p>) ends too
            while self.skipping.pop() != tag:
                pass
        elif tag in ("p", "li", "tr", "td", "th", "div", "h1", "h2", "h3", "option", "dt", "dd"):
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def readable_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return re.sub(r"[ \t]+", " ", "".join(parser.parts))


def _around(text: str, m: re.Match) -> str:
    start, end = max(0, m.start() - 40), min(len(text), m.end() + 40)
    return " ".join(text[start:end].split())


def _usernames() -> frozenset[str]:
    from hcoc.accounts.models import User

    return frozenset(User.objects.values_list("username", flat=True))


def findings(text: str, codes: frozenset[str] | None = None) -> list[str]:
    """Each ISO code standing alone, snake_case value and microsecond time in `text`."""
    codes = _codes() if codes is None else codes
    usernames = _usernames()
    found = []
    for m in CODE.finditer(text):
        if m.group(1) in codes:
            found.append(f"code {m.group(0)!r}: …{_around(text, m)}…")
    for m in SNAKE.finditer(text):
        if m.group(0) in usernames:
            continue
        found.append(f"snake_case {m.group(0)!r}: …{_around(text, m)}…")
    for m in MICROSECONDS.finditer(text):
        found.append(f"microseconds {m.group(0)!r}: …{_around(text, m)}…")
    for m in RFC3339.finditer(text):
        if not MICROSECONDS.search(m.group(0)):
            found.append(f"RFC 3339 time {m.group(0)!r}: …{_around(text, m)}…")
    return found
