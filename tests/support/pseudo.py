"""The pseudo-locale (issue 27): every English string accented and 40 % longer, so that a page
shows at a glance what is not marked for translation (plain ASCII) and whether the layout holds
text longer than English (French, Russian and Spanish run 15-35 % longer). Generated from the
English catalogue when a test asks for it, never committed.

`pseudo_catalogue(directory)` writes <directory>/en_XA/LC_MESSAGES/django.mo; a test adds the
directory to LOCALE_PATHS and PSEUDO to LANGUAGES (override_settings), and reads as "en-xa".
"""

import re
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = ROOT / "src" / "hcoc" / "locale" / "en" / "LC_MESSAGES" / "django.po"
PSEUDO = ("en-xa", "Pseudo")
# What must stay as it is: placeholders, HTML tags and entities.
KEPT = re.compile(r"%\(\w+\)[sd]|%%|%[sd]|\{\w*\}|<[^>]*>|&#?\w+;")
ACCENTED = dict(zip("aeiouycnAEIOUYCN", "áéíöüÿçñÅÉÎÖÜÝÇÑ", strict=True))
VOWELS = set("aeiouyAEIOUY")


def pseudo(text: str) -> str:
    """'Inbox' -> '[Íínbööx]': each vowel doubled (about 40 % more letters), letters accented,
    brackets around the whole; placeholders and markup untouched."""
    out, last = [], 0
    for kept in KEPT.finditer(text):
        out.append(_accent(text[last : kept.start()]))
        out.append(kept.group(0))
        last = kept.end()
    out.append(_accent(text[last:]))
    return "[" + "".join(out) + "]" if text.strip() else text


def _accent(text: str) -> str:
    return "".join((ACCENTED.get(c, c) * 2 if c in VOWELS else ACCENTED.get(c, c)) for c in text)


def pseudo_catalogue(directory: Path) -> Path:
    with ENGLISH.open("rb") as f:
        catalog = read_po(f, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(pseudo(i) for i in message.id)
        else:
            message.string = pseudo(message.id)
    target = Path(directory) / "en_XA" / "LC_MESSAGES" / "django.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as f:
        write_mo(f, catalog)
    return target
