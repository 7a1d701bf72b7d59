"""N_ marks a word of the Django-free code for the translation catalogues (issue 27); gettext
and ngettext translate the few messages `lib` writes itself (plausibility rules, durations).

`lib` runs without Django, so it cannot translate on its own: N_("ballistic missile") returns its
text unchanged, and tools/catalogues.py extracts it (N_ is one of gettext's marking keywords); the
code that shows the word to a reader translates it there, with Django's gettext.

A message `lib` composes from several parts (a rule's "must not be more than 5 years ahead:
2031-12-07 at the latest", a duration's "11 days 10 h") cannot be translated by its caller once
composed: `lib` translates it with `gettext`/`ngettext` below, which are Django's once the
page kit registers them (hcoc.ui.apps, `translate_with`) and English as written where nothing
does (a state's own tools and the verifier, which run without Django). The API activates English,
so its messages stay the same bytes whatever the caller's language.
"""

from collections.abc import Callable


def N_(text: str) -> str:
    return text


def _english(text: str) -> str:
    return text


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


_translators: dict[str, Callable] = {"gettext": _english, "ngettext": _english_plural}


def translate_with(*, gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str]):
    """Register the translator of the process (Django's gettext and ngettext, by hcoc.ui)."""
    _translators["gettext"] = gettext
    _translators["ngettext"] = ngettext


def gettext(message: str) -> str:
    return _translators["gettext"](message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translators["ngettext"](singular, plural, n)
