"""Property: whatever interleaving of writes and acknowledgements happens, a client following
/feed with any page sizes receives every event exactly once, in order, with no gap."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.bodies import iso, pln

from hcoc.accounts.models import User
from hcoc.exchange.models import Event
from hcoc.exchange.services import acknowledgements_record
from hcoc.lib.errors import Conflict
from hcoc.notifications.models import Notification
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_amend, notification_cancel, notification_submit

SUBMITTERS = ["fra_submitter", "jpn_submitter"]

actions = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.sampled_from(SUBMITTERS), st.integers(1, 20)),
        st.tuples(st.just("amend"), st.integers(0, 50), st.integers(1, 20)),
        st.tuples(st.just("cancel"), st.integers(0, 50), st.just(0)),
        st.tuples(
            st.just("ack"), st.sampled_from(["fra_reader", "jpn_reader"]), st.integers(0, 50)
        ),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def users(personas):
    return {
        name: User.objects.get(username=p.username) for name, p in personas.items() if p.token
    }, {name: p for name, p in personas.items()}


def _body(days: int) -> PLNIn:
    opens = datetime.now(UTC) + timedelta(days=days)
    return PLNIn.model_validate(
        pln(window={"opens": iso(opens), "closes": iso(opens + timedelta(hours=6))})
    )


def _read_feed(client: Client, token: str, after: int, page_sizes: list[int]) -> list[dict]:
    """Follow the feed from `after` to its end. Bounded: every page must move the cursor
    forward, and there can be no more pages than events (a feed whose `after` included the
    cursor's own item would otherwise be read for ever)."""
    items, cursor = [], after
    events = Event.objects.count()
    for i in range(events + 1):
        limit = page_sizes[i % len(page_sizes)]
        r = client.get(
            "/api/v1/feed",
            {"after": cursor, "limit": limit},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200, r.content
        page = r.json()
        assert len(page["items"]) <= limit
        assert all(item["seq"] > cursor for item in page["items"]), (cursor, page["items"])
        items += page["items"]
        if not page["more"]:
            return items
        assert page["last_seq"] > cursor, f"page {i} after {cursor} did not move the cursor"
        cursor = page["last_seq"]
    raise AssertionError(f"the feed was not read to its end in {events + 1} pages")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=actions, page_sizes=st.lists(st.integers(1, 7), min_size=1, max_size=4))
def test_any_interleaving_reaches_a_feed_reader_exactly_once_in_order_without_gaps(
    users, script, page_sizes
):
    user, persona = users
    start = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    expected: list[tuple[str, str, int]] = []
    for action, who, n in script:
        mine = list(Notification.objects.filter(first_submitted_at__isnull=False).order_by("id"))
        if action == "submit":
            made = notification_submit(actor=user[who], data=_body(n))
            expected.append(("notification.submitted", made.reference, 1))
        elif action in ("amend", "cancel") and mine:
            target = mine[who % len(mine)]
            actor = user["fra_submitter" if target.state_id == "FRA" else "jpn_submitter"]
            try:
                if action == "amend":
                    made = notification_amend(
                        actor=actor, reference=target.reference, data=_body(n)
                    )
                    expected.append(("notification.amended", made.reference, made.current_version))
                else:
                    made = notification_cancel(
                        actor=actor, reference=target.reference, reason="test"
                    )
                    expected.append(
                        ("notification.cancelled", made.reference, made.current_version)
                    )
            except Conflict:
                pass  # already cancelled: refused, and nothing may enter the feed
        elif action == "ack":
            last = Event.objects.order_by("-seq").values_list("seq", flat=True).first()
            if last:
                acknowledgements_record(actor=user[who], up_to=min(last, max(1, n)))

    got = _read_feed(Client(), persona["jpn_reader"].token, start, page_sizes)

    assert [(i["kind"], i["subject"], i["version"]) for i in got] == expected
    assert [i["seq"] for i in got] == list(range(start + 1, start + 1 + len(expected)))
