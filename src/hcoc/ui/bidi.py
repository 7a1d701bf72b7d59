"""Codes, references, times, coordinates and numbers with units, isolated left to right where a
page shows them inside a sentence (issue 27).

In a right-to-left page (Arabic), the Unicode bidirectional algorithm orders a value's runs in
the paragraph's direction: "FRA-2026-0003" is shown as "2026-0003-FRA", "2026-12-18 03:00 UTC"
as "UTC 03:00 2026-12-18", "-16.50000" as "16.50000-". Each such value is put in its own
isolate, laid out left to right, that the sentence around it places as one neutral unit: the
start of a range stays before its end in the reader's direction.

The isolate is `<bdi dir="ltr">…</bdi>` rather than `<span dir="ltr">`: `<bdi>` says what it is
for (its whole job is bidi isolation; browsers isolate it by their own stylesheet, which
matters in an HTML e-mail or a page whose stylesheet failed), and it carries no other meaning a
stylesheet or a script could catch. `dir="ltr"` rather than `<bdi>`'s own `auto`: these values
are always left to right, and `auto` guesses from the first letter, which a date or a number
has none of. Screen readers read a `<bdi>` as its text.

Only pages get markup (an HTML e-mail is a page). Text meant as plain text (e-mails in
text/plain, the PDF, CSV and XLSX files, the API, attributes such as `title` and `aria-label`,
a page's `<title>`, `<option>`, SVG text, whose direction the stylesheet sets instead) gets the
value as it is: no markup, and no Unicode isolate characters (U+2066 LRI ... U+2069 PDI)
either. They are invisible: copied with a reference out of an e-mail or a PDF, they would
travel into a search box, a spreadsheet cell or an API call and match nothing, and a font
without them may show a box; a text e-mail's reader lays each line out on its own, so the
isolates would help only where the time sits inside an Arabic sentence, at that price. The
template filters (hcoc.ui.templatetags.hcoc) ask the template whether it escapes: an HTML page
does, a text template (`{% autoescape off %}`) does not.

States' own free text is the other half: shown as sent, in an element with `dir="auto"` (in
the templates), so a remark in Arabic in an English page, or in English in an Arabic page, takes
its own direction and does not reorder what stands beside it.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def isolated(value: Any) -> SafeString | str:
    """'FRA-2026-0003' -> '<bdi dir="ltr">FRA-2026-0003</bdi>' (escaped); '' for none or ''."""
    if value is None or value == "":
        return ""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


def free_text(value: Any, *, html: bool) -> str:
    """A state's own words (a remark, a name it typed), shown as sent: in a page, in an isolate
    that takes the direction of its own first strong letter (`<bdi dir="auto">`); '' for none."""
    if value is None or value == "":
        return ""
    return format_html('<bdi dir="auto">{}</bdi>', value) if html else str(value)


def plain(value: Any) -> str:
    """The value as text, for what takes no markup (the counterpart of `isolated`)."""
    return "" if value is None else str(value)


def percent(template: str, values: Mapping[str, Any], *, html: bool) -> str:
    """`template % values` (a translated sentence with %(name)s places): as HTML, the sentence
    and each value escaped except what is HTML already (an isolated value); else as text."""
    if not html:
        return template % values
    # Numbers stay numbers (a %(n)d place takes no text); every other value is escaped.
    escaped = {
        k: v if isinstance(v, int | float) else conditional_escape(v) for k, v in values.items()
    }
    # Safe: the sentence and each value are escaped above (conditional_escape keeps HTML as is).
    return mark_safe(conditional_escape(template) % escaped)  # noqa: S308


def joined(separator: str, parts: list[Any], *, html: bool) -> str:
    """parts joined by separator, as HTML (each escaped unless it is HTML already) or text."""
    if not html:
        return separator.join(str(p) for p in parts)
    return format_html_join(conditional_escape(separator), "{}", ((p,) for p in parts))


def isolating(html: bool) -> Callable[[Any], str]:
    """`isolated` for a page, `plain` for text: what a builder of sentences shared by a page and
    a file (a notification's facts: its page and its PDF) calls on each value."""
    return isolated if html else plain
