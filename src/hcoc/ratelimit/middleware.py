"""429 Too Many Requests for the API (per client address, then per token) and for logins (per
client address, then per user name), before anything else looks at the request.

It sits before the idempotency and ledger middlewares, so a refused request does nothing: no
idempotency record, no signature marked as seen, no view. Limits are per minute
(settings.RATE_LIMIT_*, 0 = off); see docs/api.md, *Rate limits*.
"""

import logging
from contextlib import suppress
from functools import cache

from django.conf import settings
from django.shortcuts import render, resolve_url
from django.urls import NoReverseMatch, reverse

from hcoc.accounts.devices import trusted_for
from hcoc.ui.http import problem_response

from .limits import client_address, digest, hit

log = logging.getLogger(__name__)
API_PREFIX = "/api/"


@cache
def login_paths() -> frozenset[str]:
    """The site's login and the admin's (whose form, however routed, is a login too)."""
    paths = {resolve_url(settings.LOGIN_URL)}
    with suppress(NoReverseMatch):  # an admin without a login of its own
        paths.add(reverse("admin:login"))
    return frozenset(paths)


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = None
        if request.path.startswith(API_PREFIX):
            refusal = self._api(request)
        elif request.method == "POST" and request.path in login_paths():
            refusal = self._login(request)
        return refusal or self.get_response(request)

    def _api(self, request):
        # The address first: it needs no lookup, so a flood of made-up tokens costs one count.
        address = client_address(request)
        limit = settings.RATE_LIMIT_API_ADDRESS
        wait = hit(scope="api-address", who=address, limit=limit)
        if wait:
            return api_refusal(wait, f"More than {limit} API requests a minute from {address}.")
        # Per token, valid or not: the token is never looked up here, so a refused request
        # does not even touch the token's row. A made-up token gets an answer of 401 anyway.
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            limit = settings.RATE_LIMIT_API
            wait = hit(scope="api-token", who=digest(token.strip()), limit=limit)
            if wait:
                return api_refusal(
                    wait, f"More than {limit} API requests a minute with this token."
                )
        return None

    def _login(self, request):
        limit = settings.RATE_LIMIT_LOGIN
        address = client_address(request)
        wait = hit(scope="login-address", who=address, limit=limit)
        if not wait:
            # Per user name too, whatever the address: guessing one account's password from many
            # addresses is as slow as from one. Not for a browser that logged in as that user
            # before (its signed cookie, hcoc.accounts.devices): strangers filling the name's
            # count every minute would otherwise keep the owner out for good.
            username = request.POST.get("username", "").strip().casefold()[:150]
            if username and not trusted_for(request, username):
                wait = hit(scope="login-user", who=digest(username), limit=limit)
        if not wait:
            return None
        log.info("login rate limit: %s", address)
        response = render(
            request,
            "ratelimit/login_refused.html",
            {"wait": wait, "limit": limit, "login_url": resolve_url(settings.LOGIN_URL)},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response


def api_refusal(wait: int, detail: str):
    log.info("API rate limit: %s", detail)
    response = problem_response(
        429, "Too many requests", f"{detail} Try again in {wait} s.", "rate-limited"
    )
    response["Retry-After"] = str(wait)
    return response
