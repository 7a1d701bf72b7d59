"""E-mail alerts for people (issue 11): per kind of item, at once, in a daily digest or not at
all; what a diplomat needs at a glance, in plain text and HTML; never the same item twice; a
restricted item never to a state it is not for."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from support.bodies import declaration, invitation, pln
from support.people import web_client
from support.stored import stored

from hcoc.accounts.models import Role, User
from hcoc.accounts.services import user_create
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.services import declaration_submit
from hcoc.delivery.alerts import alerts_send_immediate, daily_run_claim, digests_send
from hcoc.delivery.models import Alert
from hcoc.delivery.selectors import alert_modes_for
from hcoc.lib.timeutil import shown_utc
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit
from hcoc.observers.schemas import InvitationIn
from hcoc.observers.services import invitation_issue


@pytest.fixture
def people(personas):
    """E-mail addresses for France's and Japan's people, the ICC, and a user of the United
    States (an invitation below is addressed to it)."""
    for name in ("fra_reader", "jpn_reader", "jpn_submitter", "icc"):
        User.objects.filter(username=name).update(email=f"{name}@example.org")
    user_create(
        username="usa_reader",
        password=None,
        role=Role.READER,
        state_iso3="USA",
        email="usa_reader@example.org",
    )
    return personas


def fra() -> User:
    return User.objects.get(username="fra_submitter")


def to(messages) -> list[str]:
    return sorted(address for m in messages for address in m.to)


def test_a_new_notification_is_mailed_at_once_with_what_a_diplomat_needs(people):
    body = pln()
    n = notification_submit(actor=fra(), data=PLNIn.model_validate(body))
    sent = alerts_send_immediate()
    # Everyone of another state, and the ICC; not France's own people.
    assert to(mail.outbox) == [
        "icc@example.org",
        "jpn_reader@example.org",
        "jpn_submitter@example.org",
        "usa_reader@example.org",
    ]
    assert sent == 4
    message = next(m for m in mail.outbox if m.to == ["jpn_reader@example.org"])
    assert n.reference in message.subject and "SLV-medium" in message.subject
    text = message.body
    for expected in (
        f"Reference: {n.reference}",
        "State: France\n",
        "Generic class: SLV-medium (space launch vehicle)",
        "Window: ",
        "Launch area: Guiana Space Centre",
        "Direction: azimuth 90° true",
        # From its affected_states: a launch from Kourou due east is nowhere near Japan.
        "Your state: No: it does not concern your territory",
        f"/notifications/{n.reference}",
    ):
        assert expected in text, expected
    # The window as sent (not a second pln(), whose date differs when a UTC midnight falls
    # between the two), as people read times (2026-12-07 08:49 UTC).
    opens, closes = (shown_utc(body["window"][k]) for k in ("opens", "closes"))
    assert f"Window: {opens} to {closes}" in text
    assert "FRA-KOUROU" not in text and "State: FRA" not in text
    icc = next(m for m in mail.outbox if m.to == ["icc@example.org"])
    assert "Concerns: States concerned: France" in icc.body, icc.body
    (html, kind), *_ = message.alternatives
    assert kind == "text/html" and n.reference in html and "<table>" in html
    # Never twice: a second pass sends nothing more.
    assert alerts_send_immediate() == 0
    assert len(mail.outbox) == 4


def test_a_declaration_waits_for_the_digest_and_the_digest_never_repeats_an_item(people):
    year = datetime.now(UTC).year - 1
    declaration_submit(actor=fra(), data=DeclarationIn.model_validate(declaration(year)))
    assert alerts_send_immediate() == 0
    assert mail.outbox == []
    assert digests_send() == 4
    digest = next(m for m in mail.outbox if m.to == ["jpn_reader@example.org"])
    assert "digest" in digest.subject and "Annual declaration" in digest.body
    assert digest.alternatives[0][1] == "text/html"
    assert digests_send() == 0
    notification_submit(actor=fra(), data=PLNIn.model_validate(pln()))
    alerts_send_immediate()
    mail.outbox.clear()
    assert digests_send() == 0  # the notification went at once: not again in the digest


def test_each_user_chooses_per_kind_on_the_account_page(people):
    client = web_client("jpn_reader")
    page = client.get("/account").content.decode()
    assert 'name="mode-notification.submitted" value="immediate"' in page
    r = client.post(
        "/account/alerts",
        {"mode-notification.submitted": "digest", "mode-declaration.submitted": "none"},
    )
    assert r.status_code == 302
    notification_submit(actor=fra(), data=PLNIn.model_validate(pln()))
    year = datetime.now(UTC).year - 1
    declaration_submit(actor=fra(), data=DeclarationIn.model_validate(declaration(year)))
    alerts_send_immediate()
    assert "jpn_reader@example.org" not in to(mail.outbox)
    mail.outbox.clear()
    digests_send()
    (digest,) = [m for m in mail.outbox if m.to == ["jpn_reader@example.org"]]
    assert "Pre-launch notification" in digest.body and "Annual declaration" not in digest.body
    before = stored()
    r = client.post("/account/alerts", {"mode-notification.submitted": "sometimes"}, follow=True)
    assert "must be immediate, digest or none" in r.content.decode()
    assert stored() == before
    assert (
        alert_modes_for(user=User.objects.get(username="jpn_reader"))["notification.submitted"]
        == "digest"
    )


def test_a_restricted_invitation_is_never_mailed_to_a_state_it_is_not_for(people):
    for name in ("jpn_reader", "jpn_submitter", "usa_reader", "icc"):
        User.objects.filter(username=name).update(email=f"{name}@example.org")
    body = invitation(audience="named", named_states=["USA"])
    invitation_issue(actor=fra(), data=InvitationIn.model_validate(body))
    alerts_send_immediate()
    digests_send()
    assert to(mail.outbox) == ["icc@example.org", "usa_reader@example.org"]
    assert not Alert.objects.filter(user__state_id="JPN").exists()
    # The open invitation reaches every other state.
    mail.outbox.clear()
    invitation_issue(actor=fra(), data=InvitationIn.model_validate(invitation()))
    digests_send()
    assert "jpn_reader@example.org" in to(mail.outbox)


def test_the_workers_daily_run_is_made_once_a_day_also_across_restarts(db):
    today = datetime.now(UTC).date()
    assert daily_run_claim(today) is True
    assert daily_run_claim(today) is False  # a restarted worker, or a second one
    assert daily_run_claim(today + timedelta(days=1)) is True
