"""The six languages' machinery (issue 27): which language a page is read in, the switch that
sticks to the user and to the browser, <html lang dir>, states' names from CLDR, and the API,
whose bytes never depend on the language asked."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from support.bodies import pln
from support.people import web_client
from support.readable import readable_text

from hcoc.accounts.models import User
from hcoc.lib.timeutil import duration_text
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit
from hcoc.states.names import name_of, names_of
from hcoc.ui.templatetags.hcoc import duration

LANGUAGES = ["ar", "zh-hans", "en", "fr", "ru", "es"]


def html_tag(response) -> str:
    text = response.content.decode()
    start = text.index("<html")
    return text[start : text.index(">", start) + 1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "accept, tag",
    [
        ("fr-FR,fr;q=0.9,en;q=0.5", '<html lang="fr" dir="ltr">'),
        ("ar-EG,ar;q=0.9", '<html lang="ar" dir="rtl">'),
        ("zh-CN,zh;q=0.9", '<html lang="zh-hans" dir="ltr">'),
        ("ru", '<html lang="ru" dir="ltr">'),
        ("es-PE", '<html lang="es" dir="ltr">'),
        ("de-DE,de;q=0.9", '<html lang="en" dir="ltr">'),  # not one of the six: English
        ("", '<html lang="en" dir="ltr">'),
    ],
)
def test_an_anonymous_reader_gets_the_language_their_browser_asks_for(accept, tag):
    response = Client().get("/registry", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert html_tag(response) == tag
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_every_page_offers_the_six_languages_each_named_in_itself():
    text = Client().get("/registry").content.decode()
    assert 'action="/language"' in text
    for code, name in [("ar", "العربية"), ("zh-hans", "中文"), ("fr", "Français")]:
        assert f'<option value="{code}" lang="{code}">{name}</option>' in text


@pytest.mark.django_db
def test_an_anonymous_readers_choice_sticks_to_their_browser_over_accept_language():
    client = Client()
    response = client.post("/language", {"language": "fr", "next": "/registry?x=1"})
    assert response.status_code == 302 and response["Location"] == "/registry?x=1"
    again = client.get("/registry", HTTP_ACCEPT_LANGUAGE="en")
    assert html_tag(again) == '<html lang="fr" dir="ltr">'


def test_a_users_choice_sticks_to_them_in_any_browser(personas):
    client = web_client("fra_reader")
    response = client.post("/language", {"language": "fr", "next": "/inbox"})
    assert response.status_code == 302 and response["Location"] == "/inbox"
    assert User.objects.get(username="fra_reader").language == "fr"
    # Another browser: no cookie, a browser that asks for English; the user's own choice wins.
    elsewhere = web_client("fra_reader")
    page = elsewhere.get("/inbox", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert html_tag(page) == '<html lang="fr" dir="ltr">'
    # Another user in the same world keeps theirs.
    other = web_client("jpn_reader").get("/inbox", HTTP_ACCEPT_LANGUAGE="en")
    assert html_tag(other) == '<html lang="en" dir="ltr">'


def test_a_language_not_offered_is_refused_and_nothing_changes(personas):
    client = web_client("fra_reader")
    response = client.post("/language", {"language": "de", "next": "/inbox"}, follow=True)
    assert User.objects.get(username="fra_reader").language == ""
    assert "Choose one of the languages offered." in response.content.decode()
    assert "hcoc_language" not in client.cookies


@pytest.mark.django_db
def test_the_switch_never_sends_anyone_to_another_site():
    response = Client().post("/language", {"language": "es", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_the_switch_takes_only_a_post():
    assert Client().get("/language").status_code == 405


def test_the_apis_bytes_are_the_same_whatever_language_is_asked(personas):
    """The API is the published contract (docs/formats.md): field names, values and problem
    details in one language, whatever Accept-Language, cookie or user's choice."""
    user = User.objects.get(username="fra_reader")
    token = personas["fra_reader"].token
    paths = [
        "/api/v1/notifications",
        "/api/v1/states",
        "/api/v1/notifications/NOPE-2026-0001",  # a problem (404)
        "/api/v1/notifications?limit=0",  # a problem (422)
        "/api/v1/openapi.json",
    ]
    for path in paths:
        seen = set()
        for language in LANGUAGES:
            user.language = language
            user.save(update_fields=["language"])
            client = Client()
            client.cookies["hcoc_language"] = language
            response = client.get(
                path, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=language
            )
            seen.add((response.status_code, response.content))
            assert "Content-Language" not in response
        assert len(seen) == 1, path


