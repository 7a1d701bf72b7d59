"""The API's doors: bearer-token authentication, and the access rule each operation applies.

The door rule runs before the request body is parsed or checked against the database, so a
caller who may not act learns nothing from validation answers (not even which sites exist).
Services check access again: the door is the first line, not the only one.
"""

from collections.abc import Callable

from django.http import HttpRequest
from ninja.security import HttpBearer

from hcoc.accounts.access import require_icc
from hcoc.accounts.services import request_token_user
from hcoc.lib.errors import NotAuthenticated
from hcoc.states.access import require_exchange_reader, require_state_member, require_submitter


class BearerAuth(HttpBearer):
    def __init__(self, door: Callable | None = None) -> None:
        super().__init__()
        self.door = door

    def authenticate(self, request: HttpRequest, token: str):
        user = request_token_user(request)
        if user is not None and self.door is not None:
            self.door(user)  # raises PermissionDenied (403)
        return user


EXCHANGE = BearerAuth(require_exchange_reader)  # the default: users of subscribing states, the ICC
SUBMITTERS = BearerAuth(require_submitter)  # submissions: a state's submitters, the ICC
ICC_ONLY = BearerAuth(require_icc)  # imports, the registry
STATE_MEMBERS = BearerAuth(require_state_member)  # users of a subscribing state (witnesses)


def optional_user(request: HttpRequest):
    """For endpoints open to anonymous callers that show more to subscribers. A token that is
    given must be valid: a bad token is 401, not silently anonymous."""
    if not request.headers.get("Authorization", ""):
        return None
    user = request_token_user(request)
    if user is None:
        raise NotAuthenticated("The bearer token is not valid.")
    return user


class PathDoor(BearerAuth):
    """A door that needs the object named in the path, e.g. the Chair of *this* meeting:
    `door(user, **path_parameters)`. It still runs before the body is parsed."""

    def authenticate(self, request: HttpRequest, token: str):
        user = request_token_user(request)
        if user is not None and self.door is not None:
            self.door(user, **request.resolver_match.kwargs)
        return user
