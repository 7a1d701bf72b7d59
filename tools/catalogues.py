"""The translation catalogues of the six languages (issue 27), without GNU gettext.

    python tools/catalogues.py compile   # src/hcoc/locale/*/LC_MESSAGES/django.po -> .mo (make setup)
    python tools/catalogues.py extract   # the marked strings of src/hcoc -> every django.po

`extract` reads what Django's `makemessages` reads: the Python modules' gettext calls
(gettext, gettext_lazy, ngettext, pgettext, ...) and the templates' {% translate %} and
{% blocktranslate %} tags (through Django's own `templatize`, which turns a template into the
gettext calls `makemessages` hands to xgettext), but extracts with Babel. It keeps every
translation already made, drops what no code asks for any more, and leaves a new msgid's msgstr
empty, except in English, the source language, where msgstr is msgid.

`compile` writes the .mo files Django reads (build output, not in the repository: .gitignore).
A fuzzy entry is not compiled: a guess is never shown as a translation.
"""

import copy
import io
import os
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "hcoc"
LOCALE = PACKAGE / "locale"
# Django's codes (settings.LANGUAGES) and the directories gettext looks in (to_locale).
LANGUAGES = {"ar": "ar", "zh-hans": "zh_Hans", "en": "en", "fr": "fr", "ru": "ru", "es": "es"}
SOURCE_LANGUAGE = "en"
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ("Translators:",)
PROJECT = "HCoC Exchange"
WIDTH = 100
HEADER = """\
# The %(language)s catalogue of HCoC Exchange (issue 27; docs/glossary.md for the Code's terms).
# Translate msgstr only; `python tools/catalogues.py extract` adds what the code marks anew.
#"""


def po_path(language: str) -> Path:
    return LOCALE / LANGUAGES[language] / "LC_MESSAGES" / "django.po"


def sources() -> list[Path]:
    """The files strings are marked in: the package's modules (not migrations) and templates."""
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        if "migrations" in path.parts or "static" in path.parts or "locale" in path.parts:
            continue
        if path.suffix == ".py" or (path.suffix in (".html", ".txt") and "templates" in path.parts):
            found.append(path)
    return found


def python_of(path: Path) -> bytes:
    """The file as Python source Babel can read: a template through Django's templatize."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return text.encode("utf-8")
    from django.utils.translation.template import templatize

    # templatize keeps the template's lines (and so their numbers) but not an indentation
    # Python's tokenizer accepts (xgettext does not mind): each line starts at its first column.
    code = "\n".join(line.lstrip() for line in templatize(text).split("\n"))
    return code.encode("utf-8")


def extracted() -> Catalog:
    template = Catalog(project=PROJECT, fuzzy=False)
    for path in sources():
        where = str(path.relative_to(ROOT))
        found = extract(
            "python",
            io.BytesIO(python_of(path)),
            keywords=KEYWORDS,
            comment_tags=COMMENT_TAGS,
            options={"encoding": "utf-8"},
            strip_comment_tags=True,
        )
        for lineno, message, comments, context in found:
            template.add(message, None, [(where, lineno)], auto_comments=comments, context=context)
    return template


def catalogue_for(language: str, template: Catalog) -> Catalog:
    path = po_path(language)
    if path.exists():
        with path.open("rb") as f:
            catalog = read_po(f, locale=LANGUAGES[language])
    else:
        catalog = Catalog(
            locale=LANGUAGES[language],
            project=PROJECT,
            fuzzy=False,
            header_comment=HEADER % {"language": language},
        )
    # A new msgid starts empty: no fuzzy guess from a similar one (a wrong word in a diplomatic
    # text is worse than the English one the reader sees until it is translated).
    # (A copy: update() shares the template's messages, and English fills them in below.)
    catalog.update(
        copy.deepcopy(template),
        no_fuzzy_matching=True,
        update_header_comment=False,
        update_creation_date=False,  # an extraction that finds nothing new changes nothing
    )
    catalog.obsolete.clear()
    if language == SOURCE_LANGUAGE:
        for message in catalog:
            if message.id:
                message.string = message.id
                message.flags.discard("fuzzy")
    return catalog


def extract_all() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure()
        django.setup()
    template = extracted()
    for language in LANGUAGES:
        catalog = catalogue_for(language, template)
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=WIDTH, ignore_obsolete=True, include_previous=False)
        path.write_bytes(buffer.getvalue())
        print(f"{path.relative_to(ROOT)}: {len(template)} messages")


def compile_all() -> None:
    for language, directory in LANGUAGES.items():
        po = po_path(language)
        if not po.exists():
            continue
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=directory)
        # Written aside, then renamed: processes compiling at once (the test suite's workers)
        # never read half a file.
        part = mo.with_suffix(f".mo.{os.getpid()}")
        with part.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        os.replace(part, mo)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "compile":
        compile_all()
    elif command == "extract":
        extract_all()
    else:
        sys.exit(__doc__)