def test_a_plausibility_rules_problem_in_the_api_is_the_same_bytes_whatever_language(personas):
    """The rules speak the reader's language on a page (tests/i18n/test_python_messages.py);
    through the API, English, the same bytes for every caller."""
    user = User.objects.get(username="jpn_submitter")
    token = personas["jpn_submitter"].token
    body = json.dumps(
        pln(
            launch_area={"site_id": "NOPE-SITE"},
            category="BM",
            generic_class="SRBM",
            range_km=3000,
        )
    )
    seen = set()
    for language in LANGUAGES:
        user.language = language
        user.save(update_fields=["language"])
        client = Client()
        client.cookies["hcoc_language"] = language
        response = client.post(
            "/api/v1/notifications",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        seen.add((response.status_code, response.content))
    [(status, content)] = seen
    assert status == 422
    assert "unknown site 'NOPE-SITE'; see GET /api/v1/sites" in content.decode()
    assert "an SRBM's range is under 1,000 km; 3,000 km is outside it" in content.decode()


@pytest.mark.django_db
def test_states_and_territories_are_named_in_the_readers_language_from_cldr():
    with translation.override("en"):
        assert name_of("FRA") == "France"  # the registry's own name
        assert name_of("ESH") == "Western Sahara"  # a territory, named by CLDR
    with translation.override("fr"):
        assert names_of(["DEU", "ESH", "XKX"]) == {
            "DEU": "Allemagne",
            "ESH": "Sahara occidental",
            "XKX": "Kosovo",
        }
    with translation.override("zh-hans"):
        assert name_of("JPN") == "日本"
    with translation.override("ar"):
        assert name_of("FRA") == "فرنسا"
    with translation.override("ru"):
        assert name_of("DEU") == "Германия"
    with translation.override("es"):
        assert name_of("PER") == "Perú"
    # A code no one names stays as it is, in every language.
    with translation.override("fr"):
        assert name_of("QQQ") == "QQQ"


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_a_date_or_time_shown_bare_reads_as_iso_8601_in_every_language(language):
    """The dashboard's "It is due by {{ d }}" read "Dec. 24, 2026" in English and
    "2026年12月24日" in Chinese: Django's own formats of each language (hcoc.locale_formats)."""
    from datetime import UTC, date, datetime

    from django.template import Context, Template

    shown = Template("{{ d }} {{ t }}")
    with translation.override(language):
        text = shown.render(
            Context({"d": date(2026, 12, 24), "t": datetime(2026, 12, 7, 8, 49, tzinfo=UTC)})
        )
    assert text == "2026-12-24 2026-12-07 08:49"


def test_a_lead_time_reads_in_the_readers_language_and_as_before_in_english():
    """A notification's lead time read "3 days" on a French, Russian or Arabic page."""
    for hours in (274.27, 30, 24, 72, 5.5, 0.25, 0, -1.5, 47.99):
        with translation.override("en"):
            assert duration(hours) == duration_text(hours), hours
    expected = {
        "fr": ["11 jours 10 h", "1 jour 6 h", "5 h 30 min", "15 min"],
        "ru": ["11 дней 10 ч", "1 день 6 ч", "5 ч 30 мин", "15 мин"],
        "es": ["11 días 10 h", "1 día 6 h", "5 h 30 min", "15 min"],
        "zh-hans": ["11天 10小时", "1天 6小时", "5小时30分钟", "15分钟"],
        "ar": ["11 يومًا و10 س", "1 يوم و6 س", "5 س 30 د", "15 د"],
    }
    for language, words in expected.items():
        with translation.override(language):
            assert [duration(h) for h in (274.27, 30, 5.5, 0.25)] == words, language
    assert duration(None) == ""


@pytest.mark.parametrize(
    "language, words",
    [
        ("en", ["3 days", "3000 km", "stage: circle", "Impact area 1 (stage)"]),
        ("fr", ["3 jours", "3000 km", "étage: cercle", "Zone d'impact 1 (étage)"]),
        ("ru", ["3 дня", "3000 км", "ступень: круг", "Район падения 1 (ступень)"]),
        ("es", ["3 días", "3000 km", "etapa: círculo", "(etapa)"]),
        ("zh-hans", ["3天", "3000 公里", "火箭级:", "（火箭级）"]),
        ("ar", ["3 أيام", "3000 كم", "مرحلة:", "(مرحلة)"]),
    ],
)
def test_a_notifications_lead_time_range_and_impact_areas_read_in_the_readers_language(
    personas, language, words
):
    """Its lead time read "3 days", its range and apogee "3000 km" and its impact area's kind
    "stage" (the API's code) in every language (the phone walk's screenshots showed them)."""
    france = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=france, data=PLNIn.model_validate(pln()))
    User.objects.filter(username="jpn_reader").update(language=language)
    text = readable_text(
        web_client("jpn_reader").get(f"/notifications/{n.reference}").content.decode()
    )
    assert [w for w in words if w not in text] == []
    form = web_client("fra_submitter")
    User.objects.filter(username="fra_submitter").update(language=language)
    page = form.get("/notifications/new").content.decode()
    assert f'<option value="stage">{words[2].split(":")[0].strip()}</option>' in page
