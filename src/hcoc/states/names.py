"""A state's name as people read it, from its ISO 3166-1 alpha-3 code (issue 25).

The registry (`State`) names every state it holds. The geography reports a few territories the
registry does not hold under codes of their own (data/geo/README.md: the exchange takes no
position on their status); they are named as the shipped geography's sources name them
(tools/build_geo_data.py; Natural Earth via world-atlas, whose "W. Sahara" is written out).
A code no one names stays as it is: never a guess.
"""

from collections.abc import Iterable

from .models import State

# The territories data/geo reports under codes of their own, named as its sources name them.
TERRITORIES = {
    "ATA": "Antarctica",
    "ESH": "Western Sahara",
    "TWN": "Taiwan",
    "XKX": "Kosovo",
    "NIU": "Niue",
}


def names_of(codes: Iterable[str | None]) -> dict[str, str]:
    """{code: name} for each code the registry or TERRITORIES names (one query)."""

    wanted = {c for c in codes if c}
    names = {c: TERRITORIES[c] for c in wanted if c in TERRITORIES}
    names.update(State.objects.filter(iso3__in=wanted).values_list("iso3", "name"))
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
