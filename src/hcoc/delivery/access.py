"""Who manages which webhook endpoints.

An endpoint belongs to a state: every user of that state sees its endpoints and their delivery
logs; its submitters register, delete and replay them. No state ever sees another's (404, as
for anything not visible). The ICC has no state, so no endpoints of its own: it sees every
state's endpoints and logs (to help a state whose deliveries fail) and may delete one, as it may
revoke a state's token; it never registers or replays one in a state's name, since an endpoint
receives the exchange for that state. Non-subscribers see nothing.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from hcoc.accounts.models import Role, User
from hcoc.lib.access import may
from hcoc.lib.errors import PermissionDenied
from hcoc.states.access import require_exchange_reader


def endpoints_visible_to(actor: User) -> Q:
    """THE rule, as a query condition: the ICC sees all; a state's users their state's."""
    if actor.role == Role.ICC:
        return Q()
    return Q(state_id=actor.state_id)


def require_reader(actor: User | None) -> User:
    return require_exchange_reader(actor)


def require_registrar(actor: User | None) -> User:
    """Registers and replays: a submitter of a currently subscribing state."""
    actor = require_exchange_reader(actor)
    if actor.role == Role.ICC:
        raise PermissionDenied(
            _(
                "The ICC has no state and so no webhook endpoints; a state's submitters register "
                "their state's."
            )
        )
    if actor.role != Role.SUBMITTER:
        raise PermissionDenied(_("Your role may read the exchange but not manage webhooks."))
    return actor


def require_remover(actor: User | None) -> User:
    """Deletes: a state's submitter (its own state's), or the ICC (any state's)."""
    actor = require_exchange_reader(actor)
    if actor.role not in (Role.SUBMITTER, Role.ICC):
        raise PermissionDenied(_("Your role may read the exchange but not manage webhooks."))
    return actor


may_register = may(require_registrar)
may_remove = may(require_remover)
