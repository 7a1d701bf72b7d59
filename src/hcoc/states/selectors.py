"""Registry reads. The list of states is public; points of contact are for subscribers' eyes."""

from hcoc.lib.cursor import decode_cursor, encode_cursor
from hcoc.lib.errors import NotFound
from hcoc.states.access import can_read_exchange, require_exchange_reader

from .models import Circular, PointOfContact, State
from .readmodel import circular_read_model, state_read_model


def state_list() -> list[dict]:
    return [state_read_model(s) for s in State.objects.order_by("iso3")]


def state_get_for(*, actor, iso3: str) -> dict:
    state = State.objects.filter(iso3=iso3.upper()).first()
    if state is None:
        raise NotFound(f"No state {iso3} in the registry.")
    out = state_read_model(state)
    if can_read_exchange(actor):
        out["points_of_contact"] = [
            {"name": p.name, "organisation": p.organisation, "email": p.email, "phone": p.phone}
            for p in state.points_of_contact.order_by("name")
        ]
    return out


def registry_history() -> list[dict]:
    """Public: who joined when, newest first, each date as precise as its source (a year-only
    date is shown as the year). States with no known date are left out."""
    rows = State.objects.filter(status="subscribing", subscribed_on__isnull=False).order_by(
        "-subscribed_on", "iso3"
    )
    return [{"iso3": s.iso3, "name": s.name, "subscribed_on": s.subscribed_on_text} for s in rows]


def circular_list_for(*, actor, limit: int = 100, cursor: str | None = None) -> dict:
    """The ICC's circulars, newest first: for subscribers' eyes."""
    require_exchange_reader(actor)
    qs = Circular.objects.order_by("-id")
    after = decode_cursor(cursor)
    if after:
        qs = qs.filter(id__lt=after)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [circular_read_model(c) for c in rows],
        "next_cursor": encode_cursor(rows[-1].id) if more else None,
    }


def contacts_of_for(*, actor, states: list[str]) -> list[dict]:
    """The points of contact of `states` (whom the ICC writes to about unacknowledged items),
    ordered by state and name; for subscribers' eyes, as on a state's registry entry."""
    require_exchange_reader(actor)
    rows = PointOfContact.objects.filter(state_id__in=states).select_related("state")
    return [
        {
            "state": p.state_id,
            "state_name": p.state.name,
            "name": p.name,
            "organisation": p.organisation,
            "email": p.email,
            "phone": p.phone,
        }
        for p in rows.order_by("state__name", "name")
    ]
