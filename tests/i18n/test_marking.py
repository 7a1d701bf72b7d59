"""Every string a reader sees is marked for translation (issue 27).

Templates: a text node or a user-facing attribute (title, alt, placeholder, aria-label, a
button's value) outside {% translate %} / {% blocktranslate %} that holds a word fails, naming
the template, its line and the text. Python: the UI modules (views, forms, e-mails, PDF and
spreadsheet makers, charts) and the modules whose words a page shows (the plausibility rules,
the formats' own checks, the access rules' refusals, a webhook address's) are read as syntax
trees; a string literal of words handed to what a reader sees (a form field's label or help
text, a message, an error raised for a form or a page, a rule's problem) outside a gettext call
fails. tests/i18n/test_python_messages.py renders those messages in the six languages.

What may stay as it is: the product's name, numbers, punctuation and symbols, and the few codes
listed in KEPT (fixed abbreviations a reader knows in every language).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

SRC = Path(__file__).resolve().parents[2] / "src" / "hcoc"
# Words that are the same in every language: the product's and the Code's names as brands,
# units and fixed codes. Each stays a code, not prose.
KEPT = {
    "HCoC Exchange",
    "HCoC",
    "ICC",
    "UTC",
    "API",
    "PDF",
    "CSV",
    "XLSX",
    "JSON",
    "NOTAM",
    "TOTP",
    "QR",
    "SSE",
    "ISO",
    "km",
    "ms",
    "WGS",
    "ID",
    "GeoJSON",
    "KML",
    "sha256",
    "BM",
    "SLV",
}
# Code, commands and keyboard input are shown as typed, in every language.
VERBATIM = {"script", "style", "code", "pre", "kbd", "samp"}
WORD = re.compile(r"[^\W\d_]{2,}")
FACING_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}
HOLE = "\ue000"  # where a variable or a translated string stood


# Apps whose pages are not translated yet, each named here with why, so that leaving one out is
# a decision on record rather than a gap. None now: the national node's pages (hcoc node, issue
# 26) joined the catalogues.
NOT_YET_TRANSLATED: set[str] = set()


def templates() -> list[Path]:
    return sorted(
        p
        for p in SRC.rglob("templates/**/*")
        if p.suffix in (".html", ".txt") and p.relative_to(SRC).parts[0] not in NOT_YET_TRANSLATED
    )


class Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in VERBATIM:
            self.skip += 1
        for name, value in attrs:
            facing = name in FACING_ATTRIBUTES or (
                name == "value" and tag == "input" and ("type", "submit") in attrs
            )
            if facing and value:
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in VERBATIM:
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data):
        if not self.skip:
            self.found.append(data)


def unmarked(text: str) -> bool:
    rest = text.replace(HOLE, " ")
    for kept in sorted(KEPT, key=len, reverse=True):
        rest = re.sub(rf"(?<!\w){re.escape(kept)}(?!\w)", " ", rest)
    return bool(WORD.search(rest))


def unmarked_in_template(source: str, plain: bool = False) -> list[tuple[int, str]]:
    """(line, text) of each text a reader sees outside the translation tags."""
    pieces: list[tuple[int, str]] = []
    inside = None  # the tag whose end we wait for: endblocktranslate, endcomment
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if inside:
                if name == inside:
                    inside = None
                continue
            if name in ("blocktranslate", "blocktrans"):
                inside = "endblocktranslate" if name == "blocktranslate" else "endblocktrans"
                pieces.append((token.lineno, HOLE))
            elif name == "comment":
                inside = "endcomment"
            elif name in ("translate", "trans"):
                pieces.append((token.lineno, HOLE))
            else:
                pieces.append((token.lineno, HOLE if "url" in name else " "))
        elif inside:
            continue
        elif token.token_type == TokenType.VAR:
            pieces.append((token.lineno, HOLE))
        elif token.token_type == TokenType.TEXT:
            pieces.append((token.lineno, token.contents))
    found = []
    # Parsed whole (a tag may span a variable), then each finding placed on its line.
    text = "".join(p for _, p in pieces)
    if plain:  # a plain-text e-mail: every line is read
        shown = text.splitlines()
    else:
        reader = Reader()
        reader.feed(text)
        reader.close()
        shown = reader.found
    for piece in shown:
        if unmarked(piece):
            where = text.find(piece)
            line = text.count("\n", 0, where) + 1 if where >= 0 else 0
            found.append((line, " ".join(piece.replace(HOLE, "…").split())))
    return found


def test_the_check_finds_an_unmarked_word_and_passes_a_marked_one():
    assert unmarked_in_template("<p>Hello {{ name }}</p>") == [(1, "Hello …")]
    assert unmarked_in_template('<a title="Open it" href="{% url "x" %}">x</a>') == [(1, "Open it")]
    assert unmarked_in_template('<p>{% translate "Hello" %} {{ name }}</p>') == []
    assert (
        unmarked_in_template(
            "<p>{% blocktranslate %}Hi {{ n }}{% endblocktranslate %}</p>{# A note #}"
        )
        == []
    )
    assert unmarked_in_template("{% comment %}Why{% endcomment %}<b>UTC</b>") == []
    assert unmarked_in_template("<script>var words = 1;</script>") == []


def test_every_template_marks_the_text_a_reader_sees():
    problems = []
    for path in templates():
        source = path.read_text(encoding="utf-8")
        for line, text in unmarked_in_template(source, plain=path.suffix == ".txt"):
            problems.append(f"{path.relative_to(SRC)}:{line}: {text}")
    assert not problems, "not marked for translation:\n" + "\n".join(problems)


# The modules that speak to readers: the pages' views and forms, the e-mails, the reports (PDF,
# spreadsheets, charts) and the models' names of things. Services raise the errors the forms
# show (hcoc.lib.errors): those are the API's words too (its problem details, in English: the
# contract), so they are translated where a page shows them, not here.
UI_MODULES = [
    "*/views.py",
    "*/views/*.py",
    "*/forms.py",
    "ui/templatetags/*.py",
    "delivery/alerts.py",
    "delivery/chases.py",
    "notifications/pdf.py",
    "notifications/exports.py",
    "compliance/report.py",
    "compliance/trends.py",
    # The plausibility rules and the formats' own checks: what a page shows when a rule refuses
    # (tests/i18n/test_python_messages.py renders each in the six languages).
    "*/rules.py",
    "*/schemas.py",
    "*/access.py",
    "sites/selectors.py",
    "delivery/addresses.py",
    "delivery/webhooks.py",
    "lib/rule_tools.py",
    "lib/vocabulary.py",
    "lib/geometry.py",
]
# Keyword arguments whose value a reader sees.
FACING_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
# Calls whose first text argument a reader sees: messages.<level>(request, text),
# ValidationError(text), form.add_error(field, text).
MESSAGE_CALLS = {"success", "error", "info", "warning", "debug"}
# Errors a page shows (ui.pages.refusing, the forms' problems): the argument at this index.
ERROR_CALLS = {
    "PermissionDenied": 0,
    "NotFound": 0,
    "Conflict": 0,
    "Refused": 0,
    "ValueError": 0,
    "FieldProblem": 1,
}
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "format_lazy",
    "gettext_noop",
}


def ui_modules() -> list[Path]:
    found = set()
    for pattern in UI_MODULES:
        found.update(SRC.glob(pattern))
    return sorted(p for p in found if p.relative_to(SRC).parts[0] not in NOT_YET_TRANSLATED)


def words_in(node) -> str | None:
    """The literal text of `node` (a string, or an f-string's literal parts) if it holds words."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value if isinstance(v, ast.Constant) else HOLE for v in node.values)
    else:
        return None
    return text if unmarked(text) else None


def unmarked_in_module(source: str) -> list[tuple[int, str]]:
    import ast

    tree = ast.parse(source)
    found = []

    def called(node) -> str:
        f = node.func
        return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""

    for node in ast.walk(tree):
        # A rule's problem: ((field, ...), "message").
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            where, message = node.elts
            if isinstance(where, ast.Tuple) and (text := words_in(message)) is not None:
                found.append((message.lineno, text))
        if not isinstance(node, ast.Call) or called(node) in GETTEXT:
            continue
        name = called(node)
        shown = [k.value for k in node.keywords if k.arg in FACING_KEYWORDS]
        if name in MESSAGE_CALLS and isinstance(node.func, ast.Attribute) and len(node.args) > 1:
            shown.append(node.args[1])
        if name == "ValidationError" and node.args:
            shown.append(node.args[0])
        if name == "add_error" and len(node.args) > 1:
            shown.append(node.args[1])
        if name in ERROR_CALLS and len(node.args) > ERROR_CALLS[name]:
            shown.append(node.args[ERROR_CALLS[name]])
        for value in shown:
            text = words_in(value)
            if text is not None:
                found.append((value.lineno, text))
    return found


def test_the_python_check_finds_an_unmarked_label_and_passes_a_marked_one():
    source = (
        "a = forms.CharField(label='Launch site')\n"
        "b = forms.CharField(label=_('Launch site'))\n"
        "messages.success(request, f'Sent {x}')\n"
        "form.add_error('x', _('No'))\n"
        "raise ValidationError('Not a date')\n"
        "raise PermissionDenied(f'No invitation {r}')\n"
        "FieldProblem('url', 'must be https')\n"
        "problems.append((('window', 'closes'), 'must be in the future'))\n"
        "problems.append((('window', 'closes'), _('must be in the future')))\n"
    )
    assert unmarked_in_module(source) == [
        (1, "Launch site"),
        (3, f"Sent {HOLE}"),
        (5, "Not a date"),
        (6, f"No invitation {HOLE}"),
        (7, "must be https"),
        (8, "must be in the future"),
    ]


def test_every_ui_module_marks_the_text_a_reader_sees():
    problems = []
    for path in ui_modules():
        for line, text in unmarked_in_module(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(SRC)}:{line}: {text}")
    assert not problems, "not marked for translation:\n" + "\n".join(problems)


def test_the_stylesheet_uses_logical_properties_so_arabic_mirrors():
    """Right to left (Arabic), a page mirrors only if the stylesheet says start and end, not left
    and right (padding-inline-start, text-align: end, inset-inline-start)."""
    css = (SRC / "static" / "hcoc" / "site.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    physical = re.findall(r"[^;{}]*\b(?:left|right)\b[^;{}]*", css)
    assert physical == [], physical
