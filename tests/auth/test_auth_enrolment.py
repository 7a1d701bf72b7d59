"""The relay cannot act as a state: only a state's own user makes its tokens and sets its password.

The ICC creates a state's user (no password) and gets a single-use, expiring enrolment link for
the person; the person sets the password, then makes its own tokens on /account. The console,
the admin and the `hcoc` commands all go through the same services, which refuse the rest.
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from support.bodies import pln
from support.people import set_password, web_client

from hcoc.accounts.models import ApiToken, EnrolmentLink, User
from hcoc.accounts.services import token_issue, token_user
from hcoc.lib.errors import PermissionDenied

pytestmark = pytest.mark.django_db
PASSWORD = "a long and private passphrase"


@pytest.fixture
def icc_is_staff(personas):
    icc = User.objects.get(username="icc")
    icc.is_staff = icc.is_superuser = True
    icc.save()


@pytest.fixture
def icc(icc_is_staff) -> Client:
    return web_client("icc")  # logged in with its second factor


def create_clerk(icc: Client) -> tuple[User, str]:
    """The ICC creates a French reader in the console; returns it and the enrolment link's path."""
    response = icc.post(
        "/icc/users", {"username": "fra_clerk", "state": "FRA", "role": "reader", "email": ""}
    )
    assert response.status_code == 302, response.content.decode()[-1500:]
    page = icc.get(response["Location"])
    link = re.search(r'<code id="enrolment-link">([^<]+)</code>', page.content.decode()).group(1)
    return User.objects.get(username="fra_clerk"), re.sub(r"^https?://[^/]+", "", link)


def enrol(path: str, password: str = PASSWORD):
    return Client().post(path, {"password": password, "password_again": password})


def log_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[-1500:]
    return client


def test_the_icc_creates_a_state_user_with_no_password_and_an_enrolment_link_shown_once(icc):
    clerk, path = create_clerk(icc)
    assert clerk.state_id == "FRA" and not clerk.has_usable_password()
    assert path.startswith("/accounts/enrol/")
    page = icc.get(f"/icc/users/{clerk.pk}/tokens")
    assert 'id="enrolment-link"' not in page.content.decode()  # shown once
    # Only the hash of the link's secret is kept.
    raw = path.rsplit("/", 1)[1]
    stored = EnrolmentLink.objects.get(user=clerk)
    assert raw not in stored.token_hash and stored.created_by.username == "icc"


def test_the_console_has_no_way_to_set_a_states_password(icc):
    icc.post(
        "/icc/users",
        {
            "username": "fra_clerk",
            "state": "FRA",
            "role": "reader",
            "password": "chosen by the relay",
        },
    )
    assert not User.objects.get(username="fra_clerk").has_usable_password()
    assert 'name="password"' not in icc.get("/icc/users").content.decode()


def test_the_console_cannot_make_a_token_for_a_states_user(icc):
    fra = User.objects.get(username="fra_submitter")
    before = ApiToken.objects.filter(user=fra).count()
    page = icc.get(f"/icc/users/{fra.pk}/tokens").content.decode()
    assert "Create token" not in page
    assert icc.post(f"/icc/users/{fra.pk}/tokens", {"name": "relay"}).status_code == 405
    assert ApiToken.objects.filter(user=fra).count() == before


def test_the_person_sets_the_password_logs_in_and_makes_its_own_token(icc):
    clerk, path = create_clerk(icc)
    form = Client().get(path)
    assert form.status_code == 200 and "fra_clerk" in form.content.decode()
    response = enrol(path)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)
    # The link works once.
    assert Client().get(path).status_code == 404
    assert enrol(path, "another long passphrase").status_code == 404
    assert User.objects.get(pk=clerk.pk).check_password(PASSWORD)

    person = log_in("fra_clerk")
    assert person.post("/account/tokens", {"name": "ministry"}).status_code == 302
    raw = re.search(r'<code id="new-token">([^<]+)</code>', person.get("/account").content.decode())
    assert token_user(raw.group(1)) == clerk
    # The ICC sees the token (its prefix), and may revoke it.
    token = ApiToken.objects.get(user=clerk)
    page = icc.get(f"/icc/users/{clerk.pk}/tokens").content.decode()
    assert token.prefix in page and "set by the user" in page
    assert icc.post(f"/icc/tokens/{token.pk}/revoke").status_code == 302
    assert token_user(raw.group(1)) is None


