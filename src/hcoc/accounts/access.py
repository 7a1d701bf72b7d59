"""Access rules, in one place. Every selector and service asks these; nothing else decides.

- Anonymous callers: the public registry and the API docs only.
- Users of a state that is not currently subscribing: nothing of the exchange.
- Users of a currently subscribing state: read everything published; submitters act for their
  own state only; nobody sees another state's unpublished data.
- ICC users: read everything; act on a state's behalf (marked as such); keep the registry.
"""

from django.utils import timezone

from hcoc.lib.errors import FieldProblem, InvalidInput, NotAuthenticated, PermissionDenied
from hcoc.states.models import State

from .models import Role, User


def require_user(actor: User | None) -> User:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise NotAuthenticated("A valid bearer token is required.")
    return actor


def can_read_exchange(actor: User | None) -> bool:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.role == Role.ICC:
        return True
    return actor.state is not None and actor.state.is_subscribing_on(timezone.now().date())


def require_exchange_reader(actor: User | None) -> User:
    actor = require_user(actor)
    if not can_read_exchange(actor):
        raise PermissionDenied(
            "Only users of currently subscribing states and the ICC can read the exchange."
        )
    return actor


def require_icc(actor: User | None) -> User:
    actor = require_user(actor)
    if actor.role != Role.ICC:
        raise PermissionDenied("Only the Immediate Central Contact may do this.")
    return actor


def require_submitter(actor: User | None) -> User:
    """May submit: a submitter of a currently subscribing state, or the ICC."""
    actor = require_exchange_reader(actor)
    if actor.role not in (Role.SUBMITTER, Role.ICC):
        raise PermissionDenied("Your role may read the exchange but not submit to it.")
    return actor


def require_state_member(actor: User | None) -> User:
    """A user of a currently subscribing state (acknowledgements, inbox: the ICC has no state)."""
    actor = require_exchange_reader(actor)
    if actor.state is None:
        raise PermissionDenied(
            "Only users of a subscribing state can do this; the ICC has no state."
        )
    return actor


def acting_state(actor: User | None, on_behalf_of: str | None) -> tuple[State, bool]:
    """The state a submission is for, and whether the ICC entered it on that state's behalf.

    Invariant: a state user can never act for another state; only the ICC uses `on_behalf_of`.
    """
    actor = require_exchange_reader(actor)
    if actor.role == Role.ICC:
        if not on_behalf_of:
            raise InvalidInput(
                [FieldProblem("on_behalf_of", "the ICC must name the state it acts for")]
            )
        state = State.objects.filter(iso3=on_behalf_of).first()
        if state is None:
            raise InvalidInput([FieldProblem("on_behalf_of", f"unknown state {on_behalf_of!r}")])
        if not state.is_subscribing_now:
            raise InvalidInput(
                [FieldProblem("on_behalf_of", f"{state.iso3} is not a subscribing state")]
            )
        return state, True
    if actor.role != Role.SUBMITTER:
        raise PermissionDenied("Your role may read the exchange but not submit to it.")
    if on_behalf_of and on_behalf_of != actor.state_id:
        raise PermissionDenied("A state can only act for itself.")
    return actor.state, False


def require_can_act_for(actor: User | None, state_iso3: str) -> bool:
    """For actions on an existing item of `state_iso3`; returns entered_by_icc."""
    actor = require_exchange_reader(actor)
    if actor.role == Role.ICC:
        return True
    if actor.role != Role.SUBMITTER:
        raise PermissionDenied("Your role may read the exchange but not submit to it.")
    if actor.state_id != state_iso3:
        raise PermissionDenied("A state can only act on its own notifications.")
    return False


# ---- observer invitations -------------------------------------------------------------------


def can_see_invitation(actor: User | None, *, inviter: str, audience: str, named: set[str]) -> bool:
    """An invitation open to all is seen by every reader of the exchange; a "named" one only by
    its addressees, the inviting state and the ICC. Others must not learn that it exists."""
    if not can_read_exchange(actor):
        return False
    if actor.role == Role.ICC or actor.state_id == inviter:
        return True
    return audience == "all" or actor.state_id in named


