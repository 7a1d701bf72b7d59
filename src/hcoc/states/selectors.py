"""Registry reads. The list of states is public; points of contact are for subscribers' eyes."""

from django.db.models import Q
from django.utils.translation import gettext as _

from hcoc.accounts.access import may_act_as_icc
from hcoc.lib.cursor import decode_cursor, encode_cursor
from hcoc.lib.errors import NotFound, PermissionDenied
from hcoc.states.access import (
    may_keep_contacts,
    may_read_exchange,
    require_exchange_reader,
)

from .models import Circular, HcocStatus, PointOfContact, PointOfContactChange, State
from .readmodel import circular_read_model, contact_read_model, state_read_model


def state_list() -> list[dict]:
    return [state_read_model(s) for s in State.objects.order_by("iso3")]


def state_get_for(*, actor, iso3: str) -> dict:
    state = State.objects.filter(iso3=iso3.upper()).first()
    if state is None:
        raise NotFound(_("No state %(iso3)s in the registry.") % {"iso3": iso3})
    out = state_read_model(state)
    if may_read_exchange(actor):
        out["points_of_contact"] = [
            contact_read_model(p) for p in state.points_of_contact.order_by("name", "id")
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


# ---- points of contact (for subscribers' eyes; kept by the ICC and each state) -------------


def contacts_by_state_for(*, actor, query: str = "", state_iso3: str | None = None) -> list[dict]:
    """Every state's points of contact, by state (those of `state_iso3` only, or of the states
    whose code or name matches `query`): [{"iso3", "name", "contacts": [...], "may_keep"}].
    Each contact carries its id and whether the actor may change it."""
    require_exchange_reader(actor)
    states = State.objects.all()
    if state_iso3:
        states = states.filter(iso3=state_iso3)
    query = query.strip()
    if query:
        states = states.filter(Q(iso3__iexact=query) | Q(name__icontains=query))
    contacts = (
        PointOfContact.objects.filter(state__in=states)
        .select_related("state")
        .order_by("state_id", "name", "id")
    )
    out: dict[str, dict] = {}
    for c in contacts:
        group = out.setdefault(
            c.state_id,
            {
                "iso3": c.state_id,
                "name": c.state.name,
                "contacts": [],
                "may_keep": may_keep_contacts(actor, c.state_id),
            },
        )
        group["contacts"].append({"id": c.pk, **contact_read_model(c)})
    return list(out.values())


def states_without_contacts_for(*, actor) -> list[dict]:
    """Subscribing states with no point of contact: what the ICC has still to collect."""
    actor = require_exchange_reader(actor)
    if not may_act_as_icc(actor):
        raise PermissionDenied(_("Only the ICC sees which states have no point of contact."))
    rows = State.objects.filter(status=HcocStatus.SUBSCRIBING, points_of_contact__isnull=True)
    return [{"iso3": s.iso3, "name": s.name} for s in rows.order_by("iso3")]


def contact_get_for(*, actor, contact_id: int) -> PointOfContact:
    require_exchange_reader(actor)
    contact = PointOfContact.objects.select_related("state").filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(_("No such point of contact."))
    return contact


def contact_changes_for(*, actor, state_iso3: str | None = None, limit: int = 20) -> list:
    """The audit trail of points of contact, newest first: the ICC sees every state's, a state
    its own only."""
    actor = require_exchange_reader(actor)
    rows = PointOfContactChange.objects.select_related("by", "state")
    if not may_act_as_icc(actor):
        state_iso3 = actor.state_id
    if state_iso3:
        rows = rows.filter(state_id=state_iso3)
    return list(rows.order_by("-at", "-id")[:limit])
