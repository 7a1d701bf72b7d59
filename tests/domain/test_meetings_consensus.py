"""The consensus rule, proved by properties: first the pure rule, then the same property through
the services on the database (random rosters, check-outs and position sequences)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcoc.meetings.consensus import ADOPTED, NOT_ADOPTED, final_positions, outcome

STATES = ["FRA", "JPN", "DEU", "USA", "IND"]
POSITIONS = ["support", "no_objection", "abstain", "object"]
T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)

position_sequences = st.lists(
    st.tuples(
        st.sampled_from(STATES),
        st.sampled_from(POSITIONS),
        st.integers(min_value=0, max_value=120).map(lambda m: T0 + timedelta(minutes=m)),
    ),
    max_size=30,
).map(lambda rows: sorted(rows, key=lambda r: r[2]))  # taken in time order
rosters = st.sets(st.sampled_from(STATES))
call_times = st.integers(min_value=0, max_value=150).map(lambda m: T0 + timedelta(minutes=m))


def last_before(rows, state, at):
    mine = [p for s, p, t in rows if s == state and t <= at]
    return mine[-1] if mine else None


@given(present=rosters, rows=position_sequences, at=call_times)
def test_adopted_exactly_when_no_present_states_final_position_is_object(present, rows, at):
    result, counted = outcome(present, rows, at)
    blocked = any(last_before(rows, s, at) == "object" for s in present)
    assert result == (NOT_ADOPTED if blocked else ADOPTED)
    assert set(counted) <= present
    assert counted == {s: last_before(rows, s, at) for s in present if last_before(rows, s, at)}


@given(present=rosters, rows=position_sequences, at=call_times, absent_rows=position_sequences)
def test_absent_states_never_count(present, rows, at, absent_rows):
    """Whatever states outside the roster say (objections included), the outcome is the same."""
    extra = [(s, p, t) for s, p, t in absent_rows if s not in present]
    merged = sorted(rows + extra, key=lambda r: r[2])
    assert outcome(present, merged, at) == outcome(present, rows, at)


@given(present=rosters, rows=position_sequences, at=call_times, later=position_sequences)
def test_positions_after_the_call_change_nothing(present, rows, at, later):
    after = [(s, p, at + timedelta(seconds=1) + (t - T0)) for s, p, t in later]
    assert outcome(present, rows + after, at) == outcome(present, rows, at)


def test_at_equal_times_the_position_taken_last_counts():
    rows = [("FRA", "object", T0), ("FRA", "support", T0)]
    assert final_positions(rows, T0) == {"FRA": "support"}
    assert outcome({"FRA"}, rows, T0)[0] == ADOPTED


# ---- the same property through the services, on the database ----------------------------------

actions = st.lists(
    st.tuples(
        st.sampled_from(["FRA", "JPN", "DEU"]),
        st.sampled_from(["check_in", "check_out", *POSITIONS]),
    ),
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_a_called_decision_is_adopted_exactly_when_no_state_present_at_the_call_objects(steps):
    from django.db import transaction

    from hcoc.accounts.models import Role, User
    from hcoc.accounts.services import user_create
    from hcoc.lib.errors import Conflict, PermissionDenied
    from hcoc.meetings import services
    from hcoc.meetings.models import Decision, Meeting

    sid = transaction.savepoint()  # each example starts from an empty meeting world
    try:
        users = {
            iso3: user_create(
                username=f"h_{iso3.lower()}", password=None, role=Role.SUBMITTER, state_iso3=iso3
            )
            for iso3 in ("FRA", "JPN", "DEU")
        }
        icc = User.objects.filter(role=Role.ICC).first() or user_create(
            username="h_icc", password=None, role=Role.ICC, state_iso3=None
        )
        m = services.meeting_create(
            actor=icc,
            number=25,
            opens_on=date(2026, 6, 1),
            closes_on=date(2026, 6, 2),
            place="Vienna",
            chair_state="FRA",
        )
        m = services.meeting_open(actor=users["FRA"], meeting=m)
        services.agenda_item_add(actor=users["FRA"], meeting=m, title="Item")
        p = services.proposal_table(
            actor=users["FRA"], meeting=m, agenda_item=1, text="Text", procedure="consensus"
        )
        present: set[str] = set()
        last: dict[str, str] = {}
        for iso3, act in steps:
            who = users[iso3]
            if act in ("check_in", "check_out"):
                try:
                    services.attendance_record(actor=who, meeting=m, action=act)
                except Conflict:
                    continue
                (present.add if act == "check_in" else present.discard)(iso3)
            else:
                try:
                    services.position_take(actor=who, proposal=p, position=act, reason="because")
                except PermissionDenied:
                    assert iso3 not in present  # only absent states are refused
                    continue
                assert iso3 in present
                last[iso3] = act
        decision = services.decision_call(actor=users["FRA"], proposal=p)
        expected = any(last.get(s) == "object" for s in present)
        assert decision.outcome == ("not_adopted" if expected else "adopted")
        record = decision.record
        # Immutable after the call: a second call and any later position are refused.
        with pytest.raises(Conflict):
            services.decision_call(actor=users["FRA"], proposal=p)
        for iso3 in present:
            with pytest.raises(Conflict):
                services.position_take(
                    actor=users[iso3], proposal=p, position="object", reason="late"
                )
        assert Decision.objects.get(pk=decision.pk).record == record
        assert Meeting.objects.count() == 1
    finally:
        transaction.savepoint_rollback(sid)
