"""Registry reads. The list of states is public; points of contact are for subscribers' eyes."""

from hcoc.accounts.access import can_read_exchange
from hcoc.lib.errors import NotFound

from .models import State
from .readmodel import state_read_model


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
