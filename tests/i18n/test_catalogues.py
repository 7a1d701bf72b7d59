"""The catalogues (issue 27): each of the six holds exactly the msgids the code marks, and each
catalogue in COMPLETE translates every one of them, without a fuzzy guess, keeping every
placeholder. `make test` therefore fails when one msgid of one catalogue is missing."""

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from support.pseudo import pseudo

ROOT = Path(__file__).resolve().parents[2]
ALL = ["ar", "zh_Hans", "en", "fr", "ru", "es"]
# The catalogues whose every msgid must be translated: all six.
COMPLETE = ALL
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def catalogue(directory: str):
    path = ROOT / "src" / "hcoc" / "locale" / directory / "LC_MESSAGES" / "django.po"
    with path.open("rb") as f:
        return read_po(f)


def tools_catalogues():
    spec = importlib.util.spec_from_file_location("catalogues", ROOT / "tools" / "catalogues.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def test_every_catalogue_holds_exactly_the_msgids_the_code_marks():
    marked = {m.id for m in tools_catalogues().extracted() if m.id}
    for directory in ALL:
        held = {m.id for m in catalogue(directory) if m.id}
        assert held - marked == set(), f"{directory}: msgids no code marks any more"
        missing = marked - held
        assert missing == set(), (
            f"{directory}: msgids missing (run `python tools/catalogues.py extract`): "
            f"{sorted(map(str, missing))[:10]}"
        )


@pytest.mark.parametrize("directory", COMPLETE)
def test_a_complete_catalogue_translates_every_msgid_keeping_its_placeholders(directory):
    untranslated, fuzzy, placeholders = [], [], []
    for message in catalogue(directory):
        if not message.id:
            continue
        if message.fuzzy:
            fuzzy.append(message.id)
        if not all(forms(message)):
            untranslated.append(message.id)
            continue
        wanted = sorted(PLACEHOLDER.findall(ids(message)[-1]))
        for form in forms(message):
            got = sorted(PLACEHOLDER.findall(form))
            # A singular may leave its count out ("Acknowledge this item"), never add one.
            if got != wanted and not set(got) <= set(wanted):
                placeholders.append((message.id, form))
    assert untranslated == [], f"{directory}: {len(untranslated)} untranslated: {untranslated[:5]}"
    assert fuzzy == [], f"{directory}: fuzzy: {fuzzy[:5]}"
    assert placeholders == [], f"{directory}: placeholders differ: {placeholders[:5]}"


def test_the_pseudo_locale_is_accented_longer_and_keeps_placeholders_and_markup():
    assert pseudo("Inbox") == "[ÎÎñbööx]"  # vowels doubled, letters accented
    text = pseudo('Open <a href="/x">%(n)s items</a>')
    assert '<a href="/x">' in text and "%(n)s" in text and "</a>" in text
    english = "Acknowledge these items for your state"
    assert len(pseudo(english)) >= 1.3 * len(english)
