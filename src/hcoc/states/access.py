"""Which state a user reads and acts for: the registry's access rules.

- Anonymous callers: the public registry and the API docs only.
- Users of a state that is not currently subscribing: nothing of the exchange.
- Users of a currently subscribing state: read everything published; submitters act for their
  own state only; nobody sees another state's unpublished data.
- ICC users: read everything; act on a state's behalf (marked as such); keep the registry.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.accounts.access import require_user
from hcoc.accounts.models import Role, User
from hcoc.lib.access import may
from hcoc.lib.errors import FieldProblem, InvalidInput, PermissionDenied

from .models import State


def require_exchange_reader(actor: User | None) -> User:
    actor = require_user(actor)
    if actor.role != Role.ICC and not (
        actor.state is not None and actor.state.is_subscribing_on(timezone.now().date())
    ):
        raise PermissionDenied(
            _("Only users of currently subscribing states and the ICC can read the exchange.")
        )
    return actor


def require_submitter(actor: User | None) -> User:
    """May submit: a submitter of a currently subscribing state, or the ICC."""
    actor = require_exchange_reader(actor)
    if actor.role not in (Role.SUBMITTER, Role.ICC):
        raise PermissionDenied(_("Your role may read the exchange but not submit to it."))
    return actor


def require_state_member(actor: User | None) -> User:
    """A user of a currently subscribing state (acknowledgements, inbox: the ICC has no state)."""
    actor = require_exchange_reader(actor)
    if actor.state is None:
        raise PermissionDenied(
            _("Only users of a subscribing state can do this; the ICC has no state.")
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
                [FieldProblem("on_behalf_of", _("the ICC must name the state it acts for"))]
            )
        state = State.objects.filter(iso3=on_behalf_of).first()
        if state is None:
            raise InvalidInput(
                [
                    FieldProblem(
                        "on_behalf_of",
                        _("unknown state %(on_behalf_of)s") % {"on_behalf_of": repr(on_behalf_of)},
                    )
                ]
            )
        if not state.is_subscribing_now:
            raise InvalidInput(
                [
                    FieldProblem(
                        "on_behalf_of",
                        _("%(iso3)s is not a subscribing state") % {"iso3": state.iso3},
                    )
                ]
            )
        return state, True
    if actor.role != Role.SUBMITTER:
        raise PermissionDenied(_("Your role may read the exchange but not submit to it."))
    if on_behalf_of and on_behalf_of != actor.state_id:
        raise PermissionDenied(_("A state can only act for itself."))
    return actor.state, False


def require_acting_for(actor: User | None, state_iso3: str) -> bool:
    """For actions on an existing item of `state_iso3`; returns entered_by_icc."""
    actor = require_exchange_reader(actor)
    if actor.role == Role.ICC:
        return True
    if actor.role != Role.SUBMITTER:
        raise PermissionDenied(_("Your role may read the exchange but not submit to it."))
    if actor.state_id != state_iso3:
        raise PermissionDenied(_("A state can only act on its own notifications."))
    return False


def require_contacts_keeper(actor: User | None, state_iso3: str) -> bool:
    """Who keeps a state's points of contact: the ICC for every state; a submitter of a
    currently subscribing state for its own. Readers read them; nobody else sees them. Returns
    whether the ICC acts (entered_by_icc)."""
    actor = require_exchange_reader(actor)
    if actor.role == Role.ICC:
        return True
    if actor.role != Role.SUBMITTER:
        raise PermissionDenied(
            _("Your role may read your state's points of contact, not change them.")
        )
    if actor.state_id != state_iso3:
        raise PermissionDenied(_("A state keeps only its own points of contact."))
    return False


# ---- what a page offers: the same rules, asked without raising ----------------------------

may_read_exchange = may(require_exchange_reader)
# Whether to offer a state's actions on its items; the services ask require_acting_for on use.
may_act_for = may(require_acting_for)
may_submit = may(require_submitter)
may_keep_contacts = may(require_contacts_keeper)
