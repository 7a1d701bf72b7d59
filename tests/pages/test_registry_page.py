"""The public registry says what it knows and what it does not: how many of the Code's
subscribing States it confirms (from its data), how many it has not yet confirmed, and "not
known" apart from "not subscribing"."""

import re

from django.test import Client
from django.utils import timezone

from hcoc.accounts.models import User
from hcoc.registry.services import subscription_record
from hcoc.states.models import SUBSCRIBING_STATES_OF_THE_CODE, HcocStatus, State


def status_cells(html: str) -> dict[str, str]:
    """ISO3 -> the status shown in the table of all states."""
    table = html[html.index("All states") :]
    return dict(
        re.findall(r"<tr><td data-code>([A-Z]{3})</td><td>[^<]*</td><td>([^<]*)</td>", table)
    )


def counts() -> tuple[int, int, int]:
    return tuple(
        State.objects.filter(status=s).count()
        for s in (HcocStatus.SUBSCRIBING, HcocStatus.NOT_SUBSCRIBING, HcocStatus.UNKNOWN)
    )


def test_the_registry_says_how_many_of_the_codes_states_it_confirms_from_its_data(personas):
    confirmed, not_subscribing, not_known = counts()
    assert (confirmed, not_subscribing, not_known) == (95, 37, 64)  # the shipped registry
    html = Client().get("/registry").content.decode()
    assert "95 confirmed of 145 subscribing States; 50 not yet confirmed." in html
    assert f"{not_subscribing} are not subscribing and {not_known} are not known" in html
    assert "hcoc registry import" in html  # how the ICC loads its authoritative list
    shown = status_cells(html)
    assert shown["FRA"] == "subscribing" and shown["PRK"] == "not subscribing"
    assert shown["GHA"] == "not known"  # never "not subscribing", never a raw code
    assert set(shown.values()) == {"subscribing", "not subscribing", "not known"}

    # The figures follow the data: Ghana's subscription recorded, one more is confirmed.
    today = timezone.now().date()
    subscription_record(
        actor=User.objects.get(username="icc"),
        iso3="GHA",
        note_reference="Note 1",
        note_received_on=today,
        effective_on=today,
    )
    assert counts() == (confirmed + 1, not_subscribing, not_known - 1)
    html = Client().get("/registry").content.decode()
    assert (
        f"{confirmed + 1} confirmed of {SUBSCRIBING_STATES_OF_THE_CODE} subscribing States; "
        f"{SUBSCRIBING_STATES_OF_THE_CODE - confirmed - 1} not yet confirmed."
    ) in html
    assert status_cells(html)["GHA"] == "subscribing"


def test_a_registry_confirming_more_than_the_code_counts_says_its_own_count(personas):
    State.objects.filter(status=HcocStatus.UNKNOWN).update(status=HcocStatus.SUBSCRIBING)
    confirmed = State.objects.filter(status=HcocStatus.SUBSCRIBING).count()
    assert confirmed > SUBSCRIBING_STATES_OF_THE_CODE
    html = Client().get("/registry").content.decode()
    assert f"{confirmed} confirmed of {confirmed} subscribing States; 0 not yet confirmed." in html
