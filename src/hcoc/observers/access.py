"""Who sees an observer invitation and who acts on it."""

from django.db.models import Q
from django.utils.translation import gettext as _

from hcoc.accounts.models import Role, User
from hcoc.lib.access import may
from hcoc.lib.errors import FieldProblem, InvalidInput, PermissionDenied
from hcoc.states.access import (
    acting_state,
    may_read_exchange,
    require_exchange_reader,
    require_submitter,
)
from hcoc.states.models import State

from .models import Audience, Invitation


def invitations_visible_to(actor: User | None) -> Q:
    """THE visibility rule of invitations, as a query condition (the lists filter by it, and
    require_invitation_reader asks it): an invitation open to all is seen by every reader of the
    exchange; a "named" one only by its addressees, the inviting state and the ICC. Others must
    not learn that it exists. Joins the addressees: use .distinct() on a list."""
    if not may_read_exchange(actor):
        return Q(pk__in=[])
    if actor.role == Role.ICC:
        return Q()
    return (
        Q(audience=Audience.ALL) | Q(state_id=actor.state_id) | Q(addressees__state=actor.state_id)
    )


def require_invitation_reader(actor: User | None, reference: str) -> User:
    if not Invitation.objects.filter(invitations_visible_to(actor), reference=reference).exists():
        raise PermissionDenied(
            _("No invitation %(reference)s that you may see.") % {"reference": reference}
        )
    return actor


def require_all_replies_reader(actor: User, inviter: str) -> User:
    """Sees every reply to an invitation: the inviting state and the ICC; an addressee sees only
    its own state's reply and the counts."""
    actor = require_exchange_reader(actor)
    if actor.role != Role.ICC and actor.state_id != inviter:
        raise PermissionDenied(_("Only the inviting state and the ICC see every reply."))
    return actor


def require_replier(actor: User | None, inviter: str) -> User:
    """Whether to offer the reply form: a submitter of a state other than the inviter's, or the
    ICC (on an addressee's behalf); require_invitee decides on the reply itself."""
    actor = require_submitter(actor)
    if actor.state_id == inviter:
        raise PermissionDenied(_("The inviting state cannot reply to its own invitation."))
    return actor


def require_inviter(actor: User | None, inviter: str) -> bool:
    """May act for the inviting state on its invitation (confirm, withdraw): its submitters, or
    the ICC on its behalf. Returns entered_by_icc."""
    actor = require_exchange_reader(actor)
    if actor.role == Role.ICC:
        return True
    if actor.role != Role.SUBMITTER:
        raise PermissionDenied(_("Your role may read the exchange but not submit to it."))
    if actor.state_id != inviter:
        raise PermissionDenied(_("Only the inviting state can do this."))
    return False


def require_invitee(
    actor: User | None, *, inviter: str, audience: str, named: set[str], on_behalf_of: str | None
) -> tuple[State, bool]:
    """The state a reply is for: an addressed state (every subscribing state for "all"), never
    the inviter; its submitters, or the ICC on its behalf. Returns (state, entered_by_icc)."""
    state, by_icc = acting_state(actor, on_behalf_of)
    field = "on_behalf_of" if by_icc else None
    if state.iso3 == inviter:
        if field:
            raise InvalidInput(
                [FieldProblem(field, _("the inviting state cannot reply to itself"))]
            )
        raise PermissionDenied(_("The inviting state cannot reply to its own invitation."))
    if audience != "all" and state.iso3 not in named:
        if field:
            raise InvalidInput(
                [
                    FieldProblem(
                        field,
                        _("%(iso3)s is not addressed by this invitation") % {"iso3": state.iso3},
                    )
                ]
            )
        raise PermissionDenied(_("This invitation is not addressed to your state."))
    return state, by_icc


# ---- what a page offers: the same rules, asked without raising ----------------------------


may_see_invitation = may(require_invitation_reader)
may_see_all_replies = may(require_all_replies_reader)
may_act_as_inviter = may(require_inviter)
may_reply = may(require_replier)
