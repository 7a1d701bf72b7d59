"""The six languages in a real browser (issue 27): France's user switches the exchange to French
with the switch every page carries, and the navigation, headings, forms, inbox and notification
page are French from then on; in the pseudo-locale (every string accented and 40 % longer:
support/pseudo.py), no page a submitter opens scrolls sideways on a 390 px phone."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect
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


# A walk of every page a submitter opens, with the world built first: minutes on a loaded
# machine, past the suite's 120 s default.
@pytest.mark.timeout(600)
@pytest.mark.parametrize("language, direction", [(PSEUDO[0], "ltr"), ("ar", "rtl")])
def test_no_page_scrolls_sideways_on_a_phone_in_the_pseudo_locale_nor_right_to_left(
    language, direction, transactional_db, chromium, live_server, tmp_path
):
    """The pseudo-locale's longer text, and Arabic's right-to-left layout (its catalogue is being
    translated: the layout is what is walked here), on every page a submitter opens."""
    pseudo_catalogue(tmp_path)
    from django.conf import settings

    with override_settings(
        LANGUAGES=[*settings.LANGUAGES, PSEUDO], LOCALE_PATHS=[tmp_path, *settings.LOCALE_PATHS]
    ):
        clients, kwargs, _ = build_world()
        context = logged_in(chromium, live_server, clients, "fra_submitter", viewport=PHONE)
        host = live_server.url.split("//", 1)[1].split(":")[0]
        context.add_cookies(
            [{"name": "hcoc_language", "value": language, "domain": host, "path": "/"}]
        )
        page = context.new_page()
        too_wide, walked = {}, []
        try:
            for name in pages_of("fra_submitter"):
                response = page.goto(reverse(name, kwargs=kwargs.get(name)))
                assert response.ok, (name, response.status)
                if name == "project:dashboard":
                    expect(page.locator("html")).to_have_attribute("lang", language)
                    expect(page.locator("html")).to_have_attribute("dir", direction)
                    if language == PSEUDO[0]:
                        expect(page.locator("footer")).to_contain_text(pseudo("All times are UTC."))
                resize(page, PHONE)
                got = overflow(page)
                if got["scroll"] > PHONE["width"]:
                    too_wide[name] = got
                walked.append(name)
        finally:
            context.close()
    assert len(walked) > 10, walked
    assert too_wide == {}, too_wide
