"""The controlled vocabulary of generic classes (docs/domain.md), shared by every format."""

from dataclasses import dataclass

from hcoc.lib.marking import N_, gettext

# The shared vocabulary of docs/domain.md: generic class -> (category, definition).
GENERIC_CLASSES: dict[str, tuple[str, str]] = {
    "SRBM": ("BM", N_("range under 1,000 km")),
    "MRBM": ("BM", N_("range 1,000-3,000 km")),
    "IRBM": ("BM", N_("range 3,000-5,500 km")),
    "ICBM": ("BM", N_("range over 5,500 km, land-based")),
    "SLBM": ("BM", N_("launched from a submarine, any range")),
    "SLV-small": ("SLV", N_("up to 2 t to low Earth orbit")),
    "SLV-medium": ("SLV", N_("2-20 t to LEO")),
    "SLV-heavy": ("SLV", N_("20-50 t to LEO")),
    "SLV-super-heavy": ("SLV", N_("over 50 t to LEO")),
    "SLV-suborbital": ("SLV", N_("sounding rocket or suborbital test of an SLV")),
}


# The two categories in words (the API keeps the codes).
CATEGORY_WORDS = {"BM": N_("ballistic missile"), "SLV": N_("space launch vehicle")}


def category_words(category: str | None) -> str:
    """'BM' -> 'ballistic missile'; an unknown value as it is, '—' for none."""
    return CATEGORY_WORDS.get(category or "", category or "—")


# The kinds of impact area in words (the API keeps the codes: docs/formats.md).
IMPACT_KIND_WORDS = {
    "payload": N_("payload"),
    "stage": N_("stage"),
    "fairing": N_("fairing"),
    "debris": N_("debris"),
}


def impact_kind_words(kind: str | None) -> str:
    """'stage' -> 'stage' (to be translated where shown); an unknown value as it is."""
    return IMPACT_KIND_WORDS.get(kind or "", kind or "—")


def category_of(generic_class: str) -> str | None:
    entry = GENERIC_CLASSES.get(generic_class)
    return entry[0] if entry else None


# ---- ranges of the ballistic-missile classes ------------------------------------------------


@dataclass(frozen=True)
class RangeBand:
    """A generic class's range in km, as docs/domain.md defines it, with where its ends belong.

    Each figure belongs to exactly one class: 1,000 km is an MRBM (an SRBM is "under 1,000 km"),
    3,000 km an IRBM (a class includes its lower figure), 5,500 km an IRBM (an ICBM is "over
    5,500 km"). An ICBM's range is capped at 20,000 km, about half the Earth's circumference.
    """

    low_km: float
    high_km: float
    low_included: bool
    high_included: bool
    text: str  # how people read it: "from 1,000 km to under 3,000 km" (marked: N_)

    def contains(self, km: float) -> bool:
        above = km >= self.low_km if self.low_included else km > self.low_km
        below = km <= self.high_km if self.high_included else km < self.high_km
        return above and below


# The classes whose definition is a range. SLBM (any range) and the SLV classes (defined by
# payload) have none: for them only the format's own bound applies (0 < range_km <= 50,000).
CLASS_RANGES: dict[str, RangeBand] = {
    "SRBM": RangeBand(0, 1000, False, False, N_("under 1,000 km")),
    "MRBM": RangeBand(1000, 3000, True, False, N_("from 1,000 km to under 3,000 km")),
    "IRBM": RangeBand(3000, 5500, True, True, N_("from 3,000 km to 5,500 km")),
    "ICBM": RangeBand(5500, 20000, False, True, N_("over 5,500 km, up to 20,000 km")),
}


def km_text(km: float) -> str:
    """9000.0 -> '9,000'; 999.5 -> '999.5'."""
    return f"{int(km):,}" if float(km).is_integer() else f"{km:,}"


def range_problem(generic_class: str, km: float) -> str | None:
    """Why `km` is not a range of `generic_class`, or None when it is (or the class has none)."""
    band = CLASS_RANGES.get(generic_class)
    if band is None or band.contains(km):
        return None
    # Every class with a range (SRBM, MRBM, IRBM, ICBM) is read with "an".
    words = {"cls": generic_class, "band": gettext(band.text), "km": km_text(km)}
    fits = class_of_range(km)
    if fits is None:
        return gettext("an %(cls)s's range is %(band)s; %(km)s km is outside it") % words
    return gettext(
        "an %(cls)s's range is %(band)s; %(km)s km is outside it (it is an %(fits)s's range)"
    ) % {**words, "fits": fits}


def class_of_range(km: float) -> str | None:
    """The land-based BM class whose range holds `km` (None beyond every class)."""
    return next((name for name, band in CLASS_RANGES.items() if band.contains(km)), None)
