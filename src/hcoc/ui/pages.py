"""Page doors: the same rules as the API (hcoc.accounts.access, hcoc.states.access), applied to
views; and a domain error that is no form's problem, as a page."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render

from hcoc.accounts.models import Role
from hcoc.lib.errors import DomainError, NotFound
from hcoc.states.access import can_read_exchange

FORBIDDEN = "ui/forbidden.html"


def page_access(request) -> dict:
    """A template context processor (registered in settings): whether the user may read the
    exchange, so that the base template's navigation offers only pages the user may open (a
    non-subscribing state's users see the registry and their account, never a row of 403s)."""
    return {"may_read_exchange": can_read_exchange(request.user)}


def exchange_page(view):
    """Logged in, and of a currently subscribing state or the ICC; others get a 403 page.
    Two-factor is required of ICC users: without it they are sent to enrol first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_read_exchange(request.user):
            return render(request, FORBIDDEN, status=403)
        if request.user.role == Role.ICC and not request.user.is_verified():
            return redirect("accounts:two_factor")
        return view(request, *args, **kwargs)

    return wrapper


def icc_page(view):
    """The ICC console: ICC users who logged in with their second factor."""

    @wraps(view)
    @exchange_page
    def wrapper(request, *args, **kwargs):
        if request.user.role != Role.ICC:
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
