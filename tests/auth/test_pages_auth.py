"""Logging in: password, the second factor where enrolled, lockout after repeated failures."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from support.people import set_password

from hcoc.accounts.models import User


@pytest.fixture
def passwords(personas):
    return {name: set_password(name) for name in ("fra_submitter", "icc")}


def login(username: str, password: str, code: str = "") -> object:
    return Client().post(
        "/accounts/login/", {"username": username, "password": password, "code": code}
    )


def test_a_right_password_logs_in_and_a_wrong_one_says_so_without_logging_in(passwords):
    assert login("fra_submitter", passwords["fra_submitter"]).status_code == 302
    r = login("fra_submitter", "wrong")
    assert r.status_code == 200 and "Wrong username or password." in r.content.decode()


def test_an_account_locks_after_repeated_failures_even_for_the_right_password(passwords, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        login("fra_submitter", "wrong")
    r = login("fra_submitter", passwords["fra_submitter"])
    assert r.status_code == 200 and "locked" in r.content.decode()
    assert User.objects.get(username="fra_submitter").locked_until is not None


def test_a_success_before_the_limit_resets_the_failure_count(passwords, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        login("fra_submitter", "wrong")
    assert login("fra_submitter", passwords["fra_submitter"]).status_code == 302
    assert User.objects.get(username="fra_submitter").failed_logins == 0


def test_once_enrolled_a_user_needs_the_current_code_and_a_wrong_code_counts_as_a_failure(
    passwords,
):
    user = User.objects.get(username="fra_submitter")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    r = login("fra_submitter", passwords["fra_submitter"])
    assert r.status_code == 200 and "Enter the current code" in r.content.decode()
    code = f"{totp(device.bin_key):06d}"
    assert login("fra_submitter", passwords["fra_submitter"], code).status_code == 302
    # A wrong code is a failure (and django-otp then throttles the device for a while).
    assert login("fra_submitter", passwords["fra_submitter"], "000000").status_code == 200
    assert User.objects.get(pk=user.pk).failed_logins == 1  # the success in between reset it


def test_enrolment_refuses_a_wrong_code_and_keeps_two_factor_off(passwords):
    client = Client()
    client.post(
        "/accounts/login/", {"username": "fra_submitter", "password": passwords["fra_submitter"]}
    )
    assert "Scan this code" in client.get("/account/two-factor").content.decode()
    r = client.post("/account/two-factor", {"code": "123456"})
    assert "does not match" in r.content.decode()
    assert not TOTPDevice.objects.filter(user__username="fra_submitter", confirmed=True).exists()


def test_the_icc_cannot_turn_its_second_factor_off(passwords):
    user = User.objects.get(username="icc")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    assert (
        client.post(
            "/accounts/login/",
            {
                "username": "icc",
                "password": passwords["icc"],
                "code": f"{totp(device.bin_key):06d}",
            },
        ).status_code
        == 302
    )
    r = client.post("/account/two-factor", {"action": "disable"}, follow=True)
    assert "must keep two-factor" in r.content.decode()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_a_login_never_redirects_to_another_site(passwords):
    r = Client().post(
        "/accounts/login/?next=https://evil.example/",
        {"username": "fra_submitter", "password": passwords["fra_submitter"]},
    )
    assert r.status_code == 302 and r["Location"] == "/"
