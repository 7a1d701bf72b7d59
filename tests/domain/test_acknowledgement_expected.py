"""Which states are expected to acknowledge an item: every state whose subscription was in
effect on the item's day and still is, but the item's own
(exchange.selectors.states_expected_to_acknowledge, the one rule). The ICC's acknowledgement
pages, the API's status, the console's counts and the daily chase all read it, so they agree; a
subscription recorded with a date still ahead counts for the items from that date."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.utils import timezone
from support.bodies import pln

from hcoc.accounts.models import User
from hcoc.exchange.selectors import (
    acknowledgement_report_for,
    acknowledgement_status_for,
    feed_recent_for,
    unacknowledged_states,
)
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit
from hcoc.registry.services import subscription_record
from hcoc.states.models import HcocStatus, State


def every_view_of(seq: int) -> dict[str, set[str] | int]:
    """What each reader of the rule says of item `seq`: the states that owe its acknowledgement
    (none has acknowledged it yet), and how many they are."""
    icc = User.objects.get(username="icc")
    status = acknowledgement_status_for(actor=icc, seq=seq)
    report = acknowledgement_report_for(actor=icc, seq=seq)
    (recent,) = [i for i in feed_recent_for(actor=icc)["items"] if i["seq"] == seq]
    return {
        "status": set(status["not_acknowledged"]),
        "report": {s["state"] for s in report["not_acknowledged_named"]},
        "chase": set(unacknowledged_states([seq])[seq]),
        "report count": report["expected"],
        "console count": recent["expected"],
        "console not acknowledged": recent["not_acknowledged"],
    }


def submit_as_france() -> int:
    fra = User.objects.get(username="fra_submitter")
    return notification_submit(actor=fra, data=PLNIn.model_validate(pln())).versions.get().seq


def test_a_state_whose_subscription_takes_effect_tomorrow_owes_the_items_from_then_on(personas):
    """Recorded today with tomorrow's date, China's subscription is in the registry (status
    subscribing) but not in effect: it owes no item of today, not today and not tomorrow when it
    can read them, and it owes tomorrow's."""
    icc = User.objects.get(username="icc")
    today = timezone.now().astimezone(UTC).date()
    assert not State.objects.get(iso3="CHN").is_subscribing_now
    subscription_record(
        actor=icc,
        iso3="CHN",
        note_reference="Note 7",
        note_received_on=today,
        effective_on=today + timedelta(days=1),
    )
    assert State.objects.get(iso3="CHN").subscribed_on > today
    before = submit_as_france()

    now = every_view_of(before)
    owing = now["status"]
    assert "CHN" not in owing and "FRA" not in owing and {"JPN", "USA"} <= owing
    assert now == {
        "status": owing,
        "report": owing,
        "chase": owing,
        "report count": len(owing),
        "console count": len(owing),
        "console not acknowledged": len(owing),
    }

    tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
    with time_machine.travel(tomorrow + timedelta(minutes=1), tick=False):
        assert every_view_of(before) == now
        after = submit_as_france()
        assert every_view_of(after) == {
            "status": owing | {"CHN"},
            "report": owing | {"CHN"},
            "chase": owing | {"CHN"},
            "report count": len(owing) + 1,
            "console count": len(owing) + 1,
            "console not acknowledged": len(owing) + 1,
        }


def test_a_state_that_has_withdrawn_owes_nothing_even_of_items_from_before(personas):
    seq = submit_as_france()
    assert "JPN" in every_view_of(seq)["status"]
    State.objects.filter(iso3="JPN").update(status=HcocStatus.NOT_SUBSCRIBING)
    then = every_view_of(seq)
    assert "JPN" not in then["status"] | then["report"] | then["chase"]
    assert then["report count"] == then["console count"] == len(then["status"])
