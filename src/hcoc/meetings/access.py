"""Who chairs, acts for a delegation and reads a Regular Meeting."""

from django.utils.translation import gettext as _

from hcoc.accounts.access import require_icc
from hcoc.accounts.models import Role, User
from hcoc.lib.access import may
from hcoc.lib.errors import PermissionDenied
from hcoc.states.access import require_exchange_reader, require_state_member

# "Chair" is not a stored role: the submitters of a meeting's chair state chair that meeting.
# Delegations act (check in and out, take positions) through their state's submitters; readers
# read only. Every subscriber and the ICC read meetings; others see nothing.


def require_chair(actor: User | None, meeting) -> User:
    actor = require_exchange_reader(actor)
    if actor.role != Role.SUBMITTER or actor.state_id != meeting.chair_state_id:
        raise PermissionDenied(
            _("Only the Chair of this meeting (a submitter of %(chair_state_id)s) may do this.")
            % {"chair_state_id": meeting.chair_state_id}
        )
    return actor


may_chair = may(require_chair)


def require_chair_or_icc(actor: User | None, meeting) -> User:
    """Meeting documents: the ICC, or the Chair."""
    actor = require_exchange_reader(actor)
    if actor.role != Role.ICC and not may_chair(actor, meeting):
        raise PermissionDenied(_("Only the ICC or the Chair of this meeting may do this."))
    return actor


def require_delegate(actor: User | None) -> User:
    """A submitter of a currently subscribing state: acts for its delegation."""
    actor = require_state_member(actor)
    if actor.role != Role.SUBMITTER:
        raise PermissionDenied(_("Your role may read the meeting but not act for your delegation."))
    return actor


def require_attendance_recorder(actor: User | None, meeting, state_iso3: str) -> User:
    """A delegation checks itself in and out; the Chair may record it for any state."""
    actor = require_exchange_reader(actor)
    if may_chair(actor, meeting):
        return actor
    actor = require_delegate(actor)
    if state_iso3 != actor.state_id:
        raise PermissionDenied(_("Only the Chair may record another state's attendance."))
    return actor


def require_position_taker(actor: User | None, proposal, *, present: bool) -> User:
    """In the meeting room (consensus) only a present state's submitters take positions for it;
    a silence procedure is outside the room, so every subscribing state's submitters may."""
    actor = require_delegate(actor)
    if proposal.procedure == "consensus" and not present:
        raise PermissionDenied(
            _("%(state_id)s is not present in the meeting: check in before taking a position.")
            % {"state_id": actor.state_id}
        )
    return actor


# ---- what a page offers: the same rules, asked without raising ----------------------------


may_schedule = may(require_icc)
may_act_for_delegation = may(require_delegate)
may_add_documents = may(require_chair_or_icc)
may_take_position = may(require_position_taker)
