"""Page doors: the same rules as the API (hcoc.accounts.access, hcoc.states.access), applied to
views; and a domain error that is no form's problem, as a page."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render

from hcoc.accounts.access import may_act_as_icc
from hcoc.lib.errors import DomainError, NotFound
from hcoc.states.access import may_read_exchange, may_submit

FORBIDDEN = "ui/forbidden.html"


def page_access(request) -> dict:
    """A template context processor (registered in settings): what the user may do, asked of
    the access rules, so that the base template's navigation offers only pages the user may open
    (a non-subscribing state's users see the registry and their account, never a row of 403s)
    and no template compares a role (tests/ops/test_house.py)."""
    user = request.user
    return {
        "may_read_exchange": may_read_exchange(user),
        "may_submit": may_submit(user),
        "may_act_as_icc": may_act_as_icc(user),
    }


def exchange_page(view):
    """Logged in, and of a currently subscribing state or the ICC; others get a 403 page.
    Two-factor is required of ICC users: without it they are sent to enrol first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_read_exchange(request.user):
            return render(request, FORBIDDEN, status=403)
        if may_act_as_icc(request.user) and not request.user.is_verified():
            return redirect("accounts:two_factor")
        return view(request, *args, **kwargs)

    return wrapper


def icc_page(view):
    """The ICC console: ICC users who logged in with their second factor."""

    @wraps(view)
    @exchange_page
    def wrapper(request, *args, **kwargs):
        if not may_act_as_icc(request.user):
            return render(request, FORBIDDEN, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def refused(request, exc):
    """A domain error that is not a form error, as a page: 404 for NotFound (never revealing
    what exists), the 403 page for the rest."""
    if isinstance(exc, NotFound):
        raise Http404(exc.detail)
    return render(request, FORBIDDEN, {"detail": exc.detail}, status=403)


def refusing(view):
    """A domain error the view leaves unhandled (no access, not found: not a form's problem) as
    a page, by `refused`: views call selectors and services without a try of their own. Put it
    under `exchange_page`/`icc_page`, next to the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as e:
            return refused(request, e)

    return wrapper
