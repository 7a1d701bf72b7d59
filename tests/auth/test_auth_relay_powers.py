"""Fewer powers for the relay (issue 22): what the ICC tries through the admin and the `hcoc`
commands to act as a state, each refused, and what stays open, made visible to the state.

Each test is the attack as the ICC would try it: the real admin pages (a client logged in with
the ICC's second factor, forms posted as the browser would post them), the real management
commands. Before these fixes the ICC emptied an enrolled state user's state, set its password,
restored the state and acted as the state; read and added anyone's TOTP keys; and reset a state
user's password with `hcoc changepassword`.
"""

import html
import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from support.people import set_password, web_client

from hcoc.accounts.models import Role, User

pytestmark = pytest.mark.django_db
PASSWORD = "the state's own passphrase"
RELAY_PASSWORD = "the relay's chosen passphrase"


@pytest.fixture
def icc(personas) -> Client:
    """The ICC in the admin, as the demo makes it (staff, superuser) with its second factor."""
    User.objects.filter(username="icc").update(is_staff=True, is_superuser=True)
    return web_client("icc")


@pytest.fixture
def enrolled(personas) -> User:
    """France's submitter, who has set its own password (enrolled)."""
    set_password("fra_submitter", PASSWORD)
    return User.objects.get(username="fra_submitter")


class _FormFields(HTMLParser):
    """The fields a browser would send from the page's form named `form_id`: inputs (checked
    boxes only), selects (their selected options) and textareas."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "option":
            if self._select and "selected" in a:
                self.data.append((self._select, a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data.append((self._textarea, ""))
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file", "image"):
                self.data.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.data.pop()
            self.data.append((name, value + data))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_of(page, form_id: str, **changes) -> dict[str, list[str]]:
    parser = _FormFields(form_id)
    parser.feed(page.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    assert data, f"no form #{form_id} on the page"
    for name, value in changes.items():
        if value is None:  # a box left unchecked: the browser sends nothing
            data.pop(name, None)
        else:
            data[name] = [value]
    return data


def admin_change(icc: Client, user: User, **changes):
    url = f"/admin/accounts/user/{user.pk}/change/"
    return icc.post(url, form_of(icc.get(url), "user_form", **changes))


# ---- the admin: a user's state and role are fixed at creation --------------------------------


def test_the_admin_cannot_empty_an_enrolled_state_users_state_to_open_its_password_form(
    icc, enrolled
):
    """The issue's attack: state emptied, role icc, password set, state restored."""
    response = admin_change(icc, enrolled, state="", role=Role.ICC)
    assert response.status_code == 302  # the rest of the form is still saved ...
    user = User.objects.get(pk=enrolled.pk)
    assert (user.state_id, user.role) == ("FRA", Role.SUBMITTER)  # ... but not these
    url = f"/admin/accounts/user/{enrolled.pk}/password/"
    assert icc.get(url).status_code == 403
    response = icc.post(url, {"password1": RELAY_PASSWORD, "password2": RELAY_PASSWORD})
    assert response.status_code == 403
    user = User.objects.get(pk=enrolled.pk)
    assert user.check_password(PASSWORD) and not user.check_password(RELAY_PASSWORD)


def test_the_admin_shows_a_users_state_and_role_but_offers_no_field_to_change_them(icc, enrolled):
    page = icc.get(f"/admin/accounts/user/{enrolled.pk}/change/").content.decode()
    assert 'name="state"' not in page and 'name="role"' not in page
    assert "FRA" in page and "submitter (state)" in page


def test_the_admin_cannot_turn_an_icc_user_whose_password_it_knows_into_a_states_user(icc):
    """The other way round: an ICC user (password known to the relay) given France's state."""
    staff = User.objects.create_user(username="icc_two", password=RELAY_PASSWORD, role=Role.ICC)
    response = admin_change(icc, staff, state="FRA", role=Role.SUBMITTER)
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.state_id, staff.role) == (None, Role.ICC)


def test_the_admin_still_disables_a_states_user(icc, enrolled):
    response = admin_change(icc, enrolled, is_active=None)
    assert response.status_code == 302
    assert not User.objects.get(pk=enrolled.pk).is_active


# ---- the admin: second-factor devices are listed without their keys, never made --------------


@pytest.fixture
def fra_device(enrolled) -> TOTPDevice:
    return TOTPDevice.objects.create(user=enrolled, name="phone", confirmed=True)


def test_the_admin_never_shows_a_users_totp_key_nor_its_qr_code(icc, fra_device):
    base = f"/admin/otp_totp/totpdevice/{fra_device.pk}"
    listing = icc.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200 and "fra_submitter" in listing.content.decode()
    page = icc.get(f"{base}/change/")
    assert page.status_code == 200  # what the device is, who has it, when it was last used
    assert "phone" in page.content.decode()
    for shown in (listing, page):
        assert fra_device.key not in shown.content.decode()
        assert "qrcode" not in shown.content.decode()
    for secret in (f"{base}/config/", f"{base}/qrcode/"):
        # No such page any more: the admin's catch-all sends it to the index, keyless.
        response = icc.get(secret, follow=True)
        assert response.redirect_chain and response["Content-Type"].startswith("text/html")
        assert fra_device.key not in response.content.decode()
        assert "otpauth://" not in response.content.decode()


