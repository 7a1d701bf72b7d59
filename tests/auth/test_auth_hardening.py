"""Hostile input on the pages: a `next` never leads off the site, and no page that shows a secret
(a new token, a TOTP key, an enrolment link) may be kept by a cache."""

import re

import pytest
from django.test import Client
from support.bodies import pln
from support.people import web_client

from hcoc.accounts.models import User
from hcoc.exchange.shown import shown_mark
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/x",
    "//evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "https:evil.example",
    "javascript:alert(1)",
    " https://evil.example/x",
]


@pytest.fixture
def seq(personas) -> int:
    n = notification_submit(
        actor=User.objects.get(username="fra_submitter"), data=PLNIn.model_validate(pln())
    )
    return n.versions.get().seq


@pytest.mark.parametrize("target", OFF_SITE)
def test_acknowledging_never_redirects_to_another_site(seq, target):
    client = web_client("jpn_reader")
    shown = shown_mark("JPN", seq)
    # ticked and shown, ticked but not shown (refused), nothing ticked
    for data in ({"seqs": seq, "shown": shown}, {"seqs": seq}, {}):
        response = client.post("/inbox/acknowledge", {**data, "next": target})
        assert response.status_code == 302
        assert response["Location"] == "/inbox", (data, response["Location"])


def test_acknowledging_goes_back_to_the_page_it_came_from_on_this_site(seq):
    client = web_client("jpn_reader")
    response = client.post(
        "/inbox/acknowledge",
        {"seqs": seq, "shown": shown_mark("JPN", seq), "next": "/notifications/?x=1"},
    )
    assert response["Location"] == "/notifications/?x=1"


@pytest.mark.parametrize("target", OFF_SITE)
def test_a_login_never_redirects_to_another_site(personas, target):
    from support.people import set_password

    password = set_password("fra_submitter")
    response = Client().post(
        "/accounts/login/?" + f"next={target}",
        {"username": "fra_submitter", "password": password},
    )
    assert response.status_code == 302 and response["Location"] == "/"


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_the_account_page_showing_a_new_token_is_not_stored_by_caches(personas):
    client = web_client("fra_submitter")
    client.post("/account/tokens", {"name": "system"})
    response = client.get("/account")
    assert 'id="new-token"' in response.content.decode()
    assert no_store(response)


def test_the_two_factor_enrolment_page_with_its_key_is_not_stored_by_caches(personas):
    response = web_client("fra_submitter").get("/account/two-factor")
    assert 'id="totp-secret"' in response.content.decode()
    assert no_store(response)


def test_the_enrolment_link_page_of_the_console_and_the_link_itself_are_not_cached(personas):
    icc = web_client("icc")
    response = icc.post("/icc/users", {"username": "fra_clerk", "state": "FRA", "role": "reader"})
    page = icc.get(response["Location"])
    link = re.search(r'<code id="enrolment-link">([^<]+)</code>', page.content.decode()).group(1)
    assert no_store(page)
    opened = Client().get(re.sub(r"^https?://[^/]+", "", link))
    assert opened.status_code == 200 and no_store(opened)
