"""N_: marks a word of the Django-free code for the translation catalogues (issue 27).

`lib` runs without Django, so it cannot translate: N_("ballistic missile") returns its text
unchanged, and tools/catalogues.py extracts it (N_ is one of gettext's marking keywords). The
code that shows the word to a reader translates it there, with Django's gettext.
"""


def N_(text: str) -> str:
    return text
