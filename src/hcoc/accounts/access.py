"""Who a user is: the access rules that depend on the user alone (logged in, its role, its own
credentials). Which state a user reads and acts for is a registry question
(hcoc.states.access); what a user may see of an item is asked of the app that owns it
(hcoc.observers.access, hcoc.meetings.access). Every selector and service asks these rules;
nothing else decides, and no role is compared anywhere else (tests/ops/test_house.py): the
rest asks `may_x` (hcoc.lib.access.may) of a rule here, and templates read the flags of
hcoc.ui.pages.page_access.
"""

from django.utils.translation import gettext as _

from hcoc.lib.access import may
from hcoc.lib.errors import NotAuthenticated, PermissionDenied

from .models import Role, User


def require_user(actor: User | None) -> User:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise NotAuthenticated(_("A valid bearer token is required."))
    return actor


def require_icc(actor: User | None) -> User:
    actor = require_user(actor)
    if actor.role != Role.ICC:
        raise PermissionDenied(_("Only the Immediate Central Contact may do this."))
    return actor


# The ICC's console, and what only its users are offered or held to (two-factor kept).
may_act_as_icc = may(require_icc)


def is_state_user(user: User) -> bool:
    """A user of a state: of a state, or of any role but the ICC's. Either alone makes it one, so
    that a user halfway between the two (a superuser of no state with a state's role) is treated
    as a state's user, whose credentials are its own."""
    return user.state_id is not None or user.role != Role.ICC


def is_state_role(role: str) -> bool:
    """The roles a state's user may have (the ICC creates them; never another ICC user)."""
    return role in (Role.SUBMITTER, Role.READER)


def require_own_credentials(actor: User | None, user: User) -> User:
    """A user's API tokens and password are made by that user alone: not by the ICC for a state's
    user (the relay must never be able to act as a state), nor by anyone for anyone else."""
    actor = require_user(actor)
    if actor.pk != user.pk:
        raise PermissionDenied(
            _(
                "Only a user can make its own API tokens and set its own password; the ICC may "
                "revoke a state's tokens or disable its user, not make credentials for it."
            )
        )
    return actor
