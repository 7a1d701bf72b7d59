"""Accessibility: axe-core (from the PyPI package axe-playwright-python) audits each main page in
Chromium. No violation of impact "serious" or "critical" is allowed."""

from datetime import UTC, datetime

import pytest
from support.bodies import declaration, pln
from support.browser import audit, log_in
from support.people import set_password

from hcoc.accounts.models import User
from hcoc.registry.services import contact_add

pytestmark = pytest.mark.slow


@pytest.fixture
def world(personas):
    from hcoc.declarations.schemas import DeclarationIn
    from hcoc.declarations.services import declaration_submit
    from hcoc.notifications.schemas import PLNIn
    from hcoc.notifications.services import notification_submit

    fra = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
    year = datetime.now(UTC).year - 1
    declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(year)))
    contact = contact_add(
        actor=User.objects.get(username="jpn_submitter"),
        state_iso3="JPN",
        name="Non-proliferation division",
        email="hcoc@mofa.example",
    )
    return {"reference": n.reference, "year": year, "contact": contact.pk}


PAGES = [
    "/",
    "/inbox",
    "/notifications/",
    "/notifications/new",
    "/notifications/{reference}",
    "/declarations/",
    "/declarations/new",
    "/declarations/FRA/{year}",
    "/account",
    "/account/two-factor",
    "/compliance/{year}",
    "/compliance/trends",
    "/log/",
    "/meetings/",
    "/invitations/",
    "/invitations/new",
    "/contacts",
    "/contacts/{contact}",
]


def test_the_public_pages_have_no_serious_accessibility_violations(browser_context, personas):
    from hcoc.accounts.services import operator_enrolment_issue

    enrolment = operator_enrolment_issue(user=User.objects.get(username="fra_reader"))
    page = browser_context.new_page()
    problems = {}
    for url in ("/accounts/login/", "/registry", f"/accounts/enrol/{enrolment}"):
        page.goto(url)
        problems[url] = audit(page)
    assert {u: p for u, p in problems.items() if p} == {}


def test_the_exchange_pages_have_no_serious_accessibility_violations(browser_context, world):
    page = browser_context.new_page()
    log_in(page, "jpn_submitter", set_password("jpn_submitter"))
    problems = {}
    for url in PAGES:
        page.goto(url.format(**world))
        problems[url] = audit(page)
    assert {u: p for u, p in problems.items() if p} == {}


def test_the_icc_console_has_no_serious_accessibility_violations(browser_context, world):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(
        user=User.objects.get(username="icc"), name="phone", confirmed=True
    )
    page = browser_context.new_page()
    log_in(page, "icc", set_password("icc"), code=f"{totp(device.bin_key):06d}")
    problems = {}
    fra = User.objects.get(username="fra_reader")
    for url in (
        "/icc/",
        "/icc/subscriptions",
        "/icc/users",
        f"/icc/users/{fra.pk}/tokens",
        "/icc/contacts",
    ):
        page.goto(url)
        problems[url] = audit(page)
    assert {u: p for u, p in problems.items() if p} == {}


def test_a_non_subscribers_home_page_has_no_serious_accessibility_violations(
    browser_context, personas
):
    page = browser_context.new_page()
    log_in(page, "prk_user", set_password("prk_user"))
    page.goto("/")
    assert audit(page) == []