def test_two_different_passwords_or_a_short_one_are_refused_with_sentences(icc):
    _, path = create_clerk(icc)
    html = Client().post(path, {"password": PASSWORD, "password_again": "x" * 20}).content
    assert "The two passwords differ." in html.decode()
    html = enrol(path, "short").content.decode()
    assert "at least 12 characters" in html
    assert not User.objects.get(username="fra_clerk").has_usable_password()


def test_an_expired_link_is_refused(icc):
    clerk, path = create_clerk(icc)
    EnrolmentLink.objects.filter(user=clerk).update(expires_at=timezone.now() - timedelta(1))
    assert Client().get(path).status_code == 404
    assert enrol(path).status_code == 404
    assert not User.objects.get(pk=clerk.pk).has_usable_password()


def test_a_new_link_replaces_the_old_one_until_the_user_has_enrolled(icc):
    clerk, first = create_clerk(icc)
    assert icc.post(f"/icc/users/{clerk.pk}/enrolment").status_code == 302
    page = icc.get(f"/icc/users/{clerk.pk}/tokens").content.decode()
    second = re.search(r'<code id="enrolment-link">[^<]*(/accounts/enrol/[^<]+)</code>', page)
    assert Client().get(first).status_code == 404
    assert enrol(second.group(1)).status_code == 302
    # Enrolled: the ICC can no longer get a link (it would let the relay take the account).
    response = icc.post(f"/icc/users/{clerk.pk}/enrolment", follow=True)
    assert "has already set a password" in response.content.decode()
    assert EnrolmentLink.objects.filter(user=clerk, used_at__isnull=True).count() == 0


def test_the_token_service_refuses_anyone_but_the_tokens_own_user(icc_is_staff):
    icc = User.objects.get(username="icc")
    fra = User.objects.get(username="fra_submitter")
    with pytest.raises(PermissionDenied, match="Only a user can make its own API tokens"):
        token_issue(actor=icc, user=fra, name="relay", second_factor_passed=True)
    with pytest.raises(PermissionDenied):
        token_issue(
            actor=User.objects.get(username="jpn_submitter"),
            user=fra,
            name="x",
            second_factor_passed=True,
        )
    _, raw = token_issue(actor=fra, user=fra, name="own", second_factor_passed=False)
    assert token_user(raw) == fra


def test_an_icc_user_makes_a_token_only_after_its_second_factor(icc_is_staff):
    icc = User.objects.get(username="icc")
    password = set_password("icc")
    client = log_in("icc", password)  # no device yet: logged in with a password alone
    before = ApiToken.objects.filter(user=icc).count()
    response = client.post("/account/tokens", {"name": "mirror"})
    assert response.status_code == 302 and response["Location"] == "/account/two-factor"
    assert ApiToken.objects.filter(user=icc).count() == before
    assert web_client("icc").post("/account/tokens", {"name": "mirror"}).status_code == 302
    assert ApiToken.objects.filter(user=icc).count() == before + 1


def test_the_icc_acting_on_behalf_of_a_state_with_its_own_token_is_marked_entered_by_icc(
    icc_is_staff,
):
    client = web_client("icc")
    client.post("/account/tokens", {"name": "console"})
    raw = re.search(r'<code id="new-token">([^<]+)</code>', client.get("/account").content.decode())
    response = Client().post(
        "/api/v1/notifications",
        pln(on_behalf_of="FRA"),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw.group(1)}",
    )
    assert response.status_code == 201, response.content.decode()
    assert response.json()["reference"].startswith("FRA-")
    assert response.json()["entered_by_icc"] is True


# ---- the admin ------------------------------------------------------------------------------


