"""The PDFs in every script of the six languages (issue 27): which font each language prints in,
and its text as reportlab must be given it. No Django here.

reportlab's own fonts (Helvetica, Courier) hold only Western European letters: Russian, Arabic
and Chinese printed in them come out as boxes. Those three print in the Noto fonts the exchange
vendors for its pages (static/vendor/noto-sans*, tools/vendor_fonts.py), as TrueType, which
reportlab reads: each language's slices (woff2) merged into one font, with the Latin slice for
the codes, references and digits beside them, made once into a cache directory and kept there
(`font_file`). English, French and Spanish keep Helvetica, as before.

reportlab neither joins Arabic letters nor orders right-to-left text (its bidi needs rlbidi, not
on the registry): an Arabic paragraph is joined with arabic-reshaper (each letter in its
presentation form, lam-alef as one), broken into lines at the width it is given, and each line
put in visual order with python-bidi (`RightToLeft`), so codes and numbers within it read left
to right. Chinese lines break between any two characters (reportlab's `CJK` word wrap).

Callers import this module inside the functions that draw: it imports reportlab (0.3 s).
"""

import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from arabic_reshaper import ArabicReshaper

# python-bidi's pure-Python algorithm, not its Rust `bidi.get_display`: only this one mirrors
# brackets in right-to-left runs, so "فرنسا (FRA)" prints "(FRA)", not ")FRA(".
from bidi.algorithm import get_display
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph

from hcoc.lib.pdftext import paragraph_text


@dataclass(frozen=True)
class Family:
    """A language's PDF font: the vendored slices (paths under static/vendor, globs) merged for
    each weight, the first one's metrics kept; bold None where no bold weight is vendored (the
    bold prints as the regular)."""

    name: str
    regular: tuple[str, ...]
    bold: tuple[str, ...] | None
    right_to_left: bool = False
    cjk: bool = False


LATIN = "noto-sans/*/noto-sans-latin-{weight}-normal.woff2"
FAMILIES = {
    "ru": Family(
        "NotoSans",
        (LATIN.format(weight=400), "noto-sans/*/noto-sans-cyrillic-400-normal.woff2"),
        (LATIN.format(weight=700), "noto-sans/*/noto-sans-cyrillic-700-normal.woff2"),
    ),
    "ar": Family(
        "NotoSansArabic",
        ("noto-sans-arabic/*/*-arabic-400-normal.woff2", LATIN.format(weight=400)),
        ("noto-sans-arabic/*/*-arabic-700-normal.woff2", LATIN.format(weight=700)),
        right_to_left=True,
    ),
    # Only the 400 of Noto Sans SC is vendored (its 700 would double 2.5 MB).
    "zh-hans": Family(
        "NotoSansSC",
        ("noto-sans-sc/*/noto-sans-sc-*-400-normal.woff2", LATIN.format(weight=400)),
        None,
        cjk=True,
    ),
}
# Tables a PDF does not use, dropped from the merged font: reportlab reads cmap, glyf and the
# metrics, never OpenType layout (its shaping needs uharfbuzz, which we do not install).
UNUSED_TABLES = ["GSUB", "GPOS", "GDEF", "BASE", "STAT", "vhea", "vmtx", "gasp", "prep"]


def _sources(vendor: Path, globs: tuple[str, ...]) -> list[Path]:
    paths = []
    for pattern in globs:
        found = sorted(vendor.glob(pattern))
        if not found:
            raise FileNotFoundError(f"no vendored font file {vendor / pattern}")
        paths += found
    return paths


