"""The six languages in a real browser (issue 27): France's user switches the exchange to French
with the switch every page carries, and the navigation, headings, forms, inbox and notification
page are French from then on; in the pseudo-locale (every string accented and 40 % longer:
support/pseudo.py) and in Arabic (right to left), no page a submitter opens scrolls sideways on a
390 px phone, and in Arabic every one is `dir="rtl"` and passes the axe-core audit; the inbox and
a notification fit a phone in each of the six languages, and their screenshots are kept in
var/screenshots/phone/ (`<language>-inbox.png`, `<language>-notification.png`) by every run."""

import re

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from PIL import Image  # Pillow: installed with reportlab, which makes the PDFs
from playwright.sync_api import expect
from support.browser import PHONE_SHOTS, audit, open_menu
from support.page_world import build_world, pages_of
from support.pseudo import PSEUDO, pseudo, pseudo_catalogue
from test_browser_phone import PHONE, overflow, resize

from hcoc.accounts.models import User

pytestmark = pytest.mark.slow


def logged_in(chromium, live_server, clients, persona: str, **options):
    context = chromium.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    session = clients[persona].cookies["sessionid"]
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": session.value, "domain": host, "path": "/"}]
    )
    return context


def test_frances_user_switches_to_french_and_reads_the_exchange_in_french(
    transactional_db, chromium, live_server
):
    clients, kwargs, _ = build_world()
    context = logged_in(chromium, live_server, clients, "fra_submitter", viewport=PHONE)
    page = context.new_page()
    try:
        page.goto("/inbox")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.get_by_label("Language").select_option("fr")
        page.get_by_role("button", name="Change language").click()
        # Back on the same page, in French, and so on every page after it.
        expect(page).to_have_url(re.compile(r"/inbox$"))
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator("h1")).to_have_text("Boîte de réception")
        page.locator("summary", has_text="Menu").click()
        navigation = page.get_by_role("navigation", name="Principale")
        for link in ("Tableau de bord", "Boîte de réception", "Déclarations", "Réunions"):
            expect(navigation.get_by_role("link", name=link, exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Accuser réception de la sélection")).to_be_visible()

        page.goto(reverse("notifications:new"))
        expect(page.locator("h1")).to_have_text("Nouvelle notification préalable au lancement")
        expect(page.get_by_text("Fenêtre de lancement (UTC)", exact=True)).to_be_visible()
        expect(page.get_by_label("Ouverture (UTC)")).to_be_visible()

        detail = reverse("notifications:detail", kwargs=kwargs["notifications:detail"])
        page.goto(detail)
        expect(page.locator("main")).to_contain_text("Télécharger")
        expect(page.locator("footer")).to_contain_text("Toutes les heures sont en UTC.")
        # Times stay ISO 8601 in UTC whatever the language.
        expect(page.locator("main")).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"))
    finally:
        context.close()
    # The choice is the user's: stored on them, so it follows them to another browser.
    assert User.objects.get(username="fra_submitter").language == "fr"


def read_in(context, live_server, language: str) -> None:
    """The browser's language cookie, as the switch sets it for a reader who has chosen none."""
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": "hcoc_language", "value": language, "domain": host, "path": "/"}])


# A walk of every page a submitter opens, with the world built first: minutes on a loaded
# machine, past the suite's 120 s default.
@pytest.mark.timeout(600)
@pytest.mark.parametrize("language, direction", [(PSEUDO[0], "ltr"), ("ar", "rtl")])
def test_no_page_scrolls_sideways_on_a_phone_in_the_pseudo_locale_nor_right_to_left(
    language, direction, transactional_db, chromium, live_server, tmp_path
):
    """The pseudo-locale's longer text, and Arabic's right-to-left layout, on every page a
    submitter opens; in Arabic each page is also `dir="rtl"` and passes the axe-core audit at
    390 px (serious and critical violations, as the English walk in test_browser_phone.py; colour
    contrast is checked there at 1280 px: the stylesheet's colours are the same in every language
    and direction)."""
    pseudo_catalogue(tmp_path)
    with override_settings(
        LANGUAGES=[*settings.LANGUAGES, PSEUDO], LOCALE_PATHS=[tmp_path, *settings.LOCALE_PATHS]
    ):
        clients, kwargs, _ = build_world()
        context = logged_in(chromium, live_server, clients, "fra_submitter", viewport=PHONE)
        read_in(context, live_server, language)
        page = context.new_page()
        too_wide, unmirrored, problems, walked = {}, {}, {}, []
        try:
            for name in pages_of("fra_submitter"):
                response = page.goto(reverse(name, kwargs=kwargs.get(name)))
                assert response.ok, (name, response.status)
                if name == "project:dashboard":
                    expect(page.locator("html")).to_have_attribute("lang", language)
                    if language == PSEUDO[0]:
                        expect(page.locator("footer")).to_contain_text(pseudo("All times are UTC."))
                html = page.evaluate("() => [document.documentElement.lang, document.dir]")
                if html != [language, direction]:
                    unmirrored[name] = html
                resize(page, PHONE)
                got = overflow(page)
                if got["scroll"] > PHONE["width"]:
                    too_wide[name] = got
                if direction == "rtl":
                    open_menu(page)
                    if found := audit(page, contrast=False):
                        problems[name] = found
                walked.append(name)
        finally:
            context.close()
    assert len(walked) > 10, walked
    assert unmirrored == {}, unmirrored
    assert too_wide == {}, too_wide
    assert problems == {}, problems


# The pages each language is photographed on: the inbox, and the notification it lists.
PHOTOGRAPHED = ["inbox", "notification"]


def blank(path) -> str | None:
    """What is wrong with a kept screenshot, or None: a PNG as wide as the phone, with text on it
    (at least 0.5 % of its pixels dark: a page that did not render is white or one colour)."""
    with Image.open(path) as image:
        if image.format != "PNG" or image.width != PHONE["width"]:
            return f"{image.format} {image.width}x{image.height}"
        grey = image.convert("L")
        dark = sum(grey.histogram()[:100])
        if dark < 0.005 * image.width * image.height:
            return f"{dark} dark pixels of {image.width}x{image.height}"
    return None


@pytest.mark.timeout(600)
def test_the_inbox_and_a_notification_fit_a_phone_in_the_six_languages_and_are_kept_as_pictures(
    transactional_db, chromium, live_server, record_property
):
    """Japan's submitter reads its inbox (France's notification, declaration and invitation in it)
    and France's notification in each of the six languages on a 390 px phone: each page is in
    that language and direction, does not scroll sideways, and its full-page screenshot is kept
    as var/screenshots/phone/<language>-inbox.png and -notification.png, for people to look at
    (the translations' reviewers; tests/README.md), checked to be a 390 px wide PNG with text."""
    clients, kwargs, _ = build_world()
    paths = {
        "inbox": reverse("exchange:inbox"),
        "notification": reverse("notifications:detail", kwargs=kwargs["notifications:detail"]),
    }
    context = logged_in(chromium, live_server, clients, "jpn_submitter", viewport=PHONE)
    page = context.new_page()
    PHONE_SHOTS.mkdir(parents=True, exist_ok=True)
    for old in PHONE_SHOTS.glob("*.png"):  # the folder holds this run's pictures only
        old.unlink()
    wrong, too_wide, kept = {}, {}, []
    try:
        for language, _ in settings.LANGUAGES:
            read_in(context, live_server, language)
            for slug in PHOTOGRAPHED:
                response = page.goto(paths[slug])
                assert response.ok, (language, slug, response.status)
                expect(page.locator("main")).to_be_visible()
                # The map's outlines arrive after the page (fetched): photographed once drawn.
                for drawn in page.locator(".map").all():
                    expect(drawn).to_have_attribute("data-ready", "1")
                html = page.evaluate("() => [document.documentElement.lang, document.dir]")
                if html != [language, "rtl" if language == "ar" else "ltr"]:
                    wrong[f"{language} {slug}"] = html
                resize(page, PHONE)
                got = overflow(page)
                if got["scroll"] > PHONE["width"]:
                    too_wide[f"{language} {slug}"] = got
                path = PHONE_SHOTS / f"{language}-{slug}.png"
                page.screenshot(path=str(path), full_page=True)
                kept.append(path)
    finally:
        context.close()
    record_property("screenshots", str(PHONE_SHOTS))
    assert wrong == {}, wrong
    assert too_wide == {}, too_wide
    assert sorted(PHONE_SHOTS.glob("*.png")) == sorted(kept)
    assert len(kept) == len(settings.LANGUAGES) * len(PHOTOGRAPHED)
    assert {path.name: blank(path) for path in kept} == {path.name: None for path in kept}