def test_the_admin_cannot_make_a_token_for_a_states_user(icc):
    fra = User.objects.get(username="fra_submitter")
    before = ApiToken.objects.filter(user=fra).count()
    response = icc.post("/admin/accounts/apitoken/add/", {"user": fra.pk, "name": "relay"})
    assert response.status_code == 200  # the form again: fra is not a choice
    assert "Select a valid choice" in response.content.decode()
    assert ApiToken.objects.filter(user=fra).count() == before
    # Its own token, yes.
    me = User.objects.get(username="icc")
    response = icc.post("/admin/accounts/apitoken/add/", {"user": me.pk, "name": "own"})
    assert response.status_code == 302
    assert ApiToken.objects.filter(user=me, name="own").exists()
    shown = icc.get(response["Location"])  # the new token, in a message, once
    assert "shown once" in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]


def test_the_admin_cannot_set_a_states_password_nor_add_a_user_with_one(icc):
    fra = User.objects.get(username="fra_submitter")
    url = f"/admin/accounts/user/{fra.pk}/password/"
    assert icc.get(url).status_code == 403
    response = icc.post(url, {"password1": "relay's password 1", "password2": "relay's password 1"})
    assert response.status_code == 403
    assert not User.objects.get(pk=fra.pk).has_usable_password()
    response = icc.post(
        "/admin/accounts/user/add/",
        {"username": "fra_x", "password1": "p" * 14, "password2": "p" * 14, "state": "FRA"},
    )
    assert response.status_code == 403 and not User.objects.filter(username="fra_x").exists()


# ---- the commands ---------------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_hcoc_token_create_refuses_a_states_user_and_says_why(icc_is_staff):
    fra = User.objects.get(username="fra_submitter")
    before = ApiToken.objects.filter(user=fra).count()
    with pytest.raises(CommandError, match="only that user can make its API tokens"):
        run("token", "create", "fra_submitter")
    assert ApiToken.objects.filter(user=fra).count() == before
    raw = run("token", "create", "icc", "--name", "ops").strip()
    assert token_user(raw).username == "icc"


def test_hcoc_user_enrol_prints_a_link_that_sets_the_password_once(icc_is_staff):
    link = run("user", "enrol", "jpn_reader").strip()
    path = re.sub(r"^https?://[^/]+", "", link)
    assert path.startswith("/accounts/enrol/")
    assert enrol(path).status_code == 302
    assert User.objects.get(username="jpn_reader").check_password(PASSWORD)
    with pytest.raises(CommandError, match="has already set a password"):
        run("user", "enrol", "jpn_reader")
    # An ICC user (the operator's own staff) can be sent a new link at any time.
    set_password("icc")
    assert run("user", "enrol", "icc").strip().startswith("http")
    with pytest.raises(CommandError, match="No user"):
        run("user", "enrol", "nobody")


def test_a_state_user_enrolled_with_two_factor_uses_it_to_make_tokens(icc_is_staff):
    fra = User.objects.get(username="fra_submitter")
    password = set_password("fra_submitter")
    device = TOTPDevice.objects.create(user=fra, name="phone", confirmed=True)
    client = Client()
    client.post(
        "/accounts/login/",
        {"username": "fra_submitter", "password": password, "code": f"{totp(device.bin_key):06d}"},
    )
    assert client.post("/account/tokens", {"name": "own"}).status_code == 302
    assert ApiToken.objects.filter(user=fra, name="own").exists()


def test_the_enrolment_service_itself_refuses_a_short_password_and_keeps_the_link(icc_is_staff):
    from hcoc.accounts.services import enrolment_complete, operator_enrolment_issue
    from hcoc.lib.errors import InvalidInput

    raw = operator_enrolment_issue(user=User.objects.get(username="jpn_reader"))
    with pytest.raises(InvalidInput) as refused:
        enrolment_complete(raw=raw, password="short")
    assert refused.value.errors[0].message == "Choose a password of at least 12 characters."
    assert enrolment_complete(raw=raw, password=PASSWORD).check_password(PASSWORD)
