"""The ICC console: subscriptions, acknowledgements per item, users and tokens of states."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from support.bodies import declaration
from support.people import web_client
from support.stored import nothing_stored

from hcoc.accounts.models import ApiToken, User
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.services import declaration_submit
from hcoc.exchange.models import Event
from hcoc.exchange.selectors import acknowledgement_status_for
from hcoc.exchange.services import acknowledgements_record
from hcoc.states.models import HcocStatus, State

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def icc(personas) -> Client:
    """The ICC user, logged in through the login page with password and TOTP code."""
    user = User.objects.get(username="icc")
    user.set_password(PASSWORD)
    user.save()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    response = client.post(
        "/accounts/login/", {"username": "icc", "password": PASSWORD, "code": code}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return client


def client_for(username: str) -> Client:
    return web_client(username)


def test_the_console_is_refused_to_state_users(personas):
    for name in ("fra_submitter", "jpn_reader"):
        client = client_for(name)
        for url in ("/icc/", "/icc/subscriptions", "/icc/users", "/icc/items/1"):
            assert client.get(url).status_code == 403, (name, url)
        assert client.post("/icc/users", {"username": "x"}).status_code == 403
    assert client_for("prk_user").get("/icc/").status_code == 403


def test_an_icc_user_without_two_factor_is_sent_to_enrol(personas):
    client = Client()
    client.force_login(User.objects.get(username="icc"))  # password only, no second factor
    response = client.get("/icc/users")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor"


def test_an_anonymous_visitor_is_sent_to_log_in(personas):
    response = Client().get("/icc/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_icc_records_a_subscription_and_every_subscriber_is_told(icc):
    state = State.objects.exclude(status=HcocStatus.SUBSCRIBING).order_by("iso3").first()
    page = icc.get("/icc/subscriptions").content.decode()
    assert f'<option value="{state.iso3}">' in page
    assert '<option value="FRA">' not in page  # already subscribing

    today = timezone.now().date()
    response = icc.post(
        "/icc/subscriptions",
        {
            "iso3": state.iso3,
            "note_reference": "Note verbale 2026/17",
            "note_received_on": (today - timedelta(days=3)).isoformat(),
            "effective_on": today.isoformat(),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/icc/"
    state.refresh_from_db()
    assert state.status == HcocStatus.SUBSCRIBING
    event = Event.objects.get(kind="registry.subscribed", subject=state.iso3)
    console = icc.get("/icc/").content.decode()
    assert (
        f'href="/icc/items/{event.seq}"' in console and "Registry subscribed" in console
    )  # the kind in words


def test_a_subscription_with_bad_dates_shows_the_services_messages_and_stores_nothing(icc):
    state = State.objects.exclude(status=HcocStatus.SUBSCRIBING).order_by("iso3").first()
    events = Event.objects.count()
    today = timezone.now().date()
    html = icc.post(
        "/icc/subscriptions",
        {
            "iso3": state.iso3,
            "note_reference": " ",
            "note_received_on": today.isoformat(),
            "effective_on": (today - timedelta(days=1)).isoformat(),
        },
    ).content.decode()
    assert "must not be empty" in html
    assert "must not be before “Note received on”" in html
    assert Event.objects.count() == events
    state.refresh_from_db()
    assert state.status != HcocStatus.SUBSCRIBING


def test_recording_a_state_that_already_subscribes_is_refused_on_the_form(icc):
    with nothing_stored():
        response = icc.post(
            "/icc/subscriptions",
            {
                "iso3": "FRA",
                "note_reference": "n",
                "note_received_on": date.today().isoformat(),
                "effective_on": date.today().isoformat(),
            },
        )
    assert response.status_code == 200  # the form again, not a redirect to a success
    html = response.content.decode()
    assert "errorlist" in html  # FRA is not even offered: the choice is refused


def test_the_icc_creates_a_user_who_enrols_makes_a_token_that_the_icc_can_revoke(icc):
    response = icc.post(
        "/icc/users", {"username": "fra_clerk", "state": "FRA", "role": "reader", "email": ""}
    )
    assert response.status_code == 302
    clerk = User.objects.get(username="fra_clerk")
    assert clerk.state_id == "FRA" and clerk.role == "reader"
    assert not clerk.has_usable_password()  # the ICC never knows it
    first = icc.get(response["Location"]).content.decode()
    link = re.search(r'<code id="enrolment-link">https?://[^/]+([^<]+)</code>', first).group(1)
    assert 'id="enrolment-link"' not in icc.get(response["Location"]).content.decode()

    listing = icc.get("/icc/users?state=FRA").content.decode()
    assert "fra_clerk" in listing and "jpn_reader" not in listing

    # The person sets the password and makes a token of its own.
    assert (
        Client().post(link, {"password": PASSWORD, "password_again": PASSWORD}).status_code == 302
    )
    person = Client()
    person.post("/accounts/login/", {"username": "fra_clerk", "password": PASSWORD})
    assert person.post("/account/tokens", {"name": "FRA mirror"}).status_code == 302
    raw = re.search(r'<code id="new-token">([^<]+)</code>', person.get("/account").content.decode())
    raw = raw.group(1)
    feed = Client().get("/api/v1/feed", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert feed.status_code == 200

    url = f"/icc/users/{clerk.pk}/tokens"
    token = ApiToken.objects.get(user=clerk)
    assert (
        token.prefix in icc.get(url).content.decode() and raw not in icc.get(url).content.decode()
    )
    assert icc.post(f"/icc/tokens/{token.pk}/revoke").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/feed", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_creating_a_user_with_a_taken_name_shows_the_message_and_stores_nothing(icc):
    users = User.objects.count()
    html = icc.post(
        "/icc/users",
        {"username": "fra_reader", "state": "FRA", "role": "submitter"},
    ).content.decode()
    assert "&#x27;fra_reader&#x27; is taken" in html
    assert User.objects.count() == users


def test_the_console_cannot_create_icc_users_nor_touch_icc_tokens(icc):
    html = icc.post(
        "/icc/users", {"username": "boss", "state": "FRA", "role": "icc"}
    ).content.decode()
    assert "errorlist" in html and not User.objects.filter(username="boss").exists()
    icc_token = ApiToken.objects.get(user__username="icc")
    assert icc.post(f"/icc/tokens/{icc_token.pk}/revoke").status_code == 404
    icc_user = User.objects.get(username="icc")
    assert icc.get(f"/icc/users/{icc_user.pk}/tokens").status_code == 404


def test_per_item_the_console_shows_which_states_have_not_acknowledged(icc):
    fra = User.objects.get(username="fra_submitter")
    year = timezone.now().year - 1
    d = declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(year)))
    seq = d.versions.get().seq
    acknowledgements_record(actor=User.objects.get(username="jpn_reader"), seqs=[seq])
    status = acknowledgement_status_for(actor=fra, seq=seq)
    missing = status["not_acknowledged"]
    assert "JPN" not in missing and "FRA" not in missing and missing

    console = icc.get("/icc/").content.decode()
    row = re.search(rf'<td class="num">{seq}</td>.*?</tr>', console, re.S).group(0)
    assert f">{len(missing)}<" in row
    assert f'href="/declarations/FRA/{year}"' in row
    assert "<td>France</td>" in row  # the state by name, not its code

    page = icc.get(f"/icc/items/{seq}").content.decode()
    listed = re.search(r'<ul id="not-acknowledged">(.*?)</ul>', page, re.S).group(1)
    names = dict(State.objects.values_list("iso3", "name"))
    assert [unescape(x) for x in re.findall(r"<li>(.*?)</li>", listed)] == sorted(
        names[s] for s in missing
    )
    assert "<td>Japan</td>" in page
    assert icc.get("/icc/items/999999").status_code == 404


def test_console_pages_have_no_inline_scripts_nor_styles(icc):
    fra = User.objects.get(username="fra_submitter")
    year = timezone.now().year - 1
    d = declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(year)))
    urls = [
        "/icc/",
        "/icc/subscriptions",
        "/icc/users",
        f"/icc/users/{fra.pk}/tokens",
        f"/icc/items/{d.versions.get().seq}",
    ]
    for url in urls:
        response = icc.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"<[^>]+\sstyle=", html), url
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url
        assert "csrfmiddlewaretoken" in html or "<form" not in html, url


def test_the_icc_sets_a_due_date_and_extends_it_for_a_state_through_the_console(icc):
    from hcoc.declarations.models import DeadlineExtension, DeclarationDeadline

    bad = icc.post(
        "/icc/deadlines",
        {"form": "deadline", "deadline-year": "2025", "deadline-due_on": "2025-01-01"},
    )
    assert bad.status_code == 422 and "must be after the end of 2025" in bad.content.decode()
    assert not DeclarationDeadline.objects.exists()
    r = icc.post(
        "/icc/deadlines",
        {"form": "deadline", "deadline-year": "2025", "deadline-due_on": "2026-03-31"},
    )
    assert r.status_code == 302
    r = icc.post(
        "/icc/deadlines",
        {
            "form": "extension",
            "extension-year": "2025",
            "extension-state": "JPN",
            "extension-due_on": "2026-05-31",
            "extension-reason": "Elections.",
        },
    )
    assert r.status_code == 302
    assert DeadlineExtension.objects.get().reason == "Elections."
    page = icc.get("/icc/deadlines").content.decode()
    assert "2026-03-31" in page and "Japan: 2026-05-31 (Elections.)" in page
