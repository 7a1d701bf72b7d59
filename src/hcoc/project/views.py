"""The pages that gather every app's news: the dashboard (/) and the ICC console's front page
(/icc/), whose other pages are their owners' (registry, declarations, exchange, ledger)."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.declarations.selectors import declaration_due_for
from hcoc.exchange.selectors import feed_recent_for, inbox_recent_for
from hcoc.lib.numbers import positive_int
from hcoc.lib.timeutil import parse_rfc3339
from hcoc.notifications.maps import map_payload
from hcoc.notifications.places import concerns
from hcoc.notifications.selectors import drafts_visible_to, notification_list_for
from hcoc.states.access import may_read_exchange
from hcoc.states.models import HcocStatus
from hcoc.ui.pages import exchange_page, icc_page


def dashboard(request):
    """The home page: the exchange's dashboard, or, for a user of a state that does not (yet)
    subscribe, one page saying what it can do and how its state subscribes."""
    if request.user.is_authenticated and not may_read_exchange(request.user):
        return outside(request)
    return exchange_dashboard(request)


def outside(request):
    state = request.user.state
    today = timezone.now().date()
    return render(
        request,
        "project/outside.html",
        {
            "state": state,
            # Recorded as subscribing from a day still to come: the exchange opens that day.
            "subscribing_from": state.subscribed_on
            if state is not None
            and state.status == HcocStatus.SUBSCRIBING
            and state.subscribed_on
            and state.subscribed_on > today
            else None,
        },
    )


@exchange_page
def exchange_dashboard(request):
    now = timezone.now()
    upcoming = notification_list_for(
        actor=request.user,
        status="notified",
        window_from=now,
        window_to=now + timedelta(days=30),
        limit=500,
    )["items"]
    upcoming.sort(key=lambda n: n["window"]["opens"])
    for n in upcoming:
        n["concerns_me"] = concerns(n, request.user.state_id)
    inbox = inbox_recent_for(actor=request.user, limit=5) if request.user.state_id else None
    return render(
        request,
        "project/dashboard.html",
        {
            "upcoming": upcoming,
            "timeline": (timeline := _timeline(upcoming, now)),
            "timeline_height": ROW * len(timeline) + 24,
            "timeline_ticks": [
                {
                    "x": round(d / 30 * 100, 2),
                    "label": _("today") if d == 0 else f"+{d} d",
                    "anchor": "start" if d == 0 else "middle",
                }
                for d in (0, 7, 14, 21, 28)
            ],
            "map_data": map_payload(upcoming),
            "inbox": inbox,
            "drafts": drafts_visible_to(request.user)[:10],
            "due": declaration_due_for(actor=request.user),
        },
    )


ROW = 34  # px: a window's label, then its bar


def _timeline(upcoming: list[dict], now) -> list[dict]:
    """Rows of a 30-day timeline: x and width in % of the 30 days (the SVG has no viewBox, so
    its text keeps its size in CSS px at any width, a phone's too); each window's label on a line
    of its own above its bar, starting at the bar's start in the left half of the timeline and
    ending at the bar's end in the right half, so it never runs off either edge."""
    span = 30 * 86400
    rows = []
    for i, n in enumerate(upcoming[:40]):
        opens = parse_rfc3339(n["window"]["opens"])
        closes = parse_rfc3339(n["window"]["closes"])
        x = max(0.0, (opens - now).total_seconds() / span * 100)
        end = min(100.0, (closes - now).total_seconds() / span * 100)
        w = max(end - x, 0.4)
        left_half = x < 50
        rows.append(
            {
                "n": n,
                "y": ROW * i + 18,
                "ty": ROW * i + 13,
                "x": round(x, 2),
                "w": round(w, 2),
                "tx": round(x if left_half else x + w, 2),
                "anchor": "start" if left_half else "end",
            }
        )
    return rows


@icc_page
def console(request):
    before = request.GET.get("before", "")
    recent = feed_recent_for(actor=request.user, before=positive_int(before), limit=50)
    return render(request, "project/icc.html", {"recent": recent})
