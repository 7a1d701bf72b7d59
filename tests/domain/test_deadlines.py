"""Declaration deadlines: the ICC sets one per year and may extend it for a state, with a reason;
a declaration first submitted after the due date that applies to its state is late."""

from datetime import date

import pytest
import time_machine
from support.bodies import declaration

from hcoc.accounts.models import User
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.selectors import declaration_get_for
from hcoc.declarations.services import deadline_extend, deadline_set, declaration_submit
from hcoc.lib.errors import InvalidInput, PermissionDenied


@pytest.fixture
def users(personas):
    return {u.username: u for u in User.objects.all()}


def submit_on(day: str, user, year: int = 2025):
    with time_machine.travel(f"{day}T12:00:00Z", tick=False):
        declaration_submit(actor=user, data=DeclarationIn.model_validate(declaration(year)))


def test_a_declaration_after_the_due_date_is_late_and_one_before_it_is_not(users):
    deadline_set(actor=users["icc"], year=2025, due_on=date(2026, 3, 31))
    submit_on("2026-03-31", users["fra_submitter"])
    submit_on("2026-04-01", users["jpn_submitter"])
    assert declaration_get_for(actor=users["jpn_reader"], state="FRA", year=2025)["late"] is False
    assert declaration_get_for(actor=users["fra_reader"], state="JPN", year=2025)["late"] is True


def test_an_extension_moves_the_due_date_for_that_state_only(users):
    deadline_set(actor=users["icc"], year=2025, due_on=date(2026, 3, 31))
    deadline_extend(
        actor=users["icc"], iso3="JPN", year=2025, due_on=date(2026, 5, 31), reason="Elections."
    )
    submit_on("2026-04-15", users["jpn_submitter"])
    submit_on("2026-04-15", users["fra_submitter"])
    assert declaration_get_for(actor=users["icc"], state="JPN", year=2025)["late"] is False
    assert declaration_get_for(actor=users["icc"], state="FRA", year=2025)["late"] is True


def test_a_later_version_does_not_make_an_on_time_declaration_late(users):
    deadline_set(actor=users["icc"], year=2025, due_on=date(2026, 3, 31))
    submit_on("2026-03-01", users["fra_submitter"])
    submit_on("2026-06-01", users["fra_submitter"])
    got = declaration_get_for(actor=users["icc"], state="FRA", year=2025)
    assert got["version"] == 2 and got["late"] is False


def test_only_the_icc_sets_deadlines_and_bad_ones_are_refused_naming_the_field(users):
    with pytest.raises(PermissionDenied):
        deadline_set(actor=users["fra_submitter"], year=2025, due_on=date(2026, 3, 31))
    with pytest.raises(InvalidInput) as e:
        deadline_set(actor=users["icc"], year=2025, due_on=date(2025, 12, 1))
    assert [p.field for p in e.value.errors] == ["due_on"]
    with pytest.raises(InvalidInput) as e:
        deadline_extend(
            actor=users["icc"], iso3="JPN", year=2025, due_on=date(2026, 5, 1), reason=" "
        )
    assert {p.field for p in e.value.errors} == {"reason", "year"}  # no due date set yet


def test_the_deadline_api_sets_extends_and_lists_and_names_the_field_of_a_bad_request(
    api, personas
):
    icc, jpn = personas["icc"], personas["jpn_reader"]
    bad = api.post("/deadlines", icc, json={"year": 2025, "due_on": "2025-06-30"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "due_on"
    assert (
        api.post("/deadlines", icc, json={"year": "2025", "due_on": "2026-03-31"}).status_code
        == 422
    )
    assert api.get("/deadlines", jpn).json() == []  # nothing stored by the bad requests
    assert (
        api.post("/deadlines", icc, json={"year": 2025, "due_on": "2026-03-31"}).status_code == 201
    )
    no_reason = api.post(
        "/deadlines/2025/extensions",
        icc,
        json={"state": "JPN", "due_on": "2026-05-31", "reason": ""},
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    unknown = api.post(
        "/deadlines/2025/extensions",
        icc,
        json={"state": "ZZZ", "due_on": "2026-05-31", "reason": "x"},
    )
    assert unknown.status_code == 404
    r = api.post(
        "/deadlines/2025/extensions",
        icc,
        json={"state": "JPN", "due_on": "2026-05-31", "reason": "Elections."},
    )
    assert r.status_code == 201
    listed = api.get("/deadlines", jpn, params={"year": 2025}).json()
    assert listed[0]["due_on"] == "2026-03-31"
    assert [(e["state"], e["due_on"], e["reason"]) for e in listed[0]["extensions"]] == [
        ("JPN", "2026-05-31", "Elections.")
    ]
