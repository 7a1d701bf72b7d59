"""The node's pages in the six languages (issue 26, part 2; issue 27): the reader's language from
the language switch's cookie, else Accept-Language (the node has no login, so nothing is kept on
a user), `<html lang dir>` as on the exchange's pages; its API answers in English whatever is
asked, as the exchange's does."""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from support.node_pages import NODE_SETTINGS, node_store
from support.readable import readable_text

from hcoc.node import services

ITEM = {
    "seq": 1,
    "kind": "notification.cancelled",
    "at": "2026-12-07T08:49:12.345678Z",
    "state": "FRA",
    "subject": "FRA-2026-0001",
    "version": 2,
    "payload": {"reason": "Weather."},
}


@pytest.fixture
def node(db):
    with override_settings(**NODE_SETTINGS):
        node_store([ITEM])
        services.contact_failed("URLError: connection refused")  # the banner on every page
        yield Client()


def test_accept_language_chooses_the_pages_language_and_arabic_reads_right_to_left(node):
    for language, inbox, direction in (
        ("fr", "Boîte de réception", "ltr"),
        ("ru", "Входящие", "ltr"),
        ("ar", "صندوق الوارد", "rtl"),
    ):
        page = node.get("/", HTTP_ACCEPT_LANGUAGE=language)
        html = page.content.decode()
        assert f'<html lang="{language}" dir="{direction}">' in html, language
        assert inbox in readable_text(html), language
        assert page["Content-Language"] == language
        assert "No word from the exchange" not in readable_text(html), language  # translated too


def test_the_language_switch_keeps_the_choice_in_a_cookie_and_goes_back_to_the_page(node):
    answer = node.post("/language", {"language": "es", "next": "/items/1"})
    assert answer.status_code == 302 and answer["Location"] == "/items/1"
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    html = node.get("/items/1", HTTP_ACCEPT_LANGUAGE="fr").content.decode()  # the cookie wins
    assert '<html lang="es"' in html and "Acknowledge receipt" not in html
    for wrong in ("xx", "", "es'><script>"):
        answer = node.post("/language", {"language": wrong, "next": "https://elsewhere.example/"})
        assert answer.status_code == 302 and answer["Location"] == "/", wrong


def test_the_api_answers_in_english_whatever_language_is_asked(node):
    english = node.get("/api/v1/node").json()
    for language in ("fr", "ar", "zh-hans"):
        answer = node.get("/api/v1/node", HTTP_ACCEPT_LANGUAGE=language)
        assert answer.json()["silence"] == english["silence"], language
    assert english["silence"].startswith("No word from the exchange since")


def test_in_arabic_the_nodes_pages_isolate_times_and_load_the_exchanges_fonts(node):
    """The node's inbox and item page showed times as bare text, which the bidi algorithm
    reorders in Arabic ("UTC 08:49 2026-12-07"), and linked no font for Arabic or Chinese."""
    for path in ("/", "/items/1"):
        html = node.get(path, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
        assert '<bdi dir="ltr">2026-12-07 08:49 UTC</bdi>' in html, path
        assert "vendor/noto-sans-arabic/font-face.css" in html, path
        assert "vendor/noto-sans-sc/font-face.css" in html, path
