"""The admin is behind the site's own login: one login path, one lockout, the same second factor.

Before, `/admin/` let the ICC in with a password alone, and its wrong passwords never counted
towards the lockout; from there one could delete the ICC's TOTP device and make tokens for a
state's user.
"""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from support.people import set_password

from hcoc.accounts.models import User

PASSWORD = "correct horse battery"


@pytest.fixture
def icc(personas):
    user = User.objects.get(username="icc")
    user.is_staff = user.is_superuser = True  # as the demo makes it: the ICC runs the admin
    user.save()
    set_password("icc", PASSWORD)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def device(icc):
    return TOTPDevice.objects.create(user=icc, name="phone", confirmed=True)


def admin_login(client: Client, password: str, code: str = ""):
    """Log in the way the admin asks: follow /admin/ to the login page it names, post there."""
    first = client.get("/admin/")
    assert first.status_code == 302
    return client.post(first["Location"], {"username": "icc", "password": password, "code": code})


def test_the_admin_with_a_password_alone_is_refused(icc, device):
    client = Client()
    admin_login(client, PASSWORD)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/accounts/apitoken/add/").status_code == 302
    # Django's own admin login form (username and password only) lets no one in either.
    client = Client()
    client.post("/admin/login/?next=/admin/", {"username": "icc", "password": PASSWORD})
    assert client.get("/admin/").status_code == 302


def test_a_session_without_the_second_factor_does_not_open_the_admin(icc, device):
    client = Client()
    client.force_login(icc)  # logged in, not verified
    response = client.get("/admin/otp_totp/totpdevice/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_an_icc_user_with_no_device_is_sent_to_enrol_one(icc):
    client = Client()
    client.force_login(icc)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/two-factor"


def test_wrong_passwords_through_the_admin_count_towards_the_lockout(icc, device, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        admin_login(Client(), "wrong")
    assert User.objects.get(pk=icc.pk).failed_logins == settings.LOGIN_MAX_FAILURES - 1
    # Django's own admin login URL, posted to directly, goes through the same lockout.
    Client().post("/admin/login/", {"username": "icc", "password": "wrong"})
    assert User.objects.get(pk=icc.pk).locked_until is not None


def test_a_locked_account_cannot_get_in_through_the_admin(icc, device, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        admin_login(Client(), "wrong")
    client = Client()
    response = admin_login(client, PASSWORD, f"{totp(device.bin_key):06d}")
    assert response.status_code == 200 and "locked" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    client = Client()
    client.post("/admin/login/", {"username": "icc", "password": PASSWORD})
    assert client.get("/admin/").status_code == 302


def test_with_the_second_factor_the_admin_opens(icc, device):
    client = Client()
    response = admin_login(client, PASSWORD, f"{totp(device.bin_key):06d}")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    # Going to the admin's login page when already in leads to the admin.
    assert client.get("/admin/login/")["Location"] == "/admin/"