def test_the_admin_cannot_add_a_device_for_anyone_nor_change_one(icc, enrolled, fra_device):
    chosen = "3132333435363738393031323334353637383930"  # a key the relay would know
    assert icc.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    # A device with a key the relay chose, as django-otp's own admin form would take it.
    device = {
        "user": enrolled.pk,
        "confirmed": "on",
        "key": chosen,
        "step": 30,
        "t0": 0,
        "digits": 6,
        "tolerance": 1,
        "drift": 0,
        "throttling_failure_count": 0,
    }
    response = icc.post("/admin/otp_totp/totpdevice/add/", {**device, "name": "relay"})
    assert response.status_code == 403
    response = icc.post(
        f"/admin/otp_totp/totpdevice/{fra_device.pk}/change/", {**device, "name": "phone"}
    )
    assert response.status_code == 403
    assert list(TOTPDevice.objects.filter(user=enrolled).values_list("key", flat=True)) == [
        fra_device.key
    ]


def test_the_admin_deletes_a_lost_device_and_the_person_enrols_a_new_one_itself(
    icc, enrolled, fra_device
):
    url = f"/admin/otp_totp/totpdevice/{fra_device.pk}/delete/"
    assert icc.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=enrolled).exists()
    # The person logs in with its own password and is given a new key that only it sees.
    person = Client()
    response = person.post("/accounts/login/", {"username": "fra_submitter", "password": PASSWORD})
    assert response.status_code == 302
    page = person.get("/account/two-factor").content.decode()
    pending = TOTPDevice.objects.get(user=enrolled, confirmed=False)
    assert pending.key != fra_device.key
    assert re.search(r"[A-Z2-7]{16,}", page)  # the new key, shown to the person


# ---- the `hcoc` commands ----------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def typed_password(monkeypatch):
    """What the operator types at the commands' password prompts."""
    monkeypatch.setattr("getpass.getpass", lambda prompt="": RELAY_PASSWORD)


def test_hcoc_changepassword_refuses_a_states_user_and_says_why(enrolled, typed_password):
    with pytest.raises(CommandError, match="fra_submitter is a user of FRA: only they set"):
        run("changepassword", "fra_submitter")
    user = User.objects.get(pk=enrolled.pk)
    assert user.check_password(PASSWORD) and not user.check_password(RELAY_PASSWORD)
    # Not yet enrolled either: the person sets it through an enrolment link.
    with pytest.raises(CommandError, match="hcoc user enrol jpn_reader"):
        run("changepassword", "jpn_reader")
    assert not User.objects.get(username="jpn_reader").has_usable_password()


def test_hcoc_changepassword_still_sets_an_icc_users_password(personas, typed_password):
    assert "changed successfully" in run("changepassword", "icc")
    assert User.objects.get(username="icc").check_password(RELAY_PASSWORD)


def test_hcoc_createsuperuser_makes_one_of_the_iccs_staff_never_a_states_user(
    personas, monkeypatch
):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", RELAY_PASSWORD)
    run("createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.org")
    ops = User.objects.get(username="ops")
    assert (ops.state_id, ops.role, ops.is_superuser) == (None, Role.ICC, True)
    # Nor does it take over an existing state's user.
    with pytest.raises(CommandError, match="already taken"):
        run("createsuperuser", "--noinput", "--username", "fra_submitter", "--email", "x@y.org")
    assert not User.objects.get(username="fra_submitter").is_superuser
    # And no superuser is made of a state, even by a caller of the manager itself.
    with pytest.raises(ValueError, match="has no state"):
        User.objects.create_superuser("fra_admin", password=RELAY_PASSWORD, state_id="FRA")
    with pytest.raises(ValueError, match="has no state"):
        User.objects.create_superuser("fra_admin", password=RELAY_PASSWORD, role=Role.SUBMITTER)


# ---- a user of the relay's own making: not refused yet, shown to its state -------------------
# Who makes a state's users is still the ICC; only the state's root of trust (later work) can
# take that from it. Until then every user of a state shows, with who made it and when its
# password was set, to every user of that state (/account), and stays there.

WHEN = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"


def row_of(page, username: str) -> str:
    found = re.search(rf'<tr data-user="{username}">(.*?)</tr>', page.content.decode(), re.S)
    return html.unescape(re.sub(r"\s+", " ", found.group(1))) if found else ""