def font_file(sources: list[Path], target: Path, *, family: str, weight: str) -> Path:
    """`sources` (woff2 slices of one family and weight, or the Latin beside it) merged into one
    TrueType font at `target` named `family` `weight`, made again only when a source is newer.
    Written beside it and renamed: a process that reads it meanwhile reads the whole of the old
    one or of the new."""
    if target.exists() and target.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return target
    # Deferred: fontTools is needed only the first time a language's font is made.
    from fontTools.merge import Merger, Options

    merged = Merger(options=Options(drop_tables=UNUSED_TABLES)).merge([str(p) for p in sources])
    merged.flavor = None  # TrueType, not woff2: reportlab reads only that
    # The names the PDF's readers see (pdffonts, a viewer's font list), for the merged whole:
    # Fontsource's static cuts keep their variable font's default names (NotoSansSCThin).
    names = merged["name"]
    names.names = [n for n in names.names if n.nameID not in (1, 2, 3, 4, 6, 16, 17)]
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", family)
    for name_id, value in (
        (1, spaced),
        (2, weight),
        (3, f"{family}-{weight} (HCoC Exchange)"),
        (4, f"{spaced} {weight}"),
        (6, f"{family}-{weight}"),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".ttf.part")
    os.close(handle)
    try:
        merged.save(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes it 600: a font is no secret
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


@dataclass(frozen=True)
class Script:
    """How a PDF prints one language: its fonts (names registered with reportlab), and whether
    its lines run right to left or break between any two characters."""

    regular: str = "Helvetica"
    bold: str = "Helvetica-Bold"
    right_to_left: bool = False
    cjk: bool = False

    def styles(self) -> StyleSheet1:
        """reportlab's sample styles in this script's fonts (its Courier and italics too: they
        have no Cyrillic, Arabic or Chinese either), right-aligned in Arabic."""
        styles = getSampleStyleSheet()
        if self.regular == "Helvetica":
            return styles
        for style in styles.byName.values():
            if not isinstance(style, ParagraphStyle):
                continue
            style.fontName = self.bold if "Bold" in style.fontName else self.regular
            if self.cjk:
                style.wordWrap = "CJK"
            if self.right_to_left and style.alignment != TA_CENTER:
                style.alignment = TA_RIGHT
        return styles

    def paragraph(
        self, value: object, style: ParagraphStyle, *, bold: bool = False, lead: str = ""
    ) -> Flowable:
        """`value` as a paragraph, printed exactly as it is (never read as markup), in bold or
        after a bold `lead` and a colon (in Arabic the lead is not bold: one font a line)."""
        if self.right_to_left:
            if bold:
                style = ParagraphStyle(f"{style.name}-bold", parent=style, fontName=self.bold)
            text = "" if value is None else str(value)
            return RightToLeft(f"{lead}: {text}" if lead else text, style)
        body = paragraph_text(value)
        if bold:
            body = f"<b>{body}</b>"
        if lead:
            body = f"<b>{paragraph_text(lead)}</b>: {body}"
        return Paragraph(body or "&nbsp;", style)  # an empty line keeps its height

    def line(self, value: str) -> str:
        """One line of text for the canvas (drawString), in the order it is drawn."""
        return visual_lines(value, None, self.regular, 0)[0] if self.right_to_left else value

    def row(self, cells: list) -> list:
        """A table's row in reading order: right to left in Arabic."""
        return cells[::-1] if self.right_to_left else cells


HELVETICA = Script()
# The text's vowel marks and shadda stay (arabic-reshaper drops them by default): the words are
# printed, and extracted by a viewer, as the catalogue and the states wrote them.
RESHAPER = ArabicReshaper(configuration={"delete_harakat": False})
_made: dict[str, Script] = {}
_lock = threading.Lock()


def script_for(language: str, *, vendor: Path, cache: Path) -> Script:
    """The Script of `language` (a Django language code), its fonts made into `cache` from the
    vendored files under `vendor` and registered with reportlab the first time it is asked for
    in this process."""
    family = FAMILIES.get(language)
    if family is None:
        return HELVETICA
    with _lock:
        if language not in _made:
            names = {}
            for weight, globs in (("Regular", family.regular), ("Bold", family.bold)):
                if globs is None:
                    names[weight] = names["Regular"]
                    continue
                name = f"{family.name}-{weight}"
                path = font_file(
                    _sources(vendor, globs),
                    cache / f"{name}.ttf",
                    family=family.name,
                    weight=weight,
                )
                pdfmetrics.registerFont(TTFont(name, str(path)))
                names[weight] = name
            pdfmetrics.registerFontFamily(
                family.name,
                normal=names["Regular"],
                bold=names["Bold"],
                italic=names["Regular"],
                boldItalic=names["Bold"],
            )
            _made[language] = Script(
                names["Regular"], names["Bold"], family.right_to_left, family.cjk
            )
        return _made[language]


# A run of Latin letters and digits with what joins them (a date, a time, a reference, a
# coordinate, "08:49 UTC"): embedded left to right (U+202A ... U+202C), as the pages isolate
# them in <bdi>. Left to the bidi algorithm, digits after Arabic letters become Arabic numbers
# and the hyphens between them right to left: "2026-12-07" printed "07-12-2026".
_LATIN = r"[0-9A-Za-z\u00c0-\u024f°′″]"
LEFT_TO_RIGHT_RUN = re.compile(rf"{_LATIN}(?:[-0-9A-Za-z\u00c0-\u024f°′″'.,:/+ ]*{_LATIN})?")
EMBEDDINGS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e"))


def _base_direction(text: str) -> str:
    """A paragraph's direction from its first strong letter, as the pages' dir="auto": "R"
    for Arabic, "L" for a state's text in Latin letters printed in an Arabic PDF."""
    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return "R"


def _width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text.translate(EMBEDDINGS), font, size)


