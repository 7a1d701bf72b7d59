"""A state's name as people read it, in the reader's language, from its ISO 3166-1 alpha-3 code
(issues 25 and 27).

The registry (`State`) names every state it holds, in English. The geography reports a few
territories the registry does not hold under codes of their own (data/geo/README.md: the
exchange takes no position on their status). In any other language than English, and for those
territories in English too, the name is the Unicode CLDR's (through Babel: the names the
world's software shows, reviewed by speakers of each language), never one typed here.
A code no one names stays as it is: never a guess.
"""

from collections.abc import Iterable
from functools import cache

from babel import Locale, UnknownLocaleError
from django.utils import translation
from iso3166 import countries_by_alpha3

from .models import State

# The territories data/geo reports under codes of their own (named by CLDR, as above).
TERRITORIES = frozenset({"ATA", "ESH", "TWN", "XKX", "NIU"})
# Kosovo's is a user-assigned code (ISO 3166 has none): CLDR's is XK.
ALPHA2_BEYOND_ISO = {"XKX": "XK"}
REGISTRY_LANGUAGE = "en"


def alpha2_of(code: str) -> str | None:
    if code in ALPHA2_BEYOND_ISO:
        return ALPHA2_BEYOND_ISO[code]
    country = countries_by_alpha3.get(code)
    return country.alpha2 if country else None


@cache
def cldr_territories(language: str) -> dict[str, str]:
    """CLDR's territory names in a Django language ('zh-hans'), by alpha-2 code; none for a
    language CLDR does not know (the tests' pseudo-locale): the registry's names then."""
    try:
        return dict(Locale.parse(translation.to_locale(language)).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def cldr_name(code: str, language: str) -> str | None:
    alpha2 = alpha2_of(code)
    return cldr_territories(language).get(alpha2) if alpha2 else None


def names_of(codes: Iterable[str | None], language: str | None = None) -> dict[str, str]:
    """{code: name} for each code the registry or TERRITORIES names (one query), in `language`
    (the active one unless given): the registry's own name in English, CLDR's in the others."""

    language = language or translation.get_language() or REGISTRY_LANGUAGE
    wanted = {c for c in codes if c}
    registry = dict(State.objects.filter(iso3__in=wanted).values_list("iso3", "name"))
    names = {}
    for code in wanted:
        if code not in registry and code not in TERRITORIES:
            continue
        if language == REGISTRY_LANGUAGE and code in registry:
            names[code] = registry[code]
        else:
            names[code] = cldr_name(code, language) or registry.get(code) or code
    return names


def name_of(code: str | None) -> str:
    """'FRA' -> 'France'; a code no one names, as it is; '' for none."""
    if not code:
        return ""
    return names_of([code]).get(code, code)


def with_code(code: str | None, names: dict[str, str] | None = None) -> str:
    """'France (FRA)': the name with its code beside it, where the code helps (a table a
    machine may read too); the code alone only when no one names it."""
    if not code:
        return ""
    name = (names if names is not None else names_of([code])).get(code)
    return f"{name} ({code})" if name else code
