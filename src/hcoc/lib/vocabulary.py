"""The controlled vocabulary of generic classes (domain.md), shared by every format."""

# The shared vocabulary of domain.md: generic class -> (category, definition).
GENERIC_CLASSES: dict[str, tuple[str, str]] = {
    "SRBM": ("BM", "range under 1,000 km"),
    "MRBM": ("BM", "range 1,000-3,000 km"),
    "IRBM": ("BM", "range 3,000-5,500 km"),
    "ICBM": ("BM", "range over 5,500 km, land-based"),
    "SLBM": ("BM", "launched from a submarine, any range"),
    "SLV-small": ("SLV", "up to 2 t to low Earth orbit"),
    "SLV-medium": ("SLV", "2-20 t to LEO"),
    "SLV-heavy": ("SLV", "20-50 t to LEO"),
    "SLV-super-heavy": ("SLV", "over 50 t to LEO"),
    "SLV-suborbital": ("SLV", "sounding rocket or suborbital test of an SLV"),
}


def category_of(generic_class: str) -> str | None:
    entry = GENERIC_CLASSES.get(generic_class)
    return entry[0] if entry else None
