"""The PDFs in Chinese, Arabic and Russian (issue 27): a notification's PDF and the compliance
report read in the reader's language print its script, not boxes. What a reader's viewer
extracts (poppler's `pdftotext`) holds the translated headings in their own script, and the PDF
embeds the exchange's Noto font for it (a subset: `pdffonts`), which reportlab's Helvetica is
not (it has no Cyrillic, Arabic or Chinese). Arabic letters are joined (their presentation
forms) and its lines ordered right to left, so a viewer extracts the words as written. The fonts
cover every character the catalogues and CLDR's names of states use."""

import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation
from fontTools.ttLib import TTFont
from support.bodies import pln
from support.pdf import fonts, visible_text
from support.people import web_client

from hcoc.accounts.models import User
from hcoc.lib.pdfscripts import FAMILIES, script_for
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit
from hcoc.states.names import cldr_territories

# pdftotext and pdffonts read the PDFs (processes of their own).
pytestmark = pytest.mark.process

LOCALE = Path(settings.BASE_DIR) / "src" / "hcoc" / "locale"
# Each language: its catalogue's directory, the Noto font its PDFs embed, and a pattern of its
# script's letters.
SCRIPTS = {
    "zh-hans": ("zh_Hans", "NotoSansSC", re.compile(r"[\u4e00-\u9fff]")),
    "ar": ("ar", "NotoSansArabic", re.compile(r"[\u0600-\u06ff]")),
    "ru": ("ru", "NotoSans", re.compile(r"[\u0400-\u04ff]")),
}


def _letters(text: str) -> str:
    """`text` as the sequence of what it writes: compatibility forms as the characters they
    stand for (NFKC: Arabic's presentation forms as its letters, a full-width colon as a colon),
    without spaces or the marks of direction poppler puts around each run (U+202A to U+202C):
    where a viewer puts the space beside a colon between an Arabic and a Latin run, or between
    two Chinese characters, is its guess, not the PDF's."""
    normal = unicodedata.normalize("NFKC", text)
    return "".join(c for c in normal if not c.isspace() and unicodedata.category(c) != "Cf")


def _read(language: str, content: bytes, tmp_path) -> str:
    """What a viewer extracts (as _letters), with the PDF's fonts checked: the language's Noto
    embedded as a subset."""
    _dir, font, letters = SCRIPTS[language]
    embedded = [name for name, emb, sub in fonts(content, tmp_path) if emb and sub]
    assert any(name.split("+")[-1].startswith(f"{font}-") for name in embedded), embedded
    text = visible_text(content)
    assert letters.search(text), text[:400]
    if language == "ar":
        # Joined: each letter drawn in the form its neighbours give it (its presentation form,
        # U+FB50 to U+FEFF); unjoined, the PDF would hold only the isolated base letters.
        assert re.search(r"[\ufb50-\ufeff]{3}", text), text[:400]
    return _letters(text)


def _in(language: str, message: str, **values) -> str:
    with translation.override(language):
        said = translation.gettext(message) % values
    assert SCRIPTS[language][2].search(said), said  # translated: not the English left as it is
    return _letters(said)


@pytest.mark.parametrize("language", list(SCRIPTS))
def test_a_notifications_pdf_prints_its_readers_language_in_its_own_script(
    language, personas, tmp_path
):
    User.objects.filter(username="jpn_reader").update(language=language)
    france = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=france, data=PLNIn.model_validate(pln()))
    r = web_client("jpn_reader").get(f"/notifications/{n.reference}/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _read(language, r.content, tmp_path)
    for expected in (
        _in(language, "Pre-launch notification %(reference)s", reference=n.reference),
        _in(language, "States whose land or territorial sea it touches"),
        _in(language, "Hague Code of Conduct: for subscribing States only"),
        # The notifying state by its name in the reader's language (CLDR). (Its code beside it
        # in brackets: a viewer extracts Arabic's mirrored brackets as drawn, the wrong way.)
        _letters(Locale.parse(SCRIPTS[language][0]).territories["FR"]),
    ):
        assert expected in text, (expected, text[:1500])


@pytest.mark.parametrize("language", list(SCRIPTS))
def test_the_compliance_report_prints_its_readers_language_in_its_own_script(
    language, personas, tmp_path
):
    User.objects.filter(username="icc").update(language=language)
    year = datetime.now(UTC).year - 1
    r = web_client("icc").get(f"/compliance/{year}/report.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _read(language, r.content, tmp_path)
    for expected in (
        _in(language, "HCoC compliance %(year)s", year=year),
        _in(language, "Hague Code of Conduct: for subscribing States only"),
    ):
        assert expected in text, (expected, text[:1500])


@pytest.mark.parametrize("language", list(SCRIPTS))
def test_the_pdf_font_of_each_language_covers_its_catalogue_and_cldrs_names_of_states(language):
    """Every character the language's catalogue translates to, and every name CLDR gives a
    country or territory in it (hcoc.states.names), is in the font its PDFs embed."""
    directory, _font, _letters = SCRIPTS[language]
    script = script_for(
        language,
        vendor=Path(settings.STATICFILES_DIRS[0]) / "vendor",
        cache=settings.VAR_DIR / "fonts",
    )
    assert script.regular.startswith(FAMILIES[language].name)
    covered = set(TTFont(settings.VAR_DIR / "fonts" / f"{script.regular}.ttf").getBestCmap())
    with (LOCALE / directory / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalogue = read_po(po)
    said = "".join(
        "".join(m.string) if isinstance(m.string, tuple | list) else m.string or ""
        for m in catalogue
    )
    said += "".join(cldr_territories(language).values())
    missing = {
        c
        for c in said
        if ord(c) not in covered and not unicodedata.category(c).startswith(("Z", "C"))
    }
    assert not missing, "".join(sorted(missing))
