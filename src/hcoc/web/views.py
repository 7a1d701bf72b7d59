"""Pages of the web interface that are not one domain app's: dashboard, inbox, registry, account."""

from collections import Counter
from datetime import timedelta

import iso3166
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hcoc.accounts.services import token_issue, token_revoke
from hcoc.declarations.selectors import declaration_due_for, public_declaration_counts_by_year
from hcoc.exchange.selectors import inbox_recent_for
from hcoc.exchange.services import acknowledgements_record
from hcoc.lib.errors import DomainError
from hcoc.lib.numbers import positive_int
from hcoc.notifications.maps import notification_items
from hcoc.notifications.selectors import (
    drafts_visible_to,
    notification_list_for,
    public_pln_counts_by_year,
)
from hcoc.states.access import can_read_exchange
from hcoc.states.models import HcocStatus
from hcoc.states.selectors import circular_list_for, registry_history, state_list
from hcoc.ui.pages import exchange_page

from .auth_views import safe_next


@exchange_page
def dashboard(request):
    now = timezone.now()
    upcoming = notification_list_for(
        actor=request.user,
        status="notified",
        window_from=now,
        window_to=now + timedelta(days=30),
        limit=500,
    )["items"]
    upcoming.sort(key=lambda n: n["window"]["opens"])
    inbox = inbox_recent_for(actor=request.user, limit=5) if request.user.state_id else None
    return render(
        request,
        "web/dashboard.html",
        {
            "upcoming": upcoming,
            "timeline": (timeline := _timeline(upcoming, now)),
            "timeline_height": 20 * len(timeline) + 20,
            "timeline_ticks": [
                {"x": d * 1000 // 30, "label": _("today") if d == 0 else f"+{d} d"}
                for d in (0, 7, 14, 21, 28)
            ],
            "map_data": {"items": notification_items(upcoming)},
            "inbox": inbox,
            "drafts": drafts_visible_to(request.user)[:10],
            "due": declaration_due_for(actor=request.user),
        },
    )


def _timeline(upcoming: list[dict], now) -> list[dict]:
    """Rows of a 30-day timeline as SVG coordinates (x and width in % of the 30 days)."""
    from hcoc.lib.timeutil import parse_rfc3339

    span = 30 * 86400  # the timeline is 1000 units wide for 30 days
    rows = []
    for i, n in enumerate(upcoming[:40]):
        opens = parse_rfc3339(n["window"]["opens"])
        closes = parse_rfc3339(n["window"]["closes"])
        x = max(0.0, (opens - now).total_seconds() / span * 1000)
        end = min(1000.0, (closes - now).total_seconds() / span * 1000)
        w = max(end - x, 3.0)
        right = x + w < 800
        rows.append(
            {
                "n": n,
                "y": 20 * i + 4,
                "x": round(x, 1),
                "w": round(w, 1),
                "tx": round(x + w + 5 if right else x - 5, 1),
                "anchor": "start" if right else "end",
            }
        )
    return rows


@exchange_page
def inbox(request):
    if request.user.state_id is None:
        messages.info(
            request,
            _("The ICC has no inbox of its own: see who has acknowledged what in the ICC console."),
        )
        return redirect("web:dashboard")
    before = request.GET.get("before")
    page = inbox_recent_for(actor=request.user, before=positive_int(before), limit=50)
    return render(request, "web/inbox.html", {"page": page})


@require_POST
@exchange_page
def acknowledge(request):
    """Acknowledge the ticked items, or every item up to one (`up_to`); then back to the page
    named in `next`, if it is one of this site's."""
    back = safe_next(request, request.POST.get("next"), reverse("web:inbox"))
    try:
        if request.POST.get("up_to"):
            up_to = positive_int(request.POST["up_to"])
            if up_to is None:
                messages.error(request, _("Choose an item of the list to acknowledge up to."))
                return redirect("web:inbox")
            result = acknowledgements_record(actor=request.user, up_to=up_to)
        else:
            seqs = [n for s in request.POST.getlist("seq") if (n := positive_int(s)) is not None]
            if not seqs:
                messages.error(request, _("Tick at least one item to acknowledge."))
                return redirect(back)
            result = acknowledgements_record(actor=request.user, seqs=seqs)
    except (DomainError, ValueError) as e:
        messages.error(request, getattr(e, "detail", str(e)))
    else:
        messages.info(request, _("%(n)d item(s) acknowledged.") % {"n": result["acknowledged"]})
    return redirect(back)


def registry(request):
    """Public: which states subscribe, since when; counts by year. No state's submissions."""
    states = state_list()
    choropleth = {}
    for s in states:
        country = iso3166.countries_by_alpha3.get(s["iso3"])
        if country:
            choropleth[country.numeric] = s["status"]
    by_year = Counter(
        s["subscribed_on"][:4]
        for s in states
        if s["status"] == HcocStatus.SUBSCRIBING and s["subscribed_on"]
    )
    cumulative, running = [], 0
    for year in sorted(by_year):
        running += by_year[year]
        cumulative.append({"year": year, "joined": by_year[year], "known_total": running})
    counts = Counter(s["status"] for s in states)
    plns, declared = public_pln_counts_by_year(), public_declaration_counts_by_year()
    participation = [
        {
            "year": y,
            "declarations": declared.get(y, 0),
            "bm": plns.get(y, {}).get("BM", 0),
            "slv": plns.get(y, {}).get("SLV", 0),
        }
        for y in sorted(set(plns) | set(declared), reverse=True)
    ]
    undated = sum(
        1 for s in states if s["status"] == HcocStatus.SUBSCRIBING and not s["subscribed_on"]
    )
    return render(
        request,
        "web/registry.html",
        {
            "states": states,
            "map_data": {"choropleth": choropleth},
            "by_year": cumulative,
            "counts": counts,
            "undated": undated,
            "participation": participation,
            "history": registry_history(),
            # The ICC's circulars are for subscribers' eyes: absent for anyone else.
            "circulars": circular_list_for(actor=request.user, limit=20)["items"]
            if can_read_exchange(request.user)
            else None,
        },
    )


@never_cache  # shows a new token, once
@login_required
def account(request):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return render(
        request,
        "web/account.html",
        {
            "tokens": request.user.api_tokens.all(),
            "two_factor": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
            "new_token": request.session.pop("new_token", None),
        },
    )


@require_POST
@login_required
def token_new(request):
    name = (request.POST.get("name") or "").strip()[:100]
    try:
        _, raw = token_issue(
            actor=request.user,
            user=request.user,
            name=name,
            second_factor_passed=request.user.is_verified(),
        )
    except DomainError as e:
        messages.error(request, e.detail)
        return redirect("web:two_factor")
    # Shown once, on the next page view, then gone from the session.
    request.session["new_token"] = raw
    return redirect("web:account")


@require_POST
@login_required
def token_revoke_view(request, token_id: int):
    token = request.user.api_tokens.filter(pk=token_id).first()
    if token is not None:  # only one's own tokens; others' ids do nothing
        token_revoke(token=token)
        messages.info(request, _("Token revoked."))
    return redirect("web:account")