def make_and_enrol_a_ghost(icc: Client) -> User:
    """The issue's attack: the ICC makes fra_ghost3 and follows the enrolment link itself."""
    response = icc.post(
        "/icc/users",
        {"username": "fra_ghost3", "state": "FRA", "role": "submitter", "email": ""},
    )
    assert response.status_code == 302
    shown = icc.get(response["Location"]).content.decode()
    link = re.search(r'<code id="enrolment-link">([^<]+)</code>', shown).group(1)
    path = re.sub(r"^https?://[^/]+", "", link)
    relay = Client()
    response = relay.post(path, {"password": RELAY_PASSWORD, "password_again": RELAY_PASSWORD})
    assert response.status_code == 302
    response = relay.post(
        "/accounts/login/", {"username": "fra_ghost3", "password": RELAY_PASSWORD}
    )
    assert response.status_code == 302
    return User.objects.get(username="fra_ghost3")


def test_a_user_the_icc_makes_and_enrols_itself_shows_to_every_user_of_that_state(icc):
    make_and_enrol_a_ghost(icc)
    for name in ("fra_submitter", "fra_reader"):
        row = row_of(web_client(name).get("/account"), "fra_ghost3")
        # Each time isolated left to right (hcoc.ui.bidi).
        when = rf'<bdi dir="ltr">{WHEN}</bdi>'
        assert re.search(rf"{when}, by the ICC \(icc\)", row), row
        assert re.search(rf"set {when} through an enrolment link from the ICC \(icc\)", row), row
        assert re.search(rf"<td>{when}</td>", row), row  # its last login
    assert row_of(web_client("jpn_submitter").get("/account"), "fra_ghost3") == ""
    # The ICC itself has no state, and no such list on its account page.
    assert 'id="state-users"' not in icc.get("/account").content.decode()


def test_a_states_systems_find_the_user_the_icc_made_and_enrolled_through_the_api(icc, personas):
    make_and_enrol_a_ghost(icc)
    token = personas["fra_reader"].token
    answer = Client().get("/api/v1/users", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200
    users = {u["username"]: u for u in answer.json()["items"]}
    assert set(users) == {"fra_submitter", "fra_reader", "fra_ghost3"}
    ghost = users["fra_ghost3"]
    assert (ghost["made_by"], ghost["made_by_user"]) == ("icc", "icc")
    assert (ghost["enrolled_by"], ghost["enrolled_by_user"]) == ("icc", "icc")
    assert ghost["password_set"] and ghost["enrolled_at"] and ghost["last_login"]
    assert ghost["role"] == "submitter" and ghost["active"]
    seed = users["fra_reader"]
    assert (seed["made_by"], seed["enrolled_at"], seed["enrolment_links"]) == ("set-up", None, 0)


def test_a_state_sees_which_of_its_users_have_not_enrolled_and_whose_password_it_did_not_set(
    icc,
):
    icc.post("/icc/users", {"username": "fra_clerk", "state": "FRA", "role": "reader", "email": ""})
    page = web_client("fra_submitter").get("/account")
    assert "not set yet (enrolment link sent)" in row_of(page, "fra_clerk")
    assert "by the ICC (icc)" in row_of(page, "fra_clerk")
    # A user made with no link at all (as the exchange's set-up makes them) says so.
    set_password("fra_reader")
    row = row_of(web_client("fra_submitter").get("/account"), "fra_reader")
    assert "by the exchange's set-up" in row
    assert "chosen at the exchange's set-up, not by the person" in row


def test_a_user_enrolled_through_the_operators_link_says_so_whoever_made_it(icc):
    """The console made the user; the server's operator made a new link and followed it."""
    icc.post("/icc/users", {"username": "fra_clerk", "state": "FRA", "role": "reader", "email": ""})
    link = run("user", "enrol", "fra_clerk").strip()
    path = re.sub(r"^https?://[^/]+", "", link)
    Client().post(path, {"password": RELAY_PASSWORD, "password_again": RELAY_PASSWORD})
    row = row_of(web_client("fra_reader").get("/account"), "fra_clerk")
    assert "by the ICC (icc)" in row
    assert re.search(
        rf'set <bdi dir="ltr">{WHEN}</bdi> through an enrolment link from the server\'s operator',
        row,
    ), row


def test_the_admin_deletes_no_user_and_redates_none(icc):
    ghost = make_and_enrol_a_ghost(icc)
    made = ghost.date_joined
    maker = User.objects.get(username="icc")  # who the state reads made the ghost
    for user in (ghost, maker):
        url = f"/admin/accounts/user/{user.pk}/delete/"
        assert icc.post(url, {"post": "yes"}).status_code == 403
        response = icc.post(
            "/admin/accounts/user/",
            {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"},
        )
        assert User.objects.filter(pk=user.pk).exists(), response.status_code
    response = admin_change(
        icc, ghost, date_joined_0="2002-11-25", date_joined_1="09:00:00", is_active=None
    )
    assert response.status_code == 302
    ghost.refresh_from_db()
    assert ghost.date_joined == made and not ghost.is_active  # disabled, as it may be
    assert "(disabled)" in row_of(web_client("fra_submitter").get("/account"), "fra_ghost3")
