"""Bearer-token authentication for the API."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from hcoc.accounts.services import token_user
from hcoc.lib.errors import NotAuthenticated


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        return token_user(token)


def optional_user(request: HttpRequest):
    """For endpoints open to anonymous callers that show more to subscribers. A token that is
    given must be valid: a bad token is 401, not silently anonymous."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, raw = header.partition(" ")
    user = token_user(raw.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise NotAuthenticated("The bearer token is not valid.")
    return user
