"""Nobody can lock the owner out (issue 22: five wrong passwords from anyone locked any account
for 15 minutes, renewable, the ICC's included). The lock strangers' failures set holds for
every browser the account has never logged in from, so guessing stays as slow as before; a
browser that has logged in as the user before (its signed cookie) is counted on its own."""

import pytest
from django.core import signing
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from support.people import set_password
from support.stored import nothing_stored

from hcoc.accounts import devices
from hcoc.accounts.models import LoginDevice, User

LOCKED = "this account is locked for a while"


@pytest.fixture
def passwords(personas):
    return {name: set_password(name) for name in ("fra_submitter", "jpn_submitter", "icc")}


def log_in(client: Client, username: str, password: str, code: str = ""):
    return client.post(
        "/accounts/login/", {"username": username, "password": password, "code": code}
    )


def owners_browser(username: str, password: str, code: str = "") -> Client:
    """A browser that has logged in as `username` (and logged out again)."""
    browser = Client()
    assert log_in(browser, username, password, code).status_code == 302
    browser.post("/accounts/logout/")
    assert devices.COOKIE in browser.cookies
    return browser


def lock_out_strangers(settings, username: str) -> None:
    stranger = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES + 3):
        log_in(stranger, username, "wrong")
    r = log_in(stranger, username, "still wrong")
    assert LOCKED in r.content.decode()


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out_of_a_browser_it_used(
    passwords, settings
):
    owner = owners_browser("fra_submitter", passwords["fra_submitter"])
    lock_out_strangers(settings, "fra_submitter")
    assert log_in(owner, "fra_submitter", passwords["fra_submitter"]).status_code == 302
    # Every other browser is still locked out, even with the right password: no more guesses.
    r = log_in(Client(), "fra_submitter", passwords["fra_submitter"])
    assert r.status_code == 200 and LOCKED in r.content.decode()


def test_the_iccs_own_browser_still_enters_with_password_and_code_while_strangers_are_locked(
    passwords, settings
):
    icc = User.objects.get(username="icc")
    device = TOTPDevice.objects.create(user=icc, name="phone", confirmed=True, tolerance=0)
    owner = Client()
    assert log_in(owner, "icc", passwords["icc"], f"{totp(device.bin_key):06d}").status_code == 302
    owner.post("/accounts/logout/")
    lock_out_strangers(settings, "icc")
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the code may be used again
    r = log_in(owner, "icc", passwords["icc"], f"{totp(device.bin_key):06d}")
    assert r.status_code == 302


def test_wrong_passwords_from_the_owners_browser_lock_that_browser_alone(passwords, settings):
    password = passwords["fra_submitter"]
    mine, my_other = (owners_browser("fra_submitter", password) for _ in range(2))
    for _ in range(settings.LOGIN_MAX_FAILURES):
        log_in(mine, "fra_submitter", "wrong")
    r = log_in(mine, "fra_submitter", password)  # too late: not even checked
    assert r.status_code == 200 and LOCKED in r.content.decode()
    assert log_in(my_other, "fra_submitter", password).status_code == 302
    assert log_in(Client(), "fra_submitter", password).status_code == 302
    assert User.objects.get(username="fra_submitter").failed_logins == 0


def test_a_browser_trusted_for_one_account_or_with_a_made_up_cookie_is_a_stranger(
    passwords, settings
):
    japans = owners_browser("jpn_submitter", passwords["jpn_submitter"])
    lock_out_strangers(settings, "fra_submitter")
    r = log_in(japans, "fra_submitter", passwords["fra_submitter"])
    assert LOCKED in r.content.decode()

    fra = User.objects.get(username="fra_submitter")
    device = LoginDevice.objects.filter(user=fra).first() or LoginDevice.objects.create(
        user=fra, created_at=fra.date_joined, last_login_at=fra.date_joined
    )
    forger = Client()
    forger.cookies[devices.COOKIE] = signing.dumps(
        {"u": "fra_submitter", "d": device.pk}, salt="another salt"
    )
    assert LOCKED in log_in(forger, "fra_submitter", passwords["fra_submitter"]).content.decode()
    forger.cookies[devices.COOKIE] = devices.cookie_value(device)[:-2] + "xx"
    assert LOCKED in log_in(forger, "fra_submitter", passwords["fra_submitter"]).content.decode()


def test_a_refused_login_makes_no_browser_trusted(passwords):
    stranger = Client()
    with nothing_stored():
        log_in(stranger, "fra_submitter", "wrong")
        log_in(stranger, "nobody", "wrong")
    assert devices.COOKIE not in stranger.cookies