def require_inviter(actor: User | None, inviter: str) -> bool:
    """May act for the inviting state on its invitation (confirm, withdraw): its submitters, or
    the ICC on its behalf. Returns entered_by_icc."""
    actor = require_exchange_reader(actor)
    if actor.role == Role.ICC:
        return True
    if actor.role != Role.SUBMITTER:
        raise PermissionDenied("Your role may read the exchange but not submit to it.")
    if actor.state_id != inviter:
        raise PermissionDenied("Only the inviting state can do this.")
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
            raise InvalidInput([FieldProblem(field, "the inviting state cannot reply to itself")])
        raise PermissionDenied("The inviting state cannot reply to its own invitation.")
    if audience != "all" and state.iso3 not in named:
        if field:
            raise InvalidInput(
                [FieldProblem(field, f"{state.iso3} is not addressed by this invitation")]
            )
        raise PermissionDenied("This invitation is not addressed to your state.")
    return state, by_icc


# ---- Regular Meetings ------------------------------------------------------------------------
# "Chair" is not a stored role: the submitters of a meeting's chair state chair that meeting.
# Delegations act (check in and out, take positions) through their state's submitters; readers
# read only. Every subscriber and the ICC read meetings; others see nothing.


def is_chair(actor: User | None, meeting) -> bool:
    return (
        can_read_exchange(actor)
        and actor.role == Role.SUBMITTER
        and actor.state_id == meeting.chair_state_id
    )


def require_chair(actor: User | None, meeting) -> User:
    actor = require_exchange_reader(actor)
    if not is_chair(actor, meeting):
        raise PermissionDenied(
            f"Only the Chair of this meeting (a submitter of {meeting.chair_state_id}) may do this."
        )
    return actor


def require_chair_or_icc(actor: User | None, meeting) -> User:
    """Meeting documents: the ICC, or the Chair."""
    actor = require_exchange_reader(actor)
    if actor.role != Role.ICC and not is_chair(actor, meeting):
        raise PermissionDenied("Only the ICC or the Chair of this meeting may do this.")
    return actor


def require_delegate(actor: User | None) -> User:
    """A submitter of a currently subscribing state: acts for its delegation."""
    actor = require_state_member(actor)
    if actor.role != Role.SUBMITTER:
        raise PermissionDenied("Your role may read the meeting but not act for your delegation.")
    return actor


def require_attendance_recorder(actor: User | None, meeting, state_iso3: str) -> User:
    """A delegation checks itself in and out; the Chair may record it for any state."""
    actor = require_exchange_reader(actor)
    if is_chair(actor, meeting):
        return actor
    actor = require_delegate(actor)
    if state_iso3 != actor.state_id:
        raise PermissionDenied("Only the Chair may record another state's attendance.")
    return actor


def require_position_taker(actor: User | None, proposal, *, present: bool) -> User:
    """In the meeting room (consensus) only a present state's submitters take positions for it;
    a silence procedure is outside the room, so every subscribing state's submitters may."""
    actor = require_delegate(actor)
    if proposal.procedure == "consensus" and not present:
        raise PermissionDenied(
            f"{actor.state_id} is not present in the meeting: check in before taking a position."
        )
    return actor


# ---- credentials ----------------------------------------------------------------------------


def require_own_credentials(actor: User | None, user: User) -> User:
    """A user's API tokens and password are made by that user alone: not by the ICC for a state's
    user (the relay must never be able to act as a state), nor by anyone for anyone else."""
    actor = require_user(actor)
    if actor.pk != user.pk:
        raise PermissionDenied(
            "Only a user can make its own API tokens and set its own password; the ICC may "
            "revoke a state's tokens or disable its user, not make credentials for it."
        )
    return actor
