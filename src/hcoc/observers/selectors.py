"""Reads of invitations, through the access rules: a "named" invitation exists only for its
addressees, the inviter and the ICC; to everyone else it is 404 and absent from every list."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hcoc.lib.cursor import decode_cursor, encode_cursor
from hcoc.lib.errors import NotFound
from hcoc.observers.access import (
    invitations_visible_to,
    may_act_as_inviter,
    may_reply,
    may_see_all_replies,
)
from hcoc.states.access import require_exchange_reader

from .models import Invitation, InvitationStatus
from .readmodel import invitation_read_model


def _visible(actor) -> QuerySet[Invitation]:
    actor = require_exchange_reader(actor)
    return (
        Invitation.objects.select_related("site").filter(invitations_visible_to(actor)).distinct()
    )


def _with_related(qs: QuerySet[Invitation]) -> QuerySet[Invitation]:
    return qs.prefetch_related("addressees", "replies", "confirmations")


def invitation_visible_or_404(actor, reference: str) -> Invitation:
    inv = _with_related(_visible(actor)).filter(reference=reference).first()
    if inv is None:
        raise NotFound(_("No invitation %(reference)s.") % {"reference": reference})
    return inv


def read_model_for(actor, inv: Invitation, *, history: bool = False) -> dict:
    everything = may_see_all_replies(actor, inv.state_id)
    return invitation_read_model(
        inv, all_replies=everything, own_state=actor.state_id, history=history
    )


def invitation_get_for(*, actor, reference: str, history: bool = False) -> dict:
    return read_model_for(actor, invitation_visible_or_404(actor, reference), history=history)


def invitation_page_for(*, actor, reference: str) -> dict:
    """The invitation's page: its read model (with the history of replies) and what the actor
    may do on it (observers.access) while it is open. (Whether replies are still taken by the
    clock is the services' replies_close_at, which the page asks.)"""
    inv = invitation_visible_or_404(actor, reference)
    is_open = inv.status == InvitationStatus.OPEN
    inviter = is_open and may_act_as_inviter(actor, inv.state_id)
    return {
        "inv": read_model_for(actor, inv, history=True),
        "may_confirm": inviter,
        "may_withdraw": inviter,
        "may_reply": is_open and may_reply(actor, inv.state_id),
    }


def invitation_list_for(
    *,
    actor,
    year: int | None = None,
    state: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> dict:
    """Visible invitations, oldest issued first. `year`: the year the observation dates open
    (what a declaration covering that year reports); `state`: the inviting state."""
    qs = _visible(actor).filter(id__gt=decode_cursor(cursor))
    if year is not None:
        qs = qs.filter(opens__year=year)
    if state:
        qs = qs.filter(state_id=state.upper())
    rows = list(_with_related(qs.order_by("id"))[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [read_model_for(actor, inv) for inv in rows],
        "next_cursor": encode_cursor(rows[-1].id) if more else None,
    }


def invitations_for_declaration(*, actor, state: str, year: int) -> list[dict]:
    """The state's own invitations of `year` that were not withdrawn: what the declaration's
    observers section can be filled from."""
    qs = _visible(actor).filter(state_id=state, opens__year=year, status=InvitationStatus.OPEN)
    return [read_model_for(actor, inv) for inv in _with_related(qs.order_by("opens", "id"))]
