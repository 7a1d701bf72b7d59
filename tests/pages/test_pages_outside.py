"""What the site shows around the exchange: a non-subscribing state's home page and navigation
(only what it may open), the address the site prints in its commands (the one it is served
on), and the favicon."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from support.people import web_client

pytestmark = pytest.mark.django_db


class Links(HTMLParser):
    """The links of a page: those in its main navigation, and all of them."""

    def __init__(self):
        super().__init__()
        self.nav, self.all, self._in_nav = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == "Main":
            self._in_nav = True
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.all.append(attrs["href"])
            if self._in_nav:
                self.nav.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False


def links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def test_a_non_subscriber_logs_in_to_a_page_that_says_what_it_can_do(personas):
    r = web_client("prk_user").get("/")
    assert r.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.content.decode()))
    assert "does not subscribe to the Hague Code of Conduct" in text
    assert "Read the public registry" in text
    assert "diplomatic note to the Immediate Central Contact (ICC): Austria's" in text
    # Nothing of the exchange.
    assert "Launch windows" not in text and "Inbox" not in text


def test_a_non_subscribers_every_link_opens(personas):
    prk = web_client("prk_user")
    home = links(prk.get("/").content.decode())
    assert set(home.nav) >= {"/", "/registry", "/account"}
    assert not {"/inbox", "/notifications/", "/log/", "/meetings/"} & set(home.nav)
    for page in ("/", "/registry", "/account"):
        for href in links(prk.get(page).content.decode()).all:
            r = prk.get(href)
            assert r.status_code not in (403, 404), (page, href, r.status_code)


def test_a_subscriber_still_has_the_whole_navigation(personas):
    nav = links(web_client("fra_submitter").get("/").content.decode()).nav
    assert {"/inbox", "/notifications/", "/log/", "/contacts", "/registry"} <= set(nav)
    for href in nav:
        assert web_client("fra_reader").get(href).status_code != 403, href


def test_the_log_page_prints_commands_with_the_address_it_is_served_on(personas, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "exchange.example"]
    client = web_client("fra_reader")
    html = client.get("/log/", HTTP_HOST="exchange.example:8123").content.decode()
    assert "hcoc verify --url http://exchange.example:8123 " in html
    assert "hcoc witness --url http://exchange.example:8123 " in html
    html = client.get("/log/", SERVER_NAME="127.0.0.1", SERVER_PORT="8042").content.decode()
    assert "hcoc verify --url http://127.0.0.1:8042 " in html
    assert "localhost:8000" not in html and "127.0.0.1:8000" not in html


@pytest.mark.parametrize("who", ["anonymous", "prk_user", "fra_reader"])
def test_the_favicon_is_served_and_linked(personas, who):
    client = Client() if who == "anonymous" else web_client(who)
    page = client.get("/registry").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)[1]
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"] == href
    icon = client.get(href)
    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content if icon.streaming else [icon.content])