def visual_lines(text: str, width: float | None, font: str, size: float) -> list[str]:
    """Right-to-left `text` joined (arabic-reshaper), broken into lines no wider than `width`
    points in `font` at `size` (None: no breaking but the text's own), each in visual order."""
    base = _base_direction(text or "")
    lines = []
    for own in (text or "").split("\n"):
        embedded = LEFT_TO_RIGHT_RUN.sub(lambda m: f"\u202a{m.group(0)}\u202c", own)
        words = RESHAPER.reshape(embedded).split()
        current: list[str] = []
        for word in words:
            trial = " ".join([*current, word])
            if current and width is not None and _width(trial, font, size) > width:
                lines.append(" ".join(current))
                current = [word]
            else:
                current.append(word)
        lines.append(" ".join(current))
    return [get_display(line, base_dir=base).translate(EMBEDDINGS) for line in lines]


class RightToLeft(Flowable):
    """A right-to-left paragraph: broken into lines at the width the page or the table's cell
    gives it (known only at wrap), each line in visual order, right-aligned; then laid out and
    split across pages as reportlab's own Paragraph of those lines."""

    def __init__(self, text: str, style: ParagraphStyle):
        super().__init__()
        self.text, self.style = text, style
        self._inner: Paragraph | None = None

    def _lines(self, width: float) -> Paragraph:
        room = width - self.style.leftIndent - self.style.rightIndent
        lines = visual_lines(self.text, room, self.style.fontName, self.style.fontSize)
        body = "<br/>".join(escape(line) for line in lines) or "&nbsp;"
        return Paragraph(body, self.style)

    def wrap(self, availWidth, availHeight):  # noqa: N803 (reportlab's names)
        self._inner = self._lines(availWidth)
        self.width, self.height = self._inner.wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803 (reportlab's names)
        return self._lines(availWidth).split(availWidth, availHeight)

    def draw(self):
        assert self._inner is not None  # reportlab wraps a flowable before it draws it
        self._inner.drawOn(self.canv, 0, 0)

    def getSpaceBefore(self):  # noqa: N802 (reportlab's name)
        return self.style.spaceBefore

    def getSpaceAfter(self):  # noqa: N802 (reportlab's name)
        return self.style.spaceAfter
