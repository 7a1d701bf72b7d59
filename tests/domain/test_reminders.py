"""Reminders of missing declarations: the clock driven through a season, day by day; exactly the
right e-mails go out, once each."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from support.bodies import declaration

from hcoc.accounts.models import User
from hcoc.declarations.models import Reminder
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.services import (
    deadline_extend,
    deadline_set,
    declaration_submit,
    reminders_send,
)
from hcoc.declarations.tasks import send_reminders
from hcoc.states.models import PointOfContact, State

CONTACTS = {"FRA": "pnc@fra.example", "JPN": "pnc@jpn.example", "KOR": "pnc@kor.example"}


@pytest.fixture
def season(personas):
    # Korea subscribes since the Code's launch (the shipped registry): it owes 2025's declaration.
    assert State.objects.get(iso3="KOR").subscribed_on == date(2002, 11, 25)
    for iso3, email in CONTACTS.items():
        PointOfContact.objects.create(state_id=iso3, name=f"PoC {iso3}", email=email)
    icc = User.objects.get(username="icc")
    icc.email = "icc@bmeia.example"
    icc.save()
    with time_machine.travel(datetime(2026, 1, 2, 9, tzinfo=UTC), tick=False):
        deadline_set(actor=icc, year=2025, due_on=date(2026, 3, 31))
        deadline_extend(
            actor=icc, iso3="KOR", year=2025, due_on=date(2026, 5, 31), reason="Elections."
        )
    return icc


def run_days(start: date, end: date, on_day=None) -> None:
    day = start
    while day <= end:
        with time_machine.travel(datetime(day.year, day.month, day.day, 6, tzinfo=UTC), tick=False):
            if on_day:
                on_day(day)
            reminders_send()
        day += timedelta(days=1)


def mails_to(address: str) -> list[str]:
    return [m.subject for m in mail.outbox if address in m.to]


def test_a_season_of_reminders_sends_each_one_once_on_its_day(season):
    fra = User.objects.get(username="fra_submitter")

    def france_declares_on_10_march(day):
        if day == date(2026, 3, 10):
            declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(2025)))

    run_days(date(2026, 1, 1), date(2026, 7, 1), france_declares_on_10_march)

    assert mails_to(CONTACTS["FRA"]) == [
        "HCoC: your annual declaration for 2025 is due on 2026-03-31 (in 30 days)"
    ]
    assert mails_to(CONTACTS["JPN"]) == [
        "HCoC: your annual declaration for 2025 is due on 2026-03-31 (in 30 days)",
        "HCoC: your annual declaration for 2025 is due on 2026-03-31 (in 7 days)",
    ]
    assert mails_to(CONTACTS["KOR"]) == [  # its extension moves its reminders
        "HCoC: your annual declaration for 2025 is due on 2026-05-31 (in 30 days)",
        "HCoC: your annual declaration for 2025 is due on 2026-05-31 (in 7 days)",
    ]
    # The ICC: one digest on the day after each due date, listing the states newly past due.
    digests = [m for m in mail.outbox if "icc@bmeia.example" in m.to]
    assert len(digests) == 2
    assert "- Japan (due 2026-03-31)" in digests[0].body and "Korea" not in digests[0].body
    assert "France" not in digests[0].body
    assert digests[1].subject == "HCoC: 1 annual declaration for 2025 now past due"
    assert "- Republic of Korea (due 2026-05-31)" in digests[1].body
    sent_on = {
        (r.state_id, r.kind): r.sent_at.date()
        for r in Reminder.objects.filter(state_id__in=CONTACTS)
    }
    assert sent_on[("JPN", "due_30")] == date(2026, 3, 1)
    assert sent_on[("JPN", "due_7")] == date(2026, 3, 24)
    assert sent_on[("JPN", "past_due")] == date(2026, 4, 1)
    assert sent_on[("KOR", "past_due")] == date(2026, 6, 1)


def test_a_missed_run_catches_up_with_only_the_most_urgent_reminder(season):
    run_days(date(2026, 3, 27), date(2026, 3, 27))  # the first run of the season, 4 days before
    assert mails_to(CONTACTS["JPN"]) == [
        "HCoC: your annual declaration for 2025 is due on 2026-03-31 (in 7 days)"
    ]


def test_the_dry_run_shows_what_would_go_and_sends_nothing_and_the_task_sends_it(season):
    with time_machine.travel(datetime(2026, 3, 2, 6, tzinfo=UTC), tick=False):
        out = StringIO()
        call_command("reminders", "send", "--dry-run", stdout=out)
        assert "would send due_30 JPN/2025 due 2026-03-31 to pnc@jpn.example" in out.getvalue()
        assert mail.outbox == [] and not Reminder.objects.exists()
        send_reminders.enqueue()  # the immediate backend runs it now
        assert CONTACTS["JPN"] in {a for m in mail.outbox for a in m.to}
        before = len(mail.outbox)
        send_reminders.enqueue()
        assert len(mail.outbox) == before  # never twice


def test_a_state_not_known_to_have_subscribed_that_year_is_reminded_but_not_reported_past_due(
    season,
):
    # Korea without a subscription date, as the shipped registry has it: the compliance table
    # shows its 2025 declaration as `unknown`, so the ICC's digest does not call it past due.
    State.objects.filter(iso3="KOR").update(subscribed_on=None)
    run_days(date(2026, 1, 1), date(2026, 7, 1))
    assert mails_to(CONTACTS["KOR"]) == [
        "HCoC: your annual declaration for 2025 is due on 2026-05-31 (in 30 days)",
        "HCoC: your annual declaration for 2025 is due on 2026-05-31 (in 7 days)",
    ]
    digests = [m.body for m in mail.outbox if "icc@bmeia.example" in m.to]
    assert any("- Japan (due 2026-03-31)" in d for d in digests)
    assert not any("Korea" in d for d in digests)
    assert not Reminder.objects.filter(state_id="KOR", kind="past_due").exists()
