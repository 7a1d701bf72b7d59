"""Every page URL, as every persona: the pages apply the same access rules as the API.

The matrix (PAGES: what each page answers each persona) and its world are in support.page_world,
which the browser's phone test walks too. A new page without a row there fails
`test_every_page_url_has_a_row`, so no page escapes the walk.
"""

import copy
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from django.test import Client
from support.database import built_once
from support.page_world import LOGIN, PAGES, PERSONAS, build_world, page_names


def test_every_page_url_has_a_row():
    assert page_names() == set(PAGES)


@pytest.fixture(scope="class")
def page_world(django_db_setup, django_db_blocker):
    """Built once for the class (support.database.built_once): each test starts from it as it
    was built, its own changes rolled back after it."""
    with built_once(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(db, page_world):
    """Clients of their own for each test (a logout changes its client's cookies), logged in
    with the sessions of the world."""
    built, kwargs, targets = page_world
    clients = {}
    for name, client in built.items():
        clients[name] = Client()
        clients[name].cookies = copy.deepcopy(client.cookies)
    return clients, kwargs, targets


class TestEveryPage:
    @pytest.mark.parametrize("name", sorted(PAGES))
    def test_each_page_answers_every_persona_as_the_access_rules_say(self, world, name):
        from django.urls import reverse

        clients, kwargs, targets = world
        method, expected = PAGES[name]
        url = reverse(name, kwargs=kwargs.get(name))
        got = []
        for persona in PERSONAS:
            client = clients[persona]
            r = client.get(url) if method == "GET" else client.post(url, {})
            if r.status_code != 302:
                got.append(r.status_code)
            elif r["Location"].startswith(f"/accounts/login/?next={quote(url)}"):
                got.append(LOGIN)
            else:
                got.append(r["Location"])
            if r.status_code == 200 and r.get("Content-Type", "").startswith("text/html"):
                html = r.content.decode()
                assert "style=" not in html and "<script>" not in html, (name, persona)
        expected = [e.format(**targets) if str(e).startswith("/") else e for e in expected]
        assert got == expected, (name, got)

    def test_the_public_registry_shows_participation_counts_but_no_states_submission(self, world):
        from hcoc.notifications.models import Notification

        clients, _, _ = world
        html = clients["anonymous"].get("/registry").content.decode()
        assert "Participation by year" in html
        reference = Notification.objects.get().reference
        assert reference not in html  # counts only: no item of any state
        year = datetime.now(UTC).year - 1
        assert f'<tr><td>{year}</td><td class="num">1</td>' in html  # France's declaration, counted
