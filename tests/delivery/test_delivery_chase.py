"""The ICC chases states that have not acknowledged an item after HCOC_CHASE_AFTER_HOURS: a
button on the item's page and a daily task, by e-mail to the states' points of contact; each
chase recorded, never twice the same day for an item and a state."""

import re
from datetime import UTC, datetime, timedelta

import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from support.bodies import pln
from support.people import web_client

from hcoc.accounts.models import User
from hcoc.delivery.models import Chase
from hcoc.exchange.models import Event
from hcoc.exchange.services import acknowledgements_record
from hcoc.lib.timeutil import shown_utc
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit
from hcoc.states.models import PointOfContact


def _item() -> int:
    fra = User.objects.get(username="fra_submitter")
    return notification_submit(actor=fra, data=PLNIn.model_validate(pln())).versions.get().seq


def test_the_icc_chases_with_the_button_once_a_day_and_the_daily_task_adds_nothing(personas):
    PointOfContact.objects.create(state_id="JPN", name="Desk", email="pnc@mofa.example.jp")
    PointOfContact.objects.create(state_id="DEU", name="Referat", email="pnc@aa.example.de")
    seq = _item()
    acknowledgements_record(actor=User.objects.get(username="jpn_reader"), seqs=[seq])
    PointOfContact.objects.create(state_id="USA", name="Desk", email="pnc@state.example.gov")
    icc = web_client("icc")
    page = icc.get(f"/icc/items/{seq}").content.decode()
    assert f'action="/icc/items/{seq}/chase"' in page and "Not chased yet" in page
    # Too early: states have HCOC_CHASE_AFTER_HOURS to acknowledge.
    r = icc.post(f"/icc/items/{seq}/chase", follow=True)
    assert "can be chased from" in r.content.decode()
    assert not Chase.objects.exists() and mail.outbox == []
    chased_at = datetime.now(UTC) + timedelta(hours=49)
    with time_machine.travel(chased_at, tick=False):
        r = icc.post(f"/icc/items/{seq}/chase")
        assert r.status_code == 302 and r["Location"] == f"/icc/items/{seq}"
        chased = set(Chase.objects.values_list("state_id", flat=True))
        assert {"DEU", "USA"} <= chased and "JPN" not in chased and "FRA" not in chased
        assert sorted(m.to[0] for m in mail.outbox) == [
            "pnc@aa.example.de",
            "pnc@state.example.gov",
        ]
        event = Event.objects.get(seq=seq)
        message = mail.outbox[0]
        assert message.subject == "HCoC: Germany has not acknowledged 1 item"
        assert (
            f"- #{seq} Pre-launch notification: {event.subject} (France), "
            f"in the exchange since {shown_utc(event.at)}\n"
        ) in message.body
        assert f"{settings.SITE_URL}/inbox" in message.body
        assert Chase.objects.filter(by__username="icc").count() == len(chased)
        page = icc.get(f"/icc/items/{seq}").content.decode()
        assert "Germany" in page and "Not chased yet" not in page
        # The same day again: nothing new, by the button or the task.
        icc.post(f"/icc/items/{seq}/chase")
        call_command("deliver", "--chase")
        assert Chase.objects.count() == len(chased) and len(mail.outbox) == 2
    # The next UTC day, whatever the hour now: "now + 3 days" was 23 hours after the chase, the
    # same day when the suite ran between 23:00 and midnight UTC.
    with time_machine.travel(chased_at + timedelta(days=1), tick=False):
        call_command("deliver", "--chase")  # the daily task, a day later
        assert Chase.objects.count() == 2 * len(chased)
        assert Chase.objects.filter(by=None).count() == len(chased)
        assert len(mail.outbox) == 4


def test_only_the_icc_may_chase(personas):
    seq = _item()
    for name in ("fra_submitter", "jpn_reader"):
        assert web_client(name).post(f"/icc/items/{seq}/chase").status_code == 403
    assert not Chase.objects.exists()


def test_the_chase_button_says_when_it_may_be_pressed_and_is_disabled_until_then(personas):
    seq = _item()
    at = Event.objects.get(seq=seq).at.astimezone(UTC)
    due = f"{at + timedelta(hours=48):%Y-%m-%d %H:%M} UTC"
    icc = web_client("icc")
    page = icc.get(f"/icc/items/{seq}").content.decode()
    assert re.search(r"<button type=\"submit\" disabled[^>]*>Chase the states", page)
    # The time isolated left to right (hcoc.ui.bidi).
    assert f'Can be chased from <bdi dir="ltr">{due}</bdi>: states have until then' in page
    # A refusal (a page left open, or a request without it) says the same time, in words.
    refused = icc.post(f"/icc/items/{seq}/chase", follow=True).content.decode()
    assert f"can be chased from {due}: states have until then" in refused
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", refused.split("<main", 1)[-1])
    with time_machine.travel(at + timedelta(hours=48, seconds=1), tick=False):
        page = icc.get(f"/icc/items/{seq}").content.decode()
        assert "Can be chased from" not in page
        assert re.search(r"<button type=\"submit\">Chase the states", page)
